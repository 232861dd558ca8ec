"""Write a calibration file's SYNTHETIC data: simulated from the model at stated parameter values.

Usage: python scripts/make_calibration_example.py experiments/calibration/brussels_example.toml \
           meeting.engagement_mean=0.7 practice.caseload=1.3 ...
The data file named in the calibration is (re)written, with the values in its header.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cop_sim.calibration.execute import TRUTH, seed_int, simulate_one
from cop_sim.calibration.observe import data_frame
from cop_sim.calibration.spec import load
from cop_sim.scenario import parse_value


def main(argv: list[str]) -> None:
    cal = load(argv[0], with_data=False)
    truth = {k: float(parse_value(v)) for k, v in (a.split("=", 1) for a in argv[1:])}
    missing = set(cal.keys) - set(truth)
    if missing:
        sys.exit(f"give a value for each fitted parameter; missing: {', '.join(sorted(missing))}")
    seeds = seed_int(cal.master_seed, TRUTH, 9, 0), seed_int(cal.master_seed, TRUTH, 9, 1)
    stats = simulate_one(cal, truth, *seeds)
    frame = data_frame(stats, cal.observations)
    header = [f"# SYNTHETIC DATA, not measurements: simulated by cop-sim from {Path(cal.scenario_path).name}",
              f"# with the observation model of {Path(cal.path).name} (measurement noise included), at:"]
    header += [f"#   {k} = {v:g}" for k, v in truth.items()]
    header += ["# Aggregated columns (mean, share) hold one value, in the row of their window's last week.",
               "# Row `week` = w is simulated week w (0 .. weeks - 1): its meetings, its care and the state"
               " at its end."]
    path = Path(cal.data_path)
    path.write_text("\n".join(header) + "\n" + frame.to_csv(index=False, float_format="%.6g"))
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
