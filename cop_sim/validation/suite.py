"""Running the validation suite through the experiment runner, and writing its table and figure."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd

from cop_sim import outdir, provenance
from cop_sim.atomic import atomic_dir, atomic_path, record, write_json
from cop_sim.experiment import load_experiment, read_summary, run_experiment
from cop_sim.params import InputError
from cop_sim.validation.judge import judge, ok_runs
from cop_sim.validation.patterns import EXPERIMENTS, Pattern, load_library, select

QUICK_REPLICATIONS = 10
LABELS = {"calibration": "validation", "held_out": "held out"}


def run_pattern(pattern: Pattern, out: Path, quick: bool, workers: int | None, resume: bool,
                progress: bool, backend: str = "local", scheduler: str | None = None,
                force: bool = False) -> tuple[list[dict], int]:
    """Sweep one pattern's experiment and judge its checks; also return the failed runs."""
    spec = load_experiment(pattern.path)
    if quick:
        spec = dataclasses.replace(spec, replications=min(spec.replications, QUICK_REPLICATIONS))
    folder = out / ("quick" if quick else "full") / pattern.id
    plan = outdir.prepare(folder, "sweep", force, None, replace=not resume)
    others = outdir.strangers(folder) if not resume and plan.mode == "beside" else []
    if others:
        raise InputError(str(folder), "", f"holds '{others[0]}', which cop-sim did not write, so this "
                         "pattern cannot start clean; move it, or pass --resume to keep the runs there")
    if resume or plan.mode == "beside":
        run_experiment(spec, folder, workers=workers, backend=backend, resume=resume, progress=progress,
                       scheduler=scheduler, force=force)
    else:  # the model's defaults may have changed since: start clean, replacing the old folder whole
        with atomic_dir(folder, plan, marker=False) as tmp:
            run_experiment(spec, tmp, workers=workers, backend=backend, progress=progress,
                           scheduler=scheduler)
    summary = read_summary(folder)
    failed = len(summary) - len(ok_runs(summary))
    return [{"pattern": pattern.id, "finding": pattern.finding, "source": pattern.source,
             "use": pattern.use, "commit": pattern.commit(), "replications": spec.replications,
             **judge(summary, check)} for check in pattern.checks], failed


def robustness_by_pattern(out: Path, quick: bool = False) -> dict:
    """Share of the prior where each pattern holds and its label, from a robustness run's JSON
    (the full run's; a quick run's only when this table is quick too)."""
    path = out / "robustness.json"
    if not path.is_file() and quick:
        path = out / "robustness_quick.json"
    if not path.is_file():
        return {}
    return {p["pattern"]: p for p in json.loads(path.read_text()).get("patterns", [])}


def label(pattern_id: str, use: str, robust: dict) -> str:
    """validation | verification (built in) | held out."""
    if use == "held_out":
        return "held out"
    return robust.get(pattern_id, {}).get("label", LABELS[use])


def _fmt(x: float) -> str:
    return f"{x:+.4f}"


def _share(pattern_id: str, robust: dict) -> str:
    r = robust.get(pattern_id)
    return "not run" if r is None else f"{r['share']['holds']:.2f} (N = {r['draws']})"


