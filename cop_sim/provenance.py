"""Provenance stamps: package version, git commit and dirty flag, Python and library versions."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import platform
import subprocess
import sys
from pathlib import Path

from cop_sim import __version__

LIBRARIES = ("mesa", "simpy", "numpy", "pandas", "pyarrow", "matplotlib", "SALib", "dask",
             "distributed", "dask-jobqueue")
REPO = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@functools.cache
def git_state() -> dict:
    """The checkout's commit and whether its tracked files differ from it."""
    commit = _git("rev-parse", "HEAD")
    dirty = _git("status", "--porcelain", "--untracked-files=no")
    return {"git_commit": commit, "git_dirty": None if dirty is None else bool(dirty)}


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def _static() -> dict:
    return {
        "cop_sim_version": __version__,
        **git_state(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": {name: _version(name) for name in LIBRARIES},
    }


def stamp() -> dict:
    """Everything needed to say how an output was made, with the current UTC time."""
    return {**_static(), "created": now()}


def now() -> str:
    """The current UTC time in ISO format."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
