"""The linear-programming audit and the report-wide disclosure ledger over base cells."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._frame import as_frame
from ..exceptions import AnalysisError, DisclosureError
from ..stats._result import Result
from .policies import DisclosurePolicy, _resolve_policy
from .suppression import TOTAL, SuppressedTable, _make_table, _protect, _with_total

# ======================================================================================
# 6. Linear-programming audit
# ======================================================================================


@dataclass(frozen=True, kw_only=True)
class AuditResult(Result):
    """Result of a disclosure audit.

    Attributes
    ----------
    ok : bool
        True when every suppressed cell's feasible range is at least ``threshold`` wide.
    threshold : int
    cells : DataFrame
        One row per suppressed cell: ``table``, ``row``, ``column``, ``lo``, ``hi``
        (feasible range given the published numbers; ``hi`` may be inf), ``width``,
        ``safe``.  For the analyst only: ``lo``/``hi`` of an unsafe cell can reveal it.
    policy : DisclosurePolicy
    """

    ok: bool
    threshold: int
    cells: pd.DataFrame
    policy: DisclosurePolicy

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"suppressed cells": self.cells}

    @property
    def failures(self) -> pd.DataFrame:
        """The unsafe cells."""
        return self.cells[~self.cells["safe"].to_numpy(dtype=bool)]

    def raise_if_failed(self) -> None:
        """Raise :class:`DisclosureError` naming the unsafe cells (never their ranges)."""
        if self.ok:
            return
        bad = self.failures
        shown = [
            f"table {t!r} row {r!r} column {c!r}"
            for t, r, c in zip(bad["table"], bad["row"], bad["column"], strict=True)
        ]
        more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
        raise DisclosureError(
            f"Disclosure audit failed: {len(shown)} suppressed cell(s) can be narrowed to a "
            f"range narrower than {self.threshold}: {'; '.join(shown[:10])}{more}. Suppress "
            "more cells (suppress() does this; register tables built from the same data in "
            "one DisclosureLedger) or use a stricter policy."
        )

    def _footer_lines(self) -> list[str]:
        verdict = "passed" if self.ok else f"FAILED for {len(self.failures)} cell(s)"
        return [
            f"Audit {verdict}: every suppressed cell must have a feasible range at least "
            f"{self.threshold} wide ({self.policy.name} policy)."
        ] + super()._footer_lines()


class _LinearAudit:
    """The intruder's linear programme: {z >= 0 : lo <= published @ z <= hi}.

    ``published`` is a (cells x variables) 0/1 incidence matrix; rows with a single 1
    become variable bounds.  :meth:`bound` gives the minimum or maximum of a cell.
    """

    def __init__(self, published: np.ndarray, lo_pub: np.ndarray, hi_pub: np.ndarray) -> None:
        n_var = published.shape[1]
        var_lo = np.zeros(n_var)
        var_hi = np.full(n_var, np.inf)
        sizes = published.sum(axis=1)
        single = sizes == 1
        for row, lo, hi in zip(published[single], lo_pub[single], hi_pub[single], strict=True):
            k = int(np.flatnonzero(row)[0])
            var_lo[k] = max(var_lo[k], lo)
            var_hi[k] = min(var_hi[k], hi)
        if np.any(var_lo > var_hi):
            raise AnalysisError(
                "The published numbers are inconsistent (a cell cannot satisfy its own "
                "totals); audit the tables as produced by suppress()."
            )
        rest = ~single & (sizes > 0)
        a, lo_r, hi_r = published[rest].astype(float), lo_pub[rest], hi_pub[rest]
        exact = lo_r == hi_r
        self.a_eq = a[exact] if exact.any() else None
        self.b_eq = lo_r[exact] if exact.any() else None
        inexact = ~exact
        self.a_ub = np.vstack([a[inexact], -a[inexact]]) if inexact.any() else None
        self.b_ub = np.concatenate([hi_r[inexact], -lo_r[inexact]]) if inexact.any() else None
        self.bounds = [
            (float(lo), None if math.isinf(hi) else float(hi))
            for lo, hi in zip(var_lo, var_hi, strict=True)
        ]
        self._cache: dict[tuple[bytes, float], float] = {}

    def bound(self, objective: np.ndarray, sign: float) -> float:
        """Minimum (sign 1) or maximum (sign -1) of ``objective @ z``.

        Solved by HiGHS' dual simplex without presolve (these programmes are small:
        presolving took most of the time), falling back to HiGHS' default when that
        does not end with an answer.  Optima within 1e-9 (relative) of a whole number
        are that number: the data are counts, and floating-point noise must not decide
        between cells.
        """
        from scipy.optimize import linprog

        obj = np.asarray(objective, dtype=float)
        key = (obj.tobytes(), sign)
        if key not in self._cache:
            problem = dict(
                A_ub=self.a_ub, b_ub=self.b_ub, A_eq=self.a_eq, b_eq=self.b_eq, bounds=self.bounds
            )
            res = linprog(sign * obj, method="highs-ds", options={"presolve": False}, **problem)
            if res.status not in (0, 2, 3):
                res = linprog(sign * obj, method="highs", **problem)
            if res.status == 3:
                value = -sign * math.inf
            elif res.status != 0:
                raise AnalysisError(
                    "The published numbers are inconsistent with each other (the audit's "
                    f"linear programme is {'infeasible' if res.status == 2 else 'unsolved'}: "
                    f"{res.message}). Audit the tables as produced by suppress()."
                )
            else:
                value = sign * float(res.fun)
                whole = round(value)
                if abs(value - whole) <= 1e-9 * max(1.0, abs(value)):
                    value = float(whole)
            self._cache[key] = value
        return self._cache[key]


def _lp_ranges(
    published: np.ndarray, lo_pub: np.ndarray, hi_pub: np.ndarray, objectives: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """min and max of each objective row over {z >= 0 : lo <= published @ z <= hi}."""
    lp = _LinearAudit(published, lo_pub, hi_pub)
    lo = np.array([lp.bound(obj, 1.0) for obj in objectives], dtype=float)
    hi = np.array([lp.bound(obj, -1.0) for obj in objectives], dtype=float)
    return lo, hi


def _grid_incidence(r1: int, c1: int) -> np.ndarray:
    """Incidence (cells x interior cells) of an extended grid: each cell as a sum."""
    r, c = r1 - 1, c1 - 1
    inc = np.zeros((r1, c1, r, c), dtype=bool)
    for i in range(r):
        for j in range(c):
            inc[i, j, i, j] = True
            inc[i, c, i, j] = True
            inc[r, j, i, j] = True
            inc[r, c, i, j] = True
    return inc.reshape(r1 * c1, r * c)


def _published_grid(frame: pd.DataFrame, what: str) -> np.ndarray:
    bad = [
        str(c)
        for c, dt in frame.dtypes.items()
        if pd.api.types.is_bool_dtype(dt) or not pd.api.types.is_numeric_dtype(dt)
    ]
    if bad:
        raise AnalysisError(
            f"{what} must hold published counts (numbers, missing when suppressed); "
            f"columns {bad} are not numeric."
        )
    values = frame.to_numpy(dtype=float, na_value=np.nan)
    if (values[~np.isnan(values)] < 0).any():
        raise AnalysisError(f"{what} has negative counts.")
    return values


def _audit_grid(
    published: np.ndarray, audited: np.ndarray, pol: DisclosurePolicy
) -> tuple[np.ndarray, np.ndarray]:
    """LP ranges of the ``audited`` cells of one extended grid of published values."""
    r1, c1 = published.shape
    inc = _grid_incidence(r1, c1)
    flat = published.ravel()
    known = ~np.isnan(flat)
    lo, hi = pol._intervals(flat[known])
    return _lp_ranges(inc[known], lo, hi, inc[audited.ravel()])


def _cells_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Audit records (with the width each cell needs) -> the tidy cells table."""
    frame = pd.DataFrame(records, columns=["table", "row", "column", "lo", "hi", "need"])
    frame["lo"] = frame["lo"].astype(float)
    frame["hi"] = frame["hi"].astype(float)
    frame["width"] = frame["hi"] - frame["lo"]
    frame["safe"] = (frame["width"] >= frame["need"].astype(float) - 1e-7).astype(bool)
    return frame.drop(columns="need")


