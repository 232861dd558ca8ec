"""Care teams: each patient's own community of clinical practice (seed 000, J Clin Nurs 2017).

A patient is still stored at (lead i, slot k) of the lead's panel, and still waits in the lead's
queue; but the patient has a care team: the lead plus members of other disciplines of the lead's
CoP who *own* some of the patient's topics (``team.owners``: self-management to a nurse, social
needs to a social or community worker). ``pa.owner[i, k, t]`` is the owner of topic t (the lead
when single-handed). A visit is with one team member, drawn in proportion to the active topics
they own, and the three modes of interaction of seed 000 (J Comorbidity) change what is seen:

- consultation: the member sees, learns on and changes only their own topics, from their beliefs;
- coordination: they see the whole plan (and learn from every topic's result), change their own
  topics and may take a fellow team member's advice on the topic they are least sure of;
- collaboration: the team plans with the patient: beliefs pooled over the team by precision, any
  topic may change, and the patient's context and priorities become known.

Which topics interact (the world's NK partners) is drawn independently of who owns them, so
uncoordinated changes to interacting topics can undo each other (:func:`cross_owner_share`).
``team.size = 1`` is single-handed care: the lead owns every topic and the visit takes the path
of 0.2 (``care.encounter``), bit for bit.
"""

from __future__ import annotations

import numpy as np

from cop_sim.composition import by_cop
from cop_sim.cop.context import belief_ctx
from cop_sim.cop.plan import COLLABORATION, CONSULTATION, COORDINATION, _addressed, _colleague, mode_of
from cop_sim.cop.review import extras, review_due
from cop_sim.cop.tally import W_REVIEW_CHANGES, W_REVIEWS, record_visit
from cop_sim.cop.travel import adopt_pathway
from cop_sim.cop.visit import mark_trial, see_due_result
from cop_sim.cop.world.spec import topic_names, topic_roles
from cop_sim.kernel import njit, njit_inline
from cop_sim.vocab import DISCIPLINES

# ------------------------------------------------------------------ building teams (Python)


def topic_owners(owners: dict, n_topics: int, n_conditions: int) -> list[list[int]]:
    """Each topic's owning disciplines (indices into DISCIPLINES), in order of preference.

    A topic's own name takes precedence over its role (``condition``, ``always``, ``social``).
    """
    names, roles = topic_names(n_topics, n_conditions), topic_roles(n_topics, n_conditions)
    out = []
    for t in range(n_topics):
        discs = owners.get(names[t], owners.get(roles[t], []))
        out.append([DISCIPLINES.index(d) for d in discs])
    return out


def owners(resolved: dict, disc: np.ndarray, cop: np.ndarray, hours: np.ndarray, ctx: np.ndarray, world,
           rngs: list[np.random.Generator], spans: list | None = None, out: np.ndarray | None = None
           ) -> np.ndarray:
    """Who owns each topic of each patient, int32[N, ppp, T] (the lead where nobody else does).

    Written into ``out`` when given (``pa.owner``, already the lead everywhere: no copy of the
    largest team array at 48,000 practitioners), else into a new array.

    Topic by topic in topic order, for each discipline in the topic's order of preference: a team
    member of that discipline already on the team (the lead included) takes it; else, while the
    team has room (``team.size``), a member of that discipline with clinical hours is drawn
    uniformly from the lead's CoP (its own generator, ``rngs[c]``) and joins. Only the patient's
    active topics are assigned to others: an inactive topic never needs an owner.
    """
    n, ppp = ctx.shape
    T = world.n_topics
    own = out if out is not None else np.broadcast_to(
        np.arange(n, dtype=np.int32)[:, None, None], (n, ppp, T)).copy()
    size = int(resolved["team"]["size"])
    wants = topic_owners(resolved["team"]["owners"], T, world.n_conditions)
    if size <= 1 or not any(wants):
        return own
    for c, rows in enumerate(by_cop(cop, len(rngs)) if spans is None else spans):
        rows = np.arange(n)[rows]
        lead_row, slot = np.nonzero(ctx[rows] >= 0)
        if not len(lead_row):
            continue
        lead = rows[lead_row]
        pc = ctx[lead, slot]
        m = len(lead)
        on_team = np.ones(m, dtype=np.int64)
        member = np.full((m, len(DISCIPLINES)), -1, dtype=np.int64)  # the team's member of each discipline
        member[np.arange(m), disc[lead]] = lead
        for t, prefs in enumerate(wants):
            need = world.ctx_active[pc, t].copy()
            for d in prefs:
                have = need & (member[:, d] >= 0)
                own[lead[have], slot[have], t] = member[have, d]
                need &= ~have
                pool = rows[(disc[rows] == d) & (hours[rows] > 0)]
                join = np.flatnonzero(need & (on_team < size))
                if len(pool) and len(join):
                    pick = pool[rngs[c].integers(len(pool), size=len(join))]
                    own[lead[join], slot[join], t] = pick
                    member[join, d] = pick
                    on_team[join] += 1
                    need[join] = False
    return own


