"""Unicode clean-up that every text passes through before anything else sees it."""

from __future__ import annotations

import re
import unicodedata

# Zero-width and invisible characters that pages carry but no translator wants in a TM.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff]")
_SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t ]+")


def normalize_text(text: str) -> str:
    """NFC, no-break and odd spaces to plain spaces, invisible separators dropped.

    Quotes are kept exactly as written: curly and straight quotes mean the same to the
    reader but a CAT tool compares them character by character.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
