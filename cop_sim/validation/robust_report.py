"""Writing ``results/validation/robustness.md`` (+ ``.json`` and one figure per pattern)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from cop_sim import provenance
from cop_sim.atomic import atomic_path, write_json
from cop_sim.validation.discovery import describe_box


def _row(r: dict) -> str:
    s = r["share"]
    target = "" if r["target_share"] is None else f" (source: {r['target_share']:.2f})"
    return (f"| {r['pattern']} | {r['source']} | {r['draws']} x {r['replications']} | "
            f"{s['holds']:.2f}{target} | {s['inconclusive']:.2f} | {s['contradicted']:.2f} | {r['label']} | "
            f"{r['commit']} |")


def _sens_lines(r: dict) -> list[str]:
    lines = []
    for check, rows in r["sensitivity"].items():
        lines += [f"Sensitivity of *{check}* (from the LHS sample; 95 % intervals):", "",
                  "| parameter | S1 (RBD-FAST) |", "|---|---|"]
        for s in rows[:10]:
            lines.append(f"| `{s['key']}` | {s['S1']:.3f} +- {s['S1_conf']:.3f} |")
        lines.append("")
    if r["sobol"]:
        lines += ["Sobol indices (top parameters, the others at their defaults):", "",
                  "| check | parameter | S1 | ST |", "|---|---|---|---|"]
        lines += [f"| {s['check']} | `{s['key']}` | {s['S1']:.3f} +- {s['S1_conf']:.3f} | "
                  f"{s['ST']:.3f} +- {s['ST_conf']:.3f} |" for s in r["sobol"]]
        lines.append("")
    return lines


def markdown(results: list[dict], quick: bool) -> str:
    """The robustness report: shares per pattern, then each pattern's conditions and sensitivity."""
    lines = [f"# Robustness across the priors ({'quick' if quick else 'full'} run)", "",
             "Each pattern judged at every draw of a Latin hypercube over the priors of the model's "
             "parameters (paired replications within a draw). *Holds*: the 95 % interval of every check's "
             "effect clears its smallest effect that matters; *contradicted*: some check's interval lies "
             "wholly short of it; otherwise *inconclusive*.", "",
             "| pattern | source | draws x reps | share of prior where it holds | inconclusive "
             "| contradicted | validation / verification / held out | commit |",
             "|---|---|---|---|---|---|---|---|"]
    order = sorted(results, key=lambda r: (r["use"] == "held_out", r["pattern"]))
    lines += [_row(r) for r in order]
    lines.append("")
    for r in order:
        lines += [f"## {r['pattern']}: {r['finding']}", "",
                  f"Source: {r['source']}. Use: {r['use']}. Label: **{r['label']}** ({r['label_why']}). "
                  f"Horizon {r['weeks']} weeks; {r['failed_runs']} failed runs. File last changed in "
                  f"commit {r['commit']}.", "",
                  f"Where it holds (PRIM): {describe_box(r['prim'])}.", "",
                  f"CART tree of the verdicts (training accuracy {r['cart']['accuracy']:.2f}):", "",
                  "```", r["cart"]["text"].rstrip(), "```", ""]
        if r["knockouts"]:
            gone = {True: "vanishes at every draw", False: "remains"}
            lines += ["Knock-outs: " + "; ".join(f"`{k['key']}` = {k['null']}: effect {gone[k['vanishes']]}"
                                                 for k in r["knockouts"]) + ".", ""]
        lines += _sens_lines(r)
        lines += [f"![{r['pattern']}](robustness_{r['pattern']}.png)", ""]
    return "\n".join(lines) + "\n"


def figure(r: dict, path: Path) -> None:
    """The first check's effect per draw against the pattern's two most influential parameters."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    draws = pd.DataFrame(r["per_draw"])
    sens = next(iter(r["sensitivity"].values()))
    keys = [s["key"] for s in sens][:2]
    colours = draws["verdict"].map({"holds": "tab:green", "inconclusive": "tab:grey",
                                    "contradicted": "tab:red"})
    fig, axes = plt.subplots(1, max(1, len(keys)), figsize=(4.2 * max(1, len(keys)), 3.6), squeeze=False)
    for ax, key in zip(axes[0], keys or [None], strict=False):
        if key is None:
            ax.text(0.5, 0.5, "no parameter with a prior", ha="center")
            continue
        ax.scatter(draws[key], draws["effect_0"], c=colours, s=14)
        ax.axhline(r["thresholds"][next(iter(r["thresholds"]))][0] if not
                   r["thresholds"][next(iter(r["thresholds"]))][1] else 0, color="black", lw=0.8, ls="--")
        ax.set_xlabel(key)
        ax.set_ylabel(next(iter(r["sensitivity"])))
    fig.suptitle(f"{r['pattern']}: effect per draw (green holds, grey inconclusive, red contradicted)",
                 fontsize=9)
    fig.tight_layout()
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, dpi=100, format="png")
    plt.close(fig)


def write(results: list[dict], out: Path, quick: bool, n: int) -> Path:
    """Write robustness(.md|.json) and the figures into ``out``; return the Markdown's path."""
    stem = "robustness_quick" if quick else "robustness"
    md = out / f"{stem}.md"
    with atomic_path(md, ".md") as tmp:
        tmp.write_text(markdown(results, quick).replace("](robustness_", f"]({stem}_"))
    public = [{k: v for k, v in r.items() if k != "per_draw"} for r in results]
    write_json(out / f"{stem}.json", {"quick": quick, "n": n, "provenance": provenance.stamp(),
                                     "patterns": json.loads(json.dumps(public, default=str))})
    for r in results:
        figure(r, out / f"{stem}_{r['pattern']}.png")
        with atomic_path(out / f"{stem}_{r['pattern']}_draws.csv", ".csv") as tmp:
            pd.DataFrame(r["per_draw"]).to_csv(tmp, index=False)
    return md
