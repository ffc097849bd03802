"""Tests of derived fields and the boldness index (mentoranalytics.boldness).

Expected values are computed by hand from the definitions in DESIGN.md:
reach = clip(mentor_level - participant_level, 0, 3) / 3; distance line_manager 0,
same_organisation 0.25, existing_contact 0.5, introduced 0.75, no_prior_tie 1 (only
mentor_in_network known: inside 0, outside 1); initiation existing_relationship 0,
asked_in_person 1/3, warm_introduction 2/3, cold_approach 1, assigned missing.
"""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

import mentoranalytics as ma
from mentoranalytics import schema
from mentoranalytics.boldness import (
    DEFAULT_WEIGHT_SETS,
    boldness,
    boldness_sensitivity,
    derive_fields,
)
from mentoranalytics.exceptions import AnalysisError, ColumnError, SchemaError

# hand-written from DESIGN.md, independent of the module's constants
DISTANCE = {
    "line_manager": 0.0,
    "same_organisation": 0.25,
    "existing_contact": 0.5,
    "introduced": 0.75,
    "no_prior_tie": 1.0,
}
INITIATION = {
    "existing_relationship": 0.0,
    "asked_in_person": 1 / 3,
    "warm_introduction": 2 / 3,
    "cold_approach": 1.0,
}
IN_NETWORK = {"line_manager", "same_organisation", "existing_contact"}


def one(**columns: object) -> pd.DataFrame:
    """A one-row frame."""
    return pd.DataFrame({k: [v] for k, v in columns.items()})


def row(frame: pd.DataFrame, **kwargs: object) -> pd.Series:
    return boldness(frame, **kwargs).iloc[0]


# --------------------------------------------------------------------------------------
# components, by hand
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("relation", list(DISTANCE))
def test_distance_for_every_relation(relation: str) -> None:
    out = row(one(mentor_relation=relation))
    assert out["distance"] == pytest.approx(DISTANCE[relation])
    assert math.isnan(out["reach"]) and math.isnan(out["initiation"])
    assert out["boldness_index"] == pytest.approx(DISTANCE[relation])
    assert out["boldness_components"] == "distance"


@pytest.mark.parametrize("approach", list(INITIATION))
def test_initiation_for_every_approach(approach: str) -> None:
    out = row(one(approach=approach))
    assert out["initiation"] == pytest.approx(INITIATION[approach])
    assert out["boldness_index"] == pytest.approx(INITIATION[approach])
    assert out["boldness_components"] == "initiation"


def test_assigned_mentor_has_no_initiation() -> None:
    out = row(one(approach="assigned", mentor_relation="line_manager"))
    assert math.isnan(out["initiation"])
    assert out["boldness_components"] == "distance"
    assert out["boldness_index"] == 0.0


def test_relation_and_approach_maps_cover_the_schema() -> None:
    assert set(DISTANCE) == set(schema.MENTOR_RELATIONS)
    assert set(INITIATION) | {"assigned"} == set(schema.APPROACHES)


@pytest.mark.parametrize(
    ("participant", "mentor", "reach"),
    [(3, 1, 0.0), (3, 3, 0.0), (3, 4, 1 / 3), (2, 4, 2 / 3), (1, 4, 1.0), (1, 6, 1.0)],
)
def test_reach_is_clipped_gap_over_three(participant: int, mentor: int, reach: float) -> None:
    out = row(one(participant_level=participant, mentor_level=mentor))
    assert out["reach"] == pytest.approx(reach)


@pytest.mark.parametrize(("in_network", "distance"), [(True, 0.0), (False, 1.0)])
def test_distance_falls_back_on_in_network(in_network: bool, distance: float) -> None:
    frame = pd.DataFrame({"mentor_relation": [None], "mentor_in_network": [in_network]})
    assert row(frame)["distance"] == distance


def test_relation_wins_over_in_network_for_distance() -> None:
    frame = one(mentor_relation="existing_contact", mentor_in_network=True)
    assert row(frame)["distance"] == 0.5


def test_index_is_mean_of_three_components_by_default() -> None:
    frame = one(
        participant_level=2,
        mentor_level=4,
        mentor_relation="introduced",
        approach="asked_in_person",
    )
    out = row(frame)
    assert out["boldness_index"] == pytest.approx((2 / 3 + 0.75 + 1 / 3) / 3)
    assert out["boldness_components"] == "reach+distance+initiation"


