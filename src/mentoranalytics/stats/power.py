"""Power and multiplicity: the smallest detectable difference and p-value adjustment.

Small cohorts can only detect large differences.  :func:`detectable_difference`
puts a number on that next to every two-group comparison, :func:`sample_size` says
how many participants (for instance several cohorts pooled) a gap of a given size
would need, and :func:`adjust_pvalues` keeps the family-wise error rate (Holm, Bonferroni) or the
false discovery rate (Benjamini-Hochberg) in check when several outcomes are
compared.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from scipy import optimize, stats

from ..exceptions import AnalysisError

__all__ = ["DetectableDifference", "adjust_pvalues", "detectable_difference", "sample_size"]

PowerMethod = Literal["normal", "arcsine"]
Direction = Literal["either", "increase", "decrease"]
Alternative = Literal["two-sided", "one-sided"]

_ADJUST_METHODS = ("holm", "bonferroni", "fdr_bh")


class DetectableDifference(float):
    """A float that also carries ``reason`` (why it is NaN, or ``""``) and ``method``.

    It behaves exactly like a float in arithmetic and comparisons.
    """

    reason: str
    method: str

    def __new__(cls, value: float, reason: str = "", method: str = "") -> DetectableDifference:
        obj = super().__new__(cls, value)
        obj.reason = reason
        obj.method = method
        return obj

    def __repr__(self) -> str:
        return float.__repr__(self)


def _check_probability(value: Any, name: str, *, open_interval: bool) -> None:
    arr = np.asarray(value, dtype=float)
    if open_interval:
        bad = ~((arr > 0) & (arr < 1))
        allowed = "strictly between 0 and 1"
    else:
        bad = ~((arr >= 0) & (arr <= 1))
        allowed = "between 0 and 1"
    if np.any(bad):
        shown = float(arr.flat[int(np.flatnonzero(bad)[0])])
        raise AnalysisError(f"{name} must be {allowed}; got {shown!r}.")


def _normal_power(d: float, n1: float, n2: float, p1: float, z_alpha: float) -> float:
    """Approximate power to detect p2 = p1 + d (pooled SE under H0, unpooled under H1)."""
    p2 = p1 + d
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
    se0 = math.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))
    se1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    if se1 == 0:  # both rates at a boundary: the difference is certain
        return 1.0 if abs(d) > z_alpha * se0 else 0.0
    return float(stats.norm.cdf((abs(d) - z_alpha * se0) / se1))


def _detectable_one(
    n1: float,
    n2: float,
    p1: float,
    z_alpha: float,
    z_beta: float,
    power: float,
    method: str,
    direction: str,
) -> tuple[float, str]:
    if not (np.isfinite(n1) and np.isfinite(n2)):
        return math.nan, "a group size is missing"
    if n1 <= 0 or n2 <= 0:
        return math.nan, "a group is empty (n = 0): no difference is detectable"
    if not np.isfinite(p1):
        return math.nan, "the base rate is missing"
    candidates: list[float] = []
    if method == "arcsine":
        h = (z_alpha + z_beta) * math.sqrt(1 / n1 + 1 / n2)
        phi1 = 2 * math.asin(math.sqrt(p1))
        if direction in ("either", "increase") and phi1 + h <= math.pi:
            candidates.append(math.sin((phi1 + h) / 2) ** 2 - p1)
        if direction in ("either", "decrease") and phi1 - h >= 0:
            candidates.append(p1 - math.sin((phi1 - h) / 2) ** 2)
    else:
        bounds = []
        if direction in ("either", "increase") and p1 < 1:
            bounds.append(1 - p1)
        if direction in ("either", "decrease") and p1 > 0:
            bounds.append(-p1)
        for bound in bounds:

            def gap(d: float) -> float:
                return _normal_power(d, n1, n2, p1, z_alpha) - power

            if gap(bound) < 0:
                continue  # even the largest possible difference is under-powered
            tiny = math.copysign(1e-12, bound)
            if gap(tiny) >= 0:
                candidates.append(0.0)
                continue
            root = optimize.brentq(gap, tiny, bound, xtol=1e-13, rtol=1e-13, maxiter=500)
            candidates.append(abs(root))
    if not candidates:
        return (
            math.nan,
            f"no difference within the possible range reaches power {power:g} "
            f"with n = {n1:g} and {n2:g} at a base rate of {p1:g}",
        )
    return min(candidates), ""


def detectable_difference(
    n1: Any,
    n2: Any,
    *,
    base_rate: Any,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: Alternative = "two-sided",
    method: PowerMethod = "normal",
    direction: Direction = "either",
) -> Any:
    """Smallest absolute risk difference two groups of these sizes could detect.

    Group 1 has the rate ``base_rate``; the function finds the smallest ``d`` such
    that a test at level ``alpha`` has the requested ``power`` against a rate of
    ``base_rate + d`` (or ``base_rate - d``) in group 2.

    Parameters
    ----------
    n1, n2 : int, float or array_like
        Group sizes (group 1 is the one with ``base_rate``, usually the reference).
    base_rate : float or array_like
        Event rate in group 1, between 0 and 1.
    alpha : float, default=0.05
        Significance level.
    power : float, default=0.8
        Required power.
    alternative : {"two-sided", "one-sided"}, default="two-sided"
        Two-sided uses the critical value ``z(1 - alpha/2)``; as in R's
        ``power.prop.test(strict = FALSE)`` the (negligible) chance of rejecting in
        the wrong direction is not counted.
    method : {"normal", "arcsine"}, default="normal"
        ``"normal"``: the normal approximation of R's ``power.prop.test``, extended
        to unequal groups: the standard error under the null hypothesis uses the
        pooled rate ``(n1 p1 + n2 p2) / (n1 + n2)``, the one under the
        alternative the unpooled rates, and the equation
        ``power = Phi((|d| - z_alpha SE0) / SE1)`` is solved for ``d``.  With
        ``n1 == n2`` this is exactly ``power.prop.test``.
        ``"arcsine"``: Cohen's effect size ``h = 2 asin(sqrt(p2)) - 2 asin(sqrt(p1))``
        with ``|h| = (z_alpha + z_beta) sqrt(1/n1 + 1/n2)``, converted back to a
        difference in rates.
    direction : {"either", "increase", "decrease"}, default="either"
        Look for a higher rate in group 2, a lower one, or either (the smaller of
        the two detectable differences; at a base rate of 0.5 they are equal).

    Returns
    -------
    DetectableDifference or numpy.ndarray
        For scalar input a float (subclass) with ``.reason``: ``""`` or why the
        value is NaN (a group of size 0, or no difference within [0, 1] reaches
        the power).  For array input an array of floats (NaN where undefined).

    Examples
    --------
    R's ``power.prop.test(n = 50, p1 = .5, power = .90)`` gives ``p2 = 0.8026`` (to
    the tolerance of its root finder):

    >>> round(detectable_difference(50, 50, base_rate=0.5, power=0.9), 4)
    0.3026
    >>> detectable_difference(0, 20, base_rate=0.3).reason
    'a group is empty (n = 0): no difference is detectable'
    """
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be strictly between 0 and 1; got {alpha!r}.")
    if not 0 < power < 1:
        raise AnalysisError(f"power must be strictly between 0 and 1; got {power!r}.")
    if alternative not in ("two-sided", "one-sided"):
        raise AnalysisError(f"alternative must be 'two-sided' or 'one-sided'; got {alternative!r}.")
    if method not in ("normal", "arcsine"):
        raise AnalysisError(f"method must be 'normal' or 'arcsine'; got {method!r}.")
    if direction not in ("either", "increase", "decrease"):
        raise AnalysisError(
            f"direction must be 'either', 'increase' or 'decrease'; got {direction!r}."
        )
    a1, a2, ab = np.broadcast_arrays(
        np.asarray(n1, dtype=float), np.asarray(n2, dtype=float), np.asarray(base_rate, float)
    )
    if np.any(a1 < 0) or np.any(a2 < 0):
        raise AnalysisError("n1 and n2 must be >= 0 (group sizes).")
    _check_probability(ab[np.isfinite(ab)], "base_rate", open_interval=False)
    z_alpha = float(stats.norm.ppf(1 - alpha / 2 if alternative == "two-sided" else 1 - alpha))
    z_beta = float(stats.norm.ppf(power))
    label = (
        f"{'normal approximation (pooled SE under H0)' if method == 'normal' else 'arcsine (Cohen h)'}"
        f", {alternative}, alpha={alpha:g}, power={power:g}"
    )
    if a1.ndim == 0:
        value, reason = _detectable_one(
            float(a1), float(a2), float(ab), z_alpha, z_beta, power, method, direction
        )
        return DetectableDifference(value, reason, label)
    out = np.empty(a1.shape, dtype=float)
    for idx in np.ndindex(a1.shape):
        out[idx] = _detectable_one(
            float(a1[idx]),
            float(a2[idx]),
            float(ab[idx]),
            z_alpha,
            z_beta,
            power,
            method,
            direction,
        )[0]
    return out


def sample_size(
    difference: float,
    *,
    base_rate: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: Alternative = "two-sided",
) -> float:
    """Participants needed in group 1 to detect a risk difference of ``difference``.

    The inverse of :func:`detectable_difference` (``method="normal"``): group 1 has the
    rate ``base_rate``, group 2 (``ratio`` times as many participants) the rate
    ``base_rate + difference``; the result is the group-1 size ``n`` at which a test
    at level ``alpha`` has the requested ``power``.  With the standard error under
    the null hypothesis from the pooled rate and the one under the alternative from
    the two rates, the power equation has the closed form

    ``n = ((z_alpha * sqrt(pbar qbar (1 + 1/ratio)) + z_beta * sqrt(p1 q1 + p2 q2 / ratio)) / d) ** 2``

    with ``pbar = (p1 + ratio p2) / (1 + ratio)``.  With ``ratio=1`` this is R's
    ``power.prop.test(p1, p2, power = ...)$n`` (``strict = FALSE``).

    Parameters
    ----------
    difference : float
        The gap to detect, as a difference in proportions (0.15 = 15 points); its sign
        says whether group 2's rate is higher or lower.
    base_rate : float
        The rate in group 1, strictly between 0 and 1.
    alpha : float, default=0.05
        Significance level.
    power : float, default=0.8
        Required power.
    ratio : float, default=1.0
        Size of group 2 relative to group 1.
    alternative : {"two-sided", "one-sided"}, default="two-sided"

    Returns
    -------
    float
        Participants in group 1 (not rounded: round up for planning); group 2 needs
        ``ratio`` times as many.

    Raises
    ------
    AnalysisError
        When ``difference`` is 0 or moves the rate outside (0, 1), or an option is out
        of range.

    Examples
    --------
    R's ``power.prop.test(p1 = .50, p2 = .75, power = .90)`` gives ``n = 76.70693``:

    >>> round(sample_size(0.25, base_rate=0.5, power=0.9), 5)
    76.70693
    >>> sample_size(0.15, base_rate=0.5) > sample_size(0.30, base_rate=0.5)
    True
    """
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be strictly between 0 and 1; got {alpha!r}.")
    if not 0 < power < 1:
        raise AnalysisError(f"power must be strictly between 0 and 1; got {power!r}.")
    if alternative not in ("two-sided", "one-sided"):
        raise AnalysisError(f"alternative must be 'two-sided' or 'one-sided'; got {alternative!r}.")
    if not (math.isfinite(ratio) and ratio > 0):
        raise AnalysisError(f"ratio must be a positive number (group 2 / group 1); got {ratio!r}.")
    _check_probability(base_rate, "base_rate", open_interval=True)
    d = float(difference)
    if not math.isfinite(d) or d == 0:
        raise AnalysisError(
            f"difference must be a non-zero gap in proportions (0.15 = 15 points); got {difference!r}."
        )
    p1, p2 = float(base_rate), float(base_rate) + d
    if not 0 < p2 < 1:
        raise AnalysisError(
            f"base_rate + difference must lie strictly between 0 and 1; got {p2!r} "
            f"({base_rate!r} + {difference!r})."
        )
    z_alpha = float(stats.norm.ppf(1 - alpha / 2 if alternative == "two-sided" else 1 - alpha))
    z_beta = float(stats.norm.ppf(power))
    pbar = (p1 + ratio * p2) / (1 + ratio)
    null_sd = math.sqrt(pbar * (1 - pbar) * (1 + 1 / ratio))
    alt_sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio)
    return ((z_alpha * null_sd + z_beta * alt_sd) / abs(d)) ** 2


def adjust_pvalues(p_values: Any, *, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple comparisons.

    Parameters
    ----------
    p_values : array_like
        Raw p-values in [0, 1].  NaNs (tests that could not be done) are passed
        through untouched and do not count towards the number of tests.
    method : {"holm", "bonferroni", "fdr_bh"}, default="holm"
        ``"holm"``: Holm's step-down method (controls the family-wise error rate,
        uniformly more powerful than Bonferroni); ``"bonferroni"``: ``min(1, m p)``;
        ``"fdr_bh"``: Benjamini-Hochberg step-up (controls the false discovery
        rate).  The same definitions as R's ``p.adjust`` (``"holm"``,
        ``"bonferroni"``, ``"BH"``).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape and order as the input.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, float("nan")], method="holm").tolist()
    [0.03, 0.06, 0.06, nan]
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="fdr_bh").round(6).tolist()
    [0.03, 0.04, 0.04]
    """
    aliases = {"bh": "fdr_bh", "benjamini-hochberg": "fdr_bh", "fdr": "fdr_bh"}
    key = aliases.get(str(method).lower(), str(method).lower())
    if key not in _ADJUST_METHODS:
        raise AnalysisError(f"method must be one of {list(_ADJUST_METHODS)}; got {method!r}.")
    p = np.array(p_values, dtype=float)  # a copy: the caller's array is never changed
    finite = ~np.isnan(p)
    if np.any((p[finite] < 0) | (p[finite] > 1)):
        raise AnalysisError("p_values must lie between 0 and 1 (NaN allowed for missing).")
    values = p[finite]
    m = values.size
    if m == 0:
        return p
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    if key == "bonferroni":
        adj_sorted = np.minimum(1.0, m * ranked)
    elif key == "holm":
        adj_sorted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * ranked))
    else:  # Benjamini-Hochberg
        steps = m / np.arange(1, m + 1) * ranked
        adj_sorted = np.minimum(1.0, np.minimum.accumulate(steps[::-1])[::-1])
    adjusted = np.empty(m)
    adjusted[order] = adj_sorted
    p[finite] = adjusted
    return p
