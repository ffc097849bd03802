"""Release outputs from a notebook through the release gate: :func:`release`.

A researcher in a trusted research environment asks an output checker to let results
leave: tables, estimates, figures, a sentence or two.  :func:`release` is that check,
done by the same :class:`~mentoranalytics.privacy.gate.ReleaseGate` that protects the
course-review report.  All outputs of one call are re-derived from the microdata
(``data=``) through **one** gate, so they are audited jointly: a count that one output
suppresses cannot be recovered from another (differencing, linear programming over
every published relation).  The call writes an output pack:

* one CSV per released table (suppressed cells read ``suppressed``, withheld
  statistics ``withheld``; spreadsheet formulas neutralised);
* ``outputs.xlsx``, one sheet per table;
* ``figures/<name>.svg`` and ``.png`` for released figures, ``<name>.txt`` for notes;
* ``decisions.csv``: every decision of the gate (output, item, decision, rule, reason),
  so every suppressed or withheld number is explained;
* ``audit.csv``: the joint audit, one row per protected cell with the range an intruder
  can narrow it to (``lo``, ``hi``, ``width``) and whether that is wide enough;
* ``README.md``: the policy, what was released, suppressed and withheld per output, and
  the rules with their sources.

How each kind of output is released
-----------------------------------
``compare_rates`` result
    The group x outcome counts as a gate table (rows are the groups, checked for class
    disclosure); rates and Wilson intervals from the *released* counts; effects and the
    overall test recomputed from the released counts (rounded under rounding policies,
    so rounding is never undone) when every count behind them is releasable; the
    Mantel-Haenszel estimate likewise over the strata x group x outcome counts.
``summary_table`` result (Table 1)
    Each categorical variable as a gate table (groups x levels); each numeric variable's
    summaries through the gate's summary rules (minimum n, dominance measured from the
    variable's floor, no quantiles of few-valued variables, never minimum or maximum);
    tests and standardised differences only when everything behind them is released.
``compare_groups`` result
    Group summaries as for Table 1; a comparison only when both groups' summaries are.
``outcome_model`` result
    With categorical and yes/no predictors only: the predictors x outcome table is its
    basis (a saturated model on small cells is a table); refitted on the released counts
    under rounding policies.  Models with continuous predictors are withheld.
``kaplan_meier`` result
    A life table over fixed time bands (each band at least threshold events, no small
    censoring); the step-by-step curve and the medians are withheld.
``SuppressedTable``, or a count spec ``("rows", "columns")``
    Re-derived from ``data=`` as a gate table (rows are the groups).
matplotlib figure
    Only a figure drawn from released aggregates (marked by :func:`mark_released`, as
    :meth:`ReleasePack.plot` does) and not changed since.
str
    A note with no number and no count word ("all", "none", ...).

An output computed on some of the rows can be passed as ``(result, rows)`` with the
rows (a subset of ``data``) it was computed on; everyone the output leaves out is
protected too, so that two outputs cannot be differenced to single them out.
"""

from __future__ import annotations

import html
import io
import itertools
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._frame import as_frame
from ..exceptions import AnalysisError, DisclosureError, MentorAnalyticsError
from ..stats._result import Result, format_table
from .gate import RULES, GatePlan, ReleaseGate
from .joint_audit import AuditResult
from .output_rules import neutralise_frame
from .policies import DisclosurePolicy
from .policies import policy as _resolve_policy
from .suppression import TOTAL, SuppressedTable

__all__ = ["MAX_ROUNDS", "PackExistsError", "ReleasePack", "mark_released", "release"]

#: Text of a suppressed count in released files.
SUPPRESSED = "suppressed"
#: Text of a withheld statistic in released files.
WITHHELD = "withheld"
#: Rebuilds of the whole release allowed for the joint audit's repair.
MAX_ROUNDS = 6

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
_RESERVED = {"decisions", "audit", "outputs", "readme", "figures"}
_MARK = "_mentoranalytics_released"
_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
    "eighty ninety hundred thousand million dozen half halves third thirds quarter quarters "
    "once twice thrice both all none every everyone everybody nobody neither majority "
    "minority most few several single sole only percent"
).split()
_COUNT_TEXT = re.compile(r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r"|no\s+one)\b", re.IGNORECASE)
_FIGURE_RULE = "figures are released only when drawn from released aggregates (SDC-10)"
_MODEL_RULE = (
    "a model with continuous predictors cannot be checked cell by cell: release it from "
    "an output checker"
)
_DECISION_COLUMNS = ["output", "item", "decision", "rule", "reason"]
_AUDIT_COLUMNS = ["output", "table", "row", "column", "lo", "hi", "width", "need", "safe"]
#: Levels of the derived boldness components (few values: their means are table relations).
_DERIVED_LEVELS: Mapping[str, tuple[float, ...]] = {
    "reach": (0.0, 1 / 3, 2 / 3, 1.0),
    "distance": (0.0, 0.25, 0.5, 0.75, 1.0),
    "initiation": (0.0, 1 / 3, 2 / 3, 1.0),
}
#: A numeric variable with at most this many distinct values is treated as few-valued.
FEW_VALUES = 10


class PackExistsError(MentorAnalyticsError, FileExistsError):
    """The output folder exists and is not empty (pass ``overwrite=True`` to replace it)."""


# ======================================================================================
# Figures drawn from released aggregates
# ======================================================================================


def _as_figure(obj: Any) -> Any:
    if hasattr(obj, "savefig"):
        return obj
    fig = getattr(obj, "figure", None)
    return fig if hasattr(fig, "savefig") else None


def _is_figure(obj: Any) -> bool:
    return type(obj).__module__.startswith("matplotlib") and _as_figure(obj) is not None


def _axes_fingerprint(ax: Any) -> tuple[int, ...]:
    """How many artists an Axes holds (drawing on it after marking changes this)."""
    return (
        len(ax.lines),
        len(ax.collections),
        len(ax.patches),
        len(ax.texts),
        len(ax.images),
        len(ax.tables),
        len(ax.artists),
        len(ax.child_axes),
    )


def _figure_fingerprint(fig: Any) -> tuple[int, ...]:
    """Figure-level artists (outside any Axes)."""
    return (len(fig.texts), len(fig.lines), len(fig.patches), len(fig.images), len(fig.legends))


def _digest(frame: pd.DataFrame) -> str:
    """A fingerprint of a released table (its CSV bytes)."""
    import hashlib

    return hashlib.sha256(_csv_bytes(_clean(frame), "")).hexdigest()


def mark_released(
    figure: Any, source: str = "released aggregates", *, numbers: pd.DataFrame | None = None
) -> Any:
    """Mark a chart as drawn from released aggregates only.

    Chart code that draws from numbers the release gate has released (a released
    rates table, a life table) calls this when it has finished drawing; :func:`release`
    then lets the figure out.  Pass the Axes it drew on (only that Axes is marked) or a
    Figure it drew entirely (every Axes and the figure itself are marked).  The mark
    records how many artists each holds, so a chart drawn on afterwards (one dot per
    person added, another panel from the microdata) is withheld again.

    Parameters
    ----------
    figure : matplotlib Axes or Figure
    source : str, default="released aggregates"
        What the chart was drawn from, for the decision log.
    numbers : DataFrame, optional
        The released table the chart was drawn from (as :attr:`ReleasePack.outputs`
        holds it).  :func:`release` then lets the chart out only when the same release
        publishes exactly that table: a chart drawn from another release's numbers may
        show counts this release has to suppress.

    Returns
    -------
    The ``figure`` argument.
    """
    digest = None if numbers is None else _digest(numbers)
    if hasattr(figure, "savefig"):
        for ax in figure.axes:
            setattr(ax, _MARK, (str(source), _axes_fingerprint(ax), digest))
        setattr(figure, _MARK, (str(source), _figure_fingerprint(figure), digest))
    elif _as_figure(figure) is not None and hasattr(figure, "lines"):
        setattr(figure, _MARK, (str(source), _axes_fingerprint(figure), digest))
    else:
        raise AnalysisError(
            f"mark_released needs a matplotlib Figure or Axes, not {type(figure).__name__}."
        )
    return figure


def _figure_problem(fig: Any, published: set[str]) -> str:
    """Why a figure may not be released ("" when every part of it is marked, unchanged,
    and drawn from tables that ``published`` (digests of this release's tables) holds)."""
    sources = []
    for ax in fig.axes:
        mark = getattr(ax, _MARK, None)
        if mark is None:
            return _FIGURE_RULE
        if mark[1] != _axes_fingerprint(ax):
            return (
                "the figure was drawn on after it was drawn from released aggregates, so it "
                "may show other numbers (SDC-10)"
            )
        if mark[2] is not None and mark[2] not in published:
            return (
                "it was drawn from a table that this release does not publish as drawn "
                "(another release's numbers): draw it from this release's pack (SDC-10)"
            )
        sources.append(mark[0])
    fig_mark = getattr(fig, _MARK, None)
    now = _figure_fingerprint(fig)
    if (fig_mark is None and any(now)) or (fig_mark is not None and fig_mark[1] != now):
        return (
            "the figure holds text or marks outside its charts that were not drawn from "
            "released aggregates (SDC-10)"
        )
    if not sources:
        return _FIGURE_RULE
    return ""


