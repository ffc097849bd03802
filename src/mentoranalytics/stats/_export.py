"""Publication output of result tables: Markdown, LaTeX and CSV.

Every result (:class:`~mentoranalytics.stats._result.Result`) exports through these
helpers, so the options mean the same everywhere:

* ``digits``: decimals of the numbers shown (p-values keep three decimals and
  ``<0.001``; counts stay whole numbers);
* ``columns``: which columns of the table, in which order;
* ``style``: one column for an estimate and its uncertainty, named by the style, e.g.
  ``"OR (95% CI)"`` gives cells such as ``1.23 (0.80 to 1.90)`` and ``"Coef (SE)"``
  gives ``0.21 (0.07)``;
* a ``method`` column whose value is the same in every row is dropped from Markdown
  and LaTeX and stated once below the table.

The numbers of the result are never changed: formatting happens on a copy.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import AnalysisError

#: Measures whose estimate is a ratio (its standard error is on the log scale).
RATIO_MEASURES = frozenset(
    {
        "odds_ratio",
        "risk_ratio",
        "rate_ratio",
        "hazard_ratio",
        "cumulative_odds_ratio",
        "baseline_odds",
    }
)

#: Columns that hold counts: shown as whole numbers.
COUNT_COLUMNS = frozenset(
    {"n", "events", "count", "missing", "n_at_risk", "n_censored", "k", "df", "n_excluded"}
)


# --------------------------------------------------------------------------------------
# Number formatting
# --------------------------------------------------------------------------------------


def format_p(p: Any) -> str:
    """A p-value for display: three decimals, ``<0.001`` below that, ``""`` when missing.

    >>> format_p(0.04321), format_p(1e-5), format_p(float("nan"))
    ('0.043', '<0.001', '')
    """
    if p is None or p is pd.NA:
        return ""
    try:
        value = float(p)
    except (TypeError, ValueError):
        return str(p)
    if math.isnan(value):
        return ""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def format_number(value: Any, digits: int) -> str:
    """``value`` with ``digits`` decimals; whole-number types as they are; ``""`` if missing.

    >>> format_number(1.23456, 2), format_number(12, 2), format_number(float("inf"), 2)
    ('1.23', '12', 'Inf')
    """
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "Inf" if v > 0 else "-Inf"
        text = f"{v:.{digits}f}"
        # no "-0.00": a value that rounds to zero is shown without a sign
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    if isinstance(value, float) and pd.isna(value):
        return ""
    return str(value)


def _format_cell(value: Any, column: str, digits: int) -> str:
    name = str(column)
    if name == "p_value" or name.endswith("p_value"):
        return format_p(value)
    if (
        name in COUNT_COLUMNS
        and isinstance(value, (float, np.floating))
        and math.isfinite(float(value))
        and float(value) == round(float(value))
    ):
        return str(int(value))
    return format_number(value, digits)


def format_frame(frame: pd.DataFrame, digits: int) -> pd.DataFrame:
    """Every cell of ``frame`` as display text (a new object frame)."""
    out = pd.DataFrame(index=frame.index)
    for k, col in enumerate(frame.columns):
        values = frame.iloc[:, k].tolist()
        out[col] = [_format_cell(v, str(col), digits) for v in values]
    out.columns = frame.columns
    return out


# --------------------------------------------------------------------------------------
# Styles: an estimate with its uncertainty in one cell
# --------------------------------------------------------------------------------------

_LEVEL = re.compile(r"(\d+(?:\.\d+)?)\s*%")


@dataclass(frozen=True)
class Style:
    """A parsed ``style=``: the column label and what goes in each cell."""

    label: str
    kind: str  # "ci" or "se"
    level: float | None = None  # the confidence level the label states, in percent
    log_scale: bool = False  # the label asks for coefficients on the log scale

    def check_level(self, alpha: float | None) -> None:
        """Refuse a label that states another confidence level than the result's."""
        if self.level is None or alpha is None:
            return
        actual = 100 * (1 - float(alpha))
        if abs(actual - self.level) > 1e-9:
            raise AnalysisError(
                f"style={self.label!r} states a {self.level:g}% interval, but the result's "
                f"intervals are {actual:g}% (alpha={alpha:g}). Write style='... "
                f"({actual:g}% CI)' or refit with alpha={1 - self.level / 100:g}."
            )


