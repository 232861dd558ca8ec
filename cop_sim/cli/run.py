"""``cop-sim run``: one scenario, one seed, results on disk."""

from __future__ import annotations

import argparse
from pathlib import Path

from cop_sim import memory, models, outdir, scenario
from cop_sim.outputs import summary_table, write_run
from cop_sim.params import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser("run", help="run one scenario with one seed",
                       description="Run one scenario and write its time series, summary, "
                                   "resolved scenario and figure.")
    p.add_argument("scenario", nargs="?", help="scenario TOML file (not with --replay)")
    p.add_argument("--seed", type=int, help="seed (default: the scenario's 'seed')")
    p.add_argument("--weeks", type=int, help="horizon in weeks (default: the scenario's 'weeks')")
    p.add_argument("--out", help="output folder (default: results/<scenario name>); a previous run's "
                                 "folder is replaced, any other non-empty folder refused")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder beside its files, replacing none of them")
    p.add_argument("--set", dest="pairs", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter by dotted key; repeatable")
    p.add_argument("--max-memory", metavar="SIZE",
                   help="memory the run may use, e.g. 8G (default: what this machine or container has free)")
    p.add_argument("--replay", metavar="RUN_ID",
                   help="re-run one run of a sweep exactly (with --results) and check it matches")
    p.add_argument("--results", metavar="DIR", help="the sweep's results folder (with --replay)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Resolve, simulate, write, and print a summary table."""
    if args.replay or args.results:
        return replay(args)
    if not args.scenario:
        raise InputError("cop-sim run", "scenario", "missing; give a scenario TOML file, "
                         "or --replay RUN_ID --results DIR")
    options = {"weeks": args.weeks} if args.weeks is not None else {}
    if args.seed is not None:
        scenario.check_seed(args.seed)
    resolved = scenario.load(args.scenario, args.pairs, options=options)
    seed = resolved["seed"] if args.seed is None else args.seed
    memory.check(resolved, args.scenario, 1, args.max_memory)  # before building a model too big to fit
    out = Path(args.out or Path("results") / resolved["name"])
    plan = _plan(args, out)
    result = models.simulate(resolved, seed)
    with outdir.io_errors(out, "--out" if args.out else "results folder"):
        write_run(result, resolved, seed, out, plan=plan)
    print(f"scenario {resolved['name']} · seed {seed} · {len(result.timeseries)} rows")
    print(summary_table(result.summary))
    files = ["timeseries.parquet", "per_cop.parquet", "summary.json", "scenario.json", "learning.png"]
    files = [f for f in files if f != "per_cop.parquet" or "per_cop" in result.meta]
    print(f"results written to {out}/ ({', '.join(files)})")
    return 0


def _plan(args: argparse.Namespace, out: Path) -> outdir.Plan:
    """Check the output folder before simulating, so a bad one costs nothing."""
    return outdir.prepare(out, "run", args.force, "--out" if args.out else None, outdir.RUN_FILES,
                          replace=True)


def replay(args: argparse.Namespace) -> int:
    """``--replay RUN_ID --results DIR``: reproduce one run of a sweep and compare it."""
    from cop_sim.experiment.replay import replay as replay_run

    if not (args.replay and args.results):
        raise InputError("cop-sim run", "--replay", "needs both --replay RUN_ID and --results DIR")
    if args.scenario or args.pairs or args.seed is not None or args.weeks is not None:
        raise InputError("cop-sim run", "--replay", "takes its scenario, seed and horizon from the "
                         "sweep; drop SCENARIO, --seed, --weeks and --set")
    out = Path(args.out or Path(args.results) / "replay" / args.replay)
    plan = _plan(args, out)
    resolved, seed, result, same = replay_run(args.results, args.replay)
    with outdir.io_errors(out, "--out" if args.out else "results folder"):
        write_run(result, resolved, seed, out, plan=plan)
    verdict = {True: "identical to the stored run", False: "DIFFERENT from the stored run",
               None: "no stored successful run to compare"}[same]
    print(f"replayed {args.replay} · seed {seed}: {verdict}")
    print(summary_table(result.summary))
    print(f"results written to {out}/")
    return 1 if same is False else 0
