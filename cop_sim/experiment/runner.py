"""Running an experiment: select the runs, execute them on a backend, write each at once.

The worker function :func:`execute_batch` is a pure function of the experiment and the
runs' places in the design, so results are the same bit for bit whatever the backend,
the number of workers or the order runs finish in.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from cop_sim import models, outdir, provenance
from cop_sim.atomic import write_json
from cop_sim.cop import reuse
from cop_sim.experiment import backends, store
from cop_sim.experiment.design import Run, build_design, load_experiment, runs, take_shard
from cop_sim.experiment.spec import Experiment
from cop_sim.params import InputError
from cop_sim.scenario import content_hash


def execute_run(spec: Experiment, run: Run, values: dict, resolved_points: dict | None = None) -> pa.Table:
    """Simulate one run; an exception becomes a recorded failure, not a crash.

    ``resolved_points`` keeps the scenarios already resolved, by design point: replications
    share theirs (a run only reads its scenario), and resolving costs about a small run.
    """
    try:
        resolved = None if resolved_points is None else resolved_points.get(run.point)
        if resolved is None:
            resolved = spec.resolve(values)
            if resolved_points is not None:
                resolved_points[run.point] = resolved
        result = models.simulate(resolved, run.seed)
    except Exception as exc:  # noqa: BLE001 - any model failure is a result to record
        return store.run_table(run, values, None, None, error=f"{type(exc).__name__}: {exc}",
                               traceback=traceback.format_exc())
    return store.run_table(run, values, result.series_columns(), result.summary,
                           panels=result.meta.get("panels"))


def _run_batch(experiment: dict, batch: list[tuple[Run, dict]]) -> Iterator[pa.Table]:
    """Each run of the batch as its table, in order."""
    spec = Experiment.from_dict(experiment)
    on = reuse.wanted()
    resolved_points = _kept_points(experiment) if on else {}
    # arms sharing a seed reuse the burn-in's state where a rebuild gives the same bits (cop/reuse.py)
    with reuse.reusing(on):
        for run, values in batch:
            yield execute_run(spec, run, values, resolved_points)


_KEPT: dict = {"experiment": None, "points": {}}
MAX_KEPT_POINTS = 256


def _kept_points(experiment: dict) -> dict:
    """The scenarios this process resolved for ``experiment``'s design points, kept across batches.

    Runs grouped by seed (:func:`by_seed`) put every point in each batch, so each batch would
    resolve them all again (resolving costs about a small run). Resolving is a pure function of
    the experiment and the point, so keeping them changes no result.
    """
    key = json.dumps(experiment, sort_keys=True, default=str)
    if _KEPT["experiment"] != key or len(_KEPT["points"]) > MAX_KEPT_POINTS:
        _KEPT.update(experiment=key, points={})
    return _KEPT["points"]


def by_seed(todo: list[Run]) -> list[Run]:
    """The runs with those sharing a seed side by side (seeds in order of first appearance).

    With common random numbers a replication's arms share a seed; side by side they fall in one
    batch, so one process builds their world and burn-in once. Only the order of execution
    changes: each run's result is a function of its scenario and seed alone.
    """
    first: dict[int, int] = {}
    for i, r in enumerate(todo):
        first.setdefault(r.seed, i)
    return sorted(todo, key=lambda r: first[r.seed])  # stable: arms keep their order


def execute_batch(ctx: dict, batch: list[tuple[Run, dict]]) -> list[pa.Table]:
    """A Dask worker's task: a batch of runs of the experiment ``ctx``, returned for the client to write.

    A cluster's workers need not share the client's disk, so the client writes the files.
    """
    return list(_run_batch(ctx, batch))


def write_batch(ctx: dict, batch: list[tuple[Run, dict]]) -> list[str | None]:
    """A local worker's task: each run of the batch written to its file as it finishes.

    Returns the runs' errors (None for a success). Writing in the worker keeps the parent
    process, which shares the cores, nearly idle. ``ctx``: the experiment and the results folder.
    """
    errors = []
    for table in _run_batch(ctx["experiment"], batch):
        store.write_run_file(ctx["results"], table)
        errors.append(store.table_error(table))
    return errors


def lost_batch(batch: list[tuple[Run, dict]], why: str) -> list[pa.Table]:
    """Failure records for runs whose worker died every time it was tried."""
    return [store.run_table(run, values, None, None, error=f"WorkerLost: {why}") for run, values in batch]


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"I/N"`` (0-based I) as ``(I, N)``."""
    if text is None:
        return None
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise InputError("--shard", "", f"expected I/N, e.g. 0/10, got {text!r}") from None
    if not (n >= 1 and 0 <= i < n):
        raise InputError("--shard", "", f"got {text!r}; allowed: 0 <= I < N (I is 0-based, as "
                         "SLURM_ARRAY_TASK_ID with --array=0-(N-1))")
    return i, n


