"""Match % as translators know it, and the normalised tokens that retrieval works on.

    match = 100 * (1 - (word_edits + 0.2 * minor_edits) / max(query_words, stored_words))

`word_edits` is the Levenshtein distance over normalised word tokens: case-folded,
punctuation dropped, and every token that starts with a digit ("2024", "30-njy",
"12.5") counted as the same token, so a segment that differs only in its numbers
stays a high match. `minor_edits` counts the tokens that differ only in case,
punctuation or number value, each costing a fifth of a word. 100% is kept for an
identical segment; anything else is capped at 99%.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

MINOR_COST = 0.2
NUMBER = "<num>"
_TOKEN = re.compile(r"\w+(?:[-'’.,]\w+)*|[^\w\s]")
_WORD = re.compile(r"\w")


def tokens(text: str) -> list[str]:
    """Surface tokens: words (with inner hyphens, apostrophes and number separators) and punctuation."""
    return _TOKEN.findall(text)


def words(text: str) -> list[str]:
    """Normalised word tokens: case-folded, punctuation dropped, numbers as one shared token."""
    return [NUMBER if t[0].isdigit() else t.casefold() for t in tokens(text) if _WORD.match(t)]


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
