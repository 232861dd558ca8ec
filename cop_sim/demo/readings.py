"""What the demo reads off a running CoP model: members' belief error, true practice values, trust.

Read-only views of the model's arrays for the pictures; nothing here changes a run, except
:func:`set_senior_beliefs`, the teaching intervention of the hierarchy lesson (the same one as
``tests/test_cop_mechanisms.py::test_whether_hierarchy_helps_depends_on_who_is_right``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cop_sim.cop.context import belief_ctx
from cop_sim.cop.world.kernels import contributions
from cop_sim.demo.controls import SENIOR_CHOICES
from cop_sim.kernel import njit

SENIOR_STATUS = 0.9  # GPs and specialists at the default ranks: the top of the hierarchy
SENIOR_CONFIDENCE = 50.0  # observations' worth: far more than a year of stories moves


@njit
def _member_error(world, pa, mu, out):
    """Mean |belief − true value| of each member over the practices in their patients' plans."""
    n, ppp = pa.ctx.shape
    v = np.empty(world.n_topics)
    for i in range(n):
        err, cnt = 0.0, 0
        for k in range(ppp):
            c = pa.ctx[i, k]
            if c < 0:
                continue
            contributions(world, c, pa.plan[i, k], v)
            for t in range(world.n_topics):
                a = pa.plan[i, k, t]
                if a >= 0 and world.ctx_active[c, t]:
                    err += abs(mu[i, belief_ctx(world.ctx_bctx, c, True, t), t, a] - v[t])
                    cnt += 1
        out[i] = err / cnt if cnt else np.nan


def member_belief_error(model: Any) -> np.ndarray:
    """Each practitioner's belief error about the care of their own patients (NaN: no plan yet).

    The same measure as the outcome ``belief_error`` (|belief − true value| of the practices used,
    for the patient's real context), taken over a member's whole panel instead of the week's visits.
    """
    out = np.empty(len(model.pr.disc))
    _member_error(model.k.world, model.k.pa, model.pr.mu, out)
    return out


@njit
def _true_values(world, out, n):
    v = np.empty(world.n_topics)
    for c in range(world.best_value.shape[0]):
        for t in range(world.n_topics):
            if not world.ctx_active[c, t]:
                continue
            s = belief_ctx(world.ctx_bctx, c, True, t)
            for a in range(world.n_practices):
                combo = world.best_combo[c].copy()
                combo[t] = a
                contributions(world, c, combo, v)
                out[s, t, a] += v[t]
            n[s, t, 0] += 1.0


def true_practice_values(model: Any) -> np.ndarray:
    """Mean true value of each practice on each topic, by belief context, over the catalogue.

    Each practice is valued with the other topics at the context's best plan (as in the mechanism
    test of hierarchy). Shape (belief contexts, topics, practices), as ``pr.mu[i]``.
    """
    w = model.world
    out = np.zeros((w.n_bctx, w.n_topics, w.n_practices))
    n = np.zeros((w.n_bctx, w.n_topics, 1))
    _true_values(model.k.world, out, n)
    return out / np.maximum(n, 1.0)


def set_senior_beliefs(model: Any, choice: str) -> None:
    """Give the high-status members confident beliefs that are right or wrong (a teaching setting).

    Args:
        model: A CoP model at week 0 (best with ``burn_in = 0``, so care has not moved beliefs yet).
        choice: One of :data:`SENIOR_CHOICES`; ``"as trained"`` leaves the model untouched.

    Raises:
        ValueError: ``choice`` is not one of :data:`SENIOR_CHOICES`.
    """
    if choice not in SENIOR_CHOICES:
        raise ValueError(f"senior beliefs: got {choice!r}; allowed: {', '.join(SENIOR_CHOICES)}")
    if choice == SENIOR_CHOICES[0]:
        return
    truth = true_practice_values(model)
    top = model.pr.status >= SENIOR_STATUS
    model.pr.mu[top] = truth if choice == SENIOR_CHOICES[1] else 1.0 - truth
    model.pr.prec[top] = SENIOR_CONFIDENCE


def members(model: Any, cop: int) -> np.ndarray:
    """Indices of the practitioners in CoP ``cop``, in member-slot order."""
    slots = model.cp.members[cop]
    return slots[slots >= 0]


def trust_edges(model: Any, cop: int) -> list[tuple[int, int, float]]:
    """Mutual trust between members of CoP ``cop``: (practitioner a, practitioner b, mean trust)."""
    slots = model.cp.members[cop]
    m = len(slots)
    trust = model.cp.trust[cop, :m, :m]
    out = []
    for q in range(m):
        for r in range(q + 1, m):
            if slots[q] >= 0 and slots[r] >= 0:
                out.append((int(slots[q]), int(slots[r]), float(0.5 * (trust[q, r] + trust[r, q]))))
    return out
