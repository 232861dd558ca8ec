"""Calibration to published results: ABC-SMC whose simulator runs each calibration file's study.

A calibration file with ``[calibration] evidence = [...]`` lists evidence files (``use =
"calibration"`` only). Each candidate of the existing deterministic ABC-SMC
(:mod:`cop_sim.calibration.run`) simulates every listed study under its own design
(:mod:`cop_sim.evaluation.simulate`), takes the published statistic of each (arm pre-post change,
difference-in-differences, patient-outcome change), and adds the observation model's noise: normal,
sd = the published interval's width / 3.92 (:mod:`cop_sim.evaluation.observation`). Distances count
residuals in those sds. The candidate's seeds drive everything, so the same seeds give the same
posterior, bit for bit, locally or on Dask/SLURM; :mod:`cop_sim.calibration.recovery` runs unchanged.

The fitted parameters are chosen by rule, not by list: every parameter of the CoP model with a prior
(:func:`cop_sim.evaluation.simulate.prior_keys`) whose dotted key starts with an ``include`` prefix
(default: all) and with no ``exclude`` prefix; each excluded prefix states why. Parameters not
fitted are drawn from their priors for every simulated study, so predictions integrate over them.
"""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from cop_sim import models, scenario
from cop_sim.calibration.observe import Observation
from cop_sim.calibration.spec import ABC_SPEC, CAL_SPEC, Calibration, Fitted
from cop_sim.evaluation import design, library, observation, simulate
from cop_sim.experiment.seeds import run_seed
from cop_sim.experiment.spec import SLURM_SPEC
from cop_sim.names import plain_name
from cop_sim.params import InputError, defaults, merge, unknown_key

TOP_LEVEL = ("calibration", "parameters", "observation", "designs", "check", "abc", "slurm")
CAL_KEYS = ("name", "description", "evidence", "master_seed", "distance")
DESIGN_KEYS = ("sites_intervention", "sites_comparison", "months", "charts", "every_weeks", "scenario")
CHECK_DRAWS = 4  # prior draws the reduced-design check simulates per file (default)
SIMULATOR = "cop_sim.evaluation.calibrate:simulate_candidate"
# The proposal kernel's scale (pyabc's MultivariateNormalTransition ``scaling``; 1 = its default,
# as wide as the population). With tens of parameters in uniform boxes, pyabc's default kernel puts
# nearly every proposal outside the box (0.8 ** 33 inside), and the parent redraws it thousands of
# times per candidate; 0.2 keeps about one in two inside (measured: benchmarks/calibration_speed.py).
SCALING = 0.2
CHECK_KEY = 7  # spawn-key word of the check's seeds (apart from execute's 0-5)


def is_evidence(path: str | Path) -> bool:
    """Whether a calibration file is an evidence calibration (``[calibration] evidence = ...``)."""
    raw = scenario.read_toml(path)
    table = raw.get("calibration")
    return isinstance(table, dict) and "evidence" in table


def fitted_keys(include: list[str], exclude: dict[str, str], source: str) -> list[Fitted]:
    """The parameters to fit: prior keys under ``include`` (all if empty), none under ``exclude``."""
    keys = simulate.prior_keys()

    def under(key: str, prefix: str) -> bool:
        return key == prefix or key.startswith(prefix + ".")

    for where, prefixes in (("parameters.include", include), ("parameters.exclude", list(exclude))):
        for prefix in prefixes:
            if not any(under(k, prefix) for k in keys):
                raise unknown_key(source, f"{where}: {prefix}", sorted({k.split(".")[0] for k in keys}))
    for prefix, why in exclude.items():
        if not isinstance(why, str) or not why.strip():
            raise InputError(source, f"parameters.exclude.{prefix}", "say why it is excluded (a sentence)")
    chosen = [
        k
        for k in keys
        if (not include or any(under(k, p) for p in include)) and not any(under(k, p) for p in exclude)
    ]
    if not chosen:
        raise InputError(
            source,
            "parameters",
            "no parameter left to fit; allowed: include/exclude "
            "prefixes that leave at least one parameter with a prior",
        )
    return [Fitted(k, keys[k].prior, keys[k].type is int) for k in chosen]


def _published_sizes(ev: library.Evidence) -> tuple[int | None, int | None]:
    d = ev.data["design"]
    arms = d.get("arms", ["intervention"])

    def n(key: str):
        v = d.get(key)
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    return n("sites_intervention"), (n("sites_comparison") if "comparison" in arms else 0)


