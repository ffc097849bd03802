"""Reading cohort files: CSV/TSV, Excel, Parquet, JSON, DataFrames, several files or a folder.

:func:`load_cohort` reads every file as raw cells, checks the raw header row, runs the
personal-data guard, maps headers and values onto the canonical schema and hands the
tables to :func:`mentoranalytics.validation.validate`, which reports every problem at
once.  :func:`write_table` and :func:`write_template` write tables and an empty cohort
template.
"""

from __future__ import annotations

import csv
import hashlib
import io as _io
import json
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from . import schema
from .cohort import Cohort
from .exceptions import DataQualityWarning, PersonalDataError, SchemaError
from .schema import SCHEMA
from .validation import (
    SOURCE_COLUMNS,
    Table,
    Validation,
    _is_text_dtype,
    _text_of,
    advice_for_cli,
    advise_allow,
    advise_columns,
    advise_drop,
    close_match,
    column_letter,
    format_problems,
    validate,
)

__all__ = ["SUFFIXES", "load_cohort", "write_table", "write_template"]

#: File types read by :func:`load_cohort` (also when it is given a folder).
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
}

_DELIMITERS = (",", ";", "\t", "|")
_MAPPING_KEYS = ("columns", "values", "drop_columns", "allow_columns", "followup")
_FOLLOWUP_KEYS = ("columns", "values", "drop_columns", "allow_columns")
#: Every column a mapping may name: the cohort's and the follow-up record's.
_ANY_SCHEMA: dict[str, schema.Column] = {**schema.FOLLOWUP_SCHEMA, **SCHEMA}
_SAMPLE_BYTES = 1 << 16
_NON_SPACE = re.compile(rb"[^\s]")


# --------------------------------------------------------------------------------------
# The user's mapping
# --------------------------------------------------------------------------------------


@dataclass
class _Spec:
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[Any, Any]] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    used_columns: set[str] = field(default_factory=set)
    used_drop: set[str] = field(default_factory=set)
    suggest_columns: dict[str, str] = field(default_factory=dict)
    table: Literal["cohort", "followup"] = "cohort"
    followup: dict[str, Any] = field(default_factory=dict)

    @property
    def aliases(self) -> dict[str, str]:
        """Header aliases of this table (``normalise_header(raw) -> canonical``)."""
        return schema.FOLLOWUP_HEADER_ALIASES if self.table == "followup" else schema.HEADER_ALIASES

    @property
    def schema(self) -> dict[str, schema.Column]:
        """The canonical columns of this table."""
        return schema.FOLLOWUP_SCHEMA if self.table == "followup" else SCHEMA

    @property
    def required(self) -> tuple[str, ...]:
        """The required columns of this table."""
        return (
            schema.FOLLOWUP_REQUIRED_COLUMNS
            if self.table == "followup"
            else schema.REQUIRED_COLUMNS
        )

    def target(self, header: str) -> str | None:
        """The user's canonical name for a raw header, if they mapped it."""
        if header in self.columns:
            self.used_columns.add(header)
            return self.columns[header]
        stripped = header.strip()
        norm = schema.normalise_header(stripped)
        for key, value in self.columns.items():
            if key.strip() == stripped or (norm and schema.normalise_header(key) == norm):
                self.used_columns.add(key)
                return value
        return None

    def dropped(self, header: str) -> bool:
        norm = schema.normalise_header(header)
        for key in self.drop:
            if (
                key == header
                or key.strip() == header.strip()
                or (norm and schema.normalise_header(key) == norm)
            ):
                self.used_drop.add(key)
                return True
        return False


def _yaml_load(path: Path) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        """SafeLoader that keeps yes/no/on/off as text (YAML 1.1 would turn them into bools)."""

    Loader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    with open(path, encoding="utf-8-sig") as fh:
        try:
            return yaml.load(fh, Loader=Loader)
        except yaml.YAMLError as exc:
            raise SchemaError(
                f"mapping file {path.name!r} is not valid YAML ({exc}). The expected format "
                "is:\ncolumns:\n  Their Header: canonical_name\nvalues:\n  gender:\n"
                "    their value: woman"
            ) from None


def _as_names(value: Any, param: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        out = []
        for v in value:
            if not isinstance(v, str):
                raise SchemaError(
                    f"{param} must be a list of column headers (text), got an item of type "
                    f"{type(v).__name__}: e.g. {param}=['Name', 'Email']."
                )
            out.append(v)
        return out
    raise SchemaError(
        f"{param} must be a list of column headers, not {type(value).__name__}: "
        f"e.g. {param}=['Name', 'Email']."
    )


def _close_column(name: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """The canonical column a name is a near-certain misspelling of (or None)."""
    return close_match(
        schema.normalise_header(name), schema.HEADER_ALIASES if aliases is None else aliases
    )


def _check_columns_arg(columns: Any, where: str) -> dict[str, str]:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping):
        raise SchemaError(
            f"{where} must map your headers to canonical names, e.g. "
            f"{{'Sex': 'gender'}}; got {type(columns).__name__}."
        )
    out: dict[str, str] = {}
    for key, target in columns.items():
        if not isinstance(target, str) or not target.strip():
            raise SchemaError(
                f"{where}: the header {str(key)!r} must map to a column name (text), "
                f"not {target!r}. Canonical names: {', '.join(schema.CANONICAL_COLUMNS)}."
            )
        target = target.strip()
        if target not in _ANY_SCHEMA:
            canonical = schema.HEADER_ALIASES.get(schema.normalise_header(target))
            if canonical is not None:
                target = canonical
            else:
                close = _close_column(target)
                if close:
                    raise SchemaError(
                        f"{where}: {str(key)!r} is mapped to {target!r}, which is not a "
                        f"canonical column. Did you mean {close!r}? Canonical names: "
                        f"{', '.join(schema.CANONICAL_COLUMNS)}."
                    )
        out[str(key)] = target
    return out


def _check_value_target(column: str, key: Any, target: Any, where: str) -> Any:
    col = _ANY_SCHEMA[column]
    if target is None:
        return None
    shown = f"{where}[{column!r}][{key!r}]"
    if col.kind == "category":
        text = str(target).strip()
        if text in (col.categories or ()):
            return text
        alias = schema.VALUE_ALIASES[column].get(schema.normalise_value(text))
        if alias is not None:
            return alias
        options = {schema.normalise_value(c): c for c in col.categories or ()}
        close = close_match(schema.normalise_value(text), options)
        did = f" Did you mean {close!r}?" if close else ""
        raise SchemaError(
            f"{shown} = {target!r} is not a {column} category; allowed: {col.allowed} "
            f"(or None for missing).{did}"
        )
    if col.kind == "bool":
        if isinstance(target, (bool, np.bool_)):
            return bool(target)
        norm = schema.normalise_value(target)
        if norm in schema.TRUE_WORDS:
            return True
        if norm in schema.FALSE_WORDS:
            return False
        raise SchemaError(
            f"{shown} = {target!r} is not a yes/no value; use True, False or None (missing)."
        )
    if col.kind in ("ordinal", "count", "number"):
        try:
            number = float(str(target).replace(",", ".")) if not isinstance(target, bool) else None
        except ValueError:
            number = None
        ok = number is not None and np.isfinite(number)
        if ok and number is not None:
            if col.kind in ("ordinal", "count") and number != int(number):
                ok = False
            if col.minimum is not None and number < col.minimum:
                ok = False
            if col.maximum is not None and number > col.maximum:
                ok = False
        if not ok or number is None:
            raise SchemaError(f"{shown} = {target!r} is not allowed; {column} takes {col.allowed}.")
        return number
    return str(target)


def _check_values_arg(values: Any, where: str) -> dict[str, dict[Any, Any]]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise SchemaError(
            f"{where} must map canonical columns to value maps, e.g. "
            f"{{'gender': {{'W': 'woman'}}}}; got {type(values).__name__}."
        )
    out: dict[str, dict[Any, Any]] = {}
    for column, table in values.items():
        name = str(column)
        if name not in _ANY_SCHEMA or _ANY_SCHEMA[name].kind == "id":
            close = _close_column(name) if name not in _ANY_SCHEMA else None
            did = f" Did you mean {close!r}?" if close and SCHEMA[close].kind != "id" else ""
            raise SchemaError(
                f"{where} has the key {name!r}, which is not a canonical column whose values "
                f"can be mapped.{did} Keys are canonical column names such as 'gender'."
            )
        if not isinstance(table, Mapping):
            raise SchemaError(
                f"{where}[{name!r}] must map your values to canonical ones, e.g. "
                f"{{'W': 'woman'}}; got {type(table).__name__}."
            )
        out[name] = {k: _check_value_target(name, k, v, where) for k, v in table.items()}
    return out


def _build_spec(
    columns: Any, values: Any, mapping: Any, drop_columns: Any, allow_columns: Any
) -> _Spec:
    spec = _Spec()
    if mapping is not None:
        if isinstance(mapping, Mapping):
            doc: Any = mapping
            where = "mapping"
        else:
            path = Path(os.fspath(mapping))
            if not path.is_file():
                raise FileNotFoundError(2, "mapping file not found", str(path))
            doc = _yaml_load(path)
            where = f"mapping file {path.name!r}"
        if doc is None:
            doc = {}
        if not isinstance(doc, Mapping):
            raise SchemaError(
                f"{where} must hold the keys {', '.join(_MAPPING_KEYS)}; it holds a "
                f"{type(doc).__name__}."
            )
        unknown = [str(k) for k in doc if k not in _MAPPING_KEYS]
        if unknown:
            raise SchemaError(
                f"{where} has unknown key(s) {unknown}; allowed keys: {', '.join(_MAPPING_KEYS)}."
            )
        spec.columns.update(_check_columns_arg(doc.get("columns"), f"{where} 'columns'"))
        for col, table in _check_values_arg(doc.get("values"), f"{where} 'values'").items():
            spec.values.setdefault(col, {}).update(table)
        spec.drop += _as_names(doc.get("drop_columns"), f"{where} 'drop_columns'")
        spec.allow += _as_names(doc.get("allow_columns"), f"{where} 'allow_columns'")
        section = doc.get("followup")
        if section is not None:
            if not isinstance(section, Mapping):
                raise SchemaError(
                    f"{where} 'followup' must hold the keys {', '.join(_FOLLOWUP_KEYS)} for "
                    f"the follow-up file; it holds a {type(section).__name__}."
                )
            unknown = [str(k) for k in section if k not in _FOLLOWUP_KEYS]
            if unknown:
                raise SchemaError(
                    f"{where} 'followup' has unknown key(s) {unknown}; allowed keys: "
                    f"{', '.join(_FOLLOWUP_KEYS)}."
                )
            w = f"{where} 'followup'"
            spec.followup = {
                "columns": _check_columns_arg(section.get("columns"), f"{w} 'columns'"),
                "values": _check_values_arg(section.get("values"), f"{w} 'values'"),
                "drop": _as_names(section.get("drop_columns"), f"{w} 'drop_columns'"),
                "allow": _as_names(section.get("allow_columns"), f"{w} 'allow_columns'"),
            }
    spec.columns.update(_check_columns_arg(columns, "columns"))
    for col, table in _check_values_arg(values, "values").items():
        spec.values.setdefault(col, {}).update(table)
    spec.drop += _as_names(drop_columns, "drop_columns")
    spec.allow += _as_names(allow_columns, "allow_columns")
    return spec


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------


@dataclass
class _Source:
    label: str
    kind: str  # csv, tsv, excel, parquet, json, frame
    path: Path | None = None
    frame: pd.DataFrame | None = None


def _resolve_sources(source: Any) -> list[_Source]:
    if isinstance(source, pd.DataFrame):
        return [_Source("<DataFrame>", "frame", frame=source)]
    if isinstance(source, (str, os.PathLike)):
        path = Path(os.fspath(source))
        if path.is_dir():
            files = sorted(
                p
                for p in path.iterdir()
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not p.name.startswith((".", "~$"))
            )
            if not files:
                raise SchemaError(
                    f"The folder {path.name!r} holds no cohort files (looked for "
                    f"{', '.join(sorted(SUFFIXES))})."
                )
            return _label([_file_source(p) for p in files])
        return _label([_file_source(path)])
    if isinstance(source, Iterable) and not isinstance(source, (bytes, Mapping)):
        items = list(source)
        if not items:
            raise SchemaError("source is an empty list; give one or more files or a folder.")
        out: list[_Source] = []
        for k, item in enumerate(items, start=1):
            if isinstance(item, pd.DataFrame):
                out.append(_Source(f"<DataFrame {k}>", "frame", frame=item))
            elif isinstance(item, (str, os.PathLike)):
                out.append(_file_source(Path(os.fspath(item))))
            else:
                raise SchemaError(
                    f"source item {k} is a {type(item).__name__}; give file paths or DataFrames."
                )
        return _label(out)
    raise SchemaError(
        f"source must be a file path, a folder, a list of files or a pandas DataFrame, not "
        f"{type(source).__name__}."
    )


def _file_source(path: Path) -> _Source:
    if not path.exists():
        raise FileNotFoundError(2, "No such file or directory", str(path))
    if path.is_dir():
        raise SchemaError(f"{path.name!r} is a folder; pass the folder on its own, not in a list.")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        if path.suffix.lower() == ".xls":
            raise SchemaError(
                f"{path.name!r} is an old Excel 97-2003 workbook (.xls), which is not read; "
                "save it as .xlsx or export it as CSV."
            )
        raise SchemaError(
            f"{path.name!r}: file type {path.suffix or '(none)'!r} is not read; use one of "
            f"{', '.join(sorted(SUFFIXES))}."
        )
    return _Source(path.name, kind, path=path)


def _label(sources: list[_Source]) -> list[_Source]:
    names = [s.label for s in sources]
    for s in sources:
        if s.path is not None and names.count(s.label) > 1:
            s.label = str(s.path)
    return sources


def cohort_label_from_name(name: str) -> str:
    """Cohort label taken from a file name: a year if it holds one, else the stem.

    >>> cohort_label_from_name("cohort_2019.csv"), cohort_label_from_name("Intake-B.xlsx")
    ('2019', 'Intake-B')
    >>> cohort_label_from_name("cohort a.csv")
    'a'
    """
    stem = Path(name).stem
    years = re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", stem)
    if len(years) == 1:
        return years[0]
    label = re.sub(r"(?i)^cohort[\s_\-.]*|[\s_\-.]*cohort$", "", stem).strip(" _-.")
    return label or stem


# --------------------------------------------------------------------------------------
# What a file holds: content sniffing, headers shown in messages
# --------------------------------------------------------------------------------------

#: (what the bytes are, what to do) by content kind; "text" is a text file.
_CONTENT: dict[str, tuple[str, str]] = {
    "excel": (
        "an Excel workbook",
        "save it as CSV (File > Save As > CSV UTF-8) or rename it .xlsx",
    ),
    "ods": ("an OpenDocument spreadsheet", "save it as .xlsx or CSV"),
    "xls": (
        "an old Excel 97-2003 workbook (.xls)",
        "open it in Excel and save it as .xlsx or CSV",
    ),
    "word": ("a Word document", "copy the table into a spreadsheet and save that as CSV or .xlsx"),
    "doc": (
        "an old Word document (.doc)",
        "copy the table into a spreadsheet and save that as CSV or .xlsx",
    ),
    "ole": ("an old Microsoft Office file", "open it and save the table as CSV or .xlsx"),
    "powerpoint": (
        "a PowerPoint presentation",
        "copy the table into a spreadsheet and save that as CSV or .xlsx",
    ),
    "odt": (
        "an OpenDocument text",
        "copy the table into a spreadsheet and save that as CSV or .xlsx",
    ),
    "zip": ("a zip archive", "unpack it and give the cohort file inside"),
    "gzip": ("a compressed (gzip) file", "unpack it and give the cohort file inside"),
    "pdf": (
        "a PDF document",
        "export the table from the program that made the PDF as CSV or .xlsx",
    ),
    "rtf": (
        "an RTF (rich text) document",
        "copy the table into a spreadsheet and save that as CSV or .xlsx",
    ),
    "image": ("an image", "a picture of a table cannot be read; export the table as CSV or .xlsx"),
    "sqlite": ("a database file", "export the table as CSV or .xlsx"),
    "parquet": ("a Parquet file", "rename it .parquet"),
    "utf16": (
        "UTF-16 text without a byte-order mark",
        "save it again as CSV UTF-8",
    ),
    "binary": ("a binary file (not text)", "export the table as CSV or .xlsx"),
    "text": ("a text (CSV) file", "rename it .csv"),
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "pdf"),
    (b"PAR1", "parquet"),
    (b"\x1f\x8b", "gzip"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"SQLite format 3", "sqlite"),
)


