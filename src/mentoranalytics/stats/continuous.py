"""Continuous and ordinal comparisons between groups.

:func:`compare_groups` summarises a numeric or ordinal variable per group (mean, SD,
t interval of the mean, median and quartiles) and compares every group with a
reference group: the difference in means (Welch), Hedges' g, the Hodges-Lehmann
shift and Cliff's delta, with confidence intervals and p-values, plus an overall test
across all groups (Kruskal-Wallis and Welch's ANOVA).

Small samples get exact methods, following R's ``wilcox.test``: when both groups
have fewer than :data:`EXACT_MAX_N` values the Mann-Whitney p-value is exact (the
permutation distribution of the rank sum; with ties it is the exact conditional
distribution given the tie pattern, computed by enumeration, so no Monte Carlo error).
Larger groups use the normal approximation with tie and continuity corrections.  The
Kruskal-Wallis p-value is a seeded Monte Carlo permutation p-value up to
:data:`PERMUTATION_MAX_N` values in total, the chi-square approximation above.

>>> import pandas as pd
>>> frame = pd.DataFrame({"gender": ["woman"] * 5 + ["man"] * 5,
...                       "score": [1, 2, 2, 3, 3, 2, 3, 4, 4, 5]})
>>> res = compare_groups(frame, "score")
>>> res.groups.reset_index()[["group", "n", "mean", "median"]]
   group  n  mean  median
0  woman  5   2.2     2.0
1    man  5   3.6     4.0
>>> row = res.comparisons.set_index("measure").loc["cliffs_delta"]
>>> round(float(row["estimate"]), 2)  # women vs men (the reference)
-0.68
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .. import schema
from .._conventions import (
    check_column_name,
    default_reference,
    group_order,
    reference_reason,
    resolve_reference,
    yes_no,
)
from .._derived import with_columns
from .._frame import as_frame, resolve_rng
from ..exceptions import AnalysisError, SmallSampleWarning
from ._result import Result

__all__ = ["EXACT_MAX_N", "PERMUTATION_MAX_N", "GroupComparison", "compare_groups"]


#: Both groups smaller than this: exact Mann-Whitney p-value and Hodges-Lehmann CI
#: (the rule of R's ``wilcox.test``).
EXACT_MAX_N = 50
#: Up to this many values in total, the Kruskal-Wallis p-value is a Monte Carlo
#: permutation p-value (above: the chi-square approximation).
PERMUTATION_MAX_N = 500
#: Random permutations of the Kruskal-Wallis Monte Carlo p-value.
N_PERMUTATIONS = 10_000
#: Bootstrap resamples of the Cliff's delta interval.
N_BOOTSTRAP = 9_999
#: Fewer values than this in a group: no bootstrap interval.
BOOTSTRAP_MIN_N = 5
#: Above this many values in total no bootstrap interval is computed.
BOOTSTRAP_MAX_N = 5_000
#: Power used for the detectable difference.
POWER = 0.8

_GROUP_COLUMNS = (
    "group", "n", "n_missing", "mean", "sd", "ci_low", "ci_high",
    "median", "q1", "q3", "min", "max",
)  # fmt: skip
_COMPARISON_COLUMNS = (
    "group", "reference", "measure", "estimate", "ci_low", "ci_high", "statistic",
    "p_value", "method", "detectable_difference", "note",
)  # fmt: skip
_OVERALL_COLUMNS = ("test", "statistic", "df", "df2", "p_value", "method", "note")


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GroupComparison(Result):
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    variable, by : str
        The compared column and the grouping column.
    reference : object
        The reference group (``None`` when there is nothing to compare).
    groups : pandas.DataFrame
        One row per group, index ``group`` (as ``compare_rates(...).rates``):
        ``n, n_missing, mean, sd, ci_low, ci_high`` (t interval of the mean),
        ``median, q1, q3, min, max``.
    comparisons : pandas.DataFrame
        One row per (group vs reference, measure) with ``measure`` in
        ``mean_difference``, ``hedges_g``, ``hodges_lehmann``, ``cliffs_delta``;
        columns ``group, reference, measure, estimate, ci_low, ci_high, statistic,
        p_value, method, detectable_difference, note``.
    overall : pandas.DataFrame
        Tests across all groups: ``test, statistic, df, df2, p_value, method, note``.
    alpha : float
        1 - confidence level.
    rng : object
        The seed (or ``"Generator"``) used for the permutation and bootstrap parts.
    """

    variable: str
    by: str
    reference: Any
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparisons: pd.DataFrame = field(default_factory=pd.DataFrame)
    overall: pd.DataFrame = field(default_factory=pd.DataFrame)
    alpha: float = 0.05
    rng: Any = None

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"groups": self.groups, "comparisons": self.comparisons, "overall": self.overall}

    @property
    def title(self) -> str:
        return f"{self.variable} by {self.by}"


# --------------------------------------------------------------------------------------
# Input helpers (shared with table1 and boldness_gap)
# --------------------------------------------------------------------------------------


def check_alpha(alpha: Any) -> float:
    """Validate a significance level (strictly between 0 and 1)."""
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(alpha, bool) or not (0 < value < 1):
        raise AnalysisError(
            f"alpha must be a number strictly between 0 and 1 (e.g. 0.05), not {alpha!r}."
        )
    return value


