"""An evaluation's files: site data and statistics (Parquet), verdict (JSON), a report and a figure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from cop_sim import __version__, provenance
from cop_sim.atomic import Plan, atomic_dir, write_json
from cop_sim.evaluation.design import STAND_IN
from cop_sim.evaluation.run import Evaluation, statistic

FILES = ("sites.parquet", "statistics.parquet", "evaluation.json", "evaluation.md", "site_effects.png")


def _fmt(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3g}"


def record(ev: Evaluation) -> dict:
    """The evaluation's summary document, stamped with version and commit."""
    p = ev.plan
    return {"evidence": ev.evidence.id, "use": ev.evidence.use, "draws": ev.draws,
            "measure": p.measure, "measure_used": ev.measure_used,
            "stand_in": ev.measure_used != p.measure,
            "design": {"sites_intervention": p.sites_intervention, "sites_comparison": p.sites_comparison,
                       "baseline_weeks": p.baseline_weeks, "study_weeks": p.study_weeks,
                       "charts": p.charts, "replicates": p.replicates, "seed": p.seed,
                       "reduced": p.reduced},
            "verdict": ev.judged, "version": __version__, "provenance": provenance.stamp()}


def markdown(ev: Evaluation) -> str:
    """A short report a reader can act on."""
    d, j, p = ev.evidence.data, ev.judged, ev.plan
    res = d["result"]
    lines = [f"# {d['title']}", "", f"- Source: {d['source']['citation']} (doi:{d['source']['doi']})",
             f"- Use: **{ev.evidence.use}**; parameters drawn from the **{ev.draws}**",
             f"- Simulated design: {p.sites_intervention} intervention and {p.sites_comparison} comparison "
             f"sites, a baseline quarter then {p.study_weeks} weeks; {p.charts or 'all'} charts per site "
             f"and period; {p.replicates} replicate studies (seed {p.seed})"]
    if p.reduced:
        lines.append(f"- Differs from the published design: {p.reduced}")
    if ev.measure_used != p.measure:
        lines.append(f"- Measure: the file names `{p.measure}`; this model version does not report it, "
                     f"so `{STAND_IN}` stands in. Treat the verdict as a test of the machinery, not of "
                     "the model.")
    level = int(100 * d["verdict"].get("predictive_level", 0.9))
    lines += ["", f"| statistic | published | predictive {level} % interval | median | verdict |",
              "|---|---|---|---|---|",
              f"| {res['statistic']} ({res['unit']}) | {_fmt(res['value'])} "
              f"| [{_fmt(j['lo'])}, {_fmt(j['hi'])}] | {_fmt(j['median'])} | **{j['verdict']}** |",
              "", f"Why: {j['why']}.", ""]
    s = ev.stats
    for key, label in (("pre_post_change", "intervention sites' mean change (pp)"),
                       ("did_estimate", "difference-in-differences (pp, cluster-robust)"),
                       ("share_sites_significant", "share of intervention sites with a significant gain")):
        if key in s:
            lines.append(f"- {label}: median {_fmt(float(np.nanmedian(s[key])))} over replicates")
    return "\n".join(lines) + "\n"


def figure(ev: Evaluation, path: Path) -> None:
    """Simulated site effects (histogram, all replicates) against the published value."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cop_sim.evaluation.analysis import site_changes

    changes = site_changes(ev.sites.assign(site=ev.sites["replicate"] * 100000 + ev.sites["site"]))
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.6))
    for arm, label, colour in ((1, "intervention sites", "tab:blue"), (0, "comparison sites", "tab:grey")):
        part = changes.loc[changes["arm"] == arm, "change"]
        if len(part):
            a.hist(part, bins=30, alpha=0.6, label=label, color=colour)
    a.axvline(0, color="black", lw=0.8)
    a.set_xlabel("site's change, baseline quarter to last quarter (pp; higher is better)")
    a.set_ylabel("sites (all replicate studies)")
    a.legend(frameon=False)
    values = statistic(ev.evidence, ev.stats)
    res = ev.evidence.data["result"]
    finite = values[np.isfinite(values)]
    if len(finite):
        b.hist(finite, bins=20, color="tab:blue", alpha=0.7, label="simulated studies")
    b.axvline(res["value"], color="tab:red", lw=2, label=f"published ({res['value']})")
    if np.isfinite(ev.judged.get("lo", np.nan)):
        b.axvspan(ev.judged["lo"], ev.judged["hi"], color="tab:blue", alpha=0.12, label="predictive interval")
    b.set_xlabel(f"{res['statistic']} ({res['unit']})")
    b.set_ylabel("replicate studies")
    b.legend(frameon=False, fontsize=8)
    fig.suptitle(f"{ev.evidence.id}: {ev.judged['verdict']} ({ev.draws} predictive)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(ev: Evaluation, out: str | Path, plan: Plan) -> Path:
    """Write every file of the evaluation into ``out`` (whole, or not at all)."""
    out = Path(out)
    with atomic_dir(out, plan) as tmp:
        ev.sites.to_parquet(tmp / "sites.parquet", index=False)
        ev.stats.to_parquet(tmp / "statistics.parquet", index=False)
        write_json(tmp / "evaluation.json", record(ev))
        (tmp / "evaluation.md").write_text(markdown(ev), encoding="utf-8")
        figure(ev, tmp / "site_effects.png")
    return out
