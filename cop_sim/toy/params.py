"""Parameters of the toy model: one that decides the pattern, five that do nothing.

The treatment's effect is ``effect_size`` where ``split`` lies above ``threshold`` and
``-effect_size`` below it, so a pattern "the treatment raises y" holds on exactly the upper
half of ``split``'s prior. The ``irrelevant_*`` parameters enter no equation; the machinery
must find that they do not matter.
"""

from __future__ import annotations

from cop_sim.names import plain_name
from cop_sim.params import Param, Prior, Spec

_TOY = "toy model (known answer)"
_NONE = Prior(0.0, 1.0, "irrelevant by construction: enters no equation", "uniform")

SPEC: Spec = {
    "name": Param("toy", "scenario name", kind=str, check=plain_name),
    "description": Param("", "what the scenario encodes", kind=str),
    "model": Param("toy", "which model runs the scenario", choices=("toy",)),
    "seed": Param(7, "seed of the run's random stream", "-", 0, 2**63 - 1),
    "weeks": Param(26, "horizon", "weeks", 1, 1040, _TOY),
    "treated": Param(False, "whether the treatment is applied", source=_TOY),
    "split": Param(0.5, "decides the sign of the treatment's effect (above 'threshold': positive)",
                   "-", 0.0, 1.0, _TOY, prior=Prior(0.0, 1.0, "the known answer: the pattern holds "
                                                    "on exactly the upper half of this range")),
    "threshold": Param(0.5, "where 'split' changes the effect's sign", "-", 0.0, 1.0, _TOY),
    "effect_size": Param(1.0, "size of the treatment's effect on y", "y units", 0.0, 100.0, _TOY),
    "noise": Param(1.0, "sd of the weekly noise of y and of the treatment's response", "y units",
                   0.0, 100.0, _TOY),
    "crash_above": Param(1.0, "a run raises when split exceeds this (tests failed-run handling; 1 = never)",
                         "-", 0.0, 1.0, _TOY),
    "rate": Param(0.05, "a small rate that does nothing (a log-uniform prior)", "per week", 0.0, 1.0,
                  _TOY, prior=Prior(0.001, 0.1, "irrelevant by construction; a small rate",
                                    "loguniform")),
    **{f"irrelevant_{i}": Param(0.5, "does nothing (the known answer)", "-", 0.0, 1.0, _TOY, prior=_NONE)
       for i in range(1, 5)},
}
