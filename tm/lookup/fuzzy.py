"""Ranking a fuzzy lookup's candidates: the exact top k, at a cost bounded by what can still enter it.

A ministry archive is formulaic: thousands of units share a query's template and differ in a
date, a name or a number, so most candidates share most of the query's words. Each candidate
therefore passes bounds that grow tighter and dearer before its texts are read:

1. shared words / longest, less a fifth for each of the query's numbers that the entry does not
   hold by value, from the postings (every candidate at once);
2. the match % itself, from the three edit distances it is made of (words, case-folded tokens,
   tokens: rapidfuzz over the entries' token strings, a batch at a time), which is exact but
   where only whitespace tells a 100% match from a 99% one;
3. the best unit of each candidate that can still rank, read from the TM.

A match ranks by a key that the index knows for every entry but the match %: match % less the
confidence penalty, then a reviewed unit first, the alignment confidence, the day, the unit id
(`rank`). Candidates are taken best bound first, and every candidate whose key, with its bound in
place of its match %, cannot beat the k-th match found is dropped at once, so a lookup stops
once the k-th match ranks above every bound left. The result is the same list as scoring every
unit (`tests/oracle.py` does that). A time budget stops a lookup that would run on, with the
best found so far, marked incomplete.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field, replace

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from tm.lookup.case import match_case
from tm.lookup.filters import Filters, day
from tm.lookup.index import FuzzyIndex
from tm.lookup.numbers import patch_numbers
from tm.lookup.score import MINOR_COST, match_percent, tokens, word_diff, words
from tm.store import StoredUnit, TranslationMemory

CONFIDENCE_PENALTY = 10.0
# Candidates whose second bound is computed at a time, at first; each batch is twice the last.
BATCH = 128
# Candidates whose best unit is read at a time, at first, beyond the `top` asked for: the second
# bound is the match % itself, so the `top` best bounds are most often the answer.
CHUNK = 2
# Other units of a match's texts read to show where else it occurs.
ALSO_IN = 5
# Word similarities a lookup first takes candidates from, before its threshold: most queries have
# their best matches above 90%, and few entries share the nine words in ten that 90% needs.
FLOORS = (0.9, 0.75)
# Postings the threshold's candidates may read and still be found in one pass.
CHEAP_POSTINGS = 5_000


@dataclass(frozen=True)
class Match:
    percent: int  # the match % of the source
    penalty: float  # points lost for low alignment confidence; matches rank by percent - penalty
    source: str
    target: str
    diff: str
    unit: StoredUnit
    flags: list[str] = field(default_factory=list)
    also_in: list[StoredUnit] = field(default_factory=list)  # other units of the same texts, ALSO_IN of them
    kind: str = "fuzzy"
    via: str | None = None  # the third language a bridged match went through
    repeats: int = 0  # how many other units hold the same source and target

    @property
    def origin(self) -> str:
        """Where the translation comes from: `collection/release`, and the language it went through."""
        return f"{self.unit.collection}/{self.unit.release_id}" + (f" via {self.via}" if self.via else "")

    @property
    def ranked(self) -> int:
        """The percentage matches are ranked by: the match % less the confidence penalty."""
        return max(0, round(self.percent - self.penalty))


class Matches(list):
    """Matches, best first, and how the lookup went: `complete` is False when it stopped at its
    time budget (a better match may exist); `candidates` shared enough words with the query to be
    considered, `bounded` of them had their edit distances computed, `scored` their texts read."""

    complete: bool = True
    candidates: int = 0
    bounded: int = 0
    scored: int = 0


def penalties(confidence: np.ndarray) -> np.ndarray:
    """Points lost by a unit aligned with this confidence: up to 10 under 0.9."""
    return np.where(confidence < 0.9, np.round(CONFIDENCE_PENALTY * (1 - confidence), 1), 0.0)


def penalty(unit: StoredUnit) -> float:
    return float(penalties(np.float64(unit.confidence)))


def _unit_key(unit: StoredUnit) -> tuple:
    return (unit.reviewer is not None, unit.confidence, day(unit.date), unit.id)


def best_first(units: list[StoredUnit]) -> list[StoredUnit]:
    return sorted(units, key=_unit_key, reverse=True)


def rank(match: Match) -> tuple:
    """What matches rank by: match % less the penalty, then (of the unit shown) reviewed before
    not, the alignment confidence, the most recent day, the newest unit: one order, whichever way found."""
    return (match.percent - match.penalty, *_unit_key(match.unit))


def as_match(query: str, units: list[StoredUnit], source: str, target: str, percent: int | None = None) -> Match:
    """A candidate as ranked: its match % and penalty, the stored texts (see `finished`)."""
    best, *others = best_first(units)
    stored = best.texts[source]
    if percent is None:
        percent = match_percent(query, stored)
    return Match(percent, penalty(best), stored, best.texts[target], "", best, [], others)


def finished(query: str, match: Match, target: str) -> Match:
    """A match as shown: numbers patched into its target, its case that of the query, flags, the
    word diff. Done only for the matches returned, not for every candidate ranked."""
    patched, flags = patch_numbers(query, match.source, match.target, target)
    cased, case_flags = match_case(query, match.source, patched)
    return replace(match, target=cased, flags=flags + case_flags, diff=word_diff(query, match.source))


@dataclass
class _Candidates:
    """Candidates of all layers as parallel arrays: the layer, the entry, a bound of the first
    rank field, and the rank fields of the entry's best unit."""

    layer: np.ndarray
    entry: np.ndarray
    bound: np.ndarray
    reviewed: np.ndarray
    confidence: np.ndarray
    day: np.ndarray
    unit: np.ndarray

    def __len__(self) -> int:
        return len(self.entry)

    def __getitem__(self, which: np.ndarray) -> _Candidates:
        return _Candidates(*(getattr(self, name)[which] for name in self.__dataclass_fields__))

    @classmethod
    def joined(cls, parts: list[_Candidates]) -> _Candidates:
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in cls.__dataclass_fields__))

    def may_beat(self, key: tuple) -> np.ndarray:
        """Which candidates may rank at or above `key` (a match's `rank`)."""
        first, reviewed, confidence, day_number, unit = key
        at = self.bound == first
        at &= (self.reviewed > reviewed) | (self.reviewed == reviewed) & (
            (self.confidence > confidence)
            | (self.confidence == confidence)
            & ((self.day > day_number) | (self.day == day_number) & (self.unit >= unit))
        )
        return (self.bound > first) | at

    def order(self) -> np.ndarray:
        """Positions from the best key to the worst."""
        return np.lexsort((self.unit, self.day, self.confidence, self.reviewed, self.bound))[::-1]