def parse_style(style: Any) -> Style | None:
    """Turn ``style=`` into a :class:`Style` (None when ``style`` is None).

    >>> parse_style("OR (95% CI)")
    Style(label='OR (95% CI)', kind='ci', level=95.0, log_scale=False)
    >>> parse_style("log OR (SE)").kind
    'se'
    """
    if style is None:
        return None
    if not isinstance(style, str) or not style.strip():
        raise AnalysisError(
            f"style must be a column label such as 'OR (95% CI)' or 'Coef (SE)', not {style!r}."
        )
    label = style.strip()
    words = set(re.findall(r"[A-Za-z]+", label))
    log_scale = bool({"log", "Log", "LOG", "coef", "Coef", "b", "B", "beta"} & words)
    if "CI" in words or "ci" in words or "interval" in label.lower():
        match = _LEVEL.search(label)
        return Style(label, "ci", float(match.group(1)) if match else None, log_scale)
    if "SE" in words or "se" in words or "s.e." in label.lower():
        return Style(label, "se", None, log_scale)
    raise AnalysisError(
        f"style={label!r} names neither an interval nor a standard error. Use a label with "
        "'CI' (e.g. 'OR (95% CI)': cells '1.23 (0.80 to 1.90)') or with 'SE' (e.g. "
        "'Coef (SE)': cells '0.21 (0.07)')."
    )


def _is_ratio_table(table: pd.DataFrame) -> bool:
    if "coef" in table.columns or "log_estimate" in table.columns:
        return True
    if "measure" in table.columns:
        measures = {str(m) for m in table["measure"].dropna()}
        return bool(measures) and measures <= RATIO_MEASURES
    return False


def _coefficients(table: pd.DataFrame) -> pd.Series:
    """The coefficient whose standard error ``std_error`` is (log scale for ratios)."""
    for name in ("coef", "log_estimate"):
        if name in table.columns:
            return pd.to_numeric(table[name], errors="coerce")
    estimate = pd.to_numeric(table["estimate"], errors="coerce").astype(float)
    if "measure" in table.columns:
        ratio = table["measure"].isin(list(RATIO_MEASURES)).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            logged = np.log(estimate.to_numpy())
        return pd.Series(np.where(ratio, logged, estimate.to_numpy()), index=table.index)
    return estimate


#: Columns that a style combines with ``ci_low``/``ci_high``, in order of preference.
VALUE_COLUMNS = ("estimate", "rate", "mean", "median", "survival")


def value_column(table: pd.DataFrame, style: Style) -> str | None:
    """The column whose values ``style`` shows with their uncertainty (None if none)."""
    if style.kind == "ci":
        if not {"ci_low", "ci_high"} <= set(table.columns):
            return None
        return next((c for c in VALUE_COLUMNS if c in table.columns), None)
    return "estimate" if {"estimate", "std_error"} <= set(table.columns) else None


def can_style(table: pd.DataFrame, style: Style) -> bool:
    """Whether ``table`` has the columns that ``style`` combines."""
    return value_column(table, style) is not None


def styled_values(table: pd.DataFrame, style: Style, digits: int) -> list[str]:
    """The cells of the ``style`` column for each row of ``table``."""
    value = value_column(table, style)
    if value is None:
        raise AnalysisError(f"style={style.label!r} does not fit this table.")
    if style.kind == "ci":
        cells = []
        for est, low, high in zip(table[value], table["ci_low"], table["ci_high"], strict=True):
            e = format_number(est, digits)
            lo, hi = format_number(low, digits), format_number(high, digits)
            cells.append(f"{e} ({lo} to {hi})" if e and lo and hi else e)
        return cells
    ratio = _is_ratio_table(table)
    if ratio and not style.log_scale:
        raise AnalysisError(
            f"style={style.label!r}: these estimates are ratios and their standard errors "
            "belong to the log ratios. Use an interval style such as 'OR (95% CI)', or "
            "say 'log' in the label (e.g. 'log OR (SE)') to show log ratios with their SEs."
        )
    coef = _coefficients(table) if ratio else table["estimate"]
    cells = []
    for b, se in zip(coef, table["std_error"], strict=True):
        text_b, text_se = format_number(b, digits), format_number(se, digits)
        cells.append(f"{text_b} ({text_se})" if text_b and text_se else text_b)
    return cells


# --------------------------------------------------------------------------------------
# Preparing one table for export
# --------------------------------------------------------------------------------------


