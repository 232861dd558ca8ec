"""One simulated study: a run of the model with the study's sites, arms and periods, then measured.

The model runs every site of a study in one run (one CoP per site); the intervention arm's CoPs
meet from week ``baseline_weeks`` on, the comparison arm's never. Each site's measure is then
sampled as an audit would: ``charts`` charts per site and period, each meeting the measure with
the site's true share (a binomial draw from the named stream ``evaluation.charts``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim import models, rng, scenario
from cop_sim.evaluation.design import QUARTER, STAND_IN, Plan
from cop_sim.experiment.seeds import run_seed
from cop_sim.params import Param, flatten, set_dotted

# Keys a study sets itself: never drawn from a prior.
OWN = ("weeks", "n_cops", "cops", "seed", "events", "cop.calendar")
# Site conditions recorded beside each site's measures, when the model version has them: the
# study's settings (dotted keys; every site of a study shares them, replicate studies differ) ...
STUDY_CONDITIONS = {
    "landscape_K": "world.K",
    "moderator_skill": "cop.moderator_skill",
    "turnover": "turnover.annual_rate",
    "time_pressure": "practice.caseload",
    "condition_prevalence": "patients.condition_prevalence",
    "social_need_prevalence": "patients.social_need_prevalence",
    "site_spread": "world.site_spread",
    "team_fragmentation": "team.fragmentation",
    "team_size": "team.size",
}
# ... and each site's own per-CoP series over the baseline quarter (patient mix shows in the
# encounters it asks for; team fragmentation, if the model reports it per CoP)
SITE_SERIES = ("encounters", "fragmentation", "team_fragmentation", "continuity")
# A continuous patient outcome is the mean over every patient of the site, not a chart sample.
CONTINUOUS = ("health",)


def prior_keys() -> dict[str, Param]:
    """Numeric parameters of the CoP model that carry a prior, minus those a study sets."""
    return {k: p for k, p in flatten(models.get("cop").spec).items()
            if p.prior is not None and p.type in (int, float) and not k.startswith(OWN)}


def prior_draw(seed: int, replicate: int) -> dict:
    """One draw of every prior parameter (uniform on each prior's quantile scale)."""
    gen = rng.stream(run_seed(seed, 0, replicate), "evaluation.prior")
    out = {}
    for key, p in prior_keys().items():
        x = float(p.prior.ppf(gen.random()))
        out[key] = int(np.floor(x + 0.5)) if p.type is int else x
    return out


def resolved_study(plan: Plan, params: dict | None = None) -> dict:
    """The resolved scenario of one simulated study (``params``: dotted parameter values)."""
    raw = scenario.read_toml(plan.scenario)
    raw.setdefault("name", plan.scenario.stem)
    raw["name"] = f"evaluation_{plan.evidence_id}"
    raw["weeks"] = plan.weeks
    raw["n_cops"] = plan.sites_intervention + plan.sites_comparison
    treated = {"calendar": {"every_weeks": plan.every_weeks, "start_week": plan.baseline_weeks,
                            "monthly": False, "weeks": []}}
    usual = {"calendar": {"every_weeks": 0, "monthly": False, "weeks": []}}
    if plan.null:  # the analysis's null: usual care in both arms
        treated = usual
    raw["cops"] = [treated] * plan.sites_intervention + [usual] * plan.sites_comparison
    if plan.package:  # the evidence file's change package: target_adherence measures it
        raw["change_package"] = {"name": plan.evidence_id,
                                 "targets": [{"topic": t, "practice": int(p)} for t, p in plan.package]}
    extra: dict = {}
    for key, value in (params or {}).items():
        set_dotted(extra, key, value)
    return scenario.resolve(raw, str(plan.scenario), extra, "parameter draw")


def measure_sites(plan: Plan, per_cop: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Per site and period (0 = baseline quarter, 1 = last quarter), the true and measured value."""
    # target_adherence is NaN when the scenario declares no [change_package] targets
    measured = plan.measure in per_cop and per_cop[plan.measure].notna().any()
    column = plan.measure if measured else STAND_IN
    names = list(dict.fromkeys(per_cop["cop"]))
    week = per_cop["week"].to_numpy()
    periods = {0: (week >= 0) & (week < plan.baseline_weeks),
               1: week >= plan.weeks - QUARTER}
    rows = []
    for period, mask in periods.items():
        true = per_cop[mask].groupby("cop", sort=False)[column].mean().reindex(names).to_numpy()
        rows.append(pd.DataFrame({"site": np.arange(len(names)), "period": period, "true": true}))
    frame = pd.concat(rows, ignore_index=True)
    frame["arm"] = (frame["site"] < plan.sites_intervention).astype(int)
    if plan.charts > 0 and plan.measure not in CONTINUOUS:
        gen = rng.stream(seed, "evaluation.charts")
        p = np.clip(np.nan_to_num(frame["true"].to_numpy(), nan=0.0), 0.0, 1.0)
        frame["measured"] = gen.binomial(plan.charts, p) / plan.charts
    else:
        frame["measured"] = frame["true"]
    frame["column"] = column
    return frame


def _dotted(tree: dict, key: str):
    for part in key.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def conditions(plan: Plan, resolved: dict, per_cop: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The site's conditions beside its measures (for "under which conditions"; whatever the model
    version gives): the study's settings (:data:`STUDY_CONDITIONS`), each site's per-CoP baseline
    series (:data:`SITE_SERIES`), and its baseline gap (1 - the true baseline measure)."""
    out = frame.copy()
    for name, key in STUDY_CONDITIONS.items():
        value = _dotted(resolved, key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[f"cond_{name}"] = float(value)
    names = list(dict.fromkeys(per_cop["cop"]))
    base = per_cop[(per_cop["week"] >= 0) & (per_cop["week"] < plan.baseline_weeks)]
    for column in SITE_SERIES:
        if column in per_cop:
            values = base.groupby("cop", sort=False)[column].mean().reindex(names).to_numpy(dtype=float)
            out[f"cond_{column}"] = values[out["site"].to_numpy()]
    baseline = out[out["period"] == 0].set_index("site")["true"]
    out["cond_baseline_gap"] = 1.0 - out["site"].map(baseline).to_numpy(dtype=float)
    return out


def study(plan: Plan, replicate: int, params: dict | None = None) -> pd.DataFrame:
    """Simulate and measure replicate ``replicate`` of the study (a pure function of its inputs)."""
    seed = run_seed(plan.seed, 0, replicate)
    resolved = resolved_study(plan, params)
    result = models.simulate(resolved, seed)
    frame = measure_sites(plan, result.meta["per_cop"], seed)
    frame = conditions(plan, resolved, result.meta["per_cop"], frame)
    frame.insert(0, "replicate", replicate)
    return frame
