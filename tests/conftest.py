import os
import shutil
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
