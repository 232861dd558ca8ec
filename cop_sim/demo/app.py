"""The demo page: pick a scenario, change its conditions, step or play, watch the views.

Served by ``cop-sim demo`` (Solara, app ``cop_sim.demo.app``). Laid out like Mesa's
SolaraViz (app bar, a side panel of cards with Reset/Play/Step, views in the main area), but
with a CoP-specific controller: the model (the CoP model, through ``cop_sim.demo.session``) is built
from a scenario file rather than from keyword arguments, and a class needs labelled Play and
Pause buttons and a scenario picker.
State lives in module-level reactives, which Solara keeps per browser session.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import reacton.core
import reacton.ipywidgets as rw
import solara
import solara.lab

from cop_sim.demo import live, session
from cop_sim.demo.compare import CompareView
from cop_sim.demo.controls import CONTROLS, describe, difference, list_scenarios, values_from
from cop_sim.demo.inputs import ControlInput
from cop_sim.demo.story_card import StoriesCard
from cop_sim.demo.teams import TeamCard
from cop_sim.params import InputError

START = Path(os.environ["COP_SIM_DEMO_SCENARIO"]) if os.environ.get("COP_SIM_DEMO_SCENARIO") else None
PLAY_DELAY = 0.3  # seconds between weeks while playing: slow enough to follow in class

scenario_name = solara.reactive(START.stem if START else session.DEFAULT_SCENARIO)
values: solara.Reactive[dict[str, Any]] = solara.reactive({})  # what the side panel shows
applied: solara.Reactive[dict[str, Any]] = solara.reactive({})  # what the running model was built with
model: solara.Reactive[Any] = solara.reactive(None)
tick = solara.reactive(0)  # bumped after each step: the model changes in place
playing = solara.reactive(False)
answered = solara.reactive(0)  # Step clicks handled: the Step button is ready again when this changes
cop_index = solara.reactive(0)
message = solara.reactive("")

CSS = """
.cop-view img { max-width: 100%; height: auto; }
.cop-week { font-size: 1.3em; font-weight: 500; }
.cop-pending { color: #b35900; }
"""


def scenario_files() -> dict[str, Path]:
    """The scenarios on offer (re-read, so files added while the demo runs show up)."""
    return list_scenarios(session.KIND, extra=START)


def reset(new_values: dict[str, Any] | None = None) -> None:
    """Start the chosen scenario again at week 0 with the side panel's conditions."""
    playing.value = False
    chosen = dict(values.value if new_values is None else new_values)
    try:
        built = session.build(scenario_files()[scenario_name.value], chosen)
    except (InputError, KeyError) as exc:
        message.value = f"Cannot start this scenario: {exc}"
        return
    message.value = ""
    applied.value = chosen
    model.value = built
    cop_index.value = min(cop_index.value, max(len(built.cop_names) - 1, 0))
    tick.value += 1


def choose_scenario(name: str) -> None:
    """Switch scenario: its own conditions fill the side panel and a new run starts."""
    scenario_name.value = name
    try:
        start = values_from(session.resolve(scenario_files()[name]))
    except (InputError, KeyError) as exc:
        message.value = f"Cannot read scenario '{name}': {exc}"
        return
    values.value = start
    reset(start)


def step() -> None:
    """One week."""
    m = model.value
    if m is not None and m.running:
        m.step()
        tick.value += 1


def step_clicked(*_: Any) -> None:
    """The Step button's click: one week, then the answer that makes the button ready again.

    The button shows its busy state and sends no further click until this answer arrives,
    together with the new week's views (see ``step_button.vue``), so clicks are not queued.
    """
    # one render for the new week and the answer (reacton's render context batches changes)
    with reacton.core.get_render_context(required=False) or contextlib.nullcontext():
        try:
            if not playing.value:
                step()
        finally:
            answered.value += 1


@solara.component_vue("step_button.vue")
def StepButton(disabled: bool, answered: int, event_step: Callable[[Any], None]):
    """The Step button (a Vue template: its busy state needs no round trip to the server)."""


def population(m: Any) -> str:
    """Who is in the run, counted from the model itself (so a class sees Reset took effect)."""
    n = m.counts
    reps = n["representatives"]
    who = (f"{reps} patient representative{'s' * (reps != 1)}" if reps
           else "no patient representative")
    return (f"{n['practitioners']} practitioners in {n['cops']} CoP{'s' * (n['cops'] != 1)}"
            f" · {n['moderators']} moderators · {who}")


def set_value(key: str, value: Any) -> None:
    values.value = {**values.value, key: value}


@solara.component
def RunCard():
    """Where we are, and Step / Play / Pause / Reset (labelled, for a class)."""
    m = model.value
    _ = tick.value  # read, so that this card redraws after each step (the model changes in place)

    async def play_loop():
        # A coroutine on the server's event loop rather than a thread (Mesa's ModelController
        # uses a thread): redraws triggered from a worker thread sometimes did not reach the page.
        while playing.value and model.value is not None and model.value.running:
            step()
            await asyncio.sleep(PLAY_DELAY)
        playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=False)
    with solara.Card("Run"):
        if m is None:
            solara.Text("Starting…")
            return
        with solara.Column(gap="2px"):
            solara.Text(f"Week {m.week} of {m.horizon}", classes=["cop-week"])
            solara.Text(population(m), classes=["cop-population"], style={"font-size": "0.85em"})
        solara.ProgressLinear(value=100 * m.week / max(m.horizon, 1))
        with solara.Row(style={"flex-wrap": "wrap", "gap": "4px"}):
            StepButton(disabled=playing.value or not m.running, answered=answered.value,
                       event_step=step_clicked)
            solara.Button("Play", on_click=lambda: playing.set(True), color="primary", classes=["cop-play"],
                          disabled=playing.value or not m.running)
            solara.Button("Pause", on_click=lambda: playing.set(False), classes=["cop-pause"],
                          disabled=not playing.value)
            solara.Button("Reset", on_click=lambda: reset(), color="warning", classes=["cop-reset"])
        if not m.running:
            solara.Text("The end of the scenario: press Reset to start again.")


