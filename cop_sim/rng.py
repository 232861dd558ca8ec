"""Named random streams derived from one seed, so one part's draws never shift another's.

A stream's draws that belong to one CoP come from that CoP's own child of the stream
(:func:`cop_stream`, keyed by the CoP's name), so a change to one CoP leaves every other CoP's
draws as they were, unless the CoPs are tied (docs/ODD.md, 4.9).
"""

from __future__ import annotations

import zlib

import numpy as np


def _key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator called ``name`` for ``seed``: independent of every other name."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(_key(name),))))


def cop_stream(seed: int, name: str, cop: str) -> np.random.Generator:
    """CoP ``cop``'s own generator of stream ``name``: a child of that stream keyed by the CoP's name.

    Keyed by name, not position, so adding, removing or reordering other CoPs leaves it as it is.
    """
    keys = (_key(name), _key(cop))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=keys)))


class Streams:
    """A lazily filled set of named generators sharing one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}
        self._cops: dict[tuple[str, str], np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            gen = self._cache[name] = stream(self.seed, name)
        return gen

    def per_cop(self, name: str, cops: list[str]) -> list[np.random.Generator]:
        """Each CoP's own generator of stream ``name``, in the order of ``cops`` (their names)."""
        out = []
        for cop in cops:
            gen = self._cops.get((name, cop))
            if gen is None:
                gen = self._cops[name, cop] = cop_stream(self.seed, name, cop)
            out.append(gen)
        return out
