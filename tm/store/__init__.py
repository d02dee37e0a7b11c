"""The translation memory: one SQLite file holding releases, segments and aligned units.

Every write happens inside `transaction()` (enforced); a release is stored whole or not at all.
A release whose texts and aligner signature are unchanged is skipped (content hash),
so building the same corpus twice adds nothing. Each thread gets its own connection, and
reads page through the rows so that no read keeps a snapshot open between calls.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from itertools import combinations, islice
from pathlib import Path

from tm.errors import StoreError
from tm.files import replacing
from tm.langs import CODES
from tm.store.corrections import Correction, Corrections, UnitRecord
from tm.store.learned import LearnedModels, StoredModel
from tm.store.migrations import MIGRATIONS
from tm.store.model import Stats, StoredUnit
from tm.store.runs import BuildRuns, Run
from tm.store.schema import MULTILINGUAL, SCHEMA_STATEMENTS, SCHEMA_VERSION, text_of
from tm.store.terms import Term, Termbase
from tm.store.users import Users

__all__ = [
    "BUSY_TIMEOUT",
    "Correction",
    "Run",
    "Stats",
    "StoredModel",
    "StoredUnit",
    "Term",
    "TranslationMemory",
    "UnitRecord",
    "batched",
    "content_hash",
]

# How `releases()` can order them: by name, the newest first, the least confident first.
RELEASE_ORDERS = {
    "name": "r.collection",
    "date": "r.date IS NULL, r.date DESC",
    "confidence": "confidence IS NULL, confidence",
}
# Seconds a write waits for another writer before giving up with a one-line error.
BUSY_TIMEOUT = 30.0
_IMPORT_BATCH = 10_000
_READ_PAGE = 5_000
_UNIT_RUNS = ", ".join(f"{lang}_first, {lang}_count" for lang in CODES)
_UNIT_SPANS = ", ".join(f"{lang}_first, {lang}_count, {lang}" for lang in CODES)
_PAIR_SPANS = "source_first, source_count, source, target_first, target_count, target"


def content_hash(texts: dict[str, str], signature: str) -> str:
    digest = hashlib.sha256(signature.encode())
    for lang in sorted(texts):
        digest.update(f"\0{lang}\0{texts[lang]}".encode())
    return digest.hexdigest()


def _problem(error: sqlite3.Error, timeout: float) -> str:
    """What an SQLite error means for the person who ran the command."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return f"the TM is busy: another process is writing to it (waited {timeout:g} s); try again when it is done"
    if "readonly" in text or "read-only" in text:
        return f"the TM file cannot be written ({text}); check its permissions and its folder's"
    if "unable to open" in text:
        return f"cannot open the TM file ({text}); check that its folder exists and can be written"
    if "disk" in text and "full" in text:
        return "the disk is full: the write under way was not made (what was committed before it is kept)"
    if "malformed" in text:
        return f"the TM file is damaged ({text}); restore it from a backup (tm backup makes one)"
    return f"not a TM file ({text})"


