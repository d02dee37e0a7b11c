"""The steps that bring a TM written by an older `tm` up to the current schema.

MIGRATIONS[n] takes a schema-n TM to schema n + 1, inside one transaction: each step is an
SQL statement or a function of the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tm.langs import CODES
from tm.store.schema import CHANGE_LOG, PEOPLE, SESSIONS, TABLES, TERMS, UNIT_INDEXES, statements


@contextmanager
def _rebuilt(db: sqlite3.Connection, table: str) -> Iterator[str]:
    """`table` made anew in its current shape; the block fills it from the old one, whose name it
    is given, and which is dropped afterwards."""
    old = f"{table}_5"
    db.execute(f"ALTER TABLE {table} RENAME TO {old}")
    db.execute(next(s for s in statements(TABLES) if f"EXISTS {table} (" in s))
    yield old
    db.execute(f"DROP TABLE {old}")


def _units_by_reference(db: sqlite3.Connection) -> None:
    """Schema 6: units point at runs of segments instead of holding copies of their texts, the
    aligner's signature moves from every unit to its release, and a release can be flagged.
    Imported units get segments of their own. A pair unit whose text is not found as a run of its
    document's segments keeps its text, so nothing is lost."""
    db.execute("ALTER TABLE releases ADD COLUMN aligner TEXT")
    db.execute("ALTER TABLE releases ADD COLUMN flag TEXT")
    db.execute("UPDATE releases SET aligner = (SELECT u.aligner FROM units u WHERE u.release = releases.id LIMIT 1)")
    with _rebuilt(db, "segments") as old:
        db.execute(f"INSERT INTO segments SELECT release, lang, idx, text FROM {old}")
    for lang in CODES:
        db.execute(
            f"INSERT INTO segments SELECT release, '{lang}', position, {lang} FROM units"
            f" WHERE aligner = 'import' AND {lang} IS NOT NULL"
        )
    _move_units(db)
    _move_pair_units(db)
    db.execute("DROP INDEX IF EXISTS units_release")
    for statement in statements(UNIT_INDEXES):
        db.execute(statement)


def _move_units(db: sqlite3.Connection) -> None:
    with _rebuilt(db, "units") as old:
        spans, imported_spans = [], []
        for lang in CODES:
            first, last = (f"json_extract(indices, '$.{lang}[{at}]')" for at in ("0", "#-1"))
            count = f"coalesce(json_array_length(indices, '$.{lang}'), 0)"
            run = f"{last} - {first} = {count} - 1"
            spans.append(f"{first}, {count}")
            imported_spans.append(f"CASE WHEN {lang} IS NULL THEN NULL ELSE position END, {lang} IS NOT NULL")
            spans.append(f"CASE WHEN {run} THEN NULL ELSE {lang} END")
        columns = "id, release, position, bead_type, confidence, " + ", ".join(
            f"{lang}_first, {lang}_count, {lang}" for lang in CODES
        )
        aligned = ", ".join(spans)
        imported = ", ".join(f"{span}, NULL" for span in imported_spans)
        for values, kind in ((aligned, "!="), (imported, "=")):
            db.execute(
                f"INSERT INTO units ({columns}, props) SELECT id, release, position, bead_type, confidence,"
                f" {values}, props FROM {old} WHERE aligner {kind} 'import'"
            )


def _move_pair_units(db: sqlite3.Connection) -> None:
    with _rebuilt(db, "pair_units") as old:
        db.execute(
            "INSERT INTO pair_units (id, release, pair, position, source_first, source_count, target_first,"
            " target_count, bead_type, confidence, props) SELECT p.id, p.release, p.pair, p.position, p.position, 1,"
            f" p.position, 1, p.bead_type, p.confidence, p.props FROM {old} p JOIN releases r ON r.id = p.release"
            " WHERE r.aligner = 'import'"
        )
        aligned = db.execute("SELECT id FROM releases WHERE aligner IS NOT 'import'").fetchall()
        for (release,) in aligned:
            sentences = _sentences(db, release)
            rows = db.execute(
                f"SELECT id, pair, position, source, target, bead_type, confidence, props FROM {old}"
                " WHERE release = ? ORDER BY pair, position",
                (release,),
            ).fetchall()
            db.executemany(
                "INSERT INTO pair_units (id, release, pair, position, source_first, source_count, target_first,"
                " target_count, source, target, bead_type, confidence, props)"
                f" VALUES (?{', ?' * 12})",
                list(_referenced(release, rows, sentences)),
            )


