"""Every command block of the README runs, verbatim, in a fresh copy of the repository.

A "fresh copy" is the tracked files (``git ls-files``) copied into a temporary folder, so a block
passes only with what a clone would hold. The copy's own code runs (``PYTHONPATH``), through the
console scripts of the running environment (its ``bin`` first on ``PATH``, as after ``source
.venv/bin/activate``). Three decisions, each stated where it is made:

- ``make test`` is skipped: it runs this very suite (``.ci/run`` runs it in CI).
- ``make run`` runs: the copy gets a ``.venv`` whose ``bin`` is the running environment's and
  whose install stamp is fresh, so ``make`` skips the install (what it does in a checkout already
  set up) and runs the scenario; installing is what ``make test`` in CI proves.
- The copy starts with the compiled kernels of the running checkout (``_seed_kernel_cache``),
  since the same sources compile to the same cache; without them each copy would spend a minute
  or more compiling. If Numba's cache layout ever differs, the copy compiles and the test is
  only slower.

Blocks that take minutes (a sweep and its report, a calibration) are marked ``full``. The demo
is started, asked for its page on loopback, and stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
SHELLS = ("bash", "sh", "shell")
# Blocks whose commands take minutes on 2 cores: run with `pytest -m full`.
LONG = ("cop-sim sweep", "cop-sim calibrate")
DEMO_URL = "http://127.0.0.1:8765/"  # `cop-sim demo`'s default port, as the README runs it


def command_blocks(text: str) -> list[str]:
    """The bodies of the README's fenced shell blocks, in order."""
    return [m.group(2) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)
            if m.group(1) in SHELLS]


def block_id(block: str) -> str:
    """A test id from the block's first command (``cop-sim run ...`` -> ``cop-sim-run``)."""
    first = next(line for line in block.splitlines() if line.strip() and not line.startswith("#"))
    return "-".join(first.split("#")[0].split()[:2])


def _cases() -> list:
    cases = []
    for block in command_blocks(README.read_text(encoding="utf-8")):
        marks = [pytest.mark.full] if any(cmd in block for cmd in LONG) else []
        cases.append(pytest.param(block, marks=marks, id=block_id(block)))
    return cases


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    if out.returncode != 0:
        pytest.skip(f"not a git checkout, so no tracked files to copy: {out.stderr.decode().strip()}")
    return [f for f in out.stdout.decode().split("\0") if f]


def _seed_kernel_cache(copy: Path) -> None:
    """Give the copy the running checkout's compiled kernels (same sources, same machine code).

    Numba keeps a module's kernels in a folder named after the module's directory path
    (``UserProvidedCacheLocator``) and reuses them while the source file's modification time
    and size match, which ``copy2`` preserves.
    """
    from numba.core.caching import UserProvidedCacheLocator as Locator

    import cop_sim
    import cop_sim.cop.warm  # noqa: F401 - compiles or loads every kernel of the running checkout
    from cop_sim import kernel

    package = Path(cop_sim.__file__).parent
    source = Path(kernel.cache_dir())
    target = Path(kernel.cache_dir(copy / "cop_sim", base=str(copy / "cop_sim" / "__pycache__")))
    if source.name != target.name or not source.is_dir():
        return  # other kernel sources: the copy compiles its own
    for folder in [package, *(p for p in package.rglob("*") if p.is_dir())]:
        mine = source / Locator.get_suitable_cache_subpath(str(folder / "x.py"))
        if mine.is_dir():
            theirs = copy / "cop_sim" / folder.relative_to(package) / "x.py"
            shutil.copytree(mine, target / Locator.get_suitable_cache_subpath(str(theirs)))


def make_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the tracked files, and the environment the README's commands run in."""
    copy = tmp_path / "repo"
    for name in _tracked_files():
        src = ROOT / name
        if src.is_file():  # a tracked file deleted in the working tree is not in a clone either
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / name)
    venv = copy / ".venv"
    venv.mkdir()
    (venv / "bin").symlink_to(BIN)
    (venv / ".installed").touch()  # newer than pyproject.toml: make sees the install as done
    _seed_kernel_cache(copy)
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", "VIRTUAL_ENV")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PYTHONPATH=str(copy), MPLBACKEND="Agg")
    return copy, env


@pytest.fixture
def fresh_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A fresh copy of the repository for one block."""
    return make_copy(tmp_path)


def _compare_exists() -> bool:
    """Whether this checkout has ``cop-sim compare`` (added by another change of issue 23)."""
    out = subprocess.run([sys.executable, "-m", "cop_sim", "compare", "--help"], cwd=ROOT,
                         capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return out.returncode == 0


def _serve_demo(block: str, copy: Path, env: dict[str, str], log: Path) -> str:
    """Start the demo block, wait for its page on loopback, stop it; return the page."""
    from cop_sim.cli.demo import check_listen
    from cop_sim.params import InputError

    try:
        check_listen("127.0.0.1", 8765)
    except InputError:
        pytest.skip("port 8765, which the README's `cop-sim demo` serves on, is in use")
    with open(log, "wb") as out:
        proc = subprocess.Popen(["bash", "-c", block], cwd=copy, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180  # generous: a busy 2-core machine imports slowly
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"the demo exited ({proc.returncode}):\n{log.read_text()}"
            try:
                with urllib.request.urlopen(DEMO_URL, timeout=10) as r:
                    return r.read().decode(errors="replace")
            except OSError:
                time.sleep(0.5)
        pytest.fail(f"the demo did not answer at {DEMO_URL} within 180 s:\n{log.read_text()}")
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C, as the README says
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.parametrize("block", _cases())
def test_readme_block_runs_verbatim(block: str, fresh_copy, tmp_path: Path):
    if "make test" in block:
        pytest.skip("`make test` runs this whole suite and cannot run inside it; CI runs it (.ci/run)")
    if "cop-sim compare" in block and not _compare_exists():
        pytest.skip("`cop-sim compare --help` fails: compare is not in this checkout yet")
    copy, env = fresh_copy
    if "cop-sim demo" in block:
        page = _serve_demo(block, copy, env, tmp_path / "demo.log")
        assert "solara" in page.lower(), page[:500]
        return
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    # every results folder the block names was written (by the copy, inside the copy)
    for folder in re.findall(r"(results/[\w./-]+)", block):
        assert (copy / folder).is_dir() and any((copy / folder).iterdir()), f"{folder} is empty or missing"
