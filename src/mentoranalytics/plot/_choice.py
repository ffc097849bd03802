"""Charts of mentor choice: relation and approach mix, seniority reach, boldness."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from ..schema import SCHEMA
from . import _autofit
from ._common import (
    MARGIN_ROWS,
    SUPPRESSED,
    by_label,
    category_label,
    cell_mask,
    frame_of,
    get_ax,
    group_order,
    new_figure,
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
    text_width_pt,
    wants_legend,
)
from ._style import LIGHT_NEUTRAL, NEUTRAL, group_markers
from ._summary import draw_summaries, group_summaries

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

NO_MENTOR_NOTE = "no participants with a mentor in this group"

_CHOICE_VARIABLES = ("mentor_relation", "approach")
#: Row labels of a count table that hold totals, not categories.
_TOTAL_ROWS = frozenset({*MARGIN_ROWS, "n", "N"})


def _sequential(n: int) -> list[str]:
    """``n`` colours from light to dark along cividis (colour-blind safe, ordered)."""
    import matplotlib as mpl

    cmap = mpl.colormaps["cividis"]
    return [mpl.colors.to_hex(cmap(x)) for x in np.linspace(0.97, 0.08, n)]


def _text_color(hex_color: str) -> str:
    """Black or white text, whichever reads better on ``hex_color``."""
    import matplotlib as mpl

    r, g, b = mpl.colors.to_rgb(hex_color)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.5 else "white"


def _category_colors(variable: str | None, categories: Sequence[Any]) -> dict[Any, str]:
    """Ordered categories get a light-to-dark palette; ``assigned`` (no choice) is grey."""
    chosen = [c for c in categories if c != "assigned"]
    colours = dict(zip(chosen, _sequential(len(chosen)), strict=True))
    if "assigned" in categories:
        colours["assigned"] = LIGHT_NEUTRAL
    return {c: colours[c] for c in categories}


def _released_counts(
    counts: Any, variable: str | None
) -> tuple[pd.DataFrame, pd.Series, list[Any], list[Any]]:
    """Groups x categories counts (NaN = suppressed) and each group's total (NaN = unknown)."""
    if not isinstance(counts, pd.DataFrame):
        raise AnalysisError(
            "counts must be a DataFrame of released counts (rows = categories, columns = "
            f"groups, NaN = suppressed), not {type(counts).__name__}."
        )
    table = counts.apply(pd.to_numeric, errors="coerce")
    bad = table.isna() & counts.notna()
    if bad.to_numpy().any():
        raise AnalysisError(
            "counts: every cell must be a count or NaN (suppressed); some cells are text. "
            "Pass the released numbers, with NaN where a count is withheld."
        )
    total_rows = [r for r in table.index if str(r) in _TOTAL_ROWS]
    margin_cols = [c for c in table.columns if str(c) in MARGIN_ROWS]
    body = table.drop(index=total_rows, columns=margin_cols)
    cells = body.T
    if total_rows:
        totals = table.loc[total_rows[0], [c for c in body.columns]].astype(float)
    else:
        totals = cells.sum(axis=1, min_count=1).where(cells.notna().all(axis=1))
    spec = SCHEMA.get(variable) if variable else None
    present = list(cells.columns)
    if spec is not None and spec.categories:
        categories = [c for c in spec.categories if c in [str(p) for p in present]]
        categories += [c for c in present if str(c) not in spec.categories]
        cells = cells.rename(columns={c: str(c) for c in present}).reindex(columns=categories)
    else:
        categories = present
    return cells, totals, list(cells.index), categories


