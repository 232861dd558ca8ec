"""Robustness across the priors: every pattern judged at each of N Latin-hypercube draws.

For each pattern its experiment is crossed with the draws
(:mod:`cop_sim.experiment.crossed`; the pattern's own factors and [set] override a draw),
swept through the ordinary runner and backends, and judged per draw: holds, inconclusive or
contradicted. The shares, the conditions (PRIM, CART), the sensitivity of each effect to
each parameter and the knock-out runs give each pattern's label: validation, or
verification (built in) when the model cannot help producing it.

With a calibration's posterior the draws take the fitted keys from particles resampled by
weight (as ``cop-sim sweep --posterior``) and every other parameter from the priors (LHS):
that is how held-out patterns are judged after a calibration.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim.experiment import runner, store
from cop_sim.experiment.crossed import cross, leaves, lhs_draws, posterior_draws
from cop_sim.experiment.design import load_experiment
from cop_sim.experiment.spec import Experiment
from cop_sim.params import InputError, set_dotted
from cop_sim.validation import discovery
from cop_sim.validation.judge import judge_draws, pattern_verdict
from cop_sim.validation.patterns import Pattern

QUICK_REPLICATIONS = 4
QUICK_WEEKS = 26
SEED = 20260  # the LHS seed, shared by every pattern so their draws are the same parameter sets
BUILT_IN_SHARE = 0.95
BUILT_IN_S1 = 0.9
SOBOL_TOP = 10
SOBOL_N = 64
CHANCE_EXCLUDED = 0.10  # share of draws whose interval may exclude 0 by chance (assumption)


@dataclasses.dataclass
class RunOptions:
    """How the sweeps run (the same options as ``cop-sim sweep``)."""

    workers: int | None = None
    backend: str = "local"
    resume: bool = False
    shard: str | None = None
    collect: bool = False
    scheduler: str | None = None
    progress: bool = True
    replications: int | None = None  # per draw, overriding the pattern files' (None: theirs)
    posterior: Path | None = None  # a calibration's posterior.parquet for the fitted keys (None: priors)
    priors: dict | None = None  # a priors file's {key: Prior}: draw exactly these (None: the model's priors)
    priors_from: Path | None = None  # that file, named in the report


def pattern_spec(pattern: Pattern, quick: bool, replications: int | None = None) -> Experiment:
    """The pattern's experiment; quick: few replications and a short horizon (tests the machinery);
    replications: this many per draw instead of the file's (a cheaper full run, stated in the report)."""
    spec = load_experiment(pattern.path)
    if replications is not None:
        spec = dataclasses.replace(spec, replications=replications)
    if not quick:
        return spec
    fixed = dict(spec.fixed)
    fixed["weeks"] = min(spec.weeks or QUICK_WEEKS, QUICK_WEEKS)
    return dataclasses.replace(spec, replications=min(spec.replications, QUICK_REPLICATIONS), fixed=fixed,
                               weeks=fixed["weeks"])


def draws_for(spec: Experiment, n: int, posterior: Path | None,
              priors: dict | None = None) -> tuple[list[dict], np.ndarray, list[str], list[int]]:
    """``n`` parameter sets: the posterior's keys resampled by weight, the rest an LHS over the priors.

    Returns the draws, the LHS unit sample (one column per prior key, in the draws' order),
    the keys taken from the posterior and the particles picked. Both samplers are seeded
    from :data:`SEED`, not the pattern's master seed, so every pattern meets the same draws.
    """
    free = dataclasses.replace(spec, factors=[], fixed={})
    if posterior is None:
        draws, unit = lhs_draws(free, n, seed=SEED, priors=priors)
        return draws, unit, [], []
    fitted, picked = posterior_draws(posterior, dataclasses.replace(spec, master_seed=SEED), n)
    keys = list(fitted[0])
    fixed: dict = {}
    for k in keys:  # a key the experiment fixes is left out of the LHS (crossed.own_keys)
        set_dotted(fixed, k, fitted[0][k])
    draws, unit = lhs_draws(dataclasses.replace(free, fixed=fixed), n, seed=SEED, priors=priors)
    return [d | f for d, f in zip(draws, fitted, strict=True)], unit, keys, picked


def _sweep(spec: Experiment, folder: Path, opts: RunOptions, stage: str = "") -> pd.DataFrame | None:
    """Run (or only collect) one crossed sweep; None when this invocation ran a shard only and the
    sweep is not yet complete.

    The shard that completes a sweep returns its summary, so the next stage (a full run's
    Sobol sample, chosen from the LHS results) can start from it; the shards of that stage
    run on the next pass of the array job (with --resume).
    """
    why = ("; the Sobol sample is chosen from the LHS results, so the shards that finished before the LHS "
           "sweep was complete run again (a second pass, with --resume)" if stage == "sobol" else "")
    if not opts.collect:
        runner.sweep(spec, folder, opts.workers, opts.backend, opts.resume, opts.shard, opts.progress,
                     opts.scheduler)
        if opts.shard:
            done = json.loads((folder / "manifest.json").read_text())["counts"]["missing"] == 0
            return store.read_summary(folder) if done else None
    elif not (folder / "experiment.json").is_file():
        raise InputError(str(folder), "", f"nothing to collect: run the shards first{why}")
    else:
        made_by = store.read_experiment(folder)
        counts = runner.write_manifest(folder, made_by, {"collected": True})["counts"]
        if counts["missing"]:
            raise InputError(str(folder), "", f"{runner.describe_missing(folder, made_by)}{why}")
    return store.read_summary(folder)


