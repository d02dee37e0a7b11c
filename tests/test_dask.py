"""tm build on a real Dask cluster on loopback: a scheduler and two worker processes, started
here. The TM equals a local build's; a worker killed mid-run loses and doubles nothing."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_kill import RELEASES, command, corpus, snapshot, stored_releases  # noqa: F401  (fixture)

pytest.importorskip("distributed")
DASK = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker"]


@pytest.fixture
def cluster(tmp_path):
    """A scheduler and two single-threaded workers; yields (address, worker processes)."""
    contact = tmp_path / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    scheduler = subprocess.Popen(
        [*DASK, "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", contact], **quiet
    )
    deadline = time.monotonic() + 60
    while not contact.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    address = json.loads(contact.read_text())["address"]
    worker_options = ["--nthreads", "1", "--no-dashboard", "--scheduler-file", str(contact)]
    workers = [subprocess.Popen([*WORKER, *worker_options], **quiet) for _ in range(2)]
    _wait_for_workers(address, 2)
    yield address, workers
    for process in [*workers, scheduler]:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(count, timeout=60)


def on_dask(corpus_dir: Path, db: Path, address: str) -> list[str]:
    local = command(corpus_dir, db)
    return [*local[: local.index("--jobs")], "--scheduler", address]


def test_a_dask_build_equals_a_local_build(corpus, cluster, tmp_path):  # noqa: F811
    address, _ = cluster
    subprocess.run(command(corpus, tmp_path / "local.db"), check=True, capture_output=True)
    run = subprocess.run(on_dask(corpus, tmp_path / "dask.db", address), capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert f"releases: {RELEASES} ({RELEASES} added" in run.stdout
    assert snapshot(tmp_path / "dask.db") == snapshot(tmp_path / "local.db")


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(corpus, cluster, tmp_path):  # noqa: F811
    address, workers = cluster
    subprocess.run(command(corpus, tmp_path / "local.db"), check=True, capture_output=True)
    db = tmp_path / "dask.db"
    build = subprocess.Popen(on_dask(corpus, db, address), stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while stored_releases(db) < 3 and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(workers[0].pid, signal.SIGKILL)
    assert stored_releases(db) < RELEASES, "the build finished before a worker could be killed"
    output, _ = build.communicate(timeout=300)
    assert build.returncode == 0 and f"({RELEASES} added, 0 unchanged" in output
    assert snapshot(db) == snapshot(tmp_path / "local.db")
