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