def _sentences(db: sqlite3.Connection, release: int) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {lang: [] for lang in CODES}
    for lang, text in db.execute("SELECT lang, text FROM segments WHERE release = ? ORDER BY lang, idx", (release,)):
        found[lang].append(text)
    return found


def _referenced(release: int, rows: list[tuple], sentences: dict[str, list[str]]):
    """Rows for the new pair_units: each text replaced by its run of segments where one is found
    (searching forward, as a pair's units follow the documents' order)."""
    cursor: dict[tuple[str, str], int] = {}
    for unit_id, pair, position, source, target, *rest in rows:
        row = [unit_id, release, pair, position]
        texts = []
        for lang, text in zip(pair.split("-"), (source, target), strict=True):
            start = cursor.get((pair, lang), 0)
            found = find_run(sentences[lang], text, start)
            if found is None:
                row += [0, 0]
                texts.append(text)
            else:
                row += list(found)
                texts.append(None)
                cursor[(pair, lang)] = found[0] + found[1]
        yield (*row, *texts, *rest)


def _reviewed_columns(db: sqlite3.Connection) -> None:
    """Schema 8: who reviewed a unit, and when."""
    for table in ("units", "pair_units"):
        for column in ("reviewer", "reviewed_at"):
            _add_column(db, table, column, "TEXT")


def _versions(db: sqlite3.Connection) -> None:
    """Schema 9: the generation that wrote each unit, stored each release and committed each
    correction (0 for those written before)."""
    for table, column in (("units", "version"), ("releases", "stored"), ("corrections", "generation")):
        _add_column(db, table, column, "INTEGER NOT NULL DEFAULT 0")


def _add_column(db: sqlite3.Connection, table: str, column: str, declaration: str) -> None:
    """Add a column unless the table has it (a table made anew by an earlier step has its current shape)."""
    if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")


def find_run(sentences: list[str], text: str, start: int = 0) -> tuple[int, int] | None:
    """(first, count) of the first run of `sentences` from `start` whose space-joined text is `text`."""
    for first in range(start, len(sentences)):
        if not text.startswith(sentences[first]):
            continue
        joined, last = sentences[first], first
        while len(joined) < len(text) and last + 1 < len(sentences):
            last += 1
            joined = f"{joined} {sentences[last]}"
        if joined == text:
            return first, last - first + 1
    return None


MIGRATIONS: dict[int, list[str | Callable[[sqlite3.Connection], None]]] = {
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
    # 5: a random identity, stamped into saved lookup indexes, tells two TM files apart; the
    # change log lets a saved index catch up with the releases stored or removed since.
    4: [
        "INSERT OR IGNORE INTO meta VALUES ('identity', lower(hex(randomblob(16))))",
        *statements(CHANGE_LOG),
    ],
    5: [_units_by_reference],
    # 7: the models the aligner learned from the TM (tm build --learn), and the record of builds.
    6: [next(s for s in statements(TABLES) if f"EXISTS {table} (" in s) for table in ("models", "runs")],
    # 8: reviewed units, the corrections made to units, and the users who may make them.
    7: [_reviewed_columns, *statements(PEOPLE)],
    # 9: versions: a unit's state, a release's storing and a correction each carry their generation.
    8: [_versions],
    # 10: web sessions kept in the TM, so that they can be ended.
    9: statements(SESSIONS),
    # 11: the termbase.
    10: statements(TERMS),
}