@njit
def _tally(world, ctx, owner, disc, n_disc):
    """One pass over every patient, with no temporaries the size of the panels (48,000
    practitioners: a million patients): active topics owned per discipline, distinct owners per
    patient, and interacting pairs (a topic and one of its K partners, both active) that cross."""
    owned = np.zeros(n_disc)
    n_act, members, patients, pairs, cross = 0.0, 0.0, 0.0, 0.0, 0.0
    T, K = world.n_topics, world.K
    active, partners = world.ctx_active, world.partners
    for i in range(ctx.shape[0]):
        for k in range(ctx.shape[1]):
            c = ctx[i, k]
            if c < 0:
                continue
            patients += 1.0
            for t in range(T):
                if not active[c, t]:
                    continue
                o = owner[i, k, t]
                n_act += 1.0
                owned[disc[o]] += 1.0
                first = True
                for u in range(t):
                    if active[c, u] and owner[i, k, u] == o:
                        first = False
                members += 1.0 if first else 0.0
                for e in range(K):
                    p = partners[t, e]
                    if active[c, p]:
                        pairs += 1.0
                        cross += 1.0 if owner[i, k, p] != o else 0.0
    return owned, n_act, members, patients, pairs, cross


def cross_owner_share(world, ctx: np.ndarray, owner: np.ndarray) -> float:
    """Share of interacting topic pairs (a topic and one of its K partners, both active for the
    patient) whose owners differ, over all patients; 0 when no pair interacts (K = 0)."""
    _, _, _, _, pairs, cross = _tally(world, ctx, owner, np.zeros(int(owner.max(initial=0)) + 1, np.int64), 1)
    return float(cross / pairs) if pairs else 0.0


TEAM_KEYS = ("team_members", "team_cross_owner_share") + tuple(
    f"{what}_{d}" for what in ("owned_share", "plan_changes") for d in DISCIPLINES)


def table(world, pr, pa, years: float) -> dict[str, dict]:
    """The care teams of a run: per discipline the share of active patient-topics owned and the
    practice changes made on them per patient-year of the recorded weeks (``pr.changes``, reset
    after the burn-in); and, under ``"teams"``, the mean distinct members owning a patient's
    active topics and the share of interacting topic pairs whose owners differ."""
    owned, n_act, members, patients, pairs, cross = _tally(world, pa.ctx, pa.owner, pr.disc, len(DISCIPLINES))
    out: dict[str, dict] = {}
    for d, name in enumerate(DISCIPLINES):
        mine = pr.disc == d
        out[name] = {"practitioners": float(mine.sum()), "owned_share": float(owned[d] / max(n_act, 1.0)),
                     "plan_changes": float(pr.changes[mine].sum() / max(patients, 1.0) / max(years, 1e-12))}
    out["teams"] = {"members": members / patients if patients else float("nan"),
                    "cross_owner_share": float(cross / pairs) if pairs else 0.0}
    return out


def summary(tab: dict[str, dict]) -> dict[str, float]:
    """The run's care-team keys (``TEAM_KEYS``) from its :func:`table`."""
    teams = tab["teams"]
    out = {"team_members": teams["members"], "team_cross_owner_share": teams["cross_owner_share"]}
    for what in ("owned_share", "plan_changes"):
        for d in DISCIPLINES:
            out[f"{what}_{d}"] = tab[d][what]
    return out


# ------------------------------------------------------------------ the team's visit (kernels)


@njit_inline
def visitor(world, pa, i, k, rng):
    """The team member the visit is with: the owner of an active topic drawn uniformly (so each
    member in proportion to the active topics they own). No draw when one member owns them all."""
    c = pa.ctx[i, k]
    own, active = pa.owner[i, k], world.ctx_active
    n, first, solo = 0, -1, True
    for t in range(world.n_topics):
        if active[c, t]:
            n += 1
            if first < 0:
                first = own[t]
            elif own[t] != first:
                solo = False
    if solo:
        return i if first < 0 else first
    pick = int(rng.random() * n)
    for t in range(world.n_topics):
        if active[c, t]:
            if pick == 0:
                return own[t]
            pick -= 1
    return i


