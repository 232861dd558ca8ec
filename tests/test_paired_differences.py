"""scripts/paired_differences.py: the docking's paired differences, on a summary built by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "paired_differences.py"
spec = importlib.util.spec_from_file_location("paired_differences", SCRIPT)
pd_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pd_script)


def _summary(tmp_path: Path) -> Path:
    """Two arms x K in {0, 2} x 4 replications; treat - base = 0.01 + 0.02 * (K == 2) + noise by rep."""
    rows = []
    for K in (0, 2):
        for r in range(4):
            base = 0.8 - 0.05 * K + 0.01 * r
            rows.append({"meeting.transfer": "evidence", "world.K": K, "replication": r, "q": base})
            rows.append({"meeting.transfer": "configurations", "world.K": K, "replication": r,
                         "q": base + 0.01 + 0.02 * (K == 2) + 0.001 * (r % 2)})
    out = tmp_path / "sweep"
    out.mkdir()
    pd.DataFrame(rows).to_parquet(out / "summary.parquet")
    return out


def test_differences_by_stratum_overall_and_growth(tmp_path, capsys):
    res = _summary(tmp_path)
    code = pd_script.main([str(res), "--factor", "meeting.transfer", "--base", "evidence",
                           "--treat", "configurations", "--outcome", "q", "--by", "world.K"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("{'world.K': 0} q: configurations - evidence = +0.0105 [")
    assert out[1].startswith("{'world.K': 2} q: configurations - evidence = +0.0305 [")
    assert out[2].startswith("all: q: configurations - evidence = +0.0205 [")
    assert out[3].startswith("growth: the difference at world.K = 2 minus at world.K = 0: "
                             "+0.0200 [+0.0200, +0.0200]")


def test_the_interval_is_the_t_interval():
    m, lo, hi, n = pd_script.t_interval([1.0, 2.0, 3.0])
    assert (m, n) == (2.0, 3)
    assert np.isclose(hi - m, 4.302652729911275 / np.sqrt(3))  # t(0.975, 2) * sd 1 / sqrt(3)
    assert m - lo == hi - m


def test_a_level_or_column_that_is_not_there_is_one_line_and_exit_2(tmp_path, capsys):
    res = _summary(tmp_path)
    assert pd_script.main([str(res), "--factor", "meeting.transfer", "--base", "evidence",
                           "--treat", "stories", "--outcome", "q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "has no level 'stories'" in err
    assert pd_script.main([str(res), "--factor", "meeting.transfer", "--base", "evidence",
                           "--treat", "configurations", "--outcome", "nope"]) == 2
    assert "no column 'nope'" in capsys.readouterr().err
    assert pd_script.main([str(tmp_path / "missing"), "--factor", "f", "--base", "a", "--treat", "b",
                           "--outcome", "q"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_against_another_sweep_pairs_on_strata_and_replication(tmp_path, capsys):
    res = _summary(tmp_path)
    none = tmp_path / "none"
    none.mkdir()
    rows = [{"world.K": K, "replication": r, "q": 0.7 - 0.05 * K + 0.01 * r}
            for K in (0, 2) for r in range(4)]
    pd.DataFrame(rows).to_parquet(none / "summary.parquet")
    code = pd_script.main([str(res), "--factor", "meeting.transfer", "--treat", "evidence",
                           "--against", str(none), "--outcome", "q", "--by", "world.K"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("{'world.K': 0} q: evidence - none = +0.1000 [")
    assert out[2].startswith("all: q: evidence - none = +0.1000 [")
    assert pd_script.main([str(res), "--factor", "meeting.transfer", "--treat", "evidence",
                           "--outcome", "q"]) == 2
    assert "either --base LEVEL or --against FOLDER" in capsys.readouterr().err
