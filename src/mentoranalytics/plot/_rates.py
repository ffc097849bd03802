"""Rates with Wilson intervals: several outcomes by group, and the payoff of a bold choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._frame import as_frame
from ..exceptions import AnalysisError, ColumnError
from ..schema import OUTCOMES
from ._common import (
    SUPPRESSED,
    by_label,
    category_label,
    cell_mask,
    column_label,
    fmt_count,
    frame_of,
    get_ax,
    group_order,
    note,
    rates_from_table,
)
from ._style import NEUTRAL, group_colors

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

RATE_COLUMNS = ["n", "events", "rate", "ci_low", "ci_high"]
NO_ANSWERS = "no answers (n = 0)"


def _key(value: Any) -> Any:
    """A dictionary key that keeps True/1 and False/0 apart from each other's types."""
    if isinstance(value, (bool, np.bool_)):
        return ("bool", bool(value))
    return value


def _members(series: pd.Series) -> Any:
    """``group -> boolean mask`` of the rows of ``series`` whose :func:`_key` is the group's.

    Typed columns (bool, boolean, category, string, numbers) are factorised once and
    keys compared on the distinct values only; an object column, where True and 1
    could both occur (and factorise together), is compared value by value.
    """
    if series.dtype == object:
        keys = [_key(v) for v in series.to_numpy(dtype=object)]
        return lambda group: np.array([k == _key(group) for k in keys], dtype=bool).reshape(-1)
    codes, uniques = pd.factorize(series)
    unique_keys = [_key(u) for u in uniques]

    def mask(group: Any) -> np.ndarray:
        wanted = [i for i, k in enumerate(unique_keys) if k == _key(group)]
        return np.isin(codes, wanted)

    return mask


def group_rates(frame: pd.DataFrame, outcome: str, by: str, groups: Sequence[Any]) -> pd.DataFrame:
    """``compare_rates(frame, outcome, by=by).rates`` for every group in ``groups``.

    Each group's row holds what :func:`mentoranalytics.compare_rates` gives for it:
    the outcome read the same way (its ``_coerce_outcome``), n, events, rate and the
    Wilson interval from the same :func:`~mentoranalytics.proportion_ci`, without the
    effects and between-group test a chart does not show.  Groups with no one to
    analyse get ``n = 0`` and NaN rate and limits (instead of being dropped), so that
    a chart can say so.

    Returns
    -------
    DataFrame
        Index ``groups``; columns ``n, events, rate, ci_low, ci_high``.
    """
    from ..stats.rates import _coerce_outcome, proportion_ci

    values = np.full((len(groups), len(RATE_COLUMNS)), np.nan)
    values[:, :2] = 0
    usable = (frame[outcome].notna() & frame[by].notna()).to_numpy(dtype=bool)
    members = _members(frame[by])
    masks = [usable & members(group) for group in groups]
    analysed = np.logical_or.reduce(masks) if masks else np.zeros(len(frame), dtype=bool)
    y = np.full(len(frame), np.nan)
    if analysed.any():
        coded, _ = _coerce_outcome(frame[outcome][analysed], outcome, None)
        y[analysed] = coded.to_numpy(dtype=float)
    for i, rows in enumerate(masks):
        if not rows.any():
            continue
        n, k = np.array([int(rows.sum())]), np.array([int(np.nansum(y[rows]))])
        low, high = proportion_ci(k, n)
        values[i] = [n[0], k[0], (k / n)[0], np.asarray(low)[0], np.asarray(high)[0]]
    out = pd.DataFrame(values, index=pd.Index(list(groups), dtype=object), columns=RATE_COLUMNS)
    out["n"] = out["n"].astype(int)
    out["events"] = out["events"].astype(int)
    return out


# --------------------------------------------------------------------------------------
# drawing rows of rates
# --------------------------------------------------------------------------------------


@dataclass
class _RateRow:
    y: float
    rate: float
    low: float
    high: float
    n: float
    events: float
    suppressed: bool
    colour: str
    gid: str
    filled: bool = True
    marker: str = "o"
    empty_text: str = NO_ANSWERS


