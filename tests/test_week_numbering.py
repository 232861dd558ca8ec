"""Row `week` = w is simulated week w in every output: an event or meeting of week w first shows in
the row labelled w (time series, per-CoP table, calibration statistics and data files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim import models, scenario
from cop_sim.calibration import observe
from cop_sim.cop.outcomes import INITIAL_WEEK

ROOT = Path(__file__).resolve().parents[1]
MEETING, EVENT = 5, 7  # the weeks of the only meeting and of the event
SMALL = ["weeks=12", "burn_in=4", "n_cops=2", "cop.calendar.every_weeks=0", f"cop.calendar.weeks=[{MEETING}]"]
# more exploration and longer encounters: plans and capacity change in the event's own week
EVENT_TOML = (f'[[events]]\nweek = {EVENT}\n'
              'set = { "practice.exploration" = 1.0, "practice.encounter_hours" = 1.5 }\n')


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One run without the event and one with it, at the same seed."""
    path = tmp_path_factory.mktemp("weeks") / "event.toml"
    path.write_text((ROOT / "scenarios" / "default.toml").read_text() + "\n" + EVENT_TOML)
    plain = models.simulate(scenario.load(ROOT / "scenarios" / "default.toml", SMALL), 4)
    event = models.simulate(scenario.load(path, SMALL), 4)
    return plain, event


def _first_differing_week(a: pd.DataFrame, b: pd.DataFrame) -> int:
    row = lambda t, r: t.iloc[[r]].reset_index(drop=True)  # noqa: E731
    same = [row(a, r).equals(row(b, r)) for r in range(len(a))]
    return int(a["week"].iloc[same.index(False)])


def test_rows_are_the_starting_state_then_the_simulated_weeks(runs):
    plain, _ = runs
    assert plain.timeseries["week"].tolist() == [INITIAL_WEEK, *range(12)]
    per_cop = plain.meta["per_cop"]
    assert per_cop["week"].tolist() == [w for w in [INITIAL_WEEK, *range(12)] for _ in range(2)]
    first = plain.timeseries.iloc[0]
    assert first["encounters"] == 0 and np.isnan(first["care_quality"])  # no care before week 0


def test_a_meeting_of_week_w_is_in_the_row_labelled_w(runs):
    plain, _ = runs
    ts, per_cop = plain.timeseries, plain.meta["per_cop"]
    assert ts.loc[ts["meetings"] > 0, "week"].tolist() == [MEETING]
    assert ts.loc[ts["attendance"].notna(), "week"].tolist() == [MEETING]
    held = per_cop[per_cop["attendance"].notna()]
    assert held["week"].tolist() == [MEETING, MEETING] and held["cop"].tolist() == ["cop1", "cop2"]


def test_an_event_of_week_w_first_changes_the_row_labelled_w(runs):
    plain, event = runs
    assert _first_differing_week(plain.timeseries, event.timeseries) == EVENT
    for cop in ("cop1", "cop2"):
        a, b = (r.meta["per_cop"] for r in (plain, event))
        assert _first_differing_week(a[a["cop"] == cop], b[b["cop"] == cop]) == EVENT


def test_calibration_observes_week_w_in_the_row_labelled_w(runs):
    plain, _ = runs
    ts, per_cop = plain.timeseries.set_index("week"), plain.meta["per_cop"]
    pooled = observe.Observation("att", "attendance", (MEETING,), "value", 0.0, False, 0.1)
    by_cop = observe.Observation("cop_att", "attendance", (MEETING,), "value", 0.0, True, 0.1,
                                 ("cop1", "cop2"))
    stats = observe.statistics(plain, [pooled, by_cop])
    assert stats[f"att|w{MEETING}"] == ts.loc[MEETING, "attendance"]
    for cop in ("cop1", "cop2"):
        row = per_cop[(per_cop["cop"] == cop) & (per_cop["week"] == MEETING)]
        assert stats[f"cop_att|cop={cop}|w{MEETING}"] == row["attendance"].item()
    # no meeting the week before or after: nothing to observe there
    early = observe.Observation("att", "attendance", (MEETING - 1, MEETING + 1), "value", 0.0, False, 0.1)
    assert np.isnan(list(observe.statistics(plain, [early]).values())).all()
    # a data file of these statistics holds them in the row of week w, and reads back the same
    data = observe.data_frame(stats, [pooled, by_cop])
    assert set(data["week"]) == {MEETING}
    assert observe.data_values(data, pooled, "data.csv") == {f"att|w{MEETING}": stats[f"att|w{MEETING}"]}
