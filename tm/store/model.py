"""What the store hands out: units as read back, and counts."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)  # not frozen: that costs a microsecond per unit, a tenth of a TMX export
class StoredUnit:
    """A unit as read back: texts per language and where it came from."""

    id: int
    texts: dict[str, str]
    bead_type: str
    confidence: float
    collection: str
    release_id: str
    url: str | None
    date: str | None
    aligner: str
    props: dict[str, str] = field(default_factory=dict)  # an imported unit's properties from its file
    release: int = 0  # the release's key in the TM
    reviewer: str | None = None  # who accepted or corrected it; None: as aligned or imported


@dataclass(frozen=True)
class Stats:
    releases: int
    units: int
    by_pair: dict[str, int]
    by_bead_type: dict[str, int]
    by_confidence: dict[str, int]
    by_collection: dict[str, int]
    flagged: int = 0  # releases whose versions may not be one release
