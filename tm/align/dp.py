"""Dynamic programming over beads (1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0, 0-1) for one language pair.

Every bead is scored from the sentence-level match matrix: the block of the matrix that
the bead covers, summed and scaled by the bead's size, plus a length-ratio prior, a
merge penalty and a paragraph hint. Block sums come from an integral image, so each
bead type is one vectorised numpy expression; the DP itself walks a band around the
diagonal, so long documents stay cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BEAD_TYPES: tuple[tuple[int, int], ...] = (
    (1, 1),
    (1, 2),
    (2, 1),
    (2, 2),
    (1, 3),
    (3, 1),
    (2, 3),
    (3, 2),
    (1, 0),
    (0, 1),
)


@dataclass(frozen=True)
class PairConfig:
    """Weights of the bead score; defaults were set on the align-dev set (see benchmarks/align.py)."""

    skip: float = -0.2  # per-sentence score of leaving a sentence unaligned
    merge_penalty: float = 0.1  # per extra sentence in a bead beyond 1-1
    length_weight: float = 0.05
    length_sigma: float = 0.28  # align-dev gold 1-1 pairs: std of log length ratio 0.16-0.22; freer texts vary more
    paragraph_penalty: float = 0.15
    min_band: int = 12
    band_share: float = 0.2


@dataclass(frozen=True)
class PairBead:
    x: tuple[int, ...]
    y: tuple[int, ...]
    score: float  # mean per-sentence bead score
    # How far the path through this bead beat the best path ending at the same place with
    # another bead type (per sentence of the bead): small when the DP nearly chose otherwise.
    lead: float = math.inf


def integral(matrix: np.ndarray) -> np.ndarray:
    """Summed-area table: table[i, j] = matrix[:i, :j].sum()."""
    table = np.zeros((matrix.shape[0] + 1, matrix.shape[1] + 1))
    table[1:, 1:] = matrix.cumsum(0).cumsum(1)
    return table


def block_sums(table: np.ndarray, a: int, b: int) -> np.ndarray:
    """From a summed-area table of an n x m matrix: sums[i, j] = matrix[i:i + a, j:j + b].sum()."""
    n, m = table.shape[0] - 1, table.shape[1] - 1
    return table[a:, b:] - table[: n + 1 - a, b:] - table[a:, : m + 1 - b] + table[: n + 1 - a, : m + 1 - b]


def _starts(paragraphs: np.ndarray | None, n: int) -> np.ndarray:
    """starts[i]: sentence i opens a paragraph (index n: the end of the text)."""
    if paragraphs is None:
        return np.zeros(n + 1, dtype=bool)
    flags = np.ones(n + 1, dtype=bool)
    flags[1:n] = paragraphs[1:] != paragraphs[:-1]
    return flags


def bead_tables(
    match: np.ndarray,
    len_x: np.ndarray,
    len_y: np.ndarray,
    config: PairConfig,
    para_x: np.ndarray | None = None,
    para_y: np.ndarray | None = None,
    span_gains: dict[tuple[int, int], np.ndarray] | None = None,
    titles: tuple[int, int] = (0, 0),
) -> dict[tuple[int, int], np.ndarray]:
    """For each bead type (a, b), table[i, j] = score of the bead ending at x[i], y[j] (exclusive).

    `span_gains[(a, b)][i - a, j - b]`, where given, corrects the block-sum similarity of that
    bead with evidence about the spans as wholes (embeddings of the joined sentences).
    `titles`: how many sentences open each side as its title; no bead joins them with the body,
    so a title with no counterpart stays a 1-0 bead instead of being glued onto a sentence."""
    n, m = match.shape
    summed = integral(match)
    cum_x = np.concatenate([[0.0], np.cumsum(len_x)])
    cum_y = np.concatenate([[0.0], np.cumsum(len_y)])
    ratio = max(cum_y[-1], 1.0) / max(cum_x[-1], 1.0)
    use_paragraphs = para_x is not None and para_y is not None
    start_x, start_y = _starts(para_x, n), _starts(para_y, m)
    tables = {}
    for a, b in BEAD_TYPES:
        table = np.full((n + 1, m + 1), -np.inf)
        if a == 0 or b == 0:
            table[a:, b:] = config.skip * (a + b)
            tables[(a, b)] = table
            continue
        i = np.arange(a, n + 1)[:, None]
        j = np.arange(b, m + 1)[None, :]
        similarity = block_sums(summed, a, b) / math.sqrt(a * b)
        if span_gains and (a, b) in span_gains:
            similarity = similarity + span_gains[(a, b)]
        log_ratio = np.log((cum_y[j] - cum_y[j - b]) / (ratio * (cum_x[i] - cum_x[i - a])))
        length = -np.minimum(log_ratio**2 / (2 * config.length_sigma**2), 4.0)
        score = similarity + config.length_weight * length - config.merge_penalty * (a + b - 2)
        if use_paragraphs:
            crosses_x = np.array([start_x[k - a + 1 : k].any() for k in range(a, n + 1)])[:, None]
            crosses_y = np.array([start_y[k - b + 1 : k].any() for k in range(b, m + 1)])[None, :]
            opens_differ = start_x[i - a] != start_y[j - b]
            hint = opens_differ.astype(float) + (crosses_x != crosses_y)
            score = score - config.paragraph_penalty * hint
        mixes_title = _mixes_title(i, a, titles[0]) | _mixes_title(j, b, titles[1])
        table[a:, b:] = np.where(mixes_title, -np.inf, score * (a + b) / 2)
        tables[(a, b)] = table
    return tables


def _mixes_title(end: np.ndarray, size: int, title: int) -> np.ndarray:
    """Spans of `size` sentences ending before `end` that hold title and body sentences both."""
    return (end - size < title) & (end > title)


def _band(n: int, m: int, config: PairConfig) -> list[tuple[int, int]]:
    width = max(config.min_band, int(config.band_share * max(n, m)))
    lows, highs = [], []
    for i in range(n + 1):
        centre = i * m / n if n else 0
        lows.append(max(0, int(centre) - width))
        highs.append(min(m, math.ceil(centre) + width))
    return list(zip(lows, highs, strict=False))


def align_pair(
    match: np.ndarray,
    len_x: np.ndarray,
    len_y: np.ndarray,
    config: PairConfig | None = None,
    para_x: np.ndarray | None = None,
    para_y: np.ndarray | None = None,
    span_gains: dict[tuple[int, int], np.ndarray] | None = None,
    titles: tuple[int, int] = (0, 0),
) -> list[PairBead]:
    """The best-scoring monotone sequence of beads covering every sentence on both sides."""
    config = config or PairConfig()
    n, m = match.shape
    if n == 0 or m == 0:
        return [PairBead((i,), (), config.skip) for i in range(n)] + [PairBead((), (j,), config.skip) for j in range(m)]
    tables = bead_tables(match, len_x, len_y, config, para_x, para_y, span_gains, titles)
    band = _band(n, m, config)
    best = np.full((n + 1, m + 1), -np.inf)
    back: dict[tuple[int, int], tuple[int, int]] = {}
    leads: dict[tuple[int, int], float] = {}
    best[0, 0] = 0.0
    for i in range(n + 1):
        low, high = band[i]
        if i == n:
            high = m
        for j in range(low if i else 0, high + 1):
            if i == 0 and j == 0:
                continue
            top, second, choice = _best_step(best, tables, i, j)
            best[i, j] = top
            if choice:
                back[(i, j)] = choice
                leads[(i, j)] = top - second
    return _trace(back, leads, tables, n, m)


def _best_step(best: np.ndarray, tables: dict, i: int, j: int) -> tuple[float, float, tuple[int, int] | None]:
    """The best and second-best scores of a path to (i, j), and the bead type of the best."""
    top, second, choice = -np.inf, -np.inf, None
    for a, b in BEAD_TYPES:
        if a <= i and b <= j:
            value = best[i - a, j - b] + tables[(a, b)][i, j]
            if value > top:
                top, second, choice = value, top, (a, b)
            elif value > second:
                second = value
    return top, second, choice


def _trace(back, leads, tables, n: int, m: int) -> list[PairBead]:
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = back[(i, j)]
        score = tables[(a, b)][i, j] / (a + b)
        lead = min(leads[(i, j)] / (a + b), 10.0)
        beads.append(PairBead(tuple(range(i - a, i)), tuple(range(j - b, j)), float(score), float(lead)))
        i, j = i - a, j - b
    return beads[::-1]
