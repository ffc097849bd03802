"""Trajectories over follow-up waves: tables, GEE models (against R), persistence."""

from __future__ import annotations

import json
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _followup_sim import quiet as _quiet
from _followup_sim import stored
from scipy import stats

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError, ColumnError
from mentoranalytics.stats.rates import proportion_ci

RESULTS = Path(__file__).parent / "results"


@pytest.fixture(scope="module")
def sim() -> tuple[pd.DataFrame, pd.DataFrame]:
    return stored()


@pytest.fixture(scope="module")
def gee_ref() -> dict:
    return json.loads((RESULTS / "gee_trajectory.json").read_text())


# --------------------------------------------------------------------------------------
# GEE against geepack / a hand computation in R
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kwargs"),
    [
        ("satisfaction_exchangeable", {"outcome": "career_satisfaction"}),
        ("satisfaction_independence", {"outcome": "career_satisfaction", "corr": "independence"}),
        ("level_gaussian_exchangeable", {"ordinal": False}),
        ("level_ordinal_independence", {"corr": "independence"}),
    ],
)
def test_gee_matches_r(sim, gee_ref, key, kwargs):
    ref = gee_ref[key]
    res = _quiet(ma.trajectory_model, sim, **kwargs)
    params = np.asarray(res.model.params)
    bse = np.asarray(res.model.bse)
    # statsmodels and geepack estimate the exchangeable correlation slightly differently
    rtol = 2e-4 if "exchangeable" in key else 1e-6
    np.testing.assert_allclose(params, ref["estimate"], rtol=rtol, atol=1e-6)
    np.testing.assert_allclose(bse, ref["std_error"], rtol=rtol)
    if "nobs" in ref:
        assert res.n_obs == ref["nobs"]
    if "alpha" in ref:
        assert res.dependence == pytest.approx(ref["alpha"], rel=5e-3)
    # the table reports the model's terms (ordinal: predictors only, as odds ratios)
    k = len(res.table)
    if res.kind == "ordinal":
        np.testing.assert_allclose(res.table["estimate"], np.exp(ref["estimate"][-k:]), rtol=1e-5)
        assert set(res.table["measure"]) == {"cumulative_odds_ratio"}
    else:
        np.testing.assert_allclose(res.table["estimate"], ref["estimate"], rtol=rtol, atol=1e-6)
    np.testing.assert_allclose(res.table["p_value"], ref["p_value"][-k:], rtol=1e-2, atol=1e-6)


def test_gee_terms_interval_and_test(sim):
    res = _quiet(ma.trajectory_model, sim, "career_satisfaction", alpha=0.1)
    assert list(res.table["term"]) == [
        "intercept",
        "gender[woman]",
        "months",
        "gender[woman]:months",
    ]
    z = stats.norm.isf(0.05)
    row = res.table.iloc[3]
    assert row.ci_low == pytest.approx(row.estimate - z * row.std_error)
    waves = sim[1]
    answered = waves[waves["responded"] & waves["career_satisfaction"].notna()]
    assert res.reference == "man" and res.n == answered["participant_id"].nunique()
    assert res.n_obs == len(answered)
    # the parallel-trajectories test of one interaction term is its squared z
    assert res.test["df"].iloc[0] == 1
    assert res.test["statistic"].iloc[0] == pytest.approx((row.estimate / row.std_error) ** 2)
    assert res.test["p_value"].iloc[0] == pytest.approx(row.p_value)


def test_gee_kinds_time_and_reference(sim):
    ordinal = _quiet(ma.trajectory_model, sim)  # current_level: ordinal by default
    assert ordinal.kind == "ordinal" and "1-6 level" in ordinal.reason
    assert ordinal.dependence > 1  # a positive global odds ratio between answers
    wave = _quiet(ma.trajectory_model, sim, "career_satisfaction", time="wave", corr="ar1")
    assert "gender[woman]:wave[36]" in set(wave.table["term"])
    assert wave.test["df"].iloc[0] == 3 and 0 < wave.dependence < 1
    years = _quiet(ma.trajectory_model, sim, "career_satisfaction", time="years")
    months = _quiet(ma.trajectory_model, sim, "career_satisfaction")
    assert years.table["estimate"].iloc[2] == pytest.approx(12 * months.table["estimate"].iloc[2])
    women = _quiet(ma.trajectory_model, sim, "career_satisfaction", reference="woman")
    assert women.table["term"].iloc[1] == "gender[man]"
    assert women.table["estimate"].iloc[1] == pytest.approx(-months.table["estimate"].iloc[1])
    logistic = _quiet(ma.trajectory_model, sim, "in_contact_with_mentor", by="bold_choice")
    assert logistic.kind == "logistic" and logistic.table["term"].iloc[1] == "bold_choice"
    cov = _quiet(ma.trajectory_model, sim, "career_satisfaction", covariates=["participant_level"])
    assert "participant_level" in set(cov.table["term"])


