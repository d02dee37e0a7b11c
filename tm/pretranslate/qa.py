"""The term check of a translated file: each segment whose source holds an approved term of the
termbase and whose target holds neither that term's translation nor any inflection of it (nor one
of its listed variants), as memoQ's and Trados' terminology QA report it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from lxml import etree

from tm.errors import InputError
from tm.store import TranslationMemory
from tm.terms import Glossary


@dataclass(frozen=True)
class TermProblem:
    """A segment whose target lacks the approved translation of a term its source holds."""

    where: str  # "line N" of a PO, the unit's id of an XLIFF or TMX, else its number
    source: str
    target: str
    term: str  # as found in the source
    expected: str  # the approved translation

    def as_json(self) -> dict:
        return asdict(self)


def check_terms(tm: TranslationMemory, path: Path, source: str, target: str) -> list[TermProblem]:
    """The term problems of a PO, XLIFF or TMX file; untranslated segments are not checked."""
    approved = tm.termbase.entries(langs=(source, target), status="approved")
    in_source, in_target = Glossary(approved, source, target), Glossary(approved, target, source)
    problems = []
    for where, source_text, target_text in _pairs(Path(path), source, target):
        found_in_target = {match.term.id for match in in_target.find(target_text)}
        for match in in_source.find(source_text):
            if match.term.id not in found_in_target:
                problems.append(TermProblem(where, source_text, target_text, match.found, match.translation))
    return problems


def _pairs(path: Path, source: str, target: str) -> Iterator[tuple[str, str, str]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputError("no such file", path)
    if suffix in (".po", ".pot"):
        yield from _po_pairs(path)
    elif suffix in (".xlf", ".xliff"):
        yield from _xliff_pairs(path, source, target)
    elif suffix == ".tmx":
        yield from _tmx_pairs(path, source, target)
    else:
        raise InputError(f"cannot check a {suffix or 'suffix-less'} file: give .po, .xlf/.xliff or .tmx", path)


def _po_pairs(path: Path) -> Iterator[tuple[str, str, str]]:
    import polib

    try:
        catalog = polib.pofile(str(path))
    except (OSError, ValueError) as error:
        raise InputError(f"not a readable PO file ({error})", path) from error
    for entry in catalog:
        if entry.msgid and entry.msgstr and not entry.obsolete:
            yield f"line {entry.linenum}", entry.msgid, entry.msgstr


def _xliff_pairs(path: Path, source: str, target: str) -> Iterator[tuple[str, str, str]]:
    from tm.pretranslate import xliff

    document = xliff.read(path, source, target)
    for number, place in enumerate(document.places, 1):
        namespace = etree.QName(place).namespace
        texts = [
            "".join(e.itertext()) if e is not None else ""
            for e in (place.find(f"{{{namespace}}}source"), place.find(f"{{{namespace}}}target"))
        ]
        unit = place if document.version == "1.2" else place.getparent()
        if texts[0].strip() and texts[1].strip():
            yield f"unit {unit.get('id') or number}", texts[0], texts[1]


def _tmx_pairs(path: Path, source: str, target: str) -> Iterator[tuple[str, str, str]]:
    from tm.formats import tmx
    from tm.formats.model import ReadReport

    for number, unit in enumerate(tmx.read(path, ReadReport()), 1):
        if source in unit.texts and target in unit.texts:
            yield f"unit {unit.props.get('x-tuid', number)}", unit.texts[source], unit.texts[target]
