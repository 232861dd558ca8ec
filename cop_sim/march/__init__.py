"""March (1991) exploration and exploitation in organisational learning, for docking cop_sim.

Reproducing March's published results with cop_sim's own machinery (parameter specs,
named seed streams, scenario files, sweeps, reports) shows the framework computes what
it claims; see docs/docking.md.
"""
