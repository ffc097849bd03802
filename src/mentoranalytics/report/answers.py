"""The first page: the course leader's four questions, each answered in one plain sentence.

1. Were women's mentor choices less bold?
2. Did outcomes differ?
3. Did boldness pay off, and for whom?
4. How much of a gap runs through boldness?

Every number here was released by the section builders through the release gate and
kept on ``ctx.answers`` (rates and gaps computed from released counts, released
summaries, models and mediation on released cells, released group sizes); nothing is
computed from the microdata.  Each answer is worded by the strength of evidence after
the multiplicity adjustment of its question's family (Holm; see the Methods section):
question 1, the bold-choice and boldness-index gaps; question 2, every outcome's gap;
question 3, the payoff within each group; question 4, one estimate.  A withheld
answer says why in words.  The first page also says what a cohort this size can show
and what pooling would need (:func:`limits_sentence`).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from .model import Block, Paragraph, Section
from .sections import (
    MIN_COMPARED,
    ReportContext,
    _append_figure,
    _missing,
    _pct,
    _people,
    _pts,
    p_text,
    strength,
    what_of,
)

_LEADS = {
    "evidence": "there is evidence",
    "weak": "the evidence is weak",
    "none": "no clear difference",
}
#: How each yes/no outcome reads in a sentence about people ("... were promoted").
_VERBS = {
    "promoted": ("was promoted", "were promoted"),
    "role_change": ("changed role", "changed role"),
    "joined_mentor_organisation": (
        "joined the mentor's organisation",
        "joined the mentor's organisation",
    ),
    "in_contact_with_mentor": ("is still in contact", "are still in contact"),
    "completed_programme": ("completed the programme", "completed the programme"),
    "discussed_setbacks": ("felt able to raise a setback", "felt able to raise a setback"),
}


def _verb(outcome: str, plural: bool = True) -> str:
    one, many = _VERBS.get(outcome, (f"had '{what_of(outcome).lower()}'",) * 2)
    return many if plural else one


def _adj(p: Any) -> str:
    """'adjusted p = 0.046' (or '< 0.001'); '' without a value."""
    text = p_text(p)
    return f"adjusted {text}" if text else ""


def _ci(low: Any, high: Any) -> str:
    return f"95% CI {_pts(low)} to {_pts(high)}"


def _points(x: Any) -> str:
    """'-12 points', '-1 point', '0 points'."""
    text = _pts(x)
    return f"{text} point" if text in ("+1", "-1") else f"{text} points"


def _quoted(column: str) -> str:
    """An outcome's one label, quoted in a sentence: "'Promoted'"."""
    return f"'{what_of(column)}'"


def _policy_reason(ctx: ReportContext, reason: str, what: str) -> str:
    """A gate's reason for withholding, in words for a course leader."""
    thr, name = ctx.policy.threshold, ctx.policy.name
    if "all or none" in reason:
        why = (
            "in at least one group all or none of the people counted share the outcome, "
            "which would tell each of them"
        )
    elif "joint audit" in reason or "recovered" in reason:
        why = "together with the other tables it would let a withheld small count be worked out"
    else:
        why = f"some of the groups it rests on are too small to publish (fewer than {thr})"
    return (
        f"{what} cannot be shown under the '{name}' disclosure policy: {why}. An internal "
        "report (--privacy internal) shows it to the course team."
    )


def _no_breakdown(ctx: ReportContext) -> str:
    minimum = ctx.options.min_group_size or 2 * ctx.policy.threshold
    return (
        f"Cannot be answered from these data: no two {ctx.by} groups are large enough to "
        f"show separately under the '{ctx.policy.name}' disclosure policy (each needs at "
        f"least {minimum} participants), because showing them could identify people. "
        "Pooling cohorts (see the last answer) or an internal report (--privacy internal, "
        "for the course team only) can answer it."
    )


def _too_few(n: int, who: str) -> str:
    return (
        f"Cannot be answered: there are only {n} {who}, and a comparison needs at least "
        f"{MIN_COMPARED}."
    )


