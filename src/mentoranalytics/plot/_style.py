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
    gender category) always get their fixed :data:`GENDER_COLORS`; other groups take
    :data:`GROUP_PALETTE` in order.

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
    """
    labels = [str(g) for g in groups]
    if by in ("gender", "mentor_gender") or (labels and all(g in GENDER_COLORS for g in labels)):
        return {g: gender_color(g) for g in groups}
    return {g: GROUP_PALETTE[i % len(GROUP_PALETTE)] for i, g in enumerate(groups)}


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