def audit(
    *tables: SuppressedTable | pd.DataFrame,
    policy: str | int | DisclosurePolicy | None = None,
    margins: bool | None = None,
) -> AuditResult:
    """Check that no suppressed cell can be narrowed to fewer than ``threshold`` values.

    For every suppressed cell, the minimum and maximum consistent with the published
    numbers are found with ``scipy.optimize.linprog`` (each published cell an equality,
    or for a rounded count the interval of counts that round to it; every cell >= 0).
    The cell is safe when ``hi - lo >= threshold`` (see the module documentation).
    Tables are audited independently; to audit tables built from the same microdata
    jointly (so they cannot be differenced), use :class:`DisclosureLedger`.

    Parameters
    ----------
    *tables : SuppressedTable or DataFrame
        Results of :func:`suppress`, or published tables with missing values for the
        suppressed cells.
    policy : str, int or DisclosurePolicy, optional
        Policy of DataFrame tables (default "standard"); overrides a SuppressedTable's own.
    margins : bool, optional
        Whether DataFrame tables end with a total row and column; default: when their
        last row and column are labelled "Total".  Without totals nothing links the
        cells, so every suppressed cell is safe.

    Returns
    -------
    AuditResult
        ``ok``, ``cells`` (columns ``table``, ``row``, ``column``, ``lo``, ``hi``,
        ``width``, ``safe``) and ``raise_if_failed()``.

    Examples
    --------
    >>> pub = pd.DataFrame({"yes": [None, 8, 11], "no": [10, 12, 22], "Total": [13, 20, 33]},
    ...                    index=["woman", "man", "Total"])
    >>> res = audit(pub)
    >>> res.ok, res.cells[["row", "column", "lo", "hi"]].to_dict("records")
    (False, [{'row': 'woman', 'column': 'yes', 'lo': 3.0, 'hi': 3.0}])
    """
    if not tables:
        raise AnalysisError("audit() needs at least one table (a SuppressedTable or DataFrame).")
    records: list[dict[str, Any]] = []
    pols = []
    for number, table in enumerate(tables, start=1):
        if isinstance(table, SuppressedTable):
            pol = _resolve_policy(policy) if policy is not None else table.policy
            values = table.published_full.to_numpy(dtype=float, na_value=np.nan)
            audited = table.suppressed_full.to_numpy(dtype=bool)
            rows, cols = table.published_full.index, table.published_full.columns
            label = table.name or f"table {number}"
        elif isinstance(table, pd.DataFrame):
            pol = _resolve_policy("standard" if policy is None else policy)
            label = f"table {number}"
            values = _published_grid(table, f"table {number}")
            has_margins = margins
            if has_margins is None:
                has_margins = (
                    len(table) > 0
                    and len(table.columns) > 0
                    and str(table.index[-1]) == TOTAL
                    and str(table.columns[-1]) == TOTAL
                )
            if has_margins:
                rows, cols = table.index, table.columns
                audited = np.isnan(values)
            else:
                rows, cols = _with_total(table.index), _with_total(table.columns)
                audited = np.zeros((values.shape[0] + 1, values.shape[1] + 1), dtype=bool)
                audited[:-1, :-1] = np.isnan(values)
                padded = np.full(audited.shape, np.nan)
                padded[:-1, :-1] = values
                values = padded
        else:
            raise AnalysisError(
                f"audit() takes SuppressedTable or DataFrame tables, not {type(table).__name__}."
            )
        pols.append(pol)
        if not audited.any():
            continue
        lo, hi = _audit_grid(values, audited, pol)
        for (i, j), a, b in zip(np.argwhere(audited), lo, hi, strict=True):
            records.append(
                {
                    "table": label,
                    "row": rows[i],
                    "column": cols[j],
                    "lo": a,
                    "hi": b,
                    "need": max(pol.threshold, 1),
                }
            )
    need = max(max(p.threshold, 1) for p in pols)
    cells = _cells_frame(records)
    return AuditResult(
        method="linear-programming bounds of each suppressed cell (scipy.optimize.linprog, HiGHS)",
        ok=bool(cells["safe"].all()),
        threshold=need,
        cells=cells,
        policy=pols[0],
    )


