"""Building the CoP model's population: practitioners trained by discipline, CoPs, patients from the world.

The CoPs come already expanded (``composition.expand_cops``); the world is drawn elsewhere,
from its own stream, so every condition of a replication faces the same one.
"""

from __future__ import annotations

import numpy as np

from cop_sim.composition import by_cop, lay_out
from cop_sim.cop import audit, careteam, network
from cop_sim.cop.package import package as change_package
from cop_sim.cop.queue import NEVER, first_request
from cop_sim.cop.state import (
    ENGAGEMENT_WEIGHT,
    PLAN_DTYPE,
    SLOT_DTYPE,
    SOCIAL,
    Cops,
    Patients,
    Practitioners,
)
from cop_sim.cop.world.landscape import World, site_mix
from cop_sim.vocab import DISCIPLINES

TRAINING_NOISE = 0.05  # individual spread of trained beliefs around the discipline's (assumption)
PREFERENCE_STEP = 0.25  # lead of a preferred practice in uninformed beliefs (only the order matters)


def discipline_tables(resolved: dict) -> dict[str, np.ndarray]:
    """Per-discipline parameter vectors, indexed by discipline number."""
    d = resolved["disciplines"]
    keys = ("status", "clinical_hours", "contact_share", "panel_share", "guideline_confidence",
            "context_insight", "person_centred", "inclusion")
    out = {k: np.array([float(d[name][k]) for name in DISCIPLINES]) for k in keys}
    out["uninformed"] = resolved["practice"]["prior"] == "uninformed"
    return out


def trial_values(world: World) -> np.ndarray:
    """What training teaches of each practice: its value alone, for a patient without social needs.

    This is the evidence of single-disease trials: right in isolation, silent on combinations
    and on social context (Eppstein et al. 2012: dissemination of trial results).
    """
    T, A = world.n_topics, world.n_practices
    out = world.base[0].copy()
    if world.K > 0:
        alone = sum(A * (A + 1) ** j for j in range(world.K))  # every partner at level A (absent)
        out = (1 - world.ruggedness) * out + world.ruggedness * world.inter[:, :, alone]
    return out.reshape(T, A)


