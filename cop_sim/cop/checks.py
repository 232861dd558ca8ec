"""Cross-key checks of a resolved Model 2 scenario (one line naming the key when they fail).

:func:`complete` is the one function that checks a resolved scenario and its ``[[events]]``: the
body and the scenario from each event's week on pass the same :func:`settle`. Its result is a
:class:`Scenario`, read-only, carrying those per-week scenarios for the model.
"""

from __future__ import annotations

from cop_sim.composition import check_common, expand_cops
from cop_sim.cop import audit, events, package, teams
from cop_sim.cop.spec import COP_SPEC, SPEC
from cop_sim.cop.world.spec import check_world
from cop_sim.frozen import Frozen, freeze
from cop_sim.params import InputError


class Scenario(Frozen):
    """A resolved, checked Model 2 scenario: a read-only dict plus its events, resolved by week.

    It reads, serialises and compares like the plain resolved dict (``stages`` is not part of the
    content: it follows from the dict). ``stages[j].params`` is the scenario from
    ``stages[j].week`` on, itself checked like the body.
    """

    __slots__ = ("stages",)

    def __init__(self, resolved: dict, stages: tuple[events.Stage, ...] = ()):
        super().__init__(freeze(resolved))
        object.__setattr__(self, "stages", stages)

    def __reduce__(self):
        return Scenario, (dict(self), self.stages)


def settle(resolved: dict, source: str) -> None:
    """The checks of one resolved scenario, without its events (the body or an event's stage)."""
    check_common(resolved, source, COP_SPEC)
    check_world(resolved["world"], source, resolved["patients"])
    teams.check(resolved, len(expand_cops(resolved, COP_SPEC, source)), source)
    package.check(resolved, source)
    audit.check(resolved, source)
    repo = resolved["repository"]
    if repo["socialisation"] == "stepwise" and repo["use"] > 1.0:
        raise InputError(source, "repository.use", f"got {repo['use']}; allowed: a chance in [0, 1] "
                         "when repository.socialisation = 'stepwise'")


def complete(resolved: dict, source: str) -> Scenario:
    """Check that a resolved Model 2 scenario and its events fit together; return it frozen."""
    if isinstance(resolved, Scenario):
        return resolved
    events.check_shape(resolved["events"], source)  # teams.check reads the events' settings
    settle(resolved, source)
    return Scenario(resolved, events.stages(SPEC, COP_SPEC, resolved, source, settle))
