"""What a lookup may be limited to: collections and a span of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tm.errors import TmError
from tm.store import StoredUnit


def day(iso: str | None) -> int:
    """A date's day number (-1 for none): the form units are filtered and ranked by."""
    return date.fromisoformat(iso[:10]).toordinal() if iso else -1


@dataclass
class Filters:
    """Keep entries with at least one unit in these collections and dates (ISO, inclusive)."""

    collections: list[str] | None = None
    since: str | None = None
    until: str | None = None

    def __post_init__(self) -> None:
        for name in ("since", "until"):
            value = getattr(self, name)
            try:
                if value:
                    date.fromisoformat(value)
            except ValueError:
                raise TmError(f"{name} {value!r} is not a day (YYYY-MM-DD)") from None

    def __bool__(self) -> bool:
        return bool(self.collections or self.since or self.until)

    def accepts(self, unit: StoredUnit) -> bool:
        day = (unit.date or "")[:10]
        return (
            (not self.collections or unit.collection in self.collections)
            and (not self.since or day >= self.since)
            and (not self.until or (bool(day) and day <= self.until))
        )
