"""Text that fits the axes it is drawn in, decided at draw time.

A chart cannot know, when it is drawn, how large its axes will end up: a researcher puts
it in a 2x3 grid and constrained layout shrinks it.  So the charts register their text
with a :class:`Fitter`, an invisible artist that the axes draws first (before its texts
and tick labels, after the layout is settled).  It shrinks groups of texts until they no
longer overlap each other (the n column of a dense rate chart, tick labels, numbers at
risk), fits texts into boxes (the mediation diagram) and hides a bar's label that no
longer fits its segment.  Every decision starts again from the texts' own sizes at each
draw, so a figure saved at another size is fitted again; the result depends only on the
figure, never on a previous draw.

Nothing here imports matplotlib at import time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

#: The smallest font size text is shrunk to (points).
MIN_SIZE = 5.0
_STEP = 0.5


def _overlap(a: Bbox, b: Bbox, pad: float = 0.5) -> bool:
    return a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad and b.y0 < a.y1 - pad


def any_overlap(boxes: Sequence[Bbox]) -> bool:
    """Whether any two of ``boxes`` overlap (by more than half a pixel)."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i].x0)
    for k, i in enumerate(order):
        for j in order[k + 1 :]:
            if boxes[j].x0 >= boxes[i].x1:
                break
            if _overlap(boxes[i], boxes[j]):
                return True
    return False


def _shown(texts: Sequence[Text]) -> list[Text]:
    return [t for t in texts if t.get_visible() and t.get_text()]


def _class() -> type:
    from matplotlib.artist import Artist

    class Fitter(Artist):
        """An invisible artist that fits the axes' registered texts before they are drawn."""

        def __init__(self) -> None:
            super().__init__()
            self.jobs: list[Callable[[Any], None]] = []
            self.last: list[Callable[[Any], None]] = []
            self.fitted: tuple[Any, ...] | None = None
            self.set_zorder(-1e9)
            self.set_in_layout(False)

        def draw(self, renderer: Any) -> None:
            key = None
            ax = self.axes
            if ax is not None and getattr(self.figure, "_mentoranalytics_fit_once", False):
                key = (renderer.get_canvas_width_height(), ax.get_position().bounds)
                if key == self.fitted:  # fitted at this size in this save: keep the fit
                    self.stale = False
                    return
            for job in [*self.jobs, *self.last]:
                job(renderer)
            self.fitted = key
            self.stale = False

    return Fitter


_FITTER: type | None = None


@contextlib.contextmanager
def fitted_once(fig: Any) -> Iterator[None]:
    """Within, a figure drawn again at the same size and layout keeps its fit.

    ``savefig`` draws a figure twice: once to lay it out (constrained layout) and once
    to write the file, with the layout kept.  The fit depends only on the layout and the
    size, so the second draw would repeat the first one's decisions; within this
    context it keeps them instead (a quarter of a chart's saving time).  Outside it,
    every draw fits again.
    """
    fig._mentoranalytics_fit_once = True
    try:
        yield
    finally:
        del fig._mentoranalytics_fit_once
        for ax in fig.axes:
            found = getattr(ax, "_mentoranalytics_fitter", None)
            if found is not None:
                found.fitted = None


def fitter(ax: Axes) -> Any:
    """The axes' :class:`Fitter` (created and added on first use)."""
    global _FITTER
    found = getattr(ax, "_mentoranalytics_fitter", None)
    if found is not None:
        return found
    if _FITTER is None:
        _FITTER = _class()
    fit = _FITTER()
    ax.add_artist(fit)
    ax._mentoranalytics_fitter = fit  # type: ignore[attr-defined]
    fit.last.append(_xlabel_job(ax))
    return fit


def _base(text: Text) -> float:
    size = getattr(text, "_mentoranalytics_size", None)
    if size is None:
        size = float(text.get_fontsize())
        text._mentoranalytics_size = size  # type: ignore[attr-defined]
    return float(size)


