"""Render matplotlib figures to SVG and PNG deterministically (same input, same bytes)."""

from __future__ import annotations

import functools
import io
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import Any

from ._png import _RC
from .model import Block, FigureBlock, Paragraph


def render_figure(fig: Any, name: str, caption: str, *, alt: str = "") -> FigureBlock:
    """Render ``fig`` to SVG text, detach it from pyplot, and return a :class:`FigureBlock`.

    SVG ids are salted with a constant and dates are left out, so the same figure
    always gives the same bytes.  The PNG is rendered later, only if a bundle asks.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    try:
        with mpl.rc_context(_RC):  # type: ignore[arg-type]
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    finally:
        plt.close(fig)  # the figure object stays usable for the PNG
    svg = buf.getvalue()
    start = svg.find("<svg")  # drop the XML prolog and DOCTYPE so the SVG can be inlined
    return FigureBlock(name=name, caption=caption, svg=svg[start:], alt=alt or caption, figure=fig)


#: Environment variable: how many processes draw the report's charts (1 draws them in
#: this process; default 2 where ``os.fork`` is safe, i.e. on Linux).
JOBS_VARIABLE = "MENTORANALYTICS_JOBS"


def draw_figure(draw: Callable[[], Any]) -> Any:
    """Call a chart's draw function in the package theme; return its Figure."""
    from .. import plot

    with plot.theme():
        drawn = draw()
    return drawn if hasattr(drawn, "savefig") else drawn.figure


def _render_one(name: str, caption: str, draw: Callable[[], Any]) -> FigureBlock | Paragraph:
    import matplotlib.pyplot as plt

    from ..exceptions import MentorAnalyticsError

    try:
        fig = draw_figure(draw)
    except MentorAnalyticsError as exc:
        plt.close("all")
        return Paragraph(f"Chart not drawn: {exc}", kind="note")
    return render_figure(fig, name, caption)


def _drawn_again(name: str, caption: str, draw: Callable[[], Any]) -> Any:
    """The figure drawn and rendered to SVG again, in the state a PNG is rendered from."""
    return render_figure(draw_figure(draw), name, caption).figure


def _jobs() -> int:
    value = os.environ.get(JOBS_VARIABLE, "")
    if value.strip().isdigit():
        return max(1, int(value))
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1  # fork is unsafe on macOS and absent on Windows
    return min(2, os.cpu_count() or 1)


def render_charts(charts: Sequence[tuple[str, str, Callable[[], Any]]]) -> dict[str, Block]:
    """Draw and render ``(name, caption, draw)`` charts; return each chart's block by name.

    Rendering SVG is the slowest step of a report, and charts are independent, so with
    two or more processes available (:data:`JOBS_VARIABLE`) a forked child renders every
    second chart while this process renders the others.  The bytes are the same either
    way (rendering is deterministic); a chart the child could not render is rendered
    here, so an error surfaces as it would without the child.
    """
    charts = list(charts)
    if _jobs() < 2 or len(charts) < 4:
        return {name: _render_one(name, caption, draw) for name, caption, draw in charts}
    theirs, ours = charts[1::2], charts[0::2]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        try:
            os.close(read_end)
            done: dict[str, tuple[str, str]] = {}
            for name, caption, draw in theirs:
                try:
                    block = _render_one(name, caption, draw)
                except BaseException:  # the parent renders it again
                    continue
                if isinstance(block, FigureBlock):
                    done[name] = ("svg", block.svg)
                elif isinstance(block, Paragraph):
                    done[name] = ("note", block.text)
            with os.fdopen(write_end, "wb") as out:
                out.write(pickle.dumps(done))
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        blocks = {name: _render_one(name, caption, draw) for name, caption, draw in ours}
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
    child: dict[str, tuple[str, str]] = pickle.loads(data) if data else {}
    for name, caption, draw in theirs:
        kind, text = child.get(name, ("", ""))
        if kind == "svg":
            again = functools.partial(_drawn_again, name, caption, draw)
            blocks[name] = FigureBlock(
                name=name, caption=caption, svg=text, alt=caption, redraw=again
            )
        elif kind == "note":
            blocks[name] = Paragraph(text, kind="note")
        else:
            blocks[name] = _render_one(name, caption, draw)
    return {name: blocks[name] for name, _, _ in charts}