def test_weights_give_weighted_mean() -> None:
    frame = one(
        participant_level=2,
        mentor_level=4,
        mentor_relation="introduced",
        approach="asked_in_person",
    )
    out = row(frame, weights=(1, 2, 3))
    assert out["boldness_index"] == pytest.approx((1 * 2 / 3 + 2 * 0.75 + 3 * 1 / 3) / 6)


def test_weights_are_normalised_over_available_components() -> None:
    frame = one(participant_level=2, mentor_level=3, mentor_relation="no_prior_tie")
    out = row(frame, weights=(1, 3, 100))
    assert out["boldness_index"] == pytest.approx((1 * (1 / 3) + 3 * 1.0) / 4)
    assert out["boldness_components"] == "reach+distance"


def test_zero_weight_leaves_component_out() -> None:
    frame = one(
        participant_level=1,
        mentor_level=4,
        mentor_relation="line_manager",
        approach="cold_approach",
    )
    out = row(frame, weights=(1, 0, 1))
    assert out["boldness_index"] == pytest.approx(1.0)
    assert out["boldness_components"] == "reach+initiation"
    # the component itself is still reported
    assert out["distance"] == 0.0


def test_only_zero_weighted_components_available_gives_missing_index() -> None:
    out = row(one(mentor_relation="introduced"), weights=(1, 0, 1))
    assert math.isnan(out["boldness_index"])
    assert pd.isna(out["boldness_components"])


# --------------------------------------------------------------------------------------
# bold_choice boundaries and missing values
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gap", "relation", "expected"),
    [
        (2, "introduced", True),  # reach exactly 2/3, distance exactly 0.75
        (3, "no_prior_tie", True),
        (1, "no_prior_tie", False),  # reach 1/3 < 2/3
        (3, "existing_contact", False),  # distance 0.5 < 0.75
        (0, "line_manager", False),
        (5, "introduced", True),
    ],
)
def test_bold_choice_thresholds(gap: int, relation: str, expected: bool) -> None:
    participant = 1
    mentor = min(participant + gap, 6)
    frame = one(participant_level=participant, mentor_level=mentor, mentor_relation=relation)
    assert row(frame)["bold_choice"] is np.bool_(expected) or row(frame)["bold_choice"] == expected


def test_bold_choice_with_in_network_fallback() -> None:
    frame = pd.DataFrame(
        {
            "participant_level": [1, 1],
            "mentor_level": [3, 3],
            "mentor_in_network": [False, True],
        }
    )
    assert boldness(frame)["bold_choice"].tolist() == [True, False]


def test_bold_choice_missing_when_either_part_unknown() -> None:
    frame = pd.DataFrame(
        {
            "participant_level": [1, 1, None],
            "mentor_level": [None, 2, 6],
            "mentor_relation": ["no_prior_tie", None, "no_prior_tie"],
        }
    )
    out = boldness(frame)
    assert out["bold_choice"].isna().all()
    assert str(out["bold_choice"].dtype) == "boolean"


def test_participants_without_mentor_have_no_boldness() -> None:
    frame = pd.DataFrame(
        {
            "mentor_secured": [False, True, None],
            "participant_level": [1, 1, 1],
            "mentor_level": [4, 4, 4],
            "mentor_relation": ["no_prior_tie"] * 3,
            "approach": ["cold_approach"] * 3,
        }
    )
    out = boldness(frame)
    assert out.iloc[0].isna().all()
    assert out["boldness_index"].tolist()[1:] == [1.0, 1.0]
    assert out["bold_choice"].tolist()[1:] == [True, True]


def test_index_aligned_with_input() -> None:
    frame = pd.DataFrame(
        {"mentor_relation": ["introduced", "line_manager"]}, index=pd.Index(["b", "a"], name="x")
    )
    out = boldness(frame)
    pd.testing.assert_index_equal(out.index, frame.index)
    assert out.loc["a", "distance"] == 0.0
    assert list(out.columns) == [
        "reach",
        "distance",
        "initiation",
        "boldness_index",
        "boldness_components",
        "bold_choice",
    ]


# --------------------------------------------------------------------------------------
# derive_fields
# --------------------------------------------------------------------------------------


