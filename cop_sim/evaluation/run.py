"""Replicate simulated studies of one evidence file and judge the prediction.

Each replicate study draws the model's parameters: from the priors (the prior predictive), or a
posterior particle by weight with every parameter the posterior lacks still drawn from its prior,
so a prediction integrates over what the calibration did not identify.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from tqdm import tqdm

from cop_sim.evaluation import analysis, simulate, verdict
from cop_sim.evaluation.design import Plan
from cop_sim.evaluation.library import Evidence
from cop_sim.evaluation.observation import STATISTICS
from cop_sim.experiment.seeds import run_seed

DRAWS = ("prior", "posterior", "defaults")


@dataclass
class Evaluation:
    """What an evaluation returns: site data, per-replicate statistics and the verdict."""

    evidence: Evidence
    plan: Plan
    draws: str
    sites: pd.DataFrame
    stats: pd.DataFrame
    judged: dict
    measure_used: str


def posterior_sampler(path: str | Path, seed: int):
    """``draw(replicate)``: a posterior particle picked by weight (checked as ``sweep --posterior``)."""
    from cop_sim.experiment.crossed import read_posterior

    weights, cols = read_posterior(path, SimpleNamespace(model="cop", path=str(path)))

    def draw(replicate: int) -> dict:
        gen = np.random.default_rng(run_seed(seed, 1, replicate))
        i = int(gen.choice(len(weights), p=weights))
        return {k: (v[i].item() if hasattr(v[i], "item") else v[i]) for k, v in cols.items()}

    return draw


def _params(draws: str, replicate: int, seed: int, posterior) -> dict:
    if draws == "defaults":
        return {}
    params = simulate.prior_draw(seed, replicate)
    if draws == "posterior":
        params.update(posterior(replicate))
    return params


def statistic(evidence: Evidence, stats: pd.DataFrame) -> np.ndarray:
    """The published statistic's simulated value in each replicate (NaN where not expressible)."""
    name = evidence.data["result"]["statistic"]
    if name in stats:
        return stats[name].to_numpy(dtype=float)
    return np.full(len(stats), np.nan)


def evaluate(evidence: Evidence, plan: Plan, draws: str = "prior", posterior: str | Path | None = None,
             progress: bool = True) -> Evaluation:
    """Run ``plan.replicates`` simulated studies of ``evidence`` and judge the prediction."""
    if evidence.data["result"]["statistic"] not in STATISTICS and plan.replicates > 1:
        # The analysis gives no value of this statistic: one study shows the site effects, more would
        # only cost time (EvidenceNOW's count of significant measures: 1,966 sites a study).
        why = "one replicate study: this model version's analysis gives no value of the statistic"
        plan = replace(plan, replicates=1, reduced=f"{plan.reduced}; {why}" if plan.reduced else why)
    sampler = posterior_sampler(posterior, plan.seed) if draws == "posterior" else None
    studies = evidence.data["design"].get("studies", 1) if plan.kind == "share_of_studies" else 1
    site_frames, rows = [], []
    for r in tqdm(range(plan.replicates), desc=evidence.id, unit="study", disable=not progress):
        inner = []
        for s in range(studies):  # a share of studies: each study its own draw and seed
            k = r * studies + s
            params = _params(draws, k, plan.seed, sampler)
            frame = simulate.study(plan, k, params)
            frame["replicate"] = r
            frame["study"] = s
            site_frames.append(frame)
            inner.append({**analysis.analyse(frame, plan.charts), **params})
        row = pd.DataFrame(inner).mean(numeric_only=True).to_dict() if studies > 1 else inner[0]
        if studies > 1:
            row["share_improved"] = float(np.mean([x.get("did_significant", np.nan) for x in inner]))
        row["replicate"] = r
        rows.append(row)
    stats = pd.DataFrame(rows)
    sites = pd.concat(site_frames, ignore_index=True)
    judged = verdict.judge(evidence, statistic(evidence, stats))
    return Evaluation(evidence, plan, draws, sites, stats, judged, str(sites["column"].iloc[0]))
