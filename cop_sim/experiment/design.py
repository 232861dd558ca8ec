"""Design points and runs: full factorial grids, and SALib's LHS, Sobol and Morris samples.

Also where an experiment file is loaded, since loading checks every design point
(``spec`` parses and knows nothing of designs, so the two modules import one way).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cop_sim import scenario
from cop_sim.experiment.seeds import draw_run_seed, run_seed, sampler_seed
from cop_sim.experiment.spec import Experiment, parse
from cop_sim.params import InputError


@dataclass(frozen=True)
class Run:
    """One run: its id, place in the design and seed."""

    run_id: str
    point: int
    replication: int
    seed: int
    draw: int | None = None  # the parameter draw of a crossed design


@dataclass
class Design:
    """The design points (factor values per point) and, for sampled methods, SALib's matrix."""

    points: list[dict[str, Any]]
    sample: np.ndarray | None  # rows as SALib drew them (before integer rounding)
    arms: int = 0  # crossed with draws: design points per draw (point = draw * arms + arm)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def crossed(self) -> bool:
        """Whether the points are the experiment's arms crossed with parameter draws."""
        return self.arms > 0


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


def design_size(spec: Experiment, draws: int | None = None) -> int:
    """How many design points ``spec`` has, counted without building them.

    ``draws``: parameter draws the design will be crossed with (default: the experiment's own).
    """
    d = len(spec.factors)
    if spec.method == "grid":
        points = math.prod(len(f.levels) for f in spec.factors)
    elif spec.method == "lhs":
        points = spec.n
    elif spec.method == "sobol":
        points = spec.n * (2 * d + 2 if spec.calc_second_order else d + 2)
    else:  # morris: trajectories of d + 1 points
        points = spec.n * (d + 1)
    crossed = len(spec.draws) if draws is None else draws
    return points * max(crossed, 1)


def check_size(spec: Experiment, draws: int | None = None, draws_key: str = "--draws") -> None:
    """Refuse a design too big to lay out (:data:`cop_sim.memory.DESIGN_LIMIT`), before building it.

    Raises:
        InputError: naming the experiment file, the keys that make the design big, the estimated
            size and the limit.
    """
    from cop_sim import memory

    points = design_size(spec, draws)
    n_runs = points * spec.replications
    need = memory.design_estimate(points, len(spec.factors), n_runs)
    if need <= memory.DESIGN_LIMIT:
        return
    if spec.method == "grid":
        keys = [f"factors[{i}].levels ({len(f.levels)})" for i, f in enumerate(spec.factors)
                if len(f.levels) > 1]
    else:
        keys = [f"sampler.n ({spec.n})"]
        if spec.method != "lhs":  # sobol and morris take a multiple of n per factor
            keys.append(f"factors ({len(spec.factors)})")
    crossed = len(spec.draws) if draws is None else draws
    if crossed > 1:
        keys.append(f"{draws_key} ({crossed})")
    if spec.replications > 1:
        keys.append(f"experiment.replications ({spec.replications})")
    per_run = need / n_runs
    raise InputError(spec.path, ", ".join(keys), f"the design has {points:,} points x {spec.replications} "
                     f"replications = {n_runs:,} runs, about {memory.human(need)} to lay out before the "
                     f"first run starts; the limit is {memory.human(memory.DESIGN_LIMIT)} (about "
                     f"{int(memory.DESIGN_LIMIT // per_run):,} runs like these); use fewer levels, a "
                     "smaller sampler.n or fewer replications, or split the experiment into several")


def build_design(spec: Experiment, validate: bool = False) -> Design:
    """The experiment's design points in a fixed order.

    Grid points vary the last factor fastest. With ``validate``, every point's scenario is
    resolved so a bad combination fails before any run starts.

    Raises:
        InputError: the design is too big to lay out (see :func:`check_size`).
    """
    check_size(spec)
    if spec.method == "grid":
        combos = itertools.product(*(f.levels for f in spec.factors))
        points = [{f.key: v for f, v in zip(spec.factors, combo, strict=True)} for combo in combos]
        design = Design(points, None)
    else:
        sample = _sample(spec)
        points = [{f.key: _value(f.kind, x) for f, x in zip(spec.factors, row, strict=True)}
                  for row in sample]
        design = Design(points, sample)
    if spec.draws:
        # a sample of parameter sets x the design points: the arm's own values win
        arms = design.points
        design = Design([{**draw, **arm} for draw in spec.draws for arm in arms], design.sample, len(arms))
    if validate:
        seen: set[str] = set()
        for values in design.points:
            sig = repr(sorted(values.items()))
            if sig not in seen:  # rounded integer samples repeat; resolve each once
                spec.resolve(values)
                seen.add(sig)
    return design


def run_id(point: int, replication: int, draw: int | None = None) -> str:
    """The stable name of a run, e.g. ``p000012-r003``, or ``d00004-p000002-r003`` in a crossed design
    (there ``p`` is the arm within the draw)."""
    name = f"p{point:06d}-r{replication:03d}"
    return name if draw is None else f"d{draw:05d}-{name}"


def runs(spec: Experiment, design: Design) -> list[Run]:
    """Every run of the design, point-major, with its seed.

    In a crossed design the arms of one (draw, replication) share a seed (with common random
    numbers), so contrasts are paired within the draw.
    """
    if not design.crossed:
        return [Run(run_id(p, r), p, r, run_seed(spec.master_seed, p, r, spec.crn))
                for p in range(len(design)) for r in range(spec.replications)]
    out = []
    for p in range(len(design)):
        d, arm = divmod(p, design.arms)
        out += [Run(run_id(arm, r, d), p, r, draw_run_seed(spec.master_seed, d, arm, r, spec.crn), d)
                for r in range(spec.replications)]
    return out


def take_shard(all_runs: list[Run], index: int, count: int) -> list[Run]:
    """Every ``count``-th run starting at ``index`` (0-based), for SLURM array jobs."""
    return all_runs[index::count]


def load_experiment(path: str | Path) -> Experiment:
    """Read and validate an experiment file, including every design point's scenario.

    Raises:
        InputError: naming the file, the key and what is allowed.
    """
    spec = parse(scenario.read_toml(path), str(path))
    spec.resolve({})  # the base scenario with [set] applied
    build_design(spec, validate=True)
    return spec
