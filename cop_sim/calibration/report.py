"""calibration.md: prior against posterior, a pairs plot, the posterior predictive check, and
ESS and acceptance rate by generation. Figures go to ``figures/`` beside it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cop_sim.atomic import atomic_path
from cop_sim.calibration import identify
from cop_sim.calibration.spec import Calibration


def wquantile(values, weights, q):
    """Weighted quantiles (the weighted empirical CDF, interpolated at the midpoints)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order] / weights.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return np.interp(q, cdf, v)


def summary(cal: Calibration, post: pd.DataFrame) -> list[dict]:
    """Per parameter: prior and posterior median and 90 % interval."""
    rows = []
    for f in cal.fitted:
        p5, p50, p95 = (float(x) for x in f.prior.ppf([0.05, 0.5, 0.95]))
        q5, q50, q95 = (float(x) for x in wquantile(post[f.key], post["weight"], [0.05, 0.5, 0.95]))
        rows.append({"parameter": f.key, "prior": f.prior.describe(), "prior_median": p50,
                     "prior_lo": p5, "prior_hi": p95, "median": q50, "lo": q5, "hi": q95,
                     "width_ratio": (q95 - q5) / (p95 - p5)})
    return rows


def _save(fig, path: Path) -> None:
    with atomic_path(path, ".png") as tmp:
        fig.savefig(tmp, dpi=110, format="png", metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)


MARGINAL_COLUMNS = 6
PAIRS_MAX = 6  # a pairs plot of k parameters draws k^2 panels: beyond this, the narrowest posteriors


def pairs_keys(cal: Calibration, post: pd.DataFrame) -> list[str]:
    """The parameters the pairs plot shows: all, or the :data:`PAIRS_MAX` most narrowed by the data."""
    if len(cal.keys) <= PAIRS_MAX:
        return cal.keys
    ratios = {r["parameter"]: r["width_ratio"] for r in summary(cal, post)}
    return sorted(cal.keys, key=lambda key: (ratios[key], cal.keys.index(key)))[:PAIRS_MAX]


