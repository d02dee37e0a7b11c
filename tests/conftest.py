import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tm.embed import get_encoder
from tm.store import TranslationMemory

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "corpora" / "sample"


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        if os.environ.get("CI"):  # CI lays shared/ beside the clone: its absence is a broken run
            pytest.fail(f"shared test data not found at {SHARED}")
        pytest.skip(f"shared test data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def fast_encoder():
    """The model-free n-gram encoder: real vectors, no model load."""
    return get_encoder("ngram")


@pytest.fixture
def memory():
    tm = TranslationMemory(":memory:")
    yield tm
    tm.close()


def require_tool(name: str) -> str:
    """Path of an outside tool; in CI a missing tool fails the test instead of skipping it."""
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI (installed by .ci/run)")
    pytest.skip(f"{name} not installed")


def free_port() -> int:
    """A port on loopback that nothing listens on (for a server a test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(db: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`tm serve` on the TM `db`, started as its own process on a free port: its address once it
    answers, and the process (killed when the block ends)."""
    port = free_port()
    command = [sys.executable, "-m", "tm", "serve", "--db", str(db), "--port", str(port), *options]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/tmserver/languages/", timeout=1)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"tm serve did not start: {server.stderr.read().decode() if server.poll() else ''}")
                time.sleep(0.1)
        yield url, server
    finally:
        server.kill()
        server.wait()
