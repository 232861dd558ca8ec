"""Issue 22, the rule behind the defects, as two properties (hypothesis).

1. Every value the validation accepts, the model runs. Scenarios are drawn from the CoP model's spec
   (:data:`cop_sim.cop.spec.SPEC`): each key's strategy is made from its :class:`Param` (type,
   documented minimum and maximum, choices), both ends always among the draws, and the documented
   cross-key rules (``composition.check_common``, ``world.spec.check_world``, ``teams.check``, the
   repository rule, ``[[events]]``) are respected by construction. So validation must accept every
   draw (a refusal fails the test, as does any exception) and the run must keep the invariants.
2. Every input surface gets the same fuzz: scenario, experiment and calibration files (and its data)
   and the CLI's options, mutated into garbage. Every outcome is exit 0, or one line on stderr with
   exit 2 (1 for I/O), and never a traceback.

In CI sizes are capped (CAPS) so a draw takes well under a second; ``-m full`` draws the full ranges
(FULL_CAPS keeps only what would not fit in memory).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from cop_sim import memory, models, scenario
from cop_sim.cli import main
from cop_sim.cop import events
from cop_sim.cop.package import APPLIES
from cop_sim.cop.spec import COP_SPEC, SPEC
from cop_sim.cop.world.spec import MAX_ACTIVE_RUGGED, topic_names
from cop_sim.params import InputError, Param, flatten, set_dotted
from cop_sim.result import RunResult
from cop_sim.vocab import DISCIPLINES

ROOT = Path(__file__).resolve().parents[1]
LEAVES: dict[str, Param] = flatten(SPEC)
COP_LEAVES: dict[str, Param] = flatten(COP_SPEC)

# CI: a draw of at most 3 CoPs of up to 12 members with 6 patients each, 6 topics, 16 contexts
CAPS = {"n_cops": 3, "members": 2, "patients.per_practitioner": 6, "world.n_topics": 6,
        "world.n_conditions": 6, "world.n_contexts": 16, "burn_in": 26, "learning_community.teams": 3,
        "cops": 3, "events": 6}
# -m full: every documented range, but for the number of CoPs (a draw of 100,000 CoPs with 200
# patients per practitioner needs more memory than a test machine has)
FULL_CAPS = {"n_cops": 12, "members": 8, "learning_community.teams": 12, "cops": 12, "events": 40}
HORIZON = 4  # the run's weeks (``--weeks``); keys tied to the horizon are drawn inside it
NAME = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=16)


def bounds(key: str, p: Param, h: int = HORIZON, caps: dict | None = None) -> tuple[float, float]:
    """The range a number is drawn from: the documented one, but inside the horizon or a CI cap."""
    caps = CAPS if caps is None else caps
    if key.endswith("start_week") or key == "learning_community.symposium_week":
        return p.lo, min(p.hi, h - 1)  # inside the horizon (check_common)
    return p.lo, p.hi if key not in caps else min(p.hi, caps[key])


def _number(lo: float, hi: float, p: Param) -> st.SearchStrategy:
    """Both ends, and anything between."""
    if p.type is int:
        return st.sampled_from([int(lo), int(hi)]) | st.integers(int(lo), int(hi))
    return st.sampled_from([float(lo), float(hi)]) | st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _members(caps: dict) -> st.SearchStrategy:
    most = caps.get("members", 64)
    return st.dictionaries(st.sampled_from(DISCIPLINES), st.sampled_from([0, most]) | st.integers(0, most),
                           max_size=len(DISCIPLINES))


def _weeks_list(h: int) -> st.SearchStrategy:
    return st.lists(st.integers(0, h - 1), max_size=4)


def _engagement() -> st.SearchStrategy:
    ends = st.sampled_from([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.6, 0.3, 0.1]])
    drawn = st.tuples(*[st.floats(0.0, 1.0, allow_nan=False)] * 3).filter(lambda x: sum(x) > 0.01)
    return ends | drawn.map(lambda x: [v / sum(x) for v in x]).filter(lambda x: abs(sum(x) - 1) < 1e-9)


def _special(key: str, h: int, caps: dict) -> st.SearchStrategy | None:
    """Strategies of the keys whose type is not a number, a boolean or a choice."""
    tail = key.rsplit(".", 1)[-1]
    if key == "name":
        return NAME
    if key in ("description", "change_package.name"):
        return st.text(st.characters(exclude_categories=("Cs",)), max_size=30)  # TOML holds no surrogates
    if key.endswith("cop.name") or key == "name@cop":
        return st.just("") | NAME
    if tail == "members":
        return _members(caps)
    if key.endswith("calendar.weeks"):
        return _weeks_list(h)
    if key == "patients.engagement":
        return _engagement()
    if key == "team.owners":  # topic roles (valid in every world) -> disciplines in order of preference
        return st.dictionaries(st.sampled_from(("condition", "always", "social")),
                               st.lists(st.sampled_from(DISCIPLINES), min_size=1, max_size=3, unique=True),
                               max_size=3)
    if key in ("cops", "events", "change_package.targets"):  # drawn with the rest of the draw
        return st.just([])
    return None


_MADE: dict = {}  # strategies by (key, horizon, caps): building one costs more than drawing from it


def strategy(key: str, p: Param, h: int = HORIZON, caps: dict | None = None) -> st.SearchStrategy:
    """The strategy of one spec key; a key no rule covers raises LookupError (and fails a test)."""
    caps = CAPS if caps is None else caps
    memo = (key, h, tuple(sorted(caps.items())))
    if memo not in _MADE:
        _MADE[memo] = _make(key, p, h, caps)
    return _MADE[memo]


def _make(key: str, p: Param, h: int, caps: dict) -> st.SearchStrategy:
    special = _special(key, h, caps)
    if special is not None:
        return special
    if key == "model":
        return st.just("cop")  # the other models have their own specs (not the CoP model's)
    if p.choices:
        return st.sampled_from(p.choices)
    if p.type is bool:
        return st.booleans()
    if p.type in (int, float) and p.lo is not None and p.hi is not None:
        return _number(*bounds(key, p, h, caps), p)
    raise LookupError(f"no strategy for spec key {key!r} ({p.allowed()})")


def test_every_spec_key_has_a_strategy_with_both_documented_ends():
    tied = ("cop.calendar.start_week", "learning_community.calendar.start_week",
            "learning_community.symposium_week")  # drawn inside the horizon: a documented rule
    for key, p in LEAVES.items():
        assert isinstance(strategy(key, p, caps=FULL_CAPS), st.SearchStrategy)
        if p.type in (int, float) and key not in tied and key not in FULL_CAPS:
            assert bounds(key, p, caps=FULL_CAPS) == (p.lo, p.hi), key  # both ends drawn under -m full
    assert {k for k in LEAVES if k in FULL_CAPS} == {"n_cops", "learning_community.teams", "cops", "events"}
    with pytest.raises(LookupError):
        strategy("x", Param([], "a list no rule covers", kind=list))


def _size(members: dict) -> int:
    return sum(members.values())


@st.composite
def scenarios(draw, caps: dict) -> tuple[dict, int]:
    """A raw scenario (nested dict) within the spec and its cross-key rules, and the horizon."""
    h = draw(st.integers(1, HORIZON))
    raw: dict = {}
    for key, p in LEAVES.items():
        set_dotted(raw, key, draw(strategy(key, p, h, caps)))
    # patients and world (check_common, check_world)
    pat, world = raw["patients"], raw["world"]
    pat["min_conditions"], pat["max_conditions"] = sorted((pat["min_conditions"], pat["max_conditions"]))
    top = caps.get("world.n_topics", 64)
    if world["patient_context"]:
        world["n_conditions"] = max(world["n_conditions"], pat["max_conditions"])
        nc = world["n_conditions"]
        world["n_topics"] = min(max(world["n_topics"], nc), max(top, nc))
    else:
        world["n_conditions"] = min(world["n_conditions"], world["n_topics"])
    if world["K"] > 0:
        if world["patient_context"]:
            nc = world["n_conditions"]
            most = nc + MAX_ACTIVE_RUGGED - min(pat["max_conditions"], nc)
        else:
            most = MAX_ACTIVE_RUGGED
        world["n_topics"] = min(world["n_topics"], most)
        world["n_conditions"] = min(world["n_conditions"], world["n_topics"])
    world["K"] = min(world["K"], world["n_topics"] - 1)
    # a change package on some of the world's topics (one target a topic); an audit of it needs one
    names = topic_names(world["n_topics"], world["n_conditions"])
    on = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
    raw["change_package"]["targets"] = [
        {"topic": t, "practice": draw(st.integers(0, world["n_practices"] - 1)),
         "applies": draw(st.sampled_from(list(APPLIES)))} for t in on]
    if raw["audit"]["measure"] == "target_adherence" and not on:
        raw["audit"]["measure"] = "optimal_practice_share"
    # CoPs: [[cops]] entries, at least one practitioner, moderators within every CoP's size
    raw["cops"] = draw(st.lists(_cop_entry(h, caps), max_size=caps.get("cops", 4)))
    n = max(raw["n_cops"], len(raw["cops"]))
    sizes = [_size(e.get("members", raw["cop"]["members"])) for e in raw["cops"]]
    sizes += [_size(raw["cop"]["members"])] * (n - len(raw["cops"]))
    if n == 0 or sum(sizes) == 0:  # at least one practitioner (check_common)
        raw["cop"]["members"]["gp"] = max(1, raw["cop"]["members"].get("gp", 0))
        raw["n_cops"], raw["cops"] = max(raw["n_cops"], 1), []
        n = raw["n_cops"]
    sizes = [_size(e.get("members", raw["cop"]["members"])) for e in raw["cops"]]
    sizes += [_size(raw["cop"]["members"])] * (n - len(raw["cops"]))
    smallest = min(sizes)
    raw["events"] = draw(st.lists(_event(h, caps, raw), max_size=caps.get("events", 6)))
    stepwise = raw["repository"]["socialisation"] == "stepwise" or any(
        ev["set"].get("repository.socialisation") == "stepwise" for ev in raw["events"])
    _clamp(raw, smallest, n, stepwise, "")
    for entry in raw["cops"]:
        _clamp(entry, min(smallest, _size(entry.get("members", raw["cop"]["members"]))), n, stepwise, "")
    for ev in raw["events"]:
        for entry in ev["set"].get("cops", []):
            _clamp(entry, smallest, n, stepwise, "")
        _clamp(ev["set"], smallest, n, stepwise, ".")
    body_entries = raw["cops"]
    for ev in raw["events"]:  # an event's [[cops]] keeps every CoP and its members
        if "cops" in ev["set"]:
            new = ev["set"]["cops"][:n]
            if len(new) < len(body_entries):  # the body's entries carry members: restate them
                new = new + [{} for _ in body_entries[len(new):]]
            for i, entry in enumerate(new):
                entry.pop("members", None)
                if i < len(body_entries) and "members" in body_entries[i]:
                    entry["members"] = body_entries[i]["members"]
            ev["set"]["cops"] = new
    if n > 1:  # a template name shared by several CoPs would name them alike
        raw["cop"]["name"] = ""
    _unique_names(raw["cops"])
    for ev in raw["events"]:
        if n > 1 and "cop.name" in ev["set"]:
            ev["set"]["cop.name"] = ""
        _unique_names(ev["set"].get("cops", []))
    for ev in raw["events"]:  # half of them in the nested form, which means the same
        if draw(st.booleans()):
            nested: dict = {}
            for k, v in ev["set"].items():
                set_dotted(nested, k, v)
            ev["set"] = nested
    return raw, h


def _unique_names(entries: list[dict]) -> None:
    """Give named [[cops]] entries distinct names that no unnamed CoP's ``cop{i}`` can take.

    A CoP's name keys its random streams, so two CoPs may not share one (a documented rule); the
    caller blanks a template name that several CoPs would share.
    """
    for i, entry in enumerate(entries):
        if entry.get("name"):
            entry["name"] = f"n{i}_{entry['name']}"


def _clamp(table: dict, smallest: int, n: int, stepwise: bool, sep: str) -> None:
    """Moderators within the smallest CoP, teams within the CoPs, a stepwise repository's use <= 1."""
    limits = (("moderators", smallest), ("cop.moderators", smallest), ("learning_community.teams", max(n, 1)),
              ("repository.use", 1.0 if stepwise else None))
    for key, limit in limits:
        parts = key.split(".") if not sep else [key]
        node = table
        for p in parts[:-1]:
            node = node.get(p, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict) and parts[-1] in node and limit is not None and node[parts[-1]] > limit:
            node[parts[-1]] = type(node[parts[-1]])(limit)


