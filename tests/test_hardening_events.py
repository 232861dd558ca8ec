"""Issue 22, defects 5, 6 and 10: events checked like the body, world ranges that build, hostile TOML."""

from __future__ import annotations

import copy
import pickle
import time
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cli import main
from cop_sim.cop.checks import Scenario
from cop_sim.cop.model import CopModel
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"
SMALL = "weeks = 13\nburn_in = 2\nn_cops = 2\n[cop]\nmembers = {gp = 2, nurse = 1}\nmoderators = 1\n"


def _cli(tmp_path: Path, text: str, capsys, *more: str) -> tuple[int, str]:
    """Run ``cop-sim run`` in-process on a scenario text; the exit status and stderr."""
    f = tmp_path / "s.toml"
    f.write_text(text)
    code = main(["run", str(f), "--out", str(tmp_path / "out"), *more])
    return code, capsys.readouterr().err


def _refused(tmp_path, text, capsys, key: str, words: str) -> None:
    code, err = _cli(tmp_path, text, capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert f"'{key}" in lines[0] and words in lines[0] and "s.toml" in lines[0]


# ----- defect 5: [[events]] -------------------------------------------------------------------

def test_the_nested_form_of_a_fixed_key_is_refused_like_the_dotted_form(tmp_path, capsys):
    for form in ('{patients = {per_practitioner = 100}}', '{"patients.per_practitioner" = 100}',
                 '{patients.per_practitioner = 100}'):
        _refused(tmp_path, SMALL + f"[[events]]\nweek = 3\nset = {form}\n", capsys,
                 "events[0].set.patients.per_practitioner", "cannot change during a run")


def test_the_nested_form_of_a_free_key_does_what_the_dotted_form_does():
    nested = scenario.resolve({"weeks": 13, "events": [{"week": 3, "set": {"practice": {"caseload": 2.0}}}]})
    flat = scenario.resolve({"weeks": 13, "events": [{"week": 3, "set": {"practice.caseload": 2.0}}]})
    assert nested.stages[0].params["practice"]["caseload"] == 2.0
    assert nested.stages[0].params == flat.stages[0].params
    assert dict(nested.stages[0].settings) == {"practice.caseload": 2.0}


def test_cop_members_in_an_event_is_refused_with_its_reason(tmp_path, capsys):
    for form in ('{"cop.members" = {gp = 1}}', '{cop = {members = {gp = 1}}}', '{"cop.members.gp" = 1}'):
        _refused(tmp_path, SMALL + f"[[events]]\nweek = 3\nset = {form}\n", capsys,
                 "events[0].set.cop.members", "members are built once")


def test_a_cops_list_with_more_entries_than_cops_is_refused_up_front(tmp_path, capsys):
    _refused(tmp_path, SMALL + '[[events]]\nweek = 3\nset = {"cops" = [{}, {}, {}]}\n', capsys,
             "events[0]", "3 CoPs where the run has 2")
    _refused(tmp_path, SMALL + '[[events]]\nweek = 3\nset = {"cops" = [{members = {gp = 3}}]}\n', capsys,
             "events[0]", "members changed")


@pytest.mark.parametrize("settings, words", [
    ('{"cop.calendar.start_week" = 500}', "'cop.calendar.start_week': first meeting in week 500"),
    ('{cop = {moderators = 5}}', "'cop.moderators': 5 moderators for 3 members"),
    ('{"learning_community.symposium_week" = 20}', "week 20 is outside the horizon"),
    ('{"cops" = [{moderators = 4}]}', "'cops[0].moderators': 4 moderators for 3 members"),
    ('{"learning_community.teams" = 3}', "3 teams for 2 CoPs"),
])
def test_an_event_value_the_body_refuses_is_refused(tmp_path, capsys, settings, words):
    _refused(tmp_path, SMALL + f"[[events]]\nweek = 1\nset = {{\"practice.caseload\" = 2.0}}\n"
             f"[[events]]\nweek = 3\nset = {settings}\n", capsys, "events[1]", words)
    body = settings.strip("{}").replace('"', "").replace("{", "").replace("}", "")  # the same in the body
    if not body.startswith(("cops", "cop =")):
        key, value = (s.strip() for s in body.split("="))
        with pytest.raises(InputError):
            scenario.resolve(scenario.overrides_from_pairs([f"{key}={value}"]) | {"weeks": 13, "n_cops": 2})


def test_events_of_one_week_are_merged_the_later_winning():
    s = scenario.resolve({"weeks": 13, "events": [
        {"week": 5, "set": {"practice.caseload": 2.0, "meeting.story_weight": 1.0}},
        {"week": 2, "set": {"cop.mentor": True}},
        {"week": 5, "set": {"practice": {"caseload": 3.0}}}]})
    assert [st.week for st in s.stages] == [2, 5]
    later = s.stages[1].params
    assert later["practice"]["caseload"] == 3.0 and later["meeting"]["story_weight"] == 1.0
    assert later["cop"]["mentor"] is True  # a stage starts from the one before it


def test_the_resolved_scenario_is_frozen_and_reads_like_the_dict(tmp_path):
    s = scenario.resolve({"weeks": 13, "events": [{"week": 3, "set": {"practice.caseload": 2.0}}]})
    assert isinstance(s, Scenario) and isinstance(s, dict)
    with pytest.raises(TypeError):
        s["weeks"] = 5
    with pytest.raises(TypeError):
        s["cop"]["members"]["gp"] = 9
    with pytest.raises(TypeError):
        s["events"].append({})
    with pytest.raises(TypeError):
        s.stages[0].params["practice"]["caseload"] = 1.0
    back = pickle.loads(pickle.dumps(s))
    assert back == s and isinstance(back, Scenario) and back.stages == s.stages
    plain = copy.deepcopy(s)  # a deep copy is plain and may be changed
    plain["cop"]["members"]["gp"] = 9
    assert s["cop"]["members"]["gp"] == 2
    assert scenario.content_hash(s) == scenario.content_hash(copy.deepcopy(s))


def test_ten_thousand_events_cost_little_more_than_none():
    rng = np.random.default_rng(3)
    keys = ["practice.caseload", "cop.moderator_skill", "meeting.story_weight", "cop.representative"]
    evs = [{"week": int(rng.integers(6)), "set": {k: (True if k == "cop.representative" else
                                                     float(rng.uniform(0.1, 1.0)))}}
           for k in rng.choice(keys, size=10_000)]
    base = {"weeks": 6, "burn_in": 1, "n_cops": 2, "cop": {"members": {"gp": 2, "nurse": 2}}}
    models.simulate(scenario.resolve(base), 1)  # compiled and warm
    t0 = time.perf_counter()
    models.simulate(scenario.resolve(base), 1)
    t1 = time.perf_counter()
    res = models.simulate(scenario.resolve({**base, "events": evs}), 1)
    t2 = time.perf_counter()
    assert len(res.timeseries) == 7
    assert (t2 - t1) - (t1 - t0) < 3.0, (t1 - t0, t2 - t1)


def test_an_event_changes_the_run_from_its_week(tmp_path):
    s = scenario.resolve({"weeks": 8, "burn_in": 1, "n_cops": 2,
                          "events": [{"week": 4, "set": {"cop": {"moderator_skill": 0.1}}}]})
    m = CopModel(s, 2)
    while m.week < 4:
        m.step()
    assert np.allclose(m.cp.skill, 0.7)
    m.step()
    assert np.allclose(m.cp.skill, 0.1)


# ----- defect 6: world ranges that the model can build ------------------------------------------

@pytest.mark.parametrize("pairs, key, words", [
    (["world.n_conditions=0"], "world.n_conditions", "patients.max_conditions"),
    (["world.n_conditions=4"], "world.n_conditions", "patients.max_conditions (5)"),
    (["world.n_topics=12"], "world.n_topics", "world.K > 0"),
    (["world.n_topics=20", "world.n_conditions=12", "patients.max_conditions=6"], "world.n_topics",
     "patients.max_conditions + world.n_topics - world.n_conditions"),
    (["world.patient_context=false", "world.n_topics=11"], "world.n_topics", "at most 10"),
])
def test_a_world_the_model_cannot_build_is_refused_naming_both_keys(pairs, key, words):
    with pytest.raises(InputError) as err:
        scenario.load(DEFAULT, ["weeks=5", *pairs])
    assert err.value.key == key and words in err.value.message


@pytest.mark.parametrize("pairs", [
    ["world.n_topics=12", "world.K=0"],  # no exact-optimum limit on an additive landscape
    ["world.n_conditions=5", "world.n_topics=9"],  # 5 + 4 = 9 active at most
    ["world.patient_context=false", "world.n_conditions=0", "world.n_topics=3"],
    ["patients.max_conditions=2", "world.n_conditions=2", "world.n_topics=10"],
])
def test_a_world_at_the_edge_of_the_rules_runs(pairs):
    resolved = scenario.load(DEFAULT,
                             ["weeks=3", "burn_in=1", "n_cops=1", "patients.per_practitioner=3", *pairs])
    res = models.simulate(resolved, 1)
    quality = res.timeseries["care_quality"].iloc[1:].dropna()  # NaN in a week without visits
    assert len(res.timeseries) == 4 and len(quality) and quality.between(0, 1).all()


# ----- defect 10: hostile TOML ------------------------------------------------------------------

@pytest.mark.parametrize("value", ["{a = " * 5000 + "1" + "}" * 5000, "[" * 5000 + "1" + "]" * 5000,
                                   "[" * 40 + "]" * 40])
def test_deeply_nested_toml_is_one_line_exit_2(tmp_path, capsys, value):
    code, err = _cli(tmp_path, f"x = {value}\n", capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "nested" in err and "s.toml" in err
    code = main(["run", str(DEFAULT), "--set", f"cop.members={value}", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--set" in err and "nested" in err


def test_deeply_nested_experiment_file_is_one_line_exit_2(tmp_path, capsys):
    f = tmp_path / "e.toml"
    f.write_text(f'scenario = "{DEFAULT}"\n[set]\nx = ' + "[" * 3000 + "]" * 3000 + "\n")
    code = main(["sweep", str(f), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "nested" in err


def test_a_table_and_its_own_key_in_one_event_is_one_line(tmp_path, capsys):
    for form in ('{"practice" = 1, "practice.caseload" = 2.0}',
                 '{"practice.caseload" = 2.0, "practice" = 1}'):
        _refused(tmp_path, SMALL + f"[[events]]\nweek = 3\nset = {form}\n", capsys, "events[0].set.practice",
                 "expected a table")


def test_a_deep_value_given_in_python_is_refused_before_it_is_walked():
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(InputError, match="nested more than 32"):
        scenario.resolve({"weeks": 3, "events": [{"week": 0, "set": {"cop.calendar.weeks": deep}}]})