# ======================================================================================
# 7. Report-wide protection: base cells and the disclosure ledger
# ======================================================================================

#: Refuse cross-classifications larger than this (split the ledger instead).
MAX_BASE_CELLS = 200_000

_NA_LABEL = "missing"


@dataclass(frozen=True)
class TableSpec:
    """One published count table: ``rows`` x ``columns``, optionally restricted.

    Parameters
    ----------
    name : str
        Unique name.
    rows, columns : tuple of str
        Variables crossed in the rows and in the columns.
    where : tuple of (str, tuple) pairs, default=()
        Restriction to a subset, e.g. ``(("cohort", ("2019",)),)``.
    margins : bool, default=True
        Whether the totals are shown (they are assumed known either way).
    """

    name: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    where: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    margins: bool = True


@dataclass(frozen=True, eq=False)
class _TableCells:
    name: str
    index: pd.Index
    columns: pd.Index
    incidence: np.ndarray  # bool, (R+1)*(C+1) extended cells x base cells
    margins: bool

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.index) + 1, len(self.columns) + 1


@dataclass(frozen=True, eq=False)
class BaseCells:
    """The finest cross-classification of the variables of a set of tables.

    Attributes
    ----------
    variables : tuple of str
    levels : dict
        Observed levels of each variable (missing values form an extra level).
    counts : ndarray
        Participants in each base cell (true counts: internal use only).
    tables : dict
        Name -> cells of each registered table, with ``incidence``: a boolean matrix
        (extended cells x base cells) saying which base cells each cell adds up, in
        row-major order over the table with its totals.
    shadows : dict
        Cells of the subsets a ``where=`` filter leaves out (e.g. the other cohorts),
        which are not published but must not become recoverable.
    """

    variables: tuple[str, ...]
    levels: Mapping[str, tuple[Any, ...]]
    counts: np.ndarray
    tables: Mapping[str, _TableCells]
    shadows: Mapping[str, _TableCells]