@st.composite
def _cop_entry(draw, h: int, caps: dict) -> dict:
    keys = draw(st.lists(st.sampled_from(sorted(COP_LEAVES)), max_size=4, unique=True))
    entry: dict = {}
    for k in keys:
        set_dotted(entry, k, draw(strategy(f"cop.{k}", COP_LEAVES[k], h, caps)))
    return entry


FREE = [k for k in LEAVES if events._fixed(k) is None]  # what an event may set


@st.composite
def _event(draw, h: int, caps: dict, raw: dict) -> dict:
    keys = draw(st.lists(st.sampled_from(FREE), min_size=1, max_size=3, unique=True))
    settings = {}
    for k in keys:
        if k == "cops":
            settings[k] = draw(st.lists(_cop_entry(h, caps), max_size=caps.get("cops", 4)))
        else:
            settings[k] = draw(strategy(k, LEAVES[k], h, caps))
    return {"week": draw(st.integers(0, h - 1)), "set": settings}


def _string(text: str) -> str:
    """A TOML basic string (JSON's escapes would split a character beyond U+FFFF in two)."""
    body = "".join("\\" + c if c in '"\\' else f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c
                   for c in text)
    return f'"{body}"'


def toml(value, key: str = "") -> str:
    """A TOML document of a nested dict (every value inline)."""
    if key == "":
        return "".join(f"{_string(k)} = {toml(v, k)}\n" for k, v in value.items())
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "inf" if value == math.inf else "-inf" if value == -math.inf else "nan" if value != value \
            else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml(v, "x") for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_string(k)} = {toml(v, 'x')}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def _check_invariants(res: RunResult, n_cops: int, h: int) -> None:
    ts = res.timeseries
    assert 1 <= len(ts) <= h + 1  # March's closed system may stop at its equilibrium
    rest = ts.iloc[1:]
    # care quality is value over the best achievable: <= 1, below 0 when burden outweighs (docs/world.md)
    assert (rest["care_quality"].dropna() <= 1 + 1e-9).all()
    for col in ("health", "goal_attainment", "goals_met", "patient_included_share",
                "consultation_share", "attendance", "shared_vision", "consensus", "trust_density",
                "inclusion_habit"):
        x = rest[col].dropna()
        assert ((x >= -1e-12) & (x <= 1 + 1e-12)).all(), col
    assert (rest["belief_error"].dropna() >= 0).all()
    shares = rest[["consultation_share", "coordination_share", "collaboration_share"]].dropna().sum(axis=1)
    assert np.allclose(shares, 1.0)
    assert not np.isinf(ts.select_dtypes("number").to_numpy()).any()
    assert all(not (isinstance(v, float) and math.isinf(v)) for v in res.summary.values())
    assert len(res.meta["per_cop"]) == n_cops * len(ts)  # a row per CoP and week (names may repeat)


