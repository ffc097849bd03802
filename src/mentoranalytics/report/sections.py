"""The sections of the course-review report.

Each builder takes the :class:`ReportContext` and returns a :class:`Section`.  Every
number goes through disclosure control here (:func:`ReportContext.publish_counts`,
:func:`ReportContext.publish_rates`) before it reaches a table, a sentence or a chart.
A section whose columns are absent is replaced by one line naming the data it needs.
"""

from __future__ import annotations

import functools
import platform
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .._frame import as_frame
from ..exceptions import AnalysisError, ColumnError, MentorAnalyticsError
from .figures import render_charts
from .model import Block, FigureBlock, Paragraph, Section, TableBlock
from .options import ProgressCallback, ReportOptions

GROUP_LABELS = {g: g.replace("_", " ") for g in schema.GENDERS}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _pts(x: float) -> str:
    """A difference of proportions in whole percentage points, signed ('-12', '+4', '0')."""
    k = int(round(100 * float(x)))
    return f"{k:+d}" if k else "0"


def what_of(column: str) -> str:
    """The one label of a quantity (:func:`mentoranalytics.schema.display_label`)."""
    return schema.display_label(column)


def denominator(column: str) -> str:
    """' (of those with a mentor)' for quantities that exist only with a mentor."""
    return " (of those with a mentor)" if column in schema.WITH_MENTOR else ""


#: Notes of a result that the report states once (the comparison direction) or that
#: name raw columns (the event coded as yes): not repeated under every table.
_STATED_ONCE = (
    "reference group",
    "event:",
    "detectable_difference",
    "exposure coding",
    "effects are differences",
)


def _keep_note(note: str) -> bool:
    return not str(note).lower().startswith(_STATED_ONCE)


def _label(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    return GROUP_LABELS.get(str(value), str(value).replace("_", " "))


_PLURALS = {
    "woman": "women",
    "man": "men",
    "non_binary": "non-binary participants",
    "self_described": "participants who self-described",
    "not_stated": "participants who did not state a gender",
    "other_or_not_stated": "participants of another or unstated gender",
}


def _people(value: Any) -> str:
    """A group as people in a sentence: 'women', 'men', or 'group X'."""
    return _PLURALS.get(str(value), f"group '{_label(value)}'")


@dataclass(frozen=True)
class Finding:
    """One headline sentence with the numbers it rests on."""

    topic: str
    text: str
    strength: str  # "evidence", "weak", "none", "withheld", "descriptive"
    p_value: float | None = None


@dataclass
class ReportContext:
    """Everything the section builders share.

    ``data`` is the *reporting population*: the participants in groups (of ``by``) large
    enough to show under the disclosure policy.  Smaller groups are pooled into one
    "other or not stated" group when that group is large enough, and otherwise left out
    of every table, chart and count (a small one is a secret of the gate), so their small
    counts can neither be shown nor recovered by subtraction.
    """

    cohort: Any
    data: pd.DataFrame
    all_data: pd.DataFrame
    options: ReportOptions
    policy: Any
    by: str
    outcomes: list[str]
    progress: ProgressCallback | None
    n_all: int = 0
    not_shown: int = 0
    merged: tuple[str, ...] = ()
    findings: list[Finding] = field(default_factory=list)
    withheld: int = 0
    #: groups whose count with a mentor was suppressed (securing a mentor): left out of the
    #: sections about participants with a mentor, so their size cannot be read there
    hidden_secured: tuple[str, ...] = ()
    #: the release gate every published number passes through
    gate: Any = None
    #: figures drawn after the last build (name -> draw function), see build_report
    pending: dict[str, Callable[[], Any]] = field(default_factory=dict)
    #: renders the charts ahead, in a second process (report.figures.ChartFarm)
    farm: Any = None
    #: results of the statistics, shared by the builds of one report (see cached)
    memo: dict[Any, Any] = field(default_factory=dict)
    #: released group summaries (n, mean, ci_low, ci_high) by variable, for the charts
    summaries: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: released results the first page answers the questions from (see answers.py):
    #: only numbers that already passed the gate
    answers: dict[str, Any] = field(default_factory=dict)
    _groups: tuple[str, ...] | None = field(default=None, repr=False)
    _fingerprints: dict[int, tuple[weakref.ref[pd.DataFrame], tuple[Any, ...]]] = field(
        default_factory=dict, repr=False
    )

    def cached(self, fn: Callable[..., Any], data: pd.DataFrame, *args: Any, **kwargs: Any) -> Any:
        """``fn(data, *args, **kwargs)``, computed once per report: a rebuild after the
        joint audit repeats only the statistics whose released inputs changed.

        A frame's content is hashed once per build, however many statistics it feeds (a
        frame handed to this method is never changed in place afterwards)."""
        known = self._fingerprints.get(id(data))
        if known is None or known[0]() is not data:  # a dead frame's id may be reused
            known = (
                weakref.ref(data),
                (
                    data.shape,
                    tuple(map(str, data.columns)),
                    int(pd.util.hash_pandas_object(data, index=False).sum()),
                ),
            )
            self._fingerprints[id(data)] = known
        key = (fn.__name__, *known[1], repr(args), repr(sorted(kwargs.items())))
        if key not in self.memo:
            self.memo[key] = fn(data, *args, **kwargs)
        return self.memo[key]

    # -- construction -------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        cohort: Any,
        options: ReportOptions,
        *,
        progress: ProgressCallback | None = None,
        plan: Any = None,
        memo: dict[Any, Any] | None = None,
        farm: Any = None,
    ) -> ReportContext:
        from ..privacy import POLICIES
        from ..privacy.gate import ReleaseGate

        if options.privacy not in POLICIES:
            raise AnalysisError(
                f"privacy must be one of {sorted(POLICIES)}, not {options.privacy!r}."
            )
        pol = POLICIES[options.privacy]
        data = as_frame(cohort)
        if not data.index.is_unique:
            data = data.reset_index(drop=True)
        if options.by not in data.columns:
            raise ColumnError(
                f"Column {options.by!r} (the --by grouping) not found. "
                f"Available: {[str(c) for c in data.columns][:30]}."
            )
        if options.cohorts:
            if "cohort" not in data.columns:
                raise ColumnError("--cohorts was given but the data have no 'cohort' column.")
            known = set(data["cohort"].astype(str).unique())
            unknown = [c for c in options.cohorts if c not in known]
            if unknown:
                raise AnalysisError(
                    f"--cohorts names cohorts not in the data: {unknown}. Known: {sorted(known)}."
                )
            data = data[data["cohort"].astype(str).isin(options.cohorts)]
        if options.outcomes:
            missing = [o for o in options.outcomes if o not in data.columns]
            if missing:
                raise ColumnError(
                    f"--outcomes names columns not in the data: {missing}. "
                    f"Outcomes present: {[o for o in schema.OUTCOMES if o in data.columns]}."
                )
            outcomes = list(options.outcomes)
        else:
            outcomes = [o for o in schema.OUTCOMES if o in data.columns and data[o].notna().any()]
        shown, merged, group = _reporting_groups(data[options.by], pol, options.min_group_size)
        grouped = data.assign(**{options.by: group})
        reporting = grouped[grouped[options.by].notna()]
        if "mentor_in_network" in reporting:
            reporting = reporting.assign(
                outside_network=~reporting["mentor_in_network"].astype("boolean")
            )
        gate = ReleaseGate(data, pol, plan=plan)
        left_out = data[options.by].notna() & grouped[options.by].isna()
        gate.protect("left_out", left_out, "participants left out of every breakdown")
        return cls(
            cohort=cohort,
            data=reporting,
            all_data=data,
            options=options,
            policy=pol,
            by=options.by,
            outcomes=outcomes,
            progress=progress,
            n_all=len(data),
            not_shown=len(data) - len(reporting),
            merged=merged,
            gate=gate,
            memo={} if memo is None else memo,
            farm=farm,
        )

    # -- report-wide text ---------------------------------------------------------------
    def make_subtitle(self) -> str:
        """The report's subtitle: the participants the report covers (a released count)."""
        everyone = pd.Series(True, index=self.population.index)
        n = self.gate.counts("subtitle", {"participants": everyone})["participants"]
        cohorts = self.all_data["cohort"].nunique() if "cohort" in self.all_data else 1
        src = self.options.source_label or "your data"
        who = f"{n} participants" if n is not None else "Participants"
        if self.not_shown and self.breakdown_ok and not self.internal:
            who += " (not counting those in groups too small to show)"
        return (
            f"{who} in {cohorts} cohort{'s' if cohorts != 1 else ''}, from {src}. "
            f"Disclosure policy '{self.policy.name}': {self.policy.describe()}."
        )

    @property
    def population(self) -> pd.DataFrame:
        """The participants the report's counts cover: the groups shown, or everyone when
        no breakdown can be shown (whole-cohort counts only)."""
        return self.data if self.breakdown_ok else self.all_data

    @property
    def policy_banner(self) -> str | None:
        return self.policy.banner or None

    @property
    def internal(self) -> bool:
        return not self.policy.suppresses

    @property
    def groups(self) -> list[str]:
        """The groups shown, in the fixed order (schema order, never by size)."""
        if self._groups is None:  # the reporting population is fixed when ctx is made
            col = self.data[self.by]
            present = {str(g) for g in col.dropna().unique()}
            if isinstance(col.dtype, pd.CategoricalDtype):
                self._groups = tuple(str(g) for g in col.cat.categories if str(g) in present)
            else:
                self._groups = tuple(sorted(present))
        return list(self._groups)

    @property
    def breakdown_ok(self) -> bool:
        """Two or more groups can be shown."""
        return len(self.groups) >= 2

    @property
    def reference(self) -> str | None:
        """The comparison group of every gap, whatever the group sizes: ``man`` when
        shown (gaps read "women minus men"), else the first group in schema order."""
        groups = self.groups
        if not groups:
            return None
        return "man" if "man" in groups else groups[0]

    @property
    def focus(self) -> str | None:
        """The group the first page compares with the reference (``woman`` when shown,
        else the first other group in schema order)."""
        others = [g for g in self.groups if g != self.reference]
        if not others:
            return None
        return "woman" if "woman" in others else others[0]

    def step(self, name: str) -> None:
        if self.progress is not None:
            self.progress(name)

    # -- disclosure control -------------------------------------------------------------
    def protect(
        self,
        specs: Sequence[tuple[str, Any, Any, str | None]],
        data: pd.DataFrame | None = None,
    ) -> dict[str, Any]:
        """Release count tables through the gate (jointly audited with the whole report).

        ``specs`` are ``(name, rows, columns, groups)``: ``groups`` says whether the rows or
        the columns are groups of people whose shared outcome is checked for class
        disclosure (None for descriptive tables).  Returns ``{name: SuppressedTable}``.
        """
        frame = self.data if data is None else data
        return {
            name: self.gate.table(name, frame, rows, cols, groups=groups)
            for name, rows, cols, groups in specs
        }

    def notes(self, notes: Sequence[str], output: str = "") -> list[str]:
        """Notes of a result computed on microdata: outside internal, a note with a number
        in it is withheld (it may be a count the gate has not seen) and logged."""
        if self.internal:
            return list(notes)
        kept = []
        for n in notes:
            if any(ch.isdigit() for ch in n.replace("95%", "")):
                self.gate.decide(
                    output or "notes", n[:60], "withheld", "SDC-8", "a note with a number in it"
                )
            else:
                kept.append(n)
        return kept

    def count_block(
        self,
        name: str,
        caption: str,
        table: Any,
        *,
        notes: Sequence[str] = (),
    ) -> TableBlock:
        """A protected count table as a report block: empty rows and columns dropped,
        labels made readable."""
        counts = table.counts
        keep_r = [i for i in table.published.index if str(i) == "Total" or counts.loc[i].sum()]
        keep_c = [c for c in table.published.columns if str(c) == "Total" or counts[c].sum()]
        published = table.published.loc[keep_r, keep_c]
        mask = table.suppressed.loc[keep_r, keep_c]
        n_hidden = int(np.asarray(mask).sum())
        self.withheld += n_hidden
        extra: tuple[str, ...] = (
            (
                f"{n_hidden} cell(s) suppressed under the '{self.policy.name}' policy "
                "(small counts, and cells that would let them be recovered from totals).",
            )
            if n_hidden
            else ()
        )
        if self.policy.rounding_base:
            extra += (f"Counts rounded to the nearest {self.policy.rounding_base}.",)
        if len(published.columns) == 2 and "Total" in [str(c) for c in published.columns]:
            keep = [c for c in published.columns if str(c) != "Total"]
            published, mask = published[keep], mask[keep]
        relabel = {c: _label(c) for c in published.columns}
        published = published.rename(columns=relabel, index=_label)
        mask = mask.rename(columns=relabel, index=_label)
        published.index.name = _label(table.published.index.name or "")
        return TableBlock(
            name, caption, published, suppressed=mask, notes=tuple(notes) + extra, digits=0
        )

    def group_ok(self, table: Any) -> pd.Series:
        """Per group (rows of a group x yes/no table): can its rate be published?

        The group's yes and no cells must both be released (its total or missing count
        may be suppressed) and hold someone."""
        mask = table.suppressed
        rows = [k for k, i in enumerate(mask.index) if str(i) != "Total"]
        cols = [k for k, c in enumerate(mask.columns) if isinstance(c, bool | np.bool_)]
        cells = np.ix_(rows, cols)
        ok = ~mask.to_numpy(dtype=bool)[cells].any(axis=1)
        ok &= table.counts.to_numpy()[cells].sum(axis=1) > 0
        return pd.Series(ok, index=[str(mask.index[k]) for k in rows], dtype=bool)

    # -- findings -------------------------------------------------------------------------
    def add_finding(self, finding: Finding) -> Paragraph:
        self.findings.append(finding)
        return Paragraph(finding.text, kind="finding")


