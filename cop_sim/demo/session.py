"""Building and running models for the demo from a scenario file and the panel's values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from cop_sim import scenario
from cop_sim.demo.controls import overrides


def resolve(path: str | Path, values: dict[str, Any] | None = None) -> dict:
    """The scenario with the panel's values applied (raises ``InputError`` on bad input)."""
    return scenario.load(path, overrides(values or {}))


def build(path: str | Path, values: dict[str, Any] | None = None) -> Any:
    """A fresh CopModel at week 0 for the scenario and the panel's values."""
    from cop_sim.model import CopModel  # the model is heavy; the CLI should not pay for it

    resolved = resolve(path, values)
    return CopModel(resolved, int(resolved["seed"]))


def run_to_end(path: str | Path, values: dict[str, Any], seeds: int = 1) -> list[pd.DataFrame]:
    """Weekly records of whole runs, one per seed (the panel's seed, then the next ones)."""
    base = int(values.get("seed", resolve(path, values)["seed"]))
    frames = []
    for k in range(seeds):
        model = build(path, {**values, "seed": base + k})
        while model.running:
            model.step()
        frames.append(model.recorder.frame())
    return frames
