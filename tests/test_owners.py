"""The arrays a compiled kernel reads are the very objects the run's one owner record holds.

A rebinding (``owner.x = new`` where ``owner.x[:] = new`` was meant) once left a kernel reading a
stale array with no error. Here, after building, after every event and after every week of a run
with several events and turnover, the data pointer and shape of every array reachable from the
RunRef (through its structrefs too) must be those of the owner's array of the same name.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

from cop_sim import scenario
from cop_sim.cop.model import CopModel
from cop_sim.cop.outcomes import _T
from cop_sim.cop.owners import Kernels, Owners
from cop_sim.cop.structs import RUN_FIELDS

EVENTS = [{"week": 2, "set": {"cop.moderators": 0, "turnover.annual_rate": 0.5}},
          {"week": 4, "set": {"cop.calendar.every_weeks": 1, "practice.caseload": 1.2}},
          {"week": 4, "set": {"learning_community.enabled": True}},
          {"week": 6, "set": {"cop.representative": True, "repository.use": 0.5}}]


def _paths(owners: Owners) -> list[tuple[str, np.ndarray]]:
    """Every array the RunRef reaches, as (path from the RunRef, the owner's array)."""
    out = []
    for name in RUN_FIELDS:
        if name in Kernels._fields:
            state = getattr(owners, name)
            out += [(f"{name}.{f}", a) for f, a in zip(state._fields, state, strict=True)
                    if isinstance(a, np.ndarray)]
        else:
            out.append((name, getattr(owners, name)))
    return out


def _reader(paths: list[str]):
    """A compiled function returning each path's data pointer and shape (padded to 4 dimensions)."""
    lines = ["def read(run, ptr, shape):"]
    for n, path in enumerate(paths):
        lines.append(f"    a = run.{path}")
        lines.append(f"    ptr[{n}] = a.ctypes.data")
        lines.append(f"    for d in range(a.ndim):\n        shape[{n}, d] = a.shape[d]")
    space: dict = {}
    exec("\n".join(lines), space)  # one function over every field, compiled once
    return numba.njit(space["read"])


@pytest.fixture(scope="module")
def model_and_reader():
    raw = {"name": "owners", "n_cops": 2, "weeks": 9, "burn_in": 2, "turnover": {"annual_rate": 0.99},
           "cop": {"calendar": {"every_weeks": 2, "start_week": 0}}, "events": EVENTS}
    model = CopModel(scenario.resolve(raw, "<owners>"), 5)
    paths = [p for p, _ in _paths(model.owners)]
    return model, _reader(paths)


def _check(model: CopModel, read) -> None:
    owned = _paths(model.owners)
    ptr = np.zeros(len(owned), dtype=np.uint64)
    shape = np.full((len(owned), 4), -1, dtype=np.int64)
    read(model.run, ptr, shape)
    for n, (path, arr) in enumerate(owned):
        assert ptr[n] == arr.ctypes.data, f"{path}: the kernel reads another array than the owner's"
        assert tuple(shape[n, :arr.ndim]) == arr.shape, path


def test_every_array_a_kernel_reads_is_the_owners_after_every_week_and_event(model_and_reader, monkeypatch):
    model, read = model_and_reader
    _check(model, read)
    events, weeks, left = [], 0, 0
    intervene = CopModel._intervene

    def checked(self, stage):
        intervene(self, stage)
        _check(self, read)
        events.append(stage.week)

    monkeypatch.setattr(CopModel, "_intervene", checked)
    while model.running:
        model.step()
        _check(model, read)
        weeks += 1
        left += int(model._tally[_T["leavers"]])
    assert events == [2, 4, 6] and weeks == 9
    assert left > 0  # turnover replaced someone, through the owner's arrays
    # the model's names are the owner's objects, and cannot be rebound
    assert model.pr is model.owners.pr and model._tally is model.owners.tally
    assert model.recorder.tallies is model.owners.rec_tallies
    with pytest.raises(AttributeError):
        model.pr = model.pr._replace(mu=model.pr.mu.copy())


def test_the_check_sees_a_rebound_array(model_and_reader):
    """The check can fail: an owner holding a copy (a rebinding) is caught."""
    model, read = model_and_reader
    rebound = model.owners._replace(tally=model.owners.tally.copy(),
                                    pr=model.owners.pr._replace(mu=model.owners.pr.mu.copy()))
    owned = _paths(rebound)
    ptr = np.zeros(len(owned), dtype=np.uint64)
    read(model.run, ptr, np.full((len(owned), 4), -1, dtype=np.int64))
    stale = [p for n, (p, a) in enumerate(owned) if ptr[n] != a.ctypes.data]
    assert stale == ["pr.mu", "tally"]


def test_the_generator_tables_are_the_owners_generators(model_and_reader):
    from cop_sim.borrow import generator_table
    from cop_sim.cop.owners import STREAMS

    model, _ = model_and_reader
    for field, name in STREAMS.items():
        assert np.array_equal(getattr(model.owners, field), generator_table(list(model.owners.gens[name])))
        assert all(a is b for a, b in zip(model.cop_rngs[name], model.owners.gens[name], strict=True))
