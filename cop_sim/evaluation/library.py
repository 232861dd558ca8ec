"""The evidence library: one TOML file per published result, its frozen sections checked.

Each file says what was published (``[result]``), by which design (``[design]``), what the study
targeted and how that maps to the model (``[change_package]``), and how a prediction will be
judged (``[verdict]``), all stated before any model result. Those sections, with ``use`` and
``[source]``, are frozen: :func:`frozen_part` is what a test compares with the file's first commit.
"""

from __future__ import annotations

import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cop_sim.params import InputError

FROZEN = ("id", "title", "use", "source", "design", "change_package", "result", "verdict")
USES = ("calibration", "held_out")
REQUIRED = {
    "source": ("citation", "doi", "checked"),
    "design": ("kind", "months", "measure"),
    "change_package": ("expressible", "rule", "unit_mapping"),
    "result": ("statistic", "value", "unit"),
    "verdict": ("rule",),
}
LIBRARY = Path(__file__).resolve().parents[2] / "experiments" / "evidence"


@dataclass(frozen=True)
class Evidence:
    """One published result, as its file states it."""

    path: Path
    data: dict

    @property
    def id(self) -> str:
        """The result's identifier."""
        return self.data["id"]

    @property
    def use(self) -> str:
        """``calibration`` or ``held_out``."""
        return self.data["use"]


def frozen_part(data: dict) -> dict:
    """The sections of an evidence file that never change after its first commit."""
    return {k: data[k] for k in FROZEN if k in data}


def read(path: str | Path) -> Evidence:
    """Read and check one evidence file (one-line :class:`InputError` on any problem)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "", "not a file (an evidence file, .toml, expected)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError(str(path), "", f"not valid TOML ({type(exc).__name__})") from None
    for key in ("id", "title", "use"):
        if not isinstance(data.get(key), str):
            raise InputError(str(path), key, "missing or not a string")
    if data["use"] not in USES:
        raise InputError(str(path), "use", f"got {data['use']!r}; allowed: {', '.join(USES)}")
    for section, keys in REQUIRED.items():
        table = data.get(section)
        if not isinstance(table, dict):
            raise InputError(str(path), section, "missing table")
        for key in keys:
            if key not in table:
                raise InputError(str(path), f"{section}.{key}", "missing")
    return Evidence(path, data)


def library(folder: str | Path = LIBRARY) -> list[Evidence]:
    """Every evidence file of ``folder``, sorted by name."""
    return [read(p) for p in sorted(Path(folder).glob("*.toml"))]


def first_commit(path: Path) -> str | None:
    """The commit that added ``path`` (None outside a git checkout or before it is committed)."""
    try:
        out = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", path.name],
                             cwd=path.parent, capture_output=True, text=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None
    return out[-1] if out else None


def at_commit(path: Path, commit: str) -> dict:
    """The file's contents, parsed, as of ``commit``."""
    top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=path.parent,
                         capture_output=True, text=True, check=True).stdout.strip()
    rel = path.resolve().relative_to(Path(top).resolve()).as_posix()
    text = subprocess.run(["git", "show", f"{commit}:{rel}"], cwd=top, capture_output=True, text=True,
                          check=True).stdout
    return tomllib.loads(text)
