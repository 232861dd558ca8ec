"""The pattern library: each pattern a file under ``experiments/validation/``, stated before running.

A pattern file is an experiment file (``[experiment]``, ``[sampler]``, ``[[factors]]``) with a
``[pattern]`` table that states the finding, its source, the shape of the contrast, at most
two outcomes, the smallest effect that matters with its basis, and whether the pattern is
used to choose parameters (``use = "calibration"``) or judged only afterwards
(``use = "held_out"``). Its ``[[pattern.checks]]`` are linear combinations of condition
means ("arms") taken within each replication (arms of one replication share a seed), e.g.::

    [[pattern.checks]]
    label = "knowledge: CoP - none"
    outcome = "belief_error"
    expect = "increase"          # or "decrease"
    threshold = 0.02             # the smallest effect that matters, in the outcome's units
    treat = {"cop.calendar.every_weeks" = 4}
    base = {"cop.calendar.every_weeks" = 0}

or, for an interaction or a comparison with a constant, ``terms = [{weight = 1, where = {..}}, ..]``
and ``constant``. ``relative = true`` reads the threshold as a fraction of the base arm's mean.
``across = "cop"`` judges instead how much the contrast differs between the CoPs of a run: the
between-CoP sd of its per-CoP effect, net of sampling noise (see :func:`judge.heterogeneity`).
A file whose model cannot express the pattern yet has no ``[experiment]`` and says in
``needs`` what is missing.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cop_sim.params import InputError
from cop_sim.scenario import read_toml

ROOT = Path(__file__).resolve().parents[2]
EXPERIMENTS = ROOT / "experiments" / "validation"
SHAPES = ("difference", "dose-response", "inverted U", "crossover", "interaction", "level")
USES = ("calibration", "held_out")
PATTERN_KEYS = ("id", "finding", "source", "shape", "outcomes", "use", "threshold_basis", "checks",
                "mechanism", "target_share", "needs")
CHECK_KEYS = ("label", "outcome", "expect", "threshold", "relative", "treat", "base", "terms", "constant",
              "across")
ACROSS = ("cop",)


@dataclass(frozen=True)
class Term:
    """``weight`` times the mean of ``outcome`` over the runs matching ``where``."""

    weight: float
    outcome: str
    where: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One contrast: the sum of terms must exceed ``threshold`` in the expected direction.

    ``expect`` is +1 (an increase: effect > threshold) or -1 (a decrease: effect < -threshold).
    With ``relative``, the threshold is that fraction of the first negative-weight arm's mean.
    With ``across = "cop"`` the effect is the between-CoP sd of the per-CoP contrast.
    """

    label: str
    terms: tuple[Term, ...]
    expect: int
    constant: float = 0.0
    threshold: float = 0.0
    relative: bool = False
    across: str = ""

    @property
    def base(self) -> Term | None:
        """The arm a relative threshold refers to (the first with negative weight)."""
        return next((t for t in self.terms if t.weight < 0), None)


@dataclass(frozen=True)
class Knockout:
    """A parameter the pattern's mechanism names and its null value (for knock-out runs)."""

    key: str
    null: Any


@dataclass(frozen=True)
class Pattern:
    """A finding, its experiment file and its checks."""

    id: str
    finding: str
    source: str
    shape: str
    outcomes: tuple[str, ...]
    use: str
    threshold_basis: str
    checks: tuple[Check, ...]
    path: Path
    mechanism: tuple[Knockout, ...] = ()
    target_share: float | None = None
    needs: str = ""  # what the model lacks to express it (no [experiment] then)

    @property
    def experiment(self) -> str:
        """The file's stem."""
        return self.path.stem

    @property
    def runnable(self) -> bool:
        """Whether today's model can express it (the file has an experiment)."""
        return not self.needs

    def commit(self) -> str:
        """The commit that last changed the file, "uncommitted" or "unknown" (outside git)."""
        return file_commit(self.path)


def file_commit(path: Path) -> str:
    """``git log -1 --format=%h -- path``; "uncommitted" when modified or untracked."""
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", *args], cwd=path.parent, capture_output=True, text=True,
                                  timeout=10, check=True).stdout.strip()
        dirty = git("status", "--porcelain", "--", path.name)
        last = git("log", "-1", "--format=%h", "--", path.name)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return "uncommitted" if dirty or not last else last


def _where(value: Any, source: str, key: str) -> dict:
    if not isinstance(value, dict) or not value:
        raise InputError(source, key, f"expected a table of factor levels, e.g. {{\"cop.mentor\" = true}}, "
                         f"got {value!r}")
    return dict(value)