def test_derive_fields_levels_and_types() -> None:
    frame = pd.DataFrame(
        {
            "participant_level": [2, 5, 3],
            "mentor_level": [4, 3, None],
            "level_after": [3, 5, None],
        }
    )
    out = derive_fields(frame)
    assert out["seniority_gap"].tolist()[:2] == [2, -2]
    assert pd.isna(out["seniority_gap"].iloc[2])
    assert out["level_change"].tolist()[:2] == [1, 0]
    assert str(out["seniority_gap"].dtype) == "Int64"
    assert str(out["level_change"].dtype) == "Int64"
    assert out["reach"].tolist()[:2] == pytest.approx([2 / 3, 0.0])


def test_derive_fields_in_network_from_relation_keeps_given_value() -> None:
    frame = pd.DataFrame(
        {
            "mentor_relation": [*DISTANCE, "line_manager", None],
            "mentor_in_network": [None] * 5 + [False, True],
        }
    )
    out = derive_fields(frame)["mentor_in_network"]
    expected = [r in IN_NETWORK for r in DISTANCE] + [False, True]
    assert out.tolist() == expected
    assert str(out.dtype) == "boolean"


def test_derive_fields_in_network_missing_when_nothing_known() -> None:
    frame = pd.DataFrame({"mentor_relation": [None, "introduced"]})
    out = derive_fields(frame)["mentor_in_network"]
    assert pd.isna(out.iloc[0]) and out.iloc[1] is not pd.NA and not out.iloc[1]


def test_derive_fields_mentor_secured_rules() -> None:
    frame = pd.DataFrame(
        {
            "mentor_level": [None, None, None, None, 4, None],
            "mentor_gender": [None, "woman", None, "", None, None],
            "days_to_secure": [None, None, 12, None, None, None],
            "mentors_approached": [3, 0, 0, 0, 0, 0],  # attempts do not count
            "mentor_secured": [None, None, None, None, None, True],
        }
    )
    out = derive_fields(frame)["mentor_secured"]
    assert out.tolist() == [False, True, True, False, True, True]


def test_derive_fields_mentor_secured_each_field_counts() -> None:
    values = {
        "mentor_level": 3,
        "mentor_relation": "introduced",
        "mentor_in_network": True,
        "approach": "assigned",
        "mentor_gender": "man",
        "days_to_secure": 4,
    }
    for name, value in values.items():
        frame = pd.DataFrame({"participant_id": ["a", "b"], name: [value, None]})
        assert derive_fields(frame)["mentor_secured"].tolist() == [True, False], name


def test_derive_fields_mentor_secured_kept_when_given() -> None:
    frame = pd.DataFrame({"mentor_secured": [False, True], "mentor_level": [3, None]})
    assert derive_fields(frame)["mentor_secured"].tolist() == [False, True]


def test_derive_fields_without_mentor_columns_adds_no_mentor_secured() -> None:
    frame = pd.DataFrame({"participant_id": ["a"], "gender": ["woman"]})
    out = derive_fields(frame)
    assert "mentor_secured" not in out.columns
    assert "mentor_in_network" not in out.columns
    for name in schema.DERIVED_COLUMNS:
        assert name in out.columns
        assert out[name].isna().all()


@pytest.mark.parametrize(
    "columns",
    [
        [],
        ["participant_id"],
        ["participant_level"],
        ["mentor_level"],
        ["approach"],
        ["mentor_secured"],
        ["level_after", "participant_level"],
    ],
)
def test_derive_fields_any_subset_of_columns(columns: list[str]) -> None:
    full = pd.DataFrame(
        {
            "participant_id": ["a", "b"],
            "participant_level": [2, 3],
            "mentor_level": [4, 3],
            "approach": ["cold_approach", "assigned"],
            "mentor_secured": [True, True],
            "level_after": [3, 3],
        }
    )
    out = derive_fields(full[columns])
    assert len(out) == 2
    assert set(schema.DERIVED_COLUMNS) <= set(out.columns)
    assert list(out.columns[: len(columns)]) == columns


def test_derive_fields_empty_frame() -> None:
    out = derive_fields(pd.DataFrame({"participant_id": pd.Series([], dtype=object)}))
    assert len(out) == 0
    assert set(schema.DERIVED_COLUMNS) <= set(out.columns)


def test_derive_fields_recomputes_existing_derived_columns() -> None:
    frame = pd.DataFrame({"participant_level": [1], "mentor_level": [4], "reach": [0.0]})
    once = derive_fields(frame)
    assert once["reach"].iloc[0] == 1.0
    pd.testing.assert_frame_equal(derive_fields(once), once)


