"""CoP meetings and cross-CoP sessions: case-based reflective learning, one compiled pass per meeting."""

from __future__ import annotations

import numpy as np

from cop_sim.kernel import njit
from cop_sim.state import REPRESENTATIVE_STATUS, State
from cop_sim.vocab import DISCIPLINES

LOW_STATUS = 0.5  # members at or below this status count as low-status (for the V6 outcome)


# The meeting parameters the kernel reads, in the order it unpacks them.
MEETING_KEYS = (
    ("meeting", "attendance_pressure"), ("hierarchy", "steepness"), ("hierarchy", "flattening"),
    ("meeting", "learning_rate"), ("meeting", "unprepared_efficiency"), ("meeting", "mentor_boost"),
    ("meeting", "representative_voice"), ("meeting", "cocreation_rate"), ("meeting", "innovation_step"),
    ("meeting", "consensus_rate"), ("meeting", "representative_influence"), ("meeting", "trust_gain"),
    ("meeting", "documentation_rate"),
)
TALLY = ("meetings", "attendees", "invited", "gain", "cocreated", "low_contribution", "meetings_held")


@njit
def _choose_cases(noise, c, att, members, case_need, case_salience, prepared, n_cases, W):
    """Topic weights ``W`` of the cases discussed: the most instructive if prepared, else at random.

    ``noise`` holds a uniform draw per member slot. A discussed case is used up as material.
    """
    m, n_topics = members.shape[1], W.shape[0]
    key = np.empty(m)
    who = np.empty(m, dtype=np.int64)
    n = 0
    for q in range(m):
        i = members[c, q]
        if att[q] and case_salience[i] > 0:
            # material saturates at 1, so a prepared chair breaks ties at random, not by slot order
            key[n] = case_salience[i] + 1e-6 * noise[q] if prepared else noise[q]
            who[n] = i
            n += 1
    W[:] = 0.0
    for e in np.argsort(-key[:n])[:n_cases]:
        i = who[e]
        top = 1e-12
        for t in range(n_topics):
            top = max(top, case_need[i, t])
        for t in range(n_topics):
            W[t] = max(W[t], case_need[i, t] / top * case_salience[i])
        case_salience[i] = 0.0


@njit
def _voice(c, att, n_att, members, trust, status, mute_scale, v):
    """How much each attendee is heard: trust received, muted by low status in a steep hierarchy.

    A skilled moderator flattens the hierarchy (seed 003; seed 000, Rev Panam Salud Publica 2007).
    """
    m = members.shape[1]
    for q in range(m):
        v[q] = 0.0
        if not att[q]:
            continue
        received = 0.0
        for r in range(m):
            if att[r] and r != q:
                received += trust[c, r, q]
        received /= max(n_att - 1, 1)
        v[q] = (0.5 + 0.5 * received) * (1.0 - mute_scale * (1.0 - status[members[c, q]]))