def _run_draw(draw: tuple[dict, int], tmp: Path) -> None:
    raw, h = draw
    note(f"horizon {h}; scenario:\n{toml(raw)}")
    f = tmp / "draw.toml"
    f.write_text(toml(raw))
    try:  # what ``cop-sim run FILE --weeks h`` does before it writes the results
        resolved = scenario.load(f, options={"weeks": h})
        memory.check(resolved, str(f), 1, None)
    except InputError as exc:
        pytest.fail(f"validation refused a draw within the documented rules: {exc}")
    n = max(resolved["n_cops"], len(resolved["cops"]))
    try:
        with warnings.catch_warnings():  # NaN from 0/0 in the model is a defect, not an outcome
            warnings.filterwarnings("error", "invalid value", RuntimeWarning)
            res = models.simulate(resolved, resolved["seed"] % 1000)
    except InputError as exc:  # the one documented refusal that depends on the seed's world
        assert exc.key == "world.burden_weight" and "best achievable value is not positive" in exc.message
        note(f"refused by the documented world rule: {exc}")
        return
    _check_invariants(res, n, h)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(draw=scenarios(CAPS))
def test_every_value_the_validation_accepts_the_model_runs(draw, tmp_path_factory):
    _run_draw(draw, tmp_path_factory.mktemp("p"))


