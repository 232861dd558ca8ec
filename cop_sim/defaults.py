"""The one commented source of the CoP model's defaults: value, unit, range and origin.

Seeds cited (``../shared/seeds/``): 000 = the collection of related papers (Ann Fam Med
2010, J Clin Nurs 2017, BMC HSR 2016 PERFORM KT, CMAJ Open TIP, J Comorbidity, NAM,
J Clin Nurs 2020, Rev Panam Salud Publica 2007, IJERPH); 001 = Soubhi et al., Ann Fam Med
2010; 002 = Nooteboom et al. 2022, learning sessions in integrated care; 003 = Alidina et
al. 2021, patient partnership in primary care improvement; 004 = Alvarez Irusta 2023,
Brussels CoPs of trusted frontline professionals. "assumption" marks a value chosen by
the modellers and documented in docs/ODD.md; a scenario or sweep should vary it.
"""

from __future__ import annotations

from cop_sim.names import plain_name
from cop_sim.params import Param, Spec
from cop_sim.vocab import CONDITIONS, DISCIPLINES, PERSON_CENTRED, TOPICS


def _topic_map(value: dict) -> str | None:
    for k, v in value.items():
        if k not in TOPICS:
            return f"unknown topic '{k}'. Allowed topics: {', '.join(TOPICS)}"
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            return f"topic '{k}' must be a number in [0, 1], got {v!r}"
    return None


def _profile(cond: float, person: float, **special: float) -> dict[str, float]:
    prof = {t: cond for t in CONDITIONS} | {t: person for t in PERSON_CENTRED}
    return prof | special


def _tmap(default: dict, doc: str, source: str = "assumption") -> Param:
    return Param(default, doc, unit="per topic, 0-1", source=source, kind=dict, check=_topic_map,
                 partial=True)


def _discipline(status, hours, contact, panel, sharing, knowledge, priorities, src) -> Spec:
    return {
        "status": Param(status, "rank in the professional hierarchy", "0-1", 0.0, 1.0,
                        "seed 000 (Rev Panam Salud Publica 2007: physicians ranked above others); "
                        "the other ranks are assumed"),
        "clinical_hours": Param(hours, "clinical hours in a week", "h/week", 0.0, 80.0, "assumption"),
        "contact_share": Param(contact, "share of clinical hours in patient contact", "0-1", 0.0, 1.0,
                               "assumption"),
        "panel_share": Param(panel, "share of the modelled panel who are this member's patients",
                             "0-1", 0.0, 1.0, "assumption (managers, policy makers see no patients)"),
        "vision_sharing": Param(sharing, "weight of this member's priorities in informal talk", "0-1",
                                0.0, 1.0, "seed 000 (J Clin Nurs 2017: nurses share the patient's vision)"),
        "knowledge": _tmap(knowledge, "starting knowledge profile", src),
        "priorities": _tmap(priorities, "what members of this discipline believe matters (weights)"),
    }


# Biomedical training puts conditions first; patients put goals and daily life first
# (seed 000: J Clin Nurs 2017, J Clin Nurs 2020, IJERPH).
_BIOMED = _profile(0.8, 0.25, polypharmacy=0.5)
_BALANCED = _profile(0.5, 0.5, self_management=0.7, goals_of_care=0.6)
_SOCIAL = _profile(0.2, 0.7, social_needs=1.0, care_navigation=0.9)
_SYSTEM = _profile(0.2, 0.4, care_navigation=1.0)

