"""The :class:`Cohort` object: a validated cohort with what was left out and why.

Built by :func:`mentoranalytics.load_cohort` (or ``ma.load_sample()``) from the tables
that :mod:`mentoranalytics.validation` checks.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from . import schema
from .schema import SCHEMA
from .validation import EXCLUDED_COLUMNS, SOURCE_COLUMNS, _empty_problems, _is_na

__all__ = ["Cohort"]


def _plain_copy(value: Any) -> Any:
    """A copy of nested dicts and lists (a suggested mapping)."""
    if isinstance(value, Mapping):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    return value


def _copy(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy the caller cannot use to change ``frame``.

    With copy-on-write (always on from pandas 3) a shallow copy is enough and free.
    """
    if _COPY_ON_WRITE:
        return frame.copy(deep=False)
    return frame.copy()


def _copy_on_write() -> bool:
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    try:  # pragma: no cover - pandas 2.x
        return bool(pd.get_option("mode.copy_on_write") is True)
    except (KeyError, pd.errors.OptionError):  # pragma: no cover
        return False


_COPY_ON_WRITE = _copy_on_write()


class Cohort:
    """A validated cohort: canonical and derived columns, with what was left out and why.

    Build it with :func:`mentoranalytics.load_cohort` (or ``ma.load_sample()``).

    Attributes
    ----------
    data : pandas.DataFrame
        Canonical and derived columns of the kept rows (a copy each time: changing it
        never changes the cohort).  Categories in schema order (``mentor_relation``
        ordered), nullable ``boolean``, ``Int64`` levels and counts, ``Float64``
        months, ``string`` ids and cohorts; extra columns as read.
    excluded : pandas.DataFrame
        Rows left out: ``file``, ``row``, ``participant_id``, ``reason``.
    problems : pandas.DataFrame
        Every validation finding: ``file``, ``row``, ``column``, ``rule``, ``message``.
    notes : pandas.DataFrame
        What the loader decided without excluding anything (same columns).
    source : pandas.DataFrame
        One row per file read: ``file``, ``format``, ``sheet``, ``encoding``,
        ``delimiter``, ``sha256`` (of the file's bytes; None for a DataFrame),
        ``rows_read`` (data rows, blank ones included; ``len(cohort) +
        len(cohort.excluded)`` equals their sum).
    origin : pandas.DataFrame
        ``file`` and ``row`` of each kept row (aligned with ``data``).
    invalid_cells : pandas.DataFrame
        Invalid cells of kept rows that were left missing (``load_cohort(...,
        errors="missing")``): ``file, row, column, rule, message``; also in
        ``problems``.  Empty otherwise.
    suggested_mapping : dict
        The corrections the loader is confident of, in the form of a mapping
        (``{"columns": {...}, "values": {...}}``, only the keys that have entries):
        headers and values that are near-certain misspellings of canonical ones.
        Pass it back as ``load_cohort(..., mapping=cohort.suggested_mapping)`` after
        checking it.  Values that match nothing are never guessed: they are in
        ``unmapped_values``.
    unmapped_values : dict
        Unknown category values that no allowed value is close to, by column
        (``{"approach": ["Didnt know them"]}``): map each to the value it means.
    waves : pandas.DataFrame or None
        Follow-up waves (``load_cohort(..., followup=...)``): one row per participant
        per wave in every column of :data:`mentoranalytics.schema.FOLLOWUP_SCHEMA`
        (absent ones all missing), sorted by ``participant_id`` then ``months``, with a
        RangeIndex (a copy each time).  None when no follow-up was given.
    waves_origin : pandas.DataFrame or None
        ``file`` and ``row`` of each wave, aligned with :attr:`waves`.

    Examples
    --------
    >>> import pandas as pd
    >>> import mentoranalytics as ma
    >>> cohort = ma.load_cohort(pd.DataFrame({"id": ["P1", "P2"], "Sex": ["F", "M"]}))
    >>> len(cohort), cohort.data["gender"].tolist()
    (2, ['woman', 'man'])
    """

    def __init__(
        self,
        data: pd.DataFrame,
        *,
        excluded: pd.DataFrame | None = None,
        problems: pd.DataFrame | None = None,
        notes: pd.DataFrame | None = None,
        source: pd.DataFrame | None = None,
        origin: pd.DataFrame | None = None,
        invalid_cells: pd.DataFrame | None = None,
        suggested_mapping: Mapping[str, Any] | None = None,
        unmapped_values: Mapping[str, Sequence[str]] | None = None,
        waves: pd.DataFrame | None = None,
        waves_origin: pd.DataFrame | None = None,
    ) -> None:
        if not isinstance(data, pd.DataFrame):
            from .exceptions import AnalysisError

            raise AnalysisError(
                f"Cohort data must be a pandas DataFrame, not {type(data).__name__}; "
                "build a cohort with ma.load_cohort(...)."
            )
        self._data = _copy(data.reset_index(drop=True))
        self._excluded = (
            excluded.copy()
            if excluded is not None
            else pd.DataFrame({c: pd.Series([], dtype="string") for c in EXCLUDED_COLUMNS})
        )
        self._problems = problems.copy() if problems is not None else _empty_problems()
        self._notes = notes.copy() if notes is not None else _empty_problems()
        self._source = (
            source.copy()
            if source is not None
            else pd.DataFrame({c: pd.Series([], dtype=object) for c in SOURCE_COLUMNS})
        )
        self._origin = origin.reset_index(drop=True).copy() if origin is not None else None
        self._invalid_cells = (
            invalid_cells.copy() if invalid_cells is not None else _empty_problems()
        )
        self._suggested = _plain_copy(suggested_mapping or {})
        self._unmapped = {str(c): list(v) for c, v in (unmapped_values or {}).items()}
        if waves is not None and not isinstance(waves, pd.DataFrame):
            from .exceptions import AnalysisError

            raise AnalysisError(
                f"Cohort waves must be a pandas DataFrame or None, not {type(waves).__name__}; "
                "load follow-up waves with ma.load_cohort(..., followup=...)."
            )
        self._waves = _copy(waves.reset_index(drop=True)) if waves is not None else None
        self._waves_origin = (
            waves_origin.reset_index(drop=True).copy() if waves_origin is not None else None
        )

    # tables (copies: the cohort's state cannot be changed through them)
    @property
    def data(self) -> pd.DataFrame:
        """Canonical and derived columns of the kept rows (a copy)."""
        return _copy(self._data)

    @property
    def excluded(self) -> pd.DataFrame:
        """Rows left out, with the reason(s): ``file, row, participant_id, reason``."""
        return _copy(self._excluded)

    @property
    def problems(self) -> pd.DataFrame:
        """Every finding: ``file, row, column, rule, message``."""
        return _copy(self._problems)

    @property
    def notes(self) -> pd.DataFrame:
        """Loader decisions that exclude nothing: ``file, row, column, rule, message``."""
        return _copy(self._notes)

    @property
    def source(self) -> pd.DataFrame:
        """Files read: ``file, format, sheet, encoding, delimiter, sha256, rows_read``."""
        return _copy(self._source)

    @property
    def origin(self) -> pd.DataFrame:
        """``file`` and ``row`` of each kept row, aligned with :attr:`data`."""
        if self._origin is None:
            return pd.DataFrame(
                {
                    "file": pd.array([None] * len(self._data), dtype="string"),
                    "row": pd.array(range(len(self._data)), dtype="Int64"),
                }
            )
        return _copy(self._origin)

    @property
    def invalid_cells(self) -> pd.DataFrame:
        """Invalid cells left missing (``errors="missing"``): ``file, row, column, rule,
        message``."""
        return _copy(self._invalid_cells)

    @property
    def suggested_mapping(self) -> dict[str, Any]:
        """Near-certain corrections as a mapping: ``{"columns": ..., "values": ...}``."""
        return _plain_copy(self._suggested)

    @property
    def unmapped_values(self) -> dict[str, list[str]]:
        """Unknown values no allowed value is close to, by column (never guessed)."""
        return _plain_copy(self._unmapped)

    @property
    def waves(self) -> pd.DataFrame | None:
        """Follow-up waves, one row per participant per wave (a copy), or None."""
        return None if self._waves is None else _copy(self._waves)

    @property
    def waves_origin(self) -> pd.DataFrame | None:
        """``file`` and ``row`` of each wave, aligned with :attr:`waves` (or None)."""
        if self._waves is None:
            return None
        if self._waves_origin is None:
            return pd.DataFrame(
                {
                    "file": pd.array([None] * len(self._waves), dtype="string"),
                    "row": pd.array(range(len(self._waves)), dtype="Int64"),
                }
            )
        return _copy(self._waves_origin)

    @property
    def columns(self) -> list[str]:
        """Names of the columns in :attr:`data`."""
        return [str(c) for c in self._data.columns]

    def __len__(self) -> int:
        return len(self._data)

    def plain(self, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """The records with plain numpy types for other libraries: see
        :func:`mentoranalytics.plain` (statsmodels formulas, lifelines, seaborn, tableone)."""
        from .interop import plain

        return plain(self, columns=columns)

    def privacy_summary(self, **kwargs: Any) -> Any:
        """Disclosure summary of the data: see :func:`mentoranalytics.privacy.privacy_summary`."""
        from .privacy import privacy_summary

        return privacy_summary(self.data, **kwargs)

    # summaries
    def _summary(self) -> dict[str, Any]:
        d = self._data
        cohorts: list[str] = []
        if "cohort" in d.columns:
            cohorts = [str(c) for c in pd.unique(d["cohort"].dropna())]
        gender: dict[str, int] = {}
        if "gender" in d.columns:
            counts = d["gender"].value_counts(dropna=False, sort=False)
            gender = {"missing" if _is_na(k) else str(k): int(v) for k, v in counts.items()}
        canonical = [c for c in d.columns if c in SCHEMA]
        derived = [c for c in d.columns if c in schema.DERIVED_COLUMNS and c not in SCHEMA]
        extra = [c for c in d.columns if c not in SCHEMA and c not in schema.DERIVED_COLUMNS]
        waves: dict[str, Any] | None = None
        if self._waves is not None:
            w = self._waves
            months: list[float] = (
                [float(m) for m in pd.unique(w["months"].dropna())] if "months" in w.columns else []
            )
            responded = (
                int(w["responded"].fillna(False).astype(bool).sum())
                if "responded" in w.columns
                else len(w)
            )
            waves = {
                "rows": len(w),
                "participants": int(w["participant_id"].nunique())
                if "participant_id" in w.columns
                else 0,
                "months": sorted(months),
                "responded": responded,
            }
        return {
            "n": len(d),
            "waves": waves,
            "cohorts": cohorts,
            "gender": gender,
            "canonical": canonical,
            "derived": derived,
            "extra": extra,
            "excluded": len(self._excluded),
            "invalid_cells": len(self._invalid_cells),
            "problems": len(self._problems),
            "files": len(self._source),
        }

    def __repr__(self) -> str:
        s = self._summary()
        cohorts = ", ".join(s["cohorts"][:8]) + (", ..." if len(s["cohorts"]) > 8 else "")
        lines = [f"Cohort: {s['n']} participants in {len(s['cohorts'])} cohort(s) ({cohorts})"]
        if s["gender"]:
            lines.append("gender: " + ", ".join(f"{k} {v}" for k, v in s["gender"].items()))
        lines.append("columns: " + ", ".join(s["canonical"]))
        if s["extra"]:
            lines.append("extra columns: " + ", ".join(map(str, s["extra"])))
        if s["derived"]:
            lines.append(f"derived: {', '.join(s['derived'])}")
        if s["waves"] is not None:
            lines.append("follow-up: " + _waves_text(s["waves"]))
        invalid = (
            f"; invalid cells left missing: {s['invalid_cells']}" if s["invalid_cells"] else ""
        )
        lines.append(
            f"excluded: {s['excluded']} rows{invalid}; problems: {s['problems']}; "
            f"files: {s['files']}"
        )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        s = self._summary()
        esc = html.escape
        rows = [
            ("participants", str(s["n"])),
            ("cohorts", esc(", ".join(s["cohorts"])) or "&ndash;"),
            ("gender", esc(", ".join(f"{k} {v}" for k, v in s["gender"].items())) or "&ndash;"),
            ("columns", esc(", ".join(s["canonical"]))),
        ]
        if s["extra"]:
            rows.append(("extra columns", esc(", ".join(map(str, s["extra"])))))
        if s["derived"]:
            rows.append(("derived", esc(", ".join(s["derived"]))))
        if s["waves"] is not None:
            rows.append(("follow-up", esc(_waves_text(s["waves"]))))
        rows.append(("excluded rows", str(s["excluded"])))
        if s["invalid_cells"]:
            rows.append(("invalid cells left missing", str(s["invalid_cells"])))
        rows.append(("problems", str(s["problems"])))
        rows.append(("files", str(s["files"])))
        body = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{v}</td></tr>"
            for k, v in rows
        )
        return f"<div><strong>Cohort</strong><table>{body}</table></div>"


def _waves_text(w: Mapping[str, Any]) -> str:
    """One line on the follow-up waves: rows, participants, responses, wave months."""
    months = ", ".join(f"{m:g}" for m in w["months"][:10]) + (
        ", ..." if len(w["months"]) > 10 else ""
    )
    return (
        f"{w['rows']} rows, {w['participants']} participants, {w['responded']} responses; "
        f"{len(w['months'])} wave(s) at months {months or '-'}"
    )
