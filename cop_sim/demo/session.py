"""Building and running models for the demo from a scenario file and the panel's values.

The one place that names the model the demo runs (the CoP model): when its kind or class is
renamed, change :data:`KIND` and the import in :func:`model_class` here.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from cop_sim import scenario
from cop_sim.demo.controls import DEMO_ONLY, SENIOR_CHOICES, overrides
from cop_sim.demo.readings import set_senior_beliefs, true_practice_values
from cop_sim.demo.stories import StoryLog

KIND = "cop"  # the scenarios' ``model`` the demo runs
DEFAULT_SCENARIO = "default"  # the scenario the demo starts on (a file stem in scenarios/)


def model_class() -> type:
    """The model class (imported late: the model is heavy and the CLI should not pay for it)."""
    from cop_sim.cop.model import CopModel

    return CopModel


def resolve(path: str | Path, values: dict[str, Any] | None = None) -> dict:
    """The scenario with the panel's values applied (raises ``InputError`` on bad input)."""
    return scenario.load(path, overrides(values or {}))


class DemoRun:
    """A model being watched: stepped week by week, with the stories of each CoP's latest meeting.

    Attributes:
        model: The model itself (the CoP model).
        stories: Per CoP, the latest meeting's stories (see :mod:`cop_sim.demo.stories`).
    """

    def __init__(self, model: Any):
        self.model = model
        self.stories = StoryLog(len(model.cop_names))
        self._frames: dict[int, tuple[pd.DataFrame, pd.DataFrame]] = {}

    week = property(lambda self: self.model.week)
    horizon = property(lambda self: self.model.horizon)
    running = property(lambda self: self.model.running)
    cop_names = property(lambda self: self.model.cop_names)
    params = property(lambda self: self.model.params)

    def step(self) -> None:
        """One week, noting what was told at the week's meetings."""
        if not self.model.running:
            return
        self.stories.before(self.model)
        self.model.step()
        self.stories.after(self.model)

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The weekly record so far: pooled, and per CoP (one row per CoP and week)."""
        week = self.model.week
        if week not in self._frames:
            rec = self.model.recorder
            self._frames = {week: (rec.frame(), rec.cop_frame(self.model.cop_names))}
        return self._frames[week]

    @cached_property
    def truth(self) -> Any:
        """Mean true value of each practice by social context and topic (the world never changes)."""
        return true_practice_values(self.model)

    @cached_property
    def counts(self) -> dict[str, int]:
        """Who is in the run: practitioners, CoPs, moderators, patient representatives."""
        m = self.model
        return {"practitioners": len(m.pr.disc), "cops": len(m.cop_names),
                "moderators": sum(int(c["moderators"]) for c in m.cops),
                "representatives": int(m.cp.representative.sum())}


def build(path: str | Path, values: dict[str, Any] | None = None) -> DemoRun:
    """A fresh run at week 0 for the scenario and the panel's values."""
    values = values or {}
    resolved = resolve(path, values)
    model = model_class()(resolved, int(resolved["seed"]))
    set_senior_beliefs(model, values.get(DEMO_ONLY, SENIOR_CHOICES[0]))
    return DemoRun(model)


def run_to_end(path: str | Path, values: dict[str, Any], seeds: int = 1) -> list[pd.DataFrame]:
    """Weekly records of whole runs, one per seed (the panel's seed, then the next ones)."""
    base = int(values.get("seed", resolve(path, values)["seed"]))
    frames = []
    for k in range(seeds):
        run = build(path, {**values, "seed": base + k})
        while run.model.running:
            run.model.step()  # no story log: nobody watches these weeks
        frames.append(run.model.recorder.frame())
    return frames
