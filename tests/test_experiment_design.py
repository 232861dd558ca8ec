"""Designs and seeds: order, common random numbers, seed range, shards, SALib samplers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cop_sim.experiment.design import build_design, runs, take_shard
from cop_sim.experiment.seeds import run_seed
from cop_sim.experiment.spec import Factor, parse

ROOT = Path(__file__).resolve().parent.parent


def spec(method="grid", crn=True, **sampler):
    raw = {"experiment": {"scenario": str(ROOT / "scenarios" / "default.toml"), "replications": 3,
                          "master_seed": 42, "common_random_numbers": crn},
           "sampler": {"method": method, **sampler}}
    if method == "grid":
        raw["factors"] = [{"key": "cop.moderator_skill", "levels": [0.2, 0.8]},
                          {"key": "cop.representative", "levels": [False, True]}]
    else:
        raw["factors"] = [{"key": "cop.moderator_skill", "lo": 0.1, "hi": 0.9},
                          {"key": "cop.cases_per_meeting", "lo": 1, "hi": 4}]
    return parse(raw, "test.toml")


def test_grid_is_full_factorial_last_factor_fastest():
    points = build_design(spec()).points
    assert points == [{"cop.moderator_skill": a, "cop.representative": b}
                      for a in (0.2, 0.8) for b in (False, True)]


def test_crn_shares_seeds_across_points_and_independent_does_not():
    s = spec()
    crn = runs(s, build_design(s))
    by = {(r.point, r.replication): r.seed for r in crn}
    assert all(by[(p, r)] == by[(0, r)] for p in range(4) for r in range(3))
    assert len({by[(0, r)] for r in range(3)}) == 3
    ind = runs(replace(s, crn=False), build_design(s))
    assert len({r.seed for r in ind}) == len(ind)


def test_seeds_depend_on_place_not_order_and_fit_63_bits():
    seeds = [run_seed(2**63 - 1, p, r, crn) for p in range(50) for r in range(5) for crn in (True, False)]
    assert all(0 <= s <= 2**63 - 1 and isinstance(s, int) for s in seeds)
    assert run_seed(7, 3, 2, False) == run_seed(7, 3, 2, False) != run_seed(7, 2, 3, False)
    assert run_seed(7, 3, 2, True) != run_seed(8, 3, 2, True)


def test_shards_cover_every_run_exactly_once():
    s = spec()
    all_runs = runs(s, build_design(s))
    for n in (1, 3, 5, 12, 20):
        ids = [r.run_id for i in range(n) for r in take_shard(all_runs, i, n)]
        assert sorted(ids) == sorted(r.run_id for r in all_runs)
        assert len(ids) == len(set(ids))


def test_salib_designs_have_the_documented_sizes_and_round_integers():
    morris = build_design(spec("morris", n=5, num_levels=4))
    assert len(morris) == 5 * (2 + 1)
    assert {p["cop.cases_per_meeting"] for p in morris.points} <= {1, 2, 3, 4}
    assert all(isinstance(p["cop.cases_per_meeting"], int) for p in morris.points)
    sobol = build_design(spec("sobol", n=8))
    assert len(sobol) == 8 * (2 + 2)
    lhs = build_design(spec("lhs", n=10))
    assert len(lhs) == 10 and all(0.1 <= p["cop.moderator_skill"] <= 0.9 for p in lhs.points)
    assert build_design(spec("lhs", n=10)).points == lhs.points  # the sampler is seeded


def test_experiment_round_trips_through_its_dict():
    s = spec()
    again = type(s).from_dict(s.to_dict())
    assert again == s and isinstance(again.factors[0], Factor)