def _figure_source(fig: Any) -> str:
    return "; ".join(dict.fromkeys(getattr(ax, _MARK)[0] for ax in fig.axes))


# ======================================================================================
# Helpers
# ======================================================================================


def _by_group(table: pd.DataFrame) -> pd.DataFrame:
    """A group table (indexed by ``group``) with ``group`` as its first column."""
    if "group" in table.columns:
        return table.reset_index(drop=True)
    return table.reset_index()


def _label(value: Any) -> str:
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value if str(v) != "")
    return "" if value is None else str(value)


def _names(spec: Any) -> list[str] | None:
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, (list, tuple)) and spec and all(isinstance(s, str) for s in spec):
        return list(spec)
    return None


def _is_count_spec(obj: Any) -> bool:
    return (
        isinstance(obj, tuple)
        and len(obj) == 2
        and _names(obj[0]) is not None
        and _names(obj[1]) is not None
    )


def _table_frame(table: SuppressedTable) -> pd.DataFrame:
    """A released count table: labels as text, suppressed cells as ``suppressed``."""
    pub = table.published_full
    mask = table.suppressed_full.to_numpy(dtype=bool)
    values = pub.astype(object).to_numpy()
    values = np.where(mask, SUPPRESSED, values)
    values = np.where(pd.isna(values), "", values)
    values = np.vectorize(lambda v: v if isinstance(v, str) else int(v), otypes=[object])(values)
    index = pub.index
    if isinstance(index, pd.MultiIndex):
        row_cols = {
            str(n or f"row_{k}"): [str(t[k]) for t in index] for k, n in enumerate(index.names)
        }
    else:
        row_cols = {str(index.name or "row"): [str(v) for v in index]}
    out = pd.DataFrame(row_cols)
    for k, c in enumerate(pub.columns):
        out[_label(c)] = values[:, k]
    return out


def _cell(table: SuppressedTable, row: Any, column: Any) -> int | None:
    """A released cell: the published count, None when suppressed, 0 when the level does
    not occur in the table at all (no such column or row)."""
    pub, sup = table.published_full, table.suppressed_full
    if row not in pub.index or column not in pub.columns:
        line = sup.loc[row] if row in sup.index else None
        if line is not None and bool(np.asarray(line, dtype=bool).any()):
            return None  # the group is protected: do not publish a zero beside it
        return 0
    if bool(sup.loc[row, column]):
        return None
    return int(pub.loc[row, column])


def _shown(count: int | None) -> Any:
    return SUPPRESSED if count is None else count


def _has_count_text(text: str) -> bool:
    return bool(_COUNT_TEXT.search(text))


def _variable_floor(name: str, values: np.ndarray) -> float:
    from .. import schema

    col = schema.SCHEMA.get(name)
    if col is not None and col.minimum is not None:
        return float(col.minimum)
    if (col is not None and col.kind == "count") or name in _DERIVED_LEVELS:
        return 0.0
    if name == "boldness_index":
        return 0.0
    finite = values[np.isfinite(values)]
    if finite.size == 0 or finite.min() >= 0:
        return 0.0
    return float(finite.min())


def _variable_levels(name: str, values: np.ndarray) -> list[float] | None:
    from .. import schema

    col = schema.SCHEMA.get(name)
    if col is not None and col.kind == "ordinal" and col.minimum is not None:
        return [float(v) for v in range(int(col.minimum), int(col.maximum or col.minimum) + 1)]
    if name in _DERIVED_LEVELS:
        return list(_DERIVED_LEVELS[name])
    finite = np.unique(values[np.isfinite(values)])
    if finite.size <= FEW_VALUES:
        return [float(v) for v in finite]
    return None


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _seed(rng: Any) -> Any:
    return rng if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None


def _mark(frame: pd.DataFrame, columns: Sequence[str], rows: Any, text: str) -> None:
    for c in columns:
        if c in frame.columns:
            frame[c] = frame[c].astype(object)
            frame.loc[rows, c] = text


# ======================================================================================
# One build of the release
# ======================================================================================


@dataclass
class _Output:
    name: str
    kind: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # part ("" main) -> frame
    figure: Any = None
    text: str | None = None


