"""Tests for mentoranalytics.stats.rates: proportion_ci and compare_rates.

Reference values live in tests/results/rates_*.json with their sources (published tables,
R's saved example outputs).  Where no published value exists the test computes the
reference independently: exact p-values by brute-force enumeration with exact fractions,
score intervals with statsmodels' independent implementation or a closed form.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from fractions import Fraction
from math import comb
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mentoranalytics.exceptions import AnalysisError, ColumnError, SmallSampleWarning
from mentoranalytics.stats import rates
from mentoranalytics.stats.rates import RatesResult, compare_rates, proportion_ci

RESULTS = Path(__file__).parent / "results"

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.exceptions.SmallSampleWarning")


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


def frame_from_counts(
    counts: dict, *, by: str = "group", outcome: str = "event", strata: str | None = None
) -> pd.DataFrame:
    """One row per person from {group: (events, n)} or {stratum: {group: (events, n)}}."""
    rows = []
    if strata is None:
        counts = {None: counts}
    for stratum, groups in counts.items():
        for label, (events, n) in groups.items():
            for i in range(n):
                row = {by: label, outcome: i < events}
                if strata is not None:
                    row[strata] = stratum
                rows.append(row)
    return pd.DataFrame(rows)


def effect(result: RatesResult, measure: str, group=None) -> pd.Series:
    rows = result.effects[result.effects["measure"] == measure]
    if group is not None:
        rows = rows[rows["group"] == group]
    assert len(rows) == 1
    return rows.iloc[0]


# ======================================================================================
# proportion_ci
# ======================================================================================

CI_CASES = _load("rates_proportion_ci.json")["cases"]


@pytest.mark.parametrize("case", CI_CASES, ids=lambda c: f"{c['method']}-{c['k']}/{c['n']}")
def test_proportion_ci_matches_references(case):
    low, high = proportion_ci(case["k"], case["n"], method=case["method"])
    assert low == pytest.approx(case["low"], abs=case["tol"])
    assert high == pytest.approx(case["high"], abs=case["tol"])


def test_proportion_ci_jeffreys_boundaries_follow_brown_cai_dasgupta():
    # Brown, Cai & DasGupta (2001) Stat Sci 16:101-133, section 4.1.2: the Jeffreys
    # lower limit is set to 0 when k = 0 and the upper limit to 1 when k = n
    low, high = proportion_ci(0, 20, method="jeffreys")
    assert low == 0.0 and 0 < high < 1
    low, high = proportion_ci(20, 20, method="jeffreys")
    assert high == 1.0 and 0 < low < 1


def test_proportion_ci_vectorised_matches_scalar_calls():
    k = np.array([0, 3, 7, 10])
    n = np.array([10, 10, 20, 10])
    for method in ("wilson", "clopper-pearson", "agresti-coull", "jeffreys"):
        low, high = proportion_ci(k, n, method=method)
        assert isinstance(low, np.ndarray) and low.shape == (4,)
        for i in range(4):
            lo_i, hi_i = proportion_ci(int(k[i]), int(n[i]), method=method)
            assert low[i] == pytest.approx(lo_i, abs=1e-15)
            assert high[i] == pytest.approx(hi_i, abs=1e-15)


def test_proportion_ci_alpha_changes_the_level():
    wide = proportion_ci(4, 20, alpha=0.01)
    narrow = proportion_ci(4, 20, alpha=0.10)
    assert wide.low < narrow.low < narrow.high < wide.high
    assert wide.method == "Wilson score"


def test_proportion_ci_n_zero_gives_nan_with_reason():
    ci = proportion_ci(0, 0)
    assert math.isnan(ci.low) and math.isnan(ci.high)
    assert ci.reason == "n = 0: no one to estimate a proportion from"
    low, high = proportion_ci([0, 2], [0, 4])
    assert math.isnan(low[0]) and not math.isnan(low[1])
    assert proportion_ci([0, 2], [0, 4]).reason.startswith("1 of 2 entries have n = 0")


@pytest.mark.parametrize(
    ("k", "n", "kwargs", "match"),
    [
        (5, 4, {}, "k must not exceed n"),
        (-1, 4, {}, "k and n must be >= 0"),
        (1.5, 4, {}, "k and n must be whole numbers"),
        (float("nan"), 4, {}, "k and n must not be missing"),
        (1, 4, {"method": "wald"}, "method must be one of"),
        (1, 4, {"alpha": 0}, "alpha must be a number strictly between 0 and 1"),
        ([1, 2, 3], [4, 5], {}, "k and n must have the same shape"),
    ],
)
def test_proportion_ci_errors(k, n, kwargs, match):
    with pytest.raises(AnalysisError, match=match):
        proportion_ci(k, n, **kwargs)


# ======================================================================================
# compare_rates: effect sizes against references
# ======================================================================================

NEWCOMBE = _load("rates_newcombe_difference.json")


@pytest.mark.parametrize("case", NEWCOMBE["cases"], ids=lambda c: c["label"])
def test_risk_difference_matches_newcombe_1998_method_10(case):
    data = frame_from_counts({"g1": (case["k1"], case["n1"]), "g2": (case["k2"], case["n2"])})
    res = compare_rates(data, "event", by="group", reference="g2")
    row = effect(res, "risk_difference")
    assert row.estimate == pytest.approx(case["k1"] / case["n1"] - case["k2"] / case["n2"])
    assert row.ci_low == pytest.approx(case["low"], abs=NEWCOMBE["tol"])
    assert row.ci_high == pytest.approx(case["high"], abs=NEWCOMBE["tol"])
    assert "Newcombe" in row.method


FISHER = _load("rates_fisher.json")["cases"]


def _exact_conditional(a: int, b: int, c: int, d: int, alpha: float):
    """Conditional MLE and exact interval of the odds ratio, from scratch (brentq on the
    noncentral hypergeometric distribution written out with math.comb)."""
    from scipy.optimize import brentq

    n1, n2, m = a + b, c + d, a + c
    support = range(max(0, m - n2), min(n1, m) + 1)

    def probs(psi):
        w = [comb(n1, x) * comb(n2, m - x) * psi**x for x in support]
        total = sum(w)
        return [v / total for v in w]

    def mean(psi):
        return sum(x * q for x, q in zip(support, probs(psi), strict=True))

    def upper_tail(psi):
        return sum(q for x, q in zip(support, probs(psi), strict=True) if x >= a)

    def lower_tail(psi):
        return sum(q for x, q in zip(support, probs(psi), strict=True) if x <= a)

    kw = {"xtol": 1e-16, "rtol": 1e-15}
    mle = brentq(lambda p: mean(p) - a, 1e-8, 1e8, **kw)
    low = brentq(lambda p: upper_tail(p) - alpha / 2, 1e-10, 1e6, **kw)
    high = brentq(lambda p: lower_tail(p) - alpha / 2, 1e-10, 1e6, **kw)
    return mle, low, high


@pytest.mark.parametrize("case", FISHER, ids=lambda c: c["label"])
def test_odds_ratio_and_p_value_match_r_fisher_test(case):
    (a, b), (c, d) = case["table"]
    g, ref = case["groups"]
    data = frame_from_counts({g: (a, a + b), ref: (c, c + d)})
    res = compare_rates(data, "event", by="group", reference=ref, alpha=case["alpha"])
    row = effect(res, "odds_ratio")
    assert "conditional MLE" in row.method
    r_tol = {"abs": case["r_tol"], "rel": case["r_rtol"]}
    assert row.estimate == pytest.approx(case["odds_ratio"], **r_tol)
    mle, low, high = _exact_conditional(a, b, c, d, case["alpha"])
    assert row.estimate == pytest.approx(mle, rel=1e-9)
    if "ci_low" in case:
        assert row.ci_low == pytest.approx(case["ci_low"], **r_tol)
        assert row.ci_high == pytest.approx(case["ci_high"], **r_tol)
        assert row.ci_low == pytest.approx(low, rel=1e-9)
        assert row.ci_high == pytest.approx(high, rel=1e-9)
    if "p_value" in case:
        # the same Fisher p-value on every measure row and as the overall 2 x 2 test
        assert (res.effects["p_value"] == row.p_value).all()
        assert row.p_value == pytest.approx(case["p_value"], abs=case["p_tol"])
        assert res.test.loc[0, "p_value"] == pytest.approx(case["p_value"], abs=case["p_tol"])
        assert res.test.loc[0, "method"] == "Fisher's exact test (two-sided)"


def test_katz_risk_ratio_matches_scipy_documentation_example():
    # scipy.stats.contingency.relative_risk docs: 10/75 exposed vs 12/225 controls,
    # relative risk 2.5, Katz interval (1.1261564003469628, 5.549850800541033)
    data = frame_from_counts({"exposed": (10, 75), "control": (12, 225)})
    res = compare_rates(data, "event", by="group", reference="control")
    row = effect(res, "risk_ratio")
    assert row.estimate == pytest.approx(2.5, abs=1e-12)
    assert row.ci_low == pytest.approx(1.1261564003469628, abs=1e-12)
    assert row.ci_high == pytest.approx(5.549850800541033, abs=1e-12)
    assert row.method.startswith("Katz log")


def test_woolf_odds_ratio_matches_statsmodels_table2x2():
    from statsmodels.stats.contingency_tables import Table2x2

    data = frame_from_counts({"a": (20, 50), "b": (9, 45)})
    res = compare_rates(data, "event", by="group", reference="b")
    row = effect(res, "odds_ratio")
    table = Table2x2(np.array([[20, 30], [9, 36]]))
    low, high = table.oddsratio_confint()
    assert row.estimate == pytest.approx(table.oddsratio, rel=1e-12)
    assert (row.ci_low, row.ci_high) == pytest.approx((low, high), rel=1e-12)
    assert row.method.startswith("Woolf logit")


def test_koopman_score_interval_matches_published_example():
    # Koopman (1984) Biometrics 40:513-517: 36/40 vs 16/80, 95% limits 2.94 and 7.15
    data = frame_from_counts({"x": (36, 40), "y": (16, 80)})
    res = compare_rates(data, "event", by="group", reference="y", exact_threshold=5)
    row = effect(res, "risk_ratio")
    # 4 non-events in group x: below the exact threshold, so the score interval is used
    assert row.method.startswith("Koopman score")
    assert row.ci_low == pytest.approx(2.94, abs=5e-3)
    assert row.ci_high == pytest.approx(7.15, abs=5e-3)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize(
    "counts", [(36, 40, 16, 80), (7, 34, 1, 34), (0, 10, 3, 12), (4, 10, 0, 12), (2, 5, 3, 7)]
)
def test_koopman_score_interval_agrees_with_statsmodels(counts):
    from statsmodels.stats.proportion import confint_proportions_2indep

    k1, n1, k2, n2 = counts
    low, high = rates._koopman_ci(k1, n1, k2, n2, 0.05)
    sm_low, sm_high = confint_proportions_2indep(
        k1, n1, k2, n2, method="score", compare="ratio", correction=False
    )
    assert low == pytest.approx(max(float(sm_low), 0.0), abs=1e-9)
    assert high == pytest.approx(float(sm_high), rel=1e-9)


def test_koopman_score_interval_when_everyone_had_the_event():
    # closed form in PropCIs::riskscoreci (x1 == n1 and x2 == n2):
    # lower = n1 / (n1 + z^2), upper = (n2 + z^2) / n2
    z2 = 1.959963984540054**2
    low, high = rates._koopman_ci(10, 10, 8, 8, 0.05)
    assert low == pytest.approx(10 / (10 + z2), abs=1e-9)
    assert high == pytest.approx((8 + z2) / 8, abs=1e-9)


# ======================================================================================
# compare_rates: overall test
# ======================================================================================

CHISQ = _load("rates_chisq.json")["cases"]


@pytest.mark.parametrize("case", CHISQ, ids=lambda c: c["label"])
def test_overall_chi_square_matches_r(case):
    data = frame_from_counts({k: tuple(v) for k, v in case["groups"].items()})
    res = compare_rates(data, "event", by="group")
    test = res.test.iloc[0]
    assert test.method == "Pearson chi-square test"
    assert test.statistic == pytest.approx(case["statistic"], abs=case["stat_tol"])
    assert test.df == case["df"]
    assert test.p_value == pytest.approx(case["p_value"], abs=case["p_tol"])
    assert test.reason == "all expected counts are at least 5"


def brute_force_fisher_freeman_halton(events: list[int], sizes: list[int]) -> float:
    """Exact p-value by enumerating every k x 2 table with these margins (exact fractions)."""
    total = sum(events)
    denom = comb(sum(sizes), total)

    def prob(xs):
        num = 1
        for x, n in zip(xs, sizes, strict=True):
            num *= comb(n, x)
        return Fraction(num, denom)

    observed = prob(events)
    p = Fraction(0)
    for xs in itertools.product(*(range(n + 1) for n in sizes)):
        if sum(xs) == total:
            q = prob(xs)
            if q <= observed:
                p += q
    return float(p)


@pytest.mark.parametrize(
    ("events", "sizes"),
    [
        ([2, 7, 1], [12, 9, 4]),
        ([0, 3, 1, 2], [5, 6, 2, 7]),
        ([4, 4, 4], [6, 6, 6]),  # many tables tie with the observed one
        ([150, 4, 0], [300, 4, 3]),  # one large group, two tiny ones
    ],
)
def test_sparse_overall_test_is_exact_fisher_freeman_halton(events, sizes):
    data = frame_from_counts(
        {f"g{i}": (e, n) for i, (e, n) in enumerate(zip(events, sizes, strict=True))}
    )
    res = compare_rates(data, "event", by="group")
    test = res.test.iloc[0]
    assert test.method == "Fisher-Freeman-Halton exact test"
    assert "expected counts below 5" in test.reason
    assert test.p_value == pytest.approx(
        brute_force_fisher_freeman_halton(events, sizes), abs=1e-12
    )


def test_monte_carlo_fallback_is_seeded_and_within_error(monkeypatch):
    monkeypatch.setattr(rates, "_MAX_ENUMERATION", 0)
    events, sizes = [2, 7, 1], [12, 9, 4]
    data = frame_from_counts(
        {f"g{i}": (e, n) for i, (e, n) in enumerate(zip(events, sizes, strict=True))}
    )
    first = compare_rates(data, "event", by="group", rng=7)
    second = compare_rates(data, "event", by="group", rng=7)
    other = compare_rates(data, "event", by="group", rng=np.random.default_rng(8))
    test = first.test.iloc[0]
    assert test.method == "Fisher-Freeman-Halton test, Monte Carlo p-value"
    assert first.rng == 7 and other.rng == "Generator"
    pd.testing.assert_frame_equal(first.test, second.test)
    assert other.test.loc[0, "p_value"] != test.p_value
    # the Monte Carlo p-value estimates the exact one (brute force, exact fractions)
    exact = brute_force_fisher_freeman_halton(events, sizes)
    assert test.mc_se > 0
    assert abs(test.p_value - exact) < 4 * test.mc_se


# ======================================================================================
# compare_rates: strata (Mantel-Haenszel)
# ======================================================================================

MH = _load("rates_mantelhaen.json")


def _stratified_frame(case):
    counts = {}
    for stratum, ((a, b), (c, d)) in case["strata"].items():
        counts[stratum] = {case["group"]: (a, a + b), case["reference"]: (c, c + d)}
    return frame_from_counts(counts, by="arm", outcome="event", strata="stratum")


@pytest.mark.parametrize("case", MH["cases"], ids=lambda c: c["label"])
def test_mantel_haenszel_matches_r(case):
    data = _stratified_frame(case)
    res = compare_rates(data, "event", by="arm", reference=case["reference"], strata="stratum")
    row = res.pooled.iloc[0]
    assert row.group == case["group"] and row.reference == case["reference"]
    assert row.estimate == pytest.approx(case["estimate"], abs=case["est_tol"])
    assert row.ci_low == pytest.approx(case["ci_low"], abs=case["ci_tol"])
    assert row.ci_high == pytest.approx(case["ci_high"], abs=case["ci_tol"])
    if "statistic" in case:
        assert row.statistic == pytest.approx(case["statistic"], abs=case["stat_tol"])
        assert row.p_value == pytest.approx(case["p_value"], abs=case["p_tol"])
    if "homogeneity_p_value" in case:
        assert row.homogeneity_p_value == pytest.approx(
            case["homogeneity_p_value"], abs=case["hom_tol"]
        )
        stat, _ = rates._breslow_day(
            np.array(list(case["strata"].values()), dtype=float), tarone=True
        )
        assert stat == pytest.approx(case["homogeneity_statistic_tarone"], abs=case["hom_tol"])
    assert row.n_strata_used == len(case["strata"])


@pytest.mark.parametrize("case", MH["breslow_day_untarone"], ids=lambda c: c["label"])
def test_breslow_day_without_tarone_matches_desctools(case):
    arr = np.array(list(case["strata"].values()), dtype=float)
    stat, p = rates._breslow_day(arr, tarone=False)
    assert stat == pytest.approx(case["statistic"], abs=case["stat_tol"])
    assert p == pytest.approx(case["p_value"], abs=case["p_tol"])


def test_breslow_day_tarone_matches_from_scratch_formula():
    # independent computation of Breslow & Day (1980) with Tarone's (1985) correction:
    # expected a under the Mantel-Haenszel odds ratio from the quadratic per stratum
    arr = np.array(list(MH["cases"][2]["strata"].values()), dtype=float)
    a, b, c, d = arr[:, 0, 0], arr[:, 0, 1], arr[:, 1, 0], arr[:, 1, 1]
    n = a + b + c + d
    psi = np.sum(a * d / n) / np.sum(b * c / n)
    n1, m1 = a + b, a + c
    n2 = c + d
    expected, var = [], []
    for k in range(len(a)):
        lo, hi = max(0.0, m1[k] - n2[k]), min(n1[k], m1[k])
        # (e)(n2 - m1 + e) = psi (n1 - e)(m1 - e)
        qa = 1 - psi
        qb = (n2[k] - m1[k]) + psi * (n1[k] + m1[k])
        qc = -psi * n1[k] * m1[k]
        roots = np.roots([qa, qb, qc]) if qa != 0 else np.array([-qc / qb])
        e = float(next(r.real for r in roots if lo - 1e-9 <= r.real <= hi + 1e-9))
        expected.append(e)
        var.append(1 / (1 / e + 1 / (n1[k] - e) + 1 / (m1[k] - e) + 1 / (n2[k] - m1[k] + e)))
    expected, var = np.array(expected), np.array(var)
    x2 = np.sum((a - expected) ** 2 / var) - (np.sum(a) - np.sum(expected)) ** 2 / np.sum(var)
    stat, _ = rates._breslow_day(arr, tarone=True)
    assert stat == pytest.approx(x2, rel=1e-9)


def test_simpsons_paradox_is_flagged():
    # within each cohort the group does worse than the reference, but it is concentrated
    # in the cohort with the high base rate, so the crude comparison points the other way
    counts = {
        "2019": {"a": (72, 90), "b": (9, 10)},
        "2020": {"a": (1, 10), "b": (18, 90)},
    }
    data = frame_from_counts(counts, by="arm", outcome="event", strata="cohort")
    res = compare_rates(data, "event", by="arm", reference="b", strata="cohort")
    row = res.pooled.iloc[0]
    assert row.crude_estimate > 1 > row.estimate
    assert "Simpson's paradox" in row.note


MH_EDGES = _load("rates_mh_edges.json")


def _edge_frame(strata: dict) -> pd.DataFrame:
    counts = {s: {"g": (a, a + b), "r": (c, c + d)} for s, ((a, b), (c, d)) in strata.items()}
    return frame_from_counts(counts, by="arm", outcome="event", strata="stratum")


@pytest.mark.parametrize("case", MH_EDGES["mantel_haenszel"], ids=lambda c: c["label"])
def test_mantel_haenszel_continuity_correction_only_from_half_as_r(case):
    # R's mantelhaen.test subtracts 0.5 only when |sum(a) - sum(E)| >= 0.5
    res = compare_rates(
        _edge_frame(case["strata"]), "event", by="arm", reference="r", strata="stratum"
    )
    row = res.pooled.iloc[0]
    assert row.statistic == pytest.approx(case["statistic"], rel=1e-12, abs=1e-15)
    assert row.p_value == pytest.approx(case["p_value"], rel=1e-12)
    assert row.estimate == pytest.approx(case["estimate"], rel=1e-12)
    assert row.ci_low == pytest.approx(case["ci_low"], rel=1e-10)
    assert row.ci_high == pytest.approx(case["ci_high"], rel=1e-10)
    corrected = abs(case["delta"]) >= 0.5
    assert ("with continuity correction" in case["method"]) is corrected
    assert ("MH chi-square test with continuity correction" in row.method) is corrected
    assert ("without continuity correction" in row.method) is (not corrected)


def test_crude_estimate_is_the_odds_ratio_over_all_rows_as_in_effects_infert():
    # infert: any spontaneous abortion vs none, event = case, strata = the 83 matched sets.
    # Collapsing only the sets with both groups gave 10.01; the crude odds ratio is 4.27.
    ref = MH_EDGES["infert"]
    data = pd.DataFrame(
        {"stratum": ref["stratum"], "spont": ref["spontaneous_any"], "case": ref["case"]}
    )
    res = compare_rates(data, "case", by="spont", reference=False, strata="stratum")
    row = res.pooled.iloc[0]
    assert row.crude_estimate == pytest.approx(ref["crude_estimate"], rel=1e-12)
    assert ref["collapsed_strata_with_both_groups"] == pytest.approx(10.0086, abs=1e-4)
    odds = effect(res, "odds_ratio")
    assert row.crude_estimate == pytest.approx(odds.estimate, rel=1e-12)
    assert odds.ci_low == pytest.approx(ref["crude_woolf_ci"][0], rel=1e-10)
    # the stratified analysis itself matches mantelhaen.test over all 83 sets
    assert row.estimate == pytest.approx(ref["mh_estimate"], rel=1e-12)
    assert row.ci_low == pytest.approx(ref["mh_ci_low"], rel=1e-10)
    assert row.ci_high == pytest.approx(ref["mh_ci_high"], rel=1e-10)
    assert row.statistic == pytest.approx(ref["mh_statistic"], rel=1e-10)
    assert row.p_value == pytest.approx(ref["mh_p_value"], rel=1e-8)
    # both point the same way: no Simpson's paradox note
    assert "Simpson" not in row.note


def test_crude_estimate_uses_rows_of_the_pooled_analysis_only():
    counts = {
        "2018": {"a": (3, 8), "b": (4, 9)},
        "2019": {"a": (2, 7)},
        "2020": {"a": (5, 10), "b": (1, 6)},
    }
    data = frame_from_counts(counts, by="arm", outcome="event", strata="cohort")
    full = compare_rates(data, "event", by="arm", reference="b", strata="cohort")
    assert full.pooled.iloc[0].crude_estimate == pytest.approx(
        effect(full, "odds_ratio").estimate, rel=1e-12
    )
    # a row without a stratum is in .effects but not in the pooled analysis
    data.loc[0, "cohort"] = None
    part = compare_rates(data, "event", by="arm", reference="b", strata="cohort")
    a_rows = data[data["arm"] == "a"].iloc[1:]
    b_rows = data[data["arm"] == "b"]
    expected = compare_rates(pd.concat([a_rows, b_rows]), "event", by="arm", reference="b")
    assert part.pooled.iloc[0].crude_estimate == pytest.approx(
        effect(expected, "odds_ratio").estimate, rel=1e-12
    )
    assert part.pooled.iloc[0].crude_estimate != pytest.approx(
        effect(part, "odds_ratio").estimate, rel=1e-6
    )


@pytest.mark.parametrize("case", MH_EDGES["breslow_day"], ids=lambda c: c["label"])
def test_breslow_day_on_informative_strata_matches_metafor(case):
    arr = np.array(list(case["strata"].values()), dtype=float)
    stat, p = rates._breslow_day(arr, tarone=False)
    assert stat == pytest.approx(case["BD"], rel=1e-10)
    assert p == pytest.approx(case["BD_p_value"], rel=1e-9)
    stat, p = rates._breslow_day(arr, tarone=True)
    assert stat == pytest.approx(case["TA"], rel=1e-10)
    assert p == pytest.approx(case["TA_p_value"], rel=1e-9)
    res = compare_rates(
        _edge_frame(case["strata"]), "event", by="arm", reference="r", strata="stratum"
    )
    row = res.pooled.iloc[0]
    assert row.homogeneity_p_value == pytest.approx(case["TA_p_value"], rel=1e-9)
    assert row.estimate == pytest.approx(case["mh_estimate"], rel=1e-12)
    left_out = [s for s in case["strata"] if s not in case["informative"]]
    assert len(case["informative"]) == case["k_pos"]
    if left_out:
        assert (
            f"Breslow-Day test on the {case['k_pos']} strata with both events and non-events"
            in row.note
        )
        assert f"left out of that test only: {', '.join(left_out)}" in row.note
    else:
        assert "left out of that test" not in row.note


def test_breslow_day_needs_two_informative_strata():
    strata = {"x": [[3, 2], [1, 4]], "y": [[0, 5], [0, 6]], "z": [[4, 0], [3, 0]]}
    res = compare_rates(_edge_frame(strata), "event", by="arm", reference="r", strata="stratum")
    row = res.pooled.iloc[0]
    assert math.isnan(row.homogeneity_p_value)
    assert "fewer than two strata with both events and non-events" in row.note
    assert math.isnan(rates._breslow_day(np.array(list(strata.values()), float))[0])


def test_strata_missing_a_group_are_dropped_and_named():
    counts = {
        "2018": {"a": (3, 8), "b": (4, 9)},
        "2019": {"a": (2, 7)},  # no one from b
        "2020": {"a": (5, 10), "b": (1, 6)},
    }
    data = frame_from_counts(counts, by="arm", outcome="event", strata="cohort")
    res = compare_rates(data, "event", by="arm", reference="b", strata="cohort")
    row = res.pooled.iloc[0]
    assert row.n_strata_used == 2
    assert row.strata_dropped == "2019"
    assert "strata without both groups left out: 2019" in row.note


def test_pooled_all_strata_without_the_reference_gives_a_clear_note():
    counts = {"2018": {"a": (3, 8)}, "2019": {"b": (2, 7)}}
    data = frame_from_counts(counts, by="arm", outcome="event", strata="cohort")
    res = compare_rates(data, "event", by="arm", reference="b", strata="cohort")
    row = res.pooled.iloc[0]
    assert row.n_strata_used == 0
    assert math.isnan(row.estimate)
    assert "no stratum contains both 'a' and 'b'" in row.note


def test_pooled_with_zero_cells_everywhere_explains_infinite_estimate():
    counts = {"2018": {"a": (3, 5), "b": (0, 4)}, "2019": {"a": (2, 6), "b": (0, 5)}}
    data = frame_from_counts(counts, by="arm", outcome="event", strata="cohort")
    res = compare_rates(data, "event", by="arm", reference="b", strata="cohort")
    row = res.pooled.iloc[0]
    assert row.estimate == math.inf
    assert "no Robins-Breslow-Greenland interval" in row.note
    assert 0 < row.p_value < 1
    # the exact conditional interval replaces it: open to infinity, above 0
    assert row.ci_high == math.inf and 0 < row.ci_low < 1
    assert "exact conditional" in row.method
    assert 0 < row.exact_p_value < 1


# ======================================================================================
# compare_rates: data handling and edge cases
# ======================================================================================


@pytest.fixture
def cohort() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "gender": pd.Categorical(
                ["man"] * 12 + ["woman"] * 15 + ["non_binary"] * 3,
                categories=["woman", "man", "non_binary", "self_described", "not_stated"],
            ),
            "promoted": pd.array(
                [True] * 7
                + [False] * 4
                + [None]
                + [True] * 4
                + [False] * 11
                + [True, False, False],
                dtype="boolean",
            ),
            "cohort": ["2019", "2020", "2021"] * 10,
        }
    )


def test_rates_table_columns_order_and_counts(cohort):
    res = compare_rates(cohort, "promoted")
    assert list(res.rates.columns) == [
        "n",
        "events",
        "rate",
        "ci_low",
        "ci_high",
        "method",
        "n_missing",
    ]
    assert list(res.rates.index) == ["woman", "man", "non_binary"]  # schema order
    assert res.rates.index.name == "group"
    assert res.rates.loc["man", "n"] == 11 and res.rates.loc["man", "n_missing"] == 1
    assert res.rates.loc["woman", "events"] == 4
    assert "1 row(s) with missing 'promoted' left out" in res.notes
    # categories nobody has are not groups (no note about them)
    assert not any("groups with no one to analyse" in n for n in res.notes)
    assert list(res.effects.columns) == list(rates.EFFECT_COLUMNS)
    assert set(res.effects["measure"]) == {"risk_difference", "risk_ratio", "odds_ratio"}


def test_default_reference_is_man_not_the_largest_group_and_is_recorded(cohort):
    res = compare_rates(cohort, "promoted")
    assert res.reference == "man"  # 15 women, 11 men with an outcome, 3 non-binary
    assert any(n.startswith("reference group: man (the default for gender") for n in res.notes)
    assert set(res.effects["reference"]) == {"man"}
    assert set(res.effects["group"]) == {"woman", "non_binary"}
    chosen = compare_rates(cohort, "promoted", reference="woman")
    assert chosen.reference == "woman"
    assert "reference group: woman" in chosen.notes
    assert set(chosen.effects["group"]) == {"man", "non_binary"}


def test_detectable_difference_column_uses_reference_rate_and_sizes(cohort):
    from mentoranalytics.stats.power import detectable_difference

    res = compare_rates(cohort, "promoted")
    row = effect(res, "risk_difference", group="woman")
    expected = detectable_difference(11, 15, base_rate=7 / 11)  # reference: 7 of 11 men
    assert row.detectable_difference == pytest.approx(float(expected), abs=1e-12)
    assert (
        res.effects.loc[res.effects["group"] == "woman", "detectable_difference"] == expected
    ).all()


def test_schema_order_used_for_plain_string_gender():
    data = pd.DataFrame({"gender": ["man"] * 10 + ["woman"] * 10, "x": [1, 0] * 10})
    res = compare_rates(data, "x")
    assert list(res.rates.index) == ["woman", "man"]
    assert res.event == "x = 1"


def test_boolean_grouping_column():
    data = pd.DataFrame({"bold_choice": [True] * 8 + [False] * 12, "y": [1, 0] * 10})
    res = compare_rates(data, "y", by="bold_choice")
    assert list(res.rates.index) == [False, True]
    assert res.reference is False  # no (False) for a yes/no column
    more_true = compare_rates(data.iloc[:12], "y", by="bold_choice")  # 8 True, 4 False
    assert more_true.reference is False and list(more_true.effects["group"].unique()) == [True]
    assert list(res.effects["group"].unique()) == [True]


def test_input_frame_is_not_modified(cohort):
    before = cohort.copy()
    compare_rates(cohort, "promoted", strata="cohort")
    pd.testing.assert_frame_equal(cohort, before)


def test_same_input_gives_same_output(cohort):
    a = compare_rates(cohort, "promoted", strata="cohort")
    b = compare_rates(cohort, "promoted", strata="cohort")
    for name, table in a.tables().items():
        pd.testing.assert_frame_equal(table, b.tables()[name])


def test_small_sample_warning_is_raised_and_kept(cohort):
    with pytest.warns(SmallSampleWarning, match="non_binary \\(n = 3\\)") as record:
        res = compare_rates(cohort, "promoted")
    assert record[0].filename == __file__  # stacklevel=2 points at the caller
    assert len(res.warnings) == 1
    assert "expected counts below 5" in res.warnings[0]


def test_no_warning_for_large_groups():
    data = frame_from_counts({"a": (20, 50), "b": (25, 50)})
    with warnings.catch_warnings():
        warnings.simplefilter("error", SmallSampleWarning)
        res = compare_rates(data, "event", by="group")
    assert res.warnings == ()


def test_group_with_zero_events_gets_open_intervals_and_notes():
    data = frame_from_counts({"a": (0, 12), "b": (5, 15)})
    res = compare_rates(data, "event", by="group", reference="b")
    rr = effect(res, "risk_ratio")
    odds = effect(res, "odds_ratio")
    assert rr.estimate == 0 and rr.ci_low == 0 and 0 < rr.ci_high < math.inf
    assert "no events in this group" in rr.note
    assert odds.estimate == 0 and odds.ci_low == 0 and 0 < odds.ci_high < math.inf
    assert "zero cell" in odds.note
    assert res.rates.loc["a", "ci_low"] == 0


def test_group_with_all_events_gets_open_intervals():
    data = frame_from_counts({"a": (9, 9), "b": (4, 12)})
    res = compare_rates(data, "event", by="group", reference="b")
    odds = effect(res, "odds_ratio")
    assert odds.estimate == math.inf and odds.ci_high == math.inf and odds.ci_low > 0
    rr = effect(res, "risk_ratio")
    assert rr.estimate == pytest.approx(3.0) and math.isfinite(rr.ci_high)
    assert res.rates.loc["a", "ci_high"] == 1


def test_reference_with_zero_events_gives_infinite_risk_ratio():
    data = frame_from_counts({"a": (3, 10), "b": (0, 12)})
    res = compare_rates(data, "event", by="group", reference="b")
    rr = effect(res, "risk_ratio")
    assert rr.estimate == math.inf and rr.ci_high == math.inf and rr.ci_low > 0
    assert "no events in the reference group" in rr.note


def test_no_events_anywhere_says_why_ratios_are_undefined():
    data = frame_from_counts({"a": (0, 10), "b": (0, 20)})
    res = compare_rates(data, "event", by="group")
    assert math.isnan(effect(res, "risk_ratio").estimate)
    assert "no events in either group" in effect(res, "risk_ratio").note
    assert "no events in both groups" in effect(res, "odds_ratio").note
    assert effect(res, "risk_difference").estimate == 0
    assert res.test.loc[0, "p_value"] == 1.0
    assert "no one had the event" in res.test.loc[0, "reason"]


def test_single_group_gives_rates_only_with_a_note():
    data = frame_from_counts({"woman": (3, 8)}, by="gender")
    res = compare_rates(data, "event")
    assert len(res.rates) == 1
    assert res.effects.empty and list(res.effects.columns) == list(rates.EFFECT_COLUMNS)
    assert res.test is None
    assert any("only one group (woman) has data" in n for n in res.notes)
    assert set(res.tables()) == {"rates", "effects"}


def test_one_person_in_a_group():
    data = frame_from_counts({"a": (1, 1), "b": (6, 20)})
    res = compare_rates(data, "event", by="group", reference="b")
    assert res.rates.loc["a", "n"] == 1
    assert all(
        math.isfinite(x) or x == math.inf
        for x in effect(res, "risk_difference")[["estimate", "ci_low", "ci_high"]]
    )
    assert "a (n = 1)" in res.warnings[0]


def test_missing_groups_are_counted():
    data = pd.DataFrame({"gender": ["woman", None, "man", "man"], "y": [1, 1, 0, 1]})
    res = compare_rates(data, "y")
    assert "1 row(s) with missing 'gender' left out" in res.notes
    assert res.rates["n"].sum() == 3


def test_outcome_types(cohort):
    yes_no = pd.DataFrame({"gender": ["woman", "man"] * 6, "y": ["Yes", "no", "YES", "No"] * 3})
    assert compare_rates(yes_no, "y").rates.loc["woman", "events"] == 6
    cat = pd.DataFrame(
        {"g": ["a", "b"] * 5, "y": pd.Categorical(["low", "high"] * 5, categories=["low", "high"])}
    )
    res = compare_rates(cat, "y", by="g")
    assert res.rates.loc["b", "events"] == 5 and res.rates.loc["a", "events"] == 0
    assert "y = high" in res.event
    text = pd.DataFrame({"g": ["a", "b"] * 5, "y": ["left", "right"] * 5})
    res = compare_rates(text, "y", by="g", event="left")
    assert res.rates.loc["a", "events"] == 5


def test_all_missing_outcome_is_a_clear_error():
    data = pd.DataFrame({"gender": ["woman", "man"], "y": pd.array([None, None], dtype="boolean")})
    with pytest.raises(AnalysisError, match="Outcome column 'y' has no non-missing value"):
        compare_rates(data, "y")


def test_non_binary_outcome_names_the_count_not_the_values():
    data = pd.DataFrame({"gender": ["woman", "man"] * 3, "score": [1, 2, 3, 4, 5, 3]})
    with pytest.raises(AnalysisError, match="it has 5 distinct values") as info:
        compare_rates(data, "score")
    message = str(info.value)
    assert "[" not in message and "1, 2" not in message  # no values echoed


@pytest.mark.parametrize(
    ("frame", "kwargs", "error", "match"),
    [
        (pd.DataFrame({"gender": ["a"], "y": ["maybe"]}), {}, AnalysisError,
         "it has 1 distinct values that are not yes/no"),
        (pd.DataFrame({"gender": ["a"], "y": pd.Categorical(["x"], categories=["x", "y", "z"])}),
         {}, AnalysisError, "it is a category with 3 levels"),
        (pd.DataFrame({"gender": ["a"], "y": [1]}), {"event": 7}, AnalysisError,
         "event=7 is not a value of outcome column 'y'"),
        (pd.DataFrame({"gender": ["a"], "y": [1]}), {"reference": "b"}, AnalysisError,
         "reference='b' is not a group of 'gender' with data"),
        (pd.DataFrame({"gender": ["a"], "y": [1]}), {"by": "y"}, AnalysisError,
         "outcome, by and strata must be different columns"),
        (pd.DataFrame({"gender": ["a"], "y": [1]}), {"alpha": 2}, AnalysisError,
         "alpha must be a number strictly between 0 and 1"),
        (pd.DataFrame({"gender": ["a"], "y": [1]}), {"exact_threshold": -1}, AnalysisError,
         "exact_threshold must be a whole number >= 0"),
        (pd.DataFrame({"gender": ["a"], "y": [1]}), {"rng": "seed"}, AnalysisError,
         "rng must be None, an int seed or a numpy.random.Generator"),
        (pd.DataFrame({"sex": ["a"], "y": [1]}), {}, ColumnError, "Column 'gender' not found"),
    ],
)  # fmt: skip
def test_compare_rates_errors(frame, kwargs, error, match):
    with pytest.raises(error, match=match):
        compare_rates(frame, "y", **kwargs)


def test_data_must_be_a_frame_or_cohort():
    with pytest.raises(AnalysisError, match="data must be a Cohort or a pandas DataFrame"):
        compare_rates([1, 2, 3], "y")


def test_accepts_an_object_with_a_data_frame():
    class FakeCohort:
        data = frame_from_counts({"woman": (2, 10), "man": (5, 10)}, by="gender")

    assert compare_rates(FakeCohort(), "event").rates["n"].sum() == 20


def test_result_rendering(cohort):
    res = compare_rates(cohort, "promoted", strata="cohort")
    assert list(res.tables()) == ["rates", "effects", "test", "pooled"]
    pd.testing.assert_frame_equal(res.to_frame(), res.rates)
    html = res._repr_html_()
    assert "<table" in html and "pooled" in html and "reference group: man" in html
    md = res.to_markdown()
    assert "| group | n | events |" in md
    assert res.rng == 0 and res.by == "gender" and res.strata == "cohort"


def test_pooled_has_frozen_columns(cohort):
    res = compare_rates(cohort, "promoted", strata="cohort")
    assert list(res.pooled.columns) == list(rates.POOLED_COLUMNS)
    assert list(res.pooled["group"]) == ["woman", "non_binary"]


def _brute_force_exact_stratified(strata, alpha):
    """Exact conditional inference for a common odds ratio by enumerating every
    combination of stratum tables (exact fractions for the null distribution)."""
    from scipy.optimize import brentq

    supports, weights = [], []
    for (a, b), (c, d) in strata:
        n1, n2, m = a + b, c + d, a + c
        xs = list(range(max(0, m - n2), min(n1, m) + 1))
        supports.append(xs)
        weights.append({x: comb(n1, x) * comb(n2, m - x) for x in xs})
    dist: dict[int, int] = {}
    for combo in itertools.product(*supports):
        w = math.prod(weights[k][x] for k, x in enumerate(combo))
        dist[sum(combo)] = dist.get(sum(combo), 0) + w
    total = sum(dist.values())
    s_obs = sum(a for (a, _), _ in strata)
    observed = Fraction(dist[s_obs], total)
    p = sum(Fraction(w, total) for w in dist.values() if Fraction(w, total) <= observed)
    ss = sorted(dist)

    def probs(psi):
        w = [dist[s] * psi ** (s - s_obs) for s in ss]
        z = sum(w)
        return [v / z for v in w]

    def mean(psi):
        return sum(s * q for s, q in zip(ss, probs(psi), strict=True))

    kw = {"xtol": 1e-14, "rtol": 1e-14}
    mle = brentq(lambda t: mean(t) - s_obs, 1e-3, 1e4, **kw)
    low = brentq(
        lambda t: sum(q for s, q in zip(ss, probs(t), strict=True) if s >= s_obs) - alpha / 2,
        1e-3, 1e4, **kw,
    )  # fmt: skip
    high = brentq(
        lambda t: sum(q for s, q in zip(ss, probs(t), strict=True) if s <= s_obs) - alpha / 2,
        1e-3, 1e5, **kw,
    )  # fmt: skip
    return float(p), mle, low, high


def test_exact_conditional_stratified_test_matches_r_and_brute_force():
    ref = MH["exact_conditional"][0]
    case = next(c for c in MH["cases"] if c["label"] == ref["case"])
    strata = list(case["strata"].values())
    got = rates._exact_stratified(np.array(strata, dtype=float), 0.05)
    assert got["p_value"] == pytest.approx(ref["p_value"], abs=ref["p_tol"])
    assert got["estimate"] == pytest.approx(ref["estimate"], rel=ref["est_rtol"])
    assert got["ci_low"] == pytest.approx(ref["ci_low"], rel=ref["ci_low_rtol"])
    assert got["ci_high"] == pytest.approx(ref["ci_high"], rel=ref["ci_high_rtol"])
    p, mle, low, high = _brute_force_exact_stratified(strata, 0.05)
    assert got["p_value"] == pytest.approx(p, abs=1e-12)
    assert got["estimate"] == pytest.approx(mle, rel=1e-9)
    assert got["ci_low"] == pytest.approx(low, rel=1e-9)
    assert got["ci_high"] == pytest.approx(high, rel=1e-9)
    # and it is reported on the pooled row
    data = _stratified_frame(case)
    res = compare_rates(data, "event", by="arm", reference=case["reference"], strata="stratum")
    assert res.pooled.loc[0, "exact_p_value"] == pytest.approx(p, abs=1e-12)


def test_interval_objects_survive_pickling():
    import pickle

    ci = pickle.loads(pickle.dumps(proportion_ci(0, 0)))
    assert ci.reason.startswith("n = 0") and math.isnan(ci.low)
    ci = pickle.loads(pickle.dumps(proportion_ci(3, 9, method="jeffreys")))
    assert ci == proportion_ci(3, 9, method="jeffreys") and ci.method == "Jeffreys"


# ======================================================================================
# properties: row accounting, shuffle invariance, interval order
# ======================================================================================


def test_large_strata_skip_the_exact_conditional_test():
    # 6 strata of 20,000: the exact conditional distribution would have ~33,000
    # support points.  It is not computed (NaN, said in the note); the Mantel-Haenszel
    # estimate and test are, the estimate as statsmodels' StratifiedTable gives it.
    from statsmodels.stats.contingency_tables import StratifiedTable

    tables = [[[3000 + 50 * k, 7000], [2500, 7500 - 50 * k]] for k in range(6)]
    rows = []
    for k, ((a, b), (c, d)) in enumerate(tables):
        for arm, event, count in (("x", 1, a), ("x", 0, b), ("y", 1, c), ("y", 0, d)):
            rows += [(f"s{k}", arm, event)] * count
    data = pd.DataFrame(rows, columns=["stratum", "arm", "event"])
    res = compare_rates(data, "event", by="arm", reference="y", strata="stratum")
    row = res.pooled.iloc[0]
    assert math.isnan(row["exact_p_value"])
    assert "exact conditional test not computed" in row["note"]
    expected = StratifiedTable(np.transpose(np.array(tables, float), (1, 2, 0))).oddsratio_pooled
    assert row["estimate"] == pytest.approx(expected, rel=1e-12)
    assert 0 <= row["p_value"] < 1e-6


def test_nullable_boolean_groups_with_missing_values():
    # a yes/no grouping column with missing values (pandas' nullable boolean): rows
    # with a missing group are left out, the counts are those of a crosstab
    df = pd.DataFrame(
        {
            "bold": pd.array([True, False, None, True, False, True, None, False] * 5),
            "event": [1, 0, 1, 1, 1, 0, 0, 0] * 5,
        }
    )
    res = compare_rates(df, "event", by="bold")
    table = pd.crosstab(df["bold"].dropna().astype(bool), df["event"][df["bold"].notna()])
    for group in (False, True):
        assert res.rates.loc[group, "n"] == table.loc[group].sum()
        assert res.rates.loc[group, "events"] == table.loc[group, 1]
    assert any("missing 'bold'" in n for n in res.notes)


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_rows = st.lists(
    st.tuples(
        st.sampled_from(["woman", "man", "non_binary", None]),
        st.sampled_from([True, False, None]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, seed=st.integers(0, 2**16))
def test_every_row_is_analysed_or_counted_and_order_does_not_matter(rows, seed):
    data = pd.DataFrame(rows, columns=["gender", "y"])
    data["y"] = pd.array(data["y"], dtype="boolean")
    usable = data["gender"].notna() & data["y"].notna()
    if not usable.any():
        with pytest.raises(AnalysisError, match="no non-missing value"):
            compare_rates(data, "y")
        return
    res = compare_rates(data, "y")
    missing_group = int(data["gender"].isna().sum())
    assert res.rates["n"].sum() == int(usable.sum())
    assert res.rates["n"].sum() + res.rates["n_missing"].sum() + missing_group + sum(
        int(((data["gender"] == g) & data["y"].isna()).sum())
        for g in {"woman", "man", "non_binary"} - set(res.rates.index)
    ) == len(data)
    assert (res.rates["ci_low"] <= res.rates["rate"]).all()
    assert (res.rates["rate"] <= res.rates["ci_high"]).all()
    for row in res.effects.itertuples():
        if not math.isnan(row.estimate):
            assert row.ci_low <= row.estimate <= row.ci_high or (
                math.isnan(row.ci_low) and math.isnan(row.ci_high)
            )
    shuffled = data.sample(frac=1, random_state=seed).reset_index(drop=True)
    again = compare_rates(shuffled, "y")
    for name, table in res.tables().items():
        pd.testing.assert_frame_equal(table, again.tables()[name])