@njit
def _meet(u, cm, pressure, K, P, engagement, attended, cop_hours, status, disc, case_need, case_salience,
          members, trust, R, skill, preparation, documentation, mentor, representative, meeting_hours,
          cases, rep_prio, rep_lived, n_disc, prm):
    """Hold the meetings of CoPs ``cm``, drawing 2m + 3 uniforms each from ``u``; returns TALLY."""
    (att_pressure, steep, flat, learning_rate, unprepared, mentor_boost, rep_voice, cocreation_rate,
     innovation_step, consensus_rate, rep_influence, trust_gain, doc_rate) = prm
    m, n_topics = members.shape[1], K.shape[1]
    tally = np.zeros(7)
    att = np.zeros(m, dtype=np.bool_)
    v, W, target, goals = np.zeros(m), np.zeros(n_topics), np.zeros(n_topics), np.zeros(n_topics)
    for e in range(len(cm)):
        c, draws = cm[e], u[e * (2 * m + 3):(e + 1) * (2 * m + 3)]
        sk = skill[c]
        # attendance: engagement, lowered by time pressure (seed 003)
        n_att = 0
        for q in range(m):
            i = members[c, q]
            att[q] = False
            if i < 0:
                continue
            tally[2] += 1.0
            att[q] = draws[q] < engagement[i] * (1.0 - att_pressure * pressure[i])
            attended[i] = att[q]
            if att[q]:
                n_att += 1
                cop_hours[i] += meeting_hours[c]
        prepared = draws[m] < preparation[c] or mentor[c]
        _choose_cases(draws[m + 1:2 * m + 1], c, att, members, case_need, case_salience, prepared, cases[c],
                      W)
        _voice(c, att, n_att, members, trust, status, steep * (1.0 - flat * sk), v)
        # reflective case-based learning: attendees move towards the best voiced knowledge (seed 001)
        rep_mute = steep * (1.0 - REPRESENTATIVE_STATUS) * (1.0 - flat * sk)
        heard_rep = representative[c] * rep_voice * (1.0 - rep_mute)
        low_w, w_sum = 0.0, 0.0
        for t in range(n_topics):
            top, best = -1.0, -1
            for q in range(m):
                if att[q] and v[q] * K[members[c, q], t] > top:
                    top, best = v[q] * K[members[c, q], t], members[c, q]
            rep_known = heard_rep * rep_lived[c, t]
            target[t] = max(top, rep_known)
            if best >= 0 and status[best] <= LOW_STATUS and top >= rep_known:
                low_w += W[t]
            w_sum += W[t]
        eff = learning_rate * (0.4 + 0.6 * sk) * (1.0 if prepared else unprepared)
        eff *= 1.0 + mentor_boost * mentor[c]
        # diverse, well-moderated groups make knowledge above anyone's in the room (seed 001)
        present = np.zeros(n_disc, dtype=np.bool_)
        for q in range(m):
            if att[q]:
                present[disc[members[c, q]]] = True
        diversity = present.sum() / max(min(n_att, n_disc), 1)
        created = draws[2 * m + 1] < cocreation_rate * diversity * sk * (n_att >= 3)
        topic, level = np.argmax(W), 0.0
        if created:
            for q in range(m):
                if att[q]:
                    level = max(level, K[members[c, q], topic])
            level = min(1.0, level + innovation_step)
        for q in range(m):
            if not att[q]:
                continue
            i = members[c, q]
            for t in range(n_topics):
                g = eff * W[t] * max(0.0, target[t] - K[i, t])
                if created and t == topic:
                    g += eff * max(0.0, level - K[i, t])
                K[i, t] = min(1.0, K[i, t] + g)
                tally[3] += g
        _common_goals(c, att, v, members, P, rep_prio, consensus_rate,
                      rep_influence * (0.5 + 0.5 * sk) * representative[c], goals)
        # attending together builds trust (seed 003)
        for q in range(m):
            for r in range(m):
                if att[q] and att[r] and q != r:
                    trust[c, q, r] += trust_gain * (1.0 - trust[c, q, r])
        # a documenting moderator codifies the best knowledge into the repository (seed 004)
        if draws[2 * m + 2] < documentation[c] and n_att > 0:
            for t in range(n_topics):
                best_after = 0.0
                for q in range(m):
                    if att[q]:
                        best_after = max(best_after, K[members[c, q], t])
                R[c, t] += doc_rate * W[t] * max(0.0, best_after - R[c, t])
        tally[0] += 1.0
        tally[1] += n_att
        tally[4] += created
        if n_att > 0:
            tally[5] += low_w / max(w_sum, 1e-12)
            tally[6] += 1.0
    return tally


@njit
def _common_goals(c, att, v, members, P, rep_prio, rate, pull, goals):
    """Attendees converge on the goals of whoever is heard, and towards patients' own.

    A steep hierarchy makes the goals the high-status members' (seed 003; seed 000, Rev Panam
    Salud Publica 2007); a representative pulls towards what patients want (seeds 002, 003).
    """
    m, n_topics = members.shape[1], P.shape[1]
    heard = v.sum() > 0  # nobody heard: everyone counts alike
    total = 0.0
    goals[:] = 0.0
    for q in range(m):
        if att[q]:
            w = v[q] if heard else 1.0
            total += w
            for t in range(n_topics):
                goals[t] += w * P[members[c, q], t]
    if total <= 0:
        return
    for q in range(m):
        if att[q]:
            i = members[c, q]
            for t in range(n_topics):
                P[i, t] += rate * (goals[t] / total - P[i, t])
                P[i, t] += pull * (rep_prio[c, t] - P[i, t])


def hold_meetings(s: State, cm: np.ndarray, prm: dict, pressure: np.ndarray,
                  rng: np.random.Generator) -> dict[str, float]:
    """Hold the meetings of CoPs ``cm`` this week; returns the week's meeting tallies."""
    cm = np.asarray(cm, dtype=np.int64)
    u = rng.random(len(cm) * (2 * s.members.shape[1] + 3))
    tally = _meet(u, cm, pressure, s.K, s.P, s.engagement, s.attended, s.cop_hours, s.status, s.disc,
                  s.case_need, s.case_salience, s.members, s.trust, s.R, s.skill, s.preparation,
                  s.documentation, s.mentor, s.representative, s.meeting_hours, s.cases, s.rep_prio,
                  s.rep_lived, len(DISCIPLINES), tuple(float(prm[a][b]) for a, b in MEETING_KEYS))
    return dict(zip(TALLY, tally.tolist(), strict=True))


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