def _rates_of(ctx: ReportContext, name: str) -> tuple[Any, pd.Series | None]:
    """The released compare_rates result of ``name`` and its risk-difference row for the
    focus group (None when withheld)."""
    info = ctx.answers.get(name)
    if info is None or info["res"] is None:
        return None, None
    eff = info["res"].effects
    rows = eff[(eff["measure"] == "risk_difference") & (eff["group"].astype(str) == ctx.focus)]
    return info["res"], (rows.iloc[0] if len(rows) else None)


# -- question 1 ---------------------------------------------------------------------------


def boldness_answer(ctx: ReportContext) -> str:
    """Were the focus group's mentor choices less bold than the reference group's?"""
    if not ctx.breakdown_ok:
        return _no_breakdown(ctx)
    F, R = _people(ctx.focus), _people(ctx.reference)
    res, row = _rates_of(ctx, "bold_choice")
    summ = ctx.answers.get("summary:boldness_index")
    fam = ctx.answers.get("family:boldness", {"bold_choice": {}, "boldness_index": {}})
    if res is None and (summ is None or summ["comparisons"] is None):
        if "bold_choice" in ctx.answers:
            return _policy_reason(ctx, "", "How often each group made a bold choice")
        if _missing(ctx, ["mentor_secured"]) or (
            _missing(ctx, ["mentor_relation"]) and _missing(ctx, ["mentor_in_network"])
        ):
            return (
                "Cannot be answered: the data do not say who the mentors were "
                "(columns 'mentor_relation' or 'mentor_in_network', and 'mentor_level')."
            )
        return _policy_reason(ctx, "", "How bold each group's choices were")
    parts: list[str] = []
    level = "none"
    direction = 0.0
    if res is not None and row is not None:
        g, r = res.rates.loc[row["group"]], res.rates.loc[row["reference"]]
        if min(g["n"], r["n"]) < MIN_COMPARED:
            small = F if g["n"] < r["n"] else R
            return _too_few(int(min(g["n"], r["n"])), f"{small} with a mentor")
        p_adj = fam["bold_choice"].get(ctx.focus, row["p_value"])
        level, direction = strength(p_adj), float(row["estimate"])
        parts.append(
            f"{_pct(g['rate'])} of {F} with a mentor made a bold choice ({int(g['events'])} "
            f"of {int(g['n'])}) against {_pct(r['rate'])} of {R} ({int(r['events'])} of "
            f"{int(r['n'])}), a gap of {_points(row['estimate'])} "
            f"({_ci(row['ci_low'], row['ci_high'])}; {_adj(p_adj)})"
        )
    if summ is not None and summ["comparisons"] is not None:
        comp = summ["comparisons"]
        rows = comp[(comp["measure"] == "cliffs_delta") & (comp["group"].astype(str) == ctx.focus)]
        groups = summ["groups"]
        if len(rows) and ctx.focus in groups.index and ctx.reference in groups.index:
            c = rows.iloc[0]
            m_f, m_r = groups.loc[ctx.focus, "mean"], groups.loc[ctx.reference, "mean"]
            p_adj = fam["boldness_index"].get(ctx.focus, c["p_value"])
            if not parts:
                level, direction = strength(p_adj), float(m_f - m_r)
            parts.append(
                f"their boldness index averaged {m_f:.2f} against {m_r:.2f} on a scale from 0 "
                f"(safest) to 1 (boldest) ({_adj(p_adj)})"
            )
    if level == "evidence":
        lead = "Yes: " if direction < 0 else f"No, the opposite: {F} chose more boldly: "
    elif level == "weak":
        lead = "Possibly, but the evidence is weak: "
    else:
        lead = "No clear difference: "
    return lead + ", and ".join(parts) + "."


# -- question 2 ---------------------------------------------------------------------------


