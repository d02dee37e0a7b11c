"""A build killed with SIGKILL at any moment, then run again, gives the TM an uninterrupted
build gives: every release is committed on its own, and an unfinished run stays on record."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
