"""Calibration files: read, validate against the scenario's model and the data, and hold the result.

A calibration file names a scenario, the parameters to fit with their priors, the observed
data and how each data column is produced from the model's outputs (the observation model),
the distance, the ABC settings and one master seed. Everything is checked before any ABC run,
including one probe run of the scenario that shows which outcomes, weeks and per-CoP series
the model really gives; every problem is one :class:`~cop_sim.params.InputError`.
"""

from __future__ import annotations

import math
import pickle
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cop_sim import models, scenario
from cop_sim.calibration.observe import (
    AGGREGATES,
    Observation,
    cell_number,
    check_cells,
    data_values,
    probe_check,
    shown,
)
from cop_sim.experiment.spec import SLURM_SPEC
from cop_sim.frozen import thaw
from cop_sim.names import optional_name, plain_name
from cop_sim.params import InputError, Param, Prior, defaults, flatten, merge, set_dotted, unknown_key

DISTANCES = {"euclidean": 2.0, "manhattan": 1.0, "chebyshev": math.inf}
TOP_LEVEL = ("calibration", "set", "parameters", "observe", "abc", "slurm")
CAL_SPEC: dict[str, Param] = {
    "name": Param("", "calibration name (default: the file's stem)", kind=str, check=optional_name),
    "description": Param("", "what is calibrated to what", kind=str),
    "scenario": Param("", "scenario TOML, relative to this file", kind=str),
    "data": Param("", "observed data, CSV or Parquet, relative to this file", kind=str),
    "master_seed": Param(0, "seed every candidate's seeds are derived from", "-", 0, 2**63 - 1),
    "distance": Param("euclidean", "p-norm of the noise-scaled residuals", choices=tuple(DISTANCES)),
    "ignore": Param([], "data columns that are not observations (e.g. notes)", kind=list),
}
ABC_SPEC: dict[str, Param] = {
    "population": Param(200, "accepted particles per generation", "particles", 2, 1_000_000),
    "generations": Param(5, "most generations (populations) to run", "-", 1, 1000),
    "min_epsilon": Param(0.0, "stop once a generation's tolerance is at or below this", "-", 0.0),
    "alpha": Param(0.5, "next tolerance = this weighted quantile of the distances", "-", 0.01, 1.0),
    "batch": Param(25, "candidates per backend task (results do not depend on it)", "runs", 1, 10000),
    "predictive_draws": Param(100, "posterior draws for the predictive check", "runs", 2, 100000),
}
OBS_SPEC: dict[str, Param] = {
    "outcome": Param("", "column of the model's weekly series (or per-CoP series)", kind=str),
    "weeks": Param([], "weeks observed (value) or averaged over (mean, share_above)", kind=list),
    "months": Param([], "as weeks, in months: month m ends with week round(52 m / 12) - 1", kind=list),
    "aggregate": Param("value", "value at each week | mean over the weeks | share above threshold",
                       choices=AGGREGATES),
    "threshold": Param(0.5, "share_above: values above this count as met", "-"),
    "per_cop": Param(False, "one statistic per CoP (needs the model's per-CoP series)"),
    "noise_sd": Param(0.05, "measurement noise sd, added to simulated values; also the distance scale",
                      "-", 1e-9),
}
FITTED_KEYS = ("lo", "hi", "family")
_BASE: dict[str, bytes] = {}  # per process: a calibration's resolved base scenario, pickled


@dataclass(frozen=True)
class Fitted:
    """One parameter to fit: its dotted key, prior and whether the model takes an integer."""

    key: str
    prior: Prior
    integer: bool = False


