"""The demo's kept figures (cop_sim.demo.live) draw exactly what the views' figures draw."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from cop_sim.demo import live, session, views

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"


def _pixels_of_figure(fig) -> np.ndarray:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].astype(int)


def _pixels_of_png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def _figure(run, view: str, cop: int):
    frame, cop_frame = run.frames()
    return {"network": lambda: views.network_figure(run, cop),
            "beliefs": lambda: views.beliefs_figure(run, cop),
            "learning": lambda: views.learning_figure(frame, run.horizon),
            "health": lambda: views.health_figure(cop_frame, list(run.cop_names), cop, run.horizon),
            "time": lambda: views.time_figure(frame, run.horizon)}[view]()


def test_kept_views_match_freshly_drawn_figures_week_after_week():
    run = session.build(DEFAULT, {"cop.representative": True, "seed": 3})
    checked = 0
    for week in range(1, 9):
        run.step()
        cop = 0 if week < 7 else 1  # switching CoP rebuilds the network and beliefs pictures
        images = {view: live.png(run, view, cop) for view in live.VIEWS}
        if week in (3, 6, 8):  # after the first meeting (week 2), kept for weeks, after the switch
            for view, data in images.items():
                got, want = _pixels_of_png(data), _pixels_of_figure(_figure(run, view, cop))
                assert got.shape == want.shape, view
                assert int(np.abs(got - want).max()) <= 2, (week, view)
                checked += 1
    assert checked == 15


def test_a_kept_figure_is_built_once_and_again_only_when_its_still_parts_change():
    run = session.build(DEFAULT, {"seed": 1})
    run.step()
    live.png(run, "learning", 0)
    live.png(run, "network", 0)
    kept = live._LIVE[run]
    learning, network = kept["learning"].canvas, kept["network"].canvas
    for _ in range(5):
        run.step()
        live.png(run, "learning", 0)
        live.png(run, "network", 0)
    assert kept["learning"].canvas is learning and kept["network"].canvas is network
    live.png(run, "network", 1)  # another CoP: other members
    assert kept["network"].canvas is not network


@pytest.mark.parametrize(("value", "least", "top"), [
    (0.055, 0.05, 0.1), (81.4, 1.0, 100.0), (0.2, 0.3, 0.3), (2.6, 1.0, 5.0), (2.0, 1.0, 2.0),
    (float("nan"), 1.0, 1.0),
])
def test_axis_tops_move_in_steps(value, least, top):
    assert views.nice_top(value, least) == pytest.approx(top)
