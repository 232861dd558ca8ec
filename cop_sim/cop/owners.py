"""The one record of every object a run's compiled kernels borrow, made together with its RunRef.

The structrefs and the :class:`~cop_sim.cop.structs.RunRef` hold borrowed references
(:mod:`cop_sim.borrow`): no reference counts, so nothing but their owner keeps the arrays alive,
and an owner that rebinds an array (``model.x = new`` instead of ``model.x[:] = new``) leaves the
kernels reading the old one without any error (once a compiled kernel returned 402.0 instead of
10.0 that way). Here every borrowed object has exactly one owner: an :class:`Owners`, read-only
(a named tuple), made by :func:`own` at the same time as the RunRef over it. The model keeps it
and reads its arrays from it, so there is no second name to rebind; write arrays in place.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from cop_sim.borrow import generator_table
from cop_sim.cop.state import Cops, Patients, Practitioners
from cop_sim.cop.structs import RUN_FIELDS, RunRef, refs, run_ref
from cop_sim.cop.world.kernels import World


class Kernels(NamedTuple):
    """The model's arrays as the kernels take them (structrefs over the same arrays)."""

    pr: object
    pa: object
    cp: object
    world: object


class Owners(NamedTuple):
    """Every object a run's RunRef and structrefs borrow, and so must outlive them unchanged.

    The state's named tuples (``pr``, ``pa``, ``cp``, ``world``), the structrefs over them
    (``k``), the random generators (``gens``: stream -> each CoP's generator) and their tables
    (``rng_*``), the recorder's arrays (``rec_*``) and the week's scratch arrays: the fields of
    :data:`~cop_sim.cop.structs.RUN_FIELDS` under the same names.
    """

    pr: Practitioners
    pa: Patients
    cp: Cops
    world: World
    k: Kernels
    gens: MappingProxyType  # stream name -> tuple of each CoP's generator
    hidden: np.ndarray
    cap: np.ndarray
    denom: np.ndarray
    pressure: np.ndarray
    leavers: np.ndarray
    tally: np.ndarray
    tc: np.ndarray
    rng_care: np.ndarray
    rng_meet: np.ndarray
    rng_turn: np.ndarray
    rec_tallies: np.ndarray
    rec_measures: np.ndarray
    rec_per_cop: np.ndarray
    rec_weeks: np.ndarray
    cop_prio: np.ndarray
    chosen: np.ndarray
    key: np.ndarray
    order: np.ndarray
    v: np.ndarray


# the RunRef's generator tables and the streams they are made from
STREAMS = {"rng_care": "practice", "rng_meet": "meetings", "rng_turn": "turnover"}


def own(pr: Practitioners, pa: Patients, cp: Cops, world: World, gens: dict[str, list[np.random.Generator]],
        **arrays: np.ndarray) -> tuple[Owners, RunRef]:
    """The owner record of a run and the RunRef over it, made together.

    Args:
        pr, pa, cp, world: the state's named tuples.
        gens: each CoP's generator of the streams of :data:`STREAMS` (by stream name).
        **arrays: every other array of :data:`~cop_sim.cop.structs.RUN_FIELDS`, by name.
    """
    k = Kernels(*refs(pr, pa, cp, world))
    tables = {field: generator_table(gens[name]) for field, name in STREAMS.items()}
    kept = MappingProxyType({n: tuple(g) for n, g in gens.items()})
    owners = Owners(pr=pr, pa=pa, cp=cp, world=world, k=k, gens=kept, **tables, **arrays)
    lent = {name: getattr(k if name in Kernels._fields else owners, name) for name in RUN_FIELDS}
    return owners, run_ref(**lent)
