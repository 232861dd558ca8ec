"""Issue 22, defects 1, 8, 9 and 11: a sweep's results folder when files in it are damaged, when
runs/ is a symlink, and when the design is too big to lay out.

Each test runs the real command line (``cop_sim.cli.main``) on a tiny sweep (4 runs of 4 weeks)
and asserts the exit status, the one ``error:`` line and what is left on disk.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import cli, one_error

from cop_sim import atomic, memory
from cop_sim.cli import main
from cop_sim.experiment import store
from cop_sim.experiment.design import build_design, check_size, design_size
from cop_sim.experiment.spec import parse
from cop_sim.params import InputError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "default.toml"
VICTIM = "p000000-r001.parquet"


def write_experiment(folder: Path, factors: str = 'key = "cop.moderator_skill"\nlevels = [0.2, 0.8]',
                     sampler: str = 'method = "grid"', reps: int = 2) -> Path:
    path = folder / "exp.toml"
    path.write_text(f"""
[experiment]
name = "t"
scenario = "{DEFAULT}"
replications = {reps}
master_seed = 11
weeks = 4
outcomes = ["belief_error"]

[set]
n_cops = 1

[sampler]
{sampler}

[[factors]]
{factors}
""")
    return path


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, Path]:
    """The experiment file and a clean sweep of it (never changed: tests copy it)."""
    folder = tmp_path_factory.mktemp("clean")
    exp = write_experiment(folder)
    assert main(["sweep", str(exp), "--out", str(folder / "sweep"), "--no-progress", "--workers", "1"]) == 0
    return exp, folder / "sweep"


def copy(clean: tuple[Path, Path], tmp_path: Path) -> Path:
    out = tmp_path / "sweep"
    shutil.copytree(clean[1], out, symlinks=True)
    return out


def run_bytes(results: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((results / "runs").glob("*.parquet"))}


# -- defect 1: a damaged run file is missing, not fatal ----------------------------------------

def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:5000])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _text(path: Path) -> None:
    path.write_text("these are not the results you are looking for\n")


def _symlink(path: Path) -> None:
    other = path.parent.parent.parent / "notes.txt"
    other.write_text("a user's notes, not Parquet\n")
    path.unlink()
    path.symlink_to(other)


def _middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = bytes(64)
    path.write_bytes(bytes(data))


DAMAGE = {"truncated": _truncate, "empty": _empty, "text": _text, "symlink": _symlink, "middle": _middle}


@pytest.mark.parametrize("how", list(DAMAGE))
def test_a_damaged_run_file_is_named_by_collect_and_report_and_resume_runs_it_again(clean, tmp_path, capsys,
                                                                                    how):
    exp, reference = clean
    out = copy(clean, tmp_path)
    victim = out / "runs" / VICTIM
    DAMAGE[how](victim)
    damaged = os.readlink(victim) if victim.is_symlink() else victim.read_bytes()

    for argv in (["sweep", exp, "--out", out, "--collect"], ["report", out]):
        code, err = cli(capsys, *argv)
        assert code == 1, (argv, err)
        line = one_error(err, str(out), f"runs/{VICTIM}", "cannot be read", "--resume")
        assert "could not write" not in line  # a read failure, not a write failure
    # without --resume the damaged file is not overwritten either
    code, err = cli(capsys, "sweep", exp, "--out", out, "--no-progress", "--workers", "1")
    assert code == 2
    one_error(err, "already on disk", "--resume")

    code, err = cli(capsys, "sweep", exp, "--out", out, "--no-progress", "--workers", "1", "--resume")
    assert code == 0, err
    aside = out / "runs" / f"{VICTIM}.damaged-1"
    warning = [line for line in err.splitlines() if "warning:" in line]
    assert len(warning) == 1 and f"runs/{aside.name}" in warning[0] and "Traceback" not in err
    kept = os.readlink(aside) if aside.is_symlink() else aside.read_bytes()
    assert kept == damaged  # set aside as it was, never deleted
    assert run_bytes(out) == run_bytes(reference)  # run again, bit for bit
    assert (out / "summary.parquet").read_bytes() == (reference / "summary.parquet").read_bytes()
    assert cli(capsys, "sweep", exp, "--out", out, "--collect")[0] == 0
    assert (out / "summary.parquet").read_bytes() == (reference / "summary.parquet").read_bytes()


def test_a_second_damage_of_the_same_run_is_set_aside_beside_the_first(clean, tmp_path, capsys):
    exp, _ = clean
    out = copy(clean, tmp_path)
    for n in (1, 2):
        (out / "runs" / VICTIM).write_text(f"damage {n}")
        assert cli(capsys, "sweep", exp, "--out", out, "--no-progress", "--workers", "1", "--resume")[0] == 0
    assert (out / "runs" / f"{VICTIM}.damaged-1").read_text() == "damage 1"
    assert (out / "runs" / f"{VICTIM}.damaged-2").read_text() == "damage 2"


def test_collect_names_the_first_three_unreadable_runs_and_counts_the_rest(clean, tmp_path, capsys):
    exp, _ = clean
    out = copy(clean, tmp_path)
    for p in (out / "runs").glob("*.parquet"):
        p.write_text("x")
    code, err = cli(capsys, "sweep", exp, "--out", out, "--collect")
    assert code == 1
    line = one_error(err, "4 run files cannot be read", "and 1 more")
    assert line.count("runs/p0") == 3


def first_silent_change(path: Path) -> bytes:
    """The file with one byte zeroed where Parquet itself reads back different values without an error."""
    data = path.read_bytes()
    original = pq.read_table(path)
    meta = pq.ParquetFile(path).metadata
    end = meta.row_group(0).column(meta.num_columns - 1).data_page_offset  # within the column chunks
    probe = path.parent.parent.parent / "probe.parquet"
    for offset in range(4, end):
        changed = bytearray(data)
        changed[offset] = 0 if data[offset] else 1
        probe.write_bytes(bytes(changed))
        try:
            table = pq.read_table(probe)
        except Exception:  # noqa: BLE001 - Parquet noticed: not the case looked for
            continue
        if store.rows_digest(table) != store.rows_digest(original):
            return bytes(changed)
    raise AssertionError("no silent change found")


def test_values_changed_on_disk_without_a_parquet_error_are_caught_by_the_checksum(clean, tmp_path, capsys):
    exp, _ = clean
    out = copy(clean, tmp_path)
    victim = out / "runs" / VICTIM
    victim.write_bytes(first_silent_change(victim))
    code, err = cli(capsys, "report", out)
    assert code == 1
    one_error(err, f"runs/{VICTIM}", "checksum")


# -- defect 8: a corrupted experiment.json ---------------------------------------------------

@pytest.mark.parametrize("text", ['{"sha256": "ab", "experiment": {', "[1, 2]", ""])
def test_a_corrupted_experiment_json_is_one_line(clean, tmp_path, capsys, text):
    exp, _ = clean
    out = copy(clean, tmp_path)
    (out / "experiment.json").write_text(text)
    before = run_bytes(out)
    for argv in (["sweep", exp, "--out", out, "--resume", "--no-progress", "--workers", "1"],
                 ["sweep", exp, "--out", out, "--collect"], ["report", out]):
        code, err = cli(capsys, *argv)
        assert code == 1, (argv, err)
        line = one_error(err, str(out / "experiment.json"), "cannot be read", "--out")
        assert ("not valid JSON" in line) == (text != "[1, 2]")
    assert (out / "experiment.json").read_text() == text and run_bytes(out) == before


# -- defect 9: removals never follow a symlink ------------------------------------------------

def test_resume_keeps_tmp_files_in_a_users_folder_that_runs_is_symlinked_to(clean, tmp_path, capsys):
    exp, reference = clean
    out = copy(clean, tmp_path)
    user = tmp_path / "users_folder"
    shutil.move(out / "runs", user)
    (out / "runs").symlink_to(user)
    mine = {".notes.tmp": "notes", ".draft.0123abcd.tmp": "a draft",  # the second looks like cop-sim's
            f".{VICTIM}.89abcdef.parquet.tmp": "looks like a killed writer's"}
    for name, text in mine.items():
        (user / name).write_text(text)
    code, err = cli(capsys, "sweep", exp, "--out", out, "--resume", "--no-progress", "--workers", "1")
    assert code == 0, err
    assert {n: (user / n).read_text() for n in mine} == mine
    assert run_bytes(out) == run_bytes(reference)


def test_resume_removes_only_its_own_temporary_files_from_runs(clean, tmp_path, capsys):
    exp, _ = clean
    out = copy(clean, tmp_path)
    runs = out / "runs"
    killed = runs / f".{VICTIM}.89abcdef.parquet.tmp"
    killed.write_bytes(b"PAR1 half a file")
    (runs / ".notes.tmp").write_text("a user's")
    (tmp_path / "target.txt").write_text("pointed at")
    (runs / ".link.0123abcd.parquet.tmp").symlink_to(tmp_path / "target.txt")
    assert cli(capsys, "sweep", exp, "--out", out, "--resume", "--no-progress", "--workers", "1")[0] == 0
    assert not killed.exists()
    assert (runs / ".notes.tmp").read_text() == "a user's"
    assert (runs / ".link.0123abcd.parquet.tmp").is_symlink()
    assert (tmp_path / "target.txt").read_text() == "pointed at"


def test_replacing_a_folder_never_removes_or_writes_through_a_symlinked_subfolder(tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    (user / "a.png").write_text("the user's figure")
    old = tmp_path / "old"
    old.mkdir()
    (old / "figures").symlink_to(user)
    atomic._remove_vouched(old, {"figures/a.png": None})  # a pattern-owned name, reached via the link
    assert (user / "a.png").read_text() == "the user's figure"

    target = tmp_path / "results"
    target.mkdir()
    (target / "figures").symlink_to(user)
    plan = atomic.Plan("beside", "sweep", {}, ("figures/*",))
    with pytest.raises(FileExistsError, match="symbolic link"), atomic.atomic_dir(target, plan) as tmp:
        (tmp / "figures").mkdir()
        (tmp / "figures" / "a.png").write_text("cop-sim's figure")
    assert (user / "a.png").read_text() == "the user's figure"


def test_discard_keeps_a_symlink_and_what_it_points_to(tmp_path):
    (tmp_path / "users.db").write_text("data")
    link = tmp_path / "abc.db"
    link.symlink_to(tmp_path / "users.db")
    with pytest.raises(FileExistsError, match="symbolic link"):
        atomic.discard(link)
    assert link.is_symlink() and (tmp_path / "users.db").read_text() == "data"


# -- defect 11: a design too big to lay out is refused before it is built ---------------------------

def small(method: str, reps: int = 1, **sampler) -> dict:
    """An experiment as parsed TOML: two factors of ``method``."""
    if method == "grid":
        factors = [{"key": "cop.moderator_skill", "levels": [0.1, 0.2, 0.3]},
                   {"key": "cop.representative", "levels": [False, True]}]
    else:
        factors = [{"key": "cop.moderator_skill", "lo": 0.1, "hi": 0.9},
                   {"key": "cop.cases_per_meeting", "lo": 1, "hi": 4}]
    return parse({"experiment": {"scenario": str(DEFAULT), "master_seed": 1, "replications": reps},
                  "sampler": {"method": method, **sampler}, "factors": factors}, "x.toml")


def test_design_size_counts_the_points_build_design_makes():
    for spec in (small("grid"), small("lhs", n=7), small("sobol", n=8),
                 small("sobol", n=8, calc_second_order=True), small("morris", n=5)):
        assert design_size(spec) == len(build_design(spec)), spec.method
        crossed = replace(spec, draws=[{}, {}, {}])
        assert design_size(crossed) == len(build_design(crossed)) == 3 * len(build_design(spec))


def test_a_design_of_10_to_the_8_points_is_refused_in_one_line_before_it_is_built(tmp_path, capsys):
    levels = ", ".join(f"{0.1 + i * 1e-5:.5f}" for i in range(10_000))
    exp = write_experiment(tmp_path, f'key = "cop.moderator_skill"\nlevels = [{levels}]\n[[factors]]\n'
                                     f'key = "cop.preparation"\nlevels = [{levels}]', reps=1)
    t0 = time.perf_counter()
    for argv in (["sweep", exp, "--no-progress"], ["sweep", exp, "--backend", "slurm", "--dry-run"]):
        code, err = cli(capsys, *argv)
        assert code == 2, err
        line = one_error(err, str(exp), "factors[0].levels (10000)", "factors[1].levels (10000)",
                         "100,000,000 points", f"the limit is {memory.human(memory.DESIGN_LIMIT)}")
        assert "GB to lay out" in line and "experiment.replications" not in line
    assert time.perf_counter() - t0 < 20  # refused, not built (building took minutes and 4 GB)
    assert not (tmp_path / "results").exists()


def test_a_sampled_design_names_its_sampler_and_replications(tmp_path, capsys):
    exp = write_experiment(tmp_path, 'key = "cop.moderator_skill"\nlo = 0.1\nhi = 0.9\n[[factors]]\n'
                                     'key = "cop.cases_per_meeting"\nlo = 1\nhi = 4',
                           sampler='method = "sobol"\nn = 1000000\ncalc_second_order = true', reps=3)
    code, err = cli(capsys, "sweep", exp, "--no-progress")
    assert code == 2
    one_error(err, str(exp), "sampler.n (1000000)", "factors (2)", "experiment.replications (3)",
              "6,000,000 points")


def test_too_many_posterior_draws_are_refused_before_they_are_drawn(clean, tmp_path, capsys):
    exp, _ = clean
    code, err = cli(capsys, "sweep", exp, "--posterior", tmp_path / "posterior.parquet", "--draws",
                    "100000000", "--no-progress")
    assert code == 2
    one_error(err, str(exp), "--draws (100000000)", "experiment.replications (2)")


def test_the_limit_is_where_the_estimate_crosses_it():
    spec = small("lhs", n=1000)
    per_rep = memory.design_estimate(1000, 2, 1000) - memory.design_estimate(1000, 2, 0)
    most = int((memory.DESIGN_LIMIT - memory.design_estimate(1000, 2, 0)) // per_rep)
    check_size(replace(spec, replications=most))  # accepted
    with pytest.raises(InputError, match="the limit is"):
        check_size(replace(spec, replications=most + 1))
