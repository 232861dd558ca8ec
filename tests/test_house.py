"""The house: what a run returns has its own module, and the model imports no registry."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["cop_sim.cop.simulate", "cop_sim.march.simulate", "cop_sim.toy.simulate"])
def test_a_model_does_not_import_the_registry(module):
    # a fresh interpreter: in this one another test may already have imported the registry
    code = f"import sys, {module}; print('cop_sim.models' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_registry_hands_out_the_same_result_class():
    from cop_sim import models, result

    assert models.RunResult is result.RunResult


def test_every_function_the_odd_names_exists():
    """ODD drift: ``module.name`` in docs/ODD.md names a function of that module of cop_sim/cop."""
    import importlib
    import re
    from pathlib import Path

    from cop_sim.cop.model import CopModel

    text = (Path(__file__).resolve().parents[1] / "docs" / "ODD.md").read_text()
    mods = ("care", "plan", "judge", "stories", "upkeep", "week", "queue", "tally", "outcomes", "population",
            "codelearning", "agents", "calendar", "events")
    named = set(re.findall(rf"`((?:CopModel|{'|'.join(mods)})\.[A-Za-z_]\w*)`", text))
    assert len(named) > 10  # the pattern still finds the ODD's references
    model_src = (Path(__file__).resolve().parents[1] / "cop_sim" / "cop" / "model.py").read_text()

    def exists(ref: str) -> bool:
        owner, name = ref.split(".")
        if owner == "CopModel":  # a method, property or attribute the model sets
            return hasattr(CopModel, name) or f"self.{name} =" in model_src or f"self.{name}:" in model_src
        return hasattr(importlib.import_module(f"cop_sim.cop.{owner}"), name)

    missing = [r for r in sorted(named) if not exists(r)]
    assert missing == []
    assert "CopModel2" not in text and "does not reach the representative" not in text


def _counting_expansions(monkeypatch) -> list[int]:
    """Count calls of composition.expand_cops, under every name a module of cop_sim imported it by."""
    from cop_sim import composition

    calls: list[int] = []
    orig = composition.expand_cops

    def counted(*args, **kwargs):
        calls.append(1)
        return orig(*args, **kwargs)

    for name, mod in list(sys.modules.items()):
        if name.startswith("cop_sim") and getattr(mod, "expand_cops", None) is orig:
            monkeypatch.setattr(mod, "expand_cops", counted)
    return calls


@pytest.mark.parametrize(("path", "n_stages"), [("default.toml", 0), ("first_scenario.toml", 1)])
def test_the_scenario_is_expanded_once_and_the_model_takes_it_as_given(monkeypatch, path, n_stages):
    """The [cop] template is expanded once per scenario and once per event week, never by the run."""
    from pathlib import Path

    from cop_sim import models, scenario
    from cop_sim.cop import model  # noqa: F401 (imported before counting, as a run would)

    calls = _counting_expansions(monkeypatch)
    resolved = scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / path, ["weeks=30"])
    assert len(resolved.stages) == n_stages
    assert len(calls) == 1 + n_stages  # the body's check, then each stage's
    calls.clear()
    models.simulate(resolved, 1)
    assert calls == []  # the model reads resolved.cops and stage.cops
    renamed = scenario.renamed(resolved, "other")
    assert calls == [] and renamed.cops == resolved.cops and renamed.stages == resolved.stages


def test_a_scenario_keeps_its_cops_through_a_pickle():
    import pickle
    from pathlib import Path

    from cop_sim import scenario

    resolved = scenario.load(Path(__file__).resolve().parents[1] / "scenarios" / "first_scenario.toml")
    back = pickle.loads(pickle.dumps(resolved))
    assert back == resolved and back.cops == resolved.cops
    assert [c["name"] for c in back.cops] == ["north", "south"]
    assert back.stages[0].cops[1]["moderators"] == 0  # the event's stage carries its own CoPs

