"""Table suppression: primary and secondary (hypercube) suppression of two-way count tables."""

from __future__ import annotations

import html
import math
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from ..stats._result import Result

if TYPE_CHECKING:
    from .joint_audit import AuditResult
from .policies import DisclosurePolicy, _resolve_policy

# ======================================================================================
# 4. Cell suppression: the engine
# ======================================================================================
#
# A table with totals is held as an "extended grid" X of shape (R+1, C+1): the
# interior counts, the row totals in the last column, the column totals in the last
# row and the grand total in the corner.  Every line (row or column of the grid)
# satisfies  sum(interior cells) = total cell.  The grid is a network: source ->
# row i (row total), row i -> column j (cell), column j -> sink (column total),
# sink -> source (grand total); consistent tables are exactly the circulations of
# this network, so the linear-programming bounds of a cell are maximum flows.

#: Label of the total row and column.
TOTAL = "Total"
#: Marker of a suppressed cell in displays ("[c]": confidential, the GSS symbol).
SUPPRESSED_MARK = "[c]"

_INF = 10**15


def _extend(counts: np.ndarray) -> np.ndarray:
    """Counts (R, C) -> extended grid (R+1, C+1) with row, column and grand totals."""
    r, c = counts.shape
    grid = np.zeros((r + 1, c + 1), dtype=np.int64)
    grid[:r, :c] = counts
    grid[:r, c] = counts.sum(axis=1)
    grid[r, :c] = counts.sum(axis=0)
    grid[r, c] = counts.sum()
    return grid


def _maxflow(
    cap: list[list[int]],
    source: int,
    sink: int,
    limit: int,
    neighbours: list[list[int]] | None = None,
) -> int:
    """Edmonds-Karp maximum flow on a small dense graph (``cap`` is modified), capped.

    ``neighbours`` (node pairs with capacity in either direction) may be passed when
    the same graph is used repeatedly.
    """
    n = len(cap)
    flow = 0
    if neighbours is None:
        neighbours = [[v for v in range(n) if cap[u][v] or cap[v][u]] for u in range(n)]
    while flow < limit:
        parent = [-1] * n
        parent[source] = source
        queue = deque([source])
        while queue and parent[sink] < 0:
            u = queue.popleft()
            for v in neighbours[u]:
                if parent[v] < 0 and cap[u][v] > 0:
                    parent[v] = u
                    queue.append(v)
        if parent[sink] < 0:
            break
        push = limit - flow
        v = sink
        while v != source:
            u = parent[v]
            push = min(push, cap[u][v])
            v = u
        v = sink
        while v != source:
            u = parent[v]
            cap[u][v] -= push
            cap[v][u] += push
            v = u
        flow += push
    return flow


