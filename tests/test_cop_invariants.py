"""The CoP model over many seeds: bounds, determinism, common random numbers, and the stored baseline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop.model import CopModel
from cop_sim.result import Lazy

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "default.toml"
BASELINE = ROOT / "tests" / "baseline" / "default_seed1.json"


def _run(*pairs: str, seed: int = 1):
    return models.simulate(scenario.load(SCENARIO, list(pairs)), seed)


@pytest.mark.parametrize("seed", range(1, 7))
def test_outcomes_stay_in_their_ranges(seed):
    res = _run("n_cops=2", "weeks=26", "burn_in=8", seed=seed)
    ts = res.timeseries.iloc[1:]
    for col in ("care_quality", "health", "goal_attainment", "goals_met", "patient_included_share",
                "consultation_share", "attendance", "shared_vision", "consensus", "trust_density",
                "inclusion_habit"):
        x = ts[col].dropna()
        assert ((x >= -1e-12) & (x <= 1 + 1e-12)).all(), col
    assert (ts["belief_error"] >= 0).all()
    shares = ts[["consultation_share", "coordination_share", "collaboration_share"]].sum(axis=1)
    assert np.allclose(shares, 1.0)
    per_cop = res.meta["per_cop"]
    assert per_cop["cop"].nunique() == 2
    for col in ("care_quality", "goals_met", "patient_included_share", "attendance"):
        x = per_cop[col].dropna()
        assert len(x) and ((x >= 0) & (x <= 1 + 1e-12)).all(), col


def test_same_seed_same_outputs_bit_for_bit():
    a, b = _run("weeks=13", seed=9), _run("weeks=13", seed=9)
    assert a.timeseries.equals(b.timeseries) and a.meta["per_cop"].equals(b.meta["per_cop"])
    assert not a.timeseries.equals(_run("weeks=13", seed=10).timeseries)


def test_every_condition_of_a_replication_faces_the_same_world():
    base = CopModel(scenario.load(SCENARIO, ["weeks=4"]), 5)
    other = CopModel(scenario.load(SCENARIO, ["weeks=4", "cop.representative=true",
                                               "practice.caseload=1.5"]), 5)
    assert np.array_equal(base.world.best_value, other.world.best_value)
    assert np.array_equal(base.world.inter, other.world.inter)
    another = CopModel(scenario.load(SCENARIO, ["weeks=4"]), 6)
    assert not np.array_equal(base.world.inter, another.world.inter)


def test_beliefs_are_updated_only_from_observations_not_true_values():
    """With no visits observed and no meetings, beliefs only fade in precision; means stay put."""
    m = CopModel(scenario.load(SCENARIO, ["weeks=6", "burn_in=0", "practice.signal_delay=52",
                                           "cop.calendar.every_weeks=0", "repository.use=0.0",
                                           "turnover.annual_rate=0.0"]), 3)
    mu = m.pr.mu.copy()
    while m.running:
        m.step()
    assert np.array_equal(mu, m.pr.mu)


def test_default_summary_matches_the_stored_baseline():
    """Regenerate on purpose only: python -m tests.baseline (see tests/baseline/README.md)."""
    stored = json.loads(BASELINE.read_text())
    got = _run(seed=1).summary
    assert set(got) == set(stored)
    for key, value in stored.items():
        assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-12, nan_ok=True), key


def test_per_cop_last_quarter_quality_combines_to_the_pooled_one():
    """Each CoP's own last-quarter care quality, weighted by its encounters, is the pooled value."""
    res = _run("n_cops=3", "weeks=26", seed=2)
    per_cop = res.meta["per_cop"]
    last = per_cop[per_cop["week"] >= 26 - 13]  # the last 13 weeks: 13 .. 25
    enc = last.groupby("cop")["encounters"].sum()
    means = {c: res.summary[f"care_quality_last_quarter|cop={c}"] for c in enc.index}
    pooled = sum(means[c] * enc[c] for c in enc.index) / enc.sum()
    assert pooled == pytest.approx(res.summary["care_quality_last_quarter"], rel=1e-12)
    assert len(set(means.values())) == 3  # sites differ
    for c in enc.index:  # a standard error of a mean of 13 weeks: positive, well below the spread of weeks
        se = res.summary[f"care_quality_last_quarter_se|cop={c}"]
        assert 0 < se < last.loc[last["cop"] == c, "care_quality"].std()


def test_the_frames_are_built_only_when_read_and_then_kept():
    res = _run("n_cops=2", "weeks=8", seed=3)
    assert isinstance(dict.__getitem__(res.meta, "per_cop"), Lazy)  # a sweep never pays for it
    first = res.meta["per_cop"]
    assert res.meta.get("per_cop") is first and len(first) == 2 * 9
    assert res.meta.get("absent", 7) == 7
    # the weekly series: a sweep stores the arrays; the frame holds exactly the same columns
    cols = res.series_columns()
    assert isinstance(res._timeseries, Lazy)
    frame = res.timeseries
    assert res.timeseries is frame and list(frame.columns) == list(cols)
    for c in frame.columns:
        assert frame[c].dtype == cols[c].dtype
        assert np.array_equal(frame[c].to_numpy(), cols[c], equal_nan=True)


def test_with_every_0_3_mechanism_off_the_summary_is_0_2_0s_bit_for_bit():
    """Reviews, the keep rule, visit time, travelling plans and pathways off: 0.2.0's numbers."""
    from conftest import V020, differs_from_v020

    assert differs_from_v020(_run(*V020).summary) == []
