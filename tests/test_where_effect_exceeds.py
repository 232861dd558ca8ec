"""scripts/where_effect_exceeds.py: scenario discovery of an effect above a value, on synthetic draws."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "where_effect_exceeds.py"
spec = importlib.util.spec_from_file_location("where_effect_exceeds", SCRIPT)
where = importlib.util.module_from_spec(spec)
spec.loader.exec_module(where)


def _draws(tmp_path: Path) -> Path:
    """200 draws; the effect exceeds 0.02 exactly where practice.forgetting > 0.01."""
    rng = np.random.default_rng(3)
    n = 200
    df = pd.DataFrame({"draw": np.arange(n),
                       "practice.forgetting": rng.uniform(0.001, 0.02, n),
                       "practice.exploration": rng.uniform(0.05, 0.5, n),
                       "meeting.story_weight": rng.uniform(0.1, 1.0, n),
                       "burn_in": 26})  # fixed: says nothing about where
    df["effect_0"] = -0.01
    df["effect_1"] = np.where(df["practice.forgetting"] > 0.01, 0.03, 0.005) + rng.normal(0, 0.001, n)
    df["verdict"] = "inconclusive"
    path = tmp_path / "robustness_V1_draws.csv"
    df.to_csv(path, index=False)
    return path


def test_the_box_restricts_the_parameter_the_effect_follows(tmp_path, capsys):
    assert where.main([str(_draws(tmp_path)), "--effect", "effect_1", "--above", "0.02"]) == 0
    out = capsys.readouterr().out
    first, prim = out.splitlines()[:2]
    n_above = int(first.split(" in ")[1].split(" of ")[0])
    assert 80 <= n_above <= 120  # about half the draws have forgetting above 0.01
    assert prim.startswith("PRIM: 0.01") and "`practice.forgetting`" in prim
    assert "exploration" not in prim and "story_weight" not in prim
    assert "density 1.00" in prim
    listed = [line.split() for line in out.splitlines() if line.startswith("  ")]
    assert listed[0][0] == "practice.forgetting" and float(listed[0][3]) > 0.8  # the most correlated
    assert "burn_in" not in out  # a fixed column is not a condition


def test_a_missing_file_or_effect_is_one_line_and_exit_2(tmp_path, capsys):
    assert where.main([str(tmp_path / "none.csv"), "--above", "0.02"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert where.main([str(_draws(tmp_path)), "--effect", "effect_9", "--above", "0.02"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no column 'effect_9'; effects: effect_0, effect_1" in err
