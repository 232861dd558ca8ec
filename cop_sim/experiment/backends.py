"""Where batches of runs execute: in this process, a local process pool, or Dask.

A backend takes the worker function, a small context and a list of batches, and yields
``(batch, results)`` in whatever order batches finish. Ordering never matters: each run's
seed comes from its place in the design. A batch whose worker dies is retried; when the
retries are used up its runs come back as failures instead of stopping the sweep.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from cop_sim.experiment.lifeline import PARENT_ENV, watch_fork_server
from cop_sim.params import InputError

Batch = list  # of (Run, factor values)
Worker = Callable[[dict, Batch], list]
Lost = Callable[[Batch, str], list]  # results recording a batch whose worker died
BACKENDS = ("local", "dask", "slurm")
RETRIES = 2


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def chunks(items: list, workers: int, per_worker: int = 8, most: int = 25) -> list[list]:
    """Split runs into batches: several per worker so the tail balances, few enough that
    the per-task overhead (about 4 ms a task in Dask) stays small against the runs."""
    if not items:
        return []
    size = max(1, min(most, -(-len(items) // (workers * per_worker))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def run_serial(fn: Worker, ctx: dict, batches: list[Batch], lost: Lost) -> Iterator[tuple[Batch, list]]:
    """Run every batch in this process (one worker: no pool to pay for)."""
    for batch in batches:
        yield batch, fn(ctx, batch)


def run_pool(fn: Worker, ctx: dict, batches: list[Batch], workers: int, lost: Lost,
             preload: list[str] | None = None) -> Iterator[tuple[Batch, list]]:
    """A process pool on this machine; a dead worker breaks the pool, so rebuild and retry.

    ``preload`` names modules the fork server imports once, so workers start warm.
    """
    # forkserver: forking a process that runs threads (tqdm, Dask clients) can deadlock.
    ctx_mp = multiprocessing.get_context("forkserver")
    # the fork server and its workers exit when this process dies (a kill -9 leaves no orphans)
    ctx_mp.set_forkserver_preload(["cop_sim.experiment.forkserver_lifeline", "cop_sim.experiment.runner",
                                   *(preload or [])])
    os.environ[PARENT_ENV] = str(os.getpid())  # the fork server inherits it: whom to watch
    pending = list(batches)
    tries = {id(b): 0 for b in pending}
    while pending:
        broken: list[Batch] = []
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx_mp,
                                 initializer=watch_fork_server) as pool:
            futures = {pool.submit(fn, ctx, b): b for b in pending}
            pending = []
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in done:
                    batch = futures.pop(fut)
                    try:
                        yield batch, fut.result()
                    except BrokenProcessPool:
                        broken.append(batch)
        for batch in broken:
            tries[id(batch)] += 1
            if tries[id(batch)] > RETRIES:
                yield batch, lost(batch, f"worker process died {RETRIES + 1} times")
            else:
                pending.append(batch)


def run_dask(fn: Worker, ctx: dict, batches: list[Batch], client: Any, lost: Lost,
             name: str = "cop-sim") -> Iterator[tuple[Batch, list]]:
    """Submit batches to a Dask client; Dask re-runs tasks of workers that die (``retries``)."""
    from distributed import as_completed

    shared = client.scatter(ctx, broadcast=True)
    futures = {}
    for batch in batches:
        key = f"{name}-{batch[0][0].run_id}"  # stable keys: the dashboard shows which runs
        fut = client.submit(fn, shared, batch, key=key, pure=False, retries=RETRIES)
        futures[fut] = batch
    for fut in as_completed(list(futures)):
        batch = futures.pop(fut)
        try:
            yield batch, fut.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker and the like: record, go on
            yield batch, lost(batch, f"{type(exc).__name__}: {exc}")
        fut.release()


def local_cluster(workers: int) -> Any:
    """A Dask LocalCluster of single-threaded worker processes (the model holds the GIL)."""
    from distributed import LocalCluster

    # the preload makes each worker process exit when this process dies (see lifeline)
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        dashboard_address=":0", silence_logs=logging.ERROR,
                        preload=["cop_sim.experiment.lifeline"])


def slurm_cluster(options: dict) -> Any:
    """A dask-jobqueue SLURMCluster from the [slurm] table merged with command-line options.

    Each job runs ``cores`` single-threaded worker processes.
    """
    from dask_jobqueue import SLURMCluster

    kw = {k: v for k, v in options.items() if k != "jobs" and v not in (None, "", [])}
    cores = kw.get("cores", 1)
    kw.setdefault("memory", "2GB")
    kw.setdefault("cores", cores)
    try:
        return SLURMCluster(processes=cores, **kw)
    except (TypeError, ValueError) as exc:
        raise InputError("[slurm]", "", f"cannot configure SLURMCluster: {exc}") from None
