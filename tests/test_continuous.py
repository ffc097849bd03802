"""Tests of mentoranalytics.stats.continuous (compare_groups and its building blocks).

References: R's saved example outputs (tests/results/continuous_r_reference.json) and
independent computations in the tests (brute-force enumeration of permutation
distributions, textbook formulas, statsmodels as independent software).
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mentoranalytics import schema
from mentoranalytics.exceptions import AnalysisError, ColumnError, SmallSampleWarning
from mentoranalytics.stats import continuous
from mentoranalytics.stats.continuous import GroupComparison, compare_groups

REF = json.loads((Path(__file__).parent / "results" / "continuous_r_reference.json").read_text())

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.SmallSampleWarning")


def printed(text: str) -> tuple[float, float]:
    """A printed number and half a unit of its last printed digit."""
    mantissa = text.lower().split("e")[0]
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    exponent = int(text.lower().split("e")[1]) if "e" in text.lower() else 0
    return float(text), 0.5 * 10.0 ** (exponent - decimals)


def assert_printed(value: float, text: str, factor: float = 1.0) -> None:
    target, tol = printed(text)
    assert abs(value - factor * target) <= factor * tol * (1 + 1e-9), (value, text)


def two_groups(x, y, gx="x", gy="y") -> pd.DataFrame:
    return pd.DataFrame({"g": [gx] * len(x) + [gy] * len(y), "v": list(x) + list(y)})


def row(res: GroupComparison, measure: str, group=None) -> pd.Series:
    comp = res.comparisons
    sel = comp[comp["measure"] == measure]
    if group is not None:
        sel = sel[sel["group"] == group]
    assert len(sel) == 1
    return sel.iloc[0]


# --------------------------------------------------------------------------------------
# R references
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["welch_1_10_vs_7_20", "welch_1_10_vs_7_20_200", "welch_sleep"])
def test_welch_matches_r_t_test(case):
    ref = REF[case]
    res = compare_groups(two_groups(ref["x"], ref["y"]), "v", by="g", reference="y")
    diff = row(res, "mean_difference")
    assert_printed(diff["ci_low"], ref["ci_low"])
    assert_printed(diff["ci_high"], ref["ci_high"])
    assert_printed(diff["statistic"], ref["t"])
    assert_printed(diff["p_value"], ref["p_value"])
    welch = res.overall.set_index("test").loc["Welch t"]
    assert_printed(welch["df"], ref["df"])
    assert_printed(welch["p_value"], ref["p_value"])
    groups = res.groups
    assert_printed(groups.loc["x", "mean"], ref["mean_x"])
    assert_printed(groups.loc["y", "mean"], ref["mean_y"])
    assert diff["estimate"] == pytest.approx(groups.loc["x", "mean"] - groups.loc["y", "mean"])


def test_mann_whitney_exact_matches_r_wilcox_test():
    ref = REF["wilcox_permeability"]
    res = compare_groups(two_groups(ref["x"], ref["y"]), "v", by="g", reference="y")
    for measure in ("cliffs_delta", "hodges_lehmann"):
        r = row(res, measure)
        assert r["statistic"] == float(ref["W"])
        # R: two-sided exact p = min(1, 2 * one-sided p)
        assert_printed(r["p_value"], ref["p_value_greater"], factor=2.0)
        assert "exact" in r["method"]


def test_kruskal_statistic_and_chisq_p_match_r(monkeypatch):
    ref = REF["kruskal_mucociliary"]
    values = ref["x"] + ref["y"] + ref["z"]
    groups = ["x"] * 5 + ["y"] * 4 + ["z"] * 5
    frame = pd.DataFrame({"g": groups, "v": values})
    res = compare_groups(frame, "v", by="g", reference="x")
    kw = res.overall.set_index("test").loc["Kruskal-Wallis"]
    assert_printed(kw["statistic"], ref["H"])
    assert kw["df"] == ref["df"]
    assert "Monte Carlo" in kw["method"]
    # the large-sample path gives R's chi-square p-value
    monkeypatch.setattr(continuous, "PERMUTATION_MAX_N", 0)
    res = compare_groups(frame, "v", by="g", reference="x")
    kw = res.overall.set_index("test").loc["Kruskal-Wallis"]
    assert_printed(kw["p_value"], ref["p_value_chisq"])
    assert "chi-square" in kw["method"]


# --------------------------------------------------------------------------------------
# Independent computations
# --------------------------------------------------------------------------------------


def _brute_kruskal_p(samples: list[list[float]]) -> float:
    """Exact permutation p-value of H by enumerating every split of the pooled ranks."""
    allv = np.concatenate(samples)
    ranks = stats.rankdata(allv)
    sizes = [len(s) for s in samples]
    assert len(sizes) == 3

    def stat(r1, r2, r3):
        return r1**2 / sizes[0] + r2**2 / sizes[1] + r3**2 / sizes[2]

    n = len(allv)
    total = ranks.sum()
    observed = stat(ranks[: sizes[0]].sum(), ranks[sizes[0] : sizes[0] + sizes[1]].sum(),
                    ranks[sizes[0] + sizes[1] :].sum())  # fmt: skip
    hits = count = 0
    for a in itertools.combinations(range(n), sizes[0]):
        ra = ranks[list(a)].sum()
        rest = [i for i in range(n) if i not in a]
        combos = np.array(list(itertools.combinations(rest, sizes[1])))
        rb = ranks[combos].sum(axis=1)
        s = stat(ra, rb, total - ra - rb)
        hits += int(np.sum(s >= observed - 1e-9))
        count += len(s)
    return hits / count


@pytest.mark.slow
def test_kruskal_monte_carlo_close_to_exact_enumeration():
    ref = REF["kruskal_mucociliary"]
    samples = [ref["x"], ref["y"], ref["z"]]
    exact = _brute_kruskal_p(samples)
    frame = pd.DataFrame({"g": ["x"] * 5 + ["y"] * 4 + ["z"] * 5, "v": sum(samples, [])})
    p = (
        compare_groups(frame, "v", by="g", rng=11)
        .overall.set_index("test")
        .loc["Kruskal-Wallis", "p_value"]
    )
    se = math.sqrt(exact * (1 - exact) / continuous.N_PERMUTATIONS)
    assert abs(p - exact) < 4 * se + 1 / continuous.N_PERMUTATIONS


def _brute_rank_sum_p(x, y) -> float:
    """Two-sided permutation p of the rank sum of x: all C(n, len(x)) splits."""
    allv = np.concatenate([x, y])
    ranks = stats.rankdata(allv)
    n, k = len(allv), len(x)
    centre = k * (n + 1) / 2
    observed = abs(ranks[:k].sum() - centre)
    sums = np.array([ranks[list(c)].sum() for c in itertools.combinations(range(n), k)])
    return float(np.mean(np.abs(sums - centre) >= observed - 1e-9))


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ([1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5]),  # Likert-like ties
        ([1, 1, 1, 2], [1, 2, 2, 2, 2]),  # heavy ties
        ([0.5, 1.5, 2.0, 2.0], [2.0, 3.0, 3.5]),
        ([3, 1, 4, 1, 5, 9, 2], [6, 5, 3, 5, 8, 9, 7, 9]),
    ],
)
def test_exact_rank_sum_with_ties_equals_enumeration(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    expected = _brute_rank_sum_p(x, y)
    u, p, method = continuous.rank_sum_test(x, y)
    assert p == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert "given the ties" in method
    assert u == pytest.approx(sum((a > b) + 0.5 * (a == b) for a in x for b in y))


def test_exact_rank_sum_without_ties_equals_enumeration():
    x = np.array([0.80, 0.83, 1.89, 1.04, 1.45, 1.38])
    y = np.array([1.15, 0.88, 0.90, 0.74, 1.21])
    assert continuous._exact_rank_sum_p(x, y) == pytest.approx(_brute_rank_sum_p(x, y))


def test_large_samples_use_normal_approximation_like_scipy(rng):
    x = rng.integers(1, 6, 80).astype(float)
    y = rng.integers(1, 6, 60).astype(float)
    u, p, method = continuous.rank_sum_test(x, y)
    ref = stats.mannwhitneyu(x, y, method="asymptotic", use_continuity=True)
    assert (u, p) == pytest.approx((ref.statistic, ref.pvalue))
    assert "normal approximation" in method


def test_cliffs_delta_equals_pairwise_sign_mean(rng):
    x = rng.integers(1, 6, 13).astype(float)
    y = rng.integers(1, 6, 9).astype(float)
    brute = np.mean([np.sign(a - b) for a in x for b in y])
    assert continuous.cliffs_delta(x, y) == pytest.approx(brute)
    res = compare_groups(two_groups(x, y), "v", by="g", reference="y")
    assert row(res, "cliffs_delta")["estimate"] == pytest.approx(brute)


def _brute_hl_ci(x, y, alpha):
    """Hodges-Lehmann CI from the enumerated null distribution of U (no ties)."""
    n1, n2 = len(x), len(y)
    n = n1 + n2
    us = np.array([sum(c) - n1 * (n1 + 1) / 2 for c in itertools.combinations(range(1, n + 1), n1)])
    m = n1 * n2
    # smallest q with P(U <= q) >= alpha / 2 (R's qwilcox), at least 1
    q = next(q for q in range(m + 1) if np.mean(us <= q) >= alpha / 2 - 1e-12)
    q = max(q, 1)
    diffs = np.sort([a - b for a in x for b in y])
    return float(np.median(diffs)), diffs[q - 1], diffs[m - q]


def test_hodges_lehmann_exact_interval_by_enumeration():
    ref = REF["wilcox_permeability"]
    x, y = np.array(ref["x"]), np.array(ref["y"])
    est, lo, hi = _brute_hl_ci(x, y, 0.05)
    res = compare_groups(two_groups(x, y), "v", by="g", reference="y")
    hl = row(res, "hodges_lehmann")
    assert (hl["estimate"], hl["ci_low"], hl["ci_high"]) == pytest.approx((est, lo, hi))
    est90, lo90, hi90 = _brute_hl_ci(x, y, 0.10)
    hl90 = row(compare_groups(two_groups(x, y), "v", by="g", reference="y", alpha=0.1),
               "hodges_lehmann")  # fmt: skip
    assert (hl90["ci_low"], hl90["ci_high"]) == pytest.approx((lo90, hi90))


def _hedges_reference(x, y, alpha):
    """Hedges' g from the textbook formulas, CI by bisection on the noncentral t."""
    n1, n0 = len(x), len(y)
    df = n1 + n0 - 2
    sp = math.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n0 - 1) * np.var(y, ddof=1)) / df)
    d = (np.mean(x) - np.mean(y)) / sp
    j = math.gamma(df / 2) / (math.sqrt(df / 2) * math.gamma((df - 1) / 2))
    scale = math.sqrt(n1 * n0 / (n1 + n0))
    t = d * scale

    def solve(target_tail, upper):
        lo, hi = -50.0, 50.0
        for _ in range(200):
            mid = (lo + hi) / 2
            tail = stats.nct.cdf(t, df, mid) if upper else stats.nct.sf(t, df, mid)
            # cdf decreases in ncp; sf increases in ncp
            if (tail > target_tail) == upper:
                lo = mid
            else:
                hi = mid
        return (lo + hi) / 2

    low = solve(alpha / 2, upper=False)
    high = solve(alpha / 2, upper=True)
    return j * d, j * low / scale, j * high / scale


