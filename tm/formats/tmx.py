"""TMX 1.4b: streamed export (lxml.etree.xmlfile) and streamed, hostile-XML-safe import.

Inline markup on import: the text of `bpt`, `ept`, `it`, `ph` and `ut` (native codes)
is dropped; the text inside `hi` and `sub` is kept, so a segment reads as its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree

from tm import __version__
from tm.errors import InputError
from tm.formats.model import ExportOptions, ImportedUnit, ReadReport
from tm.langs import LANGUAGES, from_any
from tm.store import StoredUnit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CODE_ELEMENTS = {"bpt", "ept", "it", "ph", "ut"}
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _code(lang: str, options: ExportOptions) -> str:
    return LANGUAGES[lang].bcp47 if options.region_codes else lang


def write(units: Iterable[StoredUnit], path: Path, options: ExportOptions) -> int:
    """Write units as they stream in; returns how many <tu> were written."""
    srclang = _code(options.langs[0], options) if len(options.langs) == 2 else "*all*"
    header = {
        "creationtool": "tm",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "tm-sqlite",
        "adminlang": "en-US",
        "srclang": srclang,
        "datatype": "plaintext",
        "creationdate": _stamp(),
    }
    count = 0
    with etree.xmlfile(str(path), encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write(etree.Comment(" TMX 1.4b written by tm "), pretty_print=True)
        with xf.element("tmx", version="1.4"):
            xf.write("\n")
            xf.write(etree.Element("header", header), pretty_print=True)
            with xf.element("body"):
                xf.write("\n")
                for unit in units:
                    xf.write(_tu(unit, options), pretty_print=True)
                    count += 1
    return count


def _tu(unit: StoredUnit, options: ExportOptions) -> etree._Element:
    tu = etree.Element("tu", tuid=str(unit.id), creationdate=_stamp())
    props = {
        "x-release": unit.release_id,
        "x-collection": unit.collection,
        "x-url": unit.url,
        "x-release-date": unit.date,
        "x-bead-type": unit.bead_type,
        "x-confidence": f"{unit.confidence:.3f}",
    }
    for name, value in props.items():
        if value:
            etree.SubElement(tu, "prop", type=name).text = value
    for lang in options.langs:
        if unit.texts.get(lang):
            tuv = etree.SubElement(tu, "tuv", {XML_LANG: _code(lang, options)})
            etree.SubElement(tuv, "seg").text = unit.texts[lang]
    return tu


def _segment_text(seg: etree._Element) -> str:
    parts = [seg.text or ""]
    for child in seg:
        if child.tag not in CODE_ELEMENTS:
            parts.append(_segment_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _refuse_entities(path: Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    if _ENTITY_DECLARATION.search(head):
        raise InputError("refused: the file declares XML entities (possible entity-expansion attack)", path)


def read(path: Path, report: ReadReport) -> Iterator[ImportedUnit]:
    """Yield the units of every <tu> as the file streams by, counting into `report`;
    raises InputError with the line number on malformed XML."""
    path = Path(path)
    _refuse_entities(path)
    parser_options = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
    try:
        for _event, tu in etree.iterparse(str(path), tag="tu", **parser_options):
            unit = _read_tu(tu, path, report)
            tu.clear()
            while tu.getprevious() is not None:
                del tu.getparent()[0]
            if unit:
                yield unit
    except etree.XMLSyntaxError as error:
        raise InputError(f"malformed XML: {error.msg}", path, error.lineno) from error


def _read_tu(tu: etree._Element, path: Path, report: ReadReport) -> ImportedUnit | None:
    report.read += 1
    texts = {}
    for tuv in tu.iter("tuv"):
        tag = tuv.get(XML_LANG) or tuv.get("lang") or ""
        lang = from_any(tag)
        seg = tuv.find("seg")
        if seg is None:
            raise InputError("<tuv> without <seg>", path, tuv.sourceline)
        if lang is None:
            report.skipped[f"language {tag!r} not in tk/ru/en"] += 1
            continue
        texts[lang] = " ".join(_segment_text(seg).split())
    if len([t for t in texts.values() if t]) < 2:
        report.skipped["fewer than two of tk/ru/en"] += 1
        return None
    props = {p.get("type", ""): p.text or "" for p in tu.findall("prop")}
    notes = [n.text or "" for n in tu.findall("note")]
    if notes:
        props["note"] = " | ".join(notes)
    return ImportedUnit(texts, props)
