"""Plans that travel: stories that carry cases, and care pathways kept in the repository.

Eppstein et al. (2012, PLoS ONE 7(11):e49901) contrast two ways sites learn from each other on a
clinical fitness landscape. In *dissemination* only per-practice evidence travels (what 0.2's
stories carry: one number per context, topic and practice). In *collaborative learning* whole
configurations travel and each site tests them locally. ``meeting.transfer`` chooses the arm:

- ``"evidence"``: a story is per-practice evidence only (:func:`cop_sim.cop.stories.tell`).
- ``"configurations"``: the same story, to the same listeners, also carries the case: the
  patient's context, the whole plan, the observed results and who planned it. A listener who acts
  on it (chance ``adoption_rate`` x the teller's voice x trust in them) tries the told plan on up to
  ``adoption_patients`` of their own patients whose context is similar (:func:`similarity` at least
  ``adoption_similarity``), where the told results beat what the listener expects of the current
  plan on the topics that would change. The adopted plan is a trial like any other change: its
  result is judged locally and it is kept or reverted (:mod:`cop_sim.cop.judge`).

Care pathways (``repository.pathways``): at a documented meeting the repository writes down the
told cases' plans by class of patient (:func:`cop_sim.cop.population.pathway_class`), with their
observed results (:func:`codify_pathways`). A newcomer's patients of a class with a pathway start on
it, right or wrong (:func:`onboard`; March 1991's newcomers socialised to the code), and a review
may adopt it (:func:`pathway_for`, :func:`adopt_pathway`).

Where a trial came from is kept in ``pa.origin`` and counted when its result is judged
(:func:`judged`): the weekly series ``adopted_story``, ``adopted_repository``, ``judged_*`` and
``kept_*``.
"""

from __future__ import annotations

import numpy as np

from cop_sim.cop.state import ORIGIN_OWN, ORIGIN_REPOSITORY, ORIGIN_STORY
from cop_sim.cop.tally import (
    W_ADOPTED_REPOSITORY,
    W_JUDGED_REPOSITORY,
    W_JUDGED_STORY,
    W_KEPT_REPOSITORY,
    W_KEPT_STORY,
)
from cop_sim.kernel import njit, njit_inline


@njit_inline
def similarity(world, a, b):
    """Jaccard similarity of catalogue contexts a and b over their conditions and social need.

    Shared conditions (and social need) over those either has; 1 when neither has any.
    """
    inter, union = 0, 0
    for t in range(world.n_conditions):
        x, y = world.ctx_active[a, t], world.ctx_active[b, t]
        if x and y:
            inter += 1
        if x or y:
            union += 1
    x, y = world.ctx_social[a] == 1, world.ctx_social[b] == 1
    if x and y:
        inter += 1
    if x or y:
        union += 1
    return 1.0 if union == 0 else inter / union


@njit_inline
def owns(pa, i, k, t):
    """Whether practitioner i may change topic t of their patient k's plan: the topics i owns.

    With care teams (``pa.owner``) a listener adopts only the part of a told plan they own; single-
    handed (``team.size = 1``) the lead owns every topic of their own patient.
    """
    return pa.ctx[i, k] >= 0 and pa.owner[i, k, t] == i


@njit_inline
def _looks_better(world, pr, pa, i, k, plan, obs):
    """Whether a told plan's observed results beat what i believes of patient k's current plan.

    Compared on the topics the told plan would change (owned, planned on both sides, different
    practice), weighted by what matters to the patient if known, else by what i thinks matters.
    Returns False when nothing would change.
    """
    ctx = pa.ctx[i, k]
    known = pa.known[i, k]
    s = world.ctx_social[ctx] if known else 0
    told, mine, n = 0.0, 0.0, 0
    for t in range(world.n_topics):
        a, cur = plan[t], pa.plan[i, k, t]
        if a < 0 or cur < 0 or a == cur or not world.ctx_active[ctx, t] or not owns(pa, i, k, t):
            continue
        w = world.ctx_prio[ctx, t] if known else pr.P[i, t]
        told += w * obs[t]
        mine += w * pr.mu[i, s, t, cur]
        n += 1
    return n > 0 and told > mine


