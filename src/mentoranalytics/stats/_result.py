"""The common base of statistical results.

A test or model returns a frozen dataclass that holds tidy tables, the method,
notes and warnings.  It renders in a notebook (``_repr_html_``) and exports
(``to_frame()``, ``to_markdown()``).  Numbers are stored unrounded; rounding
happens here, for display only.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Frozen tidy column names of every result table (never renamed).
RESULT_COLUMNS = ("n", "events", "rate", "estimate", "ci_low", "ci_high", "p_value", "method")


def format_table(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """Round numbers for display (p-values get '<0.001')."""
    out = table.copy()
    for col in out.columns:
        s = out[col]
        if col == "p_value" or str(col).endswith("p_value"):
            out[col] = s.map(_fmt_p)
        elif pd.api.types.is_float_dtype(s):
            out[col] = s.map(
                lambda v: (
                    "" if pd.isna(v) else f"{v:.{digits}g}" if abs(v) >= 1000 else f"{v:.{digits}f}"
                )
            )
    return out


def _fmt_p(p: Any) -> str:
    if p is None or (isinstance(p, float) and pd.isna(p)):
        return ""
    try:
        p = float(p)
    except (TypeError, ValueError):
        return str(p)
    return "<0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class Result:
    """Base of every test or model result.

    Subclasses add their tables as DataFrame fields and list them in
    :meth:`tables`; the first one is the main table returned by :meth:`to_frame`.
    """

    method: str = ""
    notes: tuple[str, ...] = field(default=(), kw_only=True)
    warnings: tuple[str, ...] = field(default=(), kw_only=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named tidy tables of this result, main table first."""
        return {}

    @property
    def title(self) -> str:
        return type(self).__name__

    def to_frame(self) -> pd.DataFrame:
        """The main table as a tidy DataFrame (a copy)."""
        tables = self.tables()
        if not tables:
            return pd.DataFrame()
        return next(iter(tables.values())).copy()

    def to_markdown(self, digits: int = 3) -> str:
        """Markdown text: each table, then method, notes and warnings."""
        parts = [f"**{self.title}**", ""]
        for name, table in self.tables().items():
            parts += [f"*{name}*", "", _markdown_table(format_table(table, digits)), ""]
        parts += self._footer_lines()
        return "\n".join(parts).rstrip() + "\n"

    def _footer_lines(self) -> list[str]:
        lines = []
        if self.method:
            lines.append(f"Method: {self.method}")
        lines += [f"Note: {n}" for n in self.notes]
        lines += [f"Warning: {w}" for w in self.warnings]
        return lines

    def _repr_html_(self) -> str:
        parts = [f"<div class='ma-result'><h4>{html.escape(self.title)}</h4>"]
        for name, table in self.tables().items():
            parts.append(f"<p><em>{html.escape(name)}</em></p>")
            parts.append(format_table(table).to_html(border=0, na_rep=""))
        foot = self._footer_lines()
        if foot:
            parts.append("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in foot) + "</ul>")
        parts.append("</div>")
        return "".join(parts)

    def __str__(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        """Short text: the title, the main table and the notes (no object addresses)."""
        tables = self.tables()
        lines = [f"<{self.title}>"]
        if tables:
            name, table = next(iter(tables.items()))
            lines += [f"{name}:", format_table(table).to_string()]
            if len(tables) > 1:
                lines.append("other tables: " + ", ".join(list(tables)[1:]))
        lines += self._footer_lines()
        return "\n".join(lines)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Keep this short repr in every subclass: @dataclass only adds a __repr__
        # when the class does not define one itself.
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = Result.__repr__  # type: ignore[method-assign]


def _markdown_table(table: pd.DataFrame) -> str:
    frame = table.reset_index() if not isinstance(table.index, pd.RangeIndex) else table
    cols = [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        cells = ["" if (isinstance(v, float) and pd.isna(v)) else str(v) for v in row]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