def flat_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a meaningful index turned into columns (a RangeIndex is dropped)."""
    if isinstance(table.index, pd.RangeIndex):
        return table.reset_index(drop=True)
    names = [
        str(n) if n is not None else ("index" if table.index.nlevels == 1 else f"level_{i}")
        for i, n in enumerate(table.index.names)
    ]
    frame = table.copy()
    frame.index = frame.index.set_names(names)
    clash = [n for n in names if n in frame.columns]
    if clash:
        frame = frame.reset_index(drop=True)
    else:
        frame = frame.reset_index()
    return frame


def select_columns(frame: pd.DataFrame, columns: Sequence[str] | None, what: str) -> pd.DataFrame:
    """``frame[columns]`` with a clear error for names that are not columns."""
    if columns is None:
        return frame
    if isinstance(columns, str):
        columns = [columns]
    wanted = list(columns)
    available = [str(c) for c in frame.columns]
    unknown = [c for c in wanted if c not in available]
    if unknown:
        raise AnalysisError(f"columns {unknown} are not columns of {what}. Available: {available}.")
    positions = [available.index(c) for c in wanted]
    return frame.iloc[:, positions]


def common_method(frame: pd.DataFrame) -> str | None:
    """The value of a ``method`` column when it is the same (or empty) in every row."""
    if "method" not in frame.columns:
        return None
    values = {str(v) for v in frame["method"] if isinstance(v, str) and v}
    if len(values) > 1:
        return None
    return values.pop() if values else ""


@dataclass
class Prepared:
    """One table ready to print: text cells, column alignment and lines for the footer."""

    name: str
    frame: pd.DataFrame  # text cells
    numeric: list[bool]  # per column: right-aligned numbers
    footer: list[str]


def prepare_table(
    name: str,
    table: pd.DataFrame,
    *,
    digits: int | None,
    columns: Sequence[str] | None,
    style: Style | None,
    state_method_once: bool,
    what: str,
) -> Prepared:
    """Flatten, style, select and format one table.

    ``digits=None`` keeps numbers unformatted (CSV); a style then uses 3 decimals.
    """
    frame = flat_frame(table)
    if style is not None and can_style(frame, style):
        value = value_column(frame, style) or "estimate"
        cells = styled_values(frame, style, 3 if digits is None else digits)
        drop = [value, "ci_low", "ci_high"] if style.kind == "ci" else [value, "std_error"]
        position = list(frame.columns).index(value)
        frame = frame.drop(columns=drop)
        frame.insert(min(position, frame.shape[1]), style.label, cells)
    frame = select_columns(frame, columns, what)
    footer: list[str] = []
    if state_method_once:
        method = common_method(frame)
        if method is not None:
            frame = frame.drop(columns=["method"])
            if method:
                footer.append(method)
    numeric = [
        bool(
            pd.api.types.is_numeric_dtype(frame.iloc[:, k].dtype)
            and not pd.api.types.is_bool_dtype(frame.iloc[:, k].dtype)
        )
        or (style is not None and str(col) == style.label)
        for k, col in enumerate(frame.columns)
    ]
    text = frame if digits is None else format_frame(frame, digits)
    return Prepared(name, text, numeric, footer)


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------


def markdown_table(frame: pd.DataFrame, numeric: Sequence[bool] | None = None) -> str:
    """A GitHub-flavoured Markdown table of text cells (``|`` escaped)."""
    if isinstance(frame.columns, pd.MultiIndex):
        cols = [": ".join(str(x) for x in c if str(x)) for c in frame.columns]
    else:
        cols = [str(c) for c in frame.columns]
    aligns = numeric if numeric is not None else [False] * len(cols)
    lines = [
        "| " + " | ".join(c.replace("|", "\\|") for c in cols) + " |",
        "|" + "".join("---:|" if a else "---|" for a in aligns),
    ]
    for row in frame.itertuples(index=False):
        cells = ["" if _missing(v) else str(v) for v in row]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


# --------------------------------------------------------------------------------------
# LaTeX
# --------------------------------------------------------------------------------------

_LATEX_CHARS: dict[str, str] = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    # characters that pdfLaTeX's default set-up cannot typeset
    "\u2013": "--",
    "\u2014": "---",
    "\u2212": "$-$",
    "\u2264": r"$\leq$",
    "\u2265": r"$\geq$",
    "\u2260": r"$\neq$",
    "\u2248": r"$\approx$",
    "\u00d7": r"$\times$",
    "\u00b1": r"$\pm$",
    "\u00b7": r"$\cdot$",
    "\u2192": r"$\rightarrow$",
    "\u221e": r"$\infty$",
    "\u2026": r"\ldots{}",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u00a0": "~",
    "\u00b2": r"\textsuperscript{2}",
    "\u00b3": r"\textsuperscript{3}",
    "\u03b1": r"$\alpha$",
    "\u03b2": r"$\beta$",
    "\u03c7": r"$\chi$",
    "\u03c4": r"$\tau$",
    "\u03bc": r"$\mu$",
    "\u03c3": r"$\sigma$",
    "\u03ba": r"$\kappa$",
    "\u03c1": r"$\rho$",
    "\u0394": r"$\Delta$",
    "\u221a": r"$\surd$",
}
_LATEX_TABLE = str.maketrans(_LATEX_CHARS)


def latex_escape(text: Any) -> str:
    """Text safe to place in a LaTeX document (special characters and symbols escaped).

    >>> print(latex_escape("p_value < 5% & n #1"))
    p\\_value \\textless{} 5\\% \\& n \\#1
    >>> print(latex_escape("Kaplan–Meier, I² ≥ 50%"))
    Kaplan--Meier, I\\textsuperscript{2} $\\geq$ 50\\%
    """
    return str(text).translate(_LATEX_TABLE)


def _header_rows(frame: pd.DataFrame) -> list[str]:
    """Header lines of a tabular: one level, or two with spanning top cells."""
    columns = frame.columns
    if not isinstance(columns, pd.MultiIndex):
        return [" & ".join(latex_escape(c) for c in columns) + r" \\"]
    tops = [str(c[0]) for c in columns]
    cells, rules = [], []
    start = 0
    while start < len(tops):
        end = start
        while end + 1 < len(tops) and tops[end + 1] == tops[start]:
            end += 1
        width = end - start + 1
        top = latex_escape(tops[start])
        if width > 1 and top:
            cells.append(rf"\multicolumn{{{width}}}{{c}}{{{top}}}")
            rules.append(rf"\cmidrule(lr){{{start + 1}-{end + 1}}}")
        else:
            cells.extend([top] * 1 + [""] * (width - 1))
        start = end + 1
    bottom = " & ".join(latex_escape(": ".join(str(x) for x in c[1:])) for c in columns)
    return [" & ".join(cells) + r" \\", *(" ".join(rules) and [" ".join(rules)]), bottom + r" \\"]


def latex_tabular(frame: pd.DataFrame, numeric: Sequence[bool]) -> str:
    """A booktabs ``tabular`` of text cells (escaped here)."""
    spec = "".join("r" if n else "l" for n in numeric)
    lines = [rf"\begin{{tabular}}{{{spec}}}", r"\toprule", *_header_rows(frame), r"\midrule"]
    for row in frame.itertuples(index=False):
        cells = ["" if _missing(v) else latex_escape(v) for v in row]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def latex_document_part(
    tabulars: Sequence[tuple[str, str]],
    *,
    caption: str,
    label: str | None,
    footer: Sequence[str],
    environment: str | None,
) -> str:
    """Tabulars in a float with caption, label and a footnote block (or bare, footer as comments).

    ``tabulars`` holds ``(heading, tabular)`` pairs; a heading is printed above its
    tabular when there are several.
    """
    if environment is None:
        body = []
        for heading, tab in tabulars:
            if heading and len(tabulars) > 1:
                body.append(f"% {heading}")
            body.append(tab)
        body += [f"% {line}" for line in footer]
        return "\n".join(body) + "\n"
    if not re.fullmatch(r"[A-Za-z*]+", environment):
        raise AnalysisError(
            f"environment must be a LaTeX float name such as 'table' or None, not {environment!r}."
        )
    lines = [
        rf"\begin{{{environment}}}[htbp]",
        r"\centering",
        rf"\caption{{{latex_escape(caption)}}}",
    ]
    if label:
        lines.append(rf"\label{{{label}}}")
    for i, (heading, tab) in enumerate(tabulars):
        if heading and len(tabulars) > 1:
            if i:
                lines.append(r"\par\medskip")
            lines.append(rf"\textit{{{latex_escape(heading)}}}\par\smallskip")
        lines.append(tab)
    if footer:
        lines.append(r"\par\smallskip")
        lines.append(r"\begin{minipage}{\linewidth}\footnotesize")
        lines.append("\\par\n".join(latex_escape(line) for line in footer))
        lines.append(r"\end{minipage}")
    lines.append(rf"\end{{{environment}}}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------


def write_csv(frame: pd.DataFrame, path_or_buf: Any, **kwargs: Any) -> str | None:
    """CSV with spreadsheet formulas neutralised; the text when ``path_or_buf`` is None."""
    from ..privacy.output_rules import neutralise_frame

    safe = neutralise_frame(frame)
    if isinstance(safe.columns, pd.MultiIndex):
        safe.columns = [": ".join(str(x) for x in c if str(x)) for c in safe.columns]
    result: str | None = safe.to_csv(path_or_buf, index=False, **kwargs)
    return result


def check_digits(digits: Any, *, allow_none: bool) -> int | None:
    """``digits`` as an int (0 to 15), or None when allowed."""
    if digits is None and allow_none:
        return None
    if (
        isinstance(digits, bool)
        or not isinstance(digits, (int, np.integer))
        or not 0 <= digits <= 15
    ):
        allowed = "an int from 0 to 15" + (" or None" if allow_none else "")
        raise AnalysisError(f"digits must be {allowed}, not {digits!r}.")
    return int(digits)
