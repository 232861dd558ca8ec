"""Regenerate the stored baseline of the CoP model's default summary (run on purpose, then commit)."""

from __future__ import annotations

import json
from pathlib import Path

from cop_sim import models, scenario

ROOT = Path(__file__).resolve().parents[2]

if __name__ == "__main__":
    summary = models.simulate(scenario.load(ROOT / "scenarios" / "default.toml"), 1).summary
    out = ROOT / "tests" / "baseline" / "default_seed1.json"
    out.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}")
