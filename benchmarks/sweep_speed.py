"""Runs per second of a 200-run sweep of the default scenario on each backend.

Not a test: run it on a quiet machine and read the ratios.

    .venv/bin/python benchmarks/sweep_speed.py [--repeats 3] [--runs 200] [--weeks 52]

Configurations: local with 1 worker (in-process), local with 2 workers (process pool),
dask with a LocalCluster of 2 workers started by the sweep ("cold"), and dask on an already
running 2-worker LocalCluster given by address ("warm", as with --scheduler). Each sweep's
time covers starting the pool or cluster, every run and writing every result file. Goals:
2 workers >= 1.8x one worker; dask within 20 % of local with the same workers.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from cop_sim.experiment import sweep

ROOT = Path(__file__).resolve().parent.parent


def experiment(folder: Path, runs: int, weeks: int) -> Path:
    """A grid over moderator skill with 10 replications per level: ``runs`` runs in all."""
    levels = runs // 10
    values = ", ".join(f"{0.05 + 0.9 * i / max(levels - 1, 1):.4f}" for i in range(levels))
    path = folder / "bench.toml"
    path.write_text(f"""
[experiment]
name = "bench"
scenario = "{ROOT / 'scenarios' / 'default.toml'}"
replications = 10
master_seed = 1
weeks = {weeks}
outcomes = ["care_quality"]

[[factors]]
key = "cop.moderator_skill"
levels = [{values}]
""")
    return path


def timed(exp: Path, folder: Path, **kw) -> float:
    """Seconds of one sweep into a fresh folder."""
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    _, info = sweep(exp, out, progress=False, **kw)
    assert info["this_invocation"]["failed"] == 0
    return info["this_invocation"]["seconds"]


def main() -> None:
    """Measure, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    from distributed import Client

    from cop_sim.experiment.backends import local_cluster

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        exp = experiment(folder, args.runs, args.weeks)
        configs = {
            "local, 1 worker": {"workers": 1},
            "local, 2 workers": {"workers": 2},
            "dask LocalCluster, 2 workers (cold)": {"workers": 2, "backend": "dask"},
        }
        seconds: dict[str, list[float]] = {name: [] for name in configs}
        seconds["dask LocalCluster, 2 workers (warm)"] = []
        cluster = local_cluster(2)
        client = Client(cluster)
        try:
            for _ in range(args.repeats):  # interleaved, so load from others hits all alike
                for name, kw in configs.items():
                    seconds[name].append(timed(exp, folder, **kw))
                seconds["dask LocalCluster, 2 workers (warm)"].append(
                    timed(exp, folder, workers=2, backend="dask", scheduler=cluster.scheduler_address))
        finally:
            client.close()
            cluster.close()
    n = args.runs
    rate = {name: n / statistics.median(s) for name, s in seconds.items()}
    print(f"{n} runs of {args.weeks} weeks, median of {args.repeats} repeats")
    for name, s in seconds.items():
        print(f"  {name:<40} {rate[name]:7.2f} runs/s   (seconds: {', '.join(f'{x:.2f}' for x in s)})")
    one, two = rate["local, 1 worker"], rate["local, 2 workers"]
    print(f"  2 workers / 1 worker:                 {two / one:5.2f}x   (goal >= 1.8x)")
    for kind in ("cold", "warm"):
        d = rate[f"dask LocalCluster, 2 workers ({kind})"]
        print(f"  dask ({kind}) / local, 2 workers:      {d / two:5.2f}    (goal >= 0.8)")


if __name__ == "__main__":
    main()