def _entry(i: int, rel, base: Path, raw: dict, source: str) -> tuple[library.Evidence, dict]:
    at = f"calibration.evidence[{i}]"
    if not isinstance(rel, str):
        raise InputError(source, at, f"got {rel!r}; allowed: an evidence file's path (relative to this file)")
    path = (base / rel) if not Path(rel).is_absolute() else Path(rel)
    if not path.is_file():
        raise InputError(
            source, at, f"{rel!r} is not a file; allowed: an evidence file's path, relative to this file"
        )
    ev = library.read(path)
    if ev.use != "calibration":
        raise InputError(
            source,
            at,
            f"{ev.id} is use = {ev.use!r}: a held-out result is predicted, never "
            'fitted; allowed: files with use = "calibration"',
        )
    stat = ev.data["result"]["statistic"]
    if stat not in observation.STATISTICS:
        raise InputError(
            source,
            at,
            f"{ev.id}'s statistic {stat!r} is not one this model version's "
            f"analysis gives; allowed: {', '.join(observation.STATISTICS)} (leave the file out "
            "and say why in the description)",
        )
    obs = raw.get("observation", {}).get(ev.id, {})
    if not isinstance(obs, dict) or set(obs) - {"sd", "why"}:
        raise InputError(source, f"observation.{ev.id}", "allowed: a table with sd and why")
    if "sd" in obs and not str(obs.get("why", "")).strip():
        raise InputError(source, f"observation.{ev.id}.why", "say how the sd was obtained (a sentence)")
    sd, how = observation.published_sd(ev.data["result"], obs.get("sd"), source, f"observation.{ev.id}.sd")
    if "why" in obs:
        how = f"{how}: {obs['why']}"
    over = raw.get("designs", {}).get(ev.id, {})
    if not isinstance(over, dict):
        raise InputError(source, f"designs.{ev.id}", "allowed: a table of design settings")
    for key in over:
        if key not in DESIGN_KEYS:
            raise unknown_key(source, f"designs.{ev.id}.{key}", list(DESIGN_KEYS))
    over = dict(over)
    if isinstance(over.get("scenario"), str):
        over["scenario"] = str((base / over["scenario"]).resolve())
    plan = design.plan(ev, {**over, "replicates": 1})
    published = _published_sizes(ev)
    simulated = (plan.sites_intervention, plan.sites_comparison)
    two_arms = "comparison" in ev.data["design"].get("arms", [])
    if simulated[0] < 2 or (two_arms and simulated[1] < 2):
        raise InputError(
            source,
            f"designs.{ev.id}.sites_intervention",
            f"got {simulated}; allowed: at least 2 sites in every arm (a cluster-robust analysis needs them)",
        )
    reduced = simulated != published
    if reduced and (None in published or stat not in observation.MEAN_STATISTICS):
        raise InputError(
            source,
            f"designs.{ev.id}",
            f"a reduced design needs a published design to check "
            f"it against (sizes {published}) and a mean statistic ({stat!r} is not one)",
        )
    if plan.measure != "health" and plan.measure not in ("target_adherence", "optimal_practice_share"):
        raise InputError(str(ev.path), "design.measure", f"{plan.measure!r} cannot be calibrated to")
    entry = {
        "id": ev.id,
        "path": str(ev.path.resolve()),
        "key": f"{ev.id}|mean",
        "statistic": stat,
        "value": float(ev.data["result"]["value"]),
        "sd": sd,
        "sd_how": how,
        "plan": {**dataclasses.asdict(plan), "scenario": str(Path(plan.scenario).resolve())},
        "published_sites": list(published),
        "simulated_sites": list(simulated),
        "reduced": reduced,
        "first_commit": library.first_commit(ev.path),
    }
    return ev, entry


