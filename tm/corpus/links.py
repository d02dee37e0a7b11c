"""How likely two pages in different languages are one release: the link score and its candidates.

Candidates are pages in another language at most `MAX_DAYS_APART` days away when both are
dated (all pages otherwise); each pair gets a logistic score from the similarity of title and
opening (the encoder), the names and numbers both mention (transliterated, weighted by how rare
they are in the folder), the length ratio and the date gap.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from tm.corpus.model import Document
from tm.corpus.pages import Page
from tm.langs import CODES, transliterate

# Sites republish a release a day or two after the ministry: pages further apart are not compared.
MAX_DAYS_APART = 3
# The score two pages need to be linked, and the lower one that suffices when each is the other's
# best match; groups join when every pair across them scores AGREE_FLOOR and they average
# MUTUAL_THRESHOLD (README: how these were chosen, and what they give).
THRESHOLD = 0.5
MUTUAL_THRESHOLD = 0.1
AGREE_FLOOR = 0.05
# Candidates kept per page and other language: the best few by score.
CANDIDATES = 5
_ANCHOR_DIM = 2048
_OPENING_CHARS = 300
_NUMBER = re.compile(r"\d+")
_NAME = re.compile(r"\b[A-ZА-ЯЁÄÖÜÇŞŇÝŽ][\w'-]{3,}")
_VOWELS = re.compile("[aeiouy]")

Encode = Callable[[list[str]], np.ndarray]


def _anchors(text: str) -> list[str]:
    """Numbers, and names as a consonant skeleton of their transliteration (first letter and the
    next three consonants), so that inflected and differently spelt forms meet: Мередовым,
    Meredowyň and Meredov are all `mrdw`; Таджикистан, Täjigistan and Tajikistan `tzhk`."""
    numbers = [f"#{int(n)}" for n in _NUMBER.findall(text)]
    names = []
    for name in _NAME.findall(text):
        word = transliterate(name).split()[0].replace("dzh", "zh").replace("g", "k")
        names.append((word[0] + _VOWELS.sub("", word[1:]))[:4])
    return numbers + names


def _hashed(tokens: list[str], idf: dict[str, float]) -> np.ndarray:
    row = np.zeros(_ANCHOR_DIM, dtype=np.float32)
    for token, count in Counter(tokens).items():
        row[_hash_token(token)] += (1 + math.log(count)) * idf.get(token, 0.0)
    norm = np.linalg.norm(row)
    return row / norm if norm else row


def _hash_token(token: str) -> int:
    """The anchor's column: a stable hash (Python's own `hash` of a str changes per process)."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "little") % _ANCHOR_DIM


@dataclass
class _Features:
    """What the score compares, one row per page of one language."""

    pages: list[Page]
    opening: np.ndarray  # encoder vectors of title + opening, unit length
    anchors: np.ndarray  # tf-idf of names and numbers, hashed, unit length
    length: np.ndarray
    day: np.ndarray  # days since 0001-01-01, or -1 when undated


