"""A build killed with SIGKILL at any moment, then run again, gives the TM an uninterrupted
build gives: every release is committed on its own, and an unfinished run stays on record."""

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, serving
from tm.lookup import lookup
from tm.store import TranslationMemory

RELEASES = 40


@pytest.fixture(scope="module")
def corpus(shared, tmp_path_factory):
    root = tmp_path_factory.mktemp("kill") / "corpus" / "dev"
    for doc in sorted((shared / "eval/align-dev/clean").iterdir())[:RELEASES]:
        (root / doc.name).mkdir(parents=True)
        for lang in ("tk", "ru", "en"):
            shutil.copy(doc / f"{lang}.txt", root / doc.name / f"{lang}.txt")
    return root


def command(corpus, db):
    return [sys.executable, "-m", "tm", "build", str(corpus), "--db", str(db), "--encoder", "ngram", "--jobs", "2"]


def snapshot(db) -> list:
    """Everything a build decides, release by release."""
    with TranslationMemory(db, create=False) as tm:
        releases = tm.db.execute("SELECT collection, release_id, content_hash, flag FROM releases ORDER BY 1, 2")
        units = sorted(
            (u.collection, u.release_id, u.bead_type, round(u.confidence, 6), tuple(sorted(u.texts.items())))
            for u in tm.units(include_lone=True)
        )
        return [list(releases), units]


def stored_releases(db) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM releases").fetchone()[0]
    except sqlite3.Error:
        return 0  # not made yet, or mid-creation


