"""Table 1: the characteristics of each group, with tests and standardised differences.

:func:`summary_table` aggregates first and computes statistics from the aggregates:
one pass of counts per group for categorical variables, per-group moments and
quantiles for numeric ones, so a ten-variable table over a million rows takes well
under two seconds.

Rules (stated on every result):

* **Categorical and yes/no variables**: ``n (%)`` with the group's non-missing values
  as denominator; a ``missing`` row counts the missing values.  Test: Pearson's
  chi-square (Yates' correction for 2 x 2), or, when an expected count is below 5,
  Fisher's exact test (2 x 2) or a seeded Monte Carlo Fisher-Freeman-Halton test
  (larger tables, :data:`N_MONTE_CARLO` tables with the observed margins).
* **Numeric variables**: ``mean (SD)`` with Welch's t-test (two groups) or Welch's
  ANOVA, or ``median [Q1, Q3]`` with the Mann-Whitney or Kruskal-Wallis test (exact or
  permutation-based for small groups, see :mod:`.continuous`).  The median is used for
  ordinal variables (levels, Likert scores, the boldness index and its components)
  and for any variable that looks skewed: in some group with at least 3 values
  ``|skewness| > 1``, or, for groups of 3 to 49 values, Shapiro-Wilk ``p < alpha``.
  ``nonnormal=`` replaces this rule by an explicit list.
* **SMD** (standardised mean difference) of every group against the reference group
  (the package's convention, as in every function: ``man`` for gender, ``False`` for
  yes/no, else the first group; ``reference=`` to choose):
  ``(mean1 - mean0) / sqrt((sd1^2 + sd0^2) / 2)`` for numbers and the multi-category
  SMD of Yang & Dalton (2012) for categories, as tableone computes them.  The display
  table has one ``SMD`` column: the SMD of the group against the reference with two
  groups, the largest absolute SMD against the reference with more (every SMD is in
  ``.smd``).

>>> import pandas as pd
>>> frame = pd.DataFrame({"gender": ["woman", "woman", "man", "man", "man"],
...                       "promoted": [True, False, True, True, None]})
>>> t1 = summary_table(frame)
>>> t1.long[["variable", "level", "group", "n", "count", "percent", "missing"]]
   variable level    group  n  count  percent  missing
0         n          woman  2    NaN      NaN        0
1         n            man  3    NaN      NaN        0
2         n        Overall  5    NaN      NaN        0
3  promoted   yes    woman  2    1.0     50.0        0
4  promoted   yes      man  2    2.0    100.0        1
5  promoted   yes  Overall  4    3.0     75.0        1
6  promoted    no    woman  2    1.0     50.0        0
7  promoted    no      man  2    0.0      0.0        1
8  promoted    no  Overall  4    1.0     25.0        1
"""

from __future__ import annotations

import html
import math
import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .. import schema
from .._conventions import (
    check_column_name,
    check_column_names,
    default_reference,
    order_levels,
    plain,
    reference_reason,
    resolve_reference,
    yes_no,
)
from .._derived import DERIVABLE, with_columns
from .._frame import as_frame, resolve_rng
from ..exceptions import AnalysisError, SmallSampleWarning, require_columns
from . import _export
from ._result import Result, _fmt_p
from .continuous import (
    EXACT_MAX_N,
    PERMUTATION_MAX_N,
    check_alpha,
    check_finite,
    kruskal_test,
    rank_sum_test,
    welch_anova,
    welch_t,
)

__all__ = ["N_MONTE_CARLO", "SummaryTable", "summary_table"]

#: Tables simulated by the Monte Carlo Fisher-Freeman-Halton test.
N_MONTE_CARLO = 10_000
#: Above this many values, a sparse r x c table gets the chi-square test (with a note).
MONTE_CARLO_MAX_N = 100_000
#: Label of the all-groups column.
OVERALL = "Overall"
#: Derived columns added to the default variables when present.
DERIVED_DEFAULTS = ("boldness_index", "bold_choice")
#: Types of variable (see :func:`variable_type`).
VARIABLE_TYPES = ("boolean", "categorical", "ordinal", "continuous")
#: Ordinal rule: numbers that are multiples of 1/q for some q up to this ...
ORDINAL_MAX_DENOMINATOR = 12
#: ... spanning at most this many steps of 1/q are ordinal.
ORDINAL_MAX_STEPS = 10
#: Tests that ``test=`` may ask for, by type of variable ("auto": the rule in the
#: module docstring; "none": no test for that variable).
TESTS: dict[str, tuple[str, ...]] = {
    "boolean": ("auto", "chisq", "fisher", "none"),
    "categorical": ("auto", "chisq", "fisher", "none"),
    "ordinal": ("auto", "rank", "t", "none"),
    "continuous": ("auto", "t", "rank", "none"),
}

_LONG_COLUMNS = (
    "variable", "level", "group", "n", "count", "percent", "mean", "sd",
    "median", "q1", "q3", "missing",
)  # fmt: skip
_TEST_COLUMNS = ("variable", "summary", "method", "statistic", "df", "p_value", "note")
_SMD_COLUMNS = ("variable", "group", "reference", "estimate")


# --------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SummaryTable(Result):
    """Result of :func:`summary_table`.

    Attributes
    ----------
    table : pandas.DataFrame
        The display table (text cells), index ``(variable, level)``; columns
        ``Overall``, one per group, ``p_value``, ``test`` and ``SMD`` (against the
        reference group; the largest in absolute value with more than two groups).
        With ``strata`` the columns are a MultiIndex ``(stratum, column)``.
    long : pandas.DataFrame
        Tidy numbers: ``[stratum,] variable, level, group, n, count, percent, mean,
        sd, median, q1, q3, missing`` (``n`` = non-missing values in the group;
        ``percent`` of ``n``; ``missing`` = missing values in the group).
    tests : pandas.DataFrame
        ``[stratum,] variable, summary, method, statistic, df, p_value, note``.
    smd : pandas.DataFrame
        ``[stratum,] variable, group, reference, estimate``.
    reference : object
        The reference group of the SMDs.
    types : dict
        Type of each variable: ``boolean``, ``categorical``, ``ordinal`` or
        ``continuous`` (from its data, or from ``types=``).
    """

    by: str
    strata: str | None = None
    groups: tuple[Any, ...] = ()
    variables: tuple[str, ...] = ()
    nonnormal: tuple[str, ...] = ()
    types: Mapping[str, str] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    long: pd.DataFrame = field(default_factory=pd.DataFrame)
    tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    smd: pd.DataFrame = field(default_factory=pd.DataFrame)
    rng: Any = None
    reference: Any = None

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"Table 1": self.table, "tests": self.tests, "smd": self.smd, "long": self.long}

    @property
    def title(self) -> str:
        extra = f" and {self.strata}" if self.strata else ""
        return f"Table 1 by {self.by}{extra}"

    def to_frame(self, kind: str = "table") -> pd.DataFrame:
        """A copy of one table: ``"table"`` (display), ``"long"``, ``"tests"`` or ``"smd"``."""
        tables = {"table": self.table, "long": self.long, "tests": self.tests, "smd": self.smd}
        if kind not in tables:
            raise AnalysisError(f"kind must be one of {list(tables)}, not {kind!r}.")
        return tables[kind].copy()

    def to_html(self) -> str:
        """HTML: the display table and its notes (self-contained fragment)."""
        parts = [f"<div class='ma-result'><h4>{html.escape(self.title)}</h4>"]
        parts.append(self.table.to_html(border=0, na_rep=""))
        foot = self._footer_lines()
        if foot:
            parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in foot) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    # publication output: the display table by default (see Result.to_markdown)
    def _main_table_name(self) -> str | None:
        return "Table 1"

    def _export_tables(
        self, names: Sequence[str] | None, *, columns: Sequence[str] | None
    ) -> dict[str, pd.DataFrame]:
        return super()._export_tables(["Table 1"] if names is None else names, columns=columns)

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
        if name != "Table 1":
            return super()._prepare_export(
                name, frame, digits=digits, columns=columns, style=style, fmt=fmt
            )
        return _display_for_export(frame, columns)


