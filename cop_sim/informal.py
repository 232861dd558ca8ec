"""Between meetings: informal talk along trust ties, the repository, forgetting and turnover."""

from __future__ import annotations

import numpy as np

from cop_sim.state import State, new_engagement, new_knowledge


def informal_talk(s: State, prm: dict, rng: np.random.Generator) -> float:
    """Members talk shop with a colleague picked in proportion to trust; returns talks held.

    Shared vision travels mostly this way, nurses carrying the patient's vision (seed 000,
    J Clin Nurs 2017).
    """
    inf = prm["informal"]
    C, m = s.mask.shape
    if m < 2:
        return 0.0
    c, i = np.nonzero(s.mask & (rng.random((C, m)) < inf["rate"]))
    # exponential race: the colleague with the smallest Exp(1)/trust wins with P ~ trust
    race = rng.standard_exponential((c.size, m)) / np.maximum(s.trust[c, i], 1e-12)
    others = np.take(s.mask, c, axis=0)
    others[np.arange(c.size), i] = False
    race[~others] = np.inf
    partner = race.argmin(axis=1)
    ok = others[np.arange(c.size), partner]
    c, i, partner = c[ok], i[ok], partner[ok]
    if c.size == 0:
        return 0.0
    a, b = s.members[c, i], s.members[c, partner]
    t = s.trust[c, i, partner][:, None]
    s.K[a] += inf["learning"] * t * np.maximum(0.0, s.K[b] - s.K[a])
    s.P[a] += inf["vision"] * t * s.sharing[b][:, None] * (s.P[b] - s.P[a])
    return float(c.size)


def between_meetings(s: State, prm: dict) -> None:
    """Repository use, forgetting, and trust fading back towards its initial level."""
    inf = prm["informal"]
    gap = s.R[s.cop] - s.K
    s.K += inf["repository_use"] * np.maximum(0.0, gap)
    s.K -= prm["practice"]["forgetting"] * np.maximum(0.0, s.K - s.K0)
    s.trust += inf["trust_decay"] * (inf["initial_trust"] - s.trust)


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
