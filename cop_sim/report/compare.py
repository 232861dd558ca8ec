"""Two arms run on the same seeds: per-week paired differences, a summary and a figure.

The arms' outcomes are arrays ``[seed, week]`` whose row ``s`` of one arm and of the other came
from the same seed (common random numbers), so each week's difference B - A is a paired sample
over seeds, and its interval a paired Student-t interval (:func:`cop_sim.report.stats.mean_ci`).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim import outcome_info
from cop_sim.report.stats import LEVEL, mean_ci

LAST_QUARTER = 13  # weeks, as the summaries' ``_last_quarter`` (fewer when the run is shorter)


@dataclass
class Arm:
    """One arm: its label, its runs' outcomes by name (``[seed, week]``), and when it met."""

    label: str
    weeks: np.ndarray
    values: dict[str, np.ndarray]
    meetings: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)


def weekly(a: Arm, b: Arm, outcomes: list[str]) -> pd.DataFrame:
    """Per outcome and week: each arm's mean with its 95 % t interval, and the paired B - A.

    Pairs with a missing value in either arm (no meeting that week, say) are dropped; ``n``
    is the number of seeds left. With zero spread the interval has zero width.
    """
    rows = []
    for name in outcomes:
        x, y = a.values[name], b.values[name]
        for j, week in enumerate(a.weeks):
            ok = ~np.isnan(x[:, j]) & ~np.isnan(y[:, j])
            ca, cb, cd = mean_ci(x[ok, j]), mean_ci(y[ok, j]), mean_ci(y[ok, j] - x[ok, j])
            rows.append({"outcome": name, "week": int(week), "n": cd["n"],
                         "a_mean": ca["mean"], "a_lo": ca["lo"], "a_hi": ca["hi"],
                         "b_mean": cb["mean"], "b_lo": cb["lo"], "b_hi": cb["hi"],
                         "diff": cd["mean"], "diff_lo": cd["lo"], "diff_hi": cd["hi"]})
    return pd.DataFrame(rows)


def last_quarter(a: Arm, b: Arm, outcomes: list[str]) -> pd.DataFrame:
    """Per outcome: each seed's mean over the last quarter's weeks, then the paired B - A over seeds."""
    rows = []
    tail = slice(-min(LAST_QUARTER, len(a.weeks)), None)
    for name in outcomes:
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a seed with no value at all: NaN, said below
            x = np.nanmean(a.values[name][:, tail], axis=1)
            y = np.nanmean(b.values[name][:, tail], axis=1)
        ok = ~np.isnan(x) & ~np.isnan(y)
        d = mean_ci(y[ok] - x[ok])
        rows.append({"outcome": name, "a_mean": float(np.mean(x[ok])) if ok.any() else math.nan,
                     "b_mean": float(np.mean(y[ok])) if ok.any() else math.nan, "diff": d["mean"],
                     "diff_lo": d["lo"], "diff_hi": d["hi"], "n": d["n"], "better": outcome_info.better(name),
                     "verdict": verdict(name, d)})
    return pd.DataFrame(rows)


def verdict(name: str, d: dict) -> str:
    """Which way the difference goes, in words: B better, A better, or no clear difference."""
    if d["n"] == 0 or math.isnan(d["mean"]):
        return "n/a (no values in both arms)"
    if math.isnan(d["lo"]):
        return "n/a (fewer than two seeds with values)"
    if d["lo"] == d["hi"] == d["mean"] == 0:
        return "no difference (identical in every seed)"
    if d["lo"] <= 0 <= d["hi"]:
        return f"no clear difference ({LEVEL:.0%} interval includes 0)"
    way = outcome_info.better(name)
    up = d["lo"] > 0
    if way is None:
        return f"{'higher' if up else 'lower'} in B (no better direction)"
    return "B better" if up == (way == outcome_info.HIGHER) else "A better"


