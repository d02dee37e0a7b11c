-- The tables of a TM written at schema 5, before units referred to segments: for the migration tests.
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
-- Every release stored or removed, by the generation that commits it: a saved lookup index
-- catches up by reading the releases changed since it was built instead of rebuilding.
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
