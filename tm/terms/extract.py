"""A termbase learned from the aligned units: candidate terms in each language, put in their
dictionary form, and linked across tk/ru/en by how often they stand in the same unit.

Linking is competitive (Melamed 2000): every pair of candidates of two languages that share units
is scored by the Dice coefficient of the units they stand in, raised by how alike the two read
in plain Latin (names: Mongolia, Монголия, Mongoliýa); the best pair is linked first and each
candidate is linked at most once, so a name is not also linked to the title it stands beside.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from rapidfuzz.distance import Indel

from tm.langs import CODES, fold, transliterate
from tm.terms.candidates import JOINERS, candidates, words
from tm.terms.forms import (
    GENITIVE_ENDINGS,
    english_form,
    genitive,
    noun,
    russian_form,
    russian_readings,
    turkmen_form,
    turkmen_stems,
)

_WITHOUT_INITIALS = re.compile(r"^(?:\w\.)+(?=\w)")
MIN_UNITS = 2  # a candidate standing in fewer units is not linked
MIN_SHARED = 3  # units two candidates must share to be linked, unless they read alike
MIN_DICE = 0.3
MIN_SIMILAR_DICE = 0.15  # names that read alike are linked on less co-occurrence
SIMILAR = 0.75  # plain-Latin similarity from which two candidates read alike
MAX_EXAMPLES = 5
READING_MARGIN = 0.05  # how much more alike another reading of a Russian name must read to be taken
ALTERNATE_DICE = 0.5  # how often another name must stand beside a term's to be listed as its variant
NESTED = 0.9  # share of its units in which a candidate stands inside a longer one, to be left out
_PAIRS = (("en", "ru"), ("en", "tk"), ("ru", "tk"))


@dataclass
class Candidate:
    """One language's term candidate: its dictionary form, the units it stands in and how it is written."""

    form: str
    units: set[int] = field(default_factory=set)
    written: Counter = field(default_factory=Counter)
    forms: Counter = field(default_factory=Counter)  # the dictionary forms of what is written, as cased there
    readings: set[str] = field(default_factory=set)  # other nominatives a one-word Russian name may have

    def settle(self) -> None:
        """Take as its form the one written most often, in a heading's capitals only if never otherwise."""
        self.form = max(self.forms, key=lambda form: (not _shouting(form), self.forms[form], form))


def _shouting(form: str) -> bool:
    """A name in a heading's capitals (TURKMENISTAN), not an acronym (UN, BMG)."""
    return form.isupper() and any(len(word) > 4 for word in form.split())


@dataclass
class Extracted:
    """A termbase entry as learned: terms per language, their other forms, units it stands in."""

    terms: dict[str, str]
    variants: dict[str, list[str]]
    count: int
    score: float
    examples: list[int]


class _Texts:
    """Which words the units write, to choose the dictionary form the texts themselves use."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words: set[str] = set()
        self.capitals: set[str] = set()
        for text in texts:
            for word, _, initial in words(text):
                self.words.add(fold(word))
                self.words.add(fold(_WITHOUT_INITIALS.sub("", word)))
                if not initial and word[:1].isupper():
                    self.capitals.add(word)

    def attested(self, form: str) -> bool:
        return fold(form) in self.words

    def stem_support(self) -> Counter:
        """Turkmen: for each stem, how many words of the texts may be inflections of it."""
        support: Counter = Counter()
        for word in self.words:
            support.update(fold(stem) for stem in turkmen_stems(word))
        return support


def _former(lang: str, texts: _Texts, dictionary_forms: bool):
    cache: dict[str, str] = {}
    support = texts.stem_support() if lang == "tk" and dictionary_forms else Counter()

    def form(written: str) -> str:
        if not dictionary_forms:
            return written
        if written not in cache:
            if lang == "ru":
                cache[written] = russian_form(written, texts.attested)
            elif lang == "tk":
                cache[written] = turkmen_form(written, lambda stem: support[fold(stem)])
            else:
                cache[written] = english_form(written)
        return cache[written]

    return form


def gather(
    units: Iterable[tuple[int, dict[str, str]]], dictionary_forms: bool = True
) -> dict[str, dict[str, Candidate]]:
    """Each language's candidates, by folded dictionary form (or as written), with their units."""
    units = list(units)
    found: dict[str, dict[str, Candidate]] = {lang: {} for lang in CODES}
    for lang in CODES:
        keys: dict[str, str] = {}  # candidate as written -> its key
        texts = _Texts(texts[lang] for _, texts in units if lang in texts)
        form = _former(lang, texts, dictionary_forms)
        for unit_id, unit_texts in units:
            if lang not in unit_texts:
                continue
            for written in set(candidates(unit_texts[lang], lang, texts.capitals.__contains__)):
                dictionary = form(written)
                keys[written] = fold(dictionary)
                candidate = found[lang].setdefault(keys[written], Candidate(dictionary))
                candidate.units.add(unit_id)
                candidate.written[written] += 1
                candidate.forms[dictionary] += 1
                if lang == "ru" and dictionary_forms and " " not in written:
                    candidate.readings |= russian_readings(written)
        for candidate in found[lang].values():
            candidate.settle()
        _drop_nested(found[lang], keys, lang)
    return found


