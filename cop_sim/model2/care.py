"""Care that teaches: plans chosen from beliefs, tried on patients, judged by noisy, delayed results.

Each visit a practitioner (1) brings the patient's health up to date, (2) observes the result of
the plan last changed, if its signal is due, and updates beliefs from it (never from true values),
keeping the change if it looked better and reverting it if not — local search on the patient's own
landscape (Levinthal 1997; Eppstein et al. 2012) — (3) plans alone, with a colleague's advice, or
with a colleague and the patient, which reveals the patient's context and priorities, and (4) may
try one change to the plan (exploration), chosen by Thompson sampling from its beliefs.
"""

from __future__ import annotations

import numpy as np

from cop_sim.borrow import lent_generator
from cop_sim.kernel import njit, njit_inline
from cop_sim.queue import serve, weeks_to_request
from cop_sim.world.landscape import contributions

CONSULTATION, COORDINATION, COLLABORATION = 0, 1, 2
ACCURACY_SCALE = 2.0  # a story off by 0.5 earns no trust: trust target = 1 - 2 |error| (assumption)
# Slots of the weekly tally the care kernel fills (one schema shared with the recorder).
CARE_TALLY = ("encounters", "consultation", "coordination", "collaboration", "quality", "wait", "backlog",
              "health", "burden", "goal_attainment", "goals_met", "belief_error", "social_encounters",
              "social_quality", "complex_encounters", "complex_quality", "observations", "optimal")
# Per-CoP tally slots.
COP_TALLY = ("encounters", "quality", "health", "goals_met", "collaboration", "belief_error", "attendees",
             "invited", "optimal")  # attendees and invited filled by the meetings
COMPLEX = 4  # patients with four or more conditions form the complex subgroup


@njit_inline
def bring_health_up_to_date(world, pa, i, k, week, response, decline, v):
    """Health on each active topic relaxes towards the value of the plan in force (less decline).

    Leaves in ``v`` each topic's true value under that plan (what a result, if due, shows) and
    returns the plan's value.
    """
    c = pa.ctx[i, k]
    value_ = contributions(world, c, pa.plan[i, k], v)
    dt = week - pa.health_week[i, k]
    if dt <= 0:
        return value_
    keep = (1.0 - response) ** dt
    active, health = world.ctx_active, pa.health  # hoisted: a structref field read costs in a loop
    for t in range(world.n_topics):
        if active[c, t]:
            target = max(0.0, v[t] - decline)
            health[i, k, t] = target + (health[i, k, t] - target) * keep
    pa.health_week[i, k] = week
    return value_


@njit_inline
def belief_update(mu, prec, i, s, t, a, y, weight):
    """Normal-normal update of one belief by an observation ``y`` worth ``weight`` observations."""
    if weight <= 0.0:
        return
    prec[i, s, t, a] += weight
    mu[i, s, t, a] += weight * (y - mu[i, s, t, a]) / prec[i, s, t, a]


