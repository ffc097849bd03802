"""Derived fields and the boldness index.

The boldness of a mentor choice is measured by three components in [0, 1]
(see ``DESIGN.md``):

* **reach** ``= clip(seniority_gap, 0, 3) / 3``: how far up the mentor sits;
* **distance** from ``mentor_relation`` (:data:`DISTANCE_SCORES`), or, when only
  ``mentor_in_network`` is known, inside 0 / outside 1 (:data:`IN_NETWORK_DISTANCE`);
* **initiation** from ``approach`` (:data:`INITIATION_SCORES`; ``assigned`` is not the
  participant's choice and gives no score).

``boldness_index`` is the weighted mean of the available components, and
``bold_choice = reach >= 2/3 and distance >= 0.75``.  Participants without a mentor
have no boldness.  Treat the index as ordinal: report the components next to it and
check alternative weights with :func:`boldness_sensitivity`.

>>> import pandas as pd
>>> frame = pd.DataFrame({"participant_id": ["P1", "P2"], "gender": ["woman", "man"],
...                       "participant_level": [2, 3], "mentor_level": [5, 3],
...                       "mentor_relation": ["no_prior_tie", "line_manager"],
...                       "approach": ["cold_approach", "assigned"]})
>>> boldness(frame)[["reach", "distance", "initiation", "boldness_index"]]
   reach  distance  initiation  boldness_index
0    1.0       1.0         1.0             1.0
1    0.0       0.0         NaN             0.0
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from ._conventions import yes_no_boolean
from ._frame import as_frame
from .exceptions import AnalysisError, ColumnError, SchemaError, require_columns

__all__ = [
    "BOLD_CHOICE_MIN_DISTANCE",
    "BOLD_CHOICE_MIN_REACH",
    "COMPONENTS",
    "DEFAULT_WEIGHT_SETS",
    "DISTANCE_SCORES",
    "INITIATION_SCORES",
    "IN_NETWORK_DISTANCE",
    "MAX_REACH_GAP",
    "MENTOR_FIELDS",
    "boldness",
    "boldness_sensitivity",
    "derive_fields",
]

#: The three components of the index, in the order of ``weights``.
COMPONENTS: tuple[str, str, str] = ("reach", "distance", "initiation")

#: Seniority gap (levels) at which ``reach`` reaches 1.
MAX_REACH_GAP = 3

#: ``mentor_relation`` -> distance: evenly spaced from 0 (line_manager) to 1 (no_prior_tie)
#: in the schema's order.
DISTANCE_SCORES: dict[str, float] = {
    relation: i / (len(schema.MENTOR_RELATIONS) - 1)
    for i, relation in enumerate(schema.MENTOR_RELATIONS)
}

#: Distance when only ``mentor_in_network`` is known: inside 0, outside 1.
IN_NETWORK_DISTANCE: dict[bool, float] = {True: 0.0, False: 1.0}

#: Approaches that were not the participant's choice: no initiation score.
_NOT_CHOSEN: tuple[str, ...] = ("assigned",)
_CHOSEN: tuple[str, ...] = tuple(a for a in schema.APPROACHES if a not in _NOT_CHOSEN)

#: ``approach`` -> initiation: evenly spaced from 0 (existing_relationship) to 1
#: (cold_approach) in the schema's order; ``assigned`` is absent (missing).
INITIATION_SCORES: dict[str, float] = {
    approach: i / (len(_CHOSEN) - 1) for i, approach in enumerate(_CHOSEN)
}

#: Thresholds of ``bold_choice`` (reach >= 2/3 and distance >= 0.75).
BOLD_CHOICE_MIN_REACH = 2 / 3
BOLD_CHOICE_MIN_DISTANCE = DISTANCE_SCORES["introduced"]
_TOLERANCE = 1e-9

#: Fields whose presence shows that a mentor was secured (used to derive
#: ``mentor_secured`` when it is absent or missing).
MENTOR_FIELDS: tuple[str, ...] = (
    "mentor_level",
    "mentor_relation",
    "mentor_in_network",
    "approach",
    "mentor_gender",
    "days_to_secure",
)

#: Alternative weights (reach, distance, initiation) of :func:`boldness_sensitivity`.
DEFAULT_WEIGHT_SETS: dict[str, tuple[float, float, float]] = {
    "equal": (1.0, 1.0, 1.0),
    "reach_only": (1.0, 0.0, 0.0),
    "distance_only": (0.0, 1.0, 0.0),
    "initiation_only": (0.0, 0.0, 1.0),
    "reach_distance": (1.0, 1.0, 0.0),
    "reach_double": (2.0, 1.0, 1.0),
    "distance_double": (1.0, 2.0, 1.0),
    "initiation_double": (1.0, 1.0, 2.0),
}

_BOLDNESS_COLUMNS: tuple[str, ...] = (
    *COMPONENTS,
    "boldness_index",
    "boldness_components",
    "bold_choice",
)

# --------------------------------------------------------------------------------------
# Parsing helpers: typed loader frames (categoricals, Int64, boolean) and plain frames
# --------------------------------------------------------------------------------------


def _positions(mask: np.ndarray) -> str:
    pos = np.flatnonzero(mask)
    shown = ", ".join(str(int(p)) for p in pos[:5])
    return shown + (", ..." if len(pos) > 5 else "")


def _is_missing_marker(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and schema.normalise_value(value) in schema.MISSING_MARKERS


def _markers(series: pd.Series, where: np.ndarray) -> np.ndarray:
    """True where ``where`` is true and the cell is a missing marker such as '' or 'NA'.

    Looks at each distinct value once, so it stays fast on large frames.
    """
    out = np.zeros(len(series), dtype=bool)
    if not where.any():
        return out
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    candidates = series[where].unique()
    markers = [v for v in candidates if _is_missing_marker(v)]
    if markers:
        out = where & series.isin(markers).to_numpy(dtype=bool)
    return out


def _ordinal(series: pd.Series, name: str) -> np.ndarray:
    """Whole numbers within the column's range as float64 (NaN = missing)."""
    col = schema.SCHEMA.get(name)
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = pd.to_numeric(pd.Series(series.cat.categories), errors="coerce")
        table = np.append(cats.to_numpy(dtype=float, na_value=np.nan), np.nan)
        codes = series.cat.codes.to_numpy()
        values = table[codes]  # code -1 (missing) picks the trailing NaN
        bad = np.isnan(values) & (codes >= 0)
    elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    ):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        bad = np.zeros(len(values), dtype=bool)
    else:
        parsed = pd.to_numeric(series, errors="coerce")
        values = parsed.to_numpy(dtype=float, na_value=np.nan)
        bad = np.isnan(values) & series.notna().to_numpy()
        bad &= ~_markers(series, bad)
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(values)
        bad |= np.isinf(values)
        if col is not None and col.minimum is not None and col.maximum is not None:
            bad |= finite & ((values < col.minimum) | (values > col.maximum))
        bad |= finite & (values != np.round(values))
    if bad.any():
        allowed = col.allowed if col is not None else "whole numbers"
        raise SchemaError(
            f"Column {name!r} must hold {allowed}; {int(bad.sum())} value(s) do not "
            f"(positions {_positions(bad)}). Load the data with ma.load_cohort(...) to see "
            "every problem with its row number, or correct these cells."
        )
    return values


