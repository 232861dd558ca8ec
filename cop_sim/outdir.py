"""Preparing an output folder safely: the one rule every subcommand that writes follows.

- A folder that does not exist, or is empty, is cop_sim's to fill.
- A folder counts as cop_sim's only if it holds the marker (:data:`cop_sim.atomic.MARKER`),
  written last, listing the files cop_sim wrote with their SHA-256. A previous run's folder
  whose every file the marker vouches for is replaced whole (``run``, a validation pattern)
  or written into (``sweep``, ``report``, ``dock``); when other files were added beside, the
  new files go in one by one and those others stay. A vouched-for file a user changed since
  is no longer cop_sim's and is never replaced.
- Any other non-empty folder is refused unless ``--force``; with it, cop_sim's files are
  written one by one beside the others, and a file cop_sim did not write is never replaced.
- A file where a folder should be, a path that cannot be created, a folder that cannot be
  written: refused before anything runs, as one line (:class:`InputError`, exit 2).

A sweep's folder is written by many processes at once and resumed after kills, so its marker
is written first and names patterns the sweep owns (``runs/*``, ...); it is rewritten with the
full listing whenever a sweep or ``--collect`` ends. A calibration's (and a recovery's) folder is
marked the same way: first with the patterns it owns, sealed with the listing when it ends.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator
from pathlib import Path

from cop_sim import atomic
from cop_sim.atomic import Plan

__all__ = ["OutputError", "Plan", "claim", "io_errors", "prepare", "seal"]
from cop_sim.params import InputError

RUN_FILES = ("timeseries.parquet", "summary.json", "scenario.json", "learning.png", "per_cop.parquet")
# What a sweep folder holds: written while shards run, replaced on --resume and --collect.
SWEEP_OWNS = ("experiment.json", "design.parquet", "summary.parquet", "manifest.json", "runs/*",
              "shards/*", "replay/*", "report.md", "figures/*", "docking.png", "docking.csv",
              ".*.tmp", "*/.*.tmp")
VALIDATION_OWNS = ("validation.md", "validation.json", "validation.png", "validation_quick.md",
                   "validation_quick.json", "validation_quick.png", "quick/*", "full/*")
DOCK_FILES = ("docking.png", "docking.csv")
COMPARE_FILES = ("compare.parquet", "compare.md", "compare.png", "compare.json", "runs.parquet")
# A calibration's folder: its record, pyabc's database (and SQLite's journal beside it), the outputs.
CALIBRATION_OWNS = ("calibration.json", "history.db", "history.db-*", "posterior.parquet", "manifest.json",
                    "calibration.md", "figures/*", ".*.tmp", "*/.*.tmp")
RECOVERY_OWNS = ("recovery.json", "truths/*", "recovery.parquet", "recovery.md", "manifest.json",
                 ".*.tmp", "*/.*.tmp")
OWNS = {"run": (), "sweep": SWEEP_OWNS, "validation": VALIDATION_OWNS, "dock": (), "compare": (),
        "evaluation": (), "calibration": CALIBRATION_OWNS, "recovery": RECOVERY_OWNS}


class OutputError(Exception):
    """Writing results failed (a full disk, an I/O error): the CLI prints one line, exit 1."""


@contextlib.contextmanager
def io_errors(path: str | Path, option: str = "--out") -> Iterator[None]:
    """Turn an OSError while writing under ``path`` into one line naming it (exit status 1)."""
    try:
        yield
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise OutputError(f"{option}: '{path}': could not write results ({why}); "
                          "runs already finished are kept") from exc


def _error(path: Path, option: str | None, message: str) -> InputError:
    return InputError(option, str(path), message) if option else InputError(str(path), "", message)


def _check_path(path: Path, option: str | None) -> None:
    """Refuse a path that is a file, lies under a file, or cannot be created or written."""
    if path.exists() and not path.is_dir():
        raise _error(path, option, "is a file, not a folder; choose a folder for the results")
    if path.name in ("", ".", "..") and not path.exists():
        raise _error(path, option, "is not a folder name; choose a folder for the results")
    up = path.absolute()
    while not up.exists() and not up.is_symlink():
        up = up.parent
    if not up.is_dir():
        raise _error(path, option, f"'{up}' is a file, not a folder; choose another place")
    _probe(path, up, option)


def _probe(path: Path, place: Path, option: str | None) -> None:
    try:
        atomic.probe(place)
    except OSError as exc:
        raise _error(path, option, f"cannot write in {place} ({exc.strerror or exc}); "
                     "choose a writable folder") from None


def _inside(folder: Path) -> bool:
    """Whether this process's working directory is ``folder`` or inside it (never swap it away)."""
    try:
        cwd, f = Path.cwd().resolve(), folder.resolve()
    except OSError:
        return True
    return cwd == f or f in cwd.parents


