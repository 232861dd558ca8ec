"""Interventions in time: ``[[events]]`` that change parameters from a given week on.

An event is ``{week = W, set = {"cop.representative" = true, ...}}``; nested tables
(``set = {cop = {representative = true}}``) mean the same dotted keys. Its settings override the
scenario from week W on, ``[[cops]]`` entries included: a key under ``cop.`` is applied to the
template and to every per-CoP entry.

The events of one week are merged (a later event wins on a key it shares with an earlier one)
and applied once, giving the resolved scenario from that week on: a :class:`Stage`. Each stage
passes the same model check as the scenario body (``checks.settle``), so an event can set nothing
the body could not; a failure is one line naming ``events[i]``. Resolving costs one check per
distinct week, not per event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cop_sim.composition import expand_cops
from cop_sim.frozen import Frozen, freeze, thaw
from cop_sim.params import InputError, check_tree, merge, set_dotted

# Keys an event cannot change, with why: what the model builds once, at the start of a run.
_BUILT = "the model builds it once, before week 0"
FIXED = {
    "model": _BUILT, "name": "it names the run", "description": "it describes the run", "seed": _BUILT,
    "weeks": "it is the run's horizon", "burn_in": "it happens before week 0", "n_cops": _BUILT,
    "world": _BUILT, "disciplines": _BUILT, "patients.per_practitioner": _BUILT,
    "patients.min_conditions": _BUILT, "patients.max_conditions": _BUILT, "events": "events do not nest",
    "cop.members": "a CoP's members are built once (turnover.annual_rate replaces leavers)",
    "practice.belief_context": "beliefs are laid out by it once, before week 0",
    "team": "care teams are formed once, before the burn-in (a leaver's successor inherits their topics)",
    "change_package": "adherence is measured against one package for the whole run",
    "audit.measure": "audit charts record one measure from the start of the run",
    "network": "the advice network's ties are drawn once, before week 0",
}
ALLOWED = ("CoP (except members), practice, meeting, hierarchy, repository, turnover, patient care, "
           "learning community and audit (except its measure) settings")


@dataclass(frozen=True)
class Stage:
    """The scenario from ``week`` on: the week's merged dotted ``settings`` and the result."""

    week: int
    settings: Frozen  # dotted key -> value, the week's events merged
    params: Frozen  # the resolved scenario from this week on (its "events" emptied)
    first: int  # index of the week's first event in [[events]] (for messages)
    cops: tuple = ()  # its CoPs' full settings (composition.expand_cops), as the check expanded them


def check_shape(events: list, source: str) -> None:
    for i, ev in enumerate(events):
        if not isinstance(ev, dict) or set(ev) - {"week", "set"} or "week" not in ev or "set" not in ev:
            raise InputError(source, f"events[{i}]", f"got {ev!r:.200}; allowed: a table with 'week' (a "
                             "whole number) and 'set' (a table of dotted keys and values)")
        if isinstance(ev["week"], bool) or not isinstance(ev["week"], int):
            raise InputError(source, f"events[{i}].week", f"got {ev['week']!r}; allowed: a whole week number")
        if not isinstance(ev["set"], dict) or not ev["set"]:
            raise InputError(source, f"events[{i}].set", f"got {ev['set']!r:.200}; allowed: a non-empty "
                             'table of dotted keys, e.g. {"cop.representative" = true}')


def dotted(spec: dict, settings: dict, prefix: str = "") -> dict[str, Any]:
    """An event's settings as dotted keys: a nested table is read down to the spec's leaves.

    A table under a section (``{patients = {per_practitioner = 100}}``) is the same as its dotted
    keys; a table value of a leaf (``cop.members``) or of an unknown key is kept whole.
    """
    out: dict[str, Any] = {}
    for k, v in settings.items():
        key = f"{prefix}{k}"
        node: Any = spec
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(v, dict) and v:  # a section: read on down
            out.update(dotted(spec, v, key + "."))
        else:
            out[key] = v
    return out


def _fixed(key: str) -> str | None:
    parts = key.split(".")
    for n in range(1, len(parts) + 1):
        why = FIXED.get(".".join(parts[:n]))
        if why:
            return why
    return None


