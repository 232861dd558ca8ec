"""A prediction judged by its evidence file's own rule, stated before any model result."""

from __future__ import annotations

import numpy as np

from cop_sim.evaluation.library import Evidence

REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE, NOT_EVALUABLE = (
    "reproduced", "not reproduced", "inconclusive", "not evaluable")


def predictive_interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the simulated statistic."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return float("nan"), float("nan")
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(finite, [tail, 100 - tail])
    return float(lo), float(hi)


def judge(evidence: Evidence, values: np.ndarray) -> dict:
    """The verdict on ``values``, the simulated statistic over replicate studies."""
    rule = evidence.data["verdict"]
    published = evidence.data["result"]["value"]
    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).any():
        return {"verdict": NOT_EVALUABLE, "published": published, "lo": np.nan, "hi": np.nan,
                "median": np.nan, "why": "the model version gives no value of this statistic"}
    if rule["rule"] == "probability":
        p = float(np.mean(values[np.isfinite(values)] > 0.5))
        if p <= rule["reproduced_if_p_at_most"]:
            verdict = REPRODUCED
        elif p >= rule["not_reproduced_if_p_at_least"]:
            verdict = NOT_REPRODUCED
        else:
            verdict = INCONCLUSIVE
        return {"verdict": verdict, "published": published, "p_significant": p, "lo": np.nan,
                "hi": np.nan, "median": float(np.nanmedian(values)),
                "why": f"P(significant) = {p:.2f} (reproduced if <= {rule['reproduced_if_p_at_most']}, "
                       f"not if >= {rule['not_reproduced_if_p_at_least']})"}
    lo, hi = predictive_interval(values, rule["predictive_level"])
    if hi - lo > rule["max_width"]:
        verdict, why = INCONCLUSIVE, f"interval width {hi - lo:.3g} > max_width {rule['max_width']}"
    elif lo <= published <= hi:
        verdict, why = REPRODUCED, "published value inside the predictive interval"
    else:
        verdict, why = NOT_REPRODUCED, "published value outside the predictive interval"
    return {"verdict": verdict, "published": published, "lo": lo, "hi": hi,
            "median": float(np.nanmedian(values)), "why": why}
