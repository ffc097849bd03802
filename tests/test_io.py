"""Tests of mentoranalytics.io: reading every format, raw-file checks, mapping, writing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mentoranalytics as ma
from mentoranalytics import schema
from mentoranalytics.exceptions import DataQualityWarning, PersonalDataError, SchemaError
from mentoranalytics.io import cohort_label_from_name, load_cohort, write_table, write_template
from mentoranalytics.validation import RULES

DATA = Path(__file__).parent / "data"
MESSY = DATA / "messy_cp1252.csv"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _exclude(source, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return load_cohort(source, errors="exclude", **kw)


def _problems(exc_info) -> list[tuple]:
    p = exc_info.value.problems
    return [
        (None if pd.isna(r) else int(r), rule) for r, rule in zip(p["row"], p["rule"], strict=True)
    ]


# --------------------------------------------------------------------------------------
# the messy spreadsheet of issue 2 ("Done when")
# --------------------------------------------------------------------------------------


def test_messy_export_raises_with_every_problem_and_row_numbers():
    before = _sha(MESSY)
    with pytest.raises(SchemaError, match=r"^6 problems in the cohort data:") as exc:
        load_cohort(MESSY)
    assert _problems(exc) == [
        (5, "blank_row"),
        (7, "duplicate_identical"),
        (8, "duplicate_conflicting"),
        (9, "duplicate_conflicting"),
        (10, "unknown_category"),
        (11, "out_of_range"),
    ]
    text = str(exc.value)
    assert "messy_cp1252.csv row 10, column gender [unknown_category]: 'femal'" in text
    assert "row 11, column participant_level [out_of_range]: '7'" in text
    assert 'errors="exclude"' in text
    assert _sha(MESSY) == before


def test_messy_export_exclude_mode():
    before = _sha(MESSY)
    with pytest.warns(DataQualityWarning, match="6 of 11 rows were excluded"):
        cohort = load_cohort(MESSY, errors="exclude")
    d = cohort.data
    assert list(d["participant_id"]) == ["P01", "P02", "P03", "P04", "P08"]
    assert list(d["gender"]) == ["woman", "man", "not_stated", "woman", "non_binary"]
    assert list(d["employment"]) == ["employed", "self_employed", "employed", "employed", "other"]
    assert list(d["goals_defined"]) == [True, False, True, True, False]
    assert list(d["promoted"]) == [False, True, False, False, False]
    assert list(d["followup_months"]) == [24.5, 36.0, 18.0, 30.0, 22.0]
    assert d["months_to_promotion"].tolist()[1] == 12.5
    assert list(d["approach"])[:2] == ["warm_introduction", "cold_approach"]
    assert list(d["Région"]) == ["Nord", "Süd", "Ost", "Nord", "Süd"]
    ex = cohort.excluded
    assert list(ex["row"]) == [5, 7, 8, 9, 10, 11]
    assert list(ex["reason"]) == [
        "blank row",
        "duplicate (identical copy)",
        "duplicate participant_id (conflicting)",
        "duplicate participant_id (conflicting)",
        "unknown category in gender",
        "out of range in participant_level",
    ]
    assert list(ex["participant_id"].fillna("-")) == ["-", "P04", "P05", "P05", "P06", "P07"]
    src = cohort.source.iloc[0]
    assert (src["encoding"], src["delimiter"], src["rows_read"]) == ("cp1252", ";", 11)
    assert src["sha256"] == before
    assert len(cohort) + len(cohort.excluded) == src["rows_read"]
    assert _sha(MESSY) == before
    assert "extra_column" in set(cohort.notes["rule"])


# --------------------------------------------------------------------------------------
# encodings, delimiters, decimal commas
# --------------------------------------------------------------------------------------

_SIMPLE = "participant_id{d}gender{d}Region\nP1{d}F{d}Zürich\nP2{d}M{d}Köln\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
        ("utf-16", b"", "utf-16"),
    ],
)
def test_encodings(tmp_path, encoding, prefix, expected):
    path = tmp_path / "c.csv"
    path.write_bytes(prefix + _SIMPLE.format(d=";").encode(encoding))
    cohort = load_cohort(path)
    assert list(cohort.data["Region"]) == ["Zürich", "Köln"]
    assert list(cohort.data["participant_id"]) == ["P1", "P2"]
    assert cohort.source["encoding"].iloc[0] == expected


@pytest.mark.parametrize(
    ("delim", "suffix"), [(",", ".csv"), (";", ".csv"), ("\t", ".tsv"), ("|", ".txt")]
)
def test_delimiters(tmp_path, delim, suffix):
    path = _write(tmp_path / f"c{suffix}", _SIMPLE.format(d=delim))
    cohort = load_cohort(path)
    assert list(cohort.data["gender"]) == ["woman", "man"]
    assert cohort.source["delimiter"].iloc[0] == delim


def test_decimal_commas_in_semicolon_files_only(tmp_path):
    semi = _write(tmp_path / "s.csv", "id;gender;followup_months\nP1;F;24,5\nP2;M;12\n")
    assert list(load_cohort(semi).data["followup_months"]) == [24.5, 12.0]
    comma = _write(tmp_path / "c.csv", 'id,gender,followup_months\nP1,F,"24,5"\nP2,M,12\n')
    with pytest.raises(SchemaError, match=r"'24,5' is not a number") as exc:
        load_cohort(comma)
    assert _problems(exc) == [(2, "not_a_number")]


def test_leading_zeros_and_codes_are_kept_as_text(tmp_path):
    path = _write(tmp_path / "c.csv", "participant_id,cohort,gender,unit\n007,01,F,0012\n")
    d = load_cohort(path).data
    assert (d["participant_id"][0], d["cohort"][0], d["unit"][0]) == ("007", "01", "0012")


# --------------------------------------------------------------------------------------
# row numbers, blank rows, ragged rows, quoting
# --------------------------------------------------------------------------------------


def test_row_numbers_count_blank_rows_and_leading_blank_lines(tmp_path):
    text = "\n;;\nid;gender;mentor_level\nP1;F;3\n\n;;\nP2;F;9\n\n\n"
    path = _write(tmp_path / "c.csv", text)
    with pytest.raises(SchemaError) as exc:
        load_cohort(path)
    # header is row 3; blank rows 5 and 6; bad level in row 7; trailing blank lines ignored
    assert _problems(exc) == [(5, "blank_row"), (6, "blank_row"), (7, "out_of_range")]
    cohort = _exclude(path)
    assert cohort.source["rows_read"].iloc[0] == 4
    assert list(cohort.origin["row"]) == [4]
    assert "blank_rows_skipped" in set(cohort.notes["rule"])


def test_multiline_quoted_cell_is_one_row(tmp_path):
    text = 'id,gender,note\nP1,F,"two\nlines"\nP2,femal,x\n'
    with pytest.raises(SchemaError) as exc:
        load_cohort(_write(tmp_path / "c.csv", text))
    assert _problems(exc) == [(3, "unknown_category")]


def test_quoted_delimiter_is_not_ragged(tmp_path):
    text = 'id;gender;note\nP1;F;"a;b"\nP2;M;c\n'
    cohort = load_cohort(_write(tmp_path / "c.csv", text))
    assert list(cohort.data["note"]) == ["a;b", "c"]


@pytest.mark.parametrize("quoted", [False, True])
def test_ragged_rows_more_and_fewer_fields(tmp_path, quoted):
    q = '"x"' if quoted else "x"
    text = f"id;gender;mentor_level\nP1;F;3\nP2;M;3;{q}\nP3;F\nP4;M;femal\n"
    path = _write(tmp_path / "c.csv", text)
    with pytest.raises(SchemaError, match="4 fields but the header has 3") as exc:
        load_cohort(path)
    assert _problems(exc) == [(3, "ragged_row"), (4, "ragged_row"), (5, "not_a_number")]
    assert "2 fields but the header has 3" in str(exc.value)
    cohort = _exclude(path)
    assert list(cohort.data["participant_id"]) == ["P1"]
    assert list(cohort.excluded["reason"])[:2] == ["wrong number of fields"] * 2


def test_stray_quote_falls_back_to_a_forgiving_reader(tmp_path):
    text = 'id,gender,note\nP1,F,5" tall\nP2,M,ok\n'
    cohort = load_cohort(_write(tmp_path / "c.csv", text))
    assert list(cohort.data["note"]) == ['5" tall', "ok"]


def test_unterminated_quote_is_file_level(tmp_path):
    path = _write(tmp_path / "c.csv", 'id,gender\nP1,F\nP2,"M\nP3,F\n')
    with pytest.raises(SchemaError, match="never closed") as exc:
        _exclude(path)
    assert _problems(exc) == [(3, "unreadable_file")]


def test_empty_and_header_only_files_raise_in_both_modes(tmp_path):
    empty = _write(tmp_path / "e.csv", "")
    blank = _write(tmp_path / "b.csv", " \n\n")
    header = _write(tmp_path / "h.csv", "id,gender\n\n")
    for path in (empty, blank):
        with pytest.raises(SchemaError, match=r"\[empty_file\]: The file is empty"):
            _exclude(path)
    with pytest.raises(
        SchemaError, match=r"\[header_only\]: The file has a header row but no data"
    ):
        _exclude(header)


# --------------------------------------------------------------------------------------
# header checks and mapping
# --------------------------------------------------------------------------------------


def test_blank_header_with_values_is_file_level(tmp_path):
    path = _write(tmp_path / "c.csv", "id;gender;\nP1;F;x\nP2;M;\n")
    with pytest.raises(
        SchemaError, match=r"column 3 \(C\) has no header but holds values in 1 row"
    ):
        _exclude(path)


def test_blank_header_of_an_empty_column_is_ignored(tmp_path):
    path = _write(tmp_path / "c.csv", "id;gender;\nP1;F;\nP2;M;\n")
    cohort = load_cohort(path)
    assert len(cohort) == 2
    assert "unnamed_empty_column" in set(cohort.notes["rule"])


def test_duplicate_header_detected_on_the_raw_row(tmp_path):
    path = _write(tmp_path / "c.csv", "id,gender,Gender \nP1,F,F\n")
    with pytest.raises(SchemaError, match=r"pandas would silently rename the second to 'Gender.1'"):
        _exclude(path)


def test_two_headers_for_one_column(tmp_path):
    path = _write(tmp_path / "c.csv", "id,Sex,Gender\nP1,F,F\n")
    with pytest.raises(
        SchemaError, match=r"'Sex' \(column 2 \(B\)\) and 'Gender' .* both map to gender"
    ):
        load_cohort(path)
    assert len(load_cohort(path, drop_columns=["Sex"])) == 1


def test_padded_header_is_a_note(tmp_path):
    cohort = load_cohort(_write(tmp_path / "c.csv", " id ,gender \nP1,F\n"))
    assert list(cohort.data["participant_id"]) == ["P1"]
    assert set(cohort.notes["rule"]) >= {"padded_header"}


def test_missing_required_column_with_did_you_mean(tmp_path):
    path = _write(tmp_path / "c.csv", "id,Gendr,mentor_level\nP1,F,9\n")
    with pytest.raises(SchemaError) as exc:
        _exclude(path)
    text = str(exc.value)
    assert "The required column 'gender' was not found. Did you mean 'Gendr'?" in text
    assert "columns={'Gendr': 'gender'}" in text
    # every problem at once: the bad level is listed too
    assert _problems(exc) == [(None, "missing_column"), (2, "out_of_range")]


def test_near_miss_and_extra_columns_are_notes(tmp_path):
    path = _write(tmp_path / "c.csv", "id,gender,Mentor levle,Region\nP1,F,4,N\n")
    cohort = load_cohort(path)
    notes = cohort.notes
    msg = notes.loc[notes["column"] == "Mentor levle", "message"].iloc[0]
    assert "Did you mean 'mentor_level'?" in msg
    assert str(cohort.data["Mentor levle"].dtype) == "string"
    assert list(cohort.data["Region"]) == ["N"]


def test_headers_match_case_space_and_punctuation(tmp_path):
    path = _write(
        tmp_path / "c.csv", "Participant-ID,GENDER,Mentor_Level,mentor relation\nP1,F,4,boss\n"
    )
    d = load_cohort(path).data
    assert list(d["mentor_relation"]) == ["line_manager"]
    assert d["mentor_level"].tolist() == [4]


def test_columns_and_values_arguments(tmp_path):
    path = _write(tmp_path / "c.csv", "Code,Geschlecht,Stufe\nP1,W,3\nP2,X,4\nP3,unbekannt,2\n")
    cohort = load_cohort(
        path,
        columns={"Code": "participant_id", "Geschlecht": "gender", "Stufe": "participant_level"},
        values={"gender": {"X": "man", "unbekannt": "not_stated"}},
    )
    assert list(cohort.data["gender"]) == ["woman", "man", "not_stated"]


def test_value_mapping_to_none_means_missing():
    frame = pd.DataFrame({"id": ["P1", "P2"], "gender": ["F", "M"], "promoted": ["yes", "?"]})
    cohort = load_cohort(frame, values={"promoted": {"?": None}})
    assert cohort.data["promoted"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"columns": {"Sex": "gendr"}}, r"'Sex' is mapped to 'gendr'.*Did you mean 'gender'\?"),
        ({"columns": ["Sex"]}, r"columns must map your headers"),
        ({"values": {"gendr": {"W": "woman"}}}, r"'gendr'.*Did you mean 'gender'\?"),
        ({"values": {"gender": {"W": "womn"}}}, r"'womn' is not a gender category.*'woman'"),
        ({"values": {"mentor_level": {"x": 9}}}, r"= 9 is not allowed; mentor_level takes"),
        ({"values": {"promoted": {"x": "maybe"}}}, r"'maybe' is not a yes/no value"),
        ({"values": {"participant_id": {"x": "y"}}}, r"not a canonical column whose values"),
        ({"values": {"gender": ["W"]}}, r"values\['gender'\] must map your values"),
        ({"errors": "skip"}, r"errors must be 'raise', 'exclude' or 'missing', not 'skip'"),
        ({"drop_columns": 3}, r"drop_columns must be a list of column headers"),
    ],
)
def test_invalid_arguments(kwargs, match):
    frame = pd.DataFrame({"id": ["P1"], "Sex": ["F"]})
    with pytest.raises(SchemaError, match=match):
        load_cohort(frame, **kwargs)


def test_unused_column_mapping_and_drop_are_reported(tmp_path):
    frame = pd.DataFrame({"id": ["P1"], "gender": ["F"]})
    with pytest.raises(
        SchemaError, match=r"columns= maps \['Sexx'\], but no file has such a header"
    ):
        load_cohort(frame, columns={"Sexx": "gender"})
    with pytest.raises(SchemaError, match=r"drop_columns= names \['Name'\]"):
        load_cohort(frame, drop_columns=["Name"])


def test_yaml_mapping_file(tmp_path):
    mapping = _write(
        tmp_path / "map.yaml",
        "columns:\n  Geschlecht: gender\n  Befoerdert: promoted\n"
        "values:\n  gender:\n    W: woman\n    D: self_described\n"
        "  promoted:\n    Ja: yes\n    Nein: no\n"
        "drop_columns: [Name]\n",
    )
    path = _write(
        tmp_path / "c.csv", "id,Name,Geschlecht,Befoerdert\nP1,Anna,W,Ja\nP2,Ben,D,Nein\n"
    )
    cohort = load_cohort(path, mapping=mapping)
    assert list(cohort.data["gender"]) == ["woman", "self_described"]
    assert list(cohort.data["promoted"]) == [True, False]
    assert "Name" not in cohort.data.columns
    # explicit arguments win over the file
    again = load_cohort(path, mapping=mapping, values={"gender": {"W": "not_stated"}})
    assert list(again.data["gender"]) == ["not_stated", "self_described"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("colums:\n  a: gender\n", r"unknown key\(s\) \['colums'\]"),
        ("columns: [a\n", r"is not valid YAML"),
        ("- a\n- b\n", r"must hold the keys"),
    ],
)
def test_bad_yaml_mapping(tmp_path, text, match):
    mapping = _write(tmp_path / "m.yaml", text)
    with pytest.raises(SchemaError, match=match):
        load_cohort(pd.DataFrame({"id": ["P1"], "gender": ["F"]}), mapping=mapping)


# --------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        ws = wb.active if first else wb.create_sheet(name)
        ws.title = name
        first = False
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def test_excel_dates_blank_rows_and_row_numbers(tmp_path):
    rows = [
        ["id", "gender", "participant_level", "cohort"],
        ["P1", "F", 3, dt.datetime(2019, 9, 1)],
        [],
        ["P2", "M", dt.datetime(2024, 3, 4), "2019"],
        ["P3", "F", 45355, "2019"],
        ["P4", "M", "3,5", "2019"],
        [None, None, None, None],
    ]
    path = _workbook(tmp_path / "c.xlsx", {"data": rows})
    with pytest.raises(SchemaError) as exc:
        load_cohort(path)
    assert _problems(exc) == [
        (3, "blank_row"),
        (4, "excel_date"),
        (5, "excel_date"),
        (6, "not_a_number"),
    ]
    cohort = _exclude(path)
    assert list(cohort.data["cohort"]) == ["2019-09-01"]
    assert cohort.source["rows_read"].iloc[0] == 5
    assert cohort.source["sheet"].iloc[0] == "data"


def test_excel_sheet_ambiguity_lists_the_sheets(tmp_path):
    rows = [["id", "gender"], ["A", "F"]]
    path = _workbook(tmp_path / "c.xlsx", {"2019": rows, "2020": [["id", "gender"], ["B", "M"]]})
    with pytest.raises(SchemaError, match=r"has 2 sheets \('2019', '2020'\).*sheet='2019'"):
        load_cohort(path)
    assert list(load_cohort(path, sheet="2020").data["participant_id"]) == ["B"]
    assert list(load_cohort(path, sheet=1).data["participant_id"]) == ["B"]
    with pytest.raises(SchemaError, match=r"No sheet '2021' in the workbook; its sheets are") as e:
        load_cohort(path, sheet="2021")
    assert "Did you mean" not in str(e.value)  # another year is not a spelling of 2021
    named = _workbook(tmp_path / "d.xlsx", {"Cohort data": rows, "notes": rows})
    with pytest.raises(SchemaError, match=r"No sheet 'Cohort dta'.*Did you mean 'Cohort data'\?"):
        load_cohort(named, sheet="Cohort dta")
    with pytest.raises(SchemaError, match=r"sheet=5 but the workbook has 2 sheet"):
        load_cohort(path, sheet=5)


def test_excel_picks_the_only_sheet_with_the_required_columns(tmp_path):
    path = _workbook(
        tmp_path / "c.xlsx",
        {"notes": [["Read me"], ["made by hand"]], "cohort": [["ID", "Sex"], ["A", "F"]]},
    )
    cohort = load_cohort(path)
    assert list(cohort.data["gender"]) == ["woman"]
    assert "sheet_chosen" in set(cohort.notes["rule"])


def test_template_round_trip_and_drop_downs(tmp_path):
    import openpyxl

    path = write_template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["data", "codebook"]
    header = [c.value for c in wb["data"][1]]
    assert header == list(schema.CANONICAL_COLUMNS)
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in wb["data"].data_validations.dataValidation
        if dv.type == "list"
    }
    gender_col = header.index("gender") + 1
    from mentoranalytics.validation import column_letter

    assert lists[f"{column_letter(gender_col)}2"] == '"' + ",".join(schema.GENDERS) + '"'
    n_list = sum(1 for c in schema.COLUMNS if c.kind in ("category", "bool"))
    assert len(lists) == n_list
    assert wb["codebook"].max_row == len(schema.COLUMNS) + 1
    ws = wb["data"]
    ws.append(["P1", "2019", "woman", "employed", 2])
    ws.append(["P2", "2019", "man", "self_employed", 3])
    wb.save(path)
    cohort = load_cohort(path)
    assert list(cohort.data["employment"]) == ["employed", "self_employed"]
    with pytest.raises(SchemaError, match="header_only"):
        load_cohort(write_template(tmp_path / "empty.xlsx"))


def test_csv_template(tmp_path):
    path = write_template(tmp_path / "t.csv")
    assert path.read_text().strip().split(",") == list(schema.CANONICAL_COLUMNS)
    with pytest.raises(SchemaError, match=r"use a \.csv or \.xlsx file"):
        write_template(tmp_path / "t.ods")


# --------------------------------------------------------------------------------------
# Parquet, JSON, DataFrame
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx", ".parquet", ".json"])
def test_write_table_round_trip(tmp_path, suffix):
    frame = ma.simulate_cohort(25, rng=4)
    before = frame.copy()
    path = write_table(frame, tmp_path / f"sim{suffix}")
    pd.testing.assert_frame_equal(frame, before)
    from_file = load_cohort(path)
    direct = load_cohort(frame)
    pd.testing.assert_frame_equal(from_file.data, direct.data)
    assert from_file.source["sha256"].iloc[0] == _sha(path)


def test_write_table_neutralises_formulas_and_rejects_unknown_suffix(tmp_path):
    frame = pd.DataFrame({"note": ["=1+1", "ok", "@x"], "n": [-1, 2, 3]})
    path = write_table(frame, tmp_path / "x.csv")
    assert path.read_text().splitlines() == ["note,n", "'=1+1,-1", "ok,2", "'@x,3"]
    with pytest.raises(SchemaError, match=r"must end in \.csv, \.tsv, \.xlsx, \.parquet or \.json"):
        write_table(frame, tmp_path / "x.docx")


def test_json_records_and_row_numbers(tmp_path):
    records = [{"id": "P1", "gender": "F"}, {"id": "P2", "gender": "femal", "mentor_level": 3}]
    path = _write(tmp_path / "c.json", json.dumps(records))
    with pytest.raises(SchemaError) as exc:
        load_cohort(path)
    assert _problems(exc) == [(2, "unknown_category")]
    bad = _write(tmp_path / "bad.json", "{not json")
    with pytest.raises(SchemaError, match="not valid JSON"):
        load_cohort(bad)
    dup = _write(tmp_path / "dup.json", '[{"id": "P1", "gender": "F", "gender": "M"}]')
    with pytest.raises(SchemaError, match=r"The key 'gender' appears twice"):
        load_cohort(dup)


def test_dataframe_input_is_never_changed_and_rows_are_index_labels():
    frame = pd.DataFrame(
        {"ID": ["P1", "P2", "P3"], "Sex": ["F ", "femal", "M"], "Level": ["3", "4", "x"]},
        index=[10, 11, 12],
    )
    before = frame.copy()
    with pytest.raises(SchemaError) as exc:
        load_cohort(frame)
    assert _problems(exc) == [(11, "unknown_category"), (12, "not_a_number")]
    cohort = _exclude(frame)
    pd.testing.assert_frame_equal(frame, before)
    data = cohort.data
    data.loc[0, "gender"] = "man"
    pd.testing.assert_frame_equal(frame, before)
    assert cohort.data.loc[0, "gender"] == "woman"


def test_named_index_is_read_as_a_column():
    frame = pd.DataFrame(
        {"gender": ["F", "M"]}, index=pd.Index(["P1", "P2"], name="participant_id")
    )
    cohort = load_cohort(frame)
    assert list(cohort.data["participant_id"]) == ["P1", "P2"]
    assert "index_as_column" in set(cohort.notes["rule"])


def test_typed_extra_columns_keep_their_dtype():
    frame = pd.DataFrame({"id": ["P1", "P2"], "gender": ["F", "M"], "age_band": [3, 4]})
    assert str(load_cohort(frame).data["age_band"].dtype) == "int64"


# --------------------------------------------------------------------------------------
# several files, folders
# --------------------------------------------------------------------------------------


def test_folder_of_cohort_files(tmp_path):
    _write(tmp_path / "cohort_2019.csv", "id,gender\nA1,F\nA2,M\n")
    _write(tmp_path / "cohort_2020.csv", "id;gender;mentor_level\nB1;M;3\nB2;femal;4\n")
    _write(tmp_path / "README.md", "not data")
    _write(tmp_path / "~$cohort_2020.xlsx", "lock file")
    with pytest.raises(SchemaError) as exc:
        load_cohort(tmp_path)
    p = exc.value.problems
    assert list(p["file"]) == ["cohort_2020.csv"] and list(p["row"]) == [3]
    cohort = _exclude(tmp_path)
    assert list(cohort.data["cohort"]) == ["2019", "2019", "2020"]
    assert list(cohort.source["file"]) == ["cohort_2019.csv", "cohort_2020.csv"]
    assert list(cohort.source["rows_read"]) == [2, 2]
    assert list(cohort.origin["file"]) == ["cohort_2019.csv"] * 2 + ["cohort_2020.csv"]
    assert cohort.data["mentor_level"].isna().tolist() == [True, True, False]
    assert "column_absent_in_file" in set(cohort.notes["rule"])


def test_list_of_files_and_duplicates_across_files(tmp_path):
    a = _write(tmp_path / "a.csv", "id,gender,cohort\nP1,F,2019\n")
    b = _write(tmp_path / "b.csv", "id,gender,cohort\nP1,F,2020\n")
    with pytest.raises(
        SchemaError, match=r"also appears in row 2 \(b\.csv\) with different values \(cohort\)"
    ):
        load_cohort([a, b])
    c = _write(tmp_path / "c.csv", "id,gender,cohort\nP2,M,2020\n")
    cohort = load_cohort([a, str(c)])
    assert list(cohort.data["cohort"]) == ["2019", "2020"]
    assert list(cohort.data["participant_id"]) == ["P1", "P2"]


def test_cohort_label_from_file_name():
    assert cohort_label_from_name("cohort_2019.csv") == "2019"
    assert cohort_label_from_name("Cohort-B.xlsx") == "B"
    assert cohort_label_from_name("spring intake.csv") == "spring intake"
    assert cohort_label_from_name("2019_2020.csv") == "2019_2020"


def test_source_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_cohort(tmp_path / "missing.csv")
    with pytest.raises(SchemaError, match=r"old Excel 97-2003 workbook"):
        load_cohort(_write(tmp_path / "c.xls", "x"))
    with pytest.raises(SchemaError, match=r"file type '.docx' is not read"):
        load_cohort(_write(tmp_path / "c.docx", "x"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SchemaError, match="holds no cohort files"):
        load_cohort(tmp_path / "empty")
    with pytest.raises(SchemaError, match="source must be a file path"):
        load_cohort(42)


# --------------------------------------------------------------------------------------
# personal-data guard hook
# --------------------------------------------------------------------------------------


def test_personal_data_error_names_rows_and_columns_not_values(tmp_path, monkeypatch):
    import mentoranalytics.privacy as privacy

    seen = {}

    def fake_scan(raw, *, file=None, row_numbers=None, allow_columns=()):
        seen["columns"] = list(raw.columns)
        seen["rows"] = list(row_numbers)
        seen["allow"] = list(allow_columns)
        return [
            {"file": file, "row": 3, "column": "Contact", "rule": "value_email",
             "message": "row 3 holds an e-mail address"},
        ]  # fmt: skip

    monkeypatch.setattr(privacy, "scan_personal_data", fake_scan)
    path = _write(tmp_path / "c.csv", "id,Sex,Contact,Name\nP1,F,x,A\nP2,M,ann@example.org,B\n")
    for errors in ("raise", "exclude"):
        with pytest.raises(
            PersonalDataError, match=r"row 3, column Contact \[value_email\]"
        ) as exc:
            load_cohort(path, errors=errors, drop_columns=["Name"], allow_columns=["Sex"])
        text = str(exc.value)
        assert "ann@example.org" not in text
        assert "drop_columns=['Contact']" in text and "allow_columns=['Contact']" in text
        assert list(exc.value.problems["column"]) == ["Contact"]
    # the guard sees the original headers, after drop_columns, before any mapping
    assert seen == {"columns": ["id", "Sex", "Contact"], "rows": [2, 3], "allow": ["Sex"]}


def test_real_guard_is_called_before_mapping(tmp_path):
    path = _write(tmp_path / "c.csv", "id,gender,Email\nP1,F,ann@example.org\n")
    with pytest.raises(PersonalDataError):
        load_cohort(path)
    assert len(load_cohort(path, drop_columns=["Email"])) == 1


# --------------------------------------------------------------------------------------
# row accounting on text files (property)
# --------------------------------------------------------------------------------------

_POOL = ["P1", "P2", "F", "M", "femal", "3", "9", "x", "", "yes", "no"]


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_row_accounting_text_files(tmp_path_factory, data):
    delim = data.draw(st.sampled_from([",", ";"]))
    header = ["id", "gender", "mentor_level", "promoted"]
    n = data.draw(st.integers(1, 10))
    lines = []
    for _ in range(n):
        kind = data.draw(st.sampled_from(["ok", "ok", "ok", "blank", "short", "long"]))
        width = {"ok": 4, "blank": 4, "short": 3, "long": 5}[kind]
        cells = ["" if kind == "blank" else data.draw(st.sampled_from(_POOL)) for _ in range(width)]
        lines.append(delim.join(cells))
    lines.append(delim.join(["P9", "F", "3", "no"]))  # never ends on a blank row
    text = delim.join(header) + "\n" + "\n".join(lines) + "\n"
    path = tmp_path_factory.mktemp("acc") / "c.csv"
    path.write_text(text)
    cohort = _exclude(path)
    n_rows = n + 1
    assert int(cohort.source["rows_read"].iloc[0]) == n_rows
    assert len(cohort) + len(cohort.excluded) == n_rows
    kept = set(cohort.origin["row"])
    dropped = set(cohort.excluded["row"])
    assert kept.isdisjoint(dropped)
    assert kept | dropped == set(range(2, n_rows + 2))
    assert set(cohort.problems["rule"]) <= {r for r, v in RULES.items() if v.level == "row"}


# --------------------------------------------------------------------------------------
# every rule through load_cohort: the error, its message and the problems table
# --------------------------------------------------------------------------------------

_BASE = "id;gender;mentor_level;mentor_relation;mentor_in_network;employment;mentor_secured;"
_BASE += "mentors_approached;refusals;followup_months;months_to_promotion;promoted\n"
_GOOD = "P0;F;4;introduced;no;employed;yes;2;1;24;;no\n"

_ROW_CASES = {
    # rule: (data row, column, text in the message)
    "blank_row": (";;;;;;;;;;;\n", None, "The row is blank"),
    "ragged_row": ("P1;F;4\n", None, "The row has 3 fields but the header has 12"),
    "missing_value": (";F;4;introduced;no;employed;yes;2;1;24;;no\n", "participant_id",
                      "participant_id is empty"),
    "unknown_category": ("P1;F;4;freind;no;employed;yes;2;1;24;;no\n", "mentor_relation",
                         "'freind' is not a known mentor_relation value"),
    "invalid_boolean": ("P1;F;4;introduced;no;employed;yes;2;1;24;;perhaps\n", "promoted",
                        "'perhaps' is not a yes/no value"),
    "not_a_number": ("P1;F;4;introduced;no;employed;yes;2;1;2O;;no\n", "followup_months",
                     "'2O' is not a number"),
    "not_whole_number": ("P1;F;4,5;introduced;no;employed;yes;2;1;24;;no\n", "mentor_level",
                         "'4.5' is not a whole number"),
    "out_of_range": ("P1;F;4;introduced;no;employed;yes;-2;1;24;;no\n", "mentors_approached",
                     "'-2' is out of range"),
    "excel_date": ("P1;F;04.03.2024;introduced;no;employed;yes;2;1;24;;no\n", "mentor_level",
                   "looks like a date"),
    "refusals_exceed_approached": ("P1;F;4;introduced;no;employed;yes;2;3;24;;no\n",
                                   "refusals", "refusals (3) exceed mentors_approached (2)"),
    "promotion_after_followup": ("P1;F;4;introduced;no;employed;yes;2;1;24;30;yes\n",
                                 "months_to_promotion", "is later than followup_months"),
    "promotion_time_without_promotion": ("P1;F;4;introduced;no;employed;yes;2;1;24;6;no\n",
                                         "months_to_promotion", "promoted is no"),
    "network_contradicts_relation": ("P1;F;4;introduced;yes;employed;yes;2;1;24;;no\n",
                                     "mentor_in_network", "which is outside the network"),
    "self_employed_line_manager": ("P1;F;4;line_manager;yes;self-employed;yes;2;1;24;;no\n",
                                   "mentor_relation", "a self-employed participant has no"),
    "mentor_fields_without_mentor": ("P1;F;4;introduced;no;employed;no;2;1;24;;no\n",
                                     "mentor_secured", "mentor fields are filled"),
    "duplicate_identical": (_GOOD, "participant_id", "repeats row 2 exactly"),
    "duplicate_conflicting": ("P0;M;4;introduced;no;employed;yes;2;1;24;;no\n",
                              "participant_id", "also appears in row 2 with different values"),
}  # fmt: skip


@pytest.mark.parametrize("rule", sorted(_ROW_CASES))
def test_each_row_rule(tmp_path, rule):
    row, column, text = _ROW_CASES[rule]
    last = "P9;M;5;no_prior_tie;no;employed;yes;3;0;30;;no\n"
    path = _write(tmp_path / "c.csv", _BASE + _GOOD + row + last)
    where = f"row 3, column {column}" if column else "row 3"
    with pytest.raises(SchemaError, match=rf"{where} \[{rule}\]: .*{re.escape(text)}"):
        load_cohort(path)
    cohort = _exclude(path)
    problems = cohort.problems
    rows = [2, 3] if rule == "duplicate_conflicting" else [3]
    assert list(problems["rule"]) == [rule] * len(rows)
    assert list(problems["row"]) == rows
    assert list(problems["column"].fillna("-")) == [column or "-"] * len(rows)
    assert set(problems["file"]) == {"c.csv"}
    assert list(cohort.excluded["row"]) == rows
    kept = ["P9"] if rule == "duplicate_conflicting" else ["P0", "P9"]
    assert list(cohort.data["participant_id"]) == kept
    assert RULES[rule].level == "row"


_FILE_CASES = {
    "empty_file": ("", "The file is empty"),
    "header_only": ("id;gender\n", "a header row but no data rows"),
    "unreadable_file": ('id;gender\nP1;"F\n', "never closed"),
    "missing_column": ("id;Gendr\nP1;F\n", "The required column 'gender' was not found"),
    "blank_header": ("id;gender;\nP1;F;3\n", "has no header but holds values"),
    "duplicate_header": ("id;gender;gender\nP1;F;F\n", "appears in column 2 .B. and column 3"),
    "duplicate_column": ("id;gender;sex\nP1;F;F\n", "both map to gender"),
}


@pytest.mark.parametrize("rule", sorted(_FILE_CASES))
def test_each_file_rule_raises_in_both_modes(tmp_path, rule):
    text, message = _FILE_CASES[rule]
    path = _write(tmp_path / "c.csv", text)
    for errors in ("raise", "exclude"):
        with pytest.raises(SchemaError, match=rf"\[{rule}\]: .*{message}") as exc:
            load_cohort(path, errors=errors)
        assert rule in set(exc.value.problems["rule"])
        assert RULES[rule].level == "file"


def test_sheet_only_for_workbooks(tmp_path):
    with pytest.raises(SchemaError, match=r"sheet='data' applies to Excel workbooks only"):
        load_cohort(pd.DataFrame({"id": ["P1"], "gender": ["F"]}), sheet="data")


def test_trailing_blank_rows_of_a_dataframe_are_rows():
    frame = pd.DataFrame({"id": ["P1", None], "gender": ["F", None]})
    cohort = _exclude(frame)
    assert cohort.source["rows_read"].iloc[0] == 2
    assert list(cohort.excluded["reason"]) == ["blank row"]


def test_round_trip_of_cohort_data(tmp_path):
    first = load_cohort(ma.simulate_cohort(40, rng=5))
    again = load_cohort(first.data)
    pd.testing.assert_frame_equal(again.data, first.data)
    assert "derived_column_in_file" in set(again.notes["rule"])
    path = write_table(first, tmp_path / "saved.csv")
    from_csv = load_cohort(path)
    pd.testing.assert_frame_equal(from_csv.data, first.data)


def test_given_seniority_gap_is_used_without_levels():
    frame = pd.DataFrame({"id": ["P1", "P2"], "gender": ["F", "M"], "seniority_gap": ["3", "0"]})
    d = load_cohort(frame).data
    assert d["reach"].tolist() == [1.0, 0.0]


def test_final_dtype_check_passes_the_loader_output_and_catches_a_wrong_dtype():
    from mentoranalytics.io import _typed_check

    data = ma.load_sample().data
    _typed_check(data)  # the schema's dtypes: passes (without needing pandera)
    with pytest.raises(RuntimeError, match="internal error"):
        _typed_check(data.assign(mentor_level=data["mentor_level"].astype("float64")))
    with pytest.raises(RuntimeError, match="internal error"):
        _typed_check(data.assign(participant_id=pd.array([None] * len(data), dtype="string")))


# --------------------------------------------------------------------------------------
# issue 11: blank cells mapped, invalid cells left missing, suggestions, odd files
# --------------------------------------------------------------------------------------


def test_the_blank_advice_works_as_given_in_python_and_in_yaml(tmp_path):
    path = _write(tmp_path / "c.csv", "participant_id,gender\nP1,\nP2,M\nP3,N/A\n")
    with pytest.raises(SchemaError, match=r"map blank cells with values=\{'gender'") as exc:
        load_cohort(path)
    advice = re.search(r"with (values=\{.*?\}\})", str(exc.value)).group(1)
    assert advice == "values={'gender': {'<blank>': 'not_stated'}}"
    cohort = load_cohort(path, **eval("dict(" + advice + ")"))  # the advice, as written
    assert cohort.data["gender"].astype(str).tolist() == ["not_stated", "man", "not_stated"]

    from mentoranalytics.validation import advice_style

    with advice_style("cli"), pytest.raises(SchemaError) as exc:
        load_cohort(path)
    yaml_advice = re.search(r"with (values: \{.*?\}\}) in the --mapping file", str(exc.value))
    assert yaml_advice.group(1) == "values: {gender: {<blank>: not_stated}}"
    mapping = _write(tmp_path / "m.yaml", yaml_advice.group(1) + "\n")
    again = load_cohort(path, mapping=mapping)
    assert again.data["gender"].astype(str).tolist() == ["not_stated", "man", "not_stated"]


def test_blank_key_in_an_excel_workbook_and_a_block_mapping(tmp_path):
    path = _workbook(tmp_path / "c.xlsx", {"data": [["id", "Sex", "Promoted"], ["A", None, None]]})
    mapping = _write(
        tmp_path / "m.yaml",
        "values:\n  gender:\n    <blank>: not_stated\n  promoted:\n    <blank>: no\n",
    )
    cohort = load_cohort(path, mapping=mapping)
    assert cohort.data["gender"].astype(str).tolist() == ["not_stated"]
    assert cohort.data["promoted"].tolist() == [False]


def test_errors_missing_keeps_the_person_and_lists_the_cell(tmp_path):
    path = _write(
        tmp_path / "c.csv",
        "participant_id,gender,approach,mentor_level\n"
        "P1,F,Cold aproach,4\nP2,M,cold approach,9\nP3,x,cold approach,3\nP4,F,Cold aproach,5\n",
    )
    with pytest.warns(DataQualityWarning) as record:
        cohort = load_cohort(path, errors="missing")
    assert [str(w.message)[:40] for w in record] == [
        "1 of 4 rows were excluded (see cohort.ex",
        "3 invalid cell(s) were left empty and th",
    ]
    assert cohort.data["participant_id"].tolist() == ["P1", "P2", "P4"]
    assert cohort.data["approach"].isna().tolist() == [True, False, True]
    assert cohort.data["mentor_level"].isna().tolist() == [False, True, False]
    assert cohort.excluded["row"].tolist() == [4]  # gender is required: still left out
    cells = cohort.invalid_cells
    assert cells[["row", "column", "rule"]].values.tolist() == [
        [2, "approach", "unknown_category"],
        [3, "mentor_level", "out_of_range"],
        [5, "approach", "unknown_category"],
    ]
    assert set(cells.columns) == {"file", "row", "column", "rule", "message"}
    assert len(cohort.problems) == 4
    assert "invalid cells left missing: 3" in repr(cohort)
    assert len(cohort) + len(cohort.excluded) == cohort.source["rows_read"].sum()


def test_a_long_invalid_value_is_never_quoted_in_invalid_cells(tmp_path):
    long = "my mentor was someone I met at a conference in 2019"
    path = _write(tmp_path / "c.csv", f"participant_id,gender,approach\nP1,F,{long}\nP2,M,\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        cohort = load_cohort(path, errors="missing")
    text = " ".join(cohort.invalid_cells["message"]) + " ".join(cohort.problems["message"])
    assert "conference" not in text
    assert "a text of 51 characters" in text
    assert cohort.unmapped_values == {}


def test_suggested_mapping_holds_only_near_certain_corrections(tmp_path):
    path = _write(
        tmp_path / "c.csv",
        "ID,Gendr,Approach\nP1,F,Cold aproach\nP2,M,Didnt know them\nP3,femal,x\n",
    )
    with pytest.raises(SchemaError, match="Did you mean 'Gendr'") as exc:
        load_cohort(path)
    assert exc.value.suggested_mapping == {
        "columns": {"Gendr": "gender"},
        "values": {"approach": {"Cold aproach": "cold_approach"}},
    }
    assert exc.value.unmapped_values == {"approach": ["Didnt know them", "x"]}
    cohort = _exclude(path, mapping=exc.value.suggested_mapping)
    assert cohort.suggested_mapping == {"values": {"gender": {"femal": "woman"}}}
    assert cohort.unmapped_values == {"approach": ["Didnt know them", "x"]}
    suggested = cohort.suggested_mapping
    suggested["values"]["gender"]["femal"] = "man"  # a copy: the cohort is unchanged
    assert cohort.suggested_mapping == {"values": {"gender": {"femal": "woman"}}}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("c.csv", b"PK\x03\x04garbage", r"'c.csv' looks like a zip archive, not a CSV file"),
        (
            "c.csv",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "Workbook".encode("utf-16-le"),
            r"looks like an old Excel 97-2003 workbook \(.xls\), not a CSV file: open it in "
            r"Excel and save it as .xlsx or CSV",
        ),
        ("c.json", b"%PDF-1.4 \x00\x01", r"'c.json' looks like a PDF document, not a JSON file"),
        ("c.xlsx", b"id,gender\nP1,F\n", r"looks like a text \(CSV\) file, not an Excel workbook"),
        ("c.parquet", b"id,gender\n", r"looks like a text \(CSV\) file, not a Parquet file"),
        ("c.csv", "id,gender\nP1,F\n".encode("utf-16-le"), r"UTF-16 text without a byte-order"),
    ],
)
def test_files_are_read_by_what_they_hold(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SchemaError, match=rf"\[unreadable_file\]: .*{message}"):
        load_cohort(path)


@pytest.mark.parametrize("kind", ["frame", "xlsx", "json"])
def test_no_cohort_columns_is_said_plainly(tmp_path, kind):
    frame = pd.DataFrame({"colour": ["red"], "size": ["L"]})
    source: object = frame
    if kind == "xlsx":
        source = tmp_path / "c.xlsx"
        frame.to_excel(source, index=False)
    elif kind == "json":
        source = tmp_path / "c.json"
        frame.to_json(source, orient="records")
    with pytest.raises(
        SchemaError,
        match=r"\[no_cohort_columns\]: No cohort columns found here \(expected at least "
        r"participant_id and gender; found headers: \['colour', 'size'\]\)",
    ):
        load_cohort(source)