DISCIPLINE_SPEC: Spec = {
    "gp": _discipline(0.9, 32.0, 0.8, 1.0, 0.3, _profile(0.55, 0.3, polypharmacy=0.45),
                      _BIOMED, "assumption"),
    "nurse": _discipline(0.5, 32.0, 0.85, 1.0, 0.8,
                         _profile(0.4, 0.4, self_management=0.55, goals_of_care=0.45),
                         _BALANCED, "assumption"),
    "specialist": _discipline(1.0, 30.0, 0.8, 1.0, 0.2, _profile(0.75, 0.15, polypharmacy=0.4),
                              _BIOMED, "seed 000 (CMAJ Open TIP: specialists' medical model)"),
    "social_worker": _discipline(0.4, 32.0, 0.7, 1.0, 0.6,
                                 _profile(0.12, 0.45, social_needs=0.7, caregiver_support=0.55,
                                          care_navigation=0.55, polypharmacy=0.1),
                                 _SOCIAL, "assumption"),
    "pharmacist": _discipline(0.5, 32.0, 0.6, 1.0, 0.3, _profile(0.35, 0.15, polypharmacy=0.8),
                              _profile(0.6, 0.3, polypharmacy=1.0), "assumption"),
    "community_worker": _discipline(0.2, 32.0, 0.8, 1.0, 0.6,
                                    _profile(0.12, 0.4, social_needs=0.6, care_navigation=0.6,
                                             polypharmacy=0.1),
                                    _SOCIAL, "seed 004 (trusted frontline professionals)"),
    "manager": _discipline(0.7, 0.0, 0.0, 0.0, 0.2, _profile(0.15, 0.25, care_navigation=0.5),
                           _SYSTEM, "seed 002 (organisational level)"),
    "policy_maker": _discipline(0.8, 0.0, 0.0, 0.0, 0.2, _profile(0.1, 0.2, care_navigation=0.45),
                                _SYSTEM, "seed 002 (organisational level)"),
}


def _composition(value: dict) -> str | None:
    for k, v in value.items():
        if k not in DISCIPLINES:
            return f"unknown discipline '{k}'. Allowed disciplines: {', '.join(DISCIPLINES)}"
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            return f"discipline '{k}' needs a whole number >= 0, got {v!r}"
    return None


def _weeks(value: list) -> str | None:
    if not all(isinstance(w, int) and not isinstance(w, bool) and w >= 0 for w in value):
        return f"expected a list of whole week numbers >= 0, got {value!r}"
    return None


def calendar_spec(every: int, start: int, src: str) -> Spec:
    """Spec of a meeting calendar (a SimPy process in cop_sim.calendar)."""
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


# The template every CoP starts from; [[cops]] entries override it one CoP at a time.
COP_SPEC: Spec = {
    "name": Param("", "CoP name (default: cop1, cop2, ...)", kind=str),
    "members": Param({"gp": 2, "nurse": 3, "specialist": 1, "social_worker": 2, "pharmacist": 1,
                      "community_worker": 3}, "practitioners by discipline", "persons",
                     source="seed 004 (twelve practitioners of health, care and community work)",
                     kind=dict, check=_composition),
    "moderators": Param(2, "moderators (facilitators, chairs)", "persons", 0, 10, "seed 004 (two per CoP)"),
    "moderator_skill": Param(0.7, "facilitation skill", "0-1", 0.0, 1.0, "assumption"),
    "preparation": Param(0.8, "probability the chair prepares a meeting", "0-1", 0.0, 1.0,
                         "seed 002 (preparing the chair was crucial)"),
    "documentation": Param(0.8, "probability a meeting is documented into the repository", "0-1",
                           0.0, 1.0, "seed 004 (documentation grid)"),
    "mentor": Param(False, "an improvement mentor attends the meetings", "-",
                    source="seed 000 (PERFORM KT: an assigned mentor per team)"),
    "representative": Param(False, "a patient or family representative attends", "-",
                            source="seeds 002, 003 (family representative; patient partners)"),
    "meeting_hours": Param(2.0, "length of a meeting", "h", 0.25, 8.0, "assumption"),
    "cases_per_meeting": Param(2, "cases discussed per meeting", "cases", 1, 6, "assumption"),
    "calendar": calendar_spec(4, 2, "seed 004 (monthly meetings throughout the year)"),
}

