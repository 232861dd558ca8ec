"""The one way the model compiles its weekly kernels: Numba, cached on disk, IEEE arithmetic.

Kernels loop over the model's NumPy arrays in machine code, so the weekly work costs no
per-agent Python. ``fastmath`` stays off: no reassociation or fused multiply-add, so the
same scenario and seed give the same numbers bit for bit wherever the cache was compiled.
Random draws inside a kernel come from the model's own named generator, passed in.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba


def cache_dir(root: Path = Path(__file__).parent, base: str | None = None) -> str:
    """Numba's cache folder for this exact set of kernel sources (every file using ``njit``).

    Numba checks only the file that defines a kernel, but a compiled kernel carries the code of
    the kernels it calls, inlined or linked, from other files: after a change to one of those
    (an edit, a ``git pull``) its cached caller would silently run the old code. A folder named
    by a hash of all kernel sources makes any such change compile everything afresh.

    Args:
        root: the package's folder.
        base: where cache folders go (default: ``NUMBA_CACHE_DIR`` if set, else ``root/__pycache__``).
    """
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        text = path.read_bytes()
        if b"njit" in text or b"@intrinsic" in text:  # intrinsics write compiled code too
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + text)
    base = base or os.environ.get("NUMBA_CACHE_DIR") or str(root / "__pycache__")
    return os.path.join(base, "numba-" + digest.hexdigest()[:16])


# before any kernel is decorated: each dispatcher picks its cache folder when it is made
numba.config.CACHE_DIR = cache_dir()
_OPTIONS = {"cache": True, "fastmath": False, "nogil": True}  # every kernel's, inlined or not


def njit(func):
    """Compile ``func`` in nopython mode, caching the machine code beside the module."""
    return numba.njit(**_OPTIONS)(func)



def njit_inline(func):
    """Compile like :func:`njit`, and inline into every compiled caller (at Numba's IR level).

    For the small kernels of the visit loop: a call between separately compiled kernels costs
    more than their work (visits ran ~1.3-1.5 times slower as calls). Inlining changes no
    arithmetic, so results stay bit for bit the same. A visit itself (``care.encounter``) stays a
    call: inlining it too doubled the cold compile (to ~2 min) for no gain that could be measured.
    """
    return numba.njit(**_OPTIONS, inline="always")(func)

