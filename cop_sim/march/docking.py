"""Docking: compare reproduced March (1991) Figure 1 cells with the published ones.

The reference of a cell is the 10,000-iteration replication where one exists (p2 = .5)
and the value read off the figure elsewhere; a reproduction docks when every cell lies
within :data:`TOL_REPLICATION` of a replication value and :data:`TOL_PUBLISHED` of a
figure value (the figure's 80-iteration means are noisier than the replication's).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim.atomic import atomic_path
from cop_sim.march.params import SPEC
from cop_sim.march.simulate import simulate
from cop_sim.params import InputError, defaults

P1_LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
P2_LEVELS = (0.1, 0.5, 0.9)
TOL_REPLICATION = 0.03
TOL_PUBLISHED = 0.05


def published() -> pd.DataFrame:
    """The published Figure 1 table: p2, p1, published, replication_10000 (NaN if none)."""
    with resources.files("cop_sim.data").joinpath("march1991_figure1.csv").open() as fh:
        return pd.read_csv(fh, comment="#")


def reproduce(iterations: int = 1000, seed: int = 1991, base: dict | None = None) -> pd.DataFrame:
    """Simulate every Figure 1 cell, each with ``iterations`` organisations and one seed.

    Args:
        iterations: organisations per cell.
        seed: the seed of every cell (common random numbers across cells).
        base: a resolved scenario to start from (default: the model's defaults).

    Returns:
        One row per cell: p2, p1, code_knowledge, code_knowledge_se.
    """
    resolved = dict(base or defaults(SPEC))
    resolved["iterations"] = iterations
    rows = []
    for p2 in P2_LEVELS:
        for p1 in P1_LEVELS:
            s = simulate({**resolved, "p1": p1, "p2": p2}, seed).summary
            rows.append({"p2": p2, "p1": p1, "code_knowledge": s["code_knowledge"],
                         "code_knowledge_se": s["code_knowledge_se"]})
    return pd.DataFrame(rows)


def from_summary(summary: pd.DataFrame, source: str = "") -> pd.DataFrame:
    """Cell means of a sweep's summary table (one row per run, with p1, p2, code_knowledge)."""
    missing = [c for c in ("p1", "p2", "code_knowledge") if c not in summary.columns]
    if missing:
        raise InputError(source, "", f"not a March Figure 1 sweep: no column(s) {', '.join(missing)} "
                         "(vary p1 and p2; see experiments/march1991_figure1.toml)")
    ok = summary[summary["error"].isna()] if "error" in summary.columns else summary
    if ok.empty:
        raise InputError(source, "", "no successful runs to compare")
    cells = ok.groupby(["p2", "p1"], as_index=False)["code_knowledge"].mean()
    if "code_knowledge_se" in ok.columns:
        # Replications are independent: the se of their mean shrinks with their number.
        se = ok.groupby(["p2", "p1"])["code_knowledge_se"].agg(lambda s: np.sqrt((s**2).sum()) / len(s))
        cells = cells.merge(se.reset_index(), on=["p2", "p1"])
    return cells


def compare(cells: pd.DataFrame) -> pd.DataFrame:
    """Join reproduced cells with the published table and judge each against its reference."""
    pub = published()
    left = cells.assign(p1=cells["p1"].astype(float).round(2), p2=cells["p2"].astype(float).round(2))
    out = pub.merge(left, on=["p2", "p1"], how="inner")
    if out.empty:
        raise InputError("", "", "no reproduced cell matches a Figure 1 cell (p1, p2 in .1 ... .9)")
    has_rep = out["replication_10000"].notna()
    out["reference"] = out["replication_10000"].where(has_rep, out["published"])
    out["tolerance"] = np.where(has_rep, TOL_REPLICATION, TOL_PUBLISHED)
    out["diff_published"] = out["code_knowledge"] - out["published"]
    out["diff_reference"] = out["code_knowledge"] - out["reference"]
    out["within"] = out["diff_reference"].abs() <= out["tolerance"]
    return out.sort_values(["p2", "p1"]).reset_index(drop=True)


def format_table(table: pd.DataFrame) -> str:
    """The per-cell comparison as aligned text."""
    head = (f"{'p2':>4} {'p1':>4} {'reproduced':>10} {'published':>9} {'diff':>7} "
            f"{'10k rep.':>8} {'diff':>7}  {'tol':>4}  ok")
    lines = [head]
    for r in table.itertuples():
        rep = "" if np.isnan(r.replication_10000) else f"{r.replication_10000:.3f}"
        drep = "" if np.isnan(r.replication_10000) else f"{r.code_knowledge - r.replication_10000:+.3f}"
        lines.append(f"{r.p2:>4.1f} {r.p1:>4.1f} {r.code_knowledge:>10.3f} {r.published:>9.3f} "
                     f"{r.diff_published:>+7.3f} {rep:>8} {drep:>7}  {r.tolerance:.2f}  "
                     f"{'yes' if r.within else 'NO'}")
    return "\n".join(lines)


def verdict(table: pd.DataFrame) -> str:
    """One line: cells within tolerance and the largest differences."""
    return (f"{int(table['within'].sum())} of {len(table)} cells within tolerance "
            f"(±{TOL_REPLICATION} of the 10,000-iteration replication, ±{TOL_PUBLISHED} of the figure); "
            f"max |diff| from the figure {table['diff_published'].abs().max():.3f}, "
            f"mean |diff| {table['diff_published'].abs().mean():.3f}")


def plot(table: pd.DataFrame, path: str | Path, title: str = "") -> Path:
    """Draw reproduced curves over the published points, one colour per p2, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 5))
    for (p2, cell), colour in zip(table.groupby("p2"), ("tab:blue", "tab:orange", "tab:green"),
                                  strict=False):
        err = 1.96 * cell["code_knowledge_se"] if "code_knowledge_se" in cell else None
        ax.errorbar(cell["p1"], cell["code_knowledge"], yerr=err, color=colour, marker="o", ms=4,
                    capsize=2, label=f"cop_sim (95% CI), p2 = {p2:.1f}")
        ax.plot(cell["p1"], cell["published"], ls="none", marker="s", mfc="none", color=colour, ms=8,
                label=f"March (1991) Fig. 1, p2 = {p2:.1f}")
        rep = cell.dropna(subset=["replication_10000"])
        if len(rep):
            ax.plot(rep["p1"], rep["replication_10000"], ls="none", marker="x", color=colour, ms=7,
                    label=f"10,000-iteration replication, p2 = {p2:.1f}")
    ax.set_xlabel("socialisation rate p1 (per dimension per period)")
    ax.set_ylabel("average equilibrium code knowledge Σ(code·reality)/m")
    ax.set_title(title or "Docking cop_sim with March (1991) Figure 1 (m = 30, n = 50)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=1, loc="lower left")
    fig.tight_layout()
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    plt.close(fig)
    return Path(path)
