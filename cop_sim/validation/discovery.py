"""Under which conditions a pattern holds: PRIM boxes, a CART tree, sensitivity indices.

Scenario discovery on the robustness run's draws: the draws' parameter values (by dotted
key) against whether the pattern held there. PRIM is EMA Workbench's
(:mod:`ema_workbench.analysis.prim`), the tree scikit-learn's, the indices SALib's RBD-FAST, computed
from the LHS sample itself, with bootstrap intervals.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from cop_sim.params import Param

PRIM_MASS_MIN = 0.05  # EMA Workbench's default smallest box, as a share of the draws
# Interpretability is PRIM's third measure beside coverage and density (Bryant & Lempert 2010,
# Technol Forecast Soc Change 77:34): a box is read only among those restricting at most this
# many parameters (the number is an assumption). The first full run (1000 draws, ~100
# parameters) peeled to boxes of 8 to 19 restrictions, most of them chance.
PRIM_MAX_DIMS = 3


def _prim_module():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional extras on import
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.ERROR)
    return prim


def prim_box(x: pd.DataFrame, y: np.ndarray, params: dict[str, Param]) -> dict | None:
    """The first box on PRIM's peeling trajectory that reaches the highest density among the
    boxes restricting at most :data:`PRIM_MAX_DIMS` parameters.

    Later boxes only trade coverage away for no density, and their extra restrictions are
    chance. Returns None when ``y`` is all one value (no condition to find).
    """
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any() or x.shape[1] == 0:
        return None
    prim = _prim_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x.reset_index(drop=True).astype(float), y, mass_min=PRIM_MASS_MIN)
        box = p.find_box()
    traj = box.peeling_trajectory
    readable = traj[traj["res_dim"] <= PRIM_MAX_DIMS]  # the first box (no restriction) always is
    best = int(readable.index[np.isclose(readable["density"], readable["density"].max())][0])
    lims = box.box_lims[best]
    init = p.box_init
    restricted = []
    for key in x.columns:
        lo, hi = float(lims.loc[0, key]), float(lims.loc[1, key])
        lo0, hi0 = float(init.loc[0, key]), float(init.loc[1, key])
        if lo > lo0 or hi < hi0:
            restricted.append({"key": key, "doc": params[key].doc if key in params else "",
                               "lo": None if lo <= lo0 else lo, "hi": None if hi >= hi0 else hi,
                               "prior": params[key].prior.describe() if key in params else ""})
    row = traj.loc[best]
    return {"coverage": float(row["coverage"]), "density": float(row["density"]),
            "mass": float(row["mass"]), "restricted": restricted,
            "max_density_any_box": float(traj["density"].max()), "max_dims": PRIM_MAX_DIMS}


def describe_box(box: dict | None) -> str:
    """A PRIM box in words: "split > 0.51 (decides ...)"."""
    if box is None:
        return "no box (the pattern holds everywhere or nowhere in the sample)"
    if not box["restricted"]:
        return "the whole prior"
    parts = []
    for r in box["restricted"]:
        lo = "" if r["lo"] is None else f"{r['lo']:.3g} <= "
        hi = "" if r["hi"] is None else f" <= {r['hi']:.3g}"
        parts.append(f"{lo}`{r['key']}`{hi} ({r['doc']})")
    more = box.get("max_density_any_box")
    note = (f" (boxes of more than {box['max_dims']} restrictions reach density {more:.2f})"
            if more is not None and more > box["density"] + 1e-9 else "")
    return " and ".join(parts) + (f"; density {box['density']:.2f}, coverage {box['coverage']:.2f}, "
                                  f"mass {box['mass']:.2f}{note}")


def cart_tree(x: pd.DataFrame, labels: np.ndarray, max_depth: int = 3, seed: int = 0) -> dict:
    """A shallow classification tree of the verdicts on the parameters, as text and its accuracy."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    labels = np.asarray(labels)
    if len(set(labels)) < 2 or x.shape[1] == 0:
        return {"text": f"every draw: {labels[0] if len(labels) else 'none'}", "accuracy": 1.0, "splits": []}
    leaf = max(2, len(labels) // 20)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=leaf, random_state=seed)
    tree.fit(x.to_numpy(dtype=float), labels)
    names = list(x.columns)
    used = sorted({names[i] for i in tree.tree_.feature if i >= 0})
    return {"text": export_text(tree, feature_names=names, decimals=3),
            "accuracy": float(tree.score(x.to_numpy(dtype=float), labels)), "splits": used}


def sensitivity(x: pd.DataFrame, y: np.ndarray, unit: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """RBD-FAST first-order indices of ``y`` on each parameter, with 95 % bootstrap intervals.

    ``unit`` is the LHS sample on the unit cube (the priors' quantiles), so log-uniform priors
    are analysed on their own scale. (SALib's delta takes about a minute for 32 draws here,
    RBD-FAST well under a second.)
    """
    from SALib.analyze import rbd_fast

    y = np.asarray(y, dtype=float)
    keys = list(x.columns)
    out = pd.DataFrame({"key": keys, "S1": np.nan, "S1_conf": np.nan})
    if len(y) < 8 or not keys or not np.isfinite(y).all() or np.ptp(y) == 0:
        return out
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = rbd_fast.analyze(problem, unit, y, M=min(10, max(1, len(y) // 8)), num_resamples=100, seed=seed)
    out["S1"] = np.asarray(r["S1"], dtype=float)
    out["S1_conf"] = np.asarray(r["S1_conf"], dtype=float)
    return out.sort_values("S1", ascending=False, kind="stable").reset_index(drop=True)
