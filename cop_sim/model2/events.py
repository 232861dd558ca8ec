"""Interventions in time: ``[[events]]`` that change parameters from a given week on.

An event is ``{week = W, set = {"cop.representative" = true, ...}}``. Its settings override the
scenario from week W on, ``[[cops]]`` entries included: a key under ``cop.`` is applied to the
template and to every per-CoP entry. Events are checked with the rest of the scenario, so a bad
key, a wrong type or a week outside the horizon is one line naming ``events[i]``.
"""

from __future__ import annotations

import copy

from cop_sim.params import InputError, merge, set_dotted

FIXED = ("model", "name", "description", "seed", "weeks", "burn_in", "n_cops", "world", "disciplines",
         "patients.per_practitioner", "patients.min_conditions", "patients.max_conditions", "events")


def _check_shape(events: list, source: str) -> None:
    for i, ev in enumerate(events):
        if not isinstance(ev, dict) or set(ev) - {"week", "set"} or "week" not in ev or "set" not in ev:
            raise InputError(source, f"events[{i}]", f"got {ev!r}; allowed: a table with 'week' (a whole "
                             "number) and 'set' (a table of dotted keys and values)")
        if isinstance(ev["week"], bool) or not isinstance(ev["week"], int):
            raise InputError(source, f"events[{i}].week", f"got {ev['week']!r}; allowed: a whole week number")
        if not isinstance(ev["set"], dict) or not ev["set"]:
            raise InputError(source, f"events[{i}].set", f"got {ev['set']!r}; allowed: a non-empty table of "
                             'dotted keys, e.g. {"cop.representative" = true}')


def apply(spec: dict, resolved: dict, settings: dict, source: str = "", key: str = "") -> dict:
    """The resolved scenario with an event's dotted ``settings`` applied (validated against ``spec``)."""
    override: dict = {}
    for dotted, value in settings.items():
        if not isinstance(dotted, str) or any(dotted == f or dotted.startswith(f + ".") for f in FIXED):
            raise InputError(source, f"{key}.set.{dotted}", "cannot change during a run; allowed: "
                             "CoP, practice, meeting, hierarchy, repository, turnover and learning "
                             "community settings")
        set_dotted(override, dotted, value)
    out = merge(spec, resolved, override, source, f"{key}.set.")
    if "cop" in override:  # an event overrides per-CoP entries too
        cops = copy.deepcopy(out["cops"])
        for entry in cops:
            for k, v in override["cop"].items():
                entry[k] = copy.deepcopy(out["cop"][k]) if isinstance(v, dict) else v
        out["cops"] = cops
    return out


def check(spec: dict, resolved: dict, source: str) -> list[tuple[int, dict]]:
    """Validate every event against the spec and the horizon; return them as (week, settings), sorted."""
    events = resolved["events"]
    _check_shape(events, source)
    weeks = resolved["weeks"]
    out = []
    for i, ev in enumerate(events):
        if not 0 <= ev["week"] < weeks:
            raise InputError(source, f"events[{i}].week", f"week {ev['week']} is outside the horizon "
                             f"(weeks 0 to {weeks - 1})")
        apply(spec, resolved, ev["set"], source, f"events[{i}]")
        out.append((ev["week"], ev["set"]))
    return sorted(out, key=lambda e: e[0])
