"""The one commented source of the CoP model's defaults: value, unit, validity range, prior and origin.

Seeds cited are the source studies in ``../shared/seeds/``. "assumption" marks a value the
modellers chose; its prior says how far a robustness run or a calibration should vary it.
"""

from __future__ import annotations

import re

from cop_sim.composition import check_members
from cop_sim.cop.audit import AUDIT_SPEC
from cop_sim.cop.calendar import calendar_spec
from cop_sim.cop.network import NETWORK_SPEC
from cop_sim.cop.package import PACKAGE_SPEC
from cop_sim.cop.world.spec import DEFAULT_TOPICS, WORLD_SPEC
from cop_sim.names import plain_name
from cop_sim.params import Param, Prior, Spec
from cop_sim.vocab import DISCIPLINES


def _p(default, doc, unit, lo, hi, source="assumption", prior=None, why="assumption", family="uniform"):
    """A numeric parameter; ``prior`` (lo, hi) becomes a :class:`Prior` with its reason."""
    pr = Prior(prior[0], prior[1], why, family) if prior else None
    return Param(default, doc, unit, lo, hi, source, prior=pr)


def _around(value: float, half: float, lo: float = 0.0, hi: float = 1.0) -> tuple[float, float] | None:
    """A prior of +-half around an assumed value, within [lo, hi]; None for a structural zero."""
    if value == 0:
        return None
    return max(lo, value - half), min(hi, value + half)


AROUND = "assumption: around the value assumed for the discipline"


def _discipline(status, hours, contact, panel, confidence, insight, person, inclusion, src) -> Spec:
    return {
        "status": _p(status, "rank in the professional hierarchy", "0-1", 0.0, 1.0,
                     "seed 000 (Rev Panam Salud Publica 2007: physicians ranked above others); "
                     "other ranks assumed", _around(status, 0.2), AROUND),
        "clinical_hours": _p(hours, "clinical hours in a week", "h/week", 0.0, 80.0,
                             prior=_around(hours, 0.2 * hours, 0.0, 80.0), why=AROUND),
        "contact_share": _p(contact, "share of clinical hours in patient contact", "0-1", 0.0, 1.0,
                            prior=_around(contact, 0.1), why=AROUND),
        "panel_share": _p(panel, "share of the modelled panel who are this member's patients", "0-1",
                          0.0, 1.0, "assumption (managers, policy makers see no patients)"),
        "guideline_confidence": _p(confidence, "precision of the trained belief in guideline practices "
                                   "(observations' worth)", "obs", 0.0, 200.0, src,
                                   (confidence / 2, confidence * 2), AROUND, "loguniform"),
        "context_insight": _p(insight, "chance per visit of noticing a patient's social needs without the "
                              "patient in the plan", "0-1", 0.0, 1.0,
                              "seed 000 (J Clin Nurs 2017: nurses know the patient's world); seed 004",
                              _around(insight, 0.15), AROUND),
        "person_centred": _p(person, "trained belief in person-centred practices (mean, 0-1)", "0-1",
                             0.0, 1.0, "seed 000 (J Clin Nurs 2020, IJERPH: person-centred care)",
                             _around(person, 0.15), AROUND),
        "inclusion": _p(inclusion, "starting habit of planning care with the patient", "0-1", 0.0, 1.0,
                        "seed 003 (a continuum of engagement)", _around(inclusion, 0.2), AROUND),
    }


# Training's levers on the starting gap (guideline_confidence, person_centred; burn_in, the world's
# guideline_margin) were measured against EvidenceNOW's baseline and left at their values: none
# reaches it inside its prior (docs/cop-model.md, "The starting evidence-practice gap").
DISCIPLINE_SPEC: Spec = {
    "gp": _discipline(0.9, 32.0, 0.8, 1.0, 20.0, 0.2, 0.45, 0.3, "assumption (biomedical training)"),
    "nurse": _discipline(0.5, 32.0, 0.85, 1.0, 8.0, 0.5, 0.6, 0.5, "assumption"),
    "specialist": _discipline(1.0, 30.0, 0.8, 1.0, 30.0, 0.1, 0.4, 0.2,
                              "seed 000 (CMAJ Open TIP: specialists' medical model)"),
    "social_worker": _discipline(0.4, 32.0, 0.7, 1.0, 2.0, 0.8, 0.7, 0.6, "assumption"),
    "pharmacist": _discipline(0.5, 32.0, 0.6, 1.0, 15.0, 0.2, 0.45, 0.3, "assumption"),
    "community_worker": _discipline(0.2, 32.0, 0.8, 1.0, 2.0, 0.8, 0.7, 0.6,
                                    "seed 004 (trusted frontline professionals)"),
    "manager": _discipline(0.7, 0.0, 0.0, 0.0, 2.0, 0.3, 0.5, 0.3, "seed 002 (organisational level)"),
    "policy_maker": _discipline(0.8, 0.0, 0.0, 0.0, 2.0, 0.3, 0.5, 0.3, "seed 002 (organisational level)"),
}