#: Control bytes that do not occur in text (tab, line ends and form feed do).
_CONTROL_BYTES = bytes([*range(1, 9), 11, *range(14, 32), 127])


def _content_kind(data: bytes) -> str:
    """What a file's bytes are: "text", "excel", "word", "xls", "pdf", "binary", ...

    Only the start of the file is looked at (and a zip's list of names).

    >>> _content_kind(b"participant_id,gender\\nP1,F\\n"), _content_kind(b"%PDF-1.7 ...")
    ('text', 'pdf')
    >>> _content_kind(bytes(range(256)))
    'binary'
    """
    head = data[:_SAMPLE_BYTES]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if "Workbook".encode("utf-16-le") in data:
            return "xls"
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        return "ole"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return "text"  # a byte-order mark: UTF-8 or UTF-16 text
    if b"\x00" in head:
        odd, even = head[1::2], head[0::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf16"
        return "binary"
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > 0.05 * max(len(head), 1):
        return "binary"
    return "text"


def _zip_kind(data: bytes) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as zf:
            names = zf.namelist()
            mimetype = zf.read("mimetype") if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return "zip"
    if any(n.startswith("xl/") for n in names):
        return "excel"
    if any(n.startswith("word/") for n in names):
        return "word"
    if any(n.startswith("ppt/") for n in names):
        return "powerpoint"
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    if b"opendocument.text" in mimetype:
        return "odt"
    return "zip"


#: Content kinds each reader accepts.
_READS: dict[str, tuple[str, ...]] = {
    "csv": ("text",),
    "tsv": ("text",),
    "json": ("text",),
    "excel": ("excel",),
    "parquet": ("parquet",),
}


def _wrong_content(src: _Source, data: bytes, sha: str) -> _Raw | None:
    """An unusable raw table when the bytes are not what the file name says."""
    if not data:
        return None
    kind = _content_kind(data)
    if kind in _READS.get(src.kind, (kind,)):
        return None
    what, fix = _CONTENT[kind]
    expected = {
        "csv": "a CSV file",
        "tsv": "a TSV file",
        "json": "a JSON file",
        "excel": "an Excel workbook (.xlsx)",
        "parquet": "a Parquet file",
    }[src.kind]
    return _empty_raw(
        src,
        src.kind,
        "unreadable_file",
        f"{src.label!r} looks like {what}, not {expected}: {fix}.",
        sha256=sha,
    )


_HEADERS_LISTED = 12


def _header_shown(header: str, position: int) -> str:
    """A header as a message shows it: quoted, or described by its position when it looks
    like personal data, is long or is not printable (it is never echoed then)."""
    from .privacy.identifier_guard import FIRST_NAMES, header_is_personal

    text = header.strip()
    first = re.match(
        r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof)\.?\s+)?([A-Za-z][A-Za-z'\-]*)\s+[A-Z]", text
    )
    if header_is_personal(text) or (first is not None and first.group(1).lower() in FIRST_NAMES):
        return f"column {position + 1} (its header looks like personal data; not shown)"
    if len(text) > 40 or not text.isprintable():
        return f"column {position + 1} (a header of {len(text)} characters; not shown)"
    return repr(text)


def _headers_shown(headers: Sequence[str]) -> str:
    """The first headers of a file for a message, personal-looking ones described."""
    filled = [(i, h) for i, h in enumerate(headers) if h.strip()]
    shown = [_header_shown(h, i) for i, h in filled[:_HEADERS_LISTED]]
    more = f", ... ({len(filled)} headers)" if len(filled) > _HEADERS_LISTED else ""
    return ("[" + ", ".join(shown) + more + "]") if shown else "none"


def _cli_word(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_.\-]+", text) else repr(text)


def _no_cohort_columns(label: str, headers: Sequence[str], spec: _Spec) -> dict | None:
    """The file-level problem for a table none of whose headers is a cohort column."""
    named = [h for h in headers if h.strip()]
    if any(_canonical(h, spec) is not None for h in named):
        return None
    keys = {schema.normalise_header(h): h.strip() for h in named[:1000]}
    if any(_close_header(req, keys, spec.aliases) is not None for req in spec.required):
        return None  # a misspelt required header: the missing-column message says which
    if spec.table == "followup":
        return _problem(
            label,
            "no_cohort_columns",
            "No follow-up columns found here (expected at least participant_id and months; "
            f"found headers: {_headers_shown(headers)}). Check that this is the follow-up "
            "file and that its first row holds the column names; map your own headers with "
            f"{advise_columns('Your header', 'months')}.",
        )
    return _problem(
        label,
        "no_cohort_columns",
        "No cohort columns found here (expected at least participant_id and gender; "
        f"found headers: {_headers_shown(headers)}). Check that this is the cohort file "
        "and that its first row holds the column names; map your own headers with "
        f"{advise_columns('Your header', 'gender')}.",
    )


# --------------------------------------------------------------------------------------
# Raw tables
# --------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """One sheet of raw cells: positional columns, the original header row."""

    label: str
    fmt: str
    headers: list[str]
    frame: pd.DataFrame  # columns 0..len(headers)-1
    rows: np.ndarray
    header_row: int | None = None
    blank: np.ndarray | None = None
    ragged: np.ndarray | None = None
    fields: np.ndarray | None = None
    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    sha256: str | None = None
    decimal_comma: bool = False
    typed: bool = False
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    usable: bool = True


def _source_record(raw: _Raw) -> dict[str, Any]:
    """One row of ``Cohort.source``: the file, how it was read, and its data rows."""
    return {
        "file": raw.label,
        "format": raw.fmt,
        "sheet": raw.sheet,
        "encoding": raw.encoding,
        "delimiter": raw.delimiter,
        "sha256": raw.sha256,
        "rows_read": len(raw.frame) if raw.usable else 0,
    }


def _table_of(raw: _Raw, names: Mapping[int, str], *, cohort_label: str | None = None) -> Table:
    """The validator's input from a read file: its mapped columns under canonical names."""
    frame = raw.frame[list(names)]
    frame.columns = list(names.values())
    return Table(
        file=raw.label,
        frame=frame,
        rows=raw.rows,
        blank=raw.blank,
        ragged=raw.ragged,
        fields=raw.fields,
        header_fields=len(raw.headers),
        delimiter=raw.delimiter,
        decimal_comma=raw.decimal_comma,
        keep_extra_dtypes=raw.typed and raw.fmt in ("frame", "parquet"),
        cohort_label=cohort_label,
    )


def _problem(file: str, rule: str, message: str, column: Any = None, row: Any = None) -> dict:
    return {"file": file, "row": row, "column": column, "rule": rule, "message": message}


def _empty_raw(src: _Source, fmt: str, rule: str, message: str, **meta: Any) -> _Raw:
    raw = _Raw(
        label=src.label,
        fmt=fmt,
        headers=[],
        frame=pd.DataFrame(),
        rows=np.zeros(0, dtype=np.int64),
        usable=False,
        **meta,
    )
    raw.problems.append(_problem(src.label, rule, message))
    return raw


def _decode(data: bytes) -> tuple[bytes, str]:
    """Bytes in an ASCII-compatible encoding without BOM, and that encoding's name."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        return text.encode("utf-8"), "utf-16"
    if data.isascii():
        return data, "utf-8"
    for enc in ("utf-8", "cp1252"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return data, enc
    return data, "latin-1"


def _codec(encoding: str) -> str:
    return {"utf-8-sig": "utf-8", "utf-16": "utf-8"}.get(encoding, encoding)


def _sniff(sample: str, default: str) -> str:
    """The delimiter that splits the header and most early lines into the same count."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if not lines:
        return default
    best = (default, -1.0, 1)
    for delim in _DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delim)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        same = sum(c == counts[0] for c in counts) / len(counts)
        score = (same, counts[0])
        if score > (best[1], best[2]):
            best = (delim, same, counts[0])
    return best[0]


