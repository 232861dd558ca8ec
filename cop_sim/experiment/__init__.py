"""Experiments: factor designs with replications, run on one machine or a cluster.

The API other parts call::

    from cop_sim.experiment import load_experiment, run_experiment, read_summary
    from cop_sim.report.stats import contrast

Its names are imported on first use, so that importing a light submodule (the lifeline a
sweep's fork server imports first) does not wait for NumPy, pandas and pyarrow.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {"Experiment": "spec", "collect": "store", "load_experiment": "design", "read_summary": "store",
         "read_timeseries": "store", "run_experiment": "runner", "sweep": "runner"}
__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value
