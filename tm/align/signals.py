"""Sentence-level evidence that two sentences translate each other, as n x m matrices."""

from __future__ import annotations

import re

import numpy as np

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEIGHBOURS = 4


def margin(similarity: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
    """Similarity minus the mean of each side's k best neighbours (LASER-style margin).

    A pair counts as strong only when it stands out from what each sentence scores
    against everything else, which removes the encoder's bias toward long or generic
    sentences.
    """
    n, m = similarity.shape
    if n == 0 or m == 0:
        return similarity.copy()
    row_k, col_k = min(k, m), min(k, n)
    row_best = -np.sort(-similarity, axis=1)[:, :row_k].mean(axis=1)
    col_best = -np.sort(-similarity, axis=0)[:col_k, :].mean(axis=0)
    return similarity - 0.5 * (row_best[:, None] + col_best[None, :])


def numbers(sentence: str) -> frozenset[str]:
    """Numbers as written in any of the languages: "1,4" and "1.4" agree, "07" is "7"."""
    found = set()
    for raw in _NUMBER.findall(sentence):
        value = raw.replace(",", ".")
        head, _, tail = value.partition(".")
        found.add((head.lstrip("0") or "0") + ("." + tail if tail else ""))
    return frozenset(found)


def number_agreement(xs: list[str], ys: list[str]) -> np.ndarray:
    """+1 when two sentences share all their numbers, towards -1 when they disagree, 0 when neither has any."""
    x_sets, y_sets = [numbers(s) for s in xs], [numbers(s) for s in ys]
    vocabulary = {v: i for i, v in enumerate(sorted(set().union(*x_sets, *y_sets)))}
    if not vocabulary:
        return np.zeros((len(xs), len(ys)), dtype=np.float32)

    def one_hot(sets: list[frozenset[str]]) -> np.ndarray:
        matrix = np.zeros((len(sets), len(vocabulary)), dtype=np.float32)
        for row, values in enumerate(sets):
            matrix[row, [vocabulary[v] for v in values]] = 1.0
        return matrix

    x_hot, y_hot = one_hot(x_sets), one_hot(y_sets)
    shared = x_hot @ y_hot.T
    total = x_hot.sum(1)[:, None] + y_hot.sum(1)[None, :]
    agreement = np.where(total > 0, 2 * shared / np.maximum(total, 1), 0.0)
    # Shared numbers are strong evidence; numbers on both sides with none shared are a conflict.
    both = (x_hot.sum(1)[:, None] > 0) & (y_hot.sum(1)[None, :] > 0)
    return np.where(both, 2 * agreement - 1, np.where(total > 0, -0.25, 0.0)).astype(np.float32)


def lengths(sentences: list[str]) -> np.ndarray:
    return np.array([max(1, len(s)) for s in sentences], dtype=np.float64)
