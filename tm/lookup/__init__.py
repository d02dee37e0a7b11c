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

import fcntl
import math
import os
import re
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import numpy as np

from tm.corpus.detect import wrong_script
from tm.embed import Encoder
from tm.errors import TmError
from tm.langs import CODES, LANGUAGES, russian_lemmas
from tm.lookup.fuzzy import Match, Matches, best_first, finished, penalty, ranked_matches
from tm.lookup.index import Filters, FuzzyIndex, PairIndex, build_index, load_index
from tm.lookup.numbers import patch_numbers
from tm.lookup.score import match_percent, tokens, word_diff, words
from tm.store import StoredUnit, TranslationMemory, batched

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

MAX_QUERY_CHARS = 2000
# Below this cosine a "same meaning" offer is noise (unrelated sentences reach 0.1-0.3).
SEMANTIC_MIN = 0.5
# Seconds a lookup may run before it returns the best found so far, marked incomplete.
BUDGET = 2.0
# Entries of the releases stored since the saved index was built that are indexed on the side
# before the saved index is rebuilt.
DELTA_LIMIT = 20_000
_loaded: weakref.WeakKeyDictionary[TranslationMemory, dict] = weakref.WeakKeyDictionary()
_updating: weakref.WeakKeyDictionary[TranslationMemory, threading.Lock] = weakref.WeakKeyDictionary()


def index_for(tm: TranslationMemory, source: str, target: str) -> PairIndex:
    """The index over `source` for the pair, current with the TM.

    The saved index (memory-mapped from `TM.index/`) is brought up to date by leaving out the
    releases removed since it was built and indexing the releases stored since on the side; once
    those pass DELTA_LIMIT units, one process rebuilds and saves it while the others wait."""
    stamp = (tm.identity(), tm.generation())
    views = _loaded.setdefault(tm, {})
    view = views.get((source, target))
    if view is None or view.stamp != stamp:
        # One thread brings the view up to date while the others of this TM object wait for it,
        # rather than each doing the same work (a server's request threads after a write).
        # One snapshot for the stamp and everything read to reach it: a write that commits
        # meanwhile is seen by the next view, not half by this one (or a release twice).
        with _updating.setdefault(tm, threading.Lock()), tm.snapshot():
            stamp = (tm.identity(), tm.generation())
            view = views.get((source, target))
            if view is None or view.stamp != stamp:
                view = views[(source, target)] = _current_view(tm, source, target, stamp, view)
    return view


def _current_view(
    tm: TranslationMemory, source: str, target: str, stamp: tuple[str, int], previous: PairIndex | None
) -> PairIndex:
    if tm.path == ":memory:":
        return PairIndex([build_index(tm.units((source, target)), source, target)], stamp, stamp[1])
    extended = previous and previous.stamp[0] == stamp[0] and _extended(tm, source, target, previous, stamp)
    if extended:
        return extended
    path = _index_folder(tm) / f"{source}-{target}.idx"
    saved = _saved(previous, stamp) or load_index(path, stamp[0])
    view = saved and _caught_up(tm, source, target, *saved, stamp)
    if view is None:
        try:
            view = _rebuilt(tm, source, target, path, stamp)
        except OSError:  # no index can be saved beside this TM (a read-only folder): keep one in memory
            generation = tm.generation()
            view = _caught_up(
                tm, source, target, build_index(tm.units((source, target)), source, target), generation, stamp
            )
    return view


def _rebuilt(tm: TranslationMemory, source: str, target: str, path: Path, stamp: tuple[str, int]) -> PairIndex:
    with _rebuild_lock(path):
        # Another process may have rebuilt the index while this one waited for the lock.
        saved = load_index(path, stamp[0])
        view = saved and _caught_up(tm, source, target, *saved, stamp)
        if view is None:
            generation = tm.generation()
            build_index(tm.units((source, target)), source, target).save(path, (stamp[0], generation))
            view = _caught_up(tm, source, target, *load_index(path, stamp[0]), stamp)
    return view


def _index_folder(tm: TranslationMemory) -> Path:
    """Where the saved lookup indexes of a TM file live: `tm.db.index/` beside `tm.db`."""
    return Path(f"{tm.path}.index")


def _saved(previous: PairIndex | None, stamp: tuple[str, int]) -> tuple[FuzzyIndex, int] | None:
    """The saved index the previous view of this process was built on, if it is of the same TM."""
    if previous is None or previous.stamp[0] != stamp[0]:
        return None
    return previous.layers[0], previous.base_generation


