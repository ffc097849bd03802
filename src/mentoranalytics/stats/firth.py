"""Firth-penalised logistic regression and a separation check, in plain numpy.

Firth (1993) adds half the log-determinant of the Fisher information to the
log-likelihood.  The penalised estimates are always finite, even when a
predictor separates the outcome (Heinze & Schemper 2002).  As in R's
``logistf``:

* estimates by Newton-Raphson on the modified score
  ``X'(y - pi + h (1/2 - pi))`` with the hat-matrix diagonal ``h``, with step
  halving on the penalised log-likelihood;
* confidence intervals from the profile penalised likelihood (each limit is the
  root of ``2 (l*max - l*profile(b)) = chi2_1(1 - alpha)``, found by bracketing
  and Brent's method; the profile refits the other coefficients with the penalty
  of the full design);
* p-values from penalised likelihood-ratio tests of each coefficient against 0.

The separation check solves the linear programme of Konis (2007): separation
exists when some non-zero direction ``b`` orders every row correctly,
``(2y - 1) x'b >= 0``.

>>> import numpy as np
>>> X = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1]])
>>> y = np.array([0, 0, 1, 1, 1, 1])
>>> detect_separation(X, y)
'quasi-complete'
>>> fit = firth_logit(X, y, names=["intercept", "x"])
>>> bool(np.isfinite(fit.params["x"]))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

__all__ = [
    "FirthResult",
    "detect_ordinal_separation",
    "detect_separation",
    "firth_logit",
    "separating_columns",
]

_MAX_STEP = 5.0
_MAX_HALVINGS = 30
_MAX_ITER = 200
_GTOL = 1e-9
_XTOL = 1e-10


class FirthError(RuntimeError):
    """The penalised likelihood could not be maximised (a numerical failure)."""


@dataclass(frozen=True, eq=False)
class FirthResult:
    """A fitted Firth-penalised logistic regression (a small, statsmodels-like object).

    Attributes
    ----------
    params, bse : Series
        Coefficients (log odds ratios) and their standard errors from the inverse
        Fisher information at the penalised estimate.
    loglik : float
        Maximised penalised log-likelihood ``l(b) + 0.5 log|I(b)|``.
    loglik_unpenalised : float
        Ordinary log-likelihood at the penalised estimate.
    conf_int : DataFrame
        Profile penalised-likelihood limits, columns ``lower, upper`` (NaN for
        coefficients that were not profiled; infinite when a limit could not be
        bracketed).
    chi2, pvalues : Series
        Penalised likelihood-ratio statistics and p-values (1 df) for each
        coefficient against 0.
    """

    params: pd.Series
    bse: pd.Series
    cov_params: pd.DataFrame
    loglik: float
    loglik_unpenalised: float
    conf_int: pd.DataFrame
    chi2: pd.Series
    pvalues: pd.Series
    converged: bool
    n_iter: int
    nobs: int
    alpha: float
    notes: tuple[str, ...] = field(default=())

    def summary_frame(self) -> pd.DataFrame:
        """Coefficients with standard errors, profile limits, chi-square and p-value."""
        out = pd.DataFrame({"coef": self.params, "se": self.bse})
        out["lower"] = self.conf_int["lower"]
        out["upper"] = self.conf_int["upper"]
        out["chi2"] = self.chi2
        out["p_value"] = self.pvalues
        return out


# --------------------------------------------------------------------------------------
# Separation
# --------------------------------------------------------------------------------------


def _scaled(X: np.ndarray) -> np.ndarray:
    scale = np.max(np.abs(X), axis=0)
    scale[scale == 0] = 1.0
    return X / scale


#: Above this many rows, the separation programmes use each distinct (row, outcome)
#: once (a repeated row repeats a constraint), when that at least halves the rows.
_DISTINCT_ROWS = 20_000


def _signed_rows(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``s_i x_i`` for the column-scaled design (s = +1 event, -1 non-event).

    With many rows and few distinct ones, returns the distinct signed rows and how
    often each occurs (else all rows and None): the programmes' constraints are the
    same, and the objective below counts each row as often as it occurs.
    """
    Xs = _scaled(np.asarray(X, dtype=float))
    s = 2.0 * np.asarray(y, dtype=float) - 1.0
    A = s[:, None] * Xs
    if A.shape[0] > _DISTINCT_ROWS:
        from ._rows import distinct_rows

        first, counts = distinct_rows(A)
        if 2 * first.size <= A.shape[0]:
            return A[first], counts.astype(float)
    return A, None