def _header_record(text: str, delimiter: str) -> tuple[list[str], int, int] | None:
    """(header fields, blank records before it, physical lines used through the header)."""
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter)
    blank = 0
    try:
        for record in reader:
            if all(not f.strip() for f in record):
                blank += 1
                continue
            return record, blank, reader.line_num
    except csv.Error:
        return None
    return None


def _line_offset(data: bytes, lines: int) -> int:
    """Byte offset just after the first ``lines`` physical lines."""
    pos = 0
    for _ in range(lines):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return len(data)
        pos = nxt + 1
    return pos


def _field_counts(data: bytes, offset: int, delimiter: str) -> tuple[np.ndarray, bool]:
    """Fields per record after ``offset`` (quote-aware), and whether quoting looked regular.

    A record ends at a newline outside quotes; its fields are the delimiters outside
    quotes plus one.  Quoting is regular when every quote character touches a
    delimiter, a line end or another quote (otherwise the caller uses the csv module).
    """
    arr = np.frombuffer(data, dtype=np.uint8, offset=offset)
    d = ord(delimiter)
    is_quote = arr == ord('"')
    if is_quote.any():
        parity = np.cumsum(is_quote, dtype=np.uint8) & 1
        outside = parity == 0
        qpos = np.flatnonzero(is_quote)
        prev = np.where(qpos > 0, arr[np.maximum(qpos - 1, 0)], 10)
        nxt = np.where(qpos < len(arr) - 1, arr[np.minimum(qpos + 1, len(arr) - 1)], 10)
        edge = (d, 10, 13, ord('"'))
        regular = bool(np.all(np.isin(prev, edge) | np.isin(nxt, edge)))
        nl = np.flatnonzero((arr == 10) & outside)
        dp = np.flatnonzero((arr == d) & outside)
    else:
        regular = True
        nl = np.flatnonzero(arr == 10)
        dp = np.flatnonzero(arr == d)
    ends = np.append(nl, len(arr))
    if len(arr) and arr[-1] == 10 and (not len(nl) or nl[-1] == len(arr) - 1):
        ends = ends[:-1]
    counts = np.diff(np.searchsorted(dp, ends), prepend=0) + 1
    return counts.astype(np.int64), regular


def _read_text(src: _Source, spec: _Spec) -> _Raw:
    assert src.path is not None
    data = src.path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    fmt = src.kind
    meta: dict[str, Any] = {"sha256": sha}
    wrong = _wrong_content(src, data, sha)
    if wrong is not None:
        return wrong
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        return _empty_raw(
            src,
            fmt,
            "empty_file",
            "The file is empty (no header, no rows). Check that the export wrote the data.",
            **meta,
        )
    data, encoding = _decode(data)
    codec = _codec(encoding)
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")  # old Mac line ends
    sample = data[:_SAMPLE_BYTES].decode(codec, errors="replace")
    delimiter = _sniff(sample, "\t" if fmt == "tsv" else ",")
    meta.update(encoding=encoding, delimiter=delimiter)
    found = _header_record(sample, delimiter)
    if found is None:
        text = data.decode(codec, errors="replace")
        found = _header_record(text, delimiter)
    if found is None:
        if data.strip(b" \t\r\n" + delimiter.encode()):
            return _empty_raw(
                src,
                fmt,
                "unreadable_file",
                "The file could not be read as a table: an "
                'opening quote (") is never closed. Close the quote or remove it.',
                **meta,
            )
        return _empty_raw(src, fmt, "empty_file", "The file holds only blank rows.", **meta)
    headers, leading, lines = found
    header_row = leading + 1
    nothing = _no_cohort_columns(src.label, headers, spec)
    if nothing is not None:  # before the body is parsed or scanned for personal data
        raw = _empty_raw(src, fmt, "no_cohort_columns", "", **meta)
        raw.problems = [nothing]
        return raw
    offset = _line_offset(data, lines)
    width = len(headers)
    decimal_comma = delimiter == ";"
    # columns read as text as they are (ids, cohorts, extra columns): the others are
    # typed by the CSV parser (fast) and checked again by the validator
    as_text = [i for i, h in enumerate(headers) if _text_column(h, spec)]
    raw = _Raw(
        label=src.label,
        fmt=fmt,
        headers=headers,
        frame=pd.DataFrame(),
        rows=np.zeros(0, dtype=np.int64),
        header_row=header_row,
        delimiter=delimiter,
        encoding=encoding,
        sha256=sha,
        decimal_comma=decimal_comma,
    )
    if leading:
        raw.notes.append(
            _problem(
                src.label,
                "blank_rows_skipped",
                f"{leading} blank row(s) before the header skipped; the header is row "
                f"{header_row}.",
                row=header_row,
            )
        )
    if _NON_SPACE.search(data, offset) is None:
        raw.frame = pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})
        raw.fields = np.zeros(0, dtype=np.int64)
        return raw
    frame, fields, error = _parse_body(
        data, offset, delimiter, codec, width, as_text, decimal_comma
    )
    if error is not None:
        match = re.search(r"EOF inside string starting at row (\d+)", error)
        where = f" in row {header_row + 1 + int(match.group(1))}" if match else ""
        raw.problems.append(
            _problem(
                src.label,
                "unreadable_file",
                f'The file could not be read as a table: an opening quote (") {where} is never '
                "closed, so the rest of the file would be one cell. Close or remove the quote.",
                row=header_row + 1 + int(match.group(1)) if match else None,
            )
        )
        raw.usable = False
        return raw
    raw.frame = frame
    raw.fields = fields
    raw.rows = header_row + 1 + np.arange(len(frame), dtype=np.int64)
    return raw


def _text_column(header: str, spec: _Spec) -> bool:
    target = spec.target(header)
    if target is None:
        target = spec.aliases.get(schema.normalise_header(header))
    if target is None or target not in spec.schema:
        return True  # extra columns are kept as text
    return spec.schema[target].kind in ("id", "string")


def _text_dtype() -> Any:
    """Dtype for columns read as text: Arrow strings when pyarrow is there (fastest)."""
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is optional
        return str
    return pd.ArrowDtype(pa.string())


def _parse_body(
    data: bytes,
    offset: int,
    delimiter: str,
    codec: str,
    width: int,
    as_text: Sequence[int],
    decimal_comma: bool,
) -> tuple[pd.DataFrame, np.ndarray, str | None]:
    """Parse the rows after ``offset``: (frame with columns 0..width-1, fields per row, error).

    The fast path is pandas' C parser.  Columns that are not read as text are typed by
    it (numbers, True/False) and checked again cell by cell by the validator.  Fields
    per row are counted on the bytes (quote-aware) when the delimiter count does not
    already prove that every row has ``width`` fields.  Irregular quoting falls back to
    Python's csv module.
    """
    fields: np.ndarray | None = None
    has_quotes = data.find(b'"', offset) >= 0
    regular = True
    names_n = width
    text_dtype = _text_dtype()
    for _attempt in range(2):
        names = [f"c{i}" for i in range(names_n)]
        buffer = _io.BytesIO(data)
        buffer.seek(offset)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    buffer,
                    sep=delimiter,
                    header=None,
                    names=names,
                    dtype={f"c{i}": text_dtype for i in as_text},
                    keep_default_na=False,
                    na_values=[""],
                    skip_blank_lines=False,
                    encoding=codec,
                    decimal="," if decimal_comma else ".",
                    quotechar='"',
                    doublequote=True,
                    engine="c",
                    low_memory=False,
                )
        except pd.errors.ParserError as exc:
            message = str(exc)
            if "EOF inside string" in message:
                return pd.DataFrame(), np.zeros(0, dtype=np.int64), message
            if fields is None and "Expected" in message:
                fields, regular = _field_counts(data, offset, delimiter)
                names_n = max(width, int(fields.max()))
                continue
            break
        else:
            n = len(frame)
            if fields is None:
                count = data.count(delimiter.encode(), offset)
                if not has_quotes and count == (width - 1) * n:
                    fields = np.full(n, width, dtype=np.int64)
                else:
                    fields, regular = _field_counts(data, offset, delimiter)
            if regular and len(fields) == n:
                frame = frame.iloc[:, :width]
                frame.columns = range(width)
                return frame, fields, None
            break
    return _parse_body_python(data[offset:], delimiter, codec, width)