def parse(raw: dict, source: str) -> Calibration:
    """Validate an evidence calibration file and return a :class:`Calibration` (no run yet)."""
    for k in raw:
        if k not in TOP_LEVEL:
            raise unknown_key(source, k, list(TOP_LEVEL))
    table = raw["calibration"]
    if not isinstance(table, dict):
        raise InputError(source, "calibration", "expected a table")
    for k in table:
        if k not in CAL_KEYS:
            raise unknown_key(source, f"calibration.{k}", list(CAL_KEYS))
    spec = {k: CAL_SPEC[k] for k in ("name", "description", "master_seed", "distance")}
    cal = merge(
        spec, defaults(spec), {k: v for k, v in table.items() if k != "evidence"}, source, "calibration."
    )
    if "master_seed" not in table:
        raise InputError(source, "calibration.master_seed", "missing; required")
    name = cal["name"] or Path(source).stem
    if not cal["name"] and (problem := plain_name(name)):
        raise InputError(source, "calibration.name", f"{problem}; give a name")
    files = table["evidence"]
    if not isinstance(files, list) or not files:
        raise InputError(source, "calibration.evidence", "allowed: a non-empty list of evidence files")
    for section in ("observation", "designs", "parameters", "check"):
        if not isinstance(raw.get(section, {}), dict):
            raise InputError(source, section, "expected a table")
    base = Path(source).parent
    entries, seen = [], set()
    for i, rel in enumerate(files):
        ev, entry = _entry(i, rel, base, raw, source)
        if ev.id in seen:
            raise InputError(source, f"calibration.evidence[{i}]", f"{ev.id} is listed twice")
        seen.add(ev.id)
        entries.append(entry)
    for section in ("observation", "designs"):
        for key in raw.get(section, {}):
            if key not in seen:
                raise unknown_key(source, f"{section}.{key}", sorted(seen))
    params = raw.get("parameters", {})
    for k in params:
        if k not in ("include", "exclude"):
            raise unknown_key(source, f"parameters.{k}", ["include", "exclude"])
    include, exclude = params.get("include", []), params.get("exclude", {})
    if not isinstance(include, list) or not all(isinstance(p, str) for p in include):
        raise InputError(source, "parameters.include", "allowed: a list of dotted-key prefixes")
    if not isinstance(exclude, dict):
        raise InputError(source, "parameters.exclude", 'allowed: a table prefix = "why"')
    fitted = fitted_keys(include, exclude, source)
    check = raw.get("check", {})
    for k in check:
        if k != "draws":
            raise unknown_key(source, f"check.{k}", ["draws"])
    draws = check.get("draws", CHECK_DRAWS)
    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= 1000:
        raise InputError(source, "check.draws", f"got {draws!r}; allowed: a whole number in [1, 1000]")
    abc_raw = raw.get("abc", {})
    if not isinstance(abc_raw, dict):
        raise InputError(source, "abc", "expected a table")
    abc_raw = dict(abc_raw)
    scaling = abc_raw.pop("scaling", SCALING)
    if isinstance(scaling, bool) or not isinstance(scaling, int | float) or not 0.001 <= scaling <= 10:
        raise InputError(source, "abc.scaling", f"got {scaling!r}; allowed: a number in [0.001, 10]")
    abc = merge(ABC_SPEC, defaults(ABC_SPEC), abc_raw, source, "abc.") | {"scaling": float(scaling)}
    slurm = merge(SLURM_SPEC, defaults(SLURM_SPEC), raw["slurm"], source, "slurm.") if "slurm" in raw else {}
    observations = [Observation(e["id"], e["statistic"], (), "mean", 0.5, False, e["sd"]) for e in entries]
    scen = design.DEFAULT_SCENARIO
    return Calibration(
        path=source,
        name=name,
        description=cal["description"],
        scenario_path=str(scen),
        scenario_raw=scenario.read_toml(scen) | {"name": scen.stem},
        model="cop",
        fixed={},
        data_path=source,
        fitted=fitted,
        observations=observations,
        observed={e["key"]: e["value"] for e in entries},
        distance=cal["distance"],
        master_seed=cal["master_seed"],
        abc=abc,
        horizon=0,
        slurm=slurm,
        extra={
            "simulator": SIMULATOR,
            "evidence": entries,
            "excluded": dict(exclude),
            "include": list(include),
            "check_draws": draws,
        },
    )


def _plan(entry: dict, seed: int) -> design.Plan:
    p = dict(entry["plan"])
    p["scenario"] = Path(p["scenario"])
    p["package"] = tuple((str(t), int(x)) for t, x in p.get("package", ()))
    return dataclasses.replace(design.Plan(**p), seed=seed)


def _params(cal: Calibration, values: dict | None, seed: int, j: int) -> dict:
    """Every prior parameter drawn for study ``j`` (integrating over them), the fitted ones set."""
    params = simulate.prior_draw(seed, j)
    for f in cal.fitted if values is not None else ():
        v = float(values[f.key])
        params[f.key] = int(np.floor(v + 0.5)) if f.integer else v
    return params


def design_key(entry: dict, package: bool = True) -> str:
    """What makes two files' studies the same run: the plan without its file, measure and charts
    (and, with ``package`` False, without its change package)."""
    drop = ("evidence_id", "measure", "charts", "kind") + (() if package else ("package",))
    plan = {k: v for k, v in entry["plan"].items() if k not in drop}
    plan["package"] = [list(x) for x in plan.get("package", ())] if package else None
    return json.dumps(plan, sort_keys=True)