def _extended(
    tm: TranslationMemory, source: str, target: str, previous: PairIndex, stamp: tuple[str, int]
) -> PairIndex | None:
    """`previous` brought to the present by a layer of the releases stored since it, so that a
    lookup after a write costs what the write added, not every write since the saved index. Layers
    are merged as in a log-structured merge: a layer not more than twice the size of the next one
    joins it, which keeps the layers few and each unit indexed a logarithmic number of times.
    None once the layers hold more than DELTA_LIMIT entries: then the saved index is rebuilt."""
    removed, added = tm.changes_since(previous.stamp[1])
    layers = [layer.without_releases(removed) for layer in previous.layers]
    groups = list(previous.delta_releases)
    if added:
        layers.append(_layer(tm, source, target, added))
        groups.append(frozenset(added))
    while len(groups) >= 2 and len(layers[-2]) <= 2 * len(layers[-1]):
        groups[-2:] = [groups[-2] | groups[-1]]
        layers[-2:] = [_layer(tm, source, target, groups[-1])]
    if sum(len(layer) for layer in layers[1:]) > DELTA_LIMIT:
        return None
    return PairIndex(layers, stamp, previous.base_generation, groups)


def _layer(tm: TranslationMemory, source: str, target: str, releases: Iterable[int]) -> FuzzyIndex:
    units = [u for chunk in batched(sorted(releases), 500) for u in tm.units((source, target), releases=chunk)]
    return build_index(units, source, target)


def _caught_up(
    tm: TranslationMemory, source: str, target: str, base: FuzzyIndex, generation: int, stamp: tuple[str, int]
) -> PairIndex | None:
    """`base` (built at `generation`) brought up to the TM's present; None when it is too far behind."""
    removed, added = tm.changes_since(generation)
    layers = [base.without_releases(removed)]
    if added:
        layers.append(_layer(tm, source, target, added))
        if len(layers[-1]) > DELTA_LIMIT:
            return None
    return PairIndex(layers, stamp, generation, [frozenset(added)] if added else [])


