"""Calibration to published results, held-out prediction, the library report and its conditions.

Every test here uses the SYNTHETIC evidence files of ``tests/evaluation/synthetic/`` (made-up
numbers, tiny designs), never the evidence library's: no statistic of a published result is
computed before the CoP model 0.3 sets its defaults (issue 25). The shipped calibration file is
only parsed (its rule for choosing parameters), never run.
"""

from __future__ import annotations

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import cli, one_error

from cop_sim.calibration.recovery import recover
from cop_sim.calibration.run import posterior, run_abc
from cop_sim.evaluation import analysis, conditions, design, library, library_report, observation, simulate
from cop_sim.evaluation import calibrate as evidence
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parents[1]
SYN = ROOT / "tests" / "evaluation" / "synthetic"
CAL = SYN / "calibration" / "synthetic.toml"
SHIPPED = ROOT / "experiments" / "evidence" / "calibration" / "published.toml"


def _frame(n_int: int, n_comp: int, sd_site: float, seed: int = 0, effect: float = 0.05) -> pd.DataFrame:
    """A simulated study's site table (as measure_sites gives it), with known site changes."""
    gen = np.random.default_rng(seed)
    rows = []
    for site in range(n_int + n_comp):
        arm = int(site < n_int)
        base = gen.uniform(0.4, 0.7)
        change = effect * arm + gen.normal(0, sd_site)
        for period, value in ((0, base), (1, base + change)):
            rows.append({"site": site, "period": period, "arm": arm, "true": value, "measured": value})
    return pd.DataFrame(rows)


# --- the observation model -------------------------------------------------------------------


def test_observation_sd_is_the_interval_width_over_3_92():
    assert observation.sd_from_interval(0.61, 6.17) == pytest.approx((6.17 - 0.61) / 3.92, rel=1e-3)
    assert observation.sd_from_interval(-1.0, 1.0, 0.90) == pytest.approx(1 / 1.6449, rel=1e-4)
    sd, how = observation.published_sd({"lo": 1.0, "hi": 4.92, "interval": "95 % CI"}, None, "f", "k")
    assert sd == pytest.approx(1.0, rel=1e-3) and "3.92" in how
    assert observation.interval_level({"interval": "90 % CI"}) == 0.90
    with pytest.raises(InputError, match="no numeric interval"):
        observation.published_sd({"lo": "not published", "hi": "not published"}, None, "f", "k")
    with pytest.raises(InputError, match="remove this sd"):
        observation.published_sd({"lo": 1.0, "hi": 2.0}, 0.5, "f", "k")
    assert observation.published_sd({"lo": "n/a"}, 0.3, "f", "k")[0] == 0.3


def test_point_estimates_equal_the_statsmodels_analysis():
    frame = _frame(12, 9, 0.04, seed=5)
    full = analysis.analyse(frame, charts=0)
    assert observation.point(frame, "pre_post_change", 0) == pytest.approx(full["pre_post_change"])
    assert observation.point(frame, "did_change", 0) == pytest.approx(full["did_estimate"])
    assert observation.point(frame, "relative_change", 0) == pytest.approx(full["relative_change"])
    assert observation.point(frame, "share_sites_significant", 0) == full["share_sites_significant"] or \
        math.isnan(full["share_sites_significant"])


# --- the reduced-design check ------------------------------------------------------------------


def test_se_check_refuses_a_reduction_that_changes_the_se_by_more_than_20_percent():
    frames = [_frame(50, 0, 0.10, seed=s) for s in range(3)]  # site sd of change: 10 pp
    # the published interval's sd (1 pp) is small beside 10 pp / sqrt(50): the reduction shows
    bad = observation.reduction_check(frames, "pre_post_change", 1.0, (50, 0), (1278, 0))
    assert not bad["ok"] and bad["worst"] > 1.2
    # a wide published interval (sd 10 pp) swamps the design's own noise: the reduction is harmless
    good = observation.reduction_check(frames, "pre_post_change", 10.0, (50, 0), (1278, 0))
    assert good["ok"] and 1.0 <= good["worst"] < 1.2
    # a design simulated whole has ratio 1
    assert observation.reduction_check(frames, "pre_post_change", 1.0, (50, 0), (50, 0))["worst"] == 1.0


