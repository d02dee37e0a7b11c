"""PO: fill `msgstr`; an exact match is a normal entry, a fuzzy one is flagged `fuzzy` with its
match % in a translator comment; no match stays empty. Plural entries and entries already
translated are left as they are. The rest of the file is written as it was, so that version
control shows only the entries filled: wrapped at gettext's 79 columns as msgcat wraps, unless
the file's lines run longer (then not wrapped), its header fields in their order, and no header
comment added."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import polib

from tm.errors import InputError
from tm.pretranslate import Segment

# gettext's width: msgcat and msgmerge keep lines within 79 columns.
GETTEXT_WIDTH = 79


@dataclass
class PoDocument:
    catalog: polib.POFile
    entries: list[polib.POEntry]
    segments: list[Segment]


def read(path: Path, source: str, target: str) -> PoDocument:
    try:
        catalog = polib.pofile(str(path), wrapwidth=_width(Path(path).read_bytes()))
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise InputError(f"not a readable PO file ({error})", path) from error
    # Header fields in the file's order (polib would sort them into its own).
    catalog.ordered_metadata = lambda: list(catalog.metadata.items())
    entries = [e for e in catalog if e.msgid and not e.obsolete and not e.msgid_plural]
    segments = [Segment(e.msgid, translated=bool(e.msgstr) and "fuzzy" not in e.flags) for e in entries]
    if not catalog.metadata.get("Language"):
        catalog.metadata["Language"] = target
    return PoDocument(catalog, entries, segments)


def _width(data: bytes) -> int:
    """The width to write the file at: gettext's, unless a line of it runs longer (an unwrapped
    file, as polib and some editors write them, stays unwrapped)."""
    longest = max((len(line) for line in data.decode("utf-8", "replace").splitlines()), default=0)
    return GETTEXT_WIDTH if longest <= GETTEXT_WIDTH else 0


def _as_written(catalog: polib.POFile) -> str:
    """The catalog's text, without the lone `#` polib puts above a header that has no comment."""
    text = str(catalog)
    return text[2:] if not catalog.header and text.startswith("#\n") else text


def write(document: PoDocument, stream: BinaryIO) -> None:
    for entry, segment in zip(document.entries, document.segments, strict=True):
        match = segment.fill
        if segment.translated:
            continue
        terms = [f"tm: {term}" for term in segment.terms]
        if match is None:
            entry.tcomment = "\n".join(filter(None, [entry.tcomment, *terms]))
            continue
        entry.msgstr = match.target
        notes = [f"tm: {match.ranked}% match from {match.origin}", *(f"tm: {flag}" for flag in match.flags), *terms]
        entry.tcomment = "\n".join(filter(None, [entry.tcomment, *notes]))
        if segment.exact:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif "fuzzy" not in entry.flags:
            entry.flags.append("fuzzy")
    text = _as_written(document.catalog)
    try:
        stream.write(text.encode(document.catalog.encoding or "utf-8"))
    except UnicodeEncodeError:
        # The file's charset cannot hold the translations (Turkmen letters in a KOI8-R catalog):
        # the output becomes UTF-8, and says so in its header, as msgconv would make it.
        document.catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        document.catalog.encoding = "utf-8"
        stream.write(_as_written(document.catalog).encode("utf-8"))
