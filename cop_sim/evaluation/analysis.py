"""The study's own analysis of a simulated study, as evaluations report it (statsmodels).

- pre-post: each arm's mean within-site change, with a cluster-robust 95 % interval (site = cluster);
- difference-in-differences: the arm-by-period interaction of ``y ~ arm * post``, cluster-robust by
  site (Bertrand, Duflo and Mullainathan 2004 on why the clustering matters);
- the share of intervention sites whose own change is significant (two-proportion z-test of the
  site's charts before and after);
- the distribution of site effects (each site's change).
Values are in percentage points (100 x the measure's share).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import proportions_ztest

PP = 100.0


def _fit(formula: str, data: pd.DataFrame, term: str) -> dict:
    with warnings.catch_warnings():  # a constant column (no variation) warns; its interval is then 0
        warnings.simplefilter("ignore")
        fit = smf.ols(formula, data=data).fit(cov_type="cluster", cov_kwds={"groups": data["site"]})
        lo, hi = fit.conf_int().loc[term]
    return {"estimate": float(fit.params[term]), "lo": float(lo), "hi": float(hi),
            "se": float(fit.bse[term]), "sites": int(data["site"].nunique())}


def long(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per site and period with ``y`` (pp), ``arm`` and ``post``."""
    return pd.DataFrame({"site": frame["site"].to_numpy(), "arm": frame["arm"].to_numpy(),
                         "post": frame["period"].to_numpy(), "y": PP * frame["measured"].to_numpy()})


def site_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """Each site's change (pp) from the baseline quarter to the last quarter."""
    wide = frame.pivot_table(index=["site", "arm"], columns="period", values="measured").reset_index()
    wide["change"] = PP * (wide[1] - wide[0])
    return wide[["site", "arm", "change"]]


def significant_sites(frame: pd.DataFrame, charts: int, alpha: float = 0.05) -> float:
    """Share of intervention sites whose change is a significant improvement (one-sided z-test)."""
    wide = frame[frame["arm"] == 1].pivot_table(index="site", columns="period", values="measured")
    if charts <= 0 or wide.empty:
        return float("nan")
    hits = 0
    for before, after in zip(wide[0].to_numpy(), wide[1].to_numpy(), strict=True):
        counts = np.round(np.array([after, before]) * charts)
        if counts[0] == counts[1]:
            continue
        with np.errstate(all="ignore"):
            _, p = proportions_ztest(counts, np.array([charts, charts]), alternative="larger")
        hits += bool(p < alpha)
    return hits / len(wide)


def analyse(frame: pd.DataFrame, charts: int) -> dict:
    """Every statistic of one simulated study (a flat dict)."""
    data = long(frame)
    out: dict = {}
    for arm, name in ((1, "intervention"), (0, "comparison")):
        part = data[data["arm"] == arm]
        if part["site"].nunique() >= 2:
            for k, v in _fit("y ~ post", part, "post").items():
                out[f"pre_post_{name}_{k}"] = v
    if data["arm"].nunique() == 2 and min(data.groupby("arm")["site"].nunique()) >= 2:
        for k, v in _fit("y ~ arm * post", data, "arm:post").items():
            out[f"did_{k}"] = v
        out["did_significant"] = int(out["did_lo"] > 0)
        out["did_change"] = out["did_estimate"]
    changes = site_changes(frame)
    treated = changes.loc[changes["arm"] == 1, "change"]
    out["pre_post_change"] = float(treated.mean()) if len(treated) else float("nan")
    out["site_effect_p10"], out["site_effect_p50"], out["site_effect_p90"] = (
        (float(q) for q in np.percentile(treated, [10, 50, 90])) if len(treated) else (np.nan,) * 3)
    out["share_sites_significant"] = significant_sites(frame, charts)
    base = frame[(frame["arm"] == 1) & (frame["period"] == 0)]["true"]
    end = frame[(frame["arm"] == 1) & (frame["period"] == 1)]["true"]
    out["true_change"] = float(PP * (end.mean() - base.mean())) if len(base) else float("nan")
    shortfall = 1.0 - base.mean()
    out["relative_change"] = float(-100.0 * (end.mean() - base.mean()) / shortfall) if shortfall else np.nan
    return out
