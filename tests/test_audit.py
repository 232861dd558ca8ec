"""Audit and feedback: lagged, noisy figures against a peer benchmark; those below are flagged for review."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop import audit
from cop_sim.cop.model import CopModel
from tests.conftest import V020, cli, differs_from_v020, one_error

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"
FROZEN_CARE = ["practice.exploration=0", "practice.coordination_rate=0", "practice.collaboration_rate=0",
               "practice.replan=0", "review.interval=0", "review.triggers=false",
               "cop.calendar.every_weeks=0",
               "turnover.annual_rate=0", "n_cops=2"]


def test_audit_off_reproduces_the_stored_baseline_bit_for_bit():
    summary = models.simulate(scenario.load(DEFAULT, V020 + ["audit.enabled=false"]), 1).summary
    assert differs_from_v020(summary) == []
    assert summary["feedback_reports"] == 0 and summary["flagged"] == 0


def test_audit_draws_from_its_own_stream_only():
    """With reviews off a flag changes nothing: audit on is then the stored run, bit for bit."""
    resolved = scenario.load(DEFAULT, V020 + ["audit.enabled=true", "audit.interval=4"])
    summary = models.simulate(resolved, 1).summary
    assert differs_from_v020(summary) == []
    assert summary["feedback_reports"] > 0 and summary["flagged"] > 0


def _set_plans(m: CopModel, optimal: bool) -> None:
    w, pa = m.world, m.pa
    for i, k in np.argwhere(pa.ctx >= 0):
        best, active = w.best_combo[pa.ctx[i, k]], w.ctx_active[pa.ctx[i, k]]
        pa.plan[i, k, :] = np.where(active, best if optimal else (best + 1) % w.n_practices, -1)
        pa.tried[i, k] = -1


@pytest.mark.parametrize("lag", [0, 3])
def test_a_change_shows_in_feedback_only_after_the_lag(lag):
    """Plans all off the optimum, then all on it from week 4: reports see it lag + 1 weeks later."""
    pairs = FROZEN_CARE + ["weeks=14", "audit.enabled=true", "audit.interval=1", f"audit.lag={lag}",
                           "audit.charts=1000"]
    m = CopModel(scenario.load(DEFAULT, pairs), 4)
    _set_plans(m, False)
    for week in range(14):
        if week == 4:
            _set_plans(m, True)
        m.step()
    assert [r.week for r in m.audit_reports] == list(range(14))
    for r in m.audit_reports[lag + 1:]:  # earlier reports cover burn-in weeks, before the plans were set
        figures = r.figures[~np.isnan(r.figures)]
        assert len(figures) > 20
        # the report of week r covers care week r - lag - 1 (the week before, lag weeks back)
        assert (figures == (1.0 if r.week >= 4 + lag + 1 else 0.0)).all(), (r.week, figures[:5])


@pytest.mark.parametrize("charts", [10, 40])
def test_figures_are_binomial_in_the_charts_audited(charts):
    """The figure is the share of min(charts, available) sampled charts: its sd shrinks as 1/sqrt(charts)."""
    p, units = 0.3, 20000
    n = np.full(units, 500.0)  # charts available in the period
    rng = [np.random.default_rng(7)]
    fig = audit.measured(p * n, n, charts, rng, np.zeros(units, dtype=np.int64))
    sd = math.sqrt(p * (1 - p) / charts)
    assert abs(fig.mean() - p) < 4 * sd / math.sqrt(units)
    assert fig.std() == pytest.approx(sd, rel=0.03)
    few = audit.measured(np.array([2.0, 0.0]), np.array([4.0, 0.0]), charts, rng, np.zeros(2, dtype=np.int64))
    assert few[0] in (0.0, 0.25, 0.5, 0.75, 1.0) and np.isnan(few[1])  # at most the 4 charts there are


def test_the_benchmarks():
    x = np.array([0.1, 0.2, np.nan, 0.9, 0.4])
    assert audit.benchmark(x, "peer_mean") == pytest.approx(0.4)
    assert audit.benchmark(x, "top_decile") == pytest.approx(np.quantile([0.1, 0.2, 0.9, 0.4], 0.9))


@pytest.mark.parametrize("scope, bench", [("practitioner", "peer_mean"), ("practitioner", "top_decile"),
                                          ("cop", "peer_mean")])
def test_flagged_iff_below_the_benchmark_and_due_a_review_from_that_week(scope, bench):
    pairs = ["weeks=20", "n_cops=3", "cop.calendar.every_weeks=0", "audit.enabled=true", "audit.interval=5",
             "audit.lag=2",
             f"audit.scope={scope}", f"audit.benchmark={bench}"]
    m = CopModel(scenario.load(DEFAULT, pairs), 5)
    n_flagged = 0
    for _ in range(20):
        before, clock = m.pr.review_from.copy(), m.clock
        m.step()
        cols = m.recorder.columns()
        if not m.audit_reports or m.audit_reports[-1].week != m.week - 1:
            assert np.array_equal(before, m.pr.review_from) and cols["feedback_reports"][-1] == 0
            continue
        r = m.audit_reports[-1]
        assert r.week % 5 == 0
        own = r.figures if scope == "practitioner" else r.figures[m.pr.cop]
        expected = r.reported[own[r.reported] < r.benchmark]
        assert np.array_equal(r.flagged, expected)
        assert 0 < len(r.flagged) < len(r.reported)
        assert (m.pr.review_from[r.flagged] == clock).all()
        rest = np.setdiff1d(np.arange(len(before)), r.flagged)
        assert np.array_equal(m.pr.review_from[rest], before[rest])
        assert cols["feedback_reports"][-1] == len(r.reported) and cols["flagged"][-1] == len(r.flagged)
        n_flagged += len(r.flagged)
    assert len(m.audit_reports) == 4 and n_flagged > 0


def test_events_switch_audit_on_and_off():
    events = [{"week": 5, "set": {"audit.enabled": True}}, {"week": 15, "set": {"audit.enabled": False}}]
    res = models.simulate(scenario.load(DEFAULT, ["weeks=20", "n_cops=2", "audit.interval=4"],
                                        extra={"events": events}), 3)
    reports = res.timeseries["feedback_reports"].to_numpy()[1:]  # row 0: the settled practice
    assert list(np.flatnonzero(reports)) == [5, 9, 13]
    assert res.summary["feedback_reports"] == reports.sum() > 0


def test_the_audited_measure_cannot_change_in_a_run(tmp_path, capsys):
    path = tmp_path / "ev.toml"
    path.write_text('[[events]]\nweek = 3\nset = {"audit.measure" = "care_quality"}\n')
    code, err = cli(capsys, "run", path, "--weeks", "13", "--out", tmp_path / "o")
    assert code == 2
    one_error(err, "events[0].set.audit.measure", "from the start of the run")


@pytest.mark.parametrize("text, key, says", [
    ("[audit]\nmeasure = 'target_adherence'\n", "audit.measure", "change_package.targets"),
    ("[audit]\nbenchmark = 'median'\n", "audit.benchmark", "'top_decile'"),
    ("[audit]\ncharts = 0\n", "audit.charts", "[1, 1000]"),
])
def test_bad_audit_settings_are_refused_with_one_line(tmp_path, capsys, text, key, says):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, err = cli(capsys, "run", path, "--weeks", "13", "--out", tmp_path / "o")
    assert code == 2
    one_error(err, str(path), f"'{key}'", says)


def test_audit_of_target_adherence_charts_only_patients_a_target_applies_to():
    package = {"change_package": {"targets": [{"topic": "social_needs", "practice": 2,
                                               "applies": "with social needs"}]}}
    pairs = FROZEN_CARE + ["weeks=3", "audit.enabled=true", "audit.interval=1", "audit.lag=0",
                           "audit.measure=target_adherence"]
    m = CopModel(scenario.load(DEFAULT, pairs, extra=package), 6)
    m.step()
    cols = m.recorder.columns()
    total, n = audit.period(m.pr, m.clock, 0, 1)  # the charts of the week just cared for
    # one target a patient: a chart per visited patient with social needs, not one per visit
    assert n.sum() == cols["target_applicable"][1] < cols["encounters"][1]
    assert 0 < total.sum() <= n.sum()


def _flat_random_plans(m: CopModel, seed: int) -> None:
    """Beliefs flat (every practice alike) and plans drawn at random: a review can only re-draw them."""
    rng = np.random.default_rng(seed)
    m.pr.mu[:] = 0.5
    m.pr.prec[:] = 1.0
    w, pa = m.world, m.pa
    for i, k in np.argwhere(pa.ctx >= 0):
        active = w.ctx_active[pa.ctx[i, k]]
        pa.plan[i, k, :] = np.where(active, rng.integers(w.n_practices, size=w.n_topics), -1)
        pa.tried[i, k] = -1


def test_audit_leaves_the_optimal_share_unchanged_when_reviewers_beliefs_are_uninformed():
    """Feedback says "below the benchmark", not what to do: with flat beliefs a review re-draws plans.

    Paired seeds, the same random starting plans in both arms, no learning (experience weight 0,
    no meetings, no repository) and no result seen within the run (signal delay 52 weeks: a
    review's new plan is never judged, so keep-or-revert cannot select it): the mean paired
    difference in optimal_practice_share over the run lies within 3 standard errors (+ 0.005) of
    zero, and reviews did happen. (With results seen, the reviews audit triggers are tried changes
    judged by their results, a local search: see the next test.)
    """
    pairs = FROZEN_CARE + ["weeks=26", "practice.experience_weight=0", "repository.use=0",
                           "review.triggers=true", "practice.signal_delay=52", "audit.interval=4",
                           "audit.lag=0"]
    diffs, reviewed = [], 0
    for seed in range(1, 9):
        share = {}
        for on in (False, True):
            m = CopModel(scenario.load(DEFAULT, pairs + [f"audit.enabled={str(on).lower()}"]), seed)
            _flat_random_plans(m, seed)
            m.run_to_horizon()
            cols = m.recorder.columns()
            enc = cols["encounters"][1:]
            share[on] = float((cols["optimal_practice_share"][1:] * enc).sum() / enc.sum())
            if on:
                reviewed += int((m.pa.reviewed >= 0).sum())
        diffs.append(share[True] - share[False])
    d = np.array(diffs)
    assert reviewed > 0, "audit flagged plans but none was reviewed"
    assert abs(d.mean()) <= 3 * d.std(ddof=1) / math.sqrt(len(d)) + 0.005, d


def test_audit_moves_care_through_the_reviews_it_triggers():
    """Not hollow: with results seen, audit's flags bring reviews, and the plans they try change care."""
    pairs = FROZEN_CARE + ["weeks=26", "review.triggers=true", "audit.interval=4", "audit.lag=0"]
    out = {}
    for on in (False, True):
        res = models.simulate(scenario.load(DEFAULT, pairs + [f"audit.enabled={str(on).lower()}"]), 2)
        summary = res.summary
        out[on] = (summary["optimal_practice_share"], res.timeseries["reviews"].sum(), summary["flagged"])
    assert out[False][1] == 0 and out[False][2] == 0
    assert out[True][1] > 0 and out[True][2] > 0
    assert out[True][0] != out[False][0]
