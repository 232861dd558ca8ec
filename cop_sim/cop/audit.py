"""Audit and feedback: each practitioner's (or CoP's) own measured figure against a peer benchmark.

Audit and feedback is "a summary of clinical performance over a specified period of time"
(Ivers et al. 2012, Cochrane Database Syst Rev CD000259), the standard comparator of
quality-improvement collaboratives. Here, every ``audit.interval`` weeks from the week it is
switched on, each practitioner who saw patients is given their own panel's figure on
``audit.measure``:

- **aggregated** over a reporting period of ``interval`` weeks of visits (each visit a chart);
- **lagged**: the period ends ``audit.lag`` weeks before the report (lag 0: the week before);
- **noisy**: ``audit.charts`` charts are audited (at most the charts the period has), each
  meeting the measure with chance equal to the panel's share in that period; the figure is the
  share met (a binomial draw from the CoP's own ``audit`` stream);
- against a **benchmark** of the peers' figures (all practitioners, or all CoPs with
  ``scope = "cop"``): their mean, or the top decile (an achievable benchmark: "standards of
  excellence attained by top performers in a peer group", Kiefe et al. 2001, JAMA 285:2871;
  the 90th percentile of the peers' figures is an assumption).

There are no meetings. A practitioner whose figure (or whose CoP's) falls below the benchmark is
flagged: ``pr.review_from[i]`` is set to the week, and their plans are due a review (reviews
are :mod:`cop_sim.cop.review`'s; audit only raises the flag).

The charts are kept per practitioner in a ring of ``H`` weeks (``pr.au_val``, ``pr.au_n``,
``pr.au_week``; H = 0, no ring and no cost, when the run never audits), written at each visit by
:func:`chart`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cop_sim.kernel import njit_inline
from cop_sim.params import InputError, Param, Prior

MEASURES = ("optimal_practice_share", "target_adherence", "care_quality")
_IVERS = "Ivers et al. 2012, Cochrane Database Syst Rev CD000259"

AUDIT_SPEC = {
    "enabled": Param(False, "audit and feedback: each practitioner's own measured figure against a peer "
                     "benchmark, with no meetings; below it, their plans are due a review", "-",
                     source=f"{_IVERS} (audit and feedback, the standard comparator)"),
    "interval": Param(13, "weeks between feedback reports (and the length of the period each covers)",
                      "weeks", 1, 52, f"assumption (quarterly); {_IVERS} define feedback over a specified "
                      "period", prior=Prior(4, 26, "monthly to half-yearly reports")),
    "lag": Param(4, "weeks between the end of the period audited and its report", "weeks", 0, 26,
                 "assumption (chart abstraction and reporting take weeks)",
                 prior=Prior(0, 12, "assumption: from immediate to a quarter")),
    "charts": Param(20, "charts audited per practitioner (or CoP) and report", "charts", 1, 1000,
                    "assumption (a sample of charts, as chart audits draw)",
                    prior=Prior(10, 50, "assumption: small chart samples")),
    "measure": Param("optimal_practice_share", "what the audit measures on each chart (a process "
                     "measure, or care quality as an outcome); fixed for the run", "-", choices=MEASURES,
                     source="assumption; target_adherence needs [change_package] targets"),
    "benchmark": Param("peer_mean", "what the figure is compared with: the mean of the peers' figures or "
                       "their top decile (an achievable benchmark)", "-", choices=("peer_mean", "top_decile"),
                       source="Kiefe et al. 2001, JAMA 285:2871 (achievable benchmarks: attained by top "
                       "performers in a peer group); peer mean and the 90th percentile assumed"),
    "scope": Param("practitioner", "whose figure is reported: each practitioner's own panel, or the "
                   "CoP's (every member gets their CoP's report)", "-", choices=("practitioner", "cop"),
                   source="assumption"),
}
MEASURE_CODE = {m: j for j, m in enumerate(MEASURES)}  # kn.audit_measure
RING_BYTES = 24  # a practitioner-week of the chart ring: au_val, au_n (float64) and au_week (int64)
TOP = 0.9  # the top decile: the 90th percentile of the peers' figures (assumption)


def check(resolved: dict, source: str) -> None:
    """Cross-key checks: a target_adherence audit needs a change package."""
    a = resolved["audit"]
    if a["measure"] == "target_adherence" and not resolved["change_package"]["targets"]:
        raise InputError(source, "audit.measure", "got 'target_adherence' with no [change_package] targets; "
                         "allowed: declare change_package.targets, or another measure")


def _enabled(resolved) -> list:
    stages = (s.params for s in getattr(resolved, "stages", ()))
    return [p for p in (resolved, *stages) if p["audit"]["enabled"]]


def ring_length(resolved) -> int:
    """Weeks of charts each practitioner keeps: the longest lag + interval of any stage that audits."""
    return max((p["audit"]["lag"] + p["audit"]["interval"] for p in _enabled(resolved)), default=0)


def empty_ring(n: int, weeks: int) -> dict[str, np.ndarray]:
    """The chart ring's arrays for ``n`` practitioners (fields of :class:`Practitioners`)."""
    return dict(au_val=np.zeros((n, weeks)), au_n=np.zeros((n, weeks)),
                au_week=np.full((n, weeks), -1, dtype=np.int64))


