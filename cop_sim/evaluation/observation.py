"""The observation model of a published result, its fast point estimate, and the reduced-design check.

- **Observation model.** A published number is the study's statistic plus its sampling error,
  normal with sd = (CI width) / (2 z), z = 1.96 for a 95 % interval (sd = width / 3.92). A file
  without a numeric interval needs an ``sd`` (with its reason) in the calibration file.
- **Point estimate.** The calibration needs only the published statistic of each simulated study,
  not every statistic :func:`cop_sim.evaluation.analysis.analyse` computes (its statsmodels fits
  cost ~0.1 s a study). For the mean-based statistics the point estimate is exact arithmetic: the
  arm-by-period coefficient of ``y ~ arm * post`` with one baseline and one outcome period per
  site is the difference of the arms' mean changes. Others fall back to ``analyse``.
- **Reduced designs.** Simulating fewer sites than published is allowed when the simulated
  statistic's standard error stays within 20 % of the published design's (issue "Virtual
  evaluations"). The simulated statistic is the study's estimate plus the observation model's
  noise, so its variance under a design of ``n`` sites is ``sd^2 + v(n)``, ``v(n)`` the design's
  own sampling variance: ``s_I^2 / n_I (+ s_C^2 / n_C)`` from the between-site variance of the
  site changes of a simulated study. The variance the sites share (the landscape, the parameters)
  is left out; it is the same under both designs, so leaving it out only raises the ratio, and a
  design that passes passes with it too (a conservative check).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cop_sim.evaluation import analysis
from cop_sim.params import InputError

Z = {0.95: 1.959963984540054, 0.90: 1.6448536269514722, 0.99: 2.5758293035489004}
SE_TOLERANCE = 0.20  # the issue's: within 20 %
# statistics whose point estimate and design variance are computed here (means of site changes)
MEAN_STATISTICS = ("pre_post_change", "did_change", "did_estimate", "relative_change", "true_change")
# every statistic :func:`analysis.analyse` (and a share of studies) can give
STATISTICS = (
    *MEAN_STATISTICS,
    "did_significant",
    "share_sites_significant",
    "share_improved",
    "site_effect_p10",
    "site_effect_p50",
    "site_effect_p90",
)


def _finite(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def sd_from_interval(lo: float, hi: float, level: float = 0.95) -> float:
    """The normal sd a published central ``level`` interval implies: (hi - lo) / (2 z)."""
    if not (_finite(lo) and _finite(hi) and hi > lo):
        raise ValueError(f"need a numeric interval lo < hi, got [{lo!r}, {hi!r}]")
    z = Z.get(round(level, 2))
    if z is None:
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + level / 2))
    return (hi - lo) / (2 * z)


def interval_level(result: dict) -> float:
    """The published interval's level: 95 % unless its description names 90 or 99 %."""
    text = str(result.get("interval", "95"))
    for level in (0.90, 0.99):
        if f"{round(level * 100)} %" in text or f"{round(level * 100)}%" in text:
            return level
    return 0.95


def published_sd(result: dict, given: float | None, source: str, key: str) -> tuple[float, str]:
    """The observation sd of a published result, and how it was obtained.

    Args:
        result: the evidence file's ``[result]`` table.
        given: an ``sd`` from the calibration file (used only when no numeric interval exists).
        source: the calibration file (for messages).
        key: where ``given`` would be set (for messages).
    """
    lo, hi = result.get("lo"), result.get("hi")
    if _finite(lo) and _finite(hi) and hi > lo:
        if given is not None:
            raise InputError(
                source, key, "the file publishes an interval; its sd is (hi - lo) / 3.92, remove this sd"
            )
        level = interval_level(result)
        return sd_from_interval(
            lo, hi, level
        ), f"published {round(100 * level)} % interval / {2 * Z.get(round(level, 2), 1.96):.2f}"
    if given is None:
        raise InputError(
            source,
            key,
            f"the file publishes no numeric interval (lo = {lo!r}, hi = {hi!r}); "
            "give sd = a number > 0 and why = its basis",
        )
    if not (_finite(given) and given > 0):
        raise InputError(source, key, f"got {given!r}; allowed: a number > 0")
    return float(given), "stated in the calibration file"


