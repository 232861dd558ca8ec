"""Mesa agents: thin views onto the model's arrays, read and written through their index."""

from __future__ import annotations

import numpy as np
from mesa import Agent

from cop_sim.vocab import DISCIPLINES, ENGAGEMENT_LEVELS


class Practitioner(Agent):
    """A clinician, worker, manager or policy maker in one CoP."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx

    @property
    def discipline(self) -> str:
        """The practitioner's discipline."""
        return DISCIPLINES[self.model.state.disc[self.idx]]

    @property
    def cop(self) -> int:
        """Index of the CoP (and organisation) the practitioner belongs to."""
        return int(self.model.state.cop[self.idx])

    @property
    def knowledge(self) -> np.ndarray:
        """Knowledge over the care topics, in [0, 1] (a view: writes go to the model)."""
        return self.model.state.K[self.idx]

    @property
    def priorities(self) -> np.ndarray:
        """What the practitioner believes matters to patients (weights summing to 1)."""
        return self.model.state.P[self.idx]

    @property
    def status(self) -> float:
        """Rank in the professional hierarchy, 0-1."""
        return float(self.model.state.status[self.idx])

    @property
    def engagement(self) -> float:
        """Chance of attending a meeting."""
        return float(self.model.state.engagement[self.idx])

    @property
    def attended_last(self) -> bool:
        """Whether the practitioner attended the last meeting of the CoP."""
        return bool(self.model.state.attended[self.idx])

    @property
    def backlog(self) -> int:
        """Patients waiting for this practitioner."""
        return int((self.model.state.asked[self.idx] < self.model.week).sum())

    def trust_towards(self, other: Practitioner) -> float:
        """Trust in a colleague of the same CoP (0 for other CoPs)."""
        s = self.model.state
        if s.cop[other.idx] != s.cop[self.idx]:
            return 0.0
        return float(s.trust[s.cop[self.idx], s.slot[self.idx], s.slot[other.idx]])


class Patient(Agent):
    """A patient with multimorbidity on a practitioner's panel."""

    def __init__(self, model, practitioner: int, place: int):
        super().__init__(model)
        self.practitioner, self.place = practitioner, place

    @property
    def needs(self) -> np.ndarray:
        """Need over the care topics from conditions and social circumstances."""
        return self.model.state.need[self.practitioner, self.place]

    @property
    def priorities(self) -> np.ndarray:
        """What matters to the patient (weights summing to 1)."""
        return self.model.state.prio[self.practitioner, self.place]

    @property
    def engagement_level(self) -> str:
        """Consulted, involved or partner."""
        return ENGAGEMENT_LEVELS[self.model.state.level[self.practitioner, self.place]]

    @property
    def capability(self) -> float:
        """Capacity to manage one's own care, 0-1 (less of it, more need of caregiver support)."""
        return float(self.model.state.capability[self.practitioner, self.place])

    @property
    def lived_experience(self) -> float:
        """Lived-experience knowledge of the person-centred topics, 0-1."""
        return float(self.model.state.lived[self.practitioner, self.place])

    @property
    def care_network(self) -> list[int]:
        """Practitioner indices the patient has been seen jointly by, beside the primary one."""
        s = self.model.state
        bits = int(s.network[self.practitioner, self.place])
        members = s.members[s.cop[self.practitioner]]
        return [int(members[k]) for k in range(len(members)) if bits >> k & 1]

    @property
    def visits(self) -> int:
        """Encounters so far."""
        return int(self.model.state.visits[self.practitioner, self.place])


class Moderator(Agent):
    """The facilitator or chair of a CoP."""

    def __init__(self, model, cop: int):
        super().__init__(model)
        self.cop = cop

    @property
    def skill(self) -> float:
        """Facilitation skill, 0-1."""
        return float(self.model.state.skill[self.cop])

    @property
    def preparation(self) -> float:
        """Chance the chair prepares a meeting."""
        return float(self.model.state.preparation[self.cop])

    @property
    def documents(self) -> float:
        """Chance a meeting is documented into the repository."""
        return float(self.model.state.documentation[self.cop])


class Mentor(Agent):
    """An improvement expert who attends a CoP's meetings and structures them (PERFORM KT)."""

    def __init__(self, model, cop: int):
        super().__init__(model)
        self.cop = cop


class Representative(Agent):
    """A patient or family representative who joins a CoP's meetings."""

    def __init__(self, model, cop: int):
        super().__init__(model)
        self.cop = cop

    @property
    def priorities(self) -> np.ndarray:
        """What the patients the representative speaks for want."""
        return self.model.state.rep_prio[self.cop]
