"""``cop-sim validate``: run the pattern-oriented validation suite."""

from __future__ import annotations

import argparse

from cop_sim.params import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``validate`` subcommand."""
    p = sub.add_parser("validate", help="run the validation patterns V1-V8",
                       description="Run the validation patterns through the experiment runner and "
                                   "print whether each holds.")
    p.add_argument("--quick", action="store_true", help="fewer replications (the test suite's run)")
    p.add_argument("--workers", type=int, help="processes (default: all cores)")
    p.add_argument("--out", default="results/validation", help="output folder")
    p.add_argument("--only", help="comma-separated pattern ids, e.g. V1,V5")
    p.add_argument("--resume", action="store_true", help="keep runs already on disk")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder beside its files, replacing none of them")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Run, print the table, and exit 1 when a pattern does not hold."""
    from cop_sim.validation.patterns import PATTERNS
    from cop_sim.validation.suite import validate

    only = [s.strip() for s in args.only.split(",")] if args.only else None
    unknown = sorted(set(only or []) - {p.id for p in PATTERNS})
    if unknown:
        raise InputError("--only", ",".join(unknown), f"unknown pattern; allowed: "
                         f"{', '.join(p.id for p in PATTERNS)}")
    from cop_sim import outdir

    with outdir.io_errors(args.out):
        table = validate(args.quick, args.out, args.workers, only, args.resume, force=args.force)
    for r in table.itertuples():
        mark = "holds" if r.holds else "FAILS"
        interval = f"{r.effect:+.4f} [{r.lo:+.4f}, {r.hi:+.4f}]"
        print(f"{r.pattern:3} {mark:5}  {r.check:55} {interval}  ({r.source})")
    held = table.groupby("pattern")["holds"].all()
    print(f"{int(held.sum())} of {len(held)} patterns hold; table and figure in {args.out}/")
    return 0 if held.all() else 1