class _Grid:
    """Suppression state of one extended grid (internal)."""

    def __init__(self, grid: np.ndarray, pol: DisclosurePolicy, suppressed: np.ndarray) -> None:
        self.x = grid
        self.xl: list[list[int]] = grid.tolist()
        self.pol = pol
        self.need = max(int(pol.threshold), 1)
        self.s = suppressed.copy()
        self.r1, self.c1 = grid.shape
        self.sr = [1] * (self.r1 - 1) + [-1]
        self.sc = [1] * (self.c1 - 1) + [-1]
        self._residual: list[list[int]] | None = None
        self._neighbours: list[list[int]] = []
        self._safe: set[tuple[int, int]] = set()

    # -- state ------------------------------------------------------------------------

    def add(self, cells: Iterable[tuple[int, int]]) -> None:
        for cell in cells:
            self.s[cell] = True
        self._residual = None  # suppression only widens ranges: cached safe cells stay safe

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds of every cell an intruder knows: published intervals, [0, inf) else."""
        published = np.where(self.s, np.nan, self.pol._round(self.x).astype(float))
        lo, hi = self.pol._intervals(published)
        lo = np.where(self.s, 0.0, lo)
        hi = np.where(self.s, np.inf, hi)
        return lo, hi

    def _arc(self, i: int, j: int) -> tuple[int, int]:
        r, c = self.r1 - 1, self.c1 - 1
        if i < r and j < c:
            return 1 + i, 1 + r + j
        if i < r:
            return 0, 1 + i
        if j < c:
            return 1 + r + j, r + c + 1
        return r + c + 1, 0

    def residual(self) -> list[list[int]]:
        if self._residual is None:
            n = self.r1 + self.c1
            cap = [[0] * n for _ in range(n)]
            lo, hi = self.bounds()
            for i in range(self.r1):
                for j in range(self.c1):
                    u, v = self._arc(i, j)
                    x = self.xl[i][j]
                    cap[u][v] = _INF if math.isinf(hi[i, j]) else int(hi[i, j]) - x
                    cap[v][u] = x - int(lo[i, j])
            self._residual = cap
            self._neighbours = [[v for v in range(n) if cap[u][v] or cap[v][u]] for u in range(n)]
        return self._residual

    def flow_range(self, i: int, j: int, limit: int = _INF) -> tuple[int, int]:
        """(decrease, increase) the cell admits, each capped at ``limit``."""
        u, v = self._arc(i, j)
        base = self.residual()
        cap = [row[:] for row in base]
        cap[u][v] = cap[v][u] = 0
        inc = _maxflow(cap, v, u, limit, self._neighbours)
        cap = [row[:] for row in base]
        cap[u][v] = cap[v][u] = 0
        dec = min(_maxflow(cap, u, v, limit, self._neighbours), self.xl[i][j])
        return dec, inc

    # -- rectangles (hypercubes) --------------------------------------------------------

    def _width(self, i: int, j: int, k: int, col: int) -> float:
        """Feasible width of (i, j) along the rectangle (i, j), (i, col), (k, j), (k, col)."""
        xl, sr, sc = self.xl, self.sr, self.sc
        plus = minus = math.inf
        for a, b, p in ((i, j, 1), (i, col, -1), (k, j, -1), (k, col, 1)):
            v = xl[a][b]
            if sr[a] * sc[b] * p > 0:
                if v < plus:
                    plus = v
            elif v < minus:
                minus = v
        return plus + minus

    def rectangles(
        self, i: int, j: int
    ) -> Iterable[tuple[float, int, int, list[tuple[int, int]], int, int]]:
        """(width, cost, new totals, new cells, k, l) of every rectangle through (i, j)."""
        xl, s = self.xl, self.s
        last_r, last_c = self.r1 - 1, self.c1 - 1
        for k in range(self.r1):
            if k == i:
                continue
            for col in range(self.c1):
                if col == j:
                    continue
                new = [cell for cell in ((i, col), (k, j), (k, col)) if not s[cell]]
                cost = sum(xl[a][b] for a, b in new)
                totals = sum(1 for a, b in new if a == last_r or b == last_c)
                yield self._width(i, j, k, col), cost, totals, new, k, col

    def certified(self, i: int, j: int) -> bool:
        """Whether a rectangle of suppressed cells through (i, j) gives it enough room."""
        s = self.s
        rows = [k for k in range(self.r1) if k != i and s[k, j]]
        cols = [c for c in range(self.c1) if c != j and s[i, c]]
        return any(s[k, c] and self._width(i, j, k, c) >= self.need for k in rows for c in cols)

    def is_safe(self, i: int, j: int) -> bool:
        if (i, j) in self._safe:
            return True
        ok = self.certified(i, j)
        if not ok:
            dec, inc = self.flow_range(i, j, self.need)
            ok = dec + inc >= self.need
        if ok:
            self._safe.add((i, j))
        return ok

    def _cell_key(self, cell: tuple[int, int], *, crossing: int = 0) -> tuple[Any, ...]:
        a, b = cell
        v = self.xl[a][b]
        total = a == self.r1 - 1 or b == self.c1 - 1
        return (v == 0, v, crossing, total, a, b)

    def reinforce(self, i: int, j: int) -> bool:
        """Suppress more cells to protect (i, j); False when nothing is left to suppress."""
        best: tuple[Any, ...] | None = None
        fallback: tuple[Any, ...] | None = None
        key: tuple[Any, ...]
        for width, cost, totals, new, k, col in self.rectangles(i, j):
            if not new:
                continue
            if width >= self.need:
                key = (cost, totals, len(new), k, col, new)
                if best is None or key[:-1] < best[:-1]:
                    best = key
            else:
                key = (-width, cost, totals, len(new), k, col, new)
                if fallback is None or key[:-1] < fallback[:-1]:
                    fallback = key
        if best is not None:
            self.add(best[-1])
            return True
        if fallback is not None:
            self.add(fallback[-1])
            return True
        in_lines = [(i, b) for b in range(self.c1) if not self.s[i, b]]
        in_lines += [(a, j) for a in range(self.r1) if not self.s[a, j]]
        anywhere = [tuple(c) for c in np.argwhere(~self.s)]
        for pool in (in_lines, anywhere):
            if pool:
                self.add([min(pool, key=self._cell_key)])  # type: ignore[arg-type]
                return True
        return False

    def line_rules(self) -> bool:
        """No line with exactly one suppressed cell; with a published line total, the
        suppressed cells of the line add up to at least the threshold."""
        lines = [[(i, b) for b in range(self.c1)] for i in range(self.r1)]
        lines += [[(a, j) for a in range(self.r1)] for j in range(self.c1)]
        for line in lines:
            supp = [c for c in line if self.s[c]]
            if not supp:
                continue
            total = line[-1]
            short = not self.s[total] and sum(self.xl[a][b] for a, b in supp) < self.need
            if len(supp) != 1 and not short:
                continue
            candidates = [c for c in line if not self.s[c]]
            if not candidates:
                continue
            row_line = line[0][0] == line[-1][0]

            def key(cell: tuple[int, int], row_line: bool = row_line) -> tuple[Any, ...]:
                a, b = cell
                crossing = self.s[:, b].any() if row_line else self.s[a, :].any()
                return self._cell_key(cell, crossing=0 if crossing else 1)

            self.add([min(candidates, key=key)])
            return True
        return False


def _protect(
    grid: np.ndarray, pol: DisclosurePolicy, forced: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary suppression of an extended grid.

    Returns ``(suppressed, primary)`` boolean grids.  ``forced`` cells are suppressed
    from the start (used by the ledger and to check idempotence).
    """
    primary = pol._primary(grid)
    start = primary | forced if forced is not None else primary.copy()
    state = _Grid(grid, pol, start)
    if not state.s.any():
        return state.s, primary
    order_rank = np.where(primary, 0, np.where(forced if forced is not None else False, 1, 2))
    for _ in range(4 * grid.size + 4):  # each pass suppresses one more cell or stops
        cells = sorted(
            (tuple(c) for c in np.argwhere(state.s)),
            key=lambda c: (order_rank[c], state.xl[c[0]][c[1]], c),
        )
        unsafe = next((c for c in cells if not state.is_safe(*c)), None)
        if unsafe is not None:
            if not state.reinforce(*unsafe):
                break
            continue
        if state.line_rules():
            continue
        break
    return state.s, primary


