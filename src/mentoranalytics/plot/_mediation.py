"""Mediation diagram: exposure -> mediator -> outcome with ACME, ADE and total effect."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, ColumnError
from ._common import SUPPRESSED, category_label, cell_mask, column_label, get_ax
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


def _effect_text(table: pd.DataFrame, key: str, hidden: bool, mult: float, unit: str) -> str:
    if key not in table.index:
        return ""
    row = table.loc[key]
    est, lo, hi = (float(row[c]) for c in ("estimate", "ci_low", "ci_high"))
    if hidden or bool(row.get("suppressed", False)):
        return SUPPRESSED
    if not np.isfinite(est):
        return "not estimable"
    if key == "prop_mediated":
        return f"{100 * est:.0f}% [{100 * lo:.0f}%, {100 * hi:.0f}%]"
    digits = 1 if mult == 100 else 3
    text = f"{mult * est:+.{digits}f}{unit} [{mult * lo:+.{digits}f}, {mult * hi:+.{digits}f}]"
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
) -> Axes:
    """Diagram of a mediation analysis: how much of the effect runs through the mediator.

    Three boxes (exposure, mediator, outcome).  The indirect path through the
    mediator carries the average causal mediation effect (ACME) with its interval;
    the direct arrow carries the average direct effect (ADE); the total effect and
    the proportion mediated are written underneath.  For a yes/no outcome the
    effects are differences in probability, shown in percentage points.

    Parameters
    ----------
    result : MediationResult or DataFrame
        The result of :func:`mentoranalytics.mediation`, or its ``.table`` (index or
        column ``effect`` with rows acme, ade, total_effect, prop_mediated; columns
        ``estimate, ci_low, ci_high`` and optionally ``p_value`` and ``suppressed``).
        Rows with a missing estimate, or ``suppressed`` true, are drawn as
        "suppressed" when so marked, else "not estimable".
    exposure, mediator, outcome : str, optional
        Box texts; default: the column names recorded on the result.
    suppressed : Series, set or None, default=None
        Effects withheld by disclosure control (e.g. ``{"acme"}``).
    ax : matplotlib Axes, optional
        Where to draw.

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
    >>> [t.get_text().splitlines()[0] for t in ax.texts if t.get_gid() == "acme"]
    ['+0.050 [+0.010, +0.100]']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    table = _effects_table(result)
    hidden = cell_mask(suppressed, list(_EFFECTS))["_row"]
    if "suppressed" in table.columns:
        hidden = hidden | table["suppressed"].reindex(list(_EFFECTS)).fillna(False).astype(bool)
    mult, unit = _scale(result)
    ax = get_ax(ax, (8.0, 5.2))
    exposure = exposure or getattr(result, "exposure", None) or "exposure"
    mediator = mediator or getattr(result, "mediator", None) or "mediator"
    outcome = outcome or getattr(result, "outcome", None) or "outcome"
    treated, control = getattr(result, "treated", None), getattr(result, "control", None)
    exposure_text = exposure.replace("_", " ")
    if treated is not None and control is not None:
        exposure_text += f"\n{category_label(treated)} vs {category_label(control)}"
    boxes = {
        "exposure": ((0.14, 0.30), f"Exposure\n{exposure_text}"),
        "mediator": ((0.50, 0.80), f"Mediator\n{mediator.replace('_', ' ')}"),
        "outcome": ((0.86, 0.30), f"Outcome\n{column_label(outcome)}"),
    }
    width, height = 0.24, 0.17
    for key, ((x, y), text) in boxes.items():
        ax.add_patch(
            FancyBboxPatch(
                (x - width / 2, y - height / 2),
                width,
                height,
                boxstyle="round,pad=0.01,rounding_size=0.02",
                facecolor="#F2F2F2",
                edgecolor=NEUTRAL,
                linewidth=1.2,
                transform=ax.transAxes,
                zorder=2,
                gid=f"box:{key}",
            )
        )
        ax.text(
            x,
            y,
            _wrap(text, 22),
            ha="center",
            va="center",
            fontsize=9.5,
            transform=ax.transAxes,
            zorder=3,
        )
    indirect, direct = OKABE_ITO["vermillion"], OKABE_ITO["blue"]

    def arrow(a: tuple[float, float], b: tuple[float, float], colour: str) -> None:
        ax.add_patch(
            FancyArrowPatch(
                a,
                b,
                arrowstyle="-|>",
                mutation_scale=16,
                linewidth=2.0,
                color=colour,
                transform=ax.transAxes,
                zorder=1,
            )
        )

    arrow((0.20, 0.39), (0.41, 0.71), indirect)
    arrow((0.59, 0.71), (0.80, 0.39), indirect)
    arrow((0.26, 0.30), (0.74, 0.30), direct)
    acme = _effect_text(table, "acme", bool(hidden["acme"]), mult, unit)
    ade = _effect_text(table, "ade", bool(hidden["ade"]), mult, unit)
    total = _effect_text(table, "total_effect", bool(hidden["total_effect"]), mult, unit)
    prop = _effect_text(table, "prop_mediated", bool(hidden["prop_mediated"]), mult, unit)
    ax.text(
        0.5,
        0.64,
        "Indirect effect (ACME)",
        ha="center",
        va="bottom",
        fontsize=9,
        color=indirect,
        fontweight="bold",
        transform=ax.transAxes,
    )
    ax.text(
        0.5,
        0.625,
        acme,
        ha="center",
        va="top",
        fontsize=9.5,
        color=indirect,
        transform=ax.transAxes,
        gid="acme",
    )
    ax.text(
        0.5,
        0.26,
        "Direct effect (ADE)",
        ha="center",
        va="top",
        fontsize=9,
        color=direct,
        fontweight="bold",
        transform=ax.transAxes,
    )
    ax.text(
        0.5,
        0.215,
        ade,
        ha="center",
        va="top",
        fontsize=9.5,
        color=direct,
        transform=ax.transAxes,
        gid="ade",
    )
    ax.text(
        0.02,
        0.02,
        "Total effect (ACME + ADE): " + total.replace("\n", ", "),
        ha="left",
        va="bottom",
        fontsize=9.5,
        transform=ax.transAxes,
        gid="total_effect",
    )
    if prop:
        ax.text(
            0.98,
            0.02,
            "Proportion mediated: " + prop.replace("\n", ", "),
            ha="right",
            va="bottom",
            fontsize=9.5,
            transform=ax.transAxes,
            gid="prop_mediated",
        )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    level = getattr(result, "alpha", 0.05)
    scale = "percentage points of probability" if mult == 100 else "outcome units"
    ax.set_title(
        f"How much of the effect of {exposure.replace('_', ' ')} on "
        f"{outcome.replace('_', ' ')} runs through {mediator.replace('_', ' ')}?\n"
    )
    ax.text(
        0.0,
        1.0,
        f"Effects in {scale}, {100 * (1 - level):.0f}% intervals"
        + (f"; n = {result.n}, {result.n_sims} simulations" if hasattr(result, "n_sims") else ""),
        transform=ax.transAxes,
        fontsize=8.5,
        color=NEUTRAL,
        va="bottom",
    )
    return ax


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(
        "\n".join(textwrap.wrap(line, width, break_on_hyphens=False)) or line
        for line in text.splitlines()
    )