@dataclass
class Calibration:
    """A validated calibration: everything a run needs, nothing derived from execution."""

    path: str
    name: str
    description: str
    scenario_path: str
    scenario_raw: dict
    model: str
    fixed: dict  # nested scenario overrides from [set]
    data_path: str
    fitted: list[Fitted]
    observations: list[Observation]
    observed: dict[str, float]  # statistic key -> observed value, in order
    distance: str
    master_seed: int
    abc: dict
    horizon: int
    extra: dict = field(default_factory=dict)
    slurm: dict = field(default_factory=dict)  # SLURMCluster options, as an experiment's [slurm]

    def to_dict(self) -> dict:
        """A JSON-serialisable form (workers and the manifest read it)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Calibration:
        """Inverse of :meth:`to_dict`."""
        d = dict(d)
        d["fitted"] = [Fitted(f["key"], Prior(**f["prior"]), f["integer"]) for f in d["fitted"]]
        d["observations"] = [Observation.from_dict(o) for o in d["observations"]]
        return cls(**d)

    @property
    def keys(self) -> list[str]:
        """The fitted parameters' dotted keys, in file order."""
        return [f.key for f in self.fitted]

    def overrides(self, values: dict[str, float]) -> dict:
        """Nested scenario overrides: [set], then the candidate's parameter values."""
        import copy

        tree = copy.deepcopy(self.fixed)
        for f in self.fitted:
            v = float(values[f.key])
            set_dotted(tree, f.key, int(round(v)) if f.integer else v)
        return tree

    def resolve(self, values: dict[str, float]) -> dict:
        """The complete scenario of one candidate.

        Resolving costs about a third of a small run, so when :func:`parse` has shown that
        setting the values into one resolved scenario gives the same scenario as resolving
        again (``extra["fast_resolve"]``), a copy of that one is used.
        """
        if not self.extra.get("fast_resolve"):
            return self.full_resolve(values)
        key = scenario.content_hash([self.scenario_raw, self.fixed, self.extra["base_values"]])
        if key not in _BASE:
            if len(_BASE) > 8:
                _BASE.clear()
            _BASE[key] = pickle.dumps(self.full_resolve(self.extra["base_values"]))
        out = thaw(pickle.loads(_BASE[key]))  # a resolved scenario is read-only; this copy is not
        for f in self.fitted:
            v = float(values[f.key])
            set_dotted(out, f.key, int(round(v)) if f.integer else v)
        return models.get(self.model).check(out, self.scenario_path)

    def full_resolve(self, values: dict[str, float]) -> dict:
        """The complete scenario of one candidate, resolved from the scenario file."""
        return scenario.resolve(self.scenario_raw, self.scenario_path, self.overrides(values), self.path)


def _table(raw: Any, spec: dict[str, Param], source: str, prefix: str) -> dict:
    if not isinstance(raw, dict):
        raise InputError(source, prefix.rstrip("."), f"expected a table, got {raw!r}")
    return merge(spec, defaults(spec), raw, source, prefix)


def _fitted(key: str, raw: Any, leaves: dict[str, Param], source: str) -> Fitted:
    at = f"parameters.{key}"
    if key not in leaves:
        raise unknown_key(source, at, list(leaves), key)
    param = leaves[key]
    if param.type not in (int, float) or param.type is bool:
        raise InputError(source, at, f"'{key}' is {param.allowed()}; only numbers can be fitted")
    if not isinstance(raw, dict):
        raise InputError(source, at, f"expected a table (lo, hi, family) or {{}}, got {raw!r}")
    for k in raw:
        if k not in FITTED_KEYS:
            raise unknown_key(source, f"{at}.{k}", list(FITTED_KEYS))
    if not raw:
        if param.prior is None:
            raise InputError(source, at, f"'{key}' has no prior in the model's spec; give lo and hi "
                             f"(and family uniform|loguniform) within {param.allowed()}")
        return Fitted(key, param.prior, param.type is int)
    for end in ("lo", "hi"):
        if end not in raw:
            raise InputError(source, f"{at}.{end}", "missing; a prior in the file needs lo and hi")
        v = raw[end]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(source, f"{at}.{end}", f"got {v!r}; allowed: a finite number")
        if (param.lo is not None and v < param.lo) or (param.hi is not None and v > param.hi):
            raise InputError(source, f"{at}.{end}", f"{v!r} lies outside the validity range of '{key}': "
                             f"{param.allowed()}")
    family = raw.get("family", "uniform")
    if family not in ("uniform", "loguniform"):
        raise InputError(source, f"{at}.family", f"got {family!r}; allowed: 'uniform', 'loguniform'")
    try:
        prior = Prior(float(raw["lo"]), float(raw["hi"]), f"calibration file {Path(source).name}", family)
    except ValueError as exc:
        raise InputError(source, at, f"{exc}: need lo < hi (and lo > 0 for loguniform)") from None
    return Fitted(key, prior, param.type is int)


def read_data(path: Path, source: str) -> pd.DataFrame:
    """The observed data (CSV with '#' comment lines, or Parquet)."""
    if not path.is_file():
        raise InputError(source, "calibration.data", f"no such file {str(path)!r}")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        elif path.suffix.lower() == ".csv":
            frame = pd.read_csv(path, comment="#")
        else:
            raise InputError(source, "calibration.data", f"{path.name}: allowed: a .csv or .parquet file")
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputError(source, "calibration.data", f"cannot read {path.name}: {exc}") from None
    if "week" not in frame.columns and "month" not in frame.columns:
        raise InputError(str(path), "week", "the data need a 'week' (or 'month') column")
    if "week" in frame.columns and "month" in frame.columns:
        raise InputError(str(path), "month", "the data have both a 'week' and a 'month' column; keep one")
    unit = "week" if "week" in frame.columns else "month"
    times = []
    for row, value in enumerate(frame[unit].tolist(), start=1):
        t = cell_number(value)
        if t is None or not math.isfinite(t) or t < 0 or (unit == "week" and not t.is_integer()):
            kind = "a whole number of weeks >= 0" if unit == "week" else "a number of months >= 0"
            raise InputError(str(path), unit, f"row {row}: got {shown(value)}; allowed: {kind} "
                             "(every row needs its time)")
        times.append(t)
    frame[unit] = times  # the month column stays, for messages
    # a month past 10^12 is beyond any horizon; capped so that 52 m stays finite
    frame["week"] = [int(t) if unit == "week" else month_week(min(t, 1e12)) for t in times]
    return frame


