"""Fuzzy lookup: "what did we translate that looks like this sentence?"

`lookup` returns CAT-tool matches (match % by `tm.lookup.score`, word diff, provenance,
flags, numbers carried over by `tm.lookup.numbers`); `concordance` finds a word or
phrase in context; `semantic_lookup` finds units that mean the same through the
encoder when no fuzzy match reaches the threshold. Retrieval runs on a `FuzzyIndex`
per language pair, saved next to the TM file and rebuilt when the TM has changed.
Units aligned with low confidence lose up to 10 points, shown as a penalty, the way
memoQ and Trados mark aligned material.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

from tm.errors import TmError
from tm.langs import LANGUAGES
from tm.lookup.checks import check_collections, check_options, check_query, query_problem
from tm.lookup.concordance import concordance, concordance_elsewhere
from tm.lookup.filters import Filters
from tm.lookup.fuzzy import Match, Matches, finished, ranked_matches
from tm.lookup.numbers import patch_numbers
from tm.lookup.score import match_percent, tokens, word_diff, words
from tm.lookup.semantic import semantic_lookup
from tm.lookup.views import index_for, saved_index_problems
from tm.store import StoredUnit, TranslationMemory

__all__ = [
    "Filters",
    "Match",
    "Matches",
    "bridged_lookup",
    "concordance",
    "concordance_elsewhere",
    "context",
    "index_for",
    "lookup",
    "match_percent",
    "query_problem",
    "reviewable_unit",
    "saved_index_problems",
    "semantic_lookup",
    "tokens",
    "word_diff",
    "words",
]


# Seconds a lookup may run before it returns the best found so far, marked incomplete.
BUDGET = 2.0


def lookup(
    tm: TranslationMemory,
    query: str,
    source: str,
    target: str,
    threshold: int = 50,
    top: int = 5,
    filters: Filters | None = None,
    budget: float | None = BUDGET,
) -> Matches:
    """Best TM matches for `query` (in `source`) with their `target` translations.

    Ranked by match % less the confidence penalty, then reviewed units first, alignment
    confidence, recency (`tm.lookup.fuzzy.rank`): the same list as scoring every unit of the TM,
    found by scoring candidates in the order of bounds of that score (`tm.lookup.fuzzy`). After
    `budget` seconds (None: no limit) the best found so far is returned, marked incomplete."""
    check_query(query, source)
    check_options(source, target, threshold, top)
    check_collections(tm, filters)
    layers = index_for(tm, source, target).layers
    found = ranked_matches(tm, layers, query, (source, target), threshold, top, filters, budget)
    found[:] = [finished(query, match, target) for match in found]
    return found


def bridged_lookup(
    tm: TranslationMemory,
    query: str,
    source: str,
    target: str,
    threshold: int = 50,
    top: int = 5,
    filters: Filters | None = None,
    budget: float | None = BUDGET,
) -> Matches:
    """`lookup`, plus matches reached through the third language: the query matches a unit of
    source and pivot, whose pivot text is stored, identical, in a unit of pivot and target
    elsewhere in the TM. Such a match is marked `via` the pivot and ranks below a direct match of
    the same percentage; a translation the direct matches already give is not repeated. The
    lookups share one time budget; the result is complete only if each of them was."""
    deadline = None if budget is None else time.monotonic() + budget
    lookups: list[Matches] = []

    def find(text: str, langs: tuple[str, str], at_least: int, count: int) -> Matches:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        lookups.append(lookup(tm, text, *langs, at_least, count, filters, left))
        return lookups[-1]

    direct = find(query, (source, target), threshold, top)
    given = {match.target for match in direct}
    # A bridged match ranks no higher than its first leg: once `top` direct matches are found,
    # only legs that reach the last of them can enter.
    floor = max(threshold, math.floor(direct[-1].percent - direct[-1].penalty)) if len(direct) == top else threshold
    bridged = []
    for pivot in (lang for lang in LANGUAGES if lang not in (source, target)):
        for leg in find(query, (source, pivot), floor, top):
            for onward in find(leg.unit.texts[pivot], (pivot, target), 100, 1):
                patched, flags = patch_numbers(query, leg.source, onward.unit.texts[target], target)
                if onward.percent < 100 or patched in given:
                    continue
                given.add(patched)
                penalty = max(leg.penalty, onward.penalty)
                flags = [f"via {pivot}: {leg.unit.texts[pivot]}", *flags]
                bridged.append(replace(leg, penalty=penalty, target=patched, unit=onward.unit, flags=flags, via=pivot))
    ranked = sorted(
        direct + bridged,
        key=lambda m: (m.percent - m.penalty, m.unit.reviewer is not None, m.via is None),
        reverse=True,
    )
    result = Matches(m for m in ranked if m.percent - m.penalty >= threshold)
    del result[top:]
    result.complete = all(found.complete for found in lookups)
    return result


def reviewable_unit(tm: TranslationMemory, match: Match) -> int | None:
    """The id `tm unit`, the unit page and /api/units take for this match's unit: a lookup finds
    pairwise units, a reviewer corrects the unit of all three languages that holds the pair's
    sentences. None when the pair covers only part of one (correct it from the release page)."""
    record = tm.tri_unit_of_pair(match.unit.id) if match.unit.id else None
    return record.id if record else None


def context(tm: TranslationMemory, unit: StoredUnit, source: str, target: str, around: int) -> list[StoredUnit]:
    """The pairwise units of `unit`'s release from `around` before it to `around` after it, itself
    included, in document order: a match with its release around it."""
    units = list(tm.units((source, target), releases=[unit.release]))
    at = next((n for n, candidate in enumerate(units) if candidate.id == unit.id), None)
    if at is None:  # a write since the lookup replaced the release
        raise TmError(f"unit {unit.id} of {unit.collection}/{unit.release_id} is no longer in the TM; look it up again")
    return units[max(0, at - around) : at + around + 1]
