"""Contrasts over parameter draws: parameter and stochastic uncertainty together, and their shares.

In a design crossed with parameter draws (a posterior's particles, or a prior sample) the arms
of one (draw, replication) share a seed, so each contrast has a paired effect ``e[j, r]`` per
draw ``j`` and replication ``r`` (averaged over the other factors' levels). The draw means
``m[j]`` vary for two reasons: the parameters (the draws differ) and the runs' noise
(``R`` replications per draw). With ``w`` the mean within-draw variance,

* stochastic variance of a draw mean: ``w / R``;
* parameter variance: ``var(m) - w / R`` (clipped at 0), the one-way random-effects estimate;

and the interval is the 2.5 and 97.5 percentiles of ``m``, which carries both.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cop_sim.report.stats import LEVEL, factor_columns, ok_runs


def paired_by_draw(summary: pd.DataFrame, factor_key: str, outcome: str, baseline, treatment) -> pd.Series:
    """The paired effect per (draw, replication), averaged over the other factors' levels."""
    data = ok_runs(summary)
    others = [f for f in factor_columns(summary) if f != factor_key]
    keys = [*others, "draw", "replication"]
    base = data[data[factor_key] == baseline][[*keys, outcome]]
    treat = data[data[factor_key] == treatment][[*keys, outcome]]
    pairs = base.merge(treat, on=keys, suffixes=("_b", "_t"))
    pairs["d"] = pairs[f"{outcome}_t"] - pairs[f"{outcome}_b"]
    return pairs.groupby(["draw", "replication"])["d"].mean().dropna()


def posterior_contrast(summary: pd.DataFrame, factor_key: str, outcome: str, baseline, treatment) -> dict:
    """The contrast's mean over draws, its percentile interval and the variance shares."""
    e = paired_by_draw(summary, factor_key, outcome, baseline, treatment)
    out = {"factor": factor_key, "outcome": outcome, "baseline": baseline, "treatment": treatment}
    if e.empty:
        return out | {"effect": math.nan, "lo": math.nan, "hi": math.nan, "draws": 0, "replications": 0,
                      "var_parameter": math.nan, "var_stochastic": math.nan, "share_parameter": math.nan,
                      "share_stochastic": math.nan}
    by = e.groupby(level="draw")
    m = by.mean().to_numpy()
    reps = float(by.size().mean())
    w = float(np.nanmean(by.var(ddof=1).to_numpy())) if reps > 1 else math.nan
    between = float(np.var(m, ddof=1)) if len(m) > 1 else math.nan
    stochastic = w / reps if reps > 1 else math.nan
    known = np.isfinite(between) and np.isfinite(stochastic)
    parameter = max(0.0, between - stochastic) if known else math.nan
    total = parameter + stochastic
    tail = (1 - LEVEL) / 2 * 100
    lo, hi = np.percentile(m, [tail, 100 - tail])
    return out | {"effect": float(m.mean()), "lo": float(lo), "hi": float(hi), "draws": len(m),
                  "replications": reps, "var_parameter": parameter, "var_stochastic": stochastic,
                  "share_parameter": parameter / total if total > 0 else math.nan,
                  "share_stochastic": stochastic / total if total > 0 else math.nan}
