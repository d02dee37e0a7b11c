import re
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import pytest

import tm.store.reads as reads
from tests.conftest import SAMPLE
from tests.test_cli import tm as tm_command
from tm import jobs
from tm.align import signature
from tm.corpus import iter_releases
from tm.corpus.read import count_releases
from tm.embed import get_encoder
from tm.errors import InputError, StoreError, TmError
from tm.formats import ImportedUnit, import_file
from tm.jobs import batch, build, prepare
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


def test_a_bad_version_is_reported_and_the_rest_kept(tmp_path):
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
        assert report.added == 2
        assert [s.problem for s in report.skipped] == ["empty file: no text after removing the page chrome"]
        # The English page of "bad" is kept as a release of one language: no units, its sentence stored.
        assert tm.stats().units == 1
        rows = tm.db.execute("SELECT r.release_id, s.lang FROM segments s JOIN releases r ON r.id = s.release")
        assert ("bad", "en") in rows.fetchall()


def test_a_version_from_another_release_is_reported(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLE, corpus)
    shutil.copy(corpus / "2024-004" / "en.txt", corpus / "2024-002" / "en.txt")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(corpus, tm, "ngram")
    assert report.added == 6
    assert [(m.path, m.problem.split(" (")[0]) for m in report.mismatched] == [
        ("c/2024-002", "tk and en read as different texts"),
        ("c/2024-002", "ru and en read as different texts"),
        ("c/2024-002", "the versions are dated 77 days apart"),
    ]
    with TranslationMemory(tmp_path / "tm.db") as tm:
        assert tm.stats().flagged == 1
        ((collection, release, why),) = tm.flagged()
        assert (collection, release) == ("c", "2024-002") and why.startswith("tk and en read as different texts")
        kept = {u.release_id for u in tm.units(include_flagged=False)}
        everything = {u.release_id for u in tm.units()}
    assert everything - kept == {"2024-002"}
    for flags, count in [([], 23), (["--include-flagged"], 29)]:
        exported = tm_command("export", "--format", "csv", "-o", "out.csv", *flags, cwd=tmp_path)
        assert exported.stdout.strip() == f"wrote {count} units to out.csv"


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


UNIT = ImportedUnit({"en": "Talks were held in Ashgabat.", "ru": "В Ашхабаде прошли переговоры."})


def test_writes_outside_a_transaction_are_refused(memory):
    """An autocommitted write would skip the generation bump: lookups would never see the unit."""
    with pytest.raises(StoreError, match="inside `with tm"):
        memory.add_imported("import", "a.tmx", [UNIT])
    with pytest.raises(StoreError, match="inside `with tm"):
        memory.add_release(None)
    assert memory.stats().units == 0


def test_a_file_of_the_same_name_in_another_folder_is_a_second_import(tmp_path):
    first, second = tmp_path / "a" / "units.csv", tmp_path / "b" / "units.csv"
    for path, text in [(first, "Talks were held."), (second, "The forum opened.")]:
        path.parent.mkdir()
        path.write_text(f"en,ru\n{text},Текст {path.parent.name}.\n", "utf-8")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        import_file(tm, first)
        report = import_file(tm, second)
        assert (report.imported, report.replaced) == (1, 0)
        assert sorted(u.texts["en"] for u in tm.units(("en", "ru"))) == ["Talks were held.", "The forum opened."]
        first.write_text("en,ru\nTalks were held again.,Снова прошли переговоры.\n", "utf-8")
        again = import_file(tm, first)
        assert (again.imported, again.replaced) == (1, 1)
        assert sorted(u.texts["en"] for u in tm.units(("en", "ru"))) == ["Talks were held again.", "The forum opened."]


def test_the_same_content_twice_imports_nothing(tmp_path, memory):
    path = tmp_path / "units.csv"
    path.write_text("en,ru\nTalks were held.,Прошли переговоры.\n", "utf-8")
    import_file(memory, path)
    copy = tmp_path / "copy.csv"
    shutil.copy(path, copy)
    report = import_file(memory, copy)
    assert report.same_as == str(path.resolve()) and report.imported == 0
    assert memory.stats().units == 1


