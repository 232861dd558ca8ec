"""Weekly outcomes, recorded into a preallocated array (cheaper than a per-reporter DataCollector)."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def _share(a: float, b: float) -> float:
    return a / b if b > 0 else np.nan


class Recorder:
    """Outcomes of every week in one array; week 0 is the starting state."""

    def __init__(self, s: State, horizon: int):
        self.data = np.full((horizon + 1, len(COLUMNS)), np.nan)
        self.rows = 0
        self.cocreated = 0.0
        pair = s.mask[:, :, None] & s.mask[:, None, :] & ~np.eye(s.mask.shape[1], dtype=bool)[None]
        self._pair = pair
        self._pairs = max(int(pair.sum()), 1)
        self._cop_n = np.bincount(s.cop, minlength=len(s.mask))
        self._disc_n = np.bincount(s.disc, minlength=len(DISCIPLINES))
        self._has = self._cop_n > 0
        self._idx = np.where(s.mask, s.members, 0)
        self._w = s.mask[:, :, None].astype(float)

    def record(self, week: int, s: State, t: dict[str, float]) -> None:
        """Append the outcomes of ``week`` from the state and the week's tallies ``t``."""
        row = self.data[self.rows]
        n = s.n
        km = s.K.sum(axis=1) / s.K.shape[1]
        mean = km.sum() / n
        row[COL["week"]] = week
        row[COL["knowledge_mean"]] = mean
        row[COL["knowledge_sd"]] = np.sqrt(((km - mean) ** 2).sum() / n)
        has = self._has
        cop_mean = np.bincount(s.cop, km, minlength=len(self._cop_n))[has] / self._cop_n[has]
        row[COL["knowledge_between_cops_sd"]] = np.sqrt(((cop_mean - cop_mean.mean()) ** 2).mean())
        row[COL["repository_knowledge"]] = s.R[has].sum() / s.R[has].size
        row[COL["shared_vision"]] = 1.0 - 0.5 * np.abs(s.P - s.panel_prio).sum() / n
        P = s.P[self._idx] * self._w  # (C, m, T), vacancies zeroed
        cop_P = P.sum(axis=1) / np.maximum(self._cop_n, 1)[:, None]
        row[COL["consensus"]] = 1.0 - 0.5 * (np.abs(P - cop_P[:, None, :]) * self._w).sum() / n
        with np.errstate(invalid="ignore", divide="ignore"):
            row[-len(DISCIPLINES):] = np.bincount(s.disc, km, minlength=len(DISCIPLINES)) / self._disc_n
        row[COL["trust_density"]] = (s.trust * self._pair).sum() / self._pairs
        self.cocreated += t.get("cocreated", 0.0)
        row[COL["cocreated"]] = self.cocreated
        enc = t.get("encounters", 0.0)
        joint = t.get("coordination", 0.0) + t.get("collaboration", 0.0)
        row[COL["encounters"]] = enc
        row[COL["care_quality"]] = _share(t.get("quality", 0.0), enc)
        row[COL["consultation_share"]] = _share(t.get("consultation", 0.0), enc)
        row[COL["coordination_share"]] = _share(t.get("coordination", 0.0), enc)
        row[COL["collaboration_share"]] = _share(t.get("collaboration", 0.0), enc)
        row[COL["patient_included_share"]] = _share(t.get("collaboration", 0.0), joint)
        row[COL["waiting_weeks"]] = _share(t.get("wait", 0.0), enc)
        row[COL["backlog"]] = t.get("backlog", 0.0) / max(s.n, 1)
        row[COL["meetings"]] = t.get("meetings", 0.0)
        row[COL["attendance"]] = _share(t.get("attendees", 0.0), t.get("invited", 0.0))
        row[COL["cop_hours"]] = s.cop_hours.sum()
        row[COL["low_status_contribution"]] = _share(t.get("low_contribution", 0.0),
                                                     t.get("meetings_held", 0.0))
        row[COL["leavers"]] = t.get("leavers", 0.0)
        self.rows += 1

    def frame(self) -> pd.DataFrame:
        """The weeks recorded so far as a DataFrame (week as an integer column)."""
        df = pd.DataFrame(self.data[: self.rows], columns=list(COLUMNS))
        df["week"] = df["week"].astype("int64")
        return df


SUMMARY_KEYS = (
    "knowledge_mean", "knowledge_gain", "knowledge_sd", "knowledge_between_cops_sd", "repository_knowledge",
    "shared_vision", "consensus", "trust_density", "care_quality", "care_quality_last_quarter",
    "consultation_share", "coordination_share", "collaboration_share", "patient_included_share",
    "waiting_weeks", "backlog", "attendance", "meetings", "cop_hours_per_practitioner",
    "learning_per_cop_hour", "cocreated", "low_status_contribution", "leavers",
)


def summarise(df: pd.DataFrame, weights: dict[str, float]) -> dict[str, float]:
    """Summary scalars of a run: final states, run means and learning per CoP hour."""
    last, first = df.iloc[-1], df.iloc[0]
    tail = df.iloc[-13:]  # the last quarter: where learning shows in care
    hours = df["cop_hours"].sum() / max(weights["practitioners"], 1)
    gain = last["knowledge_mean"] - first["knowledge_mean"]
    enc = df["encounters"].fillna(0)
    total = max(enc.sum(), 1)
    joint = (df["coordination_share"] * enc).sum() + (df["collaboration_share"] * enc).sum()
    out = {
        "knowledge_mean": last["knowledge_mean"],
        "knowledge_gain": gain,
        "knowledge_sd": last["knowledge_sd"],
        "knowledge_between_cops_sd": last["knowledge_between_cops_sd"],
        "repository_knowledge": last["repository_knowledge"],
        "shared_vision": last["shared_vision"],
        "consensus": last["consensus"],
        "trust_density": last["trust_density"],
        "care_quality": float((df["care_quality"] * enc).sum() / total),
        "care_quality_last_quarter": float((tail["care_quality"] * tail["encounters"]).sum()
                                           / max(tail["encounters"].sum(), 1)),
        "consultation_share": float((df["consultation_share"] * enc).sum() / total),
        "coordination_share": float((df["coordination_share"] * enc).sum() / total),
        "collaboration_share": float((df["collaboration_share"] * enc).sum() / total),
        "patient_included_share": float((df["collaboration_share"] * enc).sum() / max(joint, 1e-12))
        if joint > 0 else 0.0,
        "waiting_weeks": float((df["waiting_weeks"] * enc).sum() / total),
        "backlog": float(df["backlog"].iloc[1:].mean()),
        "attendance": float(df["attendance"].mean()) if df["attendance"].notna().any() else 0.0,
        "meetings": float(df["meetings"].sum()),
        "cop_hours_per_practitioner": hours,
        "learning_per_cop_hour": gain / hours if hours > 0 else 0.0,
        "cocreated": last["cocreated"],
        "low_status_contribution": float(df["low_status_contribution"].mean())
        if df["low_status_contribution"].notna().any() else 0.0,
        "leavers": float(df["leavers"].sum()),
    }
    assert tuple(out) == SUMMARY_KEYS
    return {k: float(v) for k, v in out.items()}
