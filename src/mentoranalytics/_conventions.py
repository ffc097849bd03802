"""The package's conventions for groups, yes/no values and arguments, in one place.

Every analysis and chart reads yes/no columns, orders groups and picks the reference
group of a comparison through the functions below, so that the same data give the
same order, the same reference and the same sign everywhere.

**Group order** (:func:`group_order`, :func:`order_levels`): the groups present, in

1. the schema's category order for a canonical column (``gender``: woman, man,
   non_binary, self_described, not_stated);
2. then the order of a pandas categorical's categories;
3. then sorted (yes/no values: no before yes; mixed types by their text).

Categories nobody has are not groups, and neither is a missing value (NA).  Group
labels are labels: the text ``"None"`` or ``"NA"`` is a group of its own there (a
dose level, say), while in a yes/no or numeric column it reads as missing.

**Reference group** (:func:`default_reference`), the comparator of every comparison
(``estimate`` = group minus, or over, reference).  It never depends on group sizes:

* for gender, ``man`` when present (the comparator of gender-gap reporting, so a gap
  reads "women minus men");
* for a yes/no column, ``False`` (effects of yes against no);
* otherwise the first group in the order above (the schema's or the categorical's
  first level, else the smallest value).

Pass ``reference=`` to any function to choose another; every result states it.

**Yes/no values** (:func:`yes_no`): booleans (nullable too), the numbers 0 and 1,
and the words yes/no, y/n, true/false, t/f, 1/0 in any case; the missing markers
(empty, NA, N/A, n/a, null, none, nan) are missing.
"""

from __future__ import annotations

import difflib
import numbers
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import AnalysisError
from .schema import FALSE_WORDS, GENDERS, MISSING_MARKERS, SCHEMA, TRUE_WORDS, normalise_value

__all__ = [
    "GENDER_REFERENCE",
    "check_column_name",
    "check_column_names",
    "close_matches",
    "default_reference",
    "deprecated_argument",
    "group_order",
    "is_missing",
    "missing_cells",
    "order_levels",
    "plain",
    "reference_reason",
    "resolve_pair",
    "resolve_reference",
    "yes_no",
    "yes_no_boolean",
]

#: The reference group of every comparison by gender (when present).
GENDER_REFERENCE = "man"


# --------------------------------------------------------------------------------------
# Plain values
# --------------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar; anything else unchanged.

    Labels and numbers pass through this before they reach a result, a note or a
    message, so that they print as ``False`` and ``0.5``, never ``np.False_`` or
    ``np.float64(0.5)``.

    >>> plain(np.bool_(False)), plain(np.float64(0.5)), plain("man")
    (False, 0.5, 'man')
    """
    return value.item() if isinstance(value, np.generic) else value


# --------------------------------------------------------------------------------------
# Missing values and yes/no values
# --------------------------------------------------------------------------------------


def _is_marker(value: Any) -> bool:
    return isinstance(value, str) and normalise_value(value) in MISSING_MARKERS


def is_missing(series: pd.Series) -> np.ndarray:
    """True where a cell is missing: NA, or a text missing marker (``""``, ``NA``, ``n/a``...).

    >>> is_missing(pd.Series(["yes", None, "N/A", "no"])).tolist()
    [False, True, True, False]
    """
    missing = series.isna().to_numpy(dtype=bool, copy=True)
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        marker = np.array([_is_marker(u) for u in uniques] + [True], dtype=bool)
        missing = marker[np.where(codes >= 0, codes, len(uniques))]
    elif isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        marker = np.array([_is_marker(c) for c in cats] + [True])
        codes = series.cat.codes.to_numpy()
        missing = marker[np.where(codes >= 0, codes, len(cats))]
    return missing


def missing_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Which cells an analysis leaves out as missing: NA everywhere, and in a yes/no
    column also its text missing markers (``"NA"`` in a yes/no column is missing;
    in a column of group labels it is a label).

    >>> missing_cells(pd.DataFrame({"y": ["yes", "NA"], "g": ["NA", "b"]})).values.tolist()
    [[False, False], [True, False]]
    """
    out = frame.isna()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            read = yes_no(frame[column])
            if read is not None:
                out[column] = read.isna()
    return out


