"""The report's content model: sections made of paragraphs, tables and figures.

Every number the report publishes sits in a :class:`TableBlock` (after disclosure
control), so the HTML, the Markdown, the Excel workbook and the JSON of published
numbers are all written from the same values and cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text (escaped when rendered)."""

    text: str
    kind: str = "text"  # "text", "finding", "note", "warning"


@dataclass(frozen=True)
class TableBlock:
    """A published table.

    Parameters
    ----------
    name : str
        Unique, file-name-safe identifier (used for the sheet, CSV and JSON).
    caption : str
        What the table shows, for a course leader.
    frame : DataFrame
        The published values (numbers unrounded; suppressed cells are NA).
    suppressed : DataFrame of bool, optional
        Same shape as ``frame``: True where a cell was withheld by disclosure control.
    reasons : DataFrame of str, optional
        Same shape: why a cell was withheld ("fewer than 5").
    notes : tuple of str
        Shown under the table.
    digits : int
        Display rounding only.
    percent_columns : tuple of str
        Columns holding proportions in [0, 1], displayed as percentages.
    point_columns : tuple of str
        Columns holding differences of proportions, displayed in percentage points
        ("-12.4 pp"); with ``point_rows``, only in those rows.
    point_rows : tuple, optional
        Rows (index labels) whose ``point_columns`` are differences of proportions
        (default: every row).
    percent_rows : tuple, optional
        Rows whose ``point_columns`` are proportions instead (shown as percentages),
        e.g. the share of a gap that runs through a mediator.
    technical : bool
        A table for auditing (effect-size variants, models, life tables): folded away
        in HTML and moved to the technical appendix in Markdown; every format keeps it.
    """

    name: str
    caption: str
    frame: pd.DataFrame
    suppressed: pd.DataFrame | None = None
    reasons: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    digits: int = 2
    percent_columns: tuple[str, ...] = ()
    point_columns: tuple[str, ...] = ()
    point_rows: tuple[Any, ...] | None = None
    percent_rows: tuple[Any, ...] = ()
    technical: bool = False

    def suppressed_mask(self) -> pd.DataFrame:
        """Boolean mask of withheld cells (all False when nothing was withheld)."""
        if self.suppressed is not None:
            return self.suppressed.reindex_like(self.frame).fillna(False).astype(bool)
        return pd.DataFrame(False, index=self.frame.index, columns=self.frame.columns)

    def display_frame(self) -> pd.DataFrame:
        """Strings for display: rounded numbers, percentages, 'suppressed'."""
        mask = self.suppressed_mask().to_numpy(dtype=bool)
        n_rows, n_cols = self.frame.shape
        cells = np.empty((n_rows, n_cols), dtype=object)
        rows = None if self.point_rows is None else {str(r) for r in self.point_rows}
        shares = {str(r) for r in self.percent_rows}
        for j, col in enumerate(self.frame.columns):
            for i, value in enumerate(self.frame.iloc[:, j]):
                row = str(self.frame.index[i])
                percent = col in self.percent_columns or (
                    col in self.point_columns and row in shares
                )
                points = (
                    col in self.point_columns
                    and row not in shares
                    and (rows is None or row in rows)
                )
                cells[i, j] = (
                    "suppressed"
                    if mask[i, j]
                    else format_value(
                        value, col, digits=self.digits, percent=percent, points=points
                    )
                )
        return pd.DataFrame(cells, index=self.frame.index, columns=self.frame.columns, dtype=object)

    def display_rows(self) -> list[tuple[Any, list[tuple[str, bool]]]]:
        """The display table row by row: ``(row label, [(text, withheld), ...])``."""
        texts = self.display_frame().to_numpy()
        hidden = self.suppressed_mask().to_numpy(dtype=bool)
        return [
            (idx, list(zip(texts[i].tolist(), hidden[i].tolist(), strict=True)))
            for i, idx in enumerate(self.frame.index)
        ]

    def published_numbers(self) -> list[dict[str, Any]]:
        """One record per cell: table, row, column, value, suppressed."""
        mask = self.suppressed_mask()
        records = []
        for idx in self.frame.index:
            for col in self.frame.columns:
                hidden = bool(mask.at[idx, col])
                value = None if hidden else json_value(self.frame.at[idx, col])
                records.append(
                    {
                        "table": self.name,
                        "row": _label(idx),
                        "column": _label(col),
                        "value": value,
                        "suppressed": hidden,
                    }
                )
        return records


