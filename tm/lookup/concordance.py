"""Concordance: the units whose source holds a phrase, each word matched by its stem (Russian by
its lemma), then the sentences of pages stored with no counterpart yet."""

from __future__ import annotations

import re

import numpy as np

from tm.langs import CODES, russian_lemmas
from tm.lookup.checks import check_collections, check_options, check_query
from tm.lookup.filters import Filters
from tm.lookup.fuzzy import Match, penalty
from tm.lookup.index import FuzzyIndex
from tm.lookup.score import tokens
from tm.lookup.views import index_for
from tm.store import TranslationMemory


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


def concordance(
    tm: TranslationMemory, phrase: str, source: str, target: str, top: int = 20, filters: Filters | None = None
) -> list[Match]:
    """Units whose `source` side holds `phrase`, each word matched by its stem as a prefix,
    so "переговоры" finds "переговорах" and "gepleşik" finds "gepleşiklerde"; then the sentences
    of pages stored with no counterpart yet, marked as having no translation."""
    check_query(phrase, source)
    check_options(source, target, 0, top)
    check_collections(tm, filters)
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
