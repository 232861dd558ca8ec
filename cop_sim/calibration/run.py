"""ABC-SMC over a calibration: pyabc's ABCSMC with the batch sampler, a History database that
survives kill -9, and the outputs (posterior.parquet, manifest.json, calibration.md).

pyabc commits each finished generation to ``history.db`` in one SQLite transaction, so a
kill loses at most the generation under way; ``--resume`` loads the database and carries on.
Because every candidate is seeded from (master seed, generation, index), the resumed run
ends with the same bytes as one that was never interrupted.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc
import pyarrow as pa
import pyarrow.parquet as pq

from cop_sim import atomic, outdir, provenance
from cop_sim.atomic import atomic_path, write_json
from cop_sim.calibration.execute import PREDICTIVE, Executor, seed_int, seed_sequence, simulate_batch
from cop_sim.calibration.folder import open_folder
from cop_sim.calibration.observe import scales
from cop_sim.calibration.sampler import BatchSampler, ReplayModel
from cop_sim.calibration.spec import DISTANCES, Calibration
from cop_sim.params import InputError
from cop_sim.scenario import content_hash

# pyabc logs every generation at INFO; the progress bar and the report say it once.
logging.getLogger("ABC").setLevel(logging.WARNING)

MARK = "calibration.json"  # what makes a folder a calibration's own
DB = "history.db"


def spec_hash(cal: Calibration) -> str:
    """What must match for ``--resume``: everything but where the files were read from."""
    d = cal.to_dict()
    for k in ("path", "scenario_path", "data_path", "slurm"):
        d.pop(k)
    return content_hash(d)


def prepare(out: Path, cal: Calibration, resume: bool, force: bool = False,
            option: str | None = "--out") -> bool:
    """Check and claim the results folder; return whether there is a run to resume.

    The folder follows :mod:`cop_sim.outdir`'s rules (never a user's file replaced); one that
    holds a calibration is continued only with ``resume`` and only if it is the same calibration.
    """
    def check(made: dict) -> None:
        if not resume:
            raise InputError(str(out), "", f"already holds calibration '{made.get('name')}'; use --resume "
                             "to continue or finish it, or --out for a fresh folder")
        if made.get("sha256") != spec_hash(cal):
            raise InputError(str(out), "", "was made by a different calibration (file, data or seed "
                             "changed); use --out for a fresh folder")

    fresh = {"name": cal.name, "sha256": spec_hash(cal), "calibration": cal.to_dict()}
    made = open_folder(out, "calibration", MARK, fresh, check, force, option)
    if made is None and (out / DB).is_file():
        atomic.discard(out / DB)  # cop-sim's (the folder was checked above), and of no recorded calibration
    return made is not None and (out / DB).is_file()


def priors(cal: Calibration) -> pyabc.Distribution:
    """pyabc priors from the fitted parameters' Prior ranges."""
    rvs = {}
    for f in cal.fitted:
        p = f.prior
        rvs[f.key] = (pyabc.RV("loguniform", p.lo, p.hi) if p.family == "loguniform"
                      else pyabc.RV("uniform", p.lo, p.hi - p.lo))
    return pyabc.Distribution(**rvs)


def build(cal: Calibration, simulate: Callable, on_wave: Callable | None = None) -> pyabc.ABCSMC:
    """An ABCSMC whose candidates go through ``simulate(candidates)``."""
    model = ReplayModel()
    sampler = BatchSampler(model, simulate, cal.master_seed, wave=max(cal.abc["batch"], 50),
                           on_wave=on_wave)
    distance = pyabc.PNormDistance(p=DISTANCES[cal.distance], fixed_weights=scales(cal.observations))
    # pyabc's kernel is as wide as the population (Silverman): with many parameters nearly every
    # proposal falls outside the prior box and is redrawn, in this process. An evidence calibration
    # (tens of parameters) narrows it with abc.scaling; other calibrations keep pyabc's default.
    extra = ({"transitions": pyabc.MultivariateNormalTransition(scaling=cal.abc["scaling"])}
             if "scaling" in cal.abc else {})
    return pyabc.ABCSMC(model, priors(cal), distance, population_size=cal.abc["population"],
                        sampler=sampler, eps=pyabc.QuantileEpsilon(alpha=cal.abc["alpha"]), **extra)


