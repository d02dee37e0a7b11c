"""The connection layer of the TM: one SQLite connection per thread, the schema made and migrated,
transactions that nest (a savepoint inside another, as sqlite-utils' `atomic()`), read snapshots,
the generation every commit bumps, and SQLite's errors put in the TM's words. The stores of the TM
(releases, unit reads, corrections, users, runs, models, the termbase) work over it.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from tm.errors import StoreError
from tm.files import replacing
from tm.store.migrations import MIGRATIONS
from tm.store.schema import SCHEMA_STATEMENTS, SCHEMA_VERSION

# Seconds a write waits for another writer before giving up with a one-line error.
BUSY_TIMEOUT = 30.0


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


class Database:
    """A TM file's connections and transactions. `create=False` refuses to make a new file."""

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

    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for connection in connections:
            connection.close()
        self._local = threading.local()

    def __enter__(self) -> Database:
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
