"""The demo's parts without a browser: asset list, controls, figures, CLI argument checks."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from cop_sim.demo import assets, controls, session, views
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"


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
    changed = {**values, "cop.moderator_skill": 0.25, "cop.representative": True,
               "cop.calendar.every_weeks": 13, "practice.caseload": 2.0, "seed": 7}
    resolved = session.resolve(DEFAULT, changed)
    assert controls.values_from(resolved) == changed
    assert "representative: yes" in controls.difference(values, changed)
    assert controls.difference(values, values) == ""


def test_bad_control_value_is_an_input_error():
    with pytest.raises(InputError):
        session.resolve(DEFAULT, {"cop.moderator_skill": 3.0})


def test_scenario_list_offers_only_cop_scenarios(tmp_path):
    (tmp_path / "a.toml").write_text('name = "a"\n')
    (tmp_path / "m.toml").write_text('model = "march1991"\n')
    (tmp_path / "broken.toml").write_text("not = [toml\n")
    assert list(controls.list_scenarios(tmp_path)) == ["a"]


def test_views_draw_a_running_model():
    model = session.build(DEFAULT, {"cop.representative": True, "seed": 3})
    for _ in range(6):
        model.step()
    frame = model.recorder.frame()
    figs = [views.network_figure(model, 0), views.learning_figure(frame, model.horizon),
            views.encounters_figure(frame, model.horizon), views.time_figure(frame, model.horizon)]
    for fig in figs:
        assert fig.axes
        assert any(ax.get_title() for ax in fig.axes)
    texts = " ".join(t.get_text() for t in figs[0].axes[0].texts)
    assert "moderator" in texts and "representative" in texts
    runs = session.run_to_end(DEFAULT, {"seed": 1}, seeds=2)
    assert len(runs) == 2 and isinstance(runs[0], pd.DataFrame)
    fig = views.comparison_figure(runs, runs, "A", "B")
    assert len(fig.axes) == len(views.COMPARE_PANELS)


def test_cli_rejects_unknown_scenario(capsys):
    from cop_sim.cli import main

    assert main(["demo", "no_such_scenario"]) == 2
    assert "no such scenario" in capsys.readouterr().err