@njit_inline
def _member(world, pa, i, k, e):
    """The e-th seat of the team (-1 if none): 0 is the lead, then the owners of active topics
    (a member may repeat)."""
    if e == 0:
        return i
    t = e - 1
    return pa.owner[i, k, t] if world.ctx_active[pa.ctx[i, k], t] else -1


@njit_inline
def fellow(world, pr, pa, cp, c, i, k, m):
    """The fellow team member whom ``m`` trusts most (their index), or -1 (a team of one)."""
    best, val = -1, -1.0
    qm = pr.slot[m]
    for e in range(world.n_topics + 1):
        j = _member(world, pa, i, k, e)
        if j < 0 or j == m or pr.hours[j] <= 0:
            continue
        tr = cp.trust[c, qm, pr.slot[j]]
        if tr > val:
            best, val = j, tr
    return best


@njit_inline
def _charge_team(world, pr, pa, i, k, m, j):
    """Joint planning costs every fellow team member an encounter (the lead's is this visit)."""
    in_team = False
    for e in range(1, world.n_topics + 1):
        o = _member(world, pa, i, k, e)
        if o < 0:
            continue
        in_team = in_team or o == j
        dup = (o == m) | (o == i)
        for f in range(1, e):  # each member once
            dup = dup or _member(world, pa, i, k, f) == o
        if not dup:
            pr.debt[o] += 1.0
    if j >= 0 and j != i and j != m and not in_team:  # a colleague from outside the team
        pr.debt[j] += 1.0


@njit
def _pool(world, pr, pa, i, k, m, j, known, bel):
    """The team's beliefs pooled by precision (and ``j``'s, if an outside colleague): (mean, prec).

    Each topic's beliefs are those of its belief context for this patient (:mod:`context`).
    Written into the scratch ``bel`` (float64[2, T, A], every cell; no allocation a visit) and
    returned as its two halves.
    """
    T, A = world.n_topics, world.n_practices
    seats = np.empty(T + 3, dtype=np.int64)
    n = 0
    for e in range(-2, T + 1):
        o = m if e == -2 else j if e == -1 else _member(world, pa, i, k, e)
        if o < 0:
            continue
        dup = False
        for f in range(n):
            dup = dup or seats[f] == o
        if not dup:
            seats[n] = o
            n += 1
    bmu, bprec = bel[0], bel[1]
    mu, prec, bctx, c = pr.mu, pr.prec, world.ctx_bctx, pa.ctx[i, k]
    for t in range(T):
        s = belief_ctx(bctx, c, known, t)
        for a in range(A):
            num, den = 0.0, 0.0
            for f in range(n):
                num += prec[seats[f], s, t, a] * mu[seats[f], s, t, a]
                den += prec[seats[f], s, t, a]
            bmu[t, a], bprec[t, a] = num / den, den
    return bmu, bprec


@njit_inline
def _own_beliefs(world, pr, c, known, m, bel):
    """Member m's beliefs about each topic of a patient in context c, in its belief context: (T, A).

    Written into the scratch ``bel`` (float64[2, T, A], every cell) and returned as its halves.
    """
    T, A = world.n_topics, world.n_practices
    bmu, bprec = bel[0], bel[1]
    mu, prec, bctx = pr.mu, pr.prec, world.ctx_bctx
    for t in range(T):
        s = belief_ctx(bctx, c, known, t)
        for a in range(A):
            bmu[t, a], bprec[t, a] = mu[m, s, t, a], prec[m, s, t, a]
    return bmu, bprec


@njit_inline
def _fill(world, pr, pa, i, k, m, j, known, bel, joint):
    """The beliefs ``m`` plans from, into ``bel``: pooled over the team when ``joint``, else m's own."""
    if joint:
        _pool(world, pr, pa, i, k, m, j, known, bel)
    else:
        _own_beliefs(world, pr, pa.ctx[i, k], known, m, bel)


@njit_inline
def _set(pr, plan, own, t, a):
    """Put practice ``a`` on topic t; a change of a practice in use counts for the topic's owner."""
    if plan[t] == a:
        return False
    if plan[t] >= 0:
        pr.changes[own[t]] += 1.0
    plan[t] = a
    return True


