"""Judging a changed plan by its delayed, noisy result: beliefs, trust, habit, story, keep or revert."""

from __future__ import annotations

import numpy as np

from cop_sim.cop.context import belief_ctx
from cop_sim.kernel import njit_inline

ACCURACY_SCALE = 2.0  # a story off by 0.5 earns no trust: trust target = 1 - 2 |error| (assumption)


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
    bctx = world.ctx_bctx
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
        s = belief_ctx(bctx, ctx, known, t)
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
