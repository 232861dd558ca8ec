"""Parameters of the March (1991) model: value, unit, range and origin.

Sources: March JG (1991) Exploration and exploitation in organizational learning,
Organization Science 2(1):71-87 ("March 1991"); Christensen M (2015) on the update order
and gradual socialisation; Workiewicz's replication (2019) on the termination rule.
"""

from __future__ import annotations

from cop_sim.names import plain_name
from cop_sim.params import Param, Spec

_M91 = "March 1991"

MIX_SPEC: Spec = {
    "fast_share": Param(0.0, "share of individuals who socialise at mix.p1_fast instead of p1 "
                             "(0 = a homogeneous population)", "0-1", 0.0, 1.0,
                        "March 1991, heterogeneous socialisation rates"),
    "p1_fast": Param(0.9, "socialisation rate of the fast learners", "per dimension per period",
                     0.0, 1.0, "March 1991 (fast learners p1 = .9)"),
}

SPEC: Spec = {
    "name": Param("march1991", "scenario name", kind=str, check=plain_name),
    "description": Param("", "what the scenario encodes", kind=str),
    "model": Param("march1991", "which model runs the scenario", choices=("cop", "march1991", "toy")),
    "seed": Param(1991, "seed of the run's random streams", "-", 0, 2**63 - 1),
    "m": Param(30, "dimensions of reality", "dimensions", 1, 1000, _M91),
    "n": Param(50, "individuals in an organisation", "persons", 1, 10000, _M91),
    "p1": Param(0.5, "socialisation rate: chance a belief moves one step towards a non-zero code",
                "per dimension per period", 0.0, 1.0, _M91 + "; one step per Christensen 2015"),
    "p2": Param(0.5, "code learning rate: the code adopts the superior group's majority with "
                     "probability 1 - (1 - p2)^k, k the size of the majority",
                "per dimension per period", 0.0, 1.0, _M91 + ", footnote 1"),
    "p3": Param(0.0, "turnover: chance an individual is replaced by a newcomer with random beliefs",
                "per person per period", 0.0, 1.0, _M91),
    "p4": Param(0.0, "turbulence: chance a dimension of reality flips", "per dimension per period",
                0.0, 1.0, _M91),
    "mix": MIX_SPEC,
    "iterations": Param(80, "independent organisations simulated side by side in one run "
                            "(outcomes are their averages)", "organisations", 1, 1_000_000,
                        _M91 + " (80 iterations); more for a decisive docking"),
    "periods": Param(100, "fixed horizon of runs with turnover or turbulence (no equilibrium exists)",
                     "periods", 1, 100_000, "Workiewicz replication (time limit 100)"),
    "max_periods": Param(20_000, "cap on runs that stop at equilibrium (p3 = p4 = 0); organisations "
                                 "not settled by then are reported in unsettled_share",
                         "periods", 1, 1_000_000, "assumption (equilibrium comes within ~1000)"),
    "until_equilibrium": Param(True, "with p3 = p4 = 0, run each organisation until equilibrium; "
                                     "false runs every organisation for 'periods'", kind=bool,
                               source=_M91),
}
