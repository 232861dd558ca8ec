"""Meetings of stories: cases of success and failure told, heard by voice and trust, recombined.

A prepared chair picks the stories that surprised their tellers most; an unprepared one picks at
random, which teaches less only when the instructive stories are rare (seed 002: preparing the chair
was crucial). Listeners treat a story as an observation worth ``story_weight`` x the teller's voice x
their trust in the teller (learning-core references: stories as evidence). Voice falls with low
status under a steep hierarchy, and a skilled moderator restores it (seed 003; seed 000, Rev Panam
Salud Publica 2007). A member's story carries the lesson they drew from the case (their belief after
seeing its result), so a confident teller who is wrong spreads error and one who is right spreads
knowledge: hierarchy helps or hurts depending on who is right. A representative is one of the CoP's
own patients, telling what happened to them.
"""

from __future__ import annotations

import numpy as np

from cop_sim.borrow import lent_generator
from cop_sim.cop.codelearning import learn_code
from cop_sim.cop.context import belief_ctx
from cop_sim.cop.judge import belief_update
from cop_sim.cop.review import flag_review, preferred
from cop_sim.cop.state import ORIGIN_OWN, REPRESENTATIVE_STATUS
from cop_sim.cop.tally import C_ATTENDEES, C_INVITED
from cop_sim.cop.travel import codify_pathways, hear_case
from cop_sim.cop.world.landscape import contribution
from cop_sim.kernel import njit, njit_inline

LOW_STATUS = 0.5  # tellers at or below this status count as low-status (for the voice outcome)
MEETING_TALLY = ("meetings", "attendees", "invited", "stories", "cocreated", "low_status_voice",
                 "rep_voice", "messages", "adopted_story", "tie_stories")
# named slots of MEETING_TALLY (numba reads module-level integers as constants)
M_MEETINGS = 0
M_ATTENDEES = 1
M_INVITED = 2
M_STORIES = 3
M_COCREATED = 4
M_LOW_STATUS_VOICE = 5
M_REP_VOICE = 6
M_MESSAGES = 7  # stories heard, one per listener, whatever they carried (both Eppstein arms alike)
M_ADOPTED_STORY = 8  # patients whose plan became a told plan (meeting.transfer = "configurations")
M_TIE_STORIES = 9  # stories told to one tie between meetings (cop_sim/cop/hallway.py)


@njit_inline
def voice(status, skill, kn):
    """How much a teller of this status is heard: muted by a steep hierarchy, unless moderated."""
    mute = kn.steepness * (1.0 - kn.flattening * skill)
    return 1.0 - mute * (1.0 - status)


@njit_inline
def tell(world, pr, pa, cp, kn, c, ti, tk, teller_slot, w_voice, att, known, rep, listeners_i, week, rng,
         tally):
    """Every attending listener hears the story of patient (ti, tk): beliefs, priorities, habits.

    With ``meeting.transfer = "configurations"`` the story also carries the case, which a listener
    may try on similar patients of their own (:func:`cop_sim.cop.travel.hear_case`). A story that
    changes a listener's preferred practice on a topic makes their plans due a review.
    """
    ctx = pa.ctx[ti, tk]
    bctx = world.ctx_bctx  # the story is about this patient: it updates beliefs in their context
    m = cp.members.shape[1]
    for r in range(m):
        li = cp.members[c, r]
        if li < 0 or not att[r] or li == listeners_i:
            continue
        w = kn.story_weight * w_voice * cp.trust[c, r, teller_slot]
        for t in range(world.n_topics):
            a = pa.obs_plan[ti, tk, t] if not rep else pa.plan[ti, tk, t]
            if a < 0:
                continue
            s = belief_ctx(bctx, ctx, known, t)
            # a member tells the lesson they drew (their belief since the result); a patient, what happened
            y = pa.obs[ti, tk, t] if rep else pr.mu[ti, s, t, a]
            before = preferred(pr.mu, li, s, t)
            belief_update(pr.mu, pr.prec, li, s, t, a, y, w)
            if preferred(pr.mu, li, s, t) != before:
                flag_review(pr, li, week)
            pr.told_by[li, s, t, a] = teller_slot
            pr.told_val[li, s, t, a] = y
        if known:  # common goals form from stories of what mattered to real patients (seed 001)
            pull = min(1.0, kn.consensus_rate * w)
            for t in range(world.n_topics):
                pr.P[li, t] += pull * (world.ctx_prio[ctx, t] - pr.P[li, t])
        pr.heard[li] += 1  # one message, in either arm of Eppstein et al. (2012)
        tally[M_MESSAGES] += 1.0
        if kn.configurations:  # the case travels too: context, whole plan, observed results, teller
            plan = pa.plan[ti, tk] if rep else pa.obs_plan[ti, tk]
            tally[M_ADOPTED_STORY] += hear_case(world, pr, pa, kn, li, ctx, plan, pa.obs[ti, tk],
                                                w_voice * cp.trust[c, r, teller_slot], week, rng)