@pytest.mark.parametrize("confidence", ["high", "-5", "inf", "1.5"])
def test_a_confidence_that_is_not_a_probability_refuses_the_file(tmp_path, memory, confidence):
    path = tmp_path / "units.csv"
    path.write_text(f"en,ru,confidence\nTalks.,Переговоры.,0.9\nForum.,Форум.,{confidence}\n", "utf-8")
    with pytest.raises(InputError, match=rf"units.csv: unit 2: confidence '{re.escape(confidence)}' is not a number"):
        import_file(memory, path)
    assert memory.stats().units == 0


def test_a_second_writer_gets_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "tm.db"
    holder, second = TranslationMemory(path), TranslationMemory(path, busy_timeout=0.2)
    with holder.transaction():
        assert second.stats().units == 0  # reading is not blocked by a writer
        with pytest.raises(StoreError, match="busy: another process is writing"), second.transaction():
            pass
    holder.close()
    second.close()


def test_a_bad_date_in_meta_json_is_reported_and_the_release_kept(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLE / "2024-001", corpus / "2024-001")
    (corpus / "2024-001" / "meta.json").write_text('{"date": "05.03.2024"}', "utf-8")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(corpus, tm, "ngram")
        assert report.added == 1
        assert [s.problem for s in report.skipped] == [
            "meta.json date '05.03.2024' ignored: not YYYY-MM-DD; the pages' date is used"
        ]
        assert next(tm.units()).date == "2024-02-12"


def test_each_thread_reads_through_its_own_connection(tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        with tm.transaction():
            tm.add_imported("import", "a.tmx", [UNIT])
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: (id(tm.db), len(list(tm.units(("en", "ru"))))), range(8)))
        assert {count for _, count in results} == {1}
        assert id(tm.db) not in {connection for connection, _ in results}


def test_a_reader_paused_mid_export_does_not_hold_back_checkpoints(tmp_path, monkeypatch):
    monkeypatch.setattr(reads, "_READ_PAGE", 2)
    path = tmp_path / "tm.db"
    with TranslationMemory(path) as tm:
        with tm.transaction():
            tm.add_imported("import", "a.tmx", [UNIT] * 5)
        reading = tm.units(("en", "ru"))
        next(reading)
        with TranslationMemory(path) as writer:
            with writer.transaction():
                writer.add_imported("import", "b.tmx", [UNIT])
            busy, _, _ = writer.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        assert busy == 0
        assert len(list(reading)) == 5  # no snapshot between pages: the rest, and what was added meanwhile


def test_an_unchanged_release_is_not_aligned_again(built, monkeypatch):
    path, _ = built
    aligned = []
    monkeypatch.setattr(prepare, "align", lambda *args, **kwargs: aligned.append(args) or None)
    with TranslationMemory(path) as tm:
        report = build(SAMPLE, tm, "ngram")
    assert (report.unchanged, report.added, aligned) == (6, 0, [])


def test_versions_dated_more_than_a_week_apart_are_reported(tmp_path):
    release = tmp_path / "c" / "r1"
    release.mkdir(parents=True)
    en = "The ministers met in Ashgabat and signed a plan."
    ru = "Министры встретились в Ашхабаде и подписали план."
    (release / "en.txt").write_text(f"Talks in Ashgabat\n\n02.07.2020\n\n{en}")
    (release / "ru.txt").write_text(f"Переговоры в Ашхабаде\n\n14.07.2020\n\n{ru}")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(tmp_path / "c", tm, "ngram")
    assert report.added == 1  # stored, and reported
    assert [m.problem for m in report.mismatched] == [
        "the versions are dated 12 days apart (ru 2020-07-14, en 2020-07-02); same release?"
    ]


def test_a_sentence_too_long_to_align_skips_its_release_with_a_reason(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLE / "2024-002", corpus / "2024-002")
    shutil.copytree(SAMPLE / "2024-003", corpus / "2024-003")
    (corpus / "2024-003" / "en.txt").write_text("Title\n\n" + "word " * 3000)
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(corpus, tm, "ngram")
    assert report.added == 1
    assert [s.problem.split(":")[0] for s in report.skipped] == ["a en sentence of 14,999 characters (at most 5,000)"]


