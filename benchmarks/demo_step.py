"""The teaching demo's Step: how long a week takes, compute and drawing, in Python and in a browser.

Run: .venv/bin/python benchmarks/demo_step.py [--steps 12] [--no-browser] [--code PATH]

In this process, on the default scenario: "compute" is the model's week and its weekly record
(``DemoRun.step`` and ``frames``); "draw" is making the five views' PNG images, both as the
demo draws them (``cop_sim.demo.live``: figures kept from week to week, only what moves
redrawn) and by building every figure afresh (what the demo did up to 0.2.0). In a browser
(headless Chromium through ``cop_sim.demo.harness``): the time from a click on Step until the
page shows the next week with all five views redrawn. ``--code`` serves the demo from
another checkout (e.g. the main one, for a before-and-after). Times are medians; the load
average is printed, as the machine is shared.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ("network", "learning", "health", "time", "beliefs")


def _ms(laps: list[float]) -> str:
    lo, mid, hi = (1000 * f(laps) for f in (min, statistics.median, max))
    return f"median {mid:6.0f} ms (min {lo:.0f}, max {hi:.0f})"


def in_process(steps: int) -> None:
    """Compute and drawing medians without a browser."""
    from cop_sim.demo import session, views

    def rebuild(run, frame, cop_frame) -> None:
        figs = [views.network_figure(run, 0), views.learning_figure(frame, run.horizon),
                views.health_figure(cop_frame, list(run.cop_names), 0, run.horizon),
                views.time_figure(frame, run.horizon), views.beliefs_figure(run, 0)]
        for fig in figs:
            fig.savefig(io.BytesIO(), format="png")

    try:
        from cop_sim.demo import live
    except ImportError:  # a checkout from before the live views
        live = None
    run = session.build(ROOT / "scenarios" / "default.toml", {"seed": 1})
    for _ in range(3):  # past the first meeting: kernels loaded
        run.step()
    try:
        from cop_sim.demo import teams
    except ImportError:  # a checkout from before the care-team card
        teams = None
    laps: dict[str, list[float]] = {"compute": [], "team card": [], "draw (live)": [], "draw (rebuild)": []}
    for _ in range(steps):
        t0 = time.perf_counter()
        run.step()
        frame, cop_frame = run.frames()
        laps["compute"].append(time.perf_counter() - t0)
        if teams is not None:  # the care-team card's HTML (its readings and the record's counts)
            t0 = time.perf_counter()
            teams.team_html(run, 0)
            laps["team card"].append(time.perf_counter() - t0)
        if live is not None:
            t0 = time.perf_counter()
            for view in VIEWS:
                live.png(run, view, 0)
            laps["draw (live)"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rebuild(run, frame, cop_frame)
        laps["draw (rebuild)"].append(time.perf_counter() - t0)
    for name, lap in laps.items():
        if lap:
            print(f"  {name:16s} {_ms(lap)}")


def in_browser(steps: int, code: Path | None) -> None:
    """Click Step ``steps`` times; time each until the week and all five views have changed."""
    from cop_sim.demo import harness

    env = {"PYTHONPATH": str(code)} if code else {}
    if code:
        env["COP_SIM_DEMO_ASSETS"] = str(ROOT / ".cache" / "solara-assets")
    start = [str(ROOT / "scenarios" / "default.toml")]
    with harness.demo_server(start, env=env, timeout=120) as server, harness.browser_page() as (page, _):
        page.goto(server.url)
        harness.wait_ready(page, timeout_ms=120_000)
        harness.step(page, 3, timeout_ms=120_000)  # past the first meeting, as above
        laps = []
        for _ in range(steps):
            before = harness.week(page)
            srcs = page.evaluate("(views) => views.map(v => document.querySelector("
                                 "'.cop-view-' + v + ' img').src)", list(VIEWS))
            t0 = time.perf_counter()
            page.click(".cop-step")
            page.wait_for_function(
                """([n, views, old]) => {
                    const week = document.querySelector('.cop-week').innerText;
                    if (week.includes('Week ' + n + ' ')) return false;
                    return views.every((v, k) => {
                        const i = document.querySelector('.cop-view-' + v + ' img');
                        return i && i.src !== old[k] && i.complete; });
                }""", arg=[before, list(VIEWS), srcs], timeout=120_000, polling="raf")
            laps.append(time.perf_counter() - t0)
            page.wait_for_selector(".cop-step:not([disabled])", timeout=120_000)
        print(f"  click to page redrawn {_ms(laps)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--code", type=Path, help="serve the demo from this checkout")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.steps} steps")
    if args.code:
        sys.path.insert(0, str(args.code))
    print("in this process (default scenario, CoP 1):")
    in_process(args.steps)
    if not args.no_browser:
        print("in headless Chromium:")
        in_browser(args.steps, args.code)


if __name__ == "__main__":
    main()
