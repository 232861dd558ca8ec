"""``cop-sim compare``: two scenarios (or one and ``--set`` changes) on the same seeds, and their difference.

Both arms run on the same N seeds (common random numbers), so each week's difference B - A is
paired by seed and its interval is a paired t interval (:mod:`cop_sim.report.compare`). The
seeds derive from a master seed as a sweep's replications do (:func:`run_seed`), so a comparison
is reproducible bit for bit and the same whatever ``--workers``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim import memory, models, outdir, provenance, scenario
from cop_sim.outdir import OutputError
from cop_sim.params import InputError
from cop_sim.result import RunResult

# The outcomes compared: the pooled series' main ones, or one CoP's from the per-CoP table.
MAIN = ("care_quality", "optimal_practice_share", "health", "belief_error", "patient_included_share",
        "trust_density", "waiting_weeks")
MAIN_COP = ("care_quality", "optimal_practice_share", "health", "goals_met", "patient_included_share",
            "belief_error", "attendance")
MAX_SEEDS = 10_000
LEVEL_TEXT = "95 % paired t"
TOOL = "cop-sim compare"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``compare`` subcommand."""
    p = sub.add_parser("compare", help="run two scenarios on the same seeds and write their difference",
                       description="Run scenario A and scenario B (or A with --set changes) on the same "
                                   "seeds and write the per-week difference B - A of the main outcomes "
                                   "with 95 % paired t intervals: compare.parquet, compare.md (last-quarter "
                                   "differences, and which way is better), compare.png.")
    p.add_argument("a", metavar="A.toml", help="the reference scenario")
    p.add_argument("b", metavar="B.toml", nargs="?", help="the scenario compared with it (or use --set)")
    p.add_argument("--set", dest="pairs", action="append", default=[], metavar="KEY=VALUE",
                   help="B is A with this change (instead of B.toml); repeatable")
    p.add_argument("--seeds", type=int, default=10, help="paired seeds, the same in both arms (default 10)")
    p.add_argument("--seed", type=int, help="master seed the paired seeds derive from (default: A's 'seed')")
    p.add_argument("--weeks", type=int, help="horizon of both arms (default: the scenarios' 'weeks')")
    p.add_argument("--cop", metavar="NAME", help="compare this CoP's own outcomes (the per-CoP table)")
    p.add_argument("--workers", type=int, default=1, help="processes running the seeds (default 1)")
    p.add_argument("--out", help="output folder (default: results/compare_<A>_<B>); a previous "
                                 "comparison's folder is replaced, any other non-empty folder refused")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty folder beside its files, replacing none of them")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=main)


def _count(value: int, option: str, lo: int, hi: int, why: str) -> int:
    if not lo <= value <= hi:
        raise InputError(option, "", f"got {value}; allowed: a whole number in [{lo}, {hi}]{why}")
    return value


def arms(args: argparse.Namespace) -> tuple[dict, dict, str]:
    """The two resolved scenarios and how B was given (its path, or A with the --set changes)."""
    if args.b and args.pairs:
        raise InputError("--set", "", "give either B.toml or --set changes to A, not both")
    if not args.b and not args.pairs:
        raise InputError(TOOL, "B.toml", "missing; give a second scenario, or --set KEY=VALUE changes to A")
    options = {"weeks": args.weeks} if args.weeks is not None else {}
    a = scenario.load(args.a, options=options)
    if args.b:
        b, how = scenario.load(args.b, options=options), f"`{args.b}`"
    else:
        b = scenario.renamed(scenario.load(args.a, args.pairs, options=options),
                             f"{a['name']} with {', '.join(args.pairs)}")
        how = f"`{args.a}` with " + ", ".join(f"`--set {p}`" for p in args.pairs)
    source = args.b or "--set"
    if a.get("model", "cop") != b.get("model", "cop"):
        raise InputError(source, "model", f"is '{b.get('model', 'cop')}' but A's is "
                         f"'{a.get('model', 'cop')}'; allowed: two scenarios of the same model")
    if a.get("weeks") != b.get("weeks"):
        raise InputError(source, "weeks", f"is {b.get('weeks')} but A's is {a.get('weeks')}; allowed: the "
                         "same horizon (or give --weeks for both)")
    return a, b, how