def _as_spec(item: Any, number: int) -> TableSpec:
    if isinstance(item, TableSpec):
        return item
    if isinstance(item, Mapping):
        item = dict(item)
        return _make_spec(
            item.get("name", f"table {number}"),
            item.get("rows"),
            item.get("columns"),
            item.get("where"),
            item.get("margins", True),
        )
    if isinstance(item, tuple) and len(item) in (2, 3):
        return _make_spec(f"table {number}", item[0], item[1], item[2] if len(item) == 3 else None)
    raise AnalysisError(
        f"Table spec {number} must be a TableSpec, a (rows, columns[, where]) tuple or a dict, "
        f"not {type(item).__name__}."
    )


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise AnalysisError(f"{what} must be a column name or a list of column names, not {value!r}.")


def _make_spec(
    name: str, rows: Any, columns: Any, where: Any = None, margins: bool = True
) -> TableSpec:
    w: list[tuple[str, tuple[Any, ...]]] = []
    if where:
        if not isinstance(where, Mapping):
            raise AnalysisError(
                f"where must be a dict of column -> value(s), e.g. {{'cohort': '2019'}}, "
                f"not {type(where).__name__}."
            )
        for var, vals in where.items():
            if isinstance(vals, (str, bytes)) or not isinstance(vals, Iterable):
                vals = (vals,)
            w.append((str(var), tuple(vals)))
    return TableSpec(str(name), _names(rows, "rows"), _names(columns, "columns"), tuple(w), margins)


def _observed_levels(series: pd.Series) -> tuple[Any, ...]:
    present = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        seen = set(present.unique())
        return tuple(c for c in series.cat.categories if c in seen)
    uniques = list(pd.unique(present))
    try:
        return tuple(sorted(uniques))
    except TypeError:
        return tuple(uniques)


def _label_index(levels: Sequence[tuple[Any, ...]], names: Sequence[str]) -> pd.Index:
    if len(names) == 1:
        return pd.Index(list(levels[0]), dtype=object, name=names[0])
    return pd.MultiIndex.from_product([list(lv) for lv in levels], names=list(names))


