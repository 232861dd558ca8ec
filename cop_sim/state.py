"""The model's numeric state: NumPy arrays for practitioners, patients and CoPs, and their set-up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cop_sim.composition import expand_cops, lay_out
from cop_sim.kernel import njit
from cop_sim.queue import NEVER, weeks_to_request
from cop_sim.vocab import DISCIPLINES, N_CONDITIONS, N_TOPICS, PERSON_CENTRED, TOPICS

T = N_TOPICS
PERSON = np.array([TOPICS.index(t) for t in PERSON_CENTRED])
POLY, SELF, SOCIAL, NAV, CARER, GOALS = (TOPICS.index(t) for t in PERSON_CENTRED)
REPRESENTATIVE_STATUS = 0.1  # a patient in a room of professionals (seed 003)
# How much a patient's engagement level lets a joint plan include them (seed 003 continuum).
ENGAGEMENT_WEIGHT = np.array([0.3, 0.7, 1.0])
# A patient's numbers that a visit reads, packed in one row of ``State.patient_table``: a visit
# reads one row, and the practice kernel takes one array rather than a dozen. The named
# arrays (``need``, ``demand``, ...) are views of it, so agents and tests read them as before.
PATIENT_ROW = tuple(f"need:{t}" for t in TOPICS) + tuple(f"prio:{t}" for t in TOPICS) + (
    "demand", "need_total", "need_max", "complexity", "engage", "lived", "capability", "tie", "quality_sum")
NEED, PRIO = slice(0, T), slice(T, 2 * T)
(DEMAND, NEED_TOTAL, NEED_MAX, COMPLEXITY, ENGAGE, LIVED, CAPABILITY, TIE,
 QUALITY_SUM) = range(2 * T, len(PATIENT_ROW))


def topic_vector(profile: dict[str, float]) -> np.ndarray:
    """A topic map as a vector over TOPICS."""
    return np.array([profile[t] for t in TOPICS], dtype=float)


def normalise(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Rows scaled to sum to one (priorities are weights); in place when ``out`` is ``x``."""
    return np.divide(x, x.sum(axis=-1, keepdims=True), out=out)


@dataclass
class State:
    """All numbers of one model, owned by the model and indexed by the agents."""

    # practitioners (N)
    disc: np.ndarray
    cop: np.ndarray
    slot: np.ndarray
    status: np.ndarray
    hours: np.ndarray
    contact: np.ndarray
    sharing: np.ndarray
    engagement: np.ndarray
    K: np.ndarray  # knowledge (N, T) in [0, 1]
    K0: np.ndarray  # starting profile, what knowledge decays towards
    P: np.ndarray  # priorities (N, T), rows sum to 1
    case_need: np.ndarray  # the kept hard case (N, T)
    case_salience: np.ndarray
    attended: np.ndarray
    cop_hours: np.ndarray  # CoP work this week (h)
    # CoPs (C) with padded member slots (C, m)
    members: np.ndarray
    mask: np.ndarray
    trust: np.ndarray  # (C, m, m)
    R: np.ndarray  # repository knowledge (C, T)
    skill: np.ndarray
    preparation: np.ndarray
    documentation: np.ndarray
    n_moderators: np.ndarray
    mentor: np.ndarray
    representative: np.ndarray
    meeting_hours: np.ndarray
    cases: np.ndarray
    rep_prio: np.ndarray  # what the CoP's patients want (C, T)
    rep_lived: np.ndarray  # the representative's lived-experience knowledge (C, T)
    # patients (N, ppp); the float arrays are views of patient_table (see PATIENT_ROW)
    patient_table: np.ndarray  # (N, ppp, len(PATIENT_ROW))
    active: np.ndarray
    need: np.ndarray  # (N, ppp, T)
    prio: np.ndarray  # (N, ppp, T)
    engage: np.ndarray  # (N, ppp) ENGAGEMENT_WEIGHT of the engagement level
    demand: np.ndarray  # weekly chance of asking for a visit, caseload included
    need_total: np.ndarray  # (N, ppp) sum of needs
    need_max: np.ndarray  # (N, ppp) largest need: what a case teaches is scaled by it
    complexity: np.ndarray  # (N, ppp) conditions / 5, at most 1
    level: np.ndarray  # engagement level 0 consulted, 1 involved, 2 partner
    capability: np.ndarray  # (N, ppp) capacity to manage one's own care, 0-1
    lived: np.ndarray  # (N, ppp) lived-experience knowledge on person-centred topics
    asked: np.ndarray  # week of the pending or next request for a visit: waiting while it has passed
    tie: np.ndarray  # a uniform fraction, redrawn at each visit, that breaks ties between equal waits
    network: np.ndarray  # care network: bitmask over CoP member slots
    visits: np.ndarray
    quality_sum: np.ndarray
    panel_prio: np.ndarray  # (N, T) mean priorities of a practitioner's patients

    @property
    def n(self) -> int:
        """Number of practitioners."""
        return len(self.disc)