def numeric_values(series: pd.Series, column: str) -> tuple[np.ndarray, str | None]:
    """The values of a numeric, boolean or ordinal column as floats (NaN = missing).

    Ordered categories (a pandas ordered categorical, or a schema column with ordered
    categories such as ``mentor_relation``) are coded 1..k in their order; booleans
    1 = true, 0 = false.  Returns the values and a note describing any coding.
    """
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        col = schema.SCHEMA.get(column)
        cats = list(dtype.categories)
        if not dtype.ordered:
            if col is not None and col.ordered and col.categories:
                return _ordered_text(series, column, col.categories)
            raise AnalysisError(
                f"Column '{column}' is an unordered category; compare_groups needs numbers, "
                "booleans or ordered categories. Use summary_table or compare_rates for "
                "categories, or make it ordered with series.cat.as_ordered()."
            )
        codes = series.cat.codes.to_numpy().astype(float)
        codes[codes < 0] = np.nan
        order = " < ".join(str(c) for c in cats)
        return codes + 1, f"'{column}' is ordinal: categories coded 1..{len(cats)} ({order})."
    if pd.api.types.is_bool_dtype(dtype):
        values = series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return values, f"'{column}' is yes/no: coded 1 = true, 0 = false."
    if pd.api.types.is_numeric_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=np.nan), None
    col = schema.SCHEMA.get(column)
    if col is not None and col.ordered and col.categories:
        return _ordered_text(series, column, col.categories)
    words = yes_no(series)
    if words is not None and series.notna().any():
        return words.to_numpy(), f"'{column}' is yes/no: coded 1 = yes, 0 = no."
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad.to_numpy())[:5])
        raise AnalysisError(
            f"Column '{column}' must hold numbers, booleans or ordered categories; "
            f"rows (0-based positions) {rows} hold text. Use summary_table or compare_rates "
            "for categories, or convert the column to numbers."
        )
    return converted.to_numpy(dtype=float, na_value=np.nan), None


def check_finite(values: np.ndarray, column: str) -> None:
    """Refuse infinite values (a data error; NaN means missing)."""
    bad = np.isinf(values)
    if bad.any():
        rows = ", ".join(str(i) for i in np.flatnonzero(bad)[:5])
        raise AnalysisError(
            f"Column '{column}' holds infinite values at rows (0-based positions) {rows}. "
            "Replace them with a number or a missing value."
        )


def _ordered_text(
    series: pd.Series, column: str, categories: Sequence[str]
) -> tuple[np.ndarray, str]:
    mapping = {c: float(i + 1) for i, c in enumerate(categories)}
    text = series.astype("object")
    values = text.map(lambda v: mapping.get(v, np.nan) if pd.notna(v) else np.nan)
    bad = values.isna() & text.notna()
    if bad.any():
        raise AnalysisError(
            f"Column '{column}' holds values that are not among its ordered categories "
            f"{list(categories)}. Load the data with ma.load_cohort to map spellings."
        )
    order = " < ".join(categories)
    note = f"'{column}' is ordinal: categories coded 1..{len(categories)} ({order})."
    return values.to_numpy(dtype=float), note


# --------------------------------------------------------------------------------------
# Building blocks (also used by table1)
# --------------------------------------------------------------------------------------


def welch_t(
    n1: float, m1: float, v1: float, n0: float, m0: float, v0: float, alpha: float = 0.05
) -> tuple[float, float, float, float, float, float]:
    """Welch's t-test of m1 - m0 from group moments.

    Returns ``(difference, ci_low, ci_high, t, df, p_value)``; NaNs when a group has
    fewer than two values or neither group varies.
    """
    diff = m1 - m0
    if n1 < 2 or n0 < 2:
        return diff, math.nan, math.nan, math.nan, math.nan, math.nan
    a, b = v1 / n1, v0 / n0
    se2 = a + b
    if not se2 > 0:
        return diff, math.nan, math.nan, math.nan, math.nan, math.nan
    se = math.sqrt(se2)
    df = se2**2 / (a**2 / (n1 - 1) + b**2 / (n0 - 1))
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    q = float(stats.t.ppf(1 - alpha / 2, df))
    return diff, diff - q * se, diff + q * se, t, df, p


def welch_anova(
    n: np.ndarray, mean: np.ndarray, var: np.ndarray
) -> tuple[float, float, float, float]:
    """Welch's heteroscedastic one-way ANOVA from group moments (R's ``oneway.test``).

    Returns ``(F, df1, df2, p_value)``; NaNs unless every group has at least two
    values and some spread.
    """
    n, mean, var = (np.asarray(a, dtype=float) for a in (n, mean, var))
    k = len(n)
    if k < 2 or np.any(n < 2) or not np.all(var > 0):
        return math.nan, math.nan, math.nan, math.nan
    w = n / var
    total = w.sum()
    centre = float((w * mean).sum() / total)
    a = float((w * (mean - centre) ** 2).sum() / (k - 1))
    tmp = float(((1 - w / total) ** 2 / (n - 1)).sum())
    b = 1 + 2 * (k - 2) / (k**2 - 1) * tmp
    f = a / b
    df1 = k - 1.0
    df2 = (k**2 - 1) / (3 * tmp)
    return f, df1, df2, float(stats.f.sf(f, df1, df2))


