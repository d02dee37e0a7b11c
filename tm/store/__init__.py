"""The translation memory: one SQLite file holding releases, segments and aligned units.

Every write happens inside `transaction()`; a release is stored whole or not at all.
A release whose texts and aligner signature are unchanged is skipped (content hash),
so building the same corpus twice adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations, islice
from pathlib import Path

from tm.errors import StoreError
from tm.langs import CODES

SCHEMA_VERSION = 4
_IMPORT_BATCH = 10_000
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS releases (
    id INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    release_id TEXT NOT NULL,
    url TEXT, date TEXT, title TEXT,
    content_hash TEXT NOT NULL,
    UNIQUE (collection, release_id)
);
CREATE TABLE IF NOT EXISTS documents (
    release INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    lang TEXT NOT NULL, path TEXT, url TEXT, title TEXT, text_hash TEXT NOT NULL,
    PRIMARY KEY (release, lang)
);
CREATE TABLE IF NOT EXISTS segments (
    release INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    lang TEXT NOT NULL, idx INTEGER NOT NULL, text TEXT NOT NULL,
    PRIMARY KEY (release, lang, idx)
);
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY,
    release INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    bead_type TEXT NOT NULL, confidence REAL NOT NULL, aligner TEXT NOT NULL,
    tk TEXT, ru TEXT, en TEXT, indices TEXT NOT NULL,
    props TEXT
);
CREATE TABLE IF NOT EXISTS pair_units (
    id INTEGER PRIMARY KEY,
    release INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    pair TEXT NOT NULL, position INTEGER NOT NULL,
    source TEXT NOT NULL, target TEXT NOT NULL, bead_type TEXT NOT NULL,
    confidence REAL NOT NULL, props TEXT
);
CREATE INDEX IF NOT EXISTS units_release ON units(release);
CREATE INDEX IF NOT EXISTS units_release_position ON units(release, position);
CREATE INDEX IF NOT EXISTS pair_units_order ON pair_units(pair, release, position);
CREATE INDEX IF NOT EXISTS pair_units_release ON pair_units(release);
"""

# MIGRATIONS[n] takes a schema-n TM to schema n + 1, inside one transaction.
MIGRATIONS = {
    # 2: a generation counter, bumped by every write, tells saved lookup indexes they are stale.
    1: ["INSERT INTO meta VALUES ('generation', '0')"],
    # 3: imported units keep the properties and notes of their file (JSON).
    2: [
        "ALTER TABLE units ADD COLUMN props TEXT",
        "CREATE INDEX IF NOT EXISTS units_release_position ON units(release, position)",
    ],
    # 4: a pair's units are read in release order straight from an index, without a sort, and
    # carry the imported properties themselves rather than through a join with units.
    3: [
        "DROP INDEX IF EXISTS pair_units_pair",
        "CREATE INDEX IF NOT EXISTS pair_units_order ON pair_units(pair, release, position)",
        "ALTER TABLE pair_units ADD COLUMN props TEXT",
        "UPDATE pair_units SET props = (SELECT t.props FROM units t"
        " WHERE t.release = pair_units.release AND t.position = pair_units.position)"
        " WHERE release IN (SELECT release FROM units WHERE props IS NOT NULL)",
    ],
}


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


@dataclass(frozen=True)
class Stats:
    releases: int
    units: int
    by_pair: dict[str, int]
    by_bead_type: dict[str, int]
    by_confidence: dict[str, int]
    by_collection: dict[str, int]


def content_hash(texts: dict[str, str], signature: str) -> str:
    digest = hashlib.sha256(signature.encode())
    for lang in sorted(texts):
        digest.update(f"\0{lang}\0{texts[lang]}".encode())
    return digest.hexdigest()


