"""cop_sim: an agent-based simulation of collective learning in communities of practice."""

__version__ = "0.3.0"