class _Build:
    """One pass over every output with one gate (rebuilt when the audit needs a repair)."""

    def __init__(self, data: pd.DataFrame, pol: DisclosurePolicy, plan: GatePlan | None) -> None:
        self.data = data
        self.pol = pol
        self.gate = ReleaseGate(data, pol, plan=plan)
        self.tables: dict[str, SuppressedTable] = {}
        self.active = self.gate.active
        self._t1_bases: dict[str, Any] = {}
        self.published: set[str] = set()  # digests of the tables released so far

    # -- bookkeeping ---------------------------------------------------------------------
    def decide(self, output: str, item: str, decision: str, rule: str, reason: str) -> None:
        self.gate.decide(output, item, decision, rule, reason)

    def withhold(self, name: str, kind: str, reason: str, rule: str = "SDC-8") -> _Output:
        self.decide(name, "output", "withheld", rule, reason)
        return _Output(name, kind)

    def table(
        self,
        gname: str,
        frame: pd.DataFrame,
        rows: str | Sequence[str],
        columns: str | Sequence[str],
        groups: str | None = "rows",
    ) -> SuppressedTable:
        t = self.gate.table(gname, frame, rows, columns, groups=groups)
        self.tables[gname] = t
        return t

    def left_out(self, name: str, used: pd.Index, columns: Sequence[str | None]) -> None:
        """Protect the small groups among the rows of ``data`` that an output leaves out,
        so that differencing it against another output cannot single them out."""
        if not self.active:
            return
        left = self.data.loc[~self.data.index.isin(used)]
        if left.empty:
            return
        thr = int(self.pol.threshold)
        if len(left) < thr:
            self.gate.protect(f"{name}:left out", pd.Series(True, index=left.index), "left out")
        cols = [c for c in dict.fromkeys(columns) if c is not None and c in left.columns]
        keys = pd.DataFrame(
            {c: left[c].astype(object).where(left[c].notna(), "missing") for c in cols},
            index=left.index,
        )
        for r in range(1, len(cols) + 1):
            for combo in itertools.combinations(cols, r):
                by_cols: Any = list(combo) if len(combo) > 1 else combo[0]
                grouped = keys.groupby(by_cols, sort=True, dropna=False).groups
                for key, idx in grouped.items():
                    if 1 <= len(idx) < thr:
                        label = "left out: " + ", ".join(
                            f"{c}={v}"
                            for c, v in zip(
                                combo, key if isinstance(key, tuple) else (key,), strict=True
                            )
                        )
                        self.gate.protect(
                            f"{name}:{label}", pd.Series(True, index=pd.Index(idx)), label
                        )

    def _answered(self, gname: str, keys: pd.DataFrame, values: pd.Series) -> SuppressedTable:
        """Groups x (value, missing) counts of a numeric variable as a gate table: a
        summary's n and its missing count are published, protected, from it."""
        work = keys.astype(str)
        work["answered"] = np.where(values.loc[keys.index].notna(), "value", "missing")
        cols = list(keys.columns)
        return self.table(gname, work, cols if len(cols) > 1 else cols[0], "answered", groups=None)

    # -- dispatch -----------------------------------------------------------------------
    def build_all(self, names: Sequence[str], outputs: Mapping[str, Any]) -> list[_Output]:
        """Build every output; figures last, once the tables they may show are known."""
        done: dict[str, _Output] = {}
        for n in names:
            if not _is_figure(outputs[n]):
                done[n] = self.build(n, outputs[n])
                self.published |= {_digest(f) for f in done[n].frames.values()}
        for n in names:
            if n not in done:
                done[n] = self.build(n, outputs[n])
        return [done[n] for n in names]

    def build(self, name: str, obj: Any) -> _Output:
        rows = self.data
        if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], pd.DataFrame):
            if not obj[1].index.isin(self.data.index).all() or not obj[1].index.is_unique:
                return self.withhold(
                    name,
                    "subset",
                    "the rows given with it are not rows of data= (match them by index): "
                    "pass a subset of data=, e.g. (result, data[data['cohort'] == '2019'])",
                )
            obj, rows = obj[0], self.data.loc[obj[1].index]
        try:
            return self._dispatch(name, obj, rows)
        except MentorAnalyticsError as err:
            return self.withhold(name, type(obj).__name__, f"could not be re-derived: {err}")

    def _dispatch(self, name: str, obj: Any, rows: pd.DataFrame) -> _Output:
        from ..stats.continuous import GroupComparison
        from ..stats.models import ModelResult
        from ..stats.rates import RatesResult
        from ..stats.survival import KaplanMeierResult
        from ..stats.table1 import SummaryTable

        if isinstance(obj, SuppressedTable):
            return self._suppressed(name, obj, rows)
        if isinstance(obj, RatesResult):
            return self._rates(name, obj, rows)
        if isinstance(obj, SummaryTable):
            return self._table1(name, obj, rows)
        if isinstance(obj, GroupComparison):
            return self._compare_groups(name, obj, rows)
        if isinstance(obj, ModelResult):
            return self._model(name, obj, rows)
        if isinstance(obj, KaplanMeierResult):
            return self._km(name, obj, rows)
        if _is_count_spec(obj):
            return self._count_spec(name, obj, rows)
        if _is_figure(obj):
            return self._figure(name, obj)
        if isinstance(obj, str):
            return self._note(name, obj)
        if isinstance(obj, pd.DataFrame):
            if not self.active:
                self.decide(name, "table", "released", "", "internal release: not checked")
                return _Output(name, "DataFrame", {"": obj.reset_index()})
            return self.withhold(
                name,
                "DataFrame",
                "a DataFrame of numbers cannot be traced to the counts behind it: release "
                "the result object it came from, or a count spec ('rows', 'columns')",
            )
        kind = f"{type(obj).__module__}.{type(obj).__qualname__}"
        return self.withhold(
            name,
            kind,
            f"{kind} is not a kind of output the release gate can check (it checks results "
            "of compare_rates, summary_table, compare_groups, outcome_model and "
            "kaplan_meier, SuppressedTable, count specs ('rows', 'columns'), figures "
            "drawn from released aggregates and notes): release it through an output checker",
        )

    # -- count tables ---------------------------------------------------------------------
    def _count_spec(self, name: str, spec: tuple[Any, Any], rows: pd.DataFrame) -> _Output:
        r, c = _names(spec[0]) or [], _names(spec[1]) or []
        missing = [x for x in r + c if x not in rows.columns]
        if missing:
            return self.withhold(name, "counts", f"columns {missing} are not in data=")
        self.left_out(name, rows.index, r + c)
        t = self.table(name, rows, r if len(r) > 1 else r[0], c if len(c) > 1 else c[0])
        return _Output(name, "counts", {"": _table_frame(t)})

    def _suppressed(self, name: str, st: SuppressedTable, rows: pd.DataFrame) -> _Output:
        full = st.counts_full
        rn, cn = list(full.index.names), list(full.columns.names)
        if (
            len(rn) != 1
            or len(cn) != 1
            or rn[0] not in rows.columns
            or cn[0] not in rows.columns
            or rn[0] == cn[0]
        ):
            return self.withhold(
                name,
                "SuppressedTable",
                "a table whose row and column names are not two columns of data= cannot be "
                "re-derived from the microdata: pass a count spec ('rows', 'columns') instead",
            )
        r, c = str(rn[0]), str(cn[0])
        r_lab, c_lab = list(full.index[:-1]), list(full.columns[:-1])
        sel = rows[rows[r].isin(r_lab) & rows[c].isin(c_lab)]
        true = pd.crosstab(sel[r], sel[c]).reindex(index=r_lab, columns=c_lab, fill_value=0)
        if not np.array_equal(true.to_numpy(), full.iloc[:-1, :-1].to_numpy()):
            return self.withhold(
                name,
                "SuppressedTable",
                "its counts are not those of data=: pass the rows it was made from as "
                "(table, rows), or a count spec ('rows', 'columns')",
            )
        self.left_out(name, sel.index, [r, c])
        t = self.table(name, sel, r, c)
        return _Output(name, "SuppressedTable", {"": _table_frame(t)})

    # -- compare_rates --------------------------------------------------------------------
    def _outcome_words(self, series: pd.Series, res: Any) -> pd.Series:
        from ..stats.rates import _coerce_outcome

        event = None
        prefix = f"{res.outcome} = "
        if isinstance(res.event, str) and res.event.startswith(prefix):
            wanted = res.event[len(prefix) :]
            hits = [v for v in pd.unique(series.dropna()) if str(v) == wanted]
            if hits and wanted not in ("true", "1", "yes"):
                event = hits[0]
        y, _ = _coerce_outcome(series, res.outcome, event)
        return y.map({1.0: "yes", 0.0: "no"})

    def _rates(self, name: str, res: Any, rows: pd.DataFrame) -> _Output:
        from ..stats.rates import compare_rates, proportion_ci

        by, outcome, strata = res.by, res.outcome, res.strata
        missing = [x for x in (by, outcome, strata) if x and x not in rows.columns]
        if missing:
            return self.withhold(name, "rates", f"columns {missing} are not in data=")
        groups = list(res.rates.index)
        y = self._outcome_words(rows[outcome], res)
        keep = rows[by].notna() & rows[by].isin(groups)
        work = pd.DataFrame({by: rows[by].astype(object), outcome: y}, index=rows.index)
        if strata:
            work[strata] = rows[strata].astype(object)
        # rows with a missing outcome are left out of the table (and protected as left
        # out): a column of small missing counts would force secondary suppression of
        # the yes/no counts themselves
        n_missing = int((keep & work[outcome].isna()).sum())
        work = work[keep & work[outcome].notna()]
        sizes = work.groupby(by, sort=False).size()
        if any(int(sizes.get(g, 0)) != int(res.rates.loc[g, "n"]) for g in groups):
            return self.withhold(
                name,
                "rates",
                "its group sizes are not those of data=: pass the rows it was computed on "
                "as (result, rows)",
            )
        self.left_out(name, work.index, [by, outcome, strata])
        t = self.table(name, work, by, outcome, groups="rows")
        method = str(res.rates["method"].iloc[0]) if len(res.rates) else ""
        recs = []
        for g in groups:
            ev, no = _cell(t, g, "yes"), _cell(t, g, "no")
            n = ev + no if ev is not None and no is not None else None
            rec: dict[str, Any] = {by: _label(g), "n": _shown(n), "events": _shown(ev)}
            if ev is not None and n:
                lo, hi = proportion_ci(ev, n, alpha=res.alpha)
                rec.update(rate=ev / n, ci_low=float(lo), ci_high=float(hi))
            elif ev is None or n is None:
                rec.update(rate=SUPPRESSED, ci_low=SUPPRESSED, ci_high=SUPPRESSED)
            else:
                rec.update(rate="", ci_low="", ci_high="")
            rec["method"] = method
            recs.append(rec)
        rates = pd.DataFrame(recs, dtype=object)
        if not self.active and "n_missing" in res.rates.columns:
            rates["n_missing"] = [int(res.rates.loc[g, "n_missing"]) for g in groups]
        out = _Output(name, "rates", {"": rates})
        if n_missing and self.active:
            self.decide(
                name,
                "n_missing",
                "withheld",
                "SDC-1",
                "rows with a missing outcome are left out of the table; small groups of them "
                "are protected from differencing",
            )

        analysed = work
        basis = self.gate.basis(f"{name}:effects", analysed, by, outcome, groups="rows")
        if basis.ok and len(groups) > 1:
            exp = basis.expand(by, outcome)
            try:
                again = _quiet(
                    compare_rates,
                    exp,
                    outcome,
                    by=by,
                    reference=res.reference,
                    alpha=res.alpha,
                    rng=_seed(res.rng),
                )
            except MentorAnalyticsError as err:
                self.decide(name, "effects", "withheld", "SDC-8", f"not computable: {err}")
            else:
                out.frames["effects"] = again.effects.reset_index(drop=True)
                if again.test is not None:
                    out.frames["test"] = again.test.reset_index(drop=True)
        if strata:
            pw = analysed.dropna(subset=[strata])
            pb = self.gate.basis(f"{name}:pooled", pw, [strata, by], outcome, groups="rows")
            if pb.ok and len(groups) > 1:
                exp = pb.expand([strata, by], outcome)
                try:
                    again = _quiet(
                        compare_rates,
                        exp,
                        outcome,
                        by=by,
                        strata=strata,
                        reference=res.reference,
                        alpha=res.alpha,
                        rng=_seed(res.rng),
                    )
                except MentorAnalyticsError as err:
                    self.decide(name, "pooled", "withheld", "SDC-8", f"not computable: {err}")
                else:
                    if again.pooled is not None:
                        out.frames["pooled"] = again.pooled.reset_index(drop=True)
        self._notes_of(name, res)
        return out

    def _notes_of(self, name: str, res: Any) -> None:
        if self.active and any(_has_count_text(n) for n in (*res.notes, *res.warnings)):
            self.decide(
                name,
                "notes and warnings",
                "withheld",
                "SDC-8",
                "they quote counts of the unprotected data; the released tables say what "
                "can be said",
            )

    # -- Table 1 --------------------------------------------------------------------------
    def _table1(self, name: str, res: Any, rows: pd.DataFrame) -> _Output:
        from ..stats.table1 import OVERALL, _as_variable, summary_table

        by, strata = res.by, res.strata
        gkeys = [strata, by] if strata else [by]
        variables = list(res.variables)
        missing = [x for x in [*gkeys, *variables] if x not in rows.columns]
        if missing:
            return self.withhold(name, "Table 1", f"columns {missing} are not in data=")
        base = rows[rows[gkeys].notna().all(axis=1)]
        long = res.long.copy()
        has_stratum = "stratum" in long.columns

        def key_of(rec: Any) -> Any:
            return (str(rec["stratum"]), str(rec["group"])) if has_stratum else str(rec["group"])

        # the cells (groups and Overall) with their rows
        glabels = base[gkeys].astype(str)
        cells: dict[Any, pd.Index] = {}
        for key, idx in glabels.groupby(gkeys if strata else by, sort=False).groups.items():
            cells[key if has_stratum else (key[0] if isinstance(key, tuple) else key)] = idx
        if has_stratum:
            for s, idx in glabels.groupby(strata, sort=False).groups.items():
                cells[(str(s), OVERALL)] = idx
        else:
            cells[OVERALL] = base.index

        # does the result speak of these rows?
        vars_ = {v: _as_variable(base[v], v) for v in variables}
        for rec in long.itertuples(index=False):
            r = rec._asdict()
            key = key_of(r)
            idx = cells.get(key)
            if idx is None:
                if r["variable"] == "n" and int(r["n"] or 0) == 0:
                    continue
                return self.withhold(
                    name, "Table 1", "its groups are not those of data=: pass the rows it was "
                    "computed on as (result, rows)"
                )  # fmt: skip
            pos = base.index.get_indexer(idx)
            if r["variable"] == "n":
                true_n = len(idx)
            else:
                v = vars_[r["variable"]]
                true_n = (
                    int((np.asarray(v.codes)[pos] >= 0).sum())
                    if v.kind == "categorical"
                    else int(np.isfinite(v.values[pos]).sum())  # type: ignore[index]
                )
            if pd.notna(r["n"]) and int(r["n"]) != true_n:
                return self.withhold(
                    name,
                    "Table 1",
                    "its counts are not those of data=: pass the rows it was computed on as "
                    "(result, rows)",
                )
        self.left_out(
            name, base.index, [*gkeys, *[v for v in variables if vars_[v].kind == "categorical"]]
        )

        released: dict[tuple[str, str, Any], dict[str, Any]] = {}
        # group sizes: a one-column table, so that its total cannot give a small group back
        sizes = pd.DataFrame({k: base[k].astype(str) for k in gkeys}, index=base.index)
        sizes["count"] = "n"
        t_n = self.table(
            f"{name}:n", sizes, gkeys if len(gkeys) > 1 else gkeys[0], "count", groups=None
        )
        for k in cells:
            grp = k[1] if has_stratum else k
            if grp == OVERALL and has_stratum:
                released[("n", "", k)] = {"n": WITHHELD}
                continue
            n = _cell(t_n, TOTAL if grp == OVERALL else k, "n")
            released[("n", "", k)] = {"n": _shown(n)}
        tests_ok: dict[str, tuple[str, str]] = {}
        smd_ok: dict[str, tuple[str, str]] = {}
        recompute: list[str] = []
        group_cells = [k for k in cells if (k[1] if has_stratum else k) != OVERALL]
        for var in variables:
            v = vars_[var]
            if v.kind == "categorical":
                why = self._t1_categorical(name, var, v, base, gkeys, cells, released, has_stratum)
            else:
                why = self._t1_numeric(
                    name, var, v, base, cells, group_cells, released, long, gkeys
                )
            tests_ok[var] = smd_ok[var] = why
            if not why[0] and v.kind == "categorical" and self.pol.rounding_base:
                recompute.append(var)

        # the long table, as released
        cols = ["n", "count", "percent", "mean", "sd", "median", "q1", "q3", "missing"]
        out_long = long.astype(object)
        for i, rec in enumerate(long.itertuples(index=False)):
            r = rec._asdict()
            got = released.get((r["variable"], str(r["level"]), key_of(r)))
            if got is None:
                continue
            for c in cols:
                if c in got:
                    out_long.iat[i, out_long.columns.get_loc(c)] = got[c]
        for c in cols:
            out_long[c] = [
                "" if (not isinstance(x, str) and pd.isna(x)) else x for x in out_long[c]
            ]
        frames: dict[str, pd.DataFrame] = {"": out_long.reset_index(drop=True)}

        # tests and standardised differences
        redo: dict[str, Any] = {}
        if recompute:
            exp_frames = {}
            for var in recompute:
                b = self._t1_bases.get(var)
                if b is not None:
                    exp_frames[var] = b.expand(gkeys, var)
            for var, exp in exp_frames.items():
                try:
                    redo[var] = _quiet(
                        summary_table,
                        exp,
                        by=by,
                        strata=strata,
                        variables=[var],
                        rng=_seed(res.rng),
                    )
                except MentorAnalyticsError as err:
                    failed = (f"not computable from the released counts: {err}", "SDC-3")
                    tests_ok[var] = smd_ok[var] = failed
        for part, frame, ok in (("tests", res.tests, tests_ok), ("smd", res.smd, smd_ok)):
            if frame is None or frame.empty:
                continue
            new_parts = []
            for var, sub in frame.groupby("variable", sort=False):
                reason, rule = ok.get(str(var), ("not in the release", "SDC-8"))
                if reason:
                    sub = sub.astype(object).copy()
                    value_cols = [
                        c for c in ("statistic", "df", "p_value", "estimate") if c in sub.columns
                    ]
                    _mark(sub, value_cols, sub.index, WITHHELD)
                    self.decide(name, f"{part}: {var}", "withheld", rule, reason)
                elif str(var) in redo:
                    sub = getattr(redo[str(var)], part)
                else:
                    self.decide(name, f"{part}: {var}", "released", "SDC-8", "every count and "
                                "summary behind it is released")  # fmt: skip
                new_parts.append(sub)
            if new_parts:
                frames[part] = pd.concat(new_parts, ignore_index=True)
        self._notes_of(name, res)
        return _Output(name, "Table 1", frames)

    def _t1_categorical(
        self,
        name: str,
        var: str,
        v: Any,
        base: pd.DataFrame,
        gkeys: list[str],
        cells: Mapping[Any, pd.Index],
        released: dict[tuple[str, str, Any], dict[str, Any]],
        has_stratum: bool,
    ) -> tuple[str, str]:
        from ..stats.table1 import OVERALL

        values = pd.Categorical.from_codes(
            np.asarray(v.codes, dtype=np.int64),
            categories=pd.Index(list(v.levels)),  # type: ignore[call-overload]
        )
        work = pd.DataFrame({k: base[k].astype(str) for k in gkeys}, index=base.index)
        work[var] = values
        t = self.table(f"{name}:{var}", work, gkeys if len(gkeys) > 1 else gkeys[0], var)
        for key in cells:
            grp = key[1] if has_stratum else key
            if grp == OVERALL:
                row: Any = (TOTAL, "") if has_stratum else TOTAL
                if has_stratum:
                    # per-stratum Overall is not a line of this table: publish none of it
                    for level in v.levels:
                        released[(var, str(level), key)] = {
                            c: WITHHELD for c in ("n", "count", "percent", "missing")
                        }
                    continue
            else:
                row = key
            miss = _cell(t, row, "missing")
            total = _cell(t, row, TOTAL)
            n = total - miss if total is not None and miss is not None else None
            for level in v.levels:
                k = _cell(t, row, level)
                pct: Any = SUPPRESSED
                if k is not None and n:
                    pct = 100.0 * k / n
                elif k is not None and n == 0:
                    pct = math.nan
                released[(var, str(level), key)] = {
                    "n": SUPPRESSED if n is None else n,
                    "count": SUPPRESSED if k is None else k,
                    "percent": pct,
                    "missing": SUPPRESSED if miss is None else miss,
                }
        answered = work.dropna(subset=[var])
        b = self.gate.basis(
            f"{name}:{var}:test",
            answered,
            gkeys if len(gkeys) > 1 else gkeys[0],
            var,
            groups="rows",
            what=f"{name}:{var}",
        )
        self._t1_bases[var] = b
        return ("", "") if b.ok else (b.reason, b.rule)

    def _t1_numeric(
        self,
        name: str,
        var: str,
        v: Any,
        base: pd.DataFrame,
        cells: Mapping[Any, pd.Index],
        group_cells: Sequence[Any],
        released: dict[tuple[str, str, Any], dict[str, Any]],
        long: pd.DataFrame,
        gkeys: list[str],
    ) -> tuple[str, str]:
        values = np.asarray(v.values, dtype=float)
        floor = _variable_floor(var, values)
        levels = _variable_levels(var, values)
        series = pd.Series(values, index=base.index)
        has_stratum = "stratum" in long.columns
        answered = self._answered(f"{name}:{var}:n", base[gkeys], series)
        sub = long[long["variable"] == var]
        why_tests = ""
        for key, idx in cells.items():
            s = series.loc[idx].dropna()
            out = self.gate.summary(
                f"{name}:{var}:{_label(key)}", s, floor=floor, levels=levels, publish_n=False
            )
            if has_stratum:
                hit = sub[
                    (sub["stratum"].astype(str) == key[0]) & (sub["group"].astype(str) == key[1])
                ]
            else:
                hit = sub[sub["group"].astype(str) == key]
            rec: dict[str, Any] = {}
            grp = key[1] if has_stratum else key
            if grp == "Overall" and has_stratum:
                rec["n"] = rec["missing"] = WITHHELD
            else:
                row = TOTAL if grp == "Overall" else key
                rec["n"] = _shown(_cell(answered, row, "value"))
                rec["missing"] = _shown(_cell(answered, row, "missing"))
            for stat in ("mean", "sd", "median", "q1", "q3"):
                value = hit[stat].iloc[0] if len(hit) and stat in hit.columns else math.nan
                if pd.isna(value):
                    continue
                if out[stat]:
                    rec[stat] = WITHHELD
                    if key in group_cells and not why_tests:
                        why_tests = (
                            f"depends on a withheld summary ({stat} of {_label(key)}: {out[stat]})"
                        )
                else:
                    rec[stat] = value
            level = str(hit["level"].iloc[0]) if len(hit) else ""
            released[(var, level, key)] = rec
        return (why_tests, "SDC-8") if why_tests else ("", "")

    # -- compare_groups -------------------------------------------------------------------
    def _compare_groups(self, name: str, res: Any, rows: pd.DataFrame) -> _Output:
        from ..stats.continuous import numeric_values

        var, by = res.variable, res.by
        missing = [x for x in (var, by) if x not in rows.columns]
        if missing:
            return self.withhold(name, "compare_groups", f"columns {missing} are not in data=")
        gtab = _by_group(res.groups)
        groups = list(gtab["group"])
        base = rows[rows[by].notna() & rows[by].isin(groups)]
        values, _ = numeric_values(base[var], var)
        series = pd.Series(values, index=base.index)
        gcol = base[by].astype(object)
        for g, n in zip(gtab["group"], gtab["n"], strict=True):
            if int(series[gcol == g].notna().sum()) != int(n):
                return self.withhold(
                    name,
                    "compare_groups",
                    "its group sizes are not those of data=: pass the rows it was computed "
                    "on as (result, rows)",
                )
        self.left_out(name, base.index, [by])
        all_values = numeric_values(self.data[var], var)[0]
        floor = _variable_floor(var, all_values)
        levels = _variable_levels(var, all_values)
        answered = self._answered(f"{name}:n", base[[by]], series)
        ok: dict[Any, dict[str, str]] = {}
        frame = gtab.astype(object)
        for i, g in enumerate(groups):
            s = series[gcol == g].dropna()
            out = self.gate.summary(
                f"{name}:{_label(g)}", s, floor=floor, levels=levels, publish_n=False
            )
            ok[g] = out
            frame.at[i, "group"] = _label(g)
            frame.at[i, "n"] = _shown(_cell(answered, str(g), "value"))
            frame.at[i, "n_missing"] = _shown(_cell(answered, str(g), "missing"))
            for stat in ("mean", "sd", "median", "q1", "q3"):
                if stat in frame.columns and out[stat]:
                    frame.at[i, stat] = WITHHELD
            if out["mean"] or out["sd"]:
                for c in ("ci_low", "ci_high"):
                    if c in frame.columns:
                        frame.at[i, c] = WITHHELD
        if self.active:
            frame = frame.drop(columns=[c for c in ("min", "max") if c in frame.columns])
            self.decide(name, "min, max", "withheld", "SDC-7", "never published (SDC-7)")
        frames: dict[str, pd.DataFrame] = {"": frame}

        def needs(measure: str) -> tuple[str, ...]:
            m = measure.lower()
            return ("mean", "sd") if ("mean" in m or "hedges" in m or "welch" in m) else (
                "median", "q1", "q3"
            )  # fmt: skip

        value_cols = ["estimate", "ci_low", "ci_high", "statistic", "p_value",
                      "detectable_difference"]  # fmt: skip
        comp = res.comparisons.copy().astype(object)
        for i, r in comp.iterrows():
            wanted = needs(str(r["measure"]))
            bad = [
                f"{_label(g)} {s}"
                for g in (r["group"], r["reference"])
                for s in wanted
                if ok.get(g, {}).get(s, "missing")
            ]
            comp.at[i, "group"], comp.at[i, "reference"] = (
                _label(r["group"]),
                _label(r["reference"]),
            )
            item = f"{_label(r['group'])} vs {_label(r['reference'])}: {r['measure']}"
            if bad:
                _mark(comp, value_cols, [i], WITHHELD)
                self.decide(name, item, "withheld", "SDC-8",
                            f"depends on a withheld summary ({', '.join(bad)})")  # fmt: skip
            else:
                self.decide(name, item, "released", "SDC-8", "its summaries are released")
        if len(comp):
            frames["comparisons"] = comp.reset_index(drop=True)
        overall = res.overall.copy().astype(object)
        for i, r in overall.iterrows():
            wanted = needs(str(r["test"]))
            bad = [f"{_label(g)} {s}" for g in groups for s in wanted if ok[g][s]]
            if bad:
                _mark(overall, ["statistic", "df", "df2", "p_value"], [i], WITHHELD)
                self.decide(name, str(r["test"]), "withheld", "SDC-8",
                            f"depends on a withheld summary ({', '.join(bad)})")  # fmt: skip
            else:
                self.decide(name, str(r["test"]), "released", "SDC-8", "its summaries are released")
        if len(overall):
            frames["overall"] = overall.reset_index(drop=True)
        self._notes_of(name, res)
        return _Output(name, "compare_groups", frames)

    # -- outcome_model ---------------------------------------------------------------------
    def _model(self, name: str, res: Any, rows: pd.DataFrame) -> _Output:
        from .._conventions import yes_no as read_yes_no
        from ..stats.models import outcome_model

        preds, outcome = list(res.predictors), res.outcome
        if any(p not in res.references for p in preds):
            if not self.active:
                return self._model_as_is(name, res)
            return self.withhold(name, "model", _MODEL_RULE)
        if res.kind == "linear":
            if not self.active:
                return self._model_as_is(name, res)
            return self.withhold(
                name,
                "model",
                "a linear model of a continuous outcome cannot be checked cell by cell: "
                "release it from an output checker",
            )
        missing = [x for x in (outcome, *preds) if x not in rows.columns]
        if missing:
            return self.withhold(name, "model", f"columns {missing} are not in data=")
        complete = rows.dropna(subset=[outcome, *preds])
        if len(complete) != int(res.n):
            return self.withhold(
                name,
                "model",
                "it was fitted on other rows than data=: pass the rows it was fitted on "
                "as (result, rows)",
            )
        work = pd.DataFrame({p: complete[p].astype(object) for p in preds}, index=complete.index)
        yes_no = read_yes_no(complete[outcome]) if res.kind in ("logistic", "firth") else None
        work[outcome] = (
            yes_no.map({1.0: "yes", 0.0: "no"}) if yes_no is not None else complete[outcome]
        )
        self.left_out(name, complete.index, [*preds, outcome])
        rows_spec: str | list[str] = preds if len(preds) > 1 else preds[0]
        b = self.gate.basis(name, work, rows_spec, outcome, groups="rows")
        if not b.ok:
            return _Output(name, "model")
        fitted = res
        if self.pol.rounding_base:
            if res.within is not None:
                self.decide(
                    name,
                    "estimates",
                    "withheld",
                    "SDC-3",
                    "a model with an interaction cannot be refitted on the rounded counts "
                    "here: fit it on the released counts yourself",
                )
                return _Output(name, "model")
            exp = b.expand(rows_spec, outcome)
            if yes_no is not None:
                exp[outcome] = exp[outcome] == "yes"
            try:
                fitted = _quiet(
                    outcome_model,
                    exp,
                    outcome,
                    preds,
                    kind=res.kind,
                    reference=dict(res.references),
                    alpha=res.alpha,
                )
            except MentorAnalyticsError as err:
                self.decide(
                    name, "estimates", "withheld", "SDC-3", f"not computable from the "
                    f"rounded counts: {err}"
                )  # fmt: skip
                return _Output(name, "model")
        frames = {"": fitted.table.reset_index(drop=True)}
        if fitted.within is not None:
            frames["within"] = fitted.within.reset_index(drop=True)
        cells = b.released.to_numpy(dtype=float)
        fit = {"kind": fitted.kind, "n": int(cells.sum())}
        if yes_no is not None and "yes" in b.released.columns:
            fit["events"] = int(b.released["yes"].sum())
        frames["fit"] = pd.DataFrame([fit])
        self._notes_of(name, res)
        return _Output(name, "model", frames)

    def _model_as_is(self, name: str, res: Any) -> _Output:
        self.decide(name, "estimates", "released", "", "internal release: not checked")
        frames = {"": res.table.reset_index(drop=True)}
        if res.within is not None:
            frames["within"] = res.within.reset_index(drop=True)
        return _Output(name, "model", frames)

    # -- kaplan_meier ----------------------------------------------------------------------
    def _km(self, name: str, res: Any, rows: pd.DataFrame) -> _Output:
        d = res.durations
        if not d.index.isin(rows.index).all():
            return self.withhold(
                name,
                "survival",
                "its rows are not rows of data= (matched by index): compute it on data=",
            )
        if not self.active:
            self.decide(name, "curves and medians", "released", "", "internal release: not checked")
            return _Output(
                name,
                "survival",
                {
                    "": res.table.reset_index(drop=True),
                    "medians": _by_group(res.medians),
                },
            )
        self.left_out(name, d.index, [res.by])
        table = self.gate.survival(name, d, duration="duration", event="event", by="group")
        self.decide(
            name,
            "Kaplan-Meier steps, censoring times and medians",
            "withheld",
            "SDC-9",
            "each step is one person's time: a life table over fixed time bands is released "
            "instead",
        )
        table = table.rename(columns={"group": res.by or "group"})
        if len(table):
            table[res.by or "group"] = table[res.by or "group"].map(_label)
        return _Output(name, "survival", {"": table.reset_index(drop=True)})

    # -- figures and notes -----------------------------------------------------------------
    def _figure(self, name: str, obj: Any) -> _Output:
        fig = _as_figure(obj)
        if not self.active:
            self.decide(name, "figure", "released", "", "internal release: not checked")
            return _Output(name, "figure", figure=fig)
        why = _figure_problem(fig, self.published)
        if why:
            return self.withhold(name, "figure", why, "SDC-10")
        self.decide(name, "figure", "released", "SDC-10", f"drawn from {_figure_source(fig)}")
        return _Output(name, "figure", figure=fig)

    def _note(self, name: str, text: str) -> _Output:
        if self.active and _has_count_text(text):
            return self.withhold(
                name,
                "note",
                "a note with a number or a count word (all, none, both, ...) is withheld: "
                "the gate cannot tell which counts it speaks of; put the number in a "
                "released table",
            )
        if self.active:
            self.decide(name, "note", "released", "SDC-8", "no number or count word in it")
        else:
            self.decide(name, "note", "released", "", "internal release: not checked")
        return _Output(name, "note", text=text)