class TranslationMemory:
    """A TM file. `create=False` refuses to make a new file (for lookups and exports)."""

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = str(path)
        if self.path != ":memory:" and not create and not Path(self.path).is_file():
            raise StoreError("no TM here (build one with `tm build`)", self.path)
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self.db.execute("PRAGMA journal_mode = WAL")
            self._prepare(create)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"not a TM file ({error})", self.path) from error

    def _prepare(self, create: bool) -> None:
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if tables or not create:
                raise StoreError("not a TM file (an SQLite file without tm's tables)", self.path)
            self.db.executescript(SCHEMA)
            self.db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('generation', '0')", (str(SCHEMA_VERSION),)
            )
            return
        version = int(self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(f"TM schema {version} is newer than this tm ({SCHEMA_VERSION}); upgrade tm", self.path)
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in MIGRATIONS[step]:
                    self.db.execute(statement)
                self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(step + 1),))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def generation(self) -> int:
        """A number that changes with every committed write."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def delete(self, collection: str, release_id: str | None = None) -> int:
        """Remove one release, or a whole collection, with all its units; returns releases removed."""
        where, args = "collection = ?", [collection]
        if release_id is not None:
            where, args = f"{where} AND release_id = ?", [collection, release_id]
        with self.transaction():
            return self.db.execute(f"DELETE FROM releases WHERE {where}", args).rowcount

    def release_hash(self, collection: str, release_id: str) -> str | None:
        row = self.db.execute(
            "SELECT content_hash FROM releases WHERE collection = ? AND release_id = ?",
            (collection, release_id),
        ).fetchone()
        return row[0] if row else None

    def add_release(self, record) -> int:
        """Store a `tm.jobs.AlignedRelease` whole, replacing an older version of it."""
        release = record.release
        self.db.execute(
            "DELETE FROM releases WHERE collection = ? AND release_id = ?",
            (release.collection, release.release_id),
        )
        cursor = self.db.execute(
            "INSERT INTO releases (collection, release_id, url, date, title, content_hash) VALUES (?, ?, ?, ?, ?, ?)",
            (
                release.collection,
                release.release_id,
                release.url or _first_url(release),
                release.date.isoformat() if release.date else None,
                release.title or _first_title(release),
                record.content_hash,
            ),
        )
        key = cursor.lastrowid
        self._add_documents(key, record)
        self._add_units(key, record)
        return key

    def _add_documents(self, key: int, record) -> None:
        for lang, document in record.release.documents.items():
            self.db.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    lang,
                    document.path,
                    document.url,
                    document.title,
                    hashlib.sha256(document.text.encode()).hexdigest(),
                ),
            )
        self.db.executemany(
            "INSERT INTO segments VALUES (?, ?, ?, ?)",
            [
                (key, lang, i, text)
                for lang, sents in record.alignment.sentences.items()
                for i, text in enumerate(sents)
            ],
        )

    def _add_units(self, key: int, record) -> None:
        alignment = record.alignment
        sentences = alignment.sentences
        rows = []
        for position, unit in enumerate(alignment.units):
            texts = {lang: " ".join(sentences[lang][i] for i in unit.sentences.get(lang, ())) or None for lang in CODES}
            indices = json.dumps({lang: list(v) for lang, v in unit.sentences.items()})
            rows.append(
                (
                    key,
                    position,
                    unit.bead_type,
                    unit.confidence,
                    alignment.signature,
                    texts["tk"],
                    texts["ru"],
                    texts["en"],
                    indices,
                )
            )
        self.db.executemany(
            "INSERT INTO units (release, position, bead_type, confidence, aligner, tk, ru, en, indices)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        pair_rows = []
        for pair, links in alignment.pairs.items():
            x, y = pair.split("-")
            for position, link in enumerate(links):
                if link.source and link.target:
                    pair_rows.append(
                        (
                            key,
                            pair,
                            position,
                            " ".join(sentences[x][i] for i in link.source),
                            " ".join(sentences[y][j] for j in link.target),
                            f"{len(link.source)}-{len(link.target)}",
                            link.confidence,
                        )
                    )
        self.db.executemany(
            "INSERT INTO pair_units (release, pair, position, source, target, bead_type, confidence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            pair_rows,
        )

    def add_imported(self, collection: str, release_id: str, units: Iterable) -> int:
        """Store units streamed from a TMX/PO/table file as one release, replacing an earlier import
        of the same file; each unit keeps its file's properties and notes. Returns the unit count."""
        self.db.execute("DELETE FROM releases WHERE collection = ? AND release_id = ?", (collection, release_id))
        key = self.db.execute(
            "INSERT INTO releases (collection, release_id, content_hash) VALUES (?, ?, '')", (collection, release_id)
        ).lastrowid
        digest = hashlib.sha256(b"import")
        count = 0
        for batch in batched(units, _IMPORT_BATCH):
            unit_rows, pair_rows = [], []
            for unit in batch:
                confidence = float(unit.properties.get("x-confidence", 1.0) or 1.0)
                present = [lang for lang in CODES if unit.texts.get(lang)]
                bead = "-".join("1" if lang in present else "0" for lang in CODES)
                texts = [unit.texts.get(lang) for lang in CODES]
                digest.update("\t".join(t or "" for t in texts).encode() + b"\n")
                props = json.dumps(unit.properties, ensure_ascii=False) if unit.properties else None
                unit_rows.append((key, count, bead, confidence, *texts, props))
                pair_rows += [
                    (key, f"{x}-{y}", count, unit.texts[x], unit.texts[y], confidence, props)
                    for x, y in combinations(present, 2)
                ]
                count += 1
            self.db.executemany(
                "INSERT INTO units (release, position, bead_type, confidence, aligner, tk, ru, en, indices, props)"
                " VALUES (?, ?, ?, ?, 'import', ?, ?, ?, '{}', ?)",
                unit_rows,
            )
            self.db.executemany(
                "INSERT INTO pair_units (release, pair, position, source, target, bead_type, confidence, props)"
                " VALUES (?, ?, ?, ?, ?, '1-1', ?, ?)",
                pair_rows,
            )
        self.db.execute("UPDATE releases SET content_hash = ? WHERE id = ?", (digest.hexdigest(), key))
        return count

    def units_by_id(self, langs: tuple[str, str], ids: list[int]) -> dict[int, StoredUnit]:
        """The pairwise units (as `units` gives them for two languages) with these ids."""
        found: dict[int, StoredUnit] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update((u.id, u) for u in self.units(langs, ids=chunk))
        return found

    def units(
        self,
        langs: tuple[str, ...] = CODES,
        min_confidence: float = 0.0,
        collections: list[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        ids: list[int] | None = None,
    ) -> Iterator[StoredUnit]:
        """Tri-units (or, for two languages, the finest pairwise units) in release order,
        filtered by confidence, collections, release date (ISO, inclusive) or unit ids."""
        where, args = ["u.confidence >= ?"], [min_confidence]
        for clause, values in [("r.collection IN ({})", collections or None), ("u.id IN ({})", ids)]:
            if values is not None:
                where.append(clause.format(",".join("?" * len(values))))
                args += values
        for clause, value in [("r.date >= ?", since), ("r.date <= ?", until)]:
            if value:
                where.append(clause)
                args.append(value)
        if len(langs) == 2:
            first, second = sorted(langs, key=CODES.index)
            # With ids, a unary + keeps SQLite on the primary key instead of scanning the pair index.
            where.append("+u.pair = ?" if ids is not None else "u.pair = ?")
            args.append(f"{first}-{second}")
            query = (
                "SELECT u.id, u.source, u.target, u.bead_type, u.confidence, r.collection,"
                " r.release_id, r.url, r.date, '', u.props FROM pair_units u JOIN releases r ON r.id = u.release"
                f" WHERE {' AND '.join(where)} ORDER BY u.release, u.position"
            )
            for row in self.db.execute(query, args):
                yield StoredUnit(row[0], {first: row[1], second: row[2]}, *row[3:10], _props(row[10]))
            return
        query = (
            "SELECT u.id, u.tk, u.ru, u.en, u.bead_type, u.confidence, r.collection, r.release_id,"
            " r.url, r.date, u.aligner, u.props FROM units u JOIN releases r ON r.id = u.release"
            f" WHERE {' AND '.join(where)} ORDER BY r.id, u.position"
        )
        for row in self.db.execute(query, args):
            texts = {lang: text for lang, text in zip(CODES, row[1:4], strict=False) if text and lang in langs}
            if len(texts) >= 2:
                yield StoredUnit(row[0], texts, *row[4:11], _props(row[11]))

    def stats(self) -> Stats:
        def counts(query: str) -> dict[str, int]:
            return {str(k): v for k, v in self.db.execute(query)}

        band = "CASE WHEN confidence >= 0.9 THEN '>=0.9' WHEN confidence >= 0.5 THEN '0.5-0.9' ELSE '<0.5' END"
        return Stats(
            releases=self.db.execute("SELECT count(*) FROM releases").fetchone()[0],
            units=self.db.execute("SELECT count(*) FROM units").fetchone()[0],
            by_pair=counts("SELECT pair, count(*) FROM pair_units GROUP BY pair"),
            by_bead_type=counts("SELECT bead_type, count(*) FROM units GROUP BY bead_type ORDER BY 2 DESC"),
            by_confidence=counts(f"SELECT {band} AS b, count(*) FROM units GROUP BY b"),
            by_collection=counts(
                "SELECT r.collection, count(*) FROM units u JOIN releases r ON r.id = u.release GROUP BY r.collection"
            ),
        )


def _props(stored: str | None) -> dict[str, str]:
    return json.loads(stored) if stored else {}


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of `size` items (the last one shorter); itertools.batched from Python 3.12."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _first_url(release) -> str | None:
    return next((d.url for d in release.documents.values() if d.url), None)


def _first_title(release) -> str | None:
    document = release.documents.get("en") or next(iter(release.documents.values()))
    return document.title
