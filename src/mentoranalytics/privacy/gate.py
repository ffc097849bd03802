"""The release gate: one gate for every number that leaves the package.

A :class:`ReleaseGate` is opened on the microdata of one release (a report, or a
researcher's output pack).  Everything published goes through it:

* **count tables** (:meth:`ReleaseGate.table`): threshold rule, class disclosure,
  secondary suppression and rounding, cell by cell;
* **loose counts** (:meth:`ReleaseGate.counts`): n, n_missing, rows read, excluded
  rows: the same rules as table cells;
* **derived statistics** (:meth:`ReleaseGate.basis`): every rate, interval, test,
  estimate, model or chart is computed from a *basis table* of counts (a 2x2 table,
  the strata of a Mantel-Haenszel estimate, the group x bold choice x outcome cells of
  a model).  The statistic is released only when every cell of its basis is
  releasable, and then the whole basis table counts as published (a saturated model,
  a p-value with known margins or an exact interval can give the table back), so the
  joint audit treats it so.  Under rounding policies the statistic is computed from
  the rounded cells (:attr:`Basis.released`), never from the exact ones;
* **summaries** (:meth:`ReleaseGate.summary`): means, SDs and quantiles need enough
  values and must pass the dominance rules; minimum and maximum are never published;
  the mean of a variable with few distinct values is a linear relation between the
  counts of those values and enters the joint audit;
* **survival curves** (:meth:`ReleaseGate.survival`): life tables over fixed time
  bands merged until every band holds at least ``threshold`` events and no band loses
  between 1 and ``threshold - 1`` people to censoring.

Every decision is logged (:meth:`ReleaseGate.log`: output, item, decision, rule,
reason).  :meth:`ReleaseGate.audit` then solves the intruder's linear programme over
*all* published relations at once: the variables are the participants' *atoms* (the
groups of rows that no published relation tells apart, the finest base table), every
published count or mean is a linear relation, and every protected cell (suppressed
cells, small cells hidden inside a published mean, groups left out of the release)
must keep a feasible range at least ``threshold`` wide.  When it fails,
:meth:`ReleaseGate.repair` finds the cheapest further suppression (a cell and its
table re-protected, or a statistic withheld); the caller rebuilds its outputs with
``ReleaseGate(..., plan=gate.plan)`` so the second build publishes exactly the
repaired state.

The rules and their sources are listed in :data:`RULES` and in ``docs/privacy.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError
from .joint_audit import AuditResult, _cells_frame
from .policies import DisclosurePolicy, _resolve_policy
from .suppression import SuppressedTable, _make_table, _protect, _with_total

__all__ = ["RULES", "Basis", "GatePlan", "ReleaseGate", "dominated"]

#: The output-checking rules the gate applies: id -> (short name, what it says, source).
RULES: Mapping[str, tuple[str, str]] = {
    "SDC-1": (
        "threshold",
        "Counts of 1 to threshold-1 are not published (ONS/UK SRS threshold rule; ACRO "
        "`safe_threshold`; Hundepool et al. 2012, s. 5.2).",
    ),
    "SDC-2": (
        "secondary suppression",
        "Further cells are suppressed so that no suppressed cell can be recovered from "
        "totals or other tables (Hundepool et al. 2012, s. 5.3; tau-ARGUS hypercube).",
    ),
    "SDC-3": (
        "rounding",
        "Published counts are rounded to the policy's base; statistics are computed from "
        "the rounded counts (ONS 2014 administrative-tables guidance; NHS Digital HES).",
    ),
    "SDC-4": (
        "class disclosure",
        "A group in which all or none share an attribute is not shown cell by cell "
        "(Hundepool et al. 2012, s. 5.2.4, group disclosure; SDC handbook).",
    ),
    "SDC-5": (
        "minimum n for summaries",
        "Means and SDs need n >= the policy's minimum; quantiles need n >= twice the "
        "threshold (ACRO `safe_threshold` for aggregates; Griffiths et al. 2019, "
        "Handbook on SDC for outputs, rule of thumb for percentiles).",
    ),
    "SDC-6": (
        "dominance",
        "Sums and means fail when the two largest contributions exceed 90% of the total "
        "(N-K rule, n=2, k=90) or the rest is under 10% of the largest (p% rule, p=10) "
        "(ACRO defaults `safe_nk_n`, `safe_nk_k`, `safe_pratio_p`).",
    ),
    "SDC-7": (
        "no extremes",
        "Minimum and maximum are never published, by number, whisker or axis limit "
        "(Griffiths et al. 2019; ACRO refuses max/min aggregations).",
    ),
    "SDC-8": (
        "derived statistics",
        "A statistic is released only when every count it is computed from is "
        "releasable; its whole basis table then counts as published.",
    ),
    "SDC-9": (
        "survival steps",
        "Survival curves are life tables over fixed time bands, each holding at least "
        "threshold events and no band losing 1 to threshold-1 people to censoring "
        "(OpenSAFELY's safe Kaplan-Meier practice).",
    ),
    "SDC-10": (
        "figures",
        "Outside internal releases a figure draws released aggregates only: no mark per "
        "person, no extreme whisker, no axis limit at a data extreme.",
    ),
    "SDC-11": (
        "joint audit",
        "All published relations together, solved as one linear programme, leave every "
        "protected cell a feasible range at least threshold wide (Hundepool et al. "
        "2012, s. 4.3; the sliding protection of tau-ARGUS).",
    ),
}

_DECISION_COLUMNS = ["output", "item", "decision", "rule", "reason"]

#: Columns of a released life table (see :meth:`ReleaseGate.survival`).
_LIFE_TABLE_COLUMNS = [
    "group",
    "time",
    "n_at_risk",
    "events",
    "censored",
    "survival",
    "ci_low",
    "ci_high",
]

#: The order in which the repair tries to withdraw a relation (cheapest first).
_PRIORITY = {"counts": 0, "summary": 1, "basis": 2, "survival group": 2, "table": 3}
#: Candidates tried per failing cell before the widest is taken.
_MAX_TRIALS = 40
_DEBUG = False


def dominated(values: Any, *, floor: float = 0.0, p: float = 0.10, k: float = 0.90) -> bool:
    """Whether a sum of contributions fails the N-K (n=2) or the p% dominance rule.

    Contributions are ``values - floor`` (``floor``: the lowest value the variable can
    take), so a bounded scale is measured from its bottom.  A sum of zero (everyone at
    the floor) is dominated too: it tells every contributor's value.

    >>> dominated([10, 10, 10, 10, 10])
    False
    >>> dominated([100, 1, 1, 1, 1])
    True
    >>> dominated([0, 0, 0, 0, 0])
    True
    """
    x = np.sort(np.abs(np.asarray(values, dtype=float) - floor))[::-1]
    total = float(x.sum())
    if x.size == 0 or total <= 0:
        return True
    top2 = float(x[:2].sum())
    if top2 > k * total:
        return True
    rest = total - top2
    return bool(x.size >= 2 and rest < p * float(x[0]))


@dataclass
class GatePlan:
    """Decisions carried from one build of a release to the next (see :meth:`ReleaseGate.repair`).

    ``suppress`` maps a table name to extended-grid cells forced suppressed;
    ``withhold`` names bases and summaries to withhold; ``publish`` maps a table name to
    secondary cells published after all, because the rest of the release determines them.
    """

    suppress: dict[str, np.ndarray] = field(default_factory=dict)
    withhold: set[str] = field(default_factory=set)
    publish: dict[str, np.ndarray] = field(default_factory=dict)

    def same_as(self, other: GatePlan) -> bool:
        """Whether two plans ask for the same suppressions, withholdings and publications."""

        def masks(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
            keys = {k for k, v in a.items() if v.any()} | {k for k, v in b.items() if v.any()}
            return all(
                k in a and k in b and a[k].shape == b[k].shape and bool((a[k] == b[k]).all())
                for k in keys
            )

        return (
            self.withhold == other.withhold
            and masks(self.suppress, other.suppress)
            and masks(self.publish, other.publish)
        )

    def only_publishes_more_than(self, other: GatePlan) -> bool:
        """Whether this plan asks for what ``other`` asks, plus publications only (of
        secondary cells the release determines anyway: nothing a rebuild would hide)."""
        if self.withhold != other.withhold:
            return False
        same = GatePlan(self.suppress, self.withhold, other.publish)
        if not same.same_as(other):
            return False
        return all(
            k in self.publish and bool((self.publish[k] >= v).all())
            for k, v in other.publish.items()
            if v.any()
        )

    def copy(self) -> GatePlan:
        return GatePlan(
            {k: v.copy() for k, v in self.suppress.items()},
            set(self.withhold),
            {k: v.copy() for k, v in self.publish.items()},
        )


@dataclass(frozen=True)
class Basis:
    """The counts a statistic is computed from, as the gate released them.

    Attributes
    ----------
    name : str
    ok : bool
        Whether statistics computed from this basis may be published.
    reason : str
        Why not (empty when ``ok``).
    rule : str
        The rule that decided (``SDC-...``).
    counts : DataFrame
        The true counts (rows x columns, no totals): internal use only.
    released : DataFrame
        The counts a statistic may be computed from: the true counts under exact
        policies, the rounded counts under rounding policies; all NA when not ``ok``.
    """

    name: str
    ok: bool
    reason: str
    rule: str
    counts: pd.DataFrame
    released: pd.DataFrame

    def frame(self, rows: str | Sequence[str], columns: str) -> pd.DataFrame:
        """The released counts as a frequency-weighted frame (one row per cell with a
        ``weight`` column) for statistics that take microdata."""
        if not self.ok:
            raise AnalysisError(f"Basis {self.name!r} is withheld: {self.reason}")
        long = self.released.stack(future_stack=True).rename("weight").reset_index()
        row_names = [rows] if isinstance(rows, str) else list(rows)
        long.columns = [*row_names, columns, "weight"]
        return long[long["weight"] > 0].reset_index(drop=True)

    def expand(self, rows: str | Sequence[str], columns: str) -> pd.DataFrame:
        """The released counts as one row per counted participant."""
        f = self.frame(rows, columns)
        return (
            f.loc[f.index.repeat(f["weight"].astype(int))]
            .drop(columns="weight")
            .reset_index(drop=True)
        )


@dataclass
class _Relation:
    """A published linear relation: ``lo <= coef[layer codes] @ counts <= hi``."""

    owner: str  # table, basis or summary name (the unit the repair can withdraw)
    layer: int
    coef: np.ndarray  # float, one entry per code of the layer
    lo: float
    hi: float
    cell: tuple[int, ...] | None = None  # extended-grid cell of a table, if any
    label: str = ""  # the label of a loose count


@dataclass
class _Protected:
    """A cell that must keep a feasible range at least ``need`` wide."""

    owner: str
    label: tuple[str, str, str]
    layer: int
    coef: np.ndarray
    true: float


@dataclass
class _TableState:
    name: str
    layer: int
    grid: np.ndarray  # extended grid (R+1, C+1) of true counts
    codes_of: np.ndarray  # object array: layer codes of each extended cell
    suppressed: np.ndarray
    primary: np.ndarray
    forced: np.ndarray
    sensitive: np.ndarray  # cells that must stay unrecoverable: small or class-disclosing
    klass: np.ndarray  # class-disclosure cells (suppressed whatever the plan)


class ReleaseGate:
    """One gate for every number of a release; see the module docstring.

    Parameters
    ----------
    data : DataFrame
        The microdata the release speaks of, one row per participant (unique index).
        Frames passed to the gate's methods must be subsets of it (same index labels).
    policy : str, int or DisclosurePolicy, default="standard"
    plan : GatePlan, optional
        Decisions of an earlier build's :meth:`repair`.

    Examples
    --------
    >>> df = pd.DataFrame({"gender": ["woman"] * 12 + ["man"] * 14,
    ...                    "promoted": [True] * 3 + [False] * 9 + [True] * 7 + [False] * 7})
    >>> gate = ReleaseGate(df)
    >>> t = gate.table("promoted", df, "gender", "promoted", groups="rows")
    >>> t.suppressed.loc["woman"].tolist()
    [True, True, False]
    >>> gate.audit().ok
    True
    """

    def __init__(
        self,
        data: pd.DataFrame,
        policy: str | int | DisclosurePolicy = "standard",
        *,
        plan: GatePlan | None = None,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            raise AnalysisError(f"ReleaseGate needs a DataFrame, not {type(data).__name__}.")
        if not data.index.is_unique:
            raise AnalysisError("ReleaseGate needs microdata with a unique index.")
        self.index = data.index
        self.policy = _resolve_policy(policy)
        self.plan = plan.copy() if plan is not None else GatePlan()
        self.need = max(int(self.policy.threshold), 1)
        self._layers: list[np.ndarray] = []
        self._n_codes: list[int] = []
        self._relations: list[_Relation] = []
        self._protected: list[_Protected] = []
        self._tables: dict[str, _TableState] = {}
        self._owners: dict[str, str] = {}  # owner -> kind ("table", "basis", "summary", ...)
        self._log: list[dict[str, str]] = []
        #: atoms of the layers so far: (number of layers, codes, sizes), see _system
        self._atoms: tuple[int, list[np.ndarray], np.ndarray] | None = None
        #: the programme of a repair that passed, for audit(): (relations' ids, programme)
        self._passed: tuple[tuple[int, ...], _Programme] | None = None

    # -- basics ------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        """Whether the policy protects anything (False for ``internal``)."""
        return bool(self.policy.suppresses)

    def _positions(self, frame: pd.DataFrame | pd.Series) -> np.ndarray:
        pos = self.index.get_indexer(frame.index)
        if (pos < 0).any():
            raise AnalysisError(
                "A frame passed to the release gate has rows that are not in its microdata."
            )
        return pos

    def _layer(self, positions: np.ndarray, codes: np.ndarray, n_codes: int | None = None) -> int:
        n = int(n_codes) if n_codes is not None else int(codes.max(initial=-1)) + 1
        # one code per participant and output: the smallest integers that hold them (a
        # report of a million people has a hundred or more of these)
        kind = np.int16 if n < 2**15 else np.int32 if n < 2**31 else np.int64
        full = np.full(len(self.index), -1, dtype=kind)
        full[positions] = codes
        self._layers.append(full)
        self._n_codes.append(n)
        return len(self._layers) - 1

    def _own(self, owner: str, kind: str) -> None:
        if owner in self._owners:
            raise AnalysisError(f"The release already has an output named {owner!r}.")
        self._owners[owner] = kind

    def decide(self, output: str, item: str, decision: str, rule: str, reason: str) -> None:
        """Record one decision in the log (released, suppressed, withheld, rounded)."""
        self._log.append(
            {"output": output, "item": item, "decision": decision, "rule": rule, "reason": reason}
        )

    def log(self) -> pd.DataFrame:
        """The decision log: one row per decision (output, item, decision, rule, reason)."""
        return pd.DataFrame(self._log, columns=_DECISION_COLUMNS)

    # -- count tables --------------------------------------------------------------------
    def _grid(
        self, frame: pd.DataFrame, rows: str | Sequence[str], columns: str | Sequence[str]
    ) -> tuple[pd.Index, pd.Index, np.ndarray, np.ndarray]:
        """Levels, extended grid of counts and per-row interior codes of a table."""

        def level_codes(s: pd.Series) -> tuple[list[Any], np.ndarray]:
            """Levels in order (categories' order, else sorted; 'missing' last) and codes."""
            if isinstance(s.dtype, pd.CategoricalDtype):
                raw = s.cat.codes.to_numpy(dtype=np.int64)
                used = np.zeros(len(s.cat.categories), dtype=bool)
                used[raw[raw >= 0]] = True
                levels = [c for c, u in zip(s.cat.categories, used, strict=True) if u]
                codes = np.where(raw >= 0, (np.cumsum(used) - 1)[raw], -1)
            else:
                raw, uniques = pd.factorize(s, use_na_sentinel=True)
                present = uniques.tolist()
                try:
                    order = sorted(range(len(present)), key=present.__getitem__)
                except TypeError:
                    order = sorted(range(len(present)), key=lambda i: str(present[i]))
                levels = [present[i] for i in order]
                rank = np.empty(len(order), dtype=np.int64)
                rank[order] = np.arange(len(order))
                codes = np.where(raw >= 0, rank[raw] if len(rank) else raw, -1)
            if (codes < 0).any():
                levels = [*levels, "missing"]
                codes = np.where(codes < 0, len(levels) - 1, codes)
            return levels, codes.astype(np.int64)

        def key(names: str | Sequence[str]) -> tuple[pd.Index, np.ndarray]:
            names = [names] if isinstance(names, str) else list(names)
            missing = [n for n in names if n not in frame.columns]
            if missing:
                raise AnalysisError(f"Columns {missing} not found for a released table.")
            parts = [level_codes(frame[n]) for n in names]
            if len(parts) == 1:
                levels, codes = parts[0]
                return pd.Index(levels, name=names[0], dtype=object), codes
            sizes = [len(lv) for lv, _ in parts]
            flat = np.ravel_multi_index([c for _, c in parts], sizes)
            used, codes = np.unique(flat, return_inverse=True)
            tuples = [
                tuple(parts[k][0][i] for k, i in enumerate(np.unravel_index(u, sizes)))
                for u in used
            ]
            return pd.MultiIndex.from_tuples(tuples, names=names), codes.ravel()

        ridx, rcode = key(rows)
        cidx, ccode = key(columns)
        r, c = len(ridx), len(cidx)
        grid = np.zeros((r + 1, c + 1), dtype=np.int64)
        np.add.at(grid, (rcode, ccode), 1)
        grid[:r, c] = grid[:r, :c].sum(axis=1)
        grid[r, :] = grid[:r, :].sum(axis=0)
        return ridx, cidx, grid, rcode * c + ccode

    def _class_cells(
        self,
        grid: np.ndarray,
        columns: pd.Index,
        groups: str | None,
        rows: pd.Index | None = None,
    ) -> np.ndarray:
        """Cells of groups in which all or none share an attribute (class disclosure).

        The attribute levels are the columns (``groups="rows"``) or the rows
        (``groups="columns"``), a ``missing`` level excepted; a table in which only one
        level occurs at all ("all 20 promoted") discloses it for every group.  The
        total line is a group too (everyone in the table).
        """
        out = np.zeros(grid.shape, dtype=bool)
        if groups is None or not self.active or not self.policy.class_disclosure:
            return out
        inner = grid[:, :-1] if groups == "rows" else grid[:-1, :]
        labels = list(columns) if groups == "rows" else (None if rows is None else list(rows))
        if groups == "columns":
            inner = inner.T
        attr = np.ones(inner.shape[1], dtype=bool)
        if labels is not None:
            attr = np.array([str(v) != "missing" for v in labels])
        if attr.sum() < 1:
            return out
        for g in range(inner.shape[0]):
            vals = inner[g, attr]
            if vals.sum() > 0 and int((vals > 0).sum()) == 1:
                cols = np.flatnonzero(attr)
                if groups == "rows":
                    out[g, cols] = True
                else:
                    out[cols, g] = True
        return out

    def table(
        self,
        name: str,
        frame: pd.DataFrame,
        rows: str | Sequence[str],
        columns: str | Sequence[str],
        *,
        groups: str | None = None,
        margins: bool = True,
    ) -> SuppressedTable:
        """Release a count table ``rows`` x ``columns`` of ``frame`` (missing values form a
        level ``missing``), protected by the policy and registered for the joint audit.

        ``groups`` says whether the rows or the columns are the groups of people whose
        shared attribute (an outcome) is checked for class disclosure (None: no check,
        for descriptive tables).
        """
        pos = self._positions(frame)
        ridx, cidx, grid, interior = self._grid(frame, rows, columns)
        self._own(name, "table")
        r, c = len(ridx), len(cidx)
        layer = self._layer(pos, interior, r * c)
        codes_of = np.empty(grid.shape, dtype=object)
        for i in range(r + 1):
            for j in range(c + 1):
                ii = range(r) if i == r else [i]
                jj = range(c) if j == c else [j]
                codes_of[i, j] = np.array([a * c + b for a in ii for b in jj], dtype=np.int64)
        klass = self._class_cells(grid, cidx, groups, ridx)
        forced = klass | self.plan.suppress.get(name, np.zeros(grid.shape, dtype=bool))
        if self.active:
            s, primary = self._planned(name, grid, klass, self.plan)
        else:
            s = primary = np.zeros(grid.shape, dtype=bool)
        state = _TableState(
            name, layer, grid, codes_of, s, primary, forced, (primary | klass) & s, klass
        )
        self._tables[name] = state
        self._register_table(state, r * c)
        table = _make_table(
            ridx,
            cidx,
            grid,
            s,
            primary,
            self.policy,
            margins=margins,
            name=name,
            cross=forced & ~primary,
        )
        rows_l, cols_l = _with_total(ridx), _with_total(cidx)
        for i, j in np.argwhere(s):
            if klass[i, j] and not primary[i, j]:
                rule, why = "SDC-4", "all or none of the group share this attribute"
            elif primary[i, j]:
                rule, why = "SDC-1", f"fewer than {self.policy.threshold}"
            else:
                rule, why = "SDC-2", str(table.reasons_full.iat[i, j]) or "secondary suppression"
            self.decide(name, f"{_txt(rows_l[i])} / {_txt(cols_l[j])}", "suppressed", rule, why)
        if self.policy.rounding_base:
            self.decide(
                name,
                "all counts",
                "rounded",
                "SDC-3",
                f"to the nearest {self.policy.rounding_base}",
            )
        self.decide(
            name, "table", "released", "SDC-1", f"{int(s.sum())} of {s.size} cells suppressed"
        )
        return table

    def _register_table(self, state: _TableState, n_codes: int) -> None:
        """(Re)write the relations and protected cells of a table from its state."""
        name = state.name
        self._relations = [x for x in self._relations if x.owner != name]
        self._protected = [x for x in self._protected if x.owner != name]
        shown = self.policy._round(state.grid)
        lo, hi = self.policy._intervals(shown.astype(float))
        for (i, j), true in np.ndenumerate(state.grid):
            coef = np.zeros(n_codes)
            coef[state.codes_of[i, j]] = 1.0
            if state.suppressed[i, j]:
                # secrets: the small cells and the non-empty cells of a class disclosure
                # (secondary cells are checked by the repair: see _soft_failure)
                if state.sensitive[i, j] and true > 0:
                    self._protected.append(
                        _Protected(name, (name, str(i), str(j)), state.layer, coef, float(true))
                    )
            else:
                self._relations.append(
                    _Relation(name, state.layer, coef, float(lo[i, j]), float(hi[i, j]), (i, j))
                )

    def counts(self, name: str, cells: Mapping[str, pd.Series]) -> dict[str, int | None]:
        """Release loose counts (n, n_missing, rows read): each ``cells[label]`` is a boolean
        Series over (a subset of) the microdata; returns label -> released count or None.

        Each count follows the threshold rule and rounding and enters the joint audit.
        """
        self._own(name, "counts")
        out: dict[str, int | None] = {}
        for label, mask in cells.items():
            mask = mask.astype(bool)
            pos = self._positions(mask)
            layer = self._layer(pos, np.where(mask.to_numpy(), 0, -1))
            true = int(mask.sum())
            coef = np.ones(1)
            withheld = f"{name}:{label}" in self.plan.withhold
            small = bool(self.policy._primary(np.array([true]))[0])
            if self.active and (small or withheld):
                if small:  # a count withheld by the joint audit is no secret itself
                    self._protected.append(
                        _Protected(name, (name, label, ""), layer, coef, float(true))
                    )
                out[label] = None
                rule = "SDC-1" if not withheld else "SDC-11"
                why = f"fewer than {self.policy.threshold}" if not withheld else "joint audit"
                self.decide(name, label, "suppressed", rule, why)
                continue
            shown = int(self.policy._round(np.array([true]))[0]) if self.active else true
            lo, hi = self.policy._intervals(np.array([float(shown)]))
            self._relations.append(
                _Relation(name, layer, coef, float(lo[0]), float(hi[0]), label=label)
            )
            out[label] = shown
        return out

    def protect(self, name: str, mask: pd.Series, label: str = "") -> None:
        """Register a group that must not be recoverable (e.g. people left out of every
        breakdown): when it is small (1 to threshold-1 people), its count must keep a
        feasible range at least ``threshold`` wide."""
        mask = mask.astype(bool)
        if not self.active or not self.policy._primary(np.array([int(mask.sum())]))[0]:
            return  # only a small group is secret; a larger one may be counted
        pos = self._positions(mask)
        layer = self._layer(pos, np.where(mask.to_numpy(), 0, -1))
        self._protected.append(
            _Protected(
                f"protect:{name}", (name, label or name, ""), layer, np.ones(1), float(mask.sum())
            )
        )

    # -- derived statistics -----------------------------------------------------------------
    def basis(
        self,
        name: str,
        frame: pd.DataFrame,
        rows: str | Sequence[str],
        columns: str | Sequence[str],
        *,
        groups: str | None = "rows",
        what: str = "",
    ) -> Basis:
        """Decide whether statistics computed from the counts ``rows`` x ``columns`` of
        ``frame`` may be released (see the module docstring); log the decision as
        ``what`` (default: the basis name)."""
        self._own(name, "basis")
        ridx, cidx, grid, interior = self._grid(frame, rows, columns)
        r, c = len(ridx), len(cidx)
        counts = pd.DataFrame(grid[:r, :c], index=ridx, columns=cidx)
        what = what or name
        reason, rule = "", ""
        if self.active:
            small = self.policy._primary(grid)
            klass = self._class_cells(grid, cidx, groups, ridx)
            if name in self.plan.withhold:
                reason, rule = (
                    "the joint audit found it would let a suppressed cell be recovered",
                    "SDC-11",
                )
            elif small.any():
                reason, rule = f"a count behind it is below {self.policy.threshold}", "SDC-8"
            elif klass.any():
                reason, rule = "all or none of a group share the outcome", "SDC-4"
        if reason:
            self.decide(what, "statistics", "withheld", rule, reason)
            released = counts.astype(float) * np.nan
            return Basis(name, False, reason, rule, counts, released)
        pos = self._positions(frame)
        layer = self._layer(pos, interior, r * c)
        shown = self.policy._round(grid) if self.active else grid
        lo, hi = self.policy._intervals(shown.astype(float)) if self.active else (grid, grid)
        for i in range(r):
            for j in range(c):
                coef = np.zeros(r * c)
                coef[i * c + j] = 1.0
                self._relations.append(
                    _Relation(name, layer, coef, float(lo[i, j]), float(hi[i, j]))
                )
        released = pd.DataFrame(shown[:r, :c], index=ridx, columns=cidx)
        rule = "SDC-3" if self.policy.rounding_base else "SDC-8"
        note = (
            "computed from the rounded counts"
            if self.policy.rounding_base
            else "every count behind it is releasable"
        )
        self.decide(what, "statistics", "released", rule, note)
        return Basis(name, True, "", "", counts, released)

    def summary(
        self,
        name: str,
        values: pd.Series,
        *,
        floor: float = 0.0,
        levels: Sequence[float] | None = None,
        quantiles: bool = True,
        publish_n: bool = True,
    ) -> dict[str, str]:
        """Decide which summaries of ``values`` (one group's non-missing values, a subset
        of the microdata) may be published.

        Returns ``{statistic: ""}`` for released statistics and ``{statistic: reason}``
        for withheld ones, over ``n``, ``mean``, ``sd``, ``median``, ``q1``, ``q3``, ``min``
        and ``max``.  ``floor`` is the lowest value the variable can take (dominance is
        measured from it); ``levels`` are its possible values when it has few (the mean
        then enters the joint audit as a linear relation between the counts of each
        value, and small counts among them are protected).  ``publish_n=False`` keeps
        ``n`` out of the release (when it and a published group size would give back a
        small count of missing values, or when the caller publishes it as a protected count
        of its own); the other statistics are decided as usual.
        """
        self._own(name, "summary")
        v = values.dropna()
        n = len(v)
        out = {"min": "never published (SDC-7)", "max": "never published (SDC-7)"}
        pol = self.policy
        if not self.active:
            out.update({k: "" for k in ("n", "mean", "sd", "median", "q1", "q3")})
            return out
        withheld = name in self.plan.withhold
        min_n = int(pol.min_n_for_means or 1)
        if n and n < pol.threshold:
            why = f"n below {pol.threshold} (SDC-1)"
            out.update({k: why for k in ("n", "mean", "sd", "median", "q1", "q3")})
            # the withheld n is a small count: other outputs must not give it back
            layer = self._layer(self._positions(v), np.zeros(n, dtype=np.int64))
            self._protected.append(_Protected(name, (name, "n", ""), layer, np.ones(1), float(n)))
        elif withheld:
            # withheld whole, n included, as the repair that asked for it assumed
            why = "the joint audit found it would let a hidden count be recovered (SDC-11)"
            out.update({k: why for k in ("n", "mean", "sd", "median", "q1", "q3")})
        else:
            out["n"] = "" if publish_n else "not published with the summary (SDC-1)"
            if n < min_n:
                out.update(
                    {k: f"n below {min_n} (SDC-5)" for k in ("mean", "sd", "median", "q1", "q3")}
                )
            elif dominated(v.to_numpy(dtype=float), floor=floor):
                why = "one or two values dominate the total, or all are equal (SDC-6)"
                out.update({k: why for k in ("mean", "sd", "median", "q1", "q3")})
            else:
                out.update({"mean": "", "sd": ""})
                few = levels is not None
                q_ok = quantiles and n >= 2 * pol.threshold and not few
                why_q = (
                    "quantiles of a variable with few values are cells of its distribution (SDC-5)"
                    if few
                    else f"quantiles need n >= {2 * pol.threshold} (SDC-5)"
                )
                out.update({k: "" if q_ok else why_q for k in ("median", "q1", "q3")})
                if few:
                    out["sd"] = "with the mean it pins the counts of individual values (SDC-5)"
                    self._mean_relation(name, v, list(levels or ()))
        for k, why in out.items():
            if k in ("min", "max") or (k == "n" and not publish_n):
                continue
            self.decide(name, k, "released" if not why else "withheld", _rule_of(why), why)
        if n and not out["n"]:
            mask = pd.Series(True, index=v.index)
            shown = int(pol._round(np.array([n]))[0])
            lo, hi = pol._intervals(np.array([float(shown)]))
            layer = self._layer(self._positions(mask), np.zeros(n, dtype=np.int64))
            self._relations.append(_Relation(name, layer, np.ones(1), float(lo[0]), float(hi[0])))
        return out

    def _mean_relation(self, name: str, v: pd.Series, levels: list[float]) -> None:
        lv = np.asarray(sorted(set(levels) | set(v.unique().tolist())), dtype=float)
        codes = np.searchsorted(lv, v.to_numpy(dtype=float))
        layer = self._layer(self._positions(v), codes, lv.size)
        mean = float(v.mean())
        # the published mean is exact: sum((level - mean) * count) == 0
        tol = 1e-6 * max(len(v), 1)
        self._relations.append(_Relation(name, layer, lv - mean, -tol, tol))
        counts = np.bincount(codes, minlength=lv.size)
        for k, cnt in enumerate(counts):
            if self.policy._primary(np.array([cnt]))[0]:
                coef = np.zeros(lv.size)
                coef[k] = 1.0
                self._protected.append(
                    _Protected(name, (name, f"value {lv[k]:g}", "count"), layer, coef, float(cnt))
                )

    # -- survival ------------------------------------------------------------------------
    def survival(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        duration: str,
        event: str,
        by: str,
        band: float = 6.0,
    ) -> pd.DataFrame:
        """A released life table per group: rows ``group, time, n_at_risk, events,
        censored, survival, ci_low, ci_high`` (``n_at_risk``: still followed and not
        promoted at ``time``) at the end of time bands (multiples of
        ``band``) merged until each holds at least ``threshold`` events and loses no
        1..threshold-1 people to censoring; a group that cannot be shown so is left out
        (logged).  Survival is the actuarial estimate from the released counts (rounded
        under rounding policies), with Greenwood intervals on the log(-log) scale.
        """
        self._own(name, "survival")
        if name in self.plan.withhold:
            self.decide(
                name,
                "curves",
                "withheld",
                "SDC-11",
                "the joint audit found they would let a suppressed cell be recovered",
            )
            return pd.DataFrame(columns=_LIFE_TABLE_COLUMNS)
        d = frame.dropna(subset=[duration, event])
        t_all = d[duration].to_numpy(dtype=float)
        if len(t_all) == 0:
            return pd.DataFrame(columns=_LIFE_TABLE_COLUMNS)
        horizon = math.ceil(float(t_all.max()) / band) * band
        edges = np.arange(0.0, horizon + band, band)
        rows_out: list[dict[str, Any]] = []
        pol = self.policy
        for g, sub in d.groupby(by, observed=True, sort=False):
            t = sub[duration].to_numpy(dtype=float)
            e = sub[event].astype(bool).to_numpy()
            band_of = np.clip(np.searchsorted(edges, t, side="left") - 1, 0, len(edges) - 2)
            # band k covers (edges[k], edges[k+1]]; time 0 belongs to band 0
            ev = np.bincount(band_of[e], minlength=len(edges) - 1)
            ce = np.bincount(band_of[~e], minlength=len(edges) - 1)
            cuts = _merge_bands(ev, ce, self.need if self.active else 1)
            if cuts is None:
                why = f"fewer than {pol.threshold} events, or censoring in small numbers"
                self.decide(name, _txt(g), "withheld", "SDC-9", why)
                continue
            # each group's curve is a unit the joint audit's repair can withhold
            owner = f"{name}:{_txt(g)}"
            self._own(owner, "survival group")
            if owner in self.plan.withhold:
                why = "the joint audit found it would let a suppressed count be recovered"
                self.decide(name, _txt(g), "withheld", "SDC-11", why)
                continue
            codes = np.searchsorted(np.array(cuts[1:]), band_of, side="right") * 2 + (~e)
            n_bands = len(cuts) - 1
            layer = self._layer(self._positions(sub), codes, 2 * n_bands)
            at_risk = len(sub)
            s, var = 1.0, 0.0
            for k in range(n_bands):
                lo_b, hi_b = cuts[k], cuts[k + 1]
                dk, ck = int(ev[lo_b:hi_b].sum()), int(ce[lo_b:hi_b].sum())
                shown = (
                    pol._round(np.array([at_risk, dk, ck]))
                    if self.active
                    else np.array([at_risk, dk, ck])
                )
                for slot, true in ((0, dk), (1, ck)):
                    coef = np.zeros(n_bands * 2)
                    coef[k * 2 + slot] = 1.0
                    lo, hi = pol._intervals(np.array([float(pol._round(np.array([true]))[0])]))
                    self._relations.append(
                        _Relation(owner, layer, coef, float(lo[0]), float(hi[0]))
                    )
                # the published number at risk (rounded on its own under rounding policies)
                coef = np.zeros(n_bands * 2)
                coef[k * 2 :] = 1.0
                lo, hi = pol._intervals(np.array([float(shown[0])]))
                self._relations.append(_Relation(owner, layer, coef, float(lo[0]), float(hi[0])))
                n_eff = float(shown[0]) - float(shown[2]) / 2.0
                dd = float(shown[1])
                if n_eff > 0:
                    s *= 1.0 - dd / n_eff
                    if n_eff > dd:
                        var += dd / (n_eff * (n_eff - dd))
                low, high = _loglog_ci(s, var)
                rows_out.append(
                    {
                        "group": g,
                        "time": float(edges[hi_b]),
                        # still followed and not promoted at the end of the band (the number
                        # at risk at `time`); a sum of later bands' counts, each 0 or >= need
                        "n_at_risk": int(pol._round(np.array([at_risk - dk - ck]))[0])
                        if self.active
                        else at_risk - dk - ck,
                        "events": int(shown[1]),
                        "censored": int(shown[2]),
                        "survival": s,
                        "ci_low": low,
                        "ci_high": high,
                    }
                )
                at_risk -= dk + ck
            self.decide(name, _txt(g), "released", "SDC-9", f"{n_bands} time band(s)")
        return pd.DataFrame(
            rows_out,
            columns=_LIFE_TABLE_COLUMNS,
        )

    # -- the joint audit -------------------------------------------------------------------
    def _system(self) -> tuple[list[np.ndarray], np.ndarray]:
        """Atoms of the published relations: per layer the code of each atom, and the true
        size of each atom.

        Atoms are the distinct combinations of layer codes among the microdata rows (the
        finest base table the release speaks of).  Only combinations that occur are
        variables, so the programme knows more than an intruder (which combinations are
        empty) and its ranges are never wider than the intruder's: the audit errs on the
        safe side.  An empty secret cannot be audited so; a class-disclosure zero is
        protected through its non-empty partner (the group's "all" cell).
        """
        if not self._layers:
            return [], np.zeros(0)
        cached = self._atoms
        if cached is not None and cached[0] == len(self._layers):
            return cached[1], cached[2]
        inside = np.zeros(len(self._layers[0]), dtype=bool)
        for layer in self._layers:
            inside |= layer >= 0
        if inside.any():
            # the distinct rows of (rows x layers), as np.unique(axis=0) would give them,
            # built one layer at a time by hashing (np.unique sorts every row of a million
            # by every layer): combine the codes, then sort only the distinct atoms
            combined = np.zeros(int(inside.sum()), dtype=np.int64)
            for layer in self._layers:
                values = layer[inside].astype(np.int64) + 1
                combined, _ = pd.factorize(combined * (int(values.max()) + 1) + values)
                combined = combined.astype(np.int64)
            n_atoms = int(combined.max()) + 1
            first = np.full(n_atoms, len(combined), dtype=np.int64)
            np.minimum.at(first, combined, np.arange(len(combined)))
            per_layer = [layer[inside][first] for layer in self._layers]
            order = np.lexsort(per_layer[::-1])  # rows in lexicographic order, layer 0 first
            sizes = np.bincount(combined, minlength=n_atoms)[order].astype(float)
            codes = [c[order] for c in per_layer]
        else:
            codes = [np.zeros(0, dtype=np.int64) for _ in self._layers]
            sizes = np.zeros(0)
        self._atoms = (len(self._layers), codes, sizes)
        return codes, sizes

    def _vectors(self, items: Sequence[Any], codes: list[np.ndarray]) -> list[_Vector]:
        """Each relation (or protected cell) over the atoms, as a sparse vector: a large
        cohort has hundreds of thousands of atoms and each relation touches few."""
        out = []
        for it in items:
            lc = codes[it.layer]
            atoms = np.flatnonzero(lc >= 0)
            values = it.coef[lc[atoms]].astype(float)
            nonzero = values != 0
            out.append(_Vector(atoms[nonzero].astype(np.int32), values[nonzero]))
        return out

    def _rows(self, items: Sequence[Any], codes: list[np.ndarray]) -> Any:
        """The relations' matrix over the atoms (scipy.sparse CSR)."""
        import scipy.sparse as sp

        n_atoms = len(codes[0]) if codes else 0
        vectors = self._vectors(items, codes)
        indptr = np.zeros(len(vectors) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(v.atoms) for v in vectors])
        atoms = np.concatenate([v.atoms for v in vectors]) if vectors else np.zeros(0, np.int32)
        values = np.concatenate([v.values for v in vectors]) if vectors else np.zeros(0)
        return sp.csr_matrix((values, atoms, indptr), shape=(len(vectors), n_atoms))

    def audit(self) -> AuditResult:
        """Solve the intruder's linear programme over every published relation and check
        every protected cell (SDC-11)."""
        records = []
        if self.active and self._protected:
            codes, _ = self._system()
            passed = self._passed
            if passed is not None and passed[0] == tuple(map(id, self._relations)):
                lp = passed[1]  # the repair's programme, with the bounds it has solved
            else:
                lp = _Programme(self._rows(self._relations, codes), self._relations)
            objs = self._vectors(self._protected, codes)
            for p, obj in zip(self._protected, objs, strict=True):
                lo, hi = lp.range(obj)
                records.append(
                    {
                        "table": p.label[0],
                        "row": p.label[1],
                        "column": p.label[2],
                        "lo": lo,
                        "hi": hi,
                        "need": self.need,
                    }
                )
        cells = _cells_frame(records)
        return AuditResult(
            method="joint linear-programming bounds over the atoms of every published relation "
            "(scipy.optimize.linprog, HiGHS)",
            ok=bool(cells["safe"].all()) if len(cells) else True,
            threshold=self.need,
            cells=cells,
            policy=self.policy,
        )

    def repair(self, max_rounds: int = 200) -> GatePlan | None:
        """Find further suppressions that make the joint audit pass.

        Returns None when the audit passes as the release stands, else the plan with
        which the release must be rebuilt (``ReleaseGate(..., plan=plan)``).  Each round
        protects the first failing cell by the cheapest change (a published cell that
        shares participants with it suppressed and its table re-protected, or a basis or
        summary withheld), so the loop ends.  The gate itself is left as it was (the
        rounds work on it and are undone), so :meth:`audit` still describes the release
        as built.
        """
        if not self.active or not self._protected:
            return None
        relations, protected = list(self._relations), list(self._protected)
        states = {name: st.suppressed for name, st in self._tables.items()}
        try:
            return self._repair(max_rounds)
        finally:
            self._relations, self._protected = relations, protected
            for name, suppressed in states.items():
                self._tables[name].suppressed = suppressed

    def _repair(self, max_rounds: int) -> GatePlan | None:
        plan = self.plan.copy()
        changed = False
        codes, _ = self._system()  # the layers, so the atoms, do not change in a repair
        safe: set[bytes] = set()  # publishing less only widens ranges: safe stays safe
        published: set[tuple[str, tuple[int, int]]] = set()  # secondaries published once
        for _ in range(max_rounds):
            a = self._rows(self._relations, codes)
            objs = self._vectors(self._protected, codes)
            lp = _Programme(a, self._relations)
            failing = None
            for k, p in enumerate(self._protected):
                key = objs[k].key
                if key in safe:
                    continue
                if lp.wide_enough(objs[k], p.true, self.need):
                    safe.add(key)
                    continue
                failing = k
                break
            own = ""
            if failing is not None:
                obj, true = objs[failing], self._protected[failing].true
                own = self._protected[failing].owner
                label = self._protected[failing].label
            else:
                # secondary cells the published numbers determine exactly are published
                # (all at once: an implied value changes no range, so nothing is re-checked)
                found = False
                while (soft := self._soft_failure(lp, codes, safe)) is not None:
                    st, cell, obj_s, _true, _lo, _hi = soft
                    safe.add(obj_s.key)
                    if obj_s.any() and (st.name, cell) in published:
                        continue  # published in this repair and suppressed again since
                    published.add((st.name, cell))
                    self._publish_cell(plan, st, cell)
                    changed = found = True
                if not found:
                    if not changed:  # the audit can reuse this programme's bounds
                        self._passed = (tuple(map(id, self._relations)), lp)
                    return plan if changed else None
                continue
            lo0, hi0 = lp.range(obj)
            binding = [int(k) for k in np.flatnonzero(lp.binding(obj))]
            # a loose count that repeats a cell some table publishes cannot hide anything:
            # withdrawing it would only take a number (a group size) out of a sentence
            in_tables = {
                _row_key(a, k)
                for k, r in enumerate(self._relations)
                if self._owners.get(r.owner) == "table"
            }
            useful = [
                k
                for k in binding
                if self._owners.get(self._relations[k].owner) != "counts"
                or _row_key(a, k) not in in_tables
            ]
            binding = useful or binding
            # cheapest kinds first: a loose count, a summary, a table cell, a whole basis
            order = sorted(
                binding,
                key=lambda k: (
                    _PRIORITY.get(self._owners.get(self._relations[k].owner, ""), 9),
                    self._relations[k].hi,
                    -k,
                ),
            )
            # the publication that made the cell a secret goes first (a summary's mean)
            if self._owners.get(own) == "summary":  # a count hidden in a mean: the mean first
                order = [k for k in order if self._relations[k].owner == own] + [
                    k for k in order if self._relations[k].owner != own
                ]
            best: tuple[float, Any] | None = None
            first: Any = None
            first_count: Any = None
            cheapest: tuple[float, Any] | None = None  # (loss, apply) of a table cell that works
            for tried, k in enumerate(order):
                trial = self._trial(self._relations[k])
                if trial is None:
                    continue
                keep, loss, apply = trial
                kind = self._owners.get(self._relations[k].owner)
                if kind != "counts":
                    first = first or apply
                else:
                    first_count = first_count or apply
                lp.without(~keep)
                ok = lp.wide_enough(obj, true, self.need)
                width = self.need if ok else float(np.subtract(*lp.range(obj)[::-1]))
                lp.restore()
                if ok and kind == "table":
                    # the table cell whose re-protection hides the least, of all that work
                    if cheapest is None or loss < cheapest[0]:
                        cheapest = (loss, apply)
                elif ok:
                    best = (width, apply)
                    break
                if width > hi0 - lo0 + 1e-7 and (best is None or width > best[0]):
                    best = (width, apply)
                if tried >= _MAX_TRIALS:
                    break
            if best is None or best[0] < self.need:
                # withdraw statistics and loose counts together before re-protecting a table;
                # then the cheapest single table cell; then everything binding, in order
                stats = [k for k in order if self._owners.get(self._relations[k].owner) != "table"]
                best = self._accumulate(lp, obj, true, stats) or (
                    (self.need, cheapest[1]) if cheapest is not None else None
                )
                best = best or self._accumulate(lp, obj, true, order, force=True)
            if best is None:
                kinds = sorted({self._owners.get(self._relations[k].owner, "?") for k in binding})
                raise AnalysisError(
                    "The release gate could not protect a cell "
                    f"({label}, bound by {kinds}); withhold the release."
                )
            if _DEBUG:
                print(
                    "repair:",
                    label,
                    true,
                    "->",
                    getattr(best[1], "__defaults__", None)
                    and [str(x)[:60] for x in best[1].__defaults__],
                )
            best[1](plan)
            changed = True
        raise AnalysisError("The release gate's repair did not converge.")  # pragma: no cover

    def _soft_failure(
        self, lp: _Programme, codes: list[np.ndarray], safe: set[bytes]
    ) -> tuple[_TableState, tuple[int, int], _Vector, float, float, float] | None:
        """The first suppressed secondary cell that the published numbers determine
        exactly: (table, cell, objective, true count, lo, hi), or None.

        A secondary cell (not small itself) only has to keep the small ones hidden, which
        the secrets' audit checks; but a suppressed cell that can be worked out exactly is
        no suppression, so the repair publishes it (it tells nothing new)."""
        for st in self._tables.values():
            soft = st.suppressed & ~st.sensitive
            if not soft.any():
                continue
            n_codes = st.grid[:-1, :-1].size
            lc = codes[st.layer]
            for i, j in np.argwhere(soft):
                coef = np.zeros(n_codes)
                coef[st.codes_of[i, j]] = 1.0
                atoms = np.flatnonzero((lc >= 0) & (coef[np.maximum(lc, 0)] != 0))
                obj = _Vector(atoms.astype(np.int32), np.ones(len(atoms)))
                key = obj.key
                if key in safe:
                    continue
                true = float(st.grid[i, j])
                hi = lp.bound(obj, -1.0) if obj.any() else 0.0
                lo = lp.bound(obj, 1.0) if obj.any() and hi - true <= 1e-7 else -math.inf
                if hi - lo > 1e-7:
                    safe.add(key)
                    continue
                return st, (int(i), int(j)), obj, true, lo, hi
        return None

    def _planned(
        self, name: str, grid: np.ndarray, klass: np.ndarray, plan: GatePlan
    ) -> tuple[np.ndarray, np.ndarray]:
        """(suppressed, primary) of a table as a build with ``plan`` protects it."""
        none = np.zeros(grid.shape, dtype=bool)
        forced = klass | plan.suppress.get(name, none)
        s, primary = _protect(grid, self.policy, forced=forced if forced.any() else None)
        # secondary cells the rest of the release determines anyway are published
        return s & ~(plan.publish.get(name, none) & ~(primary | klass)), primary

    def _publish_cell(self, plan: GatePlan, st: _TableState, cell: tuple[int, int]) -> None:
        """Publish a suppressed secondary cell (its value is already determined)."""
        mask = plan.publish.get(st.name, np.zeros(st.grid.shape, dtype=bool))
        mask[cell] = True
        plan.publish[st.name] = mask
        st.suppressed = st.suppressed.copy()
        st.suppressed[cell] = False
        self._register_table(st, st.grid[:-1, :-1].size)

    def _accumulate(
        self,
        lp: _Programme,
        obj: _Vector,
        true: float,
        order: Sequence[int],
        force: bool = False,
    ) -> tuple[float, Any] | None:
        """Withdraw the relations ``order`` one after the other until the cell is wide
        enough; (width, apply-all) when it is (or, with ``force``, whatever was gathered)."""
        gone = np.zeros(len(self._relations), dtype=bool)
        applies: list[Any] = []
        ok = False
        for k in list(order)[:_MAX_TRIALS]:
            trial = self._trial(self._relations[k])
            if trial is None:
                continue
            keep, _loss, apply = trial
            gone |= ~keep
            applies.append(apply)
            lp.without(gone)
            ok = lp.wide_enough(obj, true, self.need)
            lp.restore()
            if ok:
                break
        if not applies or not (ok or force):
            return None

        def apply_all(plan: GatePlan) -> None:
            for f in applies:
                f(plan)

        return (float(self.need), apply_all)

    def _trial(self, rel: _Relation) -> tuple[np.ndarray, float, Any] | None:
        """Withdrawing ``rel``: (relations kept, information lost, plan update); None if it
        cannot be withdrawn (it is the state of the release as planned already)."""
        kind = self._owners.get(rel.owner, "")
        owner = rel.owner
        if kind == "table" and rel.cell is not None:
            st = self._tables[owner]
            forced = st.suppressed.copy()
            forced[rel.cell] = True
            trial, _ = _protect(st.grid, self.policy, forced=forced)
            loss = float(st.grid[trial & ~st.suppressed].sum())
            cells_lost = {tuple(c) for c in np.argwhere(trial & ~st.suppressed)}
            keep = np.array(
                [not (r.owner == owner and r.cell in cells_lost) for r in self._relations]
            )
            st_new = trial

            # apply to self too, so that the next round sees the change
            def apply(plan: GatePlan, st: _TableState = st, new: np.ndarray = st_new) -> None:
                plan.suppress[st.name] = (
                    plan.suppress.get(st.name, np.zeros(st.grid.shape, dtype=bool)) | new
                )
                if st.name in plan.publish:  # a cell suppressed again is not published later
                    plan.publish[st.name] = plan.publish[st.name] & ~new
                # the state the next build will have (trials applied together add up)
                st.suppressed = self._planned(st.name, st.grid, st.klass, plan)[0]
                self._register_table(st, st.grid[:-1, :-1].size)

            return keep, loss, apply
        if kind in ("basis", "summary", "survival", "survival group"):
            keep = np.array([r.owner != owner for r in self._relations])
            # withholding a statistic or a curve costs more than cells
            loss = 1e5 if kind == "summary" else 1e6

            def apply_w(plan: GatePlan, owner: str = owner) -> None:
                plan.withhold.add(owner)
                self._relations = [r for r in self._relations if r.owner != owner]

            return keep, loss, apply_w
        if kind == "counts":
            keep = np.array([r is not rel for r in self._relations])

            def apply_c(plan: GatePlan, rel: _Relation = rel) -> None:
                plan.withhold.add(f"{rel.owner}:{rel.label}")
                self._relations = [r for r in self._relations if r is not rel]

            return keep, 1e4, apply_c
        return None


