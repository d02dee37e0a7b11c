"""Candidate retrieval for fuzzy lookup on a TM of millions of units.

Each distinct (source, target) pair of a language pair is one entry; units that repeat
it are its provenance. An entry's source is stored as its surface tokens (`tokens`:
words, numbers by value, punctuation); token tables map each to its case-folded form and
to its normalised word (`words`: every number one token, punctuation none), and each form
becomes a string of one character per token, so rapidfuzz's C Levenshtein computes the
three edit distances that `tm.lookup.score.match_percent` is made of.

A stored segment can reach threshold T (a fraction) only if
- its length in words lies in [T * q, q / T] for a query of q words, and
- it shares at least k = ceil(T * q) words with the query, so it must contain one of
  the q - k + 1 query words that are rarest in the TM (prefix filtering).
Entries are numbered by length, so the length window is one slice of every posting
list; only the postings of the rare query words are read, and only the entries found
there are scored. The result equals an exhaustive scan with the same scorer.
"""

from __future__ import annotations

import bisect
import copy
import math
import re
from collections import Counter
from collections.abc import Callable
from functools import cached_property

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from tm.lookup.filters import Filters, day
from tm.lookup.score import MINOR_COST, NUMBER, words

# Postings read beyond the necessary prefix, to count shared words and drop hopeless candidates
# (a module setting, so that tests can make the prefix filter run on a small index).
EXTRA_POSTINGS = 30_000
EXTRA_FACTOR = 4
# A word's k-th occurrence in a segment is its own posting item, so shared-word counts are exact.
_MAX_OCCURRENCES = 1 << 20
# Candidates scored at a time before checking whether any later one can still enter the top k.
BATCH = 1024
# A name after one or two initials, each a letter or two and a dot: R.Meredov, S.A.Kim, Ch.Aitmatov.
_AFTER_INITIALS = re.compile(r"(?:\w{1,2}\.){1,2}(\w{2,}.*)")
_FIRST_CHAR, _SURROGATES = 0x21, 0x800


def _char(token_id: int) -> str:
    point = token_id + _FIRST_CHAR
    return chr(point if point < 0xD800 else point + _SURROGATES)


