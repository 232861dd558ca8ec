"""Mesa agents of the CoP model: thin views onto the model's arrays, read and written through an index."""

from __future__ import annotations

import numpy as np
from mesa import Agent

from cop_sim.vocab import DISCIPLINES


class Practitioner(Agent):
    """A clinician, worker, manager or policy maker in one CoP."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def discipline(self) -> str:
        """The practitioner's discipline."""
        return DISCIPLINES[self.model.pr.disc[self.idx]]

    @property
    def cop(self) -> int:
        """Index of the practitioner's CoP."""
        return int(self.model.pr.cop[self.idx])

    @property
    def beliefs(self) -> np.ndarray:
        """Believed value of each practice (belief context x topic x practice; a view; context.py)."""
        return self.model.pr.mu[self.idx]

    @property
    def confidence(self) -> np.ndarray:
        """Precision of those beliefs, in observations' worth (a view)."""
        return self.model.pr.prec[self.idx]

    @property
    def inclusion_habit(self) -> float:
        """Chance of planning with the patient when a joint plan is possible."""
        return float(self.model.pr.habit[self.idx])


class Patient(Agent):
    """A patient with multimorbidity on one practitioner's panel."""

    def __init__(self, model, practitioner: int, slot: int):
        super().__init__(model)
        self.practitioner, self.slot = practitioner, slot

    @property
    def context(self) -> int:
        """The patient's context in the world's catalogue."""
        return int(self.model.pa.ctx[self.practitioner, self.slot])

    @property
    def health(self) -> np.ndarray:
        """Control on each topic (0-1) as last brought up to date (a view)."""
        return self.model.pa.health[self.practitioner, self.slot]

    @property
    def plan(self) -> np.ndarray:
        """The practice used on each topic (-1 none; a view)."""
        return self.model.pa.plan[self.practitioner, self.slot]


class Moderator(Agent):
    """A CoP's facilitator."""

    def __init__(self, model, cop: int):
        super().__init__(model)
        self.cop = cop


class Mentor(Agent):
    """An improvement mentor who runs structured small tests (PDSA) with a CoP."""

    def __init__(self, model, cop: int):
        super().__init__(model)
        self.cop = cop


class Representative(Agent):
    """One of the CoP's patients, attending its meetings and telling of their own care."""

    def __init__(self, model, cop: int):
        super().__init__(model)
        self.cop = cop

    @property
    def trust(self) -> float:
        """Members' mean trust in the representative's stories."""
        cp, c = self.model.cp, self.cop
        m = cp.members.shape[1]
        mem = cp.members[c] >= 0
        return float(cp.trust[c, :m][mem, m].mean()) if mem.any() else float("nan")


def make(model) -> None:
    """Create the agents of every practitioner, moderator, mentor and representative (patients lazily)."""
    for i in range(len(model.pr.disc)):
        Practitioner(model, i)
    for c, spec in enumerate(model.cops):
        for _ in range(spec["moderators"]):
            Moderator(model, c)
        if model.cp.mentor[c]:
            Mentor(model, c)
        if model.cp.representative[c]:
            Representative(model, c)


def patients(model) -> list[Patient]:
    """Patient agents, made on first request (they are twenty times as many as practitioners)."""
    if not getattr(model, "_patients", None):
        model._patients = [Patient(model, int(i), int(k)) for i, k in zip(*np.nonzero(model.pa.ctx >= 0),
                                                                          strict=True)]
    return model._patients