def scheduler_address(scheduler: str | None) -> str | None:
    """The Dask scheduler a sweep connects to: ``--scheduler``, else $DASK_SCHEDULER_ADDRESS, else None."""
    return scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")


def _execute(spec: Experiment, results: Path, batches: list, backend: str, workers: int,
             scheduler: str | None, slurm: dict | None) -> Iterator[tuple[list, list]]:
    """Yield ``(batch, items)``: an item is a run's table still to write, or its error once written."""
    ctx = spec.to_dict()
    if backend == "local":
        local = {"experiment": ctx, "results": str(results)}
        if workers == 1:
            yield from backends.run_serial(write_batch, local, batches, lost_batch)
        else:
            kind = models.get(spec.model)
            yield from backends.run_pool(write_batch, local, batches, workers, lost_batch,
                                         preload=list(kind.preload))
        return
    from distributed import Client

    address = scheduler_address(scheduler)
    cluster = None
    if backend == "slurm":
        options = {**spec.slurm, **(slurm or {})}
        cluster = backends.slurm_cluster(options)
        cluster.scale(jobs=options.get("jobs", 1))
    elif not address:
        cluster = backends.local_cluster(workers)
    try:
        with Client(cluster if cluster is not None else address) as client:
            yield from backends.run_dask(execute_batch, ctx, batches, client, lost_batch,
                                         name=f"cop-sim-{spec.name}")
    finally:
        if cluster is not None:
            cluster.close()


def _progress(total: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="run", desc="sweep", disable=not enabled, dynamic_ncols=True,
                smoothing=0.1)


def describe_missing(results: Path, spec: Experiment) -> str:
    """Which runs of ``spec`` are not in ``results`` and, when it ran in shards, which shards they belong to.

    A shard's count N is read from the records the shards left in ``shards/`` (``I-of-N.json``).
    """
    all_runs = runs(spec, build_design(spec))
    on_disk = store.done_ids(results, include_failed=True)
    missing = [k for k, r in enumerate(all_runs) if r.run_id not in on_disk]
    text = f"{len(missing)} of {len(all_runs)} runs missing (e.g. {all_runs[missing[0]].run_id})"
    counts = {int(p.stem.split("-of-")[1]) for p in (results / "shards").glob("*-of-*.json")
              if p.stem.split("-of-")[-1].isdigit()}
    if len(counts) == 1:
        n = counts.pop()
        shards = sorted({k % n for k in missing})
        text += (f" from shard{'s' if len(shards) > 1 else ''} "
                 f"{', '.join(f'{i}/{n}' for i in shards)}")
        text += "; run them (with --resume if they started), then --collect again"
    else:
        text += "; run the sweep with --resume to finish them, then --collect again"
    return text


def _set_aside(results: Path, damaged: dict[Path, str]) -> None:
    """Rename the unreadable run files (they count as missing and run again) and say so in one line."""
    if not damaged:
        return
    moved = store.set_aside_damaged(damaged)
    shown = ", ".join(f"runs/{old.name} -> runs/{new.name} ({damaged[old]})" for old, new in moved[:3])
    more = f" and {len(moved) - 3} more" if len(moved) > 3 else ""
    print(f"cop-sim: warning: {results}: {len(moved)} run file{'s' if len(moved) > 1 else ''} could not be "
          f"read and {'were' if len(moved) > 1 else 'was'} set aside, not deleted: {shown}{more}; "
          "running them again", file=sys.stderr)


def write_manifest(results: Path, spec: Experiment, info: dict) -> dict:
    """Rebuild the summary from runs/ and write manifest.json with provenance and counts."""
    frame = store.collect(results)
    n_total = len(build_design(spec)) * spec.replications
    failed = int(frame["error"].notna().sum()) if len(frame) else 0
    base = spec.resolve({})
    manifest = {
        "experiment": spec.to_dict() | {"sha256": store.experiment_hash(spec)},
        "scenario": {"path": spec.scenario_path, "raw": spec.scenario_raw,
                     "raw_sha256": content_hash(spec.scenario_raw),
                     "resolved": base, "resolved_sha256": content_hash(base)},
        **provenance.stamp(),
        **info,
        "counts": {"runs": n_total, "on_disk": len(frame), "succeeded": len(frame) - failed,
                   "failed": failed, "missing": n_total - len(frame)},
    }
    write_json(results / "manifest.json", manifest)
    if info.get("shard"):
        write_json(results / "shards" / f"{info['shard'].replace('/', '-of-')}.json", manifest)
    outdir.seal(results)  # the marker, listing every file with its hash, last
    return manifest


