"""Kaplan-Meier curves of time to promotion with a numbers-at-risk table."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, SmallSampleWarning
from ._common import (
    SUPPRESSED,
    _mask_frame,
    by_label,
    category_label,
    cell_mask,
    get_ax,
    group_order,
    note,
)
from ._style import NEUTRAL, group_colors

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes


def _nice_times(t_max: float) -> list[float]:
    """0 and multiples of a round number of months up to ``t_max`` (at most 7 ticks)."""
    if not np.isfinite(t_max) or t_max <= 0:
        return [0.0]
    for step in (1, 2, 3, 6, 12, 24, 36, 60, 120):
        if t_max / step <= 6:
            break
    return [float(v) for v in np.arange(0, t_max + 1e-9, step)]


def _float_columns(mask: pd.DataFrame) -> pd.DataFrame:
    cols: list[Any] = []
    for c in mask.columns:
        try:
            cols.append(float(c))
        except (TypeError, ValueError):
            cols.append(c)
    out = mask.copy()
    out.columns = pd.Index(cols, dtype=object)
    return out


def plot_km(
    data_or_result: Any,
    *,
    by: str | None = "gender",
    time: str = "months_to_promotion",
    outcome: str = "promoted",
    followup: str = "followup_months",
    event: Any = None,
    at_risk_times: Sequence[float] | None = None,
    kind: str = "cumulative",
    suppressed: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Kaplan-Meier curves of time to promotion by group, with bands and numbers at risk.

    By default the curves show the cumulative proportion promoted (1 - Kaplan-Meier
    survival), which rises over time: "by month 24, about 40% of women had been
    promoted".  ``kind="survival"`` shows the proportion not yet promoted instead.
    Shaded bands are the pointwise 95% intervals of :func:`mentoranalytics.kaplan_meier`;
    ticks on a curve mark people whose follow-up ended without promotion (censored).
    Under the axes, the number of people still followed and not yet promoted (at
    risk) at each time on the x axis.

    Parameters
    ----------
    data_or_result : Cohort, DataFrame or KaplanMeierResult
        Records (passed to :func:`mentoranalytics.kaplan_meier` with ``by``,
        ``time``, ``outcome``, ``followup``, ``event``) or its result.
    by : str or None, default="gender"
        The grouping column (ignored for a result).
    time, outcome, followup : str
        Columns for months to promotion, promoted yes/no and months of follow-up.
    event : optional
        The value of ``outcome`` that counts as the event (default: yes), as in
        :func:`mentoranalytics.kaplan_meier`.
    at_risk_times : sequence of float, optional
        Months at which to count people at risk; also the x ticks.  Default: 0 and
        round steps (6, 12, ... months) up to the longest follow-up.
    kind : {"cumulative", "survival"}, default="cumulative"
        Cumulative proportion promoted, or proportion not yet promoted.
    suppressed : SuppressedTable, DataFrame, Series, set or None, default=None
        Disclosure control.  A mask with groups as index and the at-risk times as
        columns (e.g. ``ma.suppress`` of the at-risk table pivoted wide) replaces those
        counts with "suppressed"; a mask by group (Series or set) withholds a group's
        whole curve; a group whose every count is suppressed loses its curve too.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        Curves carry ``gid="curve:<group>"``, bands ``"band:<group>"``, at-risk
        counts ``"at_risk:<group>:<time>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman"] * 3 + ["man"] * 3,
    ...                    "promoted": [True, False, True, True, True, False],
    ...                    "months_to_promotion": [6, None, 20, 3, 9, None],
    ...                    "followup_months": [24] * 6})
    >>> ax = maplot.plot_km(df, at_risk_times=[0, 12, 24])
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "at_risk:woman:12"]
    ['2']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    if kind not in ("cumulative", "survival"):
        raise AnalysisError(f"kind must be 'cumulative' or 'survival', not {kind!r}.")
    result = data_or_result
    wanted_groups: list[Any] = []
    problem = None
    if not hasattr(data_or_result, "at_risk"):
        from .._frame import as_frame
        from ..stats import kaplan_meier

        frame = as_frame(data_or_result)
        if by is not None and by in frame.columns:
            wanted_groups = group_order(frame[by], by)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SmallSampleWarning)
                result = kaplan_meier(
                    frame, by=by, time=time, outcome=outcome, followup=followup, event=event
                )
        except AnalysisError as exc:
            result, problem = None, str(exc)
    else:
        by = getattr(result, "by", by)
    ax = get_ax(ax, (8.0, 5.6))
    if result is None:
        note(ax, f"No Kaplan-Meier curve can be drawn.\n{problem}", fontsize=9)
        ax.set_title("Time to promotion")
        return ax
    table: pd.DataFrame = result.table
    groups = list(result.groups)
    extra = [g for g in wanted_groups if g not in groups]
    t_max = float(table["time"].max()) if len(table) else 0.0
    times = [float(t) for t in at_risk_times] if at_risk_times is not None else _nice_times(t_max)
    at_risk = result.at_risk(times)
    raw_mask = _mask_frame(suppressed)
    if isinstance(raw_mask, pd.DataFrame):
        cells = cell_mask(_float_columns(raw_mask), groups, times)
        hidden = cells.all(axis=1)
    else:
        cells = cell_mask(None, groups, times)
        hidden = cell_mask(suppressed, groups)["_row"]
    colours = group_colors(groups + extra, by)
    cumulative = kind == "cumulative"
    for g in groups:
        if bool(hidden.loc[g]):
            continue
        sub = table[table["group"] == g]
        t = sub["time"].to_numpy(float)
        s = sub["survival"].to_numpy(float)
        lo = sub["ci_low"].to_numpy(float)
        hi = sub["ci_high"].to_numpy(float)
        y, band_lo, band_hi = (1 - s, 1 - hi, 1 - lo) if cumulative else (s, lo, hi)
        n = int(sub["n_at_risk"].iloc[0]) if len(sub) else 0
        (line,) = ax.step(
            t,
            y,
            where="post",
            color=colours[g],
            linewidth=2.0,
            label=f"{category_label(g)} (n = {n})",
            zorder=3,
        )
        line.set_gid(f"curve:{g}")
        band = ax.fill_between(
            t, band_lo, band_hi, step="post", color=colours[g], alpha=0.12, linewidth=0, zorder=2
        )
        band.set_gid(f"band:{g}")
        censored = sub["censored"].to_numpy(int) > 0
        if censored.any():
            ax.plot(
                t[censored],
                y[censored],
                linestyle="none",
                marker="|",
                markersize=7,
                color=colours[g],
                zorder=3,
            )
    right = max(max(times), t_max) or 1.0
    ax.set_xlim(min(min(times), 0.0) - 0.02 * right, right * 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks(np.linspace(0, 1, 6), [f"{v:.0f}%" for v in np.linspace(0, 100, 6)])
    ax.set_xticks(times, [f"{t:g}" for t in times])
    ax.set_xlabel("Months since the programme")
    ax.set_ylabel("Promoted so far (cumulative %)" if cumulative else "Not yet promoted (%)")
    what = "promotion" if outcome == "promoted" else outcome.replace("_", " ")
    title = f"Time to {what}"
    if by is not None:
        title += f", by {by_label(by)}"
    ax.set_title(title + " (Kaplan-Meier, 95% bands)")
    handles, labels = ax.get_legend_handles_labels()
    from matplotlib.lines import Line2D

    for g in groups:
        if bool(hidden.loc[g]):
            handles.append(Line2D([], [], color=NEUTRAL, linestyle=":"))
            labels.append(f"{category_label(g)}: {SUPPRESSED}")
    for g in extra:
        handles.append(Line2D([], [], color=colours[g], linestyle=":"))
        labels.append(f"{category_label(g)}: no one with follow-up data")
    if handles:
        ax.legend(
            handles,
            labels,
            loc="upper left" if cumulative else "lower left",
            frameon=False,
            fontsize=9,
        )
    _at_risk_table(ax, at_risk, groups, times, cells, hidden, colours)
    return ax


def _at_risk_table(
    ax: Axes,
    at_risk: pd.DataFrame,
    groups: Sequence[Any],
    times: Sequence[float],
    cells: pd.DataFrame,
    hidden: pd.Series,
    colours: dict[Any, str],
) -> None:
    """Numbers at risk written under the x axis, one row per group."""
    top = -46.0
    ax.annotate(
        "Number at risk (followed and not yet promoted)",
        xy=(0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, top),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=8.5,
        color=NEUTRAL,
        style="italic",
    )
    lookup = {
        (g, float(t)): int(n)
        for g, t, n in zip(at_risk["group"], at_risk["time"], at_risk["n_at_risk"], strict=True)
    }
    for k, g in enumerate(groups):
        dy = top - 14.0 * (k + 1)
        ax.annotate(
            category_label(g),
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(-26, dy),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8.5,
            color=colours[g],
            fontweight="bold",
        )
        for t in times:
            if bool(hidden.loc[g]) or bool(cells.loc[g, t]):
                text, size, style = SUPPRESSED, 7.0, "italic"
            else:
                text, size, style = str(lookup.get((g, float(t)), 0)), 8.5, "normal"
            ann = ax.annotate(
                text,
                xy=(t, 0.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, dy),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=size,
                style=style,
                color=colours[g],
                annotation_clip=False,
            )
            ann.set_gid(f"at_risk:{g}:{t:g}")
