"""Parameter recovery on a reference table: leave-one-out rejection ABC (Csilléry et al. 2012).

The full recovery (:mod:`cop_sim.calibration.recovery`) runs one whole ABC-SMC per truth. For a
calibration whose candidate costs seconds (the evidence calibration: two studies of ~250 sites)
that is M times the calibration itself. This check costs one table instead: N parameter sets
drawn from the prior (the same truths and seeds the full recovery would use), each simulated with
the file's observation noise. Each of the first M rows is then taken in turn as the data; its
posterior is the ``k`` rows nearest to it among the other N - 1, by the calibration's own
distance (residuals in observation sds). This is the cross-validation of the R package ``abc``
(``cv4abc``; Csilléry, François and Blum 2012, Methods Ecol Evol 3:475). Because the truths are
prior draws, the rejection posterior (the whole neighbourhood) covers the truth at its nominal rate
(Prangle et al. 2014); the central interval of only ``k`` accepted rows is a sample quantile and
covers less (with k = 10, 90 % intervals cover about 75 %), and even k rows that carry no
information span about 0.8 of the prior's 90 % width. So identification is read from the width
ratio against that baseline, by the rule of :mod:`cop_sim.calibration.identify`, and a large table
(small tolerance, many accepted rows) is needed before the rule's 0.5 can be reached. A rejection
posterior is wider than ABC-SMC's at the same
budget, so a parameter this check calls identified is identified, and one it calls not
identified might be partly identified by the full calibration.

Each row is written as it finishes (``truths/i.json``), so a killed table resumes where it stopped.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim import outdir, provenance
from cop_sim.atomic import atomic_path, write_json
from cop_sim.calibration.execute import TRUTH, Executor, seed_int, simulate_batch
from cop_sim.calibration.folder import open_folder
from cop_sim.calibration.identify import RULE
from cop_sim.calibration.observe import scales
from cop_sim.calibration.recovery import MARK, table, truths
from cop_sim.calibration.spec import Calibration
from cop_sim.params import InputError

TOLERANCE = 0.1  # share of the table accepted as each truth's posterior (abc's cv4abc example)
MIN_ACCEPTED = 10


def accepted(n: int) -> int:
    """How many of the other rows form a truth's posterior."""
    return max(MIN_ACCEPTED, round(TOLERANCE * (n - 1)))


def distances(stats: np.ndarray, j: int, weights: np.ndarray) -> np.ndarray:
    """Euclidean distance of every row's statistics to row ``j``'s, in noise units (row j: inf).

    A row with a statistic the model could not give (NaN) is never accepted.
    """
    d = np.sqrt((((stats - stats[j]) * weights) ** 2).sum(axis=1))
    d[~np.isfinite(d)] = np.inf
    d[j] = np.inf
    return d


def score(cal: Calibration, params: pd.DataFrame, stats: np.ndarray, m: int) -> pd.DataFrame:
    """Per truth and parameter: the leave-one-out posterior's 50 % and 90 % intervals and coverage."""
    weights = np.array([scales(cal.observations)[k] for k in cal.observed])
    k = accepted(len(params))
    rows = []
    for j in range(m):
        if not np.all(np.isfinite(stats[j])):
            continue  # a truth whose data the model cannot give is no test
        near = np.argsort(distances(stats, j, weights), kind="stable")[:k]
        for f in cal.fitted:
            post = params[f.key].to_numpy(dtype=float)[near]
            q05, q25, q75, q95 = np.quantile(post, [0.05, 0.25, 0.75, 0.95])
            p05, p95 = f.prior.ppf([0.05, 0.95])
            t = float(params[f.key].iloc[j])
            rows.append({"truth_index": j, "parameter": f.key, "truth": t, "lo50": q25, "hi50": q75,
                         "lo90": q05, "hi90": q95, "in50": bool(q25 <= t <= q75),
                         "in90": bool(q05 <= t <= q95), "width90_ratio": float((q95 - q05) / (p95 - p05)),
                         "rank": float(np.mean(post < t)), "accepted": k})
    return pd.DataFrame(rows)


