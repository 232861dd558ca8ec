"""Small messages: unknown keys list what is allowed, `report` on a folder with no sweep, and a
missing outcome printed with its reason rather than `nan`."""

from __future__ import annotations

import pytest

from cop_sim import models
from cop_sim.cli import main
from cop_sim.outputs import summary_table
from cop_sim.params import LIST_ALL, flatten, unknown_key


def test_few_allowed_keys_are_listed_in_full():
    err = str(unknown_key("f.toml", "cop.moderatr", ["moderators", "mentor", "members"]))
    assert err.endswith("Allowed here: members, mentor, moderators")
    assert "Did you mean 'moderators'?" in err


def test_many_allowed_keys_give_the_nearest_five_and_where_to_find_all():
    leaves = list(flatten(models.get("cop").spec))
    assert len(leaves) > LIST_ALL
    err = str(unknown_key("f.toml", "cop.moderator", leaves, "cop.moderator"))
    assert f"Allowed here: {len(leaves)} keys; the nearest: cop.moderators, cop.moderator_skill," in err
    nearest = err.split("the nearest: ", 1)[1].split(" (", 1)[0].split(", ")
    assert len(nearest) == 5 and set(nearest) <= set(leaves)
    assert "parameter table" in err and "known keys" not in err


def test_set_with_an_unknown_key_lists_the_sections_keys(tmp_path, capsys):
    scen = tmp_path / "s.toml"
    scen.write_text('name = "s"\nweeks = 2\n')
    assert main(["run", str(scen), "--set", "practice.casload=1", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Allowed here: belief_context, caseload, " in err and "known keys" not in err


@pytest.mark.parametrize("make", ["empty", "other", "missing", "file"])
def test_report_on_a_folder_without_a_sweep_does_not_advise_force(tmp_path, capsys, make):
    folder = tmp_path / "f"
    if make in ("empty", "other"):
        folder.mkdir()
    if make == "other":
        (folder / "notes.txt").write_text("mine")
    if make == "file":
        folder.write_text("mine")
    assert main(["report", str(folder)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--force" not in err and "cop-sim sweep" in err, err
    assert main(["report", str(folder), "--force"]) == 2  # --force cannot help: same answer
    assert "--force" not in capsys.readouterr().err


def test_a_missing_outcome_prints_its_reason_not_nan():
    text = summary_table({"representative_trust": float("nan"), "care_quality": 0.75,
                          "care_quality_last_quarter_se|cop=a": float("nan"), "other": float("nan")})
    assert "nan" not in text.lower().replace("n/a", "")
    lines = text.splitlines()
    assert lines[0].split()[-3:] == ["n/a", "(no", "representative)"]
    assert lines[1].endswith("0.7500")
    assert lines[2].endswith("n/a (fewer than two weeks with encounters)")
    assert lines[3].endswith("n/a")


def test_a_run_without_a_representative_prints_why_its_trust_is_missing(tmp_path, capsys):
    scen = tmp_path / "s.toml"
    scen.write_text('name = "s"\nweeks = 3\nn_cops = 1\n')
    assert main(["run", str(scen), "--out", str(tmp_path / "o")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("representative_trust "))
    assert line.split(None, 1)[1] == "n/a (no representative)"
