"""Importing this module loads the model's compiled kernels into the process.

A local sweep's fork server imports it once, so every worker it forks starts with the
kernels in memory instead of each loading them from Numba's cache (about 0.4 s a worker).
"""

from __future__ import annotations

from cop_sim import scenario
from cop_sim.model import CopModel


def warm_up() -> None:
    """Run a one-CoP model for three weeks, with a meeting, so that every kernel is loaded."""
    raw = {"name": "warm-up", "n_cops": 1, "weeks": 3, "cop": {"calendar": {"start_week": 1}}}
    model = CopModel(scenario.resolve(raw, "<warm-up>"), 0)
    while model.running:
        model.step()


warm_up()