def test_hedges_g_matches_independent_formula():
    ref = REF["welch_sleep"]
    x, y = np.array(ref["x"]), np.array(ref["y"])
    g, lo, hi = _hedges_reference(x, y, 0.05)
    res = compare_groups(two_groups(x, y), "v", by="g", reference="y")
    hg = row(res, "hedges_g")
    assert (hg["estimate"], hg["ci_low"], hg["ci_high"]) == pytest.approx((g, lo, hi), abs=1e-6)
    # the exact correction is close to Hedges' (1981) approximation 1 - 3 / (4 df - 1)
    df = len(x) + len(y) - 2
    assert continuous._hedges_j(df) == pytest.approx(1 - 3 / (4 * df - 1), abs=1e-3)
    # its p-value is Student's pooled t-test
    assert hg["p_value"] == pytest.approx(stats.ttest_ind(x, y, equal_var=True).pvalue)


def test_detectable_difference_has_the_stated_power():
    from statsmodels.stats.power import TTestIndPower

    x = np.arange(12, dtype=float)
    y = np.arange(20, dtype=float) * 0.7
    res = compare_groups(two_groups(x, y), "v", by="g", reference="y")
    smd = row(res, "hedges_g")["detectable_difference"]
    power = TTestIndPower().power(effect_size=smd, nobs1=12, ratio=20 / 12, alpha=0.05)
    assert power == pytest.approx(0.8, abs=1e-6)
    sp = math.sqrt((11 * np.var(x, ddof=1) + 19 * np.var(y, ddof=1)) / 30)
    assert row(res, "mean_difference")["detectable_difference"] == pytest.approx(smd * sp)