def _rank_sum_counts(doubled_ranks: np.ndarray, k: int) -> np.ndarray:
    """Number of k-subsets of the items with each doubled-rank sum 0..sum(all).

    ``doubled_ranks`` are twice the (mid)ranks, so whole numbers even with ties.
    Dynamic programming over the distinct values (Streitberg & Roehmel's shift
    algorithm); counts are kept as floats (exact up to 2**53, relative 1e-16 above).
    """
    values, mult = np.unique(doubled_ranks.astype(np.int64), return_counts=True)
    top = int(np.sort(doubled_ranks)[::-1][:k].sum())
    f = np.zeros((k + 1, top + 1))
    f[0, 0] = 1.0
    for v, m in zip(values.tolist(), mult.tolist(), strict=True):
        if m == 1:
            if v <= top:  # numpy buffers the overlapping slices: reads the old values
                f[1:, v:] += f[:-1, : top + 1 - v]
            continue
        new = f.copy()
        for c in range(1, min(m, k) + 1):
            shift = c * v
            if shift > top:
                break
            new[c:, shift:] += special.comb(m, c) * f[: k + 1 - c, : top + 1 - shift]
        f = new
    return f[k]


def _exact_rank_sum_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided exact p-value of the rank sum of x, given the observed ties."""
    if len(y) < len(x):  # the same p-value from the smaller sample: a smaller table
        x, y = y, x
    n1 = len(x)
    ranks2 = np.rint(2 * stats.rankdata(np.concatenate([x, y]))).astype(np.int64)
    counts = _rank_sum_counts(ranks2, n1)
    n = len(ranks2)
    centre = n1 * (n + 1)  # doubled mean rank sum
    observed = int(ranks2[:n1].sum())
    sums = np.arange(len(counts))
    extreme = np.abs(sums - centre) >= abs(observed - centre)
    return float(min(1.0, counts[extreme].sum() / counts.sum()))


def rank_sum_test(x: np.ndarray, y: np.ndarray) -> tuple[float, float, str]:
    """Mann-Whitney U of ``x`` vs ``y`` (two-sided): ``(U, p_value, method)``.

    Exact when both samples have fewer than :data:`EXACT_MAX_N` values (with ties:
    exact conditional distribution), normal approximation with tie and continuity
    correction otherwise.
    """
    n1, n2 = len(x), len(y)
    both = np.concatenate([x, y])
    ties = len(np.unique(both)) < len(both)
    if n1 < EXACT_MAX_N and n2 < EXACT_MAX_N:
        if not ties:
            res = stats.mannwhitneyu(x, y, method="exact")
            return float(res.statistic), float(res.pvalue), "Mann-Whitney U, exact"
        ranks = stats.rankdata(both)
        u = float(ranks[:n1].sum() - n1 * (n1 + 1) / 2)
        return (
            u,
            _exact_rank_sum_p(x, y),
            "Mann-Whitney U, exact permutation distribution given the ties",
        )
    res = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    return (
        float(res.statistic),
        float(res.pvalue),
        "Mann-Whitney U, normal approximation (tie and continuity corrections)",
    )


def kruskal_test(
    samples: Sequence[np.ndarray], gen: np.random.Generator
) -> tuple[float, float, float, str]:
    """Kruskal-Wallis H across samples: ``(H, df, p_value, method)``.

    Monte Carlo permutation p-value (``N_PERMUTATIONS`` random relabellings,
    p = (1 + b) / (1 + B)) up to :data:`PERMUTATION_MAX_N` values in total; the
    chi-square approximation above.  H is tie-corrected as in R's ``kruskal.test``.
    """
    samples = [np.asarray(s, dtype=float) for s in samples]
    k = len(samples)
    sizes = np.array([len(s) for s in samples])
    allv = np.concatenate(samples)
    n = len(allv)
    if len(np.unique(allv)) < 2:
        return math.nan, k - 1.0, math.nan, "Kruskal-Wallis (all values are equal)"
    h = float(stats.kruskal(*samples).statistic)
    if n > PERMUTATION_MAX_N:
        p = float(stats.chi2.sf(h, k - 1))
        return h, k - 1.0, p, "Kruskal-Wallis, chi-square approximation"
    ranks = stats.rankdata(allv)
    labels = np.repeat(np.arange(k, dtype=np.int16), sizes)
    observed = _rank_stat(labels[None, :], ranks, k, sizes)[0]
    tol = 1e-9 * max(1.0, abs(observed))
    exceed = 0
    done = 0
    chunk = max(1, min(N_PERMUTATIONS, 2_000_000 // max(n, 1)))
    while done < N_PERMUTATIONS:
        b = min(chunk, N_PERMUTATIONS - done)
        perm = gen.permuted(np.broadcast_to(labels, (b, n)), axis=1)
        exceed += int(np.count_nonzero(_rank_stat(perm, ranks, k, sizes) >= observed - tol))
        done += b
    p = (1 + exceed) / (1 + N_PERMUTATIONS)
    return (
        h,
        k - 1.0,
        p,
        f"Kruskal-Wallis, Monte Carlo permutation p-value ({N_PERMUTATIONS} permutations)",
    )


def _rank_stat(labels: np.ndarray, ranks: np.ndarray, k: int, sizes: np.ndarray) -> np.ndarray:
    """Sum over groups of (rank sum)^2 / n: monotone in H for fixed ranks."""
    out = np.zeros(labels.shape[0])
    for j in range(k):
        sums = (labels == j) @ ranks
        out += sums**2 / sizes[j]
    return out


def cliffs_delta(x: np.ndarray, y: np.ndarray) -> float:
    """P(X > Y) - P(X < Y): Cliff's delta, equal to the rank-biserial correlation."""
    n1, n2 = len(x), len(y)
    ranks = stats.rankdata(np.concatenate([x, y]))
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    return float(2 * u / (n1 * n2) - 1)


