"""CoP meetings and cross-CoP sessions: case-based reflective learning, vectorised over CoPs."""

from __future__ import annotations

import numpy as np

from cop_sim.state import REPRESENTATIVE_STATUS, State
from cop_sim.vocab import DISCIPLINES

LOW_STATUS = 0.5  # members at or below this status count as low-status (for the V6 outcome)


def attendance(s: State, cm: np.ndarray, prm: dict, pressure: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Who of each meeting CoP's members attends: engagement, lowered by time pressure (seed 003)."""
    mem = s.members[cm]
    mask = mem >= 0
    idx = np.where(mask, mem, 0)
    p = s.engagement[idx] * (1.0 - prm["meeting"]["attendance_pressure"] * pressure[idx])
    return idx, mask & (rng.random(mask.shape) < p)


def voice(s: State, cm: np.ndarray, idx: np.ndarray, att: np.ndarray, prm: dict) -> np.ndarray:
    """How much each attendee is heard: trust received, muted by low status in a steep hierarchy.

    A skilled moderator flattens the hierarchy (seed 003; seed 000, Rev Panam Salud Publica 2007).
    """
    trust = s.trust[cm]
    n_att = att.sum(axis=1, keepdims=True)
    received = (trust * att[:, :, None]).sum(axis=1) - np.diagonal(trust, axis1=1, axis2=2) * att
    received = received / np.maximum(n_att - 1, 1)
    h = prm["hierarchy"]
    mute = h["steepness"] * (1.0 - s.status[idx]) * (1.0 - h["flattening"] * s.skill[cm, None])
    return np.where(att, (0.5 + 0.5 * received) * (1.0 - mute), 0.0)


def case_weights(s: State, cm: np.ndarray, idx: np.ndarray, att: np.ndarray, prepared: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """Topic weights of the cases discussed: the most instructive if prepared, else at random."""
    # material saturates at 1, so a prepared chair breaks ties at random, not by slot order
    noise = rng.random(att.shape)
    key = np.where(prepared[:, None], s.case_salience[idx] + 1e-6 * noise, noise)
    key = np.where(att & (s.case_salience[idx] > 0), key, -np.inf)
    rank = np.argsort(np.argsort(-key, axis=1), axis=1)
    chosen = (rank < s.cases[cm, None]) & np.isfinite(key)
    cases = s.case_need[idx]
    cases = cases / np.maximum(cases.max(axis=2, keepdims=True), 1e-12) * s.case_salience[idx][:, :, None]
    s.case_salience[idx[chosen]] = 0.0  # a discussed case is used up as material
    return (cases * chosen[:, :, None]).max(axis=1)


def cocreate(s: State, cm: np.ndarray, idx: np.ndarray, att: np.ndarray, K: np.ndarray, W: np.ndarray,
             eff: np.ndarray, gain: np.ndarray, mt: dict, rng: np.random.Generator) -> int:
    """Diverse, well-moderated groups make knowledge above anyone's in the room (seed 001).

    Adds, in place, the gain towards the co-created level on each such meeting's main topic.
    """
    n_att = att.sum(axis=1)
    present = np.zeros((len(cm), len(DISCIPLINES)), dtype=bool)
    rows = np.broadcast_to(np.arange(len(cm))[:, None], att.shape)
    present[rows[att], s.disc[idx][att]] = True
    diversity = present.sum(axis=1) / np.maximum(np.minimum(n_att, len(DISCIPLINES)), 1)
    created = rng.random(len(cm)) < mt["cocreation_rate"] * diversity * s.skill[cm] * (n_att >= 3)
    if created.any():
        rc = np.flatnonzero(created)
        topic = W[rc].argmax(axis=1)
        known = K[rc, :, topic]
        level = np.minimum(1.0, known.max(axis=1) + mt["innovation_step"])
        gain[rc, :, topic] += eff[rc, None] * np.maximum(0.0, level[:, None] - known) * att[rc]
    return int(created.sum())


def common_goals(s: State, cm: np.ndarray, idx: np.ndarray, att: np.ndarray, v: np.ndarray, mt: dict) -> None:
    """Attendees converge on the goals of whoever is heard, and towards patients' own.

    A steep hierarchy makes the goals the high-status members' (seed 003; seed 000, Rev Panam
    Salud Publica 2007); a representative pulls towards what patients want (seeds 002, 003).
    """
    P = s.P[idx]
    w = np.where(v.sum(axis=1, keepdims=True) > 0, v, att)  # nobody heard: everyone counts alike
    total = w.sum(axis=1)
    goals = (P * w[:, :, None]).sum(axis=1) / np.where(total > 0, total, 1.0)[:, None]
    P += mt["consensus_rate"] * (goals[:, None, :] - P)
    pull = (mt["representative_influence"] * (0.5 + 0.5 * s.skill[cm]) * s.representative[cm])[:, None, None]
    P += pull * (s.rep_prio[cm][:, None, :] - P)
    s.P[idx[att]] = P[att]


def hold_meetings(s: State, cm: np.ndarray, prm: dict, pressure: np.ndarray,
                  rng: np.random.Generator) -> dict[str, float]:
    """Hold the meetings of CoPs ``cm`` this week; returns the week's meeting tallies."""
    mt, h = prm["meeting"], prm["hierarchy"]
    idx, att = attendance(s, cm, prm, pressure, rng)
    member = s.members[cm] >= 0
    s.attended[idx[member]] = att[member]
    s.cop_hours[idx[att]] += np.broadcast_to(s.meeting_hours[cm, None], att.shape)[att]
    prepared = (rng.random(len(cm)) < s.preparation[cm]) | s.mentor[cm]
    W = case_weights(s, cm, idx, att, prepared, rng)
    v = voice(s, cm, idx, att, prm)
    # reflective case-based learning: attendees move towards the best voiced knowledge (seed 001)
    K = s.K[idx]
    voiced = v[:, :, None] * K
    skill = s.skill[cm]
    rep_voice = mt["representative_voice"] * (1 - h["steepness"] * (1 - REPRESENTATIVE_STATUS)
                                              * (1 - h["flattening"] * skill))
    rep_known = (s.representative[cm] * rep_voice)[:, None] * s.rep_lived[cm]
    target = np.maximum(voiced.max(axis=1), rep_known)
    best = np.take_along_axis(idx, voiced.argmax(axis=1), axis=1)
    low = (s.status[best] <= LOW_STATUS) & (voiced.max(axis=1) >= rep_known)
    contribution = (low * W).sum(axis=1) / np.maximum(W.sum(axis=1), 1e-12)
    eff = mt["learning_rate"] * (0.4 + 0.6 * skill) * np.where(prepared, 1.0, mt["unprepared_efficiency"])
    eff = eff * (1.0 + mt["mentor_boost"] * s.mentor[cm])
    gain = eff[:, None, None] * W[:, None, :] * np.maximum(0.0, target[:, None, :] - K) * att[:, :, None]
    created = cocreate(s, cm, idx, att, K, W, eff, gain, mt, rng)
    K_new = np.minimum(1.0, K + gain)
    s.K[idx[att]] = K_new[att]
    common_goals(s, cm, idx, att, v, mt)
    # attending together builds trust (seed 003)
    pair = att[:, :, None] & att[:, None, :]
    trust = s.trust[cm]
    s.trust[cm] = np.where(pair, trust + mt["trust_gain"] * (1.0 - trust), trust)
    # a documenting moderator codifies the best knowledge into the repository (seed 004)
    doc = rng.random(len(cm)) < s.documentation[cm]
    best_after = np.where(att[:, :, None], K_new, 0.0).max(axis=1)
    R = s.R[cm]
    s.R[cm] = R + (doc * mt["documentation_rate"])[:, None] * W * np.maximum(0.0, best_after - R)
    held = att.any(axis=1)
    return {
        "meetings": float(len(cm)),
        "attendees": float(att.sum()),
        "invited": float(member.sum()),
        "gain": float(gain.sum()),
        "cocreated": float(created),
        "low_contribution": float(contribution[held].sum()),
        "meetings_held": float(held.sum()),
    }


def hold_session(s: State, prm: dict) -> dict[str, float]:
    """A cross-CoP learning session or symposium: delegates and repositories learn from the best.

    Seed 002: learning between initiatives; seed 000 (PERFORM KT): the closing symposium,
    which works the same way. Delegates are each CoP's most engaged members.
    """
    lc = prm["learning_community"]
    k = lc["representatives_per_cop"]
    eng = np.where(s.mask, s.engagement[np.where(s.mask, s.members, 0)], -1.0)
    order = np.argsort(-eng, axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(s.mask, order, axis=1)
    delegates = np.take_along_axis(s.members, order, axis=1)[picked]
    if delegates.size == 0:
        return {"session_attendees": 0.0}
    best = s.K[delegates].max(axis=0)
    s.K[delegates] += lc["rate"] * np.maximum(0.0, best - s.K[delegates])
    s.R += lc["rate"] * np.maximum(0.0, s.R.max(axis=0) - s.R)
    s.cop_hours[delegates] += lc["hours"]
    return {"session_attendees": float(delegates.size)}
