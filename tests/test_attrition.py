"""Attrition: response by wave, who responds, and complete cases beside IPW (against R)."""

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
from mentoranalytics.exceptions import AnalysisError

RESULTS = Path(__file__).parent / "results"


@pytest.fixture(scope="module")
def sim() -> tuple[pd.DataFrame, pd.DataFrame]:
    return stored()


@pytest.fixture(scope="module")
def ipw_ref() -> dict:
    return json.loads((RESULTS / "attrition_ipw.json").read_text())


# --------------------------------------------------------------------------------------
# Against R (glm + survey::svymean, computed from the raw rows)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kwargs"),
    [("promoted_36_all", {}), ("promoted_24_gender", {"by": "gender", "at_months": 24})],
)
def test_ipw_matches_r(sim, ipw_ref, key, kwargs):
    res = _quiet(ma.attrition_sensitivity, sim, "promoted", **kwargs)
    assert res.response_design == "sequential"
    z = stats.norm.isf(0.025)
    for group, ref in ipw_ref[key].items():
        cc = res.table[(res.table["group"] == group) & (res.table["analysis"] == "complete_case")]
        w = res.table[(res.table["group"] == group) & (res.table["analysis"] == "weighted")]
        assert int(cc["n"].iloc[0]) == ref["n"] and int(cc["events"].iloc[0]) == ref["events"]
        assert cc["estimate"].iloc[0] == pytest.approx(ref["complete_case"], rel=1e-12)
        assert cc["ci_low"].iloc[0] == pytest.approx(ref["cc_ci_low"], rel=1e-9)
        assert cc["ci_high"].iloc[0] == pytest.approx(ref["cc_ci_high"], rel=1e-9)
        assert w["estimate"].iloc[0] == pytest.approx(ref["weighted"], rel=1e-6)
        se = (w["ci_high"].iloc[0] - w["ci_low"].iloc[0]) / (2 * z)
        assert se == pytest.approx(ref["weighted_se"], rel=1e-5)
        weights = res.weights.set_index("group").loc[group]
        assert weights["min"] == pytest.approx(ref["weight_min"], rel=1e-6)
        assert weights["max"] == pytest.approx(ref["weight_max"], rel=1e-6)


# --------------------------------------------------------------------------------------
# The point of it: outcome-dependent dropout with a known truth
# --------------------------------------------------------------------------------------


def test_ipw_recovers_truth_where_complete_cases_do_not():
    # ma.simulate_waves: the not yet promoted drop out 4 times the odds (monotone dropout)
    frame = ma.simulate_cohort(1500, rng=2)
    waves, truth = ma.simulate_waves(frame, rng=2, informative=4, intermittent=0, truth=True)
    cohort = ma.load_cohort(frame, followup=waves)
    res = _quiet(ma.attrition_sensitivity, cohort, "promoted", at_months=60)
    true_rate = float(np.mean(truth["promotion_month"] <= 60))
    cc = res.table.iloc[0]
    w = res.table.iloc[1]
    # complete cases overstate promotion (the promoted keep answering) ...
    assert cc.estimate - true_rate > 0.06
    assert not cc.ci_low <= true_rate <= cc.ci_high
    # ... the weighted estimate recovers it
    assert abs(w.estimate - true_rate) < 0.025
    assert w.ci_low <= true_rate <= w.ci_high
    assert res.disagree and "do not tell the whole story" in res.sentence
    # without dropout nothing needs correcting: the two agree, and the sentence says so
    calm_waves = ma.simulate_waves(frame.iloc[:600], rng=2, dropout=0, intermittent=0)
    calm = _quiet(ma.attrition_sensitivity, (frame.iloc[:600], calm_waves), "promoted")
    assert calm.comparison["weighted"].iloc[0] == pytest.approx(
        calm.comparison["complete_case"].iloc[0]
    )
    assert not calm.disagree and "changes little" in calm.sentence


def test_sentence_per_group_and_scores(sim):
    res = _quiet(ma.attrition_sensitivity, sim, "promoted", by="gender", at_months=24)
    text = res.sentence
    assert "Women: 81 of 161 answered" in text and "men: 71 of 139" in text
    assert "promoted by 24 months" in text
    score = _quiet(ma.attrition_sensitivity, sim, "current_level")
    assert score.kind == "mean" and score.comparison["margin"].iloc[0] == 0.25
    assert "mean level at 36 months" in score.sentence


def test_bootstrap_is_seeded(sim):
    a = _quiet(ma.attrition_sensitivity, sim, ci="bootstrap", n_boot=40, rng=5)
    b = _quiet(ma.attrition_sensitivity, sim, ci="bootstrap", n_boot=40, rng=5)
    c = _quiet(ma.attrition_sensitivity, sim, ci="bootstrap", n_boot=40, rng=6)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.table["ci_low"].iloc[1] != c.table["ci_low"].iloc[1]
    sandwich = _quiet(ma.attrition_sensitivity, sim)
    assert a.table["estimate"].iloc[1] == sandwich.table["estimate"].iloc[1]
    assert a.rng == 5 and "bootstrap" in a.table["method"].iloc[1]


