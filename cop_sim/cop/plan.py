"""Planning a patient's care from beliefs: alone, with a colleague's advice, or jointly."""

from __future__ import annotations

import numpy as np

from cop_sim.cop.context import belief_ctx
from cop_sim.kernel import njit_inline

CONSULTATION, COORDINATION, COLLABORATION = 0, 1, 2


@njit_inline
def _pooled(mu, prec, i, j, s, t, a):
    """Belief of ``i`` (and of colleague ``j`` when planning together), pooled by precision."""
    if j < 0:
        return mu[i, s, t, a], prec[i, s, t, a]
    p = prec[i, s, t, a] + prec[j, s, t, a]
    return (prec[i, s, t, a] * mu[i, s, t, a] + prec[j, s, t, a] * mu[j, s, t, a]) / p, p


@njit_inline
def _addressed(active, known, hidden, c, t):
    """Whether the plan covers topic t: active, and visible (social needs only once known)."""
    return active[c, t] and (known or not hidden[t])


@njit_inline
def _preferred(mu, prec, i, j, s, t, A, rng):
    """The practice believed best on topic t, a tie broken at random (a neutral belief: a fair coin)."""
    best, arg, ties = -np.inf, 0, 0
    for a in range(A):
        m, _ = _pooled(mu, prec, i, j, s, t, a)
        if m > best:
            best, arg, ties = m, a, 1
        elif m == best:
            ties += 1
            if rng.random() * ties < 1.0:  # each of the tied practices equally likely
                arg = a
    return arg


@njit_inline
def rechoose(world, pr, pa, hidden, i, k, j, rng):
    """Every topic of patient k's plan that i addresses, chosen afresh from current beliefs.

    Beliefs are pooled with co-planner ``j`` (if ``j >= 0``). The one loop over which topics a
    planner chooses (a replan, a review). Returns (whether a practice changed, topics addressed).
    """
    c = pa.ctx[i, k]
    mu, prec, plan, active, known = pr.mu, pr.prec, pa.plan[i, k], world.ctx_active, pa.known[i, k]
    bctx = world.ctx_bctx  # the belief context is per topic (which of its partners are active)
    A = world.n_practices
    changed, n_addr = False, 0
    for t in range(world.n_topics):
        if _addressed(active, known, hidden, c, t):
            a = _preferred(mu, prec, i, j, belief_ctx(bctx, c, known, t), t, A, rng)
            if a != plan[t]:
                changed = True
                if plan[t] >= 0:
                    pr.changes[i] += 1.0  # a practice in use changed (care teams' per-discipline count)
            plan[t] = a
            n_addr += 1
    return changed, n_addr


@njit_inline
def decide(world, pr, pa, kn, hidden, i, k, j, mode, rng):
    """Fill unplanned topics from beliefs, then maybe try one change. True if the plan changed.

    ``j`` is the colleague: an adviser in coordination, a co-planner (beliefs pooled) in collaboration.
    """
    c = pa.ctx[i, k]
    adviser = j
    j = j if mode == COLLABORATION else -1
    mu, prec, plan, active, known = pr.mu, pr.prec, pa.plan[i, k], world.ctx_active, pa.known[i, k]
    bctx = world.ctx_bctx  # the belief context is per topic (which of its partners are active)
    A = world.n_practices
    changed = False
    n_addr = 0
    if kn.replan > 0.0 and rng.random() < kn.replan:  # the whole plan afresh: act on current beliefs
        return rechoose(world, pr, pa, hidden, i, k, j, rng)[1] > 0
    for t in range(world.n_topics):
        if not _addressed(active, known, hidden, c, t):
            continue
        n_addr += 1
        if plan[t] < 0:
            s = belief_ctx(bctx, c, known, t)
            best, arg = -np.inf, 0
            for a in range(A):
                m, _ = _pooled(mu, prec, i, j, s, t, a)
                if m > best:
                    best, arg = m, a
            plan[t] = arg
            changed = True
    if changed or n_addr == 0:
        return changed
    if mode == COORDINATION:  # the colleague advises where the practitioner is least sure
        tt, low = -1, np.inf
        for t in range(world.n_topics):
            if _addressed(active, known, hidden, c, t):
                s = belief_ctx(bctx, c, known, t)
                if prec[i, s, t, plan[t]] < low:
                    tt, low = t, prec[i, s, t, plan[t]]
        s = belief_ctx(bctx, c, known, tt)
        best, arg = -np.inf, plan[tt]
        for a in range(A):
            if mu[adviser, s, tt, a] > best:
                best, arg = mu[adviser, s, tt, a], a
        if arg != plan[tt]:
            plan[tt] = arg
            pr.changes[i] += 1.0
            return True
        return False
    if rng.random() >= kn.exploration:
        return False
    pick = int(rng.random() * n_addr)
    for t in range(world.n_topics):
        if not _addressed(active, known, hidden, c, t):
            continue
        if pick == 0:
            cur = plan[t]
            s = belief_ctx(bctx, c, known, t)
            best, arg = -np.inf, cur
            for a in range(A):  # Thompson sampling among the alternatives
                if a == cur:
                    continue
                m, p = _pooled(mu, prec, i, j, s, t, a)
                draw = m + rng.standard_normal() / np.sqrt(p)
                if draw > best:
                    best, arg = draw, a
            plan[t] = arg
            pr.changes[i] += 1.0 if arg != cur else 0.0
            return arg != cur
        pick -= 1
    return False


@njit_inline
def _colleague(pr, cp, kn, c, q, i):
    """Whom i (slot q of CoP c) asks, and i's trust in them: (index, trust), or (-1, -1.0).

    Without a network (``pr.ties`` has no columns) the member of CoP c whom q trusts most; with
    one (``cop_sim/cop/network.py``) the tie i trusts most: only along ties, a tie in another CoP
    trusted at ``meeting.initial_trust``.
    """
    best, value_ = -1, -1.0
    hours, trust = pr.hours, cp.trust  # hoisted out of the loop
    ties = pr.ties
    if ties.shape[1] > 0:
        for e in range(ties.shape[1]):
            j = ties[i, e]
            if j < 0:
                break
            t = trust[c, q, pr.slot[j]] if pr.cop[j] == c else kn.initial_trust
            if hours[j] > 0 and t > value_:
                best, value_ = j, t
        return best, value_
    members = cp.members
    for b in range(members.shape[1]):
        j = members[c, b]
        if j >= 0 and j != i and hours[j] > 0 and trust[c, q, b] > value_:
            best, value_ = j, trust[c, q, b]
    return best, value_


@njit_inline
def mode_of(kn, draw, habit, engage, cx, trust, f):
    """The visit's mode from its uniform ``draw``, once a colleague trusted ``trust`` is at hand.

    Planning with the patient (collaboration) is likelier with the planner's inclusion ``habit``,
    the patient's engagement, the case's complexity ``cx`` and trust; advice (coordination) with
    trust and complexity; both shrink with the visit's time (``f``, :func:`review.extras`).
    """
    p_collab = min(kn.collab_rate * habit * engage * cx * trust * f, 1.0)
    p_coord = min(kn.coord_rate * trust * cx * f, 1.0 - p_collab)
    return COLLABORATION if draw < p_collab else COORDINATION if draw < p_collab + p_coord else CONSULTATION