def run_experiment(path_or_spec: str | Path | Experiment, out: str | Path | None = None,
                   workers: int | None = None, backend: str = "local", resume: bool = False,
                   shard: str | tuple[int, int] | None = None, progress: bool = True,
                   scheduler: str | None = None, slurm: dict | None = None, force: bool = False) -> Path:
    """Run an experiment's sweep and return its results folder.

    Args:
        path_or_spec: an experiment file or a loaded :class:`Experiment`.
        out: results folder (default ``results/<experiment name>``).
        workers: processes (local) or Dask workers (dask LocalCluster); default: all cores.
        backend: ``local``, ``dask`` or ``slurm``.
        resume: skip runs already on disk (failed runs are tried again).
        shard: ``(I, N)`` or ``"I/N"``: only runs ``I, I+N, I+2N, ...`` in design order.
        progress: show a tqdm progress bar on stderr.
        scheduler: address of a running Dask scheduler (backend ``dask``).
        slurm: SLURMCluster options overriding the experiment's ``[slurm]`` table.
        force: write into a non-empty folder that is not a sweep's, beside its files
            (see :func:`cop_sim.outdir.prepare`).

    Raises:
        InputError: a bad experiment, an unusable folder, or runs already on disk without ``resume``.
    """
    return sweep(path_or_spec, out, workers, backend, resume, shard, progress, scheduler, slurm, force)[0]


def sweep(path_or_spec: str | Path | Experiment, out: str | Path | None = None,
          workers: int | None = None, backend: str = "local", resume: bool = False,
          shard: str | tuple[int, int] | None = None, progress: bool = True,
          scheduler: str | None = None, slurm: dict | None = None, force: bool = False,
          option: str | None = None) -> tuple[Path, dict]:
    """:func:`run_experiment`, also returning this invocation's record (counts, timing)."""
    spec = path_or_spec if isinstance(path_or_spec, Experiment) else load_experiment(path_or_spec)
    if backend not in backends.BACKENDS:
        raise InputError("--backend", "", f"unknown backend {backend!r}; "
                         f"allowed: {', '.join(backends.BACKENDS)}")
    workers = workers or backends.default_workers()
    results = Path(out or Path("results") / spec.name)
    plan = outdir.prepare(results, "sweep", force, option)
    part = parse_shard(shard) if shard is None or isinstance(shard, str) else tuple(shard)
    started = provenance.now()
    design = build_design(spec)
    todo = runs(spec, design)
    if part is not None:
        todo = take_shard(todo, *part)
    outdir.claim(results, plan)
    store.write_experiment(results, spec, design)
    if part is None:  # shards share the folder; another's temp file may be in flight
        store.remove_partial(results)
    # a shard reads only its own runs' files (another shard's are not its to set aside)
    records, damaged = store.scan(results, None if part is None else {r.run_id for r in todo})
    on_disk = set(records) | {p.stem for p in damaged}
    clash = [r.run_id for r in todo if r.run_id in on_disk]
    if clash and not resume:
        raise InputError(str(results), "", f"{len(clash)} of these runs are already on disk "
                         f"(e.g. {clash[0]}); use --resume to skip them, or --out for a fresh folder")
    if resume:
        _set_aside(results, damaged)
        ok = {k for k, rec in records.items() if rec["error"] is None}
        todo = [r for r in todo if r.run_id not in ok]
    if reuse.wanted():
        todo = by_seed(todo)
    batches = backends.chunks([(r, design.points[r.point]) for r in todo], workers)
    failed = 0
    t0 = time.perf_counter()
    with _progress(len(todo), progress) as bar:
        for _, items in _execute(spec, results, batches, backend, workers, scheduler, slurm):
            for item in items:
                if isinstance(item, pa.Table):
                    store.write_run_file(results, item)
                    item = store.table_error(item)
                failed += item is not None
            bar.update(len(items))
            bar.set_postfix(failed=failed, refresh=False)
    info = {"started": started, "finished": provenance.now(), "backend": backend, "workers": workers,
            "scheduler": scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS"),
            "shard": None if part is None else f"{part[0]}/{part[1]}",
            "this_invocation": {"ran": len(todo), "failed": failed,
                                "seconds": round(time.perf_counter() - t0, 3)}}
    write_manifest(results, spec, info)
    return results, info
