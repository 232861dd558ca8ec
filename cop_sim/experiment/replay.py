"""Replaying one run of a sweep exactly, from its results folder alone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from cop_sim import models
from cop_sim.experiment import store
from cop_sim.experiment.design import build_design, runs
from cop_sim.params import InputError
from cop_sim.result import RunResult


def replay(results: str | Path, run_id: str) -> tuple[dict, int, RunResult, bool | None]:
    """Re-run ``run_id`` of the sweep in ``results``.

    Returns:
        The resolved scenario, the seed, the result, and whether it equals the stored run
        bit for bit (None when the stored run failed or is missing).
    """
    spec = store.read_experiment(results)
    design = build_design(spec)
    by_id = {r.run_id: r for r in runs(spec, design)}
    if run_id not in by_id:
        some = ", ".join(list(by_id)[:3])
        raise InputError(str(results), "--replay", f"no run {run_id!r} in this sweep (ids like {some})")
    run = by_id[run_id]
    resolved = spec.resolve(design.points[run.point])
    result = models.simulate(resolved, run.seed)
    path = store.run_path(results, run_id)
    same = None
    if path.is_file() and store.read_record(path)["error"] is None:
        stored = pq.read_table(path).to_pandas().drop(columns=list(store.ID_COLUMNS))
        fresh = store.run_table(run, design.points[run.point], result.series_columns(), result.summary)
        mine = fresh.to_pandas().drop(columns=list(store.ID_COLUMNS))
        same = bool(_equal(stored, mine) and store.read_record(path)["summary"]
                    == store.json.loads(fresh.schema.metadata[store.META_KEY])["summary"])
    return resolved, run.seed, result, same


def _equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return list(a.columns) == list(b.columns) and a.equals(b)
