"""Fuzzy lookup: "what did we translate that looks like this sentence?"

Match % is a word-level edit distance, as CAT tools compute it:

    match = 100 * (1 - (word_edits + 0.2 * minor_edits) / max(query_words, stored_words))

`word_edits` is the Levenshtein distance over case-folded word tokens (punctuation
dropped); `minor_edits` counts tokens that differ only in case or punctuation, each
costing a fifth of a word. 100% is kept for an identical segment; anything else is
capped at 99%. Units aligned with low confidence lose up to 10 points, shown as a
penalty, the way memoQ and Trados mark aligned material.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from tm.errors import TmError
from tm.store import StoredUnit, TranslationMemory

MINOR_COST = 0.2
MAX_QUERY_CHARS = 2000
CONFIDENCE_PENALTY = 10.0
_TOKEN = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Match:
    percent: int
    penalty: float
    source: str
    target: str
    diff: str
    unit: StoredUnit


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def words(text: str) -> list[str]:
    return [t.casefold() for t in tokens(text) if _WORD.match(t)]


def match_percent(query: str, stored: str) -> int:
    """The match % of `stored` for `query` (see the module docstring for the rule)."""
    if query == stored:
        return 100
    query_words, stored_words = words(query), words(stored)
    longest = max(len(query_words), len(stored_words))
    if longest == 0:
        return 0
    word_edits = Levenshtein.distance(query_words, stored_words)
    minor = max(0, Levenshtein.distance(tokens(query), tokens(stored)) - word_edits)
    percent = 100 * (1 - (word_edits + MINOR_COST * minor) / longest)
    return max(0, min(99, int(percent)))


def word_diff(query: str, stored: str) -> str:
    """Stored source with [-removed-] and {+added+} words relative to the query."""
    a, b = tokens(query), tokens(stored)
    out = []
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(a, b):
        if tag == "equal":
            out.extend(b[j1:j2])
        if tag in ("delete", "replace"):
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if tag in ("insert", "replace"):
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


class Index:
    """Word postings over the source side of a TM's units, for candidate retrieval.

    A unit can reach the threshold only if it shares enough words with the query, so
    only units sharing at least one of the query's words are scored.
    """

    def __init__(self, units: list[StoredUnit], source: str) -> None:
        self.units, self.source = units, source
        self.postings: dict[str, list[int]] = defaultdict(list)
        for number, unit in enumerate(units):
            for word in set(words(unit.texts[source])):
                self.postings[word].append(number)

    def candidates(self, query: str, limit: int = 500) -> list[int]:
        shared: dict[int, int] = defaultdict(int)
        for word in set(words(query)):
            for number in self.postings.get(word, ()):
                shared[number] += 1
        return sorted(shared, key=shared.__getitem__, reverse=True)[:limit]


def _check_query(query: str) -> None:
    if not query.strip():
        raise TmError("empty query")
    if len(query) > MAX_QUERY_CHARS:
        raise TmError(f"query too long ({len(query)} characters; at most {MAX_QUERY_CHARS})")


def rank(query: str, units: list[StoredUnit], source: str, target: str,
         threshold: int = 50, top: int = 5) -> list[Match]:
    """Score `units` against `query`; best first, ties by confidence then recency."""
    matches = []
    for unit in units:
        stored = unit.texts[source]
        percent = match_percent(query, stored)
        penalty = round(CONFIDENCE_PENALTY * (1 - unit.confidence), 1) if unit.confidence < 0.9 else 0.0
        if percent - penalty >= threshold:
            matches.append(Match(percent, penalty, stored, unit.texts[target], word_diff(query, stored), unit))
    matches.sort(key=lambda m: (m.percent - m.penalty, m.unit.confidence, m.unit.date or ""), reverse=True)
    return matches[:top]


def lookup(tm: TranslationMemory, query: str, source: str, target: str,
           threshold: int = 50, top: int = 5, collections: list[str] | None = None) -> list[Match]:
    """Best TM matches for `query` (in `source`) with their `target` translations."""
    _check_query(query)
    units = list(tm.units((source, target), collections=collections))
    index = Index(units, source)
    return rank(query, [units[i] for i in index.candidates(query)], source, target, threshold, top)