def _parse_body_python(
    body: bytes, delimiter: str, codec: str, width: int
) -> tuple[pd.DataFrame, np.ndarray, str | None]:
    """Slow but forgiving parse (irregular quoting, ragged rows): Python's csv module."""
    text = body.decode(codec, errors="replace")
    records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    fields = np.array([len(r) for r in records], dtype=np.int64)
    cells = np.full((len(records), width), None, dtype=object)
    for i, record in enumerate(records):
        vals = [v if v != "" else None for v in record[:width]]
        cells[i, : len(vals)] = vals
    frame = pd.DataFrame(cells, columns=range(width))
    return frame, fields, None


def _read_excel(src: _Source, spec: _Spec, sheet: Any) -> _Raw:
    assert src.path is not None
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    data = src.path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data:
        return _empty_raw(src, "excel", "empty_file", "The file is empty.", sha256=sha)
    wrong = _wrong_content(src, data, sha)
    if wrong is not None:
        return wrong
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wb = openpyxl.load_workbook(_io.BytesIO(data), data_only=True, read_only=False)
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        return _empty_raw(
            src,
            "excel",
            "unreadable_file",
            f"The workbook could not be opened ({type(exc).__name__}); save it again as .xlsx.",
            sha256=sha,
        )
    try:
        names = list(wb.sheetnames)
        grids = {}

        def grid(name: str) -> list[tuple[Any, ...]]:
            if name not in grids:
                ws = wb[name]
                grids[name] = list(
                    ws.iter_rows(
                        min_row=1,
                        min_col=1,
                        max_row=ws.max_row,
                        max_col=ws.max_column,
                        values_only=True,
                    )
                )
            return grids[name]

        chosen, problem, note = _choose_sheet(src.label, wb, names, sheet, spec, grid)
        if problem is not None:
            raw = _empty_raw(src, "excel", problem[0], problem[1], sha256=sha)
            return raw
        assert chosen is not None
        cells = grid(chosen)
    finally:
        wb.close()
    raw = _grid_raw(src, cells, sha, chosen)
    if note:
        raw.notes.append(_problem(src.label, "sheet_chosen", note))
    return raw


def _header_index(cells: list[tuple[Any, ...]]) -> int | None:
    for i, row in enumerate(cells):
        if any(v is not None and str(v).strip() for v in row):
            return i
    return None


def _choose_sheet(
    label: str, wb: Any, names: list[str], sheet: Any, spec: _Spec, grid: Any
) -> tuple[str | None, tuple[str, str] | None, str | None]:
    listed = ", ".join(repr(n) for n in names)
    if sheet is not None:
        if isinstance(sheet, int) and not isinstance(sheet, bool):
            if 0 <= sheet < len(names):
                return names[sheet], None, None
            return (
                None,
                (
                    "sheet_not_found",
                    f"sheet={sheet} but the workbook has "
                    f"{len(names)} sheet(s): {listed} (sheet numbers start at 0).",
                ),
                None,
            )
        if str(sheet) in names:
            return str(sheet), None, None
        if str(sheet).strip().isdigit() and int(sheet) < len(names):
            return names[int(sheet)], None, None  # a number given as text (command line)
        close = close_match(
            schema.normalise_value(sheet), {schema.normalise_value(n): n for n in names}
        )
        did = f" Did you mean {close!r}?" if close else ""
        return (
            None,
            (
                "sheet_not_found",
                f"No sheet {str(sheet)!r} in the workbook; its sheets are {listed}.{did}",
            ),
            None,
        )
    visible = [n for n in names if wb[n].sheet_state == "visible"] or names
    if len(visible) == 1:
        return visible[0], None, None
    fitting = []
    for name in visible:
        cells = grid(name)
        h = _header_index(cells)
        if h is None:
            continue
        mapped = {_canonical(str(v), spec) for v in cells[h] if v is not None}
        if set(spec.required) <= mapped:
            fitting.append(name)
    if len(fitting) == 1:
        others = ", ".join(repr(n) for n in visible if n != fitting[0])
        return (
            fitting[0],
            None,
            (
                f"read sheet {fitting[0]!r}, the only one with the required columns "
                f"(other sheets: {others}); choose another with "
                f"{'--sheet' if advice_for_cli() else 'sheet='}."
            ),
        )
    why = (
        "several of them have the required columns"
        if fitting
        else "none of them has the required columns participant_id and gender"
    )
    example = (
        f"--sheet {_cli_word(visible[0])} (or --sheet 0)"
        if advice_for_cli()
        else f"sheet={visible[0]!r} (or sheet=0)"
    )
    return (
        None,
        (
            "ambiguous_sheet",
            f"The workbook has {len(visible)} sheets ({listed}) and {why}; say which to read, e.g. {example}.",
        ),
        None,
    )


def _canonical(header: str, spec: _Spec) -> str | None:
    target = spec.target(header)
    if target is not None:
        return target
    return spec.aliases.get(schema.normalise_header(header))


def _grid_raw(src: _Source, cells: list[tuple[Any, ...]], sha: str, sheet: str) -> _Raw:
    h = _header_index(cells)
    if h is None:
        return _empty_raw(
            src, "excel", "empty_file", f"The sheet {sheet!r} is empty.", sha256=sha, sheet=sheet
        )
    width = max(len(r) for r in cells)
    header_cells = list(cells[h]) + [None] * (width - len(cells[h]))
    headers = ["" if v is None else _text_of(v)[0] for v in header_cells]
    body = cells[h + 1 :]
    grid = np.full((len(body), width), None, dtype=object)
    for i, row in enumerate(body):
        grid[i, : len(row)] = row
    frame = pd.DataFrame(grid, columns=range(width))
    raw = _Raw(
        label=src.label,
        fmt="excel",
        headers=headers,
        frame=frame,
        rows=np.arange(len(body), dtype=np.int64) + h + 2,
        header_row=h + 1,
        sheet=sheet,
        sha256=sha,
    )
    if h:
        raw.notes.append(
            _problem(
                src.label,
                "blank_rows_skipped",
                f"{h} blank row(s) before the header skipped; the header is row {h + 1}.",
                row=h + 1,
            )
        )
    return raw


def _read_parquet(src: _Source) -> _Raw:
    assert src.path is not None
    data = src.path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    wrong = _wrong_content(src, data, sha)
    if wrong is not None:
        return wrong
    try:
        frame = pd.read_parquet(_io.BytesIO(data))
    except ImportError as exc:
        raise ImportError(
            "Reading Parquet files needs pyarrow: pip install 'mentoranalytics[parquet]'."
        ) from exc
    except Exception as exc:
        return _empty_raw(
            src,
            "parquet",
            "unreadable_file",
            f"The Parquet file could not be read ({type(exc).__name__}).",
            sha256=sha,
        )
    raw = _frame_raw(src.label, frame, "parquet", one_based=True)
    raw.sha256 = sha
    return raw


class _DuplicateKeys(Exception):
    pass


def _read_json(src: _Source) -> _Raw:
    assert src.path is not None
    data = src.path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return _empty_raw(src, "json", "empty_file", "The file is empty.", sha256=sha)
    wrong = _wrong_content(src, data, sha)
    if wrong is not None:
        return wrong
    dup_keys: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for k, v in items:
            if k in seen and k not in dup_keys:
                dup_keys.append(k)
            seen[k] = v
        return seen

    text, encoding = _decode(data)
    try:
        doc = json.loads(text.decode(_codec(encoding)), object_pairs_hook=pairs)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _empty_raw(
            src,
            "json",
            "unreadable_file",
            f"The file is not valid JSON ({exc.__class__.__name__} at line "
            f"{getattr(exc, 'lineno', '?')}). The expected form is a list of records: "
            '[{"participant_id": "P01", "gender": "woman", ...}, ...].',
            sha256=sha,
        )
    frame: pd.DataFrame | None = None
    if isinstance(doc, list) and all(isinstance(r, Mapping) for r in doc):
        frame = pd.DataFrame.from_records(doc) if doc else pd.DataFrame()
        keys: list[str] = []
        for r in doc:
            for k in r:
                if k not in keys:
                    keys.append(k)
        frame = frame.reindex(columns=keys) if keys else frame
    elif isinstance(doc, Mapping) and "columns" in doc and "data" in doc:
        frame = pd.DataFrame(doc["data"], columns=doc["columns"])
    elif isinstance(doc, Mapping) and all(isinstance(v, (list, Mapping)) for v in doc.values()):
        frame = pd.DataFrame(doc)
    if frame is None:
        return _empty_raw(
            src,
            "json",
            "unreadable_file",
            "The JSON file is not a table; the expected form is a list of records: "
            '[{"participant_id": "P01", "gender": "woman", ...}, ...].',
            sha256=sha,
        )
    frame = frame.astype(object).where(frame.notna(), None)
    for c in frame.columns:
        frame[c] = [json.dumps(v) if isinstance(v, (list, dict)) else v for v in frame[c]]
    raw = _frame_raw(src.label, frame, "json", one_based=True)
    raw.sha256 = sha
    raw.typed = False
    raw.encoding = encoding
    for k in dup_keys:
        raw.problems.append(
            _problem(
                src.label,
                "duplicate_header",
                f"The key {k!r} appears twice in a record; "
                "JSON keeps only the last value. Rename or remove one.",
                column=k,
            )
        )
    return raw