def outcomes_answer(ctx: ReportContext) -> str:
    """Did the outcomes differ, after adjusting for the outcomes compared together?"""
    if not ctx.breakdown_ok:
        return _no_breakdown(ctx)
    if not ctx.outcomes:
        return "Cannot be answered: the data have no outcome columns (e.g. 'promoted')."
    F, R = _people(ctx.focus), _people(ctx.reference)
    fam = ctx.answers.get("family:outcomes")
    rows = fam[fam["group"].astype(str) == ctx.focus] if fam is not None else pd.DataFrame()
    withheld = [
        _quoted(o)
        for o in ctx.outcomes
        if o in ctx.answers and (fam is None or o not in set(rows["outcome"]))
    ]
    tail = ""
    if withheld:
        tail = (
            f" Not shown, because publishing them could identify people under the "
            f"'{ctx.policy.name}' disclosure policy: {', '.join(withheld)}."
        )
    if not len(rows):
        return (
            f"Cannot be answered: no outcome can be shown for both {F} and {R} under the "
            f"'{ctx.policy.name}' disclosure policy." + tail
        )
    m = int(rows["family_size"].max())

    def sizes(r: pd.Series) -> tuple[int, int]:
        rates = ctx.answers[r["outcome"]]["res"].rates
        return int(rates.loc[r["group"], "n"]), int(rates.loc[r["reference"], "n"])

    big = [min(sizes(r)) >= MIN_COMPARED for _, r in rows.iterrows()]
    if not any(big):
        n_f, n_r = sizes(rows.iloc[0])
        return _too_few(min(n_f, n_r), F if n_f < n_r else R)
    rows = rows[big]

    def clause(r: pd.Series) -> str:
        res = ctx.answers[r["outcome"]]["res"]
        g, ref = res.rates.loc[r["group"]], res.rates.loc[r["reference"]]
        who = " with a mentor" if r["outcome"] in _with_mentor() else ""
        adj = (
            f"p = {r['p_value']:.3f} before and {r['p_value_holm']:.3f} after adjustment"
            if m > 1
            else p_text(r["p_value"])
        )
        return (
            f"{_quoted(r['outcome'])}: {_pct(g['rate'])} of {F}{who} ({int(g['events'])} "
            f"of {int(g['n'])}) against {_pct(ref['rate'])} of {R} ({int(ref['events'])} of "
            f"{int(ref['n'])}), a gap of {_points(r['estimate'])} "
            f"({_ci(r['ci_low'], r['ci_high'])}; {adj})"
        )

    key = "p_value_holm" if m > 1 else "p_value"
    ordered = rows.assign(_abs=rows["estimate"].abs()).sort_values(
        [key, "_abs"], ascending=[True, False], kind="mergesort"
    )
    clear = ordered[ordered[key] < 0.05]
    weak = ordered[(ordered[key] >= 0.05) & (ordered[key] < 0.10)]
    family = f"the {m} outcomes compared" if m > 1 else "the one outcome compared"
    if len(clear):
        body = (
            f"Yes, for {len(clear)} of {family}, after adjusting for comparing them together: "
            + "; ".join(clause(r) for _, r in clear.iterrows())
            + "."
        )
    elif len(weak):
        body = (
            f"Not clearly: once {family} are taken together, the evidence is weak at best; "
            f"the clearest gap is for {clause(weak.iloc[0])}."
        )
    else:
        body = (
            f"No clear difference once {family} are taken together; the clearest gap is for "
            f"{clause(ordered.iloc[0])}."
        )
    return body + tail


def _with_mentor() -> frozenset[str]:
    from .. import schema

    return schema.WITH_MENTOR


# -- question 3 ---------------------------------------------------------------------------


def _choice_phrase(k: int, n: int, who: str, verb_many: str, verb_one: str) -> str:
    if n and k == n:
        return f"all {n} {who} {verb_many}"
    if n and k == 0:
        return f"none of the {n} {who} {verb_one}"
    return f"{k} of {n} {who} ({_pct(k / n)}) {verb_many}" if n else f"no {who}"


