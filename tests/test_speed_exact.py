"""Speed changes that must not change a float: the weekly belief pass against its plain formula.

``upkeep.beliefs_week`` walks contiguous rows and skips the repository update in (CoP, belief
context) rows where the repository holds nothing. Every cell must still get exactly the
operations it always got: p <- max(p * (1 - forgetting), 1e-3), then, where the CoP's repository
has written the cell, p <- p + w and m <- m + w * (R_mu - m) / p. NumPy's elementwise arithmetic
gives the same IEEE results as the kernel's scalar arithmetic (no fused multiply-add), so the
comparison is exact.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cop_sim import scenario
from cop_sim.cop import upkeep
from cop_sim.cop.model import CopModel

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios" / "default.toml"


def _reference(mu, prec, cop, R_mu, R_prec, use, forgetting):
    """The weekly pass as it was written cell by cell, in NumPy."""
    prec = np.maximum(prec * (1.0 - forgetting), 1e-3)
    mu = mu.copy()
    if use > 0.0:
        w = R_prec[cop] > 0.0
        prec = np.where(w, prec + use, prec)
        mu = np.where(w, mu + use * (R_mu[cop] - mu) / prec, mu)
    return mu, prec


@pytest.mark.parametrize("use", [0.0, 0.02, 0.7])
def test_the_weekly_belief_pass_is_the_plain_formula_cell_for_cell(use):
    m = CopModel(scenario.load(DEFAULT, ["burn_in=0", "weeks=4"]), 3)
    rng = np.random.default_rng(0)
    pr, cp = m.pr, m.cp
    pr.prec[:] = rng.uniform(5e-4, 20.0, pr.prec.shape)  # some below the floor of 1e-3
    pr.mu[:] = rng.uniform(0.0, 1.0, pr.mu.shape)
    # the repository written in scattered cells of some (CoP, context) rows, nothing in the others
    cells = rng.random(cp.R_prec.shape) < 0.3
    cells[:, 1:3] = False  # whole rows without a written cell: the pass skips them
    cp.R_prec[:] = np.where(cells, rng.uniform(0.1, 3.0, cells.shape), 0.0)
    cp.R_mu[:] = np.where(cells, rng.uniform(0.0, 1.0, cells.shape), 0.0)
    want_mu, want_prec = _reference(pr.mu, pr.prec, pr.cop, cp.R_mu, cp.R_prec, use, 0.005)
    untouched = pr.mu.copy()
    upkeep.beliefs_week(m.k.pr, m.k.cp, use, 0.005)
    assert np.array_equal(pr.prec, want_prec)
    assert np.array_equal(pr.mu, want_mu)
    moved = (pr.mu != untouched).any()
    assert moved == (use > 0.0)  # the repository did move beliefs when used, and only then


@pytest.mark.parametrize("use", [0.0, 0.7])
def test_the_flagged_belief_pass_is_the_plain_formula_and_flags_whose_preference_moved(use):
    """With repository-triggered reviews the floats are the same, and exactly the practitioners
    whose preferred practice (first of equals) moved on some topic are flagged from the week given."""
    m = CopModel(scenario.load(DEFAULT, ["burn_in=0", "weeks=4"]), 3)
    rng = np.random.default_rng(1)
    pr, cp = m.pr, m.cp
    pr.prec[:] = rng.uniform(5e-4, 20.0, pr.prec.shape)
    pr.mu[:] = rng.uniform(0.0, 1.0, pr.mu.shape)
    cells = rng.random(cp.R_prec.shape) < 0.05
    cells[:, 1:3] = False
    cp.R_prec[:] = np.where(cells, rng.uniform(0.1, 3.0, cells.shape), 0.0)
    cp.R_mu[:] = np.where(cells, rng.uniform(0.0, 1.0, cells.shape), 0.0)
    already = rng.random(len(pr.cop)) < 0.25  # flagged before: stay as they were
    pr.review_from[:] = np.where(already, 9, -1)
    want_mu, want_prec = _reference(pr.mu, pr.prec, pr.cop, cp.R_mu, cp.R_prec, use, 0.005)
    moved = (np.argmax(pr.mu, axis=3) != np.argmax(want_mu, axis=3)).any(axis=(1, 2))
    upkeep.beliefs_week(m.k.pr, m.k.cp, use, 0.005, 7)
    assert np.array_equal(pr.prec, want_prec)
    assert np.array_equal(pr.mu, want_mu)
    want_flag = np.where(already, 9, np.where(moved, 7, -1))
    assert np.array_equal(pr.review_from, want_flag)
    assert (want_flag == 7).any() == (use > 0.0)  # some were flagged when the repository was used