def _frame_raw(label: str, frame: pd.DataFrame, fmt: str, *, one_based: bool) -> _Raw:
    notes = []
    if frame.index.name is not None or (
        isinstance(frame.index, pd.MultiIndex) and any(n is not None for n in frame.index.names)
    ):
        names = [str(n) for n in frame.index.names if n is not None]
        frame = frame.reset_index()
        notes.append(
            _problem(
                label, "index_as_column", f"The index ({', '.join(names)}) was read as column(s)."
            )
        )
    headers = [_text_of(c)[0] if c is not None else "" for c in frame.columns]
    n = len(frame)
    if one_based:
        rows = np.arange(n, dtype=np.int64) + 1
    elif pd.api.types.is_integer_dtype(frame.index.dtype) and frame.index.is_unique:
        rows = np.asarray(frame.index, dtype=np.int64)
    else:
        rows = np.arange(n, dtype=np.int64)
    positional = frame.copy(deep=False)
    positional.columns = range(len(headers))
    positional.index = pd.RangeIndex(n)
    raw = _Raw(label=label, fmt=fmt, headers=headers, frame=positional, rows=rows, typed=True)
    raw.notes.extend(notes)
    return raw


def _read_source(src: _Source, spec: _Spec, sheet: Any) -> _Raw:
    if src.kind in ("csv", "tsv"):
        return _read_text(src, spec)
    if src.kind == "excel":
        return _read_excel(src, spec, sheet)
    if src.kind == "parquet":
        return _read_parquet(src)
    if src.kind == "json":
        return _read_json(src)
    assert src.frame is not None
    if src.frame.shape[1] == 0:
        return _empty_raw(src, "frame", "empty_file", "The DataFrame has no columns.")
    return _frame_raw(src.label, src.frame, "frame", one_based=False)


# --------------------------------------------------------------------------------------
# Raw checks: blank rows, headers, personal data, mapping
# --------------------------------------------------------------------------------------


