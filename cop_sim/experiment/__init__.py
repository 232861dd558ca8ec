"""Experiments: factor designs with replications, run on one machine or a cluster.

The API other parts call::

    from cop_sim.experiment import load_experiment, run_experiment, read_summary
    from cop_sim.report.stats import contrast
"""

from cop_sim.experiment.design import load_experiment
from cop_sim.experiment.runner import run_experiment, sweep
from cop_sim.experiment.spec import Experiment
from cop_sim.experiment.store import collect, read_summary, read_timeseries

__all__ = ["Experiment", "collect", "load_experiment", "read_summary", "read_timeseries",
           "run_experiment", "sweep"]
