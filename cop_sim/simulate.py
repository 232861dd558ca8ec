"""One run of the CoP model as a pure function of a resolved scenario and a seed."""

from __future__ import annotations

from cop_sim.model import CopModel
from cop_sim.models import RunResult
from cop_sim.outcomes import PANELS, summarise


def simulate(resolved: dict, seed: int) -> RunResult:
    """Build the model, run it to the horizon, and return its time series and summary."""
    model = CopModel(resolved, seed)
    while model.running:
        model.step()
    timeseries = model.recorder.frame()
    summary = summarise(timeseries.to_numpy(dtype=float), model.state.n)
    return RunResult(timeseries, summary, {"panels": PANELS})
