"""``cop-sim calibrate``: ABC-SMC of a calibration file, or a parameter-recovery check of it."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from pathlib import Path

from cop_sim.params import InputError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``calibrate`` subcommand (pyabc is imported only when it runs)."""
    p = sub.add_parser(
        "calibrate", help="fit parameters to observed data by ABC-SMC (pyabc)",
        description="Calibrate a scenario's parameters to a CoP's data (experiments/calibration/*.toml), "
                    "or the CoP model to published results (experiments/evidence/calibration/*.toml), "
                    "and write results/NAME/ (posterior.parquet, manifest.json, calibration.md). "
                    "With --recovery M, check the calibration on M truths drawn from the prior. "
                    "Exit status: 0 done, 1 a simulation failed, 2 bad input.")
    p.add_argument("calibration", help="calibration TOML file (see experiments/calibration/)")
    p.add_argument("--out", help="results folder (default: results/<calibration name>, "
                                 "or results/<name>_recovery with --recovery)")
    p.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    p.add_argument("--backend", choices=("local", "dask", "slurm"), default="local",
                   help="local process pool (default), a Dask cluster, or SLURM via dask-jobqueue")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--resume", action="store_true",
                   help="continue a killed calibration in its folder (ends as if never interrupted)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder that is not a calibration's, beside its files "
                        "(replacing none of them)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--recovery", type=int, metavar="M",
                   help="parameter recovery: M truths from the prior, data simulated from each, "
                        "coverage of the 50 %% and 90 %% posterior intervals")
    p.add_argument("--reference", type=int, metavar="N",
                   help="with --recovery M: score the M truths on a reference table of N prior draws "
                        "(leave-one-out rejection ABC, one simulation a draw) instead of one ABC-SMC "
                        "per truth")
    p.add_argument("--generations", type=int, metavar="N",
                   help="stop after N generations (at most the file's abc.generations); with --resume, "
                        "finish a calibration with the generations it has already completed")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Validate everything, then calibrate (or check recovery) and print where the results are."""
    from cop_sim.calibration.spec import load

    if args.workers is not None and args.workers < 1:
        raise InputError("--workers", "", f"got {args.workers}; allowed: an integer >= 1")
    if args.recovery is not None and not 1 <= args.recovery <= 10000:
        raise InputError("--recovery", "", f"got {args.recovery}; allowed: an integer in [1, 10000]")
    if args.generations is not None and args.recovery is not None:
        raise InputError("--generations", "", "applies to a calibration, not to --recovery")
    if args.reference is not None and args.recovery is None:
        raise InputError("--reference", "", "needs --recovery M (the truths it scores)")
    if args.reference is not None and not args.recovery <= args.reference <= 100000:
        raise InputError("--reference", "", f"got {args.reference}; allowed: an integer in "
                         f"[--recovery M = {args.recovery}, 100000]")
    from cop_sim.evaluation import calibrate as evidence

    # An evidence calibration ([calibration] evidence = [...]) fits to published results.
    is_evidence = evidence.is_evidence(args.calibration)
    cal = evidence.load(args.calibration) if is_evidence else load(args.calibration)
    option = "--out" if args.out else None
    opts = dict(workers=args.workers, backend=args.backend, scheduler=args.scheduler,
                progress=not args.no_progress, force=args.force, option=option)
    if args.recovery is not None:
        from cop_sim.calibration import recovery, reference

        out = Path(args.out or Path("results") / f"{cal.name}_recovery")
        with _io_errors(out, option):
            if args.reference is None:
                result = recovery.recover(cal, args.recovery, out, resume=args.resume, **opts)
            else:
                result = reference.recover(cal, args.recovery, args.reference, out, resume=args.resume,
                                           **opts)
        print(result["table"])
        print(f"{out}: recovery of {args.recovery} truths in {result['seconds']:.1f} s; "
              f"report in {out / 'recovery.md'}")
        return 0
    from cop_sim.calibration.run import calibrate
    from cop_sim.calibration.sampler import CandidateError

    out = Path(args.out or Path("results") / cal.name)
    try:
        with _io_errors(out, option):
            manifest = calibrate(cal, out, resume=args.resume, stop_after=args.generations, **opts)
    except CandidateError as exc:
        print(f"cop-sim: calibration stopped: {exc}")
        return 1
    gens = manifest["generations"]
    last = gens[-1]
    print(f"{out}: {len(gens)} generations, {manifest['simulations']} simulations in "
          f"{manifest['this_invocation']['seconds']:.1f} s on {manifest['backend']} with "
          f"{manifest['workers']} workers; final tolerance {last['epsilon']:.4g}, ESS {last['ess']:.0f}")
    print(f"posterior in {out / 'posterior.parquet'}, report in {out / 'calibration.md'}")
    from cop_sim.calibration.identify import text

    print(text(manifest["next_steps"]))
    return 0


@contextlib.contextmanager
def _io_errors(out: Path, option: str | None) -> Iterator[None]:
    """Writing the results failed (a full disk, a database that cannot be written): one line, exit 1."""
    import sqlite3

    from sqlalchemy.exc import SQLAlchemyError

    from cop_sim.outdir import OutputError, io_errors

    with io_errors(out, option or "results folder"):
        try:
            yield
        except (sqlite3.Error, SQLAlchemyError) as exc:
            why = str(getattr(exc, "orig", None) or exc).splitlines()[0]
            raise OutputError(f"{option or 'results folder'}: '{out}': could not write the calibration's "
                              f"database ({why}); finished generations are kept") from exc
