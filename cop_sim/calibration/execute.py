"""Candidates simulated in batches on the project's backends (local, dask, slurm).

A candidate is ``(index, parameter values, run seed, noise seed)``; its statistics depend on
nothing else, so results are the same whatever the backend, the workers or the batch size.
This module does not import pyabc: local and Dask workers import it to simulate.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cop_sim import models
from cop_sim.calibration.observe import add_noise, statistics
from cop_sim.calibration.spec import Calibration
from cop_sim.experiment import backends

# Leading spawn-key words keep the streams of each use apart.
PROPOSAL, RUN, NOISE, TRUTH, PREDICTIVE, RECOVERY = range(6)
Candidate = tuple[int, dict, int, int]


def seed_sequence(master: int, *key: int) -> np.random.SeedSequence:
    """The SeedSequence of ``key`` under the master seed."""
    return np.random.SeedSequence(entropy=master, spawn_key=tuple(int(k) for k in key))


def seed_int(master: int, *key: int) -> int:
    """A 63-bit seed for a run or a noise draw."""
    return int(seed_sequence(master, *key).generate_state(1, np.uint64)[0]) >> 1


def candidate_seeds(master: int, generation: int, index: int) -> tuple[int, int]:
    """Run and noise seeds of candidate ``index`` of ``generation`` (-1: calibration sample)."""
    return seed_int(master, RUN, generation + 1, index), seed_int(master, NOISE, generation + 1, index)


def simulate_one(cal: Calibration, values: dict, seed: int, noise_seed: int | None) -> dict[str, float]:
    """One candidate's observed statistics (with noise unless ``noise_seed`` is None).

    A calibration whose ``extra["simulator"]`` names ``module:function`` (the evidence
    calibration, :mod:`cop_sim.evaluation.calibrate`) simulates through that function instead.
    """
    if cal.extra.get("simulator"):
        module, name = cal.extra["simulator"].split(":")
        return getattr(importlib.import_module(module), name)(cal, values, seed, noise_seed)
    result = models.simulate(cal.resolve(values), seed)
    stats = statistics(result, cal.observations)
    return stats if noise_seed is None else add_noise(stats, cal.observations, noise_seed)


def simulate_batch(ctx: dict, batch: list[Candidate]) -> list[tuple[int, Any]]:
    """A worker's task: each candidate's statistics, or its error as a string."""
    cal = Calibration.from_dict(ctx)
    out = []
    for index, values, seed, noise_seed in batch:
        try:
            out.append((index, simulate_one(cal, values, seed, noise_seed)))
        except Exception as exc:  # noqa: BLE001 - reported with the candidate's seed by the caller
            out.append((index, f"{type(exc).__name__}: {exc}"))
    return out


def lost(batch: list[Candidate], why: str) -> list[tuple[int, str]]:
    """Errors for candidates whose worker died every time."""
    return [(c[0], f"WorkerLost: {why}") for c in batch]


@dataclass(frozen=True)
class Tag:
    """A task name for Dask (``run_id``, as the sweep's runs have)."""

    run_id: str


@dataclass(frozen=True)
class Payload:
    """A Dask task's context: the task function by name, its context, and which call this is."""

    fn: str
    ctx: dict
    call: int


def run_untagged(wrapped: Payload, batch: list) -> list:
    """A Dask task: the wrapped task function on the batch's items without their tags."""
    module, name = wrapped.fn.split(":")
    return getattr(importlib.import_module(module), name)(wrapped.ctx, [item for _, item in batch])


class Executor:
    """Runs a task function over batches on one backend; a Dask client lives as long as this does."""

    def __init__(self, backend: str = "local", workers: int | None = None, scheduler: str | None = None,
                 slurm: dict | None = None, model: str = "cop"):
        if backend not in backends.BACKENDS:
            raise ValueError(backend)
        self.backend, self.workers = backend, workers or backends.default_workers()
        kind = models.get(model)
        self.preload = ["cop_sim.calibration.execute", *kind.preload]
        self.client = self.cluster = None
        self.submitted = 0
        if backend != "local":
            from distributed import Client

            address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
            if backend == "slurm":
                self.cluster = backends.slurm_cluster(slurm or {})
                self.cluster.scale(jobs=(slurm or {}).get("jobs", 1))
            elif not address:
                self.cluster = backends.local_cluster(self.workers)
            self.client = Client(self.cluster if self.cluster is not None else address)

    def stream(self, fn: Callable, ctx: dict, items: list, batch: int, on_lost: Callable = lost):
        """Yield ``(batch, results)`` as batches of ``items`` finish, in any order."""
        batches = [items[i:i + batch] for i in range(0, len(items), batch)]
        if self.backend == "local" and (self.workers == 1 or len(batches) == 1):
            yield from backends.run_serial(fn, ctx, batches, on_lost)
        elif self.backend == "local":
            yield from backends.run_pool(fn, ctx, batches, self.workers, on_lost, preload=self.preload)
        else:
            # run_dask names each task by its first run's ``run_id``: tag the items with unique ones.
            self.submitted += 1
            tagged = [[(Tag(f"{self.submitted}-{j}-{k}"), item) for k, item in enumerate(b)]
                      for j, b in enumerate(batches)]
            # One object, new each call: run_dask scatters its context, and Dask names scattered data
            # by content (a dict's by its keys), so re-scattering what an earlier call released races.
            wrapped = Payload(f"{fn.__module__}:{fn.__name__}", ctx, self.submitted)
            for tb, results in backends.run_dask(run_untagged, wrapped, tagged, self.client,
                                                 lambda tb, why: on_lost([i for _, i in tb], why),
                                                 name="cop-sim-calibrate"):
                yield batches[tagged.index(tb)], results

    def map(self, fn: Callable, ctx: dict, items: list, batch: int, on_lost: Callable = lost) -> list:
        """``fn(ctx, batch)`` over ``items`` in batches; results flattened back into item order."""
        # Slices share their items, so a batch is known by its first item.
        done = {id(b[0]): results for b, results in self.stream(fn, ctx, items, batch, on_lost)}
        return [r for i in range(0, len(items), batch) for r in done[id(items[i])]]

    def close(self) -> None:
        """Close the Dask client and cluster, if any."""
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