def prepare(path: str | Path, kind: str, force: bool = False, option: str | None = "--out",
            names: tuple[str, ...] = (), replace: bool = False) -> Plan:
    """Decide how ``kind``'s outputs go into ``path``, or raise InputError (nothing is written).

    Args:
        path: the output folder.
        kind: ``run``, ``sweep``, ``validation``, ``dock``, ``compare``, ``evaluation``, ``calibration``
            or ``recovery``.
        force: write beside files cop_sim did not write (never replacing them).
        option: the command-line option that named the folder, for messages (None: a default).
        names: files the command will write there, beyond the patterns ``kind`` owns.
        replace: a previous run's folder is replaced whole (``run``, ``compare``), not written into.
    """
    path = Path(path)
    try:
        _check_path(path, option)
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise _error(path, option, f"cannot be used ({exc.strerror or exc}); choose another folder") from None
    owns = OWNS[kind]
    if not path.exists():
        return Plan("new", kind, {}, owns)
    present = atomic.entries(path)
    marker = atomic.read_marker(path)
    if not present and marker is None:
        return Plan("beside", kind, {}, owns)
    mine = atomic.vouched(path, marker, present)
    others = [n for n in present if n not in mine]
    same = marker is not None and marker.get("kind") == kind
    if marker is not None and not same and not force:
        raise _error(path, option, f"holds the results of a cop-sim {marker.get('kind')}, not of a {kind}; "
                     "choose another folder, or pass --force to write beside them")
    if marker is None and not force:
        what = f"a previous cop-sim {kind}'s folder" if kind != "validation" else "cop-sim's validation one"
        raise _error(path, option, f"is not empty and is not {what} ('{others[0]}' is not cop-sim's); "
                     "choose another folder, or pass --force to write beside those files "
                     "(cop-sim then replaces none of them)")
    wanted = (*names, *owns)
    clash = [n for n in others if any(n == w or fnmatch.fnmatchcase(n, w) for w in wanted)
             or any(n.startswith(w + "/") for w in names)]
    if clash:
        raise _error(path, option, f"holds '{clash[0]}', which cop-sim did not write (or which was "
                     "changed since) and would have to replace; move it, or choose another folder")
    if same and not others and replace and not path.is_symlink() and not _inside(path):
        _probe(path, path.absolute().parent, option)  # the new folder is built beside the old
        return Plan("swap", kind, mine, owns)
    return Plan("beside", kind, mine, owns)


def strangers(path: str | Path) -> list[str]:
    """Files (and empty folders) under ``path`` that cop_sim's marker does not vouch for."""
    path = Path(path)
    if not path.is_dir():
        return []
    present = atomic.entries(path)
    mine = atomic.vouched(path, atomic.read_marker(path), present)
    return [n for n in present if n not in mine]


def claim(path: str | Path, plan: Plan) -> Path:
    """Create the folder of a per-file writer (sweep, report, dock, calibration) and mark it if unmarked."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    if atomic.read_marker(path) is None:
        atomic.record(path, plan.kind, plan.owns, [])
    return path


def seal(path: str | Path, kind: str = "sweep") -> None:
    """Rewrite the marker listing every file the folder's kind owns, with its hash (written last)."""
    path = Path(path)
    owned = [n for n in atomic.entries(path) if not n.endswith("/")
             and any(fnmatch.fnmatchcase(n, p) for p in OWNS[kind]) and not n.endswith(".tmp")]
    atomic.record(path, kind, OWNS[kind], owned)