def test_welch_anova_matches_statsmodels(rng):
    from statsmodels.stats.oneway import anova_oneway

    samples = [rng.normal(0, 1, 12), rng.normal(0.5, 2, 9), rng.normal(1, 0.5, 15)]
    frame = pd.DataFrame(
        {"g": np.repeat(["a", "b", "c"], [12, 9, 15]), "v": np.concatenate(samples)}
    )
    res = compare_groups(frame, "v", by="g")
    welch = res.overall.set_index("test").loc["Welch ANOVA"]
    ref = anova_oneway(samples, use_var="unequal")
    assert welch["statistic"] == pytest.approx(ref.statistic)
    assert welch["p_value"] == pytest.approx(ref.pvalue)
    assert (welch["df"], welch["df2"]) == pytest.approx(tuple(ref.df))


def test_group_summaries_match_pandas(rng):
    frame = pd.DataFrame(
        {"gender": rng.choice(["woman", "man"], 40), "score": rng.normal(3, 1, 40)}
    )
    frame.loc[[1, 5, 9], "score"] = np.nan
    res = compare_groups(frame, "score")
    g = res.groups
    ref = frame.groupby("gender")["score"]
    for name in ("woman", "man"):
        assert g.loc[name, "n"] == ref.count()[name]
        assert g.loc[name, "n_missing"] == frame.loc[frame["gender"] == name, "score"].isna().sum()
        assert g.loc[name, "mean"] == pytest.approx(ref.mean()[name])
        assert g.loc[name, "sd"] == pytest.approx(ref.std()[name])
        assert g.loc[name, "median"] == pytest.approx(ref.median()[name])
        assert g.loc[name, "q1"] == pytest.approx(ref.quantile(0.25)[name])
        assert g.loc[name, "q3"] == pytest.approx(ref.quantile(0.75)[name])
        half = (
            stats.t.ppf(0.975, ref.count()[name] - 1)
            * ref.std()[name]
            / math.sqrt(ref.count()[name])
        )
        assert g.loc[name, "ci_low"] == pytest.approx(ref.mean()[name] - half)
    assert list(g.index) == ["woman", "man"]  # schema order


