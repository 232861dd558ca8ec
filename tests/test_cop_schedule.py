"""The CoP model's timing and book-keeping: calendars, requests, hours, turnover, streams, agents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cop_sim import models
from cop_sim.cop.calendar import meeting_weeks
from cop_sim.cop.model import CopModel
from cop_sim.cop.queue import NEVER, weeks_to_request
from cop_sim.cop.upkeep import pool


def run_out(model: CopModel) -> pd.DataFrame:
    while model.running:
        model.step()
    return model.recorder.frame()


def test_calendars_fire_when_they_say():
    base = {"every_weeks": 4, "start_week": 2, "weeks": [], "max_meetings": 0, "monthly": False}
    assert meeting_weeks(base, 52) == list(range(2, 52, 4))
    assert meeting_weeks(base | {"max_meetings": 6}, 52) == [2, 6, 10, 14, 18, 22]
    monthly = meeting_weeks(base | {"monthly": True, "start_week": 0}, 52)
    assert len(monthly) == 12 and monthly[:4] == [0, 4, 9, 13]
    assert meeting_weeks(base | {"every_weeks": 0, "weeks": [30, 5, 5]}, 52) == [5, 30]


def test_meetings_in_the_model_follow_the_calendar(resolve):
    frame = run_out(CopModel(resolve("cop.calendar.monthly=true", "cop.calendar.start_week=1"), seed=1))
    assert frame["meetings"].sum() == 12 * 4  # twelve a year in each of four CoPs
    none = run_out(CopModel(resolve("weeks=20", "cop.calendar.every_weeks=0"), seed=1))
    assert none["meetings"].sum() == 0 and none["stories"].sum() == 0


@pytest.mark.parametrize("p", [0.05, 0.3, 0.9])
def test_scheduled_requests_match_a_weekly_chance(p):
    """One geometric draw per visit stands for asking with chance p every week: mean gap 1/p."""
    u = np.random.default_rng(7).random(200_000)
    gaps = np.array([weeks_to_request(x, p) for x in u])
    assert gaps.min() == 1
    assert gaps.mean() == pytest.approx(1 / p, rel=0.01)
    assert np.mean(gaps == 1) == pytest.approx(p, abs=0.005)  # asks the very next week with chance p
    assert weeks_to_request(0.5, 0.0) == NEVER and weeks_to_request(0.5, 1.0) == 1


def test_a_meeting_week_costs_attendees_their_hours(resolve):
    model = CopModel(resolve("cop.calendar.every_weeks=4", "cop.calendar.start_week=0"), seed=2)
    model.step()  # week 0 holds the meetings
    pr = model.pr
    assert pr.attended.any()
    assert np.all(pr.cop_hours[pr.attended] >= model.params["cop"]["meeting_hours"])
    assert np.all(pr.cop_hours[~pr.attended] == 0.0)
    model.step()  # week 1 has none
    assert np.all(model.pr.cop_hours == 0.0)


def test_meeting_hours_displace_care(resolve):
    """With CoP hours taken from the panel, a long meeting every week leaves fewer encounters."""
    short = run_out(CopModel(resolve("weeks=12", "cop.meeting_hours=0.25", "cop.calendar.every_weeks=1",
                                     "cop.calendar.start_week=0"), seed=3))
    long = run_out(CopModel(resolve("weeks=12", "cop.meeting_hours=8.0", "cop.calendar.every_weeks=1",
                                    "cop.calendar.start_week=0"), seed=3))
    assert long["encounters"].sum() < short["encounters"].sum()


def test_turnover_keeps_the_head_count(resolve):
    model = CopModel(resolve("turnover.annual_rate=0.9"), seed=4)
    disc = model.pr.disc.copy()
    n_agents = len(model.agents_by_type[type(model.agents[0])])
    frame = run_out(model)
    assert frame["leavers"].sum() > 20
    np.testing.assert_array_equal(model.pr.disc, disc)
    assert len(model.agents_by_type[type(model.agents[0])]) == n_agents


def test_documentation_decides_whether_the_repository_is_written(resolve):
    kept = {}
    for doc in (0.0, 1.0):
        model = CopModel(resolve("weeks=20", "burn_in=0", "repository.use=0.0", f"cop.documentation={doc}",
                                 "cop.calendar.start_week=0"), seed=5)
        run_out(model)
        kept[doc] = int((model.cp.R_prec > 0).sum())
    assert kept[0.0] == 0 < kept[1.0]


def test_pooling_narrows_gaps_between_repositories(resolve):
    model = CopModel(resolve("weeks=4"), seed=5)
    cp = model.k.cp
    model.cp.R_prec[:] = 1.0
    model.cp.R_mu[:] = 0.2
    model.cp.R_mu[0] = 0.8
    spread = model.cp.R_mu.std(axis=0).sum()
    pool(cp, np.zeros(len(model.cops), dtype=np.int64))  # one team: all CoPs
    assert model.cp.R_mu.std(axis=0).sum() < spread


def test_different_seeds_differ(resolve):
    r = resolve("weeks=10")
    assert not models.simulate(r, 1).timeseries.equals(models.simulate(r, 2).timeseries)


def test_named_streams_keep_the_start_when_a_process_changes(resolve):
    """Turnover draws from its own stream: changing it leaves week 0 and week 1's care alone."""
    a = models.simulate(resolve("weeks=3", "turnover.annual_rate=0.0"), 5).timeseries
    b = models.simulate(resolve("weeks=3", "turnover.annual_rate=0.9"), 5).timeseries
    pd.testing.assert_series_equal(a.iloc[0], b.iloc[0])
    assert a.loc[1, "encounters"] == b.loc[1, "encounters"]


def test_agents_are_views_on_the_arrays(resolve):
    from cop_sim.cop.agents import Moderator, Practitioner, Representative, patients

    model = CopModel(resolve("weeks=4", "cop.representative=true"), 1)
    p = model.agents_by_type[Practitioner][0]
    p.beliefs[:] = 0.5
    assert np.all(model.pr.mu[p.idx] == 0.5)
    assert len(model.agents_by_type[Moderator]) == 8
    assert len(model.agents_by_type[Representative]) == 4
    everyone = patients(model)
    assert len(everyone) == int((model.pa.ctx >= 0).sum())  # created on first access
    assert everyone[0].health.min() >= 0.0 and everyone[0].health.max() <= 1.0


def test_an_unknown_tally_is_an_error_not_dropped():
    from cop_sim.cop.outcomes import COUNTS, RATIOS, check_schema

    check_schema()  # the shipped schema is consistent
    with pytest.raises(ValueError, match="RATIOS names unknown tallies \\['qualty'\\]"):
        check_schema(ratios=RATIOS + (("typo", "qualty", "encounters"),))
    with pytest.raises(ValueError, match="COUNTS names unknown tallies"):
        check_schema(counts=COUNTS + ("visits",))
