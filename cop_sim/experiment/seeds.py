"""Seeds from the master seed and a run's place in the design, never from execution order.

Each derived seed is the first 64-bit word of a NumPy ``SeedSequence`` whose spawn key
names the run, shifted into [0, 2**63 - 1] so it fits a signed 64-bit column and every
scenario's ``seed`` range. The leading spawn-key word keeps the streams of the uses
(CRN runs, independent runs, the sampler, runs of a parameter draw, resampling draws) apart.
"""

from __future__ import annotations

import numpy as np

_CRN, _INDEPENDENT, _SAMPLER, _DRAW_CRN, _DRAW_INDEPENDENT, _RESAMPLE = 0, 1, 2, 3, 4, 5


def _draw(master: int, key: tuple[int, ...]) -> int:
    state = np.random.SeedSequence(entropy=master, spawn_key=key).generate_state(1, np.uint64)
    return int(state[0]) >> 1


def run_seed(master: int, point: int, replication: int, crn: bool = True) -> int:
    """The seed of the run at ``(point, replication)``.

    Args:
        master: the experiment's master seed.
        point: the design point's index.
        replication: the replication's index.
        crn: common random numbers: every point of a replication shares its seed, so
            contrasts between points are paired.
    """
    key = (_CRN, replication) if crn else (_INDEPENDENT, point, replication)
    return _draw(master, key)


def sampler_seed(master: int) -> int:
    """The seed given to SALib's sampler (a 32-bit value, as SciPy's QMC engines accept)."""
    return _draw(master, (_SAMPLER,)) % 2**32


def draw_run_seed(master: int, draw: int, point: int, replication: int, crn: bool = True) -> int:
    """The seed of the run at ``(draw, point, replication)`` of a design crossed with draws.

    With common random numbers the arms (points) of one draw and replication share a seed,
    so contrasts are paired within ``(draw, replication)``; draws get streams of their own.
    """
    key = (_DRAW_CRN, draw, replication) if crn else (_DRAW_INDEPENDENT, draw, point, replication)
    return _draw(master, key)


def resample_seed(master: int) -> int:
    """The seed of the generator that resamples posterior particles by weight."""
    return _draw(master, (_RESAMPLE,))