def _reporting_groups(
    series: pd.Series, pol: Any, min_group_size: int | None
) -> tuple[list[str], tuple[str, ...], pd.Series]:
    """Which groups the report shows; small groups pooled or left out.

    A category is shown on its own with at least ``min_group_size`` people (default twice
    the threshold, so a group can hold a publishable count on each side of a yes/no
    outcome).  Smaller categories are pooled as ``other_or_not_stated`` when the pool has
    at least twice that: a pool of mixed small categories with small cells would
    otherwise force suppression into every other group's cells.  Returns the shown group
    labels, the labels pooled, and the new group column (NA for participants left out of
    the breakdowns).
    """
    text = series.astype("string")
    present = set(text.dropna().unique())
    order = [g for g in schema.GENDERS if g in present]
    order += sorted(present - set(order))
    if not pol.suppresses:
        return order, (), text.astype(pd.CategoricalDtype(order))
    minimum = min_group_size if min_group_size is not None else 2 * pol.threshold
    sizes = text.value_counts()
    big = [g for g in order if sizes.get(g, 0) >= minimum]
    small = [g for g in order if 0 < sizes.get(g, 0) < minimum]
    out = text.where(text.isin(big))
    merged: tuple[str, ...] = ()
    if small and int(sizes[small].sum()) >= 2 * minimum:
        out = out.mask(text.isin(small), OTHER_GROUP)
        merged = tuple(small)
        big.append(OTHER_GROUP)
    shown = [g for g in order if g in big] + ([OTHER_GROUP] if merged else [])
    return shown, merged, out.astype(pd.CategoricalDtype(shown))


OTHER_GROUP = "other_or_not_stated"
GROUP_LABELS[OTHER_GROUP] = "other or not stated"


# ---------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------


def _missing(ctx: ReportContext, columns: Sequence[str]) -> list[str]:
    d = ctx.all_data
    return [c for c in columns if c not in d.columns or d[c].isna().all()]


def _unavailable(sid: str, title: str, columns: Sequence[str], why: str = "") -> Section:
    cols = ", ".join(f"'{c}'" for c in columns)
    text = f"Not available: this section needs the column{'s' if len(columns) > 1 else ''} {cols}"
    text += f" ({why})." if why else ", which the data do not have."
    return Section(sid, title, unavailable=text)


def _append_figure(
    ctx: ReportContext, blocks: list[Block], name: str, caption: str, draw: Callable[[], Any]
) -> None:
    """Add a chart that makes its own Figure (or Axes).

    The report shows the chart of its final build, the one drawn from what the release
    gate settled (:func:`render_pending`); until then the block is a placeholder.  The
    report's chart farm renders each chart ahead, in a second process, as soon as it is
    defined (a rebuild that defines it with the same inputs reuses that rendering)."""
    ctx.pending[name] = draw
    if ctx.farm is not None:
        ctx.farm.submit(name, draw)
    blocks.append(FigureBlock(name=name, caption=caption, svg=""))


def render_pending(
    sections: Sequence[Section], pending: dict[str, Callable[[], Any]], farm: Any = None
) -> tuple[Section, ...]:
    """Draw the charts of the final build, replacing their placeholders (those ``farm``
    rendered ahead are taken from it)."""
    import dataclasses

    waiting = [
        (block.name, block.caption, pending[block.name])
        for section in sections
        for block in section.blocks
        if isinstance(block, FigureBlock) and not block.svg and block.name in pending
    ]
    drawn = render_charts(waiting) if farm is None else farm.collect(waiting)
    return tuple(
        dataclasses.replace(
            section,
            blocks=tuple(
                drawn.get(block.name, block) if isinstance(block, FigureBlock) else block
                for block in section.blocks
            ),
        )
        for section in sections
    )


def _withheld_sentence(ctx: ReportContext, what: str) -> str:
    return (
        f"{what}: not reported, because publishing it could identify people under the "
        f"'{ctx.policy.name}' disclosure policy (a group has fewer than "
        f"{ctx.policy.threshold} with or without it, or all or none of a group have it)."
    )


#: Evidence levels, read from the p-value that the report words a result by (the
#: multiplicity-adjusted one when the comparison belongs to a family).
EVIDENCE_LEVEL = 0.05
WEAK_LEVEL = 0.10
#: The first page and the sentences do not compare a group of fewer people than this
#: (an internal report shows such groups in its tables, but a "gap" of one person is
#: not a finding).
MIN_COMPARED = 5


def strength(p: Any) -> str:
    """'evidence' (p < 0.05), 'weak' (p < 0.10), 'none', or 'withheld' (no p)."""
    if p is None or pd.isna(p):
        return "withheld"
    if p < EVIDENCE_LEVEL:
        return "evidence"
    if p < WEAK_LEVEL:
        return "weak"
    return "none"


def p_text(p: Any) -> str:
    """'p = 0.043', 'p < 0.001' or ''."""
    if p is None or pd.isna(p):
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def interval_note(
    estimate: Any, low: Any, high: Any, p: Any, *, null: float = 0.0, adjusted: Any = None
) -> str:
    """Why an interval and a p-value seem to disagree, or '' when they agree.

    A 95% interval that excludes ``null`` beside a p-value of 0.05 or more (or the
    reverse) happens for two reasons: the p-value is adjusted for several comparisons
    and the interval is not, or they come from different methods (Newcombe's score
    interval and Fisher's exact test, say), which differ near the 5% line."""
    if any(v is None or pd.isna(v) for v in (low, high, p)):
        return ""
    excludes = bool(low > null or high < null)
    if adjusted is not None and pd.notna(adjusted) and excludes and adjusted >= EVIDENCE_LEVEL:
        if p < EVIDENCE_LEVEL:
            return (
                "The 95% interval is not adjusted for the comparisons made together; the "
                "adjusted p-value is the one to read."
            )
    if excludes != (p < EVIDENCE_LEVEL):
        return (
            "The interval and the p-value come from different methods (a score interval "
            "and an exact test), which can disagree this close to the 5% line; neither "
            "is clear-cut evidence."
        )
    return ""


def _compare_sentence(
    what: str,
    rates: pd.DataFrame,
    eff: pd.Series,
    group: Any,
    reference: Any,
    *,
    adjusted: Any = None,
    family: str = "",
    with_mentor: bool = False,
) -> tuple[str, str]:
    """Plain-language comparison worded by the strength of evidence: by the adjusted
    p-value when the comparison belongs to a family (``family`` names it)."""
    g, r = rates.loc[group], rates.loc[reference]
    who = " with a mentor" if with_mentor else ""
    base = (
        f"{what}: {_pct(g['rate'])} of {_people(group)}{who} ({int(g['events'])} of "
        f"{int(g['n'])}) vs {_pct(r['rate'])} of {_people(reference)} "
        f"({int(r['events'])} of {int(r['n'])}); difference {_pts(eff['estimate'])} points "
        f"(95% CI {_pts(eff['ci_low'])} to {_pts(eff['ci_high'])})"
    )
    p = eff.get("p_value", np.nan)
    used = adjusted if adjusted is not None else p
    ptxt = p_text(p)
    if ptxt and adjusted is not None and pd.notna(adjusted):
        ptxt += f", or {adjusted:.3f} allowing for {family} (Holm)"
    level = strength(used)
    lead = {
        "evidence": "Evidence of a difference.",
        "weak": "Weak evidence of a difference.",
    }.get(level, "No clear difference.")
    text = f"{lead} {base}" + (f", {ptxt}" if ptxt else "") + "."
    note = interval_note(eff["estimate"], eff["ci_low"], eff["ci_high"], p, adjusted=adjusted)
    if note:
        text += " " + note
    mdd = eff.get("detectable_difference", np.nan)
    if level not in ("evidence", "weak") and pd.notna(mdd):
        text += (
            f" With these numbers only gaps of about {100 * mdd:.0f} points or more could "
            "have been detected reliably."
        )
    return text, level if level != "withheld" else "none"


def _finding_blocks(
    ctx: ReportContext,
    name: str,
    *,
    adjusted: dict[str, float] | None = None,
    family: str = "",
) -> list[Block]:
    """The sentences of a released rate comparison (see :func:`_rate_comparison`): one
    per group against the reference, worded by the adjusted p-value when given."""
    info = ctx.answers.get(name)
    if info is None:
        return []
    res, what, outcome = info["res"], info["what"], info["outcome"]
    blocks: list[Block] = []
    if res is None:
        if len(info["shown"]) >= 2:
            text = _withheld_sentence(ctx, what)
            blocks.append(ctx.add_finding(Finding(what, text, "withheld")))
        return blocks
    eff = res.effects
    rd = eff[eff["measure"] == "risk_difference"]
    for _, row in rd.iterrows():
        g = str(row["group"])
        n_g = int(res.rates.loc[row["group"], "n"])
        n_r = int(res.rates.loc[row["reference"], "n"])
        if min(n_g, n_r) < MIN_COMPARED:
            small = _people(row["group"]) if n_g < n_r else _people(row["reference"])
            text = (
                f"{what}: not compared, because there are only {min(n_g, n_r)} {small} "
                f"(a comparison needs at least {MIN_COMPARED})."
            )
            blocks.append(ctx.add_finding(Finding(what, text, "descriptive")))
            continue
        adj = None if adjusted is None else adjusted.get(g)
        text, level = _compare_sentence(
            what,
            res.rates,
            row,
            row["group"],
            row["reference"],
            adjusted=adj,
            family=family,
            with_mentor=outcome in schema.WITH_MENTOR,
        )
        p_used = adj if adj is not None else row["p_value"]
        blocks.append(ctx.add_finding(Finding(what, text, level, p_used)))
    for g in info["shown"]:
        if g not in info["released"]:
            text = _withheld_sentence(ctx, f"{what} ({_people(g)})")
            blocks.append(ctx.add_finding(Finding(what, text, "withheld")))
    return blocks


def _level_label(value: Any) -> Any:
    """'3' -> '3 middle manager / senior specialist'."""
    try:
        return f"{value} {schema.LEVEL_LABELS[int(value)]}"
    except (KeyError, TypeError, ValueError):
        return value


def _yes_no(series: pd.Series) -> pd.Series:
    """Text labels for a table: booleans as yes/no."""
    if pd.api.types.is_bool_dtype(series.dtype) or str(series.dtype) == "boolean":
        return series.astype("boolean").map({True: "yes", False: "no"}).astype("string")
    return series.astype("string")


def _binary(frame: pd.DataFrame, column: str) -> pd.Series:
    """A yes/no column as nullable booleans, read by the package's one yes/no reader."""
    from .._conventions import yes_no_boolean

    return yes_no_boolean(frame[column], column)


def released_frame(table: Any, groups: Sequence[str], by: str, outcome: str) -> pd.DataFrame:
    """One row per participant counted in the released yes/no cells of ``groups``: the
    microdata every published rate, gap, test and chart is computed from (under rounding
    policies the counts are the rounded ones, so nothing exact leaks)."""
    pub = table.published
    labels: list[str] = []
    values: list[bool] = []
    counts: list[int] = []
    for g in groups:
        gi = _key(pub.index, g)
        for value in (True, False):
            try:
                k = pub.loc[gi, _key(pub.columns, value)]
            except KeyError:
                continue
            k = 0 if pd.isna(k) else int(k)
            if k:
                labels.append(g)
                values.append(value)
                counts.append(k)
    order = [g for g in groups if g in set(labels)]
    codes = np.repeat([order.index(g) for g in labels], counts).astype(np.int64)
    return pd.DataFrame(
        {
            by: pd.Categorical.from_codes(codes, categories=pd.Index(order)),
            outcome: np.repeat(np.asarray(values, dtype=bool), counts),
        }
    )


def expand_table(table: Any, rows: str, columns: str, keep: Sequence[str]) -> pd.DataFrame:
    """One row per participant counted in the released interior cells of the columns
    ``keep`` of a rows x columns count table (rounded counts under rounding policies)."""
    pub = table.published
    row_of: list[Any] = []
    column_of: list[str] = []
    counts: list[int] = []
    for c in pub.columns:
        if str(c) == "Total" or str(c) not in set(keep):
            continue
        for r in pub.index:
            if str(r) == "Total":
                continue
            k = pub.loc[r, c]
            if pd.notna(k) and int(k):
                row_of.append(r)
                column_of.append(str(c))
                counts.append(int(k))
    return pd.DataFrame(
        {
            rows: pd.Series(np.repeat(np.asarray(row_of, dtype=object), counts), dtype=object),
            columns: pd.Series(
                np.repeat(np.asarray(column_of, dtype=object), counts), dtype=object
            ),
        }
    )


