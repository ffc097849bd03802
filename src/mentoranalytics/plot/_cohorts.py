"""Across cohorts: a funnel plot with control limits, and a cohort-trend chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from . import _autofit
from ._common import (
    MARGIN_ROWS,
    SUPPRESSED,
    _mask_frame,
    by_label,
    cell_mask,
    column_label,
    fmt_count,
    frame_of,
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
from ._rates import group_rates
from ._style import GROUP_MARKERS, NEUTRAL, OKABE_ITO, group_linestyles, group_markers

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

SINGLE_COHORT_NOTE = "only one cohort: nothing to compare across cohorts yet"
#: Sizes at which the funnel's limit lines are drawn: every size up to this many,
#: beyond that this many geometrically spaced sizes (the cohorts themselves are
#: always classified with their exact limits).
_FUNNEL_POINTS = 2_000


def funnel_limits(n: Any, rate: float, *, coverage: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial control limits of a proportion around ``rate`` for sizes ``n``.

    The limits of a funnel plot (Spiegelhalter 2005, *Statistics in Medicine* 24:1185,
    appendix A.1.1): for each n, the ``(1 - coverage)/2`` and ``(1 + coverage)/2``
    quantiles of Binomial(n, ``rate``), interpolated between the discrete steps so the
    funnel is smooth: with ``r`` the quantile count for probability ``q`` and ``F``
    the binomial CDF, ``alpha = (F(r) - q) / (F(r) - F(r - 1))`` and the limit is
    ``(r - alpha) / n``, clipped to [0, 1].

    Parameters
    ----------
    n : int or array_like of int
        Cohort sizes (>= 1).
    rate : float
        The target (overall) proportion, in [0, 1].
    coverage : float, default=0.95
        Probability between the limits, e.g. 0.95 or 0.998.

    Returns
    -------
    (ndarray, ndarray)
        Lower and upper limits for each n.

    Examples
    --------
    >>> low, high = funnel_limits([20, 200], 0.3)
    >>> bool(low[0] < low[1] < 0.3 < high[1] < high[0])
    True
    """
    from scipy import stats

    sizes = np.atleast_1d(np.asarray(n, dtype=float))
    if np.any(~np.isfinite(sizes)) or np.any(sizes < 1) or np.any(sizes != np.floor(sizes)):
        raise AnalysisError("n must be whole numbers of people, at least 1.")
    if not 0 <= rate <= 1:
        raise AnalysisError(f"rate must be a proportion between 0 and 1, not {rate!r}.")
    if not 0 < coverage < 1:
        raise AnalysisError(f"coverage must be between 0 and 1 (e.g. 0.95), not {coverage!r}.")
    out = []
    for q in ((1 - coverage) / 2, (1 + coverage) / 2):
        r = stats.binom.ppf(q, sizes, rate)
        f_r = stats.binom.cdf(r, sizes, rate)
        f_below = stats.binom.cdf(r - 1, sizes, rate)
        step = f_r - f_below
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = np.where(step > 0, (f_r - q) / step, 0.0)
        out.append(np.clip((r - alpha) / sizes, 0.0, 1.0))
    return out[0], out[1]


def _margin_suppressed(suppressed: Any) -> bool:
    mask = _mask_frame(suppressed)
    if mask is None:
        return False
    for label in mask.index:
        if str(label) in MARGIN_ROWS:
            return bool(np.asarray(mask.loc[label]).any())
    return False


