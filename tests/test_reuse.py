"""Reused runs equal rebuilt ones bit for bit, for every factor of the validation library.

The arms of a replication share a seed; with reuse on (cop_sim/cop/reuse.py) a later arm may take
the state after the burn-in from an earlier one. For each factor of experiments/validation/ (its
[[factors]] levels, and each pattern's mechanism knock-out against the scenario as it is), the
arms run one after another with reuse on must give the summary and weekly series of each arm run
alone with reuse off. A world-changing factor must not be served from the cache.
"""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from cop_sim import models, scenario
from cop_sim.cop import reuse, week
from cop_sim.cop.model import CopModel
from cop_sim.cop.state import Cops, Knobs
from cop_sim.experiment.design import Run
from cop_sim.experiment.runner import _kept_points, by_seed

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "experiments" / "validation").glob("*.toml"))
SMALL = ["weeks=8", "burn_in=4"]  # the default scenario's size, a short run (the burn-in is what is reused)
FULL = ["weeks=52"]


def _factors() -> dict[str, list[dict]]:
    """Each validation factor as its arms' overrides: {label: [override, ...]}."""
    out: dict[str, list[dict]] = {}
    for path in LIBRARY:
        spec = tomllib.loads(path.read_text())
        for f in spec.get("factors", []):
            out[f["key"]] = [{f["key"]: v} for v in f["levels"]]
        for m in spec.get("pattern", {}).get("mechanism", []):
            out[f"{m['key']}=null"] = [{}, {m["key"]: m["null"]}]
    return out


FACTORS = _factors()


def _nest(flat: dict) -> dict:
    out: dict = {}
    for key, value in flat.items():
        *parents, leaf = key.split(".")
        node = out
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return out


def _resolve(arm: dict, size: list[str]) -> dict:
    return scenario.load(ROOT / "scenarios" / "default.toml", size, extra=_nest(arm))


def _bits(result) -> tuple[dict, dict]:
    """The summary and every weekly series, as bytes: equal means equal bit for bit."""
    summary = {k: np.float64(v).tobytes() if isinstance(v, float) else v for k, v in result.summary.items()}
    series = {k: np.asarray(v).tobytes() for k, v in result.series_columns().items()}
    return summary, series


def _compare(arms: list[dict], seed: int, size: list[str]) -> dict[str, int]:
    """Run the arms in sequence with reuse on, then each alone with it off; return reuse's counters."""
    resolved = [_resolve(a, size) for a in arms]
    reuse.clear()
    with reuse.reusing():
        reused = [_bits(models.simulate(r, seed)) for r in resolved]
    counts = reuse.stats()
    reuse.clear()
    for arm, r, got in zip(arms, resolved, reused, strict=True):
        want = _bits(models.simulate(r, seed))
        assert got[0] == want[0], f"{arm}: the summary differs with reuse"
        assert got[1] == want[1], f"{arm}: a weekly series differs with reuse"
    return counts


def _burn_in_sources() -> dict[str, str]:
    """The source of every cop_sim module care.py imports, transitively (the burn-in's kernels)."""

    def path(m: str) -> Path:
        p = ROOT.joinpath(*m.split("."))
        return p.with_suffix(".py") if p.with_suffix(".py").exists() else p / "__init__.py"

    seen: dict[str, str] = {}
    todo = ["cop_sim.cop.care"]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen[m] = path(m).read_text()
        for node in ast.walk(ast.parse(seen[m])):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cop_sim"):
                todo.append(node.module)
                subs = (f"{node.module}.{a.name}" for a in node.names)
                todo += [m for m in subs if path(m).exists()]
    return seen