def check_times(frame: pd.DataFrame, horizon: int, path: str) -> None:
    """Refuse a row whose week (or month) lies beyond the scenario's horizon."""
    months = "month" in frame.columns
    for row, week in enumerate(frame["week"].tolist(), start=1):
        if week > horizon:
            got = f"month {frame['month'].iloc[row - 1]:g} (week {week})" if months else f"week {week}"
            allowed = (f"months whose week round(52 m / 12) - 1 lies in 0..{horizon}" if months
                       else f"weeks 0..{horizon}")
            raise InputError(path, "month" if months else "week", f"row {row}: {got} lies beyond the "
                             f"scenario's horizon; allowed: {allowed}")


def parse(raw: dict, source: str, with_data: bool = True) -> Calibration:
    """Validate a parsed calibration file, probe the model once, read the data.

    ``with_data=False`` skips the data file (to simulate synthetic data for it).
    """
    for k in raw:
        if k not in TOP_LEVEL:
            raise unknown_key(source, k, list(TOP_LEVEL))
    if "calibration" not in raw:
        raise InputError(source, "calibration", "missing table [calibration] (scenario, data, master_seed)")
    table = raw["calibration"]
    cal = _table(table, CAL_SPEC, source, "calibration.")
    for required in ("scenario", "data", "master_seed"):
        if required not in table:
            raise InputError(source, f"calibration.{required}", "missing; required")
    name = cal["name"] or Path(source).stem
    if not cal["name"] and (problem := plain_name(name)):  # a name in the file was checked by CAL_SPEC
        raise InputError(source, "calibration.name", f"{problem}; the file's name is used when no name "
                         "is given: give one")
    base = Path(source).parent
    scen_path = base / cal["scenario"]
    try:
        scen_raw = scenario.read_toml(scen_path)
    except InputError as exc:
        raise InputError(source, "calibration.scenario", f"cannot read {str(scen_path)!r}: {exc.message}") \
            from None
    scen_raw.setdefault("name", scen_path.stem)
    model = scen_raw.get("model", "cop")
    leaves = flatten(models.get(model, str(scen_path)).spec)
    fixed: dict = {}
    for key, value in _flat(raw.get("set", {}), source).items():
        if key not in leaves:
            raise unknown_key(source, f"set.{key}", list(leaves), key)
        set_dotted(fixed, key, leaves[key].validate(value, source, f"set.{key}"))

    params = raw.get("parameters")
    if not isinstance(params, dict) or not params:
        raise InputError(source, "parameters", "missing; give at least one [parameters.\"dotted.key\"]")
    fitted = [_fitted(k, v, leaves, source) for k, v in _flat_params(params).items()]
    for f in fitted:
        if f.key in _flat(raw.get("set", {}), source):
            raise InputError(source, f"parameters.{f.key}", "also fixed in [set]; fit it or fix it")

    abc = _table(raw.get("abc", {}), ABC_SPEC, source, "abc.")
    slurm = _table(raw["slurm"], SLURM_SPEC, source, "slurm.") if "slurm" in raw else {}
    obs_raw = raw.get("observe")
    if not isinstance(obs_raw, dict) or not obs_raw:
        raise InputError(source, "observe", "missing; give one [observe.COLUMN] per data column")
    data_path = base / cal["data"]
    data = read_data(data_path, source) if with_data else None
    spec = Calibration(
        path=source, name=name, description=cal["description"],
        scenario_path=str(scen_path), scenario_raw=scen_raw, model=model, fixed=fixed,
        data_path=str(data_path), fitted=fitted, observations=[], observed={},
        distance=cal["distance"], master_seed=cal["master_seed"], abc=abc, horizon=0, slurm=slurm)
    # One probe run at the scenario's own values: which outcomes, weeks and CoPs exist.
    base_values = {f.key: _default(leaves[f.key], f) for f in fitted}
    probe = models.simulate(spec.full_resolve(base_values), 0)
    spec.extra = {"base_values": base_values, "fast_resolve": _same_resolution(spec, base_values)}
    weeks = probe.timeseries.get("week")
    if weeks is None:
        raise InputError(str(scen_path), "model", f"model '{model}' gives no 'week' column to observe")
    spec.horizon = int(weeks.max())
    observations = [_observation(col, o, source, spec.horizon) for col, o in obs_raw.items()]
    if with_data:
        check_times(data, spec.horizon, str(data_path))
    ignore = set(cal["ignore"])
    keyed = {"week", "month", "cop"}
    for col in data.columns if with_data else ():
        if col not in obs_raw and col not in ignore and col not in keyed:
            raise InputError(str(data_path), col, "data column is neither observed ([observe." + col
                             + "] in " + Path(source).name + ") nor listed in calibration.ignore")
    observed: dict[str, float] = {}
    for i, o in enumerate(observations):
        cops = probe_check(probe, o, source, model)
        observations[i] = o = o.with_cops(cops)
        if not with_data:
            continue
        if o.column not in data.columns:
            raise InputError(source, f"observe.{o.column}", f"no column {o.column!r} in {data_path.name}; "
                             f"columns: {', '.join(map(str, data.columns))}")
        allowed = (0.0, 1.0) if o.aggregate == "share_above" else models.get(model).valid_range(o.outcome)
        check_cells(data, o, allowed, str(data_path))
        observed.update(data_values(data, o, str(data_path)))
    spec.observations = observations
    spec.observed = observed
    return spec


