"""The value of perfect knowledge: oracle beliefs against own beliefs, at the same seeds.

Any knowledge-sharing effect of a CoP is bounded by what perfect knowledge would give
(docs: learning-core references, "a ceiling nobody measured"). At week 0, after the burn-in, each
arm changes only what practitioners know or do, then runs the year at the same seed:

- ``own``: the model as it is;
- ``oracle beliefs``: every practitioner's belief in every practice is its true value at the finest
  belief context the model has (social needs or not): the practice's mean true contribution over
  the catalogue's contexts, with the rest of the plan at the context's optimum; precision 10^6;
- ``oracle beliefs and plans``: the same, and every patient's plan re-chosen from those beliefs;
- ``optimum plans``: every patient's plan set to the patient's exact optimum (own beliefs).

Usage: python benchmarks/perfect_knowledge.py [--seeds 10] [--set KEY=VALUE ...]
Prints, per arm, last-quarter care quality, optimal_practice_share and health (mean over seeds),
and each arm minus ``own`` with a paired 95 % t interval.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy import stats

from cop_sim import scenario
from cop_sim.cop.model import CopModel
from cop_sim.cop.outcomes import summarise
from cop_sim.cop.world.landscape import practice_values

ROOT = Path(__file__).resolve().parents[1]
ARMS = ("own", "oracle beliefs", "oracle beliefs and plans", "optimum plans")
OUTCOMES = ("care_quality_last_quarter", "optimal_practice_share_last_quarter", "health_last_quarter")


def arm(resolved, seed: int, name: str) -> dict:
    """One run with ``name``'s change at week 0."""
    m = CopModel(resolved, seed)
    w, pr, pa = m.world, m.pr, m.pa
    if name in ("oracle beliefs", "oracle beliefs and plans"):
        pr.mu[:] = practice_values(w)[None]
        pr.prec[:] = 1e6
    rows, slots = np.nonzero(pa.ctx >= 0)
    if name == "oracle beliefs and plans":
        for i, k in zip(rows, slots, strict=True):
            c = pa.ctx[i, k]
            s = w.ctx_social[c] if pa.known[i, k] else 0
            best = pr.mu[i, s].argmax(axis=1)
            pa.plan[i, k, :] = np.where(w.ctx_active[c], best, -1)
            pa.inc_plan[i, k, :] = pa.plan[i, k, :]
            pa.inc_mean[i, k] = -np.inf  # no estimate: the next follow-up or trial starts one
            pa.inc_n[i, k] = 0.0
            pa.tried[i, k] = -1
    if name == "optimum plans":
        for i, k in zip(rows, slots, strict=True):
            pa.plan[i, k, :] = w.best_combo[pa.ctx[i, k]]
            pa.inc_plan[i, k, :] = pa.plan[i, k, :]
            pa.inc_mean[i, k] = -np.inf  # no estimate: the next follow-up or trial starts one
            pa.inc_n[i, k] = 0.0
            pa.tried[i, k] = -1
    m.run_to_horizon()
    return summarise(m.recorder.columns(), m.recorder.cop_columns(), m.cop_names, len(pr.disc))


def main() -> None:
    """Run every arm on the same seeds and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--set", dest="pairs", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    resolved = scenario.load(ROOT / "scenarios" / "default.toml", args.pairs)
    res = {a: [arm(resolved, s, a) for s in range(1, args.seeds + 1)] for a in ARMS}
    print(f"default scenario{' with ' + ', '.join(args.pairs) if args.pairs else ''}; seeds 1-{args.seeds}")
    for out in OUTCOMES:
        base = np.array([r[out] for r in res["own"]])
        print(f"\n{out}: own {base.mean():.4f}")
        for a in ARMS[1:]:
            x = np.array([r[out] for r in res[a]])
            d = x - base
            spread = d.std() > 0
            lo, hi = stats.t.interval(0.95, len(d) - 1, d.mean(), stats.sem(d)) if spread else (d.mean(),) * 2
            print(f"  {a:<26} {x.mean():.4f}   minus own {d.mean():+.4f} [{lo:+.4f}, {hi:+.4f}]")


if __name__ == "__main__":
    main()