@njit_inline
def _argmax(bmu, t, A):
    best, arg = -np.inf, 0
    for a in range(A):
        if bmu[t, a] > best:
            best, arg = bmu[t, a], a
    return arg


@njit_inline
def _tied_best(bmu, t, A, rng):
    """The practice believed best, a tie broken at random (as ``plan._preferred``)."""
    best, arg, ties = -np.inf, 0, 0
    for a in range(A):
        m = bmu[t, a]
        if m > best:
            best, arg, ties = m, a, 1
        elif m == best:
            ties += 1
            if rng.random() * ties < 1.0:
                arg = a
    return arg


@njit
def team_decide(world, pr, pa, kn, hidden, i, k, m, j, mode, rng):
    """Member ``m`` plans patient (i, k): see :func:`decide_in`, with scratch space of its own."""
    bel = np.empty((2, world.n_topics, world.n_practices))
    return decide_in(world, pr, pa, kn, hidden, i, k, m, j, mode, rng, bel)


@njit
def decide_in(world, pr, pa, kn, hidden, i, k, m, j, mode, rng, bel):
    """Member ``m`` plans patient (i, k): fill, maybe replan, take advice or try one change.

    The planner's scope is their own topics (``pa.owner``) in a consultation or coordination and
    the whole plan in a collaboration, where beliefs are pooled over the team (:func:`_pool`).
    In coordination ``j`` (a fellow member) advises on the own topic ``m`` is least sure of.
    Returns True if the plan changed (with ``replan``: if any topic was re-chosen, as ``decide``).
    ``bel`` (float64[2, T, A]) is scratch space for the beliefs planned from (the care week's).
    """
    c = pa.ctx[i, k]
    plan, own, active, known = pa.plan[i, k], pa.owner[i, k], world.ctx_active, pa.known[i, k]
    A, T = world.n_practices, world.n_topics
    joint = mode == COLLABORATION
    # the beliefs are read only on some paths (most visits change nothing): filled when first read
    bmu, bprec = bel[0], bel[1]
    filled = False
    n_addr = 0
    if kn.replan > 0.0 and rng.random() < kn.replan:
        _fill(world, pr, pa, i, k, m, j, known, bel, joint)
        for t in range(T):
            if _addressed(active, known, hidden, c, t) and (joint or own[t] == m):
                _set(pr, plan, own, t, _tied_best(bmu, t, A, rng))
                n_addr += 1
        return n_addr > 0
    changed = False
    for t in range(T):
        if not (_addressed(active, known, hidden, c, t) and (joint or own[t] == m)):
            continue
        n_addr += 1
        if plan[t] < 0:
            if not filled:
                _fill(world, pr, pa, i, k, m, j, known, bel, joint)
                filled = True
            plan[t] = _argmax(bmu, t, A)
            changed = True
    if changed or n_addr == 0:
        return changed
    if mode == COORDINATION:  # a fellow member advises where the planner is least sure
        _fill(world, pr, pa, i, k, m, j, known, bel, joint)
        tt, low = -1, np.inf
        for t in range(T):
            if _addressed(active, known, hidden, c, t) and own[t] == m and bprec[t, plan[t]] < low:
                tt, low = t, bprec[t, plan[t]]
        best, arg = -np.inf, plan[tt]
        s = belief_ctx(world.ctx_bctx, c, known, tt)  # the adviser's belief in the same context
        for a in range(A):
            if pr.mu[j, s, tt, a] > best:
                best, arg = pr.mu[j, s, tt, a], a
        return _set(pr, plan, own, tt, arg)
    if rng.random() >= kn.exploration:
        return False
    _fill(world, pr, pa, i, k, m, j, known, bel, joint)
    pick = int(rng.random() * n_addr)
    for t in range(T):
        if not (_addressed(active, known, hidden, c, t) and (joint or own[t] == m)):
            continue
        if pick == 0:
            cur = plan[t]
            best, arg = -np.inf, cur
            for a in range(A):  # Thompson sampling among the alternatives
                if a == cur:
                    continue
                draw = bmu[t, a] + rng.standard_normal() / np.sqrt(bprec[t, a])
                if draw > best:
                    best, arg = draw, a
            return _set(pr, plan, own, t, arg)
        pick -= 1
    return False