def payoff_sentence(ctx: ReportContext) -> str:
    """Did a bold choice go with the outcome, within each group, and differently between
    groups?  From the released group x choice x outcome cells."""
    if not ctx.breakdown_ok:
        return _no_breakdown(ctx)
    pay = ctx.answers.get("payoff")
    if pay is None:
        return (
            "Cannot be answered: this needs who made a bold choice (mentor level and "
            "relation) and an outcome such as 'promoted'."
        )
    outcome = pay["outcome"]
    if pay["withheld"] is not None:
        return _policy_reason(
            ctx,
            pay["withheld"],
            f"Whether bold choosers {_verb(outcome)} more often, group by group,",
        )
    cells, gaps = pay["cells"], pay["gaps"].set_index("group")
    order = [g for g in (ctx.focus, ctx.reference) if g in set(cells["group"])]
    order += [g for g in ctx.groups if g in set(cells["group"]) and g not in order]
    clauses, levels, ps, nobody = [], {}, [], []
    for g in order[:2]:
        part = cells[cells["group"] == g].set_index("bold_choice")
        if True not in part.index or False not in part.index:
            continue
        b, o = part.loc[True], part.loc[False]
        if not int(b["n"]) or not int(o["n"]):
            nobody.append(g)
            continue
        many, one = _verb(outcome), _verb(outcome, plural=False)
        clauses.append(
            f"among {_people(g)}, "
            + _choice_phrase(int(b["events"]), int(b["n"]), "bold choosers", many, one)
            + f" against {int(o['events'])} of {int(o['n'])} others ({_pct(o['rate'])})"
        )
        if g in gaps.index:
            row = gaps.loc[g]
            few = min(int(b["n"]), int(o["n"])) < MIN_COMPARED
            p = row["p_value_holm"]
            levels[g] = ("none" if few else strength(p), float(row["estimate"]))
            ps.append(p)
    if not clauses:
        return (
            "Cannot be answered: "
            + (
                f"nobody among {' or '.join(_people(g) for g in nobody)} made a bold choice "
                "(or everybody did)"
                if nobody
                else "no group has both bold and other mentor choices"
            )
            + "."
        )
    paid = [g for g, (lv, est) in levels.items() if lv == "evidence" and est > 0]
    hurt = [g for g, (lv, est) in levels.items() if lv == "evidence" and est < 0]
    weak = [g for g, (lv, _) in levels.items() if lv == "weak"]
    if paid:
        lead = f"Yes, for {' and '.join(_people(g) for g in paid)}: "
    elif hurt:
        lead = f"No, the opposite for {' and '.join(_people(g) for g in hurt)}: "
    elif weak:
        lead = "Possibly, but the evidence is weak: "
    else:
        lead = "Not clearly, for either group: " if len(levels) >= 2 else "Not clearly: "
    text = lead + "; ".join(clauses)
    if nobody:
        text += f"; nobody among {' or '.join(_people(g) for g in nobody)} made a bold choice"
    if ps:
        nums = ["< 0.001" if p < 0.001 else f"{p:.3f}" for p in ps]
        head = "adjusted p" if len(ps) > 1 else "p"
        text += f" ({head}: {' and '.join(nums)})"
    inter = pay.get("interaction", {}).get(ctx.focus)
    if inter is not None and len(levels) >= 2:
        F, R = _people(ctx.focus), _people(ctx.reference)
        if inter < 0.05:
            text += (
                f"; and boldness paid off differently for {F} and {R} (interaction {p_text(inter)})"
            )
        else:
            text += (
                f"; whether it paid off differently for {F} and {R} cannot be told "
                f"(interaction {p_text(inter)})"
            )
    return text + "."


# -- question 4 ---------------------------------------------------------------------------

_FRACTIONS = (
    (0.1, "a tenth"),
    (0.2, "a fifth"),
    (0.25, "a quarter"),
    (1 / 3, "a third"),
    (0.4, "two fifths"),
    (0.5, "half"),
    (0.6, "three fifths"),
    (2 / 3, "two thirds"),
    (0.75, "three quarters"),
    (0.8, "four fifths"),
    (1.0, "all"),
)


def fraction_words(share: float) -> str:
    """0.34 -> 'about a third'.

    >>> fraction_words(0.34)
    'about a third'
    >>> fraction_words(1.3)
    'more than all'
    """
    if share > 1.05:
        return "more than all"
    if share < 0.05:
        return "almost none"
    value, words = min(_FRACTIONS, key=lambda f: abs(f[0] - share))
    return f"about {words}"