def _empty_cells(series: pd.Series) -> np.ndarray:
    """True where a raw cell is empty (missing, or text of only spaces)."""
    empty = np.array(pd.isna(series), dtype=bool)
    dtype = series.dtype
    if _is_text_dtype(dtype):
        empty |= np.array((series.str.strip() == "").fillna(False), dtype=bool)
    elif pd.api.types.is_object_dtype(dtype):
        filled = np.flatnonzero(~empty)
        if filled.size:
            codes, uniques = pd.factorize(series.iloc[filled])
            blank_u = np.array(
                [isinstance(u, str) and not u.strip() for u in np.asarray(uniques, dtype=object)],
                dtype=bool,
            )
            if blank_u.any():
                empty[filled[blank_u[codes]]] = True
    return empty


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose every cell is empty, checked on a shrinking set of candidate rows.

    Typed columns (numbers, booleans) go first: one ``isna`` leaves few candidates.
    """
    n = len(frame)
    candidates = np.arange(n)
    order = sorted(
        frame.columns,
        key=lambda c: (
            0
            if not pd.api.types.is_object_dtype(frame[c].dtype)
            and not pd.api.types.is_string_dtype(frame[c].dtype)
            else 1
        ),
    )
    for c in order:
        if not candidates.size:
            break
        col = frame[c]
        sub = col if len(candidates) == n else col.iloc[candidates]
        candidates = candidates[_empty_cells(sub)]
    out = np.zeros(n, dtype=bool)
    out[candidates] = True
    return out


def _finish_raw(raw: _Raw) -> None:
    """Blank rows (trailing ones are ignored), ragged rows, header-only files."""
    if not raw.usable:
        return
    n = len(raw.frame)
    blank = _blank_rows(raw.frame) if n else np.zeros(0, dtype=bool)
    # blank rows after the last record of a text file or sheet: ignored (editors and
    # spreadsheets leave them); in a DataFrame, JSON or Parquet file they are rows
    filled = np.flatnonzero(~blank)
    last = int(filled[-1]) + 1 if filled.size else 0
    if last < n and raw.fmt in ("csv", "tsv", "excel"):
        trailing = n - last
        if trailing < n:
            raw.notes.append(
                _problem(
                    raw.label,
                    "blank_rows_skipped",
                    f"{trailing} blank row(s) after the last record ignored.",
                )
            )
        raw.frame = raw.frame.iloc[:last]
        raw.rows = raw.rows[:last]
        blank = blank[:last]
        if raw.fields is not None:
            raw.fields = raw.fields[:last]
    raw.blank = blank
    width = len(raw.headers)
    if raw.fields is not None:
        raw.ragged = (raw.fields != width) & ~blank
    else:
        raw.ragged = np.zeros(len(raw.frame), dtype=bool)
    if len(raw.frame) == 0:
        raw.problems.append(
            _problem(
                raw.label,
                "header_only",
                "The file has a header row but no data rows. "
                "Check that the export wrote the data (or that this is the right sheet).",
                row=raw.header_row,
            )
        )


def _column_name(raw: _Raw, i: int) -> str:
    if raw.fmt in ("csv", "tsv", "excel"):
        return f"column {i + 1} ({column_letter(i + 1)})"
    return f"column {i + 1}"


def _header_checks(raw: _Raw, spec: _Spec) -> list[int]:
    """Check the raw header row; return the positions to keep (blank empty ones go)."""
    keep: list[int] = []
    seen: dict[str, int] = {}
    frame = raw.frame
    empty_cache: dict[int, np.ndarray] = {}

    def empty(i: int) -> np.ndarray:
        if i not in empty_cache:
            empty_cache[i] = _empty_cells(frame[i]) if len(frame) else np.zeros(0, bool)
        return empty_cache[i]

    for i, header in enumerate(raw.headers):
        if not header.strip():
            filled = ~empty(i) & ~(raw.ragged if raw.ragged is not None else False)
            if filled.any():
                rows = raw.rows[filled]
                shown = ", ".join(str(int(r)) for r in rows[:5]) + (
                    ", ..." if len(rows) > 5 else ""
                )
                raw.problems.append(
                    _problem(
                        raw.label,
                        "blank_header",
                        f"{_column_name(raw, i)} has no header but holds values in "
                        f"{int(filled.sum())} row(s) (rows {shown}). Add a header (a canonical "
                        "name such as 'mentor_level', or your own) or delete the values.",
                        column=f"({column_letter(i + 1)})",
                        row=raw.header_row,
                    )
                )
            else:
                raw.notes.append(
                    _problem(
                        raw.label,
                        "unnamed_empty_column",
                        f"{_column_name(raw, i)} has no header and no values; ignored.",
                    )
                )
            continue
        personal = _header_shown(header.strip(), i).startswith("column ")
        if header != header.strip() and not personal:  # a personal header is never echoed
            raw.notes.append(
                _problem(
                    raw.label,
                    "padded_header",
                    f"The header {header!r} has spaces at the "
                    f"start or end; read as {header.strip()!r}.",
                    column=header.strip(),
                    row=raw.header_row,
                )
            )
        key = schema.normalise_header(header) or header.strip()
        if key in seen:
            j = seen[key]
            if personal:
                raw.problems.append(
                    _problem(
                        raw.label,
                        "duplicate_header",
                        f"{_column_name(raw, j)} and {_column_name(raw, i)} carry the same "
                        "header, which looks like personal data. Rename both headers.",
                        column=f"column {i + 1}",
                        row=raw.header_row,
                    )
                )
                continue
            raw.problems.append(
                _problem(
                    raw.label,
                    "duplicate_header",
                    f"The header {header.strip()!r} appears in {_column_name(raw, j)} and "
                    f"{_column_name(raw, i)} ({raw.headers[j].strip()!r}); pandas would "
                    f"silently rename the second to {header.strip() + '.1'!r}. Rename or "
                    "delete one of them.",
                    column=header.strip(),
                    row=raw.header_row,
                )
            )
            continue
        seen[key] = i
        keep.append(i)
    return keep


def _text_frame(raw: _Raw, positions: Sequence[int]) -> pd.DataFrame:
    """The raw cells under the original headers (for the personal-data guard).

    Text files give strings (columns the CSV parser could type stay numbers); the
    guard compares every cell as text.
    """
    out = raw.frame[list(positions)]
    out.columns = [raw.headers[i] for i in positions]
    return out


def _personal_data(
    raws: Sequence[_Raw],
    kept: Mapping[int, list[int]],
    spec: _Spec,
    *,
    allow: Sequence[str] | None = None,
    followup_from: int | None = None,
) -> None:
    from . import privacy

    allowed = list(spec.allow) if allow is None else list(allow)

    records: list[dict[str, Any]] = []
    for k, raw in enumerate(raws):
        if not raw.usable or not len(raw.frame):
            continue
        positions = kept[k]
        extra: dict[str, Any] = {}
        if followup_from is not None and k >= followup_from:
            extra["table"] = "followup"
        found = privacy.scan_personal_data(
            _text_frame(raw, positions),
            file=raw.label,
            row_numbers=raw.rows.tolist(),
            allow_columns=allowed,
            **extra,
        )
        records.extend(dict(r) for r in found)
    if not records:
        return
    table = pd.DataFrame(records)
    for c in ("file", "row", "column", "rule", "message"):
        if c not in table.columns:
            table[c] = None
    table = table[["file", "row", "column", "rule", "message"]]
    named = table[table["rule"] != "header_personal_data"]
    columns = list(dict.fromkeys(str(c) for c in named["column"].dropna()))
    lines = [
        f"Possible personal data found ({len(table)} finding(s); the values are not shown). "
        "mentoranalytics reads anonymised records only:"
    ]
    for rec in table.head(20).itertuples(index=False):
        row = "" if rec.row is None or pd.isna(rec.row) else f"row {int(rec.row)}, "
        where = rec.column if rec.rule == "header_personal_data" else f"column {rec.column!s}"
        lines.append(f"  {rec.file}: {row}{where} [{rec.rule}]")
    if len(table) > 20:
        lines.append(f"  ... and {len(table) - 20} more (see the .problems table of this error).")
    if columns:
        lines.append(
            f"Remove identifying columns with {advise_drop(columns)}, or, if a column holds no "
            f"personal data, allow it with {advise_allow(columns[:1])}."
        )
    if len(named) < len(table):
        lines.append("Rename the headers that are themselves personal data (named by position).")
    raise PersonalDataError("\n".join(lines), problems=table)


def _close_header(
    canonical: str, headers: Mapping[str, str], aliases: Mapping[str, str] | None = None
) -> str | None:
    """The one header (of ``{normalised: header}``) that misspells ``canonical``."""
    aliases = schema.HEADER_ALIASES if aliases is None else aliases
    options = [schema.normalise_header(canonical)] + [
        k for k, v in aliases.items() if v == canonical
    ]
    found = {
        hit
        for opt in options
        if (hit := close_match(opt, {k: h for k, h in headers.items()})) is not None
    }
    return found.pop() if len(found) == 1 else None


def _map_headers(raw: _Raw, positions: Sequence[int], spec: _Spec) -> tuple[dict[int, str], list]:
    """Canonical (or extra) name of each kept position; problems go onto ``raw``."""
    names: dict[int, str] = {}
    owner: dict[str, int] = {}
    notes: list[dict[str, Any]] = []
    for i in positions:
        header = raw.headers[i]
        stripped = header.strip()
        target = spec.target(header)
        if target is None:
            target = spec.aliases.get(schema.normalise_header(stripped))
        if target is None:
            name = stripped
            if name in schema.DERIVED_COLUMNS and spec.table == "cohort":
                kept = (
                    " (the file's values are used only where the levels it is computed "
                    "from are absent)"
                    if name in ("seniority_gap", "level_change")
                    else ""
                )
                notes.append(
                    _problem(
                        raw.label,
                        "derived_column_in_file",
                        f"The column {name!r} is derived by mentoranalytics and is "
                        f"recomputed{kept}.",
                        column=name,
                    )
                )
            else:
                canon = _close_column(stripped, spec.aliases)
                hint = ""
                if canon is not None and not any(
                    _canonical(raw.headers[j], spec) == canon for j in positions
                ):
                    hint = (
                        f" Did you mean {canon!r}? Map it with {advise_columns(stripped, canon)}."
                    )
                    spec.suggest_columns.setdefault(stripped, canon)
                notes.append(
                    _problem(
                        raw.label,
                        "extra_column",
                        f"The column {stripped!r} is not in the "
                        f"schema; kept as text (statistics can use it by name).{hint}",
                        column=stripped,
                    )
                )
            target = name
        if target in owner:
            j = owner[target]
            raw.problems.append(
                _problem(
                    raw.label,
                    "duplicate_column",
                    f"The headers {raw.headers[j].strip()!r} ({_column_name(raw, j)}) and "
                    f"{stripped!r} ({_column_name(raw, i)}) both map to {target}. Keep one, or "
                    f"drop the other with {advise_drop([stripped])}.",
                    column=target,
                    row=raw.header_row,
                )
            )
            names.pop(j, None)
            continue
        owner[target] = i
        names[i] = target
    # a column that appeared twice is used by neither position
    for target, i in owner.items():
        if any(p["rule"] == "duplicate_column" and p["column"] == target for p in raw.problems):
            names.pop(i, None)
    mapped = set(owner)
    headers_shown = _headers_shown(raw.headers)
    for req in spec.required:
        if req in mapped:
            continue
        if req == "months" and "wave" in mapped:
            continue  # months are read from the wave labels
        unmapped = [
            raw.headers[i].strip() for i in positions if names.get(i) == raw.headers[i].strip()
        ]
        keys = {schema.normalise_header(h): h for h in unmapped}
        their = _close_header(req, keys, spec.aliases)
        if their is not None:
            hint = f" Did you mean {their!r}? Map it with {advise_columns(their, req)}."
            spec.suggest_columns.setdefault(their, req)
        else:
            hint = f" Map your header with {advise_columns('Your header', req)}."
        raw.problems.append(
            _problem(
                raw.label,
                "missing_column",
                f"The required column {req!r} was not found.{hint} Headers found: {headers_shown}.",
                column=req,
            )
        )
    return names, notes


# --------------------------------------------------------------------------------------
# load_cohort
# --------------------------------------------------------------------------------------


def load_cohort(
    source: Any,
    *,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[Any, Any]] | None = None,
    mapping: str | os.PathLike[str] | Mapping[str, Any] | None = None,
    sheet: str | int | None = None,
    errors: Literal["raise", "exclude", "missing"] = "raise",
    drop_columns: Iterable[str] | None = None,
    allow_columns: Iterable[str] | None = None,
    followup: Any = None,
    followup_sheet: str | int | None = None,
) -> Cohort:
    """Read, map and validate cohort records; every problem is reported at once.

    Parameters
    ----------
    source : path, folder, list of paths, or pandas.DataFrame
        A CSV/TSV/TXT file (delimiter ``,``, ``;``, tab or ``|`` and encoding UTF-8 with
        or without BOM, UTF-16 with BOM or cp1252 are detected; ``;`` files may use
        decimal commas), an Excel workbook (``.xlsx``/``.xlsm``), a Parquet or JSON file
        (a list of records), a DataFrame (never modified), or several of these / a
        folder, stacked in order.  When a file has no ``cohort`` column and several
        files are read, the file name supplies it (``cohort_2019.csv`` -> ``"2019"``);
        a single source without one is cohort ``"all"``.
    columns : mapping, optional
        Your headers -> canonical names, e.g. ``{"Sex": "gender"}``.  Headers are also
        matched automatically, ignoring case, spaces and punctuation, to canonical names
        and their aliases (:data:`mentoranalytics.schema.HEADER_ALIASES`).
    values : mapping, optional
        Canonical column -> {your value: canonical value}, e.g.
        ``{"gender": {"W": "woman"}}``; ``None`` as a target means missing.  Your
        values are compared after :func:`~mentoranalytics.schema.normalise_value`
        (case, spaces and punctuation do not matter) and before the built-in aliases.
        The key ``"<blank>"`` maps blank cells (and missing markers such as NA, N/A):
        ``{"gender": {"<blank>": "not_stated"}}``.  A value that is neither is
        reported, never guessed ("Did you mean" only for a near-certain misspelling;
        see ``cohort.suggested_mapping``).
    mapping : path to a YAML file, or a mapping with the same keys, optional
        Keeps ``columns`` and ``values`` (and optionally ``drop_columns`` and
        ``allow_columns``) in a file::

            columns:
              Their Header: canonical_name     # e.g. Sex: gender
            values:
              gender:
                W: woman
                Other: self_described
                <blank>: not_stated            # empty cells
              promoted:
                Ja: yes
            drop_columns: [Name, Email]

        ``yes``/``no`` stay text (they are not YAML booleans here).  Arguments given
        to this function take precedence over the file.
    sheet : str or int, optional
        Excel sheet (name, or 0-based number).  Default: the only visible sheet, or the
        only sheet whose header row has the required columns; otherwise the error
        lists the sheets.
    errors : {"raise", "exclude", "missing"}, default="raise"
        ``"raise"``: any problem raises :class:`~mentoranalytics.SchemaError` listing
        the first 20 messages (identical ones once, with their rows) and the count
        (``.problems`` holds all of them; ``.suggested_mapping`` and
        ``.unmapped_values`` as on a cohort).
        ``"exclude"``: rows with row-level problems are left out and listed in
        ``cohort.excluded`` with their reasons (a :class:`DataQualityWarning` says how
        many); file-level problems (see :mod:`mentoranalytics.validation`) still raise.
        ``"missing"``: like ``"exclude"``, except that an invalid cell (an unknown
        category, a typo in a number or yes/no column, a value out of range) outside
        ``participant_id`` and ``gender`` is left empty and its row kept; the cell is
        listed in ``cohort.invalid_cells`` (and ``cohort.problems``).  Rows with other
        problems (a blank or ragged row, a missing required value, contradicting
        cells, duplicates) are still left out.
    drop_columns : list of str, optional
        Headers of columns to remove before anything else, e.g. names or e-mail
        addresses (matched like ``columns``).
    allow_columns : list of str, optional
        Headers the personal-data guard should accept (it then does not flag them).
    followup : path, list of paths, or pandas.DataFrame, optional
        Follow-up waves in long format, one row per participant per wave
        (:data:`mentoranalytics.schema.FOLLOWUP_SCHEMA`; ``ma.codebook("followup")``),
        read like ``source`` (any of its formats; a DataFrame is never modified).
        Headers and values are mapped by the same ``columns``/``values``/``mapping``
        (a ``followup:`` section of the mapping, with the same keys, applies to the
        follow-up only and takes precedence); the same personal-data guard and
        ``errors`` apply.  Rows are linked to the cohort by ``participant_id``:
        unknown codes, repeated waves and waves whose months go down in file order
        are problems with their file and row (see :func:`mentoranalytics.validation.validate`).
        The waves of a participant excluded from the cohort table are excluded
        too ("participant excluded from the cohort table").
    followup_sheet : str or int, optional
        Excel sheet of the follow-up workbook (as ``sheet``).

    Returns
    -------
    Cohort
        ``.data`` holds the canonical columns present, extra columns (text) and the
        derived columns of :func:`mentoranalytics.derive_fields`; ``.excluded`` has
        columns ``file, row, participant_id, reason``; ``.problems``, ``.notes`` and
        ``.invalid_cells`` have ``file, row, column, rule, message``; ``.source`` has
        ``file, format, sheet, encoding, delimiter, sha256, rows_read``.  Rows read =
        ``len(cohort)`` + ``len(cohort.excluded)``.  ``.suggested_mapping`` holds the
        near-certain corrections of headers and values as a mapping, and
        ``.unmapped_values`` the unknown values nothing is close to.  With
        ``followup``: ``.waves`` holds the kept waves (every follow-up column, sorted by
        participant and months), ``.source`` lists the follow-up file(s) too, and
        ``.excluded``, ``.problems``, ``.notes`` their rows (``file`` names the
        follow-up file); rows read = ``len(cohort) + len(cohort.waves) +
        len(cohort.excluded)``.

    Raises
    ------
    SchemaError
        A problem in the data (see ``errors``), an unreadable or ambiguous file, or an
        invalid ``columns``/``values``/``mapping``.
    PersonalDataError
        The personal-data guard flags a column or cell (whatever ``errors`` says); the
        message names rows and columns, never values.
    FileNotFoundError
        A file does not exist.

    Notes
    -----
    Row numbers are those a user sees: in text and Excel files the header is row 1
    (or the first non-blank row) and the first record row 2; blank rows count, a
    quoted cell spanning several lines is one row (as in a spreadsheet), and blank
    rows after the last record are ignored.  JSON and Parquet rows are record numbers
    from 1; DataFrame rows are index labels (or 0-based positions).

    Which problems exclude a row and which stop the load is listed in
    :mod:`mentoranalytics.validation`.  A file is recognised by its content: an Excel
    workbook, Word document, PDF or other binary file renamed ``.csv`` is named as
    such, and a table none of whose headers is a cohort column stops with
    ``no_cohort_columns`` before its rows are parsed or scanned for personal data.  Not problems, but recorded in
    ``cohort.notes``: extra columns (kept as text; DataFrame and Parquet sources keep
    their dtype), headers with stray spaces (read without them), empty columns
    without a header (ignored), derived columns in the input (recomputed), the sheet
    or cohort label chosen.

    Text columns (``participant_id``, ``cohort``, extra columns) are read as they are
    (``007`` stays ``007``); the CSV parser may type the other columns, whose every
    cell is then checked again.  Decimal commas are read only in ``;``-separated
    files, where ``,`` cannot be a thousands separator.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"ID": ["P1", "P2", "P3"], "Sex": ["F", "Male ", "femal"],
    ...                     "Mentor level": ["4", "5", "9"]})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     cohort = load_cohort(raw, errors="exclude")
    >>> cohort.data[["participant_id", "gender", "mentor_level"]]
      participant_id gender  mentor_level
    0             P1  woman             4
    1             P2    man             5
    >>> cohort.excluded["row"].tolist(), cohort.excluded["reason"].tolist()
    ([2], ['unknown category in gender; out of range in mentor_level'])
    """
    if errors not in ("raise", "exclude", "missing"):
        raise SchemaError(f"errors must be 'raise', 'exclude' or 'missing', not {errors!r}.")
    spec = _build_spec(columns, values, mapping, drop_columns, allow_columns)
    sources = _resolve_sources(source)
    if sheet is not None and not any(s.kind == "excel" for s in sources):
        option = f"--sheet {sheet}" if advice_for_cli() else f"sheet={sheet!r}"
        raise SchemaError(f"{option} applies to Excel workbooks only; none of the sources is one.")
    raws, kept, scanned = _read_raws(sources, spec, sheet)
    fspec: _Spec | None = None
    fraws: list[_Raw] = []
    fkept: dict[int, list[int]] = {}
    if followup is not None:
        fspec = _followup_spec(spec)
        fsources = _resolve_followup_sources(followup)
        if followup_sheet is not None and not any(s.kind == "excel" for s in fsources):
            option = (
                f"--followup-sheet {followup_sheet}"
                if advice_for_cli()
                else f"followup_sheet={followup_sheet!r}"
            )
            raise SchemaError(
                f"{option} applies to Excel workbooks only; the follow-up is not one."
            )
        fraws, fkept, fscanned = _read_raws(fsources, fspec, followup_sheet)
        _check_unused(spec, raws + fraws)
        _check_unused(fspec, fraws, section=True)
        offset = len(raws)
        _personal_data(
            raws + fraws,
            {**scanned, **{offset + k: v for k, v in fscanned.items()}},
            spec,
            allow=list(dict.fromkeys(spec.allow + fspec.allow)),
            followup_from=offset,
        )
    else:
        _check_unused(spec, raws)
        _personal_data(raws, scanned, spec)

    multi = len(sources) > 1
    tables: list[Table] = []
    file_problems: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    source_rows: list[dict[str, Any]] = []
    for k, raw in enumerate(raws):
        names: dict[int, str] = {}
        if raw.usable:
            names, map_notes = _map_headers(raw, kept[k], spec)
            notes.extend(map_notes)
        file_problems.extend(raw.problems)
        notes.extend(raw.notes)
        source_rows.append(_source_record(raw))
        if not raw.usable:
            continue
        label = None
        if "cohort" not in names.values():
            label = cohort_label_from_name(raw.label) if multi and raw.fmt != "frame" else "all"
            if multi and raw.fmt == "frame":
                label = raw.label.strip("<>")
            rule = "cohort_from_file_name" if label != "all" else "cohort_all"
            text = (
                f"No cohort column: cohort set to {label!r} from the file name."
                if rule == "cohort_from_file_name"
                else "No cohort column: every row is in one cohort 'all'."
            )
            notes.append(_problem(raw.label, rule, text, column="cohort"))
        elif multi:
            label = cohort_label_from_name(raw.label)
        tables.append(_table_of(raw, names, cohort_label=label))
    if multi:
        present = {c for t in tables for c in t.frame.columns}
        for t in tables:
            for c in schema.CANONICAL_COLUMNS:
                if c in present and c != "cohort" and c not in t.frame.columns:
                    notes.append(
                        _problem(
                            t.file,
                            "column_absent_in_file",
                            f"{c} is absent in this file; its rows have it empty.",
                            column=c,
                        )
                    )
    result = validate(
        tables,
        values=spec.values,
        file_problems=file_problems,
        notes=notes,
        invalid="missing" if errors == "missing" else "exclude",
    )
    problems = result.problems
    suggestions = result.suggestions
    fresult: Validation | None = None
    fsource_rows: list[dict[str, Any]] = []
    if fspec is not None:
        ids_read = result.data["participant_id"] if "participant_id" in result.data else None
        known = [] if ids_read is None else ids_read.dropna().astype(object).tolist()
        kept_ids = (
            set()
            if ids_read is None
            else set(ids_read[result.keep].dropna().astype(object).tolist())
        )
        gone = [i for i in set(known) if i not in kept_ids]
        fresult, fsource_rows = _validate_followup(
            fraws, fkept, fspec, errors, known_ids=known, excluded_ids=gone
        )
        problems = pd.concat([problems, fresult.problems], ignore_index=True)
        suggestions = {**fresult.suggestions, **suggestions}
    advice = _mapping_advice(spec, suggestions)
    file_level = len(result.file_level) + (len(fresult.file_level) if fresult else 0)
    if len(problems) and (errors == "raise" or file_level):
        error = SchemaError(format_problems(problems), problems=problems)
        # the same advice as a loaded cohort's (see Cohort.suggested_mapping)
        setattr(error, "suggested_mapping", advice["mapping"])  # noqa: B010
        setattr(error, "unmapped_values", advice["unmapped"])  # noqa: B010
        raise error

    kept_rows = np.flatnonzero(result.keep)
    data = result.data.iloc[kept_rows].reset_index(drop=True)
    _typed_check(data)
    from .boldness import derive_fields

    derived = derive_fields(data)
    origin = result.origin.iloc[kept_rows].reset_index(drop=True)
    source_table = pd.DataFrame(source_rows + fsource_rows, columns=list(SOURCE_COLUMNS))
    source_table["rows_read"] = source_table["rows_read"].astype("int64")
    n_ex = len(result.excluded)
    if n_ex:
        warnings.warn(
            f"{n_ex} of {n_ex + len(derived)} rows were excluded (see cohort.excluded for "
            "the reasons and cohort.problems for the details).",
            DataQualityWarning,
            stacklevel=2,
        )
    n_cells = len(result.invalid_cells)
    if n_cells:
        warnings.warn(
            f"{n_cells} invalid cell(s) were left empty and their rows kept (see "
            "cohort.invalid_cells).",
            DataQualityWarning,
            stacklevel=2,
        )
    excluded = result.excluded
    notes_table = result.notes
    invalid_cells = result.invalid_cells
    waves: pd.DataFrame | None = None
    waves_origin: pd.DataFrame | None = None
    if fresult is not None:
        waves, waves_origin = _kept_waves(fresult)
        n_fex = len(fresult.excluded)
        if n_fex:
            warnings.warn(
                f"{n_fex} of {n_fex + len(waves)} follow-up rows were excluded (see "
                "cohort.excluded for the reasons and cohort.problems for the details).",
                DataQualityWarning,
                stacklevel=2,
            )
        excluded = _stack(excluded, fresult.excluded)
        notes_table = _stack(notes_table, fresult.notes)
        invalid_cells = _stack(invalid_cells, fresult.invalid_cells)
    cohort = Cohort(
        derived,
        excluded=excluded,
        problems=problems,
        notes=notes_table,
        source=source_table,
        origin=origin,
        invalid_cells=invalid_cells,
        suggested_mapping=advice["mapping"],
        unmapped_values=advice["unmapped"],
        waves=waves,
        waves_origin=waves_origin,
    )
    return cohort


def _stack(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    if not len(second):
        return first
    if not len(first):
        return second.reset_index(drop=True)
    return pd.concat([first, second], ignore_index=True)


# --------------------------------------------------------------------------------------
# Follow-up waves
# --------------------------------------------------------------------------------------


def _read_raws(
    sources: Sequence[_Source], spec: _Spec, sheet: Any
) -> tuple[list[_Raw], dict[int, list[int]], dict[int, list[int]]]:
    """Read every source; raw header checks; the positions kept and scanned per raw."""
    raws = [_read_source(src, spec, sheet) for src in sources]
    kept: dict[int, list[int]] = {}
    scanned: dict[int, list[int]] = {}
    for k, raw in enumerate(raws):
        if raw.usable and raw.fmt not in ("csv", "tsv"):  # text files were checked early
            nothing = _no_cohort_columns(raw.label, raw.headers, spec)
            if nothing is not None:
                raw.problems.append(nothing)
                raw.usable = False
        if not raw.usable:
            kept[k] = scanned[k] = []
            continue
        _finish_raw(raw)
        positions = [i for i in range(len(raw.headers)) if not spec.dropped(raw.headers[i])]
        scanned[k] = positions
        keep = _header_checks(raw, spec)
        kept[k] = [i for i in keep if i in positions]
        for header in raw.headers:  # mark which of the user's columns= keys are used
            spec.target(header)
    return raws, kept, scanned


def _followup_spec(spec: _Spec) -> _Spec:
    """The mapping of the follow-up file: the shared one plus the ``followup:`` section.

    The shared keys' "used" marks are shared too, so that a key used by either file
    is not reported as unused.
    """
    section = spec.followup
    values = {c: dict(t) for c, t in spec.values.items()}
    for c, t in section.get("values", {}).items():
        values.setdefault(c, {}).update(t)
    return _Spec(
        columns={**spec.columns, **section.get("columns", {})},
        values=values,
        drop=list(dict.fromkeys(spec.drop + section.get("drop", []))),
        allow=list(dict.fromkeys(spec.allow + section.get("allow", []))),
        used_columns=spec.used_columns,
        used_drop=spec.used_drop,
        suggest_columns=spec.suggest_columns,
        table="followup",
        followup=dict(section),
    )


def _resolve_followup_sources(followup: Any) -> list[_Source]:
    if isinstance(followup, pd.DataFrame):
        return [_Source("<follow-up DataFrame>", "frame", frame=followup)]
    if isinstance(followup, (str, os.PathLike)) or (
        isinstance(followup, Iterable) and not isinstance(followup, (bytes, Mapping))
    ):
        sources = _resolve_sources(followup)
        return [
            _Source(f"<follow-up {s.label.strip('<>')}>", s.kind, s.path, s.frame)
            if s.kind == "frame"
            else s
            for s in sources
        ]
    raise SchemaError(
        "followup must be a file path, a list of files or a pandas DataFrame of follow-up "
        f"waves (one row per participant per wave), not {type(followup).__name__}."
    )


def _validate_followup(
    raws: Sequence[_Raw],
    kept: Mapping[int, list[int]],
    spec: _Spec,
    errors: str,
    *,
    known_ids: Sequence[Any],
    excluded_ids: Sequence[Any],
) -> tuple[Validation, list[dict[str, Any]]]:
    tables: list[Table] = []
    file_problems: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    source_rows: list[dict[str, Any]] = []
    for k, raw in enumerate(raws):
        names: dict[int, str] = {}
        if raw.usable:
            names, map_notes = _map_headers(raw, kept[k], spec)
            notes.extend(map_notes)
        file_problems.extend(raw.problems)
        notes.extend(raw.notes)
        source_rows.append(_source_record(raw))
        if raw.usable:
            tables.append(_table_of(raw, names))
    if not tables:  # not one follow-up file could be read: nothing to validate row by row
        problems = pd.DataFrame(file_problems, columns=["file", "row", "column", "rule", "message"])
        reasons = "; ".join(f"{p['file']}: {p['message']}" for p in file_problems)
        raise SchemaError(
            f"The follow-up file cannot be read ({reasons or 'no rows'}). Fix the file, or "
            "leave out the follow-up.",
            problems=problems,
        )
    result = validate(
        tables,
        values=spec.values,
        file_problems=file_problems,
        notes=notes,
        invalid="missing" if errors == "missing" else "exclude",
        table="followup",
        known_ids=known_ids,
        excluded_ids=excluded_ids,
    )
    return result, source_rows


def _kept_waves(result: Validation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The kept follow-up rows sorted by participant and months; their file and row."""
    keep = np.flatnonzero(result.keep)
    data = result.data.iloc[keep].reset_index(drop=True)
    origin = result.origin.iloc[keep].reset_index(drop=True)
    canonical = list(schema.FOLLOWUP_CANONICAL_COLUMNS)
    extra = [c for c in data.columns if c not in schema.FOLLOWUP_SCHEMA]
    data = data[canonical + extra]
    if len(data):
        order = np.lexsort(
            (
                data["months"].to_numpy(dtype=float, na_value=np.inf),
                data["participant_id"].astype(object).to_numpy().astype(str),
            )
        )
        data = data.iloc[order].reset_index(drop=True)
        origin = origin.iloc[order].reset_index(drop=True)
    _typed_check(data, table="followup")
    return data, origin


