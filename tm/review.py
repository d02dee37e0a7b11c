"""What a reviewer does to a unit: accept it, edit it, split it, merge it with the next one, re-link
one language of it to the unit beside it, say it is not a translation, delete it, or undo any of
these.

Each operation builds the units that replace the old ones and hands them to the store, which
keeps the correction (who, when, before, after) and marks the new units reviewed: they rank above
unreviewed matches, exports mark them, and rebuilds, realigns and imports leave them as they are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from tm.errors import StoreError, TmError
from tm.formats import ImportedUnit, ReadReport, checked, format_for, get_format
from tm.langs import CODES, check_lang
from tm.segment import split as split_sentences
from tm.store import Correction, TranslationMemory, UnitRecord

__all__ = [
    "ACTIONS",
    "FileCorrections",
    "accept",
    "add_language",
    "apply",
    "corrections_from_file",
    "delete",
    "edit",
    "merge",
    "not_translation",
    "relink",
    "split",
    "undo",
]


ACTIONS = ("edit", "add-language", "accept", "split", "merge", "relink", "not-translation", "delete")


def apply(
    tm: TranslationMemory,
    unit_id: int,
    action: str,
    user: str,
    *,
    texts: dict[str, str] | None = None,
    at: dict[str, int] | None = None,
    lang: str = "",
    to: str = "next",
    expect: int | None = None,
) -> int:
    """The correction `action` (one of ACTIONS, as the web and the API name them) with its
    options: `texts` for edit and add-language, `at` for split, `lang` and `to` for relink."""
    operations = {
        "edit": lambda: edit(tm, unit_id, texts or {}, user, expect),
        "add-language": lambda: add_language(tm, unit_id, texts or {}, user, expect),
        "accept": lambda: accept(tm, unit_id, user, expect),
        "split": lambda: split(tm, unit_id, user, at, expect),
        "merge": lambda: merge(tm, unit_id, user, expect),
        "relink": lambda: relink(tm, unit_id, lang, user, to, expect),
        "not-translation": lambda: not_translation(tm, unit_id, user, expect),
        "delete": lambda: delete(tm, unit_id, user, expect),
    }
    if action not in operations:
        raise TmError(f"no action {action!r} (one of {', '.join(ACTIONS)})")
    return operations[action]()


def accept(tm: TranslationMemory, unit_id: int, user: str, expect: int | None = None) -> int:
    """Mark the unit right as it stands; returns the correction's id. Every operation here reads
    the unit and writes its correction in one transaction, and with `expect` (the version the
    person saw) refuses with a Conflict when the unit has changed since."""
    with tm.transaction():
        unit = tm.require_version(unit_id, expect)
        return tm.record_correction(user, "accept", [unit], [unit])


def edit(tm: TranslationMemory, unit_id: int, texts: dict[str, str], user: str, expect: int | None = None) -> int:
    """Replace some of the unit's texts (language -> new text; an empty text is refused: use
    `not_translation` to take a language out of a unit)."""
    with tm.transaction():
        unit = tm.require_version(unit_id, expect)
        return tm.record_correction(user, "edit", [unit], [_edited(unit, texts)])


def add_language(
    tm: TranslationMemory, unit_id: int, texts: dict[str, str], user: str, expect: int | None = None
) -> int:
    """Give the unit a translation in a language it lacks (language -> text): the sentence the
    aligner found no counterpart for, written by a person. It is not on any page, as an edited
    text is not."""
    with tm.transaction():
        unit = tm.require_version(unit_id, expect)
        for lang, text in texts.items():
            check_lang(lang)
            if lang in unit.texts:
                raise TmError(f"unit {unit_id} has a {lang} sentence already: edit it")
            if not text.strip():
                raise TmError(f"the new {lang} text of unit {unit_id} is empty")
        if not texts:
            raise TmError(f"give unit {unit_id} a text in the language it lacks")
        spans = {**unit.spans, **{lang: (None, 1) for lang in texts}}
        added = replace(unit, spans=spans, texts={**unit.texts, **{lang: text.strip() for lang, text in texts.items()}})
        return tm.record_correction(user, "add language", [unit], [added])


def _edited(unit: UnitRecord, texts: dict[str, str]) -> UnitRecord:
    for lang, text in texts.items():
        check_lang(lang)
        if not text.strip():
            raise TmError(f"the new {lang} text of unit {unit.id} is empty")
        if lang not in unit.texts:
            raise TmError(f"unit {unit.id} has no {lang} sentence to edit")
    return replace(unit, texts={**unit.texts, **{lang: text.strip() for lang, text in texts.items()}})


def split(
    tm: TranslationMemory, unit_id: int, user: str, at: dict[str, int] | None = None, expect: int | None = None
) -> int:
    """Split the unit in two: `at` gives, per language, how many of its sentences go to the first
    part (by default one, the rest going to the second)."""
    with tm.transaction():
        unit = tm.require_version(unit_id, expect)
        return tm.record_correction(user, "split", [unit], _parts(tm, unit, at or {}))


def _parts(tm: TranslationMemory, unit: UnitRecord, at: dict[str, int]) -> list[UnitRecord]:
    unit_id = unit.id
    sentences = {lang: _sentences(tm, unit, lang) for lang in unit.texts}
    at = {lang: 1 for lang in sentences} | at
    for lang, count in at.items():
        if lang not in sentences or not 0 <= count <= len(sentences[lang]):
            have = len(sentences.get(lang, []))
            raise TmError(f"unit {unit_id} has {have} {lang} sentence(s): cannot put {count} in the first part")
    first = _part(unit, sentences, {lang: (0, at[lang]) for lang in sentences})
    second = _part(unit, sentences, {lang: (at[lang], len(sentences[lang])) for lang in sentences})
    if not first.texts or not second.texts:
        raise TmError(f"unit {unit_id}: both parts of a split need a sentence (it has {_shape(sentences)})")
    return [first, replace(second, id=None, position=unit.position + 0.5)]


def merge(tm: TranslationMemory, unit_id: int, user: str, expect: int | None = None) -> int:
    """Join the unit with the next unit of its release."""
    with tm.transaction():
        unit = tm.require_version(unit_id, expect)
        following, merged = _merged(tm, unit)
        return tm.record_correction(user, "merge", [unit, following], [merged])


def _merged(tm: TranslationMemory, unit: UnitRecord) -> tuple[UnitRecord, UnitRecord]:
    units = tm.release_units(unit.release)
    following = next((u for u in units if u.position > unit.position), None)
    if following is None:
        raise TmError(f"unit {unit.id} is the last of its release: nothing to merge it with")
    joined = {lang: _joined([unit, following], lang) for lang in CODES if lang in unit.texts or lang in following.texts}
    spans = {lang: span for lang, (span, _text) in joined.items()}
    texts = {lang: text for lang, (_span, text) in joined.items()}
    return following, replace(unit, spans=spans, texts=texts)


def relink(
    tm: TranslationMemory, unit_id: int, lang: str, user: str, to: str = "next", expect: int | None = None
) -> int:
    """Move the unit's `lang` sentences to the unit beside it (`to`: "next" or "previous"), where
    they belong: the alignment slipped by a sentence in one language. The neighbour takes them
    beside its own; the unit keeps its other languages."""
    check_lang(lang)
    if to not in ("next", "previous"):
        raise TmError(f"re-link to {to!r}: say next or previous")
    with tm.transaction():
        unit = tm.require_version(unit_id, expect)
        pair, made = _relinked(tm, unit, lang, to)
        return tm.record_correction(user, "relink", pair, made)


def _relinked(tm: TranslationMemory, unit: UnitRecord, lang: str, to: str) -> tuple[list[UnitRecord], list[UnitRecord]]:
    unit_id = unit.id
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
    return pair, [u for u in sorted([left, gained], key=lambda u: u.position) if u.texts]


def _joined(units: list[UnitRecord], lang: str) -> tuple[tuple[int | None, int], str]:
    """The span and text of `lang` over `units` (in order), as one side."""
    parts = [u for u in units if lang in u.spans]
    firsts = [u.spans[lang][0] for u in parts]
    first = None if None in firsts else min(firsts)
    return (first, sum(u.spans[lang][1] for u in parts)), " ".join(u.texts[lang] for u in parts)


def _without(mapping: dict, lang: str) -> dict:
    return {key: value for key, value in mapping.items() if key != lang}


def not_translation(tm: TranslationMemory, unit_id: int, user: str, expect: int | None = None) -> int:
    """The unit's sentences are not translations of each other: each language stays, alone."""
    return _apart(tm, unit_id, user, "not a translation", expect)