def _rate_comparison(
    ctx: ReportContext,
    outcome: str,
    what: str,
    data: pd.DataFrame | None = None,
    *,
    name: str,
    strata: str | None = None,
    finding: bool = True,
    table: Any = None,
) -> tuple[list[Block], Any, pd.Series]:
    """Released counts -> rates, gaps and tests, and finding sentences.

    ``table`` is the released group x outcome count table when the caller released it
    together with related tables; otherwise it is released here.  Every number is
    computed from the released counts of the groups whose yes and no cells are both
    released (:func:`released_frame`); gaps are against :attr:`ReportContext.reference`
    (never the larger group), and none is computed when the reference is withheld.  The
    pooled estimate over ``strata`` is released only when every stratum's cells are (a
    gate basis).  With ``finding=False`` the caller words the sentences
    (:func:`_finding_blocks`, with the adjusted p-values of its family).
    Returns the blocks, the compare_rates result (None when no gap can be computed)
    and the per-group "publishable" flags; the result is also kept on
    ``ctx.answers[name]`` for the first page.
    """
    from ..stats import compare_rates, proportion_ci

    frame = ctx.data if data is None else data
    frame = frame.assign(**{outcome: _binary(frame, outcome)})
    if table is None:
        answered = frame.dropna(subset=[outcome])
        table = ctx.protect([(name, ctx.by, outcome, "rows")], data=answered)[name]
    ok = ctx.group_ok(table)
    shown = [str(g) for g in table.published.index if str(g) != "Total"]
    released = [g for g in shown if ok.get(g, False)]
    rel = released_frame(table, released, ctx.by, outcome)
    blocks: list[Block] = []
    rows = []
    for g in shown:
        sub = rel[rel[ctx.by] == g] if g in released else rel.iloc[:0]
        n, ev = len(sub), int(sub[outcome].sum()) if len(sub) else 0
        lo, hi = proportion_ci(ev, n) if n else (np.nan, np.nan)
        rows.append(
            {"n": n, "events": ev, "rate": ev / n if n else np.nan, "ci_low": lo, "ci_high": hi}
        )
    rates = pd.DataFrame(rows, index=shown, dtype=float)
    mask = pd.DataFrame(False, index=rates.index, columns=rates.columns)
    pub = table.published
    total_col = next((c for c in pub.columns if str(c) == "Total"), None)
    for g in rates.index:
        if not ok.get(g, False):
            mask.loc[g, :] = True
            rates.loc[g, :] = np.nan
            # the group's n (those answered) is its released total, when it is released
            n_pub = pub.loc[_key(pub.index, g), total_col] if total_col is not None else None
            if n_pub is not None and pd.notna(n_pub):
                rates.loc[g, "n"] = float(n_pub)
                mask.loc[g, "n"] = False
    res = None
    ref = ctx.reference
    if len(released) >= 2 and ref in released:
        res = ctx.cached(
            compare_rates, rel, outcome, by=ctx.by, reference=ref, rng=ctx.options.seed
        )
    ctx.answers[name] = {
        "res": res,
        "what": what,
        "outcome": outcome,
        "shown": shown,
        "released": released,
    }
    n_hidden = int((~ok.reindex(rates.index, fill_value=False)).sum())
    ctx.withheld += n_hidden
    notes = [n for n in ctx.notes(res.notes, name) if _keep_note(n)] if res is not None else []
    if n_hidden:
        notes.append(
            f"{n_hidden} group(s) withheld under the '{ctx.policy.name}' policy: "
            f"fewer than {ctx.policy.threshold} with or without the outcome, all or none of "
            "the group with it, or needed to protect such a group."
        )
    if ctx.policy.rounding_base:
        notes.append(
            f"n and events rounded to the nearest {ctx.policy.rounding_base}; rates, "
            "intervals and tests are computed from the rounded counts."
        )
    rates.index = [_label(g) for g in rates.index]
    mask.index = rates.index
    blocks.append(
        TableBlock(
            f"{name}_rates",
            f"{what}{denominator(outcome)}, by {ctx.by} (Wilson 95% CI)",
            rates,
            suppressed=mask,
            notes=tuple(notes),
            percent_columns=("rate", "ci_low", "ci_high"),
        )
    )
    if res is None:
        if finding:
            blocks += _finding_blocks(ctx, name)
        return blocks, None, ok
    eff = res.effects
    if len(eff):
        cols = ["estimate", "ci_low", "ci_high", "p_value", "method"]
        if "detectable_difference" in eff:
            cols.append("detectable_difference")
        table_e = eff[cols].copy()
        is_rd = (eff["measure"] == "risk_difference").to_numpy()
        if "detectable_difference" in table_e:
            # the smallest detectable gap is a risk difference: shown on that row only
            table_e.loc[~is_rd, "detectable_difference"] = np.nan
        table_e.index = [
            f"{_label(g)} vs {_label(r)}: {m.replace('_', ' ')}"
            for g, r, m in zip(eff["group"], eff["reference"], eff["measure"], strict=True)
        ]
        gap_notes = [
            "Risk differences are in percentage points (pp); risk and odds ratios have no "
            "unit (1 = no gap)."
        ]
        for (_, row), rd in zip(eff.iterrows(), is_rd, strict=True):
            note = interval_note(
                row["estimate"],
                row["ci_low"],
                row["ci_high"],
                row["p_value"],
                null=0.0 if rd else 1.0,
            )
            if note and note not in gap_notes:
                gap_notes.append(note)
        blocks.append(
            TableBlock(
                f"{name}_gaps",
                f"{what}: gaps, {_people(res.reference)} as the comparison group (risk "
                "difference, risk ratio, odds ratio), with the smallest detectable risk "
                "difference",
                table_e,
                digits=3,
                notes=tuple(gap_notes),
                point_columns=("estimate", "ci_low", "ci_high", "detectable_difference"),
                point_rows=tuple(i for i, rd in zip(table_e.index, is_rd, strict=True) if rd),
                technical=True,
            )
        )
    if finding:
        blocks += _finding_blocks(ctx, name)
    test = res.test
    if test is not None and len(test) and len(released) > 2:
        t = test.iloc[0]
        if pd.notna(t.get("p_value", np.nan)):
            reason = t.get("reason", "")
            blocks.append(
                Paragraph(
                    f"Overall test across the groups shown: {t['method']}, {p_text(t['p_value'])}"
                    + (f" ({reason})" if isinstance(reason, str) and reason else "")
                    + ".",
                    kind="note",
                )
            )
    if strata is not None:
        basis = ctx.gate.basis(
            f"{name}_strata",
            frame.dropna(subset=[outcome, strata]),
            [strata, ctx.by],
            outcome,
            what=f"{what}: pooled over {strata}",
        )
        if basis.ok:
            pooled_frame = basis.expand([strata, ctx.by], outcome)
            pooled_frame = pooled_frame.assign(**{outcome: pooled_frame[outcome].astype(bool)})
            pres = ctx.cached(
                compare_rates,
                pooled_frame,
                outcome,
                by=ctx.by,
                reference=ref,
                strata=strata,
                rng=ctx.options.seed,
            )
            res = pres
        else:
            res = None
            blocks.append(
                Paragraph(f"Estimate pooled over {strata}s withheld: {basis.reason}.", kind="note")
            )
    if res is not None:
        blocks += [Paragraph(w, kind="warning") for w in ctx.notes(res.warnings, name)]
    return blocks, res, ok


def _key(index: pd.Index, label: Any) -> Any:
    """``label`` as it appears in ``index`` (matching by string)."""
    for item in index:
        if str(item) == str(label):
            return item
    raise KeyError(label)


# ---------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------


def _withheld_section(ctx: ReportContext, sid: str, title: str) -> Section:
    return Section(
        sid,
        title,
        unavailable=(
            f"Not shown: no two {ctx.by} groups are large enough to publish separately under the "
            f"'{ctx.policy.name}' disclosure policy (each needs at least "
            f"{ctx.options.min_group_size or 2 * ctx.policy.threshold} participants). An internal "
            "report (--privacy internal) shows them, and must not leave the course team."
        ),
    )


def _whole_cohort_section(
    ctx: ReportContext, sid: str, title: str, variables: Sequence[str]
) -> Section:
    """No breakdown can be shown: the variables' counts for the whole cohort, through the
    gate (everything that can be said safely about a cohort this small)."""
    d = ctx.all_data.assign(_all="all participants")
    variables = [v for v in variables if v in d and d[v].notna().any()]
    if not variables:
        return _withheld_section(ctx, sid, title)
    d = d.assign(**{v: _yes_no(d[v]) for v in variables})
    tables = ctx.protect([(f"{sid}_{v}", v, "_all", None) for v in variables], data=d)
    blocks: list[Block] = [
        Paragraph(_withheld_section(ctx, sid, title).unavailable or "", kind="note"),
        Paragraph("Counts for the whole cohort:", kind="text"),
    ]
    for v in variables:
        blocks.append(
            ctx.count_block(f"{sid}_{v}", v.replace("_", " ").capitalize(), tables[f"{sid}_{v}"])
        )
    return Section(sid, title, tuple(blocks))


def overview_section(ctx: ReportContext) -> Section:
    ctx.step("analysing: cohort overview")
    title = "Cohort overview"
    d = ctx.data
    blocks: list[Block] = []
    if ctx.breakdown_ok and (ctx.not_shown or ctx.merged):
        parts = []
        if ctx.merged:
            parts.append(
                f"{ctx.by} categories with few participants ({', '.join(_label(m) for m in ctx.merged)}) "
                f"are shown together as '{_label(OTHER_GROUP)}'"
            )
        if ctx.not_shown:
            parts.append(
                f"participants in {ctx.by} categories too small to show, even together, are left "
                "out of every table, chart and count of the report"
            )
        blocks.append(Paragraph("To protect small groups, " + "; ".join(parts) + ".", kind="note"))
    by = ctx.by
    if not ctx.breakdown_ok:
        # no breakdown can be shown: counts for the whole cohort only
        blocks.append(
            Paragraph(_withheld_section(ctx, "overview", title).unavailable or "", kind="note")
        )
        d = ctx.all_data.assign(_all="all participants")
        by = "_all"
    d = d.assign(cohort=d["cohort"].astype(str) if "cohort" in d else "all")
    # with a breakdown, securing a mentor is the next section's table (publishing the same
    # counts twice would only let one copy's suppression be undone by the other)
    candidates = ("employment", "participant_level", "goals_defined") + (
        () if by == ctx.by else ("mentor_secured",)
    )
    variables = [v for v in candidates if v in d.columns and d[v].notna().any()]
    d = d.assign(**{v: _yes_no(d[v]).fillna("missing") for v in variables})
    specs: list[tuple[str, Any, Any, str | None]] = [("participants", "cohort", by, None)]
    specs += [(f"overview_{v}", v, by, None) for v in variables]
    tables = ctx.protect(specs, data=d)
    suffix = f" by {ctx.by}" if by == ctx.by else ""
    blocks.append(
        ctx.count_block("participants", f"Participants by cohort{suffix}", tables["participants"])
    )
    for v in variables:
        block = ctx.count_block(f"overview_{v}", f"{what_of(v)}{suffix}", tables[f"overview_{v}"])
        if v == "participant_level":
            frame = block.frame.rename(index=_level_label)
            mask = block.suppressed_mask().rename(index=_level_label)
            block = TableBlock(
                block.name, block.caption, frame, suppressed=mask, notes=block.notes, digits=0
            )
        blocks.append(block)
    return Section(
        "overview",
        title,
        tuple(blocks),
        intro="Who took part. "
        + (
            "Internal report: every count is shown, however small."
            if ctx.internal
            else "Counts below the disclosure threshold are suppressed, together with enough "
            "other cells that they cannot be recovered from totals."
        ),
    )


def securing_section(ctx: ReportContext) -> Section:
    title = "Securing a mentor"
    if _missing(ctx, ["mentor_secured"]):
        return _unavailable("securing", title, ["mentor_secured"])
    if not ctx.breakdown_ok:
        return _withheld_section(ctx, "securing", title)
    ctx.step("analysing: securing a mentor")
    blocks, _, ok = _rate_comparison(
        ctx, "mentor_secured", what_of("mentor_secured"), name="secured"
    )
    # a group whose count with a mentor is withheld is left out of the mentor sections
    ctx.hidden_secured = tuple(g for g in ok.index if not ok[g])
    d = _with_mentor(ctx)
    if ctx.hidden_secured:
        blocks.append(_hidden_note(ctx))
    if d[ctx.by].nunique() < 2:
        return Section("securing", title, tuple(blocks))
    if "days_to_secure" in d and d["days_to_secure"].notna().any():
        blocks += _continuous_blocks(ctx, d, "days_to_secure", what_of("days_to_secure"))
    if not _missing(ctx, ["mentors_approached", "refusals"]):
        blocks += _magnitude_blocks(ctx, d)
    return Section("securing", title, tuple(blocks))


