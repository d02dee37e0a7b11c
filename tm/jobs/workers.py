"""Where alignment runs: worker processes of a local pool (one BLAS thread each, gone with their
parent) and Dask tasks; results taken back in order."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from pathlib import Path

from tm.align.learn import Lexicon
from tm.embed import get_encoder
from tm.embed.base import available_cores
from tm.jobs.prepare import align_prepared, blas_controller
from tm.jobs.records import AlignedRelease, SegmentedRelease

# The encoder and lexicon of this worker process, made once by `start_worker`.
_worker: dict = {}


def share_of_cores(workers: int, cores: int | None = None) -> int:
    """The math threads each of `workers` processes gets: the cores split evenly, one at least."""
    return max(1, (cores or available_cores()) // workers)


def start_worker(encoder_name: str, cache: Path | None, lexicon: str | None, threads: int) -> None:
    """Set up a worker process with its share of the cores, `threads`: the BLAS thread pool it
    inherited (as many threads as the machine has cores, or what OPENBLAS_NUM_THREADS said) is cut
    to its share for good, and the encoder is built with that many, so that N workers run N x share
    threads, not N x cores spinning against each other."""
    _exit_with_parent()
    _worker["blas"] = blas_controller().limit(limits=threads, user_api="blas")  # kept: held for the process
    _worker["encoder"] = get_encoder(encoder_name, cache, threads)
    _worker["lexicon"] = Lexicon.from_json(lexicon) if lexicon else None


def _exit_with_parent(poll_seconds: float = 0.5) -> None:
    """End this worker when the build that started it is gone: a build killed with SIGKILL
    cannot stop its pool, and the workers would align on for nobody."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def align_in_worker(prepared: SegmentedRelease) -> AlignedRelease:
    return align_prepared(prepared, _worker["encoder"], lexicon=_worker["lexicon"])


def align_on_dask(prepared: SegmentedRelease, setup: tuple[str, str | None]) -> AlignedRelease:
    """A Dask task: align one release on a worker, which builds its encoder (one math thread: run
    a worker process per core) and reads the broadcast model once, at its first release."""
    if _worker.get("setup") != setup:
        encoder_name, model = setup
        start_worker(encoder_name, None, model, 1)
        _worker["setup"] = setup
    return align_in_worker(prepared)


def in_order(pool: Executor, function: Callable, items: Iterable, window: int) -> Iterator:
    """`function` of each item, computed in `pool`, in the items' order, with at most `window`
    items in flight: Executor.map takes the whole iterable at once, which would hold every release
    of an archive in memory before the first is stored."""
    flight: deque[Future] = deque()
    for item in items:
        flight.append(pool.submit(function, item))
        if len(flight) >= window:
            yield flight.popleft().result()
    while flight:
        yield flight.popleft().result()