# --------------------------------------------------------------------------------------
# Behaviour, edge cases and errors
# --------------------------------------------------------------------------------------


def test_result_tables_and_rendering():
    frame = pd.DataFrame({"gender": ["woman"] * 6 + ["man"] * 6, "v": range(12)})
    res = compare_groups(frame, "v")
    assert list(res.comparisons.columns) == [
        "group", "reference", "measure", "estimate", "ci_low", "ci_high", "statistic",
        "p_value", "method", "detectable_difference", "note",
    ]  # fmt: skip
    assert set(res.comparisons["measure"]) == {
        "mean_difference", "hedges_g", "hodges_lehmann", "cliffs_delta",
    }  # fmt: skip
    assert "comparisons" in res.to_markdown()
    assert "<table" in res._repr_html_()
    assert res.to_frame().equals(res.groups)
    assert res.rng == 0


def test_default_reference_is_man_whatever_the_sizes():
    frame = two_groups([1, 2, 3], [2, 3, 4, 5, 6], gx="woman", gy="man")
    res = compare_groups(frame, "v", by="g")
    assert res.reference == "man"
    assert any("default for gender" in n for n in res.notes)
    more_women = two_groups([1, 2, 3, 4, 5, 6], [2, 3, 4], gx="woman", gy="man")
    assert compare_groups(more_women, "v", by="g").reference == "man"
    # other columns: the first group in order, whatever the sizes
    other = two_groups([1, 2, 3], [2, 3, 4, 5, 6], gx="b", gy="a")
    assert compare_groups(other, "v", by="g").reference == "a"


