"""Model speed: construction, run time, practitioner-weeks per second and peak memory by size,
and whole default-scenario runs per second on one core.

Run: .venv/bin/python benchmarks/model_speed.py [--sizes 48 480 4800 48000] [--repeats 5]
Each size runs in a fresh subprocess so that its peak memory (ru_maxrss) is its own.
Times are medians over repeats (this machine is shared and noisy). Construction includes the
burn-in (weeks of care before week 0), reported apart; "incl. burn-in" counts every simulated
week of care, the burn-in's too, per second of care. Each subprocess first loads
the compiled kernels from Numba's cache (compiling them if the cache is cold) and reports
that time apart, as "kernels s".
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {"cop": ROOT / "scenarios" / "default.toml"}


def package():
    """The CoP model's package of the checkout on the path: ``cop_sim.cop``, or 0.2.0's ``cop_sim.model2``."""
    import importlib

    import cop_sim

    # by folder, not by trying imports: an editable install may map ``cop_sim.cop`` to another checkout
    name = "cop" if (Path(cop_sim.__file__).parent / "cop").is_dir() else "model2"
    return importlib.import_module(f"cop_sim.{name}")


def checkout_scenario(model: str = "cop") -> Path:
    """The default scenario of the checkout whose ``cop_sim`` is imported (not this script's)."""
    import cop_sim

    return Path(cop_sim.__file__).resolve().parents[1] / SCENARIOS[model].relative_to(ROOT)


def model_class(model: str):
    """The Mesa model class of a model kind (construction and stepping are timed apart)."""
    import importlib

    module = importlib.import_module(package().__name__ + ".model")
    return getattr(module, "CopModel", None) or module.CopModel2


def one_size(n: int, repeats: int, model: str = "cop", pairs: tuple[str, ...] = ()) -> dict:
    """Construction and run time of an n-practitioner, 52-week model (twelve per CoP).

    ``pairs`` are further ``key=value`` overrides (e.g. a mechanism switched on).
    """
    from cop_sim import scenario

    CopModel = model_class(model)
    path = checkout_scenario(model)
    resolved = scenario.load(path, [f"n_cops={max(1, n // 12)}", "patients.per_practitioner=20", *pairs])
    t0 = time.perf_counter()
    warm_up = CopModel(scenario.load(path, ["n_cops=1", "weeks=4"]), 0)  # meets in week 2
    while warm_up.running:  # loads (or, with a cold cache, compiles) every kernel
        warm_up.step()
    warm = time.perf_counter() - t0
    build, run, burn, build_cpu, run_cpu = [], [], [], [], []
    for seed in range(repeats):
        with timed_burn_in(burn):
            t0, c0 = time.perf_counter(), time.process_time()
            model = CopModel(resolved, seed)
            t1, c1 = time.perf_counter(), time.process_time()
        while model.running:
            model.step()
        t2, c2 = time.perf_counter(), time.process_time()
        build.append(t1 - t0)
        run.append(t2 - t1)
        build_cpu.append(c1 - c0)  # CPU time: what a shared, loaded machine leaves of a measurement
        run_cpu.append(c2 - c1)
        del model
        gc.collect()  # one model at a time: the peak is a single model's
    model_size = scenario_size(resolved)
    weeks, b, r = resolved["weeks"], statistics.median(burn), statistics.median(run)
    return {"practitioners": model_size, "construction_s": statistics.median(build),
            "burn_in_s": b, "run_s": statistics.median(run),
            "practitioner_weeks_per_s": model_size * weeks / statistics.median(run),
            # every week of care simulated, the burn-in's included, per second of care
            "simulated_weeks_per_s": model_size * (weeks + resolved["burn_in"]) / (r + b),
            "construction_cpu_s": statistics.median(build_cpu),
            "practitioner_weeks_per_cpu_s": model_size * weeks / statistics.median(run_cpu),
            "peak_memory_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "kernels_s": warm}


@contextlib.contextmanager
def timed_burn_in(times: list):
    """Within the block, time each call of the model's burn-in (care inside construction) into ``times``."""
    import importlib

    week = importlib.import_module(package().__name__ + ".week")
    original = week.burn_in

    def burn_in(*args):
        t0 = time.perf_counter()
        original(*args)
        times.append(time.perf_counter() - t0)

    week.burn_in = burn_in
    try:
        yield
    finally:
        week.burn_in = original


def scenario_size(resolved: dict) -> int:
    """Practitioners in a resolved scenario."""
    import importlib

    from cop_sim.composition import expand_cops

    spec = importlib.import_module(package().__name__ + ".spec")
    cops = expand_cops(resolved, template=spec.COP_SPEC)
    return sum(sum(c["members"].values()) for c in cops)


def default_rate(repeats: int, model: str = "cop", pairs: tuple[str, ...] = ()) -> dict:
    """Whole default-scenario runs per second on one core (construction and recording included)."""
    from cop_sim import models, scenario

    resolved = scenario.load(checkout_scenario(model), list(pairs))
    models.simulate(resolved, 0)  # warm imports and caches
    times, cpu = [], []
    for seed in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        models.simulate(resolved, seed)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med = statistics.median(times)
    return {"median_run_s": med, "runs_per_s": 1 / med, "min_run_s": min(times),
            "runs_per_cpu_s": 1 / statistics.median(cpu)}


def main() -> None:
    """Measure each size in a subprocess, then the default scenario's run rate."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="*", default=[48, 480, 4800, 48000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--model", choices=tuple(SCENARIOS), default="cop",
                    help="the model kind, at its default scenario (only the CoP model since 0.2.0)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        reps = args.repeats if args.child < 10000 else max(1, args.repeats // 3)
        print(json.dumps(one_size(args.child, reps, args.model)))
        return
    print(f"{'practitioners':>13} {'construct s':>12} {'of it burn-in':>14} {'run s':>9} "
          f"{'prac-weeks/s':>14} {'incl. burn-in':>14} {'peak MB':>9} {'kernels s':>10}")
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(n), "--repeats", str(args.repeats),
                              "--model", args.model],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['practitioners']:>13} {r['construction_s']:>12.3f} {r['burn_in_s']:>14.3f} "
              f"{r['run_s']:>9.3f} "
              f"{r['practitioner_weeks_per_s']:>14,.0f} {r['simulated_weeks_per_s']:>14,.0f} "
              f"{r['peak_memory_mb']:>9.0f} {r['kernels_s']:>10.2f}")
    d = default_rate(max(20, args.repeats * 6), args.model)
    print(f"default scenario: {d['runs_per_s']:.1f} runs/s on one core "
          f"(median {d['median_run_s'] * 1000:.1f} ms, best {d['min_run_s'] * 1000:.1f} ms)")


if __name__ == "__main__":
    main()