def mediation_sentence(ctx: ReportContext) -> str:
    """How much of the gap between the focus and reference groups runs through bold
    choices: the indirect effect (ACME) and its share of the total, with intervals."""
    if not ctx.breakdown_ok:
        return _no_breakdown(ctx)
    med = ctx.answers.get("mediation")
    if med is None:
        return (
            "Cannot be answered: this needs who made a bold choice (mentor level and "
            "relation) and 'promoted'."
        )
    F, R = _people(med["group"]), _people(med["reference"])
    outcome = med["outcome"]
    if med["withheld"] is not None:
        return _policy_reason(
            ctx, med["withheld"], f"How much of the gap between {F} and {R} runs through boldness"
        )
    table = med["table"]
    if table is None:
        return "Could not be estimated with these data (see the section on this question)."
    acme, total, share = (table.loc[k] for k in ("acme", "total_effect", "prop_mediated"))
    gap = (
        f"of the gap in {_quoted(outcome)} between {F} and {R} with a mentor "
        f"({_points(total['estimate'])})"
    )
    runs = "runs" if _pts(acme["estimate"]) in ("+1", "-1", "0") else "run"
    through = (
        f"{_points(acme['estimate'])} {runs} through bold choices "
        f"({_ci(acme['ci_low'], acme['ci_high'])})"
    )
    share_txt = ""
    if pd.notna(share["estimate"]) and np.isfinite(share["estimate"]):
        share_txt = f", {_pct(share['estimate'])} of the gap"
        if pd.notna(share["ci_low"]) and pd.notna(share["ci_high"]):
            share_txt += f" (95% CI {_pct(share['ci_low'])} to {_pct(share['ci_high'])})"
    unclear_total = bool(total["ci_low"] <= 0 <= total["ci_high"])
    if acme["ci_low"] <= 0 <= acme["ci_high"]:
        text = f"Cannot be told apart from none: {gap}, {through}{share_txt}"
    else:
        words = fraction_words(float(share["estimate"])) if share_txt else "part"
        text = f"{words.capitalize()} of the gap runs through bold choices: {gap}, {through}{share_txt}"
    if unclear_total:
        text += "; the gap itself is not clear, so its share is very uncertain"
    return text + "."


# -- what a cohort this size can show -----------------------------------------------------


def limits_sentence(ctx: ReportContext) -> str:
    """What this data can and cannot show, and what pooling cohorts would need."""
    lim = ctx.answers.get("limits")
    if lim is None:
        return ""
    gap = f"{100 * lim['gap']:.0f} points"
    need = (
        f"Detecting a gap of {gap} (around a rate of {100 * lim['rate']:.0f}%) needs about "
        f"{lim['needed']} participants in each group"
    )
    if lim["sizes"] is None:
        return (
            "This data has too few participants to publish even their number under the "
            f"'{ctx.policy.name}' disclosure policy, so it cannot show a gap of any size. "
            f"{need}: pool several years' files into one report."
        )
    n_ref, n_focus = lim["sizes"]
    d = lim["detectable"]
    if d is None or not np.isfinite(d):
        can = "could not detect even the largest possible gap reliably"
    else:
        can = (
            f"could reliably detect only gaps of about {100 * d:.0f} points or more (around "
            "a rate of 50%); smaller gaps may be real but unseen"
        )
    if lim["even_split"]:
        who = (
            f"This cohort of {lim['total']} participants cannot compare groups under the "
            f"'{ctx.policy.name}' disclosure policy; even split evenly into two groups of "
            f"{n_ref}, it"
        )
    else:
        who = f"With {n_focus} {_people(lim['focus'])} and {n_ref} {_people(lim['reference'])}, this data"
    text = f"{who} {can}. {need}"
    if min(n_ref, n_focus) >= lim["needed"]:
        return text + ": this data has that many."
    k = lim["cohorts_needed"]
    if k is not None and np.isfinite(k):
        many = "cohorts" if lim["cohorts"] > 1 else "cohort"
        text += (
            f", about {int(k)} cohorts of the size of {'these' if many == 'cohorts' else 'this one'} "
            "pooled (one command: list their files after 'report')"
        )
    return text + "."


# -- the first page -----------------------------------------------------------------------


def _compared(ctx: ReportContext, name: str, row: pd.Series) -> bool:
    """Whether both groups of a released gap hold enough people to be compared."""
    rates = ctx.answers[name]["res"].rates
    return min(rates.loc[row["group"], "n"], rates.loc[row["reference"], "n"]) >= MIN_COMPARED


