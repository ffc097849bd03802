"""Charts of follow-up waves: trajectories, interval-censored promotion curves, response.

Each chart draws one aggregate table of the follow-up interface (its columns are frozen)
and nothing else: one marker and one interval per row of the table, the n of each wave
written in a band under the curves.  Nothing is computed from participants.

* trajectory table (per wave and group): ``months, group, n, estimate, ci_low, ci_high``;
* response table (per wave and group): ``months, group, n, events, rate, ci_low, ci_high``;
* interval-censored curve table (per group, at given times): ``group, time, survival,
  ci_low, ci_high`` and optionally ``n_at_risk``.

A result object is read through its ``.at(times)``, ``.table`` or ``.to_frame()``
(whichever gives the table's columns first); the tables are the contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, ColumnError
from ..schema import SCHEMA
from . import _autofit
from ._common import (
    SUPPRESSED,
    by_label,
    column_label,
    fmt_count,
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
from ._style import NEUTRAL, group_linestyles, group_markers
from ._summary import SCALE_LIMITS

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.text import Text

TRAJECTORY_COLUMNS = ("months", "group", "n", "estimate", "ci_low", "ci_high")
RESPONSE_COLUMNS = ("months", "group", "n", "events", "rate", "ci_low", "ci_high")
CURVE_COLUMNS = ("group", "time", "survival", "ci_low", "ci_high")

#: The one group of a table without a ``group`` column.
ALL = "all"
#: Text of a count a table does not give.
NOT_GIVEN = "–"
#: Follow-up yes/no outcomes (their trajectories are shares, drawn on a 0-100% axis).
YES_NO_WAVE = frozenset(
    {
        "responded",
        "promoted",
        "role_change",
        "employer_change",
        "joined_mentor_organisation",
        "in_contact_with_mentor",
    }
)
#: Scales of follow-up outcomes that are not (yet) columns of the cohort schema.
WAVE_SCALES: dict[str, tuple[float, float]] = {"current_level": (1.0, 6.0)}
WAVE_LABELS: dict[str, str] = {"current_level": "Level at the wave (1-6)"}
MONTHS_LABEL = "Months since the programme"

#: The count band under the curves: its top and the height of one row, as fractions of
#: the value axis' span (as the Kaplan-Meier and cohort-trend charts draw theirs).
_BAND_TOP = 0.05
_BAND_ROW = 0.075


# --------------------------------------------------------------------------------------
# reading a table (or a result) into tidy rows
# --------------------------------------------------------------------------------------


def _candidates(data: Any, times: Sequence[float] | None) -> list[tuple[str, Any]]:
    """The frames a result object offers, in the order they are tried."""
    out: list[tuple[str, Any]] = []
    at = getattr(data, "at", None)
    if times is not None and callable(at):
        out.append(("at(times)", lambda: at(list(times))))
    if isinstance(getattr(data, "table", None), pd.DataFrame):
        out.append(("table", lambda: data.table))
    to_frame = getattr(data, "to_frame", None)
    if callable(to_frame):
        out.append(("to_frame()", to_frame))
    return out


def _frame_of(
    data: Any, need: Sequence[str], what: str, times: Sequence[float] | None = None
) -> pd.DataFrame:
    """The table behind ``data``: a DataFrame as given, or a result's table."""
    if isinstance(data, pd.DataFrame):
        return data
    core = [c for c in need if c != "group"]
    tried = []
    for name, get in _candidates(data, times):
        frame = get()
        if isinstance(frame, pd.DataFrame) and set(core) <= set(map(str, frame.columns)):
            return frame
        tried.append(name)
    hint = f" (tried .{', .'.join(tried)}: none has these columns)" if tried else ""
    raise AnalysisError(
        f"{what} needs a DataFrame with columns {list(need)}, or a result whose "
        f".table or .to_frame() has them; got {type(data).__name__}{hint}."
    )


