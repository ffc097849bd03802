"""Kaplan-Meier curves of time to promotion with a numbers-at-risk table."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, ColumnError, SmallSampleWarning
from ..schema import GENDERS
from . import _autofit
from ._common import (
    SUPPRESSED,
    _mask_frame,
    by_label,
    cell_mask,
    get_ax,
    group_order,
    note,
)
from ._compose import (
    Labels,
    Palette,
    apply_title,
    check_legend,
    legend_right,
    resolve_labels,
    resolve_order,
    resolve_palette,
    wants_legend,
)
from ._style import NEUTRAL, group_linestyles

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

#: Columns of a released Kaplan-Meier step table (``group`` optional).
STEP_COLUMNS = ("time", "survival", "ci_low", "ci_high", "n_at_risk", "group")
#: Height of one row of the numbers-at-risk band, in units of the 0-1 axis.
_ROW = 0.075
_SEP = -0.05
NOT_GIVEN = "–"


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


def _is_step_table(data: Any) -> bool:
    return isinstance(data, pd.DataFrame) and {"time", "survival"} <= set(map(str, data.columns))


def _step_table(table: pd.DataFrame) -> pd.DataFrame:
    """The released step table, checked, with a ``group`` column and numeric values."""
    out = table.copy()
    if "group" not in out.columns:
        out["group"] = "all"
    for col in ("time", "survival", "ci_low", "ci_high", "n_at_risk"):
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce")
    if out["time"].isna().any():
        raise AnalysisError(
            "The Kaplan-Meier step table has rows without a time; every step needs its time "
            "(columns time, survival, ci_low, ci_high, n_at_risk, group)."
        )
    return out


def _at_risk_given(
    at_risk: Any, steps: pd.DataFrame | None, groups: Sequence[Any], times: Sequence[float]
) -> dict[tuple[str, float], float]:
    """Numbers at risk as given: an ``at_risk`` table, else the step table's own rows.

    Nothing is computed: a time that is not a row of the table has no number.
    """
    source = at_risk
    if source is None:
        if steps is None or "n_at_risk" not in steps.columns:
            return {}
        source = steps
    if not isinstance(source, pd.DataFrame):
        raise AnalysisError(
            "at_risk must be a DataFrame with columns group, time, n_at_risk (NaN = "
            f"suppressed), not {type(source).__name__}."
        )
    frame = source if "group" in source.columns else source.assign(group="all")
    missing = [c for c in ("time", "n_at_risk") if c not in frame.columns]
    if missing:
        raise ColumnError(
            f"at_risk needs columns group, time, n_at_risk; missing {missing}. "
            f"Available: {[str(c) for c in frame.columns]}."
        )
    out: dict[tuple[str, float], float] = {}
    wanted = {float(t) for t in times}
    for g, t, n in zip(frame["group"], frame["time"], frame["n_at_risk"], strict=True):
        t = float(t)
        if t in wanted and (str(g), t) not in out:
            out[(str(g), t)] = float(n) if pd.notna(n) else np.nan
    return out


def _step_times(steps: pd.DataFrame, at_risk_times: Sequence[float] | None) -> list[float]:
    if at_risk_times is not None:
        return [float(t) for t in at_risk_times]
    distinct = sorted({float(t) for t in steps["time"]})
    t_max = max(distinct, default=0.0)
    on_grid = [t for t in _nice_times(t_max) if t in distinct]
    if len(on_grid) >= 2:
        return on_grid
    if len(distinct) <= 7:
        return distinct
    picks = np.unique(np.round(np.linspace(0, len(distinct) - 1, 7)).astype(int))
    return [distinct[i] for i in picks]


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
    at_risk: pd.DataFrame | None = None,
    individual: bool = False,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """Kaplan-Meier curves of time to promotion by group, with bands and numbers at risk.

    By default the curves show the cumulative proportion promoted (1 - Kaplan-Meier
    survival), which rises over time: "by month 24, about 40% of women had been
    promoted".  ``kind="survival"`` shows the proportion not yet promoted instead.
    Shaded bands are the pointwise 95% intervals; each group has its own colour and
    line style.  In a band under the curves, the number of people still followed and
    not yet promoted (at risk) at each time on the x axis.

    Parameters
    ----------
    data_or_result : Cohort, DataFrame, KaplanMeierResult or step table
        * records (passed to :func:`mentoranalytics.kaplan_meier` with ``by``,
          ``time``, ``outcome``, ``followup``, ``event``) or its result: every step of the
          estimate is drawn, which on a small cohort is one person's time each;
        * a released step table (columns ``time, survival, ci_low, ci_high,
          n_at_risk, group``, e.g. after a release gate coarsened the times so that
          every step holds enough events): exactly its steps are drawn, and the
          numbers at risk are its own (or ``at_risk``'s), never computed.
    by : str or None, default="gender"
        The grouping column (ignored for a result or a step table).
    time, outcome, followup : str
        Columns for months to promotion, promoted yes/no and months of follow-up.
    event : optional
        The value of ``outcome`` that counts as the event (default: yes), as in
        :func:`mentoranalytics.kaplan_meier`.
    at_risk_times : sequence of float, optional
        Months at which to show the numbers at risk; also the x ticks.  Default: 0
        and round steps (6, 12, ... months) up to the longest follow-up; for a step
        table, the round steps that are rows of the table (else its own times).
    kind : {"cumulative", "survival"}, default="cumulative"
        Cumulative proportion promoted, or proportion not yet promoted.
    suppressed : SuppressedTable, DataFrame, Series, set or None, default=None
        Disclosure control.  A mask with groups as index and the at-risk times as
        columns (e.g. ``ma.suppress`` of the at-risk table pivoted wide) replaces those
        counts with "suppressed"; a mask by group (Series or set) withholds a group's
        whole curve; a group whose every count is suppressed loses its curve too.
    ax : matplotlib Axes, optional
        Where to draw.
    at_risk : DataFrame, optional
        Released numbers at risk (``group, time, n_at_risk``; NaN = suppressed) for a
        step table; default: the step table's own ``n_at_risk`` at its rows.  A time
        with no given number shows "–".
    individual : bool, default=False
        Also mark each censored follow-up time on the curves (one tick per person:
        internal use only).
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).

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
    legend = check_legend(legend)
    result = data_or_result
    wanted_groups: list[Any] = []
    problem = None
    steps: pd.DataFrame | None = None
    if _is_step_table(data_or_result):
        steps = _step_table(data_or_result)
        result = None
        if by == "gender" and not steps["group"].astype(str).isin(GENDERS).all():
            by = None  # the default names no column of a step table: colours by position
    elif not hasattr(data_or_result, "at_risk"):
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
    if steps is None and result is None:
        note(ax, f"No Kaplan-Meier curve can be drawn.\n{problem}", fontsize=9)
        apply_title(ax, title)
        return ax
    if steps is not None:
        table = steps
        present = list(dict.fromkeys(steps["group"]))
        times = _step_times(steps, at_risk_times)
        given = _at_risk_given(at_risk, steps, present, times)
    else:
        table = result.table
        present = list(result.groups)
        t_max = float(table["time"].max()) if len(table) else 0.0
        times = (
            [float(t) for t in at_risk_times] if at_risk_times is not None else _nice_times(t_max)
        )
        counted = result.at_risk(times)
        given = {
            (str(g), float(t)): float(n)
            for g, t, n in zip(counted["group"], counted["time"], counted["n_at_risk"], strict=True)
        }
    groups = resolve_order(order, present + [g for g in wanted_groups if g not in present])
    drawn = [g for g in groups if any(str(g) == str(p) for p in present)]
    extra = [g for g in groups if g not in drawn]
    raw_mask = _mask_frame(suppressed)
    if isinstance(raw_mask, pd.DataFrame):
        cells = cell_mask(_float_columns(raw_mask), groups, times)
        hidden = cells.all(axis=1)
    else:
        cells = cell_mask(None, groups, times)
        hidden = cell_mask(suppressed, groups)["_row"]
    colours = resolve_palette(palette, groups, by=by)
    styles = group_linestyles(groups, by)
    names = resolve_labels(labels, groups)
    cumulative = kind == "cumulative"
    handles: list[Any] = []
    texts: list[str] = []
    from matplotlib.lines import Line2D

    for g in drawn:
        if bool(hidden.loc[g]):
            handles.append(Line2D([], [], color=NEUTRAL, linestyle=":"))
            texts.append(f"{names[g]}: {SUPPRESSED}")
            continue
        sub = table[table["group"].astype(str) == str(g)].sort_values("time", kind="stable")
        t = sub["time"].to_numpy(float)
        s = sub["survival"].to_numpy(float)
        y = 1 - s if cumulative else s
        (line,) = ax.step(
            t,
            y,
            where="post",
            color=colours[g],
            linestyle=styles[g],
            linewidth=2.0,
            zorder=3,
        )
        line.set_gid(f"curve:{g}")
        if {"ci_low", "ci_high"} <= set(sub.columns):
            lo = sub["ci_low"].to_numpy(float)
            hi = sub["ci_high"].to_numpy(float)
            band_lo, band_hi = (1 - hi, 1 - lo) if cumulative else (lo, hi)
            band = ax.fill_between(
                t,
                band_lo,
                band_hi,
                step="post",
                color=colours[g],
                alpha=0.12,
                linewidth=0,
                zorder=2,
            )
            band.set_gid(f"band:{g}")
        if individual and "censored" in sub.columns:
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
        n0 = sub["n_at_risk"].iloc[0] if "n_at_risk" in sub.columns and len(sub) else np.nan
        handles.append(Line2D([], [], color=colours[g], linestyle=styles[g], linewidth=2.0))
        texts.append(f"{names[g]} (n = {int(n0)})" if pd.notna(n0) else names[g])
    for g in extra:
        handles.append(Line2D([], [], color=colours[g], linestyle=":"))
        texts.append(f"{names[g]}: no one with follow-up data")
    t_max = float(table["time"].max()) if len(table) else 0.0
    right = max(max(times), t_max) or 1.0
    left = min(min(times), 0.0)
    ax.set_xlim(left - 0.07 * (right - left), right + 0.07 * (right - left))
    ax.set_xticks(times, [f"{t:g}" for t in times])
    ax.set_xlabel("Months since the programme")
    ax.set_ylabel("Promoted so far (cumulative %)" if cumulative else "Not yet promoted (%)")
    band_rows = [g for g in drawn] if given else []
    _at_risk_band(ax, given, band_rows, times, cells, hidden, colours, names)
    _autofit.fit_ticks(ax, "x", thin=True)
    _autofit.fit_ticks(ax, "y", thin=False)
    if wants_legend(legend, needed=bool(handles)):
        legend_right(ax, handles, texts, title=by_label(by).capitalize() if by else None)
    apply_title(ax, title)
    return ax


