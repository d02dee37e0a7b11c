"""What the stores hand out of units and corrections: a tri-unit as stored (`UnitRecord`), a
correction as recorded (`Correction`), and the one clock every record is stamped with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tm.langs import CODES
from tm.store.schema import text_of

SPAN_COLUMNS = [f"{lang}_{part}" for lang in CODES for part in ("first", "count")]
_TEXTS = [text_of("u", lang, lang) for lang in CODES]
UNIT_QUERY = (
    "SELECT u.id, u.release, u.position, u.bead_type, u.confidence, u.props, u.reviewer, u.reviewed_at, "
    + ", ".join(f"u.{column}" for column in SPAN_COLUMNS)
    + ", "
    + ", ".join(column for column, _ in _TEXTS)
    + ", r.collection, r.release_id, r.flag, u.version FROM units u JOIN releases r ON r.id = u.release"
    + "".join(join for _, join in _TEXTS)
)


@dataclass(frozen=True)
class UnitRecord:
    """A tri-unit as corrections see it: where its sentences are, and its texts."""

    id: int | None
    release: int
    position: float
    spans: dict[str, tuple[int | None, int]]  # language -> (first segment, count); first None: not on the page
    texts: dict[str, str]  # language -> text, for the languages it has
    bead_type: str = ""
    confidence: float = 1.0
    props: str | None = None  # JSON, as stored
    reviewer: str | None = None
    reviewed_at: str | None = None
    collection: str = ""
    release_id: str = ""
    flag: str | None = None  # why its release may not be one release
    version: int = 0  # the generation that wrote it as it is: a change made from another version is refused

    def covers(self, lang: str) -> range:
        return segment_run(*self.spans.get(lang, (None, 0)))

    def overlaps(self, other: UnitRecord) -> bool:
        return any(set(self.covers(lang)) & set(other.covers(lang)) for lang in CODES)


@dataclass(frozen=True)
class Correction:
    id: int
    at: str
    user: str
    action: str
    collection: str
    release_id: str
    before: list[dict]
    after: list[dict]
    undone_at: str | None = None
    undone_by: str | None = None


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def unit_record(row: tuple) -> UnitRecord:
    unit_id, release, position, bead, confidence, props, reviewer, at = row[:8]
    spans_flat, texts = row[8:14], row[14:17]
    spans = {lang: (spans_flat[2 * i], spans_flat[2 * i + 1]) for i, lang in enumerate(CODES) if spans_flat[2 * i + 1]}
    return UnitRecord(
        unit_id,
        release,
        position,
        spans,
        {lang: text for lang, text in zip(CODES, texts, strict=True) if text},
        bead,
        confidence,
        props,
        reviewer,
        at,
        *row[17:21],
    )


def is_row_id(number: int) -> bool:
    """Can this be a row's id? SQLite's are 64-bit: a larger number names no row (and would
    overflow the query rather than find nothing)."""
    return 0 < number < 2**63


def segment_run(first: int | None, count: int) -> range:
    return range(first, first + count) if first is not None and first >= 0 else range(0)
