"""A TM written by an older tm opens with every text it held: the migrations up to schema 6."""

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from tm import review
from tm.align import Alignment, PairLink, Unit
from tm.corpus import Document, Release
from tm.errors import StoreError
from tm.jobs import AlignedRelease
from tm.store import TranslationMemory
from tm.store.migrations import find_run
from tm.store.schema import SCHEMA_VERSION

SCHEMA_5 = (Path(__file__).parent / "data/schema5.sql").read_text()
SIGNATURE = "encoder=ngram;aligner=dp" * 10

TK = ["Ýolbaşçylar duşuşdylar.", "Gepleşikler geçirildi.", "Ylalaşyk baglaşyldy.", "Sapar tamamlandy."]
EN = ["The leaders met.", "Talks were held and an agreement was signed.", "The visit ended."]


def _schema5_tm(path: Path) -> None:
    """A schema-5 TM as tm wrote it: one aligned release (a 2-1 bead, a Turkmen sentence with no
    English, a pair unit whose text is no run of its segments) and one imported release."""
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_5)
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("schema_version", "5"), ("generation", "3"), ("identity", "x" * 32)]
        )
        db.execute("INSERT INTO releases VALUES (1, 'mfa', 'r1', NULL, '2024-05-01', NULL, 'h1')")
        db.execute("INSERT INTO releases VALUES (2, 'import', '/data/old.tmx', NULL, NULL, NULL, 'file:ab')")
        segments = [(1, "tk", i, text) for i, text in enumerate(TK)] + [(1, "en", i, text) for i, text in enumerate(EN)]
        db.executemany("INSERT INTO segments VALUES (?, ?, ?, ?)", segments)
        tri = [
            (0, "1-0-1", {"tk": [0], "en": [0]}, TK[0], EN[0]),
            (1, "2-0-1", {"tk": [1, 2], "en": [1]}, f"{TK[1]} {TK[2]}", EN[1]),
            (2, "1-0-1", {"tk": [3], "en": [2]}, TK[3], EN[2]),
        ]
        for position, bead, indices, tk, en in tri:
            db.execute(
                "INSERT INTO units (release, position, bead_type, confidence, aligner, tk, ru, en, indices)"
                " VALUES (1, ?, ?, 0.9, ?, ?, NULL, ?, ?)",
                (position, bead, SIGNATURE, tk, en, json.dumps(indices)),
            )
        pairs = [(0, TK[0], EN[0]), (1, f"{TK[1]} {TK[2]}", EN[1]), (3, "Hand-edited text.", EN[2])]
        db.executemany(
            "INSERT INTO pair_units (release, pair, position, source, target, bead_type, confidence)"
            " VALUES (1, 'tk-en', ?, ?, ?, '1-1', 0.8)",
            pairs,
        )
        db.execute(
            "INSERT INTO units (release, position, bead_type, confidence, aligner, tk, ru, en, indices, props)"
            " VALUES (2, 0, '0-1-1', 1.0, 'import', NULL, 'Переговоры.', 'Talks.', '{}', '{\"x-project\": \"visits\"}')"
        )
        db.execute(
            "INSERT INTO pair_units (release, pair, position, source, target, bead_type, confidence, props)"
            " VALUES (2, 'ru-en', 0, 'Переговоры.', 'Talks.', '1-1', 1.0, '{\"x-project\": \"visits\"}')"
        )


def _texts(tm: TranslationMemory, langs: tuple[str, ...]) -> list[dict[str, str]]:
    return [unit.texts for unit in tm.units(langs)]


