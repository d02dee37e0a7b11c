import shutil
import sqlite3

import pytest

from tests.conftest import SAMPLE
from tm.errors import StoreError
from tm.jobs import build
from tm.store import TranslationMemory


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("tm") / "tm.db"
    with TranslationMemory(path) as tm:
        report = build(SAMPLE, tm, "ngram")
    return path, report


def test_build_stores_every_release(built):
    path, report = built
    assert (report.releases, report.added, report.skipped, report.mismatched) == (6, 6, [], [])
    with TranslationMemory(path, create=False) as tm:
        stats = tm.stats()
        assert stats.releases == 6 and stats.units == report.units
        assert set(stats.by_pair) == {"tk-ru", "tk-en", "ru-en"}
        unit = next(tm.units(("en", "tk")))
        assert unit.url == "https://example.tm/news/2024-001" and unit.date == "2024-02-12"


def test_rebuild_adds_nothing(built):
    path, _ = built
    with TranslationMemory(path) as tm:
        before = tm.stats().units
        again = build(SAMPLE, tm, "ngram")
        assert (again.added, again.unchanged, tm.stats().units) == (0, 6, before)


def test_bad_release_is_skipped_and_reported(tmp_path):
    good = tmp_path / "c" / "good"
    bad = tmp_path / "c" / "bad"
    for folder in (good, bad):
        folder.mkdir(parents=True)
    (good / "en.txt").write_text("The ministers met in Ashgabat on 5 May 2024 and signed a plan.")
    (good / "ru.txt").write_text("Министры встретились в Ашхабаде 5 мая 2024 года и подписали план.")
    (bad / "en.txt").write_text("The ministers met in Ashgabat on 5 May 2024 and signed a plan.")
    (bad / "ru.txt").write_bytes(b"")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(tmp_path / "c", tm, "ngram")
        assert report.added == 1
        assert any("empty file" in str(s) for s in report.skipped)
        assert any("only one language" in str(s) for s in report.skipped)


def test_a_version_from_another_release_is_reported(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLE, corpus)
    shutil.copy(corpus / "2024-004" / "en.txt", corpus / "2024-002" / "en.txt")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(corpus, tm, "ngram")
    assert report.added == 6
    assert [(m.path, m.problem.split(" agrees")[0]) for m in report.mismatched] == [("c/2024-002", "the en version")]


def test_failed_write_leaves_nothing(memory):
    with pytest.raises(RuntimeError), memory.transaction():
        memory.db.execute("INSERT INTO releases (collection, release_id, content_hash) VALUES ('c', 'r', 'h')")
        raise RuntimeError("boom")
    assert memory.stats().releases == 0


def test_missing_or_foreign_file_is_not_a_tm(tmp_path):
    with pytest.raises(StoreError, match="no TM here"):
        TranslationMemory(tmp_path / "none.db", create=False)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(StoreError, match="not a TM"):
        TranslationMemory(other)
    (tmp_path / "text.db").write_text("hello, not sqlite" * 100)
    with pytest.raises(StoreError, match="not a TM"):
        TranslationMemory(tmp_path / "text.db")
