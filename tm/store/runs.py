"""The record of builds kept in the TM: `tm runs` lists it."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    id: int
    started: str
    ended: str | None  # None: killed, or still running
    command: str
    aligner: str | None
    model: int | None
    added: int | None
    unchanged: int | None
    skipped: int | None
    flagged: int | None
    units: int | None
    problems: list[dict] = field(default_factory=list)
    error: str | None = None

    @property
    def status(self) -> str:
        if self.error:
            return "failed"
        return "done" if self.ended else "unfinished"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class BuildRuns:
    """Mixed into TranslationMemory: `db` and `transaction` come from there."""

    db: sqlite3.Connection

    def start_run(self, command: str, aligner: str, model: int | None) -> int:
        with self.transaction(bump=False):  # type: ignore[attr-defined]
            cursor = self.db.execute(
                "INSERT INTO runs (started, command, aligner, model) VALUES (?, ?, ?, ?)",
                (_now(), command, aligner, model),
            )
        return cursor.lastrowid or 0

    def finish_run(self, run: int, counts: dict[str, int], problems: list[dict], error: str | None = None) -> None:
        """Record how run `run` ended: counts of added, unchanged, skipped, flagged and units."""
        with self.transaction(bump=False):  # type: ignore[attr-defined]
            self.db.execute(
                "UPDATE runs SET ended = ?, added = ?, unchanged = ?, skipped = ?, flagged = ?, units = ?,"
                " problems = ?, error = ? WHERE id = ?",
                (
                    _now(),
                    *(counts.get(key) for key in ("added", "unchanged", "skipped", "flagged", "units")),
                    json.dumps(problems, ensure_ascii=False),
                    error,
                    run,
                ),
            )

    def runs(self) -> list[Run]:
        """Every build recorded, newest first."""
        rows = self.db.execute(
            "SELECT id, started, ended, command, aligner, model, added, unchanged, skipped, flagged, units,"
            " problems, error FROM runs ORDER BY id DESC"
        ).fetchall()
        return [Run(*row[:11], json.loads(row[11]) if row[11] else [], row[12]) for row in rows]
