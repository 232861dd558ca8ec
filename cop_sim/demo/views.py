"""The demo's pictures of a running CoP model, drawn with matplotlib from the run or its weekly record.

Pure functions from data to ``matplotlib.figure.Figure`` (no pyplot: the server draws from
several threads at once), so they can be tested and reused without a browser.

Each view of a running model is built in two parts, so that the demo can keep a figure from
week to week (:mod:`cop_sim.demo.live`): a base whose moving artists are empty and named by
``gid``, and a ``*_data`` function giving those artists' content for the week. A ``*_key``
function says what fixes the still parts: when it changes, the figure is built again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from cop_sim.demo.moving import apply
from cop_sim.demo.readings import member_belief_error, members, trust_edges
from cop_sim.vocab import DISCIPLINES

# Shape tells the discipline, so colour is free for beliefs.
DISCIPLINE_MARKERS = {"gp": "o", "nurse": "s", "specialist": "^", "social_worker": "p", "pharmacist": "h",
                      "community_worker": "v", "manager": "<", "policy_maker": ">"}
ERROR_CMAP = "viridis_r"  # yellow = beliefs close to the truth, dark purple = far off
ERROR_SCALE = 0.3  # belief error at the dark end of the colour scale
A_COLOUR, B_COLOUR = "#1f77b4", "#d62728"
COP_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
DPI = 80
# fixed margins: tight_layout would draw every figure twice, and the demo redraws each week
MARGINS = {"left": 0.12, "right": 0.88, "top": 0.92, "bottom": 0.27}


def label(discipline: str) -> str:
    """A discipline in plain words."""
    return {"gp": "GP"}.get(discipline, discipline.replace("_", " "))


def _empty(fig: Figure, text: str) -> Figure:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="0.4")
    ax.set_axis_off()
    return fig


def layout(model: Any, cop: int) -> dict[int, np.ndarray]:
    """Fixed positions on a circle for one CoP's members, grouped by discipline, so nothing jumps."""
    idx = sorted(members(model, cop).tolist(), key=lambda i: (int(model.pr.disc[i]), i))
    angles = np.pi / 2 - 2 * np.pi * np.arange(len(idx)) / max(len(idx), 1)
    return {i: np.array([np.cos(a), np.sin(a)]) for i, a in zip(idx, angles, strict=True)}


def network_key(run: Any, cop: int) -> tuple:
    """What fixes the network picture's still parts: who the members are and who moderates."""
    model = run.model
    idx = members(model, cop)
    return ("network", cop, tuple(idx.tolist()), tuple(model.pr.disc[idx].tolist()),
            tuple(np.round(model.pr.status[idx], 3).tolist()), int(model.cops[cop]["moderators"]) > 0,
            bool(model.cp.representative[cop]))


def network_figure(run: Any, cop: int) -> Figure:
    """One CoP as a network: who is in it, how far off their beliefs are, who trusts whom, who came.

    Args:
        run: A :class:`cop_sim.demo.session.DemoRun`.
        cop: Index of the community to draw.
    """
    return apply(network_base(run, cop), network_data(run, cop))


