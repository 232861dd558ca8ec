"""The moving artists of a demo view: named by ``gid``, filled with a week's state.

A view's figure is built once with these artists empty; each week :func:`apply` sets their
content (a line's points, a scatter's offsets and colours, a text, a legend's labels), so the
figure's still parts are neither rebuilt nor redrawn (see :mod:`cop_sim.demo.live`).
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Text


def apply(fig: Figure, data: dict[str, Any], artists: list[Any] | None = None) -> Figure:
    """Put a week's state into a figure's moving artists (those with a gid); returns the figure.

    ``artists``: the figure's :func:`moving` artists, when known (finding them costs a few ms).
    """
    for artist in moving(fig) if artists is None else artists:
        if artist.get_gid() in data:
            _set(artist, data[artist.get_gid()])
    return fig


def moving(fig: Figure) -> list[Any]:
    """The artists a week changes: those the views name by gid, in drawing order."""
    found = fig.findobj(lambda a: a.get_gid() is not None and a is not fig)
    order = {id(ax): k for k, ax in enumerate(fig.axes)}
    # axes by axes as the figure draws them, each by zorder; the figure's own (legends) last
    return sorted(found, key=lambda a: (order.get(id(a.axes), len(order)), a.get_zorder()))


def _set(artist: Any, value: Any) -> None:
    """Set one artist's content: (x, y) for a line, labels for a legend, a string for a text."""
    if isinstance(artist, Line2D):
        artist.set_data(*value)
    elif isinstance(artist, Legend):
        for text, words in zip(artist.get_texts(), value, strict=True):
            text.set_text(words)
    elif isinstance(artist, Text):
        artist.set_text(value)
    else:  # a collection: {"offsets": ..., "sizes": ...} calls set_offsets, set_sizes, ...
        for name, v in value.items():
            getattr(artist, f"set_{name}")(v)
