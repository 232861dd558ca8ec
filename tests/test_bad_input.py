"""Bad input, reproduced as issue 11 writes it: one ``error:`` line naming what the user typed, exit
status 2 (1 for missing runs), no traceback; and a property-based battery over every key type."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cop_sim import models, scenario
from cop_sim.cli import main
from cop_sim.cop.spec import SPEC
from cop_sim.params import InputError, Param, flatten

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "default.toml"


def cli(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    """``cop-sim ARGS`` in a fresh process: exit status and stderr."""
    out = subprocess.run([sys.executable, "-m", "cop_sim", *args], capture_output=True, text=True,
                         cwd=cwd or ROOT)
    return out.returncode, out.stderr


def in_process(capsys, *args: str) -> tuple[int, str]:
    """``cop-sim ARGS`` in this process (faster): exit status and stderr."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse
        code = exc.code
    return code, capsys.readouterr().err


def one_error(err: str, *quoted: str) -> str:
    """The single ``error:`` line of ``err``, checked to quote every string of ``quoted``."""
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    assert "Traceback" not in err, err
    for q in quoted:
        assert q in lines[0], (q, lines[0])
    return lines[0]


def write(tmp_path: Path, text: str, name: str = "s.toml", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    return path


# --- defect 3: NaN passes the range checks ---------------------------------------------------------

@pytest.mark.parametrize("text, key", [("[cop]\nmoderator_skill = nan\n", "cop.moderator_skill"),
                                       ("[practice]\nforgetting = nan\n", "practice.forgetting"),
                                       ("[practice]\nforgetting = inf\n", "practice.forgetting")])
def test_nan_in_a_file_is_refused(tmp_path, capsys, text, key):
    path = write(tmp_path, text)
    code, err = in_process(capsys, "run", str(path), "--weeks", "13", "--out", str(tmp_path / "o"))
    assert code == 2
    one_error(err, str(path), f"'{key}'", text.split("= ")[1].strip())


def test_nan_in_set_is_refused(tmp_path, capsys):
    code, err = in_process(capsys, "run", str(DEFAULT), "--weeks", "13", "--set", "cop.moderator_skill=nan",
                           "--out", str(tmp_path / "o"))
    assert code == 2
    one_error(err, "--set", "'cop.moderator_skill'", "nan")


# --- defect 4: --seed is not checked ---------------------------------------------------------------

@pytest.mark.parametrize("seed", ["-1", "18446744073709551616"])
def test_seed_out_of_range_names_the_option(tmp_path, seed):
    code, err = cli("run", str(DEFAULT), "--weeks", "13", "--seed", seed, "--out", str(tmp_path / "o"))
    assert code == 2
    one_error(err, "--seed", seed, "9223372036854775807")


def test_dock_seed_out_of_range_names_the_option(capsys):
    code, err = in_process(capsys, "dock", "--seed", "18446744073709551616")
    assert code == 2
    one_error(err, "--seed", "18446744073709551616")


# --- defect 5: --weeks 0 blames --set --------------------------------------------------------------

def test_weeks_zero_blames_weeks(tmp_path, capsys):
    code, err = in_process(capsys, "run", str(DEFAULT), "--weeks", "0", "--out", str(tmp_path / "o"))
    line = one_error(err, "--weeks", "got 0")
    assert code == 2 and "--set" not in line


# --- defect 8: --collect exits 0 with runs missing -------------------------------------------------

EXPERIMENT = f"""
[experiment]
name = "t"
scenario = "{DEFAULT}"
replications = 3
master_seed = 11
weeks = 4

[set]
n_cops = 1

[[factors]]
key = "cop.moderator_skill"
levels = [0.2, 0.8]
"""


def test_collect_with_a_shard_missing_exits_1_naming_it(tmp_path, capsys):
    exp, out = write(tmp_path, EXPERIMENT, "e.toml"), tmp_path / "res"
    for shard in ("0/3", "1/3"):  # shard 2/3 never runs
        assert main(["sweep", str(exp), "--shard", shard, "--workers", "1", "--no-progress",
                     "--out", str(out)]) == 0
    capsys.readouterr()
    code, err = in_process(capsys, "sweep", str(exp), "--collect", "--out", str(out))
    assert code == 1
    one_error(err, str(out), "2 of 6 runs missing", "shard 2/3")


# --- defect 10: an experiment without factors ------------------------------------------------------

@pytest.mark.parametrize("factors", ["factors = []\n", ""])
def test_experiment_without_factors_is_refused(tmp_path, capsys, factors):
    text = factors + EXPERIMENT.split("[[factors]]")[0]  # a top-level key goes before the tables
    exp = write(tmp_path, text, "e.toml")
    code, err = in_process(capsys, "sweep", str(exp), "--workers", "1", "--out", str(tmp_path / "r"))
    assert code == 2 and not (tmp_path / "r").exists()
    one_error(err, str(exp), "'factors'", "no factor")


# --- defect 12: BOM, far-fetched suggestions, meetings nobody held ---------------------------------

def test_a_bom_is_named(tmp_path, capsys):
    path = write(tmp_path, 'name = "x"\n', bom=True)
    code, err = in_process(capsys, "run", str(path), "--out", str(tmp_path / "o"))
    assert code == 2
    one_error(err, str(path), "byte-order mark (BOM)")


def test_a_suggestion_only_when_close(tmp_path, capsys):
    far = write(tmp_path, "[disciplines.surgeon]\nstatus = 1.0\n", "far.toml")
    code, err = in_process(capsys, "run", str(far), "--out", str(tmp_path / "o"))
    assert code == 2 and "Did you mean" not in one_error(err, str(far), "'disciplines.surgeon'")
    near = write(tmp_path, "[disciplines.nurce]\nstatus = 1.0\n", "near.toml")
    code, err = in_process(capsys, "run", str(near), "--out", str(tmp_path / "o"))
    assert code == 2 and "Did you mean 'nurse'?" in one_error(err, str(near))


def test_meetings_count_only_meetings_someone_attended():
    # CoP 1 has no members; CoP 2's one member comes to about a third of its 65 meetings, so
    # meetings with and without anyone both occur (whatever the draws, all but surely)
    raw = {"n_cops": 2, "weeks": 260, "cops": [{"members": {}, "moderators": 0},
                                               {"members": {"gp": 1}, "moderators": 1}],
           "meeting": {"engagement_mean": 0.35, "engagement_sd": 0.0}}
    result = models.simulate(scenario.resolve(raw, "<test>"), 3)
    ts = result.timeseries
    attended = int((ts["attendance"] > 0).sum())
    scheduled = int(ts["attendance"].notna().sum())  # weeks with a meeting of the member's CoP
    assert 0 < attended < scheduled
    assert ts["meetings"].sum() == attended == result.summary["meetings"]
    assert set(ts["meetings"].unique()) <= {0.0, 1.0}


# --- the battery: every key type with NaN, inf, a wrong type and a value out of range -------------

LEAVES = flatten(SPEC)
FILE = "battery.toml"


def _bad_values(key: str, p: Param) -> st.SearchStrategy:
    """Values no leaf of this kind accepts."""
    nan, inf = math.nan, math.inf
    t = p.type
    if p.choices:
        return st.sampled_from([nan, inf, "no-such-model", 1])
    if t in (int, float):
        wrong = [nan, inf, -inf, "0.5", True, [0.5]] + ([1.5] if t is int else [])
        out = []
        if p.hi is not None:
            out.append(st.floats(min_value=p.hi, exclude_min=True, allow_infinity=False)
                       if t is float else st.integers(min_value=int(p.hi) + 1))
        if p.lo is not None:
            out.append(st.floats(max_value=p.lo, exclude_max=True, allow_infinity=False)
                       if t is float else st.integers(max_value=int(p.lo) - 1))
        return st.one_of(st.sampled_from(wrong), *out)
    if t is bool:
        return st.sampled_from([nan, inf, 1, "true"])
    if t is str:
        return st.sampled_from([nan, inf, 1, ["x"]])
    if t is dict:  # the members composition (whole numbers)
        first = next(iter(p.default))
        entries = ([nan, inf, -1, 1.5, "x", 65] if key.endswith("members")
                   else [nan, inf, -inf, "x", -1, 1.5, 2])
        return st.one_of(st.sampled_from(["x", nan, [1]]), st.sampled_from(entries).map(lambda v: {first: v}))
    if key == "cops":
        return st.sampled_from([["x"], [{"moderator_skill": nan}], [{"members": {"gp": nan}}],
                                [{"calendar": {"every_weeks": inf}}], [{"moderators": 99}], "x"])
    if key.endswith("engagement"):
        return st.sampled_from([[nan, 0.5, 0.5], [inf, 0.0, 0.0], [0.5, 0.6, 0.1], ["a", 0.5, 0.5], "x"])
    return st.sampled_from([[nan], [inf], [1.5], [-1], ["3"], "x", nan])  # lists of weeks


KEY_TYPES = {"number": "cop.moderator_skill", "integer": "n_cops", "boolean": "cop.mentor",
             "list": "patients.engagement", "table": "cop.members",
             "calendar": "cop.calendar.every_weeks", "[[cops]]": "cops"}


def test_the_battery_covers_every_key_type():
    kinds = {LEAVES[k].type for k in KEY_TYPES.values()}
    assert kinds == {int, float, bool, list, dict}
    assert {p.type for p in LEAVES.values()} <= kinds | {str}


def _nest(key: str, value) -> dict:
    return scenario.set_dotted({}, key, value)


@settings(max_examples=int(os.environ.get("BATTERY_EXAMPLES", 300)), deadline=None,
          derandomize=os.environ.get("BATTERY_EXAMPLES") is None)  # the same cases in CI every time
@given(st.data())
def test_every_bad_value_of_every_key_is_an_input_error_naming_file_and_key(data):
    key = data.draw(st.sampled_from(sorted(LEAVES)), label="key")
    value = data.draw(_bad_values(key, LEAVES[key]), label="value")
    with pytest.raises(InputError) as err:
        scenario.resolve(_nest(key, value), FILE)
    assert err.value.source == FILE
    if key in ("cops", "events", "change_package.targets"):  # a list of tables: the error names the entry
        assert err.value.key.startswith(key)
    elif key == "model":
        assert err.value.key == "model"
    else:
        assert err.value.key == key, (key, value, str(err.value))


@pytest.mark.parametrize("text, key", [
    ("[cop.members]\ngp = nan\n", "cop.members"),
    ("[[cops]]\nmoderator_skill = inf\n", "cops[0].moderator_skill"),
    ("[cop.calendar]\nweeks = [nan]\n", "cop.calendar.weeks"),
    ("[patients]\nengagement = [nan, 0.5, 0.5]\n", "patients.engagement"),
    ("n_cops = 1.5\n", "n_cops"),
])
def test_the_cli_refuses_battery_cases_with_one_line(tmp_path, text, key):
    path = write(tmp_path, text)
    code, err = cli("run", str(path), "--out", str(tmp_path / "o"))
    assert code == 2
    one_error(err, str(path), f"'{key}'")
