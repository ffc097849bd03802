"""The "Careers over time" section: follow-up waves, every number through the release gate.

Only when the cohort carries follow-up waves (``load_cohort(..., followup=...)``, or the
``programme`` sample).  The waves are turned into person-level columns (answered wave
*m*, level at *m*, ...), so every published table is a table of participants and the
joint audit of the whole report covers them:

* **response** per wave: a table group x answered among those due at that wave;
* **trajectories** of level and satisfaction: per wave and group a summary (mean with
  its interval) decided by the gate like every other summary;
* **mentor contact**: per wave a table group x still in contact (mentored participants
  who answered);
* **promotion**, interval-censored: the basis table group x (left, right] interval, on
  the largest schedule of wave times whose intervals leave no small cell (answers at the
  other waves set aside); the Turnbull curves and the test are computed from the
  released counts only;
* **attrition**: complete cases beside a weighting-class (inverse probability of
  response) estimate of "promoted by month H", from a released basis table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import MentorAnalyticsError
from ..stats._wavedata import due_matrix
from .model import Block, Paragraph, Section, TableBlock
from .sections import (
    ReportContext,
    _append_figure,
    _label,
    _people,
    _withheld_section,
    _withheld_sentence,
    p_text,
    strength,
)

#: The month at which the attrition sensitivity compares complete cases with weighting
#: (the nearest wave when the study has none at this month).
HORIZON_MONTHS = 24
#: A difference between complete-case and weighted rates that the text calls a
#: disagreement (or the weighted rate outside the complete-case interval).
DISAGREE_MARGIN = 0.05


def _month(m: float) -> str:
    return f"{m:g}"


def _wide(ctx: ReportContext, waves: pd.DataFrame) -> tuple[pd.DataFrame, list[float]]:
    """Per participant of the report (``ctx.data``'s index): for each wave month ``m``,
    ``due_m`` (the wave was run for them), ``answered_m`` (bool, missing when not due),
    ``level_m``, ``satisfaction_m``, ``contact_m`` (values of answered waves)."""
    data = ctx.data
    pid = data["participant_id"].astype(str)
    row_of = pd.Series(data.index, index=pid.to_numpy())
    w = waves[waves["participant_id"].astype(str).isin(set(pid))]
    months = sorted(float(m) for m in w["months"].dropna().unique())
    # due: the wave was run for the participant's intake (everyone's rows tell)
    everyone = ctx.all_data
    matrix = due_matrix(everyone, waves, months)
    due = pd.DataFrame(
        matrix, index=everyone["participant_id"].astype(str).to_numpy(), columns=months
    )
    out: dict[str, pd.Series] = {}
    answered = w["responded"].astype("boolean").fillna(False).astype(bool)
    for m in months:
        at = w[(w["months"] == m) & answered]
        rows = row_of.reindex(at["participant_id"].astype(str)).to_numpy()
        due_m = pd.Series(due[m].reindex(pid.to_numpy()).fillna(False).to_numpy(), data.index)
        ans = pd.Series(False, index=data.index)
        ans.loc[rows] = True
        out[f"due_{_month(m)}"] = due_m.astype(bool)
        out[f"answered_{_month(m)}"] = ans.where(due_m).astype("boolean")
        for col, name in (
            ("current_level", "level"),
            ("career_satisfaction", "satisfaction"),
            ("in_contact_with_mentor", "contact"),
        ):
            values = pd.Series(np.nan, index=data.index, dtype=object)
            if col in at:
                values.loc[rows] = at[col].to_numpy()
            out[f"{name}_{_month(m)}"] = values
    return pd.DataFrame(out, index=data.index), months


def _once(ctx: ReportContext, name: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per report: the builds of a report share ``ctx.memo``, and the
    follow-up data and the reporting population are the same in each."""
    key = ("careers", name)
    if key not in ctx.memo:
        ctx.memo[key] = compute()
    return ctx.memo[key]


def careers_section(ctx: ReportContext) -> Section | None:
    """Careers over time (None when the cohort has no follow-up waves)."""
    waves = getattr(ctx.cohort, "waves", None)
    if waves is None or not len(waves) or "participant_id" not in ctx.all_data:
        return None
    title = "Careers over time"
    if not ctx.breakdown_ok:
        return _withheld_section(ctx, "careers", title)
    ctx.step("analysing: careers over time")
    wide, months = _once(ctx, "wide", lambda: _wide(ctx, waves))
    if not months:
        return None
    d = ctx.data.join(wide)
    blocks: list[Block] = []
    blocks += _response_blocks(ctx, d, months)
    blocks += _promotion_blocks(ctx, waves)
    for variable, what in (
        ("level", "Level (1 individual contributor to 6 chief officer)"),
        ("satisfaction", "Career satisfaction (1 to 5)"),
    ):
        blocks += _trajectory_blocks(ctx, d, months, variable, what)
    blocks += _contact_blocks(ctx, d, months)
    blocks += _attrition_blocks(ctx, d, waves, months)
    intro = (
        "What the follow-up surveys show. Each wave counts the participants it was run for "
        "(a wave not yet reached by an intake is not a missed answer); levels and "
        "satisfaction describe those who answered, so a change over time may be people "
        "leaving the survey as much as careers moving. Promotion is known only to lie "
        "between two answered waves, and is analysed as such."
    )
    return Section("careers", title, tuple(blocks), intro=intro)


# -- response ----------------------------------------------------------------------------


def _yes_no_rows(
    ctx: ReportContext, name: str, frame: pd.DataFrame, column: str, groups: str | None
) -> list[dict[str, Any]]:
    """Per group: n, events and the rate with its Wilson interval, from a gate table of
    group x ``column`` (yes/no); a group whose cells are suppressed is marked so."""
    from ..stats import proportion_ci

    frame = frame.assign(_yes=frame[column].astype("boolean").astype(bool))
    table = ctx.gate.table(name, frame, ctx.by, "_yes", groups=groups)
    ok = ctx.group_ok(table) if True in table.counts.columns else pd.Series(dtype=bool)
    rows = []
    for g in ctx.groups:
        row: dict[str, Any] = {"group": g}
        if g in ok.index and ok[g]:
            key = next(i for i in table.published.index if str(i) == g)
            k = float(table.published.loc[key, True])
            n = float(table.published.loc[key, True] + table.published.loc[key, False])
            low, high = proportion_ci(k, n)
            row.update(n=n, events=k, rate=k / n, ci_low=low, ci_high=high, suppressed=False)
        else:
            row.update(
                n=np.nan, events=np.nan, rate=np.nan, ci_low=np.nan, ci_high=np.nan, suppressed=True
            )
        rows.append(row)
    return rows


def _rates_block(
    name: str, caption: str, table: pd.DataFrame, ctx: ReportContext, notes: Sequence[str] = ()
) -> TableBlock:
    shown = table.assign(group=[_label(g) for g in table["group"]])
    shown = shown.set_index(["months", "group"])[["n", "events", "rate", "ci_low", "ci_high"]]
    mask = pd.DataFrame(
        np.repeat(table["suppressed"].to_numpy()[:, None], shown.shape[1], axis=1),
        index=shown.index,
        columns=shown.columns,
    )
    return TableBlock(
        name,
        caption,
        shown,
        suppressed=mask,
        digits=3,
        percent_columns=("rate", "ci_low", "ci_high"),
        notes=tuple(notes),
        technical=True,
    )


def _response_blocks(ctx: ReportContext, d: pd.DataFrame, months: list[float]) -> list[Block]:
    from .. import plot

    rows = []
    for m in months:
        due = d[d[f"due_{_month(m)}"]]
        if not len(due):
            continue
        for r in _yes_no_rows(ctx, f"answered_{_month(m)}", due, f"answered_{_month(m)}", None):
            rows.append({"months": m, **r})
    if not rows:
        return []
    table = pd.DataFrame(rows)
    ctx.answers["careers:response"] = table
    blocks: list[Block] = [
        _rates_block(
            "followup_response",
            "Answered each follow-up wave, among those it was run for (n), by group (95% CI)",
            table,
            ctx,
        )
    ]
    if table["suppressed"].all():
        return blocks  # a chart of nothing but "suppressed" tells nothing
    _append_figure(
        ctx,
        blocks,
        "followup_response",
        "Share who answered each follow-up wave, by group, with 95% intervals.",
        functools.partial(plot.plot_response, table, title="Answered each wave"),
    )
    return blocks


# -- trajectories ------------------------------------------------------------------------


def _trajectory_blocks(
    ctx: ReportContext, d: pd.DataFrame, months: list[float], variable: str, what: str
) -> list[Block]:
    from .. import plot
    from ..stats.trajectories import _mean_ci

    rows = []
    reasons: set[str] = set()
    for m in months:
        col = f"{variable}_{_month(m)}"
        for g in ctx.groups:
            values = pd.to_numeric(d.loc[d[ctx.by].astype(str) == g, col], errors="coerce")
            values = values.dropna().astype(float)
            if not len(values):
                continue
            decision = ctx.gate.summary(f"{col}:{g}", values, floor=1.0)
            ok = not decision["mean"] and not decision["sd"] and not decision["n"]
            row: dict[str, Any] = {"months": m, "group": g}
            if ok:
                n, mean, low, high = _mean_ci(values.to_numpy(), 0.05)
                row.update(n=n, estimate=mean, ci_low=low, ci_high=high, suppressed=False)
            else:
                reasons |= {w for w in (decision["n"], decision["mean"], decision["sd"]) if w}
                row.update(
                    n=np.nan, estimate=np.nan, ci_low=np.nan, ci_high=np.nan, suppressed=True
                )
            rows.append(row)
    if not rows:
        return []
    table = pd.DataFrame(rows)
    shown = table.assign(group=[_label(g) for g in table["group"]]).set_index(["months", "group"])
    shown = shown[["n", "estimate", "ci_low", "ci_high"]]
    mask = pd.DataFrame(
        np.repeat(table["suppressed"].to_numpy()[:, None], 4, axis=1),
        index=shown.index,
        columns=shown.columns,
    )
    notes = ["Means of those who answered the wave; minimum and maximum are never published."]
    notes += sorted(f"Withheld: {r}." for r in reasons)
    blocks: list[Block] = [
        TableBlock(
            f"followup_{variable}",
            f"{what}: mean at each wave by group, among those who answered (95% CI)",
            shown,
            suppressed=mask,
            digits=2,
            notes=tuple(notes),
            technical=True,
        )
    ]
    if (~table["suppressed"]).sum() >= 2:
        outcome = "current_level" if variable == "level" else "career_satisfaction"
        _append_figure(
            ctx,
            blocks,
            f"followup_{variable}",
            f"{what} over the follow-up waves by group: means of those who answered, with "
            "95% intervals and the number who answered.",
            functools.partial(
                plot.plot_trajectories, table, outcome=outcome, title=f"{what.split(' (')[0]}"
            ),
        )
    return blocks


def _contact_blocks(ctx: ReportContext, d: pd.DataFrame, months: list[float]) -> list[Block]:
    from .. import plot

    rows = []
    for m in months:
        col = f"contact_{_month(m)}"
        answered = d[d[col].notna()]
        if not len(answered):
            continue
        for r in _yes_no_rows(ctx, f"contact_{_month(m)}", answered, col, "rows"):
            rows.append({"months": m, **r})
    if not rows:
        return []
    table = pd.DataFrame(rows)
    blocks: list[Block] = [
        _rates_block(
            "followup_contact",
            "Still in contact with the mentor at each wave, among mentored participants who "
            "answered (95% CI)",
            table,
            ctx,
        )
    ]
    if (~table["suppressed"]).sum() >= 2:
        _append_figure(
            ctx,
            blocks,
            "followup_contact",
            "Share of mentored participants still in contact with their mentor, by wave and "
            "group, with 95% intervals.",
            functools.partial(
                plot.plot_trajectories,
                table.rename(columns={"rate": "estimate"}),
                outcome="in_contact_with_mentor",
                title="Still in contact with the mentor",
            ),
        )
    return blocks


# -- promotion, interval-censored ----------------------------------------------------------


def _on_grid(
    right: np.ndarray, asked: np.ndarray, months: np.ndarray, grid: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """The intervals as if the study had asked only at the ``grid`` times.

    ``asked`` (people x ``months``) marks the waves each person answered with the
    promotion question filled; ``right`` is the month their first promotion was reported
    (inf if never).  Keeping only answers at grid times is a coarser inspection schedule,
    independent of when promotions happen, so the Turnbull estimate stays valid on it (a
    promotion reported at a wave off the grid is not carried to a grid wave the person
    missed)."""
    use = asked & np.isin(months, np.asarray(grid, dtype=float))[None, :]
    r = right[:, None]
    left_g = np.where(use & (months[None, :] < r), months[None, :], 0.0).max(axis=1)
    right_g = np.where(use & (months[None, :] >= r), months[None, :], np.inf).min(axis=1)
    return left_g, right_g


def _best_schedule(
    groups: np.ndarray,
    right: np.ndarray,
    asked: np.ndarray,
    months: np.ndarray,
    grid: list[float],
    policy: Any,
) -> list[float]:
    """The largest subset of the wave times (the later times on ties) on which no group x
    interval cell is small; the last time alone when none is."""
    import itertools

    times = list(grid)
    if len(times) > 10:  # too many subsets: keep every second wave, then search
        times = times[1::2]
    for size in range(len(times) - 1, 0, -1):
        for subset in itertools.combinations(reversed(times), size):
            trial = sorted(subset)
            if not _small_cells(groups, *_on_grid(right, asked, months, trial), policy):
                return trial
    return [times[-1]]


def _small_cells(groups: np.ndarray, left: np.ndarray, right: np.ndarray, policy: Any) -> int:
    """Small cells of the table group x (left, right] interval ((0, inf) left out)."""
    informative = (left > 0) | np.isfinite(right)
    g_codes, _ = pd.factorize(groups[informative])
    pairs = np.column_stack([left[informative], right[informative]])
    _, t_codes = np.unique(pairs, axis=0, return_inverse=True)
    t_codes = t_codes.reshape(-1)
    n_g, n_t = int(g_codes.max(initial=-1)) + 1, int(t_codes.max(initial=-1)) + 1
    counts = np.bincount(g_codes * n_t + t_codes, minlength=n_g * n_t).reshape(n_g, n_t)
    return int(policy._primary(counts).sum())


def _interval_labels(lo: np.ndarray, hi: np.ndarray) -> pd.Series:
    return pd.Series(
        [
            f"({a:g}, {'inf' if not np.isfinite(b) else f'{b:g}'}]"
            for a, b in zip(lo, hi, strict=True)
        ]
    )


def _promotion_blocks(ctx: ReportContext, waves: pd.DataFrame) -> list[Block]:
    from .. import plot
    from ..stats import interval_survival, interval_test, promotion_intervals

    data = ctx.data
    pid = data["participant_id"].astype(str)
    w = waves[waves["participant_id"].astype(str).isin(set(pid))]
    try:
        iv = _once(ctx, "intervals", lambda: promotion_intervals(w))
    except MentorAnalyticsError:
        return []
    row_of = pd.Series(data.index, index=pid.to_numpy())
    iv = iv.assign(_row=row_of.reindex(iv["participant_id"].astype(str)).to_numpy())
    frame = data.loc[iv["_row"].to_numpy(), [ctx.by]]
    groups = frame[ctx.by].astype(str).to_numpy()
    right_all = iv["right"].to_numpy(dtype=float)
    answered = w[
        w["responded"].astype("boolean").fillna(False).astype(bool) & w["promoted"].notna()
    ]
    months = np.asarray(sorted(float(m) for m in w["months"].dropna().unique()), dtype=float)
    person = pd.Index(iv["participant_id"].astype(str)).get_indexer(
        answered["participant_id"].astype(str)
    )
    wave = np.searchsorted(months, answered["months"].to_numpy(dtype=float))
    asked = np.zeros((len(iv), months.size), dtype=bool)
    asked[person[person >= 0], wave[person >= 0]] = True
    grid = months.tolist()
    left, right = _on_grid(right_all, asked, months, grid)
    # the most wave times (latest first on ties) whose intervals leave no small cell
    if ctx.policy.suppresses and _small_cells(groups, left, right, ctx.policy):
        grid = _best_schedule(groups, right_all, asked, months, grid, ctx.policy)
        left, right = _on_grid(right_all, asked, months, grid)
    informative = (left > 0) | np.isfinite(right)
    frame, left, right = frame[informative], left[informative], right[informative]
    labels = _interval_labels(left, right)
    frame = frame.assign(_interval=labels.to_numpy())
    basis = ctx.gate.basis(
        "promotion_intervals",
        frame,
        ctx.by,
        "_interval",
        what="Promotion between follow-up waves (interval-censored)",
    )
    blocks: list[Block] = []
    if not basis.ok:
        blocks.append(
            Paragraph(_withheld_sentence(ctx, "Promotion over the follow-up waves"), kind="note")
        )
        return blocks
    released = basis.expand(ctx.by, "_interval")
    bounds = released["_interval"].str.strip("(]").str.split(", ", expand=True)
    released = released.assign(
        left=bounds[0].astype(float), right=bounds[1].replace("inf", "inf").astype(float)
    )
    seed = ctx.options.seed
    surv = ctx.cached(interval_survival, released, by=ctx.by, rng=seed)
    curve = surv.at(grid)
    ctx.answers["careers:curve"] = curve
    # the people behind each group's curve: sums of released interval counts
    ctx.answers["careers:n"] = released[ctx.by].astype(str).value_counts().to_dict()
    shown = curve.assign(group=[_label(g) for g in curve["group"]]).set_index(["group", "time"])
    keep = [c for c in ("survival", "ci_low", "ci_high") if c in shown]
    blocks.append(
        TableBlock(
            "followup_promotion",
            "Share not yet promoted at each wave time (Turnbull estimate from the released "
            "interval counts; 95% bootstrap CI)",
            shown[keep],
            digits=3,
            percent_columns=tuple(keep),
            notes=(
                "A promotion is known only to lie between the last wave that said 'not yet' "
                "and the first that said 'promoted'. So that no interval is shared by fewer "
                "people than the disclosure threshold, only the answers at the wave times "
                f"{', '.join(_month(m) for m in grid)} are used (as if the study had asked "
                "only then; the estimate stays valid, only less precise).",
            ),
            technical=True,
        )
    )
    test = None
    if len(ctx.groups) >= 2:
        try:
            test = ctx.cached(
                interval_test,
                released,
                by=ctx.by,
                reference=ctx.reference,
                method="permutation",
                n_resamples=2000,
                rng=seed,
            )
        except MentorAnalyticsError:
            test = None
    if test is not None:
        tt = test.table if hasattr(test, "table") else test.to_frame()
        blocks.append(
            TableBlock(
                "followup_promotion_test",
                "Test of equal promotion curves between groups (interval-censored log-rank "
                "scores, permutation p-value, from the released counts)",
                tt,
                digits=3,
                technical=True,
            )
        )
        p = float(tt["p_value"].iloc[0])
        ctx.answers["careers:test"] = p
        blocks.append(Paragraph(_timing_sentence(ctx, curve, p), kind="text"))
    _append_figure(
        ctx,
        blocks,
        "followup_promotion",
        "Share promoted by each wave time, by group (Turnbull estimate, 95% intervals): "
        "known only at the wave times, so the points are joined by dotted lines.",
        functools.partial(
            plot.plot_interval_survival, curve, title="Promoted by each wave (interval-censored)"
        ),
    )
    return blocks


def _timing_sentence(ctx: ReportContext, curve: pd.DataFrame, p: float) -> str:
    F, R = ctx.focus, ctx.reference
    last = float(curve["time"].max())
    at = curve[curve["time"] == last].set_index("group")
    n = ctx.answers.get("careers:n", {})

    def promoted(g: str) -> str:
        """The share promoted by ``last`` with its interval (1 minus the survival's) and n."""
        row = at.loc[g]
        where = f"95% CI {1 - row['ci_high']:.0%} to {1 - row['ci_low']:.0%}"
        where += f", n = {n[g]}" if g in n else ""
        return f"{1 - row['survival']:.0%} of {_people(g)} ({where})"

    words = {
        "evidence": "evidence that promotion came at a different pace for",
        "weak": "weak evidence that promotion came at a different pace for",
        "none": "no clear difference in the pace of promotion between",
        "withheld": "no test of the pace of promotion between",
    }[strength(p)]
    share = ""
    if F is not None and R is not None and F in at.index and R in at.index:
        share = (
            f" By month {last:g}, {promoted(F)} and {promoted(R)} had been promoted "
            "(interval-censored estimate)."
        )
    return f"Over the follow-up waves there is {words} {_people(F)} and {_people(R)} ({p_text(p)}).{share}"


# -- attrition ---------------------------------------------------------------------------


def _attrition_blocks(
    ctx: ReportContext, d: pd.DataFrame, waves: pd.DataFrame, months: list[float]
) -> list[Block]:
    """Promoted by month H: complete cases beside weighting classes (group x status at the
    last earlier answer), from a released basis table group x class x status at H."""
    from ..stats import proportion_ci

    h = min(months, key=lambda m: (abs(m - HORIZON_MONTHS), m))
    due = d[d[f"due_{_month(h)}"]]
    if not len(due):
        return []
    status, prior = _status_at(waves, due, h, months)
    # the finest weighting classes whose cells are not small
    frame = None
    for classes in (
        prior,
        np.where(prior == "promoted earlier", prior, "not known promoted earlier"),
    ):
        trial = due[[ctx.by]].assign(_class=classes, _status=status)
        cells = pd.crosstab(
            [trial[ctx.by].astype(str).to_numpy(), trial["_class"].to_numpy()],
            trial["_status"].to_numpy(),
        )
        if not ctx.policy.suppresses or not ctx.policy._primary(cells.to_numpy()).any():
            frame = trial
            break
    if frame is None:  # weighting classes would be small: nothing to weight by
        return [
            Paragraph(
                f"Missed answers on 'promoted by month {h:g}' could not be checked: the "
                "classes of people alike before the wave, which weighting needs, are too "
                f"small to publish under the '{ctx.policy.name}' disclosure policy.",
                kind="note",
            )
        ]
    basis = ctx.gate.basis(
        f"attrition_{_month(h)}",
        frame,
        [ctx.by, "_class"],
        "_status",
        what=f"Promoted by month {h:g}: complete cases and weighted",
    )
    if not basis.ok:
        return [
            Paragraph(
                _withheld_sentence(
                    ctx, f"The check of missed answers on 'promoted by month {h:g}'"
                ),
                kind="note",
            )
        ]
    counts = basis.released
    rows = []
    for g in ctx.groups:
        part = counts[[str(i[0]) == g for i in counts.index]]
        if not len(part):
            continue
        yes = part.get("promoted", 0) * 1.0
        no = part.get("not promoted", 0) * 1.0
        answered = yes + no
        total = part.sum(axis=1).astype(float)
        r_all, k_all = float(answered.sum()), float(yes.sum())
        if r_all <= 0:
            continue
        cc = k_all / r_all
        cc_lo, cc_hi = proportion_ci(k_all, r_all)
        has = answered > 0
        share = total[has] / float(total[has].sum())
        p_c = yes[has] / answered[has]
        ipw = float((share * p_c).sum())
        se = float(np.sqrt((share**2 * p_c * (1 - p_c) / answered[has]).sum()))
        rows.append(
            {
                "group": g,
                "n": float(total.sum()),
                "answered": r_all,
                "complete_case": cc,
                "cc_low": float(cc_lo),
                "cc_high": float(cc_hi),
                "weighted": ipw,
                "w_low": max(0.0, ipw - 1.96 * se),
                "w_high": min(1.0, ipw + 1.96 * se),
                "unweightable": float(total[~has].sum()),
            }
        )
    if not rows:
        return []
    table = pd.DataFrame(rows)
    table["disagree"] = ((table["weighted"] - table["complete_case"]).abs() >= DISAGREE_MARGIN) | (
        (table["weighted"] < table["cc_low"]) | (table["weighted"] > table["cc_high"])
    )
    sentence = _attrition_sentence(table, h)
    ctx.answers["careers:attrition"] = (sentence, bool(table["disagree"].any()))
    shown = table.assign(group=[_label(g) for g in table["group"]]).set_index("group")
    return [
        TableBlock(
            "followup_attrition",
            f"Promoted by month {h:g}: those who answered (complete cases) beside the "
            "estimate weighted for who answered (weighting classes: group and the answer at "
            "the last earlier wave), 95% CI",
            shown.drop(columns=["disagree"]),
            digits=3,
            percent_columns=("complete_case", "cc_low", "cc_high", "weighted", "w_low", "w_high"),
            notes=(
                "Weighting makes those who answered stand for everyone the wave was run for, "
                "within classes of people alike before the wave; it corrects for missed "
                "answers only as far as those classes explain who missed them.",
            ),
            technical=True,
        ),
        Paragraph(sentence, kind="text"),
    ]


def _status_at(
    waves: pd.DataFrame, due: pd.DataFrame, h: float, months: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Per due participant: status at month ``h`` (promoted by then / not promoted / no
    answer) and the class (status at the last answered wave before ``h``)."""
    pid = due["participant_id"].astype(str)
    w = waves[waves["participant_id"].astype(str).isin(set(pid))]
    answered = w["responded"].astype("boolean").fillna(False).astype(bool)
    w = w[answered]
    promoted = w["promoted"].astype("boolean").fillna(False).astype(bool)
    first = w[promoted].groupby(w.loc[promoted, "participant_id"].astype(str))["months"].min()
    at_h = set(w.loc[w["months"] == h, "participant_id"].astype(str))
    before = w[w["months"] < h]
    last_before = before.groupby(before["participant_id"].astype(str))["months"].max()
    first_m = first.reindex(pid.to_numpy()).to_numpy(dtype=float)
    status = np.where(
        [p not in at_h for p in pid],
        "no answer",
        np.where(first_m <= h, "promoted", "not promoted"),
    )
    last = last_before.reindex(pid.to_numpy()).to_numpy(dtype=float)
    prior = np.where(
        np.isnan(last),
        "no earlier answer",
        np.where(first_m <= last, "promoted earlier", "not promoted earlier"),
    )
    return status, prior


def _attrition_sentence(table: pd.DataFrame, h: float) -> str:
    parts = [
        f"{_people(r.group)}: {r.complete_case:.0%} among those who answered, "
        f"{r.weighted:.0%} weighted"
        for r in table.itertuples()
    ]
    if table["disagree"].any():
        head = (
            f"Missed answers matter for 'promoted by month {h:g}': weighting those who "
            "answered to stand for everyone changes the estimate, so the complete-case "
            "figures should not be read alone"
        )
    else:
        head = (
            f"Missed answers change little for 'promoted by month {h:g}': weighting those "
            "who answered to stand for everyone gives about the same estimate"
        )
    return f"{head} ({'; '.join(parts)})."


def careers_answer(ctx: ReportContext) -> str | None:
    """The first page's words on careers over time, or None when there is nothing to say."""
    p = ctx.answers.get("careers:test")
    curve = ctx.answers.get("careers:curve")
    if p is None or curve is None:
        return None
    text = _timing_sentence(ctx, curve, p)
    attrition = ctx.answers.get("careers:attrition")
    if attrition and attrition[1]:
        text += " " + attrition[0]
    return text