# --------------------------------------------------------------------------------------
# Variables
# --------------------------------------------------------------------------------------


@dataclass
class _Var:
    name: str
    kind: str  # "categorical" | "numeric"
    codes: np.ndarray | None = None  # categorical: 0..L-1, -1 missing
    levels: tuple[str, ...] = ()
    values: np.ndarray | None = None  # numeric, NaN missing
    ordinal: bool = False
    type: str = "categorical"  # boolean | categorical | ordinal | continuous
    test: str = "auto"  # the test asked for (see TESTS)


def _factor(series: pd.Series, name: str) -> tuple[np.ndarray, list[Any]]:
    """Codes (-1 = missing) in display order and the observed levels, in one hash pass.

    The order is the package's one group order
    (:func:`mentoranalytics._conventions.order_levels`): schema categories, then a
    pandas categorical's categories, then sorted.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        cats = list(series.cat.categories)
        seen = np.bincount(codes[codes >= 0], minlength=len(cats)) > 0
        order = order_levels([c for c, s in zip(cats, seen, strict=True) if s], name, cats)
        rank = {v: r for r, v in enumerate(order)}
        remap = np.array([rank[plain(c)] if s else -1 for c, s in zip(cats, seen, strict=True)]
                         + [-1], dtype=np.int64)  # fmt: skip
        return remap[np.where(codes >= 0, codes, len(cats))], order
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    present = [plain(v) for v in uniques]
    order = order_levels(present, name)
    return _remap(codes, present, order), order


def _sorted(values: list[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _remap(codes: np.ndarray, present: list[Any], order: Sequence[Any]) -> np.ndarray:
    position = {v: i for i, v in enumerate(order)}
    table = np.array([position[u] for u in present] + [-1], dtype=np.int64)
    return table[np.where(codes >= 0, codes, len(present))]


def variable_type(series: pd.Series) -> str:
    """The type of a variable from its data type and values, never from its name.

    * ``"boolean"``: a bool column, numbers that are all 0 or 1, or text that is all
      yes/no words (yes/no, y/n, true/false, 1/0);
    * ``"categorical"``: a pandas categorical, or other text;
    * ``"ordinal"``: numbers on a short scale: every value a multiple of ``1/q``
      for some ``q`` from 1 to :data:`ORDINAL_MAX_DENOMINATOR`, spanning at most
      :data:`ORDINAL_MAX_STEPS` steps of ``1/q`` (levels 1-6, Likert scores, small
      counts, the boldness components in thirds or quarters);
    * ``"continuous"``: other numbers.

    >>> variable_type(pd.Series([1, 2, 5, 6])), variable_type(pd.Series([0.5, 12.25, 40.0]))
    ('ordinal', 'continuous')
    >>> variable_type(pd.Series(["yes", "no", None])), variable_type(pd.Series([0, 1, 1]))
    ('boolean', 'boolean')
    """
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        if np.isinf(values).any():
            return "continuous"  # refused with a clear message when summarised
        distinct = np.unique(values[~np.isnan(values)])
        if distinct.size and np.all((distinct == 0) | (distinct == 1)):
            return "boolean"
        return "ordinal" if _on_short_scale(distinct) else "continuous"
    # text: the package's one yes/no reader (missing markers such as "NA" are missing)
    read = yes_no(series)
    return "boolean" if read is not None and read.notna().any() else "categorical"


def _on_short_scale(distinct: np.ndarray) -> bool:
    """Values on a scale of at most ORDINAL_MAX_STEPS steps of 1/q (q <= 12)."""
    if distinct.size == 0:
        return False
    span = float(distinct.max() - distinct.min())
    for q in range(1, ORDINAL_MAX_DENOMINATOR + 1):
        scaled = distinct * q
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-9 * max(1.0, q)):
            return span * q <= ORDINAL_MAX_STEPS + 1e-9
    return False


def _as_variable(series: pd.Series, name: str, vtype: str | None = None) -> _Var:
    """The variable of ``name`` as ``vtype`` (default: :func:`variable_type`)."""
    dtype = series.dtype
    vtype = vtype or variable_type(series)
    if vtype == "boolean":
        return _as_boolean(series, name)
    if vtype in ("ordinal", "continuous"):
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            raise AnalysisError(
                f"types gives '{name}' as {vtype}, but it does not hold numbers. Give it as "
                "'categorical' (or 'boolean' for yes/no values), or convert it to numbers."
            )
        values = series.to_numpy(dtype=float, na_value=np.nan)
        check_finite(values, name)
        return _Var(name, "numeric", values=values, ordinal=vtype == "ordinal", type=vtype)
    if isinstance(dtype, pd.CategoricalDtype):
        levels = tuple(str(c) for c in dtype.categories)
        codes = series.cat.codes.to_numpy().astype(np.int64)
        return _Var(name, "categorical", codes=codes, levels=levels, type="categorical")
    # text (or numbers given as categorical): schema categories keep their order
    # (and are all shown), other values sorted
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    present = list(uniques)
    order: list[Any]
    col = schema.SCHEMA.get(name)
    if col is not None and col.categories and not pd.api.types.is_numeric_dtype(dtype):
        order = list(col.categories) + _sorted([v for v in present if v not in set(col.categories)])
    else:
        order = _sorted(present)
    codes = _remap(codes, present, order)
    levels = tuple(_level_text(v) for v in order)
    return _Var(name, "categorical", codes=codes, levels=levels, type="categorical")


def _level_text(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _as_boolean(series: pd.Series, name: str) -> _Var:
    # the package's one yes/no reader: "NA" and other missing markers are missing
    read = yes_no(series)
    if read is None:
        raise AnalysisError(
            f"types gives '{name}' as boolean, but its values are not all yes/no values "
            "(yes/no, y/n, true/false, 1/0). Give it as 'categorical' instead."
        )
    flags = read.to_numpy()
    codes = np.where(np.isnan(flags), -1, np.where(flags == 1.0, 0, 1))
    return _Var(name, "categorical", codes=codes, levels=("yes", "no"), type="boolean")


def _default_variables(frame: pd.DataFrame, exclude: set[str]) -> list[str]:
    names = [
        c
        for c in schema.CANONICAL_COLUMNS
        if c in frame.columns and schema.SCHEMA[c].kind != "id" and c not in exclude
    ]
    names += [c for c in DERIVED_DEFAULTS if c in frame.columns and c not in exclude]
    return names


@dataclass
class _Moments:
    """Per-group moments of one numeric variable (one pass of bincounts)."""

    valid: np.ndarray
    gv: np.ndarray
    xv: np.ndarray
    n: np.ndarray
    missing: np.ndarray
    sums: np.ndarray
    means: np.ndarray
    ss: np.ndarray
    m3: np.ndarray | None = None


def _moments(values: np.ndarray, gcodes: np.ndarray, k: int, *, third: bool = False) -> _Moments:
    valid = ~np.isnan(values)
    if valid.all():
        gv, xv = gcodes, values
    else:
        gv, xv = gcodes[valid], values[valid]
    n = np.bincount(gv, minlength=k).astype(float)
    missing = np.bincount(gcodes[~valid], minlength=k)
    sums = np.bincount(gv, weights=xv, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / n
        dev = xv - means[gv]
        dev2 = dev * dev
        ss = np.bincount(gv, weights=dev2, minlength=k)
        m3 = np.bincount(gv, weights=dev2 * dev, minlength=k) if third else None
    return _Moments(valid, gv, xv, n, missing, sums, means, ss, m3)


def _looks_skewed(mom: _Moments, n_groups: int, alpha: float) -> bool:
    """The documented median rule, applied per group of the whole data.

    Skewness g1 = m3 / m2^1.5 from per-group moments; Shapiro-Wilk only on the
    groups of 3 to 49 values.
    """
    assert mom.m3 is not None
    n = mom.n
    with np.errstate(invalid="ignore", divide="ignore"):
        m2 = mom.ss / n
        skew = (mom.m3 / n) / m2**1.5
    for j in range(n_groups):
        if n[j] < 3 or not m2[j] > 1e-12 * max(1.0, mom.means[j] ** 2):
            continue
        if abs(skew[j]) > 1:
            return True
        if n[j] < EXACT_MAX_N and float(stats.shapiro(mom.xv[mom.gv == j]).pvalue) < alpha:
            return True
    return False


# --------------------------------------------------------------------------------------
# Statistics from aggregates
# --------------------------------------------------------------------------------------


def yang_dalton_smd(p1: np.ndarray, p0: np.ndarray) -> float:
    """Multi-category SMD of Yang & Dalton (2012) for two vectors of proportions.

    sqrt((p1 - p0)' S^-1 (p1 - p0)) over all levels but the first, with
    S = (S1 + S0) / 2 and Sk the multinomial covariance of group k.  Levels absent in
    both groups are dropped first (they add nothing).
    """
    keep = (p1 > 0) | (p0 > 0)
    p1, p0 = p1[keep], p0[keep]
    if len(p1) < 2:
        return 0.0
    a, b = p1[1:], p0[1:]
    cov = (np.diag(a) - np.outer(a, a) + np.diag(b) - np.outer(b, b)) / 2
    diff = a - b
    try:
        sq = float(diff @ np.linalg.solve(cov, diff))
    except np.linalg.LinAlgError:
        sq = float(diff @ np.linalg.pinv(cov) @ diff)
    return math.sqrt(max(sq, 0.0))


def _categorical_test(
    table: np.ndarray, gen: np.random.Generator, choice: str = "auto"
) -> tuple[str, float, float, float, str]:
    """(method, statistic, df, p_value, note) for a groups x levels count table.

    ``choice``: "auto" (chi-square, or Fisher when an expected count is below 5),
    "chisq" or "fisher" (exact for 2 x 2, Monte Carlo for larger tables).
    """
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2:
        return "", math.nan, math.nan, math.nan, "only one group has values"
    if table.shape[1] < 2:
        return "", math.nan, math.nan, math.nan, "only one level observed: nothing to test"
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    sparse = bool(expected.min() < 5)
    fisher = choice == "fisher" or (choice == "auto" and sparse)
    if fisher and table.shape == (2, 2):
        res = stats.fisher_exact(table)
        return "Fisher's exact test", math.nan, math.nan, float(res.pvalue), ""
    if fisher and (total <= MONTE_CARLO_MAX_N or choice == "fisher"):
        res = stats.fisher_exact(
            table, method=stats.MonteCarloMethod(n_resamples=N_MONTE_CARLO, rng=gen)
        )
        method = f"Fisher-Freeman-Halton test, Monte Carlo p-value ({N_MONTE_CARLO} tables)"
        return method, math.nan, math.nan, float(res.pvalue), ""
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=True)
    method = "Pearson chi-square" + (" (Yates)" if table.shape == (2, 2) else "")
    note = "expected counts below 5: the chi-square approximation is rough" if sparse else ""
    return method, float(chi2), float(dof), float(p), note


def _value_counts(
    xv: np.ndarray, gv: np.ndarray, k: int, max_span: int = 100_000
) -> tuple[np.ndarray, np.ndarray] | None:
    """Whole-number values: the observed values and their counts per group, no sorting.

    Returns ``(values, counts)`` with ``counts[i, j]`` the number of ``values[i]`` in
    group j, or None when the values are not whole numbers in a modest range.
    """
    if len(xv) == 0:
        return None
    vmin, vmax = float(xv.min()), float(xv.max())
    if vmax - vmin > max_span or not np.array_equal(xv, np.round(xv)):
        return None
    idx = (xv - vmin).astype(np.int64)
    span = int(vmax - vmin) + 1
    counts = np.bincount(idx * k + gv, minlength=span * k).reshape(span, k)
    seen = counts.sum(axis=1) > 0
    return (np.arange(span, dtype=float) + vmin)[seen], counts[seen]


def _quantiles_from_counts(
    values: np.ndarray, counts: np.ndarray, probs: Sequence[float]
) -> tuple[float, ...]:
    """Type-7 quantiles (R's default, numpy's linear) from sorted values and counts."""
    n = int(counts.sum())
    if n == 0:
        return tuple(math.nan for _ in probs)
    cum = np.cumsum(counts)
    out = []
    for p in probs:
        h = (n - 1) * p
        lo = math.floor(h)
        hi = min(lo + 1, n - 1)
        v_lo = values[int(np.searchsorted(cum, lo, side="right"))]
        v_hi = values[int(np.searchsorted(cum, hi, side="right"))]
        out.append(float(v_lo + (h - lo) * (v_hi - v_lo)))
    return tuple(out)


def _rank_sums_from_counts(counts: np.ndarray) -> tuple[np.ndarray, float]:
    """Rank sums per group and the tie term sum(t^3 - t) from a values x groups count table."""
    t = counts.sum(axis=1).astype(float)
    mid = np.cumsum(t) - (t - 1) / 2
    return (counts * mid[:, None]).sum(axis=0), float((t**3 - t).sum())


def _rank_sums_sorted(values: np.ndarray, gcodes: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """Rank sums per group and the tie term, by one sort (for non-integer values)."""
    n = len(values)
    order = np.argsort(values, kind="stable")
    sv, sg = values[order], gcodes[order]
    starts = np.flatnonzero(np.r_[True, sv[1:] != sv[:-1]])
    t = np.diff(np.r_[starts, n]).astype(float)
    mid = starts + (t + 1) / 2
    sums = np.bincount(sg, weights=np.repeat(mid, t.astype(np.int64)), minlength=k)
    return sums, float((t**3 - t).sum())


def _asymptotic_rank_test(
    sums: np.ndarray, sizes: np.ndarray, ties: float
) -> tuple[str, float, float, float]:
    """Mann-Whitney (normal, tie and continuity corrections) or Kruskal-Wallis (chi-square)
    from rank sums; as R's wilcox.test(exact = FALSE) and kruskal.test."""
    k = len(sizes)
    n = float(sizes.sum())
    if k == 2:
        n0, n1 = float(sizes[0]), float(sizes[1])
        u = float(sums[1] - n1 * (n1 + 1) / 2)
        sigma = math.sqrt(n1 * n0 / 12 * ((n + 1) - ties / (n * (n - 1))))
        method = "Mann-Whitney U, normal approximation (tie and continuity corrections)"
        if sigma == 0:
            return method, u, math.nan, math.nan
        z = (abs(u - n1 * n0 / 2) - 0.5) / sigma
        return method, u, math.nan, min(1.0, float(2 * stats.norm.sf(max(z, 0.0))))
    tie_factor = 1 - ties / (n**3 - n)
    h = (12 / (n * (n + 1)) * float((sums**2 / sizes).sum()) - 3 * (n + 1)) / tie_factor
    return "Kruskal-Wallis, chi-square approximation", h, k - 1.0, float(stats.chi2.sf(h, k - 1))


# --------------------------------------------------------------------------------------
# One block (all rows, or one stratum)
# --------------------------------------------------------------------------------------


def _block(
    gcodes: np.ndarray,
    group_labels: list[str],
    variables: list[_Var],
    nonnormal: set[str],
    gen: np.random.Generator,
    ref: int,
    cache: dict[str, _Moments] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Long rows, test rows and SMD rows of one block; ``ref`` indexes the reference."""
    k = len(group_labels)
    labels = [*group_labels, OVERALL]
    sizes = np.bincount(gcodes, minlength=k)
    long: list[dict[str, Any]] = []
    tests: list[dict[str, Any]] = []
    smds: list[dict[str, Any]] = []
    total = int(sizes.sum())
    for j, lab in enumerate(labels):
        size = int(sizes[j]) if j < k else total
        long.append(_long_row("n", "", lab, n=size, missing=0))
    bounds = np.r_[0, np.cumsum(sizes)]
    order_cache: list[np.ndarray] = []

    def group_order() -> np.ndarray:
        # rows sorted by group (computed once, on demand; a radix sort on small ints)
        if not order_cache:
            order_cache.append(np.argsort(gcodes.astype(np.int16), kind="stable"))
        return order_cache[0]

    for var in variables:
        if var.kind == "categorical":
            assert var.codes is not None
            nlev = len(var.levels)
            flat = gcodes * (nlev + 1) + (var.codes + 1)
            counts = np.bincount(flat, minlength=k * (nlev + 1)).reshape(k, nlev + 1)
            counts = np.vstack([counts, counts.sum(axis=0)])
            missing = counts[:, 0]
            level_counts = counts[:, 1:]
            nonmiss = level_counts.sum(axis=1)
            for li, level in enumerate(var.levels):
                for j, lab in enumerate(labels):
                    c = int(level_counts[j, li])
                    pct = 100 * c / nonmiss[j] if nonmiss[j] > 0 else math.nan
                    long.append(
                        _long_row(var.name, level, lab, n=int(nonmiss[j]), count=c,
                                  percent=pct, missing=int(missing[j]))
                    )  # fmt: skip
            if var.test == "none":
                tests.append(_no_test_row(var.name, "n (%)"))
            else:
                method, stat, df, p, note = _categorical_test(level_counts[:k], gen, var.test)
                tests.append(_test_row(var.name, "n (%)", method, stat, df, p, note))
            for j in range(k):
                if j == ref or nonmiss[j] == 0 or nonmiss[ref] == 0:
                    continue
                p1 = level_counts[j] / nonmiss[j]
                p0 = level_counts[ref] / nonmiss[ref]
                smds.append(
                    dict(variable=var.name, group=labels[j], reference=labels[ref],
                         estimate=yang_dalton_smd(p1, p0))
                )  # fmt: skip
            continue

        assert var.values is not None
        values = var.values
        mom = cache.get(var.name) if cache else None
        if mom is None:
            mom = _moments(values, gcodes, k)
        valid, gv, xv = mom.valid, mom.gv, mom.xv
        n_g, miss_g, sums, means, ss_g = mom.n, mom.missing, mom.sums, mom.means, mom.ss
        with np.errstate(invalid="ignore", divide="ignore"):
            var_g = ss_g / (n_g - 1)
        var_g[n_g < 2] = np.nan
        # overall moments from the group moments (no further pass over the rows)
        n_all = float(n_g.sum())
        mean_all = float(sums.sum() / n_all) if n_all else math.nan
        has_g = n_g > 0
        ss_all = float(ss_g[has_g].sum() + (n_g[has_g] * (means[has_g] - mean_all) ** 2).sum())
        var_all = ss_all / (n_all - 1) if n_all >= 2 else math.nan
        counted = _value_counts(xv, gv, k)
        slices: list[np.ndarray] | None = None
        if counted is None or min(n_all, float(np.max(n_g, initial=0))) <= PERMUTATION_MAX_N:
            ordered = values[group_order()]
            slices = []
            for j in range(k):
                s = ordered[bounds[j] : bounds[j + 1]]
                slices.append(s[~np.isnan(s)])
        for j, lab in enumerate(labels):
            if j < k:
                n, m, v, miss = float(n_g[j]), float(means[j]), float(var_g[j]), int(miss_g[j])
            else:
                n, m, v, miss = n_all, mean_all, var_all, int((~valid).sum())
            if counted is not None:
                vals, cnt = counted
                col = cnt[:, j] if j < k else cnt.sum(axis=1)
                q1, med, q3 = _quantiles_from_counts(vals, col, (0.25, 0.5, 0.75))
            else:
                assert slices is not None
                x = slices[j] if j < k else xv
                if len(x):
                    q1, med, q3 = (float(q) for q in np.quantile(x, [0.25, 0.5, 0.75]))
                else:
                    q1 = med = q3 = math.nan
            long.append(
                _long_row(var.name, "", lab, n=int(n), mean=m if n else math.nan,
                          sd=math.sqrt(v) if np.isfinite(v) else math.nan, median=med,
                          q1=q1, q3=q3, missing=miss)
            )  # fmt: skip
        median_summary = var.name in nonnormal
        summary = "median [Q1, Q3]" if median_summary else "mean (SD)"
        rank = var.test == "rank" or (var.test == "auto" and median_summary)
        has = [j for j in range(k) if n_g[j] > 0]
        if var.test == "none":
            tests.append(_no_test_row(var.name, summary))
        elif len(has) < 2:
            why = "only one group has values" if has else "no values"
            tests.append(_test_row(var.name, summary, "", math.nan, math.nan, math.nan, why))
        elif rank:
            test = _rank_test(slices, n_g, has, gen, xv, gv, counted)
            tests.append(_test_row(var.name, summary, *test))
        elif len(has) == 2:
            a, b = has
            _, _, _, t, df, p = welch_t(n_g[b], means[b], var_g[b], n_g[a], means[a], var_g[a])
            note = "" if np.isfinite(p) else "needs two values and some spread in each group"
            tests.append(_test_row(var.name, summary, "Welch t-test", t, df, p, note))
        else:
            f, df1, _, p = welch_anova(n_g[has], means[has], var_g[has])
            note = "" if np.isfinite(p) else "needs two values and some spread in every group"
            tests.append(_test_row(var.name, summary, "Welch ANOVA", f, df1, p, note))
        for j in range(k):
            if j == ref or n_g[j] == 0 or n_g[ref] == 0:
                continue
            denom = math.sqrt((var_g[j] + var_g[ref]) / 2)
            est = (means[j] - means[ref]) / denom if denom > 0 else math.nan
            smds.append(
                dict(variable=var.name, group=labels[j], reference=labels[ref], estimate=est)
            )
    return long, tests, smds


def _rank_test(
    slices: list[np.ndarray] | None,
    n_g: np.ndarray,
    has: list[int],
    gen: np.random.Generator,
    xv: np.ndarray,
    gv: np.ndarray,
    counted: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[str, float, float, float, str]:
    """Mann-Whitney / Kruskal-Wallis over the groups ``has``: exact or permutation-based
    for small groups (as compare_groups), asymptotic from aggregated ranks otherwise."""
    sizes = n_g[has]
    n = float(sizes.sum())
    if counted is not None:
        vals, cnt = counted
        constant = np.count_nonzero(cnt[:, has].sum(axis=1)) < 2
    else:
        constant = np.ptp(xv[np.isin(gv, has)]) == 0
    if constant:
        return "", math.nan, math.nan, math.nan, "all values are equal"
    small = bool(np.all(sizes < EXACT_MAX_N)) if len(has) == 2 else n <= PERMUTATION_MAX_N
    if small and slices is not None:
        samples = [slices[j] for j in has]
        if len(samples) == 2:
            u, p, method = rank_sum_test(samples[1], samples[0])
            return method, u, math.nan, p, ""
        h, df, p, method = kruskal_test(samples, gen)
        return method, h, df, p, ""
    if counted is not None:
        sums, ties = _rank_sums_from_counts(counted[1][:, has])
    else:
        keep = np.isin(gv, has)
        remap = np.full(len(n_g), -1, dtype=np.int64)
        remap[has] = np.arange(len(has))
        sums, ties = _rank_sums_sorted(xv[keep], remap[gv[keep]], len(has))
    method, stat, df, p = _asymptotic_rank_test(sums, sizes, ties)
    return method, stat, df, p, ""


#: The note of a variable whose test was turned off.
NO_TEST_NOTE = "no test requested"


def _no_test_row(variable: str, summary: str) -> dict[str, Any]:
    return _test_row(variable, summary, "", math.nan, math.nan, math.nan, NO_TEST_NOTE)


def _long_row(variable: str, level: str, group: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(_LONG_COLUMNS, math.nan)
    row.update(variable=variable, level=level, group=group)
    row.update(values)
    return row


def _test_row(
    variable: str, summary: str, method: str, stat: float, df: float, p: float, note: str
) -> dict[str, Any]:
    return dict(variable=variable, summary=summary, method=method, statistic=stat, df=df,
                p_value=p, note=note)  # fmt: skip


# --------------------------------------------------------------------------------------
# Display
# --------------------------------------------------------------------------------------


def _num(v: float, digits: int = 2) -> str:
    return "" if not np.isfinite(v) else f"{v:.{digits}f}"


@dataclass(frozen=True)
class _Display:
    """Display options of the printed table."""

    labels: Mapping[str, str] = field(default_factory=dict)
    decimals: Mapping[str, int] = field(default_factory=dict)  # per variable
    default_decimals: int | None = None  # None: 2 for numbers, 1 for percentages
    missing: bool = True
    tests: bool = True

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    def number_digits(self, name: str) -> int:
        if name in self.decimals:
            return self.decimals[name]
        return 2 if self.default_decimals is None else self.default_decimals

    def percent_digits(self, name: str) -> int:
        if name in self.decimals:
            return self.decimals[name]
        return 1 if self.default_decimals is None else self.default_decimals


def _display_block(
    long: list[dict[str, Any]],
    tests: list[dict[str, Any]],
    smd: list[dict[str, Any]],
    variables: list[_Var],
    labels: list[str],
    nonnormal: set[str],
    display: _Display | None = None,
) -> pd.DataFrame:
    """The printed Table 1 of one block, from the block's rows (plain dict look-ups)."""
    opts = display or _Display()
    columns = [OVERALL, *labels]
    # one SMD column with a stable name: the group against the reference (two groups),
    # else the largest in absolute value (every SMD is in the tidy .smd table)
    test_cols = ["p_value", "test"] if opts.tests else []
    all_cols = [*columns, *test_cols, "SMD"]
    cell = {(r["variable"], r["level"], r["group"]): r for r in long}
    test_by_var = {t["variable"]: t for t in tests}
    smd_by: dict[str, float] = {}
    for r in smd:
        est = float(r["estimate"])
        if not np.isfinite(est):
            continue
        if r["variable"] not in smd_by or abs(est) > abs(smd_by[r["variable"]]):
            smd_by[r["variable"]] = est
    rows: list[tuple[tuple[str, str], dict[str, str]]] = []
    rows.append((("n", ""), {c: str(int(cell[("n", "", c)]["n"])) for c in columns}))
    for var in variables:
        t = test_by_var[var.name]
        extra: dict[str, str] = {}
        if opts.tests:
            extra = {"p_value": _fmt_p(t["p_value"]), "test": str(t["method"])}
            if t["note"] and not np.isfinite(t["p_value"]):
                extra["test"] = "" if t["note"] == NO_TEST_NOTE else f"no test: {t['note']}"
        largest = smd_by.get(var.name)
        extra["SMD"] = "" if largest is None else _num(largest, 3)
        name = opts.label(var.name)
        if var.kind == "categorical":
            label = f"{name}, n (%)"
            pct_digits = opts.percent_digits(var.name)
            for i, level in enumerate(var.levels):
                cells = {}
                for c in columns:
                    row = cell[(var.name, level, c)]
                    pct = _num(row["percent"], pct_digits)
                    cells[c] = f"{row['count']:.0f} ({pct})" if row["n"] else ""
                rows.append(((label, level), {**cells, **(extra if i == 0 else {})}))
            first = var.levels[0] if var.levels else ""
            missing = {c: cell[(var.name, first, c)]["missing"] for c in columns} if first else {}
        else:
            median = var.name in nonnormal
            digits = opts.number_digits(var.name)
            label = f"{name}, " + ("median [Q1, Q3]" if median else "mean (SD)")
            cells = {}
            for c in columns:
                row = cell[(var.name, "", c)]
                if not row["n"]:
                    cells[c] = ""
                elif median:
                    q1, q3 = _num(row["q1"], digits), _num(row["q3"], digits)
                    cells[c] = f"{_num(row['median'], digits)} [{q1}, {q3}]"
                else:
                    cells[c] = f"{_num(row['mean'], digits)} ({_num(row['sd'], digits)})"
            rows.append(((label, ""), {**cells, **extra}))
            missing = {c: cell[(var.name, "", c)]["missing"] for c in columns}
        if opts.missing:
            rows.append(((label, "missing"), {c: str(int(missing.get(c, 0))) for c in columns}))
    index = pd.MultiIndex.from_tuples([r[0] for r in rows], names=["variable", "level"])
    return pd.DataFrame([r[1] for r in rows], index=index, columns=all_cols).fillna("")


def _display_for_export(table: pd.DataFrame, columns: Sequence[str] | None) -> _export.Prepared:
    """The display table as text rows: variable and level as columns, the variable
    shown on its first row only (the usual look of a Table 1)."""
    frame = table
    if columns is not None:
        flat = [
            ": ".join(str(x) for x in c) if isinstance(c, tuple) else str(c) for c in frame.columns
        ]
        wanted = [columns] if isinstance(columns, str) else list(columns)
        shown = [str(c[-1]) if isinstance(c, tuple) else str(c) for c in frame.columns]
        unknown = [c for c in wanted if c not in flat and c not in shown]
        if unknown:
            raise AnalysisError(
                f"columns {unknown} are not columns of Table 1. Available: "
                f"{list(dict.fromkeys(shown))}."
            )
        keep = [
            i
            for i, (f, sh) in enumerate(zip(flat, shown, strict=True))
            if f in wanted or sh in wanted
        ]
        frame = frame.iloc[:, keep]
    variables = [str(v) for v in frame.index.get_level_values(0)]
    levels = [str(v) for v in frame.index.get_level_values(1)]
    first = [i == 0 or variables[i] != variables[i - 1] for i in range(len(variables))]
    shown_var = [v if f else "" for v, f in zip(variables, first, strict=True)]
    body = frame.reset_index(drop=True)
    if isinstance(body.columns, pd.MultiIndex):
        heads: list[Any] = [("", "variable"), ("", "level")]
    else:
        heads = ["variable", "level"]
    out = pd.concat(
        [
            pd.DataFrame({0: shown_var, 1: levels}),
            body.set_axis(range(2, 2 + body.shape[1]), axis=1),
        ],
        axis=1,
    )
    if isinstance(body.columns, pd.MultiIndex):
        out.columns = pd.MultiIndex.from_tuples([*heads, *body.columns])
    else:
        out.columns = [*heads, *body.columns]
    text_columns = {"variable", "level", "test"}
    numeric = [
        (str(c[-1]) if isinstance(c, tuple) else str(c)) not in text_columns for c in out.columns
    ]
    return _export.Prepared("Table 1", out.astype(object).fillna(""), numeric, [])


def _check_types(types: Any, names: Sequence[str]) -> dict[str, str]:
    if types is None:
        return {}
    if not isinstance(types, Mapping):
        raise AnalysisError(
            "types must be a mapping of variable to type, e.g. {'cohort': 'categorical'}, "
            f"not {type(types).__name__}."
        )
    out: dict[str, str] = {}
    for name, vtype in types.items():
        if name not in names:
            raise AnalysisError(
                f"types names '{name}', which is not a variable of this table. "
                f"Variables: {list(names)}."
            )
        if vtype not in VARIABLE_TYPES:
            raise AnalysisError(
                f"types['{name}'] must be one of {list(VARIABLE_TYPES)}, not {vtype!r}."
            )
        out[str(name)] = str(vtype)
    return out


def _check_display(
    labels: Any, decimals: Any, missing: Any, test: Any, names: Sequence[str]
) -> _Display:
    if labels is None:
        labels = {}
    if not isinstance(labels, Mapping):
        raise AnalysisError(
            "labels must be a mapping of variable to display name, e.g. "
            f"{{'participant_level': 'Level at entry'}}, not {type(labels).__name__}."
        )
    for name, text in labels.items():
        if name not in names:
            raise AnalysisError(
                f"labels names '{name}', which is not a variable of this table. "
                f"Variables: {list(names)}."
            )
        if not isinstance(text, str) or not text.strip():
            raise AnalysisError(f"labels['{name}'] must be a non-empty text, not {text!r}.")

    def digits(value: Any, where: str) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, np.integer))
            or not 0 <= value <= 10
        ):
            raise AnalysisError(f"{where} must be a whole number from 0 to 10, not {value!r}.")
        return int(value)

    per_variable: dict[str, int] = {}
    default: int | None = None
    if isinstance(decimals, Mapping):
        for name, value in decimals.items():
            if name not in names:
                raise AnalysisError(
                    f"decimals names '{name}', which is not a variable of this table. "
                    f"Variables: {list(names)}."
                )
            per_variable[str(name)] = digits(value, f"decimals['{name}']")
    elif decimals is not None:
        default = digits(decimals, "decimals")
    if not isinstance(missing, (bool, np.bool_)):
        raise AnalysisError(f"missing must be True or False, not {missing!r}.")
    return _Display(
        labels={str(k): str(v) for k, v in labels.items()},
        decimals=per_variable,
        default_decimals=default,
        missing=bool(missing),
        tests=test is not False,
    )


