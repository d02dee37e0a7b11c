"""Building a lookup index from a TM's units: entries, token tables, postings, provenance.

`build_index` reads the units once; `_pack` turns what it gathered into the arrays of a
`FuzzyIndex`, all numpy (a million units in seconds).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tm.lookup.filters import day
from tm.lookup.index import _FIRST_CHAR, _MAX_OCCURRENCES, _SURROGATES, FuzzyIndex, _char, _gather
from tm.lookup.score import NUMBER, WORD, tokens
from tm.store import StoredUnit


def build_index(units: Iterable[StoredUnit], source: str, target: str) -> FuzzyIndex:
    """Index the `source` side of `units`; identical (source, target) pairs become one entry."""
    entries: dict[tuple[str, str], int] = {}
    codes: list[str] = []
    provenance: list[tuple] = []
    vocabulary: dict[str, int] = {NUMBER: 0}
    collections: dict[str, int] = {}
    for unit in units:
        key = (unit.texts[source], unit.texts[target])
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = len(codes)
            codes.append("".join(_char(vocabulary.setdefault(t, len(vocabulary))) for t in tokens(key[0])))
        collection = collections.setdefault(unit.collection, len(collections))
        reviewed = unit.reviewer is not None
        provenance.append((entry, unit.id, collection, day(unit.date), unit.release, unit.confidence, reviewed))
    return _pack(codes, provenance, vocabulary, list(collections))


def _token_forms(vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Per token, the id of its case-folded form and of its word (NUMBER for a number, -1 for
    punctuation); case-folded forms not yet in `vocabulary` are added to it."""
    for token in list(vocabulary):
        vocabulary.setdefault(token.casefold(), len(vocabulary))
    folded = [vocabulary[token.casefold()] for token in vocabulary]
    word = [-1 if not WORD.match(t) else 0 if t[0].isdigit() else f for t, f in zip(vocabulary, folded, strict=True)]
    return np.array(folded, np.int32), np.array(word, np.int32)


def _pack(codes: list[str], provenance: list, vocabulary: dict[str, int], collections: list[str]) -> FuzzyIndex:
    folded_ids, word_ids = _token_forms(vocabulary)
    sizes = np.fromiter(map(len, codes), np.int64, len(codes))
    text = "".join(codes)
    points = np.frombuffer(text.encode("utf-32-le"), "<u4").astype(np.int64)
    points[points >= 0xD800 + _SURROGATES] -= _SURROGATES
    token_ids = points - _FIRST_CHAR
    starts = np.cumsum(sizes) - sizes
    in_words = word_ids[token_ids] >= 0
    lengths = np.bincount(np.repeat(np.arange(len(codes)), sizes)[in_words], minlength=len(codes)).astype(np.int32)
    order = np.argsort(lengths, kind="stable")
    renumber = np.empty_like(order)
    renumber[order] = np.arange(len(order))
    token_ids = token_ids[_gather(starts[order], sizes[order])]
    lengths, sizes = lengths[order], sizes[order]
    offsets = np.zeros(len(codes) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    owners = np.repeat(np.arange(len(codes), dtype=np.int64), sizes)
    # Postings are by word: every number one token, as `words` has it, and no punctuation; a
    # number is posted again under its value.
    words_of = word_ids[token_ids]
    posted = np.concatenate([words_of[words_of >= 0], token_ids[words_of == 0]])
    owners = np.concatenate([owners[words_of >= 0], owners[words_of == 0]])
    repeats, items = _occurrence_items(posted, owners, len(vocabulary))
    pairs = np.sort(items * max(len(codes), 1) + owners)
    item_ids, post_entries = np.divmod(pairs, max(len(codes), 1))
    post_offsets = np.searchsorted(item_ids, np.arange(len(vocabulary) + len(repeats) + 1))
    prov = np.array(provenance, dtype=np.float64).reshape(-1, 7)  # float64 holds the int ids exactly
    prov_entry = renumber[prov[:, 0].astype(np.int64)] if len(prov) else np.empty(0, np.int64)
    by_entry = np.argsort(prov_entry, kind="stable")
    prov = prov[by_entry]
    arrays = {
        "lengths": lengths,
        "offsets": offsets,
        "codes": token_ids.astype(np.int32),
        "post_offsets": post_offsets.astype(np.int64),
        "post_entries": post_entries.astype(np.int32),
        "repeats": repeats,
        "word_ids": word_ids,
        "folded_ids": folded_ids,
        "prov_offsets": np.searchsorted(prov_entry[by_entry], np.arange(len(codes) + 1)).astype(np.int64),
        "prov_units": prov[:, 1].astype(np.int64),
        "prov_collections": prov[:, 2].astype(np.int32),
        "prov_days": prov[:, 3].astype(np.int32),
        "prov_releases": prov[:, 4].astype(np.int64),
        "prov_confidence": prov[:, 5],
        "prov_reviewed": prov[:, 6].astype(np.int8),
        "best_rows": np.empty(0, np.int64),
    }
    index = FuzzyIndex(arrays, list(vocabulary), collections)
    index.best = arrays["best_rows"] = index.best_rows(np.arange(len(codes)))
    return index


def _occurrence_items(token_ids: np.ndarray, owners: np.ndarray, vocabulary_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Posting item per token: the word itself for its first occurrence in a segment, then
    one item per (word, k) for the k-th repeat, numbered after the vocabulary."""
    owner_tokens = owners * vocabulary_size + token_ids
    by_owner = np.argsort(owner_tokens, kind="stable")
    owner_token = owner_tokens[by_owner]
    starts = np.r_[True, owner_token[1:] != owner_token[:-1]] if len(owner_token) else np.empty(0, bool)
    positions = np.arange(len(owner_token))
    occurrence = positions - np.maximum.accumulate(np.where(starts, positions, 0))
    tokens = token_ids[by_owner]
    keys = tokens * _MAX_OCCURRENCES + occurrence
    repeats = np.unique(keys[occurrence > 0])
    items = np.where(occurrence > 0, vocabulary_size + np.searchsorted(repeats, keys), tokens)
    ordered = np.empty_like(items)
    ordered[by_owner] = items
    return repeats, ordered