def _chart_rows(ctx: ReportContext) -> pd.DataFrame:
    """The gaps behind questions 1 and 2 for the focus group, from released results (only
    gaps between groups large enough to compare)."""
    rows = []
    fam_b = ctx.answers.get("family:boldness", {"bold_choice": {}})
    _, row = _rates_of(ctx, "bold_choice")
    if row is not None and _compared(ctx, "bold_choice", row):
        p = fam_b["bold_choice"].get(ctx.focus, row["p_value"])
        rows.append((what_of("bold_choice"), row, p))
    fam = ctx.answers.get("family:outcomes")
    if fam is not None:
        for _, r in fam[fam["group"].astype(str) == ctx.focus].iterrows():
            if not _compared(ctx, r["outcome"], r):
                continue
            p = r["p_value_holm"] if r["family_size"] > 1 else r["p_value"]
            rows.append((what_of(r["outcome"]), r, p))
    return pd.DataFrame(
        [
            {
                "label": f"{label}\n{_adj(p) if p is not None else ''}".strip(),
                "measure": "risk_difference",
                "estimate": float(r["estimate"]),
                "ci_low": float(r["ci_low"]),
                "ci_high": float(r["ci_high"]),
            }
            for label, r, p in rows
        ],
        columns=["label", "measure", "estimate", "ci_low", "ci_high"],
    )


def _draw_answers(rows: pd.DataFrame, xlabel: str) -> Any:
    from .. import plot

    return plot.plot_forest(rows, label="label", measure="risk_difference", xlabel=xlabel)


def first_page(ctx: ReportContext) -> Section:
    """The four questions answered in plain words, the chart that shows them, and what a
    cohort this size can show."""
    F = _people(ctx.focus) if ctx.focus else "one group"
    R = _people(ctx.reference) if ctx.reference else "the other"
    questions = (
        (f"1. Did {F} make less bold mentor choices than {R}?", boldness_answer),
        (f"2. Did outcomes differ between {F} and {R}?", outcomes_answer),
        ("3. Did boldness pay off, and for whom?", payoff_sentence),
        (f"4. How much of a gap between {F} and {R} runs through boldness?", mediation_sentence),
    )
    if not ctx.breakdown_ok:
        questions = (
            ("1. Were women's mentor choices less bold than men's?", boldness_answer),
            ("2. Did outcomes differ between women and men?", outcomes_answer),
            ("3. Did boldness pay off, and for whom?", payoff_sentence),
            ("4. How much of a gap runs through boldness?", mediation_sentence),
        )
    blocks: list[Block] = []
    for k, (question, answer) in enumerate(questions):
        blocks.append(Paragraph(question, kind="question"))
        text = answer(ctx)
        if not ctx.breakdown_ok and k:
            text = "Cannot be answered either, for the same reason."
        blocks.append(Paragraph(text, kind="answer"))
    over_time = None
    if ctx.breakdown_ok:
        from .careers import careers_answer

        over_time = careers_answer(ctx)
        if over_time:
            blocks.append(
                Paragraph(
                    f"5. Over the follow-up surveys, were {F} promoted at a different pace "
                    f"from {R}?",
                    kind="question",
                )
            )
            blocks.append(Paragraph(over_time, kind="answer"))
    rows = _chart_rows(ctx) if ctx.breakdown_ok else pd.DataFrame()
    if len(rows):
        _append_figure(
            ctx,
            blocks,
            "answers",
            f"The gaps behind questions 1 and 2: {F} minus {R}, in percentage points, with "
            "95% intervals (not adjusted) and the adjusted p-values; the line at 0 means no "
            "gap.",
            functools.partial(
                _draw_answers, rows, f"{F} minus {R}, percentage points (pp), 95% CI"
            ),
        )
    limits = limits_sentence(ctx)
    if limits:
        blocks.append(Paragraph("What can data of this size show?", kind="question"))
        blocks.append(Paragraph(limits, kind="answer"))
    intro = (
        f"Plain answers first; the tables behind them follow. Every gap reads {F} minus {R}"
        f" ({R} are the comparison group, whatever the sizes of the groups), in percentage "
        "points. Answers are worded by the strength of evidence after adjusting for the "
        "comparisons made together for each question (Holm; see Methods): 'evidence' means "
        "an adjusted p below 0.05, 'weak' below 0.10. Technical tables are folded away "
        "under each section."
        if ctx.breakdown_ok
        else "Plain answers first; the tables behind them follow."
    )
    title = "The questions, answered" if over_time else "The four questions, answered"
    return Section("answers", title, tuple(blocks), intro=intro)