@njit_inline
def _choose(pr, cp, kn, c, att, prepared, n_cases, rng, out):
    """Up to n_cases tellers (member slots) who get the floor.

    A prepared chair ranks the stories by how much they surprised their tellers, an unprepared one
    at random; either way the floor goes by voice, so a steep hierarchy fills the agenda with
    high-status members' cases.
    """
    m = cp.members.shape[1]
    key = np.empty(m)
    who = np.empty(m, dtype=np.int64)
    n = 0
    for q in range(m):
        i = cp.members[c, q]
        if i >= 0 and att[q] and pr.st_patient[i] >= 0:
            v = voice(pr.status[i], cp.skill[c], kn)
            key[n] = v * (pr.st_surprise[i] if prepared else rng.random())
            who[n] = q
            n += 1
    order = np.argsort(-key[:n])
    k = min(n, n_cases)
    for e in range(k):
        out[e] = who[order[e]]
    return k


@njit_inline
def cocreate(world, pa, a_i, a_k, b_i, b_k):
    """A new plan for patient (a_i, a_k): on each topic, the practice of whichever story did better.

    Returns True if the recombined plan differs from the patient's plan in use; it is then tried
    in practice, and can fail (seed 001: co-create care plans).
    """
    changed = False
    ctx = pa.ctx[a_i, a_k]
    for t in range(world.n_topics):
        a = pa.obs_plan[a_i, a_k, t]
        b = pa.obs_plan[b_i, b_k, t]
        better = a >= 0 and b >= 0 and world.ctx_active[ctx, t] and pa.obs[b_i, b_k, t] > pa.obs[a_i, a_k, t]
        if better and pa.plan[a_i, a_k, t] != b:
            pa.plan[a_i, a_k, t] = b
            changed = True
    return changed


