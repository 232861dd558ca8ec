"""The demo's pictures, drawn with matplotlib from a model or its weekly record.

Pure functions from data to ``matplotlib.figure.Figure`` (no pyplot: the server draws from
several threads at once), so they can be tested and reused without a browser.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

DISCIPLINE_LABELS = {
    "gp": "GP",
    "nurse": "nurse",
    "specialist": "specialist",
    "social_worker": "social worker",
    "pharmacist": "pharmacist",
    "community_worker": "community worker",
    "manager": "manager",
    "policy_maker": "policy maker",
}
# Shape tells the discipline, so colour is free for knowledge.
DISCIPLINE_MARKERS = {
    "gp": "o",
    "nurse": "s",
    "specialist": "^",
    "social_worker": "p",
    "pharmacist": "h",
    "community_worker": "v",
    "manager": "<",
    "policy_maker": ">",
}
KNOWLEDGE_CMAP = "viridis"
A_COLOUR, B_COLOUR = "#1f77b4", "#d62728"
DPI = 80
# fixed margins: tight_layout would draw every figure twice, and the demo redraws each week
MARGINS = {"left": 0.12, "right": 0.97, "top": 0.92, "bottom": 0.27}


def label(discipline: str) -> str:
    """A discipline in plain words."""
    return DISCIPLINE_LABELS.get(discipline, discipline.replace("_", " "))


def _empty(fig: Figure, text: str) -> Figure:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="0.4")
    ax.set_axis_off()
    return fig


def layout(model: Any, cop: int) -> dict[int, np.ndarray]:
    """Fixed positions for one CoP's members, so the picture does not jump between weeks.

    Members of the same discipline sit together on a circle; the moderator and the
    representative are drawn in the middle.
    """
    members = sorted((p for p in model.practitioners if p.cop == cop),
                     key=lambda p: (p.discipline, p.idx))
    graph = nx.Graph()
    graph.add_nodes_from(p.idx for p in members)
    return nx.circular_layout(graph) if members else {}


def network_figure(model: Any, cop: int) -> Figure:
    """One CoP as a network: who is in it, what they know, who trusts whom, who came.

    Args:
        model: A CopModel (practitioners, moderators, representatives, trust_edges).
        cop: Index of the community to draw.
    """
    fig = Figure(figsize=(6.4, 5.4), dpi=DPI)
    members = [p for p in model.practitioners if p.cop == cop]
    if not members:
        return _empty(fig, "This community has no members")
    pos = layout(model, cop)
    ax = fig.add_axes((0.02, 0.17, 0.76, 0.76))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.3, 1.3)

    edges = [(a, b, t) for a, b, t in model.trust_edges(cop) if a in pos and b in pos and t > 0.02]
    if edges:
        trust = np.array([t for _, _, t in edges])
        colours = np.zeros((len(edges), 4))
        colours[:, :3] = (0.55, 0.43, 0.19)
        colours[:, 3] = 0.15 + 0.6 * trust
        segments = [(pos[a], pos[b]) for a, b, _ in edges]
        ax.add_collection(LineCollection(segments, linewidths=0.4 + 3.6 * trust, colors=colours,
                                         zorder=1, capstyle="round"))

    norm = Normalize(0.0, 1.0)
    cmap = colormaps[KNOWLEDGE_CMAP]
    for disc in sorted({p.discipline for p in members}):
        group = [p for p in members if p.discipline == disc]
        xy = np.array([pos[p.idx] for p in group])
        know = np.array([float(np.mean(p.knowledge)) for p in group])
        size = np.array([80 + 420 * float(p.status) for p in group])
        came = np.array([bool(p.attended_last) for p in group])
        # ring = came to the last meeting; no ring and faded = stayed away
        ax.scatter(xy[:, 0], xy[:, 1], s=size, c=cmap(norm(know)), marker=DISCIPLINE_MARKERS.get(disc, "o"),
                   edgecolors=np.where(came, "black", "none").tolist(), linewidths=2.2, zorder=3)
        if (~came).any():
            ax.scatter(xy[~came, 0], xy[~came, 1], s=size[~came], c="white", alpha=0.45,
                       marker=DISCIPLINE_MARKERS.get(disc, "o"), edgecolors="none", zorder=4)

    n_mod = sum(1 for m in model.moderators if m.cop == cop)
    n_rep = sum(1 for r in model.representatives if r.cop == cop)
    if n_mod:
        ax.scatter([0], [0.18 if n_rep else 0], s=420, marker="*", c="#ff7f0e", edgecolors="black", zorder=5)
        ax.annotate(f"moderator{'s' if n_mod > 1 else ''} ({n_mod})", (0, 0.18 if n_rep else 0),
                    xytext=(0, -22), textcoords="offset points", ha="center", fontsize=9)
    if n_rep:
        ax.scatter([0], [-0.3], s=300, marker="D", c="#e377c2", edgecolors="black", zorder=5)
        ax.annotate("patient / family\nrepresentative", (0, -0.3), xytext=(0, -30),
                    textcoords="offset points", ha="center", fontsize=9)

    came_n = sum(bool(p.attended_last) for p in members)
    name = model.cop_names[cop] if cop < len(model.cop_names) else f"CoP {cop + 1}"
    ax.set_title(f"{name}: {len(members)} members, {came_n} came to the last meeting", fontsize=11)

    handles = [Line2D([], [], marker=DISCIPLINE_MARKERS.get(d, "o"), ls="", color="0.5", markersize=8,
                      label=label(d)) for d in sorted({p.discipline for p in members})]
    handles += [
        Line2D([], [], marker="o", ls="", mfc="0.6", mec="black", mew=2, markersize=8,
               label="came to last meeting"),
        Line2D([], [], marker="o", ls="", mfc="0.85", mec="none", markersize=8, label="stayed away (faded)"),
        Line2D([], [], color="#8c6d31", lw=3, label="trust (thicker = more)"),
    ]
    fig.legend(handles=handles, loc="lower left", ncol=3, fontsize=8, frameon=False,
               bbox_to_anchor=(0.01, 0.0), columnspacing=1.0, handletextpad=0.3)
    cax = fig.add_axes((0.83, 0.25, 0.03, 0.6))
    fig.colorbar(cmap_mappable(cmap, norm), cax=cax).set_label("knowledge (0 = none, 1 = expert)", fontsize=9)
    fig.text(0.845, 0.17, "bigger =\nhigher status", ha="center", fontsize=8)
    return fig


def cmap_mappable(cmap: Any, norm: Normalize) -> Any:
    """A colour scale for a colour bar without an image behind it."""
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=cmap)


def _axes(fig: Figure, frame: pd.DataFrame, title: str, ylabel: str, horizon: int | None) -> Any:
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("week")
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, max(horizon or 0, int(frame["week"].max()) if len(frame) else 1, 1))
    ax.grid(alpha=0.3)
    return ax


def _legend_below(fig: Figure, ax: Any) -> None:
    """The legend under the plot, where it cannot hide a curve."""
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.subplots_adjust(**MARGINS)


def learning_figure(frame: pd.DataFrame, horizon: int | None = None) -> Figure:
    """Learning curves: mean knowledge, care quality and shared vision, 0-1, by week."""
    fig = Figure(figsize=(6.4, 4.6), dpi=DPI)
    ax = _axes(fig, frame, "How the community learns", "level (0 = none, 1 = full)", horizon)
    for col, name, colour in (("knowledge_mean", "knowledge (mean of members)", "#2ca02c"),
                              ("care_quality", "quality of care", "#1f77b4"),
                              ("shared_vision", "shared vision of care", "#9467bd")):
        if col in frame:
            ax.plot(frame["week"], frame[col], lw=2.2, label=name, color=colour)
    ax.set_ylim(0, 1)
    _legend_below(fig, ax)
    return fig


def encounters_figure(frame: pd.DataFrame, horizon: int | None = None) -> Figure:
    """How professionals work together on patients: shares of encounters by mode, stacked."""
    fig = Figure(figsize=(6.4, 4.6), dpi=DPI)
    ax = _axes(fig, frame, "How professionals work together", "share of encounters (%, 4-week avg)", horizon)
    modes = [("consultation_share", "consultation (one asks another)", "#c7c7c7"),
             ("coordination_share", "coordination (hand-offs)", "#ffbb78"),
             ("collaboration_share", "collaboration (joint care)", "#2ca02c")]
    present = [m for m in modes if m[0] in frame]
    if len(frame) and present:
        ax.stackplot(frame["week"], *[100 * np.nan_to_num(smooth(frame[c])) for c, _, _ in present],
                     labels=[n for _, n, _ in present], colors=[k for _, _, k in present], alpha=0.9)
    if "patient_included_share" in frame:
        ax.plot(frame["week"], 100 * smooth(frame["patient_included_share"]), color="black", lw=2, ls="--",
                label="patient included in the decision")
    ax.set_ylim(0, 100)
    _legend_below(fig, ax)
    return fig


def time_figure(frame: pd.DataFrame, horizon: int | None = None) -> Figure:
    """Who comes and who is heard at meetings; CoP hours against patients' waiting time."""
    fig = Figure(figsize=(6.4, 4.8), dpi=DPI)
    top, bottom = fig.subplots(2, 1, sharex=True)
    xmax = max(horizon or 0, int(frame["week"].max()) if len(frame) else 1, 1)
    # attendance and voice exist only in meeting weeks (NaN otherwise): draw those weeks as points
    for col, name, colour in (("attendance", "came to the meeting (% of members)", "#17becf"),
                              ("low_status_contribution", "discussion led by lower-status members (%)",
                               "#8c564b")):
        if col in frame:
            held = frame[["week", col]].dropna()
            top.plot(held["week"], 100 * held[col], "o-", color=colour, lw=1.8, ms=5, label=name)
    top.set_ylim(0, 105)
    top.set_ylabel("% (meeting weeks)")
    top.set_title("Meetings: who comes, who is heard", fontsize=11)
    top.legend(loc="lower left", fontsize=8)
    top.grid(alpha=0.3)

    if "cop_hours" in frame:
        bottom.bar(frame["week"], frame["cop_hours"], color="#ff7f0e", alpha=0.6, width=0.9)
    bottom.set_ylabel("CoP hours\n(all members)", color="#c35f00")
    bottom.set_ylim(bottom=0)
    wait = bottom.twinx()
    if "waiting_weeks" in frame:
        wait.plot(frame["week"], smooth(frame["waiting_weeks"]), color="#d62728", lw=2)
    wait.set_ylabel("waiting time\n(weeks, 4-week avg)", color="#d62728")
    wait.set_ylim(bottom=0)
    bottom.set_title("The price of time: hours in the CoP (bars) and patients' waiting (line)", fontsize=10)
    bottom.set_xlabel("week")
    bottom.set_xlim(0, xmax)
    bottom.grid(alpha=0.3)
    fig.subplots_adjust(left=0.13, right=0.86, top=0.93, bottom=0.1, hspace=0.3)
    return fig


