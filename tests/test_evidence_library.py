"""The evidence library: well-formed files, labels as the issue set them, frozen after first commit."""

from __future__ import annotations

import subprocess

import pytest

from cop_sim.evaluation import library as lib
from cop_sim.params import InputError

FILES = lib.library()


def test_library_has_the_published_results_with_their_labels():
    uses = {e.id: e.use for e in FILES}
    for name in ("evidencenow_aspirin", "evidencenow_blood_pressure", "evidencenow_cholesterol",
                 "evidencenow_smoking", "evidencenow_did", "hhnw_aspirin", "hhnw_blood_pressure",
                 "hhnw_smoking", "evidencenow_ascvd_risk"):
        assert uses[name] == "calibration"
    for name in ("schonlau2005_adult_asthma", "mangione_smith2005_paediatric_asthma",
                 "asch2005_heart_failure", "wells2018_share_improved", "homer2005_paediatric_asthma_rct"):
        assert uses[name] == "held_out"
    assert len({e.id for e in FILES}) == len(FILES)
    assert all(e.path.stem == e.id for e in FILES)


def test_published_numbers_as_in_the_sources():
    by_id = {e.id: e.data["result"] for e in FILES}
    assert (by_id["evidencenow_aspirin"]["value"], by_id["evidencenow_aspirin"]["lo"],
            by_id["evidencenow_aspirin"]["hi"]) == (3.39, 0.61, 6.17)
    assert by_id["evidencenow_smoking"]["value"] == 7.33
    assert by_id["evidencenow_ascvd_risk"]["value"] == -0.79
    assert by_id["schonlau2005_adult_asthma"]["value"] == 9.0


def test_every_verdict_rule_is_stated_with_its_limits():
    for e in FILES:
        verdict = e.data["verdict"]
        if verdict["rule"] == "common":
            assert 0.5 < verdict["predictive_level"] < 1 and verdict["max_width"] > 0, e.id
        else:
            assert verdict["rule"] == "probability", e.id
            assert verdict["reproduced_if_p_at_most"] < verdict["not_reproduced_if_p_at_least"], e.id


def _shallow() -> bool:
    try:
        out = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=lib.LIBRARY,
                             capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return True
    return out == "true"


@pytest.mark.parametrize("evidence", FILES, ids=[e.id for e in FILES])
def test_frozen_sections_equal_the_first_commit(evidence):
    if _shallow():
        pytest.skip("needs the git history (a shallow or missing one cannot show first commits)")
    commit = lib.first_commit(evidence.path)
    assert commit is not None, f"{evidence.path.name} is not committed: commit it before any model result"
    first = lib.frozen_part(lib.at_commit(evidence.path, commit))
    assert lib.frozen_part(evidence.data) == first, (
        f"{evidence.path.name}: its numbers, labels or verdict rule differ from its first commit {commit}")


def test_a_broken_evidence_file_is_one_line(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text('id = "x"\ntitle = "t"\nuse = "training"\n')
    with pytest.raises(InputError, match="allowed: calibration, held_out"):
        lib.read(bad)
    with pytest.raises(InputError, match="not a file"):
        lib.read(tmp_path)
