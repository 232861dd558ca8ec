"""The care-team card: who owns which topic of a few patients, and plans that travel in stories.

Read-only readings of a running CoP model (``pa.owner``, the world's active topics, the weekly
record's travel counts) and their HTML card, in the style of the stories card
(:mod:`cop_sim.demo.story_card`). The readings are cheap (a few patients, the record already
made for the other views), so a Step stays quick (``benchmarks/demo_step.py``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import solara

from cop_sim.cop.world.spec import topic_names
from cop_sim.demo.readings import members
from cop_sim.demo.story_card import CSS as STORIES_CSS
from cop_sim.demo.views import label
from cop_sim.vocab import DISCIPLINES

SAMPLE = 3  # patients shown: enough to see a team, few enough to read in class
# the weekly series of plans that travel (docs/user-guide/outputs.md), in the card's order
TRAVEL_SERIES = ("adopted_story", "kept_story", "adopted_repository", "kept_repository")
CSS = STORIES_CSS.replace("cop-stories", "cop-teams")  # the stories card's table style, own class
TRAVEL_LABELS = {"adopted_story": "plans adopted from a told story",
                 "kept_story": "… kept after their local test",
                 "adopted_repository": "plans adopted from a care pathway",
                 "kept_repository": "… kept after their local test"}


@dataclass(frozen=True)
class TeamPatient:
    """One patient's care team as the card shows it.

    Attributes:
        lead: The practitioner whose panel holds the patient (the team's lead).
        slot: The patient's slot in the lead's panel.
        owners: Per active topic, in topic order: (topic name, owning practitioner, discipline).
    """

    lead: int
    slot: int
    owners: tuple[tuple[str, int, str], ...]

    @property
    def size(self) -> int:
        """Distinct team members owning the patient's active topics (1 = single-handed)."""
        return len({who for _, who, _ in self.owners})


def sample_patients(model: Any, cop: int, n: int = SAMPLE) -> list[TeamPatient]:
    """The first ``n`` patients of CoP ``cop`` (members in slot order, panels in slot order).

    Patients whose active topics have more than one owner come first, so that a care team is
    seen when there is one; the choice is the same from week to week unless a panel changes.
    """
    w, pa = model.world, model.pa
    names = topic_names(w.n_topics, w.n_conditions)
    active = np.asarray(w.ctx_active)
    teams: list[TeamPatient] = []
    alone: list[TeamPatient] = []
    for i in members(model, cop).tolist():
        for k in np.flatnonzero(pa.ctx[i] >= 0).tolist():
            topics = np.flatnonzero(active[pa.ctx[i, k]])
            who = pa.owner[i, k, topics]
            p = TeamPatient(int(i), int(k), tuple((names[t], int(o), DISCIPLINES[int(model.pr.disc[o])])
                                                  for t, o in zip(topics, who, strict=True)))
            (teams if p.size > 1 else alone).append(p)
            if len(teams) >= n:
                return teams
    return (teams + alone)[:n]


def travel_counts(frame: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """Per travel series: (count in the latest simulated week, total over the simulated weeks).

    Series the record lacks are left out; weeks before 0 (the starting state) are not counted.
    """
    rows = frame[frame["week"] >= 0] if len(frame) else frame
    out = {}
    for col in TRAVEL_SERIES:
        if col in rows:
            values = np.nan_to_num(rows[col].to_numpy(float))
            out[col] = (int(values[-1]) if len(values) else 0, int(values.sum()))
    return out


def team_html(run: Any, cop: int) -> str:
    """The card's content: sample patients' topic owners and the travel counts, as HTML."""
    model = run.model
    patients = sample_patients(model, cop)
    size = int(model.params["team"]["size"])
    head = (f"<p>Care team of up to {size} per patient" if size > 1
            else "<p>Single-handed care: the lead owns every topic") + \
        f" · week {run.week}.</p>"
    rows = ["<tr><th>patient (lead, slot)</th><th>topic</th><th>owner</th></tr>"]
    for p in patients:
        for n, (topic, who, disc) in enumerate(p.owners):
            patient = f"#{p.lead}/{p.slot} ({p.size} in team)" if n == 0 else ""
            owner = f"{label(disc)} #{who}" + (" (lead)" if who == p.lead else "")
            rows.append(f"<tr><td>{html.escape(patient)}</td><td>{html.escape(topic.replace('_', ' '))}"
                        f"</td><td>{html.escape(owner)}</td></tr>")
    counts = travel_counts(run.frames()[0])
    travel = ["<tr><th>plans that travel (all CoPs)</th><th>this week</th><th>so far</th></tr>"]
    travel += [f"<tr><td>{TRAVEL_LABELS[c]}</td><td>{w}</td><td>{s}</td></tr>"
               for c, (w, s) in counts.items()]
    return (CSS + head + "<table>" + "".join(rows) + "</table><p></p><table>" + "".join(travel)
            + "</table>")


@solara.component
def TeamCard(run: Any, cop: int, week_tick: int):
    """Who owns which topic of a few patients of CoP ``cop``, and plans that travel (each week)."""
    _ = week_tick
    with solara.Card(f"Care teams and travelling plans in {run.cop_names[cop]}", classes=["cop-teams"]):
        solara.HTML(tag="div", unsafe_innerHTML=team_html(run, cop))
