"""The world's landscape by K: how often the best combination is not the greedy one, how much
the greedy combination loses, how often the guideline stays best, and build time.

Run: .venv/bin/python benchmarks/world_landscape.py [--seeds 10]
Shares are over the catalogue's contexts, pooled over seeds 1..N, at the other defaults.
Build time is the median of fresh (uncached) builds after the kernels are compiled.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from cop_sim.cop.world import build_world, landscape


def by_k(K: int, seeds: int) -> dict:
    """Summary of the landscapes at interaction count K over ``seeds`` worlds."""
    not_greedy, loss, guideline, times = [], [], [], []
    for seed in range(1, seeds + 1):
        landscape._cached.cache_clear()
        start = time.perf_counter()
        w = build_world({"K": K}, seed)
        times.append(time.perf_counter() - start)
        many = w.ctx_n_cond >= 3
        not_greedy.append((w.best_combo != w.greedy_combo).any(axis=1)[many])
        loss.append(1.0 - w.greedy_value[many] / w.best_value[many])
        cond = w.best_combo[:, :w.n_conditions]
        plain = (w.ctx_social == 0)[:, None] & w.ctx_active[:, :w.n_conditions]
        guideline.append(cond[plain] == 0)
    return {"K": K, "not_greedy_3plus": float(np.concatenate(not_greedy).mean()),
            "greedy_loss_3plus": float(np.concatenate(loss).mean()),
            "guideline_best_no_social": float(np.concatenate(guideline).mean()),
            "build_ms": 1000 * statistics.median(times)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    build_world({"K": 1}, 0)  # compile (or load) the kernels first
    print("K  not-greedy(3+ cond)  greedy loss  guideline best (no social)  build ms")
    for K in range(4):
        r = by_k(K, args.seeds)
        print(f"{K}  {r['not_greedy_3plus']:19.3f}  {r['greedy_loss_3plus']:11.3f}  "
              f"{r['guideline_best_no_social']:26.3f}  {r['build_ms']:8.1f}")


if __name__ == "__main__":
    main()