def test_schema_5_units_come_back_with_the_same_texts(tmp_path):
    path = tmp_path / "v5.db"
    _schema5_tm(path)
    with TranslationMemory(path) as tm:
        assert tm.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert _texts(tm, ("tk", "en")) == [
            {"tk": TK[0], "en": EN[0]},
            {"tk": f"{TK[1]} {TK[2]}", "en": EN[1]},
            {"tk": "Hand-edited text.", "en": EN[2]},
        ]
        assert _texts(tm, ("tk", "ru", "en"))[1] == {"tk": f"{TK[1]} {TK[2]}", "en": EN[1]}
        (imported,) = tm.units(("ru", "en"))
        assert imported.texts == {"ru": "Переговоры.", "en": "Talks."} and imported.props == {"x-project": "visits"}
        assert {u.aligner for u in tm.units()} == {SIGNATURE, "import"}
        # Texts now live once, in segments: only the pair unit found in no run keeps its own.
        kept = tm.db.execute("SELECT source FROM pair_units WHERE source IS NOT NULL").fetchall()
        assert kept == [("Hand-edited text.",)]
        assert tm.db.execute("SELECT count(*) FROM units WHERE coalesce(tk, ru, en) IS NOT NULL").fetchone()[0] == 0
        columns = {row[1] for row in tm.db.execute("PRAGMA table_info(units)")}
        assert "aligner" not in columns and "indices" not in columns


def _older_tm(path: Path, version: int, *statements: str) -> None:
    """A schema-5 TM taken back to `version` by `statements`."""
    _schema5_tm(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
        for statement in statements:
            db.execute(statement)


def test_schema_1_is_migrated_all_the_way(tmp_path):
    path = tmp_path / "v1.db"
    _older_tm(
        path,
        1,
        "DELETE FROM meta WHERE key IN ('generation', 'identity')",
        "DROP TRIGGER release_added",
        "DROP TRIGGER release_removed",
        "DROP TABLE changes",
        "ALTER TABLE units DROP COLUMN props",
        "ALTER TABLE pair_units DROP COLUMN props",
        "DROP INDEX pair_units_order",
        "DROP INDEX units_release_position",
        "CREATE INDEX pair_units_pair ON pair_units(pair, confidence)",
    )
    with TranslationMemory(path) as tm:
        assert len(tm.identity()) == 32
        indexes = {row[0] for row in tm.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"pair_units_order", "units_release_position"} <= indexes and "pair_units_pair" not in indexes
        assert tm.generation() > 0  # the migration is a write like any other
        assert len(_texts(tm, ("tk", "en"))) == 3
        tm.delete("mfa")
        assert tm.changes_since(0)[0] == {1}


def test_schema_3_pair_units_get_the_imported_properties(tmp_path):
    path = tmp_path / "v3.db"
    _older_tm(path, 3, "ALTER TABLE pair_units DROP COLUMN props")
    with TranslationMemory(path) as tm:
        (stored,) = tm.units(("ru", "en"))
        assert stored.props == {"x-project": "visits"}


def test_a_failed_migration_leaves_the_file_as_it_was(tmp_path):
    path = tmp_path / "v5.db"
    _older_tm(path, 5, "UPDATE units SET indices = 'not json' WHERE position = 1 AND release = 1")
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"from schema 5 to 6 \(malformed JSON\); the file is unchanged"):
        TranslationMemory(path)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "5"
        assert db.execute("SELECT count(*) FROM units").fetchone()[0] == 4
    assert len(path.read_bytes()) == len(before)


@pytest.mark.parametrize(
    ("text", "start", "found"),
    [
        ("b c", 0, (1, 2)),
        ("a", 0, (0, 1)),
        ("a", 1, (3, 1)),  # searched forward from where the pair's previous unit ended
        ("a b c", 0, (0, 3)),
        ("b", 0, (1, 1)),
        ("b c a x", 0, None),
        ("c a", 0, (2, 2)),
    ],
)
def test_find_run(text, start, found):
    assert find_run(["a", "b", "c", "a"], text, start) == found


def _aligned(units: list[Unit], pairs: dict[str, list[PairLink]]) -> AlignedRelease:
    sentences = {"tk": TK, "en": EN}
    documents = {lang: Document(lang, None, None, tuple(sents)) for lang, sents in sentences.items()}
    return AlignedRelease(Release("mfa", "r1", documents), Alignment(sentences, units, pairs, SIGNATURE), "h")


