"""Weekly practice: demand, capacity net of CoP hours, encounters by mode, care quality, learning.

The encounter pass is a compiled kernel over the model's arrays (see ``cop_sim.kernel``): it
reads the week's starting knowledge and priorities and writes every update after each CoP's
pass, so the order in which practitioners are visited does not change what they learn.
"""

from __future__ import annotations

import numpy as np

from cop_sim.kernel import njit
from cop_sim.queue import serve
from cop_sim.state import (
    COMPLEXITY,
    DEMAND,
    ENGAGE,
    LIVED,
    NEED_MAX,
    NEED_TOTAL,
    PERSON,
    PRIO,
    QUALITY_SUM,
    TIE,
    State,
    weeks_to_request,
)
from cop_sim.vocab import N_TOPICS as T

CONSULTATION, COORDINATION, COLLABORATION = 0, 1, 2  # encounter modes, also the tally slots 1-3
IS_PERSON = np.isin(np.arange(T), PERSON).astype(np.float64)
# The practice parameters the kernel reads, in the order it unpacks them.
PRACTICE_KEYS = ("collaboration_rate", "coordination_rate", "priority_weight", "delay_penalty",
                 "experience_rate", "vision_rate", "case_memory", "case_accrual")
PRIO0 = PRIO.start  # where a patient's priorities begin in their row
# Slots of the tally vector the kernel fills.
TALLY = ("encounters", "consultation", "coordination", "collaboration", "quality", "wait", "backlog")


@njit
def _capacity(hours, contact, cop_hours, u, panel_time_share, cop_time_from_panel, encounter_hours):
    """Encounters each practitioner can give this week, after the hours spent in CoP work."""
    panel_hours = hours * panel_time_share - cop_hours * cop_time_from_panel
    slots = np.maximum(panel_hours, 0.0) * contact / encounter_hours
    return np.floor(slots + u).astype(np.int64)  # unbiased rounding


def capacity(s: State, prac: dict, rng: np.random.Generator) -> np.ndarray:
    """Encounters each practitioner can give this week, after the hours spent in CoP work."""
    return _capacity(s.hours, s.contact, s.cop_hours, rng.random(s.n), prac["panel_time_share"],
                     prac["cop_time_from_panel"], prac["encounter_hours"])


@njit
def _colleague(K, trust, members, c, si, pt, i, k):
    """The member ``i`` trusts most, weighted by knowledge of the patient's largest unmet need."""
    top, gap = 0, -1.0
    for t in range(T):
        g = pt[i, k, t] * (1.0 - K[i, t])
        if g > gap:
            top, gap = t, g
    best, value = -1, -1.0
    for q in range(members.shape[1]):
        j = members[c, q]
        if j >= 0 and q != si:
            v = trust[c, si, q] * K[j, top]
            if v > value:
                best, value = q, v
    return best