def _drop_nested(found: dict[str, Candidate], keys: dict[str, str], lang: str) -> None:
    """Take out the candidates that are nearly always part of one longer candidate (North and
    Korea of North Korea, Организация Объединённых of Организация Объединённых Наций): linked
    on their own, they would take the translation of the whole. A name that only complements
    the longer one (Mongolia of Ambassador of Mongolia) stands on its own and stays."""
    nested = set()
    for key, candidate in found.items():
        if len(candidate.units) < MIN_UNITS:
            continue
        for written in candidate.written:
            if not _solid(written):
                continue
            for run, before, after in _inner_runs(written):
                part = keys.get(run)
                if part is None or part == key or _complement(lang, run, before, after):
                    continue
                if len(found[part].units & candidate.units) >= NESTED * len(found[part].units):
                    nested.add(part)
    for key in nested:
        del found[key]


def _solid(written: str) -> bool:
    """A name whose every word is capitalised (but for English joiners): only such a name is one
    whole; a run that goes on over lower-case words (Awstraliýada geçirilen oýunlar) may not be."""
    return all(word[:1].isupper() or word in JOINERS for word in written.split(" "))


def _inner_runs(written: str) -> Iterable[tuple[str, list[str], list[str]]]:
    """Each shorter run of words of `written`, with the words before and after it."""
    words_ = written.split(" ")
    for size in range(1, len(words_)):
        for start in range(len(words_) - size + 1):
            yield " ".join(words_[start : start + size]), words_[:start], words_[start + size :]


def _complement(lang: str, run: str, before: list[str], after: list[str]) -> bool:
    """Whether `run` is a name of its own inside a longer one: after or before `of` in English
    (Ambassador of Mongolia), a genitive after the head in Russian (Посол Монголии), a genitive
    before it in Turkmen (Mongoliýanyň Ilçisi)."""
    if lang == "en":
        return bool(before and before[-1] in JOINERS) or bool(after and after[0] in JOINERS)
    if lang == "ru":
        return bool(before) and not after and noun(before[-1]) and genitive(run.split(" ")[0])
    return bool(after) and not before and run.split(" ")[-1].lower().endswith(GENITIVE_ENDINGS)


def _similarity(a: str, b: str) -> float:
    return Indel.normalized_similarity(transliterate(a).strip(), transliterate(b).strip())


