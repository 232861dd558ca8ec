"""What a run returns: its series, summary and extras (:class:`RunResult`).

Its own module, not the registry's (:mod:`cop_sim.models`): a model's ``simulate`` builds one,
and the registry imports each model's ``simulate`` on demand, so a model never imports the
registry back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd


class Lazy:
    """A value of a run's meta computed only when first read (``Lazy(fn)``)."""

    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn


class Meta(dict):
    """A run's extras; a :class:`Lazy` value is computed on first read and then kept.

    A sweep reads none of the per-CoP table that ``cop-sim run`` writes (about half a
    millisecond a run to build), so it is built only for those who read it.
    """

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, Lazy):
            value = value.fn()
            self[key] = value
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """``meta[key]`` (computed if lazy), or ``default``."""
        return self[key] if key in self else default  # noqa: SIM401 (self.get would recurse)


class RunResult:
    """What one run returns: a weekly (or per-period) time series and summary scalars.

    ``timeseries`` may be given as a :class:`Lazy` DataFrame together with ``columns``, the
    same series as arrays: a sweep stores the arrays and never builds the frame (~0.8 ms a
    run of the default scenario).
    """

    def __init__(self, timeseries: pd.DataFrame | Lazy, summary: dict[str, float],
                 meta: dict[str, Any] | None = None, columns: dict[str, np.ndarray] | None = None):
        self._timeseries = timeseries
        self.summary = summary
        self.meta = Meta() if meta is None else meta
        self.columns = columns

    @property
    def timeseries(self) -> pd.DataFrame:
        """The series as a DataFrame, one row per week (built on first read if lazy)."""
        if isinstance(self._timeseries, Lazy):
            self._timeseries = self._timeseries.fn()
        return self._timeseries

    def series_columns(self) -> dict[str, np.ndarray]:
        """The series as arrays by column, in the frame's order (without building the frame)."""
        if self.columns is not None:
            return self.columns
        ts = self.timeseries
        return {str(c): ts[c].to_numpy() for c in ts.columns}