#: The lowest value each summarised variable can take (dominance is measured from it).
FLOORS: dict[str, float] = {
    "seniority_gap": -5.0,
    "career_satisfaction": 1.0,
    "participant_level": 1.0,
    "mentor_level": 1.0,
}
#: Variables with few possible values: their means enter the joint audit as relations
#: between the counts of each value.
LEVELS: dict[str, list[float]] = {
    "reach": [0.0, 1 / 3, 2 / 3, 1.0],
    "distance": [0.0, 0.25, 0.5, 0.75, 1.0],
    "initiation": [0.0, 1 / 3, 2 / 3, 1.0],
    "seniority_gap": [float(k) for k in range(-5, 6)],
}
_SUMMARY_STAT = {
    "n": "n",
    "mean": "mean",
    "sd": "sd",
    # a t interval gives the SD back (half-width * sqrt(n) / t): it goes with the SD
    "ci_low": "sd",
    "ci_high": "sd",
    "median": "median",
    "q1": "q1",
    "q3": "q3",
}


def _released_summaries(
    ctx: ReportContext, d: pd.DataFrame, variable: str, groups: Sequence[str]
) -> dict[str, dict[str, str]]:
    """Per group, the gate's decision on each summary of ``variable`` ("" = released)."""
    out = {}
    by = d[ctx.by].astype(str)
    for g in groups:
        values = d.loc[by == g, variable].astype(float)
        out[g] = ctx.gate.summary(
            f"{variable}:{g}",
            values,
            floor=FLOORS.get(variable, 0.0),
            levels=LEVELS.get(variable),
        )
    return out


def _magnitude_blocks(ctx: ReportContext, d: pd.DataFrame) -> list[Block]:
    """Approaches and refusals per group: sums are magnitudes, released by the gate's
    dominance rules (a sum of 1 is one person's refusal)."""
    sub = d.dropna(subset=["mentors_approached", "refusals"])
    rows, masks = {}, {}
    for g, part in sub.groupby(sub[ctx.by].astype(str), observed=True):
        if not len(part):
            continue
        n = ctx.gate.counts(f"approaches_n:{g}", {"n": pd.Series(True, index=part.index)})["n"]
        row: dict[str, float] = {"participants": np.nan if n is None else float(n)}
        for v in ("mentors_approached", "refusals"):
            why = ctx.gate.summary(f"{v}_sum:{g}", part[v].astype(float), quantiles=False)
            row[v] = np.nan if why["mean"] else float(part[v].sum())
        ok = not (np.isnan(row["refusals"]) or np.isnan(row["mentors_approached"]))
        row["refusals_per_approach"] = (
            row["refusals"] / row["mentors_approached"]
            if ok and row["mentors_approached"] > 0
            else np.nan
        )
        rows[_label(g)] = row
        masks[_label(g)] = {k: bool(np.isnan(x)) for k, x in row.items()}
    if not rows:
        return []
    tab = pd.DataFrame.from_dict(rows, orient="index")
    mask = pd.DataFrame.from_dict(masks, orient="index").reindex_like(tab).fillna(False)
    return [
        TableBlock(
            "approaches_refusals",
            f"Prospective mentors approached and refusals, by {ctx.by} "
            "(participants who secured a mentor)",
            tab,
            suppressed=mask.astype(bool),
            digits=2,
            notes=(
                "Refusals per approach separate willingness to ask from acceptance: a group "
                "that asks more senior strangers meets more refusals.",
                "Sums are withheld when one or two people account for most of them, or the "
                "group is small (dominance and threshold rules).",
            ),
        )
    ]


def _continuous_blocks(
    ctx: ReportContext,
    d: pd.DataFrame,
    variable: str,
    what: str,
    *,
    technical_summary: bool = False,
) -> list[Block]:
    """Group summaries released by the gate (n, mean with CI, SD, median, quartiles; never
    minimum or maximum), and comparisons against the reference group when both groups'
    summaries are released (kept on ``ctx.answers["summary:<variable>"]``)."""
    from ..stats import compare_groups

    present = set(d.loc[d[variable].notna(), ctx.by].astype(str).unique())
    ref = ctx.reference if ctx.reference in present else None
    res = ctx.cached(compare_groups, d, variable, by=ctx.by, reference=ref, rng=ctx.options.seed)
    tables = res.tables()
    groups = tables["groups"]
    groups = groups.set_index("group") if "group" in groups.columns else groups.copy()
    groups.index = [str(g) for g in groups.index]
    drop = ["min", "max"] + ([] if ctx.internal else ["n_missing"])
    groups = groups.drop(columns=[c for c in drop if c in groups])
    decisions = _released_summaries(ctx, d, variable, list(groups.index))
    mask = pd.DataFrame(False, index=groups.index, columns=groups.columns)
    reasons: set[str] = set()
    for g in groups.index:
        for col in groups.columns:
            why = decisions[g].get(_SUMMARY_STAT.get(col, col), "")
            if why:
                mask.loc[g, col] = True
                groups.loc[g, col] = np.nan
                reasons.add(why)
    summary_ok = {g: not decisions[g]["mean"] for g in groups.index}
    released = groups[[c for c in ("n", "mean", "ci_low", "ci_high") if c in groups]].copy()
    ctx.summaries[variable] = released.rename_axis("group")
    answer: dict[str, Any] = {"what": what, "groups": released.copy(), "comparisons": None}
    ctx.answers[f"summary:{variable}"] = answer
    groups.index = [_label(g) for g in groups.index]
    mask.index = groups.index
    notes = ["Minimum and maximum are never published."]
    notes += sorted(f"Withheld: {r}." for r in reasons)
    blocks: list[Block] = [
        TableBlock(
            f"{variable}_summary",
            f"{what}{denominator(variable)}: by {ctx.by}",
            groups,
            suppressed=mask,
            digits=2,
            notes=tuple(notes),
            technical=technical_summary,
        )
    ]
    comp = tables.get("comparisons") if ref is not None else None
    few = variable in LEVELS and not ctx.internal
    dist_ok = True
    if few and comp is not None and len(comp):
        dist_ok = ctx.gate.basis(
            f"{variable}_distribution",
            d.dropna(subset=[variable]),
            ctx.by,
            variable,
            groups=None,
            what=f"{what}: comparisons",
        ).ok
    if comp is not None and len(comp):
        comp = comp.copy()
        released = [
            dist_ok and summary_ok.get(str(g), False) and summary_ok.get(str(r), False)
            for g, r in zip(comp["group"], comp["reference"], strict=True)
        ]
        comp = comp[released]
        answer["comparisons"] = comp.reset_index(drop=True)
        comp.index = [
            f"{_label(g)} vs {_label(r)}: {m.replace('_', ' ')}"
            for g, r, m in zip(comp["group"], comp["reference"], comp["measure"], strict=True)
        ]
        keep = [
            c
            for c in ("estimate", "ci_low", "ci_high", "p_value", "method", "detectable_difference")
            if c in comp
        ]
        if len(comp):
            comp_notes: list[str] = []
            for _, row in comp.iterrows():
                note = interval_note(row["estimate"], row["ci_low"], row["ci_high"], row["p_value"])
                if note and note not in comp_notes:
                    comp_notes.append(note)
            blocks.append(
                TableBlock(
                    f"{variable}_comparison",
                    f"{what}: differences between groups, {_people(ref)} as the comparison "
                    "group (four effect sizes)",
                    comp[keep],
                    digits=3,
                    notes=tuple(comp_notes),
                    technical=True,
                )
            )
        if not all(released):
            blocks.append(
                Paragraph(
                    f"{what}: comparisons withheld where a group's summary is withheld"
                    + (" or a value is held by few people." if not dist_ok else "."),
                    kind="note",
                )
            )
    blocks += [Paragraph(n, kind="note") for n in ctx.notes(res.notes, variable) if _keep_note(n)]
    return blocks


def boldness_section(ctx: ReportContext) -> Section:
    title = "How bold were mentor choices, by gender"
    if _missing(ctx, ["mentor_secured"]) or (
        _missing(ctx, ["mentor_relation"]) and _missing(ctx, ["mentor_in_network"])
    ):
        return _unavailable(
            "boldness",
            title,
            ["mentor_relation", "mentor_level", "approach"],
            "who the mentor was and how they were approached",
        )
    if not ctx.breakdown_ok:
        return _whole_cohort_section(
            ctx, "boldness", title, ["mentor_relation", "approach", "bold_choice"]
        )
    ctx.step("analysing: boldness of mentor choices")
    from .. import plot

    d = _with_mentor(ctx)
    if d[ctx.by].nunique() < 2:
        if ctx.hidden_secured:
            return Section("boldness", title, unavailable=_hidden_note(ctx).text)
        return _withheld_section(ctx, "boldness", title)
    blocks: list[Block] = [_hidden_note(ctx)] if ctx.hidden_secured else []
    blocks += [
        Paragraph(
            "Only participants who secured a mentor are counted here. Boldness has three parts: "
            "reach (how far up the mentor sits), distance (how far outside the existing network) "
            "and initiation (how cold the approach was); a 'bold choice' is a mentor at least two "
            "levels up and outside the network.",
            kind="note",
        )
    ]
    cats = [v for v in ("mentor_relation", "approach") if v in d and d[v].notna().any()]
    binaries = [v for v in ("outside_network", "bold_choice") if v in d and d[v].notna().any()]
    d = d.assign(**{v: _binary(d, v) for v in binaries})
    # the choice tables count the choices recorded (a 'missing' row of a few people would
    # force suppression across every table of the people with a mentor)
    tables = {
        f"{v}_counts": ctx.protect(
            [(f"{v}_counts", v, ctx.by, "columns")], data=d.dropna(subset=[v])
        )[f"{v}_counts"]
        for v in cats
    }
    for v in binaries:
        tables.update(ctx.protect([(v, ctx.by, v, "rows")], data=d.dropna(subset=[v])))
    for var in cats:
        block = ctx.count_block(
            f"{var}_counts",
            f"{what_of(var)} by {ctx.by}{denominator(var)}",
            tables[f"{var}_counts"],
        )
        blocks.append(block)
        _append_figure(
            ctx,
            blocks,
            f"{var}_by_{ctx.by}",
            f"{what_of(var)} by {ctx.by}: share of each group with a mentor "
            "(100% stacked) from the released counts; withheld cells are not drawn, and a "
            "bar with withheld cells says so.",
            functools.partial(_draw_choice, _released_counts(tables[f"{var}_counts"]), var, ctx.by),
        )
    strata = "cohort" if _n_cohorts(ctx) > 1 else None
    bold_at = None
    for v in binaries:
        more, res, _ = _rate_comparison(
            ctx,
            v,
            what_of(v),
            d,
            name=v,
            strata=strata,
            table=tables[v],
            finding=v != "bold_choice",
        )
        blocks += more
        if v == "bold_choice":
            bold_at = len(blocks)
        blocks += _pooled_blocks(ctx, res, v, what_of(v).lower())
    index_at = None
    for var in ("seniority_gap", "boldness_index", "reach", "distance", "initiation"):
        if var in d and d[var].notna().any():
            blocks += _continuous_blocks(
                ctx, d, var, what_of(var), technical_summary=var != "boldness_index"
            )
            if var == "boldness_index":
                index_at = len(blocks)
    # the boldness family (question 1): bold choice and the boldness index, adjusted
    # together (Holm), so the sentences here and on the first page agree
    family = boldness_family(ctx)
    table = _family_table(ctx, family)
    if table is not None:
        blocks.append(table)
    if index_at is not None:
        blocks[index_at:index_at] = _index_sentences(ctx, family)
    if bold_at is not None:
        blocks[bold_at:bold_at] = _finding_blocks(
            ctx, "bold_choice", adjusted=family["bold_choice"], family=family["name"]
        )
    if "seniority_gap" in d and d["seniority_gap"].notna().any():
        if ctx.internal:
            _append_figure(
                ctx,
                blocks,
                "seniority_reach",
                "Seniority gap between mentor and participant, by gender: each dot a "
                "participant, over a box of the middle half (internal report only).",
                functools.partial(plot.plot_seniority_reach, d, by=ctx.by, individual=True),
            )
            _append_figure(
                ctx,
                blocks,
                "boldness_components",
                "Boldness index and its three components by gender, each dot a participant "
                "(internal report only).",
                functools.partial(plot.plot_boldness_panels, d, by=ctx.by, individual=True),
            )
        else:
            gap = ctx.summaries.get("seniority_gap")
            if gap is not None:
                _append_figure(
                    ctx,
                    blocks,
                    "seniority_reach",
                    "Seniority gap between mentor and participant, by gender: released means "
                    "with 95% intervals (withheld groups are marked).",
                    functools.partial(plot.plot_group_summary, gap.copy(), by=ctx.by),
                )
            parts = [
                ctx.summaries[v].reset_index().assign(variable=v)
                for v in ("boldness_index", "reach", "distance", "initiation")
                if v in ctx.summaries
            ]
            if parts:
                long = pd.concat(parts, ignore_index=True).set_index("group")
                _append_figure(
                    ctx,
                    blocks,
                    "boldness_components",
                    "Boldness index and its three components by gender: released means with "
                    "95% intervals (withheld groups are marked).",
                    functools.partial(plot.plot_group_summary, long, by=ctx.by),
                )
    return Section("boldness", title, tuple(blocks))