def finished(history: pyabc.History, cal: Calibration) -> bool:
    """Whether the stored run has met a stopping rule (all generations, or the final tolerance)."""
    if history.max_t < 0:
        return False
    pops = history.get_all_populations()
    last = float(pops.loc[pops.t == history.max_t, "epsilon"].iloc[0])
    return history.max_t + 1 >= cal.abc["generations"] or last <= cal.abc["min_epsilon"]


def run_abc(cal: Calibration, db: Path, simulate: Callable, x0: dict | None = None, resume: bool = False,
            on_wave: Callable | None = None, holder: dict | None = None) -> pyabc.History:
    """Run (or resume) ABC-SMC into the database ``db`` and return its History.

    ``holder`` receives the ABCSMC under ``"abc"`` (the progress bar reads its tolerance).
    """
    abc = build(cal, simulate, on_wave)
    if holder is not None:
        holder["abc"] = abc
    url = f"sqlite:///{db}"
    history = None
    if resume and db.is_file():
        try:
            history = abc.load(url, 1)
            history.max_t  # noqa: B018 - a database killed inside ABCSMC.new has no run 1
        except Exception:  # noqa: BLE001 - then nothing was stored: start again in our own folder
            history = None
            atomic.discard(db)
    if history is None:
        history = abc.new(url, x0 if x0 is not None else cal.observed)
    if not finished(history, cal):
        left = cal.abc["generations"] - (history.max_t + 1)
        # One BLAS thread in this process: pyabc draws each proposal with NumPy's multivariate
        # normal (an SVD of the kernel's covariance), and multithreaded OpenBLAS beside busy
        # workers made a 33 x 33 SVD take 39 ms instead of 0.3 ms (benchmarks/calibration_speed.py).
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, user_api="blas"):
            abc.run(minimum_epsilon=cal.abc["min_epsilon"], max_nr_populations=left)
    return history


def posterior(history: pyabc.History, cal: Calibration) -> pd.DataFrame:
    """The last generation (at most ``abc.generations``): ``particle``, ``weight`` (sums to 1), then
    one column per parameter."""
    frame, w = history.get_distribution(m=0, t=min(history.max_t, cal.abc["generations"] - 1))
    w = np.asarray(w, dtype=float)
    out = pd.DataFrame({"particle": np.arange(len(frame), dtype=np.int64), "weight": w / w.sum()})
    for key in cal.keys:
        out[key] = frame[key].to_numpy(dtype=float)
    return out


def generations(history: pyabc.History, last: int | None = None) -> list[dict]:
    """Tolerance, simulations, acceptance rate and effective sample size by generation (to ``last``)."""
    rows = []
    for _, r in history.get_all_populations().iterrows():
        t = int(r.t)
        if t < 0 or (last is not None and t > last):
            continue
        _, w = history.get_distribution(m=0, t=t)
        w = np.asarray(w, dtype=float) / np.sum(w)
        rows.append({"generation": t, "epsilon": float(r.epsilon), "simulations": int(r.samples),
                     "particles": int(r.particles), "acceptance_rate": float(r.particles / r.samples),
                     "ess": float(1.0 / np.sum(w ** 2))})
    return rows


def write_posterior(path: Path, frame: pd.DataFrame) -> None:
    """posterior.parquet, atomically, without pandas metadata (the same bytes for the same numbers)."""
    table = pa.Table.from_pydict({c: frame[c].to_numpy() for c in frame.columns})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def predictive(cal: Calibration, post: pd.DataFrame, executor: Executor) -> pd.DataFrame:
    """Posterior predictive draws of the observed statistics (with measurement noise), one row each."""
    k = cal.abc["predictive_draws"]
    rng = np.random.default_rng(seed_sequence(cal.master_seed, PREDICTIVE))
    picks = rng.choice(len(post), size=k, p=post["weight"].to_numpy())
    cands = [(j, {key: float(post[key].iloc[i]) for key in cal.keys},
              seed_int(cal.master_seed, PREDICTIVE, 1, j), seed_int(cal.master_seed, PREDICTIVE, 2, j))
             for j, i in enumerate(picks)]
    results = executor.map(simulate_batch, cal.to_dict(), cands, cal.abc["batch"])
    bad = [r for r in results if isinstance(r[1], str)]
    if bad:
        raise RuntimeError(f"posterior predictive run failed: {bad[0][1]}")
    return pd.DataFrame([r[1] for r in results])


