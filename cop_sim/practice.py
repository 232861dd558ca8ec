"""Weekly practice: demand, capacity net of CoP hours, encounters by mode, care quality, learning."""

from __future__ import annotations

import numpy as np

from cop_sim.groups import Groups
from cop_sim.state import PERSON, State

CONSULTATION, COORDINATION, COLLABORATION = 0, 1, 2
# How much a patient's engagement level lets a joint plan include them (seed 003 continuum).
ENGAGEMENT_WEIGHT = np.array([0.3, 0.7, 1.0])
ONE = np.uint64(1)


def capacity(s: State, prac: dict, rng: np.random.Generator) -> np.ndarray:
    """Encounters each practitioner can give this week, after the hours spent in CoP work."""
    panel_hours = s.hours * prac["panel_time_share"] - s.cop_hours * prac["cop_time_from_panel"]
    slots = np.maximum(panel_hours, 0.0) * s.contact / prac["encounter_hours"]
    return np.floor(slots + rng.random(s.n)).astype(np.int64)  # unbiased rounding


def serve(s: State, cap: np.ndarray, rng: np.random.Generator, waiting: np.ndarray) -> np.ndarray:
    """Which waiting patients are seen: up to capacity, longest-waiting first."""
    served = waiting.copy()
    over = np.flatnonzero(waiting.sum(axis=1) > cap)
    if over.size:
        # random fractions break ties between equal waits without favouring a slot
        key = np.where(waiting[over], s.waiting[over] + rng.random(waiting[over].shape) * 0.5, -1.0)
        rank = np.argsort(np.argsort(-key, axis=1), axis=1)
        served[over] = waiting[over] & (rank < cap[over, None])
    return served