def _exact_ranges(
    grid: np.ndarray, suppressed: np.ndarray, pol: DisclosurePolicy, limit: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact feasible range [lo, hi] of every suppressed cell (maximum flow).

    Used to cross-check the linear-programming audit.  With ``limit``, the moves down
    and up are each capped at ``limit``: the width is then at least ``limit`` exactly
    when the true width is.
    """
    state = _Grid(grid, pol, suppressed)
    lo = np.full(grid.shape, np.nan)
    hi = np.full(grid.shape, np.nan)
    for i, j in np.argwhere(suppressed):
        dec, inc = state.flow_range(int(i), int(j), _INF if limit is None else limit)
        x = int(grid[i, j])
        lo[i, j] = x - dec
        hi[i, j] = math.inf if inc >= _INF // 2 else x + inc
    return lo, hi


def _reasons(
    grid: np.ndarray,
    suppressed: np.ndarray,
    primary: np.ndarray,
    pol: DisclosurePolicy,
    cross: np.ndarray | None = None,
) -> np.ndarray:
    out = np.full(grid.shape, "", dtype=object)
    prim = np.asarray(primary, dtype=bool)
    row_has = (prim.sum(axis=1) > 0).tolist()
    col_has = (prim.sum(axis=0) > 0).tolist()
    for i, j in np.argwhere(suppressed):
        if primary[i, j]:
            out[i, j] = (
                "zero (the policy suppresses zeros)"
                if grid[i, j] == 0
                else f"fewer than {pol.threshold}"
            )
        elif cross is not None and cross[i, j]:
            out[i, j] = "secondary: protects a suppressed cell in another table"
        elif row_has[i]:
            out[i, j] = "secondary: protects a suppressed cell in the same row"
        elif col_has[j]:
            out[i, j] = "secondary: protects a suppressed cell in the same column"
        else:
            out[i, j] = "secondary: protects a suppressed cell elsewhere in the table"
    return out


# ======================================================================================
# 5. Suppressed tables
# ======================================================================================


@dataclass(frozen=True, kw_only=True)
class SuppressedTable(Result):
    """A count table after disclosure control.

    The ``*_full`` fields always include the total row and column (named
    :data:`TOTAL`); the properties without the suffix show them only when the table
    was made with ``margins=True``.  Protection always assumes the totals are known
    (they are usually published as group sizes elsewhere).

    Attributes
    ----------
    published : DataFrame
        Nullable integers; suppressed cells are ``<NA>``; rounded when the policy rounds.
    suppressed : DataFrame
        True where a cell is suppressed.
    reasons : DataFrame
        Why each cell is suppressed ("fewer than 5", "secondary: protects a suppressed
        cell in the same row", ...); "" when published.
    policy : DisclosurePolicy
    counts : DataFrame
        The TRUE counts.  For internal checks only: never publish or export them.
    """

    published_full: pd.DataFrame
    suppressed_full: pd.DataFrame
    reasons_full: pd.DataFrame
    counts_full: pd.DataFrame = field(repr=False)
    policy: DisclosurePolicy
    margins: bool = True
    name: str = ""

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def _view(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame if self.margins else frame.iloc[:-1, :-1]

    @property
    def published(self) -> pd.DataFrame:
        return self._view(self.published_full)

    @property
    def suppressed(self) -> pd.DataFrame:
        return self._view(self.suppressed_full)

    @property
    def reasons(self) -> pd.DataFrame:
        return self._view(self.reasons_full)

    @property
    def counts(self) -> pd.DataFrame:
        """True counts (internal use only; never export)."""
        return self._view(self.counts_full)

    @property
    def title(self) -> str:
        return self.name or "Suppressed table"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"published": self.published}

    def percentages(self, axis: str = "row") -> pd.DataFrame:
        """Percentages computed from the published counts (0-100).

        A percentage is missing when its numerator or denominator is suppressed (or the
        denominator is zero).  With a rounding policy, both are the rounded counts.

        Parameters
        ----------
        axis : {"row", "column", "total"}, default="row"
            Denominator: the row total, the column total or the grand total.

        Returns
        -------
        DataFrame
            Same shape and labels as :attr:`published`, float.
        """
        values = self.published_full.to_numpy(dtype=float, na_value=np.nan)
        if axis == "row":
            den = values[:, -1:]
        elif axis == "column":
            den = values[-1:, :]
        elif axis == "total":
            den = np.full_like(values, values[-1, -1])
        else:
            raise AnalysisError(f"axis must be 'row', 'column' or 'total', not {axis!r}.")
        with np.errstate(divide="ignore", invalid="ignore"):
            pct = np.where(den > 0, 100.0 * values / den, np.nan)
        frame = pd.DataFrame(
            pct, index=self.published_full.index, columns=self.published_full.columns
        )
        return self._view(frame)

    def to_frame(self) -> pd.DataFrame:
        """Tidy long table: ``row``, ``column``, ``value``, ``suppressed``, ``reason``.

        ``value`` is the published count (``<NA>`` when suppressed); true counts are
        never included.
        """
        pub, sup, rea = self.published, self.suppressed, self.reasons
        n_r, n_c = pub.shape
        return pd.DataFrame(
            {
                "row": np.repeat(np.asarray(pub.index, dtype=object), n_c),
                "column": np.tile(np.asarray(pub.columns, dtype=object), n_r),
                "value": pd.array(pub.to_numpy().ravel(), dtype="Int64"),
                "suppressed": sup.to_numpy(dtype=bool).ravel(),
                "reason": rea.to_numpy(dtype=object).ravel(),
            }
        )

    def display(self) -> pd.DataFrame:
        """The published table as text, suppressed cells shown as ``[c]``."""
        pub = self.published
        text = pub.astype(object).where(~self.suppressed.to_numpy(), SUPPRESSED_MARK)
        return text.map(lambda v: SUPPRESSED_MARK if v is pd.NA else str(v))

    def _footer_lines(self) -> list[str]:
        lines = []
        if self.policy.banner:
            lines.append(self.policy.banner.upper())
        lines.append(f"Disclosure control: {self.policy.label}.")
        if self.suppressed.to_numpy().any():
            lines.append(f"{SUPPRESSED_MARK} = suppressed to protect confidentiality.")
        return lines + list(self.notes) + [f"Warning: {w}" for w in self.warnings]

    def to_markdown(
        self,
        digits: int = 3,
        *,
        table: str | Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        style: str | None = None,
    ) -> str:
        if table is not None or columns is not None or style is not None:
            return super().to_markdown(digits, table=table, columns=columns, style=style)
        from ..stats._result import _markdown_table

        parts = [f"**{self.title}**", ""]
        if self.policy.banner:
            parts += [f"**{self.policy.banner.upper()}**", ""]
        parts += [_markdown_table(self.display().reset_index()), ""]
        parts += [line for line in self._footer_lines() if line != self.policy.banner.upper()]
        return "\n".join(parts).rstrip() + "\n"

    def _repr_html_(self) -> str:
        parts = ["<div class='ma-result'>"]
        if self.policy.banner:
            parts.append(f"<p><strong>{html.escape(self.policy.banner.upper())}</strong></p>")
        parts.append(f"<h4>{html.escape(self.title)}</h4>")
        parts.append(self.display().to_html(border=0))
        foot = [line for line in self._footer_lines() if line != self.policy.banner.upper()]
        parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in foot) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def audit(self) -> AuditResult:
        """Linear-programming audit of this table from its published numbers."""
        from .joint_audit import audit

        return audit(self)


def _with_total(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        labels = [tuple(t) for t in index] + [(TOTAL,) + ("",) * (index.nlevels - 1)]
        return pd.MultiIndex.from_tuples(labels, names=index.names)
    return pd.Index([*index, TOTAL], dtype=object, name=index.name)


def _check_labels(index: pd.Index, what: str) -> None:
    flat = [v for t in index for v in (t if isinstance(t, tuple) else (t,))]
    if any(isinstance(v, str) and v == TOTAL for v in flat):
        raise AnalysisError(
            f"The table's {what} already contain a {TOTAL!r} label. Pass the table without "
            f"totals: suppress() adds the row, column and grand totals itself."
        )


def _count_matrix(table: Any, *, what: str = "table") -> np.ndarray:
    """Validate a 2-D table of counts and return it as int64."""
    if not isinstance(table, pd.DataFrame):
        raise AnalysisError(
            f"{what} must be a pandas DataFrame of counts (rows x columns, no totals), "
            f"not {type(table).__name__}. Build one with pd.crosstab(df[a], df[b])."
        )
    if table.shape[0] == 0 or table.shape[1] == 0:
        raise AnalysisError(f"{what} is empty ({table.shape[0]} x {table.shape[1]}).")
    bad = [
        str(c)
        for c, dt in table.dtypes.items()
        if pd.api.types.is_bool_dtype(dt) or not pd.api.types.is_numeric_dtype(dt)
    ]
    if bad:
        raise AnalysisError(
            f"{what} must hold counts (whole numbers >= 0); columns {bad} are not numeric."
        )
    values = table.to_numpy(dtype=float, na_value=np.nan)
    if np.isnan(values).any():
        raise AnalysisError(f"{what} has missing counts; fill them (0) before suppressing.")
    if (values < 0).any() or not np.all(values == np.round(values)):
        raise AnalysisError(
            f"{what} must hold counts (whole numbers >= 0); it has negative or fractional values."
        )
    return values.astype(np.int64)


def _make_table(
    index: pd.Index,
    columns: pd.Index,
    grid: np.ndarray,
    suppressed: np.ndarray,
    primary: np.ndarray,
    pol: DisclosurePolicy,
    *,
    margins: bool,
    name: str,
    cross: np.ndarray | None = None,
) -> SuppressedTable:
    rows, cols = _with_total(index), _with_total(columns)
    rounded = pol._round(grid)
    published = pd.DataFrame(
        {
            k: pd.arrays.IntegerArray(
                np.ascontiguousarray(rounded[:, k], dtype=np.int64), suppressed[:, k].copy()
            )
            for k in range(grid.shape[1])
        }
    )
    published.index, published.columns = rows, cols
    reasons = _reasons(grid, suppressed, primary, pol, cross)
    n_supp = int(suppressed.sum())
    notes: tuple[str, ...] = ()
    if n_supp:
        n_primary = int((suppressed & primary).sum())
        notes = (
            f"{n_primary} cells suppressed under the policy's threshold and "
            f"{n_supp - n_primary} further cells so that none can be recovered from totals.",
        )
    return SuppressedTable(
        method=f"cell suppression ({pol.name})",
        notes=notes,
        published_full=published,
        suppressed_full=pd.DataFrame(suppressed, index=rows, columns=cols),
        reasons_full=pd.DataFrame(reasons, index=rows, columns=cols),
        counts_full=pd.DataFrame(grid, index=rows, columns=cols),
        policy=pol,
        margins=margins,
        name=name,
    )


def suppress(
    table: pd.DataFrame,
    policy: str | int | DisclosurePolicy = "standard",
    *,
    margins: bool = True,
    name: str = "",
) -> SuppressedTable:
    """Suppress small counts of a two-way table so that none can be recovered.

    Row, column and grand totals are added and treated as cells.  Primary suppression
    hides counts of 1 to threshold-1 (and zeros if the policy says so); secondary
    suppression hides further cells, smallest counts first, until every suppressed
    cell's feasible range, given everything published, is at least the threshold
    wide (see the module documentation for the exact criterion).

    Parameters
    ----------
    table : DataFrame
        Counts (whole numbers >= 0), rows x columns, without totals, e.g.
        ``pd.crosstab(df["gender"], df["promoted"])``.
    policy : str, int or DisclosurePolicy, default="standard"
        See :func:`policy`.
    margins : bool, default=True
        Show the totals.  With False they are hidden from the result but still
        assumed known when protecting (group sizes are usually published elsewhere).
    name : str, default=""
        Title of the table (used by audits and displays).

    Returns
    -------
    SuppressedTable
        ``published`` (nullable integers, ``<NA>`` when suppressed), ``suppressed``,
        ``reasons``, ``percentages(axis)``, ``to_frame()`` (columns ``row``,
        ``column``, ``value``, ``suppressed``, ``reason``) and ``audit()``.

    Examples
    --------
    >>> t = pd.DataFrame({"yes": [3, 8], "no": [10, 12]}, index=["woman", "man"])
    >>> res = suppress(t)
    >>> print(res.display())
           yes   no Total
    woman  [c]  [c]    13
    man    [c]  [c]    20
    Total   11   22    33
    >>> res.reasons.loc["woman", "yes"]
    'fewer than 5'
    >>> res.audit().ok
    True
    """
    pol = _resolve_policy(policy)
    counts = _count_matrix(table)
    _check_labels(table.index, "row labels")
    _check_labels(table.columns, "column labels")
    grid = _extend(counts)
    suppressed, primary = _protect(grid, pol)
    return _make_table(
        table.index, table.columns, grid, suppressed, primary, pol, margins=margins, name=name
    )