def _same_resolution(spec: Calibration, base_values: dict) -> bool:
    """Whether setting values into a resolved scenario equals resolving them (checked at two points)."""
    base = spec.full_resolve(base_values)
    for q in (0.25, 0.75):
        values = {f.key: float(f.prior.ppf(q)) for f in spec.fitted}
        fast = thaw(base)  # a plain copy: the resolved scenario is read-only
        for f in spec.fitted:
            set_dotted(fast, f.key, int(round(values[f.key])) if f.integer else values[f.key])
        try:
            fast = models.get(spec.model).check(fast, spec.scenario_path)
        except InputError:
            return False
        if scenario.content_hash(fast) != scenario.content_hash(spec.full_resolve(values)):
            return False
    return True


def month_week(month: float) -> float:
    """The week whose row ends month ``month``: row w is simulated week w (0 .. weeks - 1), so a
    year of 52 weeks ends with week 51 (docs/ODD.md, 3)."""
    return round(52 * month / 12) - 1


def _default(param: Param, f: Fitted) -> float:
    v = param.default
    return float(v) if f.prior.lo <= v <= f.prior.hi else float(f.prior.ppf(0.5))


def _observation(col: str, raw: Any, source: str, horizon: int) -> Observation:
    at = f"observe.{col}."
    o = _table(raw, OBS_SPEC, source, at)
    if "outcome" not in raw:
        raise InputError(source, f"{at}outcome", "missing; name the model output this data column measures")
    if ("weeks" in raw) == ("months" in raw):
        raise InputError(source, f"{at}weeks", "give exactly one of weeks or months")
    listed = o["weeks"] or o["months"]
    name = "weeks" if "weeks" in raw else "months"
    if not listed:
        raise InputError(source, f"{at}{name}", "empty; list the observed weeks (or months)")
    weeks = []
    for v in listed:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(source, f"{at}{name}", f"got {v!r}; allowed: numbers")
        w = month_week(v) if name == "months" else v
        if not float(w).is_integer() or not 0 <= w <= horizon:
            raise InputError(source, f"{at}{name}", f"{v!r} is outside the horizon: weeks 0..{horizon}")
        weeks.append(int(w))
    if len(set(weeks)) != len(weeks):
        raise InputError(source, f"{at}{name}", f"weeks repeat: {weeks}")
    if o["aggregate"] != "share_above" and "threshold" in raw:
        raise InputError(source, f"{at}threshold", "only with aggregate = \"share_above\"")
    return Observation(col, o["outcome"], tuple(weeks), o["aggregate"], float(o["threshold"]),
                       bool(o["per_cop"]), float(o["noise_sd"]))


def _flat(table: Any, source: str, prefix: str = "") -> dict[str, Any]:
    if not isinstance(table, dict):
        raise InputError(source, "set", f"expected a table, got {table!r}")
    out: dict[str, Any] = {}
    for k, v in table.items():
        if isinstance(v, dict):
            out.update(_flat(v, source, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _flat_params(table: dict, prefix: str = "") -> dict[str, Any]:
    """[parameters."a.b"] and [parameters.a.b] alike: a leaf is a table of prior keys (or empty)."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and not set(v) & set(FITTED_KEYS):
            out.update(_flat_params(v, key + "."))
        else:
            out[key] = v
    return out


def load(path: str | Path, with_data: bool = True) -> Calibration:
    """Read and validate a calibration file (one probe run of its scenario included).

    Raises:
        InputError: naming the file, the key and what is allowed.
    """
    return parse(scenario.read_toml(path), str(path), with_data)