def _delta_statistic(values: np.ndarray) -> Any:
    """Vectorised Cliff's delta for resamples of samples drawn from ``values``.

    Each resample is reduced to counts per distinct value (``m`` of them); with the
    cumulative counts of y, delta = sum_a cx[a] * (#y below a - #y above a) / (n1 n2):
    O(resamples x m), no sorting per resample.
    """
    support = np.unique(values)
    m = len(support)
    # values that are already the codes 0..m-1 (see _delta_interval) need no lookup
    coded = bool(np.array_equal(support, np.arange(m)))

    def counts(a: np.ndarray) -> np.ndarray:
        rows = a.reshape(-1, a.shape[-1])
        idx = rows.astype(np.intp) if coded else np.searchsorted(support, rows)
        flat = (np.arange(rows.shape[0])[:, None] * m + idx).ravel()
        return np.bincount(flat, minlength=rows.shape[0] * m).reshape(rows.shape[0], m)

    def statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        x = np.moveaxis(np.asarray(x, dtype=float), axis, -1)
        y = np.moveaxis(np.asarray(y, dtype=float), axis, -1)
        shape = np.broadcast_shapes(x.shape[:-1], y.shape[:-1])
        x = np.broadcast_to(x, (*shape, x.shape[-1]))
        y = np.broadcast_to(y, (*shape, y.shape[-1]))
        n1, n2 = x.shape[-1], y.shape[-1]
        cx, cy = counts(x), counts(y)
        below = np.cumsum(cy, axis=1) - cy
        above = n2 - below - cy
        delta = (cx * (below - above)).sum(axis=1) / (n1 * n2)
        return delta.reshape(shape)

    return statistic


def hodges_lehmann(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[float, float, float, str]:
    """Median of all differences x_i - y_j with a distribution-free CI.

    The interval is R's (``wilcox.test(conf.int = TRUE)``) for untied samples with
    both n < :data:`EXACT_MAX_N`: order statistics of the differences picked by the
    exact Mann-Whitney quantile.  Otherwise the quantile comes from the normal
    approximation (Lehmann 1975), which ignores ties.
    """
    n1, n2 = len(x), len(y)
    diffs = np.sort(np.subtract.outer(x, y).ravel())
    estimate = float(np.median(diffs))
    m = n1 * n2
    both = np.concatenate([x, y])
    ties = len(np.unique(both)) < len(both)
    if n1 < EXACT_MAX_N and n2 < EXACT_MAX_N and not ties:
        counts = _rank_sum_counts(2 * np.arange(1, n1 + n2 + 1), n1)
        # U = W - n1(n1+1)/2; W doubled sums are even, so index by W*2
        start = n1 * (n1 + 1)
        u_counts = counts[start::2][: m + 1]
        cdf = np.cumsum(u_counts) / u_counts.sum()
        qu = int(np.searchsorted(cdf, alpha / 2 - 1e-12))  # qwilcox(alpha/2)
        qu = max(qu, 1)
        ql = m - qu
        method = "Hodges-Lehmann, exact distribution-free CI"
        return estimate, float(diffs[qu - 1]), float(diffs[ql]), method
    z = float(stats.norm.ppf(1 - alpha / 2))
    k = int(math.floor(m / 2 - z * math.sqrt(m * (n1 + n2 + 1) / 12)))
    method = "Hodges-Lehmann, CI from the normal approximation" + (
        " (ignores ties)" if ties else ""
    )
    if k < 1:
        return estimate, -math.inf, math.inf, method + "; samples too small for a finite CI"
    return estimate, float(diffs[k - 1]), float(diffs[m - k]), method


def _hedges_j(df: float) -> float:
    """Exact small-sample correction J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))."""
    return float(
        math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    )


def hedges_g(
    n1: float, m1: float, v1: float, n0: float, m0: float, v0: float, alpha: float
) -> tuple[float, float, float, float, float, float]:
    """Hedges' g of group 1 vs group 0 with a noncentral-t CI.

    g = J * (m1 - m0) / s_pooled.  The CI inverts the noncentral t distribution of
    the Student t statistic for the noncentrality (exact under normality and equal
    variances, Steiger & Fouladi 1997) and is then multiplied by J.
    Returns ``(g, ci_low, ci_high, t, df, p_value)`` (p of the Student t-test).
    """
    df = n1 + n0 - 2
    nan6 = (math.nan,) * 6
    if df < 2:
        return nan6
    sp2 = ((n1 - 1) * v1 + (n0 - 1) * v0) / df
    if not sp2 > 0:
        return nan6
    d = (m1 - m0) / math.sqrt(sp2)
    j = _hedges_j(df)
    scale = math.sqrt(n1 * n0 / (n1 + n0))
    t = d * scale
    p = float(2 * stats.t.sf(abs(t), df))
    lo = _nct_limit(t, df, alpha / 2, upper=False)
    hi = _nct_limit(t, df, alpha / 2, upper=True)
    return j * d, j * lo / scale, j * hi / scale, t, df, p


def _nct_limit(t: float, df: float, tail: float, *, upper: bool) -> float:
    """Noncentrality ``ncp`` with P(T >= t | ncp) = tail (lower) or P(T <= t | ncp) = tail."""

    def f(ncp: float) -> float:
        if upper:
            return _nct_cdf(t, df, ncp) - tail
        return _nct_sf(t, df, ncp) - tail

    width = 2 + abs(t)
    lo, hi = t - width, t + width
    for _ in range(60):
        if f(lo) * f(hi) < 0:
            break
        width *= 2
        lo, hi = t - width, t + width
    else:  # pragma: no cover - nct always brackets for finite t
        return math.nan
    return float(optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-12, maxiter=500))