def network_base(run: Any, cop: int) -> Figure:
    """The network picture without this week's state (its moving artists are empty, named by gid)."""
    model = run.model
    fig = Figure(figsize=(6.4, 5.4), dpi=DPI)
    idx = members(model, cop)
    if not len(idx):
        return _empty(fig, "This community has no members")
    ax = fig.add_axes((0.02, 0.17, 0.76, 0.76))
    ax.set_axis_off()
    ax.set_aspect("equal")
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.3, 1.3)
    ax.add_collection(LineCollection([], zorder=1, capstyle="round", gid="trust"))
    pr = model.pr
    for d in sorted({int(pr.disc[i]) for i in idx}):
        marker = DISCIPLINE_MARKERS.get(DISCIPLINES[d], "o")
        # ring = came to the latest meeting (none yet: everyone ringed); no ring and faded = stayed away
        ax.scatter([], [], marker=marker, linewidths=2.0, zorder=3, gid=f"members:{d}")
        ax.scatter([], [], c="white", alpha=0.45, marker=marker, edgecolors="none", zorder=4,
                   gid=f"faded:{d}")

    rep = bool(model.cp.representative[cop])
    if int(model.cops[cop]["moderators"]):
        ax.scatter([0], [0.18 if rep else 0], s=420, marker="*", c="#ff7f0e", edgecolors="black", zorder=5,
                   gid="moderator")
        ax.annotate("", (0, 0.18 if rep else 0), xytext=(0, -22), textcoords="offset points",
                    ha="center", fontsize=9, gid="moderator-label", zorder=5)
    if rep:
        ax.scatter([0], [-0.3], s=300, marker="D", c="#e377c2", edgecolors="black", zorder=5,
                   gid="representative")
        ax.annotate("patient\nrepresentative", (0, -0.3), xytext=(0, -30), textcoords="offset points",
                    ha="center", fontsize=9, gid="representative-label", zorder=5)
    ax.set_title(" ", fontsize=11)
    ax.title.set_gid("title")

    discs = [DISCIPLINES[d] for d in sorted({int(pr.disc[i]) for i in idx})]
    handles = [Line2D([], [], marker=DISCIPLINE_MARKERS.get(d, "o"), ls="", color="0.5", markersize=8,
                      label=label(d)) for d in discs]
    handles += [
        Line2D([], [], marker="o", ls="", mfc="0.6", mec="black", mew=2, markersize=8,
               label="came to the latest meeting"),
        Line2D([], [], marker="o", ls="", mfc="0.85", mec="none", markersize=8, label="stayed away (faded)"),
        Line2D([], [], color="#8c6d31", lw=3, label="trust (thicker = more)"),
    ]
    fig.legend(handles=handles, loc="lower left", ncol=3, fontsize=8, frameon=False,
               bbox_to_anchor=(0.01, 0.0), columnspacing=1.0, handletextpad=0.3)
    cax = fig.add_axes((0.83, 0.25, 0.03, 0.6))
    norm = Normalize(0.0, ERROR_SCALE)
    fig.colorbar(_mappable(colormaps[ERROR_CMAP], norm), cax=cax).set_label(
        "belief error |belief − true value|", fontsize=9)
    fig.text(0.845, 0.17, "bigger =\nhigher status", ha="center", fontsize=8)
    return fig


def network_data(run: Any, cop: int) -> dict[str, Any]:
    """This week's state of the network picture, by gid of the artist that shows it."""
    model = run.model
    idx = members(model, cop)
    if not len(idx):
        return {}
    pos = layout(model, cop)
    out: dict[str, Any] = {}
    edges = [(a, b, t) for a, b, t in trust_edges(model, cop) if t > 0.02]
    trust = np.clip(np.array([t for _, _, t in edges]), 0.0, 1.0)
    colours = np.zeros((len(edges), 4))
    colours[:, :3] = (0.55, 0.43, 0.19)
    colours[:, 3] = 0.1 + 0.5 * trust
    out["trust"] = {"segments": [(pos[a], pos[b]) for a, b, _ in edges], "linewidth": 0.3 + 2.7 * trust,
                    "color": colours}

    pr = model.pr
    error = member_belief_error(model)
    norm = Normalize(0.0, ERROR_SCALE)
    cmap = colormaps[ERROR_CMAP]
    last = run.stories.latest[cop]
    for d in sorted({int(pr.disc[i]) for i in idx}):
        group = [i for i in pos if pr.disc[i] == d]
        xy = np.array([pos[i] for i in group])
        size = np.array([80 + 420 * float(pr.status[i]) for i in group])
        came = np.array([last is None or i in last.attendees for i in group])
        out[f"members:{d}"] = {"offsets": xy, "sizes": size,
                               "facecolor": cmap(norm(np.nan_to_num(error[group], nan=ERROR_SCALE))),
                               "edgecolor": np.where(came, "black", "none").tolist()}
        out[f"faded:{d}"] = {"offsets": xy[~came].reshape(-1, 2), "sizes": size[~came]}
    n_mod = int(model.cops[cop]["moderators"])
    out["moderator-label"] = f"moderator{'s' if n_mod > 1 else ''} ({n_mod})"
    when = (f"{last.came} of {last.invited} came to the meeting of week {last.week}" if last
            else "no meeting yet")
    out["title"] = f"{model.cop_names[cop]}: {len(idx)} members; {when}"
    return out