def smooth(series: pd.Series, weeks: int = 4) -> np.ndarray:
    """A trailing moving average, so week-to-week chance does not hide the trend."""
    return series.astype(float).rolling(weeks, min_periods=1).mean().to_numpy()


# column, title, unit, scale, how: "level" as is, "smooth" 4-week average, "meetings" meeting weeks only
COMPARE_PANELS = (
    ("knowledge_mean", "Knowledge (mean of members)", "0-1", 1.0, "level"),
    ("care_quality", "Quality of care", "0-1", 1.0, "level"),
    ("shared_vision", "Shared vision of care", "0-1", 1.0, "level"),
    ("cocreated", "New knowledge created together", "count (so far)", 1.0, "level"),
    ("low_status_contribution", "Discussion led by lower-status members", "% (meeting weeks)", 100.0,
     "meetings"),
    ("attendance", "Came to meetings", "% of members", 100.0, "meetings"),
    ("cop_hours", "Hours in the CoP", "hours, all members, 4-week avg", 1.0, "smooth"),
    ("waiting_weeks", "Patients' waiting time", "weeks, 4-week avg", 1.0, "smooth"),
)


def _series(frame: pd.DataFrame, col: str, how: str) -> tuple[np.ndarray, np.ndarray]:
    if how == "meetings":
        held = frame[["week", col]].dropna()
        return held["week"].to_numpy(), held[col].to_numpy(float)
    values = smooth(frame[col]) if how == "smooth" else frame[col].to_numpy(float)
    return frame["week"].to_numpy(), values


