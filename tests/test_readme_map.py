"""The README leads, and every section of the 0.2.0 README is accounted for in docs/readme_map.md.

The map's links are checked by the strict documentation build (tests/test_docs_build.py); here,
that no heading of the old README is missing from it, and that the README keeps its shape.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MAP = ROOT / "docs" / "readme_map.md"
OLD = "fc7df46"  # the 0.2.0 README the map accounts for
ORDER = ("Two commands", "Your first scenario", "Your first comparison", "What the outputs mean",
         "Your first experiment", "Calibrate to your data",
         "Hold it to published evaluations", "The demo", "Where to read more")


def headings(markdown: str) -> list[str]:
    """ATX headings outside fenced blocks (a `# comment` in a shell block is not one)."""
    out, fence = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (m := re.match(r"^#{1,6} (.+?)\s*(\{#[\w-]+\})?$", line)):
            out.append(m.group(1))
    return out


def fenced(markdown: str, lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", markdown, re.S | re.M)


def test_every_heading_of_the_old_readme_is_in_the_map():
    old = subprocess.run(["git", "show", f"{OLD}:README.md"], cwd=ROOT, capture_output=True, text=True)
    if old.returncode != 0:
        pytest.skip(f"commit {OLD} is not in this clone (shallow?): {old.stderr.strip()}")
    rows = {}
    for line in MAP.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2:
            rows[cells[0]] = cells[1]
    old_headings = headings(old.stdout)
    assert len(old_headings) == 21  # the 0.2.0 README's sections, code comments excluded
    missing = [h for h in old_headings if h not in rows]
    assert not missing, f"docs/readme_map.md lacks these 0.2.0 README sections: {missing}"
    unlinked = [h for h in old_headings if not re.search(r"\]\([^)]+\.md(#[\w-]+)?\)", rows[h])]
    assert not unlinked, f"these sections have no link to where they now live: {unlinked}"


def test_readme_leads_in_at_most_250_lines_in_the_order_a_newcomer_needs():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    sections = [h for h in headings(text) if h != "cop_sim"]
    assert sections == list(ORDER)
    assert "../shared" not in text, "the README points outside the repository"


def test_readme_shows_the_shipped_files_as_they_are():
    # the first scenario and the first experiment are printed in full and must be the files run
    text = README.read_text(encoding="utf-8")
    shown = fenced(text, "toml")
    for path in ("scenarios/first_scenario.toml", "experiments/first_experiment.toml"):
        assert (ROOT / path).read_text(encoding="utf-8") in shown, f"the README's copy of {path} differs"


def test_first_scenario_aims_its_event_at_one_cop():
    from cop_sim import scenario
    from cop_sim.cop.model import CopModel

    resolved = scenario.load(ROOT / "scenarios" / "first_scenario.toml")
    model = CopModel(resolved, resolved["seed"])
    start = [dict(c) for c in model.cops]
    assert [c["representative"] for c in start] == [True, False]
    model.run_to_horizon()
    changed = {c["name"]: {k for k in c if c[k] != s[k]} for c, s in zip(model.cops, start, strict=True)}
    assert changed == {"north": set(), "south": {"moderators"}}
    assert model.cp.skill[1] == 0.0 < model.cp.skill[0]  # no moderator, no facilitation


def test_readme_links_resolve_inside_the_repository():
    # the strict docs build checks the site's links; the README is outside it, so check it here
    from markdown.extensions.toc import slugify

    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", README.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+://", target):
            continue
        path, _, anchor = target.partition("#")
        file = (ROOT / path).resolve()
        found = file.is_relative_to(ROOT) and file.exists()
        if found and anchor:
            found = anchor in {slugify(h, "-") for h in headings(file.read_text(encoding="utf-8"))}
        if not found:
            broken.append(target)
    assert not broken, f"README links that lead nowhere: {broken}"