def _marginals(cal, post, path):
    import matplotlib.pyplot as plt

    from cop_sim import plot_rules

    k = len(cal.fitted)
    cols = min(k, MARGINAL_COLUMNS)  # many parameters (an evidence calibration): rows of panels
    rows = -(-k // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3 * rows), squeeze=False)
    for ax in axes.flat[k:]:
        ax.set_visible(False)
    for ax, f in zip(axes.flat, cal.fitted, strict=False):
        lo, hi = f.prior.lo, f.prior.hi
        bins = (np.geomspace(lo, hi, 30) if f.prior.family == "loguniform" else np.linspace(lo, hi, 30))
        ax.hist(post[f.key], bins=bins, weights=post["weight"], density=True, color="C0", alpha=0.7,
                label="posterior")
        dens = 1 / (hi - lo) if f.prior.family == "uniform" else None
        if dens is not None:
            ax.hlines(dens, lo, hi, colors="k", linestyles="--", label="prior")
        else:
            x = np.geomspace(lo, hi, 100)
            ax.plot(x, 1 / (x * np.log(hi / lo)), "k--", label="prior")
            ax.set_xscale("log")
        ax.set_xlabel(f.key)
        ax.set_ylabel("probability density")
        plot_rules.legend(ax, fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    return fig


def _pairs(cal, post, path):
    import matplotlib.pyplot as plt

    keys = pairs_keys(cal, post)
    k = len(keys)
    fig, axes = plt.subplots(k, k, figsize=(2.8 * k, 2.8 * k), squeeze=False)
    size = 4 + 400 * post["weight"].to_numpy()
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            ax = axes[i][j]
            if i == j:
                ax.hist(post[a], bins=25, weights=post["weight"], color="C0")
            else:
                ax.scatter(post[b], post[a], s=size, alpha=0.5, color="C0", linewidths=0)
            if i == k - 1:
                ax.set_xlabel(b, fontsize=8)
            if j == 0:
                ax.set_ylabel(a, fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    return fig


def _ppc(cal, pred, path):
    """Data against the model's 90 % predictive band, a panel per observed column.

    Statistics at single weeks of the pooled series are placed at their weeks, with the
    scenario's events marked; others (means, shares, per-CoP values) side by side.
    """
    import textwrap

    import matplotlib.pyplot as plt

    from cop_sim import outcome_info, plot_rules

    obs = cal.observations
    fig, axes = plt.subplots(1, len(obs), figsize=(4 * len(obs), 3.4), squeeze=False)
    events = plot_rules.event_weeks({"events": cal.fixed.get("events", cal.scenario_raw.get("events"))})
    for ax, o in zip(axes[0], obs, strict=True):
        slots = o.slots()
        keys = [k for k, _, _ in slots]
        by_week = not o.per_cop and len(slots) > 1 and all(w is not None for _, _, w in slots)
        x = np.array([w for _, _, w in slots], dtype=float) if by_week else np.arange(len(keys))
        lo, mid, hi = (np.array([np.quantile(pred[k], q) for k in keys]) for q in (0.05, 0.5, 0.95))
        data = np.array([cal.observed[k] for k in keys])
        ax.errorbar(x, mid, yerr=[mid - lo, hi - mid], fmt="s", color="C0", ms=3, elinewidth=6, alpha=0.35,
                    label="model median, 90 %")
        ax.plot(x, data, "ko", ms=4, label="data")
        if by_week:
            ax.set_xlabel("week (simulated)", fontsize=8)
            plot_rules.mark_weeks(ax, (), [w for w in events if x.min() - 1 <= w <= x.max() + 1])
        else:
            ax.set_xticks(x, [k.split("|", 1)[1] for k in keys], rotation=60, fontsize=7)
            ax.set_xlim(-0.7, len(keys) - 0.3)
        ax.set_title(f"{o.column} ({o.aggregate})", fontsize=9)
        ax.set_ylabel(textwrap.fill(outcome_info.label(o.outcome), 40), fontsize=8)
        plot_rules.zero_rule(ax, [lo, hi, data])
        plot_rules.legend(ax, fontsize=7)
    fig.tight_layout()
    _save(fig, path)
    return fig


def coverage(cal: Calibration, pred: pd.DataFrame) -> float:
    """Share of observed statistics inside the model's 90 % predictive band."""
    inside = [np.quantile(pred[k], 0.05) <= v <= np.quantile(pred[k], 0.95) for k, v in cal.observed.items()]
    return float(np.mean(inside))


ESS_SHARE = 0.1  # a posterior whose effective sample size is below this share of its particles


def _ess_warning(cal: Calibration, gens: list[dict]) -> list[str]:
    """A warning when the importance weights have collapsed onto a few particles."""
    ess, n = gens[-1]["ess"], cal.abc["population"]
    if ess >= ESS_SHARE * n:
        return []
    return [f"**Warning: the posterior's effective sample size is {ess:.1f} of {n} particles.** Its "
            "weight sits on a few particles, so its narrow intervals are not identification; read "
            "identification from a recovery check (`--recovery M --reference N`), and use an earlier "
            "generation (`--resume --generations N`) for predictions.", ""]


def write(out: Path, cal: Calibration, post: pd.DataFrame, gens: list[dict], pred: pd.DataFrame) -> Path:
    """Write calibration.md and its figures into ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    figs = out / "figures"
    figs.mkdir(parents=True, exist_ok=True)
    _marginals(cal, post, figs / "prior_posterior.png")
    _pairs(cal, post, figs / "pairs.png")
    _ppc(cal, pred, figs / "predictive_check.png")
    rows = summary(cal, post)
    lines = [f"# Calibration: {cal.name}", "", cal.description, "",
             f"Scenario `{Path(cal.scenario_path).name}`, data `{Path(cal.data_path).name}` "
             f"({len(cal.observed)} statistics from {len(cal.observations)} columns), distance "
             f"{cal.distance}, master seed {cal.master_seed}. ABC-SMC (pyabc) with "
             f"{cal.abc['population']} particles, {len(gens)} generations, "
             f"{sum(g['simulations'] for g in gens)} simulations."
             + (f" Stopped after {len(gens)} of the {cal.extra['generations_planned']} generations the file "
                "plans (`--generations`): the posterior is the last complete generation's."
                if cal.extra.get("generations_planned", len(gens)) > len(gens) else ""), "",
             *_ess_warning(cal, gens),
             "## Prior and posterior", "", "![prior and posterior](figures/prior_posterior.png)", "",
             "| parameter | prior | prior median [90 %] | posterior median [90 %] | width / prior |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['parameter']}` | {r['prior']} | {r['prior_median']:.3g} [{r['prior_lo']:.3g}, "
                     f"{r['prior_hi']:.3g}] | {r['median']:.3g} [{r['lo']:.3g}, {r['hi']:.3g}] | "
                     f"{r['width_ratio']:.2f} |")
    shown = pairs_keys(cal, post)
    lines += ["", "## Pairs", ""]
    if len(shown) < len(cal.keys):
        lines += [f"The {len(shown)} parameters whose posterior the data narrowed most "
                  f"(of {len(cal.keys)}).", ""]
    lines += ["![pairs plot of the posterior](figures/pairs.png)", "",
              "## Posterior predictive check", "",
              f"Data (dots) against the model's 90 % predictive band over {len(pred)} posterior draws, "
              "measurement noise included. "
              f"{coverage(cal, pred):.0%} of the observed statistics lie inside the band.", "",
              "![posterior predictive check](figures/predictive_check.png)", "",
              "## Generations", "", "| generation | tolerance | simulations | acceptance rate | ESS |",
              "|---|---|---|---|---|"]
    for g in gens:
        lines.append(f"| {g['generation']} | {g['epsilon']:.4g} | {g['simulations']} | "
                     f"{g['acceptance_rate']:.3f} | {g['ess']:.1f} |")
    lines.append("")
    lines += identify.markdown(identify.next_steps(cal, post, pred, out))
    path = out / "calibration.md"
    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(lines))
    return path
