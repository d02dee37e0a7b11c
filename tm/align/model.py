"""What an alignment is: tri-units, the pairwise links under them, and the texts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tm.langs import CODES


@dataclass(frozen=True)
class Unit:
    """One tri-unit: sentence indices per language (empty where a language has none)."""

    sentences: dict[str, tuple[int, ...]]
    confidence: float

    @property
    def bead_type(self) -> str:
        return "-".join(str(len(self.sentences.get(lang, ()))) for lang in CODES)


@dataclass(frozen=True)
class PairLink:
    """One bead of the finest alignment of a language pair."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    confidence: float


@dataclass(frozen=True)
class Alignment:
    sentences: dict[str, list[str]]
    units: list[Unit]
    pairs: dict[str, list[PairLink]]
    signature: str
    # Per pair, the calibration features of its links with both sides, in link order.
    features: dict[str, np.ndarray] = field(default_factory=dict)


def pair_key(x: str, y: str) -> str:
    """ "tk-ru", "tk-en", "ru-en": languages in the fixed tk, ru, en order."""
    first, second = sorted((x, y), key=CODES.index)
    return f"{first}-{second}"
