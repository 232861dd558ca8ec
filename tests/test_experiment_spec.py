"""Experiment files: valid ones load; bad ones exit 2 naming the file and key, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cop_sim import models
from cop_sim.cli import main
from cop_sim.experiment import load_experiment
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "default.toml"

GOOD = f"""
[experiment]
name = "t"
scenario = "{SCENARIO}"
replications = 2
master_seed = 1
weeks = 4
outcomes = ["care_quality"]

[sampler]
method = "grid"

[[factors]]
key = "cop.moderator_skill"
levels = [0.2, 0.8]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("shipped", sorted((ROOT / "experiments").glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_experiments_load(shipped):
    spec = load_experiment(shipped)
    assert spec.factors and spec.outcomes


BAD = {
    "unknown key with suggestion": (GOOD.replace("replications = 2", "replicatons = 2"),
                                    "experiment.replicatons", "Did you mean 'replications'"),
    "wrong type": (GOOD.replace("replications = 2", 'replications = "two"'),
                   "experiment.replications", "an integer"),
    "out of range": (GOOD.replace("replications = 2", "replications = 0"),
                     "experiment.replications", "[1, 100000]"),
    "unknown factor key": (GOOD.replace('key = "cop.moderator_skill"', 'key = "cop.moderater_skill"'),
                           "factors[0].key", "Did you mean 'cop.moderator_skill'"),
    "level out of the parameter's range": (GOOD.replace("[0.2, 0.8]", "[0.2, 1.5]"),
                                           "factors[0].levels[1]", "[0.0, 1.0]"),
    "unknown sampler": (GOOD.replace('method = "grid"', 'method = "sobel"'),
                        "sampler.method", "'sobol'"),
    "missing scenario": (GOOD.replace(str(SCENARIO), "nowhere.toml"),
                         "experiment.scenario", "no such file"),
    "bool factor in a sampled design": (
        GOOD.replace('method = "grid"', 'method = "lhs"\nn = 4')
            .replace('key = "cop.moderator_skill"\nlevels = [0.2, 0.8]',
                     'key = "cop.mentor"\nlo = 0\nhi = 1'),
        "factors[0].key", "use method = \"grid\""),
    "unknown [set] key": (GOOD + '\n[set]\n"cop.preparaton" = 0.5\n', "set.cop.preparaton",
                          "Did you mean"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_experiment_exits_2_naming_file_and_key(tmp_path, capsys, case):
    text, key, hint = BAD[case]
    path = write(tmp_path, text)
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cop-sim: error: ") and str(path) in err
    assert f"'{key}" in err and hint in err, err
    assert not (tmp_path / "out").exists()  # nothing ran


def test_bad_file_gives_no_traceback_from_the_command(tmp_path):
    path = write(tmp_path, GOOD.replace('method = "grid"', 'method = "sobel"'))
    out = subprocess.run([sys.executable, "-m", "cop_sim", "sweep", str(path)], capture_output=True,
                         text=True, cwd=tmp_path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and "sampler.method" in out.stderr


def test_unknown_outcome_is_refused_with_a_suggestion(tmp_path):
    with pytest.raises(InputError) as err:
        load_experiment(write(tmp_path, GOOD.replace('["care_quality"]', '["care_qualty"]')))
    assert err.value.key == "experiment.outcomes[0]" and "Did you mean 'care_quality'" in str(err.value)


# pattern files the model cannot express yet state a pattern but have no [experiment];
# experiments/calibration/ holds calibration files (cop-sim calibrate), not sweeps
RUNNABLE = sorted(p for p in (ROOT / "experiments").rglob("*.toml")
                  if "[experiment]" in p.read_text() and "calibration" not in p.parts)


@pytest.mark.parametrize("shipped", RUNNABLE, ids=lambda p: p.stem)
def test_shipped_experiments_name_outcomes_their_model_returns(shipped):
    spec = load_experiment(shipped)
    assert set(spec.outcomes) <= set(models.get(spec.model).outcomes)