def comparison_figure(runs_a: list[pd.DataFrame], runs_b: list[pd.DataFrame],
                      label_a: str, label_b: str) -> Figure:
    """The same scenario under two settings, overlaid panel by panel (A blue, B red).

    Each setting may have several runs (seeds): thin lines are single runs, the thick line
    is their average, so a class sees both the difference and the play of chance.
    """
    fig = Figure(figsize=(14, 6.6), dpi=DPI)
    axes = fig.subplots(2, 4, sharex=True)
    for ax, (col, title, unit, scale, how) in zip(axes.flat, COMPARE_PANELS, strict=True):
        for runs, colour in ((runs_a, A_COLOUR), (runs_b, B_COLOUR)):
            runs = [r for r in runs if col in r]
            if not runs:
                continue
            for r in runs if len(runs) > 1 else []:
                x, y = _series(r, col, how)
                ax.plot(x, scale * y, color=colour, lw=0.7, alpha=0.3)
            both = pd.concat([pd.DataFrame(dict(zip(("week", "v"), _series(r, col, how), strict=True)))
                              for r in runs])
            mean = both.groupby("week")["v"].mean()
            # B dashed on top of a wider A, so both stay visible where they coincide
            ax.plot(mean.index, scale * mean.to_numpy(), color=colour, lw=3.2 if colour == A_COLOUR else 2.2,
                    ls="-" if colour == A_COLOUR else "--", marker="o" if how == "meetings" else None, ms=4)
        ax.set_title(title, fontsize=11)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        if unit == "0-1":
            ax.set_ylim(0, 1)
        elif unit.startswith("%"):
            ax.set_ylim(0, 105)
        else:
            ax.set_ylim(bottom=0)
    for ax in axes[1]:
        ax.set_xlabel("week")
    n = max(len(runs_a), len(runs_b))
    runs_note = f" (thick: average of {n} runs)" if n > 1 else ""
    handles = [Line2D([], [], color=A_COLOUR, lw=3.2, label=f"A: {label_a}"),
               Line2D([], [], color=B_COLOUR, lw=2.2, ls="--", label=f"B: {label_b}{runs_note}")]
    fig.legend(handles=handles, loc="upper center", ncol=2, fontsize=11, frameon=False)
    fig.subplots_adjust(left=0.05, right=0.99, top=0.86, bottom=0.09, wspace=0.28, hspace=0.3)
    return fig
