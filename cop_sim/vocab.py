"""The fixed vocabularies of the model: chronic conditions, disciplines, per-CoP output names."""

from __future__ import annotations

# Chronic conditions of the landscape's first topics (world.n_conditions of them, in this order).
# The seeds name multimorbidity but no conditions: these six common ones are an assumption.
CONDITIONS = (
    "diabetes",
    "heart_failure",
    "copd",
    "depression",
    "chronic_kidney_disease",
    "chronic_pain",
)

# Disciplines named by the seeds: GPs, nurses, specialists (seed 000), social workers and
# community/frontline workers (seed 004), pharmacists (polypharmacy), managers and policy
# makers (seed 002: organisational, professional and clinical levels).
DISCIPLINES = (
    "gp",
    "nurse",
    "specialist",
    "social_worker",
    "pharmacist",
    "community_worker",
    "manager",
    "policy_maker",
)


def cop_key(outcome: str, cop: str) -> str:
    """The summary key of one CoP's own value of ``outcome``: ``care_quality_last_quarter|cop=cop1``."""
    return f"{outcome}|cop={cop}"
