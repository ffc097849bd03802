"""Row charts: one estimate per row with its interval, and its n in a column on the right.

The rate charts, the group-summary charts (means with intervals) and the aggregate views
of seniority reach and boldness all draw this way: rows grouped in facets (an outcome,
a component) with one row per group, dodged; a marker (shape and colour per group) and
its interval; the n or ``events/n`` of each row in a column just right of the axes; a
withheld row shows a word ("suppressed") instead of any mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from . import _autofit
from ._compose import legend_right, text_width_pt
from ._style import NEUTRAL

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Gap between the axes and the n column (points).
COLUMN_GAP = 6.0
COLUMN_SIZE = 9.0


@dataclass
class Row:
    """One drawn row: an estimate and its interval, or a word when it has none."""

    y: float
    value: float
    low: float
    high: float
    text: str
    colour: str
    gid: str
    hidden: bool = False
    marker: str = "o"
    filled: bool = True
    word: str | None = None
    prefix: str = "rate"

    @property
    def drawable(self) -> bool:
        return not self.hidden and bool(np.isfinite(self.value))


def facet_positions(n_facets: int, n_groups: int) -> tuple[np.ndarray, float]:
    """y of each (facet, group) row and the spacing between dodged rows.

    With one facet the groups are the rows (y = 0, 1, ...); with several, each facet
    holds its groups around y = facet index.
    """
    if n_facets <= 1:
        return np.arange(n_groups, dtype=float)[None, :], 1.0
    height = min(0.24, 0.72 / max(1, n_groups))
    offsets = (np.arange(n_groups) - (n_groups - 1) / 2) * height
    return np.arange(n_facets, dtype=float)[:, None] + offsets[None, :], height


def column_transform(ax: Axes) -> Any:
    """x in axes fraction shifted right by :data:`COLUMN_GAP` points, y in data."""
    from matplotlib.transforms import offset_copy

    fig = cast("Figure", ax.figure)
    return offset_copy(ax.get_yaxis_transform(), fig=fig, x=COLUMN_GAP, units="points")


def draw_rows(
    ax: Axes,
    rows: Sequence[Row],
    *,
    pitch: float = 1.0,
    kind: str = "point",
    size: float = 7.0,
    orient_bars_from: float = 0.0,
) -> list[Any]:
    """Draw ``rows``; return the texts of the right-hand column.

    ``kind="bar"`` draws a bar from ``orient_bars_from`` to the estimate with the
    interval as an error bar (a rate chart for readers used to bars); "point" a marker.
    """
    transform = column_transform(ax)
    texts = []
    cap = 0.18 * pitch
    for row in rows:
        if row.drawable:
            if kind == "bar":
                bars = ax.barh(
                    row.y,
                    row.value - orient_bars_from,
                    left=orient_bars_from,
                    height=0.8 * pitch,
                    color=row.colour,
                    alpha=0.85 if row.filled else 0.35,
                    edgecolor=row.colour,
                    linewidth=1.0,
                    zorder=2,
                )
                bars.patches[0].set_gid(f"bar:{row.gid}")
            if np.isfinite(row.low) and np.isfinite(row.high):
                (line,) = ax.plot(
                    [row.low, row.high],
                    [row.y, row.y],
                    color=row.colour if kind != "bar" else "black",
                    linewidth=2.0 if kind != "bar" else 1.2,
                    solid_capstyle="butt",
                    zorder=3,
                )
                line.set_gid(f"ci:{row.gid}")
                for end in (row.low, row.high):
                    ax.plot(
                        [end, end],
                        [row.y - cap, row.y + cap],
                        color=row.colour if kind != "bar" else "black",
                        linewidth=1.4 if kind != "bar" else 1.0,
                        zorder=3,
                    )
            if kind != "bar":
                (dot,) = ax.plot(
                    [row.value],
                    [row.y],
                    marker=row.marker,
                    markersize=size,
                    color=row.colour,
                    markerfacecolor=row.colour if row.filled else "white",
                    markeredgewidth=1.6,
                    linestyle="none",
                    zorder=4,
                )
                dot.set_gid(f"{row.prefix}:{row.gid}")
        elif row.word:
            word = ax.text(
                0.5,
                row.y,
                row.word,
                transform=ax.get_yaxis_transform(),
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=9,
            )
            word.set_in_layout(False)
            word.set_gid(f"word:{row.gid}")
            texts.append(word)
        text = ax.text(
            1.0,
            row.y,
            row.text,
            transform=transform,
            ha="left",
            va="center",
            fontsize=COLUMN_SIZE,
            clip_on=False,
            color=row.colour if row.drawable else NEUTRAL,
            style="normal" if row.drawable else "italic",
        )
        text.set_gid(f"n:{row.gid}")
        texts.append(text)
    return texts


def column_width_pt(rows: Sequence[Row], header: str | None) -> float:
    """Width of the right-hand column (points), to place a legend beyond it."""
    items = [r.text for r in rows] + ([header] if header else [])
    widest = max((text_width_pt(t, COLUMN_SIZE) for t in items), default=0.0)
    return COLUMN_GAP + widest + 8.0


def finish(
    ax: Axes,
    *,
    n_facets: int,
    tick_labels: Sequence[str],
    header: str | None,
    texts: Sequence[Any],
) -> None:
    """Y ticks, limits with a header row on top, facet separators and text fitting."""
    n = len(tick_labels)
    ax.set_yticks(range(n), list(tick_labels))
    top = -0.5 - (0.55 if header else 0.0)
    ax.set_ylim(max(n, 1) - 0.5, top)
    if n_facets > 1:
        for i in range(n - 1):
            ax.axhline(i + 0.5, color="#E3E3E3", linewidth=0.8, zorder=0)
    ax.grid(axis="y", visible=False)
    all_texts = list(texts)
    if header:
        head = ax.text(
            1.0,
            -0.5 - 0.3,
            header,
            transform=column_transform(ax),
            ha="left",
            va="center",
            fontsize=COLUMN_SIZE,
            color=NEUTRAL,
            clip_on=False,
        )
        head.set_gid("header")
        all_texts.append(head)
    _autofit.no_overlap(ax, all_texts)
    _autofit.fit_ticks(ax, "y", thin=False, min_size=5.0)
    _autofit.fit_ticks(ax, "x", thin=True)


def group_handles(
    groups: Sequence[Any],
    colours: dict[Any, str],
    markers: dict[Any, str],
    labels: dict[Any, str],
) -> list[Any]:
    """Legend entries: each group's marker in its colour."""
    from matplotlib.lines import Line2D

    return [
        Line2D(
            [],
            [],
            color=colours[g],
            marker=markers[g],
            linewidth=2,
            markersize=6,
            label=labels[g],
        )
        for g in groups
    ]


def legend_after_column(
    ax: Axes, handles: list[Any], rows: Sequence[Row], header: str | None, title: str | None = None
) -> None:
    legend_right(ax, handles, offset_pt=column_width_pt(rows, header), title=title)


def is_missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))