def delete(tm: TranslationMemory, unit_id: int, user: str, expect: int | None = None) -> int:
    """Take the unit out of lookups and exports. Its sentences stay in the release, each language
    alone and reviewed, so that a rebuild does not bring the unit back."""
    return _apart(tm, unit_id, user, "delete", expect)


def undo(tm: TranslationMemory, correction_id: int, user: str) -> Correction:
    """Put the release back as it was before the correction."""
    return tm.undo(correction_id, user)


def _apart(tm: TranslationMemory, unit_id: int, user: str, action: str, expect: int | None) -> int:
    with tm.transaction():
        unit = tm.require_version(unit_id, expect)
        if len(unit.texts) < 2:
            raise TmError(f"unit {unit_id} has one language already")
        alone = [
            replace(unit, id=unit.id if n == 0 else None, spans={lang: unit.spans[lang]}, texts={lang: text})
            for n, (lang, text) in enumerate(unit.texts.items())
        ]
        return tm.record_correction(user, action, [unit], alone)


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


@dataclass
class FileCorrections:
    """What `corrections_from_file` did: units edited, units found as they are in the TM, and
    units left alone, by reason."""

    corrected: int = 0
    unchanged: int = 0
    left: Counter = field(default_factory=Counter)


def corrections_from_file(tm: TranslationMemory, path: Path, user: str, fmt: str | None = None) -> FileCorrections:
    """Apply a file exported from this TM and corrected elsewhere (in a CAT tool, a spreadsheet):
    each unit of the file that names a unit of the TM (TMX tuid with x-collection and x-release,
    PO msgctxt, the table's unit column) and keeps at least one of its texts as stored becomes an
    edit of the texts that differ, reviewed by `user`. Nothing is added: a unit that names no unit
    of the TM, or whose texts all differ from it, is left out and counted. All or nothing: one
    transaction."""
    path = Path(path)
    if not path.is_file():
        raise TmError("file not found", path)
    found = FileCorrections()
    units = checked(get_format(format_for(path, fmt)).read(path, ReadReport()), path)
    with tm.transaction():
        for unit in units:
            _apply_file_unit(tm, unit, user, f"edit ({path.name})", found)
    return found


