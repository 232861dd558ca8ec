"""Time one simulated study of the size issue "Virtual evaluations" sets: 200 sites per arm, 4 years.

Usage: python benchmarks/evaluation_speed.py [--sites 200] [--months 48] [--repeats 3]
Prints the median wall time of one replicate study (simulation, measurement and analysis) and of
its analysis alone. The floor: under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from cop_sim.evaluation import analysis, design, library, simulate

DESIGN = """id = "bench"
title = "benchmark design"
use = "calibration"
[source]
citation = "benchmark"
doi = "none"
checked = "synthetic"
[design]
kind = "difference_in_differences"
arms = ["intervention", "comparison"]
sites_intervention = {sites}
sites_comparison = {sites}
months = {months}
measure = "target_adherence"
[change_package]
expressible = true
rule = "benchmark"
unit_mapping = "pp"
[result]
statistic = "did_change"
value = 0.0
unit = "pp"
[verdict]
rule = "common"
predictive_level = 0.9
max_width = 10.0
"""


def main() -> None:
    """Time replicate studies and print medians."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--months", type=int, default=48)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.toml"
        path.write_text(DESIGN.format(sites=args.sites, months=args.months))
        plan = design.plan(library.read(path))
        simulate.study(plan, 0)  # compile and warm
        whole, part = [], []
        for r in range(args.repeats):
            t0 = time.perf_counter()
            frame = simulate.study(plan, r + 1)
            t1 = time.perf_counter()
            analysis.analyse(frame, plan.charts)
            t2 = time.perf_counter()
            whole.append(t2 - t0)
            part.append(t2 - t1)
    print(f"{args.sites} sites per arm, {plan.weeks} weeks: one study {statistics.median(whole):.2f} s "
          f"(median of {args.repeats}); its analysis {statistics.median(part) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
