"""The demo's parts without a browser: asset list, controls, figures, stories, speed, lesson 4, CLI."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim.demo import assets, controls, session, views
from cop_sim.demo.readings import member_belief_error
from cop_sim.demo.story_card import stories_html
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / f"{session.DEFAULT_SCENARIO}.toml"
LESSON4 = ROOT / "scenarios" / "hierarchy_lesson.toml"
pytestmark = pytest.mark.filterwarnings("ignore::numba.NumbaPerformanceWarning")


def test_asset_list_matches_what_solara_requests():
    """Every versioned package Solara's page and grid layout load is in the offline cache list."""
    import solara

    base = Path(solara.__file__).parent
    sources = [base / "server" / "templates" / "solara.html.j2", base / "widgets" / "vue" / "gridlayout.vue"]
    wanted = set()
    for src in sources:
        text = src.read_text()
        # vuetify 3 app is not used (ipyvue < 3)
        wanted |= {m for m in re.findall(r"(?:cdn\}\}|getCdn\(\)\})/((?:@[\w-]+/)?[\w.-]+@[\w.-]+)/", text)
                   if "vuetify3" not in m}
    assert len(wanted) >= 3, wanted  # the pattern still finds the urls
    assert wanted <= set(assets.PACKAGES), wanted - set(assets.PACKAGES)
    fa = solara.server.settings.assets.fontawesome_path.strip("/").split("/")[0]
    assert fa in assets.PACKAGES


def test_configure_environment_points_solara_at_the_cache(tmp_path, monkeypatch):
    for key in ("SOLARA_ASSETS_PROXY_CACHE_DIR", "SOLARA_TELEMETRY_MIXPANEL_ENABLE", "SOLARA_ASSETS_PROXY"):
        monkeypatch.delenv(key, raising=False)
    import sys

    loaded = sys.modules.get("solara.server.settings")
    if loaded is not None:  # restored after the test
        monkeypatch.setattr(loaded.assets, "proxy_cache_dir", loaded.assets.proxy_cache_dir)
        monkeypatch.setattr(loaded.telemetry, "mixpanel_enable", loaded.telemetry.mixpanel_enable)
    missing = assets.configure_environment(tmp_path)
    import os

    assert os.environ["SOLARA_ASSETS_PROXY_CACHE_DIR"] == str(tmp_path)
    assert os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert set(missing) == set(assets.KEY_FILES)
    assert assets.missing_packages(tmp_path) == list(assets.PACKAGES)


def test_controls_round_trip_through_scenario_overrides():
    values = controls.values_from(session.resolve(DEFAULT))
    assert set(values) == {c.key for c in controls.CONTROLS}
    changed = {**values, "cop.moderator_skill": 0.25, "cop.representative": True, "cop.mentor": True,
               "cop.calendar.every_weeks": 13, "practice.caseload": 2.0, "meeting.story_weight": 1.5,
               "seed": 7}
    resolved = session.resolve(DEFAULT, changed)
    assert controls.values_from(resolved) == changed
    assert "representative: yes" in controls.difference(values, changed)
    assert controls.difference(values, values) == ""
    assert controls.DEMO_ONLY not in " ".join(controls.overrides(changed))  # not a scenario key


def test_bad_control_value_is_an_input_error():
    with pytest.raises(InputError):
        session.resolve(DEFAULT, {"cop.moderator_skill": 3.0})


def test_scenario_list_offers_only_scenarios_of_the_demos_model(tmp_path):
    (tmp_path / "a.toml").write_text(f'model = "{session.KIND}"\nname = "a"\n')
    (tmp_path / "m.toml").write_text('model = "march1991"\n')
    (tmp_path / "other.toml").write_text(f'model = "{"cop" if session.KIND != "cop" else "march1991"}"\n')
    (tmp_path / "broken.toml").write_text("not = [toml\n")
    assert list(controls.list_scenarios(session.KIND, tmp_path)) == ["a"]
    shipped = controls.list_scenarios(session.KIND)
    assert {DEFAULT.stem, LESSON4.stem} <= set(shipped)
    assert "march1991_cop" not in shipped  # a docking set-up, not a class scenario


def test_views_draw_a_running_model():
    run = session.build(DEFAULT, {"cop.representative": True, "seed": 3})
    for _ in range(6):
        run.step()
    frame, cop_frame = run.frames()
    figs = [views.network_figure(run, 0), views.learning_figure(frame, run.horizon),
            views.health_figure(cop_frame, list(run.cop_names), 0, run.horizon),
            views.time_figure(frame, run.horizon), views.beliefs_figure(run, 0)]
    for fig in figs:
        assert fig.axes
        assert any(ax.get_title() for ax in fig.axes)
    texts = " ".join(t.get_text() for t in figs[0].axes[0].texts)
    assert "moderator" in texts and "representative" in texts
    assert len(figs[2].axes[0].lines) == len(run.cop_names)  # one health curve per CoP
    # inverted senior beliefs fall on the anti-diagonal of the beliefs picture
    wrong = session.build(LESSON4, {controls.DEMO_ONLY: controls.SENIOR_CHOICES[2]})
    senior = views.beliefs_figure(wrong, 0).axes[0].collections[0].get_offsets()
    assert np.allclose(senior[:, 0] + senior[:, 1], 1.0)
    runs = session.run_to_end(DEFAULT, {"seed": 1}, seeds=2)
    assert len(runs) == 2 and isinstance(runs[0], pd.DataFrame)
    fig = views.comparison_figure(runs, runs, "A", "B")
    assert len(fig.axes) == len(views.COMPARE_PANELS)


