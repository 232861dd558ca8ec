"""Construction's generator set-up made fast without changing a drawn number."""

from __future__ import annotations

import numpy as np
import pytest

from cop_sim.borrow import ctypes_table, generator_table
from cop_sim.rng import Streams, _seed_states, cop_stream, cop_streams

SEEDS = (0, 1, 7, 2**32 - 1, 2**32, 2**63 - 1, 12345678901234567890, 2**130 + 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_batched_seed_states_are_numpys(seed):
    def numpys(key):
        return np.random.SeedSequence(seed, spawn_key=key).generate_state(4, np.uint64)

    keys = [(0, 0), (1, 2**32 - 1), (2**32 - 1, 5), (123456789, 987654321)]  # a batch, as runs make
    assert np.array_equal(_seed_states(seed, keys), np.array([numpys(k) for k in keys]))
    many = [(17, k) for k in range(0, 2**32 - 1, 2**32 // 40)] + [(2**32 - 1, 0)]  # the batched path
    assert np.array_equal(_seed_states(seed, many), np.array([numpys(k) for k in many]))
    assert np.array_equal(_seed_states(seed, many[:5] * 8), np.array([numpys(k) for k in many[:5] * 8]))
    for key in [(2**40, 3), (7,), (1, 2, 3, 4, 5)]:  # other shapes of key, one at a time
        assert np.array_equal(_seed_states(seed, [key])[0], numpys(key)), key


@pytest.mark.parametrize("seed", SEEDS[:7])
def test_batched_cop_streams_draw_the_same_numbers(seed):
    names = [f"cop{i}" for i in range(40)] + ["", "north", "é", "a b"]
    for one, batched in zip((cop_stream(seed, "practice", n) for n in names),
                            cop_streams(seed, "practice", names), strict=True):
        assert one.bit_generator.state == batched.bit_generator.state
        assert np.array_equal(one.random(7), batched.random(7))
        assert np.array_equal(one.integers(0, 2**62, 7), batched.integers(0, 2**62, 7))
        assert np.array_equal(one.standard_normal(3), batched.standard_normal(3))


def test_streams_keep_one_generator_per_cop_and_stream():
    s = Streams(4)
    a = s.per_cop("meetings", ["x", "y", "x"])
    assert a[0] is a[2] and s.per_cop("meetings", ["y"])[0] is a[1]
    assert a[0].bit_generator.state == cop_stream(4, "meetings", "x").bit_generator.state


def test_the_generator_table_holds_what_numba_reads_from_a_generator():
    gens = cop_streams(3, "practice", [f"c{i}" for i in range(30)])
    gens += [np.random.default_rng(5), np.random.Generator(np.random.Philox(3)),
             np.random.Generator(np.random.MT19937(1))]
    table = generator_table(gens)
    assert np.array_equal(table, ctypes_table(gens))
    assert len(np.unique(table[:, 0])) == len(gens)  # a state of its own each
