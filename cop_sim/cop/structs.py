"""Structrefs over the model's named tuples, for the kernels: one pointer per group of arrays.

A Numba call given a named tuple of arrays checks the type of, and counts a reference to, every
array in it: about 100 us to enter a kernel from Python and 0.1-1 us for each call between
kernels, more than the work of a visit. A structref passes one pointer (about 2 us to enter,
10 ns a call). The arrays are the same objects as in the named tuples the model keeps for Python
code, so a write through either is seen by both, and are borrowed (:mod:`cop_sim.borrow`).
"""

from __future__ import annotations

from numba.core import types
from numba.experimental import structref

from cop_sim.borrow import borrowed, plain_fields
from cop_sim.cop.state import Cops, Patients, Practitioners
from cop_sim.cop.world.kernels import World
from cop_sim.kernel import njit


@structref.register
class PractitionersType(types.StructRef):
    """Numba type of :class:`PractitionersRef`."""

    def preprocess_fields(self, fields):
        return plain_fields(fields)


@structref.register
class PatientsType(types.StructRef):
    """Numba type of :class:`PatientsRef`."""

    def preprocess_fields(self, fields):
        return plain_fields(fields)


@structref.register
class CopsType(types.StructRef):
    """Numba type of :class:`CopsRef`."""

    def preprocess_fields(self, fields):
        return plain_fields(fields)


@structref.register
class WorldType(types.StructRef):
    """Numba type of :class:`WorldRef`."""

    def preprocess_fields(self, fields):
        return plain_fields(fields)


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
    return PractitionersRef(*borrowed(fields))


@njit
def _patients(*fields):
    return PatientsRef(*borrowed(fields))


@njit
def _cops(*fields):
    return CopsRef(*borrowed(fields))


@njit
def _world(*fields):
    return WorldRef(*borrowed(fields))


def refs(pr: Practitioners, pa: Patients, cp: Cops, world: World):
    """Structrefs sharing the arrays of the model's named tuples (pr, pa, cp, world).

    The arrays are borrowed (:mod:`cop_sim.borrow`): keep the named tuples alive for as long as
    the structrefs are used.
    """
    return _practitioners(*pr), _patients(*pa), _cops(*cp), _world(*world)


@structref.register
class RunType(types.StructRef):
    """Numba type of :class:`RunRef`."""

    def preprocess_fields(self, fields):
        return plain_fields(fields)


class RunRef(structref.StructRefProxy):
    """Everything a compiled week touches, in one pointer (see ``cop_sim/cop/week.py``).

    Holding the run's random generators here matters: a ``numpy.random.Generator`` passed as an
    argument costs about 35 us to unbox on every call, more than a week of the default scenario's
    meetings. ``rng_care``, ``rng_meet`` and ``rng_turn`` are tables of each CoP's own generators
    (:func:`cop_sim.borrow.generator_table`, a row per CoP), from which a kernel makes a borrowed
    generator: draws advance the same generator states as the Python objects (which the model
    keeps alive in ``cop_rngs``).
    """


RUN_FIELDS = ("world", "pr", "pa", "cp", "hidden", "cap", "denom", "pressure", "leavers", "tally", "tc",
              "rng_care", "rng_meet", "rng_turn", "rec_tallies", "rec_measures", "rec_per_cop", "rec_weeks",
              "cop_prio", "chosen", "key", "order", "v")
structref.define_proxy(RunRef, RunType, list(RUN_FIELDS))


@njit
def _run(world, pr, pa, cp, hidden, cap, denom, pressure, leavers, tally, tc, rng_care, rng_meet, rng_turn,
         rec_tallies, rec_measures, rec_per_cop, rec_weeks, cop_prio, chosen, key, order, v):
    # named parameters, not *fields: Numba types a star-argument as one tuple, and a tuple holding
    # structrefs and generators has no fast type fingerprint (~0.3 ms a run to type it in Python)
    return RunRef(*borrowed((world, pr, pa, cp, hidden, cap, denom, pressure, leavers, tally, tc, rng_care,
                             rng_meet, rng_turn, rec_tallies, rec_measures, rec_per_cop, rec_weeks, cop_prio,
                             chosen, key, order, v)))


def run_ref(**fields) -> RunRef:
    """A :class:`RunRef` over the given objects (by name, all of ``RUN_FIELDS``).

    Its arrays, generators and structrefs are borrowed (:func:`cop_sim.borrow.borrowed`): the
    caller must keep every one of them alive, and never replace one, for as long as the RunRef is
    used (the model holds them as attributes).
    """
    return _run(*(fields[name] for name in RUN_FIELDS))