# ======================================================================================
# The release pack
# ======================================================================================


@dataclass(frozen=True, kw_only=True, eq=False)
class ReleasePack(Result):
    """What :func:`release` let out, and why.

    Attributes
    ----------
    decisions : DataFrame
        The decision log: ``output, item, decision, rule, reason`` (decision is
        ``released``, ``suppressed``, ``withheld`` or ``rounded``).
    outputs : dict of DataFrame
        The released tables by file stem (``name`` or ``name.part``), exactly as
        written: suppressed counts read ``suppressed``, withheld statistics ``withheld``.
    figures : tuple of str
        Names of the released figures.
    texts : dict of str
        Released notes.
    kinds : dict of str
        The kind of each output (``rates``, ``Table 1``, ``survival``, ...).
    audit : AuditResult
        The joint audit of everything released (SDC-11).
    policy : DisclosurePolicy
    path : Path or None
        The folder written, if any.
    rounds : int
        How many times the release was built (more than one when the joint audit asked
        for further suppression).
    """

    decisions: pd.DataFrame
    outputs: Mapping[str, pd.DataFrame]
    figures: tuple[str, ...] = ()
    texts: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    audit: AuditResult
    policy: DisclosurePolicy
    path: Path | None = None
    rounds: int = 1

    @property
    def title(self) -> str:
        return f"Release pack ({self.policy.name})"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"summary": self.summary(), "decisions": self.decisions}

    def to_frame(self) -> pd.DataFrame:
        """The decision log (a copy)."""
        return self.decisions.copy()

    def summary(self) -> pd.DataFrame:
        """One row per output: ``output, kind, released, suppressed, withheld`` (numbers
        of decisions) and ``files``."""
        return _summary(self.decisions, self.kinds, self.outputs, self.figures, self.texts)

    def _footer_lines(self) -> list[str]:
        lines = [self.policy.banner.upper()] if self.policy.banner else []
        verdict = "passed" if self.audit.ok else "FAILED"
        lines.append(f"Policy: {self.policy.label}. Joint audit {verdict}.")
        if self.path is not None:
            lines.append(f"Written to {self.path.name}/")
        return lines

    def _repr_html_(self) -> str:
        parts = ["<div class='ma-result'>"]
        if self.policy.banner:
            parts.append(f"<p><strong>{html.escape(self.policy.banner.upper())}</strong></p>")
        parts.append(f"<h4>{html.escape(self.title)}</h4>")
        parts.append(self.summary().to_html(border=0, index=False, na_rep=""))
        shown = self.decisions[self.decisions["decision"] != "released"]
        if len(shown):
            parts.append("<p><em>suppressed and withheld</em></p>")
            parts.append(format_table(shown).to_html(border=0, index=False))
        parts.append(
            "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in self._footer_lines()) + "</ul>"
        )
        parts.append("</div>")
        return "".join(parts)

    def plot(self, name: str, *, ax: Any = None, kind: str = "cumulative") -> Any:
        """Draw a released output from its released numbers only, marked as releasable.

        Rates (``compare_rates`` outputs) are drawn by
        :func:`mentoranalytics.plot.plot_outcome_rates` from the released table
        (suppressed groups show the word "suppressed"); life tables (``kaplan_meier``
        outputs) as steps at the ends of their time bands.  Pass the figure to another
        :func:`release` (with the same outputs) to let it out.

        Returns
        -------
        matplotlib Axes
        """
        kind_of = self.kinds.get(name)
        frame = self.outputs.get(name)
        if frame is None or kind_of not in ("rates", "survival"):
            raise AnalysisError(
                f"No chart for output {name!r}: charts are drawn for released compare_rates "
                "and kaplan_meier outputs. Released outputs: "
                f"{[k for k, v in self.kinds.items() if v in ('rates', 'survival')]}."
            )
        if kind_of == "rates":
            ax = _plot_rates(frame, name, ax)
        else:
            ax = _plot_life_table(frame, ax, kind)
        mark_released(ax, f"the released table {name!r}", numbers=frame)
        return ax


