"""The calibration report's next steps: which parameters are identified (by a stated rule), which
observed statistics the model misses, and the `sweep --posterior` command that follows."""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim.calibration import identify
from cop_sim.calibration.spec import load
from cop_sim.cli import build_parser, main
from cop_sim.experiment.crossed import posterior_draws
from cop_sim.experiment.design import load_experiment

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent / "calibration"
TINY_ABC = "[abc]\npopulation = 10\ngenerations = 1\nbatch = 10\npredictive_draws = 10\n"


def _calibration(tmp: Path, abc: str | None = None) -> Path:
    """tests/calibration/recovery.toml (engagement and caseload, one CoP, 26 weeks) in ``tmp``."""
    text = (HERE / "recovery.toml").read_text()
    text = text.replace('"../../scenarios/default.toml"', f'"{ROOT / "scenarios" / "default.toml"}"')
    if abc is not None:
        text = text[:text.index("[abc]")] + abc
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "recovery_data.csv").write_text((HERE / "recovery_data.csv").read_text())
    (tmp / "cal.toml").write_text(text)
    return tmp / "cal.toml"


@pytest.mark.parametrize(("ratio", "expect"), [(0.2, "identified"), (0.49, "identified"),
                                               (0.5, "partly identified"), (0.79, "partly identified"),
                                               (0.8, "not identified"), (0.95, "not identified"),
                                               (float("nan"), "not identified")])
def test_verdict_follows_the_stated_thresholds(ratio, expect):
    assert identify.verdict(ratio) == expect
    assert f"{identify.IDENTIFIED} of the prior's" in identify.RULE


def test_synthetic_posterior_and_predictive_draws_are_classified(tmp_path):
    cal = load(_calibration(tmp_path))
    assert list(cal.observed) == ["attendance|mean", "backlog|mean", "knowledge|w25"]
    rng = np.random.default_rng(1)
    n = 2000
    # engagement concentrated (prior [0.3, 1.0]), caseload spread over its whole prior [0.5, 3.0]
    post = pd.DataFrame({"particle": np.arange(n), "weight": np.full(n, 1 / n),
                         "meeting.engagement_mean": np.clip(rng.normal(0.7, 0.03, n), 0.3, 1.0),
                         "practice.caseload": rng.uniform(0.5, 3.0, n)})
    # observed: attendance 0.7 (centre of its draws), backlog 0.1 (far below), knowledge 0.5
    # (at the 93rd-94th percentile: inside the 90 % band, outside the central 80 %)
    pred = pd.DataFrame({"attendance|mean": rng.normal(0.7, 0.02, n),
                         "backlog|mean": rng.normal(1.0, 0.1, n),
                         "knowledge|w25": rng.normal(0.5 - 1.5 * 0.01, 0.01, n)})
    steps = identify.next_steps(cal, post, pred, tmp_path / "out")
    verdicts = {p["parameter"]: (p["verdict"], p["width_ratio"]) for p in steps["parameters"]}
    assert verdicts["meeting.engagement_mean"][0] == "identified"
    assert verdicts["meeting.engagement_mean"][1] < 0.5
    assert verdicts["practice.caseload"][0] == "not identified"
    assert verdicts["practice.caseload"][1] > 0.8
    where = {s["statistic"]: s["where"] for s in steps["statistics"]}
    assert where == {"backlog|mean": "outside", "knowledge|w25": "edge"}  # attendance is not named
    md = "\n".join(identify.markdown(steps))
    assert "| `practice.caseload` |" in md and "not identified |" in md
    assert "`backlog|mean`: observed 0.1" in md and "outside the band" in md
    assert "at the edge of the band" in md and "narrower than 0.5 of the prior's" in md


def test_experiments_on_the_calibrated_scenario_are_found(tmp_path):
    cal_path = _calibration(tmp_path / "calibration")
    exp = (ROOT / "experiments" / "moderation_x_patient_participation.toml").read_text()
    here = exp.replace('"../scenarios/default.toml"', f'"{ROOT / "scenarios" / "default.toml"}"')
    (tmp_path / "moderation.toml").write_text(here)  # one folder up, as in experiments/
    (tmp_path / "other.toml").write_text(here.replace("default.toml", "perform_kt.toml"))
    (tmp_path / "broken.toml").write_text("[experiment\n")
    found = identify.experiments_on(load(cal_path, with_data=False))
    assert found == [tmp_path / "moderation.toml"]


def test_calibrate_prints_identification_and_the_next_command(tmp_path, capsys, monkeypatch):
    cal_path = _calibration(tmp_path / "calibration", TINY_ABC)
    exp = (ROOT / "experiments" / "moderation_x_patient_participation.toml").read_text()
    (tmp_path / "moderation.toml").write_text(
        exp.replace('"../scenarios/default.toml"', f'"{ROOT / "scenarios" / "default.toml"}"'))
    monkeypatch.chdir(tmp_path)  # paths print relative to where the user stands
    assert main(["calibrate", str(cal_path), "--out", "results/cal", "--workers", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "identification (rule: identified if the posterior's 90 % interval is narrower than 0.5" in out
    for key in ("meeting.engagement_mean", "practice.caseload"):
        line = next(x for x in out.splitlines() if x.strip().startswith(key))
        assert line.rstrip().endswith(("  identified", "partly identified", "not identified"))
    command = out.strip().splitlines()[-1].strip()
    assert command == ("cop-sim sweep moderation.toml --posterior results/cal/posterior.parquet "
                       "--draws 100")
    argv = shlex.split(command)[1:]
    args = build_parser().parse_args(argv)  # a command the CLI accepts ...
    assert args.command == "sweep" and Path(args.posterior).is_file()
    # ... and a posterior the experiment reads
    draws, _ = posterior_draws(args.posterior, load_experiment(args.experiment), 3)
    assert len(draws) == 3 and set(draws[0]) == {"meeting.engagement_mean", "practice.caseload"}
    report = (tmp_path / "results" / "cal" / "calibration.md").read_text()
    assert "## Next steps" in report and command in report
