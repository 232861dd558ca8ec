"""Sweeps: identical results on every backend and worker count, kill and resume, failures
recorded, replay, the SLURM job script without SLURM, and the report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from cop_sim.cli import main
from cop_sim.experiment import load_experiment, read_summary, run_experiment, sweep
from cop_sim.experiment.replay import replay
from cop_sim.experiment.spec import Factor
from cop_sim.report import write_report
from cop_sim.report.stats import contrast

ROOT = Path(__file__).resolve().parent.parent


def experiment(tmp_path: Path, reps: int = 2, weeks: int = 4, levels: str = "[0.2, 0.8]") -> Path:
    path = tmp_path / "exp.toml"
    path.write_text(f"""
[experiment]
name = "t"
scenario = "{ROOT / 'scenarios' / 'default.toml'}"
replications = {reps}
master_seed = 11
weeks = {weeks}
outcomes = ["care_quality", "belief_error"]

[set]
n_cops = 1

[sampler]
method = "grid"

[[factors]]
key = "cop.moderator_skill"
levels = {levels}

[[factors]]
key = "cop.representative"
levels = [false, true]

[slurm]
queue = "short"
account = "lab42"
cores = 2
memory = "4GB"
walltime = "00:30:00"
python = "/opt/venv/bin/python"
""")
    return path


def files(results: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((results / "runs").glob("*.parquet"))}


def test_backends_and_worker_counts_give_identical_results(tmp_path):
    exp = experiment(tmp_path)
    one = run_experiment(exp, tmp_path / "one", workers=1, progress=False)
    two = run_experiment(exp, tmp_path / "two", workers=2, progress=False)
    dask = run_experiment(exp, tmp_path / "dask", workers=2, backend="dask", progress=False)
    reference = files(one)
    assert len(reference) == 4 * 2
    assert files(two) == reference and files(dask) == reference
    assert (two / "summary.parquet").read_bytes() == (one / "summary.parquet").read_bytes()
    assert (dask / "summary.parquet").read_bytes() == (one / "summary.parquet").read_bytes()
    summary = read_summary(one)
    assert list(summary.columns[:6]) == ["run_id", "point", "replication", "seed", "cop.moderator_skill",
                                         "cop.representative"]
    assert summary["error"].isna().all() and summary["care_quality"].between(0, 1).all()

    # common random numbers: a contrast is paired, its n is the number of pairs
    c = contrast(summary, "cop.representative", "care_quality", False, True)
    assert c["paired"] and c["n"] == 4 and c["lo"] <= c["effect"] <= c["hi"]

    # replay reproduces a run bit for bit
    _, seed, _, same = replay(one, "p000003-r001")
    assert same is True and seed == int(summary.loc[summary.run_id == "p000003-r001", "seed"].iloc[0])

    report = write_report(one)
    text = report.read_text()
    assert "Contrasts against the baseline (paired" in text and "heat map" in text
    pngs = sorted(p.name for p in (one / "figures").glob("*.png"))
    assert any(n.startswith("heatmap") for n in pngs) and any(n.startswith("curves") for n in pngs)


def test_sweep_killed_then_resumed_equals_uninterrupted(tmp_path):
    exp = experiment(tmp_path, reps=6, weeks=26, levels="[0.2, 0.5, 0.8]")  # 36 runs
    whole = run_experiment(exp, tmp_path / "whole", workers=1, progress=False)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "cop_sim", "sweep", str(exp), "--out", str(out),
                             "--workers", "2", "--no-progress"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.parquet"))) < 6:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its pool workers, mid-run
    proc.wait()
    done = len(list((out / "runs").glob("*.parquet")))
    assert 6 <= done < 36, "the kill should land part-way through"
    assert main(["sweep", str(exp), "--out", str(out), "--no-progress"]) == 2  # no silent overwrite
    resumed, info = sweep(exp, out, workers=2, resume=True, progress=False)
    assert info["this_invocation"]["ran"] == 36 - done
    assert files(resumed) == files(whole)  # none lost, none duplicated, same bytes
    assert not list((out / "runs").glob(".*"))  # no partial files left behind
    assert (resumed / "summary.parquet").read_bytes() == (whole / "summary.parquet").read_bytes()


def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path):
    spec = load_experiment(experiment(tmp_path))
    # A design with one bad point: a level load_experiment would refuse, so it fails inside
    # the worker when the run resolves its scenario.
    bad = replace(spec, factors=[Factor("cop.moderator_skill", "float", levels=(0.2, 1.5), baseline=0.2),
                                 spec.factors[1]])
    results, info = sweep(bad, tmp_path / "bad", workers=2, progress=False)
    summary = read_summary(results)
    failed = summary[summary["error"].notna()]
    assert info["this_invocation"]["failed"] == len(failed) == 4
    assert (failed["cop.moderator_skill"] == 1.5).all() and failed["seed"].gt(0).all()
    assert failed["error"].str.contains("moderator_skill").all()
    assert summary.loc[summary["error"].isna(), "care_quality"].notna().sum() == 4
    # the command says some failed
    exp = tmp_path / "exp.toml"
    assert main(["sweep", str(exp), "--out", str(results), "--collect"]) == 1


def test_shards_fill_one_folder_with_every_run_once(tmp_path):
    exp = experiment(tmp_path)
    out = tmp_path / "sharded"
    for i in range(3):
        assert main(["sweep", str(exp), "--out", str(out), "--shard", f"{i}/3", "--workers", "1",
                     "--no-progress"]) == 0
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 8 and summary["run_id"].is_unique
    assert main(["sweep", str(exp), "--shard", "3/3"]) == 2


def test_slurm_job_script_without_slurm(tmp_path, capsys):
    exp = experiment(tmp_path)
    assert main(["sweep", str(exp), "--backend", "slurm", "--dry-run", "--walltime", "01:15:00"]) == 0
    script = capsys.readouterr().out
    assert "#SBATCH -p short" in script and "#SBATCH -A lab42" in script
    assert "#SBATCH -t 01:15:00" in script and "/opt/venv/bin/python" in script
    assert "--nworkers 2" in script and "--nthreads 1" in script


@pytest.mark.parametrize("args", [["--shard", "x"], ["--workers", "0"], ["--dry-run"]])
def test_bad_command_line_exits_2(tmp_path, args):
    assert main(["sweep", str(experiment(tmp_path)), *args]) == 2


def test_the_fork_server_warm_up_loads_every_kernel():
    """Local workers fork from a server that imported the warm-up: each kernel is already in memory."""
    code = ("import cop_sim.cop.warm\n"
            "from cop_sim.cop import upkeep, week\n"
            "kernels = [week.burn_in, week.open_week, week.close_week, week.record, upkeep.session]\n"
            "print(sum(bool(k.signatures) for k in kernels), len(kernels))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, total = map(int, out.stdout.split())
    assert loaded == total == 5