def check_settings(spec: dict, settings: dict, source: str, key: str) -> dict[str, Any]:
    """An event's settings as dotted keys, each a key an event may change with a valid value."""
    flat = dotted(spec, settings)
    for k, v in flat.items():
        why = _fixed(k)
        if why:
            raise InputError(source, f"{key}.set.{k}",
                             f"cannot change during a run: {why}; allowed: {ALLOWED}")
        check_tree(spec, set_dotted({}, k, v), source, f"{key}.set.")  # one key at a time: "a" and "a.b"
    return flat


def apply(spec: dict, resolved: dict, settings: dict[str, Any], source: str = "", key: str = "") -> dict:
    """A plain copy of ``resolved`` with dotted ``settings`` applied (validated against ``spec``)."""
    override: dict = {}
    for k, v in settings.items():
        set_dotted(override, k, v)
    out = merge(spec, resolved, override, source, f"{key}.set.")
    if "cop" in override:  # an event overrides per-CoP entries too
        cops = thaw(out["cops"])
        for entry in cops:
            if not isinstance(entry, dict):
                continue  # a bad entry is refused by the stage's check
            for k, v in override["cop"].items():
                entry[k] = thaw(out["cop"][k]) if isinstance(v, dict) else v
        out["cops"] = cops
    return out


def _blame(stage_settings: list[tuple[int, dict]], bad: str) -> int:
    """The event of the week whose settings a failed check's key ``bad`` is about (else the last)."""
    parts = bad.split(".")
    if parts[0].startswith("cops["):
        parts[0] = "cop"
    bad = ".".join(parts)
    for i, flat in reversed(stage_settings):
        for k in flat:
            if k == "cops" or k == bad or bad.startswith(k + ".") or k.startswith(bad + "."):
                return i
    return stage_settings[-1][0]


def stages(spec: dict, template: dict, resolved: dict, source: str,
           settle: Callable[[dict, str], list[dict]], cops: list[dict] | None = None) -> tuple[Stage, ...]:
    """Each distinct event week's resolved scenario, checked by ``settle`` (the body's own check).

    ``settle`` returns the CoPs it expanded; ``cops`` are the body's, when the caller has them.
    An event may not change how many CoPs there are or who their members are.
    """
    events = resolved["events"]
    check_shape(events, source)
    weeks = resolved["weeks"]
    by_week: dict[int, list[tuple[int, dict]]] = {}
    for i, ev in enumerate(events):
        if not 0 <= ev["week"] < weeks:
            raise InputError(source, f"events[{i}].week", f"week {ev['week']} is outside the horizon "
                             f"(weeks 0 to {weeks - 1})")
        flat = check_settings(spec, ev["set"], source, f"events[{i}]")
        by_week.setdefault(ev["week"], []).append((i, flat))
    if not by_week:
        return ()
    members = [c["members"] for c in (expand_cops(resolved, template, source) if cops is None else cops)]
    out = []
    current: dict = resolved
    for week in sorted(by_week):
        merged: dict[str, Any] = {}
        for _, flat in by_week[week]:
            merged.update(flat)
        first = by_week[week][0][0]
        try:
            current = apply(spec, current, merged, source, f"events[{first}]")
            current["events"] = []
            expanded = settle(current, source)
            now = [c["members"] for c in expanded]
            if len(now) != len(members):
                raise InputError(source, "cops", f"{len(now)} CoPs where the run has {len(members)}; "
                                 "allowed: as many [[cops]] entries as CoPs at most, the same members")
            if now != members:
                raise InputError(source, "cops", "a CoP's members changed; allowed: members fixed for "
                                 "the run (turnover.annual_rate replaces leavers)")
        except InputError as exc:
            if exc.key.startswith("events["):
                raise
            i = _blame(by_week[week], exc.key)
            raise InputError(source, f"events[{i}]",
                             f"from week {week} on, '{exc.key}': {exc.message}") from None
        current = freeze(current)
        out.append(Stage(week, freeze(merged), current, first, tuple(expanded)))
    return tuple(out)
