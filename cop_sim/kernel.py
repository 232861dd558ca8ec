"""The one way the model compiles its weekly kernels: Numba, cached on disk, IEEE arithmetic.

Kernels loop over the model's NumPy arrays in machine code, so the weekly work costs no
per-agent Python. ``fastmath`` stays off: no reassociation or fused multiply-add, so the
same scenario and seed give the same numbers bit for bit wherever the cache was compiled.
Random draws inside a kernel come from the model's own named generator, passed in.
"""

from __future__ import annotations

import numba
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic


def njit(func):
    """Compile ``func`` in nopython mode, caching the machine code beside the module."""
    return numba.njit(cache=True, fastmath=False, nogil=True)(func)



def njit_inline(func):
    """Compile like :func:`njit`, and inline into every compiled caller (at Numba's IR level).

    For the small kernels of the visit loop: a call between separately compiled kernels costs
    more than their work (visits ran ~1.3-1.5 times slower as calls). Inlining changes no
    arithmetic, so results stay bit for bit the same. A visit itself (``care.encounter``) stays a
    call: inlining it too doubled the cold compile (to ~2 min) for no gain that could be measured.
    """
    return numba.njit(cache=True, fastmath=False, nogil=True, inline="always")(func)


@intrinsic
def prefetch(typingctx, arr, i, k):
    """Ask the CPU to start loading ``arr[i, k, ...]`` into cache; changes no result.

    The visit loop reads a dozen patient arrays a visit, each a cache miss at scale; loading the
    next patient's rows during this visit hides that wait (~20 % of a visit at 48,000
    practitioners). Compiles to LLVM's ``llvm.prefetch`` (read, keep in all cache levels).
    """
    sig = types.void(arr, i, k)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        rest = [context.get_constant(types.intp, 0)] * (aryty.ndim - 2)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [args[1], args[2]] + rest)
        i8p, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen
