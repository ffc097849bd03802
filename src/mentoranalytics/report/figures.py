"""Render matplotlib figures to SVG and PNG deterministically (same input, same bytes)."""

from __future__ import annotations

import io
from typing import Any

from .model import FigureBlock


def render_figure(
    fig: Any, name: str, caption: str, *, alt: str = "", dpi: int = 110
) -> FigureBlock:
    """Render ``fig`` to SVG text and PNG bytes, close it, and return a :class:`FigureBlock`.

    SVG ids are salted with a constant and dates are left out, so the same figure
    always gives the same bytes.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    try:
        with mpl.rc_context({"svg.hashsalt": "mentoranalytics", "svg.fonttype": "path"}):
            svg_buf = io.StringIO()
            fig.savefig(svg_buf, format="svg", bbox_inches="tight", metadata={"Date": None})
            png_buf = io.BytesIO()
            fig.savefig(
                png_buf, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None}
            )
    finally:
        plt.close(fig)
    svg = svg_buf.getvalue()
    start = svg.find("<svg")  # drop the XML prolog and DOCTYPE so the SVG can be inlined
    return FigureBlock(
        name=name, caption=caption, svg=svg[start:], png=png_buf.getvalue(), alt=alt or caption
    )