@contextmanager
def _rebuild_lock(path: Path) -> Iterator[None]:
    """One rebuild of an index file at a time across processes (an advisory file lock)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Opened without truncating and without following a link: a link planted there must not
    # empty (or even open) the file it points to; an OSError keeps the index in memory instead.
    lock = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)  # closing releases the lock


def query_problem(query: str, source: str) -> str | None:
    """Why `query` cannot be looked up in `source`, or None."""
    if not query.strip():
        return "empty query"
    if len(query) > MAX_QUERY_CHARS:
        return f"query too long ({len(query)} characters; at most {MAX_QUERY_CHARS})"
    script = wrong_script(query, source)
    if script:
        return f"the query is written in {script} letters, not in {LANGUAGES[source].name}"
    return None


def _check_query(query: str, source: str) -> None:
    if problem := query_problem(query, source):
        raise TmError(problem)


def saved_index_problems(tm: TranslationMemory) -> list[str]:
    """Saved lookup indexes next to the TM that cannot be used (unreadable, truncated, another
    TM's): harmless, as a lookup rebuilds them, but a sign that something wrote over them."""
    return [
        f"{path}: a lookup index that cannot be used (damaged, or another TM's); it is rebuilt at the next lookup"
        for path in sorted(_index_folder(tm).glob("[!.]*.idx"))  # not one being written (`.name.part.idx`)
        if load_index(path, tm.identity()) is None
    ]


def _check_collections(tm: TranslationMemory, filters: Filters | None) -> None:
    """A collection the TM does not hold is named with those it does: a misspelt name would
    otherwise read as "no match"."""
    if filters and filters.collections:
        held = tm.collections()
        if unknown := sorted(set(filters.collections) - set(held)):
            raise TmError(f"no collection {', '.join(unknown)} in the TM (it holds {', '.join(held) or 'none'})")


def _check_options(source: str, target: str, threshold: int, top: int) -> None:
    """Options that would otherwise quietly mean something else."""
    if source == target:
        raise TmError(f"--from and --to are both {source}: look up in one language, find another")
    if not 0 <= threshold <= 100:
        raise TmError(f"threshold {threshold} is not a percentage (0-100)")
    if top < 1:
        raise TmError(f"top {top}: ask for at least one match")


def _provenance(
    tm: TranslationMemory, layer: FuzzyIndex, entries: list[int], source: str, target: str, filters: Filters | None
) -> dict[int, list[StoredUnit]]:
    """Each entry's units that pass the filters, best first."""
    ids = {entry: layer.units_of(entry).tolist() for entry in entries}
    units = tm.units_by_id((source, target), [u for entry in entries for u in ids[entry]])
    keep = filters.accepts if filters else lambda _unit: True
    return {entry: best_first([units[u] for u in ids[entry] if u in units and keep(units[u])]) for entry in entries}


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
    _check_query(query, source)
    _check_options(source, target, threshold, top)
    _check_collections(tm, filters)
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


def _same_lemma(word: str):
    """For a Russian query word the dictionary knows, a test that keeps the words its stem finds
    only when they are forms of the same word: "министр" finds министра, not Министерство. A word
    the dictionary does not know (a name) keeps what its stem finds."""
    lemmas = russian_lemmas(word)
    if lemmas is None:
        return None
    return lambda found: (other := russian_lemmas(found)) is None or bool(other & lemmas)


def _stem(word: str) -> str:
    """Enough of an inflected word to find its other forms: drop up to 2 final letters of a long word."""
    return word[: max(4, len(word) - 2)] if len(word) > 4 else word


def context(tm: TranslationMemory, unit: StoredUnit, source: str, target: str, around: int) -> list[StoredUnit]:
    """The pairwise units of `unit`'s release from `around` before it to `around` after it, itself
    included, in document order: a match with its release around it."""
    units = list(tm.units((source, target), releases=[unit.release]))
    at = next((n for n, candidate in enumerate(units) if candidate.id == unit.id), None)
    if at is None:  # a write since the lookup replaced the release
        raise TmError(f"unit {unit.id} of {unit.collection}/{unit.release_id} is no longer in the TM; look it up again")
    return units[max(0, at - around) : at + around + 1]


def concordance(
    tm: TranslationMemory, phrase: str, source: str, target: str, top: int = 20, filters: Filters | None = None
) -> list[Match]:
    """Units whose `source` side holds `phrase`, each word matched by its stem as a prefix,
    so "переговоры" finds "переговорах" and "gepleşik" finds "gepleşiklerde"; then the sentences
    of pages stored with no counterpart yet, marked as having no translation."""
    _check_query(phrase, source)
    _check_options(source, target, 0, top)
    _check_collections(tm, filters)
    query_words = [t.casefold() for t in tokens(phrase) if t[0].isalnum()]
    stems = [_stem(word) for word in query_words]
    keep = [_same_lemma(word) for word in query_words] if source == "ru" else None
    pattern = re.compile(r"\b" + r"\w*\W+".join(map(re.escape, stems)) + r"\w*", re.IGNORECASE)
    matches: list[Match] = []
    for layer in index_for(tm, source, target).layers:
        entries = layer.containing(stems, filters, keep)
        allowed = layer.allowed_rows(filters) if filters else None
        for start in range(0, len(entries), top):
            matches += _in_context(tm, layer, entries[start : start + top], allowed, pattern, (source, target))
            if len(matches) >= top:
                return matches[:top]
    for lone in tm.lone_segments(source):
        if len(matches) < top and pattern.search(lone.texts[source]) and (not filters or filters.accepts(lone)):
            marked = pattern.sub(lambda m: f"[{m.group(0)}]", lone.texts[source])
            flags = ["no translation stored: a page with no counterpart yet"]
            matches.append(Match(0, 0.0, lone.texts[source], "", marked, lone, flags, [], "concordance"))
    return matches


def concordance_elsewhere(
    tm: TranslationMemory, phrase: str, source: str, target: str, filters: Filters | None = None
) -> list[str]:
    """The other target languages whose units hold `phrase` in `source`, for a concordance that
    found nothing: "not found" would hide that the TM has it, paired with another language."""
    return [
        other for other in CODES if other not in (source, target) and concordance(tm, phrase, source, other, 1, filters)
    ]


def _in_context(
    tm: TranslationMemory,
    layer: FuzzyIndex,
    entries: np.ndarray,
    allowed: np.ndarray | None,
    pattern: re.Pattern,
    langs: tuple[str, str],
) -> list[Match]:
    """The entries whose best unit (of the `allowed` rows) holds `pattern`, marked: one read of
    the TM for the best units, however often a sentence repeats."""
    rows = layer.best[entries] if allowed is None else layer.best_rows(entries, allowed)
    entries, rows = entries[rows >= 0], rows[rows >= 0]
    ids = layer.arrays["prov_units"][rows].tolist()
    units = tm.units_by_id(langs, ids)
    found = []
    for entry, unit_id in zip(entries.tolist(), ids, strict=True):
        best = units.get(unit_id)
        if best and pattern.search(best.texts[langs[0]]):
            marked = pattern.sub(lambda m: f"[{m.group(0)}]", best.texts[langs[0]])
            repeats = len(layer.units_of(entry, allowed)) - 1
            found.append(
                Match(
                    0,
                    penalty(best),
                    best.texts[langs[0]],
                    best.texts[langs[1]],
                    marked,
                    best,
                    [],
                    [],
                    "concordance",
                    repeats=repeats,
                )
            )
    return found


def semantic_lookup(
    tm: TranslationMemory,
    query: str,
    source: str,
    target: str,
    encoder: Encoder,
    top: int = 5,
    min_similarity: float = SEMANTIC_MIN,
) -> list[Match]:
    """Units whose `source` side means what `query` says, by cosine similarity of the encoder's
    embeddings (percent = similarity * 100, marked `semantic`), none under `min_similarity`; for
    when fuzzy lookup finds nothing. Every entry is encoded, so give a cached encoder
    (`tm.embed.CachedEncoder`) for a large TM."""
    _check_query(query, source)
    best = [
        units[0]
        for layer in index_for(tm, source, target).layers
        for units in _provenance(tm, layer, list(range(len(layer))), source, target, None).values()
        if units
    ]
    if not best:
        return []
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
        if scores[i] >= min_similarity
    ]
