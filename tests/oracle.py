"""Lookup the slow, obvious way, for tests to hold `tm.lookup.lookup` to: score every unit of the pair."""

import heapq

from tm.lookup import Filters, Match
from tm.lookup.fuzzy import as_match, finished, rank
from tm.store import StoredUnit, TranslationMemory


def reference_lookup(
    tm: TranslationMemory,
    query: str,
    source: str,
    target: str,
    threshold: int = 50,
    top: int = 5,
    filters: Filters | None = None,
) -> list[Match]:
    found: dict[tuple[str, str], list[StoredUnit]] = {}
    for unit in tm.units((source, target)):
        if not filters or filters.accepts(unit):
            found.setdefault((unit.texts[source], unit.texts[target]), []).append(unit)
    matches = (as_match(query, units, source, target) for units in found.values())
    passing = [m for m in matches if m.percent - m.penalty >= threshold]
    return [finished(query, match, target) for match in heapq.nlargest(top, passing, key=rank)]
