"""Weekly outcomes, recorded into a preallocated array (cheaper than a per-reporter DataCollector)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim.kernel import njit
from cop_sim.state import State
from cop_sim.vocab import DISCIPLINES

COLUMNS = (
    "week", "knowledge_mean", "knowledge_sd", "knowledge_between_cops_sd", "repository_knowledge",
    "shared_vision", "consensus", "care_quality", "encounters", "consultation_share",
    "coordination_share", "collaboration_share", "patient_included_share", "waiting_weeks",
    "backlog", "meetings", "attendance", "cop_hours", "trust_density", "cocreated",
    "low_status_contribution", "leavers",
) + tuple(f"knowledge_{d}" for d in DISCIPLINES)
COL = {c: i for i, c in enumerate(COLUMNS)}

# Figure panels for a run: (title, y label with unit, columns).
PANELS = [
    ("Knowledge", "mean knowledge (0-1)", ["knowledge_mean", "repository_knowledge"]),
    ("Care quality", "quality per encounter (0-1)", ["care_quality"]),
    ("Shared vision and consensus", "alignment (0-1)", ["shared_vision", "consensus"]),
    ("Encounters by mode", "share of encounters", ["consultation_share", "coordination_share",
                                                   "collaboration_share"]),
    ("Waiting", "weeks waited by patients seen", ["waiting_weeks"]),
    ("Trust", "mean trust between members (0-1)", ["trust_density"]),
]


# The state measures the kernel computes, in its order; knowledge by discipline follows them.
STATE_COLUMNS = ("knowledge_mean", "knowledge_sd", "knowledge_between_cops_sd", "repository_knowledge",
                 "shared_vision", "consensus", "trust_density", "cop_hours")
STATE_AT = np.array([COL[c] for c in STATE_COLUMNS] + [COL[f"knowledge_{d}"] for d in DISCIPLINES])


@njit
def _state_measures(K, P, panel_prio, members, trust, R, disc, cop_hours, n_disc, out):
    """Fill ``out`` with the STATE_COLUMNS measures, then mean knowledge by discipline."""
    n, n_topics = K.shape
    n_cops, m = members.shape
    km = K.sum(axis=1) / n_topics
    mean = km.sum() / n
    out[0] = mean
    out[1] = np.sqrt(((km - mean) ** 2).sum() / n)
    cop_means = np.zeros(n_cops)
    used = 0
    repo = 0.0
    cop_P = np.zeros(n_topics)
    consensus = 0.0
    trust_sum, pairs = 0.0, 0
    for c in range(n_cops):
        size = 0
        cop_P[:] = 0.0
        for q in range(m):
            i = members[c, q]
            if i >= 0:
                size += 1
                cop_means[used] += km[i]
                for t in range(n_topics):
                    cop_P[t] += P[i, t]
                for r in range(m):
                    if r != q and members[c, r] >= 0:
                        trust_sum += trust[c, q, r]
                        pairs += 1
        if size == 0:
            continue
        cop_means[used] /= size
        used += 1
        repo += R[c].sum()
        cop_P /= size
        for q in range(m):
            i = members[c, q]
            if i >= 0:
                for t in range(n_topics):
                    consensus += abs(P[i, t] - cop_P[t])
    cop_means = cop_means[:used]
    out[2] = np.sqrt(((cop_means - cop_means.mean()) ** 2).mean())
    out[3] = repo / (used * n_topics)
    out[4] = 1.0 - 0.5 * np.abs(P - panel_prio).sum() / n
    out[5] = 1.0 - 0.5 * consensus / n
    out[6] = trust_sum / max(pairs, 1)
    out[7] = cop_hours.sum()
    by_disc, count = np.zeros(n_disc), np.zeros(n_disc)
    for i in range(n):
        by_disc[disc[i]] += km[i]
        count[disc[i]] += 1
    for d in range(n_disc):
        out[8 + d] = by_disc[d] / count[d] if count[d] > 0 else np.nan


# The week's tallies the processes return, kept raw and turned into rates once, at the end.
TALLIES = ("encounters", "consultation", "coordination", "collaboration", "quality", "wait", "backlog",
           "meetings", "attendees", "invited", "low_contribution", "meetings_held", "cocreated", "leavers")
_T = {k: i for i, k in enumerate(TALLIES)}
# Column = numerator / denominator, NaN where the denominator is zero (no encounter, no meeting).
RATIOS = (
    ("care_quality", "quality", "encounters"), ("consultation_share", "consultation", "encounters"),
    ("coordination_share", "coordination", "encounters"),
    ("collaboration_share", "collaboration", "encounters"),
    ("patient_included_share", "collaboration", "joint"), ("waiting_weeks", "wait", "encounters"),
    ("attendance", "attendees", "invited"), ("low_status_contribution", "low_contribution", "meetings_held"),
)


class Recorder:
    """Outcomes of every week in arrays; week 0 is the starting state."""

    def __init__(self, s: State, horizon: int):
        self.measures = np.full((horizon + 1, len(STATE_AT)), np.nan)
        self.tallies = np.zeros((horizon + 1, len(TALLIES)))
        self.weeks = np.zeros(horizon + 1, dtype=np.int64)
        self.rows = 0
        self._n = s.n

    def record(self, week: int, s: State, t: dict[str, float]) -> None:
        """Append the outcomes of ``week`` from the state and the week's tallies ``t``."""
        _state_measures(s.K, s.P, s.panel_prio, s.members, s.trust, s.R, s.disc, s.cop_hours,
                        len(DISCIPLINES), self.measures[self.rows])
        self.weeks[self.rows] = week
        row = self.tallies[self.rows]
        for key, value in t.items():
            at = _T.get(key)
            if at is not None:
                row[at] = value
        self.rows += 1

    def table(self) -> np.ndarray:
        """The weeks recorded so far, one row each, in COLUMNS order."""
        n = self.rows
        out = np.empty((n, len(COLUMNS)))
        out[:, STATE_AT] = self.measures[:n]
        raw = {k: self.tallies[:n, i] for k, i in _T.items()}
        raw["joint"] = raw["coordination"] + raw["collaboration"]
        with np.errstate(invalid="ignore", divide="ignore"):
            for col, num, den in RATIOS:
                out[:, COL[col]] = np.where(raw[den] > 0, raw[num] / raw[den], np.nan)
        out[:, COL["week"]] = self.weeks[:n]
        out[:, COL["cocreated"]] = np.cumsum(raw["cocreated"])
        for col in ("encounters", "leavers"):
            out[:, COL[col]] = raw[col]
        # a meeting counts when someone attended: a CoP with no members, or whose members all
        # stayed away, held none
        out[:, COL["meetings"]] = raw["meetings_held"]
        out[:, COL["backlog"]] = raw["backlog"] / max(self._n, 1)
        return out

    def frame(self) -> pd.DataFrame:
        """The weeks recorded so far as a DataFrame (week as an integer column)."""
        table = self.table()
        columns = {c: table[:, i] for i, c in enumerate(COLUMNS)}
        columns["week"] = self.weeks[: self.rows].copy()
        return pd.DataFrame(columns)


