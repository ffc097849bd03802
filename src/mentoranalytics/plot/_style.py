"""House style: a colour-blind-safe palette, fixed gender colours and a ``theme()``.

Nothing here imports matplotlib at import time, and nothing changes a matplotlib
setting unless the caller enters :func:`theme`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..schema import GENDERS

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito, 2008), black last.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

#: Neutral grey for "not a group" elements (overall rates, reference lines, notes).
NEUTRAL = "#595959"
LIGHT_NEUTRAL = "#BDBDBD"

_GENDER_PALETTE = (
    OKABE_ITO["vermillion"],
    OKABE_ITO["blue"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    "#7F7F7F",
)

#: One fixed colour per gender category, in ``schema.GENDERS`` order, used by every chart.
GENDER_COLORS: dict[str, str] = dict(zip(GENDERS, _GENDER_PALETTE, strict=True))

#: Colours for groups that are not genders, in order of appearance.
GROUP_PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["yellow"],
    OKABE_ITO["black"],
)

#: The rc settings applied by :func:`theme` (readable at report size, quiet axes).
HOUSE_RC: dict[str, Any] = {
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "font.size": 10.5,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10.5,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#4D4D4D",
    "axes.linewidth": 0.8,
    "axes.grid": True,
    "grid.color": "#E3E3E3",
    "grid.linewidth": 0.7,
    "axes.axisbelow": True,
    "lines.linewidth": 1.8,
    "lines.markersize": 7,
    "figure.constrained_layout.use": True,
}


def gender_color(value: Any) -> str:
    """The fixed colour of a gender category (grey for anything unknown).

    >>> gender_color("woman") == GENDER_COLORS["woman"]
    True
    """
    return GENDER_COLORS.get(str(value), NEUTRAL)


def group_colors(groups: Sequence[Any], by: str | None = None) -> dict[Any, str]:
    """Colours for the groups of a chart.

    Gender groups (``by`` is ``"gender"`` or ``"mentor_gender"``, or every group is a
    gender category) always get their fixed :data:`GENDER_COLORS`; a value that is not
    a gender category (say a relabelled ``"Women"``) takes the next colour of
    :data:`GROUP_PALETTE` that no gender of the chart uses, so two relabelled groups
    never share one grey.  Other groups take :data:`GROUP_PALETTE` in order.

    Parameters
    ----------
    groups : sequence
        Group labels in display order.
    by : str, optional
        The grouping column.

    Returns
    -------
    dict
        ``{group: hex colour}``.

    Examples
    --------
    >>> group_colors(["man", "woman"])["woman"] == GENDER_COLORS["woman"]
    True
    >>> group_colors(["A", "B"], by="cohort")
    {'A': '#0072B2', 'B': '#E69F00'}
    >>> len(set(group_colors(["Women", "Men"], by="gender").values()))
    2
    """
    labels = [str(g) for g in groups]
    if by in ("gender", "mentor_gender") or (labels and all(g in GENDER_COLORS for g in labels)):
        used = {GENDER_COLORS[g] for g in labels if g in GENDER_COLORS}
        spare = iter([c for c in GROUP_PALETTE if c not in used] or list(GROUP_PALETTE))
        out: dict[Any, str] = {}
        for g in groups:
            out[g] = GENDER_COLORS[str(g)] if str(g) in GENDER_COLORS else next(spare, NEUTRAL)
        return out
    return {g: GROUP_PALETTE[i % len(GROUP_PALETTE)] for i, g in enumerate(groups)}


#: One fixed marker per gender category (readable in greyscale), in ``GENDERS`` order.
GENDER_MARKERS: dict[str, str] = dict(zip(GENDERS, ("o", "s", "D", "^", "v"), strict=True))
#: One fixed line style per gender category.
GENDER_LINESTYLES: dict[str, Any] = dict(
    zip(GENDERS, ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1))), strict=True)
)
#: Markers and line styles for groups that are not genders, in order of appearance.
GROUP_MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")
GROUP_LINESTYLES: tuple[Any, ...] = (
    "-",
    "--",
    "-.",
    ":",
    (0, (5, 1, 1, 1, 1, 1)),
    (0, (1, 1)),
    (0, (8, 2)),
    (0, (3, 1, 1, 1)),
)


def _by_gender(groups: Sequence[Any], by: str | None) -> bool:
    labels = [str(g) for g in groups]
    return (
        by in ("gender", "mentor_gender")
        or bool(labels)
        and all(g in GENDER_COLORS for g in labels)
    )


def group_markers(groups: Sequence[Any], by: str | None = None) -> dict[Any, str]:
    """One marker shape per group, so that groups differ in greyscale as well as in hue.

    Genders always get the same shape (woman circle, man square, non-binary diamond,
    self-described triangle up, not stated triangle down); other groups (and relabelled
    genders) take :data:`GROUP_MARKERS` in order, skipping shapes the chart's genders use.

    Examples
    --------
    >>> group_markers(["woman", "man"])
    {'woman': 'o', 'man': 's'}
    >>> group_markers(["2019", "2020"], by="cohort")
    {'2019': 'o', '2020': 's'}
    """
    return _styles(groups, by, GENDER_MARKERS, GROUP_MARKERS)


def group_linestyles(groups: Sequence[Any], by: str | None = None) -> dict[Any, Any]:
    """One line style per group (solid, dashed, dash-dot, ...), the same for a gender everywhere.

    Examples
    --------
    >>> group_linestyles(["woman", "man"])
    {'woman': '-', 'man': '--'}
    """
    return _styles(groups, by, GENDER_LINESTYLES, GROUP_LINESTYLES)


def _styles(
    groups: Sequence[Any], by: str | None, fixed: Mapping[str, Any], cycle: Sequence[Any]
) -> dict[Any, Any]:
    if _by_gender(groups, by):
        used = [fixed[str(g)] for g in groups if str(g) in fixed]
        spare = [s for s in cycle if s not in used] or list(cycle)
        out: dict[Any, Any] = {}
        k = 0
        for g in groups:
            if str(g) in fixed:
                out[g] = fixed[str(g)]
            else:
                out[g] = spare[k % len(spare)]
                k += 1
        return out
    return {g: cycle[i % len(cycle)] for i, g in enumerate(groups)}


@contextmanager
def theme(rc: Mapping[str, Any] | None = None) -> Iterator[None]:
    """Apply the mentoranalytics house style inside a ``with`` block.

    A thin wrapper around :func:`matplotlib.rc_context`: settings return to what they
    were when the block ends.  Importing mentoranalytics never changes a setting.

    Parameters
    ----------
    rc : mapping, optional
        Extra rc settings that override the house style.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from mentoranalytics import plot as maplot
    >>> before = mpl.rcParams["axes.spines.top"]
    >>> with maplot.theme():
    ...     mpl.rcParams["axes.spines.top"]
    False
    >>> mpl.rcParams["axes.spines.top"] == before
    True
    """
    import matplotlib as mpl
    from cycler import cycler

    settings = dict(HOUSE_RC)
    settings["axes.prop_cycle"] = cycler(color=list(GROUP_PALETTE))
    if rc:
        settings.update(rc)
    with mpl.rc_context(settings):  # type: ignore[arg-type]
        yield