def _at_risk_band(
    ax: Axes,
    given: dict[tuple[str, float], float],
    groups: Sequence[Any],
    times: Sequence[float],
    cells: pd.DataFrame,
    hidden: pd.Series,
    colours: dict[Any, str],
    names: dict[Any, str],
) -> None:
    """Numbers at risk in a band under the curves (inside the axes), one row per group.

    The rows are named by minor y tick labels, so the band never collides with the
    axis labels, whatever the size of the panel.
    """
    ticks = np.linspace(0, 1, 6)
    ax.set_yticks(ticks, [f"{v:.0f}%" for v in 100 * ticks])
    if not groups:
        ax.set_ylim(-0.02, 1.02)
        return
    bottom = _SEP - (len(groups) + 1) * _ROW
    ax.set_ylim(bottom, 1.02)
    ax.axhspan(bottom, _SEP, color="#F4F4F4", zorder=0, linewidth=0)
    ax.axhline(_SEP, color="#D0D0D0", linewidth=0.8, zorder=1)
    rows = [_SEP - (k + 1.5) * _ROW for k in range(len(groups))]
    ax.set_yticks(
        [_SEP - 0.5 * _ROW, *rows],
        ["Number at risk", *[names[g] for g in groups]],
        minor=True,
    )
    ax.tick_params(axis="y", which="minor", length=0, labelsize=8.5)
    minor = ax.yaxis.get_minorticklabels()
    if minor:
        minor[0].set_fontstyle("italic")
        minor[0].set_color(NEUTRAL)
    for label, g in zip(minor[1:], groups, strict=False):
        label.set_color(colours[g])
    texts = []
    for k, g in enumerate(groups):
        for t in times:
            number = given.get((str(g), float(t)))
            if (
                bool(hidden.loc[g])
                or bool(cells.loc[g, t])
                or (number is not None and np.isnan(number))
            ):
                text, size, style = SUPPRESSED, 7.0, "italic"
            elif number is None:
                text, size, style = NOT_GIVEN, 8.5, "normal"
            else:
                text, size, style = str(int(number)), 8.5, "normal"
            item = ax.text(
                t,
                rows[k],
                text,
                ha="center",
                va="center",
                fontsize=size,
                style=style,
                color=colours[g],
            )
            item.set_in_layout(False)
            item.set_gid(f"at_risk:{g}:{t:g}")
            texts.append(item)
    _autofit.no_overlap(ax, texts, min_size=4.0, inside=True)