def main(args: argparse.Namespace) -> int:
    """Check everything, run both arms on the same seeds, write and summarise the difference."""
    from cop_sim.experiment.seeds import run_seed
    from cop_sim.plot_rules import event_weeks
    from cop_sim.report import compare as report

    n = _count(args.seeds, "--seeds", 2, MAX_SEEDS, " (an interval needs two seeds)")
    workers = _count(args.workers, "--workers", 1, 256, "")
    if args.seed is not None:
        scenario.check_seed(args.seed)
    a, b, how = arms(args)
    master = a["seed"] if args.seed is None else args.seed
    default = re.sub(r"[^A-Za-z0-9._-]+", "_", f"compare_{a['name']}_{b['name']}")  # a plain folder name
    out = Path(args.out or Path("results") / default)
    plan = outdir.prepare(out, "compare", args.force, "--out" if args.out else None, outdir.COMPARE_FILES,
                          replace=True)
    for resolved, path in ((a, args.a), (b, args.b or args.a)):
        memory.check(resolved, path, workers)
    seeds = [run_seed(master, 0, r) for r in range(n)]
    runs = _run_all(a, b, seeds, args.cop, workers, not args.no_progress)
    arm_a, arm_b = (_arm(resolved, runs[k::2]) for k, resolved in enumerate((a, b)))
    outcomes = list(arm_a.values)
    weekly = report.weekly(arm_a, arm_b, outcomes)
    quarter = report.last_quarter(arm_a, arm_b, outcomes)
    stamp = provenance.stamp()
    what = f"CoP {args.cop}'s own outcomes (per-CoP table)" if args.cop else "pooled over all CoPs"
    title = f"{'CoP ' + args.cop + ': ' if args.cop else ''}A = {a['name']}, B = {b['name']}; " \
            f"{n} paired seeds, {LEVEL_TEXT} intervals; ticks: meetings, dashed: events"
    header = [f"# Comparison: {a['name']} (A) and {b['name']} (B)", "",
              f"- A: `{args.a}` (scenario `{a['name']}`)", f"- B: {how}",
              f"- Outcomes: {what}; horizon {a['weeks']} weeks",
              f"- Events: A at weeks {event_weeks(a) or 'none'}, B at weeks {event_weeks(b) or 'none'}",
              f"- Seeds: {n}, the same in both arms, derived from master seed {master} "
              f"(`cop-sim compare ... --seed {master} --seeds {n}` reproduces them)",
              f"- Made by cop_sim {stamp['cop_sim_version']}, git {str(stamp['git_commit'])[:10]}"
              f"{' (dirty)' if stamp['git_dirty'] else ''}, {stamp['created']}"]
    record = {"a": {"path": args.a, "name": a["name"], "scenario_sha256": scenario.content_hash(a)},
              "b": {"path": args.b, "set": args.pairs, "name": b["name"],
                    "scenario_sha256": scenario.content_hash(b)},
              "cop": args.cop, "weeks": a["weeks"], "master_seed": master, "seeds": seeds,
              "outcomes": outcomes, "last_quarter": quarter.to_dict(orient="records"), "provenance": stamp}
    with outdir.io_errors(out, "--out" if args.out else "results folder"), _atomic(out, plan) as tmp:
        _parquet(weekly, tmp / "compare.parquet", record)
        _parquet(_runs_table(arm_a, arm_b, seeds), tmp / "runs.parquet", record)
        (tmp / "compare.json").write_text(json.dumps(record, indent=2, default=str) + "\n")
        (tmp / "compare.md").write_text(report.markdown(quarter, arm_a, arm_b, header, n), encoding="utf-8")
        report.figure(weekly, arm_a, arm_b, outcomes, tmp / "compare.png", title)
    print(f"A = {a['name']}, B = {b['name']} · {n} paired seeds · {what}")
    for r in quarter.itertuples(index=False):
        print(f"  {r.outcome:<24} B - A {report._num(r.diff, True):>10} "
              f"[{report._num(r.diff_lo, True)}, {report._num(r.diff_hi, True)}]  {r.verdict}")
    print(f"results written to {out}/ (compare.md, compare.parquet, compare.png, runs.parquet, compare.json)")
    return 0


def _atomic(out: Path, plan: outdir.Plan):
    from cop_sim.atomic import atomic_dir

    return atomic_dir(out, plan)