@pytest.mark.full
@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(draw=scenarios(FULL_CAPS))
def test_every_value_the_validation_accepts_the_model_runs_full_ranges(draw, tmp_path_factory):
    _run_draw(draw, tmp_path_factory.mktemp("p"))


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(draw=scenarios(CAPS))
def test_a_few_draws_through_the_real_cli(draw, tmp_path_factory):
    raw, h = draw
    tmp = tmp_path_factory.mktemp("cli")
    f = tmp / "d.toml"
    f.write_text(toml(raw))
    note(toml(raw))
    code, err = _outcome(["run", str(f), "--weeks", str(h), "--out", str(tmp / "o")])
    if code == 2 and "world.burden_weight" in err:  # the documented refusal of a seed's world
        return
    assert code == 0, err


# ----- 2. every input surface gets the same fuzz ------------------------------------------------

INT64 = 2**63 - 1
CHARS = st.characters(exclude_categories=("Cs",))  # a TOML file holds no lone surrogates


def _nest(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


GARBAGE = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, -1, 0, INT64, -INT64 - 1, True, "", "x",
                     "/proc/x", "../../escape", "a/b", "\u0000", " " * 3, [], {}, [[]], [{}], {"a": {}},
                     "0" * 10_000]),
    st.integers(-INT64 - 1, INT64), st.floats(), st.text(CHARS, max_size=8),
    st.lists(st.integers(-3, 3) | st.floats() | st.text(CHARS, max_size=2), max_size=3),
    st.dictionaries(st.text("abcxyz._", min_size=1, max_size=4), st.integers(-2, 2), max_size=2),
    st.integers(2, 40).map(_nest),
)


