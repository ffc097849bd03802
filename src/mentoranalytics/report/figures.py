"""Render matplotlib figures to SVG and PNG deterministically (same input, same bytes)."""

from __future__ import annotations

import io
from typing import Any

from ._png import _RC
from .model import FigureBlock


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