class TranslationMemory(LearnedModels, BuildRuns, Corrections, Users):
    """A TM file. `create=False` refuses to make a new file (for lookups and exports)."""

    def __init__(self, path: str | Path, create: bool = True, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        if self.path != ":memory:" and not create and not Path(self.path).is_file():
            raise StoreError("no TM here (build one with `tm build`)", self.path)
        # An in-memory TM is one shared-cache database, so every thread's connection sees it.
        self._target = f"file:tm-{uuid.uuid4().hex}?mode=memory&cache=shared" if self.path == ":memory:" else None
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        try:
            self._prepare(create)
        except sqlite3.Error as error:
            self.close()
            raise StoreError(_problem(error, busy_timeout), self.path) from error

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections must not be shared between threads)."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    def _connect(self) -> sqlite3.Connection:
        if self._target:
            connection = sqlite3.connect(self._target, uri=True, isolation_level=None, check_same_thread=False)
        else:
            connection = sqlite3.connect(
                self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False
            )
        connection.execute("PRAGMA foreign_keys = ON")
        with self._connections_lock:
            self._connections.append(connection)
        return connection

    def _prepare(self, create: bool) -> None:
        tables = {row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "meta" not in tables:
            if tables or not create:
                raise StoreError("not a TM file (an SQLite file without tm's tables)", self.path)
            self._create()
        version = self._schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(f"TM schema {version} is newer than this tm ({SCHEMA_VERSION}); upgrade tm", self.path)
        while version < SCHEMA_VERSION:
            with self.transaction():
                version = self._schema_version()  # another process may have migrated meanwhile
                if version < SCHEMA_VERSION:
                    self._migrate(version)
                    version += 1
                    self.db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))

    def _migrate(self, version: int) -> None:
        try:
            for step in MIGRATIONS[version]:
                step(self.db) if callable(step) else self.db.execute(step)
        except sqlite3.Error as error:
            raise StoreError(
                f"cannot bring the TM from schema {version} to {version + 1} ({error}); the file is unchanged",
                self.path,
            ) from error

    def _schema_version(self) -> int:
        return int(self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])

    def _create(self) -> None:
        if not self._target:
            self.db.execute("PRAGMA journal_mode = WAL")
        with self.transaction(bump=False):
            # Another process may have made the tables while this one waited for the write lock.
            if self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
                return
            for statement in SCHEMA_STATEMENTS:
                self.db.execute(statement)
            self.db.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('generation', '0'), ('identity', ?)",
                (str(SCHEMA_VERSION), uuid.uuid4().hex),
            )

    @functools.cached_property
    def termbase(self) -> Termbase:
        """The TM's termbase: a store of its own over this TM's connections and transactions."""
        return Termbase(self)

    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self, bump: bool = True) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together or not at all; each commit bumps the generation.
        Nested in another on the same thread, it is a savepoint: an error inside undoes its own
        writes and leaves the outer transaction to go on or fail as a whole (sqlite-utils' atomic)."""
        depth = getattr(self._local, "depth", 0)
        if depth:
            yield from self._savepoint(depth)
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(_problem(error, self.busy_timeout), self.path) from error
        self._local.depth = 1
        try:
            yield self.db
            if bump:
                self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            self.db.execute("COMMIT")
        except BaseException as error:
            if self.db.in_transaction:  # SQLite has rolled back already after some errors (a full disk)
                self.db.execute("ROLLBACK")
            converted = self._store_error(error)
            if converted is error:
                raise
            raise converted from error
        finally:
            self._local.depth = 0

    def _savepoint(self, depth: int) -> Iterator[sqlite3.Connection]:
        name = f"tm_{depth}"
        self.db.execute(f"SAVEPOINT {name}")
        self._local.depth = depth + 1
        try:
            yield self.db
        except BaseException:
            if self.db.in_transaction:
                self.db.execute(f"ROLLBACK TO {name}")
                self.db.execute(f"RELEASE {name}")
            raise
        else:
            self.db.execute(f"RELEASE {name}")
        finally:
            self._local.depth = depth

    def _store_error(self, error: BaseException) -> BaseException:
        """The error a failed transaction raises: SQLite's own, in the words of the TM."""
        if isinstance(error, sqlite3.OperationalError):
            return StoreError(_problem(error, self.busy_timeout), self.path)
        if isinstance(error, sqlite3.IntegrityError):  # a constraint the write broke: nothing was written
            return StoreError(f"the write was refused and nothing changed: {error}", self.path)
        return error

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see the TM as of one moment, whatever commits meanwhile (SQLite's read
        transaction on this thread's connection); inside a transaction already, that one."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    def _require_transaction(self) -> None:
        """Writes outside `transaction()` would commit on their own and skip the generation bump,
        so lookups would never see them."""
        if not getattr(self._local, "depth", 0):
            raise StoreError("writes to the TM must happen inside `with tm.transaction():`", self.path)

    def generation(self) -> int:
        """A number that changes with every committed write."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def writing_generation(self) -> int:
        """Inside a transaction: the generation its commit will have (it alone may write now)."""
        self._require_transaction()
        return self.generation() + 1

    def identity(self) -> str:
        """A random id given to this TM when it was made: tells two TM files apart at the same generation."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
        return row[0]

    def changes_since(self, generation: int) -> tuple[set[int], set[int]]:
        """Releases (by key) removed and added by the writes committed after `generation`: a
        release replaced in place is both removed and added."""
        removed, added = set(), set()
        query = "SELECT release, added FROM changes WHERE generation > ? ORDER BY seq"
        for release, was_added in self.db.execute(query, (generation,)).fetchall():
            if was_added:
                added.add(release)
            elif release in added:
                added.discard(release)
            else:
                removed.add(release)
        return removed, added

    def delete(self, collection: str, release_id: str | None = None) -> int:
        """Remove one release, or a whole collection, with all its units; returns releases removed."""
        where, args = "collection = ?", [collection]
        if release_id is not None:
            where, args = f"{where} AND release_id = ?", [collection, release_id]
        with self.transaction():
            return self.db.execute(f"DELETE FROM releases WHERE {where}", args).rowcount

    def releases_holding(self, collection: str, paths: Iterable[str]) -> list[str]:
        """The stored releases of `collection` that hold one of these page files, those holding
        the most first (then the first stored)."""
        paths = sorted({path for path in paths if path})
        if not paths:
            return []
        rows = self.db.execute(
            f"SELECT r.release_id FROM releases r JOIN documents d ON d.release = r.id WHERE r.collection = ?"
            f" AND d.path IN ({','.join('?' * len(paths))}) GROUP BY r.id ORDER BY count(*) DESC, r.id",
            [collection, *paths],
        ).fetchall()
        return [release_id for (release_id,) in rows]

    def lone_segments(self, lang: str, release: int | None = None) -> list[StoredUnit]:
        """The `lang` sentences of releases stored without units (a page with no counterpart yet),
        each as a unit of one language; of one release (by key) if given."""
        # CROSS JOIN keeps SQLite on the releases first: the few without units, then their segments,
        # rather than every segment of the TM checked one by one.
        one = "" if release is None else " AND r.id = ?"
        rows = self.db.execute(
            "SELECT s.text, r.collection, r.release_id, r.url, r.date, r.id FROM releases r"
            " CROSS JOIN segments s ON s.release = r.id AND s.lang = ?"
            f" WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.release = r.id){one} ORDER BY r.id, s.idx",
            (lang,) if release is None else (lang, release),
        ).fetchall()
        return [
            StoredUnit(0, {lang: text}, "1-0", 0.0, collection, release_id, url, day, "", {}, key)
            for text, collection, release_id, url, day, key in rows
        ]

    def backup(self, target: str | Path) -> None:
        """Copy the TM to `target` with SQLite's online backup: a consistent copy while builds
        and lookups go on. Written beside `target` and renamed into place."""
        target = Path(target)
        if target.exists() and target.resolve() == Path(self.path).resolve():
            raise StoreError("a backup cannot overwrite the TM itself", target)
        try:
            with replacing(target) as temporary, closing(sqlite3.connect(temporary)) as copy:
                self.db.backup(copy)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot write the backup ({error})", target) from error

    def check(self) -> list[str]:
        """What is wrong with the TM file, one line each with what to do (none: it is sound)."""
        problems = [
            f"SQLite integrity: {row[0]}; restore from a backup (tm backup)"
            for row in self.db.execute("PRAGMA integrity_check").fetchall()
            if row[0] != "ok"
        ]
        problems += [
            f"{table} row {row} points at a missing row of {parent}; restore from a backup, or delete its release"
            for table, row, parent, _ in self.db.execute("PRAGMA foreign_key_check").fetchall()
        ]
        orphans = self.db.execute(
            "SELECT count(*) FROM units u WHERE u.tk_count + u.ru_count + u.en_count > 0"
            " AND coalesce(u.tk, u.ru, u.en) IS NULL AND NOT EXISTS (SELECT 1 FROM segments s"
            " WHERE s.release = u.release)"
        ).fetchone()[0]
        if orphans:
            problems.append(
                f"{orphans} units point at sentences that are not stored; rebuild their releases (tm build)"
                " or delete them (tm delete)"
            )
        return problems

    def release_key(self, collection: str, release_id: str) -> int | None:
        """The key of a stored release, or None."""
        return self._release_field("id", collection, release_id)

    def release_named(self, name: str) -> tuple[str, str] | None:
        """The (collection, release id) of the stored release written `collection/release_id`:
        both may hold slashes (`site1/news` and `2024/77`, `import` and a file's path), so each
        split is tried."""
        for at in (n for n, char in enumerate(name) if char == "/"):
            collection, release_id = name[:at], name[at + 1 :]
            if self.release_key(collection, release_id) is not None:
                return collection, release_id
        return None

    def release_info(self, collection: str, release_id: str) -> dict | None:
        """A stored release's page URL, date, title, aligner and flag, or None when it is not stored."""
        cursor = self.db.execute(
            "SELECT url, date, title, aligner, flag FROM releases WHERE collection = ? AND release_id = ?",
            (collection, release_id),
        )
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None

    def release_hash(self, collection: str, release_id: str) -> str | None:
        """The content hash a release was stored with, or None when it is not stored."""
        return self._release_field("content_hash", collection, release_id)

    def release_aligner(self, collection: str, release_id: str) -> str | None:
        """The aligner signature a release was aligned with, or None when it is not stored."""
        return self._release_field("aligner", collection, release_id)

    def release_confidence(self, collection: str, release_id: str) -> float | None:
        """The mean confidence of a release's units of two or more languages (None: it has none)."""
        row = self.db.execute(
            "SELECT avg(u.confidence) FROM units u JOIN releases r ON r.id = u.release"
            " WHERE r.collection = ? AND r.release_id = ?"
            f" AND {MULTILINGUAL}",
            (collection, release_id),
        ).fetchone()
        return row[0]

    def _release_field(self, column: str, collection: str, release_id: str):
        row = self.db.execute(
            f"SELECT {column} FROM releases WHERE collection = ? AND release_id = ?", (collection, release_id)
        ).fetchone()
        return row[0] if row else None

    def add_release(self, record, flag: str | None = None) -> int:
        """Store a `tm.jobs.AlignedRelease` whole, replacing an older version of it and any other
        release of its collection that holds one of its page files (a page stored alone that has
        now joined its release); the reviewed units of all of them are kept. `flag` says why its
        versions may not be one release (its units then stay out of exports unless asked for)."""
        self._require_transaction()
        release = record.release
        paths = [document.path for document in release.documents.values()]
        replaced = {release.release_id, *self.releases_holding(release.collection, paths)}
        old = self.stored_units(release.collection, sorted(replaced))
        kept = self.kept(old)
        ids = _UnitIds(_unreviewed_by_texts(old), self._first_free_id(kept))
        self.db.executemany(
            "DELETE FROM releases WHERE collection = ? AND release_id = ?",
            [(release.collection, release_id) for release_id in replaced],
        )
        cursor = self.db.execute(
            "INSERT INTO releases (collection, release_id, url, date, title, content_hash, aligner, flag, stored)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                release.collection,
                release.release_id,
                release.url or _first_url(release),
                release.date.isoformat() if release.date else None,
                release.title or _first_title(release),
                record.content_hash,
                record.alignment.signature,
                flag,
                self.writing_generation(),
            ),
        )
        key = cursor.lastrowid
        self._add_documents(key, record)
        self._add_units(key, record, ids)
        self.keep_reviewed(key, kept)
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

    def _first_free_id(self, kept: list) -> int:
        """The id the new units of a release start from: above every unit's, and above those of the
        reviewed units about to come back, so that each of those keeps the id people know it by."""
        highest = self.db.execute("SELECT max(id) FROM units").fetchone()[0] or 0
        return max([highest, *(item.unit.id or 0 for item in kept)]) + 1

    def _add_units(self, key: int, record, ids: _UnitIds) -> None:
        alignment = record.alignment
        sentences = alignment.sentences
        rows, version = [], self.writing_generation()
        for position, unit in enumerate(alignment.units):
            spans = [value for lang in CODES for value in _span(unit.sentences.get(lang, ()), sentences.get(lang))]
            texts = {
                lang: " ".join(sentences[lang][i] for i in found) for lang, found in unit.sentences.items() if found
            }
            unit_id, unit_version = ids.take(_texts_key(texts), version)
            rows.append((unit_id, key, position, unit.bead_type, unit.confidence, unit_version, *spans))
        self.db.executemany(
            f"INSERT INTO units (id, release, position, bead_type, confidence, version, {_UNIT_SPANS})"
            f" VALUES (?, ?, ?, ?, ?, ?{', ?' * 9})",
            rows,
        )
        pair_rows = []
        for pair, links in alignment.pairs.items():
            x, y = pair.split("-")
            for position, link in enumerate(links):
                if link.source and link.target:
                    source, target = _span(link.source, sentences[x]), _span(link.target, sentences[y])
                    bead = f"{len(link.source)}-{len(link.target)}"
                    pair_rows.append((key, pair, position, *source, *target, bead, link.confidence))
        self.db.executemany(
            f"INSERT INTO pair_units (release, pair, position, {_PAIR_SPANS}, bead_type, confidence)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            pair_rows,
        )

    def find_release(self, collection: str, content_hash: str) -> str | None:
        """The release of `collection` stored with this content hash (for imports: the file's), if any."""
        row = self.db.execute(
            "SELECT release_id FROM releases WHERE collection = ? AND content_hash = ?", (collection, content_hash)
        ).fetchone()
        return row[0] if row else None

    def add_imported(
        self, collection: str, release_id: str, units: Iterable, content_hash: str = ""
    ) -> tuple[int, int]:
        """Store units streamed from a TMX/PO/table file as one release, replacing an earlier import
        under the same `release_id` (the file's full path); each unit keeps its file's properties and
        notes. Returns the units stored and the units of the earlier import that were replaced."""
        self._require_transaction()
        replaced = self.db.execute(
            "SELECT count(*) FROM units u JOIN releases r ON r.id = u.release"
            " WHERE r.collection = ? AND r.release_id = ?",
            (collection, release_id),
        ).fetchone()[0]
        kept = self.reviewed_of(collection, release_id)
        self.db.execute("DELETE FROM releases WHERE collection = ? AND release_id = ?", (collection, release_id))
        version = self.writing_generation()
        key = self.db.execute(
            "INSERT INTO releases (collection, release_id, content_hash, aligner, stored)"
            " VALUES (?, ?, ?, 'import', ?)",
            (collection, release_id, content_hash, version),
        ).lastrowid
        count, first_id = 0, self._first_free_id(kept)
        for batch in batched(units, _IMPORT_BATCH):
            segment_rows, unit_rows, pair_rows = [], [], []
            for unit in batch:
                confidence = float(unit.properties.get("x-confidence", 1.0) or 1.0)
                present = [lang for lang in CODES if unit.texts.get(lang)]
                bead = "-".join("1" if lang in present else "0" for lang in CODES)
                props = json.dumps(unit.properties, ensure_ascii=False) if unit.properties else None
                segment_rows += [(key, lang, count, unit.texts[lang]) for lang in present]
                spans = [value for lang in CODES for value in ((count, 1) if lang in present else (None, 0))]
                unit_rows.append((first_id + count, key, count, bead, confidence, *spans, props, version))
                pair_rows += [
                    (key, f"{x}-{y}", count, count, count, confidence, props) for x, y in combinations(present, 2)
                ]
                count += 1
            self.db.executemany("INSERT INTO segments VALUES (?, ?, ?, ?)", segment_rows)
            self.db.executemany(
                f"INSERT INTO units (id, release, position, bead_type, confidence, {_UNIT_RUNS}, props, version)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                unit_rows,
            )
            self.db.executemany(
                "INSERT INTO pair_units (release, pair, position, source_first, source_count, target_first,"
                " target_count, bead_type, confidence, props) VALUES (?, ?, ?, ?, 1, ?, 1, '1-1', ?, ?)",
                pair_rows,
            )
        self.keep_reviewed(key, kept)
        return count, replaced

    def units_by_id(self, langs: tuple[str, str], ids: list[int]) -> dict[int, StoredUnit]:
        """The pairwise units (as `units` gives them for two languages) with these ids."""
        found: dict[int, StoredUnit] = {}
        for chunk in batched(ids, 500):  # SQLite binds at most 999 values in one statement
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
        releases: list[int] | None = None,
        include_flagged: bool = True,
        include_lone: bool = False,
    ) -> Iterator[StoredUnit]:
        """Tri-units (or, for two languages, the finest pairwise units) in release order,
        filtered by confidence, collections, release date (ISO, inclusive), unit ids or release keys;
        without the units of flagged releases unless `include_flagged`, and without the sentences
        that have no counterpart (tri-units of one language) unless `include_lone`."""
        where, args = ["u.confidence >= ?"], [min_confidence]
        if not include_flagged:
            where.append("r.flag IS NULL")
        clauses = [
            ("r.collection IN ({})", collections or None),
            ("u.id IN ({})", ids),
            ("u.release IN ({})", releases),
        ]
        for clause, values in clauses:
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
            (source, source_join), (target, target_join) = text_of("u", "source", first), text_of("u", "target", second)
            columns = (
                f"u.id, {source}, {target}, u.bead_type, u.confidence, r.collection, r.release_id, r.url, r.date,"
                " r.aligner, u.props, u.reviewer"
            )
            for row in self._pages(columns, "pair_units", source_join + target_join, where, args):
                yield StoredUnit(row[0], {first: row[1], second: row[2]}, *row[3:10], _props(row[10]), row[12], row[11])
            return
        sides = [text_of("u", lang, lang) if lang in langs else ("NULL", "") for lang in CODES]
        columns = (
            f"u.id, {', '.join(column for column, _ in sides)}, u.bead_type, u.confidence, r.collection,"
            " r.release_id, r.url, r.date, r.aligner, u.props, u.reviewer"
        )
        for row in self._pages(columns, "units", "".join(join for _, join in sides), where, args):
            texts = {lang: text for lang, text in zip(CODES, row[1:4], strict=False) if text}
            if len(texts) >= 2 or (include_lone and texts):
                yield StoredUnit(row[0], texts, *row[4:11], _props(row[11]), row[13], row[12])

    def _pages(self, columns: str, table: str, joins: str, where: list[str], args: list) -> Iterator[tuple]:
        """Rows of `columns` of `table` (as `u`, joined with its release as `r`, and `joins`) in
        (release, position) order, a page at a time, each with the release key and position at its
        end. Each page is read whole, so no statement, and no read snapshot, stays open while the
        caller works on the rows: a slow export does not hold back the WAL checkpoints of writers."""
        after = (-1, -1)
        query = (
            f"SELECT {columns}, u.release, u.position FROM {table} u JOIN releases r ON r.id = u.release{joins}"
            f" WHERE {' AND '.join(where)} AND (u.release, u.position) > (?, ?) ORDER BY u.release, u.position LIMIT ?"
        )
        while True:
            rows = self.db.execute(query, [*args, *after, _READ_PAGE]).fetchall()
            yield from rows
            if len(rows) < _READ_PAGE:
                return
            after = rows[-1][-2:]

    def stats(self) -> Stats:
        def counts(query: str) -> dict[str, int]:
            return {str(k): v for k, v in self.db.execute(query)}

        # A sentence with no counterpart is not a translation that may be wrong: it has no band.
        lone = f"NOT ({MULTILINGUAL})"
        band = (
            f"CASE WHEN {lone} THEN 'one language' WHEN confidence >= 0.9 THEN '>=0.9'"
            " WHEN confidence >= 0.5 THEN '0.5-0.9' ELSE '<0.5' END"
        )
        return Stats(
            releases=self.db.execute("SELECT count(*) FROM releases").fetchone()[0],
            units=self.db.execute("SELECT count(*) FROM units").fetchone()[0],
            by_pair=counts("SELECT pair, count(*) FROM pair_units GROUP BY pair"),
            by_bead_type=counts("SELECT bead_type, count(*) FROM units GROUP BY bead_type ORDER BY 2 DESC"),
            by_confidence=counts(f"SELECT {band} AS b, count(*) FROM units GROUP BY b"),
            by_collection=counts(
                "SELECT r.collection, count(*) FROM units u JOIN releases r ON r.id = u.release GROUP BY r.collection"
            ),
            flagged=self.db.execute("SELECT count(*) FROM releases WHERE flag IS NOT NULL").fetchone()[0],
        )

    def confidence_tenths(self) -> list[int]:
        """How many units of two or more languages have a confidence in each tenth, 0-0.1 to 0.9-1."""
        counts = dict(
            self.db.execute(
                f"SELECT min(CAST(confidence * 10 AS INTEGER), 9), count(*) FROM units WHERE {MULTILINGUAL} GROUP BY 1"
            ).fetchall()
        )
        return [counts.get(tenth, 0) for tenth in range(10)]

    def collections(self) -> list[str]:
        """The collections the TM holds, by name (for filters: far cheaper than `stats`)."""
        return [name for (name,) in self.db.execute("SELECT DISTINCT collection FROM releases ORDER BY 1")]

    def releases_per_day(self) -> list[tuple[str, int]]:
        """(ISO date, releases) for every day with a dated release, in date order."""
        return self.db.execute(
            "SELECT date, count(*) FROM releases WHERE date IS NOT NULL GROUP BY date ORDER BY date"
        ).fetchall()

    def release_view(self, key: int) -> list[StoredUnit]:
        """A release's units in document order, sentences with no counterpart too; for a release
        stored with one language (no units), its sentences, each alone."""
        units = list(self.units(releases=[key], include_lone=True))
        return units or [unit for lang in CODES for unit in self.lone_segments(lang, key)]

    def releases(
        self,
        collection: str | None = None,
        since: str | None = None,
        flagged: bool = False,
        limit: int = -1,
        offset: int = 0,
        order: str = "name",
    ) -> list[dict]:
        """The stored releases: name, date, languages, units of two or more languages, their mean
        confidence, flag; only one collection's, those dated on or after `since`, or the flagged;
        `limit` of them (-1: all) from `offset`, in the `order` of RELEASE_ORDERS."""
        if order not in RELEASE_ORDERS:
            raise StoreError(f"releases are listed by {', '.join(RELEASE_ORDERS)}, not {order!r}", self.path)
        where, args = [], []
        for clause, value in (("r.collection = ?", collection), ("r.date >= ?", since)):
            if value:
                where.append(clause)
                args.append(value)
        if flagged:
            where.append("r.flag IS NOT NULL")
        cursor = self.db.execute(
            "SELECT r.collection, r.release_id, r.date, (SELECT group_concat(lang, ',') FROM (SELECT d.lang FROM"
            " documents d WHERE d.release = r.id ORDER BY d.lang)) AS languages, (SELECT count(*) FROM units u"
            f" WHERE u.release = r.id AND {MULTILINGUAL}) AS units, (SELECT round(avg(u.confidence), 2) FROM units u"
            f" WHERE u.release = r.id AND {MULTILINGUAL}) AS confidence, r.flag FROM releases r"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {RELEASE_ORDERS[order]}, r.collection, r.release_id LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def flagged(self) -> list[tuple[str, str, str]]:
        """(collection, release id, why) of every flagged release."""
        return self.db.execute(
            "SELECT collection, release_id, flag FROM releases WHERE flag IS NOT NULL ORDER BY collection, release_id"
        ).fetchall()


def _unreviewed_by_texts(units: Iterable[UnitRecord]) -> dict[tuple, list[tuple[int, int]]]:
    """The (id, version) of the unreviewed ones of `units`, by their texts."""
    found: dict[tuple, list[tuple[int, int]]] = {}
    for unit in units:
        if not unit.reviewer:
            found.setdefault(_texts_key(unit.texts), []).append((unit.id, unit.version))
    return found


class _UnitIds:
    """Ids for the units of a release stored anew. A unit with the very texts of an unreviewed
    unit of the version it replaces takes that unit's id and version: a link a person holds to it
    (a review queue, a lookup) still names the same sentences after a rebuild. Any other unit gets
    a fresh id, above every id in use or about to come back with a reviewed unit."""

    def __init__(self, reusable: dict[tuple, list[tuple[int, int]]], first_free: int) -> None:
        self.reusable, self.next = reusable, first_free

    def take(self, texts: tuple, version: int) -> tuple[int, int]:
        if found := self.reusable.get(texts):
            return found.pop(0)
        self.next += 1
        return self.next - 1, version


def _texts_key(texts: dict[str, str]) -> tuple:
    return tuple(texts.get(lang) for lang in CODES)


def _span(indices: tuple[int, ...], sentences: list[str] | None) -> tuple[int | None, int, str | None]:
    """One side of a unit as (first, count) of its run of segments, and its own text only
    where its sentences are not one run."""
    if not indices:
        return None, 0, None
    first = indices[0]
    if list(indices) == list(range(first, first + len(indices))):
        return first, len(indices), None
    return first, len(indices), " ".join(sentences[i] for i in indices)


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
