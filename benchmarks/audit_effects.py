"""Paired-seed effects of audit and feedback at the defaults, alone and beside monthly CoPs.

Run: ``PYTHONPATH=. python benchmarks/audit_effects.py [SEEDS]`` (default 20 seeds, ~10 s).

Prints, per comparison, the mean paired difference (arm minus comparator) of the last-quarter
care quality, optimal_practice_share, target_adherence and health, with a 95 % interval over
seeds. Target adherence is measured against EvidenceNOW's aspirin change package
(``experiments/evidence/evidencenow_aspirin.toml``'s ``[change_package]``, read as a scenario's by
``package.from_evidence``). Nothing here sets a default: it reports what the model does.
"""

from __future__ import annotations

import math
import sys
import tomllib
from pathlib import Path

import numpy as np

from cop_sim import models, scenario
from cop_sim.cop.package import from_evidence

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"
EVIDENCE = ROOT / "experiments" / "evidence" / "evidencenow_aspirin.toml"
NO_COP = ["cop.calendar.every_weeks=0", "cop.moderators=0"]  # usual care: no meetings
AUDIT = ["audit.enabled=true"]
KEYS = ("care_quality_last_quarter", "optimal_practice_share_last_quarter", "target_adherence_last_quarter",
        "health_last_quarter")
COMPARISONS = (
    ("audit alone vs usual care", NO_COP, NO_COP + AUDIT),
    ("CoP + audit vs CoP", [], AUDIT),
    ("CoP vs usual care", NO_COP, []),
    ("audit alone (measure target_adherence) vs usual care", NO_COP,
     NO_COP + AUDIT + ["audit.measure=target_adherence"]),
    ("audit alone (top_decile benchmark) vs usual care", NO_COP,
     NO_COP + AUDIT + ["audit.benchmark=top_decile"]),
)


def main(n_seeds: int = 20) -> None:
    package = {"change_package": from_evidence(tomllib.loads(EVIDENCE.read_text())["change_package"])}

    def run(pairs: list[str], seed: int) -> dict:
        return models.simulate(scenario.load(DEFAULT, pairs, extra=package), seed).summary

    for label, base, arm in COMPARISONS:
        diffs: dict[str, list[float]] = {k: [] for k in KEYS}
        flagged = []
        for seed in range(1, n_seeds + 1):
            a, b = run(base, seed), run(arm, seed)
            for k in KEYS:
                diffs[k].append(b[k] - a[k])
            flagged.append(b["flagged"])
        print(f"{label} (practitioners flagged per run: {np.mean(flagged):.0f})")
        for k in KEYS:
            x = np.array(diffs[k])
            se = x.std(ddof=1) / math.sqrt(len(x))
            print(f"  {k}: {x.mean():+.4f} [{x.mean() - 1.96 * se:+.4f}, {x.mean() + 1.96 * se:+.4f}]")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
