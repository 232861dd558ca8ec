"""Issue 22, defects 3, 4, 7 and 13: ``cop-sim calibrate`` (and ``sweep --posterior``) on hostile input.

Each case runs as the issue states it and must end in one line (exit 2 for bad input), never a
traceback; only the marker test runs a calibration, at the smallest settings.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim import atomic, models, scenario
from cop_sim.calibration.run import prepare
from cop_sim.calibration.spec import load
from cop_sim.cli import main
from cop_sim.names import NAME_MAX
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parent.parent
TOY_EXPERIMENT = ROOT / "experiments" / "toy" / "T1_known_answer.toml"
# One CoP, 13 weeks, one parameter, one column: the smallest calibration that runs.
CALIBRATION = f"""[calibration]
{{name}}scenario = "{ROOT / 'scenarios' / 'default.toml'}"
data = "data.csv"
master_seed = 5

[set]
n_cops = 1
weeks = 13

[parameters."meeting.engagement_mean"]
lo = 0.3
hi = 1.0

[observe.attendance]
outcome = "attendance"
weeks = [2, 6, 10]  # the default calendar's meetings (start_week 2, every 4)
aggregate = "mean"
noise_sd = 0.05

[abc]
population = 4
generations = 1
batch = 4
predictive_draws = 2
"""
DATA = "week,attendance\n10,0.7\n"  # in the row of the window's last week


def calibration(tmp: Path, name: str | None = None, data: str = DATA) -> Path:
    """The smallest calibration file (and its data) in ``tmp``."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "data.csv").write_text(data)
    path = tmp / "cal.toml"
    path.write_text(CALIBRATION.format(name="" if name is None else f"name = {json.dumps(name)}\n"))
    return path


def refused(capsys, argv: list[str], code: int = 2) -> str:
    """Run the CLI in process; the error must be one line with exit ``code``, no traceback."""
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert err.startswith("cop-sim: error: ") and "\n" not in err and "Traceback" not in err, err
    assert len(err) < 600, err[:300]  # a person reads it: a huge value is not echoed
    return err


# -- defect 3: names ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../escape", "ABS"])
def test_a_calibration_name_that_leaves_results_is_refused(tmp_path, capsys, monkeypatch, name):
    work = tmp_path / "work"
    name = str(tmp_path / "abs" / "dir") if name == "ABS" else name
    path = calibration(tmp_path / "in", name)
    work.mkdir()
    monkeypatch.chdir(work)
    err = refused(capsys, ["calibrate", str(path), "--no-progress"])
    assert "'calibration.name'" in err and "plain folder name" in err
    assert not (tmp_path / "escape").exists() and not (tmp_path / "abs").exists()
    assert list(work.iterdir()) == []  # not even results/


def _scenario(tmp: Path, name: str) -> list[str]:
    text = (ROOT / "scenarios" / "default.toml").read_text()
    text = text.replace('name = "default"', f"name = {json.dumps(name)}", 1)
    (tmp / "s.toml").write_text(text)
    return ["run", str(tmp / "s.toml"), "--weeks", "4", "--out", str(tmp / "out")]


def _experiment(tmp: Path, name: str) -> list[str]:
    text = TOY_EXPERIMENT.read_text().replace('name = "T1_known_answer"', f"name = {json.dumps(name)}", 1)
    text = text.replace('"../../scenarios/toy.toml"', json.dumps(str(ROOT / "scenarios" / "toy.toml")))
    (tmp / "e.toml").write_text(text)
    return ["sweep", str(tmp / "e.toml"), "--workers", "1", "--no-progress", "--out", str(tmp / "out")]


def _calibration(tmp: Path, name: str) -> list[str]:
    return ["calibrate", str(calibration(tmp, name)), "--no-progress", "--out", str(tmp / "out")]


@pytest.mark.parametrize("size", [300, 10**6])
@pytest.mark.parametrize("command", [_scenario, _experiment, _calibration])
def test_every_name_has_a_length_limit_checked_before_running(tmp_path, capsys, command, size):
    err = refused(capsys, command(tmp_path, "x" * size))
    assert f"{size} bytes in UTF-8; allowed: a name of at most {NAME_MAX} bytes" in err
    assert not (tmp_path / "out").exists()


def test_an_experiment_named_by_a_long_file_name_is_refused_before_running(tmp_path, capsys):
    text = TOY_EXPERIMENT.read_text().replace('name = "T1_known_answer"', 'name = ""', 1)
    text = text.replace('"../../scenarios/toy.toml"', json.dumps(str(ROOT / "scenarios" / "toy.toml")))
    path = tmp_path / ("e" * 230 + ".toml")
    path.write_text(text)
    out = str(tmp_path / "out")
    err = refused(capsys, ["sweep", str(path), "--workers", "1", "--no-progress", "--out", out])
    assert "experiment.name" in err and "the file's name is used when no name is given" in err
    assert not (tmp_path / "out").exists()