@njit_inline
def observe(world, pr, pa, cp, kn, i, k, q, c, rng, v):
    """The delayed result of patient k's plan: beliefs, trust in tellers, habit, story, keep or revert.

    ``v`` holds each topic's true value under the plan (from :func:`bring_health_up_to_date`).
    Returns True if the plan went back to the best one seen (``v`` no longer describes it).
    """
    ctx = pa.ctx[i, k]
    s = world.ctx_social[ctx] if pa.known[i, k] else 0
    noise = cp.noise[c]
    plan = pa.plan[i, k]
    known = pa.known[i, k]
    # hoisted: a structref field read in a loop costs more than the arithmetic
    obs_plan, obs, mu, prec, told_by, told_val = pa.obs_plan, pa.obs, pr.mu, pr.prec, pr.told_by, pr.told_val
    trust, prio, P = cp.trust, world.ctx_prio, pr.P
    total, wsum, surprise, n = 0.0, 0.0, 0.0, 0
    for t in range(world.n_topics):
        a = plan[t]
        obs_plan[i, k, t] = a
        if a < 0:
            continue
        y = v[t] + noise * rng.standard_normal()
        obs[i, k, t] = y
        surprise += abs(y - mu[i, s, t, a])
        n += 1
        teller = told_by[i, s, t, a]
        if teller >= 0:  # trust follows how well the teller's story predicted what was seen
            acc = max(0.0, 1.0 - ACCURACY_SCALE * abs(told_val[i, s, t, a] - y))
            trust[c, q, teller] += kn.trust_rate * (acc - trust[c, q, teller])
            told_by[i, s, t, a] = -1
        belief_update(mu, prec, i, s, t, a, y, kn.experience)
        # judged by what matters to the patient if known, else by what the practitioner thinks matters
        w = prio[ctx, t] if known else P[i, t]
        total += w * y
        wsum += w
    pa.tried[i, k] = -1
    if n == 0:
        return False
    seen = total / max(wsum, 1e-12)
    # the member's record as others can know it: observed results only (superior code learning)
    pr.score[i] = seen if np.isnan(pr.score[i]) else pr.score[i] + kn.score_rate * (seen - pr.score[i])
    # the inclusion habit follows what plans made with patients showed, against plans made alone
    means = pr.m_joint if pa.joint[i, k] else pr.m_solo
    means[i] = seen if np.isnan(means[i]) else means[i] + kn.habit_rate * (seen - means[i])
    if not (np.isnan(pr.m_joint[i]) or np.isnan(pr.m_solo[i])):
        pr.habit[i] = min(1.0, max(0.02, pr.habit[i] + kn.habit_rate * (pr.m_joint[i] - pr.m_solo[i])))
    surprise /= n
    if surprise > pr.st_surprise[i]:  # the case to bring to the next meeting (seed 001)
        pr.st_patient[i] = k
        pr.st_surprise[i] = surprise
    if seen >= pa.inc_value[i, k]:
        pa.inc_value[i, k] = seen
        pa.inc_plan[i, k, :] = pa.plan[i, k, :]
        return False
    pa.plan[i, k, :] = pa.inc_plan[i, k, :]  # the change did not pay: go back to the best plan seen
    return True


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
def decide(world, pr, pa, kn, hidden, i, k, j, mode, rng):
    """Fill unplanned topics from beliefs, then maybe try one change. True if the plan changed.

    ``j`` is the colleague: an adviser in coordination, a co-planner (beliefs pooled) in collaboration.
    """
    c = pa.ctx[i, k]
    adviser = j
    j = j if mode == COLLABORATION else -1
    mu, prec, plan, active, known = pr.mu, pr.prec, pa.plan[i, k], world.ctx_active, pa.known[i, k]
    s = world.ctx_social[c] if pa.known[i, k] else 0
    A = world.n_practices
    changed = False
    n_addr = 0
    if kn.replan > 0.0 and rng.random() < kn.replan:  # the whole plan afresh: act on current beliefs
        for t in range(world.n_topics):
            if _addressed(active, known, hidden, c, t):
                plan[t] = _preferred(mu, prec, i, j, s, t, A, rng)
                n_addr += 1
        return n_addr > 0
    for t in range(world.n_topics):
        if not _addressed(active, known, hidden, c, t):
            continue
        n_addr += 1
        if plan[t] < 0:
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
            if _addressed(active, known, hidden, c, t) and prec[i, s, t, plan[t]] < low:
                tt, low = t, prec[i, s, t, plan[t]]
        best, arg = -np.inf, plan[tt]
        for a in range(A):
            if mu[adviser, s, tt, a] > best:
                best, arg = mu[adviser, s, tt, a], a
        if arg != plan[tt]:
            plan[tt] = arg
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
            best, arg = -np.inf, cur
            for a in range(A):  # Thompson sampling among the alternatives
                if a == cur:
                    continue
                m, p = _pooled(mu, prec, i, j, s, t, a)
                draw = m + rng.standard_normal() / np.sqrt(p)
                if draw > best:
                    best, arg = draw, a
            plan[t] = arg
            return arg != cur
        pick -= 1
    return False


@njit_inline
def _colleague(pr, cp, c, q, i):
    """The member of CoP c whom slot q trusts most (their index), or -1."""
    best, value_ = -1, -1.0
    members, hours, trust = cp.members, pr.hours, cp.trust  # hoisted out of the loop
    for b in range(members.shape[1]):
        j = members[c, b]
        if j >= 0 and j != i and hours[j] > 0 and trust[c, q, b] > value_:
            best, value_ = j, trust[c, q, b]
    return best


@njit
def encounter(world, pr, pa, cp, kn, hidden, i, k, q, c, week, rng, tally, tc, v):
    """One visit of patient k to practitioner i (member slot q of CoP c)."""
    ctx = pa.ctx[i, k]
    # v and value_ describe the plan in force until it changes (then the tally computes them again)
    value_ = bring_health_up_to_date(world, pa, i, k, week, kn.response, kn.decline, v)
    fresh = True
    if not pa.known[i, k] and world.ctx_social[ctx] == 1 and rng.random() < pr.insight[i]:
        pa.known[i, k] = True
    if pa.tried[i, k] >= 0 and week - pa.tried[i, k] >= kn.delay:
        fresh = not observe(world, pr, pa, cp, kn, i, k, q, c, rng, v)
        tally[16] += 1.0
    n_cond = world.ctx_n_cond[ctx]
    cx = min(n_cond / 5.0, 1.0)
    draw = rng.random()
    mode, j = CONSULTATION, -1
    engage = pa.engage[i, k]
    if draw < (kn.collab_rate * pr.habit[i] * engage + kn.coord_rate) * cx:
        j = _colleague(pr, cp, c, q, i)
        if j >= 0:
            t_ = cp.trust[c, q, pr.slot[j]]
            p_collab = min(kn.collab_rate * pr.habit[i] * engage * cx * t_, 1.0)
            p_coord = min(kn.coord_rate * t_ * cx, 1.0 - p_collab)
            mode = COLLABORATION if draw < p_collab else COORDINATION if draw < p_collab + p_coord \
                else CONSULTATION
            if mode == CONSULTATION:
                j = -1
    if mode == COLLABORATION:  # planning with the patient reveals their context and priorities
        pa.known[i, k] = True
        pr.debt[j] += 1.0
    elif mode == COORDINATION:
        pr.debt[j] += 0.5
    if decide(world, pr, pa, kn, hidden, i, k, j, mode, rng):
        fresh = False
        pa.tried[i, k] = week
        pa.joint[i, k] = mode == COLLABORATION
        if kn.delay == 0:  # no delay: the result is seen at this visit
            contributions(world, ctx, pa.plan[i, k], v)
            observe(world, pr, pa, cp, kn, i, k, q, c, rng, v)
            tally[16] += 1.0
    _tally(world, pr, pa, kn, i, k, c, mode, tally, tc, v, value_ if fresh else np.nan)