def no_overlap(
    ax: Axes,
    texts: Sequence[Text],
    *,
    min_size: float = MIN_SIZE,
    gap: float = 1.5,
    inside: bool = False,
) -> None:
    """Shrink ``texts`` together, as little as needed, until no two overlap.

    ``gap`` (points) is the space kept between neighbours, so that two numbers side
    by side never read as one; with ``inside`` the texts must also stay within the
    axes (texts left out of constrained layout).
    """
    group = list(texts)
    if not group:
        return
    for t in group:
        _base(t)

    def job(renderer: Any) -> None:
        shown = _shown(group)
        for t in shown:
            t.set_fontsize(_base(t))
        scale = 1.0
        smallest = min((_base(t) for t in shown), default=min_size)
        pad = renderer.points_to_pixels(gap) / 2
        frame = ax.get_window_extent(renderer)
        while shown:
            boxes = [t.get_window_extent(renderer).padded(pad) for t in shown]
            out = inside and any(
                b.x0 + pad < frame.x0 - 0.5 or b.x1 - pad > frame.x1 + 0.5 for b in boxes
            )
            if not (out or any_overlap(boxes)) or smallest * scale <= min_size:
                break
            scale = max(scale - _STEP / smallest, min_size / smallest)
            for t in shown:
                t.set_fontsize(_base(t) * scale)

    fitter(ax).jobs.append(job)


def fit_box(
    ax: Axes,
    text: Text,
    box: tuple[float, float, float, float],
    *,
    min_size: float = MIN_SIZE,
) -> None:
    """Shrink ``text`` until it lies inside ``box`` (x0, y0, x1, y1 in axes fraction)."""
    _base(text)

    def job(renderer: Any) -> None:
        from matplotlib.transforms import Bbox

        if not text.get_visible() or not text.get_text():
            return
        x0, y0, x1, y1 = box
        room = Bbox([[x0, y0], [x1, y1]]).transformed(ax.transAxes)
        size = _base(text)
        text.set_fontsize(size)
        while size > min_size:
            ext = text.get_window_extent(renderer)
            if ext.width <= room.width + 0.5 and ext.height <= room.height + 0.5:
                break
            size = max(size - _STEP, min_size)
            text.set_fontsize(size)

    fitter(ax).jobs.append(job)


def fit_boxes(
    ax: Axes,
    items: Sequence[tuple[Text, tuple[float, float, float, float]]],
    *,
    min_size: float = MIN_SIZE,
) -> None:
    """Shrink several texts by one common factor until each lies inside its own box.

    Like :func:`fit_box` for a family of texts (the values of a diagram, its box
    labels) that should keep the same size as each other.
    """
    group = list(items)
    for text, _ in group:
        _base(text)

    def job(renderer: Any) -> None:
        from matplotlib.transforms import Bbox

        shown = [(t, b) for t, b in group if t.get_visible() and t.get_text()]
        if not shown:
            return
        scale = 1.0
        smallest = min(_base(t) for t, _ in shown)
        while True:
            for t, _ in shown:
                t.set_fontsize(_base(t) * scale)
            fits = True
            for t, (x0, y0, x1, y1) in shown:
                room = Bbox([[x0, y0], [x1, y1]]).transformed(ax.transAxes)
                ext = t.get_window_extent(renderer)
                if ext.width > room.width + 0.5 or ext.height > room.height + 0.5:
                    fits = False
                    break
            if fits or smallest * scale <= min_size:
                return
            scale = max(scale - _STEP / smallest, min_size / smallest)

    fitter(ax).jobs.append(job)


def fit_width(
    ax: Axes, text: Text, width: Callable[[], float], *, min_size: float = MIN_SIZE
) -> None:
    """Shrink ``text`` to the pixel ``width()`` it may take; hide it when even that fails.

    Used for the share written inside a bar segment: a narrow segment keeps its colour
    and loses its label rather than have the label spill onto the next one.
    """
    _base(text)

    def job(renderer: Any) -> None:
        if not text.get_text():
            return
        text.set_visible(True)
        size = _base(text)
        text.set_fontsize(size)
        room = width() - 2.0
        while text.get_window_extent(renderer).width > room:
            if size <= min_size:
                text.set_visible(False)
                return
            size = max(size - _STEP, min_size)
            text.set_fontsize(size)

    fitter(ax).jobs.append(job)