@njit_inline
def team_review(world, pr, pa, hidden, i, k, m, j, mode, week, rng, bel):
    """Member ``m`` reviews patient (i, k)'s plan: their own topics (all, pooled over the team, in
    a collaboration) chosen afresh from current beliefs, as ``review.review`` does single-handed.

    Returns True if a practice changed. ``bel`` is scratch space, as for :func:`decide_in`.
    """
    pa.reviewed[i, k] = week
    c = pa.ctx[i, k]
    plan, own, active, known = pa.plan[i, k], pa.owner[i, k], world.ctx_active, pa.known[i, k]
    joint = mode == COLLABORATION
    if joint:
        bmu, _ = _pool(world, pr, pa, i, k, m, j, known, bel)
    else:
        bmu, _ = _own_beliefs(world, pr, c, known, m, bel)
    changed = False
    for t in range(world.n_topics):
        if _addressed(active, known, hidden, c, t) and (joint or own[t] == m):
            a = _tied_best(bmu, t, world.n_practices, rng)
            if plan[t] < 0:
                plan[t] = a
                changed = True
            elif _set(pr, plan, own, t, a):
                changed = True
    return changed


@njit
def team_visit(world, pr, pa, cp, kn, hidden, i, k, c, week, rng, tally, tc, v, value_, bel):
    """A visit of patient (i, k) with one member of the care team (``team.size`` > 1).

    As ``care.encounter``, but the member ``m`` is drawn (:func:`visitor`), the visit's mode is
    drawn before the result is read (the mode decides what the member sees), the member learns
    from the result on what they see, and plans with :func:`team_decide`. The visit takes a slot
    of the lead's capacity; a member other than the lead pays for it from next week's
    (``pr.debt``), as joint work does. ``bel`` (float64[2, T, A]) is the care week's scratch space
    for the beliefs planned from: allocated once a week, not twice a visit.
    """
    ctx = pa.ctx[i, k]
    m = visitor(world, pa, i, k, rng)
    qm = pr.slot[m]
    if m != i:
        pr.debt[m] += 1.0
    if not pa.known[i, k] and world.ctx_social[ctx] == 1 and rng.random() < pr.insight[m]:
        pa.known[i, k] = True
    cx = min(world.ctx_n_cond[ctx] / 5.0, 1.0)
    f = extras(pr, kn, i)  # time per visit (the lead's queue) limits the visit's extras
    draw = rng.random()
    mode, j = CONSULTATION, -1
    engage = pa.engage[i, k]
    if draw < (kn.collab_rate * pr.habit[m] * engage + kn.coord_rate) * cx * f:
        j = fellow(world, pr, pa, cp, c, i, k, m)
        t_ = cp.trust[c, qm, pr.slot[j]] if j >= 0 else 0.0
        if j < 0:  # a team of one asks the CoP (along a tie, with a network), as in single-handed care
            j, t_ = _colleague(pr, cp, kn, c, qm, m)
        if j >= 0:
            mode = mode_of(kn, draw, pr.habit[m], engage, cx, t_, f)
            if mode == CONSULTATION:
                j = -1
    if mode == COLLABORATION:  # planning with the patient and the team
        pa.known[i, k] = True
        _charge_team(world, pr, pa, i, k, m, j)
    elif mode == COORDINATION:
        pr.debt[j] += 0.5
    mine = mode == CONSULTATION  # a consultation sees only the member's own topics' results
    fresh = see_due_result(world, pr, pa, cp, kn, i, k, qm, c, rng, v, m, mine, week, tally)
    changed, adopted = False, False
    if review_due(pr, pa, kn, i, k, week) and (f >= 1.0 or rng.random() < f):
        # the lead's review consults the repository's care pathway first (issue 24)
        adopted = m == i and kn.pathways and adopt_pathway(world, pr, pa, cp, i, k, c, week, tally)
        if adopted:
            pa.reviewed[i, k] = week
            changed = True
        else:
            changed = team_review(world, pr, pa, hidden, i, k, m, j, mode, week, rng, bel)
        tally[W_REVIEWS] += 1.0
        tally[W_REVIEW_CHANGES] += 1.0 if changed else 0.0
    if changed or decide_in(world, pr, pa, kn, hidden, i, k, m, j, mode, rng, bel):
        fresh = False
        mark_trial(world, pr, pa, cp, kn, i, k, qm, c, rng, v, m, mine, week, mode, adopted, tally)
    record_visit(world, pr, pa, cp, kn, i, k, c, week, mode, tally, tc, v, value_ if fresh else np.nan)
