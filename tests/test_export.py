"""Tests of the publication output of results (mentoranalytics.stats._export and the
to_markdown / to_latex / to_csv methods of mentoranalytics.stats._result.Result).

The LaTeX is checked as text (no LaTeX installation needed): every cell escaped, the
same number of cells in every row, only characters pdfLaTeX typesets by default.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.stats import _export
from mentoranalytics.stats._result import Result

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.MentorAnalyticsWarning")


def people(n: int = 120, seed: int = 5) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    gender = r.choice(["woman", "man"], n)
    promoted = r.random(n) < np.where(gender == "woman", 0.35, 0.5)
    months = np.where(promoted, r.integers(3, 40, n), np.nan)
    return pd.DataFrame(
        {
            "participant_id": [f"P{i}" for i in range(n)],
            "gender": gender,
            "cohort": r.choice(["2019", "2020", "2021"], n),
            "promoted": promoted,
            "months_to_promotion": months,
            "followup_months": np.full(n, 48.0),
            "days_to_secure": r.gamma(2.0, 10.0, n),
            "bold_choice": r.random(n) < 0.4,
        }
    )


@pytest.fixture(scope="module")
def results() -> dict[str, Result]:
    frame = people()
    studies = pd.DataFrame(
        {"cohort": ["a", "b", "c"], "log_or": [0.2, 0.5, 0.9], "se": [0.3, 0.4, 0.2]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "rates": ma.compare_rates(frame, "promoted"),
            "groups": ma.compare_groups(frame, "days_to_secure"),
            "model": ma.outcome_model(frame, "promoted", ["gender", "bold_choice"]),
            "cox": ma.cox_model(frame, ["gender"]),
            "km": ma.kaplan_meier(frame),
            "logrank": ma.logrank_test(frame),
            "meta": ma.meta_analysis(studies, estimate="log_or", std_error="se"),
            "decompose": ma.decompose_gap(frame, "promoted"),
            "table1": ma.summary_table(frame, variables=["cohort", "days_to_secure"]),
            "suppressed": ma.suppress(pd.crosstab(frame["gender"], frame["cohort"])),
        }


# --------------------------------------------------------------------------------------
# LaTeX checked as text
# --------------------------------------------------------------------------------------

_ALLOWED = re.compile(r"^[\x20-\x7e\n\u00c0-\u00ff]*$")  # ASCII and Latin-1 letters


def tabular_rows(latex: str) -> list[str]:
    body = latex.split("\\midrule\n", 1)[1].split("\n\\bottomrule", 1)[0]
    return body.splitlines()


def assert_compilable(latex: str) -> None:
    assert _ALLOWED.match(latex), [c for c in latex if not _ALLOWED.match(c)]
    for env in ("table", "tabular", "minipage"):
        assert latex.count(f"\\begin{{{env}}}") == latex.count(f"\\end{{{env}}}")
    spec = re.search(r"\\begin\{tabular\}\{([lrc]+)\}", latex)
    assert spec is not None
    width = len(spec.group(1))
    for row in tabular_rows(latex):
        assert row.endswith(r" \\")
        cells = re.split(r"(?<!\\)&", row[: -len(r" \\")])
        assert len(cells) == width, row
        for cell in cells:
            # outside math, no bare special character
            text = re.sub(r"\$[^$]*\$", "", cell)
            assert not re.search(r"(?<!\\)[_%#$^~]", text), cell
    # braces balance
    stripped = latex.replace(r"\{", "").replace(r"\}", "")
    assert stripped.count("{") == stripped.count("}")


@pytest.mark.parametrize(
    "name",
    [
        "rates",
        "groups",
        "model",
        "cox",
        "km",
        "logrank",
        "meta",
        "decompose",
        "table1",
        "suppressed",
    ],
)
def test_every_result_exports_compilable_latex(results, name):
    res = results[name]
    latex = res.to_latex()
    assert_compilable(latex)
    assert latex.startswith("\\begin{table}[htbp]\n\\centering\n\\caption{")
    for table in res.tables():
        assert_compilable(res.to_latex(table=table))
    assert isinstance(res.to_markdown(), str) and isinstance(res.to_csv(), str)


def test_latex_escape_of_special_characters():
    text = _export.latex_escape("p_value 5% & #1 {x} ~ ^ \\ < > |")
    assert text == (
        r"p\_value 5\% \& \#1 \{x\} \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{} \textless{} \textgreater{} \textbar{}"
    )
    assert _export.latex_escape("χ² ≥ 3.8 − 1 × 2 – τ²") == (
        r"$\chi$\textsuperscript{2} $\geq$ 3.8 $-$ 1 $\times$ 2 -- $\tau$\textsuperscript{2}"
    )


def test_latex_caption_label_and_bare_tabular(results):
    res = results["rates"]
    latex = res.to_latex(caption="Rates & 95% CIs", label="tab:rates")
    assert "\\caption{Rates \\& 95\\% CIs}\n\\label{tab:rates}" in latex
    bare = res.to_latex(environment=None)
    assert bare.startswith("\\begin{tabular}") and "\\begin{table}" not in bare
    assert "% Method: " in bare  # notes kept as comments
    with pytest.raises(AnalysisError, match="environment must be a LaTeX float name"):
        res.to_latex(environment="table}{")


def test_latex_of_a_stratified_table_spans_the_strata(results):
    frame = people()
    t1 = ma.summary_table(frame, variables=["days_to_secure"], strata="cohort")
    latex = t1.to_latex()
    assert_compilable(latex)
    assert "\\multicolumn{" in latex and "}{c}{2019}" in latex and "\\cmidrule(lr)" in latex


# --------------------------------------------------------------------------------------
# Styles, digits, columns, method stated once
# --------------------------------------------------------------------------------------


def test_ci_style_combines_estimate_and_interval(results):
    res = results["rates"]
    md = res.to_markdown(table="effects", style="Estimate (95% CI)", digits=2)
    effects = res.effects
    rows = [line for line in md.splitlines() if line.startswith(f"| {effects['group'].iloc[0]} |")]
    assert len(rows) == len(effects)
    for line, rec in zip(rows, effects.itertuples(), strict=True):
        cell = line.split(" | ")[3]
        expected = f"{rec.estimate:.2f} ({rec.ci_low:.2f} to {rec.ci_high:.2f})"
        assert cell == expected.replace("-0.00", "0.00")
    header = md.splitlines()[4]
    assert "Estimate (95% CI)" in header and "| estimate |" not in header
    assert "ci_low" not in header and "ci_high" not in header


def test_style_on_a_model_table_and_level_check(results):
    model = results["model"]
    md = model.to_markdown(style="OR (95% CI)", columns=["term", "OR (95% CI)", "p_value"])
    term = model.table["term"].iloc[1]
    line = next(x for x in md.splitlines() if x.startswith(f"| {term} |"))
    row = model.table.set_index("term").loc[term]
    assert f"{row.estimate:.3f} ({row.ci_low:.3f} to {row.ci_high:.3f})" in line
    with pytest.raises(AnalysisError, match=r"states a 90% interval, but the result's intervals"):
        model.to_markdown(style="OR (90% CI)")


def test_se_style_needs_the_log_scale_for_ratios(results):
    model = results["model"]
    with pytest.raises(AnalysisError, match="standard errors belong to the log ratios"):
        model.to_markdown(style="OR (SE)")
    md = model.to_markdown(style="log OR (SE)", digits=3)
    row = model.table.set_index("term").loc["bold_choice"]
    expected = f"{math.log(row.estimate):.3f} ({row.std_error:.3f})"
    assert expected in md
    assert "shown as log ratios" in md
    groups = results["groups"]  # differences: no log scale
    with pytest.raises(AnalysisError, match="needs the columns estimate, std_error"):
        groups.to_markdown(table="comparisons", style="Difference (SE)")


def test_rate_tables_take_a_style_too(results):
    rates = results["rates"].rates
    md = results["rates"].to_markdown(table="rates", style="Rate (95% CI)", digits=1)
    woman = rates.loc["woman"]
    assert f"| {woman.rate:.1f} ({woman.ci_low:.1f} to {woman.ci_high:.1f}) |" in md


def test_unknown_style_is_refused(results):
    with pytest.raises(AnalysisError, match="names neither an interval nor a standard error"):
        results["rates"].to_markdown(style="OR")
    with pytest.raises(AnalysisError, match="style must be a column label"):
        results["rates"].to_markdown(style=3)  # type: ignore[arg-type]


def test_method_is_stated_once(results):
    cox = results["cox"]
    md = cox.to_markdown(table="test")
    assert "| method |" not in md
    assert md.count(cox.test["method"].item()) == 1
    # a method that differs between rows stays a column
    effects_md = results["rates"].to_markdown(table="effects")
    assert "| method |" in effects_md.splitlines()[4]
    # CSV is tidy: the method stays in every row
    csv = pd.read_csv(io.StringIO(cox.to_csv(table="test")))
    assert csv["method"].item() == cox.test["method"].item()


def test_digits_and_columns(results):
    km = results["km"]
    md = km.to_markdown(table="medians", digits=1, columns=["group", "n", "median"])
    lines = md.splitlines()
    assert lines[4] == "| group | n | median |"
    medians = km.medians.reset_index()  # group tables are indexed by group
    for rec, line in zip(medians.itertuples(), lines[6:], strict=False):
        median = "" if pd.isna(rec.median) else f"{rec.median:.1f}"
        assert line == f"| {rec.group} | {rec.n} | {median} |"
    with pytest.raises(AnalysisError, match=r"columns \['nope'\] are not columns of table"):
        km.to_markdown(columns=["nope"])
    with pytest.raises(AnalysisError, match="digits must be an int from 0 to 15"):
        km.to_markdown(digits=-1)
    with pytest.raises(AnalysisError, match="table must name tables of this result"):
        km.to_latex(table="curves")


def test_p_values_and_counts_keep_their_format():
    frame = pd.DataFrame({"n": [3.0, 10.0], "p_value": [0.00001, 0.04567], "x": [1.23456, -0.0001]})
    out = _export.format_frame(frame, 2)
    assert out["n"].tolist() == ["3", "10"]
    assert out["p_value"].tolist() == ["<0.001", "0.046"]
    assert out["x"].tolist() == ["1.23", "0.00"]  # no "-0.00"


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def test_csv_keeps_numbers_unrounded(results, tmp_path):
    res = results["meta"]
    path = tmp_path / "pooled.csv"
    assert res.to_csv(path) is None
    back = pd.read_csv(path)
    pd.testing.assert_frame_equal(back, res.pooled.reset_index(drop=True), check_dtype=False)
    rounded = pd.read_csv(io.StringIO(res.to_csv(digits=2, columns=["model", "estimate"])))
    assert rounded["estimate"].tolist() == [round(v, 2) for v in res.pooled["estimate"]]
    with pytest.raises(AnalysisError, match="to_csv writes one table"):
        res.to_csv(table=["pooled", "studies"])  # type: ignore[arg-type]


def test_csv_index_becomes_a_column(results):
    rates = results["rates"]
    back = pd.read_csv(io.StringIO(rates.to_csv()))
    assert rates.rates.index.name == "group"  # group tables are indexed by group
    assert back.columns[0] == "group"
    assert back["group"].tolist() == list(rates.rates.index)


@dataclass(frozen=True, kw_only=True)
class _Toy(Result):
    table: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"toy": self.table}


def test_csv_neutralises_spreadsheet_formulas():
    toy = _Toy(
        method="m",
        table=pd.DataFrame({"label": ["=HYPERLINK(1)", "@x", "ok"], "estimate": [-1.5, 2.0, 3.0]}),
    )
    back = pd.read_csv(io.StringIO(toy.to_csv()))
    assert back["label"].tolist() == ["'=HYPERLINK(1)", "'@x", "ok"]
    assert back["estimate"].tolist() == [-1.5, 2.0, 3.0]  # numbers untouched


def test_exports_leave_the_result_unchanged(results):
    res = results["model"]
    before = res.table.copy()
    res.to_latex(style="OR (95% CI)", digits=1)
    res.to_csv(digits=0)
    res.to_markdown(columns=["term", "estimate"])
    pd.testing.assert_frame_equal(res.table, before)