def test_a_meta_json_field_of_the_wrong_type_costs_only_that_field(tmp_path):
    release = tmp_path / "c" / "r1"
    shutil.copytree(SAMPLE / "2024-002", release)
    (release / "meta.json").write_text('{"pages": ["not", "an", "object"], "url": 5, "title": ["x"], "urls": 3}')
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(tmp_path / "c", tm, "ngram")
        assert report.added == 1 and report.skipped == []
        assert tm.db.execute("SELECT url, title FROM releases").fetchone()[0] is None


def test_the_same_news_id_on_two_sites_is_two_releases(tmp_path):
    for site, release in (("site1", "2024-002"), ("site2", "2024-003")):
        shutil.copytree(SAMPLE / release, tmp_path / "c" / site / "news" / "001")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(tmp_path / "c", tm, "ngram")
        stored = tm.db.execute("SELECT collection, release_id FROM releases ORDER BY collection").fetchall()
    assert report.added == 2 and stored == [("site1/news", "001"), ("site2/news", "001")]


def test_backup_and_check(tmp_path):
    path = tmp_path / "tm.db"
    with TranslationMemory(path) as tm:
        build(SAMPLE, tm, "ngram")
        tm.backup(tmp_path / "copy.db")
        with pytest.raises(StoreError, match="cannot overwrite the TM itself"):
            tm.backup(path)
        assert tm.check() == []
    with TranslationMemory(tmp_path / "copy.db", create=False) as copy:
        assert copy.stats() == TranslationMemory(path, create=False).stats()
    with sqlite3.connect(path) as db:  # damage: sentences lost, a unit of no release
        db.execute("DELETE FROM segments WHERE release = (SELECT min(id) FROM releases)")
        db.execute("PRAGMA foreign_keys = OFF")
        db.execute("INSERT INTO units (release, position, bead_type, confidence) VALUES (999, 0, '1-1-1', 1.0)")
    checked = tm_command("check", "--db", path, cwd=tmp_path)
    assert checked.returncode == 1
    lines = checked.stdout.splitlines()
    assert any(line.startswith("units row") and "points at a missing row of releases" in line for line in lines)
    assert any("units point at sentences that are not stored" in line for line in lines)
    assert tm_command("check", "--db", tmp_path / "copy.db", cwd=tmp_path).stdout.strip().endswith(": sound")


def test_a_release_another_build_stored_meanwhile_is_reported_unchanged(tmp_path):
    encoder = get_encoder("ngram")
    releases = list(iter_releases(SAMPLE, []))
    # This build found every release changed and aligned it ...
    records = [jobs.align_prepared(jobs.prepare_release(r, signature(encoder.id)), encoder) for r in releases]
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(SAMPLE, tm, "ngram")  # ... while another build stored them all
        generation = tm.generation()
        report = jobs.BuildReport()
        batch._store_all(records, tm, report, None)
        assert (report.added, report.unchanged) == (0, 6)
        assert tm.db.execute("SELECT count(*) FROM releases").fetchone()[0] == 6
        assert tm.changes_since(generation) == (set(), set())  # nothing was stored twice


def test_every_build_is_recorded_with_what_came_of_it(tmp_path):
    corpus = tmp_path / "c"
    shutil.copytree(SAMPLE, corpus)
    shutil.copy(corpus / "2024-004" / "en.txt", corpus / "2024-002" / "en.txt")
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(corpus, tm, "ngram", command="tm build c")
        build(corpus, tm, "ngram", command="tm build c again")
        latest, first = tm.runs()
    assert (first.command, first.status, first.added, first.unchanged, first.flagged) == ("tm build c", "done", 6, 0, 1)
    assert {p["release"] for p in first.problems} == {"c/2024-002"} and first.model is None
    assert first.aligner.startswith("tri-dp-3|encoder=char3gram")
    assert (latest.command, latest.added, latest.unchanged, latest.problems) == ("tm build c again", 0, 6, [])


