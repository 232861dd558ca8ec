"""Shared fixtures: small resolved scenarios."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

from cop_sim import scenario
from cop_sim.cli import main

# CI draws the same examples every time (a submission is judged on its code, not on the luck of a
# draw); elsewhere hypothesis explores afresh, and a failure prints the draw that reproduces it.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "default.toml"


@pytest.fixture
def resolve():
    """Resolve the default scenario with dotted-key overrides."""

    def _resolve(*pairs: str, path: Path = DEFAULT) -> dict:
        return scenario.load(path, list(pairs))

    return _resolve


def cli(capsys, *argv: str | Path) -> tuple[int, str]:
    """Run ``cop-sim ARGV`` in this process; its exit status and stderr."""
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def one_error(err: str, *quoted: str) -> str:
    """The single ``error:`` line of ``err``, which must quote each of ``quoted``; no traceback."""
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if "error:" in line]
    assert len(lines) == 1, err
    for q in quoted:
        assert q in lines[0], (q, lines[0])
    return lines[0]


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB tmpfs, or skip with the reason."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip() or proc.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


# Every 0.3 mechanism switched off: the default scenario must then give 0.2.0's summary bit for
# bit (tests/baseline/v020_default_seed1.json; tests/test_cop_invariants.py).
V020 = ["review.interval=0", "review.triggers=false", "review.keep_rule=best_seen", "practice.time_limit=0",
        "meeting.transfer=evidence", "repository.pathways=false", "team.size=1",
        "practice.belief_context=social", "review.repository_triggers=false"]


def differs_from_v020(summary: dict) -> list[str]:
    """The keys of 0.2.0's stored summary whose value ``summary`` does not repeat bit for bit (NaN = NaN)."""
    import json
    import math
    from pathlib import Path

    stored = json.loads((Path(__file__).parent / "baseline" / "v020_default_seed1.json").read_text())
    return [k for k, v in stored.items()
            if not (summary[k] == v or (isinstance(v, float) and math.isnan(v) and math.isnan(summary[k])))]
