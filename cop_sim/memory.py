"""How much memory a run of a scenario needs, and how much this machine can give it.

The estimate is a linear function of a few sizes of the model, with coefficients measured
from the real model by ``benchmarks/memory_fit.py`` (peak RSS of a run in a fresh process,
imports and compiled kernels included). Re-run that script when the model's data change and
paste its output into :data:`COEFFICIENTS`.

A sweep also holds its design (points, runs, batches) before any run starts: :func:`design_estimate`,
checked against :data:`DESIGN_LIMIT` by :func:`cop_sim.experiment.design.check_size` before the
design is built.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from cop_sim.params import InputError

# Bytes, per unit of each size (benchmarks/memory_fit.py; peak = VmHWM of a fresh process; Linux x86-64,
# Python 3.12; refitted 2026-12-02 on the 0.2.0 CoP model, within 1 % at the fourteen fitted sizes).
COEFFICIENTS: dict[str, float] = {
    "base": 284.0e6,  # interpreter, NumPy, pandas, Mesa, Numba and the compiled kernels
    "practitioners": 2495.0,  # agent objects and per-practitioner arrays (beliefs, precisions, trust rows)
    "patients": 217.5,  # practitioners x patients per practitioner: the patient arrays
    "cops": 2251.0,  # each CoP's settings (a dict), its agents, calendar and repository
    "member_slots": 4.727,  # cops x slots x slots: the trust matrices
    "weeks": 5941.0,  # the recorder's pooled rows
    "cop_weeks": 242.4,  # cops x (weeks + 1): the per-CoP recorder
}
# Bytes a sweep holds per design point, per factor of a point and per run before the first run starts
# (the points' dicts and SALib's sample, the runs, their batches, design.parquet's columns): tracemalloc
# of build_design + runs + batches at 10^5 points, 1-5 factors, 1-10 replications, rounded up.
DESIGN_COEFFICIENTS: dict[str, float] = {"points": 200.0, "point_factors": 300.0, "runs": 300.0}
# A design whose layout would take more than this is refused before it is built (about a million runs
# of a one-factor grid; a sweep that big is several experiments, or shards of several).
DESIGN_LIMIT = 1e9
# The scenario keys the estimate reads (a sweep resolves one point per combination of their values).
SIZE_KEYS = ("n_cops", "cop.members", "cops", "patients.per_practitioner", "weeks")
UNITS = {"K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def sizes(resolved: dict) -> dict[str, int] | None:
    """The sizes the estimate uses, from a resolved CoP scenario (None for another model)."""
    if resolved.get("model", "cop") != "cop":
        return None
    # as composition.expand_cops lays them out, without copying 100,000 CoPs' settings
    entries, template = resolved["cops"], resolved["cop"]["members"]
    n_cops = max(resolved["n_cops"], len(entries))
    per_cop = [sum(e.get("members", template).values()) for e in entries]
    per_cop += [sum(template.values())] * (n_cops - len(entries))
    n, slots = sum(per_cop), max(max(per_cop, default=1), 1)
    return {"practitioners": n, "patients": n * resolved["patients"]["per_practitioner"],
            "cops": n_cops, "member_slots": n_cops * slots * slots, "weeks": resolved["weeks"],
            "cop_weeks": n_cops * (resolved["weeks"] + 1)}


def estimate(resolved: dict) -> float | None:
    """Peak resident memory of one run of ``resolved``, in bytes (None when not known for its model)."""
    size = sizes(resolved)
    if size is None:
        return None
    # audit and feedback's chart ring (cop_sim/cop/audit.py): three numbers per practitioner and week kept
    from cop_sim.cop.audit import RING_BYTES, ring_length

    ring = RING_BYTES * size["practitioners"] * ring_length(resolved) if "audit" in resolved else 0
    fixed = COEFFICIENTS["base"] + sum(COEFFICIENTS[k] * v for k, v in size.items())
    return fixed + ring + _ties(resolved, size)


def _ties(resolved: dict, size: dict[str, int]) -> float:
    """The advice network's partner lists (cop_sim/cop/network.py): its widest row, about 1.5 x mean ties."""
    net = resolved.get("network")
    if not net or not net["enabled"]:
        return 0.0
    n = size["practitioners"]
    mean = net["within_density"] * n / max(size["cops"], 1) + net["between_density"] * n
    return 8.0 * n * 1.5 * (mean + 1) * 3  # int64 rows, and the sets they are built from (~3x)


