"""The CoP model's numeric state: named tuples of NumPy arrays that the kernels take by name.

Numba compiles a function over a NamedTuple of arrays once per layout, so the kernels read
``pr.mu`` or ``pa.plan`` instead of a long positional list. The model owns these arrays; the
Mesa agents are views onto them by index.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cop_sim.cop.audit import MEASURE_CODE
from cop_sim.cop.context import SOCIAL  # noqa: F401  (social contexts; beliefs have world.n_bctx >= SOCIAL)

REPRESENTATIVE_STATUS = 0.1  # a patient in a room of professionals (seed 003)
# How much a patient's engagement level lets a joint plan include them (seed 003 continuum).
ENGAGEMENT_WEIGHT = np.array([0.3, 0.7, 1.0])
# Practice indices (0 .. n_practices - 1, or -1) and member slots are small integers: narrow
# types for the largest arrays (three N x ppp x T plans: 160 MB less at 48,000 practitioners, and
# fewer cache misses per visit). Only indices are stored, so no result depends on the width.
PLAN_DTYPE = np.int8
SLOT_DTYPE = np.int32
# Where the plan under test came from (``Patients.origin``): counted when its result is judged.
ORIGIN_OWN, ORIGIN_STORY, ORIGIN_REPOSITORY = 0, 1, 2


class Practitioners(NamedTuple):
    """Practitioners (N): who they are, what they believe, what they bring to the next meeting."""

    disc: np.ndarray  # int64[N]
    cop: np.ndarray  # int64[N]
    slot: np.ndarray  # int64[N]: member slot in the CoP
    status: np.ndarray  # float64[N]
    hours: np.ndarray  # clinical hours a week
    contact: np.ndarray  # share in patient contact
    engagement: np.ndarray  # chance of attending a meeting
    insight: np.ndarray  # chance per visit of noticing a patient's social needs unasked
    mu: np.ndarray  # float64[N, B, T, A]: believed value of each practice, by belief context (context.py)
    prec: np.ndarray  # float64[N, B, T, A]: precision of that belief, in observations' worth
    P: np.ndarray  # float64[N, T]: what the practitioner thinks matters to patients (weights)
    habit: np.ndarray  # float64[N]: chance of planning with the patient, given the chance arises
    m_joint: np.ndarray  # float64[N]: mean observed value of plans made with the patient
    m_solo: np.ndarray  # float64[N]: ... and of plans made alone
    told_by: np.ndarray  # int32[N, B, T, A]: member slot of the last teller of a story on it (-1)
    told_val: np.ndarray  # float64[N, B, T, A]: what that story reported
    debt: np.ndarray  # float64[N]: encounters owed to colleagues' joint work, taken from next week
    cop_hours: np.ndarray  # float64[N]: CoP work this week (h)
    attended: np.ndarray  # bool[N]
    st_patient: np.ndarray  # int64[N]: panel slot of the most surprising case since the last meeting
    st_surprise: np.ndarray  # float64[N]
    score: np.ndarray  # float64[N]: running mean of observed results of own care (NaN = none yet)
    review_from: np.ndarray  # int64[N]: plans last reviewed before this week are due a review (-1 = none)
    visit_time: np.ndarray  # float64[N]: this week's time per visit, capacity over demand (at most 1)
    heard: np.ndarray  # int64[N]: stories heard so far (messages received, whatever they carried)
    changes: np.ndarray  # float64[N]: practices in use changed on topics this member owns (care teams)
    au_val: np.ndarray  # float64[N, H]: audit charts' scores by care week (a ring; H = 0 without audit)
    au_n: np.ndarray  # float64[N, H]: ... and how many charts
    au_week: np.ndarray  # int64[N, H]: the care week each slot holds (-1 = none)
    ties: np.ndarray  # int64[N, D]: advice and referral partners (-1 padded; D = 0 without a network)


class Patients(NamedTuple):
    """Patients (N, ppp): their context, their plans, their health and what was last observed."""

    ctx: np.ndarray  # int64[N, ppp]: context in the world's catalogue (-1 = empty panel slot)
    demand: np.ndarray  # float64[N, ppp]: weekly chance of asking for a visit
    engage: np.ndarray  # float64[N, ppp]: ENGAGEMENT_WEIGHT of the engagement level
    asked: np.ndarray  # int64[N, ppp]: week of the pending or next request
    tie: np.ndarray  # float64[N, ppp]: breaks ties between equal waits
    plan: np.ndarray  # int8[N, ppp, T]: practice in use per topic (-1 = none)
    tried: np.ndarray  # int64[N, ppp]: week the plan was last changed (-1 = result already seen)
    joint: np.ndarray  # bool[N, ppp]: the plan in use was made with the patient
    inc_plan: np.ndarray  # int8[N, ppp, T]: the incumbent: the plan a tried change is judged against
    inc_mean: np.ndarray  # float64[N, ppp]: its running mean observed value (-inf: none; best_seen: the max)
    inc_n: np.ndarray  # float64[N, ppp]: that mean's precision, in observations (0 = no estimate)
    seen_week: np.ndarray  # int64[N, ppp]: week the plan in force was last observed or came back (-1)
    known: np.ndarray  # bool[N, ppp]: the practitioner knows the patient's context and priorities
    health: np.ndarray  # float64[N, ppp, T]: control on each active topic, 0-1
    health_week: np.ndarray  # int64[N, ppp]: week health was last brought up to date
    obs: np.ndarray  # float64[N, ppp, T]: last observed result per topic (story material)
    obs_plan: np.ndarray  # int8[N, ppp, T]: the plan that result belonged to
    reviewed: np.ndarray  # int64[N, ppp]: week the plan was last reviewed (-1 = never)
    origin: np.ndarray  # int8[N, ppp]: where the plan under test came from (ORIGIN_OWN, _STORY, _REPOSITORY)
    cls: np.ndarray  # int64[N, ppp]: the patient's class for care pathways (a catalogue context, -1 = none)
    owner: np.ndarray  # int32[N, ppp, T]: the care-team member owning each topic (single-handed: the lead i)


class Cops(NamedTuple):
    """CoPs (C) with padded member slots; slot ``m`` of ``trust`` is the representative."""

    members: np.ndarray  # int64[C, m]
    trust: np.ndarray  # float64[C, m + 1, m + 1]: trust[c, listener, teller]
    R_mu: np.ndarray  # float64[C, B, T, A]: the repository's codified beliefs, by belief context
    R_prec: np.ndarray  # float64[C, B, T, A]: their weight (0 = nothing written yet)
    skill: np.ndarray
    preparation: np.ndarray
    documentation: np.ndarray
    mentor: np.ndarray  # bool[C]
    representative: np.ndarray  # bool[C]
    meeting_hours: np.ndarray
    cases: np.ndarray  # int64[C]
    rep_i: np.ndarray  # int64[C]: the representative is patient (rep_i, rep_k) of the CoP's panels
    rep_k: np.ndarray
    noise: np.ndarray  # float64[C]: sd of observed results in the CoP (lower with structured tests)
    path_plan: np.ndarray  # int8[C, n_contexts, T]: the care pathway written for each class of patient
    path_value: np.ndarray  # float64[C, n_contexts]: its mean observed result, as told
    path_n: np.ndarray  # float64[C, n_contexts]: how many told results that mean holds
    path_week: np.ndarray  # int64[C, n_contexts]: week it was last written (-1 = no pathway)
    package: np.ndarray  # int64[3, T]: the run's change package (cop_sim/cop/package.py), one for all CoPs


class Knobs(NamedTuple):
    """The scalar parameters the kernels read, by name."""

    coord_rate: float
    collab_rate: float
    exploration: float
    delay: int
    habit_rate: float
    response: float
    decline: float
    goal_threshold: float
    story_weight: float
    att_pressure: float
    cocreation_rate: float
    consensus_rate: float
    trust_rate: float
    familiarity: float
    steepness: float
    flattening: float
    repo_use: float
    initial_trust: float
    experience: float  # worth of an own observation in beliefs
    replan: float  # chance a visit chooses the whole plan afresh
    superior: bool  # the repository learns from the superior group (March 1991), not the consensus
    code_rate: float  # March's p2
    score_rate: float
    stepwise: bool  # members socialise stepwise towards the code (March's p1 = repo_use)
    review_interval: int  # weeks between periodic reviews of a plan (0 = none)
    review_triggers: bool  # news that changes a preferred practice makes the plans due a review
    best_seen: bool  # 0.2's keep rule: a change against the best result ever seen (no follow-ups)
    time_limit: float  # how far the extras of a visit shrink with its time
    configurations: bool  # stories carry cases (Eppstein et al. 2012's collaborative learning)
    adopt_similarity: float  # least similarity of a listener's patient to a told case
    adopt_rate: float  # chance of acting on a fully trusted teller's case
    adopt_max: int  # most own patients a told plan is tried on
    pathways: bool  # the repository holds care pathways
    team_size: int  # care team per patient (1 = single-handed care, the path of 0.2)
    audit_measure: int  # what audit charts score (audit.MEASURE_CODE)
    repo_triggers: bool  # the repository's news that changes a preferred practice triggers reviews too
    hallway_rate: float  # weekly chance of telling one's case to a tie between meetings (0 = none)


def knobs(resolved: dict) -> Knobs:
    """The kernels' parameters from a resolved scenario."""
    p, m, h = resolved["practice"], resolved["meeting"], resolved["hierarchy"]
    pat, r = resolved["patients"], resolved["review"]
    return Knobs(
        coord_rate=float(p["coordination_rate"]), collab_rate=float(p["collaboration_rate"]),
        exploration=float(p["exploration"]), delay=int(p["signal_delay"]), habit_rate=float(p["habit_rate"]),
        response=float(pat["response"]), decline=float(pat["decline"]),
        goal_threshold=float(pat["goal_threshold"]), story_weight=float(m["story_weight"]),
        att_pressure=float(m["attendance_pressure"]), cocreation_rate=float(m["cocreation_rate"]),
        consensus_rate=float(m["consensus_rate"]), trust_rate=float(m["trust_rate"]),
        familiarity=float(m["familiarity"]), steepness=float(h["steepness"]),
        flattening=float(h["flattening"]), repo_use=float(resolved["repository"]["use"]),
        initial_trust=float(m["initial_trust"]), experience=float(p["experience_weight"]),
        replan=float(p["replan"]), superior=resolved["repository"]["learning"] == "superior",
        code_rate=float(resolved["repository"]["learning_rate"]),
        score_rate=float(resolved["repository"]["score_rate"]),
        stepwise=resolved["repository"]["socialisation"] == "stepwise",
        review_interval=int(r["interval"]), review_triggers=bool(r["triggers"]),
        best_seen=r["keep_rule"] == "best_seen", time_limit=float(p["time_limit"]),
        configurations=m["transfer"] == "configurations",
        adopt_similarity=float(m["adoption_similarity"]), adopt_rate=float(m["adoption_rate"]),
        adopt_max=int(m["adoption_patients"]), pathways=bool(resolved["repository"]["pathways"]),
        team_size=int(resolved["team"]["size"]),
        audit_measure=MEASURE_CODE[resolved["audit"]["measure"]],
        repo_triggers=bool(r["triggers"]) and bool(r["repository_triggers"]),
        hallway_rate=float(resolved["network"]["hallway_rate"]) if resolved["network"]["enabled"] else 0.0,
    )
