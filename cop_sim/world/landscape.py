"""The clinical landscape: NK-style, context-dependent values with exact optima per context.

A patient's context (conditions, social needs, priorities) makes some topics active; on each
active topic one of A practices is used. A practice's value mixes an additive part, which
depends on social context, with an NK interaction part that depends on the practices used on
K partner topics (Kauffman; Levinthal 1997; Eppstein et al. 2012, PLoS ONE 7(11):e49901).
Contexts come from a finite catalogue whose optima are computed once by exhaustive search,
so "best achievable for this patient" is exact. See docs/world.md.
"""

from __future__ import annotations

import functools
from math import comb
from typing import NamedTuple

import numpy as np

from cop_sim.kernel import njit
from cop_sim.params import defaults, merge
from cop_sim.rng import Streams
from cop_sim.world.spec import WORLD_SPEC, check_world, topic_roles

MAX_ACTIVE_RUGGED = 10  # exhaustive search costs A**n_active value evaluations per context


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


@njit
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


@njit
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


@njit
def care_quality(world, c, combo):
    """Value of ``combo`` relative to the exact best achievable for context ``c`` (<= 1)."""
    return value(world, c, combo) / world.best_value[c]


@njit
def _greedy(world, c, out):
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
def _exhaustive(world, c, out):
    """Write the best combination for context ``c`` into ``out`` by trying all A**n; its value.

    Between neighbouring combinations only the topics whose own or partners' practices changed
    are re-evaluated; the sum is then taken in the same order as in value(), so the maximum is
    value(world, c, out) bit for bit.
    """
    T = world.n_topics
    A = world.n_practices
    act = np.empty(T, np.int64)
    n = 0
    combo = np.full(T, -1, np.int64)
    for t in range(T):
        if world.ctx_active[c, t]:
            act[n] = t
            combo[t] = 0
            n += 1
    deps = np.zeros((n, n), np.bool_)  # deps[i, j]: topic act[j] reads act[i]'s practice
    for i in range(n):
        deps[i, i] = True
        for j in range(n):
            for k in range(world.K):
                if world.partners[act[j], k] == act[i]:
                    deps[i, j] = True
    term = np.empty(n)
    for j in range(n):
        term[j] = world.ctx_prio[c, act[j]] * contribution(world, c, combo, act[j])
    dirty = np.zeros(n, np.bool_)
    bw = world.burden_weight
    best = -np.inf
    while True:
        total = 0.0
        load = 0.0
        for j in range(n):
            total += term[j]
            load += world.burden[combo[act[j]]]
        v = total - bw * load / n
        if v > best:
            best = v
            out[:] = combo
        i = 0  # odometer over the active topics
        while i < n:
            combo[act[i]] += 1
            if combo[act[i]] < A:
                break
            combo[act[i]] = 0
            i += 1
        if i == n:
            return best
        for d in range(i + 1):
            for j in range(n):
                dirty[j] |= deps[d, j]
        for j in range(n):
            if dirty[j]:
                term[j] = world.ctx_prio[c, act[j]] * contribution(world, c, combo, act[j])
                dirty[j] = False


@njit
def _optimise(world, best_value, best_combo, greedy_value, greedy_combo):
    for c in range(world.ctx_active.shape[0]):
        _greedy(world, c, greedy_combo[c])
        greedy_value[c] = value(world, c, greedy_combo[c])
        if world.K == 0:  # separable: the per-topic argmax is exact
            best_combo[c] = greedy_combo[c]
            best_value[c] = greedy_value[c]
        else:
            best_value[c] = _exhaustive(world, c, best_combo[c])


def _contexts(p: dict, rng: np.random.Generator, lo: int, hi: int, roles: tuple[str, ...]):
    """The catalogue: condition sets uniform over all sets of lo..hi conditions, social 1/2."""
    T, nc, C = p["n_topics"], p["n_conditions"], p["n_contexts"]
    is_cond = np.array([r == "condition" for r in roles])
    always = np.array([r == "always" for r in roles])
    social_t = np.array([r == "social" for r in roles])
    if not p["patient_context"]:
        active = np.ones((1, T), bool)
        return active, np.zeros(1, np.int64), np.full((1, T), 1.0 / T), np.array([nc], np.int64)
    if not 0 <= lo <= hi or hi > nc:
        raise ValueError(f"conditions per context must satisfy 0 <= {lo} <= {hi} <= n_conditions={nc}")
    sizes = np.arange(lo, hi + 1)
    w = np.array([comb(nc, int(m)) for m in sizes], float)
    m = rng.choice(sizes, size=C, p=w / w.sum())
    order = np.argsort(rng.random((C, nc)), axis=1)  # a uniform random subset of each size
    active = np.zeros((C, T), bool)
    active[:, :nc] = np.argsort(order, axis=1) < m[:, None]
    social = (rng.random(C) < 0.5).astype(np.int64)
    active[:, always] = True
    active[:, social_t] = social[:, None].astype(bool)
    prio = np.exp(p["priority_spread"] * rng.standard_normal((C, T))) * active
    prio /= prio.sum(axis=1, keepdims=True)
    return active, social, prio, active[:, is_cond].sum(axis=1).astype(np.int64)


