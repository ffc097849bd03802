"""Group summaries: a mean and its 95% interval per group, never one mark per person.

The aggregate views of seniority reach and boldness, and the chart a report draws from
a released summary table (``n, mean, ci_low, ci_high`` per group).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, ColumnError
from ._common import SUPPRESSED, by_label, column_label, get_ax, note
from ._compose import (
    Labels,
    Palette,
    apply_title,
    check_legend,
    resolve_labels,
    resolve_order,
    resolve_palette,
    wants_legend,
)
from ._rows import Row, draw_rows, facet_positions, finish, group_handles, legend_after_column
from ._style import NEUTRAL, group_markers

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

SUMMARY_COLUMNS = ["n", "mean", "ci_low", "ci_high"]

#: Axis limits fixed by each variable's scale (never by the data's extremes).
SCALE_LIMITS: dict[str, tuple[float, float]] = {
    "seniority_gap": (-5.0, 5.0),
    "boldness_index": (0.0, 1.0),
    "reach": (0.0, 1.0),
    "distance": (0.0, 1.0),
    "initiation": (0.0, 1.0),
    "participant_level": (1.0, 6.0),
    "mentor_level": (1.0, 6.0),
    "level_after": (1.0, 6.0),
    "level_change": (-5.0, 5.0),
    "career_satisfaction": (1.0, 5.0),
}

_NAMES: dict[str, str] = {
    "boldness_index": "Boldness index",
    "reach": "Reach",
    "distance": "Distance",
    "initiation": "Initiation",
    "seniority_gap": "Seniority gap",
}


def group_summaries(
    frame: pd.DataFrame, by: str, columns: Sequence[str], groups: Sequence[Any]
) -> pd.DataFrame:
    """n, mean and 95% t interval of each column in each group (as ``compare_groups``).

    Returns
    -------
    DataFrame
        Columns ``variable, group, n, mean, ci_low, ci_high``; one row per column and
        group (a group with no values has n = 0 and NaN statistics).
    """
    from ..stats.continuous import describe

    rows = []
    keys = frame[by].astype(object).map(lambda v: None if pd.isna(v) else str(v))
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        for g in groups:
            x = values[(keys == str(g)).to_numpy(dtype=bool)].to_numpy(dtype=float)
            d = describe(x, 0.05)
            rows.append(
                {
                    "variable": column,
                    "group": g,
                    "n": int(d["n"]),
                    "mean": d["mean"],
                    "ci_low": d["ci_low"],
                    "ci_high": d["ci_high"],
                }
            )
    return pd.DataFrame(rows, columns=["variable", "group", *SUMMARY_COLUMNS])


def _limits(variables: Sequence[str], table: pd.DataFrame, limits: Any) -> tuple[float, float]:
    if limits is not None:
        lo, hi = (float(v) for v in limits)
        if not lo < hi:
            raise AnalysisError(f"limits must be (low, high) with low < high, not {limits!r}.")
        return lo, hi
    known = [SCALE_LIMITS[v] for v in variables if v in SCALE_LIMITS]
    if known:
        return min(k[0] for k in known), max(k[1] for k in known)
    # no known scale: the released means and interval limits (never anyone's value)
    values = table[["mean", "ci_low", "ci_high"]].to_numpy(dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo or max(abs(hi), 1.0)
    return lo - 0.1 * span, hi + 0.1 * span


def draw_summaries(
    ax: Axes,
    table: pd.DataFrame,
    variables: Sequence[Any],
    groups: Sequence[Any],
    *,
    by: str | None,
    hidden: Mapping[Any, bool] | None = None,
    palette: Palette = None,
    labels: Labels = None,
    variable_labels: Mapping[Any, str] | None = None,
    legend: bool | str = "auto",
    limits: Any = None,
    xlabel: str | None = None,
    reference: float | None = None,
    empty_text: str = "no values (n = 0)",
) -> list[Row]:
    """Mean and interval rows from a tidy ``variable, group, n, mean, ci_low, ci_high``."""
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    names = resolve_labels(labels, groups)
    groups_as_rows = len(variables) <= 1
    ys, pitch = facet_positions(1 if groups_as_rows else len(variables), len(groups))
    rows: list[Row] = []
    hidden = hidden or {}
    for i, variable in enumerate(variables):
        for j, group in enumerate(groups):
            y = float(ys[0 if groups_as_rows else i, j])
            gid = f"{variable}:{group}" if not groups_as_rows else f"{group}"
            hit = table[
                (table["variable"].astype(str) == str(variable))
                & (table["group"].astype(str) == str(group))
            ]
            if hit.empty:
                rows.append(Row(y, np.nan, np.nan, np.nan, empty_text, colours[group], gid))
                continue
            r = hit.iloc[0]
            n = pd.to_numeric(pd.Series([r["n"]]), errors="coerce").iloc[0]
            stats = [float(pd.to_numeric(r[c], errors="coerce")) for c in SUMMARY_COLUMNS[1:]]
            withheld = (
                bool(hidden.get(group, False))
                or bool(r.get("suppressed", False))
                or (pd.isna(n) and all(np.isnan(stats)))
                or (not pd.isna(n) and n > 0 and np.isnan(stats[0]))
            )
            if withheld:
                text = SUPPRESSED
            elif pd.isna(n):
                text = "n withheld"
            elif n == 0:
                text = empty_text
            else:
                text = f"{int(n)}"
            rows.append(
                Row(
                    y,
                    stats[0],
                    stats[1],
                    stats[2],
                    text,
                    colours[group],
                    gid,
                    hidden=withheld,
                    marker=markers[group],
                    prefix="mean",
                )
            )
    if reference is not None:
        ax.axvline(reference, color=NEUTRAL, linewidth=0.9, linestyle="--", zorder=1)
    texts = draw_rows(ax, rows, pitch=pitch)
    lo, hi = _limits([str(v) for v in variables], table, limits)
    pad = 0.02 * (hi - lo)
    ax.set_xlim(lo - pad, hi + pad)
    if groups_as_rows:
        ticks = [names[g] for g in groups]
    else:
        shown = variable_labels or {}
        ticks = [shown.get(v, _NAMES.get(str(v), column_label(str(v)))) for v in variables]
    if xlabel is None:
        first = str(variables[0]) if variables else ""
        what = _NAMES.get(first, column_label(first)) if len(variables) == 1 and first else ""
        xlabel = f"{what}: mean and 95% CI" if what else "Mean and 95% CI"
    ax.set_xlabel(xlabel)
    finish(
        ax,
        n_facets=1 if groups_as_rows else len(variables),
        tick_labels=ticks,
        header="n",
        texts=texts,
    )
    if wants_legend(legend, needed=not groups_as_rows and bool(groups)):
        handles = group_handles(groups, colours, markers, names)
        legend_after_column(ax, handles, rows, "n", by_label(by).capitalize() if by else None)
    if not groups or not variables:
        note(ax, "no groups to show")
    elif all(not r.drawable for r in rows):
        note(ax, "no means to show: every group is empty or suppressed")
    return rows


def released_summaries(table: Any, by: str | None) -> tuple[pd.DataFrame, list[Any], list[Any]]:
    """Tidy rows of a released summary table (index group; n, mean, ci_low, ci_high)."""
    if not isinstance(table, pd.DataFrame):
        raise AnalysisError(
            "table must be a DataFrame of released group summaries (index = group; columns "
            f"n, mean, ci_low, ci_high; optionally variable), not {type(table).__name__}."
        )
    missing = [c for c in SUMMARY_COLUMNS if c not in table.columns]
    if missing:
        raise ColumnError(
            f"The summary table needs columns n, mean, ci_low, ci_high; missing {missing}. "
            f"Available: {[str(c) for c in table.columns]}."
        )
    frame = table.copy()
    if "group" not in frame.columns:
        if by is not None and by in frame.columns:
            frame = frame.rename(columns={by: "group"})
        else:
            frame = frame.rename_axis("group").reset_index()
    if "variable" not in frame.columns:
        frame["variable"] = ""
    for c in SUMMARY_COLUMNS:
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    variables = list(dict.fromkeys(frame["variable"]))
    groups = list(dict.fromkeys(frame["group"]))
    return frame, variables, groups


def plot_group_summary(
    table: pd.DataFrame,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    variable_labels: Mapping[Any, str] | None = None,
    title: str | None = None,
    legend: bool | str = "auto",
    limits: tuple[float, float] | None = None,
    reference: float | None = None,
    xlabel: str | None = None,
) -> Axes:
    """Group means with their intervals, from a table of released numbers only.

    One row per group: a marker at the mean, a line over its interval and the group's
    n in a column on the right.  Nothing is computed; no individual value, minimum or
    maximum is drawn.  A row that is all NaN (or whose mean is NaN while n is not 0)
    is drawn as "suppressed".

    Parameters
    ----------
    table : DataFrame
        Index = group (or a ``group`` column); columns ``n, mean, ci_low, ci_high``.
        With a ``variable`` column (a long table, e.g. the four boldness scores),
        one block of rows per variable with the groups dodged inside it.
    by : str, optional
        What the groups are (``"gender"`` picks the fixed gender colours).
    ax : matplotlib Axes, optional
        Where to draw.
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).
    variable_labels : dict, optional
        Display text of the variables.
    limits : (float, float), optional
        The value axis' range.  Default: the variable's scale when it is known
        (boldness scores 0 to 1, seniority gap -5 to 5, levels 1 to 6); else the
        released means and interval limits with a margin.
    reference : float, optional
        Draw a dashed line at this value (e.g. 0 for the seniority gap).
    xlabel : str, optional
        The value axis' label.

    Returns
    -------
    matplotlib.axes.Axes
        Means carry ``gid="mean:<group>"`` (``"mean:<variable>:<group>"`` in a long
        table), intervals ``"ci:..."``, the n column ``"n:..."``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> released = pd.DataFrame({"n": [40, 38, np.nan], "mean": [0.8, 0.4, np.nan],
    ...                          "ci_low": [0.5, 0.1, np.nan], "ci_high": [1.1, 0.7, np.nan]},
    ...                         index=["woman", "man", "non_binary"])
    >>> ax = maplot.plot_group_summary(released, by="gender", limits=(-5, 5))
    >>> [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n:")]
    ['40', '38', 'suppressed']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    frame, variables, present = released_summaries(table, by)
    groups = resolve_order(order, present)
    ax = get_ax(ax, (7.0, 1.3 + 0.32 * len(groups) * max(1, len(variables))))
    draw_summaries(
        ax,
        frame,
        variables,
        groups,
        by=by,
        palette=palette,
        labels=labels,
        variable_labels=variable_labels,
        legend=legend,
        limits=limits,
        xlabel=xlabel,
        reference=reference,
    )
    apply_title(ax, title)
    return ax
