"""The observation model: from one run's outputs to the statistics a data column measures.

Each data column is produced from one model outcome at stated weeks: its value at each week,
its mean over the weeks, or the share of values above a threshold (how a survey counts
"goals met"), pooled or per CoP, plus Gaussian measurement noise. Statistic keys are
``column|w12`` (value), ``column|mean``/``column|share`` (aggregates), with ``|cop=X``
inserted for per-CoP columns; their order is fixed by the file.

A week is the run's row label: week w is simulated week w (0 .. weeks - 1), with its meetings,
its care and the state at its end; a meeting of week w is observed at week w (docs/ODD.md, 3).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from cop_sim.params import InputError
from cop_sim.result import RunResult

AGGREGATES = ("value", "mean", "share_above")


@dataclass(frozen=True)
class Observation:
    """How one data column is produced from the model's outputs."""

    column: str
    outcome: str
    weeks: tuple[int, ...]
    aggregate: str
    threshold: float
    per_cop: bool
    noise_sd: float
    cops: tuple = ()  # per-CoP: the CoP labels, as the model's per_cop frame names them

    def to_dict(self) -> dict:
        """JSON-serialisable form."""
        return asdict(self) | {"weeks": list(self.weeks), "cops": list(self.cops)}

    @classmethod
    def from_dict(cls, d: dict) -> Observation:
        """Inverse of :meth:`to_dict`."""
        return cls(**(d | {"weeks": tuple(d["weeks"]), "cops": tuple(d["cops"])}))

    def with_cops(self, cops: tuple) -> Observation:
        """A copy naming the CoPs a per-CoP column covers."""
        return replace(self, cops=tuple(cops))

    def slots(self) -> list[tuple[str, object, int | None]]:
        """``(statistic key, cop or None, week or None)`` in order."""
        groups = [(f"|cop={c}", c) for c in self.cops] if self.per_cop else [("", None)]
        out = []
        for tag, cop in groups:
            if self.aggregate == "value":
                out += [(f"{self.column}{tag}|w{w}", cop, w) for w in self.weeks]
            else:
                kind = "mean" if self.aggregate == "mean" else "share"
                out.append((f"{self.column}{tag}|{kind}", cop, None))
        return out


def _at_weeks(result: RunResult, o: Observation, cop) -> np.ndarray:
    """The outcome at the observation's weeks (NaN where the run has no such week), pooled or one CoP's."""
    if o.per_cop:
        frame = result.meta["per_cop"]
        frame = frame[frame["cop"] == cop]
    else:
        frame = result.timeseries
    weeks = frame["week"].to_numpy()
    values = frame[o.outcome].to_numpy(dtype=float)
    order = np.argsort(weeks, kind="stable")
    weeks, values = weeks[order], values[order]
    want = np.asarray(o.weeks)
    pos = np.minimum(np.searchsorted(weeks, want), len(weeks) - 1)
    return np.where(weeks[pos] == want, values[pos], np.nan)


def _aggregate(values: np.ndarray, o: Observation) -> list[float]:
    if o.aggregate == "value":
        return [float(v) for v in values]
    values = values[~np.isnan(values)]
    if not len(values):
        return [np.nan]
    if o.aggregate == "mean":
        return [float(values.mean())]
    return [float((values > o.threshold).mean())]


def statistics(result: RunResult, observations: list[Observation]) -> dict[str, float]:
    """The noise-free statistics of one run, by key, in order."""
    out: dict[str, float] = {}
    for o in observations:
        keys = o.slots()
        if o.per_cop:
            for cop in o.cops:
                mine = [k for k in keys if k[1] == cop]
                out.update(zip((k[0] for k in mine), _aggregate(_at_weeks(result, o, cop), o), strict=True))
        else:
            out.update(zip((k[0] for k in keys), _aggregate(_at_weeks(result, o, None), o), strict=True))
    return out


def add_noise(stats: dict[str, float], observations: list[Observation], seed: int) -> dict[str, float]:
    """Measurement noise: each statistic plus N(0, its column's sd), from a seed of its own."""
    rng = np.random.default_rng(seed)
    sd = {k: o.noise_sd for o in observations for k, _, _ in o.slots()}
    keys = list(stats)
    noise = rng.normal(0.0, [sd[k] for k in keys])
    return {k: float(stats[k] + e) for k, e in zip(keys, noise, strict=True)}


def scales(observations: list[Observation]) -> dict[str, float]:
    """Each statistic's distance weight: 1 / its noise sd, so residuals count in noise units."""
    return {k: 1.0 / o.noise_sd for o in observations for k, _, _ in o.slots()}


