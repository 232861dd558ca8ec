"""A sweep killed with SIGKILL (its PID alone, as the OOM killer does) leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _experiment(tmp_path: Path) -> Path:
    path = tmp_path / "long.toml"
    path.write_text(f"""
[experiment]
name = "long"
scenario = "{ROOT / 'scenarios' / 'default.toml'}"
replications = 500
master_seed = 1
weeks = 104

[[factors]]
key = "cop.moderator_skill"
levels = [0.2, 0.8]
""")
    return path


def _alive(procs: list[psutil.Process]) -> list[int]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p.pid)
        except psutil.NoSuchProcess:
            pass
    return out


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_sigkill_of_the_sweep_alone_leaves_no_descendant_after_10_s(tmp_path, backend):
    out = tmp_path / "out"
    sweep = subprocess.Popen([sys.executable, "-m", "cop_sim", "sweep", str(_experiment(tmp_path)),
                              "--workers", "2", "--backend", backend, "--no-progress", "--out", str(out)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    me = psutil.Process(sweep.pid)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # until both workers are busy and runs reach the disk
            if (out / "runs").is_dir() and any((out / "runs").iterdir()) and len(me.children(True)) >= 3:
                break
            assert sweep.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.2)
        descendants = me.children(recursive=True)
        assert len(descendants) >= 2, "no worker processes to watch"
        os.kill(sweep.pid, signal.SIGKILL)  # the PID alone, not its process group
        sweep.wait()
        t0 = time.monotonic()
        while _alive(descendants) and time.monotonic() - t0 < 10:
            time.sleep(0.2)
        left = _alive(descendants)
    finally:
        if sweep.poll() is None:
            sweep.kill()
    for pid in left:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"{len(left)} of {len(descendants)} descendants still alive 10 s after the kill"
    assert any((out / "runs").iterdir())  # finished runs were kept
