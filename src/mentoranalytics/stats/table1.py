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
from collections.abc import Sequence
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
from .._frame import as_frame, resolve_rng
from ..exceptions import AnalysisError, SmallSampleWarning, require_columns
from ._result import Result, _fmt_p, _markdown_table
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
#: Numeric columns always summarised by median [Q1, Q3] (ordinal by design).
ORDINAL_DERIVED = ("boldness_index", "reach", "distance", "initiation")

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
    """

    by: str
    strata: str | None = None
    groups: tuple[Any, ...] = ()
    variables: tuple[str, ...] = ()
    nonnormal: tuple[str, ...] = ()
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

    def _flat(self) -> pd.DataFrame:
        table = self.table.copy()
        if isinstance(table.columns, pd.MultiIndex):
            table.columns = [f"{a}: {b}" for a, b in table.columns]
        return table.reset_index()

    def to_markdown(self, digits: int = 3) -> str:
        """Markdown: the display table, then method, notes and warnings."""
        parts = [f"**{self.title}**", "", _markdown_table(self._flat()), ""]
        parts += self._footer_lines()
        return "\n".join(parts).rstrip() + "\n"

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

    def to_latex(self, caption: str | None = None) -> str:
        """LaTeX ``tabular`` (booktabs rules) of the display table; notes as comments."""
        styler = self.table.style
        styler = styler.format(escape="latex").format_index(escape="latex", axis=0)
        styler = styler.format_index(escape="latex", axis=1)
        text = styler.to_latex(
            hrules=True,
            caption=caption,
            multirow_align="t",
            multicol_align="c",
            environment="table" if caption else None,
        )
        foot = "".join(f"% {line}\n" for line in self._footer_lines())
        return text + foot


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


def _as_variable(series: pd.Series, name: str) -> _Var:
    dtype = series.dtype
    col = schema.SCHEMA.get(name)
    if pd.api.types.is_bool_dtype(dtype):
        na = series.isna().to_numpy()
        val = series.fillna(False).to_numpy(dtype=bool)
        codes = np.where(na, -1, np.where(val, 0, 1))
        return _Var(name, "categorical", codes=codes, levels=("yes", "no"))
    if isinstance(dtype, pd.CategoricalDtype):
        levels = tuple(str(c) for c in dtype.categories)
        codes = series.cat.codes.to_numpy().astype(np.int64)
        return _Var(name, "categorical", codes=codes, levels=levels)
    categorical_kind = col is not None and col.kind in ("string", "category", "bool")
    if pd.api.types.is_numeric_dtype(dtype) and not categorical_kind:
        values = series.to_numpy(dtype=float, na_value=np.nan)
        check_finite(values, name)
        ordinal = (col is not None and col.kind == "ordinal") or name in ORDINAL_DERIVED
        return _Var(name, "numeric", values=values, ordinal=ordinal)
    # text, or a canonical category/label column stored as numbers (e.g. cohort 2019):
    # yes/no values (text anywhere; numbers only in a canonical yes/no column) are read
    # by the package's one yes/no reader, so "NA" in a yes/no column is missing
    text = not pd.api.types.is_numeric_dtype(dtype)
    if (col is not None and col.kind == "bool") or (col is None and text):
        read = yes_no(series)
        if read is not None and read.notna().any():
            flags = read.to_numpy()
            codes = np.where(np.isnan(flags), -1, np.where(flags == 1.0, 0, 1))
            return _Var(name, "categorical", codes=codes, levels=("yes", "no"))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    present = list(uniques)
    order: list[Any]
    # text: schema categories keep their order (and are all shown), other values sorted
    if col is not None and col.categories:
        order = list(col.categories) + _sorted([v for v in present if v not in set(col.categories)])
    else:
        order = _sorted(present)
    codes = _remap(codes, present, order)
    return _Var(name, "categorical", codes=codes, levels=tuple(str(v) for v in order))


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
    table: np.ndarray, gen: np.random.Generator
) -> tuple[str, float, float, float, str]:
    """(method, statistic, df, p_value, note) for a groups x levels count table."""
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2:
        return "", math.nan, math.nan, math.nan, "only one group has values"
    if table.shape[1] < 2:
        return "", math.nan, math.nan, math.nan, "only one level observed: nothing to test"
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    sparse = bool(expected.min() < 5)
    if sparse and table.shape == (2, 2):
        res = stats.fisher_exact(table)
        return "Fisher's exact test", math.nan, math.nan, float(res.pvalue), ""
    if sparse and total <= MONTE_CARLO_MAX_N:
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
            method, stat, df, p, note = _categorical_test(level_counts[:k], gen)
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
        has = [j for j in range(k) if n_g[j] > 0]
        if len(has) < 2:
            why = "only one group has values" if has else "no values"
            tests.append(_test_row(var.name, summary, "", math.nan, math.nan, math.nan, why))
        elif median_summary:
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


def _display_block(
    long: list[dict[str, Any]],
    tests: list[dict[str, Any]],
    smd: list[dict[str, Any]],
    variables: list[_Var],
    labels: list[str],
    nonnormal: set[str],
) -> pd.DataFrame:
    """The printed Table 1 of one block, from the block's rows (plain dict look-ups)."""
    columns = [OVERALL, *labels]
    # one SMD column with a stable name: the group against the reference (two groups),
    # else the largest in absolute value (every SMD is in the tidy .smd table)
    all_cols = [*columns, "p_value", "test", "SMD"]
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
        extra: dict[str, str] = {"p_value": _fmt_p(t["p_value"]), "test": str(t["method"])}
        if t["note"] and not np.isfinite(t["p_value"]):
            extra["test"] = f"no test: {t['note']}"
        largest = smd_by.get(var.name)
        extra["SMD"] = "" if largest is None else _num(largest, 3)
        if var.kind == "categorical":
            label = f"{var.name}, n (%)"
            for i, level in enumerate(var.levels):
                cells = {}
                for c in columns:
                    row = cell[(var.name, level, c)]
                    cells[c] = f"{row['count']:.0f} ({_num(row['percent'], 1)})" if row["n"] else ""
                rows.append(((label, level), {**cells, **(extra if i == 0 else {})}))
            first = var.levels[0] if var.levels else ""
            missing = {c: cell[(var.name, first, c)]["missing"] for c in columns} if first else {}
        else:
            median = var.name in nonnormal
            label = f"{var.name}, " + ("median [Q1, Q3]" if median else "mean (SD)")
            cells = {}
            for c in columns:
                row = cell[(var.name, "", c)]
                if not row["n"]:
                    cells[c] = ""
                elif median:
                    q = f"{_num(row['median'])} [{_num(row['q1'])}, {_num(row['q3'])}]"
                    cells[c] = q
                else:
                    cells[c] = f"{_num(row['mean'])} ({_num(row['sd'])})"
            rows.append(((label, ""), {**cells, **extra}))
            missing = {c: cell[(var.name, "", c)]["missing"] for c in columns}
        rows.append(((label, "missing"), {c: str(int(missing.get(c, 0))) for c in columns}))
    index = pd.MultiIndex.from_tuples([r[0] for r in rows], names=["variable", "level"])
    return pd.DataFrame([r[1] for r in rows], index=index, columns=all_cols).fillna("")


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
        docstring (ordinal columns, skewness, Shapiro-Wilk on small groups).
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
        names = list(dict.fromkeys(check_column_names(variables, "variables")))
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

    notes: list[str] = []
    group_col = frame[by]
    gcodes_all, levels = _factor(group_col, by)
    if not levels:
        raise AnalysisError(f"Column '{by}' has no non-missing values: no groups to compare.")
    labels = [str(v) for v in levels]
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

    variables_ = [_as_variable(frame[name], name) for name in names]
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
            cache[v.name] = _moments(v.values, gcodes, len(labels), third=True)
            if _looks_skewed(cache[v.name], len(labels), alpha):
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
    notes.append(
        f"SMD: standardised mean difference of each group against {labels[ref]!r}{why}; "
        "Yang & Dalton (2012) for categorical variables (non-negative), signed for numeric "
        "variables (group minus reference)"
        + (
            "; with more than two groups the SMD column shows the largest in absolute value."
            if len(labels) > 2
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
                     values=None if v.values is None else v.values[idx], ordinal=v.ordinal)
                for v in variables_
            ]  # fmt: skip
            blocks.append((slev, gcodes[idx], sub_vars))

    long_parts, test_parts, smd_parts, displays = [], [], [], []
    for slev, gc, vars_ in blocks:
        long_rows, test_rows, smd_rows = _block(
            gc, labels, vars_, chosen, gen, ref, cache if strata is None else None
        )
        display = _display_block(long_rows, test_rows, smd_rows, vars_, labels, chosen)
        long = pd.DataFrame(long_rows, columns=list(_LONG_COLUMNS))
        tests = pd.DataFrame(test_rows, columns=list(_TEST_COLUMNS))
        smd = pd.DataFrame(smd_rows, columns=list(_SMD_COLUMNS))
        if strata is not None:
            for part in (long, tests, smd):
                part.insert(0, "stratum", slev)
            display.columns = pd.MultiIndex.from_product([[str(slev)], display.columns])
            counts = np.bincount(gc, minlength=len(labels))
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
        if not np.isfinite(row.p_value) and row.note:
            where = f" in stratum '{row.stratum}'" if strata is not None else ""
            notes.append(f"No p-value for '{row.variable}'{where}: {row.note}.")
    methods = [m for m in pd.unique(tests["method"]) if m]
    warns: list[str] = []
    small = [lab for lab, n in zip(labels, np.bincount(gcodes, minlength=len(labels)),
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
        table=table,
        long=long,
        tests=tests,
        smd=smd,
        rng=seed,
        reference=ref_value,
    )
