"""Output-checking rules for derived statistics, and export safety (formula neutralisation)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from .policies import DisclosurePolicy, _resolve_policy
from .suppression import SuppressedTable, _count_matrix, _extend

# ======================================================================================
# 8. Statistics derived from counts
# ======================================================================================

_EXTREMES = frozenset({"min", "minimum", "max", "maximum", "range"})
_LOCATION = frozenset(
    {
        "mean",
        "median",
        "sd",
        "std",
        "standard_deviation",
        "variance",
        "iqr",
        "q1",
        "q3",
        "quartile",
        "quantile",
        "percentile",
        "mode",
        "mad",
        "se",
        "sem",
    }
)


def _table_fails(counts: Any, pol: DisclosurePolicy) -> bool:
    """Whether any cell of a count table (with its totals) needs suppression."""
    if isinstance(counts, SuppressedTable):
        return bool(counts.suppressed_full.to_numpy().any())
    if isinstance(counts, pd.Series):
        counts = counts.to_frame().T
    if isinstance(counts, np.ndarray):
        counts = pd.DataFrame(np.atleast_2d(counts))
    if isinstance(counts, (list, tuple)):
        if counts and all(
            isinstance(c, (pd.DataFrame, pd.Series, np.ndarray, SuppressedTable)) for c in counts
        ):
            return any(_table_fails(c, pol) for c in counts)
        counts = pd.DataFrame(np.atleast_2d(np.asarray(counts)))
    grid = _extend(_count_matrix(counts, what="counts"))
    return bool(pol._primary(grid).any())


def check_statistic(
    statistic: str,
    *,
    n: int | None = None,
    counts: Any = None,
    policy: str | int | DisclosurePolicy = "standard",
) -> tuple[bool, str]:
    """Whether a statistic may be published under a disclosure policy, and why not.

    * ``min``, ``max`` and ``range`` are never published (each is one person's value);
    * means, medians, standard deviations and quantiles need ``n >= min_n_for_means``;
    * anything else (a p-value, test statistic, odds ratio, risk difference, rate,
      confidence limit, ...) needs the count table(s) behind it: it is withheld when any
      of their cells, totals included, would be suppressed, because with the margins
      known it can reveal the table (a Fisher p-value pins down a 2x2 table).

    Under a policy that suppresses nothing (``internal``) everything but the
    extremes is publishable.

    Parameters
    ----------
    statistic : str
        Its name, e.g. "mean", "median", "p_value", "odds_ratio".
    n : int, optional
        Number of values behind a mean or median.
    counts : DataFrame, Series, array, SuppressedTable or list of them, optional
        The count table(s) behind a test statistic or effect (a Series: group sizes).
    policy : str, int or DisclosurePolicy, default="standard"

    Returns
    -------
    (bool, str)
        Publishable, and the reason when not ("" when publishable).

    Examples
    --------
    >>> check_statistic("median", n=4)
    (False, 'withheld: fewer than 5 values behind it (disclosure control)')
    >>> check_statistic("p_value", counts=pd.DataFrame({"y": [6, 9], "n": [10, 12]}))
    (True, '')
    """
    pol = _resolve_policy(policy)
    if not isinstance(statistic, str) or not statistic.strip():
        raise AnalysisError(f"statistic must be the name of a statistic, not {statistic!r}.")
    key = re.sub(r"[\s\-]+", "_", statistic.strip().lower())
    if key in _EXTREMES:
        return (
            False,
            "withheld: minimum and maximum are never published (each is one person's value)",
        )
    if not pol.suppresses:
        return True, ""
    if key in _LOCATION:
        if n is None:
            raise AnalysisError(
                f"check_statistic({statistic!r}) needs n, the number of values behind it."
            )
        min_n = int(pol.min_n_for_means or 1)
        if n < min_n:
            return False, f"withheld: fewer than {min_n} values behind it (disclosure control)"
        return True, ""
    if counts is None:
        raise AnalysisError(
            f"check_statistic({statistic!r}) needs counts=, the count table behind it "
            "(e.g. the group x outcome table, or the group sizes)."
        )
    if _table_fails(counts, pol):
        return False, (
            f"withheld: a table behind it has counts below {pol.threshold} "
            "(with its totals it could reveal them; disclosure control)"
        )
    return True, ""


def withhold_if_unsafe(
    value: Any,
    counts: Any,
    *,
    policy: str | int | DisclosurePolicy = "standard",
    statistic: str = "estimate",
) -> tuple[Any, str]:
    """Return ``(value, "")`` when publishable, else ``(nan, reason)``.

    For a test statistic or effect estimate computed from ``counts`` (see
    :func:`check_statistic`); the report shows the reason in place of the value.

    Examples
    --------
    >>> withhold_if_unsafe(0.03, pd.DataFrame({"y": [2, 9], "n": [10, 12]}), statistic="p_value")
    (nan, 'withheld: a table behind it has counts below 5 (with its totals it could reveal them; disclosure control)')
    """
    ok, reason = check_statistic(statistic, counts=counts, policy=policy)
    return (value, "") if ok else (math.nan, reason)


# ======================================================================================
# 9. Export safety
# ======================================================================================

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise_cell(value: Any) -> Any:
    """Prefix a single quote to text a spreadsheet would run as a formula.

    Text beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (OWASP, "CSV Injection") gets a leading ``'``; numbers, text that is just a number
    (``-3.5``) and everything else are returned unchanged.

    Examples
    --------
    >>> neutralise_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> neutralise_cell("-3.5"), neutralise_cell(-3.5), neutralise_cell("woman")
    ('-3.5', -3.5, 'woman')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if _PLAIN_NUMBER.match(value):
            return value
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell, column name and index label neutralised.

    See :func:`neutralise_cell`.  Numeric columns are untouched.

    Returns
    -------
    DataFrame
        Same shape; text columns become object columns.

    Examples
    --------
    >>> neutralise_frame(pd.DataFrame({"a": ["=1+1", "ok"], "b": [-1, 2]})).to_dict("list")
    {'a': ["'=1+1", 'ok'], 'b': [-1, 2]}
    """
    if not isinstance(df, pd.DataFrame):
        raise AnalysisError(f"neutralise_frame needs a DataFrame, not {type(df).__name__}.")
    out = df.copy()
    for k in range(out.shape[1]):
        col = out.iloc[:, k]
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            continue
        out.isetitem(k, col.astype(object).map(neutralise_cell))
    out.columns = _neutral_index(out.columns)
    out.index = _neutral_index(out.index)
    return out


def _neutral_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples(
            [tuple(neutralise_cell(v) for v in t) for t in index], names=index.names
        )
    if index.dtype == object or pd.api.types.is_string_dtype(index.dtype):
        return pd.Index([neutralise_cell(v) for v in index], name=index.name, dtype=object)
    return index
