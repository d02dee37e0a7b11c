"""The fuzzy index of a TM and language pair, kept current: loaded once per process, saved beside
the TM, caught up from the change log with the releases stored since, and rebuilt under a lock
that other processes wait on; and the units of an index entry (`provenance`)."""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tm.lookup.filters import Filters
from tm.lookup.fuzzy import best_first
from tm.lookup.index import FuzzyIndex
from tm.lookup.index_build import build_index
from tm.lookup.index_file import load_index, save_index
from tm.store import StoredUnit, TranslationMemory, batched

# Entries of the releases stored since the saved index was built that are indexed on the side
# before the saved index is rebuilt.
DELTA_LIMIT = 20_000


@dataclass
class PairIndex:
    """The index of one language pair as lookups see it: the saved index (less the releases removed
    since) and a small index of the releases stored since, each searched on its own."""

    layers: list[FuzzyIndex]
    stamp: tuple[str, int]  # the TM's identity and generation this view is current for
    base_generation: int = 0  # the generation the saved index (the first layer) was built from
    delta_releases: list[frozenset[int]] = field(default_factory=list)  # those of each layer after the first

    def __len__(self) -> int:
        return sum(len(layer) for layer in self.layers)


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
            save_index(build_index(tm.units((source, target)), source, target), path, (stamp[0], generation))
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


def saved_index_problems(tm: TranslationMemory) -> list[str]:
    """Saved lookup indexes next to the TM that cannot be used (unreadable, truncated, another
    TM's): harmless, as a lookup rebuilds them, but a sign that something wrote over them."""
    return [
        f"{path}: a lookup index that cannot be used (damaged, or another TM's); it is rebuilt at the next lookup"
        for path in sorted(_index_folder(tm).glob("[!.]*.idx"))  # not one being written (`.name.part.idx`)
        if load_index(path, tm.identity()) is None
    ]


def provenance(
    tm: TranslationMemory, layer: FuzzyIndex, entries: list[int], source: str, target: str, filters: Filters | None
) -> dict[int, list[StoredUnit]]:
    """Each entry's units that pass the filters, best first."""
    ids = {entry: layer.units_of(entry).tolist() for entry in entries}
    units = tm.units_by_id((source, target), [u for entry in entries for u in ids[entry]])
    keep = filters.accepts if filters else lambda _unit: True
    return {entry: best_first([units[u] for u in ids[entry] if u in units and keep(units[u])]) for entry in entries}
