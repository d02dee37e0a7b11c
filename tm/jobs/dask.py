"""Running the alignment of a build on a Dask distributed cluster (the `dask` extra).

Workers read nothing from the corpus or the TM: each task carries one segmented release in,
and its alignment comes back; the encoder's name and the learned model are broadcast to every
worker once. The client stores results as they come back, one transaction per release, as a
local build does, so resuming after a kill and the run record work the same. Dask reschedules
the tasks of a worker that dies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tm.errors import TmError


class DaskPool:
    """What `tm.jobs.in_order` needs of a pool: submit(function, item) -> a future."""

    def __init__(self, client, setup) -> None:
        self.client = client
        [self.setup] = client.scatter([setup], broadcast=True)

    def submit(self, function, item):
        return self.client.submit(function, item, self.setup, pure=False)


@contextmanager
def dask_pool(scheduler: str, setup) -> Iterator[tuple[DaskPool, int]]:
    """A pool on the cluster at `scheduler` ("tcp://host:8786"), or on a LocalCluster of N
    single-threaded worker processes for "local:N"; and how many workers it has."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise TmError("--scheduler needs Dask: pip install -e '.[dask]'") from error
    cluster = None
    if scheduler.startswith("local:"):
        count = scheduler.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise TmError(f"--scheduler {scheduler!r}: local:N needs a number of workers, e.g. local:2")
        cluster = LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        client = Client(cluster or scheduler, timeout=30)
    except (OSError, TimeoutError) as error:
        if cluster:
            cluster.close()
        raise TmError(f"cannot reach the Dask scheduler at {scheduler} ({error})") from None
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        yield DaskPool(client, setup), workers
    finally:
        client.close()
        if cluster:
            cluster.close()
