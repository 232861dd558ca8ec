"""The registry of model kinds a scenario can name, and what a run returns."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cop_sim.params import InputError, Spec


@dataclass
class RunResult:
    """What one run returns: a weekly (or per-period) time series and summary scalars."""

    timeseries: pd.DataFrame
    summary: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelKind:
    """A model a scenario can select with ``model = "..."``."""

    name: str
    spec_path: str  # "module:attribute" of the parameter spec
    simulate_path: str  # "module:function(resolved, seed) -> RunResult"
    check_path: str | None = None  # "module:function(resolved, source)" cross-key checks
    outcomes_path: str | None = None  # "module:tuple" of the summary keys a run returns
    doc: str = ""
    preload: tuple[str, ...] = ()  # modules a local sweep's fork server imports for warm workers

    def _load(self, path: str) -> Any:
        module, attr = path.split(":")
        return getattr(importlib.import_module(module), attr)

    @property
    def spec(self) -> Spec:
        """The model's parameter spec tree."""
        return self._load(self.spec_path)

    def simulate(self, resolved: dict, seed: int) -> RunResult:
        """Run the model on a resolved scenario with one seed."""
        return self._load(self.simulate_path)(resolved, seed)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The summary keys every run of this model returns."""
        return tuple(self._load(self.outcomes_path)) if self.outcomes_path else ()

    def check(self, resolved: dict, source: str) -> dict:
        """Cross-key consistency checks; returns the (possibly completed) resolved dict."""
        if self.check_path is None:
            return resolved
        return self._load(self.check_path)(resolved, source)


MODELS: dict[str, ModelKind] = {
    "cop": ModelKind("cop", "cop_sim.defaults:SPEC", "cop_sim.simulate:simulate",
                     "cop_sim.composition:complete", "cop_sim.outcomes:SUMMARY_KEYS",
                     "communities of practice in primary care", ("cop_sim.warm",)),
    "cop2": ModelKind("cop2", "cop_sim.model2.spec:SPEC", "cop_sim.model2.simulate:simulate",
                      "cop_sim.model2.checks:complete", "cop_sim.model2.outcomes:SUMMARY_KEYS",
                      "Model 2: clinicians learn what works from what happens to their patients"),
    "march1991": ModelKind("march1991", "cop_sim.march.params:SPEC", "cop_sim.march.simulate:simulate",
                           None, "cop_sim.march.simulate:SUMMARY_KEYS",
                           "March (1991) exploration and exploitation, for docking"),
    "toy": ModelKind("toy", "cop_sim.toy.params:SPEC", "cop_sim.toy.simulate:simulate", None,
                     "cop_sim.toy.simulate:SUMMARY_KEYS",
                     "a toy with a known answer, for testing the robustness machinery"),
}


def get(name: str, source: str = "") -> ModelKind:
    """The model kind called ``name`` or an InputError listing the known ones."""
    if name not in MODELS:
        raise InputError(source, "model", f"unknown model {name!r}; allowed: {', '.join(MODELS)}")
    return MODELS[name]


def simulate(resolved: dict, seed: int) -> RunResult:
    """Run a resolved scenario of any model kind with one seed (a pure function)."""
    return get(resolved.get("model", "cop")).simulate(resolved, seed)