def boldness_family(ctx: ReportContext) -> dict[str, Any]:
    """Question 1's family: the bold-choice gap (Fisher's exact test) and the boldness
    index gap (Mann-Whitney, the index being ordinal) of a group against the reference,
    Holm-adjusted together (one family per group, so the women-versus-men answer is the
    same whichever other groups a report shows).  Built from released results only;
    kept on ``ctx.answers["family:boldness"]``."""
    from ..stats import adjust_pvalues

    keys: list[tuple[str, str]] = []
    raw: list[float] = []
    info = ctx.answers.get("bold_choice")
    if info is not None and info["res"] is not None:
        eff = info["res"].effects
        for _, row in eff[eff["measure"] == "risk_difference"].iterrows():
            keys.append(("bold_choice", str(row["group"])))
            raw.append(float(row["p_value"]))
    summ = ctx.answers.get("summary:boldness_index")
    comp = None if summ is None else summ["comparisons"]
    if comp is not None and len(comp):
        for _, row in comp[comp["measure"] == "cliffs_delta"].iterrows():
            keys.append(("boldness_index", str(row["group"])))
            raw.append(float(row["p_value"]))
    out: dict[str, Any] = {"bold_choice": {}, "boldness_index": {}}
    sizes = {g: sum(1 for _, h in keys if h == g) for _, g in keys}
    for group in sizes:
        idx = [k for k, (_, g) in enumerate(keys) if g == group]
        if len(idx) < 2:
            continue  # a family of one: nothing to adjust
        adjusted = adjust_pvalues(np.array([raw[k] for k in idx], dtype=float), method="holm")
        for k, p in zip(idx, adjusted, strict=True):
            out[keys[k][0]][group] = float(p)
    out["m"] = max(sizes.values(), default=0)
    out["name"] = "the 2 boldness measures (bold choice and boldness index)"
    ctx.answers["family:boldness"] = out
    return out


def _family_table(ctx: ReportContext, family: dict[str, Any]) -> TableBlock | None:
    """The boldness family's p-values, raw and Holm-adjusted (the first page words
    question 1 by the adjusted ones)."""
    rows = {}
    info = ctx.answers.get("bold_choice")
    if info is not None and info["res"] is not None:
        eff = info["res"].effects
        for _, r in eff[eff["measure"] == "risk_difference"].iterrows():
            g = str(r["group"])
            rows[f"{what_of('bold_choice')}: {_label(g)} vs {_label(r['reference'])}"] = {
                "p_value": r["p_value"],
                "p_value_holm": family["bold_choice"].get(g, r["p_value"]),
                "method": "Fisher's exact test (risk difference)",
            }
    summ = ctx.answers.get("summary:boldness_index")
    comp = None if summ is None else summ["comparisons"]
    if comp is not None:
        for _, r in comp[comp["measure"] == "cliffs_delta"].iterrows():
            g = str(r["group"])
            rows[f"{what_of('boldness_index')}: {_label(g)} vs {_label(r['reference'])}"] = {
                "p_value": r["p_value"],
                "p_value_holm": family["boldness_index"].get(g, r["p_value"]),
                "method": "Mann-Whitney test (the index is ordinal)",
            }
    if not rows:
        return None
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "comparison"
    return TableBlock(
        "boldness_multiplicity",
        "Question 1's family: the two measures of boldness compared at once, with p-values "
        "adjusted for it (Holm, within each group)",
        frame,
        digits=3,
        technical=True,
    )


def _index_sentences(ctx: ReportContext, family: dict[str, Any]) -> list[Block]:
    """The boldness index gap in words: released means, the rank test's p-value and its
    adjusted value in the boldness family."""
    summ = ctx.answers.get("summary:boldness_index")
    if summ is None or summ["comparisons"] is None:
        return []
    comp, groups = summ["comparisons"], summ["groups"]
    blocks: list[Block] = []
    for _, row in comp[comp["measure"] == "cliffs_delta"].iterrows():
        g, r = str(row["group"]), str(row["reference"])
        m_g, m_r = groups.loc[g, "mean"], groups.loc[r, "mean"]
        if pd.isna(m_g) or pd.isna(m_r):
            continue
        adj = family["boldness_index"].get(g)
        level = strength(adj if adj is not None else row["p_value"])
        lead = {
            "evidence": "Evidence of a difference.",
            "weak": "Weak evidence of a difference.",
        }.get(level, "No clear difference.")
        ptxt = p_text(row["p_value"])
        if adj is not None:
            ptxt += f", or {adj:.3f} allowing for {family['name']} (Holm)"
        text = (
            f"{lead} Boldness index (0 safest to 1 boldest) of those with a mentor: mean "
            f"{m_g:.2f} for {_people(g)} vs {m_r:.2f} for {_people(r)} (Mann-Whitney test, "
            f"the index being ordinal: {ptxt})."
        )
        blocks.append(ctx.add_finding(Finding(what_of("boldness_index"), text, level, adj)))
    return blocks


def _n_cohorts(ctx: ReportContext) -> int:
    return int(ctx.all_data["cohort"].nunique()) if "cohort" in ctx.all_data else 1


def _all_groups_publishable(ctx: ReportContext, d: pd.DataFrame) -> bool:
    if ctx.internal:
        return True
    sizes = d[ctx.by].value_counts()
    sizes = sizes[sizes > 0]
    return bool((sizes >= ctx.policy.threshold).all())


def _released_counts(table: Any) -> pd.DataFrame:
    """A protected category x group table as released counts for a chart: withheld cells
    NaN, without the 'missing' row and the margins (shares are then of the released
    cells only, and the chart marks a bar that has withheld cells)."""
    pub = table.published.where(~table.suppressed.astype(bool)).astype(float)
    rows = [r for r in pub.index if str(r) not in ("Total", "missing")]
    cols = [c for c in pub.columns if str(c) != "Total"]
    out = pub.loc[rows, cols]
    out.columns = [str(c) for c in cols]
    return out


def _draw_choice(counts: pd.DataFrame, variable: str, by: str) -> Any:
    from .. import plot

    return plot.plot_mentor_choice(counts=counts, variable=variable, by=by)


def _hidden_note(ctx: ReportContext) -> Paragraph:
    names = ", ".join(_people(g) for g in ctx.hidden_secured)
    return Paragraph(
        f"Not shown here: {names}, because how many of them secured a mentor is withheld "
        "above (a small count) and would otherwise be readable from these tables.",
        kind="note",
    )


def _with_mentor(ctx: ReportContext) -> pd.DataFrame:
    """Participants with a mentor, less the groups whose count with a mentor is withheld."""
    d = ctx.data[ctx.data["mentor_secured"].fillna(False).astype(bool)]
    if ctx.hidden_secured and not ctx.internal:
        d = d[~d[ctx.by].astype(str).isin(ctx.hidden_secured)]
    return d


def _cells_released(
    ctx: ReportContext, name: str, d: pd.DataFrame, outcome: str, what: str
) -> pd.DataFrame | None:
    """The group x bold choice x outcome cells through the gate: None when withheld, else
    one row per counted participant (rounded counts under rounding policies), which is all
    a model, a mediation or a decomposition with these three variables is computed from."""
    basis = ctx.gate.basis(name, d, [ctx.by, "bold_choice"], outcome, what=what)
    if not basis.ok:
        ctx.answers[f"basis:{name}"] = basis.reason
        return None
    out = basis.expand([ctx.by, "bold_choice"], outcome)
    present = set(out[ctx.by].astype(str).unique())
    order = [g for g in ctx.groups if g in present]
    return out.assign(
        **{
            ctx.by: pd.Categorical(out[ctx.by].astype(str), categories=order),
            "bold_choice": out["bold_choice"].astype(bool),
            outcome: out[outcome].astype(bool),
        }
    )


def _pooled_blocks(ctx: ReportContext, res: Any, outcome: str, what: str) -> list[Block]:
    pooled = getattr(res, "pooled", None)
    if pooled is None or not len(pooled):
        return []
    table = pooled.copy()
    keep = [
        c
        for c in (
            "group",
            "reference",
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "homogeneity_p_value",
            "n_strata_used",
            "method",
        )
        if c in table
    ]
    table = table[keep]
    if "group" in table:
        table.index = [
            f"{_label(g)} vs {_label(r)}"
            for g, r in zip(table["group"], table.get("reference", table["group"]), strict=True)
        ]
        table = table.drop(columns=[c for c in ("group", "reference") if c in table])
    blocks: list[Block] = [
        TableBlock(
            f"{outcome}_pooled",
            f"{what.capitalize()}: odds ratio pooled over cohorts "
            "(Mantel-Haenszel), with the Breslow-Day test of whether cohorts differ",
            table,
            digits=3,
            technical=True,
        )
    ]
    if "note" in pooled:
        notes = [str(n) for n in pooled["note"].dropna().unique() if n]
        blocks += [Paragraph(n, kind="note") for n in ctx.notes(notes, f"{outcome}_pooled")]
    return blocks


def outcomes_section(ctx: ReportContext) -> Section:
    title = "Outcomes by gender"
    if not ctx.outcomes:
        return _unavailable(
            "outcomes", title, list(schema.OUTCOMES), "at least one career or relationship outcome"
        )
    if not ctx.breakdown_ok:
        return _whole_cohort_section(ctx, "outcomes", title, list(ctx.outcomes))
    ctx.step("analysing: outcomes")
    from .. import plot

    d = ctx.data.assign(**{o: _binary(ctx.data, o) for o in ctx.outcomes})
    # each outcome over the people it was recorded for (n = those answered), so that no
    # 'missing' column of a few people forces suppression across the other tables
    tables = {
        o: ctx.protect([(o, ctx.by, o, "rows")], data=d.dropna(subset=[o]))[o] for o in ctx.outcomes
    }
    per_outcome: dict[str, list[Block]] = {}
    hidden: dict[str, pd.Series] = {}
    released: list[pd.DataFrame] = []
    for outcome in ctx.outcomes:
        more, _, ok = _rate_comparison(
            ctx, outcome, what_of(outcome), d, name=outcome, table=tables[outcome], finding=False
        )
        per_outcome[outcome] = more
        hidden[outcome] = ~ok
        groups = [g for g in ok.index if ok[g]]
        released.append(released_frame(tables[outcome], groups, ctx.by, outcome))
    # the outcome family (question 2): every outcome's gap against the reference,
    # Holm-adjusted together; every sentence is worded by its adjusted p-value
    rd = outcome_family(ctx)
    m = int(rd["family_size"].max()) if len(rd) else 0
    fam = f"the {m} outcomes compared" if m > 1 else ""
    blocks: list[Block] = []
    for outcome in ctx.outcomes:
        part = rd[(rd["outcome"] == outcome) & (rd["family_size"] > 1)]
        adjusted = {
            str(g): float(p) for g, p in zip(part["group"], part["p_value_holm"], strict=True)
        }
        blocks += per_outcome[outcome]
        blocks += _finding_blocks(ctx, outcome, adjusted=adjusted or None, family=fam)
    if not len(rd):
        return Section("outcomes", title, tuple(blocks))
    if m > 1:
        table = rd[
            ["estimate", "ci_low", "ci_high", "p_value", "p_value_holm", "p_value_bh"]
        ].copy()
        table.index = [
            f"{what_of(o)}: {_label(g)} vs {_label(r)}"
            for o, g, r in zip(rd["outcome"], rd["group"], rd["reference"], strict=True)
        ]
        blocks.append(
            TableBlock(
                "outcome_multiplicity",
                "Several outcomes compared at once: gaps (percentage points) with p-values "
                "adjusted for multiple comparisons (Holm; Benjamini-Hochberg)",
                table,
                digits=3,
                point_columns=("estimate", "ci_low", "ci_high"),
                notes=(
                    "With many comparisons, about one in twenty gaps looks 'significant' by "
                    "chance alone; the sentences of this report are worded by the Holm-adjusted "
                    "p-values. The 95% intervals are not adjusted.",
                ),
                technical=True,
            )
        )
    present = {str(g) for r in released for g in r[ctx.by].unique()}
    order = [g for g in ctx.groups if g in present]
    chart = pd.concat(
        [
            r.assign(**{ctx.by: pd.Categorical(r[ctx.by].astype(object), categories=order)})
            for r in released
        ],
        ignore_index=True,
    )
    for o in ctx.outcomes:
        chart[o] = (
            chart[o].astype("boolean") if o in chart else pd.array([pd.NA] * len(chart), "boolean")
        )
    _append_figure(
        ctx,
        blocks,
        "outcome_rates",
        "Outcome rates by gender with 95% Wilson intervals; events/n on the right (released "
        "counts; outcomes about the mentor count those with a mentor).",
        functools.partial(
            plot.plot_outcome_rates, chart, ctx.outcomes, by=ctx.by, suppressed=hidden
        ),
    )
    forest = rd.assign(
        label=[
            f"{what_of(o)}: {_label(g)} vs {_label(r)}"
            for o, g, r in zip(rd["outcome"], rd["group"], rd["reference"], strict=True)
        ]
    )
    _append_figure(
        ctx,
        blocks,
        "outcome_gaps",
        "Gaps in outcome rates (risk difference, percentage points) with 95% Newcombe "
        "intervals; the line at 0 means no gap.",
        functools.partial(plot.plot_forest, forest.set_index("label"), measure="risk_difference"),
    )
    return Section("outcomes", title, tuple(blocks))


