"""Paired-seed contrasts for issue 24's reviews, keep-or-revert and visit time (docs/ODD.md, 7.12).

Runs the default scenario on the seeds ``cop-sim compare --seeds N`` uses and prints, for
last-quarter care quality and optimal_practice_share, each arm's mean and each contrast's paired
difference with its 95 % t interval:

- 0.2's rules (best-seen keep rule, no reviews, no time limit) against 0.3's defaults;
- CoP (monthly meetings) against none, under both;
- caseload 1.0 -> 1.5, under both, and under 0.3 with the time limit off;
- the keep rule alone and the reviews alone (with 0.2's keep rule), against 0.2's rules.

Nothing here chooses a default: it reports what the defaults give.

    PYTHONPATH=. python benchmarks/review_effects.py --seeds 20
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy import stats

from cop_sim import models, scenario
from cop_sim.experiment.seeds import run_seed

ROOT = Path(__file__).resolve().parents[1]
OLD = ("review.interval=0", "review.triggers=false", "review.keep_rule=best_seen", "practice.time_limit=0")
NO_COP = ("cop.calendar.every_weeks=0",)
HEAVY = ("practice.caseload=1.5",)
ARMS = {
    "0.2 rules": OLD, "0.2 rules, no CoP": OLD + NO_COP, "0.2 rules, caseload 1.5": OLD + HEAVY,
    "0.3": (), "0.3, no CoP": NO_COP, "0.3, caseload 1.5": HEAVY,
    "0.3 keep rule only": ("review.interval=0", "review.triggers=false", "practice.time_limit=0"),
    "0.3 reviews only (0.2 keep rule)": ("review.keep_rule=best_seen", "practice.time_limit=0"),
    "0.3 no time limit": ("practice.time_limit=0",),
    "0.3 no time limit, caseload 1.5": ("practice.time_limit=0",) + HEAVY,
}
CONTRASTS = (
    ("0.3 - 0.2 rules", "0.2 rules", "0.3"),
    ("keep rule alone - 0.2 rules", "0.2 rules", "0.3 keep rule only"),
    ("reviews alone - 0.2 rules", "0.2 rules", "0.3 reviews only (0.2 keep rule)"),
    ("CoP - none (0.2 rules)", "0.2 rules, no CoP", "0.2 rules"),
    ("CoP - none (0.3)", "0.3, no CoP", "0.3"),
    ("caseload 1.5 - 1.0 (0.2 rules)", "0.2 rules", "0.2 rules, caseload 1.5"),
    ("caseload 1.5 - 1.0 (0.3)", "0.3", "0.3, caseload 1.5"),
    ("caseload 1.5 - 1.0 (0.3, no time limit)", "0.3 no time limit", "0.3 no time limit, caseload 1.5"),
)
OUTCOMES = ("care_quality_last_quarter", "optimal_practice_share_last_quarter")
EXTRA = ("coordination_share", "collaboration_share", "backlog")


def main() -> None:
    """Run every arm on the same seeds and print the arms and the paired contrasts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1, help="master seed (as cop-sim compare's --seed)")
    args = ap.parse_args()
    seeds = [run_seed(args.seed, 0, r) for r in range(args.seeds)]
    res: dict[str, dict[str, np.ndarray]] = {}
    for name, pairs in ARMS.items():
        r = scenario.load(ROOT / "scenarios" / "default.toml", list(pairs))
        rows = [models.simulate(r, s) for s in seeds]
        res[name] = {k: np.array([run.summary[k] for run in rows]) for k in OUTCOMES + EXTRA}
        cols = [run.series_columns() for run in rows]
        obs, rev, chg = ([float(np.nansum(c[k])) for c in cols] for k in ("observations", "reviews",
                                                                          "review_changes"))
        print(f"{name:34s} " + "  ".join(f"{k.split('_last')[0]} {res[name][k].mean():.4f}" for k in OUTCOMES)
              + "  " + "  ".join(f"{k} {res[name][k].mean():.3f}" for k in EXTRA)
              + f"  observations/run {np.mean(obs):.0f}  reviews/run {np.mean(rev):.0f}"
              f"  review changes/run {np.mean(chg):.0f}")
    print(f"\npaired differences, {len(seeds)} seeds (master {args.seed}), 95 % t intervals")
    for label, a, b in CONTRASTS:
        cells = []
        for k in OUTCOMES:
            d = res[b][k] - res[a][k]
            half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
            m = d.mean()
            cells.append(f"{k.split('_last')[0]} {m:+.4f} [{m - half:+.4f}, {m + half:+.4f}]")
        print(f"{label:42s} " + "  ".join(cells))


if __name__ == "__main__":
    main()