def plot_cohort_funnel(
    data: Any,
    outcome: str,
    *,
    cohort: str = "cohort",
    suppressed: Any = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """Funnel plot: each cohort's rate against its size, with control limits.

    The horizontal line is the overall rate of all cohorts together; the funnels are
    exact binomial 95% and 99.8% control limits around it (Spiegelhalter 2005, see
    :func:`funnel_limits`).  A cohort outside the 95% funnel is unusual (about 1 in
    20 would be by chance alone); outside 99.8%, very unusual.  Small cohorts sit
    far from the line by chance, which is what the funnel shows.  Each cohort has its
    own marker shape, coloured by where it falls; the legend names each shape with
    the cohort's ``events/n``.

    Parameters
    ----------
    data : Cohort or DataFrame
        Participant records with ``cohort`` and ``outcome``.
    outcome : str
        A yes/no outcome column.
    cohort : str, default="cohort"
        The cohort column.
    suppressed : SuppressedTable, Series, DataFrame, set or None, default=None
        Cohorts withheld by disclosure control (a mask with cohorts as index); they
        are listed as "suppressed" in the legend instead of drawn.  A suppressed
        margin row (``total``/``All``) also withholds the overall counts.
    ax : matplotlib Axes, optional
        Where to draw.
    palette : str, list or dict, optional
        Colours of the three states ``{"inside": c, "95": c, "99.8": c}`` (or a list
        of three).
    order : list, optional
        Cohorts to draw, in order.
    labels : dict, list or callable, optional
        Display text of the cohorts.
    title : str, optional
        Axes title; by default none.
    legend : {"auto", True, False}, default="auto"
        The legend of limits and cohorts, right of the axes.

    Returns
    -------
    matplotlib.axes.Axes
        Cohort points carry ``gid="cohort:<label>"``, limits ``"limit:95:low"``,
        ``"limit:95:high"``, ``"limit:99.8:low"``, ``"limit:99.8:high"``, the overall
        line ``"overall"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"cohort": ["A"] * 10 + ["B"] * 20,
    ...                    "promoted": [True] * 4 + [False] * 6 + [True] * 5 + [False] * 15})
    >>> ax = maplot.plot_cohort_funnel(df, "promoted")
    >>> sorted(l.get_gid() for l in ax.lines if (l.get_gid() or "").startswith("cohort:"))
    ['cohort:A', 'cohort:B']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    frame = frame_of(data, [cohort, outcome], "the funnel plot")
    cohorts = resolve_order(order, group_order(frame[cohort], cohort))
    rates = group_rates(frame, outcome, cohort, cohorts)
    names = resolve_labels(labels, cohorts)
    ax = get_ax(ax, (8.0, 5.0))
    hidden = cell_mask(suppressed, cohorts)["_row"]
    usable = rates[rates["n"] > 0]
    total_n, total_k = int(usable["n"].sum()), int(usable["events"].sum())
    ax.set_xlabel("Cohort size (participants with a recorded outcome)")
    ax.set_ylabel(f"{column_label(outcome)} (%)")
    apply_title(ax, title)
    if total_n == 0:
        note(ax, "no participants with a recorded outcome")
        return ax
    p0 = total_k / total_n
    n_max = int(max(usable["n"].max(), 10) * 1.15) + 1
    grid = np.arange(1, n_max + 1)
    if n_max > _FUNNEL_POINTS:  # large cohorts: the limits at spaced sizes draw the same curve
        grid = np.unique(np.round(np.geomspace(1, n_max, _FUNNEL_POINTS)).astype(int))
    styles = {0.95: ("--", "95% limits"), 0.998: (":", "99.8% limits")}
    for coverage, (style, label) in styles.items():
        low, high = funnel_limits(grid, p0, coverage=coverage)
        tag = f"{100 * coverage:g}"
        (lo_line,) = ax.plot(grid, low, linestyle=style, color=NEUTRAL, linewidth=1.1, label=label)
        (hi_line,) = ax.plot(grid, high, linestyle=style, color=NEUTRAL, linewidth=1.1)
        lo_line.set_gid(f"limit:{tag}:low")
        hi_line.set_gid(f"limit:{tag}:high")
    overall_label = f"overall rate {100 * p0:.0f}%"
    if not _margin_suppressed(suppressed):
        overall_label += f" ({fmt_count(total_k, total_n)})"
    (line,) = ax.plot([0, n_max], [p0, p0], color="black", linewidth=1.0, label=overall_label)
    line.set_gid("overall")
    states = ["inside", "95", "99.8"]
    default = {
        "inside": OKABE_ITO["blue"],
        "95": OKABE_ITO["orange"],
        "99.8": OKABE_ITO["vermillion"],
    }
    colours = resolve_palette(palette, states, default=default)
    markers = {c: GROUP_MARKERS[i % len(GROUP_MARKERS)] for i, c in enumerate(cohorts)}
    from matplotlib.lines import Line2D

    handles, texts = ax.get_legend_handles_labels()
    used_states: set[str] = set()
    withheld = []
    empty = []
    points: list[tuple[Any, str]] = []
    for i, c in enumerate(cohorts):
        row = rates.iloc[i]
        if bool(hidden.loc[c]):
            withheld.append(names[c])
            continue
        n, k = int(row["n"]), int(row["events"])
        if n == 0:
            empty.append(names[c])
            continue
        rate = k / n
        lo95, hi95 = (v[0] for v in funnel_limits(n, p0, coverage=0.95))
        lo998, hi998 = (v[0] for v in funnel_limits(n, p0, coverage=0.998))
        state = "inside"
        if rate < lo998 or rate > hi998:
            state = "99.8"
        elif rate < lo95 or rate > hi95:
            state = "95"
        used_states.add(state)
        (dot,) = ax.plot(
            [n],
            [rate],
            marker=markers[c],
            markersize=8,
            linestyle="none",
            color=colours[state],
            markeredgecolor="black",
            markeredgewidth=0.6,
            zorder=3,
        )
        dot.set_gid(f"cohort:{c}")
        points.append((c, f"{names[c]} ({fmt_count(k, n)})"))
    blank = Line2D([], [], linestyle="none")
    state_names = {
        "inside": "within 95% limits",
        "95": "outside 95% limits",
        "99.8": "outside 99.8% limits",
    }
    for state in states:
        if state in used_states:
            handles.append(Line2D([], [], marker="s", linestyle="none", color=colours[state]))
            texts.append(state_names[state])
    for c, text in points:
        handles.append(
            Line2D(
                [], [], marker=markers[c], linestyle="none", color="white", markeredgecolor="black"
            )
        )
        texts.append(text)
    if withheld:
        handles.append(blank)
        texts.append(f"{SUPPRESSED}: {', '.join(withheld)}")
    if empty:
        handles.append(blank)
        texts.append(f"no recorded outcome: {', '.join(empty)}")
    if wants_legend(legend, needed=True):
        legend_right(ax, handles, texts, title="Exact binomial limits\n(Spiegelhalter 2005)")
    ax.set_xlim(0, n_max)
    ax.set_ylim(-0.02, 1.02)
    ax.set_yticks(np.linspace(0, 1, 6), [f"{v:.0f}%" for v in np.linspace(0, 100, 6)])
    _autofit.fit_ticks(ax, "x", thin=True)
    _autofit.fit_ticks(ax, "y", thin=True)
    if len(cohorts) == 1:
        note(ax, SINGLE_COHORT_NOTE, y=0.07, bbox={"facecolor": "white", "edgecolor": "none"})
    return ax


def plot_cohort_trend(
    data: Any,
    outcome: str,
    *,
    cohort: str = "cohort",
    by: str | None = None,
    suppressed: Any = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
) -> Axes:
    """The rate of an outcome in each cohort, with Wilson 95% intervals and n.

    Cohorts run left to right in their order (sorted labels, or the categorical
    order).  With ``by`` (e.g. ``"gender"``) one series per group, side by side, in
    the fixed group colours, markers and line styles.  Each point's ``events/n`` is
    written in a band under the chart, one row per group.

    Parameters
    ----------
    data : Cohort or DataFrame
        Participant records with ``cohort``, ``outcome`` (and ``by``).
    outcome : str
        A yes/no outcome column.
    cohort : str, default="cohort"
        The cohort column.
    by : str, optional
        A grouping column to split each cohort by.
    suppressed : SuppressedTable, DataFrame, Series, set or None, default=None
        Disclosure control: without ``by`` a mask by cohort; with ``by`` a mask with
        cohorts as index and groups as columns.  Suppressed cells show the word
        "suppressed".
    ax : matplotlib Axes, optional
        Where to draw.
    palette, order, labels : optional
        With ``by``: colours, order and display text of its groups; without ``by``:
        the colour of the one series (a colour or a one-item list), and the order and
        display text of the cohorts.
    title : str, optional
        Axes title; by default none.
    legend : {"auto", True, False}, default="auto"
        The group legend (with ``by``), right of the axes.

    Returns
    -------
    matplotlib.axes.Axes
        Points carry ``gid="rate:<cohort>"`` (``"rate:<cohort>:<group>"`` with
        ``by``), whiskers ``"ci:..."`` and labels ``"n:..."``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> df = pd.DataFrame({"cohort": ["2019"] * 4 + ["2020"] * 4,
    ...                    "promoted": [True, False, False, False, True, True, False, False]})
    >>> ax = maplot.plot_cohort_trend(df, "promoted")
    >>> [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("n:")]
    ['1/4', '2/4']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    frame = frame_of(data, [cohort, outcome, by], "the cohort-trend chart")
    cohorts = group_order(frame[cohort], cohort)
    if by is None:
        cohorts = resolve_order(order, cohorts)
        groups: list[Any] = [None]
    else:
        groups = resolve_order(order, group_order(frame[by], by))
    width_in = 2.0 + 1.1 * len(cohorts) * max(1, len(groups)) ** 0.5
    ax = get_ax(ax, (min(10.0, max(6.0, width_in)), 4.8))
    if by is None:
        cells = {None: group_rates(frame, outcome, cohort, cohorts)}
        mask = cell_mask(suppressed, cohorts)["_row"].to_frame(name=None)
        colours: dict[Any, str] = {None: _single_colour(palette)}
        markers: dict[Any, str] = {None: "o"}
        lines: dict[Any, Any] = {None: "-"}
        tick_names = resolve_labels(labels, cohorts)
        names: dict[Any, str] = {}
    else:
        keys = frame[by].astype(object).map(lambda v: None if pd.isna(v) else str(v))
        cells = {
            g: group_rates(frame[(keys == str(g)).to_numpy(bool)], outcome, cohort, cohorts)
            for g in groups
        }
        mask = cell_mask(suppressed, cohorts, groups)
        colours = resolve_palette(palette, groups, by=by)
        markers = group_markers(groups, by)
        lines = group_linestyles(groups, by)
        names = resolve_labels(labels, groups)
        tick_names = resolve_labels(None, cohorts)
    width = min(0.66, 0.2 * len(groups)) if len(groups) > 1 else 0.0
    texts = []
    for j, g in enumerate(groups):
        offset = (j - (len(groups) - 1) / 2) * (width / max(1, len(groups) - 1)) if width else 0.0
        xs, ys = [], []
        for i, c in enumerate(cohorts):
            r = cells[g].iloc[i]
            x = i + offset
            tag = f"{c}" if g is None else f"{c}:{g}"
            if bool(mask.iloc[i, j]) or int(r["n"]) == 0:
                word = ax.text(
                    i,
                    _band_row(j),
                    SUPPRESSED if bool(mask.iloc[i, j]) else "n = 0",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color=NEUTRAL,
                    style="italic",
                )
                word.set_in_layout(False)
                texts.append(word)
                continue
            (line,) = ax.plot(
                [x, x], [r["ci_low"], r["ci_high"]], color=colours[g], linewidth=1.8, zorder=2
            )
            line.set_gid(f"ci:{tag}")
            (dot,) = ax.plot(
                [x],
                [r["rate"]],
                marker=markers[g],
                markersize=7,
                color=colours[g],
                linestyle="none",
                zorder=3,
            )
            dot.set_gid(f"rate:{tag}")
            label = ax.text(
                i,
                _band_row(j),
                fmt_count(r["events"], r["n"]),
                ha="center",
                va="center",
                fontsize=8,
                color=colours[g],
            )
            label.set_gid(f"n:{tag}")
            label.set_in_layout(False)
            texts.append(label)
            xs.append(x)
            ys.append(r["rate"])
        if len(xs) > 1:
            ax.plot(
                xs,
                ys,
                color=colours[g],
                linestyle=lines[g],
                linewidth=0.9,
                alpha=0.6,
                zorder=1,
            )
    ax.set_xticks(range(len(cohorts)), [tick_names[c] for c in cohorts])
    ax.set_xlim(-0.6, len(cohorts) - 0.4)
    bottom = _BAND_TOP - (len(groups) + 1) * _BAND_ROW
    ax.set_ylim(bottom, 1.04)
    ax.set_yticks(np.linspace(0, 1, 6), [f"{v:.0f}%" for v in np.linspace(0, 100, 6)])
    ax.axhspan(bottom, _BAND_TOP, color="#F4F4F4", zorder=0, linewidth=0)
    ax.axhline(_BAND_TOP, color="#D0D0D0", linewidth=0.8, zorder=1)
    ax.set_yticks(
        [_BAND_TOP - 0.5 * _BAND_ROW] + [_band_row(j) for j in range(len(groups))],
        ["events/n"] + [names.get(g, "") if g is not None else "" for g in groups],
        minor=True,
    )
    ax.tick_params(axis="y", which="minor", length=0, labelsize=8.5)
    minor = ax.yaxis.get_minorticklabels()
    if minor:
        minor[0].set_fontstyle("italic")
        minor[0].set_color(NEUTRAL)
    for label, g in zip(minor[1:], groups, strict=False):
        label.set_color(colours[g])
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(by_label(cohort).capitalize())
    ax.set_ylabel(f"{column_label(outcome)} (%), 95% Wilson CI")
    _autofit.no_overlap(ax, texts, min_size=4.5, inside=True)
    _autofit.fit_ticks(ax, "x", thin="numeric", min_size=6.0)
    if by is not None and wants_legend(legend, needed=True):
        from matplotlib.lines import Line2D

        handles = [
            Line2D(
                [],
                [],
                color=colours[g],
                marker=markers[g],
                linestyle=lines[g],
                label=names[g],
            )
            for g in groups
        ]
        legend_right(ax, handles, title=by_label(by).capitalize())
    if len(cohorts) == 1:
        note(ax, SINGLE_COHORT_NOTE, y=0.95)
    if not cohorts:
        note(ax, f"no participants with a recorded {by_label(cohort)}")
    apply_title(ax, title)
    return ax


#: The events/n band under a trend chart: its top and the height of a row (0-1 axis units).
_BAND_TOP = -0.05
_BAND_ROW = 0.075


def _band_row(j: int) -> float:
    return _BAND_TOP - (j + 1.5) * _BAND_ROW


def _single_colour(palette: Palette) -> str:
    """The colour of a chart's one series: a colour, a palette's first, or the default."""
    if palette is None:
        return OKABE_ITO["blue"]
    if isinstance(palette, Mapping):
        palette = list(palette.values())
    if isinstance(palette, str):
        return resolve_palette(palette, ["series"])["series"]
    return resolve_palette(list(palette)[:1], ["series"])["series"]
