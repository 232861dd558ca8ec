"""`cop-sim compare`: paired seeds of two arms, their per-week difference with paired t intervals,
a summary with which way is better, a figure, and the output-folder and bad-input rules."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cop_sim import atomic, models, scenario
from cop_sim.atomic import MARKER
from cop_sim.cli import main
from cop_sim.cli.compare import MAIN, MAIN_COP

SCENARIO = """name = "{name}"
weeks = {weeks}
n_cops = 2
[cop]
moderators = 1
[cop.calendar]
every_weeks = 3
start_week = 1
"""


def _scenario(tmp: Path, name: str = "a", weeks: int = 8) -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, weeks=weeks))
    return path


def _compare(tmp: Path, *argv: str) -> Path:
    out = tmp / "out"
    assert main(["compare", *argv, "--out", str(out), "--no-progress"]) == 0
    return out


def _quarter(out: Path) -> pd.DataFrame:
    """The last-quarter table of compare.json, by outcome."""
    return pd.DataFrame(json.loads((out / "compare.json").read_text())["last_quarter"]).set_index("outcome")


def test_a_scenario_against_itself_differs_by_exactly_zero(tmp_path, capsys):
    a = _scenario(tmp_path, weeks=6)
    out = _compare(tmp_path, str(a), str(a), "--seeds", "3")
    table = pd.read_parquet(out / "compare.parquet")
    assert set(table["outcome"]) == set(MAIN)
    paired = table[table["n"] == 3]
    assert len(paired) >= len(MAIN) * 5
    assert (paired["diff"] == 0).all() and (paired["diff_lo"] == 0).all() and (paired["diff_hi"] == 0).all()
    assert (paired["a_mean"] == paired["b_mean"]).all()
    assert (paired["a_hi"] > paired["a_lo"]).any()  # the arms vary over seeds; only their difference is 0
    md = (out / "compare.md").read_text()
    assert md.count("no difference (identical in every seed)") == len(MAIN)
    record = json.loads((out / "compare.json").read_text())
    assert record["provenance"]["cop_sim_version"] and "git_commit" in record["provenance"]
    assert len(record["seeds"]) == 3 and len(set(record["seeds"])) == 3
    assert (out / MARKER).is_file() and (out / "compare.png").stat().st_size > 0
    printed = capsys.readouterr().out
    assert "no difference" in printed and str(out) in printed
    # the same folder again: a previous comparison's folder is replaced whole
    _compare(tmp_path, str(a), "--set", "practice.caseload=3", "--seeds", "3", "--weeks", "5")
    md = (out / "compare.md").read_text()
    assert "--set practice.caseload=3" in md and "identical in every seed" not in md
    assert len(pd.read_parquet(out / "compare.parquet")["week"].unique()) == 6
    # three times the patients: longer waits, and waiting is lower-is-better, so A is better
    waiting = _quarter(out).loc["waiting_weeks"]
    assert waiting["diff_lo"] > 0 and waiting["verdict"] == "A better"
    assert "| `waiting_weeks` | lower is better |" in md


def test_weekly_meetings_raise_trust(tmp_path):
    a = _scenario(tmp_path, weeks=10)
    out = _compare(tmp_path, str(a), "--set", "cop.calendar.every_weeks=1", "--seeds", "3")
    quarter = _quarter(out)
    trust = quarter.loc["trust_density"]
    assert trust["diff_lo"] > 0 and trust["verdict"] == "B better"
    # the interval is scipy's paired t interval of the per-seed last-quarter means
    runs = pd.read_parquet(out / "runs.parquet")
    means = runs[runs["week"] > 10 - 13].groupby(["arm", "seed"])["trust_density"].mean()
    ci = stats.ttest_rel(means["B"], means["A"]).confidence_interval(0.95)
    assert np.isclose(trust["diff_lo"], ci.low) and np.isclose(trust["diff_hi"], ci.high)


def test_one_cops_own_outcomes_are_its_rows_of_the_per_cop_table(tmp_path):
    a = _scenario(tmp_path)
    out = _compare(tmp_path, str(a), "--set", "meeting.engagement_mean=1.0", "--cop", "cop2", "--seeds", "2")
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs.columns) == ["arm", "seed", "week", *MAIN_COP]
    record = json.loads((out / "compare.json").read_text())
    seed = record["seeds"][1]
    b = scenario.load(a, ["meeting.engagement_mean=1.0"])
    per_cop = models.simulate(b, seed).meta["per_cop"]
    expect = per_cop[per_cop["cop"] == "cop2"].reset_index(drop=True)
    got = runs[(runs["arm"] == "B") & (runs["seed"] == seed)].reset_index(drop=True)
    for col in ["week", *MAIN_COP]:
        np.testing.assert_array_equal(got[col].to_numpy(dtype=float), expect[col].to_numpy(dtype=float))
    assert "CoP cop2's own outcomes" in (out / "compare.md").read_text()


@pytest.mark.parametrize(("argv", "expect"), [
    (["{a}", "{a}", "--seeds", "1"], "--seeds: got 1; allowed: a whole number in [2, 10000]"),
    (["{a}", "{a}", "--set", "cop.moderators=0"], "give either B.toml or --set changes to A, not both"),
    (["{a}"], "'B.toml': missing; give a second scenario, or --set KEY=VALUE changes to A"),
    (["{a}", "{a}", "--cop", "cop9"], "--cop: 'cop9': no such CoP in 'a'; allowed: cop1, cop2"),
    (["{a}", "--set", "cop.moderatr=0"], "'cop.moderatr': unknown key. Did you mean 'moderators'?"),
    (["{a}", "{b}"], "'weeks': is 6 but A's is 8; allowed: the same horizon (or give --weeks for both)"),
    (["{a}", "{missing}"], "missing.toml: no such file"),
    (["{a}", "{a}", "--workers", "0"], "--workers: got 0"),
])
def test_bad_input_is_one_line_and_exit_2_before_anything_is_written(tmp_path, capsys, argv, expect):
    paths = {"a": _scenario(tmp_path), "b": _scenario(tmp_path, "b", weeks=6),
             "missing": tmp_path / "missing.toml"}
    out = tmp_path / "out"
    code = main(["compare", *(x.format(**paths) for x in argv), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and err.startswith("cop-sim: error: "), err
    assert expect in err, err
    assert not out.exists()


def test_a_users_folder_or_another_commands_is_refused_untouched(tmp_path, capsys):
    a = _scenario(tmp_path, weeks=4)
    out = tmp_path / "out"
    out.mkdir()
    (out / "compare.md").write_text("my notes")
    assert main(["compare", str(a), str(a), "--seeds", "2", "--out", str(out), "--no-progress"]) == 2
    assert "--force" in capsys.readouterr().err and (out / "compare.md").read_text() == "my notes"
    run = tmp_path / "run"
    run.mkdir()
    atomic.record(run, "run", (), [])  # a folder as `cop-sim run` marks its own
    assert main(["compare", str(a), str(a), "--seeds", "2", "--out", str(run), "--no-progress"]) == 2
    assert "holds the results of a cop-sim run" in capsys.readouterr().err
    assert sorted(p.name for p in run.iterdir()) == [MARKER]


@pytest.mark.full
def test_workers_give_the_same_tables_as_one_process(tmp_path):
    a = _scenario(tmp_path, weeks=6)
    one = _compare(tmp_path / "one", str(a), "--set", "cop.moderators=0", "--seeds", "4")
    two = _compare(tmp_path / "two", str(a), "--set", "cop.moderators=0", "--seeds", "4", "--workers", "2")
    for name in ("compare.parquet", "runs.parquet"):
        pd.testing.assert_frame_equal(pd.read_parquet(one / name), pd.read_parquet(two / name))
