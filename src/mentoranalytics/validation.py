"""Validation that reports every problem at once.

The :class:`~mentoranalytics.cohort.Cohort` object lives in :mod:`mentoranalytics.cohort`;
``from mentoranalytics.validation import Cohort`` keeps working.

The loader (:func:`mentoranalytics.load_cohort`) reads each file as raw cells, maps the
headers onto the canonical schema and hands the tables to :func:`validate`.  Every cell
is parsed here, once, by the column's kind (see :mod:`mentoranalytics.schema`); a bad
cell becomes a *problem* and never hides another one.

Problems
--------
Every finding is a record ``file, row, column, rule, message``:

* ``row`` is the row number as the user sees it: in CSV/TSV and Excel files the header
  is row 1 (or the first non-blank row) and the first data row is row 2; blank rows
  count.  In JSON and Parquet files the row is the record number (1 = first record);
  for a DataFrame it is the index label when the index holds unique integers,
  otherwise the 0-based position.
* ``rule`` is a short machine-readable id (below); ``message`` says what is wrong and
  how to fix it.  Messages never echo participant codes or free text; a short value in
  a category, yes/no or number column (e.g. ``'femal'`` or ``'20I9'``) is shown.
* "Did you mean" is offered only for a near-certain misspelling (:func:`close_match`:
  similar spelling on normalised text, clearly closer to one allowed value than to any
  other); a value that is close to nothing, such as ``'Didnt know them'`` or a code
  ``1``, is never guessed: the message says so and shows how to map it.
* Advice is written in the user's form: ``values={...}`` for Python, a ``--mapping``
  YAML line at the command line (:func:`advice_style`).  Blank cells are mapped with
  the key ``"<blank>"`` (:data:`BLANK_KEY`), in Python and in YAML alike.
* Identical findings in several rows share one message; :func:`group_problems` lists
  them once with their rows (as :func:`format_problems` does).

File-level problems cannot be fixed by leaving rows out: the loader raises
:class:`~mentoranalytics.SchemaError` for them whatever ``errors=`` says.

=========================  ===================================================================
file-level rule            meaning
=========================  ===================================================================
``empty_file``             no header and no rows
``header_only``            a header row but no data rows
``unreadable_file``        not a readable table (corrupt workbook, invalid JSON, lone quote)
``missing_column``         a required column (``participant_id``, ``gender``) is absent
``no_cohort_columns``      no header is a cohort column at all (not a cohort file, or no
                           header row); found before the file is scanned further
``blank_header``           a column without a header holds values
``duplicate_header``       two columns carry the same header
``duplicate_column``       two different headers map to the same canonical column
=========================  ===================================================================

Row-level problems exclude the row under ``errors="exclude"`` (listed in
``Cohort.excluded`` with the reason) and are raised under ``errors="raise"``:

=====================================  ============================================================
row-level rule                         meaning
=====================================  ============================================================
``blank_row``                          every cell of the row is empty
``ragged_row``                         more or fewer fields than the header (text files)
``missing_value``                      ``participant_id``, ``gender`` (or a present ``cohort``)
                                       is empty
``unknown_category``                   a value that is neither a category nor a known alias
``invalid_boolean``                    not yes/no, y/n, true/false, 1/0
``not_a_number``                       text in a number column, e.g. ``20I9``
``not_whole_number``                   a fraction in a level, Likert or count column
``out_of_range``                       a level outside 1-6, a negative count, ...
``excel_date``                         a date (or a 5-digit Excel date serial) in a non-date column
``refusals_exceed_approached``         ``refusals > mentors_approached``
``promotion_after_followup``           ``months_to_promotion > followup_months``
``promotion_time_without_promotion``   ``months_to_promotion`` filled while ``promoted`` is no
``network_contradicts_relation``       ``mentor_in_network`` disagrees with ``mentor_relation``
``self_employed_line_manager``         self-employed, yet the mentor is the line manager
``mentor_fields_without_mentor``       ``mentor_secured`` is no, yet mentor fields are filled
``duplicate_identical``                a repeated ``participant_id`` with identical values: the
                                       first copy is kept, the others excluded
``duplicate_conflicting``              a repeated ``participant_id`` with different values:
                                       every copy is excluded
=====================================  ============================================================

With ``errors="missing"`` (``validate(..., invalid="missing")``) a finding of
:data:`CELL_RULES` outside ``participant_id`` and ``gender`` leaves the cell empty
instead of excluding the row; the cell is listed in ``invalid_cells``.

Blank and ragged rows are reported once, as such; their cells are not checked further
(a ragged row's cells are shifted and cannot be trusted).  Notes (``Cohort.notes``,
same columns) record what the loader decided without excluding anything: extra
columns kept as text, a header with stray spaces, the sheet or cohort label chosen,
blank rows after the last record ignored.

>>> import pandas as pd
>>> frame = pd.DataFrame({"participant_id": ["P1", "P2"], "gender": ["F", "femal"]})
>>> result = validate([Table(file="<DataFrame>", frame=frame)])
>>> result.problems[["row", "column", "rule"]]
   row  column              rule
0    1  gender  unknown_category
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from . import schema
from .schema import SCHEMA, Column

__all__ = [
    "EXCLUDED_COLUMNS",
    "PROBLEM_COLUMNS",
    "RULES",
    "SOURCE_COLUMNS",
    "Cohort",
    "Rule",
    "Table",
    "Validation",
    "canonical_dtypes",
    "BLANK_KEY",
    "CELL_RULES",
    "advice_style",
    "format_problems",
    "group_problems",
    "pandera_schema",
    "parse_column",
    "validate",
]

PROBLEM_COLUMNS: tuple[str, ...] = ("file", "row", "column", "rule", "message")
EXCLUDED_COLUMNS: tuple[str, ...] = ("file", "row", "participant_id", "reason")
SOURCE_COLUMNS: tuple[str, ...] = (
    "file",
    "format",
    "sheet",
    "encoding",
    "delimiter",
    "sha256",
    "rows_read",
)

Level = Literal["file", "row", "note"]


@dataclass(frozen=True)
class Rule:
    """A validation rule: its id, level and the short reason shown in ``excluded``."""

    id: str
    level: Level
    reason: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("empty_file", "file", "empty file"),
        Rule("header_only", "file", "header but no rows"),
        Rule("unreadable_file", "file", "unreadable file"),
        Rule("missing_column", "file", "required column missing"),
        Rule("blank_header", "file", "column without header"),
        Rule("duplicate_header", "file", "duplicated header"),
        Rule("duplicate_column", "file", "two headers for one column"),
        Rule("ambiguous_sheet", "file", "which sheet?"),
        Rule("sheet_not_found", "file", "no such sheet"),
        Rule("no_cohort_columns", "file", "no cohort columns"),
        Rule("blank_row", "row", "blank row"),
        Rule("ragged_row", "row", "wrong number of fields"),
        Rule("missing_value", "row", "required value missing"),
        Rule("unknown_category", "row", "unknown category"),
        Rule("invalid_boolean", "row", "not a yes/no value"),
        Rule("not_a_number", "row", "not a number"),
        Rule("not_whole_number", "row", "not a whole number"),
        Rule("out_of_range", "row", "out of range"),
        Rule("excel_date", "row", "date in a non-date column"),
        Rule("refusals_exceed_approached", "row", "refusals > mentors_approached"),
        Rule("promotion_after_followup", "row", "months_to_promotion > followup_months"),
        Rule("promotion_time_without_promotion", "row", "months_to_promotion without promotion"),
        Rule("network_contradicts_relation", "row", "mentor_in_network contradicts relation"),
        Rule("self_employed_line_manager", "row", "self-employed with a line manager"),
        Rule("mentor_fields_without_mentor", "row", "mentor fields without a mentor"),
        Rule("duplicate_identical", "row", "duplicate (identical copy)"),
        Rule("duplicate_conflicting", "row", "duplicate participant_id (conflicting)"),
        # follow-up waves (validate(..., table="followup"))
        Rule("unknown_participant", "row", "participant_id not in the cohort table"),
        Rule("participant_excluded", "row", "participant excluded from the cohort table"),
        Rule("duplicate_wave", "row", "duplicate wave (conflicting)"),
        Rule("duplicate_wave_identical", "row", "duplicate wave (identical copy)"),
        Rule("wave_out_of_order", "row", "wave out of order"),
        Rule("wave_not_months", "row", "wave label is not a number of months"),
        Rule("answer_without_response", "row", "answers filled while responded is no"),
        # notes: recorded, nothing excluded
        Rule("extra_column", "note", ""),
        Rule("padded_header", "note", ""),
        Rule("unnamed_empty_column", "note", ""),
        Rule("derived_column_in_file", "note", ""),
        Rule("cohort_from_file_name", "note", ""),
        Rule("cohort_all", "note", ""),
        Rule("column_absent_in_file", "note", ""),
        Rule("blank_rows_skipped", "note", ""),
        Rule("sheet_chosen", "note", ""),
        Rule("index_as_column", "note", ""),
    )
}

#: Range of integers read as an Excel date serial in a non-date column
#: (20000 = 1954-10-03, 80000 = 2119-01-10).
EXCEL_SERIAL_RANGE: tuple[int, int] = (20000, 80000)

_NUMERIC_KINDS = ("ordinal", "count", "number")
_TEXT_KINDS = ("id", "string")
_ECHO_LIMIT = 30
# Same characters as schema.normalise_value (tested against it).
_NORMALISE_RE = re.compile(r"[\s_\-/\\.,;:'\"()]+")
_DATE_LIKE = re.compile(
    r"^(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?)?"
    r"|\d{1,2}[\-/ ][A-Za-z]{3,9}([\-/ ]\d{2,4})?"
    r"|[A-Za-z]{3,9}[\-/ ]\d{1,4})$"
)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_OK, _MISSING, _BAD = np.int8(0), np.int8(1), np.int8(2)

#: Rules about one cell's value: with ``errors="missing"`` the cell is left missing and
#: the row kept (outside the required columns).
CELL_RULES: frozenset[str] = frozenset(
    {
        "unknown_category",
        "invalid_boolean",
        "not_a_number",
        "not_whole_number",
        "out_of_range",
        "excel_date",
    }
)

#: Columns that, when filled, show that a mentor was found (mentor attempts and
#: refusals can be filled without one).
_MENTOR_IDENTITY: tuple[str, ...] = tuple(
    c.name
    for c in schema.COLUMNS
    if c.group == "mentor" and c.name not in ("mentor_secured", "mentors_approached", "refusals")
)
#: Outcomes that can only be true with a mentor.
_MENTOR_OUTCOMES: tuple[str, ...] = (
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "discussed_setbacks",
)


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def canonical_dtypes() -> dict[str, Any]:
    """The pandas dtype of every canonical column in ``Cohort.data``.

    >>> canonical_dtypes()["mentor_level"]
    Int64Dtype()
    >>> canonical_dtypes()["mentor_relation"].ordered
    True
    """
    out: dict[str, Any] = {}
    for col in schema.COLUMNS:
        out[col.name] = _dtype(col)
    return out


def _dtype(col: Column) -> Any:
    if col.kind == "category":
        return pd.CategoricalDtype(list(col.categories or ()), ordered=col.ordered)
    if col.kind in ("ordinal", "count"):
        return pd.Int64Dtype()
    if col.kind == "number":
        return pd.Float64Dtype()
    if col.kind == "bool":
        return pd.BooleanDtype()
    return pd.StringDtype()


def _show(value: str) -> str:
    """A short value quoted for a message; long text is described, never echoed, and
    so is a value that any rule of the personal-data guard flags (a name, a date, an
    e-mail address, a phone number, ...)."""
    if _personal(value):
        return _PERSONAL_SHOWN
    if len(value) <= _ECHO_LIMIT and value.isprintable():
        return repr(value)
    return f"a text of {len(value)} characters"


_PERSONAL_SHOWN = "A value that looks like personal data (not shown)"


#: Two or more capitalised words ("Anneke Jansen", "Mary-Jo O'Neil"): the shape of a
#: name, which no category, level or yes/no value of the schema has.  Such a value is
#: never quoted, even when the guard's list of first names does not know it.
_NAME_SHAPE = re.compile(r"^[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+)+$")


def _personal(value: str) -> bool:
    from .privacy.identifier_guard import looks_like_personal_data

    return bool(_NAME_SHAPE.match(value.strip())) or looks_like_personal_data(value)


def _normalise_many(texts: np.ndarray) -> np.ndarray:
    """:func:`schema.normalise_value` over an object array of str (Python semantics)."""
    return np.array(
        [_NORMALISE_RE.sub(" ", t.strip().lower()).strip() for t in texts], dtype=object
    )


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 1-based column position.

    >>> column_letter(1), column_letter(28)
    ('A', 'AB')
    """
    letters = ""
    while position > 0:
        position, rem = divmod(position - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _format_number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _text_of(value: Any) -> tuple[str, bool]:
    """(text, is_date) of one raw cell value that is not missing."""
    if isinstance(value, str):
        return value, False
    if isinstance(value, (bool, np.bool_)):
        return ("TRUE" if value else "FALSE"), False
    if isinstance(value, (int, np.integer)):
        return str(int(value)), False
    if isinstance(value, (float, np.floating)):
        if np.isfinite(value):
            return _format_number(float(value)), False
        return str(float(value)), False
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        ts = pd.Timestamp(value)
        text = ts.date().isoformat() if ts == ts.normalize() else ts.isoformat(sep=" ")
        return text, True
    if isinstance(value, (_dt.date, _dt.time, np.datetime64)):
        return str(value), True
    if isinstance(value, pd.Timedelta):
        return str(value), True
    return str(value), False


def _texts(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Text and is-date flag of each unique raw value (no missing values here)."""
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        return uniques, np.zeros(len(uniques), dtype=bool)
    pairs = [_text_of(v) for v in uniques]
    texts = np.array([p[0] for p in pairs], dtype=object)
    dates = np.array([p[1] for p in pairs], dtype=bool)
    return texts, dates


def _missing_markers(stripped: np.ndarray) -> np.ndarray:
    """True where a stripped text is empty or a missing marker (NA, N/A, null, ...)."""
    out = np.zeros(len(stripped), dtype=bool)
    if not len(stripped):
        return out
    series = pd.Series(stripped, dtype=object)
    # every marker's first letter (after punctuation) is n: check only those
    candidate = (series == "").to_numpy() | series.str.match(r"[^0-9A-Za-z]*[nN]").to_numpy(
        dtype=bool, na_value=False
    )
    idx = np.flatnonzero(candidate)
    if idx.size:
        norm = _normalise_many(stripped[idx])
        out[idx] = [v in schema.MISSING_MARKERS for v in norm]
    return out


def _strip(texts: np.ndarray) -> np.ndarray:
    if len(texts) > 10_000:
        try:
            s = pd.Series(texts, dtype="str").str.strip()
            return s.to_numpy(dtype=object)
        except (TypeError, ValueError):  # pragma: no cover - exotic objects
            pass
    return np.array([t.strip() for t in texts], dtype=object)


# --------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------


#: The key that maps blank cells (empty, or only a missing marker such as NA or N/A) in
#: ``values=`` and in a mapping file: ``values={"gender": {"<blank>": "not_stated"}}``.
#: ``""`` and ``None`` as keys mean the same in Python.
BLANK_KEY = "<blank>"

#: How close a value must be to an allowed spelling before "Did you mean" offers it
#: (:class:`difflib.SequenceMatcher` ratio on normalised text).
CLOSE_CUTOFF = 0.8

_BLANK_NORM = schema.normalise_value(BLANK_KEY)

_ADVICE_STYLE: ContextVar[str] = ContextVar("mentoranalytics_advice_style", default="python")


@contextmanager
def advice_style(style: Literal["python", "cli"]) -> Iterator[None]:
    """Write the advice in messages for Python users (the default) or the command line.

    Inside ``with advice_style("cli"):`` a message advises a ``--mapping`` YAML file and
    command-line options (``--drop-columns``) instead of ``values=``/``drop_columns=``.

    >>> with advice_style("cli"):
    ...     advise_values("gender", "femal", "woman")
    'values: {gender: {femal: woman}} in the --mapping file'
    >>> advise_values("gender", "femal", "woman")
    "values={'gender': {'femal': 'woman'}}"
    """
    if style not in ("python", "cli"):
        raise ValueError(f"style must be 'python' or 'cli', not {style!r}.")
    token = _ADVICE_STYLE.set(style)
    try:
        yield
    finally:
        _ADVICE_STYLE.reset(token)


def advice_for_cli() -> bool:
    """Whether messages are being written for the command line (see :func:`advice_style`)."""
    return _ADVICE_STYLE.get() == "cli"


def _yaml_flow(value: Any) -> str:
    """One value in YAML flow style (quoted when YAML would read it otherwise)."""
    import yaml

    text = yaml.safe_dump([value], default_flow_style=True, width=10**6).strip()
    return text[1:-1]  # [x] -> x


def advise_values(column: str, key: Any, target: Any) -> str:
    """How to map one value, in the user's form (Python argument or mapping-file YAML)."""
    if advice_for_cli():
        return (
            f"values: {{{column}: {{{_yaml_flow(key)}: {_yaml_flow(target)}}}}} in the "
            "--mapping file"
        )
    return f"values={{{column!r}: {{{key!r}: {target!r}}}}}"


def advise_columns(header: str, canonical: str) -> str:
    """How to map one header, in the user's form."""
    if advice_for_cli():
        return f"columns: {{{_yaml_flow(header)}: {canonical}}} in the --mapping file"
    return f"columns={{{header!r}: {canonical!r}}}"


def advise_drop(headers: Sequence[str]) -> str:
    """How to leave columns out, in the user's form."""
    if advice_for_cli():
        return "--drop-columns " + _cli_list(headers)
    return f"drop_columns={list(headers)!r}"


def advise_allow(headers: Sequence[str]) -> str:
    """How to accept columns the personal-data check flagged, in the user's form."""
    if advice_for_cli():
        return "--allow-columns " + _cli_list(headers)
    return f"allow_columns={list(headers)!r}"


def _cli_list(headers: Sequence[str]) -> str:
    text = ",".join(str(h) for h in headers)
    if re.fullmatch(r"[A-Za-z0-9_.,\-]+", text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def _left_out(what: str) -> str:
    """How rows with problems are left out, in the user's form."""
    if advice_for_cli():
        return f"the analysis leaves {what} out"
    return f"errors='exclude' leaves {what} out"


def close_match(
    word: str, options: Mapping[str, str], *, cutoff: float = CLOSE_CUTOFF
) -> str | None:
    """The target of the one option ``word`` is a near-certain misspelling of, or None.

    ``options`` maps spellings (already normalised like ``word``) to their targets.
    A target is offered only when its best spelling is at least ``cutoff`` similar
    (:class:`difflib.SequenceMatcher` ratio) and clearly closer than any spelling of
    another target; words of fewer than three characters are never matched.  The
    meaning of a word is never guessed: ``'Didnt know them'`` matches nothing.

    >>> close_match("femal", {"female": "woman", "male": "man"})
    'woman'
    >>> close_match("fmale", {"female": "woman", "male": "man"}) is None  # both are close
    True
    >>> close_match("1", {"female": "woman", "male": "man"}) is None
    True
    """
    ranked = _close_targets(word, options, cutoff=cutoff)
    if not ranked or (len(ranked) > 1 and ranked[1][1] > ranked[0][1] - 0.1):
        return None  # nothing close, or two different values about as close: no guess
    return ranked[0][0]


def _close_targets(
    word: str, options: Mapping[str, str], *, cutoff: float = CLOSE_CUTOFF
) -> list[tuple[str, float]]:
    """Targets with a spelling at least ``cutoff`` similar to ``word``, best first."""
    if len(word) < 3:
        return []
    best: dict[str, float] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)
    for spelling, target in options.items():
        if not spelling:
            continue
        matcher.set_seq1(spelling)
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue
        score = matcher.ratio()
        if score >= cutoff and score > best.get(target, 0.0):
            best[target] = score
    return sorted(best.items(), key=lambda kv: -kv[1])


def _category_spellings(col: Column) -> dict[str, str]:
    options = dict(schema.VALUE_ALIASES.get(col.name, {}))
    for category in col.categories or ():
        options.setdefault(schema.normalise_value(category), category)
    return options


def _suggest(norm: str, col: Column) -> str | None:
    """The category an unknown value is a near-certain misspelling of (or None)."""
    return close_match(norm, _category_spellings(col))


def _quotable(text: str) -> bool:
    """Whether a value may be quoted in a message (and so in a suggested mapping)."""
    return _show(text) == repr(text)


def _cell_message(rule: str, col: Column, text: str, norm: str = "") -> str:
    name = col.name
    shown = _show(text)
    if rule == "unknown_category":
        if shown == _PERSONAL_SHOWN:
            return (
                f"{shown} is not a known {name} value; allowed: {col.allowed}. Correct the "
                "cell, and keep names, dates and contact details out of the file."
            )
        hint = _suggest(norm or schema.normalise_value(text), col)
        if not _quotable(text):
            did = f" Did you mean {hint!r}?" if hint else ""
            return (
                f"{shown} is not a known {name} value; allowed: {col.allowed}.{did} "
                "Correct the cell."
            )
        if hint:
            return (
                f"{shown} is not a known {name} value; allowed: {col.allowed}. Did you mean "
                f"{hint!r}? Correct the cell, or map the spelling with "
                f"{advise_values(name, text, hint)}."
            )
        near = [
            t
            for t, _ in _close_targets(
                norm or schema.normalise_value(text), _category_spellings(col)
            )
        ]
        why = (
            f"it is about as close to {near[0]!r} as to {near[1]!r}, so neither is guessed"
            if len(near) > 1
            else "no allowed value is close to it"
        )
        return (
            f"{shown} is not a known {name} value, and {why}; "
            f"allowed: {col.allowed}. Correct the cell, or map it with "
            f"{advise_values(name, text, '?')}, replacing ? by the allowed value it stands for."
        )
    if rule == "invalid_boolean":
        return (
            f"{shown} is not a yes/no value; allowed: {col.allowed}. Correct the cell, or "
            f"leave it empty when unknown."
        )
    if rule == "not_a_number":
        labels = " or their labels (see the codebook)" if col.labels else ""
        return (
            f"{shown} is not a number; {name} takes {col.allowed}{labels}. Check for letters "
            "typed instead of digits (I or l for 1, O for 0) and correct the cell."
        )
    if rule == "not_whole_number":
        return f"{shown} is not a whole number; {name} takes {col.allowed}. Correct the cell."
    if rule == "out_of_range":
        return f"{shown} is out of range; {name} takes {col.allowed}. Correct the cell."
    if rule == "excel_date":
        if shown == _PERSONAL_SHOWN:
            shown = "The value (not shown: a date may be personal data, a date of birth)"
        return (
            f"{shown} looks like a date (or an Excel date serial number), not a {name} value: "
            "spreadsheets turn entries such as '3-4' into dates. Format the column as Text "
            f"or Number and re-enter the value ({col.allowed})."
        )
    raise KeyError(rule)  # pragma: no cover - programming error


def _missing_message(col: Column) -> str:
    if col.name == "participant_id":
        return (
            "participant_id is empty. Every row needs a pseudonymous participant code; fill "
            "it in or delete the row."
        )
    if col.name == "months":
        return (
            "months is empty. Every follow-up row needs the months since the programme at "
            "that wave; fill it in or delete the row."
        )
    if col.name == "gender":
        return (
            "gender is empty. Fill it in ('not_stated' is a valid answer), or, if a blank "
            "means not stated, map blank cells with "
            f"{advise_values('gender', BLANK_KEY, 'not_stated')}."
        )
    return (
        f"{col.name} is empty. Fill in the intake label, or remove the {col.name} column to "
        "put everyone in one cohort 'all'."
    )


# --------------------------------------------------------------------------------------
# Parsing one column
# --------------------------------------------------------------------------------------


@dataclass
class ParsedColumn:
    """One column parsed by its schema kind.

    ``status`` is 0 (a value), 1 (empty or a missing marker) or 2 (a problem) per row;
    ``problems`` holds ``(positions, rule, messages)`` batches with 0-based positions.
    """

    name: str
    values: Any
    status: np.ndarray
    problems: list[tuple[np.ndarray, str, np.ndarray]] = field(default_factory=list)
    codes: np.ndarray | None = None
    texts: np.ndarray | None = None
    raw: np.ndarray | None = None
    suggestions: list[tuple[str, str | None]] = field(default_factory=list)

    def keys(self, positions: np.ndarray) -> list[Any]:
        """Comparable cell keys (parsed value, or the raw text of a bad cell)."""
        values = pd.Series(self.values).iloc[positions].astype(object).tolist()
        status = self.status[positions]
        out: list[Any] = []
        for i, pos in enumerate(positions):
            if status[i] == _MISSING:
                out.append(None)
            elif status[i] == _BAD:
                if self.codes is not None and self.texts is not None:
                    code = self.codes[pos]
                    out.append(("?", self.texts[code] if code >= 0 else None))
                elif self.raw is not None:
                    out.append(("?", self.raw[pos]))
                else:  # pragma: no cover - every parser that flags cells keeps them
                    out.append(("?", values[i]))
            else:
                out.append(values[i])
        return out


def _user_table(col: Column, mapping: Mapping[Any, Any] | None) -> dict[str, Any]:
    if not mapping:
        return {}
    table: dict[str, Any] = {}
    for key, target in mapping.items():
        text = "" if key is None else _text_of(key)[0]
        norm = schema.normalise_value(text)
        if norm in ("", _BLANK_NORM):
            table[_BLANK_NORM] = target
            continue
        table[norm] = target
        stripped = text.strip()
        if col.kind in _NUMERIC_KINDS or re.fullmatch(r"[+-]?\d+", stripped):
            try:
                number = float(stripped.replace(",", "."))
            except ValueError:
                continue
            if np.isfinite(number):
                table.setdefault(_format_number(number), target)
    return table


def _numbers_fine(x: np.ndarray, col: Column) -> bool:
    """Quick test that no number breaks a rule (one pass for min/max in the common case)."""
    present = x[~np.isnan(x)]
    if not present.size:
        return True
    low, high = float(present.min()), float(present.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        return False
    if col.minimum is not None and low < col.minimum:
        return False
    if col.maximum is not None and high > col.maximum:
        return False
    if high >= EXCEL_SERIAL_RANGE[0] and low <= EXCEL_SERIAL_RANGE[1]:
        return False
    return col.kind == "number" or bool(np.array_equal(present, np.round(present)))


def _number_rules(x: np.ndarray, col: Column) -> np.ndarray:
    """Rule id (or None) for each parsed number (NaN = not numeric is not handled here)."""
    rules = np.full(len(x), None, dtype=object)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(x)
        rules[np.isinf(x)] = "not_a_number"
        whole = finite & (x == np.round(x))
        lo, hi = EXCEL_SERIAL_RANGE
        serial = whole & (x >= lo) & (x <= hi)
        rules[serial] = "excel_date"
        todo = finite & ~serial
        if col.kind in ("ordinal", "count"):
            frac = todo & ~whole
            rules[frac] = "not_whole_number"
            todo &= whole
        out = np.zeros(len(x), dtype=bool)
        if col.minimum is not None:
            out |= x < col.minimum
        if col.maximum is not None:
            out |= x > col.maximum
        rules[todo & out] = "out_of_range"
    return rules


def _typed_array(col: Column | None, values: np.ndarray, ok: np.ndarray) -> Any:
    """Build the output array from per-row object/float values where ``ok``."""
    kind = col.kind if col is not None else "string"
    if kind == "category":
        assert col is not None
        codes = np.where(ok, values, -1).astype(np.int64)
        return pd.Categorical.from_codes(codes, dtype=_dtype(col))
    if kind == "bool":
        v = np.where(ok, values, 0).astype(bool)
        return pd.arrays.BooleanArray(v, ~ok)
    if kind in ("ordinal", "count"):
        v = np.where(ok, values, 0).astype(np.float64)
        return pd.arrays.IntegerArray(v.astype(np.int64), ~ok)
    if kind == "number":
        v = np.where(ok, values, 0).astype(np.float64)
        return pd.arrays.FloatingArray(v, ~ok)
    obj = np.asarray(values, dtype=object).copy()
    obj[~ok] = None
    return pd.array(obj, dtype=pd.StringDtype())


def parse_column(
    series: pd.Series,
    name: str,
    *,
    user_values: Mapping[Any, Any] | None = None,
    decimal_comma: bool = False,
    keep_dtype: bool = False,
    column: Column | None = None,
) -> ParsedColumn:
    """Parse one raw column by its canonical kind.

    Parameters
    ----------
    series : pandas.Series
        Raw cells: strings (text files), Python objects (Excel, JSON) or typed values
        (Parquet, DataFrame).  ``NaN``/``None`` is an empty cell.
    name : str
        Canonical column name; any other name is an extra column kept as text.
    user_values : mapping, optional
        The user's ``values=`` for this column (their value -> canonical value or None
        for missing); compared after :func:`~mentoranalytics.schema.normalise_value`.
        The key ``"<blank>"`` (or ``""``, ``None``) maps blank cells and missing
        markers (NA, N/A).
    decimal_comma : bool, default=False
        Read ``3,5`` as 3.5 in number columns (files separated by ``;``).
    keep_dtype : bool, default=False
        For extra columns: keep the input dtype instead of text.
    column : Column, optional
        The column's definition when it is not the cohort schema's (the follow-up
        record, :data:`mentoranalytics.schema.FOLLOWUP_SCHEMA`).

    Returns
    -------
    ParsedColumn
        ``values`` in the canonical dtype, ``status`` per row, ``problems``.

    Examples
    --------
    >>> import pandas as pd
    >>> p = parse_column(pd.Series(["3", " 4", "20I9", "", "7"]), "mentor_level")
    >>> p.values
    <IntegerArray>
    [3, 4, <NA>, <NA>, <NA>]
    Length: 5, dtype: Int64
    >>> [(pos.tolist(), rule) for pos, rule, _ in p.problems]
    [([2], 'not_a_number'), ([4], 'out_of_range')]
    """
    col = column if column is not None else SCHEMA.get(name)
    dtype = series.dtype
    if col is None and keep_dtype:
        return _parse_extra_typed(series, name)
    kind = col.kind if col is not None else "string"
    is_bool_dtype = pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
    numeric_dtype = (
        pd.api.types.is_numeric_dtype(dtype)
        and not is_bool_dtype
        and not isinstance(dtype, pd.CategoricalDtype)
    )
    if kind in _TEXT_KINDS and not user_values and _is_text_dtype(dtype):
        return _parse_text_vectorised(series, name)
    if col is not None and not user_values:
        if kind in _NUMERIC_KINDS and numeric_dtype:
            return _parse_numbers_typed(series, col)
        if kind == "bool" and is_bool_dtype:
            arr = series.astype("boolean").array
            status = np.where(pd.isna(arr), _MISSING, _OK).astype(np.int8)
            return ParsedColumn(name, arr, status)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.intp)
    uniq: np.ndarray = np.asarray(uniques, dtype=object)
    texts, dates = _texts(uniq)
    stripped = _strip(texts)
    m = len(uniq)
    ustatus = np.zeros(m, dtype=np.int8)
    urule = np.full(m, None, dtype=object)
    uvalue = np.full(m, None, dtype=object)
    todo = np.ones(m, dtype=bool)

    user = _user_table(col, user_values) if col is not None else {}
    norm: np.ndarray | None = None
    if user:
        norm = _normalise_many(stripped)
        for i in np.flatnonzero(todo):
            if norm[i] in user:
                target = user[norm[i]]
                todo[i] = False
                if target is None:
                    ustatus[i] = _MISSING
                else:
                    uvalue[i] = _mapped_target(col, target)
    if kind not in _TEXT_KINDS:
        urule[todo & dates] = "excel_date"
        ustatus[todo & dates] = _BAD
        todo &= ~dates
    missing = todo & _missing_markers(stripped)
    ustatus[missing] = _MISSING
    todo &= ~missing
    # blank cells (and missing markers) mapped with the <blank> key
    blank_status, blank_value = _MISSING, None
    if user.get(_BLANK_NORM) is not None:
        blank_status, blank_value = _OK, _mapped_target(col, user[_BLANK_NORM])
        ustatus[missing] = _OK
        uvalue[missing] = blank_value

    if kind in _TEXT_KINDS:
        uvalue[todo] = stripped[todo]
    elif kind == "category":
        assert col is not None
        if norm is None:
            norm = _normalise_many(stripped)
        aliases = schema.VALUE_ALIASES[name]
        for i in np.flatnonzero(todo):
            hit = aliases.get(norm[i])
            if hit is None:
                urule[i] = "unknown_category"
                ustatus[i] = _BAD
            else:
                uvalue[i] = hit
    elif kind == "bool":
        if norm is None:
            norm = _normalise_many(stripped)
        for i in np.flatnonzero(todo):
            uvalue[i] = _bool_of(norm[i], stripped[i])
            if uvalue[i] is None:
                urule[i] = "invalid_boolean"
                ustatus[i] = _BAD
    else:
        assert col is not None
        _parse_number_texts(stripped, todo, col, decimal_comma, uvalue, urule, ustatus)

    # values of user-mapped and parsed uniques must still fit the column
    if col is not None and kind in _NUMERIC_KINDS:
        ok_u = ustatus == _OK
        x = np.array([np.nan if v is None else float(v) for v in uvalue], dtype=float)
        rules = _number_rules(np.where(ok_u, x, np.nan), col)
        bad_u = ok_u & (rules != None)  # noqa: E711
        urule[bad_u] = rules[bad_u]
        ustatus[bad_u] = _BAD
        uvalue = x

    # per-row arrays (code -1, an empty cell, takes the last slot)
    ext_status = np.append(ustatus, blank_status)
    status = ext_status[codes]
    problems: list[tuple[np.ndarray, str, np.ndarray]] = []
    suggestions: list[tuple[str, str | None]] = []
    bad_u = np.flatnonzero(ustatus == _BAD)
    if bad_u.size:
        if norm is None:
            norm = np.full(m, "", dtype=object)
            norm[bad_u] = _normalise_many(stripped[bad_u])
        assert col is not None
        umsg = np.full(m + 1, None, dtype=object)
        for i in bad_u:
            umsg[i] = _cell_message(str(urule[i]), col, str(stripped[i]), str(norm[i]))
            if urule[i] == "unknown_category" and _quotable(str(stripped[i])):
                suggestions.append((str(stripped[i]), _suggest(str(norm[i]), col)))
        rows_bad = np.flatnonzero(status == _BAD)
        row_rules = urule[codes[rows_bad]]
        for rule in pd.unique(row_rules):
            sel = rows_bad[row_rules == rule]
            problems.append((sel, str(rule), umsg[codes[sel]]))
    ok = status == _OK
    if col is None:
        values = _typed_array(None, _extend(uvalue, None)[codes], ok)
    elif kind == "category":
        index = {c: k for k, c in enumerate(col.categories or ())}
        ucode = np.array([index.get(v, -1) if v is not None else -1 for v in uvalue])
        blank_code = -1 if blank_value is None else index.get(str(blank_value), -1)
        values = _typed_array(col, np.append(ucode, blank_code)[codes], ok)
    elif kind == "bool":
        ub = np.array([bool(v) if v is not None else False for v in uvalue], dtype=bool)
        values = _typed_array(col, np.append(ub, bool(blank_value))[codes], ok)
    elif kind in _NUMERIC_KINDS:
        blank_x = np.nan if blank_value is None else float(blank_value)
        values = _typed_array(col, np.append(np.asarray(uvalue, float), blank_x)[codes], ok)
    else:
        values = _typed_array(col, _extend(uvalue, blank_value)[codes], ok)
    return ParsedColumn(
        name, values, status, problems, codes=codes, texts=stripped, suggestions=suggestions
    )


def _extend(values: np.ndarray, fill: Any) -> np.ndarray:
    """``values`` (object) with ``fill`` appended: index -1 (a missing cell) picks ``fill``."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values
    out[-1] = fill
    return out


def _is_text_dtype(dtype: Any) -> bool:
    """A string dtype (not object, not categorical): its ``.str`` methods are vectorised."""
    return (
        pd.api.types.is_string_dtype(dtype)
        and not pd.api.types.is_object_dtype(dtype)
        and not isinstance(dtype, pd.CategoricalDtype)
    )


def _parse_text_vectorised(series: pd.Series, name: str) -> ParsedColumn:
    """Text columns (ids, cohorts, extras) held as strings: stripped, markers missing.

    Works on the whole column with the string dtype's own methods (no per-value
    Python), which matters for a million distinct participant codes.
    """
    stripped = series.str.strip()
    empty = np.array(stripped.isna() | (stripped == ""), dtype=bool)
    # every missing marker starts (after punctuation) with n: look closer at those only
    candidate = (
        np.array(stripped.str.match(r"[^0-9A-Za-z]*[nN]").fillna(False), dtype=bool) & ~empty
    )
    if candidate.any():
        sub = stripped[candidate]
        uniques = pd.unique(sub.to_numpy(dtype=object))
        markers = [u for u in uniques if schema.normalise_value(u) in schema.MISSING_MARKERS]
        if markers:
            empty |= np.array(stripped.isin(markers).fillna(False), dtype=bool)
    values: Any = stripped.astype(pd.StringDtype()).array.copy()
    if empty.any():
        values[empty] = pd.NA
    status = np.where(empty, _MISSING, _OK).astype(np.int8)
    return ParsedColumn(name, values, status)


def _bool_of(norm: str, text: str) -> bool | None:
    if norm in schema.TRUE_WORDS:
        return True
    if norm in schema.FALSE_WORDS:
        return False
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        return None
    if number == 1:
        return True
    if number == 0:
        return False
    return None


def _mapped_target(col: Column | None, target: Any) -> Any:
    """A user-mapped target in the column's value space (validated by the loader)."""
    if col is None or col.kind in ("category", *_TEXT_KINDS):
        return str(target)
    if col.kind == "bool":
        if isinstance(target, (bool, np.bool_)):
            return bool(target)
        return _bool_of(schema.normalise_value(target), str(target))
    return float(target)


def _parse_number_texts(
    stripped: np.ndarray,
    todo: np.ndarray,
    col: Column,
    decimal_comma: bool,
    uvalue: np.ndarray,
    urule: np.ndarray,
    ustatus: np.ndarray,
) -> None:
    idx = np.flatnonzero(todo)
    if not idx.size:
        return
    texts = pd.Series(stripped[idx], dtype=object)
    if decimal_comma:
        comma = texts.str.match(_DECIMAL_COMMA.pattern).to_numpy(dtype=bool, na_value=False)
        if comma.any():
            texts = texts.where(~comma, texts.str.replace(",", ".", regex=False))
    x = pd.to_numeric(texts, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    numeric = ~np.isnan(x)
    uvalue[idx[numeric]] = x[numeric]
    fail = idx[~numeric]
    if not fail.size:
        return
    labels: dict[str, int] = {}
    if col.labels:
        labels = {schema.normalise_value(v): k for k, v in col.labels.items()}
    norm = _normalise_many(stripped[fail])
    for i, key in zip(fail, norm, strict=True):
        if key in labels:
            uvalue[i] = float(labels[key])
        elif _DATE_LIKE.match(str(stripped[i])):
            urule[i] = "excel_date"
            ustatus[i] = _BAD
        else:
            urule[i] = "not_a_number"
            ustatus[i] = _BAD


def _parse_numbers_typed(series: pd.Series, col: Column) -> ParsedColumn:
    x = series.to_numpy(dtype=float, na_value=np.nan)
    missing = np.isnan(x)
    if _numbers_fine(x, col):
        status = missing.astype(np.int8)  # 1 = missing, 0 = a value
        return ParsedColumn(col.name, _typed_array(col, x, ~missing), status)
    rules = _number_rules(x, col)
    bad = rules != None  # noqa: E711
    status = np.where(missing, _MISSING, np.where(bad, _BAD, _OK)).astype(np.int8)
    problems: list[tuple[np.ndarray, str, np.ndarray]] = []
    rows_bad = np.flatnonzero(bad)
    if rows_bad.size:
        row_rules = rules[rows_bad]
        for rule in pd.unique(row_rules):
            sel = rows_bad[row_rules == rule]
            msgs = np.array(
                [_cell_message(str(rule), col, _text_of(v)[0]) for v in x[sel]], dtype=object
            )
            problems.append((sel, str(rule), msgs))
    values = _typed_array(col, x, status == _OK)
    return ParsedColumn(col.name, values, status, problems, raw=x)


def _parse_extra_typed(series: pd.Series, name: str) -> ParsedColumn:
    """An extra column of a typed source keeps its dtype; empty strings count as missing."""
    values = series.array
    missing = pd.isna(series).to_numpy(dtype=bool)
    if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
        parsed = parse_column(series, name)
        return parsed
    status = np.where(missing, _MISSING, _OK).astype(np.int8)
    return ParsedColumn(name, values, status)


# --------------------------------------------------------------------------------------
# Tables, validation, results
# --------------------------------------------------------------------------------------


@dataclass
class Table:
    """One source table after header mapping, as the loader hands it to :func:`validate`.

    Parameters
    ----------
    file : str
        Name shown in problems (file name, or ``<DataFrame>``).
    frame : pandas.DataFrame
        Raw cells under canonical (or extra) column names; unique names.
    rows : numpy.ndarray, optional
        Row number of each record as the user sees it (default: 0-based position).
    blank, ragged : numpy.ndarray of bool, optional
        Blank rows; rows with the wrong number of fields.
    fields : numpy.ndarray, optional
        Number of fields per row (text files), for ragged-row messages.
    header_fields : int, optional
        Number of fields in the header row.
    delimiter : str, optional
        The field delimiter of a text file (for messages).
    decimal_comma : bool
        Numbers use a decimal comma.
    keep_extra_dtypes : bool
        Extra columns keep their dtype (DataFrame and Parquet sources).
    cohort_label : str, optional
        Cohort of every row when the table has no ``cohort`` column (from the file name).
    wave_bad : numpy.ndarray of bool, optional
        Follow-up tables without ``months``: rows whose ``wave`` label is not a number
        of months (set by :func:`validate`).
    """

    file: str
    frame: pd.DataFrame
    rows: np.ndarray | None = None
    blank: np.ndarray | None = None
    ragged: np.ndarray | None = None
    fields: np.ndarray | None = None
    header_fields: int | None = None
    delimiter: str | None = None
    decimal_comma: bool = False
    keep_extra_dtypes: bool = False
    cohort_label: str | None = None
    wave_bad: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.frame)
        if self.rows is None:
            self.rows = np.arange(n, dtype=np.int64)
        if self.blank is None:
            self.blank = np.zeros(n, dtype=bool)
        if self.ragged is None:
            self.ragged = np.zeros(n, dtype=bool)


@dataclass
class Validation:
    """What :func:`validate` found.

    ``data`` holds the typed canonical (and extra) columns of *every* row read, in
    order; ``keep`` says which rows have no row-level problem.  ``problems`` and
    ``notes`` have the columns of :data:`PROBLEM_COLUMNS`; ``excluded`` those of
    :data:`EXCLUDED_COLUMNS` (the rows a ``errors="exclude"`` load leaves out).
    ``invalid_cells`` (columns of :data:`PROBLEM_COLUMNS`) lists the invalid cells of
    kept rows that were left missing (``invalid="missing"``).  ``suggestions`` maps
    a column to its unknown values and the category each is a near-certain
    misspelling of (None when no allowed value is close).
    """

    data: pd.DataFrame
    origin: pd.DataFrame
    keep: np.ndarray
    problems: pd.DataFrame
    notes: pd.DataFrame
    excluded: pd.DataFrame
    invalid_cells: pd.DataFrame = field(default_factory=lambda: _empty_problems())
    suggestions: dict[str, dict[str, str | None]] = field(default_factory=dict)

    @property
    def file_level(self) -> pd.DataFrame:
        """The file-level problems (they cannot be fixed by excluding rows)."""
        levels = self.problems["rule"].map(lambda r: RULES[r].level)
        return self.problems[levels == "file"]


class _Log:
    """Collects problems and notes; row-level ones as vectorised batches."""

    def __init__(self) -> None:
        self.batches: list[tuple[np.ndarray, str, str, np.ndarray]] = []
        self.records: list[dict[str, Any]] = []
        self.notes: list[dict[str, Any]] = []

    def rows(self, positions: np.ndarray, column: str, rule: str, messages: Any) -> None:
        if len(positions) == 0:
            return
        if isinstance(messages, str):
            messages = np.full(len(positions), messages, dtype=object)
        self.batches.append((np.asarray(positions, dtype=np.int64), column, rule, messages))

    def file(self, file: str, rule: str, message: str, column: Any = None, row: Any = None) -> None:
        self.records.append(
            {"file": file, "row": row, "column": column, "rule": rule, "message": message}
        )

    def note(self, file: str, rule: str, message: str, column: Any = None, row: Any = None) -> None:
        self.notes.append(
            {"file": file, "row": row, "column": column, "rule": rule, "message": message}
        )


def _records_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(records), columns=list(PROBLEM_COLUMNS))
    return _problem_dtypes(frame)


