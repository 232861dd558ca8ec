"""The results folder of a sweep: one Parquet file per run, the design, the summary table.

Layout of ``results/EXPERIMENT/``::

    experiment.json    the validated experiment (with its raw scenario) and its hash
    design.parquet     factor values per design point (and SALib's unrounded sample)
    runs/RUN_ID.parquet one per finished run: run_id, point, replication, seed, then the
                        model's time series; summary scalars, factor values and any error
                        in the file's metadata, so the folder alone rebuilds the summary
    summary.parquet    one row per run, rebuilt from runs/ by :func:`collect`
    manifest.json      provenance and counts (written by the runner)

Every file is written atomically, so a killed sweep leaves only whole files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cop_sim.atomic import atomic_path, remove_temps, write_json
from cop_sim.experiment.design import Design, Run
from cop_sim.experiment.spec import Experiment
from cop_sim.params import InputError
from cop_sim.scenario import content_hash

META_KEY = b"cop_sim.run"
ID_COLUMNS = ("run_id", "point", "replication", "seed")


def runs_dir(results: str | Path) -> Path:
    """The folder of per-run files."""
    return Path(results) / "runs"


def run_path(results: str | Path, run_id: str) -> Path:
    """Where one run's file lives."""
    return runs_dir(results) / f"{run_id}.parquet"


def _plain(value: Any) -> Any:
    """JSON-safe scalars; NumPy numbers become Python numbers, NaN becomes None."""
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_table(run: Run, values: dict, timeseries: dict[str, np.ndarray] | None, summary: dict | None,
              error: str | None = None, traceback: str | None = None, panels: Any = None) -> pa.Table:
    """One run as an Arrow table with its record in the schema metadata.

    ``timeseries`` is the run's series as arrays by column (``RunResult.series_columns()``).
    """
    ts = timeseries or {}
    n = len(next(iter(ts.values()))) if ts else 0
    # straight from the columns' arrays: pandas' own conversion costs as much as a small run
    columns = {"run_id": pa.array([run.run_id] * n, pa.large_string()),
               **{key: pa.array(np.full(n, getattr(run, key), dtype=np.int64))
                  for key in ("point", "replication", "seed")},
               **{str(c): pa.array(v) for c, v in ts.items()}}
    table = pa.table(columns)
    record = {"run_id": run.run_id, "point": run.point, "replication": run.replication,
              "seed": run.seed, "draw": run.draw, "factors": values, "error": error, "traceback": traceback,
              "panels": panels,
              "summary": None if summary is None else {k: _plain(v) for k, v in summary.items()}}
    # pandas' own metadata is dropped: it is not needed to read back and only adds bytes.
    return table.replace_schema_metadata({META_KEY: json.dumps(record, sort_keys=True, default=str)})


def write_run_file(results: str | Path, table: pa.Table) -> Path:
    """Write a run's table atomically under runs/."""
    record = json.loads(table.schema.metadata[META_KEY])
    target = run_path(results, record["run_id"])
    with atomic_path(target, ".parquet") as tmp:
        pq.write_table(table, tmp)
    return target


def remove_partial(results: str | Path) -> int:
    """Delete temp files a killed sweep left in runs/; return how many."""
    return remove_temps(runs_dir(results))


def table_error(table: pa.Table) -> str | None:
    """The error a run's table records, or None when the run succeeded."""
    return json.loads(table.schema.metadata[META_KEY])["error"]


def read_record(path: str | Path) -> dict:
    """A run file's record (summary, factor values, seed, error) without reading its rows."""
    return json.loads(pq.read_schema(path).metadata[META_KEY])


def done_ids(results: str | Path, include_failed: bool = False) -> set[str]:
    """Ids of the runs on disk (by default only those that succeeded)."""
    folder = runs_dir(results)
    if not folder.is_dir():
        return set()
    out = set()
    for path in folder.glob("*.parquet"):
        if include_failed or read_record(path)["error"] is None:
            out.add(path.stem)
    return out