def _with_best_units(layer: FuzzyIndex, number: int, entries: np.ndarray, bound: np.ndarray, rows: np.ndarray):
    a = layer.arrays
    confidence = a["prov_confidence"][rows]
    return _Candidates(
        np.full(len(entries), number, np.int32),
        entries,
        bound - penalties(confidence),
        a["prov_reviewed"][rows],
        confidence,
        a["prov_days"][rows],
        a["prov_units"][rows],
    )


@dataclass
class _Query:
    """What a lookup derives from its query and filters once, whatever passes it makes: the
    words, the numbers as written, the token strings of each form per layer, and with filters,
    per layer, which provenance rows pass them."""

    text: str
    words: list[str]
    numbers: list[str]
    codes: list[list[str]]  # per layer: tokens, case-folded tokens, words
    allowed: list[np.ndarray] | None

    @classmethod
    def of(cls, text: str, layers: list[FuzzyIndex], filters: Filters | None) -> _Query:
        surface = tokens(text)
        folded = [token.casefold() for token in surface]
        query_words = words(text)
        codes = [[layer.encode(form) for form in (surface, folded, query_words)] for layer in layers]
        allowed = [layer.allowed_rows(filters) for layer in layers] if filters else None
        return cls(text, query_words, [token for token in folded if token[0].isdigit()], codes, allowed)