def _mapping_advice(
    spec: _Spec, suggestions: Mapping[str, Mapping[str, str | None]]
) -> dict[str, Any]:
    """The near-certain corrections as a mapping, and the unknown values nothing is close to."""
    mapping: dict[str, Any] = {}
    if spec.suggest_columns:
        mapping["columns"] = dict(spec.suggest_columns)
    values = {
        c: {v: t for v, t in table.items() if t is not None} for c, table in suggestions.items()
    }
    values = {c: table for c, table in values.items() if table}
    if values:
        mapping["values"] = values
    unmapped = {c: [v for v, t in table.items() if t is None] for c, table in suggestions.items()}
    return {"mapping": mapping, "unmapped": {c: v for c, v in unmapped.items() if v}}


def _check_unused(spec: _Spec, raws: Sequence[_Raw], *, section: bool = False) -> None:
    """Keys of ``columns=``/``drop_columns`` no file has (``section``: only the
    mapping's ``followup:`` section, checked against the follow-up files)."""
    if not any(r.usable for r in raws):
        return
    cli = advice_for_cli()
    shown = _headers_shown([h for r in raws for h in r.headers])
    if section:
        keys = spec.followup.get("columns", {})
        unused = [k for k in keys if k not in spec.used_columns]
        if unused:
            raise SchemaError(
                f"The mapping's followup: section maps {unused!r}, but no follow-up file has "
                f"such a header. Headers found: {shown}."
            )
        return
    unused = [k for k in spec.columns if k not in spec.used_columns]
    if unused:
        what = "The mapping's columns: section maps" if cli else "columns= maps"
        raise SchemaError(
            f"{what} {unused!r}, but no file has such a header. Headers found: {shown}."
        )
    unused = [k for k in spec.drop if k not in spec.used_drop]
    if unused:
        what = "--drop-columns names" if cli else "drop_columns= names"
        raise SchemaError(
            f"{what} {unused!r}, but no file has such a header. Headers found: {shown}."
        )