def _nct_by_quadrature(t: float, df: float, ncp: float, *, upper: bool) -> float:
    """P(T <= t) (or P(T > t) with ``upper``) for the noncentral t, by quadrature.

    T = (Z + ncp) / sqrt(V / df) with V chi-square(df): P(T <= t) = E[Phi(t sqrt(V/df)
    - ncp)], integrated over the quantiles of V.  Used where scipy's noncentral t
    returns NaN (some noncentralities above about 7.5, at any ``df``); it agrees with
    scipy to about 1e-10 where both are defined.
    """
    from scipy import integrate

    sign = -1.0 if upper else 1.0

    def given_variance(q: float) -> float:
        u = math.sqrt(float(stats.chi2.ppf(q, df)) / df)
        return float(special.ndtr(sign * (t * u - ncp)))

    return float(integrate.quad(given_variance, 0.0, 1.0, limit=200, epsabs=1e-13)[0])


def _nct_cdf(t: float, df: float, ncp: float) -> float:
    value = float(stats.nct.cdf(t, df, ncp))
    return value if math.isfinite(value) else _nct_by_quadrature(t, df, ncp, upper=False)


def _nct_sf(t: float, df: float, ncp: float) -> float:
    value = float(stats.nct.sf(t, df, ncp))
    return value if math.isfinite(value) else _nct_by_quadrature(t, df, ncp, upper=True)


def _t_test_power(crit: float, df: float, ncp: float) -> float:
    """P(|T| > crit) for T noncentral t with ``df`` and ``ncp`` (two-sided t-test power).

    scipy's noncentral t returns NaN for some noncentralities above about 7.5; there
    the probabilities come from :func:`_nct_by_quadrature`.
    """
    pw = float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))
    if math.isfinite(pw):
        return pw
    return _nct_sf(crit, df, ncp) + _nct_cdf(-crit, df, ncp)


def detectable_smd(n1: float, n0: float, alpha: float, power: float = POWER) -> float:
    """Smallest standardised difference a two-sided Student t-test detects with ``power``.

    Exact power from the noncentral t distribution.
    """
    df = n1 + n0 - 2
    if df < 1:
        return math.nan
    scale = math.sqrt(n1 * n0 / (n1 + n0))
    crit = float(stats.t.ppf(1 - alpha / 2, df))

    def gap(delta: float) -> float:
        return _t_test_power(crit, df, delta * scale) - power

    hi = 1.0
    while gap(hi) < 0:
        hi *= 2
        if hi > 1e6:  # pragma: no cover
            return math.nan
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-10))


def describe(values: np.ndarray, alpha: float) -> dict[str, float]:
    """n, mean, sd, t interval of the mean, median, quartiles, min and max."""
    x = values[~np.isnan(values)]
    n = len(x)
    out: dict[str, float] = dict.fromkeys(_GROUP_COLUMNS[1:], math.nan)
    out["n"] = n
    if n == 0:
        return out
    mean = float(x.mean())
    out.update(mean=mean, min=float(x.min()), max=float(x.max()))
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    out.update(median=float(med), q1=float(q1), q3=float(q3))
    if n >= 2:
        sd = float(x.std(ddof=1))
        half = float(stats.t.ppf(1 - alpha / 2, n - 1)) * sd / math.sqrt(n)
        out.update(sd=sd, ci_low=mean - half, ci_high=mean + half)
    return out


# --------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------