def _features(pages: list[Page], encode: Encode, idf: dict[str, float], anchors: dict[str, list[str]]) -> _Features:
    openings = [" ".join(filter(None, [p.document.title, *p.document.paragraphs]))[:_OPENING_CHARS] for p in pages]
    vectors = encode(openings) if pages else np.zeros((0, 1), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return _Features(
        pages,
        vectors / np.where(norms == 0, 1, norms),
        np.stack([_hashed(anchors[p.path], idf) for p in pages]) if pages else np.zeros((0, _ANCHOR_DIM)),
        np.array([len(p.document.text) for p in pages], dtype=np.float32),
        np.array([p.date.toordinal() if p.date else -1 for p in pages]),
    )


# Weights of the logistic score (README: how they were chosen and what they give).
WEIGHTS = {"bias": -5.0, "opening": 5.0, "names_numbers": 7.0, "length": 1.5, "days": -0.3}


def score_pairs(opening: np.ndarray, anchors: np.ndarray, length: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The link score in [0, 1] from the four signals (arrays of one shape): opening similarity,
    shared names and numbers, length ratio (shorter / longer), days apart (-1: unknown, counted as 1)."""
    w = WEIGHTS
    z = (
        w["bias"]
        + w["opening"] * opening
        + w["names_numbers"] * anchors
        + w["length"] * length
        + w["days"] * np.where(days < 0, 1, days)
    )
    return 1.0 / (1.0 + np.exp(-z))


def _candidates(x: _Features, y: _Features) -> Iterator[tuple[int, int, dict]]:
    """(row in x, row in y, evidence) for the best few pages of y for each page of x."""
    order = np.argsort(y.day, kind="stable")
    sorted_days = y.day[order]
    undated_y = order[sorted_days < 0]
    for i in range(len(x.pages)):
        if x.day[i] < 0:
            rows = np.arange(len(y.pages))
        else:
            low, high = np.searchsorted(sorted_days, [x.day[i] - MAX_DAYS_APART, x.day[i] + MAX_DAYS_APART + 1])
            rows = np.concatenate([undated_y, order[low:high]])
        if not len(rows):
            continue
        opening = y.opening[rows] @ x.opening[i]
        anchors = y.anchors[rows] @ x.anchors[i]
        length = np.minimum(y.length[rows], x.length[i]) / np.maximum(np.maximum(y.length[rows], x.length[i]), 1)
        days = np.where((y.day[rows] < 0) | (x.day[i] < 0), -1, np.abs(y.day[rows] - x.day[i]))
        scores = score_pairs(opening, anchors, length, days)
        for k in np.argsort(-scores)[:CANDIDATES]:
            evidence = {
                "score": round(float(scores[k]), 3),
                "opening_similarity": round(float(opening[k]), 3),
                "names_numbers": round(float(anchors[k]), 3),
                "length_ratio": round(float(length[k]), 3),
                "days_apart": None if days[k] < 0 else int(days[k]),
            }
            yield i, int(rows[k]), evidence


def candidate_links(pages: dict[str, Page], encode: Encode) -> dict[frozenset[str], dict]:
    """Scored candidate links between pages of different languages, by pair of paths."""
    anchors = {path: _anchors(page.document.text) for path, page in pages.items()}
    frequency = Counter(token for tokens in anchors.values() for token in set(tokens))
    idf = {token: math.log((1 + len(pages)) / (1 + count)) for token, count in frequency.items()}
    by_lang = {lang: _features([p for p in pages.values() if p.lang == lang], encode, idf, anchors) for lang in CODES}
    links: dict[frozenset[str], dict] = {}
    best: dict[tuple[str, str], str] = {}  # (page, other language) -> its best page there
    for a, b in [("tk", "ru"), ("tk", "en"), ("ru", "en")]:
        for x, y in [(by_lang[a], by_lang[b]), (by_lang[b], by_lang[a])]:
            for i, j, evidence in _candidates(x, y):
                links[frozenset((x.pages[i].path, y.pages[j].path))] = evidence
                best.setdefault((x.pages[i].path, y.pages[j].lang), y.pages[j].path)
    for pair, evidence in links.items():
        p, q = sorted(pair)
        evidence["mutual_best"] = best[(p, pages[q].lang)] == q and best[(q, pages[p].lang)] == p
    return links


def linked(evidence: dict | None) -> bool:
    """Whether a candidate pair is good enough to be one release: a score at THRESHOLD, or each
    page the other's best match in its language with a score at MUTUAL_THRESHOLD (a Turkmen page
    scores lower against its true counterpart, as the encoder knows no Turkmen, but still best)."""
    if evidence is None:
        return False
    return evidence["score"] >= THRESHOLD or (evidence["mutual_best"] and evidence["score"] >= MUTUAL_THRESHOLD)


def version_similarity(first: Document, second: Document, encode: Encode) -> dict:
    """The link score and signals of two versions said to be one release, with no folder to learn
    how rare each name and number is (all count the same) and their dates left out (the build
    reports dates apart on its own): the content half of the "same release?" check."""
    pages = [Page(str(number), document, None, None) for number, document in enumerate((first, second))]
    anchors = {page.path: _anchors(page.document.text) for page in pages}
    idf = dict.fromkeys({token for tokens in anchors.values() for token in tokens}, 1.0)
    first_features, second_features = (_features([page], encode, idf, anchors) for page in pages)
    return next(evidence for _, _, evidence in _candidates(first_features, second_features))