def test_derive_fields_keeps_given_gap_without_levels() -> None:
    out = derive_fields(pd.DataFrame({"seniority_gap": [2, 5]}))
    assert out["reach"].tolist() == pytest.approx([2 / 3, 1.0])


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The loader's representation: categoricals, nullable Int64 and boolean."""
    out = frame.copy()
    for name in out.columns:
        col = schema.SCHEMA[name]
        if col.kind == "category":
            out[name] = pd.Categorical(
                out[name], categories=list(col.categories or ()), ordered=col.ordered
            )
        elif col.kind == "ordinal":
            out[name] = pd.Categorical(
                out[name].astype("Int64"),
                categories=list(range(int(col.minimum or 1), int(col.maximum or 1) + 1)),
                ordered=True,
            )
        elif col.kind == "count":
            out[name] = out[name].astype("Int64")
        elif col.kind == "bool":
            out[name] = out[name].astype("boolean")
    return out


PLAIN = pd.DataFrame(
    {
        "gender": ["woman", "man", "woman", "non_binary", "man", "not_stated"],
        "participant_level": [1, 2, 3, 4, 2, 5],
        "mentor_secured": [True, True, None, False, True, None],
        "mentor_level": [4, 2, None, None, 6, 6],
        "mentor_relation": ["no_prior_tie", "line_manager", None, None, None, "introduced"],
        "mentor_in_network": [None, True, None, None, False, None],
        "approach": ["cold_approach", "assigned", "warm_introduction", None, None, None],
        "days_to_secure": [10, 3, None, None, 40, 7],
        "level_after": [2, 2, 3, None, 3, 6],
    }
)


def test_typed_and_plain_frames_agree() -> None:
    plain = derive_fields(PLAIN)
    typed = derive_fields(_typed(PLAIN))
    derived = [*schema.DERIVED_COLUMNS, "mentor_secured", "mentor_in_network"]
    pd.testing.assert_frame_equal(plain[derived], typed[derived])


def test_plain_frame_with_yes_no_strings_and_markers() -> None:
    frame = pd.DataFrame(
        {
            "mentor_in_network": ["Yes", "n", "", "NA"],
            "mentor_relation": [None, None, "no_prior_tie", " "],
            "mentor_level": ["3", "", "4", None],
            "participant_level": [1, 1, 1, 1],
        }
    )
    out = derive_fields(frame)
    assert out["distance"].tolist()[:3] == [0.0, 1.0, 1.0]
    assert out["seniority_gap"].tolist()[0] == 2
    assert pd.isna(out["seniority_gap"].iloc[1])
    assert out["mentor_secured"].tolist() == [True, True, True, False]


@pytest.mark.parametrize("func", [derive_fields, boldness, boldness_sensitivity])
@pytest.mark.parametrize("typed", [False, True])
def test_input_unchanged(func, typed: bool) -> None:
    frame = _typed(PLAIN) if typed else PLAIN.copy()
    before = frame.copy()
    func(frame)
    pd.testing.assert_frame_equal(frame, before)


def test_derive_fields_returns_new_frame() -> None:
    frame = PLAIN.copy()
    out = derive_fields(frame)
    out.loc[0, "participant_level"] = 6
    assert frame.loc[0, "participant_level"] == 1


def test_public_names() -> None:
    assert ma.boldness is boldness
    assert ma.derive_fields is derive_fields


def test_public_function_not_hidden_by_its_submodule() -> None:
    """Importing the submodule ``mentoranalytics.boldness`` first must not hide ``ma.boldness``."""
    code = (
        "import sys\n"
        "from mentoranalytics.boldness import derive_fields\n"
        "import mentoranalytics as ma\n"
        "module = sys.modules['mentoranalytics.boldness']\n"
        "assert ma.boldness is module.boldness, ma.boldness\n"
        "assert ma.derive_fields is derive_fields\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cohort_like_object_is_accepted() -> None:
    class Holder:
        data = PLAIN

    pd.testing.assert_frame_equal(boldness(Holder()), boldness(PLAIN))


# --------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weights",
    [(1, 1), (1, 1, 1, 1), (-1, 1, 1), (0, 0, 0), (1, float("nan"), 1), "111", 3, (True, 1, 1)],
)
def test_bad_weights(weights) -> None:
    with pytest.raises(AnalysisError, match=r"weights must be three non-negative numbers"):
        boldness(PLAIN, weights=weights)


