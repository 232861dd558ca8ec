"""The ODD's parameter table must match the code, and every parameter must be documented."""

from __future__ import annotations

import re

import pytest

from cop_sim import models
from cop_sim.odd_table import (
    BEGIN,
    DOCS,
    END,
    ODD_PATH,
    current_block,
    main,
    model_spec,
    parameter_table,
    replace_block,
)
from cop_sim.params import flatten

KIND = "cop"

SPEC = model_spec(KIND)
LEAVES = flatten(SPEC)


def test_odd_table_matches_code():
    text = ODD_PATH.read_text(encoding="utf-8")
    assert text.count(BEGIN) == 1 and text.count(END) == 1, "docs/ODD.md lost its table markers"
    assert current_block(text) == parameter_table(SPEC), (
        f"docs/ODD.md's parameter table differs from the spec of model '{KIND}'; "
        f"run: python -m cop_sim.odd_table --model {KIND}"
    )


def test_odd_names_its_model_and_every_document_of_it_matches():
    assert ODD_PATH in DOCS[KIND], f"docs/ODD.md is not among the documents of model '{KIND}'"
    assert f'model = "{KIND}"' in ODD_PATH.read_text(encoding="utf-8")
    for path in DOCS[KIND]:
        assert current_block(path.read_text(encoding="utf-8")) == parameter_table(SPEC), (
            f"{path.name}'s parameter table differs from the code; run: python -m cop_sim.odd_table "
            f"--model {KIND}"
        )
    assert main(["--check", "--model", KIND]) == 0


def test_check_mode_flags_a_stale_table(tmp_path, capsys):
    doc = tmp_path / "ODD.md"
    doc.write_text(f"# ODD\n\n{BEGIN}\n| stale |\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["--check", "--model", KIND, "--path", str(doc)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["--model", KIND, "--path", str(doc)]) == 0
    assert main(["--check", "--model", KIND, "--path", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# ODD\n\n") and text.endswith(f"{END}\n\nafter\n")
    assert current_block(text) == parameter_table(SPEC)
    capsys.readouterr()


def test_replace_block_needs_both_markers():
    with pytest.raises(ValueError):
        replace_block("no markers here", "| t |\n")
    with pytest.raises(ValueError):
        replace_block(f"{END}\n{BEGIN}\n", "| t |\n")


def test_table_has_one_row_per_parameter():
    rows = [r for r in parameter_table(SPEC).splitlines() if r.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == list(LEAVES)


def test_table_shows_both_ranges_and_the_source():
    header = parameter_table(SPEC).splitlines()[0]
    for column in ("allowed range", "prior (plausible range)", "source"):
        assert column in header
    rows = {r.split("`")[1]: r for r in parameter_table(SPEC).splitlines() if r.startswith("| `")}
    fam = rows["meeting.familiarity"]  # the trust-from-familiarity parameter the ODD's knock-out is about
    assert "a number in [0.0, 1.0]" in fam and "[0, 0.05] uniform" in fam


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


@pytest.mark.parametrize("key", [k for k, p in LEAVES.items() if p.prior is not None])
def test_every_prior_lies_within_the_allowed_range(key):
    p = LEAVES[key]
    if p.lo is not None:
        assert p.prior.lo >= p.lo, f"{key}: prior starts below the allowed range"
    if p.hi is not None:
        assert p.prior.hi <= p.hi, f"{key}: prior ends above the allowed range"


def test_prior_column_shows_a_declared_prior():
    from cop_sim.toy.params import SPEC as TOY

    rows = {r.split("`")[1]: r for r in parameter_table(TOY).splitlines() if r.startswith("| `")}
    assert "[0.001, 0.1] loguniform: irrelevant by construction" in rows["rate"]
    assert "| – |" in rows["weeks"]  # no prior: a dash, not a blank


def test_odd_defines_every_outcome_a_run_returns():
    text = ODD_PATH.read_text(encoding="utf-8")
    named = set(re.findall(r"`([a-z_]+)`", text))
    # an outcome may be defined with its suffix: `care_quality` ... `_last_quarter`
    missing = [k for k in models.get(KIND).outcomes
               if k not in named and k.removesuffix("_last_quarter") not in named]
    assert not missing, f"docs/ODD.md does not define these outcomes: {missing}"