def markdown(table: pd.DataFrame, quick: bool, robust: dict | None = None,
             stated: list[Pattern] | None = None) -> str:
    """The validation table as Markdown, one row per check; held-out patterns in their own part."""
    robust = robust or {}
    held = table.groupby("pattern")["holds"].all()
    lines = [f"# Validation ({'quick' if quick else 'full'} run)", "",
             f"{int(held.sum())} of {len(held)} patterns hold "
             f"({int(table['holds'].sum())} of {len(table)} checks) at the default parameters. A check "
             "holds when the 95 % interval of its paired effect clears the smallest effect that matters "
             "(the threshold) in the expected direction; it is contradicted when the interval lies wholly "
             "short of the threshold. The share of the prior comes from `cop-sim validate --robustness`.", ""]
    for title, uses in (("Patterns used to choose parameters", ("calibration",)),
                        ("Held-out patterns", ("held_out",))):
        part = table[table["use"].isin(uses)]
        if part.empty:
            continue
        lines += [f"## {title}", "",
                  "| pattern | source | contrast | threshold | effect [95 % CI] | reps | verdict "
                  "| share of prior where it holds | validation / verification / held out | commit |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in part.itertuples():
            lines.append(f"| {r.pattern} | {r.source} | {r.check} | {_fmt(r.threshold)} | {_fmt(r.effect)} "
                         f"[{_fmt(r.lo)}, {_fmt(r.hi)}] | {r.n} | "
                         f"{r.verdict if r.holds else '**' + r.verdict + '**'} | {_share(r.pattern, robust)} "
                         f"| {label(r.pattern, r.use, robust)} | {r.commit} |")
        lines.append("")
    if stated:
        lines += ["## Stated, not yet expressible in this model", ""]
        lines += [f"- **{p.id}** ({p.source}): {p.finding}. Needs {p.needs}. (commit {p.commit()})"
                  for p in stated]
        lines.append("")
    lines += ["Findings:", ""]
    lines += [f"- **{pid}** ({g['source'].iloc[0]}): {g['finding'].iloc[0]}."
              for pid, g in table.groupby("pattern", sort=False)]
    return "\n".join(lines) + "\n"


def forest_plot(table: pd.DataFrame, path: Path) -> None:
    """Each check's effect with its interval, scaled by its interval width so all fit one axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    half = ((table["hi"] - table["lo"]) / 2).where(lambda h: h > 0, 1.0)
    z = table["effect"] / half
    sign = table["expect"].map({"> 0": 1, "< 0": -1})
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(table) + 1.5))
    y = range(len(table))[::-1]
    colours = ["tab:green" if h else "tab:red" for h in table["holds"]]
    ax.errorbar(z * sign, list(y), xerr=1.0, fmt="o", ecolor=colours, mfc="white", color="black")
    ax.axvline(0, color="grey", lw=1)
    ax.set_yticks(list(y), [f"{p} {c}" for p, c in zip(table["pattern"], table["check"], strict=True)],
                  fontsize=7)
    ax.set_xlabel("effect in the expected direction, in units of its 95 % half-interval")
    ax.set_title("Validation: each pattern's contrasts (green: holds; right of 0 = expected side)")
    fig.tight_layout()
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)


def validate(quick: bool = False, out: str | Path = "results/validation", workers: int | None = None,
             only: list[str] | None = None, resume: bool = False, progress: bool = True,
             library: str | Path = EXPERIMENTS, backend: str = "local", scheduler: str | None = None,
             force: bool = False, option: str | None = "--out") -> tuple[pd.DataFrame, int]:
    """Run the patterns (all, or ``only``), write table, JSON and figure; return the table and the
    number of failed runs.

    ``out`` must be new, empty or cop-sim's validation folder; ``force`` writes beside other files.
    """
    out = Path(out)
    outdir.claim(out, outdir.prepare(out, "validation", force, option))
    patterns = load_library(library)
    chosen = select(patterns, only)
    rows, failed = [], 0
    for pattern in (p for p in chosen if p.runnable):
        more, bad = run_pattern(pattern, out, quick, workers, resume, progress, backend, scheduler, force)
        rows += more
        failed += bad
    table = pd.DataFrame(rows)
    stem = "validation_quick" if quick else "validation"
    stated = [p for p in chosen if not p.runnable]
    robust = robustness_by_pattern(out, quick)
    with atomic_path(out / f"{stem}.md", ".md") as tmp:
        tmp.write_text(markdown(table, quick, robust, stated))
    write_json(out / f"{stem}.json", {"quick": quick, "provenance": provenance.stamp(), "failed_runs": failed,
                                      "stated": [p.id for p in stated],
                                      "checks": json.loads(table.to_json(orient="records"))})
    forest_plot(table, out / f"{stem}.png")
    record(out, "validation", outdir.VALIDATION_OWNS, [f"{stem}.{ext}" for ext in ("md", "json", "png")])
    return table, failed
