"""Parameter specifications and the validation of nested settings against them.

A model declares its parameters once, as a nested dict of :class:`Param` (leaves) and
dicts (sections). Scenario and experiment files are partial overrides of that tree;
:func:`resolve` merges an override into the defaults and raises :class:`InputError`
naming the file, the dotted key and what is allowed when anything does not fit.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Validator = Callable[[Any], str | None]


class InputError(Exception):
    """Bad user input: a file, a key and what is allowed (the CLI exits with status 2)."""

    def __init__(self, source: str, key: str, message: str):
        self.source, self.key, self.message = source, key, message
        where = f"{source}: " if source else ""
        at = f"'{key}': " if key else ""
        super().__init__(f"{where}{at}{message}")


@dataclass(frozen=True)
class Prior:
    """A plausible range for a parameter, narrower than its validity range, with its basis."""

    lo: float
    hi: float
    why: str
    family: str = "uniform"  # or "loguniform" for small rates

    def __post_init__(self):
        if self.family not in ("uniform", "loguniform"):
            raise ValueError(f"unknown prior family {self.family!r}")
        if not self.lo < self.hi or (self.family == "loguniform" and self.lo <= 0):
            raise ValueError(f"bad prior range [{self.lo}, {self.hi}] for {self.family}")

    def ppf(self, u):
        """The value at quantile ``u`` (a float or an array in [0, 1])."""
        import numpy as np

        u = np.asarray(u, dtype=float)
        if self.family == "loguniform":
            return np.exp(np.log(self.lo) + u * (np.log(self.hi) - np.log(self.lo)))
        return self.lo + u * (self.hi - self.lo)

    def describe(self) -> str:
        """``[lo, hi] uniform`` as the ODD table prints it."""
        return f"[{self.lo:g}, {self.hi:g}] {self.family}"


@dataclass(frozen=True)
class Param:
    """One documented parameter: default, type, unit, valid range and source."""

    default: Any
    doc: str
    unit: str = "-"
    lo: float | None = None
    hi: float | None = None
    source: str = "assumption"
    choices: tuple | None = None
    kind: type | None = None  # inferred from the default when None
    partial: bool = False  # a table whose keys a file may set one at a time (merged into the default)
    check: Validator | None = field(default=None, compare=False)
    prior: Prior | None = None  # plausible range for robustness runs and calibration

    def __post_init__(self):
        pr = self.prior
        if pr is not None and ((self.lo is not None and pr.lo < self.lo)
                               or (self.hi is not None and pr.hi > self.hi)):
            raise ValueError(f"prior {pr.describe()} lies outside the validity range of {self.doc!r}")

    @property
    def type(self) -> type:
        """The Python type values must have."""
        return self.kind or type(self.default)

    def allowed(self) -> str:
        """Human-readable description of the valid values."""
        t = self.type
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if t is bool:
            return "true or false"
        if t in (int, float):
            name = "an integer" if t is int else "a number"
            if self.lo is not None and self.hi is not None:
                return f"{name} in [{self.lo}, {self.hi}]"
            if self.lo is not None:
                return f"{name} >= {self.lo}"
            return name
        if t is list:
            return "a list"
        if t is dict:
            return "a table"
        return f"a {t.__name__}"

    def validate(self, value: Any, source: str, key: str) -> Any:
        """Return the value coerced to this parameter's type, or raise InputError."""
        t = self.type
        bad = InputError(source, key, f"got {value!r}; allowed: {self.allowed()}")
        if t is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if t is bool and not isinstance(value, bool):
            raise bad
        if t is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise bad
        if not isinstance(value, t):
            raise bad
        # every comparison with NaN is false, so NaN would slip through the range checks below
        if t is float and math.isnan(value):
            raise bad
        low = self.lo is not None and value < self.lo if t in (int, float) else False
        if low or (t in (int, float) and self.hi is not None and value > self.hi):
            raise bad
        if self.choices and value not in self.choices:
            raise bad
        if self.check is not None:
            problem = self.check(value)
            if problem:
                raise InputError(source, key, problem)
        return value


