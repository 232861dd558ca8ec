"""March (1991)'s mutual learning as CoP mechanisms: a code that learns from its superior members.

``repository.learning = "superior"``: at a documented meeting the repository learns, on each topic,
the practice most used by the *superior group*, the attendees whose running score of observed
results beats what following the repository gave, as observed by the attendees. It adopts the
majority with chance 1 - (1 - p2)^k, k the majority's margin (March 1991, footnote 1). Only
observed results are used, never true values: with noisy observation a lucky member can look
superior. ``repository.socialisation = "stepwise"``: each week, on each topic where a member's
preference differs from the code's, with chance ``repository.use`` (March's p1) the member takes
one step towards it: from preferring another practice to no preference, from none to the code's
(Christensen 2015's gradual socialisation).

A preference is the order of a member's belief means on a topic; a code entry prescribes a
practice when one practice leads its ``R_mu`` (nothing written, or a tie, prescribes none).
"""

from __future__ import annotations

import numpy as np

from cop_sim.borrow import lent_generator
from cop_sim.cop.context import belief_ctx
from cop_sim.cop.review import flag_review
from cop_sim.cop.review import preferred as first_best
from cop_sim.kernel import njit

STEP = 0.25  # the lead a step towards the code gives the code's practice (only the order matters)
TIE = 1e-9  # scores closer than this are equal (float rounding of equal results)


@njit
def prescribed(R_mu, R_prec, c, s, t):
    """The practice the code of CoP c prescribes on topic t in belief context s, or -1 for none."""
    for a in range(R_mu.shape[3]):
        if R_prec[c, s, t, a] <= 0.0:  # a practice the code has not written down: no prescription
            return -1
    return preferred(R_mu, c, s, t)  # the code's strict preference, as a member's


@njit
def preferred(mu, i, s, t):
    """The practice member i strictly prefers on topic t in context s, or -1 (no preference)."""
    A = mu.shape[3]
    best, arg, ties = -np.inf, -1, 0
    for a in range(A):
        if mu[i, s, t, a] > best:
            best, arg, ties = mu[i, s, t, a], a, 1
        elif mu[i, s, t, a] == best:
            ties += 1
    return arg if ties == 1 else -1


@njit
def _add_plans(world, pa, i, count, total):
    """Add member i's last observed plans: uses of each (context, topic, practice), and their results."""
    for k in range(pa.ctx.shape[1]):
        ctx = pa.ctx[i, k]
        if ctx < 0:
            continue
        for t in range(pa.obs_plan.shape[2]):
            a = pa.obs_plan[i, k, t]
            if a >= 0:
                s = belief_ctx(world.ctx_bctx, ctx, pa.known[i, k], t)
                total[s, t, a] += pa.obs[i, k, t]
                count[s, t, a] += 1.0


@njit
def _observed_means(world, pa, cp, c, att, S, T, A):
    """Mean observed result of each practice among the attendees' last observed plans."""
    total, count = np.zeros((S, T, A)), np.zeros((S, T, A))
    for q in range(cp.members.shape[1]):
        i = cp.members[c, q]
        if i >= 0 and att[q]:
            _add_plans(world, pa, i, count, total)
    return total, count


@njit
def code_score(world, pa, cp, c, att):
    """What following the repository gave, as the attendees observed it (NaN if nothing seen).

    The mean over topics of the mean observed result of the practice the code prescribes; where it
    prescribes none, the mean over the practices seen (a neutral code acts as a fair coin).
    """
    S, T, A = cp.R_mu.shape[1], cp.R_mu.shape[2], cp.R_mu.shape[3]
    total, count = _observed_means(world, pa, cp, c, att, S, T, A)
    score, n = 0.0, 0
    for s in range(S):
        for t in range(T):
            a = prescribed(cp.R_mu, cp.R_prec, c, s, t)
            if a >= 0 and count[s, t, a] > 0:
                score += total[s, t, a] / count[s, t, a]
                n += 1
                continue
            v, m = 0.0, 0
            for b in range(A):
                if count[s, t, b] > 0:
                    v += total[s, t, b] / count[s, t, b]
                    m += 1
            if m > 0:
                score += v / m
                n += 1
    return score / n if n > 0 else np.nan


@njit
def learn_code(world, pr, pa, cp, kn, c, att, rng):
    """The repository of CoP c learns from its superior group (March 1991's code learning)."""
    S, T, A = cp.R_mu.shape[1], cp.R_mu.shape[2], cp.R_mu.shape[3]
    bar = code_score(world, pa, cp, c, att)
    if np.isnan(bar):
        return
    votes = np.zeros((S, T, A))
    used, results = np.zeros((S, T, A)), np.zeros((S, T, A))
    for q in range(cp.members.shape[1]):
        i = cp.members[c, q]
        if i < 0 or not att[q] or np.isnan(pr.score[i]) or pr.score[i] <= bar + TIE:
            continue
        used[:] = 0.0  # a member's vote: the practice they used most in their last observed plans
        _add_plans(world, pa, i, used, results)
        for s in range(S):
            for t in range(T):
                top, arg, ties = 0.0, -1, 0
                for a in range(A):
                    if used[s, t, a] > top:
                        top, arg, ties = used[s, t, a], a, 1
                    elif used[s, t, a] == top and top > 0:
                        ties += 1
                if arg >= 0 and ties == 1:
                    votes[s, t, arg] += 1.0
    for s in range(S):
        for t in range(T):
            top, second, arg = 0.0, 0.0, -1
            for a in range(A):
                if votes[s, t, a] > top:
                    top, second, arg = votes[s, t, a], top, a
                elif votes[s, t, a] > second:
                    second = votes[s, t, a]
            if arg < 0 or top == second or arg == prescribed(cp.R_mu, cp.R_prec, c, s, t):
                continue  # no strict majority, or it already is the code
            if rng.random() < 1.0 - (1.0 - kn.code_rate) ** (top - second):
                for a in range(A):
                    cp.R_mu[c, s, t, a] = 1.0 if a == arg else 0.0  # a prescription, not a value
                    cp.R_prec[c, s, t, a] = 1.0


