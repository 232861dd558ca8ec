"""Figures of a sweep, readable without the code: titled, axes labelled with units, legends."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from cop_sim.figures import WEEK_AXIS  # noqa: E402
from cop_sim.report.stats import LEVEL, _t  # noqa: E402

MAX_CURVES = 12  # more conditions than this in one panel cannot be told apart


def label(name: str, units: dict[str, str]) -> str:
    """An axis label: the outcome's description with its unit, when the model gave one."""
    return units.get(name, f"{name.replace('_', ' ')} (model units)")


def learning_curves(ts: pd.DataFrame, conditions: dict[int, str], column: str, units: dict[str, str],
                    path: Path, title: str) -> Path:
    """Mean of ``column`` over replications per week and condition, with 95 % t bands."""
    time_col = next(c for c in ts.columns if c not in ("run_id", "point", "replication", "seed"))
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for point, name in list(conditions.items())[:MAX_CURVES]:
        g = ts[ts["point"] == point].groupby(time_col)[column]
        mean, sd, n = g.mean(), g.std(ddof=1), g.count()
        half = np.array([_t(k - 1) if k > 1 else np.nan for k in n]) * sd / np.sqrt(n)
        line, = ax.plot(mean.index, mean.to_numpy(), label=name)
        ax.fill_between(mean.index, mean - half, mean + half, color=line.get_color(), alpha=0.2)
    ax.set_title(title)
    ax.set_xlabel(WEEK_AXIS if time_col == "week" else f"{time_col} (simulated time)")
    ax.set_ylabel(label(column, units))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, title=f"condition (band: {LEVEL:.0%} CI)", title_fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def heatmap(table: pd.DataFrame, row: str, col: str, outcome: str, units: dict[str, str], path: Path,
            title: str) -> Path:
    """Mean outcome over a two-factor grid, each cell annotated with its mean and n."""
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
    fig.colorbar(im, ax=ax, label=f"mean {label(outcome, units)}")
    ax.set_title(_wrap(title, 45), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _wrap(text: str, width: int = 70) -> str:
    return "\n".join(textwrap.wrap(text, width))


def forest(rows: list[dict], outcome: str, units: dict[str, str], path: Path, title: str) -> Path:
    """Contrasts against the baseline with their 95 % intervals, one line each."""
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.6))
    y = np.arange(len(rows))[::-1]
    eff = np.array([r["effect"] for r in rows])
    err = np.array([[r["effect"] - r["lo"] for r in rows], [r["hi"] - r["effect"] for r in rows]])
    ax.errorbar(eff, y, xerr=err, fmt="o", capsize=3, label=f"effect and {LEVEL:.0%} CI")
    ax.axvline(0, color="grey", lw=0.8, ls="--", label="no effect")
    ax.set_yticks(y, [r["name"] for r in rows], fontsize=7)
    ax.set_xlabel(f"difference in {label(outcome, units)}")
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def indices(table: pd.DataFrame, method: str, outcome: str, units: dict[str, str], path: Path,
            title: str) -> Path:
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
    ax.legend(fontsize=7, title=f"error bars: {LEVEL:.0%} CI", title_fontsize=7)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
