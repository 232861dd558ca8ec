"""Reviews: a plan's topics chosen afresh from what its planner now believes, at review points.

A plan is due a review at a visit when ``review.interval`` weeks have passed since its last
review (chronic-care reviews, six-monthly or annual: assumption), or when news contradicted
the planner's practice since then: a story (``stories.tell``) calls :func:`flag_review` when it
changes a practitioner's preferred practice on a topic, and audit and feedback when their figure
falls below the benchmark, and the repository when what members take from it (weekly use,
stepwise socialisation) changes their preferred practice (``review.repository_triggers``;
``upkeep.beliefs_week``, ``codelearning.socialise``). Care pathways do not trigger reviews: they
are consulted at them (``travel.adopt_pathway``). A review waits while a tried change is pending (its result
is judged first), and a short visit may not find the time for it (``practice.time_limit``, :func:`extras`). If
the review changes the plan, the new plan is a tried change like any other: kept or reverted
by its observed result against the old plan's running estimate (``judge.keeps``).
"""

from __future__ import annotations

from cop_sim.cop.plan import rechoose
from cop_sim.kernel import njit_inline


@njit_inline
def flag_review(pr, i, week):
    """News contradicting practitioner i's practice: every plan of theirs is due a review from ``week``."""
    if week > pr.review_from[i]:
        pr.review_from[i] = week


@njit_inline
def preferred(mu, i, s, t):
    """The practice i believes best on topic t in belief context s (the first of equals: no draw)."""
    arg = 0
    for a in range(1, mu.shape[3]):
        if mu[i, s, t, a] > mu[i, s, t, arg]:
            arg = a
    return arg


@njit_inline
def extras(pr, kn, i):
    """The factor on the chance of a visit's extras (a review, advice, planning with the patient).

    1 when the practitioner has the time this week (``pr.visit_time``: capacity over demand),
    less as time per visit shrinks, by ``kn.time_limit`` (0: time never limits them).
    """
    return 1.0 - kn.time_limit * (1.0 - pr.visit_time[i])


@njit_inline
def review_due(pr, pa, kn, i, k, week):
    """Whether patient k's plan is due a review by i at a visit in ``week``."""
    if pa.tried[i, k] >= 0:
        return False  # a tried change is pending: its result is judged first
    last = pa.reviewed[i, k]
    if kn.review_interval > 0 and week - last >= kn.review_interval:
        return True
    return kn.review_triggers and pr.review_from[i] > last


@njit_inline
def review(world, pr, pa, hidden, i, k, j, week, rng):
    """Review patient k's plan: i's topics afresh from beliefs (pooled with co-planner j if >= 0).

    Returns True if the plan changed (the caller marks it as a tried change).
    """
    pa.reviewed[i, k] = week
    return rechoose(world, pr, pa, hidden, i, k, j, rng)[0]