def test_groups_table_is_indexed_by_group():
    res = compare_groups(two_groups([1, 2, 3], [2, 3, 4]), "v", by="g")
    assert res.groups.index.name == "group" and "group" not in res.groups.columns


def test_same_seed_same_result_and_seed_recorded():
    frame = two_groups(np.linspace(0, 3, 23) ** 1.5, np.linspace(0.5, 4, 19))
    a = compare_groups(frame, "v", by="g", rng=5)
    b = compare_groups(frame, "v", by="g", rng=5)
    c = compare_groups(frame, "v", by="g", rng=6)
    pd.testing.assert_frame_equal(a.comparisons, b.comparisons)
    assert a.rng == 5
    assert row(a, "cliffs_delta")["ci_low"] != row(c, "cliffs_delta")["ci_low"]
    ci = row(a, "cliffs_delta")
    assert -1 <= ci["ci_low"] <= ci["estimate"] <= ci["ci_high"] <= 1


def test_generator_is_accepted():
    frame = two_groups([1, 2, 2, 3, 4, 5], [2, 3, 4, 4, 5, 6, 7])
    res = compare_groups(frame, "v", by="g", rng=np.random.default_rng(1))
    assert res.rng == "Generator"


def test_input_not_modified():
    frame = pd.DataFrame({"gender": ["woman", "man"] * 5, "v": [1, 2, 3, None, 5, 6, 7, 8, 9, 10]})
    before = frame.copy()
    compare_groups(frame, "v")
    pd.testing.assert_frame_equal(frame, before)


def test_group_of_one_has_no_sd_and_a_note():
    frame = two_groups([5.0], [1, 2, 3, 4, 5, 6], gx="a", gy="b")
    with pytest.warns(SmallSampleWarning):
        res = compare_groups(frame, "v", by="g", reference="b")
    g = res.groups
    assert g.loc["a", "n"] == 1 and math.isnan(g.loc["a", "sd"])
    assert math.isnan(g.loc["a", "ci_low"])
    assert any("one value" in n for n in res.notes)
    diff = row(res, "mean_difference")
    assert math.isnan(diff["p_value"]) and "two values" in diff["note"]
    # rank test still possible (exact)
    assert 0 < row(res, "cliffs_delta")["p_value"] <= 1


def test_single_group_gives_no_comparison():
    frame = pd.DataFrame({"gender": ["woman"] * 5, "v": [1, 2, 3, 4, 5]})
    res = compare_groups(frame, "v")
    assert res.comparisons.empty and res.overall.empty
    assert any("Only one group" in n for n in res.notes)
    assert res.groups["n"].tolist() == [5]


def test_group_without_values_is_reported():
    frame = pd.DataFrame(
        {"gender": ["woman"] * 4 + ["man"] * 4 + ["non_binary"] * 2,
         "v": [1, 2, 3, 4, 2, 3, 4, 5, None, None]}
    )  # fmt: skip
    res = compare_groups(frame, "v")
    g = res.groups
    assert g.loc["non_binary", "n"] == 0 and g.loc["non_binary", "n_missing"] == 2
    assert any("non_binary" in n and "no values" in n for n in res.notes)
    nb = res.comparisons[res.comparisons["group"] == "non_binary"]
    assert nb["estimate"].isna().all() and (nb["note"] != "").all()


def test_missing_group_rows_are_counted():
    frame = pd.DataFrame({"gender": ["woman", None, "man", "man", "woman"], "v": [1, 2, 3, 4, 5]})
    res = compare_groups(frame, "v")
    assert any("1 row(s) with missing 'gender'" in n for n in res.notes)
    assert res.groups["n"].sum() == 4


def test_constant_values_explain_missing_p():
    frame = two_groups([2, 2, 2], [2, 2, 2, 2])
    res = compare_groups(frame, "v", by="g")
    assert "no spread" in row(res, "mean_difference")["note"]
    assert row(res, "cliffs_delta")["estimate"] == 0
    assert row(res, "cliffs_delta")["p_value"] == pytest.approx(1.0)


