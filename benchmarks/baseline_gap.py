"""The starting evidence-practice gap: week-0 optimal_practice_share for a grid of training levers.

Issue 24, item 7 ("Defaults from data, never from effects"): the defaults should start care where
evaluations find it before an intervention; EvidenceNOW's practices started at about 60-65 %
adherence on their targeted measures (Balasubramanian et al. 2022, J Am Board Fam Med 35(5):968).

Each run builds the default scenario (with one lever changed), runs its burn-in and week 0 only,
and reads the model's own week-0 ``optimal_practice_share`` (week 0 has no meeting: the CoPs'
calendar starts at week 2; the script checks that no meeting, session or audit happened). Nothing
after week 0 and no CoP-minus-none difference is computed.

Besides the model's output it prints where the gap comes from, over every panel patient's active
topics after the burn-in (state at week 0's start, unweighted by visits):

- ``plan``: the plan in force equals the patient's exact optimum (``world.best_combo``);
- ``belief``: the practice the topic's owner believes best, in the patient's belief context as the
  owner knows it, equals the optimum;
- ``trained``: the practice training teaches is best (trial values with the discipline's
  person-centred lean, no individual noise) equals the optimum;
- ``oracle``: the practice a perfect per-practice knower believes best
  (``landscape.practice_values``) equals the optimum: the ceiling of per-practice knowledge;
- ``open``: the topic has no practice yet (social needs not known, or never visited);
- ``guideline``: week 0's ``target_adherence`` (the model's output) under a change package of the
  guideline practice on every condition topic the patient has: EvidenceNOW's kind of measure;
- ``hidden``: the topic is the social-needs topic of a patient whose social needs are not known
  (no plan covers it until they are: it can never be at the optimum).

Usage: python benchmarks/baseline_gap.py [--seeds 5] [--set KEY=VALUE ...] [--levers NAME ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from cop_sim import scenario
from cop_sim.cop.model import CopModel
from cop_sim.cop.population import _training, trial_values
from cop_sim.cop.world.landscape import practice_values
from cop_sim.vocab import CONDITIONS

ROOT = Path(__file__).resolve().parents[1]
DISC = ("gp", "nurse", "specialist", "social_worker", "pharmacist", "community_worker")
CONFIDENCE = {"gp": 20.0, "nurse": 8.0, "specialist": 30.0, "social_worker": 2.0, "pharmacist": 15.0,
              "community_worker": 2.0}  # the 0.3.0 defaults
PERSON = {"gp": 0.45, "nurse": 0.6, "specialist": 0.4, "social_worker": 0.7, "pharmacist": 0.45,
          "community_worker": 0.7}
# candidate levers at their plausible values (each inside its validity range; defaults marked *)
LEVERS: dict[str, list[list[str]]] = {
    "default": [[]],
    "burn_in": [[f"burn_in={w}"] for w in (0, 13, 26, 52, 104, 208, 520)],
    "guideline_margin": [[f"world.guideline_margin={m}"] for m in (0.0, 0.05, 0.15, 0.3, 0.5)],
    "guideline_confidence": [[f"disciplines.{d}.guideline_confidence={f}" for d in DISC]
                             for f in (0.0, 2.0, 20.0, 200.0)],
    "person_centred": [[f"disciplines.{d}.person_centred={v}" for d in DISC] for v in (0.3, 0.5, 0.7)],
    "exploration": [[f"practice.exploration={e}"] for e in (0.0, 0.05, 0.1, 0.2, 0.5)],
    "review_interval": [[f"review.interval={w}"] for w in (0, 13, 26, 52)],
    "replan": [[f"practice.replan={r}"] for r in (0.0, 0.5, 1.0)],
    "observation_noise": [[f"practice.observation_noise={s}"] for s in (0.05, 0.15, 0.3)],
    "prior": [["practice.prior=uninformed"]],
    "burn_in x exploration": [[f"burn_in={w}", f"practice.exploration={e}"]
                              for w in (104, 520) for e in (0.05, 0.5)],
    "burn_in x margin": [[f"burn_in={w}", "world.guideline_margin=0.5"] for w in (104, 520)],
    # the world's structure: not training, measured only to explain the ceiling
    "world.K": [[f"world.K={k}"] for k in (0, 1, 3)],
    "world.ruggedness": [[f"world.ruggedness={r}"] for r in (0.0, 0.25, 0.75)],
    "world.burden_weight": [[f"world.burden_weight={b}"] for b in (0.0, 0.3)],
    "world.social_shift": [[f"world.social_shift={x}"] for x in (0.0, 0.1, 0.5)],
    # the highest of a grid inside the priors (burn_in 26/52, margin 0.15/0.3, exploration, guideline
    # confidence x0.5/x2, person_centred +-0.15, replan 0/1), and the validity ranges' corner
    "best within priors": [["burn_in=52", "world.guideline_margin=0.3", "practice.replan=1.0"]
                           + [f"disciplines.{d}.guideline_confidence={c / 2}" for d, c in CONFIDENCE.items()]
                           + [f"disciplines.{d}.person_centred={p + 0.15:.2f}" for d, p in PERSON.items()]],
    "validity corner": [["burn_in=520", "world.guideline_margin=0.5"]],
}
# EvidenceNOW's kind of measure: the guideline practice on every condition the patient has
GUIDELINE_PACKAGE = {"change_package": {"name": "guidelines", "targets": [
    {"topic": t, "practice": 0, "applies": "condition active"} for t in CONDITIONS]}}
NOT_BASELINE = ("meetings", "feedback_reports", "messages")  # must be 0 in week 0


def diagnose(m: CopModel) -> dict:
    """Shares of panel patients' active topics where plan / belief / training / oracle hit the optimum."""
    w, pr, pa = m.world, m.pr, m.pa
    rows, slots = np.nonzero(pa.ctx >= 0)
    ctx = pa.ctx[rows, slots]
    active = w.ctx_active[ctx]  # [n, T]
    best = w.best_combo[ctx]
    T = np.arange(w.n_topics)
    known = pa.known[rows, slots].astype(np.int64)
    bctx = w.ctx_bctx[known[:, None], ctx[:, None], T[None, :]]  # [n, T]
    owner = pa.owner[rows, slots]  # [n, T]
    believed = pr.mu[owner, bctx, T[None, :]].argmax(axis=-1)  # first maximum, as decide() picks
    tab = m.tables
    mu0, _ = _training(pr.disc, tab, w)  # [N, B, T, A], no individual noise
    trained = mu0[owner, bctx, T[None, :]].argmax(axis=-1)
    oracle_all = practice_values(w)  # [B, T, A]
    true_bctx = w.ctx_bctx[1, ctx[:, None], T[None, :]]
    oracle = oracle_all[true_bctx, T[None, :]].argmax(axis=-1)
    n = active.sum()
    share = lambda x: float((x & active).sum() / n)  # noqa: E731
    return {"plan": share(pa.plan[rows, slots] == best), "belief": share(believed == best),
            "trained": share(trained == best), "oracle": share(oracle == best),
            "trial": share(trial_values(w).argmax(axis=1)[None, :] == best),
            "open": share(pa.plan[rows, slots] < 0),
            "hidden": share(m.hidden[None, :] & (known[:, None] == 0))}