def plot_mentor_choice(
    data: Any = None,
    *,
    variable: str | None = None,
    by: str = "gender",
    counts: pd.DataFrame | None = None,
    suppressed: Any = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
    **kwargs: Any,
) -> Axes:
    """100% stacked bars of how participants chose their mentor, one bar per group.

    Each bar splits the participants of one group who have a value of ``variable``
    (that is, who secured a mentor) into its categories, in schema order (safer to
    bolder for ``mentor_relation``).  The group's n is written next to its name.

    Parameters
    ----------
    data : Cohort or DataFrame, optional
        One row per participant with columns ``by`` and ``variable``.  Leave out
        when drawing released ``counts``.
    variable : {"mentor_relation", "approach"} or str, optional
        The categorical column to break down; default ``"mentor_relation"`` (with
        ``counts``: the name of its index, if any).
    by : str, default="gender"
        The grouping column; groups appear in schema order.
    counts : DataFrame, optional
        Released counts instead of participant records: rows = categories, columns =
        groups, NaN = suppressed; an optional ``Total`` (or ``n``) row holds each
        group's n.  Bars are drawn from these numbers only.  With a total, the
        withheld cells of a bar are merged into one hatched segment labelled
        "suppressed"; without one, shares are of the released cells (the tick says
        "n shown") and the bar is marked "+ suppressed".  A group whose cells are all
        NaN is drawn as "suppressed".
    suppressed : SuppressedTable, DataFrame, Series or None, default=None
        Disclosure control of the counts computed from ``data`` (groups as index,
        categories as columns, optionally a ``total``/``n`` column), e.g.
        ``ma.suppress(table, policy)``.  Suppressed cells are merged into one hatched
        segment labelled "suppressed"; a suppressed total withholds the whole bar.
    ax : matplotlib Axes, optional
        Where to draw; by default the current Axes or a new figure.
    palette : str, list or dict, optional
        Colours of the categories (the stacked segments); default: light to dark
        along cividis, readable in greyscale.
    order : list, optional
        Groups (bars) to draw, in order.
    labels : dict, list or callable, optional
        Display text of the groups.
    title : str, optional
        Axes title; by default none.
    legend : {"auto", True, False}, default="auto"
        The category legend, right of the axes.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes
        Segments carry ``gid="bar:<group>:<category>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman", "woman", "man"],
    ...                    "mentor_relation": ["line_manager", "no_prior_tie", "introduced"]})
    >>> ax = maplot.plot_mentor_choice(df)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['woman\\nn = 2', 'man\\nn = 1']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    if counts is not None:
        if data is not None:
            raise AnalysisError("Pass either data (participant records) or counts, not both.")
        if variable is None and counts.index.name in SCHEMA:
            variable = str(counts.index.name)
        cells, totals, present_groups, categories = _released_counts(counts, variable)
        groups = resolve_order(order, group_order(pd.Series(present_groups, dtype=object), by))
        cells = cells.reindex(index=groups)
        totals = totals.reindex(groups)
        mask = cells.isna()
        row_hidden = mask.all(axis=1)
        total_known = totals.notna()
        cells = cells.fillna(0.0)
    else:
        if data is None:
            raise AnalysisError("plot_mentor_choice needs data (participant records) or counts=.")
        variable = variable or "mentor_relation"
        frame = frame_of(data, [by, variable], "the mentor-choice chart")
        answered = frame.loc[frame[variable].notna() & frame[by].notna(), [by, variable]]
        groups = resolve_order(order, group_order(frame[by], by))
        spec = SCHEMA.get(variable)
        present = group_order(answered[variable], variable)
        if spec is not None and spec.categories:
            categories = list(spec.categories) + [c for c in present if c not in spec.categories]
        else:
            categories = present
        cells = (
            pd.crosstab(answered[by], answered[variable])
            .reindex(index=groups, columns=categories, fill_value=0)
            .fillna(0)
            .astype(float)
        )
        mask = cell_mask(suppressed, groups, categories)
        row_hidden = cell_mask(suppressed, groups)["_row"] & mask.all(axis=1)
        totals = cells.sum(axis=1)
        total_known = pd.Series(True, index=totals.index)
    ax = get_ax(ax, (8.0, 1.2 + 0.75 * max(2, len(groups))))
    spec = SCHEMA.get(variable) if variable else None
    default = _category_colors(variable, categories)
    colours = resolve_palette(palette, categories, default=default)
    names = resolve_labels(labels, groups)
    is_mentor = spec is not None and spec.group == "mentor"
    what = by_label(variable) if variable else "answer"
    empty_note = NO_MENTOR_NOTE if is_mentor else f"no {what} recorded in this group"
    bar_kw: dict[str, Any] = {"height": 0.62, "edgecolor": "white", "linewidth": 0.8}
    bar_kw.update(kwargs)
    ticks = []
    words = []
    partial = False
    for i, group in enumerate(groups):
        shown_sum = float(cells.loc[group][~mask.loc[group]].sum())
        n = float(totals.loc[group]) if bool(total_known.loc[group]) else shown_sum
        if bool(row_hidden.loc[group]):
            ticks.append(f"{names[group]}\nn {SUPPRESSED}")
            words.append(_word(ax, i, SUPPRESSED))
            continue
        ticks.append(f"{names[group]}\nn = {int(n)}" + ("" if total_known.loc[group] else " shown"))
        if n == 0:
            words.append(_word(ax, i, empty_note))
            continue
        left = 0.0
        for cat in categories:
            k = float(cells.loc[group, cat])
            if bool(mask.loc[group, cat]) or k == 0:
                continue
            share = k / n
            bars = ax.barh(i, share, left=left, color=colours[cat], label="_nolegend_", **bar_kw)
            bars.patches[0].set_gid(f"bar:{group}:{cat}")
            _segment_label(ax, bars.patches[0], f"{100 * share:.0f}%", _text_color(colours[cat]))
            left += share
        withheld = bool(mask.loc[group].any())
        hidden_share = (n - shown_sum) / n if total_known.loc[group] else 0.0
        if withheld and hidden_share > 1e-12:
            bars = ax.barh(
                i,
                hidden_share,
                left=left,
                color="white",
                hatch="///",
                edgecolor=LIGHT_NEUTRAL,
                height=bar_kw["height"],
                linewidth=0.8,
                label="_nolegend_",
            )
            bars.patches[0].set_gid(f"bar:{group}:{SUPPRESSED}")
            _segment_label(ax, bars.patches[0], SUPPRESSED, NEUTRAL, italic=True)
        elif withheld and not total_known.loc[group]:
            partial = True
            mark = ax.text(
                1.0,
                i,
                f" + {SUPPRESSED}",
                transform=ax.get_yaxis_transform(),
                ha="left",
                va="center",
                fontsize=8,
                color=NEUTRAL,
                style="italic",
                clip_on=False,
            )
            mark.set_gid(f"partial:{group}")
    ax.set_yticks(range(len(groups)), ticks)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 5), [f"{v:.0f}%" for v in np.linspace(0, 100, 5)])
    ax.grid(axis="y", visible=False)
    who = "participants with a mentor" if is_mentor else "participants who answered"
    ax.set_xlabel(f"Share of {who}")
    _autofit.no_overlap(ax, words)
    _autofit.fit_ticks(ax, "y", thin=False, min_size=5.0)
    _autofit.fit_ticks(ax, "x", thin=True)
    if wants_legend(legend, needed=bool(categories)):
        import matplotlib.patches as mpatches

        handles = [mpatches.Patch(color=colours[c], label=category_label(c)) for c in categories]
        offset = text_width_pt(f" + {SUPPRESSED}", 8) + 6 if partial else 0.0
        legend_right(ax, handles, offset_pt=offset, title=what.capitalize())
    if not groups:
        note(ax, f"no participants with a recorded {by_label(by)}")
    apply_title(ax, title)
    return ax


def _word(ax: Axes, y: float, text: str) -> Any:
    word = ax.text(
        0.5,
        y,
        text,
        transform=ax.get_yaxis_transform(),
        ha="center",
        va="center",
        color=NEUTRAL,
        style="italic",
        fontsize=9,
    )
    word.set_in_layout(False)
    _autofit.fit_box(ax, word, (0.01, 0.0, 0.99, 1.0))
    return word


def _segment_label(ax: Axes, patch: Any, text: str, colour: str, *, italic: bool = False) -> None:
    """The share written in the middle of a segment; hidden when it does not fit."""
    x = patch.get_x() + patch.get_width() / 2
    y = patch.get_y() + patch.get_height() / 2
    label = ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        fontsize=8.5 if not italic else 8,
        color=colour,
        style="italic" if italic else "normal",
    )
    label.set_in_layout(False)

    def width() -> float:
        box = patch.get_window_extent()
        return float(box.width)

    _autofit.fit_width(ax, label, width, min_size=6.0)


# --------------------------------------------------------------------------------------
# individual values (internal use): dots over a box with quantile whiskers
# --------------------------------------------------------------------------------------


#: Most dots drawn per group.  A larger group is drawn as this many evenly spaced
#: order statistics of its values (every value's share kept; deterministic), and the
#: chart says so; its box and its n always use every value.
MAX_DOTS = 1000
#: Whiskers of the boxes in the individual view: 10th and 90th percentiles (never the
#: minimum and maximum, which are one person's value each).
WHISKERS = (10.0, 90.0)


def _dot_sample(values: np.ndarray, limit: int = MAX_DOTS) -> np.ndarray:
    """``values`` when there are at most ``limit``; else ``limit`` evenly spaced quantiles."""
    if values.size <= limit:
        return values
    ordered = np.sort(values, kind="stable")
    return ordered[np.round(np.linspace(0, values.size - 1, limit)).astype(np.int64)]


def _dot_offsets(values: np.ndarray, *, resolution: float, width: float) -> np.ndarray:
    """Deterministic horizontal offsets that stack tied values side by side."""
    if values.size == 0:
        return np.zeros(0)
    keys = np.round(values / resolution).astype(np.int64)
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    step = min(0.07 * width / 0.7, width / max(1, counts.max()))
    # rank of each value among its ties, in order of appearance
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(values.size, dtype=np.int64)
    rank[order] = np.arange(values.size) - np.repeat(starts, counts)
    return (rank - (counts[inverse] - 1) / 2) * step


def _dot_box(
    ax: Axes,
    positions: Sequence[float],
    groups: Sequence[Any],
    values: dict[Any, np.ndarray],
    colours: dict[Any, str],
    markers: dict[Any, str],
    *,
    hidden: dict[Any, bool],
    resolution: float,
    empty_note: str,
    width: float = 0.7,
    gid_prefix: str = "dots",
) -> list[Any]:
    """A box (quartiles, whiskers at the 10th and 90th percentiles, no fliers) and every
    participant as a dot, per group; returns the notes written instead.

    A group of more than :data:`MAX_DOTS` is drawn as that many evenly spaced order
    statistics of its values (its tick label says so); its box uses every value.
    """
    largest = min(max((v.size for v in values.values()), default=0), MAX_DOTS)
    dot_size = 22.0 if largest <= 40 else max(7.0, 22.0 * float(np.sqrt(40 / largest)))
    words = []
    for x, group in zip(positions, groups, strict=True):
        vals = values[group]
        text = None
        if hidden.get(group, False):
            text = SUPPRESSED
        elif vals.size == 0:
            text = empty_note.replace(" with a", "\nwith a").replace(" in this", "\nin this")
        if text is not None:
            word = ax.text(
                x,
                0.5,
                text,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=8.5,
            )
            word.set_in_layout(False)
            words.append(word)
            continue
        ax.boxplot(
            [vals],
            positions=[x],
            widths=0.8 * width,
            whis=WHISKERS,
            showfliers=False,
            patch_artist=True,
            manage_ticks=False,
            zorder=4,
            boxprops={"facecolor": "none", "edgecolor": NEUTRAL, "linewidth": 1.1},
            whiskerprops={"color": NEUTRAL, "linewidth": 1.1},
            capprops={"color": NEUTRAL, "linewidth": 1.1},
            medianprops={"color": "black", "linewidth": 2.2},
        )
        shown = _dot_sample(vals)
        offsets = _dot_offsets(shown, resolution=resolution, width=width)
        dots = ax.scatter(
            x + offsets,
            shown,
            s=dot_size,
            color=colours[group],
            marker=markers[group],
            edgecolor="white",
            linewidth=0.5,
            alpha=0.9,
            zorder=3,
            label=category_label(group),
        )
        dots.set_gid(f"{gid_prefix}:{group}")
    return words


def _group_values(
    frame: pd.DataFrame, by: str, column: str, groups: Sequence[Any]
) -> dict[Any, np.ndarray]:
    keys = frame[by].astype(object).map(lambda v: None if pd.isna(v) else str(v))
    out = {}
    for g in groups:
        vals = pd.to_numeric(frame.loc[(keys == str(g)).to_numpy(bool), column], errors="coerce")
        out[g] = vals.dropna().to_numpy(dtype=float)
    return out


def _hidden_groups(suppressed: Any, groups: Sequence[Any]) -> dict[Any, bool]:
    mask = cell_mask(suppressed, groups)["_row"]
    return {g: bool(mask.loc[g]) for g in groups}


def _with_derived(data: Any, frame: pd.DataFrame, needed: Sequence[str]) -> pd.DataFrame:
    """``frame`` with the derived fields computed by :mod:`mentoranalytics.boldness` if absent."""
    if all(c in frame.columns for c in needed):
        return frame
    from ..boldness import derive_fields

    return derive_fields(frame)


def _tick(name: str, vals: np.ndarray, hidden: bool, narrow: bool = False) -> str:
    if narrow:
        name = name.replace(" ", "\n")
    if hidden:
        return f"{name}\nn {SUPPRESSED}"
    if vals.size > MAX_DOTS:  # the dots are a sample: say so under the n
        return f"{name}\nn = {vals.size}\n({MAX_DOTS} dots)"
    return f"{name}\nn = {vals.size}"


# --------------------------------------------------------------------------------------
# seniority reach
# --------------------------------------------------------------------------------------

SENIORITY_LIMITS = (-5.0, 5.0)


def plot_seniority_reach(
    data: Any,
    *,
    by: str = "gender",
    suppressed: Any = None,
    ax: Axes | None = None,
    individual: bool = False,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """How far up participants reached for a mentor: the seniority gap by group.

    The seniority gap is ``mentor_level - participant_level`` (computed by
    :func:`mentoranalytics.derive_fields` when the column is absent), from -5 to 5.
    By default the chart draws aggregates only: each group's mean gap with its 95%
    t interval and n (the same numbers as ``compare_groups``), on the fixed -5 to 5
    scale.  ``individual=True`` (for internal use: it shows every person) draws each
    participant as a dot over a box of the quartiles with whiskers at the 10th and
    90th percentiles (never the minimum and maximum) and no outliers.

    Parameters
    ----------
    data : Cohort or DataFrame
        With ``by`` and ``seniority_gap`` (or ``mentor_level`` and ``participant_level``).
    by : str, default="gender"
        The grouping column.
    suppressed : SuppressedTable, Series, set or None, default=None
        Groups withheld by disclosure control (a mask by group); they are drawn as
        the word "suppressed".
    ax : matplotlib Axes, optional
        Where to draw.
    individual : bool, default=False
        Draw one dot per participant (internal use only: never publish it).
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).

    Returns
    -------
    matplotlib.axes.Axes
        Aggregate view: means carry ``gid="mean:<group>"``, intervals ``"ci:<group>"``,
        the n column ``"n:<group>"``.  Individual view: dots ``"dots:<group>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman", "woman", "man", "man"],
    ...                    "seniority_gap": [2, 3, 0, 1]})
    >>> ax = maplot.plot_seniority_reach(df)
    >>> [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n:")]
    ['2', '2']
    >>> import matplotlib.pyplot as plt
    >>> ax = maplot.plot_seniority_reach(df, individual=True, ax=plt.figure().gca())
    >>> ax.get_xticklabels()[0].get_text()
    'woman\\nn = 2'
    >>> plt.close("all")
    """
    legend = check_legend(legend)
    frame = frame_of(data, [by], "the seniority-reach chart")
    frame = _with_derived(data, frame, ["seniority_gap"])
    groups = resolve_order(order, group_order(frame[by], by))
    hidden = _hidden_groups(suppressed, groups)
    if not individual:
        ax = get_ax(ax, (7.0, 1.3 + 0.45 * max(2, len(groups))))
        table = group_summaries(frame, by, ["seniority_gap"], groups)
        draw_summaries(
            ax,
            table,
            ["seniority_gap"],
            groups,
            by=by,
            hidden=hidden,
            palette=palette,
            labels=labels,
            legend=legend,
            limits=SENIORITY_LIMITS,
            reference=0.0,
            xlabel="Seniority gap (mentor's level minus own level):\nmean and 95% CI",
            empty_text="no mentor (n = 0)",
        )
        ax.xaxis.set_major_locator(__import__("matplotlib").ticker.MultipleLocator(1))
        if not groups:
            note(ax, f"no participants with a recorded {by_label(by)}")
        apply_title(ax, title)
        return ax
    ax = get_ax(ax, (1.8 + 1.3 * max(2, len(groups)), 4.6))
    values = _group_values(frame, by, "seniority_gap", groups)
    colours = resolve_palette(palette, groups, by=by)
    names = resolve_labels(labels, groups)
    words = _dot_box(
        ax,
        list(range(len(groups))),
        groups,
        values,
        colours,
        group_markers(groups, by),
        hidden=hidden,
        resolution=1.0,
        empty_note=NO_MENTOR_NOTE,
    )
    ax.axhline(0, color=NEUTRAL, linewidth=0.9, linestyle="--", zorder=1)
    ax.set_xticks(range(len(groups)), [_tick(names[g], values[g], hidden[g]) for g in groups])
    ax.set_xlim(-0.6, len(groups) - 0.4)
    lo, hi = SENIORITY_LIMITS
    ax.set_ylim(lo - 0.6, hi + 0.6)
    ax.yaxis.set_major_locator(__import__("matplotlib").ticker.MultipleLocator(1))
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Seniority gap\n(mentor's level minus own level)")
    ax.set_xlabel(by_label(by).capitalize())
    _autofit.no_overlap(ax, words)
    _autofit.fit_ticks(ax, "x", thin=False, min_size=5.0)
    if not groups:
        note(ax, f"no participants with a recorded {by_label(by)}")
    apply_title(ax, title)
    return ax


# --------------------------------------------------------------------------------------
# boldness and its components
# --------------------------------------------------------------------------------------


_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("boldness_index", "Boldness index\nmean of the\ncomponents"),
    ("reach", "Reach\nhow far up\n"),
    ("distance", "Distance\nhow far outside\nthe network"),
    ("initiation", "Initiation\nwho made the\nfirst move"),
)
_SHORT = {
    "boldness_index": "Boldness index",
    "reach": "Reach",
    "distance": "Distance",
    "initiation": "Initiation",
}
BOLDNESS_LIMITS = (0.0, 1.0)


def _scores(
    data: Any, by: str, weights: Sequence[float] | None, order: Sequence[Any] | None
) -> tuple[pd.DataFrame, list[Any]]:
    frame = frame_of(data, [by], "the boldness chart")
    from ..boldness import boldness

    scores = boldness(frame) if weights is None else boldness(frame, weights=tuple(weights))
    scores = scores.assign(**{"_group": frame[by].reindex(scores.index)})
    groups = resolve_order(order, group_order(frame[by], by))
    return scores, groups


def plot_boldness(
    data: Any,
    *,
    by: str = "gender",
    weights: Sequence[float] | None = None,
    suppressed: Any = None,
    ax: Axes | None = None,
    individual: bool = False,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
    fig: Figure | SubFigure | None = None,
) -> Any:
    """The boldness index and its three components (reach, distance, initiation) by group.

    Axes-level: one block of rows per score (index, reach, distance, initiation) on
    the fixed 0-1 scale, and in it each group's mean with its 95% t interval and n,
    groups told apart by colour and marker shape.  ``individual=True`` (internal use:
    it shows every person) draws every participant as a dot over a box (quartiles,
    whiskers at the 10th and 90th percentiles, no outliers) per score and group.
    Scores come from :func:`mentoranalytics.boldness`, so the index is the weighted
    mean of the components available for each person.  For one panel per score, see
    :func:`plot_boldness_panels`.

    Parameters
    ----------
    data : Cohort or DataFrame
        Canonical cohort records with ``by``.
    by : str, default="gender"
        The grouping column.
    weights : sequence of three floats, optional
        Weights of reach, distance and initiation; default: the package default
        (equal weights).
    suppressed : SuppressedTable, Series, set or None, default=None
        Groups withheld by disclosure control; drawn as "suppressed".
    ax : matplotlib Axes, optional
        Where to draw.
    individual : bool, default=False
        Draw one dot per participant (internal use only: never publish it).
    palette, order, labels, title, legend
        As for every chart (see :mod:`mentoranalytics.plot`).
    fig : matplotlib Figure, optional
        Deprecated: draws :func:`plot_boldness_panels` into ``fig`` and returns the
        Figure, as version 0.1 did.

    Returns
    -------
    matplotlib.axes.Axes
        Means carry ``gid="mean:<score>:<group>"``; in the individual view dots
        ``"dots:<score>:<group>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman", "man"] * 2, "participant_level": [2, 3, 1, 2],
    ...                    "mentor_level": [5, 3, 4, 2],
    ...                    "mentor_relation": ["no_prior_tie", "line_manager"] * 2,
    ...                    "approach": ["cold_approach", "existing_relationship"] * 2})
    >>> ax = maplot.plot_boldness(df)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Boldness index', 'Reach', 'Distance', 'Initiation']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    if fig is not None:
        warnings.warn(
            "plot_boldness(fig=...) is deprecated: plot_boldness is axes-level (ax=); "
            "call plot_boldness_panels(fig=...) for the four-panel figure.",
            DeprecationWarning,
            stacklevel=2,
        )
        return plot_boldness_panels(
            data,
            by=by,
            weights=weights,
            suppressed=suppressed,
            fig=fig,
            individual=individual,
            palette=palette,
            order=order,
            labels=labels,
            title=title,
            legend=legend,
        )
    legend = check_legend(legend)
    scores, groups = _scores(data, by, weights, order)
    hidden = _hidden_groups(suppressed, groups)
    columns = [c for c, _ in _COMPONENTS]
    if not individual:
        ax = get_ax(ax, (7.0, 1.5 + 0.3 * len(columns) * max(2, len(groups))))
        table = group_summaries(scores, "_group", columns, groups)
        draw_summaries(
            ax,
            table,
            columns,
            groups,
            by=by,
            hidden=hidden,
            palette=palette,
            labels=labels,
            legend=legend,
            limits=BOLDNESS_LIMITS,
            xlabel="Score (0 = safest, 1 = boldest): mean and 95% CI",
            empty_text="no mentor (n = 0)",
        )
        apply_title(ax, title)
        return ax
    ax = get_ax(ax, (1.6 + len(columns) * (0.7 + 0.5 * len(groups)), 4.6))
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    names = resolve_labels(labels, groups)
    width = 0.8 / max(1, len(groups))
    words = []
    for k, column in enumerate(columns):
        values = _group_values(scores, "_group", column, groups)
        positions = [k + (j - (len(groups) - 1) / 2) * width for j in range(len(groups))]
        words += _dot_box(
            ax,
            positions,
            groups,
            values,
            colours,
            markers,
            hidden=hidden,
            resolution=1 / 48,
            empty_note="n = 0",
            width=width,
            gid_prefix=f"dots:{column}",
        )
    ax.set_xticks(range(len(columns)), [_SHORT[c] for c in columns])
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(-0.06, 1.06)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Score (0 = safest, 1 = boldest)")
    _autofit.no_overlap(ax, words)
    _autofit.fit_ticks(ax, "x", thin=False, min_size=5.0)
    if wants_legend(legend, needed=bool(groups)):
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], color=colours[g], marker=markers[g], linestyle="none", label=names[g])
            for g in groups
        ]
        legend_right(ax, handles, title=by_label(by).capitalize())
    apply_title(ax, title)
    return ax


