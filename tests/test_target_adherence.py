"""target_adherence: adherence to a declared [change_package], per week, per CoP and in the summary."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop.model import CopModel
from cop_sim.cop.package import NOT_DECLARED
from cop_sim.cop.world.spec import topic_names
from tests.conftest import V020, cli, differs_from_v020, one_error

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"
FROZEN_CARE = ["practice.exploration=0", "practice.coordination_rate=0", "practice.collaboration_rate=0",
               "practice.replan=0", "review.interval=0", "review.triggers=false",
               "cop.calendar.every_weeks=0",
               "weeks=2", "turnover.annual_rate=0",
               "n_cops=2"]
TARGETS = [{"topic": "diabetes", "practice": 0},  # 'condition active' by default
           {"topic": "copd", "practice": 1, "applies": "always"},
           {"topic": "social_needs", "practice": 2, "applies": "with social needs"},
           {"topic": "depression", "practice": 3, "applies": "without social needs"},
           {"topic": "depression", "practice": 1, "applies": "with social needs"}]


def _package(targets: list[dict]) -> dict:
    return {"change_package": {"name": "test", "targets": targets}}


def _expected(m: CopModel, visited: np.ndarray, targets: list[dict]) -> tuple[int, int]:
    """Hits and applicable patient-topics of the visited patients, counted here from the definition."""
    w = m.world
    names = topic_names(w.n_topics, w.n_conditions)
    hit = app = 0
    for i, k in visited:
        ctx = m.pa.ctx[i, k]
        social = w.ctx_social[ctx] == 1
        for tg in targets:
            t = names.index(tg["topic"])
            applies = tg.get("applies", "condition active")
            ok = {"condition active": w.ctx_active[ctx, t], "always": True,
                  "with social needs": w.ctx_active[ctx, t] and social,
                  "without social needs": w.ctx_active[ctx, t] and not social}[applies]
            if ok:
                app += 1
                hit += int(m.pa.plan[i, k, t] == tg["practice"])
    return hit, app


def test_the_weekly_share_is_hits_over_applicable_targeted_topics_of_the_visited():
    m = CopModel(scenario.load(DEFAULT, FROZEN_CARE, extra=_package(TARGETS)), 3)
    pa, w = m.pa, m.world
    # a hand-made plan: on each active topic a practice that varies with patient and topic
    for i, k in np.argwhere(pa.ctx >= 0):
        active = w.ctx_active[pa.ctx[i, k]]
        pa.plan[i, k, :] = np.where(active, (i + 2 * k + np.arange(w.n_topics)) % w.n_practices, -1)
        pa.tried[i, k] = -1  # nothing pending: frozen care leaves every plan as it is
    before = pa.asked.copy()
    m.step()
    visited = np.argwhere((pa.ctx >= 0) & (before <= m.clock - 1) & (pa.asked > m.clock - 1))
    hit, app = _expected(m, visited, TARGETS)
    assert len(visited) > 20 and 0 < hit < app  # a case where the share is neither 0 nor 1
    cols = m.recorder.columns()
    assert cols["encounters"][1] == len(visited)
    assert cols["target_applicable"][1] == app
    assert cols["target_adherence"][1] == hit / app
    per_cop = m.recorder.cop_columns()["target_adherence"][1]
    assert np.all((per_cop > 0) & (per_cop < 1)) and len(per_cop) == 2


def test_all_on_target_is_one_and_none_is_zero():
    for on in (True, False):
        m = CopModel(scenario.load(DEFAULT, FROZEN_CARE, extra=_package(TARGETS[:1])), 3)
        t = 0  # diabetes
        rows = m.pa.ctx >= 0
        m.pa.plan[rows, t] = np.where(m.world.ctx_active[m.pa.ctx[rows], t], 0 if on else 2, -1)
        m.pa.tried[:] = -1
        m.step()
        assert m.recorder.columns()["target_adherence"][1] == (1.0 if on else 0.0)


def test_undeclared_the_column_is_empty_and_the_run_says_why():
    res = models.simulate(scenario.load(DEFAULT, ["weeks=3", "n_cops=2"]), 2)
    assert res.timeseries["target_adherence"].isna().all()
    assert res.meta["per_cop"]["target_adherence"].isna().all()
    assert math.isnan(res.summary["target_adherence"])
    assert math.isnan(res.summary["target_adherence_last_quarter"])
    assert res.meta["notes"]["target_adherence"] == NOT_DECLARED
    assert (res.timeseries["target_applicable"] == 0).all()


def test_declared_the_summary_pools_applicable_topics_and_reports_it_beside_the_optimal_share():
    res = models.simulate(scenario.load(DEFAULT, ["weeks=13", "n_cops=2"], extra=_package(TARGETS)), 2)
    ts = res.timeseries.iloc[1:]
    pooled = (ts["target_adherence"] * ts["target_applicable"]).sum() / ts["target_applicable"].sum()
    assert res.summary["target_adherence"] == pytest.approx(pooled, rel=1e-12)
    assert 0 < res.summary["target_adherence_last_quarter"] < 1
    assert "target_adherence" not in res.meta["notes"]
    keys = list(res.summary)
    assert keys.index("target_adherence") == keys.index("optimal_practice_share_last_quarter") + 1


@pytest.mark.parametrize("targets, key, says", [
    ([{"topic": "asthma", "practice": 0}], "change_package.targets[0].topic", "diabetes"),
    ([{"topic": "copd", "practice": 4}], "change_package.targets[0].practice", "[0, 3]"),
    ([{"topic": "copd", "practice": True}], "change_package.targets[0].practice", "[0, 3]"),
    ([{"topic": "copd", "practice": 0, "applies": "sometimes"}], "change_package.targets[0].applies",
     "'with social needs'"),
    ([{"topic": "copd", "practice": 0, "when": 1}], "change_package.targets[0].when", "applies"),
    ([{"topic": "copd", "practice": 0}, {"topic": "copd", "practice": 1, "applies": "with social needs"}],
     "change_package.targets[1].applies", "overlaps"),
    (["copd"], "change_package.targets[0]", "a table"),
])
def test_bad_packages_are_refused_with_one_line(tmp_path, capsys, targets, key, says):
    path = tmp_path / "bad.toml"
    body = ", ".join("{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in t.items()) + "}"
                     if isinstance(t, dict) else json.dumps(t) for t in targets)
    path.write_text(f"[change_package]\ntargets = [{body}]\n")
    code, err = cli(capsys, "run", path, "--weeks", "13", "--out", tmp_path / "o")
    assert code == 2
    one_error(err, str(path), f"'{key}'", says)


def test_an_event_cannot_change_the_package(tmp_path, capsys):
    path = tmp_path / "ev.toml"
    path.write_text('[[events]]\nweek = 3\nset = {"change_package.name" = "x"}\n')
    code, err = cli(capsys, "run", path, "--weeks", "13", "--out", tmp_path / "o")
    assert code == 2
    one_error(err, "events[0].set.change_package.name", "one package for the whole run")


def test_a_package_leaves_the_stored_baseline_bit_for_bit():
    """Measuring adherence draws nothing and changes no plan: the run is the stored one, bit for bit."""
    summary = models.simulate(scenario.load(DEFAULT, V020, extra=_package(TARGETS)), 1).summary
    assert differs_from_v020(summary) == []


def test_an_evidence_files_package_reads_as_a_scenarios():
    import tomllib

    from cop_sim.cop.package import from_evidence, package

    raw = tomllib.loads((ROOT / "experiments" / "evidence" / "evidencenow_aspirin.toml").read_text())
    resolved = scenario.load(DEFAULT, ["weeks=13"], extra={"change_package":
                                                         from_evidence(raw["change_package"])})
    table = package(resolved)
    names = topic_names(8, 6)
    on = [names.index(t) for t in raw["change_package"]["topics"]]
    assert (table[:2, on] == raw["change_package"]["practice"]).all() and (table[2] == 0).all()
    assert (np.delete(table[:2], on, axis=1) == -1).all()