def _scored_pairs(left: dict[str, Candidate], right: dict[str, Candidate]) -> list[tuple[float, str, str, int]]:
    """(score, left key, right key, shared units) for every pair worth linking, best first."""
    by_unit: dict[int, list[str]] = defaultdict(list)
    for key, candidate in right.items():
        if len(candidate.units) >= MIN_UNITS:
            for unit in candidate.units:
                by_unit[unit].append(key)
    scored = []
    for key, candidate in left.items():
        if len(candidate.units) < MIN_UNITS:
            continue
        shared = Counter(other for unit in candidate.units for other in by_unit.get(unit, ()))
        for other, count in shared.items():
            if count < MIN_UNITS:
                continue
            dice = 2 * count / (len(candidate.units) + len(right[other].units))
            similar = _similarity(candidate.form, right[other].form)
            if count < MIN_SHARED and similar < SIMILAR:
                continue
            if dice >= MIN_DICE or (similar >= SIMILAR and dice >= MIN_SIMILAR_DICE):
                score = dice + (similar if similar >= SIMILAR else 0.0) / 2 + _length_agreement(key, other) / 4
                scored.append((score, key, other, count))
    scored.sort(key=lambda item: (-item[0], -item[3], item[1], item[2]))
    return scored


def _length_agreement(left: str, right: str) -> float:
    """1 when two terms have as many words, less the more they differ (North Korea / Demirgazyk
    Koreýa rather than North / Demirgazyk Koreýa)."""
    if _acronym(left) or _acronym(right):
        return 1.0  # UN / Birleşen Milletler Guramasy: an acronym stands for any number of words
    a, b = len(left.split()), len(right.split())
    return min(a, b) / max(a, b)


def _acronym(term: str) -> bool:
    return " " not in term and sum(letter.isupper() for letter in term) >= 2


def link(left: dict[str, Candidate], right: dict[str, Candidate]) -> dict[str, tuple[str, float]]:
    """Competitive linking: left key -> (right key, score), each key of either side used once;
    then a left candidate still unlinked may share a right one that reads alike, or whose holder
    is the same word with an ending, and stands beside it as often (Indonesia and Indonesian,
    both Indoneziýa; South Korea and South Korean, both Южная Корея)."""
    linked: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    scored = _scored_pairs(left, right)
    for score, key, other, _ in scored:
        if key not in linked and other not in taken:
            linked[key] = (other, score)
            taken.add(other)
    holders = {other: key for key, (other, _) in linked.items()}
    for score, key, other, count in scored:
        dice = 2 * count / (len(left[key].units) + len(right[other].units))
        if key in linked or dice < MIN_DICE:
            continue
        holder = holders.get(other, "")
        if _similarity(left[key].form, right[other].form) >= SIMILAR or _same_word(key, holder):
            linked[key] = (other, score)
    return linked


def _same_word(key: str, other: str) -> bool:
    """South Korea and South Korean: one the other with an ending."""
    shorter, longer = sorted((key, other), key=len)
    return bool(shorter) and longer.startswith(shorter) and len(longer) - len(shorter) <= 3


def extract(units: Iterable[tuple[int, dict[str, str]]], dictionary_forms: bool = True) -> list[Extracted]:
    """Termbase entries learned from (unit id, texts per language), the most frequent first."""
    found = gather(units, dictionary_forms)
    links = {pair: link(found[pair[0]], found[pair[1]]) for pair in _PAIRS}
    entries = [*_entries_from_english(found, links), *_entries_without_english(found, links)]
    entries = _without_fragments(entries)
    entries.sort(key=lambda e: (-e.count, -e.score, e.terms.get("en", ""), e.terms.get("ru", "")))
    return entries


def _entries_from_english(found, links) -> Iterable[Extracted]:
    alternates = {lang: _Alternates(found[lang], links[("en", lang)]) for lang in ("ru", "tk")}
    for key in found["en"]:
        members = {"en": key}
        scores = []
        for lang in ("ru", "tk"):
            if key in links[("en", lang)]:
                members[lang], score = links[("en", lang)][key]
                scores.append(score)
        if len(members) > 1:
            entry = _entry(found, members, sum(scores) / len(scores))
            for lang, other in alternates.items():
                if lang in members:
                    entry.variants[lang] = sorted(
                        {*entry.variants.get(lang, []), *other.of(found["en"][key], members[lang])}
                    )
            yield entry


