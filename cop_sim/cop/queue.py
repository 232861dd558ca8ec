"""Who is seen this week: the longest-waiting patients of a panel, up to a practitioner's capacity."""

from __future__ import annotations

import numpy as np

from cop_sim.kernel import njit, njit_inline

NEVER = 2**40  # the request week of a patient who never asks


@njit_inline
def serve(asked, tie, week, i, cap, chosen, key, order):
    """Practitioner ``i``'s patients seen this week: the longest-waiting, up to ``cap``.

    Fills ``chosen`` with their panel slots, in slot order; returns how many there are and how
    many were waiting. ``key`` and ``order`` are scratch space the size of a panel.
    """
    n_wait = 0
    for k in range(asked.shape[1]):
        if asked[i, k] <= week:
            chosen[n_wait] = k
            n_wait += 1
    if n_wait <= cap:
        return n_wait, n_wait
    # each request's random fraction breaks ties between equal waits without favouring a slot;
    # an insertion sort, as a panel is short and this runs for every practitioner over capacity
    for e in range(n_wait):
        key[e] = week - asked[i, chosen[e]] + 0.5 * tie[i, chosen[e]]
        order[e] = e
        b = e - 1
        while b >= 0 and key[order[b]] < key[e]:
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = e
    for e in range(n_wait):
        key[e] = 0.0
    for e in range(cap):
        key[order[e]] = 1.0  # reuse: marks the chosen
    n = 0
    for e in range(n_wait):
        if key[e] > 0.0:
            chosen[n] = chosen[e]
            n += 1
    return n, n_wait


@njit_inline
def weeks_to_request(u: float, p: float) -> int:
    """Weeks until a patient asks for a visit, asking with chance ``p`` each week (from uniform ``u``).

    A geometric draw by inversion: one draw per visit instead of one per patient and week.
    """
    if p >= 1.0:
        return 1
    if p <= 0.0:
        return NEVER
    return 1 + int(min(np.floor(np.log1p(-u) / np.log1p(-p)), NEVER))


@njit
def _first_requests(u, demand):
    out = np.empty(demand.shape, dtype=np.int64)
    flat, d = out.reshape(-1), demand.reshape(-1)
    for e in range(d.size):
        weeks = weeks_to_request(u[e], d[e])
        flat[e] = weeks - 1 if weeks < NEVER else NEVER
    return out


def first_request(demand: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The week of each patient's first request (week 0 is the first step; NEVER at zero demand)."""
    return _first_requests(rng.random(demand.size), demand)