def _draw(p: dict, seed: int, lo: int, hi: int) -> World:
    rng = Streams(seed)["world"]
    T, nc, A, K = p["n_topics"], p["n_conditions"], p["n_practices"], p["K"]
    roles = topic_roles(T, nc)
    partners = np.full((T, max(K, 1)), -1, np.int64)
    for t in range(T):
        partners[t, :K] = rng.choice(np.delete(np.arange(T), t), size=K, replace=False)
    margin, shift = p["guideline_margin"], p["social_shift"]
    x = rng.random((T, A))
    base0 = x.copy()
    base0[:nc, 1:] *= 1.0 - margin  # guideline = best alternative + margin, still <= 1
    base0[:nc, 0] = base0[:nc, 1:].max(axis=1) + margin
    person_centred = np.arange(A) >= A - A // 2
    base1 = base0 + shift * person_centred
    base1[:nc, 0] -= shift
    base = np.clip(np.stack([base0, base1]), 0.0, 1.0)
    inter = rng.random((T, A, (A + 1) ** K))
    inter[:, :, -1] = base0  # all partners absent: the practice in isolation
    burden = np.concatenate([[1.0], rng.random(A - 1)])
    active, social, prio, n_cond = _contexts(p, rng, lo, hi, roles)
    n_active = active.sum(axis=1)
    if K > 0 and n_active.max() > MAX_ACTIVE_RUGGED:
        raise ValueError(f"K = {K} > 0 with {n_active.max()} active topics in a context: exhaustive "
                         f"optima are limited to {MAX_ACTIVE_RUGGED} active topics")
    C = active.shape[0]
    world = World(T, nc, A, K, float(p["ruggedness"]), float(p["burden_weight"]), partners, base,
                  inter, burden, person_centred, active, social, prio, n_cond,
                  np.empty(C), np.full((C, T), -1, np.int64), np.empty(C), np.full((C, T), -1, np.int64))
    _optimise(world, world.best_value, world.best_combo, world.greedy_value, world.greedy_combo)
    if world.best_value.min() <= 0.0:
        raise ValueError("a context's best achievable value is not positive; lower world.burden_weight")
    for arr in world[6:]:
        arr.setflags(write=False)
    return world


@functools.lru_cache(maxsize=16)
def _cached(key: tuple, seed: int, lo: int, hi: int) -> World:
    p = merge(WORLD_SPEC, defaults(WORLD_SPEC), dict(key), "", "world.")
    check_world(p)
    return _draw(p, seed, lo, hi)


def build_world(params: dict, seed: int, min_conditions: int = 2, max_conditions: int = 5) -> World:
    """The world of one replication, drawn only from the ``"world"`` stream of ``seed``.

    Args:
        params: the ``[world]`` settings (missing keys take their defaults; bad ones raise
            InputError).
        seed: the replication's seed; every condition of an experiment with it shares the world.
        min_conditions, max_conditions: the range of conditions per catalogue context.

    Returns:
        A cached, read-only World: callers must not modify it.
    """
    return _cached(tuple(sorted(params.items())), int(seed), int(min_conditions), int(max_conditions))


def site_mix(world: World, prevalence: np.ndarray, social_prevalence: float, spread: float,
             rng: np.random.Generator) -> np.ndarray:
    """One CoP's probabilities over the catalogue, float64[C] summing to 1.

    The CoP's condition and social-need prevalences are drawn around the scenario means on the
    logit scale (sd ``spread``); each context's weight is its likelihood under them. The
    catalogue is uniform over condition sets, so these weights give the prevalence model
    restricted to the catalogue's range of conditions per patient.
    """
    prev = np.asarray(prevalence, float)
    if prev.shape != (world.n_conditions,):
        raise ValueError(f"prevalence needs {world.n_conditions} values, got shape {prev.shape}")
    eps = 1e-9
    q = np.clip(np.append(prev, social_prevalence), eps, 1 - eps)
    logit = np.log(q) - np.log1p(-q)
    site = 1.0 / (1.0 + np.exp(-(logit + spread * rng.standard_normal(logit.size))))
    site = np.clip(site, eps, 1 - eps)
    x = np.concatenate([world.ctx_active[:, :world.n_conditions], world.ctx_social[:, None] == 1], axis=1)
    loglik = np.where(x, np.log(site), np.log1p(-site)).sum(axis=1)
    w = np.exp(loglik - loglik.max())
    return w / w.sum()
