"""Design points and runs: full factorial grids, and SALib's LHS, Sobol and Morris samples."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from cop_sim.experiment.seeds import run_seed, sampler_seed
from cop_sim.experiment.spec import Experiment


@dataclass(frozen=True)
class Run:
    """One run: its id, place in the design and seed."""

    run_id: str
    point: int
    replication: int
    seed: int


@dataclass
class Design:
    """The design points (factor values per point) and, for sampled methods, SALib's matrix."""

    points: list[dict[str, Any]]
    sample: np.ndarray | None  # rows as SALib drew them (before integer rounding)

    def __len__(self) -> int:
        return len(self.points)


def problem(spec: Experiment) -> dict:
    """The SALib problem dict of a sampled experiment."""
    return {"num_vars": len(spec.factors), "names": [f.key for f in spec.factors],
            "bounds": [[f.lo, f.hi] for f in spec.factors]}


def _sample(spec: Experiment) -> np.ndarray:
    # SALib imports SciPy; only sampled experiments pay for it.
    from SALib.sample import latin, morris, sobol

    seed = sampler_seed(spec.master_seed)
    prob = problem(spec)
    if spec.method == "lhs":
        return latin.sample(prob, spec.n, seed=seed)
    if spec.method == "sobol":
        return sobol.sample(prob, spec.n, calc_second_order=spec.calc_second_order, seed=seed)
    return morris.sample(prob, spec.n, num_levels=spec.num_levels, seed=seed)


def _value(kind: str, x: float) -> int | float:
    # Python's round-half-even would bias .5 cases; floor(x + 0.5) rounds them up.
    return int(np.floor(x + 0.5)) if kind == "int" else float(x)


def build_design(spec: Experiment, validate: bool = False) -> Design:
    """The experiment's design points in a fixed order.

    Grid points vary the last factor fastest. With ``validate``, every point's scenario is
    resolved so a bad combination fails before any run starts.
    """
    if spec.method == "grid":
        combos = itertools.product(*(f.levels for f in spec.factors))
        points = [{f.key: v for f, v in zip(spec.factors, combo, strict=True)} for combo in combos]
        design = Design(points, None)
    else:
        sample = _sample(spec)
        points = [{f.key: _value(f.kind, x) for f, x in zip(spec.factors, row, strict=True)}
                  for row in sample]
        design = Design(points, sample)
    if validate:
        seen: set[str] = set()
        for values in design.points:
            sig = repr(sorted(values.items()))
            if sig not in seen:  # rounded integer samples repeat; resolve each once
                spec.resolve(values)
                seen.add(sig)
    return design


def run_id(point: int, replication: int) -> str:
    """The stable name of a run, e.g. ``p000012-r003``."""
    return f"p{point:06d}-r{replication:03d}"


def runs(spec: Experiment, design: Design) -> list[Run]:
    """Every run of the design, point-major, with its seed."""
    return [Run(run_id(p, r), p, r, run_seed(spec.master_seed, p, r, spec.crn))
            for p in range(len(design)) for r in range(spec.replications)]


def take_shard(all_runs: list[Run], index: int, count: int) -> list[Run]:
    """Every ``count``-th run starting at ``index`` (0-based), for SLURM array jobs."""
    return all_runs[index::count]
