"""Experiment files: read, validate against the scenario's model, and hold the result.

An experiment names a scenario, the factors to vary (any scenario parameter by dotted
key), how to sample them, the replications and one master seed. Every problem is raised
as :class:`~cop_sim.params.InputError` naming the file and the key before any run starts.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cop_sim import models, scenario
from cop_sim.names import optional_name, plain_name
from cop_sim.params import InputError, Param, defaults, flatten, merge, set_dotted, suggest, unknown_key

METHODS = ("grid", "lhs", "sobol", "morris")
MAX_SEED = scenario.MAX_SEED

# The experiment file's own schema, validated with the same Param machinery as scenarios.
EXPERIMENT_SPEC: dict[str, Param] = {
    "name": Param("", "experiment name (default: the file's stem)", kind=str, check=optional_name),
    "scenario": Param("", "scenario TOML, relative to the experiment file", kind=str),
    "replications": Param(1, "runs per design point", "runs", 1, 100000),
    "master_seed": Param(0, "seed every run's seed is derived from", "-", 0, MAX_SEED),
    "weeks": Param(52, "horizon overriding the scenario's", "weeks", 1, 1040),
    "outcomes": Param([], "summary keys to analyse and report", kind=list),
    "common_random_numbers": Param(True, "design points of one replication share a seed"),
    "description": Param("", "what the experiment asks", kind=str),
}
SAMPLER_SPEC: dict[str, Param] = {
    "method": Param("grid", "how factors are sampled", choices=METHODS),
    "n": Param(0, "lhs: samples; sobol: base N; morris: trajectories", "-", 1, 1_000_000),
    "num_levels": Param(4, "morris: grid levels", "-", 2, 100),
    "calc_second_order": Param(False, "sobol: second-order indices too"),
}
FACTOR_KEYS = ("key", "levels", "baseline", "lo", "hi")
SLURM_SPEC: dict[str, Param] = {
    "queue": Param("", "partition (sbatch -p)", kind=str),
    "account": Param("", "account (sbatch -A)", kind=str),
    "cores": Param(1, "cores per job (one single-threaded worker each)", "cores", 1, 1024),
    "memory": Param("2GB", "memory per job, e.g. '8GB'", kind=str),
    "walltime": Param("01:00:00", "time limit per job, HH:MM:SS", kind=str),
    "python": Param("python", "Python on the compute nodes (with cop_sim installed)", kind=str),
    "jobs": Param(1, "SLURM jobs to start", "jobs", 1, 10000),
    "job_extra_directives": Param([], "extra #SBATCH lines, e.g. ['--qos=short']", kind=list),
}
# "pattern" is the validation library's table (cop_sim.validation.patterns); a sweep ignores it
TOP_LEVEL = ("experiment", "set", "sampler", "factors", "slurm", "pattern")


@dataclass(frozen=True)
class Factor:
    """One varied scenario parameter."""

    key: str
    kind: str  # "float" | "int" | "bool" | "str" | "list" | "dict"
    levels: tuple = ()  # grid
    baseline: Any = None  # grid: level contrasts are taken against
    lo: float | None = None  # sampled methods
    hi: float | None = None


@dataclass
class Experiment:
    """A validated experiment: everything a sweep needs, nothing derived from execution."""

    path: str
    name: str
    scenario_path: str
    scenario_raw: dict  # the scenario file as read, with its name set
    model: str
    replications: int
    master_seed: int
    outcomes: list[str]
    crn: bool
    description: str
    weeks: int | None
    fixed: dict  # nested overrides applied to every run ([set] and weeks)
    method: str
    n: int
    num_levels: int
    calc_second_order: bool
    factors: list[Factor]
    slurm: dict = field(default_factory=dict)
    # Parameter sets the design is crossed with (dotted key -> value), one per draw; empty for
    # a plain sweep. Set by cop_sim.experiment.crossed, never by the experiment file.
    draws: list[dict] = field(default_factory=list)
    draw_origin: dict = field(default_factory=dict)  # where the draws came from (prior LHS, posterior)

    def to_dict(self) -> dict:
        """A JSON-serialisable form (the manifest and replay read it back)."""
        d = asdict(self)
        d["factors"] = [asdict(f) | {"levels": list(f.levels)} for f in self.factors]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Experiment:
        """Inverse of :meth:`to_dict`."""
        d = copy.deepcopy(d)
        d["factors"] = [Factor(**(f | {"levels": tuple(f["levels"])})) for f in d["factors"]]
        return cls(**d)

    def overrides(self, values: dict[str, Any]) -> dict:
        """Nested scenario overrides for one design point: fixed settings, then factor values."""
        tree = copy.deepcopy(self.fixed)
        for key, value in values.items():
            set_dotted(tree, key, copy.deepcopy(value))
        return tree

    def resolve(self, values: dict[str, Any]) -> dict:
        """The complete, validated scenario of one design point."""
        return scenario.resolve(self.scenario_raw, self.scenario_path, self.overrides(values), self.path)


def _check_table(table: Any, spec: dict[str, Param], source: str, prefix: str) -> dict:
    if not isinstance(table, dict):
        raise InputError(source, prefix.rstrip("."), f"expected a table, got {table!r}")
    return merge(spec, defaults(spec), table, source, prefix)


def _flat_set(table: dict, leaves: dict[str, Param], source: str, prefix: str = "") -> dict:
    """[set] as {dotted key: value}, accepting quoted dotted keys and nested tables alike."""
    out: dict[str, Any] = {}
    for k, v in table.items():
        key = f"{prefix}{k}"
        if key in leaves:
            out[key] = v
        elif isinstance(v, dict) and any(leaf.startswith(key + ".") for leaf in leaves):
            out.update(_flat_set(v, leaves, source, key + "."))
        else:
            raise InputError(source, f"set.{key}",
                             f"not a scenario parameter.{suggest(key, list(leaves))}")
    return out


def _kind(param: Param) -> str:
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}.get(
        param.type, param.type.__name__)


def _factor(i: int, raw: Any, leaves: dict[str, Param], method: str, source: str) -> Factor:
    at = f"factors[{i}]"
    if not isinstance(raw, dict):
        raise InputError(source, at, f"expected a table with 'key' and levels or a range, got {raw!r}")
    for k in raw:
        if k not in FACTOR_KEYS:
            raise unknown_key(source, f"{at}.{k}", list(FACTOR_KEYS))
    key = raw.get("key")
    if not isinstance(key, str):
        raise InputError(source, f"{at}.key", "missing; give the scenario parameter's dotted key, "
                         "e.g. key = \"cop.moderator_skill\"")
    if key not in leaves:
        raise InputError(source, f"{at}.key", f"'{key}' is not a scenario parameter."
                         f"{suggest(key, list(leaves))}")
    param = leaves[key]
    kind = _kind(param)
    if method == "grid":
        for extra in ("lo", "hi"):
            if extra in raw:
                raise InputError(source, f"{at}.{extra}", "a grid takes 'levels'; 'lo'/'hi' are for "
                                 "lhs, sobol and morris")
        levels = raw.get("levels")
        if not isinstance(levels, list) or not levels:
            raise InputError(source, f"{at}.levels", f"expected a non-empty list of values of '{key}' "
                             f"({param.allowed()}), got {levels!r}")
        checked = tuple(param.validate(v, source, f"{at}.levels[{j}] ({key})") for j, v in enumerate(levels))
        if len(set(map(repr, checked))) != len(checked):
            raise InputError(source, f"{at}.levels", f"levels repeat: {levels!r}")
        baseline = checked[0]
        if "baseline" in raw:
            baseline = param.validate(raw["baseline"], source, f"{at}.baseline ({key})")
            if baseline not in checked:
                raise InputError(source, f"{at}.baseline", f"{raw['baseline']!r} is not one of the "
                                 f"levels {list(checked)}")
        return Factor(key, kind, levels=checked, baseline=baseline)
    if "levels" in raw or "baseline" in raw:
        raise InputError(source, f"{at}.levels", f"sampler '{method}' takes a range 'lo' and 'hi', "
                         "not levels (levels are for method = \"grid\")")
    if kind not in ("int", "float"):
        raise InputError(source, f"{at}.key", f"'{key}' is {param.allowed()}; sampler '{method}' "
                         "varies only numbers (use method = \"grid\" for other parameters)")
    bounds = []
    for end in ("lo", "hi"):
        if end not in raw:
            raise InputError(source, f"{at}.{end}", f"missing; sampler '{method}' needs lo and hi "
                             f"within {param.allowed()}")
        value = raw[end]
        if kind == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
        bounds.append(param.validate(value, source, f"{at}.{end} ({key})"))
    if not bounds[0] < bounds[1]:
        raise InputError(source, f"{at}.hi", f"hi = {bounds[1]} must be greater than lo = {bounds[0]}")
    return Factor(key, kind, lo=float(bounds[0]), hi=float(bounds[1]))


def parse(raw: dict, source: str) -> Experiment:
    """Validate a parsed experiment file (``source`` is its path) into an :class:`Experiment`."""
    for k in raw:
        if k not in TOP_LEVEL:
            raise unknown_key(source, k, list(TOP_LEVEL))
    if "experiment" not in raw:
        raise InputError(source, "experiment", "missing table [experiment] (name, scenario, "
                         "replications, master_seed, outcomes)")
    table = raw["experiment"]
    exp = _check_table(table, EXPERIMENT_SPEC, source, "experiment.")
    for required in ("scenario", "master_seed"):
        if required not in table:
            raise InputError(source, f"experiment.{required}", "missing; required")
    scenario_path = Path(source).parent / exp["scenario"]
    try:
        scenario_raw = scenario.read_toml(scenario_path)
    except InputError as exc:
        raise InputError(source, "experiment.scenario",
                         f"cannot read scenario {str(scenario_path)!r}: {exc.message}") from None
    scenario_raw.setdefault("name", scenario_path.stem)
    model = scenario_raw.get("model", "cop")
    leaves = flatten(models.get(model, str(scenario_path)).spec)

    fixed_flat = _flat_set(raw.get("set", {}), leaves, source) if "set" in raw else {}
    fixed: dict = {}
    for key, value in fixed_flat.items():
        set_dotted(fixed, key, leaves[key].validate(value, source, f"set.{key}"))
    weeks = exp["weeks"] if "weeks" in table else None
    if weeks is not None:
        fixed["weeks"] = weeks

    sampler = _check_table(raw.get("sampler", {}), SAMPLER_SPEC, source, "sampler.")
    method = sampler["method"]
    if method != "grid" and "n" not in raw.get("sampler", {}):
        raise InputError(source, "sampler.n", f"missing; sampler '{method}' needs n "
                         "(lhs: samples; sobol: base N; morris: trajectories)")
    factors_raw = raw.get("factors", [])
    if not isinstance(factors_raw, list):
        raise InputError(source, "factors", "expected [[factors]] tables")
    if not factors_raw:  # else the bare scenario would run silently as one design point
        what = ("'levels' (to replicate the scenario as it is, give one factor with one level)"
                if method == "grid" else "'lo' and 'hi'")
        raise InputError(source, "factors", f"got {factors_raw!r}, no factor; method '{method}' needs at "
                         f"least one [[factors]] table with a 'key' and {what}")
    if method == "morris" and len(factors_raw) < 2:
        raise InputError(source, "factors", "morris needs at least two factors")
    factors = [_factor(i, f, leaves, method, source) for i, f in enumerate(factors_raw)]
    seen: set[str] = set()
    for i, f in enumerate(factors):
        if f.key in seen:
            raise InputError(source, f"factors[{i}].key", f"'{f.key}' is varied twice")
        if f.key in fixed_flat or (f.key == "weeks" and weeks is not None):
            raise InputError(source, f"factors[{i}].key", f"'{f.key}' is also fixed in [set] or "
                             "experiment.weeks; vary it or fix it, not both")
        seen.add(f.key)

    slurm = _check_table(raw.get("slurm", {}), SLURM_SPEC, source, "slurm.") if "slurm" in raw else {}
    if not exp["name"] and (problem := plain_name(Path(source).stem)):  # a name in the file was checked
        raise InputError(source, "experiment.name", f"{problem}; the file's name is used when no name "
                         "is given: give one")
    spec = Experiment(
        path=source, name=exp["name"] or Path(source).stem, scenario_path=str(scenario_path),
        scenario_raw=scenario_raw, model=model, replications=exp["replications"],
        master_seed=exp["master_seed"], outcomes=list(exp["outcomes"]),
        crn=exp["common_random_numbers"], description=exp["description"], weeks=weeks, fixed=fixed,
        method=method, n=sampler["n"], num_levels=sampler["num_levels"],
        calc_second_order=sampler["calc_second_order"], factors=factors, slurm=slurm)
    known = models.get(model, source).outcomes
    for i, name in enumerate(spec.outcomes):
        if not isinstance(name, str):
            raise InputError(source, f"experiment.outcomes[{i}]", f"expected a summary key, got {name!r}")
        if known and name not in known:
            raise InputError(source, f"experiment.outcomes[{i}]", f"unknown outcome {name!r}."
                             f"{suggest(name, list(known))} Allowed: {', '.join(known)}")
    return spec