def _tidy(
    data: Any,
    need: Sequence[str],
    what: str,
    *,
    by: str | None,
    x: str,
    times: Sequence[float] | None = None,
    outcome: str | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """A copy of the table with a ``group`` column, numeric values and one row per cell.

    Returns the tidy table and the outcome it holds (from an ``outcome`` column).
    """
    frame = _frame_of(data, need, what, times).copy()
    frame.columns = [str(c) for c in frame.columns]
    if "group" not in frame.columns:
        if by is not None and by in frame.columns:
            frame = frame.rename(columns={by: "group"})
        elif frame.index.name is not None or not isinstance(frame.index, pd.RangeIndex):
            frame = frame.rename_axis("group").reset_index()
        else:
            frame["group"] = ALL
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ColumnError(
            f"{what} needs columns {list(need)}; missing {missing}. "
            f"Available: {[str(c) for c in frame.columns]}."
        )
    if "outcome" in frame.columns:
        held = list(dict.fromkeys(frame["outcome"].dropna().astype(str)))
        if outcome is not None:
            if outcome not in held:
                raise AnalysisError(
                    f"outcome={outcome!r} is not in the table's outcome column; it holds {held}."
                )
            frame = frame[frame["outcome"].astype(str) == outcome]
        elif len(held) > 1:
            raise AnalysisError(
                f"{what} holds several outcomes {held}; choose one with outcome=..., "
                f"e.g. outcome={held[0]!r}."
            )
        elif held:
            outcome = held[0]
    numbers = [c for c in need if c != "group"]
    numbers += [c for c in ("n_at_risk", "events") if c in frame.columns and c not in numbers]
    for c in numbers:
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    if frame[x].isna().any():
        rows = [int(i) + 1 for i in np.flatnonzero(frame[x].isna().to_numpy())][:5]
        raise AnalysisError(
            f"{what} has rows without {x} (table rows {rows}); every row needs its {x}."
        )
    keys = pd.Series(
        [f"{g}\x00{v:g}" for g, v in zip(frame["group"], frame[x], strict=True)], dtype=object
    )
    twice = keys.duplicated(keep=False).to_numpy(dtype=bool)
    if twice.any():
        first = frame[twice].iloc[0]
        raise AnalysisError(
            f"{what} has {int(twice.sum())} rows for one group and {x} (e.g. group "
            f"{str(first['group'])!r} at {x} {first[x]:g}); give one row per group and {x}."
        )
    if "suppressed" in frame.columns:
        frame["suppressed"] = frame["suppressed"].astype("boolean").fillna(True).astype(bool)
    else:
        frame["suppressed"] = False
    return frame.reset_index(drop=True), outcome


def _groups(frame: pd.DataFrame, by: str | None, order: Sequence[Any] | None) -> list[Any]:
    present = group_order(frame["group"], by) if len(frame) else []
    return resolve_order(order, present)


def _rows_of(frame: pd.DataFrame, group: Any, x: str) -> pd.DataFrame:
    sub = frame[frame["group"].astype(str) == str(group)]
    return sub.sort_values(x, kind="stable")


def _dodge(xs: Sequence[float], n_groups: int, enabled: bool) -> list[float]:
    """x offset of each group, so that intervals at the same wave do not cover each other."""
    if not enabled or n_groups < 2:
        return [0.0] * n_groups
    values = sorted(set(xs))
    span = (values[-1] - values[0]) if len(values) > 1 else 1.0
    gaps = np.diff(values) if len(values) > 1 else np.array([span])
    step = min(0.025 * span, 0.35 * float(gaps.min()) / (n_groups - 1))
    return [(j - (n_groups - 1) / 2) * step for j in range(n_groups)]


# --------------------------------------------------------------------------------------
# the value axis and the count band under it
# --------------------------------------------------------------------------------------


def _is_share(outcome: str | None) -> bool:
    if outcome is None:
        return False
    column = SCHEMA.get(outcome)
    return outcome in YES_NO_WAVE or (column is not None and column.kind == "bool")


def _scale(outcome: str | None) -> tuple[float, float] | None:
    if outcome is None:
        return None
    if _is_share(outcome):
        return (0.0, 1.0)
    if outcome in SCALE_LIMITS:
        return SCALE_LIMITS[outcome]
    if outcome in WAVE_SCALES:
        return WAVE_SCALES[outcome]
    column = SCHEMA.get(outcome)
    if column is not None and column.kind == "ordinal":
        if column.minimum is not None and column.maximum is not None:
            return (float(column.minimum), float(column.maximum))
    return None


def _outcome_label(outcome: str | None) -> str:
    if outcome is None:
        return "Estimate"
    known = SCHEMA.get(outcome) is not None or outcome in SCALE_LIMITS
    if not known and outcome in WAVE_LABELS:
        return WAVE_LABELS[outcome]
    return column_label(outcome)


def _value_range(
    frame: pd.DataFrame, columns: Sequence[str], limits: Any, scale: tuple[float, float] | None
) -> tuple[float, float]:
    if limits is not None:
        lo, hi = (float(v) for v in limits)
        if not lo < hi:
            raise AnalysisError(f"limits must be (low, high) with low < high, not {limits!r}.")
        return lo, hi
    if scale is not None:
        return scale
    # no known scale: the released estimates and interval limits (never anyone's value)
    values = frame[list(columns)].to_numpy(dtype=float).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return 0.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo or max(abs(hi), 1.0)
    return lo - 0.1 * span, hi + 0.1 * span


def _value_ticks(ax: Axes, lo: float, hi: float, percent: bool) -> None:
    from matplotlib.ticker import MaxNLocator

    if percent:
        ticks = np.linspace(lo, hi, 6)
        ax.set_yticks(ticks, [f"{100 * v:.0f}%" for v in ticks])
        return
    if float(lo).is_integer() and float(hi).is_integer() and 1 <= hi - lo <= 8:
        ticks = np.arange(lo, hi + 0.5)
    else:
        ticks = np.asarray(MaxNLocator(nbins=5).tick_values(lo, hi), dtype=float)
        ticks = ticks[(ticks >= lo - 1e-9) & (ticks <= hi + 1e-9)]
    ax.set_yticks(ticks, [f"{v:g}" for v in ticks])


def _count_band(
    ax: Axes,
    lo: float,
    hi: float,
    groups: Sequence[Any],
    names: Mapping[Any, str],
    colours: Mapping[Any, str],
    cells: Mapping[tuple[Any, float], tuple[str, str]],
    xs: Sequence[float],
    header: str,
    tag: str,
) -> list[Text]:
    """The counts of each wave in a band under the curves, one row per group.

    The rows are named by minor y tick labels (as the Kaplan-Meier chart's numbers at
    risk), so the band never meets the axis labels.  ``cells[(group, x)]`` is the text
    and its kind (``"count"`` or ``"word"``); a wave a group has no row for shows
    :data:`NOT_GIVEN`.
    """
    span = hi - lo
    top = lo - _BAND_TOP * span
    bottom = top - (len(groups) + 1) * _BAND_ROW * span
    ax.set_ylim(bottom, hi + 0.04 * span)
    ax.axhspan(bottom, top, color="#F4F4F4", zorder=0, linewidth=0)
    ax.axhline(top, color="#D0D0D0", linewidth=0.8, zorder=1)
    rows = [top - (k + 1.5) * _BAND_ROW * span for k in range(len(groups))]
    ax.set_yticks(
        [top - 0.5 * _BAND_ROW * span, *rows], [header, *[names[g] for g in groups]], minor=True
    )
    ax.tick_params(axis="y", which="minor", length=0, labelsize=8.5)
    minor = ax.yaxis.get_minorticklabels()
    if minor:
        minor[0].set_fontstyle("italic")
        minor[0].set_color(NEUTRAL)
    for label, g in zip(minor[1:], groups, strict=False):
        label.set_color(colours[g])
    _fit_band_labels(ax)
    texts = []
    for k, g in enumerate(groups):
        for x in xs:
            text, kind = cells.get((g, float(x)), (NOT_GIVEN, "count"))
            word = kind == "word"
            item = ax.text(
                x,
                rows[k],
                text,
                ha="center",
                va="center",
                fontsize=7.0 if word else 8.0,
                style="italic" if word else "normal",
                color=NEUTRAL if word else colours[g],
            )
            item.set_in_layout(False)
            item.set_gid(f"{tag}:{g}:{x:g}")
            texts.append(item)
    return texts


def _keep_inside(ax: Axes, texts: Sequence[Text]) -> None:
    """Shift a band text that would stick out of the axes (a word at the last wave) inward.

    Registered before :func:`_autofit.no_overlap`, which then only shrinks texts that
    still overlap; every draw starts again from the texts' own positions.
    """
    group = list(texts)
    base = [float(t.get_position()[0]) for t in group]

    def job(renderer: Any) -> None:
        frame = ax.get_window_extent(renderer)
        left, right = ax.get_xlim()
        per_pixel = (right - left) / frame.width if frame.width else 0.0
        for t, x in zip(group, base, strict=True):
            t.set_x(x)
            t.set_fontsize(_autofit._base(t))  # measured at its own size at every draw
            if not t.get_visible() or not t.get_text():
                continue
            box = t.get_window_extent(renderer)
            if box.x1 > frame.x1:
                t.set_x(x - (box.x1 - frame.x1 + 1.0) * per_pixel)
            elif box.x0 < frame.x0:
                t.set_x(x + (frame.x0 - box.x0 + 1.0) * per_pixel)

    _autofit.fitter(ax).jobs.append(job)


def _fit_band_labels(ax: Axes, *, size: float = 8.5, min_size: float = 5.0) -> None:
    """Shrink the band's row names (minor y tick labels) until they do not overlap."""
    axis = ax.yaxis

    def job(renderer: Any) -> None:
        current = size
        ax.tick_params(axis="y", which="minor", labelsize=current)
        while current > min_size:
            axis._update_ticks()  # type: ignore[attr-defined]  # positions for this draw
            labels = [
                t.label1
                for t in axis.get_minor_ticks()
                if t.label1.get_visible() and t.label1.get_text()
            ]
            if not _autofit.any_overlap([t.get_window_extent(renderer) for t in labels]):
                return
            current = max(current - 0.5, min_size)
            ax.tick_params(axis="y", which="minor", labelsize=current)

    _autofit.fitter(ax).jobs.append(job)


def _months_axis(ax: Axes, xs: Sequence[float], label: str) -> None:
    values = sorted({float(x) for x in xs}) or [0.0]
    left = min(0.0, values[0])
    right = max(values[-1], left + 1.0)
    pad = 0.06 * (right - left)
    ax.set_xlim(left - pad, right + pad)
    ax.set_xticks(values, [f"{v:g}" for v in values])
    ax.set_xlabel(label)
    ax.grid(axis="x", visible=False)


def _handles(
    groups: Sequence[Any],
    colours: Mapping[Any, str],
    markers: Mapping[Any, str],
    styles: Mapping[Any, Any],
) -> list[Any]:
    from matplotlib.lines import Line2D

    return [
        Line2D([], [], color=colours[g], marker=markers[g], linestyle=styles[g], markersize=6)
        for g in groups
    ]


# --------------------------------------------------------------------------------------
# drawing series of waves
# --------------------------------------------------------------------------------------


def _draw_series(
    ax: Axes,
    frame: pd.DataFrame,
    groups: Sequence[Any],
    *,
    x: str,
    value: str,
    colours: Mapping[Any, str],
    markers: Mapping[Any, str],
    styles: Mapping[Any, Any],
    offsets: Sequence[float],
    interval: str,
    hidden_of: Any,
    prefix: str,
    join_width: float = 1.4,
    join_alpha: float = 0.85,
) -> int:
    """One line of markers per group (a NaN where a row is withheld) and its intervals.

    Returns the number of markers drawn.
    """
    from matplotlib.collections import LineCollection

    drawn = 0
    for j, g in enumerate(groups):
        sub = _rows_of(frame, g, x)
        if sub.empty:
            continue
        hidden = np.array([bool(hidden_of(r)) for _, r in sub.iterrows()], dtype=bool)
        xs = sub[x].to_numpy(float) + offsets[j]
        ys = np.where(hidden, np.nan, sub[value].to_numpy(float))
        lo = np.where(hidden, np.nan, sub["ci_low"].to_numpy(float))
        hi = np.where(hidden, np.nan, sub["ci_high"].to_numpy(float))
        (line,) = ax.plot(
            xs,
            ys,
            color=colours[g],
            marker=markers[g],
            markersize=6.5,
            linestyle=styles[g],
            linewidth=join_width,
            alpha=join_alpha,
            markeredgewidth=0.8,
            zorder=3,
        )
        line.set_gid(f"{prefix}:{g}")
        drawn += int(np.isfinite(ys).sum())
        ok = np.isfinite(lo) & np.isfinite(hi)
        if not ok.any():
            continue
        if interval == "band":
            band = ax.fill_between(
                sub[x].to_numpy(float),
                lo,
                hi,
                where=ok,
                color=colours[g],
                alpha=0.15,
                linewidth=0,
                zorder=2,
            )
            band.set_gid(f"ci:{g}")
        else:
            segments = [[(a, b), (a, c)] for a, b, c in zip(xs[ok], lo[ok], hi[ok], strict=True)]
            bars = LineCollection(segments, colors=colours[g], linewidths=1.6, zorder=2)
            bars.set_gid(f"ci:{g}")
            ax.add_collection(bars)
    return drawn


def _check_interval(interval: str) -> str:
    if interval not in ("bars", "band"):
        raise AnalysisError(f"interval must be 'bars' or 'band', not {interval!r}.")
    return interval


def _withheld(value: str) -> Any:
    """Whether a row of a released table is withheld: flagged, or NaN where a number is due."""

    def hidden(row: pd.Series) -> bool:
        n = row.get("n", np.nan)
        return bool(row["suppressed"] or (np.isnan(row[value]) and (np.isnan(n) or n > 0)))

    return hidden


def _finish(
    ax: Axes,
    *,
    groups: Sequence[Any],
    by: str | None,
    names: Mapping[Any, str],
    colours: Mapping[Any, str],
    markers: Mapping[Any, str],
    styles: Mapping[Any, Any],
    legend: bool | str,
    texts: Sequence[Text],
    drawn: int,
    what: str,
    legend_names: Mapping[Any, str] | None = None,
) -> None:
    _keep_inside(ax, texts)
    _autofit.no_overlap(ax, texts, min_size=4.5, gap=3.0, inside=True)
    _autofit.fit_ticks(ax, "x", thin=True, min_size=6.0)
    if _legend_shown(legend, groups):
        legend_right(
            ax,
            _handles(groups, colours, markers, styles),
            [(legend_names or names)[g] for g in groups],
            title=by_label(by).capitalize() if by else None,
        )
    if not groups:
        note(ax, f"no {what} to show")
    elif drawn == 0:
        note(ax, f"no {what} to show: every wave is empty or suppressed", y=0.6)


# --------------------------------------------------------------------------------------
# trajectories
# --------------------------------------------------------------------------------------


def plot_trajectories(
    table: Any,
    *,
    outcome: str | None = None,
    by: str | None = None,
    interval: str = "bars",
    dodge: bool = True,
    limits: tuple[float, float] | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """Group trajectories over follow-up waves, with 95% intervals and the n of each wave.

    One line per group through its estimates at the waves' months (a marker per wave,
    in the group's colour, marker shape and line style), with its interval as a bar
    or a band.  The n behind each estimate is written in a band under the curves, one
    row per group.  The chart draws the table and nothing else: one marker and one
    interval per row, nothing per person.

    Parameters
    ----------
    table : DataFrame or result
        The trajectory table: ``months, group, n, estimate, ci_low, ci_high`` (one row
        per wave and group; without ``group``, one series).  An optional ``outcome``
        column names what the estimates are.  A row whose ``suppressed`` column is
        true, or whose estimate is NaN while its n is not 0, is drawn as
        "suppressed" (no marker).  A result object is read through its ``.table`` or
        ``.to_frame()``.
    outcome : str, optional
        The outcome of the estimates: labels the value axis (``career_satisfaction``
        -> "Career satisfaction (1-5)") and fixes its range from the scale (levels
        1-6, Likert 1-5, yes/no outcomes 0-100%).  Default: the table's ``outcome``
        column; with several outcomes there, the one to draw.
    by : str, optional
        What the groups are (``"gender"`` picks the fixed gender colours and names
        the legend).
    interval : {"bars", "band"}, default="bars"
        Intervals as vertical bars at each wave, or as a shaded band between waves.
    dodge : bool, default=True
        Shift the groups' markers a little apart at each wave (bars only) so that
        their intervals do not cover each other.
    limits : (float, float), optional
        The value axis' range; default: the outcome's scale, else the released
        estimates and limits with a margin.
    ylabel : str, optional
        The value axis' label; default from ``outcome``.
    ax : matplotlib Axes, optional
        Where to draw.
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).

    Returns
    -------
    matplotlib.axes.Axes
        Each group's line of estimates carries ``gid="estimate:<group>"`` (NaN where a
        row is withheld), its intervals ``"ci:<group>"`` (a LineCollection, one
        segment per row, or a band) and its counts ``"n:<group>:<months>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> table = pd.DataFrame({"months": [6, 12, 6, 12], "group": ["woman", "woman", "man", "man"],
    ...                       "n": [40, 31, 38, 30], "estimate": [3.4, 3.6, 3.5, 3.5],
    ...                       "ci_low": [3.1, 3.3, 3.2, 3.2], "ci_high": [3.7, 3.9, 3.8, 3.8]})
    >>> ax = maplot.plot_trajectories(table, outcome="career_satisfaction", by="gender")
    >>> [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n:woman")]
    ['40', '31']
    >>> ax.get_ylabel()
    'Career satisfaction (1-5), 95% CI'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    interval = _check_interval(interval)
    frame, outcome = _tidy(
        table, TRAJECTORY_COLUMNS, "The trajectory table", by=by, x="months", outcome=outcome
    )
    groups = _groups(frame, by, order)
    ax = get_ax(ax, (7.5, 4.8))
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    styles = group_linestyles(groups, by)
    names = resolve_labels(labels, groups)
    months = sorted(set(frame["months"]))
    offsets = _dodge(months, len(groups), dodge and interval == "bars")
    hidden = _withheld("estimate")
    drawn = _draw_series(
        ax,
        frame,
        groups,
        x="months",
        value="estimate",
        colours=colours,
        markers=markers,
        styles=styles,
        offsets=offsets,
        interval=interval,
        hidden_of=hidden,
        prefix="estimate",
    )
    scale = _scale(outcome)
    share = _is_share(outcome)
    lo, hi = _value_range(frame, ["estimate", "ci_low", "ci_high"], limits, scale)
    cells: dict[tuple[Any, float], tuple[str, str]] = {}
    for _, r in frame.iterrows():
        key = (_group_key(groups, r["group"]), float(r["months"]))
        if hidden(r):
            cells[key] = (SUPPRESSED, "word")
        elif np.isnan(r["n"]):
            cells[key] = (NOT_GIVEN, "count")
        else:
            cells[key] = (f"{int(r['n'])}", "count")
    texts = _count_band(ax, lo, hi, groups, names, colours, cells, months, "n", "n")
    _value_ticks(ax, lo, hi, share)
    _months_axis(ax, months, MONTHS_LABEL)
    if ylabel is None:
        ylabel = f"{_outcome_label(outcome)}{' (%)' if share else ''}, 95% CI"
    ax.set_ylabel(ylabel)
    _finish(
        ax,
        groups=groups,
        by=by,
        names=names,
        colours=colours,
        markers=markers,
        styles=styles,
        legend=legend,
        texts=texts,
        drawn=drawn,
        what="estimates",
    )
    apply_title(ax, title)
    return ax


def _group_key(groups: Sequence[Any], value: Any) -> Any:
    """The group of ``groups`` a table value stands for (matching by text)."""
    for g in groups:
        if str(g) == str(value):
            return g
    return value


# --------------------------------------------------------------------------------------
# response by wave
# --------------------------------------------------------------------------------------


def plot_response(
    table: Any,
    *,
    by: str | None = None,
    dodge: bool = True,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """The share of each group who answered each follow-up wave, with 95% intervals.

    One line per group through its response rates at the waves' months, each with its
    interval, and the number who responded to each wave in a band under the curves.
    The n behind the rates (the people in the group, the same at every wave) is
    written once, in the legend ("woman (n = 60)") or, for one series, in the band's
    header ("responded of 60"); when a group's n differs between waves, or there is
    no legend to hold it, every count is written as ``responded/n``.  Only the table
    is drawn.

    Parameters
    ----------
    table : DataFrame or result
        The response table: ``months, group, n, events, rate, ci_low, ci_high``
        (one row per wave and group).  A row whose ``suppressed`` column is true, or
        whose rate is NaN while n is not 0, is drawn as "suppressed".  A result
        object is read through its ``.table`` or ``.to_frame()``.
    by : str, optional
        What the groups are (``"gender"`` picks the fixed gender colours).
    dodge : bool, default=True
        Shift the groups a little apart at each wave.
    ax : matplotlib Axes, optional
        Where to draw.
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).

    Returns
    -------
    matplotlib.axes.Axes
        Rates carry ``gid="rate:<group>"`` (one line per group), intervals
        ``"ci:<group>"`` (one segment per row), counts ``"n:<group>:<months>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> table = pd.DataFrame({"months": [6, 12], "n": [50, 50], "events": [45, 38],
    ...                       "rate": [0.9, 0.76], "ci_low": [0.79, 0.63],
    ...                       "ci_high": [0.96, 0.86]})
    >>> ax = maplot.plot_response(table)
    >>> [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n:")]
    ['45', '38']
    >>> ax.yaxis.get_minorticklabels()[0].get_text()
    'responded of 50'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    frame, _ = _tidy(table, RESPONSE_COLUMNS, "The response table", by=by, x="months")
    groups = _groups(frame, by, order)
    ax = get_ax(ax, (7.5, 4.8))
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    styles = group_linestyles(groups, by)
    names = resolve_labels(labels, groups)
    months = sorted(set(frame["months"]))
    hidden = _withheld("rate")
    drawn = _draw_series(
        ax,
        frame,
        groups,
        x="months",
        value="rate",
        colours=colours,
        markers=markers,
        styles=styles,
        offsets=_dodge(months, len(groups), dodge),
        interval="bars",
        hidden_of=hidden,
        prefix="rate",
    )
    sizes = _group_sizes(frame, groups)
    with_rows = [g for g in groups if not _rows_of(frame, g, "months").empty]
    once = bool(with_rows) and all(sizes[g] is not None for g in with_rows)
    if once and not _legend_shown(legend, groups):
        once = len(with_rows) == 1  # one group: its n goes into the band's header
    cells: dict[tuple[Any, float], tuple[str, str]] = {}
    for _, r in frame.iterrows():
        key = (_group_key(groups, r["group"]), float(r["months"]))
        if hidden(r):
            cells[key] = (SUPPRESSED, "word")
        elif np.isnan(r["n"]) or np.isnan(r["events"]):
            cells[key] = (NOT_GIVEN, "count")
        elif once:
            cells[key] = (f"{int(r['events'])}", "count")
        else:
            cells[key] = (fmt_count(r["events"], r["n"]), "count")
    header = "responded/n"
    if once:
        shown = _legend_shown(legend, groups)
        header = "responded" if shown else f"responded of {sizes[with_rows[0]]}"
    texts = _count_band(ax, 0.0, 1.0, groups, names, colours, cells, months, header, "n")
    _value_ticks(ax, 0.0, 1.0, True)
    _months_axis(ax, months, MONTHS_LABEL)
    ax.set_ylabel("Responded (%), 95% CI")
    _finish(
        ax,
        groups=groups,
        by=by,
        names=names,
        colours=colours,
        markers=markers,
        styles=styles,
        legend=legend,
        texts=texts,
        drawn=drawn,
        what="response rates",
        legend_names={
            g: f"{names[g]} (n = {sizes[g]})" if once and sizes[g] is not None else names[g]
            for g in groups
        },
    )
    apply_title(ax, title)
    return ax


def _group_sizes(frame: pd.DataFrame, groups: Sequence[Any]) -> dict[Any, int | None]:
    """Each group's n when it is one number at every wave it has (else None).

    The response table's n is the people in the group, the same at every wave; it is
    then written once, in the legend, and the band holds the numbers who responded.
    """
    out: dict[Any, int | None] = {}
    for g in groups:
        sub = _rows_of(frame, g, "months")
        values = set(sub["n"][~sub["suppressed"]].dropna())
        out[g] = int(values.pop()) if len(values) == 1 and not sub["n"].isna().any() else None
    return out


def _legend_shown(legend: bool | str, groups: Sequence[Any]) -> bool:
    single = len(groups) == 1 and str(groups[0]) == ALL
    return wants_legend(legend, needed=bool(groups) and not single)


# --------------------------------------------------------------------------------------
# interval-censored promotion curves
# --------------------------------------------------------------------------------------


def plot_interval_survival(
    data: Any,
    *,
    times: Sequence[float] | None = None,
    by: str | None = None,
    kind: str = "cumulative",
    dodge: bool = True,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """Interval-censored promotion curves: the estimate at each given time, nothing between.

    When promotion is only known to lie between two survey waves, the non-parametric
    estimate (Turnbull's NPMLE) is identified at the survey times but not between
    them: there the curve could have fallen at any moment.  So each group's estimate
    is a marker at each time of the table, with its 95% interval as a bar; dotted
    lines join them only to guide the eye, and the axis label says so.  No step is
    drawn, which would claim promotions happened at known months.  As in
    :func:`plot_km`, the default shows the share promoted so far (1 - survival);
    ``kind="survival"`` the share not yet promoted.  Numbers at risk, when the table
    gives them, are written in a band under the curves.

    Parameters
    ----------
    data : DataFrame or result
        The curve table: ``group, time, survival, ci_low, ci_high`` and optionally
        ``n_at_risk`` (survival = share not yet promoted after ``time``).  A result is
        read at ``times`` through its ``.at(times)`` when it has one, else through its
        ``.table`` or ``.to_frame()``.  A row with NaN survival (or a true
        ``suppressed`` column) is drawn as "suppressed".
    times : sequence of float, optional
        The months to read a result at (``result.at(times)``); for a table, the rows
        to draw (default: all of them).
    by : str, optional
        What the groups are (``"gender"`` picks the fixed gender colours).
    kind : {"cumulative", "survival"}, default="cumulative"
        Share promoted so far, or share not yet promoted (as :func:`plot_km`).
    dodge : bool, default=True
        Shift the groups a little apart at each time.
    ax : matplotlib Axes, optional
        Where to draw.
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).

    Returns
    -------
    matplotlib.axes.Axes
        Each group's estimates carry ``gid="curve:<group>"`` (markers joined by a
        dotted line; NaN where withheld), its intervals ``"ci:<group>"`` (one segment
        per row) and its numbers at risk ``"at_risk:<group>:<time>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> curve = pd.DataFrame({"group": ["woman"] * 3 + ["man"] * 3,
    ...                       "time": [12, 24, 36] * 2,
    ...                       "survival": [0.8, 0.6, 0.5, 0.85, 0.7, 0.6],
    ...                       "ci_low": [0.7, 0.5, 0.4, 0.75, 0.6, 0.5],
    ...                       "ci_high": [0.9, 0.7, 0.6, 0.95, 0.8, 0.7]})
    >>> ax = maplot.plot_interval_survival(curve, by="gender", dodge=False)
    >>> [round(float(v), 2) for v in ax.lines[0].get_ydata()]
    [0.2, 0.4, 0.5]
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    if kind not in ("cumulative", "survival"):
        raise AnalysisError(f"kind must be 'cumulative' or 'survival', not {kind!r}.")
    legend = check_legend(legend)
    frame, _ = _tidy(
        data, CURVE_COLUMNS, "The interval-censored curve table", by=by, x="time", times=times
    )
    if times is not None and isinstance(data, pd.DataFrame):
        wanted = {float(t) for t in times}
        absent = sorted(wanted - set(frame["time"]))
        if absent:
            raise AnalysisError(
                f"times {[f'{t:g}' for t in absent]} are not rows of the curve table; it has "
                f"times {[f'{t:g}' for t in sorted(set(frame['time']))]}."
            )
        frame = frame[frame["time"].isin(wanted)].reset_index(drop=True)
    groups = _groups(frame, by, order)
    ax = get_ax(ax, (7.5, 5.2))
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    dotted = dict.fromkeys(groups, ":")
    names = resolve_labels(labels, groups)
    cumulative = kind == "cumulative"
    shown = frame.copy()
    if cumulative:
        shown["survival"] = 1 - frame["survival"]
        shown["ci_low"] = 1 - frame["ci_high"]
        shown["ci_high"] = 1 - frame["ci_low"]
    when = sorted(set(frame["time"]))
    hidden = _withheld("survival")
    drawn = _draw_series(
        ax,
        shown,
        groups,
        x="time",
        value="survival",
        colours=colours,
        markers=markers,
        styles=dotted,
        offsets=_dodge(when, len(groups), dodge),
        interval="bars",
        hidden_of=hidden,
        prefix="curve",
        join_width=1.0,
        join_alpha=0.7,
    )
    _at_risk(ax, frame, groups, when, names, colours, hidden)
    _months_axis(
        ax, when, f"{MONTHS_LABEL}\nestimated at these times only; dotted lines just join them"
    )
    ax.set_ylabel("Promoted so far (cumulative %)" if cumulative else "Not yet promoted (%)")
    texts: list[Text] = []
    _autofit.fit_ticks(ax, "y", thin=False)
    _finish(
        ax,
        groups=groups,
        by=by,
        names=_legend_names(frame, groups, names),
        colours=colours,
        markers=markers,
        styles=dotted,
        legend=legend,
        texts=texts,
        drawn=drawn,
        what="curves",
    )
    apply_title(ax, title)
    return ax


def _legend_names(
    frame: pd.DataFrame, groups: Sequence[Any], names: Mapping[Any, str]
) -> dict[Any, str]:
    """Group names with the number at risk at time 0 when the table gives it (as
    :func:`plot_km`); a later first time's number is in the band, not the legend."""
    out = dict(names)
    if "n_at_risk" not in frame.columns:
        return out
    for g in groups:
        sub = _rows_of(frame, g, "time")
        if not len(sub) or sub["time"].iloc[0] != 0 or sub["suppressed"].iloc[0]:
            continue
        if np.isfinite(sub["n_at_risk"].iloc[0]):
            out[g] = f"{names[g]} (n = {int(sub['n_at_risk'].iloc[0])})"
    return out


def _at_risk(
    ax: Axes,
    frame: pd.DataFrame,
    groups: Sequence[Any],
    times: Sequence[float],
    names: Mapping[Any, str],
    colours: Mapping[Any, str],
    hidden: Any,
) -> None:
    """Numbers at risk under the curves as :func:`plot_km` writes them (when given)."""
    from ._common import cell_mask
    from ._survival import _at_risk_band

    cells = cell_mask(None, groups, times)
    given: dict[tuple[str, float], float] = {}
    if "n_at_risk" in frame.columns:
        for _, r in frame.iterrows():
            g = _group_key(groups, r["group"])
            if g in cells.index and hidden(r):
                cells.loc[g, float(r["time"])] = True
            given[(str(g), float(r["time"]))] = float(r["n_at_risk"])
    rows = list(groups) if "n_at_risk" in frame.columns else []
    none = pd.Series(False, index=pd.Index(list(groups), dtype=object))
    _at_risk_band(ax, given, rows, times, cells, none, dict(colours), dict(names))
    if rows:
        _fit_band_labels(ax)
