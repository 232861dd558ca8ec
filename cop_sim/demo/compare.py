"""The comparison tab: the same scenario under two settings, run to the end and overlaid.

Setting A is whatever the side panel holds; setting B is A with one condition changed.
Both use the same seeds (common random numbers), so the only difference is the setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import solara
import solara.lab

from cop_sim.demo import session, views
from cop_sim.demo.controls import BY_KEY, CONTROLS, Control, describe
from cop_sim.demo.inputs import ControlInput

compare_key = solara.reactive("cop.moderator_skill")
compare_b: solara.Reactive[Any] = solara.reactive(None)  # None: the opposite of A
seeds = solara.reactive(5)
SEED_CHOICES = (1, 5, 10)


def opposite(control: Control, value: Any) -> Any:
    """A value of a condition far from ``value``, so a first comparison shows something."""
    if control.kind == "switch":
        return not bool(value)
    if control.kind == "meetings":
        return 0 if int(value) else 4
    if control.kind == "int":
        return int(value) + 1
    if control.kind == "choice":  # the next choice along
        return control.choices[(control.choices.index(value) + 1) % len(control.choices)]
    mid = (control.low + control.high) / 2
    return control.low if float(value) > mid else control.high


def choose(key: str) -> None:
    """Compare on another condition, starting from its opposite value."""
    compare_key.value = key
    compare_b.value = None


@solara.component
def CompareView(path: Path, values: dict[str, Any]):
    """Setting A (the side panel) against B (A with one condition changed)."""
    control = BY_KEY[compare_key.value]
    a_value = values.get(control.key)
    b_value = opposite(control, a_value) if compare_b.value is None else compare_b.value
    values_b = {**values, control.key: b_value}
    label_a = describe({control.key: a_value})
    label_b = describe({control.key: b_value})

    def compute():
        runs_a = session.run_to_end(path, values, seeds.value)
        runs_b = session.run_to_end(path, values_b, seeds.value)
        return views.comparison_figure(runs_a, runs_b, label_a, label_b)

    key = (str(path), tuple(sorted(values.items())), control.key, b_value, seeds.value)
    result = solara.lab.use_task(compute, dependencies=list(key), prefer_threaded=True)

    with solara.Card("Compare two settings of the same scenario"):
        solara.Text("A (blue) is the conditions in the side panel. B (red) is the same, with one change:")
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            with solara.Column(style={"min-width": "260px"}):
                solara.Select(label="Condition to change", values=[c.label for c in CONTROLS],
                              value=control.label,
                              on_value=lambda text: choose(next(c.key for c in CONTROLS if c.label == text)))
            with solara.Column(style={"min-width": "380px"}):
                ControlInput(control, b_value, compare_b.set, label=f"B: {control.label}")
            with solara.Column(style={"min-width": "180px"}):
                solara.Select(label="Runs per setting (seeds)", values=[str(s) for s in SEED_CHOICES],
                              value=str(seeds.value), on_value=lambda s: seeds.set(int(s)))
        solara.Text(f"A: {label_a}   ·   B: {label_b}   ·   other conditions as in the side panel; "
                    "same seeds for both.", classes=["cop-compare-caption"])
    if result.pending or not result.finished:
        # no stale picture meanwhile: its legend would name the previous settings
        solara.ProgressLinear(True)
        solara.Text("Running both settings to the end…", classes=["cop-compare-running"])
    elif result.error:
        solara.Error(f"Could not run the comparison: {result.exception}")
    elif result.latest is not None:
        with solara.Column(classes=["cop-view", "cop-view-compare"]):
            solara.FigureMatplotlib(result.latest, dependencies=[id(result.latest)], format="png")
