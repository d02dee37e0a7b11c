"""What a reviewer does to a unit: accept it, edit it, split it, merge it with the next one, re-link
one language of it to the unit beside it, say it is not a translation, delete it, or undo any of
these.

Each operation builds the units that replace the old ones and hands them to the store, which
keeps the correction (who, when, before, after) and marks the new units reviewed: they rank above
unreviewed matches, exports mark them, and rebuilds, realigns and imports leave them as they are.
"""

from __future__ import annotations

from dataclasses import replace

from tm.errors import TmError
from tm.langs import CODES, check_lang
from tm.segment import split as split_sentences
from tm.store import Correction, TranslationMemory, UnitRecord

__all__ = ["accept", "delete", "edit", "merge", "not_translation", "relink", "split", "undo"]


def accept(tm: TranslationMemory, unit_id: int, user: str) -> int:
    """Mark the unit right as it stands; returns the correction's id."""
    unit = tm.tri_unit(unit_id)
    return tm.correct(user, "accept", [unit], [unit])


def edit(tm: TranslationMemory, unit_id: int, texts: dict[str, str], user: str) -> int:
    """Replace some of the unit's texts (language -> new text; an empty text is refused: use
    `not_translation` to take a language out of a unit)."""
    unit = tm.tri_unit(unit_id)
    for lang, text in texts.items():
        check_lang(lang)
        if not text.strip():
            raise TmError(f"the new {lang} text of unit {unit_id} is empty")
        if lang not in unit.texts:
            raise TmError(f"unit {unit_id} has no {lang} sentence to edit")
    edited = replace(unit, texts={**unit.texts, **{lang: text.strip() for lang, text in texts.items()}})
    return tm.correct(user, "edit", [unit], [edited])


def split(tm: TranslationMemory, unit_id: int, user: str, at: dict[str, int] | None = None) -> int:
    """Split the unit in two: `at` gives, per language, how many of its sentences go to the first
    part (by default one, the rest going to the second)."""
    unit = tm.tri_unit(unit_id)
    sentences = {lang: _sentences(tm, unit, lang) for lang in unit.texts}
    at = {lang: 1 for lang in sentences} | (at or {})
    for lang, count in at.items():
        if lang not in sentences or not 0 <= count <= len(sentences[lang]):
            have = len(sentences.get(lang, []))
            raise TmError(f"unit {unit_id} has {have} {lang} sentence(s): cannot put {count} in the first part")
    first = _part(unit, sentences, {lang: (0, at[lang]) for lang in sentences})
    second = _part(unit, sentences, {lang: (at[lang], len(sentences[lang])) for lang in sentences})
    if not first.texts or not second.texts:
        raise TmError(f"unit {unit_id}: both parts of a split need a sentence (it has {_shape(sentences)})")
    return tm.correct(user, "split", [unit], [first, replace(second, id=None, position=unit.position + 0.5)])


def merge(tm: TranslationMemory, unit_id: int, user: str) -> int:
    """Join the unit with the next unit of its release."""
    unit = tm.tri_unit(unit_id)
    units = tm.release_units(unit.release)
    following = next((u for u in units if u.position > unit.position), None)
    if following is None:
        raise TmError(f"unit {unit_id} is the last of its release: nothing to merge it with")
    joined = {lang: _joined([unit, following], lang) for lang in CODES if lang in unit.texts or lang in following.texts}
    spans = {lang: span for lang, (span, _text) in joined.items()}
    texts = {lang: text for lang, (_span, text) in joined.items()}
    merged = replace(unit, spans=spans, texts=texts)
    return tm.correct(user, "merge", [unit, following], [merged])