def test_ordinal_inputs_are_coded():
    cats = pd.CategoricalDtype(["low", "mid", "high"], ordered=True)
    frame = pd.DataFrame(
        {"g": ["a"] * 4 + ["b"] * 4,
         "v": pd.Series(["low", "mid", "mid", "high", "mid", "high", "high", "high"],
                        dtype=cats)}
    )  # fmt: skip
    res = compare_groups(frame, "v", by="g")
    assert res.groups.loc["a", "mean"] == pytest.approx((1 + 2 + 2 + 3) / 4)
    assert any("coded 1..3" in n for n in res.notes)
    # a schema column with ordered categories, as text
    rel = pd.DataFrame(
        {"gender": ["woman", "man"] * 3,
         "mentor_relation": ["line_manager", "no_prior_tie", "introduced", "introduced",
                             "same_organisation", "existing_contact"]}
    )  # fmt: skip
    res = compare_groups(rel, "mentor_relation")
    order = {c: i + 1 for i, c in enumerate(schema.MENTOR_RELATIONS)}
    woman = rel.loc[rel["gender"] == "woman", "mentor_relation"].map(order).mean()
    assert res.groups.loc["woman", "mean"] == pytest.approx(woman)
    # Int64 with missing and booleans
    ints = pd.DataFrame({"gender": ["woman", "man"] * 3,
                         "v": pd.array([1, 2, None, 4, 5, 3], dtype="Int64")})  # fmt: skip
    assert compare_groups(ints, "v").groups["n"].sum() == 5
    bools = pd.DataFrame({"gender": ["woman", "man"] * 3, "v": [True, False, True, True, False,
                                                                 False]})  # fmt: skip
    res = compare_groups(bools, "v")
    assert any("coded 1 = true" in n for n in res.notes)


def test_unordered_category_is_refused():
    frame = pd.DataFrame({"gender": ["woman", "man"], "v": pd.Categorical(["a", "b"])})
    with pytest.raises(AnalysisError, match="unordered category"):
        compare_groups(frame, "v")


def test_text_is_refused():
    frame = pd.DataFrame({"gender": ["woman", "man"], "v": ["1", "x"]})
    with pytest.raises(AnalysisError, match="must hold numbers"):
        compare_groups(frame, "v")


def test_unknown_ordered_value_is_refused():
    frame = pd.DataFrame({"gender": ["woman", "man"], "mentor_relation": ["boss", "introduced"]})
    with pytest.raises(AnalysisError, match="not among its ordered categories"):
        compare_groups(frame, "mentor_relation")


def test_all_missing_variable_is_an_error():
    frame = pd.DataFrame({"gender": ["woman", "man"], "v": [np.nan, np.nan]})
    with pytest.raises(AnalysisError, match="no non-missing values in any group"):
        compare_groups(frame, "v")


def test_no_groups_is_an_error():
    frame = pd.DataFrame({"gender": [None, None], "v": [1.0, 2.0]})
    with pytest.raises(AnalysisError, match="no groups to compare"):
        compare_groups(frame, "v")


def test_unknown_reference_is_an_error():
    frame = two_groups([1, 2], [3, 4])
    with pytest.raises(AnalysisError, match="reference='z' is not a group of 'g'"):
        compare_groups(frame, "v", by="g", reference="z")


def test_missing_column_is_an_error():
    frame = two_groups([1, 2], [3, 4])
    with pytest.raises(ColumnError, match="Column 'w' not found"):
        compare_groups(frame, "w", by="g")


def test_same_column_twice_is_an_error():
    frame = two_groups([1, 2], [3, 4])
    with pytest.raises(AnalysisError, match="variable and by are both 'g'"):
        compare_groups(frame, "g", by="g")


def test_non_string_names_are_an_error():
    frame = two_groups([1, 2], [3, 4])
    with pytest.raises(AnalysisError, match="must be a column name"):
        compare_groups(frame, 3, by="g")  # type: ignore[arg-type]


@pytest.mark.parametrize("alpha", [0, 1, -0.1, "a", True])
def test_bad_alpha_is_an_error(alpha):
    frame = two_groups([1, 2], [3, 4])
    with pytest.raises(AnalysisError, match="alpha must be a number strictly between 0 and 1"):
        compare_groups(frame, "v", by="g", alpha=alpha)


