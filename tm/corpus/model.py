"""What the corpus step hands on: one release, its language versions, and what it skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Document:
    """One language version of a release, chrome stripped."""

    lang: str
    title: str | None
    date: date | None
    paragraphs: tuple[str, ...]
    path: str = ""
    url: str | None = None
    complete: bool = True  # false: the page was saved cut short (meta.json "complete": false)

    @property
    def text(self) -> str:
        lines = ([self.title] if self.title else []) + list(self.paragraphs)
        return "\n".join(lines)


@dataclass(frozen=True)
class Release:
    """The versions of one press release that were found, keyed by language."""

    collection: str
    release_id: str
    documents: dict[str, Document]
    url: str | None = None
    date: date | None = None
    title: str | None = None

    @property
    def languages(self) -> list[str]:
        return list(self.documents)


@dataclass(frozen=True)
class Skipped:
    """A file or release that was not read, and why (one line, names the file)."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass
class Scan:
    """Everything a corpus folder yields: releases in order, and what was skipped."""

    releases: list[Release] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