def design_estimate(points: int, factors: int, runs: int) -> float:
    """Bytes a sweep of ``points`` design points of ``factors`` factors and ``runs`` runs holds before
    any run starts (its design and run list; not the runs themselves, see :func:`estimate`)."""
    c = DESIGN_COEFFICIENTS
    return points * (c["points"] + c["point_factors"] * max(factors, 1)) + runs * c["runs"]


def _read_number(path: Path) -> float | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return float(text) if text.isdigit() else None  # "max" (v2) means no limit


def cgroup_limit(root: str | Path = "/sys/fs/cgroup",
                 proc_cgroup: str | Path = "/proc/self/cgroup") -> float | None:
    """What this process's cgroup (and its ancestors) still lets it use, in bytes, or None.

    cgroup v2: ``memory.max`` minus ``memory.current`` of the process's cgroup and each parent;
    cgroup v1: ``memory.limit_in_bytes`` minus ``memory.usage_in_bytes``.
    """
    root = Path(root)
    try:
        lines = Path(proc_cgroup).read_text().splitlines()
    except OSError:
        lines = []
    found: list[float] = []
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if controllers == "":
            base, limit, used = root, "memory.max", "memory.current"
        elif "memory" in controllers.split(","):
            base, limit, used = root / "memory", "memory.limit_in_bytes", "memory.usage_in_bytes"
        else:
            continue
        folder = base / rel.lstrip("/")
        while True:
            cap = _read_number(folder / limit)
            if cap is not None and cap < 2**62:  # v1 writes a huge number for "no limit"
                found.append(cap - (_read_number(folder / used) or 0.0))
            if folder == base or base not in folder.parents:
                break
            folder = folder.parent
    return max(0.0, min(found)) if found else None


def mem_available(meminfo: str | Path = "/proc/meminfo") -> float | None:
    """The kernel's MemAvailable, in bytes, or None where there is no /proc/meminfo."""
    try:
        text = Path(meminfo).read_text()
    except OSError:
        return None
    match = re.search(r"^MemAvailable:\s+(\d+) kB", text, re.M)
    return float(match.group(1)) * 1024 if match else None


def available() -> float | None:
    """Memory a new run may use: the smaller of MemAvailable and the cgroup's room (None: unknown)."""
    known = [x for x in (mem_available(), cgroup_limit()) if x is not None]
    if not known and hasattr(os, "sysconf"):
        with contextlib.suppress(ValueError, OSError):
            known = [os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")]
    return min(known) if known else None


def parse_size(text: str, source: str = "--max-memory") -> float:
    """``"8G"``, ``"512M"``, ``"1.5GB"`` or a number of bytes, in bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", str(text), re.I)
    if not match or float(match.group(1)) <= 0:
        raise InputError(source, "", f"got {text!r}; allowed: a size such as 8G, 512M or 1.5GB")
    return float(match.group(1)) * UNITS.get(match.group(2).upper(), 1.0)


def human(n: float) -> str:
    """Bytes as ``3.2 GB``."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n / 1e3:.0f} kB"


def check(resolved: dict, source: str, workers: int = 1, limit: str | None = None) -> float | None:
    """Refuse a scenario whose runs would not fit in memory; return the estimate (bytes) or None.

    Args:
        resolved: the largest scenario that will run.
        source: the file to name in the error.
        workers: runs held in memory at once (a sweep's worker processes).
        limit: ``--max-memory`` as the user typed it; replaces what this machine reports.

    Raises:
        InputError: the estimate, times ``workers``, exceeds the memory available.
    """
    one = estimate(resolved)
    if one is None:
        return None
    need = one * workers
    room = parse_size(limit) if limit is not None else available()
    if room is not None and need > room:
        size = sizes(resolved)
        times = f" x {workers} workers" if workers > 1 else ""
        room_text = (f"--max-memory allows {human(room)}" if limit is not None
                     else f"only {human(room)} is available (MemAvailable, cgroup limit)")
        raise InputError(source, "", f"needs about {human(need)} of memory ({human(one)} a run{times}: "
                         f"{size['practitioners']} practitioners in {size['cops']} CoPs, "
                         f"{size['patients']} patients), but {room_text}; make the scenario smaller"
                         + (", use fewer --workers" if workers > 1 else "")
                         + (", or pass --max-memory SIZE if the memory is there" if limit is None else ""))
    return need


def peak_rss() -> int:
    """This process's peak resident memory in bytes: VmHWM of its own address space.

    Not ``ru_maxrss``, which Linux carries across exec from the forked copy of the parent, so a
    child of a large process would report at least the parent's size.
    """
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

