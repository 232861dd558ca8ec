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
from cop_sim.validation.judge import judge
from cop_sim.validation.patterns import PATTERNS, Pattern

QUICK_REPLICATIONS = 10


def run_pattern(pattern: Pattern, out: Path, quick: bool, workers: int | None, resume: bool,
                progress: bool, force: bool = False) -> list[dict]:
    """Sweep one pattern's experiment and judge its checks."""
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
        run_experiment(spec, folder, workers=workers, resume=resume, progress=progress, force=force)
    else:  # the model's defaults may have changed since: start clean, replacing the old folder whole
        with atomic_dir(folder, plan, marker=False) as tmp:
            run_experiment(spec, tmp, workers=workers, progress=progress)
    summary = read_summary(folder)
    return [{"pattern": pattern.id, "finding": pattern.finding, "source": pattern.source,
             "replications": spec.replications, **judge(summary, check)} for check in pattern.checks]


def _fmt(x: float) -> str:
    return f"{x:+.4f}"


def markdown(table: pd.DataFrame, quick: bool) -> str:
    """The validation table as Markdown, one row per check."""
    held = table.groupby("pattern")["holds"].all()
    lines = [f"# Validation ({'quick' if quick else 'full'} run)", "",
             f"{int(held.sum())} of {len(held)} patterns hold "
             f"({int(table['holds'].sum())} of {len(table)} checks). A check holds when the 95 % "
             "interval of its paired effect lies on the expected side of zero.", "",
             "| pattern | source | contrast | expected | effect [95 % CI] | reps | holds |",
             "|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.pattern} | {r.source} | {r.check} | {r.expect} | {_fmt(r.effect)} "
                     f"[{_fmt(r.lo)}, {_fmt(r.hi)}] | {r.n} | {'yes' if r.holds else '**no**'} |")
    lines += ["", "Findings:", ""]
    lines += [f"- **{p.id}** ({p.source}): {p.finding}." for p in PATTERNS if p.id in set(table["pattern"])]
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
             force: bool = False, option: str | None = "--out") -> pd.DataFrame:
    """Run the patterns (all, or ``only``), write table, JSON and figure; return the table.

    ``out`` must be new, empty or cop-sim's validation folder; ``force`` writes beside other files.
    """
    out = Path(out)
    outdir.claim(out, outdir.prepare(out, "validation", force, option))
    chosen = [p for p in PATTERNS if not only or p.id in only]
    rows = []
    for pattern in chosen:
        rows += run_pattern(pattern, out, quick, workers, resume, progress, force)
    table = pd.DataFrame(rows)
    stem = "validation_quick" if quick else "validation"
    with atomic_path(out / f"{stem}.md", ".md") as tmp:
        tmp.write_text(markdown(table, quick))
    write_json(out / f"{stem}.json", {"quick": quick, "provenance": provenance.stamp(),
                                      "checks": json.loads(table.to_json(orient="records"))})
    forest_plot(table, out / f"{stem}.png")
    record(out, "validation", outdir.VALIDATION_OWNS, [f"{stem}.{ext}" for ext in ("md", "json", "png")])
    return table