COP_SPEC: Spec = {
    "name": Param("", "CoP name (default: cop1, cop2, ...)", kind=str),
    "members": Param({"gp": 2, "nurse": 3, "specialist": 1, "social_worker": 2, "pharmacist": 1,
                      "community_worker": 3}, "practitioners by discipline", "persons",
                     source="seed 004 (twelve practitioners of health, care and community work)",
                     kind=dict, check=check_members),
    "moderators": _p(2, "moderators (facilitators, chairs)", "persons", 0, 10, "seed 004 (two per CoP)"),
    "moderator_skill": _p(0.7, "facilitation skill: how far the chair cancels hierarchy's muting", "0-1",
                          0.0, 1.0, prior=(0.2, 1.0)),
    "preparation": _p(0.8, "chance the chair prepares a meeting (then picks the most surprising cases)",
                      "0-1", 0.0, 1.0, "seed 002 (preparing the chair was crucial)", (0.3, 1.0),
                      "seed 002 names preparation, not its frequency"),
    "documentation": _p(0.8, "chance a meeting's consensus is written into the repository", "0-1", 0.0,
                        1.0, "seed 004 (documentation grid)", (0.2, 1.0), "seed 004 names the grid only"),
    "mentor": Param(False, "an improvement mentor runs structured small tests (PDSA) with the CoP", "-",
                    source="seed 000 (PERFORM KT: an assigned mentor per team)"),
    "representative": Param(False, "a patient of the CoP's panels attends as representative", "-",
                            source="seeds 002, 003 (family representative; patient partners)"),
    "meeting_hours": _p(2.0, "length of a meeting", "h", 0.25, 8.0, prior=(1.0, 3.0)),
    "cases_per_meeting": _p(2, "stories discussed per meeting", "cases", 1, 6, prior=(1, 4)),
    "calendar": calendar_spec(4, 2, "seed 004 (monthly meetings throughout the year)"),
}

TOPIC_ROLES = ("condition", "always", "social")  # world.spec.topic_roles


def check_owners(value: dict) -> str | None:
    """Why a ``team.owners`` table (topic name or role -> disciplines) is not allowed, or None."""
    for key, discs in value.items():
        if key not in TOPIC_ROLES and key not in DEFAULT_TOPICS and not re.fullmatch(r"t\d\d", key):
            return (f"unknown topic '{key}'. Allowed: a role ({', '.join(TOPIC_ROLES)}) or a topic "
                    f"({', '.join(DEFAULT_TOPICS)}; t01, t02, ... at other world sizes)")
        if not isinstance(discs, list) or any(d not in DISCIPLINES for d in discs):
            return (f"topic '{key}' needs a list of disciplines, got {discs!r}. Allowed disciplines: "
                    f"{', '.join(DISCIPLINES)}")
    return None


# A patient's care team: the lead (the panel's practitioner) and members of other disciplines of
# the lead's CoP who own some of the patient's topics (docs/ODD.md 7.x "Care teams").
TEAM_SPEC: Spec = {
    "size": _p(3, "care team per patient, the lead included (1 = single-handed care: the lead owns "
               "every topic)", "persons", 1, 6,
               "assumption (the lead, a nurse and a social or community worker: the owners below); "
               "seed 000 (J Clin Nurs 2017: each patient's own 'Community of Clinical Practice')",
               (1, 4)),
    "owners": Param({"self_management": ["nurse"], "social_needs": ["social_worker", "community_worker"]},
                    "who owns a topic other than the lead: topic name (or role: condition, always, "
                    "social) -> disciplines in order of preference; a topic not listed, or with no "
                    "such member in the lead's CoP or no room left in the team, stays with the lead",
                    "-", source="assumption informed by seed 000 (J Clin Nurs 2017: patients seen "
                    "with a long-term conditions nursing team, nurses share the patient's vision of "
                    "daily life; J Clin Nurs 2020: registered nurses coordinate care) and seed 004 "
                    "(social and community workers integrate social care for the patient). No "
                    "pharmacist: the landscape has no medicines topic, and giving one condition to a "
                    "pharmacist would be arbitrary", kind=dict, check=check_owners,
                    partial=True),
}

