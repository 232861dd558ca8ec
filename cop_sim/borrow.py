"""Borrowed references for compiled kernels: the model's arrays without atomic reference counts.

A compiled kernel counts a reference each time it reads an array or a structref from a structref
or passes one to a call, and each count is an atomic add or subtract, a locked instruction
(~20-60 cycles, more on some virtual machines); a random generator is counted the same way. A
visit made ~50 of them: a quarter of a default run went to them under ``perf`` (gdb on the
running process: ``NRT_incref``/``NRT_decref`` called from ``care.encounter``).

:func:`borrowed` detaches them: an array or generator loses its meminfo (counted then by a test
of a null pointer only; its ``parent``, the Python object, stays, so it boxes back to that same
object), and a structref becomes a :class:`BorrowedRef` over the same payload, which is not
counted at all. Only for objects whose owner outlives everything built on them: the model keeps
its named tuples, structrefs, generators and scratch arrays for the whole run.

Many generators (one per CoP) are lent as a table of their bit generators' addresses
(:func:`generator_table`), from which a kernel makes a borrowed generator (:func:`lent_generator`):
no container to compile or count, and no ~35 us unboxing per generator.
"""

from __future__ import annotations

import ctypes

import numpy as np
from numba.core import cgutils, types
from numba.core.datamodel import models, register_default
from numba.experimental import structref
from numba.extending import intrinsic

from cop_sim.kernel import njit_inline


def plain_fields(fields):
    """A structref's fields with literal types widened (an int field holds any int, not one value)."""
    return tuple((name, types.unliteral(t)) for name, t in fields)


class BorrowedRef(types.StructRef):
    """A structref's payload, borrowed: the same fields, with no reference count of its own."""

    def preprocess_fields(self, fields):
        return plain_fields(fields)


@register_default(BorrowedRef)
class _BorrowedModel(models.StructModel):
    """A bare pointer where a structref has a counted meminfo; the payload is read through it."""

    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, [("meminfo", types.voidptr)])


structref.define_attributes(BorrowedRef)


def _lent(ty):
    """The type ``ty`` takes once borrowed (unchanged if it is not counted or not ours to lend)."""
    if isinstance(ty, types.StructRef) and not isinstance(ty, BorrowedRef):
        return BorrowedRef(list(ty.field_dict.items()))
    return ty


@intrinsic
def borrowed(typingctx, fields):
    """The tuple ``fields`` with its arrays, generators and structrefs borrowed (see the module)."""
    lent = [_lent(t) for t in fields.types]
    if isinstance(fields, types.BaseNamedTuple):  # a named tuple stays one, of the same class
        out_type = types.NamedTuple(lent, fields.instance_class)
    else:
        out_type = types.Tuple(lent)
    sig = out_type(fields)

    def codegen(context, builder, signature, args):
        out = cgutils.get_null_value(context.get_value_type(out_type))
        for n, ty in enumerate(signature.args[0].types):
            value = builder.extract_value(args[0], n)
            if isinstance(ty, types.Array | types.NumPyRandomGeneratorType):
                if isinstance(ty, types.Array):
                    obj = context.make_array(ty)(context, builder, value)
                else:
                    obj = cgutils.create_struct_proxy(ty)(context, builder, value)
                obj.meminfo = cgutils.get_null_value(obj.meminfo.type)
                value = obj._getvalue()
            elif _lent(ty) is not ty:
                ref = cgutils.create_struct_proxy(ty)(context, builder, value)
                lent = cgutils.create_struct_proxy(out_type.types[n])(context, builder)
                lent.meminfo = builder.bitcast(ref.meminfo, lent.meminfo.type)
                value = lent._getvalue()
            else:  # passed through: a returned value is a new reference, so count one
                context.nrt.incref(builder, ty, value)
            out = builder.insert_value(out, value, n)
        return out

    return sig, codegen


GENERATOR = types.NumPyRandomGeneratorType("NumPyRandomGeneratorType")  # numba.typeof(a Generator)
_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")  # its member, as Numba names it


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype, _capsule_pointer.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
# numpy's bitgen_t (numpy/random/bitgen.h): state, next_uint64, next_uint32, next_double, next_raw
_BITGEN = ctypes.c_uint64 * 5


def generator_table(gens: list[np.random.Generator]) -> np.ndarray:
    """One row per generator: its state's address and its next_double, next_uint64, next_uint32.

    What Numba reads from a generator when it unboxes one (``bit_generator.ctypes``). Read here
    from the ``bitgen_t`` struct the bit generator's capsule points to: the same addresses, without
    the ~25 us of ctypes casts a generator's ``ctypes`` interface costs (16,000 generators at 48,000
    practitioners). The caller keeps every generator alive for as long as a kernel uses the table;
    draws advance the same states as the Python objects.
    """
    out = np.zeros((len(gens), 4), dtype=np.uint64)
    for n, gen in enumerate(gens):
        bitgen = _BITGEN.from_address(_capsule_pointer(gen.bit_generator.capsule, b"BitGenerator"))
        out[n] = bitgen[0], bitgen[3], bitgen[1], bitgen[2]
    return out


def ctypes_table(gens: list[np.random.Generator]) -> np.ndarray:
    """:func:`generator_table` the slow way, through each generator's ctypes interface (for tests)."""
    out = np.zeros((len(gens), 4), dtype=np.uint64)
    for n, gen in enumerate(gens):
        ct = gen.bit_generator.ctypes
        fns = (ct.next_double, ct.next_uint64, ct.next_uint32)
        out[n] = [ct.state.value, *(ctypes.cast(f, ctypes.c_void_p).value for f in fns)]
    return out


@intrinsic
def _generator(typingctx, state, next_double, next_uint64, next_uint32):
    """A generator over the given state and functions: no meminfo (not counted), no parent (never boxed)."""
    sig = GENERATOR(state, next_double, next_uint64, next_uint32)

    def codegen(context, builder, signature, args):
        bits = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)  # zero-filled
        bits.state_address = bits.state = args[0]
        bits.fnptr_next_double, bits.fnptr_next_uint64, bits.fnptr_next_uint32 = args[1], args[2], args[3]
        gen = cgutils.create_struct_proxy(GENERATOR)(context, builder)  # null meminfo and parent
        gen.bit_generator = bits._getvalue()
        return gen._getvalue()

    return sig, codegen


@njit_inline
def lent_generator(table, row):
    """Generator ``row`` of a :func:`generator_table`, borrowed (draws advance the Python object's state)."""
    return _generator(table[row, 0], table[row, 1], table[row, 2], table[row, 3])
