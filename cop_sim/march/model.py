"""The March (1991) model as a Mesa model, vectorised over independent organisations.

One :class:`MarchModel` simulates ``iterations`` independent organisations side by side:
reality, the individuals' beliefs and the organisational code live in NumPy arrays the
model owns (organisation x individual x dimension), so one period of every organisation
is a handful of array operations. Each :class:`Individual` is a Mesa agent standing for
one seat of the organisation; it carries its own socialisation rate and reads and writes
its row of the belief array in every organisation.

Organisations that reach equilibrium are frozen (their outcomes recorded) and dropped
from the working arrays, so the long tail of slow organisations costs little.
"""

from __future__ import annotations

import mesa
import numpy as np

from cop_sim.rng import stream


class Individual(mesa.Agent):
    """A member of the organisation (one seat in every simulated organisation).

    Attributes:
        index: the individual's row in the model's belief arrays.
        p1: socialisation rate, the chance per period and dimension that a belief
            differing from a non-zero code moves one step towards it.
    """

    def __init__(self, model: MarchModel, index: int, p1: float):
        super().__init__(model)
        self.index = index
        self.p1 = p1

    @property
    def beliefs(self) -> np.ndarray:
        """This individual's beliefs in each organisation still running (a writable view)."""
        return self.model.beliefs[:, self.index, :]

    @property
    def knowledge(self) -> np.ndarray:
        """Σ(belief·reality)/m in each organisation still running."""
        return (self.beliefs * self.model.reality).sum(-1) / self.model.m


