"""Judging a check on a sweep's summary: paired effects per replication and their interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim.report.stats import mean_ci
from cop_sim.validation.patterns import Check, Term


def _arm(summary: pd.DataFrame, term: Term) -> pd.Series:
    """Mean of the term's outcome per replication over the runs matching its conditions."""
    rows = summary
    for key, level in term.where.items():
        if key not in rows:
            raise KeyError(f"factor {key!r} is not in the sweep")
        rows = rows[rows[key] == level]
    if rows.empty:
        raise KeyError(f"no runs match {term.where}")
    return rows.groupby("replication")[term.outcome].mean()


def judge(summary: pd.DataFrame, check: Check) -> dict:
    """The check's paired effect with its 95 % interval, and whether it holds."""
    ok = summary[summary["error"].isna()] if "error" in summary else summary
    effect = sum(term.weight * _arm(ok, term) for term in check.terms) + check.constant
    ci = mean_ci(np.asarray(effect.dropna(), dtype=float))
    holds = bool(ci["lo"] > 0) if check.expect > 0 else bool(ci["hi"] < 0)
    return {"check": check.label, "expect": "> 0" if check.expect > 0 else "< 0", "effect": ci["mean"],
            "lo": ci["lo"], "hi": ci["hi"], "n": ci["n"], "holds": holds}