def relink(tm: TranslationMemory, unit_id: int, lang: str, user: str, to: str = "next") -> int:
    """Move the unit's `lang` sentences to the unit beside it (`to`: "next" or "previous"), where
    they belong: the alignment slipped by a sentence in one language. The neighbour takes them
    beside its own; the unit keeps its other languages."""
    check_lang(lang)
    if to not in ("next", "previous"):
        raise TmError(f"re-link to {to!r}: say next or previous")
    unit = tm.tri_unit(unit_id)
    if lang not in unit.texts:
        raise TmError(f"unit {unit_id} has no {lang} sentence to re-link")
    units = tm.release_units(unit.release)
    before = [u for u in units if u.position < unit.position]
    after = [u for u in units if u.position > unit.position]
    neighbour = (after[:1] if to == "next" else before[-1:]) or None
    if neighbour is None:
        raise TmError(f"unit {unit_id} has no {to} unit in its release")
    [other] = neighbour
    pair = sorted([unit, other], key=lambda u: u.position)
    moved = _joined(pair, lang)
    left = replace(unit, spans=_without(unit.spans, lang), texts=_without(unit.texts, lang))
    gained = replace(other, spans={**other.spans, lang: moved[0]}, texts={**other.texts, lang: moved[1]})
    made = [u for u in sorted([left, gained], key=lambda u: u.position) if u.texts]
    return tm.correct(user, "relink", pair, made)


def _joined(units: list[UnitRecord], lang: str) -> tuple[tuple[int | None, int], str]:
    """The span and text of `lang` over `units` (in order), as one side."""
    parts = [u for u in units if lang in u.spans]
    firsts = [u.spans[lang][0] for u in parts]
    first = None if None in firsts else min(firsts)
    return (first, sum(u.spans[lang][1] for u in parts)), " ".join(u.texts[lang] for u in parts)


def _without(mapping: dict, lang: str) -> dict:
    return {key: value for key, value in mapping.items() if key != lang}


def not_translation(tm: TranslationMemory, unit_id: int, user: str) -> int:
    """The unit's sentences are not translations of each other: each language stays, alone."""
    return _apart(tm, unit_id, user, "not a translation")


def delete(tm: TranslationMemory, unit_id: int, user: str) -> int:
    """Take the unit out of lookups and exports. Its sentences stay in the release, each language
    alone and reviewed, so that a rebuild does not bring the unit back."""
    return _apart(tm, unit_id, user, "delete")


def undo(tm: TranslationMemory, correction_id: int, user: str) -> Correction:
    """Put the release back as it was before the correction."""
    return tm.undo(correction_id, user)


def _apart(tm: TranslationMemory, unit_id: int, user: str, action: str) -> int:
    unit = tm.tri_unit(unit_id)
    if len(unit.texts) < 2:
        raise TmError(f"unit {unit_id} has one language already")
    alone = [
        replace(unit, id=unit.id if n == 0 else None, spans={lang: unit.spans[lang]}, texts={lang: text})
        for n, (lang, text) in enumerate(unit.texts.items())
    ]
    return tm.correct(user, action, [unit], alone)


def _sentences(tm: TranslationMemory, unit: UnitRecord, lang: str) -> list[str]:
    """The sentences of one side: its segments on the page, or, once edited, its text split again."""
    stored = tm.segment_texts(unit.release, lang, unit.covers(lang))
    return stored if " ".join(stored) == unit.texts[lang] else split_sentences(unit.texts[lang], lang)


def _part(unit: UnitRecord, sentences: dict[str, list[str]], ranges: dict[str, tuple[int, int]]) -> UnitRecord:
    spans, texts = {}, {}
    for lang, (start, stop) in ranges.items():
        if stop > start:
            first, count = unit.spans[lang]
            within = first is not None and count == len(sentences[lang])
            spans[lang] = (first + start if within else None, stop - start)
            texts[lang] = " ".join(sentences[lang][start:stop])
    return replace(unit, spans=spans, texts=texts)


def _shape(sentences: dict[str, list[str]]) -> str:
    return ", ".join(f"{len(found)} {lang}" for lang, found in sentences.items())
