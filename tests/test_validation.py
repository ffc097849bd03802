"""Tests of mentoranalytics.validation: cell parsing, every row rule, Cohort."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mentoranalytics as ma
from mentoranalytics import schema
from mentoranalytics.exceptions import SchemaError
from mentoranalytics.validation import (
    EXCLUDED_COLUMNS,
    PROBLEM_COLUMNS,
    RULES,
    Cohort,
    Table,
    _normalise_many,
    advice_style,
    close_match,
    format_problems,
    group_problems,
    pandera_schema,
    parse_column,
    validate,
)


def _parse(values, name, **kw):
    return parse_column(pd.Series(values, dtype=object), name, **kw)


def _vals(parsed):
    """Parsed values as a list, missing as None."""
    return [None if pd.isna(v) else v for v in pd.Series(parsed.values).astype(object)]


def _rules(parsed):
    """{position: rule} of a ParsedColumn."""
    return {int(p): rule for pos, rule, _ in parsed.problems for p in pos}


def _check(frame: pd.DataFrame):
    """validate() on one DataFrame table; rows are positions."""
    return validate([Table(file="t", frame=frame)])


def _found(result, rule):
    p = result.problems
    return sorted(int(r) for r in p.loc[p["rule"] == rule, "row"])


# --------------------------------------------------------------------------------------
# normalisation and parsing of single columns
# --------------------------------------------------------------------------------------


@given(st.lists(st.text(max_size=12), max_size=20))
def test_vectorised_normalise_matches_schema(texts):
    arr = np.array(texts, dtype=object)
    assert list(_normalise_many(arr)) == [schema.normalise_value(t) for t in texts]


def test_gender_aliases_and_missing():
    p = _parse(
        ["F", "Male ", "prefer not to say", "Woman", "NB", "", "N/A", None, "femal"], "gender"
    )
    assert _vals(p) == [
        "woman",
        "man",
        "not_stated",
        "woman",
        "non_binary",
        None,
        None,
        None,
        None,
    ]
    assert list(p.status) == [0, 0, 0, 0, 0, 1, 1, 1, 2]
    assert _rules(p) == {8: "unknown_category"}
    assert list(p.values.categories) == list(schema.GENDERS)


def test_unknown_category_message_suggests_and_shows_mapping():
    p = _parse(["femal"], "gender")
    (_, rule, msgs) = p.problems[0]
    assert rule == "unknown_category"
    assert "'femal'" in msgs[0]
    assert "Did you mean 'woman'?" in msgs[0]
    assert "values={'gender': {'femal': 'woman'}}" in msgs[0]


def test_user_values_come_before_aliases_and_can_mean_missing():
    p = _parse(["W", "X", "other", ""], "gender", user_values={"x": "man", "other": None})
    assert _vals(p) == ["woman", "man", None, None]
    assert list(p.status) == [0, 0, 1, 1]
    q = _parse(["", "F"], "gender", user_values={"": "not_stated"})
    assert list(q.values) == ["not_stated", "woman"]


def test_did_you_mean_only_for_a_genuine_misspelling():
    p = _parse(["Didnt know them", "colleage", "boss man"], "mentor_relation")
    msgs = dict(zip(p.problems[0][0].tolist(), p.problems[0][2], strict=True))
    assert "Did you mean" not in msgs[0] and "line_manager'}" not in msgs[0]
    assert msgs[0] == (
        "'Didnt know them' is not a known mentor_relation value, and no allowed value is "
        "close to it; allowed: line_manager, same_organisation, existing_contact, introduced, "
        "no_prior_tie. Correct the cell, or map it with values={'mentor_relation': "
        "{'Didnt know them': '?'}}, replacing ? by the allowed value it stands for."
    )
    assert "Did you mean 'same_organisation'?" in msgs[1]  # 'colleague' is an alias
    assert "Did you mean" not in msgs[2]


def test_codes_are_never_read_as_a_category():
    p = _parse(["1", "2", "1"], "gender")
    (pos, rule, msgs) = p.problems[0]
    assert rule == "unknown_category" and pos.tolist() == [0, 1, 2]
    for msg in msgs:
        assert "Did you mean" not in msg and "'woman'" not in msg and "'man'" not in msg
        assert "no allowed value is close to it" in msg
    assert "values={'gender': {'1': '?'}}" in msgs[0]
    assert "values={'gender': {'2': '?'}}" in msgs[1]
    assert p.suggestions == [("1", None), ("2", None)]


def test_a_spelling_close_to_two_values_is_not_guessed():
    p = _parse(["fmale"], "gender")
    msg = p.problems[0][2][0]
    assert "Did you mean" not in msg
    assert "it is about as close to 'woman' as to 'man', so neither is guessed" in msg
    assert p.suggestions == [("fmale", None)]


def test_close_match_is_strict_and_on_normalised_text():
    options = {"cold approach": "cold_approach", "warm introduction": "warm_introduction"}
    assert close_match("cold aproach", options) == "cold_approach"
    assert close_match("cold", options) is None
    assert close_match("xy", {"xyz": "a"}) is None  # too short to be a misspelling
    assert close_match("didnt know them", options) is None


def test_advice_in_python_and_in_command_line_form():
    msg = _parse(["femal"], "gender").problems[0][2][0]
    assert "values={'gender': {'femal': 'woman'}}" in msg
    with advice_style("cli"):
        cli = _parse(["femal", "1"], "gender").problems[0][2]
    assert "values: {gender: {femal: woman}} in the --mapping file" in cli[0]
    assert "values: {gender: {'1': '?'}} in the --mapping file" in cli[1]
    assert "values=" not in " ".join(cli)
    with pytest.raises(ValueError, match="style must be 'python' or 'cli', not 'yaml'"):
        with advice_style("yaml"):  # type: ignore[arg-type]
            pass


@pytest.mark.parametrize("key", ["<blank>", "", None, " <Blank> "])
def test_blank_cells_can_be_mapped(key):
    p = _parse(["", None, "N/A", "F", "  "], "gender", user_values={key: "not_stated"})
    assert _vals(p) == ["not_stated", "not_stated", "not_stated", "woman", "not_stated"]
    assert list(p.status) == [0, 0, 0, 0, 0]


def test_blank_cells_of_every_kind_can_be_mapped():
    n = _parse(["", "3", None], "mentors_approached", user_values={"<blank>": 0})
    assert _vals(n) == [0, 3, 0]
    b = _parse([None, "yes"], "promoted", user_values={"<blank>": False})
    assert _vals(b) == [False, True]
    none = _parse([None, "yes"], "promoted", user_values={"<blank>": None})
    assert _vals(none) == [None, True] and list(none.status) == [1, 0]
    typed = parse_column(pd.Series([np.nan, 2.0]), "mentor_level", user_values={"<blank>": 1})
    assert _vals(typed) == [1, 2]


def test_invalid_missing_keeps_the_row_and_lists_the_cell():
    frame = pd.DataFrame(
        {
            "participant_id": ["P1", "P2", "P3"],
            "gender": ["F", "M", "x"],
            "mentor_level": ["4", "9", "3"],
            "promoted": ["yes", "maybe", "no"],
        }
    )
    result = validate([Table(file="f", frame=frame)], invalid="missing")
    assert result.keep.tolist() == [True, True, False]  # gender is required
    assert result.excluded["reason"].tolist() == ["unknown category in gender"]
    cells = result.invalid_cells
    assert cells[["row", "column", "rule"]].values.tolist() == [
        [1, "mentor_level", "out_of_range"],
        [1, "promoted", "invalid_boolean"],
    ]
    assert pd.isna(result.data["mentor_level"].iat[1]) and pd.isna(result.data["promoted"].iat[1])
    assert len(result.problems) == 3
    excluding = validate([Table(file="f", frame=frame)])
    assert excluding.keep.tolist() == [True, False, False] and not len(excluding.invalid_cells)
    with pytest.raises(ValueError, match="invalid must be 'exclude' or 'missing', not 'drop'"):
        validate([Table(file="f", frame=frame)], invalid="drop")  # type: ignore[arg-type]


def test_mentor_relation_is_ordered_in_schema_order():
    p = _parse(["boss", "stranger", "colleague"], "mentor_relation")
    assert p.values.ordered
    assert list(p.values.categories) == list(schema.MENTOR_RELATIONS)
    assert list(p.values) == ["line_manager", "no_prior_tie", "same_organisation"]


def test_booleans():
    p = _parse(["Y", "no", "TRUE", "1", "0", "1.0", "f", "maybe", "", True, False, 1], "promoted")
    values = _vals(p)
    assert values[:7] == [True, False, True, True, False, True, False]
    assert values[7] is None and values[8] is None
    assert values[9:] == [True, False, True]
    assert _rules(p) == {7: "invalid_boolean"}
    assert str(p.values.dtype) == "boolean"


def test_ordinal_numbers_labels_and_every_rule():
    raw = ["3", " 4 ", "5.0", "Director / head of function", "2.5", "7", "0", "20I9",
           "2024-03-04", "4-Mar", "45355", "NA", ""]  # fmt: skip
    p = _parse(raw, "participant_level")
    values = _vals(p)
    assert values[:4] == [3, 4, 5, 4]
    assert all(v is None for v in values[4:])
    assert _rules(p) == {
        4: "not_whole_number",
        5: "out_of_range",
        6: "out_of_range",
        7: "not_a_number",
        8: "excel_date",
        9: "excel_date",
        10: "excel_date",
    }
    assert list(p.status[11:]) == [1, 1]
    assert str(p.values.dtype) == "Int64"


def test_text_in_number_column_message_names_typo():
    p = _parse(["20I9"], "followup_months")
    _, rule, msgs = p.problems[0]
    assert rule == "not_a_number"
    assert "'20I9' is not a number" in msgs[0]
    assert "I or l for 1" in msgs[0]


def test_long_text_is_described_not_echoed():
    text = "left the programme after a long illness in the family"
    p = _parse([text], "followup_months")
    msg = p.problems[0][2][0]
    assert text not in msg
    assert f"a text of {len(text)} characters" in msg


def test_counts_and_numbers():
    c = _parse(["0", "3", "-1", "2.5"], "refusals")
    assert _rules(c) == {2: "out_of_range", 3: "not_whole_number"}
    n = _parse(["12.5", "-3", "inf", "3,5"], "followup_months")
    assert _vals(n)[0] == 12.5
    assert _rules(n) == {1: "out_of_range", 2: "not_a_number", 3: "not_a_number"}
    assert str(n.values.dtype) == "Float64"


def test_decimal_comma_only_when_asked():
    p = _parse(["24,5", "3", "1.5", "1.234,5"], "followup_months", decimal_comma=True)
    assert _vals(p)[:3] == [24.5, 3.0, 1.5]
    assert _rules(p) == {3: "not_a_number"}


def test_typed_numeric_input_is_checked_too():
    s = pd.Series(pd.array([1, 6, 7, None, 30000], dtype="Int64"))
    p = parse_column(s, "mentor_level")
    assert _rules(p) == {2: "out_of_range", 4: "excel_date"}
    assert list(p.status) == [0, 0, 2, 1, 2]


def test_datetime_cells_are_excel_dates_except_in_text_columns():
    when = dt.datetime(2024, 3, 4)
    p = _parse([when, 3], "participant_level")
    assert _rules(p) == {0: "excel_date"}
    q = _parse([dt.datetime(2019, 9, 1)], "cohort")
    assert list(q.values) == ["2019-09-01"]


def test_extra_column_is_kept_as_stripped_text():
    p = _parse([" north ", "", "NA", 3], "Region")
    assert _vals(p) == ["north", None, None, "3"]
    assert str(p.values.dtype) == "string"
    assert p.problems == []


# --------------------------------------------------------------------------------------
# row-level rules in validate()
# --------------------------------------------------------------------------------------


def _frame(**cols):
    n = max(len(v) for v in cols.values())
    base = {"participant_id": [f"P{i}" for i in range(n)], "gender": ["woman"] * n}
    base.update(cols)
    return pd.DataFrame(base)


def test_required_values_missing():
    r = _check(pd.DataFrame({"participant_id": ["P1", "", "P3"], "gender": ["F", "M", " "]}))
    assert _found(r, "missing_value") == [1, 2]
    assert list(r.keep) == [True, False, False]


def test_refusals_exceed_approached():
    r = _check(_frame(mentors_approached=["3", "1", "", "x"], refusals=["2", "2", "5", "9"]))
    assert _found(r, "refusals_exceed_approached") == [1]
    msg = r.problems.loc[r.problems["rule"] == "refusals_exceed_approached", "message"].iloc[0]
    assert "refusals (2) exceed mentors_approached (1)" in msg


def test_promotion_after_followup_and_without_promotion():
    r = _check(
        _frame(
            followup_months=["24", "24", "24", "24"],
            months_to_promotion=["12", "30", "", "6"],
            promoted=["yes", "yes", "no", "no"],
        )
    )
    assert _found(r, "promotion_after_followup") == [1]
    assert _found(r, "promotion_time_without_promotion") == [3]


def test_network_contradicts_relation_both_ways():
    r = _check(
        _frame(
            mentor_relation=["line_manager", "introduced", "existing_contact", "no_prior_tie", ""],
            mentor_in_network=["no", "yes", "yes", "no", "yes"],
        )
    )
    assert _found(r, "network_contradicts_relation") == [0, 1]


def test_in_network_relations_come_from_schema():
    rel = list(schema.MENTOR_RELATIONS)
    expected = ["yes" if r in schema.IN_NETWORK_RELATIONS else "no" for r in rel]
    r = _check(_frame(mentor_relation=rel, mentor_in_network=expected))
    assert r.problems.empty


def test_self_employed_line_manager():
    r = _check(
        _frame(
            employment=["self_employed", "self-employed", "employed"],
            mentor_relation=["line manager", "introduced", "line_manager"],
        )
    )
    assert _found(r, "self_employed_line_manager") == [0]


def test_mentor_fields_without_mentor():
    r = _check(
        _frame(
            mentor_secured=["no", "no", "no", "yes", "no"],
            mentor_level=["", "4", "", "4", ""],
            in_contact_with_mentor=["", "", "yes", "", "no"],
            mentors_approached=["3", "3", "3", "3", "3"],
            refusals=["3", "3", "3", "0", "3"],
        )
    )
    assert _found(r, "mentor_fields_without_mentor") == [1, 2]
    msgs = r.problems.loc[r.problems["rule"] == "mentor_fields_without_mentor", "message"]
    assert "(mentor_level)" in msgs.iloc[0]
    assert "(in_contact_with_mentor)" in msgs.iloc[1]


def test_bad_cell_does_not_create_a_combination_problem():
    r = _check(_frame(mentors_approached=["2O"], refusals=["3"]))
    assert list(r.problems["rule"]) == ["not_a_number"]


def test_duplicates_identical_after_parsing_keep_first():
    r = _check(
        pd.DataFrame(
            {"participant_id": ["A", "B", "A", "A"], "gender": ["F", "M", "female", "Woman"]}
        )
    )
    assert _found(r, "duplicate_identical") == [2, 3]
    assert list(r.keep) == [True, True, False, False]
    msg = r.problems["message"].iloc[0]
    assert "repeats row 0" in msg


def test_duplicates_conflicting_exclude_all_copies():
    r = _check(
        pd.DataFrame(
            {
                "participant_id": ["A", "B", "A", "A"],
                "gender": ["F", "M", "F", "M"],
                "mentor_level": ["3", "", "3", "3"],
            }
        )
    )
    assert _found(r, "duplicate_conflicting") == [0, 2, 3]
    assert _found(r, "duplicate_identical") == []
    assert list(r.keep) == [False, True, False, False]
    msg = r.problems["message"].iloc[0]
    assert "(gender)" in msg and "rows 2, row 3" not in msg
    assert "row 2, row 3" in msg


def test_duplicate_of_a_bad_cell_compares_raw_text():
    r = _check(pd.DataFrame({"participant_id": ["A", "A"], "gender": ["femal", "femail"]}))
    assert _found(r, "duplicate_conflicting") == [0, 1]


def test_messages_never_echo_participant_codes():
    secret = "ZX-93751-Q"
    frame = pd.DataFrame(
        {
            "participant_id": [secret, secret, secret, ""],
            "gender": ["F", "M", "X", "F"],
            "mentor_level": ["3", "9", "3", "3"],
        }
    )
    r = _check(frame)
    assert len(r.problems) >= 4
    assert not r.problems["message"].str.contains(secret, regex=False).any()


def test_blank_and_ragged_rows_are_not_checked_further():
    frame = pd.DataFrame({"participant_id": ["A", None, "C"], "gender": ["F", None, "zz"]})
    r = validate(
        [Table(file="f.csv", frame=frame, rows=np.array([2, 3, 4]),
               blank=np.array([False, True, False]), ragged=np.array([False, False, True]),
               fields=np.array([2, 0, 3]), header_fields=2, delimiter=";")]
    )  # fmt: skip
    assert list(zip(r.problems["row"], r.problems["rule"], strict=True)) == [
        (3, "blank_row"),
        (4, "ragged_row"),
    ]
    assert "3 fields but the header has 2" in r.problems["message"].iloc[1]
    assert list(r.excluded["reason"]) == ["blank row", "wrong number of fields"]


def test_problem_and_excluded_tables_have_the_contract_columns():
    r = _check(pd.DataFrame({"participant_id": ["A"], "gender": ["femal"]}))
    assert tuple(r.problems.columns) == PROBLEM_COLUMNS
    assert tuple(r.excluded.columns) == EXCLUDED_COLUMNS
    assert set(r.problems["rule"]) <= set(RULES)
    assert list(r.excluded["reason"]) == ["unknown category in gender"]


def test_every_rule_has_a_level_and_row_rules_a_reason():
    for rule in RULES.values():
        assert rule.level in ("file", "row", "note")
        if rule.level == "row":
            assert rule.reason


# --------------------------------------------------------------------------------------
# SchemaError text, pandera
# --------------------------------------------------------------------------------------


def test_format_problems_lists_first_20_and_the_count():
    p = pd.DataFrame(
        {
            "file": ["a.csv"] * 25,
            "row": range(2, 27),
            "column": ["gender"] * 25,
            "rule": ["unknown_category"] * 25,
            "message": [f"bad {k}" for k in range(25)],
        }
    )
    text = format_problems(p)
    assert text.startswith("25 problems in the cohort data (the first 20 messages are listed):")
    assert "a.csv row 21, column gender [unknown_category]: bad 19" in text
    assert "a.csv row 22," not in text
    assert "... and 5 more" in text


def test_format_problems_groups_identical_findings_with_their_rows():
    p = pd.DataFrame(
        {
            "file": ["a.csv"] * 4,
            "row": [4, 9, 17, 5],
            "column": ["approach", "approach", "approach", "gender"],
            "rule": ["unknown_category"] * 4,
            "message": ["'Cold aproach' is not a known approach value"] * 3 + ["'femal' ..."],
        }
    )
    text = format_problems(p)
    assert text.startswith("4 problems in the cohort data:\n")
    lines = text.splitlines()
    assert lines[1] == (
        "  a.csv rows 4, 9, 17, column approach [unknown_category]: "
        "'Cold aproach' is not a known approach value"
    )
    assert lines[2] == "  a.csv row 5, column gender [unknown_category]: 'femal' ..."
    grouped = group_problems(p)
    assert grouped["rows"].tolist() == [(4, 9, 17), (5,)]
    assert grouped["count"].tolist() == [3, 1]
    many = p.iloc[[0] * 30].assign(row=range(2, 32))
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, ... (30 rows)" in format_problems(many)


def test_pandera_schema_accepts_loader_output_and_rejects_bad_values():
    import pandera.errors

    cohort = ma.load_cohort(ma.simulate_cohort(40, rng=3))
    canonical = [c for c in cohort.data.columns if c in schema.SCHEMA]
    pandera_schema(canonical).validate(cohort.data[canonical])
    bad = cohort.data[canonical].copy()
    bad.loc[0, "mentor_level"] = 9
    with pytest.raises(pandera.errors.SchemaErrors):
        pandera_schema(canonical).validate(bad, lazy=True)
    dup = cohort.data[canonical].copy()
    dup.loc[1, "participant_id"] = dup.loc[0, "participant_id"]
    with pytest.raises(pandera.errors.SchemaErrors):
        pandera_schema(canonical).validate(dup, lazy=True)


# --------------------------------------------------------------------------------------
# Cohort
# --------------------------------------------------------------------------------------


@pytest.fixture
def cohort() -> Cohort:
    frame = pd.DataFrame(
        {
            "participant_id": ["P1", "P2", "P3", "P4"],
            "cohort": ["2019", "2019", "2020", "2020"],
            "gender": ["F", "M", "F", "femal"],
            "mentor_level": ["4", "5", "3", "2"],
            "participant_level": ["2", "2", "3", "1"],
            "Region": ["N", "S", "E", "W"],
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ma.DataQualityWarning)
        return ma.load_cohort(frame, errors="exclude")


def test_cohort_tables(cohort):
    assert len(cohort) == 3
    assert list(cohort.data["participant_id"]) == ["P1", "P2", "P3"]
    assert list(cohort.excluded["row"]) == [3]
    assert list(cohort.problems["rule"]) == ["unknown_category"]
    assert list(cohort.origin["row"]) == [0, 1, 2]
    assert cohort.source["rows_read"].sum() == len(cohort) + len(cohort.excluded)
    assert "seniority_gap" in cohort.columns and "Region" in cohort.columns


def test_cohort_dtypes(cohort):
    d = cohort.data
    assert isinstance(d["gender"].dtype, pd.CategoricalDtype)
    assert list(d["gender"].cat.categories) == list(schema.GENDERS)
    assert str(d["participant_id"].dtype) == "string"
    assert str(d["cohort"].dtype) == "string"
    assert str(d["mentor_level"].dtype) == "Int64"


def test_cohort_data_is_a_copy(cohort):
    d = cohort.data
    d.loc[0, "participant_id"] = "changed"
    d["mentor_level"] = 1
    del d["gender"]
    again = cohort.data
    assert again.loc[0, "participant_id"] == "P1"
    assert list(again["mentor_level"]) == [4, 5, 3]
    assert "gender" in again.columns
    ex = cohort.excluded
    ex.loc[0, "reason"] = "x"
    assert cohort.excluded.loc[0, "reason"] != "x"


def test_cohort_repr_and_html(cohort):
    text = repr(cohort)
    assert "Cohort: 3 participants in 2 cohort(s) (2019, 2020)" in text
    assert "gender: woman 2, man 1" in text
    assert "excluded: 1 rows; problems: 1" in text
    assert "extra columns: Region" in text
    page = cohort._repr_html_()
    assert "<table>" in page and "participants</th><td style='text-align:left'>3<" in page


def test_cohort_privacy_summary_delegates(cohort, monkeypatch):
    import mentoranalytics.privacy as privacy

    seen = {}

    def fake(data, **kw):
        seen["data"] = data
        seen["kw"] = kw
        return "summary"

    monkeypatch.setattr(privacy, "privacy_summary", fake)
    assert cohort.privacy_summary(threshold=5) == "summary"
    assert seen["kw"] == {"threshold": 5}
    pd.testing.assert_frame_equal(seen["data"], cohort.data)


def test_cohort_rejects_non_frames():
    with pytest.raises(ma.AnalysisError, match="Cohort data must be a pandas DataFrame"):
        Cohort([1, 2])


# --------------------------------------------------------------------------------------
# row accounting (property)
# --------------------------------------------------------------------------------------

_CELLS = {
    "participant_id": ["P1", "P2", "P3", "P4", "", "NA"],
    "gender": ["F", "male", "femal", "", "prefer not to say", "NB"],
    "mentor_level": ["1", "6", "7", "x", "", "2.5"],
    "mentors_approached": ["0", "2", "5", ""],
    "refusals": ["0", "1", "3", "-1", ""],
    "mentor_secured": ["yes", "no", "maybe", ""],
}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_row_accounting_dataframe(data):
    n = data.draw(st.integers(1, 12))
    frame = pd.DataFrame(
        {
            c: data.draw(st.lists(st.sampled_from(v), min_size=n, max_size=n))
            for c, v in _CELLS.items()
        }
    )
    before = frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ma.DataQualityWarning)
        try:
            cohort = ma.load_cohort(frame, errors="exclude")
        except SchemaError as exc:  # only file-level problems may raise
            levels = {RULES[r].level for r in exc.problems["rule"]}
            assert levels == {"file"}
            return
    pd.testing.assert_frame_equal(frame, before)
    assert int(cohort.source["rows_read"].sum()) == n
    assert len(cohort) + len(cohort.excluded) == n
    kept = set(cohort.origin["row"].tolist())
    dropped = set(cohort.excluded["row"].tolist())
    assert kept.isdisjoint(dropped)
    assert kept | dropped == set(range(n))
    # every excluded row has a reason, every problem row is excluded or a kept first copy
    assert cohort.excluded["reason"].str.len().min() > 0 if len(cohort.excluded) else True
    rows_with_problems = set(cohort.problems["row"].dropna().astype(int))
    assert dropped <= rows_with_problems


def test_duplicates_with_different_bad_typed_numbers_conflict():
    frame = pd.DataFrame(
        {"participant_id": ["A", "A"], "gender": ["F", "F"], "mentor_level": [7, 9]}
    )
    r = _check(frame)
    assert _found(r, "duplicate_conflicting") == [0, 1]
    same = _check(frame.assign(mentor_level=[7, 7]))
    assert _found(same, "duplicate_identical") == [1]


def test_a_name_typed_into_a_category_is_never_quoted_even_if_the_guard_misses_it():
    # "Anneke" is not in the guard's list of first names; the shape of a name is enough
    frame = pd.DataFrame(
        {
            "participant_id": [f"P{i:03d}" for i in range(6)],
            "gender": ["woman", "man"] * 3,
            "mentor_gender": ["Anneke Jansen", "woman", "man", "woman", "man", "woman"],
        }
    )
    cohort = ma.load_cohort(frame, errors="exclude")
    messages = " ".join(cohort.problems["message"].astype(str))
    assert "Anneke" not in messages
    assert "looks like personal data" in messages
