"""Exact optima of the catalogue's contexts: the best combination and the greedy one.

The best combination is found by depth-first branch and bound over the active topics: a
branch is cut only when an upper bound on every completion is below the best value found so
far (less a margin of 1e-12, far above rounding), so the result is the exhaustive maximum.
Leaves are scored with :func:`value` itself, so ``value(best_combo) == best_value`` bit for bit.
"""

from __future__ import annotations

import numpy as np

from cop_sim.borrow import borrowed
from cop_sim.cop.world.kernels import contribution, value
from cop_sim.kernel import njit

_CUT = 1e-12  # a branch must be this much worse than the incumbent to be cut


@njit
def greedy(world, c, out):
    """Write into ``out`` each active topic's best practice judged alone (partners absent)."""
    T = world.n_topics
    n = 0
    for t in range(T):
        n += world.ctx_active[c, t]
    scratch = np.full(T, -1, np.int64)
    for t in range(T):
        out[t] = -1
        if not world.ctx_active[c, t]:
            continue
        best = -np.inf
        for a in range(world.n_practices):
            scratch[t] = a
            # the same per-topic term as in value(), so that K = 0 makes this the exact argmax
            score = world.ctx_prio[c, t] * contribution(world, c, scratch, t) \
                - world.burden_weight * world.burden[a] / n
            if score > best:
                best = score
                out[t] = a
        scratch[t] = -1


@njit
def _term_bounds(world, c, act, n):
    """own[j, a]: the most topic act[j]'s weighted term can be with practice a, over its partners."""
    A, K = world.n_practices, world.K
    own = np.empty((n, A))
    combo = np.full(world.n_topics, -1, np.int64)
    free = np.empty(K, np.int64)
    for j in range(n):
        t = act[j]
        nf = 0
        for k in range(K):
            p = world.partners[t, k]
            if world.ctx_active[c, p]:
                free[nf] = p
                nf += 1
        for a in range(A):
            combo[t] = a
            for k in range(nf):
                combo[free[k]] = 0
            hi = -np.inf
            while True:
                hi = max(hi, world.ctx_prio[c, t] * contribution(world, c, combo, t))
                i = 0  # odometer over the active partners' practices
                while i < nf:
                    combo[free[i]] += 1
                    if combo[free[i]] < A:
                        break
                    combo[free[i]] = 0
                    i += 1
                if i == nf:
                    break
            own[j, a] = hi
        combo[t] = -1
        for k in range(nf):
            combo[free[k]] = -1
    return own


@njit
def climb(world, c, combo):
    """Improve ``combo`` in place by single-topic changes until none helps; return its value."""
    v = value(world, c, combo)
    better = True
    while better:
        better = False
        for t in range(world.n_topics):
            if not world.ctx_active[c, t]:
                continue
            keep = combo[t]
            for a in range(world.n_practices):
                if a == keep:
                    continue
                combo[t] = a
                u = value(world, c, combo)
                if u > v:
                    v = u
                    keep = a
                    better = True
            combo[t] = keep
    return v


@njit
def _order(world, c, act, n):
    """Reorder ``act`` so that heavily weighted terms become known early (tighter bounds)."""
    placed = np.zeros(world.n_topics, np.bool_)
    order = np.empty(n, np.int64)
    for d in range(n):
        pick, gain = -1, -1.0
        for j in range(n):
            t = act[j]
            if placed[t]:
                continue
            placed[t] = True
            g = 0.0  # weight of the terms that this choice completes
            for i in range(n):
                u = act[i]
                if not placed[u]:
                    continue
                done = True
                for k in range(world.K):
                    p = world.partners[u, k]
                    if world.ctx_active[c, p] and not placed[p]:
                        done = False
                if done and (u == t or _reads(world, u, t)):
                    g += world.ctx_prio[c, u]
            placed[t] = False
            if g > gain:
                pick, gain = t, g
        placed[pick] = True
        order[d] = pick
    act[:n] = order


