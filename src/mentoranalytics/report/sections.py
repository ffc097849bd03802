"""The sections of the course-review report.

Each builder takes the :class:`ReportContext` and returns a :class:`Section`.  Every
number goes through disclosure control here (:func:`ReportContext.publish_counts`,
:func:`ReportContext.publish_rates`) before it reaches a table, a sentence or a chart.
A section whose columns are absent is replaced by one line naming the data it needs.
"""

from __future__ import annotations

import functools
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .._frame import as_frame
from ..exceptions import AnalysisError, ColumnError, MentorAnalyticsError
from .build import ProgressCallback, ReportOptions
from .figures import render_figure
from .model import Block, Paragraph, Section, TableBlock

GROUP_LABELS = {g: g.replace("_", " ") for g in schema.GENDERS}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _pts(x: float) -> str:
    return f"{100 * x:+.0f}"


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
    of every table (they are counted only in the rows-read total), so their small
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
    #: groups whose count with a mentor was suppressed in the overview: left out of the
    #: sections about participants with a mentor, so their size cannot be read there
    hidden_secured: tuple[str, ...] = ()

    # -- construction -------------------------------------------------------------------
    @classmethod
    def create(
        cls, cohort: Any, options: ReportOptions, *, progress: ProgressCallback | None = None
    ) -> ReportContext:
        from ..privacy import POLICIES

        if options.privacy not in POLICIES:
            raise AnalysisError(
                f"privacy must be one of {sorted(POLICIES)}, not {options.privacy!r}."
            )
        pol = POLICIES[options.privacy]
        data = as_frame(cohort)
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
        )

    # -- report-wide text ---------------------------------------------------------------
    @property
    def subtitle(self) -> str:
        n = self.n_all
        cohorts = self.all_data["cohort"].nunique() if "cohort" in self.all_data else 1
        src = self.options.source_label or "your data"
        return (
            f"{n} participants in {cohorts} cohort{'s' if cohorts != 1 else ''}, from {src}. "
            f"Disclosure policy '{self.policy.name}': {self.policy.describe()}."
        )

    @property
    def policy_banner(self) -> str | None:
        return self.policy.banner or None

    @property
    def internal(self) -> bool:
        return not self.policy.suppresses

    @property
    def groups(self) -> list[str]:
        return [str(g) for g in self.data[self.by].dropna().unique()]

    @property
    def breakdown_ok(self) -> bool:
        """Two or more groups can be shown."""
        return len(self.groups) >= 2

    def step(self, name: str) -> None:
        if self.progress is not None:
            self.progress(name)

    # -- disclosure control -------------------------------------------------------------
    def protect(
        self,
        specs: Sequence[tuple[str, Any, Any, dict[str, Any] | None]],
        data: pd.DataFrame | None = None,
    ) -> dict[str, Any]:
        """Jointly protect a family of count tables built from the same participants.

        ``specs`` are ``(name, rows, columns, where)``; returns ``{name: SuppressedTable}``.
        """
        from ..privacy import DisclosureLedger

        ledger = DisclosureLedger(self.data if data is None else data, policy=self.policy)
        for name, rows, cols, where in specs:
            ledger.add(name, rows=rows, columns=cols, where=where)
        tables = ledger.suppress()
        audit = ledger.audit()
        if not audit.ok:  # pragma: no cover - the ledger iterates until the audit passes
            audit.raise_if_failed()
        return tables

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
        """Per group (rows of a group x yes/no table): can its rate be published?"""
        mask = table.suppressed
        rows = [i for i in mask.index if str(i) != "Total"]
        ok = ~mask.loc[rows].any(axis=1)
        ok &= table.counts.loc[rows].sum(axis=1) > 0
        ok.index = [str(i) for i in ok.index]
        return ok.astype(bool)

    # -- findings -------------------------------------------------------------------------
    def add_finding(self, finding: Finding) -> Paragraph:
        self.findings.append(finding)
        return Paragraph(finding.text, kind="finding")