def test_gee_errors(sim):
    people, waves = sim
    with pytest.raises(AnalysisError, match="ar1.*not available for the ordinal"):
        ma.trajectory_model(sim, corr="ar1")
    with pytest.raises(AnalysisError, match="corr must be"):
        ma.trajectory_model(sim, corr="unstructured")
    with pytest.raises(AnalysisError, match="time must be"):
        ma.trajectory_model(sim, time="days")
    with pytest.raises(AnalysisError, match="ordinal=True needs an ordered score"):
        ma.trajectory_model(sim, "in_contact_with_mentor", ordinal=True)
    men = people.assign(gender="man")
    with pytest.raises(AnalysisError, match="answers come from 1 group"):
        ma.trajectory_model((men, waves), "career_satisfaction")


# --------------------------------------------------------------------------------------
# Per-wave tables
# --------------------------------------------------------------------------------------


def test_trajectory_table_against_pandas(sim):
    people, waves = sim
    res = _quiet(ma.trajectory, sim, "career_satisfaction", by="gender")
    assert list(res.table.columns) == ["months", "group", "n", "estimate", "ci_low", "ci_high"]
    answered = waves[waves["responded"]].merge(people, on="participant_id")
    for row in res.table.itertuples():
        values = answered.loc[
            (answered["months"] == row.months) & (answered["gender"] == row.group),
            "career_satisfaction",
        ].dropna()
        assert row.n == len(values)
        assert row.estimate == pytest.approx(values.mean())
        low, high = stats.t.interval(0.95, len(values) - 1, values.mean(), stats.sem(values))
        assert (row.ci_low, row.ci_high) == pytest.approx((low, high))
    assert list(res.table["group"].iloc[:2]) == ["woman", "man"]  # the package's order
    assert 0.0 not in set(res.table["months"])  # no baseline for satisfaction


def test_trajectory_level_starts_at_participant_level(sim):
    people, _ = sim
    res = _quiet(ma.trajectory, sim, by=None)
    start = res.table.iloc[0]
    assert (start.months, start.group, start.n) == (0.0, "all", len(people))
    assert start.estimate == pytest.approx(people["participant_level"].mean())
    assert res.baseline
    without = _quiet(ma.trajectory, sim, by=None, baseline=False)
    assert 0.0 not in set(without.table["months"]) and not without.baseline


def test_trajectory_rates_use_wilson(sim):
    people, waves = sim
    res = _quiet(ma.trajectory, sim, "in_contact_with_mentor", by="bold_choice")
    assert res.kind == "rate" and list(res.table["group"].iloc[:2]) == [False, True]
    answered = waves[waves["responded"]].merge(people, on="participant_id")
    row = res.table.iloc[-1]
    cell = answered[(answered["months"] == row.months) & (answered["bold_choice"] == row.group)]
    k = int(cell["in_contact_with_mentor"].sum())
    assert row.n == len(cell) and row.estimate == pytest.approx(k / len(cell))
    assert (row.ci_low, row.ci_high) == pytest.approx(tuple(proportion_ci(k, len(cell))))


def test_relationship_persistence_counts_mentored_only():
    people = pd.DataFrame(
        {
            "participant_id": ["a", "b", "c", "d"],
            "gender": ["woman", "woman", "man", "man"],
            "mentor_secured": [True, True, True, False],
        }
    )
    waves = pd.DataFrame(
        {
            "participant_id": ["a", "b", "c", "d", "a", "b", "c", "d"],
            "months": [6.0] * 4 + [12.0] * 4,
            "in_contact_with_mentor": [True, True, True, False, False, None, True, None],
        }
    )
    res = _quiet(ma.relationship_persistence, (people, waves))
    got = res.table[["months", "group", "n", "events"]].values.tolist()
    assert got == [
        [6.0, "woman", 2, 2],
        [6.0, "man", 1, 1],
        [12.0, "woman", 1, 0],
        [12.0, "man", 1, 1],
    ]
    assert list(res.table.columns) == [
        "months",
        "group",
        "n",
        "events",
        "rate",
        "ci_low",
        "ci_high",
    ]
    # without mentor information every answer counts, and a note says so
    res2 = _quiet(ma.relationship_persistence, (people.drop(columns="mentor_secured"), waves))
    assert res2.table["n"].iloc[1] == 2 and any("every answer" in n for n in res2.notes)


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------


