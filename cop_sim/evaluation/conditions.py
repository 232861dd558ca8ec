"""Under which conditions sites improve: PRIM boxes and a CART tree over predictive sites.

The sites are every intervention site of every replicate study of a (posterior) predictive
evaluation (:func:`cop_sim.evaluation.run.evaluate`), each with its conditions (the ``cond_*``
columns :func:`cop_sim.evaluation.simulate.conditions` records) and its true change from the
baseline quarter to the last (percentage points; the true value, since chart-sampling noise is
not a condition). Two outcomes, so that headroom alone does not pass for a condition:

- the absolute change, and
- the change as a share of the site's baseline gap (1 - its baseline measure).

For each: a PRIM box (EMA Workbench, as the robustness run) for *large improvement* (the top
quarter of the predictive sites) and one for *no improvement* (change <= 0), and a CART tree
(scikit-learn) of none / some / large. A condition that does not vary across the sites cannot
be in a box: it is dropped and listed. Every box is reported with its coverage and density and
in a sentence: "sites with X and Y improved by Z pp; sites without, by W".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim.validation import discovery

LARGE_QUANTILE = 0.75  # "large improvement": the top quarter of the predictive sites (assumption)
NONE_AT = 0.0  # "no improvement": a change of at most this (pp)
LABELS = {
    "landscape_K": "landscape ruggedness K",
    "moderator_skill": "moderator skill",
    "turnover": "annual turnover",
    "time_pressure": "caseload (time pressure)",
    "condition_prevalence": "condition prevalence",
    "social_need_prevalence": "social-need prevalence",
    "site_spread": "spread of patient mix between sites",
    "baseline_gap": "baseline gap",
    "encounters": "encounters per week (patient mix)",
    "team_fragmentation": "team fragmentation",
    "fragmentation": "team fragmentation",
    "team_size": "care-team size",
    "continuity": "continuity",
}


def site_table(sites: pd.DataFrame) -> pd.DataFrame:
    """One row per intervention site: its conditions, change (pp) and change as a share of its gap."""
    keys = [c for c in ("file", "replicate", "study", "site") if c in sites]
    treated = sites[sites["arm"] == 1]
    before = treated[treated["period"] == 0].set_index(keys)
    after = treated[treated["period"] == 1].set_index(keys)
    conds = [c for c in sites.columns if c.startswith("cond_")]
    out = before[conds].rename(columns=lambda c: c[len("cond_") :]).copy()
    out["change"] = 100.0 * (after["true"] - before["true"])
    gap = 1.0 - before["true"]
    out["share_of_gap"] = np.where(
        gap > 0, (after["true"] - before["true"]) / gap.where(gap > 0, 1.0), np.nan
    )
    return out.reset_index(drop=True)


def varying(table: pd.DataFrame) -> tuple[list[str], dict[str, tuple[float, float]], list[str]]:
    """Conditions that vary (with their ranges) and those that do not (dropped)."""
    conds = [c for c in table.columns if c not in ("change", "share_of_gap")]
    keep, ranges, dropped = [], {}, []
    for c in conds:
        values = table[c].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if len(values) and np.ptp(values) > 0 and len(values) == len(table):
            keep.append(c)
            ranges[c] = (float(values.min()), float(values.max()))
        else:
            dropped.append(c)
    return keep, ranges, dropped


def _inside(x: pd.DataFrame, box: dict) -> np.ndarray:
    mask = np.ones(len(x), dtype=bool)
    for r in box["restricted"]:
        v = x[r["key"]].to_numpy(dtype=float)
        if r["lo"] is not None:
            mask &= v >= r["lo"]
        if r["hi"] is not None:
            mask &= v <= r["hi"]
    return mask


def _words(box: dict) -> str:
    parts = []
    for r in box["restricted"]:
        name = LABELS.get(r["key"], r["key"].replace("_", " "))
        if r["lo"] is not None and r["hi"] is not None:
            parts.append(f"{name} {r['lo']:.3g} to {r['hi']:.3g}")
        elif r["lo"] is not None:
            parts.append(f"{name} at least {r['lo']:.3g}")
        else:
            parts.append(f"{name} at most {r['hi']:.3g}")
    return " and ".join(parts)


def box(x: pd.DataFrame, flag: np.ndarray, change: np.ndarray, what: str, unit: str) -> dict:
    """A PRIM box for ``flag`` with its coverage, density and the sentence a reader can use."""
    found = discovery.prim_box(x, flag, {})
    if found is None or not found["restricted"]:
        why = ("every site or none is " + what) if found is None else "no condition narrows it"
        return {"what": what, "box": found, "sentence": f"No box for {what}: {why}."}
    inside = _inside(x, found)
    z, w = (
        float(np.nanmean(change[inside])),
        float(np.nanmean(change[~inside])) if (~inside).any() else np.nan,
    )
    fmt = (lambda v: f"{v:.3g} pp") if unit == "pp" else (lambda v: f"{100 * v:.3g} % of their gap")
    sentence = (
        f"Sites with {_words(found)} improved by {fmt(z)} on average; sites without, by {fmt(w)} "
        f"({what}: coverage {found['coverage']:.2f}, density {found['density']:.2f}, "
        f"{int(inside.sum())} of {len(inside)} sites)."
    )
    return {
        "what": what,
        "box": found,
        "inside_mean": z,
        "outside_mean": w,
        "sites_inside": int(inside.sum()),
        "sentence": sentence,
    }


def find(sites: pd.DataFrame, seed: int = 0) -> dict:
    """PRIM boxes and CART trees for large and no improvement, absolute and as a share of the gap."""
    table = site_table(sites)
    keep, ranges, dropped = varying(table)
    x = table[keep]
    out = {"sites": len(table), "conditions": ranges, "dropped": dropped, "outcomes": {}}
    for outcome, unit in (("change", "pp"), ("share_of_gap", "share")):
        y = table[outcome].to_numpy(dtype=float)
        ok = np.isfinite(y)
        xs, ys = x[ok].reset_index(drop=True), y[ok]
        if not len(ys):
            continue
        large = float(np.quantile(ys, LARGE_QUANTILE))
        labels = np.where(ys <= NONE_AT, "none", np.where(ys >= large, "large", "some"))
        out["outcomes"][outcome] = {
            "large_at": large,
            "boxes": [
                box(xs, ys >= large, ys, f"large improvement (top quarter, >= {large:.3g})", unit),
                box(xs, ys <= NONE_AT, ys, "no improvement (<= 0)", unit),
            ],
            "cart": discovery.cart_tree(xs, labels, seed=seed),
            "shares": {k: float(np.mean(labels == k)) for k in ("none", "some", "large")},
        }
    return out


def markdown(found: dict) -> list[str]:
    """The conditions section of a report."""
    lines = [
        "## Under which conditions",
        "",
        f"Over {found['sites']} posterior predictive intervention sites. Conditions that vary across them "
        "(their range):",
        "",
    ]
    lines += [f"- {LABELS.get(k, k)}: {lo:.3g} to {hi:.3g}" for k, (lo, hi) in found["conditions"].items()]
    if found["dropped"]:
        lines += [
            "",
            "Dropped (the same at every site, so no box can name them): "
            + ", ".join(LABELS.get(k, k) for k in found["dropped"])
            + ".",
        ]
    for outcome, res in found["outcomes"].items():
        title = (
            "Absolute change (pp)" if outcome == "change" else "Change as a share of the site's baseline gap"
        )
        shares = ", ".join(f"{k} {v:.0%}" for k, v in res["shares"].items())
        lines += ["", f"### {title}", "", f"Sites: {shares}.", ""]
        lines += [f"- {b['sentence']}" for b in res["boxes"]]
        cart = res["cart"]
        lines += [
            "",
            f"CART (none / some / large; accuracy {cart['accuracy']:.2f}; splits on "
            f"{', '.join(cart['splits']) or 'nothing'}):",
            "",
            "```",
            cart["text"].rstrip(),
            "```",
        ]
    return lines + [""]
