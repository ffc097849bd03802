"""What makes the charts compose in a researcher's grid: palette, order, labels, legend, title.

Every chart takes the same five keywords, in seaborn's manner:

* ``palette``: a palette name (seaborn's or matplotlib's, or ``"okabe_ito"``), a list of
  colours (in group order) or a dict ``{group: colour}``; default: the fixed group colours
  (:func:`~mentoranalytics.plot.group_colors`);
* ``order``: the groups to draw, in that order (like seaborn's ``hue_order``); a group
  with no data is drawn empty;
* ``labels``: display text of the groups, a dict ``{group: text}``, a list in group
  order or a function; relabelling never changes a group's colour, marker or line style
  (those are keyed on the group's value);
* ``legend``: ``"auto"`` (drawn when the chart needs one), ``True`` or ``False``;
* ``title``: the axes title; ``None`` (default) leaves the researcher's title alone.

Legends sit outside the axes, to the right, where constrained layout makes room for
them, so they never overprint a title.  Nothing here imports matplotlib at import time.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..exceptions import AnalysisError
from ._common import category_label
from ._style import GROUP_PALETTE, group_colors

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

Palette = str | Sequence[Any] | Mapping[Any, Any] | None
Labels = Mapping[Any, str] | Sequence[str] | Callable[[Any], str] | None
LEGEND_VALUES = ("auto", "brief", "full", True, False)


def _match(key: Any, mapping: Mapping[Any, Any]) -> tuple[bool, Any]:
    """``mapping[key]``, matching by value first and then by text (``True`` vs ``"True"``)."""
    try:
        if key in mapping:
            return True, mapping[key]
    except TypeError:
        pass
    text = str(key)
    for k, v in mapping.items():
        if str(k) == text:
            return True, v
    return False, None


def resolve_order(order: Sequence[Any] | None, present: Sequence[Any]) -> list[Any]:
    """The groups to draw: ``present`` (the data's own order) or ``order``.

    Items of ``order`` are matched to the data's values by value or by text (so
    ``order=["2020", "2019"]`` finds integer cohorts); an item found nowhere is kept
    and drawn as an empty group.

    Examples
    --------
    >>> resolve_order(None, ["woman", "man"])
    ['woman', 'man']
    >>> resolve_order(["man", "woman"], ["woman", "man"])
    ['man', 'woman']
    >>> resolve_order(["2020"], [2019, 2020])
    [2020]
    """
    if order is None:
        return list(present)
    if isinstance(order, (str, bytes)) or not hasattr(order, "__iter__"):
        raise AnalysisError(
            f"order must be a list of groups in display order, e.g. ['woman', 'man']; "
            f"got {type(order).__name__}."
        )
    present = list(present)
    lookup = {str(p): p for p in present}
    out: list[Any] = []
    for item in order:
        value = item if _contains(present, item) else lookup.get(str(item), item)
        if any(str(value) == str(v) for v in out):
            raise AnalysisError(f"order lists {item!r} twice; give each group once.")
        out.append(value)
    return out


def _contains(values: Sequence[Any], item: Any) -> bool:
    try:
        return any(v == item and type(v) is type(item) for v in values)
    except (TypeError, ValueError):
        return False


def resolve_labels(labels: Labels, groups: Sequence[Any]) -> dict[Any, str]:
    """Display text of each group.

    Examples
    --------
    >>> resolve_labels({"woman": "Women"}, ["woman", "man"])
    {'woman': 'Women', 'man': 'man'}
    >>> resolve_labels(["W", "M"], ["woman", "man"])
    {'woman': 'W', 'man': 'M'}
    """
    if labels is None:
        return {g: category_label(g) for g in groups}
    if isinstance(labels, Mapping):
        out = {}
        for g in groups:
            found, text = _match(g, labels)
            out[g] = str(text) if found else category_label(g)
        return out
    if callable(labels):
        return {g: str(labels(g)) for g in groups}
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Sequence):
        raise AnalysisError(
            "labels must be a dict {group: text}, a list of texts in group order or a "
            f"function; got {type(labels).__name__}."
        )
    if len(labels) != len(groups):
        raise AnalysisError(
            f"labels has {len(labels)} texts for {len(groups)} groups "
            f"({[category_label(g) for g in groups]}); give one per group or a dict."
        )
    return {g: str(t) for g, t in zip(groups, labels, strict=True)}


def _named_palette(name: str, n: int) -> list[str]:
    import matplotlib as mpl

    key = name.lower().replace("-", "_")
    if key in ("okabe_ito", "house", "mentoranalytics"):
        return [GROUP_PALETTE[i % len(GROUP_PALETTE)] for i in range(n)]
    try:
        import seaborn as sns

        return [mpl.colors.to_hex(c) for c in sns.color_palette(name, n_colors=max(n, 1))][:n]
    except (ValueError, KeyError, TypeError):
        pass
    if name in mpl.colormaps:
        cmap = mpl.colormaps[name]
        listed = getattr(cmap, "colors", None)
        if listed is not None and len(listed) < 64:
            return [mpl.colors.to_hex(listed[i % len(listed)]) for i in range(n)]
        return [mpl.colors.to_hex(cmap(x)) for x in _spread(n)]
    if mpl.colors.is_color_like(name):
        return [mpl.colors.to_hex(name)] * n
    raise AnalysisError(
        f"palette={name!r} is not a palette name or a colour. Use a seaborn or matplotlib "
        "palette name (e.g. 'colorblind', 'deep', 'viridis'), 'okabe_ito', a list of "
        "colours or a dict {group: colour}."
    )


def _spread(n: int) -> list[float]:
    if n <= 1:
        return [0.5]
    return [0.1 + 0.8 * i / (n - 1) for i in range(n)]


def _hex(colour: Any, where: str) -> str:
    import matplotlib as mpl

    try:
        return str(mpl.colors.to_hex(colour, keep_alpha=False))
    except (ValueError, TypeError):
        raise AnalysisError(
            f"palette: {colour!r} ({where}) is not a colour; use a name ('tab:blue'), "
            "a hex code ('#0072B2') or an RGB tuple."
        ) from None


def resolve_palette(
    palette: Palette,
    groups: Sequence[Any],
    *,
    by: str | None = None,
    default: Mapping[Any, str] | None = None,
) -> dict[Any, str]:
    """``{group: hex colour}`` from a palette name, list or dict (or the default colours).

    Colours are keyed on the groups' values, so relabelling a group (``labels=``) keeps
    its colour.

    Examples
    --------
    >>> resolve_palette(["red", "blue"], ["a", "b"])
    {'a': '#ff0000', 'b': '#0000ff'}
    >>> resolve_palette({"b": "black", "a": "white"}, ["a", "b"])
    {'a': '#ffffff', 'b': '#000000'}
    """
    groups = list(groups)
    if palette is None:
        base = dict(default) if default is not None else group_colors(groups, by)
        return {g: base[g] for g in groups}
    if isinstance(palette, Mapping):
        out: dict[Any, str] = {}
        missing = []
        for g in groups:
            found, colour = _match(g, palette)
            if not found:
                missing.append(category_label(g))
                continue
            out[g] = _hex(colour, f"for {category_label(g)!r}")
        if missing:
            raise AnalysisError(
                f"palette has no colour for {missing}; give a colour for every group "
                f"({[category_label(g) for g in groups]})."
            )
        return out
    if isinstance(palette, str):
        return dict(zip(groups, _named_palette(palette, len(groups)), strict=True))
    colours = list(palette)
    if not colours:
        raise AnalysisError("palette is an empty list; give at least one colour.")
    if len(colours) < len(groups):
        warnings.warn(
            f"palette has {len(colours)} colours for {len(groups)} groups; they repeat.",
            UserWarning,
            stacklevel=3,
        )
    return {
        g: _hex(colours[i % len(colours)], f"item {i % len(colours)}") for i, g in enumerate(groups)
    }


def check_legend(legend: Any) -> bool | str:
    """Validate ``legend=`` ("auto", "brief", "full", True or False)."""
    if isinstance(legend, bool) or legend in ("auto", "brief", "full"):
        return legend  # type: ignore[no-any-return]
    raise AnalysisError(f"legend must be 'auto', True or False, not {legend!r}.")


def wants_legend(legend: bool | str, *, needed: bool) -> bool:
    """Whether to draw a legend: ``True``/"full"/"brief" always, "auto" when ``needed``."""
    if legend is False:
        return False
    if legend == "auto":
        return needed
    return True


def apply_title(ax: Axes, title: str | None) -> None:
    """Set the axes title when one is given; never overwrite the researcher's title."""
    if title is not None:
        ax.set_title(str(title))


