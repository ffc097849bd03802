"""Forest plot: estimates with confidence intervals, per-study squares and a pooled diamond."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError, ColumnError
from . import _autofit
from ._common import (
    SUPPRESSED,
    WITHHELD,
    category_label,
    cell_mask,
    column_label,
    fmt_estimate,
    get_ax,
    note,
)
from ._compose import (
    Labels,
    Palette,
    apply_title,
    check_legend,
    legend_right,
    resolve_labels,
    resolve_palette,
    text_width_pt,
    wants_legend,
)
from ._rows import COLUMN_GAP, column_transform
from ._style import NEUTRAL, OKABE_ITO

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Human names of the measures found in the statistics layer's tables.
MEASURE_LABELS: dict[str, str] = {
    "risk_difference": "Difference in rate (pp)",
    "risk_ratio": "Risk ratio",
    "odds_ratio": "Odds ratio",
    "cumulative_odds_ratio": "Cumulative odds ratio",
    "hazard_ratio": "Hazard ratio",
    "ratio": "Ratio",
    "log_odds_ratio": "Log odds ratio",
    "coefficient": "Coefficient",
    "mean_difference": "Difference in means",
    "smd": "Standardised mean difference",
}

_LABEL_COLUMNS = ("label", "study", "term", "group", "outcome", "level")
_INTERCEPT_TERMS = frozenset({"intercept", "Intercept", "(Intercept)", "const"})
_NOT_EFFECTS = frozenset({"baseline_odds", "intercept", "threshold"})


def _is_ratio(measure: str | None) -> bool:
    text = str(measure or "").lower()
    return "ratio" in text and not text.startswith("log")


def _measure_of_result(result: Any, frame: pd.DataFrame) -> str | None:
    """The measure a result's table holds, read from the result itself.

    In order: a ``measure`` attribute; the names of its tables (``hazard_ratios``,
    ``odds_ratios``); its title ("... (hazard ratios)"); a Cox model's type; and, for
    any table with ``coef`` beside ``estimate``, a ratio when the estimates are the
    exponentiated coefficients.
    """
    named = getattr(result, "measure", None)
    if isinstance(named, str) and named:
        return named
    texts: list[str] = []
    tables = getattr(result, "tables", None)
    if callable(tables):
        try:
            texts += [str(k) for k in tables()]
        except Exception:
            pass
    texts.append(str(getattr(result, "title", "") or ""))
    texts.append(type(result).__name__)
    joined = " ".join(texts).lower().replace("_", " ")
    for clue, name in (
        ("hazard ratio", "hazard_ratio"),
        ("cox", "hazard_ratio"),
        ("odds ratio", "odds_ratio"),
        ("risk ratio", "risk_ratio"),
    ):
        if clue in joined:
            return name
    return _measure_from_coef(frame)


def _measure_from_coef(frame: pd.DataFrame) -> str | None:
    """``"ratio"`` when ``estimate`` is ``exp(coef)`` on every finite row."""
    if "coef" not in frame.columns or "estimate" not in frame.columns:
        return None
    coef = pd.to_numeric(frame["coef"], errors="coerce").to_numpy(float)
    est = pd.to_numeric(frame["estimate"], errors="coerce").to_numpy(float)
    ok = np.isfinite(coef) & np.isfinite(est)
    if ok.any() and np.allclose(np.exp(coef[ok]), est[ok], rtol=1e-6, atol=1e-12):
        return "ratio"
    return None


@dataclass
class _Forest:
    table: pd.DataFrame  # key, label, estimate, ci_low, ci_high, weight, suppressed, withheld, n
    measure: str | None
    pooled: pd.DataFrame | None
    title: str
    reference: Any = None


def _pooled_frame(pooled: Any, measure: str | None) -> pd.DataFrame | None:
    if pooled is None:
        return None
    if isinstance(pooled, Mapping):
        frame = pd.DataFrame([dict(pooled)])
    elif isinstance(pooled, pd.Series):
        frame = pooled.to_frame().T
    elif isinstance(pooled, pd.DataFrame):
        frame = pooled
    else:
        raise AnalysisError(
            "pooled must be a mapping, Series or DataFrame with estimate, ci_low and ci_high, "
            f"not {type(pooled).__name__}."
        )
    missing = [c for c in ("estimate", "ci_low", "ci_high") if c not in frame.columns]
    if missing:
        raise ColumnError(
            f"pooled needs columns estimate, ci_low and ci_high; missing {missing}. "
            f"Available: {[str(c) for c in frame.columns]}."
        )
    if measure is not None and "measure" in frame.columns and frame["measure"].notna().any():
        chosen = frame[frame["measure"] == measure]
        frame = chosen if not chosen.empty else frame
    out = frame.reset_index(drop=True).copy()
    if "label" not in out.columns:
        method = out["method"] if "method" in out.columns else pd.Series([""] * len(out))
        out["label"] = [
            "Pooled" + (f"\n{_short_method(m)}" if isinstance(m, str) and m else "") for m in method
        ]
    return out


def _meta_pooled(result: Any) -> pd.DataFrame | None:
    pooled = getattr(result, "pooled", None)
    if not isinstance(pooled, pd.DataFrame) or pooled.empty:
        return None
    het = getattr(result, "heterogeneity", None)
    i2 = None
    if isinstance(het, pd.DataFrame) and "I2" in het.columns and len(het):
        i2 = het["I2"].iloc[0]
    tau_method = getattr(result, "tau2_method", "")
    labels = []
    for model in pooled.get("model", pd.Series(["pooled"] * len(pooled))):
        if model == "random":
            text = (
                f"Pooled, random effects ({tau_method})" if tau_method else "Pooled, random effects"
            )
            if i2 is not None and pd.notna(i2):
                text += f"\nI² = {100 * float(i2):.0f}%"
        elif model == "fixed":
            text = "Pooled, fixed effect"
        else:
            text = f"Pooled ({model})"
        labels.append(text)
    out = pooled.assign(label=labels)
    if "model" in out.columns:  # random effects first: the headline estimate
        out = out.iloc[np.argsort([0 if m == "random" else 1 for m in out["model"]], kind="stable")]
    return out.reset_index(drop=True)


def _short_method(method: str) -> str:
    text = method.split(";")[0].split(",")[0].strip()
    return text if len(text) <= 34 else text[:32] + "…"


def _term_label(term: str, references: Mapping[str, Any]) -> str:
    if "[" in term and term.endswith("]"):
        name, level = term[:-1].split("[", 1)
        ref = references.get(name)
        tail = f" vs {category_label(ref)}" if ref is not None else ""
        return f"{name.replace('_', ' ')}: {category_label(level)}{tail}"
    if ":" in term:
        return " × ".join(_term_label(t, references) for t in term.split(":"))
    ref = references.get(term)
    if ref is False:
        return f"{term.replace('_', ' ')} (yes vs no)"
    return term.replace("_", " ")


def _labels(frame: pd.DataFrame, label: str | None, references: Mapping[str, Any]) -> list[str]:
    if label is not None:
        if label not in frame.columns:
            raise ColumnError(
                f"label={label!r} is not a column of the effects table. "
                f"Available: {[str(c) for c in frame.columns]}."
            )
        return [str(v) for v in frame[label]]
    if "study" in frame.columns:
        return [str(v) for v in frame["study"]]
    if "term" in frame.columns:
        return [_term_label(str(t), references) for t in frame["term"]]
    if "group" in frame.columns:
        if "reference" in frame.columns:
            base = [
                f"{category_label(g)} vs {category_label(r)}"
                for g, r in zip(frame["group"], frame["reference"], strict=True)
            ]
        else:
            base = [category_label(g) for g in frame["group"]]
        if "outcome" in frame.columns and frame["outcome"].nunique() > 1:
            return [
                f"{column_label(str(o))}\n{b}" for o, b in zip(frame["outcome"], base, strict=True)
            ]
        return base
    for col in _LABEL_COLUMNS:
        if col in frame.columns:
            return [str(v) for v in frame[col]]
    return [str(i) for i in frame.index]


def _keys(frame: pd.DataFrame, label: str | None, labels: list[str]) -> list[Any]:
    """What ``order=``, ``labels=`` and ``palette=`` name a row by: its own identifier."""
    for col in ([label] if label else []) + ["study", "term", "group"]:
        if col in frame.columns:
            keys = list(frame[col])
            if col == "group" and "outcome" in frame.columns and frame["outcome"].nunique() > 1:
                keys = [f"{o}:{g}" for o, g in zip(frame["outcome"], keys, strict=True)]
            return keys
    return list(labels)


def _from_input(
    effects: Any,
    measure: str | None,
    label: str | None,
    weights: Any,
    pooled: Any,
    drop_intercept: bool,
    nan_rows: str = "auto",
) -> _Forest:
    title = "Estimates with 95% confidence intervals"
    references: Mapping[str, Any] = {}
    reference = None
    result_pooled = None
    if isinstance(effects, pd.DataFrame):
        table = effects
    elif isinstance(getattr(effects, "studies", None), pd.DataFrame):  # meta-analysis
        table = effects.studies
        result_pooled = _meta_pooled(effects)
        if weights is None and "weight" in table.columns:
            weights = "weight"
        measure = measure or "odds_ratio"
        ref, comp = getattr(effects, "reference", None), getattr(effects, "group", None)
        title = "Odds ratio per study and pooled"
        if ref is not None and comp is not None:
            title = (
                f"Odds ratio, {category_label(comp)} vs {category_label(ref)}: per study and pooled"
            )
            reference = ref
    elif isinstance(getattr(effects, "effects", None), pd.DataFrame):  # compare_rates
        table = effects.effects
        reference = getattr(effects, "reference", None)
        outcome = getattr(effects, "outcome", "")
        measure = measure or "risk_difference"
        title = f"{column_label(outcome)}: gap between groups" if outcome else title
        rp = getattr(effects, "pooled", None)
        if measure == "odds_ratio" and isinstance(rp, pd.DataFrame) and not rp.empty:
            strata = getattr(effects, "strata", None) or "strata"
            result_pooled = rp.assign(
                label=[
                    f"{category_label(g)} vs {category_label(r)}\nadjusted for {strata} (Mantel-Haenszel)"
                    for g, r in zip(rp["group"], rp["reference"], strict=True)
                ]
            )
    elif isinstance(getattr(effects, "table", None), pd.DataFrame):  # outcome_model etc.
        table = effects.table
        references = dict(getattr(effects, "references", {}) or {})
        outcome = getattr(effects, "outcome", "")
        title = f"{column_label(outcome)}: model estimates" if outcome else title
        if measure is None and "measure" not in table.columns:
            measure = _measure_of_result(effects, table)
    else:
        raise AnalysisError(
            "effects must be a DataFrame with estimate, ci_low and ci_high, or a result "
            "of compare_rates, outcome_model or meta_analysis; "
            f"got {type(effects).__name__}."
        )
    missing = [c for c in ("estimate", "ci_low", "ci_high") if c not in table.columns]
    if missing:
        raise ColumnError(
            f"The effects table needs columns estimate, ci_low and ci_high; missing {missing}. "
            f"Available: {[str(c) for c in table.columns]}."
        )
    frame = table.reset_index(drop=isinstance(table.index, pd.RangeIndex))
    if "measure" in frame.columns:
        if drop_intercept:
            frame = frame[~frame["measure"].isin(_NOT_EFFECTS)]
        found = list(dict.fromkeys(frame["measure"].dropna()))
        if measure is None:
            if len(found) > 1:
                measure = "risk_difference" if "risk_difference" in found else None
                if measure is None:
                    raise AnalysisError(
                        f"The effects table mixes measures {found}; pass measure= one of them."
                    )
            else:
                measure = found[0] if found else None
        if measure is not None:
            if measure not in found:
                raise AnalysisError(
                    f"measure={measure!r} is not in the effects table; available: {found}."
                )
            frame = frame[frame["measure"] == measure]
    if drop_intercept and "term" in frame.columns:
        frame = frame[~frame["term"].astype(str).isin(_INTERCEPT_TERMS)]
    if measure is None and "measure" not in frame.columns:
        measure = _measure_from_coef(frame)
    if reference is None and "reference" in frame.columns and frame["reference"].nunique() == 1:
        reference = frame["reference"].iloc[0]
    texts = _labels(frame, label, references)
    out = pd.DataFrame(
        {
            "key": pd.Series(_keys(frame, label, texts), dtype=object).to_numpy(),
            "label": texts,
            "estimate": pd.to_numeric(frame["estimate"], errors="coerce").to_numpy(float),
            "ci_low": pd.to_numeric(frame["ci_low"], errors="coerce").to_numpy(float),
            "ci_high": pd.to_numeric(frame["ci_high"], errors="coerce").to_numpy(float),
        }
    )
    out["suppressed"] = (
        frame["suppressed"].fillna(True).astype(bool).to_numpy()
        if "suppressed" in frame.columns
        else False
    )
    if weights is None:
        out["weight"] = np.nan
    elif isinstance(weights, str):
        if weights not in frame.columns:
            raise ColumnError(
                f"weights={weights!r} is not a column of the effects table. "
                f"Available: {[str(c) for c in frame.columns]}."
            )
        out["weight"] = pd.to_numeric(frame[weights], errors="coerce").to_numpy(float)
    else:
        w = np.asarray(weights, dtype=float)
        if w.shape != (len(out),):
            raise AnalysisError(
                f"weights must be a column name or {len(out)} numbers (one per row); "
                f"got shape {w.shape}."
            )
        out["weight"] = w
    out["n"] = frame["n"].to_numpy() if "n" in frame.columns else np.nan
    released = nan_rows == "withheld" or (
        nan_rows == "auto"
        and isinstance(effects, pd.DataFrame)
        and "suppressed" not in frame.columns
    )
    empty = out[["estimate", "ci_low", "ci_high"]].isna().all(axis=1)
    out["withheld"] = (empty if nan_rows != "withheld" else out["estimate"].isna()) & released
    pooled_frame = _pooled_frame(pooled if pooled is not None else result_pooled, measure)
    if pooled_frame is not None:
        est = pd.to_numeric(pooled_frame["estimate"], errors="coerce")
        user = pooled is not None and nan_rows == "auto"
        pooled_frame = pooled_frame.assign(
            withheld=est.isna().to_numpy() & (nan_rows == "withheld" or user)
        )
    return _Forest(out, measure, pooled_frame, title, reference)


def plot_forest(
    effects: Any,
    *,
    measure: str | None = None,
    label: str | None = None,
    log_scale: bool | None = None,
    ref_line: float | None = None,
    weights: str | Sequence[float] | None = None,
    pooled: Any = None,
    suppressed: Any = None,
    drop_intercept: bool = True,
    title: str | None = None,
    xlabel: str | None = None,
    ax: Axes | None = None,
    palette: Palette = None,
    order: Sequence[Any] | None = None,
    labels: Labels = None,
    legend: bool | str = "auto",
    nan_rows: str = "auto",
) -> Axes:
    """Forest plot: one row per estimate with its confidence interval.

    Used for outcome gaps (``compare_rates(...).effects``), model odds ratios
    (``outcome_model(...).table``), Cox hazard ratios (``cox_model(...)``) and
    per-cohort or meta-analytic estimates (``meta_analysis(...)``: squares sized by
    weight and a pooled diamond).  The scale comes from the result itself: ratio
    measures (odds, risk and hazard ratios, and any table whose ``estimate`` is
    ``exp(coef)``) are drawn on a log axis with the "no difference" line at 1;
    differences on a linear axis with the line at 0.  Each row's estimate and
    interval is written on the right.

    Parameters
    ----------
    effects : DataFrame or result
        A tidy table with ``estimate``, ``ci_low``, ``ci_high`` and a label column
        (``study``, ``term``, ``group`` [+ ``reference``] or ``label``), optionally
        ``measure``, ``n``, ``weight`` and ``suppressed``; or the result of
        ``compare_rates`` (its ``.effects``), ``outcome_model`` or ``cox_model`` (its
        ``.table``) or ``meta_analysis`` (its ``.studies`` and ``.pooled``).  Rows
        whose ``suppressed`` is true are drawn as "suppressed"; withheld rows (see
        ``nan_rows``) as "withheld"; other rows without an estimate as "not
        estimable".
    measure : str, optional
        Which ``measure`` rows to draw (e.g. ``"risk_difference"``, ``"odds_ratio"``);
        default: the only measure, or ``risk_difference`` for rate comparisons, or the
        measure the result names.
    label : str, optional
        Column holding the row labels.
    log_scale : bool, optional
        Default: True for ratio measures.
    ref_line : float, optional
        Position of the "no difference" line; default 1 on a log scale, else 0.
    weights : str or sequence of float, optional
        Column name or values; squares get areas proportional to the weights
        (``meta_analysis`` results use their ``weight`` column automatically).
    pooled : mapping, Series or DataFrame, optional
        The pooled estimate (``estimate, ci_low, ci_high`` and optionally ``method``
        or ``label``), drawn as a diamond under a rule.  Taken from the result when
        it has one (meta-analysis; Mantel-Haenszel with ``measure="odds_ratio"``).
    suppressed : Series, set or None, default=None
        Row labels withheld by disclosure control (a boolean mask by label, or a set).
    drop_intercept : bool, default=True
        Leave out intercepts and baseline odds of model tables.
    title : str, optional
        Axes title; by default none (the researcher's own title is kept).
    xlabel : str, optional
        Override the value axis' label.
    ax : matplotlib Axes, optional
        Where to draw.
    palette : str, list or dict, optional
        Colours of the rows (a dict by row key: study, term or group); default blue.
    order : list, optional
        Rows to draw, in order, by key (study, term, group or ``label`` column).
    labels : dict, list or callable, optional
        Display text of the rows, by key.
    legend : {"auto", True, False}, default="auto"
        True adds a legend of estimate and pooled markers; "auto" draws none (every
        row is labelled).
    nan_rows : {"auto", "withheld", "not estimable"}, default="auto"
        What a row without an estimate means.  "auto": in a plain table (a released
        table) without a ``suppressed`` column, a row whose estimate and limits are
        all NaN is withheld; in a result, it is not estimable.

    Returns
    -------
    matplotlib.axes.Axes
        Markers carry ``gid="estimate:<row>"``, intervals ``"ci:<row>"`` (row = 0, 1,
        ... from the top), the pooled diamond ``"pooled"``, the right-hand texts
        ``"text:<row>"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mentoranalytics import plot as maplot
    >>> eff = pd.DataFrame({"study": ["2019", "2020"], "estimate": [1.5, 0.8],
    ...                     "ci_low": [0.6, 0.3], "ci_high": [3.9, 2.1],
    ...                     "measure": "odds_ratio", "weight": [0.6, 0.4]})
    >>> ax = maplot.plot_forest(eff, weights="weight",
    ...                         pooled={"estimate": 1.1, "ci_low": 0.6, "ci_high": 2.0})
    >>> ax.get_xscale()
    'log'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    legend = check_legend(legend)
    if nan_rows not in ("auto", "withheld", "not estimable"):
        raise AnalysisError(
            f"nan_rows must be 'auto', 'withheld' or 'not estimable', not {nan_rows!r}."
        )
    forest = _from_input(effects, measure, label, weights, pooled, drop_intercept, nan_rows)
    table = _reordered(forest.table, order)
    if log_scale is None:
        log_scale = _is_ratio(forest.measure)
    if ref_line is None:
        ref_line = 1.0 if log_scale else 0.0
    n_rows = len(table) + (0 if forest.pooled is None else len(forest.pooled) + 0.6)
    ax = get_ax(ax, (8.0, 1.5 + 0.45 * max(2.0, n_rows)))
    hidden = cell_mask(suppressed, list(table["label"]))["_row"].to_numpy()
    hidden = hidden | cell_mask(suppressed, list(table["key"]))["_row"].to_numpy()
    table = table.assign(suppressed=table["suppressed"].to_numpy() | hidden)
    keys = list(table["key"])
    colours = resolve_palette(palette, keys, default=dict.fromkeys(keys, OKABE_ITO["blue"]))
    names = resolve_labels(labels, keys) if labels is not None else None
    if log_scale:
        ax.set_xscale("log")
    pct = forest.measure == "risk_difference"
    lo_edge, hi_edge = _bounds(table, forest.pooled, ref_line, log_scale)
    w = table["weight"].to_numpy(float)
    wmax = np.nanmax(w) if np.isfinite(w).any() else np.nan
    column = column_transform(ax)
    texts: list[Any] = []

    def word_at(y: float, word: str, gid: str) -> None:
        mid = ax.text(
            0.5,
            y,
            word,
            transform=ax.get_yaxis_transform(),
            ha="center",
            va="center",
            color=NEUTRAL,
            style="italic",
            fontsize=9,
        )
        mid.set_in_layout(False)
        right = ax.text(
            1.0,
            y,
            word,
            transform=column,
            ha="left",
            va="center",
            color=NEUTRAL,
            style="italic",
            fontsize=9,
            clip_on=False,
        )
        right.set_gid(gid)
        texts.extend([mid, right])

    for i, row in enumerate(table.itertuples(index=False)):
        y = float(i)
        if row.suppressed or row.withheld or not np.isfinite(row.estimate):
            word = SUPPRESSED if row.suppressed else WITHHELD if row.withheld else "not estimable"
            word_at(y, word, f"text:{i}")
            continue
        colour = colours[row.key]
        lo = row.ci_low if np.isfinite(row.ci_low) else lo_edge
        hi = row.ci_high if np.isfinite(row.ci_high) else hi_edge
        (line,) = ax.plot([lo, hi], [y, y], color=colour, linewidth=1.8, zorder=2)
        line.set_gid(f"ci:{i}")
        for end, finite, marker in (
            (lo, np.isfinite(row.ci_low), "<"),
            (hi, np.isfinite(row.ci_high), ">"),
        ):
            if not finite:
                ax.plot([end], [y], marker=marker, color=colour, markersize=6, zorder=2)
        size = 8.0
        if np.isfinite(wmax) and np.isfinite(row.weight) and wmax > 0:
            size = 5.0 + 11.0 * np.sqrt(max(row.weight, 0.0) / wmax)
        (dot,) = ax.plot(
            [row.estimate],
            [y],
            marker="s",
            markersize=size,
            color=colour,
            markeredgecolor="white",
            markeredgewidth=0.6,
            linestyle="none",
            zorder=3,
        )
        dot.set_gid(f"estimate:{i}")
        text = ax.text(
            1.0,
            y,
            _interval_text(row.estimate, row.ci_low, row.ci_high, pct),
            transform=column,
            ha="left",
            va="center",
            fontsize=9,
            clip_on=False,
        )
        text.set_gid(f"text:{i}")
        texts.append(text)
    shown = [
        names[k] if names is not None else str(t) for k, t in zip(keys, table["label"], strict=True)
    ]
    ticks: list[float] = [float(i) for i in range(len(table))]
    if table["n"].notna().any():
        shown = [
            f"{lab} (n = {int(n)})" if pd.notna(n) else lab
            for lab, n in zip(shown, table["n"], strict=True)
        ]
    if forest.pooled is not None:
        start = len(table) + 0.6
        ax.axhline(len(table) - 0.2, color=NEUTRAL, linewidth=0.8)
        for k, prow in enumerate(forest.pooled.itertuples(index=False)):
            y = start + k
            ticks.append(y)
            shown.append(str(prow.label))
            est, plo, phi = (
                float(v) for v in np.asarray([prow.estimate, prow.ci_low, prow.ci_high], float)
            )
            gid = "text:pooled" if k == 0 else f"text:pooled:{k}"
            if bool(getattr(prow, "suppressed", False)):
                word_at(y, SUPPRESSED, gid)
                continue
            if bool(getattr(prow, "withheld", False)):
                word_at(y, WITHHELD, gid)
                continue
            if not np.isfinite(est):
                word_at(y, "not estimable", gid)
                continue
            _diamond(ax, est, plo, phi, y, gid="pooled" if k == 0 else f"pooled:{k}")
            text = ax.text(
                1.0,
                y,
                _interval_text(est, plo, phi, pct),
                transform=column,
                ha="left",
                va="center",
                fontsize=9,
                fontweight="bold",
                clip_on=False,
            )
            text.set_gid(gid)
            texts.append(text)
    ax.axvline(ref_line, color=NEUTRAL, linewidth=1.0, linestyle="--", zorder=1)
    ax.set_yticks(ticks, shown)
    head_y = -0.95
    ax.set_ylim(max(ticks, default=0) + 0.7, head_y - 0.45)
    ax.set_xlim(lo_edge, hi_edge)
    ax.grid(axis="y", visible=False)
    _format_x(ax, forest.measure, log_scale, pct)
    ax.set_xlabel(xlabel or _xlabel(forest.measure, log_scale))
    header = ax.text(
        1.0,
        head_y,
        "estimate [95% CI]",
        transform=column,
        ha="left",
        va="center",
        fontsize=9,
        color=NEUTRAL,
        clip_on=False,
    )
    header.set_gid("header")
    texts.append(header)
    if forest.reference is not None:
        _direction_hints(ax, forest, ref_line, head_y)
    _autofit.no_overlap(ax, texts)
    _autofit.fit_ticks(ax, "y", thin=False, min_size=5.0)
    _autofit.fit_ticks(ax, "x", thin=True)
    if wants_legend(legend, needed=False):
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="s", color=OKABE_ITO["blue"], linestyle="none", label="estimate")
        ]
        if forest.pooled is not None:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="D",
                    color=OKABE_ITO["vermillion"],
                    markeredgecolor="black",
                    linestyle="none",
                    label="pooled",
                )
            )
        legend_right(ax, handles, offset_pt=_column_width(texts))
    if table.empty and forest.pooled is None:
        note(ax, "no estimates to show")
    apply_title(ax, title)
    return ax