def read_timeseries(results: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Successful runs' time series stacked in run order; ``columns`` limits what is read
    (the id columns and the time column always come along)."""
    paths = sorted(runs_dir(results).glob("*.parquet"))
    frames = []
    for p in paths:
        names = pq.read_schema(p).names
        if len(names) <= len(ID_COLUMNS):  # a failed run: no rows
            continue
        want = None if columns is None else [*ID_COLUMNS, names[len(ID_COLUMNS)],
                                             *(c for c in columns if c in names)]
        frames.append(pq.read_table(p, columns=want).to_pandas())
    if not frames:
        return pd.DataFrame(columns=list(ID_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def units(results: str | Path) -> dict[str, str]:
    """Axis labels with units by time-series column, from the model's figure panels."""
    for p in sorted(runs_dir(results).glob("*.parquet")):
        panels = read_record(p).get("panels")
        if panels:
            return {c: ylabel for _, ylabel, cols in panels for c in cols}
    return {}


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else value


def summary_frame(results: str | Path) -> pd.DataFrame:
    """One row per run on disk: ids, seed, factor values, summary scalars and error."""
    rows = []
    for path in sorted(runs_dir(results).glob("*.parquet")):
        rec = read_record(path)
        row = {k: rec[k] for k in ID_COLUMNS}
        if rec.get("draw") is not None:
            row["draw"] = rec["draw"]
        row |= {k: _cell(v) for k, v in rec["factors"].items()}
        row |= {k: (math.nan if v is None else v) for k, v in (rec["summary"] or {}).items()}
        row["error"] = rec["error"]
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[*ID_COLUMNS, "error"])
    cols = [c for c in frame.columns if c != "error"] + ["error"]
    frame = frame[cols].sort_values(["point", "replication"], kind="stable").reset_index(drop=True)
    frame["error"] = frame["error"].astype("string")
    frame.attrs = _attrs(results)
    return frame


def _attrs(results: str | Path) -> dict:
    """What analysing the table needs to know: factor keys, outcomes, baselines, CRN."""
    if not (Path(results) / "experiment.json").is_file():
        return {}
    spec = read_experiment(results)
    return {"experiment": spec.name, "factors": [f.key for f in spec.factors], "outcomes": spec.outcomes,
            "crn": spec.crn, "method": spec.method, "draws": len(spec.draws),
            "draw_keys": sorted({k for d in spec.draws for k in d}),
            "baselines": {f.key: _cell(f.baseline) for f in spec.factors if spec.method == "grid"}}


def collect(results: str | Path) -> pd.DataFrame:
    """Rebuild summary.parquet from runs/ (complete after resumes and shards) and return it."""
    frame = summary_frame(results)
    with atomic_path(Path(results) / "summary.parquet", ".parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    return frame


def read_summary(results: str | Path) -> pd.DataFrame:
    """The summary table of a results folder, rebuilt from runs/ when that is newer or missing."""
    results = Path(results)
    path = results / "summary.parquet"
    folder = runs_dir(results)
    if not folder.is_dir() and not path.is_file():
        raise InputError(str(results), "", "not a sweep results folder (no runs/ or summary.parquet)")
    stale = not path.is_file() or (folder.is_dir() and folder.stat().st_mtime > path.stat().st_mtime)
    return collect(results) if stale else pd.read_parquet(path)


def experiment_hash(spec: Experiment) -> str:
    """The content hash that says which experiment a results folder holds."""
    d = spec.to_dict()
    d.pop("path")  # the same experiment read from another checkout is the same experiment
    d.pop("slurm")  # where it runs does not change what it computes
    return content_hash(d)


def write_experiment(results: str | Path, spec: Experiment, design: Design) -> None:
    """Record the experiment and design, refusing a folder that holds a different experiment."""
    results = Path(results)
    path = results / "experiment.json"
    digest = experiment_hash(spec)
    if path.is_file():
        old = json.loads(path.read_text())
        if old.get("sha256") != digest:
            raise InputError(str(results), "", f"holds results of a different experiment "
                             f"('{old.get('experiment', {}).get('name')}', or the same one changed); "
                             "use --out for a fresh folder or delete this one")
    write_json(path, {"sha256": digest, "experiment": spec.to_dict()})
    points = np.arange(len(design))
    columns: dict = {"point": points}  # built whole: a draw of a hundred parameters is a hundred columns
    if design.crossed:
        columns["draw"] = points // design.arms
        for key in sorted({k for d in spec.draws for k in d}):
            columns[f"draw:{key}"] = [_cell(p.get(key)) for p in design.points]
    for f in spec.factors:
        columns[f.key] = [_cell(p[f.key]) for p in design.points]
    if design.sample is not None and not design.crossed:
        for j, f in enumerate(spec.factors):
            columns[f"sample:{f.key}"] = design.sample[:, j]
    frame = pd.DataFrame(columns)
    with atomic_path(results / "design.parquet", ".parquet") as tmp:
        frame.to_parquet(tmp, index=False)


def read_experiment(results: str | Path) -> Experiment:
    """The experiment a results folder was made by."""
    path = Path(results) / "experiment.json"
    if not path.is_file():
        raise InputError(str(results), "", "not a sweep results folder (no experiment.json)")
    return Experiment.from_dict(json.loads(path.read_text())["experiment"])