@solara.component
def SidePanel():
    """Scenario picker, run controls and conditions."""
    files = scenario_files()
    with solara.Card("Scenario"):
        solara.Select(label="Scenario", values=list(files), value=scenario_name.value,
                      on_value=choose_scenario)
        m = model.value
        if m is not None and m.params.get("description"):
            solara.Text(m.params["description"], style={"font-size": "0.85em"})
    RunCard()
    with solara.Card("Conditions"):
        pending = difference(applied.value, values.value)
        if pending:
            solara.Text(f"Changed: {pending}. Press Reset to start again with these conditions.",
                        classes=["cop-pending"])
        for c in CONTROLS:
            if c.key in values.value:
                ControlInput(c, values.value[c.key], lambda v, k=c.key: set_value(k, v))
    if message.value:
        solara.Error(message.value)


@solara.component
def Picture(name: str, make, dependencies: list):
    """A view as a PNG image (``make`` returns its bytes), redrawn only when its dependencies change."""
    image = solara.use_memo(make, dependencies)
    with solara.Column(classes=["cop-view", f"cop-view-{name}"]):
        rw.Image(value=image, format="png")


@solara.component
def WatchView():
    """The network, the stories of the latest meeting and three time views of the running model."""
    if model.value is None:
        solara.ProgressLinear(True)
    else:
        WatchModel(model.value, tick.value)


@solara.component
def WatchModel(m: Any, week_tick: int):
    """The views of model ``m`` as of ``week_tick``."""
    deps = [id(m), week_tick]
    cop = min(cop_index.value, max(len(m.cop_names) - 1, 0))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        if len(m.cop_names) > 1:
            solara.ToggleButtonsSingle(value=m.cop_names[cop], values=list(m.cop_names),
                                       on_value=lambda name: cop_index.set(m.cop_names.index(name)))
        solara.Text(f"This run: {describe(applied.value)}", classes=["cop-settings"],
                    style={"font-size": "0.85em", "color": "#555"})
    # each view's figure is kept from week to week and only its moving parts redrawn (demo.live)
    with solara.Columns([1, 1]):
        Picture("network", lambda: live.png(m, "network", cop), deps + [cop])
        StoriesCard(m, cop, week_tick)
    with solara.Columns([1, 1]):
        Picture("learning", lambda: live.png(m, "learning", cop), deps)
        Picture("health", lambda: live.png(m, "health", cop), deps + [cop])
    with solara.Columns([1, 1]):
        Picture("time", lambda: live.png(m, "time", cop), deps)
        Picture("beliefs", lambda: live.png(m, "beliefs", cop), deps + [cop])
    TeamCard(m, cop, week_tick)


