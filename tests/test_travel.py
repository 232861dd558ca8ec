"""Plans that travel (cop_sim/cop/travel.py): told cases tried on similar patients, care pathways.

Each mechanism alone: adoption only for similar contexts and at the threshold, an adopted plan
judged and reverted like any trial, pathways written only at documented meetings, newcomers
onboarded onto them, and both Eppstein et al. (2012) arms sending the same messages.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop import travel
from cop_sim.cop.judge import observe
from cop_sim.cop.model import CopModel
from cop_sim.cop.state import ORIGIN_OWN, ORIGIN_REPOSITORY, ORIGIN_STORY
from cop_sim.cop.tally import CARE_TALLY, W_JUDGED_STORY, W_KEPT_STORY

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "default.toml"


def model(*pairs: str, seed: int = 1) -> CopModel:
    # single-handed: the listener owns every topic of their own patients (care teams: test_careteam)
    return CopModel(scenario.load(SCENARIO, ["weeks=4", "burn_in=4", "team.size=1", *pairs]), seed)


def jaccard(world, a: int, b: int) -> float:
    x = np.c_[world.ctx_active[:, :world.n_conditions], world.ctx_social == 1]
    union = (x[a] | x[b]).sum()
    return 1.0 if union == 0 else (x[a] & x[b]).sum() / union


def listener_fixture(m: CopModel, li: int, told_ctx: int):
    """Listener li's panel set to catalogue contexts of every similarity to ``told_ctx``, on practice 0."""
    w, pa = m.world, m.pa
    ppp = pa.ctx.shape[1]
    sims = np.array([jaccard(w, told_ctx, c) for c in range(len(w.ctx_social))])
    order = np.argsort(-sims, kind="stable")
    chosen = order[np.linspace(0, len(order) - 1, ppp).astype(int)]  # from identical to least alike
    pa.ctx[li] = chosen
    pa.plan[li] = np.where(w.ctx_active[chosen], 0, -1)
    pa.tried[li] = -1
    pa.origin[li] = ORIGIN_OWN
    pa.known[li] = False
    m.pr.mu[li] = 0.2  # the listener expects little of their current plans
    told_plan = np.where(w.ctx_active[told_ctx], 1, -1).astype(pa.plan.dtype)
    return sims[chosen], told_plan


def hear(m, li, told_ctx, plan, obs, **knobs):
    kn = m.kn._replace(**{"adopt_rate": 1.0, "adopt_max": 200, **knobs})
    return travel.hear_case(m.k.world, m.k.pr, m.k.pa, kn, li, told_ctx, plan, obs, 1.0, 40,
                            np.random.default_rng(0))


@pytest.mark.parametrize("threshold", [0.0, 0.5, 2 / 3, 1.0])
def test_a_told_plan_is_tried_only_on_patients_at_least_as_similar_as_the_threshold(threshold):
    m = model()
    li, told = 0, 0
    sims, plan = listener_fixture(m, li, told)
    before = m.pa.plan[li].copy()
    n = hear(m, li, told, plan, np.full(m.world.n_topics, 0.9), adopt_similarity=threshold)
    adopted = (m.pa.plan[li] != before).any(axis=1)
    assert np.array_equal(adopted, sims >= threshold)
    assert n == adopted.sum() > 0
    assert (m.pa.tried[li][adopted] == 40).all() and (m.pa.tried[li][~adopted] == -1).all()
    assert (m.pa.origin[li][adopted] == ORIGIN_STORY).all()
    # only topics active for the listener's own patient take the told practice
    both = m.world.ctx_active[m.pa.ctx[li]] & m.world.ctx_active[told][None, :] & adopted[:, None]
    assert (m.pa.plan[li][both] == 1).all()
    assert np.array_equal(m.pa.plan[li][~both], before[~both])


def test_a_told_plan_that_did_worse_than_expected_is_not_tried_and_at_most_n_patients_are():
    m = model()
    sims, plan = listener_fixture(m, 0, 0)
    assert hear(m, 0, 0, plan, np.full(m.world.n_topics, 0.1), adopt_similarity=0.0) == 0
    assert hear(m, 0, 0, plan, np.full(m.world.n_topics, 0.9), adopt_similarity=0.0, adopt_max=3) == 3
    # a pending trial is not overwritten by a told plan
    m = model()
    sims, plan = listener_fixture(m, 0, 0)
    m.pa.tried[0] = 7
    assert hear(m, 0, 0, plan, np.full(m.world.n_topics, 0.9), adopt_similarity=0.0) == 0


