"""Importing this module loads the CoP model's compiled kernels into the process.

A local sweep's fork server imports it once, so every worker it forks starts with the
kernels in memory instead of each loading them from Numba's cache.
"""

from __future__ import annotations

from cop_sim import scenario
from cop_sim.cop import careteam
from cop_sim.cop.model import CopModel


def warm_up() -> None:
    """Run a small model with a burn-in, a meeting, a session and turnover, so every kernel is loaded."""
    raw = {"name": "warm-up", "n_cops": 2, "weeks": 3, "burn_in": 1, "cop": {"calendar": {"start_week": 1}},
           "learning_community": {"enabled": True, "calendar": {"every_weeks": 1, "start_week": 1}},
           "turnover": {"annual_rate": 0.99}}
    model = CopModel(scenario.resolve(raw, "<warm-up>"), 0)
    while model.running:
        model.step()
    careteam.table(model.world, model.pr, model.pa, 1.0)  # the summary's compiled pass


warm_up()
