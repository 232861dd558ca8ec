"""The documentation site builds strict: a broken link, anchor, include or docstring fails it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2, not ours to fix


def mkdocs_build(config: Path, site: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config),
                           "--site-dir", str(site)], cwd=config.parent, capture_output=True, text=True,
                          env=ENV, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = mkdocs_build(ROOT / "mkdocs.yml", out)
    warnings = "\n".join(line for line in done.stderr.splitlines() if "WARNING" in line or "ERROR" in line)
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{warnings or done.stderr[-4000:]}"
    return out


def test_site_builds_strict_with_every_page(site):
    nav_pages = ["user-guide/calibration-data", "ODD", "validation/robustness", "teaching",
                 "architecture", "speed", "migration", "api/model", "readme_map"]
    missing = [p for p in nav_pages if not (site / p / "index.html").is_file()]
    assert not missing, f"pages not built: {missing}"


def test_includes_have_one_source(site):
    # the changelog page is CHANGELOG.md, and the scenario guide shows the scenario file itself
    changelog = (site / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Keep a Changelog" in changelog and "Unreleased" in changelog
    guide = (site / "user-guide" / "scenarios" / "index.html").read_text(encoding="utf-8")
    assert "moderator leaves in week 26" in guide


def test_api_reference_is_rendered_from_docstrings(site):
    from cop_sim import scenario

    page = (site / "api" / "scenario" / "index.html").read_text(encoding="utf-8")
    summary = scenario.load.__doc__.split("(")[0].strip()  # the first words of its docstring
    assert "cop_sim.scenario.load" in page and summary in page


def test_a_broken_anchor_fails_the_build(tmp_path):
    # the project's link checks, on a two-page site: a link to a missing anchor must fail strict
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\n[there](other.md#nowhere)\n")
    (tmp_path / "docs" / "other.md").write_text("# Other\n")
    small = {"site_name": "t", "docs_dir": "docs", "validation": config["validation"]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(small))
    done = mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert done.returncode != 0 and "does not contain an anchor '#nowhere'" in done.stderr