class FuzzyIndex:
    """Word postings over the source side of one language pair, numbered by length.

    The arrays may be memory-mapped from a saved file, so processes on one TM share them.
    `live` masks the provenance of releases removed from the TM since the index was built."""

    def __init__(self, arrays: dict[str, np.ndarray], vocabulary: list[str], collections: list[str]) -> None:
        self.arrays = arrays
        self.vocabulary = {word: number for number, word in enumerate(vocabulary)}
        self.collections = collections
        self.lengths, self.offsets = arrays["lengths"], arrays["offsets"]  # in words; into `codes`, in tokens
        self.post_offsets, self.post_entries = arrays["post_offsets"], arrays["post_entries"]
        self.repeats = arrays["repeats"]
        self.word_ids, self.folded_ids = arrays["word_ids"], arrays["folded_ids"]  # per token; -1: no word
        self.live: np.ndarray | None = None  # per provenance row; None: all live
        self.best = arrays["best_rows"]  # per entry, the row of its best live unit (see `best_rows`); -1: none

    def __len__(self) -> int:
        return len(self.lengths)

    def without_releases(self, releases: set[int]) -> FuzzyIndex:
        """The same index with the units of these releases (by TM key) left out too."""
        if not releases:
            return self
        view = copy.copy(self)
        view.__dict__.pop("best_confidence", None)
        live = ~np.isin(self.arrays["prov_releases"], np.fromiter(releases, np.int64, len(releases)))
        view.live = live if self.live is None else live & self.live
        # Only the entries that lost a row can have another best unit now.
        touched = np.unique(self.arrays["prov_offsets"].searchsorted(np.flatnonzero(~live), "right") - 1)
        view.best = self.best.copy()
        view.best[touched] = view.best_rows(touched)
        return view

    def units_of(self, entry: int, allowed: np.ndarray | None = None) -> np.ndarray:
        """The ids of the entry's live units (of the `allowed` provenance rows, if given)."""
        start, end = self.arrays["prov_offsets"][entry : entry + 2]
        units = self.arrays["prov_units"][start:end]
        keep = self.live if allowed is None else allowed
        return units if keep is None else units[keep[start:end]]

    @cached_property
    def best_confidence(self) -> np.ndarray:
        """Per entry, the alignment confidence of its best live unit (-1 for an entry with none)."""
        return np.where(self.best >= 0, self.arrays["prov_confidence"][self.best], -1.0)

    def best_rows(self, entries: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
        """Per entry, the provenance row of its best live unit (of the `allowed` rows, if given) in
        the order lookups rank units in: reviewed first, then the most confident, the latest day,
        the highest unit id; -1 for an entry with none."""
        offsets = self.arrays["prov_offsets"]
        starts = offsets[entries]
        counts = offsets[entries + 1] - starts
        rows = _gather(starts, counts)
        owners = np.repeat(np.arange(len(entries)), counts)
        keep = np.ones(len(rows), bool) if self.live is None else self.live[rows]
        if allowed is not None:
            keep &= allowed[rows]
        rows, owners = rows[keep], owners[keep]
        a = self.arrays
        order = np.lexsort(
            (a["prov_units"][rows], a["prov_days"][rows], a["prov_confidence"][rows], a["prov_reviewed"][rows], owners)
        )
        rows, owners = rows[order], owners[order]
        last = np.r_[owners[1:] != owners[:-1], True] if len(owners) else np.empty(0, bool)
        best = np.full(len(entries), -1, np.int64)
        best[owners[last]] = rows[last]
        return best

    def sources(self, entries: np.ndarray) -> list[str]:
        """The entries' sources as strings of one character per word (`words`), for rapidfuzz."""
        return self.forms(entries, ("words",))[0]

    def forms(self, entries: np.ndarray, names: tuple[str, ...]) -> list[list[str]]:
        """The entries' sources in each named form ("tokens", "folded", "words"), one character a token."""
        starts = self.offsets[entries]
        counts = self.offsets[entries + 1] - starts
        picked = self.arrays["codes"][_gather(starts, counts)]
        forms = []
        for name in names:
            ids, lengths = picked, counts
            if name == "folded":
                ids = self.folded_ids[picked]
            elif name == "words":
                ids = self.word_ids[picked]
                ids, lengths = ids[ids >= 0], self.lengths[entries]
            forms.append(_split(_text(ids), lengths))
        return forms

    def encode(self, query_words: list[str]) -> str:
        """The query's `words` (or tokens in another form) as one character each; unknown ones get characters
        no entry uses."""
        unknown = len(self.vocabulary)
        chars = []
        for word in query_words:
            number = self.vocabulary.get(word)
            if number is None:
                number, unknown = unknown, unknown + 1
            chars.append(_char(number))
        return "".join(chars)

    def candidates(
        self, query_words: list[str], threshold: float, numbers: list[str] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Entries that can score >= `threshold` (a fraction in (0, 1]) against the query, and
        for each an upper bound of its score: shared words / max(query words, entry words).
        Given the query's `numbers` (as written), the bound is one of the match %: a number of
        another value is a minor edit (see `_minor_bound`)."""
        count = len(query_words)
        needed = math.ceil(threshold * count - 1e-9)
        first, last, slices, covered, must_cover = self._prefix(query_words, threshold)
        taken, read, needed_read = [], 0, None
        for postings, _ in slices:
            if covered >= must_cover:
                needed_read = read if needed_read is None else needed_read
                if read + len(postings) > EXTRA_POSTINGS + EXTRA_FACTOR * needed_read:
                    break
            taken.append(postings)
            covered += 1
            read += len(postings)
        if not taken:
            return np.empty(0, np.int64), np.empty(0)
        # Words (not numbers) the query has that were not read: an entry may share all of them.
        unread_words = sum(not is_number for _, is_number in slices[len(taken) :])
        postings = np.concatenate(taken) - first
        if len(postings) * 16 < last - first:  # few postings in a wide window: sort them, skip the window
            entries, held = np.unique(postings, return_counts=True)
        else:
            held = np.bincount(postings, minlength=last - first)
            entries = np.flatnonzero(held >= needed - (count - covered))
            held = held[entries]
        entries = entries.astype(np.int64) + first
        # An entry holding c of the covered items shares at most c + (count - covered) words.
        shared = np.minimum(held + (count - covered), np.minimum(count, self.lengths[entries]))
        longest = np.maximum(count, self.lengths[entries])
        keep = shared >= np.ceil(threshold * longest - 1e-9)
        if self.live is not None:
            keep &= self.best_confidence[entries] >= 0
        entries, shared, longest = entries[keep], shared[keep], longest[keep]
        if numbers:
            number_lists = [postings for (postings, is_number) in slices[: len(taken)] if is_number]
            words_shared = held[keep] - _held(entries, number_lists) + unread_words
            shared = self._minor_bound(entries, shared, words_shared, numbers, first, last)
        return entries, shared / longest

    def _prefix(self, query_words: list[str], threshold: float) -> tuple[int, int, list, int, int]:
        """The entries of possible lengths (first, last), the query's posting lists within them,
        rarest first, each with whether it is the NUMBER token's, the query words that no entry
        holds (the rarest items of all, covered by no list), and how many items the candidates
        must be found through (a candidate shares at least one of any that many)."""
        count = len(query_words)
        needed = math.ceil(threshold * count - 1e-9)
        # numpy scalars of the array's type: a Python int makes searchsorted copy the whole array.
        first = int(self.lengths.searchsorted(np.int32(needed), "left"))
        last = int(self.lengths.searchsorted(np.int32(min(math.floor(count / threshold + 1e-9), 2**31 - 1)), "right"))
        items = self._items(query_words)
        windows = ((self._window(item, first, last), self._is_number(item)) for item in items)
        slices = sorted(windows, key=lambda window: len(window[0]))
        return first, last, slices, count - len(items), count - needed + 1

    def prefix_postings(self, query_words: list[str], threshold: float) -> int:
        """How many postings finding the candidates at `threshold` must read: what it costs."""
        _, _, slices, unknown, must_cover = self._prefix(query_words, threshold)
        return sum(len(postings) for postings, _ in slices[: max(0, must_cover - unknown)])

    def _is_number(self, item: int) -> bool:
        """Is this posting item the NUMBER token (or a repeat of it)?"""
        if item >= len(self.vocabulary):  # a repeat: its key is word * _MAX_OCCURRENCES + occurrence
            item = int(self.repeats[item - len(self.vocabulary)]) // _MAX_OCCURRENCES
        return item == self.vocabulary[NUMBER]

    def _minor_bound(
        self,
        entries: np.ndarray,
        shared: np.ndarray,
        words_shared: np.ndarray,
        numbers: list[str],
        first: int,
        last: int,
    ) -> np.ndarray:
        """`shared` words less a fifth of each query number the entry does not hold by value.
        The match % is 100 * (1 - (word edits + 0.2 * minor edits) / longest), and the minor edits
        are at least the edits of the words with numbers by value less the word edits; an entry
        shares at most (its bound of shared words that are not numbers, `words_shared`, + the
        query's numbers it holds by value) of those."""
        by_value = np.zeros(len(entries), np.int64)
        for value, times in Counter(numbers).items():
            token = self.vocabulary.get(value)
            if token is not None:
                by_value += times * _held(entries, [self._window(token, first, last)])
        by_value = np.minimum(shared, words_shared + by_value)
        return (1 - MINOR_COST) * shared + MINOR_COST * by_value

    def _items(self, query_words: list[str]) -> list[int]:
        """Posting items of the query: a word, and again for its 2nd, 3rd ... occurrence."""
        items = []
        for word, times in Counter(query_words).items():
            token = self.vocabulary.get(word)
            if token is None:
                continue
            items.append(token)
            for occurrence in range(1, times):
                key = token * _MAX_OCCURRENCES + occurrence
                position = int(self.repeats.searchsorted(np.int64(key)))
                if position < len(self.repeats) and self.repeats[position] == key:
                    items.append(len(self.vocabulary) + position)
        return items

    def _postings(self, item: int) -> np.ndarray:
        return self.post_entries[self.post_offsets[item] : self.post_offsets[item + 1]]

    def _window(self, item: int, first: int, last: int) -> np.ndarray:
        postings = self._postings(item)
        return postings[postings.searchsorted(np.int32(first)) : postings.searchsorted(np.int32(last))]

    @cached_property
    def sorted_words(self) -> list[str]:
        """The vocabulary in order, for prefix searches (built on the first concordance)."""
        return sorted(self.vocabulary)

    @cached_property
    def sorted_after_initials(self) -> list[tuple[str, str]]:
        """(name, word) for each word that is a name after initials (`r.meredov`, `s.a.kim`), in
        order of the name: "Meredov" finds R.Meredov, the way these releases write people."""
        return sorted((found.group(1), word) for word in self.vocabulary if (found := _AFTER_INITIALS.match(word)))

    def _words_starting(self, prefix: str, keep: Callable[[str], bool] | None = None) -> list[str]:
        """The words that start with `prefix`, or whose name after initials does (those `keep`
        accepts, if given)."""
        end = prefix + "\U0010ffff"
        words = self.sorted_words[
            bisect.bisect_left(self.sorted_words, prefix) : bisect.bisect_left(self.sorted_words, end)
        ]
        named = self.sorted_after_initials
        first, last = bisect.bisect_left(named, (prefix,)), bisect.bisect_left(named, (end,))
        found = words + [word for _name, word in named[first:last]]
        return [word for word in found if keep(word)] if keep else found

    def containing(
        self,
        prefixes: list[str],
        filters: Filters | None = None,
        keep: list[Callable[[str], bool] | None] | None = None,
    ) -> np.ndarray:
        """Entries holding, for every prefix, a word that starts with it, or a name after initials
        that does, and that its `keep` test accepts (shortest entries first); a number is found by
        its value, as numbers are posted by value too."""
        found = None
        for prefix, kept in zip(prefixes, keep or [None] * len(prefixes), strict=True):
            postings = [self._postings(self.vocabulary[w]) for w in self._words_starting(prefix, kept)]
            postings = [p for p in postings if len(p)]  # a capitalised or punctuation token has none
            if len(postings) == 1:
                entries = postings[0]  # one word's postings: sorted, each entry once
            else:
                entries = np.unique(np.concatenate(postings)) if postings else np.empty(0, np.int32)
            found = entries if found is None else np.intersect1d(found, entries, assume_unique=True)
        if found is None:
            return np.empty(0, np.int64)
        if filters:
            found = found[self.allowed(filters)[found]]
        elif self.live is not None:
            found = found[self.best_confidence[found] >= 0]
        return found.astype(np.int64)

    def allowed(self, filters: Filters) -> np.ndarray:
        """One flag per entry: does any of its units pass the filters?"""
        return np.add.reduceat(self.allowed_rows(filters), self.arrays["prov_offsets"][:-1]) > 0

    def allowed_rows(self, filters: Filters) -> np.ndarray:
        """One flag per provenance row: is it live, and does its unit pass the filters?"""
        ok = np.ones(len(self.arrays["prov_units"]), bool) if self.live is None else self.live.copy()
        if filters.collections:
            wanted = [n for n, name in enumerate(self.collections) if name in filters.collections]
            ok &= np.isin(self.arrays["prov_collections"], wanted)
        days = self.arrays["prov_days"]
        if filters.since:
            ok &= days >= day(filters.since)
        if filters.until:
            ok &= (days >= 0) & (days <= day(filters.until))
        return ok

    def search(
        self, query: str, threshold: float, limit: int, filters: Filters | None = None
    ) -> list[tuple[int, float]]:
        """(entry, word-level similarity in %) of the best entries at or above `threshold` %."""
        query_words = words(query)
        if not query_words:
            return []
        fraction = max(threshold, 1) / 100
        found, bounds = self.candidates(query_words, fraction)
        if filters:
            keep = self.allowed(filters)[found]
            found, bounds = found[keep], bounds[keep]
        code = self.encode(query_words)
        order = np.argsort(-bounds, kind="stable")
        best: list[tuple[int, float]] = []
        # Score the most promising entries first; stop once no later bound can enter the top `limit`.
        for start in range(0, len(order), BATCH):
            if len(best) >= limit and best[limit - 1][1] >= bounds[order[start]]:
                break
            batch = found[order[start : start + BATCH]]
            scores = self.similarities(code, batch, fraction)
            scored = [(int(entry), float(score)) for entry, score in zip(batch, scores, strict=True) if score > 0]
            best = sorted(best + scored, key=lambda b: -b[1])[:limit]
        return [(entry, 100 * score) for entry, score in best]

    def similarities(self, code: str, entries: np.ndarray, threshold: float) -> np.ndarray:
        """Word-level similarity (0-1) of the query `code` to each entry; 0 under `threshold`."""
        # A 20% match must pass a 20% threshold, though 1 - 4/5 is 0.19999999999999996 and rapidfuzz's
        # own cutoff arithmetic needs more slack than 1e-9; real scores are k/n, far apart from 1e-6.
        return process.cdist(
            [code],
            self.sources(entries),
            scorer=Levenshtein.normalized_similarity,
            score_cutoff=threshold - 1e-6,
            dtype=np.float64,
        )[0]


def _held(entries: np.ndarray, lists: list[np.ndarray]) -> np.ndarray:
    """Per entry (sorted), in how many of these posting lists (each sorted, each entry once) it is."""
    held = np.zeros(len(entries), np.int64)
    if len(entries):
        for postings in lists:
            # Look each posting up among the entries: a list is often the shorter of the two.
            at = np.minimum(entries.searchsorted(postings), len(entries) - 1)
            held[at[entries[at] == postings]] += 1
    return held


def _text(ids: np.ndarray) -> str:
    points = ids.astype(np.int64) + _FIRST_CHAR
    points[points >= 0xD800] += _SURROGATES
    return points.astype("<u4").tobytes().decode("utf-32-le")


def _split(text: str, lengths: np.ndarray) -> list[str]:
    bounds = [0, *np.cumsum(lengths).tolist()]
    return [text[bounds[i] : bounds[i + 1]] for i in range(len(lengths))]


def _gather(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions start, start + 1, ... start + count - 1 of each (start, count), end to end."""
    ends = np.cumsum(counts)
    return np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(starts - ends + counts, counts)
