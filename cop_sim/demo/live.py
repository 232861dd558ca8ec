"""The demo's views as PNG images, kept from week to week so that a Step stays quick.

Building a matplotlib figure and drawing all of it took 0.1-0.2 s of CPU per view, five
views a week: a Step took 1-2 s on a moderately loaded machine. Here each view's figure is
built once and drawn once without its moving artists (the axes, ticks, labels, legends:
most of the drawing); that picture is kept. Each week the moving artists get the week's
state (:func:`cop_sim.demo.moving.apply`) and only they are drawn over the kept picture
(matplotlib's blitting), then the image is encoded with light PNG compression. When what
the still parts show changes (the chosen CoP, the members shown, an axis that must grow;
a view's ``*_key``), the figure is built again.
"""

from __future__ import annotations

import io
import threading
import weakref
from collections.abc import Callable
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.legend import Legend
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image

from cop_sim.demo import views
from cop_sim.demo.moving import apply, moving

PNG_COMPRESSION = 1  # zlib level: the images go to a browser on this machine or the room's network


def _frames(run: Any, cop: int) -> dict[str, Callable[[], tuple]]:
    """Per view: a function giving (key, base builder, data) for this week and CoP ``cop``."""
    frame, cop_frame = run.frames()
    names = list(run.cop_names)
    return {
        "network": lambda: (views.network_key(run, cop), lambda: views.network_base(run, cop),
                            views.network_data(run, cop)),
        "beliefs": lambda: (views.beliefs_key(run, cop), lambda: views.beliefs_base(run, cop),
                            views.beliefs_data(run, cop)),
        "learning": lambda: (views.learning_key(frame, run.horizon),
                             lambda: views.learning_figure(frame, run.horizon), views.learning_data(frame)),
        "health": lambda: (views.health_key(cop_frame, names, cop, run.horizon),
                           lambda: views.health_figure(cop_frame, names, cop, run.horizon),
                           views.health_data(cop_frame, names)),
        "time": lambda: (views.time_key(frame, run.horizon), lambda: views.time_figure(frame, run.horizon),
                         views.time_data(frame)),
    }


VIEWS = ("network", "learning", "health", "time", "beliefs")


class LiveView:
    """One view's figure, its canvas and the picture of its still parts."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.canvas: FigureCanvasAgg | None = None
        self.moving: list[Any] = []
        self.background: Any = None
        self.kept: dict[int, tuple[Any, Any]] = {}  # a text's or legend's words and its pixels
        self.lock = threading.Lock()

    def png(self, key: tuple, build: Callable[[], Any], data: dict[str, Any]) -> bytes:
        """The view for this week as PNG bytes."""
        with self.lock:
            if key != self.key or self.canvas is None:
                self._build(key, build)
            fig = self.canvas.figure
            apply(fig, data, self.moving)
            self.canvas.restore_region(self.background)
            renderer = self.canvas.get_renderer()
            for artist in self.moving:
                self._draw(artist, renderer)
            return encode(self.canvas)

    def _draw(self, artist: Any, renderer: Any) -> None:
        """Draw a moving artist; a text or legend outside every axes whose words are unchanged
        is copied from its last drawing instead (laying out a legend's text costs ~30 ms)."""
        words = _words(artist)
        kept = self.kept.get(id(artist))
        if kept is not None and kept[0] == words:
            self.canvas.restore_region(kept[1])
            return
        artist.draw(renderer)
        if words is None:
            return
        fig = self.canvas.figure
        box = Bbox.intersection(artist.get_window_extent(renderer).padded(2), fig.bbox)
        if box is not None and not any(box.overlaps(ax.bbox) for ax in fig.axes):
            self.kept[id(artist)] = (words, self.canvas.copy_from_bbox(box))

    def _build(self, key: tuple, build: Callable[[], Any]) -> None:
        fig = build()
        self.canvas = FigureCanvasAgg(fig)
        self.moving = moving(fig)
        for artist in self.moving:
            artist.set_animated(True)  # left out of a full draw
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(fig.bbox)
        self.kept = {}
        self.key = key


def _words(artist: Any) -> Any:
    """What a text or a legend says (None for other artists)."""
    if isinstance(artist, Legend):
        return tuple(t.get_text() for t in artist.get_texts())
    if isinstance(artist, Text):
        return artist.get_text()
    return None


def encode(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as an RGB PNG (the figures are opaque)."""
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="png", compress_level=PNG_COMPRESSION)
    return out.getvalue()


_LIVE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # run -> {view: LiveView}
_LIVE_LOCK = threading.Lock()  # browser sessions draw from their own threads


def png(run: Any, view: str, cop: int) -> bytes:
    """View ``view`` (one of :data:`VIEWS`) of ``run`` as of its current week, for CoP ``cop``."""
    with _LIVE_LOCK:
        live = _LIVE.setdefault(run, {}).setdefault(view, LiveView())
    key, build, data = _frames(run, cop)[view]()
    return live.png(key, build, data)