class _Alternates:
    """Other names of what an English term is linked to, that the texts write beside it as often:
    the full name of what is linked by its short one (Организация Объединённых Наций for
    Объединённые Нации) and other names altogether (КНДР for Северная Корея). Not parts of it."""

    def __init__(self, candidates_: dict[str, Candidate], linked: dict[str, tuple[str, float]]) -> None:
        self.candidates = candidates_
        taken = {other for other, _ in linked.values()}
        self.by_unit: dict[int, list[str]] = defaultdict(list)
        for key, candidate in candidates_.items():
            if key not in taken and len(candidate.units) >= MIN_SHARED and _solid(candidate.form):
                for unit in candidate.units:
                    self.by_unit[unit].append(key)

    def of(self, english: Candidate, linked: str) -> list[str]:
        shared = Counter(key for unit in english.units for key in self.by_unit.get(unit, ()))
        found = []
        for key, count in shared.items():
            dice = 2 * count / (len(english.units) + len(self.candidates[key].units))
            if count >= MIN_SHARED and dice >= ALTERNATE_DICE and _not_part(key, linked):
                found.append(self.candidates[key].form)
        return found


def _not_part(key: str, linked: str) -> bool:
    """Whether `key` holds all of `linked` or none of its words (by their first four letters)."""
    stems = {word[:4] for word in key.split()}
    linked_stems = {word[:4] for word in linked.split()}
    return linked_stems < stems or not stems & linked_stems


def _entries_without_english(found, links) -> Iterable[Extracted]:
    linked_ru = {other for other, _ in links[("en", "ru")].values()}
    linked_tk = {other for other, _ in links[("en", "tk")].values()}
    for key, (other, score) in links[("ru", "tk")].items():
        if key not in linked_ru and other not in linked_tk:
            yield _entry(found, {"ru": key, "tk": other}, score)


def _entry(found, members: dict[str, str], score: float) -> Extracted:
    candidates_ = {lang: found[lang][key] for lang, key in members.items()}
    shared = set.intersection(*(c.units for c in candidates_.values()))
    together = shared or max(
        (a.units & b.units for a, b in combinations(candidates_.values(), 2)), key=len, default=set()
    )
    terms = {lang: c.form for lang, c in candidates_.items()}
    if "en" in terms and "ru" in terms:
        terms["ru"] = _reading_like(candidates_["ru"], terms["en"])
    return Extracted(
        terms=terms,
        variants={
            lang: sorted(w for w in c.written if w != c.form) for lang, c in candidates_.items() if len(c.written)
        },
        count=len(together),
        score=round(score, 3),
        examples=sorted(together)[:MAX_EXAMPLES],
    )


def _reading_like(candidate: Candidate, english: str) -> str:
    """Of the nominatives a Russian name may be read as, the one that reads most like its English
    (Doyle: Дойл, not Дойла), where it reads clearly more alike than pymorphy3's choice."""
    best = max(sorted(candidate.readings), key=lambda form: _similarity(form, english), default=candidate.form)
    if _similarity(best, english) >= _similarity(candidate.form, english) + READING_MARGIN:
        return best
    return candidate.form


def _inside(short: str, long: str) -> bool:
    return short != long and f" {short} " in f" {long} "


def _without_fragments(entries: list[Extracted]) -> list[Extracted]:
    """Entries that are only ever part of a longer one (Korea/Корея beside North Korea/Северная
    Корея, in as many units) say nothing the longer one does not."""
    folded = [{lang: fold(term) for lang, term in entry.terms.items()} for entry in entries]
    by_word: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, terms in enumerate(folded):
        for lang, term in terms.items():
            for word in set(term.split()):
                by_word[lang, word].append(index)
    kept = []
    for index, (entry, terms) in enumerate(zip(entries, folded, strict=True)):
        lang, term = next(iter(terms.items()))
        others = by_word[lang, term.split()[0]]
        covered = any(
            other != index
            and entries[other].count >= entry.count
            and all(lang in folded[other] and _inside(t, folded[other][lang]) for lang, t in terms.items())
            for other in others
        )
        if not covered:
            kept.append(entry)
    return kept
