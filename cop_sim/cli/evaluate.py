"""``cop-sim evaluate``: a published study's design run in the model, and its verdict."""

from __future__ import annotations

import argparse
from pathlib import Path

from cop_sim import outdir
from cop_sim.evaluation import design, library
from cop_sim.evaluation.run import DRAWS
from cop_sim.params import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``evaluate`` subcommand."""
    p = sub.add_parser("evaluate", help="run a published study's design in the model",
                       description="Simulate the design of an evidence file (experiments/evidence/), "
                                   "analyse it as the study did, and judge the prediction by the "
                                   "file's rule.")
    p.add_argument("file", help="an evidence or evaluation design file (TOML)")
    p.add_argument("--draws", choices=DRAWS, default="prior",
                   help="parameters of each replicate study: drawn from the priors (default), from a "
                        "posterior (--posterior), or the defaults")
    p.add_argument("--posterior",
                   help="posterior Parquet file (from cop-sim calibrate), with --draws posterior")
    p.add_argument("--replicates", type=int, help="replicate studies (default: the file's, else 20)")
    p.add_argument("--sites", type=int, nargs=2, metavar=("INTERVENTION", "COMPARISON"),
                   help="simulate these numbers of sites (a reduced design; the report says so)")
    p.add_argument("--seed", type=int, help="master seed of the replicate studies")
    p.add_argument("--out", help="output folder (default: results/evaluation/<id>)")
    p.add_argument("--force", action="store_true", help="write into a non-empty folder beside its files")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Plan, simulate, analyse, judge, write."""
    from cop_sim.evaluation import report, simulate
    from cop_sim.evaluation.run import evaluate

    evidence = library.read(args.file)
    if (args.draws == "posterior") != bool(args.posterior):
        raise InputError("--posterior", "", "give --posterior FILE exactly when --draws posterior")
    if args.posterior and not Path(args.posterior).is_file():
        raise InputError(args.posterior, "", "not a file (a posterior Parquet file expected)")
    overrides = {"replicates": args.replicates, "seed": args.seed}
    if args.sites:
        overrides.update(sites_intervention=args.sites[0], sites_comparison=args.sites[1])
    for key in ("replicates", "seed"):
        value = overrides[key]
        least = 1 if key == "replicates" else 0
        if value is not None and value < least:
            raise InputError(f"--{key}", "", f"got {value}; allowed: a whole number >= {least}")
    plan = design.plan(evidence, overrides)
    simulate.resolved_study(plan)  # the study's scenario checked before any run (and any progress bar)
    out = Path(args.out or Path("results") / "evaluation" / evidence.id)
    where = outdir.prepare(out, "evaluation", args.force, "--out" if args.out else None, report.FILES,
                           replace=True)
    ev = evaluate(evidence, plan, args.draws, args.posterior)
    with outdir.io_errors(out, "--out" if args.out else "results folder"):
        report.write(ev, out, where)
    j = ev.judged
    print(f"{evidence.id}: {j['verdict']} (published {j['published']}; predictive "
          f"[{report._fmt(j['lo'])}, {report._fmt(j['hi'])}]; {j['why']})")
    if ev.measure_used != plan.measure:
        print(f"note: {plan.measure} is not reported by this model version; {ev.measure_used} stood in")
    print(f"results written to {out}/ ({', '.join(report.FILES)})")
    return 0
