"""Take the lessons' screenshots (docs/teaching/img/*.png) with the demo's Playwright harness.

Run from the repository root after ``bash scripts/setup_demo.sh``:

    .venv/bin/python docs/teaching/make_screenshots.py

Each lesson starts a fresh page on the default scenario, clicks what the lesson tells the
class to click, and photographs the point that matters.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cop_sim.demo import harness

ROOT = Path(__file__).resolve().parents[2]
IMG = ROOT / "docs" / "teaching" / "img"
VIEWPORT = (1560, 1000)


def play_until(page, week: int, timeout_s: float = 300) -> None:
    """Press Play, wait until the run reaches ``week``, press Pause."""
    page.click(".cop-play")
    t0 = time.monotonic()
    while harness.week(page) < week:
        if time.monotonic() - t0 > timeout_s:
            raise TimeoutError(f"week {week} not reached in {timeout_s:.0f} s")
        time.sleep(0.5)
    page.click(".cop-pause")
    time.sleep(2)  # let the last redraw arrive


def compare(page, condition: str, name: str) -> None:
    """Open the comparison tab on ``condition`` (B starts at its opposite) and photograph it."""
    harness.tab(page, "Compare two settings")
    page.wait_for_selector(".cop-view-compare img", timeout=60_000)
    old = harness.image_digest(page, "compare")
    if condition != "Moderator's skill (0-1)":  # the tab opens on the moderator
        harness.choose(page, "Condition to change", condition)
        harness.wait_image_changed(page, "compare", old, timeout_ms=60_000)
    page.wait_for_selector(".cop-compare-running", state="detached", timeout=60_000)
    page.wait_for_selector(".cop-view-compare img", timeout=60_000)
    time.sleep(1)
    page.screenshot(path=str(IMG / name))
    print("wrote", IMG / name)


def lesson(server_url: str, actions) -> None:
    """One fresh page, some actions."""
    with harness.browser_page(*VIEWPORT) as (page, traffic):
        page.goto(server_url)
        harness.wait_ready(page)
        actions(page)
        if traffic.blocked:
            raise RuntimeError(f"the page asked for off-machine resources: {traffic.blocked}")


def moderator_watch(page) -> None:
    page.set_viewport_size({"width": VIEWPORT[0], "height": 1380})  # all four views
    play_until(page, 13)
    page.screenshot(path=str(IMG / "lesson1_watch.png"))
    print("wrote", IMG / "lesson1_watch.png")


def main() -> int:
    IMG.mkdir(parents=True, exist_ok=True)
    with harness.demo_server([str(ROOT / "scenarios" / "default.toml")]) as server:
        lesson(server.url, moderator_watch)
        lesson(server.url, lambda p: compare(p, "Moderator's skill (0-1)", "lesson1_moderator.png"))
        lesson(server.url, lambda p: compare(p, "Patient or family representative",
                                             "lesson2_patient_voice.png"))
        lesson(server.url, lambda p: compare(p, "Caseload (x usual demand)", "lesson3_price_of_time.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
