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

import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tm.corpus.detect import wrong_script
from tm.embed import Encoder
from tm.errors import TmError
from tm.langs import LANGUAGES
from tm.lookup.index import Filters, FuzzyIndex, build_index, load_index
from tm.lookup.numbers import patch_numbers
from tm.lookup.score import match_percent, tokens, word_diff, words
from tm.store import StoredUnit, TranslationMemory

__all__ = [
    "Filters",
    "Match",
    "concordance",
    "index_for",
    "lookup",
    "match_percent",
    "semantic_lookup",
    "tokens",
    "word_diff",
    "words",
]

MAX_QUERY_CHARS = 2000
CONFIDENCE_PENALTY = 10.0
_CANDIDATES_PER_MATCH = 4
_loaded: weakref.WeakKeyDictionary[TranslationMemory, dict] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Match:
    percent: int
    penalty: float
    source: str
    target: str
    diff: str
    unit: StoredUnit
    flags: list[str] = field(default_factory=list)
    also_in: list[StoredUnit] = field(default_factory=list)
    kind: str = "fuzzy"


def index_for(tm: TranslationMemory, source: str, target: str) -> FuzzyIndex:
    """The index over `source` for the pair, loaded from disk or built (and saved) when stale."""
    generation = tm.generation()
    cached = _loaded.setdefault(tm, {}).get((source, target))
    if cached and cached[0] == generation:
        return cached[1]
    path = Path(f"{tm.path}.index") / f"{source}-{target}.npz" if tm.path != ":memory:" else None
    index = load_index(path, generation) if path else None
    if index is None:
        index = build_index(tm.units((source, target)), source, target)
        if path:
            index.save(path, generation)
    _loaded[tm][(source, target)] = (generation, index)
    return index


def _check_query(query: str, source: str) -> None:
    if not query.strip():
        raise TmError("empty query")
    if len(query) > MAX_QUERY_CHARS:
        raise TmError(f"query too long ({len(query)} characters; at most {MAX_QUERY_CHARS})")
    script = wrong_script(query, source)
    if script:
        raise TmError(f"the query is written in {script} letters, not in {LANGUAGES[source].name}")


def _penalty(unit: StoredUnit) -> float:
    return round(CONFIDENCE_PENALTY * (1 - unit.confidence), 1) if unit.confidence < 0.9 else 0.0


def _provenance(
    tm: TranslationMemory, index: FuzzyIndex, entries: list[int], source: str, target: str, filters: Filters | None
) -> dict[int, list[StoredUnit]]:
    """Each entry's units that pass the filters, best first."""
    units = tm.units_by_id((source, target), [u for entry in entries for u in index.units_of(entry)])
    keep = filters.accepts if filters else lambda _unit: True
    return {entry: _best_first([units[u] for u in index.units_of(entry) if keep(units[u])]) for entry in entries}


def _best_first(units: list[StoredUnit]) -> list[StoredUnit]:
    return sorted(units, key=lambda u: (u.confidence, u.date or ""), reverse=True)


def _match(query: str, units: list[StoredUnit], source: str, target: str) -> Match:
    best, *others = units
    stored = best.texts[source]
    patched, flags = patch_numbers(query, stored, best.texts[target])
    return Match(
        match_percent(query, stored), _penalty(best), stored, patched, word_diff(query, stored), best, flags, others
    )


def lookup(
    tm: TranslationMemory,
    query: str,
    source: str,
    target: str,
    threshold: int = 50,
    top: int = 5,
    filters: Filters | None = None,
) -> list[Match]:
    """Best TM matches for `query` (in `source`) with their `target` translations.

    Ranked by match % less the confidence penalty, then alignment confidence, then recency.
    """
    _check_query(query, source)
    index = index_for(tm, source, target)
    found = index.search(query, threshold, max(top * _CANDIDATES_PER_MATCH, 20), filters)
    units = _provenance(tm, index, [entry for entry, _ in found], source, target, filters)
    matches = [_match(query, units[entry], source, target) for entry, _ in found]
    matches = [m for m in matches if m.percent - m.penalty >= threshold]
    matches.sort(key=lambda m: (m.percent - m.penalty, m.unit.confidence, m.unit.date or ""), reverse=True)
    return matches[:top]


def _stem(word: str) -> str:
    """Enough of an inflected word to find its other forms: drop up to 2 final letters of a long word."""
    return word[: max(4, len(word) - 2)] if len(word) > 4 else word


def concordance(
    tm: TranslationMemory, phrase: str, source: str, target: str, top: int = 20, filters: Filters | None = None
) -> list[Match]:
    """Units whose `source` side holds `phrase`, each word matched by its stem as a prefix,
    so "переговоры" finds "переговорах" and "gepleşik" finds "gepleşiklerde"."""
    _check_query(phrase, source)
    stems = [_stem(t.casefold()) for t in tokens(phrase) if t[0].isalnum()]
    index = index_for(tm, source, target)
    entries = index.containing(stems, filters)
    pattern = re.compile(r"\b" + r"\w*\W+".join(map(re.escape, stems)) + r"\w*", re.IGNORECASE)
    matches: list[Match] = []
    for start in range(0, len(entries), top):
        chunk = entries[start : start + top]
        units = _provenance(tm, index, chunk, source, target, filters)
        for entry in chunk:
            best, *others = units[entry]
            text = best.texts[source]
            if pattern.search(text) and len(matches) < top:
                marked = pattern.sub(lambda m: f"[{m.group(0)}]", text)
                matches.append(
                    Match(0, _penalty(best), text, best.texts[target], marked, best, [], others, "concordance")
                )
        if len(matches) == top:
            break
    return matches


def semantic_lookup(
    tm: TranslationMemory, query: str, source: str, target: str, encoder: Encoder, top: int = 5
) -> list[Match]:
    """Units whose `source` side means what `query` says, by cosine similarity of the encoder's
    embeddings (percent = similarity * 100, marked `semantic`); for when fuzzy lookup finds nothing.
    Every entry is encoded, so give a cached encoder (`tm.embed.CachedEncoder`) for a large TM."""
    _check_query(query, source)
    index = index_for(tm, source, target)
    units = _provenance(tm, index, list(range(len(index))), source, target, None)
    if not units:
        return []
    best = [entry_units[0] for entry_units in units.values()]
    scores = encoder.encode([u.texts[source] for u in best]) @ encoder.encode([query])[0]
    return [
        Match(
            round(100 * max(0.0, float(scores[i]))),
            0.0,
            best[i].texts[source],
            best[i].texts[target],
            "",
            best[i],
            [],
            [],
            "semantic",
        )
        for i in np.argsort(-scores)[:top]
    ]
