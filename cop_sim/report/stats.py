"""Statistics of a sweep: per-point means with intervals, contrasts, sensitivity indices.

Intervals are two-sided 95 % Student-t intervals over replications. Contrasts between two
levels of a factor are paired differences (matched on replication and the other factors'
levels) when the sweep used common random numbers, and Welch two-sample intervals when not.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from cop_sim.experiment import store
from cop_sim.experiment.design import build_design, problem

LEVEL = 0.95


def _t(df: float) -> float:
    return float(stats.t.ppf(0.5 + LEVEL / 2, df)) if df > 0 else math.nan


def factor_columns(summary: pd.DataFrame) -> list[str]:
    """The factor columns of a summary table (from its attrs, else the dotted column names)."""
    if "factors" in summary.attrs:
        return list(summary.attrs["factors"])
    return [c for c in summary.columns if "." in c]


def ok_runs(summary: pd.DataFrame) -> pd.DataFrame:
    """The runs that did not fail."""
    return summary[summary["error"].isna()] if "error" in summary else summary


def mean_ci(values: np.ndarray) -> dict:
    """Mean, sd, n and the 95 % t interval of a sample (NaNs dropped)."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    mean = float(x.mean()) if n else math.nan
    sd = float(x.std(ddof=1)) if n > 1 else math.nan
    half = _t(n - 1) * sd / math.sqrt(n) if n > 1 else math.nan
    return {"mean": mean, "sd": sd, "n": n, "lo": mean - half, "hi": mean + half}


def point_table(summary: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Per design point: the factor values and mean, sd, n, 95 % CI of ``outcome``."""
    factors = factor_columns(summary)
    rows = []
    for point, group in ok_runs(summary).groupby("point", sort=True):
        row = {"point": point, **{f: group[f].iloc[0] for f in factors}}
        rows.append(row | mean_ci(group[outcome].to_numpy()))
    return pd.DataFrame(rows)


def contrast(summary: pd.DataFrame, factor_key: str, outcome: str, baseline, treatment,
             paired: bool | None = None) -> dict:
    """The effect on ``outcome`` of moving ``factor_key`` from ``baseline`` to ``treatment``.

    Averaged over the other factors' levels. Paired by default when the runs matched on
    replication and the other factors share their seeds (common random numbers).

    Returns:
        ``effect``, its 95 % interval ``lo``/``hi``, ``n`` (pairs, or runs per arm summed),
        ``paired``, and the arms' means ``baseline_mean``/``treatment_mean``.
    """
    data = ok_runs(summary)
    others = [f for f in factor_columns(summary) if f != factor_key]
    base = data[data[factor_key] == baseline]
    treat = data[data[factor_key] == treatment]
    keys = [*others, "replication"]
    pairs = base[[*keys, "seed", outcome]].merge(treat[[*keys, "seed", outcome]], on=keys,
                                                 suffixes=("_b", "_t"))
    if paired is None:
        paired = bool(len(pairs)) and bool((pairs["seed_b"] == pairs["seed_t"]).all())
    out = {"factor": factor_key, "outcome": outcome, "baseline": baseline, "treatment": treatment,
           "baseline_mean": float(base[outcome].mean()), "treatment_mean": float(treat[outcome].mean()),
           "paired": paired}
    if paired:
        d = (pairs[f"{outcome}_t"] - pairs[f"{outcome}_b"]).dropna().to_numpy()
        ci = mean_ci(d)
        return out | {"effect": ci["mean"], "lo": ci["lo"], "hi": ci["hi"], "n": ci["n"]}
    a, b = base[outcome].dropna().to_numpy(), treat[outcome].dropna().to_numpy()
    effect = float(b.mean() - a.mean()) if len(a) and len(b) else math.nan
    if len(a) > 1 and len(b) > 1:
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        se = math.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else len(a) + len(b) - 2
        half = _t(df) * se
    else:
        half = math.nan
    return out | {"effect": effect, "lo": effect - half, "hi": effect + half, "n": len(a) + len(b)}


def sensitivity(results: str | Path, outcome: str) -> tuple[str, pd.DataFrame]:
    """SALib indices of ``outcome`` for a sampled sweep, from per-point means over replications.

    Returns:
        The method's name and a table of indices with their 95 % interval half-widths:
        Morris mu*, mu*_conf, sigma; Sobol S1, S1_conf, ST, ST_conf; LHS: delta, delta_conf,
        S1, S1_conf (the delta moment-independent measure).

    Raises:
        ValueError: when runs are missing or failed (indices need every design point).
    """
    from SALib.analyze import delta, morris, sobol

    from cop_sim.experiment.seeds import sampler_seed

    spec = store.read_experiment(results)
    design = build_design(spec)
    summary = store.read_summary(results)
    y = ok_runs(summary).groupby("point")[outcome].mean().reindex(range(len(design)))
    if y.isna().any():
        raise ValueError(f"{int(y.isna().sum())} design points have no successful run of '{outcome}'")
    prob, x, yv = problem(spec), design.sample, y.to_numpy(dtype=float)
    seed = sampler_seed(spec.master_seed)
    if spec.method == "morris":
        res = morris.analyze(prob, x, yv, num_levels=spec.num_levels, conf_level=LEVEL, seed=seed)
        cols = ["mu_star", "mu_star_conf", "sigma", "mu"]
        name = "Morris elementary effects"
    elif spec.method == "sobol":
        res = sobol.analyze(prob, yv, calc_second_order=spec.calc_second_order, conf_level=LEVEL,
                            seed=seed)
        cols = ["S1", "S1_conf", "ST", "ST_conf"]
        name = "Sobol indices (Saltelli)"
    else:
        res = delta.analyze(prob, x, yv, conf_level=LEVEL, seed=seed)
        cols = ["delta", "delta_conf", "S1", "S1_conf"]
        name = "Delta moment-independent measure (on the LHS sample)"
    table = pd.DataFrame({c: np.asarray(res[c], dtype=float) for c in cols})
    table.insert(0, "factor", prob["names"])
    return name, table