@njit_inline
def _tally(world, pr, pa, kn, i, k, c, mode, tally, tc, v, value_):
    """Add the visit's outcomes: quality, health, burden, goals, belief error, by CoP and subgroup.

    The process measure ``optimal`` is the share of the patient's active topics whose practice is
    the one of the patient's exact optimum (``world.best_combo``): what an audit of this visit's
    plan against the best plan for this patient would find.

    ``value_`` is the plan's value with ``v`` its contributions, or NaN if they must be computed.
    """
    ctx = pa.ctx[i, k]
    plan = pa.plan[i, k]
    if np.isnan(value_):
        value_ = contributions(world, ctx, plan, v)
    quality = value_ / world.best_value[ctx]
    s_true = world.ctx_social[ctx]
    active, prio, burden, hl, mu = world.ctx_active, world.ctx_prio, world.burden, pa.health, pr.mu  # hoisted
    best = world.best_combo
    n_cond = world.n_conditions
    health, n_c, goal, load, err, n_a = 0.0, 0, 0.0, 0.0, 0.0, 0
    n_act, n_opt = 0, 0
    for t in range(world.n_topics):
        if not active[ctx, t]:
            continue
        n_act += 1
        h = hl[i, k, t]
        goal += prio[ctx, t] * h
        if t < n_cond:
            health += h
            n_c += 1
        a = plan[t]
        if a == best[ctx, t]:
            n_opt += 1
        if a >= 0:
            load += burden[a]
            err += abs(mu[i, s_true, t, a] - v[t])
            n_a += 1
    health /= max(n_c, 1)
    err /= max(n_a, 1)
    met = 1.0 if goal >= kn.goal_threshold else 0.0
    optimal = n_opt / max(n_act, 1)
    tally[0] += 1.0
    tally[1 + mode] += 1.0
    tally[4] += quality
    tally[7] += health
    tally[8] += load / max(n_act, 1)
    tally[9] += goal
    tally[10] += met
    tally[11] += err
    tally[17] += optimal
    if s_true == 1:
        tally[12] += 1.0
        tally[13] += quality
    if world.ctx_n_cond[ctx] >= COMPLEX:
        tally[14] += 1.0
        tally[15] += quality
    tc[c, 0] += 1.0
    tc[c, 1] += quality
    tc[c, 2] += health
    tc[c, 3] += met
    tc[c, 4] += 1.0 if mode == COLLABORATION else 0.0
    tc[c, 5] += err
    tc[c, 8] += optimal


@njit
def care_week(world, pr, pa, cp, kn, hidden, cap, week, rngs, tally, tc, chosen, key, order, v):
    """Every practitioner's visits of the week, CoP by CoP, member slot by slot.

    Row c of ``rngs`` (a ``borrow.generator_table``) is CoP c's own generator. ``chosen``,
    ``key`` and ``order`` (a panel long) are scratch space for the queue; ``v`` (a value per
    topic) for a plan's true values, reused by every visit.
    """
    members, asked, tie, demand = cp.members, pa.asked, pa.tie, pa.demand  # hoisted out of the loops
    for c in range(members.shape[0]):
        rng = lent_generator(rngs, c)
        for q in range(members.shape[1]):
            i = members[c, q]
            if i < 0:
                continue
            seen, n_wait = serve(asked, tie, week, i, cap[i], chosen, key, order)
            tally[6] += n_wait - seen
            for e in range(seen):
                k = chosen[e]
                tally[5] += week - asked[i, k]
                encounter(world, pr, pa, cp, kn, hidden, i, k, q, c, week, rng, tally, tc, v)
                asked[i, k] = week + weeks_to_request(rng.random(), demand[i, k])
                tie[i, k] = rng.random()