def choose_mode(s: State, prac: dict, pi: np.ndarray, need: np.ndarray, Ki: np.ndarray,
                f: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Consultation, coordination (referral to a tied colleague) or collaboration (joint plan).

    The colleague is the member the practitioner trusts most, weighted by knowledge of the
    patient's largest unmet need; trust makes referral and joint plans likelier (seed 000,
    J Comorbidity: consultation dominates where professionals rarely interact).
    """
    n_enc, m, n_topics = len(pi), s.members.shape[1], s.K.shape[1]
    u = rng.random(n_enc)
    complexity = s.complexity.reshape(-1)[f]
    engage = ENGAGEMENT_WEIGHT[s.level.reshape(-1)[f]]
    mode = np.zeros(n_enc, dtype=np.int64)
    j = pi.copy()
    # at full trust the chances are highest: only encounters below that bound need a colleague
    e = np.flatnonzero(u < (prac["collaboration_rate"] * engage + prac["coordination_rate"]) * complexity)
    if e.size == 0:
        return mode, j
    c, si = s.cop[pi[e]], s.slot[pi[e]]
    ne, ke = np.take(need, e, axis=0), np.take(Ki, e, axis=0)
    ke -= 1.0
    ke *= ne
    top = ke.argmin(axis=1)  # the largest unmet need: need * (1 - K)
    mem = np.take(s.members, c, axis=0)
    trust_row = np.take(s.trust.reshape(-1, m), c * m + si, axis=0)
    valid = mem >= 0
    valid.reshape(-1)[np.arange(e.size) * m + si] = False
    kc = np.take(s.K.reshape(-1), np.where(valid, mem, 0) * n_topics + top[:, None])
    best = np.arange(e.size) * m + np.where(valid, trust_row * kc, -1.0).argmax(axis=1)
    has = valid.reshape(-1)[best]
    j[e] = np.where(has, mem.reshape(-1)[best], pi[e])
    t = trust_row.reshape(-1)[best] * has
    p_collab = np.minimum(prac["collaboration_rate"] * t * engage[e] * complexity[e], 1.0)
    p_coord = np.minimum(prac["coordination_rate"] * t * complexity[e], 1.0 - p_collab)
    mode[e] = (u[e] < p_collab + p_coord).astype(np.int64) + (u[e] < p_collab)  # 0, 1 or 2
    return mode, j


def weekly_practice(s: State, prm: dict, rng: np.random.Generator) -> dict[str, float]:
    """One week of care for every practitioner's panel; returns the week's tallies."""
    prac = prm["practice"]
    ppp, n_topics = s.active.shape[1], s.K.shape[1]
    w = s.waiting
    w[s.active & (w < 0) & (rng.random(w.shape) < s.demand)] = 0
    waiting = w >= 0
    served = serve(s, capacity(s, prac, rng), rng, waiting)
    f = np.flatnonzero(served)  # flat patient index, grouped by practitioner
    pi = f // ppp
    wait = w.reshape(-1)[f]
    w += waiting
    w.reshape(-1)[f] = -1
    tally = {"encounters": float(len(f)), "consultation": 0.0, "coordination": 0.0, "collaboration": 0.0,
             "quality": 0.0, "wait": float(wait.sum()), "backlog": float(waiting.sum() - len(f))}
    if len(f) == 0:
        return tally
    need = np.take(s.need.reshape(-1, n_topics), f, axis=0)
    prio = np.take(s.prio.reshape(-1, n_topics), f, axis=0)
    Ki = np.take(s.K, pi, axis=0)
    mode, j = choose_mode(s, prac, pi, need, Ki, f, rng)
    joint = np.flatnonzero(mode > CONSULTATION)  # encounters with a colleague
    collab = np.flatnonzero(mode == COLLABORATION)
    Kj = np.take(s.K, j[joint], axis=0)
    keff = Ki.copy()
    keff[joint] = np.maximum(np.take(Ki, joint, axis=0), Kj)
    # a joint plan with the patient adds their lived experience of daily life (seed 000, NAM)
    lived = s.lived.reshape(-1)[f[collab]]
    keff[np.ix_(collab, PERSON)] = np.maximum(keff[np.ix_(collab, PERSON)], lived[:, None])
    total = s.need_total.reshape(-1)[f]
    coverage = np.einsum("et,et->e", need, keff) / total
    own = np.einsum("et,et->e", need, Ki) / total
    Pe = np.take(s.P, pi, axis=0)
    Pe[collab] = 0.5 * (Pe[collab] + prio[collab])  # the patient's goals are at the table
    Pe -= prio
    align = 1.0 - 0.5 * np.abs(Pe).sum(axis=1)
    pw = prac["priority_weight"]
    quality = coverage * (1 - pw + pw * align) * np.maximum(0.0, 1.0 - prac["delay_penalty"] * wait)
    # learning from experience, more from hard cases (seed 001), and from the colleague
    difficulty = 1.0 - own
    relevance = np.take(s.relevance.reshape(-1, n_topics), f, axis=0)
    rate = prac["experience_rate"]
    dK = 1.0 - Ki
    dK *= (rate * difficulty)[:, None]
    dK[joint] += rate * np.maximum(0.0, Kj - np.take(Ki, joint, axis=0))
    dK *= relevance
    g = Groups(pi)
    who = g.keys
    s.K[who] = np.minimum(1.0, s.K[who] + g.sum(dK))
    # knowing what matters to patients comes from seeing them over time (seed 000, JCN 2017)
    mean_prio = g.sum(prio) / g.counts[:, None]
    s.P[who] += np.minimum(1.0, prac["vision_rate"] * g.counts)[:, None] * (mean_prio - s.P[who])
    # hard cases accrue as material for the CoP; the hardest recent one is the case to bring
    # (seed 001: stories of success and failure, reflective case-based learning)
    s.case_salience *= prac["case_memory"]
    s.case_need[who] = need[g.argmax(difficulty)]
    s.case_salience[who] = np.minimum(1.0, s.case_salience[who] + prac["case_accrual"] * g.sum(difficulty))
    s.network.reshape(-1)[f[joint]] |= ONE << s.slot[j[joint]].astype(np.uint64)
    s.visits.reshape(-1)[f] += 1
    s.quality_sum.reshape(-1)[f] += quality
    by_mode = np.bincount(mode, minlength=3)
    tally.update(consultation=float(by_mode[0]), coordination=float(by_mode[1]),
                 collaboration=float(by_mode[2]), quality=float(quality.sum()))
    return tally
