"""The validation machinery: pattern files, verdicts against thresholds, the table, the exit status.

Whether a pattern holds is a finding reported in the table, not a test: the suite checks
that every pattern is evaluated and that each verdict follows from its interval and threshold.
The full run (thirty replications) is marked ``full``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from cop_sim.cli import main
from cop_sim.validation.judge import judge, verdict
from cop_sim.validation.patterns import EXPERIMENTS, Check, Term, file_commit, load_library, parse_pattern
from cop_sim.validation.suite import validate

LIBRARY = load_library()


def _consistent(r) -> bool:
    a, b = sorted((r.lo * (1 if r.expect == "> 0" else -1), r.hi * (1 if r.expect == "> 0" else -1)))
    thr = abs(r.threshold)
    return {"holds": a > thr, "contradicted": b < thr, "inconclusive": a <= thr <= b}[r.verdict]


def test_quick_validation_evaluates_every_pattern(tmp_path, capsys):
    assert main(["validate", "--quick", "--out", str(tmp_path), "--workers", "2", "--no-progress"]) == 0
    table = pd.DataFrame(json.loads((tmp_path / "validation_quick.json").read_text())["checks"])
    assert set(table["pattern"]) == {p.id for p in LIBRARY if p.runnable}
    assert table["n"].eq(10).all()
    assert all(_consistent(r) for r in table.itertuples()), table[["pattern", "check", "lo", "hi", "verdict"]]
    md = (tmp_path / "validation_quick.md").read_text()
    for needle in ("| threshold |", "share of prior where it holds", "validation / verification / held out",
                   "## Held-out patterns", "## Stated, not yet expressible", "W2", "S1"):
        assert needle in md, needle
    assert (tmp_path / "validation_quick.png").stat().st_size > 10_000
    out = capsys.readouterr().out
    assert "patterns hold at the defaults" in out


@pytest.mark.full
def test_full_validation_evaluates_every_pattern(tmp_path):
    table, failed = validate(quick=False, out=tmp_path, progress=False)
    assert failed == 0 and set(table["pattern"]) == {p.id for p in LIBRARY if p.runnable}


def test_every_pattern_states_source_threshold_and_use():
    for p in LIBRARY:
        assert p.source and p.threshold_basis and p.use in ("calibration", "held_out")
        assert 1 <= len(p.outcomes) <= 2
        assert all(c.threshold > 0 for c in p.checks), p.id
    assert {"W1", "W2", "W3", "S1"} <= {p.id for p in LIBRARY if p.use == "held_out"}


def test_verdict_needs_the_threshold_cleared_not_just_zero():
    assert verdict(0.01, 0.03, +1, 0.0) == "holds"
    assert verdict(0.01, 0.03, +1, 0.02) == "inconclusive"
    assert verdict(0.001, 0.005, +1, 0.02) == "contradicted"
    assert verdict(-0.05, -0.03, -1, 0.02) == "holds"
    assert verdict(-0.05, -0.03, +1, 0.0) == "contradicted"


def test_judge_reports_direction_threshold_and_relative_threshold():
    summary = pd.DataFrame({"replication": [0, 0, 1, 1, 2, 2], "f": [0, 1] * 3,
                            "y": [1.0, 0.5, 1.1, 0.7, 0.9, 0.4]})
    terms = (Term(1, "y", {"f": 1}), Term(-1, "y", {"f": 0}))
    down = judge(summary, Check("y falls", terms, -1, threshold=0.1))
    assert down["holds"] and down["effect"] == pytest.approx(-0.4667, abs=1e-4)
    assert judge(summary, Check("y rises", terms, +1))["verdict"] == "contradicted"
    # relative: 70 % of the base arm's mean (1.0) is 0.7, beyond the interval [-0.61, -0.32]
    rel = judge(summary, Check("y falls a lot", terms, -1, threshold=0.7, relative=True))
    assert rel["threshold"] == pytest.approx(-0.7) and rel["verdict"] == "contradicted"
    half = judge(summary, Check("y falls", terms, -1, threshold=0.5, relative=True))
    assert half["verdict"] == "inconclusive"


PATTERN = """
[experiment]
name = "x"
scenario = "{scenario}"
master_seed = 1
[[factors]]
key = "cop.mentor"
levels = [false, true]
[pattern]
id = "X1"
finding = "f"
source = "s"
shape = "difference"
outcomes = {outcomes}
use = "{use}"
threshold_basis = "b"
[[pattern.checks]]
label = "l"
outcome = "belief_error"
expect = "increase"
threshold = 0.02
treat = {{"cop.mentor" = true}}
base = {{"cop.mentor" = false}}
"""


def _library(tmp_path: Path, outcomes: str = '["belief_error"]', use: str = "calibration") -> Path:
    folder = tmp_path / "lib"
    folder.mkdir(exist_ok=True)
    scenario = EXPERIMENTS.parent.parent / "scenarios" / "default.toml"
    (folder / "X1.toml").write_text(PATTERN.format(scenario=scenario, outcomes=outcomes, use=use))
    return folder


@pytest.mark.parametrize(("outcomes", "use", "needle"), [
    ('["belief_error", "care_quality", "shared_vision"]', "calibration", "one or two outcomes"),
    ('["belief_error"]', "fitted", "allowed: calibration, held_out"),
    ('["care_quality"]', "calibration", "not one of the pattern's outcomes"),
])
def test_bad_pattern_file_is_exit_2_naming_file_and_key(tmp_path, capsys, outcomes, use, needle):
    folder = _library(tmp_path, outcomes, use)
    assert main(["validate", "--quick", "--library", str(folder), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "X1.toml" in err and needle in err and "Traceback" not in err


def test_pattern_commit_outside_git_is_unknown(tmp_path):
    folder = _library(tmp_path)
    assert file_commit(folder / "X1.toml") == "unknown"
    p = parse_pattern(tomllib.loads((folder / "X1.toml").read_text()), folder / "X1.toml")
    assert p.commit() == "unknown"
    assert len(LIBRARY[0].commit()) >= 7  # a hash or "uncommitted" inside this checkout


def test_unknown_pattern_is_a_clear_error(capsys):
    assert main(["validate", "--only", "V9"]) == 2
    assert "V9" in capsys.readouterr().err


MARCH_PATTERN = """[experiment]
name = "M1"
scenario = "{scenario}"
master_seed = 1
[[factors]]
key = "p2"
levels = [0.1, 0.9]
[pattern]
id = "M1"
finding = "f"
source = "s"
shape = "difference"
outcomes = ["code_knowledge"]
use = "held_out"
threshold_basis = "b"
[[pattern.checks]]
label = "l"
outcome = "code_knowledge"
expect = "increase"
threshold = 0.02
treat = {{"p2" = 0.9}}
base = {{"p2" = 0.1}}
"""


def test_robustness_needs_priors_on_the_model(tmp_path, capsys):
    # March's model (docking) declares no priors: a clear error, no runs
    folder = tmp_path / "lib"
    folder.mkdir()
    march = EXPERIMENTS.parent.parent / "scenarios" / "march1991.toml"
    (folder / "M1.toml").write_text(MARCH_PATTERN.format(scenario=march))
    out = str(tmp_path / "o")
    assert main(["validate", "--robustness", "4", "--library", str(folder), "--out", out]) == 2
    assert "declares no priors" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert main(["validate", "--collect"]) == 2
    assert "only with --robustness" in capsys.readouterr().err