def judge_pattern(summary: pd.DataFrame, pattern: Pattern) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Per draw: each check's verdict and the pattern's; and each check's per-draw table."""
    per_check = {c.label: judge_draws(summary, c) for c in pattern.checks}
    common = set.intersection(*(set(t["draw"]) for t in per_check.values()))  # draws every check has
    per_check = {k: t[t["draw"].isin(common)].reset_index(drop=True) for k, t in per_check.items()}
    frame = pd.DataFrame({"draw": next(iter(per_check.values()))["draw"]})
    for i, table in enumerate(per_check.values()):
        frame[f"verdict_{i}"] = table["verdict"].to_numpy()
        frame[f"effect_{i}"] = table["effect"].to_numpy()
    cols = [f"verdict_{i}" for i in range(len(per_check))]
    frame["verdict"] = [pattern_verdict(list(row)) for row in frame[cols].itertuples(index=False)]
    return frame, per_check


def _vanished(table: pd.DataFrame) -> bool:
    """The effect is gone: no more draws exclude 0 than chance would (CHANCE_EXCLUDED of them).

    A 95 % interval excludes a true 0 at about 5 % of draws, so "every interval contains 0" would
    fail by chance over many draws; twice that share is allowed (assumption). An effect below the
    threshold but clearly not 0 has not vanished: counting it would label every pattern whose
    effects are small "verification" whatever its mechanism.
    """
    contains = (table["lo"] <= 0) & (table["hi"] >= 0)
    exact = table["effect"] == 0  # identical arms: no spread, so no interval (NaN), and no effect
    return bool((~(contains | exact)).mean() <= CHANCE_EXCLUDED)


def knockouts(pattern: Pattern, spec: Experiment, draws: list[dict], folder: Path,
              opts: RunOptions) -> list[dict]:
    """For each parameter the mechanism names: rerun at its null value; did the effect vanish?"""
    out = []
    params = leaves(spec)
    for ko in pattern.mechanism:
        if ko.key not in params:
            raise InputError(str(pattern.path), "pattern.mechanism", f"{ko.key!r} is not a parameter")
        if ko.key in {f.key for f in spec.factors}:
            raise InputError(str(pattern.path), "pattern.mechanism", f"{ko.key!r} is one of the pattern's "
                             "factors; a knock-out fixes a parameter the arms share")
        null = params[ko.key].validate(ko.null, str(pattern.path), f"pattern.mechanism ({ko.key})")
        fixed = set_dotted(copy.deepcopy(spec.fixed), ko.key, null)
        ko_spec = cross(dataclasses.replace(spec, fixed=fixed, name=f"{spec.name}-ko-{ko.key}"), draws,
                        {"kind": "knock-out", "key": ko.key, "null": null})
        summary = _sweep(ko_spec, folder / f"knockout-{ko.key}", opts)
        if summary is None:
            continue
        _, per_check = judge_pattern(summary, pattern)
        out.append({"key": ko.key, "null": null, "vanishes": all(_vanished(t) for t in per_check.values())})
    return out


def _value(param, u: float, prior=None) -> int | float:
    x = float((prior or param.prior).ppf(u))
    return int(np.floor(x + 0.5)) if param.type is int else x


