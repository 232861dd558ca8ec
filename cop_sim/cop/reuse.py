"""Reuse of a replication's fixed work across its arms: the state after the burn-in, bit for bit.

With common random numbers the arms of one replication share a seed, so they share the world
(already kept per process by ``world.landscape._cached``, keyed by the seed and every ``[world]``
setting) and, when the arms differ only in what acts from week 0 on (meeting frequency,
moderation, sessions, ...), the state after the burn-in. Here the burn-in's result is kept per
process, in a small LRU cache, and served to a later run only where a rebuild would give the
same bits:

- the key holds the seed, the world's build arguments, every knob
  (:class:`~cop_sim.cop.state.Knobs`) but those of :data:`KN_UNREAD`, which no kernel of the
  burn-in reads, the week settings its care reads (:data:`WK_READ`), its length and clock;
- a hit also needs the run's state before the burn-in to equal the cached one bit for bit:
  every array the RunRef lends (practitioners, patients, CoPs, scratch and recorder arrays)
  and every generator's state, except the CoP arrays of :data:`CP_UNREAD`, which no kernel of
  the burn-in reads or writes (care.py, judge.py, plan.py, visit.py, careteam.py, review.py,
  travel.py, tally.py, queue.py: read in full), so arms may differ in them. Whatever else a
  parameter changes shows up in those arrays, so the check needs no list of "harmless" keys;
- on a hit the cached post-burn-in values are copied INTO the run's own arrays (``a[...] =``)
  and the generators' states are set in place: the owner record (``cop_sim.cop.owners``) stays
  the single owner of every array the kernels read.

A run therefore never depends on what else ran in its process. Reuse is off unless switched on
(:func:`reusing`); off, the model takes exactly the path it took before this module existed.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:  # the runners import this module for any model: no compiled code at import
    from cop_sim.cop.owners import Owners

# Fields of Cops that no kernel of the burn-in (week._care -> care.care_week and what it calls)
# reads or writes: meetings, sessions, the repository and events use them, care does not.
# cp.noise, cp.trust, cp.members, cp.package and cp.path_* ARE read by care, so they are compared.
CP_UNREAD = frozenset({"skill", "preparation", "documentation", "mentor", "representative", "meeting_hours",
                       "cases", "rep_i", "rep_k", "R_mu", "R_prec"})
# Knobs no kernel of the burn-in reads: no module that care.py imports (transitively) reads them as
# ``kn.NAME``, and kn reaches no function under another name (tests/test_reuse.py re-checks both).
# Every other knob is in the key.
KN_UNREAD = frozenset({"att_pressure", "cocreation_rate", "code_rate", "configurations", "consensus_rate",
                       "familiarity", "flattening", "repo_use", "steepness", "stepwise", "story_weight",
                       "superior"})
# The week settings the burn-in's care reads (week._care); the others act in open_week/close_week.
WK_READ = ("panel_time_share", "cop_time_from_panel", "encounter_hours")
MAX_ENTRIES = 4  # arms of a replication run one after another; a few seeds' worth suffices
MAX_BYTES = 64 * 2**20  # all kept states together (pre and post): at most this much more memory a worker
ENV = "COP_SIM_REUSE"  # "0" switches reuse off in the runners (cop_sim.experiment.runner)

_enabled = False
_cache: OrderedDict = OrderedDict()
_stats = {"hits": 0, "misses": 0, "refused": 0}


class _Entry(NamedTuple):
    pre: dict[str, np.ndarray]  # every lent array before the burn-in (copies)
    post: dict[str, np.ndarray]  # ... and after it
    gens_pre: dict[str, list]  # each stream's generators' states before the burn-in
    gens_post: dict[str, list]


def wanted() -> bool:
    """Whether the runners reuse work: yes unless the environment says ``COP_SIM_REUSE=0``."""
    return os.environ.get(ENV, "1").strip() not in ("0", "false", "no", "off")


def enabled() -> bool:
    """Whether runs in this process reuse the burn-in now."""
    return _enabled


@contextmanager
def reusing(on: bool = True) -> Iterator[None]:
    """Reuse the burn-in (``on``) within the block; the previous setting after it."""
    global _enabled
    before, _enabled = _enabled, bool(on)
    try:
        yield
    finally:
        _enabled = before


def clear() -> None:
    """Forget every kept state and zero the counters."""
    _cache.clear()
    for k in _stats:
        _stats[k] = 0


def stats() -> dict[str, int]:
    """Hits, misses and refusals (a burn-in that wrote a field claimed unread: not kept) so far."""
    return dict(_stats)


def _arrays(owners: Owners) -> dict[str, np.ndarray]:
    """Every array the run's RunRef lends, by name, except the world's (in the key) and generators."""
    out = {}
    for part in ("pr", "pa", "cp"):
        for name, a in getattr(owners, part)._asdict().items():
            out[f"{part}.{name}"] = a
    for name in owners._fields:
        if name not in ("pr", "pa", "cp", "world", "k", "gens") and not name.startswith("rng_"):
            out[name] = getattr(owners, name)
    return out


def _states(owners: Owners) -> dict[str, list]:
    return {name: [g.bit_generator.state for g in gs] for name, gs in owners.gens.items()}


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit for bit (NaN equals NaN of the same bits; -0.0 differs from 0.0)."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _unread(name: str) -> bool:
    return name.startswith("cp.") and name[3:] in CP_UNREAD


def _matches(entry: _Entry, arrays: dict[str, np.ndarray], gens: dict[str, list]) -> bool:
    if arrays.keys() != entry.pre.keys() or gens != entry.gens_pre:
        return False
    return all(_unread(n) or _same(a, entry.pre[n]) for n, a in arrays.items())


def burn_in(owners: Owners, run, kn, wk, weeks: int, clock: int, world_key: tuple) -> bool:
    """``week.burn_in`` of the run, or its cached result when a rebuild would give the same bits.

    Args:
        owners: the run's owner record (the arrays are written in place).
        run, kn, wk, weeks, clock: as :func:`cop_sim.cop.week.burn_in` takes them.
        world_key: the world's build arguments (seed, ``[world]``, conditions, belief layout).

    Returns:
        Whether the state came from the cache.
    """
    knobs = tuple((f, v) for f, v in zip(kn._fields, kn, strict=True) if f not in KN_UNREAD)
    key = (world_key, knobs, tuple(getattr(wk, f) for f in WK_READ), int(weeks), int(clock))
    arrays, gens = _arrays(owners), _states(owners)
    entry = _cache.get(key)
    if entry is not None and _matches(entry, arrays, gens):
        for name, a in arrays.items():
            if not _unread(name):
                a[...] = entry.post[name]
        for name, gs in owners.gens.items():
            for g, state in zip(gs, entry.gens_post[name], strict=True):
                g.bit_generator.state = state
        _cache.move_to_end(key)
        _stats["hits"] += 1
        return True
    from cop_sim.cop import week  # compiled: imported by the model anyway before this runs

    _stats["misses"] += 1
    if _size(arrays) * 2 > MAX_BYTES:  # never kept, so never copied (48,000 practitioners: ~0.7 GB a copy)
        week.burn_in(run, kn, wk, weeks, clock)
        return False
    pre = {n: a.copy() for n, a in arrays.items()}
    week.burn_in(run, kn, wk, weeks, clock)
    post = {n: a.copy() for n, a in arrays.items()}
    if not all(_same(pre[n], post[n]) for n in pre if _unread(n)):
        _stats["refused"] += 1  # the burn-in wrote a field claimed unread: never serve it
        return False
    _cache.pop(key, None)  # a newer state under the same key replaces the older one
    _cache[key] = _Entry(pre, post, gens, _states(owners))
    while len(_cache) > MAX_ENTRIES or sum(_size(e.pre) * 2 for e in _cache.values()) > MAX_BYTES:
        _cache.popitem(last=False)  # the least recently used
    return False


def _size(arrays: dict[str, np.ndarray]) -> int:
    return sum(a.nbytes for a in arrays.values())
