"""XLIFF 1.2 and 2.0: fill each `<target>` from the TM.

1.2: `state="translated"` for an exact match, `state="needs-review-translation"` for a fuzzy one
(`state-qualifier` exact-match or fuzzy-match), and the match in an `<alt-trans
match-quality="87" origin="tm">` beside it. 2.0: the segment's `state="translated"`, a fuzzy one
with `subState="tm:needs-review"`, and the match % in a translation candidate (`mtc:match
similarity`) where the segment has an id. What was patched in the TM's translation (a number,
its suffix) and what a person must check are notes of the unit (`<note from="tm">`, `<note
category="tm">`). A source with inline
markup is analysed but not filled (its tags would be lost); a target already holding text and a
unit marked `translate="no"` are left alone. Entities are not expanded and nothing is fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from tm.errors import InputError
from tm.pretranslate import Segment

XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF_20 = "urn:oasis:names:tc:xliff:document:2.0"
MATCHES_20 = "urn:oasis:names:tc:xliff:matches:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class XliffDocument:
    tree: etree._ElementTree
    version: str
    places: list[etree._Element]  # the trans-unit (1.2) or segment (2.0) of each segment
    segments: list[Segment]
    target: str


def _parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.parse(str(path), parser)
    except (OSError, etree.XMLSyntaxError) as error:
        raise InputError(f"not a readable XLIFF file ({error})", path) from error


def read(path: Path, source: str, target: str) -> XliffDocument:
    tree = _parse(path)
    root = tree.getroot()
    namespace = etree.QName(root).namespace
    if namespace not in (XLIFF_12, XLIFF_20):
        raise InputError(f"not XLIFF 1.2 or 2.0 (root element {root.tag})", path)
    version = "1.2" if namespace == XLIFF_12 else "2.0"
    ns = {"x": namespace}
    places, segments = [], []
    if version == "1.2":
        for file in root.iterfind("x:file", ns):
            file.set("target-language", file.get("target-language") or target)
        for unit in root.iterfind(".//x:trans-unit", ns):
            if unit.get("translate") != "no":
                places.append(unit)
                segments.append(_segment(unit.find("x:source", ns), unit.find("x:target", ns)))
    else:
        root.set("trgLang", root.get("trgLang") or target)
        for unit in root.iterfind(".//x:unit", ns):
            if unit.get("translate") == "no":
                continue
            for segment in unit.iterfind("x:segment", ns):
                places.append(segment)
                segments.append(_segment(segment.find("x:source", ns), segment.find("x:target", ns)))
    return XliffDocument(tree, version, places, segments, target)


def _segment(source: etree._Element | None, target: etree._Element | None) -> Segment:
    text = "".join(source.itertext()).strip() if source is not None else ""
    markup = source is not None and len(source) > 0
    has_target = target is not None and "".join(target.itertext()).strip() != ""
    return Segment(text, translated=has_target, fillable=bool(text) and not markup)


def write(document: XliffDocument, stream: BinaryIO) -> None:
    for place, segment in zip(document.places, document.segments, strict=True):
        if segment.translated:
            continue
        _term_notes(place, segment, document.version)
        if segment.fill is None or not segment.fillable:
            continue
        if document.version == "1.2":
            _fill_12(place, segment, document.target)
        else:
            _fill_20(place, segment)
    document.tree.write(stream, xml_declaration=True, encoding="UTF-8")


def _term_notes(place: etree._Element, segment: Segment, version: str) -> None:
    """The terms of a segment's source, as notes of its unit (a segment of a 2.0 unit: its unit)."""
    if version == "1.2":
        for term in segment.terms:
            etree.SubElement(place, f"{{{XLIFF_12}}}note", {"from": "tm"}).text = term
    else:
        _notes_20(place.getparent(), segment.terms)


def _target_after(parent: etree._Element, source: etree._Element) -> etree._Element:
    target = parent.find(f"{{{etree.QName(source).namespace}}}target")
    if target is None:
        target = etree.Element(f"{{{etree.QName(source).namespace}}}target")
        source.addnext(target)
    return target


def _fill_12(unit: etree._Element, segment: Segment, lang: str) -> None:
    match = segment.fill
    source = unit.find(f"{{{XLIFF_12}}}source")
    target = _target_after(unit, source)
    target.text = match.target
    target.set("state", "translated" if segment.exact else "needs-review-translation")
    target.set("state-qualifier", "exact-match" if segment.exact else "fuzzy-match")
    for flag in match.flags:  # what was patched in the TM's translation, and what a person must check
        etree.SubElement(unit, f"{{{XLIFF_12}}}note", {"from": "tm"}).text = flag
    quality = {"match-quality": str(match.ranked), "origin": "tm"}
    alternative = etree.SubElement(unit, f"{{{XLIFF_12}}}alt-trans", quality)
    etree.SubElement(alternative, f"{{{XLIFF_12}}}source").text = match.source
    etree.SubElement(alternative, f"{{{XLIFF_12}}}target", {XML_LANG: lang}).text = match.target


def _notes_20(unit: etree._Element, flags: list[str]) -> None:
    """The flags of a fill as notes of its unit (`<notes>` comes before the unit's segments)."""
    if not flags:
        return
    notes = unit.find(f"{{{XLIFF_20}}}notes")
    if notes is None:
        notes = etree.Element(f"{{{XLIFF_20}}}notes")
        first = next(child for child in unit if child.tag in (f"{{{XLIFF_20}}}segment", f"{{{XLIFF_20}}}ignorable"))
        first.addprevious(notes)
    for flag in flags:
        etree.SubElement(notes, f"{{{XLIFF_20}}}note", {"category": "tm", "appliesTo": "target"}).text = flag


def _fill_20(place: etree._Element, segment: Segment) -> None:
    match = segment.fill
    source = place.find(f"{{{XLIFF_20}}}source")
    _target_after(place, source).text = match.target
    place.set("state", "translated")
    if not segment.exact:
        place.set("subState", "tm:needs-review")
    unit = place.getparent()
    _notes_20(unit, match.flags)
    if place.get("id"):
        matches = unit.find(f"{{{MATCHES_20}}}matches")
        if matches is None:
            matches = etree.Element(f"{{{MATCHES_20}}}matches", nsmap={"mtc": MATCHES_20})
            unit.insert(0, matches)
        similarity = {"ref": f"#{place.get('id')}", "similarity": f"{match.ranked:.1f}", "origin": "tm"}
        candidate = etree.SubElement(matches, f"{{{MATCHES_20}}}match", similarity)
        etree.SubElement(candidate, f"{{{XLIFF_20}}}source").text = match.source
        etree.SubElement(candidate, f"{{{XLIFF_20}}}target").text = match.target