def test_units_are_stored_as_runs_of_segments(tmp_path):
    units = [
        Unit({"tk": (0,), "en": (0,)}, 0.9),
        Unit({"tk": (1, 2), "en": (1,)}, 0.8),
        Unit({"tk": (3,), "en": (2,)}, 0.7),
    ]
    pairs = {"tk-en": [PairLink((0,), (0,), 0.9), PairLink((1, 2), (1,), 0.8), PairLink((3,), (2,), 0.7)]}
    with TranslationMemory(tmp_path / "tm.db") as tm:
        with tm.transaction():
            tm.add_release(_aligned(units, pairs))
        assert _texts(tm, ("tk", "en"))[1] == {"tk": f"{TK[1]} {TK[2]}", "en": EN[1]}
        assert _texts(tm, ("tk", "ru", "en"))[2] == {"tk": TK[3], "en": EN[2]}
        stored = tm.db.execute("SELECT count(*) FROM pair_units WHERE coalesce(source, target) IS NOT NULL")
        assert stored.fetchone()[0] == 0
        assert tm.db.execute("SELECT count(*) FROM units WHERE coalesce(tk, ru, en) IS NOT NULL").fetchone()[0] == 0
        assert tm.db.execute("SELECT aligner FROM releases").fetchone()[0] == SIGNATURE


def test_a_unit_whose_sentences_are_not_one_run_keeps_its_text(tmp_path):
    units = [Unit({"tk": (0, 2), "en": (0,)}, 0.5), Unit({"tk": (1,), "en": (1,)}, 0.5)]
    with TranslationMemory(tmp_path / "tm.db") as tm:
        with tm.transaction():
            tm.add_release(_aligned(units, {}))
        assert _texts(tm, ("tk", "ru", "en")) == [{"tk": f"{TK[0]} {TK[2]}", "en": EN[0]}, {"tk": TK[1], "en": EN[1]}]


def test_a_broken_constraint_is_one_store_error_and_changes_nothing(tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        generation = tm.generation()
        with pytest.raises(StoreError, match="nothing changed"), tm.transaction():
            tm.db.execute("INSERT INTO releases (id, collection, release_id) VALUES (1, 'a', 'x')")
            tm.db.execute("INSERT INTO releases (id, collection, release_id) VALUES (1, 'a', 'y')")
        assert tm.generation() == generation and tm.db.execute("SELECT count(*) FROM releases").fetchone()[0] == 0


def test_a_release_that_takes_in_the_pages_of_another_keeps_that_ones_reviewed_units(tmp_path):
    """A stored release whose page joins a release of another name is replaced by it: its
    reviewed units move into that release (marked where their page is not there), not away."""
    units = [Unit({"tk": (0,), "en": (0,)}, 0.9), Unit({"tk": (1, 2), "en": (1,)}, 0.8)]
    alone = _aligned(units, {})
    paths = {"tk": "site/tk-page.txt", "en": "site/en-page.txt"}
    documents = {lang: replace(d, path=paths[lang]) for lang, d in alone.release.documents.items()}
    alone = replace(alone, release=replace(alone.release, release_id="first", documents=documents))
    joined = replace(alone, release=replace(alone.release, release_id="second", documents={"tk": documents["tk"]}))
    with TranslationMemory(tmp_path / "tm.db") as tm:
        with tm.transaction():
            tm.add_release(alone)
        unit = tm.release_units(tm.release_key("mfa", "first"))[0]
        review.accept(tm, unit.id, "anna")
        assert tm.releases_holding("mfa", ["site/tk-page.txt", "elsewhere.txt"]) == ["first"]
        with tm.transaction():
            tm.add_release(replace(joined, alignment=replace(joined.alignment, sentences={"tk": TK}, units=[])))
        assert tm.release_key("mfa", "first") is None
        [kept] = [u for u in tm.release_units(tm.release_key("mfa", "second")) if u.reviewer]
        assert (kept.id, kept.texts) == (unit.id, unit.texts) and "x-page-changed" in kept.props
