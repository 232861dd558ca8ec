"""The clinical landscape: exact optima, K = 0 additivity, ruggedness, guideline, streams, speed."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from cop_sim.cop.world import (
    WORLD_SPEC,
    build_world,
    care_quality,
    contribution,
    landscape,
    site_mix,
    topic_names,
    value,
)
from cop_sim.params import InputError
from cop_sim.rng import Streams

MARCH = {"n_topics": 30, "n_conditions": 0, "n_practices": 2, "K": 0, "patient_context": False,
         "burden_weight": 0.0}


def py_value(w, c, combo) -> float:
    """The documented value, in plain Python, straight from the World's arrays."""
    A, active = w.n_practices, w.ctx_active[c]
    total, load = 0.0, 0.0
    for t in np.flatnonzero(active):
        a = combo[t]
        b = w.base[w.ctx_social[c], t, a]
        if w.K:
            levels = [combo[p] if active[p] and combo[p] >= 0 else A for p in w.partners[t, :w.K]]
            idx = sum(lev * (A + 1) ** j for j, lev in enumerate(levels))
            b = (1 - w.ruggedness) * b + w.ruggedness * w.inter[t, a, idx]
        total += w.ctx_prio[c, t] * b
        load += w.burden[a]
    return total - w.burden_weight * load / active.sum()


def brute_force(w, c) -> tuple[float, np.ndarray]:
    """Best value and combination of context c by trying every combination in Python."""
    act = np.flatnonzero(w.ctx_active[c])
    best, arg = -np.inf, None
    for choice in itertools.product(range(w.n_practices), repeat=act.size):
        combo = np.full(w.n_topics, -1, np.int64)
        combo[act] = choice
        v = py_value(w, c, combo)
        if v > best:
            best, arg = v, combo
    return best, arg


def small_contexts(w, most_active: int, limit: int = 12) -> list[int]:
    return [int(c) for c in np.flatnonzero(w.ctx_active.sum(axis=1) <= most_active)[:limit]]


@pytest.mark.parametrize("params", [{}, {"K": 1}, {"K": 3, "n_practices": 3}, {"K": 2, "n_practices": 2}])
def test_exact_optimum_equals_python_brute_force(params):
    w = build_world(params, 7)
    cs = small_contexts(w, 5, limit=6)
    assert len(cs) >= 3
    for c in cs:
        best, combo = brute_force(w, c)
        assert w.best_value[c] == pytest.approx(best, rel=1e-12)
        assert np.array_equal(w.best_combo[c], combo)
        assert value(w, c, w.best_combo[c]) == w.best_value[c]  # the kernel's own value, bit for bit


def test_branch_and_bound_finds_the_maximum_on_the_largest_contexts():
    """Every combination of a 7-topic context, scored by the kernel's value(): none beats the optimum."""
    w = build_world({"K": 3}, 12)
    n_active = w.ctx_active.sum(axis=1)
    for c in np.flatnonzero(n_active == n_active.max())[:2]:
        act = np.flatnonzero(w.ctx_active[c])
        combo = np.full(w.n_topics, -1, np.int64)
        top = -np.inf
        for choice in itertools.product(range(w.n_practices), repeat=act.size):
            combo[act] = choice
            top = max(top, value(w, c, combo))
        assert act.size == 7 and top == w.best_value[c]


def test_kernel_value_matches_the_documented_formula():
    w = build_world({}, 3)
    rng = np.random.default_rng(0)
    for c in range(0, w.ctx_active.shape[0], 7):
        combo = np.where(w.ctx_active[c], rng.integers(0, w.n_practices, w.n_topics), -1)
        assert value(w, c, combo) == pytest.approx(py_value(w, c, combo), rel=1e-12, abs=1e-15)


def test_k0_best_is_greedy_for_every_context_and_brute_force_agrees():
    w = build_world({"K": 0}, 11)
    assert np.array_equal(w.best_combo, w.greedy_combo)
    for c in small_contexts(w, 6, limit=8):
        best, combo = brute_force(w, c)
        assert np.array_equal(combo, w.greedy_combo[c])
        assert w.greedy_value[c] == pytest.approx(best, rel=1e-12)