def _label_text(row: _RateRow) -> str:
    if row.suppressed:
        return SUPPRESSED
    if pd.isna(row.n) or row.n == 0:
        return row.empty_text
    if pd.isna(row.events):
        return f"n = {int(row.n)}"
    return fmt_count(row.events, row.n)


def _draw_rate_rows(ax: Axes, rows: Sequence[_RateRow], *, size: float = 7.0) -> None:
    """Dot and whisker per row, and its ``events/n`` (or "suppressed") in a right column."""
    label_transform = ax.get_yaxis_transform()
    for row in rows:
        drawable = not row.suppressed and not pd.isna(row.rate)
        if drawable:
            (line,) = ax.plot(
                [row.low, row.high],
                [row.y, row.y],
                color=row.colour,
                linewidth=2.0,
                solid_capstyle="butt",
                zorder=2,
            )
            line.set_gid(f"ci:{row.gid}")
            for end in (row.low, row.high):
                ax.plot(
                    [end, end],
                    [row.y - 0.045, row.y + 0.045],
                    color=row.colour,
                    linewidth=1.4,
                    zorder=2,
                )
            (dot,) = ax.plot(
                [row.rate],
                [row.y],
                marker=row.marker,
                markersize=size,
                color=row.colour,
                markerfacecolor=row.colour if row.filled else "white",
                markeredgewidth=1.6,
                linestyle="none",
                zorder=3,
            )
            dot.set_gid(f"rate:{row.gid}")
        text = ax.text(
            1.02,
            row.y,
            _label_text(row),
            transform=label_transform,
            ha="left",
            va="center",
            fontsize=9,
            clip_on=False,
            color=NEUTRAL if not drawable else row.colour,
            style="italic" if not drawable else "normal",
        )
        text.set_gid(f"n:{row.gid}")


def _percent_axis(ax: Axes, label: str) -> None:
    ticks = np.linspace(0, 1, 6)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xticks(ticks, [f"{100 * t:.0f}%" for t in ticks])
    ax.set_xlabel(label)
    ax.grid(axis="y", visible=False)


# --------------------------------------------------------------------------------------
# outcome rates by group
# --------------------------------------------------------------------------------------


def _tidy_from_rates(rates: pd.DataFrame, outcome: str, by: str) -> pd.DataFrame:
    table = rates_from_table(rates)
    table = table.rename_axis(None)
    if "group" in table.columns and not isinstance(table.index, pd.RangeIndex):
        table = table.drop(columns="group")
    if "group" not in table.columns and by in table.columns:
        table = table.rename(columns={by: "group"})
    if "group" not in table.columns:
        table = table.reset_index(names="group")
    table = table.assign(outcome=outcome)
    return table[["outcome", "group", *RATE_COLUMNS, "suppressed"]]


def _outcome_table(data: Any, outcomes: Any, by: str) -> tuple[pd.DataFrame, list[str], list[Any]]:
    """Tidy ``outcome, group, n, events, rate, ci_low, ci_high, suppressed`` from any input."""
    wanted = [outcomes] if isinstance(outcomes, str) else (list(outcomes) if outcomes else None)
    parts: list[pd.DataFrame] = []
    if isinstance(data, Mapping):
        for name, item in data.items():
            rates = getattr(item, "rates", item)
            if not isinstance(rates, pd.DataFrame):
                raise AnalysisError(
                    f"data[{name!r}] must be a compare_rates result or its rates DataFrame, "
                    f"not {type(item).__name__}."
                )
            parts.append(_tidy_from_rates(rates, str(name), by))
    elif not isinstance(data, pd.DataFrame) and isinstance(
        getattr(data, "rates", None), pd.DataFrame
    ):
        name = getattr(data, "outcome", None) or (wanted[0] if wanted else "outcome")
        parts.append(_tidy_from_rates(data.rates, str(name), by))
    else:
        frame = as_frame(data)
        if {"outcome", "rate", "n", "ci_low", "ci_high"} <= set(frame.columns):
            tidy = frame.rename(columns={by: "group"}) if by in frame.columns else frame
            if "group" not in tidy.columns:
                raise ColumnError(
                    f"The rates table needs a group column named {by!r} or 'group'. "
                    f"Available: {[str(c) for c in frame.columns]}."
                )
            out = rates_from_table(tidy.reset_index(drop=True))
            parts.append(out[["outcome", "group", *RATE_COLUMNS, "suppressed"]])
        else:
            require = [by] + (wanted or [])
            frame = frame_of(frame, require, "the outcome-rates chart")
            if wanted is None:
                wanted = [o for o in OUTCOMES if o in frame.columns]
                if not wanted:
                    raise ColumnError(
                        f"No outcome columns found: pass outcomes=[...] or add any of "
                        f"{list(OUTCOMES)}. Available: {[str(c) for c in frame.columns][:30]}."
                    )
            groups = group_order(frame[by], by)
            for outcome in wanted:
                cells = group_rates(frame, outcome, by, groups)
                cells = cells.reset_index(names="group").assign(outcome=outcome, suppressed=False)
                parts.append(cells[["outcome", "group", *RATE_COLUMNS, "suppressed"]])
            tidy = pd.concat(parts, ignore_index=True)
            return tidy, list(wanted), groups
    tidy = pd.concat(parts, ignore_index=True)
    if wanted is not None and not isinstance(data, pd.DataFrame) and isinstance(data, Mapping):
        tidy = tidy[tidy["outcome"].isin(wanted)]
    names = list(dict.fromkeys(tidy["outcome"]))
    groups = group_order(tidy["group"], by)
    return tidy, names, groups


