"""Tests of mentoranalytics._derived: every analysis takes a raw frame and derives what it
needs (bold_choice, boldness_index, seniority_gap, ...) or says how.

Reference: the same analysis on the loader's Cohort, whose derived columns come from the
loader (mentoranalytics.boldness.derive_fields on the validated data).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics import schema
from mentoranalytics._derived import DERIVABLE, derivation_hint, with_columns
from mentoranalytics.exceptions import ColumnError

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.MentorAnalyticsWarning")

NOTE = "Derived from the raw columns (mentoranalytics.derive_fields)"


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    return ma.load_sample().data


@pytest.fixture(scope="module")
def raw(cohort) -> pd.DataFrame:
    derived = [c for c in cohort.columns if c in schema.DERIVED_COLUMNS and c not in schema.SCHEMA]
    assert "bold_choice" in derived and "boldness_index" in derived
    return cohort.drop(columns=derived)


def two(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["gender"].isin(["woman", "man"])]


# name -> (call, how to compare the result of the raw frame with that of the cohort)
CALLS = {
    "compare_rates": lambda d: ma.compare_rates(d, "bold_choice").rates,
    "compare_rates_by": lambda d: ma.compare_rates(d, "promoted", by="bold_choice").rates,
    "compare_groups": lambda d: ma.compare_groups(d, "boldness_index").groups,
    "outcome_model": lambda d: ma.outcome_model(d, "promoted", ["gender", "bold_choice"]).table,
    "mediation": lambda d: (
        ma.mediation(two(d), "gender", "bold_choice", "promoted", n_sims=20, reference="man").table
    ),
    "decompose_gap": lambda d: ma.decompose_gap(two(d), "promoted").table,
    "cox_model": lambda d: ma.cox_model(d, ["bold_choice"]).table,
    "kaplan_meier": lambda d: ma.kaplan_meier(d, by="bold_choice").medians,
    "logrank_test": lambda d: ma.logrank_test(d, by="bold_choice").test,
    "summary_table": lambda d: ma.summary_table(d, variables=["bold_choice", "seniority_gap"]).long,
    "summary_table_by": lambda d: (
        ma.summary_table(d, by="bold_choice", variables=["promoted"]).long
    ),
    "meta_analysis": lambda d: (
        ma.meta_analysis(
            two(d), outcome="bold_choice", by="gender", reference="man", group="woman"
        ).pooled
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_raw_frame_gives_the_cohort_result(name, raw, cohort):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_raw = CALLS[name](raw)
        from_cohort = CALLS[name](cohort)
    pd.testing.assert_frame_equal(from_raw, from_cohort)


def test_the_derivation_is_stated_on_the_result(raw, cohort):
    res = ma.outcome_model(raw, "promoted", ["gender", "bold_choice"])
    assert f"{NOTE}: bold_choice." in res.notes
    assert not any(NOTE in n for n in ma.outcome_model(cohort, "promoted", ["bold_choice"]).notes)
    km = ma.kaplan_meier(raw, by="bold_choice")
    assert f"{NOTE}: bold_choice." in km.notes


def test_charts_derive_too(raw):
    import matplotlib.pyplot as plt

    from mentoranalytics import plot

    ax = plot.plot_outcome_rates(raw, "promoted", by="bold_choice")
    assert ax.figure is not None
    plt.close("all")


def test_missing_sources_are_named_with_how_to_proceed(raw):
    lacking = raw.drop(columns=["mentor_relation", "mentor_in_network"])
    with pytest.raises(ColumnError) as info:
        ma.compare_rates(lacking, "bold_choice")
    message = str(info.value)
    assert message.startswith("Column 'bold_choice' not found, needed for compare_rates.")
    assert (
        "'bold_choice' is derived from participant_level and mentor_level (or seniority_gap), "
        "and from mentor_relation (or mentor_in_network); the data lack mentor_relation "
        "(or mentor_in_network)"
    ) in message
    assert message.rstrip().endswith("pass a Cohort (ma.load_cohort) or call ma.derive_fields(df).")
    assert "Available: [" in message  # the usual message first (require_columns)
    # a column that is not derivable keeps the plain message
    with pytest.raises(
        ColumnError, match=r"^Column 'age' not found, needed for outcome_model\. Available"
    ):
        ma.outcome_model(raw, "promoted", ["age"])


def test_with_columns_returns_the_input_when_nothing_is_missing(cohort):
    frame, notes = with_columns(cohort, ["gender", "bold_choice"])
    assert frame is cohort and notes == []


def test_with_columns_never_changes_the_input(raw):
    before = raw.copy()
    frame, notes = with_columns(raw, ["bold_choice", "reach", None])
    pd.testing.assert_frame_equal(raw, before)
    assert "bold_choice" not in raw.columns and {"bold_choice", "reach"} <= set(frame.columns)
    assert notes == [f"{NOTE}: bold_choice, reach."]


@pytest.mark.parametrize("name", sorted(DERIVABLE))
def test_every_derivable_column_is_a_derived_field(name):
    from mentoranalytics.boldness import derive_fields

    frame = pd.DataFrame(
        {
            "participant_level": [2, 3],
            "mentor_level": [5, 3],
            "level_after": [3, 3],
            "mentor_relation": ["no_prior_tie", "line_manager"],
            "approach": ["cold_approach", "assigned"],
        }
    )
    assert name in derive_fields(frame).columns
    assert derivation_hint(name).startswith(f"'{name}' is derived from ")
    assert derivation_hint("gender") == ""
