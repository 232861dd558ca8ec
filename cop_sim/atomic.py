"""Atomic writes, and the only code that removes or replaces paths in an output folder.

A file or folder appears whole or not at all. A folder that cop_sim wrote holds a marker
file, :data:`MARKER`, listing the files it wrote with their SHA-256; a path is replaced or
removed only when the marker vouches for it (see :mod:`cop_sim.outdir` for the rules).
New files and folders get the usual modes under the umask (0666 and 0777 masked).
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARKER = ".cop_sim_run.json"
MARKER_FORMAT = 1
# the marker, or its temporary file while another process (a shard) writes it; a probe
_TRANSIENT = (MARKER, f".{MARKER}.*.tmp")
_PROBE = ".cop_sim.*.probe"
# a temporary file of :func:`atomic_path` (``.NAME.<8 hex>[SUFFIX].tmp``): remove_temps removes only these
_TEMP = re.compile(r"\..+\.[0-9a-f]{8}[^/]*\.tmp")


@dataclass(frozen=True)
class Plan:
    """How a command's outputs go into a folder, decided before anything is computed.

    ``mode``: ``new`` (the folder does not exist: build beside it and rename), ``swap``
    (a previous run's folder: build beside it, swap, remove only its vouched-for files) or
    ``beside`` (an existing folder: move each file in, one by one; replace only vouched-for files).
    ``mine``: files already there that cop_sim may replace, with their SHA-256 (None: owned by pattern).
    """

    mode: str
    kind: str
    mine: dict[str, str | None] = field(default_factory=dict)
    owns: tuple[str, ...] = ()


def _new_name(parent: Path, prefix: str, suffix: str, make: Any) -> Path:
    """Create a fresh, uniquely named entry in ``parent`` with ``make(path)``; never reuses a name."""
    for _ in range(100):
        path = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            make(path)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free temporary name in {parent}")


def _new_file(parent: Path, prefix: str, suffix: str) -> Path:
    # os.open with 0o666 lets the umask decide the mode, unlike tempfile (always 0600)
    return _new_name(parent, prefix, suffix, lambda p: os.close(os.open(p, os.O_WRONLY | os.O_CREAT
                                                                        | os.O_EXCL, 0o666)))


def _new_dir(parent: Path, prefix: str, suffix: str) -> Path:
    return _new_name(parent, prefix, suffix, lambda p: os.mkdir(p, 0o777))


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = _new_file(target.parent, f".{target.name}.", suffix + ".tmp")
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def write_json(path: str | Path, obj: Any) -> None:
    """Write JSON atomically, with sorted keys and non-JSON values as strings."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def sha256(path: Path) -> str | None:
    """The SHA-256 of a regular file (not followed through a symlink), or None."""
    if path.is_symlink() or not path.is_file():
        return None
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def entries(folder: Path, top: bool = True) -> list[str]:
    """Every file, symlink and empty folder under ``folder`` (``a/b``; empty folders as ``a/``),
    except its own marker (and the marker's or a probe's temporary entry); symlinks are not followed."""
    out = []
    for item in sorted(os.scandir(folder), key=lambda e: e.name):
        if top and fnmatch.fnmatchcase(item.name, _PROBE):
            continue  # another process checking the folder at this moment
        if item.is_dir(follow_symlinks=False):
            inner = entries(Path(item.path), top=False)
            out += [f"{item.name}/{x}" for x in inner] if inner else [f"{item.name}/"]
        elif not (top and any(fnmatch.fnmatchcase(item.name, p) for p in _TRANSIENT)):
            out.append(item.name)
    return out


def read_marker(folder: Path) -> dict | None:
    """The folder's marker, or None when it has none (or not one cop_sim wrote)."""
    path = folder / MARKER
    try:
        marker = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("format") != MARKER_FORMAT \
            or not isinstance(marker.get("files"), dict):
        return None
    return marker


def vouched(folder: Path, marker: dict | None, names: list[str]) -> dict[str, str | None]:
    """Those of ``names`` the marker vouches for: listed with the same SHA-256, or matching
    a pattern the folder's kind owns (a sweep's runs, written while others run)."""
    if marker is None:
        return {}
    files, owns = marker["files"], marker.get("owns", [])
    out: dict[str, str | None] = {}
    for name in names:
        if name in files and sha256(folder / name) == files[name]:
            out[name] = files[name]
        elif any(fnmatch.fnmatchcase(name, p) for p in owns):
            out[name] = None
    return out


def write_marker(folder: Path, kind: str, owns: tuple[str, ...], files: dict[str, str]) -> None:
    """Write the folder's marker (atomically; callers write it last)."""
    write_json(folder / MARKER, {"format": MARKER_FORMAT, "written_by": "cop_sim", "kind": kind,
                                 "owns": list(owns), "files": dict(sorted(files.items()))})


def record(folder: Path, kind: str, owns: tuple[str, ...], names: list[str]) -> None:
    """Add ``names`` (just written) with their hashes to the folder's marker, creating it if needed."""
    marker = read_marker(folder)
    files = dict(marker["files"]) if marker else {}
    files = {k: v for k, v in files.items() if (folder / k).exists()}
    files |= {n: h for n in names if (h := sha256(folder / n)) is not None}
    if marker:
        kind, owns = marker["kind"], tuple(marker.get("owns", owns))
    write_marker(folder, kind, owns, files)


def _listing(folder: Path) -> dict[str, str]:
    return {n: h for n in entries(folder) if (h := sha256(folder / n)) is not None}


def _linked(root: Path, name: str) -> bool:
    """Whether ``root/name`` or a folder between ``root`` and it is a symlink (never followed to remove)."""
    path = root
    for part in Path(name).parts:
        path = path / part
        if path.is_symlink():
            return True
    return False


def _remove_vouched(old: Path, mine: dict[str, str | None]) -> None:
    """Remove the files of a replaced folder that cop_sim vouched for; keep anything else."""
    for name, digest in mine.items():
        path = old / name
        if name.endswith("/") or _linked(old, name):
            continue  # a symlink is a user's, and so is what it points to
        if digest is None or sha256(path) == digest:
            path.unlink(missing_ok=True)
    (old / MARKER).unlink(missing_ok=True)
    for dirpath, _, _ in sorted(os.walk(old), key=lambda w: -len(w[0])):
        with contextlib.suppress(OSError):  # not empty: something cop_sim did not write
            os.rmdir(dirpath)
    if old.exists():
        print(f"cop-sim: warning: kept files cop-sim did not write in {old}", file=sys.stderr)


def _move_in(tmp: Path, target: Path, plan: Plan) -> list[str]:
    """Move each file of ``tmp`` into ``target``, one atomic rename each; never over a stranger's file."""
    names = [n for n in entries(tmp) if not n.endswith("/")]
    for name in names:  # check all first, so a refusal leaves the folder as it was
        dest = target / name
        if _linked(target, str(Path(name).parent)):
            raise FileExistsError(f"{dest.parent} is a symbolic link; cop-sim does not write through it, "
                                  "nothing was replaced")
        if (dest.exists() or dest.is_symlink()) and name not in vouched(target, read_marker(target), [name]):
            raise FileExistsError(f"{dest} exists and cop-sim did not write it; nothing was replaced")
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / name, target / name)
    return names