def _xlabel_job(ax: Axes, *, min_size: float = 6.0) -> Callable[[Any], None]:
    """Shrink the x label until it is no wider than the room constrained layout gave the axes.

    Constrained layout leaves the width of x labels out of its sums (so that a long
    label does not squash its axes); in a narrow panel the label would run into the
    next panel's.  The room is the axes with its own tick labels, n column and legend.
    Every chart's fitter runs this last, after its tick labels are fitted.
    """
    label = ax.xaxis.label
    state: dict[str, float] = {}

    def job(renderer: Any) -> None:
        if not label.get_visible() or not label.get_text():
            return
        size = state.setdefault("size", float(label.get_fontsize()))
        label.set_fontsize(size)
        visible = label.get_visible()
        label.set_visible(False)
        try:
            room = ax.get_tightbbox(renderer, for_layout_only=True)
        finally:
            label.set_visible(visible)
        if room is None:
            return
        centre = ax.get_window_extent(renderer).x0 + ax.get_window_extent(renderer).width / 2
        half = min(centre - room.x0, room.x1 - centre)
        ax.xaxis._update_label_position(renderer)  # type: ignore[attr-defined]
        while size > min_size and label.get_window_extent(renderer).width / 2 > half + 0.5:
            size = max(size - _STEP, min_size)
            label.set_fontsize(size)

    return job


def _tick_labels(axis: Axis) -> list[Text]:
    ticks = axis._update_ticks()  # type: ignore[attr-defined]  # the ticks drawn (in view)
    return [t.label1 for t in ticks if t.label1.get_visible() and t.label1.get_text()]


def fit_ticks(
    ax: Axes, which: str = "x", *, thin: bool | str = True, min_size: float = 6.0
) -> None:
    """Shrink an axis' tick labels until they do not overlap; then, if allowed, thin them.

    ``thin=True`` keeps every second tick of a numeric axis when even the smallest size
    overlaps; ``thin="numeric"`` does so only when every label reads as a number (years
    of cohorts); ``False`` never (ticks that name groups).
    """
    axis = ax.xaxis if which == "x" else ax.yaxis
    side: Literal["x", "y"] = "x" if which == "x" else "y"
    state: dict[str, Any] = {}

    def job(renderer: Any) -> None:
        from matplotlib.ticker import FixedFormatter, FixedLocator

        if "locator" not in state:
            state["locator"] = axis.get_major_locator()
            state["formatter"] = axis.get_major_formatter()
            labels = _tick_labels(axis)
            state["size"] = float(labels[0].get_fontsize()) if labels else 10.0
        axis.set_major_locator(state["locator"])
        axis.set_major_formatter(state["formatter"])
        size = state["size"]
        ax.tick_params(axis=side, labelsize=size)
        while True:
            labels = _tick_labels(axis)
            if not any_overlap([t.get_window_extent(renderer) for t in labels]):
                return
            if size <= min_size:
                break
            size = max(size - _STEP, min_size)
            ax.tick_params(axis=side, labelsize=size)
        if not thin:
            return
        if thin == "numeric" and not all(_numeric(t.get_text()) for t in _tick_labels(axis)):
            return
        for _ in range(4):
            ticks = axis._update_ticks()  # type: ignore[union-attr]
            locs = [t.get_loc() for t in ticks]
            texts = [t.label1.get_text() for t in ticks]
            if len(locs) <= 2:
                return
            keep = _thinned(locs, texts)
            axis.set_major_locator(FixedLocator([locs[i] for i in keep]))
            axis.set_major_formatter(FixedFormatter([texts[i] for i in keep]))
            labels = _tick_labels(axis)
            if not any_overlap([t.get_window_extent(renderer) for t in labels]):
                return

    fitter(ax).jobs.append(job)


def _thinned(locs: Sequence[float], texts: Sequence[str]) -> list[int]:
    """Every second tick, keeping a tick at the reference value (0 or 1) when there is one."""
    anchor = next((i for i, t in enumerate(texts) if t.strip() in ("0", "1", "0%")), 0)
    return [i for i in range(len(locs)) if (i - anchor) % 2 == 0]


def _numeric(text: str) -> bool:
    try:
        float(text.replace("\u2212", "-").replace("%", ""))
    except ValueError:
        return False
    return True
