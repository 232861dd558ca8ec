"""Measure the peak memory of runs of several sizes and fit cop_sim.memory.COEFFICIENTS.

Each size runs in a fresh process (so its peak RSS is its own: imports, compiled kernels, the
model and a few weeks of running). Prints the measurements, the least-squares coefficients
(non-negative) and each size's error against the fitted and the current estimate.

    .venv/bin/python benchmarks/memory_fit.py            # about a minute, one process at a time
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

# (n_cops, members per CoP (GPs), per_practitioner, weeks)
SIZES = [(1, 12, 20, 4), (100, 12, 20, 4), (1000, 12, 20, 4), (4000, 12, 20, 4), (400, 12, 100, 4),
         (200, 12, 200, 4), (4000, 12, 5, 4), (20000, 1, 20, 4), (40000, 1, 1, 4), (200, 60, 20, 4),
         (1000, 60, 1, 4), (1000, 12, 20, 520), (100, 12, 20, 520), (4000, 12, 5, 156)]
CHILD = """
import json, sys
from cop_sim import memory, models, scenario
raw = json.loads(sys.argv[1])
resolved = scenario.resolve(raw, "<memory_fit>")
models.simulate(resolved, 1)
peak = memory.peak_rss()
print(json.dumps({"peak": peak, "sizes": memory.sizes(resolved), "estimate": memory.estimate(resolved)}))
"""


def scenario_of(n_cops: int, members: int, ppp: int, weeks: int) -> dict:
    """A default scenario resized."""
    cop = {"moderators": 1, "members": {"gp": members}}
    return {"name": "memory-fit", "n_cops": n_cops, "weeks": weeks, "cop": cop,
            "patients": {"per_practitioner": ppp}}


def measure(raw: dict) -> dict:
    """Peak RSS and sizes of one run of ``raw`` in a fresh process."""
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(raw)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Measure every size, fit, and print the coefficients to paste into cop_sim/memory.py."""
    from scipy.optimize import nnls

    from cop_sim.memory import BELIEF_CELL_BYTES, COEFFICIENTS

    keys = [k for k in COEFFICIENTS if k != "base"]
    measure(scenario_of(*SIZES[0]))  # compiles the kernels into Numba's cache if need be
    rows = []
    for size in SIZES:
        rows.append(measure(scenario_of(*size)))
        r = rows[-1]
        print(f"{size}: peak {r['peak'] / 1e6:.0f} MB, current estimate {r['estimate'] / 1e6:.0f} MB",
              flush=True)
    a = np.array([[1.0] + [r["sizes"][k] for k in keys] for r in rows])
    # belief cells beyond two social contexts are counted, not fitted (memory.BELIEF_CELL_BYTES)
    y = np.array([r["peak"] - BELIEF_CELL_BYTES * r["sizes"]["belief_cells"] for r in rows])
    # relative least squares: every size counts alike, small ones as much as large
    coef, _ = nnls(a / y[:, None], np.ones(len(y)))
    fitted = a @ coef + BELIEF_CELL_BYTES * np.array([r["sizes"]["belief_cells"] for r in rows])
    print("COEFFICIENTS = {")
    for k, c in zip(["base", *keys], coef, strict=True):
        print(f'    "{k}": {c:.4g},')
    print("}")
    for size, f, r in zip(SIZES, fitted, rows, strict=True):
        print(f"{size}: fitted error {100 * (f / r['peak'] - 1):+.1f} %, "
              f"current {100 * (r['estimate'] / r['peak'] - 1):+.1f} %")


if __name__ == "__main__":
    main()
