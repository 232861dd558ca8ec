"""The stories told at each CoP's latest meeting, read from the model's state around a step.

The CoP model does not log who told what (its meeting kernel only updates beliefs, trust and tallies),
so the demo reads it off the state: before a step it notes each member's case in hand (the patient
who surprised them most since the last meeting, and the lesson they drew); after the step, a
member who came to a meeting told their case if it was used up (their surprise fell back) or if
listeners now hold a new story from them (``told_by``/``told_val`` changed). The reading does not
change the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cop_sim.cop.world.kernels import contributions
from cop_sim.cop.world.spec import topic_names
from cop_sim.vocab import DISCIPLINES


@dataclass(frozen=True)
class Story:
    """One case told at a meeting.

    Attributes:
        teller: Who told it, in words (discipline and status; "representative" for the patient).
        case: The patient, in words (conditions, social needs).
        surprise: Mean |result − the teller's belief| when the result was seen (0-1).
        success: The change tried on the patient did at least as well as their best plan before
            (it was kept); False: it did worse and was dropped. None for the representative.
        lesson_error: Mean |lesson told − true value| of the practices in the story: how far the
            belief the story spread is from the truth.
    """

    teller: str
    case: str
    surprise: float
    success: bool | None
    lesson_error: float


@dataclass
class Meeting:
    """A CoP's latest meeting: its week, who came (practitioner indices), and the stories told."""

    week: int
    came: int
    invited: int
    attendees: frozenset[int] = frozenset()
    stories: list[Story] = field(default_factory=list)


def describe_case(model: Any, ctx: int) -> str:
    """A patient's context in words: their conditions and whether they have social needs."""
    w = model.world
    names = topic_names(w.n_topics, w.n_conditions)
    conds = [names[t].replace("_", " ") for t in range(w.n_conditions) if w.ctx_active[ctx, t]]
    social = ", social needs" if w.ctx_social[ctx] else ""
    return f"{len(conds)} conditions ({', '.join(conds)}){social}"


def _teller(model: Any, i: int) -> str:
    disc = DISCIPLINES[int(model.pr.disc[i])].replace("_", " ")
    return f"{disc} (status {float(model.pr.status[i]):.1f})"


def _lesson_error(model: Any, ctx: int, plan: np.ndarray, told: np.ndarray) -> float:
    """How far the beliefs a story carries are from the true values of the practices in it."""
    v = np.empty(model.world.n_topics)
    contributions(model.k.world, ctx, plan, v)
    used = plan >= 0
    return float(np.abs(told[used] - v[used]).mean()) if used.any() else float("nan")


class StoryLog:
    """Keeps, per CoP, the latest meeting's stories; call :meth:`before` and :meth:`after` around a step."""

    def __init__(self, n_cops: int):
        self.latest: list[Meeting | None] = [None] * n_cops
        self._snap: dict[str, Any] = {}

    def before(self, model: Any) -> None:
        """Note every member's case in hand and what listeners were last told."""
        pr, pa = model.pr, model.pa
        cases = {}
        for i in np.flatnonzero(pr.st_patient >= 0):
            k = int(pr.st_patient[i])
            ctx = int(pa.ctx[i, k])
            plan = pa.obs_plan[i, k].copy()
            safe = np.maximum(plan, 0)
            topics = np.arange(len(plan))
            s = model.world.ctx_bctx[int(pa.known[i, k]), ctx, topics]  # the contexts they believe
            told = pr.mu[i, s, topics, safe]  # the lesson a member tells
            active = plan >= 0
            kept = bool(np.array_equal(pa.inc_plan[i, k][active], plan[active]))
            cases[int(i)] = (ctx, float(pr.st_surprise[i]), kept, plan, told)
        self._snap = {"surprise": pr.st_surprise.copy(), "told_by": pr.told_by.copy(),
                      "told_val": pr.told_val.copy(), "cases": cases, "week": model.week}

    def after(self, model: Any) -> None:
        """Record the meetings held in the step just taken."""
        if not self._snap:
            return
        pr, cp, snap = model.pr, model.cp, self._snap
        met = self._met(model)
        for c in met:
            slots = cp.members[c]
            mem = slots[slots >= 0]
            came = pr.attended[mem]
            meeting = Meeting(snap["week"], int(came.sum()), len(mem), frozenset(mem[came].tolist()))
            listeners = mem[came]
            for i in mem[came]:
                q = int(pr.slot[i])
                case = snap["cases"].get(int(i))
                if case is None:
                    continue
                now_by = pr.told_by[listeners]
                new = (now_by == q) & ((snap["told_by"][listeners] != q)
                                       | (pr.told_val[listeners] != snap["told_val"][listeners]))
                if not (pr.st_surprise[i] < snap["surprise"][i] or new.any()):
                    continue
                ctx, surprise, kept, plan, told = case
                meeting.stories.append(Story(_teller(model, i), describe_case(model, ctx), surprise, kept,
                                             _lesson_error(model, ctx, plan, told)))
            meeting.stories.sort(key=lambda s: -s.surprise)
            if cp.representative[c] and meeting.came:
                ctx = int(model.pa.ctx[cp.rep_i[c], cp.rep_k[c]])
                meeting.stories.append(Story("patient representative", describe_case(model, ctx),
                                             float("nan"), None, float("nan")))
            self.latest[c] = meeting
        self._snap = {}

    @staticmethod
    def _met(model: Any) -> list[int]:
        """CoPs that met in the last step with someone there (``attended`` is reset every step)."""
        pr = model.pr
        out = []
        for c in range(len(model.cop_names)):
            slots = model.cp.members[c]
            mem = slots[slots >= 0]
            if len(mem) and pr.attended[mem].any():
                out.append(c)
        return out