def test_bad_rng_is_an_error():
    frame = two_groups([1, 2], [3, 4])
    with pytest.raises(AnalysisError, match="rng must be None, an int seed"):
        compare_groups(frame, "v", by="g", rng="seed")


def test_bad_data_is_an_error():
    with pytest.raises(AnalysisError, match="data must be a Cohort or a pandas DataFrame"):
        compare_groups([1, 2], "v")


def test_complete_separation_has_no_bootstrap_interval():
    frame = two_groups([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
    d = row(compare_groups(frame, "v", by="g", reference="y"), "cliffs_delta")
    assert d["estimate"] == -1 and math.isnan(d["ci_low"]) and "do not overlap" in d["note"]


def test_three_groups_compare_each_with_reference():
    frame = pd.DataFrame(
        {"gender": ["woman"] * 8 + ["man"] * 6 + ["non_binary"] * 5,
         "v": list(range(8)) + list(range(2, 8)) + [1, 3, 5, 7, 9]}
    )  # fmt: skip
    res = compare_groups(frame, "v", reference="woman")
    assert set(res.comparisons["group"]) == {"man", "non_binary"}
    assert list(res.overall["test"]) == ["Kruskal-Wallis", "Welch ANOVA"]


def test_infinite_values_are_refused():
    frame = two_groups([1, np.inf], [3, 4])
    with pytest.raises(AnalysisError, match="holds infinite values at rows"):
        compare_groups(frame, "v", by="g")


@pytest.mark.parametrize("n1, n0", [(150, 150), (400, 250)])
def test_detectable_smd_for_larger_groups(n1, n0):
    # scipy's noncentral t is NaN for noncentralities above about 7.5, which the
    # root bracket reaches once the groups have ~75 people each; statsmodels' power
    # solver (independent software; its root finder stops at about 1e-7) is the reference
    from statsmodels.stats.power import TTestIndPower

    expected = TTestIndPower().solve_power(nobs1=n1, ratio=n0 / n1, alpha=0.05, power=0.8)
    assert continuous.detectable_smd(n1, n0, 0.05) == pytest.approx(expected, rel=1e-6)


def test_detectable_smd_for_a_million():
    # at df ~ 1e6 the t-test is the z-test: delta = (z_0.975 + z_0.8) / sqrt(n1 n0 / (n1 + n0))
    n = 500_000
    expected = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) / math.sqrt(n / 2)
    assert continuous.detectable_smd(n, n, 0.05) == pytest.approx(expected, rel=1e-5)


def test_t_test_power_where_scipy_nct_is_nan():
    # the fallback integrates over the variance; brute force: Monte Carlo would be
    # too slow, so compare with the normal-variance limit at a huge df and with
    # scipy's value just below the NaN region at a small df
    crit = float(stats.t.ppf(0.975, 1e6))
    normal = stats.norm.sf(crit - 20.0) + stats.norm.cdf(-crit - 20.0)
    assert continuous._t_test_power(crit, 1e6, 20.0) == pytest.approx(normal, abs=1e-9)
    crit1 = float(stats.t.ppf(0.975, 1))
    below = float(stats.nct.sf(crit1, 1, 7.5) + stats.nct.cdf(-crit1, 1, 7.5))
    assert math.isfinite(below)
    at = continuous._t_test_power(crit1, 1, 7.7)
    assert below < at < float(stats.nct.sf(crit1, 1, 9.0) + stats.nct.cdf(-crit1, 1, 9.0))


def test_hedges_g_interval_for_a_million():
    # scipy's noncentral t is NaN in the tails here; at df ~ 1e6 the interval is the
    # large-sample one: g +- z * sqrt(1/n1 + 1/n0 + g^2 / (2 df)) (Hedges & Olkin 1985)
    n1, n0 = 400_000, 500_000
    g, lo, hi, _, df, _ = continuous.hedges_g(n1, 1.0, 1.0, n0, 0.9, 1.0, 0.05)
    se = math.sqrt(1 / n1 + 1 / n0 + g**2 / (2 * df))
    z = stats.norm.ppf(0.975)
    assert lo == pytest.approx(g - z * se, rel=1e-5)
    assert hi == pytest.approx(g + z * se, rel=1e-5)