def _beliefs_chosen(run: Any, cop: int) -> list[int]:
    """The CoP's highest- and lowest-status members."""
    idx = members(run.model, cop)
    status = run.model.pr.status[idx]
    return [int(idx[np.argmax(status)]), int(idx[np.argmin(status)])]


def beliefs_key(run: Any, cop: int) -> tuple:
    """What fixes the beliefs picture's still parts: the two members shown."""
    return ("beliefs", cop, tuple(_beliefs_chosen(run, cop)) if len(members(run.model, cop)) else ())


def beliefs_figure(run: Any, cop: int) -> Figure:
    """What the CoP's highest- and lowest-status members believe each practice is worth, against the truth.

    One point per topic and practice, for patients without social needs (filled) and with them
    (open): on the diagonal, the belief is right. The true value is the practice's mean over the
    world's patient contexts with the other topics at their best (:func:`true_practice_values`).
    """
    return apply(beliefs_base(run, cop), beliefs_data(run, cop))


def beliefs_base(run: Any, cop: int) -> Figure:
    model = run.model
    fig = Figure(figsize=(6.4, 4.8), dpi=DPI)
    if not len(members(model, cop)):
        return _empty(fig, "This community has no members")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="0.6", lw=1, ls=":", zorder=1)
    for k, colour in enumerate(("#d62728", "#1f77b4")):
        for s, face in ((0, colour), (1, "none")):
            ax.scatter([], [], s=28, facecolors=face, edgecolors=colour, zorder=3, label=" ",
                       gid=f"beliefs:{k}:{s}")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("true value of the practice (mean over patients)")
    ax.set_ylabel("believed value")
    ax.set_title(f"{model.cop_names[cop]}: beliefs against the truth (dotted line = right)", fontsize=11)
    ax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=1, fontsize=8,
               frameon=False).set_gid("beliefs-legend")
    fig.subplots_adjust(left=0.12, right=0.97, top=0.92, bottom=0.36)
    return fig


def _seen_contexts(w: Any, s: int) -> np.ndarray:
    """Which (belief context, topic) cells some catalogue context with social context s falls in."""
    seen = np.zeros((w.n_bctx, w.n_topics), dtype=bool)
    c, t = np.nonzero(w.ctx_active & (w.ctx_social == s)[:, None])
    seen[w.ctx_bctx[1, c, t], t] = True
    return seen


def beliefs_data(run: Any, cop: int) -> dict[str, Any]:
    """This week's beliefs of the two members, by gid, and the legend's labels with their errors."""
    model = run.model
    if not len(members(model, cop)):
        return {}
    truth, w = run.truth, model.world
    out: dict[str, Any] = {}
    labels = []
    for k, i in enumerate(_beliefs_chosen(run, cop)):
        who = f"{label(DISCIPLINES[int(model.pr.disc[i])])} (status {float(model.pr.status[i]):.1f})"
        for s in (0, 1):
            # only belief contexts and topics some patient of this kind has (no social-needs topic
            # without social needs): with partner contexts, every partner mask seen in the catalogue
            seen = _seen_contexts(w, s)
            belief, true = model.pr.mu[i][seen].ravel(), truth[seen].ravel()
            err = float(np.abs(belief - true).mean())
            out[f"beliefs:{k}:{s}"] = {"offsets": np.column_stack([true, belief])}
            labels.append(f"{who}, {'no ' if s == 0 else ''}social needs: off by {err:.2f}")
    out["beliefs-legend"] = labels
    return out


