"""Care teams (issue 24, part 1): who owns a patient's topics, and what each mode lets a member see.

The kernel tests call :func:`careteam.team_decide` on a model's own arrays, with beliefs and plans
set by hand, so that each asserts one mechanism alone.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop import careteam
from cop_sim.cop.model import CopModel
from cop_sim.cop.plan import COLLABORATION, CONSULTATION, decide
from cop_sim.cop.world.kernels import contribution, value
from tests.conftest import cli, one_error

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"


def _model(*pairs: str, seed: int = 3) -> CopModel:
    return CopModel(scenario.load(DEFAULT, ["weeks=4", "burn_in=0", *pairs]), seed)


def _teamed(m: CopModel, members: int = 3):
    """A patient (i, k) with social needs whose active topics have ``members`` distinct owners."""
    w, pa = m.world, m.pa
    for i, k in zip(*np.nonzero(pa.ctx >= 0), strict=True):
        c = pa.ctx[i, k]
        own = pa.owner[i, k][w.ctx_active[c]]
        if w.ctx_social[c] == 1 and len(set(own.tolist())) == members:
            return int(i), int(k)
    raise AssertionError("no such patient")


def _true(m: CopModel, c: int) -> np.ndarray:
    """The true value of each practice on each topic for context c, alone (K = 0: exact)."""
    return m.world.base[m.world.ctx_social[c]].copy()


def _plan_value(m: CopModel, i: int, k: int) -> float:
    return float(value(m.world, m.pa.ctx[i, k], m.pa.plan[i, k].astype(np.int64)))


def test_owners_follow_the_spec_and_size_one_is_single_handed():
    m = _model()
    w, pa, pr = m.world, m.pa, m.pr
    valid = pa.ctx >= 0
    act = w.ctx_active[pa.ctx[valid]]
    own = pa.owner[valid]
    lead = np.nonzero(valid)[0]
    disc = pr.disc[own]
    nurse, sw, cw = 1, 3, 5
    sm, social = w.n_conditions, w.n_conditions + 1
    # conditions stay with the lead; self-management goes to a nurse; social needs to a social or
    # community worker; every owner is of the lead's CoP; no team is larger than team.size
    assert (own[:, :w.n_conditions] == lead[:, None]).all()
    assert (disc[:, sm] == nurse).all()
    assert np.isin(disc[act[:, social], social], (sw, cw)).all()
    assert (pr.cop[own] == pr.cop[lead][:, None]).all()
    sizes = [len(set(r[a].tolist()) | {r0}) for r, a, r0 in zip(own, act, lead, strict=True)]
    assert max(sizes) == 3 and min(sizes) == 1  # a nurse-led patient without social needs: alone
    one = _model("team.size=1")
    assert (one.pa.owner == np.arange(len(one.pr.disc))[:, None, None]).all()
    # the share of interacting pairs that cross owners is a share, and above 0 with teams
    share = careteam.cross_owner_share(w, pa.ctx, pa.owner)
    assert 0.0 < share < 1.0
    assert careteam.cross_owner_share(one.world, one.pa.ctx, one.pa.owner) == 0.0


def test_at_k0_an_uncoordinated_team_plans_as_one_clinician_with_the_same_beliefs():
    m = _model("world.K=0", "practice.exploration=0")
    i, k = _teamed(m)
    pa, pr, w = m.pa, m.pr, m.world
    c = pa.ctx[i, k]
    s = w.ctx_social[c]
    pa.known[i, k] = True
    true = _true(m, c)
    owner = pa.owner[i, k]
    team = sorted(set(owner[w.ctx_active[c]].tolist()))
    for o in team:  # right about their own topics, wrong (ranking reversed) about everyone else's
        pr.mu[o, s] = np.where((owner == o)[:, None], true, 1.0 - true)
        pr.prec[o, s] = 1.0
    pa.plan[i, k] = -1
    rng = np.random.default_rng(0)
    for o in team:  # each member, in a consultation, plans their own topics
        careteam.team_decide(m.k.world, m.k.pr, m.k.pa, m.kn, m.hidden, i, k, o, -1, CONSULTATION, rng)
    team_value = _plan_value(m, i, k)
    assert (pa.plan[i, k][w.ctx_active[c]] >= 0).all()
    # one clinician holding, on every topic, the belief of that topic's owner
    lead = i
    saved = pr.mu[lead, s].copy()
    pr.mu[lead, s] = np.array([pr.mu[owner[t], s, t] for t in range(w.n_topics)])
    pa.plan[i, k] = -1
    decide(m.k.world, m.k.pr, m.k.pa, m.kn, m.hidden, i, k, -1, CONSULTATION, rng)
    assert _plan_value(m, i, k) == team_value
    # and the beliefs matter: the lead's own (wrong on others' topics) make a worse plan
    pr.mu[lead, s] = saved
    pa.plan[i, k] = -1
    decide(m.k.world, m.k.pr, m.k.pa, m.kn, m.hidden, i, k, -1, CONSULTATION, rng)
    assert _plan_value(m, i, k) < team_value


def _best_for_topic(w, c: int, plan: np.ndarray, t: int) -> int:
    """The practice that makes topic t's own contribution largest, the rest of the plan as it is."""
    vals = []
    for a in range(w.n_practices):
        q = plan.copy()
        q[t] = a
        vals.append(contribution(w, c, q, t))
    return int(np.argmax(vals))


