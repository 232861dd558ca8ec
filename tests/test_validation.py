"""The validation machinery: pattern files, verdicts against thresholds, the table, the exit status.

Whether a pattern holds is a finding reported in the table, not a test: the suite checks
that every pattern is evaluated and that each verdict follows from its interval and threshold.
The full run (thirty replications) is marked ``full``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim.cli import main
from cop_sim.validation.judge import heterogeneity, judge, verdict
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
                   "## Held-out patterns", "W2", "S1"):
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


def _per_cop_summary(effects: dict[str, list[float]], se: float) -> pd.DataFrame:
    """Two arms (f = 0, 1) per replication; CoP c's effect in replication r is effects[c][r]."""
    rows = []
    for r in range(len(next(iter(effects.values())))):
        for f in (0, 1):
            row = {"replication": r, "f": f}
            for c, d in effects.items():
                row[f"y|cop={c}"] = 0.5 + f * d[r]
                row[f"y_se|cop={c}"] = se
            rows.append(row)
    return pd.DataFrame(rows)


def test_between_cop_spread_is_the_sd_of_per_cop_effects_net_of_their_noise():
    effects = {"a": [0.00, 0.02, 0.01], "b": [0.04, 0.06, 0.05], "c": [0.02, 0.04, 0.03]}
    terms = (Term(1, "y", {"f": 1}), Term(-1, "y", {"f": 0}))
    check = Check("spread", terms, +1, threshold=0.01, across="cop")
    # no noise: the sd over CoPs of (0, 0.04, 0.02) + a shift per replication is 0.02 in each
    assert heterogeneity(_per_cop_summary(effects, 0.0), check).to_numpy() == pytest.approx([0.02] * 3)
    # each arm's se 0.01: noise variance 2e-4 of the variance 4e-4 is taken out
    noisy = heterogeneity(_per_cop_summary(effects, 0.01), check).to_numpy()
    assert noisy == pytest.approx([np.sqrt(4e-4 - 2e-4)] * 3)
    # noise larger than the spread: no heterogeneity left, not a negative or NaN one
    assert heterogeneity(_per_cop_summary(effects, 0.05), check).to_numpy() == pytest.approx([0.0] * 3)
    assert judge(_per_cop_summary(effects, 0.0), check)["verdict"] == "holds"
    assert judge(_per_cop_summary(effects, 0.01), check)["effect"] == pytest.approx(0.0141421, abs=1e-6)
    # one effect for all CoPs: contradicted however large the effect
    same = {c: [0.05, 0.07, 0.06] for c in "abc"}
    assert judge(_per_cop_summary(same, 0.001), check)["verdict"] == "contradicted"


def test_between_cop_spread_needs_per_cop_values():
    summary = pd.DataFrame({"replication": [0, 0], "f": [0, 1], "y": [1.0, 2.0]})
    check = Check("spread", (Term(1, "y", {"f": 1}), Term(-1, "y", {"f": 0})), +1, across="cop")
    with pytest.raises(KeyError, match=r"no per-CoP values of 'y'"):
        heterogeneity(summary, check)


def test_a_check_across_something_other_than_cops_is_exit_2(tmp_path, capsys):
    folder = _library(tmp_path)
    path = folder / "X1.toml"
    path.write_text(path.read_text().replace('expect = "increase"', 'expect = "increase"\nacross = "site"'))
    assert main(["validate", "--quick", "--library", str(folder), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "X1.toml" in err and "pattern.checks[0].across" in err and "allowed: 'cop'" in err


def test_a_pattern_the_model_cannot_express_is_listed_apart(tmp_path):
    folder = _library(tmp_path)
    text = (folder / "X1.toml").read_text()
    stated = text[text.index("[pattern]"):].replace('id = "X1"', 'id = "X2"')
    stated = stated.replace('use = "calibration"', 'use = "held_out"\nneeds = "a per-site outcome"')
    (folder / "X2.toml").write_text(stated)
    assert main(["validate", "--quick", "--library", str(folder), "--out", str(tmp_path / "o"),
                 "--workers", "1", "--no-progress"]) == 0
    md = (tmp_path / "o" / "validation_quick.md").read_text()
    assert "## Stated, not yet expressible in this model" in md and "**X2**" in md
    assert "Needs a per-site outcome" in md