def _mappable(cmap: Any, norm: Normalize) -> Any:
    """A colour scale for a colour bar without an image behind it."""
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=cmap)


def _axes(fig: Figure, frame: pd.DataFrame, title: str, ylabel: str, horizon: int | None) -> Any:
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=11)
    ax.set_xlabel("week")
    ax.set_ylabel(ylabel)
    ax.set_xlim(-0.5, _xmax(frame, horizon))  # week 0 clear of the edge: a line there is not cut
    ax.grid(alpha=0.3)
    return ax


def smooth(series: pd.Series, weeks: int = 4) -> np.ndarray:
    """A trailing moving average, so week-to-week chance does not hide the trend."""
    return series.astype(float).rolling(weeks, min_periods=1).mean().to_numpy()


def nice_top(value: float, least: float = 1.0) -> float:
    """An axis top at or above ``value`` from 1, 2, 2.5, 5 x 10^k (at least ``least``).

    The top changes only when the data cross such a step, so a class does not see the axis
    move every week, and the demo redraws an axis only then (see :mod:`cop_sim.demo.live`).
    """
    if not np.isfinite(value) or value <= least:
        return least
    scale = 10.0 ** np.floor(np.log10(value))
    return float(next(scale * m for m in (1.0, 2.0, 2.5, 5.0, 10.0) if scale * m >= value - 1e-12))


def _top(frame: pd.DataFrame, col: str, least: float, smoothed: bool = False) -> float:
    if col not in frame or not len(frame):
        return least
    values = smooth(frame[col]) if smoothed else frame[col].to_numpy(float)
    seen = values[np.isfinite(values)]
    return nice_top(1.1 * float(seen.max()), least) if len(seen) else least


def learning_key(frame: pd.DataFrame, horizon: int | None = None) -> tuple:
    """What fixes the learning picture's still parts: the horizon and the belief-error axis."""
    return ("learning", _xmax(frame, horizon), _top(frame, "belief_error", 0.3))


def learning_figure(frame: pd.DataFrame, horizon: int | None = None) -> Figure:
    """Beliefs and care: belief error (right axis) against care quality and goals met (0-1), by week."""
    fig = Figure(figsize=(6.4, 4.6), dpi=DPI)
    ax = _axes(fig, frame, "What members believe, and the care it gives", "care (0-1, 4-week avg)", horizon)
    for col, name, colour in (("care_quality", "quality of care (of the best possible)", "#1f77b4"),
                              ("goals_met", "patients whose goals are met", "#2ca02c")):
        if col in frame:
            ax.plot([], [], lw=2.2, label=name, color=colour, gid=col)
    ax.set_ylim(0, 1)
    err = ax.twinx()
    if "belief_error" in frame:
        err.plot([], [], lw=2.2, ls="--", color="#d62728", label="belief error |belief − true value| (right)",
                 gid="belief_error")
    err.set_ylabel("belief error (4-week avg)", color="#d62728")
    err.set_ylim(0, _top(frame, "belief_error", 0.3))
    handles = ax.get_legend_handles_labels()[0] + err.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.subplots_adjust(**MARGINS)
    return apply(fig, learning_data(frame))


def learning_data(frame: pd.DataFrame) -> dict[str, Any]:
    """The learning picture's curves so far, by gid."""
    frame = simulated(frame)
    return {col: (frame["week"], smooth(frame[col])) for col in ("care_quality", "goals_met", "belief_error")
            if col in frame}


def health_key(cop_frame: pd.DataFrame, names: list[str], cop: int, horizon: int | None = None) -> tuple:
    """What fixes the health picture's still parts."""
    return ("health", _xmax(cop_frame, horizon), tuple(names), cop)


