"""Figures of a sweep, readable without the code: titled, axes labelled with units and the better
direction, meetings and events marked, small multiples rather than overlapping bands.

Each function saves its PNG and returns the matplotlib Figure (closed), so tests can read it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cop_sim import outcome_info, plot_rules  # noqa: E402
from cop_sim.figures import WEEK_AXIS  # noqa: E402
from cop_sim.report.stats import LEVEL, _t  # noqa: E402

MAX_CURVES = 12  # more conditions than this cannot be read as panels; the tables have them all
PANEL_COLS = 3


def label(name: str, units: dict[str, str]) -> str:
    """An axis label: the outcome, its unit and which way is better (as far as they are known)."""
    unit = outcome_info.unit(name) or units.get(name) or units.get(outcome_info.base(name))
    parts = [p for p in (unit, outcome_info.direction(name)) if p]
    text = name.replace("_", " ")
    return f"{text} ({'; '.join(parts)})" if parts else text


def _save(fig: Figure, path: Path) -> Figure:
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return fig


def condition_meetings(ts: pd.DataFrame, time_col: str, point) -> list[int]:
    """The weeks in which any run of design point ``point`` held a meeting (none without the column)."""
    if "meetings" not in ts:
        return []
    rows = ts[ts["point"] == point]
    held = rows.groupby(time_col)["meetings"].max()
    return sorted(int(w) for w in held.index[held.to_numpy() > 0])


def learning_curves(ts: pd.DataFrame, conditions: dict[int, str], column: str, units: dict[str, str],
                    path: Path, title: str, events: list[int] | tuple[int, ...] = ()) -> Figure:
    """A panel per condition: mean of ``column`` over replications per week, with its 95 % t band.

    The first condition's mean is drawn thin and grey in every other panel, as the reference. The
    panels share their axes; meetings (ticks, from a ``meetings`` column) and ``events`` (dashed)
    are marked.
    """
    time_col = next(c for c in ts.columns if c not in ("run_id", "point", "replication", "seed"))
    shown = list(conditions.items())[:MAX_CURVES]
    ncols = min(PANEL_COLS, len(shown)) or 1
    nrows = max(1, (len(shown) + ncols - 1) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 2.9 * nrows + 0.8), sharex=True,
                             sharey=True, squeeze=False, layout="constrained")
    axes = axes.ravel()
    curves, drawn = {}, []
    for point, _ in shown:
        g = ts[ts["point"] == point].groupby(time_col)[column]
        mean, sd, n = g.mean(), g.std(ddof=1), g.count()
        half = np.array([_t(k - 1) if k > 1 else np.nan for k in n]) * sd / np.sqrt(n)
        curves[point] = (mean, mean - half, mean + half)
        drawn += [mean, mean - half, mean + half]
    ref = shown[0][0] if shown else None
    for ax, (point, name) in zip(axes, shown, strict=False):
        mean, lo, hi = curves[point]
        if point != ref:
            plot_rules.series(ax, curves[ref][0].index, curves[ref][0].to_numpy(),
                              f"{shown[0][1]} (reference)", color="0.6", lw=0.9)
        line = plot_rules.series(ax, mean.index, mean.to_numpy(), "mean", color="C0")
        if line is not None:
            plot_rules.band(ax, mean.index, lo.to_numpy(), hi.to_numpy(), f"{LEVEL:.0%} CI", "C0", 0.25)
        ax.set_title(_wrap(name, 40), fontsize=8)
        ax.grid(alpha=0.3)
        plot_rules.mark_weeks(ax, condition_meetings(ts, time_col, point), events)
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    for ax in axes[::ncols]:
        ax.set_ylabel(_wrap(label(column, units), 38), fontsize=8)
    for ax in axes[(nrows - 1) * ncols:]:
        ax.set_xlabel(WEEK_AXIS if time_col == "week" else f"{time_col} (simulated)", fontsize=8)
    zoomed = plot_rules.zero_rule(axes[0], drawn)  # shared y: one rule for every panel
    if zoomed:
        for ax in axes[ncols::ncols]:
            ax.set_ylabel(axes[0].get_ylabel(), fontsize=8)
    more = f" (first {MAX_CURVES} of {len(conditions)} conditions)" if len(conditions) > MAX_CURVES else ""
    fig.suptitle(_wrap(f"{title}{more}; ticks: meetings, dashed: events", 110), fontsize=10)
    if shown:  # one legend, in a panel that has every kind of line (the reference from the second on)
        plot_rules.legend(axes[min(1, len(shown) - 1)], fontsize=6)
    return _save(fig, path)


def heatmap(table: pd.DataFrame, row: str, col: str, outcome: str, units: dict[str, str], path: Path,
            title: str) -> Figure:
    """Mean outcome over a two-factor grid, each cell annotated with its mean and n.

    The colours stretch over the cells' range, however narrow; the colour bar says that range.
    """
    grid = table.pivot(index=row, columns=col, values="mean")
    n = table.pivot(index=row, columns=col, values="n")
    fig, ax = plt.subplots(figsize=(1.6 * grid.shape[1] + 3, 0.8 * grid.shape[0] + 2.2))
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="viridis", aspect="auto", origin="lower")
    ax.set_xticks(range(grid.shape[1]), [str(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [str(v) for v in grid.index])
    ax.set_xlabel(col)
    ax.set_ylabel(row)
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            ax.text(j, i, f"{grid.iat[i, j]:.3f}\nn={int(n.iat[i, j])}", ha="center", va="center",
                    fontsize=8, color="black" if im.norm(grid.iat[i, j]) > 0.6 else "white")
    values = grid.to_numpy(dtype=float)
    lo, hi = np.nanmin(values), np.nanmax(values)
    fig.colorbar(im, ax=ax, label=_wrap(f"mean {label(outcome, units)}; colours span "
                                         f"{lo:.4g} to {hi:.4g} (a range of {hi - lo:.3g})", 40))
    ax.set_title(_wrap(title, 45), fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def _wrap(text: str, width: int = 70) -> str:
    return "\n".join(textwrap.wrap(text, width))


def forest(rows: list[dict], outcome: str, units: dict[str, str], path: Path, title: str) -> Figure:
    """Contrasts against the baseline with their 95 % intervals, one line each."""
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.6))
    y = np.arange(len(rows))[::-1]
    eff = np.array([r["effect"] for r in rows])
    err = np.array([[r["effect"] - r["lo"] for r in rows], [r["hi"] - r["effect"] for r in rows]])
    ax.errorbar(eff, y, xerr=err, fmt="o", capsize=3, label=f"effect and {LEVEL:.0%} CI")
    ax.axvline(0, color="grey", lw=0.8, ls="--", label="no effect")
    ax.set_yticks(y, [r["name"] for r in rows], fontsize=7)
    ax.set_xlabel(f"difference in {label(outcome, units)}, level minus baseline")
    ax.set_title(title)
    plot_rules.legend(ax, fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return _save(fig, path)


def indices(table: pd.DataFrame, method: str, outcome: str, units: dict[str, str], path: Path,
            title: str) -> Figure:
    """Bar chart of sensitivity indices with their 95 % intervals."""
    pairs = {"mu_star": "mu_star_conf", "S1": "S1_conf", "ST": "ST_conf", "delta": "delta_conf"}
    shown = [c for c in pairs if c in table and not (c == "S1" and "delta" in table)]
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * len(table) + 1.8))
    y = np.arange(len(table))
    height = 0.8 / len(shown)
    for k, c in enumerate(shown):
        ax.barh(y + k * height, table[c], height, xerr=table[pairs[c]], capsize=2, label=c)
    ax.set_yticks(y + height * (len(shown) - 1) / 2, table["factor"], fontsize=8)
    ax.invert_yaxis()
    unit = label(outcome, units) if "mu_star" in shown else "share of output variance (-)"
    ax.set_xlabel(f"mu* (mean absolute elementary effect) of {outcome} [{unit}]" if "mu_star" in shown
                  else unit)
    ax.set_title(title)
    plot_rules.legend(ax, fontsize=7, title=f"error bars: {LEVEL:.0%} CI", title_fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return _save(fig, path)
