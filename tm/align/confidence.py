"""A bead's confidence as the probability that the bead is right.

The DP's bead score says which path is best, not how likely a bead is to be correct: it is
margin-normalised, so in a release of three sentences a perfect title link scores near zero.
A logistic model over what the DP already knows about each bead turns it into a probability:

- the bead's DP score and its block similarity in the match matrix,
- its lead over the best rival link of any of its sentences, and over the best other bead
  type the DP could have ended there with (how clearly it won),
- how strongly its sentences link to the sentences just beside it (a 1-1 cut out of a 2-2),
- the encoder's plain cosine (which does not shrink in short documents),
- whether the bead joins sentences, stands next to a gap, or disagrees with the tri-unit
  the other pairs' beads make of its sentences, and the size of the document,
- how far the two versions as a whole fall short of reading as translations (a release
  grouped wrongly has no right bead, however well one stands out).

The weights are fitted on the align-dev gold (clean, hard, and short documents cut from
them) by `benchmarks/calibrate.py`, which writes `calibration.json` and reports the
calibration on documents left out of the fit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tm.align.dp import PairBead

FEATURES = (
    "score",
    "similarity",
    "lead",
    "cosine",
    "joined",
    "log_size",
    "short_cosine",
    "next_to_gap",
    "unit_agrees",
    "spill",
    "dp_lead",
    "pair_shortfall",
    "pair_similarity",
)
# Median bead cosine (bundled encoder) below which two versions start to read as unrelated
# texts: real tk-ru and tk-en pairs of align-dev mostly sit above it, swapped versions below.
PAIR_COSINE_FLOOR = 0.3
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def bead_features(
    beads: list[PairBead], match: np.ndarray, cosine: np.ndarray, agrees: list[bool] | None = None
) -> np.ndarray:
    """One row of FEATURES per bead with sentences on both sides (beads without are skipped).

    `agrees[k]`: bead k is exactly the two languages' part of its tri-unit, so the other
    pairs' beads put the same sentences together (always true with two languages)."""
    n, m = match.shape
    log_size = math.log1p(min(n, m))
    rows = []
    for k, bead in enumerate(beads):
        if not (bead.x and bead.y):
            continue
        neighbours = beads[max(0, k - 1) : k] + beads[k + 1 : k + 2]
        xs, ys = list(bead.x), list(bead.y)
        similarity = float(match[np.ix_(xs, ys)].mean())
        rival = _best_rival(match, xs, ys)
        block_cosine = float(cosine[np.ix_(xs, ys)].max())
        rows.append(
            (
                bead.score,
                similarity,
                similarity - rival if rival is not None else 0.0,
                block_cosine,
                float(len(xs) + len(ys) > 2),
                log_size,
                block_cosine / (1.0 + min(n, m)),
                float(any(not (b.x and b.y) for b in neighbours)),
                float(agrees[k]) if agrees is not None else 1.0,
                _spill(match, xs, ys),
                bead.lead,
            )
        )
    table = np.asarray(rows, dtype=np.float64).reshape(-1, len(FEATURES) - 2)
    # How far the two versions fall short of reading as translations as a whole: a wrongly
    # grouped version has no bead that is right, however well one stands out locally. Above
    # the level real translations reach, a higher cosine tells nothing more about a bead.
    typical = np.median(table[:, FEATURES.index("cosine")]) if len(table) else 0.0
    shortfall = np.full((len(table), 1), max(0.0, PAIR_COSINE_FLOOR - typical))
    similarity = np.full((len(table), 1), np.median(table[:, FEATURES.index("similarity")]) if len(table) else 0.0)
    return np.hstack([table, shortfall, similarity])


def _best_rival(match: np.ndarray, xs: list[int], ys: list[int]) -> float | None:
    """The strongest link any sentence of the bead has with a sentence outside it (a bead's
    sentences are a run on each side)."""
    x0, x1, y0, y1 = xs[0], xs[-1] + 1, ys[0], ys[-1] + 1
    blocks = (match[x0:x1, :y0], match[x0:x1, y1:], match[:x0, y0:y1], match[x1:, y0:y1])
    rivals = [block.max() for block in blocks if block.size]
    return float(max(rivals)) if rivals else None


def _spill(match: np.ndarray, xs: list[int], ys: list[int]) -> float:
    """The strongest link of the bead's sentences with a sentence just beside the bead on the
    other side: high when the bead should have taken in a neighbour (a 1-1 cut out of a 2-2)."""
    n, m = match.shape
    beside_y = [j for j in (ys[0] - 1, ys[-1] + 1) if 0 <= j < m]
    beside_x = [i for i in (xs[0] - 1, xs[-1] + 1) if 0 <= i < n]
    links = [match[np.ix_(xs, beside_y)].max()] if beside_y else []
    links += [match[np.ix_(beside_x, ys)].max()] if beside_x else []
    return float(max(links)) if links else 0.0


@dataclass(frozen=True)
class Calibration:
    """Logistic weights over standardised FEATURES."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return 1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias)))

    def to_json(self) -> str:
        weights = {"mean": list(self.mean), "scale": list(self.scale), "weights": list(self.weights)}
        return json.dumps({"features": list(FEATURES), **weights, "bias": self.bias}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        data = json.loads(text)
        if data.get("features") != list(FEATURES):
            raise ValueError(f"calibration made for features {data.get('features')}, not {list(FEATURES)}")
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]), float(data["bias"]))

    @classmethod
    def score_sigmoid(cls) -> Calibration:
        """The confidence before calibration: a fixed sigmoid of the DP score (the baseline)."""
        count = len(FEATURES)
        return cls((0.0,) * count, (1.0,) * count, (14.0,) + (0.0,) * (count - 1), -0.28)

    @functools.cached_property
    def id(self) -> str:
        """Short fingerprint, part of the aligner signature: new weights mean new confidences."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:8]


def fit(features: np.ndarray, correct: np.ndarray, l2: float = 1e-3, steps: int = 50) -> Calibration:
    """Logistic regression by Newton's method (IRLS) with a small ridge, on standardised features."""
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    x = np.hstack([(features - mean) / scale, np.ones((len(features), 1))])
    y = correct.astype(np.float64)
    w = np.zeros(x.shape[1])
    ridge = l2 * len(x) * np.eye(x.shape[1])
    ridge[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + ridge @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return Calibration(tuple(mean), tuple(scale), tuple(w[:-1]), float(w[-1]))


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Mean gap between confidence and accuracy over equal-width bins, weighted by bin size."""
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        chosen = which == b
        if chosen.any():
            error += chosen.mean() * abs(confidence[chosen].mean() - correct[chosen].mean())
    return float(error)


@functools.cache
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    return Calibration.from_json(path.read_text("utf-8"))
