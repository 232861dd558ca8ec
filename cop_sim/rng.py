"""Named random streams derived from one seed, so one part's draws never shift another's.

A stream's draws that belong to one CoP come from that CoP's own child of the stream
(:func:`cop_stream`, keyed by the CoP's name), so a change to one CoP leaves every other CoP's
draws as they were, unless the CoPs are tied (docs/ODD.md, 4.9).
"""

from __future__ import annotations

import zlib

import numpy as np
from numpy.random.bit_generator import ISeedSequence


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


# numpy's SeedSequence (numpy/random/bit_generator.pyx), its constants: the hash of the entropy
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R, _POOL, _M32 = 0xCA01F9DD, 0x4973F715, 4, 0xFFFFFFFF


def _words(value: int) -> list[int]:
    """A non-negative int as numpy's SeedSequence takes it: 32-bit words, least significant first."""
    out = []
    while True:
        out.append(value & _M32)
        value >>= 32
        if not value:
            return out


def _seed_states(seed: int, keys: list[tuple[int, ...]]) -> np.ndarray:
    """``SeedSequence(seed, spawn_key=key).generate_state(4, np.uint64)`` for every key, at once.

    The same arithmetic as numpy's SeedSequence (uint32, wrapping), on a column per key: making
    each SeedSequence costs ~35 us, most of it per call, and a run at 48,000 practitioners made
    16,000 of them. ``tests/test_house_speed.py`` checks the result against numpy's own.
    """
    run = _words(seed)
    run += [0] * (_POOL - len(run))  # a spawn key pads the run entropy to the pool size
    spawn = [[w for k in key for w in _words(k)] for key in keys]
    ent = np.array([run + sp for sp in spawn], dtype=np.uint32).T  # (words, keys)
    h = [_INIT_A]

    def hashmix(value: np.ndarray) -> np.ndarray:
        value = value ^ np.uint32(h[0])
        h[0] = (h[0] * _MULT_A) & _M32
        value = value * np.uint32(h[0])
        return value ^ (value >> np.uint32(16))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r = np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y
        return r ^ (r >> np.uint32(16))

    zero = np.zeros(ent.shape[1], dtype=np.uint32)
    pool = [hashmix(ent[i] if i < len(ent) else zero) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(ent)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(ent[src]))
    hb, state = _INIT_B, []
    for dst in range(8):  # 4 uint64 words
        value = pool[dst % _POOL] ^ np.uint32(hb)
        hb = (hb * _MULT_B) & _M32
        value = value * np.uint32(hb)
        state.append(value ^ (value >> np.uint32(16)))
    low_first = np.stack(state, axis=1).astype("<u4")  # (keys, 8)
    return np.ascontiguousarray(low_first).view("<u8").astype(np.uint64)  # (keys, 4)


class _State(ISeedSequence):
    """A seed sequence's first 4 uint64 words, computed already (what PCG64 asks of it)."""

    def __init__(self, words: np.ndarray):
        self.words = words

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        assert n_words == 4 and np.dtype(dtype) == np.uint64, "PCG64 asks for 4 uint64 words"
        return self.words.copy()


def cop_streams(seed: int, name: str, cops: list[str]) -> list[np.random.Generator]:
    """:func:`cop_stream` for each of ``cops``: the same generators, made in one pass (~10 us each)."""
    if not cops:
        return []
    states = _seed_states(int(seed), [(_key(name), _key(cop)) for cop in cops])
    return [np.random.Generator(np.random.PCG64(_State(w))) for w in states]


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
        new = [cop for cop in dict.fromkeys(cops) if (name, cop) not in self._cops]
        for cop, gen in zip(new, cop_streams(self.seed, name, new), strict=True):
            self._cops[name, cop] = gen
        return [self._cops[name, cop] for cop in cops]