def week0(resolved, seed: int) -> dict:
    """Week 0's optimal_practice_share (the model's own output) and the diagnosis at its start."""
    m = CopModel(resolved, seed)
    out = diagnose(m)
    m.step()  # week 0 only
    cols = m.recorder.columns()
    row = int(np.flatnonzero(cols["week"] == 0)[0])
    for key in NOT_BASELINE:
        if cols[key][row] != 0:
            raise RuntimeError(f"week 0 had {key} = {cols[key][row]}: not a baseline week")
    out["week0"] = float(cols["optimal_practice_share"][row])
    out["guideline"] = float(cols["target_adherence"][row])
    return out


def _label(setting: list[str]) -> str:
    """A short name for one setting of the levers: its last key names with their values."""
    if not setting:
        return "(defaults)"
    if len(setting) == len(DISC) and all(p.startswith("disciplines.") for p in setting):
        return "every discipline's " + setting[0].split(".", 2)[2]
    short = [f"{k.rsplit('.', 1)[-1]}={v}" for k, v in (p.split("=", 1) for p in setting)]
    return " ".join(short) if len(short) <= 3 else " ".join(short[:3]) + " +disciplines"


def lever_table(levers: list[str], seeds: int, pairs: list[str]) -> list[tuple[str, str, dict]]:
    """Median over seeds 1..seeds of :func:`week0` for each setting of each lever."""
    out = []
    for name in levers:
        for setting in LEVERS[name]:
            resolved = scenario.load(ROOT / "scenarios" / "default.toml", pairs + setting, GUIDELINE_PACKAGE)
            runs = [week0(resolved, s) for s in range(1, seeds + 1)]
            med = {k: float(np.median([r[k] for r in runs])) for k in runs[0]}
            med["min"] = min(r["week0"] for r in runs)
            med["max"] = max(r["week0"] for r in runs)
            label = _label(setting)
            out.append((name, label, med))
    return out


def main() -> None:
    """Print the lever table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--set", dest="pairs", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--levers", nargs="*", default=list(LEVERS), choices=list(LEVERS))
    args = ap.parse_args()
    print(f"week-0 optimal_practice_share, median over seeds 1-{args.seeds} [min, max]; "
          "diagnosis: medians of shares of active topics at the optimum (see the docstring)")
    print(f"{'lever':22s} {'setting':36s} {'week0':>6s} {'[min, max]':>14s} "
          f"{'plan':>6s} {'belief':>6s} {'trained':>7s} {'trial':>6s} {'oracle':>6s} {'open':>6s}")
    for name, label, r in lever_table(args.levers, args.seeds, args.pairs):
        print(f"{name:22s} {label:36s} {r['week0']:6.3f} [{r['min']:.3f}, {r['max']:.3f}] "
              f"{r['plan']:6.3f} {r['belief']:6.3f} {r['trained']:7.3f} {r['trial']:6.3f} "
              f"{r['oracle']:6.3f} {r['open']:6.3f} {r['hidden']:6.3f} {r['guideline']:9.3f}", flush=True)


if __name__ == "__main__":
    main()
