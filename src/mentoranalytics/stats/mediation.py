"""Causal mediation analysis by quasi-Bayesian Monte Carlo, vectorised.

The method is algorithm 1 of Imai, Keele & Tingley (2010), with the same
definitions as :class:`statsmodels.stats.mediation.Mediation` (``fit(method=
"parametric")``):

1. fit the mediator model (OLS for a continuous mediator, logistic for a yes/no
   mediator) and the outcome model (OLS or logistic) once;
2. draw ``n_sims`` parameter vectors of each model from the normal approximation
   to its sampling distribution (mean = estimates, covariance = their covariance);
3. for every draw and every row, simulate the mediator under control and under
   treatment (normal with the model's residual variance, or Bernoulli with the
   predicted probability), predict the outcome under each combination of exposure
   and simulated mediator, and average over rows.

statsmodels loops over the draws in Python and rebuilds the design matrices each
time; here every step is a matrix product over (rows x draws), so 1,000 draws
take milliseconds.  For draw ``s``:

* ``ACME(t) = mean_i [Y_i(t, M_i(1)) - Y_i(t, M_i(0))]`` (indirect effect),
* ``ADE(t) = mean_i [Y_i(1, M_i(t)) - Y_i(0, M_i(t))]`` (direct effect),
* ``total = (ACME(0) + ACME(1) + ADE(0) + ADE(1)) / 2``,
* ``prop_mediated(t) = ACME(t) / total``.

Estimates are means over draws (medians for the proportions mediated), the
interval is the percentile interval of the draws, and the p-value is
``2 min(#draws > 0, #draws < 0) / n_sims``, all as in statsmodels.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._conventions import (
    check_column_name,
    check_column_names,
    deprecated_argument,
    group_order,
    missing_cells,
    plain,
    resolve_pair,
    yes_no,
)
from .._derived import with_columns
from .._frame import as_frame, resolve_rng
from ..exceptions import AnalysisError
from ._result import Result

# This module imports nothing heavy at the top: ``mediation`` is both the name of
# this module and of its function, and ``stats/__init__`` binds the function
# eagerly so that importing the module can never shadow it.

__all__ = ["MediationResult", "mediation"]

#: Rows of the main table (averages over control and treated).
MAIN_EFFECTS = ("acme", "ade", "total_effect", "prop_mediated")
#: Rows of the detailed table, in statsmodels' order.
DETAIL_EFFECTS = (
    "acme_control",
    "acme_treated",
    "ade_control",
    "ade_treated",
    "total_effect",
    "prop_mediated_control",
    "prop_mediated_treated",
    "acme_average",
    "ade_average",
    "prop_mediated_average",
)
_MAIN_SOURCE = {
    "acme": "acme_average",
    "ade": "ade_average",
    "total_effect": "total_effect",
    "prop_mediated": "prop_mediated_average",
}
#: Rows x draws per block.  Draws are processed in blocks small enough for the dozen
#: (rows x draws) arrays of a block to stay in the CPU cache: about twice as fast as
#: one big block, and memory stays bounded for large data.
_BLOCK_CELLS = 20_000


@dataclass(frozen=True, kw_only=True, eq=False)
class MediationResult(Result):
    """Result of :func:`mediation`.

    Attributes
    ----------
    table : DataFrame
        Index ``effect`` = acme, ade, total_effect, prop_mediated (ACME and ADE
        averaged over the control and treated conditions); columns ``estimate,
        ci_low, ci_high, p_value``.
    detail : DataFrame
        The same for acme_control, acme_treated, ade_control, ade_treated,
        total_effect, prop_mediated_control, prop_mediated_treated, acme_average,
        ade_average, prop_mediated_average.
    draws : DataFrame
        One row per simulation, one column per effect in ``detail``.
    treated, control : object
        The exposure values compared (treated minus control).
    group, reference : object
        The same under the package's names (``group`` = treated, ``reference`` =
        control), as on every comparison.
    mediator_kind, outcome_kind : str
        ``'linear'`` or ``'logistic'``.
    mediator_model, outcome_model : statsmodels results
        The two fitted models.
    n, n_sims : int
        Rows analysed and simulations drawn.
    rng : object
        The seed (or ``'Generator'``) used.
    """

    table: pd.DataFrame
    detail: pd.DataFrame
    draws: pd.DataFrame
    exposure: str
    mediator: str
    outcome: str
    covariates: tuple[str, ...]
    treated: Any
    control: Any
    mediator_kind: str
    outcome_kind: str
    mediator_model: Any
    outcome_model: Any
    n: int
    n_sims: int
    rng: Any
    alpha: float = 0.05

    @property
    def reference(self) -> Any:
        """The reference (control) value of the exposure."""
        return self.control

    @property
    def group(self) -> Any:
        """The exposure value compared with the reference (treated)."""
        return self.treated

    @property
    def title(self) -> str:
        return f"Mediation of {self.exposure} -> {self.outcome} through {self.mediator}"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"effects": self.table, "effects by condition": self.detail}


def _exposure_values(
    series: pd.Series, name: str, reference: Any
) -> tuple[np.ndarray, Any, Any, str]:
    """Exposure as 1.0 (treated) / 0.0 (control), the two values and a description.

    The control is the reference of the package's convention (``False`` for yes/no,
    ``"man"`` for gender, else the first group in order) unless ``reference`` names it.
    """
    from .models import _is_numeric

    as_bool = yes_no(series)
    if as_bool is not None:
        levels: list[Any] = [False, True]
    else:
        if _is_numeric(series) and series.nunique() > 2:
            raise AnalysisError(
                f"Exposure '{name}' is numeric with {series.nunique()} values; mediation "
                "compares two conditions. Use a yes/no or two-group exposure (e.g. "
                "data[col] > cut-off)."
            )
        levels = group_order(series, name)
        if len(levels) != 2:
            raise AnalysisError(
                f"Exposure '{name}' has {len(levels)} groups among the analysed rows "
                f"({[str(v) for v in levels]}); mediation compares exactly two. Keep two "
                f"groups, e.g. data[data['{name}'].isin([...])]."
            )
    try:
        treated, control, _ = resolve_pair(levels, name, reference)
    except AnalysisError:
        raise AnalysisError(
            f"reference={plain(reference)!r} is not a value of the exposure '{name}'. "
            f"Values: {[str(v) for v in levels]}"
            + (" (it is yes/no: pass True or False)." if as_bool is not None else ".")
        ) from None
    how = f"treated: {name} = {treated}, control (reference): {name} = {control}"
    if as_bool is not None:
        values = as_bool.to_numpy()
        return (values if treated else 1.0 - values), treated, control, how
    return (series == treated).to_numpy(dtype=float), treated, control, how


def _response(series: pd.Series, name: str, role: str) -> tuple[np.ndarray, str]:
    from .models import _is_numeric

    as_bool = yes_no(series)
    if as_bool is not None:
        values = as_bool.to_numpy()
        if values.min() == values.max():
            raise AnalysisError(
                f"The {role} '{name}' has the same value for all {len(values)} analysed rows; "
                "its model cannot be fitted."
            )
        return values, "logistic"
    if _is_numeric(series):
        values = pd.to_numeric(series).to_numpy(dtype=float)
        if np.ptp(values) == 0:
            raise AnalysisError(
                f"The {role} '{name}' has the same value for all {len(values)} analysed rows; "
                "its model cannot be fitted."
            )
        return values, "linear"
    raise AnalysisError(
        f"The {role} '{name}' must be yes/no or numeric; it has text categories. Code it as "
        "yes/no (e.g. data[col] == 'value') or as numbers."
    )


def _fit(
    kind: str, y: np.ndarray, Xa: np.ndarray, names: list[str], role: str, name: str
) -> tuple[Any, float]:
    """Fit the model once; arrays go in (fast), the names are attached for summary()."""
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS

    def named(model: Any) -> Any:
        model.data.xnames = names
        model.data.ynames = name
        return model

    from .firth import detect_separation

    if kind == "logistic":

        def separation_error(separation: str) -> AnalysisError:
            return AnalysisError(
                f"The {role} model for '{name}' cannot be fitted: the predictors separate "
                f"'{name}' ({separation} separation), so logistic estimates are infinite. "
                "Mediation needs overlapping outcomes; combine categories, drop the covariate "
                "that separates, or report the rates instead."
            )

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = named(Logit(y, Xa)).fit(method="newton", maxiter=100, disp=0)
            except (np.linalg.LinAlgError, ValueError) as exc:
                separation = detect_separation(Xa, y)
                if separation is not None:
                    raise separation_error(separation) from exc
                raise AnalysisError(
                    f"The {role} model for '{name}' could not be fitted ({exc})."
                ) from exc
            # statsmodels computes these lazily; keep its numerical warnings inside
            converged = bool(res.mle_retvals.get("converged", True)) and bool(
                np.all(np.isfinite(res.bse))
            )
            mu = np.asarray(res.predict())
        # Under separation the fitted probabilities of the separated rows run to 0 or 1
        # and the coefficients grow without bound; only then is the (slower) exact
        # linear-programming check needed.
        suspicious = (
            not converged
            or float(np.min(np.minimum(mu, 1.0 - mu))) < 1e-5
            or float(np.max(np.abs(np.asarray(res.params)))) > 10
        )
        if suspicious:
            separation = detect_separation(Xa, y)
            if separation is not None:
                raise separation_error(separation)
        if not converged:
            raise AnalysisError(
                f"The logistic {role} model for '{name}' did not converge (estimates run off "
                "towards infinity, usually near-separation). Simplify the model."
            )
        return res, 1.0
    res = named(OLS(y, Xa)).fit()
    return res, float(res.scale)


def _linear_predictor(X: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``X @ B.T`` for a thin design, as a sum of column outer products.

    The designs here have a handful of columns; a multithreaded BLAS call on such
    thin matrices spends far longer waking its threads than computing.
    """
    out = np.zeros((X.shape[0], B.shape[0]))
    for k in range(X.shape[1]):
        column = X[:, k]
        if np.any(column):
            out += column[:, None] * B[:, k]
    return out