def _numbers(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.where(~series.isin([SUPPRESSED, WITHHELD, ""])), errors="coerce")


def _plot_rates(frame: pd.DataFrame, name: str, ax: Any) -> Any:
    import matplotlib.pyplot as plt

    from ..plot import plot_outcome_rates

    by = str(frame.columns[0])
    if ax is None:  # a figure of its own: never the current figure, which may hold microdata
        _, ax = plt.subplots(figsize=(8.0, 1.4 + 0.32 * max(1, len(frame))), layout="constrained")
    tidy = pd.DataFrame(
        {
            "outcome": name,
            "group": frame[by],
            **{c: _numbers(frame[c]) for c in ("n", "events", "rate", "ci_low", "ci_high")},
        }
    )
    tidy["suppressed"] = tidy[["n", "events", "rate"]].isna().any(axis=1)
    return plot_outcome_rates(tidy, [name], by=by, ax=ax)


def _plot_life_table(frame: pd.DataFrame, ax: Any, kind: str) -> Any:
    import matplotlib.pyplot as plt

    from ..plot._style import group_colors

    if kind not in ("cumulative", "survival"):
        raise AnalysisError(f"kind must be 'cumulative' or 'survival', not {kind!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 4.0), layout="constrained")
    by = str(frame.columns[0])
    groups = list(dict.fromkeys(frame[by]))
    colours = group_colors(groups, by)
    for g in groups:
        sub = frame[frame[by] == g]
        t = np.concatenate([[0.0], sub["time"].to_numpy(dtype=float)])
        s = np.concatenate([[1.0], sub["survival"].to_numpy(dtype=float)])
        y = 1 - s if kind == "cumulative" else s
        ax.step(t, y, where="pre", color=colours[g], label=str(g), gid=f"band:{g}")
    ax.set_xlabel("Months (end of each released time band)")
    ax.set_ylabel("Proportion promoted" if kind == "cumulative" else "Proportion not yet promoted")
    ax.set_ylim(0, 1)
    if groups:
        ax.legend(frameon=False)
    return ax


def _summary(
    decisions: pd.DataFrame,
    kinds: Mapping[str, str],
    outputs: Mapping[str, pd.DataFrame],
    figures: Sequence[str],
    texts: Mapping[str, str],
) -> pd.DataFrame:
    recs = []
    for name, kind in kinds.items():
        d = decisions[decisions["output"] == name]
        files = [f"{stem}.csv" for stem in outputs if stem.split(".")[0] == name]
        if name in figures:
            files += [f"figures/{name}.svg", f"figures/{name}.png"]
        if name in texts:
            files.append(f"{name}.txt")
        recs.append(
            {
                "output": name,
                "kind": kind,
                "released": int((d["decision"] == "released").sum()),
                "suppressed": int((d["decision"] == "suppressed").sum()),
                "withheld": int((d["decision"] == "withheld").sum()),
                "files": ", ".join(files),
            }
        )
    return pd.DataFrame(
        recs, columns=["output", "kind", "released", "suppressed", "withheld", "files"]
    )


# ======================================================================================
# release()
# ======================================================================================


def _check_names(outputs: Any) -> list[str]:
    if not isinstance(outputs, Mapping) or not outputs:
        raise AnalysisError(
            "outputs must be a non-empty dict of name -> output, e.g. "
            "{'promotion_rates': compare_rates(...), 'table1': summary_table(...)}; got "
            f"{type(outputs).__name__}."
        )
    names = []
    for key in outputs:
        if not isinstance(key, str) or not _NAME.fullmatch(key) or key.lower() in _RESERVED:
            raise AnalysisError(
                f"Output name {key!r} cannot name a file of the pack: use 1 to 60 letters, "
                "digits, '_' or '-' (starting with a letter or digit), and none of "
                f"{sorted(_RESERVED)}."
            )
        names.append(key)
    lowered = [n.lower() for n in names]
    if len(set(lowered)) != len(lowered):
        raise AnalysisError("Output names must differ in more than upper/lower case.")
    return names


def _prepare_folder(path: Path, overwrite: bool) -> None:
    if path.exists() and not path.is_dir():
        raise PackExistsError(f"{path.name!r} exists and is not a folder: choose another path.")
    if path.is_dir() and any(path.iterdir()):
        if not overwrite:
            raise PackExistsError(
                f"The folder {path.name!r} exists and is not empty: choose a new folder, or "
                "pass overwrite=True to replace the release pack in it."
            )
        if not (path / "decisions.csv").is_file():
            raise PackExistsError(
                f"The folder {path.name!r} is not empty and holds no release pack "
                "(no decisions.csv): overwrite=True only replaces a release pack. Choose a "
                "new folder."
            )
        for item in sorted(path.iterdir()):
            if item.is_file() and item.suffix in (".csv", ".xlsx", ".md", ".txt"):
                item.unlink()
        figs = path / "figures"
        if figs.is_dir():
            for item in sorted(figs.iterdir()):
                if item.is_file() and item.suffix in (".svg", ".png"):
                    item.unlink()
    path.mkdir(parents=True, exist_ok=True)


def _audit_frame(build: _Build, audit: AuditResult) -> pd.DataFrame:
    cells = audit.cells
    recs = []
    for r in cells.itertuples(index=False):
        table, row, col = str(r.table), str(r.row), str(r.column)
        t = build.tables.get(table)
        if t is not None and row.isdigit() and col.isdigit():
            row = _label(t.published_full.index[int(row)])
            col = _label(t.published_full.columns[int(col)])
        recs.append(
            {
                "output": table.split(":")[0],
                "table": table,
                "row": row,
                "column": col,
                "lo": float(r.lo),  # type: ignore[arg-type]
                "hi": float(r.hi),  # type: ignore[arg-type]
                "width": float(r.width),  # type: ignore[arg-type]
                "need": int(audit.threshold),
                "safe": bool(r.safe),
            }
        )
    return pd.DataFrame(recs, columns=_AUDIT_COLUMNS)


def _decisions(build: _Build, names: Sequence[str]) -> pd.DataFrame:
    log = build.gate.log()
    out = []
    for r in log.itertuples(index=False):
        owner = str(r.output)
        output, _, part = owner.partition(":")
        text = str(r.item)
        item = f"{part}: {text}" if part and text else (part or text)
        reason = str(r.reason)
        if not reason and r.decision == "released":
            reason = "passes the output rules"
        out.append(
            {
                "output": output,
                "item": item,
                "decision": str(r.decision),
                "rule": str(r.rule),
                "reason": reason,
            }
        )
    frame = pd.DataFrame(out, columns=_DECISION_COLUMNS)
    order = {n: k for k, n in enumerate(names)}
    frame["_o"] = frame["output"].map(lambda o: order.get(o, len(order)))
    return frame.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def release(
    outputs: Mapping[str, Any],
    *,
    data: Any,
    policy: str | int | DisclosurePolicy = "standard",
    path: str | Path | None = None,
    overwrite: bool = False,
) -> ReleasePack:
    """Check outputs made in a notebook through the release gate and write an output pack.

    Every output is re-derived from ``data`` through one
    :class:`~mentoranalytics.privacy.gate.ReleaseGate`, so all of them are audited
    jointly: counts get the policy's threshold, secondary suppression and rounding;
    statistics are computed from the released counts and withheld when a count behind
    them is not releasable; summaries follow the minimum-n and dominance rules; a
    survival curve becomes a life table over fixed time bands; figures leave only
    when drawn from released aggregates.  When the joint audit finds that the outputs
    together would let a protected count be recovered, the release is rebuilt with
    further suppression until it passes.  See the module documentation for each kind
    of output.

    Parameters
    ----------
    outputs : dict
        ``name -> output``.  Names become file names (letters, digits, ``_``, ``-``).
        Outputs: results of ``compare_rates``, ``summary_table``, ``compare_groups``,
        ``outcome_model`` and ``kaplan_meier``; a ``SuppressedTable``; a count spec
        ``("rows", "columns")`` (rows are the groups); a matplotlib figure; a note
        (str).  An output computed on some rows only: ``(result, rows)``.  Anything
        else is withheld with the reason.
    data : Cohort or DataFrame
        The microdata every output was computed from (one row per participant, unique
        index).  Never modified.
    policy : str, int or DisclosurePolicy, default="standard"
        ``"standard"``, ``"ons"``, ``"nhs"``, a threshold, or ``"internal"`` (everything
        released; every file says "internal — contains small numbers").
    path : str or Path, optional
        Folder to write the pack to; None writes nothing.
    overwrite : bool, default=False
        Replace the release pack in a non-empty ``path``; without it a non-empty folder
        is never touched.

    Returns
    -------
    ReleasePack
        ``.decisions`` (also ``to_frame()``), ``.outputs`` (released tables),
        ``.audit``, ``.path``, ``.summary()`` and ``.plot(name)``.

    Raises
    ------
    PackExistsError
        ``path`` exists and is not empty, and ``overwrite`` is False.
    DisclosureError
        The joint audit could not be made to pass (release fewer outputs).
    AnalysisError
        Bad names, ``data`` without a unique index.

    Examples
    --------
    >>> import pandas as pd
    >>> import mentoranalytics as ma
    >>> df = pd.DataFrame({"gender": ["woman"] * 20 + ["man"] * 22,
    ...                    "promoted": [True] * 8 + [False] * 12 + [True] * 11 + [False] * 11})
    >>> res = ma.compare_rates(df, "promoted", reference="man")
    >>> pack = release({"promoted": res, "note": "Promotion by gender."}, data=df)
    >>> pack.outputs["promoted"][["gender", "n", "events"]]
      gender   n  events
    0  woman  20       8
    1    man  22      11
    >>> pack.summary()[["output", "released", "suppressed", "withheld"]]
         output  released  suppressed  withheld
    0  promoted         2           0         1
    1      note         1           0         0
    >>> pack.audit.ok
    True
    """
    names = _check_names(outputs)
    frame = as_frame(data)
    if not frame.index.is_unique:
        raise AnalysisError(
            "data= must have a unique index (one row per participant); the outputs are "
            "matched to it by index. Reset it (data.reset_index(drop=True)) before computing "
            "the outputs."
        )
    pol = _resolve_policy(policy)
    target = Path(path) if path is not None else None
    if target is not None and target.is_dir() and any(target.iterdir()) and not overwrite:
        _prepare_folder(target, overwrite)  # raises
    snapshot = frame.copy(deep=True)

    plan: GatePlan | None = None
    rounds = 0
    while True:
        rounds += 1
        build = _Build(frame, pol, plan)
        built = build.build_all(names, outputs)
        audit = build.gate.audit()
        if audit.ok:
            break
        if rounds >= MAX_ROUNDS:
            raise DisclosureError(
                f"The joint audit still fails after {rounds} rebuilds: release fewer outputs "
                "together, or coarser ones (pool small groups)."
            )
        try:
            plan = build.gate.repair()
        except AnalysisError as err:
            raise DisclosureError(
                f"{err} Release fewer outputs together, or coarser ones (pool small groups)."
            ) from err
        if plan is None:  # pragma: no cover - repair returns a plan whenever the audit fails
            break

    build.decide(
        "(release)",
        "joint audit",
        "passed" if audit.ok else "failed",
        "SDC-11",
        f"every protected count keeps a feasible range at least {audit.threshold} wide "
        f"given everything released ({rounds} build(s))",
    )
    decisions = _decisions(build, names)
    audit_frame = _audit_frame(build, audit)
    released: dict[str, pd.DataFrame] = {}
    figures: dict[str, Any] = {}
    texts: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for out in built:
        kinds[out.name] = out.kind
        for part, f in out.frames.items():
            released[out.name if not part else f"{out.name}.{part}"] = _clean(f)
        if out.figure is not None:
            figures[out.name] = out.figure
        if out.text is not None:
            texts[out.name] = out.text
    if not frame.equals(snapshot):  # pragma: no cover - a safeguard, never expected
        raise AnalysisError("Internal error: the release modified the input data.")
    if target is not None:
        _prepare_folder(target, overwrite)
        _write(target, pol, released, figures, texts, decisions, audit_frame, kinds, audit)
    return ReleasePack(
        method="release gate: threshold, secondary suppression, rounding, summary rules, "
        "survival bands, figure provenance and a joint linear-programming audit",
        decisions=decisions,
        outputs=released,
        figures=tuple(figures),
        texts=texts,
        kinds=kinds,
        audit=audit,
        policy=pol,
        path=target,
        rounds=rounds,
    )


def _clean(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [_label(c) for c in out.columns]
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = [_label(v) if isinstance(v, tuple) else v for v in out[c]]
    return out.reset_index(drop=True)


# ======================================================================================
# Writing the pack
# ======================================================================================

_RC: dict[str, Any] = {"svg.hashsalt": "mentoranalytics", "svg.fonttype": "none"}


def _csv_bytes(frame: pd.DataFrame, banner: str) -> bytes:
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\n")
    head = f"# {banner}\n" if banner else ""
    return (head + text).encode("utf-8")


def _write_figure(fig: Any, folder: Path, name: str, banner: str) -> None:
    import matplotlib as mpl

    folder.mkdir(exist_ok=True)
    stamp = None
    if banner:
        stamp = fig.text(0.01, 0.99, banner.upper(), ha="left", va="top", fontsize=9,
                         color="#B00020", fontweight="bold")  # fmt: skip
    try:
        with mpl.rc_context(_RC):  # type: ignore[arg-type]
            buf = io.StringIO()
            fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
            svg = buf.getvalue()
            pbuf = io.BytesIO()
            fig.savefig(pbuf, format="png", dpi=150, bbox_inches="tight",
                        metadata={"Software": None})  # fmt: skip
    finally:
        if stamp is not None:
            stamp.remove()
    if banner:
        svg = svg.replace("<svg", f"<!-- {banner} -->\n<svg", 1)
    (folder / f"{name}.svg").write_bytes(svg.encode("utf-8"))
    (folder / f"{name}.png").write_bytes(pbuf.getvalue())


def _write(
    target: Path,
    pol: DisclosurePolicy,
    released: Mapping[str, pd.DataFrame],
    figures: Mapping[str, Any],
    texts: Mapping[str, str],
    decisions: pd.DataFrame,
    audit_frame: pd.DataFrame,
    kinds: Mapping[str, str],
    audit: AuditResult,
) -> None:
    from ..report.writers import _sheet_name, _strip_xlsx_times

    banner = pol.banner
    for stem, frame in released.items():
        (target / f"{stem}.csv").write_bytes(_csv_bytes(frame, banner))
    for name, text in texts.items():
        head = f"{banner.upper()}\n\n" if banner else ""
        (target / f"{name}.txt").write_bytes((head + text.rstrip() + "\n").encode("utf-8"))
    for name, fig in figures.items():
        _write_figure(fig, target / "figures", name, banner)
    (target / "decisions.csv").write_bytes(_csv_bytes(decisions, banner))
    (target / "audit.csv").write_bytes(_csv_bytes(audit_frame, banner))

    xlsx = target / "outputs.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
        used: set[str] = {"README"}
        notice = [banner.upper()] if banner else []
        notice += [f"Disclosure control: {pol.label}.", "See README.md and decisions.csv."]
        pd.DataFrame({"notice": notice}).to_excel(xl, sheet_name="README", index=False)
        for stem, frame in released.items():
            neutralise_frame(frame).to_excel(xl, sheet_name=_sheet_name(stem, used), index=False)
    _strip_xlsx_times(xlsx)
    (target / "README.md").write_bytes(
        _readme(pol, released, figures, texts, decisions, kinds, audit).encode("utf-8")
    )


def _md_cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _readme(
    pol: DisclosurePolicy,
    released: Mapping[str, pd.DataFrame],
    figures: Mapping[str, Any],
    texts: Mapping[str, str],
    decisions: pd.DataFrame,
    kinds: Mapping[str, str],
    audit: AuditResult,
) -> str:
    from .._version import __version__

    lines = ["# Release pack", ""]
    if pol.banner:
        lines += [f"**{pol.banner.upper()}**", ""]
    lines += [
        f"Made by mentoranalytics {__version__} (`mentoranalytics.release`).",
        "",
        f"**Disclosure control:** {pol.label}.",
        "",
        "Every output was re-derived from the microdata through one release gate and "
        "audited jointly with all the others: "
        + (
            "the joint audit passed (every protected count keeps a feasible range at least "
            f"{audit.threshold} wide given everything in this pack)."
            if audit.ok
            else "the joint audit FAILED."
        ),
        "",
        "## Outputs",
        "",
        "| output | kind | released | suppressed | withheld | files |",
        "|---|---|---|---|---|---|",
    ]
    summary = _summary(decisions, kinds, released, tuple(figures), texts)
    for r in summary.itertuples(index=False):
        lines.append(
            f"| {_md_cell(r.output)} | {_md_cell(r.kind)} | {r.released} | {r.suppressed} | "
            f"{r.withheld} | {_md_cell(r.files) or '(nothing)'} |"
        )
    lines.append("")
    for name in kinds:
        d = decisions[(decisions["output"] == name) & (decisions["decision"] != "released")]
        d = d[d["decision"] != "rounded"]
        if d.empty:
            continue
        lines += [f"### {name}", ""]
        for r in d.itertuples(index=False):
            lines.append(f"- {r.decision}: {_md_cell(r.item)}: {_md_cell(r.reason)} ({r.rule})")
        lines.append("")
    lines += [
        "## Files",
        "",
        "- `<output>.csv`, `<output>.<part>.csv`: the released tables; `suppressed` marks a "
        "count held back, `withheld` a statistic held back (the reason is in decisions.csv).",
        "- `outputs.xlsx`: the same tables, one sheet each.",
        "- `figures/`: released figures (SVG and PNG); `<output>.txt`: released notes.",
        "- `decisions.csv`: every decision (output, item, decision, rule, reason).",
        "- `audit.csv`: the joint audit, for the output checker: each protected count, the "
        "range `lo`-`hi` it can be narrowed to from everything released (computed knowing "
        "which combinations of categories occur, so narrower than an outsider's), and "
        "whether it is at least `need` wide.",
        "",
        "## Rules",
        "",
    ]
    for rule, (short, text) in RULES.items():
        lines.append(f"- **{rule} {short}**: {text}")
    lines.append("")
    if pol.banner:
        lines += [f"**{pol.banner.upper()}**", ""]
    return "\n".join(lines)
