"""Figures of a single run: panels of outcome time series, and a panel per CoP.

Each panel says which way is better, marks meetings (ticks at the foot) and events (dashed
lines) at their weeks, starts at zero or says it is zoomed, and lists in its legend only the
series it drew (:mod:`cop_sim.plot_rules`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cop_sim import outcome_info, plot_rules  # noqa: E402

Panel = tuple[str, str, list[str]]  # title, y label with unit, columns
COP_OUTCOME = "care_quality"  # what the per-CoP panels show
MAX_COPS = 12  # beyond this many CoPs the panels are too small to read; the table has them all
# the x axis of a weekly series: point w is simulated week w, at its end (docs/ODD.md, 3)
WEEK_AXIS = "simulated week (-1 = starting state)"


def plot_run(ts: pd.DataFrame, panels: list[Panel] | None, path: str | Path, title: str = "",
             events: list[int] | tuple[int, ...] = (), per_cop: pd.DataFrame | None = None) -> Figure:
    """Draw a grid of panels of a run's time series against time, save it as PNG, return it.

    Args:
        ts: the run's time series; its first column is the time column.
        panels: the model's panels (title, y label, columns), or None for the first numeric columns.
        path: where the PNG goes.
        title: the figure's title.
        events: the weeks of the scenario's events (:func:`cop_sim.plot_rules.event_weeks`).
        per_cop: the per-CoP table (one row per CoP and week), for a panel per CoP.
    """
    time_col = ts.columns[0]
    if not panels:
        cols = [c for c in ts.columns[1:] if pd.api.types.is_numeric_dtype(ts[c])][:6]
        panels = [(c.replace("_", " "), outcome_info.unit(c) or c, [c]) for c in cols]
    panels = [p for p in panels if any(c in ts for c in p[2])]
    cops = _cops(per_cop)
    n = len(panels)
    ncols = 2 if n > 1 else 1
    nrows = (n + ncols - 1) // ncols
    cop_cols = min(4, len(cops)) or 1
    cop_rows = (len(cops) + cop_cols - 1) // cop_cols
    height = 3.2 * nrows + 2.6 * cop_rows + 0.6
    fig = plt.figure(figsize=(12 if ncols > 1 else 6, height), layout="constrained")
    top, bottom = (fig.subfigures(2, 1, height_ratios=[3.2 * nrows, 2.6 * cop_rows + 0.4])
                   if cops else (fig, None))
    axes = np.atleast_1d(top.subplots(nrows, ncols, squeeze=False)).ravel()
    meetings = plot_rules.meeting_weeks(ts, time_col)
    for ax, (ptitle, ylabel, cols) in zip(axes, panels, strict=False):
        _panel(ax, ts, time_col, ptitle, ylabel, [c for c in cols if c in ts], meetings, events)
    for ax in axes[n:]:
        ax.set_visible(False)
    if cops:
        _cop_panels(bottom, per_cop, cops, cop_rows, cop_cols, time_col, events)
    if title:
        fig.suptitle(f"{title}: one seed, so week-to-week noise is not an effect (compare seeds with "
                     "cop-sim compare)", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return fig


def _cops(per_cop: pd.DataFrame | None) -> list[str]:
    if per_cop is None or COP_OUTCOME not in per_cop or "cop" not in per_cop:
        return []
    return list(dict.fromkeys(per_cop["cop"].astype(str)))[:MAX_COPS]


def _panel(ax, ts, time_col, ptitle, ylabel, cols, meetings, events) -> None:
    """One panel: its series (those with data), direction, markers, zero rule and legend."""
    shared = outcome_info.shared_direction(cols)
    drawn = []
    for c in cols:
        way = "" if shared else outcome_info.direction(c)
        name = c.replace("_", " ") + (f" ({way})" if way else "")
        if plot_rules.series(ax, ts[time_col], ts[c], name) is not None:
            drawn.append(ts[c])
    missing = [c for c in cols if ts[c].isna().all()]
    ax.set_title(ptitle + (f" ({shared})" if shared else ""), fontsize=10)
    ax.set_xlabel(WEEK_AXIS if time_col == "week" else f"{time_col} (simulated)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if missing:  # say why a series is absent instead of listing it without a line
        ax.text(0.01, 0.98, "no values: " + ", ".join(m.replace("_", " ") for m in missing),
                transform=ax.transAxes, fontsize=7, va="top", color="0.35")
    plot_rules.zero_rule(ax, drawn)
    plot_rules.mark_weeks(ax, meetings, events)
    plot_rules.legend(ax, fontsize=7)


def _cop_panels(sub, per_cop, cops, rows, cols, time_col, events) -> None:
    """A panel per CoP of its care quality, its own meetings marked, on one shared y range."""
    axes = np.atleast_1d(sub.subplots(rows, cols, squeeze=False, sharey=True)).ravel()
    values = [per_cop.loc[per_cop["cop"].astype(str) == c, COP_OUTCOME] for c in cops]
    for ax, cop, y in zip(axes, cops, values, strict=False):
        rows_c = per_cop[per_cop["cop"].astype(str) == cop]
        plot_rules.series(ax, rows_c[time_col], y, outcome_info.base(COP_OUTCOME).replace("_", " "))
        ax.set_title(f"CoP {cop}", fontsize=9)
        ax.set_xlabel(WEEK_AXIS if time_col == "week" else f"{time_col} (simulated)", fontsize=8)
        ax.grid(alpha=0.3)
        plot_rules.mark_weeks(ax, plot_rules.cop_meeting_weeks(per_cop, cop, time_col), events)
    for ax in axes[len(cops):]:
        ax.set_visible(False)
    axes[0].set_ylabel(outcome_info.unit(COP_OUTCOME) or "")
    zoomed = plot_rules.zero_rule(axes[0], values)  # shared y: one rule for every CoP's panel
    sub.suptitle(f"{COP_OUTCOME.replace('_', ' ')} by CoP ({outcome_info.direction(COP_OUTCOME)}; "
                 f"ticks: that CoP's meetings; dashed: events)"
                 + (f"; {plot_rules.ZOOMED}" if zoomed else ""), fontsize=9)
    plot_rules.legend(axes[0], fontsize=7)
