"""Match % as translators know it, and the normalised tokens that retrieval works on.

    match = 100 * (1 - (word_edits + 0.2 * minor_edits) / max(query_words, stored_words))

`word_edits` is the Levenshtein distance over normalised word tokens: case-folded,
punctuation dropped, and every token that starts with a digit ("2024", "30-njy",
"12.5") counted as the same token, so a segment that differs only in its numbers
stays a high match. `minor_edits` counts the tokens that differ only in punctuation or
number value, each costing a fifth of a word, plus one for any difference in case however
many words it touches: an ALL-CAPS headline and the same headline in sentence case differ by
one minor edit, not one per word. 100% is kept for an identical segment; anything else is
capped at 99%.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

MINOR_COST = 0.2
NUMBER = "<num>"
_TOKEN = re.compile(r"\w+(?:[-'’.,]\w+)*|[^\w\s]")
WORD = re.compile(r"\w")  # a token that starts like this is a word (or a number), not punctuation


def tokens(text: str) -> list[str]:
    """Surface tokens: words (with inner hyphens, apostrophes and number separators) and punctuation."""
    return _TOKEN.findall(text)


def words(text: str) -> list[str]:
    """Normalised word tokens: case-folded, punctuation dropped, numbers as one shared token."""
    return _words(tokens(text))


def _words(surface: list[str]) -> list[str]:
    return [NUMBER if t[0].isdigit() else t.casefold() for t in surface if WORD.match(t)]


def match_percent(query: str, stored: str) -> int:
    """The match % of `stored` for `query` (see the module docstring for the rule)."""
    if query == stored:
        return 100
    query_tokens, stored_tokens = tokens(query), tokens(stored)
    query_words, stored_words = _words(query_tokens), _words(stored_tokens)
    longest = max(len(query_words), len(stored_words))
    if longest == 0:
        return 0
    word_edits = Levenshtein.distance(query_words, stored_words)
    folded_edits = Levenshtein.distance(_folded(query_tokens), _folded(stored_tokens))
    # Case costs one minor edit in all: the surface tokens are further apart than the folded ones.
    case = Levenshtein.distance(query_tokens, stored_tokens) > folded_edits
    minor = max(0, folded_edits - word_edits) + case
    percent = 100 * (1 - (word_edits + MINOR_COST * minor) / longest)
    return max(0, min(99, int(percent)))


def _folded(surface: list[str]) -> list[str]:
    return [t.casefold() for t in surface]


def word_diff(query: str, stored: str) -> str:
    """What changed from the TM's source to the new sentence, as CAT tools show a fuzzy match
    (OmegaT, memoQ, Trados): [-words-] only the TM's source has, {+words+} only the new sentence
    has, the others as stored (case aside: a word only in another case is not a change)."""
    marks = {"same": "{}", "removed": "[-{}-]", "added": "{{+{}+}}"}
    return " ".join(marks[kind].format(text) for kind, text in diff_parts(query, stored))


def diff_parts(query: str, stored: str) -> list[tuple[str, str]]:
    """The word diff from the stored source to the query as (kind, words): "same", "removed"
    (in the stored source only) or "added" (in the query only), for a page to colour."""
    a, b = tokens(stored), tokens(query)
    out = []
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(_folded(a), _folded(b)):
        if tag == "equal":
            out.extend(("same", word) for word in a[i1:i2])
        if tag in ("delete", "replace"):
            out.append(("removed", " ".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("added", " ".join(b[j1:j2])))
    return out
