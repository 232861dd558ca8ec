"""Judging a changed plan by its delayed, noisy result: beliefs, trust, habit, story, keep or revert."""

from __future__ import annotations

import numpy as np

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
def observe(world, pr, pa, cp, kn, i, k, q, c, rng, v, o, mine):
    """The delayed result of patient k's plan: beliefs, trust in tellers, habit, story, keep or revert.

    The plan is a tried change if ``pa.tried`` is set (then kept or reverted), else the plan in
    force seen again at a follow-up (its estimate gains an observation): see :func:`judge`.
    ``v`` holds each topic's true value under the plan (from :func:`bring_health_up_to_date`).
    ``o`` (member slot ``q``) is who reads the result: the lead ``i``, or a care-team member
    (:mod:`careteam`), who learns only on the topics they own (``pa.owner``) when ``mine``.
    Returns True if the plan went back to the incumbent (``v`` no longer describes it).
    """
    ctx = pa.ctx[i, k]
    s = world.ctx_social[ctx] if pa.known[i, k] else 0
    noise = cp.noise[c]
    plan = pa.plan[i, k]
    known = pa.known[i, k]
    # hoisted: a structref field read in a loop costs more than the arithmetic
    obs_plan, obs, mu, prec, told_by, told_val = pa.obs_plan, pa.obs, pr.mu, pr.prec, pr.told_by, pr.told_val
    trust, prio, P, owner = cp.trust, world.ctx_prio, pr.P, pa.owner
    total, wsum, surprise, n = 0.0, 0.0, 0.0, 0
    trial = pa.tried[i, k] >= 0  # a tried change is judged; else a follow-up of the plan in force
    for t in range(world.n_topics):
        a = plan[t]
        obs_plan[i, k, t] = a
        if a < 0:
            continue
        y = v[t] + noise * rng.standard_normal()
        obs[i, k, t] = y
        surprise += abs(y - mu[o, s, t, a])
        n += 1
        if not mine or owner[i, k, t] == o:  # the topics the reader sees
            teller = told_by[o, s, t, a]
            if teller >= 0:  # trust follows how well the teller's story predicted what was seen
                acc = max(0.0, 1.0 - ACCURACY_SCALE * abs(told_val[o, s, t, a] - y))
                trust[c, q, teller] += kn.trust_rate * (acc - trust[c, q, teller])
                told_by[o, s, t, a] = -1
            belief_update(mu, prec, o, s, t, a, y, kn.experience)
        # judged by what matters to the patient if known, else by what the practitioner thinks matters
        w = prio[ctx, t] if known else P[o, t]
        total += w * y
        wsum += w
    pa.tried[i, k] = -1
    if n == 0:
        return False
    seen = total / max(wsum, 1e-12)
    # the member's record as others can know it: observed results only (superior code learning)
    pr.score[o] = seen if np.isnan(pr.score[o]) else pr.score[o] + kn.score_rate * (seen - pr.score[o])
    # the inclusion habit follows what plans made with patients showed, against plans made alone
    means = pr.m_joint if pa.joint[i, k] else pr.m_solo
    means[o] = seen if np.isnan(means[o]) else means[o] + kn.habit_rate * (seen - means[o])
    if not (np.isnan(pr.m_joint[o]) or np.isnan(pr.m_solo[o])):
        pr.habit[o] = min(1.0, max(0.02, pr.habit[o] + kn.habit_rate * (pr.m_joint[o] - pr.m_solo[o])))
    surprise /= n
    # the case to bring to the next meeting (seed 001): a story names a slot of the teller's own panel
    if o == i and surprise > pr.st_surprise[i]:
        pr.st_patient[i] = k
        pr.st_surprise[i] = surprise
    return judge(pa, kn, i, k, seen, trial)


@njit_inline
def keeps(seen, inc_mean, inc_n, best_seen):
    """Whether a tried change whose observed result is ``seen`` is kept against the incumbent plan.

    The incumbent's estimate is the running mean ``inc_mean`` of ``inc_n`` observed results of
    it; the change is kept if its result beats that mean, or if there is no estimate yet. A mean
    regresses to the plan's true value as follow-ups accrue, so a change better by more than
    the noise is kept more often than not, and a worse one less (issue 24). ``best_seen`` is
    0.2's rule: against the best result ever seen, the maximum of noisy records, which a truly
    better change rarely beats once there are a few of them (a ratchet on noise).
    """
    if best_seen:
        return seen >= inc_mean
    return inc_n <= 0.0 or seen > inc_mean


@njit_inline
def judge(pa, kn, i, k, seen, trial):
    """Keep or revert a tried change (``trial``), or add a follow-up to the plan's estimate.

    Returns True if the plan went back to the incumbent (``v`` no longer describes it).
    """
    if not trial:  # a follow-up of the plan in force: one more observation of the incumbent
        if pa.inc_n[i, k] <= 0.0:  # nobody's estimate yet (a newcomer's patient): this starts it
            pa.inc_plan[i, k, :] = pa.plan[i, k, :]
            pa.inc_mean[i, k] = seen
            pa.inc_n[i, k] = 1.0
        else:
            pa.inc_n[i, k] += 1.0
            pa.inc_mean[i, k] += (seen - pa.inc_mean[i, k]) / pa.inc_n[i, k]
        return False
    if keeps(seen, pa.inc_mean[i, k], pa.inc_n[i, k], kn.best_seen):
        pa.inc_mean[i, k] = seen  # the new incumbent's estimate: its one result so far
        pa.inc_n[i, k] = 1.0
        pa.inc_plan[i, k, :] = pa.plan[i, k, :]
        return False
    pa.plan[i, k, :] = pa.inc_plan[i, k, :]  # the change did not pay: back to the incumbent
    return True
