"""Plain text: one segment a line in, TSV out (source, target, match %, where the match came from)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tm.corpus import decode
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
        if match is None:
            writer.writerow([segment.source, "", "", ""])
            continue
        writer.writerow([segment.source, match.target, f"{match.ranked}%", match.origin])
    stream.write(text.getvalue().encode("utf-8"))