@dataclass(frozen=True)
class FigureBlock:
    """A chart rendered to SVG (for the report), with its caption and alt text.

    The PNG is rendered only when asked for (the bundle), from the same figure.
    """

    name: str
    caption: str
    svg: str
    alt: str = ""
    figure: Any = field(default=None, compare=False, repr=False)
    _png: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    #: Returns the figure drawn again (a chart whose SVG was rendered in another process).
    redraw: Callable[[], Any] | None = field(default=None, compare=False, repr=False)

    def png(self, dpi: int = 150) -> bytes:
        """The chart as PNG bytes (rendered once, then cached)."""
        key = str(dpi)
        if key not in self._png:
            from ._png import render_png

            figure = self.figure
            if figure is None and self.redraw is not None:
                figure = self.redraw()
            self._png[key] = render_png(figure, dpi=dpi)
        return self._png[key]


Block = Paragraph | TableBlock | FigureBlock


@dataclass(frozen=True)
class Section:
    """A report section; ``unavailable`` replaces the content with one line saying why."""

    id: str
    title: str
    blocks: tuple[Block, ...] = ()
    unavailable: str | None = None
    intro: str = ""


@dataclass(frozen=True)
class Report:
    """A whole report, ready to be written in any format."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]
    banner: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    #: the release gate's decision log (output, item, decision, rule, reason)
    decisions: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    #: the joint audit: every protected cell with its feasible range
    audit: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    def tables(self) -> list[TableBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, TableBlock)]

    def figures(self) -> list[FigureBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, FigureBlock)]

    def published_numbers(self) -> list[dict[str, Any]]:
        return [rec for t in self.tables() for rec in t.published_numbers()]


def _label(value: Any) -> Any:
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value)
    return json_value(value) if not isinstance(value, str) else value


def json_value(value: Any) -> Any:
    """Convert a cell to a JSON-safe Python value (NA -> None)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float | int | bool | str):
        return value
    return str(value)


#: Columns that hold counts: shown as whole numbers whatever the table's digits.
COUNT_COLUMNS = frozenset(
    {
        "n",
        "events",
        "count",
        "participants",
        "mentors_approached",
        "refusals",
        "n_at_risk",
        "censored",
        "missing",
        "rows",
        "n_missing",
        "n_strata_used",
    }
)


def _signed_zero(text: str) -> str:
    """'-0', '-0.00', '-0.0%' -> the same without the sign."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        return text[1:]
    return text


def format_value(
    value: Any, column: Any = "", *, digits: int = 2, percent: bool = False, points: bool = False
) -> str:
    """Format a cell for display; unrounded values stay in the data.

    Counts are whole numbers, proportions percentages, differences of proportions
    percentage points, and a value that rounds to zero never shows a minus sign.

    >>> format_value(0.1234, "rate", percent=True)
    '12.3%'
    >>> format_value(-0.1234, "estimate", points=True)
    '-12.3 pp'
    >>> format_value(0.00001, "p_value")
    '<0.001'
    >>> format_value(12, "n")
    '12'
    >>> format_value(134.0, "participants")
    '134'
    >>> format_value(-0.0001, "estimate", digits=3)
    '0.000'
    """
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, float):
        name = str(column)
        if name == "p_value" or name.endswith("p_value"):
            return "<0.001" if value < 0.001 else f"{value:.3f}"
        if value in (float("inf"), float("-inf")):
            return "∞" if value > 0 else "-∞"
        if points:
            return _signed_zero(f"{100 * value:.1f}") + " pp"
        if percent:
            return _signed_zero(f"{100 * value:.1f}") + "%"
        if value == int(value) and name in COUNT_COLUMNS:
            return format_value(int(value))
        return _signed_zero(f"{value:.{digits}f}")
    return str(value)