def legend_right(
    ax: Axes,
    handles: Sequence[Any],
    labels: Sequence[str] | None = None,
    *,
    offset_pt: float = 0.0,
    title: str | None = None,
) -> Any:
    """A legend outside the axes, on the right, top-aligned with the axes.

    ``offset_pt`` leaves room for a column of text drawn just right of the axes (the
    n column of the rate charts).  Constrained layout counts the legend, so a 2x3 grid
    keeps it clear of the next panel; its top never rises above the axes, so it never
    meets a title.
    """
    from matplotlib.transforms import ScaledTranslation

    if not handles:
        return None
    shift = ScaledTranslation(offset_pt / 72.0, 0.0, ax.figure.dpi_scale_trans)
    kwargs: dict[str, Any] = {
        "loc": "upper left",
        "bbox_to_anchor": (1.0, 1.0),
        "bbox_transform": ax.transAxes + shift,
        "frameon": False,
        "fontsize": 8.5,
        "borderaxespad": 0.0,
        "borderpad": 0.0,
        "handlelength": 1.4,
        "handletextpad": 0.5,
        "labelspacing": 0.4,
        "title": title,
    }
    if title:
        kwargs["title_fontsize"] = 8.5
        kwargs["alignment"] = "left"
    if labels is None:
        return ax.legend(handles=list(handles), **kwargs)
    return ax.legend(list(handles), list(labels), **kwargs)


def text_width_pt(text: str, size: float) -> float:
    """Width in points of ``text`` at font ``size`` (longest line; backend independent)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath()
    prop = FontProperties(size=size)
    widths = [
        measure.get_text_width_height_descent(line, prop, ismath=False)[0]
        for line in str(text).splitlines() or [""]
    ]
    return float(max(widths, default=0.0))