def test_a_name_at_the_limit_is_accepted(tmp_path):
    assert load(calibration(tmp_path, "é" * (NAME_MAX // 2))).name == "é" * (NAME_MAX // 2)
    with pytest.raises(InputError, match="at most"):  # one byte more
        load(calibration(tmp_path, "é" * (NAME_MAX // 2) + "x"))


# -- defect 4: one line, never a traceback; the marker and the folder rules ---------------------

@pytest.mark.parametrize(("out", "expect"), [
    ("/proc/x", "cannot write in /proc"),
    ("/sys/x", "cannot write in /sys"),  # mkdir refused, as on a read-only file system
    ("FILE/sub", "is a file, not a folder"),
])
def test_an_out_that_cannot_be_written_is_one_line(tmp_path, capsys, out, expect):
    (tmp_path / "FILE").write_text("a file")
    out = str(tmp_path / out) if out.startswith("FILE") else out
    err = refused(capsys, ["calibrate", str(calibration(tmp_path)), "--out", out, "--no-progress"])
    assert f"--out: '{out}'" in err and expect in err


@pytest.mark.parametrize("damage", ['{"name": ', "", "[1, 2]", "\x00\xff"])
def test_resume_with_a_damaged_calibration_json_is_one_line(tmp_path, capsys, damage):
    path = calibration(tmp_path)
    out = tmp_path / "out"
    assert prepare(out, load(path), resume=False) is False  # what a calibration killed early leaves
    (out / "calibration.json").write_text(damage)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    err = refused(capsys, ["calibrate", str(path), "--out", str(out), "--resume", "--no-progress"])
    assert "calibration.json" in err and "is damaged" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing replaced


@pytest.mark.parametrize(("cell", "shown"), [("", "a blank cell"), ("six", "'six'")])
def test_a_blank_or_text_month_is_one_line(tmp_path, capsys, cell, shown):
    path = calibration(tmp_path, data=f"month,attendance\n3,0.7\n{cell},0.6\n")
    err = refused(capsys, ["calibrate", str(path), "--out", str(tmp_path / "out"), "--no-progress"])
    assert f"data.csv: 'month': row 2: got {shown}; allowed: a number of months >= 0" in err
    assert not (tmp_path / "out").exists()


def test_a_calibration_folder_has_the_marker_and_keeps_a_users_files(tmp_path, capsys):
    path = calibration(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    err = refused(capsys, ["calibrate", str(path), "--out", str(out), "--no-progress"])
    assert "notes.txt" in err and "--force" in err
    argv = ["calibrate", str(path), "--out", str(out), "--workers", "1", "--no-progress"]
    assert main([*argv, "--force"]) == 0
    marker = atomic.read_marker(out)
    assert marker["kind"] == "calibration"
    for name in ("posterior.parquet", "manifest.json", "calibration.md", "calibration.json"):
        assert marker["files"][name] == atomic.sha256(out / name)
    assert "notes.txt" not in marker["files"] and (out / "notes.txt").read_text() == "keep me"
    # a finished calibration is finished again with --resume, in its own marked folder
    post = (out / "posterior.parquet").read_bytes()
    assert main([*argv, "--resume"]) == 0
    assert (out / "posterior.parquet").read_bytes() == post and (out / "notes.txt").read_text() == "keep me"
    capsys.readouterr()


@pytest.mark.parametrize("leave", [8_000, 60_000])  # full at the first write; while pyabc writes its database
def test_a_full_disk_while_calibrating_is_one_line_and_resume_completes(small_disk, tmp_path, capsys, leave):
    path = calibration(tmp_path)
    out = small_disk / "cal"
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * max(0, shutil.disk_usage(small_disk).free - leave))
    argv = ["calibrate", str(path), "--out", str(out), "--workers", "1", "--no-progress"]
    err = refused(capsys, argv, code=1)
    assert f"--out: '{out}'" in err and ("full" in err or "No space left" in err), err
    filler.unlink()
    assert main([*argv, "--resume"]) == 0
    assert atomic.read_marker(out)["files"]["posterior.parquet"] == atomic.sha256(out / "posterior.parquet")


def test_a_run_folder_or_a_users_file_of_the_same_name_is_never_written(tmp_path, capsys):
    path = calibration(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    (run / "timeseries.parquet").write_bytes(b"a run's")
    atomic.record(run, "run", (), ["timeseries.parquet"])
    err = refused(capsys, ["calibrate", str(path), "--out", str(run), "--no-progress"])
    assert "holds the results of a cop-sim run, not of a calibration" in err
    assert sorted(p.name for p in run.iterdir()) == [atomic.MARKER, "timeseries.parquet"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "posterior.parquet").write_text("my own posterior")
    err = refused(capsys, ["calibrate", str(path), "--out", str(mine), "--force", "--no-progress"])
    assert "holds 'posterior.parquet', which cop-sim did not write" in err
    assert (mine / "posterior.parquet").read_text() == "my own posterior"
    assert sorted(p.name for p in mine.iterdir()) == ["posterior.parquet"]


def test_an_unmarked_calibration_folder_of_0_2_0_still_resumes(tmp_path, capsys):
    path = calibration(tmp_path)
    out = tmp_path / "out"
    prepare(out, load(path), resume=False)
    (out / atomic.MARKER).unlink()  # as 0.2.0 left it: the record, no marker
    err = refused(capsys, ["calibrate", str(path), "--out", str(out), "--no-progress"])
    assert "use --resume" in err
    (out / "notes.txt").write_text("mine")  # no longer only a calibration's files: a user's folder
    err = refused(capsys, ["calibrate", str(path), "--out", str(out), "--resume", "--no-progress"])
    assert "is not a previous cop-sim calibration's folder" in err


def test_a_recovery_folder_follows_the_same_rules(tmp_path, capsys):
    path = calibration(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    argv = ["calibrate", str(path), "--recovery", "1", "--out", str(out), "--no-progress"]
    err = refused(capsys, argv)
    assert "is not a previous cop-sim recovery's folder" in err
    shutil.rmtree(out)
    from cop_sim.calibration.recovery import _prepare

    _prepare(out, load(path), 1, resume=False)  # what a recovery killed early leaves
    assert atomic.read_marker(out)["kind"] == "recovery"
    (out / "recovery.json").write_text("{")
    err = refused(capsys, [*argv, "--resume"])
    assert "recovery.json" in err and "is damaged" in err


# -- defect 7: data against the outcome's range and the horizon ---------------------------------

@pytest.mark.parametrize("value", ["-0.5", "5.0", "true", "True"])
def test_an_observed_value_outside_the_outcomes_range_is_refused(tmp_path, capsys, value):
    path = calibration(tmp_path, data=f"week,attendance\n10,{value}\n")
    err = refused(capsys, ["calibrate", str(path), "--out", str(tmp_path / "out"), "--no-progress"])
    assert "data.csv: 'attendance': row 1: got" in err and "allowed: a number in [0, 1]" in err


def test_a_boolean_column_in_parquet_data_is_refused(tmp_path, capsys):
    path = calibration(tmp_path)
    pd.DataFrame({"week": [10], "attendance": [True]}).to_parquet(tmp_path / "data.parquet")
    path.write_text(path.read_text().replace('"data.csv"', '"data.parquet"'))
    err = refused(capsys, ["calibrate", str(path), "--out", str(tmp_path / "out"), "--no-progress"])
    assert "data.parquet: 'attendance': row 1: got True" in err


def test_values_inside_the_range_are_read(tmp_path):
    for value in ("0", "1", "0.7"):
        assert load(calibration(tmp_path, data=f"month,attendance\n3,{value}\n")).observed == \
            {"attendance|mean": float(value)}


@pytest.mark.parametrize(("data", "expect"), [
    ("month,attendance\n40,0.7\n", "'month': row 1: month 40 (week 172) lies beyond the scenario's horizon; "
                                   "allowed: months whose week round(52 m / 12) - 1 lies in 0..12"),
    ("week,attendance\n3,\n13,0.7\n", "'week': row 2: week 13 lies beyond the scenario's horizon; "
                                      "allowed: weeks 0..12"),
    ("week,attendance\n-1,0.7\n", "'week': row 1: got -1; allowed: a whole number of weeks >= 0"),
    ("week,attendance\n2.5,0.7\n", "'week': row 1: got 2.5; allowed: a whole number of weeks >= 0"),
])
def test_a_row_beyond_the_horizon_is_refused_even_for_an_aggregate(tmp_path, capsys, data, expect):
    path = calibration(tmp_path, data=data)
    err = refused(capsys, ["calibrate", str(path), "--out", str(tmp_path / "out"), "--no-progress"])
    assert expect in err


def test_every_series_column_of_a_run_lies_in_its_declared_range():
    resolved = scenario.load(ROOT / "scenarios" / "default.toml", ["n_cops=2", "weeks=13"])
    result = models.simulate(resolved, 3)
    kind = models.get("cop")
    for frame in (result.timeseries, result.meta["per_cop"]):
        for col in frame.columns.drop("cop", errors="ignore"):
            lo, hi = kind.valid_range(col)
            assert np.isfinite(lo) or np.isfinite(hi), f"{col}: no range declared"
            values = frame[col].dropna()
            assert values.between(lo, hi).all(), (col, values.min(), values.max())


# -- defect 13: --posterior ---------------------------------------------------------------------

def _toy_sweep(tmp: Path, posterior: Path) -> list[str]:
    return ["sweep", str(TOY_EXPERIMENT), "--posterior", str(posterior), "--draws", "2", "--workers", "1",
            "--no-progress", "--out", str(tmp / "out")]


def test_a_posterior_with_string_weights_is_refused(tmp_path, capsys):
    post = tmp_path / "posterior.parquet"
    pd.DataFrame({"particle": np.arange(3), "weight": ["0.2", "0.3", "0.5"], "split": [0.2, 0.5, 0.8]}) \
        .to_parquet(post)
    err = refused(capsys, _toy_sweep(tmp_path, post))
    assert "posterior.parquet: 'weight': expected numbers, got " in err
    assert not (tmp_path / "out").exists()


def test_a_folder_given_as_the_posterior_is_not_a_file(tmp_path, capsys):
    folder = tmp_path / "posterior"
    folder.mkdir()
    err = refused(capsys, _toy_sweep(tmp_path, folder))
    assert f"{folder}: not a file (a folder)" in err and "missing column" not in err
