"""Weekly practice: demand, capacity net of CoP hours, encounters by mode, care quality, learning."""

from __future__ import annotations

import numpy as np

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
    c, si = s.cop[pi], s.slot[pi]
    top = (need * (1.0 - Ki)).argmax(axis=1)
    mem = np.take(s.members, c, axis=0)
    trust_row = np.take(s.trust.reshape(-1, m), c * m + si, axis=0)
    valid = mem >= 0
    self_at = np.arange(n_enc) * m + si
    valid.reshape(-1)[self_at] = False
    kc = np.take(s.K.reshape(-1), np.where(valid, mem, 0) * n_topics + top[:, None])
    best = np.arange(n_enc) * m + np.where(valid, trust_row * kc, -1.0).argmax(axis=1)
    has = valid.reshape(-1)[best]
    j = np.where(has, mem.reshape(-1)[best], pi)
    t = trust_row.reshape(-1)[best] * has
    complexity = s.complexity.reshape(-1)[f]
    p_collab = np.minimum(prac["collaboration_rate"] * t * ENGAGEMENT_WEIGHT[s.level.reshape(-1)[f]]
                          * complexity, 1.0)
    p_coord = np.minimum(prac["coordination_rate"] * t * complexity, 1.0 - p_collab)
    u = rng.random(n_enc)
    mode = (u < p_collab + p_coord).astype(np.int64) + (u < p_collab)  # 0, 1 or 2
    return mode, j


def _groups(pi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and sizes of the runs of equal practitioner index (pi is sorted)."""
    first = np.empty(len(pi), dtype=bool)
    first[0] = True
    np.not_equal(pi[1:], pi[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return starts, np.diff(np.append(starts, len(pi)))


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
    joint, collab = mode > CONSULTATION, mode == COLLABORATION
    Kj = np.take(s.K, j, axis=0)
    keff = np.where(joint[:, None], np.maximum(Ki, Kj), Ki)
    # a joint plan with the patient adds their lived experience of daily life (seed 000, NAM)
    lived = np.where(collab, s.lived.reshape(-1)[f], 0.0)
    keff[:, PERSON] = np.maximum(keff[:, PERSON], lived[:, None])
    total = s.need_total.reshape(-1)[f]
    coverage = np.einsum("et,et->e", need, keff) / total
    own = np.einsum("et,et->e", need, Ki) / total
    Pe = np.take(s.P, pi, axis=0)
    Pe[collab] = 0.5 * (Pe[collab] + prio[collab])  # the patient's goals are at the table
    align = 1.0 - 0.5 * np.abs(Pe - prio).sum(axis=1)
    pw = prac["priority_weight"]
    quality = coverage * (1 - pw + pw * align) * np.maximum(0.0, 1.0 - prac["delay_penalty"] * wait)
    # learning from experience, more from hard cases (seed 001)
    difficulty = 1.0 - own
    relevance = np.take(s.relevance.reshape(-1, n_topics), f, axis=0)
    rate = prac["experience_rate"]
    dK = (rate * difficulty)[:, None] * relevance * (1.0 - Ki)
    dK += (rate * joint)[:, None] * relevance * np.maximum(0.0, Kj - Ki)
    starts, counts = _groups(pi)
    who = pi[starts]
    s.K[who] = np.minimum(1.0, s.K[who] + np.add.reduceat(dK, starts, axis=0))
    # knowing what matters to patients comes from seeing them over time (seed 000, JCN 2017)
    mean_prio = np.add.reduceat(prio, starts, axis=0) / counts[:, None]
    s.P[who] += np.minimum(1.0, prac["vision_rate"] * counts)[:, None] * (mean_prio - s.P[who])
    # hard cases accrue as material for the CoP; the hardest recent one is the case to bring
    # (seed 001: stories of success and failure, reflective case-based learning)
    s.case_salience *= prac["case_memory"]
    top = np.maximum.reduceat(difficulty, starts)
    at_top = np.where(difficulty == np.repeat(top, counts), np.arange(len(f)), -1)
    hardest = np.maximum.reduceat(at_top, starts)
    s.case_need[who] = need[hardest]
    s.case_salience[who] = np.minimum(
        1.0, s.case_salience[who] + prac["case_accrual"] * np.add.reduceat(difficulty, starts))
    s.network.reshape(-1)[f[joint]] |= ONE << s.slot[j[joint]].astype(np.uint64)
    s.visits.reshape(-1)[f] += 1
    s.quality_sum.reshape(-1)[f] += quality
    by_mode = np.bincount(mode, minlength=3)
    tally.update(consultation=float(by_mode[0]), coordination=float(by_mode[1]),
                 collaboration=float(by_mode[2]), quality=float(quality.sum()))
    return tally
