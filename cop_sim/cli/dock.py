"""``cop-sim dock``: the March (1991) reproduction drawn over the published Figure 1."""

from __future__ import annotations

import argparse
from pathlib import Path

from cop_sim.params import InputError
from cop_sim.scenario import check_seed

DEFAULT_OUT = Path("results/march1991_dock")
COP_OUT = Path("results/march1991_cop_dock")
COP_MODELS = ("cop",)  # the CoP model, docked through its own kernels


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``dock`` subcommand."""
    p = sub.add_parser(
        "dock", help="compare the March (1991) model with its published Figure 1",
        description="Dock cop_sim's March (1991) model with the published Figure 1: draw the "
                    "reproduction over the published points (docking.png), write the per-cell "
                    "differences (docking.csv) and print them. TARGET is a results folder of "
                    "'cop-sim sweep experiments/march1991_figure1.toml', or an experiment file to "
                    "run first (runs already on disk are reused); without TARGET the 27 cells are "
                    "simulated directly. With --model cop the 27 cells run through the CoP model "
                    "(scenarios/march1991_cop.toml: one CoP per organisation, its repository the "
                    "code), each judged within 0.05 of the figure. Exit status: 0 every cell within "
                    "tolerance, 1 some cell outside, 2 bad input.")
    p.add_argument("target", nargs="?", metavar="RESULTS_DIR or EXPERIMENT",
                   help="sweep results folder or experiment TOML (default: simulate directly)")
    p.add_argument("--model", choices=("march1991",) + COP_MODELS, default="march1991",
                   help="march1991 (default): the standalone March model; cop: the grid through the "
                        "CoP model's own mechanisms (one CoP per organisation, from --scenario)")
    p.add_argument("--scenario", help="with --model cop: the scenario every cell starts from "
                                      "(default scenarios/march1991_cop.toml)")
    p.add_argument("--iterations", type=int, default=None,
                   help="organisations per cell when simulating directly (default 1000; "
                        "with --model cop, CoPs per cell, default 200)")
    p.add_argument("--seed", type=int, default=1991, help="seed when simulating directly (default 1991)")
    p.add_argument("--workers", type=int, default=1, help="worker processes when running an experiment")
    p.add_argument("--out", help="folder for docking.png and docking.csv (default: the results "
                                 "folder, or results/march1991_dock)")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder beside its files, replacing none of them")
    p.set_defaults(func=main)


def _cop_cells(args: argparse.Namespace) -> tuple:
    from cop_sim.cop import dock

    if args.target is not None:
        raise InputError(str(args.target), "", "--model cop simulates directly; give no TARGET "
                         "(use --scenario for the starting scenario)")
    if args.iterations < 2:
        raise InputError("--iterations", "", f"got {args.iterations}; allowed: an integer >= 2")
    check_seed(args.seed)
    scenario = Path(args.scenario) if args.scenario else dock.SCENARIO
    if not scenario.is_file():
        raise InputError(str(scenario), "", "no such scenario file")
    label = (f"CoP model, {scenario.name}, {args.iterations} CoPs per cell, seed {args.seed}")
    return dock.reproduce(args.iterations, args.seed, scenario), COP_OUT, label


def _cells(args: argparse.Namespace) -> tuple:
    from cop_sim.march import docking

    if args.model in COP_MODELS:
        return _cop_cells(args)
    if args.scenario is not None:
        raise InputError("--scenario", "", "allowed only with --model cop")
    if args.target is None:
        if args.iterations < 2:
            raise InputError("--iterations", "", f"got {args.iterations}; allowed: an integer >= 2")
        check_seed(args.seed)
        label = f"simulated directly, {args.iterations} organisations per cell, seed {args.seed}"
        return docking.reproduce(args.iterations, args.seed), DEFAULT_OUT, label
    from cop_sim.experiment import read_summary, run_experiment

    target = Path(args.target)
    if target.is_file():
        if args.workers < 1:
            raise InputError("--workers", "", f"got {args.workers}; allowed: an integer >= 1")
        folder = run_experiment(target, workers=args.workers, resume=True, progress=False)
        label = f"experiment {target}"
    elif target.is_dir():
        folder, label = target, f"sweep results {target}"
    else:
        raise InputError(str(target), "", "no such results folder or experiment file")
    return docking.from_summary(read_summary(folder), str(folder)), folder, label


def _kind(out: Path) -> str:
    """A sweep's folder (the docking files are among what it owns), else a folder of the dock's own."""
    from cop_sim.atomic import read_marker

    marker = read_marker(out) if out.is_dir() else None
    return "sweep" if marker and marker.get("kind") == "sweep" else "dock"


def main(args: argparse.Namespace) -> int:
    """Obtain the cells, compare, draw, write and print."""
    from cop_sim import atomic, outdir
    from cop_sim.march import docking

    cop = args.model in COP_MODELS
    if args.iterations is None:
        args.iterations = 200 if cop else 1000
    default_out = COP_OUT if cop else DEFAULT_OUT
    early = Path(args.out) if args.out else default_out if args.target is None else None
    if early is not None:  # checked before simulating, so a bad folder costs nothing
        outdir.prepare(early, _kind(early), args.force, "--out" if args.out else None, outdir.DOCK_FILES)
    cells, folder, label = _cells(args)
    if cop:
        from cop_sim.cop import dock

        table = dock.judge(cells)
    else:
        table = docking.compare(cells)
    out = Path(args.out) if args.out else folder
    plan = outdir.prepare(out, _kind(out), args.force, "--out" if args.out else None, outdir.DOCK_FILES)
    with outdir.io_errors(out, "--out" if args.out else "results folder"):
        outdir.claim(out, plan)
        png = docking.plot(table, out / "docking.png",
                           f"cop_sim vs March (1991) Figure 1\n({label})")
        with atomic.atomic_path(out / "docking.csv", ".csv") as tmp:
            table.to_csv(tmp, index=False, float_format="%.4f")
        atomic.record(out, plan.kind, plan.owns, list(outdir.DOCK_FILES))
    print(f"March (1991) Figure 1 docking: {label}")
    print(docking.format_table(table))
    print(dock.verdict(table) if cop else docking.verdict(table))
    print(f"written: {png}, {out / 'docking.csv'}")
    return 0 if table["within"].all() else 1
