"""``cop-sim validate --robustness N --priors-from FILE``: draw exactly a file's keys over its ranges.

Checked on the toy model, whose treatment raises y exactly where ``split`` > 0.5 (prior [0, 1]):
over a priors file that draws ``split`` only from [0.6, 1] the pattern must hold at every draw,
and the other keys with a prior must stay at their defaults.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cop_sim.cli import main
from cop_sim.experiment import load_experiment
from cop_sim.experiment.crossed import leaves, lhs_draws
from cop_sim.params import InputError
from cop_sim.validation.priors_file import read_priors

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "experiments" / "toy"


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "priors.toml"
    path.write_text(body)
    return path


def test_lhs_draws_only_the_files_keys_over_its_ranges(tmp_path):
    spec = load_experiment(TOY / "T1_known_answer.toml")
    priors = read_priors(_file(tmp_path, '[priors]\nsplit = [0.6, 1.0]\nrate = [0.01, 0.02, "loguniform"]\n'),
                         leaves(spec))
    draws, unit = lhs_draws(spec, 20, seed=1, priors=priors)
    assert unit.shape == (20, 2)
    assert all(set(d) == {"split", "rate"} for d in draws)  # irrelevant_* (with priors) not drawn
    assert all(0.6 <= d["split"] <= 1.0 and 0.01 <= d["rate"] <= 0.02 for d in draws)
    default, _ = lhs_draws(spec, 20, seed=1)
    assert len(default[0]) > 2 and min(d["split"] for d in default) < 0.6


@pytest.mark.parametrize("body, needle", [
    ("[priors]\nnonsense = [0.0, 1.0]\n", "nonsense"),
    ("[priors]\nsplit = [0.9, 0.1]\n", "lo < hi"),
    ("[priors]\nsplit = [0.0, 2.0]\n", "validity range"),
    ('[priors]\nsplit = [0.1, 0.9, "normal"]\n', "expected [lo, hi]"),
    ('[priors]\nsplit = "wide"\n', "expected [lo, hi]"),
    ("[priors]\ntreated = [0, 1]\n", "not numeric"),
    ("[other]\nsplit = [0.1, 0.9]\n", "unknown table"),
])
def test_bad_priors_file_names_the_key(tmp_path, body, needle):
    spec = load_experiment(TOY / "T1_known_answer.toml")
    with pytest.raises(InputError) as exc:
        read_priors(_file(tmp_path, body), leaves(spec))
    assert needle in str(exc.value)


def test_robustness_over_a_priors_file_moves_the_share(tmp_path, capsys):
    priors = _file(tmp_path, "[priors]\nsplit = [0.6, 1.0]\n")
    out = tmp_path / "out"
    assert main(["validate", "--robustness", "8", "--quick", "--library", str(TOY), "--out", str(out),
                 "--workers", "1", "--no-progress", "--priors-from", str(priors)]) == 0
    (t1,) = json.loads((out / "robustness_quick.json").read_text())["patterns"]
    assert t1["keys"] == ["split"] and t1["share"]["holds"] == 1.0  # 0.5 over the model's own prior
    drawn = pd.read_csv(out / "robustness_quick_T1_draws.csv")["split"]
    assert len(drawn) == 8 and drawn.between(0.6, 1.0).all()
    assert "parameters of the priors file" in (out / "robustness_quick.md").read_text()
    capsys.readouterr()


def test_priors_file_without_robustness_or_broken_is_exit_2(tmp_path, capsys):
    priors = _file(tmp_path, "[priors]\nsplit = [0.6, 1.0]\n")
    assert main(["validate", "--quick", "--library", str(TOY), "--priors-from", str(priors)]) == 2
    assert "only with --robustness" in capsys.readouterr().err
    bad = _file(tmp_path, "[priors]\nsplit = [0.6, 9.0]\n")
    assert main(["validate", "--robustness", "4", "--quick", "--library", str(TOY),
                 "--out", str(tmp_path / "o"), "--no-progress", "--priors-from", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "split" in err and "Traceback" not in err
