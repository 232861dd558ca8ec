"""Issue 11, part A: results never destroy what is on disk; output paths are checked; one-line errors.

Each test reproduces a defect as the issue writes it and asserts the exit status, exactly one
``error:`` line quoting what the user typed, and no traceback.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import cli, one_error

from cop_sim import outdir
from cop_sim.atomic import MARKER, atomic_dir, sha256
from cop_sim.params import InputError
from cop_sim.validation.patterns import Pattern
from cop_sim.validation.suite import run_pattern

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "default.toml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def experiment(tmp_path: Path, name: str = "t", reps: int = 2) -> Path:
    path = tmp_path / f"exp_{uuid.uuid4().hex[:6]}.toml"
    path.write_text(f"""
[experiment]
name = {json.dumps(name)}
scenario = "{DEFAULT}"
replications = {reps}
master_seed = 11
weeks = 4
outcomes = ["belief_error"]

[set]
n_cops = 1

[sampler]
method = "grid"

[[factors]]
key = "cop.moderator_skill"
levels = [0.2, 0.8]
""")
    return path


# -- defect 1: run --out never wipes a folder ------------------------------------------------------

def test_run_into_a_folder_with_a_users_file_is_refused_as_the_real_command(tmp_path):
    """``mkdir -p d && touch d/keep && cop-sim run scenarios/default.toml --weeks 13 --out d``."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "keep").write_text("field data")
    proc = subprocess.run([sys.executable, "-m", "cop_sim", "run", str(DEFAULT), "--weeks", "13",
                           "--out", "d"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    line = one_error(proc.stderr, "--out", "'d'", "--force", "choose another folder")
    assert "keep" in line
    assert sorted(os.listdir(tmp_path / "d")) == ["keep"]
    assert (tmp_path / "d" / "keep").read_text() == "field data"


def test_force_writes_beside_and_replaces_only_files_cop_sim_listed(tmp_path, capsys):
    d = tmp_path / "d"
    d.mkdir()
    (d / "keep").write_text("field data")
    os.utime(d / "keep", (1_000_000, 1_000_000))
    assert cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", d, "--force")[0] == 0
    marker = json.loads((d / MARKER).read_text())
    assert sorted(marker["files"]) == ["learning.png", "per_cop.parquet", "scenario.json", "summary.json",
                                      "timeseries.parquet"]
    assert all(sha256(d / n) == h for n, h in marker["files"].items())
    assert (d / "keep").read_text() == "field data" and (d / "keep").stat().st_mtime == 1_000_000
    # again: the listed files are replaced, the user's is not touched
    assert cli(capsys, "run", DEFAULT, "--weeks", "5", "--out", d, "--force")[0] == 0
    assert len(pd.read_parquet(d / "timeseries.parquet")) > 0
    assert json.loads((d / "summary.json").read_text())["outcomes"]
    assert (d / "keep").stat().st_mtime == 1_000_000
    # a listed file the user changed is no longer cop_sim's: refused even with --force
    (d / "summary.json").write_text("my notes")
    code, err = cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", d, "--force")
    assert code == 2
    one_error(err, "--out", str(d), "summary.json")
    assert (d / "summary.json").read_text() == "my notes"


def test_a_previous_runs_folder_is_replaced_whole_and_a_users_added_file_is_kept(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", out)[0] == 0
    first = snapshot(out)
    assert cli(capsys, "run", DEFAULT, "--weeks", "5", "--out", out)[0] == 0
    assert sorted(os.listdir(tmp_path)) == ["run"]  # no temporary or .old folder left beside it
    assert snapshot(out).keys() == first.keys() and snapshot(out) != first
    (out / "notes.txt").write_text("mine")
    assert cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", out)[0] == 0
    now = snapshot(out)
    assert now.keys() == first.keys() | {"notes.txt"} and now["notes.txt"] == b"mine"
    assert now["timeseries.parquet"] == first["timeseries.parquet"]  # same seed and weeks, same run
    (out / "summary.json").write_text("edited")  # no longer the file cop-sim wrote
    before = snapshot(out)
    code, err = cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", out)
    assert code == 2
    one_error(err, "--out", str(out), "summary.json")
    assert snapshot(out) == before


def test_a_file_added_while_a_run_computes_is_kept(tmp_path):
    """The swap is decided before the model runs; a file that appears meanwhile is not swapped away."""
    out = tmp_path / "run"
    with atomic_dir(out, outdir.prepare(out, "run", replace=True)) as tmp:
        (tmp / "timeseries.parquet").write_text("old")
    plan = outdir.prepare(out, "run", replace=True)
    assert plan.mode == "swap"
    (out / "late.txt").write_text("mine")  # while the run computes
    with atomic_dir(out, plan) as tmp:
        (tmp / "timeseries.parquet").write_text("new")
    assert snapshot(out) | {MARKER: b""} == {"late.txt": b"mine", "timeseries.parquet": b"new", MARKER: b""}
    assert sorted(os.listdir(tmp_path)) == ["run"]
    assert json.loads((out / MARKER).read_text())["files"] == {"timeseries.parquet": sha256(
        out / "timeseries.parquet")}


def test_an_existing_file_as_out_is_refused_and_kept(tmp_path, capsys):
    target = tmp_path / "data.csv"
    target.write_text("a,b\n1,2\n")
    code, err = cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", target)
    assert code == 2
    one_error(err, "--out", str(target), "is a file")
    assert target.read_text() == "a,b\n1,2\n" and sorted(os.listdir(tmp_path)) == ["data.csv"]


def test_sweep_validate_report_and_dock_refuse_a_foreign_folder(tmp_path, capsys):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "summary.parquet").write_text("not cop_sim's")
    exp = experiment(tmp_path)
    for argv in (["sweep", exp, "--out", foreign, "--no-progress"],
                 ["validate", "--quick", "--only", "V1", "--out", foreign],
                 ["dock", "--iterations", "2", "--out", foreign]):
        code, err = cli(capsys, *argv)
        assert code == 2, argv
        one_error(err, "--out", str(foreign), "--force")
    # --force writes beside, but never over a file cop-sim did not write
    code, err = cli(capsys, "sweep", exp, "--out", foreign, "--no-progress", "--force")
    assert code == 2
    one_error(err, "--out", str(foreign), "summary.parquet")
    (foreign / "experiment.json").write_text("{}")  # a report needs a sweep's folder, this is not one
    code, err = cli(capsys, "report", foreign)
    assert code == 2
    one_error(err, str(foreign))
    assert snapshot(foreign) == {"summary.parquet": b"not cop_sim's", "experiment.json": b"{}"}


def test_sweep_with_force_writes_beside_a_users_file_and_resumes(tmp_path, capsys):
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "README.txt").write_text("lab notes")
    exp = experiment(tmp_path)
    assert cli(capsys, "sweep", exp, "--out", folder, "--no-progress", "--force", "--workers", "1")[0] == 0
    assert len(list((folder / "runs").glob("*.parquet"))) == 4
    # now marked as a sweep's folder: resume, collect and report need no --force
    assert cli(capsys, "sweep", exp, "--out", folder, "--no-progress", "--resume", "--workers", "1")[0] == 0
    assert cli(capsys, "sweep", exp, "--out", folder, "--collect")[0] == 0
    assert cli(capsys, "report", folder)[0] == 0
    assert (folder / "README.txt").read_text() == "lab notes"
    listed = json.loads((folder / MARKER).read_text())["files"]
    assert "README.txt" not in listed and "manifest.json" in listed and len(listed) >= 8


def test_a_sweep_folder_without_a_marker_is_refused_even_with_force(tmp_path, capsys):
    exp = experiment(tmp_path)
    folder = tmp_path / "old"
    assert cli(capsys, "sweep", exp, "--out", folder, "--no-progress", "--workers", "1")[0] == 0
    (folder / MARKER).unlink()  # as an older cop-sim left it
    before = snapshot(folder)
    for argv in (["report", folder], ["sweep", exp, "--out", folder, "--collect"],
                 ["sweep", exp, "--out", folder, "--resume", "--no-progress"]):
        code, err = cli(capsys, *argv)
        assert code == 2, argv
        one_error(err, str(folder), "--force")
    # a sweep rewrites summary.parquet and manifest.json, which no marker vouches for: not even --force
    for argv in (["sweep", exp, "--out", folder, "--resume", "--no-progress", "--force"],
                 ["report", folder, "--force"]):
        code, err = cli(capsys, *argv)
        assert code == 2, argv
        one_error(err, str(folder), "would have to replace")
    assert snapshot(folder) == before
    assert cli(capsys, "sweep", exp, "--out", tmp_path / "new", "--no-progress", "--workers", "1")[0] == 0
    runs = {k.removeprefix("runs/"): v for k, v in before.items() if k.startswith("runs/")}
    assert snapshot(tmp_path / "new" / "runs") == runs


def test_shards_starting_together_do_not_see_each_others_marker_as_a_stranger(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / f".{MARKER}.ab12cd34.tmp").write_text("{")  # another shard is writing the marker
    (folder / ".cop_sim.0badf00d.probe").mkdir()  # another shard is checking the folder
    assert outdir.prepare(folder, "sweep").mode == "beside"
    (folder / "notes").write_text("x")
    with pytest.raises(InputError, match="'notes' is not cop-sim's"):
        outdir.prepare(folder, "sweep")


def test_validation_replaces_a_pattern_folder_only_when_all_of_it_is_cop_sims(tmp_path):
    """``validate`` used to ``shutil.rmtree`` a pattern's folder; now it is swapped like a run's."""
    exp = experiment(tmp_path)

    pattern = Pattern("VX", "a tiny sweep", "test", "difference", (), "held_out", "none", (), exp)
    out = tmp_path / "val"
    run_pattern(pattern, out, False, 1, False, False)
    folder = out / "full" / "VX"
    first = snapshot(folder / "runs")
    assert len(first) == 4
    run_pattern(pattern, out, False, 1, False, False)  # without --resume: started clean
    assert snapshot(folder / "runs") == first and os.listdir(out / "full") == ["VX"]
    (folder / "mine.txt").write_text("x")
    with pytest.raises(InputError, match="mine.txt"):
        run_pattern(pattern, out, False, 1, False, False)
    assert (folder / "mine.txt").read_text() == "x" and snapshot(folder / "runs") == first


# -- defect 2: a name is one path component ------------------------------------------------------

@pytest.mark.parametrize("name", ["../x", "/some/dir", "a/b", "..", ".", "a\\b", ""])
def test_a_scenario_name_that_is_a_path_is_refused(tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "some" / "dir"
    victim.mkdir(parents=True)
    (victim / "keep").write_text("x")
    text = f"name = {json.dumps(str(victim) if name == '/some/dir' else name)}\n"
    (tmp_path / "s.toml").write_text(text)
    code, err = cli(capsys, "run", tmp_path / "s.toml", "--weeks", "4")
    assert code == 2
    one_error(err, "s.toml", "'name'", repr(str(victim) if name == "/some/dir" else name))
    assert sorted(os.listdir(tmp_path)) == ["s.toml", "some"] and os.listdir(victim) == ["keep"]


def test_a_set_name_and_an_experiment_name_that_are_paths_are_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = cli(capsys, "run", DEFAULT, "--set", "name=../x")
    assert code == 2
    one_error(err, "--set", "'name'", "'../x'")
    for name in ("../x", str(tmp_path / "abs")):
        exp = experiment(tmp_path, name=name)
        code, err = cli(capsys, "sweep", exp, "--no-progress")
        assert code == 2
        one_error(err, exp.name, "'experiment.name'", repr(name))
    assert not (tmp_path.parent / "x").exists() and not (tmp_path / "abs").exists()
    assert not (tmp_path / "results").exists()


# -- defect 6: output-path problems are one line --------------------------------------------------

def test_unusable_output_paths_are_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("x")
    (tmp_path / "other").write_text("y")  # the working folder is not empty
    exp = experiment(tmp_path)
    cases = [(["run", DEFAULT, "--weeks", "4", "--out", "/proc/x"], "/proc/x", "cannot write"),
             (["sweep", exp, "--out", "FILE", "--no-progress"], "FILE", "is a file"),
             (["run", DEFAULT, "--weeks", "4", "--out", "FILE/sub"], "FILE/sub", "is a file"),
             (["sweep", exp, "--out", "FILE/sub", "--no-progress"], "FILE/sub", "is a file"),
             (["run", DEFAULT, "--weeks", "4", "--out", "."], "'.'", "not empty")]
    for argv, quoted, why in cases:
        code, err = cli(capsys, *argv)
        assert code == 2, argv
        one_error(err, "--out", quoted, why)
    assert sorted(os.listdir(tmp_path)) == sorted(["FILE", "other", exp.name])


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` until about ``leave`` bytes are free."""
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free
    with open(filler, "wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def test_a_full_disk_during_a_run_is_one_line_and_keeps_the_previous_run(small_disk, capsys):
    out = small_disk / "run"
    assert cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", out)[0] == 0
    before = snapshot(out)
    filler = fill(small_disk, 40_000)  # too little for the figure
    code, err = cli(capsys, "run", DEFAULT, "--weeks", "5", "--out", out)
    assert code == 1
    one_error(err, str(out), "No space left on device")
    assert snapshot(out) == before
    assert sorted(os.listdir(small_disk)) == ["filler", "run"]  # no temporary folder left
    filler.unlink()
    assert cli(capsys, "run", DEFAULT, "--weeks", "5", "--out", out)[0] == 0


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_full_disk_during_a_sweep_is_one_line_and_loses_no_finished_run(small_disk, tmp_path, capsys,
                                                                          workers):
    exp = experiment(tmp_path, reps=6)
    out = small_disk / "sweep"
    filler = fill(small_disk, 60_000)
    code, err = cli(capsys, "sweep", exp, "--out", out, "--no-progress", "--workers", workers)
    assert code == 1
    one_error(err, str(out), "No space left on device", "kept")
    done = sorted((out / "runs").glob("*.parquet"))
    assert 0 < len(done) < 12
    rows = {pq.read_table(path).num_rows for path in done}  # every run on disk is whole
    assert len(rows) == 1 and rows.pop() > 0
    filler.unlink()
    code, _ = cli(capsys, "sweep", exp, "--out", out, "--no-progress", "--resume", "--workers", workers)
    assert code == 0 and len(list((out / "runs").glob("*.parquet"))) == 12
    assert {p.name: p.read_bytes() for p in done} == {p.name: (out / "runs" / p.name).read_bytes()
                                                        for p in done}


# -- defect 7: result files follow the umask -------------------------------------------------------

@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_results_follow_the_umask(tmp_path, capsys, umask):
    old = os.umask(umask)
    try:
        assert cli(capsys, "run", DEFAULT, "--weeks", "4", "--out", tmp_path / "run")[0] == 0
        assert cli(capsys, "sweep", experiment(tmp_path), "--out", tmp_path / "sweep", "--no-progress",
                   "--workers", "1")[0] == 0
    finally:
        os.umask(old)
    files = [tmp_path / "run" / n for n in ("timeseries.parquet", "summary.json", "learning.png", MARKER)]
    files += [tmp_path / "sweep" / n for n in ("summary.parquet", "manifest.json", "experiment.json")]
    files += list((tmp_path / "sweep" / "runs").glob("*.parquet"))
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path
    for path in (tmp_path / "run", tmp_path / "sweep", tmp_path / "sweep" / "runs"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o777 & ~umask, path


# -- only atomic.py removes or replaces paths ------------------------------------------------------

# Calls that remove or replace a path; ``.replace``/``.rename`` with one positional argument
# and no keywords is Path's (str.replace takes two, DataFrame.rename takes keywords).
FORBIDDEN_FUNCS = {("shutil", "rmtree"), ("shutil", "move"), ("os", "remove"), ("os", "unlink"),
                   ("os", "replace"), ("os", "rename"), ("os", "renames"), ("os", "rmdir"),
                   ("os", "removedirs")}
# Not under a user's output folder, with why:
ALLOWED: dict[str, str] = {}


def removals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):  # ``from os import remove`` would hide the call's owner
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names
                      if (node.module, a.name) in FORBIDDEN_FUNCS]
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        attr, owner = node.func.attr, node.func.value
        name = owner.id if isinstance(owner, ast.Name) else None
        path_like = attr in ("replace", "rename") and len(node.args) == 1 and not node.keywords \
            and name != "dataclasses"
        if (name, attr) in FORBIDDEN_FUNCS or attr in ("unlink", "rmdir", "rmtree") or path_like:
            found.append((node.lineno, f"{name or '…'}.{attr}"))
    return found


def test_only_atomic_py_removes_or_replaces_paths():
    package = ROOT / "cop_sim"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        if rel == "cop_sim/atomic.py":
            continue
        for line, call in removals(ast.parse(path.read_text(), rel)):
            if f"{rel}:{call}" not in ALLOWED:
                offenders.append(f"{rel}:{line}: {call}")
    assert offenders == []
    # the check itself finds what it is meant to
    sample = "import os, shutil\nshutil.rmtree(p)\nos.replace(a, b)\np.unlink()\nq.rename(r)\n" \
             "s.replace('a', 'b')\nframe.rename(columns={})\nfrom os import remove\n"
    assert sorted(c for _, c in removals(ast.parse(sample))) == ["os.remove", "os.replace", "p.unlink",
                                                                 "q.rename", "shutil.rmtree"]
    assert removals(ast.parse((package / "atomic.py").read_text()))  # atomic.py does remove