def test_cohort_with_waves_and_inputs_unchanged(sim):
    people, waves = sim
    before_p, before_w = people.copy(), waves.copy()
    cohort = types.SimpleNamespace(data=people, waves=waves)
    a = _quiet(ma.trajectory, cohort, "career_satisfaction")
    b = _quiet(ma.trajectory, (people, waves), "career_satisfaction")
    pd.testing.assert_frame_equal(a.table, b.table)
    _quiet(ma.trajectory_model, cohort, "career_satisfaction")
    _quiet(ma.relationship_persistence, cohort)
    pd.testing.assert_frame_equal(people, before_p)
    pd.testing.assert_frame_equal(waves, before_w)
    # shuffled rows give the same table
    shuffled = waves.sample(frac=1.0, random_state=3)
    c = _quiet(ma.trajectory, (people, shuffled), "career_satisfaction")
    pd.testing.assert_frame_equal(a.table, c.table)


def test_input_errors(sim):
    people, waves = sim
    with pytest.raises(AnalysisError, match="needs follow-up waves"):
        ma.trajectory(people)
    bad = waves.copy()
    bad.loc[5, "participant_id"] = "ZZZ"
    with pytest.raises(
        AnalysisError, match=r"row 5, column participant_id \[unknown_participant\]"
    ):
        ma.trajectory((people, bad))
    dup = pd.concat([waves, waves.iloc[[0]]], ignore_index=True)
    with pytest.raises(AnalysisError, match=r"\[duplicate_wave_identical\]"):
        ma.trajectory((people, dup))
    contra = waves.copy()
    contra.loc[0, "responded"] = False
    with pytest.raises(AnalysisError, match=r"row 0, column responded \[answer_without_response\]"):
        ma.trajectory((people, contra))
    neg = waves.copy()
    neg.loc[2, "months"] = -1
    with pytest.raises(AnalysisError, match=r"row 2, column months \[out_of_range\]"):
        ma.trajectory((people, neg))
    with pytest.raises(ColumnError, match="'months' not found"):
        ma.trajectory((people, waves.drop(columns="months")))
    with pytest.raises(ColumnError, match="'career_satisfactio' not found"):
        ma.trajectory(sim, "career_satisfactio")
    high = waves.copy()
    high["current_level"] = high["current_level"].astype("Float64")
    high.loc[0, "current_level"] = 7
    with pytest.raises(AnalysisError, match=r"row 0, column current_level \[out_of_range\]"):
        ma.trajectory((people, high))
    with pytest.raises(AnalysisError, match="baseline=True .* outcome='current_level' only"):
        ma.trajectory(sim, "career_satisfaction", baseline=True)
    with pytest.raises(AnalysisError, match="alpha must be"):
        ma.trajectory(sim, alpha=1.5)


def test_responded_derived_when_absent(sim):
    people, waves = sim
    a = _quiet(ma.trajectory, sim, "career_satisfaction")
    b = _quiet(ma.trajectory, (people, waves.drop(columns="responded")), "career_satisfaction")
    pd.testing.assert_frame_equal(a.table, b.table)


def test_rendering(sim):
    res = _quiet(ma.trajectory_model, sim, "career_satisfaction")
    html = res._repr_html_()
    assert "gender[woman]:months" in html and "robust (sandwich)" in html
    md = _quiet(ma.trajectory, sim, "career_satisfaction").to_markdown()
    assert md.startswith("**Mean career_satisfaction over follow-up waves by gender**")
    assert "reference group of 'gender': man" in repr(res)


@pytest.mark.parametrize("corr", ["exchangeable", "independence"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_closed_form_gaussian_gee_equals_statsmodels(corr, seed):
    # the package fits the Gaussian GEE by cluster sums; statsmodels' GEE is the reference
    from statsmodels.genmod import cov_struct
    from statsmodels.genmod.generalized_estimating_equations import GEE

    from mentoranalytics.stats.trajectories import _linear_gee

    rng = np.random.default_rng(seed)
    people = 150
    size = rng.integers(1, 7, people)  # unbalanced clusters, some of one answer
    ids = np.repeat(np.arange(people), size)
    n = ids.size
    group = rng.integers(0, 2, people)[ids]
    months = rng.choice([6.0, 12.0, 24.0, 36.0, 60.0], n)
    X = np.column_stack([np.ones(n), group, months, group * months])
    person = rng.normal(0, 0.8, people)[ids]
    y = 3 + 0.3 * group + 0.02 * months - 0.01 * group * months + person + rng.normal(0, 1, n)
    structure = cov_struct.Exchangeable() if corr == "exchangeable" else cov_struct.Independence()
    ref = GEE(y, X, ids, cov_struct=structure).fit(maxiter=200, ctol=1e-10)
    fast = _linear_gee(X, y, ids, corr)
    np.testing.assert_allclose(fast.params, ref.params, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fast.bse, ref.bse, rtol=1e-6)
    if corr == "exchangeable":
        assert fast.dependence == pytest.approx(float(structure.dep_params), rel=1e-6)