@pytest.mark.parametrize("kill_after", [1, RELEASES // 2])
def test_a_killed_build_resumes_to_the_same_tm(corpus, tmp_path, kill_after):
    whole = tmp_path / "whole.db"
    subprocess.run(command(corpus, whole), check=True, capture_output=True)
    killed = tmp_path / "killed.db"
    build = subprocess.Popen(command(corpus, killed), start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored_releases(killed) < kill_after and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(build.pid, signal.SIGKILL)  # the workers too, while they write
    build.wait()
    assert stored_releases(killed) < RELEASES, "the build finished before it could be killed"
    subprocess.run(command(corpus, killed), check=True, capture_output=True)
    assert snapshot(killed) == snapshot(whole)
    with TranslationMemory(killed, create=False) as tm:
        resumed, interrupted = tm.runs()
    assert interrupted.status == "unfinished" and resumed.status == "done"
    assert resumed.added + resumed.unchanged == RELEASES and resumed.unchanged >= kill_after


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_workers_end_when_their_build_is_killed(corpus, tmp_path):
    build = subprocess.Popen(command(corpus, tmp_path / "tm.db"), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while len(children(build.pid)) < 2 and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = children(build.pid)
    assert len(workers) >= 2, "the build ended before its workers could be seen"
    os.kill(build.pid, signal.SIGKILL)  # the build alone: its workers are left behind
    build.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "workers outlived their build"


def realigned(db, old_signature: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            query = "SELECT count(*) FROM releases WHERE aligner != ?"
            return connection.execute(query, (old_signature,)).fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_killed_realign_resumes_to_the_same_tm(corpus, tmp_path):
    """tm realign (here: from the n-gram encoder to the bundled one) killed midway, then run
    again, leaves what an uninterrupted realign leaves."""
    realign = [sys.executable, "-m", "tm", "realign", str(corpus), "--encoder", "use", "--jobs", "2", "--db"]
    whole, killed = tmp_path / "whole.db", tmp_path / "killed.db"
    for db in (whole, killed):
        subprocess.run(command(corpus, db), check=True, capture_output=True)
    with TranslationMemory(killed, create=False) as tm:
        old = tm.release_aligner("dev", sorted(p.name for p in corpus.iterdir())[0])
    subprocess.run([*realign, str(whole)], check=True, capture_output=True)
    run = subprocess.Popen([*realign, str(killed)], start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while realigned(killed, old) < 5 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert realigned(killed, old) < RELEASES, "the realign finished before it could be killed"
    subprocess.run([*realign, str(killed)], check=True, capture_output=True)
    assert snapshot(killed) == snapshot(whole)


def test_a_server_killed_during_edits_keeps_every_correction_whole(tmp_path):
    """tm serve killed with SIGKILL while edits arrive: each correction is in the TM whole, with
    its record, or not at all; the TM is sound and a new server takes the next edit."""
    db = tmp_path / "tm.db"
    subprocess.run(
        [sys.executable, "-m", "tm", "build", str(SAMPLE), "--db", str(db), "--encoder", "ngram"], check=True
    )
    with TranslationMemory(db) as tm:
        tm.add_user("anna", "correct horse battery")
        token = tm.new_token("anna")
        ids = [u.id for key in range(1, 7) for u in tm.release_units(key) if "en" in u.texts and len(u.texts) > 1]

    def edit(url, unit, number):
        body = json.dumps({"texts": {"en": f"Edit number {number}."}}).encode()
        request = urllib.request.Request(f"{url}/api/units/{unit}", body, method="PUT")
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/json")
        return urllib.request.urlopen(request, timeout=10).status

    answered, number = 0, 0
    with serving(db) as (url, server):
        killer = threading.Timer(1.5, server.kill)
        killer.start()
        try:
            while True:
                number += 1
                edit(url, ids[number % len(ids)], number)
                answered += 1
        except OSError:
            pass  # the server is gone
        killer.join()
    assert answered > 3, "too few edits were made before the kill to test anything"
    with TranslationMemory(db) as tm:
        assert tm.check() == []
        made = {c.after[0]["texts"]["en"] for c in tm.corrections(10_000)}
        stored = {u.texts["en"] for key in range(1, 7) for u in tm.release_units(key) if u.reviewer}
        assert len(made) >= answered and stored <= made  # every reviewed text has its correction
        for unit in (u for key in range(1, 7) for u in tm.release_units(key) if u.reviewer):
            other = next(lang for lang in unit.texts if lang != "en")
            [best, *_] = lookup(tm, unit.texts["en"], "en", other, threshold=100)  # its pair units follow it
            assert (best.source, best.target) == (unit.texts["en"], unit.texts[other])
    with serving(db) as (url, _server):
        assert edit(url, ids[0], "after") == 200


def test_a_request_flood_from_one_client_does_not_stop_the_others(tmp_path):
    """One client floods tm serve with 60 connections of search requests for a few seconds;
    another client's lookups are all answered meanwhile, and the server is still there after."""
    db = tmp_path / "tm.db"
    subprocess.run(
        [sys.executable, "-m", "tm", "build", str(SAMPLE), "--db", str(db), "--encoder", "ngram"], check=True
    )
    query = urllib.parse.quote("The parties discussed the development of transport links between the two countries.")
    with serving(db) as (base, _server):
        stop = time.monotonic() + 4

        def flood() -> None:
            while time.monotonic() < stop:
                with contextlib.suppress(OSError):
                    urllib.request.urlopen(f"{base}/api/lookup?source=en&target=tk&text={query}", timeout=30).read()

        flooders = [threading.Thread(target=flood) for _ in range(60)]
        for thread in flooders:
            thread.start()
        time.sleep(0.5)
        waits = []
        for _ in range(10):
            started = time.monotonic()
            with urllib.request.urlopen(f"{base}/tmserver/en/tk/unit/{query}", timeout=20) as answer:
                assert answer.status == 200 and json.load(answer)[0]["quality"] == 85
            waits.append(time.monotonic() - started)
        for thread in flooders:
            thread.join()
        assert max(waits) < 10
        assert urllib.request.urlopen(f"{base}/tmserver/languages/", timeout=5).status == 200


def test_a_killed_import_changes_nothing(tmp_path):
    """tm import of a large TMX killed with SIGKILL midway: the TM is as it was, and sound."""
    db = tmp_path / "tm.db"
    subprocess.run(
        [sys.executable, "-m", "tm", "build", str(SAMPLE), "--db", str(db), "--encoder", "ngram"], check=True
    )
    before = snapshot(db)
    big = tmp_path / "big.tmx"
    with big.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?><tmx version="1.4"><header srclang="en"/><body>\n')
        for n in range(300_000):
            out.write(f'<tu><tuv xml:lang="en"><seg>Unit {n} of the file.</seg></tuv>')
            out.write(f'<tuv xml:lang="tk"><seg>Faýlyň {n} birligi.</seg></tuv></tu>\n')
        out.write("</body></tmx>\n")
    run = subprocess.Popen([sys.executable, "-m", "tm", "import", str(big), "--db", str(db)], stdout=subprocess.DEVNULL)
    time.sleep(2.5)
    assert run.poll() is None, "the import finished before it could be killed"
    run.kill()
    run.wait()
    assert snapshot(db) == before
    with TranslationMemory(db, create=False) as tm:
        assert tm.check() == []
