"""Termbase files: TBX (what translate-toolkit, OmegaT, memoQ and Trados read), OmegaT's
tab-separated glossary, and CSV.

TBX: one `termEntry` per entry, a `langSet` per language in the order asked (the first is what
tools take for the source), the term in the first `tig` and each other form in a `tig` of its own
marked as a variant; the entry's status is the term's administrativeStatus (approved: preferred,
candidate: admitted, rejected: deprecated), as TBX-Basic writes it.
TSV: OmegaT's glossary, `source<TAB>target<TAB>comment`, one term a line, no header.
CSV: a header `en,ru,tk,status,count`, every language's term in its column.
Reading gives plain dicts `{"terms": {...}, "variants": {...}, "status": ...}`; a file that
declares XML entities is refused before it is parsed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from tm._version import __version__
from tm.errors import InputError, TmError
from tm.files import replacing
from tm.formats.table import as_cell, from_cell
from tm.formats.tmx import refuse_entities
from tm.langs import CODES, LANGUAGES, from_any
from tm.store.terms import STATUSES, Term

FORMATS = ("tbx", "tsv", "csv")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ADMINISTRATIVE = {
    "approved": "preferredTerm-admn-sts",
    "candidate": "admittedTerm-admn-sts",
    "rejected": "deprecatedTerm-admn-sts",
}
_STATUS_OF = {value: key for key, value in _ADMINISTRATIVE.items()}


def termbase_format(path: Path, name: str | None = None) -> str:
    guess = name or Path(path).suffix.lower().lstrip(".")
    if guess not in FORMATS:
        raise TmError(f"cannot tell the termbase format of {path}; use --format ({', '.join(FORMATS)})")
    return guess


def write(entries: Iterable[Term], path: Path, langs: tuple[str, ...], fmt: str | None = None) -> int:
    """Write the entries that have a term in the first two of `langs`; returns how many."""
    entries = [e for e in entries if all(lang in e.terms for lang in langs[:2])]
    writer = {"tbx": _write_tbx, "tsv": _write_tsv, "csv": _write_csv}[termbase_format(path, fmt)]
    with replacing(Path(path)) as temporary:
        writer(entries, temporary, langs)
    return len(entries)


def _write_tbx(entries: list[Term], path: Path, langs: tuple[str, ...]) -> None:
    root = etree.Element("martif", {"type": "TBX", XML_LANG: LANGUAGES[langs[0]].bcp47})
    description = etree.SubElement(etree.SubElement(etree.SubElement(root, "martifHeader"), "fileDesc"), "sourceDesc")
    etree.SubElement(description, "p").text = f"tm {__version__} termbase"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for entry in entries:
        element = etree.SubElement(body, "termEntry", id=f"t{entry.id}")
        if entry.count:
            etree.SubElement(element, "note").text = f"found in {entry.count} units of the TM"
        for lang in langs:
            if lang in entry.terms:
                _lang_set(element, entry, lang)
    etree.ElementTree(root).write(str(path), encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _lang_set(element: etree._Element, entry: Term, lang: str) -> None:
    lang_set = etree.SubElement(element, "langSet", {XML_LANG: LANGUAGES[lang].bcp47})
    for index, form in enumerate(entry.forms(lang)):
        tig = etree.SubElement(lang_set, "tig")
        etree.SubElement(tig, "term").text = form
        if index == 0:
            etree.SubElement(tig, "termNote", type="administrativeStatus").text = _ADMINISTRATIVE[entry.status]
        else:
            etree.SubElement(tig, "termNote", type="termType").text = "variant"


def _write_tsv(entries: list[Term], path: Path, langs: tuple[str, ...]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        for entry in entries:
            comment = f"{entry.status}; {entry.count} units" if entry.count else entry.status
            handle.write("\t".join(_one_line(t) for t in (entry.terms[langs[0]], entry.terms[langs[1]], comment)))
            handle.write("\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _write_csv(entries: list[Term], path: Path, langs: tuple[str, ...]) -> None:
    order = [*langs, *(lang for lang in CODES if lang not in langs)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        table = csv.writer(handle)
        table.writerow([*order, "status", "count"])
        for entry in entries:
            table.writerow([*(as_cell(entry.terms.get(lang, "")) for lang in order), entry.status, entry.count])


def read(path: Path, langs: tuple[str, ...] = ("en", "ru"), fmt: str | None = None) -> list[dict]:
    """The entries of a termbase file; a TSV has no header, so its languages are `langs`."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path)
    reader = {"tbx": _read_tbx, "tsv": _read_tsv, "csv": _read_csv}[termbase_format(path, fmt)]
    try:
        return reader(path, langs)
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 ({error.reason} at byte {error.start})", path) from error


def _read_tbx(path: Path, langs: tuple[str, ...]) -> list[dict]:
    refuse_entities(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as error:
        raise InputError(f"malformed XML: {error.msg}", path, error.lineno) from error
    entries = []
    for element in root.iter("termEntry"):
        entry = {"terms": {}, "variants": {}, "status": "approved"}
        for lang_set in element.iter("langSet"):
            lang = from_any(lang_set.get(XML_LANG) or lang_set.get("lang") or "")
            forms = [" ".join("".join(term.itertext()).split()) for term in lang_set.iter("term")]
            forms = [form for form in forms if form]
            if lang is None or not forms:
                continue
            entry["terms"][lang], entry["variants"][lang] = forms[0], forms[1:]
            status = lang_set.findtext("tig/termNote[@type='administrativeStatus']")
            entry["status"] = _STATUS_OF.get((status or "").strip(), entry["status"])
        _keep(entries, entry, path, element.sourceline)
    return entries


def _read_tsv(path: Path, langs: tuple[str, ...]) -> list[dict]:
    entries = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for number, line in enumerate(handle, 1):
            fields = line.rstrip("\r\n").split("\t")
            if not line.strip():
                continue
            if len(fields) < 2:
                raise InputError("a glossary line needs a source and a target, tab-separated", path, number)
            _keep(entries, {"terms": dict(zip(langs[:2], fields[:2], strict=True)), "status": "approved"}, path, number)
    return entries


def _read_csv(path: Path, langs: tuple[str, ...]) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        table = csv.DictReader(handle)
        columns = {name: from_any(name) for name in table.fieldnames or [] if from_any(name)}
        if len(columns) < 2:
            raise InputError("the header names fewer than two of tk, ru, en", path, 1)
        entries = []
        for row in table:
            status = (row.get("status") or "approved").strip()
            if status not in STATUSES:
                raise InputError(f"{status!r} is not a term status", path, table.line_num)
            terms = {lang: from_cell(row[name] or "") for name, lang in columns.items()}
            _keep(entries, {"terms": terms, "status": status}, path, table.line_num)
    return entries


def _keep(entries: list[dict], entry: dict, path: Path, line: int | None) -> None:
    entry["terms"] = {lang: " ".join(text.split()) for lang, text in entry["terms"].items() if text.strip()}
    if len(entry["terms"]) < 2:
        raise InputError("an entry with fewer than two languages", path, line)
    entries.append(entry)
