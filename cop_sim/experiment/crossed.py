"""A sample of parameter sets x the design points x replications: one design for two uses.

* Robustness across priors: a Latin hypercube of N draws over the priors of the model's
  parameters that declare one (SALib's sampler), each crossed with a pattern's arms.
* Predictions over a posterior: K particles resampled by weight from a calibration's
  ``posterior.parquet``, each crossed with an experiment's design points.

Either way the draws become part of the :class:`~cop_sim.experiment.spec.Experiment`
(``draws``), so :func:`~cop_sim.experiment.design.build_design` crosses them, run ids
carry the draw (``d00003-p000001-r002``) and the arms of one (draw, replication) share a
seed. A key the experiment itself varies or fixes overrides the draw for that key.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from cop_sim import models
from cop_sim.experiment.seeds import resample_seed, sampler_seed
from cop_sim.experiment.spec import Experiment
from cop_sim.params import InputError, Param, Prior, flatten

ID_COLUMNS = ("particle", "weight")


def _dotted(tree: dict, prefix: str = "") -> list[str]:
    out = []
    for k, v in tree.items():
        out += _dotted(v, f"{prefix}{k}.") if isinstance(v, dict) else [f"{prefix}{k}"]
    return out


def own_keys(spec: Experiment) -> set[str]:
    """The keys the experiment varies or fixes itself (they override a draw)."""
    return {f.key for f in spec.factors} | set(_dotted(spec.fixed))


def leaves(spec: Experiment) -> dict[str, Param]:
    """The experiment's model's parameters by dotted key."""
    return flatten(models.get(spec.model, spec.path).spec)


def prior_keys(spec: Experiment) -> list[str]:
    """Numeric parameters of the experiment's model with a prior, minus those it sets itself."""
    own = own_keys(spec)
    return [k for k, p in leaves(spec).items()
            if p.prior is not None and p.type in (int, float) and k not in own]


def _value(param: Param, x: float) -> int | float:
    # as design._value: integers round half up
    return int(np.floor(x + 0.5)) if param.type is int else float(x)


def lhs_draws(spec: Experiment, n: int, seed: int | None = None,
              priors: dict[str, Prior] | None = None) -> tuple[list[dict], np.ndarray]:
    """``n`` Latin-hypercube draws over the priors (SALib's sampler on the unit cube, mapped
    through each prior's quantile function). Returns the draws and the unit sample.

    ``priors`` (a priors file's, :mod:`cop_sim.validation.priors_file`) replaces the model's:
    exactly its keys are drawn, over its ranges; every other parameter keeps its value.
    """
    from SALib.sample import latin

    own = own_keys(spec)
    keys = prior_keys(spec) if priors is None else [k for k in priors if k not in own]
    if not keys:
        raise InputError(spec.path, "", f"model {spec.model!r} declares no priors for the parameters "
                         "this experiment leaves free; a robustness run needs Param.prior on some")
    if n < 2:
        raise InputError("--robustness", "", f"got {n}; allowed: an integer >= 2 (LHS draws)")
    unit = latin.sample({"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}, n,
                        seed=sampler_seed(spec.master_seed) if seed is None else seed)
    params = leaves(spec)
    prior = {k: params[k].prior if priors is None else priors[k] for k in keys}
    draws = [{k: _value(params[k], float(prior[k].ppf(u))) for k, u in zip(keys, row, strict=True)}
             for row in unit]
    return draws, unit


def read_posterior(path: str | Path, spec: Experiment) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A posterior file's weights and parameter columns, validated against the model.

    One row per particle: ``particle`` (int), ``weight`` (float >= 0), one column per
    parameter named by its dotted key.
    """
    import pandas as pd

    source = str(path)
    if not Path(path).is_file():
        what = "a folder" if Path(path).is_dir() else "no such file"
        raise InputError(source, "", f"not a file ({what}); give a calibration's posterior.parquet")
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise InputError(source, "", f"cannot read a posterior Parquet file: {exc}") from None
    for col in ID_COLUMNS:
        if col not in frame:
            raise InputError(source, col, "missing column; a posterior has one row per particle with "
                             "'particle', 'weight' and one column per parameter (dotted key)")
    if not pd.api.types.is_integer_dtype(frame["particle"]):
        raise InputError(source, "particle", f"expected integers, got {frame['particle'].dtype}")
    params = leaves(spec)
    keys = [c for c in frame.columns if c not in ID_COLUMNS]
    if not keys or len(frame) == 0:
        raise InputError(source, "", "no parameter columns or no particles")
    for key in keys:
        if key not in params:
            raise InputError(source, key, f"not a parameter of model {spec.model!r}")
    kind = frame["weight"].dtype
    if not pd.api.types.is_numeric_dtype(kind) or pd.api.types.is_bool_dtype(kind):
        raise InputError(source, "weight", f"expected numbers, got {kind}")
    w = frame["weight"].to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise InputError(source, "weight", "weights must be finite, >= 0 and not all 0")
    cols = {}
    for key in keys:
        p = params[key]
        values = frame[key].to_list()
        if p.type is int and pd.api.types.is_float_dtype(frame[key]):
            # ABC proposes an integer parameter on a continuous scale and its simulator rounds it
            # half up (cop_sim.evaluation.calibrate._params): a prediction takes the same integer
            values = [int(np.floor(v + 0.5)) if np.isfinite(v) else v for v in values]
        for v in values:  # the same check a scenario file gets
            p.validate(v.item() if hasattr(v, "item") else v, source, key)
        cols[key] = np.asarray(values)
    return w / w.sum(), cols


def posterior_draws(path: str | Path, spec: Experiment, k: int) -> tuple[list[dict], list[int]]:
    """``k`` particles resampled by weight with a generator seeded from the master seed."""
    if k < 1:
        raise InputError("--draws", "", f"got {k}; allowed: an integer >= 1")
    weights, cols = read_posterior(path, spec)
    rng = np.random.default_rng(resample_seed(spec.master_seed))
    picked = rng.choice(len(weights), size=k, replace=True, p=weights)
    draws = [{key: _plain(col[i]) for key, col in cols.items()} for i in picked]
    return draws, [int(i) for i in picked]


def _plain(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


def cross(spec: Experiment, draws: list[dict], origin: dict) -> Experiment:
    """The experiment crossed with ``draws``; keys it varies or fixes itself are dropped from them.

    Every draw is resolved once with the experiment's [set], so a draw the model cannot run
    (a cross-key check) fails here, before any run.
    """
    own = own_keys(spec)
    kept = [{k: v for k, v in d.items() if k not in own} for d in draws]
    overridden = sorted({k for d in draws for k in d} & own)
    out = dataclasses.replace(spec, draws=kept,
                              draw_origin={**origin, "overridden_by_experiment": overridden})
    source = origin.get("source", "draws")
    for i, d in enumerate(kept):
        try:
            out.resolve(d)
        except InputError as exc:
            raise InputError(source, f"draw {i}", exc.message) from None
    return out
