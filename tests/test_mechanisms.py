"""Each mechanism on its own, in a model whose state is set by hand."""

from __future__ import annotations

import numpy as np
import pytest

from cop_sim.meetings import hold_meetings
from cop_sim.model import CopModel
from cop_sim.practice import capacity
from cop_sim.state import NEVER, weeks_to_request
from cop_sim.vocab import DISCIPLINES, TOPICS

DIABETES, GOALS = TOPICS.index("diabetes"), TOPICS.index("goals_of_care")


def one_cop(resolve, *pairs: str) -> CopModel:
    """A single CoP where everyone attends and only one case, on diabetes, is on the table."""
    model = CopModel(resolve("n_cops=1", "meeting.engagement_mean=1.0", "meeting.engagement_sd=0.0",
                             "meeting.cocreation_rate=0.0", "cop.preparation=1.0", *pairs), seed=3)
    s = model.state
    s.engagement[:] = 1.0
    s.case_need[:] = 0.0
    s.case_salience[:] = 0.0
    s.case_need[0, DIABETES] = 1.0
    s.case_salience[0] = 1.0
    s.K[:] = 0.3
    return model


def meet(model: CopModel) -> dict:
    s = model.state
    return hold_meetings(s, np.array([0]), model.params, np.zeros(s.n), model.streams["meetings"])


def test_meeting_raises_knowledge_on_discussed_topics_only(resolve):
    model = one_cop(resolve)
    s = model.state
    s.K[5, DIABETES] = 0.9  # someone who knows
    before = s.K.copy()
    meet(model)
    learners = np.arange(s.n) != 5
    assert np.all(s.K[learners, DIABETES] > before[learners, DIABETES])
    others = np.ones(len(TOPICS), dtype=bool)
    others[DIABETES] = False
    np.testing.assert_array_equal(s.K[:, others], before[:, others])


def _expert_gain(resolve, steepness: float, skill: float = 0.0) -> float:
    model = one_cop(resolve, f"hierarchy.steepness={steepness}", f"cop.moderator_skill={skill}")
    s = model.state
    expert = int(np.flatnonzero(s.disc == DISCIPLINES.index("community_worker"))[0])
    assert s.status[expert] <= 0.2
    s.K[expert, DIABETES] = 1.0
    before = s.K[:, DIABETES].copy()
    meet(model)
    others = np.arange(s.n) != expert
    return float((s.K[others, DIABETES] - before[others]).mean())


def test_steep_hierarchy_mutes_a_low_status_expert(resolve):
    flat, steep = _expert_gain(resolve, 0.0), _expert_gain(resolve, 1.0)
    assert steep < 0.5 * flat


def test_skilled_moderation_gives_the_muted_expert_voice_back(resolve):
    def heard(skill: float) -> float:  # steep over flat, at equal moderation
        return _expert_gain(resolve, 1.0, skill) / _expert_gain(resolve, 0.0, skill)

    assert heard(1.0) > heard(0.0) + 0.3


@pytest.mark.parametrize("documentation", [0.0, 1.0])
def test_documentation_fills_the_repository(resolve, documentation):
    model = one_cop(resolve, f"cop.documentation={documentation}")
    s = model.state
    s.K[5, DIABETES] = 0.9
    meet(model)
    if documentation:
        assert s.R[0, DIABETES] > 0.3
        assert s.R[0, GOALS] == 0.0  # only what was discussed is codified
    else:
        assert np.all(s.R == 0.0)


def test_meeting_hours_reduce_clinical_capacity(resolve):
    model = CopModel(resolve(), seed=1)
    s, prac = model.state, model.params["practice"]
    rng = np.random.default_rng(0)
    clinicians = s.hours > 0
    free = np.mean([capacity(s, prac, rng)[clinicians].mean() for _ in range(400)])
    s.cop_hours[:] = 2.0
    busy = np.mean([capacity(s, prac, rng)[clinicians].mean() for _ in range(400)])
    lost = 2.0 * prac["cop_time_from_panel"] * s.contact[clinicians].mean() / prac["encounter_hours"]
    assert busy < free
    assert free - busy == pytest.approx(lost, abs=0.05)


