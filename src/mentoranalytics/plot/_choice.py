"""Charts of mentor choice: relation and approach mix, seniority reach, boldness."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..schema import SCHEMA
from ._common import (
    SUPPRESSED,
    by_label,
    category_label,
    cell_mask,
    column_label,
    frame_of,
    get_ax,
    group_order,
    new_figure,
    note,
)
from ._style import LIGHT_NEUTRAL, NEUTRAL, group_colors

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

NO_MENTOR_NOTE = "no participants with a mentor in this group"

_CHOICE_VARIABLES = ("mentor_relation", "approach")


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


def _category_colors(variable: str, categories: Sequence[Any]) -> dict[Any, str]:
    """Ordered categories get a light-to-dark palette; ``assigned`` (no choice) is grey."""
    chosen = [c for c in categories if c != "assigned"]
    colours = dict(zip(chosen, _sequential(len(chosen)), strict=True))
    if "assigned" in categories:
        colours["assigned"] = LIGHT_NEUTRAL
    return {c: colours[c] for c in categories}


def plot_mentor_choice(
    data: Any,
    *,
    variable: str = "mentor_relation",
    by: str = "gender",
    suppressed: Any = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """100% stacked bars of how participants chose their mentor, one bar per group.

    Each bar splits the participants of one group who have a value of ``variable``
    (that is, who secured a mentor) into its categories, in schema order (safer to
    bolder for ``mentor_relation``).  The group's n is written next to its name.

    Parameters
    ----------
    data : Cohort or DataFrame
        One row per participant with columns ``by`` and ``variable``.
    variable : {"mentor_relation", "approach"} or str, default="mentor_relation"
        The categorical column to break down.
    by : str, default="gender"
        The grouping column; groups appear in schema order.
    suppressed : SuppressedTable, DataFrame, Series or None, default=None
        Disclosure control of the counts table (groups as index, categories as
        columns, optionally a ``total``/``n`` column), e.g. ``ma.suppress(table,
        policy)``.  Suppressed cells are merged into one hatched segment labelled
        "suppressed"; a suppressed total withholds the whole bar.
    ax : matplotlib Axes, optional
        Where to draw; by default the current Axes or a new figure.
    **kwargs
        Passed to :meth:`~matplotlib.axes.Axes.barh`.

    Returns
    -------
    matplotlib.axes.Axes

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
    frame = frame_of(data, [by, variable], "the mentor-choice chart")
    ax = get_ax(ax, (8.0, 1.2 + 0.75 * max(2, frame[by].nunique())))
    groups = group_order(frame[by], by)
    spec = SCHEMA.get(variable)
    answered = frame.loc[frame[variable].notna() & frame[by].notna(), [by, variable]]
    present = group_order(answered[variable], variable)
    if spec is not None and spec.categories:
        categories = list(spec.categories) + [c for c in present if c not in spec.categories]
    else:
        categories = present
    counts = (
        pd.crosstab(answered[by], answered[variable])
        .reindex(index=groups, columns=categories, fill_value=0)
        .astype(int)
    )
    mask = cell_mask(suppressed, groups, categories)
    row_mask = cell_mask(suppressed, groups)["_row"] & mask.all(axis=1)
    colours = _category_colors(variable, categories)
    is_mentor = spec is not None and spec.group == "mentor"
    empty_note = NO_MENTOR_NOTE if is_mentor else f"no {by_label(variable)} recorded in this group"

    bar_kw: dict[str, Any] = {"height": 0.62, "edgecolor": "white", "linewidth": 0.8}
    bar_kw.update(kwargs)
    labelled: set[Any] = set()
    ticks = []
    for i, group in enumerate(groups):
        n = int(counts.loc[group].sum())
        whole_row = bool(row_mask.loc[group]) or bool(mask.loc[group].all() and n > 0)
        if whole_row:
            ticks.append(f"{category_label(group)}\nn {SUPPRESSED}")
            ax.text(
                0.5,
                i,
                SUPPRESSED,
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=9,
            )
            continue
        ticks.append(f"{category_label(group)}\nn = {n}")
        if n == 0:
            ax.text(
                0.5,
                i,
                empty_note,
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=9,
            )
            continue
        left = 0.0
        hidden = 0
        for cat in categories:
            k = int(counts.loc[group, cat])
            if bool(mask.loc[group, cat]):
                hidden += k
                continue
            if k == 0:
                continue
            share = k / n
            label = category_label(cat) if cat not in labelled else "_nolegend_"
            labelled.add(cat)
            bars = ax.barh(i, share, left=left, color=colours[cat], label=label, **bar_kw)
            bars.patches[0].set_gid(f"bar:{group}:{cat}")
            if share >= 0.07:
                ax.text(
                    left + share / 2,
                    i,
                    f"{100 * share:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=8.5,
                    color=_text_color(colours[cat]),
                )
            left += share
        if hidden:
            share = hidden / n
            bars = ax.barh(
                i,
                share,
                left=left,
                color="white",
                hatch="///",
                edgecolor=LIGHT_NEUTRAL,
                height=bar_kw["height"],
                linewidth=0.8,
                label="_nolegend_",
            )
            bars.patches[0].set_gid(f"bar:{group}:{SUPPRESSED}")
            ax.text(
                left + share / 2,
                i,
                SUPPRESSED,
                ha="center",
                va="center",
                fontsize=8,
                color=NEUTRAL,
                style="italic",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            )
    # legend entries for every category, in order, even if absent from the bars
    import matplotlib.patches as mpatches

    handles = [mpatches.Patch(color=colours[c], label=category_label(c)) for c in categories]
    ax.set_yticks(range(len(groups)), ticks)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xticks(np.linspace(0, 1, 5), [f"{v:.0f}%" for v in np.linspace(0, 100, 5)])
    ax.grid(axis="y", visible=False)
    who = "participants with a mentor" if is_mentor else "participants who answered"
    ax.set_xlabel(f"Share of {who} in each {by_label(by)} group")
    ax.set_title(f"{column_label(variable)}, by {by_label(by)}")
    from matplotlib.transforms import ScaledTranslation

    below = ax.transAxes + ScaledTranslation(0, -0.62, ax.figure.dpi_scale_trans)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=below,
        ncol=min(len(categories), 5),
        frameon=False,
        fontsize=9,
        handlelength=1.2,
        columnspacing=1.2,
    )
    if not groups:
        note(ax, f"no participants with a recorded {by_label(by)}")
    return ax


