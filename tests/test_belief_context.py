"""Context-conditional beliefs (issue 24, 0.3): beliefs by social context and active partners.

(a) a topic's belief context changes when and only when a partner's activity (or the known social
context) changes; (b) practitioners who observe a practice failing in combination with partner X
come to prefer another practice for patients with X while keeping it for patients without X, which
one belief per social context cannot; (c) a story about a patient with X updates the listener's
belief in the X context only; and with ``practice.belief_context = "social"`` the stored baseline
is reproduced bit for bit.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop import model as model_module
from cop_sim.cop import upkeep, week
from cop_sim.cop.context import belief_table
from cop_sim.cop.model import CopModel
from cop_sim.cop.world.landscape import build_world
from cop_sim.cop.world.optimum import optimise
from cop_sim.cop.world.spec import topic_roles
from cop_sim.params import InputError

pytestmark = pytest.mark.filterwarnings("ignore::numba.NumbaPerformanceWarning")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"


def _visible(world, hidden, known):
    return world.ctx_active & (bool(known) | ~hidden[None, :])


@pytest.mark.parametrize("K", [1, 2, 3])
def test_a_topics_belief_context_changes_iff_a_partners_activity_or_the_known_social_context_does(K):
    w = build_world({"K": K}, 5)
    hidden = np.array([r == "social" for r in topic_roles(w.n_topics, w.n_conditions)])
    assert w.n_bctx == 2 * 2 ** K
    assert w.ctx_bctx.min() >= 0 and w.ctx_bctx.max() < w.n_bctx
    for known in (0, 1):
        vis = _visible(w, hidden, known)
        s = w.ctx_social if known else np.zeros_like(w.ctx_social)
        for t in range(w.n_topics):
            part = vis[:, w.partners[t, :K]]  # [C, K]: which partners of t each context has
            same_ctx = (part[:, None, :] == part[None, :, :]).all(axis=2) & (s[:, None] == s[None, :])
            b = w.ctx_bctx[known, :, t]
            assert np.array_equal(b[:, None] == b[None, :], same_ctx), (known, t)
    # not knowing the context changes a topic's belief context only through social needs
    moved = w.ctx_bctx[0] != w.ctx_bctx[1]
    because = (w.ctx_social == 1)[:, None]
    assert not (moved & ~because).any()
    assert moved[w.ctx_social == 1].all()  # s = 1 known vs s = 0 not known: always another context


def test_the_table_of_a_synthetic_catalogue_flips_exactly_one_bit_per_partner():
    partners = np.array([[1, 2], [0, 2], [0, 1]])
    active = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]], bool)
    social = np.array([0, 0, 0, 1])
    tab = belief_table(partners, 2, active, social, np.zeros(3, bool), "partners")
    assert tab[1, :, 0].tolist() == [0, 1, 2, 4 + 3]  # topic 0: bit 0 = topic 1, bit 1 = topic 2
    assert tab[0, 3, 0] == 3  # social needs not known: s = 0
    flat = belief_table(partners, 2, active, social, np.zeros(3, bool), "social")
    assert flat[1, :, 0].tolist() == [0, 0, 0, 1] and flat[0].max() == 0


def test_the_social_layout_is_the_social_context_alone():
    w = build_world({}, 3, belief_context="social")
    assert w.n_bctx == 2
    assert np.array_equal(w.ctx_bctx[1], np.broadcast_to(w.ctx_social[:, None], w.ctx_active.shape))
    assert not w.ctx_bctx[0].any()
    partners = build_world({}, 3)
    assert np.array_equal(partners.best_combo, w.best_combo)  # the layout draws nothing


def test_with_social_contexts_the_stored_0_2_0_baseline_is_reproduced_bit_for_bit():
    """With every other 0.3 mechanism off too (conftest.V020, which includes belief_context = social)."""
    from conftest import V020

    assert "practice.belief_context=social" in V020
    stored = json.loads((ROOT / "tests" / "baseline" / "v020_default_seed1.json").read_text())
    got = models.simulate(scenario.load(DEFAULT, V020), 1).summary
    for key, value in stored.items():
        same = (isinstance(value, float) and math.isnan(value) and math.isnan(got[key])) or got[key] == value
        assert same, (key, got[key], value)


def test_an_event_cannot_change_the_belief_layout(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('[[events]]\nweek = 3\nset = {"practice.belief_context" = "social"}\n')
    with pytest.raises(InputError, match="belief_context"):
        scenario.load(path)


# --- (b) learning "fails in combination with X" ------------------------------------------------

def _combination_world(layout: str):
    """K = 1, ruggedness 1: on topic t0, practice 0 is best alone and worst beside its partner X.

    Returns (world, t0, X). Practice 1 is best when X is active; the others are middling.
    """
    w = build_world({"K": 1, "ruggedness": 1.0}, 7, 2, 5, layout)
    nc, A = w.n_conditions, w.n_practices
    t0 = next(t for t in range(nc) if w.partners[t, 0] < nc)
    x = int(w.partners[t0, 0])
    inter = w.inter.copy()
    inter[t0, :, :] = 0.5
    inter[t0, 0, A] = 0.9  # alone (X absent: level A)
    inter[t0, 1, A] = 0.5
    inter[t0, 0, :A] = 0.1  # beside X, whatever X's practice
    inter[t0, 1, :A] = 0.9
    C, T = w.ctx_active.shape
    w = w._replace(inter=inter, best_value=np.empty(C), best_combo=np.full((C, T), -1, np.int64),
                   greedy_value=np.empty(C), greedy_combo=np.full((C, T), -1, np.int64))
    optimise(w, w.best_value, w.best_combo, w.greedy_value, w.greedy_combo)
    for arr in (w.inter, w.best_value, w.best_combo, w.greedy_value, w.greedy_combo):
        arr.setflags(write=False)  # as build_world's: the same array types, so no kernel recompiles
    return w, t0, x


def _learnt(layout: str, monkeypatch):
    world, t0, x = _combination_world(layout)
    monkeypatch.setattr(model_module, "build_world", lambda *a, **k: world)
    r = scenario.load(DEFAULT, [
        "n_cops=2", "weeks=78", "burn_in=0", f"practice.belief_context={layout}", "world.K=1",
        "world.ruggedness=1.0", "patients.social_need_prevalence=0.0", "practice.observation_noise=0.05",
        "practice.exploration=0.5", "cop.calendar.every_weeks=0", "turnover.annual_rate=0.0",
        'cop.members={nurse = 12}', "disciplines.nurse.guideline_confidence=0.0",
        "disciplines.nurse.person_centred=0.5"])
    m = CopModel(r, 2)
    assert m.world is world
    m.run_to_horizon()
    return m, world, t0, x


def _preference(mu, b, t):
    return mu[:, b, t, :].argmax(axis=1)


def test_partner_contexts_learn_that_a_practice_fails_beside_x_and_keep_it_without_x(monkeypatch):
    m, w, t0, x = _learnt("partners", monkeypatch)
    absent, present = 0, 1  # s = 0 (no social needs); bit 0 = X active
    ctx = m.pa.ctx
    has_t0 = (ctx >= 0) & w.ctx_active[np.maximum(ctx, 0), t0]
    with_x = (has_t0 & w.ctx_active[np.maximum(ctx, 0), x]).any(axis=1)
    without_x = (has_t0 & ~w.ctx_active[np.maximum(ctx, 0), x]).any(axis=1)
    saw = with_x & without_x  # practitioners with patients of both kinds
    assert saw.sum() >= 10
    beside, alone = _preference(m.pr.mu, present, t0)[saw], _preference(m.pr.mu, absent, t0)[saw]
    assert (beside != 0).mean() >= 0.8, beside  # learnt: practice 0 fails beside X
    assert (alone == 0).mean() >= 0.9, alone  # and still works without X
    # plans follow: patients with X mostly moved off practice 0, those without mostly kept it
    plan = m.pa.plan[:, :, t0]
    px = has_t0 & w.ctx_active[np.maximum(ctx, 0), x]
    assert (plan[px] != 0).mean() > 0.6 and (plan[has_t0 & ~px] == 0).mean() > 0.6


def test_one_belief_per_social_context_cannot_tell_the_two_kinds_of_patient_apart(monkeypatch):
    m, w, t0, x = _learnt("social", monkeypatch)
    ctx = m.pa.ctx[m.pa.ctx >= 0]
    assert m.pr.mu.shape[1] == 2 and not w.ctx_social[ctx].any()  # no social needs: one context
    # the same belief serves patients with and without X: one preference for both
    pref = _preference(m.pr.mu, 0, t0)
    assert len(np.unique(w.ctx_bctx[:, ctx, t0])) == 1
    # and it is pulled by both kinds of result: practice 0's belief sits between 0.1 and 0.9
    mean0 = m.pr.mu[:, 0, t0, 0].mean()
    assert 0.15 < mean0 < 0.85, (mean0, pref)


# --- (c) stories carry the patient's context ----------------------------------------------------

def test_a_story_about_a_patient_with_x_updates_the_listeners_belief_in_the_x_context_only():
    r = scenario.load(DEFAULT, ["n_cops=1", "burn_in=12", "weeks=4", "meeting.attendance_pressure=0.0",
                                "cop.cases_per_meeting=1", "meeting.cocreation_rate=0.0"])
    m = CopModel(r, 4)
    w, pr, pa = m.world, m.pr, m.pa
    K = w.K
    # a teller with a patient whose topic t has partner X active and the other partners absent
    found = None
    for i in m.cp.members[0]:
        for k in range(pa.ctx.shape[1]):
            c = pa.ctx[i, k]
            if c < 0 or not (pa.obs_plan[i, k] >= 0).any():
                continue
            for t in np.flatnonzero(pa.obs_plan[i, k] >= 0):
                on = w.ctx_active[c, w.partners[t, :K]]
                if on[0] and not on[1:].any() and not w.ctx_social[c]:
                    found = (i, k, t)
                    break
            if found:
                break
        if found:
            break
    assert found is not None
    i, k, t = found
    pr.st_patient[:] = -1
    pr.st_patient[i], pr.st_surprise[i] = k, 1.0
    pr.engagement[:] = 1.0
    before = pr.mu.copy()
    week.open_week(m.run, m.kn, m.wk, np.array([0], dtype=np.int64), m.clock)
    a = pa.obs_plan[i, k, t]
    listeners = [j for j in m.cp.members[0] if j >= 0 and j != i]
    changed = pr.mu != before
    assert changed[listeners].any()
    for j in listeners:
        # with X (bit 0) the story moves the belief; without X the same practice's belief stays put
        assert changed[j, 1, t, a] and not changed[j, 0, t, a]
        # and nothing else than the told patient's contexts and plan moved
        expect = np.zeros_like(changed[j])
        for u in np.flatnonzero(pa.obs_plan[i, k] >= 0):
            expect[w.ctx_bctx[int(pa.known[i, k]), pa.ctx[i, k], u], u, pa.obs_plan[i, k, u]] = True
        assert not (changed[j] & ~expect).any()


# --- training and memory -------------------------------------------------------------------------

@pytest.mark.parametrize("prior", ["trials", "uninformed"])
def test_training_fills_every_partner_context_with_the_same_prior_as_social_contexts(prior):
    pairs = ["n_cops=1", "burn_in=0", "weeks=4", f"practice.prior={prior}"]
    part = CopModel(scenario.load(DEFAULT, pairs), 3)
    soc = CopModel(scenario.load(DEFAULT, [*pairs, "practice.belief_context=social"]), 3)
    G = part.world.n_bctx // 2
    mu = part.pr.mu.reshape(len(part.pr.disc), 2, G, *part.pr.mu.shape[2:])
    for g in range(G):  # the trained value alone, in every partner context, with the same draws
        assert np.array_equal(mu[:, :, g], soc.pr.mu)
    assert np.array_equal(part.pr.prec[:, ::G], soc.pr.prec)
    assert np.array_equal(part.pa.ctx, soc.pa.ctx)  # the same draws after training, too


def test_the_memory_estimate_counts_the_extra_belief_contexts():
    from cop_sim import memory

    big = ["n_cops=4000"]
    soc = scenario.load(DEFAULT, [*big, "practice.belief_context=social"])
    part, k3 = scenario.load(DEFAULT, big), scenario.load(DEFAULT, [*big, "world.K=3"])
    assert memory.sizes(soc)["belief_cells"] == 0
    assert memory.sizes(part)["belief_cells"] == 48000 * 2 * 3 * 8 * 4
    assert memory.estimate(soc) < memory.estimate(part) < memory.estimate(k3)


def test_a_combination_one_member_learnt_reaches_the_code_and_the_others_in_that_context_only():
    r = scenario.load(DEFAULT, ["n_cops=1", "burn_in=0", "weeks=4", "meeting.attendance_pressure=0.0",
                                "cop.documentation=1.0"])
    m = CopModel(r, 6)
    pr = m.pr
    members = [j for j in m.cp.members[0] if j >= 0]
    t, a = 0, 0
    pr.mu[members[0], 1, t, a], pr.prec[members[0], 1, t, a] = 0.05, 1000.0  # fails beside partner 0
    pr.st_patient[:] = -1  # no stories: only the code carries it
    pr.engagement[:] = 1.0
    week.open_week(m.run, m.kn, m.wk, np.array([0], dtype=np.int64), m.clock)
    assert m.cp.R_mu[0, 1, t, a] < 0.2 < m.cp.R_mu[0, 0, t, a]  # the code holds it in that context
    before = pr.mu.copy()
    upkeep.beliefs_week(m.k.pr, m.k.cp, 1.0, 0.0)
    others = members[1:]
    drop = before[others, 1, t, a] - pr.mu[others, 1, t, a]
    moved = np.abs(before[others, 0, t, a] - pr.mu[others, 0, t, a])  # towards the room's own consensus
    assert (drop > 0.02).all() and (drop > 5 * moved).all(), (drop, moved)