@contextlib.contextmanager
def atomic_dir(target: str | Path, plan: Plan | None = None, marker: bool = True) -> Iterator[Path]:
    """Yield a temporary folder; on success its files become ``target``'s as ``plan`` says.

    Without a plan ``target`` must not exist. ``marker``: write the marker, listing the files,
    last (False when the contents bring their own, as a sweep does).
    """
    target = Path(target)
    plan = plan or Plan("new", "run")
    if plan.mode == "new" and (target.exists() or target.is_symlink()):
        raise FileExistsError(f"{target} exists; cop-sim does not replace it")
    if plan.mode == "beside":
        target.mkdir(parents=True, exist_ok=True)
        tmp = _new_dir(target, ".cop_sim.", ".tmp")  # inside: the same file system, even at a mount point
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _new_dir(target.parent, f".{target.name}.", ".tmp")
    try:
        yield tmp
        if plan.mode == "swap" and any(n not in plan.mine for n in entries(target)):
            plan = Plan("beside", plan.kind, plan.mine, plan.owns)  # a file appeared meanwhile: keep it
        if plan.mode == "beside":
            names = _move_in(tmp, target, plan)
            if marker:
                record(target, plan.kind, plan.owns, names)
        else:
            if marker:
                write_marker(tmp, plan.kind, plan.owns, _listing(tmp))
            if plan.mode == "new":
                os.rename(tmp, target)
            else:
                old = _new_dir(target.parent, f".{target.name}.", ".old")
                os.replace(target, old)  # onto our own empty folder
                try:
                    os.replace(tmp, target)
                except OSError:
                    os.replace(old, target)  # put the previous run back
                    raise
                _remove_vouched(old, plan.mine)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)  # our own temporary folder, never a user's


