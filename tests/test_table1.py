"""Tests of mentoranalytics.stats.table1 (summary_table).

References: R's saved example outputs (tests/results/table1_r_reference.json),
pandas crosstab/groupby and tableone (independent software) for counts and summaries,
the Yang & Dalton (2012) formula implemented separately, statsmodels and scipy for
the tests computed from aggregates.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mentoranalytics import schema
from mentoranalytics.exceptions import AnalysisError, ColumnError, SmallSampleWarning
from mentoranalytics.stats import table1
from mentoranalytics.stats.table1 import SummaryTable, summary_table

REF = json.loads((Path(__file__).parent / "results" / "table1_r_reference.json").read_text())

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.SmallSampleWarning")


def printed(text: str) -> tuple[float, float]:
    """A printed number and half a unit of its last printed digit."""
    mantissa = text.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    return float(text), 0.5 * 10.0 ** (exponent - decimals)


def assert_printed(value: float, text: str) -> None:
    target, tol = printed(text)
    assert abs(value - target) <= tol * (1 + 1e-9), (value, text)


def expand(ref: dict, row_name: str = "g", col_name: str = "v") -> pd.DataFrame:
    """Records of a contingency table (one row per count)."""
    rows = ref.get("rows") or [f"r{i}" for i in range(len(ref["table"]))]
    cols = ref.get("columns") or [f"c{j}" for j in range(len(ref["table"][0]))]
    records = [
        (rows[i], cols[j])
        for i, line in enumerate(ref["table"])
        for j, count in enumerate(line)
        for _ in range(count)
    ]
    return pd.DataFrame(records, columns=[row_name, col_name])


def cohort(n: int, seed: int = 1) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "participant_id": [f"P{i}" for i in range(n)],
            "cohort": r.choice(["2019", "2020", "2021"], n),
            "gender": r.choice(["woman", "man", "non_binary"], n, p=[0.47, 0.47, 0.06]),
            "employment": r.choice(list(schema.EMPLOYMENT), n),
            "participant_level": pd.array(r.integers(1, 7, n), dtype="Int64"),
            "approach": r.choice(list(schema.APPROACHES), n),
            "days_to_secure": r.exponential(30, n),
            "promoted": pd.array(r.random(n) < 0.3, dtype="boolean"),
            "followup_months": r.normal(36, 6, n),
        }
    )
    frame.loc[r.random(n) < 0.08, "days_to_secure"] = np.nan
    frame.loc[r.random(n) < 0.08, "promoted"] = pd.NA
    frame.loc[r.random(n) < 0.05, "employment"] = None
    frame.loc[r.random(n) < 0.03, "gender"] = None
    return frame


# --------------------------------------------------------------------------------------
# Counts and summaries against independent computations
# --------------------------------------------------------------------------------------


def test_counts_and_percents_match_crosstab():
    frame = cohort(400)
    t1 = summary_table(frame)
    long = t1.long
    for var in ("employment", "approach", "cohort"):
        tab = pd.crosstab(frame[var], frame["gender"])  # drops missing values
        nonmiss = tab.sum(axis=0)
        missing = frame[frame[var].isna()].groupby("gender").size()
        for g in tab.columns:
            for level in tab.index:
                r = long[(long.variable == var) & (long.level == level) & (long.group == g)]
                assert r["count"].item() == tab.loc[level, g]
                assert r["n"].item() == nonmiss[g]
                assert r["percent"].item() == pytest.approx(100 * tab.loc[level, g] / nonmiss[g])
                assert r["missing"].item() == missing.get(g, 0)
    # yes/no variable: levels yes and no
    tab = pd.crosstab(frame["promoted"], frame["gender"])
    r = long[(long.variable == "promoted") & (long.level == "yes") & (long.group == "woman")]
    assert r["count"].item() == tab.loc[True, "woman"]
    # the header row: n per group and overall (rows with a gender)
    head = long[long.variable == "n"].set_index("group")["n"]
    assert head["Overall"] == frame["gender"].notna().sum()
    assert head["woman"] == (frame["gender"] == "woman").sum()


def test_numeric_summaries_match_pandas():
    frame = cohort(300)
    t1 = summary_table(frame, variables=["days_to_secure", "followup_months"])
    g = frame.groupby("gender")
    for var in ("days_to_secure", "followup_months"):
        for name in ("woman", "man", "non_binary"):
            r = t1.long[(t1.long.variable == var) & (t1.long.group == name)].iloc[0]
            s = g[var]
            assert r["n"] == s.count()[name]
            assert r["mean"] == pytest.approx(s.mean()[name])
            assert r["sd"] == pytest.approx(s.std()[name])
            assert r["median"] == pytest.approx(s.median()[name])
            assert r["q1"] == pytest.approx(s.quantile(0.25)[name])
            assert r["q3"] == pytest.approx(s.quantile(0.75)[name])
            assert r["missing"] == frame.loc[frame.gender == name, var].isna().sum()
        overall = t1.long[(t1.long.variable == var) & (t1.long.group == "Overall")].iloc[0]
        with_group = frame.loc[frame.gender.notna(), var]
        assert overall["mean"] == pytest.approx(with_group.mean())
        assert overall["sd"] == pytest.approx(with_group.std())
        assert overall["median"] == pytest.approx(with_group.median())


def test_quantiles_from_counts_equal_numpy(rng):
    for _ in range(20):
        x = rng.integers(-3, 9, rng.integers(1, 40)).astype(float)
        values, counts = np.unique(x, return_counts=True)
        got = table1._quantiles_from_counts(values, counts, (0.1, 0.25, 0.5, 0.75, 1.0))
        assert got == pytest.approx(tuple(np.quantile(x, [0.1, 0.25, 0.5, 0.75, 1.0])))


def test_agrees_with_tableone():
    tableone = pytest.importorskip("tableone")
    r = np.random.default_rng(3)
    n = 90
    frame = pd.DataFrame(
        {
            "g": r.choice(["a", "b"], n, p=[0.6, 0.4]),
            "cat": r.choice(["x", "y", "z"], n),
            "num": r.normal(size=n),
            "skew": r.exponential(size=n),
        }
    )
    frame.loc[:4, "cat"] = None
    frame.loc[5:7, "num"] = np.nan
    ours = summary_table(frame, by="g", variables=["cat", "num", "skew"], nonnormal=["skew"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tableone's own pandas deprecation warnings
        theirs = tableone.TableOne(
            frame, columns=["cat", "num", "skew"], categorical=["cat"], groupby="g",
            nonnormal=["skew"], smd=True, pval=False, include_null=False, decimals=6,
        )  # fmt: skip
    long = ours.long
    cat = theirs.cat_describe
    for g in ("a", "b"):
        for level in ("x", "y", "z"):
            mine = long[(long.variable == "cat") & (long.level == level) & (long.group == g)]
            assert mine["count"].item() == cat.loc[("cat", level), ("freq", g)]
            assert mine["n"].item() == cat.loc[("cat", level), ("n", g)]
            assert mine["percent"].item() == pytest.approx(cat.loc[("cat", level), ("percent", g)])
    cont = theirs.cont_describe
    for var in ("num", "skew"):
        for g in ("a", "b"):
            mine = long[(long.variable == var) & (long.group == g)].iloc[0]
            assert mine["n"] == cont.loc[var, ("count", g)]
            assert mine["mean"] == pytest.approx(cont.loc[var, ("mean", g)])
            assert mine["sd"] == pytest.approx(cont.loc[var, ("std", g)])
            assert mine["median"] == pytest.approx(cont.loc[var, ("median", g)])
            assert mine["q1"] == pytest.approx(cont.loc[var, ("q25", g)])
            assert mine["q3"] == pytest.approx(cont.loc[var, ("q75", g)])
    # SMDs: tableone reports (b - a); ours is 'b vs a' with a, the first group, as reference
    smd = ours.smd.set_index("variable")
    assert (smd["group"] == "b").all() and (smd["reference"] == "a").all()
    for var in ("cat", "num", "skew"):
        assert smd.loc[var, "estimate"] == pytest.approx(
            float(theirs.smd_table.loc[var, "SMD (a,b)"]), abs=1e-6
        )


def _yang_dalton(p1: list[float], p0: list[float]) -> float:
    """Yang & Dalton (2012), eq. for multinomial variables, written out element-wise."""
    k = len(p1)
    t = np.array(p1[1:])
    c = np.array(p0[1:])
    s = np.zeros((k - 1, k - 1))
    for a in range(k - 1):
        for b in range(k - 1):
            if a == b:
                s[a, b] = (t[a] * (1 - t[a]) + c[a] * (1 - c[a])) / 2
            else:
                s[a, b] = -(t[a] * t[b] + c[a] * c[b]) / 2
    d = t - c
    return float(math.sqrt(d @ np.linalg.inv(s) @ d))


def test_categorical_smd_is_yang_dalton():
    frame = pd.DataFrame(
        {"g": ["a"] * 20 + ["b"] * 10,
         "v": ["x"] * 5 + ["y"] * 9 + ["z"] * 6 + ["x"] * 5 + ["y"] * 2 + ["z"] * 3}
    )  # fmt: skip
    t1 = summary_table(frame, by="g", variables=["v"])
    expected = _yang_dalton([5 / 10, 2 / 10, 3 / 10], [5 / 20, 9 / 20, 6 / 20])
    assert t1.smd["estimate"].item() == pytest.approx(expected)
    # two levels: Yang & Dalton reduces to the usual binary SMD
    p1, p0 = 0.3, 0.6
    binary = abs(p1 - p0) / math.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
    assert table1.yang_dalton_smd(np.array([p1, 1 - p1]), np.array([p0, 1 - p0])) == (
        pytest.approx(binary)
    )


def test_numeric_smd_formula():
    frame = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 4, "v": [1, 2, 3, 4, 10, 2, 4, 6, 9]})
    t1 = summary_table(frame, by="g", variables=["v"], nonnormal=[])
    a, b = frame[frame.g == "a"].v, frame[frame.g == "b"].v
    expected = (b.mean() - a.mean()) / math.sqrt((a.var() + b.var()) / 2)
    assert t1.smd["estimate"].item() == pytest.approx(expected)


# --------------------------------------------------------------------------------------
# Tests against R and independent software
# --------------------------------------------------------------------------------------


def test_chisq_matches_r():
    ref = REF["chisq_party"]
    t1 = summary_table(expand(ref), by="g", variables=["v"])
    test = t1.tests.iloc[0]
    assert test["method"] == "Pearson chi-square"
    assert_printed(test["statistic"], ref["statistic"])
    assert test["df"] == ref["df"]
    assert_printed(test["p_value"], ref["p_value"])


def test_yates_matches_r():
    ref = REF["chisq_yates"]
    test = summary_table(expand(ref), by="g", variables=["v"]).tests.iloc[0]
    assert test["method"] == "Pearson chi-square (Yates)"
    assert_printed(test["p_value"], ref["p_value"])


def test_fisher_2x2_matches_r():
    ref = REF["fisher_tea"]
    test = summary_table(expand(ref), by="g", variables=["v"]).tests.iloc[0]
    assert test["method"] == "Fisher's exact test"
    target, tol = printed(ref["p_value_greater"])
    assert abs(test["p_value"] - 2 * target) <= 2 * tol


def test_sparse_rxc_monte_carlo_close_to_r_exact():
    ref = REF["fisher_job"]
    test = summary_table(expand(ref), by="g", variables=["v"], rng=2).tests.iloc[0]
    assert "Monte Carlo" in test["method"]
    p = float(ref["p_value"])
    se = math.sqrt(p * (1 - p) / table1.N_MONTE_CARLO)
    assert abs(test["p_value"] - p) < 4 * se


def test_numeric_tests_from_moments_match_scipy_and_statsmodels(rng):
    from statsmodels.stats.oneway import anova_oneway

    frame = pd.DataFrame(
        {"g": np.repeat(["a", "b", "c"], [30, 25, 20]),
         "v": np.concatenate([rng.normal(0, 1, 30), rng.normal(0.4, 2, 25),
                              rng.normal(1, 1, 20)])}
    )  # fmt: skip
    t1 = summary_table(frame, by="g", variables=["v"], nonnormal=[])
    samples = [frame.v[frame.g == g].to_numpy() for g in "abc"]
    ref = anova_oneway(samples, use_var="unequal")
    test = t1.tests.iloc[0]
    assert test["method"] == "Welch ANOVA"
    assert test["statistic"] == pytest.approx(ref.statistic)
    assert test["p_value"] == pytest.approx(ref.pvalue)
    two = summary_table(frame[frame.g != "c"], by="g", variables=["v"], nonnormal=[])
    welch = stats.ttest_ind(samples[1], samples[0], equal_var=False)
    assert two.tests["p_value"].item() == pytest.approx(welch.pvalue)
    assert two.tests["method"].item() == "Welch t-test"


@pytest.mark.parametrize("integer", [True, False])
def test_large_sample_rank_tests_match_scipy(rng, integer):
    n = 600
    v = rng.integers(1, 6, n).astype(float) if integer else rng.exponential(1, n).round(2)
    g = rng.choice(["a", "b", "c"], n)
    frame = pd.DataFrame({"g": g, "v": v})
    t1 = summary_table(frame, by="g", variables=["v"], nonnormal=["v"])
    ref = stats.kruskal(*[v[g == k] for k in "abc"])
    test = t1.tests.iloc[0]
    assert "chi-square approximation" in test["method"]
    assert test["statistic"] == pytest.approx(ref.statistic)
    assert test["p_value"] == pytest.approx(ref.pvalue)
    two = frame[frame.g != "c"]
    sub = summary_table(two, by="g", variables=["v"], nonnormal=["v"]).tests.iloc[0]
    mw = stats.mannwhitneyu(v[g == "b"], v[g == "a"], method="asymptotic")
    assert sub["p_value"] == pytest.approx(mw.pvalue)
    assert "normal approximation" in sub["method"]


def test_small_sample_rank_test_is_exact():
    frame = pd.DataFrame({"g": ["a"] * 6 + ["b"] * 5, "v": [1, 2, 2, 3, 4, 4, 3, 4, 5, 5, 5]})
    test = summary_table(frame, by="g", variables=["v"], nonnormal=["v"]).tests.iloc[0]
    assert "exact" in test["method"]


# --------------------------------------------------------------------------------------
# Rules, strata, display and exports
# --------------------------------------------------------------------------------------


def test_median_rule():
    r = np.random.default_rng(8)
    n = 200
    frame = pd.DataFrame(
        {"gender": r.choice(["woman", "man"], n), "normal": r.normal(10, 2, n),
         "skewed": r.lognormal(0, 1, n),
         "participant_level": pd.array(r.integers(1, 7, n), dtype="Int64")}
    )  # fmt: skip
    t1 = summary_table(frame, variables=["normal", "skewed", "participant_level"])
    assert set(t1.nonnormal) == {"skewed", "participant_level"}
    summaries = t1.tests.set_index("variable")["summary"]
    assert summaries["normal"] == "mean (SD)" and summaries["skewed"] == "median [Q1, Q3]"
    forced = summary_table(frame, variables=["normal", "skewed"], nonnormal=["normal"])
    assert forced.nonnormal == ("normal",)
    assert ("normal, median [Q1, Q3]", "") in forced.table.index


def test_shapiro_catches_small_non_normal_groups():
    frame = pd.DataFrame(
        {"g": ["a"] * 12 + ["b"] * 12,
         "v": [1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9] + list(range(12))}
    )  # fmt: skip
    t1 = summary_table(frame, by="g", variables=["v"])
    assert t1.nonnormal == ("v",)


def test_default_variables():
    frame = cohort(50)
    frame["boldness_index"] = np.linspace(0, 1, 50)
    frame["bold_choice"] = pd.array([True, False] * 25, dtype="boolean")
    frame["unrelated"] = 1.0
    t1 = summary_table(frame)
    expected = [c for c in schema.CANONICAL_COLUMNS if c in frame.columns]
    expected = [c for c in expected if c not in ("participant_id", "gender")]
    assert list(t1.variables) == [*expected, "boldness_index", "bold_choice"]
    # the type comes from the data, never from the name: a fine-grained score is continuous
    assert t1.types["boldness_index"] == "continuous"
    assert t1.types["bold_choice"] == "boolean"
    as_ordinal = summary_table(
        frame, variables=["boldness_index"], types={"boldness_index": "ordinal"}
    )
    assert as_ordinal.nonnormal == ("boldness_index",)


def test_strata_blocks():
    frame = cohort(300)
    t1 = summary_table(frame, variables=["employment", "days_to_secure"], strata="cohort")
    assert isinstance(t1.table.columns, pd.MultiIndex)
    assert list(t1.table.columns.get_level_values(0).unique()) == ["2019", "2020", "2021"]
    assert {"stratum"} <= set(t1.long.columns) and set(t1.tests["stratum"]) == {
        "2019", "2020", "2021",
    }  # fmt: skip
    sub = frame[frame.cohort == "2020"]
    tab = pd.crosstab(sub["employment"], sub["gender"])
    long = t1.long
    r = long[(long.stratum == "2020") & (long.variable == "employment")
             & (long.level == "other") & (long.group == "man")]  # fmt: skip
    assert r["count"].item() == tab.loc["other", "man"]
    blk = t1.table["2021"]
    assert blk.loc[("n", ""), "woman"] == str(((frame.cohort == "2021") & (frame.gender ==
                                                                          "woman")).sum())  # fmt: skip


def test_missing_strata_and_groups_are_counted():
    frame = cohort(120)
    frame.loc[[0, 1], "cohort"] = None
    frame.loc[[0], "gender"] = "woman"
    t1 = summary_table(frame, variables=["employment"], strata="cohort")
    n_missing_gender = frame["gender"].isna().sum()
    assert any(f"{n_missing_gender} row(s) with missing 'gender'" in n for n in t1.notes)
    assert any("with missing 'cohort' are left out" in n for n in t1.notes)


def test_display_table_cells():
    frame = pd.DataFrame(
        {"gender": ["woman"] * 3 + ["man"] * 4,
         "employment": ["employed", "employed", None, "other", "employed", "other", "other"],
         "v": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]}
    )  # fmt: skip
    t1 = summary_table(frame, variables=["employment", "v"], nonnormal=[])
    table = t1.table
    assert table.loc[("n", ""), "woman"] == "3"
    assert table.loc[("employment, n (%)", "employed"), "woman"] == "2 (100.0)"
    assert table.loc[("employment, n (%)", "missing"), "woman"] == "1"
    assert table.loc[("employment, n (%)", "employed"), "man"] == "1 (25.0)"
    assert table.loc[("v, mean (SD)", ""), "woman"] == "2.00 (1.00)"
    assert table.loc[("employment, n (%)", "employed"), "test"] != ""
    # one SMD column with a stable name; men are the reference (gender's default)
    assert "SMD" in table.columns and "p_value" in table.columns
    assert t1.reference == "man" and set(t1.smd["reference"]) == {"man"}
    assert (
        table.loc[("v, mean (SD)", ""), "SMD"]
        == f"{t1.smd.set_index('variable').loc['v', 'estimate']:.3f}"
    )
    assert table.loc[("v, mean (SD)", ""), "SMD"].startswith("-")  # women minus men


def test_exports():
    frame = cohort(80)
    t1 = summary_table(frame, variables=["employment", "days_to_secure"])
    md = t1.to_markdown()
    assert md.startswith("**Table 1 by gender**") and "| employment, n (%) |" in md
    html = t1.to_html()
    assert "<table" in html and "Note:" in html
    assert t1._repr_html_() == html
    latex = t1.to_latex(caption="Table 1")
    assert "\\begin{tabular}" in latex and "days\\_to\\_secure" in latex
    assert "\\caption{Table 1}" in latex
    assert t1.to_frame().equals(t1.table)
    assert t1.to_frame("long").equals(t1.long)
    assert t1.to_frame("tests").equals(t1.tests)
    strat = summary_table(frame, variables=["employment"], strata="cohort")
    assert "2019: woman" in strat.to_markdown()
    assert "\\begin{tabular}" in strat.to_latex()


def test_long_columns_and_types():
    t1 = summary_table(cohort(60), variables=["employment", "days_to_secure"])
    assert list(t1.long.columns) == [
        "variable", "level", "group", "n", "count", "percent", "mean", "sd", "median",
        "q1", "q3", "missing",
    ]  # fmt: skip
    assert list(t1.tests.columns) == [
        "variable", "summary", "method", "statistic", "df", "p_value", "note",
    ]  # fmt: skip
    assert t1.long["n"].dtype.kind == "i"


def test_text_yes_no_column_is_boolean():
    frame = pd.DataFrame({"gender": ["woman", "man"] * 4,
                          "promoted": ["yes", "no", "Yes", "n", None, "y", "no", "no"]})  # fmt: skip
    t1 = summary_table(frame, variables=["promoted"])
    levels = t1.long[t1.long.variable == "promoted"]["level"].unique().tolist()
    assert levels == ["yes", "no"]
    woman = t1.long[(t1.long.variable == "promoted") & (t1.long.group == "woman")]
    assert woman.set_index("level")["count"].to_dict() == {"yes": 2.0, "no": 1.0}


def test_same_seed_same_table():
    frame = cohort(60)
    a = summary_table(frame, rng=4)
    b = summary_table(frame, rng=4)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.tests, b.tests)
    assert a.rng == 4


def test_input_not_modified():
    frame = cohort(60)
    before = frame.copy()
    summary_table(frame, strata="cohort")
    pd.testing.assert_frame_equal(frame, before)


def test_small_groups_warn():
    frame = pd.DataFrame({"gender": ["woman"] * 3 + ["man"] * 10, "v": range(13)})
    with pytest.warns(SmallSampleWarning, match="fewer than 5 records"):
        t1 = summary_table(frame, variables=["v"])
    assert t1.warnings


def test_single_group_and_empty_variable_explain_missing_p():
    frame = pd.DataFrame({"gender": ["woman"] * 4, "v": [1, 2, 3, 4], "e": [np.nan] * 4})
    t1 = summary_table(frame, variables=["v", "e"])
    assert t1.tests["p_value"].isna().all()
    assert any("No p-value for 'v'" in n and "one group" in n for n in t1.notes)
    assert t1.types["v"] == "ordinal"  # whole numbers on a short scale
    assert t1.table.loc[("v, median [Q1, Q3]", ""), "test"].startswith("no test:")
    two = pd.DataFrame({"gender": ["woman", "man"] * 3, "c": ["x"] * 6})
    t2 = summary_table(two, variables=["c"])
    assert "only one level" in t2.tests["note"].item()


def test_result_is_summary_table():
    assert isinstance(summary_table(cohort(30), variables=["employment"]), SummaryTable)


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_error_missing_by():
    with pytest.raises(ColumnError, match="Column 'sex' not found"):
        summary_table(cohort(10), by="sex")


def test_error_by_not_text():
    with pytest.raises(AnalysisError, match="by must be a column name"):
        summary_table(cohort(10), by=1)  # type: ignore[arg-type]


def test_error_strata_not_text():
    with pytest.raises(AnalysisError, match="strata must be a column name"):
        summary_table(cohort(10), strata=2)  # type: ignore[arg-type]


def test_error_missing_strata():
    with pytest.raises(ColumnError, match="Column 'intake' not found"):
        summary_table(cohort(10), strata="intake")


def test_error_strata_equals_by():
    with pytest.raises(AnalysisError, match="strata and by are both 'gender'"):
        summary_table(cohort(10), strata="gender")


def test_error_no_rows():
    with pytest.raises(AnalysisError, match="The data have no rows"):
        summary_table(cohort(10).iloc[:0])


def test_error_unknown_variable():
    with pytest.raises(
        ColumnError, match=r"Column 'age' not found, needed for the variables of Table 1"
    ):
        summary_table(cohort(10), variables=["age"])


def test_error_variable_is_grouping_column():
    with pytest.raises(AnalysisError, match="which is the grouping column"):
        summary_table(cohort(10), variables=["gender"])


def test_error_no_variables():
    with pytest.raises(AnalysisError, match="No variables to summarise"):
        summary_table(pd.DataFrame({"gender": ["woman"], "participant_id": ["P1"]}))


def test_error_no_groups():
    frame = pd.DataFrame({"gender": [None, None], "v": [1, 2]})
    with pytest.raises(AnalysisError, match="has no non-missing values: no groups"):
        summary_table(frame, variables=["v"])


def test_error_nonnormal_not_numeric():
    with pytest.raises(AnalysisError, match=r"nonnormal lists \['employment'\]"):
        summary_table(cohort(10), variables=["employment"], nonnormal=["employment"])


def test_error_bad_kind():
    t1 = summary_table(cohort(10), variables=["employment"])
    with pytest.raises(AnalysisError, match="kind must be one of"):
        t1.to_frame("wide")


def test_error_bad_alpha():
    with pytest.raises(AnalysisError, match="alpha must be a number strictly between 0 and 1"):
        summary_table(cohort(10), alpha=2)


def test_label_columns_stored_as_numbers_are_categorical_when_typed():
    frame = pd.DataFrame(
        {"gender": ["woman", "man"] * 4, "cohort": [2019, 2020] * 4,
         "promoted": [1, 0, 1, 1, 0, 0, None, 1]}
    )  # fmt: skip
    # the name 'cohort' says nothing about the type: numbers on a short scale are ordinal
    assert summary_table(frame, variables=["cohort"]).types == {"cohort": "ordinal"}
    t1 = summary_table(frame, variables=["cohort", "promoted"], types={"cohort": "categorical"})
    long = t1.long
    assert set(long[long.variable == "cohort"]["level"]) == {"2019", "2020"}
    assert list(long[long.variable == "promoted"]["level"].unique()) == ["yes", "no"]
    woman = long[(long.variable == "promoted") & (long.group == "woman")].set_index("level")
    assert woman["count"].to_dict() == {"yes": 2.0, "no": 1.0}


def test_error_infinite_values():
    frame = pd.DataFrame({"gender": ["woman", "man"], "v": [1.0, -np.inf]})
    with pytest.raises(AnalysisError, match="holds infinite values at rows"):
        summary_table(frame, variables=["v"])


# --------------------------------------------------------------------------------------
# Types from the data, labels, decimals, missing rows and the test choice
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.array([True, False, None], dtype="boolean"), "boolean"),
        ([0, 1, 1, None], "boolean"),
        (["yes", "No", None], "boolean"),
        (pd.Categorical(["a", "b"]), "categorical"),
        (["x", "y", "yes"], "categorical"),
        ([1, 2, 3, 6], "ordinal"),  # a level 1-6
        ([0, 4, 10], "ordinal"),  # whole numbers spanning 10
        ([0, 1 / 3, 2 / 3, 1], "ordinal"),  # thirds (reach, initiation)
        ([0.0, 0.25, 0.75], "ordinal"),  # quarters (distance)
        ([0, 5, 11], "continuous"),  # whole numbers spanning 11
        ([12.0, 24.0, 36.0], "continuous"),  # months: a wide span
        ([0.1, 0.37, 0.92], "continuous"),
        ([np.nan, np.nan], "continuous"),
    ],
)
def test_variable_type_from_values(values, expected):
    assert table1.variable_type(pd.Series(values)) == expected


def _sample_frame() -> pd.DataFrame:
    import mentoranalytics as ma

    return ma.load_sample().data


SAMPLE_VARIABLES = [
    "employment", "participant_level", "mentor_relation", "days_to_secure", "promoted",
    "career_satisfaction", "reach", "distance", "boldness_index",
]  # fmt: skip


def test_renaming_columns_gives_the_same_table():
    frame = _sample_frame()
    original = summary_table(frame, variables=SAMPLE_VARIABLES)
    names = {v: f"col {i}" for i, v in enumerate(SAMPLE_VARIABLES)}
    names["gender"] = "sex"
    renamed = summary_table(
        frame.rename(columns=names), by="sex", variables=[names[v] for v in SAMPLE_VARIABLES]
    )
    back = {new: old for old, new in names.items()}
    assert {back[k]: v for k, v in renamed.types.items()} == original.types
    assert original.types["participant_level"] == "ordinal"
    assert original.types["reach"] == "ordinal"
    assert original.types["promoted"] == "boolean"
    assert original.types["mentor_relation"] == "categorical"
    for part in ("long", "tests", "smd"):
        mine = getattr(renamed, part).assign(variable=lambda d: d["variable"].replace(back))
        pd.testing.assert_frame_equal(mine, getattr(original, part))
    # the printed table too, once the labels say the old names
    relabelled = summary_table(
        frame.rename(columns=names),
        by="sex",
        variables=[names[v] for v in SAMPLE_VARIABLES],
        labels={names[v]: v for v in SAMPLE_VARIABLES},
    )
    pd.testing.assert_frame_equal(relabelled.table, original.table)


def test_labels_rename_variables_for_display_only():
    frame = cohort(80)
    t1 = summary_table(
        frame,
        variables=["employment", "participant_level"],
        labels={"employment": "Employment status", "participant_level": "Level & grade"},
    )
    first = t1.table.index.get_level_values(0)
    assert "Employment status, n (%)" in first and "Level & grade, median [Q1, Q3]" in first
    assert set(t1.long["variable"]) == {"n", "employment", "participant_level"}
    latex = t1.to_latex()
    assert r"Level \& grade, median [Q1, Q3]" in latex


def test_decimals_int_and_per_variable():
    frame = pd.DataFrame(
        {"gender": ["woman"] * 3 + ["man"] * 3, "days": [10.5, 12.25, 14.0, 20.0, 22.5, 30.1],
         "e": ["a", "a", "b", "a", "b", "b"]}
    )  # fmt: skip
    base = summary_table(frame, variables=["days", "e"], nonnormal=[])
    mean = frame[frame.gender == "woman"]["days"].mean()
    sd = frame[frame.gender == "woman"]["days"].std()
    assert base.table.loc[("days, mean (SD)", ""), "woman"] == f"{mean:.2f} ({sd:.2f})"
    assert base.table.loc[("e, n (%)", "a"), "woman"] == "2 (66.7)"
    zero = summary_table(frame, variables=["days", "e"], nonnormal=[], decimals=0)
    assert zero.table.loc[("days, mean (SD)", ""), "woman"] == f"{mean:.0f} ({sd:.0f})"
    assert zero.table.loc[("e, n (%)", "a"), "woman"] == "2 (67)"
    per = summary_table(frame, variables=["days", "e"], nonnormal=[], decimals={"days": 3})
    assert per.table.loc[("days, mean (SD)", ""), "woman"] == f"{mean:.3f} ({sd:.3f})"
    assert per.table.loc[("e, n (%)", "a"), "woman"] == "2 (66.7)"  # default kept
    pd.testing.assert_frame_equal(per.long, base.long)  # numbers are never rounded


def test_missing_rows_can_be_hidden():
    frame = cohort(120)
    shown = summary_table(frame, variables=["employment", "days_to_secure"])
    hidden = summary_table(frame, variables=["employment", "days_to_secure"], missing=False)
    assert "missing" in shown.table.index.get_level_values(1)
    assert "missing" not in hidden.table.index.get_level_values(1)
    assert len(hidden.table) == len(shown.table) - 2
    pd.testing.assert_frame_equal(hidden.long, shown.long)  # the counts stay in long


def test_test_false_leaves_out_the_test_columns():
    frame = cohort(120)
    t1 = summary_table(frame, variables=["employment", "days_to_secure"], test=False)
    assert "p_value" not in t1.table.columns and "test" not in t1.table.columns
    assert t1.tests["p_value"].isna().all()
    assert (t1.tests["note"] == "no test requested").all()
    assert not any("No p-value" in n for n in t1.notes)
    assert any(c.startswith("SMD") for c in t1.table.columns)  # SMDs stay


def test_test_choice_per_variable():
    frame = cohort(60, seed=4)
    auto = summary_table(frame, variables=["employment", "promoted", "followup_months"])
    chosen = summary_table(
        frame,
        variables=["employment", "promoted", "followup_months"],
        test={"employment": "chisq", "promoted": "fisher", "followup_months": "rank"},
    )
    tests = chosen.tests.set_index("variable")
    sub = frame.dropna(subset=["gender"])
    # chi-square even where the automatic rule would not use it
    table = pd.crosstab(sub["gender"], sub["employment"]).to_numpy()
    chi2, p, dof, _ = stats.chi2_contingency(table, correction=True)
    assert tests.loc["employment", "method"].startswith("Pearson chi-square")
    assert tests.loc["employment", "p_value"] == pytest.approx(p)
    # Fisher's exact test on a 2 x 2 table
    two = sub[sub.gender.isin(["woman", "man"])]
    small = summary_table(two, variables=["promoted"], test={"promoted": "fisher"})
    tab = pd.crosstab(two["gender"], two["promoted"]).to_numpy()
    assert small.tests["method"].item() == "Fisher's exact test"
    assert small.tests["p_value"].item() == pytest.approx(stats.fisher_exact(tab).pvalue)
    # a rank test next to a mean (SD) summary
    assert chosen.table.loc[("followup_months, mean (SD)", ""), "Overall"] != ""
    assert "Kruskal-Wallis" in tests.loc["followup_months", "method"]
    assert auto.tests.set_index("variable").loc["followup_months", "method"] == "Welch ANOVA"
    assert any("Tests chosen with test=" in n for n in chosen.notes)
    none = summary_table(frame, variables=["employment", "promoted"], test={"promoted": False})
    assert none.tests.set_index("variable").loc["promoted", "note"] == "no test requested"
    assert np.isfinite(none.tests.set_index("variable").loc["employment", "p_value"])


def test_types_override_the_data_rule():
    frame = cohort(60)
    frame["score"] = np.tile([1, 2, 3, 4, 5], 12)
    t1 = summary_table(frame, variables=["score"], types={"score": "continuous"}, nonnormal=[])
    assert t1.types == {"score": "continuous"}
    assert ("score, mean (SD)", "") in t1.table.index
    t2 = summary_table(frame, variables=["score"], types={"score": "categorical"})
    assert set(t2.long.loc[t2.long.variable == "score", "level"]) == {"1", "2", "3", "4", "5"}


def test_option_errors():
    frame = cohort(30)
    with pytest.raises(AnalysisError, match=r"labels names 'age', which is not a variable"):
        summary_table(frame, variables=["employment"], labels={"age": "Age"})
    with pytest.raises(AnalysisError, match="labels must be a mapping"):
        summary_table(frame, variables=["employment"], labels=["Employment"])
    with pytest.raises(AnalysisError, match=r"decimals must be a whole number from 0 to 10"):
        summary_table(frame, variables=["employment"], decimals=1.5)
    with pytest.raises(AnalysisError, match=r"decimals\['employment'\] must be a whole number"):
        summary_table(frame, variables=["employment"], decimals={"employment": -1})
    with pytest.raises(AnalysisError, match="missing must be True or False"):
        summary_table(frame, variables=["employment"], missing="no")
    with pytest.raises(AnalysisError, match=r"test\['employment'\] must be one of .*categorical"):
        summary_table(frame, variables=["employment"], test={"employment": "rank"})
    with pytest.raises(AnalysisError, match="test must be True, False or a mapping"):
        summary_table(frame, variables=["employment"], test="fisher")
    with pytest.raises(AnalysisError, match=r"types\['employment'\] must be one of"):
        summary_table(frame, variables=["employment"], types={"employment": "nominal"})
    with pytest.raises(AnalysisError, match="types gives 'employment' as ordinal, but it does not"):
        summary_table(frame, variables=["employment"], types={"employment": "ordinal"})
    with pytest.raises(AnalysisError, match="types gives 'employment' as boolean, but its values"):
        summary_table(frame, variables=["employment"], types={"employment": "boolean"})


def test_options_leave_the_input_unchanged():
    frame = cohort(60)
    before = frame.copy()
    summary_table(
        frame, variables=["employment", "participant_level"], labels={"employment": "E"},
        decimals=1, missing=False, test={"employment": "fisher"},
        types={"participant_level": "continuous"},
    )  # fmt: skip
    pd.testing.assert_frame_equal(frame, before)


def test_table1_publication_exports(tmp_path):
    frame = cohort(80)
    t1 = summary_table(
        frame, variables=["employment", "days_to_secure"], labels={"days_to_secure": "Days (%)"}
    )
    latex = t1.to_latex(caption="Characteristics & outcomes", label="tab:one")
    assert r"\caption{Characteristics \& outcomes}" in latex and r"\label{tab:one}" in latex
    assert r"Days (\%), " in latex and r"\textbar{}skewness\textbar{}" in latex
    assert latex.count(r"\begin{tabular}") == 1  # the display table only
    md = t1.to_markdown(columns=["Overall", "woman", "man"])
    header = md.splitlines()[2]
    assert header == "| variable | level | Overall | woman | man |"
    t1.to_csv(tmp_path / "t1.csv")
    back = pd.read_csv(tmp_path / "t1.csv", keep_default_na=False)
    assert list(back.columns[:3]) == ["variable", "level", "Overall"]
    assert back.loc[0, "variable"] == "n"
    tests_csv = pd.read_csv(io_text(t1.to_csv(table="tests")))
    assert list(tests_csv.columns) == list(t1.tests.columns)
    with pytest.raises(AnalysisError, match="columns \\['age'\\] are not columns of Table 1"):
        t1.to_markdown(columns=["age"])


def io_text(text: str | None):
    import io

    assert text is not None
    return io.StringIO(text)