def test_non_monotone_dropout_uses_baseline_model(sim):
    people, waves = sim
    back = waves.copy()
    # someone silent at 24 months answers again at 36
    pid = back.loc[(back["months"] == 24) & ~back["responded"], "participant_id"].iloc[0]
    at36 = (back["participant_id"] == pid) & (back["months"] == 36)
    back.loc[at36, ["responded", "promoted"]] = [True, False]
    res = _quiet(ma.attrition_sensitivity, (people, back), "promoted")
    assert res.response_design == "baseline"
    assert any("not monotone" in n for n in res.notes)


def test_truncation(sim):
    none = _quiet(ma.attrition_sensitivity, sim, truncate=None)
    heavy = _quiet(ma.attrition_sensitivity, sim, truncate=0.2)
    w0, w1 = none.person_weights["weight"], heavy.person_weights["weight"]
    assert w1.max() <= w0.max() and w1.min() >= w0.min()
    assert heavy.weights["n_truncated"].iloc[0] > none.weights["n_truncated"].iloc[0] == 0
    lo, hi = np.quantile(w0, [0.2, 0.8])
    np.testing.assert_allclose(w1, np.clip(w0, lo, hi))


# --------------------------------------------------------------------------------------
# Response by wave and the response model
# --------------------------------------------------------------------------------------


def test_response_by_wave_counts(sim):
    people, waves = sim
    res = _quiet(ma.response_by_wave, sim, by="gender")
    assert list(res.table.columns) == [
        "months",
        "group",
        "n",
        "events",
        "rate",
        "ci_low",
        "ci_high",
    ]
    merged = waves.merge(people, on="participant_id")
    for row in res.table.itertuples():
        assert row.n == int((people["gender"] == row.group).sum())
        cell = merged[(merged["months"] == row.months) & (merged["gender"] == row.group)]
        assert row.events == int(cell["responded"].sum())
    # a participant with no row at a wave did not answer it
    fewer = waves[~((waves["participant_id"] == "P0000") & (waves["months"] == 6))]
    res2 = _quiet(ma.response_by_wave, (people, fewer), by=None)
    first = res2.table.iloc[0]
    assert first.n == len(people)
    assert first.events == int(waves.loc[waves["months"] == 6, "responded"].sum()) - 1


def test_response_model_is_outcome_model_per_wave(sim):
    people, waves = sim
    res = _quiet(ma.response_model, sim, ["gender", "participant_level"], months=[6, 36])
    assert sorted(set(res.table["months"])) == [6.0, 36.0]
    frame = people.copy()
    at36 = waves[waves["months"] == 36].set_index("participant_id")["responded"]
    frame["responded"] = frame["participant_id"].map(at36)
    direct = _quiet(ma.outcome_model, frame, "responded", ["gender", "participant_level"])
    got = res.table[res.table["months"] == 36].drop(columns="months").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, direct.table)
    # in the simulation higher levels answer less: the odds ratio per level is below 1
    assert got.set_index("term").loc["participant_level", "estimate"] < 1
    with pytest.raises(AnalysisError, match="not a wave of the follow-up"):
        ma.response_model(sim, "gender", months=18)


def test_inputs_unchanged_and_cohort_object(sim):
    people, waves = sim
    before_p, before_w = people.copy(), waves.copy()
    cohort = types.SimpleNamespace(data=people, waves=waves)
    a = _quiet(ma.attrition_sensitivity, cohort, by="gender")
    b = _quiet(ma.attrition_sensitivity, (people, waves), by="gender")
    pd.testing.assert_frame_equal(a.table, b.table)
    _quiet(ma.response_by_wave, cohort)
    _quiet(ma.response_model, cohort)
    pd.testing.assert_frame_equal(people, before_p)
    pd.testing.assert_frame_equal(waves, before_w)


def test_attrition_errors(sim):
    with pytest.raises(AnalysisError, match="at_months=18 is not a wave"):
        ma.attrition_sensitivity(sim, at_months=18)
    with pytest.raises(AnalysisError, match="ci must be"):
        ma.attrition_sensitivity(sim, ci="jackknife")
    with pytest.raises(AnalysisError, match="truncate must be"):
        ma.attrition_sensitivity(sim, truncate=0.7)
    with pytest.raises(AnalysisError, match="n_boot must be"):
        ma.attrition_sensitivity(sim, ci="bootstrap", n_boot=5)
    with pytest.raises(AnalysisError, match="needs follow-up waves"):
        ma.response_by_wave(sim[0])


def test_rendering(sim):
    res = _quiet(ma.attrition_sensitivity, sim)
    md = res.to_markdown()
    assert "*comparison*" in md and "complete_case" in md
    assert "weighted" in res._repr_html_()