def base_cell_incidence(microdata: Any, tables: Iterable[Any]) -> BaseCells:
    """Express every cell of a set of count tables as a sum of base cells.

    The base cells are the finest cross-classification of all variables the tables
    use (rows, columns and ``where`` filters), missing values forming a level of their
    own.  A table cell, row total, column total or grand total is the indicator vector
    of the base cells it adds up: stacking them gives the linear system an intruder
    can solve from everything published.

    Parameters
    ----------
    microdata : Cohort or DataFrame
        One row per participant.
    tables : iterable
        :class:`TableSpec` objects, ``(rows, columns)`` or ``(rows, columns, where)``
        tuples, or dicts with keys ``name``, ``rows``, ``columns``, ``where``.

    Returns
    -------
    BaseCells

    Examples
    --------
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "y": [1, 0, 1], "c": ["x", "z", "x"]})
    >>> bc = base_cell_incidence(df, [("g", "y"), ("g", "y", {"c": "x"})])
    >>> bc.variables, len(bc.counts), list(bc.shadows)
    (('g', 'y', 'c'), 8, ['table 2 [c=z]'])
    """
    frame = as_frame(microdata)
    specs = [_as_spec(item, k) for k, item in enumerate(tables, start=1)]
    if not specs:
        raise AnalysisError("Register at least one table.")
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise AnalysisError(f"Table names must be unique; got {names}.")
    variables = tuple(
        dict.fromkeys(v for s in specs for v in (*s.rows, *s.columns, *(w for w, _ in s.where)))
    )
    missing = [v for v in variables if v not in frame.columns]
    if missing:
        raise AnalysisError(
            f"Columns {missing} not found in the data. Available: {[str(c) for c in frame.columns][:30]}."
        )
    levels: dict[str, tuple[Any, ...]] = {}
    dims: list[int] = []
    codes: list[np.ndarray] = []
    for v in variables:
        lv = _observed_levels(frame[v])
        levels[v] = lv
        # look up each distinct value once (same matching as looking up every value)
        value_codes, uniques = pd.factorize(frame[v])
        in_levels = pd.Index(list(lv), dtype=object).get_indexer(
            pd.Index(np.asarray(uniques, dtype=object), dtype=object)
        )
        code = np.append(in_levels, -1).astype(np.int64)[value_codes]  # -1: missing
        has_na = bool((code < 0).any())
        dims.append(len(lv) + int(has_na))
        codes.append(np.where(code < 0, len(lv), code))
    size = int(np.prod(dims))
    if size > MAX_BASE_CELLS:
        raise AnalysisError(
            f"The tables cross {len(variables)} variables into {size} base cells (limit "
            f"{MAX_BASE_CELLS}). Register tables that share variables in separate ledgers."
        )
    flat = np.ravel_multi_index(tuple(codes), tuple(dims)) if len(frame) else np.zeros(0, int)
    counts = np.bincount(flat, minlength=size).astype(np.int64)
    combos = np.unravel_index(np.arange(size), tuple(dims))
    position = {v: k for k, v in enumerate(variables)}

    def cells(spec_rows, spec_cols, where_codes, name, margins) -> _TableCells:
        def code_of(names: tuple[str, ...]) -> tuple[np.ndarray, int, list[tuple[Any, ...]]]:
            lv = [levels[v] for v in names]
            sub = [combos[position[v]] for v in names]
            valid = np.all([s < len(level) for s, level in zip(sub, lv, strict=True)], axis=0)
            shape = tuple(len(level) for level in lv)
            idx = np.full(size, -1, dtype=np.int64)
            if valid.any() and all(shape):
                idx[valid] = np.ravel_multi_index(tuple(s[valid] for s in sub), shape)
            return idx, int(np.prod(shape)), lv

        r_idx, n_r, r_lv = code_of(spec_rows)
        c_idx, n_c, c_lv = code_of(spec_cols)
        inside = (r_idx >= 0) & (c_idx >= 0)
        for v, allowed in where_codes:
            inside &= np.isin(combos[position[v]], allowed)
        b = np.flatnonzero(inside)
        inc = np.zeros(((n_r + 1) * (n_c + 1), size), dtype=bool)
        width = n_c + 1
        inc[r_idx[b] * width + c_idx[b], b] = True
        inc[r_idx[b] * width + n_c, b] = True
        inc[n_r * width + c_idx[b], b] = True
        inc[n_r * width + n_c, b] = True
        return _TableCells(
            name, _label_index(r_lv, spec_rows), _label_index(c_lv, spec_cols), inc, margins
        )

    registered: dict[str, _TableCells] = {}
    shadows: dict[str, _TableCells] = {}
    keys = set()
    for spec in specs:
        where_codes = []
        for v, vals in spec.where:
            lv = levels[v]
            unknown = [x for x in vals if x not in lv]
            if unknown:
                raise AnalysisError(
                    f"Table {spec.name!r}: where={{{v!r}: ...}} asks for {unknown}, which no "
                    f"participant has. Observed values of {v!r}: {list(lv)[:20]}."
                )
            where_codes.append((v, [lv.index(x) for x in vals]))
        registered[spec.name] = cells(spec.rows, spec.columns, where_codes, spec.name, spec.margins)
        keys.add((spec.rows, spec.columns, tuple((v, tuple(c)) for v, c in where_codes)))
    for spec in specs:
        if not spec.where:
            continue
        wvars = [v for v, _ in spec.where]
        ranges = [range(dims[position[v]]) for v in wvars]
        for combo in itertools.product(*ranges):
            key = (
                spec.rows,
                spec.columns,
                tuple((v, (c,)) for v, c in zip(wvars, combo, strict=True)),
            )
            if key in keys:
                continue
            keys.add(key)
            label = ", ".join(
                f"{v}={levels[v][c] if c < len(levels[v]) else _NA_LABEL}"
                for v, c in zip(wvars, combo, strict=True)
            )
            name = f"{spec.name} [{label}]"
            shadows[name] = cells(
                spec.rows,
                spec.columns,
                [(v, [c]) for v, c in zip(wvars, combo, strict=True)],
                name,
                True,
            )
    return BaseCells(variables, levels, counts, registered, shadows)


