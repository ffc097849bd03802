"""Rates and gaps between groups with honest small-sample uncertainty.

:func:`proportion_ci` gives a confidence interval for one proportion;
:func:`compare_rates` compares the rate of a yes/no outcome between groups (by
default gender): a rate per group with its Wilson interval, the risk difference,
risk ratio and odds ratio of every group against a reference group with
intervals that stay honest when counts are small or zero, an overall test chosen
from the table, and, with ``strata=``, the Mantel-Haenszel odds ratio pooled over
strata (e.g. cohorts) with a homogeneity test and a Simpson's-paradox check.

Methods (each named on its result row):

* single proportion: Wilson score interval (default), Clopper-Pearson,
  Agresti-Coull, Jeffreys;
* risk difference: Newcombe's hybrid score interval (method 10 of Newcombe 1998);
* risk ratio: Katz log interval when every cell is at least ``exact_threshold``,
  otherwise the Koopman (1984) score interval (finite or half-open even with a
  zero cell);
* odds ratio: Woolf logit interval when every cell is at least
  ``exact_threshold``, otherwise the conditional maximum likelihood estimate with
  the exact (Cornfield) interval, as R's ``fisher.test``;
* pairwise p-value: Fisher's exact test, two-sided (as R's ``fisher.test``);
* overall test: Fisher's exact test for two groups; for more groups Pearson's
  chi-square when every expected count is at least 5, otherwise the exact
  Fisher-Freeman-Halton test (full enumeration) or, for tables too large to
  enumerate, the same test with a seeded Monte Carlo p-value (as R's
  ``fisher.test(simulate.p.value = TRUE)``), reported with its standard error;
* strata: Mantel-Haenszel odds ratio with the Robins-Breslow-Greenland interval,
  the Mantel-Haenszel test with R's ``mantelhaen.test`` default continuity
  correction (0.5, applied only when |sum(a) - sum(E)| >= 0.5), the exact
  conditional test of a common odds ratio of 1 (R's ``mantelhaen.test(exact =
  TRUE)``; trustworthy when strata are sparse), the Breslow-Day homogeneity test
  with Tarone's adjustment on the strata with both events and non-events (as
  metafor's ``rma.mh``) and the crude odds ratio, estimated as in ``.effects``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from .._conventions import (
    check_column_name,
    default_reference,
    group_order,
    is_missing,
    plain,
    reference_reason,
    resolve_reference,
    yes_no,
)
from .._derived import with_columns
from .._frame import resolve_rng
from ..exceptions import AnalysisError, SmallSampleWarning
from ._result import Result
from .power import detectable_difference

__all__ = ["ProportionCI", "RatesResult", "compare_rates", "proportion_ci"]

CIMethod = Literal["wilson", "clopper-pearson", "exact", "agresti-coull", "jeffreys"]

_CI_METHODS = {
    "wilson": "wilson",
    "score": "wilson",
    "clopper-pearson": "clopper-pearson",
    "exact": "clopper-pearson",
    "agresti-coull": "agresti-coull",
    "jeffreys": "jeffreys",
}
_CI_LABELS = {
    "wilson": "Wilson score",
    "clopper-pearson": "Clopper-Pearson exact",
    "agresti-coull": "Agresti-Coull",
    "jeffreys": "Jeffreys",
}

#: Tables with more candidate tables than this use Monte Carlo instead of full enumeration.
_MAX_ENUMERATION = 2_000_000
#: Monte Carlo resamples for the sparse r x 2 test when enumeration is too large.
_N_RESAMPLES = 20_000
#: R's tolerance for ties of table probabilities in exact tests (fisher.test: 1 + 1e-7).
_REL_ERR = 1 + 1e-7

EFFECT_COLUMNS = (
    "group",
    "reference",
    "measure",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "method",
    "detectable_difference",
    "note",
)
TEST_COLUMNS = ("statistic", "df", "p_value", "method", "reason", "mc_se")
POOLED_COLUMNS = (
    "group",
    "reference",
    "measure",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "method",
    "statistic",
    "exact_p_value",
    "homogeneity_p_value",
    "homogeneity_method",
    "crude_estimate",
    "n_strata_used",
    "strata_dropped",
    "note",
)


# ======================================================================================
# One proportion
# ======================================================================================


class ProportionCI(tuple):  # type: ignore[type-arg]
    """A ``(low, high)`` tuple that also carries ``method`` and ``reason``.

    ``reason`` is ``""`` unless the interval is undefined (``n = 0``), in which
    case both ends are NaN and ``reason`` says why.  Unpacks like a plain tuple:
    ``low, high = proportion_ci(4, 20)``.
    """

    method: str
    reason: str

    def __new__(cls, low: Any, high: Any, method: str = "", reason: str = "") -> ProportionCI:
        obj = super().__new__(cls, (low, high))
        obj.method = method
        obj.reason = reason
        return obj

    def __getnewargs__(self) -> tuple[Any, Any, str, str]:  # type: ignore[override]
        return (self[0], self[1], self.method, self.reason)  # pickling keeps the extras

    @property
    def low(self) -> Any:
        return self[0]

    @property
    def high(self) -> Any:
        return self[1]


def _z(alpha: float) -> float:
    return float(stats.norm.isf(alpha / 2))


def _check_alpha(alpha: float) -> None:
    if not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise AnalysisError(
            f"alpha must be a number strictly between 0 and 1 (e.g. 0.05); got {alpha!r}."
        )


def _ci_arrays(
    k: np.ndarray, n: np.ndarray, method: str, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """Interval ends for arrays with n > 0 (no checks)."""
    p = k / n
    if method == "wilson":
        z = _z(alpha)
        z2 = z * z
        centre = (k + z2 / 2) / (n + z2)
        half = z * np.sqrt(n) / (n + z2) * np.sqrt(p * (1 - p) + z2 / (4 * n))
        low, high = centre - half, centre + half
    elif method == "clopper-pearson":
        with np.errstate(invalid="ignore"):
            low = stats.beta.ppf(alpha / 2, k, n - k + 1)
            high = stats.beta.isf(alpha / 2, k + 1, n - k)
    elif method == "agresti-coull":
        z = _z(alpha)
        z2 = z * z
        n_t = n + z2
        p_t = (k + z2 / 2) / n_t
        half = z * np.sqrt(p_t * (1 - p_t) / n_t)
        low, high = p_t - half, p_t + half
    else:  # jeffreys, as defined by Brown, Cai & DasGupta (2001)
        with np.errstate(invalid="ignore"):
            low = stats.beta.ppf(alpha / 2, k + 0.5, n - k + 0.5)
            high = stats.beta.isf(alpha / 2, k + 0.5, n - k + 0.5)
    low = np.where(k == 0, 0.0, low)
    high = np.where(k == n, 1.0, high)
    return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)


def proportion_ci(
    k: Any, n: Any, *, method: CIMethod = "wilson", alpha: float = 0.05
) -> ProportionCI:
    """Confidence interval for a proportion ``k / n``.

    Parameters
    ----------
    k : int or array_like of int
        Number of events, ``0 <= k <= n``.
    n : int or array_like of int
        Number of trials (people).  ``n = 0`` gives ``(nan, nan)`` with the reason
        in ``.reason``.
    method : {"wilson", "clopper-pearson", "exact", "agresti-coull", "jeffreys"}, default="wilson"
        ``"wilson"``: Wilson score interval without continuity correction
        (Newcombe 1998, method 3; R's ``prop.test(correct = FALSE)``).
        ``"clopper-pearson"`` (alias ``"exact"``): the exact interval from beta
        quantiles (R's ``binom.test``).  ``"agresti-coull"``: the adjusted Wald
        interval of Agresti & Coull (1998) with ``z^2/2`` added successes and
        failures, clipped to [0, 1].  ``"jeffreys"``: equal-tailed Beta(k + 1/2,
        n - k + 1/2) interval with the boundary modification of Brown, Cai &
        DasGupta (2001): lower end 0 when ``k = 0``, upper end 1 when ``k = n``.
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    ProportionCI
        A ``(low, high)`` tuple (floats, or arrays for array input) with
        ``.method`` and ``.reason`` attributes.

    Examples
    --------
    >>> low, high = proportion_ci(4, 20)
    >>> round(low, 4), round(high, 4)
    (0.0807, 0.416)
    >>> [round(x, 4) for x in proportion_ci(0, 20, method="exact")]
    [0.0, 0.1684]
    >>> proportion_ci(0, 0).reason
    'n = 0: no one to estimate a proportion from'
    """
    key = _CI_METHODS.get(str(method).lower())
    if key is None:
        raise AnalysisError(
            f"method must be one of {sorted(set(_CI_METHODS) - {'score'})}; got {method!r}."
        )
    _check_alpha(alpha)
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    try:
        k_arr, n_arr = np.broadcast_arrays(k_arr, n_arr)
    except ValueError as exc:
        raise AnalysisError(
            f"k and n must have the same shape (or broadcast); got {np.shape(k)} and {np.shape(n)}."
        ) from exc
    if np.any(np.isnan(k_arr)) or np.any(np.isnan(n_arr)):
        raise AnalysisError("k and n must not be missing (NaN).")
    if np.any(n_arr < 0) or np.any(k_arr < 0):
        raise AnalysisError("k and n must be >= 0 (counts of events and people).")
    if np.any(k_arr > n_arr):
        raise AnalysisError(
            "k must not exceed n (events cannot outnumber people); "
            f"got k > n in {int(np.sum(k_arr > n_arr))} place(s)."
        )
    if np.any(k_arr != np.floor(k_arr)) or np.any(n_arr != np.floor(n_arr)):
        raise AnalysisError("k and n must be whole numbers (counts).")
    empty = n_arr == 0
    safe_n = np.where(empty, 1.0, n_arr)
    low, high = _ci_arrays(np.where(empty, 0.0, k_arr), safe_n, key, alpha)
    low = np.where(empty, np.nan, low)
    high = np.where(empty, np.nan, high)
    label = _CI_LABELS[key]
    n_empty = int(np.sum(empty))
    if k_arr.ndim == 0:
        reason = "n = 0: no one to estimate a proportion from" if n_empty else ""
        return ProportionCI(float(low), float(high), label, reason)
    reason = (
        f"{n_empty} of {empty.size} entries have n = 0: their interval is NaN" if n_empty else ""
    )
    return ProportionCI(low, high, label, reason)


# ======================================================================================
# Two proportions: risk difference, risk ratio, odds ratio
# ======================================================================================


def _wilson(k: float, n: float, alpha: float) -> tuple[float, float]:
    low, high = _ci_arrays(np.asarray(float(k)), np.asarray(float(n)), "wilson", alpha)
    return float(low), float(high)


def _newcombe_diff(k1: int, n1: int, k2: int, n2: int, alpha: float) -> tuple[float, float, float]:
    """Risk difference p1 - p2 with Newcombe's hybrid score interval (method 10)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = _wilson(k1, n1, alpha)
    l2, u2 = _wilson(k2, n2, alpha)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, max(low, -1.0), min(high, 1.0)


def _koopman_stat(theta: float, k1: int, n1: int, k2: int, n2: int) -> float:
    """Pearson chi-square score statistic for H0: p1 / p2 = theta (Koopman 1984)."""
    # constrained maximum likelihood estimate of p2 under p1 = theta * p2
    # (Miettinen & Nurminen 1985): A p2^2 + B p2 + C = 0
    a = (n1 + n2) * theta
    b = -(n1 * theta + k1 + n2 + k2 * theta)
    c = k1 + k2
    disc = max(b * b - 4 * a * c, 0.0)
    p2 = (-b - math.sqrt(disc)) / (2 * a)
    p1 = theta * p2
    p1 = min(max(p1, 0.0), 1.0)
    p2 = min(max(p2, 0.0), 1.0)
    var = p1 * (1 - p1) / n1 + theta * theta * p2 * (1 - p2) / n2
    num = (k1 / n1 - theta * k2 / n2) ** 2
    if var <= 0:
        return 0.0 if num == 0 else math.inf
    return num / var


def _koopman_ci(k1: int, n1: int, k2: int, n2: int, alpha: float) -> tuple[float, float]:
    """Koopman (1984) score interval for the risk ratio p1 / p2 (needs k1 + k2 > 0).

    The interval is the set of ratios not rejected by the Pearson chi-square score
    test (with the constrained maximum likelihood estimates of Miettinen &
    Nurminen 1985, without their n / (n - 1) factor); each end is found by root
    finding on the log scale.  With no events in group 1 it starts at 0, with no
    events in group 2 it is open to infinity.
    """
    crit = float(stats.chi2.isf(alpha, 1))

    def excess(log_theta: float) -> float:
        return _koopman_stat(math.exp(log_theta), k1, n1, k2, n2) - crit

    # a point inside the interval (excess < 0): the estimate, or far out towards it
    if k1 > 0 and k2 > 0:
        inner = math.log((k1 / n1) / (k2 / n2))
    else:
        toward = -1.0 if k1 == 0 else 1.0
        inner = 0.0
        step = 1.0
        while excess(inner) >= 0:
            inner = toward * step
            step *= 2
            if step > 1e3:  # pragma: no cover - cannot happen for valid counts
                return (math.nan, math.nan)

    def bound(direction: float) -> float:
        step = 1.0
        outer = inner + direction * step
        while excess(outer) < 0:
            step *= 2
            outer = inner + direction * step
            if step > 1e3:
                return math.inf * direction
        lo_, hi_ = sorted((inner, outer))
        return float(optimize.brentq(excess, lo_, hi_, xtol=1e-13, rtol=1e-15, maxiter=500))

    low = 0.0 if k1 == 0 else math.exp(bound(-1.0))
    high = math.inf if k2 == 0 else math.exp(bound(+1.0))
    return low, high


def _pair_effects(
    k1: int, n1: int, k2: int, n2: int, *, alpha: float, exact_threshold: int
) -> list[dict[str, Any]]:
    """Risk difference, ratio and odds ratio of group 1 against group 2 (reference)."""
    z = _z(alpha)
    level = f"{100 * (1 - alpha):g}%"
    cells = (k1, n1 - k1, k2, n2 - k2)
    threshold = max(exact_threshold, 1)  # never a log of zero
    large = min(cells) >= threshold
    fisher = stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])
    p_value = float(fisher.pvalue)
    rows = []

    # risk difference
    d, lo, hi = _newcombe_diff(k1, n1, k2, n2, alpha)
    rows.append(
        dict(
            measure="risk_difference",
            estimate=d,
            ci_low=lo,
            ci_high=hi,
            method=f"Newcombe hybrid score {level} CI (method 10); Fisher exact p",
            note="",
        )
    )

    # risk ratio
    p1, p2 = k1 / n1, k2 / n2
    if k1 == 0 and k2 == 0:
        rows.append(
            dict(
                measure="risk_ratio",
                estimate=math.nan,
                ci_low=math.nan,
                ci_high=math.nan,
                method="undefined",
                note="no events in either group: the risk ratio is undefined (0/0); "
                "see the risk difference",
            )
        )
    elif large:
        rr = p1 / p2
        se = math.sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
        rows.append(
            dict(
                measure="risk_ratio",
                estimate=rr,
                ci_low=math.exp(math.log(rr) - z * se),
                ci_high=math.exp(math.log(rr) + z * se),
                method=f"Katz log {level} CI; Fisher exact p",
                note="",
            )
        )
    else:
        lo, hi = _koopman_ci(k1, n1, k2, n2, alpha)
        rr = math.inf if k2 == 0 else p1 / p2
        note = ""
        if k1 == 0:
            note = "no events in this group: the risk ratio is 0 and the score interval starts at 0"
        elif k2 == 0:
            note = (
                "no events in the reference group: the risk ratio is infinite and the "
                "score interval is open-ended"
            )
        rows.append(
            dict(
                measure="risk_ratio",
                estimate=rr,
                ci_low=lo,
                ci_high=hi,
                method=f"Koopman score {level} CI (a cell below {threshold}); Fisher exact p",
                note=note,
            )
        )

    # odds ratio
    if k1 + k2 == 0 or k1 + k2 == n1 + n2:
        what = "no events" if k1 + k2 == 0 else "everyone had the event"
        rows.append(
            dict(
                measure="odds_ratio",
                estimate=math.nan,
                ci_low=math.nan,
                ci_high=math.nan,
                method="undefined",
                note=f"{what} in both groups: the odds ratio is undefined; see the risk difference",
            )
        )
    elif large:
        a, b, c, dd = cells
        odds = (a * dd) / (b * c)
        se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / dd)
        rows.append(
            dict(
                measure="odds_ratio",
                estimate=odds,
                ci_low=math.exp(math.log(odds) - z * se),
                ci_high=math.exp(math.log(odds) + z * se),
                method=f"Woolf logit {level} CI; Fisher exact p",
                note="",
            )
        )
    else:
        res = stats.contingency.odds_ratio([[k1, n1 - k1], [k2, n2 - k2]], kind="conditional")
        ci = res.confidence_interval(confidence_level=1 - alpha)
        note = ""
        if 0 in cells:
            note = (
                "a zero cell: the odds ratio is 0 or infinite and the exact interval is "
                "open on that side"
            )
        rows.append(
            dict(
                measure="odds_ratio",
                estimate=float(res.statistic),
                ci_low=float(ci.low),
                ci_high=float(ci.high),
                method=f"conditional MLE, exact (Cornfield) {level} CI "
                f"(a cell below {threshold}); Fisher exact p",
                note=note,
            )
        )
    for row in rows:
        row["p_value"] = p_value
    return rows


