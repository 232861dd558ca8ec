"""Virtual evaluations: the study's analysis (statsmodels), its calibration against the null, the CLI.

These tests use synthetic design files written here, never the evidence library's: no statistic of
a published result is computed before the CoP model 0.3 sets its defaults (issue "Virtual evaluations").
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim.cli import main as cli
from cop_sim.evaluation import analysis, design, library, simulate
from cop_sim.evaluation.run import evaluate

SMALL = Path(__file__).parent / "evaluation" / "small_site.toml"


def design_file(tmp_path: Path, sim: str = "", result: str = 'statistic = "did_change"\nvalue = 0.0',
                sites: tuple[int, int] = (10, 10), months: int = 3,
                measure: str = "target_adherence") -> Path:
    path = tmp_path / "study.toml"
    path.write_text(f'''id = "study"
title = "a synthetic study"
use = "calibration"
[source]
citation = "synthetic"
doi = "none"
checked = "synthetic"
[design]
kind = "difference_in_differences"
arms = ["intervention", "comparison"]
sites_intervention = {sites[0]}
sites_comparison = {sites[1]}
months = {months}
measure = "{measure}"
[change_package]
expressible = true
rule = "synthetic"
unit_mapping = "pp"
[result]
{result}
unit = "pp"
[verdict]
rule = "common"
predictive_level = 0.9
max_width = 30.0
[simulation]
scenario = "{SMALL}"
{sim}
''')
    return path


def test_did_recovers_a_known_effect_with_a_cluster_robust_interval():
    gen = np.random.default_rng(3)
    rows = []
    for site in range(40):
        arm, level = int(site < 20), gen.normal(0.6, 0.05)
        for period in (0, 1):
            noise = gen.normal(0, 0.01)
            rows.append({"site": site, "arm": arm, "period": period, "true": level,
                         "measured": level + 0.05 * arm * period + noise})
    out = analysis.analyse(pd.DataFrame(rows), charts=0)
    assert out["did_lo"] < 5.0 < out["did_hi"]
    assert abs(out["did_estimate"] - 5.0) < 1.0
    assert out["did_significant"] == 1
    assert out["did_sites"] == 40
    assert out["pre_post_intervention_estimate"] == pytest.approx(out["pre_post_change"])


def test_analysis_is_calibrated_against_the_null(tmp_path):
    """Usual care in both arms: the 95 % DiD interval covers zero in 90-99 % of 100 studies."""
    ev = library.read(design_file(tmp_path, "replicates = 100\nnull = true\nseed = 11"))
    result = evaluate(ev, design.plan(ev), "defaults", progress=False)
    covered = ((result.stats["did_lo"] <= 0) & (result.stats["did_hi"] >= 0)).mean()
    assert 0.90 <= covered <= 0.99, covered


@pytest.mark.full
def test_analysis_is_calibrated_against_the_null_full(tmp_path):
    ev = library.read(design_file(tmp_path, "replicates = 400\nnull = true\nseed = 12", sites=(40, 40),
                                  months=12))
    result = evaluate(ev, design.plan(ev), "prior", progress=False)
    covered = ((result.stats["did_lo"] <= 0) & (result.stats["did_hi"] >= 0)).mean()
    assert 0.90 <= covered <= 0.99, covered


def test_only_the_intervention_arm_meets(tmp_path):
    plan = design.plan(library.read(design_file(tmp_path, sites=(2, 3))))
    resolved = simulate.resolved_study(plan)
    calendars = [c["calendar"]["every_weeks"] for c in resolved["cops"]]
    assert calendars == [4, 4, 0, 0, 0]
    assert resolved["cops"][0]["calendar"]["start_week"] == plan.baseline_weeks == 13
    assert resolved["weeks"] == 13 + 13


def test_replicates_are_a_pure_function_of_the_seed(tmp_path):
    ev = library.read(design_file(tmp_path, "replicates = 2\nseed = 5", sites=(3, 3)))
    a = evaluate(ev, design.plan(ev), "prior", progress=False)
    b = evaluate(ev, design.plan(ev), "prior", progress=False)
    pd.testing.assert_frame_equal(a.stats, b.stats)
    pd.testing.assert_frame_equal(a.sites, b.sites)
    drawn = simulate.prior_keys()
    assert drawn and all(k in a.stats for k in drawn)  # every prior parameter was drawn and recorded
    assert a.stats[next(iter(drawn))].nunique() == 2


def test_cli_writes_an_evaluation_and_labels_the_stand_in(tmp_path, capsys):
    path = design_file(tmp_path, "replicates = 2", sites=(3, 2))
    out = tmp_path / "out"
    assert cli(["evaluate", str(path), "--out", str(out), "--draws", "defaults"]) == 0
    record = json.loads((out / "evaluation.json").read_text())
    assert record["stand_in"] is True and record["measure_used"] == "optimal_practice_share"
    assert record["verdict"]["verdict"] in ("reproduced", "not reproduced", "inconclusive")
    assert record["provenance"] and record["version"]
    assert (out / "site_effects.png").stat().st_size > 1000
    assert "optimal_practice_share` stands in" in (out / "evaluation.md").read_text()
    assert (out / ".cop_sim_run.json").exists()
    sites = pd.read_parquet(out / "sites.parquet")
    assert set(sites["period"]) == {0, 1} and len(sites) == 2 * 2 * 5
    assert "stood in" in capsys.readouterr().out


@pytest.mark.parametrize(("sim", "args", "message"), [
    ("colour = 1", [], "'simulation.colour': unknown key"),
    ("charts = -1", [], "simulation.charts"),
    ("null = 1", [], "simulation.null"),
    ("", ["--draws", "posterior"], "--posterior"),
    ("", ["--replicates", "0"], "--replicates"),
])
def test_bad_design_input_is_one_line_with_exit_2(tmp_path, capsys, sim, args, message):
    path = design_file(tmp_path, sim)
    assert cli(["evaluate", str(path), "--out", str(tmp_path / "o"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and "Traceback" not in err


def test_unknown_measure_and_missing_file_are_refused(tmp_path, capsys):
    assert cli(["evaluate", str(design_file(tmp_path, measure="happiness"))]) == 2
    assert "design.measure" in capsys.readouterr().err
    assert cli(["evaluate", str(tmp_path / "absent.toml")]) == 2
    assert "not a file" in capsys.readouterr().err