def _undoing_pair(w, seed: int = 0, tries: int = 400):
    """A context, a plan and two interacting topics where each topic's best change, made alone,
    improves the plan, but both together leave it worse than either alone."""
    rng = np.random.default_rng(seed)
    A = w.n_practices
    for _ in range(tries):
        c = int(rng.integers(len(w.ctx_social)))
        act = np.flatnonzero(w.ctx_active[c])
        p = np.full(w.n_topics, -1, np.int64)
        p[act] = rng.integers(A, size=len(act))
        v0 = value(w, c, p)
        for t1, t2 in itertools.permutations(act, 2):
            if t2 not in w.partners[t1, :w.K]:
                continue
            a1, a2 = _best_for_topic(w, c, p, t1), _best_for_topic(w, c, p, t2)
            p1, p2, p12 = p.copy(), p.copy(), p.copy()
            p1[t1] = p12[t1] = a1
            p2[t2] = p12[t2] = a2
            v1, v2, v12 = value(w, c, p1), value(w, c, p2), value(w, c, p12)
            if a1 != p[t1] and a2 != p[t2] and v1 > v0 and v2 > v0 and v12 < min(v1, v2):
                return c, p, int(t1), int(t2), a1, a2, (v0, v1, v2, v12)
    return None


def test_two_members_each_best_change_can_undo_each_other_at_the_default_k():
    m = _model("practice.replan=1")
    w, pa, pr = m.world, m.pa, m.pr
    assert w.K == 2
    found = _undoing_pair(w)
    assert found is not None
    c, p, t1, t2, a1, a2, (v0, v1, v2, v12) = found
    i, k = _teamed(m)
    a_, b_ = [o for o in sorted(set(pa.owner[i, k].tolist())) if o != i][:2]
    s = w.ctx_social[c]
    pa.ctx[i, k] = c
    pa.known[i, k] = True
    pa.owner[i, k] = i
    pa.owner[i, k, t1], pa.owner[i, k, t2] = a_, b_
    for o, t, a in ((a_, t1, a1), (b_, t2, a2)):  # each member believes in their topic's best change
        pr.mu[o, s, t] = 0.0
        pr.mu[o, s, t, a] = 1.0
    pa.plan[i, k] = p
    rng = np.random.default_rng(1)
    args = (m.k.world, m.k.pr, m.k.pa, m.kn, m.hidden, i, k)
    assert careteam.team_decide(*args, a_, -1, CONSULTATION, rng)
    assert math.isclose(_plan_value(m, i, k), v1)
    assert careteam.team_decide(*args, b_, -1, CONSULTATION, rng)
    both = p.copy()
    both[t1], both[t2] = a1, a2
    assert (pa.plan[i, k] == both).all()
    assert _plan_value(m, i, k) == pytest.approx(v12) and v12 < min(v1, v2)


