"""A deterministic pyabc sampler: seeded candidates, simulated in batches, accepted in index order.

pyabc's parallel samplers reseed workers from the operating system; only its single-core
sampler is reproducible. This one keeps pyabc's own proposal, weighting and acceptance
(its ``simulate_one`` closure) but runs it twice per candidate around a batched simulation:

1. *propose*: NumPy's global state (which pyabc's priors and transitions draw from) is
   seeded from (master seed, generation, candidate index) and ``simulate_one`` runs until
   the model is asked for data, which records the proposed parameters and stops it;
2. the proposals are simulated through :class:`~cop_sim.calibration.execute.Executor`,
   each with run and noise seeds from the same triple;
3. *evaluate*: with the same seed, ``simulate_one`` proposes the same parameters again and
   the model answers with the simulated statistics; pyabc computes the distance, acceptance
   and weight. Candidates are taken in index order until the population is full.

So the population depends only on the seeds, never on the workers, batches or finishing order,
and a resumed run (pyabc's ``ABCSMC.load`` restores no random state) continues exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyabc
from pyabc.sampler import Sampler

from cop_sim.calibration.execute import PROPOSAL, candidate_seeds, seed_sequence


class Proposed(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by :class:`ReplayModel` in the propose pass, carrying the proposal."""

    def __init__(self, values: dict):
        super().__init__("proposal")
        self.values = values


class ReplayModel(pyabc.Model):
    """A pyabc model that stops at the proposal, or answers with statistics simulated elsewhere."""

    def __init__(self, name: str = "cop-sim"):
        super().__init__(name)
        self.answer: dict | None = None

    def sample(self, pars):
        """The statistics simulated for these parameters (raises :class:`Proposed` when proposing)."""
        if self.answer is None:
            raise Proposed({k: float(v) for k, v in pars.items()})
        return self.answer


class CandidateError(RuntimeError):
    """A candidate's simulation failed; carries what is needed to replay it."""


class BatchSampler(Sampler):
    """See the module docstring.

    Args:
        model: the :class:`ReplayModel` given to ``ABCSMC``.
        simulate: ``simulate(candidates) -> [(index, statistics or error)]`` in candidate order,
            a candidate being ``(index, values, run seed, noise seed)``.
        master_seed: the calibration's master seed.
        wave: candidates simulated per round before acceptance is checked (results do not
            depend on it; more keeps workers busy, fewer wastes less at the end).
        on_wave: called with ``(t, accepted, evaluated, n)`` after each round (progress).
    """

    def __init__(self, model: ReplayModel, simulate: Callable, master_seed: int, wave: int = 100,
                 on_wave: Callable | None = None):
        super().__init__()
        self.model, self.simulate, self.master_seed = model, simulate, master_seed
        self.wave, self.on_wave = wave, on_wave
        self.rate = 1.0  # last acceptance rate, to size the next generation's first round

    def _seed(self, t: int, index: int) -> None:
        np.random.seed(seed_sequence(self.master_seed, PROPOSAL, t + 1, index).generate_state(8))

    def _propose(self, simulate_one: Callable, t: int, index: int) -> dict:
        self._seed(t, index)
        self.model.answer = None
        try:
            simulate_one()
        except Proposed as p:
            return p.values
        raise RuntimeError("pyabc evaluated a candidate without asking the model")

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                ana_vars=None):
        """Propose, simulate and evaluate rounds of candidates until ``n`` are accepted."""
        sample = self._create_empty_sample()
        accepted = evaluated = start = 0
        size = n if all_accepted else max(self.wave, int(np.ceil(n / max(self.rate, 0.02))))
        while accepted < n and evaluated < max_eval:
            indices = range(start, start + size)
            proposals = [self._propose(simulate_one, t, i) for i in indices]
            candidates = [(i, v, *candidate_seeds(self.master_seed, t, i))
                          for i, v in zip(indices, proposals, strict=True)]
            results = self.simulate(candidates)
            for (i, values, seed, _), (j, stats) in zip(candidates, results, strict=True):
                assert i == j
                if isinstance(stats, str):
                    raise CandidateError(f"the simulation of candidate {i} of generation {t} failed "
                                         f"(seed {seed}, parameters {values}): {stats}")
                self._seed(t, i)
                self.model.answer = stats
                particle = simulate_one()
                sample.append(particle)
                evaluated = i + 1
                accepted += bool(particle.accepted)
                if accepted >= n or evaluated >= max_eval:
                    break
            self.model.answer = None
            start += size
            if self.on_wave:
                self.on_wave(t, accepted, evaluated, n)
            # The next round: about what is still missing at the rate seen so far.
            rate = max(accepted / evaluated, 0.02) if evaluated else 1.0
            size = max(self.wave, int(np.ceil((n - accepted) / rate)))
        if t >= 0 and evaluated:
            self.rate = accepted / evaluated
        self.nr_evaluations_ = evaluated
        if sample.n_accepted < n:
            sample.ok = False
        return sample
