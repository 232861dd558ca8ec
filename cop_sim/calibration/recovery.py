"""Parameter recovery: does the calibration find parameters it knows? (Talts et al. 2018)

M truths are drawn from the prior; data are simulated from each with the file's observation
model (measurement noise included); each is calibrated with the file's ABC settings, the
truths in parallel on the backends (one whole ABC-SMC per task). Coverage is how often the
central 50 % and 90 % posterior intervals contain the truth; for a calibrated posterior it
is near 50 % and 90 %. Each truth's result is written as it finishes, so a killed recovery
resumes where it stopped.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim import outdir, provenance
from cop_sim.atomic import atomic_path, write_json
from cop_sim.calibration.execute import (
    RECOVERY,
    TRUTH,
    Executor,
    seed_int,
    seed_sequence,
    simulate_batch,
    simulate_one,
)
from cop_sim.calibration.folder import open_folder
from cop_sim.calibration.identify import RULE, verdict
from cop_sim.calibration.report import wquantile
from cop_sim.calibration.spec import Calibration
from cop_sim.params import InputError

MARK = "recovery.json"


def truths(cal: Calibration, m: int) -> list[dict]:
    """M parameter sets from the prior (each from its own seed)."""
    out = []
    for i in range(m):
        u = np.random.default_rng(seed_sequence(cal.master_seed, TRUTH, 0, i)).random(len(cal.fitted))
        out.append({f.key: float(f.prior.ppf(x)) for f, x in zip(cal.fitted, u, strict=True)})
    return out


def recover_batch(ctx: dict, batch: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """A worker's task: simulate data at each truth and calibrate to them, all in this process."""
    from cop_sim.calibration.run import posterior, run_abc

    cal = Calibration.from_dict(ctx)
    out = []
    for i, truth in batch:
        data = simulate_one(cal, truth, seed_int(cal.master_seed, TRUTH, 1, i),
                            seed_int(cal.master_seed, TRUTH, 2, i))
        mine = replace(cal, master_seed=seed_int(cal.master_seed, RECOVERY, i))

        def serial(cands, mine=mine):
            return simulate_batch(mine.to_dict(), cands)

        with tempfile.TemporaryDirectory(prefix="cop-sim-recovery-") as tmp:
            history = run_abc(mine, Path(tmp) / "history.db", serial, x0=data)
            post = posterior(history, mine)
            sims = int(history.total_nr_simulations)
        out.append((i, {"truth": truth, "data": data, "simulations": sims,
                        "posterior": {c: post[c].tolist() for c in post.columns}}))
    return out


def _lost(batch: list, why: str) -> list:
    return [(i, f"WorkerLost: {why}") for i, _ in batch]


def score(cal: Calibration, i: int, result: dict) -> list[dict]:
    """Per parameter: the truth, the 50 % and 90 % intervals, whether they cover it, and the rank."""
    post = pd.DataFrame(result["posterior"])
    rows = []
    for f in cal.fitted:
        q05, q25, q75, q95 = wquantile(post[f.key], post["weight"], [0.05, 0.25, 0.75, 0.95])
        p05, p95 = f.prior.ppf([0.05, 0.95])
        t = result["truth"][f.key]
        rows.append({"truth_index": i, "parameter": f.key, "truth": t, "lo50": q25, "hi50": q75,
                     "lo90": q05, "hi90": q95, "in50": bool(q25 <= t <= q75), "in90": bool(q05 <= t <= q95),
                     "width90_ratio": float((q95 - q05) / (p95 - p05)),
                     "rank": float(post["weight"][post[f.key] < t].sum()),
                     "simulations": result["simulations"]})
    return rows


def table(frame: pd.DataFrame) -> str:
    """The coverage table, as Markdown."""
    lines = ["| parameter | truths | 50 % coverage | 90 % coverage | mean 90 % width / prior's | "
             "identification |", "|---|---|---|---|---|---|"]
    for key, g in frame.groupby("parameter", sort=False):
        lines.append(f"| `{key}` | {len(g)} | {g.in50.mean():.0%} | {g.in90.mean():.0%} | "
                     f"{g.width90_ratio.mean():.2f} | {verdict(g.width90_ratio.mean())} |")
    return "\n".join(lines)


def _prepare(out: Path, cal: Calibration, m: int, resume: bool, force: bool = False,
             option: str | None = "--out") -> None:
    from cop_sim.calibration.run import spec_hash

    want = {"name": cal.name, "sha256": spec_hash(cal), "truths": m}

    def check(made: dict) -> None:
        if not resume:
            raise InputError(str(out), "", "already holds a recovery run; use --resume to finish it, "
                             "or --out for a fresh folder")
        if made != want:
            raise InputError(str(out), "", "was made by a different calibration or --recovery M; use --out")

    open_folder(out, "recovery", MARK, want, check, force, option)


def recover(cal: Calibration, m: int, out: Path, workers: int | None = None, backend: str = "local",
            scheduler: str | None = None, resume: bool = False, progress: bool = True,
            force: bool = False, option: str | None = "--out") -> dict:
    """Run the recovery check into ``out``; return its coverage table and timing.

    ``force`` and ``option`` as for :func:`cop_sim.outdir.prepare`.
    """
    from tqdm import tqdm

    _prepare(out, cal, m, resume, force, option)
    t0 = time.perf_counter()
    done_dir = out / "truths"
    todo = [(i, t) for i, t in enumerate(truths(cal, m)) if not (done_dir / f"{i}.json").is_file()]
    with Executor(backend, workers, scheduler, cal.slurm, cal.model) as ex:
        ex.preload += ["cop_sim.calibration.recovery", "cop_sim.calibration.run"]  # pyabc, once
        bar = tqdm(total=m, initial=m - len(todo), unit="truth", desc="recovery", disable=not progress)
        # One truth per task, each saved as soon as it finishes.
        for _, results in ex.stream(recover_batch, cal.to_dict(), todo, 1, on_lost=_lost):
            for i, result in results:
                if isinstance(result, str):
                    raise RuntimeError(f"recovery of truth {i} failed: {result}")
                write_json(done_dir / f"{i}.json", result)
                bar.update(1)
        bar.close()
    rows = [r for i in range(m) for r in score(cal, i, json.loads((done_dir / f"{i}.json").read_text()))]
    frame = pd.DataFrame(rows)
    with atomic_path(out / "recovery.parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    text = table(frame)
    seconds = time.perf_counter() - t0
    lines = [f"# Parameter recovery: {cal.name}", "",
             f"{m} truths drawn from the prior; data simulated from each with the observation model of "
             f"`{Path(cal.path).name}` (noise included), then calibrated with its ABC settings "
             f"({cal.abc['population']} particles, at most {cal.abc['generations']} generations). "
             "Coverage: how often the central posterior interval contains the truth (Talts et al. 2018). "
             f"Identification (last column): {RULE}, by the mean width ratio over the truths.",
             "", text, "", f"{int(frame.groupby('truth_index').simulations.first().sum())} simulations; "
             f"this invocation took {seconds:.1f} s on {backend} with {ex.workers} workers.", ""]
    with atomic_path(out / "recovery.md") as tmp:
        tmp.write_text("\n".join(lines))
    write_json(out / "manifest.json", {"calibration": cal.to_dict(), **provenance.stamp(), "truths": m,
                                       "backend": backend, "workers": ex.workers, "seconds": seconds,
                                       "coverage": json.loads(frame.groupby("parameter")[["in50", "in90",
                                                              "width90_ratio"]].mean().to_json())})
    outdir.seal(out, "recovery")
    return {"table": text, "frame": frame, "seconds": seconds}
