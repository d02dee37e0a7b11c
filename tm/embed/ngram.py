"""Character n-gram vectors over a shared Latin transliteration: a model-free encoder.

Names, numbers and loan words look alike in Turkmen, Russian and English once Cyrillic
is written in Latin letters, so hashed character 3-gram counts carry a cross-lingual
signal with no model at all. It is also the fast encoder the tests use.
"""

from __future__ import annotations

import zlib

import numpy as np

from tm.embed.base import normalize_rows
from tm.langs import transliterate


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
