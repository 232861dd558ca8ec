"""The notebooks in docs/notebooks/ run from top to bottom, on the quick settings, in this
environment's kernel, and write only into a temporary folder."""

from __future__ import annotations

import json
import math
import os
import re
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "docs" / "notebooks"
NAMES = ["01_first_run.ipynb", "02_sweep_and_report.ipynb", "03_calibration_and_predictions.ipynb"]


def _listing() -> set[str]:
    """What a notebook could leave behind in the checkout: results/ and the notebooks' folder."""
    folders = [d for d in (ROOT / "results", NOTEBOOKS) if d.is_dir()]
    return {str(p.relative_to(ROOT)) for d in folders for p in d.rglob("*")}


def _execute(name: str, tmp_path: Path, monkeypatch) -> tuple[nbformat.NotebookNode, str]:
    """Run a notebook on the quick settings into ``tmp_path``; return it and its text output."""
    monkeypatch.setenv("COP_SIM_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("COP_SIM_NOTEBOOK_OUT", str(tmp_path))
    # the kernel imports this checkout's cop_sim, whatever is installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print('kernel:', sys.executable)"))
    before = _listing()
    NotebookClient(nb, timeout=600, startup_timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()  # raises on a cell's error
    assert _listing() == before, "a notebook wrote into the checkout"
    text = "\n".join(o.get("text", "") or o.get("data", {}).get("text/plain", "")
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    # the kernel is this environment's python (the venv's ipykernel), not one found on PATH
    assert f"kernel: {sys.executable}" in text
    return nb, text


def _images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.get("outputs", []))


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert any("parameters" in c.metadata.get("tags", []) for c in code)


def test_first_run_compares_two_scenarios_under_paired_seeds(tmp_path, monkeypatch):
    nb, text = _execute(NAMES[0], tmp_path, monkeypatch)
    found = re.findall(r"^(\w+): CoP minus no CoP = ([-+\d.]+), 95 % interval \[([-+\d.]+), ([-+\d.]+)\], "
                       r"(\d+) paired seeds \(paired: (\w+)\)$", text, re.MULTILINE)
    assert [f[0] for f in found] == ["care_quality", "belief_error", "goals_met"]
    for _, effect, lo, hi, n, paired in found:
        effect, lo, hi = float(effect), float(lo), float(hi)
        assert all(math.isfinite(x) for x in (effect, lo, hi)) and lo < hi
        assert lo <= effect <= hi and n == "4" and paired == "True"
    assert _images(nb) >= 1  # the comparison's figure
    assert (tmp_path / "moderation_x_patient_participation" / "report.md").is_file()  # the five lines


def test_sweep_and_report(tmp_path, monkeypatch):
    nb, _ = _execute(NAMES[1], tmp_path, monkeypatch)
    results = tmp_path / "moderation_x_patient_participation"
    summary = pd.read_parquet(results / "summary.parquet")
    assert len(summary) == 6 * 2 and summary["error"].isna().all()  # 3 x 2 grid, 2 replications
    report = (results / "report.md").read_text()
    assert "## care_quality" in report and "cop.representative" in report
    assert list((results / "figures").glob("*.png")) and _images(nb) >= 2


def test_calibration_and_predictions_over_its_posterior(tmp_path, monkeypatch):
    _, text = _execute(NAMES[2], tmp_path, monkeypatch)
    post = pd.read_parquet(tmp_path / "brussels_example" / "posterior.parquet")
    assert len(post) == 10 and post["weight"].sum() == pytest.approx(1.0)
    assert list(post.columns[2:]) == ["meeting.engagement_mean", "practice.caseload", "meeting.trust_rate",
                                      "practice.collaboration_rate"]
    assert f"--posterior {tmp_path / 'brussels_example' / 'posterior.parquet'} --draws 100" in text
    predictions = tmp_path / "moderation_x_patient_participation_posterior"
    experiment = json.loads((predictions / "experiment.json").read_text())
    assert len(experiment["experiment"]["draws"]) == 3  # crossed with three posterior draws
    assert len(pd.read_parquet(predictions / "summary.parquet")) == 3 * 6 * 2
    assert (predictions / "report.md").is_file()