def _reporting_groups(
    series: pd.Series, pol: Any, min_group_size: int | None
) -> tuple[list[str], tuple[str, ...], pd.Series]:
    """Which groups the report shows; small groups pooled or left out.

    Returns the shown group labels, the labels pooled into ``other_or_not_stated``, and
    the new group column (NA for participants left out of the breakdowns).
    """
    text = series.astype("string")
    order = [g for g in schema.GENDERS if g in set(text.dropna())]
    order += sorted(set(text.dropna()) - set(order))
    if not pol.suppresses:
        return order, (), text.astype(pd.CategoricalDtype(order))
    minimum = min_group_size if min_group_size is not None else 4 * pol.threshold
    sizes = text.value_counts()
    big = [g for g in order if sizes.get(g, 0) >= minimum]
    small = [g for g in order if 0 < sizes.get(g, 0) < minimum]
    out = text.where(text.isin(big))
    merged: tuple[str, ...] = ()
    if small and int(sizes[small].sum()) >= minimum:
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
    """Draw a chart that makes its own Figure (or Axes) and render it."""
    import matplotlib.pyplot as plt

    from .. import plot

    with plot.theme():
        try:
            out = draw()
        except MentorAnalyticsError as exc:
            plt.close("all")
            blocks.append(Paragraph(f"Chart not drawn: {exc}", kind="note"))
            return
        fig = out if hasattr(out, "savefig") else out.figure
        blocks.append(render_figure(fig, name, caption))


def _withheld_sentence(ctx: ReportContext, what: str) -> str:
    return (
        f"{what}: not reported, because a group is too small to publish under the "
        f"'{ctx.policy.name}' disclosure policy (fewer than {ctx.policy.threshold})."
    )


