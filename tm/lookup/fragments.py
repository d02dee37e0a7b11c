"""The longest pieces of a sentence that the TM holds, for a sentence no unit matches whole
(memoQ's longest-substring concordance): each piece with a unit that holds it and its translation.

From each word on, the run of words is grown while a unit holds it word for word (case aside);
the longest run found there is a piece and the next search starts after it, so pieces do not
overlap; the longest few are kept. The number of concordance searches is bounded
(`MAX_SEARCHES`), so a long sentence costs no more than a few lookups.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tm.lookup import Match, concordance
from tm.lookup.filters import Filters
from tm.lookup.score import tokens
from tm.store import TranslationMemory

MIN_WORDS = 2
MAX_PIECES = 3
MAX_SEARCHES = 40
CANDIDATES = 5  # units a search reads for one holding the piece word for word (the concordance matches stems)
_SHORTEST_CONTENT_WORD = 4  # a piece of only short words (of the, в и) says nothing


@dataclass(frozen=True)
class Fragment:
    """A piece of the sentence, as written there, and a unit of the TM that holds it."""

    piece: str
    match: Match


def fragments(
    tm: TranslationMemory, sentence: str, source: str, target: str, filters: Filters | None = None
) -> list[Fragment]:
    """The longest pieces of `sentence` the TM holds (at most MAX_PIECES), in their order in it."""
    words = [word for word in tokens(sentence) if word[0].isalnum()]
    found: list[tuple[int, int, Fragment]] = []
    budget = [MAX_SEARCHES]
    start = 0
    while start <= len(words) - MIN_WORDS and budget[0] > 0:
        end, held = _longest_from(tm, words, start, (source, target), filters, budget)
        if held is None:
            start += 1
            continue
        found.append((end - start, start, Fragment(" ".join(words[start:end]), held)))
        start = end
    longest = sorted(found, key=lambda item: (-item[0], item[1]))[:MAX_PIECES]
    return [fragment for _, _, fragment in sorted(longest, key=lambda item: item[1])]


def _longest_from(
    tm: TranslationMemory, words: list[str], start: int, langs: tuple[str, str], filters, budget: list[int]
) -> tuple[int, Match | None]:
    """The end of the longest run of words from `start` that a unit holds, and that unit; each
    search spends one of `budget`."""
    best: tuple[int, Match | None] = (start, None)
    for end in range(start + MIN_WORDS, len(words) + 1):
        piece = words[start:end]
        if not any(len(word) >= _SHORTEST_CONTENT_WORD for word in piece):
            continue
        if budget[0] <= 0:
            break
        budget[0] -= 1
        exact = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, piece)) + r"(?!\w)", re.IGNORECASE)
        held = [m for m in concordance(tm, " ".join(piece), *langs, CANDIDATES, filters) if exact.search(m.source)]
        if not held:
            break
        best = (end, held[0])
    return best