def outcome_family(ctx: ReportContext) -> pd.DataFrame:
    """Question 2's family: the risk difference of every released outcome of a group
    against the reference, with Holm and Benjamini-Hochberg adjusted p-values within
    the group's family (one family per group: the women-versus-men answer does not
    depend on which other groups a report shows); columns ``outcome, group, reference,
    estimate, ci_low, ci_high, p_value, p_value_holm, p_value_bh, family_size``; kept on
    ``ctx.answers["family:outcomes"]``."""
    from ..stats import adjust_pvalues

    rows = []
    for outcome in ctx.outcomes:
        info = ctx.answers.get(outcome)
        if info is None or info["res"] is None:
            continue
        eff = info["res"].effects
        for _, r in eff[eff["measure"] == "risk_difference"].iterrows():
            rows.append({**r.to_dict(), "outcome": outcome})
    columns = ["outcome", "group", "reference", "estimate", "ci_low", "ci_high", "p_value"]
    rd = pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)
    rd = rd[columns].reset_index(drop=True)
    rd["p_value_holm"] = np.nan
    rd["p_value_bh"] = np.nan
    rd["family_size"] = 0
    for _, idx in rd.groupby(rd["group"].astype(str), sort=False).groups.items():
        p = rd.loc[idx, "p_value"].to_numpy(dtype=float)
        rd.loc[idx, "p_value_holm"] = adjust_pvalues(p, method="holm")
        rd.loc[idx, "p_value_bh"] = adjust_pvalues(p, method="fdr_bh")
        rd.loc[idx, "family_size"] = len(p)
    ctx.answers["family:outcomes"] = rd
    return rd


def payoff_section(ctx: ReportContext) -> Section:
    title = "Did boldness pay off, and for whom"
    outcome = (
        "promoted" if "promoted" in ctx.outcomes else (ctx.outcomes[0] if ctx.outcomes else None)
    )
    if outcome is None or _missing(ctx, ["bold_choice"]):
        return _unavailable(
            "payoff", title, ["bold_choice", "promoted"], "a boldness measure and an outcome"
        )
    if not ctx.breakdown_ok:
        return _withheld_section(ctx, "payoff", title)
    ctx.step("analysing: did boldness pay off")
    from .. import plot
    from ..stats import adjust_pvalues, compare_rates, outcome_model, proportion_ci
    from .answers import payoff_sentence

    d = ctx.data.dropna(subset=["bold_choice", outcome])
    d = d.assign(bold_choice=d["bold_choice"].astype(bool), **{outcome: _binary(d, outcome)})
    blocks: list[Block] = []
    answer: dict[str, Any] = {"outcome": outcome, "withheld": None}
    ctx.answers["payoff"] = answer
    released = _cells_released(ctx, "payoff_cells", d, outcome, "Did boldness pay off")
    if released is None:
        answer["withheld"] = ctx.answers.get("basis:payoff_cells", "")
        blocks.append(Paragraph(payoff_sentence(ctx), kind="finding"))
        return Section("payoff", title, tuple(blocks))
    d = released
    d = d[d[ctx.by].isin(d[ctx.by].value_counts()[lambda s: s >= 2].index)]
    # the rates by mentor choice within each group, and the payoff gap in each group:
    # all from the released cells (question 3's family: one gap per group, Holm)
    present = set(d[ctx.by].astype(str).unique())
    groups = [g for g in ctx.groups if g in present]
    cells, gaps = [], []
    for g in groups:
        sub = d[d[ctx.by].astype(str) == g]
        for choice in (True, False):
            part = sub[sub["bold_choice"] == choice]
            n, k = len(part), int(part[outcome].sum())
            lo, hi = proportion_ci(k, n) if n else (np.nan, np.nan)
            cells.append(
                {
                    "group": g,
                    "bold_choice": choice,
                    "n": n,
                    "events": k,
                    "rate": k / n if n else np.nan,
                    "ci_low": lo,
                    "ci_high": hi,
                }
            )
        if sub["bold_choice"].nunique() == 2:
            res_g = ctx.cached(
                compare_rates,
                sub[["bold_choice", outcome]].reset_index(drop=True),
                outcome,
                by="bold_choice",
                reference=False,
                rng=ctx.options.seed,
            )
            rd = res_g.effects[res_g.effects["measure"] == "risk_difference"].iloc[0]
            gaps.append(
                {
                    "group": g,
                    "estimate": rd["estimate"],
                    "ci_low": rd["ci_low"],
                    "ci_high": rd["ci_high"],
                    "p_value": rd["p_value"],
                }
            )
    cells_f = pd.DataFrame(cells)
    gaps_f = pd.DataFrame(gaps, columns=["group", "estimate", "ci_low", "ci_high", "p_value"])
    p = gaps_f["p_value"].to_numpy(dtype=float)
    gaps_f["p_value_holm"] = adjust_pvalues(p, method="holm") if len(p) > 1 else p
    answer.update(cells=cells_f, gaps=gaps_f, interaction={}, family=len(gaps_f))
    shown = cells_f.set_index(
        pd.Index(
            [
                f"{_label(g)}: {'bold choice' if c else 'other choice'}"
                for g, c in zip(cells_f["group"], cells_f["bold_choice"], strict=True)
            ]
        )
    ).drop(columns=["group", "bold_choice"])
    blocks.append(
        TableBlock(
            "payoff_rates",
            f"{what_of(outcome)} by mentor choice within each {ctx.by} (of those with a mentor; "
            "Wilson 95% CI, from the released counts)",
            shown,
            percent_columns=("rate", "ci_low", "ci_high"),
        )
    )
    try:
        res = ctx.cached(
            outcome_model,
            d,
            outcome,
            [ctx.by, "bold_choice"],
            interaction=(ctx.by, "bold_choice"),
            reference={ctx.by: ctx.reference},
        )
    except MentorAnalyticsError as exc:
        model_block: list[Block] = [Paragraph(f"The model could not be fitted: {exc}", kind="note")]
    else:
        table = res.table.set_index("term") if "term" in res.table else res.table.copy()
        for term in table.index:
            if ":" in str(term):
                for g in groups:
                    if f"[{g}]" in str(term):
                        answer["interaction"][g] = float(table.loc[term, "p_value"])
        table.index = [_term_words(ctx, t) for t in table.index]
        if "measure" in table:
            table["measure"] = table["measure"].astype(str).str.replace("_", " ")
        model_block = [
            TableBlock(
                "payoff_model",
                f"{what_of(outcome)}: {res.method} (odds ratios; the interaction says whether "
                "boldness paid off differently between groups)",
                table,
                digits=3,
                notes=tuple(
                    n
                    # fitted on the released cells only: its notes hold released numbers
                    for n in tuple(res.notes) + tuple(getattr(res, "warnings", ()))
                    if _keep_note(n)
                ),
                technical=True,
            )
        ]
        reason = getattr(res, "reason", "")
        if reason:
            model_block.append(Paragraph(f"Model choice: {reason}", kind="note"))
    blocks.append(Paragraph(payoff_sentence(ctx), kind="finding"))
    if len(gaps_f):
        gt = gaps_f.set_index(pd.Index([_people(g) for g in gaps_f["group"]])).drop(
            columns=["group"]
        )
        blocks.append(
            TableBlock(
                "payoff_gaps",
                f"{what_of(outcome)}: bold choice minus other choice within each {ctx.by} "
                "(percentage points; Fisher's exact test, Holm-adjusted over the groups)",
                gt,
                digits=3,
                point_columns=("estimate", "ci_low", "ci_high"),
                technical=True,
            )
        )
    blocks += model_block
    _append_figure(
        ctx,
        blocks,
        "payoff",
        f"{what_of(outcome)} rate by "
        "bold choice within each gender (of those with a mentor), with 95% Wilson intervals.",
        functools.partial(plot.plot_boldness_payoff, d, outcome, by=ctx.by),
    )
    return Section("payoff", title, tuple(blocks))


def _term_words(ctx: ReportContext, term: Any) -> str:
    """A model term in words: 'gender[woman]:bold_choice' -> 'bold choice x women (interaction)'."""
    t = str(term)
    if t == "intercept":
        return f"baseline odds ({_people(ctx.reference)}, other choice)"
    if t == "bold_choice":
        return f"bold choice vs other ({_people(ctx.reference)})"
    for g in ctx.groups:
        if t == f"{ctx.by}[{g}]":
            return f"{_people(g)} vs {_people(ctx.reference)} (other choice)"
        if ":" in t and f"[{g}]" in t:
            return f"extra payoff of a bold choice for {_people(g)} (interaction)"
    return t.replace("_", " ")


def mediation_section(ctx: ReportContext) -> Section:
    title = "How much of the gender gap runs through boldness"
    outcome = "promoted" if "promoted" in ctx.outcomes else None
    if outcome is None or _missing(ctx, ["bold_choice"]):
        return _unavailable("mediation", title, ["bold_choice", "promoted"])
    if not ctx.breakdown_ok:
        return _withheld_section(ctx, "mediation", title)
    ctx.step("analysing: mediation and decomposition")
    from .. import plot
    from ..stats import decompose_gap, mediation
    from .answers import mediation_sentence

    d = ctx.data.dropna(subset=["bold_choice", outcome])
    # the reference group and the focus group, whatever their sizes: the gap always reads
    # the same way round ("women minus men")
    present = {str(g) for g in d[ctx.by].dropna().unique()}
    ref = ctx.reference if ctx.reference in present else None
    other = ctx.focus if ctx.focus in present else None
    if ref is None or other is None:
        return Section("mediation", title, unavailable="Needs two groups with data.")
    two = [ref, other]
    d = d[d[ctx.by].astype(str).isin(two)]
    d = d.assign(bold_choice=d["bold_choice"].astype(bool), **{outcome: _binary(d, outcome)})
    answer: dict[str, Any] = {
        "outcome": outcome,
        "group": other,
        "reference": ref,
        "withheld": None,
        "table": None,
        "decomposition": None,
    }
    ctx.answers["mediation"] = answer
    released = _cells_released(ctx, "mediation_cells", d, outcome, "Mediation and decomposition")
    if released is None:
        answer["withheld"] = ctx.answers.get("basis:mediation_cells", "")
        return Section("mediation", title, (Paragraph(mediation_sentence(ctx), kind="finding"),))
    d = released
    blocks: list[Block] = []
    exposure = f"{other}_vs_{ref}"
    d = d.assign(
        **{
            exposure: (d[ctx.by] == other).astype(float),
            "bold_choice": d["bold_choice"].astype(float),
            outcome: d[outcome].astype(float),
        }
    )
    try:
        res = ctx.cached(
            mediation,
            d,
            exposure,
            "bold_choice",
            outcome,
            n_sims=ctx.options.n_sims,
            rng=ctx.options.seed,
        )
    except MentorAnalyticsError as exc:
        blocks.append(Paragraph(f"Mediation could not be estimated: {exc}", kind="note"))
    else:
        answer["table"] = res.table.copy()
        med = res.table.copy()
        med.index = [_MEDIATION_ROWS.get(str(i), str(i)) for i in med.index]
        med.index.name = "effect"
        blocks.append(
            TableBlock(
                "mediation",
                f"{what_of(outcome)}: the gap between {_people(other)} and {_people(ref)} "
                f"({_people(other)} minus {_people(ref)}, percentage points), split into the "
                "part through bold choice and the rest (quasi-Bayesian Monte Carlo, Imai, "
                "Keele & Tingley 2010)",
                med,
                digits=3,
                # estimated on the released cells only: its notes hold released numbers
                notes=tuple(n for n in res.notes if _keep_note(n)),
                point_columns=("estimate", "ci_low", "ci_high"),
                percent_rows=(_MEDIATION_ROWS["prop_mediated"],),
                technical=True,
            )
        )
        _append_figure(
            ctx,
            blocks,
            "mediation",
            "Mediation: the indirect path through bold "
            "choice (ACME), the direct path (ADE) and the total effect, with 95% "
            "intervals.",
            functools.partial(
                plot.plot_mediation,
                res,
                labels={
                    "exposure": f"Group\n{_people(other)} vs {_people(ref)}",
                    "mediator": f"Mediator\n{what_of('bold_choice').lower()}",
                    "outcome": f"Outcome\n{what_of(outcome)}",
                },
            ),
        )
    try:
        dec = ctx.cached(
            decompose_gap,
            d,
            outcome,
            by=ctx.by,
            via="bold_choice",
            group=other,
            reference=ref,
            rng=ctx.options.seed,
            n_boot=ctx.options.n_sims,
        )
    except MentorAnalyticsError as exc:
        blocks.append(Paragraph(f"Decomposition not possible: {exc}", kind="note"))
    else:
        frame = dec.to_frame()
        answer["decomposition"] = frame.copy()
        frame.index = [_DECOMPOSITION_ROWS.get(str(i), str(i)) for i in frame.index]
        frame.index.name = "component"
        blocks.append(
            TableBlock(
                "decomposition",
                "Gap decomposition (Kitagawa 1955): the part "
                "of the gap from different shares of bold choices "
                "(composition) and from different returns to them (percentage points)",
                frame,
                digits=3,
                notes=tuple(dec.notes),  # on the released cells only
                point_columns=("estimate", "ci_low", "ci_high"),
                technical=True,
            )
        )
    blocks.insert(0, Paragraph(mediation_sentence(ctx), kind="finding"))
    return Section("mediation", title, tuple(blocks))


