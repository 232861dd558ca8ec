"""The fixed vocabularies of the model: care topics, disciplines, engagement levels, modes."""

from __future__ import annotations

# Care topics (T = 12). Conditions come first; the person-centred topics are those the
# seeds name as what patients with multimorbidity need beyond disease management:
# polypharmacy, self-management, social needs, navigation, caregivers, goals of care
# (seed 000: J Clin Nurs 2020 "see the bigger picture"; NAM Perspectives; IJERPH PCC).
CONDITIONS = (
    "diabetes",
    "heart_failure",
    "copd",
    "depression",
    "chronic_kidney_disease",
    "chronic_pain",
)
PERSON_CENTRED = (
    "polypharmacy",
    "self_management",
    "social_needs",
    "care_navigation",
    "caregiver_support",
    "goals_of_care",
)
TOPICS = CONDITIONS + PERSON_CENTRED
N_TOPICS = len(TOPICS)
N_CONDITIONS = len(CONDITIONS)

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

# Patient engagement continuum (seed 003: consulted -> involved -> partner).
ENGAGEMENT_LEVELS = ("consulted", "involved", "partner")