@njit
def _reads(world, u, t):
    """Whether topic u's contribution depends on topic t's practice."""
    for k in range(world.K):  # noqa: SIM110 (a loop, not a generator, compiles in nopython mode)
        if world.partners[u, k] == t:
            return True
    return False


@njit
def best(world, c, start, out):
    """Write the best combination for context ``c`` into ``out``; return its value.

    Args:
        world: the World.
        c: the context.
        start: a combination to start from (the incumbent), e.g. the greedy one.
        out: int64[T], receives the best combination (-1 on inactive topics).
    """
    T, A = world.n_topics, world.n_practices
    act = np.empty(T, np.int64)
    pos = np.full(T, -1, np.int64)
    n = 0
    for t in range(T):
        if world.ctx_active[c, t]:
            act[n] = t
            pos[t] = n
            n += 1
    _order(world, c, act, n)
    for j in range(n):
        pos[act[j]] = j
    ready = np.empty(n, np.int64)  # the depth at which topic act[j]'s term is fully known
    for j in range(n):
        ready[j] = j
        for k in range(world.K):
            q = pos[world.partners[act[j], k]]
            if q > ready[j]:
                ready[j] = q
    own = _term_bounds(world, c, act, n)
    bw = world.burden_weight
    # rest[d]: the most the topics after depth d can add, each its term less its share of burden
    # (tighter than the best term and the least burden taken apart, so fewer branches survive)
    rest = np.zeros(n + 1)
    for j in range(n - 1, -1, -1):
        hi = -np.inf
        for a in range(A):
            hi = max(hi, own[j, a] - bw * world.burden[a] / n)
        rest[j] = rest[j + 1] + hi
    out[:] = start
    incumbent = climb(world, c, out)  # a good incumbent cuts more branches
    combo = np.full(T, -1, np.int64)
    fixed = np.zeros(n + 1)  # sum of the known terms after assigning depths < d
    load = np.zeros(n + 1)
    choice = np.full(n, -1, np.int64)
    d = 0
    while d >= 0:
        choice[d] += 1
        if choice[d] == A:
            choice[d] = -1
            combo[act[d]] = -1
            d -= 1
            continue
        t = act[d]
        combo[t] = choice[d]
        load[d + 1] = load[d] + world.burden[choice[d]]
        f = fixed[d]
        for j in range(n):
            if ready[j] == d:
                f += world.ctx_prio[c, act[j]] * contribution(world, c, combo, act[j])
        fixed[d + 1] = f
        if d == n - 1:
            # the known terms are the leaf's value summed in another order: within rounding of it,
            # far less than _CUT, so a leaf this far below the incumbent cannot beat it
            if f - bw * load[d + 1] / n <= incumbent - _CUT:
                continue
            v = value(world, c, combo)
            if v > incumbent:
                incumbent = v
                out[:] = combo
            continue
        bound = f + rest[d + 1] - bw * load[d + 1] / n
        for j in range(d + 1):
            if ready[j] > d:  # assigned, but a partner is not yet: its term at most own[j, a]
                bound += own[j, combo[act[j]]]
        if bound > incumbent - _CUT:
            d += 1
    return incumbent


@njit
def optimise(world, best_value, best_combo, greedy_value, greedy_combo):
    """Fill the catalogue's exact optima and greedy combinations (arrays of ``world`` or others)."""
    world = borrowed(world)  # the caller holds it; its ~20 arrays are then not counted per call
    for c in range(world.ctx_active.shape[0]):
        greedy(world, c, greedy_combo[c])
        greedy_value[c] = value(world, c, greedy_combo[c])
        if world.K == 0:  # separable: the per-topic argmax is exact
            best_combo[c] = greedy_combo[c]
            best_value[c] = greedy_value[c]
        else:
            best_value[c] = best(world, c, greedy_combo[c], best_combo[c])
