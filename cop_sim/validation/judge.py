"""Judging a check on a sweep's summary: paired effects per replication, their interval, a verdict.

A check *holds* when the 95 % interval of its effect clears the smallest effect that matters
in the expected direction (not merely zero); it is *contradicted* when the interval lies
wholly short of that threshold (an effect that matters is ruled out), and *inconclusive*
otherwise. In a design crossed with parameter draws, each draw is judged on its own
replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim.report.stats import mean_ci
from cop_sim.validation.patterns import Check, Term
from cop_sim.vocab import cop_key

VERDICTS = ("holds", "inconclusive", "contradicted")


def _groups(summary: pd.DataFrame) -> list[str]:
    return ["draw", "replication"] if "draw" in summary else ["replication"]


def _arm(summary: pd.DataFrame, term: Term, columns: list[str] | None = None) -> pd.Series | pd.DataFrame:
    """Mean of the term's outcome (or of ``columns``) per (draw,) replication over the successful
    runs matching its conditions (empty when they all failed; a KeyError when no run matches)."""
    rows = summary
    for key, level in term.where.items():
        if key not in rows:
            raise KeyError(f"factor {key!r} is not in the sweep")
        rows = rows[rows[key] == level]
    if rows.empty:
        raise KeyError(f"no runs match {term.where}")
    rows = ok_runs(rows)
    if columns is not None:
        return rows.groupby(_groups(summary))[columns].mean()
    if term.outcome not in rows:  # every run failed: no summary columns
        return pd.Series(dtype=float)
    return rows.groupby(_groups(summary))[term.outcome].mean()


def cop_names(summary: pd.DataFrame, outcome: str) -> list[str]:
    """The CoPs whose own value of ``outcome`` the runs report (``outcome|cop=NAME`` columns)."""
    prefix = cop_key(outcome, "")
    names = [c[len(prefix):] for c in summary.columns if c.startswith(prefix)]
    if not names:
        raise KeyError(f"no per-CoP values of {outcome!r} in the sweep (columns {prefix}NAME)")
    return names


def heterogeneity(summary: pd.DataFrame, check: Check) -> pd.Series:
    """Between-CoP sd of the check's per-CoP effect in each (draw,) replication, net of noise.

    Per CoP c the effect is d_c = sum of weight x arm value of c; its sampling variance v_c is
    the same sum of weight^2 x se^2 (an arm's runs as independent, which ignores the positive
    correlation of common random numbers and so overstates the noise). The spread is the
    method-of-moments estimate of random-effects meta-analysis (DerSimonian and Laird 1986,
    Control Clin Trials 7:177), tau = sqrt(max(0, var_c(d_c) - mean_c(v_c))): what remains of
    the spread once the noise of finite panels is taken out. NaN with fewer than two CoPs.
    """
    outcome = check.terms[0].outcome
    names = cop_names(summary, outcome)
    values = [cop_key(outcome, n) for n in names]
    errors = [cop_key(f"{outcome}_se", n) for n in names]
    # DataFrames (replications x CoPs), so that arms align on their replications; each arm's
    # runs are selected once for its values and their errors
    arms = [(t.weight, _arm(summary, t, values + errors)) for t in check.terms]
    d = sum(w * a[values].set_axis(names, axis=1) for w, a in arms)
    v = sum(w ** 2 * a[errors].set_axis(names, axis=1) ** 2 for w, a in arms)
    tau = []
    for row_d, row_v in zip(d.to_numpy(dtype=float), v.to_numpy(dtype=float), strict=True):
        ok = ~(np.isnan(row_d) | np.isnan(row_v))
        spread = row_d[ok].var(ddof=1) - row_v[ok].mean() if ok.sum() >= 2 else np.nan
        tau.append(np.sqrt(max(0.0, spread)) if np.isfinite(spread) else np.nan)
    groups = d.index
    return pd.Series(tau, index=groups, dtype=float)


def ok_runs(summary: pd.DataFrame) -> pd.DataFrame:
    """The runs that did not fail."""
    return summary[summary["error"].isna()] if "error" in summary else summary


def paired_effects(summary: pd.DataFrame, check: Check) -> pd.Series:
    """The check's effect in each (draw,) replication: its arms share a seed there."""
    if check.across:
        return heterogeneity(summary, check).dropna()
    return (sum(term.weight * _arm(summary, term) for term in check.terms) + check.constant).dropna()


def threshold(summary: pd.DataFrame, check: Check) -> float:
    """The smallest effect that matters, in the outcome's units (a relative one scaled by the base arm)."""
    if not check.relative:
        return check.threshold
    return check.threshold * abs(float(_arm(summary, check.base).mean()))


def verdict(lo: float, hi: float, expect: int, thr: float) -> str:
    """holds | inconclusive | contradicted for an interval, a direction and a threshold."""
    if np.isnan(lo) or np.isnan(hi):
        return "inconclusive"
    a, b = sorted((expect * lo, expect * hi))
    if a > thr:
        return "holds"
    return "contradicted" if b < thr else "inconclusive"


def judge(summary: pd.DataFrame, check: Check) -> dict:
    """The check's paired effect with its 95 % interval, threshold and verdict (one design point)."""
    ci = mean_ci(np.asarray(paired_effects(summary, check), dtype=float))
    thr = threshold(summary, check)
    v = verdict(ci["lo"], ci["hi"], check.expect, thr)
    return {"check": check.label, "expect": "> 0" if check.expect > 0 else "< 0",
            "threshold": check.expect * thr, "effect": ci["mean"], "lo": ci["lo"], "hi": ci["hi"],
            "n": ci["n"], "verdict": v, "holds": v == "holds"}


def judge_draws(summary: pd.DataFrame, check: Check) -> pd.DataFrame:
    """One row per draw of a crossed design: effect, interval, threshold and verdict."""
    rows = []
    for draw, part in ok_runs(summary).groupby("draw", sort=True):
        rows.append({"draw": int(draw), **judge(part, check)})
    return pd.DataFrame(rows)


def pattern_verdict(verdicts: list[str]) -> str:
    """A pattern holds when every check holds; it is contradicted when any check is."""
    if all(v == "holds" for v in verdicts):
        return "holds"
    return "contradicted" if "contradicted" in verdicts else "inconclusive"
