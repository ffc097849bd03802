"""Models side by side: :func:`model_table`, the package's ``summary_col``.

One column per model (``outcome_model`` or ``cox_model`` results), one row per term
with the estimate and its confidence interval (or standard error), then the number of
people and events and the fit statistics: log-likelihood, AIC, BIC, McFadden's
pseudo-R² and R² where they are defined.  The result exports like every other
(``to_markdown``, ``to_latex``, ``to_csv``); its tidy numbers stay unrounded in
``.estimates`` and ``.fit``.

Conventions (as R's ``logLik``, ``AIC`` and ``BIC``): log-likelihoods are of the
individual rows; AIC = -2 logL + 2 df and BIC = -2 logL + log(n) df, where df counts
every estimated parameter (a linear model's residual variance and an ordinal model's
cut-points included) and n is the number of rows (of events for a Cox model, whose
partial likelihood is a product over events).  A Firth model reports its penalised
log-likelihood; AIC, BIC and pseudo-R² are not defined for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from . import _export
from ._result import Result

__all__ = ["FIT_COLUMNS", "ModelTable", "model_table"]

#: Columns of :attr:`ModelTable.fit`.
FIT_COLUMNS = (
    "model",
    "outcome",
    "kind",
    "n",
    "events",
    "df",
    "log_likelihood",
    "aic",
    "bic",
    "pseudo_r2",
    "r_squared",
)

#: Columns of :attr:`ModelTable.estimates`.
ESTIMATE_COLUMNS = (
    "model",
    "term",
    "measure",
    "n",
    "events",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "coef",
    "std_error",
)

_FIT_ROWS = (
    ("n", "n"),
    ("events", "Events"),
    ("log_likelihood", "Log-likelihood"),
    ("aic", "AIC"),
    ("bic", "BIC"),
    ("pseudo_r2", "Pseudo R\u00b2 (McFadden)"),
    ("r_squared", "R\u00b2"),
)

_MEASURE_WORDS = {
    "odds_ratio": "odds ratio",
    "cumulative_odds_ratio": "cumulative odds ratio",
    "hazard_ratio": "hazard ratio",
    "coefficient": "coefficient",
}


# --------------------------------------------------------------------------------------
# Fit statistics
# --------------------------------------------------------------------------------------


def _bernoulli_loglik(events: np.ndarray, trials: np.ndarray, p: np.ndarray) -> float:
    """Sum of y log p + (1 - y) log(1 - p) over the rows behind grouped counts."""
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(events > 0, events * np.log(p), 0.0)
        b = np.where(trials - events > 0, (trials - events) * np.log1p(-p), 0.0)
    return float(np.sum(a + b))


def _null_bernoulli(events: float, n: float) -> float:
    p = events / n
    return _bernoulli_loglik(np.array([events]), np.array([n]), np.array([p]))


def fit_statistics(result: Any) -> dict[str, Any]:
    """Fit statistics of an ``outcome_model`` or ``cox_model`` result.

    Returns
    -------
    dict
        ``outcome, kind, n, events, df, log_likelihood, aic, bic, pseudo_r2,
        r_squared`` (NaN where not defined), and ``note`` (text, may be empty).
    """
    from .models import ModelResult
    from .survival import CoxModelResult

    nan = math.nan
    if isinstance(result, CoxModelResult):
        model = result.model
        ll = float(model.llf)
        df = len(np.asarray(model.params))
        cox_events = int(result.events)
        return {
            "outcome": "time to promotion",
            "kind": "cox",
            "n": int(result.n),
            "events": cox_events,
            "df": df,
            "log_likelihood": ll,
            "aic": -2 * ll + 2 * df,
            "bic": -2 * ll + math.log(cox_events) * df,
            "pseudo_r2": nan,
            "r_squared": nan,
            "measure": "hazard_ratio",
            "note": "Cox model: partial log-likelihood; BIC with n = events (as R).",
        }
    if not isinstance(result, ModelResult):
        raise AnalysisError(
            "model_table takes results of outcome_model and cox_model, not "
            f"{type(result).__name__}."
        )
    model = result.model
    n = int(result.n)
    events: float = nan if result.events is None else int(result.events)
    out: dict[str, Any] = {
        "outcome": result.outcome,
        "kind": result.kind,
        "n": n,
        "events": events,
        "pseudo_r2": nan,
        "r_squared": nan,
        "note": "",
    }
    if result.kind == "firth":
        df = len(model.params)
        out.update(
            df=df,
            log_likelihood=float(model.loglik),
            aic=nan,
            bic=nan,
            measure="odds_ratio",
            note="Firth model: penalised log-likelihood; AIC, BIC and pseudo-R\u00b2 not defined.",
        )
        return out
    if result.kind == "logistic":
        df = len(np.asarray(model.params))
        if hasattr(model.model, "n_trials"):  # fitted to covariate patterns
            trials = np.asarray(model.model.n_trials, dtype=float)
            ev = np.asarray(model.model.endog, dtype=float) * trials
            ll = _bernoulli_loglik(ev, trials, np.asarray(model.mu, dtype=float))
        else:
            ll = float(model.llf)
        null = _null_bernoulli(float(events), float(n))
        out.update(measure="odds_ratio")
    elif result.kind == "ordinal":
        df = len(np.asarray(model.params))
        ll = float(model.llf)
        null = float(model.llnull)
        out.update(measure="cumulative_odds_ratio")
    else:  # linear: the residual variance is a parameter too (as R's logLik.lm)
        df = len(np.asarray(model.params)) + 1
        ll = float(model.llf)
        null = nan
        out.update(measure="coefficient", r_squared=float(model.rsquared))
    out.update(
        df=df,
        log_likelihood=ll,
        aic=-2 * ll + 2 * df,
        bic=-2 * ll + math.log(n) * df,
        pseudo_r2=1 - ll / null if np.isfinite(null) and null != 0 else nan,
    )
    return out


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class ModelTable(Result):
    """Models side by side (result of :func:`model_table`).

    Attributes
    ----------
    estimates : DataFrame
        Tidy, one row per model and term: ``model, term, measure, n, events,
        estimate, ci_low, ci_high, p_value, coef, std_error`` (``coef`` is the
        coefficient whose standard error ``std_error`` is: the log ratio for odds and
        hazard ratios).
    fit : DataFrame
        One row per model: ``model, outcome, kind, n, events, df, log_likelihood,
        aic, bic, pseudo_r2, r_squared`` (NaN where not defined).
    names : tuple of str
        The column name of each model.
    terms : tuple of str
        The rows, in order.
    labels : dict
        Display names of terms.
    alpha : float or None
        1 - the level of every model's intervals (None when they differ).
    """

    estimates: pd.DataFrame
    fit: pd.DataFrame
    names: tuple[str, ...]
    terms: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    stars: bool = False
    alpha: float | None = 0.05

    @property
    def title(self) -> str:
        return f"{len(self.names)} model{'s' if len(self.names) != 1 else ''} side by side"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"estimates": self.estimates, "fit": self.fit}

    # ----------------------------------------------------------------------------------
    # Display: terms by models, then the fit statistics
    # ----------------------------------------------------------------------------------

    def display(self, digits: int = 3, style: str | None = None) -> pd.DataFrame:
        """The side-by-side table as text: a row per term, a column per model.

        Parameters
        ----------
        digits : int, default=3
        style : str, optional
            ``None`` or a CI label (``"OR (95% CI)"``): ``1.23 (0.80 to 1.90)``;
            an SE label (``"log OR (SE)"``): the coefficient with its standard error,
            log ratios for ratio measures.

        Returns
        -------
        DataFrame
            Index: ``Estimate`` (the measure of each model), the terms (by their
            labels), then ``n``, ``Events`` and the fit statistics defined for at
            least one model.
        """
        digits = _export.check_digits(digits, allow_none=False) or 0
        parsed = _export.parse_style(style)
        if parsed is not None:
            parsed.check_level(self.alpha)
        kind = parsed.kind if parsed is not None else "ci"
        if kind == "se" and parsed is not None:
            ratios = self.estimates["measure"].isin(list(_export.RATIO_MEASURES)).any()
            if ratios and not parsed.log_scale:
                raise AnalysisError(
                    f"style={parsed.label!r}: the standard errors of odds and hazard ratios "
                    "belong to the log ratios. Say 'log' in the label (e.g. 'log OR (SE)') "
                    "or use an interval style such as 'OR (95% CI)'."
                )
        rows: dict[str, dict[str, str]] = {}
        measures = {}
        for name in self.names:
            part = self.estimates[self.estimates["model"] == name]
            ratio = part["measure"].isin(list(_export.RATIO_MEASURES) + ["hazard_ratio"])
            measure = next(
                (m for m in part["measure"] if m not in ("baseline_odds", "intercept")), ""
            )
            word = _MEASURE_WORDS.get(str(measure), str(measure).replace("_", " "))
            if kind == "se" and ratio.any():
                word = f"log {word}"
            measures[name] = word
        rows["Estimate"] = measures
        for term in self.terms:
            cells = {}
            for name in self.names:
                part = self.estimates[
                    (self.estimates["model"] == name) & (self.estimates["term"] == term)
                ]
                if part.empty:
                    cells[name] = ""
                    continue
                rec = part.iloc[0]
                cells[name] = self._cell(rec, digits, kind)
            rows[self.labels.get(term, term)] = cells
        fit = self.fit.set_index("model")
        for column, label in _FIT_ROWS:
            values = fit[column]
            if values.isna().all():
                continue
            cells = {}
            for name in self.names:
                v = values.loc[name]
                if column in ("n", "events"):
                    cells[name] = "" if pd.isna(v) else str(int(v))
                else:
                    cells[name] = _export.format_number(float(v), digits)
            rows[label] = cells
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=list(self.names))
        frame.index.name = ""
        return frame.fillna("")

    def _cell(self, rec: pd.Series, digits: int, kind: str) -> str:
        if kind == "se":
            b = _export.format_number(rec["coef"], digits)
            se = _export.format_number(rec["std_error"], digits)
            text = f"{b} ({se})" if b and se else b
        else:
            e = _export.format_number(rec["estimate"], digits)
            lo = _export.format_number(rec["ci_low"], digits)
            hi = _export.format_number(rec["ci_high"], digits)
            text = f"{e} ({lo} to {hi})" if e and lo and hi else e
        if self.stars and text:
            p = rec["p_value"]
            if pd.notna(p):
                text += "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""
        return text

    # exports: the display by default --------------------------------------------------

    def _main_table_name(self) -> str | None:
        return "models"

    def _export_tables(
        self, names: Sequence[str] | None, *, columns: Sequence[str] | None
    ) -> dict[str, pd.DataFrame]:
        wanted = ["models"] if names is None else list(names)
        if "models" not in wanted:
            return super()._export_tables(wanted, columns=columns)
        out: dict[str, pd.DataFrame] = {}
        for name in wanted:
            out.update(
                {"models": pd.DataFrame()}
                if name == "models"
                else super()._export_tables([name], columns=columns)
            )
        return out

    def _prepare_export(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        digits: int | None,
        columns: Sequence[str] | None,
        style: _export.Style | None,
        fmt: str,
    ) -> _export.Prepared:
        if name != "models":
            return super()._prepare_export(
                name, frame, digits=digits, columns=columns, style=style, fmt=fmt
            )
        shown = self.display(3 if digits is None else digits, style.label if style else None)
        if columns is not None:
            wanted = [columns] if isinstance(columns, str) else list(columns)
            unknown = [c for c in wanted if c not in self.names]
            if unknown:
                raise AnalysisError(
                    f"columns {unknown} are not models of this table. Models: {list(self.names)}."
                )
            shown = shown[wanted]
        flat = shown.reset_index().rename(columns={"index": ""})
        flat.columns = ["", *shown.columns]
        numeric = [False] + [True] * shown.shape[1]
        return _export.Prepared("models", flat, numeric, [])

    def _prepared(
        self,
        digits: Any,
        *,
        table: str | Sequence[str] | None,
        columns: Sequence[str] | None,
        style: str | None,
        fmt: str,
    ) -> tuple[list[_export.Prepared], list[str]]:
        # the display takes any style (it knows its own columns)
        names = [table] if isinstance(table, str) else table
        if names is None or "models" in names:
            digits = _export.check_digits(digits, allow_none=fmt == "csv")
            parsed = _export.parse_style(style)
            chosen = self._export_tables(names, columns=columns)
            prepared = [
                self._prepare_export(n, t, digits=digits, columns=columns, style=parsed, fmt=fmt)
                for n, t in chosen.items()
            ]
            return prepared, self._footer_lines() + self._cell_notes(parsed)
        return super()._prepared(digits, table=table, columns=columns, style=style, fmt=fmt)

    def _cell_notes(self, style: _export.Style | None) -> list[str]:
        if style is not None and style.kind == "se":
            text = "Cells: coefficient (standard error); odds and hazard ratios as log ratios."
        else:
            level = "" if self.alpha is None else f"{100 * (1 - self.alpha):g}% "
            text = f"Cells: estimate ({level}confidence interval)."
        if self.stars:
            text += " * p < 0.05, ** p < 0.01, *** p < 0.001."
        return [text]


# --------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------


def _estimates_of(name: str, result: Any) -> pd.DataFrame:
    table = result.table
    frame = pd.DataFrame(
        {
            "model": name,
            "term": table["term"].astype(str),
            "measure": table["measure"] if "measure" in table.columns else "hazard_ratio",
            "n": table["n"] if "n" in table.columns else np.nan,
            "events": table["events"] if "events" in table.columns else np.nan,
            "estimate": table["estimate"],
            "ci_low": table["ci_low"],
            "ci_high": table["ci_high"],
            "p_value": table["p_value"],
        }
    )
    if "coef" in table.columns:
        frame["coef"] = table["coef"].to_numpy()
    else:
        frame["coef"] = _export._coefficients(frame).to_numpy()
    frame["std_error"] = table["std_error"].to_numpy() if "std_error" in table.columns else np.nan
    return frame


def model_table(
    models: Sequence[Any] | Mapping[str, Any],
    *,
    names: Sequence[str] | None = None,
    terms: Sequence[str] | Mapping[str, str] | None = None,
    stars: bool = False,
) -> ModelTable:
    """Several models side by side, with n, events and fit statistics.

    Parameters
    ----------
    models : sequence or mapping of results
        Results of :func:`~mentoranalytics.outcome_model` and
        :func:`~mentoranalytics.cox_model`; a mapping gives each its column name.
    names : sequence of str, optional
        Column names (default: the mapping's keys, else ``(1)``, ``(2)``, ...).
    terms : sequence of str or mapping, optional
        The rows to show, in order; a mapping also gives display names, e.g.
        ``{"gender[woman]": "Woman (vs man)"}``.  Default: every term, in order of
        first appearance.
    stars : bool, default=False
        Mark p < 0.05, 0.01, 0.001 with ``*``, ``**``, ``***``.

    Returns
    -------
    ModelTable
        ``.estimates`` (tidy: ``model, term, measure, n, events, estimate, ci_low,
        ci_high, p_value, coef, std_error``), ``.fit`` (``model, outcome, kind, n,
        events, df, log_likelihood, aic, bic, pseudo_r2, r_squared``) and
        :meth:`~ModelTable.display`; ``to_markdown``, ``to_latex`` and ``to_csv``
        export the side-by-side display (``style="log OR (SE)"`` for coefficients
        with standard errors; ``table="estimates"`` or ``"fit"`` for the tidy
        numbers).

    Raises
    ------
    AnalysisError
        No models, a result of another kind, names that repeat or do not match,
        or terms that no model has.

    Examples
    --------
    >>> import pandas as pd
    >>> import mentoranalytics as ma
    >>> df = pd.DataFrame({"gender": ["woman", "man"] * 20,
    ...                    "bold": [True, False, False, True] * 10,
    ...                    "promoted": [True, False, True, True, False] * 8})
    >>> m1 = ma.outcome_model(df, "promoted", "gender", kind="logistic")
    >>> m2 = ma.outcome_model(df, "promoted", ["gender", "bold"], kind="logistic")
    >>> tab = ma.model_table([m1, m2])
    >>> list(tab.display().columns)
    ['(1)', '(2)']
    >>> tab.fit["aic"].round(2).tolist()
    [57.84, 59.84]
    """
    if isinstance(models, Mapping):
        if names is not None:
            raise AnalysisError("Give names either as the keys of models or as names=, not both.")
        names = [str(k) for k in models]
        results = list(models.values())
    else:
        if isinstance(models, (str, bytes)) or not isinstance(models, Sequence):
            raise AnalysisError(
                "models must be a list of outcome_model / cox_model results (or a mapping "
                f"of name to result), not {type(models).__name__}."
            )
        results = list(models)
    if not results:
        raise AnalysisError("models is empty: pass at least one outcome_model or cox_model result.")
    if names is None:
        names = [f"({i + 1})" for i in range(len(results))]
    names = [str(n) for n in names]
    if len(names) != len(results):
        raise AnalysisError(f"names has {len(names)} entries for {len(results)} models.")
    if len(set(names)) != len(names):
        raise AnalysisError(f"names must differ from each other: {names}.")
    if not isinstance(stars, (bool, np.bool_)):
        raise AnalysisError(f"stars must be True or False, not {stars!r}.")

    fits, parts, notes = [], [], []
    alphas = set()
    for name, res in zip(names, results, strict=True):
        stats = fit_statistics(res)  # also checks the type
        note = stats.pop("note")
        stats.pop("measure")
        fits.append({"model": name, **stats})
        parts.append(_estimates_of(name, res))
        if note and note not in notes:
            notes.append(note)
        alphas.add(getattr(res, "alpha", 0.05))
    estimates = pd.concat(parts, ignore_index=True)[list(ESTIMATE_COLUMNS)]
    fit = pd.DataFrame(fits, columns=list(FIT_COLUMNS))

    all_terms = list(dict.fromkeys(estimates["term"]))
    labels: dict[str, str] = {}
    if terms is None:
        chosen = all_terms
    else:
        if isinstance(terms, str):
            terms = [terms]
        if isinstance(terms, Mapping):
            labels = {str(k): str(v) for k, v in terms.items()}
            chosen = list(labels)
        else:
            chosen = [str(t) for t in terms]
        unknown = [t for t in chosen if t not in all_terms]
        if unknown:
            raise AnalysisError(f"terms {unknown} are in none of the models. Terms: {all_terms}.")
    methods = []
    for name, res in zip(names, results, strict=True):
        if res.method:
            methods.append(f"{name}: {res.method}")
    return ModelTable(
        method="; ".join(methods),
        notes=tuple(notes),
        estimates=estimates,
        fit=fit,
        names=tuple(names),
        terms=tuple(chosen),
        labels=labels,
        stars=bool(stars),
        alpha=alphas.pop() if len(alphas) == 1 else None,
    )