@njit
def _practice(u, week, K, P, pt, asked, network, visits, cap, members, trust, slot,
              case_need, case_salience, prm):
    """Every practitioner's encounters of the week, drawing three uniforms from ``u`` for each.

    ``pt`` is the packed patient table (see ``state.PATIENT_ROW``). Returns the tally vector.
    """
    coll_rate, coord_rate, pw, delay, rate, vision_rate, case_memory, case_accrual = prm
    n_cops, m = members.shape
    ppp = asked.shape[1]
    tally = np.zeros(7)
    chosen = np.empty(ppp, dtype=np.int64)
    key, order = np.empty(ppp), np.empty(ppp, dtype=np.int64)
    dK = np.zeros((m, T))
    psum = np.zeros((m, T))
    seen_by = np.zeros(m, dtype=np.int64)
    at = 0
    tie = pt[:, :, TIE]
    for c in range(n_cops):
        dK[:] = 0.0
        psum[:] = 0.0
        for q in range(m):
            i = members[c, q]
            if i < 0:
                continue
            seen, n_wait = serve(asked, tie, week, i, cap[i], chosen, key, order)
            tally[6] += n_wait - seen
            seen_by[q] = seen
            hardest, top_difficulty, difficulty_sum = -1, -1.0, 0.0
            for e in range(seen):
                k = chosen[e]
                wait = week - asked[i, k]
                tally[5] += wait
                draw = u[at]
                # the patient's next request, and its tie-breaker, are drawn at the visit
                asked[i, k] = week + weeks_to_request(u[at + 1], pt[i, k, DEMAND])
                pt[i, k, TIE] = u[at + 2]
                at += 3
                cx, engage = pt[i, k, COMPLEXITY], pt[i, k, ENGAGE]
                mode, j = CONSULTATION, i
                # at full trust the chances are highest: only encounters below that need a colleague
                if draw < (coll_rate * engage + coord_rate) * cx:
                    b = _colleague(K, trust, members, c, q, pt, i, k)
                    if b >= 0:
                        t = trust[c, q, b]
                        p_collab = min(coll_rate * t * engage * cx, 1.0)
                        p_coord = min(coord_rate * t * cx, 1.0 - p_collab)
                        mode = (COLLABORATION if draw < p_collab
                                else COORDINATION if draw < p_collab + p_coord else CONSULTATION)
                        j = members[c, b]
                cover, own, misfit = 0.0, 0.0, 0.0
                if mode == CONSULTATION:
                    for t in range(T):
                        cover += pt[i, k, t] * K[i, t]
                        misfit += abs(P[i, t] - pt[i, k, PRIO0 + t])
                    own = cover
                else:
                    lived = pt[i, k, LIVED] if mode == COLLABORATION else 0.0
                    # a joint plan adds the patient's lived experience and goals (seed 000, NAM)
                    for t in range(T):
                        keff = max(K[i, t], K[j, t])
                        pe = P[i, t]
                        if mode == COLLABORATION:
                            keff = max(keff, lived * IS_PERSON[t])
                            pe = 0.5 * (pe + pt[i, k, PRIO0 + t])
                        cover += pt[i, k, t] * keff
                        own += pt[i, k, t] * K[i, t]
                        misfit += abs(pe - pt[i, k, PRIO0 + t])
                total = pt[i, k, NEED_TOTAL]
                align = 1.0 - 0.5 * misfit
                quality = cover / total * (1.0 - pw + pw * align) * max(0.0, 1.0 - delay * wait)
                # learning from experience, more from hard cases (seed 001), and from the colleague
                difficulty = 1.0 - own / total
                scale = 1.0 / pt[i, k, NEED_MAX]  # what a case teaches, by how much each need weighs
                for t in range(T):
                    d = rate * difficulty * (1.0 - K[i, t])
                    if mode != CONSULTATION:
                        d += rate * max(0.0, K[j, t] - K[i, t])
                    dK[q, t] += d * pt[i, k, t] * scale
                    psum[q, t] += pt[i, k, PRIO0 + t]
                difficulty_sum += difficulty
                if difficulty >= top_difficulty:
                    hardest, top_difficulty = k, difficulty
                if mode != CONSULTATION:
                    network[i, k] |= np.uint64(1) << np.uint64(slot[j])
                visits[i, k] += 1
                pt[i, k, QUALITY_SUM] += quality
                tally[0] += 1.0
                tally[1 + mode] += 1.0
                tally[4] += quality
            case_salience[i] *= case_memory
            if seen == 0:
                continue
            # hard cases accrue as material for the CoP; the hardest recent one is the case to bring
            # (seed 001: stories of success and failure, reflective case-based learning)
            case_need[i] = pt[i, hardest, :T]
            case_salience[i] = min(1.0, case_salience[i] + case_accrual * difficulty_sum)
        # the CoP's updates land after its pass, so everyone saw the week's starting state
        for q in range(m):
            i = members[c, q]
            if i < 0 or seen_by[q] == 0:
                continue
            # knowing what matters to patients comes from seeing them over time (seed 000, JCN 2017)
            pull = min(1.0, vision_rate * seen_by[q])
            for t in range(T):
                K[i, t] = min(1.0, K[i, t] + dK[q, t])
                P[i, t] += pull * (psum[q, t] / seen_by[q] - P[i, t])
    return tally


def weekly_practice(s: State, prm: dict, rng: np.random.Generator, week: int) -> dict[str, float]:
    """One week of care for every practitioner's panel; returns the week's tallies."""
    prac = prm["practice"]
    cap = capacity(s, prac, rng)
    u = rng.random(3 * int(cap.sum()))  # three per encounter at most
    tally = _practice(u, week, s.K, s.P, s.patient_table, s.asked, s.network, s.visits, cap, s.members,
                      s.trust, s.slot, s.case_need, s.case_salience,
                      tuple(float(prac[k]) for k in PRACTICE_KEYS))
    return dict(zip(TALLY, tally.tolist(), strict=True))
