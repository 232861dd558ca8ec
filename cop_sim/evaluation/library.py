"""The evidence library: one TOML file per published result, its frozen sections checked.

Each file says what was published (``[result]``), by which design (``[design]``), what the study
targeted and how that maps to the model (``[change_package]``), and how a prediction will be
judged (``[verdict]``), all stated before any model result. Those sections, with ``use`` and
``[source]``, are frozen: :func:`frozen_part` is what a test compares with the file's first commit.
"""

from __future__ import annotations

import math
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
KINDS = ("pre_post", "difference_in_differences", "controlled_before_after", "cluster_randomised",
         "share_of_studies")
ARMS = ("intervention", "comparison")
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
    _check_values(data, str(path))
    return Evidence(path, data)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_values(data: dict, source: str) -> None:
    """The values a simulated study and its verdict are computed from: types and ranges."""
    design, result, verdict = data["design"], data["result"], data["verdict"]
    if design["kind"] not in KINDS:
        raise InputError(source, "design.kind", f"got {design['kind']!r}; allowed: {', '.join(KINDS)}")
    arms = design.get("arms", ["intervention"])
    if not isinstance(arms, list) or not arms or any(a not in ARMS for a in arms):
        raise InputError(source, "design.arms", f"got {arms!r}; allowed: a list of {', '.join(ARMS)}")
    if not isinstance(design["measure"], str):
        raise InputError(source, "design.measure", f"got {design['measure']!r}; allowed: a measure's name")
    if not isinstance(result["statistic"], str):
        raise InputError(source, "result.statistic", f"got {result['statistic']!r}; allowed: a name")
    if not _number(result["value"]):
        raise InputError(source, "result.value", f"got {result['value']!r}; allowed: a finite number")
    if design["kind"] == "share_of_studies" and not (isinstance(design.get("studies"), int)
                                                     and not isinstance(design.get("studies"), bool)
                                                     and 1 <= design["studies"] <= 1000):
        raise InputError(source, "design.studies", f"got {design.get('studies')!r}; allowed: a whole "
                         "number in [1, 1000]")
    rule = verdict["rule"]
    if rule == "common":
        level, width = verdict.get("predictive_level"), verdict.get("max_width")
        if not (_number(level) and 0 < level < 1):
            raise InputError(source, "verdict.predictive_level",
                             f"got {level!r}; allowed: a number in (0, 1)")
        if not (_number(width) and width > 0):
            raise InputError(source, "verdict.max_width", f"got {width!r}; allowed: a number > 0")
    elif rule == "probability":
        lo, hi = verdict.get("reproduced_if_p_at_most"), verdict.get("not_reproduced_if_p_at_least")
        if not (_number(lo) and _number(hi) and 0 <= lo < hi <= 1):
            raise InputError(source, "verdict.reproduced_if_p_at_most", f"got {lo!r} and {hi!r}; allowed: "
                             "0 <= reproduced_if_p_at_most < not_reproduced_if_p_at_least <= 1")
    else:
        raise InputError(source, "verdict.rule", f"got {rule!r}; allowed: common, probability")


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
