"""March (1991) Figure 1 through the CoP model's own mechanisms (``cop-sim dock --model cop``)."""

from __future__ import annotations

import numpy as np
import pytest

from cop_sim import scenario
from cop_sim.cli import main
from cop_sim.cop import dock
from cop_sim.cop.codelearning import preference, prescription
from cop_sim.cop.model import CopModel
from cop_sim.march.docking import TOL_PUBLISHED, published

FEW = [(0.5, 0.1), (0.5, 0.9), (0.9, 0.9)]  # (p2, p1): fast cells, both ends of the p2 = .5 curve


def _model(*pairs: str) -> CopModel:
    return CopModel(scenario.load(dock.SCENARIO, ["n_cops=3", *pairs]), 1991)


def test_few_cells_dock_within_tolerance_of_the_figure():
    table = dock.judge(dock.reproduce(60, 1991, cells=FEW))
    assert len(table) == 3
    assert table["within"].all(), table[["p2", "p1", "code_knowledge", "published"]]
    assert (table["unsettled_share"] == 0).all()  # every CoP reached equilibrium
    # March's finding: slow socialisation pays when the code learns fast enough
    p5 = table[table["p2"] == 0.5].set_index("p1")["code_knowledge"]
    assert p5[0.1] - p5[0.9] > 0.1


def test_a_different_code_learning_rule_or_rate_changes_the_result():
    cell = [(0.5, 0.9)]
    base = dock.reproduce(40, 1991, cells=cell)["code_knowledge"].iloc[0]
    slower = dock.reproduce(40, 1991, cells=cell, pairs=["repository.score_rate=0.5"])
    assert slower["code_knowledge"].iloc[0] != base
    # the repository learning from the consensus instead: nothing is ever prescribed or adopted
    consensus = dock.reproduce(40, 1991, cells=cell, pairs=["repository.learning=consensus", "weeks=40"])
    assert abs(consensus["code_knowledge"].iloc[0] - base) > 0.2


def test_uninformed_beliefs_are_march_s_thirds():
    m = _model()
    pref = preference(m.pr.mu)[:, 0, :]
    shares = [(pref == v).mean() for v in (-1, 0, 1)]
    assert np.allclose(shares, 1 / 3, atol=0.04)
    assert (prescription(m.cp) == -1).all()  # the code starts neutral


def test_stepwise_socialisation_moves_one_step_towards_the_code():
    from cop_sim.cop.codelearning import socialise

    m = _model("repository.use=1.0")
    cp, pr = m.cp, m.pr
    cp.R_mu[:, 0, :, :] = [0.0, 1.0]  # every code prescribes practice 1
    cp.R_prec[:] = 1.0
    before = preference(pr.mu)[:, 0, :]
    socialise(m.k.pr, m.k.cp, 1.0, m.cop_streams("socialise"))
    after = preference(pr.mu)[:, 0, :]
    assert (after[before == 0] == -1).all()  # practice 0 -> no preference
    assert (after[before == -1] == 1).all()  # no preference -> the code's practice
    assert (after[before == 1] == 1).all()


def test_superior_members_are_judged_by_observed_results_only():
    # with noisy observation a member can look superior by luck: the code then learns noise
    noisy = dock.reproduce(20, 1991, cells=[(0.9, 0.5)], pairs=["practice.observation_noise=0.3", "weeks=60"])
    clean = dock.reproduce(20, 1991, cells=[(0.9, 0.5)])
    assert noisy["code_knowledge"].iloc[0] < clean["code_knowledge"].iloc[0] - 0.05
    assert noisy["unsettled_share"].iloc[0] == 1.0  # not absorbing: never declared settled


def test_defaults_do_not_stop_early_or_learn_from_the_superior_group():
    m = CopModel(scenario.load(dock.SCENARIO.parent / "default.toml", ["weeks=4", "burn_in=0"]), 1)
    assert not m.absorbing and not m.equilibrium().any()
    assert not m.kn.superior and not m.kn.stepwise and m.kn.replan == 0.0 and m.kn.experience == 1.0


def test_dock_model_cop_rejects_a_target_and_a_bad_scenario(tmp_path, capsys):
    assert main(["dock", "--model", "cop", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert main(["dock", "--model", "cop", "--scenario", str(tmp_path / "none.toml"),
                 "--out", str(tmp_path / "o2")]) == 2
    assert main(["dock", "--scenario", str(dock.SCENARIO), "--out", str(tmp_path / "o3")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "no such scenario file" in err and "--model cop" in err


def test_stepwise_use_above_one_is_refused(tmp_path, capsys):
    assert main(["run", str(dock.SCENARIO), "--out", str(tmp_path / "r"), "--set", "repository.use=1.5"]) == 2
    assert "repository.use" in capsys.readouterr().err


@pytest.mark.full
def test_the_whole_grid_docks():
    table = dock.judge(dock.reproduce(200, 1991))
    assert len(table) == len(published()) == 27
    assert table["within"].all(), table[~table["within"]]
    assert table["diff_published"].abs().max() <= TOL_PUBLISHED
