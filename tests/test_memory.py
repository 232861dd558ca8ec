"""The memory estimate against measured peaks, and scenarios refused before they exhaust memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cop_sim import memory, scenario
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parent.parent
# memory.peak_rss: the child's own peak, not the parent's (pytest, large by the end of a suite)
CHILD = """
import json, sys
from cop_sim import memory, models, scenario
resolved = scenario.resolve(json.loads(sys.argv[1]), "<test>")
models.simulate(resolved, 1)
print(json.dumps([memory.peak_rss(), memory.estimate(resolved)]))
"""


def _cli(*args: str, cwd: Path) -> tuple[int, str]:
    out = subprocess.run([sys.executable, "-m", "cop_sim", *args], capture_output=True, text=True, cwd=cwd)
    return out.returncode, out.stderr


def _one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture(scope="module")
def compiled() -> None:
    """Compile and cache the kernels first, so no child's peak holds the compiler's memory.

    At the smallest measured size, as large models take code paths (sparse group sums) small ones do not.
    """
    subprocess.run([sys.executable, "-c", CHILD, json.dumps({"n_cops": 400, "weeks": 3})], check=True,
                   capture_output=True)


@pytest.mark.parametrize("n_cops", [400, 1500, 4000])  # 4,800, 18,000 and 48,000 practitioners
def test_estimate_is_within_30_percent_of_the_measured_peak(n_cops, compiled):
    raw = {"n_cops": n_cops, "weeks": 3}
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(raw)], capture_output=True, text=True,
                         check=True)
    peak, estimate = json.loads(out.stdout.strip().splitlines()[-1])
    assert 0.7 * peak <= estimate <= 1.3 * peak, f"estimate {estimate / 1e6:.0f} MB, peak {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("text", ["n_cops = 100000\n", "n_cops = 8000\n[patients]\nper_practitioner = 200\n"])
def test_a_scenario_too_big_for_4_gb_is_refused_before_it_is_built(tmp_path, text):
    path = tmp_path / "big.toml"
    path.write_text(text)
    code, err = _cli("run", str(path), "--max-memory", "4G", "--out", str(tmp_path / "o"), cwd=tmp_path)
    line = _one_error(err)
    assert code == 2 and str(path) in line and "needs about" in line and "4.0 GB" in line
    assert not (tmp_path / "o").exists()


def test_max_memory_raises_the_limit_and_is_checked():
    huge = scenario.resolve({"n_cops": 20000}, "big.toml")
    need = memory.estimate(huge)
    assert 1.5e9 < need < 5e9  # 4.8 million patients at a few hundred bytes each
    assert memory.check(huge, "big.toml", 1, "1000G") == need
    with pytest.raises(InputError) as err:
        memory.check(huge, "big.toml", 1, "eight gigs")
    assert err.value.source == "--max-memory" and "'eight gigs'" in str(err.value)
    assert memory.parse_size("8G") == 8e9 and memory.parse_size("512MB") == 512e6


def test_a_sweep_needs_the_estimate_times_its_workers(tmp_path):
    small = scenario.resolve({}, "s.toml")
    one = memory.estimate(small)
    limit = f"{int(1.5 * one)}"
    assert memory.check(small, "s.toml", 1, limit) == one
    with pytest.raises(InputError, match="x 2 workers"):
        memory.check(small, "s.toml", 2, limit)
    exp = ROOT / "experiments" / "moderation_x_patient_participation.toml"
    code, err = _cli("sweep", str(exp), "--workers", "2", "--max-memory", limit, "--out", str(tmp_path / "o"),
                     cwd=tmp_path)
    assert code == 2 and "x 2 workers" in _one_error(err) and not (tmp_path / "o").exists()


def test_available_respects_a_cgroup_v2_memory_max(tmp_path):
    group = tmp_path / "sys" / "a" / "b"
    group.mkdir(parents=True)
    (tmp_path / "sys" / "a" / "memory.max").write_text("3000000000\n")
    (tmp_path / "sys" / "a" / "memory.current").write_text("1000000000\n")
    (group / "memory.max").write_text("max\n")
    (group / "memory.current").write_text("500000000\n")
    proc = tmp_path / "cgroup"
    proc.write_text("0::/a/b\n")
    assert memory.cgroup_limit(tmp_path / "sys", proc) == 2e9  # the parent's limit binds
    proc.write_text("4:memory:/x\n")  # cgroup v1, no limit set
    assert memory.cgroup_limit(tmp_path / "sys", proc) is None
    assert memory.available() <= memory.mem_available()