def _typed_check(data: pd.DataFrame, table: Literal["cohort", "followup"] = "cohort") -> None:
    """Final pandera check of the canonical columns' dtypes (a failure here is a bug).

    Value checks (ranges, categories) are left out here: the parser has already
    enforced them cell by cell, and pandera would repeat them on every row.  A dtype
    belongs to the whole column, so the first rows are enough to check it.
    """
    from .validation import _dtype, pandera_schema

    table_schema = schema.FOLLOWUP_SCHEMA if table == "followup" else SCHEMA
    canonical = [c for c in data.columns if c in table_schema]
    if not canonical:
        return
    head = data[canonical].head(100)
    if all(head[c].dtype == _dtype(table_schema[c]) for c in canonical) and not (
        "participant_id" in head and bool(head["participant_id"].isna().any())
    ):
        # every dtype is the schema's and the ids are present: pandera would pass
        # (it checks exactly these with checks=False), so it need not be imported
        return
    try:
        pandera_schema(canonical, checks=False, table=table).validate(head, lazy=True)
    except Exception as exc:  # pragma: no cover - would be a bug in the parser
        raise RuntimeError(
            "internal error: the typed cohort failed the final schema check; please report "
            f"this bug.\n{exc}"
        ) from exc


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells starting with = + - @ by an apostrophe (spreadsheet formulas)."""
    out = frame.copy()
    for c in out.columns:
        s = out[c]
        if pd.api.types.is_object_dtype(s.dtype) or pd.api.types.is_string_dtype(s.dtype):
            text = s.astype("string")
            risky = text.str.match(r"^[=+\-@]").fillna(False).to_numpy(dtype=bool)
            if risky.any():
                s = s.astype(object).copy()
                s[risky] = "'" + text[risky].astype(str)
                out[c] = s
    return out


def write_table(frame: Any, path: str | os.PathLike[str]) -> Path:
    """Write a table (or a Cohort's data) as CSV, TSV, Excel, Parquet or JSON by suffix.

    Text cells that start with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe in
    CSV, TSV and Excel files, so a spreadsheet never runs them as formulas.

    Parameters
    ----------
    frame : pandas.DataFrame or Cohort
        The table; never modified.
    path : path
        Ends in ``.csv``, ``.tsv``, ``.xlsx``, ``.parquet`` or ``.json`` (a list of
        records).

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_table(pd.DataFrame({"gender": ["woman"]}), pathlib.Path(d) / "x.csv")
    ...     p.read_text()
    'gender\\nwoman\\n'
    """
    from ._frame import as_frame

    table = as_frame(frame)
    out = Path(os.fspath(path))
    suffix = out.suffix.lower()
    if suffix in (".csv", ".tsv"):
        _neutralise(table).to_csv(
            out, index=False, sep="\t" if suffix == ".tsv" else ",", lineterminator="\n"
        )
    elif suffix == ".xlsx":
        _neutralise(table).to_excel(out, index=False, engine="openpyxl")
    elif suffix == ".parquet":
        try:
            table.to_parquet(out, index=False)
        except ImportError as exc:
            raise ImportError(
                "Writing Parquet files needs pyarrow: pip install 'mentoranalytics[parquet]'."
            ) from exc
    elif suffix == ".json":
        table.to_json(out, orient="records", indent=1, force_ascii=False)
    else:
        raise SchemaError(
            f"Cannot write {out.name!r}: the file must end in .csv, .tsv, .xlsx, .parquet or .json."
        )
    return out


def write_template(
    path: str | os.PathLike[str], *, table: Literal["cohort", "followup"] = "cohort"
) -> Path:
    """Write an empty cohort template: CSV with the canonical header, or an Excel workbook.

    The workbook has a ``data`` sheet (the canonical header; drop-down lists for
    category and yes/no columns, whole-number limits for levels and counts) and a
    ``codebook`` sheet (:func:`mentoranalytics.schema.codebook`).  A filled template
    loads with :func:`load_cohort` as it is.

    Parameters
    ----------
    path : path
        Ends in ``.csv`` or ``.xlsx``.
    table : {"cohort", "followup"}, default="cohort"
        The cohort table, or the follow-up waves (one row per participant per wave,
        :data:`mentoranalytics.schema.FOLLOWUP_SCHEMA`; loads with
        ``load_cohort(cohort_file, followup=path)``).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    SchemaError
        The file type is not ``.csv`` or ``.xlsx``, or ``table`` is not one of the two.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_template(pathlib.Path(d) / "t.csv")
    ...     p.read_text().split(",")[:3]
    ['participant_id', 'cohort', 'gender']
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_template(pathlib.Path(d) / "w.csv", table="followup")
    ...     p.read_text().split(",")[:3]
    ['participant_id', 'months', 'wave']
    """
    if table not in ("cohort", "followup"):
        raise SchemaError(f"table must be 'cohort' or 'followup', not {table!r}.")
    out = Path(os.fspath(path))
    suffix = out.suffix.lower()
    columns = {c.name: c for c in schema.table_columns(table)}
    header = list(columns)
    if suffix == ".csv":
        out.write_text(",".join(header) + "\n", encoding="utf-8")
        return out
    if suffix != ".xlsx":
        raise SchemaError(f"Cannot write a template to {out.name!r}: use a .csv or .xlsx file.")
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "data"
    ws.append(header)
    last = 1000
    for j, name in enumerate(header, start=1):
        col = columns[name]
        cell = ws.cell(row=1, column=j)
        cell.font = Font(bold=True)
        cell.comment = Comment(f"{col.description}\nAllowed: {col.allowed}", "mentoranalytics")
        letter = column_letter(j)
        ws.column_dimensions[letter].width = max(12, len(name) + 2)
        rng = f"{letter}2:{letter}{last}"
        dv: DataValidation | None = None
        if col.kind == "category":
            dv = DataValidation(type="list", formula1='"' + ",".join(col.categories or ()) + '"')
        elif col.kind == "bool":
            dv = DataValidation(type="list", formula1='"yes,no"')
        elif col.kind == "ordinal":
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1=str(int(col.minimum or 0)),
                formula2=str(int(col.maximum or 0)),
            )
        elif col.kind == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        elif col.kind == "number":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        if dv is not None:
            dv.allow_blank = True
            dv.error = f"{name}: {col.allowed}"
            dv.errorTitle = "mentoranalytics"
            dv.showErrorMessage = True
            ws.add_data_validation(dv)
            dv.add(rng)
    ws.freeze_panes = "A2"
    cb = wb.create_sheet("codebook")
    rows = schema.codebook(table)
    keys = list(rows[0])
    cb.append(keys)
    for r in rows:
        cb.append([r[k] for k in keys])
    for j in range(1, len(keys) + 1):
        cb.cell(row=1, column=j).font = Font(bold=True)
        cb.column_dimensions[column_letter(j)].width = 24 if j < len(keys) else 70
    wb.save(out)
    return out