@dataclass(frozen=True)
class _Vector:
    """A sparse vector over the atoms: the atoms it touches (sorted) and its values there
    (none zero), so that equal vectors have equal :attr:`key`."""

    atoms: np.ndarray  # int32
    values: np.ndarray  # float

    @property
    def key(self) -> bytes:
        return self.atoms.tobytes() + b"|" + self.values.tobytes()

    def any(self) -> bool:
        return bool(self.atoms.size)

    def dense(self, n: int) -> np.ndarray:
        out = np.zeros(n)
        out[self.atoms] = self.values
        return out


def _row_key(a: Any, k: int) -> bytes:
    """Row ``k`` of a CSR matrix built by :meth:`ReleaseGate._rows`, as a :attr:`_Vector.key`."""
    start, end = a.indptr[k], a.indptr[k + 1]
    return a.indices[start:end].astype(np.int32).tobytes() + b"|" + a.data[start:end].tobytes()


class _Programme:
    """The intruder's linear programme {x >= 0 : lo <= A x <= hi} over atoms.

    One HiGHS model (``highspy``) is built once and re-solved with each objective from
    the previous basis (warm start), which makes the dozens of bounds of an audit cheap;
    a relation is withdrawn for a trial by freeing its row (:meth:`without`).  Without
    ``highspy``, ``scipy.optimize.linprog`` solves each bound from scratch."""

    def __init__(self, a: Any, relations: Sequence[_Relation]) -> None:
        self.a = a  # scipy.sparse CSR, relations x atoms
        self.lo = np.array([r.lo for r in relations], dtype=float)
        self.hi = np.array([r.hi for r in relations], dtype=float)
        self.n = int(a.shape[1])
        self._cache: dict[tuple[bytes, float, bytes], float] = {}
        self._costed = np.zeros(0, dtype=np.int32)  # the atoms the solver's objective uses
        self._free = np.zeros(len(self.lo), dtype=bool)
        self._h: Any = None
        #: row duals of the last solve (which relations bind the bound just found)
        self.duals = np.zeros(len(self.lo))
        try:
            import highspy
        except ImportError:  # pragma: no cover - highspy is a dependency
            return
        self._h, self._hs, self._inf = _highs(), highspy, highspy.kHighsInf
        self._pass()
        _OWNER[:] = [self]

    def _pass(self) -> None:
        """Hand the programme to HiGHS, straight from numpy arrays (the solver keeps its
        own copy; the matrix of a large cohort's audit takes a gigabyte, so no other copy
        is made on the way)."""
        inf = self._inf
        m = self.a.tocsc()
        self._h.passModel(
            self.n,
            len(self.lo),
            int(m.nnz),
            int(self._hs.MatrixFormat.kColwise),
            int(self._hs.ObjSense.kMinimize),
            0.0,
            np.zeros(self.n),
            np.zeros(self.n),
            np.full(self.n, inf),
            np.where(np.isfinite(self.lo), self.lo, -inf),
            np.where(np.isfinite(self.hi), self.hi, inf),
            m.indptr.astype(np.int32, copy=False),
            m.indices.astype(np.int32, copy=False),
            m.data.astype(float, copy=False),
            np.zeros(self.n, dtype=np.int32),  # every variable continuous
        )

    def without(self, rows: np.ndarray) -> _Programme:
        """The same programme with ``rows`` withdrawn (freed); call :meth:`restore` after."""
        self._set_free(np.asarray(rows, dtype=bool))
        return self

    def restore(self) -> None:
        self._set_free(np.zeros(len(self.lo), dtype=bool))

    def _set_free(self, free: np.ndarray) -> None:
        changed = np.flatnonzero(free != self._free)
        if self._h is not None and changed.size:
            lo = np.where(
                free[changed],
                -self._inf,
                np.where(np.isfinite(self.lo[changed]), self.lo[changed], -self._inf),
            )
            hi = np.where(
                free[changed],
                self._inf,
                np.where(np.isfinite(self.hi[changed]), self.hi[changed], self._inf),
            )
            self._h.changeRowsBounds(changed.size, changed.astype(np.int32), lo, hi)
        self._free = free.copy()

    def bound(self, obj: _Vector, sign: float) -> float:
        key = (obj.key, sign, np.packbits(self._free).tobytes())
        if key in self._cache:
            return self._cache[key]
        value = self._solve(obj, sign)
        whole = round(value) if math.isfinite(value) else value
        if math.isfinite(value) and abs(value - whole) <= 1e-6 * max(1.0, abs(value)):
            value = float(whole)
        self._cache[key] = value
        return value

    def _solve(self, obj: _Vector, sign: float) -> float:
        if self._h is not None:
            h, hs = self._h, self._hs
            if not _OWNER or _OWNER[0] is not self:  # another programme used the solver
                self._pass()  # (its objective is zero)
                _OWNER[:] = [self]
                self._costed = np.zeros(0, dtype=np.int32)
                free, self._free = self._free, np.zeros(len(self.lo), dtype=bool)
                self._set_free(free)
            # the objective changes only on the atoms of the last one and of this one
            old = self._costed
            if old.size:
                h.changeColsCost(old.size, old, np.zeros(old.size))
            if obj.atoms.size:
                h.changeColsCost(obj.atoms.size, obj.atoms, sign * obj.values)
            self._costed = obj.atoms
            h.run()
            status = h.getModelStatus()
            if status == hs.HighsModelStatus.kOptimal:
                self.duals = np.asarray(h.getSolution().row_dual, dtype=float)
                return sign * float(h.getInfo().objective_function_value)
            if status in (
                hs.HighsModelStatus.kUnbounded,
                hs.HighsModelStatus.kUnboundedOrInfeasible,
            ):
                return -sign * math.inf
            h.clearSolver()  # retry from scratch once
            h.run()
            if h.getModelStatus() == hs.HighsModelStatus.kOptimal:
                return sign * float(h.getInfo().objective_function_value)
            raise AnalysisError(
                "The release gate's audit programme failed: the published numbers are "
                f"inconsistent ({h.modelStatusToString(h.getModelStatus())})."
            )
        import scipy.sparse as sp
        from scipy.optimize import linprog

        keep = ~self._free
        a, lo, hi = self.a[keep], self.lo[keep], self.hi[keep]
        up, down = np.isfinite(hi), np.isfinite(lo)
        res = linprog(
            sign * obj.dense(self.n),
            A_ub=sp.vstack([a[up], -a[down]]).tocsr(),
            b_ub=np.concatenate([hi[up], -lo[down]]),
            bounds=[(0, None)] * self.n,
            method="highs",
        )
        if res.status == 3:
            return -sign * math.inf
        if res.status != 0:
            raise AnalysisError(
                f"The release gate's audit programme failed ({res.message}): the published "
                "numbers are inconsistent."
            )
        # the relations' duals, as HiGHS gives them (which relations bind this bound)
        kept = np.flatnonzero(keep)
        marginals = np.asarray(res.ineqlin.marginals, dtype=float)
        self.duals = np.zeros(len(self.lo))
        self.duals[kept[up]] += marginals[: int(up.sum())]
        self.duals[kept[down]] -= marginals[int(up.sum()) :]
        return sign * float(res.fun)

    def range(self, obj: _Vector) -> tuple[float, float]:
        return self.bound(obj, 1.0), self.bound(obj, -1.0)

    def binding(self, obj: _Vector) -> np.ndarray:
        """Relations whose dual is non-zero at the minimum or the maximum of ``obj``."""
        self._cache.clear()  # solve again so that the duals are of this objective
        out = np.zeros(len(self.lo), dtype=bool)
        for sign in (1.0, -1.0):
            self.duals = np.zeros(len(self.lo))
            self.bound(obj, sign)
            out |= np.abs(self.duals) > 1e-9
        return out

    def wide_enough(self, obj: _Vector, true: float, need: float) -> bool:
        hi = self.bound(obj, -1.0)
        if hi - true >= need - 1e-7:
            return True
        return hi - self.bound(obj, 1.0) >= need - 1e-7


