"""Pairwise beads: each language pair's match matrix and DP, the third language helped through the pivot.

The pair the encoder is surest of is aligned first; for the third language, each match matrix
is averaged with the evidence that comes through the pivot. A release whose first alignment is
plainly one to one stops there; the others are aligned again with embeddings of joined
neighbouring sentences for 1-2, 2-1 and 2-2 beads.
"""

from __future__ import annotations

import math
from itertools import combinations, pairwise

import numpy as np

from tm.align.config import AlignConfig
from tm.align.dp import PairBead, align_pair, block_sums, integral
from tm.align.signals import lengths, margin


def match_matrix(
    x: str,
    y: str,
    semantic: np.ndarray,
    grams: dict,
    numbers: np.ndarray,
    config: AlignConfig,
    learned: np.ndarray | None,
) -> np.ndarray:
    """The pair's signals together: `semantic`, the margin-normalised encoder similarity; the
    character n-grams of each language; the agreement of their `numbers`; a `learned` lexicon's."""
    matrix = config.embedding_weight * semantic
    matrix = matrix + config.ngram_weight * margin(grams[x] @ grams[y].T)
    if learned is not None:
        matrix = matrix + config.lexicon_weight * margin(learned)
    return matrix + config.number_weight * numbers


SPAN_BEADS = ((1, 2), (2, 1), (2, 2))


def plainly_one_to_one(beads: dict, config: AlignConfig) -> bool:
    """Every bead of a first alignment without joined-sentence evidence is 1-1, and one the DP
    clearly preferred: joined sentences, twice the text of the sentences to encode, would
    change nothing. Most clean releases are."""
    return all(
        len(bead.x) == len(bead.y) == 1 and bead.lead >= config.span_lead
        for pair_beads in beads.values()
        for bead in pair_beads
    )


def _joined(sentences: list[str]) -> list[str]:
    """Each pair of neighbouring sentences as one text."""
    return [f"{a} {b}" for a, b in pairwise(sentences)]


def encode_spans(sentences: dict[str, list[str]], encoder) -> dict[str, np.ndarray]:
    """Per language, row i: the embedding of sentences i and i + 1 joined."""
    encoded, spans, offset = encoder.encode([s for lang in sentences for s in _joined(sentences[lang])]), {}, 0
    for lang in sentences:
        spans[lang] = encoded[offset : offset + max(0, len(sentences[lang]) - 1)]
        offset += len(spans[lang])
    return spans


def span_gains(
    x: str, y: str, vectors: dict, semantic: np.ndarray, spans: dict, config: AlignConfig
) -> dict[tuple[int, int], np.ndarray]:
    """For 1-2, 2-1 and 2-2 beads: the joined sentences' embedding similarity in place of the
    summed sentence similarities (`semantic`, margin-normalised), the way vecalign and
    bertalign score many-to-many beads."""
    single = integral(semantic)
    sides = {1: vectors, 2: spans}
    gains = {}
    for a, b in SPAN_BEADS:
        if len(sides[a][x]) and len(sides[b][y]):
            joined = margin(sides[a][x] @ sides[b][y].T)
            gains[(a, b)] = (
                config.span_weight * config.embedding_weight * (joined - block_sums(single, a, b) / math.sqrt(a * b))
            )
    return gains


def _links_matrix(beads: list[PairBead], n: int, m: int) -> np.ndarray:
    linked = np.zeros((n, m), dtype=bool)
    for bead in beads:
        for i in bead.x:
            linked[i, list(bead.y)] = True
    return linked


def _via_pivot(to_pivot: np.ndarray, pivot_links: np.ndarray) -> np.ndarray:
    """evidence[i, j] = best match of sentence i with any pivot sentence linked to j."""
    evidence = np.full((to_pivot.shape[0], pivot_links.shape[0]), to_pivot.min(initial=0.0))
    for j, linked in enumerate(pivot_links):
        if linked.any():
            evidence[:, j] = to_pivot[:, linked].max(axis=1)
    return evidence


def strength(matrix: np.ndarray) -> float:
    return float(matrix.max(axis=1).mean()) if matrix.size else -math.inf


def _paragraph_ids(paragraphs: dict[str, list[int]] | None, lang: str, config: AlignConfig):
    if not config.paragraphs or not paragraphs or lang not in paragraphs:
        return None
    return np.asarray(paragraphs[lang])


def _title_length(paragraphs: dict[str, list[int]] | None, lang: str) -> int:
    """How many sentences the title has (paragraph 0; the body starts at paragraph 1)."""
    if not paragraphs or lang not in paragraphs:
        return 0
    return sum(1 for number in paragraphs[lang] if number == 0)


def pair_beads(
    langs, matrices, strengths, gains, sentences, paragraphs, config
) -> tuple[dict[tuple[str, str], list[PairBead]], dict[tuple[str, str], np.ndarray]]:
    """Each pair's beads, and the match matrix they were chosen on."""

    def run(x: str, y: str, matrix: np.ndarray, share: float = 1.0) -> list[PairBead]:
        para_x, para_y = (_paragraph_ids(paragraphs, lang, config) for lang in (x, y))
        if para_x is not None and para_y is not None and para_x.max(initial=0) != para_y.max(initial=0):
            para_x = para_y = None  # paragraph counts differ: the hint would mislead
        pair_gains = {bead: share * gain for bead, gain in gains[(x, y)].items()}
        titles = (_title_length(paragraphs, x), _title_length(paragraphs, y))
        return align_pair(
            matrix, lengths(sentences[x]), lengths(sentences[y]), config.pair, para_x, para_y, pair_gains, titles
        )

    pairs = list(combinations(langs, 2))
    if len(langs) < 3 or not config.pivot:
        return {pair: run(*pair, matrices[pair]) for pair in pairs}, matrices
    used = {}
    anchor = max(pairs, key=strengths.__getitem__)
    beads = {anchor: run(*anchor, matrices[anchor])}
    used[anchor] = matrices[anchor]
    p, q = anchor
    third = next(lang for lang in langs if lang not in anchor)
    links_pq = _links_matrix(beads[anchor], len(sentences[p]), len(sentences[q]))
    for near, far, links in ((p, q, links_pq), (q, p, links_pq.T)):
        direct = _oriented(matrices, third, near)
        through = _via_pivot(_oriented(matrices, third, far), links)
        combined = (direct + through) / 2
        pair = (third, near) if (third, near) in matrices else (near, third)
        # The direct evidence is half of the combined matrix, and so half of its span correction.
        used[pair] = combined if pair[0] == third else combined.T
        beads[pair] = run(*pair, used[pair], share=0.5)
    return beads, used


def _oriented(matrices: dict, x: str, y: str) -> np.ndarray:
    return matrices[(x, y)] if (x, y) in matrices else matrices[(y, x)].T
