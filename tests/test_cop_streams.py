"""Each CoP draws from its own random streams: a change to one CoP leaves every CoP not tied to it
bit for bit as it was at the same seed (docs/ODD.md, 4.9); learning sessions tie them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cop_sim import models, scenario
from cop_sim.borrow import generator_table, lent_generator
from cop_sim.kernel import njit

ROOT = Path(__file__).resolve().parents[1]
SHORT = ["weeks=16", "burn_in=4", "turnover.annual_rate=0.5"]  # turnover on: its draws are per CoP too
SESSIONS = ["learning_community.enabled=true", "learning_community.calendar.every_weeks=4",
            "learning_community.calendar.start_week=3"]
# one change to the second CoP (cop2) each, through its [[cops]] entry
CHANGES = {
    "size": "members = { gp = 3, nurse = 4, specialist = 1, social_worker = 2, pharmacist = 1, "
            "community_worker = 3 }",
    "meeting frequency": "calendar = { every_weeks = 2, start_week = 1 }",
    "moderator": "moderators = 0",
}


def _run(tmp_path: Path, entry: str | None, extra: list[str]) -> pd.DataFrame:
    """The per-CoP table of the default scenario at seed 11, with cop2's [[cops]] entry ``entry``."""
    text = (ROOT / "scenarios" / "default.toml").read_text()
    if entry is not None:
        text += f"\n[[cops]]\n\n[[cops]]\n{entry}\n"
    path = tmp_path / f"s{abs(hash((entry, tuple(extra))))}.toml"
    path.write_text(text)
    return models.simulate(scenario.load(path, SHORT + extra), 11).meta["per_cop"]


def _cop(table: pd.DataFrame, name: str) -> pd.DataFrame:
    return table[table["cop"] == name].reset_index(drop=True)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("streams")
    return tmp, _run(tmp, None, []), _run(tmp, None, SESSIONS)


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_to_one_cop_leaves_the_untied_cops_bit_for_bit(base, change):
    tmp, plain, _ = base
    changed = _run(tmp, CHANGES[change], [])
    for name in ("cop1", "cop3", "cop4"):
        assert _cop(changed, name).equals(_cop(plain, name)), (change, name)
    assert not _cop(changed, "cop2").equals(_cop(plain, "cop2")), change  # its own series did change


def test_learning_sessions_tie_the_cops_so_the_others_may_change(base):
    tmp, _, sessions = base
    changed = _run(tmp, CHANGES["moderator"], SESSIONS)
    assert not _cop(changed, "cop2").equals(_cop(sessions, "cop2"))
    # delegates of cop2 now tell other stories to the other CoPs at the sessions
    assert not all(_cop(changed, n).equals(_cop(sessions, n)) for n in ("cop1", "cop3", "cop4"))


def test_a_cop_keyed_by_name_keeps_its_draws_when_another_cop_is_added(tmp_path):
    four = _run(tmp_path, None, [])
    five = _run(tmp_path, None, ["n_cops=5"])
    for name in ("cop1", "cop2", "cop3", "cop4"):
        assert _cop(five, name).equals(_cop(four, name)), name


@njit
def _draws(table, row):
    rng = lent_generator(table, row)
    return rng.random(), rng.standard_normal(), rng.integers(0, 1000)


def test_a_kernel_draws_from_a_lent_generator_as_from_the_python_object():
    """Kernels take each CoP's generator as a row of addresses; draws advance the object's own state."""
    gens = [np.random.default_rng(s) for s in (1, 2)]
    same = [np.random.default_rng(s) for s in (1, 2)]
    got = _draws(generator_table(gens), 1)
    assert got == (same[1].random(), same[1].standard_normal(), same[1].integers(0, 1000))
    assert gens[1].random() == same[1].random()  # the Python object went on from there
    assert gens[0].random() == same[0].random()  # the other row's was not touched


def test_two_cops_of_one_name_are_refused(tmp_path):
    """A CoP's name keys its streams and its rows of output, so two CoPs may not share one."""
    path = tmp_path / "twins.toml"
    path.write_text((ROOT / "scenarios" / "default.toml").read_text()
                    + '\n[[cops]]\nname = "north"\n\n[[cops]]\nname = "north"\n')
    with pytest.raises(scenario.InputError, match=r"cops\[1\]\.name.*'north' is also the name of CoP 1"):
        scenario.load(path)
