"""Who talks to whom, 0.3 additions: reviews the repository triggers, ties made at learning
sessions, and stories told along ties between meetings (hallway conversations).

Each mechanism alone, each with its off-switch shown to leave the run as it was.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop import network, upkeep
from cop_sim.cop.codelearning import socialise
from cop_sim.cop.model import CopModel
from cop_sim.cop.plan import _colleague
from cop_sim.cop.state import knobs

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"
# one learning session in week 1 and no CoP meetings (tests/test_travel.py does the same)
SESSION = ["learning_community.enabled=true", "cop.calendar.every_weeks=0", "cop.calendar.weeks=[]",
           "learning_community.calendar.start_week=1"]


def _repository_fixture(agrees: bool) -> tuple[CopModel, int, int]:
    """Practitioner i prefers practice 0 on topic t; the repository holds only topic t, for 0 or 1."""
    m = CopModel(scenario.load(DEFAULT, ["n_cops=1", "burn_in=2", "weeks=4"]), 1)
    pr, cp = m.pr, m.cp
    i, t = int(cp.members[0, 0]), 0
    pr.mu[i, :, t, :] = 0.5
    pr.mu[i, :, t, 0] = 0.6
    pr.prec[i, :, t, :] = 1.0
    cp.R_prec[:] = 0.0  # nothing written but topic t: no other news
    cp.R_mu[0, :, t, :] = 0.0
    cp.R_mu[0, :, t, 0 if agrees else 1] = 1.0
    cp.R_prec[0, :, t, :] = 1.0
    pr.review_from[:] = -1
    return m, i, t


@pytest.mark.parametrize("agrees", [False, True])
def test_the_repository_flags_a_review_only_when_it_contradicts(agrees):
    m, i, t = _repository_fixture(agrees)
    upkeep.beliefs_week(m.k.pr, m.k.cp, 2.0, 0.0, 30)
    assert (m.pr.mu[i, :, t, 1] > m.pr.mu[i, :, t, 0]).any() == (not agrees)  # the news moved i or not
    assert m.pr.review_from[i] == (-1 if agrees else 30)


def test_without_a_week_to_flag_the_repository_teaches_but_flags_nothing():
    m, i, t = _repository_fixture(False)
    upkeep.beliefs_week(m.k.pr, m.k.cp, 2.0, 0.0)
    assert (m.pr.mu[i, :, t, 1] > m.pr.mu[i, :, t, 0]).any()
    assert (m.pr.review_from == -1).all()


@pytest.mark.parametrize("agrees", [False, True])
def test_stepwise_socialisation_flags_a_review_only_when_it_contradicts(agrees):
    m, i, t = _repository_fixture(agrees)
    for _ in range(2):  # another practice -> no preference -> the code's: two steps
        socialise(m.k.pr, m.k.cp, 1.0, m.cop_streams("socialise"), 30)
    assert m.pr.review_from[i] == (-1 if agrees else 30)


def test_the_switch_and_the_triggers_both_gate_repository_reviews():
    def kn(*pairs):
        return knobs(scenario.load(DEFAULT, list(pairs))).repo_triggers

    assert kn() and not kn("review.repository_triggers=false") and not kn("review.triggers=false")


def test_repository_triggers_off_is_the_stored_0_3_0_run_bit_for_bit():
    # tag v0.3.0's stored summary (the current baseline has the trigger on)
    stored = json.loads((ROOT / "tests" / "baseline" / "v030_default_seed1.json").read_text())
    got = models.simulate(scenario.load(DEFAULT, ["review.repository_triggers=false"]), 1).summary
    assert [k for k, v in stored.items()
            if not (got[k] == v or (isinstance(v, float) and math.isnan(v) and math.isnan(got[k])))] == []


def test_repository_triggers_make_more_reviews():
    """Not hollow: at the defaults the repository's news makes plans due reviews they would not have had."""
    on, off = (models.simulate(scenario.load(DEFAULT, ["weeks=26", f"review.repository_triggers={s}"]), 1)
               for s in ("true", "false"))
    assert on.timeseries["reviews"].sum() > off.timeseries["reviews"].sum()
    assert on.summary["care_quality"] != off.summary["care_quality"]


def _cross(m: CopModel) -> int:
    pr = m.pr
    return sum(int(pr.cop[i] != pr.cop[j]) for i, row in enumerate(pr.ties) for j in row if j >= 0)


def _after_session(*pairs: str) -> CopModel:
    m = CopModel(scenario.load(DEFAULT, ["weeks=3", "burn_in=4", "network.enabled=true",
                                         "network.between_density=0", *pairs]), 1)
    assert _cross(m) == 0  # no tie across CoPs to start with
    while m.running:
        m.step()
    return m


def test_delegates_of_different_cops_are_tied_after_a_session():
    m = _after_session(*SESSION)
    per = m.params["learning_community"]["representatives_per_cop"]
    n_cops = len(m.cops)
    assert _cross(m) == n_cops * per * (n_cops - 1) * per  # each delegate to every other CoP's
    assert all((row >= 0).sum() == len(set(row[row >= 0])) for row in m.pr.ties)  # no tie twice


@pytest.mark.parametrize("pairs", [(), (*SESSION, "network.session_ties=false")])
def test_without_sessions_or_the_switch_nobody_is_tied_across_cops(pairs):
    assert _cross(_after_session(*pairs)) == 0


def test_a_full_row_of_ties_takes_no_new_tie():
    ties = np.array([[1, -1], [0, 2], [1, -1]], dtype=np.int64)
    assert not network.tie(ties, 0, 1)  # tied already
    assert not network.tie(ties, 1, 2) and not network.tie(ties, 0, 1)
    assert network.tie(ties, 0, 2) and ties[0, 1] == 2 and ties[2, 1] == 0
    assert not network.tie(ties, 0, 2)


def test_advice_can_cross_cops_along_a_session_tie():
    m = _after_session(*SESSION, "network.within_density=0")  # the session's ties are the only ties
    pr = m.pr
    i = next(i for i, row in enumerate(pr.ties) if (row >= 0).any())
    j, trust = _colleague(m.k.pr, m.k.cp, m.kn, int(pr.cop[i]), int(pr.slot[i]), i)
    assert j >= 0 and pr.cop[j] != pr.cop[i] and trust == m.kn.initial_trust


def _tie_stories(rate: float, *pairs: str) -> dict:
    return models.simulate(scenario.load(DEFAULT, ["weeks=13", "network.enabled=true",
                                                   f"network.hallway_rate={rate}", *pairs]), 1).summary


def test_tie_stories_rise_with_the_rate():
    counts = [_tie_stories(r)["tie_stories"] for r in (0.0, 0.1, 0.5)]
    assert counts[0] == 0 < counts[1] < counts[2]


def test_hallway_stories_need_the_network():
    base = models.simulate(scenario.load(DEFAULT, ["weeks=13"]), 1).summary
    off = models.simulate(scenario.load(DEFAULT, ["weeks=13", "network.hallway_rate=0.5"]), 1).summary
    assert [k for k in base if not (off[k] == base[k] or (math.isnan(off[k]) and math.isnan(base[k])))] == []
    assert off["tie_stories"] == 0


def test_hallway_stories_are_heard_and_move_the_run():
    """Not hollow: without meetings, stories along ties are the only messages, and they change care."""
    quiet = ["cop.calendar.every_weeks=0", "cop.calendar.weeks=[]"]
    on, off = _tie_stories(0.5, *quiet), _tie_stories(0.0, *quiet)
    assert off["messages"] == 0 and on["messages"] == on["tie_stories"] > 0
    assert on["care_quality"] != off["care_quality"]