def test_a_calibration_refuses_a_reduced_design_whose_se_differs(tmp_path):
    ev = (SYN / "synthetic_pre_post.toml").read_text()
    tight = ev.replace("sites_intervention = 2\n", "sites_intervention = 400\n").replace(
        "lo = -4.0\nhi = 8.0", "lo = 1.99\nhi = 2.01")  # sd 0.005 pp: any reduction shows
    (tmp_path / "tight.toml").write_text(tight.replace('scenario = "../small_site.toml"',
                                                       f'scenario = "{SYN.parent / "small_site.toml"}"'))
    cal = CAL.read_text().replace('["../synthetic_pre_post.toml", "../synthetic_did.toml"]',
                                  f'["{tmp_path / "tight.toml"}"]').replace(
        "[observation.synthetic_did]\nsd = 5.0\nwhy = \"made up (synthetic)\"\n", "")
    path = tmp_path / "cal.toml"
    path.write_text(cal + "\n[designs.synthetic_pre_post]\nsites_intervention = 2\n\n[check]\ndraws = 1\n")
    with pytest.raises(InputError, match="standard error") as err:
        evidence.load(path)
    assert err.value.key == "designs.synthetic_pre_post"


# --- which parameters are fitted -----------------------------------------------------------------


def test_the_shipped_calibration_fits_every_prior_by_rule_and_names_each_exclusion():
    cal = evidence.load(SHIPPED, check=False)  # parsed only: nothing is simulated
    raw = tomllib.loads(SHIPPED.read_text())
    excluded = raw["parameters"]["exclude"]
    for key in simulate.prior_keys():
        under = [p for p in excluded if key == p or key.startswith(p + ".")]
        assert (key in cal.keys) != bool(under), key
    assert all(len(why) > 20 for why in excluded.values())
    fitted_to = {e["id"] for e in cal.extra["evidence"]}
    assert fitted_to <= {e.id for e in library.library() if e.use == "calibration"}
    assert all(e["sd"] > 0 for e in cal.extra["evidence"])
    # files measured in the same practices share one run per candidate
    assert len({evidence.design_key(e) for e in cal.extra["evidence"]}) < len(cal.extra["evidence"])


def test_include_and_exclude_prefixes_are_checked():
    keys = [f.key for f in evidence.fitted_keys(["meeting"], {"meeting.trust_rate": "a reason"}, "f")]
    assert keys and all(k.startswith("meeting.") for k in keys) and "meeting.trust_rate" not in keys
    with pytest.raises(InputError, match="meetng"):
        evidence.fitted_keys(["meetng"], {}, "f")
    with pytest.raises(InputError, match="say why"):
        evidence.fitted_keys([], {"world": ""}, "f")


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry,quoted", [
    ("no_such_file.toml", "not a file"),
    ("synthetic_held_out.toml", "held-out"),
])
def test_bad_evidence_lists_are_one_line_exit_2(tmp_path, capsys, entry, quoted):
    text = CAL.read_text().replace('["../synthetic_pre_post.toml", "../synthetic_did.toml"]',
                                   f'["{SYN / "synthetic_pre_post.toml"}", "{SYN / entry}"]')
    text = text.replace("[observation.synthetic_did]\nsd = 5.0\nwhy = \"made up (synthetic)\"\n", "")
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, err = cli(capsys, "calibrate", path, "--out", tmp_path / "out")
    assert code == 2
    one_error(err, quoted, "calibration.evidence[1]")
    assert not (tmp_path / "out").exists()


# --- determinism and recovery --------------------------------------------------------------------