def test_k0_is_separable():
    """Changing topic t's practice changes the value by the same amount whatever the others do."""
    w = build_world({"K": 0}, 5)
    c = int(np.argmax(w.ctx_active.sum(axis=1)))
    act = np.flatnonzero(w.ctx_active[c])
    rng = np.random.default_rng(1)
    t = act[0]
    deltas = []
    for _ in range(5):
        combo = np.full(w.n_topics, -1, np.int64)
        combo[act] = rng.integers(0, w.n_practices, act.size)
        lo, hi = combo.copy(), combo.copy()
        lo[t], hi[t] = 0, 1
        deltas.append(value(w, c, hi) - value(w, c, lo))
    assert np.allclose(deltas, deltas[0], rtol=0, atol=1e-12)


def test_default_k_makes_the_greedy_combination_often_wrong():
    for seed in (1, 2, 3):
        w = build_world({}, seed)
        assert w.K == WORLD_SPEC["K"].default >= 1
        many = w.ctx_n_cond >= 3
        not_greedy = (w.best_combo != w.greedy_combo).any(axis=1)
        assert many.sum() >= 20
        assert not_greedy[many].mean() >= 0.20
        assert (w.greedy_value <= w.best_value).all()


def test_guideline_best_in_isolation_but_not_always_in_combination():
    w = build_world({}, 4)
    margin = WORLD_SPEC["guideline_margin"].default
    c0 = int(np.flatnonzero(w.ctx_social == 0)[0])
    for t in range(w.n_conditions):
        alone = []
        for a in range(w.n_practices):
            combo = np.full(w.n_topics, -1, np.int64)
            combo[t] = a
            alone.append(contribution(w, c0, combo, t))
        assert alone[0] == pytest.approx(max(alone[1:]) + margin, abs=1e-12)
    cond = w.best_combo[:, :w.n_conditions]
    assert (cond == 0).any() and ((cond > 0) & w.ctx_active[:, :w.n_conditions]).any()


def test_social_needs_lower_guidelines_and_raise_person_centred_practices():
    w = build_world({}, 4)
    nc = w.n_conditions
    assert (w.base[1, :nc, 0] <= w.base[0, :nc, 0]).all() and (w.base[1, :nc, 0] < w.base[0, :nc, 0]).any()
    pc = w.person_centred
    assert pc.any() and not pc[0]
    assert (w.base[1][:, pc] >= w.base[0][:, pc]).all()


def test_same_seed_same_world_bit_for_bit_and_another_seed_differs():
    a = build_world({}, 21)
    landscape._cached.cache_clear()
    b = build_world({}, 21)
    assert a is not b
    for name, x, y in zip(a._fields, a, b, strict=True):
        assert np.array_equal(x, y), name
    c = build_world({}, 22)
    assert not np.array_equal(a.base, c.base) and not np.array_equal(a.ctx_active, c.ctx_active)
    assert build_world({}, 21) is build_world({}, 21)  # cached


def test_world_stream_is_independent_of_other_streams():
    landscape._cached.cache_clear()
    plain = build_world({}, 8)
    landscape._cached.cache_clear()
    streams = Streams(8)
    streams["init"].random(1000)  # the model's other draws come first
    after = build_world({}, 8)
    assert all(np.array_equal(x, y) for x, y in zip(plain, after, strict=True))


