"""Cross-key checks of a resolved CoP-model scenario (one line naming the key when they fail).

:func:`complete` is the one function that checks a resolved scenario and its ``[[events]]``: the
body and the scenario from each event's week on pass the same :func:`settle`. Its result is a
:class:`Scenario`, read-only, carrying those per-week scenarios for the model.
"""

from __future__ import annotations

from cop_sim.composition import check_common, expand_cops
from cop_sim.cop import audit, events, package, teams
from cop_sim.cop.spec import COP_SPEC, SPEC
from cop_sim.cop.world.spec import check_world
from cop_sim.frozen import Frozen, FrozenList, freeze
from cop_sim.params import InputError


class Scenario(Frozen):
    """A resolved, checked CoP model scenario: a read-only dict plus its events, resolved by week.

    It reads, serialises and compares like the plain resolved dict (``stages`` is not part of the
    content: it follows from the dict). ``stages[j].params`` is the scenario from
    ``stages[j].week`` on, itself checked like the body. ``cops`` are its CoPs' full settings
    (:func:`cop_sim.composition.expand_cops`, read-only), expanded once here: the model takes
    them as given.
    """

    __slots__ = ("cops", "stages")

    def __init__(self, resolved: dict, stages: tuple[events.Stage, ...] = (), cops: FrozenList | None = None):
        super().__init__(freeze(resolved))
        object.__setattr__(self, "stages", stages)
        object.__setattr__(self, "cops", freeze(expand_cops(self, COP_SPEC)) if cops is None else cops)

    def __reduce__(self):
        return Scenario, (dict(self), self.stages, self.cops)

    def renamed(self, name: str) -> Scenario:
        """The same scenario with another ``name`` (a label: its CoPs and stages are kept)."""
        return Scenario({**self, "name": name}, self.stages, self.cops)


def settle(resolved: dict, source: str) -> FrozenList:
    """The checks of one resolved scenario, without its events (the body or an event's stage).

    Returns its CoPs' full settings, read-only: the one expansion of its ``[cop]`` and ``[[cops]]``.
    """
    cops = expand_cops(resolved, COP_SPEC, source)
    check_common(resolved, source, COP_SPEC, cops)
    check_world(resolved["world"], source, resolved["patients"])
    teams.check(resolved, len(cops), source)
    package.check(resolved, source)
    audit.check(resolved, source)
    repo = resolved["repository"]
    if repo["socialisation"] == "stepwise" and repo["use"] > 1.0:
        raise InputError(source, "repository.use", f"got {repo['use']}; allowed: a chance in [0, 1] "
                         "when repository.socialisation = 'stepwise'")
    return freeze(cops)


def complete(resolved: dict, source: str) -> Scenario:
    """Check that a resolved CoP-model scenario and its events fit together; return it frozen."""
    if isinstance(resolved, Scenario):
        return resolved
    events.check_shape(resolved["events"], source)  # teams.check reads the events' settings
    cops = settle(resolved, source)
    return Scenario(resolved, events.stages(SPEC, COP_SPEC, resolved, source, settle, cops), cops)
