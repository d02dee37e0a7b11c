"""Terms found in a text, inflected or not: Russian words are compared by their lemmas (pymorphy3),
Turkmen words by the stems their case endings come off to, English words as written but for a
possessive 's. A longer term found wins over the shorter ones inside it."""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tm.langs import fold, russian_morphology
from tm.store.terms import Term
from tm.terms.candidates import WORD
from tm.terms.forms import turkmen_stems


@dataclass(frozen=True)
class TermMatch:
    """A term of the termbase found in a text: where, as written there, and its translation."""

    term: Term
    found: str
    start: int
    end: int
    translation: str | None

    def as_json(self) -> dict:
        return {
            "id": self.term.id,
            "found": self.found,
            "start": self.start,
            "end": self.end,
            "term": self.term.terms,
            "translation": self.translation,
            "status": self.term.status,
        }


@functools.lru_cache(maxsize=100_000)
def word_keys(word: str, lang: str) -> frozenset[str]:
    """What a word is compared by: its folded form, and its lemmas (ru) or stems (tk)."""
    folded = fold(word)
    if lang == "ru":
        bare = re.sub(r"^(?:\w\.)+", "", folded)
        return frozenset({folded, *(p.normal_form.replace("ё", "е") for p in russian_morphology().parse(bare))})
    if lang == "tk":
        return frozenset(fold(stem) for stem in turkmen_stems(word))
    return frozenset({folded, re.sub(r"['’]s?$", "", folded)})


class Glossary:
    """The entries of a termbase that translate `source` into `target`, ready to be found in texts."""

    def __init__(self, entries: Iterable[Term], source: str, target: str) -> None:
        self.source, self.target = source, target
        self._by_first: dict[str, list[tuple[Term, list[frozenset[str]]]]] = defaultdict(list)
        for entry in entries:
            if entry.status == "rejected" or source not in entry.terms or target not in entry.terms:
                continue
            for form in entry.forms(source):
                keys = [word_keys(word, source) for word in WORD.findall(form)]
                if keys:
                    for key in keys[0]:
                        self._by_first[key].append((entry, keys))

    def __len__(self) -> int:
        return len(self._by_first)

    def find(self, text: str) -> list[TermMatch]:
        """The terms in `text`, longest first where they overlap, in the order they stand."""
        if not self._by_first:  # no termbase: no word is analysed (pymorphy3 loads in a second)
            return []
        words = list(WORD.finditer(text))
        keys = [word_keys(w.group(), self.source) for w in words]
        found: dict[tuple[int, int], Term] = {}
        for i, word_key in enumerate(keys):
            for entry, wanted in {id(c): c for key in word_key for c in self._by_first.get(key, ())}.values():
                size = len(wanted)
                if i + size <= len(keys) and all(wanted[j] & keys[i + j] for j in range(size)):
                    span = (words[i].start(), words[i + size - 1].end())
                    if span not in found or _better(entry, found[span]):
                        found[span] = entry
        return self._without_overlaps(text, found)

    def _without_overlaps(self, text: str, found: dict[tuple[int, int], Term]) -> list[TermMatch]:
        taken: list[tuple[int, int]] = []
        for start, end in sorted(found, key=lambda span: (span[0] - span[1], span[0])):
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
        return [
            TermMatch(found[span], text[span[0] : span[1]], *span, found[span].terms.get(self.target))
            for span in sorted(taken)
        ]


def _better(entry: Term, other: Term) -> bool:
    """Of two entries for the same words: the approved one, else the more frequent."""
    return (entry.status == "approved", entry.count) > (other.status == "approved", other.count)
