"""Runs per second of a validation-like sweep with the burn-in reused across arms, and without.

Not a test: the ratio is what to read. The machine this was written on was loaded (a long
calibration on both cores, this at nice 10), so absolute rates are low and noisy; the two
settings are interleaved repeat by repeat so that load hits both alike, and medians are shown.

    .venv/bin/python benchmarks/reuse.py [--repeats 5] [--replications 30] [--weeks 52]

Two measures:
- ``sweep``: the runner end to end (one in-process worker: designs, scenarios, runs, result
  files), over V1's contrast and V2's moderation levels: monthly meetings or none x moderator
  skill 0.2 / 0.8, common random numbers (four arms a replication). Reuse off sets
  ``COP_SIM_REUSE=0`` (point-major order, no cache), as before reuse existed.
- ``model``: the same arms through ``models.simulate`` alone, grouped by seed, with
  ``reuse.reusing()`` on or off: the model's share of the gain, without the runner's I/O.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from cop_sim import models, scenario
from cop_sim.cop import reuse
from cop_sim.experiment import sweep

ROOT = Path(__file__).resolve().parent.parent
ARMS = [{"cop": {"calendar": {"every_weeks": e}, "moderator_skill": s}} for e in (0, 4) for s in (0.2, 0.8)]


def experiment(folder: Path, replications: int, weeks: int) -> Path:
    """The sweep: two factors of the validation library crossed, ``replications`` each."""
    path = folder / "bench.toml"
    path.write_text(f"""
[experiment]
name = "bench_reuse"
scenario = "{ROOT / 'scenarios' / 'default.toml'}"
replications = {replications}
master_seed = 101
weeks = {weeks}
outcomes = ["care_quality_last_quarter"]

[[factors]]
key = "cop.calendar.every_weeks"
levels = [0, 4]

[[factors]]
key = "cop.moderator_skill"
levels = [0.2, 0.8]
""")
    return path


def timed_sweep(exp: Path, folder: Path, on: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one sweep into a fresh folder, reuse on or off (one worker: in process)."""
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    os.environ[reuse.ENV] = "1" if on else "0"
    reuse.clear()
    t, c = time.perf_counter(), time.process_time()
    _, info = sweep(exp, out, workers=1, progress=False)
    assert info["this_invocation"]["failed"] == 0
    return time.perf_counter() - t, time.process_time() - c


def timed_model(resolved: list[dict], seeds: range, on: bool) -> tuple[float, float]:
    """Wall and CPU seconds of every arm of every seed through the model alone, arms of a seed together."""
    reuse.clear()
    t, c = time.perf_counter(), time.process_time()
    with reuse.reusing(on):
        for seed in seeds:
            for r in resolved:
                models.simulate(r, seed)
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    """Measure both settings interleaved; print medians, runs per second and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--replications", type=int, default=30)  # as V1 and S1
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    n = args.replications * len(ARMS)
    default = ROOT / "scenarios" / "default.toml"
    resolved = [scenario.load(default, [f"weeks={args.weeks}"], extra=a) for a in ARMS]
    seeds = range(1000, 1000 + args.replications)
    timed_model(resolved, range(1), True)  # compile and warm
    seconds: dict[str, list[tuple[float, float]]] = {k: [] for k in ("sweep off", "sweep on", "model off",
                                                                      "model on")}
    hits = 0
    with tempfile.TemporaryDirectory() as tmp:
        exp = experiment(Path(tmp), args.replications, args.weeks)
        timed_sweep(exp, Path(tmp), False)  # the runner's first sweep pays its imports: not timed
        before = os.environ.get(reuse.ENV)
        try:
            for i in range(args.repeats):  # interleaved, the order alternating, so load hits all alike
                for on in ((False, True) if i % 2 == 0 else (True, False)):
                    seconds[f"sweep {'on' if on else 'off'}"].append(timed_sweep(exp, Path(tmp), on))
                    seconds[f"model {'on' if on else 'off'}"].append(timed_model(resolved, seeds, on))
                    hits += reuse.stats()["hits"] if on else 0
        finally:
            if before is None:
                os.environ.pop(reuse.ENV, None)
            else:
                os.environ[reuse.ENV] = before
    print(f"{n} runs ({len(ARMS)} arms x {args.replications} replications, {args.weeks} weeks), "
          f"median of {args.repeats} interleaved repeats; the machine was loaded: compare ratios only")
    # CPU time of this process (the sweep runs in it, one worker) is less sensitive to others' load
    for j, clock in enumerate(("wall", "CPU")):
        rate = {k: n / statistics.median(x[j] for x in s) for k, s in seconds.items()}
        for k, s in seconds.items():
            each = ", ".join(f"{x[j]:.2f}" for x in s)
            print(f"  {clock:<4} {k:<10} {rate[k]:7.2f} runs/s   (seconds: {each})")
        for kind in ("sweep", "model"):
            print(f"  {clock:<4} {kind}: reuse on / off  {rate[f'{kind} on'] / rate[f'{kind} off']:5.2f}x")
    print(f"  burn-ins served from the cache per model pass: {hits / args.repeats:.0f} of {n}")


if __name__ == "__main__":
    main()