def test_evidence_calibration_is_deterministic_bit_for_bit(tmp_path, capsys):
    code, _ = cli(capsys, "calibrate", CAL, "--out", tmp_path / "a", "--workers", "1", "--no-progress")
    assert code == 0
    first = pq.read_table(tmp_path / "a" / "posterior.parquet").to_pandas()
    assert list(first.columns) == ["particle", "weight", "practice.exploration", "meeting.trust_rate"]
    cal = evidence.load(CAL)
    again = posterior(run_abc(cal, tmp_path / "b.db", _serial(cal)), cal)
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    report = (tmp_path / "a" / "calibration.md").read_text()
    assert "cop-sim evaluate" in report  # the next step: predict the held-out files
    # the report's fit check of a calibration file uses the design the calibration simulated
    designs = library_report.calibrated_designs(tmp_path / "a" / "posterior.parquet")
    assert designs["synthetic_did"] == {"sites_intervention": 2, "sites_comparison": 2, "charts": 20,
                                        "every_weeks": 4}


def _serial(cal):
    from cop_sim.calibration.execute import simulate_batch

    def run(cands):
        return simulate_batch(cal.to_dict(), cands)

    return run


def test_quick_recovery_of_the_evidence_calibration(tmp_path):
    """One truth only (the machinery); the full check is a command (docs/user-guide/evaluation.md)."""
    cal = evidence.load(CAL)
    result = recover(cal, 1, tmp_path / "rec", workers=1, progress=False)
    frame = result["frame"]
    assert set(frame["parameter"]) == set(cal.keys) and len(frame) == len(cal.keys)
    assert frame[["in50", "in90"]].dtypes.eq(bool).all() and (frame["in90"] >= frame["in50"]).all()
    assert frame["width90_ratio"].between(0, 1.5).all()
    text = (tmp_path / "rec" / "recovery.md").read_text()
    assert "50 % coverage" in text and "identification" in text
    for key in cal.keys:  # each parameter says whether the statistics identify it
        row = next(line for line in text.splitlines() if line.startswith(f"| `{key}`"))
        assert row.rstrip(" |").endswith(("| identified", "| partly identified", "| not identified"))


def test_reference_recovery_identifies_the_parameter_the_statistic_carries():
    """Leave-one-out rejection ABC on a table where one statistic is a parameter plus small noise."""
    from cop_sim.calibration import reference

    cal = evidence.load(CAL, check=False)
    gen = np.random.default_rng(3)
    n = 400
    params = pd.DataFrame({f.key: f.prior.ppf(gen.random(n)) for f in cal.fitted})
    carried, ignored = cal.fitted[0], cal.fitted[1]
    lo, hi = carried.prior.ppf([0.0, 1.0])
    stat = (params[carried.key] - lo) / (hi - lo)  # in [0, 1], the observation sds are ~1
    stats = np.column_stack([stat * 20 + gen.normal(0, 0.05, n)] + [gen.normal(0, 1, n)] *
                            (len(cal.observed) - 1))
    frame = reference.score(cal, params, stats, 200)
    width = frame.groupby("parameter")["width90_ratio"].mean()
    assert width[carried.key] < 0.3 < 0.7 < width[ignored.key]
    cover = frame.groupby("parameter")["in90"].mean()
    # at least nominal: rejection ABC on prior truths covers at 90 %, more where the posterior is
    # narrower than the accepted neighbourhood (the carried parameter)
    assert (cover >= 0.8).all()


def test_reference_recovery_runs_from_the_command_line_and_resumes(tmp_path, capsys):
    out = tmp_path / "ref"
    code, _ = cli(capsys, "calibrate", CAL, "--recovery", "2", "--reference", "12", "--out", out,
                     "--workers", "1", "--no-progress")
    assert code == 0 and "identification" in (out / "recovery.md").read_text()
    assert len(list((out / "truths").glob("*.json"))) == 12
    first = pq.read_table(out / "recovery.parquet").to_pandas()
    (out / "truths" / "5.json").unlink()  # as if killed before that draw was written
    code, _ = cli(capsys, "calibrate", CAL, "--recovery", "2", "--reference", "12", "--out", out,
                  "--workers", "1", "--no-progress", "--resume")
    assert code == 0
    again = pq.read_table(out / "recovery.parquet").to_pandas()
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    code, err = cli(capsys, "calibrate", CAL, "--reference", "12", "--out", tmp_path / "x")
    assert code == 2 and "--reference" in err and "--recovery" in err