def test_world_is_read_only():
    w = build_world({}, 1)
    with pytest.raises(ValueError):
        w.base[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        w.best_value[0] = 0.0


def test_value_lies_in_minus_burden_to_one_and_quality_at_most_one():
    w = build_world({"burden_weight": 0.4}, 9)
    rng = np.random.default_rng(2)
    C = w.ctx_active.shape[0]
    for c in range(C):
        combo = np.where(w.ctx_active[c], rng.integers(0, w.n_practices, w.n_topics), -1)
        v = value(w, c, combo)
        assert -w.burden_weight <= v <= 1.0
        assert care_quality(w, c, combo) <= 1.0
        assert care_quality(w, c, w.best_combo[c]) == 1.0
    assert ((w.ctx_prio.sum(axis=1) - 1.0) ** 2 < 1e-20).all()
    assert (w.ctx_prio[~w.ctx_active] == 0).all() and (w.best_combo[~w.ctx_active] == -1).all()


def test_contexts_follow_the_topic_roles():
    w = build_world({}, 2, min_conditions=2, max_conditions=4)
    names = topic_names(w.n_topics, w.n_conditions)
    sm, sn = names.index("self_management"), names.index("social_needs")
    assert w.ctx_active[:, sm].all()
    assert np.array_equal(w.ctx_active[:, sn], w.ctx_social == 1)
    assert w.ctx_n_cond.min() == 2 and w.ctx_n_cond.max() == 4
    assert np.array_equal(w.ctx_n_cond, w.ctx_active[:, :w.n_conditions].sum(axis=1))
    assert topic_names(10, 6)[0] == "t01"


def test_build_at_defaults_is_fast_after_compile():
    build_world({}, 1)
    landscape._cached.cache_clear()
    times = []
    for seed in (101, 102, 103):
        start = time.perf_counter()
        build_world({}, seed)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.05


def test_march_world_builds_and_its_best_is_the_per_topic_argmax():
    w = build_world(MARCH, 1991)
    assert w.ctx_active.shape == (1, 30) and w.ctx_active.all() and w.ctx_social[0] == 0
    assert np.allclose(w.ctx_prio, 1 / 30)
    assert np.array_equal(w.best_combo[0], np.argmax(w.base[0], axis=1))
    truth = np.argmax(w.base[0], axis=1)
    assert 0 < truth.sum() < 30  # which practice is right differs between dimensions, as in March
    assert w.best_value[0] == pytest.approx(w.base[0].max(axis=1).mean(), rel=1e-12)


def test_rugged_landscape_refuses_more_than_ten_active_topics():
    with pytest.raises(ValueError, match="10 active topics"):
        build_world({"n_topics": 14, "n_conditions": 12}, 1, min_conditions=9, max_conditions=12)
    w = build_world({"n_topics": 14, "n_conditions": 12, "K": 0}, 1, min_conditions=9, max_conditions=12)
    assert np.array_equal(w.best_combo, w.greedy_combo)


def test_bad_world_settings_raise_input_errors():
    with pytest.raises(InputError, match="world.K"):
        build_world({"K": 4}, 1)
    with pytest.raises(InputError, match="Did you mean 'ruggedness'"):
        build_world({"rugedness": 0.5}, 1)
    with pytest.raises(InputError, match="world.n_conditions"):
        build_world({"n_topics": 4, "n_conditions": 6}, 1)


def test_site_mix_moves_weight_towards_a_more_prevalent_condition():
    w = build_world({}, 6)
    prev = np.full(w.n_conditions, 0.3)
    base = site_mix(w, prev, 0.5, 0.0, np.random.default_rng(0))
    assert base.shape == (w.ctx_active.shape[0],) and base.sum() == pytest.approx(1.0)
    high = prev.copy()
    high[0] = 0.8
    more = site_mix(w, high, 0.5, 0.0, np.random.default_rng(0))
    has0 = w.ctx_active[:, 0]
    assert more[has0].sum() > base[has0].sum()
    social = w.ctx_social == 1
    assert site_mix(w, prev, 0.9, 0.0, np.random.default_rng(0))[social].sum() > base[social].sum()
    a = site_mix(w, prev, 0.5, 0.5, np.random.default_rng(1))
    b = site_mix(w, prev, 0.5, 0.5, np.random.default_rng(2))
    assert not np.allclose(a, b)  # sites differ around the same means
    assert np.array_equal(a, site_mix(w, prev, 0.5, 0.5, np.random.default_rng(1)))


@pytest.mark.parametrize("K", [0, 2, 3])
def test_contributions_in_one_call_equal_contribution_and_value(K):
    """The care kernel's one-call ``contributions`` repeats ``contribution``'s arithmetic for speed."""
    from cop_sim.cop.world.kernels import contributions

    w = build_world({"K": K}, 11)
    rng = np.random.default_rng(K)
    out = np.empty(w.n_topics)
    for c in range(len(w.best_value)):
        combo = np.where(w.ctx_active[c], rng.integers(-1, w.n_practices, w.n_topics), -1)
        total = contributions(w, c, combo, out)
        assert total == value(w, c, combo)
        for t in range(w.n_topics):
            expected = contribution(w, c, combo, t) if w.ctx_active[c, t] else 0.0
            assert out[t] == expected
