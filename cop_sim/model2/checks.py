"""Cross-key checks of a resolved Model 2 scenario (one line naming the key when they fail)."""

from __future__ import annotations

from cop_sim.composition import MAX_COP_SIZE, _check_calendar, expand_cops
from cop_sim.model2 import events
from cop_sim.model2.spec import COP_SPEC, SPEC
from cop_sim.params import InputError
from cop_sim.world.spec import check_world


def complete(resolved: dict, source: str) -> dict:
    """Check that a resolved Model 2 scenario fits together; return it unchanged."""
    cops = expand_cops(resolved, source, COP_SPEC)
    weeks, total = resolved["weeks"], 0
    for i, cop in enumerate(cops):
        key = f"cops[{i}]" if i < len(resolved["cops"]) else "cop"
        size = sum(cop["members"].values())
        total += size
        if size > MAX_COP_SIZE:
            raise InputError(source, f"{key}.members", f"{size} members; at most {MAX_COP_SIZE} per CoP")
        if cop["moderators"] > size:
            raise InputError(source, f"{key}.moderators", f"{cop['moderators']} moderators for {size} "
                             "members; allowed: no more moderators than members")
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
        raise InputError(source, "patients.engagement", f"got {shares!r}; allowed: three shares >= 0 "
                         "(consulted, involved, partner) summing to 1")
    check_world(resolved["world"], source)
    events.check(SPEC, resolved, source)
    return resolved
