"""The speed floors of issue 24, measured for one or more checkouts alternately, with a table.

The floors (a 2-core machine of this kind, the default scenario's shape):
  * the default scenario: >= 100 whole runs per second on one core;
  * 48,000 practitioners: >= 500,000 practitioner-weeks per second;
  * 48,000 practitioners: construction (burn-in included) <= 3 s;
  * 48,000 practitioners: peak memory (the process's ru_maxrss) <= 1 GB.

Run (the checkout on PYTHONPATH; 0.2.0's package ``cop_sim.model2`` is recognised too):
    PYTHONPATH=$PWD .venv/bin/python benchmarks/floors.py [--rounds 3]
Two checkouts alternately in one session, with the ratio of their medians (second / first):
    .venv/bin/python benchmarks/floors.py --checkouts /work/wt/v020 $PWD [--rounds 3]
A mechanism switched on in both measurements: ``--set team.size=3`` (repeatable).

Every measurement runs in a fresh subprocess (its own peak memory, its own kernel cache load):
per round and checkout, one for the default scenario (the median of ``--runs`` whole runs, one
seed each) and one for 48,000 practitioners (medians of ``--repeats`` constructions and 52-week
runs; the peak is that process's). The machine is shared and noisy: the table gives each round's
raw figure and the median over rounds; compare ratios measured alternately, not single figures.
Each time is given by the wall clock (the floors' measure on an idle machine) and by the process's
CPU time, which is what a loaded machine (more runnable processes than cores) leaves comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name, unit, how to read it from the children's results, the floor, whether higher is better
FLOORS = (
    ("default scenario, runs/s (one core)", lambda d, s: d["runs_per_s"], 100.0, True),
    ("large model, practitioner-weeks/s", lambda d, s: s["practitioner_weeks_per_s"], 500e3, True),
    ("large model, construction s", lambda d, s: s["construction_s"], 3.0, False),
    ("large model, peak memory MB", lambda d, s: s["peak_memory_mb"], 1024.0, False),
    # the same by CPU time: on a loaded machine wall time counts the waits for a core as well
    ("default scenario, runs per CPU s", lambda d, s: d["runs_per_cpu_s"], 100.0, True),
    ("large model, practitioner-weeks per CPU s", lambda d, s: s["practitioner_weeks_per_cpu_s"], 5e5, True),
    ("large model, construction CPU s", lambda d, s: s["construction_cpu_s"], 3.0, False),
)


def _child(kind: str, args: argparse.Namespace) -> None:
    """In a subprocess: one measurement of the checkout on the path, printed as JSON."""
    sys.path.insert(0, str(HERE))
    import model_speed

    pairs = tuple(args.set)
    if kind == "default":
        out = model_speed.default_rate(args.runs, pairs=pairs)
    else:
        out = model_speed.one_size(args.size, args.repeats, pairs=pairs)
    import cop_sim

    out["checkout"] = str(Path(cop_sim.__file__).resolve().parents[1])
    out["package"] = model_speed.package().__name__
    print(json.dumps(out))


def _measure(kind: str, checkout: str | None, args: argparse.Namespace) -> dict:
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = checkout
    cmd = [sys.executable, __file__, "--child", kind, "--runs", str(args.runs), "--size", str(args.size),
           "--repeats", str(args.repeats), *(x for p in args.set for x in ("--set", p))]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=checkout or None)
    if out.returncode:
        raise SystemExit(f"measuring {kind} in {checkout or 'PYTHONPATH'} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkouts", nargs="*", default=[None],
                    help="checkout folders to measure alternately (default: the one on PYTHONPATH)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds over the checkouts (medians over them)")
    ap.add_argument("--runs", type=int, default=200, help="default-scenario runs a round (their median)")
    ap.add_argument("--repeats", type=int, default=3, help="48,000-practitioner models a round (medians)")
    ap.add_argument("--size", type=int, default=48000, help="practitioners of the large model")
    ap.add_argument("--set", action="append", default=[], help="a key=value override for both scenarios")
    ap.add_argument("--json", help="also write every raw measurement to this file")
    ap.add_argument("--child", choices=("default", "size"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args)
        return
    raw: dict[int, list[tuple[dict, dict]]] = {i: [] for i in range(len(args.checkouts))}
    for r in range(args.rounds):
        for i, checkout in enumerate(args.checkouts):
            d, s = _measure("default", checkout, args), _measure("size", checkout, args)
            raw[i].append((d, s))
            print(f"round {r + 1}, {d['checkout']} ({d['package']}): {d['runs_per_s']:.1f} runs/s; "
                  f"{s['practitioners']} practitioners: {s['practitioner_weeks_per_s']:,.0f} pw/s, "
                  f"construction {s['construction_s']:.2f} s (burn-in {s['burn_in_s']:.2f}), "
                  f"peak {s['peak_memory_mb']:.0f} MB", flush=True)
    print(f"\nfloors ({args.rounds} rounds; raw per round, median; large model: {args.size:,} practitioners; "
          f"overrides: {args.set or 'none'})")
    medians = {}
    for i in raw:
        print(f"\n{raw[i][0][0]['checkout']} ({raw[i][0][0]['package']})")
        print(f"| {'measure':<44} | {'per round':<34} | {'median':>10} | {'floor':>9} | met |")
        print(f"|{'-' * 46}|{'-' * 36}|{'-' * 12}|{'-' * 11}|-----|")
        for name, read, floor, higher in FLOORS:
            values = [read(d, s) for d, s in raw[i]]
            med = medians[i, name] = statistics.median(values)
            met = med >= floor if higher else med <= floor
            sign = ">=" if higher else "<="
            print(f"| {name:<44} | {', '.join(_fmt(v) for v in values):<34} | {_fmt(med):>10} | "
                  f"{sign} {_fmt(floor):>6} | {'yes' if met else 'NO':<3} |")
    if len(raw) > 1:
        print("\nratios of medians, each checkout / the first (per round in brackets)")
        for i in list(raw)[1:]:
            print(f"{raw[i][0][0]['checkout']} / {raw[0][0][0]['checkout']}")
            for name, read, _, _ in FLOORS:
                per = [read(*b) / read(*a) for a, b in zip(raw[0], raw[i], strict=True)]
                print(f"  {name:<44} {medians[i, name] / medians[0, name]:.3f} "
                      f"[{', '.join(f'{p:.3f}' for p in per)}]")
    if args.json:
        Path(args.json).write_text(json.dumps({str(k): v for k, v in raw.items()}, indent=1))


if __name__ == "__main__":
    main()