def _word(value: Any) -> float | None:
    """1.0 / 0.0 for one yes/no value, NaN for a missing marker, None otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, numbers.Number):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        if np.isnan(number):
            return np.nan
        return number if number in (0.0, 1.0) else None
    if isinstance(value, str):
        word = normalise_value(value)
        if word in TRUE_WORDS:
            return 1.0
        if word in FALSE_WORDS:
            return 0.0
        if word in MISSING_MARKERS:
            return np.nan
    return None


def _row_list(index: pd.Index, mask: np.ndarray, limit: int = 10) -> str:
    labels = [str(plain(x)) for x in index[mask][:limit]]
    more = int(mask.sum()) - len(labels)
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def yes_no(
    series: pd.Series,
    column: str | None = None,
    *,
    strict: bool = False,
    error: type[Exception] = AnalysisError,
) -> Any:
    """Read a yes/no column as floats: 1.0 (yes), 0.0 (no), NaN (missing).

    The package's one yes/no reader.  Accepted: booleans (``bool`` or nullable
    ``boolean``), numbers that are all 0 or 1, text yes/no, y/n, true/false, t/f,
    1/0 in any case, and a categorical of any of these.  Text missing markers
    (empty, NA, N/A, n/a, null, none, nan) are missing; a column with no value at
    all is read as all missing.

    Parameters
    ----------
    series : pandas.Series
        The column.
    column : str, optional
        Its name, for the error message.
    strict : bool, default=False
        When the column is not yes/no: ``False`` returns None, ``True`` raises an
        :class:`~mentoranalytics.exceptions.AnalysisError` naming the rows (never
        the values).
    error : exception class, default=AnalysisError
        The error raised with ``strict=True``.

    Returns
    -------
    pandas.Series or None
        float64, indexed like ``series``.

    Examples
    --------
    >>> yes_no(pd.Series(["Yes", "n", None, "NA"])).tolist()
    [1.0, 0.0, nan, nan]
    >>> yes_no(pd.Series([0, 2])) is None
    True
    """
    s = series
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(s.to_numpy(dtype="float64", na_value=np.nan), index=s.index)
    if pd.api.types.is_numeric_dtype(s.dtype):
        arr = s.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isnan(arr) & (arr != 0.0) & (arr != 1.0)
        if not bad.any():
            return pd.Series(arr, index=s.index)
    else:
        # read each distinct value once (one hash pass), then spread to the rows
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        words = [_word(u) for u in uniques]
        at = np.where(codes >= 0, codes, len(words))
        bad = np.array([w is None for w in words] + [False], dtype=bool)[at]
        if not bad.any():
            read = np.array([np.nan if w is None else w for w in words] + [np.nan], dtype=float)
            return pd.Series(read[at], index=s.index)
    if not strict:
        return None
    name = f"Column {column!r}" if column is not None else "The column"
    raise error(
        f"{name} must hold yes/no values (True/False, 1/0, yes/no); {int(bad.sum())} row(s) "
        f"hold something else (rows {_row_list(series.index, bad)}). Correct those cells or "
        "set them to missing."
    )


def yes_no_boolean(
    series: pd.Series, column: str | None = None, *, error: type[Exception] = AnalysisError
) -> pd.Series:
    """:func:`yes_no` as a nullable ``boolean`` Series (raises ``error`` when not yes/no).

    >>> yes_no_boolean(pd.Series(["y", "N", ""])).tolist()
    [True, False, <NA>]
    """
    values = yes_no(series, column, strict=True, error=error)
    out = pd.array(values.to_numpy() == 1.0, dtype="boolean")
    out[np.isnan(values.to_numpy())] = pd.NA
    return pd.Series(out, index=series.index)


# --------------------------------------------------------------------------------------
# Group order and the reference group
# --------------------------------------------------------------------------------------


def _sorted(values: list[Any]) -> list[Any]:
    words = [_word(v) for v in values]
    if values and all(w is not None and not np.isnan(w) for w in words):
        # yes/no values: no before yes (then by text, for two spellings of one answer)
        return [v for _, _, v in sorted(zip(words, map(str, values), values, strict=True))]
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def order_levels(
    present: Iterable[Any], column: str | None = None, categories: Sequence[Any] | None = None
) -> list[Any]:
    """Distinct values ``present`` in the package's group order (see the module doc).

    Parameters
    ----------
    present : iterable
        The distinct non-missing values (order does not matter).
    column : str, optional
        The column's name: a canonical column brings the schema's category order.
    categories : sequence, optional
        A pandas categorical's categories, in order.

    >>> order_levels(["man", "woman", "x"], "gender")
    ['woman', 'man', 'x']
    >>> order_levels([True, False])
    [False, True]
    """
    values = list(dict.fromkeys(plain(v) for v in present))
    out: list[Any] = []
    col = SCHEMA.get(column) if isinstance(column, str) else None
    if col is not None and col.categories:
        out = [c for c in col.categories if c in values]
    if categories is not None:
        out += [plain(c) for c in categories if plain(c) in values and plain(c) not in out]
    return out + _sorted([v for v in values if v not in out])


def group_order(values: pd.Series, column: str | None = None) -> list[Any]:
    """The groups present in ``values`` (missing is not a group), in display order.

    >>> group_order(pd.Series(["man", "woman", None]), "gender")
    ['woman', 'man']
    """
    categories = None
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = list(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        seen = np.unique(codes[codes >= 0])
        present: list[Any] = [categories[i] for i in seen]
    else:
        present = list(pd.unique(values.dropna()))
    return order_levels(present, column, categories)


def _is_gender(levels: Sequence[Any], column: str | None) -> bool:
    col = SCHEMA.get(column) if isinstance(column, str) else None
    if col is not None and tuple(col.categories or ()) == GENDERS:
        return True
    return all(isinstance(v, str) for v in levels) and set(levels) <= set(GENDERS)


def default_reference(levels: Sequence[Any], column: str | None = None) -> Any:
    """The default reference group among ``levels`` (the groups with data, in order).

    ``man`` for gender when present, ``False`` (no) for yes/no groups, else the first
    level.  None when there are no levels.

    >>> default_reference(["woman", "man", "non_binary"], "gender")
    'man'
    >>> default_reference([False, True], "goals_defined")
    False
    >>> default_reference(["employed", "other"], "employment")
    'employed'
    """
    levels = [plain(v) for v in levels]
    if not levels:
        return None
    if GENDER_REFERENCE in levels and _is_gender(levels, column):
        return GENDER_REFERENCE
    words = [_word(v) for v in levels]
    if all(w is not None and not np.isnan(w) for w in words) and 0.0 in words:
        return levels[words.index(0.0)]
    return levels[0]


def reference_reason(reference: Any, levels: Sequence[Any], column: str | None = None) -> str:
    """Why ``reference`` is the default reference among ``levels``, in words.

    >>> reference_reason("man", ["woman", "man"], "gender")
    'the default for gender: gaps read as the other groups minus (or over) men'
    """
    levels = [plain(v) for v in levels]
    ref = plain(reference)
    if ref == GENDER_REFERENCE and _is_gender(levels, column):
        return "the default for gender: gaps read as the other groups minus (or over) men"
    words = [_word(v) for v in levels]
    if all(w is not None and not np.isnan(w) for w in words) and _word(ref) == 0.0:
        return "the default for a yes/no column: yes compared with no"
    return "the default: the first group in order"


def close_matches(word: Any, candidates: Iterable[Any]) -> list[str]:
    """Close spellings of ``word`` among ``candidates`` (case ignored), best first.

    >>> close_matches("Gendr", ["gender", "cohort"])
    ['gender']
    """
    options = [str(c) for c in candidates]
    lowered: dict[str, str] = {}
    for option in options:
        lowered.setdefault(option.lower(), option)
    text = str(word).lower()
    hits = difflib.get_close_matches(text, list(lowered), n=3, cutoff=0.6)
    if len(text) >= 3:  # a name cut short: "bold" for "bold_choice"
        hits += [o for o in lowered if o.startswith(text) and o not in hits]
    return [lowered[h] for h in hits[:3]]


def _did_you_mean(word: Any, candidates: Iterable[Any]) -> str:
    hits = close_matches(word, candidates)
    if not hits:
        return ""
    return " Did you mean " + " or ".join(repr(h) for h in hits) + "?"


def resolve_reference(
    reference: Any, levels: Sequence[Any], column: str | None, *, name: str = "reference"
) -> Any:
    """Find ``reference`` among ``levels``, or raise naming the groups.

    The value is matched as given, then by its text (``"2019"`` finds ``2019``), and
    for yes/no groups by its yes/no meaning (``"no"`` or ``0`` find ``False``).

    >>> resolve_reference("no", [False, True], "goals_defined")
    False
    """
    levels = [plain(v) for v in levels]
    ref = plain(reference)
    for level in levels:
        if type(level) is type(ref) and level == ref:
            return level
    for level in levels:
        if level == ref and not isinstance(level, bool) and not isinstance(ref, bool):
            return level
    text = [lev for lev in levels if str(lev) == str(ref)]
    if len(text) == 1:
        return text[0]
    words = [_word(v) for v in levels]
    wanted = _word(ref)
    if wanted is not None and all(w is not None for w in words):
        hits = [lev for lev, w in zip(levels, words, strict=True) if w == wanted]
        if len(hits) == 1:
            return hits[0]
    where = repr(column) if column else "the data"
    raise AnalysisError(
        f"{name}={ref!r} is not a group of {where} with data. Groups: {levels}."
        + _did_you_mean(ref, levels)
    )


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def resolve_pair(
    levels: Sequence[Any],
    column: str | None,
    reference: Any = None,
    group: Any = None,
) -> tuple[Any, Any, str]:
    """The two groups of a two-group comparison: ``(group, reference, note)``.

    ``reference`` defaults to :func:`default_reference`; ``group`` to the first other
    level in order.  The note states both and, with more than two groups, that the
    others are left out.

    >>> resolve_pair(["woman", "man", "non_binary"], "gender")[:2]
    ('woman', 'man')
    """
    levels = [plain(v) for v in levels]
    chosen = None if group is None else resolve_reference(group, levels, column, name="group")
    if reference is not None:
        ref = resolve_reference(reference, levels, column)
    else:
        # the default reference; when the group is named, among the other groups
        ref = default_reference([v for v in levels if not _same(v, chosen)], column)
    if chosen is None:
        others = [v for v in levels if not _same(v, ref)]
        if ref is None or not others:
            where = f"column {column!r}" if column else "the data"
            raise AnalysisError(
                f"A comparison needs two groups, but {where} has "
                f"{len(levels)} group(s) with data ({levels})."
            )
        chosen = others[0]
    elif ref is None or _same(chosen, ref):
        raise AnalysisError(
            f"group and reference must be two different groups of {column!r}; "
            f"got group={chosen!r} and reference={ref!r}."
        )
    note = f"{chosen!s} compared with {ref!s} (reference)"
    rest = [v for v in levels if not (_same(v, chosen) or _same(v, ref))]
    if rest:
        note += f"; the other group(s) {rest} are not part of this comparison"
    return chosen, ref, note


# --------------------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------------------


def check_column_name(value: Any, name: str, *, optional: bool = False) -> None:
    """Raise unless ``value`` is a column name (a str; or None when ``optional``).

    >>> check_column_name(["a", "b"], "outcome")
    Traceback (most recent call last):
    ...
    mentoranalytics.exceptions.AnalysisError: outcome must be a column name (str), not list. Pass one column, e.g. outcome='a'.
    """
    if isinstance(value, str) or (optional and value is None):
        return
    extra = " or None" if optional else ""
    hint = ""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        hint = f" Pass one column, e.g. {name}={value[0]!r}."
    raise AnalysisError(
        f"{name} must be a column name (str){extra}, not {type(value).__name__}.{hint}"
    )


def check_column_names(value: Any, name: str) -> list[str]:
    """A column name or a sequence of them, as a list; raise for anything else.

    >>> check_column_names("gender", "predictors")
    ['gender']
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple, pd.Index)) and all(isinstance(v, str) for v in value):
        return list(value)
    raise AnalysisError(
        f"{name} must be a column name (str) or a list of column names, not {type(value).__name__}."
    )


def deprecated_argument(
    function: str, old: str, new: str, value: Any, current: Any, *, stacklevel: int = 3
) -> Any:
    """Map a renamed keyword argument onto its new name, with a DeprecationWarning.

    Returns ``value`` when given (``current`` must then be unset), else ``current``.
    """
    if value is None:
        return current
    if current is not None:
        raise AnalysisError(f"{function}: pass {new}= only ({old}= is its old name).")
    warnings.warn(
        f"{function}({old}=...) is deprecated and will be removed in the next release; "
        f"use {new}= instead.",
        DeprecationWarning,
        stacklevel=stacklevel,
    )
    return value
