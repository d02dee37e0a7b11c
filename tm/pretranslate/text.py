"""Plain text: one segment a line in, TSV out (source, target, match %, where the match came from)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tm.corpus import decode
from tm.formats.table import as_cell
from tm.pretranslate import Segment


@dataclass
class TextDocument:
    segments: list[Segment]


def read(path: Path, source: str, target: str) -> TextDocument:
    lines = decode(path.read_bytes(), str(path)).splitlines()
    return TextDocument([Segment(line.strip()) for line in lines if line.strip()])


def write(document: TextDocument, stream: BinaryIO) -> None:
    text = io.StringIO()
    writer = csv.writer(text, delimiter="\t", lineterminator="\n")
    writer.writerow(["source", "target", "match", "from"])
    for segment in document.segments:
        match = segment.fill
        # Every text as a spreadsheet reads it: never a formula (`tm.formats.table.as_cell`).
        if match is None:
            writer.writerow([as_cell(segment.source), "", "", ""])
            continue
        writer.writerow([as_cell(segment.source), as_cell(match.target), f"{match.ranked}%", as_cell(match.origin)])
    stream.write(text.getvalue().encode("utf-8"))