def _apply_file_unit(tm: TranslationMemory, unit: ImportedUnit, user: str, action: str, found: FileCorrections) -> None:
    stored = _named_unit(tm, unit)
    if stored is None:
        found.left["names no unit of this TM that holds one of its texts as stored"] += 1
        return
    texts = {lang: text for lang, text in unit.texts.items() if text}
    changed = {lang: text for lang, text in texts.items() if stored.texts.get(lang) != text}
    if not changed:
        found.unchanged += 1
    elif any(lang not in stored.texts for lang in changed):
        found.left["it adds a language the unit does not have"] += 1
    else:
        edited = replace(stored, texts={**stored.texts, **changed})
        tm.record_correction(user, action, [stored], [edited])
        found.corrected += 1


def _named_unit(tm: TranslationMemory, unit: ImportedUnit) -> UnitRecord | None:
    """The tri-unit of this TM that a unit of an exported file stands for, if any. A pairwise
    export numbers its units by pair unit, a three-language export by tri-unit: the id is tried as
    both, and taken where the unit is of the named release and shares a text with the file's."""
    reference = _reference(unit.properties)
    if reference is None:
        return None
    collection, release_id, number = reference
    candidates = [lambda: tm.tri_unit_of_pair(number), lambda: tm.tri_unit(number)]
    if len(unit.texts) == 3:
        candidates.reverse()
    for candidate in candidates:
        try:
            named = candidate()
        except StoreError:
            continue
        same_release = named is not None and (named.collection, named.release_id) == (collection, release_id)
        if same_release and any(named.texts.get(lang) == text for lang, text in unit.texts.items()):
            return named
    return None


def _reference(props: dict[str, str]) -> tuple[str, str, int] | None:
    """(collection, release, unit id) as our TMX, PO and table exports write them."""
    if "#" in props.get("msgctxt", ""):
        where, _, number = props["msgctxt"].rpartition("#")
        collection, _, release_id = where.partition("/")  # a release id may hold slashes; a collection not
    else:
        number = props.get("x-tuid") or props.get("unit", "")
        collection = props.get("x-collection") or props.get("collection", "")
        release_id = props.get("x-release") or props.get("release", "")
    number = number.removesuffix(".0")  # a spreadsheet may have made the id a float
    if not (number.isdigit() and collection and release_id):
        return None
    return collection, release_id, int(number)
