"""Drive the demo in headless Chromium (Playwright): for the browser test and the lesson screenshots.

Uses Debian's ``/usr/bin/chromium`` (``scripts/setup_demo.sh`` installs it), since Playwright's
own browser download cannot reach its server on these machines. Every request that leaves
localhost is blocked and recorded, so a page that needs a CDN fails instead of quietly working.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("COP_SIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
# Generous limits: the browser test must fail for a defect, not for a busy machine (a Step took
# 12-18 s at a load of 15-33 on two cores before the views were kept from week to week).
TIMEOUT_MS = 180_000
LOCAL = re.compile(r"^(https?|wss?)://(localhost|127\.0\.0\.1)(:\d+)?/|^(data|blob|about):")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cop_sim_command() -> list[str]:
    """The ``cop-sim`` entry point of this environment."""
    script = Path(sys.executable).with_name("cop-sim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cop_sim"]


@dataclass
class DemoServer:
    """A ``cop-sim demo`` subprocess on a free port."""

    url: str
    process: subprocess.Popen
    log: Path
    started_in: float = 0.0

    def output(self) -> str:
        """What the server printed so far (for failure messages)."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def demo_server(args: list[str] | None = None, env: dict[str, str] | None = None,
                log: Path | None = None, timeout: float = TIMEOUT_MS / 1000) -> Iterator[DemoServer]:
    """Start ``cop-sim demo`` and wait until it answers; stop it afterwards.

    Raises:
        RuntimeError: The server exited or did not answer within ``timeout`` seconds.
    """
    port = free_port()
    log = log or Path(os.environ.get("TMPDIR", "/tmp")) / f"cop-sim-demo-{port}.log"
    t0 = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([*cop_sim_command(), "demo", *(args or []), "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    server = DemoServer(f"http://localhost:{port}/", proc, log)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"cop-sim demo exited ({proc.returncode}):\n{server.output()}")
            try:
                with urllib.request.urlopen(server.url, timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"cop-sim demo did not answer in {timeout:.0f} s:\n{server.output()}")
            time.sleep(0.3)
        server.started_in = time.monotonic() - t0
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Traffic:
    """Requests the page made that were blocked (off localhost) or failed (local, status >= 400)."""

    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


@contextmanager
def browser_page(width: int = 1600, height: int = 1200) -> Iterator[tuple[Any, Traffic]]:
    """A headless Chromium page that may only talk to localhost.

    Raises:
        RuntimeError: Chromium is not installed.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} not found: run bash scripts/setup_demo.sh")
    traffic = Traffic()

    def route(r: Any) -> None:
        if LOCAL.match(r.request.url):
            r.continue_()
        else:
            traffic.blocked.append(r.request.url)
            r.abort()

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = chromium.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(TIMEOUT_MS)
            page.route("**/*", route)
            page.on("response", lambda resp: traffic.failed.append(f"{resp.status} {resp.url}")
                    if resp.status >= 400 else None)
            yield page, traffic
        finally:
            chromium.close()


# --- actions on the demo page -------------------------------------------------------------

def wait_ready(page: Any, timeout_ms: int = TIMEOUT_MS) -> None:
    """Wait until the run card and the learning curves are on the page."""
    page.wait_for_selector(".cop-week", timeout=timeout_ms)
    page.wait_for_function("() => { const i = document.querySelector('.cop-view-learning img');"
                           " return i && i.complete && i.naturalWidth > 100; }", timeout=timeout_ms)


def week(page: Any) -> int:
    """The week the run card shows."""
    return int(re.search(r"Week (\d+)", page.inner_text(".cop-week")).group(1))


def step(page: Any, times: int = 1, timeout_ms: int = TIMEOUT_MS) -> int:
    """Press Step, each time waiting until the week shown moves on; returns the last week.

    A click waits until the button is enabled again (it is disabled while a Step is under way).
    """
    for _ in range(times):
        before = week(page)
        page.click(".cop-step")
        page.wait_for_function("(n) => !document.querySelector('.cop-week').innerText"
                               ".includes('Week ' + n + ' ')", arg=before, timeout=timeout_ms)
    return week(page)


def image_digest(page: Any, view: str) -> dict:
    """Size and a content checksum of the image of a view (``network``, ``learning``, ...)."""
    return page.evaluate("""async (sel) => {
        const img = document.querySelector(sel);
        if (!img) return null;
        const box = img.getBoundingClientRect();
        const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let h = 0;
        for (let i = 0; i < buf.length; i++) h = (h * 31 + buf[i]) >>> 0;
        return {src: img.src, width: box.width, height: box.height, bytes: buf.length, hash: h};
    }""", f".cop-view-{view} img")


def wait_image_changed(page: Any, view: str, old: dict, timeout_ms: int = TIMEOUT_MS) -> dict:
    """Wait until a view shows a different image than ``old``; returns the new digest."""
    page.wait_for_function("(args) => { const i = document.querySelector(args[0]);"
                           " return i && i.src !== args[1] && i.complete && i.naturalWidth > 0; }",
                           arg=[f".cop-view-{view} img", old["src"]], timeout=timeout_ms)
    return image_digest(page, view)


def watch_busy(page: Any) -> None:
    """From now on, note whether the Step button ever shows its busy state (see :func:`busy_seen`)."""
    page.evaluate("""() => {
        window.copBusySeen = false;
        const check = () => { if (document.querySelector('.cop-step.cop-busy')) window.copBusySeen = true; };
        new MutationObserver(check).observe(document.body,
                                            {subtree: true, childList: true, attributes: true});
    }""")


def busy_seen(page: Any) -> bool:
    """Whether the Step button showed its busy state since :func:`watch_busy`."""
    return bool(page.evaluate("() => window.copBusySeen"))


def click_step_at_once(page: Any, times: int) -> None:
    """Click Step ``times`` times with the mouse, back to back, as an impatient user would.

    Mouse clicks at the button's place, not ``page.click``: that waits until the button is
    enabled, and a script's ``element.click()`` does not reach the server as a user's does.
    """
    box = page.locator(".cop-step").bounding_box()
    for _ in range(times):
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def toggle(page: Any, label: str) -> None:
    """Flip the switch with this label."""
    page.locator(".v-input--switch", has_text=label).locator("input").click(force=True)


def choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the drop-down list labelled ``label``."""
    page.locator(".v-select", has=page.locator("label", has_text=label)).first.click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()


def tab(page: Any, name: str) -> None:
    """Open one of the main tabs by its title."""
    page.locator(".v-tab", has_text=name).first.click()
