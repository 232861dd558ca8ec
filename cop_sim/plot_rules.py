"""Rules every figure follows so that it does not mislead (shared by run, report, calibrate, compare).

- A legend lists only series that were drawn with data; a series with gaps (one that exists
  only in meeting weeks) is drawn with markers, so that its points show.
- Meetings are ticks at the foot of a panel and events dashed lines, at the row whose time
  column equals the week they happen in (read from the run's own rows and scenario).
- An axis starts at zero unless the data would then be a sliver; then its label says it is zoomed.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

ZOOMED = "axis zoomed: does not start at 0"
MEETING_GID, EVENT_GID = "meeting", "event"
SLIVER = 1 / 3  # data spanning less than this share of [0, max] would be a flat line from zero
MEETING_COLOUR, EVENT_COLOUR = "0.45", "C3"


def event_weeks(resolved: dict | None) -> list[int]:
    """The weeks a scenario's ``[[events]]`` happen in, sorted and unique."""
    events = (resolved or {}).get("events") or []
    return sorted({int(e["week"]) for e in events if isinstance(e, dict) and "week" in e})


def meeting_weeks(ts: pd.DataFrame, time_col: str = "week", column: str = "meetings") -> list[int]:
    """The values of ``time_col`` in the rows where ``column`` counts at least one meeting."""
    if column not in ts or time_col not in ts:
        return []
    held = pd.to_numeric(ts[column], errors="coerce").fillna(0).to_numpy() > 0
    return sorted({int(w) for w in ts[time_col].to_numpy()[held]})


def cop_meeting_weeks(per_cop: pd.DataFrame, cop: str, time_col: str = "week") -> list[int]:
    """The weeks in which CoP ``cop`` met: rows of the per-CoP table with an attendance value."""
    rows = per_cop[per_cop["cop"] == cop]
    if "attendance" not in rows:
        return []
    return sorted({int(w) for w in rows.loc[rows["attendance"].notna(), time_col]})


def mark_weeks(ax, meetings: Iterable[int] = (), events: Iterable[int] = (), colour: str = MEETING_COLOUR,
               label: str = "meeting") -> None:
    """Meetings as short ticks at the foot of ``ax``, events as dashed full-height lines.

    Each is an ``axvline`` at x = the week, with gid ``meeting`` or ``event`` (tests find them so).
    """
    for k, w in enumerate(sorted(set(meetings))):
        ax.axvline(w, ymin=0, ymax=0.06, color=colour, lw=1.2, gid=MEETING_GID,
                   label=label if k == 0 else "_nolegend_")
    for k, w in enumerate(sorted(set(events))):
        ax.axvline(w, color=EVENT_COLOUR, lw=1, ls="--", gid=EVENT_GID,
                   label="event" if k == 0 else "_nolegend_")


def has_gaps(y: np.ndarray) -> bool:
    """Whether a series has a missing value between two present ones (a line would hide points)."""
    ok = ~np.isnan(np.asarray(y, dtype=float))
    if not ok.any():
        return False
    first, last = np.flatnonzero(ok)[[0, -1]]
    return not ok[first:last + 1].all()


def series(ax, x, y, label: str, **kw):
    """Plot ``y`` against ``x``; markers where it has gaps; nothing (None) when it is all missing."""
    y = np.asarray(y, dtype=float)
    if np.isnan(y).all():
        return None
    if has_gaps(y):
        kw = {"marker": "o", "ms": 3, **kw}
    line, = ax.plot(x, y, label=label, **kw)
    return line


def band(ax, x, lo, hi, label: str, color: str, alpha: float = 0.2):
    """An interval band; as vertical bars where the series has gaps (a filled area would not show)."""
    lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    ok = ~np.isnan(lo) & ~np.isnan(hi)
    if not ok.any():
        return None
    if has_gaps(lo) or has_gaps(hi):
        return ax.vlines(np.asarray(x)[ok], lo[ok], hi[ok], color=color, alpha=min(1.0, 3 * alpha), lw=2,
                         label=label)
    return ax.fill_between(x, lo, hi, color=color, alpha=alpha, label=label)


def legend(ax, **kw):
    """A legend of the labelled artists of ``ax`` that hold data; none when there are none."""
    handles, labels = [], []
    for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
        if drawn(h):
            handles.append(h)
            labels.append(lab)
    return ax.legend(handles, labels, **kw) if handles else None


def drawn(artist) -> bool:
    """Whether an artist shows data: a line with a finite point, a filled area with a vertex."""
    if hasattr(artist, "get_xydata"):
        xy = np.asarray(artist.get_xydata(), dtype=float)
        return bool(xy.size) and bool(np.isfinite(xy).all(axis=1).any())
    if hasattr(artist, "get_paths"):
        return any(len(p.vertices) and np.isfinite(p.vertices).all() for p in artist.get_paths())
    if hasattr(artist, "patches"):  # a bar container
        return len(artist.patches) > 0
    if hasattr(artist, "lines"):  # an errorbar container
        return drawn(artist.lines[0])
    return True


def zero_rule(ax, values: Iterable, include_zero: bool = False) -> bool:
    """Set ``ax``'s y range from zero, or keep it zoomed and say so in its label; True if zoomed.

    Args:
        ax: the axes, its y label already set.
        values: every value drawn (lines and bands), NaN allowed.
        include_zero: a difference panel: zero is always in range (it is the reference).
    """
    v = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in values] or [np.array([])])
    v = v[np.isfinite(v)]
    if not v.size:
        return False
    lo, hi = float(v.min()), float(v.max())
    if include_zero or lo <= 0 <= hi:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        pad = 0.05 * (hi - lo) or 0.05
        ax.set_ylim(lo - pad if lo < 0 else 0.0, hi + pad if hi > 0 else 0.0 if lo < 0 else pad)
        return False
    far = max(abs(lo), abs(hi))
    if hi - lo >= SLIVER * far:  # from zero, the data still fill a third of the panel
        ax.set_ylim((0.0, hi * 1.05) if lo > 0 else (lo * 1.05, 0.0))
        return False
    pad = 0.08 * (hi - lo) or 0.01 * far
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_ylabel(f"{ax.get_ylabel()}\n({ZOOMED})" if ax.get_ylabel() else f"({ZOOMED})")
    return True