Spec = dict[str, Any]  # nested: str -> Param | Spec


def defaults(spec: Spec) -> dict:
    """The default values of a spec tree, as a plain nested dict."""
    return {k: defaults(v) if isinstance(v, dict) else copy.deepcopy(v.default) for k, v in spec.items()}


def flatten(spec: Spec, prefix: str = "") -> dict[str, Param]:
    """All leaves of a spec tree by dotted key."""
    out: dict[str, Param] = {}
    for k, v in spec.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


SUGGEST_CUTOFF = 0.75  # difflib ratio; 0.5 offered 'nurse' for 'surgeon'


def suggest(name: str, options: list[str]) -> str:
    """A ' Did you mean ...?' hint when one option is close to ``name`` (a typo), else ''."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=SUGGEST_CUTOFF)
    return f" Did you mean '{close[0]}'?" if close else ""


LIST_ALL = 25  # up to this many allowed keys are listed in full; beyond, the nearest few
NEAREST = 5


def nearest(name: str, options: list[str], n: int = NEAREST) -> list[str]:
    """The ``n`` options most like ``name`` (difflib's ratio, ties in alphabetical order)."""
    def score(option: str) -> float:
        leaf = option.rsplit(".", 1)[-1]
        ratio = max(difflib.SequenceMatcher(None, name, option).ratio(),
                    difflib.SequenceMatcher(None, name, leaf).ratio())
        return ratio + (0.5 if name and (name in option or leaf in name) else 0.0)  # a part typed whole

    return sorted(sorted(options), key=score, reverse=True)[:n]


def unknown_key(source: str, key: str, options: list[str], name: str | None = None) -> InputError:
    """The error for a key that a section does not have; ``name`` is what to match (default: the leaf).

    The allowed keys are listed when there are few (a reader can pick one); otherwise the
    nearest few, and where to find them all.
    """
    name = name or key.rsplit(".", 1)[-1]
    hint = suggest(name, options)
    if len(options) <= LIST_ALL:
        listed = f"Allowed here: {', '.join(sorted(options))}"
    else:
        listed = (f"Allowed here: {len(options)} keys; the nearest: {', '.join(nearest(name, options))} "
                  "(all of them, with units and ranges: the parameter table in docs/ODD.md)")
    return InputError(source, key, f"unknown key.{hint} {listed}")


def merge(spec: Spec, base: dict, override: dict, source: str, prefix: str = "") -> dict:
    """Validate ``override`` against ``spec`` and return ``base`` updated by it."""
    out = copy.deepcopy(base)
    _walk(spec, override, source, prefix, out)
    return out


def check_tree(spec: Spec, override: dict, source: str, prefix: str = "") -> None:
    """Validate ``override`` against ``spec`` as :func:`merge` does, without building the result."""
    _walk(spec, override, source, prefix, None)


def _walk(spec: Spec, override: dict, source: str, prefix: str, out: dict | None) -> None:
    """Validate ``override`` key by key; with ``out``, write the validated values into it."""
    for k, v in override.items():
        key = f"{prefix}{k}"
        if k not in spec:
            raise unknown_key(source, key, list(spec))
        node = spec[k]
        if isinstance(node, dict):
            if not isinstance(v, dict):
                raise InputError(source, key, f"expected a table of settings, got {v!r:.200}")
            if out is None:
                _walk(node, v, source, key + ".", None)
            else:
                out[k] = merge(node, out.get(k, {}), v, source, key + ".")
        else:
            value = node.validate(v, source, key)
            if out is not None:
                out[k] = {**out[k], **value} if node.partial else value


def set_dotted(tree: dict, key: str, value: Any) -> dict:
    """Return a nested override dict setting dotted ``key`` to ``value`` inside ``tree``."""
    parts = key.split(".")
    node = tree
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    node[parts[-1]] = value
    return tree


def get_dotted(tree: dict, key: str) -> Any:
    """The value at dotted ``key`` of a nested dict (KeyError when absent)."""
    node = tree
    for p in key.split("."):
        node = node[p]
    return node
