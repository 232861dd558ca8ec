"""``cop-sim sweep``: run an experiment's design on this machine, a Dask cluster or SLURM."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cop_sim.params import InputError

if TYPE_CHECKING:
    from cop_sim.experiment.spec import Experiment


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` subcommand."""
    p = sub.add_parser(
        "sweep", help="run an experiment (factor grid or sensitivity design) with replications",
        description="Run every run of an experiment file and write results/EXPERIMENT/ "
                    "(manifest.json, runs/, summary.parquet). Exit status: 0 all runs succeeded, "
                    "1 some runs failed (recorded with their error and seed) or, with --collect, are "
                    "missing, 2 bad input (or too big for the memory available, or a design that would "
                    "take more than 1 GB to lay out, about a million runs). A run file that cannot be read "
                    "counts as missing: --resume renames it RUN_ID.parquet.damaged-N and runs it again.")
    p.add_argument("experiment", help="experiment TOML file (see experiments/)")
    p.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    p.add_argument("--backend", choices=("local", "dask", "slurm"), default="local",
                   help="local process pool (default), a Dask cluster, or SLURM via dask-jobqueue")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running Dask scheduler, e.g. tcp://host:8786 (default: env "
                        "DASK_SCHEDULER_ADDRESS, else a LocalCluster)")
    p.add_argument("--resume", action="store_true", help="skip runs already on disk")
    p.add_argument("--shard", metavar="I/N",
                   help="run only runs I, I+N, I+2N, ... (0-based I; for SLURM array jobs)")
    p.add_argument("--out", help="results folder (default: results/<experiment name>)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder that is not a sweep's, beside its files "
                        "(replacing none of them)")
    p.add_argument("--collect", action="store_true",
                   help="only rebuild summary.parquet and manifest.json from runs/ (after shards)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--posterior", metavar="FILE",
                   help="a calibration's posterior.parquet: run every design point under --draws particles "
                        "resampled by weight (runs paired within draw and replication)")
    p.add_argument("--draws", type=int, default=50, metavar="K",
                   help="with --posterior: parameter draws (default 50)")
    p.add_argument("--max-memory", metavar="SIZE",
                   help="memory the sweep's workers may use together, e.g. 64G (default: what this "
                        "machine or container has free; not checked for SLURM or a remote scheduler)")
    g = p.add_argument_group("slurm", "override the experiment's [slurm] table")
    g.add_argument("--dry-run", action="store_true", help="print the SLURM job script and exit")
    for name, kind, text in (("queue", str, "partition"), ("account", str, "account"),
                             ("cores", int, "cores per job"), ("memory", str, "memory per job, e.g. 8GB"),
                             ("walltime", str, "HH:MM:SS"), ("python", str, "Python on the nodes"),
                             ("jobs", int, "jobs to start")):
        g.add_argument(f"--{name}", type=kind, help=text)
    p.set_defaults(func=main)


def _slurm_options(args: argparse.Namespace) -> dict:
    names = ("queue", "account", "cores", "memory", "walltime", "python", "jobs")
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def main(args: argparse.Namespace) -> int:
    """Validate, then run, collect or print the job script."""
    from cop_sim import outdir
    from cop_sim.experiment import backends, runner, store
    from cop_sim.experiment.design import load_experiment

    if args.workers is not None and args.workers < 1:
        raise InputError("--workers", "", f"got {args.workers}; allowed: an integer >= 1")
    spec = load_experiment(args.experiment)
    if args.posterior:
        from cop_sim.experiment.crossed import cross, posterior_draws
        from cop_sim.experiment.design import check_size

        check_size(spec, max(args.draws, 1))  # before K draws are resampled and crossed
        draws, picked = posterior_draws(args.posterior, spec, args.draws)
        spec = cross(spec, draws, {"kind": "posterior", "source": str(args.posterior), "draws": args.draws,
                                   "particles": picked})
    default = f"{spec.name}_posterior" if args.posterior else spec.name
    results = Path(args.out or Path("results") / default)
    if args.dry_run:
        if args.backend != "slurm":
            raise InputError("--dry-run", "", "only with --backend slurm (prints the job script)")
        cluster = backends.slurm_cluster({**spec.slurm, **_slurm_options(args)})
        try:
            print(cluster.job_script())
        finally:
            cluster.close()
        return 0
    option = "--out" if args.out else None
    if args.collect:
        plan = outdir.prepare(results, "sweep", args.force, option)
        made_by = store.read_experiment(results)  # the folder's own experiment, as it ran
        with outdir.io_errors(results, option or "results folder"):
            outdir.claim(results, plan)
            manifest = runner.write_manifest(results, made_by, {"collected": True})
        _report(results, manifest["counts"])
        if manifest["counts"]["missing"]:
            print(f"cop-sim: error: {results}: {runner.describe_missing(results, made_by)}", file=sys.stderr)
            return 1
        return 1 if manifest["counts"]["failed"] else 0
    if args.backend == "local" or (args.backend == "dask" and not runner.scheduler_address(args.scheduler)):
        _check_memory(spec, args.workers or backends.default_workers(), args.max_memory)
    with outdir.io_errors(results, option or "results folder"):
        path, info = runner.sweep(spec, results, args.workers, args.backend, args.resume, args.shard,
                                  progress=not args.no_progress, scheduler=args.scheduler,
                                  slurm=_slurm_options(args), force=args.force, option=option)
    import json

    counts = json.loads((path / "manifest.json").read_text())["counts"]
    _report(path, counts, info)
    return 1 if info["this_invocation"]["failed"] else 0


def _check_memory(spec: Experiment, workers: int, limit: str | None) -> None:
    """Refuse a sweep whose largest run, times the workers, would not fit in this machine's memory."""
    from cop_sim import memory
    from cop_sim.experiment.design import build_design

    design = build_design(spec)
    sized = [f.key for f in spec.factors if f.key in memory.SIZE_KEYS]
    points = {repr([p[k] for k in sized]): p for p in design.points}  # one point per combination of sizes
    largest = max((spec.resolve(p) for p in points.values()), key=lambda r: memory.estimate(r) or 0.0)
    runs = len(design) * spec.replications
    memory.check(largest, spec.path, max(1, min(workers, runs)), limit)


def _report(path: Path, counts: dict, info: dict | None = None) -> None:
    if info:
        mine = info["this_invocation"]
        rate = mine["ran"] / mine["seconds"] if mine["seconds"] else 0.0
        print(f"ran {mine['ran']} runs ({mine['failed']} failed) in {mine['seconds']:.1f} s "
              f"({rate:.1f} runs/s) on {info['backend']} with {info['workers']} workers")
    print(f"{path}: {counts['succeeded']} of {counts['runs']} runs done, {counts['failed']} failed, "
          f"{counts['missing']} missing; summary in {path / 'summary.parquet'}")
    if counts["failed"]:
        print(f"failed runs are listed with their error in {path / 'summary.parquet'} "
              "(column 'error'); replay one with: cop-sim run --replay RUN_ID "
              f"--results {path}", file=sys.stderr)
