"""One family of errors; the CLI turns any of them into a single line."""

from __future__ import annotations

from pathlib import Path


class TmError(Exception):
    """A problem the user can act on, optionally tied to a file and a line."""

    def __init__(self, problem: str, path: str | Path | None = None, line: int | None = None):
        # Messages quoted from parsers (lxml, polib, zipfile) may span lines: the user gets one.
        problem = " ".join(problem.split())
        super().__init__(problem)
        self.problem = problem
        self.path = None if path is None else str(path)
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        return where + self.problem


class InputError(TmError):
    """A corpus file or an imported file is unreadable, empty or in the wrong language."""


class StoreError(TmError):
    """The TM file is missing, is not a TM, or cannot be written."""


class NotFound(StoreError):
    """What was asked for (a unit, a correction) is not in the TM."""


class Conflict(StoreError):
    """The TM changed since the person looked (another reviewer's correction, a rebuild): nothing
    was written. `current` is what is stored now, where there is one thing to show."""

    def __init__(self, problem: str, path: str | Path | None = None, current: object = None):
        super().__init__(problem, path)
        self.current = current
