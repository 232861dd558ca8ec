"""Robustness across the priors, checked on a case whose answer is known (the toy model).

The toy's treatment raises y exactly where ``split`` > 0.5 (its prior is [0, 1]) and five
further parameters do nothing: the pattern must be reported at a share of 0.5 +- 0.15, and
PRIM must restrict only ``split``, its bound within 10 % of 0.5.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cop_sim.cli import main
from cop_sim.validation.discovery import cart_tree, prim_box
from cop_sim.validation.robustness import most_influential

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "experiments" / "toy"


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("robust")
    code = main(["validate", "--robustness", "32", "--quick", "--library", str(TOY), "--out", str(out),
                 "--workers", "2", "--no-progress"])
    return code, out


def test_known_answer_share_and_prim_box(toy_run):
    code, out = toy_run
    assert code == 0
    report = json.loads((out / "robustness_quick.json").read_text())
    (t1,) = report["patterns"]
    assert t1["draws"] == 32 and t1["replications"] == 4 and t1["weeks"] == 26
    assert t1["share"]["holds"] == pytest.approx(0.5, abs=0.15)
    assert sum(t1["share"].values()) == pytest.approx(1.0)
    restricted = t1["prim"]["restricted"]
    assert [r["key"] for r in restricted] == ["split"]
    assert restricted[0]["hi"] is None and restricted[0]["lo"] == pytest.approx(0.5, abs=0.05)
    assert t1["cart"]["splits"] == ["split"]
    top = t1["sensitivity"]["y: treated - untreated"][0]
    assert top["key"] == "split" and top["S1"] > 0.5


def test_knockout_labels_the_toy_built_in(toy_run):
    _, out = toy_run
    (t1,) = json.loads((out / "robustness_quick.json").read_text())["patterns"]
    assert t1["knockouts"] == [{"key": "effect_size", "null": 0.0, "vanishes": True}]
    assert t1["label"] == "verification (built in)"


def test_report_table_and_figure(toy_run):
    _, out = toy_run
    md = (out / "robustness_quick.md").read_text()
    assert "| T1 | cop_sim/toy (constructed) | 32 x 4 | 0.5" in md
    assert "`split`" in md and "decides the sign" in md  # named by dotted key and doc
    assert (out / "robustness_quick_T1.png").stat().st_size > 5_000
    runs = list((out / "robustness" / "quick" / "T1" / "runs").glob("d000*-p00000*-r00*.parquet"))
    assert len(runs) == 32 * 2 * 4


def test_resume_reruns_nothing_and_gives_the_same_report(toy_run, capsys):
    _, out = toy_run
    before = json.loads((out / "robustness_quick.json").read_text())["patterns"][0]
    assert main(["validate", "--robustness", "32", "--quick", "--library", str(TOY), "--out", str(out),
                 "--workers", "1", "--no-progress", "--resume"]) == 0
    after = json.loads((out / "robustness_quick.json").read_text())["patterns"][0]
    assert after["share"] == before["share"] and after["prim"] == before["prim"]
    manifest = json.loads((out / "robustness" / "quick" / "T1" / "manifest.json").read_text())
    assert manifest["this_invocation"]["ran"] == 0
    capsys.readouterr()


def test_shards_then_collect_match_one_run(toy_run, tmp_path, capsys):
    _, out = toy_run
    args = ["validate", "--robustness", "32", "--quick", "--library", str(TOY), "--out", str(tmp_path),
            "--workers", "1", "--no-progress"]
    for i in range(2):
        assert main([*args, "--shard", f"{i}/2"]) == 0
    assert not (tmp_path / "robustness_quick.json").exists()
    assert main([*args, "--collect"]) == 0
    one = json.loads((out / "robustness_quick.json").read_text())["patterns"][0]
    two = json.loads((tmp_path / "robustness_quick.json").read_text())["patterns"][0]
    assert two["share"] == one["share"] and two["prim"] == one["prim"]
    capsys.readouterr()


def test_prim_and_cart_on_a_two_parameter_box():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((400, 4)), columns=["a", "b", "c", "d"])
    y = ((x["a"] < 0.3) & (x["b"] > 0.6)).to_numpy()
    box = prim_box(x, y, {})
    keys = {r["key"]: r for r in box["restricted"]}
    assert set(keys) == {"a", "b"}
    assert keys["a"]["hi"] == pytest.approx(0.3, abs=0.05) and keys["b"]["lo"] == pytest.approx(0.6, abs=0.05)
    assert prim_box(x, np.ones(400, bool), {}) is None
    assert set(cart_tree(x, np.where(y, "holds", "contradicted"))["splits"]) == {"a", "b"}


def _crashing_library(tmp_path: Path, crash_above: float) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir(parents=True)
    text = (TOY / "T1_known_answer.toml").read_text().replace(
        'scenario = "../../scenarios/toy.toml"', f'scenario = "{ROOT / "scenarios" / "toy.toml"}"')
    text = text.replace("[sampler]", f"[set]\ncrash_above = {crash_above}\n\n[sampler]")
    (folder / "T1.toml").write_text(text)
    return folder


def test_failed_runs_are_exit_1_and_still_reported(tmp_path, capsys):
    lib = _crashing_library(tmp_path, 0.75)
    out = tmp_path / "out"
    assert main(["validate", "--robustness", "8", "--quick", "--library", str(lib), "--out", str(out),
                 "--workers", "1", "--no-progress"]) == 1
    (t1,) = json.loads((out / "robustness_quick.json").read_text())["patterns"]
    assert t1["failed_runs"] == 2 * 2 * 4  # the 2 of 8 LHS draws with split > 0.75, both arms, 4 reps
    assert t1["draws"] == 6
    capsys.readouterr()
    # at the defaults (split = 0.5) every run fails: the pattern is reported, not judged
    assert main(["validate", "--quick", "--library", str(_crashing_library(tmp_path / "b", 0.25)),
                 "--out", str(tmp_path / "o2"), "--workers", "1", "--no-progress"]) == 1
    assert "runs failed" in capsys.readouterr().out


def _posterior(path: Path, split: list[float], **extra) -> Path:
    """A posterior with calibration's schema: particle, weight, one column per fitted key."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"particle": np.arange(len(split), dtype=np.int64),
                          "weight": np.full(len(split), 1.0 / len(split)), "split": split, **extra})
    frame.to_parquet(path)
    return path


