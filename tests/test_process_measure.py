"""optimal_practice_share: the share of a visited patient's active topics on the patient's optimum."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cop_sim import scenario
from cop_sim.cop.model import CopModel

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios" / "default.toml"
FROZEN_CARE = ["practice.exploration=0", "practice.coordination_rate=0", "practice.collaboration_rate=0",
               "practice.replan=0", "cop.calendar.every_weeks=0", "weeks=2", "turnover.annual_rate=0",
               "review.interval=0"]


def _model(pairs: list[str], seed: int = 3) -> CopModel:
    return CopModel(scenario.load(DEFAULT, FROZEN_CARE + pairs), seed)


def _set_plans(m: CopModel, optimal: bool) -> None:
    w, pa = m.world, m.pa
    for i, k in np.argwhere(pa.ctx >= 0):
        best = w.best_combo[pa.ctx[i, k]]
        active = w.ctx_active[pa.ctx[i, k]]
        wrong = (best + 1) % w.n_practices  # a practice other than the optimum's on every topic
        pa.plan[i, k, :] = np.where(active, best if optimal else wrong, -1)
        pa.tried[i, k] = -1  # no pending trial to keep or revert


def _week0(m: CopModel) -> float:
    m.step()
    return float(m.recorder.columns()["optimal_practice_share"][1])  # row 1 is simulated week 0


def test_every_plan_on_the_optimum_measures_one_and_every_plan_off_it_zero():
    m = _model([])
    _set_plans(m, True)
    assert _week0(m) == 1.0
    m = _model([])
    _set_plans(m, False)
    assert _week0(m) == 0.0


def test_the_share_lies_between_and_is_reported_per_cop_and_in_the_summary():
    from cop_sim import models

    result = models.simulate(scenario.load(DEFAULT, ["weeks=8"]), 1)
    share = result.timeseries["optimal_practice_share"].to_numpy()[1:]
    assert np.all((share > 0) & (share < 1))
    assert 0 < result.summary["optimal_practice_share"] < 1
    per_cop = result.meta["per_cop"]
    visited = per_cop[per_cop["week"] >= 0]["optimal_practice_share"].dropna()
    assert len(visited) and visited.between(0, 1).all()
    assert set(per_cop["cop"]) == {"cop1", "cop2", "cop3", "cop4"}


def test_every_named_tally_slot_is_its_names_position():
    """Kernels write tallies by named slot: each constant must be its name's index in the schema."""
    from cop_sim.cop import stories, tally

    for prefix, names, module in (("W_", tally.CARE_TALLY, tally), ("C_", tally.COP_TALLY, tally),
                                  ("M_", stories.MEETING_TALLY, stories)):
        for i, name in enumerate(names):
            assert getattr(module, prefix + name.upper()) == i, (prefix, name)
        assert len({getattr(module, prefix + n.upper()) for n in names}) == len(names)
