"""The one way the model compiles its weekly kernels: Numba, cached on disk, IEEE arithmetic.

Kernels loop over the model's NumPy arrays in machine code, so the weekly work costs no
per-agent Python. ``fastmath`` stays off: no reassociation or fused multiply-add, so the
same scenario and seed give the same numbers bit for bit wherever the cache was compiled.
Random draws inside a kernel come from the model's own named generator, passed in.
"""

from __future__ import annotations

import numba


def njit(func):
    """Compile ``func`` in nopython mode, caching the machine code beside the module."""
    return numba.njit(cache=True, fastmath=False, nogil=True)(func)



def njit_inline(func):
    """Compile like :func:`njit`, and inline into every compiled caller (at Numba's IR level).

    For the small kernels of the visit loop: a call between separately compiled kernels costs
    more than their work (a default run's visits ran ~1.5 times slower as calls). Inlining
    changes no arithmetic, so results stay bit for bit the same.
    """
    return numba.njit(cache=True, fastmath=False, nogil=True, inline="always")(func)
