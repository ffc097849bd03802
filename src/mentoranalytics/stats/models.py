"""Outcome models: logistic (Firth when needed), ordinal logistic and linear regression.

:func:`outcome_model` chooses the model from the outcome and says why:

* a yes/no outcome gets logistic regression with odds ratios.  When a predictor
  separates the outcome (ordinary estimates would be infinite), when a category
  of a predictor has no events (or only events), or when there are fewer than 10
  events per parameter, it switches to Firth's penalised likelihood with profile
  penalised-likelihood intervals and penalised likelihood-ratio tests (as R's
  ``logistf`` does);
* an ordinal outcome (a level 1-6, a Likert score, an ordered categorical) gets a
  proportional-odds (cumulative logit) model with cumulative odds ratios;
* a continuous outcome gets ordinary least squares.

statsmodels is imported inside the functions that need it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._conventions import (
    check_column_name,
    check_column_names,
    default_reference,
    group_order,
    missing_cells,
    plain,
    reference_reason,
    resolve_reference,
    yes_no,
)
from .._derived import with_columns
from .._frame import as_frame
from ..exceptions import AnalysisError, SeparationWarning
from ..schema import SCHEMA
from ._result import Result
from .firth import (
    FirthError,
    FirthResult,
    detect_ordinal_separation,
    detect_separation,
    firth_logit,
    separating_columns,
)

__all__ = ["ModelResult", "outcome_model"]

ModelKind = Literal["auto", "logistic", "firth", "ordinal", "linear"]
_KINDS = ("auto", "logistic", "firth", "ordinal", "linear")

#: Events per parameter below which Firth's penalised likelihood is used.
MIN_EVENTS_PER_PARAMETER = 10

INTERCEPT = "intercept"


# --------------------------------------------------------------------------------------
# Column types
# --------------------------------------------------------------------------------------


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )


@dataclass(frozen=True)
class _Predictor:
    name: str
    kind: Literal["categorical", "boolean", "numeric"]
    levels: tuple[Any, ...] = ()
    reference: Any = None
    columns: tuple[str, ...] = ()
    counts: tuple[int, ...] = ()


def _term(name: str, level: Any, kind: str, reference: Any) -> str:
    if kind == "boolean" and level is True and reference is False:
        return name
    return f"{name}[{level}]"


def _describe_predictor(
    series: pd.Series, name: str, reference: Any, reference_given: bool
) -> _Predictor:
    as_bool = yes_no(series)
    if as_bool is not None and not (
        _is_numeric(series) and reference_given and reference not in (0, 1, True, False)
    ):
        counts = {False: int((as_bool == 0).sum()), True: int((as_bool == 1).sum())}
        levels = tuple(level for level in (False, True) if counts[level] > 0)
        if reference_given:
            try:
                ref: Any = resolve_reference(reference, [False, True], name)
            except AnalysisError:
                raise AnalysisError(
                    f"reference for '{name}' must be True or False (it is a yes/no column), "
                    f"not {plain(reference)!r}."
                ) from None
        else:
            ref = default_reference([False, True], name)
        others = [level for level in levels if level != ref]
        return _Predictor(
            name,
            "boolean",
            levels,
            ref,
            tuple(_term(name, level, "boolean", ref) for level in others),
            tuple(counts[level] for level in levels),
        )
    if _is_numeric(series) and not reference_given:
        return _Predictor(name, "numeric", columns=(name,))
    levels_list = group_order(series, name)
    counts_s = series.value_counts()
    counts_list = [int(counts_s.get(level, 0)) for level in levels_list]
    if reference_given:
        try:
            ref = resolve_reference(reference, levels_list, name)
        except AnalysisError as exc:
            raise AnalysisError(
                f"reference level {plain(reference)!r} for '{name}' does not occur in the "
                f"analysed rows. Levels present: {[str(v) for v in levels_list]}."
                + str(exc).partition("].")[2]
            ) from None
    else:
        ref = default_reference(levels_list, name)
    others = [level for level in levels_list if level != ref]
    return _Predictor(
        name,
        "categorical",
        tuple(levels_list),
        ref,
        tuple(_term(name, level, "categorical", ref) for level in others),
        tuple(counts_list),
    )


def _design_columns(series: pd.Series, pred: _Predictor) -> pd.DataFrame:
    if pred.kind == "numeric":
        return pd.DataFrame(
            {pred.name: pd.to_numeric(series).astype("float64")}, index=series.index
        )
    if pred.kind == "boolean":
        values = yes_no(series)
        assert values is not None  # checked by _describe_predictor
        out = {}
        for level, col in zip(
            [v for v in pred.levels if v != pred.reference], pred.columns, strict=True
        ):
            out[col] = (values == float(level)).astype("float64")
        return pd.DataFrame(out, index=series.index)
    out = {}
    others = [v for v in pred.levels if v != pred.reference]
    for level, col in zip(others, pred.columns, strict=True):
        out[col] = (series == level).astype("float64")
    return pd.DataFrame(out, index=series.index)


def _resolve_references(
    reference: str | Mapping[str, Any] | None, frame: pd.DataFrame, predictors: Sequence[str]
) -> dict[str, Any]:
    if reference is None:
        return {}
    if isinstance(reference, Mapping):
        unknown = [k for k in reference if k not in predictors]
        if unknown:
            raise AnalysisError(
                f"reference names {unknown} which are not predictors. Predictors: {list(predictors)}."
            )
        return dict(reference)
    owners = [
        p
        for p in predictors
        if not _is_numeric(frame[p])
        and yes_no(frame[p]) is None
        and any(str(v) == str(reference) for v in pd.unique(frame[p].dropna()))
    ]
    if len(owners) != 1:
        where = "no categorical predictor" if not owners else f"several predictors ({owners})"
        raise AnalysisError(
            f"reference={reference!r} matches {where}. Pass a mapping instead, "
            "e.g. reference={'gender': 'man'}."
        )
    return {owners[0]: reference}


@dataclass(frozen=True)
class _Design:
    X: pd.DataFrame
    predictors: dict[str, _Predictor]
    interaction: tuple[str, str] | None


def _build_design(
    frame: pd.DataFrame,
    predictors: Sequence[str],
    references: Mapping[str, Any],
    interaction: tuple[str, str] | None,
    *,
    intercept: bool,
) -> _Design:
    preds: dict[str, _Predictor] = {}
    parts = []
    if intercept:
        parts.append(pd.DataFrame({INTERCEPT: np.ones(len(frame))}, index=frame.index))
    for name in predictors:
        pred = _describe_predictor(frame[name], name, references.get(name), name in references)
        if pred.kind != "numeric" and len(pred.levels) < 2:
            only = pred.levels[0] if pred.levels else None
            raise AnalysisError(
                f"Predictor '{name}' has only one value ({only!r}) among the {len(frame)} "
                "analysed rows, so its effect cannot be estimated. Drop it from predictors "
                "or analyse a subgroup where it varies."
            )
        if pred.kind == "numeric" and frame[name].nunique() < 2:
            raise AnalysisError(
                f"Predictor '{name}' is constant among the {len(frame)} analysed rows, so its "
                "effect cannot be estimated. Drop it from predictors."
            )
        preds[name] = pred
        parts.append(_design_columns(frame[name], pred))
    X = pd.concat(parts, axis=1)
    if interaction is not None:
        a, b = interaction
        products = {}
        for ca in preds[a].columns:
            for cb in preds[b].columns:
                products[f"{ca}:{cb}"] = X[ca] * X[cb]
        X = pd.concat([X, pd.DataFrame(products, index=X.index)], axis=1)
    return _Design(X, preds, interaction)


def _check_interaction(design: _Design) -> None:
    """Each level of the first interaction variable needs variation in the second."""
    if design.interaction is None:
        return
    a, b = design.interaction
    pred_a, pred_b = design.predictors[a], design.predictors[b]
    if pred_a.kind == "numeric":
        return
    X = design.X
    b_cols = X[list(pred_b.columns)].to_numpy()
    for level in pred_a.levels:
        if level == pred_a.reference:
            others = X[list(pred_a.columns)].to_numpy()
            mask = ~np.any(others == 1.0, axis=1)
        else:
            col = pred_a.columns[[v for v in pred_a.levels if v != pred_a.reference].index(level)]
            mask = X[col].to_numpy() == 1.0
        if mask.sum() and np.all(np.ptp(b_cols[mask], axis=0) == 0) and b_cols.shape[1]:
            raise AnalysisError(
                f"The interaction {a} x {b} cannot be estimated: '{b}' does not vary among the "
                f"{int(mask.sum())} analysed rows with {a} = {level}, so no analysed row has both "
                f"{a} = {level} and a different {b}. Drop interaction= or combine categories."
            )


def _check_rank(X: pd.DataFrame) -> None:
    """Raise a readable error when the design matrix is rank deficient."""
    _check_rank_values(X.to_numpy(dtype=float), [str(c) for c in X.columns])


def _check_rank_values(values: np.ndarray, names: Sequence[str]) -> None:
    for j, col in enumerate(names):
        if ":" in col and np.all(values[:, j] == 0):
            a, b = col.split(":", 1)
            raise AnalysisError(
                f"The interaction '{col}' cannot be estimated: no analysed row has both "
                f"{a} and {b} (the product is zero in every row). Drop interaction= or "
                "combine categories."
            )
    if np.linalg.matrix_rank(values) == values.shape[1]:
        return
    rank = 0
    kept: list[int] = []
    for j, col in enumerate(names):
        new_rank = np.linalg.matrix_rank(values[:, [*kept, j]])
        if new_rank == rank:
            earlier = [str(names[k]) for k in kept]
            raise AnalysisError(
                f"The predictors are linearly dependent: '{col}' can be computed exactly from "
                f"{earlier} in the analysed rows (for example two "
                "columns that carry the same information, or a category that coincides with "
                "another predictor). Remove one of them."
            )
        rank = new_rank
        kept.append(j)


# --------------------------------------------------------------------------------------
# Outcome type
# --------------------------------------------------------------------------------------


def _outcome_kind(series: pd.Series, name: str) -> tuple[str, str]:
    if yes_no(series) is not None and series.notna().any():
        return "binary", f"'{name}' is a yes/no outcome"
    if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.ordered:
        return "ordinal", f"'{name}' is an ordered categorical outcome"
    col = SCHEMA.get(name)
    if col is not None and col.kind == "ordinal":
        return "ordinal", (
            f"'{name}' is an ordinal scale ({int(col.minimum or 0)}-{int(col.maximum or 0)}) "
            "in the schema"
        )
    if _is_numeric(series):
        present = pd.to_numeric(series, errors="coerce").dropna()
        whole = bool(np.all(np.isclose(present, np.round(present)))) if len(present) else False
        k = present.nunique()
        if whole and 3 <= k <= 7:
            return "ordinal", (
                f"'{name}' takes {k} whole-number values (like a Likert or level scale); "
                "pass kind='linear' to treat it as continuous"
            )
        return "continuous", f"'{name}' is a continuous outcome"
    levels = pd.unique(series.dropna())
    raise AnalysisError(
        f"Outcome '{name}' has {len(levels)} unordered categories; outcome_model fits yes/no, "
        "ordinal and continuous outcomes. Make it yes/no (e.g. data[col] == 'value') or an "
        "ordered categorical (pd.Categorical(..., ordered=True))."
    )


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class ModelResult(Result):
    """Result of :func:`outcome_model`.

    Attributes
    ----------
    table : DataFrame
        One row per coefficient: ``term, measure, n, events, estimate, ci_low,
        ci_high, p_value, std_error, method``.  ``estimate`` is an odds ratio
        (logistic, Firth), a cumulative odds ratio (ordinal) or a coefficient
        (linear); ``measure`` says which (``baseline_odds`` or ``intercept`` for the
        intercept row).  ``std_error`` is the standard error of the coefficient on
        the model's scale (the log odds ratio for logistic, Firth and ordinal
        models).  ``n`` and ``events`` count the rows (and events) behind the term:
        those in the category or with the yes/no predictor true, every row for the
        intercept and numeric predictors; ``events`` only for yes/no outcomes.
    within : DataFrame or None
        With ``interaction=(a, b)`` and a categorical ``a``: the effect of ``b``
        within each level of ``a`` (columns ``level`` and those of ``table``).
    kind : str
        ``logistic``, ``firth``, ``ordinal`` or ``linear``.
    reason : str
        Why this model was chosen, in words.
    n, events : int
        Rows analysed; events (``True`` outcomes) for yes/no outcomes, else None.
    references : dict
        Reference level of each categorical or yes/no predictor.
    model : object
        The statsmodels result, or a :class:`~mentoranalytics.stats.firth.FirthResult`.
    separation : str or None
        ``'complete'`` or ``'quasi-complete'`` when a predictor separates the outcome.
    """

    table: pd.DataFrame
    outcome: str
    predictors: tuple[str, ...]
    kind: str
    reason: str
    n: int
    events: int | None
    model: Any
    alpha: float = 0.05
    within: pd.DataFrame | None = None
    references: Mapping[str, Any] = field(default_factory=dict)
    separation: str | None = None
    n_excluded: int = 0

    @property
    def title(self) -> str:
        return f"Outcome model for '{self.outcome}' ({self.kind})"

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"estimates": self.table}
        if self.within is not None:
            out["effects within levels"] = self.within
        return out


# --------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------

_TABLE_COLUMNS = [
    "term",
    "measure",
    "n",
    "events",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "std_error",
    "method",
]

_NO_EVENTS = [c for c in _TABLE_COLUMNS if c != "events"]


@dataclass(frozen=True)
class _Fit:
    table: pd.DataFrame
    model: Any
    method: str
    notes: tuple[str, ...] = ()


#: Above this many rows, a logistic model whose rows fall into few covariate patterns
#: (at most one per 20 rows) is fitted to the events and non-events of each pattern.
_GROUPED_ROWS = 20_000


def _fit_logistic_grouped(X: pd.DataFrame, y: np.ndarray, alpha: float) -> _Fit | None:
    """The logistic fit on the covariate patterns of ``X`` with their counts, or None.

    The binomial likelihood of the events and non-events per pattern is the likelihood
    of the individual rows up to a constant, so the estimates, standard errors (the
    information matrix is the same sum over rows) and Wald intervals are those of the
    row-level fit, up to the optimiser's tolerance (about 1e-8); the work grows with
    the number of patterns, not of rows.  Used for large data only.
    """
    n = X.shape[0]
    if n <= _GROUPED_ROWS:
        return None
    from ._rows import row_groups

    values = X.to_numpy(dtype=float)
    first, counts, inverse = row_groups(values)
    if first.size > n // 20:
        return None
    # the modules themselves: statsmodels.api would also import time series, formulas, ...
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    events = np.bincount(inverse, weights=y, minlength=first.size)
    endog = np.column_stack([events, counts - events])
    exog = pd.DataFrame(values[first], columns=X.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = GLM(endog, exog, family=Binomial()).fit(tol=1e-12, maxiter=100)
        except np.linalg.LinAlgError as exc:
            raise AnalysisError(
                "Logistic regression failed: the predictors are (nearly) collinear, so the "
                "model cannot separate their effects. Remove or combine predictors."
            ) from exc
    table, method = _odds_ratio_table(res, X, alpha, converged=bool(res.converged))
    note = (
        f"Fitted to the events and non-events of the {first.size} covariate patterns of "
        f"the {n} rows (the grouped binomial likelihood: the same estimates and standard "
        "errors as a fit to the rows one by one)."
    )
    return _Fit(table, res, method, (note,))


def _fit_logistic(X: pd.DataFrame, y: np.ndarray, alpha: float) -> _Fit:
    grouped = _fit_logistic_grouped(X, y, alpha)
    if grouped is not None:
        return grouped
    from statsmodels.discrete.discrete_model import Logit

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = Logit(y, X).fit(method="newton", maxiter=100, disp=0)
        except np.linalg.LinAlgError as exc:
            raise AnalysisError(
                "Logistic regression failed: the predictors are (nearly) collinear, so the "
                "model cannot separate their effects. Remove or combine predictors."
            ) from exc
        except Exception as exc:  # statsmodels' PerfectSeparationError and relatives
            if "separation" in type(exc).__name__.lower() or "separation" in str(exc).lower():
                raise AnalysisError(
                    "Ordinary logistic regression has no finite estimates: a predictor "
                    "separates the outcome. Use kind='firth' (or kind='auto')."
                ) from exc
            raise
    converged = bool(res.mle_retvals.get("converged", True))
    table, method = _odds_ratio_table(res, X, alpha, converged=converged)
    return _Fit(table, res, method)


def _odds_ratio_table(
    res: Any, X: pd.DataFrame, alpha: float, *, converged: bool
) -> tuple[pd.DataFrame, str]:
    """Odds ratios with Wald CIs from a fitted logistic model (rows or grouped binomial)."""
    bse = np.asarray(res.bse)
    if not converged or not np.all(np.isfinite(bse)):
        raise AnalysisError(
            "Ordinary logistic regression did not converge (estimates run off towards "
            "infinity, usually because a predictor nearly separates the outcome). Use "
            "kind='firth' (or kind='auto')."
        )
    ci = np.asarray(res.conf_int(alpha=alpha))
    method = "logistic regression (maximum likelihood), Wald CI and z-test"
    table = pd.DataFrame(
        {
            "term": list(X.columns),
            "measure": ["baseline_odds" if c == INTERCEPT else "odds_ratio" for c in X.columns],
            "estimate": np.exp(np.asarray(res.params)),
            "ci_low": np.exp(ci[:, 0]),
            "ci_high": np.exp(ci[:, 1]),
            "p_value": np.asarray(res.pvalues),
            "std_error": bse,
            "method": method,
        }
    )
    return table, method


def _fit_firth(
    X: pd.DataFrame, y: np.ndarray, alpha: float, profile: Sequence[str] | None = None
) -> _Fit:
    try:
        res: FirthResult = firth_logit(X, y, alpha=alpha, profile=profile)
    except (FirthError, np.linalg.LinAlgError) as exc:
        raise AnalysisError(
            f"Firth-penalised logistic regression could not be fitted ({exc}). Usually the "
            "predictors are nearly collinear; remove or combine predictors."
        ) from exc
    method = (
        "Firth penalised logistic regression, profile penalised-likelihood CI, "
        "penalised likelihood-ratio test"
    )
    table = pd.DataFrame(
        {
            "term": list(X.columns),
            "measure": ["baseline_odds" if c == INTERCEPT else "odds_ratio" for c in X.columns],
            "estimate": np.exp(res.params.to_numpy()),
            "ci_low": np.exp(res.conf_int["lower"].to_numpy()),
            "ci_high": np.exp(res.conf_int["upper"].to_numpy()),
            "p_value": res.pvalues.to_numpy(),
            "std_error": res.bse.to_numpy(),
            "method": method,
        }
    )
    return _Fit(table, res, method, res.notes)


def _fit_linear(X: pd.DataFrame, y: np.ndarray, alpha: float) -> _Fit:
    from statsmodels.regression.linear_model import OLS

    if X.shape[0] <= X.shape[1]:
        raise AnalysisError(
            f"A linear model with {X.shape[1]} parameters needs more than {X.shape[1]} rows; "
            f"only {X.shape[0]} were analysed. Use fewer predictors."
        )
    res = OLS(y, X).fit()
    ci = np.asarray(res.conf_int(alpha=alpha))
    method = "linear regression (ordinary least squares), t-based CI and t-test"
    table = pd.DataFrame(
        {
            "term": list(X.columns),
            "measure": ["intercept" if c == INTERCEPT else "coefficient" for c in X.columns],
            "estimate": np.asarray(res.params),
            "ci_low": ci[:, 0],
            "ci_high": ci[:, 1],
            "p_value": np.asarray(res.pvalues),
            "std_error": np.asarray(res.bse),
            "method": method,
        }
    )
    return _Fit(table, res, method)


def _fit_ordinal(X: pd.DataFrame, y: pd.Series, alpha: float) -> _Fit:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    exog = X.drop(columns=[INTERCEPT])
    if exog.shape[1] == 0:
        raise AnalysisError("An ordinal model needs at least one predictor column.")
    n_levels = y.nunique()
    if X.shape[0] <= exog.shape[1] + n_levels - 1:
        raise AnalysisError(
            f"An ordinal model with {exog.shape[1]} predictor columns and {n_levels} outcome "
            f"levels needs more than {exog.shape[1] + n_levels - 1} rows; only {X.shape[0]} "
            "were analysed. Use fewer predictors or combine outcome levels."
        )
    if detect_ordinal_separation(exog.to_numpy(dtype=float), np.asarray(y.cat.codes)):
        raise AnalysisError(
            "The ordinal model has no finite estimates: a predictor (or a combination) puts "
            "the outcome levels in perfect order (separation). Combine outcome levels, "
            "remove the predictor, or analyse a yes/no version of the outcome (which uses "
            "Firth's penalised likelihood)."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = OrderedModel(y, exog, distr="logit")
            # Newton's method converges to the maximum far more precisely than the
            # default BFGS; BFGS first gives it good starting values when needed.
            res = model.fit(method="newton", maxiter=200, disp=False)
            if not bool(res.mle_retvals.get("converged", False)):
                start = model.fit(method="bfgs", maxiter=5000, gtol=1e-8, disp=False).params
                res = model.fit(start_params=start, method="newton", maxiter=200, disp=False)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise AnalysisError(
                f"The ordinal model could not be fitted ({exc}). Remove or combine predictors."
            ) from exc
    k = exog.shape[1]
    params = np.asarray(res.params)[:k]
    bse = np.asarray(res.bse)[:k]
    converged = bool(res.mle_retvals.get("converged", True))
    scale = exog.std(ddof=0).to_numpy()
    if not converged or not np.all(np.isfinite(bse)) or np.any(np.abs(params) * scale > 8):
        raise AnalysisError(
            "The ordinal model has no finite estimates: a predictor (or a combination) puts "
            "the outcome levels in perfect order (separation), or the fit did not converge. "
            "Combine outcome levels, remove the predictor, or analyse a yes/no version of the "
            "outcome (which uses Firth's penalised likelihood)."
        )
    ci = np.asarray(res.conf_int(alpha=alpha))[:k]
    method = "proportional-odds (cumulative logit) model, Wald CI and z-test"
    table = pd.DataFrame(
        {
            "term": list(exog.columns),
            "measure": "cumulative_odds_ratio",
            "estimate": np.exp(params),
            "ci_low": np.exp(ci[:, 0]),
            "ci_high": np.exp(ci[:, 1]),
            "p_value": np.asarray(res.pvalues)[:k],
            "std_error": bse,
            "method": method,
        }
    )
    return _Fit(table, res, method)


def _zero_event_cells(frame: pd.DataFrame, y: np.ndarray, design: _Design) -> list[str]:
    cells = []
    for name, pred in design.predictors.items():
        if pred.kind == "numeric":
            continue
        values = yes_no(frame[name]) if pred.kind == "boolean" else frame[name]
        assert values is not None
        for level in pred.levels:
            mask = (
                (values == float(level)).to_numpy()
                if pred.kind == "boolean"
                else (values == level).to_numpy()
            )
            k, n = int(y[mask].sum()), int(mask.sum())
            if n and k == 0:
                cells.append(f"no events among {name} = {level} (n = {n})")
            elif n and k == n:
                cells.append(f"only events among {name} = {level} (n = {n})")
    return cells


def _fit_kind(
    kind: str, X: pd.DataFrame, y: Any, alpha: float, profile: Sequence[str] | None = None
) -> _Fit:
    if kind == "logistic":
        fit = _fit_logistic(X, np.asarray(y, dtype=float), alpha)
    elif kind == "firth":
        fit = _fit_firth(X, np.asarray(y, dtype=float), alpha, profile)
    elif kind == "ordinal":
        fit = _fit_ordinal(X, y, alpha)
    else:
        fit = _fit_linear(X, np.asarray(y, dtype=float), alpha)
    binary = kind in ("logistic", "firth")
    n, events = _term_counts(X, np.asarray(y, dtype=float) if binary else None, fit.table["term"])
    table = fit.table.assign(n=n, events=events if binary else np.nan)
    return _Fit(table[_TABLE_COLUMNS], fit.model, fit.method, fit.notes)


def _term_counts(
    X: pd.DataFrame, y: np.ndarray | None, terms: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """People (and events) behind each term, as in the Cox table.

    A 0/1 column (a category, a yes/no predictor, or a product of them) counts the
    rows where it is 1; the intercept and numeric terms count every row.
    """
    total_n = X.shape[0]
    total_events = int(y.sum()) if y is not None else 0
    n, events = [], []
    for term in terms:
        x = X[term].to_numpy(dtype=float) if term in X.columns else None
        if term != INTERCEPT and x is not None and np.all((x == 0) | (x == 1)):
            on = x == 1
            n.append(int(on.sum()))
            events.append(int(y[on].sum()) if y is not None else 0)
        else:
            n.append(total_n)
            events.append(total_events)
    return np.asarray(n, dtype=np.int64), np.asarray(events, dtype=np.int64)


def _within_effects(
    frame: pd.DataFrame,
    y: Any,
    kind: str,
    predictors: Sequence[str],
    references: Mapping[str, Any],
    design: _Design,
    alpha: float,
) -> pd.DataFrame:
    """Effect of the second interaction variable within each level of the first.

    Refits the same model with each level of the first variable as the reference,
    so that the main effect of the second is its effect within that level (with
    the interval and test of the chosen method).
    """
    assert design.interaction is not None
    a, b = design.interaction
    pred_a = design.predictors[a]
    rows = []
    for level in pred_a.levels:
        refs = dict(references)
        refs[a] = level
        d = _build_design(frame, predictors, refs, design.interaction, intercept=True)
        cols = list(d.predictors[b].columns)
        fit = _fit_kind(kind, d.X, y, alpha, profile=cols)
        part = fit.table[fit.table["term"].isin(cols)].copy()
        part.insert(0, "level", level)
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    return out[["level", *_TABLE_COLUMNS]]


def outcome_model(
    data: Any,
    outcome: str,
    predictors: str | Sequence[str],
    *,
    kind: ModelKind = "auto",
    interaction: tuple[str, str] | None = None,
    reference: str | Mapping[str, Any] | None = None,
    alpha: float = 0.05,
) -> ModelResult:
    """Fit the regression model that suits the outcome, and say which and why.

    Parameters
    ----------
    data : Cohort or DataFrame
        The records.  The input is never modified.
    outcome : str
        Outcome column: yes/no (logistic or Firth), ordinal (a level, a Likert
        score, an ordered categorical) or continuous (linear).
    predictors : str or sequence of str
        Predictor columns: categorical (dummy coded against a reference level),
        yes/no (effect of yes against no) or numeric (per unit).
    kind : {"auto", "logistic", "firth", "ordinal", "linear"}, default="auto"
        ``auto`` chooses from the outcome; for yes/no outcomes it uses Firth's
        penalised likelihood when a predictor separates the outcome, when a
        category of a predictor has no events or only events, or when there are
        fewer than 10 events (in the smaller outcome class) per parameter.
    interaction : (str, str), optional
        ``(a, b)`` adds the product terms ``a x b`` and reports the effect of ``b``
        within each level of ``a`` in ``.within``.
    reference : str or mapping, optional
        Reference level of categorical predictors: a mapping such as
        ``{"gender": "woman"}``, or one level name when exactly one categorical
        predictor has it.  Default, never depending on group sizes (as every
        function): ``"man"`` for gender, ``False`` for yes/no predictors (odds
        ratios of yes against no, as in :func:`~mentoranalytics.cox_model`), else
        the first level in order; stated in ``.references`` and the notes.
    alpha : float, default=0.05
        Confidence intervals have level ``1 - alpha``.

    Returns
    -------
    ModelResult
        ``.table`` with columns ``term, measure, n, events, estimate, ci_low,
        ci_high, p_value, std_error, method`` (``estimate`` is an odds ratio, a
        cumulative odds ratio or a coefficient; ``events`` for yes/no outcomes
        only), plus ``.kind``, ``.reason``, ``.n``, ``.events``, ``.references``,
        ``.within`` and ``.model``; fit statistics in :func:`model_table`.

    Raises
    ------
    AnalysisError
        When the model cannot be fitted, with the reason in words (one outcome
        class only, a predictor with one value, more parameters than rows,
        predictors that duplicate each other, no finite estimates).

    Warns
    -----
    SeparationWarning
        When Firth's method was chosen because a predictor separates the outcome.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "gender": ["woman"] * 5 + ["man"] * 7,
    ...     "promoted": [True, False, False, False, False,
    ...                  True, True, True, False, True, False, True],
    ... })
    >>> res = outcome_model(df, "promoted", "gender")
    >>> res.kind
    'firth'
    >>> res.table["term"].tolist()
    ['intercept', 'gender[woman]']
    >>> res.references["gender"]
    'man'
    """
    frame = as_frame(data)
    check_column_name(outcome, "outcome")
    predictors = list(dict.fromkeys(check_column_names(predictors, "predictors")))
    if kind not in _KINDS:
        raise AnalysisError(f"kind must be one of {list(_KINDS)}, not {kind!r}.")
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha!r}.")
    notes: list[str] = []
    if interaction is not None:
        if (
            isinstance(interaction, str)
            or len(interaction) != 2
            or interaction[0] == interaction[1]
        ):
            raise AnalysisError(
                "interaction must be a pair of two different predictor names, "
                f"e.g. ('gender', 'bold_choice'), not {interaction!r}."
            )
        interaction = (str(interaction[0]), str(interaction[1]))
        for name in interaction:
            if name not in predictors:
                predictors.append(name)
                notes.append(f"'{name}' was added to the predictors for the interaction.")
    if not predictors:
        raise AnalysisError("predictors must name at least one column, e.g. predictors=['gender'].")
    if outcome in predictors:
        raise AnalysisError(f"'{outcome}' is the outcome; it cannot also be a predictor.")
    frame, derived_notes = with_columns(frame, [outcome, *predictors], purpose="outcome_model")
    notes.extend(derived_notes)

    used = frame[[outcome, *predictors]]
    missing = missing_cells(used)
    complete = ~missing.any(axis=1)
    n_excluded = int((~complete).sum())
    if n_excluded:
        by_col = {c: int(missing[c].sum()) for c in used.columns if missing[c].any()}
        detail = ", ".join(f"{c}: {k}" for c, k in by_col.items())
        notes.append(
            f"{n_excluded} of {len(frame)} rows were left out because of missing values "
            f"(missing per column: {detail})."
        )
    sub = used.loc[complete]
    n = len(sub)
    if n == 0:
        raise AnalysisError(
            f"No row has values for '{outcome}' and all of {predictors}; nothing to model."
        )

    ys_raw = sub[outcome]
    is_yes_no = yes_no(ys_raw) is not None
    is_ordered = isinstance(ys_raw.dtype, pd.CategoricalDtype) and bool(ys_raw.cat.ordered)
    if kind == "linear" and not (_is_numeric(ys_raw) or is_yes_no):
        raise AnalysisError(f"kind='linear' needs a numeric outcome; '{outcome}' is not numeric.")
    if kind == "ordinal" and not (_is_numeric(ys_raw) or is_yes_no or is_ordered):
        raise AnalysisError(
            f"kind='ordinal' needs an ordered outcome (numbers or an ordered categorical); "
            f"'{outcome}' is not."
        )
    outcome_type, why = _outcome_kind(ys_raw, outcome)
    if kind in ("logistic", "firth") and outcome_type != "binary":
        raise AnalysisError(f"kind='{kind}' needs a yes/no outcome, but {why}.")
    if kind == "linear":
        outcome_type = "continuous"
    if kind == "ordinal":
        outcome_type = "ordinal"

    # outcome values
    y: Any
    events: int | None = None
    if outcome_type == "binary":
        yb = yes_no(sub[outcome])
        assert yb is not None
        y = yb.to_numpy()
        events = int(y.sum())
        if events in (0, n):
            value = "yes" if events == n else "no"
            raise AnalysisError(
                f"All {n} analysed rows have {outcome} = {value}; a model needs both outcomes. "
                "Report the rate instead."
            )
    elif outcome_type == "ordinal":
        ys = sub[outcome]
        if not isinstance(ys.dtype, pd.CategoricalDtype):
            num = pd.to_numeric(ys, errors="coerce")
            if yes_no(ys) is not None:
                num = yes_no(ys)
            levels = sorted(pd.unique(num.dropna()))
            ys = pd.Series(pd.Categorical(num, categories=levels, ordered=True), index=ys.index)
        else:
            ys = ys.cat.remove_unused_categories()
        if len(ys.cat.categories) < 2:
            raise AnalysisError(
                f"All {n} analysed rows have the same {outcome}; a model needs at least two "
                "outcome levels."
            )
        y = ys
    else:
        y = pd.to_numeric(sub[outcome]).to_numpy(dtype=float)
        if np.ptp(y) == 0:
            raise AnalysisError(
                f"All {n} analysed rows have the same {outcome}; there is no variation to model."
            )

    references = _resolve_references(reference, sub, predictors)
    design = _build_design(sub, predictors, references, interaction, intercept=True)
    X = design.X
    p = X.shape[1]
    if p > n:
        raise AnalysisError(
            f"The model has {p} parameters but only {n} analysed rows; use fewer predictors "
            "or combine categories."
        )
    _check_interaction(design)
    _check_rank(X)

    refs_used = {
        name: pred.reference for name, pred in design.predictors.items() if pred.kind != "numeric"
    }
    for name, pred in design.predictors.items():
        if pred.kind == "categorical" and name not in references:
            notes.append(
                f"Reference level of '{name}': '{pred.reference}' "
                f"({reference_reason(pred.reference, pred.levels, name)})."
            )

    warn_list: list[str] = []
    separation: str | None = None
    if outcome_type == "binary":
        separation = detect_separation(X.to_numpy(), y)
        zero_cells = _zero_event_cells(sub, y, design)
        n_params = p - 1
        smaller = min(events or 0, n - (events or 0))
        epv = smaller / n_params if n_params else float("inf")
        if separation is not None:
            direction = separating_columns(X.to_numpy(), y)
            involved = (
                [
                    str(c)
                    for c, v in zip(X.columns, direction, strict=True)
                    if v != 0 and c != INTERCEPT
                ]
                if direction is not None
                else []
            )
            detail = (
                "; ".join(zero_cells)
                if zero_cells
                else ("the predictors " + ", ".join(involved) if involved else "the predictors")
            )
            sep_text = (
                f"{separation} separation ({detail}): ordinary maximum-likelihood odds ratios "
                "would be infinite"
            )
        if kind == "logistic" and separation is not None:
            raise AnalysisError(
                f"Ordinary logistic regression cannot be fitted: {sep_text}. Use kind='firth' "
                "(or kind='auto')."
            )
        if kind == "auto":
            if separation is not None:
                chosen = "firth"
                reason = (
                    f"{why}; {sep_text}, so Firth's penalised likelihood gives finite estimates"
                )
            elif zero_cells:
                chosen = "firth"
                reason = f"{why}; {'; '.join(zero_cells)}, so Firth's penalised likelihood is used"
            elif epv < MIN_EVENTS_PER_PARAMETER:
                chosen = "firth"
                reason = (
                    f"{why}; only {smaller} outcomes in the smaller class for {n_params} "
                    f"parameter(s) ({epv:.1f} per parameter, fewer than "
                    f"{MIN_EVENTS_PER_PARAMETER}), so Firth's penalised likelihood is used to "
                    "reduce small-sample bias"
                )
            else:
                chosen = "logistic"
                reason = (
                    f"{why} with {smaller} outcomes in the smaller class for {n_params} "
                    f"parameter(s) ({epv:.1f} per parameter) and no separation: ordinary "
                    "logistic regression"
                )
        else:
            chosen = kind
            reason = f"{why}; kind='{kind}' was requested"
            if separation is not None:
                reason += f" ({sep_text})"
        if chosen == "firth" and separation is not None:
            message = (
                f"'{outcome}' is separated by the predictors ({separation} separation); "
                "Firth's penalised logistic regression was used."
            )
            warnings.warn(message, SeparationWarning, stacklevel=2)
            warn_list.append(message)
    elif outcome_type == "ordinal":
        chosen = "ordinal"
        reason = (
            f"{why}: proportional-odds (cumulative logit) model"
            if kind == "auto"
            else f"{why}; kind='ordinal' was requested"
        )
    else:
        chosen = "linear"
        reason = (
            f"{why}: linear regression" if kind == "auto" else f"{why}; kind='linear' was requested"
        )

    fit = _fit_kind(chosen, X, y, alpha)
    notes.extend(fit.notes)
    if chosen == "ordinal":
        notes.append(
            "A cumulative odds ratio above 1 means higher outcome levels are more likely "
            "(proportional-odds assumption: the same ratio at every cut-point)."
        )

    within = None
    if interaction is not None:
        a, b = interaction
        if design.predictors[a].kind == "numeric":
            notes.append(
                f"'{a}' is numeric, so no within-level effects are reported; the interaction "
                f"term is the change in the effect of '{b}' per unit of '{a}'."
            )
        else:
            within = _within_effects(sub, y, chosen, predictors, references, design, alpha)

    columns = _TABLE_COLUMNS if outcome_type == "binary" else _NO_EVENTS
    if within is not None:
        within = within[["level", *columns]]
    return ModelResult(
        method=fit.method,
        table=fit.table[columns].reset_index(drop=True),
        within=within,
        outcome=outcome,
        predictors=tuple(predictors),
        kind=chosen,
        reason=reason,
        n=n,
        events=events,
        model=fit.model,
        alpha=alpha,
        references=refs_used,
        separation=separation,
        n_excluded=n_excluded,
        notes=tuple(notes),
        warnings=tuple(warn_list),
    )
