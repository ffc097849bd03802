"""The report's first page, comparison direction, cohort comparisons and consistency.

The first page must answer the course leader's four questions in words that match the
multiplicity-adjusted statistics the report itself publishes; gaps must read "women
minus men" whatever the group sizes; cohorts must not look better or worse because they
were followed for longer; and one quantity has one label and one unit everywhere.
"""

from __future__ import annotations

import base64
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.cli import main
from mentoranalytics.report import ReportOptions, build_report, render_html, render_markdown
from mentoranalytics.report.model import TableBlock


class _Page(HTMLParser):
    """Tables (with captions and cell classes), answers, images and CSS of a report."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, dict] = {}
        self.answers: list[tuple[str, str]] = []  # (question, answer)
        self.images: list[str] = []
        self.image_sections: list[str | None] = []
        self.style = ""
        self.details_tables: set[str] = set()
        self.wrapped: set[str] = set()
        self._stack: list[tuple[str, dict]] = []
        self._text: list[str] | None = None
        self._table: str | None = None
        self._section: str | None = None
        self._question = ""
        self._in_details = 0
        self._wrap: str | None = None
        self._cell_class = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section":
            self._section = a.get("id")
        elif tag == "details":
            self._in_details += 1
        elif tag == "div" and "table-wrap" in a.get("class", ""):
            self._wrap = a.get("id", "")
        elif tag == "table":
            self._table = a.get("data-table", "")
            self.tables[self._table] = {"rows": [], "caption": "", "classes": [], "head": []}
            if self._in_details:
                self.details_tables.add(self._table)
            if self._wrap:
                self.wrapped.add(self._table)
        elif tag == "img":
            self.images.append(a.get("src", ""))
            self.image_sections.append(self._section)
        elif tag == "tr" and self._table is not None:
            self.tables[self._table]["rows"].append([])
            self.tables[self._table]["classes"].append([])
        if tag in ("td", "th", "caption", "h3", "p", "style"):
            self._text = []
            self._cell_class = a.get("class", "")
            self._stack.append((tag, a))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "details":
            self._in_details -= 1
        elif tag == "table":
            self._table = None
        elif tag == "div":
            self._wrap = None
        if tag not in ("td", "th", "caption", "h3", "p", "style") or self._text is None:
            return
        text = "".join(self._text).strip()
        self._text = None
        _, attrs = self._stack.pop() if self._stack else (tag, {})
        cls = attrs.get("class", "")
        if tag == "style":
            self.style += text
        elif tag == "caption" and self._table is not None:
            self.tables[self._table]["caption"] = text
        elif tag in ("td", "th") and self._table is not None:
            t = self.tables[self._table]
            t["rows"][-1].append(text)
            t["classes"][-1].append(cls)
        elif tag == "h3" and "question" in cls and self._section == "answers":
            self._question = text
        elif tag == "p" and "answer" in cls and self._section == "answers":
            self.answers.append((self._question, text))


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def _numbers(bundle: Path) -> dict[str, pd.DataFrame]:
    """published_numbers.json as one frame per table (rows x columns, values)."""
    records = json.loads((bundle / "published_numbers.json").read_text())["numbers"]
    out: dict[str, dict] = {}
    for r in records:
        out.setdefault(r["table"], {}).setdefault(r["column"], {})[r["row"]] = r["value"]
    return {name: pd.DataFrame(cols) for name, cols in out.items()}


def _svg_texts(page: _Page) -> str:
    texts = []
    for src in page.images:
        svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        texts += re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return "\n".join(texts)


@pytest.fixture(scope="module")
def sample_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("answers")
    code = main(["report", "-o", str(out / "r.html"), "--bundle", str(out / "b"), "--quiet"])
    assert code == 0
    return out / "b"


@pytest.fixture(scope="module")
def sample_page(sample_bundle: Path) -> _Page:
    return _page((sample_bundle / "report.html").read_text(encoding="utf-8"))


# -- the first page -------------------------------------------------------------------------


def _holm(p: list[float]) -> np.ndarray:
    from statsmodels.stats.multitest import multipletests

    return multipletests(np.asarray(p, dtype=float), method="holm")[1]


def _lead(p_adjusted: float, estimate: float) -> tuple[str, ...]:
    """The opening words an answer must have, from its adjusted p-value."""
    if p_adjusted < 0.05:
        return ("Yes",) if estimate < 0 else ("No, the opposite",)
    if p_adjusted < 0.10:
        return ("Possibly, but the evidence is weak", "Not clearly")
    return ("No clear difference", "Not clearly", "Cannot be told apart from none")


def test_first_page_answers_the_four_questions_in_words(sample_page: _Page) -> None:
    questions = [q for q, _ in sample_page.answers]
    assert questions[:4] == [
        "1. Did women make less bold mentor choices than men?",
        "2. Did outcomes differ between women and men?",
        "3. Did boldness pay off, and for whom?",
        "4. How much of a gap between women and men runs through boldness?",
    ]
    for _, answer in sample_page.answers:
        # plain words: no model labels, tidy names or raw column names
        assert not re.search(r"\[|acme|prop_mediated|total_effect|[a-z]_[a-z]", answer), answer
        assert answer.endswith(".")
    assert sample_page.image_sections.count("answers") == 1  # the one chart that shows it
    # the four questions, the fifth on the follow-up waves (the sample has them) and what
    # the data can show
    assert len(sample_page.answers) == 6
    assert questions[4] == (
        "5. Over the follow-up surveys, were women promoted at a different pace from men?"
    )


def test_question_1_is_worded_by_its_adjusted_p_values(
    sample_page: _Page, sample_bundle: Path
) -> None:
    tables = _numbers(sample_bundle)
    family = tables["boldness_multiplicity"]
    rows = [r for r in family.index if r.endswith("woman vs man")]
    assert len(rows) == 2  # bold choice and boldness index
    np.testing.assert_allclose(
        family.loc[rows, "p_value_holm"], _holm(family.loc[rows, "p_value"]), rtol=1e-12
    )
    bold = family.loc[next(r for r in rows if r.startswith("Made a bold choice"))]
    gaps = tables["bold_choice_gaps"]
    estimate = gaps.loc["woman vs man: risk difference", "estimate"]
    answer = sample_page.answers[0][1]
    assert answer.startswith(_lead(bold["p_value_holm"], estimate)), answer
    assert f"adjusted p = {bold['p_value_holm']:.3f}" in answer
    assert f"a gap of {round(100 * estimate):+d} points" in answer


def test_question_2_is_worded_by_the_holm_adjusted_outcome_family(
    sample_page: _Page, sample_bundle: Path
) -> None:
    family = _numbers(sample_bundle)["outcome_multiplicity"]
    women = family[[r.endswith("woman vs man") for r in family.index]]
    np.testing.assert_allclose(women["p_value_holm"], _holm(women["p_value"]), rtol=1e-12)
    answer = sample_page.answers[1][1]
    best = women.sort_values("p_value_holm").iloc[0]
    if best["p_value_holm"] < 0.05:
        assert answer.startswith("Yes, for")
    elif best["p_value_holm"] < 0.10:
        assert answer.startswith("Not clearly")
    else:
        assert answer.startswith("No clear difference once the")
    # the raw p = 0.043 of promotion must not be read as evidence: its adjusted value is given
    assert f"{best['p_value_holm']:.3f} after adjustment" in answer
    assert f"the {len(women)} outcomes compared" in answer
    assert "Evidence of a difference" not in answer


def test_question_3_reports_the_payoff_in_counts_and_words(
    sample_page: _Page, sample_bundle: Path
) -> None:
    tables = _numbers(sample_bundle)
    cells, gaps = tables["payoff_rates"], tables["payoff_gaps"]
    np.testing.assert_allclose(gaps["p_value_holm"], _holm(gaps["p_value"]), rtol=1e-12)
    answer = sample_page.answers[2][1]
    bold = cells.loc["woman: bold choice"]
    other = cells.loc["woman: other choice"]
    assert f"{int(bold['events'])} of {int(bold['n'])} bold choosers" in answer
    assert f"{int(other['events'])} of {int(other['n'])} others" in answer
    if (gaps["p_value_holm"] >= 0.05).all():
        assert answer.startswith(("Not clearly", "Possibly"))
    assert "interaction p =" in answer


def test_question_4_says_how_much_runs_through_boldness(
    sample_page: _Page, sample_bundle: Path
) -> None:
    med = _numbers(sample_bundle)["mediation"]
    acme = med.loc["through bold choice (indirect effect, ACME)"]
    answer = sample_page.answers[3][1]
    if acme["ci_low"] <= 0 <= acme["ci_high"]:
        assert answer.startswith("Cannot be told apart from none")
    else:
        assert re.match(r"(About|Almost|More) .* of the gap runs through bold choices", answer)
    share = med.loc["share of the gap through bold choice"]
    assert f"{100 * share['estimate']:.0f}% of the gap" in answer


def test_small_cohort_gets_what_it_can_show_and_what_pooling_needs(tmp_path: Path) -> None:
    from mentoranalytics.stats.power import sample_size

    report = build_report(ma.load_sample("first_cohort"), ReportOptions(n_sims=100))
    page = _page(render_html(report))
    answers = dict(page.answers)
    assert answers["1. Were women's mentor choices less bold than men's?"].startswith(
        "Cannot be answered from these data: no two gender groups"
    )
    limits = answers["What can data of this size show?"]
    needed = int(np.ceil(sample_size(0.15, base_rate=0.5)))
    assert f"needs about {needed} participants in each group" in limits
    # 10 participants, split evenly: 5 per group -> cohorts of this size needed
    assert f"about {int(np.ceil(needed / 5))} cohorts of the size of this one pooled" in limits
    assert "This cohort of 10 participants" in limits


def test_technical_tables_fold_away_but_stay_in_every_format(
    sample_bundle: Path, sample_page: _Page
) -> None:
    technical = {"promoted_gaps", "payoff_model", "mediation", "boldness_index_comparison"}
    assert technical <= sample_page.details_tables
    assert "promoted_rates" not in sample_page.details_tables
    md = (sample_bundle / "report.md").read_text(encoding="utf-8")
    appendix = md.index("## Appendix: technical tables")
    for caption in (sample_page.tables[t]["caption"] for t in technical):
        assert md.index(f"**{caption}**") > appendix
    tables = _numbers(sample_bundle)
    assert technical <= set(tables)
    assert technical <= {p.stem for p in (sample_bundle / "tables").glob("*.csv")}


# -- the comparison direction ---------------------------------------------------------------


def test_signs_stay_when_men_become_the_smaller_group(sample_bundle: Path) -> None:
    data = ma.load_sample().data
    men = data.index[data["gender"] == "man"]
    keep = data.index.difference(men[1::3])  # 151 men -> 100, fewer than the 139 women
    flipped = data.loc[keep]
    sizes = flipped["gender"].value_counts()
    assert sizes["man"] < sizes["woman"]  # the premise
    report = build_report(flipped, ReportOptions(n_sims=100))
    for block in report.tables():
        for label in map(str, block.frame.index):
            if " vs " in label and ("woman" in label or "man" in label):
                assert "woman vs man" in label, (block.name, label)
    html = render_html(report)
    assert "Every gap reads women minus men" in html
    assert "gap = rate(woman) - rate(man)" in html
    page = _page(html)
    assert page.answers[0][0] == "1. Did women make less bold mentor choices than men?"
    # the bold-choice and promotion gaps keep their sign (women less often)
    full = _numbers(sample_bundle)
    published = {b.name for b in report.tables()}
    names = [n for n in ("bold_choice_gaps", "promoted_gaps") if n in published]
    assert "promoted_gaps" in names  # the gate may withhold the mentor sections, not this
    for name in names:
        block = next(b for b in report.tables() if b.name == name)
        row = "woman vs man: risk difference"
        assert np.sign(block.frame.loc[row, "estimate"]) == np.sign(full[name].loc[row, "estimate"])
    mediation = next(b for b in report.tables() if b.name == "mediation")
    assert "women and men" in mediation.caption and "women minus men" in mediation.caption


# -- cohorts at a common follow-up horizon ----------------------------------------------------


def _follow_up_only_programme(with_times: bool = True) -> pd.DataFrame:
    """Six cohorts with the same chance of promotion per month; only how long each has
    been followed differs (72 months for the first intake, 12 for the last)."""
    rng = np.random.default_rng(20240611)
    rows = []
    for k, year in enumerate(range(2019, 2025)):
        follow = 72.0 - 12 * k
        n = 80
        time = rng.exponential(60.0, size=n)  # the same hazard in every cohort
        promoted = time <= follow
        for i in range(n):
            rows.append(
                {
                    "participant_id": f"P{year}{i:03d}",
                    "cohort": str(year),
                    "gender": "woman" if i % 2 else "man",
                    "promoted": bool(promoted[i]),
                    "followup_months": follow,
                    "months_to_promotion": round(float(time[i]), 1) if promoted[i] else np.nan,
                }
            )
    frame = pd.DataFrame(rows)
    return frame if with_times else frame.drop(columns=["followup_months", "months_to_promotion"])


def test_cohorts_are_compared_at_a_common_horizon_not_by_follow_up() -> None:
    from mentoranalytics.report.sections import _funnel_flags

    frame = _follow_up_only_programme()
    # the premise: 'ever promoted' differs by follow-up alone and the funnel would flag it
    assert _funnel_flags(frame, "promoted")
    report = build_report(frame, ReportOptions(n_sims=100))
    cohorts = next(s for s in report.sections if s.id == "cohorts")
    text = " ".join(b.text for b in cohorts.blocks if hasattr(b, "text"))
    assert "No cohort stands out" in text
    assert "Not yet followed for 24 months, so not compared: 2024" in text
    table = next(b for b in cohorts.blocks if isinstance(b, TableBlock))
    assert table.name == "cohort_promoted_24m"
    assert "2024" not in [str(i) for i in table.frame.index]
    assert "cohorts followed for at least 24 months" in table.caption


def test_without_follow_up_times_no_cohort_is_flagged() -> None:
    report = build_report(_follow_up_only_programme(with_times=False), ReportOptions(n_sims=100))
    cohorts = next(s for s in report.sections if s.id == "cohorts")
    text = " ".join(b.text for b in cohorts.blocks if hasattr(b, "text"))
    assert "Follow-up time is not in the data" in text
    assert "no cohort is flagged" in text
    names = [b.name for b in cohorts.blocks if hasattr(b, "svg")]
    assert "funnel" not in names


def test_pooling_several_years_is_one_command(tmp_path: Path) -> None:
    from mentoranalytics.datasets import sample_path

    data = pd.read_csv(sample_path("programme"))
    files = []
    for year in ("2019", "2020", "2021"):
        part = data[data["cohort"].astype(str) == year].drop(columns=["cohort"])
        path = tmp_path / f"cohort_{year}.csv"
        part.to_csv(path, index=False)
        files.append(str(path))
    out = tmp_path / "pooled.html"
    assert main(["report", *files, "-o", str(out), "--quiet"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "in 3 cohorts" in html
    page = _page(html)
    rows = {r[0] for r in page.tables["participants"]["rows"][1:]}
    assert {"2019", "2020", "2021"} <= rows
    assert "report 2019.csv 2020.csv 2021.csv" in html


# -- consistency ------------------------------------------------------------------------------


def test_one_label_per_outcome_in_tables_sentences_and_charts(sample_page: _Page) -> None:
    html_text = " ".join(
        [t["caption"] for t in sample_page.tables.values()]
        + [c for t in sample_page.tables.values() for row in t["rows"] for c in row]
        + [a for _, a in sample_page.answers]
    )
    charts = _svg_texts(sample_page)
    assert "Felt able to raise a setback" in html_text
    assert "Felt able to raise a setback" in charts
    for other_name in (
        "discussed setbacks",
        "in contact with mentor",
        "completed programme",
        "joined mentor organisation",
        "role change",
    ):
        assert other_name not in html_text.lower(), other_name
        assert other_name not in charts.lower(), other_name


def test_percentages_in_tables_and_points_for_differences(sample_page: _Page) -> None:
    t = sample_page.tables
    head = t["promoted_rates"]["rows"][0]
    for row in t["promoted_rates"]["rows"][1:]:
        assert row[head.index("rate")].endswith("%")
    head = t["promoted_gaps"]["rows"][0]
    rows = {r[0]: r for r in t["promoted_gaps"]["rows"][1:]}
    rd = rows["woman vs man: risk difference"]
    for col in ("estimate", "95% CI low", "95% CI high", "smallest detectable gap"):
        assert rd[head.index(col)].endswith(" pp"), col
    ratio = rows["woman vs man: odds ratio"]
    assert not ratio[head.index("estimate")].endswith(("pp", "%"))
    for row in t["outcome_multiplicity"]["rows"][1:]:
        assert row[1].endswith(" pp")
    for row in t["detectable"]["rows"][1:]:
        assert row[1].endswith(" pp")


def test_denominators_are_named(sample_page: _Page) -> None:
    t = sample_page.tables
    for name in ("in_contact_with_mentor_rates", "discussed_setbacks_rates", "bold_choice_rates"):
        assert "(of those with a mentor)" in t[name]["caption"], name
    assert "with a mentor" not in t["promoted_rates"]["caption"]
    answers = " ".join(a for _, a in sample_page.answers)
    assert "of women with a mentor made a bold choice" in answers


def test_counts_are_whole_numbers_and_no_negative_zero(sample_page: _Page) -> None:
    counts = {"n", "events", "participants", "mentors approached", "refusals", "at risk",
              "censored", "missing", "Total", "yes", "no"}  # fmt: skip
    for name, t in sample_page.tables.items():
        head = t["rows"][0]
        for row in t["rows"][1:]:
            for j, cell in enumerate(row[1:], start=1):
                assert not re.fullmatch(r"-0(\.0+)?( pp|%)?", cell), (name, cell)
                if head[j] in counts:
                    assert re.fullmatch(r"\d[\d,]*|suppressed|", cell), (name, head[j], cell)


def test_no_raw_column_names_as_table_headers(sample_page: _Page) -> None:
    for name, t in sample_page.tables.items():
        for cell in t["rows"][0]:
            assert "_" not in cell, (name, cell)


def test_an_interval_excluding_zero_beside_p_above_005_is_explained() -> None:
    # 6 of 30 women vs 14 of 30 men: Newcombe's interval excludes 0, Fisher's p = 0.054
    frame = pd.DataFrame(
        {
            "participant_id": [f"P{i:02d}" for i in range(60)],
            "gender": ["woman"] * 30 + ["man"] * 30,
            "promoted": [True] * 6 + [False] * 24 + [True] * 14 + [False] * 16,
        }
    )
    report = build_report(frame, ReportOptions(n_sims=100))
    gaps = next(b for b in report.tables() if b.name == "promoted_gaps")
    row = gaps.frame.loc["woman vs man: risk difference"]
    assert row["ci_high"] < 0 and row["p_value"] > 0.05  # the premise
    assert any("different methods" in n for n in gaps.notes)
    outcomes = next(s for s in report.sections if s.id == "outcomes")
    sentence = next(b.text for b in outcomes.blocks if getattr(b, "kind", "") == "finding")
    assert "different methods" in sentence


def test_internal_report_never_says_counts_are_suppressed() -> None:
    report = build_report(
        ma.load_sample("first_cohort"), ReportOptions(privacy="internal", n_sims=100)
    )
    html = render_html(report)
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)  # the CSS names a class
    assert "suppressed" not in body.lower()
    assert "Internal report: every count is shown" in html


def test_printed_banner_sits_in_the_page_margin_not_over_charts() -> None:
    report = build_report(
        ma.load_sample("first_cohort"), ReportOptions(privacy="internal", n_sims=100)
    )
    page = _page(render_html(report))
    css = re.sub(r"\s+", " ", page.style)
    assert "position: fixed" not in css
    assert '@top-center { content: "internal — contains small numbers"' in css
    printed = css[css.index("@media print") :]
    assert ".table-wrap { overflow: visible; }" in printed


def test_wide_tables_scroll_and_long_cells_wrap(sample_page: _Page) -> None:
    css = re.sub(r"\s+", " ", sample_page.style)
    assert ".table-wrap { overflow-x: auto;" in css
    assert set(sample_page.tables) == sample_page.wrapped
    long_cells = [
        (cell, cls)
        for t in sample_page.tables.values()
        for row, classes in zip(t["rows"][1:], t["classes"][1:], strict=True)
        for cell, cls in zip(row[1:], classes[1:], strict=True)
        if len(cell) > 28
    ]
    assert long_cells and all("long" in cls for _, cls in long_cells)


def test_no_mentor_note_only_when_nobody_has_a_mentor() -> None:
    import matplotlib.pyplot as plt

    from mentoranalytics import plot

    data = ma.load_sample().data
    without_approach = data.drop(columns=["approach"])
    fig = plot.plot_boldness_panels(without_approach, individual=True)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert not any("no participants with a mentor" in t.replace("\n", " ") for t in texts)
    assert any("no initiation recorded" in t for t in texts)
    plt.close(fig)
    nobody = data.assign(
        mentor_secured=np.where(data["gender"] == "man", False, data["mentor_secured"])
    )
    nobody.loc[nobody["gender"] == "man", ["mentor_level", "mentor_relation", "approach",
                                           "mentor_in_network"]] = np.nan  # fmt: skip
    fig = plot.plot_boldness_panels(nobody, individual=True)
    texts = [t.get_text().replace("\n", " ") for ax in fig.axes for t in ax.texts]
    assert any("no participants with a mentor" in t for t in texts)
    plt.close(fig)


def test_markdown_lists_technical_tables_in_the_appendix_only() -> None:
    report = build_report(
        ma.load_sample("first_cohort"), ReportOptions(privacy="internal", n_sims=100)
    )
    md = render_markdown(report)
    technical = [b for b in report.tables() if b.technical]
    assert technical
    appendix = md.index("## Appendix: technical tables")
    for block in technical:
        assert md.count(f"**{block.caption}**") == 1
        assert md.index(f"**{block.caption}**") > appendix


def test_internal_report_never_compares_a_handful_of_people() -> None:
    # first cohort: 6 women and 4 men; an internal report shows every count, but a gap
    # between groups of fewer than 5 is not a finding
    report = build_report(
        ma.load_sample("first_cohort"), ReportOptions(privacy="internal", n_sims=100)
    )
    page = _page(render_html(report))
    answers = dict(page.answers)
    assert answers["1. Did women make less bold mentor choices than men?"].startswith(
        "Cannot be answered: there are only 4 men"
    )
    assert answers["2. Did outcomes differ between women and men?"].startswith(
        "Cannot be answered: there are only 4 men"
    )
    assert "answers" not in page.image_sections  # no chart of gaps nobody can read
    findings = [
        b.text for s in report.sections for b in s.blocks if getattr(b, "kind", "") == "finding"
    ]
    assert findings
    assert not any("difference" in f and "of men (" in f for f in findings), findings
