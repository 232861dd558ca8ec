"""The CoP's effect at the defaults, and which 0.3 mechanism carries it.

For each variant (the default scenario, then with one 0.3 mechanism switched off, then with all
of them off: 0.2.0's core), the paired difference "CoP meets monthly" minus "no meetings"
(``cop.calendar.every_weeks`` 4 against 0) over the same seeds as ``cop-sim compare``, on
last-quarter care quality, ``optimal_practice_share`` and health, with a 95 % Student-t interval.
A mechanism carries the effect where switching it off shrinks the difference.

    python benchmarks/cop_effect.py --seeds 20
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import stats

from cop_sim import models, scenario
from cop_sim.experiment.seeds import run_seed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from conftest import V020  # noqa: E402 (every 0.3 mechanism's off switch, tested against 0.2.0)

OUTCOMES = ("care_quality", "optimal_practice_share", "health")
# medians of the seven parameters most correlated with the effect over the 37 of 256 prior draws
# where it exceeded 0.02 (robustness run on main, 2026-12-07; docs/validation/robustness-overview.md)
REGION = ["team.size=2", "world.ruggedness=0.40", "world.guideline_margin=0.126", "world.social_shift=0.37",
          "repository.use=0.061", "review.interval=39", "practice.observation_noise=0.217"]
VARIANTS = {
    "0.3 defaults": [],
    "no travelling plans or pathways": ["meeting.transfer=evidence", "repository.pathways=false"],
    "no reviews": ["review.interval=0", "review.triggers=false"],
    "0.2 keep rule": ["review.keep_rule=best_seen"],
    "single-handed (team.size=1)": ["team.size=1"],
    "social contexts only": ["practice.belief_context=social"],
    "every 0.3 mechanism off (0.2.0)": V020,
    "no repository-triggered reviews": ["review.repository_triggers=false"],
    # the prior's region where the effect exceeds 0.02 (docs/validation/robustness-overview.md),
    # with and without repository-triggered reviews: a knock-out of one mechanism there
    "the region's medians": REGION,
    "the region's medians, no repository-triggered reviews": [*REGION, "review.repository_triggers=false"],
}
# --region: the region's medians with each of its settings back at its default, one at a time
REGION_VARIANTS = {"the region's medians": REGION,
                   **{f"  {pair.split('=')[0]} at its default": [p for p in REGION if p != pair]
                      for pair in REGION}}


def last_quarter(sets: list[str], seed: int) -> dict[str, float]:
    """Each outcome's mean over the last 13 weeks of one run."""
    res = models.simulate(scenario.load(ROOT / "scenarios" / "default.toml", sets), seed)
    ts = res.timeseries
    tail = ts[ts["week"] >= ts["week"].max() - 12]
    return {o: float(tail[o].mean()) for o in OUTCOMES}


def effect(sets: list[str], seeds: list[int]) -> dict[str, tuple[float, float, float, float]]:
    """(mean with CoP, difference, lo, hi) per outcome, paired over ``seeds``."""
    on = [last_quarter(sets, s) for s in seeds]
    off = [last_quarter([*sets, "cop.calendar.every_weeks=0"], s) for s in seeds]
    out = {}
    for o in OUTCOMES:
        d = np.array([a[o] - b[o] for a, b in zip(on, off, strict=True)])
        half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
        out[o] = (float(np.mean([a[o] for a in on])), float(d.mean()), float(d.mean() - half),
                  float(d.mean() + half))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--region", action="store_true",
                    help="only the region's medians, each of its settings back at its default in turn")
    args = ap.parse_args()
    seeds = [run_seed(1, 0, r) for r in range(args.seeds)]  # compare's seeds at master seed 1
    print(f"CoP (monthly) minus no meetings, last quarter, {args.seeds} paired seeds")
    print(f"{'variant':34s} " + " ".join(f"{o:>40s}" for o in OUTCOMES))
    for name, sets in (REGION_VARIANTS if args.region else VARIANTS).items():
        e = effect(sets, seeds)
        cells = [f"{m:.3f}: {d:+.4f} [{lo:+.4f}, {hi:+.4f}]" for m, d, lo, hi in (e[o] for o in OUTCOMES)]
        print(f"{name:34s} " + " ".join(f"{c:>40s}" for c in cells), flush=True)


if __name__ == "__main__":
    main()
