"""The CoP model's mechanisms, each alone: beliefs, stories, voice, trust, co-creation, hierarchy."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cop_sim import scenario
from cop_sim.cop.judge import belief_update
from cop_sim.cop.model import CopModel
from cop_sim.cop.stories import MEETING_TALLY, cocreate, tell, voice
from cop_sim.cop.world.landscape import practice_values, value

pytestmark = pytest.mark.filterwarnings("ignore::numba.NumbaPerformanceWarning")


ROOT = Path(__file__).resolve().parents[1]


def _resolved(*pairs: str, path=None) -> dict:
    return scenario.load(path or ROOT / "scenarios" / "default.toml", list(pairs))


def _small(*pairs: str) -> dict:
    return _resolved("n_cops=1", "burn_in=4", "weeks=8", *pairs)


def test_belief_moves_towards_an_observed_outcome_up_and_down():
    mu, prec = np.full((1, 2, 1, 1), 0.5), np.ones((1, 2, 1, 1))
    belief_update(mu, prec, 0, 0, 0, 0, 0.9, 1.0)
    assert 0.5 < mu[0, 0, 0, 0] < 0.9
    belief_update(mu, prec, 0, 1, 0, 0, 0.1, 1.0)
    assert 0.1 < mu[0, 1, 0, 0] < 0.5  # a belief can move down as well as up
    assert prec[0, 0, 0, 0] == 2.0


def _observations_to_undo(confidence: float, truth: float = 0.2, wrong: float = 0.9) -> int:
    mu, prec = np.full((1, 1, 1, 1), wrong), np.full((1, 1, 1, 1), confidence)
    rng = np.random.default_rng(3)
    for n in range(1, 10_000):
        belief_update(mu, prec, 0, 0, 0, 0, truth + 0.15 * rng.standard_normal(), 1.0)
        if mu[0, 0, 0, 0] < 0.5 * (truth + wrong):
            return n
    return 10_000


def test_a_confident_wrong_belief_takes_more_observations_to_undo():
    assert _observations_to_undo(30.0) > 5 * _observations_to_undo(1.0)


def test_a_muted_teller_moves_listeners_less():
    r = _small("hierarchy.steepness=1.0", "hierarchy.flattening=0.0")
    kn = CopModel(r, 1).kn
    low, high = voice(0.2, 0.0, kn), voice(1.0, 0.0, kn)
    assert low < high == 1.0
    moves = []
    for v in (low, high):
        m = CopModel(r, 1)
        pr, pa, cp = m.pr, m.pa, m.cp
        i, k = np.argwhere(pa.ctx >= 0)[0]
        pa.obs_plan[i, k] = -1
        t = int(np.flatnonzero(m.world.ctx_active[pa.ctx[i, k]])[0])
        pa.obs_plan[i, k, t] = 0
        pr.mu[i, :, t, 0] = 0.05  # the teller's lesson: this practice failed
        listener = int(cp.members[0, 1])
        b = m.world.ctx_bctx[int(pa.known[i, k]), pa.ctx[i, k], t]  # the story's belief context
        before = pr.mu[listener, b, t, 0]
        att = np.zeros(cp.members.shape[1], dtype=bool)
        att[:2] = True
        tell(m.world, pr, pa, cp, m.kn, 0, i, k, int(pr.slot[i]), v, att, False, False, i, 0,
             np.random.default_rng(0), np.zeros(len(MEETING_TALLY)))
        moves.append(before - pr.mu[listener, b, t, 0])
    assert 0 < moves[0] < moves[1]


def test_trust_in_the_representative_grows_when_their_stories_predict_well():
    r = _resolved("n_cops=1", "burn_in=26", "weeks=52", "cop.representative=true",
                  "cop.calendar.every_weeks=2", "meeting.familiarity=0.0")
    m = CopModel(r, 4)
    start = m.cp.trust[0, :, -1].copy()
    while m.running:
        m.step()
    assert m.cp.representative[0]
    members = m.cp.members[0] >= 0
    assert m.cp.trust[0, :-1][members, -1].mean() > start[:-1][members].mean()
    assert m.recorder.frame()["representative_voice"].dropna().gt(0).all()


def test_a_cocreated_plan_can_be_worse_than_the_one_it_replaced():
    r = _small()
    worse = 0
    for seed in range(1, 30):
        m = CopModel(r, seed)
        w, pa = m.world, m.pa
        rng = np.random.default_rng(seed)
        a, b = np.argwhere(pa.ctx >= 0)[rng.choice(int((pa.ctx >= 0).sum()), 2, replace=False)]
        for (i, k) in (a, b):
            drawn = rng.integers(w.n_practices, size=w.n_topics)
            pa.plan[i, k] = np.where(w.ctx_active[pa.ctx[i, k]], drawn, -1)
            pa.obs_plan[i, k] = pa.plan[i, k]
            pa.obs[i, k] = rng.random(w.n_topics)
        before = value(w, pa.ctx[a[0], a[1]], pa.plan[a[0], a[1]].copy())
        if cocreate(w, pa, a[0], a[1], b[0], b[1]):
            worse += value(w, pa.ctx[a[0], a[1]], pa.plan[a[0], a[1]]) < before
    assert worse > 0


def _quality(right: bool, steep: float, seeds=range(1, 7)) -> float:
    # meetings where stories carry weight, and trust held fixed, so that only voice differs: the
    # mechanism alone, on 0.2's core (every 0.3 mechanism off: with reviews, travelling plans, care
    # teams and partner contexts the senior-right advantage is near zero, a finding of 0.3)
    from conftest import V020

    r = _resolved("n_cops=2", "burn_in=0", "weeks=52", f"hierarchy.steepness={steep}", *V020,
                  "hierarchy.flattening=0.0", "cop.calendar.every_weeks=1", "meeting.story_weight=5.0",
                  "cop.cases_per_meeting=6", "meeting.initial_trust=0.8", "meeting.trust_rate=0.0",
                  "practice.exploration=0.05")
    out = []
    for seed in seeds:
        m = CopModel(r, seed)
        truth = practice_values(m.world)
        belief = truth if right else 1.0 - truth
        top = m.pr.status >= 0.9  # GPs and specialists
        m.pr.mu[top] = belief
        m.pr.prec[top] = 50.0
        while m.running:
            m.step()
        out.append(m.recorder.frame()["care_quality"].iloc[1:].mean())
    return float(np.mean(out))


def test_whether_hierarchy_helps_depends_on_who_is_right():
    """High-status members start right in one arm, wrong (inverted) in the other."""
    right = _quality(True, 1.0) - _quality(True, 0.0)
    wrong = _quality(False, 1.0) - _quality(False, 0.0)
    assert right > 0 > wrong


def test_an_event_changes_parameters_from_its_week_on(tmp_path):
    f = tmp_path / "surge.toml"
    f.write_text('weeks = 30\nburn_in = 4\nn_cops = 2\n'
                 '[[cops]]\nmoderator_skill = 0.9\n'
                 '[[events]]\nweek = 10\nset = { "practice.caseload" = 2.0, "cop.moderator_skill" = 0.1 }\n'
                 '[[events]]\nweek = 20\nset = { "practice.caseload" = 1.0 }\n')
    m = CopModel(scenario.load(f), 2)
    demand0 = m.pa.demand.copy()
    while m.week < 10:
        m.step()
    assert np.allclose(m.cp.skill, 0.7 * np.array([9 / 7, 1]))
    m.step()
    assert np.allclose(m.cp.skill, 0.1)  # [[cops]] entries are overridden too
    assert (m.pa.demand >= demand0).all() and (m.pa.demand > demand0).any()
    while m.week < 21:
        m.step()
    assert np.array_equal(m.pa.demand, demand0)
    waits = m.recorder.frame()["backlog"]
    assert waits.iloc[11:20].mean() > waits.iloc[1:10].mean()


@pytest.mark.parametrize("event, key", [
    ('{ week = 60, set = { "practice.caseload" = 2.0 } }', "events[0].week"),
    ('{ week = 5, set = { "practice.casload" = 2.0 } }', "events[0].set.practice.casload"),
    ('{ week = 5, set = { "practice.caseload" = "high" } }', "events[0].set.practice.caseload"),
    ('{ week = 5, set = { "n_cops" = 3 } }', "events[0].set.n_cops"),
    ('{ week = 5 }', "events[0]"),
])
def test_a_bad_event_is_one_line_naming_the_key(tmp_path, event, key):
    import subprocess
    import sys

    f = tmp_path / "bad.toml"
    f.write_text(f'weeks = 52\nevents = [{event}]\n')
    proc = subprocess.run([sys.executable, "-m", "cop_sim", "run", str(f), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "error:" in ln]
    assert len(lines) == 1 and f"'{key}'" in lines[0] and str(f) in lines[0]


def test_weeks_on_the_command_line_can_put_an_event_outside_the_horizon(tmp_path):
    f = tmp_path / "late.toml"
    f.write_text('weeks = 52\n[[events]]\nweek = 30\nset = { "cop.representative" = true }\n')
    with pytest.raises(scenario.InputError, match="events\\[0\\].week"):
        scenario.load(f, ["weeks=20"])


@pytest.mark.parametrize("text, key, hint", [
    ("[meeting]\nlearning_rate = 0.3\n", "meeting.learning_rate", "meeting.story_weight"),
    ("[disciplines.nurse]\nknowledge = {diabetes = 0.5}\n", "disciplines.nurse.knowledge", "trained beliefs"),
    ("[informal]\nrepository_use = 0.1\n", "informal", "repository.use"),
])
def test_a_removed_model1_key_gets_a_migration_hint(tmp_path, text, key, hint):
    f = tmp_path / "old.toml"
    f.write_text('' + text)
    with pytest.raises(scenario.InputError) as err:
        scenario.load(f)
    assert err.value.key == key and hint in err.value.message and "earlier model" in err.value.message


def test_an_unknown_key_that_never_existed_still_gets_a_suggestion(tmp_path):
    f = tmp_path / "typo.toml"
    f.write_text('[meeting]\nstory_weigth = 0.3\n')
    with pytest.raises(scenario.InputError, match="Did you mean 'story_weight'"):
        scenario.load(f)


def test_familiarity_raises_trust_in_everyone_met_the_representative_included():
    """The one trust source apart from accuracy (knock-out 0): meeting together, both directions."""
    kept = {}
    for fam in (0.0, 0.1):
        r = _resolved("n_cops=1", "burn_in=0", "weeks=10", "cop.representative=true",
                      "meeting.trust_rate=0.0", "cop.calendar.every_weeks=2", "cop.calendar.start_week=0",
                      f"meeting.familiarity={fam}")
        m = CopModel(r, 3)
        while m.running:
            m.step()
        members = np.flatnonzero(m.cp.members[0] >= 0)
        kept[fam] = (m.cp.trust[0][np.ix_(members, members)].mean(), m.cp.trust[0, members, -1].mean())
    init = r["meeting"]["initial_trust"]
    assert kept[0.0] == pytest.approx((init, init))  # no accuracy learning, no familiarity: no change
    assert kept[0.1][0] > init and kept[0.1][1] > init  # in each other and in the representative