@njit_inline
def _take(world, pa, i, k, plan, week, origin):
    """Put the owned, planned topics of patient (i, k) on ``plan`` as a trial from ``origin``."""
    ctx = pa.ctx[i, k]
    changed = False
    for t in range(world.n_topics):
        a = plan[t]
        if a >= 0 and pa.plan[i, k, t] >= 0 and world.ctx_active[ctx, t] and owns(pa, i, k, t) \
                and pa.plan[i, k, t] != a:
            pa.plan[i, k, t] = a
            changed = True
    if changed:  # the adoption is itself the change: judged at its result, kept or reverted
        pa.tried[i, k] = week
        pa.joint[i, k] = False
        pa.origin[i, k] = origin
    return changed


@njit
def hear_case(world, pr, pa, kn, li, ctx, plan, obs, heard, week, rng):
    """Listener ``li`` hears a case (context ``ctx``, plan, observed results), the teller ``heard`` so well.

    ``heard`` is the teller's relative voice x the listener's trust in them, as for the story's
    evidence. With chance ``adoption_rate`` x min(1, ``heard``) the listener acts on it: the told
    plan is tried on up to ``adoption_patients`` of their own patients (in panel order) whose
    context is at least
    ``adoption_similarity`` similar, that have no trial pending, and for whom the told results beat
    what the listener expects of the current plan (:func:`_looks_better`). One draw from ``rng``.

    Returns:
        How many of the listener's patients now try the told plan.
    """
    if rng.random() >= kn.adopt_rate * min(1.0, heard):
        return 0
    n = 0
    for k in range(pa.ctx.shape[1]):
        if n >= kn.adopt_max:
            break
        own = pa.ctx[li, k]
        if own < 0 or pa.tried[li, k] >= 0 or similarity(world, ctx, own) < kn.adopt_similarity:
            continue
        if _looks_better(world, pr, pa, li, k, plan, obs) and \
                _take(world, pa, li, k, plan, week, ORIGIN_STORY):
            n += 1
    return n


@njit_inline
def judged(pa, i, k, came, kept, tally):
    """Count a judged trial by where it came from; the judge hook (called by ``care.encounter``).

    Args:
        came: ``pa.origin[i, k]`` as it was before the result was judged.
        kept: whether the plan survived its local test (not reverted).
        tally: the week's care tally (``CARE_TALLY`` order).
    """
    if came == ORIGIN_STORY:
        tally[W_JUDGED_STORY] += 1.0
        tally[W_KEPT_STORY] += 1.0 if kept else 0.0
    elif came == ORIGIN_REPOSITORY:
        tally[W_JUDGED_REPOSITORY] += 1.0
        tally[W_KEPT_REPOSITORY] += 1.0 if kept else 0.0
    pa.origin[i, k] = ORIGIN_OWN


@njit_inline
def told_result(world, pa, i, k):
    """The observed result of patient (i, k)'s last observed plan, weighted by what matters to them."""
    ctx = pa.ctx[i, k]
    total, wsum = 0.0, 0.0
    for t in range(world.n_topics):
        if pa.obs_plan[i, k, t] >= 0:
            total += world.ctx_prio[ctx, t] * pa.obs[i, k, t]
            wsum += world.ctx_prio[ctx, t]
    return total / wsum if wsum > 0.0 else np.nan


@njit
def codify_pathways(world, pa, cp, c, told_i, told_k, n_told, week):
    """At a documented meeting of CoP c, write the told cases into its care pathways.

    Per class of patient: a told plan equal to the pathway adds its result to the pathway's mean;
    a different plan replaces the pathway if none is written or its told result is higher. Right or
    wrong: the results are single noisy observations, as told.
    """
    T = world.n_topics
    for e in range(n_told):
        i, k = told_i[e], told_k[e]
        g = pa.cls[i, k]
        if g < 0:
            continue
        seen = told_result(world, pa, i, k)
        if np.isnan(seen):
            continue
        same = cp.path_week[c, g] >= 0
        for t in range(T):
            if cp.path_plan[c, g, t] != pa.obs_plan[i, k, t]:
                same = False
        if same:
            cp.path_n[c, g] += 1.0
            cp.path_value[c, g] += (seen - cp.path_value[c, g]) / cp.path_n[c, g]
        elif cp.path_week[c, g] < 0 or seen > cp.path_value[c, g]:
            for t in range(T):
                cp.path_plan[c, g, t] = pa.obs_plan[i, k, t]
            cp.path_value[c, g] = seen
            cp.path_n[c, g] = 1.0
        else:
            continue
        cp.path_week[c, g] = week


