"""Where in the prior a pattern's effect exceeds a value: scenario discovery on a robustness run.

``cop-sim validate --robustness N`` writes ``robustness_<ID>_draws.csv``: each draw's parameter
values and each check's effect (``effect_0``, ``effect_1``, ...). The run's own PRIM box and CART
tree describe where the pattern *holds*; this script asks the same of any effect against any
value, e.g. where the CoP's effect on care quality (V1's ``effect_1``) exceeds 0.02: the PRIM box
(EMA Workbench, through ``cop_sim.validation.discovery``), a shallow CART tree, and the
parameters most correlated with the effect.

Run:
    .venv/bin/python scripts/where_effect_exceeds.py results/validation/robustness_V1_draws.csv \\
        --effect effect_1 --above 0.02
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim.cop.spec import SPEC
from cop_sim.params import flatten
from cop_sim.validation import discovery


def parameters(draws: pd.DataFrame) -> pd.DataFrame:
    """The draws' parameter columns (dotted keys, numeric), without the effects and verdicts."""
    skip = ("draw", "verdict", "effect")
    cols = [c for c in draws.columns if not c.startswith(skip)]
    x = draws[cols].select_dtypes(include=["number", "bool"]).astype(float)
    return x.loc[:, x.nunique() > 1]  # a parameter held fixed says nothing about where


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("draws", type=Path, help="a robustness run's robustness_<ID>_draws.csv")
    ap.add_argument("--effect", default="effect_0", help="the effect column (default effect_0)")
    ap.add_argument("--above", type=float, required=True, help="the value the effect must exceed")
    ap.add_argument("--top", type=int, default=8, help="parameters listed by correlation")
    args = ap.parse_args(argv)
    if not args.draws.is_file():
        print(f"{args.draws}: no such file (cop-sim validate --robustness writes *_draws.csv)",
              file=sys.stderr)
        return 2
    draws = pd.read_csv(args.draws)
    if args.effect not in draws:
        effects = [c for c in draws.columns if c.startswith("effect")]
        print(f"{args.draws}: no column {args.effect!r}; effects: {', '.join(effects)}", file=sys.stderr)
        return 2
    y = draws[args.effect].to_numpy(dtype=float)
    keep = np.isfinite(y)
    x, y = parameters(draws)[keep].reset_index(drop=True), y[keep]
    above = y > args.above
    print(f"{args.effect} > {args.above:g} in {int(above.sum())} of {len(y)} draws "
          f"(mean {y.mean():+.4f}, median {np.median(y):+.4f}, largest {y.max():+.4f})")
    params = flatten(SPEC)
    print("PRIM: " + discovery.describe_box(discovery.prim_box(x, above, params)))
    tree = discovery.cart_tree(x, np.where(above, "above", "not above"))
    print(f"CART (accuracy {tree['accuracy']:.2f}):\n{tree['text']}")
    r = x.corrwith(pd.Series(y)).dropna()
    print(f"most correlated with {args.effect} (Pearson r; median above / not above):")
    for key in r.abs().sort_values(ascending=False).index[:args.top]:
        print(f"  {key:40s} r = {r[key]:+.2f}   {x.loc[above, key].median():.4g} / "
              f"{x.loc[~above, key].median():.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