def test_posterior_draws_fitted_keys_from_particles_the_rest_from_priors(tmp_path, capsys):
    # every particle has split > 0.5, where the toy's effect is positive: the pattern must hold
    # (nearly) everywhere, against about half of the draws on the priors
    post = _posterior(tmp_path / "posterior.parquet", [0.62, 0.7, 0.81, 0.93])
    out = tmp_path / "out"
    assert main(["validate", "--robustness", "24", "--quick", "--library", str(TOY), "--out", str(out),
                 "--workers", "1", "--no-progress", "--posterior", str(post), "--replications", "3"]) == 0
    report = json.loads((out / "robustness_quick_posterior.json").read_text())
    (t1,) = report["patterns"]
    assert report["posterior"] is True and t1["replications"] == 3
    assert t1["draws_from"]["posterior_keys"] == ["split"] and "split" not in t1["draws_from"]["prior_keys"]
    assert t1["share"]["holds"] >= 0.9
    draws = (out / "robustness_quick_posterior_T1_draws.csv").read_text().splitlines()
    col = draws[0].split(",").index("split")
    assert {round(float(r.split(",")[col]), 2) for r in draws[1:]} <= {0.62, 0.7, 0.81, 0.93}
    rates = {float(r.split(",")[draws[0].split(",").index("rate")]) for r in draws[1:]}
    assert len(rates) == 24  # the other keys still vary, one LHS stratum per draw
    md = (out / "robustness_quick_posterior.md").read_text()
    assert "`split` from the posterior" in md and "## Held-out patterns" not in md
    # RBD-FAST needs the LHS: it is computed on the prior keys only
    sens = t1["sensitivity"]["y: treated - untreated"]
    assert {r["key"] for r in sens} == set(t1["draws_from"]["prior_keys"])
    assert len(list((out / "robustness" / "quick-posterior" / "T1" / "runs").glob("*.parquet"))) == 24 * 2 * 3
    capsys.readouterr()