def test_an_adopted_plan_is_judged_locally_and_can_be_reverted():
    m = model()
    li = 0
    sims, plan = listener_fixture(m, li, 0)
    old = m.pa.plan[li].copy()
    m.pa.inc_plan[li] = old
    assert hear(m, li, 0, plan, np.full(m.world.n_topics, 0.9), adopt_similarity=1.0) >= 1
    k = int(np.flatnonzero(m.pa.origin[li] == ORIGIN_STORY)[0])
    assert not np.array_equal(m.pa.plan[li, k], old[k])
    m.pa.inc_mean[li, k], m.pa.inc_n[li, k] = 10.0, 5.0  # the plan in force did better than anything can
    came = m.pa.origin[li, k]
    v = np.full(m.world.n_topics, 0.5)
    reverted = observe(m.k.world, m.k.pr, m.k.pa, m.k.cp, m.kn, li, k, m.pr.slot[li], m.pr.cop[li],
                       np.random.default_rng(1), v, li, False)
    assert reverted and np.array_equal(m.pa.plan[li, k], old[k])
    tally = np.zeros(len(CARE_TALLY))
    travel.judged(m.k.pa, li, k, came, not reverted, tally)
    assert tally[W_JUDGED_STORY] == 1 and tally[W_KEPT_STORY] == 0 and m.pa.origin[li, k] == ORIGIN_OWN


def test_similarity_is_jaccard_over_conditions_and_social_need():
    m = model()
    w = m.world
    for a, b in [(0, 1), (2, 5), (3, 3), (7, 11)]:
        assert travel.similarity(m.k.world, a, b) == pytest.approx(jaccard(w, a, b))


def run(m: CopModel) -> CopModel:
    while m.running:
        m.step()
    return m


def test_pathways_are_written_only_at_documented_meetings():
    never = run(model("weeks=12", "cop.documentation=0"))
    assert (never.cp.path_week == -1).all()
    off = run(model("weeks=12", "cop.documentation=1", "repository.pathways=false"))
    assert (off.cp.path_week == -1).all()
    always = run(model("weeks=12", "cop.documentation=1"))
    written = always.cp.path_week >= 0
    assert written.any()
    # every pathway is a told case's plan: on its class's topics only
    for c, g in zip(*np.nonzero(written), strict=True):
        assert ((always.cp.path_plan[c, g] >= 0) <= always.world.ctx_active[g]).all()


def test_codified_pathways_keep_a_mean_of_the_same_plan_and_a_better_told_plan_replaces_them():
    m = model()
    w, pa, cp = m.world, m.pa, m.cp
    i, k = 0, int(np.flatnonzero(pa.ctx[0] >= 0)[0])
    g = pa.cls[i, k]
    pa.obs_plan[i, k] = np.where(w.ctx_active[pa.ctx[i, k]], 0, -1)
    told_i, told_k = np.array([i]), np.array([k])
    for value, expect in [(0.6, 0.6), (0.4, 0.5)]:  # the same plan again: its mean
        pa.obs[i, k] = value
        travel.codify_pathways(m.k.world, m.k.pa, m.k.cp, 0, told_i, told_k, 1, 9)
        assert cp.path_value[0, g] == pytest.approx(expect) and cp.path_week[0, g] == 9
    pa.obs_plan[i, k] = np.where(w.ctx_active[pa.ctx[i, k]], 1, -1)
    pa.obs[i, k] = 0.45  # a different plan that did worse than the pathway: not written
    travel.codify_pathways(m.k.world, m.k.pa, m.k.cp, 0, told_i, told_k, 1, 10)
    assert (cp.path_plan[0, g][w.ctx_active[pa.ctx[i, k]]] == 0).all() and cp.path_week[0, g] == 9
    pa.obs[i, k] = 0.55  # ... that did better: it replaces the pathway
    travel.codify_pathways(m.k.world, m.k.pa, m.k.cp, 0, told_i, told_k, 1, 11)
    assert (cp.path_plan[0, g][w.ctx_active[pa.ctx[i, k]]] == 1).all() and cp.path_value[0, g] == 0.55


def test_a_newcomers_patients_start_on_the_pathway_of_their_class_right_or_wrong():
    m = model()
    w, pa, cp = m.world, m.pa, m.cp
    i = 0
    c = m.pr.cop[i]
    ks = np.flatnonzero(pa.ctx[i] >= 0)
    g = pa.cls[i, ks[0]]
    pa.plan[i] = np.where(w.ctx_active[np.maximum(pa.ctx[i], 0)] & (pa.ctx[i] >= 0)[:, None], 0, -1)
    cp.path_plan[c, g] = np.where(w.ctx_active[g], 2, -1)  # a pathway for the first patient's class
    cp.path_week[c, g] = 3
    before = pa.plan[i].copy()
    pa.tried[i] = -1
    moved = travel.onboard(m.pr, pa, cp, np.array([i]), 30)
    mine = pa.cls[i] == g
    assert moved == mine.sum() >= 1
    assert (pa.plan[i][mine][before[mine] >= 0] == 2).all()
    assert (pa.tried[i][mine] == 30).all() and (pa.origin[i][mine] == ORIGIN_REPOSITORY).all()
    assert np.array_equal(pa.plan[i][~mine], before[~mine]) and (pa.tried[i][~mine] == -1).all()
    # a review's use: pathway_for gives the plan, or an empty one for a class without a pathway
    assert np.array_equal(travel.pathway_for(m.k.cp, c, g), cp.path_plan[c, g])
    other = pa.cls[i][pa.cls[i] != g]
    if len(other):
        assert len(travel.pathway_for(m.k.cp, c, other[0])) == 0


