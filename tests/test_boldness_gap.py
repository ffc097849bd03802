"""Tests of mentoranalytics.stats.boldness_gap (compare_boldness).

compare_boldness assembles compare_rates and compare_groups (tested against R in
their own test files); here its counts are checked against plain pandas, its parts
against direct calls of the building blocks on the documented subset, and its notes
and errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mentoranalytics.boldness import derive_fields
from mentoranalytics.exceptions import AnalysisError, ColumnError
from mentoranalytics.stats.boldness_gap import BoldnessComparison, compare_boldness
from mentoranalytics.stats.continuous import compare_groups
from mentoranalytics.stats.rates import compare_rates

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.SmallSampleWarning")

RELATIONS = ["line_manager", "same_organisation", "existing_contact", "introduced", "no_prior_tie"]
APPROACHES = ["assigned", "existing_relationship", "asked_in_person", "warm_introduction",
              "cold_approach"]  # fmt: skip


def raw_cohort(n: int = 80, seed: int = 2, cohorts: int = 2) -> pd.DataFrame:
    r = np.random.default_rng(seed)
    secured = r.random(n) < 0.85
    frame = pd.DataFrame(
        {
            "participant_id": [f"P{i}" for i in range(n)],
            "cohort": r.choice([str(2019 + i) for i in range(cohorts)], n),
            "gender": r.choice(["woman", "man"], n),
            "participant_level": r.integers(1, 5, n),
            "mentor_level": pd.array(np.where(secured, r.integers(2, 7, n), -1), dtype="Int64"),
            "mentor_relation": np.where(secured, r.choice(RELATIONS, n), None),
            "approach": np.where(secured, r.choice(APPROACHES, n), None),
            "mentors_approached": r.integers(1, 5, n),
        }
    )
    frame.loc[~secured, "mentor_level"] = pd.NA
    frame["refusals"] = np.minimum(r.integers(0, 3, n), frame["mentors_approached"] - 1)
    return frame


def test_rates_count_outside_network_and_bold_choices():
    frame = raw_cohort()
    res = compare_boldness(frame, strata=None)
    derived = derive_fields(frame)
    mentored = derived[derived["mentor_secured"].fillna(False).astype(bool)]
    rates = res.rates.set_index(["measure", "group"])
    for g in ("woman", "man"):
        sub = mentored[mentored["gender"] == g]
        outside = (sub["mentor_in_network"] == False).sum()  # noqa: E712
        known = sub["mentor_in_network"].notna().sum()
        assert rates.loc[("outside_network", g), "events"] == outside
        assert rates.loc[("outside_network", g), "n"] == known
        bold = sub["bold_choice"]
        assert rates.loc[("bold_choice", g), "events"] == (bold == True).sum()  # noqa: E712
        assert rates.loc[("bold_choice", g), "n"] == bold.notna().sum()
        assert rates.loc[("bold_choice", g), "rate"] == pytest.approx(
            (bold == True).sum() / bold.notna().sum()  # noqa: E712
        )


def test_parts_equal_direct_calls_on_mentored_participants():
    frame = derive_fields(raw_cohort(120, seed=5, cohorts=3))
    res = compare_boldness(frame, rng=3)
    mentored = frame[frame["mentor_secured"].fillna(False).astype(bool)]
    ref = res.reference
    work = mentored.assign(bold=mentored["bold_choice"])
    direct = compare_rates(work, "bold", reference=ref, strata="cohort")
    gaps = res.gaps[(res.gaps.measure == "bold_choice")].set_index("effect")
    eff = direct.effects.set_index("measure")
    for effect in ("risk_difference", "odds_ratio"):
        assert gaps.loc[effect, "estimate"] == pytest.approx(eff.loc[effect, "estimate"])
        assert gaps.loc[effect, "ci_low"] == pytest.approx(eff.loc[effect, "ci_low"])
        assert gaps.loc[effect, "p_value"] == pytest.approx(eff.loc[effect, "p_value"])
    pooled = res.pooled[res.pooled.measure == "bold_choice"].iloc[0]
    assert pooled["estimate"] == pytest.approx(direct.pooled["estimate"].iloc[0])
    assert pooled["homogeneity_p_value"] == pytest.approx(
        direct.pooled["homogeneity_p_value"].iloc[0], nan_ok=True
    )
    comp = compare_groups(mentored, "seniority_gap", reference=ref)
    cont = res.continuous[res.continuous.measure == "seniority_gap"].set_index("group")
    groups = comp.groups
    assert cont["mean"].to_dict() == pytest.approx(groups["mean"].to_dict())
    assert cont["median"].to_dict() == pytest.approx(groups["median"].to_dict())
    mdiff = res.gaps[(res.gaps.measure == "seniority_gap") & (res.gaps.effect ==
                                                                "mean_difference")]  # fmt: skip
    cdiff = comp.comparisons[comp.comparisons.measure == "mean_difference"]
    assert mdiff["estimate"].item() == pytest.approx(cdiff["estimate"].item())
    assert mdiff["p_value"].item() == pytest.approx(cdiff["p_value"].item())
    assert set(res.continuous["measure"]) == {
        "seniority_gap", "boldness_index", "reach", "distance", "initiation",
    }  # fmt: skip


def test_approach_mix_and_refusals_match_pandas():
    frame = raw_cohort(100, seed=7)
    res = compare_boldness(frame, strata=None)
    mentored = derive_fields(frame)
    mentored = mentored[mentored["mentor_secured"].fillna(False).astype(bool)]
    tab = pd.crosstab(mentored["gender"], mentored["approach"])
    mix = res.approach_mix.set_index(["group", "approach"])
    for g in tab.index:
        for a in tab.columns:
            assert mix.loc[(g, a), "events"] == tab.loc[g, a]
            assert mix.loc[(g, a), "n"] == tab.loc[g].sum()
    sums = mentored.groupby(["approach", "gender"])[["mentors_approached", "refusals"]].sum()
    ref = res.refusals.set_index(["approach", "group"])
    for (a, g), r in sums.iterrows():
        assert ref.loc[(a, g), "n"] == r["mentors_approached"]
        assert ref.loc[(a, g), "events"] == r["refusals"]
    total = mentored.groupby("gender")["refusals"].sum()
    assert ref.loc[("all", "woman"), "events"] == total["woman"]
    assert "approach" in set(res.tests["measure"])


def test_only_mentored_participants_count():
    frame = raw_cohort(60, seed=1)
    base = compare_boldness(frame, strata=None)
    extra = frame.iloc[[0]].copy()
    extra["participant_id"] = "EXTRA"
    extra["mentor_level"] = pd.NA
    extra["mentor_relation"] = None
    extra["approach"] = None
    extra["mentor_secured"] = False
    more = pd.concat([frame.assign(mentor_secured=frame["mentor_level"].notna()), extra])
    res = compare_boldness(more, strata=None)
    pd.testing.assert_frame_equal(base.rates, res.rates)
    assert any("mentor_secured true" in n for n in res.notes)


def test_strata_skipped_with_notes():
    frame = raw_cohort(60, cohorts=1)
    res = compare_boldness(frame)
    assert res.pooled.empty and res.strata is None
    assert any("'cohort' has one level" in n for n in res.notes)
    res = compare_boldness(frame.drop(columns="cohort"))
    assert any("column 'cohort' not found" in n for n in res.notes)
    two = compare_boldness(raw_cohort(80, cohorts=2))
    assert two.strata == "cohort" and not two.pooled.empty


def test_missing_columns_skip_parts_with_notes():
    frame = raw_cohort(60).drop(columns=["approach", "refusals"])
    res = compare_boldness(frame, strata=None)
    assert res.approach_mix.empty and res.refusals.empty
    assert any("approach mix skipped: column 'approach' not found" in n for n in res.notes)
    assert any("refusals per approach skipped" in n and "'refusals'" in n for n in res.notes)
    only_gap = pd.DataFrame(
        {"gender": ["woman", "man"] * 4, "seniority_gap": [0, 1, 2, 1, 0, 3, 1, 2]}
    )
    res = compare_boldness(only_gap, strata=None)
    assert res.rates.empty
    assert any("outside_network skipped: column 'mentor_in_network' not found" in n
               for n in res.notes)  # fmt: skip
    # reach and the index follow from the gap; distance and initiation cannot
    assert set(res.continuous["measure"]) == {"seniority_gap", "reach", "boldness_index"}
    assert any(n.startswith("distance skipped") for n in res.notes)


def test_existing_derived_columns_are_kept():
    frame = pd.DataFrame(
        {"gender": ["woman", "man"] * 5, "boldness_index": np.linspace(0, 1, 10),
         "bold_choice": pd.array([True, False] * 5, dtype="boolean"),
         "mentor_secured": [True] * 10}
    )  # fmt: skip
    res = compare_boldness(frame, strata=None)
    cont = res.continuous.set_index(["measure", "group"])
    woman = frame.loc[frame.gender == "woman", "boldness_index"].mean()
    assert cont.loc[("boldness_index", "woman"), "mean"] == pytest.approx(woman)
    assert res.rates.set_index(["measure", "group"]).loc[("bold_choice", "woman"), "events"] == 5


def test_result_and_rendering():
    res = compare_boldness(raw_cohort(), strata=None)
    assert isinstance(res, BoldnessComparison)
    assert list(res.tables()) == [
        "rates", "gaps", "continuous", "approach_mix", "refusals", "pooled", "tests",
    ]  # fmt: skip
    assert list(res.rates.columns) == ["measure", "group", "n", "events", "rate", "ci_low",
                                       "ci_high"]  # fmt: skip
    assert {"estimate", "ci_low", "ci_high", "p_value", "method", "detectable_difference"} <= set(
        res.gaps.columns
    )
    assert "Boldness of mentor choices by gender" in res.to_markdown()
    assert "<table" in res._repr_html_()
    assert set(res.details) >= {"outside_network", "bold_choice", "boldness_index"}


def test_reference_is_shared_and_selectable():
    frame = raw_cohort(90, seed=4)
    default = compare_boldness(frame, strata=None)
    assert default.reference == "man" and set(default.gaps["reference"]) == {"man"}
    res = compare_boldness(frame, strata=None, reference="woman")
    assert res.reference == "woman"
    assert set(res.gaps["reference"]) == {"woman"}
    assert set(res.gaps["group"]) == {"man"}


def test_same_seed_same_result():
    frame = raw_cohort(70, seed=9, cohorts=2)
    a = compare_boldness(frame, rng=1)
    b = compare_boldness(frame, rng=1)
    pd.testing.assert_frame_equal(a.gaps, b.gaps)
    pd.testing.assert_frame_equal(a.tests, b.tests)
    assert a.rng == 1


def test_input_not_modified():
    frame = raw_cohort(50)
    before = frame.copy()
    compare_boldness(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_error_missing_by():
    with pytest.raises(ColumnError, match="Column 'sex' not found"):
        compare_boldness(raw_cohort(), by="sex")


def test_error_by_not_text():
    with pytest.raises(AnalysisError, match="by must be a column name"):
        compare_boldness(raw_cohort(), by=None)  # type: ignore[arg-type]


def test_error_strata_not_text():
    with pytest.raises(AnalysisError, match="strata must be a column name"):
        compare_boldness(raw_cohort(), strata=5)  # type: ignore[arg-type]


def test_error_no_mentored_participant():
    frame = raw_cohort(20)
    frame["mentor_secured"] = False
    with pytest.raises(AnalysisError, match="No participant with a mentor"):
        compare_boldness(frame)


def test_error_unknown_reference():
    with pytest.raises(AnalysisError, match="reference='x' is not a group of 'gender'"):
        compare_boldness(raw_cohort(), reference="x")


def test_error_bad_alpha():
    with pytest.raises(AnalysisError, match="alpha must be a number strictly between"):
        compare_boldness(raw_cohort(), alpha=0)