# --------------------------------------------------------------------------------------
# dot + box distributions
# --------------------------------------------------------------------------------------


#: Most dots drawn per group.  A larger group is drawn as this many evenly spaced
#: order statistics of its values (every value's share kept; deterministic), and the
#: chart says so; its box and its n always use every value.
MAX_DOTS = 1000


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
    step = min(0.07, width / max(1, counts.max()))
    # rank of each value among its ties, in order of appearance
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(values.size, dtype=np.int64)
    rank[order] = np.arange(values.size) - np.repeat(starts, counts)
    return (rank - (counts[inverse] - 1) / 2) * step


def _dot_box(
    ax: Axes,
    groups: Sequence[Any],
    values: dict[Any, np.ndarray],
    colours: dict[Any, str],
    *,
    hidden: dict[Any, bool],
    resolution: float,
    empty_note: str,
) -> None:
    """One box (quartiles, whiskers 1.5 IQR) and every participant as a dot, per group.

    A group of more than :data:`MAX_DOTS` is drawn as that many evenly spaced order
    statistics of its values (its tick label says so); its box uses every value.
    """
    largest = min(max((v.size for v in values.values()), default=0), MAX_DOTS)
    dot_size = 22.0 if largest <= 40 else max(7.0, 22.0 * float(np.sqrt(40 / largest)))
    for i, group in enumerate(groups):
        if hidden.get(group, False):
            ax.text(
                i,
                0.5,
                SUPPRESSED,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=9,
            )
            continue
        vals = values[group]
        if vals.size == 0:
            ax.text(
                i,
                0.5,
                empty_note.replace(" with a", "\nwith a").replace(" in this", "\nin this"),
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                color=NEUTRAL,
                style="italic",
                fontsize=8.5,
            )
            continue
        colour = colours[group]
        ax.boxplot(
            [vals],
            positions=[i],
            widths=0.55,
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
        offsets = _dot_offsets(shown, resolution=resolution, width=0.7)
        dots = ax.scatter(
            i + offsets,
            shown,
            s=dot_size,
            color=colour,
            edgecolor="white",
            linewidth=0.5,
            alpha=0.9,
            zorder=3,
            label=category_label(group),
        )
        dots.set_gid(f"dots:{group}")


def _group_values(
    frame: pd.DataFrame, by: str, column: str, groups: Sequence[Any]
) -> dict[Any, np.ndarray]:
    out = {}
    for g in groups:
        vals = pd.to_numeric(frame.loc[frame[by] == g, column], errors="coerce").dropna()
        out[g] = vals.to_numpy(dtype=float)
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


def plot_seniority_reach(
    data: Any,
    *,
    by: str = "gender",
    suppressed: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """How far up participants reached: the seniority gap per group, every person a dot.

    The seniority gap is ``mentor_level - participant_level`` (computed by
    :func:`mentoranalytics.derive_fields` when the column is absent).  A box shows the
    quartiles and median; each dot is one participant with a mentor (in a group of more
    than 1,000: 1,000 evenly spaced quantiles of its values, as the tick label says);
    tied values sit side by side.

    Parameters
    ----------
    data : Cohort or DataFrame
        With ``by`` and ``seniority_gap`` (or ``mentor_level`` and ``participant_level``).
    by : str, default="gender"
        The grouping column.
    suppressed : SuppressedTable, Series, set or None, default=None
        Groups withheld by disclosure control (a mask by group); their dots and box
        are replaced by the word "suppressed".
    ax : matplotlib Axes, optional
        Where to draw.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"gender": ["woman", "man", "man"], "seniority_gap": [2, 0, 1]})
    >>> ax = maplot.plot_seniority_reach(df)
    >>> ax.get_xticklabels()[0].get_text()
    'woman\\nn = 1'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = frame_of(data, [by], "the seniority-reach chart")
    frame = _with_derived(data, frame, ["seniority_gap"])
    groups = group_order(frame[by], by)
    ax = get_ax(ax, (1.8 + 1.3 * max(2, len(groups)), 4.6))
    values = _group_values(frame, by, "seniority_gap", groups)
    hidden = _hidden_groups(suppressed, groups)
    _dot_box(
        ax,
        groups,
        values,
        group_colors(groups, by),
        hidden=hidden,
        resolution=1.0,
        empty_note=NO_MENTOR_NOTE,
    )
    ax.axhline(0, color=NEUTRAL, linewidth=0.9, linestyle="--", zorder=1)
    ax.set_xticks(range(len(groups)), [_tick(g, values[g], hidden[g]) for g in groups])
    ax.set_xlim(-0.6, len(groups) - 0.4)
    finite = np.concatenate([v for g, v in values.items() if not hidden[g]] or [np.zeros(0)])
    lo = min(-1.0, float(finite.min()) if finite.size else -1.0)
    hi = max(3.0, float(finite.max()) if finite.size else 3.0)
    ax.set_ylim(lo - 0.6, hi + 0.6)
    ax.yaxis.set_major_locator(__import__("matplotlib").ticker.MultipleLocator(1))
    ax.text(
        1.0,
        0,
        " same level",
        transform=ax.get_yaxis_transform(),
        ha="left",
        va="center",
        fontsize=8.5,
        color=NEUTRAL,
        clip_on=False,
    )
    ax.grid(axis="x", visible=False)
    ax.set_ylabel("Seniority gap\n(mentor's level minus participant's level)")
    ax.set_xlabel(by_label(by).capitalize())
    ax.set_title(f"How far up participants reached for a mentor, by {by_label(by)}")
    if not groups:
        note(ax, f"no participants with a recorded {by_label(by)}")
    return ax


def _tick(group: Any, vals: np.ndarray, hidden: bool, narrow: bool = False) -> str:
    name = category_label(group)
    if narrow:
        name = name.replace(" ", "\n")
    if hidden:
        return f"{name}\nn {SUPPRESSED}"
    if vals.size > MAX_DOTS:  # the dots are a sample: say so under the n
        return f"{name}\nn = {vals.size}\n({MAX_DOTS} dots)"
    return f"{name}\nn = {vals.size}"


_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("boldness_index", "Boldness index\nmean of the\ncomponents"),
    ("reach", "Reach\nhow far up\n"),
    ("distance", "Distance\nhow far outside\nthe network"),
    ("initiation", "Initiation\nwho made the\nfirst move"),
)


def plot_boldness(
    data: Any,
    *,
    by: str = "gender",
    weights: Sequence[float] | None = None,
    suppressed: Any = None,
    fig: Figure | None = None,
) -> Figure:
    """The boldness index and its three components (reach, distance, initiation) by group.

    Four panels side by side on the same 0-1 scale; in each, a box per group and every
    participant as a dot (at most 1,000 per group: evenly spaced quantiles of a larger
    group, as its tick label says).  Scores come from :func:`mentoranalytics.boldness`, so the
    index is the weighted mean of the components available for each person.

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
    fig : matplotlib Figure, optional
        Figure (or SubFigure) to draw into; by default a new one.

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
    >>> fig = maplot.plot_boldness(df)
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes]
    ['Boldness index', 'Reach', 'Distance', 'Initiation']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    frame = frame_of(data, [by], "the boldness chart")
    from ..boldness import boldness

    scores = boldness(frame) if weights is None else boldness(frame, weights=tuple(weights))
    scores = scores.assign(**{"_group": frame[by].reindex(scores.index)})
    groups = group_order(frame[by], by)
    hidden = _hidden_groups(suppressed, groups)
    colours = group_colors(groups, by)
    fig = new_figure(
        fig, (min(13.0, max(9.0, 1.6 + len(_COMPONENTS) * (0.7 + 0.5 * len(groups)))), 5.0)
    )
    axes = fig.subplots(1, len(_COMPONENTS), sharey=True)
    for j, (column, title) in enumerate(_COMPONENTS):
        ax = axes[j]
        values = _group_values(scores, "_group", column, groups)
        _dot_box(
            ax, groups, values, colours, hidden=hidden, resolution=1 / 48, empty_note=NO_MENTOR_NOTE
        )
        narrow = len(groups) > 2
        ax.set_xticks(
            range(len(groups)), [_tick(g, values[g], hidden[g], narrow) for g in groups], fontsize=9
        )
        ax.set_xlim(-0.6, len(groups) - 0.4)
        ax.set_ylim(-0.06, 1.06)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
        ax.grid(axis="x", visible=False)
        ax.set_title(title, fontsize=10.5, loc="center")
        if j == 0:
            ax.set_ylabel("Score (0 = safest, 1 = boldest)")
    fig.suptitle(
        f"Boldness of the mentor choice and its three components, by {by_label(by)}",
        fontweight="bold",
        x=0.01,
        ha="left",
    )
    return fig