_EXP_CLIP = 350.0  # exp(350) squared still fits in a float64


def _odds(x: np.ndarray) -> np.ndarray:
    """``exp(x)``, clipped so that products of two odds cannot overflow."""
    return np.exp(np.clip(x, -_EXP_CLIP, _EXP_CLIP))


def _prob(odds: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """``expit(log(odds) + shift)`` for a per-draw ``shift``, without another exp.

    The probabilities under the four (exposure, mediator) settings differ only by a
    coefficient per draw, so one exponential of the linear predictor serves all four.
    """
    t = odds if shift is None else odds * _odds(shift)
    return t / (1.0 + t)


def _simulate(
    Xm: np.ndarray,
    Xo: np.ndarray,
    exp_m: int,
    exp_o: int,
    med_o: int,
    mediator_kind: str,
    outcome_kind: str,
    med_draws: np.ndarray,
    out_draws: np.ndarray,
    scale: float,
    gen: np.random.Generator,
) -> np.ndarray:
    """Per-draw ACME(0), ACME(1), ADE(0), ADE(1): an array of shape (4, n_sims).

    Every quantity is computed for all rows and all draws of a block at once.  The
    mediator is simulated per row and draw under control and under treatment (two
    independent draws, as statsmodels does).  The outcome predictions
    ``Y(te, M(tm))`` are then averaged over rows; the algebra below only avoids
    forming matrices that are known in advance:

    * linear outcome: ``Y(t, M(1)) - Y(t, M(0)) = b_med (M(1) - M(0))`` and
      ``Y(1, M) - Y(0, M) = b_exp``;
    * logistic outcome with a yes/no mediator: ``Y(te, M)`` takes one of two
      values per row and draw, ``expit(eta + te b_exp + M b_med)`` with M = 0 or 1.
    """
    n = Xm.shape[0]
    n_sims = med_draws.shape[0]
    Xm0 = Xm.copy()
    Xm0[:, exp_m] = 0.0
    Xo0 = Xo.copy()
    Xo0[:, [exp_o, med_o]] = 0.0
    out = np.empty((4, n_sims))
    block = max(1, min(n_sims, _BLOCK_CELLS // max(n, 1)))
    sd = np.sqrt(scale)
    for start in range(0, n_sims, block):
        stop = min(n_sims, start + block)
        bm = med_draws[start:stop]  # (B, pm)
        bo = out_draws[start:stop]  # (B, po)
        b_exp, b_med = bo[:, exp_o], bo[:, med_o]
        lin0 = _linear_predictor(Xm0, bm)  # (n, B): mediator linear predictor, control
        lin1 = lin0 + bm[:, exp_m]  # under treatment
        if mediator_kind == "linear":
            m0 = lin0 + sd * gen.standard_normal(lin0.shape)
            m1 = lin1 + sd * gen.standard_normal(lin1.shape)
        else:
            # Bernoulli(p) with p = t / (1 + t): U < p  <=>  U (1 + t) < t
            t0 = _odds(lin0)
            t1 = t0 * _odds(bm[:, exp_m])
            m0 = (gen.random(lin0.shape) * (1.0 + t0) < t0).astype(float)
            m1 = (gen.random(lin1.shape) * (1.0 + t1) < t1).astype(float)
        block_out = out[:, start:stop]
        if outcome_kind == "linear":
            acme = b_med * (m1.mean(axis=0) - m0.mean(axis=0))
            block_out[0] = acme
            block_out[1] = acme
            block_out[2] = b_exp
            block_out[3] = b_exp
            continue
        eta = _linear_predictor(Xo0, bo)  # (n, B): outcome predictor without exposure, mediator
        if mediator_kind == "logistic":
            odds = _odds(eta)
            p00 = _prob(odds)  # p[te][m]: outcome probability at exposure te, mediator m
            p10 = _prob(odds, b_exp)
            p01 = _prob(odds, b_med)
            p11 = _prob(odds, b_exp + b_med)
            dm = m1 - m0
            block_out[0] = (dm * (p01 - p00)).mean(axis=0)
            block_out[1] = (dm * (p11 - p10)).mean(axis=0)
            e0 = p10 - p00  # exposure effect when M = 0
            de = (p11 - p01) - e0  # extra exposure effect when M = 1
            e0_mean = e0.mean(axis=0)
            block_out[2] = e0_mean + (m0 * de).mean(axis=0)
            block_out[3] = e0_mean + (m1 * de).mean(axis=0)
        else:
            odds0 = _odds(eta + m0 * b_med)
            odds1 = _odds(eta + m1 * b_med)
            y00 = _prob(odds0)  # y[tm][te]
            y01 = _prob(odds0, b_exp)
            y10 = _prob(odds1)
            y11 = _prob(odds1, b_exp)
            block_out[0] = (y10 - y00).mean(axis=0)
            block_out[1] = (y11 - y01).mean(axis=0)
            block_out[2] = (y01 - y00).mean(axis=0)
            block_out[3] = (y11 - y10).mean(axis=0)
    return out


#: Above this many rows, when the rows fall into few covariate patterns (at most one
#: per 20 rows) and the outcome is linear in the simulated mediator, the mediators
#: are simulated as totals per pattern (see :func:`_simulate_patterns`).
_PATTERN_ROWS = 20_000


def _pattern_sums_apply(mediator_kind: str, outcome_kind: str) -> bool:
    """Whether the effects depend on the simulated mediators only through their sums.

    True for a yes/no mediator (each row's outcome prediction takes one of two values,
    so the effects are linear in the 0/1 mediators) and for a linear outcome; a
    continuous mediator in a logistic outcome enters non-linearly.
    """
    return mediator_kind == "logistic" or outcome_kind == "linear"


def _simulate_patterns(
    first: np.ndarray,
    counts: np.ndarray,
    Xm: np.ndarray,
    Xo: np.ndarray,
    exp_m: int,
    exp_o: int,
    med_o: int,
    mediator_kind: str,
    outcome_kind: str,
    med_draws: np.ndarray,
    out_draws: np.ndarray,
    scale: float,
    gen: np.random.Generator,
) -> np.ndarray:
    """:func:`_simulate` for rows that share covariate patterns: same distribution.

    Rows with the same exposure and covariates have the same predictions, and (see
    :func:`_pattern_sums_apply`) the effects depend on the simulated mediators only
    through their total per pattern.  So the totals are drawn directly: a binomial
    (yes/no mediator) or a normal with the summed mean and ``count x`` the variance
    (linear mediator), independently under control and under treatment.  This is
    the distribution of the per-row simulation, with work per pattern instead of per
    row.  ``first`` is a row of each pattern and ``counts`` its number of rows (as from
    :func:`~mentoranalytics.stats._rows.distinct_rows`).  Returns the
    (4, n_sims) effects.
    """
    n = Xm.shape[0]
    Xm0 = Xm[first].copy()
    Xm0[:, exp_m] = 0.0
    Xo0 = Xo[first].copy()
    Xo0[:, [exp_o, med_o]] = 0.0
    c = counts.astype(float)[:, None]  # (P, 1)
    bm, bo = med_draws, out_draws
    b_exp, b_med = bo[:, exp_o], bo[:, med_o]
    lin0 = _linear_predictor(Xm0, bm)  # (P, S)
    lin1 = lin0 + bm[:, exp_m]
    shape = lin0.shape
    if mediator_kind == "linear":
        sd = np.sqrt(scale)
        s0 = c * lin0 + sd * np.sqrt(c) * gen.standard_normal(shape)
        s1 = c * lin1 + sd * np.sqrt(c) * gen.standard_normal(shape)
    else:
        t0 = _odds(lin0)
        t1 = t0 * _odds(bm[:, exp_m])
        whole = np.broadcast_to(counts[:, None], shape)
        s0 = gen.binomial(whole, t0 / (1.0 + t0)).astype(float)
        s1 = gen.binomial(whole, t1 / (1.0 + t1)).astype(float)
    out = np.empty((4, shape[1]))
    if outcome_kind == "linear":
        acme = b_med * (s1.sum(axis=0) - s0.sum(axis=0)) / n
        out[0], out[1], out[2], out[3] = acme, acme, b_exp, b_exp
        return out
    eta = _linear_predictor(Xo0, bo)
    odds = _odds(eta)
    p00 = _prob(odds)
    p10 = _prob(odds, b_exp)
    p01 = _prob(odds, b_med)
    p11 = _prob(odds, b_exp + b_med)
    ds = s1 - s0
    out[0] = (ds * (p01 - p00)).sum(axis=0) / n
    out[1] = (ds * (p11 - p10)).sum(axis=0) / n
    e0 = p10 - p00
    de = (p11 - p01) - e0
    e0_mean = (c * e0).sum(axis=0) / n
    out[2] = e0_mean + (s0 * de).sum(axis=0) / n
    out[3] = e0_mean + (s1 * de).sum(axis=0) / n
    return out


def mediation(
    data: Any,
    exposure: str,
    mediator: str,
    outcome: str,
    *,
    covariates: Sequence[str] = (),
    n_sims: int = 1000,
    rng: Any = None,
    alpha: float = 0.05,
    reference: Any = None,
    treated: Any = None,
) -> MediationResult:
    """Split the effect of an exposure into the part through a mediator and the rest.

    Parameters
    ----------
    data : Cohort or DataFrame
        The records.  The input is never modified.
    exposure : str
        Yes/no (or 0/1) column, or a column with exactly two groups.
    mediator : str
        Yes/no mediator (logistic model) or numeric mediator (linear model).
    outcome : str
        Yes/no outcome (logistic model; effects are differences in probability)
        or numeric outcome (linear model; effects in the outcome's units).
    covariates : sequence of str, default=()
        Adjustment variables entered in both models (categorical, yes/no or numeric).
    n_sims : int, default=1000
        Number of simulated parameter draws.
    rng : None, int or numpy.random.Generator, default=None
        Randomness; None uses a fixed seed, so results are reproducible.
    alpha : float, default=0.05
        Intervals have level ``1 - alpha``.
    reference : object, optional
        The exposure value taken as the control; the other value is "treated" and
        effects are treated minus control.  Default, never depending on group sizes
        (as every function): ``False`` for a yes/no exposure, ``"man"`` for gender,
        else the first group in order.  Stated as ``.reference`` (``.control``).
    treated : object, optional
        Deprecated: the exposure value taken as treated; pass ``reference=`` (the
        other value) instead.

    Returns
    -------
    MediationResult
        ``.table`` (index ``effect``: acme, ade, total_effect, prop_mediated;
        columns ``estimate, ci_low, ci_high, p_value``), ``.detail`` (control and
        treated versions), ``.draws``, ``.n_sims``, ``.rng`` and both models.

    Raises
    ------
    AnalysisError
        When a model cannot be fitted (separation, constant variables, too few rows)
        or an argument is invalid.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> g = np.random.default_rng(1)
    >>> x = g.random(200) < 0.5
    >>> m = 0.8 * x + g.normal(size=200)
    >>> y = 0.5 * m + 0.3 * x + g.normal(size=200)
    >>> df = pd.DataFrame({"x": x, "m": m, "y": y})
    >>> res = mediation(df, "x", "m", "y", n_sims=200, rng=3)
    >>> list(res.table.index)
    ['acme', 'ade', 'total_effect', 'prop_mediated']
    >>> bool(res.table.loc["acme", "ci_low"] > 0)
    True
    """
    from .models import (
        INTERCEPT,
        _build_design,
        _check_rank_values,
        _is_numeric,
    )

    frame = as_frame(data)
    for value, param in ((exposure, "exposure"), (mediator, "mediator"), (outcome, "outcome")):
        check_column_name(value, param)
    covariates = list(dict.fromkeys(check_column_names(covariates, "covariates")))
    names = [exposure, mediator, outcome]
    if len(set(names)) != 3:
        raise AnalysisError(
            f"exposure, mediator and outcome must be three different columns, got {names}."
        )
    clash = [c for c in covariates if c in names]
    if clash:
        raise AnalysisError(f"covariates {clash} repeat the exposure, mediator or outcome.")
    if isinstance(n_sims, bool) or not isinstance(n_sims, (int, np.integer)) or n_sims < 2:
        raise AnalysisError(
            f"n_sims must be a whole number of at least 2 (e.g. 1000), not {n_sims!r}."
        )
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha!r}.")
    gen, seed = resolve_rng(rng)
    frame, derived_notes = with_columns(frame, [*names, *covariates], purpose="mediation")

    used = frame[[*names, *covariates]]
    missing = missing_cells(used)
    complete = ~missing.any(axis=1)
    n_excluded = int((~complete).sum())
    notes: list[str] = list(derived_notes)
    if n_excluded:
        notes.append(
            f"{n_excluded} of {len(frame)} rows were left out because of missing values in "
            f"{[c for c in used.columns if missing[c].any()]}."
        )
    sub = used if n_excluded == 0 else used.loc[complete]
    n = len(sub)
    if n < 3:
        raise AnalysisError(
            f"Only {n} rows have values for {[*names, *covariates]}; mediation needs more."
        )

    if treated is not None:
        treated = deprecated_argument("mediation", "treated", "reference", treated, None)
        if reference is not None:
            raise AnalysisError("mediation: pass reference= only (treated= is its old name).")
        levels = (
            [False, True]
            if yes_no(sub[exposure]) is not None
            else group_order(sub[exposure], exposure)
        )
        try:
            _, reference, _ = resolve_pair(levels, exposure, group=treated)
        except AnalysisError:
            raise AnalysisError(
                f"treated={plain(treated)!r} is not a value of '{exposure}'. Values: "
                f"{[str(v) for v in levels]}."
            ) from None
    x, treated_value, control_value, how = _exposure_values(sub[exposure], exposure, reference)
    if x.min() == x.max():
        raise AnalysisError(f"Everyone analysed is in the same exposure group of '{exposure}'.")
    notes.append(f"Exposure coding: {how}.")
    m, mediator_kind = _response(sub[mediator], mediator, "mediator")
    y, outcome_kind = _response(sub[outcome], outcome, "outcome")

    numeric = [c for c in covariates if _is_numeric(sub[c]) and yes_no(sub[c]) is None]
    if covariates and len(numeric) == len(covariates):  # fast path: numbers as they are
        cov_values = sub[covariates].to_numpy(dtype=float)
        constant = [
            c for c, v in zip(covariates, np.ptp(cov_values, axis=0), strict=True) if v == 0
        ]
        if constant:
            raise AnalysisError(
                f"Covariate '{constant[0]}' is constant among the {n} analysed rows; drop it "
                "from covariates."
            )
        cov_names = list(covariates)
    elif covariates:
        cov_design = _build_design(sub, covariates, {}, None, intercept=False).X
        cov_values = cov_design.to_numpy(dtype=float)
        cov_names = [str(c) for c in cov_design.columns]
    else:
        cov_values, cov_names = np.empty((n, 0)), []
    ones = np.ones((n, 1))
    Xm = np.hstack([ones, x[:, None], cov_values])
    Xo = np.hstack([ones, x[:, None], m[:, None], cov_values])
    names_m = [INTERCEPT, exposure, *cov_names]
    names_o = [INTERCEPT, exposure, mediator, *cov_names]
    for role, design in (("mediator", Xm), ("outcome", Xo)):
        if design.shape[1] >= n:
            raise AnalysisError(
                f"The {role} model has {design.shape[1]} parameters but only {n} rows; "
                "use fewer covariates."
            )
    _check_rank_values(Xm, names_m)
    _check_rank_values(Xo, names_o)

    med_res, scale = _fit(mediator_kind, m, Xm, names_m, "mediator", mediator)
    out_res, _ = _fit(outcome_kind, y, Xo, names_o, "outcome", outcome)

    # Draw all parameter vectors once (outcome model first, as statsmodels does per draw).
    out_draws = gen.multivariate_normal(
        np.asarray(out_res.params), np.asarray(out_res.cov_params()), size=n_sims
    )
    med_draws = gen.multivariate_normal(
        np.asarray(med_res.params), np.asarray(med_res.cov_params()), size=n_sims
    )
    args = (Xm, Xo, 1, 1, 2, mediator_kind, outcome_kind, med_draws, out_draws, scale, gen)
    patterns: tuple[np.ndarray, np.ndarray] | None = None
    if n > _PATTERN_ROWS and _pattern_sums_apply(mediator_kind, outcome_kind):
        from ._rows import distinct_rows

        first, counts = distinct_rows(Xm)
        if len(counts) <= n // 20:
            patterns = (first, counts)
    if patterns is not None:
        effects = _simulate_patterns(patterns[0], patterns[1], *args)
        notes.append(
            f"The {n} rows fall into {len(patterns[1])} exposure and covariate patterns; the "
            "simulated mediators were drawn as totals per pattern ("
            + ("binomial" if mediator_kind == "logistic" else "normal")
            + " draws), which has the same distribution as drawing them row by row."
        )
    else:
        effects = _simulate(*args)
    acme_c, acme_t, ade_c, ade_t = effects
    total = (acme_c + acme_t + ade_c + ade_t) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        pm_c = acme_c / total
        pm_t = acme_t / total
    values = np.column_stack(
        [
            acme_c,
            acme_t,
            ade_c,
            ade_t,
            total,
            pm_c,
            pm_t,
            (acme_c + acme_t) / 2.0,
            (ade_c + ade_t) / 2.0,
            (pm_c + pm_t) / 2.0,
        ]
    )  # (n_sims, effects), columns in DETAIL_EFFECTS order
    draws = pd.DataFrame(values, columns=list(DETAIL_EFFECTS))
    limits = np.percentile(values, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    medians = np.median(values, axis=0)
    means = values.mean(axis=0)
    positive, negative = (values > 0).sum(axis=0), (values < 0).sum(axis=0)
    is_ratio = np.array([e.startswith("prop_mediated") for e in DETAIL_EFFECTS])
    summary = np.column_stack(
        [
            np.where(is_ratio, medians, means),
            limits[0],
            limits[1],
            2.0 * np.minimum(positive, negative) / float(n_sims),
        ]
    )  # (effects, 4)
    columns = ["estimate", "ci_low", "ci_high", "p_value"]
    detail = pd.DataFrame(summary, index=pd.Index(DETAIL_EFFECTS, name="effect"), columns=columns)
    main_rows = [DETAIL_EFFECTS.index(_MAIN_SOURCE[e]) for e in MAIN_EFFECTS]
    main = summary[main_rows]
    table = pd.DataFrame(main, index=pd.Index(MAIN_EFFECTS, name="effect"), columns=columns)

    scale_text = (
        "differences in the probability of " if outcome_kind == "logistic" else "differences in "
    ) + f"'{outcome}'"
    notes.append(f"Effects are {scale_text} (treated minus control).")
    total_row = main[MAIN_EFFECTS.index("total_effect")]
    if total_row[1] <= 0 <= total_row[2]:
        notes.append(
            "The interval of the total effect includes 0, so the proportion mediated is "
            "unstable (a ratio with a denominator near 0); read it with care."
        )
    zero_p = [e for e, row in zip(MAIN_EFFECTS, main, strict=True) if row[3] == 0]
    if zero_p:
        notes.append(
            f"A p-value of 0 ({', '.join(zero_p)}) means no simulated draw fell on the other "
            f"side of 0: p < {1 / n_sims:g} with {n_sims} simulations."
        )
    for role, kind, values, name in (
        ("mediator", mediator_kind, m, mediator),
        ("outcome", outcome_kind, y, outcome),
    ):
        if kind == "logistic":
            smaller = int(min(values.sum(), n - values.sum()))
            params = (Xm if role == "mediator" else Xo).shape[1] - 1
            if smaller < 10 * params:
                notes.append(
                    f"The logistic {role} model for '{name}' has {smaller} outcomes in the "
                    f"smaller class for {params} parameter(s) (fewer than 10 per parameter); "
                    "its estimates may be biased away from 0."
                )
    method = (
        "causal mediation, quasi-Bayesian Monte Carlo (Imai, Keele & Tingley 2010): "
        f"{mediator_kind} mediator model, {outcome_kind} outcome model, {n_sims} simulations, "
        "percentile intervals"
    )
    return MediationResult(
        method=method,
        table=table,
        detail=detail,
        draws=draws,
        exposure=exposure,
        mediator=mediator,
        outcome=outcome,
        covariates=tuple(covariates),
        treated=treated_value,
        control=control_value,
        mediator_kind=mediator_kind,
        outcome_kind=outcome_kind,
        mediator_model=med_res,
        outcome_model=out_res,
        n=n,
        n_sims=int(n_sims),
        rng=seed,
        alpha=alpha,
        notes=tuple(notes),
    )