def health_figure(cop_frame: pd.DataFrame, names: list[str], cop: int, horizon: int | None = None) -> Figure:
    """Patients' health (mean control of their conditions, 0-1) in each CoP, the chosen one in bold."""
    fig = Figure(figsize=(6.4, 4.6), dpi=DPI)
    ax = _axes(fig, cop_frame, "Patients' health by CoP", "mean control (0-1, 4-week avg)", horizon)
    for c, name in enumerate(names):
        ax.plot([], [], color=COP_COLOURS[c % len(COP_COLOURS)], lw=3.0 if c == cop else 1.3,
                alpha=1.0 if c == cop else 0.7, label=name, gid=f"health:{c}", zorder=2.5 if c == cop else 2)
    ax.set_ylim(0, 1)
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=min(len(names), 4), fontsize=9,
               frameon=False)
    fig.subplots_adjust(**{**MARGINS, "right": 0.97})
    return apply(fig, health_data(cop_frame, names))


def health_data(cop_frame: pd.DataFrame, names: list[str]) -> dict[str, Any]:
    """Each CoP's health curve so far, by gid."""
    cop_frame = simulated(cop_frame)
    out = {}
    for c, name in enumerate(names):
        rows = cop_frame[cop_frame["cop"] == name]
        out[f"health:{c}"] = (rows["week"], smooth(rows["health"]))
    return out


def time_key(frame: pd.DataFrame, horizon: int | None = None) -> tuple:
    """What fixes the time picture's still parts: the horizon and the two axes that grow."""
    return ("time", _xmax(frame, horizon), _top(frame, "cop_hours", 1.0),
            _top(frame, "waiting_weeks", 0.05, smoothed=True))


def time_figure(frame: pd.DataFrame, horizon: int | None = None) -> Figure:
    """Who comes and who is heard at meetings; CoP hours against patients' waiting time."""
    fig = Figure(figsize=(6.4, 4.8), dpi=DPI)
    top, bottom = fig.subplots(2, 1, sharex=True)
    # attendance and voice exist only in meeting weeks (NaN otherwise): draw those weeks as points
    for col, name, colour in (("attendance", "came to the meeting (% of members)", "#17becf"),
                              ("low_status_voice", "lower-status tellers' voice, per story told (%)",
                               "#8c564b")):
        if col in frame:
            top.plot([], [], "o-", color=colour, lw=1.8, ms=5, label=name, gid=col)
    top.set_ylim(0, 125)
    top.set_ylabel("% (meeting weeks)")
    top.set_title("Meetings: who comes, who is heard", fontsize=11)
    top.legend(loc="lower left", fontsize=8).set_zorder(1.5)  # under the points: it stays still (demo.live)
    top.grid(alpha=0.3)

    if "cop_hours" in frame:  # one collection of bars, so that a week's bar is added by new vertices
        bottom.add_collection(PolyCollection([], facecolors="#ff7f0e", alpha=0.6, edgecolors="none",
                                             gid="cop_hours", zorder=1.6))  # over the grid, as it moves
    bottom.set_ylabel("CoP hours\n(all members)", color="#c35f00")
    bottom.set_ylim(0, _top(frame, "cop_hours", 1.0))
    wait = bottom.twinx()
    if "waiting_weeks" in frame:
        wait.plot([], [], color="#d62728", lw=2, gid="waiting_weeks")
    wait.set_ylabel("waiting time\n(weeks, 4-week avg)", color="#d62728")
    wait.set_ylim(0, _top(frame, "waiting_weeks", 0.05, smoothed=True))
    bottom.set_title("The price of time: hours in the CoP (bars) and patients' waiting (line)", fontsize=10)
    bottom.set_xlabel("week")
    bottom.set_xlim(-0.5, _xmax(frame, horizon))
    bottom.grid(alpha=0.3)
    fig.subplots_adjust(left=0.13, right=0.86, top=0.93, bottom=0.1, hspace=0.3)
    return apply(fig, time_data(frame))


