"""One convention, one place: group order, the reference group, yes/no values, names.

* the helpers of :mod:`mentoranalytics._conventions` themselves;
* every caller's edge behaviour (empty categories, schema vs categorical order,
  missing markers, yes/no text, numpy scalars), which differed between six yes/no
  readers and five group-order helpers before they were merged;
* the sign of every comparison does not move when the gender balance flips;
* the same direction for a yes/no predictor in ``cox_model`` and ``outcome_model``;
* one shape: ``reference=`` everywhere, renamed arguments still work for a release
  with a DeprecationWarning, "did you mean" for unknown columns, clear errors for
  wrong argument types, no numpy reprs in notes or messages.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics._conventions import (
    check_column_name,
    close_matches,
    default_reference,
    group_order,
    is_missing,
    order_levels,
    plain,
    resolve_pair,
    resolve_reference,
    yes_no,
    yes_no_boolean,
)
from mentoranalytics.exceptions import AnalysisError, ColumnError, SchemaError

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.exceptions.MentorAnalyticsWarning")


# --------------------------------------------------------------------------------------
# The helpers
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (pd.Series([True, False, None], dtype="boolean"), [1.0, 0.0, np.nan]),
        (pd.Series([True, False]), [1.0, 0.0]),
        (pd.Series([1, 0, 1]), [1.0, 0.0, 1.0]),
        (pd.Series([1.0, np.nan, 0.0]), [1.0, np.nan, 0.0]),
        (pd.Series([1, None], dtype="Int64"), [1.0, np.nan]),
        (pd.Series(["Yes", "no", "Y", "n", "TRUE", "f", "1", "0"]), [1, 0, 1, 0, 1, 0, 1, 0]),
        (pd.Series(["yes", "NA", "", "n/a", None, "No"]), [1, np.nan, np.nan, np.nan, np.nan, 0]),
        (pd.Series([True, "no", 0, np.bool_(True)], dtype=object), [1, 0, 0, 1]),
        (pd.Series(pd.Categorical(["yes", "no"], categories=["yes", "no"])), [1.0, 0.0]),
        (pd.Series(["yes", None], dtype="string"), [1.0, np.nan]),
        (pd.Series([None, None], dtype=object), [np.nan, np.nan]),
        (pd.Series([], dtype=object), []),
    ],
)
def test_yes_no_reads_every_spelling(values, expected):
    out = yes_no(values)
    assert out is not None and out.dtype == "float64"
    np.testing.assert_array_equal(out.to_numpy(), np.asarray(expected, dtype=float))
    assert out.index.equals(values.index)


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([0, 1, 2]),
        pd.Series(["yes", "maybe"]),
        pd.Series(pd.Categorical(["bold", "safe"])),
        pd.Series([0.5, 1.0]),
    ],
)
def test_yes_no_refuses_other_values(values):
    assert yes_no(values) is None
    with pytest.raises(AnalysisError, match=r"'x' must hold yes/no values.*[12] row\(s\)"):
        yes_no(values, "x", strict=True)


def test_yes_no_error_names_rows_never_values():
    s = pd.Series(["yes", "Jane Smith", "no"], index=[10, 11, 12])
    with pytest.raises(AnalysisError, match=r"rows 11\)") as info:
        yes_no(s, "promoted", strict=True)
    assert "Jane" not in str(info.value)


def test_yes_no_boolean_is_nullable():
    out = yes_no_boolean(pd.Series(["y", "N", "", None]))
    assert str(out.dtype) == "boolean"
    assert out.tolist()[:2] == [True, False] and out.isna().tolist() == [False, False, True, True]


def test_is_missing_knows_the_markers():
    s = pd.Series(["a", "", " NA ", "n/a", None, "null", "none", "nan", "N"])
    assert is_missing(s).tolist() == [False, True, True, True, True, True, True, True, False]
    cat = pd.Series(pd.Categorical(["a", "NA", None]))
    assert is_missing(cat).tolist() == [False, True, True]
    assert is_missing(pd.Series([1.0, np.nan])).tolist() == [False, True]


def test_group_order_schema_then_categorical_then_sorted():
    # schema order for a canonical column, unknown values after, sorted
    assert group_order(pd.Series(["zz", "man", "woman", "aa"]), "gender") == [
        "woman",
        "man",
        "aa",
        "zz",
    ]
    # the schema beats a categorical's own order for a canonical column
    cat = pd.Series(pd.Categorical(["man", "woman"], categories=["man", "woman"]))
    assert group_order(cat, "gender") == ["woman", "man"]
    # a categorical keeps its order for other columns; categories nobody has are not groups
    cat = pd.Series(pd.Categorical(["b", "c"], categories=["c", "a", "b"]))
    assert group_order(cat, "route") == ["c", "b"]
    # sorted otherwise; booleans and yes/no words: no before yes
    assert group_order(pd.Series([3, 1, 2])) == [1, 2, 3]
    assert group_order(pd.Series([True, False])) == [False, True]
    assert group_order(pd.Series(["Yes", "no"])) == ["no", "Yes"]
    assert group_order(pd.Series(["b", 1, "a"], dtype=object)) == [1, "a", "b"]
    # missing values are not groups; a text marker is a label there (e.g. a dose "None")
    assert group_order(pd.Series(["b", None, "None", "a"])) == ["None", "a", "b"]


def test_group_order_gives_plain_python_values():
    labels = group_order(pd.Series(np.array([True, False])))
    assert all(type(v) is bool for v in labels)
    labels = group_order(pd.Series(np.array([2019, 2020], dtype=np.int64)))
    assert all(type(v) is int for v in labels)
    assert order_levels([np.float64(1.5)]) == [1.5] and type(plain(np.int64(2))) is int


def test_default_reference_never_looks_at_sizes():
    assert default_reference(["woman", "man", "non_binary"], "gender") == "man"
    assert default_reference(["woman", "man"], "mentor_gender") == "man"
    # a raw column with the canonical gender values
    assert default_reference(["woman", "man"], "sex") == "man"
    assert default_reference(["woman", "non_binary"], "gender") == "woman"
    assert default_reference([False, True], "goals_defined") is False
    assert default_reference(["no", "yes"], "x") == "no"
    assert default_reference(["employed", "other"], "employment") == "employed"
    assert default_reference(["2019", "2020"], "cohort") == "2019"
    assert default_reference([], "gender") is None
    # a column that merely contains "man" among other words is not gender
    assert default_reference(["batman", "man"], "hero") == "batman"


def test_resolve_reference_matches_text_and_yes_no_meaning():
    assert resolve_reference("man", ["woman", "man"], "gender") == "man"
    assert resolve_reference("2019", [2019, 2020], "cohort") == 2019
    assert resolve_reference(0, [False, True], "x") is False
    assert resolve_reference("yes", [False, True], "x") is True
    with pytest.raises(AnalysisError, match=r"reference='men' is not a group.*Did you mean 'man'"):
        resolve_reference("men", ["woman", "man"], "gender")


def test_resolve_pair_defaults_and_errors():
    assert resolve_pair(["woman", "man"], "gender")[:2] == ("woman", "man")
    group, ref, note = resolve_pair(["woman", "man", "non_binary"], "gender")
    assert (group, ref) == ("woman", "man") and "non_binary" in note
    # naming the group only: the reference is the default among the others
    assert resolve_pair(["woman", "man", "non_binary"], "gender", group="man")[:2] == (
        "man",
        "woman",
    )
    assert resolve_pair([False, True], "x")[:2] == (True, False)
    with pytest.raises(AnalysisError, match="two different groups"):
        resolve_pair(["woman", "man"], "gender", reference="man", group="man")
    with pytest.raises(AnalysisError, match="needs two groups"):
        resolve_pair(["woman"], "gender")


def test_close_matches_are_close_only():
    assert close_matches("gendr", ["gender", "cohort"]) == ["gender"]
    assert close_matches("GENDER", ["gender"]) == ["gender"]
    assert close_matches("sex", ["gender", "cohort"]) == []


def test_check_column_name_message():
    with pytest.raises(AnalysisError, match=r"outcome must be a column name \(str\), not list"):
        check_column_name(["a", "b"], "outcome")
    check_column_name(None, "strata", optional=True)


# --------------------------------------------------------------------------------------
# Each caller's edge behaviour after the merge
# --------------------------------------------------------------------------------------


def test_rates_reads_a_yes_first_categorical_as_yes():
    # categories ("yes", "no"): the event is "yes" (the yes/no reading), not the
    # second category
    df = pd.DataFrame(
        {
            "gender": ["woman"] * 4 + ["man"] * 4,
            "y": pd.Categorical(["yes", "yes", "no", "no", "yes", "no", "no", "no"], ["yes", "no"]),
        }
    )
    res = ma.compare_rates(df, "y")
    assert res.rates["events"].to_dict() == {"woman": 2, "man": 1}


def test_rates_text_missing_markers_are_missing():
    df = pd.DataFrame({"gender": ["woman", "man"] * 3, "y": ["yes", "no", "NA", "yes", "", "no"]})
    res = ma.compare_rates(df, "y")
    assert int(res.rates["n"].sum()) == 4
    assert any("2 row(s) with missing 'y'" in n for n in res.notes)


def test_rates_unused_categories_are_not_groups_but_groups_without_outcome_are_named():
    gender = pd.Categorical(
        ["woman", "woman", "man", "man", "non_binary"], categories=list(ma.schema.GENDERS)
    )
    df = pd.DataFrame({"gender": gender, "y": [True, False, True, None, None]})
    res = ma.compare_rates(df, "y")
    assert list(res.rates.index) == ["woman", "man"]
    dropped = [n for n in res.notes if n.startswith("groups with no one to analyse")]
    assert dropped and "non_binary" in dropped[0] and "self_described" not in dropped[0]


def test_models_edge_cases():
    df = pd.DataFrame(
        {
            "y": ["yes", "no", "NA", "yes", "no", "yes", "no", "yes", "no", "no"] * 3,
            "x": ["Y", "N", "Y", "N", "Y", "N", "N", "Y", "Y", "N"] * 3,
            "route": pd.Categorical(
                ["b", "a", "c", "b", "a", "c", "b", "a", "c", "c"] * 3, categories=["c", "b", "a"]
            ),
        }
    )
    res = ma.outcome_model(df, "y", ["x", "route"])
    assert res.n == 27 and res.n_excluded == 3  # "NA" is missing, not a level
    # yes/no text predictor: against no; categorical: its first category, not the largest
    assert res.references == {"x": False, "route": "c"}
    assert "x" in res.table["term"].tolist()


def test_survival_markers_and_bad_values():
    df = pd.DataFrame(
        {
            "gender": ["woman", "man", "man", "woman"],
            "promoted": ["yes", "NA", "no", "Yes"],
            "months_to_promotion": [3, None, None, 5],
            "followup_months": [12, 12, 12, 12],
        }
    )
    km = ma.kaplan_meier(df)
    assert int(km.medians["n"].sum()) == 3
    bad = df.assign(promoted=["yes", "perhaps", "no", "no"])
    with pytest.raises(AnalysisError, match=r"'promoted' must hold yes/no values.*rows 1\)"):
        ma.kaplan_meier(bad)


def test_table1_reads_yes_no_text_in_any_column_with_the_one_reader():
    df = pd.DataFrame(
        {
            "gender": ["woman", "man"] * 4,
            "mentor_said_yes": ["Yes", "no", "yes", "NO", "y", "n", "NA", "yes"],
            "score01": [0, 1, 1, 0, 1, 1, 0, 1],
        }
    )
    t1 = ma.summary_table(df, variables=["mentor_said_yes", "score01"])
    levels = t1.long.query("variable == 'mentor_said_yes'")["level"].unique().tolist()
    assert levels == ["yes", "no"]
    assert int(t1.long.query("variable == 'mentor_said_yes' and group == 'Overall'")
               ["missing"].iloc[0]) == 1  # fmt: skip
    # numbers that are all 0/1 are yes/no by the data-type rule (types= overrides it)
    assert t1.types["score01"] == "boolean"
    t1 = ma.summary_table(df, variables=["score01"], types={"score01": "continuous"})
    assert t1.long.query("variable == 'score01'")["mean"].notna().all()


def test_boldness_reads_yes_no_and_refuses_other_values():
    frame = pd.DataFrame(
        {"participant_level": [2, 2, 2], "mentor_level": [5, 3, 4],
         "mentor_in_network": ["N", "yes", "NA"], "approach": ["cold_approach"] * 3}
    )  # fmt: skip
    out = ma.boldness(frame)
    assert out["distance"].tolist()[:2] == [1.0, 0.0] and np.isnan(out["distance"].iloc[2])
    with pytest.raises(SchemaError, match="'mentor_in_network' must hold yes/no values"):
        ma.boldness(frame.assign(mentor_in_network=["N", "maybe", "y"]))


def test_compare_boldness_reads_text_mentor_secured():
    frame = _cohort(2, 2).assign(mentor_secured=lambda d: np.where(d.index % 2, "yes", "Y"))
    res = ma.compare_boldness(frame, strata=None)
    assert res.reference == "man"
    assert int(res.rates.query("measure == 'outside_network'")["n"].sum()) == len(frame)


# --------------------------------------------------------------------------------------
# The same sign whatever the gender balance
# --------------------------------------------------------------------------------------

_WOMEN = {
    "promoted": [1, 1, 1, 0, 1, 1, 1, 0, 0, 0],
    "months_to_promotion": [6, 12, 18, None, 9, 15, 24, None, None, None],
    "bold": [1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    "goals_defined": [1, 1, 0, 0, 1, 1, 1, 1, 0, 0],
    "days_to_secure": [20, 25, 30, 35, 40, 22, 28, 33, 38, 45],
}
_MEN = {
    "promoted": [1, 1, 0, 0, 0, 0, 0, 1, 0, 0],
    "months_to_promotion": [10, 20, None, None, None, None, None, 30, None, None],
    "bold": [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    "goals_defined": [1, 0, 1, 0, 0, 1, 0, 1, 0, 0],
    "days_to_secure": [10, 12, 15, 18, 20, 11, 14, 16, 19, 22],
}


def _cohort(women_blocks: int, men_blocks: int) -> pd.DataFrame:
    """Blocks of ten identical people per gender: every rate is the same whatever the balance."""
    parts = []
    for gender, block, k in (("woman", _WOMEN, women_blocks), ("man", _MEN, men_blocks)):
        for b in range(k):
            part = pd.DataFrame(block)
            part["gender"] = gender
            part["cohort"] = "A" if b % 2 == 0 else "B"
            parts.append(part)
    df = pd.concat(parts, ignore_index=True)
    bold = df.pop("bold").astype(bool)
    df["promoted"] = df["promoted"].astype(bool)
    df["goals_defined"] = df["goals_defined"].astype(bool)
    df["bold_choice"] = bold
    df["followup_months"] = 36.0
    df["mentor_secured"] = True
    df["participant_level"] = 2
    df["mentor_level"] = np.where(bold, 5, 3)
    df["mentor_relation"] = np.where(bold, "no_prior_tie", "line_manager")
    df["mentor_in_network"] = ~bold
    return df


def _signs(df: pd.DataFrame) -> dict[str, tuple]:
    """(reference, sign of women vs men) from every comparing function."""
    out: dict[str, tuple] = {}
    r = ma.compare_rates(df, "promoted")
    rd = r.effects.query("measure == 'risk_difference'").iloc[0]
    out["compare_rates"] = (r.reference, rd.group, np.sign(rd.estimate))
    g = ma.compare_groups(df, "days_to_secure")
    md = g.comparisons.query("measure == 'mean_difference'").iloc[0]
    out["compare_groups"] = (g.reference, md.group, np.sign(md.estimate))
    b = ma.compare_boldness(df, strata=None)
    bd = b.gaps.query("measure == 'outside_network' and effect == 'risk_difference'").iloc[0]
    out["compare_boldness"] = (b.reference, bd.group, np.sign(bd.estimate))
    m = ma.meta_analysis(df, outcome="promoted", study="cohort")
    out["meta_analysis"] = (m.reference, m.group, np.sign(np.log(m.pooled.estimate.iloc[1])))
    med = ma.mediation(df, "gender", "bold_choice", "promoted", n_sims=200)
    out["mediation"] = (
        med.reference,
        med.group,
        np.sign(med.table.loc["total_effect", "estimate"]),
    )
    dec = ma.decompose_gap(df, "promoted", n_boot=50)
    out["decompose_gap"] = (dec.reference, dec.group, np.sign(dec.table.loc["gap", "estimate"]))
    om = ma.outcome_model(df, "promoted", ["gender"])
    row = om.table.set_index("term").loc["gender[woman]"]
    out["outcome_model"] = (om.references["gender"], "woman", np.sign(np.log(row.estimate)))
    cox = ma.cox_model(df, "gender")
    crow = cox.table.iloc[0]
    out["cox_model"] = (cox.references["gender"], crow.level, np.sign(np.log(crow.estimate)))
    t1 = ma.summary_table(df, variables=["days_to_secure"])
    smd = t1.smd.iloc[0]
    out["summary_table"] = (t1.reference, smd.group, np.sign(smd.estimate))
    return out


def test_every_sign_is_stable_when_the_gender_balance_flips():
    more_women = _cohort(8, 2)
    more_men = _cohort(2, 8)
    assert (more_women.gender == "woman").sum() > (more_women.gender == "man").sum()
    a, b = _signs(more_women), _signs(more_men)
    assert set(a) == set(b)
    for name in a:
        assert a[name] == b[name], name
        reference, group, _ = a[name]
        assert (reference, group) == ("man", "woman"), name
    # women were promoted more often and sooner, took longer to secure a mentor and chose
    # outside their network less often: "women minus (over) men" has these signs
    assert all(a[k][2] > 0 for k in a if k != "compare_boldness")
    assert a["compare_boldness"][2] < 0


def test_yes_no_predictor_has_one_direction_in_cox_and_logistic_models():
    df = _cohort(8, 2)
    assert df["goals_defined"].mean() > 0.5  # True is the larger group
    om = ma.outcome_model(df, "promoted", "goals_defined")
    cox = ma.cox_model(df, "goals_defined")
    assert om.references["goals_defined"] is False
    assert cox.references["goals_defined"] is False
    odds = om.table.set_index("term").loc["goals_defined", "estimate"]
    hazard = cox.table.iloc[0]
    assert bool(hazard["level"]) is True and bool(hazard["reference"]) is False
    assert np.sign(np.log(odds)) == np.sign(np.log(hazard["estimate"])) == 1


def test_reference_can_be_chosen_everywhere_and_is_stated():
    df = _cohort(2, 2)
    assert ma.compare_rates(df, "promoted", reference="woman").reference == "woman"
    assert ma.compare_groups(df, "days_to_secure", reference="woman").reference == "woman"
    assert ma.compare_boldness(df, strata=None, reference="woman").reference == "woman"
    assert ma.meta_analysis(df, outcome="promoted", reference="woman").reference == "woman"
    assert ma.mediation(df, "gender", "bold_choice", "promoted", n_sims=50,
                        reference="woman").reference == "woman"  # fmt: skip
    assert ma.decompose_gap(df, "promoted", n_boot=20, reference="woman").reference == "woman"
    assert ma.outcome_model(df, "promoted", "gender", reference="woman").references == {
        "gender": "woman"
    }
    assert ma.cox_model(df, "gender", reference="woman").references == {"gender": "woman"}
    assert ma.cox_model(df, "gender", reference={"gender": "woman"}).references == {
        "gender": "woman"
    }
    t1 = ma.summary_table(df, variables=["days_to_secure"], reference="woman")
    assert t1.reference == "woman" and t1.smd["reference"].eq("woman").all()


# --------------------------------------------------------------------------------------
# Renamed arguments
# --------------------------------------------------------------------------------------


def test_renamed_arguments_still_work_with_a_deprecation_warning():
    df = _cohort(2, 2)
    with pytest.warns(DeprecationWarning, match="compare="):
        m = ma.meta_analysis(df, outcome="promoted", compare="man")
    assert (m.group, m.reference) == ("man", "woman")
    assert m.compare == "man"
    with pytest.warns(DeprecationWarning, match="groups="):
        d = ma.decompose_gap(df, "promoted", groups=("man", "woman"), n_boot=20)
    assert (d.group, d.reference) == ("man", "woman") and d.groups == ("man", "woman")
    with pytest.warns(DeprecationWarning, match="treated="):
        med = ma.mediation(df, "gender", "bold_choice", "promoted", n_sims=50, treated="man")
    assert (med.group, med.reference) == ("man", "woman")
    with pytest.warns(DeprecationWarning, match="seed="):
        a = ma.simulate_cohort(20, seed=3)
    pd.testing.assert_frame_equal(a, ma.simulate_cohort(20, rng=3))
    with pytest.warns(DeprecationWarning, match="event="):
        km = ma.kaplan_meier(df, event="promoted")
    assert int(km.medians["events"].sum()) == int(df["promoted"].sum())
    with pytest.raises(AnalysisError, match="pass group= only"):
        ma.meta_analysis(df, outcome="promoted", compare="man", group="man")


def test_survival_event_is_a_value_as_in_compare_rates():
    df = _cohort(2, 2).assign(status=lambda d: np.where(d.promoted, "promoted", "stayed"))
    a = ma.kaplan_meier(df, outcome="status", event="promoted")
    b = ma.kaplan_meier(df)
    pd.testing.assert_frame_equal(a.medians, b.medians)
    cox = ma.cox_model(df, "gender", outcome="status", event="promoted")
    assert cox.events == int(df["promoted"].sum())
    lr = ma.logrank_test(df, outcome="status", event="promoted")
    assert lr.p_value == pytest.approx(ma.logrank_test(df).p_value)


# --------------------------------------------------------------------------------------
# One shape
# --------------------------------------------------------------------------------------


def test_group_tables_are_indexed_by_group():
    df = _cohort(2, 2)
    assert ma.compare_rates(df, "promoted").rates.index.name == "group"
    assert ma.compare_groups(df, "days_to_secure").groups.index.name == "group"
    assert ma.kaplan_meier(df).medians.index.name == "group"
    assert ma.logrank_test(df).groups.index.name == "group"
    cells = ma.decompose_gap(df, "promoted", n_boot=20).cells
    assert list(cells.columns[:2]) == ["group", "level"]


def test_table1_has_stable_column_names():
    df = _cohort(2, 2)
    t1 = ma.summary_table(df, variables=["days_to_secure", "bold_choice"])
    assert "p_value" in t1.table.columns and "p-value" not in t1.table.columns
    assert "SMD" in t1.table.columns
    three = df.assign(gender=["woman", "man", "non_binary", "man"] * (len(df) // 4))
    t3 = ma.summary_table(three, variables=["days_to_secure"])
    assert [c for c in t3.table.columns if str(c).startswith("SMD")] == ["SMD"]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda d: ma.compare_rates(d, "promotd"), "Did you mean 'promoted'"),
        (lambda d: ma.compare_rates(d, "promoted", by="Gender"), "Did you mean 'gender'"),
        (lambda d: ma.compare_groups(d, "days_to_secur"), "Did you mean 'days_to_secure'"),
        (lambda d: ma.outcome_model(d, "promoted", ["gendr"]), "Did you mean 'gender'"),
        (lambda d: ma.cox_model(d, "gendr"), "Did you mean 'gender'"),
        (lambda d: ma.kaplan_meier(d, by="gendr"), "Did you mean 'gender'"),
        (lambda d: ma.summary_table(d, variables=["days_to_secur"]), "Did you mean"),
        (lambda d: ma.decompose_gap(d, "promoted", via="bold_choise"), "Did you mean"),
        (lambda d: ma.mediation(d, "gender", "bold", "promoted"), "Did you mean 'bold_choice'"),
        (lambda d: ma.meta_analysis(d, outcome="promoted", study="cohorts"), "Did you mean"),
    ],
)
def test_unknown_columns_get_did_you_mean(call, match):
    with pytest.raises(ColumnError, match=match):
        call(_cohort(2, 2))


def test_unrelated_names_get_no_suggestion():
    with pytest.raises(ColumnError) as info:
        ma.compare_rates(_cohort(2, 2), "salary")
    assert "Did you mean" not in str(info.value)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda d: ma.compare_rates(d, ["promoted", "goals_defined"]),
         r"outcome must be a column name \(str\), not list"),
        (lambda d: ma.compare_rates(d, "promoted", by=["gender"]),
         r"by must be a column name \(str\), not list"),
        (lambda d: ma.compare_rates(d, "promoted", strata=1),
         r"strata must be a column name \(str\) or None, not int"),
        (lambda d: ma.compare_groups(d, ["days_to_secure"]), r"variable must be a column name"),
        (lambda d: ma.outcome_model(d, ["promoted"], "gender"), r"outcome must be a column name"),
        (lambda d: ma.outcome_model(d, "promoted", 3), r"predictors must be a column name"),
        (lambda d: ma.cox_model(d, 3), r"predictors must be a column name"),
        (lambda d: ma.kaplan_meier(d, by=["gender"]), r"by must be a column name"),
        (lambda d: ma.logrank_test(d, by=1), r"by must be a column name"),
        (lambda d: ma.decompose_gap(d, ["promoted"]), r"outcome must be a column name"),
        (lambda d: ma.mediation(d, "gender", ["bold_choice"], "promoted"),
         r"mediator must be a column name"),
        (lambda d: ma.meta_analysis(d, outcome=["promoted"]), r"outcome must be a column name"),
        (lambda d: ma.summary_table(d, variables=3), r"variables must be a column name"),
        (lambda d: ma.compare_boldness(d, by=["gender"]), r"by must be a column name"),
    ],
)  # fmt: skip
def test_wrong_argument_types_get_a_clear_error(call, match):
    with pytest.raises(AnalysisError, match=match):
        call(_cohort(2, 2))


def test_plot_ax_must_be_axes():
    from mentoranalytics import plot as maplot

    with pytest.raises(AnalysisError, match="ax must be a matplotlib Axes"):
        maplot.plot_km(_cohort(2, 2), ax="left")


def test_no_numpy_reprs_in_notes_or_messages():
    df = pd.DataFrame(
        {
            "flag": np.array([True, True, False, False] * 5),
            "y": np.array([1, 0, 0, 1, 1] * 4, dtype=np.int64),
            "z": np.arange(20, dtype=np.float64),
            "months_to_promotion": [3.0, None] * 10,
            "followup_months": np.full(20, 12.0),
        }
    ).assign(promoted=lambda d: d["months_to_promotion"].notna())
    texts: list[str] = []
    for res in (
        ma.compare_rates(df, "y", by="flag"),
        ma.compare_groups(df, "z", by="flag"),
        ma.outcome_model(df, "y", ["flag"]),
        ma.cox_model(df.assign(z2=df.z % 3), ["flag", "z2"]),
        ma.summary_table(df, by="flag", variables=["z"]),
        ma.mediation(df, "flag", "z", "y", n_sims=50),
        ma.decompose_gap(df.assign(v=df.z > 9), "y", by="flag", via="v", n_boot=20),
    ):
        texts += [*res.notes, *res.warnings, res.method, res.to_markdown()]
    for bad in (
        lambda: ma.compare_rates(df, "y", by="flag", reference=np.int64(7)),
        lambda: ma.compare_rates(df.assign(y=df.z), "y", by="flag"),
    ):
        with pytest.raises(AnalysisError) as info:
            bad()
        texts.append(str(info.value))
    joined = "\n".join(texts)
    assert "np." not in joined and "numpy" not in joined


def test_inputs_are_not_modified():
    df = _cohort(2, 2).assign(gender=lambda d: d.gender.astype("category"))
    before = df.copy()
    _signs(df)
    pd.testing.assert_frame_equal(df, before)


def test_deprecated_warnings_point_at_the_caller():
    df = _cohort(2, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ma.decompose_gap(df, "promoted", groups=("woman", "man"), n_boot=10)
    dep = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert dep and dep[0].filename == __file__
