"""Simulating the toy model: weekly y, its mean as the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim.result import RunResult

SUMMARY_KEYS = ("y_mean", "y_last")
RANGES = {"week": (1.0, float("inf")), "y": (-float("inf"), float("inf"))}  # y: normal noise, unbounded


def simulate(resolved: dict, seed: int) -> RunResult:
    """Weekly ``y = noise_t`` untreated; treated adds ``+-effect_size`` and a response noise.

    The untreated noise comes first from the stream, so two arms with one seed share it
    (common random numbers) and their difference keeps only the response noise.
    """
    if resolved["split"] > resolved["crash_above"]:
        raise RuntimeError(f"split {resolved['split']} > crash_above {resolved['crash_above']} (by request)")
    rng = np.random.default_rng(seed)
    weeks, sd = resolved["weeks"], resolved["noise"]
    y = rng.normal(0.0, sd, weeks)
    if resolved["treated"]:
        sign = 1.0 if resolved["split"] > resolved["threshold"] else -1.0
        y = y + sign * resolved["effect_size"] + rng.normal(0.0, sd, weeks)
    ts = pd.DataFrame({"week": np.arange(weeks), "y": y})  # row w is simulated week w, as in the CoP model
    return RunResult(ts, {"y_mean": float(y.mean()), "y_last": float(y[-1])})