def _is_na(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _problem_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["row"] = pd.array([None if _is_na(v) else int(v) for v in out["row"]], dtype="Int64")
    for c in ("file", "column", "rule", "message"):
        out[c] = pd.array([None if _is_na(v) else str(v) for v in out[c]], dtype=pd.StringDtype())
    return out.reset_index(drop=True)


def _empty_problems() -> pd.DataFrame:
    return _records_frame([])


def validate(
    tables: Sequence[Table],
    *,
    values: Mapping[str, Mapping[Any, Any]] | None = None,
    file_problems: Iterable[Mapping[str, Any]] = (),
    notes: Iterable[Mapping[str, Any]] = (),
    invalid: Literal["exclude", "missing"] = "exclude",
    table: Literal["cohort", "followup"] = "cohort",
    known_ids: Iterable[Any] | None = None,
    excluded_ids: Iterable[Any] = (),
) -> Validation:
    """Parse and check every cell of every table; report all problems at once.

    Parameters
    ----------
    tables : sequence of Table
        The mapped tables (one per file, sheet or DataFrame), stacked in order.
    values : mapping, optional
        The user's value mapping ``{column: {their value: canonical value}}``; the key
        ``"<blank>"`` maps blank cells (:data:`BLANK_KEY`).
    file_problems, notes : iterable of mappings
        File-level problems and notes already found by the loader (headers, files).
    invalid : {"exclude", "missing"}, default="exclude"
        What an invalid cell (:data:`CELL_RULES`) outside the required columns does to
        its row: ``"exclude"`` leaves the row out; ``"missing"`` keeps the row with the
        cell missing and lists the cell in ``invalid_cells``.
    table : {"cohort", "followup"}, default="cohort"
        Which record the tables hold.  ``"followup"``: one row per participant per
        wave (:data:`mentoranalytics.schema.FOLLOWUP_SCHEMA`); the rows are checked
        against the cohort's codes (``unknown_participant``, ``participant_excluded``),
        for repeated waves (``duplicate_wave``, ``duplicate_wave_identical``: the first
        copy kept), for months going down within a participant in file order
        (``wave_out_of_order``: reported, the row is kept), and for answers on a
        non-responding row (``answer_without_response``).  A missing ``months`` column
        is read from numeric ``wave`` labels (``wave_not_months`` when one is not);
        ``wave`` is derived from months when absent and ``responded`` from the
        answers (true when any is filled) where it is empty.
    known_ids : iterable, optional
        With ``table="followup"``: the participant codes of the cohort table (every
        row read); None skips the check.
    excluded_ids : iterable, optional
        With ``table="followup"``: the codes of participants excluded from the cohort
        table; their waves are excluded too.

    Returns
    -------
    Validation
        Typed data of every row, ``keep`` mask, ``problems``, ``notes``, ``excluded``,
        ``invalid_cells``, ``suggestions``.
    """
    if invalid not in ("exclude", "missing"):
        raise ValueError(f"invalid must be 'exclude' or 'missing', not {invalid!r}.")
    if table not in ("cohort", "followup"):
        raise ValueError(f"table must be 'cohort' or 'followup', not {table!r}.")
    followup = table == "followup"
    table_schema = schema.FOLLOWUP_SCHEMA if followup else SCHEMA
    required = schema.FOLLOWUP_REQUIRED_COLUMNS if followup else schema.REQUIRED_COLUMNS
    if followup:
        tables = [_with_months(t) for t in tables]
    values = values or {}
    log = _Log()
    log.records.extend(dict(r) for r in file_problems)
    log.notes.extend(dict(r) for r in notes)

    names: list[str] = []
    for t in tables:
        for c in t.frame.columns:
            if c not in names:
                names.append(str(c))
    if followup:
        names += [c for c in schema.FOLLOWUP_CANONICAL_COLUMNS if c not in names]
    elif any(t.cohort_label is not None for t in tables) and "cohort" not in names:
        names.append("cohort")
    ordered = [c for c in table_schema if c in names]
    ordered += [c for c in names if c not in table_schema]

    sizes = [len(t.frame) for t in tables]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    total = int(offsets[-1])
    file_of = np.repeat(np.arange(len(tables)), sizes)
    row_of = (
        np.concatenate([np.asarray(t.rows, dtype=np.int64) for t in tables])
        if tables
        else np.zeros(0, dtype=np.int64)
    )
    skip = (
        np.concatenate([np.asarray(t.blank) | np.asarray(t.ragged) for t in tables])
        if tables
        else np.zeros(0, dtype=bool)
    )

    # blank and ragged rows
    for k, t in enumerate(tables):
        assert t.blank is not None and t.ragged is not None
        log.rows(
            offsets[k] + np.flatnonzero(t.blank),
            "",
            "blank_row",
            f"The row is blank. Delete it from the file ({_left_out('it')}).",
        )
        ragged = np.flatnonzero(t.ragged & ~t.blank)
        if ragged.size:
            msgs = np.array([_ragged_message(t, i) for i in ragged.tolist()], dtype=object)
            log.rows(offsets[k] + ragged, "", "ragged_row", msgs)

    # parse per table, stack per column
    status: dict[str, np.ndarray] = {}
    suggestions: dict[str, dict[str, str | None]] = {}
    parts: dict[str, list[Any]] = {c: [] for c in ordered}
    parsed_parts: dict[str, list[tuple[int, ParsedColumn | None]]] = {c: [] for c in ordered}
    for k, t in enumerate(tables):
        n = len(t.frame)
        for c in ordered:
            col = table_schema.get(c)
            if c in t.frame.columns:
                p = parse_column(
                    t.frame[c],
                    c,
                    user_values=values.get(c),
                    decimal_comma=t.decimal_comma,
                    keep_dtype=t.keep_extra_dtypes,
                    column=col,
                )
                if c == "cohort" and t.cohort_label is not None:
                    p = _fill_cohort(p, t, log)
            elif c == "cohort" and t.cohort_label is not None:
                p = ParsedColumn(
                    c,
                    pd.array(np.full(n, t.cohort_label, dtype=object), dtype=pd.StringDtype()),
                    np.zeros(n, dtype=np.int8),
                )
            else:
                p = None
            if p is None:
                dtype = _dtype(col) if col is not None else pd.StringDtype()
                parts[c].append(
                    pd.array([None] * n, dtype=dtype) if n else pd.array([], dtype=dtype)
                )
                status.setdefault(c, np.ones(total, dtype=np.int8))
                parsed_parts[c].append((int(offsets[k]), None))
                continue
            st = status.setdefault(c, np.ones(total, dtype=np.int8))
            st[offsets[k] : offsets[k] + n] = p.status
            parts[c].append(p.values)
            parsed_parts[c].append((int(offsets[k]), p))
            row_skip = skip[offsets[k] : offsets[k] + n]
            for pos, rule, msgs in p.problems:
                keep_p = ~row_skip[pos]
                log.rows(offsets[k] + pos[keep_p], c, rule, msgs[keep_p])
            for text, target in p.suggestions:
                suggestions.setdefault(c, {}).setdefault(text, target)

    data = pd.DataFrame(
        {c: _concat_arrays(parts[c], table_schema.get(c)) for c in ordered},
        index=pd.RangeIndex(total),
    )
    if skip.any():
        for c in ordered:
            status[c] = np.where(skip, _MISSING, status[c]).astype(np.int8)

    # required values
    for c in required + (() if followup else ("cohort",)):
        if c in data.columns:
            missing = np.flatnonzero((status[c] == _MISSING) & ~skip)
            log.rows(missing, c, "missing_value", _missing_message(table_schema[c]))

    if followup:
        for k, t in enumerate(tables):
            bad = t.wave_bad
            if bad is not None and bad.any():
                rows_k = skip[offsets[k] : offsets[k] + len(t.frame)]
                pos = offsets[k] + np.flatnonzero(bad & ~rows_k)
                log.rows(
                    pos,
                    "wave",
                    "wave_not_months",
                    "There is no months column and this wave label is not a number of "
                    "months (such as '12', '12m' or '12 months'). Add a months column "
                    "(months since the programme at each wave), or map the labels.",
                )
        data = _finish_followup(data, status)
        dup_exclude = _check_followup(
            data, status, skip, parsed_parts, file_of, row_of, tables, log, known_ids, excluded_ids
        )
    else:
        _check_combinations(data, status, log)
        dup_exclude = _check_duplicates(
            data, status, skip, parsed_parts, file_of, row_of, tables, log
        )

    # assemble problems
    files = np.array([t.file for t in tables], dtype=object)
    row_frames = []
    for pos, column, rule, msgs in log.batches:
        row_frames.append(
            pd.DataFrame(
                {
                    "_pos": pos,
                    "file": files[file_of[pos]],
                    "row": row_of[pos],
                    "column": column,
                    "rule": rule,
                    "message": msgs,
                }
            )
        )
    column_rank = {c: i for i, c in enumerate(["", *ordered])}
    if row_frames:
        rows_df = pd.concat(row_frames, ignore_index=True)
        rows_df["_col"] = rows_df["column"].map(column_rank).fillna(len(column_rank))
        rows_df = rows_df.sort_values(["_pos", "_col"], kind="stable")
        row_positions = rows_df["_pos"].to_numpy(dtype=np.int64)
        row_rules = rows_df["rule"].to_numpy(dtype=object)
        rows_df = rows_df.drop(columns=["_pos", "_col"])
        rows_df["column"] = rows_df["column"].replace("", None)
    else:
        rows_df = pd.DataFrame(columns=list(PROBLEM_COLUMNS))
        row_positions = np.zeros(0, dtype=np.int64)
        row_rules = np.zeros(0, dtype=object)
    file_df = _records_frame(log.records)
    problems = pd.concat([file_df, _problem_dtypes(rows_df)], ignore_index=True)
    problems = _problem_dtypes(problems) if len(problems) else _empty_problems()

    # which rows are excluded, and why; with invalid="missing" an invalid cell outside
    # the required columns is left missing (parse_column already typed it as NA)
    excluded_mask = np.zeros(total, dtype=bool)
    excluding = ~np.isin(
        row_rules, ["duplicate_identical", "duplicate_wave_identical", "wave_out_of_order"]
    )
    set_missing = np.zeros(len(row_rules), dtype=bool)
    if invalid == "missing" and len(row_rules):
        row_columns = rows_df["column"].to_numpy(dtype=object)
        set_missing = np.isin(row_rules, list(CELL_RULES)) & ~np.isin(row_columns, list(required))
        excluding &= ~set_missing
    excluded_mask[row_positions[excluding]] = True
    excluded_mask[dup_exclude] = True
    keep = ~excluded_mask
    because = excluding | np.isin(row_rules, ["duplicate_identical", "duplicate_wave_identical"])
    excluded = _excluded_frame(
        data,
        excluded_mask,
        row_positions[because],
        row_rules[because],
        rows_df[because],
        files,
        file_of,
        row_of,
    )
    cells = set_missing & keep[row_positions] if len(row_positions) else set_missing
    invalid_cells = _problem_dtypes(rows_df[cells]) if cells.any() else _empty_problems()
    origin = pd.DataFrame(
        {
            "file": pd.array(files[file_of].astype(object), dtype=pd.StringDtype())
            if total
            else pd.array([], dtype=pd.StringDtype()),
            "row": row_of,
        }
    )
    return Validation(
        data=data,
        origin=origin,
        keep=keep,
        problems=problems,
        notes=_records_frame(log.notes),
        excluded=excluded,
        invalid_cells=invalid_cells,
        suggestions=suggestions,
    )


def _fill_cohort(p: ParsedColumn, t: Table, log: _Log) -> ParsedColumn:
    empty = p.status == _MISSING
    if not empty.any():
        return p
    values = np.array(pd.Series(p.values).astype(object), dtype=object)
    values[empty] = t.cohort_label
    log.note(
        t.file,
        "cohort_from_file_name",
        f"{int(empty.sum())} empty cohort cells set to {t.cohort_label!r} from the file name.",
        column="cohort",
    )
    status = np.where(empty, _OK, p.status).astype(np.int8)
    return ParsedColumn(p.name, pd.array(values, dtype=pd.StringDtype()), status, p.problems)


def _ragged_message(t: Table, i: int) -> str:
    fields = int(t.fields[i]) if t.fields is not None else None
    header = t.header_fields
    delim = {"\t": "tab", None: "delimiter"}.get(t.delimiter, repr(t.delimiter))
    if fields is not None and header is not None:
        more = fields > header
        cause = (
            f"a {delim} inside a value shifts the cells: quote that value or remove the {delim}"
            if more
            else f"cells are missing at the end of the row: add the missing {delim}s"
        )
        return (
            f"The row has {fields} fields but the header has {header}; {cause}. The row's "
            "cells were not read."
        )
    return "The row does not have as many fields as the header; its cells were not read."


def _concat_arrays(parts: list[Any], col: Column | None) -> Any:
    if not parts:
        dtype = _dtype(col) if col is not None else pd.StringDtype()
        return pd.array([], dtype=dtype)
    if len(parts) == 1:
        return parts[0]
    series = [pd.Series(p) for p in parts]
    if col is not None:
        dtype = _dtype(col)
        return pd.concat([s.astype(dtype) for s in series], ignore_index=True).array
    dtypes = {str(s.dtype) for s in series}
    if len(dtypes) > 1:
        series = [s.astype(object) for s in series]
    return pd.concat(series, ignore_index=True).array


def _positions_with(mask: Any) -> np.ndarray:
    """Positions where a (nullable) boolean array is true; missing counts as false."""
    return np.flatnonzero(np.asarray(pd.array(mask, dtype="boolean").fillna(False), dtype=bool))


def _check_combinations(data: pd.DataFrame, status: Mapping[str, np.ndarray], log: _Log) -> None:
    has = set(data.columns)

    def both(a: str, b: str) -> bool:
        return a in has and b in has

    if both("refusals", "mentors_approached"):
        r, a = data["refusals"], data["mentors_approached"]
        pos = _positions_with((r > a).array)
        msgs = [
            f"refusals ({r.iat[i]}) exceed mentors_approached ({a.iat[i]}): more people "
            "declined than were asked. Correct one of the two cells."
            for i in pos.tolist()
        ]
        log.rows(pos, "refusals", "refusals_exceed_approached", np.array(msgs, dtype=object))
    if both("months_to_promotion", "followup_months"):
        m, f = data["months_to_promotion"], data["followup_months"]
        pos = _positions_with((m > f).array)
        msgs = [
            f"months_to_promotion ({m.iat[i]:g}) is later than followup_months "
            f"({f.iat[i]:g}); a promotion must fall within the follow-up. Correct one of "
            "the two cells."
            for i in pos.tolist()
        ]
        log.rows(pos, "months_to_promotion", "promotion_after_followup", np.array(msgs, object))
    if both("months_to_promotion", "promoted"):
        filled = status["months_to_promotion"] != _MISSING
        not_promoted = (data["promoted"] == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
        pos = np.flatnonzero(filled & not_promoted)
        log.rows(
            pos,
            "months_to_promotion",
            "promotion_time_without_promotion",
            "months_to_promotion is filled but promoted is no. Leave months_to_promotion "
            "empty for people who were not promoted, or correct promoted.",
        )
    if both("mentor_in_network", "mentor_relation"):
        inside = sorted(schema.IN_NETWORK_RELATIONS, key=schema.MENTOR_RELATIONS.index)
        expected = data["mentor_relation"].isin(inside)
        known = data["mentor_relation"].notna() & data["mentor_in_network"].notna()
        given = data["mentor_in_network"].fillna(False).astype(bool)
        clash = (known & (given != expected)).to_numpy(dtype=bool)
        pos = np.flatnonzero(clash)
        rel = data["mentor_relation"]
        msgs = [
            f"mentor_in_network is {'yes' if given.iat[i] else 'no'} but mentor_relation is "
            f"{rel.iat[i]!r}, which is {'inside' if expected.iat[i] else 'outside'} the "
            f"network ({', '.join(inside)} are inside). Correct one of the two cells, or "
            "leave mentor_in_network empty: it is derived from mentor_relation."
            for i in pos.tolist()
        ]
        log.rows(pos, "mentor_in_network", "network_contradicts_relation", np.array(msgs, object))
    if both("employment", "mentor_relation"):
        self_lm = (data["employment"] == "self_employed") & (
            data["mentor_relation"] == "line_manager"
        )
        pos = np.flatnonzero(self_lm.to_numpy(dtype=bool))
        log.rows(
            pos,
            "mentor_relation",
            "self_employed_line_manager",
            "employment is self_employed but mentor_relation is line_manager: a self-employed "
            "participant has no line manager. Correct one of the two cells (an existing "
            "contact or a client is 'existing_contact').",
        )
    if "mentor_secured" in has:
        no_mentor = (data["mentor_secured"] == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
        if no_mentor.any():
            filled_cols: list[tuple[str, np.ndarray]] = []
            for c in _MENTOR_IDENTITY:
                if c in has:
                    filled_cols.append((c, status[c] != _MISSING))
            for c in _MENTOR_OUTCOMES:
                if c in has:
                    true = (data[c] == True).to_numpy(dtype=bool, na_value=False)  # noqa: E712
                    filled_cols.append((c, true))
            any_filled = np.zeros(len(data), dtype=bool)
            for _, mask in filled_cols:
                any_filled |= mask
            pos = np.flatnonzero(no_mentor & any_filled)
            msgs = []
            for i in pos.tolist():
                which = [c for c, mask in filled_cols if mask[i]]
                msgs.append(
                    f"mentor_secured is no but mentor fields are filled ({', '.join(which)}). "
                    "Empty those cells, or correct mentor_secured."
                )
            log.rows(pos, "mentor_secured", "mentor_fields_without_mentor", np.array(msgs, object))


# --------------------------------------------------------------------------------------
# Follow-up waves
# --------------------------------------------------------------------------------------

_WAVE_MONTHS = re.compile(
    r"^(?:months?|mths?|m)?\s*(\d+(?:[.,]\d+)?)\s*(?:-?\s*(?:months?|mths?|mos?|m)\b)?"
    r"\s*(?:(?:survey|follow\s*-?\s*up|wave|questionnaire)\b)?\s*$",
    re.IGNORECASE,
)


def wave_months(label: Any) -> float | None:
    """Months since the programme read from a wave label, or None.

    >>> [wave_months(x) for x in ["12", "12m", "12 months", "6-month survey", "Month 24", "late"]]
    [12.0, 12.0, 12.0, 6.0, 24.0, None]
    """
    if label is None or (isinstance(label, float) and np.isnan(label)):
        return None
    if isinstance(label, (int, float, np.integer, np.floating)) and not isinstance(label, bool):
        return float(label)
    match = _WAVE_MONTHS.match(str(label).strip())
    if match is None:
        return None
    return float(match.group(1).replace(",", "."))


def _with_months(t: Table) -> Table:
    """A follow-up table without ``months`` but with ``wave``: months from the labels."""
    from dataclasses import replace

    if "months" in t.frame.columns or "wave" not in t.frame.columns:
        return t
    waves = t.frame["wave"]
    codes, uniques = pd.factorize(waves, use_na_sentinel=True)
    texts, _ = _texts(np.asarray(uniques, dtype=object))
    stripped = _strip(texts)
    blank = _missing_markers(stripped) | (stripped == "")
    parsed = np.array(
        [
            np.nan if b else (wave_months(x) if wave_months(x) is not None else np.nan)
            for x, b in zip(stripped.tolist(), blank.tolist(), strict=True)
        ],
        dtype=float,
    )
    ubad = ~blank & np.isnan(parsed)
    codes = np.asarray(codes, dtype=np.intp)
    months = np.where(codes >= 0, parsed[np.maximum(codes, 0)], np.nan)
    bad = (codes >= 0) & ubad[np.maximum(codes, 0)]
    frame = t.frame.assign(months=pd.array(months, dtype="Float64"))
    return replace(t, frame=frame, wave_bad=bad)


def _finish_followup(data: pd.DataFrame, status: dict[str, np.ndarray]) -> pd.DataFrame:
    """Derive ``wave`` from months where empty and ``responded`` from the answers."""
    out = data.copy()
    months = out["months"].to_numpy(dtype=float, na_value=np.nan)
    wave_empty = status["wave"] == _MISSING
    if wave_empty.any():
        labels = np.array([None if np.isnan(m) else f"{m:g} months" for m in months], dtype=object)
        current = out["wave"].astype(object).to_numpy()
        out["wave"] = pd.array(np.where(wave_empty, labels, current), dtype=pd.StringDtype())
    answered = np.zeros(len(out), dtype=bool)
    for c in schema.FOLLOWUP_OUTCOMES:
        answered |= status[c] == _OK
    resp_empty = status["responded"] == _MISSING
    if resp_empty.any():
        given = out["responded"].to_numpy(dtype=bool, na_value=False)
        out["responded"] = pd.array(np.where(resp_empty, answered, given), dtype="boolean")
    return out


def _check_followup(
    data: pd.DataFrame,
    status: Mapping[str, np.ndarray],
    skip: np.ndarray,
    parsed_parts: Mapping[str, list[tuple[int, ParsedColumn | None]]],
    file_of: np.ndarray,
    row_of: np.ndarray,
    tables: Sequence[Table],
    log: _Log,
    known_ids: Iterable[Any] | None,
    excluded_ids: Iterable[Any],
) -> np.ndarray:
    """The follow-up rules; return the positions of repeated waves to exclude."""
    n = len(data)
    ids = data["participant_id"]
    id_ok = (status["participant_id"] == _OK) & ~skip
    if known_ids is not None:
        known = pd.Index(pd.unique(np.asarray(list(known_ids), dtype=object)))
        gone = pd.Index(pd.unique(np.asarray(list(excluded_ids), dtype=object)))
        values = ids.astype(object).to_numpy()
        in_known = known.get_indexer(values) >= 0 if len(known) else np.zeros(n, dtype=bool)
        in_gone = gone.get_indexer(values) >= 0 if len(gone) else np.zeros(n, dtype=bool)
        log.rows(
            np.flatnonzero(id_ok & ~in_known),
            "participant_id",
            "unknown_participant",
            "This participant_id is not in the cohort table. Correct the code (codes must "
            "match the cohort table exactly), or add the participant to the cohort table.",
        )
        log.rows(
            np.flatnonzero(id_ok & in_known & in_gone),
            "participant_id",
            "participant_excluded",
            "This participant's row in the cohort table was excluded (see cohort.excluded), "
            "so their waves are left out too.",
        )
    # answers on a non-responding row
    no_response = (data["responded"] == False).to_numpy(dtype=bool, na_value=False)  # noqa: E712
    filled = {c: status[c] == _OK for c in schema.FOLLOWUP_OUTCOMES}
    any_filled = np.zeros(n, dtype=bool)
    for mask in filled.values():
        any_filled |= mask
    pos = np.flatnonzero(no_response & any_filled & ~skip)
    msgs = [
        "responded is no but answers are filled ("
        + ", ".join(c for c, m in filled.items() if m[i])
        + "). Empty those cells, or set responded to yes."
        for i in pos.tolist()
    ]
    log.rows(pos, "responded", "answer_without_response", np.array(msgs, dtype=object))

    # waves out of order and repeated waves (per participant, in file order)
    months = data["months"].to_numpy(dtype=float, na_value=np.nan)
    eligible = id_ok & (status["months"] == _OK)
    pos = np.flatnonzero(eligible)
    if not pos.size:
        return np.zeros(0, dtype=np.int64)
    frame = pd.DataFrame({"id": ids.iloc[pos].astype(object).to_numpy(), "m": months[pos]})
    frame["pos"] = pos
    previous_max = frame.groupby("id", sort=False)["m"].cummax().groupby(frame["id"]).shift(1)
    down = (frame["m"] < previous_max).to_numpy(dtype=bool, na_value=False)
    bad = frame["pos"].to_numpy()[down]
    msgs = [
        f"This wave ({months[i]:g} months) comes after a later wave of the same participant "
        "in the file. Waves are sorted by months when read; check that the months are "
        "right."
        for i in bad.tolist()
    ]
    log.rows(bad, "months", "wave_out_of_order", np.array(msgs, dtype=object))

    dup = frame.duplicated(["id", "m"], keep=False).to_numpy(dtype=bool)
    if not dup.any():
        return np.zeros(0, dtype=np.int64)
    sub = frame[dup]
    keys_by_col = {
        c: _keys_at(c, sub["pos"].to_numpy(), parsed_parts)
        for c in data.columns
        if c not in ("participant_id", "months")
    }
    files = [t.file for t in tables]
    multi_file = len(set(files)) > 1

    def where(i: int) -> str:
        row = f"row {int(row_of[i])}"
        return f"{row} ({files[file_of[i]]})" if multi_file else row

    exclude: list[int] = []
    for _, members in sub.groupby(["id", "m"], sort=False).indices.items():
        rows_pos = [int(sub["pos"].iat[j]) for j in members]
        differing = [
            c for c, keys in keys_by_col.items() if len({_hashable(keys[j]) for j in members}) > 1
        ]
        if not differing:
            for i in rows_pos[1:]:
                log.rows(
                    np.array([i]),
                    "participant_id",
                    "duplicate_wave_identical",
                    f"This row repeats {where(rows_pos[0])} exactly (same participant, same "
                    f"months, same answers). Delete the copy ({_left_out('this copy')} and "
                    "keeps the first).",
                )
                exclude.append(i)
            continue
        shown = ", ".join(differing[:6]) + (", ..." if len(differing) > 6 else "")
        for i in rows_pos:
            others = ", ".join(where(o) for o in rows_pos if o != i)
            log.rows(
                np.array([i]),
                "participant_id",
                "duplicate_wave",
                f"The same participant has another row at {months[i]:g} months ({others}) "
                f"with different answers ({shown}), so neither can be trusted "
                f"({_left_out('every copy')}). Keep one row per participant per wave.",
            )
            exclude.append(i)
    return np.array(exclude, dtype=np.int64)


def _check_duplicates(
    data: pd.DataFrame,
    status: Mapping[str, np.ndarray],
    skip: np.ndarray,
    parsed_parts: Mapping[str, list[tuple[int, ParsedColumn | None]]],
    file_of: np.ndarray,
    row_of: np.ndarray,
    tables: Sequence[Table],
    log: _Log,
) -> np.ndarray:
    """Report repeated participant_id; return the positions to exclude."""
    if "participant_id" not in data.columns:
        return np.zeros(0, dtype=np.int64)
    ids = data["participant_id"]
    eligible = (status["participant_id"] == _OK) & ~skip
    dup = ids.duplicated(keep=False).to_numpy(dtype=bool) & eligible
    if not dup.any():
        return np.zeros(0, dtype=np.int64)
    # a repeated id among eligible rows only
    pos = np.flatnonzero(dup)
    sub = ids.iloc[pos]
    counts = sub.value_counts()
    pos = pos[sub.map(counts).to_numpy() > 1]
    if not pos.size:
        return np.zeros(0, dtype=np.int64)
    keys_by_col: dict[str, list[Any]] = {}
    for c in data.columns:
        if c == "participant_id":
            continue
        keys_by_col[c] = _keys_at(c, pos, parsed_parts)
    groups: dict[Any, list[int]] = {}
    for j, p in enumerate(pos.tolist()):
        groups.setdefault(ids.iat[p], []).append(j)
    files = [t.file for t in tables]
    multi_file = len(set(files)) > 1

    def where(i: int) -> str:
        row = f"row {int(row_of[i])}"
        return f"{row} ({files[file_of[i]]})" if multi_file else row

    exclude: list[int] = []
    for members in groups.values():
        rows_pos = [int(pos[j]) for j in members]
        differing = [
            c for c, keys in keys_by_col.items() if len({_hashable(keys[j]) for j in members}) > 1
        ]
        if not differing:
            first = rows_pos[0]
            for i in rows_pos[1:]:
                log.rows(
                    np.array([i]),
                    "participant_id",
                    "duplicate_identical",
                    f"This row repeats {where(first)} exactly (same participant_id, same "
                    f"values). Delete the copy ({_left_out('this copy')} and keeps the "
                    "first).",
                )
                exclude.append(i)
            continue
        shown = ", ".join(differing[:6]) + (", ..." if len(differing) > 6 else "")
        for i in rows_pos:
            others = ", ".join(where(o) for o in rows_pos if o != i)
            log.rows(
                np.array([i]),
                "participant_id",
                "duplicate_conflicting",
                f"The participant_id of this row also appears in {others} with different "
                f"values ({shown}), so neither can be trusted ({_left_out('every copy')}). "
                "Keep one correct row per participant (if codes restart in each file, make "
                "them unique, e.g. prefix the cohort).",
            )
            exclude.append(i)
    return np.array(exclude, dtype=np.int64)


def _hashable(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def _keys_at(
    column: str,
    positions: np.ndarray,
    parsed_parts: Mapping[str, list[tuple[int, ParsedColumn | None]]],
) -> list[Any]:
    """Comparison keys of one column at stacked positions (None where absent)."""
    out: list[Any] = [None] * len(positions)
    parts = parsed_parts.get(column, [])
    if not parts:
        return out
    starts = np.array([s for s, _ in parts], dtype=np.int64)
    which = np.searchsorted(starts, positions, side="right") - 1
    for k in np.unique(which).tolist():
        start, parsed = parts[k]
        if parsed is None:
            continue
        sel = np.flatnonzero(which == k)
        for j, key in zip(sel.tolist(), parsed.keys(positions[sel] - start), strict=True):
            out[j] = key
    return out


def _excluded_frame(
    data: pd.DataFrame,
    mask: np.ndarray,
    row_positions: np.ndarray,
    row_rules: np.ndarray,
    rows_df: pd.DataFrame,
    files: np.ndarray,
    file_of: np.ndarray,
    row_of: np.ndarray,
) -> pd.DataFrame:
    pos = np.flatnonzero(mask)
    if not pos.size:
        return pd.DataFrame(
            {
                "file": pd.array([], dtype=pd.StringDtype()),
                "row": pd.array([], dtype="Int64"),
                "participant_id": pd.array([], dtype=pd.StringDtype()),
                "reason": pd.array([], dtype=pd.StringDtype()),
            }
        )
    columns = rows_df["column"].to_numpy(dtype=object) if len(rows_df) else np.zeros(0, object)
    reasons: dict[int, list[str]] = {}
    for p, rule, column in zip(row_positions, row_rules, columns, strict=True):
        text = RULES[str(rule)].reason
        if column is not None and not (isinstance(column, float) and np.isnan(column)):
            if (
                rule
                not in (
                    "duplicate_identical",
                    "duplicate_conflicting",
                    "duplicate_wave",
                    "duplicate_wave_identical",
                    "unknown_participant",
                    "participant_excluded",
                )
                and column not in text
            ):
                text = f"{text} in {column}"
        lst = reasons.setdefault(int(p), [])
        if text not in lst:
            lst.append(text)
    if "participant_id" in data.columns:
        ids = data["participant_id"].iloc[pos].array
    else:
        ids = pd.array([None] * len(pos), dtype=pd.StringDtype())
    return pd.DataFrame(
        {
            "file": pd.array(files[file_of[pos]].astype(object), dtype=pd.StringDtype()),
            "row": pd.array(row_of[pos], dtype="Int64"),
            "participant_id": pd.array(ids, dtype=pd.StringDtype()),
            "reason": pd.array(["; ".join(reasons.get(int(p), [])) for p in pos], dtype="string"),
        }
    )


# --------------------------------------------------------------------------------------
# Messages for SchemaError
# --------------------------------------------------------------------------------------


def group_problems(problems: pd.DataFrame) -> pd.DataFrame:
    """Identical findings grouped: one row per file, column, rule and message.

    A value that is wrong in several rows (the same typo, the same unknown category)
    gives one message, so it is listed once with all its rows.

    Parameters
    ----------
    problems : pandas.DataFrame
        Findings with columns ``file, row, column, rule, message`` (e.g.
        ``cohort.problems``).

    Returns
    -------
    pandas.DataFrame
        Columns ``file, column, rule, rows`` (tuple of row numbers, in order; empty for
        a finding about the whole file), ``count`` (findings grouped) and ``message``,
        in the order of each group's first finding.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"file": ["a.csv"] * 3, "row": [4, 9, 17],
    ...                   "column": ["approach"] * 3, "rule": ["unknown_category"] * 3,
    ...                   "message": ["'Cold aproach' is not a known approach value"] * 3})
    >>> g = group_problems(p)
    >>> g["rows"].iloc[0], int(g["count"].iloc[0])
    ((4, 9, 17), 3)
    """
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for k, rec in enumerate(problems.itertuples(index=False)):
        row = None if _is_na(rec.row) else int(str(rec.row))
        file = None if _is_na(rec.file) else str(rec.file)
        column = None if _is_na(rec.column) or rec.column == "" else str(rec.column)
        key: tuple[Any, ...] = (file, column, str(rec.rule), str(rec.message))
        if row is None:
            key += (k,)  # a file-level finding stands alone
        group = groups.setdefault(
            key,
            {
                "file": file,
                "column": column,
                "rule": str(rec.rule),
                "rows": [],
                "count": 0,
                "message": str(rec.message),
            },
        )
        group["count"] += 1
        if row is not None:
            group["rows"].append(row)
    out = pd.DataFrame(
        [{**g, "rows": tuple(g["rows"])} for g in groups.values()],
        columns=["file", "column", "rule", "rows", "count", "message"],
    )
    out["count"] = out["count"].astype("int64")
    return out


def rows_text(rows: Sequence[int], *, limit: int = 12) -> str:
    """``row 4`` or ``rows 4, 9, 17``; long lists end in ``... (n rows)``.

    >>> rows_text([4]), rows_text([4, 9, 17]), rows_text(range(2, 40), limit=3)
    ('row 4', 'rows 4, 9, 17', 'rows 2, 3, 4, ... (38 rows)')
    """
    rows = list(rows)
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(str(r) for r in rows[:limit])
    if len(rows) > limit:
        shown += f", ... ({len(rows)} rows)"
    return f"rows {shown}"


def describe_group(group: Mapping[str, Any], *, with_file: bool = True) -> str:
    """One line for a row of :func:`group_problems`: where, the rule, the message."""
    parts = []
    if with_file and group.get("file"):
        parts.append(str(group["file"]))
    if group.get("rows"):
        parts.append(rows_text(group["rows"]))
    loc = " ".join(parts)
    if group.get("column"):
        loc += (", " if loc else "") + f"column {group['column']}"
    return f"{loc} [{group['rule']}]: {group['message']}".lstrip()


def format_problems(problems: pd.DataFrame, *, limit: int = 20) -> str:
    """The text of a :class:`~mentoranalytics.SchemaError`: first ``limit`` problems and the count.

    Identical findings in several rows are listed once, with their rows
    (:func:`group_problems`).

    >>> import pandas as pd
    >>> p = pd.DataFrame({"file": ["a.csv"] * 2, "row": [3, 5], "column": ["gender"] * 2,
    ...                   "rule": ["unknown_category"] * 2, "message": ["'femal' is not ..."] * 2})
    >>> print(format_problems(p))
    2 problems in the cohort data:
      a.csv rows 3, 5, column gender [unknown_category]: 'femal' is not ...
    Fix the cells or map headers and values with columns=/values=; to keep the valid rows and list the others in cohort.excluded, load with errors="exclude" (or errors="missing" to keep the rows and leave the invalid cells empty).
    """
    n = len(problems)
    noun = "problem" if n == 1 else "problems"
    grouped = group_problems(problems)
    head = f"{n} {noun} in the cohort data"
    if len(grouped) > limit:
        head += f" (the first {limit} messages are listed):"
    else:
        head += ":"
    lines = [head]
    for group in grouped.head(limit).to_dict("records"):
        lines.append("  " + describe_group(group))
    if len(grouped) > limit:
        lines.append(
            f"  ... and {len(grouped) - limit} more (all are in the .problems table of this error)."
        )
    levels = {RULES[r].level for r in problems["rule"] if r in RULES}
    cli = advice_for_cli()
    if "file" in levels:
        lines.append(
            "File-level problems (a missing or duplicated column, an empty file, ...) must be "
            "fixed in the file" + ("." if cli else '; errors="exclude" cannot leave them out.')
        )
    elif cli:
        lines.append(
            "Fix the cells or map headers and values in a --mapping file; the rows with "
            "problems are left out of the analysis (with --invalid missing only the invalid "
            "cells are)."
        )
    else:
        lines.append(
            "Fix the cells or map headers and values with columns=/values=; to keep the valid "
            'rows and list the others in cohort.excluded, load with errors="exclude" (or '
            'errors="missing" to keep the rows and leave the invalid cells empty).'
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# pandera: the final typed check of the canonical frame
# --------------------------------------------------------------------------------------


def pandera_schema(
    columns: Iterable[str] | None = None,
    *,
    checks: bool = True,
    table: Literal["cohort", "followup"] = "cohort",
) -> Any:
    """A pandera ``DataFrameSchema`` of the canonical columns, built from :mod:`schema`.

    It checks dtypes (categories in schema order, nullable ``Int64``/``boolean``/
    ``Float64``, ``string``), the ranges of ordinal, count and number columns and the
    uniqueness of ``participant_id``.  The loader runs it on the typed canonical frame
    of the kept rows as a final consistency check; use it on your own frames too.

    Parameters
    ----------
    columns : iterable of str, optional
        Restrict to these columns (default: all canonical columns, none required).
    checks : bool, default=True
        Include the range checks and the uniqueness of ``participant_id``; with False
        only dtypes and nullability are checked.
    table : {"cohort", "followup"}, default="cohort"
        The cohort record or the follow-up record (where ``participant_id`` repeats,
        one row per wave, and ``months`` is required).

    Returns
    -------
    pandera.pandas.DataFrameSchema

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"participant_id": pd.array(["P1"], dtype="string"),
    ...                       "mentor_level": pd.array([4], dtype="Int64")})
    >>> pandera_schema(frame.columns).validate(frame).shape
    (1, 2)
    """
    import pandera.pandas as pa

    followup = table == "followup"
    defs = schema.table_columns(table)
    wanted = set(columns) if columns is not None else {c.name for c in defs}
    cols: dict[str, Any] = {}
    for col in defs:
        if col.name not in wanted:
            continue
        value_checks = []
        if checks and col.kind in _NUMERIC_KINDS:
            if col.minimum is not None and col.maximum is not None:
                value_checks.append(pa.Check.in_range(col.minimum, col.maximum))
            elif col.minimum is not None:
                value_checks.append(pa.Check.ge(col.minimum))
        cols[col.name] = pa.Column(
            _dtype(col),
            checks=value_checks,
            nullable=col.name not in ("participant_id", "months" if followup else ""),
            unique=checks and col.name == "participant_id" and not followup,
            required=False,
        )
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


# --------------------------------------------------------------------------------------
# Cohort: defined in mentoranalytics.cohort, re-exported here for older imports
# --------------------------------------------------------------------------------------

if TYPE_CHECKING:  # pragma: no cover
    from .cohort import Cohort


def __getattr__(name: str) -> Any:
    if name == "Cohort":  # imported on use: cohort.py imports this module
        from .cohort import Cohort

        return Cohort
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
