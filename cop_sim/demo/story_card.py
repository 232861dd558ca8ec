"""The card listing what was told at the chosen CoP's latest meeting."""

from __future__ import annotations

import html
import math
from typing import Any

import solara

from cop_sim.demo.stories import Meeting

CSS = ("<style>.cop-stories table{border-collapse:collapse;font-size:0.85em}"
       ".cop-stories td,.cop-stories th{padding:2px 6px;border-bottom:1px solid #ddd;"
       "text-align:left}</style>")


def _outcome(success: bool | None) -> str:
    if success is None:
        return "how their own care works for them"
    return "success: the change was kept" if success else "failure: the change was dropped"


def meets(calendar: dict) -> bool:
    """Whether a CoP's calendar (``cop.calendar``) holds any meeting at all."""
    return bool(calendar.get("monthly") or calendar.get("every_weeks") or calendar.get("weeks"))


def stories_html(meeting: Meeting | None, calendar: dict | None = None) -> str:
    """The latest meeting's stories as an HTML table (or a line saying there was none yet)."""
    if meeting is None and calendar is not None and not meets(calendar):
        return "<p>This CoP has no meetings in this scenario: no stories are told.</p>"
    if meeting is None:
        return "<p>No meeting yet: press Step until the first meeting.</p>"
    head = (f"<p><b>Week {meeting.week}</b>: {meeting.came} of {meeting.invited} members came; "
            f"{sum(s.success is not None for s in meeting.stories)} cases told.</p>")
    if not meeting.stories:
        return head
    rows = ["<tr><th>teller</th><th>case (patient)</th><th>surprise</th><th>outcome</th>"
            "<th>lesson told, off the truth by</th></tr>"]
    for s in meeting.stories:
        surprise = "–" if math.isnan(s.surprise) else f"{s.surprise:.2f}"
        off = "–" if math.isnan(s.lesson_error) else f"{s.lesson_error:.2f}"
        rows.append(f"<tr><td>{html.escape(s.teller)}</td><td>{html.escape(s.case)}</td><td>{surprise}</td>"
                    f"<td>{_outcome(s.success)}</td><td>{off}</td></tr>")
    return CSS + head + "<table>" + "".join(rows) + "</table>"


@solara.component
def StoriesCard(run: Any, cop: int, week_tick: int):
    """What was told at CoP ``cop``'s latest meeting (redrawn when ``week_tick`` changes)."""
    _ = week_tick
    with solara.Card(f"Stories at the latest meeting of {run.cop_names[cop]}", classes=["cop-stories"]):
        solara.HTML(tag="div", unsafe_innerHTML=stories_html(run.stories.latest[cop],
                                                             run.model.cops[cop]["calendar"]))
