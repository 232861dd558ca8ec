"""Fingerprints of Model 2 runs over scenario variants, to check that a refactor changed no result.

Run before and after a change, then compare:
    .venv/bin/python benchmarks/fingerprint.py write before.json
    .venv/bin/python benchmarks/fingerprint.py write after.json
    .venv/bin/python benchmarks/fingerprint.py compare before.json after.json
Each variant runs two seeds; a fingerprint hashes the weekly frame, the per-CoP frame, the
summary and every state array at the horizon (integer arrays as int64, so that narrowing a
dtype alone changes nothing). Variants cover turnover, learning sessions, a representative
and a mentor, no burn-in, no meetings, events (calendar, caseload, turnover, sessions from a
given week) and monthly calendars.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cop_sim import models, scenario  # noqa: E402
from cop_sim.cop.model import CopModel  # noqa: E402

DEFAULT = ROOT / "scenarios" / "default.toml"
NO_COP = ROOT / "scenarios" / "multimorbidity_interactions_baseline.toml"
EVENTS = ('weeks = 30\nburn_in = 4\nn_cops = 3\n'
          '[[cops]]\nmoderator_skill = 0.9\nrepresentative = true\n'
          '[[events]]\nweek = 10\nset = { "practice.caseload" = 2.0, "cop.moderator_skill" = 0.1, '
          '"cop.mentor" = true }\n'
          '[[events]]\nweek = 15\nset = { "cop.calendar.every_weeks" = 2, "cop.representative" = true, '
          '"turnover.annual_rate" = 0.6 }\n'
          '[[events]]\nweek = 20\nset = { "practice.caseload" = 1.0, "learning_community.enabled" = true }\n')
VARIANTS = {
    "default": (DEFAULT, []),
    "turnover": (DEFAULT, ["turnover.annual_rate=0.8"]),
    "sessions": (DEFAULT, ["learning_community.enabled=true", "learning_community.symposium_week=30"]),
    "rep_mentor": (DEFAULT, ["cop.representative=true", "cop.mentor=true", "meeting.familiarity=0.2"]),
    "no_burn_in": (DEFAULT, ["burn_in=0", "weeks=10", "n_cops=7"]),
    "no_meetings": (NO_COP, []),
    "events": (None, []),
    "monthly": (DEFAULT, ["cop.calendar.monthly=true", "repository.use=0"]),
}


def _hash(a) -> str:
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        a = a.astype(np.int64)
    return hashlib.sha1(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


def fingerprints() -> dict:
    """Every variant's fingerprints, keyed ``variant/seed``."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        events = Path(tmp) / "events.toml"
        events.write_text(EVENTS)
        for name, (path, overrides) in VARIANTS.items():
            resolved = scenario.load(path or events, overrides)
            for seed in (1, 2):
                result = models.simulate(resolved, seed)
                m = CopModel(resolved, seed)
                while m.running:
                    m.step()
                state = {f"{group}.{f}": _hash(getattr(arrays, f)) for group, arrays in
                         (("pr", m.pr), ("pa", m.pa), ("cp", m.cp)) for f in arrays._fields}
                per_cop = result.meta["per_cop"].drop(columns="cop").to_numpy(dtype=float)
                out[f"{name}/{seed}"] = {"frame": _hash(result.timeseries.to_numpy(dtype=float)),
                                         "per_cop": _hash(per_cop),
                                         "summary": json.dumps(result.summary, sort_keys=True), **state}
    return out


def compare(a: dict, b: dict) -> int:
    """Print each difference between two fingerprint files; return how many there are."""
    bad = 0
    for run, parts in a.items():
        for part, value in parts.items():
            if b.get(run, {}).get(part) != value:
                print(f"differs: {run} {part}")
                bad += 1
    print(f"{bad} differences over {len(a)} runs")
    return bad


def main() -> None:
    """Write fingerprints to a file, or compare two files (exit 1 on any difference)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("write").add_argument("out")
    cmp = sub.add_parser("compare")
    cmp.add_argument("before")
    cmp.add_argument("after")
    args = ap.parse_args()
    if args.cmd == "write":
        Path(args.out).write_text(json.dumps(fingerprints(), indent=0))
        print(f"wrote {args.out}")
    else:
        sys.exit(1 if compare(json.loads(Path(args.before).read_text()),
                              json.loads(Path(args.after).read_text())) else 0)


if __name__ == "__main__":
    main()