#: Mediation and decomposition rows in words (the tidy names stay in the results).
_MEDIATION_ROWS = {
    "acme": "through bold choice (indirect effect, ACME)",
    "ade": "not through bold choice (direct effect, ADE)",
    "total_effect": "whole gap (total effect)",
    "prop_mediated": "share of the gap through bold choice",
}
_DECOMPOSITION_ROWS = {
    "gap": "whole gap",
    "composition": "from different shares of bold choices (composition)",
    "returns": "from different payoffs of bold choices (returns)",
}


def survival_section(ctx: ReportContext) -> Section:
    title = "Time to promotion"
    need = ["promoted", "followup_months", "months_to_promotion"]
    if _missing(ctx, need):
        return _unavailable("time", title, need)
    if not ctx.breakdown_ok:
        return _withheld_section(ctx, "time", title)
    ctx.step("analysing: time to promotion")
    from .. import plot
    from ..stats import kaplan_meier, logrank_test

    if not ctx.internal:
        return Section("time", title, tuple(_released_survival(ctx)))
    blocks: list[Block] = []
    km = ctx.cached(kaplan_meier, ctx.data, by=ctx.by)
    lr = ctx.cached(logrank_test, ctx.data, by=ctx.by)
    blocks.append(
        TableBlock(
            "logrank",
            "Log-rank test of time to promotion by gender",
            lr.to_frame().set_axis(["log-rank"], axis=0),
            digits=3,
            technical=True,
        )
    )
    med = getattr(km, "medians", None)
    if isinstance(med, pd.DataFrame):
        med = med.set_index("group") if "group" in med else med
        med.index = [_label(g) for g in med.index]
        blocks.append(TableBlock("km_median", "Median months to promotion", med, digits=1))
    horizon = float(km.table["time"].max())
    times = [float(t) for t in np.arange(0.0, horizon + 1e-9, 12.0)]
    _append_figure(
        ctx,
        blocks,
        "km",
        "Kaplan-Meier curves by gender with 95% bands; numbers at risk below (internal "
        "report: every step is one or more people).",
        functools.partial(plot.plot_km, km, by=ctx.by, at_risk_times=times, individual=True),
    )
    blocks += [Paragraph(n, kind="note") for n in km.notes]
    return Section("time", title, tuple(blocks))


def _durations(frame: pd.DataFrame) -> pd.DataFrame:
    """Months to promotion, or of follow-up without it, and the promoted flag."""
    promoted = frame["promoted"].astype("boolean")
    months = (
        frame["months_to_promotion"]
        .astype("Float64")
        .where(promoted.fillna(False), frame["followup_months"].astype("Float64"))
    )
    return frame.assign(_months=months.astype(float), _promoted=promoted.astype(float))


def _released_survival(ctx: ReportContext) -> list[Block]:
    """Time to promotion outside internal reports: life tables over six-month bands
    merged until each holds enough promotions (SDC-9), the log-rank test on the banded
    released counts, and the band in which half had been promoted."""
    from .. import plot
    from ..stats import logrank_test

    d = _durations(ctx.data).dropna(subset=["_months", "_promoted"])
    lt = ctx.gate.survival("time_to_promotion", d, duration="_months", event="_promoted", by=ctx.by)
    blocks: list[Block] = [
        Paragraph(
            "Times are grouped into six-month bands, merged until each band holds at least "
            f"{ctx.policy.threshold} promotions and no band loses between 1 and "
            f"{ctx.policy.threshold - 1} people to the end of follow-up, so no step of a "
            "curve is one person's promotion.",
            kind="note",
        )
    ]
    if lt.empty or lt["group"].nunique() < 1:
        blocks.append(Paragraph(_withheld_sentence(ctx, "Time-to-promotion curves"), kind="note"))
        return blocks
    shown = lt.assign(group=[_label(g) for g in lt["group"]]).set_index(["group", "time"])
    blocks.append(
        TableBlock(
            "time_to_promotion",
            "Proportion not yet promoted at the end of each time band (life table from the "
            "released counts, 95% CI)",
            shown,
            digits=3,
            percent_columns=("survival", "ci_low", "ci_high"),
            technical=True,
        )
    )
    medians = []
    for g, part in lt.groupby("group", sort=False):
        below = part[part["survival"] <= 0.5]
        if len(below):
            k = part.index.get_loc(below.index[0])
            start = 0.0 if k == 0 else float(part["time"].iloc[k - 1])
            medians.append(
                f"half of {_people(g)} had been promoted by the band ending at month "
                f"{float(below['time'].iloc[0]):g} (after month {start:g})"
            )
        else:
            medians.append(f"fewer than half of {_people(g)} had been promoted by the last band")
    blocks.append(Paragraph("; ".join(medians).capitalize() + ".", kind="text"))
    groups = list(lt["group"].unique())
    if len(groups) >= 2:
        # the log-rank test on the released counts: events and censoring at band ends
        rows = []
        for _, r in lt.iterrows():
            rows += [(r["group"], r["time"], 1.0)] * int(r["events"])
            rows += [(r["group"], r["time"], 0.0)] * int(r["censored"])
        for g in groups:
            part = lt[lt["group"] == g]
            last = part.iloc[-1]
            rest = int(last["n_at_risk"] - last["events"] - last["censored"])
            rows += [(g, float(last["time"]), 0.0)] * max(rest, 0)
        banded = pd.DataFrame(rows, columns=[ctx.by, "months_to_promotion", "promoted"])
        banded = banded.assign(
            followup_months=banded["months_to_promotion"],
            promoted=banded["promoted"].astype(bool),
        )
        try:
            lr = ctx.cached(logrank_test, banded, by=ctx.by)
        except MentorAnalyticsError:
            lr = None
        if lr is not None:
            blocks.append(
                TableBlock(
                    "logrank",
                    "Log-rank test of time to promotion by gender (on the banded, released counts)",
                    lr.to_frame().set_axis(["log-rank"], axis=0),
                    digits=3,
                    technical=True,
                )
            )
    _append_figure(
        ctx,
        blocks,
        "km",
        "Proportion promoted over time by gender (life table over time bands, 95% bands); "
        "every step holds at least the disclosure threshold of promotions.",
        functools.partial(plot.plot_km, lt, by=ctx.by),
    )
    return blocks


#: Months of follow-up at which cohorts are compared (promoted within this many months,
#: among those followed at least this long), so cohorts followed longer do not look better.
HORIZON_MONTHS = 24


def cohorts_section(ctx: ReportContext) -> Section:
    """Cohorts compared at a common follow-up horizon.

    A cohort that joined six years ago has had six years to be promoted, one that joined
    last year one: "ever promoted" is not comparable between them.  With follow-up times
    in the data, cohorts followed for at least :data:`HORIZON_MONTHS` months are compared
    on promotion within that many months, counting everyone in the cohort (someone who
    left earlier without a promotion was not promoted within the horizon); cohorts not
    yet followed that long are named and left out.  Without follow-up times, the report
    says that follow-up may differ and flags no cohort.
    """
    title = "Cohort by cohort"
    if _n_cohorts(ctx) < 2:
        return Section(
            "cohorts",
            title,
            unavailable="Only one cohort: nothing to compare across "
            "cohorts. A 'cohort' column with two or more intakes enables this section.",
        )
    outcome = (
        "promoted" if "promoted" in ctx.outcomes else (ctx.outcomes[0] if ctx.outcomes else None)
    )
    if outcome is None:
        return _unavailable("cohorts", title, ["promoted"])
    ctx.step("analysing: cohorts")
    base = (ctx.data if ctx.breakdown_ok else ctx.all_data).dropna(subset=[outcome])
    base = base.assign(cohort=base["cohort"].astype(str))
    every = sorted(base["cohort"].unique(), key=_cohort_key)
    timed = outcome == "promoted" and not _missing(ctx, ["followup_months", "months_to_promotion"])
    answer: dict[str, Any] = {"horizon": None, "flagged": [], "not_followed": [], "compared": []}
    ctx.answers["cohorts"] = answer
    blocks: list[Block] = []
    if timed:
        h = HORIZON_MONTHS
        follow = pd.to_numeric(base["followup_months"], errors="coerce")
        months = pd.to_numeric(base["months_to_promotion"], errors="coerce")
        promoted = _binary(base, outcome).fillna(False).astype(bool)
        # a cohort is compared once it has been followed for the horizon; within it,
        # everyone counts (someone who left earlier without a promotion was not promoted
        # within the horizon), so no small group is left out of a cohort's count
        reached = follow.groupby(base["cohort"]).max() >= h
        eligible = base["cohort"].map(reached).fillna(False).astype(bool)
        within = pd.Series(promoted & (months <= h), index=base.index, dtype="boolean")
        # promoted, but when is unknown and could be after the horizon: not counted
        within = within.mask(promoted & months.isna() & (follow > h))
        d = base.assign(**{"_within": within})[eligible].dropna(subset=["_within"])
        for c in every:
            left = (base["cohort"] == c) & eligible & ~base.index.isin(d.index)
            if bool(left.any()):
                ctx.gate.protect(f"cohort_{c}_not_compared", left, f"cohort {c}: not compared")
        column = f"promoted_within_{h}_months"
        d = d.assign(**{column: d["_within"].astype(bool)})
        answer["horizon"] = h
        answer["not_followed"] = [c for c in every if not bool(reached.get(c, False))]
        what = f"Promoted within {h} months"
        caption = (
            f"{what} of the programme, by cohort (cohorts followed for at least {h} months, "
            "so every cohort has had the same time)"
        )
        intro = (
            "Cohorts have been followed for different lengths of time, so 'ever promoted' "
            "favours the earliest intakes. They are compared here at a common horizon: "
            f"promoted within {h} months of the programme, in every cohort followed for at "
            f"least {h} months (a participant who left earlier without a promotion counts as "
            f"not promoted within {h} months)."
        )
        if answer["not_followed"]:
            late = ", ".join(answer["not_followed"])
            intro += (
                f" Not yet followed for {h} months, so not compared: {late} (their later "
                "results will tell)."
            )
        blocks.append(Paragraph(intro, kind="text"))
    else:
        column, d, what = (
            outcome,
            base.assign(**{outcome: _binary(base, outcome)}),
            what_of(outcome),
        )
        caption = f"{what}, by cohort"
        blocks.append(
            Paragraph(
                "Follow-up time is not in the data ('followup_months' and "
                "'months_to_promotion'), and cohorts followed for longer have had more time "
                f"for '{what.lower()}': the rates below are not compared and no cohort is "
                "flagged as unusual.",
                kind="text",
            )
        )
    name = f"cohort_{outcome}" if not timed else f"cohort_{outcome}_{HORIZON_MONTHS}m"
    if len(d) == 0 or d["cohort"].nunique() < 1:
        blocks.append(Paragraph("No participant has been followed that long yet.", kind="note"))
        return Section("cohorts", title, tuple(blocks))
    d = d.assign(
        cohort=pd.Categorical(
            d["cohort"], categories=[c for c in every if c in set(d["cohort"].unique())]
        )
    )
    table = ctx.protect([(name, "cohort", column, "rows")], data=d)[name]
    blocks.append(ctx.count_block(name, caption, table))
    ok = ctx.group_ok(table)
    rel = released_frame(table, list(ok[ok].index), "cohort", column)
    rel = rel.assign(cohort=rel["cohort"].astype(str))
    answer["compared"] = sorted(set(rel["cohort"]), key=_cohort_key)
    if not bool(ok.all()) and not ctx.internal:
        blocks.append(
            Paragraph(
                "Funnel and trend charts are not drawn: some cohort counts are suppressed.",
                kind="note",
            )
        )
        return Section("cohorts", title, tuple(blocks))
    if not timed:
        from .. import plot

        _append_figure(
            ctx,
            blocks,
            "trend",
            f"{what} by cohort with 95% Wilson intervals (not comparable between cohorts: "
            "follow-up time differs).",
            functools.partial(plot.plot_cohort_trend, rel, column),
        )
        return Section("cohorts", title, tuple(blocks))
    from .. import plot

    flagged = _funnel_flags(rel, column)
    answer["flagged"] = flagged
    if len(answer["compared"]) >= 2:
        blocks.append(
            Paragraph(
                (
                    "Outside the 95% limits around the overall rate (unusual, though about "
                    "1 cohort in 20 would be by chance alone): " + ", ".join(flagged) + "."
                )
                if flagged
                else "No cohort stands out: every cohort compared is within the 95% limits "
                "around the overall rate.",
                kind="text",
            )
        )
    _append_figure(
        ctx,
        blocks,
        "funnel",
        f"Funnel plot: each cohort's rate of promotion within {HORIZON_MONTHS} months against "
        "its size, with 95% and 99.8% control limits around the overall rate.",
        functools.partial(plot.plot_cohort_funnel, rel, column),
    )
    _append_figure(
        ctx,
        blocks,
        "trend",
        f"Promoted within {HORIZON_MONTHS} months, by cohort, with 95% Wilson intervals.",
        functools.partial(plot.plot_cohort_trend, rel, column),
    )
    return Section("cohorts", title, tuple(blocks))


def _cohort_key(label: str) -> tuple[int, float, str]:
    """Cohort labels in order: numbers (years) numerically, then text."""
    try:
        return (0, float(label), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(label))