def test_the_knobs_and_cop_fields_left_out_of_the_check_are_never_read_by_the_burn_in():
    sources = _burn_in_sources()
    assert "cop_sim.cop.judge" in sources and "cop_sim.cop.careteam" in sources
    text = "\n".join(sources.values())
    assert set(reuse.KN_UNREAD) <= set(Knobs._fields)
    read = set(re.findall(r"\bkn\.([a-z_0-9]+)", text))
    assert read and not read & reuse.KN_UNREAD
    assert not re.search(r"getattr\(kn|\bkn\[|\*kn\b", text)  # no access but kn.NAME
    # kn reaches every function under its own name, so kn.NAME above sees every read
    defs = {n.name: [a.arg for a in n.args.args] for src in sources.values()
            for n in ast.walk(ast.parse(src)) if isinstance(n, ast.FunctionDef)}
    for src in sources.values():
        for call in (n for n in ast.walk(ast.parse(src)) if isinstance(n, ast.Call)):
            for pos, arg in enumerate(call.args):
                if isinstance(arg, ast.Name) and arg.id == "kn":
                    assert defs[call.func.id][pos] == "kn", call.func.id
    assert set(reuse.CP_UNREAD) <= set(Cops._fields)
    unread = "|".join(sorted(reuse.CP_UNREAD))
    assert not re.findall(rf"\.({unread})\b", text)
    # the burn-in is week._care on repeat: it reads these week settings and no other
    care = inspect.getsource(week._care.py_func) + inspect.getsource(week.burn_in.py_func)
    assert set(re.findall(r"\bwk\.([a-z_]+)", care)) == set(reuse.WK_READ)


def test_the_validation_library_has_the_factors_this_test_covers():
    # a library that lost its factors would make the test below vacuous
    assert len(FACTORS) >= 10
    assert "cop.calendar.every_weeks" in FACTORS and "world.K" in FACTORS


@pytest.mark.parametrize("factor", sorted(FACTORS))
def test_a_reused_run_equals_a_rebuilt_one_for_every_validation_factor(factor):
    arms = FACTORS[factor]
    counts = _compare(arms, 7, SMALL)
    assert counts["hits"] + counts["misses"] == len(arms)
    assert counts["refused"] == 0  # no burn-in wrote a CoP field claimed unread


@pytest.mark.parametrize("factor", ["cop.calendar.every_weeks", "cop.moderator_skill", "cop.preparation",
                                    "learning_community.enabled", "meeting.story_weight=null"])
def test_arms_that_differ_only_from_week_0_on_are_served_from_the_cache(factor):
    # meetings, moderation, sessions, stories: none acts in the burn-in, which has no CoP
    counts = _compare(FACTORS[factor] * 2, 11, SMALL)
    assert counts == {"hits": 3, "misses": 1, "refused": 0}


def test_arms_whose_burn_in_differs_are_not_served_from_the_cache():
    # mentoring lowers the noise of observed results (cp.noise), which the burn-in's care reads
    counts = _compare(FACTORS["cop.mentor"], 11, SMALL)
    assert counts["hits"] == 0


@pytest.mark.parametrize("arms", [FACTORS["world.K"], FACTORS["world.site_spread=null"]],
                         ids=["world.K", "world.site_spread"])
def test_a_world_changing_factor_is_not_served_from_the_cache(arms):
    counts = _compare(arms, 11, SMALL)
    assert counts["hits"] == 0 and counts["misses"] == len(arms)


def test_another_seed_is_not_served_from_the_cache():
    r = _resolve({}, SMALL)
    reuse.clear()
    with reuse.reusing():
        models.simulate(r, 1)
        models.simulate(r, 2)
    assert reuse.stats()["hits"] == 0


def test_the_cache_is_bounded_in_entries_and_bytes(monkeypatch):
    r = _resolve({}, SMALL)
    reuse.clear()
    with reuse.reusing():
        for seed in range(reuse.MAX_ENTRIES + 2):
            models.simulate(r, seed)
        assert len(reuse._cache) == reuse.MAX_ENTRIES
        models.simulate(r, 0)  # the oldest seed was dropped
        assert reuse.stats()["hits"] == 0
        monkeypatch.setattr(reuse, "MAX_BYTES", 1000)
        reuse.clear()
        models.simulate(r, 1)
        models.simulate(r, 1)
    assert reuse.stats()["hits"] == 0 and not reuse._cache


