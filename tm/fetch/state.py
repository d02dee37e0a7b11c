"""What a crawl knows between runs, in one SQLite file beside its output (`.tm-fetch/state.sqlite`):
the runs, every address met with what became of it, the validators a later run asks with
(ETag, Last-Modified), each page's content hash, language and other language versions.

Each address is written as soon as it is done, so a crawl killed at any point continues where it
stopped: a run that did not finish is taken up again by the next one, which fetches nothing that
run has done. A finished run's successor asks again for every address it knows, conditionally.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY, started TEXT NOT NULL, finished TEXT);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,  -- page, listing, sitemap
    depth INTEGER NOT NULL,
    queued INTEGER,  -- the run that is to fetch it; NULL when no run is
    done INTEGER,  -- the last run that fetched it
    status TEXT,  -- fetched, unchanged, refused, failed, skipped, copy
    reason TEXT,
    etag TEXT, last_modified TEXT,
    hash TEXT,  -- the page's content as stored (sha256), NULL for anything but a page
    lang TEXT, title TEXT, date TEXT, complete INTEGER,
    fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS alternates (url TEXT NOT NULL, other TEXT NOT NULL, PRIMARY KEY (url, other));
CREATE TABLE IF NOT EXISTS history (url TEXT NOT NULL, hash TEXT NOT NULL, fetched_at TEXT NOT NULL);
"""
KINDS = ("sitemap", "listing", "page")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Known:
    """An address as the state knows it."""

    url: str
    kind: str
    depth: int
    etag: str | None
    last_modified: str | None
    hash: str | None


class CrawlState:
    """The state file of one output folder; one process writes it at a time."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / "state.sqlite", isolation_level=None)
        self.db.executescript(SCHEMA)
        self.run = self._run()

    def _run(self) -> int:
        """The run to go on with: the last one if it never finished, else a new one that asks again
        for every address known (conditionally, where it has validators)."""
        row = self.db.execute("SELECT id, finished FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if row and row[1] is None:
            return row[0]
        run = self.db.execute("INSERT INTO runs (started) VALUES (?)", (now(),)).lastrowid
        self.db.execute("UPDATE urls SET queued = ? WHERE status IN ('fetched', 'unchanged', 'failed')", (run,))
        return run

    @property
    def resumed(self) -> bool:
        return bool(self.db.execute("SELECT 1 FROM urls WHERE done = ?", (self.run,)).fetchone())

    def add(self, url: str, kind: str, depth: int) -> bool:
        """Queue an address for this run unless it is known to it already; True if queued now."""
        row = self.db.execute("SELECT queued, done, kind FROM urls WHERE url = ?", (url,)).fetchone()
        if row is None:
            self.db.execute(
                "INSERT INTO urls (url, kind, depth, queued) VALUES (?, ?, ?, ?)", (url, kind, depth, self.run)
            )
            return True
        queued, done, known_kind = row
        if done != self.run and queued != self.run:
            self.db.execute("UPDATE urls SET queued = ? WHERE url = ?", (self.run, url))
            queued = self.run
        if KINDS.index(kind) > KINDS.index(known_kind):  # a listing seen to be a release page is one
            self.db.execute("UPDATE urls SET kind = ? WHERE url = ?", (kind, url))
        return queued == self.run and done != self.run

    def next(self) -> Known | None:
        """The next address of this run: sitemaps first, then listings, then pages, shallow first."""
        row = self.db.execute(
            "SELECT url, kind, depth, etag, last_modified, hash FROM urls"
            " WHERE queued = ? AND (done IS NULL OR done != ?)"
            " ORDER BY CASE kind WHEN 'sitemap' THEN 0 WHEN 'listing' THEN 1 ELSE 2 END, depth, rowid LIMIT 1",
            (self.run, self.run),
        ).fetchone()
        return Known(*row) if row else None

    def done(self, url: str, status: str, reason: str | None = None, **fields) -> None:
        """Record what became of an address in this run (and the page's fields when it has them)."""
        columns = ["queued = NULL", "done = ?", "status = ?", "reason = ?"]
        values: list = [self.run, status, reason]
        for column, value in fields.items():
            columns.append(f"{column} = ?")
            values.append(value)
        self.db.execute(f"UPDATE urls SET {', '.join(columns)} WHERE url = ?", (*values, url))

    def keep_version(self, url: str, old_hash: str, fetched_at: str) -> None:
        self.db.execute("INSERT INTO history VALUES (?, ?, ?)", (url, old_hash, fetched_at))

    def link(self, url: str, others: list[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO alternates VALUES (?, ?)", [(url, o) for o in others if o != url])

    def pages(self) -> list[tuple]:
        """Every page stored: (url, hash, lang, title, date, complete, fetched_at, etag, last_modified)."""
        return self.db.execute(
            "SELECT url, hash, lang, title, date, complete, fetched_at, etag, last_modified FROM urls"
            " WHERE kind = 'page' AND hash IS NOT NULL ORDER BY url"
        ).fetchall()

    def alternates(self) -> list[tuple[str, str]]:
        return self.db.execute("SELECT url, other FROM alternates").fetchall()

    def counts(self) -> dict[str, int]:
        """This run's pages by what became of them, and `listings`: the listings and sitemaps read."""
        rows = self.db.execute(
            "SELECT CASE WHEN kind = 'page' OR status != 'fetched' THEN status ELSE 'listings' END, count(*)"
            " FROM urls WHERE done = ? GROUP BY 1",
            (self.run,),
        )
        return dict(rows.fetchall())

    def reasons(self, status: str) -> list[tuple[str, str]]:
        query = "SELECT url, reason FROM urls WHERE done = ? AND status = ? ORDER BY url"
        return self.db.execute(query, (self.run, status)).fetchall()

    def finish(self) -> None:
        self.db.execute("UPDATE runs SET finished = ? WHERE id = ?", (now(), self.run))

    def close(self) -> None:
        self.db.close()