def test_in_a_consultation_a_members_choice_ignores_colleagues_practices():
    m = _model("practice.exploration=1")
    w, pa = m.world, m.pa
    i, k = _teamed(m)
    c = pa.ctx[i, k]
    pa.known[i, k] = True
    act = w.ctx_active[c]
    owner = pa.owner[i, k]
    me = i
    mine, theirs = act & (owner == me), act & (owner != me)
    base = np.where(act, np.random.default_rng(2).integers(w.n_practices, size=w.n_topics), -1)
    results = []
    for shift in range(w.n_practices):
        plan = base.copy()
        plan[theirs] = (plan[theirs] + shift) % w.n_practices  # the colleagues' practices changed
        for seed in range(20):
            pa.plan[i, k] = plan
            careteam.team_decide(m.k.world, m.k.pr, m.k.pa, m.kn, m.hidden, i, k, me, -1, CONSULTATION,
                                 np.random.default_rng(seed))
            assert (pa.plan[i, k][theirs] == plan[theirs]).all()  # never touched
            results.append(pa.plan[i, k][mine].copy())
    per_shift = np.array(results).reshape(w.n_practices, 20, -1)
    assert (per_shift == per_shift[0]).all()
    assert len({tuple(r) for r in per_shift[0]}) > 1  # exploration did change the member's topics


def test_collaboration_with_a_confidently_wrong_colleague_can_lower_the_plan():
    m = _model("world.K=0", "practice.exploration=0")
    w, pa, pr = m.world, m.pa, m.pr
    i, k = _teamed(m)
    c = pa.ctx[i, k]
    s = w.ctx_social[c]
    pa.known[i, k] = True
    true = _true(m, c)
    pr.mu[i, s], pr.prec[i, s] = true, 1.0  # the lead knows the truth, moderately sure
    colleague = next(o for o in pa.owner[i, k] if o != i)
    for o in set(pa.owner[i, k].tolist()) - {i}:  # the others, uninformative
        pr.mu[o, s], pr.prec[o, s] = 0.5, 1e-6
    pr.mu[colleague, s], pr.prec[colleague, s] = 1.0 - true, 100.0  # confidently wrong
    args = (m.k.world, m.k.pr, m.k.pa, m.kn, m.hidden, i, k)
    pa.plan[i, k] = -1
    decide(*args, -1, CONSULTATION, np.random.default_rng(0))  # the lead alone, every topic
    alone = _plan_value(m, i, k)
    pa.plan[i, k] = -1
    careteam.team_decide(*args, i, colleague, COLLABORATION, np.random.default_rng(0))
    assert _plan_value(m, i, k) < alone
    pr.prec[colleague, s] = 1e-6  # the same colleague, unsure: the pooled plan is the lead's
    pa.plan[i, k] = -1
    careteam.team_decide(*args, i, colleague, COLLABORATION, np.random.default_rng(0))
    assert _plan_value(m, i, k) == alone


def test_a_team_run_reports_owned_shares_and_changes_per_discipline():
    result = models.simulate(scenario.load(DEFAULT, ["weeks=13"]), 2)
    s = result.summary
    shares = [s[f"owned_share_{d}"] for d in result.meta["care_teams"] if d != "teams"]
    assert sum(shares) == pytest.approx(1.0)
    assert s["owned_share_nurse"] > 0 and s["plan_changes_nurse"] > 0
    assert s["owned_share_manager"] == 0.0
    assert 1.0 < s["team_members"] <= 3.0
    assert set(careteam.TEAM_KEYS) <= set(s)


def test_an_event_cannot_change_the_team(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text(DEFAULT.read_text() + "\n[[events]]\nweek = 3\nset = { \"team.size\" = 2 }\n")
    code, err = cli(capsys, "run", path, "--weeks", "5", "--out", tmp_path / "o")
    assert code == 2
    one_error(err, "events[0].set.team.size", "care teams are formed once")


@pytest.mark.parametrize("setting, quoted", [
    ("team.size=0", "'team.size'"),
    ("team.size=7", "'team.size'"),
    ('team.owners={self_management=["surgeon"]}', "surgeon"),
    ('team.owners={medicines=["pharmacist"]}', "medicines"),
])
def test_a_bad_team_value_is_one_line_and_exit_2(tmp_path, capsys, setting, quoted):
    code, err = cli(capsys, "run", DEFAULT, "--weeks", "2", "--set", setting, "--out", tmp_path / "o")
    assert code == 2
    one_error(err, quoted)
