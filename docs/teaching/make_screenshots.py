"""Take the lessons' screenshots (docs/teaching/img/*.png) with the demo's Playwright harness.

Run from the repository root after ``bash scripts/setup_demo.sh``:

    .venv/bin/python docs/teaching/make_screenshots.py

Each lesson starts a fresh page on the demo's default scenario (the CoP model), clicks what the lesson
tells the class to click, and photographs the point that matters.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cop_sim.demo import harness, session

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
    page.wait_for_selector(".cop-step:not([disabled])", timeout=60_000)  # the loop has stopped
    time.sleep(2)  # let the last redraw arrive


def compare(page, condition: str, name: str) -> None:
    """Open the comparison tab on ``condition`` (B starts at its opposite) and photograph it."""
    harness.tab(page, "Compare two settings")
    page.wait_for_selector(".cop-view-compare img", timeout=60_000)
    page.wait_for_selector(".cop-compare-running", state="detached", timeout=60_000)
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
    page.set_viewport_size({"width": VIEWPORT[0], "height": 1750})  # all the views
    play_until(page, 11)  # just after the third meeting (weeks 2, 6, 10)
    page.screenshot(path=str(IMG / "lesson1_watch.png"))
    print("wrote", IMG / "lesson1_watch.png")


def hierarchy(senior: str, name: str):
    """Lesson 4: its scenario, the senior members' starting beliefs, steepness 1 (A) against 0 (B)."""
    def actions(page) -> None:
        harness.choose(page, "Scenario", "hierarchy_lesson")
        page.wait_for_function("() => document.querySelector('.cop-population').innerText"
                               ".includes('in 2 CoPs')")
        harness.choose(page, "Senior members start", senior)
        page.wait_for_selector(".cop-pending")
        compare(page, "Hierarchy steepness (0-1)", name)
    return actions


def care_team(page) -> None:
    """Lesson 5: its scenario; the care-team card after a few weeks; team of 3 (A) against 1 (B)."""
    harness.choose(page, "Scenario", "care_team_lesson")
    page.wait_for_function("() => document.querySelector('.cop-teams').innerText.includes('up to 3')")
    play_until(page, 7)
    card = page.locator(".cop-teams").first
    card.scroll_into_view_if_needed()
    card.screenshot(path=str(IMG / "lesson5_card.png"))
    print("wrote", IMG / "lesson5_card.png")
    harness.tab(page, "Compare two settings")
    page.wait_for_selector(".cop-view-compare img", timeout=60_000)
    page.wait_for_selector(".cop-compare-running", state="detached", timeout=60_000)
    harness.choose(page, "Condition to change", "Care team per patient (persons)")
    page.wait_for_selector(".cop-compare-running", state="detached", timeout=60_000)
    page.wait_for_selector(".cop-view-compare img", timeout=60_000)
    old = harness.image_digest(page, "compare")
    field = page.locator(".v-text-field", has=page.locator("label", has_text="B: Care team per patient"))
    field.locator("input").first.fill("1")
    field.locator("input").first.press("Enter")
    harness.wait_image_changed(page, "compare", old, timeout_ms=120_000)
    page.wait_for_selector(".cop-compare-running", state="detached", timeout=60_000)
    time.sleep(1)
    page.screenshot(path=str(IMG / "lesson5_compare.png"))
    print("wrote", IMG / "lesson5_compare.png")


def main() -> int:
    IMG.mkdir(parents=True, exist_ok=True)
    only = set(sys.argv[1:])  # e.g. "lesson4": take only those lessons' pictures
    with harness.demo_server([str(ROOT / "scenarios" / f"{session.DEFAULT_SCENARIO}.toml")]) as server:
        shots = [
            ("lesson1", moderator_watch),
            ("lesson1", lambda p: compare(p, "Moderator's skill (0-1)", "lesson1_moderator.png")),
            ("lesson2", lambda p: compare(p, "Patient representative", "lesson2_patient_voice.png")),
            ("lesson3", lambda p: compare(p, "Caseload (x usual demand)", "lesson3_price_of_time.png")),
            ("lesson4", hierarchy("right (true values)", "lesson4_right.png")),
            ("lesson4", hierarchy("wrong (inverted)", "lesson4_wrong.png")),
            ("lesson5", care_team),
        ]
        for tag, actions in shots:
            if not only or tag in only:
                lesson(server.url, actions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
