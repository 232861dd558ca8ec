"""Experiments: factor designs with replications, run on one machine or a cluster.

The API other parts call::

    from cop_sim.experiment import load_experiment, run_experiment, read_summary, contrast
"""

from cop_sim.experiment.runner import run_experiment, sweep
from cop_sim.experiment.spec import Experiment, load_experiment
from cop_sim.experiment.store import collect, read_summary, read_timeseries

__all__ = ["Experiment", "collect", "contrast", "load_experiment", "read_summary", "read_timeseries",
           "run_experiment", "sweep"]


def __getattr__(name: str):
    # contrast lives with the report statistics (SciPy import) and loads on first use.
    if name == "contrast":
        from cop_sim.report.stats import contrast

        return contrast
    raise AttributeError(name)
