"""The clinical landscape of one replication: drawing it, its context catalogue, site mixes.

The value kernels (:func:`contribution`, :func:`value`, :func:`care_quality`) live in
``kernels.py`` and the exact optima in ``optimum.py``; all are re-exported here. Contexts come
from a finite catalogue whose optima are computed once, so "best achievable for this patient"
is exact. See docs/world.md.
"""

from __future__ import annotations

import functools
from math import comb

import numpy as np

from cop_sim.cop.context import belief_table, partner_masks
from cop_sim.cop.world.kernels import World, care_quality, contribution, contributions, value
from cop_sim.cop.world.optimum import optimise
from cop_sim.cop.world.spec import MAX_ACTIVE_RUGGED, WORLD_SPEC, check_world, topic_roles
from cop_sim.params import InputError, defaults, merge
from cop_sim.rng import Streams

__all__ = ["World", "build_world", "care_quality", "contribution", "contributions", "site_mix", "value"]



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


def _draw(p: dict, seed: int, lo: int, hi: int, belief_context: str = "partners") -> World:
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
    # which belief context each topic of each context falls in (no draw: the world is the same)
    hidden = np.array([r == "social" for r in roles])
    bctx = belief_table(partners, K, active, social, hidden, belief_context)
    world = World(T, nc, A, K, float(p["ruggedness"]), float(p["burden_weight"]), partners, base,
                  inter, burden, person_centred, active, social, prio, n_cond,
                  np.empty(C), np.full((C, T), -1, np.int64), np.empty(C), np.full((C, T), -1, np.int64),
                  bctx, 2 * partner_masks(K, belief_context))
    optimise(world, world.best_value, world.best_combo, world.greedy_value, world.greedy_combo)
    if world.best_value.min() <= 0.0:
        # care quality is value over this best: a documented refusal, not a crash (issue 22)
        raise InputError("", "world.burden_weight", f"got {p['burden_weight']}: with seed {seed} a patient "
                         "context's best achievable value is not positive, so care quality (value over "
                         "it) is undefined; allowed: a lower world.burden_weight")
    for arr in world[6:]:
        if isinstance(arr, np.ndarray):
            arr.setflags(write=False)
    return world


@functools.lru_cache(maxsize=16)
def _cached(key: tuple, seed: int, lo: int, hi: int, belief_context: str) -> World:
    p = merge(WORLD_SPEC, defaults(WORLD_SPEC), dict(key), "", "world.")
    check_world(p)
    return _draw(p, seed, lo, hi, belief_context)


def build_world(params: dict, seed: int, min_conditions: int = 2, max_conditions: int = 5,
                belief_context: str = "partners") -> World:
    """The world of one replication, drawn only from the ``"world"`` stream of ``seed``.

    Args:
        params: the ``[world]`` settings (missing keys take their defaults; bad ones raise
            InputError).
        seed: the replication's seed; every condition of an experiment with it shares the world.
        min_conditions, max_conditions: the range of conditions per catalogue context.
        belief_context: ``practice.belief_context``, the layout of ``ctx_bctx`` (no draw depends
            on it: the landscape and catalogue are the same for both).

    Returns:
        A cached, read-only World: callers must not modify it.
    """
    return _cached(tuple(sorted(params.items())), int(seed), int(min_conditions), int(max_conditions),
                   str(belief_context))


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


def practice_values(world: World) -> np.ndarray:
    """The true value of each practice on each topic by belief context, float64[n_bctx, T, A].

    What a practitioner with perfect knowledge at the model's belief contexts (``world.ctx_bctx``
    as known: social needs, and with ``"partners"`` which interaction partners are active) would
    believe: the practice's mean true contribution over the catalogue's contexts where the topic
    is active and falls in that belief context, with the rest of the plan at the context's optimum.
    """
    out = np.zeros((world.n_bctx, world.n_topics, world.n_practices))
    n = np.zeros((world.n_bctx, world.n_topics, 1))
    v = np.empty(world.n_topics)
    for c in range(len(world.best_value)):
        for t in np.flatnonzero(world.ctx_active[c]):
            s = world.ctx_bctx[1, c, t]
            for a in range(world.n_practices):
                combo = world.best_combo[c].copy()
                combo[t] = a
                contributions(world, c, combo, v)
                out[s, t, a] += v[t]
            n[s, t] += 1
    return out / np.maximum(n, 1)
