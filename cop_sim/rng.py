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


def _absorb(pool: list[int], h: int, words: list[int]) -> tuple[list[int], int]:
    """numpy SeedSequence's mixing of entropy words beyond the pool's size into the pool."""
    pool = list(pool)
    for word in words:
        for dst in range(_POOL):
            value = word ^ h
            h = (h * _MULT_A) & _M32
            value = (value * h) & _M32
            value ^= value >> 16
            r = (_MIX_L * pool[dst] - _MIX_R * value) & _M32
            pool[dst] = r ^ (r >> 16)
    return pool, h


def _start(words: list[int]) -> tuple[list[int], int]:
    """The pool after its first ``_POOL`` entropy words and the mixing of all of them together."""
    h, pool = _INIT_A, []
    for i in range(_POOL):
        value = words[i] ^ h
        h = (h * _MULT_A) & _M32
        value = (value * h) & _M32
        pool.append(value ^ (value >> 16))
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                value = pool[src] ^ h
                h = (h * _MULT_A) & _M32
                value = (value * h) & _M32
                value ^= value >> 16
                r = (_MIX_L * pool[dst] - _MIX_R * value) & _M32
                pool[dst] = r ^ (r >> 16)
    return pool, h


_OUT = []  # generate_state's hash constants before and after each of the 8 uint32 words
_hb = _INIT_B
for _ in range(8):
    _OUT.append((_hb, (_hb * _MULT_B) & _M32))
    _hb = _OUT[-1][1]


def _seed_states(seed: int, keys: list[tuple[int, ...]]) -> np.ndarray:
    """``SeedSequence(seed, spawn_key=key).generate_state(4, np.uint64)`` for every key, at once.

    numpy's SeedSequence arithmetic (uint32, wrapping) in Python ints, with the entropy words all
    keys share (the seed's, the stream's) mixed once: making each SeedSequence costs ~35 us, most
    of it per call, and a run made 16 of them for the default scenario, 16,000 at 48,000
    practitioners. ``tests/test_house_speed.py`` checks the result against numpy's own.
    """
    run = _words(seed)
    run += [0] * (_POOL - len(run))  # a spawn key pads the run entropy to the pool size
    spawn = [[w for k in key for w in _words(k)] for key in keys]
    common = 0  # entropy words every key shares, after the run's
    while all(len(sp) > common for sp in spawn) and len({sp[common] for sp in spawn}) == 1:
        common += 1
    pool, h = _start(run[:_POOL])
    pool, h = _absorb(pool, h, run[_POOL:] + spawn[0][:common] if spawn else [])
    rest = [sp[common:] for sp in spawn]
    if len(keys) >= 32 and len({len(r) for r in rest}) == 1:  # many keys: the words they differ in
        mine = _absorb(pool, h, list(np.array(rest, dtype=np.uint64).reshape(len(keys), -1).T))[0]
        # as uint64 columns: every product is masked to 32 bits, so the arithmetic is the same
        cols = [((mine[dst % _POOL] ^ before) * after) & _M32 for dst, (before, after) in enumerate(_OUT)]
        low_first = np.stack([np.broadcast_to(c ^ (c >> 16), len(keys)) for c in cols], axis=1).astype("<u4")
    else:
        out = []
        for r in rest:
            mine = _absorb(pool, h, r)[0]
            for dst, (before, after) in enumerate(_OUT):
                value = ((mine[dst % _POOL] ^ before) * after) & _M32
                out.append(value ^ (value >> 16))
        low_first = np.array(out, dtype="<u4").reshape(len(keys), 8)
    return low_first.view("<u8").astype(np.uint64)  # (keys, 4)


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