SPEC: Spec = {
    "name": Param("default", "scenario name", kind=str, check=plain_name),
    "description": Param("", "what the scenario encodes", kind=str),
    "model": Param("cop", "which model runs the scenario", choices=("cop", "march1991", "toy")),
    "seed": Param(1, "seed of the run's random streams (and of its world)", "-", 0, 2**63 - 1),
    "weeks": _p(52, "horizon", "weeks", 1, 1040, "seed 004 (a year of monthly meetings)"),
    "burn_in": _p(26, "weeks of care before week 0, with no CoP", "weeks", 0, 520,
                  "assumption: month 0 means a settled practice. Week-0 optimal_practice_share at the "
                  "defaults is 0.40 (median of seeds 1-5, benchmarks/baseline_gap.py), below "
                  "EvidenceNOW's baseline of 60-65 % adherence (Balasubramanian et al. 2022, J Am Board "
                  "Fam Med 35(5):968); no setting tried of the levers inside their priors reaches it "
                  "(docs/cop-model.md, 'The starting evidence-practice gap'). Measured as EvidenceNOW "
                  "measured it, adherence to the guideline practice where it applies (target_adherence, "
                  "a guideline change package), week 0 is 0.62 (median of seeds 1-10), inside that "
                  "baseline", (0, 52)),
    "n_cops": _p(4, "number of CoPs built from the [cop] template", "CoPs", 0, 100000,
                 "seed 004 (four district CoPs)"),
    "cop": COP_SPEC,
    "cops": Param([], "per-CoP overrides of [cop], one table each", kind=list),
    "events": Param([], "interventions in time: [[events]] with week = W and set = {KEY = VALUE}", kind=list),
    "disciplines": DISCIPLINE_SPEC,
    "world": WORLD_SPEC,
    "patients": {
        "per_practitioner": _p(20, "patients with multimorbidity per clinician", "patients", 1, 200),
        "min_conditions": _p(2, "fewest chronic conditions", "conditions", 2, 6,
                             "seed 000 (multimorbidity: two or more conditions)"),
        "max_conditions": _p(5, "most chronic conditions", "conditions", 2, 6),
        "condition_prevalence": _p(0.4, "mean share of patients with each condition (site means vary by "
                                   "world.site_spread)", "0-1", 0.01, 0.99, prior=(0.2, 0.6)),
        "social_need_prevalence": _p(0.5, "mean share of patients with social needs", "0-1", 0.0, 1.0,
                                     prior=(0.2, 0.8)),
        "engagement": Param([0.6, 0.3, 0.1], "shares consulted / involved / partner", "shares", kind=list,
                            source="seed 003 (continuum of engagement)"),
        "response": _p(0.15, "weekly share of the gap to the value of current care that health closes",
                       "1/week", 0.0, 1.0, prior=(0.05, 0.4)),
        "decline": _p(0.05, "control lost by a condition's own course (target = value - decline)", "0-1",
                      0.0, 1.0, prior=(0.0, 0.15)),
        "goal_threshold": _p(0.6, "priority-weighted health above which a patient's goals count as met",
                             "0-1", 0.0, 1.0, prior=(0.4, 0.8)),
    },
    "practice": {
        "visit_rate": _p(0.12, "visit requests per patient-week with two conditions", "1/week", 0.0, 5.0,
                         prior=(0.06, 0.25)),
        "visit_rate_per_condition": _p(0.25, "extra relative demand per condition beyond two", "-",
                                       0.0, 5.0, prior=(0.0, 0.5)),
        "caseload": _p(1.0, "time pressure: multiplier on demand", "x", 0.0, 10.0,
                       "seed 003 (time was a challenge for all sites)", (0.6, 1.6), "assumption"),
        "encounter_hours": _p(0.5, "length of an encounter", "h", 0.05, 8.0, prior=(0.25, 0.75)),
        "panel_time_share": _p(0.12, "share of contact hours for the modelled panel", "0-1", 0.0, 1.0,
                               prior=(0.08, 0.2)),
        "cop_time_from_panel": _p(0.5, "share of CoP hours that displace care of the modelled panel",
                                  "0-1", 0.0, 1.0, "seed 003 (time was a challenge)", (0.2, 0.8)),
        "coordination_rate": _p(0.3, "odds scale of asking a trusted colleague's advice", "-", 0.0, 5.0,
                                "seed 000 (J Comorbidity: coordination is rare)", (0.1, 0.6)),
        "collaboration_rate": _p(0.3, "odds scale of a joint plan with a colleague and the patient", "-",
                                 0.0, 5.0, "seed 000 (J Comorbidity)", (0.1, 0.6)),
        "exploration": _p(0.2, "chance a visit tries a change to one practice of the plan", "0-1",
                          0.0, 1.0, "Eppstein et al. 2012 (local tests of potentially better practices); "
                          "value assumed", (0.05, 0.5)),
        "observation_noise": _p(0.15, "sd of the observed result of a practice around its true value",
                                "0-1", 0.0, 1.0, "Eppstein et al. 2012; Manukyan et al. 2013 (noisy "
                                "assessment); value assumed", (0.05, 0.3)),
        "signal_delay": _p(4, "weeks before a practice's result can be observed (0 = at the visit "
                           "itself)", "weeks", 0, 52, prior=(1, 12)),
        "replan": _p(0.0, "chance a visit chooses the whole plan afresh from current beliefs (ties at "
                     "random), not only the unplanned topics", "0-1", 0.0, 1.0,
                     "assumption; 1 in the March (1991) docking: every period each individual acts "
                     "on its beliefs, a neutral one as a fair coin"),
        "experience_weight": _p(1.0, "worth of one's own observed result in one's beliefs", "obs", 0.0,
                                5.0, "assumption (learning-core references: one observation); 0 in "
                                "the March (1991) docking: individuals learn only from the code"),
        "prior": Param("trials", "what practitioners start believing: trial evidence by discipline, or "
                       "'uninformed': on each topic a preference for one practice or for none, each "
                       "equally likely (March 1991's random beliefs)", "-",
                       choices=("trials", "uninformed"), source="assumption; March 1991 (uninformed)"),
        "belief_context": Param("partners", "what beliefs about a practice are conditional on: "
                                "'partners', whether the patient's social needs are known and which of "
                                "the topic's world.K interaction partners are active (2 x 2^K contexts); "
                                "'social', social needs only (0.2's two contexts)", "-",
                                choices=("partners", "social"),
                                source="assumption, motivated by Eppstein et al. 2012, PLoS ONE "
                                "7(11):e49901 (abstract: 'more context-dependent evaluation of "
                                "treatments, especially in complex terrains where some combinations "
                                "of practices may interact'); the world's NK partners are theirs"),
        "habit_rate": _p(0.05, "how fast the inclusion habit follows what planning with patients showed",
                         "-", 0.0, 1.0, prior=(0.01, 0.2), family="loguniform"),
        "time_limit": _p(1.0, "how far a visit's extras (a review, a colleague's advice, planning with the "
                         "patient) shrink with the time per visit, capacity over demand that week: their "
                         "chance x (1 - time_limit x (1 - capacity / demand)); 0 = time never limits them",
                         "0-1", 0.0, 1.0, "seed 003 (time was the challenge every site met); form and value "
                         "assumed", (0.25, 1.0)),
        "forgetting": _p(0.005, "weekly loss of a belief's precision (what was learnt can be revised)",
                         "1/week", 0.0, 0.2, prior=(0.001, 0.02), family="loguniform"),
    },
    "meeting": {
        "story_weight": _p(0.5, "a story's worth against one's own observation, at full voice and trust",
                           "obs", 0.0, 5.0, "seed 001 (stories of success and failure)", (0.1, 1.0)),
        "attendance_pressure": _p(0.5, "drop in attendance at full backlog pressure", "0-1", 0.0, 1.0,
                                  "seed 003 (time was a challenge)", (0.2, 0.8)),
        "engagement_mean": _p(0.8, "mean chance a member attends", "0-1", 0.0, 1.0, prior=(0.5, 0.95)),
        "engagement_sd": _p(0.1, "spread of that chance between members", "0-1", 0.0, 0.5, prior=(0.05, 0.2)),
        "cocreation_rate": _p(0.3, "chance two stories are recombined into a new plan for a patient", "-",
                              0.0, 1.0, "seed 001 (co-create care plans)", (0.05, 0.6)),
        "consensus_rate": _p(0.2, "move of what listeners think matters towards a story's patient", "-",
                             0.0, 1.0, "seed 001 (define common goals)", (0.05, 0.4)),
        "trust_rate": _p(0.2, "how fast trust follows how well a teller's stories predicted outcomes", "-",
                         0.0, 1.0, "seed 003 (teams came to value patients' knowledge)", (0.05, 0.5)),
        "familiarity": _p(0.0, "trust gained by attending together, apart from accuracy (knock-out 0)",
                          "-", 0.0, 1.0, "seed 003 (frequent interactions); off by default", (0.0, 0.05)),
        "pdsa_noise": _p(0.5, "observation noise in a mentored CoP, relative", "x", 0.0, 1.0,
                         "seed 000 (PERFORM KT: structured tests)", (0.3, 0.9)),
        "pdsa_hours": _p(0.5, "weekly hours that structured tests cost each member", "h/week", 0.0, 8.0,
                         prior=(0.2, 1.0)),
        "initial_trust": _p(0.3, "trust between members before any story", "0-1", 0.0, 1.0,
                            "seed 000 (J Comorbidity: rare interprofessional contact)", (0.1, 0.5)),
        # Eppstein et al. 2012 (PLoS ONE 7(11):e49901): collaborative learning shares whole
        # configurations that sites test locally; dissemination shares per-practice evidence only
        "transfer": Param("configurations", "what a told story carries: 'configurations', the case "
                          "(context, whole plan, observed result, teller) as well as its evidence, so "
                          "listeners may try the plan on similar patients of their own (collaborative "
                          "learning); 'evidence', only the per-practice evidence (dissemination, 0.2)", "-",
                          choices=("configurations", "evidence"),
                          source="Eppstein et al. 2012, PLoS ONE 7(11):e49901 (collaborative learning "
                          "against dissemination)"),
        "adoption_similarity": _p(2 / 3, "least Jaccard similarity of conditions and social need between "
                                  "a told case and a listener's patient for the told plan to be tried "
                                  "on that patient", "0-1", 0.0, 1.0,
                                  "assumption (2/3: one condition more or less than a two- or "
                                  "three-condition case); Manukyan et al. 2013 (similar contexts "
                                  "share more)", (0.4, 1.0)),
        "adoption_rate": _p(0.5, "chance a listener acts on a told case heard at full voice from a fully "
                            "trusted teller (scaled by the teller's voice and the listener's trust, as "
                            "the story's evidence)", "0-1", 0.0, 1.0,
                            "assumption (Eppstein et al. 2012: sites test shared practices locally; "
                            "rate not reported)", (0.1, 1.0)),
        "adoption_patients": _p(2, "most of a listener's own patients a told plan is tried on", "patients",
                                1, 200, "assumption (a few patients: a small test of change)", (1, 5)),
    },
    "hierarchy": {
        "steepness": _p(0.5, "how much low status mutes a teller's voice", "0-1", 0.0, 1.0,
                        "seeds 000 (Rev Panam 2007), 003 (hierarchy a barrier)", (0.0, 1.0)),
        "flattening": _p(0.7, "how much a fully skilled moderator cancels that muting", "0-1", 0.0, 1.0,
                         "seed 003 (behaviours that flattened hierarchies)", (0.3, 1.0)),
    },
    "repository": {
        "use": _p(0.02, "weekly weight of the repository as an observation in members' beliefs "
                  "(stepwise socialisation: weekly chance of a step, March's p1)", "obs",
                  0.0, 5.0, "seed 004 (methodological guide); March (1991) socialisation", (0.0, 0.1)),
        "onboarding": _p(2.0, "the repository's worth to a newcomer, in observations", "obs", 0.0, 50.0,
                         prior=(0.0, 5.0)),
        "socialisation": Param("evidence", "how members use the repository: 'evidence', every week as "
                               "an observation worth 'use'; 'stepwise', with chance 'use' a week on each "
                               "topic where their preference differs from the code's, one step towards "
                               "it (another practice -> none -> the code's)", "-",
                               choices=("evidence", "stepwise"),
                               source="March 1991; one step per Christensen 2015 (stepwise)"),
        "learning": Param("consensus", "how the repository learns at a documented meeting: 'consensus', "
                          "the attendees' precision-weighted beliefs; 'superior', on each topic the "
                          "practice most used by the attendees whose observed results beat what "
                          "following the repository gave, adopted with chance 1 - (1 - "
                          "learning_rate)^k, k the majority's margin", "-",
                          choices=("consensus", "superior"), source="March 1991 (superior)"),
        "learning_rate": _p(0.5, "code learning rate of 'superior' learning (March's p2)", "0-1", 0.0, 1.0,
                            "March 1991, footnote 1"),
        "pathways": Param(True, "care pathways: at a documented meeting the repository writes down the "
                          "told cases' plans by class of patient (conditions and social need) with their "
                          "observed results; a newcomer's patients of a class with a pathway start on it, "
                          "right or wrong, and reviews may adopt it", "-",
                          source="seed 004 (documentation grid); March 1991 (newcomers socialised to the "
                          "code)"),
        "score_rate": _p(1.0, "weight of the latest observed result in a member's running score, "
                         "which 'superior' learning compares with the repository's (1 = the latest "
                         "result only)", "0-1", 0.0, 1.0,
                         "assumption; 1 in the March (1991) docking (the current period's actions)"),
    },
    "review": {
        "interval": _p(26, "weeks after a plan's last review before a visit reviews it: its topics chosen "
                       "afresh from current beliefs (0 = no periodic review)", "weeks", 0, 520,
                       "assumption (chronic-care reviews are commonly six-monthly or annual)", (13, 52)),
        "triggers": Param(True, "news that changes a practitioner's preferred practice on a topic (a story; "
                          "audit and feedback where it flags them) makes their plans due a "
                          "review at the next visit", "-",
                          source="issue 24 (a review when a story, the repository or audit and feedback "
                          "contradicts the current plan); assumption"),
        "repository_triggers": Param(
            True, "the repository triggers reviews too: when what members take from it "
            "(weekly use, stepwise socialisation) changes their preferred practice on "
            "a topic, their plans are due a review (only with review.triggers on)", "-",
            source="issue 24 (a review when a story, the repository or audit and "
            "feedback contradicts the current plan); 'contradicts' as for stories: "
            "assumption"),
        "keep_rule": Param("estimate", "how a tried change is judged: 'estimate', its observed result "
                           "against the running mean of the observed results of the plan it replaced "
                           "(that plan's results seen at later visits add to it); 'best_seen', against "
                           "the best result ever seen for the patient (0.2's rule, a ratchet on noise)", "-",
                           choices=("estimate", "best_seen"),
                           source="issue 24 (a running estimate, not the maximum of noisy records); "
                           "Levinthal 1997 (local search); best_seen: cop_sim 0.2"),
    },
    "team": TEAM_SPEC,
    "turnover": {
        "annual_rate": _p(0.1, "share of practitioners replaced in a year", "1/year", 0.0, 1.0,
                          "assumption (seed 002: continuity of participants)", (0.0, 0.3)),
    },
    "learning_community": {
        "enabled": Param(False, "cross-CoP sessions where delegates tell stories to other CoPs", "-",
                         source="seed 002"),
        "calendar": calendar_spec(13, 6, "seed 002 (four learning sessions in a year)"),
        "representatives_per_cop": _p(2, "members each CoP sends (each tells their most surprising story)",
                                     "persons", 1, 50, "seed 002"),
        "hours": _p(3.0, "length of a session", "h", 0.25, 16.0),
        "symposium_week": _p(0, "week of a one-off symposium of all CoPs (0 = none)", "week", 0, 1040,
                             "seed 000 (PERFORM KT end-of-project symposium)"),
        # Manukyan, Eppstein and Horbar 2013 (IEEE Access 1): a collaborative's sites learn in teams
        # chosen by how alike their contexts are; 0 keeps today's one community of all CoPs
        "teams": _p(0, "teams the CoPs are split into for learning sessions (0 = one community of all; "
                    "at most n_cops)", "teams", 0, 100000,
                    "Manukyan et al. 2013, IEEE Access 1 (teams within a collaborative); number assumed"),
        "team_by": Param("similar", "how teams are formed from the CoPs' patient mixes: 'similar' groups "
                         "the most alike, 'diverse' spreads alike CoPs over different teams", "-",
                         choices=("similar", "diverse"),
                         source="Manukyan et al. 2013, IEEE Access 1 (similar against diverse teams)"),
    },
    # a collaborative's change package: what target_adherence measures (cop_sim/cop/package.py)
    "change_package": PACKAGE_SPEC,
    # audit and feedback, the standard comparator (cop_sim/cop/audit.py)
    "audit": AUDIT_SPEC,
    # who asks whom: an advice and referral network (cop_sim/cop/network.py)
    "network": NETWORK_SPEC,
}
