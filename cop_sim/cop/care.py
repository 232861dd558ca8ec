"""Care that teaches: plans chosen from beliefs, tried on patients, judged by noisy, delayed results.

Each visit a practitioner (1) brings the patient's health up to date, (2) observes the result of
the plan last changed, if its signal is due, and updates beliefs from it (never from true values),
keeping the change if it looked better than the old plan's running estimate and reverting it if
not — local search on the patient's own landscape (Levinthal 1997; Eppstein et al. 2012) — or, with
no change pending, sees the plan in force again (a follow-up that adds to its estimate), (3) plans
alone, with a colleague's advice, or with a colleague and the patient, which reveals the patient's
context and priorities, (4) reviews the plan if it is due a review (:mod:`review`), and else may
try one change to the plan (exploration), chosen by Thompson sampling from its beliefs. A short
visit (demand above capacity) makes the extras of (3) and (4) less likely (``practice.time_limit``).

The steps live beside this module: :mod:`judge` (2), :mod:`plan` (3, 4) and :mod:`tally` (what the
visit adds to the week's tallies).
"""

from __future__ import annotations

import numpy as np

from cop_sim.borrow import lent_generator
from cop_sim.cop.careteam import team_visit
from cop_sim.cop.judge import belief_update
from cop_sim.cop.plan import COLLABORATION, CONSULTATION, COORDINATION, _colleague, decide, mode_of
from cop_sim.cop.queue import serve, weeks_to_request
from cop_sim.cop.review import extras, review, review_due
from cop_sim.cop.tally import (
    CARE_TALLY,
    COP_TALLY,
    W_BACKLOG,
    W_REVIEW_CHANGES,
    W_REVIEWS,
    W_WAIT,
    record_visit,
)
from cop_sim.cop.travel import adopt_pathway
from cop_sim.cop.visit import mark_trial, see_due_result
from cop_sim.cop.world.landscape import contributions
from cop_sim.kernel import njit, njit_inline

__all__ = ["CARE_TALLY", "COP_TALLY", "belief_update", "bring_health_up_to_date", "care_week", "encounter"]


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


@njit
def encounter(world, pr, pa, cp, kn, hidden, i, k, q, c, week, rng, tally, tc, v, bel):
    """One visit of patient k to practitioner i (member slot q of CoP c); with care teams, to a
    member of the patient's team (:func:`careteam.team_visit`, ``bel`` its scratch space)."""
    ctx = pa.ctx[i, k]
    # v and value_ describe the plan in force until it changes (then the tally computes them again)
    value_ = bring_health_up_to_date(world, pa, i, k, week, kn.response, kn.decline, v)
    if kn.team_size > 1:  # the visit is with one member of the patient's care team
        team_visit(world, pr, pa, cp, kn, hidden, i, k, c, week, rng, tally, tc, v, value_, bel)
        return
    if not pa.known[i, k] and world.ctx_social[ctx] == 1 and rng.random() < pr.insight[i]:
        pa.known[i, k] = True
    fresh = see_due_result(world, pr, pa, cp, kn, i, k, q, c, rng, v, i, False, week, tally)
    n_cond = world.ctx_n_cond[ctx]
    cx = min(n_cond / 5.0, 1.0)
    f = extras(pr, kn, i)  # a short visit has less time for advice, joint planning and reviews
    draw = rng.random()
    mode, j = CONSULTATION, -1
    engage = pa.engage[i, k]
    if draw < (kn.collab_rate * pr.habit[i] * engage + kn.coord_rate) * cx * f:
        j, t_ = _colleague(pr, cp, kn, c, q, i)  # the trusted colleague (a tie, with a network)
        if j >= 0:
            mode = mode_of(kn, draw, pr.habit[i], engage, cx, t_, f)
            if mode == CONSULTATION:
                j = -1
    if mode == COLLABORATION:  # planning with the patient reveals their context and priorities
        pa.known[i, k] = True
        pr.debt[j] += 1.0
    elif mode == COORDINATION:
        pr.debt[j] += 0.5
    changed, adopted = False, False
    if review_due(pr, pa, kn, i, k, week) and (f >= 1.0 or rng.random() < f):
        # a review consults the repository's care pathway first (issue 24), then the reviewer's beliefs
        adopted = kn.pathways and adopt_pathway(world, pr, pa, cp, i, k, c, week, tally)
        if adopted:
            pa.reviewed[i, k] = week
            changed = True
        else:
            changed = review(world, pr, pa, hidden, i, k, j if mode == COLLABORATION else -1, week, rng)
        tally[W_REVIEWS] += 1.0
        tally[W_REVIEW_CHANGES] += 1.0 if changed else 0.0
    if changed or decide(world, pr, pa, kn, hidden, i, k, j, mode, rng):
        fresh = False
        mark_trial(world, pr, pa, cp, kn, i, k, q, c, rng, v, i, False, week, mode, adopted, tally)
    record_visit(world, pr, pa, cp, kn, i, k, c, week, mode, tally, tc, v, value_ if fresh else np.nan)


@njit
def care_week(world, pr, pa, cp, kn, hidden, cap, week, rngs, tally, tc, chosen, key, order, v):
    """Every practitioner's visits of the week, CoP by CoP, member slot by slot.

    Row c of ``rngs`` (a ``borrow.generator_table``) is CoP c's own generator. ``chosen``,
    ``key`` and ``order`` (a panel long) are scratch space for the queue; ``v`` (a value per
    topic) for a plan's true values, reused by every visit.
    """
    members, asked, tie, demand = cp.members, pa.asked, pa.tie, pa.demand  # hoisted out of the loops
    bel = np.empty((2, world.n_topics, world.n_practices))  # a care team's beliefs, reused by every visit
    for c in range(members.shape[0]):
        rng = lent_generator(rngs, c)
        for q in range(members.shape[1]):
            i = members[c, q]
            if i < 0:
                continue
            seen, n_wait = serve(asked, tie, week, i, cap[i], chosen, key, order)
            tally[W_BACKLOG] += n_wait - seen
            for e in range(seen):
                k = chosen[e]
                tally[W_WAIT] += week - asked[i, k]
                encounter(world, pr, pa, cp, kn, hidden, i, k, q, c, week, rng, tally, tc, v, bel)
                asked[i, k] = week + weeks_to_request(rng.random(), demand[i, k])
                tie[i, k] = rng.random()