def _gap(series: pd.Series, name: str) -> np.ndarray:
    """A given numeric difference column (e.g. seniority_gap) as float64."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    parsed = pd.to_numeric(series, errors="coerce")
    values = parsed.to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(values) & series.notna().to_numpy()
    bad &= ~_markers(series, bad)
    if bad.any():
        raise SchemaError(
            f"Column {name!r} must hold numbers; {int(bad.sum())} value(s) do not "
            f"(positions {_positions(bad)})."
        )
    return values


def _codes(series: pd.Series, name: str) -> np.ndarray:
    """Codes of a category column in schema order (-1 = missing); unknown values raise."""
    categories = schema.SCHEMA[name].categories or ()
    wanted = pd.Index(list(categories))
    if isinstance(series.dtype, pd.CategoricalDtype):
        table = np.append(wanted.get_indexer(series.cat.categories), -1)
        codes = table[series.cat.codes.to_numpy()].astype(np.int64)
    else:
        codes = wanted.get_indexer(series).astype(np.int64)
    unknown = (codes < 0) & series.notna().to_numpy()
    unknown &= ~_markers(series, unknown)
    if unknown.any():
        raise SchemaError(
            f"Column {name!r} holds {int(unknown.sum())} value(s) outside the allowed "
            f"categories {list(categories)} (positions {_positions(unknown)}). Map your "
            "values with ma.load_cohort(..., values={" + repr(name) + ": {...}})."
        )
    return codes


def _boolean(series: pd.Series, name: str) -> pd.Series:
    """A nullable boolean Series read by the package's one yes/no reader
    (:func:`mentoranalytics._conventions.yes_no`); a SchemaError names the rows otherwise."""
    return yes_no_boolean(series, name, error=SchemaError)


def _filled(series: pd.Series) -> np.ndarray:
    """True where a cell holds a value (missing markers such as '' or 'NA' do not count)."""
    filled = series.notna().to_numpy().copy()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        filled &= ~_markers(series, filled)
    return filled


def _int_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    out = pd.array(np.where(np.isnan(values), 0, values).astype(np.int64), dtype="Int64")
    out[np.isnan(values)] = pd.NA
    return pd.Series(out, index=index)


def _bool_series(values: np.ndarray, known: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(pd.arrays.BooleanArray(values.astype(bool), ~known), index=index)


# --------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------


def _check_weights(weights: Any, *, name: str = "weights") -> np.ndarray:
    message = (
        f"{name} must be three non-negative numbers (reach, distance, initiation), not all "
        f"zero, e.g. (1, 1, 1); got {weights!r}."
    )
    if isinstance(weights, (str, bytes)) or not isinstance(weights, (Sequence, np.ndarray)):
        raise AnalysisError(message)
    values = list(weights)
    if len(values) != len(COMPONENTS) or not all(
        isinstance(w, numbers.Real) and not isinstance(w, (bool, np.bool_)) for w in values
    ):
        raise AnalysisError(message)
    array = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(array < 0) or not np.any(array > 0):
        raise AnalysisError(message)
    return array


# --------------------------------------------------------------------------------------
# Derived fields
# --------------------------------------------------------------------------------------


def _secured(frame: pd.DataFrame, parsed: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """(value, known) of mentor_secured, or None when it cannot be derived at all."""
    n = len(frame)
    present = [c for c in MENTOR_FIELDS if c in frame.columns]
    derived: np.ndarray | None = None
    if present:
        derived = np.zeros(n, dtype=bool)
        for c in present:
            derived |= parsed[c]
    if "mentor_secured" in frame.columns:
        given = _boolean(frame["mentor_secured"], "mentor_secured")
        known = given.notna().to_numpy()
        value = given.fillna(False).to_numpy(dtype=bool)
        if derived is not None:
            value = np.where(known, value, derived)
            known = np.ones(n, dtype=bool)
        return value, known
    if derived is None:
        return None
    return derived, np.ones(n, dtype=bool)


def _components(
    frame: pd.DataFrame,
) -> tuple[dict[str, pd.Series], np.ndarray, np.ndarray, np.ndarray]:
    """Derived columns other than the boldness ones, and the three component arrays."""
    n = len(frame)
    index = frame.index
    nan = np.full(n, np.nan)
    out: dict[str, pd.Series] = {}

    levels = {
        c: _ordinal(frame[c], c)
        for c in ("participant_level", "mentor_level", "level_after")
        if c in frame.columns
    }
    if "participant_level" in levels and "mentor_level" in levels:
        gap = levels["mentor_level"] - levels["participant_level"]
    elif "seniority_gap" in frame.columns:
        gap = _gap(frame["seniority_gap"], "seniority_gap")
    else:
        gap = nan
    if "participant_level" in levels and "level_after" in levels:
        change = levels["level_after"] - levels["participant_level"]
    elif "level_change" in frame.columns:
        change = _gap(frame["level_change"], "level_change")
    else:
        change = nan

    relation = (
        _codes(frame["mentor_relation"], "mentor_relation")
        if "mentor_relation" in frame.columns
        else None
    )
    approach = _codes(frame["approach"], "approach") if "approach" in frame.columns else None

    in_network: pd.Series | None = None
    derived_net = None
    if relation is not None:
        in_codes = np.array(
            [r in schema.IN_NETWORK_RELATIONS for r in schema.MENTOR_RELATIONS], dtype=bool
        )
        derived_net = (in_codes[np.clip(relation, 0, None)], relation >= 0)
    if "mentor_in_network" in frame.columns:
        in_network = _boolean(frame["mentor_in_network"], "mentor_in_network")
        if derived_net is not None:
            given_known = in_network.notna().to_numpy()
            value = np.where(given_known, in_network.fillna(False).to_numpy(bool), derived_net[0])
            in_network = _bool_series(value, given_known | derived_net[1], index)
    elif derived_net is not None:
        in_network = _bool_series(derived_net[0], derived_net[1], index)

    parsed: dict[str, Any] = {}
    for c in MENTOR_FIELDS:
        if c not in frame.columns:
            continue
        if c in levels:
            parsed[c] = ~np.isnan(levels[c])
        elif c == "mentor_relation" and relation is not None:
            parsed[c] = relation >= 0
        elif c == "approach" and approach is not None:
            parsed[c] = approach >= 0
        elif c == "mentor_in_network":
            parsed[c] = _boolean(frame[c], c).notna().to_numpy()
        else:
            parsed[c] = _filled(frame[c])
    secured = _secured(frame, parsed)

    # components
    reach = np.clip(gap, 0, MAX_REACH_GAP) / MAX_REACH_GAP
    distance = nan.copy()
    if in_network is not None:
        net_known = in_network.notna().to_numpy()
        net_value = in_network.fillna(False).to_numpy(dtype=bool)
        distance = np.where(
            net_known,
            np.where(net_value, IN_NETWORK_DISTANCE[True], IN_NETWORK_DISTANCE[False]),
            np.nan,
        )
    if relation is not None:
        table = np.append([DISTANCE_SCORES[r] for r in schema.MENTOR_RELATIONS], np.nan)
        from_relation = table[relation]
        distance = np.where(relation >= 0, from_relation, distance)
    initiation = nan.copy()
    if approach is not None:
        table = np.append([INITIATION_SCORES.get(a, np.nan) for a in schema.APPROACHES], np.nan)
        initiation = table[approach]

    if secured is not None:
        no_mentor = secured[1] & ~secured[0]
        reach = np.where(no_mentor, np.nan, reach)
        distance = np.where(no_mentor, np.nan, distance)
        initiation = np.where(no_mentor, np.nan, initiation)

    out["seniority_gap"] = _int_or_float(gap, index)
    out["level_change"] = _int_or_float(change, index)
    if in_network is not None:
        out["mentor_in_network"] = in_network
    if secured is not None:
        out["mentor_secured"] = _bool_series(secured[0], secured[1], index)
    return out, reach, distance, initiation


def _int_or_float(values: np.ndarray, index: pd.Index) -> pd.Series:
    finite = values[~np.isnan(values)]
    if np.all(finite == np.round(finite)):
        return _int_series(values, index)
    return pd.Series(values, index=index, dtype="Float64")


def _boldness_frame(
    reach: np.ndarray,
    distance: np.ndarray,
    initiation: np.ndarray,
    weights: np.ndarray,
    index: pd.Index,
) -> pd.DataFrame:
    comps = np.column_stack([reach, distance, initiation])
    used = ~np.isnan(comps) & (weights > 0)
    w = np.where(used, weights, 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        idx = np.where(total > 0, (np.where(used, comps, 0.0) * w).sum(axis=1) / total, np.nan)
    labels = np.empty(2 ** len(COMPONENTS), dtype=object)
    for code in range(len(labels)):
        names = [c for j, c in enumerate(COMPONENTS) if code & (1 << j)]
        labels[code] = "+".join(names) if names else None
    code = (used * (1 << np.arange(len(COMPONENTS)))).sum(axis=1)
    known = ~np.isnan(reach) & ~np.isnan(distance)
    bold = (reach >= BOLD_CHOICE_MIN_REACH - _TOLERANCE) & (
        distance >= BOLD_CHOICE_MIN_DISTANCE - _TOLERANCE
    )
    components = pd.Series(
        pd.array(labels[code], dtype="string"), index=index, name="boldness_components"
    )
    return pd.DataFrame(
        {
            "reach": reach,
            "distance": distance,
            "initiation": initiation,
            "boldness_index": idx,
            "boldness_components": components,
            "bold_choice": _bool_series(np.where(known, bold, False), known, index),
        },
        index=index,
    )


def derive_fields(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a new frame with the derived fields and the boldness columns added.

    The input is never modified.  Works with any subset of the canonical columns and
    with both the loader's typed frame (categoricals, nullable ``Int64``/``boolean``)
    and plain object/integer columns.

    Rules
    -----
    * ``seniority_gap = mentor_level - participant_level`` and
      ``level_change = level_after - participant_level`` (nullable ``Int64``).  When an
      input level is absent, a given ``seniority_gap``/``level_change`` column is kept;
      otherwise the column is all missing.
    * ``mentor_in_network``: a given value is kept (the loader reports conflicts with
      the relation); a missing one is derived from ``mentor_relation``
      (``line_manager``, ``same_organisation``, ``existing_contact`` -> true; the other
      relations -> false).  Added only when ``mentor_relation`` or
      ``mentor_in_network`` is present.
    * ``mentor_secured``: a given value is kept.  Where it is absent or missing it is
      true when any of ``mentor_level``, ``mentor_relation``, ``mentor_in_network``,
      ``approach``, ``mentor_gender``, ``days_to_secure`` is filled in that row, false
      when all of those present in the frame are empty.  Attempt counts
      (``mentors_approached``, ``refusals``) and outcomes do not count.  When none of
      these fields exists in the frame, a missing ``mentor_secured`` stays missing and
      an absent one is not added (nothing shows whether a mentor was found).
    * ``reach``, ``distance``, ``initiation``, ``boldness_index``,
      ``boldness_components`` and ``bold_choice`` as in :func:`boldness` with the
      default weights (1, 1, 1).

    Derived columns already in ``frame`` are recomputed.  New columns are appended at
    the end; existing columns keep their position.

    Parameters
    ----------
    frame : pandas.DataFrame
        Cohort records with canonical column names.

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` plus ``seniority_gap``, ``level_change`` (Int64),
        ``mentor_in_network``, ``mentor_secured`` (boolean, see above), ``reach``,
        ``distance``, ``initiation``, ``boldness_index`` (float), ``boldness_components``
        (string) and ``bold_choice`` (boolean).

    Raises
    ------
    SchemaError
        A level is not a whole number in 1-6, a category is not one of the schema's,
        or a yes/no column holds something else.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"participant_level": [2, 4], "mentor_level": [4, None],
    ...                       "mentor_relation": ["introduced", None]})
    >>> out = derive_fields(frame)
    >>> out[["seniority_gap", "mentor_in_network", "mentor_secured"]]
       seniority_gap  mentor_in_network  mentor_secured
    0              2              False            True
    1           <NA>               <NA>           False
    """
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisError(f"derive_fields needs a pandas DataFrame, not {type(frame).__name__}.")
    extra, reach, distance, initiation = _components(frame)
    weights = np.ones(len(COMPONENTS))
    bold = _boldness_frame(reach, distance, initiation, weights, frame.index)
    out = frame.copy()
    for name, series in extra.items():
        out[name] = series
    for name in _BOLDNESS_COLUMNS:
        out[name] = bold[name]
    return out


