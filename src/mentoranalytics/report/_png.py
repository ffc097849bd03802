"""PNG rendering of a report figure (kept apart from figures.py so that the content model
can render its figures' PNGs without importing the module that makes them)."""

from __future__ import annotations

import io
from typing import Any

#: Deterministic SVG/PNG output: salted ids, text as text.
_RC: dict[str, Any] = {"svg.hashsalt": "mentoranalytics", "svg.fonttype": "none"}


def render_png(fig: Any, *, dpi: int = 150) -> bytes:
    """Render a figure to PNG bytes without a timestamp or software tag (at its own size,
    as its SVG: see :func:`~mentoranalytics.report.figures.render_figure`)."""
    import matplotlib as mpl

    from ..plot._autofit import fitted_once

    with mpl.rc_context(_RC), fitted_once(fig):  # type: ignore[arg-type]
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