def _check_tests(test: Any, variables: Sequence[_Var]) -> dict[str, str]:
    if test is True:
        return {}
    if test is False:
        return {v.name: "none" for v in variables}
    if not isinstance(test, Mapping):
        raise AnalysisError(
            "test must be True, False or a mapping of variable to test, e.g. "
            f"{{'days_to_secure': 'rank'}}, not {test!r}."
        )
    by_name = {v.name: v for v in variables}
    out: dict[str, str] = {}
    for name, choice in test.items():
        var = by_name.get(name)
        if var is None:
            raise AnalysisError(
                f"test names '{name}', which is not a variable of this table. "
                f"Variables: {list(by_name)}."
            )
        chosen = "none" if choice is False or choice is None else choice
        allowed = TESTS[var.type]
        if chosen not in allowed:
            raise AnalysisError(
                f"test['{name}'] must be one of {list(allowed)} ('{name}' is {var.type}), "
                f"not {choice!r}."
            )
        out[str(name)] = str(chosen)
    return out


def _types_note(variables: Sequence[_Var], given: Mapping[str, str]) -> str:
    text = (
        "Variable types come from the data, never from column names: yes/no for bool "
        "columns, 0/1 numbers and yes/no words; categorical for categories and text; "
        "ordinal for numbers on a scale of at most 11 points (levels, Likert scores, "
        "small counts); continuous for other numbers."
    )
    if given:
        text += " Set with types=: " + ", ".join(f"{k}: {v}" for k, v in given.items()) + "."
    return text


