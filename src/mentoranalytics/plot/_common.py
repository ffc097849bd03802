"""Helpers shared by the charts: axes, group order, labels, notes and suppression.

Nothing here imports matplotlib at import time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._conventions import group_order as _group_order
from ..exceptions import AnalysisError, require_columns
from ._style import NEUTRAL

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

#: The text drawn wherever disclosure control withheld a value.
SUPPRESSED = "suppressed"
#: The text drawn for an estimate a released table withholds (a NaN row).
WITHHELD = "withheld"

#: Mask columns that stand for a whole row (a group's n or total): when suppressed,
#: every value of that row is withheld.
ROW_WIDE = frozenset({"n", "events", "rate", "total", "Total", "all", "All", "count"})
#: Mask rows that are margins, not groups.
MARGIN_ROWS = frozenset({"total", "Total", "all", "All", "overall"})


# --------------------------------------------------------------------------------------
# Axes and figures
# --------------------------------------------------------------------------------------


def get_ax(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """Return ``ax``; else the current Axes of an open pyplot figure; else a new one."""
    if ax is not None:
        from matplotlib.axes import Axes as _Axes

        if not isinstance(ax, _Axes):
            raise AnalysisError(
                f"ax must be a matplotlib Axes (e.g. from plt.subplots()), not "
                f"{type(ax).__name__} {ax!r:.40}; leave it out to draw on the current Axes."
            )
        return ax
    import matplotlib.pyplot as plt

    if plt.get_fignums():
        return plt.gca()
    _, new = plt.subplots(figsize=figsize, layout="constrained")
    return new


def new_figure(fig: Figure | SubFigure | None, figsize: tuple[float, float]) -> Figure | SubFigure:
    """Return ``fig`` cleared of nothing (used as is), or a new constrained-layout figure."""
    if fig is not None:
        from matplotlib.figure import FigureBase

        if not isinstance(fig, FigureBase):
            raise AnalysisError(
                f"fig must be a matplotlib Figure or SubFigure, not {type(fig).__name__}; "
                "leave it out to draw a new figure."
            )
        return fig
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained")


def note(ax: Axes, text: str, *, x: float = 0.5, y: float = 0.5, **kwargs: Any) -> Any:
    """Write an explanatory note on the axes (used instead of raising on empty input)."""
    opts: dict[str, Any] = {
        "ha": "center",
        "va": "center",
        "color": NEUTRAL,
        "fontsize": 10,
        "style": "italic",
        "wrap": True,
        "transform": ax.transAxes,
    }
    opts.update(kwargs)
    return ax.text(x, y, text, **opts)


def suppressed_text(ax: Axes, x: float, y: float, **kwargs: Any) -> Any:
    """Draw the word "suppressed" at data position (x, y)."""
    opts: dict[str, Any] = {
        "ha": "center",
        "va": "center",
        "color": NEUTRAL,
        "fontsize": 9,
        "style": "italic",
    }
    opts.update(kwargs)
    return ax.text(x, y, SUPPRESSED, **opts)


# --------------------------------------------------------------------------------------
# Data, groups, labels
# --------------------------------------------------------------------------------------


def frame_of(data: Any, columns: Iterable[str | None], purpose: str) -> pd.DataFrame:
    """The DataFrame behind ``data`` with ``columns`` (derived ones computed when absent)."""
    from .._derived import with_columns

    frame, _ = with_columns(data, columns, purpose=purpose)
    return frame


def group_order(values: pd.Series, column: str | None = None) -> list[Any]:
    """Groups present in ``values`` in display order: the package's one group order
    (:func:`mentoranalytics._conventions.group_order`: schema categories, then a
    pandas categorical's order, then sorted, with no before yes)."""
    return _group_order(values, column)


def category_label(value: Any) -> str:
    """Display text of a category or group value (``non_binary`` -> ``non binary``)."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def column_label(column: str) -> str:
    """Display text of a column: its one label (:func:`mentoranalytics.schema.display_label`),
    the same in every chart, table and sentence."""
    from ..schema import display_label

    return display_label(column)


def by_label(by: str) -> str:
    """Short display text of a grouping column (``gender`` -> ``gender``)."""
    return str(by).replace("_", " ")


def fmt_pct(value: float, digits: int = 0) -> str:
    """A proportion as a percentage string; empty for NA."""
    if value is None or pd.isna(value):
        return ""
    return f"{100 * value:.{digits}f}%"


def fmt_count(events: Any, n: Any) -> str:
    """``"k/n"`` for a rate's numerator and denominator."""
    return f"{int(events)}/{int(n)}"


def fmt_estimate(value: float) -> str:
    """A number to 2 significant decimals for on-chart labels (3 below 0.1)."""
    if value is None or pd.isna(value):
        return ""
    if value != 0 and abs(value) < 0.1:
        return f"{value:.3f}"
    return f"{value:.2f}"


# --------------------------------------------------------------------------------------
# Disclosure control
# --------------------------------------------------------------------------------------


def _mask_frame(suppressed: Any) -> pd.DataFrame | pd.Series | None:
    """The boolean mask behind ``suppressed`` (SuppressedTable, mask, or published table)."""
    if suppressed is None:
        return None
    inner = getattr(suppressed, "suppressed", None)
    if isinstance(inner, (pd.DataFrame, pd.Series)):
        return inner.astype("boolean").fillna(True).astype(bool)
    if isinstance(suppressed, pd.DataFrame):
        if all(pd.api.types.is_bool_dtype(t) for t in suppressed.dtypes):
            return suppressed.astype(bool)
        return suppressed.isna()
    if isinstance(suppressed, pd.Series):
        if pd.api.types.is_bool_dtype(suppressed.dtype):
            return suppressed.astype(bool)
        return suppressed.isna()
    if isinstance(suppressed, (set, frozenset, list, tuple)):
        return pd.Series(True, index=pd.Index(list(suppressed), dtype=object))
    raise AnalysisError(
        "suppressed must be a SuppressedTable (from ma.suppress), a boolean mask "
        f"(DataFrame or Series) or a published table with NA cells, not {type(suppressed).__name__}."
    )


def _label_in(label: Any, index: pd.Index) -> Any:
    """``label`` as found in ``index`` (matching by string when types differ), or None."""
    if label in index:
        return label
    text = str(label)
    for item in index:
        if str(item) == text:
            return item
    return None


def cell_mask(suppressed: Any, rows: Sequence[Any], columns: Sequence[Any] = ()) -> pd.DataFrame:
    """Which (row, column) cells of a chart are suppressed.

    Parameters
    ----------
    suppressed : SuppressedTable, DataFrame, Series, mapping, set or None
        * a :class:`~mentoranalytics.privacy.SuppressedTable`: its ``suppressed`` mask;
        * a boolean DataFrame with the chart's rows as index and its columns as columns;
          a suppressed ``n``/``total`` column withholds the whole row;
        * a DataFrame that is not boolean (a published table): its NA cells;
        * a boolean Series (or a set/list of labels) by row: whole rows withheld;
        * a mapping ``{column: any of the above by row}``.
    rows, columns : sequence
        The chart's row and column labels.  With no columns the result has one
        column ``"_row"``.

    Returns
    -------
    DataFrame
        Boolean, index ``rows``, columns ``columns`` (or ``["_row"]``).
    """
    cols = list(columns) if len(columns) else ["_row"]
    out = pd.DataFrame(False, index=pd.Index(list(rows), dtype=object), columns=cols)
    if suppressed is None:
        return out
    if isinstance(suppressed, Mapping):
        for key, sub in suppressed.items():
            col = _label_in(key, pd.Index(cols, dtype=object))
            if col is None:
                continue
            part = cell_mask(sub, rows)["_row"]
            out[col] = out[col] | part
        return out
    mask = _mask_frame(suppressed)
    if mask is None:
        return out
    if isinstance(mask, pd.Series):
        for row in out.index:
            hit = _label_in(row, mask.index)
            if hit is not None and bool(np.asarray(mask.loc[hit]).any()):
                out.loc[row, :] = True
        return out
    if mask.index.nlevels > 1 or (len(mask.columns) and mask.columns.nlevels > 1):
        raise AnalysisError(
            "suppressed: a mask with a MultiIndex cannot be matched to the chart; pass a "
            "mask with the groups as index and the chart's categories as columns."
        )
    row_wide = [
        c for c in mask.columns if str(c) in ROW_WIDE and _label_in(c, pd.Index(cols)) is None
    ]
    for row in out.index:
        hit = _label_in(row, mask.index)
        if hit is None:
            continue
        line = mask.loc[hit]
        if isinstance(line, pd.DataFrame):  # duplicated index labels
            line = line.any()
        whole = bool(line[row_wide].any()) if row_wide else False
        for col in cols:
            mcol = _label_in(col, mask.columns)
            cell = bool(line[mcol]) if mcol is not None else False
            if col == "_row" and mcol is None:
                cell = bool(line.any())
            out.loc[row, col] = cell or whole
    return out


def rates_from_table(table: pd.DataFrame) -> pd.DataFrame:
    """Normalise a precomputed rates table (``n, events, rate, ci_low, ci_high``).

    Rows whose rate or n is NA, or whose ``suppressed`` column is true, are marked
    ``suppressed``.
    """
    require_columns(table, ["n", "rate", "ci_low", "ci_high"], purpose="a rates table")
    out = table.copy()
    n = pd.to_numeric(out["n"], errors="coerce")
    flag = n.isna() | (out["rate"].isna() & (n > 0))
    if "suppressed" in out.columns:
        flag = flag | out["suppressed"].fillna(True).astype(bool)
    out["suppressed"] = flag.astype(bool)
    if "events" not in out.columns:
        out["events"] = np.nan
    return out
