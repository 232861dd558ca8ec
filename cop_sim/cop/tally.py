"""The weekly tallies the kernels fill, with a named slot for each, and the visit's outcomes.

Kernels write ``tally[W_QUALITY]``, never ``tally[4]``: one schema shared with the recorder
(``CARE_TALLY`` and ``COP_TALLY`` give the names in slot order; a test checks they agree).
"""

from __future__ import annotations

import numpy as np

from cop_sim.cop.audit import chart
from cop_sim.cop.plan import COLLABORATION
from cop_sim.cop.world.landscape import contributions
from cop_sim.kernel import njit_inline

# Slots of the weekly tally the care kernel fills (one schema shared with the recorder).
CARE_TALLY = ("encounters", "consultation", "coordination", "collaboration", "quality", "wait", "backlog",
              "health", "burden", "goal_attainment", "goals_met", "belief_error", "social_encounters",
              "social_quality", "complex_encounters", "complex_quality", "observations", "optimal",
              "reviews", "review_changes", "adopted_repository", "judged_story", "kept_story",
              "judged_repository", "kept_repository",
              "target_hit", "target_applicable")
# Per-CoP tally slots (attendees and invited are filled by the meetings).
COP_TALLY = ("encounters", "quality", "health", "goals_met", "collaboration", "belief_error", "attendees",
             "invited", "optimal", "target_hit", "target_applicable")
COMPLEX = 4  # patients with four or more conditions form the complex subgroup

# Numba reads module-level integers as constants: named slots cost nothing in the kernels.
W_ENCOUNTERS = 0
W_CONSULTATION = 1
W_COORDINATION = 2
W_COLLABORATION = 3
W_QUALITY = 4
W_WAIT = 5
W_BACKLOG = 6
W_HEALTH = 7
W_BURDEN = 8
W_GOAL_ATTAINMENT = 9
W_GOALS_MET = 10
W_BELIEF_ERROR = 11
W_SOCIAL_ENCOUNTERS = 12
W_SOCIAL_QUALITY = 13
W_COMPLEX_ENCOUNTERS = 14
W_COMPLEX_QUALITY = 15
W_OBSERVATIONS = 16
W_OPTIMAL = 17
W_REVIEWS = 18
W_REVIEW_CHANGES = 19
W_ADOPTED_REPOSITORY = 20  # plans adopted from the repository's pathways at reviews (travel.adopt_pathway)
W_JUDGED_STORY = 21  # trials adopted from a story whose result was judged this week
W_KEPT_STORY = 22  # ... and kept at that result
W_JUDGED_REPOSITORY = 23
W_KEPT_REPOSITORY = 24
W_TARGET_HIT = 25
W_TARGET_APPLICABLE = 26

C_ENCOUNTERS = 0
C_QUALITY = 1
C_HEALTH = 2
C_GOALS_MET = 3
C_COLLABORATION = 4
C_BELIEF_ERROR = 5
C_ATTENDEES = 6
C_INVITED = 7
C_OPTIMAL = 8
C_TARGET_HIT = 9
C_TARGET_APPLICABLE = 10


@njit_inline
def record_visit(world, pr, pa, cp, kn, i, k, c, week, mode, tally, tc, v, value_):
    """Add the visit's outcomes: quality, health, burden, goals, belief error, by CoP and subgroup.

    The process measure ``optimal`` is the share of the patient's active topics whose practice is
    the one of the patient's exact optimum (``world.best_combo``): what an audit of this visit's
    plan against the best plan for this patient would find.

    ``target_hit`` over ``target_applicable`` is the change package's adherence
    (``cop_sim/cop/package.py``): of the patient's topics a target applies to, those on the target
    practice. The visit is also a chart for audit and feedback (:func:`cop_sim.cop.audit.chart`).

    ``value_`` is the plan's value with ``v`` its contributions, or NaN if they must be computed.
    """
    ctx = pa.ctx[i, k]
    plan = pa.plan[i, k]
    if np.isnan(value_):
        value_ = contributions(world, ctx, plan, v)
    quality = value_ / world.best_value[ctx]
    s_true = world.ctx_social[ctx]
    active, prio, burden, hl, mu = world.ctx_active, world.ctx_prio, world.burden, pa.health, pr.mu  # hoisted
    best, pkg = world.best_combo, cp.package
    n_cond = world.n_conditions
    health, n_c, goal, load, err, n_a = 0.0, 0, 0.0, 0.0, 0.0, 0
    n_act, n_opt, n_hit, n_app = 0, 0, 0, 0
    for t in range(world.n_topics):
        target = pkg[s_true, t]
        if target >= 0 and (active[ctx, t] or pkg[2, t] == 1):  # the package's target applies
            n_app += 1
            if plan[t] == target:
                n_hit += 1
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
    tally[W_ENCOUNTERS] += 1.0
    tally[W_CONSULTATION + mode] += 1.0
    tally[W_QUALITY] += quality
    tally[W_HEALTH] += health
    tally[W_BURDEN] += load / max(n_act, 1)
    tally[W_GOAL_ATTAINMENT] += goal
    tally[W_GOALS_MET] += met
    tally[W_BELIEF_ERROR] += err
    tally[W_OPTIMAL] += optimal
    tally[W_TARGET_HIT] += n_hit
    tally[W_TARGET_APPLICABLE] += n_app
    if s_true == 1:
        tally[W_SOCIAL_ENCOUNTERS] += 1.0
        tally[W_SOCIAL_QUALITY] += quality
    if world.ctx_n_cond[ctx] >= COMPLEX:
        tally[W_COMPLEX_ENCOUNTERS] += 1.0
        tally[W_COMPLEX_QUALITY] += quality
    tc[c, C_ENCOUNTERS] += 1.0
    tc[c, C_QUALITY] += quality
    tc[c, C_HEALTH] += health
    tc[c, C_GOALS_MET] += met
    tc[c, C_COLLABORATION] += 1.0 if mode == COLLABORATION else 0.0
    tc[c, C_BELIEF_ERROR] += err
    tc[c, C_OPTIMAL] += optimal
    tc[c, C_TARGET_HIT] += n_hit
    tc[c, C_TARGET_APPLICABLE] += n_app
    chart(pr, kn, i, week, optimal, n_hit, n_app, quality)
