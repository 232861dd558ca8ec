"""What a calibration says to do next: which parameters the data identify, which observed
statistics the fitted model does not reproduce, and the command that carries the posterior on.

The rules are stated in the report so a reader can judge them:

* a parameter is *identified* when its posterior 90 % interval is narrower than
  :data:`IDENTIFIED` of its prior's, *partly identified* below :data:`PARTLY`, and *not
  identified* otherwise (the data barely move it from its prior);
* a statistic is *outside* the posterior predictive band when the observed value lies outside
  the central 90 % of the predictive draws (the band the report draws), and *at the edge* when
  it lies inside that band but outside the central 80 %.
"""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim.calibration.spec import Calibration

IDENTIFIED = 0.5  # posterior 90 % width / prior 90 % width below this: identified
PARTLY = 0.8      # below this (and not identified): partly identified
BAND = (0.05, 0.95)  # the predictive band the report draws (90 %)
EDGE = (0.10, 0.90)  # inside the band but outside this (80 %): at the edge
DRAWS = 100  # posterior draws the suggested sweep runs
RULE = (f"identified if the posterior's 90 % interval is narrower than {IDENTIFIED} of the prior's, "
        f"partly identified if narrower than {PARTLY}, otherwise not identified")
BAND_RULE = ("outside: the observed value lies outside the model's 90 % posterior predictive band "
             "(5th-95th percentile of the predictive draws); at the edge: inside it but outside "
             "the central 80 % (10th-90th percentile)")


def verdict(width_ratio: float) -> str:
    """``identified``, ``partly identified`` or ``not identified`` for a 90 % width ratio."""
    if not np.isfinite(width_ratio):
        return "not identified"
    if width_ratio < IDENTIFIED:
        return "identified"
    return "partly identified" if width_ratio < PARTLY else "not identified"


def identification(rows: list[dict]) -> list[dict]:
    """Per parameter (rows of :func:`cop_sim.calibration.report.summary`): its width ratio and verdict."""
    return [{"parameter": r["parameter"], "width_ratio": float(r["width_ratio"]),
             "median": float(r["median"]), "lo": float(r["lo"]), "hi": float(r["hi"]),
             "verdict": verdict(r["width_ratio"])} for r in rows]


def band_check(observed: dict[str, float], pred: pd.DataFrame) -> list[dict]:
    """Per observed statistic: the predictive band, the value's percentile in it and where it lies."""
    out = []
    for key, value in observed.items():
        draws = pred[key].to_numpy(dtype=float)
        draws = draws[np.isfinite(draws)]
        lo, hi, elo, ehi = np.quantile(draws, [*BAND, *EDGE])
        if value < lo or value > hi:
            where = "outside"
        elif value < elo or value > ehi:
            where = "edge"
        else:
            where = "inside"
        out.append({"statistic": key, "observed": float(value), "lo": float(lo), "hi": float(hi),
                    "percentile": float(np.mean(draws < value) * 100), "where": where})
    return out


