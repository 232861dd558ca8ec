"""The advice and referral network: built to its density and clustering; advice only along ties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop import network
from cop_sim.cop.model import CopModel
from tests.conftest import V020, differs_from_v020

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"


@pytest.mark.parametrize("dens, clus", [(0.1, 0.1), (0.1, 0.4), (0.3, 0.3), (0.3, 0.6)])
def test_a_cops_ties_have_the_density_and_clustering_asked_for(dens, clus):
    rng = np.random.default_rng(11)
    adj = network.within(60, dens, clus, rng)
    assert np.array_equal(adj, adj.T) and not adj.diagonal().any()
    assert network.density(adj) == pytest.approx(dens, abs=0.002)  # the tie count is exact
    assert network.clustering(adj) == pytest.approx(clus, abs=0.03)


def test_between_cop_ties_have_the_density_asked_for():
    members = np.arange(400).reshape(8, 50)
    cop = np.repeat(np.arange(8), 50)
    resolved = {"network": {"enabled": True, "within_density": 0.0, "within_clustering": 0.0,
                            "between_density": 0.05}}
    ties = network.build(resolved, members, cop, [np.random.default_rng(c) for c in range(8)])
    pairs = {(i, j) for i in range(400) for j in ties[i] if j >= 0}
    assert all((j, i) in pairs for i, j in pairs)  # undirected
    assert all(cop[i] != cop[j] for i, j in pairs)  # no tie within a CoP at density 0
    possible = 400 * 350  # ordered pairs in different CoPs
    assert len(pairs) / possible == pytest.approx(0.05, rel=0.1)


def test_advice_and_joint_plans_go_only_along_ties():
    pairs = ["weeks=6", "n_cops=2", "network.enabled=true", "network.within_density=0.15",
             "network.between_density=0.02", "practice.coordination_rate=5", "practice.collaboration_rate=5",
             "team.size=1"]  # single-handed: a care team's members are owed visits without a tie
    m = CopModel(scenario.load(DEFAULT, pairs), 2)
    tied = np.zeros((len(m.pr.disc),) * 2, dtype=bool)
    for i, row in enumerate(m.pr.ties):
        tied[i, row[row >= 0]] = True
    asked = 0
    for _ in range(6):
        m.step()
        # debts owed this week are to the colleagues who advised or planned jointly
        owed = np.flatnonzero(m.pr.debt > 0)
        asked += len(owed)
        assert tied[:, owed].any(axis=0).all()
        assert not (m.pr.debt[~tied.any(axis=0)] > 0).any()  # nobody untied was asked
    assert asked > 0


def test_network_off_is_the_stored_run_bit_for_bit():
    summary = models.simulate(scenario.load(DEFAULT, V020 + ["network.enabled=false"]), 1).summary
    assert differs_from_v020(summary) == []


def test_the_network_changes_who_is_asked():
    """Not hollow: a sparse network changes care from the most-trusted-member rule."""
    base = models.simulate(scenario.load(DEFAULT, ["weeks=26"]), 3).summary
    sparse = models.simulate(scenario.load(DEFAULT, ["weeks=26", "network.enabled=true",
                                                     "network.within_density=0.1"]), 3).summary
    assert sparse["coordination_share"] != base["coordination_share"]
