"""The common base of statistical results.

A test or model returns a frozen dataclass that holds tidy tables, the method,
notes and warnings.  It renders in a notebook (``_repr_html_``) and exports
(``to_frame()``, ``to_markdown()``).  Numbers are stored unrounded; rounding
happens here, for display only.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..exceptions import AnalysisError
from . import _export

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

    # ----------------------------------------------------------------------------------
    # Publication output
    # ----------------------------------------------------------------------------------

    def to_markdown(
        self,
        digits: int = 3,
        *,
        table: str | Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        style: str | None = None,
    ) -> str:
        """Markdown text: the title, the tables, then method, notes and warnings.

        Parameters
        ----------
        digits : int, default=3
            Decimals of the numbers shown (p-values: three decimals or ``<0.001``;
            counts: whole numbers).  The result keeps its unrounded numbers.
        table : str or sequence of str, optional
            Which of :meth:`tables` to show.  Default: all of them, or only the main
            table when ``columns`` is given.
        columns : sequence of str, optional
            Columns to show, in this order (a style column by its label).
        style : str, optional
            One column for each estimate with its uncertainty, named by ``style``:
            ``"OR (95% CI)"`` gives ``1.23 (0.80 to 1.90)`` (from ``estimate``,
            ``ci_low``, ``ci_high``); a label with ``SE`` such as ``"Coef (SE)"``
            gives ``0.21 (0.07)`` (from ``std_error``; for ratios say ``log`` in the
            label: the standard error belongs to the log ratio).

        Returns
        -------
        str
            A method that is the same in every row is stated once below the tables.
        """
        prepared, footer = self._prepared(
            digits, table=table, columns=columns, style=style, fmt="markdown"
        )
        parts = [f"**{self.title}**", ""]
        for item in prepared:
            if len(prepared) > 1 or table is not None:
                parts += [f"*{item.name}*", ""]
            parts += [_export.markdown_table(item.frame, item.numeric), ""]
        parts += footer
        return "\n".join(parts).rstrip() + "\n"

    def to_latex(
        self,
        digits: int = 3,
        *,
        table: str | Sequence[str] | None = None,
        columns: Sequence[str] | None = None,
        style: str | None = None,
        caption: str | None = None,
        label: str | None = None,
        environment: str | None = "table",
    ) -> str:
        r"""LaTeX: a ``table`` float with caption, booktabs ``tabular`` and a footnote block.

        Every text is escaped (``_``, ``%``, ``&``, ``<``, symbols such as ``≥`` or
        ``χ²``), so the output compiles with pdfLaTeX given ``\usepackage{booktabs}``.

        Parameters
        ----------
        digits, columns, style
            As in :meth:`to_markdown`.
        table : str or sequence of str, optional
            Which of :meth:`tables` to typeset; default: the main (first) table.
        caption : str, optional
            Default: the result's title.
        label : str, optional
            ``\label{...}`` for cross-references.
        environment : str or None, default="table"
            The float around the tabular; None gives the bare ``tabular`` with the
            method and notes as ``%`` comment lines.

        Returns
        -------
        str
        """
        chosen = table if table is not None else self._main_table_name()
        prepared, footer = self._prepared(
            digits, table=chosen, columns=columns, style=style, fmt="latex"
        )
        tabulars = [(p.name, _export.latex_tabular(p.frame, p.numeric)) for p in prepared]
        return _export.latex_document_part(
            tabulars,
            caption=self.title if caption is None else str(caption),
            label=label,
            footer=footer,
            environment=environment,
        )

    def to_csv(
        self,
        path_or_buf: Any = None,
        *,
        digits: int | None = None,
        table: str | None = None,
        columns: Sequence[str] | None = None,
        style: str | None = None,
    ) -> str | None:
        """CSV of one table (tidy: the ``method`` column is kept), formulas neutralised.

        Parameters
        ----------
        path_or_buf : str, path or file-like, optional
            Where to write; None returns the text.
        digits : int, optional
            Decimals; default None writes the numbers unrounded.
        table : str, optional
            Which of :meth:`tables`; default: the main (first) table.
        columns, style
            As in :meth:`to_markdown`.

        Returns
        -------
        str or None
            The CSV text when ``path_or_buf`` is None.
        """
        if table is not None and not isinstance(table, str):
            raise AnalysisError(
                f"to_csv writes one table: table must be one name of {list(self.tables())}, "
                f"not {table!r}."
            )
        chosen = table if table is not None else self._main_table_name()
        prepared, _ = self._prepared(digits, table=chosen, columns=columns, style=style, fmt="csv")
        return _export.write_csv(prepared[0].frame, path_or_buf)

    # hooks for subclasses -------------------------------------------------------------

    def _main_table_name(self) -> str | None:
        names = list(self.tables())
        return names[0] if names else None

    def _export_tables(
        self, names: Sequence[str] | None, *, columns: Sequence[str] | None
    ) -> dict[str, pd.DataFrame]:
        """The tables to export: ``names`` (validated), else all (main only with columns)."""
        tables = self.tables()
        if names is None:
            if columns is not None and tables:
                first = next(iter(tables))
                return {first: tables[first]}
            return tables
        unknown = [n for n in names if n not in tables]
        if unknown:
            raise AnalysisError(
                f"table must name tables of this result: {list(tables)}; "
                f"{unknown} {'is' if len(unknown) == 1 else 'are'} not among them."
            )
        return {n: tables[n] for n in names}

    def _prepare_export(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        digits: int | None,
        columns: Sequence[str] | None,
        style: _export.Style | None,
        fmt: str,
    ) -> _export.Prepared:
        """One table ready to print (subclasses with display tables override this)."""
        return _export.prepare_table(
            name,
            frame,
            digits=digits,
            columns=columns,
            style=style,
            state_method_once=fmt != "csv",
            what=f"table {name!r}",
        )

    def _prepared(
        self,
        digits: Any,
        *,
        table: str | Sequence[str] | None,
        columns: Sequence[str] | None,
        style: str | None,
        fmt: str,
    ) -> tuple[list[_export.Prepared], list[str]]:
        digits = _export.check_digits(digits, allow_none=fmt == "csv")
        parsed = _export.parse_style(style)
        if parsed is not None:
            alpha = getattr(self, "alpha", None)
            parsed.check_level(alpha if isinstance(alpha, float) else None)
        names = [table] if isinstance(table, str) else table
        chosen = self._export_tables(names, columns=columns)
        if not chosen:
            raise AnalysisError(f"{self.title} has no table to export.")
        if parsed is not None and not any(
            _export.can_style(_export.flat_frame(t), parsed) for t in chosen.values()
        ):
            need = (
                "estimate (or rate, mean, median, survival), ci_low, ci_high"
                if parsed.kind == "ci"
                else "estimate, std_error"
            )
            raise AnalysisError(
                f"style={parsed.label!r} needs the columns {need}, which no exported table "
                f"has (tables: {list(chosen)})."
            )
        prepared = [
            self._prepare_export(n, t, digits=digits, columns=columns, style=parsed, fmt=fmt)
            for n, t in chosen.items()
        ]
        footer = self._footer_lines()
        # each table's own method, once, after the result's method line
        at = 1 if footer and footer[0].startswith("Method:") else 0
        stated = {self.method} if self.method else set()
        for item in prepared:
            for method in item.footer:
                if method not in stated:
                    label = f"Method ({item.name})" if len(prepared) > 1 else "Method"
                    footer.insert(at, f"{label}: {method}")
                    at += 1
                    stated.add(method)
        if parsed is not None and parsed.kind == "se" and parsed.log_scale and fmt != "csv":
            footer.append(
                f"{parsed.label}: ratios are shown as log ratios, with the standard errors "
                "of the log ratios."
            )
        return prepared, footer

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
