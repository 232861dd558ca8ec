"""Between meetings: the repository consulted, beliefs' precision fading, sessions between CoPs.

Members learn from the repository as from an observation worth ``repository.use`` a week
(March 1991: socialisation to the code). Precision fades at ``practice.forgetting`` a week, so
what was learnt can be revised. Learning sessions let delegates of each CoP tell their stories to
the others' and pool the CoPs' repositories (seed 002: learning between initiatives); whether that
helps or makes everyone converge early on a poor plan (Lazer and Friedman 2007) is left to the model.
"""

from __future__ import annotations

import numpy as np

from cop_sim.borrow import lent_generator
from cop_sim.cop.context import belief_ctx
from cop_sim.cop.judge import belief_update
from cop_sim.cop.review import flag_review
from cop_sim.cop.stories import M_ADOPTED_STORY, M_MESSAGES, voice
from cop_sim.cop.travel import hear_case, pool_pathways
from cop_sim.kernel import njit


@njit
def beliefs_week(pr, cp, repo_use, forgetting, flag_week=-1):
    """One week of repository use and fading precision for every practitioner.

    Each belief cell gets the same operations in the same order as ever (its precision fades,
    then, where the CoP's repository has written that cell, it is updated from it), so the
    floats are unchanged. Faster by its layout: a practitioner's cells of one belief context
    are one contiguous row of T * A, faded in one loop the compiler vectorises, and the
    repository pass runs only over the contexts where the CoP's repository has written
    anything (at K = 2 most of the 2 * 2^K contexts of most CoPs hold nothing).

    With ``flag_week`` >= 0 (``review.repository_triggers``), a practitioner whose preferred
    practice on a topic the repository changed is flagged for review from ``flag_week``
    (:func:`cop_sim.cop.review.flag_review`: "contradicts" as for stories). The preferred
    practice before and after (argmax, first of equals: ``review.preferred``) is tracked in the
    same pass, only on rows the repository writes (fading never moves a mean) and only until the
    practitioner is flagged.
    """
    mu, prec, cop, R_mu, R_prec = pr.mu, pr.prec, pr.cop, cp.R_mu, cp.R_prec  # hoisted: 7x faster
    n, S, T, A = mu.shape
    C, TA = R_prec.shape[0], T * A
    keep = 1.0 - forgetting
    written = _written(R_prec, repo_use)
    mu2, prec2 = mu.reshape((n * S, TA)), prec.reshape((n * S, TA))  # views: C-contiguous arrays
    R_mu2, R_prec2 = R_mu.reshape((C * S, TA)), R_prec.reshape((C * S, TA))
    flagged = flag_week >= 0 and repo_use > 0.0
    for i in range(n):
        c = cop[i]
        done = not flagged or pr.review_from[i] >= flag_week  # nothing (more) to note for i
        for s in range(S):
            r = i * S + s
            for x in range(TA):
                prec2[r, x] = max(prec2[r, x] * keep, 1e-3)
            if not written[c, s]:
                continue  # fading alone never moves a mean, so never a preferred practice
            rc = c * S + s
            if done:
                for x in range(TA):
                    if R_prec2[rc, x] > 0.0:  # belief_update's operations, written out on the row
                        prec2[r, x] += repo_use
                        mu2[r, x] += repo_use * (R_mu2[rc, x] - mu2[r, x]) / prec2[r, x]
                continue
            for t in range(T):
                x0 = t * A
                old_best, old_arg, new_best, new_arg = -np.inf, 0, -np.inf, 0
                for a in range(A):
                    x = x0 + a
                    if mu2[r, x] > old_best:
                        old_best, old_arg = mu2[r, x], a
                    if R_prec2[rc, x] > 0.0:
                        prec2[r, x] += repo_use
                        mu2[r, x] += repo_use * (R_mu2[rc, x] - mu2[r, x]) / prec2[r, x]
                    if mu2[r, x] > new_best:
                        new_best, new_arg = mu2[r, x], a
                if new_arg != old_arg and not done:
                    flag_review(pr, i, flag_week)
                    done = True


@njit
def _written(R_prec, repo_use):
    """Which (CoP, belief context) rows of the repository hold any cell to learn from, bool[C, S].

    All False when the repository is not used (``repo_use <= 0``: belief_update's no-op).
    """
    C, S, T, A = R_prec.shape
    out = np.zeros((C, S), dtype=np.bool_)
    if repo_use <= 0.0:
        return out
    for c in range(C):
        for s in range(S):
            for t in range(T):
                for a in range(A):
                    if R_prec[c, s, t, a] > 0.0:
                        out[c, s] = True
    return out


