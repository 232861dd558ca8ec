"""The patterns V1-V8: each an experiment file and the contrasts that must hold.

A check is a linear combination of condition means ("arms") taken within each replication
(the sweeps use common random numbers, so arms of one replication share a seed); the
pattern holds when the 95 % interval of that paired effect lies on the expected side of 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments" / "validation"


@dataclass(frozen=True)
class Term:
    """``weight`` times the mean of ``outcome`` over the runs matching ``where``."""

    weight: float
    outcome: str
    where: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One reported direction: the sum of terms must be above (+1) or below (-1) zero."""

    label: str
    terms: tuple[Term, ...]
    expect: int
    constant: float = 0.0


@dataclass(frozen=True)
class Pattern:
    """A finding of the source studies, its experiment and its checks."""

    id: str
    finding: str
    source: str
    experiment: str
    checks: tuple[Check, ...]

    @property
    def path(self) -> Path:
        """The experiment file."""
        return EXPERIMENTS / f"{self.experiment}.toml"


def contrast(label: str, outcome: str, factor: str, base, treat, expect: int, **within) -> Check:
    """treatment minus baseline of one factor, optionally within levels of others."""
    w = {k.replace("__", "."): v for k, v in within.items()}
    return Check(
        label, (Term(1, outcome, {factor: treat, **w}), Term(-1, outcome, {factor: base, **w})), expect
    )


def interaction(label: str, outcome: str, factor: str, base, treat, by: str, low, high, expect: int) -> Check:
    """How much the effect of ``factor`` changes from ``by = low`` to ``by = high``."""
    return Check(
        label,
        (
            Term(1, outcome, {factor: treat, by: high}),
            Term(-1, outcome, {factor: base, by: high}),
            Term(-1, outcome, {factor: treat, by: low}),
            Term(1, outcome, {factor: base, by: low}),
        ),
        expect,
    )


EVERY = "cop.calendar.every_weeks"
PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "V1",
        "A moderated CoP raises care quality and knowledge after a year",
        "seeds 001, 004",
        "V1_cop_vs_no_cop",
        (
            contrast("knowledge: CoP - none", "knowledge_mean", EVERY, 0, 4, +1),
            contrast("care quality (last quarter): CoP - none", "care_quality_last_quarter", EVERY, 0, 4, +1),
        ),
    ),
    Pattern(
        "V2",
        "Preparation and a mentored structure give more learning per meeting hour",
        "seed 002; PERFORM KT (seed 000)",
        "V2_preparation_and_mentoring",
        (
            contrast(
                "learning/h: prepared - unprepared",
                "learning_per_cop_hour",
                "cop.preparation",
                0.1,
                0.9,
                +1,
                cop__mentor=False,
            ),
            contrast(
                "learning/h: mentored - not",
                "learning_per_cop_hour",
                "cop.mentor",
                False,
                True,
                +1,
                cop__preparation=0.1,
            ),
        ),
    ),
    Pattern(
        "V3",
        "A patient or family representative raises shared vision and care quality",
        "seeds 002, 003",
        "V3_patient_representative",
        (
            contrast(
                "shared vision: representative - none", "shared_vision", "cop.representative", False, True, +1
            ),
            contrast(
                "care quality: representative - none", "care_quality", "cop.representative", False, True, +1
            ),
        ),
    ),
    Pattern(
        "V4",
        "Turnover lowers collective knowledge; a documented repository softens the loss",
        "seed 002",
        "V4_turnover_and_repository",
        (
            contrast(
                "knowledge: 40 % - 5 % turnover (documented)",
                "knowledge_mean",
                "turnover.annual_rate",
                0.05,
                0.4,
                -1,
                cop__documentation=0.9,
            ),
            interaction(
                "turnover loss: documented - undocumented",
                "knowledge_mean",
                "turnover.annual_rate",
                0.05,
                0.4,
                "cop.documentation",
                0.0,
                0.9,
                +1,
            ),
        ),
    ),
    Pattern(
        "V5",
        "Waiting rises with meeting frequency and length; under a heavy caseload care "
        "quality peaks at an intermediate frequency",
        "seed 003",
        "V5_price_of_time",
        (
            contrast("wait: 4-weekly - none", "waiting_weeks", EVERY, 0, 4, +1),
            contrast("wait: weekly - 4-weekly", "waiting_weeks", EVERY, 4, 1, +1),
            contrast(
                "wait: 3 h - 1 h meetings (weekly)",
                "waiting_weeks",
                "cop.meeting_hours",
                1.0,
                3.0,
                +1,
                cop__calendar__every_weeks=1,
            ),
            contrast("quality: 4-weekly - none", "care_quality", EVERY, 0, 4, +1),
            contrast("quality: 4-weekly - weekly", "care_quality", EVERY, 1, 4, +1),
        ),
    ),
    Pattern(
        "V6",
        "A steep hierarchy lowers low-status contribution and shared vision; moderation reduces the penalty",
        "seed 003; Rev Panam Salud Publica 2007 (seed 000)",
        "V6_hierarchy_and_moderation",
        (
            contrast(
                "low-status contribution: steep - flat",
                "low_status_contribution",
                "hierarchy.steepness",
                0.0,
                1.0,
                -1,
            ),
            contrast("shared vision: steep - flat", "shared_vision", "hierarchy.steepness", 0.0, 1.0, -1),
            interaction(
                "vision penalty: skilled - unskilled moderator",
                "shared_vision",
                "hierarchy.steepness",
                0.0,
                1.0,
                "cop.moderator_skill",
                0.1,
                0.9,
                +1,
            ),
        ),
    ),
    Pattern(
        "V7",
        "Without a CoP consultation dominates and few joint encounters include the patient; "
        "a CoP raises coordination and collaboration",
        "J Comorbidity (seed 000)",
        "V7_modes_of_interaction",
        (
            Check(
                "no CoP: consultation - coordination share",
                (Term(1, "consultation_share", {EVERY: 0}), Term(-1, "coordination_share", {EVERY: 0})),
                +1,
            ),
            Check(
                "no CoP: share of joint encounters with the patient - 1/2",
                (Term(1, "patient_included_share", {EVERY: 0}),),
                -1,
                constant=-0.5,
            ),
            contrast("consultation share: CoP - none", "consultation_share", EVERY, 0, 4, -1),
        ),
    ),
    Pattern(
        "V8",
        "Sessions between CoPs reduce the spread of knowledge between them",
        "seed 002",
        "V8_learning_between_cops",
        (
            contrast(
                "between-CoP knowledge sd: sessions - none",
                "knowledge_between_cops_sd",
                "learning_community.enabled",
                False,
                True,
                -1,
            ),
        ),
    ),
)
