"""``cop-sim run``: one scenario, one seed, results on disk."""

from __future__ import annotations

import argparse
from pathlib import Path

from cop_sim import models, scenario
from cop_sim.outputs import summary_table, write_run


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``run`` subcommand."""
    p = sub.add_parser("run", help="run one scenario with one seed",
                       description="Run one scenario and write its time series, summary, "
                                   "resolved scenario and figure.")
    p.add_argument("scenario", help="scenario TOML file")
    p.add_argument("--seed", type=int, help="seed (default: the scenario's 'seed')")
    p.add_argument("--weeks", type=int, help="horizon in weeks (default: the scenario's 'weeks')")
    p.add_argument("--out", help="output folder (default: results/<scenario name>)")
    p.add_argument("--set", dest="pairs", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter by dotted key; repeatable")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Resolve, simulate, write, and print a summary table."""
    extra = {"weeks": args.weeks} if args.weeks is not None else {}
    resolved = scenario.load(args.scenario, args.pairs, extra)
    seed = resolved["seed"] if args.seed is None else args.seed
    result = models.simulate(resolved, seed)
    out = Path(args.out or Path("results") / resolved["name"])
    write_run(result, resolved, seed, out)
    print(f"scenario {resolved['name']} · seed {seed} · {len(result.timeseries)} rows")
    print(summary_table(result.summary))
    print(f"results written to {out}/ (timeseries.parquet, summary.json, scenario.json, learning.png)")
    return 0