def _reordered(table: pd.DataFrame, order: Sequence[Any] | None) -> pd.DataFrame:
    if order is None:
        return table
    keys = list(table["key"])
    picks = []
    for item in order:
        hit = [i for i, k in enumerate(keys) if k == item or str(k) == str(item)]
        hit += [i for i, t in enumerate(table["label"]) if str(t) == str(item) and i not in hit]
        if not hit:
            raise AnalysisError(
                f"order: {item!r} is not a row of the forest plot; rows: {[str(k) for k in keys]}."
            )
        picks.append(hit[0])
    return table.iloc[picks].reset_index(drop=True)


def _column_width(texts: Sequence[Any]) -> float:
    return COLUMN_GAP + max((text_width_pt(t.get_text(), 9) for t in texts), default=0.0) + 8.0


def _direction_hints(ax: Axes, forest: _Forest, ref_line: float, y: float) -> None:
    """ "← lower rate than X" and "higher rate than X →" on either side of the null line.

    Written in the header row inside the axes, each shrunk (or left out) to fit the
    room between the null line and the axes' edge.
    """
    from matplotlib.transforms import offset_copy

    ref = category_label(forest.reference)
    what = (
        "odds"
        if "odds" in str(forest.measure)
        else ("hazard" if "hazard" in str(forest.measure) else "rate")
    )
    for text, ha, dx in (
        (f"← lower {what} than {ref}", "right", -4.0),
        (f"higher {what} than {ref} →", "left", 4.0),
    ):
        hint = ax.text(
            ref_line,
            y,
            text,
            transform=offset_copy(
                ax.transData, fig=cast("Figure", ax.figure), x=dx, units="points"
            ),
            ha=ha,
            va="center",
            fontsize=8.5,
            color=NEUTRAL,
        )
        hint.set_in_layout(False)
        hint.set_gid(f"hint:{ha}")

        def room(ha: str = ha) -> float:
            x = ax.transData.transform((ref_line, 0.0))[0]
            box = ax.get_window_extent()
            return float((x - box.x0) if ha == "right" else (box.x1 - x)) - 6.0

        _autofit.fit_width(ax, hint, room, min_size=6.0)