def _compare_sentence(
    what: str, rates: pd.DataFrame, eff: pd.Series, group: Any, reference: Any
) -> tuple[str, str]:
    """Plain-language comparison worded by the strength of evidence."""
    g, r = rates.loc[group], rates.loc[reference]
    base = (
        f"{what}: {_pct(g['rate'])} of {_people(group)} (n={int(g['n'])}) vs "
        f"{_pct(r['rate'])} of {_people(reference)} (n={int(r['n'])}); "
        f"difference {_pts(eff['estimate'])} points (95% CI {_pts(eff['ci_low'])} to "
        f"{_pts(eff['ci_high'])})"
    )
    p = eff.get("p_value", np.nan)
    mdd = eff.get("detectable_difference", np.nan)
    ptxt = "" if pd.isna(p) else (", p<0.001" if p < 0.001 else f", p={p:.3f}")
    if pd.notna(p) and p < 0.05:
        return f"Evidence of a difference. {base}{ptxt}.", "evidence"
    if pd.notna(p) and p < 0.10:
        return f"Weak evidence of a difference. {base}{ptxt}.", "weak"
    tail = ""
    if pd.notna(mdd):
        tail = (
            f" With these numbers only gaps of about {100 * mdd:.0f} points or more could "
            "have been detected reliably."
        )
    return f"No clear difference. {base}{ptxt}.{tail}", "none"


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
    return frame[column].astype("boolean")


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
    """compare_rates -> protected counts, rates and gaps tables, and finding sentences.

    ``table`` is the protected group x outcome count table when the caller protected
    it together with related tables; otherwise it is protected here.
    Returns the blocks, the compare_rates result and the per-group "publishable" flags.
    """
    from ..stats import compare_rates

    frame = ctx.data if data is None else data
    frame = frame.assign(**{outcome: _binary(frame, outcome)})
    if table is None:
        table = ctx.protect([(name, ctx.by, outcome, None)], data=frame)[name]
    ok = ctx.group_ok(table)
    res = compare_rates(frame, outcome, by=ctx.by, strata=strata, rng=ctx.options.seed)
    blocks: list[Block] = []
    rates = res.rates[["n", "events", "rate", "ci_low", "ci_high"]].copy()
    rates.index = [str(i) for i in rates.index]
    mask = pd.DataFrame(False, index=rates.index, columns=rates.columns)
    for g in rates.index:
        if not ok.get(g, False):
            mask.loc[g, :] = True
    if ctx.policy.rounding_base:
        pub = table.published
        for g in rates.index:
            if ok.get(g, False):
                rates.loc[g, "n"] = pub.loc[_key(pub.index, g), "Total"]
                rates.loc[g, "events"] = pub.loc[_key(pub.index, g), _key(pub.columns, True)]
        rates[["rate", "ci_low", "ci_high"]] = rates[["rate", "ci_low", "ci_high"]].round(2)
    n_hidden = int((~ok.reindex(rates.index, fill_value=False)).sum())
    ctx.withheld += n_hidden
    notes = [n for n in res.notes if not n.startswith("detectable_difference")]
    if n_hidden:
        notes.append(
            f"{n_hidden} group(s) suppressed under the '{ctx.policy.name}' policy: "
            f"fewer than {ctx.policy.threshold} with or without the outcome, or needed "
            "to protect such a group."
        )
    if ctx.policy.rounding_base:
        notes.append(
            f"n and events rounded to the nearest {ctx.policy.rounding_base}; rates "
            "and intervals (from the exact counts) shown to whole percentage points."
        )
    rates.index = [_label(g) for g in rates.index]
    mask.index = rates.index
    blocks.append(
        TableBlock(
            f"{name}_rates",
            f"{what}, by {ctx.by} (Wilson 95% CI)",
            rates,
            suppressed=mask,
            notes=tuple(notes),
            percent_columns=("rate", "ci_low", "ci_high"),
        )
    )
    eff = res.effects
    if len(eff):
        cols = ["estimate", "ci_low", "ci_high", "p_value", "method"]
        if "detectable_difference" in eff:
            cols.append("detectable_difference")
        table_e = eff[cols].copy()
        table_e.index = [
            f"{_label(g)} vs {_label(r)}: {m.replace('_', ' ')}"
            for g, r, m in zip(eff["group"], eff["reference"], eff["measure"], strict=True)
        ]
        safe = [
            ctx.internal or bool(ok.get(str(g), False) and ok.get(str(r), False))
            for g, r in zip(eff["group"], eff["reference"], strict=True)
        ]
        mask_e = pd.DataFrame(False, index=table_e.index, columns=table_e.columns)
        mask_e.loc[[not s for s in safe], :] = True
        blocks.append(
            TableBlock(
                f"{name}_gaps",
                f"{what}: gaps against {_label(res.reference)} (risk difference in "
                "proportion points; risk and odds ratios), with the smallest detectable risk "
                "difference",
                table_e,
                suppressed=mask_e,
                digits=3,
            )
        )
        if finding:
            rd = eff[eff["measure"] == "risk_difference"]
            for _, row in rd.iterrows():
                g, r = row["group"], row["reference"]
                if ctx.internal or (ok.get(str(g), False) and ok.get(str(r), False)):
                    text, strength = _compare_sentence(what, res.rates, row, g, r)
                    blocks.append(ctx.add_finding(Finding(what, text, strength, row["p_value"])))
                else:
                    text = _withheld_sentence(ctx, f"{what} ({_label(g)} vs {_label(r)})")
                    blocks.append(ctx.add_finding(Finding(what, text, "withheld")))
    test = res.test
    if test is not None and len(test) and len(rates) > 2:
        t = test.iloc[0]
        if (ctx.internal or bool(ok.all())) and pd.notna(t.get("p_value", np.nan)):
            reason = t.get("reason", "")
            blocks.append(
                Paragraph(
                    f"Overall test across groups: {t['method']}, p={t['p_value']:.3f}"
                    + (f" ({reason})" if isinstance(reason, str) and reason else "")
                    + ".",
                    kind="note",
                )
            )
        elif not ok.all():
            blocks.append(
                Paragraph("Overall test withheld: a group is too small to publish.", kind="note")
            )
    blocks += [Paragraph(w, kind="warning") for w in res.warnings]
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
            f"{ctx.options.min_group_size or 4 * ctx.policy.threshold} participants). An internal "
            "report (--privacy internal) shows them, and must not leave the course team."
        ),
    )


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
                "out of every table and chart (they are counted only in the rows-read total)"
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
    variables = [
        v
        for v in ("employment", "participant_level", "goals_defined", "mentor_secured")
        if v in d.columns and d[v].notna().any()
    ]
    d = d.assign(**{v: _yes_no(d[v]).fillna("missing") for v in variables})
    specs: list[tuple[str, Any, Any, dict[str, Any] | None]] = [
        ("participants", "cohort", by, None)
    ]
    specs += [(f"overview_{v}", v, by, None) for v in variables]
    tables = ctx.protect(specs, data=d)
    if by == ctx.by and "overview_mentor_secured" in tables:
        mask = tables["overview_mentor_secured"].suppressed
        ctx.hidden_secured = tuple(
            str(g) for g in mask.columns if str(g) != "Total" and bool(mask[g].any())
        )
    suffix = f" by {ctx.by}" if by == ctx.by else ""
    blocks.append(
        ctx.count_block("participants", f"Participants by cohort{suffix}", tables["participants"])
    )
    for v in variables:
        block = ctx.count_block(
            f"overview_{v}", f"{v.replace('_', ' ').capitalize()}{suffix}", tables[f"overview_{v}"]
        )
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
        intro="Who took part. Counts below the disclosure threshold are suppressed, "
        "together with enough other cells that they cannot be recovered from totals.",
    )