@pytest.mark.parametrize(("extra", "needle"), [
    (["--replications", "1"], "--replications: got 1; allowed: an integer >= 2"),
    (["--posterior", "nowhere.parquet"], "nowhere.parquet: not a file"),
])
def test_bad_replications_or_posterior_is_exit_2(tmp_path, capsys, extra, needle):
    assert main(["validate", "--robustness", "4", "--quick", "--library", str(TOY), "--out", str(tmp_path),
                 "--no-progress", *extra]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_posterior_with_an_unknown_key_or_without_robustness_is_exit_2(tmp_path, capsys):
    post = _posterior(tmp_path / "p.parquet", [0.7, 0.8], nonsense=[1.0, 2.0])
    assert main(["validate", "--robustness", "4", "--quick", "--library", str(TOY),
                 "--out", str(tmp_path / "o"), "--no-progress", "--posterior", str(post)]) == 2
    assert "nonsense" in capsys.readouterr().err
    assert main(["validate", "--quick", "--library", str(TOY), "--posterior", str(post)]) == 2
    assert "only with --robustness" in capsys.readouterr().err


@pytest.mark.full
def test_full_run_adds_sobol_indices(tmp_path, capsys):
    assert main(["validate", "--robustness", "16", "--library", str(TOY), "--out", str(tmp_path),
                 "--workers", "2", "--no-progress"]) == 0
    (t1,) = json.loads((tmp_path / "robustness.json").read_text())["patterns"]
    by_key = {s["key"]: s for s in t1["sobol"]}
    assert by_key["split"]["S1"] > 0.8
    assert all(s["ST"] < 0.05 for k, s in by_key.items() if k != "split")
    capsys.readouterr()


@pytest.mark.full
def test_full_run_in_shards_takes_two_passes_and_matches_one_process(tmp_path, capsys):
    args = ["validate", "--robustness", "8", "--replications", "2", "--library", str(TOY), "--workers", "1",
            "--no-progress"]
    assert main([*args, "--out", str(tmp_path / "one")]) == 0
    sharded = [*args, "--out", str(tmp_path / "sh")]
    for i in range(2):
        assert main([*sharded, "--shard", f"{i}/2"]) == 0
    assert main([*sharded, "--collect"]) == 2  # shard 0 ran before the Sobol sample existed
    assert "second pass" in capsys.readouterr().err
    for i in range(2):
        assert main([*sharded, "--shard", f"{i}/2", "--resume"]) == 0
    assert main([*sharded, "--collect"]) == 0
    one, two = (json.loads((tmp_path / f / "robustness.json").read_text())["patterns"][0]
                for f in ("one", "sh"))
    assert two["sobol"] == one["sobol"] and two["share"] == one["share"] and len(one["sobol"]) > 0
    capsys.readouterr()


def test_sobol_keys_rank_by_the_largest_index_over_checks():
    import numpy as np
    import pandas as pd

    first = pd.DataFrame({"key": ["a", "b", "c", "d"], "S1": [0.5, 0.3, 0.02, np.nan]})
    second = pd.DataFrame({"key": ["d", "a", "b", "c"], "S1": [0.4, 0.1, 0.0, -0.1]})
    # "d" drives only the second check: it must not be crowded out by the first check's tail
    assert most_influential({"x": first, "y": second}, top=3) == ["a", "d", "b"]


def test_a_knockout_vanishes_only_when_every_interval_contains_zero():
    import pandas as pd

    from cop_sim.validation.robustness import _vanished

    zero = pd.DataFrame({"effect": [0.0, -0.0007], "lo": [float("nan"), -0.002], "hi": [float("nan"), 0.0005],
                         "threshold": [0.02, 0.02]})  # the first draw's arms are identical: no interval
    small = pd.DataFrame({"effect": [0.0045, -0.0007], "lo": [0.003, -0.002], "hi": [0.006, 0.0005],
                          "threshold": [0.02, 0.02]})
    assert _vanished(zero)
    assert not _vanished(small)  # below the threshold at one draw, but not gone: not verification
