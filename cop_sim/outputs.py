"""Writing one run's outputs: time series, summary, resolved scenario and figure, atomically."""

from __future__ import annotations

import math
from pathlib import Path

from cop_sim import outdir, provenance
from cop_sim.atomic import Plan, atomic_dir, write_json
from cop_sim.result import RunResult
from cop_sim.scenario import content_hash


def run_record(result: RunResult, resolved: dict, seed: int) -> dict:
    """The summary document of a run: outcomes, seed, scenario hash and provenance."""
    return {
        "scenario": resolved.get("name"),
        "model": resolved.get("model", "cop"),
        "seed": seed,
        "scenario_sha256": content_hash(resolved),
        "outcomes": result.summary,
        "provenance": provenance.stamp(),
    }


def write_run(result: RunResult, resolved: dict, seed: int, out: str | Path, figure: bool = True,
              plan: Plan | None = None) -> Path:
    """Write a run into folder ``out`` as ``plan`` says (default: :func:`cop_sim.outdir.prepare`'s).

    A new folder appears, or a previous run's is replaced, only when every file is written;
    into another folder (``--force``) the files go one by one, each whole.
    """
    from cop_sim.figures import plot_run  # matplotlib import is slow; only when writing
    from cop_sim.plot_rules import event_weeks

    out = Path(out)
    plan = plan or outdir.prepare(out, "run", option=None, names=outdir.RUN_FILES, replace=True)
    with atomic_dir(out, plan) as tmp:
        result.timeseries.to_parquet(tmp / "timeseries.parquet", index=False)
        write_json(tmp / "summary.json", run_record(result, resolved, seed))
        write_json(tmp / "scenario.json", resolved)
        per_cop = result.meta.get("per_cop")
        if per_cop is not None:  # one row per CoP and week: the main outcomes by site
            per_cop.to_parquet(tmp / "per_cop.parquet", index=False)
        if figure:
            plot_run(result.timeseries, result.meta.get("panels"), tmp / "learning.png",
                     title=f"{resolved.get('name')} (seed {seed})", events=event_weeks(resolved),
                     per_cop=per_cop)
    return out


# Why an outcome can have no value, by key (a prefix before '|' for per-CoP keys).
MISSING = {
    "representative_trust": "no representative",
    "representative_voice": "no representative",
    "care_quality_social": "no social-care encounters",
    "care_quality_complex": "no complex encounters",
    "care_quality_last_quarter_se": "fewer than two weeks with encounters",
    "attendance": "no meetings",
    "low_status_voice": "no stories told",
}


def missing(key: str) -> str:
    """How a missing (NaN) outcome prints: ``n/a (the reason)``, or ``n/a`` when none is known."""
    why = MISSING.get(key.split("|", 1)[0])
    if why is None and any(key.startswith(k) for k in ("care_quality", "health", "belief_error", "goal")):
        why = "no encounters"
    return f"n/a ({why})" if why else "n/a"


def summary_table(summary: dict[str, float], width: int = 34) -> str:
    """A short aligned text table of summary scalars; a missing value says why, not ``nan``."""
    def cell(k: str, v) -> str:
        if isinstance(v, float) and math.isnan(v):
            return f"{k:<{width}} {missing(k)}"
        return f"{k:<{width}} {v:>10.4f}" if isinstance(v, float) else f"{k:<{width}} {v!s:>10}"

    return "\n".join(cell(k, v) for k, v in summary.items())