def test_member_belief_error_is_the_models_belief_error_over_whole_panels():
    run = session.build(DEFAULT, {"seed": 2})
    err = member_belief_error(run.model)
    assert err.shape == (48,) and np.all((err >= 0) & (err < 1))
    # the week's visits are a sample of the panels: the recorded mean is close to the panels' mean
    run.step()
    frame, _ = run.frames()
    assert abs(frame["belief_error"].iloc[-1] - np.nanmean(member_belief_error(run.model))) < 0.03


def test_stories_of_a_meeting_match_the_models_count_of_stories_told():
    run = session.build(DEFAULT, {"cop.representative": True, "seed": 5})
    assert all(m is None for m in run.stories.latest)
    assert "No meeting yet" in stories_html(run.stories.latest[0])
    cases = int(run.params["cop"]["cases_per_meeting"])
    checked = 0
    while run.week < 20:
        run.step()
        frame, _ = run.frames()
        told = frame["stories"].iloc[-1]
        if told == 0:
            continue
        week = run.week - 1
        meetings = [m for m in run.stories.latest if m is not None and m.week == week]
        members_told = [s for m in meetings for s in m.stories if s.success is not None]
        assert len(members_told) == told, (week, len(members_told), told)
        for m in meetings:
            assert sum(s.success is not None for s in m.stories) <= cases
            assert m.stories[-1].teller == "patient representative"
            assert 0 < m.came == len(m.attendees) <= m.invited
        assert all(s.surprise > 0 and 0 <= s.lesson_error < 1 for s in members_told)
        checked += 1
    assert checked >= 4  # meetings every four weeks from week 2
    # the network rings the latest meeting's attendees, also in weeks without a meeting
    latest = run.stories.latest[0]
    assert run.week - 1 != latest.week and latest.attendees
    marks = views.network_figure(run, 0).axes[0].collections[1:]  # after the trust lines
    ringed = sum(int((np.asarray(c.get_edgecolors())[:, 3] > 0).sum()) for c in marks)
    assert ringed == latest.came + 2  # and the moderators' star and the representative's diamond
    assert {True, False} <= {s.success for m in run.stories.latest for s in m.stories}
    assert "cases told" in stories_html(run.stories.latest[0])
    never = session.build(DEFAULT, {"cop.calendar.every_weeks": 0, "seed": 1})  # and no explicit weeks
    assert "no meetings" in stories_html(None, never.model.cops[0]["calendar"])


def test_a_demo_step_takes_under_300_ms():
    """The server's work for one Step before drawing: the week, the record and the members' beliefs."""
    run = session.build(DEFAULT, {"seed": 1})
    for _ in range(3):  # past the first meeting: Numba compiled, caches warm
        run.step()
        run.frames()
    laps = []
    for _ in range(10):
        t0 = time.perf_counter()
        run.step()
        run.frames()
        member_belief_error(run.model)
        laps.append(time.perf_counter() - t0)
    assert float(np.median(laps)) < 0.3, laps


def _quality(senior: str, steepness: float, seeds: int = 5) -> float:
    runs = session.run_to_end(LESSON4, {"seed": 1, "hierarchy.steepness": steepness,
                                        controls.DEMO_ONLY: senior}, seeds)
    return float(np.mean([views.run_mean([r], "care_quality") for r in runs]))


def test_lesson4_a_steep_hierarchy_helps_when_seniors_are_right_and_hurts_when_wrong():
    """The lesson's comparison as the demo runs it: steepness 1 (A) against 0 (B), five seeds."""
    right, wrong = controls.SENIOR_CHOICES[1], controls.SENIOR_CHOICES[2]
    helps = _quality(right, 1.0) - _quality(right, 0.0)
    hurts = _quality(wrong, 1.0) - _quality(wrong, 0.0)
    assert helps > 0 > hurts
    assert abs(hurts) > abs(helps)  # lopsided: training is right already for most patients
    assert _quality(right, 1.0) > _quality(controls.SENIOR_CHOICES[0], 1.0) > _quality(wrong, 1.0)


def test_cli_rejects_unknown_scenario(capsys):
    from cop_sim.cli import main

    assert main(["demo", "no_such_scenario"]) == 2
    assert "no such scenario" in capsys.readouterr().err


def test_cli_rejects_a_scenario_of_another_model(capsys):
    from cop_sim.cli import main

    assert main(["demo", str(ROOT / "scenarios" / "march1991.toml")]) == 2
    err = capsys.readouterr().err
    assert "'model'" in err and session.KIND in err and "Traceback" not in err