def time_data(frame: pd.DataFrame) -> dict[str, Any]:
    """The time picture's points, bars and line so far, by gid."""
    frame = simulated(frame)
    out: dict[str, Any] = {}
    for col in ("attendance", "low_status_voice"):
        if col in frame:
            held = frame[["week", col]].dropna()
            out[col] = (held["week"], 100 * held[col])
    if "cop_hours" in frame:
        week, hours = frame["week"].to_numpy(float), np.nan_to_num(frame["cop_hours"].to_numpy(float))
        out["cop_hours"] = {"verts": [((w - 0.45, 0), (w - 0.45, h), (w + 0.45, h), (w + 0.45, 0))
                                      for w, h in zip(week, hours, strict=True)]}
    if "waiting_weeks" in frame:
        out["waiting_weeks"] = (frame["week"], smooth(frame["waiting_weeks"]))
    return out


def simulated(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of simulated weeks (0 on): the starting state, row -1, lies left of every week axis."""
    return frame[frame["week"] >= 0] if len(frame) and frame["week"].iloc[0] < 0 else frame


def _xmax(frame: pd.DataFrame, horizon: int | None) -> int:
    return max(horizon or 0, int(frame["week"].max()) if len(frame) else 1, 1)


# column, title, unit, scale, how: "level" as is, "smooth" 4-week average, "meetings" meeting weeks only
COMPARE_PANELS = (
    ("belief_error", "Belief error |belief − true value|", "mean, 4-week avg", 1.0, "smooth"),
    ("care_quality", "Quality of care", "0-1", 1.0, "smooth"),
    ("health", "Patients' health (mean control)", "0-1", 1.0, "smooth"),
    ("goals_met", "Patients whose goals are met", "% of patients seen", 100.0, "smooth"),
    ("low_status_voice", "Voice of lower-status tellers", "% per story told (meetings)", 100.0,
     "meetings"),
    ("attendance", "Came to meetings", "% of members", 100.0, "meetings"),
    ("cop_hours", "Hours in the CoP", "hours, all members, 4-week avg", 1.0, "smooth"),
    ("waiting_weeks", "Patients' waiting time", "weeks, 4-week avg", 1.0, "smooth"),
)


def _series(frame: pd.DataFrame, col: str, how: str) -> tuple[np.ndarray, np.ndarray]:
    frame = simulated(frame)
    if how == "meetings":
        held = frame[["week", col]].dropna()
        return held["week"].to_numpy(), held[col].to_numpy(float)
    values = smooth(frame[col]) if how == "smooth" else frame[col].to_numpy(float)
    return frame["week"].to_numpy(), values


def run_mean(runs: list[pd.DataFrame], col: str) -> float:
    """Mean of ``col`` over weeks 1 to the end (NaN weeks skipped), averaged over runs."""
    per_run = [float(np.nanmean(r[col].to_numpy(float)[1:])) for r in runs
               if col in r and np.isfinite(r[col].to_numpy(float)[1:]).any()]
    return float(np.mean(per_run)) if per_run else float("nan")


def comparison_figure(runs_a: list[pd.DataFrame], runs_b: list[pd.DataFrame],
                      label_a: str, label_b: str) -> Figure:
    """The same scenario under two settings, overlaid panel by panel (A blue, B red).

    Each setting may have several runs (seeds): thin lines are single runs, the thick line
    is their average, so a class sees both the difference and the play of chance.
    """
    fig = Figure(figsize=(14, 6.6), dpi=DPI)
    axes = fig.subplots(2, 4, sharex=True)
    for ax, (col, title, unit, scale, how) in zip(axes.flat, COMPARE_PANELS, strict=True):
        # the run means in figures: a difference too small to see in the curves is still readable
        means = [run_mean(runs, col) for runs in (runs_a, runs_b)]
        fmt = ".1f" if scale == 100.0 else ".3f"
        ax.text(0.02, 0.03, f"mean A {scale * means[0]:{fmt}} · B {scale * means[1]:{fmt}}",
                transform=ax.transAxes, fontsize=8, color="0.25",
                bbox={"facecolor": "white", "alpha": 0.7, "edgecolor": "none"})
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
        elif unit.startswith("% of m") or unit.startswith("% of p"):
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