@njit
def socialise(pr, cp, p1, rngs, flag_week=-1):
    """Each member, on each topic, steps towards the code's practice with chance p1 (stepwise use).

    Row c of ``rngs`` (a ``borrow.generator_table``) is CoP c's own generator. With ``flag_week``
    >= 0 (``review.repository_triggers``) a step that changes the member's preferred practice
    (first of equals, as for stories) makes their plans due a review from ``flag_week``.
    """
    n, S, T, A = pr.mu.shape
    for i in range(n):
        c = pr.cop[i]
        rng = lent_generator(rngs, c)
        for s in range(S):
            for t in range(T):
                a = prescribed(cp.R_mu, cp.R_prec, c, s, t)
                if a < 0 or preferred(pr.mu, i, s, t) == a or rng.random() >= p1:
                    continue
                other = -np.inf
                for b in range(A):
                    if b != a and pr.mu[i, s, t, b] > other:
                        other = pr.mu[i, s, t, b]
                before = first_best(pr.mu, i, s, t)
                # another practice preferred -> no preference; no preference -> the code's
                pr.mu[i, s, t, a] = other if pr.mu[i, s, t, a] < other else other + STEP
                if flag_week >= 0 and first_best(pr.mu, i, s, t) != before:
                    flag_review(pr, i, flag_week)


def settled(model) -> np.ndarray:
    """Which CoPs can no longer change: every member strictly prefers what the code prescribes.

    Exact only where nothing else moves beliefs or the code (:func:`absorbing`): members then act
    as the code on every topic, so none can beat it, and socialisation has nothing left to do.
    Checked in the belief contexts the CoP's patients can be seen in.
    """
    out = np.ones(len(model.cp.members), dtype=bool)
    _settled(model.k.world, model.k.pr, model.k.pa, model.k.cp, out)
    return out


@njit
def _settled(world, pr, pa, cp, out):
    S, T = pr.mu.shape[1], pr.mu.shape[2]
    ppp = pa.ctx.shape[1]
    for c in range(cp.members.shape[0]):
        social = False  # context 1 matters only if some patient of the CoP has social needs
        for q in range(cp.members.shape[1]):
            i = cp.members[c, q]
            if i >= 0:
                for k in range(ppp):
                    if pa.ctx[i, k] >= 0 and world.ctx_social[pa.ctx[i, k]] == 1:
                        social = True
        # without social needs only the first half of the contexts (s = 0) can be seen
        for s in range(S if social else S // 2):
            for t in range(T):
                a = prescribed(cp.R_mu, cp.R_prec, c, s, t)
                if a < 0:
                    out[c] = False
                    break
                for q in range(cp.members.shape[1]):
                    i = cp.members[c, q]
                    if i >= 0 and preferred(pr.mu, i, s, t) != a:
                        out[c] = False
                        break
                if not out[c]:
                    break
            if not out[c]:
                break


def absorbing(resolved: dict) -> bool:
    """Whether :func:`settled` CoPs stay settled: March's closed system (no noise, no stories...)."""
    p, r, m = resolved["practice"], resolved["repository"], resolved["meeting"]
    return (r["learning"] == "superior" and r["socialisation"] == "stepwise" and p["replan"] == 1.0
            and p["experience_weight"] == 0.0 and p["observation_noise"] == 0.0
            and m["story_weight"] == 0.0 and m["cocreation_rate"] == 0.0 and m["transfer"] == "evidence"
            and resolved["turnover"]["annual_rate"] == 0.0 and not resolved["learning_community"]["enabled"]
            and not resolved["events"] and resolved["world"]["K"] == 0)


def prescription(cp) -> np.ndarray:
    """The code's prescribed practice per CoP, context and topic (-1 = none), int64[C, S, T]."""
    lead = cp.R_mu.max(axis=3)
    top = cp.R_mu == lead[..., None]
    arg = np.argmax(cp.R_mu, axis=3)
    return np.where((top.sum(axis=3) == 1) & (cp.R_prec > 0).all(axis=3), arg, -1)


def preference(mu: np.ndarray) -> np.ndarray:
    """Each member's strictly preferred practice per context and topic (-1 = none), int64[N, S, T]."""
    lead = mu.max(axis=3)
    top = mu == lead[..., None]
    return np.where(top.sum(axis=3) == 1, np.argmax(mu, axis=3), -1)


def march_knowledge(choice: np.ndarray, best: np.ndarray) -> np.ndarray:
    """March's knowledge Σ(belief·reality)/m of two-practice choices: +1 right, -1 wrong, 0 none.

    Args:
        choice: chosen practice per topic (-1 = none) in the last axis.
        best: the right practice per topic.
    """
    score = np.where(choice < 0, 0, np.where(choice == best, 1, -1))
    return score.mean(axis=-1)