def compare_groups(
    data: Any,
    variable: str,
    *,
    by: str = "gender",
    reference: Any = None,
    alpha: float = 0.05,
    rng: Any = None,
) -> GroupComparison:
    """Compare a continuous or ordinal variable between groups.

    Each group is summarised (mean, SD, t interval of the mean, median and
    quartiles) and compared with the reference group by four measures, each with a
    ``1 - alpha`` confidence interval:

    * ``mean_difference``: difference in means, Welch's t interval and test;
    * ``hedges_g``: standardised mean difference (pooled SD, exact small-sample
      correction), noncentral-t interval, Student t-test p-value;
    * ``hodges_lehmann``: median of all pairwise differences, distribution-free
      interval; p-value of the Mann-Whitney test;
    * ``cliffs_delta``: P(X > Y) - P(X < Y) (= rank-biserial correlation), seeded
      BCa bootstrap interval (resampling within groups); Mann-Whitney p-value.

    The Mann-Whitney p-value is exact when both groups have fewer than 50 values
    (with ties: the exact permutation distribution given the ties), else the normal
    approximation with tie and continuity corrections.  With more than two groups,
    the overall tests are Kruskal-Wallis (Monte Carlo permutation p-value up to 500
    values, chi-square above) and Welch's ANOVA.  Each ``mean_difference`` and
    ``hedges_g`` row carries the smallest difference the two groups could detect with
    80% power at level ``alpha`` (``detectable_difference``; in the variable's units,
    or in SD units for ``hedges_g``).

    Parameters
    ----------
    data : Cohort or pandas.DataFrame
        The records.
    variable : str
        Numeric, boolean (1/0) or ordinal column: Int64 levels, Likert scores, an
        ordered categorical (coded 1..k in order) or a schema column with ordered
        categories (``mentor_relation``).
    by : str, default="gender"
        Grouping column; rows where it is missing are left out (counted in a note).
    reference : object, optional
        Group the others are compared with (``estimate`` = group minus reference).
        Default, never depending on group sizes: ``"man"`` for gender, ``False``
        for a yes/no column, else the first group in order (as every function).
    alpha : float, default=0.05
        1 - confidence level of every interval.
    rng : None, int or numpy.random.Generator
        Seed of the bootstrap and permutation parts (None: fixed seed 0).

    Returns
    -------
    GroupComparison
        ``.groups`` (index ``group``; ``n, n_missing, mean, sd, ci_low, ci_high,
        median, q1, q3, min, max``), ``.comparisons`` (``group, reference, measure, estimate,
        ci_low, ci_high, statistic, p_value, method, detectable_difference, note``),
        ``.overall`` (``test, statistic, df, df2, p_value, method, note``), with notes,
        warnings and the seed.

    Raises
    ------
    ColumnError
        ``variable`` or ``by`` is not a column.
    AnalysisError
        The variable is text or an unordered category, all its values are missing,
        ``by`` has no groups, ``reference`` is not a group, or ``alpha`` or ``rng``
        is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"gender": ["woman"] * 5 + ["man"] * 5,
    ...                       "days_to_secure": [10, 12, 30, 14, 9, 20, 25, 40, 18, 31]})
    >>> res = compare_groups(frame, "days_to_secure")
    >>> diff = res.comparisons.set_index("measure").loc["mean_difference"]
    >>> round(float(diff["estimate"]), 3), diff["group"], diff["reference"]
    (-11.8, 'woman', 'man')
    >>> round(float(res.comparisons.set_index("measure").loc["cliffs_delta", "p_value"]), 4)
    0.0556
    """
    frame = as_frame(data)
    alpha = check_alpha(alpha)
    check_column_name(variable, "variable")
    check_column_name(by, "by")
    frame, derived_notes = with_columns(
        frame, [variable, by], purpose=f"comparing '{variable}' by '{by}'"
    )
    if variable == by:
        raise AnalysisError(f"variable and by are both '{by}'; choose two different columns.")
    gen, seed = resolve_rng(rng)
    values, coding = numeric_values(frame[variable], variable)
    check_finite(values, variable)
    notes: list[str] = [*derived_notes, *([coding] if coding else [])]
    warns: list[str] = []

    group_col = frame[by]
    missing_group = group_col.isna().to_numpy()
    if missing_group.any():
        notes.append(f"{int(missing_group.sum())} row(s) with missing '{by}' are not in any group.")
    levels = group_order(group_col, by)
    if not levels:
        raise AnalysisError(
            f"Column '{by}' has no non-missing values, so there are no groups to compare."
        )
    in_groups = ~missing_group
    if not np.any(~np.isnan(values[in_groups])):
        raise AnalysisError(
            f"Column '{variable}' has no non-missing values in any group of '{by}'; "
            "nothing to compare."
        )

    group_values = group_col.to_numpy(dtype=object)
    samples: dict[Any, np.ndarray] = {}
    rows = []
    for lev in levels:
        mask = in_groups & (group_values == lev)
        vals = values[mask]
        x = vals[~np.isnan(vals)]
        samples[lev] = x
        desc = describe(x, alpha)
        rows.append({"group": lev, **desc, "n_missing": int(np.isnan(vals).sum())})
        if len(x) == 0:
            notes.append(f"Group '{lev}' has no values of '{variable}': no summary.")
        elif len(x) == 1:
            notes.append(
                f"Group '{lev}' has one value of '{variable}': no SD or interval for its "
                "mean (they need at least two values)."
            )
    groups = pd.DataFrame(rows, columns=list(_GROUP_COLUMNS)).set_index("group")
    groups.index = pd.Index(list(groups.index), name="group", dtype=object)
    groups["n"] = groups["n"].astype(int)
    groups["n_missing"] = groups["n_missing"].astype(int)

    with_data = [lev for lev in levels if len(samples[lev]) > 0]
    if reference is None:
        ref = default_reference(with_data, by)
        if len(with_data) > 1:
            notes.append(f"Reference group: '{ref}' ({reference_reason(ref, with_data, by)}).")
    else:
        ref = resolve_reference(reference, levels, by)
    comparisons: list[dict[str, Any]] = []
    overall: list[dict[str, Any]] = []
    methods: list[str] = []
    if len(with_data) < 2:
        notes.append(
            f"Only one group of '{by}' has values of '{variable}': no comparison is possible."
        )
        ref_out = ref if len(with_data) == 1 else None
    else:
        ref_out = ref
        if len(samples[ref]) == 0:
            notes.append(
                f"The reference group '{ref}' has no values of '{variable}': no comparisons."
            )
        for lev in levels:
            if lev == ref or len(samples[ref]) == 0:
                continue
            comparisons += _compare_pair(
                samples[lev], samples[ref], lev, ref, alpha, gen, notes, warns
            )
        if len(samples[ref]) > 0:
            others = [samples[lev] for lev in with_data if lev != ref]
            overall = _overall_tests([samples[ref], *others], gen, alpha)
    comp = pd.DataFrame(comparisons, columns=list(_COMPARISON_COLUMNS))
    over = pd.DataFrame(overall, columns=list(_OVERALL_COLUMNS))
    for table in (comp, over):
        for m in table["method"].dropna().unique():
            if m and m not in methods:
                methods.append(str(m))
    for w in warns:
        _warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return GroupComparison(
        method="; ".join(methods),
        notes=tuple(dict.fromkeys(notes)),
        warnings=tuple(dict.fromkeys(warns)),
        variable=variable,
        by=by,
        reference=ref_out,
        groups=groups,
        comparisons=comp,
        overall=over,
        alpha=alpha,
        rng=seed,
    )


