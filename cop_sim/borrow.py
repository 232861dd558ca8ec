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
"""

from __future__ import annotations

from numba.core import cgutils, types
from numba.core.datamodel import models, register_default
from numba.experimental import structref
from numba.extending import intrinsic


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