class DisclosureLedger:
    """Protect and audit all count tables of a report together.

    Register every published count table built from the same microdata with
    :meth:`add`; :meth:`suppress` protects each table (as :func:`suppress` does) and
    then repeats, suppressing more cells, until the joint linear-programming audit of
    all tables passes: no suppressed cell, and no small cell of a subset left out by a
    ``where=`` filter (e.g. the other cohorts when one cohort's table and the overall
    table are both published), can be narrowed below the threshold by combining tables.
    When a cell fails, every published cell (of any table) that shares participants
    with it is tried in turn (suppressed, its table re-protected, the cell re-audited),
    and the one that protects the cell with the least information loss (the smallest
    sum of newly suppressed counts) is kept; every round suppresses at least one more
    cell, so the loop ends.

    Parameters
    ----------
    microdata : Cohort or DataFrame
        One row per participant.
    policy : str, int or DisclosurePolicy, default="standard"

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "cohort": ["A"] * 30 + ["B"] * 12,
    ...     "gender": (["woman"] * 15 + ["man"] * 15) + (["woman"] * 6 + ["man"] * 6),
    ...     "promoted": ([1] * 7 + [0] * 8) * 2 + [1, 1, 0, 0, 0, 0] + [1] * 3 + [0] * 3,
    ... })
    >>> ledger = DisclosureLedger(df)
    >>> _ = ledger.add("overall", rows="gender", columns="promoted")
    >>> _ = ledger.add("cohort A", rows="gender", columns="promoted", where={"cohort": "A"})
    >>> tables = ledger.suppress()
    >>> ledger.audit().ok
    True
    """

    def __init__(
        self, microdata: Any, *, policy: str | int | DisclosurePolicy = "standard"
    ) -> None:
        self._data = as_frame(microdata)
        self.policy = _resolve_policy(policy)
        self._specs: list[TableSpec] = []
        self._result: tuple[dict[str, SuppressedTable], AuditResult] | None = None

    @property
    def specs(self) -> tuple[TableSpec, ...]:
        """The registered tables."""
        return tuple(self._specs)

    def add(
        self,
        name: str,
        *,
        rows: str | Sequence[str],
        columns: str | Sequence[str],
        where: Mapping[str, Any] | None = None,
        margins: bool = True,
    ) -> DisclosureLedger:
        """Register a published count table ``rows`` x ``columns`` (restricted by ``where``).

        Returns the ledger, so calls can be chained.
        """
        spec = _make_spec(name, rows, columns, where, margins)
        if any(s.name == spec.name for s in self._specs):
            raise AnalysisError(
                f"A table named {spec.name!r} is already registered; use another name."
            )
        self._specs.append(spec)
        self._result = None
        return self

    def incidence(self) -> BaseCells:
        """Base cells and the incidence of every registered table (see :func:`base_cell_incidence`)."""
        if not self._specs:
            raise AnalysisError("Register tables with ledger.add(...) before suppressing.")
        return base_cell_incidence(self._data, self._specs)

    def suppress(self) -> dict[str, SuppressedTable]:
        """Jointly protected tables, by name."""
        return self._run()[0]

    def audit(self) -> AuditResult:
        """Joint linear-programming audit of all registered tables (after :meth:`suppress`)."""
        return self._run()[1]

    def _run(self) -> tuple[dict[str, SuppressedTable], AuditResult]:
        if self._result is not None:
            return self._result
        bc = self.incidence()
        pol = self.policy
        names = list(bc.tables)
        grids = {
            n: (bc.tables[n].incidence.astype(np.int64) @ bc.counts).reshape(bc.tables[n].shape)
            for n in names
        }
        cross = {n: np.zeros(grids[n].shape, dtype=bool) for n in names}
        state: dict[str, tuple[np.ndarray, np.ndarray]] = {
            n: _protect(grids[n], pol) for n in names
        }
        system = _JointSystem(bc, grids, pol)
        safe: set[bytes] = set()
        for _ in range(sum(g.size for g in grids.values()) + 1):
            row = system.first_failure(state, safe)
            if row is None:
                break
            support = system.incidence[row]
            best: tuple[Any, ...] | None = None
            for order, n in enumerate(names):
                s, primary = state[n]
                overlap = bc.tables[n].incidence[:, support].any(axis=1)
                for flat in np.flatnonzero(overlap & ~s.ravel()):
                    # try it: suppress this cell, re-protect its table, re-audit the cell
                    forced = s | cross[n]
                    forced.ravel()[flat] = True
                    trial, _ = _protect(grids[n], pol, forced=forced)
                    loss = int(grids[n][trial & ~s].sum())
                    trial_state = {**state, n: (trial, primary)}
                    published, _ = system.masks(trial_state)
                    width = system.width(system.programme(published), row, quick=True)
                    enough = width >= system.need - 1e-7
                    key = (
                        not enough,
                        -min(width, system.need) if not enough else 0,
                        loss,
                        order,
                        int(flat),
                    )
                    if best is None or key < best[0]:
                        best = (key, n, int(flat), trial)
            if best is None:
                break
            _, n, flat, trial = best
            cross[n].ravel()[flat] = True
            state[n] = (trial, state[n][1])
        result = system.audit(state)
        tables = {}
        for n in names:
            tc = bc.tables[n]
            s, primary = state[n]
            tables[n] = _make_table(
                tc.index,
                tc.columns,
                grids[n],
                s,
                primary,
                pol,
                margins=tc.margins,
                name=n,
                cross=cross[n] & ~primary,
            )
        self._result = (tables, result)
        return self._result