def _check(i: int, raw: Any, outcomes: tuple[str, ...], source: str) -> Check:
    at = f"pattern.checks[{i}]"
    if not isinstance(raw, dict):
        raise InputError(source, at, "expected a table")
    for k in raw:
        if k not in CHECK_KEYS:
            raise InputError(source, f"{at}.{k}", f"unknown key; allowed: {', '.join(CHECK_KEYS)}")
    for k in ("label", "outcome", "expect", "threshold"):
        if k not in raw:
            raise InputError(source, f"{at}.{k}", "missing; every check states it")
    outcome = raw["outcome"]
    if outcome not in outcomes:
        raise InputError(source, f"{at}.outcome", f"{outcome!r} is not one of the pattern's outcomes "
                         f"{list(outcomes)}")
    expect = {"increase": 1, "decrease": -1}.get(raw["expect"])
    if expect is None:
        raise InputError(source, f"{at}.expect", f"got {raw['expect']!r}; allowed: 'increase', 'decrease'")
    threshold = raw["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not threshold >= 0:
        raise InputError(source, f"{at}.threshold", f"got {threshold!r}; allowed: a number >= 0")
    if "terms" in raw:
        if "treat" in raw or "base" in raw:
            raise InputError(source, f"{at}.terms", "give either treat/base or terms, not both")
        terms = []
        for j, t in enumerate(raw["terms"]):
            if not isinstance(t, dict) or set(t) - {"weight", "where"} or "weight" not in t:
                raise InputError(source, f"{at}.terms[{j}]", "expected {weight = NUMBER, where = {...}}")
            terms.append(Term(float(t["weight"]), outcome, _where(t.get("where", {}), source,
                                                                  f"{at}.terms[{j}].where")))
    else:
        for k in ("treat", "base"):
            if k not in raw:
                raise InputError(source, f"{at}.{k}", "missing; give treat and base, or terms")
        terms = [Term(1.0, outcome, _where(raw["treat"], source, f"{at}.treat")),
                 Term(-1.0, outcome, _where(raw["base"], source, f"{at}.base"))]
    across = raw.get("across", "")
    if across and across not in ACROSS:
        raise InputError(source, f"{at}.across", f"got {across!r}; allowed: {', '.join(map(repr, ACROSS))}")
    check = Check(raw["label"], tuple(terms), expect, float(raw.get("constant", 0.0)), float(threshold),
                  bool(raw.get("relative", False)), across)
    if check.relative and check.base is None:
        raise InputError(source, f"{at}.relative", "a relative threshold needs a base arm (weight < 0)")
    if across and (check.relative or check.constant):
        raise InputError(source, f"{at}.across", "a between-CoP spread takes no relative threshold or "
                         "constant")
    return check


def parse_pattern(raw: dict, path: Path) -> Pattern:
    """Validate a pattern file's ``[pattern]`` table (``raw`` is the whole file)."""
    source = str(path)
    table = raw.get("pattern")
    if not isinstance(table, dict):
        raise InputError(source, "pattern", "missing table [pattern] (id, finding, source, shape, outcomes, "
                         "use, threshold_basis, checks)")
    for k in table:
        if k not in PATTERN_KEYS:
            raise InputError(source, f"pattern.{k}", f"unknown key; allowed: {', '.join(PATTERN_KEYS)}")
    for k in ("id", "finding", "source", "shape", "outcomes", "use", "threshold_basis"):
        if not table.get(k):
            raise InputError(source, f"pattern.{k}", "missing; every pattern states it")
    if table["shape"] not in SHAPES:
        raise InputError(source, "pattern.shape", f"got {table['shape']!r}; allowed: {', '.join(SHAPES)}")
    if table["use"] not in USES:
        raise InputError(source, "pattern.use", f"got {table['use']!r}; allowed: {', '.join(USES)}")
    outcomes = tuple(table["outcomes"])
    if not 1 <= len(outcomes) <= 2:
        raise InputError(source, "pattern.outcomes", f"name one or two outcomes (so adding outcomes cannot "
                         f"make a pattern hold), got {len(outcomes)}")
    needs = str(table.get("needs", ""))
    if not needs and "experiment" not in raw:
        raise InputError(source, "experiment", "missing; a pattern the model can express has an "
                         "experiment, one it cannot says so in pattern.needs")
    checks = tuple(_check(i, c, outcomes, source) for i, c in enumerate(table.get("checks", [])))
    if not checks:
        raise InputError(source, "pattern.checks", "missing; at least one [[pattern.checks]]")
    mech = []
    for j, m in enumerate(table.get("mechanism", [])):
        if not isinstance(m, dict) or set(m) != {"key", "null"}:
            raise InputError(source, f"pattern.mechanism[{j}]",
                             "expected {key = \"dotted.key\", null = VALUE}")
        mech.append(Knockout(m["key"], m["null"]))
    target = table.get("target_share")
    if target is not None and not (isinstance(target, (int, float)) and 0 <= target <= 1):
        raise InputError(source, "pattern.target_share", f"got {target!r}; allowed: a number in [0, 1]")
    return Pattern(table["id"], table["finding"], table["source"], table["shape"], outcomes, table["use"],
                   table["threshold_basis"], checks, path, tuple(mech), target, needs)


def load_library(folder: str | Path = EXPERIMENTS) -> tuple[Pattern, ...]:
    """Every pattern file of ``folder`` in file-name order; ids must be unique."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "", "not a folder of pattern files")
    out: list[Pattern] = []
    for path in sorted(folder.glob("*.toml")):
        pattern = parse_pattern(read_toml(path), path)
        if any(p.id == pattern.id for p in out):
            raise InputError(str(path), "pattern.id", f"{pattern.id!r} is used by another file")
        out.append(pattern)
    if not out:
        raise InputError(str(folder), "", "holds no pattern files (*.toml)")
    return tuple(out)


def select(patterns: tuple[Pattern, ...], only: list[str] | None) -> list[Pattern]:
    """The patterns named in ``only`` (all when None); an unknown id is an InputError."""
    ids = [p.id for p in patterns]
    unknown = sorted(set(only or []) - set(ids))
    if unknown:
        raise InputError("--only", ",".join(unknown), f"unknown pattern; allowed: {', '.join(ids)}")
    return [p for p in patterns if not only or p.id in only]
