"""The three languages of the TM and the codes each outside format wants for them."""

from __future__ import annotations

from dataclasses import dataclass

from tm.errors import TmError


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, our internal key
    name: str
    bcp47: str  # region-qualified tag that CAT tools read in TMX
    gettext: str  # the form PO headers use
    iso639_3: str


LANGUAGES: dict[str, Language] = {
    "tk": Language("tk", "Turkmen", "tk-TM", "tk_TM", "tuk"),
    "ru": Language("ru", "Russian", "ru-RU", "ru_RU", "rus"),
    "en": Language("en", "English", "en-US", "en_US", "eng"),
}
CODES: tuple[str, ...] = tuple(LANGUAGES)


def check_lang(code: str) -> str:
    """Return `code` if it is one of ours, else raise a TmError naming the choices."""
    if code not in LANGUAGES:
        raise TmError(f"unknown language {code!r}; use one of {', '.join(CODES)}")
    return code


def from_any(tag: str) -> str | None:
    """Map a language tag as other tools write it (tk, tk-TM, tk_TM, TK-tm, tuk) to ours."""
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    for lang in LANGUAGES.values():
        if base in (lang.code, lang.iso639_3):
            return lang.code
    return None
