"""One input widget per kind of control (slider, switch, meeting frequency, whole number, choice)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from cop_sim.demo.controls import MEETING_CHOICES, Control, meeting_label


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None], label: str | None = None):
    """The widget for one condition, showing ``value`` and reporting changes to ``on_value``."""
    text = label or control.label
    if control.kind == "switch":
        solara.Switch(label=text, value=bool(value), on_value=on_value)
    elif control.kind == "meetings":
        # keep an unusual interval from the scenario selectable, next to the usual ones
        choices = dict(MEETING_CHOICES)
        choices.setdefault(int(value), meeting_label(int(value)))
        by_label = {v: k for k, v in sorted(choices.items())}
        solara.Select(label=text, values=list(by_label), value=meeting_label(int(value)),
                      on_value=lambda chosen: on_value(by_label[chosen]))
    elif control.kind == "int":
        solara.InputInt(label=text, value=int(value), on_value=on_value)
    elif control.kind == "choice":
        solara.Select(label=text, values=list(control.choices), value=str(value), on_value=on_value)
    else:
        # label and value above the slider: beside it a long label squeezes the slider, and a
        # value on the thumb covers the line above
        solara.Text(f"{text}: {float(value):.2f}", style={"display": "block", "margin-top": "6px"})
        solara.SliderFloat(label="", value=float(value), min=control.low,
                           max=max(control.high, float(value)), step=control.step,
                           on_value=on_value, thumb_label=False)
    if control.help:
        solara.Text(control.help, style={"font-size": "0.8em", "color": "#666", "display": "block",
                                         "margin": "-8px 0 10px 0"})