def securing_section(ctx: ReportContext) -> Section:
    title = "Securing a mentor"
    if _missing(ctx, ["mentor_secured"]):
        return _unavailable("securing", title, ["mentor_secured"])
    if not ctx.breakdown_ok:
        return _withheld_section(ctx, "securing", title)
    ctx.step("analysing: securing a mentor")
    blocks, _, _ = _rate_comparison(ctx, "mentor_secured", "Secured a mentor", name="secured")
    d = _with_mentor(ctx)
    if ctx.hidden_secured:
        blocks.append(_hidden_note(ctx))
    if d[ctx.by].nunique() < 2:
        return Section("securing", title, tuple(blocks))
    if "days_to_secure" in d and d["days_to_secure"].notna().any():
        blocks += _continuous_blocks(ctx, d, "days_to_secure", "Days to secure a mentor")
    if not _missing(ctx, ["mentors_approached", "refusals"]):
        sub = d.dropna(subset=["mentors_approached", "refusals"])
        grp = sub.groupby(sub[ctx.by].astype(str), observed=True)
        tab = pd.DataFrame(
            {
                "participants": grp.size(),
                "mentors_approached": grp["mentors_approached"].sum(),
                "refusals": grp["refusals"].sum(),
            }
        )
        tab = tab[tab["participants"] > 0].astype(float)
        ok = (tab["participants"] >= max(ctx.policy.threshold, 1)) | ctx.internal
        tab["refusals_per_approach"] = tab["refusals"] / tab["mentors_approached"].where(
            tab["mentors_approached"] > 0
        )
        mask = pd.DataFrame(False, index=tab.index, columns=tab.columns)
        mask.loc[~ok, :] = True
        tab.index = [_label(i) for i in tab.index]
        mask.index = tab.index
        blocks.append(
            TableBlock(
                "approaches_refusals",
                f"Prospective mentors approached and refusals, by {ctx.by} "
                "(participants who secured a mentor)",
                tab,
                suppressed=mask,
                digits=2,
                notes=(
                    "Refusals per approach separate willingness to ask from acceptance: a group "
                    "that asks more senior strangers meets more refusals.",
                ),
            )
        )
    return Section("securing", title, tuple(blocks))


def _continuous_blocks(
    ctx: ReportContext, d: pd.DataFrame, variable: str, what: str
) -> list[Block]:
    """Group summary (n, mean, SD, median, IQR; never min/max) and group comparisons."""
    from ..stats import compare_groups

    res = compare_groups(d, variable, by=ctx.by, rng=ctx.options.seed)
    tables = res.tables()
    groups = tables["groups"].copy()  # indexed by group
    groups.index = [_label(g) for g in groups.index]
    groups = groups.drop(columns=[c for c in ("min", "max") if c in groups])
    small = groups["n"].fillna(0) < ctx.policy.min_n_for_means
    mask = pd.DataFrame(False, index=groups.index, columns=groups.columns)
    if not ctx.internal:
        mask.loc[small, :] = True
    blocks: list[Block] = [
        TableBlock(
            f"{variable}_summary",
            f"{what}: by {ctx.by}",
            groups,
            suppressed=mask,
            digits=2,
            notes=(
                f"Means and medians need at least {ctx.policy.min_n_for_means} values; minimum "
                "and maximum are never published.",
            )
            if bool(mask.any().any())
            else (),
        )
    ]
    comp = tables.get("comparisons")
    if comp is not None and len(comp):
        comp = comp.copy()
        comp.index = [
            f"{_label(g)} vs {_label(r)}: {m.replace('_', ' ')}"
            for g, r, m in zip(comp["group"], comp["reference"], comp["measure"], strict=True)
        ]
        keep = [
            c
            for c in ("estimate", "ci_low", "ci_high", "p_value", "method", "detectable_difference")
            if c in comp
        ]
        comp = comp[keep]
        cmask = pd.DataFrame(False, index=comp.index, columns=comp.columns)
        if not ctx.internal and bool(small.any()):
            cmask.loc[:, :] = True
        blocks.append(
            TableBlock(
                f"{variable}_comparison",
                f"{what}: differences between groups",
                comp,
                suppressed=cmask,
                digits=3,
            )
        )
    blocks += [Paragraph(n, kind="note") for n in res.notes]
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
        return _withheld_section(ctx, "boldness", title)
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
    specs: list[tuple[str, Any, Any, dict[str, Any] | None]] = [
        (f"{v}_counts", v, ctx.by, None) for v in cats
    ]
    specs += [(v, ctx.by, v, None) for v in binaries]
    tables = ctx.protect(specs, data=d)
    for var in cats:
        block = ctx.count_block(
            f"{var}_counts",
            f"{var.replace('_', ' ').capitalize()} by {ctx.by}",
            tables[f"{var}_counts"],
        )
        blocks.append(block)
        mask = tables[f"{var}_counts"].suppressed
        hidden = pd.Series({str(g): bool(mask[g].any()) for g in mask.columns if str(g) != "Total"})
        _append_figure(
            ctx,
            blocks,
            f"{var}_by_{ctx.by}",
            f"{var.replace('_', ' ').capitalize()} by {ctx.by}: share of each group "
            "(100% stacked), with n per bar.",
            functools.partial(_draw_choice, d, var, ctx.by, hidden),
        )
    strata = "cohort" if _n_cohorts(ctx) > 1 else None
    whats = {
        "outside_network": "Chose a mentor outside their network",
        "bold_choice": "Made a bold choice",
    }
    for v in binaries:
        more, res, _ = _rate_comparison(ctx, v, whats[v], d, name=v, strata=strata, table=tables[v])
        blocks += more
        blocks += _pooled_blocks(ctx, res, v, whats[v].lower())
    for var, what in (
        ("seniority_gap", "Seniority gap (mentor level minus own level)"),
        ("boldness_index", "Boldness index (0 safest to 1 boldest)"),
        ("reach", "Boldness component: reach"),
        ("distance", "Boldness component: distance"),
        ("initiation", "Boldness component: initiation"),
    ):
        if var in d and d[var].notna().any():
            blocks += _continuous_blocks(ctx, d, var, what)
    if "seniority_gap" in d and d["seniority_gap"].notna().any():
        if _all_groups_publishable(ctx, d):
            _append_figure(
                ctx,
                blocks,
                "seniority_reach",
                "Seniority gap between mentor and participant, by gender: each dot a "
                "participant, over a box of the middle half.",
                lambda: plot.plot_seniority_reach(d, by=ctx.by),
            )
            _append_figure(
                ctx,
                blocks,
                "boldness_components",
                "Boldness index and its three components by gender.",
                lambda: plot.plot_boldness(d, by=ctx.by),
            )
        else:
            blocks.append(
                Paragraph(
                    "Charts of individual values are not drawn: a group is smaller than the "
                    "disclosure threshold, and dot plots would show individual participants.",
                    kind="note",
                )
            )
    return Section("boldness", title, tuple(blocks))


