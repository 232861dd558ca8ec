"""March (1991) Figure 1 through the CoP model's own mechanisms (``cop-sim dock --model cop``).

Each cell builds :class:`~cop_sim.cop.model.CopModel` from a scenario file (by default
``scenarios/march1991_cop.toml``) with ``repository.use`` = p1 and ``repository.learning_rate``
= p2, and runs it with the same kernels as ``cop-sim run`` until every CoP is at equilibrium
(or the horizon). Every CoP is one of March's organisations; its knowledge is March's
Σ(code·reality)/m, read off the repository's prescriptions against the world's best practices.
The cells are judged against the figure's published values (``cop_sim/march/docking.py``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim.march.docking import P1_LEVELS, P2_LEVELS, TOL_PUBLISHED, compare
from cop_sim.params import InputError

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "march1991_cop.toml"


def march_scenario(resolved: dict, source: str = "") -> None:
    """Raise InputError unless the scenario is a March reduction: 2 practices, 1 context, K = 0."""
    w = resolved["world"]
    for key, ok, allowed in (("n_practices", w["n_practices"] == 2, "2"), ("K", w["K"] == 0, "0"),
                             ("patient_context", not w["patient_context"], "false")):
        if not ok:
            raise InputError(source, f"world.{key}", f"got {w[key]!r}; allowed: {allowed} for the "
                             "March (1991) docking (two practices per dimension, one context)")


def run_cell(resolved: dict, seed: int) -> dict:
    """Run one resolved scenario to equilibrium; March's outcomes over its CoPs (organisations)."""
    from cop_sim.cop.codelearning import march_knowledge, preference, prescription
    from cop_sim.cop.model import CopModel

    model = CopModel(resolved, seed)
    while model.running:
        model.step()
    best = model.world.best_combo[0]  # reality: the right practice on each dimension
    code = march_knowledge(prescription(model.cp)[:, 0, :], best)
    members = march_knowledge(preference(model.pr.mu)[:, 0, :], best)
    n = len(code)
    return {"code_knowledge": float(code.mean()),
            "code_knowledge_se": float(code.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
            "individual_knowledge": float(members.mean()), "weeks": model.week,
            "unsettled_share": float(1.0 - model.equilibrium().mean())}


def reproduce(organisations: int = 200, seed: int = 1991, scenario: str | Path = SCENARIO,
              cells: list[tuple[float, float]] | None = None, pairs: list[str] | None = None) -> pd.DataFrame:
    """Simulate Figure 1's cells (p2, p1) through the CoP model, one CoP per organisation.

    Args:
        organisations: CoPs (March's organisations) per cell.
        seed: the seed of every cell (common random numbers across cells).
        scenario: the scenario file every cell starts from.
        cells: (p2, p1) pairs to run (default: the whole 3 x 9 grid).
        pairs: extra ``KEY=VALUE`` settings applied after the scenario (e.g. a perturbation).

    Returns:
        One row per cell: p2, p1, code_knowledge, code_knowledge_se, individual_knowledge, weeks,
        unsettled_share.
    """
    from cop_sim import scenario as scen

    grid = cells or [(p2, p1) for p2 in P2_LEVELS for p1 in P1_LEVELS]
    base = scen.load(scenario, list(pairs or []))
    march_scenario(base, str(scenario))
    rows = []
    for p2, p1 in grid:
        resolved = scen.load(scenario, [f"n_cops={organisations}", f"repository.use={p1}",
                                        f"repository.learning_rate={p2}", *(pairs or [])])
        rows.append({"p2": p2, "p1": p1, **run_cell(resolved, seed)})
    return pd.DataFrame(rows)


def judge(cells: pd.DataFrame) -> pd.DataFrame:
    """Join with the published table; every cell is judged within TOL_PUBLISHED of the figure."""
    out = compare(cells)
    out["reference"] = out["published"]
    out["tolerance"] = TOL_PUBLISHED
    out["diff_reference"] = out["diff_published"]
    out["within"] = out["diff_published"].abs() <= TOL_PUBLISHED
    return out


def verdict(table: pd.DataFrame) -> str:
    """One line: cells within tolerance and the largest differences."""
    return (f"{int(table['within'].sum())} of {len(table)} cells within ±{TOL_PUBLISHED} of the figure; "
            f"max |diff| {table['diff_published'].abs().max():.3f}, "
            f"mean |diff| {table['diff_published'].abs().mean():.3f}; "
            f"weeks to equilibrium up to {int(table['weeks'].max())}, "
            f"unsettled share {table['unsettled_share'].max():.3f}")
