"""PO: fill `msgstr`; an exact match is a normal entry, a fuzzy one is flagged `fuzzy` with its
match % in a translator comment; no match stays empty. Plural entries and entries already
translated are left as they are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polib

from tm.errors import InputError
from tm.pretranslate import Segment


@dataclass
class PoDocument:
    catalog: polib.POFile
    entries: list[polib.POEntry]
    segments: list[Segment]


def read(path: Path, source: str, target: str) -> PoDocument:
    try:
        catalog = polib.pofile(str(path), wrapwidth=0)
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise InputError(f"not a readable PO file ({error})", path) from error
    entries = [e for e in catalog if e.msgid and not e.obsolete and not e.msgid_plural]
    segments = [Segment(e.msgid, translated=bool(e.msgstr) and "fuzzy" not in e.flags) for e in entries]
    if not catalog.metadata.get("Language"):
        catalog.metadata["Language"] = target
    return PoDocument(catalog, entries, segments)


def write(document: PoDocument, stream: BinaryIO) -> None:
    for entry, segment in zip(document.entries, document.segments, strict=True):
        match = segment.fill
        if segment.translated or match is None:
            continue
        entry.msgstr = match.target
        notes = [f"tm: {match.ranked}% match from {match.origin}", *(f"tm: {flag}" for flag in match.flags)]
        entry.tcomment = "\n".join(filter(None, [entry.tcomment, *notes]))
        if segment.exact:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
    text = str(document.catalog)
    try:
        stream.write(text.encode(document.catalog.encoding or "utf-8"))
    except UnicodeEncodeError:
        # The file's charset cannot hold the translations (Turkmen letters in a KOI8-R catalog):
        # the output becomes UTF-8, and says so in its header, as msgconv would make it.
        document.catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        document.catalog.encoding = "utf-8"
        stream.write(str(document.catalog).encode("utf-8"))
