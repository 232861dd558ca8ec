"""What an outcome measures, in which unit, and which way is better: for figures and summaries.

Keys are the CoP model's time-series and summary columns (docs/ODD.md, 7.4). A summary key's
suffixes (``_last_quarter``, ``_se``, ``|cop=NAME``) are looked up by their base column. An
outcome with no better direction (meetings held, shares of a consultation mode) has none here.
"""

from __future__ import annotations

HIGHER, LOWER = "higher", "lower"

# base column -> (unit, which way is better or None)
INFO: dict[str, tuple[str, str | None]] = {
    "care_quality": ("plan value / best achievable, 0-1", HIGHER),
    "care_quality_social": ("plan value / best achievable, 0-1", HIGHER),
    "care_quality_complex": ("plan value / best achievable, 0-1", HIGHER),
    "health": ("mean health of active conditions, 0-1", HIGHER),
    "goal_attainment": ("priority-weighted health, 0-1", HIGHER),
    "goals_met": ("share of encounters", HIGHER),
    "belief_error": ("mean |belief - true value|, 0-1 scale", LOWER),
    "optimal_practice_share": ("share of active topics on the patient's optimum, 0-1", HIGHER),
    "target_adherence": ("share of applicable targeted topics on the target practice, 0-1", HIGHER),
    "target_applicable": ("patient-topics a change-package target applies to", None),
    "feedback_reports": ("practitioners given an audit report", None),
    "flagged": ("practitioners below the audit benchmark", None),
    "burden": ("mean burden of practices in use, 0-1", LOWER),
    "patient_included_share": ("share of encounters", HIGHER),
    "collaboration_share": ("share of encounters", HIGHER),
    "coordination_share": ("share of encounters", None),
    "consultation_share": ("share of encounters", None),
    "waiting_weeks": ("weeks waited per patient seen", LOWER),
    "backlog": ("patients waiting per practitioner", LOWER),
    "attendance": ("attendees / invited", HIGHER),
    "low_status_voice": ("relative voice, 0-1", HIGHER),
    "representative_voice": ("relative voice per meeting, 0-1", HIGHER),
    "shared_vision": ("alignment with patients' priorities, 0-1", HIGHER),
    "consensus": ("alignment between members, 0-1", HIGHER),
    "trust_density": ("mean trust between members, 0-1", HIGHER),
    "representative_trust": ("members' trust in the representative, 0-1", HIGHER),
    "inclusion_habit": ("habit of planning with the patient, 0-1", HIGHER),
    "leavers": ("practitioners replaced", LOWER),
    "meetings": ("meetings held", None),
    "stories": ("stories told", None),
    "cocreated": ("co-created plans, cumulative", None),
    "encounters": ("encounters", None),
    "reviews": ("plans reviewed", None),
    "review_changes": ("reviews that changed the plan", None),
    "cop_hours": ("hours", None),
    "cop_hours_per_practitioner": ("hours per practitioner", None),
    "between_cop_quality_sd": ("sd of CoPs' care quality, 0-1 scale", None),
}
SUFFIXES = ("_last_quarter_se", "_last_quarter", "_se")


def base(name: str) -> str:
    """The time-series column a summary key is computed from (``care_quality_last_quarter|cop=a``
    -> ``care_quality``)."""
    name = name.split("|", 1)[0]
    for suffix in SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)] in INFO:
            return name[: -len(suffix)]
    return name


def better(name: str) -> str | None:
    """``"higher"``, ``"lower"`` or None (no better direction, or an unknown outcome)."""
    if name.split("|", 1)[0].endswith("_se"):
        return None  # a standard error is a precision, not an outcome
    return INFO.get(base(name), ("", None))[1]


def unit(name: str) -> str | None:
    """The outcome's unit in words, or None when unknown."""
    hit = INFO.get(base(name))
    return hit[0] if hit else None


def direction(name: str) -> str:
    """``"higher is better"``, ``"lower is better"``, or ``""``."""
    way = better(name)
    return f"{way} is better" if way else ""


def shared_direction(names: list[str]) -> str:
    """The direction all of ``names`` share, or ``""`` when they differ or have none."""
    ways = {better(n) for n in names}
    return direction(names[0]) if len(ways) == 1 and None not in ways else ""


def label(name: str, with_direction: bool = True) -> str:
    """An axis label: ``care quality (plan value / best achievable, 0-1; higher is better)``."""
    parts = [p for p in (unit(name), direction(name) if with_direction else "") if p]
    text = name.replace("_", " ")
    return f"{text} ({'; '.join(parts)})" if parts else text