def test_a_meeting_week_costs_attendees_their_hours(resolve):
    model = CopModel(resolve("cop.calendar.every_weeks=4", "cop.calendar.start_week=0"), seed=2)
    model.step()  # week 0 holds the meetings
    s = model.state
    assert np.all(s.cop_hours[s.attended] >= model.params["cop"]["meeting_hours"])
    assert np.all(s.cop_hours[~s.attended] == 0.0)
    model.step()  # week 1 has none
    assert np.all(model.state.cop_hours == 0.0)


def test_turnover_keeps_the_head_count(resolve):
    model = CopModel(resolve("turnover.annual_rate=0.9"), seed=4)
    disc = model.state.disc.copy()
    n_agents = len(model.practitioners)
    while model.running:
        model.step()
    df = model.recorder.frame()
    assert df["leavers"].sum() > 20
    np.testing.assert_array_equal(model.state.disc, disc)
    assert len(model.practitioners) == n_agents == len(disc)


def test_representative_pulls_priorities_towards_patients(resolve):
    gaps = {}
    for rep in (False, True):
        model = one_cop(resolve, f"cop.representative={str(rep).lower()}")
        s = model.state
        before = np.abs(s.P - s.rep_prio[0]).sum()
        meet(model)
        gaps[rep] = before - np.abs(s.P - s.rep_prio[0]).sum()
    assert gaps[True] > gaps[False]


def test_learning_community_narrows_gaps_between_repositories(resolve):
    from cop_sim.meetings import hold_session

    model = CopModel(resolve("learning_community.enabled=true"), seed=5)
    s = model.state
    s.R[:] = 0.2
    s.R[0] = 0.8
    spread = s.R.std(axis=0).sum()
    hold_session(s, model.params)
    assert s.R.std(axis=0).sum() < spread


def test_calendars_fire_when_they_say():
    from cop_sim.calendar import meeting_weeks

    base = {"every_weeks": 4, "start_week": 2, "weeks": [], "max_meetings": 0, "monthly": False}
    assert meeting_weeks(base, 52) == list(range(2, 52, 4))
    assert meeting_weeks(base | {"max_meetings": 6}, 52) == [2, 6, 10, 14, 18, 22]
    monthly = meeting_weeks(base | {"monthly": True, "start_week": 0}, 52)
    assert len(monthly) == 12 and monthly[:4] == [0, 4, 9, 13]
    assert meeting_weeks(base | {"every_weeks": 0, "weeks": [30, 5, 5]}, 52) == [5, 30]


def test_meetings_in_the_model_follow_the_calendar(resolve):
    model = CopModel(resolve("cop.calendar.monthly=true", "cop.calendar.start_week=1"), seed=1)
    while model.running:
        model.step()
    assert model.recorder.frame()["meetings"].sum() == 12 * 4  # twelve a year in each of four CoPs


@pytest.mark.parametrize("p", [0.05, 0.3, 0.9])
def test_scheduled_requests_match_a_weekly_chance(p):
    """One geometric draw per visit stands for asking with chance p every week: mean gap 1/p."""
    u = np.random.default_rng(7).random(200_000)
    gaps = np.array([weeks_to_request(x, p) for x in u])
    assert gaps.min() == 1
    assert gaps.mean() == pytest.approx(1 / p, rel=0.01)
    assert np.mean(gaps == 1) == pytest.approx(p, abs=0.005)  # asks the very next week with chance p
    assert weeks_to_request(0.5, 0.0) == NEVER and weeks_to_request(0.5, 1.0) == 1


def test_with_room_to_spare_patients_are_seen_at_their_demand_rate(resolve):
    model = CopModel(resolve("weeks=260", "practice.encounter_hours=0.05", "turnover.annual_rate=0.0",
                             "cop.calendar.every_weeks=0", "cop.calendar.weeks=[]"), seed=3)
    while model.running:
        model.step()
    s = model.state
    seen = s.visits[s.active].sum() / 260
    assert seen == pytest.approx(s.demand[s.active].sum(), rel=0.03)
    assert model.recorder.frame()["waiting_weeks"].iloc[1:].max() == 0.0  # nobody waits