SUMMARY_KEYS = (
    "knowledge_mean", "knowledge_gain", "knowledge_sd", "knowledge_between_cops_sd", "repository_knowledge",
    "shared_vision", "consensus", "trust_density", "care_quality", "care_quality_last_quarter",
    "consultation_share", "coordination_share", "collaboration_share", "patient_included_share",
    "waiting_weeks", "backlog", "attendance", "meetings", "cop_hours_per_practitioner",
    "learning_per_cop_hour", "cocreated", "low_status_contribution", "leavers",
)


def summarise(data: np.ndarray, practitioners: int) -> dict[str, float]:
    """Summary scalars of a run from its recorded weeks (rows of COLUMNS).

    Final states, run means weighted by encounters, and learning per CoP hour.
    """
    col = {c: data[:, i] for c, i in COL.items()}
    last, first = data[-1], data[0]
    enc = np.nan_to_num(col["encounters"])
    total = max(enc.sum(), 1)
    weighted = {k: float(np.nansum(col[k] * enc) / total) for k in (
        "care_quality", "consultation_share", "coordination_share", "collaboration_share", "waiting_weeks")}
    tail = slice(-13, None)  # the last quarter: where learning shows in care
    hours = col["cop_hours"].sum() / max(practitioners, 1)
    gain = last[COL["knowledge_mean"]] - first[COL["knowledge_mean"]]
    joint = np.nansum(col["coordination_share"] * enc) + np.nansum(col["collaboration_share"] * enc)
    out = {k: last[COL[k]] for k in ("knowledge_mean",)}
    out["knowledge_gain"] = gain
    out.update({k: last[COL[k]] for k in ("knowledge_sd", "knowledge_between_cops_sd", "repository_knowledge",
                                           "shared_vision", "consensus", "trust_density")})
    out["care_quality"] = weighted["care_quality"]
    out["care_quality_last_quarter"] = (np.nansum(col["care_quality"][tail] * col["encounters"][tail])
                                        / max(np.nansum(col["encounters"][tail]), 1))
    out.update({k: weighted[k] for k in ("consultation_share", "coordination_share", "collaboration_share")})
    out["patient_included_share"] = (np.nansum(col["collaboration_share"] * enc) / joint
                                     if joint > 0 else 0.0)
    out["waiting_weeks"] = weighted["waiting_weeks"]
    out["backlog"] = col["backlog"][1:].mean()
    out["attendance"] = _nanmean(col["attendance"])
    out["meetings"] = col["meetings"].sum()
    out["cop_hours_per_practitioner"] = hours
    out["learning_per_cop_hour"] = gain / hours if hours > 0 else 0.0
    out["cocreated"] = last[COL["cocreated"]]
    out["low_status_contribution"] = _nanmean(col["low_status_contribution"])
    out["leavers"] = col["leavers"].sum()
    assert tuple(out) == SUMMARY_KEYS
    return {k: float(v) for k, v in out.items()}


def _nanmean(x: np.ndarray) -> float:
    """Mean of the weeks where ``x`` is defined; 0 when it never is (no meeting held, say)."""
    ok = ~np.isnan(x)
    return float(x[ok].mean()) if ok.any() else 0.0