@njit
def meet(world, pr, pa, cp, kn, cm, pressure, week, rngs, tally, tc):
    """Hold the meetings of CoPs ``cm``; ``pressure`` is each practitioner's backlog pressure.

    Row c of ``rngs`` (a ``borrow.generator_table``) is CoP c's own generator. Adds attendees
    and invited members per CoP to the last two slots of ``tc`` (``COP_TALLY``).
    """
    m = cp.members.shape[1]
    att = np.zeros(m, dtype=np.bool_)
    tellers = np.empty(m, dtype=np.int64)
    told_i, told_k = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64)
    for c in cm:
        rng = lent_generator(rngs, c)
        n_att, invited = 0, 0
        for q in range(m):
            i = cp.members[c, q]
            att[q] = False
            if i < 0:
                continue
            invited += 1
            att[q] = rng.random() < pr.engagement[i] * (1.0 - kn.att_pressure * pressure[i])
            n_att += att[q]
            pr.attended[i] = att[q]
            if att[q]:
                pr.cop_hours[i] += cp.meeting_hours[c]
        if invited == 0:
            continue
        tally[M_ATTENDEES] += n_att
        tally[M_INVITED] += invited
        tc[c, C_ATTENDEES] += n_att
        tc[c, C_INVITED] += invited
        if n_att == 0:
            continue
        tally[M_MEETINGS] += 1.0  # a meeting nobody attended did not happen
        prepared = rng.random() < cp.preparation[c]
        n_told = _choose(pr, cp, kn, c, att, prepared, cp.cases[c], rng, tellers)
        # the room's attention is fixed: voice shares it, so muting some amplifies the others
        room = 0.0
        for q in range(m):
            if att[q]:
                room += voice(pr.status[cp.members[c, q]], cp.skill[c], kn)
        room /= n_att
        for e in range(n_told):
            q = tellers[e]
            i = cp.members[c, q]
            v = voice(pr.status[i], cp.skill[c], kn) / room
            k = pr.st_patient[i]
            told_i[e], told_k[e] = i, k
            tell(world, pr, pa, cp, kn, c, i, k, q, v, att, pa.known[i, k], False, i, week, rng, tally)
            tally[M_STORIES] += 1.0
            if pr.status[i] <= LOW_STATUS:
                tally[M_LOW_STATUS_VOICE] += v
        if n_told >= 2 and rng.random() < kn.cocreation_rate:
            a_i, b_i = cp.members[c, tellers[0]], cp.members[c, tellers[1]]
            a_k, b_k = pr.st_patient[a_i], pr.st_patient[b_i]
            if cocreate(world, pa, a_i, a_k, b_i, b_k):
                pa.tried[a_i, a_k] = week
                pa.joint[a_i, a_k] = False
                pa.origin[a_i, a_k] = ORIGIN_OWN  # the CoP's own recombination, not a told plan
                tally[M_COCREATED] += 1.0
        for e in range(n_told):  # a told story is used up as material
            i = cp.members[c, tellers[e]]
            pr.st_patient[i] = -1
            pr.st_surprise[i] = 0.0
        if cp.representative[c]:
            ri, rk = cp.rep_i[c], cp.rep_k[c]
            ctx = pa.ctx[ri, rk]
            # the representative knows their own life: how their care works for them, seen with noise
            for t in range(world.n_topics):
                if pa.plan[ri, rk, t] >= 0:
                    pa.obs[ri, rk, t] = contribution(world, ctx, pa.plan[ri, rk], t) \
                        + cp.noise[c] * rng.standard_normal()
            v = voice(REPRESENTATIVE_STATUS, cp.skill[c], kn)
            tell(world, pr, pa, cp, kn, c, ri, rk, m, v, att, True, True, -1, week, rng, tally)
            tally[M_REP_VOICE] += v
        if kn.familiarity > 0.0:  # a separate, documented source of trust: meeting together
            # slot m is the representative, present at every meeting of a CoP that has one
            for r in range(m + 1):
                if not (att[r] if r < m else cp.representative[c]):
                    continue
                for q in range(m + 1):
                    if q != r and (att[q] if q < m else cp.representative[c]):
                        cp.trust[c, r, q] += kn.familiarity * (1.0 - cp.trust[c, r, q])
        if rng.random() < cp.documentation[c]:
            if kn.superior:  # March (1991): the code learns from those who do better than it
                learn_code(world, pr, pa, cp, kn, c, att, rng)
            else:
                codify(pr, cp, c, att)
            if kn.pathways:  # the told cases become care pathways, by class of patient
                codify_pathways(world, pa, cp, c, told_i, told_k, n_told, week)


@njit_inline
def codify(pr, cp, c, att):
    """The repository writes down the attendees' consensus, right or wrong (March 1991's code)."""
    m = cp.members.shape[1]
    _, S, T, A = pr.mu.shape
    for s in range(S):
        for t in range(T):
            for a in range(A):
                num, den, n = 0.0, 0.0, 0
                for q in range(m):
                    i = cp.members[c, q]
                    if i >= 0 and att[q]:
                        num += pr.prec[i, s, t, a] * pr.mu[i, s, t, a]
                        den += pr.prec[i, s, t, a]
                        n += 1
                if n > 0 and den > 0:
                    cp.R_mu[c, s, t, a] = num / den
                    cp.R_prec[c, s, t, a] = den / n