def boldness(data: Any, *, weights: Sequence[float] = (1, 1, 1)) -> pd.DataFrame:
    """The boldness index and its components, one row per participant.

    Parameters
    ----------
    data : Cohort or pandas.DataFrame
        Needs at least one of ``mentor_level`` with ``participant_level`` (or
        ``seniority_gap``), ``mentor_relation``, ``mentor_in_network``, ``approach``.
    weights : sequence of three numbers, default=(1, 1, 1)
        Weights of reach, distance and initiation: non-negative, not all zero.  They
        are normalised over the components available in each row; a component with
        weight 0 is not used.

    Returns
    -------
    pandas.DataFrame
        Index aligned with the input; columns ``reach``, ``distance``, ``initiation``
        (components in [0, 1], NaN when unknown), ``boldness_index`` (weighted mean of
        the available components), ``boldness_components`` (the components used, e.g.
        ``"reach+distance+initiation"``; missing when none), ``bold_choice`` (nullable
        boolean: reach >= 2/3 and distance >= 0.75; missing when either is unknown).
        Participants without a mentor (``mentor_secured`` false) are missing
        throughout.

    Raises
    ------
    AnalysisError
        ``weights`` are not three non-negative numbers, or all are zero.
    ColumnError
        None of the columns the components need is present.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"participant_level": [3], "mentor_level": [5],
    ...                       "mentor_in_network": [False], "approach": ["assigned"]})
    >>> boldness(frame, weights=(2, 1, 1)).round(3)
       reach  distance  initiation  boldness_index boldness_components  bold_choice
    0  0.667       1.0         NaN           0.778      reach+distance         True
    """
    w = _check_weights(weights)
    frame = as_frame(data)
    sources = ("mentor_level", "seniority_gap", "mentor_relation", "mentor_in_network", "approach")
    if not any(c in frame.columns for c in sources):
        available = [str(c) for c in frame.columns][:30]
        raise ColumnError(
            "boldness needs at least one of the columns "
            f"{list(sources)} (with participant_level for mentor_level). "
            f"Available: {available}."
        )
    _, reach, distance, initiation = _components(frame)
    return _boldness_frame(reach, distance, initiation, w, frame.index)


