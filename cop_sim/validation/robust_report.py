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


def _table(rows: list[dict], posterior: bool) -> list[str]:
    space = "draws (posterior x prior)" if posterior else "prior"
    return ([f"| pattern | source | draws x reps per draw | share of {space} where it holds | inconclusive "
             "| contradicted | validation / verification / held out | commit |",
             "|---|---|---|---|---|---|---|---|"] + [_row(r) for r in rows] + [""])


def _drawn_from(r: dict) -> str:
    src = r.get("draws_from") or {}
    if not src.get("posterior"):
        if src.get("priors_from"):
            return (f"Draws: the {len(r['keys'])} parameters of the priors file `{src['priors_from']}` from "
                    "a Latin hypercube over its ranges; every other parameter as the pattern's scenario "
                    "sets it.")
        return f"Draws: all {len(r['keys'])} parameters with a prior from a Latin hypercube over the priors."
    fitted = ", ".join(f"`{k}`" for k in src["posterior_keys"]) or "none"
    return (f"Draws: {fitted} from the posterior `{src['posterior']}` (particles resampled by weight); "
            f"the other {len(src['prior_keys'])} parameters from a Latin hypercube over the priors.")


def markdown(results: list[dict], quick: bool, posterior: bool = False) -> str:
    """The robustness report: shares per pattern (held-out ones in their own part), then each
    pattern's conditions and sensitivity."""
    where = "a calibration's posterior (fitted keys) and the priors (the rest)" if posterior else "the priors"
    lines = [f"# Robustness across {where} ({'quick' if quick else 'full'} run)", "",
             "Each pattern judged at every draw of the parameter sample named below, the same draws for "
             "every pattern (paired replications within a draw). *Holds*: the 95 % interval of every check's "
             "effect clears its smallest effect that matters; *contradicted*: some check's interval lies "
             "wholly short of it; otherwise *inconclusive*.", ""]
    if results:
        lines += [_drawn_from(results[0]), ""]
    used = sorted((r for r in results if r["use"] != "held_out"), key=lambda r: r["pattern"])
    held = sorted((r for r in results if r["use"] == "held_out"), key=lambda r: r["pattern"])
    if used:
        lines += ["## Patterns the model was built or calibrated on", ""] + _table(used, posterior)
    if held:
        on = ", on the posterior)" if posterior else ", on the priors)"
        lines += ["## Held-out patterns (judged only afterwards" + on, ""] + _table(held, posterior)
    for r in used + held:
        lines += [f"## {r['pattern']}: {r['finding']}", "",
                  f"Source: {r['source']}. Use: {r['use']}. Label: **{r['label']}** ({r['label_why']}). "
                  f"{r['draws']} draws x {r['replications']} replications per draw; horizon {r['weeks']} "
                  f"weeks; {r['failed_runs']} failed runs. File last changed in commit {r['commit']}.", "",
                  _drawn_from(r), "",
                  f"Where it holds (PRIM): {describe_box(r['prim'])}.", "",
                  f"CART tree of the verdicts (training accuracy {r['cart']['accuracy']:.2f}):", "",
                  "```", r["cart"]["text"].rstrip(), "```", ""]
        if r["knockouts"]:
            gone = {True: "vanishes (no more draws exclude 0 than chance)", False: "remains"}
            lines += ["Knock-outs: " + "; ".join(f"`{k['key']}` = {k['null']}: effect {gone[k['vanishes']]}"
                                                 for k in r["knockouts"]) + ".", ""]
        lines += _sens_lines(r)
        lines += [f"![{r['pattern']}](robustness_{r['pattern']}.png)", ""]
    return "\n".join(lines) + "\n"


def figure(r: dict, path: Path) -> None:
    """The binding check's effect per draw (the check that holds at the fewest draws) against its
    two most influential parameters (by RBD-FAST), coloured by the pattern's verdict there.

    The binding check, not the first: in the first full run V7's first check held almost
    everywhere, so its plot showed contradicted draws far above the threshold."""
    import textwrap

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    draws = pd.DataFrame(r["per_draw"])
    checks = r.get("checks") or list(r["sensitivity"])  # the checks' order is verdict_i's (JSON sorts keys)
    held = [float((draws[f"verdict_{i}"] == "holds").mean()) for i in range(len(checks))]
    i = held.index(min(held))
    check, sens = checks[i], r["sensitivity"][checks[i]]
    keys = [s["key"] for s in sens][:2]
    thr, relative = r["thresholds"][check]
    colours = {"holds": "tab:green", "inconclusive": "tab:grey", "contradicted": "tab:red"}
    fig, axes = plt.subplots(1, max(1, len(keys)), figsize=(4.2 * max(1, len(keys)), 3.4), squeeze=False)
    for ax, key in zip(axes[0], keys or [None], strict=False):
        if key is None:
            ax.text(0.5, 0.5, "no parameter with a prior", ha="center")
            continue
        for verdict, colour in colours.items():  # one series per verdict, for the legend's counts
            part = draws[draws["verdict"] == verdict]
            ax.scatter(part[key], part[f"effect_{i}"], color=colour, s=5, alpha=0.7, linewidths=0,
                       label=f"{verdict} ({len(part)})")
        x = draws[key].to_numpy(dtype=float)
        if (x > 0).all() and x.max() / x.min() > 50:  # a log-uniform prior spans decades
            ax.set_xscale("log")
        ax.axhline(0, color="black", lw=0.5)
        if not relative:  # a relative threshold differs per draw (scaled by its base arm)
            ax.axhline(thr, color="black", lw=0.8, ls="--", label="smallest effect that matters")
        s1 = next(s for s in sens if s["key"] == key)
        ax.set_xlabel(f"{key}\n(RBD-FAST S1 {s1['S1']:.2f} +- {s1['S1_conf']:.2f})", fontsize=8)
        ax.set_ylabel(textwrap.fill(check, 40), fontsize=8)
        ax.tick_params(labelsize=7)
    axes[0][0].legend(fontsize=6, loc="best", markerscale=2)
    which = (f"check {i + 1} of {len(checks)}, held at {held[i]:.0%} of draws" if len(checks) > 1
             else "its check")
    fig.suptitle(f"{r['pattern']}: effect per draw ({r['draws']} draws x {r['replications']} replications; "
                 f"{which}), by the pattern's verdict", fontsize=9)
    fig.tight_layout()
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, dpi=90, format="png")
    plt.close(fig)


def write(results: list[dict], out: Path, quick: bool, n: int, posterior: bool = False) -> Path:
    """Write robustness[_quick][_posterior](.md|.json) and the figures into ``out``; return the
    Markdown's path."""
    stem = "robustness" + ("_quick" if quick else "") + ("_posterior" if posterior else "")
    md = out / f"{stem}.md"
    with atomic_path(md, ".md") as tmp:
        tmp.write_text(markdown(results, quick, posterior).replace("](robustness_", f"]({stem}_"))
    public = [{k: v for k, v in r.items() if k != "per_draw"} for r in results]
    write_json(out / f"{stem}.json", {"quick": quick, "n": n, "posterior": posterior,
                                     "provenance": provenance.stamp(),
                                     "patterns": json.loads(json.dumps(public, default=str))})
    for r in results:
        figure(r, out / f"{stem}_{r['pattern']}.png")
        with atomic_path(out / f"{stem}_{r['pattern']}_draws.csv", ".csv") as tmp:
            pd.DataFrame(r["per_draw"]).to_csv(tmp, index=False)
    return md
