"""The results folder of a sweep: one Parquet file per run, the design, the summary table.

Layout of ``results/EXPERIMENT/``::

    experiment.json    the validated experiment (with its raw scenario) and its hash
    design.parquet     factor values per design point (and SALib's unrounded sample)
    runs/RUN_ID.parquet one per finished run: run_id, point, replication, seed, then the
                        model's time series; summary scalars, factor values and any error
                        in the file's metadata, so the folder alone rebuilds the summary
    summary.parquet    one row per run, rebuilt from runs/ by :func:`collect`
    manifest.json      provenance and counts (written by the runner)

Every file is written atomically, so a killed sweep leaves only whole files. A run file that
cannot be read whole (damaged on disk, truncated, replaced, a symlink) counts as missing:
``--resume`` sets it aside as ``runs/RUN_ID.parquet.damaged-N`` and runs it again, while
reading the folder (``--collect``, ``report``) refuses it in one line (:class:`DamagedResults`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cop_sim.atomic import atomic_path, remove_temps, set_aside, write_json
from cop_sim.experiment.design import Design, Run
from cop_sim.experiment.spec import Experiment
from cop_sim.outdir import OutputError
from cop_sim.params import InputError
from cop_sim.scenario import content_hash

META_KEY = b"cop_sim.run"
ID_COLUMNS = ("run_id", "point", "replication", "seed")
RECORD_KEYS = ("run_id", "point", "replication", "seed", "factors", "error", "summary")
RESUME_HINT = ("run the sweep again with --resume, which sets such files aside (renamed *.damaged-N) "
               "and runs their runs again")


class DamagedResults(OutputError):
    """Files of a results folder that cannot be read (damaged, truncated, not cop-sim's).

    An I/O failure, not bad input: the CLI prints one line and exits with status 1.
    """


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
    record["digest"] = rows_digest(table)
    # pandas' own metadata is dropped: it is not needed to read back and only adds bytes.
    return table.replace_schema_metadata({META_KEY: json.dumps(record, sort_keys=True, default=str)})


def rows_digest(table: pa.Table) -> str:
    """SHA-256 of a run's rows (column names, types and values).

    Stored in the record, it tells an intact file from one damaged where Parquet has no checksum
    (page headers, uncompressed values).
    """
    h = hashlib.sha256()
    for name, column in zip(table.column_names, table.columns, strict=True):
        h.update(f"{name}\0{column.type}\0{len(column)}\0".encode())
        values = column.to_numpy()
        h.update(json.dumps(values.tolist(), default=str).encode() if values.dtype == object
                 else np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def write_run_file(results: str | Path, table: pa.Table) -> Path:
    """Write a run's table atomically under runs/."""
    record = json.loads(table.schema.metadata[META_KEY])
    target = run_path(results, record["run_id"])
    with atomic_path(target, ".parquet") as tmp:
        # no statistics (nothing reads them, and damage to them passed every check), a CRC per page
        pq.write_table(table, tmp, write_statistics=False, write_page_checksum=True)
    return target


def remove_partial(results: str | Path) -> int:
    """Delete temp files a killed sweep left in runs/; return how many."""
    return remove_temps(runs_dir(results))


def table_error(table: pa.Table) -> str | None:
    """The error a run's table records, or None when the run succeeded."""
    return json.loads(table.schema.metadata[META_KEY])["error"]


def _why(exc: BaseException) -> str:
    """An exception as a short phrase on one line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    text = re.sub(r"^Could not open Parquet input source '.*?': ", "", text)  # the path is named already
    return text if len(text) <= 120 else text[:117] + "..."


def _copies_agree(path: Path) -> bool:
    """Whether the record in the footer equals the copy inside Arrow's stored schema.

    Parquet keeps the record twice (the footer's key-value metadata and the base64 Arrow schema);
    pyarrow reads one, so damage to the other would otherwise pass unseen.
    """
    try:
        raw = pq.read_metadata(path).metadata or {}
        arrow = raw.get(b"ARROW:schema")
        if arrow is None:
            return True
        embedded = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(arrow))).metadata or {}
    except (OSError, ValueError, TypeError, pa.ArrowException, binascii.Error):
        return False
    key = META_KEY.encode() if isinstance(META_KEY, str) else META_KEY
    return embedded.get(key) == raw.get(key)


def _load(path: Path, whole: bool = True) -> tuple[dict, pa.Table | None]:
    """A run file's record and (``whole``) its rows, checked against the record's digest.

    Raises:
        ValueError: why the file cannot be read as the run its name says.
    """
    if path.is_symlink():  # not followed: cop-sim reads only the files it wrote
        raise ValueError("a symbolic link, not a file cop-sim wrote")
    if not path.is_file():
        raise ValueError("not a file")
    try:
        table = pq.read_table(path, page_checksum_verification=True) if whole else None
        meta = (table.schema if table is not None else pq.read_schema(path)).metadata
        record = json.loads(meta[META_KEY])
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
        raise ValueError(_why(exc)) from None
    if not isinstance(record, dict) or any(k not in record for k in RECORD_KEYS):
        raise ValueError("no cop-sim run record in it")
    if record["run_id"] != path.stem:
        raise ValueError(f"it holds run {record['run_id']!r}, not {path.stem!r}")
    if table is not None and not _copies_agree(path):
        raise ValueError("its two copies of the run record differ (the file is damaged)")
    if table is not None and record.get("digest") not in (None, rows_digest(table)):
        raise ValueError("its rows differ from what was written (checksum mismatch)")
    return record, table


def read_record(path: str | Path) -> dict:
    """A run file's record (summary, factor values, seed, error) without reading its rows.

    Raises:
        DamagedResults: the file cannot be read.
    """
    path = Path(path)
    try:
        return _load(path, whole=False)[0]
    except ValueError as exc:
        raise damaged_error(path.parent.parent, {path: str(exc)}) from None


def run_files(results: str | Path) -> list[Path]:
    """The run files in runs/, in name order (readable or not)."""
    folder = runs_dir(results)
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def scan(results: str | Path, ids: set[str] | None = None) -> tuple[dict[str, dict], dict[Path, str]]:
    """Read every run file whole (only those of ``ids`` if given).

    Returns:
        The readable files' records by run id, and why each unreadable file cannot be read.
    """
    records: dict[str, dict] = {}
    damaged: dict[Path, str] = {}
    for path in run_files(results):
        if ids is not None and path.stem not in ids:
            continue
        try:
            records[path.stem] = _load(path)[0]
        except ValueError as exc:
            damaged[path] = str(exc)
    return records, damaged


def damaged_error(results: str | Path, damaged: dict[Path, str], hint: str = RESUME_HINT) -> DamagedResults:
    """One line naming the unreadable run files (the first three, and how many more)."""
    items = sorted(damaged.items())
    shown = ", ".join(f"runs/{p.name} ({why})" for p, why in items[:3])
    more = f" and {len(items) - 3} more" if len(items) > 3 else ""
    many = len(items) > 1
    return DamagedResults(f"{results}: {len(items)} run file{'s' if many else ''} cannot be read: "
                          f"{shown}{more}; {hint}")


def check_runs(results: str | Path) -> None:
    """Raise :class:`DamagedResults` when a run file of ``results`` cannot be read whole."""
    _, damaged = scan(results)
    if damaged:
        raise damaged_error(results, damaged)


def set_aside_damaged(damaged: dict[Path, str]) -> list[tuple[Path, Path]]:
    """Rename each unreadable run file to ``NAME.damaged-N`` (never deleted); the (old, new) pairs."""
    return [(path, set_aside(path)) for path in sorted(damaged)]


def done_ids(results: str | Path, include_failed: bool = False) -> set[str]:
    """Ids of the readable runs on disk (by default only those that succeeded)."""
    records, _ = scan(results)
    return {k for k, rec in records.items() if include_failed or rec["error"] is None}


def read_timeseries(results: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """Successful runs' time series stacked in run order; ``columns`` limits what is read
    (the id columns and the time column always come along)."""
    frames = []
    for p in run_files(results):
        try:
            _, table = _load(p)
        except ValueError as exc:
            raise damaged_error(results, {p: str(exc)}) from None
        names = table.column_names
        if len(names) <= len(ID_COLUMNS):  # a failed run: no rows
            continue
        want = names if columns is None else [*ID_COLUMNS, names[len(ID_COLUMNS)],
                                              *(c for c in columns if c in names)]
        frames.append(table.select(want).replace_schema_metadata(None).to_pandas())
    if not frames:
        return pd.DataFrame(columns=list(ID_COLUMNS))
    return pd.concat(frames, ignore_index=True)


def units(results: str | Path) -> dict[str, str]:
    """Axis labels with units by time-series column, from the model's figure panels."""
    for p in run_files(results):
        panels = read_record(p).get("panels")
        if panels:
            return {c: ylabel for _, ylabel, cols in panels for c in cols}
    return {}


def _cell(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (list, dict)) else value


def summary_frame(results: str | Path) -> pd.DataFrame:
    """One row per run on disk: ids, seed, factor values, summary scalars and error."""
    records, damaged = scan(results)
    if damaged:
        raise damaged_error(results, damaged)
    rows = []
    for rec in records.values():
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
    if not stale:
        try:
            return pd.read_parquet(path)
        except (OSError, ValueError, pa.ArrowException):
            pass  # damaged: it is only derived from runs/, so rebuild it
    return collect(results)


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
    if path.is_file() or path.is_symlink():
        old = _experiment_record(path)
        if old.get("sha256") != digest:
            raise InputError(str(results), "", f"holds results of a different experiment "
                             f"('{old['experiment'].get('name')}', or the same one changed); "
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


def _experiment_record(path: Path) -> dict:
    """experiment.json as written (``sha256`` and ``experiment``), checked to rebuild the experiment.

    Raises:
        DamagedResults: the file cannot be read or is not what a sweep wrote.
    """
    try:
        if path.is_symlink():  # not followed: cop-sim reads only the files it wrote
            raise ValueError("a symbolic link, not the file cop-sim wrote")
        record = json.loads(path.read_text())
        if not isinstance(record, dict) or not isinstance(record.get("experiment"), dict):
            raise ValueError("no 'experiment' table in it")
        Experiment.from_dict(record["experiment"])
    except json.JSONDecodeError as exc:
        why = f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        why = _why(exc) if not isinstance(exc, OSError) else (exc.strerror or _why(exc))
    else:
        return record
    raise DamagedResults(f"{path}: cannot be read: {why}; it records which experiment the folder holds, "
                         "so nothing was run or collected; restore it, or use --out for a fresh folder")


def read_experiment(results: str | Path) -> Experiment:
    """The experiment a results folder was made by.

    Raises:
        InputError: ``results`` is not a sweep's folder.
        DamagedResults: its experiment.json cannot be read.
    """
    path = Path(results) / "experiment.json"
    if not path.is_file() and not path.is_symlink():
        raise InputError(str(results), "", "not a sweep results folder (no experiment.json)")
    return Experiment.from_dict(_experiment_record(path)["experiment"])
