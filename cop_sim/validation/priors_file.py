"""A priors file for ``cop-sim validate --robustness N --priors-from FILE``.

A robustness run normally draws every parameter that declares a prior, over that prior. A
priors file replaces that set: exactly the keys it lists are drawn, over the ranges it gives,
and every other parameter stays at the scenario's value. That re-judges the patterns over an
older version's priors (e.g. 0.2.0's, ``docs/validation/robustness-0.3/priors-0.2.0.toml``)
on the current model, with the keys added since held at their defaults.

Format (TOML)::

    [priors]
    "practice.exploration" = [0.02, 0.2]              # uniform
    "meeting.trust_rate" = [0.01, 0.3, "loguniform"]
"""

from __future__ import annotations

from pathlib import Path

from cop_sim.params import InputError, Param, Prior

FAMILIES = ("uniform", "loguniform")
WHY = "from a priors file"


def read_priors(path: str | Path, params: dict[str, Param]) -> dict[str, Prior]:
    """The priors a file lists, by dotted key, checked against the model's parameters.

    Args:
        path: the TOML file.
        params: the model's parameters by dotted key (``crossed.leaves``).

    Raises:
        InputError: naming the file, the key and what is allowed (unknown or non-numeric key,
            bad range, range outside the key's validity range, unknown family).
    """
    from cop_sim.scenario import read_toml

    source = str(path)
    table = read_toml(path)
    extra = sorted(set(table) - {"priors"})
    if extra:
        raise InputError(source, extra[0], "unknown table; a priors file holds one table, [priors]")
    rows = table.get("priors")
    if not isinstance(rows, dict) or not rows:
        raise InputError(source, "priors", "missing or empty; expected a [priors] table of "
                         '"dotted.key" = [lo, hi] or [lo, hi, "loguniform"]')
    out = {}
    for key, row in rows.items():
        param = params.get(key)
        if param is None:
            raise InputError(source, key, "not a parameter of the model (quote dotted keys)")
        if param.type not in (int, float):
            raise InputError(source, key, f"not numeric ({param.type.__name__}); only numbers take a prior")
        out[key] = _prior(row, param, source, key)
    return out


def _prior(row: object, param: Param, source: str, key: str) -> Prior:
    shape = 'expected [lo, hi] or [lo, hi, "uniform" | "loguniform"]'
    if not isinstance(row, list) or len(row) not in (2, 3):
        raise InputError(source, key, f"got {row!r}; {shape}")
    lo, hi, *rest = row
    family = rest[0] if rest else "uniform"
    if any(isinstance(x, bool) or not isinstance(x, int | float) for x in (lo, hi)) or family not in FAMILIES:
        raise InputError(source, key, f"got {row!r}; {shape}")
    if not lo < hi or (family == "loguniform" and lo <= 0):
        raise InputError(source, key, f"got [{lo}, {hi}] {family}; allowed: lo < hi "
                         "(and lo > 0 if loguniform)")
    if (param.lo is not None and lo < param.lo) or (param.hi is not None and hi > param.hi):
        raise InputError(source, key, f"[{lo}, {hi}] leaves the key's validity range {param.allowed()}")
    return Prior(float(lo), float(hi), WHY, family)
