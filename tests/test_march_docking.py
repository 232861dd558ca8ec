"""Docking with March (1991) Figure 1: every cell against the published or replicated value."""

from __future__ import annotations

import pytest

from cop_sim.march import docking

ITERATIONS = 500  # per cell; the standard error of a cell mean is then about 0.003-0.005


@pytest.fixture(scope="module")
def figure1():
    return docking.compare(docking.reproduce(ITERATIONS, seed=20240501))


def test_every_cell_docks(figure1):
    """Within 0.03 of the 10,000-iteration replication (p2 = .5), 0.05 of the figure elsewhere."""
    assert len(figure1) == 27
    rep = figure1[figure1["replication_10000"].notna()]
    assert len(rep) == 9 and (rep["p2"] == 0.5).all()
    assert (rep["tolerance"] == 0.03).all()
    bad = figure1[~figure1["within"]]
    assert bad.empty, "cells off the published values:\n" + docking.format_table(bad)
    assert figure1["code_knowledge_se"].max() < 0.01  # the check is decisive, not lucky


def test_slow_socialisation_pays_when_the_code_learns_fast(figure1):
    """March's first finding: with p2 = .5 or .9, equilibrium knowledge falls as p1 rises."""
    for p2 in (0.5, 0.9):
        curve = figure1[figure1["p2"] == p2].sort_values("p1")["code_knowledge"].to_numpy()
        assert curve[0] - curve[-1] > 0.15
        assert (curve[:-2] > curve[2:]).all()  # falling, allowing noise between neighbours
    # and when the code learns slowly, fast code learning no longer helps at high p1
    fast_p1 = figure1[figure1["p1"] == 0.9].set_index("p2")["code_knowledge"]
    slow_p1 = figure1[figure1["p1"] == 0.1].set_index("p2")["code_knowledge"]
    assert slow_p1[0.9] > slow_p1[0.5] > slow_p1[0.1]
    assert fast_p1[0.1] > fast_p1[0.9]