READING = """
**The community (top left).** Each shape is a member; the shape is the discipline; bigger = higher
status. Colour is how far the member's beliefs are from the truth about the care of their own
patients (yellow = close, dark purple = far off): the mean |belief − true value| of the practices in
their patients' plans, for each patient's real situation. A black ring means the member came to the
latest meeting; faded members stayed away. Brown lines are trust between two members: the thicker,
the more they trust each other's stories. The orange star is the moderator, the pink diamond the
patient representative (one of the CoP's own patients).

**Stories at the latest meeting (top right).** Who told which case, how much it surprised them (how
far the result was from what they believed), whether the change they had tried worked (kept) or not
(dropped), and how far the lesson they told is from the truth: a confident teller who is wrong
spreads error. The floor goes by voice, so under a steep hierarchy high-status members tell most.

**Beliefs and care (middle left).** The members' belief error over time (dashed, right axis), the
quality of the care they give (the plan's true value as a share of the best possible for that
patient) and the share of patients whose own goals are met.

**Patients' health by CoP (middle right).** Mean control of the patients' conditions (0-1) in each
community; the one chosen above is drawn in bold.

**Beliefs against the truth (bottom right).** What the chosen CoP's highest-status member (red)
and lowest-status member (blue) believe each practice is worth, one point per topic and practice,
against its true value: filled for patients without social needs, open for patients with them.
On the dotted diagonal a belief is right. Training gives the value of a practice used alone for a
patient without social needs (the evidence of single-disease trials); the true value here also
depends on the patient's other conditions and needs. The legend gives each one's mean distance
from the truth.

**Meetings and time (bottom left).** Who comes to meetings and how loud lower-status tellers are heard
(their voice relative to the room's mean, summed over their stories, per story told: 100 % if
every story came from a lower-status member heard like an average member); the hours all members
spend in the CoP (bars) against how long patients wait.

**Care teams and travelling plans (bottom).** For a few patients of the chosen CoP, who owns each
of their active topics: the lead (the clinician whose panel holds the patient) or another member
of the team (a nurse for self-management, a social or community worker for social needs). A
visit is with one member; unless the team coordinates, that member sees and changes only their
own topics, and a topic has no practice until its owner has seen the patient (lesson 5). Below,
for all CoPs, how many patients' plans became a plan told at a meeting or a care pathway this
week and so far, and how many of those plans were kept after their local test.
"""


@solara.component
def Page():
    """The whole demo."""
    solara.Style(CSS)

    def start():
        if model.value is None:
            choose_scenario(scenario_name.value if scenario_name.value in scenario_files()
                            else next(iter(scenario_files()), scenario_name.value))

    solara.use_effect(start, [])
    with solara.AppBar():
        solara.AppBarTitle("Communities of practice in primary care: teaching demo")
    with solara.Sidebar():
        SidePanel()
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Watch the community"):
            WatchView()
        with solara.lab.Tab("Compare two settings"):
            path = scenario_files().get(scenario_name.value)
            if path is not None and values.value:
                CompareView(path, values.value)
        with solara.lab.Tab("How to read the views"):
            # HTML, not solara.Markdown: Markdown loads KaTeX and Mermaid from the CDN
            solara.HTML(tag="div", unsafe_innerHTML=markdown_to_html(READING))


def markdown_to_html(text: str) -> str:
    """The reading guide's paragraphs, with **bold** lead-ins, as HTML."""
    import html
    import re

    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    out = [re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(p)) for p in paragraphs]
    return "".join(f"<p style='max-width: 60em'>{p}</p>" for p in out)
