"""Tests for mentoranalytics.stats.power: detectable_difference and adjust_pvalues.

References (tests/results/power_*.json): R's power.prop.test and p.adjust saved example
outputs.  Unequal group sizes and the arcsine method have no R reference; there the
result is checked against statsmodels' independent implementations of the forward power
calculation (power_proportions_2indep, NormalIndPower), which this module does not use.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.stats.power import adjust_pvalues, detectable_difference

RESULTS = Path(__file__).parent / "results"


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


# --------------------------------------------------------------------------------------
# detectable_difference
# --------------------------------------------------------------------------------------

PROP_TEST = _load("power_prop_test.json")


@pytest.mark.parametrize("case", PROP_TEST["cases"], ids=lambda c: c["label"])
def test_detectable_difference_inverts_r_power_prop_test(case):
    got = detectable_difference(
        case["n"],
        case["n"],
        base_rate=case["p1"],
        alpha=case["alpha"],
        power=case["power"],
        direction="increase",
    )
    assert got == pytest.approx(case["expected_difference"], abs=case["tol"])
    assert got.reason == ""


def test_detectable_difference_either_direction_is_the_smaller_one():
    up = detectable_difference(30, 40, base_rate=0.2, direction="increase")
    down = detectable_difference(30, 40, base_rate=0.2, direction="decrease")
    either = detectable_difference(30, 40, base_rate=0.2)
    assert up != pytest.approx(down)
    assert either == pytest.approx(min(up, down), abs=1e-12)


@pytest.mark.parametrize(("n1", "n2", "base"), [(12, 30, 0.25), (40, 15, 0.6), (8, 8, 0.1)])
def test_detectable_difference_unequal_groups_reach_target_power(n1, n2, base):
    # independent forward calculation: statsmodels' power_proportions_2indep uses the
    # pooled (nobs-weighted) SE under H0 and the unpooled SE under H1, as documented here
    from statsmodels.stats.proportion import power_proportions_2indep

    d = detectable_difference(n1, n2, base_rate=base, direction="increase")
    res = power_proportions_2indep(
        diff=d, prop2=base, nobs1=n2, ratio=n1 / n2, alpha=0.025, alternative="larger"
    )  # one rejection region at alpha / 2 = the two-sided critical value
    assert res.power == pytest.approx(0.8, abs=1e-8)


def test_detectable_difference_arcsine_matches_statsmodels_normal_ind_power():
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    n1, n2, base = 25, 40, 0.3
    d = detectable_difference(n1, n2, base_rate=base, method="arcsine", direction="increase")
    # alternative="larger" counts one rejection region, as detectable_difference does;
    # with alpha/2 it is the two-sided critical value
    h = proportion_effectsize(base + d, base)
    power = NormalIndPower().power(
        effect_size=h, nobs1=n1, ratio=n2 / n1, alpha=0.025, alternative="larger"
    )
    assert power == pytest.approx(0.8, abs=1e-9)


def test_detectable_difference_vectorised_matches_scalar_calls():
    n1 = np.array([10, 25, 0, 60])
    n2 = np.array([12, 25, 5, 40])
    base = np.array([0.2, 0.5, 0.3, 0.05])
    out = detectable_difference(n1, n2, base_rate=base)
    assert isinstance(out, np.ndarray)
    assert out.shape == (4,)
    for i in range(4):
        single = detectable_difference(int(n1[i]), int(n2[i]), base_rate=float(base[i]))
        if math.isnan(single):
            assert math.isnan(out[i])
        else:
            assert out[i] == pytest.approx(single, abs=1e-12)


def test_detectable_difference_empty_group_is_nan_with_reason():
    got = detectable_difference(0, 20, base_rate=0.3)
    assert math.isnan(got)
    assert "n = 0" in got.reason


def test_detectable_difference_unreachable_power_is_nan_with_reason():
    got = detectable_difference(2, 2, base_rate=0.9, direction="increase")
    assert math.isnan(got)
    assert "no difference within the possible range" in got.reason


def test_detectable_difference_shrinks_with_sample_size():
    sizes = [10, 20, 40, 80, 160]
    values = [float(detectable_difference(n, n, base_rate=0.3)) for n in sizes]
    assert all(a > b for a, b in zip(values, values[1:], strict=False))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alpha": 1.5}, "alpha must be strictly between 0 and 1"),
        ({"power": 0}, "power must be strictly between 0 and 1"),
        ({"alternative": "less"}, "alternative must be 'two-sided' or 'one-sided'"),
        ({"method": "exact"}, "method must be 'normal' or 'arcsine'"),
        ({"direction": "up"}, "direction must be 'either', 'increase' or 'decrease'"),
    ],
)
def test_detectable_difference_rejects_bad_options(kwargs, match):
    with pytest.raises(AnalysisError, match=match):
        detectable_difference(20, 20, base_rate=0.3, **kwargs)


def test_detectable_difference_rejects_bad_counts_and_rates():
    with pytest.raises(AnalysisError, match="n1 and n2 must be >= 0"):
        detectable_difference(-1, 20, base_rate=0.3)
    with pytest.raises(AnalysisError, match="base_rate must be between 0 and 1"):
        detectable_difference(10, 20, base_rate=1.2)


def test_detectable_difference_one_sided_is_smaller():
    two = detectable_difference(30, 30, base_rate=0.4)
    one = detectable_difference(30, 30, base_rate=0.4, alternative="one-sided")
    assert one < two


# --------------------------------------------------------------------------------------
# adjust_pvalues
# --------------------------------------------------------------------------------------

PADJ = _load("power_p_adjust.json")


@pytest.mark.parametrize("method", ["holm", "bonferroni", "fdr_bh"])
def test_adjust_pvalues_matches_r_p_adjust_example(method):
    raw = np.array(PADJ["none"])
    expected = np.array(PADJ[method])
    got = adjust_pvalues(raw, method=method)
    np.testing.assert_allclose(got, expected, rtol=PADJ["rel_tol"], atol=PADJ["abs_tol"])


@pytest.mark.parametrize("method", ["holm", "bonferroni", "fdr_bh"])
def test_adjust_pvalues_nan_handling_matches_r(method):
    # R's p.adjust leaves NAs out of the number of tests; the saved output prints the
    # ratio of the adjusted values with two NAs to those without
    raw = np.array(PADJ["none"])
    with_nan = raw.copy()
    with_nan[PADJ["na_positions"]] = np.nan
    full = adjust_pvalues(raw, method=method)
    partial = adjust_pvalues(with_nan, method=method)
    assert np.isnan(partial[PADJ["na_positions"]]).all()
    np.testing.assert_allclose(
        partial[:20] / full[:20], PADJ[f"na_ratio_{method}"], atol=PADJ["na_ratio_tol"]
    )


@pytest.mark.parametrize(
    ("method", "sm_method"), [("holm", "holm"), ("bonferroni", "bonferroni"), ("fdr_bh", "fdr_bh")]
)
def test_adjust_pvalues_agrees_with_statsmodels_multipletests(method, sm_method, rng):
    from statsmodels.stats.multitest import multipletests

    p = rng.uniform(0, 0.2, size=23)
    p[[3, 9]] = p[[1, 2]]  # ties
    expected = multipletests(p, method=sm_method)[1]
    np.testing.assert_allclose(adjust_pvalues(p, method=method), expected, rtol=0, atol=1e-12)


def test_adjust_pvalues_benjamini_hochberg_1995_example():
    # Benjamini & Hochberg (1995) JRSS B 57:289-300, section 4.2: 15 p-values; at
    # q = 0.05 the step-up procedure rejects the four smallest, Bonferroni only three
    p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240,
         0.4262, 0.5719, 0.6528, 0.7590, 1.000]  # fmt: skip
    assert int(np.sum(adjust_pvalues(p, method="fdr_bh") <= 0.05)) == 4
    assert int(np.sum(adjust_pvalues(p, method="bonferroni") <= 0.05)) == 3


def test_adjust_pvalues_does_not_change_input_and_keeps_shape():
    p = np.array([[0.01, 0.2], [np.nan, 0.03]])
    before = p.copy()
    out = adjust_pvalues(p, method="holm")
    np.testing.assert_array_equal(p, before)
    assert out.shape == p.shape
    assert math.isnan(out[1, 0])


def test_adjust_pvalues_all_nan_and_empty():
    assert np.isnan(adjust_pvalues([np.nan, np.nan])).all()
    assert adjust_pvalues([]).size == 0


def test_adjust_pvalues_errors():
    with pytest.raises(AnalysisError, match="method must be one of"):
        adjust_pvalues([0.1], method="hommel")
    with pytest.raises(AnalysisError, match="p_values must lie between 0 and 1"):
        adjust_pvalues([0.1, 1.2])


# --------------------------------------------------------------------------------------
# sample_size
# --------------------------------------------------------------------------------------

SAMPLE_SIZE = _load("power_sample_size.json")


@pytest.mark.parametrize("case", SAMPLE_SIZE["cases"], ids=lambda c: f"{c['p1']}-{c['p2']}")
def test_sample_size_matches_r_power_prop_test(case):
    from mentoranalytics.stats.power import sample_size

    got = sample_size(
        case["p2"] - case["p1"], base_rate=case["p1"], alpha=case["alpha"], power=case["power"]
    )
    assert got == pytest.approx(case["n"], rel=1e-9)


@pytest.mark.parametrize(("n1", "ratio", "base"), [(40, 1.0, 0.3), (25, 2.0, 0.5), (60, 0.5, 0.2)])
def test_sample_size_inverts_detectable_difference(n1, ratio, base):
    from mentoranalytics.stats.power import sample_size

    d = detectable_difference(n1, ratio * n1, base_rate=base, direction="increase")
    assert sample_size(d, base_rate=base, ratio=ratio) == pytest.approx(n1, rel=1e-8)


def test_sample_size_unequal_groups_reach_power_in_statsmodels():
    # independent forward calculation (pooled SE under H0, unpooled under H1)
    from statsmodels.stats.proportion import power_proportions_2indep

    from mentoranalytics.stats.power import sample_size

    n = sample_size(0.15, base_rate=0.4, ratio=1.5)
    # statsmodels' nobs1 is the group with prop2 + diff; here that is group 2 (1.5 n)
    res = power_proportions_2indep(
        diff=0.15, prop2=0.4, nobs1=1.5 * n, ratio=1 / 1.5, alpha=0.025, alternative="larger"
    )
    assert res.power == pytest.approx(0.8, abs=1e-8)


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((0.0,), {"base_rate": 0.5}, "difference must be a non-zero gap"),
        ((0.6,), {"base_rate": 0.5}, "base_rate \\+ difference must lie strictly between 0 and 1"),
        ((0.1,), {"base_rate": 1.0}, "base_rate must be strictly between 0 and 1"),
        ((0.1,), {"base_rate": 0.5, "ratio": 0}, "ratio must be a positive number"),
        ((0.1,), {"base_rate": 0.5, "power": 1}, "power must be strictly between 0 and 1"),
    ],
)
def test_sample_size_rejects_bad_input(args, kwargs, match):
    from mentoranalytics.stats.power import sample_size

    with pytest.raises(AnalysisError, match=match):
        sample_size(*args, **kwargs)
