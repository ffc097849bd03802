"""The follow-up analyses together, on real Cohorts: due waves, one checker, promotion.

Every follow-up function runs on ``ma.load_sample()`` and on a Cohort loaded from
``simulate_cohort`` + ``simulate_waves``; the results are checked against counts
taken directly from ``cohort.waves`` with pandas, and against the simulation's truth.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.stats._wavedata import due_matrix

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.exceptions.SmallSampleWarning")


@pytest.fixture(scope="module")
def sample() -> ma.Cohort:
    return ma.load_sample()


@pytest.fixture(scope="module")
def simulated() -> tuple[ma.Cohort, pd.DataFrame]:
    frame = ma.simulate_cohort(600, rng=4)
    waves, truth = ma.simulate_waves(frame, rng=4, truth=True)
    return ma.load_cohort(frame, followup=waves), truth


def _due_pairs(cohort: ma.Cohort) -> pd.DataFrame:
    """participant x wave pairs due, by the definition, straight from the tables."""
    people = cohort.data[["participant_id", "cohort", "gender"]].astype(object)
    waves = cohort.waves
    run = waves.merge(people, on="participant_id")[["cohort", "months"]].drop_duplicates()
    pairs = people.merge(run, on="cohort")  # every participant of an intake that ran the wave
    own = waves[["participant_id", "months"]].merge(people, on="participant_id")
    return pd.concat([pairs, own]).drop_duplicates(["participant_id", "months"])


# --------------------------------------------------------------------------------------
# Due waves
# --------------------------------------------------------------------------------------


def _intakes() -> tuple[pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame(
        {
            "participant_id": ["a", "b", "c", "d"],
            "cohort": ["2019", "2019", "2024", "2024"],
            "gender": ["woman", "man", "woman", "man"],
        }
    )
    waves = pd.DataFrame(
        {
            "participant_id": ["a", "a", "b", "c", "d"],
            "months": [6.0, 60.0, 6.0, 6.0, 6.0],
            "responded": [True, True, True, True, False],
            "promoted": [False, True, False, False, None],
        }
    )
    return people, waves


def test_due_by_hand():
    people, waves = _intakes()
    # b has no row at 60 but a of the same intake has: b was due and did not answer;
    # c and d (intake 2024) were never asked at 60 months
    assert due_matrix(people, waves, [6.0, 60.0]).tolist() == [
        [True, True],
        [True, True],
        [True, False],
        [True, False],
    ]
    res = ma.response_by_wave((people, waves), by=None)
    assert res.table[["months", "n", "events"]].values.tolist() == [[6.0, 4, 3], [60.0, 2, 1]]
    assert any("2 at 60 months" in n for n in res.notes)
    # without intakes, everyone is due at every wave (the old count)
    flat = ma.response_by_wave((people.drop(columns="cohort"), waves), by=None)
    assert flat.table[["months", "n", "events"]].values.tolist() == [[6.0, 4, 3], [60.0, 4, 1]]
    assert not any("not yet due" in n for n in flat.notes)
    att = ma.attrition_sensitivity((people, waves), covariates="gender", truncate=None)
    assert att.weights[["n_people", "n"]].values.tolist() == [[2, 1]]
    assert "1 of 2 answered" in att.sentence
    assert any("2 at 60 months" in n for n in att.notes)


def test_response_by_wave_counts_only_due_participants(sample, simulated):
    for cohort in (sample, simulated[0]):
        res = ma.response_by_wave(cohort, by="gender")
        due = _due_pairs(cohort)
        answered = cohort.waves[cohort.waves["responded"].to_numpy(dtype=bool)]
        answered = answered.merge(cohort.data[["participant_id", "gender"]].astype(object))
        for row in res.table.itertuples():
            at = due[(due["months"] == row.months) & (due["gender"] == row.group)]
            assert row.n == len(at)
            cell = answered[(answered["months"] == row.months) & (answered["gender"] == row.group)]
            assert row.events == len(cell)
    # the sample: later intakes have not reached the 60-month wave, which is not non-response
    res = ma.response_by_wave(sample, by=None).table.set_index("months")
    intakes = sample.waves.merge(sample.data[["participant_id", "cohort"]].astype(object))
    ran = intakes.loc[intakes["months"] == 60, "cohort"].unique()
    assert res.loc[60.0, "n"] == int(sample.data["cohort"].astype(object).isin(ran).sum()) < 300
    assert res.loc[60.0, "rate"] > 0.3  # 17% when everyone counted
    att = ma.attrition_sensitivity(sample, at_months=60)
    assert f"of {res.loc[60.0, 'n']} answered" in att.sentence
    assert any("not yet due" in n and "at 60 months" in n for n in att.notes)


# --------------------------------------------------------------------------------------
# One checker: the loader's rules, names and messages
# --------------------------------------------------------------------------------------


def test_raw_waves_are_checked_as_the_loader_checks_them(simulated):
    cohort, _ = simulated
    frame = cohort.data
    bad = cohort.waves.astype(object)
    bad.loc[3, "participant_id"] = "ZZ999"
    bad.loc[7, "months"] = -2
    bad.loc[11, "current_level"] = 9
    at = bad.index[bad["responded"] == False][0]  # noqa: E712
    bad.loc[at, "career_satisfaction"] = 3
    bad = pd.concat([bad, bad.iloc[[20]]], ignore_index=True)
    with pytest.raises(ma.SchemaError) as loader:
        ma.load_cohort(frame, followup=bad)
    expected = loader.value.problems
    expected = expected[expected["rule"] != "wave_out_of_order"]
    for fn in (ma.response_by_wave, ma.trajectory, ma.attrition_sensitivity):
        with pytest.raises(AnalysisError) as ours:
            fn((frame, bad))
        got = ours.value.problems
        assert sorted(got[["row", "column", "rule", "message"]].itertuples(index=False)) == sorted(
            expected[["row", "column", "rule", "message"]].itertuples(index=False)
        )
        assert {"unknown_participant", "out_of_range", "answer_without_response"} <= set(
            got["rule"]
        )
    with pytest.raises(AnalysisError, match=r"\[duplicate_wave_identical\]"):
        ma.promotion_intervals(bad.iloc[[20, len(bad) - 1]])


def test_loaded_cohort_is_not_checked_again(simulated, monkeypatch):
    from mentoranalytics.stats import _wavedata

    cohort, _ = simulated

    def fail(*args, **kwargs):
        raise AssertionError("a loaded Cohort's waves were checked again")

    monkeypatch.setattr(_wavedata, "check_waves", fail)
    ma.response_by_wave(cohort)
    with pytest.raises(AssertionError, match="checked again"):
        ma.response_by_wave((cohort.data, cohort.waves))


# --------------------------------------------------------------------------------------
# Promotion: "since the previous answered wave", read the same way everywhere
# --------------------------------------------------------------------------------------


def test_promotion_intervals_agree_with_the_waves(sample, simulated):
    for cohort in (sample, simulated[0]):
        iv = ma.promotion_intervals(cohort).set_index("participant_id")
        answered = cohort.waves[cohort.waves["responded"].to_numpy(dtype=bool)]
        # the simulator leaves no answered 'promoted' empty: left/right from the answers
        assert answered["promoted"].notna().all()
        yes = answered[answered["promoted"].to_numpy(dtype=bool)]
        right = yes.groupby("participant_id")["months"].min()
        merged = answered.merge(right.rename("first_yes"), on="participant_id", how="left")
        merged["first_yes"] = merged["first_yes"].astype(float).fillna(np.inf)
        before = merged[merged["months"].astype(float) < merged["first_yes"]]
        left = before.groupby("participant_id")["months"].max()
        assert set(iv.index) == set(answered["participant_id"])
        np.testing.assert_array_equal(
            iv["right"], right.reindex(iv.index).astype(float).fillna(np.inf)
        )
        np.testing.assert_array_equal(iv["left"], left.reindex(iv.index).astype(float).fillna(0))
        counts = answered.groupby("participant_id").size()
        np.testing.assert_array_equal(iv["waves_responded"], counts.reindex(iv.index))


def test_the_simulated_promotion_lies_in_its_interval(simulated):
    cohort, truth = simulated
    iv = ma.promotion_intervals(cohort).merge(truth, on="participant_id")
    t = iv["promotion_month"]
    assert ((iv["left"] < t) & (t <= iv["right"])).all()


def test_attrition_reads_promoted_as_promotion_intervals_does(simulated):
    cohort, _ = simulated
    frame = cohort.data
    waves = cohort.waves
    rng = np.random.default_rng(0)
    # some answered waves leave 'promoted' empty: a gap a later 'no' does not cover
    blank = waves["responded"].to_numpy(dtype=bool) & (rng.random(len(waves)) < 0.15)
    waves.loc[blank, "promoted"] = pd.NA
    gappy = ma.load_cohort(frame, followup=waves)
    iv = ma.promotion_intervals(gappy).set_index("participant_id")
    assert any("empty before any said" in n for n in iv.attrs["notes"])
    for m in (12.0, 36.0):
        att = ma.attrition_sensitivity(gappy, at_months=m)
        y = att.person_weights.set_index("participant_id")["y"]
        lo, hi = iv["left"].reindex(y.index), iv["right"].reindex(y.index)
        assert ((y == 1) == (hi <= m)).all()
        assert ((y == 0) == (lo >= m)).all()
        # everyone who answered at m and whose interval decides it is in the estimate
        at_m = waves[(waves["months"] == m) & waves["responded"].to_numpy(dtype=bool)]
        known = iv.reindex(at_m["participant_id"])
        decided = (known["right"] <= m) | (known["left"] >= m)
        assert int(decided.sum()) == len(y)


# --------------------------------------------------------------------------------------
# Every follow-up function on real Cohorts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["sample", "simulated"])
def test_every_followup_function_runs_and_counts_agree(which, sample, simulated):
    cohort = sample if which == "sample" else simulated[0]
    waves = cohort.waves
    answered = waves[waves["responded"].to_numpy(dtype=bool)].merge(
        cohort.data[["participant_id", "gender", "mentor_secured"]].astype(object)
    )
    iv = ma.promotion_intervals(cohort, include=["gender"])
    fit = ma.interval_survival(cohort, n_resamples=20)
    summary = fit.summary
    for group, part in iv.groupby("gender"):
        if group in summary.index:
            assert summary.loc[group, "n"] == len(part)
            assert summary.loc[group, "events"] == int(np.isfinite(part["right"]).sum())
            assert summary.loc[group, "right_censored"] == int(np.isinf(part["right"]).sum())
    test = ma.interval_test(cohort, by="gender")
    assert 0 <= test.p_value <= 1
    model = ma.interval_model(cohort, "gender")
    assert (model.n, model.events) == (len(iv), int(np.isfinite(iv["right"]).sum()))
    assert model.excluded == iv.attrs["excluded"]

    sat = ma.trajectory(cohort, "career_satisfaction")
    for row in sat.table.itertuples():
        cell = answered[(answered["months"] == row.months) & (answered["gender"] == row.group)]
        assert row.n == int(cell["career_satisfaction"].notna().sum())
        assert row.estimate == pytest.approx(cell["career_satisfaction"].astype(float).mean())
    gauss = ma.trajectory_model(cohort, "career_satisfaction", by="gender")
    assert gauss.kind == "gaussian"
    assert gauss.n_obs == int(answered["career_satisfaction"].notna().sum())
    assert (
        gauss.n == answered.loc[answered["career_satisfaction"].notna(), "participant_id"].nunique()
    )
    # (independence: the exchangeable ordinal GEE takes seconds on the sample)
    ordinal = ma.trajectory_model(cohort, "current_level", by="gender", corr="independence")
    assert ordinal.kind == "ordinal" and np.isfinite(ordinal.table["estimate"]).all()
    starts = int(cohort.data["participant_level"].notna().sum())  # months 0
    assert ordinal.n_obs == int(answered["current_level"].notna().sum()) + starts

    contact = ma.relationship_persistence(cohort)
    mentored = answered[answered["mentor_secured"] == True]  # noqa: E712
    for row in contact.table.itertuples():
        cell = mentored[(mentored["months"] == row.months) & (mentored["gender"] == row.group)]
        assert row.n == int(cell["in_contact_with_mentor"].notna().sum())
        assert row.events == int((cell["in_contact_with_mentor"] == True).sum())  # noqa: E712

    ma.response_by_wave(cohort)
    due = _due_pairs(cohort)
    who = ma.response_model(cohort, ["participant_level"])
    for m, part in who.table.groupby("months"):
        assert part["n"].iloc[0] == int((due["months"] == m).sum())
    att = ma.attrition_sensitivity(cohort, by="gender")
    assert set(att.table["analysis"]) == {"complete_case", "weighted"}


def test_ipw_is_closer_to_the_truth_than_complete_cases():
    frame = ma.simulate_cohort(1500, rng=2)
    waves, truth = ma.simulate_waves(frame, rng=2, informative=4, intermittent=0, truth=True)
    cohort = ma.load_cohort(frame, followup=waves)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ma.attrition_sensitivity(cohort, at_months=60)
    true_rate = float(np.mean(truth["promotion_month"] <= 60))
    cc, w = res.table["estimate"]
    assert res.response_design == "sequential"
    assert abs(w - true_rate) < abs(cc - true_rate) / 3
    assert cc - true_rate > 0.06 and res.disagree