def uninformed_beliefs(n: int, world: World, rng: np.random.Generator):
    """March (1991)'s random beliefs: on each topic a preference for one practice, or for none.

    Each of the A + 1 options is equally likely (1/3 each with two practices, March's -1, 0, +1);
    a preference is a lead of :data:`PREFERENCE_STEP` over the other practices, all at 0.5.
    """
    T, A = world.n_topics, world.n_practices
    pick = rng.integers(0, A + 1, (n, SOCIAL, T))  # A = no preference
    # one preference per social context, the same in every partner context (nothing known of them)
    pick = np.repeat(pick, world.n_bctx // SOCIAL, axis=1)
    mu = np.full((n, world.n_bctx, T, A), 0.5)
    mu += PREFERENCE_STEP * (pick[..., None] == np.arange(A))
    return mu, np.ones((n, world.n_bctx, T, A))


def trained_beliefs(disc: np.ndarray, tab: dict, world: World, rng: np.random.Generator):
    """Starting belief means and precisions for practitioners of disciplines ``disc``."""
    if tab.get("uninformed"):
        return uninformed_beliefs(len(disc), world, rng)
    mu, prec = _training(disc, tab, world)
    mu += _individual(rng, len(disc), world)
    return np.clip(mu, 0.0, 1.0), prec


def _individual(rng: np.random.Generator, n: int, world: World) -> np.ndarray:
    """Each practitioner's own spread around what training teaches, float64[n, n_bctx, T, A].

    Drawn per social context and repeated over partner contexts: training teaches a practice's
    value alone, and one's own version of that lesson is the same whichever partners are present
    (the same draws, in the same order, with either ``practice.belief_context``).
    """
    noise = rng.normal(0.0, TRAINING_NOISE, (n, SOCIAL, world.n_topics, world.n_practices))
    return np.repeat(noise, world.n_bctx // SOCIAL, axis=1)


def _training(disc: np.ndarray, tab: dict, world: World):
    """What training teaches each discipline, before individual noise: (mean, precision).

    Trials teach the value alone (every partner absent), and training fills every belief context
    with it: only learning, not training, tells a practice's value in combination.
    """
    T, A = world.n_topics, world.n_practices
    n_disc = len(tab["person_centred"])
    # per discipline first, then one gather: the same numbers with fewer passes over N x B x T x A
    mu = np.broadcast_to(trial_values(world), (n_disc, world.n_bctx, T, A)).copy()
    pc = world.person_centred.astype(float)
    # person-centred training believes more (or less) in person-centred practices than trials show
    mu += (tab["person_centred"] - 0.5)[:, None, None, None] * pc
    prec = np.ones((n_disc, world.n_bctx, T, A))
    guideline = np.zeros((T, A))
    guideline[: world.n_conditions, 0] = 1.0  # biomedical training is confident about guidelines
    prec += tab["guideline_confidence"][:, None, None, None] * guideline
    return mu[disc], prec[disc]


def _spans(cop: np.ndarray, n_cops: int) -> list:
    """Each CoP's members as a slice (``lay_out`` places a CoP's members together), else indices."""
    out = []
    for rows in by_cop(cop, n_cops):
        whole = len(rows) and rows[-1] - rows[0] + 1 == len(rows)
        out.append(slice(int(rows[0]), int(rows[-1]) + 1) if whole else rows)
    return out


def trained_priorities(disc: np.ndarray, tab: dict, world: World) -> np.ndarray:
    """What each practitioner thinks matters to patients: conditions first for biomedical training.

    Seed 000 (J Clin Nurs 2017, 2020): biomedical training puts conditions first; nurses and social
    and community workers give more weight to daily life. Weights sum to one.
    """
    pc = tab["person_centred"][disc][:, None]
    cond = np.arange(world.n_topics) < world.n_conditions
    w = np.where(cond, 1.0 - 0.5 * pc, pc)
    total = w.sum(axis=1, keepdims=True)  # 0 with no condition topics and person_centred = 0
    return np.where(total > 0, w / np.where(total > 0, total, 1.0), 1.0 / world.n_topics)


def build(resolved: dict, cops: list[dict], world: World, rngs: list[np.random.Generator],
          rngs_network: list[np.random.Generator] | None = None):
    """Draw the starting state: practitioners, patients and CoPs. Returns (pr, pa, cp, tab).

    ``rngs_network``: each CoP's own generator of the ``network`` stream (the advice network's ties,
    drawn only when ``network.enabled``; none: no network).

    ``rngs`` holds each CoP's own generator (of the ``init`` stream): every draw for a CoP's
    members, patients and representative comes from it, so one CoP's settings never shift
    another's draws.
    """
    tab = discipline_tables(resolved)
    disc, cop, slot, members = lay_out(cops)
    n, n_cops, T = len(disc), len(cops), world.n_topics
    meeting = resolved["meeting"]
    spans = _spans(cop, n_cops)
    B = world.n_bctx  # belief contexts (context.py)
    if tab.get("uninformed"):
        mu, prec = np.empty((n, B, T, world.n_practices)), np.empty((n, B, T, world.n_practices))
    else:  # the same numbers as trained_beliefs CoP by CoP, with the draws-free part done at once
        mu, prec = _training(disc, tab, world)
    engagement = np.empty(n)
    for c, rows in enumerate(spans):
        size = len(disc[rows])
        if tab.get("uninformed"):
            mu[rows], prec[rows] = uninformed_beliefs(size, world, rngs[c])
        elif isinstance(rows, slice):  # a view: noise and clip while the CoP's rows are in cache
            view = mu[rows]
            view += _individual(rngs[c], size, world)
            np.clip(view, 0.0, 1.0, out=view)
        else:
            mu[rows] = np.clip(mu[rows] + _individual(rngs[c], size, world), 0.0, 1.0)
        engagement[rows] = np.clip(rngs[c].normal(meeting["engagement_mean"], meeting["engagement_sd"],
                                                  size), 0.05, 1.0)
    pr = Practitioners(
        disc=disc, cop=cop, slot=slot, status=tab["status"][disc], hours=tab["clinical_hours"][disc],
        contact=tab["contact_share"][disc], engagement=engagement,
        insight=tab["context_insight"][disc], mu=mu, prec=prec, P=trained_priorities(disc, tab, world),
        habit=tab["inclusion"][disc].copy(), m_joint=np.full(n, np.nan), m_solo=np.full(n, np.nan),
        told_by=np.full((n, B, T, world.n_practices), -1, dtype=SLOT_DTYPE),
        told_val=np.zeros((n, B, T, world.n_practices)), debt=np.zeros(n), cop_hours=np.zeros(n),
        attended=np.zeros(n, dtype=bool), st_patient=np.full(n, -1, dtype=np.int64),
        st_surprise=np.zeros(n), score=np.full(n, np.nan), review_from=np.full(n, -1, dtype=np.int64),
        visit_time=np.ones(n),
        heard=np.zeros(n, dtype=np.int64),
        changes=np.zeros(n),
        **audit.empty_ring(n, audit.ring_length(resolved)),
        ties=network.build(resolved, members, cop, rngs_network) if rngs_network else network.none(n),
    )
    pa = build_patients(resolved, world, tab["panel_share"][disc], cop, n_cops, rngs, spans)
    cp = build_cops(resolved, cops, members, pa, world, rngs)
    # care teams last: their draws follow every other draw of the CoP's (none at team.size = 1)
    careteam.owners(resolved, disc, cop, pr.hours, pa.ctx, world, rngs, spans, out=pa.owner)
    return pr, pa, cp, tab


def build_patients(resolved: dict, world: World, panel_share: np.ndarray, cop: np.ndarray, n_cops: int,
                   rngs: list[np.random.Generator], spans: list | None = None) -> Patients:
    """Each CoP's patients, drawn from its own mix over the world's catalogue of contexts.

    ``rngs[c]`` draws CoP c's mix and its members' panels (see :func:`build`); ``spans[c]`` are
    its members' rows (default: from ``cop``).
    """
    pat = resolved["patients"]
    n, ppp, T = len(cop), pat["per_practitioner"], world.n_topics
    prevalence = np.full(world.n_conditions, pat["condition_prevalence"])
    ctx = np.empty((n, ppp), dtype=np.int64)
    level = np.empty((n, ppp), dtype=np.int64)
    asked = np.empty((n, ppp), dtype=np.int64)
    tie = np.empty((n, ppp))
    weekly = np.empty((n, ppp))
    for c, rows in enumerate(_spans(cop, n_cops) if spans is None else spans):
        rng, size = rngs[c], len(cop[rows])
        cum = np.cumsum(site_mix(world, prevalence, pat["social_need_prevalence"],
                                 resolved["world"]["site_spread"], rng))
        u = rng.random((size, ppp))
        mine = np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1)
        mine[rng.random((size, ppp)) >= panel_share[rows, None]] = -1
        ctx[rows] = mine
        weekly[rows] = demand(resolved, world, mine)
        level[rows] = rng.choice(3, size=(size, ppp), p=pat["engagement"])
        asked[rows] = np.where(mine >= 0, first_request(weekly[rows], rng), NEVER)
        tie[rows] = rng.random((size, ppp))
    plans = np.full((n, ppp, T), -1, dtype=PLAN_DTYPE)
    return Patients(
        ctx=ctx, demand=weekly, engage=ENGAGEMENT_WEIGHT[level], asked=asked, tie=tie,
        plan=plans, tried=np.full((n, ppp), -1, dtype=np.int64), joint=np.zeros((n, ppp), dtype=bool),
        inc_plan=plans.copy(), inc_mean=np.full((n, ppp), -np.inf), inc_n=np.zeros((n, ppp)),
        seen_week=np.full((n, ppp), -1, dtype=np.int64), known=np.zeros((n, ppp), dtype=bool),
        health=np.full((n, ppp, T), 0.5), health_week=np.zeros((n, ppp), dtype=np.int64),
        obs=np.zeros((n, ppp, T)), obs_plan=plans.copy(), reviewed=np.full((n, ppp), -1, dtype=np.int64),
        origin=np.zeros((n, ppp), dtype=PLAN_DTYPE), cls=pathway_class(world)[ctx],
        owner=np.broadcast_to(np.arange(n, dtype=np.int32)[:, None, None], (n, ppp, T)).copy(),
    )


def pathway_class(world: World) -> np.ndarray:
    """Each catalogue context's class for care pathways, int64[n_contexts + 1] (last entry: -1).

    A class is a set of conditions and a social need: contexts that differ only in priorities share
    one, named by the first such context of the catalogue. Indexed by a patient's context, the
    extra last entry maps an empty panel slot (-1) to no class.
    """
    x = np.concatenate([world.ctx_active[:, :world.n_conditions], world.ctx_social[:, None] == 1], axis=1)
    _, first, inverse = np.unique(x, axis=0, return_index=True, return_inverse=True)
    return np.append(first[inverse.reshape(-1)], -1).astype(np.int64)


def demand(resolved: dict, world: World, ctx: np.ndarray) -> np.ndarray:
    """Each patient's weekly chance of asking for a visit: more conditions, more visits; caseload."""
    prac = resolved["practice"]
    active = ctx >= 0
    n_cond = np.where(active, world.ctx_n_cond[np.maximum(ctx, 0)], 0)
    rate = prac["visit_rate"] * (1 + prac["visit_rate_per_condition"] * (n_cond - 2))
    return np.clip(rate * prac["caseload"], 0, 1) * active


def build_cops(resolved: dict, cops: list[dict], members: np.ndarray, pa: Patients, world: World,
               rngs: list[np.random.Generator]) -> Cops:
    """The CoPs' settings as arrays, their trust, empty repositories and representatives.

    ``rngs[c]`` draws CoP c's representative among its own patients.
    """
    n_cops, m = members.shape
    col = lambda key: np.array([spec[key] for spec in cops], dtype=float)  # noqa: E731
    led = col("moderators") > 0 if n_cops else np.zeros(0, dtype=bool)
    rep = col("representative").astype(bool) if n_cops else np.zeros(0, dtype=bool)
    rep_i, rep_k = np.full(n_cops, -1, dtype=np.int64), np.full(n_cops, -1, dtype=np.int64)
    for c in range(n_cops):
        # the representative is one of the CoP's own patients, with a real context (no oracle)
        mem = members[c][members[c] >= 0]
        rows, slots = np.nonzero(pa.ctx[mem] >= 0)
        if rep[c] and len(rows):
            pick = int(rngs[c].integers(len(rows)))
            rep_i[c], rep_k[c] = mem[rows[pick]], slots[pick]
    noise = resolved["practice"]["observation_noise"] * np.where(
        col("mentor").astype(bool), resolved["meeting"]["pdsa_noise"], 1.0) if n_cops else np.zeros(0)
    shape = (n_cops, world.n_bctx, world.n_topics, world.n_practices)
    n_ctx = len(world.ctx_social)
    return Cops(
        members=members, trust=np.full((n_cops, m + 1, m + 1), resolved["meeting"]["initial_trust"]),
        R_mu=np.zeros(shape), R_prec=np.zeros(shape),
        skill=np.where(led, col("moderator_skill"), 0.0), preparation=np.where(led, col("preparation"), 0.0),
        documentation=np.where(led, col("documentation"), 0.0), mentor=col("mentor").astype(bool),
        representative=rep & (rep_i >= 0), meeting_hours=col("meeting_hours"),
        cases=col("cases_per_meeting").astype(np.int64), rep_i=rep_i, rep_k=rep_k, noise=noise,
        path_plan=np.full((n_cops, n_ctx, world.n_topics), -1, dtype=PLAN_DTYPE),
        path_value=np.zeros((n_cops, n_ctx)), path_n=np.zeros((n_cops, n_ctx)),
        path_week=np.full((n_cops, n_ctx), -1, dtype=np.int64),
        package=change_package(resolved),
    )
