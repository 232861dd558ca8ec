"""`cop-sim run` end to end, and every kind of bad input: a message, exit status 2, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cop_sim.atomic import atomic_dir
from cop_sim.cli import main

ROOT = Path(__file__).resolve().parent.parent


def test_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "scenarios/default.toml"), "--weeks", "8", "--seed", "7",
                 "--out", str(out), "--set", "cop.moderator_skill=0.9"]) == 0
    printed = capsys.readouterr().out
    assert "belief_error" in printed and str(out) in printed
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts["week"]) == list(range(-1, 8))  # the starting state, then weeks 0 .. 7
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 7 and summary["provenance"]["cop_sim_version"]
    assert "git_commit" in summary["provenance"]
    resolved = json.loads((out / "scenario.json").read_text())
    assert resolved["cop"]["moderator_skill"] == 0.9 and resolved["weeks"] == 8
    assert (out / "learning.png").stat().st_size > 10_000


def test_rerun_gives_identical_files(tmp_path):
    for name in ("a", "b"):
        main(["run", str(ROOT / "scenarios/default.toml"), "--weeks", "6", "--out", str(tmp_path / name)])
    a, b = (pd.read_parquet(tmp_path / n / "timeseries.parquet") for n in "ab")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError), atomic_dir(target) as tmp:
        (tmp / "timeseries.parquet").write_text("half")
        raise RuntimeError("killed mid-run")
    assert not target.exists() and list(tmp_path.iterdir()) == []


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    return path


BAD = {
    "unknown key": ("[cop]\nmoderator_skil = 0.5\n", "cop.moderator_skil", "Did you mean 'moderator_skill'"),
    "unknown section": ("[metting]\nhours = 1\n", "metting", "Did you mean 'meeting'"),
    "wrong type": ("[cop]\nmoderator_skill = \"high\"\n", "cop.moderator_skill", "a number in [0.0, 1.0]"),
    "out of range": ("[turnover]\nannual_rate = 1.5\n", "turnover.annual_rate", "in [0.0, 1.0]"),
    "bool not int": ("weeks = true\n", "weeks", "an integer"),
    "more moderators": ("[cop]\nmembers = { gp = 1 }\nmoderators = 3\n", "cop.moderators",
                        "no more moderators than members"),
    "zero practitioners": ("[cop]\nmembers = {}\nmoderators = 0\n", "cop.members", "zero practitioners"),
    "calendar outside": ("weeks = 20\n[cop.calendar]\nevery_weeks = 0\nweeks = [4, 30]\n",
                         "cop.calendar.weeks", "outside the horizon"),
    "start outside": ("weeks = 10\n[cop.calendar]\nstart_week = 12\n", "cop.calendar.start_week",
                      "outside the horizon"),
    "unknown discipline": ("[cop]\nmembers = { surgeon = 2 }\n", "cop.members",
                           "unknown discipline 'surgeon'"),
    "removed key": ("[disciplines.gp]\nknowledge = 0.5\n", "disciplines.gp.knowledge",
                    "replaced by trained beliefs"),
    "per-CoP entry": ("[[cops]]\nmoderators = -1\n", "cops[0].moderators", "an integer in [0, 10]"),
    "engagement shares": ("[patients]\nengagement = [0.5, 0.5, 0.5]\n", "patients.engagement",
                          "summing to 1"),
    "not TOML": ("[cop\nmoderators = 2\n", "bad.toml", "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_scenario_is_a_clear_error(tmp_path, capsys, case):
    text, key, allowed = BAD[case]
    path = write(tmp_path, text)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and key in err and allowed in err
    assert not (tmp_path / "out").exists()


def test_bad_set_override_names_the_flag(tmp_path, capsys):
    assert main(["run", str(ROOT / "scenarios/default.toml"), "--set", "hierarchy.steep=1",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "--set" in err and "hierarchy.steep" in err and "steepness" in err


def test_missing_file_and_no_traceback_from_the_real_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "cop_sim", "run", str(tmp_path / "nope.toml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "nope.toml" in proc.stderr and "no such file" in proc.stderr
    assert "Traceback" not in proc.stderr
