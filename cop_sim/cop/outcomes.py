"""The CoP model's weekly outcomes: raw tallies kept in arrays, turned into rates once, at the end.

One schema, :data:`TALLIES`, is shared by the kernels (their tally slots) and the recorder; a
tally the recorder does not know is an error, not silently dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cop_sim.cop.stories import MEETING_TALLY
from cop_sim.cop.tally import CARE_TALLY, COP_TALLY
from cop_sim.kernel import njit
from cop_sim.vocab import cop_key

TALLIES = CARE_TALLY + MEETING_TALLY + ("leavers", "cop_hours", "feedback_reports", "flagged")
_T = {k: i for i, k in enumerate(TALLIES)}
assert len(_T) == len(TALLIES), "tally names must be unique"
# Row ``week`` = w holds simulated week w (0 .. weeks - 1): the week's tallies (its meetings,
# events and care) and the state at its end. The first row, labelled INITIAL_WEEK, is the state
# after the burn-in, before week 0, with no tallies (docs/ODD.md, 7.10).
INITIAL_WEEK = -1
MEASURES = ("shared_vision", "consensus", "trust_density", "representative_trust", "inclusion_habit")
# column = numerator / denominator (NaN where the denominator is 0: no encounter, no meeting)
RATIOS = (
    ("care_quality", "quality", "encounters"), ("health", "health", "encounters"),
    ("burden", "burden", "encounters"), ("goal_attainment", "goal_attainment", "encounters"),
    ("goals_met", "goals_met", "encounters"), ("belief_error", "belief_error", "encounters"),
    ("optimal_practice_share", "optimal", "encounters"),
    # the change package's adherence: over the visited patients' topics a target applies to
    ("target_adherence", "target_hit", "target_applicable"),
    ("patient_included_share", "collaboration", "encounters"),
    ("consultation_share", "consultation", "encounters"),
    ("coordination_share", "coordination", "encounters"),
    ("collaboration_share", "collaboration", "encounters"), ("waiting_weeks", "wait", "encounters"),
    ("care_quality_social", "social_quality", "social_encounters"),
    ("care_quality_complex", "complex_quality", "complex_encounters"),
    ("attendance", "attendees", "invited"), ("low_status_voice", "low_status_voice", "stories"),
    ("representative_voice", "rep_voice", "meetings"),
)
# plans that travel (cop_sim/cop/travel.py): stories heard, plans adopted, their local tests
TRAVEL = ("messages", "adopted_story", "adopted_repository", "judged_story", "kept_story",
          "judged_repository", "kept_repository", "tie_stories")
COUNTS = ("encounters", "meetings", "stories", "cocreated", "leavers", "observations", "cop_hours", "reviews",
          "review_changes") + TRAVEL + ("target_applicable", "feedback_reports", "flagged")
COLUMNS = ("week",) + tuple(r[0] for r in RATIOS) + ("backlog",) + COUNTS + MEASURES
COL = {c: i for i, c in enumerate(COLUMNS)}
# per-CoP columns: (name, COP_TALLY numerator, denominator)
PER_COP = (("care_quality", "quality", "encounters"), ("health", "health", "encounters"),
           ("goals_met", "goals_met", "encounters"), ("optimal_practice_share", "optimal", "encounters"),
           ("target_adherence", "target_hit", "target_applicable"),
           ("patient_included_share", "collaboration", "encounters"),
           ("belief_error", "belief_error", "encounters"), ("attendance", "attendees", "invited"))
# What each weekly column (pooled or per CoP) can be, by construction; a calibration's data are
# checked against it. Shares and the 0-1 measures are ratios of counts or means of values in [0, 1];
# care quality is a plan's value over the best value, so at most 1 but below 0 for a burdensome
# plan; voice is relative to the room's mean, so it may exceed 1.
_INF = float("inf")
RANGES: dict[str, tuple[float, float]] = {
    "week": (float(INITIAL_WEEK), _INF),
    **{c: (-_INF, 1.0) for c in ("care_quality", "care_quality_social", "care_quality_complex")},
    **{c: (0.0, 1.0) for c in ("health", "burden", "goal_attainment", "goals_met", "optimal_practice_share",
                               "target_adherence", "patient_included_share",
                               "consultation_share", "coordination_share", "collaboration_share",
                               "attendance", *MEASURES)},
    **{c: (0.0, _INF) for c in ("belief_error", "waiting_weeks", "low_status_voice",
                                "representative_voice", "backlog", *COUNTS)},
}


def check_schema(ratios=RATIOS, counts=COUNTS, per_cop=PER_COP) -> None:
    """Raise ValueError if a column is built from a tally the kernels do not write, or has no range."""
    for table, known, names in (("RATIOS", TALLIES, [k for r in ratios for k in r[1:]]),
                                ("COUNTS", TALLIES, counts),
                                ("PER_COP", COP_TALLY, [k for r in per_cop for k in r[1:]])):
        unknown = [k for k in names if k not in known]
        if unknown:
            raise ValueError(f"{table} names unknown tallies {unknown}; known: {', '.join(known)}")
    missing = [c for c in (*COLUMNS, *(r[0] for r in per_cop)) if c not in RANGES]
    if missing:
        raise ValueError(f"RANGES lacks the valid range of {missing}")


check_schema()

PANELS = [
    ("Care quality and health", "0-1",
     ["care_quality", "health", "goal_attainment", "optimal_practice_share", "target_adherence"]),
    ("Beliefs", "mean |belief - true value|", ["belief_error"]),
    ("Planning with the patient", "share of encounters", ["patient_included_share", "coordination_share"]),
    ("Trust and voice", "0-1", ["trust_density", "low_status_voice", "representative_trust"]),
    ("Shared vision and consensus", "alignment (0-1)", ["shared_vision", "consensus"]),
    ("Waiting", "weeks waited by patients seen", ["waiting_weeks"]),
    ("Treatment burden", "mean burden of the practices in use", ["burden"]),
    ("Meetings and stories", "per week", ["meetings", "stories"]),
]


@njit
def _measures(pr, cp, cop_prio, out):
    """Fill ``out`` with MEASURES from the state."""
    P, members, trust_, represented = pr.P, cp.members, cp.trust, cp.representative  # hoisted from loops
    n, T = P.shape
    C, m = members.shape
    vision, consensus, trust, pairs, rep, n_rep, sizes = 0.0, 0.0, 0.0, 0, 0.0, 0, 0
    mean = np.zeros(T)
    for c in range(C):
        mean[:] = 0.0
        size = 0
        for q in range(m):
            i = members[c, q]
            if i < 0:
                continue
            size += 1
            for t in range(T):
                mean[t] += P[i, t]
                vision += abs(P[i, t] - cop_prio[c, t])
            for r in range(m):
                if r != q and members[c, r] >= 0:
                    trust += trust_[c, q, r]
                    pairs += 1
            if represented[c]:
                rep += trust_[c, q, m]
                n_rep += 1
        if size == 0:
            continue
        sizes += size
        mean /= size
        for q in range(m):
            i = members[c, q]
            if i >= 0:
                for t in range(T):
                    consensus += abs(P[i, t] - mean[t])
    out[0] = 1.0 - 0.5 * vision / max(sizes, 1)
    out[1] = 1.0 - 0.5 * consensus / max(sizes, 1)
    out[2] = trust / pairs if pairs else np.nan
    out[3] = rep / n_rep if n_rep else np.nan
    out[4] = pr.habit.mean() if n else np.nan


class Recorder:
    """Outcomes of every week in arrays (pooled and per CoP).

    Row 0 is the starting state (labelled :data:`INITIAL_WEEK`); row w + 1 is simulated week w,
    labelled w, with the tallies of that week and the state at its end.
    """

    def __init__(self, n_cops: int, horizon: int, practitioners: int):
        self.tallies = np.zeros((horizon + 1, len(TALLIES)))
        self.measures = np.full((horizon + 1, len(MEASURES)), np.nan)
        self.per_cop = np.zeros((horizon + 1, n_cops, len(COP_TALLY)))
        self.weeks = np.zeros(horizon + 1, dtype=np.int64)
        self.rows = 0
        self._n = practitioners

    def columns(self) -> dict[str, np.ndarray]:
        """The weeks recorded so far as arrays, one per column of COLUMNS (what :meth:`frame` holds)."""
        n = self.rows
        raw = {k: self.tallies[:n, i] for k, i in _T.items()}
        cols: dict[str, np.ndarray] = {"week": self.weeks[:n].copy()}
        with np.errstate(invalid="ignore", divide="ignore"):
            for col, num, den in RATIOS:
                cols[col] = np.where(raw[den] > 0, raw[num] / raw[den], np.nan)
        cols["backlog"] = raw["backlog"] / max(self._n, 1)
        for col in COUNTS:
            cols[col] = raw[col].copy()
        cols["cocreated"] = np.cumsum(raw["cocreated"])
        for j, col in enumerate(MEASURES):
            cols[col] = self.measures[:n, j].copy()
        return {c: cols[c] for c in COLUMNS}

    def frame(self, columns: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
        """The weeks recorded so far, one row each, in COLUMNS order (from ``columns`` if given)."""
        cols = self.columns() if columns is None else columns
        # one float block and the week: a frame from a dict of 38 arrays costs a millisecond
        data = pd.DataFrame(np.column_stack([cols[c] for c in COLUMNS[1:]]), columns=list(COLUMNS[1:]))
        data.insert(0, "week", cols["week"])
        return data

    def cop_columns(self) -> dict[str, np.ndarray]:
        """The weeks recorded so far by CoP: encounters and each PER_COP rate, float64[weeks, C]."""
        n = self.rows
        t = {k: self.per_cop[:n, :, j] for j, k in enumerate(COP_TALLY)}
        out = {"encounters": t["encounters"]}
        with np.errstate(invalid="ignore", divide="ignore"):
            for col, num, den in PER_COP:
                out[col] = np.where(t[den] > 0, t[num] / t[den], np.nan)
        return out

    def cop_frame(self, names: list[str], columns: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
        """One row per CoP and week: the main outcomes by site (for heterogeneity and calibration)."""
        cols = self.cop_columns() if columns is None else columns
        n, C = self.rows, self.per_cop.shape[1]
        out = {"cop": np.tile(np.array(names, dtype=object), n), "week": np.repeat(self.weeks[:n], C)}
        return pd.DataFrame(out | {k: v.reshape(-1) for k, v in cols.items()})


SUMMARY_KEYS = (
    "care_quality", "care_quality_last_quarter", "health", "health_last_quarter", "goal_attainment",
    "goals_met", "belief_error", "belief_error_last_quarter", "optimal_practice_share",
    "optimal_practice_share_last_quarter", "target_adherence", "target_adherence_last_quarter", "burden",
    "patient_included_share",
    "care_quality_social", "care_quality_complex", "consultation_share", "coordination_share",
    "collaboration_share", "waiting_weeks", "backlog", "attendance", "meetings", "stories", "cocreated",
    "low_status_voice", "representative_voice", "shared_vision", "consensus", "trust_density",
    "representative_trust", "inclusion_habit", "leavers", "feedback_reports", "flagged",
    "cop_hours_per_practitioner", "between_cop_quality_sd", *TRAVEL,
)


def _weighted(frame, col: str, rows=slice(None), weight: str = "encounters") -> float:
    enc = frame[weight][rows]
    x = frame[col][rows]
    ok = ~np.isnan(x) & (enc > 0)
    return float((x[ok] * enc[ok]).sum() / enc[ok].sum()) if ok.any() else float("nan")


def _nanmean(x: np.ndarray) -> float:
    ok = ~np.isnan(x)
    return float(x[ok].mean()) if ok.any() else 0.0


def summarise(frame, per_cop: dict[str, np.ndarray], names: list[str],
              practitioners: int) -> dict[str, float]:
    """Summary scalars of a run: encounter-weighted means, last-quarter means, final states.

    Args:
        frame: the weekly series, as a DataFrame or as :meth:`Recorder.columns` (arrays).
        per_cop: the per-CoP series (:meth:`Recorder.cop_columns`: weeks x CoPs).
        names: the CoPs' names, in the order of ``per_cop``'s columns.
        practitioners: how many practitioners the run has.
    """
    tail = slice(-13, None)  # the last quarter: where learning shows in care
    out: dict[str, float] = {}
    # each column read once: a pandas column lookup costs more than the sums
    frame = {c: np.asarray(frame[c]) for c in COLUMNS}
    for col in ("care_quality", "health", "belief_error", "optimal_practice_share"):
        out[col] = _weighted(frame, col)
        out[f"{col}_last_quarter"] = _weighted(frame, col, tail)
    # pooled over the applicable patient-topics, as the weekly share is (NaN: no package)
    out["target_adherence"] = _weighted(frame, "target_adherence", weight="target_applicable")
    out["target_adherence_last_quarter"] = _weighted(frame, "target_adherence", tail, "target_applicable")
    for col in ("goal_attainment", "goals_met", "burden", "patient_included_share", "care_quality_social",
                "care_quality_complex", "consultation_share", "coordination_share", "collaboration_share",
                "waiting_weeks"):
        out[col] = _weighted(frame, col)
    rows = len(frame["week"])
    out["backlog"] = float(frame["backlog"][1:].mean()) if rows > 1 else 0.0
    out["attendance"] = _nanmean(frame["attendance"])
    for col in ("meetings", "stories", "leavers", "feedback_reports", "flagged", *TRAVEL):
        out[col] = float(frame[col].sum())
    out["cocreated"] = float(frame["cocreated"][-1])
    out["low_status_voice"] = _nanmean(frame["low_status_voice"])
    out["representative_voice"] = _nanmean(frame["representative_voice"])
    for col in ("shared_vision", "consensus", "trust_density", "representative_trust", "inclusion_habit"):
        out[col] = float(frame[col][-1])
    out["cop_hours_per_practitioner"] = float(frame["cop_hours"].sum() / max(practitioners, 1))
    q = kahan_nanmean(per_cop["care_quality"])
    out["between_cop_quality_sd"] = float(q.std()) if len(q) > 1 else 0.0
    assert set(out) == set(SUMMARY_KEYS)
    return {k: out[k] for k in SUMMARY_KEYS} | cop_summary(per_cop, names)


@njit
def kahan_nanmean(x):
    """Each column's mean over its non-NaN rows, summed as pandas' groupby mean sums (Kahan).

    The same operations in the same order as pandas' ``group_mean``, so the between-CoP sd is
    the number the pandas groupby gave, without building a frame and grouping it (~0.5 ms a run).
    """
    out = np.empty(x.shape[1])
    for c in range(x.shape[1]):
        total, comp, n = 0.0, 0.0, 0
        for r in range(x.shape[0]):
            v = x[r, c]
            if v == v:
                n += 1
                y = v - comp
                t = total + y
                comp = t - total - y
                if comp != comp:
                    comp = 0.0
                total = t
        out[c] = total / n if n else np.nan
    return out


def cop_summary(per_cop: dict[str, np.ndarray], names: list[str]) -> dict[str, float]:
    """Each CoP's last-quarter care quality and its standard error (between-site heterogeneity).

    The mean is encounter-weighted over the last 13 weeks, as the pooled one is; its standard
    error treats those weeks as independent draws around it (sqrt(sum w^2 (x - m)^2) / sum w),
    so that a between-CoP spread of effects can be judged net of sampling noise.
    """
    q, enc = per_cop["care_quality"][-13:], per_cop["encounters"][-13:]
    out: dict[str, float] = {}
    for c, name in enumerate(names):
        m = _weighted({"encounters": enc[:, c], "care_quality": q[:, c]}, "care_quality")  # as pooled
        rows = ~np.isnan(q[:, c]) & (enc[:, c] > 0)
        w, x = enc[rows, c], q[rows, c]
        se = float(np.sqrt((w ** 2 * (x - m) ** 2).sum()) / w.sum()) if rows.sum() > 1 else float("nan")
        out[cop_key("care_quality_last_quarter", str(name))] = m
        out[cop_key("care_quality_last_quarter_se", str(name))] = se
    return out
