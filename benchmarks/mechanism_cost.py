"""What each 0.3 mechanism costs in speed: the floors' measures with one mechanism off at a time.

Issue 24 keeps every mechanism on when it conflicts with a speed floor, and asks the note to say
which floor failed, by how much, and why. This measures the why: the default scenario's runs per
CPU second and, at 48,000 practitioners, practitioner-weeks per CPU second and construction CPU
seconds (burn-in included), for the defaults (every mechanism on), for each 0.3 mechanism switched
off alone (the settings of ``docs/migration.md`` that give back 0.2.0's model, one at a time), and
for all of them off. CPU time, because the machine is shared; variants interleaved over rounds,
medians; each measurement a fresh subprocess (``floors.py``'s children).

Run (the checkout on PYTHONPATH):
    PYTHONPATH=$PWD .venv/bin/python benchmarks/mechanism_cost.py [--rounds 2] [--size 48000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import floors  # noqa: E402

# each 0.3 mechanism and the setting that switches it off (0.2.0's behaviour; tests/conftest.py V020)
MECHANISMS = {
    "care teams (team.size 3)": ["team.size=1"],
    "partner-context beliefs": ["practice.belief_context=social"],
    "repository-triggered reviews": ["review.repository_triggers=false"],
    "periodic reviews": ["review.interval=0"],
    "story/feedback-triggered reviews": ["review.triggers=false"],
    "keep or revert on a running mean": ["review.keep_rule=best_seen"],
    "time per visit": ["practice.time_limit=0"],
    "cases travel (configurations)": ["meeting.transfer=evidence"],
    "care pathways": ["repository.pathways=false"],
}
ALL_OFF = [p for pairs in MECHANISMS.values() for p in pairs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2, help="rounds over the variants (medians over them)")
    ap.add_argument("--runs", type=int, default=100, help="default runs a measurement (median)")
    ap.add_argument("--size", type=int, default=48000, help="practitioners of the large model")
    args = ap.parse_args()
    variants = {"defaults (every mechanism on)": [], **{f"off: {k}": v for k, v in MECHANISMS.items()},
                "all nine off (0.2.0's mechanisms)": ALL_OFF}
    raw: dict[str, list[tuple[float, float, float]]] = {v: [] for v in variants}
    for r in range(args.rounds):
        for name, pairs in variants.items():
            ns = argparse.Namespace(runs=args.runs, size=args.size, repeats=1, set=pairs)
            d, s = floors._measure("default", None, ns), floors._measure("size", None, ns)
            rate, pw, cons = d["runs_per_cpu_s"], s["practitioner_weeks_per_cpu_s"], s["construction_cpu_s"]
            raw[name].append((rate, pw, cons))
            print(f"round {r + 1}, {name}: {rate:.1f} runs/CPU s, {pw:,.0f} pw/CPU s, "
                  f"construction {cons:.2f} CPU s", flush=True)
    med = {v: [statistics.median(x[j] for x in raw[v]) for j in range(3)] for v in variants}
    base = med["defaults (every mechanism on)"]
    print(f"\nmedians of {args.rounds} rounds; ratio = variant / defaults (> 1: faster without the mechanism "
          f"for rates, slower for construction)")
    print(f"| variant | default runs per CPU s | ratio | {args.size:,}: pw per CPU s | ratio | "
          f"construction CPU s | ratio |")
    print("|---|---|---|---|---|---|---|")
    for v, (rate, pw, cons) in med.items():
        print(f"| {v} | {rate:.1f} | {rate / base[0]:.2f} | {pw:,.0f} | {pw / base[1]:.2f} | {cons:.2f} | "
              f"{cons / base[2]:.2f} |")


if __name__ == "__main__":
    main()
