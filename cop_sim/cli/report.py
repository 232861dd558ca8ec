"""``cop-sim report``: statistics, contrasts, sensitivity indices and figures of a sweep."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
    p = sub.add_parser("report", help="write report.md with figures for a sweep's results",
                       description="Write RESULTS_DIR/report.md and RESULTS_DIR/figures/*.png: per design "
                                   "point mean, sd and 95%% CI; contrasts against baselines; learning "
                                   "curves; heat maps; Sobol or Morris indices.")
    p.add_argument("results", metavar="RESULTS_DIR", help="a sweep's results folder")
    p.add_argument("--force", action="store_true",
                   help="write into a folder cop-sim has not marked as a sweep's (one from an older "
                        "version), beside its files, replacing none of them")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Write the report and say where."""
    from cop_sim import outdir
    from cop_sim.experiment import store
    from cop_sim.report import write_report

    _check_sweep_folder(args.results)  # before the folder rules: --force cannot make runs appear
    plan = outdir.prepare(args.results, "sweep", args.force, "RESULTS_DIR")
    store.read_experiment(args.results)
    with outdir.io_errors(args.results, "RESULTS_DIR"):
        store.check_runs(args.results)  # names every unreadable run file, before any figure is drawn
        outdir.claim(args.results, plan)
        path = write_report(args.results)
    print(f"report written to {path} (figures in {path.parent / 'figures'})")
    return 0


def _check_sweep_folder(results: str) -> None:
    """Refuse, as one line, a folder that holds no sweep (no experiment.json), saying what to give."""
    from pathlib import Path

    from cop_sim.params import InputError

    path = Path(results)
    if path.exists() and not path.is_dir():
        raise InputError("RESULTS_DIR", results, "is a file, not a folder; give the folder a sweep wrote "
                         "(cop-sim sweep EXPERIMENT.toml --out DIR)")
    if not path.is_dir():
        raise InputError("RESULTS_DIR", results, "no such folder; give the folder a sweep wrote "
                         "(cop-sim sweep EXPERIMENT.toml --out DIR)")
    if not (path / "experiment.json").is_file():
        raise InputError("RESULTS_DIR", results, "holds no sweep's results (no experiment.json); give the "
                         "folder a sweep wrote (cop-sim sweep EXPERIMENT.toml --out DIR)")