def test_turnover_onboards_newcomers_onto_pathways_only_when_pathways_are_kept():
    pairs = ("weeks=26", "turnover.annual_rate=0.9", "cop.documentation=1")
    on = models.simulate(scenario.load(SCENARIO, list(pairs)), 1).summary
    off = models.simulate(scenario.load(SCENARIO, [*pairs, "repository.pathways=false"]), 1).summary
    assert on["adopted_repository"] > 0 and off["adopted_repository"] == 0
    assert 0 <= on["kept_repository"] <= on["judged_repository"] <= on["adopted_repository"]


@pytest.mark.parametrize("extra", [(), ("learning_community.enabled=true", "cop.calendar.every_weeks=0",
                                        "cop.calendar.weeks=[]", "learning_community.calendar.start_week=1"),
                                   # stories along ties between meetings only (cop_sim/cop/hallway.py)
                                   ("network.enabled=true", "network.between_density=0.05",
                                    "network.hallway_rate=0.5", "cop.calendar.every_weeks=0",
                                    "cop.calendar.weeks=[]")])
def test_both_arms_send_the_same_messages_to_the_same_listeners(extra):
    arms = [model("weeks=12", f"meeting.transfer={t}", *extra) for t in ("evidence", "configurations")]
    while arms[0].running and arms[0].pr.heard.sum() == 0:
        for a in arms:
            a.step()
    heard = [a.pr.heard.copy() for a in arms]
    assert heard[0].sum() > 0 and np.array_equal(heard[0], heard[1])
    week = arms[0].recorder.rows - 1
    msgs = [a.recorder.columns()["messages"][week] for a in arms]
    assert msgs[0] == msgs[1] == heard[0].sum()
    adopted = [a.recorder.columns()["adopted_story"] for a in arms]
    assert adopted[0].sum() == 0  # dissemination: only evidence travels


def test_stories_carry_cases_at_the_defaults_and_plans_survive_or_not():
    s = models.simulate(scenario.load(SCENARIO, []), 1).summary
    assert s["messages"] > s["stories"] > 0
    assert s["adopted_story"] > 0 and 0 < s["judged_story"] <= s["adopted_story"]
    assert 0 <= s["kept_story"] <= s["judged_story"]


def test_a_learning_session_gives_every_cop_of_a_team_its_best_valued_pathway():
    m = model()
    cp = m.cp
    g = 5
    cp.path_plan[:, g] = -1
    cp.path_week[:, g] = -1
    cp.path_plan[0, g], cp.path_value[0, g], cp.path_week[0, g] = 1, 0.4, 2
    cp.path_plan[1, g], cp.path_value[1, g], cp.path_week[1, g] = 2, 0.6, 3
    team = np.array([0, 0, 0, 1], dtype=np.int64)
    travel.pool_pathways(m.k.cp, team)
    assert (cp.path_plan[:3, g] == 2).all() and (cp.path_value[:3, g] == 0.6).all()
    assert cp.path_week[3, g] == -1 and (cp.path_plan[3, g] == -1).all()  # another team's CoP: untouched


def test_a_review_adopts_a_pathway_only_when_its_record_beats_what_the_reviewer_expects():
    from cop_sim.cop.tally import W_ADOPTED_REPOSITORY

    m = model()
    w, pa, cp = m.world, m.pa, m.cp
    i = 0
    c, k = m.pr.cop[i], int(np.flatnonzero(pa.ctx[0] >= 0)[0])
    g = pa.cls[i, k]
    pa.plan[i, k] = np.where(w.ctx_active[pa.ctx[i, k]], 0, -1)
    pa.tried[i, k] = -1
    m.pr.mu[i] = 0.5  # the reviewer expects 0.5 of the current plan
    tally = np.zeros(len(CARE_TALLY))
    args = (m.k.world, m.k.pr, m.k.pa, m.k.cp, i, k, c, 12, tally)
    assert not travel.adopt_pathway(*args)  # no pathway for the class yet
    cp.path_plan[c, g] = np.where(w.ctx_active[g], 1, -1)
    cp.path_week[c, g], cp.path_value[c, g] = 4, 0.4
    assert not travel.adopt_pathway(*args)  # recorded worse than expected: kept as is
    cp.path_value[c, g] = 0.6
    assert travel.adopt_pathway(*args)
    assert (pa.plan[i, k][w.ctx_active[pa.ctx[i, k]]] == 1).all()
    assert pa.tried[i, k] == 12 and pa.origin[i, k] == ORIGIN_REPOSITORY and tally[W_ADOPTED_REPOSITORY] == 1
    assert not travel.adopt_pathway(*args)  # a trial is pending