def _n_cohorts(ctx: ReportContext) -> int:
    return int(ctx.all_data["cohort"].nunique()) if "cohort" in ctx.all_data else 1


def _all_groups_publishable(ctx: ReportContext, d: pd.DataFrame) -> bool:
    if ctx.internal:
        return True
    sizes = d[ctx.by].value_counts()
    sizes = sizes[sizes > 0]
    return bool((sizes >= ctx.policy.threshold).all())


def _draw_choice(d: pd.DataFrame, variable: str, by: str, hidden: pd.Series) -> Any:
    from .. import plot

    return plot.plot_mentor_choice(
        d, variable=variable, by=by, suppressed=hidden[hidden] if hidden.any() else None
    )


def _hidden_note(ctx: ReportContext) -> Paragraph:
    names = ", ".join(_people(g) for g in ctx.hidden_secured)
    return Paragraph(
        f"Not shown here: {names}, because how many of them secured a mentor is withheld "
        "in the overview (a small count) and would otherwise be readable from these tables.",
        kind="note",
    )


def _with_mentor(ctx: ReportContext) -> pd.DataFrame:
    """Participants with a mentor, less the groups whose count with a mentor is withheld."""
    d = ctx.data[ctx.data["mentor_secured"].fillna(False).astype(bool)]
    if ctx.hidden_secured and not ctx.internal:
        d = d[~d[ctx.by].astype(str).isin(ctx.hidden_secured)]
    return d


def _cells_safe(ctx: ReportContext, d: pd.DataFrame, outcome: str) -> bool:
    """Whether every group x bold_choice x outcome cell passes disclosure control."""
    if ctx.internal:
        return True
    name = f"cells_{outcome}"
    table = ctx.protect([(name, [ctx.by, "bold_choice"], outcome, None)], data=d)[name]
    return not bool(table.suppressed.to_numpy().any())


def _pooled_blocks(ctx: ReportContext, res: Any, outcome: str, what: str) -> list[Block]:
    pooled = getattr(res, "pooled", None)
    if pooled is None or not len(pooled):
        return []
    if not (_all_groups_publishable(ctx, ctx.data) or ctx.internal):
        return [
            Paragraph("Cohort-stratified estimate withheld: a group is too small.", kind="note")
        ]
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
        )
    ]
    if "note" in pooled:
        blocks += [Paragraph(str(n), kind="note") for n in pooled["note"].dropna().unique() if n]
    return blocks


