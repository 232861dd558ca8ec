"""Structrefs over the model's named tuples, for the kernels: one pointer per group of arrays.

A Numba call given a named tuple of arrays checks the type of, and counts a reference to, every
array in it: about 100 us to enter a kernel from Python and 0.1-1 us for each call between
kernels, more than the work of a visit. A structref passes one pointer (about 2 us to enter,
10 ns a call). The arrays are the same objects as in the named tuples the model keeps for Python
code, so a write through either is seen by both.
"""

from __future__ import annotations

from numba.core import types
from numba.experimental import structref

from cop_sim.kernel import njit
from cop_sim.model2.state import Cops, Patients, Practitioners
from cop_sim.world.kernels import World


def _plain(fields):
    return tuple((name, types.unliteral(t)) for name, t in fields)


@structref.register
class PractitionersType(types.StructRef):
    """Numba type of :class:`PractitionersRef`."""

    def preprocess_fields(self, fields):
        return _plain(fields)


@structref.register
class PatientsType(types.StructRef):
    """Numba type of :class:`PatientsRef`."""

    def preprocess_fields(self, fields):
        return _plain(fields)


@structref.register
class CopsType(types.StructRef):
    """Numba type of :class:`CopsRef`."""

    def preprocess_fields(self, fields):
        return _plain(fields)


@structref.register
class WorldType(types.StructRef):
    """Numba type of :class:`WorldRef`."""

    def preprocess_fields(self, fields):
        return _plain(fields)


class PractitionersRef(structref.StructRefProxy):
    """The practitioners' arrays, as kernels take them."""


class PatientsRef(structref.StructRefProxy):
    """The patients' arrays, as kernels take them."""


class CopsRef(structref.StructRefProxy):
    """The CoPs' arrays, as kernels take them."""


class WorldRef(structref.StructRefProxy):
    """The world's arrays, as kernels take them."""


structref.define_proxy(PractitionersRef, PractitionersType, list(Practitioners._fields))
structref.define_proxy(PatientsRef, PatientsType, list(Patients._fields))
structref.define_proxy(CopsRef, CopsType, list(Cops._fields))
structref.define_proxy(WorldRef, WorldType, list(World._fields))


@njit
def _practitioners(*fields):
    return PractitionersRef(*fields)


@njit
def _patients(*fields):
    return PatientsRef(*fields)


@njit
def _cops(*fields):
    return CopsRef(*fields)


@njit
def _world(*fields):
    return WorldRef(*fields)


def refs(pr: Practitioners, pa: Patients, cp: Cops, world: World):
    """Structrefs sharing the arrays of the model's named tuples (pr, pa, cp, world)."""
    return _practitioners(*pr), _patients(*pa), _cops(*cp), _world(*world)