@njit
def session(world, pr, pa, cp, kn, delegates, team, week, rngs, tally):
    """A learning session: every delegate's best story told to the delegates of other CoPs.

    ``team[c]`` is CoP c's team (Manukyan et al. 2013): stories and pooled repositories stay
    within a team. All zeros is one community of all CoPs, exactly as before teams existed.
    Row c of ``rngs`` is CoP c's own generator, drawn from only when stories carry cases (a
    listener of CoP c deciding whether to act on one); ``tally`` is the week's MEETING_TALLY.
    """
    n_cops, m = cp.members.shape
    att = np.zeros(m, dtype=np.bool_)
    for d in delegates:
        i = d
        k = pr.st_patient[i]
        if k < 0:
            continue
        v = voice(pr.status[i], 0.0, kn)
        for c in range(n_cops):
            if c == pr.cop[i] or team[c] != team[pr.cop[i]]:
                continue
            att[:] = False
            for q in range(m):
                j = cp.members[c, q]
                if j >= 0:
                    for e in delegates:
                        if e == j:
                            att[q] = True
            # strangers' stories are heard at the initial trust (the teller has no slot here)
            _tell_stranger(world, pr, pa, cp, kn, c, i, k, v, att, week, lent_generator(rngs, c), tally)
        pr.st_patient[i] = -1
        pr.st_surprise[i] = 0.0
    pool(cp, team)
    if kn.pathways:
        pool_pathways(cp, team)


@njit
def _tell_stranger(world, pr, pa, cp, kn, c, ti, tk, w_voice, att, week, rng, tally):
    """A story from another CoP: like ``tell`` but weighted by the initial trust, not by a tie."""
    ctx = pa.ctx[ti, tk]
    known, bctx = pa.known[ti, tk], world.ctx_bctx
    for r in range(cp.members.shape[1]):
        li = cp.members[c, r]
        if li < 0 or not att[r]:
            continue
        w = kn.story_weight * w_voice * kn.initial_trust
        for t in range(world.n_topics):
            a = pa.obs_plan[ti, tk, t]
            if a >= 0:  # the lesson the teller drew, as in a CoP meeting
                s = belief_ctx(bctx, ctx, known, t)
                belief_update(pr.mu, pr.prec, li, s, t, a, pr.mu[ti, s, t, a], w)
        pr.heard[li] += 1  # one message, in either arm of Eppstein et al. (2012)
        tally[M_MESSAGES] += 1.0
        if kn.configurations:  # the case travels too, heard at the initial trust
            tally[M_ADOPTED_STORY] += hear_case(world, pr, pa, kn, li, ctx, pa.obs_plan[ti, tk],
                                                pa.obs[ti, tk], w_voice * kn.initial_trust, week, rng)


@njit
def pool(cp, team):
    """Every CoP's repository becomes the precision-weighted pool of its team's repositories."""
    C, S, T, A = cp.R_mu.shape
    n_teams = team.max() + 1 if C > 0 else 0
    for g in range(n_teams):  # one team: the same sums in the same order as a pool of all
        for s in range(S):
            for t in range(T):
                for a in range(A):
                    num, den, n = 0.0, 0.0, 0
                    for c in range(C):
                        if team[c] == g and cp.R_prec[c, s, t, a] > 0:
                            num += cp.R_prec[c, s, t, a] * cp.R_mu[c, s, t, a]
                            den += cp.R_prec[c, s, t, a]
                            n += 1
                    if n > 0:
                        for c in range(C):
                            if team[c] == g:
                                cp.R_mu[c, s, t, a] = num / den
                                cp.R_prec[c, s, t, a] = den / n


def replace(pr, pa, cp, tab, world, resolved: dict, rngs: list[np.random.Generator],
            leave: np.ndarray) -> None:
    """Replace practitioners ``leave`` by newcomers trained in the same discipline.

    Tacit knowledge leaves with them; the newcomer brings fresh beliefs, onboarded from the
    repository (March 1991's turnover).

    The model draws who leaves in its compiled week (``week.close_week``) and calls this only
    in the weeks someone does; the newcomers' beliefs come next from the same streams, each
    CoP's newcomers from that CoP's own (``rngs[c]``).
    """
    from cop_sim.cop.population import trained_beliefs, trained_priorities

    c = pr.cop[leave]
    mu, prec = np.empty(pr.mu[leave].shape), np.empty(pr.mu[leave].shape)
    for cop in np.unique(c):  # CoP by CoP, in index order
        mine = c == cop
        mu[mine], prec[mine] = trained_beliefs(pr.disc[leave[mine]], tab, world, rngs[cop])
    w = resolved["repository"]["onboarding"] * (cp.R_prec[c] > 0)
    mu = (prec * mu + w * cp.R_mu[c]) / (prec + w)
    pr.mu[leave], pr.prec[leave] = mu, prec + w
    pr.habit[leave] = tab["inclusion"][pr.disc[leave]]
    pr.m_joint[leave] = np.nan
    pr.m_solo[leave] = np.nan
    pr.told_by[leave] = -1
    pr.P[leave] = trained_priorities(pr.disc[leave], tab, world)
    pr.st_patient[leave] = -1
    pr.st_surprise[leave] = 0.0
    pr.score[leave] = np.nan
    pr.review_from[leave] = -1
    pr.au_week[leave] = -1  # the newcomer's audit starts from their own charts
    pa.known[leave] = False
    pa.inc_mean[leave] = -np.inf  # the estimate was the leaver's: the newcomer starts one at a follow-up
    pa.inc_n[leave] = 0.0
    pa.tried[leave] = -1
    pa.reviewed[leave] = -1
    pa.origin[leave] = 0
    slots = pr.slot[leave]
    init = resolved["meeting"]["initial_trust"]
    cp.trust[c, slots, :] = init
    cp.trust[c, :, slots] = init