def outcomes_section(ctx: ReportContext) -> Section:
    title = "Outcomes by gender"
    if not ctx.outcomes:
        return _unavailable(
            "outcomes", title, list(schema.OUTCOMES), "at least one career or relationship outcome"
        )
    if not ctx.breakdown_ok:
        return _withheld_section(ctx, "outcomes", title)
    ctx.step("analysing: outcomes")
    from .. import plot
    from ..stats import adjust_pvalues

    d = ctx.data.assign(**{o: _binary(ctx.data, o) for o in ctx.outcomes})
    tables = ctx.protect([(o, ctx.by, o, None) for o in ctx.outcomes], data=d)
    blocks: list[Block] = []
    hidden: dict[str, pd.Series] = {}
    rows = []
    for outcome in ctx.outcomes:
        more, res, ok = _rate_comparison(
            ctx,
            outcome,
            outcome.replace("_", " ").capitalize(),
            d,
            name=outcome,
            table=tables[outcome],
        )
        blocks += more
        hidden[outcome] = ~ok
        for _, r in res.effects.iterrows():
            safe = ctx.internal or bool(
                ok.get(str(r["group"]), False) and ok.get(str(r["reference"]), False)
            )
            rows.append({**r.to_dict(), "outcome": outcome, "safe": safe})
    if not rows:
        return Section("outcomes", title, tuple(blocks))
    eff_all = pd.DataFrame(rows)
    rd = eff_all[(eff_all["measure"] == "risk_difference") & eff_all["safe"]].copy()
    if len(rd) > 1:
        p = rd["p_value"].to_numpy(dtype=float)
        rd["p_value_holm"] = adjust_pvalues(p, method="holm")
        rd["p_value_bh"] = adjust_pvalues(p, method="fdr_bh")
        table = rd[["estimate", "p_value", "p_value_holm", "p_value_bh"]].copy()
        table.index = [
            f"{o.replace('_', ' ')}: {_label(g)} vs {_label(r)}"
            for o, g, r in zip(rd["outcome"], rd["group"], rd["reference"], strict=True)
        ]
        blocks.append(
            TableBlock(
                "outcome_multiplicity",
                "Several outcomes compared at once: p-values adjusted for "
                "multiple comparisons (Holm; Benjamini-Hochberg)",
                table,
                digits=3,
                notes=(
                    "With many comparisons, about one in twenty gaps looks 'significant' by "
                    "chance alone; read the adjusted p-values.",
                ),
            )
        )
    _append_figure(
        ctx,
        blocks,
        "outcome_rates",
        "Outcome rates by gender with 95% Wilson intervals; events/n on the right.",
        lambda: plot.plot_outcome_rates(d, ctx.outcomes, by=ctx.by, suppressed=hidden),
    )
    if len(rd):
        forest = rd.assign(
            label=[
                f"{o.replace('_', ' ')}: {_label(g)} vs {_label(r)}"
                for o, g, r in zip(rd["outcome"], rd["group"], rd["reference"], strict=True)
            ]
        )
        _append_figure(
            ctx,
            blocks,
            "outcome_gaps",
            "Gaps in outcome rates (risk difference, proportion points) with 95% "
            "Newcombe intervals; the line at 0 means no gap.",
            lambda: plot.plot_forest(forest.set_index("label"), measure="risk_difference"),
        )
    return Section("outcomes", title, tuple(blocks))


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
    from ..stats import outcome_model

    d = ctx.data.dropna(subset=["bold_choice", outcome])
    d = d.assign(bold_choice=d["bold_choice"].astype(bool), **{outcome: _binary(d, outcome)})
    blocks: list[Block] = []
    if not _cells_safe(ctx, d, outcome):
        blocks.append(
            Paragraph(
                _withheld_sentence(
                    ctx,
                    f"The {outcome.replace('_', ' ')} rate by bold choice within each group, and "
                    "its model,",
                ),
                kind="note",
            )
        )
        return Section("payoff", title, tuple(blocks))
    d = d[d[ctx.by].isin(d[ctx.by].value_counts()[lambda s: s >= 2].index)]
    try:
        res = outcome_model(
            d, outcome, [ctx.by, "bold_choice"], interaction=(ctx.by, "bold_choice")
        )
    except MentorAnalyticsError as exc:
        blocks.append(Paragraph(f"The model could not be fitted: {exc}", kind="note"))
    else:
        blocks.append(
            TableBlock(
                "payoff_model",
                f"{outcome.replace('_', ' ').capitalize()}: {res.method}",
                res.table.set_index("term") if "term" in res.table else res.table,
                digits=3,
                notes=tuple(res.notes) + tuple(getattr(res, "warnings", ())),
            )
        )
        reason = getattr(res, "reason", "")
        if reason:
            blocks.append(Paragraph(f"Model choice: {reason}", kind="note"))
    _append_figure(
        ctx,
        blocks,
        "payoff",
        f"{outcome.replace('_', ' ').capitalize()} rate by "
        "bold choice within each gender, with 95% Wilson intervals.",
        lambda: plot.plot_boldness_payoff(d, outcome, by=ctx.by),
    )
    return Section("payoff", title, tuple(blocks))


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

    d = ctx.data.dropna(subset=["bold_choice", outcome])
    sizes = d[ctx.by].value_counts()
    two = list(sizes[sizes > 0].index[:2])
    if len(two) < 2:
        return Section("mediation", title, unavailable="Needs two groups with data.")
    d = d[d[ctx.by].isin(two)]
    d = d.assign(bold_choice=d["bold_choice"].astype(bool), **{outcome: _binary(d, outcome)})
    if not _cells_safe(ctx, d, outcome):
        return Section(
            "mediation",
            title,
            (Paragraph(_withheld_sentence(ctx, "Mediation and decomposition"), kind="note"),),
        )
    blocks: list[Block] = []
    ref, other = two[0], two[1]
    exposure = f"{other}_vs_{ref}"
    d = d.assign(
        **{
            exposure: (d[ctx.by] == other).astype(float),
            "bold_choice": d["bold_choice"].astype(float),
            outcome: d[outcome].astype(float),
        }
    )
    try:
        res = mediation(
            d, exposure, "bold_choice", outcome, n_sims=ctx.options.n_sims, rng=ctx.options.seed
        )
    except MentorAnalyticsError as exc:
        blocks.append(Paragraph(f"Mediation could not be estimated: {exc}", kind="note"))
    else:
        blocks.append(
            TableBlock(
                "mediation",
                f"Effect of being {_label(other)} rather than "
                f"{_label(ref)} on {outcome}, through bold choice "
                "(quasi-Bayesian Monte Carlo, Imai, Keele & Tingley 2010)",
                res.table,
                digits=3,
                notes=tuple(res.notes),
            )
        )
        _append_figure(
            ctx,
            blocks,
            "mediation",
            "Mediation: the indirect path through bold "
            "choice (ACME), the direct path (ADE) and the total effect, with 95% "
            "intervals.",
            lambda: plot.plot_mediation(res),
        )
    try:
        dec = decompose_gap(
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
        blocks.append(
            TableBlock(
                "decomposition",
                "Gap decomposition (Kitagawa 1955): the part "
                "of the gap from different shares of bold choices "
                "(composition) and from different returns to them",
                dec.to_frame(),
                digits=3,
                notes=tuple(dec.notes),
            )
        )
    return Section("mediation", title, tuple(blocks))


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

    if not _all_groups_publishable(ctx, ctx.data):
        return Section(
            "time",
            title,
            (Paragraph(_withheld_sentence(ctx, "Time-to-promotion curves"), kind="note"),),
        )
    blocks: list[Block] = []
    km = kaplan_meier(ctx.data, by=ctx.by)
    lr = logrank_test(ctx.data, by=ctx.by)
    blocks.append(
        TableBlock(
            "logrank",
            "Log-rank test of time to promotion by gender",
            lr.to_frame().set_axis(["log-rank"], axis=0),
            digits=3,
        )
    )
    med = getattr(km, "medians", None)
    if isinstance(med, pd.DataFrame):
        med = med.set_index("group") if "group" in med else med
        med.index = [_label(g) for g in med.index]
        counts = [c for c in ("n", "events", "censored") if c in med]
        small = (med[counts] > 0) & (med[counts] < ctx.policy.threshold)
        mask = pd.DataFrame(False, index=med.index, columns=med.columns)
        if not ctx.internal:
            mask.loc[small.any(axis=1), :] = True
        blocks.append(
            TableBlock("km_median", "Median months to promotion", med, suppressed=mask, digits=1)
        )
    # numbers at risk only at times where no group's count is small
    horizon = float(km.table["time"].max())
    times = [float(t) for t in np.arange(0.0, horizon + 1e-9, 12.0)]
    risk = km.at_risk(times)
    ok = risk.groupby("time")["n_at_risk"].apply(
        lambda s: bool(((s == 0) | (s >= ctx.policy.threshold)).all())
    )
    times = [t for t in times if ctx.internal or bool(ok.get(t, False))]
    _append_figure(
        ctx,
        blocks,
        "km",
        "Kaplan-Meier curves by gender with 95% bands; numbers at risk below (shown only at "
        "times when no group has fewer than the disclosure threshold at risk).",
        lambda: plot.plot_km(km, by=ctx.by, at_risk_times=times),
    )
    blocks += [Paragraph(n, kind="note") for n in km.notes]
    return Section("time", title, tuple(blocks))


def cohorts_section(ctx: ReportContext) -> Section:
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
    from .. import plot

    d = (ctx.data if ctx.breakdown_ok else ctx.all_data).dropna(subset=[outcome])
    d = d.assign(cohort=d["cohort"].astype(str), **{outcome: _binary(d, outcome)})
    name = f"cohort_{outcome}"
    table = ctx.protect([(name, "cohort", outcome, None)], data=d)[name]
    blocks: list[Block] = [
        ctx.count_block(name, f"{outcome.replace('_', ' ').capitalize()} by cohort", table)
    ]
    if bool(table.suppressed.any().any()) and not ctx.internal:
        blocks.append(
            Paragraph(
                "Funnel and trend charts are not drawn: some cohort counts are suppressed.",
                kind="note",
            )
        )
    else:
        _append_figure(
            ctx,
            blocks,
            "funnel",
            f"Funnel plot: each cohort's {outcome} rate against "
            "its size, with 95% and 99.8% control limits around the overall rate.",
            lambda: plot.plot_cohort_funnel(d, outcome),
        )
        _append_figure(
            ctx,
            blocks,
            "trend",
            f"{outcome.replace('_', ' ').capitalize()} by cohort with 95% Wilson intervals.",
            lambda: plot.plot_cohort_trend(d, outcome),
        )
    return Section("cohorts", title, tuple(blocks))


def limits_section(ctx: ReportContext) -> Section:
    from ..stats import detectable_difference

    sizes = ctx.data[ctx.by].value_counts()
    sizes = sizes[sizes > 0]
    lines: list[Block] = []
    if len(sizes) >= 2:
        n1, n2 = int(sizes.iloc[0]), int(sizes.iloc[1])
        rows = []
        for base in (0.2, 0.3, 0.5):
            rows.append(
                {
                    "base_rate": base,
                    "detectable_difference": detectable_difference(n1, n2, base_rate=base),
                }
            )
        table = pd.DataFrame(rows).set_index("base_rate")
        lines.append(
            TableBlock(
                "detectable",
                "Smallest gap between the two largest groups that this sample could "
                "detect (two-sided 5% test, 80% power), by the rate in the reference group",
                table,
                digits=3,
                percent_columns=("detectable_difference",),
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
        blocks.append(
            TableBlock("provenance", "Data provenance: files, SHA-256 and rows read", src)
        )
    n_used = len(as_frame(cohort))
    n_read = n_used + len(getattr(cohort, "excluded", ()))
    blocks.append(
        Paragraph(
            f"{n_read} rows read: {n_used} analysed and "
            f"{len(getattr(cohort, 'excluded', ()))} excluded."
            + (
                f" The report covers the {len(ctx.all_data)} participants in the selected cohorts."
                if len(ctx.all_data) != n_used
                else ""
            )
        )
    )
    excluded = getattr(cohort, "excluded", None)
    if excluded is not None and len(excluded):
        ex = excluded.copy().reset_index(drop=True)
        ex.index = ex.index + 1
        ex.index.name = "#"
        blocks.append(TableBlock("excluded", "Rows excluded, with the reason for each", ex))
    d = ctx.all_data
    miss = d[[c for c in schema.CANONICAL_COLUMNS if c in d]].isna().sum()
    mt = pd.DataFrame({"missing": miss.astype(int), "percent": miss / max(len(d), 1)})
    mt.index.name = "column"
    small = (mt["missing"] > 0) & (mt["missing"] < ctx.policy.threshold)
    blocks.append(
        TableBlock(
            "missingness",
            "Missing values per column",
            mt,
            suppressed=pd.DataFrame({"missing": small, "percent": small}),
            percent_columns=("percent",),
            digits=0,
            notes=(f"Counts of 1 to {ctx.policy.threshold - 1} are suppressed.",)
            if bool(small.any())
            else (),
        )
    )
    absent = [c for c in schema.CANONICAL_COLUMNS if c not in d]
    if absent:
        blocks.append(
            Paragraph("Columns absent from the data: " + ", ".join(absent) + ".", kind="note")
        )
    return Section("data-quality", "Appendix: data quality", tuple(blocks))


SECTION_BUILDERS: list[Callable[[ReportContext], Section]] = [
    overview_section,
    securing_section,
    boldness_section,
    outcomes_section,
    payoff_section,
    mediation_section,
    survival_section,
    cohorts_section,
    limits_section,
    methods_section,
    data_quality_section,
]


def headline_section(ctx: ReportContext) -> Section:
    blocks: list[Block] = []
    if not ctx.findings:
        blocks.append(Paragraph("No comparison could be made with these data.", kind="note"))
    for f in ctx.findings:
        blocks.append(Paragraph(f.text, kind="finding"))
    return Section(
        "headline",
        "Headline findings",
        tuple(blocks),
        intro="Each sentence gives the rates, their n, the gap with its 95% "
        "confidence interval and, where no difference is clear, the smallest gap "
        "these numbers could have detected.",
    )


def _platform() -> str:
    return f"Python {platform.python_version()}"
