"""Paired differences between two levels of a factor in a sweep's results, by stratum.

For each stratum (e.g. ``world.K``) and replication, the outcome at ``--treat`` minus the outcome
at ``--base`` of ``--factor`` (runs of one replication share their seeds: common random numbers),
then the mean difference with its 95 % t interval; over all strata; and, with strata, the growth of
the difference from the first stratum's lowest level (a difference of differences, paired by
replication). This is how ``docs/docking.md`` reads the Eppstein et al. (2012) and Manukyan et al.
(2013) dockings. With ``--against FOLDER`` the base is every run of another sweep (e.g. the same
sites without sessions), paired on the strata and the replication.

Run:
    .venv/bin/python scripts/paired_differences.py results/eppstein2012_configurations_vs_evidence \\
        --factor meeting.transfer --base evidence --treat configurations \\
        --outcome care_quality_last_quarter --by world.K
    .venv/bin/python scripts/paired_differences.py results/manukyan2013_similar_vs_diverse \\
        --factor learning_community.team_by --treat similar --against results/manukyan2013_dissemination \\
        --outcome care_quality_last_quarter --by world.K practice.observation_noise
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats


def t_interval(x) -> tuple[float, float, float, int]:
    """Mean, 95 % t interval (low, high) and n of ``x`` (NaN bounds for fewer than two values)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    m = float(x.mean()) if n else float("nan")
    h = stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
    return m, m - h, m + h, n


def _level(series: pd.Series, text: str):
    """A level given on the command line, as the column's type."""
    if pd.api.types.is_bool_dtype(series):
        return text.lower() == "true"
    if pd.api.types.is_numeric_dtype(series):
        return type(series.iloc[0].item())(text)
    return text


def paired(df: pd.DataFrame, factor: str, base: str, treat: str, outcome: str,
           by: list[str]) -> pd.DataFrame:
    """Per stratum and replication: the outcome at ``treat`` minus at ``base`` (column ``diff``)."""
    for col in (factor, outcome, "replication", *by):
        if col not in df:
            raise KeyError(col)
    b, t = _level(df[factor], base), _level(df[factor], treat)
    for level in (b, t):
        if not (df[factor] == level).any():
            raise ValueError(f"{factor} has no level {level!r}; it has {sorted(df[factor].unique())}")
    wide = df.pivot_table(index=[*by, "replication"], columns=factor, values=outcome, aggfunc="first")
    return (wide[t] - wide[b]).rename("diff").dropna().reset_index()


def against(df: pd.DataFrame, base_df: pd.DataFrame, factor: str, treat: str, outcome: str,
            by: list[str]) -> pd.DataFrame:
    """Per stratum and replication: the outcome at ``treat`` minus that of another sweep's run."""
    keys = [*by, "replication"]
    for col in (outcome, *keys):
        if col not in base_df:
            raise KeyError(col)
    for col in (factor, outcome, *keys):
        if col not in df:
            raise KeyError(col)
    t = _level(df[factor], treat)
    if not (df[factor] == t).any():
        raise ValueError(f"{factor} has no level {t!r}; it has {sorted(df[factor].unique())}")
    mine = df[df[factor] == t].set_index(keys)[outcome]
    base = base_df.set_index(keys)[outcome]
    return (mine - base).rename("diff").dropna().reset_index()


def _read(folder: Path) -> pd.DataFrame | None:
    """A sweep's summary without its failed runs (said on stderr), or None (said) if there is none."""
    path = folder / "summary.parquet"
    if not path.is_file():
        print(f"{path}: no such file (a sweep's results folder has one)", file=sys.stderr)
        return None
    df = pd.read_parquet(path)
    if "error" in df and df["error"].notna().any():
        print(f"{path}: {int(df['error'].notna().sum())} failed runs left out", file=sys.stderr)
        df = df[df["error"].isna()]
    return df


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", type=Path, help="a sweep's results folder (its summary.parquet)")
    ap.add_argument("--factor", required=True)
    ap.add_argument("--base", help="the factor's level subtracted (or --against)")
    ap.add_argument("--against", type=Path, help="another sweep's results folder: its runs are the base")
    ap.add_argument("--treat", required=True, help="the factor's level compared")
    ap.add_argument("--outcome", required=True)
    ap.add_argument("--by", nargs="*", default=[], help="strata (factors), the first for growth")
    args = ap.parse_args(argv)
    path = args.results / "summary.parquet"
    if (args.base is None) == (args.against is None):
        print("give either --base LEVEL or --against FOLDER", file=sys.stderr)
        return 2
    df = _read(args.results)
    base_df = _read(args.against) if args.against else None
    if df is None or (args.against and base_df is None):
        return 2
    try:
        if args.against:
            d = against(df, base_df, args.factor, args.treat, args.outcome, args.by)
        else:
            d = paired(df, args.factor, args.base, args.treat, args.outcome, args.by)
    except KeyError as e:
        print(f"{path}: no column {e}; columns: {', '.join(df.columns)}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"{path}: {e}", file=sys.stderr)
        return 2
    head = f"{args.outcome}: {args.treat} - {args.base or args.against.name}"
    for key, sub in (d.groupby(args.by) if args.by else [((), d)]):
        m, lo, hi, n = t_interval(sub["diff"])
        print(f"{dict(zip(args.by, key if isinstance(key, tuple) else (key,), strict=True))} "
              f"{head} = {m:+.4f} [{lo:+.4f}, {hi:+.4f}] (n = {n})")
    m, lo, hi, n = t_interval(d["diff"])
    print(f"all: {head} = {m:+.4f} [{lo:+.4f}, {hi:+.4f}] (n = {n})")
    if args.by:
        s0, rest = args.by[0], [c for c in (*args.by, "replication") if c != args.by[0]]
        dd = d.pivot_table(index=rest, columns=s0, values="diff")
        levels = sorted(dd.columns)
        for level in levels[1:]:
            m, lo, hi, n = t_interval((dd[level] - dd[levels[0]]).dropna())
            print(f"growth: the difference at {s0} = {level} minus at {s0} = {levels[0]}: "
                  f"{m:+.4f} [{lo:+.4f}, {hi:+.4f}] (n = {n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