def _changes(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Each site's change (baseline quarter to last quarter) in ``column``, with its arm."""
    f = frame.sort_values(["site", "period"], kind="stable")
    before = f[f["period"] == 0].set_index("site")
    after = f[f["period"] == 1].set_index("site")
    return pd.DataFrame(
        {"arm": before["arm"], "change": after[column] - before[column], "base": before[column]}
    )


def point(frame: pd.DataFrame, statistic: str, charts: int) -> float:
    """The published statistic's estimate in one simulated study (percentage points, as analyse)."""
    if statistic not in MEAN_STATISTICS:
        return float(analysis.analyse(frame, charts).get(statistic, np.nan))
    column = "true" if statistic in ("true_change", "relative_change") else "measured"
    ch = _changes(frame, column)
    treated, control = ch[ch["arm"] == 1], ch[ch["arm"] == 0]
    if statistic in ("pre_post_change", "true_change"):
        return float(analysis.PP * treated["change"].mean()) if len(treated) else float("nan")
    if statistic == "relative_change":
        shortfall = 1.0 - treated["base"].mean()
        return float(-100.0 * treated["change"].mean() / shortfall) if len(treated) and shortfall else np.nan
    if len(treated) < 2 or len(control) < 2:
        return float("nan")
    return float(analysis.PP * (treated["change"].mean() - control["change"].mean()))


def design_variance(frame: pd.DataFrame, statistic: str, n_int: int, n_comp: int) -> float:
    """``v(n)``: the sampling variance of ``statistic`` in a study of ``n_int``/``n_comp`` sites,
    from the between-site variance of the site changes of ``frame`` (a simulated study)."""
    if statistic not in MEAN_STATISTICS:
        raise ValueError(f"no design variance for {statistic!r}")
    column = "true" if statistic in ("true_change", "relative_change") else "measured"
    ch = _changes(frame, column)
    scale = analysis.PP
    if statistic == "relative_change":
        shortfall = 1.0 - ch.loc[ch["arm"] == 1, "base"].mean()
        scale = 100.0 / shortfall if shortfall else np.nan
    var = ch.groupby("arm")["change"].var(ddof=1)
    v = scale**2 * var.get(1, 0.0) / max(n_int, 1)
    if statistic in ("did_change", "did_estimate"):
        v += scale**2 * var.get(0, 0.0) / max(n_comp, 1)
    return float(v)


def se_ratio(sd: float, v_simulated: float, v_published: float) -> float:
    """The simulated statistic's SE under the simulated design over the one under the published."""
    return math.sqrt((sd**2 + v_simulated) / (sd**2 + v_published))


def reduction_check(
    frames: list[pd.DataFrame],
    statistic: str,
    sd: float,
    simulated: tuple[int, int],
    published: tuple[int, int],
) -> dict:
    """The check of a reduced design over simulated studies (one ratio per study; the largest counts).

    Returns:
        ``{"ratios": [...], "worst": max ratio, "ok": worst within 1 +- SE_TOLERANCE}``.
    """
    ratios = []
    for frame in frames:
        v_sim = design_variance(frame, statistic, *simulated)
        v_pub = design_variance(frame, statistic, *published)
        ratios.append(se_ratio(sd, v_sim, v_pub))
    finite = [r for r in ratios if math.isfinite(r)]
    worst = max(finite, key=lambda r: abs(r - 1.0)) if finite else float("nan")
    return {"ratios": ratios, "worst": worst, "ok": bool(finite) and abs(worst - 1.0) <= SE_TOLERANCE + 1e-12}
