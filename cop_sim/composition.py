"""The CoPs of a scenario: expanding the [cop] template and checking the composition."""

from __future__ import annotations

import numpy as np

from cop_sim.params import InputError, merge
from cop_sim.vocab import DISCIPLINES


def check_members(value: dict) -> str | None:
    """Why a ``members`` table (discipline -> count) is not allowed, or None."""
    for k, v in value.items():
        if k not in DISCIPLINES:
            return f"unknown discipline '{k}'. Allowed disciplines: {', '.join(DISCIPLINES)}"
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            return f"discipline '{k}' needs a whole number >= 0, got {v!r}"
    return None


MAX_COP_SIZE = 64  # a patient's care network is a 64-bit mask over CoP member slots


def expand_cops(resolved: dict, template: dict, source: str = "") -> list[dict]:
    """Every CoP's full settings: the template, overridden by its ``[[cops]]`` entry."""
    entries = resolved.get("cops", [])
    n = max(resolved["n_cops"], len(entries))
    out = []
    plain = None  # the template's settings, merged once for every CoP without an entry
    for i in range(n):
        entry = entries[i] if i < len(entries) else {}
        if not isinstance(entry, dict):
            raise InputError(source, f"cops[{i}]", f"expected a table of CoP settings, got {entry!r}")
        if entry:
            cop = merge(template, resolved["cop"], entry, source, f"cops[{i}].")
        else:
            plain = plain or merge(template, resolved["cop"], {}, source, "cop.")
            cop = _copy_tree(plain)
        cop["name"] = cop["name"] or f"cop{i + 1}"
        out.append(cop)
    return out


def _copy_tree(value):
    """A copy of nested dicts and lists of plain values (what deepcopy does, about three times faster)."""
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_tree(v) for v in value]
    return value


def lay_out(cops: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every member's discipline, CoP and slot, and each CoP's padded slots (-1 where empty).

    Members of a CoP are laid out by discipline in the order of ``vocab.DISCIPLINES``.
    """
    disc, cop, slot = [], [], []
    for c, spec in enumerate(cops):
        s = 0
        for d, name in enumerate(DISCIPLINES):
            for _ in range(spec["members"].get(name, 0)):
                disc.append(d)
                cop.append(c)
                slot.append(s)
                s += 1
    disc, cop, slot = (np.array(a, dtype=np.int64) for a in (disc, cop, slot))
    n, n_cops = len(disc), len(cops)
    m = max(1, int(np.bincount(cop, minlength=n_cops).max())) if n else 1
    members = np.full((n_cops, m), -1, dtype=np.int64)
    members[cop, slot] = np.arange(n)
    return disc, cop, slot, members


def by_cop(cop: np.ndarray, n_cops: int) -> list[np.ndarray]:
    """Each CoP's members, in index order: one sort, where a scan per CoP is quadratic at scale."""
    if n_cops == 0:
        return []
    order = np.argsort(cop, kind="stable")
    return np.split(order, np.searchsorted(cop[order], np.arange(1, n_cops)))


def _check_calendar(cal: dict, weeks: int, source: str, key: str) -> None:
    if (cal["every_weeks"] > 0 or cal["monthly"]) and cal["start_week"] >= weeks:
        raise InputError(source, f"{key}.start_week",
                         f"first meeting in week {cal['start_week']} is outside the horizon "
                         f"(weeks 0 to {weeks - 1})")
    late = [w for w in cal["weeks"] if w >= weeks]
    if late:
        raise InputError(source, f"{key}.weeks",
                         f"meeting weeks {late} are outside the horizon (weeks 0 to {weeks - 1})")


def check_common(resolved: dict, source: str, template: dict, cops: list[dict] | None = None) -> None:
    """The checks every CoP model shares: sizes, moderators, calendars, patients' shares.

    ``cops`` are the scenario's CoPs as :func:`expand_cops` gives them, when the caller has them.
    """
    cops = expand_cops(resolved, template, source) if cops is None else cops
    weeks = resolved["weeks"]
    total = 0
    named: dict[str, int] = {}
    for i, cop in enumerate(cops):
        key = f"cops[{i}]" if i < len(resolved["cops"]) else "cop"
        if cop["name"] in named:  # a name keys the CoP's rows of outputs and its random streams
            raise InputError(source, f"{key}.name", f"'{cop['name']}' is also the name of CoP "
                             f"{named[cop['name']] + 1}; allowed: a name no other CoP has")
        named[cop["name"]] = i
        size = sum(cop["members"].values())
        total += size
        if size > MAX_COP_SIZE:
            raise InputError(source, f"{key}.members", f"{size} members; at most {MAX_COP_SIZE} per CoP")
        if cop["moderators"] > size:
            raise InputError(source, f"{key}.moderators",
                             f"{cop['moderators']} moderators for {size} members; "
                             "allowed: no more moderators than members")
        _check_calendar(cop["calendar"], weeks, source, f"{key}.calendar")
    if total == 0:
        raise InputError(source, "cop.members", "the scenario has zero practitioners; "
                         "allowed: at least one member in at least one CoP")
    lc = resolved["learning_community"]
    if lc["enabled"]:
        _check_calendar(lc["calendar"], weeks, source, "learning_community.calendar")
    if lc["symposium_week"] >= weeks:
        raise InputError(source, "learning_community.symposium_week",
                         f"week {lc['symposium_week']} is outside the horizon (weeks 0 to {weeks - 1})")
    pat = resolved["patients"]
    if pat["min_conditions"] > pat["max_conditions"]:
        raise InputError(source, "patients.min_conditions",
                         f"{pat['min_conditions']} exceeds patients.max_conditions = {pat['max_conditions']}")
    shares = pat["engagement"]
    ok = (len(shares) == 3 and all(isinstance(s, (int, float)) and not isinstance(s, bool) and s >= 0
                                   for s in shares) and abs(sum(shares) - 1) < 1e-6)
    if not ok:
        raise InputError(source, "patients.engagement",
                         f"got {shares!r}; allowed: three shares >= 0 (consulted, involved, partner) "
                         "summing to 1")