#: The columns each boldness component is computed from (for the "not recorded" note).
_COMPONENT_SOURCES = {
    "reach": "mentor_level",
    "distance": "mentor_relation",
    "initiation": "approach",
}


def _empty_component_note(
    scores: pd.DataFrame, column: str, groups: Sequence[Any], values: Mapping[Any, np.ndarray]
) -> str:
    """What an empty panel of a group says: "no participants with a mentor" only when the
    group has nobody with any boldness score; otherwise this component is not recorded
    (e.g. the ``approach`` column is absent, or every approach was ``assigned``)."""
    parts = [c for c, _ in _COMPONENTS if c in scores]
    keys = scores["_group"].astype(object).map(lambda v: None if pd.isna(v) else str(v))
    empty = [g for g in groups if not len(values[g])]
    with_mentor = [
        g
        for g in empty
        if bool(scores.loc[(keys == str(g)).to_numpy(bool), parts].notna().any().any())
    ]
    if not with_mentor:
        return NO_MENTOR_NOTE
    source = _COMPONENT_SOURCES.get(column, column)
    return f"no {_SHORT.get(column, column).lower()} recorded in this group ('{source}')"


def plot_boldness_panels(
    data: Any,
    *,
    by: str = "gender",
    weights: Sequence[float] | None = None,
    suppressed: Any = None,
    fig: Figure | SubFigure | None = None,
    individual: bool = False,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Any:
    """Figure-level: one panel per boldness score (index, reach, distance, initiation).

    Each panel shows every group on the fixed 0-1 scale: by default its mean with the
    95% t interval and n (aggregates only); with ``individual=True`` (internal use)
    every participant as a dot over a box with whiskers at the 10th and 90th
    percentiles (at most 1,000 dots per group: evenly spaced quantiles of a larger
    group, as its tick label says).

    Parameters
    ----------
    data : Cohort or DataFrame
        Canonical cohort records with ``by``.
    by : str, default="gender"
        The grouping column.
    weights : sequence of three floats, optional
        Weights of reach, distance and initiation.
    suppressed : SuppressedTable, Series, set or None, default=None
        Groups withheld by disclosure control; drawn as "suppressed".
    fig : matplotlib Figure or SubFigure, optional
        Where to draw; by default a new constrained-layout figure.
    individual : bool, default=False
        Draw one dot per participant (internal use only: never publish it).
    palette, order, labels, legend
        As for every chart (see :mod:`mentoranalytics.plot`).
    title : str, optional
        The figure's title (``suptitle``); by default none.

    Returns
    -------
    matplotlib.figure.Figure
        With four Axes in the order index, reach, distance, initiation.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman", "man"], "participant_level": [2, 3],
    ...                    "mentor_level": [5, 3], "mentor_relation": ["no_prior_tie", "line_manager"],
    ...                    "approach": ["cold_approach", "existing_relationship"]})
    >>> fig = maplot.plot_boldness_panels(df)
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes]
    ['Boldness index', 'Reach', 'Distance', 'Initiation']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    scores, groups = _scores(data, by, weights, order)
    hidden = _hidden_groups(suppressed, groups)
    colours = resolve_palette(palette, groups, by=by)
    markers = group_markers(groups, by)
    names = resolve_labels(labels, groups)
    if individual:
        size = (min(13.0, max(9.0, 1.6 + len(_COMPONENTS) * (0.7 + 0.5 * len(groups)))), 5.0)
        fig = new_figure(fig, size)
        axes = list(np.ravel(fig.subplots(1, len(_COMPONENTS), sharey=True)))
    else:
        fig = new_figure(fig, (10.0, 1.8 + 0.9 * max(2, len(groups))))
        axes = list(np.ravel(fig.subplots(2, 2, sharex=True)))
    for j, (column, panel_title) in enumerate(_COMPONENTS):
        ax = axes[j]
        if not individual:
            table = group_summaries(scores, "_group", [column], groups)
            draw_summaries(
                ax,
                table,
                [column],
                groups,
                by=by,
                hidden=hidden,
                palette=colours,
                labels=names,
                legend=False,
                limits=BOLDNESS_LIMITS,
                xlabel="Mean and 95% CI" if j >= 2 else "",
                empty_text=(
                    "no mentor (n = 0)"
                    if _empty_component_note(
                        scores, column, groups, _group_values(scores, "_group", column, groups)
                    )
                    == NO_MENTOR_NOTE
                    else "not recorded (n = 0)"
                ),
            )
            ax.set_title(_SHORT[column], loc="center", fontsize=10.5)
            continue
        values = _group_values(scores, "_group", column, groups)
        words = _dot_box(
            ax,
            list(range(len(groups))),
            groups,
            values,
            colours,
            markers,
            hidden=hidden,
            resolution=1 / 48,
            empty_note=_empty_component_note(scores, column, groups, values),
        )
        narrow = len(groups) > 2
        ax.set_xticks(
            range(len(groups)),
            [_tick(names[g], values[g], hidden[g], narrow) for g in groups],
            fontsize=9,
        )
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_ylim(-0.06, 1.06)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        ax.grid(axis="x", visible=False)
        ax.set_title(panel_title, fontsize=10.5, loc="center")
        if j == 0:
            ax.set_ylabel("Score (0 = safest, 1 = boldest)")
        _autofit.no_overlap(ax, words)
        _autofit.fit_ticks(ax, "x", thin=False, min_size=5.0)
    if individual and wants_legend(legend, needed=False):
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], color=colours[g], marker=markers[g], linestyle="none", label=names[g])
            for g in groups
        ]
        fig.legend(handles=handles, loc="outside right upper", frameon=False, fontsize=9)
    if title is not None:
        fig.suptitle(str(title), fontweight="bold")
    return fig