def test_boldness_needs_a_component_column() -> None:
    with pytest.raises(ColumnError, match=r"boldness needs at least one of the columns"):
        boldness(pd.DataFrame({"gender": ["woman"]}))


def test_boldness_rejects_non_frames() -> None:
    with pytest.raises(AnalysisError, match=r"data must be a Cohort or a pandas DataFrame"):
        boldness([1, 2, 3])


def test_derive_fields_rejects_non_frames() -> None:
    with pytest.raises(AnalysisError, match=r"derive_fields needs a pandas DataFrame, not list"):
        derive_fields([1])  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [7, 0, 2.5, "high"])
def test_bad_level(value) -> None:
    frame = pd.DataFrame({"participant_level": [1, 2], "mentor_level": [3, value]})
    with pytest.raises(SchemaError, match=r"'mentor_level' must hold whole numbers 1-6; 1 value"):
        derive_fields(frame)


def test_unknown_category_is_not_guessed() -> None:
    frame = pd.DataFrame({"mentor_relation": ["Line manager", "introduced"]})
    with pytest.raises(SchemaError, match=r"'mentor_relation' holds 1 value\(s\) outside"):
        derive_fields(frame)


def test_unknown_category_message_does_not_echo_value() -> None:
    frame = pd.DataFrame({"approach": ["Jane Smith"]})
    with pytest.raises(SchemaError) as info:
        boldness(frame)
    assert "Jane" not in str(info.value)


def test_bad_boolean() -> None:
    frame = pd.DataFrame({"mentor_in_network": ["maybe", "yes"]})
    with pytest.raises(SchemaError, match=r"'mentor_in_network' must hold yes/no values"):
        derive_fields(frame)


def test_bad_gap_column() -> None:
    with pytest.raises(SchemaError, match=r"'seniority_gap' must hold numbers"):
        derive_fields(pd.DataFrame({"seniority_gap": ["far"]}))


# --------------------------------------------------------------------------------------
# ordinal invariance (hypothesis)
# --------------------------------------------------------------------------------------

RELATIONS = list(DISTANCE)
APPROACHES = list(INITIATION)
weights_strategy = st.tuples(
    *(st.floats(min_value=0.01, max_value=10, allow_nan=False) for _ in range(3))
)


@settings(max_examples=150, deadline=None)
@given(
    participant=st.integers(1, 6),
    mentor=st.integers(1, 6),
    relation=st.sampled_from(RELATIONS),
    approach=st.sampled_from(APPROACHES),
    component=st.sampled_from(["reach", "distance", "initiation"]),
    weights=weights_strategy,
)
def test_index_is_monotone_in_each_component(
    participant, mentor, relation, approach, component, weights
) -> None:
    """Raising one component (by its ordinal category) never lowers the index."""
    base = {
        "participant_level": participant,
        "mentor_level": mentor,
        "mentor_relation": relation,
        "approach": approach,
    }
    bumped = dict(base)
    if component == "reach":
        bumped["mentor_level"] = min(mentor + 1, 6)
    elif component == "distance":
        bumped["mentor_relation"] = RELATIONS[min(RELATIONS.index(relation) + 1, 4)]
    else:
        bumped["approach"] = APPROACHES[min(APPROACHES.index(approach) + 1, 3)]
    out = boldness(pd.DataFrame([base, bumped]), weights=weights)
    index = out["boldness_index"].to_numpy()
    assert index[1] >= index[0] - 1e-12
    # the index lies between the smallest and the largest component
    comps = out[["reach", "distance", "initiation"]].to_numpy()
    assert np.all(index >= comps.min(axis=1) - 1e-12)
    assert np.all(index <= comps.max(axis=1) + 1e-12)
    # bold_choice never switches off when a component rises
    bold = out["bold_choice"].tolist()
    assert not (bold[0] and not bold[1])


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 6),
            st.integers(1, 6),
            st.sampled_from(RELATIONS),
            st.sampled_from(APPROACHES),
        ),
        min_size=2,
        max_size=15,
    ),
    scale=st.floats(min_value=0.1, max_value=50),
)
def test_index_unchanged_by_scaling_weights(rows, scale) -> None:
    frame = pd.DataFrame(
        rows, columns=["participant_level", "mentor_level", "mentor_relation", "approach"]
    )
    a = boldness(frame, weights=(1, 2, 3))["boldness_index"]
    b = boldness(frame, weights=(scale, 2 * scale, 3 * scale))["boldness_index"]
    np.testing.assert_allclose(a, b, rtol=1e-12)