# --- conditions ----------------------------------------------------------------------------------------


def _sites(n: int = 200, seed: int = 1) -> pd.DataFrame:
    gen = np.random.default_rng(seed)
    skill = gen.uniform(0.2, 1.0, n)
    base = gen.uniform(0.3, 0.8, n)
    # large gains with a skilled moderator, none with an unskilled one, whatever the baseline
    change = np.select([skill > 0.8, skill > 0.4], [0.10, 0.02], -0.02) + gen.normal(0, 0.002, n)
    rows = []
    for i in range(n):
        for period, value in ((0, base[i]), (1, base[i] + change[i])):
            rows.append({"replicate": i // 10, "site": i % 10, "arm": 1, "period": period, "true": value,
                         "measured": value, "cond_moderator_skill": skill[i], "cond_landscape_K": 2.0})
    frame = pd.DataFrame(rows)
    frame["cond_baseline_gap"] = 1 - frame.groupby(["replicate", "site"])["true"].transform("first")
    return frame


def test_conditions_drop_what_does_not_vary_and_find_the_condition_that_does():
    found = conditions.find(_sites())
    assert found["dropped"] == ["landscape_K"]
    assert set(found["conditions"]) == {"moderator_skill", "baseline_gap"}
    lo, hi = found["conditions"]["moderator_skill"]
    assert 0.2 <= lo < 0.25 and 0.95 < hi <= 1.0
    for outcome in ("change", "share_of_gap"):
        res = found["outcomes"][outcome]
        keys = {r["key"] for b in res["boxes"] if b["box"] for r in b["box"]["restricted"]}
        assert "landscape_K" not in keys and "moderator_skill" in keys
        assert "moderator_skill" in res["cart"]["splits"] and "landscape_K" not in res["cart"]["splits"]
    large = found["outcomes"]["change"]["boxes"][0]
    assert large["inside_mean"] > 5 > large["outside_mean"]
    assert large["sentence"].startswith("Sites with moderator skill at least")
    assert "coverage" in large["sentence"] and "density" in large["sentence"]
    text = "\n".join(conditions.markdown(found))
    assert "Dropped" in text and "landscape ruggedness K" in text


def test_site_rows_record_the_conditions_of_the_study_and_the_site():
    ev = library.read(SYN / "synthetic_did.toml")
    frame = simulate.study(design.plan(ev), 0, simulate.prior_draw(3, 0))
    for column in ("cond_landscape_K", "cond_moderator_skill", "cond_turnover", "cond_time_pressure",
                   "cond_baseline_gap", "cond_encounters"):
        assert column in frame and frame[column].notna().all(), column
    assert np.allclose(frame["cond_baseline_gap"], 1 - frame.groupby("site")["true"].transform("first"))


# --- the library report --------------------------------------------------------------------------------


def _posterior(path: Path) -> Path:
    pd.DataFrame({"particle": np.arange(3, dtype=np.int64), "weight": [0.2, 0.3, 0.5],
                  "meeting.trust_rate": [0.1, 0.2, 0.3]}).to_parquet(path, index=False)
    return path


def test_a_posterior_of_an_integer_parameter_is_rounded_as_the_calibration_simulated_it(tmp_path):
    """ABC proposes team.size on a continuous scale; the candidate ran round-half-up of it."""
    from cop_sim.evaluation.run import posterior_sampler

    path = tmp_path / "posterior.parquet"
    pd.DataFrame({"particle": np.arange(2, dtype=np.int64), "weight": [0.5, 0.5],
                  "team.size": [2.5, 1.49], "meeting.trust_rate": [0.1, 0.2]}).to_parquet(path, index=False)
    draws = {posterior_sampler(path, 1)(r)["team.size"] for r in range(20)}
    assert draws == {3, 1} and all(type(d) is int for d in draws)


