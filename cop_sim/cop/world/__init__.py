"""The CoP model's clinical landscape: topics, practices, patient contexts and their exact optima."""

from cop_sim.cop.world.kernels import World, care_quality, contribution, value
from cop_sim.cop.world.landscape import build_world, site_mix
from cop_sim.cop.world.spec import WORLD_SPEC, check_world, topic_names, topic_roles

__all__ = ["WORLD_SPEC", "World", "build_world", "care_quality", "check_world", "contribution",
           "site_mix", "topic_names", "topic_roles", "value"]
