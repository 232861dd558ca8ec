"""Meeting calendars as SimPy processes that post events into the model's weekly agenda.

SimPy only orders time here: it draws no random numbers, so a calendar is a pure function
of the scenario, and all randomness stays in the model's named streams.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Generator

import simpy

from cop_sim.params import Param, Spec


class Agenda:
    """What happens in each week: CoP meetings and cross-CoP sessions."""

    def __init__(self) -> None:
        self.meetings: dict[int, list[int]] = defaultdict(list)
        self.sessions: dict[int, list[str]] = defaultdict(list)

    def take(self, week: int) -> tuple[list[int], list[str]]:
        """Remove and return the week's meetings (CoP indices) and sessions (kinds)."""
        return self.meetings.pop(week, []), self.sessions.pop(week, [])


def _every(env: simpy.Environment, cal: dict, post) -> Generator:
    """Fire monthly or every ``every_weeks`` from ``start_week``, or at the listed weeks."""
    cap = cal["max_meetings"] or None
    held = 0
    if cal.get("monthly"):
        while cap is None or held < cap:
            yield env.timeout(cal["start_week"] + round(held * 52 / 12) - env.now)
            post(int(env.now))
            held += 1
    elif cal["every_weeks"] > 0:
        yield env.timeout(cal["start_week"])
        while cap is None or held < cap:
            post(int(env.now))
            held += 1
            yield env.timeout(cal["every_weeks"])
    else:
        for week in sorted(set(cal["weeks"])):
            if cap is not None and held >= cap:
                return
            yield env.timeout(week - env.now)
            post(int(env.now))
            held += 1


class Calendar:
    """The SimPy environment holding every CoP's and the learning community's processes."""

    def __init__(self, cops: list[dict], community: dict):
        self.env = simpy.Environment()
        self.agenda = Agenda()
        # one process per distinct calendar: thousands of CoPs on the same monthly rhythm share
        # one, which keeps a large model's weekly SimPy work small
        shared: dict[str, list[int]] = defaultdict(list)
        for c, cop in enumerate(cops):
            shared[repr(sorted(cop["calendar"].items()))].append(c)
        for group in shared.values():
            post = lambda w, group=group: self.agenda.meetings[w].extend(group)  # noqa: E731
            self.env.process(_every(self.env, cops[group[0]]["calendar"], post))
        if community["enabled"]:
            self.env.process(_every(self.env, community["calendar"],
                                    lambda w: self.agenda.sessions[w].append("learning_session")))
        if community["symposium_week"] > 0:
            self.env.process(_every(self.env, {"every_weeks": 0, "weeks": [community["symposium_week"]],
                                               "max_meetings": 1, "start_week": 0},
                                    lambda w: self.agenda.sessions[w].append("symposium")))

    def week(self, week: int) -> tuple[list[int], list[str]]:
        """Advance SimPy through ``week`` and return what it scheduled for that week."""
        self.env.run(until=week + 1)
        return self.agenda.take(week)


def meeting_weeks(calendar: dict, horizon: int) -> list[int]:
    """The weeks a calendar fires within ``horizon``, from the same SimPy process the model runs."""
    env, weeks = simpy.Environment(), []
    env.process(_every(env, calendar, weeks.append))
    env.run(until=horizon)
    return weeks


def _weeks(value: list) -> str | None:
    if not all(isinstance(w, int) and not isinstance(w, bool) and w >= 0 for w in value):
        return f"expected a list of whole week numbers >= 0, got {value!r}"
    return None


def calendar_spec(every: int, start: int, src: str) -> Spec:
    """Spec of a meeting calendar (a SimPy process in cop_sim.cop.calendar)."""
    return {
        "every_weeks": Param(every, "weeks between meetings (0 = use 'weeks' only)", "weeks", 0, 520, src),
        "monthly": Param(False, "meet once a calendar month from start_week (12 a year); "
                         "overrides every_weeks", "-", source="seed 004 (monthly meetings)"),
        "start_week": Param(start, "week of the first meeting", "week", 0, 520, "assumption"),
        "weeks": Param([], "explicit meeting weeks, used when every_weeks = 0", "weeks", kind=list,
                       check=_weeks),
        "max_meetings": Param(0, "stop after this many meetings (0 = no limit)", "meetings", 0, 1000,
                              "seed 000 (PERFORM KT: six monthly sessions)"),
    }
