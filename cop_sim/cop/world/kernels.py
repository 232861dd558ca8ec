"""The landscape's value kernels: a practice's contribution, a combination's value, care quality.

A patient's context (conditions, social needs, priorities) makes some topics active; on each
active topic one of A practices is used. A practice's value mixes an additive part, which
depends on social context, with an NK interaction part that depends on the practices used on
K partner topics (Kauffman; Levinthal 1997; Eppstein et al. 2012, PLoS ONE 7(11):e49901).
See docs/world.md.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cop_sim.kernel import njit_inline


class World(NamedTuple):
    """One replication's landscape and context catalogue (read-only arrays; Numba-compatible)."""

    n_topics: int
    n_conditions: int
    n_practices: int
    K: int
    ruggedness: float
    burden_weight: float
    partners: np.ndarray  # int64[T, max(K, 1)]: topic t's K distinct partners (-1 when K = 0)
    base: np.ndarray  # float64[2, T, A]: additive value by social context s
    inter: np.ndarray  # float64[T, A, (A+1)**K]: NK tables; an inactive partner counts as level A
    burden: np.ndarray  # float64[A]: treatment burden (guideline 1.0)
    person_centred: np.ndarray  # bool[A]
    ctx_active: np.ndarray  # bool[C, T]
    ctx_social: np.ndarray  # int64[C]
    ctx_prio: np.ndarray  # float64[C, T]: weights, sum 1 over active topics
    ctx_n_cond: np.ndarray  # int64[C]
    best_value: np.ndarray  # float64[C]
    best_combo: np.ndarray  # int64[C, T], -1 where inactive
    greedy_value: np.ndarray  # float64[C]
    greedy_combo: np.ndarray  # int64[C, T]: the best single practices, each judged alone
    ctx_bctx: np.ndarray  # int64[2, C, T]: belief context of each topic, not known / known (context.py)
    n_bctx: int  # belief contexts: 2 (social) or 2 * 2**K (partners)


@njit_inline
def contribution(world, c, combo, t):
    """True value in [0, 1] of topic ``t``'s practice ``combo[t]`` for context ``c``.

    Args:
        world: the World.
        c: context index.
        combo: int64[T], the practice used on each topic (-1 = none / inactive).
        t: the topic.
    """
    a = combo[t]
    if a < 0:
        return 0.0
    b = world.base[world.ctx_social[c], t, a]
    if world.K == 0:
        return b
    A = world.n_practices
    idx = 0
    mult = 1
    for j in range(world.K):
        p = world.partners[t, j]
        level = combo[p]
        if level < 0 or not world.ctx_active[c, p]:
            level = A
        idx += level * mult
        mult *= A + 1
    r = world.ruggedness
    return (1.0 - r) * b + r * world.inter[t, a, idx]


@njit_inline
def value(world, c, combo):
    """Priority-weighted value of ``combo`` for context ``c`` minus the weighted mean burden.

    An active topic with ``combo[t] = -1`` (not addressed) contributes nothing and no burden.
    With K = 0 the value is a sum of per-topic terms (separable).
    """
    total = 0.0
    load = 0.0
    n = 0
    for t in range(world.n_topics):
        if world.ctx_active[c, t]:
            n += 1
            a = combo[t]
            if a >= 0:
                total += world.ctx_prio[c, t] * contribution(world, c, combo, t)
                load += world.burden[a]
    if n == 0:
        return 0.0
    return total - world.burden_weight * load / n


@njit_inline
def care_quality(world, c, combo):
    """Value of ``combo`` relative to the exact best achievable for context ``c`` (<= 1)."""
    return value(world, c, combo) / world.best_value[c]


@njit_inline
def contributions(world, c, combo, out):
    """Fill ``out[t]`` with every topic's contribution (0 where not addressed); return the value.

    The same numbers as :func:`contribution` and :func:`value`, in one call: the model's care
    kernel needs all of them per visit, and one call costs less than one per topic.
    """
    A = world.n_practices
    r = world.ruggedness
    K = world.K
    # hoisted: the model passes the world as a structref, whose field reads cost inside a loop
    active, base, partners, inter, prio, burden = (world.ctx_active, world.base, world.partners, world.inter,
                                                   world.ctx_prio, world.burden)
    s = world.ctx_social[c]
    total, load, n = 0.0, 0.0, 0
    for t in range(world.n_topics):
        out[t] = 0.0
        if not active[c, t]:
            continue
        n += 1
        a = combo[t]
        if a < 0:
            continue
        b = base[s, t, a]
        if K > 0:
            idx, mult = 0, 1
            for j in range(K):
                p = partners[t, j]
                level = combo[p]
                if level < 0 or not active[c, p]:
                    level = A
                idx += level * mult
                mult *= A + 1
            b = (1.0 - r) * b + r * inter[t, a, idx]
        out[t] = b
        total += prio[c, t] * b
        load += burden[a]
    if n == 0:
        return 0.0
    return total - world.burden_weight * load / n