class MarchModel(mesa.Model):
    """Mutual learning of individuals and an organisational code (March 1991).

    Each period: turnover, turbulence, then (1) every individual acts (a neutral belief
    acts as a fair coin), (2) individuals socialise one step towards the non-zero code,
    (3) the code learns from the superior group, those whose step-1 actions score above
    the code, taking the strict majority of their actions on a dimension with
    probability 1 - (1 - p2)^k, k the majority's margin.

    Args:
        m: dimensions of reality.
        n: individuals per organisation.
        p1s: socialisation rate of each individual (length n).
        p2: code learning rate.
        p3: turnover rate.
        p4: turbulence rate.
        iterations: independent organisations simulated together.
        seed: seed of the named random streams.
        until_equilibrium: freeze organisations at equilibrium (only meaningful with
            p3 = p4 = 0, where equilibrium is absorbing).
    """

    def __init__(self, m: int, n: int, p1s: np.ndarray, p2: float, p3: float, p4: float,
                 iterations: int, seed: int, until_equilibrium: bool = True):
        super().__init__(rng=stream(seed, "mesa"))
        self.m, self.n, self.p2, self.p3, self.p4 = m, n, p2, p3, p4
        self.iterations = iterations
        self.until_equilibrium = until_equilibrium and p3 == 0 and p4 == 0
        self._rng = {name: stream(seed, name) for name in
                     ("reality", "beliefs", "act", "socialise", "code", "turnover", "turbulence")}
        for i, p1 in enumerate(p1s):
            Individual(self, i, float(p1))
        self.p1s = np.asarray(self.agents.get("p1"), dtype=float)
        self.reality = (self._rng["reality"].integers(0, 2, (iterations, m), dtype=np.int8) * 2 - 1
                        ).astype(np.int8)
        self.beliefs = self._random_beliefs(self._rng["beliefs"], (iterations, n, m))
        self.code = np.zeros((iterations, m), dtype=np.int8)
        self.org_ids = np.arange(iterations)  # working row -> organisation
        self.settled_at = np.full(iterations, -1)
        self.final_code = np.zeros(iterations)
        self.final_individual = np.zeros(iterations)

    @staticmethod
    def _random_beliefs(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        return rng.integers(-1, 2, shape, dtype=np.int8)

    # -- outcomes ---------------------------------------------------------------------------
    def code_knowledge(self) -> np.ndarray:
        """Σ(code·reality)/m of every organisation (frozen ones at their equilibrium)."""
        out = self.final_code.copy()
        out[self.org_ids] = (self.code * self.reality).sum(-1) / self.m
        return out

    def individual_knowledge(self) -> np.ndarray:
        """Mean Σ(belief·reality)/m over the individuals of every organisation."""
        out = self.final_individual.copy()
        out[self.org_ids] = (self.beliefs * self.reality[:, None, :]).sum(-1).mean(-1) / self.m
        return out

    def code_neutral_share(self) -> float:
        """Share of code dimensions still 0, over all organisations (frozen ones have none)."""
        return float((self.code == 0).sum() / (self.iterations * self.m))

    @property
    def running_count(self) -> int:
        """Organisations not yet at equilibrium."""
        return len(self.org_ids)

    # -- one period -------------------------------------------------------------------------
    def step(self) -> None:
        """Advance every running organisation by one period."""
        if self.p3 > 0:
            self._turnover()
        if self.p4 > 0:
            flips = self._rng["turbulence"].random(self.reality.shape) < self.p4
            self.reality[flips] *= -1
        actions, scores = self._act()
        self._socialise()
        self._learn_code(actions, scores)
        if self.until_equilibrium:
            self._freeze_settled()

    def _turnover(self) -> None:
        rng = self._rng["turnover"]
        leaving = rng.random(self.beliefs.shape[:2]) < self.p3
        count = int(leaving.sum())
        if count:
            self.beliefs[leaving] = self._random_beliefs(rng, (count, self.m))

    def _act(self) -> tuple[np.ndarray, np.ndarray]:
        actions = self.beliefs.copy()
        neutral = actions == 0
        actions[neutral] = self._rng["act"].integers(0, 2, int(neutral.sum()), dtype=np.int8) * 2 - 1
        scores = (actions * self.reality[:, None, :]).sum(-1, dtype=np.int32)
        return actions, scores

    def _socialise(self) -> None:
        code = self.code[:, None, :]
        # Flat indices are cheaper than one index array per axis on the big array.
        cells = np.flatnonzero((code != 0) & (self.beliefs != code))
        if not len(cells):
            return
        person = cells // self.m % self.n
        cells = cells[self._rng["socialise"].random(len(cells)) < self.p1s[person]]
        org, dim = cells // (self.n * self.m), cells % self.m
        self.beliefs = np.ascontiguousarray(self.beliefs)  # so ravel() is a view, not a copy
        flat = self.beliefs.ravel()
        # One step towards the code: -c -> 0 and 0 -> c, i.e. add c (Christensen 2015).
        flat[cells] += self.code[org, dim]

    def _learn_code(self, actions: np.ndarray, scores: np.ndarray) -> None:
        code_score = (self.code * self.reality).sum(-1, dtype=np.int32)
        superior = (scores > code_score[:, None]).astype(np.int8)
        net = (actions * superior[:, :, None]).sum(1, dtype=np.int32)  # for +1 minus for -1
        majority = np.sign(net).astype(np.int8)
        org, dim = np.nonzero((majority != 0) & (majority != self.code))
        if not len(org):
            return
        k = np.abs(net[org, dim])
        adopt = self._rng["code"].random(len(org)) < 1.0 - (1.0 - self.p2) ** k
        self.code[org[adopt], dim[adopt]] = majority[org[adopt], dim[adopt]]

    def at_equilibrium(self) -> np.ndarray:
        """Which running organisations are at equilibrium now (absorbing when p3 = p4 = 0)."""
        # Beliefs all equal the code and the code has no neutral dimension: a shared 0
        # would still let a lucky coin beat the code and teach it.
        agree = (self.beliefs == self.code[:, None, :]).all(axis=(1, 2))
        return agree & (self.code != 0).all(axis=1)

    def _freeze_settled(self) -> None:
        settled = self.at_equilibrium()
        if not settled.any():
            return
        ids = self.org_ids[settled]
        self.final_code[ids] = (self.code[settled] * self.reality[settled]).sum(-1) / self.m
        self.final_individual[ids] = self.final_code[ids]
        self.settled_at[ids] = self.steps
        keep = ~settled
        self.org_ids = self.org_ids[keep]
        self.reality, self.beliefs, self.code = self.reality[keep], self.beliefs[keep], self.code[keep]
