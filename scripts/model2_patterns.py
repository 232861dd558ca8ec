"""Interim probe: V1-V8 re-run on Model 2 at its defaults, paired by replication (issue 10's note).

Each pattern's experiment lives in ``experiments/model2/``; this runs them with ``cop-sim sweep``
and prints each contrast's paired effect with its 95 % interval. It judges against zero only, as
the old suite did: the pre-stated thresholds and the robustness across priors are issue 12's.

    .venv/bin/python scripts/model2_patterns.py [--out results/model2_patterns] [--workers 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim.report.stats import mean_ci

ROOT = Path(__file__).resolve().parents[1]
EXP = ROOT / "experiments" / "model2"
EVERY, HOURS = "cop.calendar.every_weeks", "cop.meeting_hours"
# (pattern, label, outcome, treatment, baseline, expected sign)
CONTRASTS = [
    ("V1", "care quality (last quarter): CoP - none", "care_quality_last_quarter", {EVERY: 4}, {EVERY: 0}, 1),
    ("V1", "belief error (last quarter): CoP - none", "belief_error_last_quarter", {EVERY: 4}, {EVERY: 0}, -1),
    ("V2", "care quality: prepared - unprepared", "care_quality_last_quarter", {"cop.preparation": 1.0},
     {"cop.preparation": 0.0}, 1),
    ("V2", "care quality: mentored - not", "care_quality_last_quarter", {"cop.mentor": True},
     {"cop.mentor": False}, 1),
    ("V3", "shared vision: representative - none", "shared_vision", {"cop.representative": True},
     {"cop.representative": False}, 1),
    ("V3", "care quality: representative - none", "care_quality_last_quarter", {"cop.representative": True},
     {"cop.representative": False}, 1),
    ("V4", "care quality: 40 % - 5 % turnover (documented)", "care_quality_last_quarter",
     {"turnover.annual_rate": 0.4, "cop.documentation": 1.0},
     {"turnover.annual_rate": 0.05, "cop.documentation": 1.0}, -1),
    ("V4", "care quality at 40 % turnover: documented - not", "care_quality_last_quarter",
     {"turnover.annual_rate": 0.4, "cop.documentation": 1.0},
     {"turnover.annual_rate": 0.4, "cop.documentation": 0.0}, 1),
    ("V5", "wait: 4-weekly - none (1 h)", "waiting_weeks", {EVERY: 4, HOURS: 1.0}, {EVERY: 0, HOURS: 1.0}, 1),
    ("V5", "wait: weekly - 4-weekly (1 h)", "waiting_weeks", {EVERY: 1, HOURS: 1.0}, {EVERY: 4, HOURS: 1.0}, 1),
    ("V5", "wait: 3 h - 1 h (4-weekly)", "waiting_weeks", {EVERY: 4, HOURS: 3.0}, {EVERY: 4, HOURS: 1.0}, 1),
    ("V5", "quality: 4-weekly - none (1 h)", "care_quality_last_quarter", {EVERY: 4, HOURS: 1.0},
     {EVERY: 0, HOURS: 1.0}, 1),
    ("V5", "quality: 4-weekly - weekly (1 h)", "care_quality_last_quarter", {EVERY: 4, HOURS: 1.0},
     {EVERY: 1, HOURS: 1.0}, 1),
    ("V6", "low-status voice: steep - flat (skill 0.1)", "low_status_voice",
     {"hierarchy.steepness": 1.0, "cop.moderator_skill": 0.1},
     {"hierarchy.steepness": 0.0, "cop.moderator_skill": 0.1}, -1),
    ("V6", "shared vision: steep - flat (skill 0.1)", "shared_vision",
     {"hierarchy.steepness": 1.0, "cop.moderator_skill": 0.1},
     {"hierarchy.steepness": 0.0, "cop.moderator_skill": 0.1}, -1),
    ("V7", "no CoP: consultation - coordination share", "consultation_share", {EVERY: 0}, {EVERY: 0}, 1),
    ("V7", "consultation share: CoP - none", "consultation_share", {EVERY: 4}, {EVERY: 0}, -1),
    ("V7", "patient included share: CoP - none", "patient_included_share", {EVERY: 4}, {EVERY: 0}, 1),
    ("V8", "between-CoP quality sd: sessions - none", "between_cop_quality_sd",
     {"learning_community.enabled": True}, {"learning_community.enabled": False}, -1),
]


def _arm(summary: pd.DataFrame, where: dict, outcome: str) -> pd.Series:
    rows = summary
    for key, level in where.items():
        rows = rows[rows[key] == level]
    return rows.groupby("replication")[outcome].mean()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "results" / "model2_patterns"))
    ap.add_argument("--workers", default="2")
    args = ap.parse_args()
    out = Path(args.out)
    summaries = {}
    for f in sorted(EXP.glob("V*.toml")):
        pid = f.stem.split("_")[0]
        folder = out / f.stem
        resume = ["--resume"] if folder.exists() else []
        subprocess.run([sys.executable, "-m", "cop_sim", "sweep", str(f), "--workers", args.workers, "--out",
                        str(folder), "--no-progress", *resume], check=True)
        summaries[pid] = pd.read_parquet(folder / "summary.parquet")
    lines = ["| pattern | contrast | expected | effect [95 % CI] | reps | holds |", "|---|---|---|---|---|---|"]
    for pid, label, outcome, treat, base, sign in CONTRASTS:
        s = summaries[pid]
        if pid == "V7" and label.startswith("no CoP"):
            none = s[s[EVERY] == 0].groupby("replication")
            effect = none["consultation_share"].mean() - none["coordination_share"].mean()
        else:
            effect = _arm(s, treat, outcome) - _arm(s, base, outcome)
        ci = mean_ci(np.asarray(effect.dropna(), dtype=float))
        holds = ci["lo"] > 0 if sign > 0 else ci["hi"] < 0
        lines.append(f"| {pid} | {label} | {'> 0' if sign > 0 else '< 0'} | {ci['mean']:+.4f} "
                     f"[{ci['lo']:+.4f}, {ci['hi']:+.4f}] | {ci['n']} | {'yes' if holds else '**no**'} |")
    text = "\n".join(lines) + "\n"
    (out / "patterns.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