@njit
def pool_pathways(cp, team):
    """At a learning session every CoP of a team takes, per class, the team's best-valued pathway."""
    C, G = cp.path_week.shape
    if C == 0:
        return
    best = np.full((team.max() + 1, G), -1, dtype=np.int64)  # per team and class: the CoP holding it
    for c in range(C):
        for g in range(G):
            b = best[team[c], g]
            if cp.path_week[c, g] >= 0 and (b < 0 or cp.path_value[c, g] > cp.path_value[b, g]):
                best[team[c], g] = c
    for c in range(C):
        for g in range(G):
            b = best[team[c], g]
            if b >= 0 and b != c:
                cp.path_plan[c, g, :] = cp.path_plan[b, g, :]
                cp.path_value[c, g] = cp.path_value[b, g]
                cp.path_n[c, g] = cp.path_n[b, g]
                cp.path_week[c, g] = cp.path_week[b, g]


@njit
def pathway_for(cp, c, cls):
    """The care pathway CoP c's repository holds for class ``cls``, or an empty plan (none).

    Returns:
        ``cp.path_plan[c, cls]`` (int8[T], -1 where the pathway says nothing) when a pathway is
        written, else a length-0 view: test ``len(plan) > 0``.
    """
    if cls < 0 or cp.path_week[c, cls] < 0:
        return cp.path_plan[c, 0, :0]
    return cp.path_plan[c, cls]


@njit
def adopt_pathway(world, pr, pa, cp, i, k, c, week, tally):
    """A review's use of the repository: patient (i, k) of CoP c tries its class's pathway.

    Contract for reviews (``cop_sim/cop/review.py``): call at a review of patient (i, k) by
    practitioner i, member of CoP c, in week ``week`` (the care clock). Nothing happens, and False
    is returned, when there is no pathway for the patient's class, a trial is pending
    (``pa.tried >= 0``), the pathway's recorded result does not beat what i believes the current
    plan gives (priority-weighted over the planned topics), or it would change none of the topics i
    owns (:func:`owns`). Otherwise the owned, planned topics take the pathway's practices as a trial
    (``pa.tried = week``, ``pa.origin = ORIGIN_REPOSITORY``), judged at its result like any change,
    ``tally[W_ADOPTED_REPOSITORY]`` (the care tally) is incremented and True returned.
    """
    plan = pathway_for(cp, c, pa.cls[i, k])
    if len(plan) == 0 or pa.tried[i, k] >= 0:
        return False
    ctx = pa.ctx[i, k]
    known = pa.known[i, k]
    s = world.ctx_social[ctx] if known else 0
    mine, wsum = 0.0, 0.0
    for t in range(world.n_topics):
        cur = pa.plan[i, k, t]
        if cur >= 0 and world.ctx_active[ctx, t]:
            w = world.ctx_prio[ctx, t] if known else pr.P[i, t]
            mine += w * pr.mu[i, s, t, cur]
            wsum += w
    if wsum > 0.0 and cp.path_value[c, pa.cls[i, k]] <= mine / wsum:
        return False
    if _take(world, pa, i, k, plan, week, ORIGIN_REPOSITORY):
        tally[W_ADOPTED_REPOSITORY] += 1.0
        return True
    return False


def onboard(pr, pa, cp, leave: np.ndarray, week: int) -> int:
    """Newcomers ``leave`` (just replaced) start their patients on the CoP's pathways, right or wrong.

    Each patient of a class with a pathway takes its practices on the topics already planned, as a
    trial from the repository (judged at its result). Returns how many patients changed plan.
    """
    n = 0
    for i in leave:
        c = pr.cop[i]
        for k in range(pa.ctx.shape[1]):
            g = pa.cls[i, k]
            if g < 0 or cp.path_week[c, g] < 0 or pa.tried[i, k] >= 0:
                continue
            plan, cur = cp.path_plan[c, g], pa.plan[i, k]
            take = (plan >= 0) & (cur >= 0) & (plan != cur)
            if take.any():
                cur[take] = plan[take]
                pa.tried[i, k] = week
                pa.joint[i, k] = False
                pa.origin[i, k] = ORIGIN_REPOSITORY
                n += 1
    return n
