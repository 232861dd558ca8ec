"""The teaching demo in a real browser: serve it, render it offline, step, reset, switch scenario.

Fails (does not skip) when the page does not render: that is what a class would see.
Needs ``bash scripts/setup_demo.sh`` (chromium and the local Solara assets; ``make test`` runs it).
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from cop_sim.demo import harness, session

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> Path:
    """The shipped default (the CoP model) and a smaller variant, so switching scenario has a visible
    effect that does not depend on which other scenarios are in scenarios/ today."""
    folder = tmp_path_factory.mktemp("scenarios")
    default = ROOT / "scenarios" / f"{session.DEFAULT_SCENARIO}.toml"
    shutil.copy(default, folder / "default.toml")
    text = default.read_text()
    text = re.sub(r"(?m)^name = .*$", 'name = "two_small_cops"', text)
    text = re.sub(r"(?m)^weeks = .*$", "weeks = 26", text)
    text = re.sub(r"(?m)^n_cops = .*$", "n_cops = 2", text)
    (folder / "two_small_cops.toml").write_text(text)
    return folder


def test_demo_in_browser(scenarios, tmp_path):
    t0 = time.monotonic()
    laps: dict[str, float] = {}

    def lap(name: str) -> None:
        laps[name] = round(time.monotonic() - t0 - sum(laps.values()), 1)
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    env = {"COP_SIM_DEMO_SCENARIOS": str(scenarios)}
    start = [str(scenarios / "default.toml")]
    with harness.demo_server(start, env=env, log=tmp_path / "server.log") as server, \
            harness.browser_page() as (page, traffic):
        t_page = time.monotonic()
        page.goto(server.url)
        try:
            harness.wait_ready(page)
        except Exception as exc:
            page.screenshot(path=str(results / "demo_browser_failed.png"))
            pytest.fail(f"the demo page did not render: {exc}\nblocked: {traffic.blocked}\n"
                        f"failed: {traffic.failed}\nserver log:\n{server.output()}")
        load_s = time.monotonic() - t_page
        lap("server + page")
        assert harness.week(page) == 0
        assert "48 practitioners in 4 CoPs" in page.inner_text(".cop-population")

        assert "No meeting yet" in page.inner_text(".cop-stories")

        # five Steps: the time shown advances and the plots are redrawn, at a real size
        views = ("network", "learning", "health", "time", "beliefs")
        before = {v: harness.image_digest(page, v) for v in views}
        assert harness.step(page, 5) == 5
        for view, old in before.items():
            new = harness.wait_image_changed(page, view, old)
            assert new["width"] > 300 and new["height"] > 200, (view, new)
            assert new["hash"] != old["hash"], f"the {view} view did not change after five steps"
        # the first meeting (week 2) told its stories: the card lists them
        page.wait_for_function("() => document.querySelector('.cop-stories').innerText"
                               ".includes('cases told')")
        assert re.search(r"success|failure", page.inner_text(".cop-stories"))
        # the care-team card: who owns the patients' topics, and plans that travel, by week 5
        page.wait_for_function("() => document.querySelector('.cop-teams').innerText.includes('week 5')")
        assert re.search(r"self management\s+nurse", page.inner_text(".cop-teams"))
        assert "plans adopted from a told story" in page.inner_text(".cop-teams")
        lap("five steps")

        # a Step shows its busy state, and clicks during it are dropped, not queued
        page.wait_for_selector(".cop-step:not([disabled])")
        harness.watch_busy(page)
        at = harness.week(page)
        harness.click_step_at_once(page, 3)  # the 2nd and 3rd land while the 1st is under way
        page.wait_for_function("() => window.copBusySeen", timeout=60_000)  # it showed its busy state
        page.wait_for_selector(".cop-step:not([disabled])")
        time.sleep(2.0)  # a queued click would have started another Step by now
        page.wait_for_selector(".cop-step:not([disabled])")
        assert harness.week(page) == at + 1, "clicks made during a Step were queued"
        lap("busy step")

        # Play runs on by itself; Pause stops it
        page.click(".cop-play")
        page.wait_for_function("() => /Week ([7-9]|[1-9][0-9]) /"
                               ".test(document.querySelector('.cop-week').innerText)")
        page.click(".cop-pause")
        page.wait_for_selector(".cop-step:not([disabled])")
        paused_at = harness.week(page)
        time.sleep(1.5)
        assert harness.week(page) == paused_at, "the run went on after Pause"
        lap("play + pause")

        # change a condition and Reset: the new run has the representative
        harness.toggle(page, "Patient representative")
        page.wait_for_selector(".cop-pending")
        page.click(".cop-reset")
        page.wait_for_function("() => document.querySelector('.cop-week').innerText.startsWith('Week 0')")
        page.wait_for_function("() => /[1-9] patient representative/"
                               ".test(document.querySelector('.cop-population').innerText)")
        page.wait_for_function("() => document.querySelector('.cop-settings').innerText"
                               ".includes('representative: yes')")
        assert not page.query_selector(".cop-pending")
        lap("control + reset")

        # switch scenario: a shorter run with two CoPs
        harness.choose(page, "Scenario", "two_small_cops")
        page.wait_for_function("() => document.querySelector('.cop-week').innerText.includes('of 26')")
        assert "in 2 CoPs" in page.inner_text(".cop-population")
        harness.step(page, 1)
        lap("scenario switch")

        # the comparison view draws both settings
        harness.tab(page, "Compare two settings")
        page.wait_for_selector(".cop-view-compare img")
        compare = harness.image_digest(page, "compare")
        assert compare["width"] > 600 and compare["height"] > 300, compare
        page.screenshot(path=str(results / "demo_browser.png"), full_page=True)
        lap("comparison")

    assert not traffic.blocked, f"the page asked for off-machine resources: {traffic.blocked}"
    assert not traffic.failed, f"requests failed: {traffic.failed}"
    print(f"server up in {server.started_in:.1f} s, page rendered in {load_s:.1f} s, "
          f"whole test {time.monotonic() - t0:.1f} s; phases {laps}")
