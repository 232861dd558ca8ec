"""Figures that do not mislead: each figure of run, report, calibrate and compare, rendered on tiny
inputs and read back from its matplotlib artists.

Checked on every figure: each legend label names an artist drawn with data; meeting ticks and
event lines sit at the weeks the run's rows (and scenario) give; an axis that excludes zero says
it is zoomed; the better direction is written where it is known.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim import models, scenario
from cop_sim.figures import plot_run
from cop_sim.plot_rules import EVENT_GID, MEETING_GID, ZOOMED, cop_meeting_weeks, event_weeks
from cop_sim.report import figures as report_figures
from cop_sim.report.compare import Arm, figure, weekly

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = """name = "tiny"
weeks = 10
n_cops = 2
[cop]
moderators = 1
[cop.calendar]
every_weeks = 3
start_week = 1
[[events]]
week = 5
set = {"cop.moderator_skill" = 0.9}
"""


def _finite(xy) -> bool:
    xy = np.asarray(xy, dtype=float)
    return bool(xy.size) and bool(np.isfinite(xy.reshape(len(xy), -1)).all(axis=1).any())


def _has_data(artist) -> bool:
    """Independently of cop_sim.plot_rules: does this artist show at least one finite point?"""
    if hasattr(artist, "get_xydata"):
        return _finite(artist.get_xydata())
    if hasattr(artist, "get_paths"):
        return any(len(p.vertices) and np.isfinite(p.vertices).all() for p in artist.get_paths())
    if hasattr(artist, "patches"):
        return any(np.isfinite(p.get_width()) and p.get_width() != 0 for p in artist.patches)
    if hasattr(artist, "lines"):
        return _has_data(artist.lines[0])
    if hasattr(artist, "get_width"):  # one bar of a histogram
        return bool(np.isfinite([artist.get_width(), artist.get_height()]).all() and artist.get_width())
    raise AssertionError(f"unexpected legend artist {artist!r}")


def check_legends(fig) -> int:
    """Every legend label of ``fig`` matches an artist of its axes that has data; returns the count."""
    seen = 0
    for ax in fig.get_axes():
        leg = ax.get_legend()
        if leg is None:
            continue
        artists = [*ax.lines, *ax.collections, *ax.containers, *ax.patches]
        for text in leg.get_texts():
            label = text.get_text()
            match = [a for a in artists if a.get_label() == label]
            assert match, f"legend entry {label!r} has no artist in {ax.get_title()!r}"
            assert any(_has_data(a) for a in match), f"legend entry {label!r} has no data"
            seen += 1
    return seen


def marks(ax, gid: str) -> list[float]:
    """The x positions of the meeting or event lines of ``ax``."""
    xs = [line.get_xdata() for line in ax.lines if line.get_gid() == gid]
    assert all(x[0] == x[1] for x in xs)  # vertical
    return sorted(float(x[0]) for x in xs)


def flat(text: str) -> str:
    """A label with its wrapping undone."""
    return " ".join(text.split())


def check_zero_or_zoomed(ax, label: str | None = None) -> None:
    lo, hi = ax.get_ylim()
    if lo > 0 or hi < 0:
        assert ZOOMED in flat(label if label is not None else ax.get_ylabel()), ax.get_title()


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    path = tmp_path_factory.mktemp("scen") / "tiny.toml"
    path.write_text(SCENARIO)
    resolved = scenario.load(path)
    result = models.simulate(resolved, 3)
    return resolved, result


def test_run_figure_marks_meetings_and_events_where_the_rows_say(tiny_run, tmp_path):
    resolved, result = tiny_run
    ts, per_cop = result.timeseries, result.meta["per_cop"]
    fig = plot_run(ts, result.meta["panels"], tmp_path / "learning.png", "tiny", event_weeks(resolved),
                   per_cop)
    assert (tmp_path / "learning.png").stat().st_size > 0
    meetings = sorted(float(w) for w in ts.loc[ts["meetings"] > 0, "week"])  # from the rows
    assert meetings and event_weeks(resolved) == [5]
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    cop_axes = [ax for ax in axes if ax.get_title().startswith("CoP ")]
    main_axes = [ax for ax in axes if ax not in cop_axes]
    assert len(cop_axes) == 2 and len(main_axes) == len(result.meta["panels"])  # a panel per CoP
    for ax in main_axes:
        assert marks(ax, MEETING_GID) == meetings
        assert marks(ax, EVENT_GID) == [5.0]
        check_zero_or_zoomed(ax)
    for ax in cop_axes:
        cop = ax.get_title().removeprefix("CoP ")
        assert marks(ax, MEETING_GID) == [float(w) for w in cop_meeting_weeks(per_cop, cop)]
        assert marks(ax, EVENT_GID) == [5.0]
        check_zero_or_zoomed(ax, cop_axes[0].get_ylabel())  # one shared y axis, labelled once
    assert check_legends(fig) >= len(main_axes)
    titles = {ax.get_title(): ax for ax in main_axes}
    assert "Beliefs (lower is better)" in titles
    assert "Care quality and health (higher is better)" in titles
    # a series only of meeting weeks is drawn as markers; one with no value is named, not listed
    trust = titles["Trust and voice (higher is better)"]
    voice = [line for line in trust.lines if line.get_label() == "low status voice"]
    assert voice and voice[0].get_marker() == "o"
    assert "representative trust" not in [t.get_text() for t in trust.get_legend().get_texts()]
    assert any("no values: representative trust" in t.get_text() for t in trust.texts)


def _sweep_frame(conditions: int = 9, reps: int = 3, weeks: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for point in range(conditions):
        for rep in range(reps):
            for w in range(weeks + 1):
                rows.append({"run_id": f"p{point}r{rep}", "point": point, "replication": rep, "seed": rep,
                             "week": w, "care_quality": 0.78 + 0.001 * point + 0.002 * rng.standard_normal(),
                             "meetings": float(w % (2 + point % 2) == 1)})
    return pd.DataFrame(rows)


def test_report_learning_curves_are_small_multiples_with_marks(tmp_path):
    ts = _sweep_frame()
    conditions = {p: f"skill={p / 10}" for p in range(9)}
    fig = report_figures.learning_curves(ts, conditions, "care_quality", {"care_quality": "0-1"},
                                         tmp_path / "curves.png", "learning", events=[4])
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    assert len(axes) == 9
    for ax, point in zip(axes, conditions, strict=True):
        bands = [c for c in ax.collections if c.get_label() == "95% CI"]
        assert len(bands) == 1  # one band per panel, not nine in one
        rows = ts[(ts["point"] == point) & (ts["meetings"] > 0)]
        assert marks(ax, MEETING_GID) == sorted(float(w) for w in rows["week"].unique())
        assert marks(ax, EVENT_GID) == [4.0]
    assert "higher is better" in flat(axes[0].get_ylabel()) and "model units" not in axes[0].get_ylabel()
    check_zero_or_zoomed(axes[0])
    assert check_legends(fig) >= 4  # reference, mean, band, meeting, event


def test_report_heat_map_colour_bar_says_its_range(tmp_path):
    table = pd.DataFrame({"a": [1, 1, 2, 2], "b": [0, 1, 0, 1], "mean": [0.799, 0.802, 0.8041, 0.806],
                          "n": [3, 3, 3, 3]})
    fig = report_figures.heatmap(table, "a", "b", "care_quality", {}, tmp_path / "heat.png", "heat")
    colorbar_label = flat(fig.get_axes()[1].get_ylabel())
    assert "0.799 to 0.806" in colorbar_label and "range of 0.007" in colorbar_label
    assert "higher is better" in colorbar_label and "model units" not in colorbar_label


def test_report_forest_and_indices_legends_match(tmp_path):
    rows = [{"name": "x: 0 → 1", "effect": 0.01, "lo": -0.002, "hi": 0.02},
            {"name": "x: 0 → 2", "effect": 0.02, "lo": 0.01, "hi": 0.03}]
    fig = report_figures.forest(rows, "belief_error", {}, tmp_path / "forest.png", "forest")
    assert "lower is better" in flat(fig.get_axes()[0].get_xlabel())
    assert check_legends(fig) == 2
    idx = pd.DataFrame({"factor": ["a", "b"], "mu_star": [0.1, 0.2], "mu_star_conf": [0.01, 0.02],
                        "sigma": [0.1, 0.1], "mu": [0.1, 0.2]})
    fig = report_figures.indices(idx, "Morris", "care_quality", {}, tmp_path / "idx.png", "indices")
    assert check_legends(fig) == 1


def test_calibration_figures(tmp_path):
    from cop_sim.calibration import report
    from cop_sim.calibration.spec import load

    (tmp_path / "data.csv").write_text("week,knowledge\n3,0.13\n7,0.12\n11,0.115\n")
    (tmp_path / "cal.toml").write_text(f"""[calibration]