def plot_outcome_rates(
    data: Any,
    outcomes: str | Sequence[str] | None = None,
    *,
    by: str = "gender",
    suppressed: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Dot-and-whisker panel: the rate of several outcomes in each group, with Wilson CIs.

    One row per outcome; within it one dot per group (fixed gender colours) with its
    95% Wilson interval, and ``events/n`` in a column on the right.

    Parameters
    ----------
    data : Cohort, DataFrame, compare_rates result, or mapping
        * participant records (a Cohort or DataFrame with ``by`` and the outcome
          columns): rates are computed with :func:`mentoranalytics.proportion_ci`
          (Wilson), exactly as ``compare_rates(...).rates``;
        * a ``compare_rates`` result (its ``.rates``), or a mapping
          ``{outcome: compare_rates result or its .rates}``;
        * a tidy table with columns ``outcome``, ``group`` (or ``by``), ``n``,
          ``events``, ``rate``, ``ci_low``, ``ci_high`` and optionally ``suppressed``
          (a published table: rows with NA rate or n, or ``suppressed`` true, are
          drawn as "suppressed").
    outcomes : str or sequence of str, optional
        Outcome columns in display order; default: the schema outcomes present.
    by : str, default="gender"
        The grouping column.
    suppressed : SuppressedTable, DataFrame, mapping or None, default=None
        Disclosure control: a mask with groups as index and outcomes as columns
        (a suppressed ``n`` column withholds the whole group), or a mapping
        ``{outcome: SuppressedTable of that outcome's rates}``.  Suppressed cells
        show the word "suppressed" instead of a dot and count.
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        Dots carry ``gid="rate:<outcome>:<group>"``, whiskers ``"ci:<outcome>:<group>"``
        and count labels ``"n:<outcome>:<group>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman"] * 4 + ["man"] * 4,
    ...                    "promoted": [True, False, False, True, True, True, False, True]})
    >>> ax = maplot.plot_outcome_rates(df, ["promoted"])
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() and t.get_gid().startswith("n:"))
    ['2/4', '3/4']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    tidy, names, groups = _outcome_table(data, outcomes, by)
    ax = get_ax(ax, (8.0, 1.4 + 0.32 * max(1, len(groups)) * max(1, len(names))))
    mask = cell_mask(suppressed, groups, names)
    colours = group_colors(groups, by)
    height = min(0.24, 0.72 / max(1, len(groups)))
    rows: list[_RateRow] = []
    for i, outcome in enumerate(names):
        for j, group in enumerate(groups):
            y = i + (j - (len(groups) - 1) / 2) * height
            hit = tidy[(tidy["outcome"] == outcome) & (tidy["group"].astype(str) == str(group))]
            gid = f"{outcome}:{group}"
            if hit.empty:
                rows.append(_RateRow(y, np.nan, np.nan, np.nan, 0, 0, False, colours[group], gid))
                continue
            r = hit.iloc[0]
            hidden = bool(r["suppressed"]) or bool(mask.loc[group, outcome])
            rows.append(
                _RateRow(
                    y,
                    r["rate"],
                    r["ci_low"],
                    r["ci_high"],
                    r["n"],
                    r["events"],
                    hidden,
                    colours[group],
                    gid,
                )
            )
    _draw_rate_rows(ax, rows)
    for i in range(len(names) - 1):
        ax.axhline(i + 0.5, color="#E3E3E3", linewidth=0.8, zorder=0)
    ax.set_yticks(range(len(names)), [_wrap(column_label(o)) for o in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    _percent_axis(ax, "Share of the group with the outcome (dot) and 95% Wilson interval (line)")
    ax.text(
        1.02,
        1.0,
        "events/n",
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=9,
        color=NEUTRAL,
    )
    ax.set_title(f"Outcomes by {by_label(by)}")
    _group_legend(ax, groups, colours, by)
    if not names or not groups:
        note(ax, "no outcomes or groups to show")
    elif all(r.suppressed or pd.isna(r.rate) for r in rows):
        note(ax, "no rates to show: every cell is empty or suppressed", y=0.5)
    return ax


def _wrap(text: str, width: int = 28) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def _top_legend(ax: Axes, handles: list[Any]) -> None:
    """A legend between the title and the axes (one line for up to four entries)."""
    ncol = len(handles) if len(handles) <= 4 else 3
    rows = -(-len(handles) // max(ncol, 1))
    ax.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=max(ncol, 1),
        frameon=False,
        fontsize=9,
        handlelength=1.6,
        columnspacing=1.4,
        borderaxespad=0.3,
    )
    for loc in ("left", "center", "right"):
        text = ax.get_title(loc=loc)
        if text:
            ax.set_title(text, loc=loc, pad=12 + 15 * rows)


def _group_legend(ax: Axes, groups: Sequence[Any], colours: dict[Any, str], by: str) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=colours[g], marker="o", linewidth=2, label=category_label(g))
        for g in groups
    ]
    if handles:
        _top_legend(ax, handles)