def test_a_state_that_differs_before_the_burn_in_is_not_served():
    # same key (seed, world, knobs), but a practitioner's starting belief differs: the check sees it
    r = _resolve({}, SMALL)
    reuse.clear()
    with reuse.reusing():
        CopModel(r, 3)
        import cop_sim.cop.population as population

        build = population.build

        def nudged(*args, **kw):
            pr, pa, cp, tab = build(*args, **kw)
            pr.mu[0, 0, 0, 0] = np.nextafter(pr.mu[0, 0, 0, 0], 2.0)
            return pr, pa, cp, tab

        try:
            import cop_sim.cop.model as model_module

            model_module.build = nudged
            CopModel(r, 3)
        finally:
            model_module.build = build
    assert reuse.stats() == {"hits": 0, "misses": 2, "refused": 0}


def _second_of_two() -> CopModel:
    """Build the small scenario twice with reuse on; the second build must be a cache hit."""
    r = _resolve({}, SMALL)
    reuse.clear()
    with reuse.reusing():
        CopModel(r, 5)
        model = CopModel(r, 5)
    assert reuse.stats()["hits"] == 1
    return model


def test_a_hit_writes_into_the_arrays_the_run_already_lends(monkeypatch):
    # the RunRef was made over the owner's arrays before the burn-in; a hit must not rebind any
    lent: dict = {}
    real = reuse.burn_in

    def spy(owners, *args):
        lent.update({n: (id(a), a.ctypes.data) for n, a in reuse._arrays(owners).items()})
        return real(owners, *args)

    monkeypatch.setattr(reuse, "burn_in", spy)
    model = _second_of_two()
    assert {n: (id(a), a.ctypes.data) for n, a in reuse._arrays(model.owners).items()} == lent


@pytest.mark.full
def test_reuse_writes_into_the_owners_arrays():
    # a hit copies into the run's own arrays: the RunRef still lends the owner's objects (compiled check)
    from test_owners import _check, _paths, _reader  # tests/ is on the path (no package)

    model = _second_of_two()
    _check(model, _reader([p for p, _ in _paths(model.owners)]))


def test_reuse_off_is_the_default_and_the_runner_groups_arms_by_seed(monkeypatch):
    assert not reuse.enabled()
    todo = [Run("a", 0, 0, 10), Run("b", 0, 1, 20), Run("c", 1, 0, 10), Run("d", 1, 1, 20)]
    assert [r.run_id for r in by_seed(todo)] == ["a", "c", "b", "d"]
    monkeypatch.delenv(reuse.ENV, raising=False)
    assert reuse.wanted()  # the runners reuse unless told not to
    monkeypatch.setenv(reuse.ENV, "0")
    assert not reuse.wanted()


def test_the_runner_keeps_resolved_points_per_experiment_only():
    a, b = {"name": "a", "x": [1]}, {"name": "b", "x": [1]}
    kept = _kept_points(a)
    kept[0] = "resolved"
    assert _kept_points(dict(a)) is kept and _kept_points(b) == {}


@pytest.mark.full
@pytest.mark.parametrize("factor", sorted(FACTORS))
def test_a_reused_full_year_equals_a_rebuilt_one(factor):
    arms = FACTORS[factor]
    for seed in (1, 2):
        _compare(arms, seed, FULL)


def test_a_state_too_large_to_keep_is_not_copied(monkeypatch):
    """Above MAX_BYTES the burn-in runs in place: no pre and post copies (at 48,000 practitioners
    each would be most of a gigabyte), and the run is the one reuse off gives."""
    import tracemalloc

    r = _resolve({}, ["n_cops=20", "weeks=4", "burn_in=2"])
    off = models.simulate(r, 5)
    state = sum(a.nbytes for a in reuse._arrays(CopModel(r, 5).owners).values())

    def peak(limit: int) -> int:
        monkeypatch.setattr(reuse, "MAX_BYTES", limit)
        reuse.clear()
        tracemalloc.start()
        with reuse.reusing():
            CopModel(r, 5)
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top

    kept, not_kept = peak(4 * state), peak(state)  # room for both copies; room for neither
    assert kept - not_kept > 1.5 * state  # the kept one copied the state twice, the other not at all
    assert not reuse._cache and reuse.stats() == {"hits": 0, "misses": 1, "refused": 0}
    with reuse.reusing():
        on = models.simulate(r, 5)
    assert _bits(on) == _bits(off)