def _funnel_flags(rel: pd.DataFrame, column: str) -> list[str]:
    """Cohorts outside the 95% funnel limits around the overall rate (released counts)."""
    from ..plot._cohorts import funnel_limits

    grouped = rel.groupby("cohort", observed=True)[column].agg(["sum", "size"])
    grouped = grouped[grouped["size"] > 0]
    if len(grouped) < 2:
        return []
    p0 = float(grouped["sum"].sum() / grouped["size"].sum())
    low, high = funnel_limits(grouped["size"].to_numpy(), p0, coverage=0.95)
    rate = (grouped["sum"] / grouped["size"]).to_numpy()
    out = grouped.index[(rate < low) | (rate > high)]
    return sorted((str(c) for c in out), key=_cohort_key)


#: The gap a pooled analysis is planned for (15 percentage points), around a rate of 50%
#: (the hardest case: it needs the most participants).
PLANNED_GAP = 0.15
PLANNED_RATE = 0.5
POWER = 0.8


def limits_section(ctx: ReportContext) -> Section:
    """What the data can and cannot show: the smallest gap it could detect (from the
    released group sizes) and how many participants, or cohorts of this size pooled,
    a gap of :data:`PLANNED_GAP` would need (kept on ``ctx.answers["limits"]``)."""
    import math

    from ..stats import detectable_difference
    from ..stats.power import sample_size

    ref, focus = ctx.reference, ctx.focus
    sizes: dict[str, int | None] = {}
    if ctx.breakdown_ok:
        by = ctx.data[ctx.by].astype(str)
        sizes = ctx.gate.counts("group_sizes", {g: by == g for g in ctx.groups})
    everyone = pd.Series(True, index=ctx.population.index)
    total = ctx.gate.counts("limits_total", {"participants": everyone})["participants"]
    n_cohorts = max(_n_cohorts(ctx), 1)
    pair: tuple[int, int] | None = None
    if ref is not None and focus is not None and sizes.get(ref) and sizes.get(focus):
        pair = (int(sizes[ref] or 0), int(sizes[focus] or 0))
    even = pair is None and bool(total)
    if even:
        half = int(total or 0) // 2
        pair = (half, half) if half else None
    needed = sample_size(PLANNED_GAP, base_rate=PLANNED_RATE, power=POWER)
    answer: dict[str, Any] = {
        "reference": ref,
        "focus": focus,
        "sizes": pair,
        "even_split": even,
        "total": total,
        "cohorts": n_cohorts,
        "gap": PLANNED_GAP,
        "rate": PLANNED_RATE,
        "needed": math.ceil(needed),
        "detectable": None,
        "cohorts_needed": None,
    }
    ctx.answers["limits"] = answer
    lines: list[Block] = []
    if pair is not None and min(pair) > 0:
        n1, n2 = pair
        rows = {
            f"{100 * base:.0f}%": {
                "detectable_difference": detectable_difference(n1, n2, base_rate=base)
            }
            for base in (0.2, 0.3, 0.5)
        }
        table = pd.DataFrame.from_dict(rows, orient="index")
        table.index.name = "rate in the comparison group"
        answer["detectable"] = float(table.loc["50%", "detectable_difference"])
        who = (
            f"{n2} {_people(focus)} and {n1} {_people(ref)}"
            if not even
            else f"{n1} and {n2} participants (the cohort split evenly)"
        )
        lines.append(
            TableBlock(
                "detectable",
                f"Smallest gap this data could detect reliably, with {who} (two-sided 5% "
                f"test, {100 * POWER:.0f}% power), by the rate in the comparison group",
                table,
                digits=3,
                point_columns=("detectable_difference",),
            )
        )
        per_cohort = min(n1, n2) / n_cohorts
        pooling = {}
        for gap in (0.10, 0.15, 0.20):
            n_gap = math.ceil(sample_size(gap, base_rate=PLANNED_RATE, power=POWER))
            pooling[f"{100 * gap:.0f} points"] = {
                "participants per group": n_gap,
                "cohorts of this size": math.ceil(n_gap / per_cohort) if per_cohort else np.nan,
            }
        answer["cohorts_needed"] = pooling[f"{100 * PLANNED_GAP:.0f} points"][
            "cohorts of this size"
        ]
        frame = pd.DataFrame.from_dict(pooling, orient="index").astype(float)
        frame.index.name = "gap to detect"
        lines.append(
            TableBlock(
                "pooling",
                "Participants needed in each group to detect a gap of this size around a rate "
                f"of {100 * PLANNED_RATE:.0f}% (two-sided 5% test, {100 * POWER:.0f}% power), "
                f"and how many cohorts of the size of these ({per_cohort:.0f} in the smaller "
                "group per cohort) that means",
                frame,
                digits=0,
            )
        )
    from .answers import limits_sentence

    lines.append(Paragraph(limits_sentence(ctx), kind="finding"))
    lines.append(
        Paragraph(
            "Pooling several years is one command: list their files, e.g. "
            "'python -m mentoranalytics report 2019.csv 2020.csv 2021.csv' (one cohort per "
            "file unless the files have a cohort column).",
            kind="text",
        )
    )
    lines.append(
        Paragraph(
            "A gap that is not 'clear' is not evidence of no gap: it may be smaller than the "
            "sample could detect. Several outcomes are compared at once, so p-values are also "
            "shown adjusted for multiple comparisons. The data are observational: boldness was "
            "chosen, not assigned, so differences may reflect who chose boldly rather than what "
            "boldness did.",
            kind="text",
        )
    )
    if ctx.withheld and not ctx.internal:
        lines.append(
            Paragraph(
                f"{ctx.withheld} cells or groups were withheld under the '{ctx.policy.name}' "
                "disclosure policy.",
                kind="note",
            )
        )
    return Section("limits", "What this data can and cannot show", tuple(lines))


def methods_section(ctx: ReportContext) -> Section:
    import importlib.metadata as md

    versions = {}
    for pkg in ("mentoranalytics", "pandas", "numpy", "scipy", "statsmodels", "matplotlib"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = "not installed"
    vt = pd.DataFrame({"version": versions})
    vt.index.name = "software"
    text = [
        "Rates: Wilson score intervals. Gaps: risk difference with Newcombe's hybrid score "
        "interval; risk and odds ratios with log (Katz/Woolf) intervals, or score and exact "
        "conditional intervals when counts are small; pairwise p-values from Fisher's exact "
        "test. Overall tests: Fisher's exact test for two groups, otherwise chi-square when "
        "all expected counts are at least 5, else an exact or Monte Carlo test.",
        "Comparison direction: every gap is a group minus the comparison group, which is "
        "men when men are shown (gaps read 'women minus men'), otherwise the first group in "
        "the schema's order; never the larger group, so the sign does not change when the "
        "balance of the groups does. Differences of proportions are in percentage points "
        "(pp, 'points'); rates are percentages; ratios have no unit (1 = no gap).",
        "Multiple comparisons: the sentences are worded by Holm-adjusted p-values within "
        "each question's family: question 1, the bold-choice gap and the boldness-index gap "
        "(Mann-Whitney, the index being ordinal) of each group; question 2, the gap in every "
        "outcome of each group; question 3, the payoff of a bold choice within each group "
        "(Fisher's exact test), with the interaction of the model reported beside it; "
        "question 4, one estimate (the indirect effect), not adjusted. Secured a mentor and "
        "chose a mentor outside their network are single descriptive comparisons. 'Evidence' "
        "means an adjusted p below 0.05, 'weak evidence' below 0.10. Confidence intervals "
        "are not adjusted.",
        "Intervals and p-values: a risk difference's interval (Newcombe's score method) and "
        "its p-value (Fisher's exact test) come from different methods, as do a "
        "Hodges-Lehmann interval and the Mann-Whitney p-value; near the 5% line one can "
        "exclude no difference while the other does not. Such cases are flagged where they "
        "occur.",
        f"Cohorts are compared at a common follow-up horizon: promoted within "
        f"{HORIZON_MONTHS} months, in the cohorts followed for at least {HORIZON_MONTHS} "
        "months (someone who left earlier without a promotion counts as not promoted).",
        "Across cohorts: Mantel-Haenszel odds ratio with the Breslow-Day homogeneity test.",
        "Continuous measures: medians with IQR and means with SD; Mann-Whitney/Kruskal-Wallis "
        "tests (exact or permutation when small).",
        "Models: logistic regression, switching to Firth's penalised likelihood with profile "
        "intervals when groups separate or events are few; mediation by the quasi-Bayesian "
        "Monte Carlo method of Imai, Keele & Tingley (2010); Kitagawa (1955) decomposition with "
        "bootstrap intervals; Kaplan-Meier curves, log-rank test.",
        f"Seed of every simulation: {ctx.options.seed}. Disclosure policy: '{ctx.policy.name}'"
        + (
            f" (counts below {ctx.policy.threshold} suppressed, with secondary suppression so "
            "none can be recovered from totals)."
            if not ctx.internal
            else " (no suppression: internal use only)."
        ),
        f"Platform: {_platform()}.",
    ]
    blocks: list[Block] = [Paragraph(t) for t in text]
    blocks.append(TableBlock("software", "Software versions", vt))
    return Section("methods", "Methods", tuple(blocks))


def data_quality_section(ctx: ReportContext) -> Section:
    cohort = ctx.cohort
    blocks: list[Block] = []
    source = getattr(cohort, "source", None)
    if source is not None:
        src = pd.DataFrame(source).copy() if not isinstance(source, pd.DataFrame) else source.copy()
        if "file" in src:
            src["file"] = src["file"].map(lambda f: str(f).replace("\\", "/").split("/")[-1])
            src = src.set_index("file")
        if not ctx.internal:
            # rows read per file would count people the report leaves out
            src = src.drop(columns=[c for c in src.columns if "row" in str(c).lower()])
        blocks.append(TableBlock("provenance", "Data provenance: files and SHA-256", src))
    excluded = getattr(cohort, "excluded", None)
    n_excluded = 0 if excluded is None else len(excluded)
    everyone = pd.Series(True, index=ctx.population.index)
    n_shown = ctx.gate.counts("rows", {"analysed": everyone})["analysed"]
    if ctx.internal:
        n_used = len(as_frame(cohort))
        blocks.append(
            Paragraph(
                f"{n_used + n_excluded} rows read: {n_used} analysed and {n_excluded} excluded."
                + (
                    f" The report covers the {len(ctx.all_data)} participants in the selected "
                    "cohorts."
                    if len(ctx.all_data) != n_used
                    else ""
                )
            )
        )
    else:
        parts = [
            f"{n_shown} participants analysed in the tables of this report"
            if n_shown is not None
            else "The number of participants analysed is withheld (it would reveal a small group)"
        ]
        if ctx.not_shown and ctx.breakdown_ok:
            parts.append("participants in groups too small to show are left out of every count")
        parts.append(
            f"{n_excluded} rows excluded for the reasons below"
            if n_excluded >= ctx.policy.threshold or n_excluded == 0
            else f"fewer than {ctx.policy.threshold} rows excluded, for the reasons below"
        )
        blocks.append(Paragraph("; ".join(parts) + ".", kind="text"))
    if excluded is not None and len(excluded):
        if ctx.internal:
            ex = excluded.copy().reset_index(drop=True)
            ex.index = ex.index + 1
            ex.index.name = "#"
            blocks.append(TableBlock("excluded", "Rows excluded, with the reason for each", ex))
        else:
            reason_col = next((c for c in ("reason", "reasons", "message") if c in excluded), None)
            reasons = (
                excluded[reason_col].astype(str).value_counts().sort_index()
                if reason_col
                else pd.Series({"invalid row": len(excluded)})
            )
            shown = reasons.where(reasons >= ctx.policy.threshold)
            ex = pd.DataFrame({"rows": shown.astype("Float64")})
            ex.index.name = "reason"
            blocks.append(
                TableBlock(
                    "excluded",
                    "Rows excluded, by reason (participant codes are listed only in an "
                    "internal report)",
                    ex,
                    suppressed=pd.DataFrame({"rows": shown.isna()}),
                    digits=0,
                )
            )
    d = ctx.population
    cols = [c for c in schema.CANONICAL_COLUMNS if c in d]
    released = ctx.gate.counts("missingness", {c: d[c].isna() for c in cols})
    miss = pd.Series({c: np.nan if released[c] is None else float(released[c]) for c in cols})
    total = n_shown if n_shown else np.nan
    mt = pd.DataFrame({"missing": miss, "percent": miss / total})
    mt.index.name = "column"
    hidden = miss.isna()
    blocks.append(
        TableBlock(
            "missingness",
            "Missing values per column (participants shown in the report)",
            mt,
            suppressed=pd.DataFrame({"missing": hidden, "percent": hidden}),
            percent_columns=("percent",),
            digits=0,
            notes=(
                f"Counts of 1 to {ctx.policy.threshold - 1}, and counts that would let them "
                "be recovered, are suppressed.",
            )
            if bool(hidden.any())
            else (),
        )
    )
    absent = [c for c in schema.CANONICAL_COLUMNS if c not in ctx.all_data]
    if absent:
        blocks.append(
            Paragraph("Columns absent from the data: " + ", ".join(absent) + ".", kind="note")
        )
    return Section("data-quality", "Appendix: data quality", tuple(blocks))


def headline_section(ctx: ReportContext) -> Section:
    """The first page: the four questions answered (see :mod:`.answers`)."""
    from .answers import first_page

    return first_page(ctx)


def _platform() -> str:
    return f"Python {platform.python_version()}"