SPEC: Spec = {
    "name": Param("default", "scenario name", kind=str, check=plain_name),
    "description": Param("", "what the scenario encodes", kind=str),
    "model": Param("cop", "which model runs the scenario", choices=("cop", "cop2", "march1991")),
    "seed": Param(1, "seed of the run's random streams", "-", 0, 2**63 - 1),
    "weeks": Param(52, "horizon", "weeks", 1, 1040, "seed 004 (a year of monthly meetings)"),
    "n_cops": Param(4, "number of CoPs built from the [cop] template", "CoPs", 0, 100000,
                    "seed 004 (four district CoPs)"),
    "cop": COP_SPEC,
    "cops": Param([], "per-CoP overrides of [cop], one table each", kind=list),
    "disciplines": DISCIPLINE_SPEC,
    "patients": {
        "per_practitioner": Param(20, "patients with multimorbidity per clinician", "patients", 1, 200,
                                  "assumption"),
        "min_conditions": Param(2, "fewest chronic conditions", "conditions", 2, 6,
                                "seed 000 (multimorbidity: two or more conditions)"),
        "max_conditions": Param(5, "most chronic conditions", "conditions", 2, 6, "assumption"),
        "social_need_prevalence": Param(0.5, "share with social needs", "0-1", 0.0, 1.0, "assumption"),
        "engagement": Param([0.6, 0.3, 0.1], "shares consulted / involved / partner", "shares",
                            kind=list, source="seed 003 (continuum of engagement)"),
        "priorities": _tmap(_profile(0.35, 0.7, goals_of_care=1.0, self_management=0.8,
                                     social_needs=0.8),
                            "what matters to patients (weights)", "seed 000 (J Clin Nurs 2017)"),
        "lived_experience": Param(0.6, "lived-experience knowledge on person-centred topics", "0-1",
                                  0.0, 1.0, "seeds 000 (NAM: patients are experts), 003"),
    },
    "practice": {
        "visit_rate": Param(0.12, "visit requests per patient-week with two conditions", "1/week",
                            0.0, 5.0, "assumption"),
        "visit_rate_per_condition": Param(0.25, "extra relative demand per condition beyond two", "-",
                                          0.0, 5.0, "assumption"),
        "caseload": Param(1.0, "time pressure: multiplier on demand", "x", 0.0, 10.0,
                          "seed 003 (time was a challenge for all sites)"),
        "encounter_hours": Param(0.5, "length of an encounter", "h", 0.05, 8.0, "assumption"),
        "panel_time_share": Param(0.12, "share of contact hours for the modelled panel", "0-1",
                                  0.0, 1.0, "assumption"),
        "cop_time_from_panel": Param(0.5, "share of CoP hours that displace care of the modelled panel",
                                     "0-1", 0.0, 1.0, "seed 003 (time was a challenge for all sites)"),
        "coordination_rate": Param(0.3, "odds scale of referring to a tied colleague", "-", 0.0, 5.0,
                                   "seed 000 (J Comorbidity: coordination is rare)"),
        "collaboration_rate": Param(0.2, "odds scale of a joint plan with a trusted colleague", "-",
                                    0.0, 5.0, "seed 000 (J Comorbidity)"),
        "priority_weight": Param(0.5, "weight of priority match in care quality", "0-1", 0.0, 1.0,
                                 "seed 000 (J Clin Nurs 2017: shared vision)"),
        "delay_penalty": Param(0.2, "care quality lost per week waited", "1/week", 0.0, 1.0,
                               "assumption"),
        "experience_rate": Param(0.006, "learning from a fully hard case", "1/encounter", 0.0, 1.0,
                                 "seed 001 (learning from shared practice)"),
        "vision_rate": Param(0.003, "move of priorities towards a patient's per encounter", "1/encounter",
                             0.0, 1.0, "seed 000 (J Clin Nurs 2017: deep knowing over time)"),
        "case_memory": Param(0.9, "weekly retention of undiscussed case material", "1/week", 0.0, 1.0,
                             "assumption"),
        "case_accrual": Param(0.1, "case material gained per unit of encounter difficulty", "-", 0.0, 1.0,
                              "assumption (material for reflection accrues with practice)"),
        "forgetting": Param(0.002, "weekly decay of knowledge towards the starting profile", "1/week",
                            0.0, 0.2, "assumption"),
    },
    "informal": {
        "rate": Param(0.3, "chance a member talks shop with a colleague in a week", "1/week", 0.0, 1.0,
                      "seed 000 (J Clin Nurs 2017: informal communication)"),
        "learning": Param(0.03, "share of a knowledge gap closed by one talk, at full trust", "-",
                          0.0, 1.0, "assumption"),
        "vision": Param(0.02, "share of a priority gap closed by one talk", "-", 0.0, 1.0, "assumption"),
        "repository_use": Param(0.01, "weekly share of the gap to the repository closed", "1/week",
                                0.0, 1.0, "seed 004 (documentation grid, methodological guide)"),
        "initial_trust": Param(0.2, "trust between colleagues before any meeting", "0-1", 0.0, 1.0,
                               "seed 000 (J Comorbidity: rare interprofessional contact)"),
        "trust_decay": Param(0.003, "weekly decay of trust towards its initial value", "1/week",
                             0.0, 1.0, "assumption"),
    },
    "meeting": {
        "learning_rate": Param(0.25, "share of a voiced knowledge gap closed per meeting", "-",
                               0.0, 1.0, "seed 001 (reflective case-based learning)"),
        "unprepared_efficiency": Param(0.6, "learning of an unprepared, unstructured meeting", "x",
                                       0.0, 1.0, "seed 002 (preparing the chair was crucial)"),
        "mentor_boost": Param(0.3, "extra learning in a mentored, structured meeting", "x", 0.0, 2.0,
                              "seed 000 (PERFORM KT: systematic, structured, mentored)"),
        "cocreation_rate": Param(0.25, "chance a diverse, well-moderated meeting co-creates", "-",
                                 0.0, 1.0, "seed 001 (develop new care strategies)"),
        "innovation_step": Param(0.1, "a co-created strategy's knowledge above the best member's",
                                 "0-1", 0.0, 1.0, "seed 001"),
        "trust_gain": Param(0.08, "share of the trust gap closed by attending together", "-", 0.0, 1.0,
                            "seed 003 (frequent interactions build teamness)"),
        "consensus_rate": Param(0.15, "move of priorities towards the group's common goals", "-",
                                0.0, 1.0, "seed 001 (define common goals)"),
        "representative_influence": Param(0.2, "pull of priorities towards patients' own", "-",
                                          0.0, 1.0, "seeds 002, 003"),
        "representative_voice": Param(0.6, "voice of the representative's lived experience", "0-1",
                                      0.0, 1.0, "seed 002 (enriched discussions)"),
        "documentation_rate": Param(0.5, "share of the gap codified into the repository", "-",
                                    0.0, 1.0, "seed 004; March (1991) organisational code"),
        "attendance_pressure": Param(0.5, "drop in attendance at full backlog pressure", "0-1",
                                     0.0, 1.0, "seed 003 (time was a challenge)"),
        "engagement_mean": Param(0.8, "mean chance a member attends", "0-1", 0.0, 1.0, "assumption"),
        "engagement_sd": Param(0.1, "spread of that chance between members", "0-1", 0.0, 0.5,
                               "assumption"),
    },
    "hierarchy": {
        "steepness": Param(0.5, "how much low status mutes a member's voice", "0-1", 0.0, 1.0,
                           "seeds 000 (Rev Panam 2007), 003 (hierarchy a barrier)"),
        "flattening": Param(0.7, "how much a skilled moderator cancels that muting", "0-1", 0.0, 1.0,
                            "seed 003 (behaviours that flattened hierarchies)"),
    },
    "turnover": {
        "annual_rate": Param(0.1, "share of practitioners replaced in a year", "1/year", 0.0, 1.0,
                             "assumption (seed 002 names continuity of participants a condition)"),
        "onboarding": Param(0.3, "share of the gap to the repository a newcomer closes", "-", 0.0, 1.0,
                            "assumption"),
    },
    "learning_community": {
        "enabled": Param(False, "cross-CoP sessions between CoPs", "-", source="seed 002"),
        "calendar": calendar_spec(13, 6, "seed 002 (four learning sessions in a year)"),
        "representatives_per_cop": Param(2, "members each CoP sends", "persons", 1, 50, "seed 002"),
        "rate": Param(0.3, "share of the gap to the best CoP closed per session", "-", 0.0, 1.0,
                      "seed 002 (learning between initiatives)"),
        "hours": Param(3.0, "length of a session", "h", 0.25, 16.0, "assumption"),
        "symposium_week": Param(0, "week of a one-off symposium of all CoPs (0 = none)", "week", 0, 1040,
                                "seed 000 (PERFORM KT end-of-project symposium)"),
    },
}
