"""Figures of a single run: panels of outcome time series."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

Panel = tuple[str, str, list[str]]  # title, y label with unit, columns
# the x axis of a weekly series: point w is simulated week w, at its end (docs/ODD.md, 3)
WEEK_AXIS = "simulated week (-1 = starting state)"


def plot_run(ts: pd.DataFrame, panels: list[Panel] | None, path: str | Path, title: str = "") -> Path:
    """Draw a grid of panels of a run's time series against time and save it as PNG."""
    time_col = ts.columns[0]
    if not panels:
        cols = [c for c in ts.columns[1:] if pd.api.types.is_numeric_dtype(ts[c])][:6]
        panels = [(c.replace("_", " "), c, [c]) for c in cols]
    n = len(panels)
    ncols = 2 if n > 1 else 1
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(6 * ncols, 3.2 * nrows), squeeze=False)
    for ax, (ptitle, ylabel, cols) in zip(axes.flat, panels, strict=False):
        for c in cols:
            ax.plot(ts[time_col], ts[c], label=c.replace("_", " "))
        ax.set_title(ptitle)
        ax.set_xlabel(WEEK_AXIS if time_col == "week" else time_col.replace("_", " "))
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if len(cols) > 1:
            ax.legend(fontsize=7)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