def test_report_writes_the_forest_plot_and_verdicts_and_protects_user_files(tmp_path):
    md = tmp_path / "evidence.md"
    post = _posterior(tmp_path / "posterior.parquet")
    out = library_report.write(SYN, md, post, replicates=2, progress=False)
    text = md.read_text()
    assert text.splitlines()[0] == library_report.HEADER
    assert (tmp_path / "evidence_forest.png").is_file() and library_report.png_ok(out["figure"])
    for name in ("synthetic_pre_post", "synthetic_did", "synthetic_held_out"):
        assert f"`{name}`" in text
    held = [line for line in text.splitlines() if line.startswith("- `synthetic_held_out`")]
    assert len(held) == 1 and any(v in held[0] for v in ("**reproduced**", "**not reproduced**",
                                                         "**inconclusive**"))
    assert "prior predictive" in text and "posterior predictive" in text
    assert "## Under which conditions" in text
    # a second run replaces its own report; a user's file is never overwritten
    library_report.write(SYN, md, None, replicates=2, progress=False)
    assert "none (prior predictive only)" in md.read_text()
    mine = tmp_path / "mine.md"
    mine.write_text("# my notes\n")
    with pytest.raises(InputError, match="not generated"):
        library_report.write(SYN, mine, None, replicates=2, progress=False)
    assert mine.read_text() == "# my notes\n"
    (tmp_path / "other_forest.png").write_bytes(b"not a png of ours")
    with pytest.raises(InputError, match="not generated"):
        library_report.check_targets(tmp_path / "other.md")


def test_a_statistic_the_analysis_cannot_give_is_simulated_once_and_not_evaluable(tmp_path):
    text = (SYN / "synthetic_did.toml").read_text()
    assert 'statistic = "did_change"' in text
    path = tmp_path / "synthetic_count.toml"
    text = text.replace('"../small_site.toml"', repr(str(SYN.parent / "small_site.toml")).replace("'", '"'))
    path.write_text(text.replace('statistic = "did_change"', 'statistic = "did_measures_significant"'))
    ev = library.read(path)
    from cop_sim.evaluation.run import evaluate

    result = evaluate(ev, design.plan(ev, {"replicates": 5}), "defaults", progress=False)
    assert result.plan.replicates == 1 and "gives no value" in result.plan.reduced
    assert result.judged["verdict"] == "not evaluable" and result.stats["replicate"].tolist() == [0]


def test_report_cli_needs_a_folder_and_refuses_a_user_file(tmp_path, capsys):
    mine = tmp_path / "evidence.md"
    mine.write_text("written by hand\n")
    code, err = cli(capsys, "evaluate", SYN, "--report", mine)
    assert code == 2
    one_error(err, "not generated")
    assert mine.read_text() == "written by hand\n"
    code, err = cli(capsys, "evaluate", SYN / "synthetic_did.toml", "--report", tmp_path / "r.md")
    assert code == 2
    one_error(err, "only with a folder")


def test_evaluate_predicts_a_held_out_file_from_a_calibration_folder(tmp_path, capsys):
    folder = tmp_path / "calibration"
    folder.mkdir()
    _posterior(folder / "posterior.parquet")
    code, _ = cli(capsys, "evaluate", SYN / "synthetic_held_out.toml", "--posterior", folder,
                  "--out", tmp_path / "out", "--replicates", "2")
    assert code == 0
    assert json.loads((tmp_path / "out" / "evaluation.json").read_text())["draws"] == "posterior"
    stats = pd.read_parquet(tmp_path / "out" / "statistics.parquet")
    assert stats["meeting.trust_rate"].isin([0.1, 0.2, 0.3]).all()  # particles, by weight
    assert stats["world.K"].nunique() >= 1 and "world.K" in stats  # the rest drawn from the priors