def discard(path: Path) -> None:
    """Remove a file that cop-sim itself wrote and that holds nothing finished.

    For example a calibration's database killed before it stored a first generation: the folder is
    cop-sim's (checked when the run was prepared), and nothing in the file can be resumed.
    A symlink there is a user's: it is refused (FileExistsError), not removed.
    """
    if path.is_symlink():
        raise FileExistsError(f"{path} is a symbolic link, not a file cop-sim wrote; it was kept")
    path.unlink()


@contextlib.contextmanager
def _open_dir(folder: Path) -> Iterator[int | None]:
    """A descriptor of ``folder`` itself, None when it is a symlink or not a folder (never followed)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        yield None
        return
    try:
        yield fd
    finally:
        os.close(fd)


def remove_temps(folder: Path) -> int:
    """Delete the temporary files a killed writer left in ``folder``; return how many.

    Only regular files named as :func:`atomic_path` names them are removed, and only in ``folder``
    itself: when ``folder`` is a symlink (to a user's folder, say) nothing is removed.
    """
    removed = 0
    with _open_dir(folder) as fd:
        if fd is None:
            return 0
        for entry in os.scandir(fd):
            if _TEMP.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):  # another process's, finished meanwhile
                    os.unlink(entry.name, dir_fd=fd)
                    removed += 1
    return removed


def set_aside(path: Path) -> Path:
    """Rename ``path`` (a file, a symlink or a folder; never followed) to ``NAME.damaged-N`` beside it,
    with the lowest N free, and return the new path. Nothing is deleted or replaced."""
    with _open_dir(path.parent) as fd:
        if fd is None:
            raise NotADirectoryError(f"{path.parent} is a symbolic link or not a folder; "
                                     f"{path.name} was kept")
        for n in range(1, 10_000):
            new = f"{path.name}.damaged-{n}"
            try:  # a hard link cannot land on an existing name, so this never replaces a file
                os.link(path.name, new, src_dir_fd=fd, dst_dir_fd=fd, follow_symlinks=False)
            except FileExistsError:
                continue
            except OSError:  # a folder, or a file system without hard links
                if os.path.lexists(path.parent / new):
                    continue
                os.rename(path.name, new, src_dir_fd=fd, dst_dir_fd=fd)
                return path.parent / new
            os.unlink(path.name, dir_fd=fd)
            return path.parent / new
    raise FileExistsError(f"no free name to set {path} aside")


def probe(folder: Path) -> None:
    """Raise OSError unless a file can be created in ``folder`` (tried with a temporary folder)."""
    os.rmdir(_new_dir(folder, ".cop_sim.", ".probe"))
