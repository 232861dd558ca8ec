"""An experiment may only name outcomes its model's runs return."""

from __future__ import annotations

from pathlib import Path

import pytest

from cop_sim import models
from cop_sim.experiment import load_experiment
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parent.parent


def test_unknown_outcome_is_refused_with_a_suggestion(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(f"""
[experiment]
name = "x"
scenario = "{ROOT / 'scenarios/default.toml'}"
replications = 2
master_seed = 1
outcomes = ["care_qualty"]
[sampler]
method = "grid"
[[factors]]
key = "cop.moderator_skill"
levels = [0.2, 0.8]
""")
    with pytest.raises(InputError) as err:
        load_experiment(path)
    assert err.value.key == "experiment.outcomes[0]" and "Did you mean 'care_quality'" in str(err.value)


@pytest.mark.parametrize("name", sorted(models.MODELS))
def test_every_shipped_experiment_names_real_outcomes(name):
    known = set(models.get(name).outcomes)
    assert known
    for path in sorted((ROOT / "experiments").rglob("*.toml")):
        spec = load_experiment(path)
        if spec.model == name:
            assert set(spec.outcomes) <= known, path