def boldness_sensitivity(
    data: Any,
    *,
    weight_sets: Mapping[str, Sequence[float]] | None = None,
    by: str | None = "gender",
) -> pd.DataFrame:
    """The boldness index under alternative weights: rank agreement and group means.

    For each weight set, the index is recomputed and compared with the default index
    (weights 1, 1, 1) by Spearman's rank correlation over the participants who have
    both.  Rows are given for all participants (``group`` ``"all"``) and, when the
    ``by`` column exists, for each of its groups (schema order for gender).

    Parameters
    ----------
    data : Cohort or pandas.DataFrame
        As for :func:`boldness`.
    weight_sets : mapping of name -> three weights, optional
        Default :data:`DEFAULT_WEIGHT_SETS` (equal; reach, distance or initiation
        only; reach + distance; each component doubled).
    by : str or None, default="gender"
        Grouping column; None for no groups.  The default ``"gender"`` is skipped
        when the data have no gender column; another missing column is an error.

    Returns
    -------
    pandas.DataFrame
        One row per (weight set, group) with columns ``weight_set``, ``reach_weight``,
        ``distance_weight``, ``initiation_weight``, ``group``, ``n`` (participants
        with an index under this weight set), ``estimate`` (mean index),
        ``spearman_rho`` (rank correlation with the default index within the group;
        NaN with fewer than two pairs or no variation).

    Raises
    ------
    AnalysisError
        ``weight_sets`` is empty, not a mapping, or holds invalid weights.
    ColumnError
        ``by`` names a column the data do not have.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"gender": ["woman", "man", "man"],
    ...                       "participant_level": [1, 2, 3], "mentor_level": [4, 3, 3],
    ...                       "mentor_relation": ["introduced", "line_manager", "no_prior_tie"]})
    >>> table = boldness_sensitivity(frame, weight_sets={"equal": (1, 1, 1)})
    >>> table[["weight_set", "group", "n", "estimate"]]
      weight_set  group  n  estimate
    0      equal    all  3  0.513889
    1      equal  woman  1  0.875000
    2      equal    man  2  0.333333
    """
    if weight_sets is None:
        weight_sets = DEFAULT_WEIGHT_SETS
    if not isinstance(weight_sets, Mapping) or not weight_sets:
        raise AnalysisError(
            "weight_sets must be a non-empty mapping of name -> (reach, distance, "
            f"initiation) weights, e.g. {{'reach_only': (1, 0, 0)}}; got {weight_sets!r}."
        )
    checked = {
        str(k): _check_weights(v, name=f"weight_sets[{k!r}]") for k, v in weight_sets.items()
    }
    frame = as_frame(data)
    if by is not None and by != "gender":
        require_columns(frame, [by], purpose="boldness_sensitivity(by=...)")
    default = boldness(frame)["boldness_index"]
    groups: list[tuple[str, np.ndarray]] = [("all", np.ones(len(frame), dtype=bool))]
    if by is not None and by in frame.columns:
        labels = frame[by].astype(object).where(frame[by].notna(), None)
        labels = labels.map(lambda v: None if v is None else str(v))
        observed = set(labels.dropna())
        column = schema.SCHEMA.get(by)
        order = [g for g in (column.categories or ()) if g in observed] if column else []
        order += sorted(observed - set(order))
        for g in order:
            groups.append((g, (labels == g).to_numpy(dtype=bool)))
    rows = []
    for name, w in checked.items():
        index = boldness(frame, weights=tuple(w))["boldness_index"]
        for group, mask in groups:
            sub = index[mask]
            pair = pd.DataFrame({"a": sub, "b": default[mask]}).dropna()
            rho = np.nan
            if len(pair) >= 2 and pair["a"].nunique() > 1 and pair["b"].nunique() > 1:
                rho = float(pair["a"].corr(pair["b"], method="spearman"))
            rows.append(
                {
                    "weight_set": name,
                    "reach_weight": w[0],
                    "distance_weight": w[1],
                    "initiation_weight": w[2],
                    "group": group,
                    "n": int(sub.notna().sum()),
                    "estimate": float(sub.mean()) if sub.notna().any() else np.nan,
                    "spearman_rho": rho,
                }
            )
    return pd.DataFrame(rows)
