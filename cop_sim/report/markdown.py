"""``report.md`` of a sweep: tables of per-point statistics, contrasts, sensitivity, figures."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pandas as pd

from cop_sim.atomic import atomic_path
from cop_sim.experiment import store
from cop_sim.experiment.design import build_design
from cop_sim.experiment.spec import Experiment
from cop_sim.plot_rules import event_weeks
from cop_sim.report import figures
from cop_sim.report.posterior import posterior_contrast
from cop_sim.report.stats import LEVEL, contrast, point_table, sensitivity

MAX_OUTCOMES = 6


def _fmt(x) -> str:
    if isinstance(x, float):
        return "–" if math.isnan(x) else f"{x:.4g}"
    return str(x)


def _table(frame: pd.DataFrame) -> list[str]:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ("| " + " | ".join(_fmt(v) for v in row) + " |" for row in frame.itertuples(index=False))
    return [head, rule, *body]


def _condition(row: pd.Series | dict, factors: list[str]) -> str:
    return ", ".join(f"{f.rsplit('.', 1)[-1]}={row[f]}" for f in factors)


def _outcomes(spec: Experiment, summary: pd.DataFrame) -> list[str]:
    if spec.outcomes:
        return [o for o in spec.outcomes if o in summary.columns]
    skip = {*store.ID_COLUMNS, "error", *(f.key for f in spec.factors)}
    return [c for c in summary.columns if c not in skip and pd.api.types.is_numeric_dtype(summary[c])][
        :MAX_OUTCOMES]


def _contrasts(summary: pd.DataFrame, spec: Experiment, outcome: str) -> list[dict]:
    """Every non-baseline level against the baseline: averaged over, then within, the other factors."""
    rows = []
    for f in spec.factors:
        others = [g for g in spec.factors if g is not f]
        for level in (v for v in f.levels if v != f.baseline):
            c = contrast(summary, f.key, outcome, f.baseline, level)
            rows.append(c | {"name": f"{f.key}: {f.baseline} → {level}", "within": "all"})
            for combo in itertools.product(*(g.levels for g in others)) if others else ():
                mask = pd.Series(True, index=summary.index)
                for g, v in zip(others, combo, strict=True):
                    mask &= summary[g.key] == v
                within = ", ".join(f"{g.key.rsplit('.', 1)[-1]}={v}"
                                   for g, v in zip(others, combo, strict=True))
                c = contrast(summary[mask], f.key, outcome, f.baseline, level)
                rows.append(c | {"name": f"{f.key}: {f.baseline} → {level} where {within}", "within": within})
    return rows


def _posterior_lines(summary: pd.DataFrame, spec: Experiment, outcome: str) -> list[str]:
    """Each level against the baseline over the draws, with the parameter and stochastic shares."""
    rows = []
    for f in spec.factors:
        for level in (v for v in f.levels if v != f.baseline):
            c = posterior_contrast(summary, f.key, outcome, f.baseline, level)
            rows.append({"contrast": f"{f.key}: {f.baseline} → {level}", "effect": c["effect"],
                         "95% lo": c["lo"], "95% hi": c["hi"], "draws": c["draws"],
                         "reps": c["replications"], "parameter share": c["share_parameter"],
                         "stochastic share": c["share_stochastic"]})
    if not rows:
        return []
    return ["### Contrasts over the parameter draws", "",
            "Paired within (draw, replication). The interval is the 2.5-97.5 percentiles of the draws' mean "
            "effects, so it carries parameter and stochastic uncertainty together; the shares split the "
            "variance of a draw's mean effect (parameter share: between-draw variance minus the within-draw "
            "variance over the replications).", "", *_table(pd.DataFrame(rows)), ""]


def write_report(results_dir: str | Path) -> Path:
    """Write ``report.md`` and its PNG figures into ``results_dir``; return the report's path."""
    results = Path(results_dir)
    spec = store.read_experiment(results)
    summary = store.read_summary(results)
    manifest_path = results / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    units = store.units(results)
    fig_dir = results / "figures"
    fig_dir.mkdir(exist_ok=True)
    factors = [f.key for f in spec.factors]
    outcomes = _outcomes(spec, summary)
    failed = summary[summary["error"].notna()] if len(summary) else summary
    counts = manifest.get("counts", {})
    lines = [f"# Sweep report: {spec.name}", "", spec.description or "", "",
             f"- Scenario: `{spec.scenario_path}` (model `{spec.model}`), horizon "
             f"{spec.weeks or 'from the scenario'} weeks",
             f"- Design: {spec.method}, {summary['point'].nunique() if len(summary) else 0} design points "
             f"× {spec.replications} replications; master seed {spec.master_seed}; "
             f"common random numbers: {'yes (contrasts are paired)' if spec.crn else 'no'}",
             "- Factors: " + "; ".join(
                 f"`{f.key}` levels {list(f.levels)} (baseline {f.baseline})" if spec.method == "grid"
                 else f"`{f.key}` in [{f.lo}, {f.hi}]" for f in spec.factors),
             f"- Runs: {len(summary) - len(failed)} succeeded, {len(failed)} failed, "
             f"{counts.get('missing', '?')} missing",
             f"- Made by cop_sim {manifest.get('cop_sim_version', '?')}, git "
             f"{str(manifest.get('git_commit'))[:10]}{' (dirty)' if manifest.get('git_dirty') else ''}, "
             f"finished {manifest.get('finished', '?')}",
             "", f"Intervals are {LEVEL:.0%} Student-t intervals across replications.", ""]
    crossed = bool(spec.draws)
    if crossed and len(summary):
        # one table row per arm (over every draw), and the draws said where they came from
        arms = build_design(spec).arms
        summary = summary.assign(point=summary["point"] % arms)
        origin = spec.draw_origin
        lines += [f"Crossed with {len(spec.draws)} parameter draws ({origin.get('kind', '?')}"
                  f"{', from ' + str(origin['source']) if origin.get('source') else ''}); the arms of one "
                  "(draw, replication) share a seed.", ""]
    ts = None
    if spec.method == "grid" and len(summary) and not crossed:
        ts = store.read_timeseries(results, columns=[*outcomes, "meetings"])  # meetings: marked weeks
    conditions = {}
    if len(summary):
        first = summary.drop_duplicates("point").set_index("point")
        conditions = {p: _condition(row, factors) or "base scenario" for p, row in first.iterrows()}
    for k, outcome in enumerate(outcomes):
        lines += [f"## {outcome}", "", f"Unit: {figures.label(outcome, units)}", ""]
        table = point_table(summary, outcome)
        shown = table.drop(columns=["point"]).rename(columns={"lo": "95% CI lo", "hi": "95% CI hi"})
        lines += ["### Per design point", "", *_table(shown.head(60)), ""]
        if len(table) > 60:
            lines += [f"({len(table) - 60} more points in summary.parquet)", ""]
        if crossed and spec.method == "grid":
            lines += _posterior_lines(summary, spec, outcome)
        elif spec.method == "grid" and spec.factors:
            rows = _contrasts(summary, spec, outcome)
            kind = "paired differences, common random numbers" if spec.crn else "Welch two-sample"
            shown = pd.DataFrame([{"contrast": r["name"], "effect": r["effect"], "95% CI lo": r["lo"],
                                   "95% CI hi": r["hi"], "n": r["n"]} for r in rows])
            lines += [f"### Contrasts against the baseline ({kind})", "", *_table(shown), ""]
            path = fig_dir / f"contrasts_{k}_{outcome}.png"
            figures.forest(rows, outcome, units, path,
                           f"{spec.name}: effects on {outcome} against the baseline")
            lines += [f"![contrasts on {outcome}](figures/{path.name})", ""]
            if len(spec.factors) == 2:
                a, b = spec.factors
                path = fig_dir / f"heatmap_{k}_{outcome}.png"
                figures.heatmap(table, a.key, b.key, outcome, units, path,
                                f"{spec.name}: mean {outcome} by {a.key} and {b.key}")
                lines += ["### Heat map", "", f"![heat map of {outcome}](figures/{path.name})", ""]
        if ts is not None and outcome in ts.columns:
            path = fig_dir / f"curves_{k}_{outcome}.png"
            figures.learning_curves(ts, conditions, outcome, units, path,
                                    f"{spec.name}: {outcome} over time by condition",
                                    events=event_weeks(spec.scenario_raw))
            lines += ["### Learning curves", "", f"![learning curves of {outcome}](figures/{path.name})", ""]
        if spec.method != "grid" and not crossed:
            try:
                name, idx = sensitivity(results, outcome)
            except ValueError as exc:
                lines += ["### Sensitivity", "", f"Not computed: {exc}.", ""]
            else:
                path = fig_dir / f"indices_{k}_{outcome}.png"
                figures.indices(idx, name, outcome, units, path, f"{spec.name}: {name} for {outcome}")
                lines += [f"### Sensitivity: {name}", "",
                          "Computed on per-point means over replications; `_conf` columns are "
                          f"{LEVEL:.0%} interval half-widths (bootstrap).", "", *_table(idx), "",
                          f"![indices for {outcome}](figures/{path.name})", ""]
    if len(failed):
        lines += ["## Failed runs", "", "Replay one with `cop-sim run --replay RUN_ID --results "
                  f"{results}`.", "", *_table(failed[["run_id", "seed", "error"]].head(50)), ""]
    target = results / "report.md"
    with atomic_path(target, ".md") as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
