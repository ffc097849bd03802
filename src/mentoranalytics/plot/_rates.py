"""Rates with Wilson intervals: several outcomes by group, and the payoff of a bold choice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._frame import as_frame
from ..exceptions import AnalysisError, ColumnError
from ..schema import OUTCOMES
from ._autofit import fit_box
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
from ._rows import (
    Row,
    draw_rows,
    facet_positions,
    finish,
    group_handles,
    is_missing,
    legend_after_column,
)
from ._style import NEUTRAL, group_markers

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


def _count_text(n: Any, events: Any, hidden: bool, empty_text: str) -> str:
    if hidden:
        return SUPPRESSED
    if is_missing(n) or n == 0:
        return empty_text
    if is_missing(events):
        return f"n = {int(n)}"
    return fmt_count(events, n)


def _percent_axis(ax: Axes, label: str) -> None:
    ticks = np.linspace(0, 1, 5)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xticks(ticks, [f"{100 * t:.0f}%" for t in ticks])
    ax.set_xlabel(label)


def _check_kind(kind: str) -> str:
    if kind not in ("point", "bar"):
        raise AnalysisError(f"kind must be 'point' or 'bar', not {kind!r}.")
    return kind


def _draw_rate_table(
    ax: Axes,
    tidy: pd.DataFrame,
    names: Sequence[Any],
    groups: Sequence[Any],
    *,
    by: str | None,
    mask: pd.DataFrame,
    palette: Palette,
    labels: Labels,
    legend: bool | str,
    kind: str,
    groups_as_rows: bool,
    xlabel: str,
    outcome_labels: Mapping[Any, str] | None = None,
) -> list[Row]:
    """Rows of rates from a tidy ``outcome, group, n, events, rate, ci_low, ci_high,
    suppressed`` table; ``groups_as_rows`` draws one row per group (a single outcome)."""
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    names_of = resolve_labels(labels, groups)
    facets = 1 if groups_as_rows else len(names)
    ys, pitch = facet_positions(facets, len(groups))
    rows: list[Row] = []
    for i, outcome in enumerate(names):
        for j, group in enumerate(groups):
            y = float(ys[0 if groups_as_rows else i, j])
            hit = tidy[(tidy["outcome"] == outcome) & (tidy["group"].astype(str) == str(group))]
            gid = f"{outcome}:{group}"
            if hit.empty:
                text = NO_ANSWERS
                rows.append(Row(y, np.nan, np.nan, np.nan, text, colours[group], gid))
                continue
            r = hit.iloc[0]
            col = outcome if outcome in mask.columns else mask.columns[0]
            hidden = bool(r["suppressed"]) or bool(mask.loc[group, col])
            rows.append(
                Row(
                    y,
                    float(r["rate"]),
                    float(r["ci_low"]),
                    float(r["ci_high"]),
                    _count_text(r["n"], r["events"], hidden, NO_ANSWERS),
                    colours[group],
                    gid,
                    hidden=hidden,
                    marker=markers[group],
                )
            )
    texts = draw_rows(ax, rows, pitch=pitch, kind=kind)
    if groups_as_rows:
        ticks = [names_of[g] for g in groups]
    else:
        shown = outcome_labels or {}
        ticks = [_wrap(shown.get(o, column_label(str(o)))) for o in names]
    _percent_axis(ax, xlabel)
    finish(ax, n_facets=facets, tick_labels=ticks, header="events/n", texts=texts)
    if wants_legend(legend, needed=not groups_as_rows and bool(groups)):
        handles = group_handles(groups, colours, markers, names_of)
        legend_after_column(
            ax, handles, rows, "events/n", by_label(by).capitalize() if by else None
        )
    if not names or not groups:
        note(ax, "no outcomes or groups to show")
    elif all(not r.drawable for r in rows):
        note(ax, "no rates to show: every cell is empty or suppressed", y=0.5)
    return rows


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
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
    kind: str = "point",
) -> Axes:
    """Dot-and-whisker panel: the rate of several outcomes in each group, with Wilson CIs.

    One row per outcome; within it one dot per group (fixed colour and marker shape per
    group) with its 95% Wilson interval, and ``events/n`` in a column on the right.

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
          drawn as "suppressed"); see also :func:`plot_rates`.
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
    palette : str, list or dict, optional
        Group colours (see :mod:`mentoranalytics.plot`); default: the fixed colours.
    order : list, optional
        Groups to draw, in order.
    labels : dict, list or callable, optional
        Display text of the groups (colours and markers stay with the groups).
    title : str, optional
        Axes title; by default none (the researcher's own title is kept).
    legend : {"auto", True, False}, default="auto"
        The group legend, right of the n column.
    kind : {"point", "bar"}, default="point"
        Markers, or bars with the interval as an error bar.

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
    legend = check_legend(legend)
    kind = _check_kind(kind)
    tidy, names, present = _outcome_table(data, outcomes, by)
    groups = resolve_order(order, present)
    ax = get_ax(ax, (8.0, 1.4 + 0.32 * max(1, len(groups)) * max(1, len(names))))
    mask = cell_mask(suppressed, groups, names)
    _draw_rate_table(
        ax,
        tidy,
        names,
        groups,
        by=by,
        mask=mask,
        palette=palette,
        labels=labels,
        legend=legend,
        kind=kind,
        groups_as_rows=False,
        xlabel="Share with the outcome, 95% Wilson CI",
    )
    apply_title(ax, title)
    return ax


def _released_rates(table: Any, by: str | None) -> tuple[pd.DataFrame, list[Any], list[Any], bool]:
    """Tidy rows of a released rates table; whether it holds several outcomes."""
    if not isinstance(table, pd.DataFrame):
        raise AnalysisError(
            "table must be a DataFrame of released rates (index = group; columns n, events, "
            f"rate, ci_low, ci_high; optionally outcome), not {type(table).__name__}."
        )
    need = ["n", "rate", "ci_low", "ci_high"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ColumnError(
            f"The rates table needs columns n, events, rate, ci_low, ci_high; missing {missing}. "
            f"Available: {[str(c) for c in table.columns]}."
        )
    frame = table.copy()
    if "group" not in frame.columns:
        if by is not None and by in frame.columns:
            frame = frame.rename(columns={by: "group"})
        else:
            frame = frame.rename_axis("group").reset_index()
    several = "outcome" in frame.columns
    if not several:
        frame["outcome"] = ""
    values = ["n", "rate", "ci_low", "ci_high"] + (["events"] if "events" in frame else [])
    numbers = frame[values].apply(pd.to_numeric, errors="coerce")
    frame[values] = numbers
    tidy = rates_from_table(frame)
    tidy["suppressed"] = tidy["suppressed"] | numbers.isna().all(axis=1)
    names = list(dict.fromkeys(tidy["outcome"]))
    groups = list(dict.fromkeys(tidy["group"]))
    return tidy[["outcome", "group", *RATE_COLUMNS, "suppressed"]], names, groups, several


def plot_rates(
    table: pd.DataFrame,
    *,
    by: str | None = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    outcome_labels: Mapping[Any, str] | None = None,
    title: str | None = None,
    legend: bool | str = "auto",
    kind: str = "point",
    xlabel: str | None = None,
) -> Axes:
    """Rates by group from a table of released numbers, and nothing else.

    The chart a report draws after its release gate: every position, interval and
    count on it is a number of ``table``; nothing is computed from participants.  A
    row that is all NaN is a withheld (suppressed) row: it is drawn as the word
    "suppressed", never as a marker or bar.

    Parameters
    ----------
    table : DataFrame
        Index = group label (or a ``group`` column); columns ``n, events, rate,
        ci_low, ci_high``.  With an ``outcome`` column (a long table), one block of
        rows per outcome with the groups dodged inside it.  A row whose numbers are
        all NaN, or whose rate is NaN while n is not 0, or whose ``suppressed``
        column is true, is drawn as "suppressed"; n = 0 as "no answers (n = 0)".
    by : str, optional
        What the groups are (e.g. ``"gender"``): picks the fixed gender colours and
        names the legend.
    ax : matplotlib Axes, optional
        Where to draw.
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).
    outcome_labels : dict, optional
        Display text of the outcomes (default: the schema's description).
    kind : {"point", "bar"}, default="point"
        Markers with intervals, or bars with the interval as an error bar.
    xlabel : str, optional
        The value axis' label.

    Returns
    -------
    matplotlib.axes.Axes
        Markers carry ``gid="rate:<outcome>:<group>"`` (``<outcome>`` empty for a
        single-outcome table), bars ``"bar:..."``, intervals ``"ci:..."``, the
        right-hand texts ``"n:..."``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> released = pd.DataFrame({"n": [40, np.nan], "events": [12, np.nan],
    ...                          "rate": [0.3, np.nan], "ci_low": [0.18, np.nan],
    ...                          "ci_high": [0.45, np.nan]}, index=["woman", "non_binary"])
    >>> ax = maplot.plot_rates(released, by="gender")
    >>> [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n:")]
    ['12/40', 'suppressed']
    >>> len([l for l in ax.lines if (l.get_gid() or "").startswith("rate:")])
    1
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    kind = _check_kind(kind)
    tidy, names, present, several = _released_rates(table, by)
    groups = resolve_order(order, present)
    height = 1.2 + 0.3 * max(1, len(groups)) * (max(1, len(names)) if several else 1)
    ax = get_ax(ax, (7.0, height))
    _draw_rate_table(
        ax,
        tidy,
        names,
        groups,
        by=by,
        mask=cell_mask(None, groups),
        palette=palette,
        labels=labels,
        legend=legend,
        kind=kind,
        groups_as_rows=not several,
        xlabel=xlabel or "Share with the outcome, 95% CI",
        outcome_labels=outcome_labels,
    )
    apply_title(ax, title)
    return ax


def _wrap(text: str, width: int = 20) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


# --------------------------------------------------------------------------------------
# payoff of a bold choice
# --------------------------------------------------------------------------------------


def plot_boldness_payoff(
    data: Any,
    outcome: str,
    *,
    by: str = "gender",
    via: str = "bold_choice",
    suppressed: Any = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """An outcome's rate by ``via`` (bold choice or not) within each group, with Wilson CIs.

    Each group gets a pair of rows: participants who made the bold choice (filled
    marker) and those who did not (open marker), joined by a thin line so the
    difference, the payoff of boldness in that group, is visible at a glance.  Each
    group keeps its colour and marker shape.  Counts ``events/n`` on the right.
    Participants with ``via`` missing (no mentor) are left out and counted in the axis
    label.

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
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`); the legend explains the
        filled and open markers.

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
    legend = check_legend(legend)
    frame = frame_of(data, [by, outcome], "the boldness-payoff chart")
    if via not in frame.columns:
        if via != "bold_choice":
            frame_of(frame, [via], "the boldness-payoff chart")
        from ..boldness import boldness

        frame = frame.assign(bold_choice=boldness(frame)["bold_choice"])
    groups = resolve_order(order, group_order(frame[by], by))
    levels = group_order(frame[via], via)
    if set(levels) <= {True, False}:
        levels = [False, True]
    members = _members(frame[by])
    cells = {g: group_rates(frame[members(g)], outcome, via, levels) for g in groups}
    ax = get_ax(ax, (8.0, 1.5 + 0.62 * max(2, len(groups)) * max(2, len(levels)) / 2))
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    names = resolve_labels(labels, groups)
    mask = cell_mask(suppressed, groups, levels)
    ys, pitch = facet_positions(max(2, len(groups)), len(levels))
    rows: list[Row] = []
    for i, group in enumerate(groups):
        pair: list[Row] = []
        for j, level in enumerate(levels):
            c = cells[group].iloc[j]
            hidden = bool(mask.loc[group, level])
            pair.append(
                Row(
                    float(ys[i, j]),
                    float(c["rate"]),
                    float(c["ci_low"]),
                    float(c["ci_high"]),
                    _count_text(c["n"], c["events"], hidden, "nobody (n = 0)"),
                    colours[group],
                    f"{group}:{level}",
                    hidden=hidden,
                    marker=markers[group],
                    filled=_filled(level, j, len(levels)),
                )
            )
        drawable = [r for r in pair if r.drawable]
        if len(drawable) >= 2:
            ax.plot(
                [r.value for r in drawable],
                [r.y for r in drawable],
                color=colours[group],
                linewidth=0.9,
                alpha=0.6,
                zorder=1,
            )
        rows.extend(pair)
    texts = draw_rows(ax, rows, pitch=pitch)
    for i in range(len(groups)):
        pair = rows[i * len(levels) : (i + 1) * len(levels)]
        if not any(r.drawable for r in pair) and all(not r.hidden for r in pair):
            word = ax.text(
                0.5,
                i,
                _no_via_note(via),
                transform=ax.get_yaxis_transform(),
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=9,
            )
            word.set_in_layout(False)
            fit_box(ax, word, (0.02, 0.0, 0.98, 1.0))
    what = f"{column_label(outcome)}: share, 95% Wilson CI"
    missing = int(frame[via].isna().sum())
    if missing:
        reason = "no mentor or bold choice unknown" if via == "bold_choice" else f"{via} missing"
        what += f"\nNot shown: {missing} participant(s) ({reason})."
    _percent_axis(ax, what)
    finish(
        ax,
        n_facets=max(2, len(groups)),
        tick_labels=[names[g] for g in groups],
        header="events/n",
        texts=texts,
    )
    ax.set_ylabel(by_label(by).capitalize())
    if wants_legend(legend, needed=True):
        legend_after_column(ax, _level_handles(levels, via), rows, "events/n")
    if not groups:
        note(ax, f"no participants with a recorded {by_label(by)}")
    apply_title(ax, title)
    return ax


def _filled(level: Any, j: int, count: int) -> bool:
    if isinstance(level, (bool, np.bool_)):
        return bool(level)
    return j == count - 1 if count == 2 else True


def _no_via_note(via: str) -> str:
    if via == "bold_choice":
        return "no participants with a mentor in this group"
    return f"no participants with a recorded {by_label(via)} in this group"


def _level_handles(levels: Sequence[Any], via: str) -> list[Any]:
    from matplotlib.lines import Line2D

    names = {True: "bold choice", False: "other mentor choice"} if via == "bold_choice" else {}
    handles = []
    for j, level in enumerate(levels):
        filled = _filled(level, j, len(levels))
        handles.append(
            Line2D(
                [],
                [],
                color=NEUTRAL,
                marker="o",
                linestyle="none",
                markerfacecolor=NEUTRAL if filled else "white",
                markeredgewidth=1.6,
                label=names.get(level, category_label(level)),
            )
        )
    return handles
