"""Mediation diagram: exposure -> mediator -> outcome with ACME, ADE and total effect."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, ColumnError
from . import _autofit
from ._common import SUPPRESSED, WITHHELD, category_label, cell_mask, column_label, get_ax
from ._compose import (
    Labels,
    Palette,
    apply_title,
    check_legend,
    resolve_labels,
    resolve_palette,
)
from ._style import NEUTRAL, OKABE_ITO

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

_EFFECTS = ("acme", "ade", "total_effect", "prop_mediated")


def _effects_table(result: Any) -> pd.DataFrame:
    table = getattr(result, "table", result)
    if not isinstance(table, pd.DataFrame):
        raise AnalysisError(
            "result must be a mediation() result or its table (rows acme, ade, total_effect, "
            f"prop_mediated), not {type(result).__name__}."
        )
    if not set(_EFFECTS) & {str(i) for i in table.index}:
        for col in ("effect", "term", "label"):
            if col in table.columns:
                table = table.set_index(col)
                break
    missing = [e for e in _EFFECTS[:3] if e not in {str(i) for i in table.index}]
    if missing:
        raise AnalysisError(
            f"The mediation table needs rows acme, ade and total_effect; missing {missing}."
        )
    cols = [c for c in ("estimate", "ci_low", "ci_high") if c not in table.columns]
    if cols:
        raise ColumnError(
            f"The mediation table needs columns estimate, ci_low, ci_high; missing {cols}."
        )
    return table


def _scale(result: Any) -> tuple[float, str]:
    """Multiplier and unit for display: percentage points for a yes/no outcome."""
    if getattr(result, "outcome_kind", None) == "logistic":
        return 100.0, " pp"
    return 1.0, ""


def _effect_text(
    table: pd.DataFrame,
    key: str,
    hidden: bool,
    mult: float,
    unit: str,
    *,
    released: bool = False,
    stacked: bool = False,
) -> str:
    """The estimate, its interval and p; "suppressed", "withheld" or "not estimable".

    ``stacked`` puts estimate, interval and p on three lines (for a narrow region).
    """
    if key not in table.index:
        return ""
    row = table.loc[key]
    est, lo, hi = (float(row[c]) for c in ("estimate", "ci_low", "ci_high"))
    if hidden or bool(row.get("suppressed", False)):
        return SUPPRESSED
    if not np.isfinite(est):
        withheld = released and not (np.isfinite(lo) or np.isfinite(hi))
        return WITHHELD if withheld else "not estimable"
    if key == "prop_mediated":
        return f"{100 * est:.0f}% [{100 * lo:.0f}%, {100 * hi:.0f}%]"
    digits = 1 if mult == 100 else 3
    value = f"{mult * est:+.{digits}f}{unit}"
    interval = f"[{mult * lo:+.{digits}f}, {mult * hi:+.{digits}f}]"
    text = f"{value}\n{interval}" if stacked else f"{value} {interval}"
    p = row.get("p_value", np.nan)
    if p is not None and pd.notna(p):
        text += f"\np {'< 0.001' if p < 0.001 else f'= {p:.3f}'}"
    return text


def plot_mediation(
    result: Any,
    *,
    exposure: str | None = None,
    mediator: str | None = None,
    outcome: str | None = None,
    suppressed: Any = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    title: str | None = None,
    legend: bool | str = "auto",
    nan_rows: str = "auto",
) -> Axes:
    """Diagram of a mediation analysis: how much of the effect runs through the mediator.

    Three boxes (exposure, mediator, outcome).  The indirect path through the
    mediator carries the average causal mediation effect (ACME) with its interval;
    the direct arrow carries the average direct effect (ADE); the total effect and
    the proportion mediated are written underneath.  For a yes/no outcome the
    effects are differences in probability, shown in percentage points.  Every text
    has its own region of the axes and is shrunk at draw time to fit it, so the
    diagram stays legible in a half-width panel.

    Parameters
    ----------
    result : MediationResult or DataFrame
        The result of :func:`mentoranalytics.mediation`, or its ``.table`` (index or
        column ``effect`` with rows acme, ade, total_effect, prop_mediated; columns
        ``estimate, ci_low, ci_high`` and optionally ``p_value`` and ``suppressed``).
        Rows marked ``suppressed`` are drawn as "suppressed"; withheld rows (see
        ``nan_rows``) as "withheld"; other rows without an estimate as "not
        estimable".
    exposure, mediator, outcome : str, optional
        Box texts; default: the column names recorded on the result.
    suppressed : Series, set or None, default=None
        Effects withheld by disclosure control (e.g. ``{"acme"}``).
    ax : matplotlib Axes, optional
        Where to draw.
    palette : str, list or dict, optional
        Colours of the indirect and direct paths: a dict ``{"indirect": c,
        "direct": c}``, a list of two colours or a palette name.
    order : None
        Accepted for a uniform signature; the diagram has no groups to order.
    labels : dict or list, optional
        Box texts: ``{"exposure": ..., "mediator": ..., "outcome": ...}`` or a list of
        three (like ``exposure=``, ``mediator=``, ``outcome=``).
    title : str, optional
        Axes title; by default none.
    legend : {"auto", True, False}, default="auto"
        Accepted for a uniform signature; the diagram labels its paths directly.
    nan_rows : {"auto", "withheld", "not estimable"}, default="auto"
        What a row without an estimate means.  "auto": in a plain table without a
        ``suppressed`` column (a released table) an all-NaN row is withheld; in a
        result, it is not estimable.

    Returns
    -------
    matplotlib.axes.Axes
        The effect texts carry ``gid="acme"``, ``"ade"``, ``"total_effect"`` and
        ``"prop_mediated"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> table = pd.DataFrame({"estimate": [0.05, 0.10, 0.15, 0.33],
    ...                       "ci_low": [0.01, -0.02, 0.02, 0.05],
    ...                       "ci_high": [0.10, 0.22, 0.28, 1.2]},
    ...                      index=pd.Index(["acme", "ade", "total_effect", "prop_mediated"],
    ...                                     name="effect"))
    >>> ax = maplot.plot_mediation(table, exposure="gender", mediator="bold_choice",
    ...                            outcome="promoted")
    >>> [t.get_text().splitlines()[:2] for t in ax.texts if t.get_gid() == "acme"]
    [['+0.050', '[+0.010, +0.100]']]
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    check_legend(legend)
    if nan_rows not in ("auto", "withheld", "not estimable"):
        raise AnalysisError(
            f"nan_rows must be 'auto', 'withheld' or 'not estimable', not {nan_rows!r}."
        )
    table = _effects_table(result)
    hidden = cell_mask(suppressed, list(_EFFECTS))["_row"]
    if "suppressed" in table.columns:
        hidden = hidden | table["suppressed"].reindex(list(_EFFECTS)).fillna(False).astype(bool)
    released = nan_rows == "withheld" or (
        nan_rows == "auto" and isinstance(result, pd.DataFrame) and "suppressed" not in table
    )
    mult, unit = _scale(result)
    ax = get_ax(ax, (8.0, 5.2))
    exposure = exposure or getattr(result, "exposure", None) or "exposure"
    mediator = mediator or getattr(result, "mediator", None) or "mediator"
    outcome = outcome or getattr(result, "outcome", None) or "outcome"
    treated, control = getattr(result, "treated", None), getattr(result, "control", None)
    exposure_text = exposure.replace("_", " ")
    if treated is not None and control is not None:
        exposure_text += f"\n{category_label(treated)} vs {category_label(control)}"
    texts = {
        "exposure": f"Exposure\n{exposure_text}",
        "mediator": f"Mediator\n{mediator.replace('_', ' ')}",
        "outcome": f"Outcome\n{column_label(outcome)}",
    }
    if isinstance(labels, Mapping):
        texts.update({k: str(v) for k, v in labels.items() if k in texts})
    elif labels is not None:
        texts.update(resolve_labels(labels, list(texts)))
    indirect, direct = _path_colours(palette)
    box_texts = []
    for key, (x0, y0, x1, y1) in _BOXES.items():
        ax.add_patch(
            FancyBboxPatch(
                (x0, y0),
                x1 - x0,
                y1 - y0,
                boxstyle="round,pad=0.0,rounding_size=0.02",
                facecolor="#F2F2F2",
                edgecolor=NEUTRAL,
                linewidth=1.2,
                transform=ax.transAxes,
                zorder=2,
                gid=f"box:{key}",
            )
        )
        inner = (x0 + 0.01, y0 + 0.01, x1 - 0.01, y1 - 0.01)
        box_texts.append((_boxed(ax, _wrap(texts[key], 16), inner, 9.5), inner))

    def arrow(a: tuple[float, float], b: tuple[float, float], colour: str) -> None:
        ax.add_patch(
            FancyArrowPatch(
                a,
                b,
                arrowstyle="-|>",
                mutation_scale=14,
                linewidth=2.0,
                color=colour,
                transform=ax.transAxes,
                zorder=1,
            )
        )

    arrow((0.22, 0.51), (0.38, 0.65), indirect)
    arrow((0.62, 0.65), (0.78, 0.51), indirect)
    arrow((0.33, 0.41), (0.67, 0.41), direct)

    def effect(key: str, *, stacked: bool) -> str:
        return _effect_text(
            table, key, bool(hidden[key]), mult, unit, released=released, stacked=stacked
        )

    def placed(text: str, region: str, size: float, **kwargs: Any) -> tuple[Any, Any]:
        box = _REGIONS[region]
        return _boxed(ax, text, box, size, **kwargs), box

    labels_ = [
        placed("Indirect (ACME)", "acme_label", 9, color=indirect, weight="bold"),
        placed("Direct (ADE)", "ade_label", 9, color=direct, weight="bold"),
    ]
    values = [
        placed(effect("acme", stacked=True), "acme", 9.5, color=indirect, gid="acme"),
        placed(
            effect("ade", stacked=True).replace("\n[", " ["), "ade", 9.5, color=direct, gid="ade"
        ),
        placed(
            "Total effect: " + effect("total_effect", stacked=False).replace("\n", ", "),
            "total_effect",
            9.5,
            gid="total_effect",
        ),
    ]
    if "prop_mediated" in table.index:
        values.append(
            placed(
                "Proportion mediated: " + effect("prop_mediated", stacked=False),
                "prop_mediated",
                9.5,
                gid="prop_mediated",
            )
        )
    _autofit.fit_boxes(ax, box_texts, min_size=4.0)
    _autofit.fit_boxes(ax, labels_, min_size=4.0)
    _autofit.fit_boxes(ax, values, min_size=4.0)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    level = getattr(result, "alpha", 0.05)
    scale = "percentage points" if mult == 100 else "outcome units"
    head = f"Effects in {scale}, {100 * (1 - level):.0f}% intervals"
    if hasattr(result, "n_sims"):
        head += f"\nn = {result.n}, {result.n_sims} simulations"
    top = _boxed(ax, head, _REGIONS["head"], 8.5, color=NEUTRAL, ha="left", gid="head")
    _autofit.fit_box(ax, top, _REGIONS["head"], min_size=4.0)
    apply_title(ax, title)
    return ax