def _prepare(out: Path, cal: Calibration, n: int, m: int, resume: bool, force: bool,
             option: str | None) -> None:
    from cop_sim.calibration.run import spec_hash

    want = {"name": cal.name, "sha256": spec_hash(cal), "truths": m, "reference": n}

    def check(made: dict) -> None:
        if not resume:
            raise InputError(str(out), "", "already holds a recovery run; use --resume to finish it, "
                             "or --out for a fresh folder")
        if made != want:
            raise InputError(str(out), "", "was made by a different calibration, --recovery M or "
                             "--reference N; use --out")

    open_folder(out, "recovery", MARK, want, check, force, option)


def recover(cal: Calibration, m: int, n: int, out: Path, workers: int | None = None, backend: str = "local",
            scheduler: str | None = None, resume: bool = False, progress: bool = True,
            force: bool = False, option: str | None = "--out") -> dict:
    """Simulate the reference table of ``n`` prior draws into ``out`` and score ``m`` of them."""
    from tqdm import tqdm

    if not 1 <= m <= n:
        raise InputError("--recovery", "", f"got {m} truths for a table of {n}; allowed: 1 <= M <= N")
    if n < MIN_ACCEPTED + 2:
        raise InputError("--reference", "", f"got {n}; allowed: an integer >= {MIN_ACCEPTED + 2}")
    _prepare(out, cal, n, m, resume, force, option)
    t0 = time.perf_counter()
    done_dir = out / "truths"
    draws = truths(cal, n)
    todo = [(i, t, seed_int(cal.master_seed, TRUTH, 1, i), seed_int(cal.master_seed, TRUTH, 2, i))
            for i, t in enumerate(draws) if not (done_dir / f"{i}.json").is_file()]
    with Executor(backend, workers, scheduler, cal.slurm, cal.model) as ex:
        bar = tqdm(total=n, initial=n - len(todo), unit="draw", desc="reference table", disable=not progress)
        for _, results in ex.stream(simulate_batch, cal.to_dict(), todo, 1):
            for i, stats in results:
                if isinstance(stats, str):
                    raise RuntimeError(f"reference draw {i} failed: {stats}")
                write_json(done_dir / f"{i}.json", {"truth": draws[i], "stats": stats})
                bar.update(1)
        bar.close()
    rows = [json.loads((done_dir / f"{i}.json").read_text()) for i in range(n)]
    params = pd.DataFrame([r["truth"] for r in rows])
    stats = np.array([[r["stats"].get(k, math.nan) for k in cal.observed] for r in rows], dtype=float)
    frame = score(cal, params, stats, m)
    with atomic_path(out / "recovery.parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    text = table(frame)
    seconds = time.perf_counter() - t0
    scored = int(frame["truth_index"].nunique()) if len(frame) else 0
    lines = [f"# Parameter recovery on a reference table: {cal.name}", "",
             f"{n} parameter sets drawn from the prior and simulated with the observation model of "
             f"`{Path(cal.path).name}` (noise included). Each of the first {m} in turn is the data "
             f"({scored} scored; a row with a statistic the model cannot give is skipped); its posterior is "
             f"the {accepted(n)} of the other rows nearest to it by the calibration's distance "
             "(leave-one-out rejection ABC, Csilléry et al. 2012, the `abc` package's `cv4abc`). "
             "Coverage: how often the central posterior interval contains the truth; with few accepted rows "
             "the sample quantiles undercover (k = 10: about 75 % for the 90 % interval), and k rows that "
             "carry no information span about 0.8 of the prior's 90 % width, the baseline for the last "
             "two columns. Identification (last "
             f"column): {RULE}, by the mean width ratio over the truths; a rejection posterior is "
             "wider than ABC-SMC's, so 'not identified' here is an upper bound on what the full "
             "calibration leaves unidentified.", "", text, "",
             f"{n} simulations; this invocation took {seconds:.1f} s on {backend} with {ex.workers} workers.",
             ""]
    with atomic_path(out / "recovery.md") as tmp:
        tmp.write_text("\n".join(lines))
    coverage = frame.groupby("parameter")[["in50", "in90", "width90_ratio"]].mean() if len(frame) else None
    write_json(out / "manifest.json", {"calibration": cal.to_dict(), **provenance.stamp(), "truths": m,
                                       "reference": n, "accepted": accepted(n), "backend": backend,
                                       "workers": ex.workers, "seconds": seconds,
                                       "coverage": json.loads(coverage.to_json()) if coverage is not None
                                       else {}})
    outdir.seal(out, "recovery")
    return {"table": text, "frame": frame, "seconds": seconds}