# --------------------------------------------------------------------------------------
# payoff of a bold choice
# --------------------------------------------------------------------------------------

_MARKERS = ("o", "s", "D", "^", "v", "P", "X")


def plot_boldness_payoff(
    data: Any,
    outcome: str,
    *,
    by: str = "gender",
    via: str = "bold_choice",
    suppressed: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """An outcome's rate by ``via`` (bold choice or not) within each group, with Wilson CIs.

    Each group gets a pair of rows: participants who made the bold choice (filled dot)
    and those who did not (open dot), joined by a thin line so the difference, the
    payoff of boldness in that group, is visible at a glance.  Counts ``events/n`` on
    the right.  Participants with ``via`` missing (no mentor) are left out and counted
    in a note.

    Parameters
    ----------
    data : Cohort or DataFrame
        Participant records with ``by``, ``outcome`` and ``via`` (``bold_choice`` is
        computed by :func:`mentoranalytics.boldness` when absent).
    outcome : str
        A yes/no outcome column.
    by : str, default="gender"
        The grouping column.
    via : str, default="bold_choice"
        The column splitting each group.
    suppressed : SuppressedTable, DataFrame or None, default=None
        Disclosure control: a mask with groups as index and ``via`` levels as columns
        (a suppressed ``n`` column withholds the whole group).
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes
        Dots carry ``gid="rate:<group>:<level>"``, whiskers ``"ci:<group>:<level>"``,
        counts ``"n:<group>:<level>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman", "woman", "man", "man"],
    ...                    "bold_choice": [True, False, True, False],
    ...                    "promoted": [True, False, True, True]})
    >>> ax = maplot.plot_boldness_payoff(df, "promoted")
    >>> len([l for l in ax.lines if (l.get_gid() or "").startswith("rate:")])
    4
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = frame_of(data, [by, outcome], "the boldness-payoff chart")
    if via not in frame.columns:
        if via != "bold_choice":
            frame_of(frame, [via], "the boldness-payoff chart")
        from ..boldness import boldness

        frame = frame.assign(bold_choice=boldness(frame)["bold_choice"])
    groups = group_order(frame[by], by)
    levels = group_order(frame[via], via)
    if set(levels) <= {True, False}:
        levels = [False, True]
    cells = {g: group_rates(frame[frame[by] == g], outcome, via, levels) for g in groups}
    ax = get_ax(ax, (8.0, 1.5 + 0.62 * max(2, len(groups)) * max(2, len(levels)) / 2))
    colours = group_colors(groups, by)
    mask = cell_mask(suppressed, groups, levels)
    height = min(0.3, 0.72 / max(1, len(levels)))
    rows: list[_RateRow] = []
    for i, group in enumerate(groups):
        pair: list[_RateRow] = []
        for j, level in enumerate(levels):
            y = i + (j - (len(levels) - 1) / 2) * height
            c = cells[group].iloc[j]
            hidden = bool(mask.loc[group, level])
            row = _RateRow(
                y,
                c["rate"],
                c["ci_low"],
                c["ci_high"],
                c["n"],
                c["events"],
                hidden,
                colours[group],
                f"{group}:{level}",
                filled=_filled(level, j, len(levels)),
                marker=_MARKERS[j % len(_MARKERS)] if len(levels) > 2 else "o",
                empty_text="nobody (n = 0)",
            )
            pair.append(row)
        drawable = [r for r in pair if not r.suppressed and not pd.isna(r.rate)]
        if len(drawable) >= 2:
            ax.plot(
                [r.rate for r in drawable],
                [r.y for r in drawable],
                color=colours[group],
                linewidth=0.9,
                alpha=0.6,
                zorder=1,
            )
        if not drawable and all(not r.suppressed for r in pair):
            ax.text(
                0.5,
                i,
                _no_via_note(via),
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=9,
            )
        rows.extend(pair)
    _draw_rate_rows(ax, rows)
    for i in range(len(groups) - 1):
        ax.axhline(i + 0.5, color="#E3E3E3", linewidth=0.8, zorder=0)
    ax.set_yticks(range(len(groups)), [category_label(g) for g in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)
    _percent_axis(ax, f"{column_label(outcome)}: share (dot) and 95% Wilson interval (line)")
    ax.text(
        1.02,
        1.0,
        "events/n",
        transform=ax.transAxes,
        ha="left",
        va="bottom",
        fontsize=9,
        color=NEUTRAL,
    )
    ax.set_ylabel(by_label(by).capitalize())
    what = "a bold mentor choice" if via == "bold_choice" else by_label(via)
    ax.set_title(f"{column_label(outcome)}: does {what} pay off within each {by_label(by)}?")
    _level_legend(ax, levels, via)
    missing = int(frame[via].isna().sum())
    if missing:
        reason = "no mentor or bold choice unknown" if via == "bold_choice" else f"{via} missing"
        ax.annotate(
            f"Not shown: {missing} participant(s) ({reason}).",
            xy=(0.0, 0.0),
            xycoords="axes fraction",
            xytext=(0, -40),
            textcoords="offset points",
            fontsize=8.5,
            color=NEUTRAL,
            va="top",
        )
    if not groups:
        note(ax, f"no participants with a recorded {by_label(by)}")
    return ax


def _filled(level: Any, j: int, count: int) -> bool:
    if isinstance(level, (bool, np.bool_)):
        return bool(level)
    return j == count - 1 if count == 2 else True


def _no_via_note(via: str) -> str:
    if via == "bold_choice":
        return "no participants with a mentor in this group"
    return f"no participants with a recorded {by_label(via)} in this group"


def _level_legend(ax: Axes, levels: Sequence[Any], via: str) -> None:
    from matplotlib.lines import Line2D

    names = {True: "bold choice", False: "other mentor choice"} if via == "bold_choice" else {}
    handles = []
    for j, level in enumerate(levels):
        filled = _filled(level, j, len(levels))
        marker = _MARKERS[j % len(_MARKERS)] if len(levels) > 2 else "o"
        label = names.get(level, category_label(level))
        handles.append(
            Line2D(
                [],
                [],
                color=NEUTRAL,
                marker=marker,
                linestyle="none",
                markerfacecolor=NEUTRAL if filled else "white",
                markeredgewidth=1.6,
                label=label,
            )
        )
    _top_legend(ax, handles)
