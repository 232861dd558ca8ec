"""The registry of model kinds a scenario can name (what a run returns is :mod:`cop_sim.result`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cop_sim.params import InputError, Spec
from cop_sim.result import RunResult


@dataclass(frozen=True)
class ModelKind:
    """A model a scenario can select with ``model = "..."``.

    Each entry point is a small function below whose body imports the model's module, so that
    ``cop-sim --help`` loads no model and a reader can follow a run from here to its kernels.
    """

    name: str
    load_spec: Callable[[], Spec]
    run: Callable[[dict, int], RunResult]
    load_outcomes: Callable[[], tuple[str, ...]]
    complete: Callable[[dict, str], dict] | None = None  # cross-key checks
    preload: tuple[str, ...] = ()  # modules a local sweep's fork server imports for warm workers
    migrations: Callable[[], dict[str, str]] | None = None  # removed keys -> what replaced them
    load_ranges: Callable[[], dict[str, tuple[float, float]]] | None = None  # series column -> (lo, hi)

    @property
    def spec(self) -> Spec:
        """The model's parameter spec tree."""
        return self.load_spec()

    def simulate(self, resolved: dict, seed: int) -> RunResult:
        """Run the model on a resolved scenario with one seed."""
        return self.run(resolved, seed)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The summary keys every run of this model returns."""
        return tuple(self.load_outcomes())

    def valid_range(self, column: str) -> tuple[float, float]:
        """The values a column of the model's weekly (or per-CoP) series can take, ``(lo, hi)``."""
        ranges = self.load_ranges() if self.load_ranges else {}
        return ranges.get(column, (-float("inf"), float("inf")))

    def check(self, resolved: dict, source: str) -> dict:
        """Cross-key consistency checks; returns the (possibly completed) resolved dict."""
        return resolved if self.complete is None else self.complete(resolved, source)

    def migration(self, key: str) -> str | None:
        """What replaced a key this model no longer has, or None."""
        return (self.migrations() if self.migrations else {}).get(key)


# The CoP model: clinicians learn what works from what happens to their patients (cop_sim/cop/).
def _cop_spec() -> Spec:
    from cop_sim.cop.spec import SPEC

    return SPEC


def _cop_run(resolved: dict, seed: int) -> RunResult:
    from cop_sim.cop.simulate import simulate as run

    return run(resolved, seed)


def _cop_outcomes() -> tuple[str, ...]:
    from cop_sim.cop.careteam import TEAM_KEYS
    from cop_sim.cop.outcomes import SUMMARY_KEYS

    return SUMMARY_KEYS + TEAM_KEYS


def _cop_complete(resolved: dict, source: str) -> dict:
    from cop_sim.cop.checks import complete

    return complete(resolved, source)


def _cop_ranges() -> dict[str, tuple[float, float]]:
    from cop_sim.cop.outcomes import RANGES

    return RANGES


def _cop_migrations() -> dict[str, str]:
    from cop_sim.cop.migrations import MIGRATIONS

    return MIGRATIONS


# March (1991), for docking.
def _march_spec() -> Spec:
    from cop_sim.march.params import SPEC

    return SPEC


def _march_run(resolved: dict, seed: int) -> RunResult:
    from cop_sim.march.simulate import simulate as run

    return run(resolved, seed)


def _march_outcomes() -> tuple[str, ...]:
    from cop_sim.march.simulate import SUMMARY_KEYS

    return SUMMARY_KEYS


def _march_ranges() -> dict[str, tuple[float, float]]:
    from cop_sim.march.simulate import RANGES

    return RANGES


# A toy with a known answer, for testing the robustness machinery.
def _toy_spec() -> Spec:
    from cop_sim.toy.params import SPEC

    return SPEC


def _toy_run(resolved: dict, seed: int) -> RunResult:
    from cop_sim.toy.simulate import simulate as run

    return run(resolved, seed)


def _toy_outcomes() -> tuple[str, ...]:
    from cop_sim.toy.simulate import SUMMARY_KEYS

    return SUMMARY_KEYS


def _toy_ranges() -> dict[str, tuple[float, float]]:
    from cop_sim.toy.simulate import RANGES

    return RANGES


MODELS: dict[str, ModelKind] = {
    "cop": ModelKind("cop", _cop_spec, _cop_run, _cop_outcomes, _cop_complete,
                     ("cop_sim.cop.simulate", "cop_sim.cop.warm"), _cop_migrations, _cop_ranges),
    "march1991": ModelKind("march1991", _march_spec, _march_run, _march_outcomes, None,
                           ("cop_sim.march.simulate",), load_ranges=_march_ranges),
    "toy": ModelKind("toy", _toy_spec, _toy_run, _toy_outcomes, None, ("cop_sim.toy.simulate",),
                     load_ranges=_toy_ranges),
}


def get(name: str, source: str = "") -> ModelKind:
    """The model kind called ``name`` or an InputError listing the known ones."""
    if name not in MODELS:
        raise InputError(source, "model", f"unknown model {name!r}; allowed: {', '.join(MODELS)}")
    return MODELS[name]


def simulate(resolved: dict, seed: int) -> RunResult:
    """Run a resolved scenario of any model kind with one seed (a pure function)."""
    return get(resolved.get("model", "cop")).simulate(resolved, seed)
