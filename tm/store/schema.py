"""The TM's tables, and the SQL that reads a unit's text back from them.

Each sentence's text is stored once, in `segments`. Units (tri-units and the finest pairwise
units) point at runs of segments: `<lang>_first` and `<lang>_count` per language for tri-units,
`source_*` and `target_*` for pair units. The text columns of a unit are filled only where its
sentences are not one run of a document, which an alignment can in principle produce; they are
NULL otherwise. The aligner's signature is stored once per release.
"""

import sqlite3

SCHEMA_VERSION = 11

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS releases (
    id INTEGER PRIMARY KEY,
    collection TEXT NOT NULL,
    release_id TEXT NOT NULL,
    url TEXT, date TEXT, title TEXT,
    content_hash TEXT NOT NULL,
    aligner TEXT,
    flag TEXT,  -- why its versions may not be one release; its units stay out of exports
    stored INTEGER NOT NULL DEFAULT 0,  -- the generation that stored it (ids may be reused; this is not)
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
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS units (
    id INTEGER PRIMARY KEY,
    release INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    bead_type TEXT NOT NULL, confidence REAL NOT NULL,
    tk_first INTEGER, tk_count INTEGER NOT NULL DEFAULT 0,
    ru_first INTEGER, ru_count INTEGER NOT NULL DEFAULT 0,
    en_first INTEGER, en_count INTEGER NOT NULL DEFAULT 0,
    tk TEXT, ru TEXT, en TEXT,
    props TEXT,
    reviewer TEXT, reviewed_at TEXT,  -- who accepted or corrected the unit, and when; NULL: not reviewed
    -- The generation that wrote the unit as it is: (id, version) names one state of a unit for
    -- good, so a person's change made from a state that is gone is refused, not applied to another.
    version INTEGER NOT NULL DEFAULT 0
);
-- What the aligner learned from this TM (tm build --learn), one row per version; the newest
-- aligns every release built from then on, and its id enters their aligner signature.
CREATE TABLE IF NOT EXISTS models (
    version INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    created TEXT NOT NULL,
    learned_from INTEGER NOT NULL,  -- releases
    content TEXT NOT NULL
);
-- Every build: when, what was asked, with which aligner and model, what came of it. A run with
-- no end was killed or is still going.
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL, ended TEXT,
    command TEXT NOT NULL,
    aligner TEXT, model INTEGER,
    added INTEGER, unchanged INTEGER, skipped INTEGER, flagged INTEGER, units INTEGER,
    problems TEXT,  -- JSON: [{"release", "problem", "kind": "skipped" or "flagged"}]
    error TEXT
);
CREATE TABLE IF NOT EXISTS pair_units (
    id INTEGER PRIMARY KEY,
    release INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
    pair TEXT NOT NULL, position INTEGER NOT NULL,
    source_first INTEGER NOT NULL, source_count INTEGER NOT NULL,
    target_first INTEGER NOT NULL, target_count INTEGER NOT NULL,
    bead_type TEXT NOT NULL, confidence REAL NOT NULL,
    source TEXT, target TEXT,
    props TEXT,
    reviewer TEXT, reviewed_at TEXT
);
"""

# What people did to the TM: corrections (with the state of the release before, for undo), and who
# may make them.
PEOPLE = """
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
    release INTEGER, collection TEXT NOT NULL, release_id TEXT NOT NULL,
    before TEXT NOT NULL,  -- JSON: the units it replaced, as {id, texts}
    after TEXT NOT NULL,  -- JSON: the units it made
    snapshot TEXT NOT NULL,  -- JSON: every unit and pair unit of the release before it
    generation INTEGER NOT NULL DEFAULT 0,  -- the generation that committed it
    undone_at TEXT, undone_by TEXT
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    password TEXT NOT NULL,  -- an argon2 hash
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    digest TEXT PRIMARY KEY,  -- sha256 of the token; the token itself is shown once
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    label TEXT, created TEXT NOT NULL
);
"""

# Signed-in web sessions, kept here so that signing out, a new password or removing the user ends
# them on the server, not only in one browser.
SESSIONS = """
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY,  -- sha256 of the session id the browser's signed cookie holds
    user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    created TEXT NOT NULL, expires TEXT NOT NULL
);
"""

# The termbase: names and terms with their translations, learned from the units (`tm terms
# extract`) or written by people. A reviewed entry (approved, rejected, edited) outlives extraction.
TERMS = """
CREATE TABLE IF NOT EXISTS terms (
    id INTEGER PRIMARY KEY,
    tk TEXT, ru TEXT, en TEXT,  -- the term in each language, in its dictionary form
    variants TEXT NOT NULL DEFAULT '{}',  -- JSON: {lang: [other forms the texts write]}
    count INTEGER NOT NULL DEFAULT 0,  -- units it was found in
    score REAL,  -- how strongly its languages were linked; NULL: written by a person
    status TEXT NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'approved', 'rejected')),
    examples TEXT NOT NULL DEFAULT '[]',  -- JSON: ids of units it stands in
    reviewer TEXT, reviewed_at TEXT
);
"""

UNIT_INDEXES = """
CREATE INDEX IF NOT EXISTS units_release_position ON units(release, position);
CREATE INDEX IF NOT EXISTS pair_units_order ON pair_units(pair, release, position);
CREATE INDEX IF NOT EXISTS pair_units_release ON pair_units(release);
"""

# Every release stored or removed, by the generation that commits it: a saved lookup index
# catches up by reading the releases changed since it was built instead of rebuilding.
CHANGE_LOG = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    generation INTEGER NOT NULL, release INTEGER NOT NULL, added INTEGER NOT NULL
);
CREATE TRIGGER IF NOT EXISTS release_added AFTER INSERT ON releases BEGIN
    INSERT INTO changes (generation, release, added)
    VALUES ((SELECT CAST(value AS INTEGER) + 1 FROM meta WHERE key = 'generation'), NEW.id, 1);
END;
CREATE TRIGGER IF NOT EXISTS release_removed AFTER DELETE ON releases BEGIN
    INSERT INTO changes (generation, release, added)
    VALUES ((SELECT CAST(value AS INTEGER) + 1 FROM meta WHERE key = 'generation'), OLD.id, 0);
END;
"""