def _run_key(entry: dict, runs: dict) -> str:
    """The run an entry is measured on: its own design, or, for a measure that needs no change
    package (a patient outcome), any run of the same design whatever its package."""
    key = design_key(entry)
    if entry["plan"].get("package") or key in runs:
        return key
    base = design_key(entry, package=False)
    return next((k for k in runs if design_key({"plan": json.loads(k)}, package=False) == base), key)


def _package_first(entries: list[dict]) -> list[dict]:
    """Entries with a change package first, so an outcome can share one of their runs."""
    return sorted(entries, key=lambda e: not e["plan"].get("package"))


def simulate_candidate(cal: Calibration, values: dict, seed: int, noise_seed: int | None) -> dict[str, float]:
    """One candidate's published statistics: each file's study simulated and estimated, plus noise.

    Files whose studies share a design (sites, months, meetings, scenario: EvidenceNOW's four
    measures and its patient outcome were measured in the same practices) share one run of the
    model, each measured as its file says; every distinct design is its own study, with its own
    draw of the parameters not fitted.
    """
    out, runs = {}, {}
    for e in _package_first(cal.extra["evidence"]):
        plan = _plan(e, seed)
        key = _run_key(e, runs)
        if key not in runs:
            g = len(runs)
            resolved = simulate.resolved_study(plan, _params(cal, values, seed, g))
            runs[key] = (g, models.simulate(resolved, run_seed(seed, 0, g)).meta["per_cop"])
        g, per_cop = runs[key]
        frame = simulate.measure_sites(plan, per_cop, run_seed(seed, 0, g))
        out[e["key"]] = observation.point(frame, e["statistic"], plan.charts)
    out = {e["key"]: out[e["key"]] for e in cal.extra["evidence"]}  # the file's order
    if noise_seed is None:
        return out
    gen = np.random.default_rng(noise_seed)
    sds = [e["sd"] for e in cal.extra["evidence"]]
    return {k: float(v + x) for (k, v), x in zip(out.items(), gen.normal(0.0, sds), strict=True)}


def check_designs(cal: Calibration, progress: bool = False) -> list[dict]:
    """The reduced-design check of every reduced file, on ``check_draws`` prior draws.

    Raises:
        InputError: a reduction changes the simulated statistic's SE by more than 20 %.
    """
    from cop_sim.calibration.execute import seed_int

    out, runs = [], {}  # files of one design share its runs, as in a candidate
    for e in _package_first(cal.extra["evidence"]):
        if not e["reduced"]:
            continue
        frames = []
        for d in range(cal.extra["check_draws"]):
            seed = seed_int(cal.master_seed, CHECK_KEY, d)
            plan = _plan(e, seed)
            key = (_run_key(e, {k[0]: None for k in runs if k[1] == d}), d)
            if key not in runs:
                resolved = simulate.resolved_study(plan, _params(cal, None, seed, 0))
                runs[key] = models.simulate(resolved, run_seed(seed, 0, 0)).meta["per_cop"]
            frames.append(simulate.measure_sites(plan, runs[key], run_seed(seed, 0, 0)))
        r = observation.reduction_check(
            frames, e["statistic"], e["sd"], tuple(e["simulated_sites"]), tuple(e["published_sites"])
        )
        row = {
            "id": e["id"],
            "simulated_sites": e["simulated_sites"],
            "published_sites": e["published_sites"],
            "worst_ratio": r["worst"],
            "ratios": r["ratios"],
            "ok": r["ok"],
        }
        out.append(row)
        if not r["ok"]:
            pct = "n/a" if not math.isfinite(r["worst"]) else f"{100 * (r['worst'] - 1):+.0f} %"
            raise InputError(
                cal.path,
                f"designs.{e['id']}",
                f"simulating {e['simulated_sites']} sites "
                f"instead of the published {e['published_sites']} changes the simulated "
                f"statistic's standard error by {pct} (allowed: within "
                f"{round(100 * observation.SE_TOLERANCE)} %); simulate more sites",
            )
    return out


def load(path: str | Path, check: bool = True) -> Calibration:
    """Read an evidence calibration file; with ``check``, run the reduced-design check too."""
    cal = parse(scenario.read_toml(path), str(path))
    if check:
        cal.extra["design_check"] = check_designs(cal)
    return cal
