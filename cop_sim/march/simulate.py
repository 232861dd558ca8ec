"""Run a resolved March (1991) scenario with one seed: time series and summary outcomes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim.march.model import MarchModel
from cop_sim.result import RunResult

PANELS = [
    ("Knowledge of the code and of individuals", "knowledge Σ(belief·reality)/m (-1 to 1)",
     ["code_knowledge", "individual_knowledge"]),
    ("Organisations at equilibrium", "share of organisations (0-1)", ["settled_share"]),
    ("Neutral dimensions of the code", "share of code dimensions (0-1)", ["code_neutral_share"]),
]


def socialisation_rates(resolved: dict) -> np.ndarray:
    """Each individual's p1: the first round(fast_share·n) learn at p1_fast, the rest at p1."""
    n = resolved["n"]
    fast = int(round(resolved["mix"]["fast_share"] * n))
    return np.where(np.arange(n) < fast, resolved["mix"]["p1_fast"], resolved["p1"])


def build(resolved: dict, seed: int) -> MarchModel:
    """The model of a resolved scenario, before its first period."""
    return MarchModel(resolved["m"], resolved["n"], socialisation_rates(resolved), resolved["p2"],
                      resolved["p3"], resolved["p4"], resolved["iterations"], seed,
                      resolved["until_equilibrium"])


SUMMARY_KEYS = ("code_knowledge", "code_knowledge_se", "individual_knowledge", "code_knowledge_peak",
                "periods", "mean_periods_to_equilibrium", "unsettled_share")
# The per-period series: knowledge is sum(code . reality) / m with entries in {-1, 0, 1}.
RANGES = {"period": (0.0, float("inf")), "code_knowledge": (-1.0, 1.0), "individual_knowledge": (-1.0, 1.0),
          "settled_share": (0.0, 1.0), "code_neutral_share": (0.0, 1.0)}


def simulate(resolved: dict, seed: int) -> RunResult:
    """Simulate ``iterations`` organisations to equilibrium (or the fixed horizon).

    Args:
        resolved: a scenario resolved against :data:`cop_sim.march.params.SPEC`.
        seed: seed of the run's named random streams.

    Returns:
        Per-period averages over organisations, and summary outcomes: ``code_knowledge``
        (mean equilibrium or final code knowledge), its standard error, individual
        knowledge, periods run and the share of organisations not at equilibrium at the end.
    """
    model = build(resolved, seed)
    horizon = resolved["max_periods"] if model.until_equilibrium else resolved["periods"]
    rows = [_row(model)]
    while model.steps < horizon and model.running_count:
        model.step()
        rows.append(_row(model))
    ts = pd.DataFrame(rows)
    code = model.code_knowledge()
    settled = model.settled_at >= 0
    iterations = resolved["iterations"]
    summary = {
        "code_knowledge": float(code.mean()),
        "code_knowledge_se": float(code.std(ddof=1) / np.sqrt(iterations)) if iterations > 1 else 0.0,
        "individual_knowledge": float(model.individual_knowledge().mean()),
        "code_knowledge_peak": float(ts["code_knowledge"].max()),
        "periods": float(model.steps),
        "mean_periods_to_equilibrium": float(model.settled_at[settled].mean()) if settled.any() else 0.0,
        "unsettled_share": float(1.0 - (settled.sum() + model.at_equilibrium().sum()) / iterations),
    }
    meta = {"panels": PANELS, "equilibrium_code_knowledge": code.tolist()}
    assert tuple(summary) == SUMMARY_KEYS
    return RunResult(ts, summary, meta)


def _row(model: MarchModel) -> dict[str, float]:
    return {
        "period": model.steps,
        "code_knowledge": float(model.code_knowledge().mean()),
        "individual_knowledge": float(model.individual_knowledge().mean()),
        "settled_share": float((model.settled_at >= 0).mean()),
        "code_neutral_share": model.code_neutral_share(),
    }
