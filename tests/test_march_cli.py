"""The March (1991) model through the command line: run, sweep-and-dock, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cop_sim.cli import main

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "march1991.toml"


def test_run_writes_a_march_run(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--out", str(out), "--set", "iterations=30"]) == 0
    record = json.loads((out / "summary.json").read_text())
    assert record["model"] == "march1991"
    assert 0.5 < record["outcomes"]["code_knowledge"] <= 1.0
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts.columns[0] == "period" and ts["period"].iloc[0] == 0
    assert (out / "learning.png").stat().st_size > 10_000
    assert "code_knowledge" in capsys.readouterr().out


def test_bad_override_exits_2_without_traceback(tmp_path, capsys):
    assert main(["run", str(SCENARIO), "--out", str(tmp_path / "x"), "--set", "p2=1.2"]) == 2
    err = capsys.readouterr().err
    assert "'p2'" in err and "Traceback" not in err


def test_dock_runs_an_experiment_then_rereads_its_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exp = tmp_path / "dock_small.toml"
    exp.write_text(f"""
[experiment]
name = "dock_small"
scenario = "{SCENARIO}"
master_seed = 7
outcomes = ["code_knowledge"]
[set]
iterations = 300
[[factors]]
key = "p1"
levels = [0.1, 0.5, 0.9]
[[factors]]
key = "p2"
levels = [0.5]
""")
    assert main(["dock", str(exp), "--out", str(tmp_path / "dock")]) == 0
    table = pd.read_csv(tmp_path / "dock" / "docking.csv")
    assert len(table) == 3 and table["within"].all()
    assert (table["tolerance"] == 0.03).all()
    assert (tmp_path / "dock" / "docking.png").stat().st_size > 10_000
    assert "3 of 3 cells within tolerance" in capsys.readouterr().out

    results = tmp_path / "results" / "dock_small"
    assert main(["dock", str(results)]) == 0  # a sweep's folder: read, not rerun
    again = pd.read_csv(results / "docking.csv")
    pd.testing.assert_series_equal(again["code_knowledge"], table["code_knowledge"])


def test_dock_of_a_missing_target_exits_2(tmp_path, capsys):
    assert main(["dock", str(tmp_path / "nowhere")]) == 2
    assert "no such results folder" in capsys.readouterr().err