class Progress:
    """A tqdm bar over accepted particles: generation, acceptance rate, tolerance, time left."""

    def __init__(self, cal: Calibration, enabled: bool):
        from tqdm import tqdm

        self.eps: Callable | None = None
        self.bar = tqdm(total=cal.abc["population"] * cal.abc["generations"], unit="particle",
                        desc="calibrate", disable=not enabled, dynamic_ncols=True, smoothing=0.3)
        self.base = 0

    def __call__(self, t: int, accepted: int, evaluated: int, n: int) -> None:
        if t < 0:  # the prior sample pyabc draws to set the first tolerance
            self.bar.set_description("prior sample")
            return
        self.bar.set_description(f"generation {t}")
        self.bar.n = t * n + accepted
        self.bar.set_postfix(acceptance=f"{accepted / max(evaluated, 1):.2f}",
                             tolerance=f"{self.eps(t):.3g}" if self.eps else "?", refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def calibrate(cal: Calibration, out: Path, workers: int | None = None, backend: str = "local",
              scheduler: str | None = None, resume: bool = False, progress: bool = True,
              slurm: dict | None = None, force: bool = False, option: str | None = "--out",
              stop_after: int | None = None) -> dict:
    """Run a calibration into ``out`` and write its outputs; return the manifest.

    ``force`` and ``option`` as for :func:`cop_sim.outdir.prepare`. ``stop_after`` stops the run
    after that many generations (fewer than the file's), e.g. to finish a resumed calibration with
    the generations already complete; the folder's record is still the file's, and the manifest
    and report say where it stopped.
    """
    from cop_sim.calibration import report
    from cop_sim.calibration.identify import next_steps

    planned, sha = cal.abc["generations"], spec_hash(cal)
    if stop_after is not None and not 1 <= stop_after <= planned:
        raise InputError("--generations", "", f"got {stop_after}; allowed: an integer in [1, {planned}] "
                         "(the file's abc.generations)")
    resuming = prepare(out, cal, resume, force, option)
    if stop_after is not None:
        cal = dataclasses.replace(cal, abc={**cal.abc, "generations": stop_after},
                                  extra={**cal.extra, "generations_planned": planned})
    started, t0 = provenance.now(), time.perf_counter()
    bar = Progress(cal, progress)
    with Executor(backend, workers, scheduler, {**cal.slurm, **(slurm or {})}, cal.model) as ex:
        def simulate(cands: list) -> list:
            return ex.map(simulate_batch, cal.to_dict(), cands, cal.abc["batch"])

        abc_holder: dict = {}

        def on_wave(t, accepted, evaluated, n):
            if "abc" in abc_holder:
                bar.eps = abc_holder["abc"].eps
            bar(t, accepted, evaluated, n)

        history = run_abc(cal, out / DB, simulate, None, resuming, on_wave, abc_holder)
        bar.close()
        post = posterior(history, cal)
        gens = generations(history, cal.abc["generations"] - 1)
        pred = predictive(cal, post, ex)
    write_posterior(out / "posterior.parquet", post)
    seconds = round(time.perf_counter() - t0, 3)
    manifest = {
        "calibration": cal.to_dict() | {"sha256": sha},
        "scenario": {"path": cal.scenario_path, "raw": cal.scenario_raw,
                     "raw_sha256": content_hash(cal.scenario_raw),
                     "resolved_sha256": content_hash(cal.resolve({k: float(np.median(post[k]))
                                                                  for k in cal.keys}))},
        **provenance.stamp(),
        "libraries_calibration": {"pyabc": pyabc.__version__},
        "started": started, "finished": provenance.now(), "backend": backend,
        "workers": ex.workers, "resumed": resuming, "this_invocation": {"seconds": seconds},
        "generations": gens, "simulations": int(sum(g["simulations"] for g in gens)),
        "generations_planned": planned, "stopped_early": len(gens) < planned,
        "outputs": ["posterior.parquet", "calibration.md", "figures/", DB],
        "next_steps": next_steps(cal, post, pred, out),
    }
    report.write(out, cal, post, gens, pred)
    write_json(out / "manifest.json", manifest)
    outdir.seal(out, "calibration")
    return manifest