def test_a_failed_build_is_recorded_with_its_error(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(batch, "_store_all", broken)
    with TranslationMemory(tmp_path / "tm.db") as tm:
        with pytest.raises(OSError):
            build(SAMPLE, tm, "ngram")
        [run] = tm.runs()
    assert run.status == "failed" and run.error == "OSError: disk full" and run.ended is not None


def test_workers_are_fed_a_window_of_releases_not_the_whole_archive():
    pulled = []

    def releases():
        for number in range(100):
            pulled.append(number)
            yield number

    with ThreadPoolExecutor(2) as pool:
        results = jobs.in_order(pool, lambda n: n * n, releases(), window=4)
        assert next(results) == 0 and len(pulled) <= 4
        assert list(results) == [n * n for n in range(1, 100)]


def test_since_leaves_older_releases_alone(tmp_path):
    import datetime as dt

    with TranslationMemory(tmp_path / "tm.db") as tm:
        report = build(SAMPLE, tm, "ngram", since=dt.date(2024, 5, 1))
        assert (report.added, report.older) == (3, 3)
        dates = sorted(row[0] for row in tm.db.execute("SELECT date FROM releases"))
        assert dates[0] >= "2024-05-01"


def test_a_damaged_tm_file_says_so_in_one_line(tmp_path):
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(SAMPLE, tm, "ngram")
    path = tmp_path / "tm.db"
    with open(path, "r+b") as file:
        file.truncate(path.stat().st_size // 2)
    checked = tm_command("stats", "--db", path, cwd=tmp_path)
    assert checked.returncode == 1 and checked.stderr.count("\n") == 1
    assert "the TM file is damaged" in checked.stderr and "restore it from a backup" in checked.stderr


def test_huge_inputs_are_refused_in_one_line(tmp_path):
    from tm.formats import import_file
    from tm.lookup import lookup

    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(SAMPLE, tm, "ngram")
        with pytest.raises(TmError, match="query too long"):
            lookup(tm, " ".join(["word"] * 5000), "en", "tk")
        seg = "a" * (20 << 20)  # past the XML parser's limit on one text node
        big = tmp_path / "big.tmx"
        big.write_text(
            f'<?xml version="1.0"?><tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>{seg}'
            '</seg></tuv><tuv xml:lang="tk"><seg>x</seg></tuv></tu></body></tmx>'
        )
        units = tm.stats().units
        with pytest.raises(InputError, match=r"big\.tmx:1: malformed XML: Resource limit exceeded"):
            import_file(tm, big)
        assert tm.stats().units == units


def test_progress_knows_how_many_releases_there_are_before_the_first(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus / "site" / "news")
    flat = corpus / "flat"
    flat.mkdir()
    for lang in ("en", "ru"):
        shutil.copy(SAMPLE / "2024-002" / f"{lang}.txt", flat / f"2030-001.{lang}.txt")
    assert count_releases(corpus) == 7
    seen = []
    with TranslationMemory(tmp_path / "tm.db") as tm:
        build(corpus, tm, "ngram", progress=lambda _name, report: seen.append((report.expected, report.done)))
    assert seen[0] == (7, 1) and seen[-1] == (7, 7)
    assert [done for _, done in seen] == list(range(1, 8))


def test_a_full_disk_stops_the_build_in_one_line_and_a_rerun_completes_it(tmp_path, monkeypatch):
    """A full disk, as SQLite meets it (SQLITE_FULL, made here with a page limit): one line, every
    release committed before it whole, and the same build run again when there is room finishes."""
    path = tmp_path / "tm.db"
    TranslationMemory(path).close()
    connect = TranslationMemory._connect

    def small_disk(self):
        connection = connect(self)
        connection.execute("PRAGMA max_page_count = 18")
        return connection

    monkeypatch.setattr(TranslationMemory, "_connect", small_disk)
    with TranslationMemory(path) as tm, pytest.raises(StoreError, match="the disk is full") as failure:
        build(SAMPLE, tm, "ngram")
    assert "\n" not in str(failure.value)
    monkeypatch.setattr(TranslationMemory, "_connect", connect)
    with TranslationMemory(path) as tm:
        stored = tm.stats().releases
        assert tm.check() == [] and stored < 6
        assert tm.runs()[0].status == "failed" and "disk is full" in tm.runs()[0].error
        assert build(SAMPLE, tm, "ngram").added == 6 - stored
        with TranslationMemory(tmp_path / "clean.db") as clean:
            build(SAMPLE, clean, "ngram")
            assert tm.stats() == clean.stats()
