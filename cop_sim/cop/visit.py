"""Steps every visit shares, single-handed (``care.encounter``) or with a care team (``careteam``).

A result that is due is seen (a tried change's, or the plan in force at a follow-up), and a
changed plan is marked as a trial; both count the travelled plans whose local test they decide.
"""

from __future__ import annotations

from cop_sim.cop.judge import observe
from cop_sim.cop.plan import COLLABORATION
from cop_sim.cop.state import ORIGIN_OWN
from cop_sim.cop.tally import W_OBSERVATIONS
from cop_sim.cop.travel import judged
from cop_sim.cop.world.landscape import contributions
from cop_sim.kernel import njit_inline


@njit_inline
def see_due_result(world, pr, pa, cp, kn, i, k, q, c, rng, v, o, mine, week, tally):
    """Reader ``o`` (member slot ``q``) sees patient (i, k)'s result if one is due.

    Due: a tried change's, ``signal_delay`` weeks after it; else, with the estimate keep rule,
    the plan in force again as a follow-up (0.2's rule saw only changes). Returns whether ``v``
    still describes the plan in force (False once a change was reverted).
    """
    if pa.tried[i, k] >= 0:
        due = week - pa.tried[i, k] >= kn.delay  # a tried change's result
    else:  # a follow-up: the plan in force seen again
        due = not kn.best_seen and pa.seen_week[i, k] >= 0 and week - pa.seen_week[i, k] >= kn.delay
    if not due:
        return True
    came = pa.origin[i, k] if pa.tried[i, k] >= 0 else ORIGIN_OWN  # a travelled plan: does it survive
    fresh = not observe(world, pr, pa, cp, kn, i, k, q, c, rng, v, o, mine)
    if came != ORIGIN_OWN:
        judged(pa, i, k, came, fresh, tally)
    pa.seen_week[i, k] = week
    tally[W_OBSERVATIONS] += 1.0
    return fresh


@njit_inline
def mark_trial(world, pr, pa, cp, kn, i, k, q, c, rng, v, o, mine, week, mode, adopted, tally):
    """Patient (i, k)'s plan changed at this visit: it is a trial, judged at its result.

    An own change on top of a pending adopted plan makes the trial own (``adopted``: the change
    is the repository's pathway). With no delay the result is seen at once.
    """
    pa.tried[i, k] = week
    pa.joint[i, k] = mode == COLLABORATION
    if not adopted:
        pa.origin[i, k] = ORIGIN_OWN
    if kn.delay == 0:  # no delay: the result is seen at this visit
        came = pa.origin[i, k]
        contributions(world, pa.ctx[i, k], pa.plan[i, k], v)
        kept = not observe(world, pr, pa, cp, kn, i, k, q, c, rng, v, o, mine)
        if came != ORIGIN_OWN:
            judged(pa, i, k, came, kept, tally)
        tally[W_OBSERVATIONS] += 1.0