def discipline_tables(resolved: dict) -> dict[str, np.ndarray]:
    """Per-discipline parameter vectors, indexed by discipline number."""
    d = resolved["disciplines"]
    return {
        "status": np.array([d[k]["status"] for k in DISCIPLINES]),
        "hours": np.array([d[k]["clinical_hours"] for k in DISCIPLINES]),
        "contact": np.array([d[k]["contact_share"] for k in DISCIPLINES]),
        "panel": np.array([d[k]["panel_share"] for k in DISCIPLINES]),
        "sharing": np.array([d[k]["vision_sharing"] for k in DISCIPLINES]),
        "knowledge": np.array([topic_vector(d[k]["knowledge"]) for k in DISCIPLINES]),
        "priorities": normalise(np.array([topic_vector(d[k]["priorities"]) for k in DISCIPLINES])),
    }


def new_knowledge(profiles: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Starting knowledge: the discipline's profile with individual variation."""
    return np.clip(profiles + rng.normal(0.0, 0.05, profiles.shape), 0.0, 1.0)


def new_engagement(n: int, meeting: dict, rng: np.random.Generator) -> np.ndarray:
    """Each member's chance of attending a meeting."""
    return np.clip(rng.normal(meeting["engagement_mean"], meeting["engagement_sd"], n), 0.05, 1.0)


@njit
def _first_requests(u, demand):
    out = np.empty(demand.shape, dtype=np.int64)
    flat, d = out.reshape(-1), demand.reshape(-1)
    for e in range(d.size):
        weeks = weeks_to_request(u[e], d[e])
        flat[e] = weeks - 1 if weeks < NEVER else NEVER
    return out


def first_request(demand: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The week of each patient's first request (week 0 is the first step; NEVER at zero demand)."""
    return _first_requests(rng.random(demand.size), demand)


def build_patients(resolved: dict, panel_active: np.ndarray, rng: np.random.Generator) -> dict:
    """Patients with 2-5 conditions, social needs, priorities and lived experience."""
    pat, prac = resolved["patients"], resolved["practice"]
    n, ppp = panel_active.shape
    shape = (n, ppp)
    n_cond = rng.integers(pat["min_conditions"], pat["max_conditions"] + 1, size=shape)
    # choose conditions without replacement: the n_cond smallest of random keys
    keys = rng.random(shape + (N_CONDITIONS,))
    has = keys <= np.take_along_axis(np.sort(keys, axis=-1), n_cond[..., None] - 1, axis=-1)
    severity = rng.uniform(0.4, 1.0, shape + (N_CONDITIONS,))
    table = np.zeros(shape + (len(PATIENT_ROW),))  # filled in place: at scale it is most of the memory
    need, prio = table[..., NEED], table[..., PRIO]
    need[..., :N_CONDITIONS] = has * severity
    del severity
    social = rng.random(shape) < pat["social_need_prevalence"]
    capability = rng.uniform(0.2, 1.0, shape)
    need[..., POLY] = np.clip((n_cond - 1) / 4, 0, 1)  # more conditions, more medicines
    need[..., SELF] = rng.uniform(0.3, 0.9, shape)
    need[..., SOCIAL] = social * rng.uniform(0.4, 1.0, shape)
    need[..., NAV] = np.clip(n_cond / 5 + 0.2 * social, 0, 1)
    need[..., CARER] = (1 - capability) * rng.uniform(0.3, 1.0, shape)
    need[..., GOALS] = rng.uniform(0.4, 1.0, shape)
    base = topic_vector(pat["priorities"])
    prio[...] = rng.uniform(0.5, 1.5, shape + (T,))
    prio *= base
    prio[..., :N_CONDITIONS] *= has  # people care about the conditions they have
    normalise(prio, out=prio)
    level = rng.choice(3, size=shape, p=pat["engagement"])
    lived = pat["lived_experience"] * (0.5 + 0.5 * capability)
    rate = prac["visit_rate"] * (1 + prac["visit_rate_per_condition"] * (n_cond - 2))
    demand = np.clip(rate * prac["caseload"], 0, 1)
    fields = {"demand": demand, "need_total": need.sum(axis=-1), "need_max": need.max(axis=-1),
              "complexity": np.minimum(n_cond / 5.0, 1.0), "engage": ENGAGEMENT_WEIGHT[level],
              "lived": lived, "capability": capability, "tie": rng.random(shape), "quality_sum": 0.0}
    for name, value in fields.items():
        table[..., PATIENT_ROW.index(name)] = value
    views = {name: table[..., PATIENT_ROW.index(name)] for name in fields}
    return {
        "patient_table": table, "need": need, "prio": prio, **views,
        "active": panel_active, "level": level, "asked": first_request(demand * panel_active, rng),
        "network": np.zeros(shape, dtype=np.uint64), "visits": np.zeros(shape, dtype=np.int64),
    }


def build_state(resolved: dict, rng: np.random.Generator) -> tuple[State, list[dict], dict[str, np.ndarray]]:
    """Lay out every CoP's members in padded slots and draw the starting state.

    Returns the state, every CoP's settings and the per-discipline tables (turnover reuses them).
    """
    cops = expand_cops(resolved)
    tab = discipline_tables(resolved)
    disc, cop, slot, members = lay_out(cops)
    n, (n_cops, m) = len(disc), members.shape
    mask = members >= 0
    K = new_knowledge(tab["knowledge"][disc], rng)
    ppp = resolved["patients"]["per_practitioner"]
    panel_active = rng.random((n, ppp)) < tab["panel"][disc][:, None]
    patients = build_patients(resolved, panel_active, rng)
    w = patients["active"][..., None]
    counts = w.sum(axis=1)
    all_mean = (patients["prio"] * w).sum(axis=(0, 1)) / max(1, w.sum())
    panel_prio = np.where(counts > 0, (patients["prio"] * w).sum(axis=1) / np.maximum(counts, 1), all_mean)
    rep_prio = np.array([panel_prio[cop == c].mean(axis=0) if (cop == c).any() else all_mean
                         for c in range(n_cops)]).reshape(n_cops, T)
    rep_lived = np.zeros((n_cops, T))
    rep_lived[:, PERSON] = resolved["patients"]["lived_experience"]
    rep_lived[:, :N_CONDITIONS] = 0.3  # living with conditions teaches something about them
    init_trust = resolved["informal"]["initial_trust"]
    trust = np.full((n_cops, m, m), init_trust)
    col = lambda key: np.array([spec[key] for spec in cops], dtype=float)  # noqa: E731
    state = State(
        disc=disc, cop=cop, slot=slot, status=tab["status"][disc], hours=tab["hours"][disc],
        contact=tab["contact"][disc], sharing=tab["sharing"][disc],
        engagement=new_engagement(n, resolved["meeting"], rng), K=K, K0=K.copy(),
        P=tab["priorities"][disc].copy(), case_need=np.zeros((n, T)), case_salience=np.zeros(n),
        attended=np.zeros(n, dtype=bool), cop_hours=np.zeros(n),
        members=members, mask=mask, trust=trust, R=np.zeros((n_cops, T)),
        skill=np.where(col("moderators") > 0, col("moderator_skill"), 0.0),
        preparation=np.where(col("moderators") > 0, col("preparation"), 0.0),
        documentation=np.where(col("moderators") > 0, col("documentation"), 0.0),
        n_moderators=col("moderators").astype(int), mentor=col("mentor").astype(bool),
        representative=col("representative").astype(bool), meeting_hours=col("meeting_hours"),
        cases=col("cases_per_meeting").astype(int), rep_prio=rep_prio, rep_lived=rep_lived,
        panel_prio=panel_prio, **patients,
    )
    return state, cops, tab

