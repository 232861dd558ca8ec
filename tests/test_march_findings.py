"""March (1991): heterogeneity, turnover and turbulence findings, and the update rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cop_sim import scenario
from cop_sim.march.model import MarchModel
from cop_sim.march.params import SPEC
from cop_sim.march.simulate import simulate
from cop_sim.params import InputError, defaults


def run(seed: int = 11, **over):
    resolved = defaults(SPEC) | {"iterations": 400} | over
    return simulate(resolved, seed)


def test_mix_of_fast_and_slow_learners_beats_homogeneous_population():
    """At the same mean socialisation rate (.5), half .1 and half .9 gives the code more."""
    mixed = run(p1=0.1, p2=0.5, mix={"fast_share": 0.5, "p1_fast": 0.9}).summary
    homogeneous = run(p1=0.5, p2=0.5).summary
    assert mixed["unsettled_share"] == homogeneous["unsettled_share"] == 0.0
    assert mixed["code_knowledge"] - homogeneous["code_knowledge"] > 0.05


def test_modest_turnover_helps_fast_socialisation_not_slow():
    """Period-20 code knowledge with p2 = .5: turnover p3 = .1 against none."""
    def k(p1, p3):
        return run(p1=p1, p2=0.5, p3=p3, periods=20, until_equilibrium=False).summary["code_knowledge"]

    assert k(0.9, 0.1) - k(0.9, 0.0) > 0.05
    assert k(0.1, 0.0) - k(0.1, 0.1) > 0.02


def test_turbulence_without_turnover_erodes_the_code():
    """p4 = .02: knowledge peaks early, then decays; turnover (p3 = .1) holds it up."""
    still = run(p1=0.5, p2=0.5, p4=0.02, periods=100, iterations=200)
    ts = still.timeseries
    assert ts["code_knowledge"].idxmax() < 30
    assert still.summary["code_knowledge_peak"] > 0.55
    assert still.summary["code_knowledge"] < 0.15
    renewed = run(p1=0.5, p2=0.5, p3=0.1, p4=0.02, periods=100, iterations=200)
    assert renewed.summary["code_knowledge"] > 0.45


def test_equilibrium_is_reached_and_shared():
    res = run(p1=0.5, p2=0.5, iterations=200)
    s = res.summary
    assert s["unsettled_share"] == 0.0
    assert s["individual_knowledge"] == pytest.approx(s["code_knowledge"])
    assert res.timeseries["settled_share"].iloc[-1] == 1.0
    assert res.timeseries["code_neutral_share"].iloc[-1] == 0.0


def test_same_seed_same_bits_other_seed_other_result():
    over = {"p1": 0.3, "p3": 0.05, "p4": 0.01, "periods": 60, "iterations": 100,
            "mix": {"fast_share": 0.3, "p1_fast": 0.9}}
    a, b, c = run(5, **over), run(5, **over), run(6, **over)
    pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)
    assert a.summary == b.summary
    assert not a.timeseries["code_knowledge"].equals(c.timeseries["code_knowledge"])


def _orgs(beliefs: list[list[int]], code: list[int], reality: list[int], p1: float = 1.0,
          p2: float = 1.0, iterations: int = 1) -> MarchModel:
    """Organisations all set to one given state (same beliefs, code and reality)."""
    m, n = len(code), len(beliefs)
    model = MarchModel(m, n, np.full(n, p1), p2, 0.0, 0.0, iterations, seed=3)
    model.beliefs[:] = np.array(beliefs, dtype=np.int8)
    model.code[:] = np.array(code, dtype=np.int8)
    model.reality[:] = np.array(reality, dtype=np.int8)
    return model


def _learn(model: MarchModel, actions: list[list[int]]) -> None:
    acts = np.broadcast_to(np.array(actions, dtype=np.int8), model.beliefs.shape).copy()
    model._learn_code(acts, (acts * model.reality[:, None, :]).sum(-1))


def test_socialisation_moves_one_step_towards_a_non_zero_code():
    model = _orgs([[-1, 0, 1, -1]], code=[1, -1, 0, -1], reality=[1, 1, 1, 1])
    model._socialise()
    assert model.beliefs[0, 0].tolist() == [0, -1, 1, -1]
    agent = next(iter(model.agents))
    assert agent.beliefs.tolist() == [[0, -1, 1, -1]]  # the agent's row of the model's array


def test_only_individuals_scoring_strictly_above_the_code_teach_it():
    # The code scores 2; two individuals tie it and would outvote the one superior on dim 2.
    acts = [[1, 1, -1, 1], [1, 1, -1, 1], [1, 1, 1, 1]]
    model = _orgs(acts, code=[1, 1, 0, 0], reality=[1, 1, 1, 1])
    _learn(model, acts)
    assert model.code[0].tolist() == [1, 1, 1, 1]


def test_a_tied_superior_group_leaves_the_code_alone():
    acts = [[1, 1, 1, -1], [1, 1, -1, 1]]  # both superior (2 > 0); split on dims 2 and 3
    model = _orgs(acts, code=[0, 0, 0, 0], reality=[1, 1, 1, 1])
    _learn(model, acts)
    assert model.code[0].tolist() == [1, 1, 0, 0]


@pytest.mark.parametrize(("acts", "chance"), [([[1], [1], [1]], 1 - 0.5**3), ([[1], [1], [-1]], 0.5)])
def test_code_adopts_with_probability_one_minus_one_minus_p2_to_the_k(acts, chance):
    """k is the majority's margin: 3 for and none against gives k = 3; 2 against 1, k = 1."""
    model = _orgs(acts, code=[0], reality=[1], p2=0.5, iterations=8000)
    model.code[:] = 0
    # Score every individual above the code (0) so all three vote.
    actions = np.broadcast_to(np.array(acts, dtype=np.int8), model.beliefs.shape).copy()
    model._learn_code(actions, np.ones(actions.shape[:2], dtype=np.int32))
    assert (model.code[:, 0] == 1).mean() == pytest.approx(chance, abs=0.02)


@pytest.mark.parametrize("text", ['p1 = 1.5', 'p2 = "fast"', 'horizon = 80', 'n = 0',
                                  '[mix]\nfast_share = -0.1'])
def test_bad_input_is_an_input_error(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(f'model = "march1991"\n{text}\n')
    with pytest.raises(InputError):
        scenario.load(path)