def sobol(pattern: Pattern, spec: Experiment, keys: list[str], folder: Path, opts: RunOptions) -> list[dict]:
    """Sobol indices of each check's effect over its most influential parameters (the others at
    their defaults): Saltelli's sample through the same crossed design."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    params = leaves(spec)
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}
    unit = sobol_sample.sample(problem, SOBOL_N, calc_second_order=False, seed=SEED)
    priors = opts.priors or {}
    draws = [{k: _value(params[k], u, priors.get(k)) for k, u in zip(keys, row, strict=True)} for row in unit]
    crossed = cross(spec, draws, {"kind": "sobol", "keys": keys, "n": SOBOL_N})
    summary = _sweep(crossed, folder / "sobol", opts, "sobol")
    if summary is None:
        return []
    _, per_check = judge_pattern(summary, pattern)
    out = []
    for label, table in per_check.items():
        si = sobol_analyze.analyze(problem, table["effect"].to_numpy(dtype=float), calc_second_order=False,
                                   seed=SEED)
        out += [{"check": label, "key": k, "S1": float(si["S1"][j]), "S1_conf": float(si["S1_conf"][j]),
                 "ST": float(si["ST"][j]), "ST_conf": float(si["ST_conf"][j])} for j, k in enumerate(keys)]
    return out


def most_influential(sens: dict[str, pd.DataFrame], top: int = SOBOL_TOP) -> list[str]:
    """The pattern's ``top`` parameters by their largest RBD-FAST S1 over its checks.

    Ranking by the largest index over the checks (not the first check's list, then the next
    check's) keeps a parameter that drives only a later check (V7's third check and
    ``meeting.trust_rate`` in the first full run).
    """
    best: dict[str, float] = {}
    for table in sens.values():
        for key, s1 in zip(table["key"], table["S1"], strict=True):
            value = float(s1) if np.isfinite(s1) else -np.inf
            best[key] = max(best.get(key, -np.inf), value)
    return sorted(best, key=lambda k: -best[k])[:top]  # sorted() is stable: ties keep the sample's order


def label_pattern(pattern: Pattern, share_holds: float, top_s1: list[float],
                  kos: list[dict]) -> tuple[str, str]:
    """The label and why: held out, verification (built in), or validation."""
    if pattern.use == "held_out":
        return "held out", "stated as held out"
    if share_holds >= BUILT_IN_SHARE and top_s1 and all(s > BUILT_IN_S1 for s in top_s1):
        return "verification (built in)", (f"holds in >= {BUILT_IN_SHARE:.0%} of the prior and one parameter "
                                           f"carries > {BUILT_IN_S1} of each effect's variance")
    gone = [k["key"] for k in kos if k["vanishes"]]
    if gone:
        return "verification (built in)", (f"the effect vanishes when {gone[0]} is knocked out "
                                           "(no more draws exclude 0 than chance)")
    return "validation", "not built in by one parameter"


def robust_pattern(pattern: Pattern, n: int, out: Path, quick: bool, opts: RunOptions) -> dict | None:
    """Run and analyse one pattern; None when this invocation ran a shard only."""
    spec = pattern_spec(pattern, quick, opts.replications)
    draws, unit_all, fitted, picked = draws_for(spec, n, opts.posterior, opts.priors)
    origin = {"kind": "prior-lhs", "n": n, "seed": SEED, "source": str(pattern.path)}
    if opts.priors is not None:
        origin["priors_from"] = str(opts.priors_from)
    if opts.posterior is not None:
        origin |= {"kind": "posterior+prior-lhs", "posterior": str(opts.posterior), "posterior_keys": fitted,
                   "particles": picked}
    crossed = cross(spec, draws, origin)
    kind = ("quick" if quick else "full") + ("-posterior" if fitted else "")
    folder = out / "robustness" / kind / pattern.id
    summary = _sweep(crossed, folder, opts)
    kos = knockouts(pattern, spec, draws, folder, opts)
    if summary is None:
        return None
    params = leaves(spec)
    keys = list(crossed.draws[0]) if crossed.draws and crossed.draws[0] else []
    lhs_keys = [k for k in draws[0] if k not in fitted]  # the unit sample's column order
    sens_keys = [k for k in keys if k in lhs_keys]  # posterior keys are not an LHS: no RBD-FAST on them
    unit = unit_all[:, [lhs_keys.index(k) for k in sens_keys]] if sens_keys else np.empty((n, 0))
    x = pd.DataFrame([{k: d[k] for k in keys} for d in crossed.draws])
    frame, per_check = judge_pattern(summary, pattern)
    x = x.iloc[frame["draw"].to_numpy()].reset_index(drop=True)
    unit = unit[frame["draw"].to_numpy()]
    shares = {v: float((frame["verdict"] == v).mean()) for v in ("holds", "inconclusive", "contradicted")}
    sens = {label: discovery.sensitivity(x[sens_keys], t["effect"].to_numpy(), unit)
            for label, t in per_check.items()}
    top_s1 = [float(s["S1"].max()) if s["S1"].notna().any() else np.nan for s in sens.values()]
    sob = []
    if not quick and sens_keys and not fitted:  # Sobol varies the priors' keys about the defaults
        sob = sobol(pattern, spec, most_influential(sens), folder, opts)
    lab, why = label_pattern(pattern, shares["holds"], [s for s in top_s1 if np.isfinite(s)], kos)
    failed = int(summary["error"].notna().sum()) if "error" in summary else 0
    return {"pattern": pattern.id, "finding": pattern.finding, "source": pattern.source, "use": pattern.use,
            "commit": pattern.commit(), "draws": int(len(frame)), "replications": crossed.replications,
            "weeks": crossed.fixed.get("weeks", crossed.weeks), "failed_runs": failed, "share": shares,
            "target_share": pattern.target_share, "label": lab, "label_why": why,
            "thresholds": {c.label: (c.expect * c.threshold, c.relative) for c in pattern.checks},
            "prim": discovery.prim_box(x, (frame["verdict"] == "holds").to_numpy(), params),
            "cart": discovery.cart_tree(x, frame["verdict"].to_numpy()),
            "sensitivity": {k: s.to_dict(orient="records") for k, s in sens.items()},
            "sobol": sob, "knockouts": kos, "keys": keys, "checks": list(per_check),
            "draws_from": {"posterior": None if opts.posterior is None else str(opts.posterior),
                           "priors_from": None if opts.priors_from is None else str(opts.priors_from),
                           "posterior_keys": [k for k in fitted if k in keys], "prior_keys": sens_keys},
            "per_draw": pd.concat([x, frame], axis=1).to_dict(orient="records")}
