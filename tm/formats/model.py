"""What every format reads and writes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExportOptions:
    """`langs` of one entry means all three; two languages give a pairwise file (source first)."""

    langs: tuple[str, ...]
    region_codes: bool = True  # tk-TM rather than tk in TMX
    fuzzy_below: float = 0.5  # PO: entries under this confidence are marked fuzzy
    dedupe: bool = False  # PO: merge identical sources instead of keeping them apart by msgctxt
    include_flagged: bool = False  # the units of releases whose versions may not be one release


@dataclass(slots=True)  # not frozen, which would cost a microsecond per unit on a million-unit import
class ImportedUnit:
    texts: dict[str, str]
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadReport:
    """Counts kept while a file streams in: units read, imported, and skipped by reason, and
    language versions (a TMX <tuv>) left out of units that were kept or skipped, by reason."""

    read: int = 0
    imported: int = 0
    skipped: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)
    replaced: int = 0  # units of an earlier import of the same file, now replaced
    same_as: str | None = None  # a file of the same content imported before: nothing was read