def separating_columns(X: np.ndarray, y: np.ndarray, *, tol: float = 1e-7) -> np.ndarray | None:
    """A separating direction, or None when the classes overlap.

    Returns the direction ``b`` (for the column-scaled design) of the Konis (2007)
    linear programme when separation exists; its non-zero entries show which
    columns are involved.
    """
    n = np.asarray(X).shape[0]
    A, counts = _signed_rows(X, y)
    res = optimize.linprog(
        c=-(A.sum(axis=0) if counts is None else counts @ A),
        A_ub=-A,
        b_ub=np.zeros(A.shape[0]),
        bounds=[(-1.0, 1.0)] * A.shape[1],
        method="highs",
    )
    if res.status != 0 or res.x is None:
        return None
    if -res.fun <= tol * n:
        return None
    b = np.asarray(res.x)
    b[np.abs(b) < 1e-9] = 0.0
    return b


def detect_separation(X: np.ndarray, y: np.ndarray, *, tol: float = 1e-7) -> str | None:
    """``'complete'``, ``'quasi-complete'`` or None (maximum-likelihood estimates exist).

    Complete separation: some linear combination of the predictors is larger for
    every event than for every non-event.  Quasi-complete: the orders only tie.
    Either way ordinary maximum-likelihood estimates are infinite.

    >>> import numpy as np
    >>> X = np.column_stack([np.ones(4), [1.0, 2.0, 3.0, 4.0]])
    >>> detect_separation(X, np.array([0, 0, 1, 1]))
    'complete'
    >>> detect_separation(X, np.array([0, 1, 0, 1])) is None
    True
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if separating_columns(X, y, tol=tol) is None:
        return None
    A, _ = _signed_rows(X, y)
    p = A.shape[1]
    # maximise t subject to s_i x_i'b >= t, |b| <= 1, t <= 1
    c = np.zeros(p + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-A, np.ones((A.shape[0], 1))])
    res = optimize.linprog(
        c=c,
        A_ub=A_ub,
        b_ub=np.zeros(A.shape[0]),
        bounds=[(-1.0, 1.0)] * p + [(None, 1.0)],
        method="highs",
    )
    if res.status == 0 and res.x is not None and res.x[-1] > tol:
        return "complete"
    return "quasi-complete"


def detect_ordinal_separation(X: np.ndarray, levels: np.ndarray, *, tol: float = 1e-7) -> bool:
    """True when the proportional-odds model has no finite maximum-likelihood estimate.

    That happens when some non-zero ``b`` and cut-points ``t_1 <= ... `` put every row
    on the right side of every cut, ``x'b >= t_j`` when the level is above j and
    ``x'b <= t_j`` otherwise (the ordinal version of the Konis (2007) linear
    programme).  ``X`` holds the predictor columns without an intercept; ``levels``
    are integer codes 0..K-1 of the outcome.

    >>> import numpy as np
    >>> x = np.array([[0.0], [0.0], [1.0], [1.0]])
    >>> detect_ordinal_separation(x, np.array([0, 1, 2, 2]))
    True
    >>> detect_ordinal_separation(x, np.array([0, 2, 1, 2]))
    False
    """
    X = _scaled(np.asarray(X, dtype=float))
    levels = np.asarray(levels, dtype=int)
    rows = np.unique(np.column_stack([X, levels]), axis=0)
    Xu, lev = rows[:, :-1], rows[:, -1].astype(int)
    n_cuts = int(lev.max())
    p = Xu.shape[1]
    blocks = []
    for j in range(n_cuts):
        sign = np.where(lev > j, 1.0, -1.0)
        cut = np.zeros((len(lev), n_cuts))
        cut[:, j] = -sign
        blocks.append(np.hstack([sign[:, None] * Xu, cut]))
    A = np.vstack(blocks)  # each row: sign * (x'b - t_j) >= 0
    res = optimize.linprog(
        c=-A.sum(axis=0),
        A_ub=-A,
        b_ub=np.zeros(A.shape[0]),
        bounds=[(-1.0, 1.0)] * p + [(-float(p) - 1.0, float(p) + 1.0)] * n_cuts,
        method="highs",
    )
    if res.status != 0 or res.x is None:
        return False
    return bool(-res.fun > tol * A.shape[0] and np.any(np.abs(res.x[:p]) > 1e-9))


# --------------------------------------------------------------------------------------
# Penalised likelihood
# --------------------------------------------------------------------------------------


@dataclass
class _State:
    beta: np.ndarray
    penalised: float
    loglik: float
    score: np.ndarray
    info: np.ndarray


def _evaluate(X: np.ndarray, y: np.ndarray, beta: np.ndarray) -> _State | None:
    eta = X @ beta
    pi = special.expit(eta)
    w = pi * (1.0 - pi)
    loglik = float(np.sum(y * eta - np.logaddexp(0.0, eta)))
    XW = X * np.sqrt(w)[:, None]
    info = XW.T @ XW
    try:
        chol = np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        return None
    diag = np.diag(chol)
    if not np.all(np.isfinite(diag)) or np.any(diag <= 0):
        return None
    logdet = 2.0 * float(np.sum(np.log(diag)))
    A = np.linalg.solve(chol, XW.T)  # chol is lower triangular: A'A = W^1/2 X I^-1 X' W^1/2
    h = np.sum(A * A, axis=0)  # hat-matrix diagonal
    score = X.T @ (y - pi + h * (0.5 - pi))
    return _State(beta, loglik + 0.5 * logdet, loglik, score, info)


def _maximise(
    X: np.ndarray, y: np.ndarray, beta0: np.ndarray, free: np.ndarray
) -> tuple[_State, bool, int]:
    """Newton-Raphson on the modified score over the ``free`` coefficients."""
    state = _evaluate(X, y, beta0)
    if state is None:
        raise FirthError("Fisher information is singular at the starting values.")
    for it in range(1, _MAX_ITER + 1):
        score = state.score[free]
        try:
            delta = np.linalg.solve(state.info[np.ix_(free, free)], score)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise FirthError("Fisher information became singular.") from exc
        biggest = float(np.max(np.abs(delta))) if delta.size else 0.0
        if biggest > _MAX_STEP:
            delta *= _MAX_STEP / biggest
        new_state = None
        for _ in range(_MAX_HALVINGS + 1):
            beta = state.beta.copy()
            beta[free] += delta
            new_state = _evaluate(X, y, beta)
            if new_state is not None and new_state.penalised >= state.penalised - 1e-12:
                break
            delta /= 2.0
        if new_state is None:
            raise FirthError("step halving failed to improve the penalised likelihood.")
        state = new_state
        step = float(np.max(np.abs(delta))) if delta.size else 0.0
        grad = float(np.max(np.abs(state.score[free]))) if delta.size else 0.0
        if grad < _GTOL or (step < _XTOL and grad < 1e-6):
            return state, True, it
    return state, False, _MAX_ITER


def _profile(X: np.ndarray, y: np.ndarray, j: int, value: float, start: np.ndarray) -> _State:
    free = np.ones(X.shape[1], dtype=bool)
    free[j] = False
    beta0 = start.copy()
    beta0[j] = value
    state, converged, _ = _maximise(X, y, beta0, free)
    if not converged:
        raise FirthError(f"profile fit did not converge at coefficient {j} = {value:g}.")
    return state


def _profile_limit(
    X: np.ndarray,
    y: np.ndarray,
    j: int,
    fit: _State,
    se: float,
    target: float,
    direction: float,
) -> float:
    """Solve penalised-profile(b) = target on one side of the estimate."""
    b_hat = float(fit.beta[j])
    step = max(se, 0.1) if np.isfinite(se) else 1.0
    cache: dict[float, np.ndarray] = {b_hat: fit.beta}

    def g(b: float) -> float:
        nearest = min(cache, key=lambda k: abs(k - b))
        state = _profile(X, y, j, b, cache[nearest])
        cache[b] = state.beta
        return state.penalised - target

    lo = b_hat
    for k in range(1, 80):
        hi = b_hat + direction * step * k * (1.0 + 0.25 * k)
        g_hi = g(hi)
        if g_hi < 0:
            a, b = (lo, hi) if lo < hi else (hi, lo)
            return float(optimize.brentq(g, a, b, xtol=1e-10, rtol=1e-12, maxiter=200))
        lo = hi
        if abs(hi - b_hat) > 100:
            break
    return float(direction * np.inf)


def firth_logit(
    X: np.ndarray | pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    names: Sequence[str] | None = None,
    alpha: float = 0.05,
    profile: Sequence[str] | None = None,
) -> FirthResult:
    """Fit a Firth-penalised logistic regression.

    Parameters
    ----------
    X : array or DataFrame, shape (n, p)
        Design matrix including the intercept column, full column rank.
    y : array, shape (n,)
        Outcome coded 0/1.
    names : sequence of str, optional
        Coefficient names (default: the DataFrame columns or ``x0, x1, ...``).
    alpha : float, default=0.05
        Confidence level is ``1 - alpha``.
    profile : sequence of str, optional
        Coefficients that get profile-likelihood limits and likelihood-ratio
        tests (default: all).

    Returns
    -------
    FirthResult
        ``params``, ``bse``, ``loglik``, ``conf_int`` (columns lower, upper),
        ``chi2`` and ``pvalues``.

    Raises
    ------
    FirthError
        When the penalised likelihood cannot be maximised.
    """
    if names is None:
        names = (
            list(X.columns)
            if isinstance(X, pd.DataFrame)
            else [f"x{i}" for i in range(np.shape(X)[1])]
        )
    names = [str(n) for n in names]
    Xa = np.asarray(X, dtype=float)
    ya = np.asarray(y, dtype=float)
    p = Xa.shape[1]
    free = np.ones(p, dtype=bool)
    fit, converged, n_iter = _maximise(Xa, ya, np.zeros(p), free)
    if not converged:
        raise FirthError("the penalised likelihood did not converge.")
    cov = np.linalg.inv(fit.info)
    se = np.sqrt(np.diag(cov))
    q = float(stats.chi2.ppf(1.0 - alpha, 1))
    target = fit.penalised - q / 2.0
    wanted = set(names if profile is None else profile)
    lower = np.full(p, np.nan)
    upper = np.full(p, np.nan)
    chi2 = np.full(p, np.nan)
    notes: list[str] = []
    for j, name in enumerate(names):
        if name not in wanted:
            continue
        restricted = _profile(Xa, ya, j, 0.0, fit.beta)
        chi2[j] = max(0.0, 2.0 * (fit.penalised - restricted.penalised))
        lower[j] = _profile_limit(Xa, ya, j, fit, se[j], target, -1.0)
        upper[j] = _profile_limit(Xa, ya, j, fit, se[j], target, +1.0)
        if not (np.isfinite(lower[j]) and np.isfinite(upper[j])):
            notes.append(
                f"The profile likelihood of '{name}' stays above the cut-off; "
                "its confidence interval is open-ended."
            )
    pvalues = stats.chi2.sf(chi2, 1)
    index = pd.Index(names)
    return FirthResult(
        params=pd.Series(fit.beta, index=index),
        bse=pd.Series(se, index=index),
        cov_params=pd.DataFrame(cov, index=index, columns=index),
        loglik=fit.penalised,
        loglik_unpenalised=fit.loglik,
        conf_int=pd.DataFrame({"lower": lower, "upper": upper}, index=index),
        chi2=pd.Series(chi2, index=index),
        pvalues=pd.Series(pvalues, index=index),
        converged=converged,
        n_iter=n_iter,
        nobs=int(Xa.shape[0]),
        alpha=alpha,
        notes=tuple(notes),
    )