name = "fig"
description = "figure test"
scenario = "{ROOT / 'scenarios' / 'default.toml'}"
data = "data.csv"
master_seed = 1
distance = "euclidean"
[set]
n_cops = 1
weeks = 12
events = [{{week = 6, set = {{"cop.representative" = true}}}}]
[parameters."practice.caseload"]
lo = 0.5
hi = 3.0
[observe.knowledge]
outcome = "belief_error"
weeks = [3, 7, 11]
noise_sd = 0.01
""")
    cal = load(tmp_path / "cal.toml")
    rng = np.random.default_rng(1)
    post = pd.DataFrame({"practice.caseload": rng.uniform(0.5, 3.0, 40), "weight": 1 / 40})
    pred = pd.DataFrame({k: v + rng.normal(0, 0.004, 30) for k, v in cal.observed.items()})
    fig = report._ppc(cal, pred, tmp_path / "ppc.png")
    ax = fig.get_axes()[0]
    assert "lower is better" in flat(ax.get_ylabel())
    assert marks(ax, EVENT_GID) == [6.0]  # the statistics sit at their weeks, the event at its own
    check_zero_or_zoomed(ax)
    assert check_legends(fig) == 3
    fig = report._marginals(cal, post, tmp_path / "marginals.png")
    assert check_legends(fig) == 2
    assert (tmp_path / "ppc.png").stat().st_size and (tmp_path / "marginals.png").stat().st_size


def test_compare_figure_marks_each_arms_meetings_and_states_the_better_side(tmp_path):
    weeks = np.arange(9)
    rng = np.random.default_rng(2)
    base = 0.1 + 0.01 * rng.standard_normal((3, 9))
    attendance = np.where(weeks % 3 == 1, 0.7, np.nan)[None].repeat(3, 0)  # only in meeting weeks
    a = Arm("A", weeks, {"belief_error": base, "attendance": attendance}, meetings=[1, 4, 7], events=[])
    b = Arm("B", weeks, {"belief_error": base - 0.02, "attendance": a.values["attendance"] + 0.1},
            meetings=[1, 3, 4, 7], events=[5])
    outcomes = ["belief_error", "attendance"]
    table = weekly(a, b, outcomes)
    fig = figure(table, a, b, outcomes, tmp_path / "compare.png", "test")
    axes = fig.get_axes()
    assert len(axes) == 4
    for ax in axes:
        ticks = [(float(line.get_xdata()[0]), line.get_color()) for line in ax.lines
                 if line.get_gid() == MEETING_GID]
        assert sorted(x for x, c in ticks if c == "C0") == [1, 4, 7]
        assert sorted(x for x, c in ticks if c == "C1") == [1, 3, 4, 7]
        assert marks(ax, EVENT_GID) == [5.0]
    left, right = axes[0], axes[1]
    assert "lower is better" in flat(left.get_ylabel()) and "below 0: B better" in flat(right.get_ylabel())
    lo, hi = right.get_ylim()
    assert lo <= 0 <= hi and any(line.get_label() == "no difference" and set(line.get_ydata()) == {0}
                                 for line in right.lines)
    check_zero_or_zoomed(left)
    check_legends(fig)
    gappy = [line for line in axes[2].lines if line.get_label().startswith("A:")]
    assert gappy[0].get_marker() == "o"  # attendance exists only in meeting weeks: markers
