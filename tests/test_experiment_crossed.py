"""The design crossed with parameter draws, and ``cop-sim sweep --posterior`` with its report."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cop_sim.experiment
from cop_sim.cli import main
from cop_sim.experiment import load_experiment, read_summary, sweep
from cop_sim.experiment.crossed import cross, lhs_draws, posterior_draws
from cop_sim.experiment.design import build_design, runs
from cop_sim.params import InputError
from cop_sim.report.posterior import posterior_contrast

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "experiments" / "toy" / "T1_known_answer.toml"


def posterior(path: Path, split: np.ndarray, weight: np.ndarray | None = None) -> Path:
    """A tiny posterior file as a calibration writes it: particle, weight, dotted-key columns."""
    n = len(split)
    pd.DataFrame({"particle": np.arange(n), "weight": np.ones(n) if weight is None else weight,
                  "split": split, "irrelevant_1": np.linspace(0, 1, n)}).to_parquet(path)
    return path


def test_run_ids_carry_the_draw_and_arms_share_seeds_within_a_draw():
    spec = load_experiment(TOY)
    draws, unit = lhs_draws(spec, 5)
    assert unit.shape == (5, 6) and all(0 <= d["split"] <= 1 for d in draws)
    assert all(0.001 <= d["rate"] <= 0.1 for d in draws)  # the log-uniform prior's range
    crossed = cross(spec, draws, {"kind": "test"})
    design = build_design(crossed)
    assert design.arms == 2 and len(design) == 10
    rs = runs(crossed, design)
    assert rs[0].run_id == "d00000-p000000-r000" and rs[-1].run_id == "d00004-p000001-r005"
    seeds = {(r.draw, r.point % 2, r.replication): r.seed for r in rs}
    assert seeds[(0, 0, 3)] == seeds[(0, 1, 3)]  # common random numbers within the draw
    assert seeds[(0, 0, 3)] != seeds[(1, 0, 3)] != seeds[(1, 0, 2)]
    assert design.points[3] == {**draws[1], "treated": True}


def test_the_experiments_own_keys_override_a_draw():
    spec = load_experiment(TOY)
    spec = dataclasses.replace(spec, fixed={**spec.fixed, "noise": 0.25})
    crossed = cross(spec, [{"split": 0.7, "treated": True, "noise": 3.0}], {"kind": "test"})
    assert crossed.draws == [{"split": 0.7}]
    assert crossed.draw_origin["overridden_by_experiment"] == ["noise", "treated"]
    resolved = crossed.resolve(build_design(crossed).points[0])
    assert resolved["noise"] == 0.25 and resolved["treated"] is False


def test_a_draw_outside_the_validity_range_is_refused():
    with pytest.raises(InputError, match="draw 0"):
        cross(load_experiment(TOY), [{"split": 1.5}], {"kind": "test", "source": "x.parquet"})


def test_resampling_follows_the_weights_and_the_master_seed(tmp_path):
    spec = load_experiment(TOY)
    path = posterior(tmp_path / "p.parquet", np.array([0.1, 0.6, 0.9]), np.array([0.0, 1.0, 3.0]))
    draws, picked = posterior_draws(path, spec, 400)
    assert 0 not in picked and 0.65 < picked.count(2) / 400 < 0.85
    assert posterior_draws(path, spec, 400) == (draws, picked)
    other = dataclasses.replace(spec, master_seed=spec.master_seed + 1)
    assert posterior_draws(path, other, 400)[1] != picked


@pytest.mark.parametrize(("frame", "needle"), [
    (pd.DataFrame({"particle": [0], "split": [0.5]}), "'weight': missing column"),
    (pd.DataFrame({"particle": [0], "weight": [1.0], "splitt": [0.5]}), "'splitt': not a parameter"),
    (pd.DataFrame({"particle": [0], "weight": [1.0], "split": [2.0]}), "'split': got 2.0; allowed"),
    (pd.DataFrame({"particle": [0], "weight": [-1.0], "split": [0.5]}), "'weight': weights must be"),
])
def test_bad_posterior_is_exit_2(tmp_path, capsys, frame, needle):
    frame.to_parquet(tmp_path / "bad.parquet")
    code = main(["sweep", str(TOY), "--posterior", str(tmp_path / "bad.parquet"), "--out",
                 str(tmp_path / "o"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and "bad.parquet" in err, err


def test_posterior_sweep_is_identical_on_one_or_two_workers_and_dask(tmp_path, capsys):
    path = posterior(tmp_path / "p.parquet", np.linspace(0.05, 0.95, 10))
    frames = []
    for name, extra in (("one", ["--workers", "1"]), ("two", ["--workers", "2"]),
                        ("dask", ["--workers", "1", "--backend", "dask"])):
        assert main(["sweep", str(TOY), "--posterior", str(path), "--draws", "6", "--out",
                     str(tmp_path / name), "--no-progress", *extra]) == 0
        frames.append(read_summary(tmp_path / name).drop(columns=["error"]))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])
    assert frames[0]["run_id"].str.match(r"d\d{5}-p\d{6}-r\d{3}").all()
    capsys.readouterr()


def test_report_splits_parameter_and_stochastic_variance(tmp_path, capsys):
    spec = load_experiment(TOY)
    shares = {}
    for name, split in (("both_sides", np.linspace(0.05, 0.95, 12)), ("upper", np.linspace(0.6, 0.95, 12))):
        draws, _ = posterior_draws(posterior(tmp_path / f"{name}.parquet", split), spec, 12)
        folder, _ = sweep(cross(spec, draws, {"kind": "posterior"}), tmp_path / name, workers=1,
                          progress=False)
        c = posterior_contrast(read_summary(folder), "treated", "y_mean", False, True)
        assert c["share_parameter"] + c["share_stochastic"] == pytest.approx(1.0)
        shares[name] = c
    # the effect's sign is the parameter's: on both sides of the split the parameter dominates
    assert shares["both_sides"]["share_parameter"] > 0.95
    assert shares["both_sides"]["lo"] < -0.8 and shares["both_sides"]["hi"] > 0.8
    # above the split the effect does not depend on the parameters: only the runs' noise is left
    assert shares["upper"]["share_parameter"] < 0.5 and shares["upper"]["lo"] > 0.8
    assert main(["report", str(tmp_path / "both_sides")]) == 0
    md = (tmp_path / "both_sides" / "report.md").read_text()
    assert "Contrasts over the parameter draws" in md and "parameter share" in md
    capsys.readouterr()


def test_spec_does_not_import_design_and_contrast_is_not_re_exported():
    tree = ast.parse((ROOT / "cop_sim" / "experiment" / "spec.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "cop_sim.experiment.design" not in imported
    assert not hasattr(cop_sim.experiment, "contrast")
