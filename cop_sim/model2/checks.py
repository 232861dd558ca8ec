"""Cross-key checks of a resolved Model 2 scenario (one line naming the key when they fail)."""

from __future__ import annotations

from cop_sim.composition import check_common, expand_cops
from cop_sim.model2 import events, teams
from cop_sim.model2.spec import COP_SPEC, SPEC
from cop_sim.params import InputError
from cop_sim.world.spec import check_world


def complete(resolved: dict, source: str) -> dict:
    """Check that a resolved Model 2 scenario fits together; return it unchanged."""
    check_common(resolved, source, COP_SPEC)
    check_world(resolved["world"], source)
    events.check(SPEC, resolved, source)
    teams.check(resolved, len(expand_cops(resolved, COP_SPEC, source)), source)
    repo = resolved["repository"]
    if repo["socialisation"] == "stepwise" and repo["use"] > 1.0:
        raise InputError(source, "repository.use", f"got {repo['use']}; allowed: a chance in [0, 1] "
                         "when repository.socialisation = 'stepwise'")
    return resolved