def markdown(table: pd.DataFrame, a: Arm, b: Arm, header: list[str], n_seeds: int) -> str:
    """compare.md: what was compared, and the last-quarter difference of each outcome."""
    span = (f"the last {LAST_QUARTER} weeks" if len(a.weeks) > LAST_QUARTER
            else "the whole run, shorter than a quarter")
    lines = [*header, "",
             f"Last quarter ({span}): each seed's mean over those weeks in each arm, then "
             f"the paired difference B - A over the {n_seeds} seeds with its {LEVEL:.0%} Student-t "
             "interval. Both arms ran on the same seeds (common random numbers).", "",
             "| outcome | which way is better | A | B | B - A [95 % CI] | verdict |",
             "|---|---|---|---|---|---|"]
    for r in table.itertuples(index=False):
        way = f"{r.better} is better" if r.better else "no direction"
        ci = f"{_num(r.diff, True)} [{_num(r.diff_lo, True)}, {_num(r.diff_hi, True)}]"
        lines.append(f"| `{r.outcome}` | {way} | {_num(r.a_mean)} | {_num(r.b_mean)} | {ci} | {r.verdict} |")
    lines += ["", "Per-week differences with their intervals: `compare.parquet` (one row per outcome and "
              "week; `diff` = B - A, `diff_lo`/`diff_hi` its interval; `n` seeds). Each run's series: "
              "`runs.parquet`. Figure: `compare.png` (the arms with their bands, left; B - A, right; "
              "ticks: meetings; dashed lines: events).", ""]
    return "\n".join(lines)


def _num(x: float, sign: bool = False) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x == 0:
        return "0"
    return f"{x:+.3g}" if sign else f"{x:.4g}"


def figure(table: pd.DataFrame, a: Arm, b: Arm, outcomes: list[str], path: Path, title: str):
    """compare.png: per outcome the two arms with 95 % bands, and B - A with its band and zero line.

    Returns the (saved, closed) matplotlib Figure.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cop_sim import plot_rules

    fig, axes = plt.subplots(len(outcomes), 2, figsize=(12, 2.9 * len(outcomes) + 0.8), squeeze=False,
                             sharex=True, layout="constrained")
    same_meetings = a.meetings == b.meetings
    events = sorted(set(a.events) | set(b.events))
    for (left, right), name in zip(axes, outcomes, strict=True):
        t = table[table["outcome"] == name]
        w = t["week"].to_numpy()
        drawn = []
        for arm, col, colour in ((a, "a", "C0"), (b, "b", "C1")):
            mean, lo, hi = (t[f"{col}_{k}"].to_numpy(dtype=float) for k in ("mean", "lo", "hi"))
            if plot_rules.series(left, w, mean, f"{'A' if col == 'a' else 'B'}: {arm.label}",
                                 color=colour) is not None:
                plot_rules.band(left, w, lo, hi, f"{LEVEL:.0%} CI ({'A' if col == 'a' else 'B'})", colour)
                drawn += [mean, lo, hi]
        left.set_ylabel(_wrap(outcome_info.label(name), 34), fontsize=8)
        left.set_title(f"{name.replace('_', ' ')}: the two arms", fontsize=9)
        plot_rules.zero_rule(left, drawn)
        d, dlo, dhi = (t[k].to_numpy(dtype=float) for k in ("diff", "diff_lo", "diff_hi"))
        if plot_rules.series(right, w, d, "B - A", color="k") is not None:
            plot_rules.band(right, w, dlo, dhi, f"{LEVEL:.0%} paired CI", "0.5", alpha=0.3)
        right.axhline(0, color="k", lw=0.8, ls=":", label="no difference")
        way = outcome_info.better(name)
        side = {outcome_info.HIGHER: "above 0: B better",
                outcome_info.LOWER: "below 0: B better"}.get(way, "")
        right.set_ylabel(_wrap(f"B - A{f' ({side})' if side else ''}", 30), fontsize=8)
        right.set_title(f"{name.replace('_', ' ')}: difference B - A", fontsize=9)
        plot_rules.zero_rule(right, [d, dlo, dhi], include_zero=True)
        for ax in (left, right):
            ax.grid(alpha=0.3)
            if same_meetings:
                plot_rules.mark_weeks(ax, a.meetings, events)
            else:  # the arms meet at different weeks: ticks in each arm's colour
                plot_rules.mark_weeks(ax, a.meetings, events, colour="C0", label="meeting (A)")
                plot_rules.mark_weeks(ax, b.meetings, (), colour="C1", label="meeting (B)")
            plot_rules.legend(ax, fontsize=6)
    for ax in axes[-1]:
        ax.set_xlabel("week (simulated)")
    fig.suptitle(_wrap(title, 120), fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
