"""Character n-gram vectors over a shared Latin transliteration: a model-free encoder.

Names, numbers and loan words look alike in Turkmen, Russian and English once Cyrillic
is written in Latin letters, so hashed character 3-gram counts carry a cross-lingual
signal with no model at all. It is also the fast encoder the tests use.
"""

from __future__ import annotations

import re
import zlib

import numpy as np

from tm.embed.base import normalize_rows

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


class NgramEncoder:
    """Hashed character n-gram counts of the transliterated text, sublinear tf."""

    def __init__(self, n: int = 3, dim: int = 4096) -> None:
        self.n, self.dim = n, dim
        self.id = f"char{n}gram-translit-{dim}"

    def _row(self, sentence: str) -> np.ndarray:
        row = np.zeros(self.dim, dtype=np.float32)
        for word in transliterate(sentence).split():
            padded = f" {word} "
            for i in range(max(1, len(padded) - self.n + 1)):
                row[zlib.crc32(padded[i : i + self.n].encode()) % self.dim] += 1.0
        return np.log1p(row)

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dim), dtype=np.float32)
        return normalize_rows(np.stack([self._row(s) for s in sentences]))