def _parquet(frame: pd.DataFrame, path: Path, record: dict) -> None:
    """A table with the comparison's record (arms, seeds, provenance) in its schema metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = {**(table.schema.metadata or {}), b"cop_sim": json.dumps(record, default=str).encode()}
    pq.write_table(table.replace_schema_metadata(meta), path)


def _outcomes(result: RunResult, cop: str | None) -> list[str]:
    if cop is not None:
        return [c for c in MAIN_COP if c in result.meta["per_cop"].columns]
    cols = result.series_columns()
    chosen = [c for c in MAIN if c in cols]
    if chosen:
        return chosen
    time_col = next(iter(cols))
    return [c for c in cols if c != time_col and np.issubdtype(np.asarray(cols[c]).dtype, np.number)][:6]


def one_run(resolved: dict, seed: int, cop: str | None, outcomes: list[str] | None = None) -> dict:
    """One run's weeks, outcomes and meeting weeks (pooled, or CoP ``cop``'s); a pure function."""
    result = models.simulate(resolved, seed)
    if cop is not None:
        table = result.meta.get("per_cop")
        if table is None:
            raise InputError("--cop", cop, f"model '{resolved.get('model', 'cop')}' has no per-CoP table; "
                             "compare without --cop")
        names = list(dict.fromkeys(table["cop"].astype(str)))
        if cop not in names:
            raise InputError("--cop", cop, f"no such CoP in '{resolved['name']}'; allowed: "
                             f"{', '.join(names)}")
        rows = table[table["cop"].astype(str) == cop]
        weeks = rows["week"].to_numpy()
        meetings = weeks[rows["attendance"].notna().to_numpy()] if "attendance" in rows else weeks[:0]
        cols = {c: rows[c].to_numpy(dtype=float) for c in rows.columns if c != "cop"}
    else:
        cols = result.series_columns()
        time_col = next(iter(cols))
        weeks = np.asarray(cols[time_col])
        held = np.asarray(cols["meetings"]) > 0 if "meetings" in cols else np.zeros(len(weeks), bool)
        meetings = weeks[held]
    outcomes = outcomes or _outcomes(result, cop)
    return {"weeks": weeks.astype(np.int64), "meetings": sorted(int(w) for w in meetings),
            "values": {o: np.asarray(cols[o], dtype=float) for o in outcomes}}


def _batch(ctx: dict, batch: list[tuple[int, str, int]]) -> list[tuple[int, dict]]:
    """A worker's share: each (index, arm, seed) run of ``batch`` with its index."""
    return [(i, one_run(ctx[arm], seed, ctx["cop"], ctx["outcomes"])) for i, arm, seed in batch]


def _lost(batch: list, why: str) -> list:
    raise OutputError(f"cop-sim compare: a worker process died ({why}); no results were written")


def _run_all(a: dict, b: dict, seeds: list[int], cop: str | None, workers: int, progress: bool) -> list[dict]:
    """Every run, in the order A(seed 0), B(seed 0), A(seed 1), ...; the first two checked first."""
    from tqdm import tqdm

    bar = tqdm(total=2 * len(seeds), desc="compare", unit="run", disable=None if progress else True)
    first = [one_run(a, seeds[0], cop)]  # a bad --cop is refused here, before the other runs
    outcomes = list(first[0]["values"])
    first.append(one_run(b, seeds[0], cop, outcomes))
    bar.update(2)
    jobs = [(2 + 2 * k + j, arm, s) for k, s in enumerate(seeds[1:]) for j, arm in enumerate("ab")]
    ctx = {"a": a, "b": b, "cop": cop, "outcomes": outcomes}
    rest: dict[int, dict] = {}
    if workers == 1 or not jobs:
        for i, r in _batch(ctx, jobs):
            rest[i] = r
            bar.update(1)
    else:
        from cop_sim.experiment.backends import run_pool

        size = max(1, len(jobs) // (4 * workers))
        batches = [jobs[k:k + size] for k in range(0, len(jobs), size)]
        preload = ["cop_sim.cli.compare", *models.get(a.get("model", "cop")).preload]
        stream = run_pool(_batch, ctx, batches, workers, _lost, preload)
        for _, results in stream:
            for i, r in results:
                rest[i] = r
            bar.update(len(results))
    bar.close()
    return first + [rest[i] for i in sorted(rest)]


def _arm(resolved: dict, runs: list[dict]):
    """An arm from its runs (one per seed, in seed order)."""
    from cop_sim.plot_rules import event_weeks
    from cop_sim.report.compare import Arm

    weeks = runs[0]["weeks"]
    values = {o: np.vstack([r["values"][o] for r in runs]) for o in runs[0]["values"]}
    meetings = sorted({w for r in runs for w in r["meetings"]})
    return Arm(resolved["name"], weeks, values, meetings, event_weeks(resolved))


def _runs_table(a, b, seeds: list[int]) -> pd.DataFrame:
    """Each run's series: one row per arm, seed and week."""
    frames = []
    for tag, arm in (("A", a), ("B", b)):
        for i, seed in enumerate(seeds):
            frames.append(pd.DataFrame({"arm": tag, "seed": seed, "week": arm.weeks,
                                        **{o: v[i] for o, v in arm.values.items()}}))
    return pd.concat(frames, ignore_index=True)
