"""The demo's care-team card (topic owners, plans that travel) and lesson 5's documented finding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.demo import controls, session, teams, views

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"
LESSON5 = ROOT / "scenarios" / "care_team_lesson.toml"
pytestmark = pytest.mark.filterwarnings("ignore::numba.NumbaPerformanceWarning")


def _run(values: dict, weeks: int = 12) -> session.DemoRun:
    run = session.build(DEFAULT, values)
    for _ in range(weeks):
        run.step()
    return run


def test_sample_patients_show_who_owns_each_active_topic():
    run = _run({"seed": 1})
    model = run.model
    sample = teams.sample_patients(model, 0)
    assert len(sample) == teams.SAMPLE
    # the default team: a nurse owns self-management, a social worker social needs, the lead the rest
    assert sample[1].owners == (("heart_failure", 0, "gp"), ("copd", 0, "gp"), ("chronic_pain", 0, "gp"),
                                ("self_management", 4, "nurse"), ("social_needs", 6, "social_worker"))
    cop_members = set(model.cp.members[0].tolist())
    active = np.asarray(model.world.ctx_active)
    for p in sample:
        assert p.size > 1  # teams come first when there are any
        assert p.lead in cop_members
        shown = {name for name, _, _ in p.owners}
        assert len(shown) == int(active[model.pa.ctx[p.lead, p.slot]].sum())  # every active topic, once
        for _, who, disc in p.owners:
            assert who in cop_members and disc == teams.DISCIPLINES[int(model.pr.disc[who])]
        owner = dict((name, who) for name, who, _ in p.owners)
        assert owner["self_management"] != p.lead
    # single-handed care: the lead owns every topic of every patient shown
    alone = _run({"seed": 1, "team.size": 1}, weeks=1)
    for p in teams.sample_patients(alone.model, 0):
        assert p.size == 1 and {who for _, who, _ in p.owners} == {p.lead}


def test_travel_counts_are_the_weekly_records_latest_week_and_total():
    run = _run({"seed": 1})
    frame = run.frames()[0]
    counts = teams.travel_counts(frame)
    # exact at seed 1; repository-triggered reviews (on since 0.3.0) consult pathways more often
    assert counts == {"adopted_story": (0, 4), "kept_story": (0, 0), "adopted_repository": (1, 7),
                      "kept_repository": (0, 0)}
    for col, (week, total) in counts.items():
        simulated = frame[frame["week"] >= 0][col]
        assert total == int(simulated.sum()) and week == int(simulated.iloc[-1])
    # the card shows both tables
    html = teams.team_html(run, 0)
    assert "self management" in html and "plans adopted from a told story" in html
    lesson = session.run_to_end(LESSON5, {"seed": 1}, seeds=1)[0]
    assert lesson["adopted_story"].sum() > 0  # plans travel in the lesson's scenario too


def _quality(size: int, seeds: int = 4) -> np.ndarray:
    runs = session.run_to_end(LESSON5, {"seed": 1, "team.size": size}, seeds)
    assert all(r["week"].max() == 51 for r in runs)  # whole years
    return np.array([views.run_mean([r], "care_quality") for r in runs])


def test_lesson5_an_uncoordinated_team_gives_worse_care_than_a_single_clinician():
    """Lesson 5's comparison as the demo runs it (team.size 3 against 1, four seeds), and at K = 0."""
    assert "team.size" in controls.BY_KEY  # the class can run the lesson's comparison in the demo
    team, single = _quality(3), _quality(1)
    assert np.all(single - team > 0.03), single - team  # in every seed, not only on average
    # not (mainly) uncoordinated changes undoing each other: with no interactions at all the team
    # still costs quality, because a topic has no practice until its owner has seen the patient
    cost = []
    for size in (3, 1):
        resolved = scenario.load(LESSON5, [f"team.size={size}", "world.K=0"])
        cost.append(np.mean([models.simulate(resolved, s).summary["care_quality"] for s in (1, 2)]))
    assert cost[1] - cost[0] > 0.03, cost