class _JointSystem:
    """All cells of a ledger (registered and shadow tables) over merged base cells."""

    def __init__(
        self, bc: BaseCells, grids: Mapping[str, np.ndarray], pol: DisclosurePolicy
    ) -> None:
        self.pol = pol
        self.need = max(pol.threshold, 1)
        self.blocks: list[tuple[str, _TableCells, int, bool]] = []
        true_parts, shown_parts = [], []
        offset = 0
        for n, tc in bc.tables.items():
            self.blocks.append((n, tc, offset, False))
            true_parts.append(grids[n].ravel())
            shown_parts.append(pol._round(grids[n].ravel()))
            offset += tc.incidence.shape[0]
        self.shadow_sensitive: list[np.ndarray] = []
        for n, tc in bc.shadows.items():
            x = tc.incidence.astype(np.int64) @ bc.counts
            self.blocks.append((n, tc, offset, True))
            self.shadow_sensitive.append(pol._primary(x))
            true_parts.append(x)
            shown_parts.append(np.zeros(x.size, dtype=np.int64))
            offset += tc.incidence.shape[0]
        self.incidence = np.vstack([tc.incidence for _, tc, _, _ in self.blocks])
        used = self.incidence.any(axis=0)
        patterns = np.unique(self.incidence[:, used].T, axis=0)
        # base cells that belong to exactly the same table cells are merged
        self.reduced = patterns.T.astype(float)
        self.true = np.concatenate(true_parts).astype(float)
        self.shown = np.concatenate(shown_parts).astype(float)
        self._programmes: dict[bytes, _LinearAudit] = {}

    def masks(
        self, state: Mapping[str, tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """(published, audited) row masks for a suppression state."""
        published, audited = [], []
        shadows = iter(self.shadow_sensitive)
        for n, _tc, _, is_shadow in self.blocks:
            if is_shadow:
                sens = next(shadows)
                published.append(np.zeros(sens.size, dtype=bool))
                audited.append(sens)
            else:
                s = state[n][0].ravel()
                published.append(~s)
                audited.append(s)
        return np.concatenate(published), np.concatenate(audited)

    def programme(self, published: np.ndarray) -> _LinearAudit:
        """The intruder's programme for a set of published cells (cached, with its bounds)."""
        key = np.packbits(published).tobytes()
        if key not in self._programmes:
            lo, hi = self.pol._intervals(self.shown[published])
            self._programmes[key] = _LinearAudit(self.reduced[published], lo, hi)
        return self._programmes[key]

    def width(self, lp: _LinearAudit, row: int, *, quick: bool = False) -> float:
        """Feasible width of a row; with ``quick``, stop once it is known to be enough."""
        hi = lp.bound(self.reduced[row], -1.0)
        if quick and hi - self.true[row] >= self.need - 1e-7:
            return hi - self.true[row]  # lo <= true count, so the width is at least this
        return hi - lp.bound(self.reduced[row], 1.0)

    def first_failure(
        self, state: Mapping[str, tuple[np.ndarray, np.ndarray]], safe: set[bytes]
    ) -> int | None:
        """Row of the first audited cell narrower than the threshold, or None.

        Suppressing more only widens feasible ranges, so cells found safe (``safe``,
        keyed by their incidence) stay safe.
        """
        published, audited = self.masks(state)
        if not audited.any():
            return None
        lp = self.programme(published)
        for row in (int(r) for r in np.flatnonzero(audited)):
            key = self.incidence[row].tobytes()
            if key in safe:
                continue
            if self.width(lp, row, quick=True) < self.need - 1e-7:
                return int(row)
            safe.add(key)
        return None

    def audit(self, state: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> AuditResult:
        """Full joint audit: the feasible range of every suppressed or sensitive cell."""
        published, audited = self.masks(state)
        lp = self.programme(published) if audited.any() else None
        records: list[dict[str, Any]] = []
        for n, tc, offset, _ in self.blocks:
            c1 = tc.shape[1]
            rows, cols = _with_total(tc.index), _with_total(tc.columns)
            for flat in np.flatnonzero(audited[offset : offset + tc.incidence.shape[0]]):
                assert lp is not None
                obj = self.reduced[offset + flat]
                records.append(
                    {
                        "table": n,
                        "row": rows[flat // c1],
                        "column": cols[flat % c1],
                        "lo": lp.bound(obj, 1.0),
                        "hi": lp.bound(obj, -1.0),
                        "need": self.need,
                    }
                )
        cells = _cells_frame(records)
        return AuditResult(
            method="joint linear-programming bounds over base cells "
            "(scipy.optimize.linprog, HiGHS)",
            ok=bool(cells["safe"].all()),
            threshold=self.need,
            cells=cells,
            policy=self.pol,
        )
