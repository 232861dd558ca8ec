"""Weekly practice: demand, capacity net of CoP hours, encounters by mode, care quality, learning."""

from __future__ import annotations

import numpy as np

from cop_sim.state import PERSON, State
from cop_sim.vocab import N_CONDITIONS

CONSULTATION, COORDINATION, COLLABORATION = 0, 1, 2
# How much a patient's engagement level lets a joint plan include them (seed 003 continuum).
ENGAGEMENT_WEIGHT = np.array([0.3, 0.7, 1.0])
ONE = np.uint64(1)


def capacity(s: State, prac: dict, rng: np.random.Generator) -> np.ndarray:
    """Encounters each practitioner can give this week, after the hours spent in CoP work."""
    panel_hours = s.hours * prac["panel_time_share"] - s.cop_hours * prac["cop_time_from_panel"]
    slots = np.maximum(panel_hours, 0.0) * s.contact / prac["encounter_hours"]
    return np.floor(slots + rng.random(s.n)).astype(np.int64)  # unbiased rounding


def serve(s: State, cap: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Which waiting patients are seen: up to capacity, longest-waiting first."""
    waiting = s.waiting >= 0
    served = waiting.copy()
    over = np.flatnonzero(waiting.sum(axis=1) > cap)
    if over.size:
        # random fractions break ties between equal waits without favouring a slot
        key = np.where(waiting[over], s.waiting[over] + rng.random(waiting[over].shape) * 0.5, -1.0)
        rank = np.argsort(np.argsort(-key, axis=1), axis=1)
        served[over] = waiting[over] & (rank < cap[over, None])
    return served


def choose_mode(s: State, prac: dict, pi: np.ndarray, need: np.ndarray, Ki: np.ndarray,
                level: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Consultation, coordination (referral to a tied colleague) or collaboration (joint plan).

    The colleague is the member the practitioner trusts most, weighted by knowledge of the
    patient's largest unmet need; trust makes referral and joint plans likelier (seed 000,
    J Comorbidity: consultation dominates where professionals rarely interact).
    """
    e = np.arange(len(pi))
    c, si = s.cop[pi], s.slot[pi]
    top = (need * (1.0 - Ki)).argmax(axis=1)
    mem = s.members[c]
    valid = mem >= 0
    valid[e, si] = False
    trust_row = s.trust[c, si]
    kc = s.K[np.where(valid, mem, 0), top[:, None]]
    js = np.where(valid, trust_row * kc, -1.0).argmax(axis=1)
    has = valid[e, js]
    j = mem[e, js]
    t = trust_row[e, js] * has
    complexity = np.minimum((need[:, :N_CONDITIONS] > 0).sum(axis=1) / 5.0, 1.0)
    p_collab = np.clip(prac["collaboration_rate"] * t * ENGAGEMENT_WEIGHT[level] * complexity, 0, 1)
    p_coord = np.clip(prac["coordination_rate"] * t * complexity, 0, 1 - p_collab)
    u = rng.random(len(pi))
    mode = np.where(u < p_collab, COLLABORATION, np.where(u < p_collab + p_coord, COORDINATION, CONSULTATION))
    return mode, np.where(has, j, pi), t


def weekly_practice(s: State, prm: dict, rng: np.random.Generator) -> dict[str, float]:
    """One week of care for every practitioner's panel; returns the week's tallies."""
    prac = prm["practice"]
    idle = s.active & (s.waiting < 0)
    s.waiting[idle & (rng.random(s.active.shape) < s.demand)] = 0
    waiting = s.waiting >= 0
    served = serve(s, capacity(s, prac, rng), rng)
    pi, pj = np.nonzero(served)  # row-major: grouped by practitioner
    wait = s.waiting[pi, pj]
    s.waiting[served] = -1
    s.waiting[waiting & ~served] += 1
    tally = {"encounters": float(len(pi)), "consultation": 0.0, "coordination": 0.0, "collaboration": 0.0,
             "quality": 0.0, "wait": float(wait.sum()), "backlog": float((s.waiting >= 0).sum())}
    if len(pi) == 0:
        return tally
    need, prio, Ki = s.need[pi, pj], s.prio[pi, pj], s.K[pi]
    mode, j, _ = choose_mode(s, prac, pi, need, Ki, s.level[pi, pj], rng)
    joint, collab = mode > CONSULTATION, mode == COLLABORATION
    Kj = s.K[j]
    keff = np.where(joint[:, None], np.maximum(Ki, Kj), Ki)
    # a joint plan with the patient adds their lived experience of daily life (seed 000, NAM)
    lived = s.lived[pi, pj]
    keff[:, PERSON] = np.where(collab[:, None], np.maximum(keff[:, PERSON], lived[:, None]), keff[:, PERSON])
    total = need.sum(axis=1)
    coverage = (need * keff).sum(axis=1) / total
    own = (need * Ki).sum(axis=1) / total
    Pe = s.P[pi]
    Pe = np.where(collab[:, None], 0.5 * (Pe + prio), Pe)  # the patient's goals are at the table
    align = 1.0 - 0.5 * np.abs(Pe - prio).sum(axis=1)
    pw = prac["priority_weight"]
    quality = coverage * (1 - pw + pw * align) * np.maximum(0.0, 1.0 - prac["delay_penalty"] * wait)
    # learning from experience, more from hard cases (seed 001)
    difficulty = 1.0 - own
    relevance = need / need.max(axis=1, keepdims=True)
    dK = prac["experience_rate"] * difficulty[:, None] * relevance * (1.0 - Ki)
    dK += joint[:, None] * prac["experience_rate"] * relevance * np.maximum(0.0, Kj - Ki)
    first = np.empty(len(pi), dtype=bool)
    first[0] = True
    np.not_equal(pi[1:], pi[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    ends = np.append(starts[1:], len(pi))
    who = pi[starts]
    s.K[who] = np.minimum(1.0, s.K[who] + np.add.reduceat(dK, starts, axis=0))
    # knowing what matters to patients comes from seeing them over time (seed 000, JCN 2017)
    counts = (ends - starts)[:, None]
    mean_prio = np.add.reduceat(prio, starts, axis=0) / counts
    s.P[who] += np.minimum(1.0, prac["vision_rate"] * counts) * (mean_prio - s.P[who])
    # hard cases accrue as material for the CoP; the hardest recent one is the case to bring
    # (seed 001: stories of success and failure, reflective case-based learning)
    s.case_salience *= prac["case_memory"]
    hardest = np.lexsort((difficulty, pi))[ends - 1]
    s.case_need[who] = need[hardest]
    s.case_salience[who] = np.minimum(
        1.0, s.case_salience[who] + prac["case_accrual"] * np.add.reduceat(difficulty, starts))
    s.network[pi[joint], pj[joint]] |= ONE << s.slot[j[joint]].astype(np.uint64)
    s.visits[pi, pj] += 1
    s.quality_sum[pi, pj] += quality
    counts_by_mode = np.bincount(mode, minlength=3)
    tally.update(consultation=float(counts_by_mode[0]), coordination=float(counts_by_mode[1]),
                 collaboration=float(counts_by_mode[2]), quality=float(quality.sum()))
    return tally