def probe_check(probe: RunResult, o: Observation, source: str, model: str) -> tuple:
    """Check a column against a real run of the scenario; return its CoP labels (per-CoP)."""
    at = f"observe.{o.column}"
    if o.per_cop:
        frame = probe.meta.get("per_cop")
        if frame is None:
            raise InputError(source, f"{at}.per_cop", f"model '{model}' gives no per-CoP series "
                             "(RunResult.meta['per_cop']); use per_cop = false (pooled) with this model")
        cops = tuple(pd.unique(frame["cop"]).tolist())
    else:
        frame, cops = probe.timeseries, ()
    if o.outcome not in frame.columns:
        known = [c for c in frame.columns if c not in ("week", "cop")]
        raise InputError(source, f"{at}.outcome", f"model '{model}' has no output {o.outcome!r}; "
                         f"allowed: {', '.join(known)}")
    stats = statistics(probe, [o.with_cops(cops)])
    bad = [k for k, v in stats.items() if not np.isfinite(v)]
    if bad:
        raise InputError(source, f"{at}.weeks", f"{o.outcome!r} has no value at {bad[0].split('|')[-1]} "
                         "in this scenario (e.g. no meeting that week); observe weeks where it is defined")
    return cops


def cell_number(value: object) -> float | None:
    """A data cell as a number (a CSV's text read as one), or None if it is not one; never a boolean."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return float(value)


def shown(value: object) -> str:
    """A data cell as a message shows it: a blank cell is called one."""
    return "a blank cell" if value is None or (isinstance(value, float) and np.isnan(value)) else repr(value)


def check_cells(data: pd.DataFrame, o: Observation, allowed: tuple[float, float], source: str) -> None:
    """Refuse any filled cell of the column that is not a finite number in ``allowed`` (lo, hi).

    Rows are counted from 1 after the header, comment lines not counted.
    """
    lo, hi = allowed
    bounds = (f" in [{lo:g}, {hi:g}]" if np.isfinite(lo) and np.isfinite(hi) else f" >= {lo:g}"
              if np.isfinite(lo) else f" <= {hi:g}" if np.isfinite(hi) else " (finite)")
    what = ("a number in [0, 1] (a share above the threshold)" if o.aggregate == "share_above"
            else f"a number{bounds}, as the model's {o.outcome!r} (not true/false)")
    for row, value in enumerate(data[o.column].tolist(), start=1):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue  # a blank cell: no observation in this row
        x = cell_number(value)
        if x is None or not np.isfinite(x) or not lo <= x <= hi:
            raise InputError(source, o.column, f"row {row}: got {shown(value)}; allowed: {what}")


def data_values(data: pd.DataFrame, o: Observation, source: str) -> dict[str, float]:
    """The observed statistics of one column, checked against its observation model."""
    rows = data[data[o.column].notna()]
    if o.per_cop and "cop" not in data.columns:
        raise InputError(source, o.column, "per_cop = true needs a 'cop' column in the data")
    out: dict[str, float] = {}
    for key, cop, week in o.slots():
        here = rows if cop is None else rows[rows["cop"].astype(str) == str(cop)]
        # An aggregate is one number (per CoP); the week of its row is not read.
        at = here if week is None else here[here["week"] == week]
        where = ("" if week is None else f"week {week}") + ("" if cop is None else f" cop {cop}")
        if len(at) != 1:
            hint = "one value per observed week" if week is not None else "one value for the whole window"
            raise InputError(source, o.column, f"expected one value{' at ' + where if where else ''}, "
                             f"found {len(at)} ({hint})")
        value = at[o.column].iloc[0]
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InputError(source, o.column, f"{value!r} at {where} is not a number") from None
        if not np.isfinite(value):
            raise InputError(source, o.column, f"{value!r} at {where} is not a finite number")
        out[key] = value
    expected = len(o.slots())
    if len(rows if not o.per_cop else rows[rows["cop"].astype(str).isin(map(str, o.cops))]) != expected:
        raise InputError(source, o.column, f"has {len(rows)} values but the observation model reads "
                         f"{expected} (weeks {list(o.weeks)}{', per CoP' if o.per_cop else ''})")
    return out


def data_frame(stats: dict[str, float], observations: list[Observation]) -> pd.DataFrame:
    """Statistics laid out as a data file: a row per week (and CoP), a column per observation.

    An aggregate sits in the row of its window's last week.
    """
    cells: dict[tuple, dict] = {}
    for o in observations:
        for key, cop, week in o.slots():
            row = cells.setdefault((cop, week if week is not None else max(o.weeks)), {})
            row[o.column] = stats[key]
    per_cop = any(o.per_cop for o in observations)
    rows = [({"cop": cop} if per_cop else {}) | {"week": week} | vals
            for (cop, week), vals in sorted(cells.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))]
    return pd.DataFrame(rows, columns=(["cop"] if per_cop else []) + ["week"]
                        + [o.column for o in observations])