@njit_inline
def chart(pr, kn, i, week, optimal, hit, applicable, quality):
    """Keep this visit's chart for practitioner i's audit: its score on the audit's measure."""
    H = pr.au_n.shape[1]
    if H == 0:
        return
    m = kn.audit_measure
    if m == 1:
        if applicable == 0:
            return  # no targeted topic applies: not a chart of this measure
        x = hit / applicable
    elif m == 0:
        x = optimal
    else:
        x = quality
    s = week % H
    if pr.au_week[i, s] != week:  # the slot held an older week: start it afresh
        pr.au_week[i, s] = week
        pr.au_val[i, s] = 0.0
        pr.au_n[i, s] = 0.0
    pr.au_val[i, s] += x
    pr.au_n[i, s] += 1.0


def period(pr, clock: int, lag: int, interval: int) -> tuple[np.ndarray, np.ndarray]:
    """Each practitioner's charts of care weeks [clock - lag - interval, clock - lag): score sum, count."""
    total, n = np.zeros(len(pr.au_n)), np.zeros(len(pr.au_n))
    H = pr.au_n.shape[1]
    for w in range(max(clock - lag - interval, 0), clock - lag):
        s = w % H
        ok = pr.au_week[:, s] == w
        total += np.where(ok, pr.au_val[:, s], 0.0)
        n += np.where(ok, pr.au_n[:, s], 0.0)
    return total, n


def measured(total: np.ndarray, n: np.ndarray, charts: int, rngs: list, unit_cop: np.ndarray) -> np.ndarray:
    """Each unit's audited figure: the share of min(charts, n) sampled charts meeting the measure.

    A chart meets it with chance the unit's mean score (clipped to [0, 1]); NaN where the unit has
    no chart. Unit u's draw comes from ``rngs[unit_cop[u]]``, units in index order.
    """
    out = np.full(len(n), np.nan)
    has = n > 0
    p = np.clip(np.divide(total, n, out=np.zeros_like(total), where=has), 0.0, 1.0)
    m = np.minimum(n, charts).astype(np.int64)
    for c in np.unique(unit_cop[has]):
        rows = np.flatnonzero(has & (unit_cop == c))
        out[rows] = rngs[c].binomial(m[rows], p[rows]) / m[rows]
    return out


def benchmark(figures: np.ndarray, how: str) -> float:
    """The peers' benchmark from the figures reported (NaN = no report): mean or top decile."""
    x = figures[~np.isnan(figures)]
    if not len(x):
        return float("nan")
    return float(x.mean()) if how == "peer_mean" else float(np.quantile(x, TOP))


class Report(NamedTuple):
    """One round of feedback: each unit's figure, the benchmark, who got a report and who was flagged."""

    week: int
    figures: np.ndarray  # per practitioner (scope 'practitioner') or per CoP (scope 'cop'); NaN = none
    benchmark: float
    reported: np.ndarray  # practitioner indices given a report
    flagged: np.ndarray  # practitioner indices whose figure fell below the benchmark


def feedback(pr, settings: dict, clock: int, week: int, rngs: list, n_cops: int) -> Report:
    """One round of audit and feedback at care week ``clock``: flag (``review_from``) those below.

    Args:
        pr: the practitioners (their chart ring and ``review_from``).
        settings: the resolved ``[audit]`` table.
        clock: the care week about to start (what ``review_from`` and charts count in).
        week: the simulated week (for the report).
        rngs: each CoP's own generator of the ``audit`` stream.
        n_cops: how many CoPs.
    """
    total, n = period(pr, clock, settings["lag"], settings["interval"])
    if settings["scope"] == "cop":
        t_c, n_c = np.bincount(pr.cop, total, n_cops), np.bincount(pr.cop, n, n_cops)
        fig = measured(t_c, n_c, settings["charts"], rngs, np.arange(n_cops))
        bench = benchmark(fig, settings["benchmark"])
        mine = fig[pr.cop]
    else:
        fig = measured(total, n, settings["charts"], rngs, pr.cop)
        bench = benchmark(fig, settings["benchmark"])
        mine = fig
    reported = np.flatnonzero(~np.isnan(mine) & (n > 0))
    flagged = reported[mine[reported] < bench]
    pr.review_from[flagged] = clock
    return Report(week, fig, bench, reported, flagged)