def _bounds(
    table: pd.DataFrame, pooled: pd.DataFrame | None, ref: float, log_scale: bool
) -> tuple[float, float]:
    values = [ref]
    for frame in (table, pooled):
        if frame is None:
            continue
        for col in ("estimate", "ci_low", "ci_high"):
            v = pd.to_numeric(frame[col], errors="coerce").to_numpy(float)
            values.extend(v[np.isfinite(v)].tolist())
    arr = np.asarray(values, dtype=float)
    if log_scale:
        arr = arr[arr > 0]
        lo, hi = float(np.log(arr.min())), float(np.log(arr.max()))
        pad = max(0.15 * (hi - lo), 0.2)
        return float(np.exp(lo - pad)), float(np.exp(hi + pad))
    lo, hi = float(arr.min()), float(arr.max())
    pad = max(0.08 * (hi - lo), 0.02 if hi - lo < 1 else 0.1)
    return lo - pad, hi + pad


def _diamond(ax: Axes, est: float, lo: float, hi: float, y: float, *, gid: str) -> None:
    from matplotlib.patches import Polygon

    poly = Polygon(
        [(lo, y), (est, y - 0.3), (hi, y), (est, y + 0.3)],
        closed=True,
        facecolor=OKABE_ITO["vermillion"],
        edgecolor="black",
        linewidth=0.8,
        zorder=3,
    )
    poly.set_gid(gid)
    ax.add_patch(poly)


def _interval_text(est: float, lo: float, hi: float, pct: bool) -> str:
    if pct:

        def f(v: float) -> str:
            return "∞" if not np.isfinite(v) else f"{100 * v:+.0f}"

        return f"{f(est)} pp [{f(lo)}, {f(hi)}]"

    def g(v: float) -> str:
        if not np.isfinite(v):
            return "∞" if v > 0 else ("-∞" if v < 0 else "NA")
        return fmt_estimate(v)

    return f"{g(est)} [{g(lo)}, {g(hi)}]"


def _format_x(ax: Axes, measure: str | None, log_scale: bool, pct: bool) -> None:
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    if pct:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{100 * v:+.0f}" if v else "0"))
    elif log_scale:
        ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())


def _xlabel(measure: str | None, log_scale: bool) -> str:
    text = MEASURE_LABELS.get(
        str(measure), str(measure or "Estimate").replace("_", " ").capitalize()
    )
    if log_scale:
        text += " (log scale)"
    return f"{text}, 95% CI"
