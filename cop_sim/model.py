"""The CoP model: a Mesa model whose weekly step runs array-based processes in a fixed order."""

from __future__ import annotations

import mesa
import numpy as np

from cop_sim.agents import Mentor, Moderator, Patient, Practitioner, Representative
from cop_sim.calendar import Calendar
from cop_sim.informal import between_meetings, informal_talk, turnover
from cop_sim.meetings import hold_meetings, hold_session
from cop_sim.outcomes import Recorder
from cop_sim.practice import weekly_practice
from cop_sim.rng import Streams
from cop_sim.state import build_state


class CopModel(mesa.Model):
    """Communities of practice in primary care, one step per week."""

    def __init__(self, resolved: dict, seed: int):
        super().__init__(rng=seed)
        self.params = resolved
        self.horizon = resolved["weeks"]
        self.streams = Streams(seed)
        self.state, self.cops, self.tables = build_state(resolved, self.streams["init"])
        self.cop_names = [c["name"] for c in self.cops]
        self.calendar = Calendar(self.cops, resolved["learning_community"])
        self.week = 0
        self.running = True
        self._make_agents()
        self.recorder = Recorder(self.state, self.horizon)
        self.recorder.record(0, self.state, {})
        prac = resolved["practice"]
        self._nominal = np.maximum(self.state.hours * self.state.contact * prac["panel_time_share"]
                                   / prac["encounter_hours"], 1.0)

    def _make_agents(self) -> None:
        # a plain loop: create_agents' AgentSet bookkeeping costs more than the agents here
        s = self.state
        for i in range(s.n):
            Practitioner(self, i)
        for c in range(len(self.cops)):
            for _ in range(s.n_moderators[c]):
                Moderator(self, c)
            if s.mentor[c]:
                Mentor(self, c)
            if s.representative[c]:
                Representative(self, c)
        self._patients_made = False

    @property
    def practitioners(self) -> mesa.agent.AgentSet:
        """All practitioners."""
        return self._of_type(Practitioner)

    @property
    def patients(self) -> mesa.agent.AgentSet:
        """All patients, created on first access.

        Patients are twenty times as many as practitioners and a sweep never looks at one,
        so their agents are made only when someone asks (a UI, a test, an analysis).
        """
        if not self._patients_made:
            for i, j in zip(*np.nonzero(self.state.active), strict=True):
                Patient(self, int(i), int(j))
            self._patients_made = True
        return self._of_type(Patient)

    def _of_type(self, kind: type) -> mesa.agent.AgentSet:
        if kind in self.agents_by_type:
            return self.agents_by_type[kind]
        return mesa.agent.AgentSet([], random=self.random)

    @property
    def moderators(self) -> mesa.agent.AgentSet:
        """All moderators."""
        return self._of_type(Moderator)

    @property
    def mentors(self) -> mesa.agent.AgentSet:
        """All mentors."""
        return self._of_type(Mentor)

    @property
    def representatives(self) -> mesa.agent.AgentSet:
        """All patient or family representatives."""
        return self._of_type(Representative)

    def trust_edges(self, cop: int) -> list[tuple[int, int, float]]:
        """Pairs of practitioner indices in a CoP with their mutual trust (mean of both ways)."""
        s = self.state
        mem = s.members[cop]
        slots = np.flatnonzero(mem >= 0)
        t = s.trust[cop]
        return [(int(mem[a]), int(mem[b]), float(0.5 * (t[a, b] + t[b, a])))
                for i, a in enumerate(slots) for b in slots[i + 1:]]

    def step(self) -> None:
        """One week: meetings, sessions, practice, informal talk, turnover, then record."""
        if not self.running:
            return
        s, prm, st = self.state, self.params, self.streams
        meetings, sessions = self.calendar.week(self.week)
        s.cop_hours[:] = 0.0
        tally: dict[str, float] = {}
        if meetings:
            pressure = np.minimum((s.asked < self.week).sum(axis=1) / self._nominal, 1.0)
            tally.update(hold_meetings(s, np.asarray(meetings), prm, pressure, st["meetings"]))
        for _ in sessions:  # a learning session and a symposium work alike
            hold_session(s, prm)
        tally.update(weekly_practice(s, prm, st["practice"], self.week))
        informal_talk(s, prm, st["informal"])
        between_meetings(s, prm)
        tally["leavers"] = turnover(s, prm, self.tables, st["turnover"])
        self.week += 1
        self.recorder.record(self.week, s, tally)
        if self.week >= self.horizon:
            self.running = False
