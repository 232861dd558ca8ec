"""The validation suite: every pattern of the source studies must hold.

The quick run (ten paired replications) is part of the normal suite; the full run (thirty)
is marked ``full``: ``pytest -m full tests/test_validation.py`` or ``cop-sim validate``.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cop_sim.cli import main
from cop_sim.validation.judge import judge
from cop_sim.validation.patterns import PATTERNS, Check, Term
from cop_sim.validation.suite import validate


def _report(table: pd.DataFrame) -> str:
    return table.loc[~table["holds"], ["pattern", "check", "effect", "lo", "hi"]].to_string()


def test_quick_validation_every_pattern_holds(tmp_path):
    table = validate(quick=True, out=tmp_path, workers=2, progress=False)
    assert set(table["pattern"]) == {p.id for p in PATTERNS}
    assert table["holds"].all(), _report(table)
    md = (tmp_path / "validation_quick.md").read_text()
    assert "8 of 8 patterns hold" in md
    assert (tmp_path / "validation_quick.png").stat().st_size > 10_000


@pytest.mark.full
def test_full_validation_every_pattern_holds(tmp_path):
    table = validate(quick=False, out=tmp_path, progress=False)
    assert table["holds"].all(), _report(table)


def test_judge_reports_a_failing_direction():
    summary = pd.DataFrame({"replication": [0, 0, 1, 1, 2, 2], "f": [0, 1] * 3,
                            "y": [1.0, 0.5, 1.1, 0.7, 0.9, 0.4]})
    down = Check("y falls", (Term(1, "y", {"f": 1}), Term(-1, "y", {"f": 0})), -1)
    up = Check("y rises", down.terms, +1)
    assert judge(summary, down)["holds"] and not judge(summary, up)["holds"]
    assert judge(summary, down)["effect"] == pytest.approx(-0.4667, abs=1e-4)


def test_unknown_pattern_is_a_clear_error(capsys):
    assert main(["validate", "--only", "V9"]) == 2
    assert "V9" in capsys.readouterr().err