def experiments_on(cal: Calibration) -> list[Path]:
    """Experiment files beside the calibration file (or one folder up) that run its scenario."""
    here = Path(cal.path).resolve().parent
    target = Path(cal.scenario_path).resolve()
    found = []
    for folder in (here, here.parent):
        for path in sorted(folder.glob("*.toml")):
            try:
                table = tomllib.loads(path.read_text()).get("experiment", {})
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                continue
            scen = table.get("scenario") if isinstance(table, dict) else None
            if isinstance(scen, str) and (path.parent / scen).resolve() == target:
                found.append(path)
    return found


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (as a user would type it)."""
    path = path.resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def next_command(out: str | Path, experiment: str | Path | None = None) -> str:
    """``cop-sim sweep EXP --posterior OUT/posterior.parquet --draws N``, quoted for a shell."""
    exp = _shown(Path(experiment)) if experiment is not None else "EXPERIMENT.toml"
    post = _shown(Path(out) / "posterior.parquet")
    return f"cop-sim sweep {shlex.quote(exp)} --posterior {shlex.quote(post)} --draws {DRAWS}"


def next_steps(cal: Calibration, post: pd.DataFrame, pred: pd.DataFrame, out: str | Path) -> dict:
    """Identification, statistics outside or at the edge of the band, and the next command (JSON-able)."""
    from cop_sim.calibration.report import summary

    exps = experiments_on(cal)
    evidence = cal.extra.get("evidence")
    command = next_command(out, exps[0] if exps else None)
    if evidence:  # a calibration to published results: predict the held-out ones next
        folder = _shown(Path(evidence[0]["path"]).parent)
        where = _shown(Path(out) / "posterior.parquet")
        command = (f"cop-sim evaluate {shlex.quote(folder)} --draws posterior "
                   f"--posterior {shlex.quote(where)} "
                   "--report docs/validation/evidence.md")
    return {"rule": RULE, "band_rule": BAND_RULE,
            "parameters": identification(summary(cal, post)),
            "statistics": [s for s in band_check(cal.observed, pred) if s["where"] != "inside"],
            "checked": len(cal.observed),
            "scenario": _shown(Path(cal.scenario_path)),
            "experiment": _shown(exps[0]) if exps else None,
            "command": command, "evidence": bool(evidence)}


def _misfit(s: dict) -> str:
    where = "outside the band" if s["where"] == "outside" else "at the edge of the band"
    return (f"observed {s['observed']:.4g}, band [{s['lo']:.4g}, {s['hi']:.4g}], "
            f"at percentile {s['percentile']:.0f} of the draws: {where}")


def _experiment_note(steps: dict) -> str:
    if steps.get("evidence"):
        return "(every evidence file under its own design, the held-out ones judged by their rules)"
    if steps["experiment"]:
        return (f"({steps['experiment']} runs the calibrated scenario; any experiment on "
                f"{steps['scenario']} will do)")
    return f"(EXPERIMENT.toml: an experiment file on the calibrated scenario, {steps['scenario']})"


def markdown(steps: dict) -> list[str]:
    """The report's "Next steps" section."""
    lines = ["## Next steps", "", f"**Identification.** Rule: {steps['rule']} (the data barely move "
             "it from its prior).", "",
             "| parameter | posterior median [90 %] | width / prior | verdict |", "|---|---|---|---|"]
    for p in steps["parameters"]:
        lines.append(f"| `{p['parameter']}` | {p['median']:.3g} [{p['lo']:.3g}, {p['hi']:.3g}] | "
                     f"{p['width_ratio']:.2f} | {p['verdict']} |")
    lines += ["", f"**Predictive check.** Rule: {steps['band_rule']}."]
    if steps["statistics"]:
        lines += ["", *(f"- `{s['statistic']}`: {_misfit(s)}" for s in steps["statistics"])]
    else:
        lines += ["", f"All {steps['checked']} observed statistics lie well inside the band."]
    lines += ["", "**Predictions over this posterior** "
              f"{_experiment_note(steps)}:", "", "```bash", steps["command"], "```", ""]
    return lines


def text(steps: dict) -> str:
    """What the ``calibrate`` command prints after a calibration."""
    lines = [f"identification (rule: {steps['rule']}):"]
    width = max(len(p["parameter"]) for p in steps["parameters"])
    lines += [f"  {p['parameter']:<{width}}  width / prior {p['width_ratio']:.2f}  {p['verdict']}"
              for p in steps["parameters"]]
    if steps["statistics"]:
        lines.append(f"statistics outside or at the edge of the 90 % predictive band "
                     f"({len(steps['statistics'])} of {steps['checked']}):")
        lines += [f"  {s['statistic']}: {_misfit(s)}" for s in steps["statistics"]]
    else:
        lines.append(f"all {steps['checked']} observed statistics lie well inside the 90 % predictive band")
    lines += [f"next: predictions over this posterior {_experiment_note(steps)}:", f"  {steps['command']}"]
    return "\n".join(lines)