class _Search:
    """One pass of a lookup: candidates not yet bounded, candidates bounded and not yet scored, matches."""

    def __init__(
        self,
        tm: TranslationMemory,
        layers: list[FuzzyIndex],
        query: _Query,
        langs: tuple[str, str],
        threshold: int,
        filters: Filters | None,
        floor: float,
        result: Matches,
    ) -> None:
        self.tm, self.layers, self.query, self.langs = tm, layers, query, langs
        self.threshold, self.filters, self.fraction, self.result = threshold, filters, floor, result
        self.waiting = _Candidates.joined([self._candidates(n, layer) for n, layer in enumerate(layers)])
        self.waiting = self.waiting[self.waiting.bound >= threshold]
        self.bounded = self.waiting[np.empty(0, np.int64)]
        self.found: dict[tuple[str, str], list[tuple[int, int, StoredUnit]]] = {}  # (layer, entry, best unit)
        self.matches: dict[tuple[str, str], Match] = {}
        self.best: list[Match] = []
        self.result.candidates += len(self.waiting)

    def _candidates(self, number: int, layer: FuzzyIndex) -> _Candidates:
        """The layer's entries that share enough words, bounded by shared words / longest."""
        entries, shares = layer.candidates(self.query.words, self.fraction, self.query.numbers)
        if self.query.allowed:
            rows = layer.best_rows(entries, self.query.allowed[number])
            keep = rows >= 0  # an entry none of whose units passes the filters has no best one
            entries, shares, rows = entries[keep], shares[keep], rows[keep]
        else:
            rows = layer.best[entries]
        # The match % is a whole number, at most 100 * shares (a hair of slack for rounding).
        return _with_best_units(layer, number, entries, np.floor(100 * shares + 1e-6), rows)

    def run(self, top: int, deadline: float | None) -> list[Match]:
        """The `top` best matches among the candidates, or the best found by the deadline."""
        self.top = top
        size, chunk = BATCH, top + CHUNK
        while True:
            if deadline is not None and time.monotonic() > deadline:
                self.result.complete = False
                break
            if len(self.best) >= top:
                kth = rank(self.best[top - 1])
                self.waiting = self.waiting[self.waiting.may_beat(kth)]
                self.bounded = self.bounded[self.bounded.may_beat(kth)]
            if not len(self.waiting) and not len(self.bounded):
                break
            if len(self.bounded) and (not len(self.waiting) or self.bounded.bound.max() >= self.waiting.bound.max()):
                self._score(chunk)
                chunk = min(2 * chunk, 1024)
            else:
                self._bound(size)
                size *= 2
        return self.best[:top]

    def _bound(self, size: int) -> None:
        """Compute the edit-distance bound of the `size` waiting candidates of the best bounds."""
        waiting = self.waiting
        # A rough order is enough here: the exact one is applied as candidates are dropped.
        taken = np.argpartition(-waiting.bound, size)[:size] if len(waiting) > size else np.arange(len(waiting))
        rest = np.ones(len(waiting), bool)
        rest[taken] = False
        batch, self.waiting = waiting[taken], waiting[rest]
        self.result.bounded += len(batch)
        for number, layer in enumerate(self.layers):
            mine = batch[batch.layer == number]
            if len(mine):
                self.bounded = _Candidates.joined([self.bounded, self._edit_bound(number, layer, mine)])

    def _edit_bound(self, number: int, layer: FuzzyIndex, batch: _Candidates) -> _Candidates:
        """The candidates that can still rank, each bounded by its match % as `match_percent`
        computes it, but 100 for the same tokens (which are the same text, or differ in
        whitespace only: 99). The word edits come first, and alone drop most candidates; the
        edits of the case-folded tokens and of the tokens, for the rest."""
        surface_code, folded_code, word_code = self.query.codes[number]
        longest = np.maximum(len(self.query.words), layer.lengths[batch.entry]).astype(np.float64)
        word_edits = _distances(word_code, layer.forms(batch.entry, ("words",))[0])
        penalty = penalties(batch.confidence)
        batch.bound = np.minimum(batch.bound, _percent(word_edits, 0, word_edits, longest) - penalty)
        keep = batch.bound >= self.threshold
        if len(self.best) >= self.top:
            keep &= batch.may_beat(rank(self.best[self.top - 1]))
        batch, word_edits, longest, penalty = batch[keep], word_edits[keep], longest[keep], penalty[keep]
        surface, folded = (
            _distances(c, f)
            for c, f in zip((surface_code, folded_code), layer.forms(batch.entry, ("tokens", "folded")), strict=True)
        )
        minor = np.maximum(0, folded - word_edits) + (surface > folded)
        batch.bound = _percent(word_edits, minor, surface, longest) - penalty
        return batch[batch.bound >= self.threshold]

    def _score(self, size: int) -> None:
        """Read the best unit of the `size` bounded candidates of the best keys and rank their matches."""
        order = self.bounded.order()
        batch, self.bounded = self.bounded[order[:size]], self.bounded[order[size:]]
        self.result.scored += len(batch)
        source, target = self.langs
        units = self.tm.units_by_id(self.langs, batch.unit.tolist())
        # The second bound is the match % itself, but for the same tokens: 100 only for the same text.
        percents = np.round(batch.bound + penalties(batch.confidence)).astype(int).tolist()
        for number, entry, unit_id, percent in zip(
            batch.layer.tolist(), batch.entry.tolist(), batch.unit.tolist(), percents, strict=True
        ):
            unit = units.get(unit_id)
            if unit is None or (self.filters and not self.filters.accepts(unit)):
                continue
            key = (unit.texts[source], unit.texts[target])
            self.found.setdefault(key, []).append((number, entry, unit))
            percent = percent if percent < 100 or key[0] == self.query.text else 99
            same_texts = [u for *_, u in self.found[key]]
            self.matches[key] = as_match(self.query.text, same_texts, source, target, percent)
        passing = (m for m in self.matches.values() if m.percent - m.penalty >= self.threshold)
        self.best = heapq.nlargest(self.top, passing, key=rank)

    def with_repeats(self, matches: list[Match]) -> list[Match]:
        """The matches with the other units that hold their source and target: how many, and
        ALSO_IN of them (a sentence repeated in a thousand releases is not read a thousand times)."""
        others = []
        for match in matches:
            ids = np.concatenate(
                [
                    self.layers[number].units_of(entry, self.query.allowed[number] if self.query.allowed else None)
                    for number, entry, _ in self.found[(match.source, match.target)]
                ]
            )
            others.append(ids[ids != match.unit.id])
        read = self.tm.units_by_id(self.langs, [u for ids in others for u in ids[:ALSO_IN].tolist()])
        return [
            replace(match, also_in=best_first([read[u] for u in ids[:ALSO_IN].tolist() if u in read]), repeats=len(ids))
            for match, ids in zip(matches, others, strict=True)
        ]