# ======================================================================================
# Overall test of the groups x outcome table
# ======================================================================================


def _chi2_statistic(events: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Pearson chi-square of k x 2 tables; ``events`` may have a leading batch axis."""
    total = n.sum()
    p = events.sum(axis=-1, keepdims=True) / total
    exp_e = n * p
    exp_ne = n * (1 - p)
    return ((events - exp_e) ** 2 / exp_e + (events - exp_e) ** 2 / exp_ne).sum(axis=-1)


def _n_tables(n: np.ndarray, total_events: int) -> int:
    """Number of k x 2 tables with these margins (polynomial coefficient count)."""
    counts = np.zeros(total_events + 1, dtype=float)
    counts[0] = 1
    for size in n:
        new = np.zeros_like(counts)
        for x in range(min(int(size), total_events) + 1):
            new[x:] += counts[: total_events + 1 - x]
        counts = new
    return int(counts[total_events])


def _exact_rx2(events: np.ndarray, n: np.ndarray) -> float | None:
    """Fisher-Freeman-Halton exact p-value for a k x 2 table by full enumeration.

    Tables at most as probable as the observed one (within R's relative tolerance
    1e-7) are summed.  Returns None when the enumeration would not fit in memory.
    """
    total_events = int(events.sum())
    order = np.argsort(n, kind="stable")  # the largest group is determined last
    n_sorted = n[order]
    sums = np.zeros(1, dtype=np.int64)
    logw = np.zeros(1)
    remaining = int(n_sorted.sum())
    for size in n_sorted[:-1]:
        size = int(size)
        remaining -= size
        if sums.size * (size + 1) > 10 * _MAX_ENUMERATION:
            return None
        xs = np.arange(size + 1)
        new_sums = (sums[:, None] + xs[None, :]).ravel()
        new_logw = (logw[:, None] + _log_comb(size, xs)[None, :]).ravel()
        keep = (new_sums <= total_events) & (new_sums >= total_events - remaining)
        sums, logw = new_sums[keep], new_logw[keep]
    last = int(n_sorted[-1])
    x_last = total_events - sums
    logw = logw + _log_comb(last, x_last)
    log_total = (
        special.gammaln(n.sum() + 1)
        - special.gammaln(total_events + 1)
        - special.gammaln(n.sum() - total_events + 1)
    )
    logp = logw - log_total
    observed = float(np.sum(_log_comb_vec(n, events)) - log_total)
    extreme = logp <= observed + math.log(_REL_ERR)
    return float(min(1.0, np.exp(logp[extreme]).sum()))


def _log_comb(n: int, k: np.ndarray) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def _log_comb_vec(n: np.ndarray, k: np.ndarray) -> np.ndarray:
    return special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)


def _overall_test(
    events: np.ndarray, n: np.ndarray, labels: Sequence[Any], rng: np.random.Generator
) -> tuple[pd.DataFrame, int, int]:
    """Choose and run the overall test; returns (one-row table, #expected < 5, #cells)."""
    k = len(n)
    total_events = int(events.sum())
    total = int(n.sum())
    p = total_events / total
    expected = np.concatenate([n * p, n * (1 - p)])
    n_small = int(np.sum(expected < 5))
    n_cells = expected.size
    row: dict[str, Any] = dict(
        statistic=math.nan, df=math.nan, p_value=math.nan, method="", reason="", mc_se=math.nan
    )
    if total_events == 0 or total_events == total:
        what = "no one" if total_events == 0 else "everyone"
        row.update(
            p_value=1.0,
            method="none needed",
            reason=f"{what} had the event: every table with these margins is the observed "
            "one, so p = 1",
        )
    elif k == 2:
        table = np.column_stack([events, n - events])
        row.update(
            p_value=float(stats.fisher_exact(table).pvalue),
            method="Fisher's exact test (two-sided)",
            reason="2 x 2 table: exact test (no test statistic; the p-value sums the "
            "probabilities of tables at most as likely as the observed one)",
        )
    elif n_small == 0:
        stat = float(_chi2_statistic(events.astype(float), n.astype(float)))
        row.update(
            statistic=stat,
            df=float(k - 1),
            p_value=float(stats.chi2.sf(stat, k - 1)),
            method="Pearson chi-square test",
            reason="all expected counts are at least 5",
        )
    else:
        stat = float(_chi2_statistic(events.astype(float), n.astype(float)))
        small = f"{n_small} of {n_cells} expected counts below 5"
        n_tables = _n_tables(n, total_events)
        p_exact = _exact_rx2(events, n) if n_tables <= _MAX_ENUMERATION else None
        if p_exact is not None:
            row.update(
                statistic=stat,
                df=float(k - 1),
                p_value=p_exact,
                method="Fisher-Freeman-Halton exact test",
                reason=f"{small}: exact test over all {n_tables} tables with these margins "
                "(statistic: Pearson chi-square, shown for reference)",
            )
        else:
            b = _N_RESAMPLES
            sims = _simulate_rx2(n, total_events, b, rng)
            log_sim = _log_comb_vec(n[None, :], sims).sum(axis=1)
            log_obs = float(np.sum(_log_comb_vec(n, events)))
            extreme = int(np.sum(log_sim <= log_obs + math.log(_REL_ERR)))
            p_mc = (1 + extreme) / (b + 1)
            row.update(
                statistic=stat,
                df=float(k - 1),
                p_value=p_mc,
                method="Fisher-Freeman-Halton test, Monte Carlo p-value",
                reason=f"{small}; {n_tables} possible tables are too many to enumerate: "
                f"{b} seeded random tables with these margins, p = (1 + #{{tables at most "
                "as likely as the observed}}) / (B + 1) (statistic: Pearson chi-square, "
                "shown for reference)",
                mc_se=math.sqrt(p_mc * (1 - p_mc) / b),
            )
    return pd.DataFrame([row], columns=list(TEST_COLUMNS)), n_small, n_cells


def _simulate_rx2(n: np.ndarray, total_events: int, b: int, rng: np.random.Generator) -> np.ndarray:
    """Random k x 2 tables with fixed margins: events per group (b x k)."""
    k = len(n)
    out = np.empty((b, k), dtype=float)
    remaining_events = np.full(b, total_events, dtype=np.int64)
    remaining_n = int(n.sum())
    for i, size in enumerate(n[:-1]):
        size = int(size)
        draw = rng.hypergeometric(remaining_events, remaining_n - remaining_events, size)
        out[:, i] = draw
        remaining_events = remaining_events - draw
        remaining_n -= size
    out[:, k - 1] = remaining_events
    return out


# ======================================================================================
# Strata: Mantel-Haenszel
# ======================================================================================


def _informative_strata(arr: np.ndarray) -> np.ndarray:
    """Strata of K x 2 x 2 tables with both events and non-events, and both groups."""
    events = arr[:, 0, 0] + arr[:, 1, 0]
    non_events = arr[:, 0, 1] + arr[:, 1, 1]
    both_groups = (arr[:, 0].sum(axis=1) > 0) & (arr[:, 1].sum(axis=1) > 0)
    return (events > 0) & (non_events > 0) & both_groups


def _breslow_day(arr: np.ndarray, *, tarone: bool = True) -> tuple[float, float]:
    """Breslow-Day homogeneity test of K x 2 x 2 tables (statistic, p-value).

    As metafor's ``rma.mh`` (``BD``, ``TA``): the Mantel-Haenszel common odds ratio
    of all the tables; the test sums over the informative strata only (both groups,
    both events and non-events; a stratum without events says nothing about its
    odds ratio and would make the statistic 0/0), on (informative strata - 1) df.
    ``tarone=True`` subtracts Tarone's (1985) correction (DescTools
    ``BreslowDayTest(correct = TRUE)``, metafor ``TA``).  NaN with fewer than two
    informative strata or an undefined common odds ratio.
    """
    a, b = arr[:, 0, 0], arr[:, 0, 1]
    c, d = arr[:, 1, 0], arr[:, 1, 1]
    tot = arr.sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        r_sum = float(np.sum(np.where(tot > 0, a * d / tot, 0.0)))
        s_sum = float(np.sum(np.where(tot > 0, b * c / tot, 0.0)))
    use = _informative_strata(arr)
    if r_sum == 0 or s_sum == 0 or use.sum() < 2:
        return math.nan, math.nan
    psi = r_sum / s_sum
    a, b, c, d = a[use], b[use], c[use], d[use]
    n1, n2, m1 = a + b, c + d, a + c
    # expected a under the common odds ratio: the root of
    # (1 - psi) e^2 + (n2 - m1 + psi (n1 + m1)) e - psi n1 m1 = 0 in (max(0, m1 - n2), min(n1, m1)),
    # written without the cancellation of (A - B) / (2 (psi - 1)) (exact at psi = 1)
    big_a = psi * (n1 + m1) + (n2 - m1)
    big_b = np.sqrt(big_a**2 - 4 * n1 * m1 * psi * (psi - 1))
    expected = 2 * n1 * m1 * psi / (big_a + big_b)
    var = 1 / (1 / expected + 1 / (n1 - expected) + 1 / (m1 - expected) + 1 / (n2 - m1 + expected))
    statistic = float(np.sum((a - expected) ** 2 / var))
    if tarone:
        statistic -= float(np.sum(a - expected) ** 2 / np.sum(var))
    statistic = max(statistic, 0.0)
    return statistic, float(stats.chi2.sf(statistic, int(use.sum()) - 1))


#: Largest support of the exact conditional distribution computed (its convolution
#: costs about the square of the support: 10,000 points take about a second).
_EXACT_MAX_SUPPORT = 10_000


def _exact_support(arr: np.ndarray) -> int:
    """Number of values S can take given every stratum's margins (see below)."""
    total = 0
    for (a, b), (c, d) in arr.astype(int).tolist():
        n1, n2, m = a + b, c + d, a + c
        total += min(n1, m) - max(0, m - n2) + 1
    return total - len(arr) + 1


def _exact_stratified(arr: np.ndarray, alpha: float) -> dict[str, float]:
    """Exact conditional inference on a common odds ratio of K x 2 x 2 tables.

    As R's ``mantelhaen.test(exact = TRUE)``: conditional on every stratum's margins,
    S = sum of the group's events has P(S = s) proportional to d(s) psi^s, where d
    is the convolution of the strata's hypergeometric weights.  Returns the
    two-sided p-value for psi = 1 (tables at most as likely as the observed one,
    R's relative tolerance 1e-7), the conditional maximum likelihood estimate and
    the exact interval (each tail alpha / 2).
    """
    logd = np.zeros(1)
    lo_total = 0
    for (a, b), (c, d) in arr.astype(int).tolist():
        n1, n2, m = a + b, c + d, a + c
        lo, hi = max(0, m - n2), min(n1, m)
        xs = np.arange(lo, hi + 1)
        logw = _log_comb(n1, xs) + _log_comb(n2, m - xs)
        new = np.full(logd.size + xs.size - 1, -np.inf)
        for j, lw in enumerate(logw):
            new[j : j + logd.size] = np.logaddexp(new[j : j + logd.size], logd + lw)
        logd = new
        lo_total += lo
    support = lo_total + np.arange(logd.size)
    s_obs = int(arr[:, 0, 0].sum())
    i_obs = s_obs - lo_total
    logd = logd - special.logsumexp(logd)
    p_value = float(min(1.0, np.exp(logd[logd <= logd[i_obs] + math.log(_REL_ERR)]).sum()))

    def dist(log_psi: float) -> np.ndarray:
        lp = logd + support * log_psi
        return np.exp(lp - special.logsumexp(lp))

    def solve(fun: Any) -> float:
        lo_, hi_ = -1.0, 1.0
        while fun(lo_) > 0 and lo_ > -1e4:
            lo_ *= 2
        while fun(hi_) < 0 and hi_ < 1e4:
            hi_ *= 2
        return math.exp(optimize.brentq(fun, lo_, hi_, xtol=1e-13, rtol=1e-15, maxiter=500))

    first, last = int(support[0]), int(support[-1])
    if s_obs == first:
        mle, low = 0.0, 0.0
    else:
        mle = math.inf if s_obs == last else solve(lambda t: float(dist(t) @ support) - s_obs)
        # lower end: P(S >= s_obs; psi) = alpha / 2, increasing in psi
        low = solve(lambda t: float(dist(t)[i_obs:].sum()) - alpha / 2)
    if s_obs == last:
        high = math.inf
    else:
        # upper end: P(S <= s_obs; psi) = alpha / 2, decreasing in psi
        high = solve(lambda t: alpha / 2 - float(dist(t)[: i_obs + 1].sum()))
    return {"p_value": p_value, "estimate": mle, "ci_low": low, "ci_high": high}


def _pooled_row(
    tables: list[np.ndarray],
    stratum_labels: list[Any],
    group: Any,
    reference: Any,
    alpha: float,
    exact_threshold: int = 5,
) -> dict[str, Any]:
    level = f"{100 * (1 - alpha):g}%"
    kept = [
        (lab, t)
        for lab, t in zip(stratum_labels, tables, strict=True)
        if t[0].sum() > 0 and t[1].sum() > 0
    ]
    dropped = [
        str(lab)
        for lab, t in zip(stratum_labels, tables, strict=True)
        if not (t[0].sum() > 0 and t[1].sum() > 0)
    ]
    row: dict[str, Any] = dict(
        group=group,
        reference=reference,
        measure="odds_ratio",
        estimate=math.nan,
        ci_low=math.nan,
        ci_high=math.nan,
        p_value=math.nan,
        method=f"Mantel-Haenszel, Robins-Breslow-Greenland {level} CI; MH chi-square test "
        "with continuity correction",
        statistic=math.nan,
        exact_p_value=math.nan,
        homogeneity_p_value=math.nan,
        homogeneity_method="Breslow-Day with Tarone's adjustment",
        crude_estimate=math.nan,
        n_strata_used=len(kept),
        strata_dropped=", ".join(dropped),
        note="",
    )
    notes = []
    # the crude (unstratified) odds ratio over every row of the pooled analysis, strata
    # with one group included, estimated as in .effects (equal to its odds ratio when no
    # row was left out for a missing stratum)
    crude = np.sum(tables, axis=0) if tables else np.zeros((2, 2))
    (k1, f1), (k2, f2) = crude.astype(int).tolist()
    if k1 + f1 > 0 and k2 + f2 > 0:
        crude_row = next(
            r
            for r in _pair_effects(
                k1, k1 + f1, k2, k2 + f2, alpha=alpha, exact_threshold=exact_threshold
            )
            if r["measure"] == "odds_ratio"
        )
        row["crude_estimate"] = float(crude_row["estimate"])
    if dropped:
        notes.append(f"strata without both groups left out: {', '.join(dropped)}")
    if not kept:
        notes.append(f"no stratum contains both {group!r} and {reference!r}: nothing to pool")
        row["note"] = "; ".join(notes)
        return row
    arr = np.array([t for _, t in kept], dtype=float)  # K x 2 x 2
    a, b = arr[:, 0, 0], arr[:, 0, 1]
    c, d = arr[:, 1, 0], arr[:, 1, 1]
    tot = arr.sum(axis=(1, 2))
    r_sum = float(np.sum(a * d / tot))
    s_sum = float(np.sum(b * c / tot))
    # Mantel-Haenszel test (R's mantelhaen.test, correct = TRUE: the continuity
    # correction of 0.5 applies only when |sum(a) - sum(E)| >= 0.5)
    n1, n2 = a + b, c + d
    m1, m2 = a + c, b + d
    expected_a = n1 * m1 / tot
    with np.errstate(divide="ignore", invalid="ignore"):
        var_a = np.where(tot > 1, n1 * n2 * m1 * m2 / (tot**2 * (tot - 1)), 0.0)
    v = float(var_a.sum())
    delta = abs(float(a.sum() - expected_a.sum()))
    support = _exact_support(arr)
    if support <= _EXACT_MAX_SUPPORT:
        exact = _exact_stratified(arr, alpha)
    else:
        exact = dict.fromkeys(("p_value", "estimate", "ci_low", "ci_high"), math.nan)
        notes.append(
            f"exact conditional test not computed: its distribution has {support} support "
            f"points (more than {_EXACT_MAX_SUPPORT}, and the exact convolution grows with "
            "their square); with counts this large the Mantel-Haenszel test is accurate"
        )
    row["exact_p_value"] = exact["p_value"]
    correction = 0.5 if delta >= 0.5 else 0.0
    test_text = (
        "MH chi-square test with continuity correction"
        if correction
        else "MH chi-square test without continuity correction (|sum(a) - sum(E)| < 0.5, as "
        "R's mantelhaen.test)"
    )
    row["method"] = f"Mantel-Haenszel, Robins-Breslow-Greenland {level} CI; {test_text}"
    if v > 0:
        stat = (delta - correction) ** 2 / v
        row["statistic"] = stat
        row["p_value"] = float(stats.chi2.sf(stat, 1))
    else:
        notes.append("no variation within any stratum: the Mantel-Haenszel test is undefined")
    if r_sum == 0 and s_sum == 0:
        notes.append(
            "no informative stratum (each has no events or only events): the "
            "common odds ratio is undefined"
        )
    elif s_sum == 0 or r_sum == 0:
        row["estimate"] = math.inf if s_sum == 0 else 0.0
        row["ci_low"], row["ci_high"] = exact["ci_low"], exact["ci_high"]
        row["method"] = f"Mantel-Haenszel estimate, exact conditional {level} CI; {test_text}"
        notes.append(
            "the Mantel-Haenszel odds ratio is "
            + ("infinite" if s_sum == 0 else "0")
            + " (zero cells in every stratum): no Robins-Breslow-Greenland interval, "
            + (
                "the exact conditional interval is given instead"
                if support <= _EXACT_MAX_SUPPORT
                else "and the exact conditional interval was not computed (see above)"
            )
        )
    else:
        from statsmodels.stats.contingency_tables import StratifiedTable

        st = StratifiedTable(np.transpose(arr, (1, 2, 0)))
        row["estimate"] = float(st.oddsratio_pooled)
        low, high = st.oddsratio_pooled_confint(alpha=alpha)
        row["ci_low"], row["ci_high"] = float(low), float(high)
        informative = _informative_strata(arr)
        if len(kept) < 2:
            notes.append("only one stratum: homogeneity cannot be tested")
        elif informative.sum() < 2:
            notes.append(
                "fewer than two strata with both events and non-events: homogeneity cannot "
                "be tested"
            )
        else:
            _, pval = _breslow_day(arr, tarone=True)
            row["homogeneity_p_value"] = pval
            if not informative.all():
                left_out = [
                    str(lab) for (lab, _), inf in zip(kept, informative, strict=True) if not inf
                ]
                notes.append(
                    f"Breslow-Day test on the {int(informative.sum())} strata with both events "
                    f"and non-events (as metafor's rma.mh); left out of that test only: "
                    f"{', '.join(left_out)}"
                )
    est, crude_or = row["estimate"], row["crude_estimate"]
    if (
        math.isfinite(est)
        and math.isfinite(crude_or)
        and est > 0
        and crude_or > 0
        and (est - 1) * (crude_or - 1) < 0
    ):
        notes.append(
            f"Simpson's paradox: the crude odds ratio ({crude_or:.3g}) and the stratified "
            f"one ({est:.3g}) point in opposite directions; the strata differ in their "
            "group mix and base rates, so read the stratified estimate"
        )
    row["note"] = "; ".join(notes)
    return row


# ======================================================================================
# Data handling
# ======================================================================================


def _equality(series: pd.Series) -> Any:
    """``label -> (series == label)`` as a boolean array (False where missing), fast.

    The column is factorised once and ``==`` is evaluated on its distinct values only,
    which gives the same mask as comparing every value (values that factorise together
    compare equal to each other).
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    distinct = list(np.asarray(uniques, dtype=object))
    cache: dict[tuple[int, ...], np.ndarray] = {}

    def equal(label: Any) -> np.ndarray:
        hits = [j for j, u in enumerate(distinct) if bool(u == label)]
        key = tuple(hits)
        if key not in cache:
            cache[key] = np.isin(codes, hits) if hits else np.zeros(len(codes), dtype=bool)
        return cache[key]

    return equal


def _coerce_outcome(series: pd.Series, name: str, event: Any) -> tuple[pd.Series, str]:
    """Map an outcome column to 1.0 / 0.0 / NaN; return it and the event's label.

    Yes/no columns are read by the package's one reader
    (:func:`mentoranalytics._conventions.yes_no`); ``event=`` counts one value as the
    event; a categorical with two levels that are not yes/no counts its second level.
    """
    missing = pd.Series(is_missing(series), index=series.index)
    observed = series[~missing]
    if event is not None:
        values = pd.unique(observed)
        if isinstance(series.dtype, pd.CategoricalDtype):
            allowed = list(series.cat.categories)
        else:
            allowed = list(values)
        if event not in allowed:
            raise AnalysisError(
                f"event={plain(event)!r} is not a value of outcome column {name!r} "
                f"({len(allowed)} distinct values). Pass one of the column's values."
            )
        out = pd.Series(
            np.where(missing, np.nan, (series == event).astype(float)), index=series.index
        )
        return out, f"{name} = {plain(event)}"
    dtype = series.dtype
    read = yes_no(series)
    if read is not None:
        if pd.api.types.is_bool_dtype(dtype):
            word = "true"
        elif pd.api.types.is_numeric_dtype(dtype):
            word = "1"
        else:
            word = "yes"
        return read, f"{name} = {word}"
    if isinstance(dtype, pd.CategoricalDtype):
        cats = [plain(c) for c in series.cat.categories]
        if len(cats) == 2:
            out = pd.Series(
                np.where(missing, np.nan, (series == cats[1]).astype(float)), index=series.index
            )
            return (
                out,
                f"{name} = {cats[1]} (the second of the categories {cats[0]!s}, {cats[1]!s})",
            )
        raise AnalysisError(
            f"Outcome column {name!r} must be binary; it is a category with {len(cats)} "
            "levels. Pass event=<level> to count one level as the event, or recode it."
        )
    if pd.api.types.is_numeric_dtype(dtype):
        n_values = len(pd.unique(observed.astype(float)))
        raise AnalysisError(
            f"Outcome column {name!r} must be binary (0/1, yes/no or true/false); it has "
            f"{n_values} distinct values. Dichotomise it first (e.g. a threshold) or pass "
            "event=<value> to count one value as the event."
        )
    n_distinct = int(observed.nunique())
    raise AnalysisError(
        f"Outcome column {name!r} must be binary (yes/no, true/false, 1/0, or a category "
        f"with two levels); it has {n_distinct} distinct values that are not yes/no. Pass "
        "event=<value> to count one value as the event."
    )


# ======================================================================================
# Result and main function
# ======================================================================================


@dataclass(frozen=True, kw_only=True, eq=False)
class RatesResult(Result):
    """Result of :func:`compare_rates`.

    Attributes
    ----------
    rates : DataFrame
        Index = group; columns ``n, events, rate, ci_low, ci_high, method, n_missing``.
    effects : DataFrame
        One row per (group vs reference, measure); columns ``group, reference,
        measure, estimate, ci_low, ci_high, p_value, method, detectable_difference,
        note``.  Empty when there is only one group.
    test : DataFrame or None
        One row: ``statistic, df, p_value, method, reason, mc_se``.  None with a
        note when there is only one group.
    pooled : DataFrame or None
        With ``strata=``: one row per non-reference group; columns ``group,
        reference, measure, estimate, ci_low, ci_high, p_value, method, statistic,
        exact_p_value, homogeneity_p_value, homogeneity_method, crude_estimate,
        n_strata_used, strata_dropped, note``.  ``p_value`` is the Mantel-Haenszel
        chi-square test (continuity correction of 0.5 when |sum(a) - sum(E)| >= 0.5,
        none below, as R's ``mantelhaen.test``); ``exact_p_value`` the exact
        conditional test (prefer it when strata are small);
        ``homogeneity_p_value`` the Breslow-Day test with Tarone's adjustment over
        the strata with both events and non-events (the others are named in
        ``note``); ``crude_estimate`` the odds ratio ignoring strata over every row
        of the pooled analysis, estimated as in ``.effects`` (the same number
        unless rows with a missing stratum were left out).
    outcome, by, strata, event, reference, alpha, rng
        What was analysed and how (``rng`` is the recorded seed).
    """

    rates: pd.DataFrame
    effects: pd.DataFrame
    test: pd.DataFrame | None = None
    pooled: pd.DataFrame | None = None
    outcome: str = ""
    by: str = ""
    strata: str | None = None
    event: str = ""
    reference: Any = None
    alpha: float = 0.05
    rng: Any = None

    @property
    def title(self) -> str:
        return f"Rates of {self.event} by {self.by}"

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"rates": self.rates, "effects": self.effects}
        if self.test is not None:
            out["test"] = self.test
        if self.pooled is not None:
            out["pooled"] = self.pooled
        return out


def compare_rates(
    data: Any,
    outcome: str,
    *,
    by: str = "gender",
    reference: Any = None,
    strata: str | None = None,
    event: Any = None,
    alpha: float = 0.05,
    rng: Any = None,
    exact_threshold: int = 5,
) -> RatesResult:
    """Compare the rate of a yes/no outcome between groups.

    Parameters
    ----------
    data : Cohort or DataFrame
        One row per person.
    outcome : str
        A binary column: boolean (nullable allowed), 0/1, yes/no text, or a
        category with exactly two levels (the second level is the event).  Rows
        with a missing outcome or group are left out and counted in the notes.
    by : str, default="gender"
        Grouping column.  Groups follow the schema order for canonical columns,
        then the column's category order, else sorted; categories nobody has are
        not groups, and groups without any analysable row are dropped with a note.
    reference : optional
        The group every other group is compared with (``estimate`` = group minus,
        or over, reference).  Default, never depending on group sizes: ``"man"``
        for gender (gaps read "women minus men"), ``False`` for a yes/no column,
        else the first group in order; stated as ``.reference`` and in the notes.
    strata : str, optional
        A column such as ``"cohort"``: adds ``.pooled`` with the Mantel-Haenszel
        odds ratio over its levels.
    event : optional
        The value of ``outcome`` that counts as the event (needed for text columns
        that are not yes/no; turns any column into event vs not event).
    alpha : float, default=0.05
        1 - confidence level of every interval.
    rng : None, int or numpy.random.Generator
        Seed for the Monte Carlo test (used only for sparse tables too large to
        enumerate); recorded as ``.rng``.  None means the fixed seed 0.
    exact_threshold : int, default=5
        Odds ratio and risk ratio use large-sample (Woolf, Katz) intervals only
        when all four cells are at least this; otherwise exact / score intervals.

    Returns
    -------
    RatesResult
        ``.rates`` (index = group; columns ``n, events, rate, ci_low, ci_high,
        method, n_missing``), ``.effects`` (columns ``group, reference, measure,
        estimate, ci_low, ci_high, p_value, method, detectable_difference, note``
        with measure in ``risk_difference, risk_ratio, odds_ratio``), ``.test``
        (``statistic, df, p_value, method, reason, mc_se``), ``.pooled`` (with
        ``strata``), plus ``notes`` and ``warnings``.

    Warns
    -----
    SmallSampleWarning
        When an expected count is below 5 or a group has fewer than 10 people
        (also kept in ``.warnings``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"gender": ["woman"] * 40 + ["man"] * 40,
    ...                    "promoted": [True] * 12 + [False] * 28 + [True] * 20 + [False] * 20})
    >>> res = compare_rates(df, "promoted")
    >>> res.reference
    'man'
    >>> res.rates["events"].to_dict()
    {'woman': 12, 'man': 20}
    >>> row = res.effects.query("measure == 'risk_difference'").iloc[0]
    >>> row.group, round(float(row.estimate), 3), round(float(row.p_value), 4)
    ('woman', -0.2, 0.1095)
    """
    _check_alpha(alpha)
    if not isinstance(exact_threshold, (int, np.integer)) or exact_threshold < 0:
        raise AnalysisError(
            f"exact_threshold must be a whole number >= 0; got {plain(exact_threshold)!r}."
        )
    check_column_name(outcome, "outcome")
    check_column_name(by, "by")
    check_column_name(strata, "strata", optional=True)
    frame, derived_notes = with_columns(data, [outcome, by, strata], purpose="compare_rates")
    if outcome == by or (strata is not None and strata in (outcome, by)):
        raise AnalysisError(
            f"outcome, by and strata must be different columns; got outcome={outcome!r}, "
            f"by={by!r}, strata={strata!r}."
        )
    generator, rng_record = resolve_rng(rng)
    notes: list[str] = list(derived_notes)
    y, event_label = _coerce_outcome(frame[outcome], outcome, event)
    groups = frame[by]
    order = group_order(groups, by)
    group_missing = groups.isna().to_numpy()
    y_missing = y.isna().to_numpy()
    if int(group_missing.sum()):
        notes.append(f"{int(group_missing.sum())} row(s) with missing {by!r} left out")
    usable = ~group_missing & ~y_missing
    if not usable.any():
        raise AnalysisError(
            f"Outcome column {outcome!r} has no non-missing value in rows with a {by!r} "
            f"value ({len(frame)} row(s), {int(y_missing.sum())} with a missing outcome): "
            "nothing to analyse."
        )
    n_missing_outcome = int((y_missing & ~group_missing).sum())
    if n_missing_outcome:
        notes.append(f"{n_missing_outcome} row(s) with missing {outcome!r} left out")

    g_equal = _equality(groups)
    y_values = y.to_numpy(dtype=float)
    rows = []
    dropped = []
    for label in order:
        in_group = ~group_missing & g_equal(label)
        n = int(np.sum(in_group & ~y_missing))
        n_miss = int(np.sum(in_group & y_missing))
        if n == 0:
            dropped.append((label, n_miss))
            continue
        k = int(np.nansum(y_values[in_group & ~y_missing]))
        rows.append((label, n, k, n_miss))
    if dropped:
        parts = [f"{lab!s}" + (f" ({m} with missing outcome)" if m else "") for lab, m in dropped]
        notes.append(f"groups with no one to analyse dropped: {', '.join(parts)}")
    labels = [r[0] for r in rows]
    n_arr = np.array([r[1] for r in rows], dtype=np.int64)
    k_arr = np.array([r[2] for r in rows], dtype=np.int64)
    ci = proportion_ci(k_arr, n_arr, alpha=alpha)
    rates = pd.DataFrame(
        {
            "n": n_arr,
            "events": k_arr,
            "rate": k_arr / n_arr,
            "ci_low": np.asarray(ci[0], dtype=float),
            "ci_high": np.asarray(ci[1], dtype=float),
            "method": f"Wilson score {100 * (1 - alpha):g}% CI",
            "n_missing": np.array([r[3] for r in rows], dtype=np.int64),
        },
        index=pd.Index(labels, name="group", dtype=object),
    )

    # reference group: the package's convention, never the group sizes
    if reference is None:
        reference = default_reference(labels, by)
        reference_note = (
            f"reference group: {reference!s} ({reference_reason(reference, labels, by)})"
        )
    else:
        reference = resolve_reference(reference, labels, by)
        reference_note = f"reference group: {reference!s}"
    notes.append(reference_note)
    notes.append(f"event: {event_label}")

    # effects
    effect_rows: list[dict[str, Any]] = []
    ref_i = labels.index(reference)
    k_ref, n_ref = int(k_arr[ref_i]), int(n_arr[ref_i])
    for i, label in enumerate(labels):
        if i == ref_i:
            continue
        det = detectable_difference(
            n_ref, int(n_arr[i]), base_rate=k_ref / n_ref, alpha=0.05, power=0.8
        )
        for row in _pair_effects(
            int(k_arr[i]), int(n_arr[i]), k_ref, n_ref, alpha=alpha, exact_threshold=exact_threshold
        ):
            row.update(group=label, reference=reference, detectable_difference=float(det))
            if det.reason and row["measure"] == "risk_difference":
                row["note"] = "; ".join(
                    x for x in (row["note"], f"detectable difference: {det.reason}") if x
                )
            effect_rows.append(row)
    effects = pd.DataFrame(effect_rows, columns=list(EFFECT_COLUMNS))
    if effect_rows:
        notes.append(
            "detectable_difference: the smallest risk difference from the reference rate "
            "that a two-sided test at alpha 0.05 would detect with 80% power for these "
            "group sizes (normal approximation, as R's power.prop.test)"
        )

    # overall test
    test: pd.DataFrame | None
    n_small, n_cells = 0, 2 * len(labels)
    if len(labels) < 2:
        test = None
        notes.append(
            f"only one group ({labels[0]!s}) has data: there is nothing to compare, so "
            "there are no effects and no test"
        )
    else:
        test, n_small, n_cells = _overall_test(k_arr, n_arr, labels, generator)

    # warnings about small samples
    warn_parts = []
    small_groups = [f"{lab!s} (n = {n})" for lab, n in zip(labels, n_arr, strict=True) if n < 10]
    if small_groups:
        warn_parts.append(f"group(s) with fewer than 10 people: {', '.join(small_groups)}")
    if n_small:
        warn_parts.append(f"{n_small} of {n_cells} expected counts below 5")
    warning_messages: list[str] = []
    if warn_parts:
        message = (
            f"Small sample in compare_rates({outcome!r}, by={by!r}): "
            + "; ".join(warn_parts)
            + ". Exact or score methods were used where needed; intervals are wide."
        )
        warning_messages.append(message)
        warnings.warn(message, SmallSampleWarning, stacklevel=2)

    # strata
    pooled: pd.DataFrame | None = None
    if strata is not None and len(labels) >= 2:
        s_col = frame[strata]
        s_missing = s_col.isna().to_numpy()
        in_analysis = usable & np.logical_or.reduce([g_equal(lab) for lab in labels])
        n_s_missing = int(np.sum(in_analysis & s_missing))
        if n_s_missing:
            notes.append(
                f"{n_s_missing} row(s) with missing {strata!r} left out of the pooled analysis"
            )
        s_order = group_order(s_col, strata)
        s_equal = _equality(s_col)
        pooled_rows = []
        for i, label in enumerate(labels):
            if i == ref_i:
                continue
            tables = []
            for s in s_order:
                in_s = in_analysis & ~s_missing & s_equal(s)
                t = np.zeros((2, 2))
                for r, lab in enumerate((label, reference)):
                    m = in_s & g_equal(lab)
                    ev = float(np.nansum(y_values[m]))
                    t[r] = (ev, float(m.sum()) - ev)
                tables.append(t)
            pooled_rows.append(
                _pooled_row(tables, list(s_order), label, reference, alpha, exact_threshold)
            )
        pooled = pd.DataFrame(pooled_rows, columns=list(POOLED_COLUMNS))
        pooled["n_strata_used"] = pooled["n_strata_used"].astype(np.int64)
    elif strata is not None:
        notes.append("strata ignored: only one group, nothing to pool")

    return RatesResult(
        method="Wilson intervals; Newcombe, Katz/Koopman, Woolf/exact conditional effects; "
        "Fisher exact pairwise p-values",
        rates=rates,
        effects=effects,
        test=test,
        pooled=pooled,
        outcome=outcome,
        by=by,
        strata=strata,
        event=event_label,
        reference=reference,
        alpha=alpha,
        rng=rng_record,
        notes=tuple(notes),
        warnings=tuple(warning_messages),
    )