# A unit that is a translation: sentences in two or more languages (a unit of one language is a
# sentence with no counterpart). Unqualified, for any query over `units` with unambiguous columns.
MULTILINGUAL = "(tk_count > 0) + (ru_count > 0) + (en_count > 0) > 1"


def statements(script: str) -> list[str]:
    """The SQL statements of `script`, trigger bodies kept whole (executescript would commit)."""
    found, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    return found


SCHEMA_STATEMENTS = statements(TABLES + PEOPLE + SESSIONS + TERMS + UNIT_INDEXES + CHANGE_LOG)


def text_of(table: str, side: str, lang: str) -> tuple[str, str]:
    """SQL for the text of one side of a unit of `table` (`side`: tk/ru/en for tri-units,
    source/target for pair units) in language `lang`: its own column where set, else its run
    of segments joined with spaces, else NULL. Returns the column and the LEFT JOIN it needs
    (a join reads a one-sentence side, most of them, faster than a subquery)."""
    run = f"s.release = {table}.release AND s.lang = '{lang}'"
    first, count, segment = f"{table}.{side}_first", f"{table}.{side}_count", f"{side}_segment"
    column = (
        f"CASE WHEN {table}.{side} IS NOT NULL THEN {table}.{side}"
        f" WHEN {count} = 1 THEN {segment}.text"
        f" WHEN {count} > 1 THEN (SELECT group_concat(text, ' ') FROM (SELECT s.text FROM segments s"
        f" WHERE {run} AND s.idx >= {first} AND s.idx < {first} + {count} ORDER BY s.idx)) END"
    )
    join = (
        f" LEFT JOIN segments {segment} ON {segment}.release = {table}.release"
        f" AND {segment}.lang = '{lang}' AND {segment}.idx = {first}"
    )
    return column, join
