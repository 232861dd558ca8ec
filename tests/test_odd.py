"""The ODD's parameter table must match the code, and every parameter must be documented."""

from __future__ import annotations

import pytest

from cop_sim.model2.spec import SPEC
from cop_sim.odd_table import BEGIN, END, ODD_PATH, current_block, main, parameter_table, replace_block
from cop_sim.params import flatten

LEAVES = flatten(SPEC)


def test_odd_table_matches_code():
    text = ODD_PATH.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1, "docs/ODD.md lost its table markers"
    assert current_block(text) == parameter_table(), (
        "docs/ODD.md's parameter table differs from cop_sim/model2/spec.py; "
        "run: python -m cop_sim.odd_table"
    )


def test_check_mode_flags_a_stale_table(tmp_path, capsys):
    doc = tmp_path / "ODD.md"
    doc.write_text(f"# ODD\n\n{BEGIN}\n| stale |\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["--check", "--path", str(doc)]) == 1
    assert main(["--path", str(doc)]) == 0
    assert main(["--check", "--path", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# ODD\n\n") and text.endswith(f"{END}\n\nafter\n")
    assert current_block(text) == parameter_table()
    capsys.readouterr()


def test_replace_block_needs_both_markers():
    with pytest.raises(ValueError):
        replace_block("no markers here", "| t |\n")
    with pytest.raises(ValueError):
        replace_block(f"{END}\n{BEGIN}\n", "| t |\n")


def test_table_has_one_row_per_parameter():
    rows = [r for r in parameter_table().splitlines() if r.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == list(LEAVES)


@pytest.mark.parametrize("key", list(LEAVES))
def test_every_parameter_is_documented(key):
    p = LEAVES[key]
    assert p.doc.strip(), f"{key}: empty doc"
    assert p.unit.strip(), f"{key}: empty unit"
    assert p.source.strip(), f"{key}: empty source"


@pytest.mark.parametrize("key", [k for k, p in LEAVES.items()
                                 if p.type in (int, float) and not isinstance(p.default, bool)])
def test_numeric_default_within_range(key):
    p = LEAVES[key]
    if p.lo is not None:
        assert p.default >= p.lo, f"{key}: default {p.default} below {p.lo}"
    if p.hi is not None:
        assert p.default <= p.hi, f"{key}: default {p.default} above {p.hi}"
    if p.choices:
        assert p.default in p.choices
    p.validate(p.default, "defaults", key)  # the default passes the parameter's own validation


@pytest.mark.parametrize("key", list(LEAVES))
def test_every_default_passes_its_own_validation(key):
    p = LEAVES[key]
    assert p.validate(p.default, "defaults", key) == p.default


def test_prior_column_shows_a_declared_prior():
    from cop_sim.toy.params import SPEC as TOY

    rows = {r.split("`")[1]: r for r in parameter_table(TOY).splitlines() if r.startswith("| `")}
    assert "[0.001, 0.1] loguniform: irrelevant by construction" in rows["rate"]
    assert "| – |" in rows["weeks"]  # no prior: a dash, not a blank
    assert "prior (plausible range)" in parameter_table().splitlines()[0]


def test_model2_notes_table_matches_code():
    doc = ODD_PATH.parent / "model2.md"
    assert main(["--check", "--path", str(doc)]) == 0, "run: python -m cop_sim.odd_table --path docs/model2.md"
