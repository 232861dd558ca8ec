"""A calibration's (or a recovery's) results folder: the rules of :mod:`cop_sim.outdir`, and resuming.

The folder gets the marker every cop-sim folder has, written first and naming the patterns the
calibration owns, and sealed with the files' hashes when it ends. Its record (``calibration.json``
or ``recovery.json``) says which calibration it holds, so that ``--resume`` continues only that one.
A folder written before folders had a marker is recognised by its record when every file in it is
one a calibration writes.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable
from pathlib import Path

from cop_sim import atomic, outdir
from cop_sim.atomic import write_json
from cop_sim.params import InputError


def read_record(path: Path) -> dict | None:
    """The folder's record, or None if it has none; a damaged one is refused in one line."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        made = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        made = exc
    if not isinstance(made, dict):
        why = f"{made.strerror or made}" if isinstance(made, OSError) else "not the JSON cop-sim wrote"
        raise InputError(str(path), "", f"is damaged ({why}), so cop-sim cannot tell which calibration "
                         "this folder holds and will neither resume nor replace it; move the folder "
                         "aside, or choose another --out")
    return made


def _unmarked_own(out: Path, kind: str, record: str) -> bool:
    """A folder of this kind written before folders had a marker: record present, nothing else foreign."""
    if not out.is_dir() or atomic.read_marker(out) is not None or not (out / record).is_file():
        return False
    try:
        if read_record(out / record) is None:
            return False
    except InputError:
        return False
    owns = outdir.OWNS[kind]
    return all(any(fnmatch.fnmatchcase(n, p) for p in owns) for n in atomic.entries(out))


def open_folder(out: Path, kind: str, record: str, fresh: dict, check: Callable[[dict], None],
                force: bool = False, option: str | None = "--out") -> dict | None:
    """Check ``out`` for a calibration of ``kind`` and claim it; return the record already there.

    Args:
        out: the results folder.
        kind: ``calibration`` or ``recovery`` (what :data:`cop_sim.outdir.OWNS` names).
        record: the record's file name in the folder.
        fresh: the record written into a folder that holds none yet.
        check: called with a record found there; raises InputError if it may not be continued.
        force: write beside files cop-sim did not write (replacing none of them).
        option: the command-line option that named the folder (None: the default folder).

    Raises:
        InputError: the folder is unusable, a user's, another kind's, or holds another calibration;
            nothing is written then.
    """
    adopt = _unmarked_own(out, kind, record)
    if not adopt:
        plan = outdir.prepare(out, kind, force, option)
    made = read_record(out / record) if out.is_dir() else None
    if made is not None:
        check(made)
    if adopt:
        atomic.record(out, kind, outdir.OWNS[kind], [])
        return made
    outdir.claim(out, plan)
    if made is None:
        write_json(out / record, fresh)
    return made