def _compare_pair(
    x: np.ndarray,
    y: np.ndarray,
    group: Any,
    ref: Any,
    alpha: float,
    gen: np.random.Generator,
    notes: list[str],
    warns: list[str],
) -> list[dict[str, Any]]:
    n1, n0 = len(x), len(y)
    label = f"'{group}' vs '{ref}'"

    def row(measure: str, **kw: Any) -> dict[str, Any]:
        base: dict[str, Any] = dict.fromkeys(_COMPARISON_COLUMNS, math.nan)
        base.update(group=group, reference=ref, measure=measure, note="", method="")
        base.update(kw)
        return base

    if n1 == 0:
        why = f"group '{group}' has no values"
        return [
            row(m, note=why)
            for m in ("mean_difference", "hedges_g", "hodges_lehmann", "cliffs_delta")
        ]
    out = []
    m1, m0 = float(x.mean()), float(y.mean())
    v1 = float(x.var(ddof=1)) if n1 > 1 else math.nan
    v0 = float(y.var(ddof=1)) if n0 > 1 else math.nan
    if min(n1, n0) < 5:
        warns.append(f"{label}: a group has fewer than 5 values; intervals are wide.")

    # difference in means (Welch)
    diff, lo, hi, t, df, p = welch_t(n1, m1, v1, n0, m0, v0, alpha)
    note = ""
    if n1 < 2 or n0 < 2:
        note = "Welch's t needs at least two values in each group"
    elif not np.isfinite(t):
        note = "no spread within either group: Welch's t is undefined"
    ddiff = math.nan
    sd_units = detectable_smd(n1, n0, alpha) if n1 + n0 >= 3 else math.nan
    if n1 + n0 >= 3:
        sp2 = _pooled_var(n1, v1, n0, v0)
        ddiff = sd_units * math.sqrt(sp2) if np.isfinite(sp2) else math.nan
    out.append(
        row(
            "mean_difference",
            estimate=diff,
            ci_low=lo,
            ci_high=hi,
            statistic=t,
            p_value=p,
            method="Welch t-test and interval",
            detectable_difference=ddiff,
            note=note,
        )
    )

    # Hedges' g
    g, glo, ghi, gt, gdf, gp = hedges_g(n1, m1, v1 if n1 > 1 else 0.0, n0, m0,
                                        v0 if n0 > 1 else 0.0, alpha)  # fmt: skip
    gnote = ""
    if n1 + n0 - 2 < 2:
        gnote = "Hedges' g needs at least four values in all"
    elif not np.isfinite(g):
        gnote = "no spread within the groups: the standardised difference is undefined"
    out.append(
        row(
            "hedges_g",
            estimate=g,
            ci_low=glo,
            ci_high=ghi,
            statistic=gt,
            p_value=gp,
            method="Hedges' g (pooled SD), noncentral-t interval; Student t-test",
            detectable_difference=sd_units,
            note=gnote,
        )
    )

    # rank-based measures
    u, p_mw, mw_method = rank_sum_test(x, y)
    if n1 * n0 <= 10_000_000:
        hl, hlo, hhi, hl_method = hodges_lehmann(x, y, alpha)
        hl_note = ""
    else:
        hl, hlo, hhi = math.nan, math.nan, math.nan
        hl_method, hl_note = "Hodges-Lehmann", "too many pairs (over 10 million) to enumerate"
    out.append(
        row(
            "hodges_lehmann",
            estimate=hl,
            ci_low=hlo,
            ci_high=hhi,
            statistic=u,
            p_value=p_mw,
            method=f"{hl_method}; {mw_method}",
            note=hl_note,
        )
    )
    delta = cliffs_delta(x, y)
    dlo, dhi, dnote = _delta_interval(x, y, delta, alpha, gen)
    out.append(
        row(
            "cliffs_delta",
            estimate=delta,
            ci_low=dlo,
            ci_high=dhi,
            statistic=u,
            p_value=p_mw,
            method=f"Cliff's delta, BCa bootstrap interval ({N_BOOTSTRAP} resamples); {mw_method}",
            note=dnote,
        )
    )
    return out


