"""Borrowed references: the model's arrays, generators and structrefs reach kernels uncounted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from cop_sim import scenario
from cop_sim.borrow import borrowed
from cop_sim.cop.model import CopModel
from cop_sim.cop.structs import refs
from cop_sim.kernel import njit

DEFAULT = Path(__file__).parents[1] / "scenarios" / "default.toml"


@njit
def _bump(pr):
    pr.cop_hours[0] += 1.0


def test_model_structrefs_borrow_their_arrays_from_the_models_named_tuples():
    m = CopModel(scenario.load(DEFAULT, ["weeks=4"]), 3)
    hours = m.pr.cop_hours
    before = sys.getrefcount(hours)
    k = refs(m.pr, m.pa, m.cp, m.world)
    # an owned array would hold a reference to its NumPy object through its meminfo: +1 per structref
    assert sys.getrefcount(hours) == before
    start = hours[0]
    _bump(k[0])
    assert hours[0] == start + 1.0  # a kernel writes the owner's memory


@njit
def _draws(rng, a, n):
    g, b = borrowed((rng, a))
    for i in range(n):
        b[i] = g.random()


def test_a_borrowed_generator_advances_the_python_generators_state():
    rng, a = np.random.default_rng(7), np.zeros(5)
    _draws(rng, a, 5)
    expected = np.random.default_rng(7).random(10)
    assert a.tolist() == expected[:5].tolist()
    assert rng.random() == expected[5]  # the draws came from, and advanced, the same state


THROUGH = """
import numpy as np
from numba.core.runtime import rtsys
from numba.typed import List
from numba import njit
from cop_sim.borrow import borrowed

@njit  # not cached: the script has no file
def through(a, lst, x):
    b, kept, y = borrowed((a, lst, x))
    return b.sum() + len(kept) + y

a, lst = np.ones(3), List([1.0, 2.0])
through(a, lst, 1)  # compiling allocates
s0 = rtsys.get_allocation_stats()
total = sum(through(a, lst, 1) for _ in range(100))
s1 = rtsys.get_allocation_stats()
print(total, s1.mi_alloc - s0.mi_alloc, s1.mi_free - s0.mi_free, list(lst))
"""


def test_what_borrowed_does_not_lend_passes_through_counted_once():
    # in a child process: the NRT's statistics are switched on only at start-up
    env = {**os.environ, "NUMBA_NRT_STATS": "1"}
    out = subprocess.run([sys.executable, "-c", THROUGH], env=env, capture_output=True, text=True,
                         check=True).stdout.split(maxsplit=3)
    # a pass-through not counted would be released once too often: freed while still in use
    assert float(out[0]) == 100 * (3 + 2 + 1)
    assert out[1] == out[2]  # each call frees exactly what it allocates (no leak, no early free)
    assert out[3].strip() == "[1.0, 2.0]"
