"""TMX 1.4b: streamed export (lxml.etree.xmlfile) and streamed, hostile-XML-safe import.

Inline markup on import: the text of `bpt`, `ept`, `it`, `ph` and `ut` (native codes)
is dropped; the text inside `hi` and `sub` is kept, so a segment reads as its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path

from lxml import etree

from tm._version import __version__
from tm.errors import InputError
from tm.formats.model import ExportOptions, ImportedUnit, ReadReport
from tm.langs import LANGUAGES, from_any
from tm.store import StoredUnit

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CODE_ELEMENTS = {"bpt", "ept", "it", "ph", "ut"}
PROP_TYPES = ("x-release", "x-collection", "x-url", "x-release-date", "x-bead-type")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _code(lang: str, options: ExportOptions) -> str:
    return LANGUAGES[lang].bcp47 if options.region_codes else lang


def write(units: Iterable[StoredUnit], path: Path, options: ExportOptions) -> int:
    """Write units as they stream in; returns how many <tu> were written.

    The XML is formatted directly (every text and attribute escaped, characters XML
    forbids removed): building an element tree per unit would cost five times as much.
    """
    stamp = _stamp()
    header = {
        "creationtool": "tm",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "tm-sqlite",
        "adminlang": "en-US",
        "srclang": _code(options.langs[0], options) if len(options.langs) == 2 else "*all*",
        "datatype": "plaintext",
        "creationdate": stamp,
    }
    codes = {lang: _code(lang, options) for lang in options.langs}
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<!-- TMX 1.4b written by tm -->\n<tmx version="1.4">\n')
        out.write(f"<header{''.join(f' {k}={_attribute(v)}' for k, v in header.items())}/>\n<body>\n")
        for unit in units:  # the file object buffers; joining batches first only copies the text once more
            out.write(_tu(unit, codes, stamp))
            count += 1
        out.write("</body>\n</tmx>\n")
    return count


def _tu(unit: StoredUnit, codes: dict[str, str], stamp: str) -> str:
    props = _provenance_props(unit.release_id, unit.collection, unit.url, unit.date, unit.bead_type)
    segs = "".join(
        [
            f'  <tuv xml:lang="{code}"><seg>{_text(unit.texts[lang])}</seg></tuv>\n'
            for lang, code in codes.items()
            if unit.texts.get(lang)
        ]
    )
    reviewed = f'  <prop type="x-reviewed-by">{_text(unit.reviewer)}</prop>\n' if unit.reviewer else ""
    return (
        f'<tu tuid="{unit.id}" creationdate="{stamp}">\n{props}'
        f'  <prop type="x-confidence">{unit.confidence:.3f}</prop>\n{reviewed}{segs}</tu>\n'
    )


@lru_cache(maxsize=1024)
def _provenance_props(release_id: str, collection: str, url: str | None, date: str | None, bead_type: str) -> str:
    """The <prop>s that units of one release share, escaped once per release rather than once per unit."""
    values = zip(PROP_TYPES, (release_id, collection, url, date, bead_type), strict=True)
    return "".join(f'  <prop type="{kind}">{_text(value)}</prop>\n' for kind, value in values if value)


def _text(value: str) -> str:
    if not _NEEDS_ESCAPE.search(value):  # most segments: nothing to do
        return value
    return _NOT_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(value: str) -> str:
    return '"' + _text(value).replace('"', "&quot;") + '"'


def _segment_text(seg: etree._Element) -> str:
    parts = [seg.text or ""]
    for child in seg:
        if child.tag not in CODE_ELEMENTS:
            parts.append(_segment_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def refuse_entities(path: Path) -> None:
    """Refuse an XML file that declares entities before any parser sees it (billion laughs)."""
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
    refuse_entities(path)
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
    texts: dict[str, str] = {}
    props: dict[str, str] = {}
    notes: list[str] = []
    for child in tu:  # one pass over the children: three filtered passes cost a third of the read
        tag = child.tag
        if tag == "tuv":
            _read_tuv(child, texts, path, report)
        elif tag == "prop":
            props[child.get("type", "")] = child.text or ""
        elif tag == "note":
            notes.append(child.text or "")
    if len([t for t in texts.values() if t]) < 2:
        report.skipped["fewer than two of tk/ru/en"] += 1
        return None
    if notes:
        props["note"] = " | ".join(notes)
    if tu.get("tuid"):
        props["x-tuid"] = tu.get("tuid")  # our export's unit id: `tm import --corrections` finds the unit by it
    return ImportedUnit(texts, props)


def _read_tuv(tuv: etree._Element, texts: dict[str, str], path: Path, report: ReadReport) -> None:
    tag = tuv.get(XML_LANG) or tuv.get("lang") or ""
    seg = next(tuv.iterchildren("seg"), None)
    if seg is None:
        raise InputError("<tuv> without <seg>", path, tuv.sourceline)
    lang = _language(tag)
    if lang is None:
        report.left_out[f"language {tag!r} not in tk/ru/en"] += 1
        return
    if lang in texts:
        report.left_out[f"another {lang} version in the same <tu> (the first is kept)"] += 1
        return
    text = (seg.text or "") if len(seg) == 0 else _segment_text(seg)
    texts[lang] = " ".join(text.split())


@cache
def _language(tag: str) -> str | None:
    return from_any(tag)
