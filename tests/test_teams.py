"""Teams of CoPs in a learning community (Manukyan et al. 2013): who shares with whom, and how
teams are formed from the CoPs' patient mixes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cop_sim import scenario
from cop_sim.cli import main
from cop_sim.cop import teams
from cop_sim.cop.model import CopModel
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "default.toml"


def _model(*pairs: str, seed: int = 4) -> CopModel:
    return CopModel(scenario.load(SCENARIO, ["weeks=8", "learning_community.enabled=true", *pairs]), seed)


def _one_story(m: CopModel, teller_cop: int) -> int:
    """Leave one delegate of ``teller_cop`` with a story (its patient's last observed plan), no one else."""
    pr, pa = m.pr, m.pa
    pr.st_patient[:] = -1
    mem = np.flatnonzero(pr.cop == teller_cop)
    teller = mem[np.argsort(-pr.engagement[mem], kind="stable")[0]]  # the CoP's first delegate
    k = int(np.flatnonzero((pa.obs_plan[teller] >= 0).any(axis=1))[0])
    pr.st_patient[teller] = k
    return int(teller)


@pytest.mark.parametrize("team_by", ["similar", "diverse"])
def test_a_story_never_reaches_a_listener_in_another_team(team_by):
    m = _model("n_cops=6", "learning_community.teams=2", f"learning_community.team_by={team_by}")
    team = m.team
    assert sorted(np.bincount(team)) == [3, 3]
    _one_story(m, 0)
    mu = m.pr.mu.copy()
    m._session()
    moved = np.array([not np.array_equal(mu[i], m.pr.mu[i]) for i in range(len(m.pr.disc))])
    listener_team = team[m.pr.cop]
    assert not moved[listener_team != team[0]].any()  # the other team heard nothing
    assert moved[(listener_team == team[0]) & (m.pr.cop != 0)].any()  # its own team did


def test_with_one_community_the_same_story_reaches_every_other_cop():
    """The control for the test above: without teams, listeners in every other CoP move."""
    m = _model("n_cops=6")
    assert not m.team.any()
    _one_story(m, 0)
    mu = m.pr.mu.copy()
    m._session()
    moved = {int(m.pr.cop[i]) for i in range(len(m.pr.disc)) if not np.array_equal(mu[i], m.pr.mu[i])}
    assert moved == {1, 2, 3, 4, 5}


def test_repositories_are_pooled_within_a_team_only():
    m = _model("n_cops=6", "learning_community.teams=2")
    rng = np.random.default_rng(0)
    m.cp.R_mu[:] = rng.random(m.cp.R_mu.shape)
    m.cp.R_prec[:] = rng.random(m.cp.R_prec.shape) + 0.5
    before = m.cp.R_mu.copy()
    m.pr.st_patient[:] = -1
    m._session()
    for g in (0, 1):
        cops = np.flatnonzero(m.team == g)
        r = m.cp.R_mu[cops]
        assert np.allclose(r, r[0])  # one pool per team
        assert not np.allclose(r[0], before[cops[0]])
    a, b = np.flatnonzero(m.team == 0)[0], np.flatnonzero(m.team == 1)[0]
    assert not np.allclose(m.cp.R_mu[a], m.cp.R_mu[b])  # the teams' pools differ


def test_a_symposium_is_still_of_all_cops():
    m = _model("n_cops=6", "learning_community.teams=3")
    _one_story(m, 0)
    mu = m.pr.mu.copy()
    m._session("symposium")
    moved = {int(m.pr.cop[i]) for i in range(len(m.pr.disc)) if not np.array_equal(mu[i], m.pr.mu[i])}
    assert moved == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_similar_teams_are_closer_in_context_than_diverse_teams(seed):
    sim = _model("n_cops=12", "burn_in=0", "learning_community.teams=3", seed=seed)
    div = _model("n_cops=12", "burn_in=0", "learning_community.teams=3",
                 "learning_community.team_by=diverse", seed=seed)
    assert np.array_equal(sim.profile, div.profile)  # the same CoPs, only grouped differently
    assert sorted(np.bincount(sim.team)) == sorted(np.bincount(div.team)) == [4, 4, 4]
    d_sim = teams.within_distance(sim.profile, sim.team)
    d_div = teams.within_distance(div.profile, div.team)
    d_all = teams.within_distance(sim.profile, np.zeros(12, dtype=np.int64))
    assert d_sim < d_all and d_sim < d_div


def test_teams_are_a_function_of_the_seed():
    a = _model("n_cops=9", "burn_in=0", "learning_community.teams=3", seed=11)
    b = _model("n_cops=9", "burn_in=0", "learning_community.teams=3", seed=11)
    c = _model("n_cops=9", "burn_in=0", "learning_community.teams=3", seed=12)
    assert np.array_equal(a.team, b.team) and np.array_equal(a.profile, b.profile)
    assert not np.array_equal(a.profile, c.profile)


def test_form_groups_obvious_clusters_and_spreads_them():
    # two tight clusters of three CoPs on a line: similar keeps them, diverse splits each
    profile = np.array([[0.0], [0.01], [0.02], [1.0], [1.01], [1.02]])
    sim = teams.form(profile, 2, "similar")
    assert len(set(sim[:3])) == 1 and len(set(sim[3:])) == 1 and sim[0] != sim[3]
    div = teams.form(profile, 2, "diverse")
    assert len(set(div[:3])) == 2 and len(set(div[3:])) == 2
    assert not teams.form(profile, 0, "similar").any() and not teams.form(profile, 1, "diverse").any()


def test_more_teams_than_cops_is_refused_naming_the_key():
    with pytest.raises(InputError, match=r"learning_community.teams.*5 teams for 4 CoPs"):
        scenario.load(SCENARIO, ["learning_community.teams=5"])


def test_teams_set_by_an_event_apply_from_that_week():
    ev = '[{week = 3, set = {"learning_community.teams" = 2}}]'
    m = _model("n_cops=4", "burn_in=0", f"events={ev}")
    assert not m.team.any()
    for _ in range(4):
        m.step()
    assert sorted(np.bincount(m.team)) == [2, 2]
    with pytest.raises(InputError, match=r"events\[0\]\.set\.learning_community\.teams.*9 teams for 4 CoPs"):
        scenario.load(SCENARIO, ["events=[{week = 3, set = {\"learning_community.teams\" = 9}}]"])


@pytest.mark.parametrize("pair, quoted", [
    ("learning_community.teams=5", "5 teams for 4 CoPs"),
    ("learning_community.team_by=random", "one of 'similar', 'diverse'"),
    ("learning_community.teams=-1", "an integer in [0, 100000]"),
])
def test_bad_team_settings_exit_2_with_one_line(capsys, tmp_path, pair, quoted):
    try:
        code = main(["run", str(SCENARIO), "--weeks", "4", "--set", pair, "--out", str(tmp_path / "o")])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert "learning_community.team" in lines[0] and quoted in lines[0], lines[0]