def _paths(tree: dict | list, prefix: tuple = ()) -> list[tuple]:
    """Every place in nested tables and arrays of tables (an int is an index into an array)."""
    out = []
    for k, v in (tree.items() if isinstance(tree, dict) else enumerate(tree)):
        out.append(prefix + (k,))
        if isinstance(v, dict) or (isinstance(v, list) and v and all(isinstance(x, dict) for x in v)):
            out.extend(_paths(v, prefix + (k,)))
    return out


@st.composite
def mutated(draw, base: dict) -> dict:
    """``base`` with one to three values replaced by garbage, or keys added where none belongs."""
    import copy

    tree = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree) + [("unknown_key",), ("x",)]
        path = draw(st.sampled_from(paths))
        node = tree
        for p in path[:-1]:
            node = node[p]
        node[path[-1]] = copy.deepcopy(draw(GARBAGE))  # never the strategy's own (shared) object
    return tree


def _outcome(argv: list[str] | None, call=None) -> tuple[int, str]:
    """Exit status and stderr of the CLI (in-process) or of a loader (InputError = 2, OSError = 1)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv) if call is None else (call() and 0)
        except SystemExit as exc:  # argparse: usage and one error line, status 2
            code = exc.code
        except InputError as exc:
            print(f"cop-sim: error: {exc}", file=err)
            code = 2
    return int(code or 0), err.getvalue()


def _one_line_or_ok(code: int, err: str, what: str, drawn: bool = True) -> None:
    if drawn:
        note(f"{what}: exit {code}: {err[:500]}")
    assert "Traceback" not in err
    assert code in (0, 1, 2)
    if code:
        lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith(("usage:", " "))]
        assert len(lines) == 1 and "error" in lines[0], err


SMALL_BASE = {"weeks": 2, "burn_in": 0, "n_cops": 1, "cop": {"members": {"gp": 2}, "moderators": 1},
              "patients": {"per_practitioner": 3}, "world": {"n_contexts": 8},
              "cops": [{"moderator_skill": 0.5, "calendar": {"every_weeks": 1}}],
              "events": [{"week": 1, "set": {"practice.caseload": 2.0, "cop": {"moderators": 1}}}]}


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=mutated(SMALL_BASE))
def test_a_mutated_scenario_file_runs_or_is_one_line(tree, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("s")
    f = tmp / "s.toml"
    try:
        f.write_text(toml(tree))
    except TypeError:
        return
    code, err = _outcome(None, lambda: scenario.load(f, options={"weeks": 2}))
    _one_line_or_ok(code, err, toml(tree))
    if code == 0:  # accepted: it must run too (a small scenario, a few garbage values in range)
        resolved = scenario.load(f, options={"weeks": 2})
        memory.check(resolved, str(f), 1, None)
        code, err = _outcome(None, lambda: models.simulate(resolved, 1))
        _one_line_or_ok(code, err, "run")


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.binary(max_size=200) | st.text(CHARS, max_size=200).map(str.encode))
def test_garbage_bytes_as_any_input_file_is_one_line(data, tmp_path_factory):
    from cop_sim.calibration.spec import load as load_calibration
    from cop_sim.experiment.design import load_experiment

    tmp = tmp_path_factory.mktemp("g")
    f = tmp / "g.toml"
    f.write_bytes(data)
    for call in (lambda: scenario.load(f), lambda: load_experiment(f), lambda: load_calibration(f)):
        code, err = _outcome(None, call)
        _one_line_or_ok(code, err, repr(data))


def _experiment_base() -> dict:
    import tomllib

    raw = tomllib.loads((ROOT / "experiments" / "toy" / "T1_known_answer.toml").read_text())
    raw["experiment"]["scenario"] = str(ROOT / "scenarios" / "toy.toml")
    raw["experiment"]["replications"] = 1
    return raw


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=mutated(_experiment_base()))
def test_a_mutated_experiment_file_loads_or_is_one_line(tree, tmp_path_factory):
    from cop_sim.experiment.design import build_design, load_experiment

    f = tmp_path_factory.mktemp("e") / "e.toml"
    try:
        f.write_text(toml(tree))
    except TypeError:
        return
    code, err = _outcome(None, lambda: build_design(load_experiment(f)) and None)
    _one_line_or_ok(code, err, toml(tree))


def _calibration_base() -> dict:
    import tomllib

    raw = tomllib.loads((ROOT / "tests" / "calibration" / "recovery.toml").read_text())
    raw["calibration"]["scenario"] = str(ROOT / "scenarios" / "default.toml")
    return raw


CSV_CELL = st.sampled_from(["", "x", "nan", "inf", "-inf", "1e308", "-0.5", "5.0", "true", "0x10", " ",
                            "1,2", '"', "40", "-1", "26"]) | st.floats().map(repr)


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=mutated(_calibration_base()), cells=st.lists(st.tuples(st.integers(0, 30), CSV_CELL), max_size=3),
       header=st.booleans())
def test_a_mutated_calibration_and_its_data_load_or_are_one_line(tree, cells, header, tmp_path_factory):
    from cop_sim.calibration.spec import load as load_calibration

    tmp = tmp_path_factory.mktemp("c")
    f = tmp / "cal.toml"
    try:
        f.write_text(toml(tree))
    except TypeError:
        return
    data = (ROOT / "tests" / "calibration" / "recovery_data.csv").read_text().splitlines()
    rows = [r.split(",") for r in data]
    body = [i for i, r in enumerate(rows) if r and not r[0].startswith("#")]
    for at, cell in cells:  # garbage in data cells (or the header)
        i = body[0] if header else body[min(len(body) - 1, 1 + at % max(1, len(body) - 1))]
        rows[i][at % len(rows[i])] = cell
    (tmp / "recovery_data.csv").write_text("\n".join(",".join(r) for r in rows) + "\n")
    code, err = _outcome(None, lambda: load_calibration(f) and None)
    _one_line_or_ok(code, err, f"{toml(tree)}\n{rows}")


OPTION_VALUE = st.sampled_from(["-1", "0", "1", "2", "99999999999999999999999", "nan", "inf", "x", "",
                                "/proc/x", "/dev/null/sub", "1/0", "0/0", "3/2", "8Q", "-5G", "1e400",
                                "cop.moderators=99", "weeks", "=", "a.b=c", "world.n_topics=64",
                                "events=[{week = 0, set = {cop = {members = {gp = 1}}}}]"])


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(opts=st.lists(st.tuples(st.sampled_from(["--seed", "--weeks", "--set", "--max-memory", "--out"]),
                               OPTION_VALUE), min_size=1, max_size=3))
def test_the_run_options_take_garbage_in_one_line(opts, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("o")
    f = tmp / "s.toml"
    f.write_text(toml({**SMALL_BASE, "events": []}))
    argv = ["run", str(f), "--out", str(tmp / "out")]
    for name, value in opts:
        argv += [name, value] if name != "--out" else []
    code, err = _outcome(argv)
    _one_line_or_ok(code, err, " ".join(argv))


@pytest.mark.parametrize("argv", [
    ["sweep", "{exp}", "--workers", "0"], ["sweep", "{exp}", "--shard", "3/2"],
    ["sweep", "{exp}", "--shard", "x"],
    ["sweep", "/proc/x"], ["calibrate", "/dev/null"], ["calibrate", "{cal}", "--workers", "-3"],
    ["report", "/proc/nonexistent"], ["run", "{dir}"],
])
def test_other_options_take_garbage_in_one_line(argv, tmp_path):
    exp = tmp_path / "e.toml"
    exp.write_text(toml(_experiment_base()))
    cal = tmp_path / "cal.toml"
    cal.write_text(toml(_calibration_base()))
    argv = [a.format(exp=exp, cal=cal, dir=tmp_path) for a in argv]
    code, err = _outcome(argv)
    assert code in (1, 2), err
    _one_line_or_ok(code, err, " ".join(argv), drawn=False)


def _design_base() -> dict:
    return {"id": "fuzz", "title": "a fuzzed design", "use": "calibration",
            "source": {"citation": "synthetic", "doi": "none", "checked": "synthetic"},
            "design": {"kind": "difference_in_differences", "arms": ["intervention", "comparison"],
                       "sites_intervention": 2, "sites_comparison": 2, "months": 1,
                       "measure": "optimal_practice_share"},
            "change_package": {"expressible": True, "rule": "synthetic", "unit_mapping": "pp"},
            "result": {"statistic": "did_change", "value": 0.0, "unit": "pp"},
            "verdict": {"rule": "common", "predictive_level": 0.9, "max_width": 30.0},
            "simulation": {"replicates": 1,
                           "scenario": str(ROOT / "tests" / "evaluation" / "small_site.toml")}}


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=mutated(_design_base()))
def test_a_mutated_evaluation_design_runs_or_is_one_line(tree, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("v")
    f = tmp / "design.toml"
    try:
        f.write_text(toml(tree))
    except TypeError:
        return
    code, err = _outcome(["evaluate", str(f), "--out", str(tmp / "o"), "--draws", "defaults"])
    _one_line_or_ok(code, err, toml(tree))
