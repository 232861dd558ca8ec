"""Between meetings: informal talk along trust ties, the repository, forgetting and turnover."""

from __future__ import annotations

import numpy as np

from cop_sim.kernel import njit
from cop_sim.state import State, new_engagement, new_knowledge


@njit
def _talk(u, K, P, members, trust, sharing, rate, learning, vision):
    """Each member talks with probability ``rate`` to a colleague chosen in proportion to trust.

    Draws from the uniforms ``u``: two per member at most.
    """
    n_cops, m = members.shape
    n_topics = K.shape[1]
    dK = np.zeros((m, n_topics))
    dP = np.zeros((m, n_topics))
    talked = np.zeros(m, dtype=np.bool_)
    talks, at = 0, 0
    for c in range(n_cops):
        talked[:] = False
        for q in range(m):
            a = members[c, q]
            if a < 0:
                continue
            at += 2
            if u[at - 2] >= rate:
                continue
            partner = _pick(u[at - 1], trust[c, q], members[c], q)
            if partner < 0:
                continue
            b, t = members[c, partner], trust[c, q, partner]
            for k in range(n_topics):
                dK[q, k] = learning * t * max(0.0, K[b, k] - K[a, k])
                dP[q, k] = vision * t * sharing[b] * (P[b, k] - P[a, k])
            talked[q] = True
            talks += 1
        # everyone spoke from what they knew before this week's talk
        for q in range(m):
            if talked[q]:
                a = members[c, q]
                for k in range(n_topics):
                    K[a, k] += dK[q, k]
                    P[a, k] += dP[q, k]
    return talks


@njit
def _pick(x, weights, members, me):
    """The slot of a colleague of ``me`` chosen with chance in proportion to ``weights``."""
    total, last = 0.0, -1
    for r in range(len(members)):
        if r != me and members[r] >= 0:
            total += max(weights[r], 1e-12)
            last = r
    x *= total
    for r in range(len(members)):
        if r != me and members[r] >= 0:
            x -= max(weights[r], 1e-12)
            if x < 0:
                return r
    return last  # rounding left a sliver: the last colleague


def informal_talk(s: State, prm: dict, rng: np.random.Generator) -> float:
    """Members talk shop with a colleague picked in proportion to trust; returns talks held.

    Shared vision travels mostly this way, nurses carrying the patient's vision (seed 000,
    J Clin Nurs 2017).
    """
    inf = prm["informal"]
    return float(_talk(rng.random(2 * s.n), s.K, s.P, s.members, s.trust, s.sharing, inf["rate"],
                       inf["learning"], inf["vision"]))


@njit
def _between(K, K0, R, cop, trust, repository_use, forgetting, trust_decay, initial_trust):
    """Learn from the repository, forget towards the starting profile, let trust fade."""
    n, n_topics = K.shape
    for i in range(n):
        for k in range(n_topics):
            x = K[i, k] + repository_use * max(0.0, R[cop[i], k] - K[i, k])
            K[i, k] = x - forgetting * max(0.0, x - K0[i, k])
    flat = trust.reshape(-1)
    for e in range(flat.size):
        flat[e] += trust_decay * (initial_trust - flat[e])


def between_meetings(s: State, prm: dict) -> None:
    """Repository use, forgetting, and trust fading back towards its initial level."""
    inf = prm["informal"]
    _between(s.K, s.K0, s.R, s.cop, s.trust, inf["repository_use"], prm["practice"]["forgetting"],
             inf["trust_decay"], inf["initial_trust"])


def turnover(s: State, prm: dict, tab: dict[str, np.ndarray], rng: np.random.Generator) -> int:
    """Practitioners leave at the annual rate; a newcomer of the same discipline takes the place.

    What the leaver knew leaves too; the newcomer learns from the repository (seed 002:
    continuity of participants).
    """
    tv = prm["turnover"]
    weekly = 1.0 - (1.0 - tv["annual_rate"]) ** (1.0 / 52.0)
    leave = np.flatnonzero(rng.random(s.n) < weekly)
    if leave.size == 0:
        return 0
    d = s.disc[leave]
    K = new_knowledge(tab["knowledge"][d], rng)
    s.K0[leave] = K
    s.K[leave] = K + tv["onboarding"] * np.maximum(0.0, s.R[s.cop[leave]] - K)
    s.P[leave] = tab["priorities"][d]
    s.engagement[leave] = new_engagement(leave.size, prm["meeting"], rng)
    s.case_need[leave] = 0.0
    s.case_salience[leave] = 0.0
    s.attended[leave] = False
    c, sl = s.cop[leave], s.slot[leave]
    init = prm["informal"]["initial_trust"]
    s.trust[c, sl, :] = init
    s.trust[c, :, sl] = init
    return int(leave.size)