# --------------------------------------------------------------------------------------
# sensitivity analysis
# --------------------------------------------------------------------------------------


def _sensitivity_frame() -> pd.DataFrame:
    gen = np.random.default_rng(7)
    n = 60
    return pd.DataFrame(
        {
            "gender": gen.choice(["woman", "man", "non_binary"], size=n, p=[0.5, 0.45, 0.05]),
            "participant_level": gen.integers(1, 4, size=n),
            "mentor_level": gen.integers(2, 7, size=n),
            "mentor_relation": gen.choice(RELATIONS, size=n),
            "approach": gen.choice([*APPROACHES, "assigned"], size=n),
        }
    )


def test_sensitivity_columns_and_default_sets() -> None:
    frame = _sensitivity_frame()
    table = boldness_sensitivity(frame)
    assert list(table.columns) == [
        "weight_set",
        "reach_weight",
        "distance_weight",
        "initiation_weight",
        "group",
        "n",
        "estimate",
        "spearman_rho",
    ]
    assert list(table["weight_set"].unique()) == list(DEFAULT_WEIGHT_SETS)
    groups = table.loc[table["weight_set"] == "equal", "group"].tolist()
    assert groups == ["all", "woman", "man", "non_binary"]  # schema order
    equal = table[table["weight_set"] == "equal"].set_index("group")
    assert equal.loc["all", "spearman_rho"] == pytest.approx(1.0)


def test_sensitivity_values_match_independent_computation() -> None:
    frame = _sensitivity_frame()
    table = boldness_sensitivity(frame, weight_sets={"r": (1, 0, 0), "twice": (2, 1, 1)})
    # independent: components by hand, weighted means, scipy's Spearman
    reach = np.clip(frame["mentor_level"] - frame["participant_level"], 0, 3) / 3
    dist = frame["mentor_relation"].map(DISTANCE)
    init = frame["approach"].map(INITIATION)  # assigned -> NaN
    default = pd.concat([reach, dist, init], axis=1).mean(axis=1)
    twice = (2 * reach + dist + init.fillna(0)) / np.where(init.isna(), 3, 4)
    for name, index in (("r", reach), ("twice", twice)):
        rows = table[table["weight_set"] == name].set_index("group")
        assert rows.loc["all", "n"] == len(frame)
        assert rows.loc["all", "estimate"] == pytest.approx(index.mean())
        rho = sps.spearmanr(index, default).statistic
        assert rows.loc["all", "spearman_rho"] == pytest.approx(rho)
        women = (frame["gender"] == "woman").to_numpy()
        assert rows.loc["woman", "estimate"] == pytest.approx(index[women].mean())
        assert rows.loc["woman", "spearman_rho"] == pytest.approx(
            sps.spearmanr(index[women], default[women]).statistic
        )


def test_sensitivity_without_gender_column() -> None:
    frame = _sensitivity_frame().drop(columns="gender")
    table = boldness_sensitivity(frame, weight_sets={"equal": (1, 1, 1)})
    assert table["group"].tolist() == ["all"]


def test_sensitivity_errors() -> None:
    with pytest.raises(AnalysisError, match=r"weight_sets must be a non-empty mapping"):
        boldness_sensitivity(PLAIN, weight_sets={})
    with pytest.raises(AnalysisError, match=r"weight_sets\['bad'\] must be three non-negative"):
        boldness_sensitivity(PLAIN, weight_sets={"bad": (0, 0, 0)})
    with pytest.raises(AnalysisError, match=r"weight_sets must be a non-empty mapping"):
        boldness_sensitivity(PLAIN, weight_sets=[("a", (1, 1, 1))])  # type: ignore[arg-type]
    with pytest.raises(ColumnError, match=r"Column 'cohort' not found, needed for boldness_sens"):
        boldness_sensitivity(PLAIN, by="cohort")


def test_sensitivity_by_other_column_and_none() -> None:
    frame = _sensitivity_frame().assign(cohort=["2019", "2020"] * 30)
    table = boldness_sensitivity(frame, weight_sets={"equal": (1, 1, 1)}, by="cohort")
    assert table["group"].tolist() == ["all", "2019", "2020"]
    assert table["n"].tolist() == [60, 30, 30]
    table = boldness_sensitivity(frame, weight_sets={"equal": (1, 1, 1)}, by=None)
    assert table["group"].tolist() == ["all"]
