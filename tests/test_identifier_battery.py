"""A planted battery for the personal-data guard, and its no-false-alarm counterpart.

Each planted identifier goes, on its own, into one cell of an ordinary cohort export
(or is its header) whose every other cell is harmless; it counts as caught when the
guard reports that column.  The battery holds every miss of issue 10 (obfuscated
e-mail addresses, phones without their leading 0 or written with dots, NHS numbers
grouped 3-4-3, postcodes with a double space or a hyphen, initials plus surname,
"Smith, J.", lower-case names, diminutives, names in schema columns, dates of birth)
next to the identifiers the guard has always caught.  Target: at least 95% caught,
and every kind of the issue caught at least once.

The no-false-alarm tests load ordinary cohort data (job titles, organisation names,
cohort labels, participant codes, the packaged samples, simulated cohorts): zero
findings.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.exceptions import PersonalDataError, SchemaError
from mentoranalytics.privacy import scan_personal_data
from mentoranalytics.schema import COLUMNS, VALUE_ALIASES

REPO = Path(__file__).resolve().parents[1]
ROWS = 12
PLANT_ROW = 7  # position in the frame; the guard reports line 9 (header on line 1)


def ordinary(n: int = ROWS) -> pd.DataFrame:
    """A realistic export, strings as read from a spreadsheet; no identifier anywhere."""
    k = n // 6
    return pd.DataFrame(
        {
            "Participant ID": [f"P{i:03d}" for i in range(1, n + 1)],
            "Cohort": ["2019", "2019/20", "Cohort A", "Spring 2021", "2021", "2022"] * k,
            "Gender": ["Female", "M", "woman", "Man", "Prefer not to say", "NB"] * k,
            "Employment": ["Employed", "Self-employed", "employed", "Other", "", "Employed"] * k,
            "Level": ["3", "2", "4", "1", "5", "6"] * k,
            "Mentor level": ["5", "4", "", "3", "6", "6"] * k,
            "Mentor relationship": [
                "Line manager",
                "No prior tie",
                "Introduced",
                "Existing contact",
                "same organisation",
                "",
            ]
            * k,
            "Approach": ["Cold approach", "Assigned", "Warm intro", "In person", "", "Cold"] * k,
            "Days to secure": ["14", "3", "", "27", "0", "120"] * k,
            "Promoted": ["yes", "no", "Y", "N", "TRUE", "false"] * k,
            "Job title": [
                "Head of Finance",
                "Chief Operating Officer",
                "Senior Nurse",
                "Director of Operations",
                "Team Leader",
                "Consultant",
            ]
            * k,
            "Mentor organisation": [
                "Leeds City Council",
                "NHS England",
                "Smith & Nephew plc",
                "University of Bristol",
                "Deloitte",
                "Oxfam",
            ]
            * k,
            "Age": ["34", "41", "", "52", "29", "38"] * k,
            "Contact": ["via programme office", "", "by e-mail", "phone", "", "post"] * k,
            "Ref": ["A12", "B7", "", "C3", "A9", "B11"] * k,
            "Notes": ["", "Moved role", "Promoted twice", "On leave", "Left programme", ""] * k,
        }
    )


# --------------------------------------------------------------------------------------
# the battery: (kind, column, value); kinds marked in ISSUE_KINDS were misses in issue 10
# --------------------------------------------------------------------------------------


def _nhs(first_nine: str) -> str:
    """A valid NHS number (NHS Data Dictionary modulus 11: weights 10..2, 11 -> 0)."""
    check = 11 - sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    assert check != 10, first_nine
    return first_nine + str(check)


NHS_A = "9434765919"  # NHS Digital's published example number
NHS_B = _nhs("401023213")
NHS_C = _nhs("123456782")
NHS_D = _nhs("485777345")


def _grouped(number: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    out, start = [], 0
    for size in sizes:
        out.append(number[start : start + size])
        start += size
    return sep.join(out)


BATTERY: list[tuple[str, str, str]] = [
    # ---- e-mail addresses, plain ----
    ("email", "Notes", "jane.doe@example.com"),
    ("email", "Contact", "J.Smith+mentor@nhs.net"),
    ("email", "Notes", "write to sam_o'neil@uni.ac.uk please"),
    ("email", "Participant ID", "p.khan@example.org"),
    ("email", "Cohort", "cohort-lead@example.co.uk"),
    ("email", "Gender", "x@y.org"),
    ("email", "Mentor organisation", "MENTOR@EXAMPLE.COM"),
    ("email", "Job title", "head.finance@leeds.gov.uk"),
    # ---- e-mail addresses, obfuscated ----
    ("email_words", "Notes", "jane dot doe at example dot com"),
    ("email_words", "Contact", "jane at example dot com"),
    ("email_words", "Notes", "J.Smith AT nhs DOT net"),
    ("email_words", "Contact", "sam dot jones at leeds dot ac dot uk"),
    ("email_words", "Notes", "jane.doe at example.com"),
    ("email_words", "Contact", "priya at example.org"),
    ("email_bracket_at", "Contact", "jane[at]example.com"),
    ("email_bracket_at", "Notes", "jane [at] example [dot] com"),
    ("email_bracket_at", "Contact", "j.doe{at}example.co.uk"),
    ("email_bracket_at", "Notes", "jane<at>example.org"),
    ("email_paren_at", "Contact", "jane (at) example (dot) com"),
    ("email_paren_at", "Notes", "sam.jones(at)leeds.ac.uk"),
    ("email_paren_at", "Cohort", "jane (AT) example (DOT) org"),
    ("email_space_at", "Contact", "jane @ example.com"),
    ("email_space_at", "Notes", "jane@ example.org"),
    ("email_space_at", "Contact", "jane.doe @example.co.uk"),
    ("email_fullwidth", "Contact", "jane\uff20example.com"),
    (
        "email_fullwidth",
        "Notes",
        "\uff4a\uff41\uff4e\uff45\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d",
    ),
    ("email_fullwidth", "Participant ID", "jane\ufe6bexample.org"),
    # ---- web addresses and handles ----
    ("url", "Notes", "https://www.example.org/people/jane"),
    ("url", "Contact", "linkedin.com/in/jane-example-123"),
    ("url", "Notes", "www.janeexample.com"),
    ("url", "Contact", "@jane_example"),
    ("url", "Ref", "twitter.com/janeexample"),
    ("url", "Notes", "see http://example.org/~jdoe"),
    # ---- telephone numbers, as the guard has always caught them ----
    ("phone", "Contact", "020 7946 0958"),
    ("phone", "Contact", "07700 900123"),
    ("phone", "Notes", "(0117) 496 0123"),
    ("phone", "Ref", "01632960983"),
    ("phone", "Contact", "+44 (0)20 7946 0958"),
    ("phone", "Notes", "+1 (555) 123-4567"),
    ("phone", "Contact", "0044 20 7946 0958"),
    ("phone", "Notes", "call me on +33 1 23 45 67 89"),
    ("phone", "Participant ID", "07700900461"),
    ("phone", "Cohort", "0161 496 0000"),
    # ---- telephone numbers without the leading 0 ----
    ("phone_no_zero", "Contact", "7700 900123"),
    ("phone_no_zero", "Contact", "20 7946 0958"),
    ("phone_no_zero", "Notes", "117 496 0123"),
    ("phone_no_zero", "Ref", "1632 960983"),
    ("phone_no_zero", "Contact", "7700 900 123"),
    ("phone_no_zero", "Notes", "mobile 7700 900456"),
    ("phone_no_zero", "Contact", "44 7700 900123"),
    ("phone_no_zero", "Contact", "7700900123"),
    ("phone_no_zero", "Days to secure", "7700 900789"),
    ("phone_no_zero", "Cohort", "161 496 0000"),
    # ---- telephone numbers with dots ----
    ("phone_dots", "Contact", "020.7946.0958"),
    ("phone_dots", "Notes", "07700.900.123"),
    ("phone_dots", "Contact", "0117.496.0123"),
    ("phone_dots", "Ref", "+44.20.7946.0958"),
    ("phone_dots", "Contact", "7700.900.123"),
    # ---- NHS numbers ----
    ("nhs", "Ref", _grouped(NHS_A, (3, 3, 4))),
    ("nhs", "Ref", NHS_B),
    ("nhs", "Notes", _grouped(NHS_C, (3, 3, 4), "-")),
    ("nhs", "Participant ID", _grouped(NHS_D, (3, 3, 4))),
    ("nhs_343", "Ref", _grouped(NHS_A, (3, 4, 3))),
    ("nhs_343", "Notes", _grouped(NHS_B, (3, 4, 3))),
    ("nhs_343", "Contact", _grouped(NHS_C, (3, 4, 3), "-")),
    ("nhs_343", "Ref", _grouped(NHS_D, (3, 4, 3), ".")),
    ("nhs", "Ref", _grouped(NHS_D, (4, 3, 3))),
    ("nhs", "Notes", _grouped(NHS_B, (3, 3, 4), ".")),
    # ---- postcodes ----
    ("postcode", "Notes", "SW1A 1AA"),
    ("postcode", "Notes", "lives at m1 1ae"),
    ("postcode", "Contact", "EH99 1SP"),
    ("postcode", "Ref", "B33 8TH"),
    ("postcode", "Cohort", "LS1 4AP"),
    ("postcode", "Contact", "CR26XH"),
    ("postcode_double_space", "Contact", "SW1A  1AA"),
    ("postcode_double_space", "Notes", "near LS1  4AP"),
    ("postcode_hyphen", "Contact", "SW1A-1AA"),
    ("postcode_hyphen", "Ref", "M1-1AE"),
    ("postcode_hyphen", "Notes", "DN55 - 1PT"),
    # ---- National Insurance numbers ----
    ("ni", "Ref", "AB 12 34 56 C"),
    ("ni", "Notes", "ab123456c"),
    ("ni", "Contact", "CE 12 34 56 B"),
    ("ni", "Participant ID", "JG103759A"),
    ("ni", "Ref", "AB-12-34-56-C"),
    # ---- personal names: full names ----
    ("name", "Notes", "Jane Smith"),
    ("name", "Contact", "Sarah Ahmed"),
    ("name", "Notes", "James O'Neill"),
    ("name", "Ref", "Priya Patel"),
    ("name", "Notes", "Mentor was Sarah Jones"),
    ("name", "Notes", "Met Imran Khan twice"),
    ("name", "Contact", "ask Helen Wright"),
    ("name", "Notes", "Mary-Jane Watson"),
    ("name", "Participant ID", "Sarah Jones"),
    ("name", "Mentor organisation", "Michael Brown"),
    ("name", "Job title", "Emma Wilson"),
    ("name", "Notes", "Jane van der Berg"),
    # ---- titles ----
    ("name_title", "Notes", "Dr Smith"),
    ("name_title", "Contact", "Mrs Patel"),
    ("name_title", "Notes", "Prof. Jane Doe"),
    ("name_title", "Ref", "Mr J Brown"),
    ("name_title", "Notes", "Met with Dr Okafor twice"),
    # ---- initials plus surname ----
    ("name_initials", "Notes", "J. Smith"),
    ("name_initials", "Contact", "J Smith"),
    ("name_initials", "Notes", "J. R. Jones"),
    ("name_initials", "Ref", "S. Patel"),
    ("name_initials", "Notes", "M Taylor"),
    ("name_initials", "Contact", "j. smith"),
    # ---- surname, initial / surname, first name ----
    ("name_comma_initial", "Notes", "Smith, J."),
    ("name_comma_initial", "Contact", "Jones, S"),
    ("name_comma_initial", "Ref", "Patel, R. K."),
    ("name_comma_first", "Notes", "Smith, Jane"),
    ("name_comma_first", "Contact", "Khan, Imran"),
    ("name_comma_first", "Ref", "Okafor, Ngozi"),
    # ---- lower-case names ----
    ("name_lower", "Notes", "jane smith"),
    ("name_lower", "Contact", "john brown"),
    ("name_lower", "Ref", "priya patel"),
    ("name_lower", "Notes", "sarah o'neill"),
    ("name_lower", "Contact", "JANE SMITH"),
    # ---- diminutives ----
    ("name_diminutive", "Notes", "Liz"),
    ("name_diminutive", "Contact", "Bob"),
    ("name_diminutive", "Notes", "Jim Brown"),
    ("name_diminutive", "Ref", "Liz Taylor"),
    ("name_diminutive", "Contact", "Bob Jones"),
    ("name_diminutive", "Notes", "Becky Smith"),
    ("name_diminutive", "Contact", "Dave Wilson"),
    ("name_diminutive", "Notes", "Mike Evans"),
    ("name_diminutive", "Ref", "Jim"),
    ("name_diminutive", "Notes", "Katie Hughes"),
    # ---- names in schema columns ----
    ("name_in_schema", "Cohort", "Jane Smith"),
    ("name_in_schema", "Cohort", "Liz"),
    ("name_in_schema", "Cohort", "Smith, J."),
    ("name_in_schema", "Gender", "Sarah Jones"),
    ("name_in_schema", "Employment", "Employed by Jim Brown"),
    ("name_in_schema", "Employment", "jane smith"),
    ("name_in_schema", "Mentor relationship", "Jane Smith"),
    ("name_in_schema", "Mentor relationship", "Line manager (Jim Brown)"),
    ("name_in_schema", "Approach", "J. Smith"),
    ("name_in_schema", "Approach", "asked Dr Patel"),
    ("name_in_schema", "Mentor level", "Bob"),
    ("name_in_schema", "Promoted", "Sarah Jones"),
    # ---- dates of birth ----
    ("date_of_birth", "Age", "12/03/1985"),
    ("date_of_birth", "Age", "1985-03-12"),
    ("date_of_birth", "Notes", "DOB 12/03/1985"),
    ("date_of_birth", "Notes", "born 3 March 1985"),
    ("date_of_birth", "Notes", "Born on 12.03.1985"),
    ("date_of_birth", "Contact", "d.o.b.: 1985-03-12"),
    ("date_of_birth", "Cohort", "12/03/1985"),
    ("date_of_birth", "Cohort", "14 July 1979"),
    ("date_of_birth", "Mentor level", "1985-03-12"),
    ("date_of_birth", "Participant ID", "03/04/1972"),
    ("date_of_birth", "Days to secure", "12.03.1985"),
    ("date_of_birth", "Gender", "March 5, 1980"),
    ("date_of_birth", "Notes", "date of birth 05/11/1990"),
]

#: A second set, written after the rules had been fitted to BATTERY and never tuned
#: for: its catch rate is the honest estimate for identifiers the project has not seen.
#: Its misses when first run (kept as they are): a first name alone inside a text
#: ("Kate (line manager)"), full names whose first name is not in the built-in list
#: ("Olumide Bakare", "Wojciech Nowak"), and "b." for born.
SECOND_BATTERY: list[tuple[str, str, str]] = [
    ("email", "Notes", "a.n.other@company.co.uk"),
    ("email_words", "Contact", "first_last at gmail dot com"),
    ("email_bracket_at", "Notes", "m.okonkwo [at] ncl.ac.uk"),
    ("email_paren_at", "Contact", "tom(at)example(dot)org"),
    ("email_space_at", "Notes", "sarah.b @ outlook.com"),
    (
        "email_fullwidth",
        "Contact",
        "\uff2a\uff2f\uff20\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25\uff0e\uff2f\uff32\uff27",
    ),
    ("email_words", "Notes", "contact: r.khan at leeds dot gov dot uk"),
    ("email_bracket_at", "Ref", "rk{at}uni{dot}edu"),
    ("email_words", "Contact", "someone AT somewhere DOT co DOT uk"),
    ("email_space_at", "Cohort", "amanda @ nhs.net"),
    ("phone_no_zero", "Contact", "7911 123456"),
    ("phone_no_zero", "Notes", "7911123456"),
    ("phone_no_zero", "Ref", "121 496 0123"),
    ("phone_no_zero", "Contact", "113 496 0000"),
    ("phone", "Contact", "+44 7911 123456"),
    ("phone", "Notes", "07911-123-456"),
    ("phone", "Contact", "020-7946-0000"),
    ("phone", "Ref", "(020) 7946 0000"),
    ("phone", "Contact", "07911 123 456"),
    ("phone", "Notes", "447911123456"),
    ("phone_dots", "Contact", "0113.496.0000"),
    ("phone_no_zero", "Notes", "tel 7911 123456"),
    ("phone_dots", "Contact", "mob: 7911.123.456"),
    ("phone", "Mentor level", "07911 123456"),
    ("nhs_343", "Ref", _grouped(_nhs("450557710"), (3, 4, 3))),
    ("nhs", "Notes", _grouped(_nhs("632174805"), (4, 3, 3))),
    ("nhs", "Contact", _nhs("987654321")),
    ("postcode_double_space", "Notes", "NW1  6XE"),
    ("postcode_hyphen", "Contact", "NW1-6XE"),
    ("postcode", "Ref", "nw1 6xe"),
    ("postcode", "Notes", "E1 6AN"),
    ("postcode_double_space", "Contact", "BS8  1TH"),
    ("postcode", "Ref", "CF10 3AT"),
    ("postcode", "Notes", "G2 1DY"),
    ("postcode_hyphen", "Contact", "bt7-1nn"),
    ("ni", "Ref", "JG 10 37 59 A"),
    ("ni", "Notes", "jg-10-37-59-a"),
    ("ni", "Contact", "SP123456D"),
    ("name", "Notes", "Amanda Clarke"),
    ("name", "Contact", "Rhys Evans"),
    ("name", "Ref", "Fatima Hussain"),
    ("name", "Notes", "Ciaran Murphy"),
    ("name_title", "Notes", "Dr Okonkwo"),
    ("name_title", "Contact", "Ms Ahmed"),
    ("name_title", "Notes", "Professor Wright"),
    ("name_title", "Ref", "Mrs J Patel"),
    ("name_initials", "Notes", "A. Khan"),
    ("name_initials", "Contact", "R Singh"),
    ("name_initials", "Notes", "K. L. Brown"),
    ("name_comma_initial", "Ref", "Evans, R."),
    ("name_comma_first", "Notes", "Murphy, Ciaran"),
    ("name_comma_initial", "Contact", "O'Brien, S."),
    ("name_lower", "Notes", "rhys evans"),
    ("name_lower", "Contact", "fatima hussain"),
    ("name_diminutive", "Notes", "Kev Turner"),
    ("name_diminutive", "Contact", "Suzy Green"),
    ("name_diminutive", "Ref", "Chris"),
    ("name_diminutive", "Notes", "Becky"),
    ("name_diminutive", "Contact", "Tommy Walsh"),
    ("name_diminutive", "Notes", "Pete"),
    ("name_in_schema", "Cohort", "Amanda Clarke"),
    ("name_in_schema", "Gender", "Fatima"),
    ("name_in_schema", "Employment", "Chris Patel"),
    ("name_in_schema", "Approach", "via Dr Wright"),
    ("name_in_schema", "Mentor relationship", "Kate (line manager)"),
    ("name", "Notes", "spoke to Rhys Evans"),
    ("name", "Notes", "mentor: Ciaran Murphy"),
    ("name", "Notes", "Olumide Bakare"),
    ("name", "Contact", "Siobhan O'Connor"),
    ("name", "Notes", "Wojciech Nowak"),
    ("date_of_birth", "Notes", "DOB: 01-02-1979"),
    ("date_of_birth", "Notes", "Born 1st Jan 1980"),
    ("date_of_birth", "Notes", "b. 12/05/1976"),
    ("date_of_birth", "Contact", "birthday 3rd June 1988"),
    ("date_of_birth", "Cohort", "11/11/1981"),
    ("date_of_birth", "Mentor level", "1979-02-01"),
    ("date_of_birth", "Notes", "Date of Birth: 2 Feb 1970"),
    ("date_of_birth", "Age", "02.02.1980"),
]
SECOND_HEADERS: list[tuple[str, str]] = [
    ("header_email", "r.khan@example.com"),
    ("header_name", "Amanda Clarke"),
    ("header_phone", "7911 123456"),
    ("header_name", "rhys evans"),
]

#: Headers that are themselves identifiers (planted as the header of an extra column).
HEADER_BATTERY: list[tuple[str, str]] = [
    ("header_email", "jane.doe@example.org"),
    ("header_email", "jane dot doe at example dot com"),
    ("header_phone", "07700 900123"),
    ("header_phone", "7700 900123"),
    ("header_name", "Jane Smith"),
    ("header_name", "Smith, J."),
    ("header_postcode", "SW1A 1AA"),
    ("header_nhs", _grouped(NHS_A, (3, 4, 3))),
]

#: The kinds issue 10 listed as misses: each must be caught at least once.
ISSUE_KINDS = {
    "email_words",
    "email_bracket_at",
    "email_paren_at",
    "email_space_at",
    "email_fullwidth",
    "phone_no_zero",
    "phone_dots",
    "nhs_343",
    "postcode_double_space",
    "postcode_hyphen",
    "name_initials",
    "name_comma_initial",
    "name_comma_first",
    "name_lower",
    "name_diminutive",
    "name_in_schema",
    "date_of_birth",
}


def _caught(kind: str, column: str, value: str) -> bool:
    raw = ordinary()
    raw.loc[PLANT_ROW, column] = value
    found = scan_personal_data(raw, file="battery.csv")
    hits = [f for f in found if f["column"] == column]
    for f in found:
        # whatever the guard says, it never says the value
        assert value not in f["message"], (kind, value, f["message"])
    return bool(hits) and all(f["row"] == PLANT_ROW + 2 for f in hits)


def _header_caught(value: str) -> bool:
    raw = ordinary()
    raw[value] = ["x"] * ROWS
    position = list(raw.columns).index(value) + 1
    found = scan_personal_data(raw, file="battery.csv")
    for f in found:
        assert value not in f["message"] and value != f["column"], (value, f)
    return [(f["column"], f["rule"]) for f in found] == [
        (f"column {position}", "header_personal_data")
    ]


def test_battery_is_large_and_covers_every_issue_kind():
    kinds = Counter(kind for kind, _, _ in BATTERY)
    assert len(BATTERY) + len(HEADER_BATTERY) >= 150
    assert ISSUE_KINDS <= set(kinds)
    assert ISSUE_KINDS <= {kind for kind, _, _ in SECOND_BATTERY}
    # and plants in the schema columns, not only in free-text ones
    schema_cols = {"Participant ID", "Cohort", "Gender", "Employment", "Mentor relationship"}
    assert schema_cols <= {column for _, column, _ in BATTERY}


def test_ordinary_base_table_is_clean():
    assert scan_personal_data(ordinary()) == []


def _run(cells: list[tuple[str, str, str]], headers: list[tuple[str, str]]) -> list:
    results = [(kind, value, _caught(kind, column, value)) for kind, column, value in cells]
    return results + [(kind, value, _header_caught(value)) for kind, value in headers]


def _rate(label: str, results: list) -> float:
    caught = sum(ok for _, _, ok in results)
    rate = caught / len(results)
    missed = [(kind, value) for kind, value, ok in results if not ok]
    print(f"\n{label}: {caught} of {len(results)} caught ({rate:.1%}); missed: {missed}")
    return rate


def test_battery_catch_rate():
    first = _run(BATTERY, HEADER_BATTERY)
    second = _run(SECOND_BATTERY, SECOND_HEADERS)
    rate_first = _rate("identifier battery", first)
    rate_second = _rate("second battery (not tuned for)", second)
    rate = _rate("both", first + second)
    per_kind: dict[str, list[bool]] = {}
    for kind, _, ok in first + second:
        per_kind.setdefault(kind, []).append(ok)
    uncaught_kinds = sorted(k for k in ISSUE_KINDS if not any(per_kind[k]))
    assert not uncaught_kinds, f"issue kinds never caught: {uncaught_kinds}"
    assert rate >= 0.95, f"caught {rate:.1%} < 95%"
    assert rate_first >= 0.95, f"first battery: caught {rate_first:.1%} < 95%"
    assert rate_second >= 0.90, f"second battery: caught {rate_second:.1%} < 90%"


# --------------------------------------------------------------------------------------
# no false alarm on ordinary cohort data
# --------------------------------------------------------------------------------------

JOB_TITLES = [
    "Head of Finance",
    "Chief Operating Officer",
    "Chief Executive",
    "Director of Nursing",
    "Deputy Director of Operations",
    "Senior Lecturer",
    "Associate Professor",
    "Professor of Education",
    "Consultant Psychiatrist",
    "Ward Sister",
    "Matron",
    "Partner",
    "Managing Director",
    "Head Teacher",
    "Assistant Chief Constable",
    "Programme Manager",
    "Team Leader",
    "Senior Nurse",
    "Founder",
    "Chief Nursing Officer",
    "Head of HR",
    "Finance Business Partner",
    "Principal Engineer",
    "head of finance",
    "Vice Chancellor",
    "Lord Mayor",
    "Non-Executive Director",
    "Chair of the Board",
]
ORGANISATIONS = [
    "Leeds City Council",
    "NHS England",
    "Smith & Nephew plc",
    "Marks & Spencer",
    "Barclays",
    "Deloitte",
    "Oxfam",
    "University of Bristol",
    "University of Leeds",
    "Department for Education",
    "Rolls-Royce",
    "Nationwide Building Society",
    "Sainsbury's",
    "John Lewis Partnership",
    "Alan Turing Institute",
    "Queen Elizabeth Hospital",
    "Royal Victoria Infirmary",
    "Francis Crick Institute",
    "St George's University Hospitals NHS Foundation Trust",
    "Leeds Teaching Hospitals NHS Trust",
    "West Yorkshire Police",
    "HMRC",
    "Ernst & Young LLP",
    "BBC",
    "Civil Service",
    "Self-employed",
    "Ministry of Defence",
    "Greater Manchester Combined Authority",
    "King's College London",
    "Helen Hamlyn Centre",
    "Elizabeth Line",
    "John Radcliffe Hospital",
    "Robert Gordon University",
    "Liverpool John Moores University",
    "Lucy Cavendish College",
    "Joseph Rowntree Foundation",
    "Paul Hamlyn Foundation",
    "Jane Street Capital",
    "David Lloyd Leisure",
    "Princess Alexandra Hospital",
    "Great Ormond Street Hospital",
    "Angus Council",
    "Sue Ryder",
    "Marie Curie",
    "Guy's and St Thomas' NHS Foundation Trust",
]
COHORT_LABELS = [
    "2019",
    "2019/20",
    "2019-20",
    "2020/2021",
    "Cohort A",
    "Cohort B",
    "Spring 2021",
    "Autumn 2019",
    "Intake 3",
    "Group 2",
    "all",
    "Pilot",
    "Wave 1",
    "2019 intake",
    "Sept 2020",
    "2019-09-01",
    "01/09/2019",
    "Jan 2022",
    "Summer School 2018",
    "Leeds 2019",
    "C7",
    "Y2",
]
CODES = [
    "P001",
    "P0001",
    "MA-2019-017",
    "MA-2020-003",
    "2019-017",
    "ID 17",
    "A12",
    "X-99",
    "MP-00042",
    "p17",
    "007",
    "1234567",
    "ABC123",
    "JS-01",
    "2019/017",
]
OTHER_VALUES = [
    "North West",
    "London",
    "Scotland",
    "Yorkshire and the Humber",
    "Angus",
    "Health",
    "Education",
    "Local government",
    "Charity",
    "A Level",
    "A Levels",
    "T Level",
    "Plan B",
    "Band 7",
    "Level 3",
    "C Suite",
    "Red",
    "Amber",
    "Green",
    "Jun",
    "May",
    "June 2020",
    "Q3 2019",
    "TED Talk",
    "see notes @ end",
    "meeting at 10.30",
    "worked at example.com",
    "We met at Leeds. Co-chair since",
    "Promoted to Head of Finance at Leeds City Council in 2020",
    "Moved to Queen Elizabeth Hospital",
    "Left programme; joined Alan Turing Institute",
    "Age 41",
    "30-39",
    "60+",
    "100%",
    "12345678",
    "0.0001",
    "v2.1.0",
    "=SUM(A1:A3)",
    "14 Sep 2020",
    "2019-09-01 10:30:00",
    "Score 12",
    "1 000 000",
    "10 20 30",
    "2019 2020 2021",
    "3-4",
    "Miss",
    "miss the deadline",
    "Charlotte Street",
    "George Street",
    "Alexandra Park",
    "Clare",
    "MS Teams",
    "SAM team",
    "Frank discussion",
    "Mark as complete",
    "Will do",
    "Grace period",
    "Rose garden",
    "Met monthly",
    "Via Teams",
    "LinkedIn message",
    "Cold e-mail",
]


def _scan_in_columns(values: list[str], columns: list[str]) -> list[dict]:
    found = []
    for column in columns:
        raw = ordinary(6 * ((len(values) + 5) // 6))
        raw[column] = (values * len(raw))[: len(raw)]
        found += scan_personal_data(raw)
    return found


@pytest.mark.parametrize(
    ("values", "columns"),
    [
        (JOB_TITLES, ["Job title", "Notes", "Cohort"]),
        (ORGANISATIONS, ["Mentor organisation", "Notes", "Employment"]),
        (COHORT_LABELS, ["Cohort", "Notes", "Ref"]),
        (CODES, ["Participant ID", "Ref"]),
        (OTHER_VALUES, ["Notes", "Mentor organisation", "Cohort"]),
    ],
    ids=["job_titles", "organisations", "cohort_labels", "codes", "other"],
)
def test_ordinary_values_are_quiet(values, columns):
    assert _scan_in_columns(values, columns) == []
    # one value per cell, each on its own: no column-level effect hides a hit
    for value in values:
        raw = ordinary()
        raw.loc[PLANT_ROW, columns[0]] = value
        assert scan_personal_data(raw) == [], value


def test_every_category_and_alias_is_quiet():
    for col in COLUMNS:
        values = list(col.categories or ()) + list(VALUE_ALIASES.get(col.name, {}))
        values += [v.replace("_", " ").title() for v in col.categories or ()]
        values += [str(v) for v in (col.labels or {}).values()]
        if not values:
            continue
        raw = pd.DataFrame(
            {"participant_id": [f"P{k:03d}" for k in range(len(values))], col.name: values}
        )
        assert scan_personal_data(raw) == [], col.name


def test_packaged_samples_and_simulated_cohorts_are_quiet():
    files = sorted((REPO / "data" / "sample").glob("*.csv"))
    assert files
    for path in files:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert scan_personal_data(raw, file=path.name) == [], path.name
    # the loader's own path: load_sample raises PersonalDataError on any finding
    for name in ("programme", "first_cohort"):
        cohort = ma.load_sample(name)
        data = cohort.data.astype(object).where(cohort.data.notna(), "").astype(str)
        assert scan_personal_data(data) == [], name
    for n, seed in ((40, 1), (300, 2), (3000, 3)):
        sim = ma.simulate_cohort(n, rng=seed)
        raw = sim.astype(object).where(sim.notna(), "").astype(str)
        assert scan_personal_data(raw) == [], (n, seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ma.load_cohort(sim, errors="exclude")


# --------------------------------------------------------------------------------------
# schema columns through the loader, and no message quotes a flagged value
# --------------------------------------------------------------------------------------


def _frame(**planted: str) -> pd.DataFrame:
    """A small canonical frame that loads cleanly, with values planted in row 2."""
    frame = pd.DataFrame(
        {
            "participant_id": ["P001", "P002", "P003", "P004"],
            "cohort": ["2019", "2019", "2020", "2020"],
            "gender": ["woman", "man", "woman", "man"],
            "employment": ["employed", "self_employed", "employed", "other"],
            "mentor_relation": ["line_manager", "introduced", "no_prior_tie", "introduced"],
            "approach": ["assigned", "cold_approach", "cold_approach", "warm_introduction"],
            "mentor_level": ["4", "5", "6", "3"],
            "Notes": ["", "moved role", "", "on leave"],
        }
    )
    for column, value in planted.items():
        frame.loc[2, column] = value
    return frame


SCHEMA_PLANTS = [
    ("cohort", "Jane Smith"),
    ("cohort", "Liz"),
    ("cohort", "12/03/1985"),
    ("employment", "jane smith"),
    ("mentor_relation", "Jim Brown"),
    ("approach", "Smith, J."),
    ("gender", "J. Smith"),
    ("gender", "jane dot doe at example dot com"),
    ("mentor_level", "7700 900123"),
    ("mentor_level", "1985-03-12"),
    ("employment", "SW1A  1AA"),
    ("cohort", "943 4765 919"),
]


@pytest.mark.parametrize(("column", "value"), SCHEMA_PLANTS)
def test_loader_refuses_identifiers_in_schema_columns(column, value):
    frame = _frame(**{column: value})
    before = frame.copy()
    with pytest.raises(PersonalDataError, match=rf"row 2, column {column} \[value_") as info:
        ma.load_cohort(frame)
    text = str(info.value) + info.value.problems.to_string()
    assert value not in text
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    ("column", "value"),
    [(c, v) for c, v in SCHEMA_PLANTS if c != "cohort"],  # cohort is free text: never quoted
)
def test_validator_never_quotes_a_flagged_value(column, value):
    """With the guard overruled for the column, validation names row and column only."""
    frame = _frame(**{column: value})
    with pytest.raises(
        SchemaError, match=rf"row 2, column {column} \[\w+\]: .*personal data"
    ) as info:
        ma.load_cohort(frame, allow_columns=[column])
    assert value not in str(info.value) + info.value.problems.to_string()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cohort = ma.load_cohort(frame, allow_columns=[column], errors="exclude")
    assert list(cohort.excluded["row"]) == [2]
    shown = (
        cohort.problems.to_string()
        + cohort.excluded.to_string()
        + cohort.notes.to_string()
        + "".join(str(w.message) for w in caught)
    )
    assert "personal data" in cohort.problems["message"].iloc[0]
    assert value not in shown
    assert value.lower() not in shown.lower()


def test_validator_still_quotes_ordinary_typos():
    frame = _frame(gender="femal", mentor_level="2O")
    with pytest.raises(SchemaError, match=r"'femal' is not a known gender value"):
        ma.load_cohort(frame)
    with pytest.raises(SchemaError, match=r"'2O' is not a number"):
        ma.load_cohort(frame)


@pytest.mark.parametrize(
    "header",
    ["jane.doe@example.org", "07700 900123", "Jane Smith", "jane dot doe at example dot com"],
)
def test_identifier_headers_are_named_by_position(header):
    frame = _frame()
    frame[header] = ["a", "b", "c", "d"]
    with pytest.raises(PersonalDataError, match=r"column 9 \[header_personal_data\]") as info:
        ma.load_cohort(frame)
    assert header not in str(info.value) + info.value.problems.to_string()
    # allow_columns cannot keep a header that is itself an identifier: rename it
    with pytest.raises(PersonalDataError, match=r"column 9 \[header_personal_data\]") as info:
        ma.load_cohort(frame, allow_columns=[header])
    assert header not in str(info.value) + info.value.problems.to_string()
    # a dropped column's header is not listed among the headers found
    with pytest.raises(SchemaError, match=r"columns= maps \['Sexx'\]") as schema_info:
        ma.load_cohort(frame, drop_columns=[header], columns={"Sexx": "gender"})
    assert header not in str(schema_info.value)
    assert "column 9" in str(schema_info.value)


def test_loader_refuses_a_name_as_cohort_label_in_a_file(tmp_path):
    frame = _frame(cohort="Jane Smith")
    frame.loc[:, "cohort"] = "Jane Smith"
    path = tmp_path / "intake.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(
        PersonalDataError, match=r"intake.csv: row 2, column cohort \[value_"
    ) as info:
        ma.load_cohort(path)
    assert "Jane Smith" not in str(info.value) + info.value.problems.to_string()
    assert set(info.value.problems["column"]) == {"cohort"}
