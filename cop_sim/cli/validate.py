"""``cop-sim validate``: the pattern library at the defaults, or across the priors (--robustness N)."""

from __future__ import annotations

import argparse

from cop_sim.params import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser("validate", help="judge the pattern library (V1-V8, W1-W3, ...)",
                       description="Run the pattern files of experiments/validation/ through the experiment "
                                   "runner and judge each against its smallest effect that matters. With "
                                   "--robustness N, judge every pattern at N Latin-hypercube draws over the "
                                   "priors and find where it holds (PRIM, CART) and what drives it. Exit "
                                   "status: 0 every pattern was evaluated (held or not), 1 runs failed, "
                                   "2 bad input.")
    p.add_argument("--quick", action="store_true",
                   help="fewer replications (and with --robustness a 26-week horizon): tests the machinery")
    p.add_argument("--robustness", type=int, metavar="N", help="LHS draws over the priors")
    p.add_argument("--replications", type=int, metavar="R",
                   help="with --robustness: R replications per draw instead of each pattern file's "
                        "(a cheaper run; the report states R)")
    p.add_argument("--posterior", metavar="FILE",
                   help="with --robustness: a calibration's posterior.parquet; its keys come from particles "
                        "resampled by weight, every other parameter from the priors (held-out patterns "
                        "judged after a calibration)")
    p.add_argument("--priors-from", metavar="FILE",
                   help="with --robustness: a TOML file of priors ([priors] \"dotted.key\" = [lo, hi] or "
                        "[lo, hi, \"loguniform\"]); exactly its keys are drawn over its ranges, every other "
                        "parameter keeps its value (e.g. an older version's priors)")
    p.add_argument("--workers", type=int, help="processes (default: all cores)")
    p.add_argument("--backend", choices=("local", "dask", "slurm"), default="local",
                   help="where runs execute (as for cop-sim sweep)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (backend dask)")
    p.add_argument("--shard", metavar="I/N", help="with --robustness: only runs I, I+N, ... of each sweep "
                                                   "(SLURM array jobs); then --collect")
    p.add_argument("--collect", action="store_true",
                   help="with --robustness: analyse the runs the shards left on disk, run nothing")
    p.add_argument("--out", default="results/validation", help="output folder")
    p.add_argument("--only", help="comma-separated pattern ids, e.g. V1,V5")
    p.add_argument("--library", help="folder of pattern files (default: experiments/validation)")
    p.add_argument("--resume", action="store_true", help="keep runs already on disk")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder beside its files, replacing none of them")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=main)


def _robustness(args: argparse.Namespace, patterns: list) -> int:
    from pathlib import Path

    from cop_sim.validation import robust_report
    from cop_sim.validation.robustness import RunOptions, robust_pattern

    opts = RunOptions(args.workers, args.backend, args.resume, args.shard, args.collect, args.scheduler,
                      not args.no_progress, args.replications,
                      Path(args.posterior) if args.posterior else None)
    if args.priors_from:
        from cop_sim.experiment.crossed import leaves
        from cop_sim.validation.priors_file import read_priors
        from cop_sim.validation.robustness import pattern_spec

        opts.priors = read_priors(args.priors_from, leaves(pattern_spec(patterns[0], args.quick)))
        opts.priors_from = Path(args.priors_from)
    out = Path(args.out)
    results = []
    for pattern in patterns:
        r = robust_pattern(pattern, args.robustness, out, args.quick, opts)
        if r is not None:
            results.append(r)
    if args.shard:
        second = "" if args.quick else (" (a full run: first a second pass of every shard with --resume, "
                                        "which runs the Sobol sample chosen from the LHS results)")
        print(f"shard {args.shard} done; when every shard has finished, run the same command with --collect "
              f"in place of --shard{second}")
        return 0
    md = robust_report.write(results, out, args.quick, args.robustness, posterior=bool(args.posterior))
    for r in results:
        s = r["share"]
        print(f"{r['pattern']:3} holds in {s['holds']:.2f} of the draws "
              f"(inconclusive {s['inconclusive']:.2f}, "
              f"contradicted {s['contradicted']:.2f}; {r['draws']} draws x {r['replications']} reps)  "
              f"{r['label']}")
    failed = sum(r["failed_runs"] for r in results)
    print(f"{len(results)} patterns evaluated across the prior; report in {md}")
    return 1 if failed else 0


def main(args: argparse.Namespace) -> int:
    """Run, print the table; exit 0 when every pattern was evaluated, 1 when runs failed."""
    from cop_sim.validation.patterns import EXPERIMENTS, load_library, select

    if args.workers is not None and args.workers < 1:
        raise InputError("--workers", "", f"got {args.workers}; allowed: an integer >= 1")
    if args.robustness is None and (args.shard or args.collect):
        raise InputError("--shard" if args.shard else "--collect", "", "only with --robustness N")
    if args.posterior and args.robustness is None:
        raise InputError("--posterior", args.posterior, "only with --robustness N (for a sweep: "
                         "cop-sim sweep --posterior)")
    if args.priors_from and args.robustness is None:
        raise InputError("--priors-from", args.priors_from, "only with --robustness N")
    if args.replications is not None:
        if args.robustness is None:
            raise InputError("--replications", "", "only with --robustness N")
        if args.replications < 2:
            raise InputError("--replications", "", f"got {args.replications}; allowed: an integer >= 2 "
                             "(a draw's interval needs two paired replications)")
    patterns = load_library(args.library or EXPERIMENTS)
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    chosen = select(patterns, only)
    if args.robustness is not None:
        if args.robustness < 2:
            raise InputError("--robustness", "", f"got {args.robustness}; allowed: an integer >= 2")
        runnable = [p for p in chosen if p.runnable]
        if not runnable:
            raise InputError("--only", args.only or "", "no chosen pattern is expressible in this model")
        return _robustness(args, runnable)
    from cop_sim import outdir
    from cop_sim.validation.suite import validate

    with outdir.io_errors(args.out):
        table, failed = validate(args.quick, args.out, args.workers, only, args.resume,
                                 progress=not args.no_progress, library=args.library or EXPERIMENTS,
                                 backend=args.backend, scheduler=args.scheduler, force=args.force)
    for r in table.itertuples():
        interval = f"{r.effect:+.4f} [{r.lo:+.4f}, {r.hi:+.4f}] vs {r.threshold:+.4f}"
        print(f"{r.pattern:3} {r.verdict:12}  {r.check:55} {interval}  ({r.source}; {r.commit})")
    held = table.groupby("pattern")["holds"].all()
    print(f"{int(held.sum())} of {len(held)} patterns hold at the defaults; table and figure in {args.out}/")
    if failed:
        print(f"{failed} runs failed; see the sweeps' summary.parquet (column 'error')")
    return 1 if failed else 0