def _pooled_var(n1: float, v1: float, n0: float, v0: float) -> float:
    parts = []
    df = 0.0
    if n1 > 1:
        parts.append((n1 - 1) * v1)
        df += n1 - 1
    if n0 > 1:
        parts.append((n0 - 1) * v0)
        df += n0 - 1
    return float(sum(parts) / df) if df > 0 else math.nan


def _delta_interval(
    x: np.ndarray, y: np.ndarray, delta: float, alpha: float, gen: np.random.Generator
) -> tuple[float, float, str]:
    if len(x) < BOOTSTRAP_MIN_N or len(y) < BOOTSTRAP_MIN_N:
        return (
            math.nan,
            math.nan,
            f"no bootstrap interval with fewer than {BOOTSTRAP_MIN_N} values in a group "
            "(too few distinct resamples)",
        )
    if len(x) + len(y) > BOOTSTRAP_MAX_N:
        return (
            math.nan,
            math.nan,
            f"no bootstrap interval above {BOOTSTRAP_MAX_N} values (use a subsample)",
        )
    if abs(delta) == 1:
        return (
            math.nan,
            math.nan,
            "the groups do not overlap (delta = +/-1): the bootstrap interval is undefined",
        )
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        # Cliff's delta depends on the order of the values only: resample their codes
        # 0..m-1 in the sorted distinct values (the same resamples, the same deltas)
        values = np.unique(np.concatenate([x, y]))
        support = len(values)
        cx = np.searchsorted(values, x).astype(float)
        cy = np.searchsorted(values, y).astype(float)
        res = stats.bootstrap(
            (cx, cy),
            _delta_statistic(np.arange(support, dtype=float)),
            n_resamples=N_BOOTSTRAP,
            batch=max(1, min(N_BOOTSTRAP, 4_000_000 // max(support, 1))),
            vectorized=True,
            method="BCa",
            confidence_level=1 - alpha,
            rng=gen,
        )
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return math.nan, math.nan, "the bootstrap distribution is degenerate: no interval"
    return lo, hi, ""


def _overall_tests(
    samples: list[np.ndarray], gen: np.random.Generator, alpha: float
) -> list[dict[str, Any]]:
    """Tests across all groups; ``samples[0]`` is the reference group."""
    k = len(samples)
    rows: list[dict[str, Any]] = []
    if k == 2:
        u, p, method = rank_sum_test(samples[1], samples[0])
        rows.append(
            dict(test="Mann-Whitney U", statistic=u, df=math.nan, df2=math.nan, p_value=p,
                 method=method, note="")
        )  # fmt: skip
        n = [len(s) for s in samples]
        v = [float(s.var(ddof=1)) if len(s) > 1 else math.nan for s in samples]
        m = [float(s.mean()) for s in samples]
        _, _, _, t, df, pt = welch_t(n[1], m[1], v[1], n[0], m[0], v[0], alpha)
        note = "" if np.isfinite(pt) else "needs two values and some spread in each group"
        rows.append(
            dict(test="Welch t", statistic=t, df=df, df2=math.nan, p_value=pt,
                 method="Welch two-sample t-test", note=note)
        )  # fmt: skip
        return rows
    h, df, p, method = kruskal_test(samples, gen)
    note = "" if np.isfinite(p) else "all values are equal"
    rows.append(
        dict(test="Kruskal-Wallis", statistic=h, df=df, df2=math.nan, p_value=p, method=method,
             note=note)
    )  # fmt: skip
    sizes = np.array([len(s) for s in samples], dtype=float)
    means = np.array([s.mean() for s in samples])
    variances = np.array([s.var(ddof=1) if len(s) > 1 else math.nan for s in samples])
    f, df1, df2, pf = welch_anova(sizes, means, variances)
    note = "" if np.isfinite(pf) else "needs two values and some spread in every group"
    rows.append(
        dict(test="Welch ANOVA", statistic=f, df=df1, df2=df2, p_value=pf,
             method="Welch's one-way ANOVA (unequal variances)", note=note)
    )  # fmt: skip
    return rows