_HIGHS: list[Any] = []
_OWNER: list[Any] = []  # the programme whose model the solver holds


def _highs() -> Any:
    """One HiGHS instance per process (each programme replaces its model), created with
    the solver's start-up banner kept off standard output."""
    if not _HIGHS:
        import os
        import sys

        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        h.setOptionValue("output_flag", False)
        # small programmes re-solved from the last basis: presolve would cost more than it saves
        h.setOptionValue("presolve", "off")
        # each bound changes only the objective, so the last basis stays primal feasible:
        # primal simplex goes on from it (3x faster than dual simplex on the sample's
        # programmes, and on a 100,000-person report's 65,000 atoms)
        h.setOptionValue("simplex_strategy", 4)
        _HIGHS.append(h)
    return _HIGHS[0]


def _merge_bands(events: np.ndarray, censored: np.ndarray, need: int) -> list[int] | None:
    """Band boundaries (indices into the fixed bands) so that each merged band holds at
    least ``need`` events and 0 or at least ``need`` censored; None if impossible."""
    cuts = [0]
    ev = cen = 0
    for k in range(len(events)):
        ev += int(events[k])
        cen += int(censored[k])
        if ev >= need and (cen == 0 or cen >= need):
            cuts.append(k + 1)
            ev = cen = 0
    if len(cuts) == 1:
        return None
    if ev or cen:
        # the tail: merge it into the last band
        cuts[-1] = len(events)
        # the merged band keeps >= need events; its censored count must still be 0 or >= need
        return _check_tail(events, censored, cuts, need)
    return cuts


def _check_tail(
    events: np.ndarray, censored: np.ndarray, cuts: list[int], need: int
) -> list[int] | None:
    while len(cuts) > 1:
        cen = int(censored[cuts[-2] : cuts[-1]].sum())
        if cen == 0 or cen >= need:
            return cuts
        if len(cuts) == 2:
            return None
        del cuts[-2]
    return None


def _loglog_ci(s: float, var: float, z: float = 1.959963984540054) -> tuple[float, float]:
    if not 0 < s < 1 or var <= 0:
        return (s, s) if s in (0.0, 1.0) else (float("nan"), float("nan"))
    se = math.sqrt(var) / abs(math.log(s))
    return s ** math.exp(z * se), s ** math.exp(-z * se)


def _rule_of(reason: str) -> str:
    if not reason:
        return "SDC-5"
    start = reason.rfind("(SDC-")
    return reason[start + 1 : -1] if start >= 0 else ""


def _txt(label: Any) -> str:
    if isinstance(label, tuple):
        return " / ".join(str(x) for x in label)
    return str(label)