#: Boxes (x0, y0, x1, y1 in axes fraction) of the three variables.
_BOXES: dict[str, tuple[float, float, float, float]] = {
    "exposure": (0.01, 0.31, 0.33, 0.51),
    "mediator": (0.33, 0.65, 0.67, 0.87),
    "outcome": (0.67, 0.31, 0.99, 0.51),
}
#: Regions of the texts; no two overlap, so fitted texts never do.
_REGIONS: dict[str, tuple[float, float, float, float]] = {
    "head": (0.0, 0.88, 1.0, 1.0),
    "acme_label": (0.385, 0.585, 0.615, 0.645),
    "acme": (0.36, 0.42, 0.64, 0.58),
    "ade_label": (0.34, 0.33, 0.66, 0.40),
    "ade": (0.12, 0.185, 0.88, 0.325),
    "total_effect": (0.0, 0.095, 1.0, 0.18),
    "prop_mediated": (0.0, 0.0, 1.0, 0.085),
}


def _boxed(
    ax: Axes,
    text: str,
    region: tuple[float, float, float, float],
    size: float,
    *,
    color: str = "black",
    weight: str = "normal",
    gid: str | None = None,
    ha: str = "center",
) -> Any:
    """``text`` anchored in ``region`` (the caller fits it there at draw time)."""
    x0, y0, x1, y1 = region
    x = {"left": x0, "right": x1}.get(ha, (x0 + x1) / 2)
    out = ax.text(
        x,
        (y0 + y1) / 2,
        text,
        ha=ha,
        va="center",
        fontsize=size,
        color=color,
        fontweight=weight,
        multialignment=ha,
        transform=ax.transAxes,
        zorder=3,
    )
    out.set_in_layout(False)
    if gid:
        out.set_gid(gid)
    return out


def _path_colours(palette: Palette) -> tuple[str, str]:
    default = {"indirect": OKABE_ITO["vermillion"], "direct": OKABE_ITO["blue"]}
    if palette is None:
        return default["indirect"], default["direct"]
    if isinstance(palette, Mapping):
        aliases = {"acme": "indirect", "ade": "direct"}
        named = {aliases.get(str(k), str(k)): v for k, v in palette.items()}
        chosen = resolve_palette({**default, **named}, ["indirect", "direct"])
    else:
        chosen = resolve_palette(palette, ["indirect", "direct"])
    return chosen["indirect"], chosen["direct"]


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_on_hyphens=False)) or line
        for line in text.splitlines()
    )
