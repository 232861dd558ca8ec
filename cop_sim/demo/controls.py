"""The conditions a class can change, and how they become scenario overrides.

Each control is a dotted CoP model scenario key (``cop_sim/cop/spec.py``) with a plain-words
label; its starting value comes from the chosen scenario, and ``overrides`` turns the panel's
values back into ``KEY=VALUE`` pairs for ``cop_sim.scenario.load``. One control is the demo's
own (:data:`DEMO_ONLY`, not a scenario key): the hierarchy lesson's starting beliefs of the
high-status members, applied to the model at week 0 by ``cop_sim.demo.session.build``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cop_sim.demo.assets import repo_root


@dataclass(frozen=True)
class Control:
    """One condition on the page.

    Attributes:
        key: Dotted scenario key, e.g. ``cop.moderator_skill``.
        label: What the control is called on the page (plain words, with unit).
        kind: ``"slider"`` (float), ``"switch"`` (bool), ``"meetings"`` (weeks between meetings),
            ``"int"``, or ``"choice"`` (one of ``choices``).
        low: Smallest value offered.
        high: Largest value offered.
        step: Slider step.
        help: One-line explanation shown under the control.
    """

    key: str
    label: str
    kind: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    help: str = ""
    choices: tuple[str, ...] = ()


DEMO_ONLY = "demo.senior_beliefs"
# the choices of DEMO_ONLY (cop_sim.demo.readings.set_senior_beliefs applies them)
SENIOR_CHOICES = ("as trained", "right (true values)", "wrong (inverted)")

CONTROLS: tuple[Control, ...] = (
    Control("cop.moderator_skill", "Moderator's skill (0-1)", "slider",
            help="How well the moderator draws everyone in and keeps the discussion on cases."),
    Control("cop.preparation", "Meetings prepared (share, 0-1)", "slider",
            help="How often the chair prepares the meeting (cases, agenda) beforehand."),
    Control("cop.representative", "Patient representative", "switch",
            help="One of the CoP's own patients takes part in the meetings and tells how their care works."),
    Control("cop.calendar.every_weeks", "Meetings", "meetings",
            help="How often the community meets."),
    Control("hierarchy.steepness", "Hierarchy steepness (0-1)", "slider",
            help="0 = everyone's voice counts the same; 1 = low status mutes a teller's story."),
    Control("meeting.story_weight", "A story's weight (observations)", "slider", 0.0, 5.0, 0.1,
            help="What a story heard at full voice and trust is worth against one's own observation."),
    Control("cop.mentor", "Improvement mentor (structured tests)", "switch",
            help="A mentor runs small tests of change with the CoP: results are seen more clearly."),
    Control("turnover.annual_rate", "Staff turnover (share leaving per year)", "slider",
            help="Members who leave are replaced by newcomers who know less."),
    Control("practice.caseload", "Caseload (x usual demand)", "slider", 0.0, 3.0, 0.1,
            help="Time pressure: more patients leave less time for the CoP."),
    Control("team.size", "Care team per patient (persons)", "int", 1, 6, 1,
            help="1 = one clinician owns all of a patient's topics; 3 = a nurse owns self-management "
                 "and a social or community worker social needs (lesson 5)."),
    Control("seed", "Seed (random numbers)", "int", 0, 2**31 - 1, 1,
            help="Same seed and settings give the same run; change it to see chance at work."),
    Control(DEMO_ONLY, "Senior members start", "choice", choices=SENIOR_CHOICES,
            help="GPs and specialists start confident and right, or confident and wrong, about "
                 "every practice (lesson 4; best with burn-in 0)."),
)
BY_KEY = {c.key: c for c in CONTROLS}

MEETING_CHOICES: dict[int, str] = {
    1: "every week",
    2: "every 2 weeks",
    4: "every 4 weeks (monthly)",
    8: "every 8 weeks",
    13: "every 13 weeks (quarterly)",
    0: "no regular meetings",
}


def meeting_label(weeks: int) -> str:
    """Plain words for a meeting interval in weeks."""
    return MEETING_CHOICES.get(int(weeks), f"every {int(weeks)} weeks")


def get_dotted(tree: dict, key: str) -> Any:
    """``tree["a"]["b"]`` for ``"a.b"``, or None when absent."""
    node: Any = tree
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def values_from(resolved: dict) -> dict[str, Any]:
    """The controls' values in a resolved scenario (keys the scenario lacks are left out)."""
    out: dict[str, Any] = {DEMO_ONLY: SENIOR_CHOICES[0]}
    for c in CONTROLS:
        value = get_dotted(resolved, c.key)
        if value is not None:
            out[c.key] = bool(value) if c.kind == "switch" else value
    return out


def format_value(key: str, value: Any) -> str:
    """A control's value in TOML syntax for a ``KEY=VALUE`` override."""
    control = BY_KEY[key]
    if control.kind == "switch":
        return "true" if value else "false"
    if control.kind in ("int", "meetings"):
        return str(int(value))
    return repr(float(value))


def overrides(values: dict[str, Any]) -> list[str]:
    """``KEY=VALUE`` pairs for ``scenario.load`` from the panel's values."""
    return [f"{k}={format_value(k, v)}" for k, v in values.items() if k in BY_KEY and k != DEMO_ONLY]


def describe(values: dict[str, Any]) -> str:
    """One line naming the settings of a run, for captions and the comparison legend."""
    parts = []
    for c in CONTROLS:
        if c.key not in values:
            continue
        v = values[c.key]
        short = c.label.split(" (")[0].lower()
        if c.kind == "switch":
            parts.append(f"{short}: {'yes' if v else 'no'}")
        elif c.kind == "meetings":
            parts.append(f"meetings {meeting_label(v)}")
        elif c.kind == "int":
            parts.append(f"{short} {int(v)}")
        elif c.kind == "choice":
            parts.append(f"{short}: {v}")
        else:
            parts.append(f"{short} {float(v):.2f}")
    return " · ".join(parts)


def difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Only the settings in which ``b`` differs from ``a``, in words ("" when none)."""
    return describe({k: v for k, v in b.items() if a.get(k) != v})


def scenarios_dir() -> Path:
    """Where the shipped scenarios are: ``$COP_SIM_DEMO_SCENARIOS`` or ``<repo>/scenarios``."""
    return Path(os.environ.get("COP_SIM_DEMO_SCENARIOS") or repo_root() / "scenarios")


def scenario_kind(path: Path) -> str | None:
    """The ``model`` a scenario file is for (``"cop"`` when it names none), or None if unreadable."""
    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("model", "cop"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None


def list_scenarios(kind: str, folder: Path | None = None, extra: Path | None = None) -> dict[str, Path]:
    """Scenario files for model ``kind``, by name (file stem), read afresh so new ones appear."""
    folder = folder or scenarios_dir()
    paths = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    # docking set-ups (the CoP model as March's, 80 organisations for up to 20 years) are not for class
    found = {p.stem: p for p in paths if scenario_kind(p) == kind and not p.stem.startswith("march1991")}
    if extra is not None and extra.stem not in found:
        found[extra.stem] = extra
    return found
