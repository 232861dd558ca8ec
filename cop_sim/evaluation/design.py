"""From an evidence file's published design to a simulated study: sites, arms, periods, measure.

A site is one CoP of the scenario's template with its own patient mix (``world.site_spread``).
The intervention arm's sites meet from the intervention's first week; the comparison arm's sites
never meet (usual care). The baseline period is the quarter before the intervention; the outcome
period is the last quarter of the study. A study whose published size is unknown, or too large
to simulate whole, runs the sizes of its ``[simulation]`` table (never frozen; see
``experiments/evidence/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cop_sim.evaluation.library import Evidence
from cop_sim.params import InputError

QUARTER = 13  # weeks
# What the CoP model reports per site, by the measure an evidence file names. Until the CoP
# model reports a change package's target_adherence, the process measure it does report, the
# share of active topics on the patient's optimum, stands in for it, and every output says so.
STAND_IN = "optimal_practice_share"
PER_SITE = ("care_quality", "health", "goals_met", "target_adherence", "optimal_practice_share")
DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "default.toml"
SIMULATION_KEYS = {"sites_intervention": int, "sites_comparison": int, "months": int, "charts": int,
                   "every_weeks": int, "scenario": str, "replicates": int, "seed": int,
                   "null": bool}
MAX_SITES = 5000


@dataclass(frozen=True)
class Plan:
    """A simulated study: how many sites in each arm, for how long, measured how."""

    evidence_id: str
    kind: str
    sites_intervention: int
    sites_comparison: int
    baseline_weeks: int
    study_weeks: int
    measure: str
    charts: int
    every_weeks: int
    scenario: Path
    replicates: int
    seed: int
    reduced: str  # how the simulated design differs from the published one ("" = it does not)
    null: bool = False  # usual care in both arms: the analysis's calibration against the null
    # the evidence file's change package as the simulated scenario's [change_package] targets:
    # ((topic, practice), ...), empty unless the measure is target_adherence and it is expressible
    package: tuple = ()

    @property
    def weeks(self) -> int:
        """The run's horizon: the baseline quarter and the study."""
        return self.baseline_weeks + self.study_weeks


def _int(value, source: str, key: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InputError(source, key, f"got {value!r}; allowed: a whole number in [{lo}, {hi}]")
    return value


def _bool(value, source: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(source, key, f"got {value!r}; allowed: true or false")
    return value


def plan(evidence: Evidence, overrides: dict | None = None) -> Plan:
    """The simulated study of ``evidence`` (its ``[simulation]`` table, then ``overrides``, apply)."""
    src, d = str(evidence.path), evidence.data
    design = d["design"]
    if not isinstance(d.get("simulation", {}), dict):
        raise InputError(src, "simulation", f"got {d['simulation']!r:.100}; allowed: a table of settings")
    sim = dict(d.get("simulation", {}))
    sim.update({k: v for k, v in (overrides or {}).items() if v is not None})
    for key in sim:
        if key not in SIMULATION_KEYS:
            raise InputError(src, f"simulation.{key}", f"unknown key; allowed: {', '.join(SIMULATION_KEYS)}")
    reduced = []

    def size(key: str, published, default: int) -> int:
        if key in sim:
            n = _int(sim[key], src, f"simulation.{key}", 0, MAX_SITES)
            if n != published:
                reduced.append(f"{key} {n} (published: {published})")
            return n
        if isinstance(published, int) and not isinstance(published, bool):
            return _int(published, src, f"design.{key}", 0, MAX_SITES)
        reduced.append(f"{key} {default} (published: {published})")
        return default

    kind = design["kind"]
    if kind == "share_of_studies":
        n_int, n_comp = size("sites_intervention", None, 6), size("sites_comparison", None, 3)
    else:
        n_int = size("sites_intervention", design.get("sites_intervention"), 20)
        # a two-arm study whose comparison size was not checked: as many as the intervention default
        n_comp = size("sites_comparison", design.get("sites_comparison", 0),
                      20 if "comparison" in design.get("arms", []) else 0)
        if "comparison" not in design.get("arms", []):
            n_comp = 0 if "sites_comparison" not in sim else n_comp
    if n_int + n_comp < 1:
        raise InputError(src, "simulation.sites_intervention", "a study needs at least one site")
    months = _int(sim.get("months", design["months"]), src, "simulation.months", 1, 240)
    measure = design["measure"]
    if measure not in PER_SITE:
        raise InputError(src, "design.measure", f"got {measure!r}; allowed: {', '.join(PER_SITE)}")
    if not isinstance(sim.get("scenario", ""), str):
        raise InputError(src, "simulation.scenario", f"got {sim['scenario']!r:.100}; allowed: a scenario "
                         "file's path (relative to this file)")
    scenario = Path(sim.get("scenario", DEFAULT_SCENARIO))
    if not scenario.is_absolute() and "scenario" in sim:
        scenario = evidence.path.parent / scenario
    if not scenario.is_file():
        raise InputError(src, "simulation.scenario", f"{str(scenario)!r:.200} is not a file; allowed: a "
                         "scenario file's path (relative to this file)")
    return Plan(
        evidence_id=evidence.id, kind=kind, sites_intervention=n_int, sites_comparison=n_comp,
        baseline_weeks=QUARTER, study_weeks=max(QUARTER, round(months * 52 / 12)), measure=measure,
        charts=_int(sim.get("charts", 30), src, "simulation.charts", 0, 100000),
        every_weeks=_int(sim.get("every_weeks", 4), src, "simulation.every_weeks", 1, 52),
        scenario=scenario,
        replicates=_int(sim.get("replicates", 20), src, "simulation.replicates", 1, 100000),
        seed=_int(sim.get("seed", 1), src, "simulation.seed", 0, 2**63 - 1), reduced="; ".join(reduced),
        null=_bool(sim.get("null", False), src, "simulation.null"),
        package=change_package(evidence) if measure == "target_adherence" else ())


def change_package(evidence: Evidence) -> tuple:
    """The file's change package as ``((topic, practice), ...)`` (empty if not expressible)."""
    table = evidence.data.get("change_package", {})
    if not isinstance(table, dict) or table.get("expressible") not in (True, "partial"):
        return ()
    topics, practice = table.get("topics", []), table.get("practice", 0)
    src = str(evidence.path)
    if not isinstance(topics, list) or not all(isinstance(t, str) for t in topics):
        raise InputError(src, "change_package.topics", f"got {topics!r:.100}; allowed: a list of topic names")
    return tuple((t, _int(practice, src, "change_package.practice", 0, 100)) for t in topics)