def _percent(word_edits: np.ndarray, minor: np.ndarray | int, surface: np.ndarray, longest: np.ndarray) -> np.ndarray:
    """`match_percent` from its edit counts; 100 where the tokens are the same (`surface` edits 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = 100 * (1 - (word_edits + MINOR_COST * minor) / longest)
    return np.where(surface == 0, 100.0, np.clip(np.trunc(np.nan_to_num(percent)), 0, 99))


def _distances(code: str, choices: list[str]) -> np.ndarray:
    return process.cdist([code], choices, scorer=Levenshtein.distance, dtype=np.int32, workers=1)[0]


def ranked_matches(
    tm: TranslationMemory,
    layers: list[FuzzyIndex],
    query: str,
    langs: tuple[str, str],
    threshold: int,
    top: int,
    filters: Filters | None,
    budget: float | None,
) -> Matches:
    """The `top` matches of `query` at or above `threshold` in the index `layers`, best first
    (not yet `finished`); within `budget` seconds if given.

    Candidates are taken first among the entries whose words are 90% like the query's: if the
    `top`-th match found ranks at 90 or more, no other entry can beat it (it has fewer words in
    common, so a lower match %), and the lookup is done; else again at 75%, then at `threshold`."""
    deadline = None if budget is None else time.monotonic() + budget
    result = Matches()
    lowest = max(threshold, 1) / 100
    asked = _Query.of(query, layers, filters)
    # Where the candidates at the threshold are cheap to find, one pass there costs less than
    # passes at 90% and 75% that may not settle the top k.
    cheap = sum(layer.prefix_postings(asked.words, lowest) for layer in layers) <= CHEAP_POSTINGS
    for floor in ([] if cheap else [f for f in FLOORS if 100 * f > threshold]) + [lowest]:
        search = _Search(tm, layers, asked, langs, threshold, filters, floor, result)
        best = search.run(top, deadline)
        if not result.complete or (len(best) == top and rank(best[-1])[0] >= 100 * floor):
            break
    result.extend(search.with_repeats(best))
    return result
