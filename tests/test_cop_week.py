"""The compiled week (cop_sim/cop/week.py): the same run however it is driven, draws only when due."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cop_sim import scenario
from cop_sim.cop.model import CopModel
from cop_sim.cop.simulate import simulate

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"


def _small(*overrides: str) -> dict:
    return scenario.load(DEFAULT, ["n_cops=2", "weeks=12", "burn_in=3", *overrides])


def test_stepping_and_a_whole_run_give_the_same_weeks_bit_for_bit():
    resolved = _small("turnover.annual_rate=0.9", "learning_community.enabled=true",
                      "learning_community.calendar.start_week=5")
    stepped = CopModel(resolved, 3)
    while stepped.running:
        stepped.step()
    whole = CopModel(resolved, 3)
    whole.run_to_horizon()
    assert stepped.recorder.frame().equals(whole.recorder.frame())
    assert np.array_equal(stepped.pr.mu, whole.pr.mu)
    assert stepped.recorder.frame()["leavers"].sum() > 0  # the leavers' path was exercised
    frame = simulate(resolved, 3).timeseries
    assert frame.equals(whole.recorder.frame())


def _turnover_states(m: CopModel) -> list[int]:
    """The state of each CoP's own turnover generator."""
    return [g.bit_generator.state["state"]["state"] for g in m.cop_rngs["turnover"]]


def test_no_turnover_draws_nothing_from_the_turnover_stream():
    m = CopModel(_small("turnover.annual_rate=0"), 1)
    before = _turnover_states(m)
    m.run_to_horizon()
    assert _turnover_states(m) == before
    m = CopModel(_small("turnover.annual_rate=0.1"), 1)
    m.run_to_horizon()
    after = _turnover_states(m)
    assert all(a != b for a, b in zip(after, before, strict=True))  # every CoP drew from its own


def test_plans_hold_practice_indices_in_their_narrow_type():
    m = CopModel(_small(), 2)
    m.run_to_horizon()
    for plan in (m.pa.plan, m.pa.inc_plan, m.pa.obs_plan):
        assert plan.dtype == np.int8
        assert plan.min() >= -1 and plan.max() < m.world.n_practices
    assert (m.pa.plan >= 0).any()
