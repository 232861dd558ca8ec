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
    p.add_argument("file", help="an evidence or evaluation design file (TOML), or a folder of them "
                                "(with --report: every file, prior and posterior predictive)")
    p.add_argument("--draws", choices=DRAWS, default=None,
                   help="parameters of each replicate study: drawn from the priors (default), from a "
                        "posterior (the default with --posterior), or the defaults")
    p.add_argument("--posterior",
                   help="posterior Parquet file (from cop-sim calibrate) or its calibration folder "
                        "(implies --draws posterior)")
    p.add_argument("--report", metavar="FILE.md",
                   help="with a folder: evaluate every file and write this generated report and its forest "
                        "plot (FILE_forest.png); never overwrites a file cop-sim did not generate")
    p.add_argument("--replicates", type=int, help="replicate studies (default: the file's, else 20)")
    p.add_argument("--sites", type=int, nargs=2, metavar=("INTERVENTION", "COMPARISON"),
                   help="simulate these numbers of sites (a reduced design; the report says so)")
    p.add_argument("--seed", type=int, help="master seed of the replicate studies")
    p.add_argument("--out", help="output folder (default: results/evaluation/<id>)")
    p.add_argument("--workers", type=int, default=1,
                   help="with a folder: evaluations run in this many local processes (default 1)")
    p.add_argument("--force", action="store_true", help="write into a non-empty folder beside its files")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Plan, simulate, analyse, judge, write."""
    from cop_sim.evaluation import report, simulate
    from cop_sim.evaluation.run import evaluate

    if args.draws is None:  # --posterior alone means its draws
        args.draws = "posterior" if args.posterior else "prior"
    if args.posterior and Path(args.posterior).is_dir():  # a calibration's folder
        args.posterior = str(Path(args.posterior) / "posterior.parquet")
    if Path(args.file).is_dir():
        return _library(args)
    if args.report:
        raise InputError("--report", "", "only with a folder of evidence files (the library's report)")
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


def _library(args: argparse.Namespace) -> int:
    """Every evidence file of a folder under the prior (and posterior) predictive; the report."""
    from cop_sim.evaluation import library_report

    folder = Path(args.file)
    if not args.report:
        raise InputError(str(folder), "", "a folder of evidence files needs --report FILE.md (the report "
                         "to generate)")
    if args.draws == "defaults" or args.sites or args.out or args.force:
        raise InputError("--report", "", "a library report takes the prior (and --posterior); not --draws "
                         "defaults, --sites, --out or --force")
    if args.posterior and not Path(args.posterior).is_file():
        raise InputError(args.posterior, "", "not a file (a posterior Parquet file or a calibration folder "
                         "expected)")
    if args.draws == "posterior" and not args.posterior:
        raise InputError("--posterior", "", "give --posterior FILE with --draws posterior")
    for key, least in (("replicates", 1), ("seed", 0)):
        value = getattr(args, key)
        if value is not None and value < least:
            raise InputError(f"--{key}", "", f"got {value}; allowed: a whole number >= {least}")
    files = library.library(folder)  # every file read and checked before any run
    if not files:
        raise InputError(str(folder), "", "holds no evidence file (*.toml)")
    md = Path(args.report)
    library_report.check_targets(md)
    for ev in files:
        design.plan(ev, {"replicates": args.replicates, "seed": args.seed})
    posterior = Path(args.posterior) if args.posterior else None
    if args.workers < 1:
        raise InputError("--workers", "", f"got {args.workers}; allowed: a whole number >= 1")
    out = library_report.write(folder, md, posterior, args.replicates, args.seed, workers=args.workers)
    for row in out["rows"]:
        final = row.posterior or row.prior
        print(f"{row.evidence.id} ({row.evidence.use}): {final.judged['verdict']}")
    print(f"report written to {out['report']} and {out['figure']}")
    return 0