# --------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------


def summary_table(
    data: Any,
    *,
    by: str = "gender",
    variables: Sequence[str] | None = None,
    strata: str | None = None,
    nonnormal: Sequence[str] | None = None,
    types: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    decimals: int | Mapping[str, int] | None = None,
    missing: bool = True,
    test: bool | Mapping[str, str | bool] = True,
    alpha: float = 0.05,
    rng: Any = None,
    reference: Any = None,
) -> SummaryTable:
    """Table 1: characteristics by group, with tests and standardised differences.

    Parameters
    ----------
    data : Cohort or pandas.DataFrame
        The records.
    by : str, default="gender"
        Grouping column (schema order for gender, category order for a pandas
        categorical, sorted otherwise).  Rows where it is missing are left out and
        counted in a note.
    variables : sequence of str, optional
        Columns to summarise.  Default: every canonical column present except
        ``participant_id``, ``by`` and ``strata``, plus ``boldness_index`` and
        ``bold_choice`` when present.  Booleans, categoricals and text are categorical;
        numbers are numeric.
    strata : str, optional
        Second grouping column (e.g. ``"cohort"``): one block of columns per stratum,
        each with its own tests (a gender x cohort table).  Rows with a missing stratum
        are left out and counted in a note.
    nonnormal : sequence of str, optional
        Numeric variables to summarise by median [Q1, Q3] with rank tests; all other
        numeric variables then get mean (SD).  Default: the rule in the module
        docstring (ordinal variables, skewness, Shapiro-Wilk on small groups).
    types : mapping, optional
        Type of a variable, overriding the one read from its data (never from its
        name; see :func:`variable_type`): ``"boolean"``, ``"categorical"``,
        ``"ordinal"`` or ``"continuous"``, e.g. ``{"cohort": "categorical"}`` for
        intake years stored as numbers.
    labels : mapping, optional
        Display names of variables, e.g. ``{"participant_level": "Level at entry"}``.
        Only the printed table changes; ``long``, ``tests`` and ``smd`` keep the
        column names.
    decimals : int or mapping, optional
        Decimals of the printed summaries: an int for every variable, or per variable
        (``{"days_to_secure": 0}``).  It applies to mean, SD, median and quartiles of
        numeric variables and to the percentages of categorical ones.  Default: 2
        for numbers, 1 for percentages.
    missing : bool, default=True
        Show a ``missing`` row under each variable (the counts stay in ``long``).
    test : bool or mapping, default=True
        ``False`` leaves out the p-value and test columns (no test is run).  A
        mapping chooses per variable: ``"chisq"`` or ``"fisher"`` (exact for 2 x 2,
        Monte Carlo for larger tables) for boolean and categorical variables,
        ``"t"`` (Welch's t-test or ANOVA) or ``"rank"`` (Mann-Whitney or
        Kruskal-Wallis) for numeric ones, ``"auto"`` for the default rule and
        ``"none"`` (or False) for no test.
    alpha : float, default=0.05
        Level of the Shapiro-Wilk check in the median rule.
    rng : None, int or numpy.random.Generator
        Seed of the Monte Carlo and permutation tests (None: fixed seed 0).
    reference : object, optional
        The group the SMDs compare the others with (``SMD`` = group minus reference,
        standardised).  Default, never depending on group sizes (as every
        function): ``"man"`` for gender, ``False`` for a yes/no column, else the
        first group in order; stated as ``.reference`` and in the notes.

    Returns
    -------
    SummaryTable
        ``.table`` (display: index ``variable, level``; columns ``Overall``, the
        groups, ``p_value``, ``test``, ``SMD``), ``.long`` (``[stratum,] variable,
        level, group, n, count, percent, mean, sd, median, q1, q3, missing``),
        ``.tests`` (``[stratum,] variable, summary, method, statistic, df, p_value,
        note``), ``.smd`` (``[stratum,] variable, group, reference, estimate``);
        exports ``to_frame()``, ``to_markdown()``, ``to_html()``, ``to_latex()``.

    Raises
    ------
    ColumnError
        ``by``, ``strata`` or a variable is not a column.
    AnalysisError
        No rows or no groups, a variable repeats ``by``/``strata``, ``nonnormal``
        names a variable that is not numeric or not in the table, or ``alpha`` or
        ``rng`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"gender": ["woman"] * 3 + ["man"] * 3,
    ...                       "days_to_secure": [10, 12, 14, 20, 22, 30]})
    >>> t1 = summary_table(frame)
    >>> t1.table.loc[("days_to_secure, mean (SD)", ""), ["woman", "man", "test"]].tolist()
    ['12.00 (2.00)', '24.00 (5.29)', 'Welch t-test']
    """
    frame = as_frame(data)
    alpha = check_alpha(alpha)
    gen, seed = resolve_rng(rng)
    check_column_name(by, "by")
    check_column_name(strata, "strata", optional=True)
    listed = [] if variables is None else check_column_names(variables, "variables")
    frame, derived_notes = with_columns(
        frame,
        [c for c in [by, strata, *listed] if isinstance(c, str) and c in DERIVABLE],
        purpose="Table 1",
    )
    require_columns(frame, [by], purpose="the groups of Table 1")
    if strata is not None:
        require_columns(frame, [strata], purpose="the strata of Table 1")
        if strata == by:
            raise AnalysisError(f"strata and by are both '{by}'; choose two different columns.")
    if len(frame) == 0:
        raise AnalysisError("The data have no rows: nothing to summarise.")
    exclude = {by} | ({strata} if strata else set())
    if variables is None:
        names = _default_variables(frame, exclude)
    else:
        names = list(dict.fromkeys(listed))
        require_columns(frame, names, purpose="the variables of Table 1")
        clash = [v for v in names if v in exclude]
        if clash:
            raise AnalysisError(
                f"variables include {clash}, which is the grouping column (by/strata); "
                "leave it out of variables."
            )
    if not names:
        raise AnalysisError(
            "No variables to summarise: pass variables=[...] (no canonical column found)."
        )

    notes: list[str] = list(derived_notes)
    group_col = frame[by]
    gcodes_all, levels = _factor(group_col, by)
    if not levels:
        raise AnalysisError(f"Column '{by}' has no non-missing values: no groups to compare.")
    group_labels = [str(v) for v in levels]
    keep = gcodes_all >= 0
    if (~keep).any():
        notes.append(f"{int((~keep).sum())} row(s) with missing '{by}' are left out.")
    if strata is not None:
        strata_col = frame[strata]
        scodes_all, slevels = _factor(strata_col, strata)
        miss_s = keep & (scodes_all < 0)
        if miss_s.any():
            notes.append(f"{int(miss_s.sum())} row(s) with missing '{strata}' are left out.")
        keep &= scodes_all >= 0
    rows_idx = np.flatnonzero(keep) if not keep.all() else None

    def take(arr: np.ndarray) -> np.ndarray:
        return arr if rows_idx is None else arr[rows_idx]

    type_of = _check_types(types, names)
    display_opts = _check_display(labels, decimals, missing, test, names)
    variables_ = [_as_variable(frame[name], name, type_of.get(name)) for name in names]
    test_of = _check_tests(test, variables_)
    for v in variables_:
        v.test = test_of.get(v.name, "auto")
    gcodes = take(gcodes_all)
    for v in variables_:
        if v.codes is not None:
            v.codes = take(v.codes)
        if v.values is not None:
            v.values = take(v.values)

    # median rule, decided once on all records so that strata agree
    numeric = [v.name for v in variables_ if v.kind == "numeric"]
    cache: dict[str, _Moments] = {}
    if nonnormal is None:
        chosen = set()
        for v in variables_:
            if v.kind != "numeric" or v.values is None:
                continue
            if v.ordinal:
                chosen.add(v.name)
                continue
            cache[v.name] = _moments(v.values, gcodes, len(group_labels), third=True)
            if _looks_skewed(cache[v.name], len(group_labels), alpha):
                chosen.add(v.name)
        notes.append(
            "Numeric variables: median [Q1, Q3] for ordinal variables and where a group of "
            "at least 3 values has |skewness| > 1 or (3 to 49 values) Shapiro-Wilk "
            f"p < {alpha:g}; mean (SD) otherwise."
        )
    else:
        listed = [nonnormal] if isinstance(nonnormal, str) else list(nonnormal)
        wrong = [v for v in listed if v not in numeric]
        if wrong:
            raise AnalysisError(
                f"nonnormal lists {wrong}, which are not numeric variables of this table. "
                f"Numeric variables: {numeric}."
            )
        chosen = set(listed)
        notes.append("Numeric variables: median [Q1, Q3] for those listed in nonnormal.")
    notes.append(
        "Categorical variables: n (%) of the non-missing values in each group; 'missing' "
        "rows count missing values. Tests: chi-square, or Fisher's exact / Monte Carlo "
        "Fisher-Freeman-Halton when an expected count is below 5."
    )
    # reference of the SMDs: the package's convention, never the group sizes
    if reference is None:
        ref_value = default_reference(levels, by)
        why = f" ({reference_reason(ref_value, levels, by)})"
    else:
        ref_value = resolve_reference(reference, levels, by)
        why = ""
    ref = [str(v) for v in levels].index(str(ref_value))
    notes.append(_types_note(variables_, type_of))
    chosen_tests = {v.name: v.test for v in variables_ if v.test != "auto"}
    if chosen_tests:
        shown = ", ".join(f"{k}: {t}" for k, t in chosen_tests.items())
        notes.append(f"Tests chosen with test=: {shown}.")
    notes.append(
        f"SMD: standardised mean difference of each group against {group_labels[ref]!r}{why}; "
        "Yang & Dalton (2012) for categorical variables (non-negative), signed for numeric "
        "variables (group minus reference)"
        + (
            "; with more than two groups the SMD column shows the largest in absolute value."
            if len(group_labels) > 2
            else "."
        )
    )

    if strata is None:
        blocks = [(None, gcodes, variables_)]
    else:
        scodes = take(scodes_all)
        order = np.argsort(scodes, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(scodes, minlength=len(slevels)))]
        blocks = []
        for s, slev in enumerate(slevels):
            idx = order[bounds[s] : bounds[s + 1]]
            sub_vars = [
                _Var(v.name, v.kind,
                     codes=None if v.codes is None else v.codes[idx], levels=v.levels,
                     values=None if v.values is None else v.values[idx], ordinal=v.ordinal,
                     type=v.type, test=v.test)
                for v in variables_
            ]  # fmt: skip
            blocks.append((slev, gcodes[idx], sub_vars))

    long_parts, test_parts, smd_parts, displays = [], [], [], []
    for slev, gc, vars_ in blocks:
        long_rows, test_rows, smd_rows = _block(
            gc, group_labels, vars_, chosen, gen, ref, cache if strata is None else None
        )
        display = _display_block(
            long_rows, test_rows, smd_rows, vars_, group_labels, chosen, display_opts
        )
        long = pd.DataFrame(long_rows, columns=list(_LONG_COLUMNS))
        tests = pd.DataFrame(test_rows, columns=list(_TEST_COLUMNS))
        smd = pd.DataFrame(smd_rows, columns=list(_SMD_COLUMNS))
        if strata is not None:
            for part in (long, tests, smd):
                part.insert(0, "stratum", slev)
            display.columns = pd.MultiIndex.from_product([[str(slev)], display.columns])
            counts = np.bincount(gc, minlength=len(group_labels))
            if np.count_nonzero(counts) < 2:
                notes.append(
                    f"Stratum '{slev}' has fewer than two groups with records: no tests there."
                )
        long_parts.append(long)
        test_parts.append(tests)
        smd_parts.append(smd)
        displays.append(display)
    long = pd.concat(long_parts, ignore_index=True)
    for col in ("n", "missing"):
        long[col] = long[col].astype(int)
    tests = pd.concat(test_parts, ignore_index=True)
    smd = pd.concat(smd_parts, ignore_index=True)
    table = displays[0] if len(displays) == 1 else pd.concat(displays, axis=1).fillna("")

    for row in tests.itertuples(index=False):
        if not np.isfinite(row.p_value) and row.note and row.note != NO_TEST_NOTE:
            where = f" in stratum '{row.stratum}'" if strata is not None else ""
            notes.append(f"No p-value for '{row.variable}'{where}: {row.note}.")
    methods = [m for m in pd.unique(tests["method"]) if m]
    warns: list[str] = []
    small = [lab for lab, n in zip(group_labels, np.bincount(gcodes, minlength=len(group_labels)),
                                   strict=True) if 0 < n < 5]  # fmt: skip
    if small:
        warns.append(
            f"Groups {small} have fewer than 5 records: percentages and tests are fragile, "
            "and the table may identify people (apply disclosure control before sharing)."
        )
    for w in warns:
        _warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return SummaryTable(
        method="; ".join(str(m) for m in methods),
        notes=tuple(dict.fromkeys(notes)),
        warnings=tuple(warns),
        by=by,
        strata=strata,
        groups=tuple(levels),
        variables=tuple(names),
        nonnormal=tuple(n for n in names if n in chosen),
        types={v.name: v.type for v in variables_},
        table=table,
        long=long,
        tests=tests,
        smd=smd,
        rng=seed,
        reference=ref_value,
    )
