"""Worker processes share the cores: each runs the math threads of its share, not one per core of
the machine, so that two workers are not slower than one (threads spinning against each other)."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor

import pytest
from threadpoolctl import threadpool_info

from tm.jobs.workers import _worker, share_of_cores, start_worker


@pytest.mark.parametrize(
    ("workers", "cores", "share"), [(1, 2, 2), (2, 2, 1), (3, 2, 1), (2, 16, 8), (3, 16, 5), (16, 16, 1)]
)
def test_the_cores_are_split_evenly(workers, cores, share):
    assert share_of_cores(workers, cores) == share


def _threads_in_worker(_: int) -> tuple[int, tuple[int, ...]]:
    """This worker's id and the BLAS threads it runs, after it has encoded something."""
    _worker["encoder"].encode(["The sides discussed cooperation.", "Taraplar hyzmatdaşlygy maslahatlaşdylar."])
    return os.getpid(), tuple(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")


@pytest.mark.parametrize("share", [1, 2])
def test_each_worker_runs_its_share_of_threads(share):
    setup = ("use", None, None, share)
    with ProcessPoolExecutor(2, initializer=start_worker, initargs=setup) as pool:
        seen = set(pool.map(_threads_in_worker, range(8)))
    assert seen, "no worker answered"
    for _, blas in seen:
        assert blas and all(threads == share for threads in blas), blas
