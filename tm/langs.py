"""The three languages of the TM, the codes each outside format wants for them, and the one
plain-Latin form all three can be compared in (names, numbers and loan words then look alike)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

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


_CYRILLIC_TO_LATIN = str.maketrans(
    {
        "а": "a",
        "б": "b",
        "в": "w",
        "г": "g",
        "д": "d",
        "е": "e",
        "ё": "yo",
        "ж": "zh",
        "з": "z",
        "и": "i",
        "й": "y",
        "к": "k",
        "л": "l",
        "м": "m",
        "н": "n",
        "о": "o",
        "п": "p",
        "р": "r",
        "с": "s",
        "т": "t",
        "у": "u",
        "ф": "f",
        "х": "h",
        "ц": "ts",
        "ч": "ch",
        "ш": "sh",
        "щ": "sh",
        "ъ": "",
        "ы": "y",
        "ь": "",
        "э": "e",
        "ю": "yu",
        "я": "ya",
    }
)
# Turkmen letters and English spellings folded to one plain-Latin form.
_LATIN_FOLD = str.maketrans(
    {
        "ä": "a",
        "ö": "o",
        "ü": "u",
        "ç": "ch",
        "ş": "sh",
        "ž": "zh",
        "ň": "n",
        "ý": "y",
        "j": "zh",
        "v": "w",
        "x": "ks",
        "c": "k",
        "q": "k",
    }
)
_NON_WORD = re.compile(r"[^a-z0-9]+")


def transliterate(text: str) -> str:
    """Lower-case plain-Latin form of Turkmen, Russian or English text."""
    return _NON_WORD.sub(" ", text.lower().translate(_CYRILLIC_TO_LATIN).translate(_LATIN_FOLD))


def fold(text: str) -> str:
    """The form names and terms are compared in: lower case, ё as е, one space between words."""
    return " ".join(text.lower().replace("ё", "е").split())


@functools.cache
def russian_morphology():
    """pymorphy3's analyser with its Russian dictionary (loaded once, on the first Russian word)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.lru_cache(maxsize=200_000)
def russian_lemmas(word: str) -> frozenset[str] | None:
    """The dictionary forms a Russian word may be an inflection of (министра -> министр), or None
    when the dictionary does not know it (a name, a foreign word): then nothing can be said."""
    morphology = russian_morphology()
    if not morphology.word_is_known(word):
        return None
    return frozenset(parse.normal_form for parse in morphology.parse(word))


# Where an address names its language: a path segment (/tk/news/5) or a parameter (?lang=ru).
_LANG_SEGMENT = re.compile(r"/(?:tk|ru|en)(?=/|$)")
LANGUAGE_PARAMETERS = {"lang", "language", "hl", "locale", "lng"}


def url_key(url: str | None) -> str | None:
    """The site and news id of a URL, without its language code: `mfa.gov.tm/news/1094`, and
    `site.tm/news.php?id=7` (a query names the page too: only a language parameter is dropped)."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = _LANG_SEGMENT.sub("", parts.path).rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not _language_parameter(k, v)))
    return f"{host}{path}" + (f"?{query}" if query else "") if host and path else None


def _language_parameter(key: str, value: str) -> bool:
    return key.lower() in LANGUAGE_PARAMETERS and value.lower() in CODES
