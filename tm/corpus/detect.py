"""Which of our languages a text is written in, decided by its letters and common words."""

from __future__ import annotations

import re

_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_LATIN = re.compile("[a-zA-ZäöüçşňýžÄÖÜÇŞŇÝŽ]")
_TURKMEN_ONLY = re.compile("[ňýäşžŇÝÄŞŽ]")
_ENGLISH_WORDS = re.compile(r"\b(the|of|and|to|in|is|was|with|for|on|that)\b", re.IGNORECASE)
_TURKMEN_WORDS = re.compile(r"\b(we|bilen|bu|üçin|hem|bolsa|boýunça|ýyl\w*|Türkmenistan\w+)\b")

MIN_LETTERS = 20


def detect_language(text: str) -> str | None:
    """Return "tk", "ru" or "en", or None when there are too few letters to tell."""
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if cyrillic + latin < MIN_LETTERS:
        return None
    if cyrillic > latin:
        return "ru"
    turkmen = len(_TURKMEN_ONLY.findall(text)) + 3 * len(_TURKMEN_WORDS.findall(text))
    english = 3 * len(_ENGLISH_WORDS.findall(text))
    return "tk" if turkmen > english else "en"


def is_cyrillic(text: str) -> bool | None:
    """Whether most letters of `text` are Cyrillic; None for a text without letters. Sure even for one word."""
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    return None if cyrillic + latin == 0 else cyrillic > latin


def wrong_script(text: str, lang: str) -> str | None:
    """Which script, "Cyrillic" or "Latin", `text` is written in when `lang` does not use it; else None.

    Only the script is sure on a short text: Cyrillic is Russian, Latin is Turkmen or English."""
    cyrillic = is_cyrillic(text)
    if cyrillic is None or cyrillic == (lang == "ru"):
        return None
    return "Cyrillic" if cyrillic else "Latin"
