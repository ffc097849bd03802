"""Pooling across programmes or studies: random-effects meta-analysis of log odds ratios.

Several small programmes rarely answer a question alone.  :func:`meta_analysis`
combines one log odds ratio per programme (or any log ratio: risk ratio, hazard
ratio) with inverse-variance weights, under a fixed-effect model and a
random-effects model that lets the true effect differ between programmes by a
between-study variance tau².

tau² is estimated by DerSimonian–Laird (moment estimator), Paule–Mandel (the value
at which the generalised Q statistic equals its degrees of freedom, found by root
finding) or REML (Fisher scoring on the restricted likelihood, the default of R's
metafor), all written here with numpy/scipy so that each step can be checked.

>>> import pandas as pd
>>> studies = pd.DataFrame({"cohort": ["2019", "2020", "2021"],
...                         "log_or": [0.4, 0.1, 0.7], "se": [0.3, 0.25, 0.4]})
>>> res = meta_analysis(studies, estimate="log_or", std_error="se", method="DL")
>>> res.pooled[["model", "estimate", "ci_low", "ci_high"]].round(3)
    model  estimate  ci_low  ci_high
0   fixed     1.367   0.973    1.919
1  random     1.367   0.973    1.919
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize as _opt
from scipy import stats as _sps

from .._conventions import check_column_name, deprecated_argument, group_order, resolve_pair
from .._derived import with_columns
from .._frame import as_frame
from ..exceptions import AnalysisError, SmallSampleWarning, require_columns
from ._result import Result
from .survival import _as_binary, _as_number, _check_alpha, _level

__all__ = ["METHODS", "METHODS_CI", "MetaAnalysisResult", "meta_analysis"]

#: Estimators of the between-study variance tau².
METHODS: dict[str, str] = {
    "DL": "DerSimonian–Laird",
    "PM": "Paule–Mandel",
    "REML": "restricted maximum likelihood",
}
#: Intervals for the random-effects mean.
METHODS_CI: dict[str, str] = {
    "z": "Wald z",
    "hartung_knapp": "Hartung–Knapp t",
    "hartung_knapp_adhoc": "Hartung–Knapp t (ad hoc: never narrower than Wald)",
}
#: Continuity correction added to every cell of a 2×2 table with a zero cell.
CORRECTION = 0.5


@dataclass(frozen=True, kw_only=True, eq=False)
class MetaAnalysisResult(Result):
    """Fixed- and random-effects pooling of per-study log odds ratios.

    Attributes
    ----------
    pooled : DataFrame
        Two rows, ``model`` = ``"fixed"`` and ``"random"``, with ``estimate``
        (pooled odds ratio, i.e. exp of the pooled log odds ratio), ``ci_low``,
        ``ci_high``, ``pi_low``, ``pi_high`` (prediction interval: where the true
        odds ratio of a new study would lie, the random-effects mean ± the interval's
        critical value × sqrt(SE² + tau²) as metafor's ``predict``; NaN for the
        fixed-effect row), ``p_value`` (test of no effect), ``log_estimate``,
        ``std_error`` (of ``log_estimate``), ``statistic`` (z, or t with k - 1 df
        under Hartung–Knapp), ``k`` (studies pooled) and ``method``.
    studies : DataFrame
        One row per study pooled (in input order for per-study estimates; in the
        order of the study column's categories, else sorted, for participant
        records): ``study``; for participant
        records also ``n``, ``events`` (both groups), ``n_reference``,
        ``events_reference``, ``n_compare``, ``events_compare`` and ``correction``
        (0.5 when a zero cell needed the continuity correction, else 0); then
        ``log_estimate``, ``std_error``, ``estimate`` (odds ratio), ``ci_low``,
        ``ci_high`` (Wald), ``weight_fixed`` and ``weight`` (share of the total
        inverse-variance weight under the fixed and random model; each sums to 1).
    heterogeneity : DataFrame
        One row: ``method`` (tau² estimator), ``tau2``, ``tau``, ``I2`` (share of
        the total variance due to between-study differences, tau² / (tau² + s²)
        with s² the typical within-study variance; a proportion in [0, 1], as in
        metafor, equal to (Q - df) / Q for DerSimonian–Laird), ``H2``, ``Q``
        (Cochran's Q), ``Q_df``, ``Q_p_value``.
    dropped : DataFrame
        Studies left out, with ``study`` and ``reason``.
    reference, group : object or None
        The two groups compared (participant records): odds ratios are odds in
        ``group`` over odds in ``reference``.  ``compare`` is the old name of
        ``group``.
    tau2_method, method_ci : str
        The tau² estimator and the interval method of the random-effects mean.
    alpha : float
        1 - confidence level.
    """

    pooled: pd.DataFrame
    studies: pd.DataFrame
    heterogeneity: pd.DataFrame
    dropped: pd.DataFrame
    reference: Any = None
    group: Any = None
    tau2_method: str = "REML"
    method_ci: str = "z"
    alpha: float = 0.05
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def compare(self) -> Any:
        """The old name of :attr:`group` (kept for one release)."""
        return self.group

    @property
    def title(self) -> str:
        return "Meta-analysis of odds ratios across studies"

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"pooled": self.pooled, "heterogeneity": self.heterogeneity, "studies": self.studies}
        if not self.dropped.empty:
            out["dropped"] = self.dropped
        return out


# --------------------------------------------------------------------------------------
# tau² estimators (intercept-only random-effects model)
# --------------------------------------------------------------------------------------


def _weighted_mean(y: np.ndarray, v: np.ndarray, tau2: float) -> tuple[float, np.ndarray]:
    w = 1.0 / (v + tau2)
    return float(np.sum(w * y) / np.sum(w)), w


def _tau2_dl(y: np.ndarray, v: np.ndarray) -> float:
    mu, w = _weighted_mean(y, v, 0.0)
    q = float(np.sum(w * (y - mu) ** 2))
    c = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - (len(y) - 1)) / c)


def _generalised_q(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    mu, w = _weighted_mean(y, v, tau2)
    return float(np.sum(w * (y - mu) ** 2))


def _tau2_pm(y: np.ndarray, v: np.ndarray) -> float:
    """Paule–Mandel: the tau² at which the generalised Q equals k - 1 (0 if Q(0) <= k - 1)."""
    df = len(y) - 1

    def f(t: float) -> float:
        return _generalised_q(t, y, v) - df

    if f(0.0) <= 0:
        return 0.0
    high = max(float(np.var(y, ddof=1)), float(np.max(v)), 1e-8)
    while f(high) > 0:
        high *= 2.0
    return float(_opt.brentq(f, 0.0, high, xtol=1e-15, rtol=4 * np.finfo(float).eps, maxiter=500))


def _reml_loglik(tau2: float, y: np.ndarray, v: np.ndarray) -> float:
    mu, w = _weighted_mean(y, v, tau2)
    return float(-0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2)))


def _tau2_reml(y: np.ndarray, v: np.ndarray) -> tuple[float, bool]:
    """REML by Fisher scoring, truncated at 0, with step halving (start: DL)."""
    tau2 = _tau2_dl(y, v)
    for _ in range(500):
        mu, w = _weighted_mean(y, v, tau2)
        sw, sw2, sw3 = np.sum(w), np.sum(w**2), np.sum(w**3)
        score = 0.5 * (np.sum(w**2 * (y - mu) ** 2) - sw + sw2 / sw)
        info = 0.5 * (sw2 - 2 * sw3 / sw + (sw2 / sw) ** 2)
        new = max(0.0, tau2 + score / info)
        ll_old = _reml_loglik(tau2, y, v)
        halvings = 0
        while _reml_loglik(new, y, v) < ll_old - 1e-14 * (1 + abs(ll_old)) and halvings < 60:
            new = (tau2 + new) / 2
            halvings += 1
        if abs(new - tau2) <= 1e-13 * (1 + tau2):
            return new, True
        tau2 = new
    return tau2, False


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


def _from_estimates(
    frame: pd.DataFrame, estimate: str, std_error: str, study: str
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[str]]:
    require_columns(frame, [study, estimate, std_error], purpose="a meta-analysis of estimates")
    labels = frame[study]
    counts = labels.value_counts(dropna=True)
    repeated = counts[counts > 1]
    if not repeated.empty:
        raise AnalysisError(
            f"Each study must appear once in column {study!r} when estimates are given; "
            f"{[str(s) for s in repeated.index[:10]]} appear more than once. "
            "For participant records pass outcome= and by= instead of estimate=."
        )
    y = _as_number(frame[estimate], estimate)
    se = _as_number(frame[std_error], std_error)
    label_missing = labels.isna().to_numpy(copy=True)
    notes: list[str] = []
    if label_missing.any():
        notes.append(f"{int(label_missing.sum())} row(s) left out because {study!r} is missing.")
    dropped: list[dict[str, Any]] = []
    rows = []
    for i in np.flatnonzero(~label_missing):
        name = labels.iloc[i]
        if np.isnan(y[i]) or np.isnan(se[i]):
            dropped.append({"study": name, "reason": f"{estimate!r} or {std_error!r} missing"})
            continue
        if not np.isfinite(y[i]) or not np.isfinite(se[i]) or se[i] <= 0:
            raise AnalysisError(
                f"Study {name!r}: {std_error!r} must be a positive finite number and {estimate!r} "
                "finite (a log odds ratio). A zero or infinite value usually means a zero cell: "
                "pass the participant records (outcome=, by=) so a continuity correction is used."
            )
        rows.append({"study": name, "log_estimate": float(y[i]), "std_error": float(se[i])})
    return pd.DataFrame(rows, columns=["study", "log_estimate", "std_error"]), dropped, notes


def _from_records(
    frame: pd.DataFrame,
    outcome: str,
    by: str,
    study: str,
    reference: Any,
    compare: Any,
) -> tuple[pd.DataFrame, list[dict[str, Any]], list[str], dict[str, int], Any, Any]:
    # ``compare`` is the group compared with ``reference`` (the result's ``group``)
    frame, derived_notes = with_columns(
        frame, [study, by, outcome], purpose="a meta-analysis of participant records"
    )
    y = _as_binary(frame[outcome], outcome)
    group = frame[by]
    label = frame[study]
    notes: list[str] = list(derived_notes)
    excluded: dict[str, int] = {}
    # group and study labels: only NA is missing (as in every function)
    missing = {
        outcome: np.isnan(y),
        by: group.isna().to_numpy(copy=True),
        study: label.isna().to_numpy(copy=True),
    }
    keep = np.ones(len(frame), dtype=bool)
    for column, mask in missing.items():
        mask = mask & keep
        if mask.any():
            reason = f"{column!r} missing"
            excluded[reason] = int(mask.sum())
            notes.append(f"{int(mask.sum())} row(s) left out because {reason}.")
        keep &= ~mask
    groups = group_order(group[keep], by)
    gvals = group.to_numpy()
    if len(groups) < 2 and reference is None and compare is None:
        shown = repr(groups[0]) if groups else "none"
        raise AnalysisError(
            f"Odds ratios compare two groups, but column {by!r} has only one group among the "
            f"rows analysed ({shown})."
        )
    compare, reference, _ = resolve_pair(groups, by, reference, compare)
    other = keep & ~np.isin(gvals, np.array([reference, compare], dtype=object))
    if other.any():
        reason = f"{by!r} is neither {reference!r} nor {compare!r}"
        excluded[reason] = int(other.sum())
        notes.append(f"{int(other.sum())} row(s) left out because {reason}.")
        keep &= ~other
    studies = group_order(label[keep], study)
    lab = label.to_numpy()
    rows: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for s in studies:
        in_s = keep & (lab == s)
        is_c = in_s & (gvals == compare)
        is_r = in_s & (gvals == reference)
        n_c, n_r = int(is_c.sum()), int(is_r.sum())
        e_c, e_r = int(np.sum(y[is_c] == 1)), int(np.sum(y[is_r] == 1))
        if n_c == 0 or n_r == 0:
            missing_group = compare if n_c == 0 else reference
            dropped.append({"study": s, "reason": f"nobody in group {missing_group!r}"})
            continue
        if e_c == 0 and e_r == 0:
            dropped.append({"study": s, "reason": f"no {outcome!r} events in either group"})
            continue
        if e_c == n_c and e_r == n_r:
            dropped.append({"study": s, "reason": f"everyone had {outcome!r} in both groups"})
            continue
        cells = np.array([e_c, n_c - e_c, e_r, n_r - e_r], dtype=float)
        correction = CORRECTION if np.any(cells == 0) else 0.0
        a, b, c, d = cells + correction
        rows.append(
            {
                "study": s,
                "n": n_c + n_r,
                "events": e_c + e_r,
                "n_reference": n_r,
                "events_reference": e_r,
                "n_compare": n_c,
                "events_compare": e_c,
                "correction": correction,
                "log_estimate": float(np.log(a * d / (b * c))),
                "std_error": float(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)),
            }
        )
        if correction:
            notes.append(
                f"Study {s!r} has a zero cell: {CORRECTION} was added to each of its four cells."
            )
    columns = [
        "study",
        "n",
        "events",
        "n_reference",
        "events_reference",
        "n_compare",
        "events_compare",
        "correction",
        "log_estimate",
        "std_error",
    ]
    return pd.DataFrame(rows, columns=columns), dropped, notes, excluded, reference, compare


# --------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------


def meta_analysis(
    data: Any,
    *,
    estimate: str | None = None,
    std_error: str | None = None,
    outcome: str | None = None,
    by: str = "gender",
    study: str = "cohort",
    reference: Any = None,
    group: Any = None,
    method: str = "REML",
    method_ci: str = "z",
    alpha: float = 0.05,
    compare: Any = None,
) -> MetaAnalysisResult:
    """Pool odds ratios across programmes or studies (fixed and random effects).

    Two kinds of input:

    * **per-study estimates**: ``estimate=`` names a column of log odds ratios (or
      other log ratios) and ``std_error=`` their standard errors; ``study=`` labels
      the rows (one row per study);
    * **participant records**: ``outcome=`` (yes/no), ``by=`` (two groups) and
      ``study=`` (e.g. cohort or programme).  Each study's log odds ratio
      (``group`` vs ``reference``) and standard error come from its 2×2 table;
      a table with a zero cell gets 0.5 added to each cell (stated per study);
      studies with no events in either group, everyone with the event in both
      groups, or nobody in one group, are dropped and named.

    Parameters
    ----------
    data : Cohort or DataFrame
        Per-study estimates or participant records; never modified.
    estimate, std_error : str, optional
        Columns of log odds ratios and their standard errors (first form).
    outcome : str, optional
        Yes/no outcome column (second form), e.g. ``"promoted"``.
    by : str, default="gender"
        Column with the two groups compared (second form).
    study : str, default="cohort"
        Column labelling the studies or programmes.
    reference, group : optional
        The groups compared: odds ratio = odds in ``group`` / odds in
        ``reference``.  Default reference, never depending on group sizes (as every
        function): ``"man"`` for gender, ``False`` for a yes/no column, else the
        first group in order; default group: the first other group in order.  Rows
        in further groups are left out and counted.
    method : {"REML", "DL", "PM"}, default="REML"
        Estimator of tau²: restricted maximum likelihood (Fisher scoring; R
        metafor's default), DerSimonian–Laird, or Paule–Mandel.
    method_ci : {"z", "hartung_knapp", "hartung_knapp_adhoc"}, default="z"
        Interval and test for the random-effects mean: Wald z; the
        Hartung–Knapp(–Sidik–Jonkman) adjustment with a t distribution on k - 1 df
        (recommended with few studies; metafor ``test="knha"``); or its ad hoc
        variant whose standard error is never below the Wald one (Knapp & Hartung
        2003; metafor ``test="adhoc"``), since plain Hartung–Knapp can be narrower
        than Wald when the studies agree closely.  The fixed-effect row always uses z.
    alpha : float, default=0.05
        1 - confidence level.
    compare : optional
        Deprecated: the old name of ``group``.

    Returns
    -------
    MetaAnalysisResult
        ``.pooled`` (rows ``fixed`` and ``random``; columns ``model, estimate,
        ci_low, ci_high, pi_low, pi_high, p_value, log_estimate, std_error,
        statistic, k, method``; ``pi_*`` is the prediction interval of the
        random-effects model), ``.studies`` (per-study odds ratios with ``weight`` for a
        forest plot), ``.heterogeneity`` (``method, tau2, tau, I2, H2, Q, Q_df,
        Q_p_value``) and ``.dropped`` (``study, reason``).  See
        :class:`MetaAnalysisResult` for every column.  A ``SmallSampleWarning`` is
        raised (and kept) with fewer than 3 studies.

    Raises
    ------
    AnalysisError
        Both or neither input forms named; a bad ``method``, ``method_ci`` or
        ``alpha``; fewer than two studies with usable data; wrong groups.
    ColumnError
        A named column is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({
    ...     "cohort": ["A"] * 8 + ["B"] * 8 + ["C"] * 8,
    ...     "gender": ["woman", "man"] * 12,
    ...     "promoted": [1, 1, 0, 1, 0, 1, 0, 0] + [1, 0, 0, 1, 0, 1, 1, 1]
    ...                 + [0, 1, 0, 0, 1, 1, 0, 1],
    ... })
    >>> res = meta_analysis(records, outcome="promoted", method="PM")
    >>> res.studies[["study", "n_reference", "events_reference", "n_compare", "events_compare"]]
      study  n_reference  events_reference  n_compare  events_compare
    0     A            4                 3          4               1
    1     B            4                 3          4               2
    2     C            4                 3          4               1
    >>> res.group, res.reference
    ('woman', 'man')
    """
    _check_alpha(alpha)
    method_key = str(method).upper()
    if method_key not in METHODS:
        raise AnalysisError(
            f"method must be one of {list(METHODS)} (tau² estimator), not {method!r}."
        )
    if method_ci not in METHODS_CI:
        raise AnalysisError(f"method_ci must be one of {list(METHODS_CI)}, not {method_ci!r}.")
    frame = as_frame(data)
    for value, name in ((estimate, "estimate"), (std_error, "std_error"), (outcome, "outcome")):
        check_column_name(value, name, optional=True)
    check_column_name(by, "by")
    check_column_name(study, "study")
    records = outcome is not None
    if records and (estimate is not None or std_error is not None):
        raise AnalysisError(
            "Pass either estimate= and std_error= (one row per study) or outcome= (participant "
            "records), not both."
        )
    if not records and (estimate is None or std_error is None):
        raise AnalysisError(
            "Name the input: estimate= and std_error= for per-study log odds ratios, or "
            "outcome= (with by= and study=) for participant records."
        )
    group = deprecated_argument("meta_analysis", "compare", "group", compare, group)
    excluded: dict[str, int] = {}
    if records:
        table, dropped, notes, excluded, reference, group = _from_records(
            frame, str(outcome), by, study, reference, group
        )
    else:
        table, dropped, notes = _from_estimates(frame, str(estimate), str(std_error), study)
        reference = group = None
    dropped_frame = pd.DataFrame(dropped, columns=["study", "reason"])
    for row in dropped:
        notes.append(f"Study {row['study']!r} dropped: {row['reason']}.")
    k = len(table)
    if k < 2:
        detail = "; ".join(f"{r['study']!r}: {r['reason']}" for r in dropped) or "none dropped"
        have = f"only {table['study'].iloc[0]!r}" if k == 1 else "none"
        raise AnalysisError(
            f"Pooling needs at least two studies with usable data; {have} remained "
            f"(dropped: {detail})."
        )

    y = table["log_estimate"].to_numpy(float)
    v = table["std_error"].to_numpy(float) ** 2
    z = float(_sps.norm.ppf(1 - alpha / 2))

    # fixed effect and heterogeneity
    mu_fe, w_fe = _weighted_mean(y, v, 0.0)
    se_fe = float(1 / np.sqrt(np.sum(w_fe)))
    q = float(np.sum(w_fe * (y - mu_fe) ** 2))
    q_df = k - 1
    q_p = float(_sps.chi2.sf(q, q_df))

    converged = True
    if method_key == "DL":
        tau2 = _tau2_dl(y, v)
    elif method_key == "PM":
        tau2 = _tau2_pm(y, v)
    else:
        tau2, converged = _tau2_reml(y, v)
    mu_re, w_re = _weighted_mean(y, v, tau2)
    se_wald = float(1 / np.sqrt(np.sum(w_re)))
    hk = method_ci.startswith("hartung_knapp")
    hk_notes: list[str] = []
    if hk:
        se_re = float(np.sqrt(np.sum(w_re * (y - mu_re) ** 2) / ((k - 1) * np.sum(w_re))))
        if method_ci == "hartung_knapp_adhoc":
            se_re = max(se_re, se_wald)
        elif se_re < se_wald:
            hk_notes.append(
                "The Hartung–Knapp interval is narrower than the Wald interval because the "
                "studies agree more closely than chance alone would suggest (Q < k - 1); "
                "method_ci='hartung_knapp_adhoc' never goes below the Wald standard error."
            )
        crit = float(_sps.t.ppf(1 - alpha / 2, k - 1))
        if se_re > 0:
            stat_re = mu_re / se_re
            p_re = float(2 * _sps.t.sf(abs(stat_re), k - 1))
        else:
            stat_re = p_re = float("nan")
            hk_notes.append(
                "All study estimates are equal, so the Hartung–Knapp standard error is 0 and "
                "its test is undefined; use method_ci='hartung_knapp_adhoc' or 'z'."
            )
    else:
        se_re = se_wald
        crit = z
        stat_re = mu_re / se_re
        p_re = float(2 * _sps.norm.sf(abs(stat_re)))
    s2 = (k - 1) * np.sum(w_fe) / (np.sum(w_fe) ** 2 - np.sum(w_fe**2))
    i2 = float(tau2 / (tau2 + s2))
    h2 = float((tau2 + s2) / s2)

    fixed_method = f"inverse-variance fixed effect, Wald z {_level(alpha)} interval"
    random_method = (
        f"inverse-variance random effects, tau² by {METHODS[method_key]} ({method_key}), "
        f"{METHODS_CI[method_ci]} {_level(alpha)} interval" + (f" on {k - 1} df" if hk else "")
    )
    stat_fe = mu_fe / se_fe
    # prediction interval for the true effect in a new study (metafor's predict.rma):
    # the random-effects mean +/- crit * sqrt(SE^2 + tau^2), with the same critical value
    # (and SE) as the interval of the mean; none under the fixed-effect model
    pi_half = crit * float(np.sqrt(se_re**2 + tau2))
    pooled = pd.DataFrame(
        {
            "model": ["fixed", "random"],
            "estimate": np.exp([mu_fe, mu_re]),
            "ci_low": np.exp([mu_fe - z * se_fe, mu_re - crit * se_re]),
            "ci_high": np.exp([mu_fe + z * se_fe, mu_re + crit * se_re]),
            "pi_low": [float("nan"), float(np.exp(mu_re - pi_half))],
            "pi_high": [float("nan"), float(np.exp(mu_re + pi_half))],
            "p_value": [float(2 * _sps.norm.sf(abs(stat_fe))), p_re],
            "log_estimate": [mu_fe, mu_re],
            "std_error": [se_fe, se_re],
            "statistic": [stat_fe, stat_re],
            "k": [k, k],
            "method": [fixed_method, random_method],
        }
    )
    heterogeneity = pd.DataFrame(
        {
            "method": [method_key],
            "tau2": [tau2],
            "tau": [float(np.sqrt(tau2))],
            "I2": [i2],
            "H2": [h2],
            "Q": [q],
            "Q_df": [q_df],
            "Q_p_value": [q_p],
        }
    )
    studies = table.copy()
    se = studies["std_error"].to_numpy(float)
    studies["estimate"] = np.exp(y)
    studies["ci_low"] = np.exp(y - z * se)
    studies["ci_high"] = np.exp(y + z * se)
    studies["weight_fixed"] = w_fe / np.sum(w_fe)
    studies["weight"] = w_re / np.sum(w_re)

    if records:
        notes.insert(
            0,
            f"Odds ratios compare {group!r} with {reference!r} (reference): above 1 means "
            f"higher odds of {outcome!r} in {group!r}.",
        )
    else:
        notes.insert(
            0,
            f"Estimates in {estimate!r} are pooled on the log scale and reported as ratios (exp).",
        )
    if tau2 == 0:
        notes.append(
            "tau² was estimated as 0 (no between-study variation beyond chance), so the "
            "random-effects estimate equals the fixed-effect one"
            + (" (the interval differs only through the Hartung–Knapp method)." if hk else ".")
        )
    notes.append(
        f"pi_low, pi_high: {_level(alpha)} prediction interval of the random-effects model, "
        "where the true odds ratio of a new programme like these would lie (as metafor's "
        "predict: estimate +/- the interval's critical value x sqrt(SE² + tau²)); the "
        "fixed-effect model has none."
    )
    notes.extend(hk_notes)
    if not converged:
        notes.append("The REML iterations did not fully converge; tau² is the last iterate.")
    warns: list[str] = []
    if k < 3:
        warns.append(
            f"Only {k} studies were pooled: tau² and I² are very imprecise and a random-effects "
            "interval can be misleading; consider method_ci='hartung_knapp'."
        )
    method_text = f"{random_method}; fixed effect for comparison"
    for w in warns:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return MetaAnalysisResult(
        method=method_text,
        notes=tuple(notes),
        warnings=tuple(warns),
        pooled=pooled,
        studies=studies,
        heterogeneity=heterogeneity,
        dropped=dropped_frame,
        reference=reference,
        group=group,
        tau2_method=method_key,
        method_ci=method_ci,
        alpha=float(alpha),
        excluded=excluded,
    )
