"""Time to promotion: Kaplan–Meier curves, the log-rank test and the Cox model.

People who were promoted contribute their ``months_to_promotion``; people who were
not promoted are *censored* at ``followup_months`` (we know only that they had not
been promoted by then).  Rows that cannot be placed on the time line are left out
and counted, never dropped silently.

The Kaplan–Meier estimate and its Greenwood standard error come from
:class:`statsmodels.duration.survfunc.SurvfuncRight`, the log-rank test from
:func:`statsmodels.duration.survfunc.survdiff` and the Cox model from
:class:`statsmodels.duration.hazard_regression.PHReg`; statsmodels is imported
inside the functions only.

>>> import pandas as pd
>>> df = pd.DataFrame({
...     "gender": ["woman"] * 5 + ["man"] * 5,
...     "promoted": [True, True, False, True, False, True, True, True, False, True],
...     "months_to_promotion": [10, 20, None, 30, None, 5, 8, 12, None, 40],
...     "followup_months": [36] * 10,
... })
>>> km = kaplan_meier(df)
>>> km.medians.reset_index()[["group", "n", "events", "median"]]
   group  n  events  median
0  woman  5       3    30.0
1    man  5       4    12.0
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _sps

from .._conventions import (
    check_column_name,
    check_column_names,
    default_reference,
    group_order,
    plain,
    reference_reason,
    resolve_reference,
    yes_no,
)
from .._frame import as_frame
from ..exceptions import AnalysisError, SmallSampleWarning, require_columns
from ..schema import MISSING_MARKERS, normalise_value
from ._result import Result

__all__ = [
    "CONF_TYPES",
    "CoxModelResult",
    "KaplanMeierResult",
    "LogrankResult",
    "cox_model",
    "kaplan_meier",
    "logrank_test",
    "time_to_event",
]

#: Confidence-interval scales for the Kaplan–Meier curve (R ``survfit``'s ``conf.type``).
CONF_TYPES: tuple[str, ...] = ("log-log", "log", "plain")

_TIES: tuple[str, ...] = ("efron", "breslow")
#: R's ``quantile.survfit`` tolerance for "the curve is exactly 0.5".
_QUANTILE_TOL = float(np.sqrt(np.finfo(float).eps))
#: Groups smaller than this get a SmallSampleWarning.
_SMALL_GROUP = 5


# --------------------------------------------------------------------------------------
# Shared helpers (also used by .meta)
# --------------------------------------------------------------------------------------


def _row_list(index: pd.Index, mask: np.ndarray, limit: int = 10) -> str:
    """Row labels where ``mask`` is true, for messages (never the values)."""
    labels = [str(x) for x in index[mask][:limit]]
    more = int(mask.sum()) - len(labels)
    return ", ".join(labels) + (f" and {more} more" if more > 0 else "")


def _is_missing_marker(value: Any) -> bool:
    return isinstance(value, str) and normalise_value(value) in MISSING_MARKERS


def _as_binary(series: pd.Series, column: str) -> np.ndarray:
    """Return 1.0 / 0.0 per row, NaN where missing; raise for anything else.

    The package's one yes/no reader (:func:`mentoranalytics._conventions.yes_no`).
    """
    return yes_no(series, column, strict=True).to_numpy()


def _event_flags(series: pd.Series, column: str, event: Any) -> np.ndarray:
    """1.0 where ``column`` holds the event, 0.0 where not, NaN where missing.

    ``event=None`` reads a yes/no column (yes = the event); otherwise ``event`` is
    the value that counts as the event, as in :func:`~mentoranalytics.compare_rates`.
    """
    if event is None:
        return _as_binary(series, column)
    missing = series.isna().to_numpy() | series.map(_is_missing_marker).to_numpy(dtype=bool)
    hit = (series == event).to_numpy(dtype=bool, na_value=False)
    if not hit.any() and not (series.astype(object) == event).any():
        raise AnalysisError(
            f"event={plain(event)!r} is not a value of column {column!r}. Pass the value that "
            "counts as the event (or leave event=None for a yes/no column)."
        )
    return np.where(missing, np.nan, hit.astype(float))


def _outcome_column(
    frame: pd.DataFrame, outcome: str, event: Any, function: str
) -> tuple[str, Any]:
    """Map the old ``event=<column>`` onto ``outcome=`` (with a DeprecationWarning)."""
    if (
        isinstance(event, str)
        and event in frame.columns
        and not (outcome in frame.columns and (frame[outcome].astype(object) == event).any())
    ):
        warnings.warn(
            f"{function}(event=<column>) is deprecated and will be removed in the next "
            f"release: event= is now the value that counts as the event (as in "
            f"compare_rates); name the yes/no column with outcome={event!r}.",
            DeprecationWarning,
            stacklevel=4,
        )
        return event, None
    return outcome, event


def _as_number(series: pd.Series, column: str) -> np.ndarray:
    """Return floats per row, NaN where missing; raise for text that is not a number."""
    if pd.api.types.is_bool_dtype(series.dtype):
        raise AnalysisError(
            f"Column {column!r} must hold numbers (months), not yes/no values. "
            "Check that the right column was named."
        )
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype("float64").to_numpy(dtype=float, na_value=np.nan)
    cleaned = series.map(lambda v: np.nan if _is_missing_marker(v) else v)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(values) & ~cleaned.isna().to_numpy()
    if bad.any():
        raise AnalysisError(
            f"Column {column!r} must hold numbers (months); {int(bad.sum())} row(s) hold text "
            f"(rows {_row_list(series.index, bad)}). Correct those cells or set them to missing."
        )
    return values


def _group_order(values: pd.Series, column: str | None) -> list[Any]:
    """Groups present in ``values`` in the package's order (one helper for all)."""
    return group_order(values, column)


def _check_alpha(alpha: float) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise AnalysisError(
            f"alpha must be a number between 0 and 1 (e.g. 0.05 for 95% intervals), not {alpha!r}."
        )


def _level(alpha: float) -> str:
    return f"{100 * (1 - alpha):g}%"


# --------------------------------------------------------------------------------------
# Durations and censoring
# --------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    frame: pd.DataFrame  # duration, event (+ group / stratum), index = kept rows
    excluded: dict[str, int]
    notes: list[str]


def _prepare(
    data: Any,
    *,
    time: str,
    outcome: str,
    followup: str,
    extra: Mapping[str, str | None] | None = None,
    event: Any = None,
    function: str = "time_to_event",
) -> _Prepared:
    """Durations and event flags, plus ``extra`` columns renamed (e.g. group, stratum)."""
    frame = as_frame(data)
    outcome, event = _outcome_column(frame, outcome, event, function)
    for value, name in ((outcome, "outcome"), (time, "time"), (followup, "followup")):
        check_column_name(value, name)
    params = {"group": "by", "stratum": "strata"}
    for key, column in (extra or {}).items():
        check_column_name(column, params.get(key, "predictors"), optional=True)
    columns: dict[str, str] = {k: v for k, v in (extra or {}).items() if v is not None}
    require_columns(frame, [outcome, time, *columns.values()], purpose="time to promotion")
    promoted = _event_flags(frame[outcome], outcome, event)
    is_yes = "is yes" if event is None else f"is {plain(event)!r}"
    is_no = "is no" if event is None else f"is not {plain(event)!r}"
    months = _as_number(frame[time], time)
    if followup in frame.columns:
        follow = _as_number(frame[followup], followup)
    else:
        if np.any(promoted == 0):
            require_columns(
                frame, [followup], purpose="censoring the people not promoted (time to promotion)"
            )
        follow = np.full(len(frame), np.nan)
    for values, column in ((months, time), (follow, followup)):
        negative = values < 0
        if negative.any():
            raise AnalysisError(
                f"Column {column!r} must hold numbers >= 0 (months); {int(negative.sum())} row(s) "
                f"are negative (rows {_row_list(frame.index, negative)}). "
                "Correct them or set them to missing."
            )

    is_event = promoted == 1
    is_censored = promoted == 0
    duration = np.where(is_event, months, np.where(is_censored, follow, np.nan))
    reasons = np.full(len(frame), "", dtype=object)
    reasons[np.isnan(promoted)] = f"{outcome!r} missing"
    reasons[is_event & np.isnan(months)] = f"{outcome!r} {is_yes} but {time!r} is missing"
    reasons[is_censored & np.isnan(follow)] = f"{outcome!r} {is_no} but {followup!r} is missing"
    for column in columns.values():
        # group labels: only NA is missing (a text "NA" is a label, as in every function)
        col_missing = frame[column].isna().to_numpy(copy=True)
        reasons[(reasons == "") & col_missing] = f"{column!r} missing"

    notes: list[str] = []
    excluded: dict[str, int] = {}
    for reason in pd.unique(reasons[reasons != ""]):
        count = int((reasons == reason).sum())
        excluded[str(reason)] = count
        notes.append(f"{count} row(s) left out because {reason}.")
    keep = reasons == ""
    ignored = keep & is_censored & ~np.isnan(months)
    if ignored.any():
        notes.append(
            f"{int(ignored.sum())} row(s) have {time!r} filled although {outcome!r} {is_no}; "
            f"the time was ignored and they are censored at {followup!r}."
        )
    late = keep & is_event & (months > follow)
    if late.any():
        notes.append(
            f"{int(late.sum())} row(s) have {time!r} greater than {followup!r}; "
            "the promotion time was used as given. Check those records."
        )
    out = pd.DataFrame(
        {"duration": duration[keep].astype(float), "event": is_event[keep].astype(int)},
        index=frame.index[keep],
    )
    for name, column in columns.items():
        out[name] = frame[column].iloc[np.flatnonzero(keep)].set_axis(out.index)
    if out.empty:
        detail = "; ".join(f"{n} because {r}" for r, n in excluded.items()) or "the data are empty"
        raise AnalysisError(
            f"No rows can be used for time to promotion ({detail}). "
            f"Each row needs {outcome!r}, and {time!r} when promoted or {followup!r} when not."
        )
    return _Prepared(out, excluded, notes)


def time_to_event(
    data: Any,
    *,
    time: str = "months_to_promotion",
    outcome: str = "promoted",
    followup: str = "followup_months",
    event: Any = None,
) -> pd.DataFrame:
    """Durations and event flags for time-to-event analysis.

    A promoted person contributes ``time`` (months to promotion) with event 1; a
    person not promoted is censored at ``followup`` (months of follow-up) with
    event 0.  Rows that cannot be placed on the time line are left out and counted:
    ``outcome`` missing; promoted but ``time`` missing; not promoted but ``followup``
    missing.

    Parameters
    ----------
    data : Cohort or DataFrame
        The records; never modified.
    time : str, default="months_to_promotion"
        Months from the programme to the event (used when the event happened).
    outcome : str, default="promoted"
        The column saying whether the event happened during follow-up: yes/no
        (read by the package's yes/no reader), or any column with ``event=``.
    followup : str, default="followup_months"
        Months of follow-up (the censoring time when the event did not happen).
        Needed only when someone was not promoted.
    event : optional
        The value of ``outcome`` that counts as the event, as in
        :func:`~mentoranalytics.compare_rates` (e.g. ``outcome="status",
        event="promoted"``).  Default: yes for a yes/no column.  (Before 0.2,
        ``event=`` named the column; that still works for one release with a
        ``DeprecationWarning``.)

    Returns
    -------
    DataFrame
        One row per usable record, indexed like ``data``, with columns

        * ``duration`` -- months to promotion or to the end of follow-up (float);
        * ``event`` -- 1 if promoted, 0 if censored.

        ``.attrs["excluded"]`` maps each reason for leaving rows out to its count and
        ``.attrs["notes"]`` holds the notes in words (also for data oddities that did
        not lead to exclusion, such as a promotion after the end of follow-up).

    Raises
    ------
    ColumnError
        A named column is absent.
    AnalysisError
        A column holds values of the wrong kind, negative months, or no row is usable.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"promoted": [True, False, None, True],
    ...                    "months_to_promotion": [12, None, None, None],
    ...                    "followup_months": [24, 30, 24, 24]})
    >>> tte = time_to_event(df)
    >>> tte
       duration  event
    0      12.0      1
    1      30.0      0
    >>> tte.attrs["excluded"]
    {"'promoted' missing": 1, "'promoted' is yes but 'months_to_promotion' is missing": 1}
    """
    prepared = _prepare(
        data, time=time, outcome=outcome, followup=followup, event=event, function="time_to_event"
    )
    out = prepared.frame
    out.attrs["excluded"] = dict(prepared.excluded)
    out.attrs["notes"] = list(prepared.notes)
    return out


# --------------------------------------------------------------------------------------
# Kaplan–Meier
# --------------------------------------------------------------------------------------


def _ci(
    surv: np.ndarray, se_log: np.ndarray, z: float, conf_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise limits for S given the standard error of log S (Greenwood)."""
    low = np.full_like(surv, np.nan)
    high = np.full_like(surv, np.nan)
    one = surv >= 1.0
    low[one] = high[one] = 1.0
    inner = (surv > 0) & ~one & np.isfinite(se_log)
    s, se = surv[inner], se_log[inner]
    if conf_type == "log":
        low[inner] = s * np.exp(-z * se)
        high[inner] = np.minimum(1.0, s * np.exp(z * se))
    elif conf_type == "log-log":
        log_s = np.log(s)
        low[inner] = np.exp(-np.exp(np.log(-log_s) - z * se / log_s))
        high[inner] = np.exp(-np.exp(np.log(-log_s) + z * se / log_s))
    else:  # plain
        low[inner] = np.maximum(0.0, s - z * s * se)
        high[inner] = np.minimum(1.0, s + z * s * se)
    return low, high


def _first_below(times: np.ndarray, curve: np.ndarray, p: float = 0.5) -> float:
    """R's rule for a quantile read off a step curve (``quantile.survfit``).

    The first time the curve is at or below ``p``; if it sits exactly at ``p``
    there, the midpoint between that time and the time the curve next drops.
    """
    ok = np.isfinite(curve)
    times, curve = times[ok], curve[ok]
    hit = np.flatnonzero(curve <= p + _QUANTILE_TOL)
    if hit.size == 0:
        return float("nan")
    first = hit[0]
    if abs(curve[first] - p) < _QUANTILE_TOL:
        lower = np.flatnonzero(curve < curve[first] - _QUANTILE_TOL)
        if lower.size:
            return float((times[first] + times[lower[0]]) / 2)
    return float(times[first])


@dataclass(frozen=True, kw_only=True, eq=False)
class KaplanMeierResult(Result):
    """Kaplan–Meier curves by group.

    Attributes
    ----------
    table : DataFrame
        One row per group and distinct time (every event or censoring time, plus a
        starting row at time 0), in group order then time order.  Columns:
        ``group``, ``time``, ``n_at_risk`` (people still followed and not yet
        promoted just before ``time``), ``events`` (promotions at ``time``),
        ``censored`` (follow-up ending at ``time`` without promotion), ``survival``
        (Kaplan–Meier probability of *not yet promoted* after ``time``),
        ``std_error`` (Greenwood standard error of ``survival``), ``ci_low``,
        ``ci_high`` (pointwise interval on the ``conf_type`` scale).  While
        ``survival`` is 1 the interval is [1, 1]; once it reaches 0 the limits are
        undefined (NaN, explained in ``notes``).  Draw it as a right-continuous step
        function (``where="post"``).
    medians : DataFrame
        One row per group, index ``group`` (as ``compare_rates(...).rates``):
        ``n``, ``events``, ``censored``, ``median``
        (median months to promotion), ``ci_low``, ``ci_high`` and ``note`` (why a
        value is missing, e.g. "not reached").
    durations : DataFrame
        The analysed records: ``group``, ``duration``, ``event`` (used by
        :meth:`at_risk`).
    groups : tuple
        Group labels in display order.
    by : str or None
        The grouping column.
    conf_type : str
        ``"log-log"``, ``"log"`` or ``"plain"``.
    alpha : float
        1 - confidence level.
    excluded : dict
        Rows left out, by reason.
    """

    table: pd.DataFrame
    medians: pd.DataFrame
    durations: pd.DataFrame
    groups: tuple[Any, ...]
    by: str | None
    conf_type: str
    alpha: float
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return "Kaplan–Meier estimate of time to promotion"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"medians": self.medians, "survival": self.table}

    def to_frame(self) -> pd.DataFrame:
        """The curve table (a copy)."""
        return self.table.copy()

    @property
    def cumulative_incidence(self) -> pd.DataFrame:
        """Proportion promoted by month ``time``: 1 - survival, with its interval.

        Columns ``group``, ``time``, ``n_at_risk``, ``events``, ``censored``,
        ``cumulative_incidence``, ``ci_low``, ``ci_high`` (the survival limits
        flipped: ``ci_low = 1 - survival ci_high``).
        """
        t = self.table
        return pd.DataFrame(
            {
                "group": t["group"],
                "time": t["time"],
                "n_at_risk": t["n_at_risk"],
                "events": t["events"],
                "censored": t["censored"],
                "cumulative_incidence": 1.0 - t["survival"],
                "ci_low": 1.0 - t["ci_high"],
                "ci_high": 1.0 - t["ci_low"],
            }
        )

    def at_risk(self, times: Iterable[float]) -> pd.DataFrame:
        """Numbers at risk at chosen times (the row under a Kaplan–Meier chart).

        Parameters
        ----------
        times : iterable of float
            Months (>= 0), e.g. ``range(0, 61, 12)``.

        Returns
        -------
        DataFrame
            One row per group and time: ``group``, ``time``, ``n_at_risk`` (people
            with follow-up reaching ``time`` and not promoted before it, R's
            convention), ``events`` and ``censored`` (cumulative counts up to and
            including ``time``).
        """
        grid = np.asarray(list(times), dtype=float)
        if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
            raise AnalysisError(
                "times must be one or more finite numbers of months >= 0, e.g. range(0, 61, 12)."
            )
        rows = []
        d = self.durations
        for g in self.groups:
            sub = d[d["group"] == g]
            dur = sub["duration"].to_numpy(float)
            ev = sub["event"].to_numpy(int)
            for t in grid:
                rows.append(
                    {
                        "group": g,
                        "time": float(t),
                        "n_at_risk": int(np.sum(dur >= t)),
                        "events": int(np.sum((dur <= t) & (ev == 1))),
                        "censored": int(np.sum((dur <= t) & (ev == 0))),
                    }
                )
        return pd.DataFrame(rows, columns=["group", "time", "n_at_risk", "events", "censored"])


def _km_group(
    duration: np.ndarray, event: np.ndarray, z: float, conf_type: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Curve rows for one group; also the event times and (S, low, high) at them."""
    from statsmodels.duration.survfunc import SurvfuncRight

    sf = SurvfuncRight(duration, event)
    ev_times = np.asarray(sf.surv_times, dtype=float)
    ev_surv = np.asarray(sf.surv_prob, dtype=float)
    ev_se = np.asarray(sf.surv_prob_se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ev_se_log = np.where(ev_surv > 0, ev_se / ev_surv, np.nan)

    grid = np.union1d([0.0], duration)
    pos = np.searchsorted(ev_times, grid, side="right") - 1
    before = pos < 0
    idx = np.where(before, 0, pos)
    surv = np.where(before, 1.0, ev_surv[idx] if ev_surv.size else 1.0)
    se_log = np.where(before, 0.0, ev_se_log[idx] if ev_se_log.size else 0.0)
    low, high = _ci(surv, se_log, z, conf_type)
    std_error = surv * se_log
    # counts at each grid time from the sorted durations (the grid holds every duration)
    ordered = np.sort(duration)
    n_at_risk = (duration.size - np.searchsorted(ordered, grid, side="left")).astype(int)
    at = np.searchsorted(grid, duration)  # grid index of each duration
    events = np.bincount(at, weights=(event == 1), minlength=grid.size).astype(int)
    censored = np.bincount(at, weights=(event == 0), minlength=grid.size).astype(int)
    rows = pd.DataFrame(
        {
            "time": grid,
            "n_at_risk": n_at_risk,
            "events": events,
            "censored": censored,
            "survival": surv,
            "std_error": std_error,
            "ci_low": low,
            "ci_high": high,
        }
    )
    # curves at event times (with S = 1 at time 0) for the median and its CI
    ev_low, ev_high = _ci(ev_surv, ev_se_log, z, conf_type)
    curve_times = np.concatenate([[0.0], ev_times])
    curves = np.vstack(
        [
            np.concatenate([[1.0], ev_surv]),
            np.concatenate([[1.0], ev_low]),
            np.concatenate([[1.0], ev_high]),
        ]
    )
    return rows, curve_times, curves


def _median_row(curve_times: np.ndarray, curves: np.ndarray) -> tuple[float, float, float, str]:
    surv, low, high = curves
    median = _first_below(curve_times, surv)
    # the lower limit of the median comes from the lower curve, the upper from the upper
    ci_low = _first_below(curve_times, low)
    ci_high = _first_below(curve_times, high)
    notes = []
    if np.isnan(median):
        notes.append("median not reached: fewer than half were promoted during follow-up")
    if np.isnan(ci_low):
        notes.append("lower limit not reached")
    if np.isnan(ci_high):
        notes.append("upper limit not reached (later than the follow-up)")
    return median, ci_low, ci_high, "; ".join(notes)


def kaplan_meier(
    data: Any,
    *,
    by: str | None = "gender",
    time: str = "months_to_promotion",
    outcome: str = "promoted",
    followup: str = "followup_months",
    event: Any = None,
    alpha: float = 0.05,
    conf_type: str = "log-log",
) -> KaplanMeierResult:
    """Kaplan–Meier curves of time to promotion, by group, with pointwise intervals.

    Parameters
    ----------
    data : Cohort or DataFrame
        The records; never modified.
    by : str or None, default="gender"
        Grouping column; ``None`` gives one curve labelled ``"all"``.  Rows with
        ``by`` missing are left out and counted.
    time, outcome, followup, event
        Columns and the event value; see :func:`time_to_event`.
    alpha : float, default=0.05
        1 - confidence level of the intervals.
    conf_type : {"log-log", "log", "plain"}, default="log-log"
        Scale of the pointwise interval, computed from Greenwood's variance:
        ``"log-log"`` (Kalbfleisch–Prentice; the SAS and Stata default; stays
        inside [0, 1] and behaves well in small samples), ``"log"`` (R
        ``survfit``'s default, upper limit capped at 1) or ``"plain"`` (S ± z·SE,
        clipped to [0, 1]).

    Returns
    -------
    KaplanMeierResult
        ``.table`` (columns ``group, time, n_at_risk, events, censored, survival,
        std_error, ci_low, ci_high``), ``.medians`` (index ``group``; columns ``n,
        events, censored, median, ci_low, ci_high, note``), ``.cumulative_incidence``
        (proportion promoted by each month) and ``.at_risk(times)``.  The median is
        the first time the curve is at or below 0.5 (the midpoint of a flat stretch
        exactly at 0.5), and its interval comes from where the interval curves cross
        0.5, as in R's ``survfit``.

    Raises
    ------
    ColumnError, AnalysisError
        See :func:`time_to_event`; also for a bad ``alpha`` or ``conf_type``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"gender": ["woman", "woman", "man", "man"],
    ...                    "promoted": [True, False, True, True],
    ...                    "months_to_promotion": [6, None, 3, 9],
    ...                    "followup_months": [24, 24, 24, 24]})
    >>> km = kaplan_meier(df, conf_type="log")  # doctest: +SKIP
    >>> km.table[["group", "time", "n_at_risk", "events", "survival"]]  # doctest: +SKIP
       group  time  n_at_risk  events  survival
    0  woman   0.0          2       0       1.0
    1  woman   6.0          2       1       0.5
    2  woman  24.0          1       0       0.5
    3    man   0.0          2       0       1.0
    4    man   3.0          2       1       0.5
    5    man   9.0          1       1       0.0
    """
    _check_alpha(alpha)
    if conf_type not in CONF_TYPES:
        raise AnalysisError(
            f"conf_type must be one of {list(CONF_TYPES)}, not {conf_type!r}. "
            "'log-log' is the default; 'log' matches R's survfit."
        )
    check_column_name(by, "by", optional=True)
    prepared = _prepare(
        data,
        time=time,
        outcome=outcome,
        followup=followup,
        extra={"group": by},
        event=event,
        function="kaplan_meier",
    )
    frame = prepared.frame
    if by is None:
        frame["group"] = "all"
        groups: list[Any] = ["all"]
    else:
        groups = _group_order(frame["group"], by)
    z = float(_sps.norm.ppf(1 - alpha / 2))
    notes = list(prepared.notes)
    warns: list[str] = []
    parts, med_rows = [], []
    for g in groups:
        sub = frame[frame["group"] == g]
        dur = sub["duration"].to_numpy(float)
        ev = sub["event"].to_numpy(int)
        rows, curve_times, curves = _km_group(dur, ev, z, conf_type)
        rows.insert(0, "group", [g] * len(rows))
        parts.append(rows)
        median, lo, hi, note = _median_row(curve_times, curves)
        med_rows.append(
            {
                "group": g,
                "n": len(sub),
                "events": int(ev.sum()),
                "censored": int(len(sub) - ev.sum()),
                "median": median,
                "ci_low": lo,
                "ci_high": hi,
                "note": note,
            }
        )
        if ev.sum() == 0:
            notes.append(
                f"Nobody in group {g!r} was promoted during follow-up: the curve stays at 1 "
                "and the median is not reached."
            )
        if np.any(rows["survival"].to_numpy() == 0):
            t0 = rows.loc[rows["survival"] == 0, "time"].iloc[0]
            notes.append(
                f"In group {g!r} everyone still followed had been promoted by month {t0:g}: "
                "the estimate reaches 0 and its confidence limits are undefined from then on "
                "(left empty, as in R)."
            )
        if len(sub) < _SMALL_GROUP:
            warns.append(
                f"Group {g!r} has only {len(sub)} person(s); its curve and interval are very "
                "uncertain."
            )
    table = pd.concat(parts, ignore_index=True)
    medians = pd.DataFrame(med_rows).set_index("group")
    medians.index = pd.Index(list(medians.index), name="group", dtype=object)
    durations = frame[["group", "duration", "event"]].copy()
    method = (
        f"Kaplan–Meier estimate (statsmodels SurvfuncRight) with Greenwood variance; "
        f"{_level(alpha)} pointwise intervals on the {conf_type} scale; people not promoted "
        f"are censored at {followup!r}."
    )
    for w in warns:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return KaplanMeierResult(
        method=method,
        notes=tuple(notes),
        warnings=tuple(warns),
        table=table,
        medians=medians,
        durations=durations,
        groups=tuple(groups),
        by=by,
        conf_type=conf_type,
        alpha=float(alpha),
        excluded=dict(prepared.excluded),
    )


# --------------------------------------------------------------------------------------
# Log-rank test
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class LogrankResult(Result):
    """Log-rank test of equal time-to-promotion curves.

    Attributes
    ----------
    test : DataFrame
        One row: ``statistic`` (chi-square), ``df``, ``p_value``, ``method``.  The
        statistic and p-value are NaN when the test is undefined (no promotions at
        all, fewer than two groups with anyone at risk at a promotion time); the
        notes say why.
    groups : DataFrame
        One row per group, index ``group``: ``n``, ``events`` (observed promotions) and
        ``expected`` (promotions expected if all groups shared one curve), summed
        over strata.
    statistic, df, p_value : float
        The test as scalars.
    by, strata : str or None
        The grouping and stratifying columns.
    excluded : dict
        Rows left out, by reason.
    """

    test: pd.DataFrame
    groups: pd.DataFrame
    statistic: float
    df: float
    p_value: float
    by: str
    strata: str | None = None
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return "Log-rank test of time to promotion"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"test": self.test, "groups": self.groups}


def _observed_expected(
    duration: np.ndarray, event: np.ndarray, codes: np.ndarray, k: int, strata: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Observed and expected events per group under a common hazard (summed over strata)."""
    observed = np.bincount(codes, weights=event, minlength=k).astype(float)
    terms = []
    for s in np.unique(strata):
        m = strata == s
        dur, ev, cod = duration[m], event[m], codes[m]
        times = np.unique(dur[ev == 1])
        if not times.size:
            continue
        # at risk per group at each event time: people with duration >= t
        at_risk = np.empty((times.size, k), dtype=np.int64)
        for g in range(k):
            ordered = np.sort(dur[cod == g])
            at_risk[:, g] = ordered.size - np.searchsorted(ordered, times, side="left")
        n_t = at_risk.sum(axis=1)
        is_event_time = np.isin(dur, times) & (ev == 1)
        d_t = np.bincount(np.searchsorted(times, dur[is_event_time]), minlength=times.size).astype(
            np.int64
        )
        terms.append(d_t[:, None] * at_risk / n_t[:, None])
    if not terms:
        return observed, np.zeros(k)
    # summed term by term in time order (as a running total would)
    expected = np.cumsum(np.vstack([np.zeros((1, k)), *terms]), axis=0)[-1]
    return observed, expected


def logrank_test(
    data: Any,
    *,
    by: str = "gender",
    strata: str | None = None,
    time: str = "months_to_promotion",
    outcome: str = "promoted",
    followup: str = "followup_months",
    event: Any = None,
) -> LogrankResult:
    """Log-rank test that time to promotion follows the same curve in every group.

    Parameters
    ----------
    data : Cohort or DataFrame
        The records; never modified.
    by : str, default="gender"
        Grouping column (two or more groups).
    strata : str, optional
        Stratifying column (e.g. ``"cohort"``): groups are compared within each
        stratum and the results summed (R ``survdiff(... + strata(cohort))``).
    time, outcome, followup, event
        Columns and the event value; see :func:`time_to_event`.

    Returns
    -------
    LogrankResult
        ``.test`` (columns ``statistic, df, p_value, method``) and ``.groups``
        (index ``group``; columns ``n, events, expected``).

    Raises
    ------
    AnalysisError
        Fewer than two groups; see also :func:`time_to_event`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"gender": ["woman"] * 3 + ["man"] * 3,
    ...                    "promoted": [True, True, False, True, True, True],
    ...                    "months_to_promotion": [10, 20, None, 5, 8, 12],
    ...                    "followup_months": [36] * 6})
    >>> res = logrank_test(df)  # doctest: +SKIP
    >>> res.groups  # doctest: +SKIP
           n  events  expected
    group
    woman  3       2  3.483333
    man    3       3  1.516667
    """
    check_column_name(by, "by")
    check_column_name(strata, "strata", optional=True)
    prepared = _prepare(
        data,
        time=time,
        outcome=outcome,
        followup=followup,
        extra={"group": by, "stratum": strata},
        event=event,
        function="logrank_test",
    )
    frame = prepared.frame
    groups = _group_order(frame["group"], by)
    if len(groups) < 2:
        shown = repr(groups[0]) if groups else "none"
        raise AnalysisError(
            f"The log-rank test compares groups, but column {by!r} has only one group among "
            f"the rows analysed ({shown}). Use kaplan_meier(..., by={by!r}) to describe it."
        )
    k = len(groups)
    codes = np.array([groups.index(g) for g in frame["group"]], dtype=int)
    duration = frame["duration"].to_numpy(float)
    event_arr = frame["event"].to_numpy(int)
    if strata is None:
        strata_codes = np.zeros(len(frame), dtype=int)
    else:
        levels = _group_order(frame["stratum"], strata)
        strata_codes = np.array([levels.index(s) for s in frame["stratum"]], dtype=int)
    observed, expected = _observed_expected(duration, event_arr, codes, k, strata_codes)
    n_per = np.bincount(codes, minlength=k)
    group_table = pd.DataFrame(
        {
            "n": n_per.astype(int),
            "events": observed.astype(int),
            "expected": expected,
        },
        index=pd.Index(groups, name="group", dtype=object),
    )
    notes = list(prepared.notes)
    warns: list[str] = []
    method = "log-rank test (statsmodels survdiff), chi-square with (groups - 1) df"
    if strata is not None:
        method += f", stratified by {strata!r}"
    statistic = p_value = float("nan")
    df = float("nan")
    usable = expected > 0
    if observed.sum() == 0:
        notes.append(
            "Nobody was promoted in any group, so there is nothing to compare: "
            "the log-rank statistic and p-value are undefined."
        )
    elif usable.sum() < 2:
        notes.append(
            "Only one group had people still followed when promotions happened, so the "
            "curves cannot be compared: the log-rank statistic and p-value are undefined."
        )
    else:
        if not usable.all():
            left = ", ".join(repr(g) for g, u in zip(groups, usable, strict=True) if not u)
            notes.append(
                f"Group(s) {left} had nobody followed at any promotion time and were left out "
                "of the test."
            )
        from statsmodels.duration.survfunc import survdiff

        keep = usable[codes]
        try:
            statistic, _ = survdiff(
                duration[keep],
                event_arr[keep],
                codes[keep],
                strata=None if strata is None else strata_codes[keep],
            )
            statistic = float(statistic)
        except np.linalg.LinAlgError:
            statistic = float("nan")
        if not np.isfinite(statistic) or statistic < -1e-12:
            statistic = float("nan")
            notes.append(
                "The variance of the log-rank statistic is zero (every promotion time removed "
                "everyone still at risk), so the test is undefined."
            )
        else:
            statistic = max(statistic, 0.0)
            df = float(usable.sum() - 1)
            p_value = float(_sps.chi2.sf(statistic, df))
        small = [g for g, e, u in zip(groups, expected, usable, strict=True) if u and e < 5]
        if small:
            warns.append(
                "Fewer than 5 promotions expected in group(s) "
                + ", ".join(repr(g) for g in small)
                + "; the chi-square p-value is approximate."
            )
    test = pd.DataFrame(
        {"statistic": [statistic], "df": [df], "p_value": [p_value], "method": [method]}
    )
    for w in warns:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return LogrankResult(
        method=method,
        notes=tuple(notes),
        warnings=tuple(warns),
        test=test,
        groups=group_table,
        statistic=statistic,
        df=df,
        p_value=p_value,
        by=by,
        strata=strata,
        excluded=dict(prepared.excluded),
    )


# --------------------------------------------------------------------------------------
# Cox proportional hazards model
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class CoxModelResult(Result):
    """Cox proportional hazards model of time to promotion.

    Attributes
    ----------
    table : DataFrame
        One row per model term: ``term`` (e.g. ``gender[man]`` or ``boldness_index``),
        ``variable``, ``level`` and ``reference`` (for categorical predictors; empty
        for numeric ones), ``n`` and ``events`` (people and promotions in that level,
        or in the whole model for a numeric predictor), ``estimate`` (hazard ratio),
        ``ci_low``, ``ci_high`` (Wald interval), ``p_value`` (Wald z-test), ``coef``
        (log hazard ratio), ``std_error`` (of ``coef``), ``statistic`` (z).
    test : DataFrame
        One row: the likelihood-ratio test of all predictors together, with
        ``statistic``, ``df``, ``p_value``, ``method``.
    references : dict
        Reference level of each categorical predictor.
    ties : str
        ``"efron"`` or ``"breslow"``.
    n, events : int
        People and promotions in the model.
    model : object
        The fitted statsmodels ``PHRegResults``.
    excluded : dict
        Rows left out, by reason.
    """

    table: pd.DataFrame
    test: pd.DataFrame
    references: dict[str, Any]
    ties: str
    n: int
    events: int
    model: Any = None
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return "Cox model of time to promotion (hazard ratios)"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"hazard_ratios": self.table, "test": self.test}


def _design(
    frame: pd.DataFrame, predictors: Sequence[str], reference: Mapping[str, Any]
) -> tuple[np.ndarray, list[dict[str, Any]], dict[str, Any]]:
    """Design matrix (dummy coding for categorical predictors) and term descriptions."""
    columns: list[np.ndarray] = []
    terms: list[dict[str, Any]] = []
    references: dict[str, Any] = {}
    event = frame["event"].to_numpy(int)
    for p in predictors:
        s = frame[f"x:{p}"]
        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)
        if numeric and not isinstance(s.dtype, pd.CategoricalDtype):
            x = s.to_numpy(dtype=float)
            if np.nanstd(x) == 0:
                raise AnalysisError(
                    f"Predictor {p!r} has the same value for everyone analysed, so its effect "
                    "cannot be estimated. Leave it out of predictors."
                )
            columns.append(x)
            terms.append(
                {
                    "term": p,
                    "variable": p,
                    "level": "",
                    "reference": "",
                    "n": len(x),
                    "events": int(event.sum()),
                }
            )
            continue
        levels = _group_order(s, p)
        if len(levels) < 2:
            shown = repr(levels[0]) if levels else "none"
            raise AnalysisError(
                f"Predictor {p!r} has only one group among the rows analysed ({shown}); a hazard "
                "ratio needs at least two groups. Leave it out of predictors."
            )
        values = s.to_numpy()
        if p in reference:
            try:
                ref = resolve_reference(reference[p], levels, p)
            except AnalysisError:
                raise AnalysisError(
                    f"reference for {p!r} must be one of the groups present {levels}, "
                    f"not {plain(reference[p])!r}."
                ) from None
        else:
            # the package's convention (False for yes/no: HR of yes against no, as the
            # odds ratio of outcome_model), never the group sizes
            ref = default_reference(levels, p)
        references[p] = ref
        for lev in levels:
            in_level = values == lev
            if event[in_level].sum() == 0:
                raise AnalysisError(
                    f"Nobody in group {lev!r} of {p!r} was promoted, so the hazard ratio for that "
                    "group is zero or infinite and cannot be estimated. Merge small groups, drop "
                    f"that group, or describe it with kaplan_meier(..., by={p!r})."
                )
        for lev in levels:
            if lev == ref:
                continue
            in_level = values == lev
            columns.append(in_level.astype(float))
            terms.append(
                {
                    "term": f"{p}[{lev}]",
                    "variable": p,
                    "level": lev,
                    "reference": ref,
                    "n": int(in_level.sum()),
                    "events": int(event[in_level].sum()),
                }
            )
    return np.column_stack(columns), terms, references


def _levels_of(terms: list[dict[str, Any]], variable: str) -> list[Any]:
    return [t["level"] for t in terms if t["variable"] == variable]


def cox_model(
    data: Any,
    predictors: str | Sequence[str],
    *,
    time: str = "months_to_promotion",
    outcome: str = "promoted",
    followup: str = "followup_months",
    event: Any = None,
    reference: Any = None,
    ties: str = "efron",
    alpha: float = 0.05,
) -> CoxModelResult:
    """Cox proportional hazards model: hazard ratios of promotion with CIs and p-values.

    A hazard ratio above 1 means promotion came sooner (a higher monthly rate of
    promotion among those not yet promoted) than in the reference group, or per
    unit of a numeric predictor.

    Parameters
    ----------
    data : Cohort or DataFrame
        The records; never modified.
    predictors : str or sequence of str
        Columns.  Numeric columns enter as they are; booleans, text and categories
        are dummy-coded against a reference group.  Rows with a predictor missing
        are left out and counted.
    time, outcome, followup, event
        Columns and the event value; see :func:`time_to_event`.
    reference : object or mapping, optional
        Reference group per categorical predictor, e.g. ``{"gender": "woman"}``,
        or one group name when exactly one categorical predictor has it (as in
        :func:`~mentoranalytics.outcome_model`).  Default, never depending on group
        sizes (as every function): ``"man"`` for gender, ``False`` for yes/no
        predictors (hazard ratios of yes against no, the direction of the odds
        ratios of :func:`~mentoranalytics.outcome_model`), else the first group in
        order; stated in ``.references`` and the notes.
    ties : {"efron", "breslow"}, default="efron"
        Handling of tied promotion times (monthly data have many): Efron's method is
        R ``coxph``'s default and the more accurate one.
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    CoxModelResult
        ``.table`` with columns ``term, variable, level, reference, n, events,
        estimate, ci_low, ci_high, p_value, coef, std_error, statistic``
        (``estimate`` is the hazard ratio), ``.test`` (likelihood-ratio test with
        ``statistic, df, p_value, method``) and ``.model`` (statsmodels results).

    Raises
    ------
    AnalysisError
        When the model cannot be fitted, with the reason in plain words: no
        promotions, a predictor with one group or one value, a group in which
        nobody was promoted, redundant predictors, or a fit that does not converge.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"gender": ["woman", "man"] * 4,
    ...                    "promoted": [True] * 6 + [False] * 2,
    ...                    "months_to_promotion": [12, 6, 18, 9, 30, 24, None, None],
    ...                    "followup_months": [36] * 8})
    >>> res = cox_model(df, "gender")
    >>> res.table[["term", "reference", "n", "events"]]
                term reference  n  events
    0  gender[woman]       man  4       3
    """
    _check_alpha(alpha)
    if ties not in _TIES:
        raise AnalysisError(f"ties must be one of {list(_TIES)}, not {ties!r}.")
    preds = check_column_names(predictors, "predictors")
    if not preds:
        raise AnalysisError(
            "predictors must be a column name or a list of column names, e.g. ['gender']."
        )
    if len(set(preds)) != len(preds):
        raise AnalysisError(f"predictors lists a column twice: {preds}.")
    if reference is not None and not isinstance(reference, Mapping):
        from .models import _resolve_references

        raw = as_frame(data)
        require_columns(raw, preds, purpose="cox_model")
        reference = _resolve_references(reference, raw[preds].dropna(), preds)
    reference = dict(reference or {})
    unknown = [k for k in reference if k not in preds]
    if unknown:
        raise AnalysisError(
            f"reference names column(s) {unknown} that are not among predictors {preds}."
        )
    extra = {f"x:{p}": p for p in preds}
    prepared = _prepare(
        data,
        time=time,
        outcome=outcome,
        followup=followup,
        extra=extra,
        event=event,
        function="cox_model",
    )
    frame = prepared.frame
    n = len(frame)
    n_events = int(frame["event"].sum())
    if n_events == 0:
        raise AnalysisError(
            f"Nobody among the {n} people analysed was promoted, so hazard ratios cannot be "
            "estimated."
        )
    exog, terms, references = _design(frame, preds, reference)
    k = exog.shape[1]
    centred = exog - exog.mean(axis=0)
    if np.linalg.matrix_rank(centred) < k:
        raise AnalysisError(
            "The predictors are redundant: one of them (or one of their groups) carries the "
            f"same information as the others among the rows analysed ({preds}). Drop one."
        )
    from statsmodels.duration.hazard_regression import PHReg

    model = PHReg(
        frame["duration"].to_numpy(float), exog, status=frame["event"].to_numpy(float), ties=ties
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.fit()
    coef = np.asarray(fitted.params, dtype=float)
    se = np.asarray(fitted.bse, dtype=float)
    # a log hazard ratio above 10 per standard deviation of the predictor (a hazard ratio
    # over 20,000) only arises when the likelihood has no maximum (monotone likelihood)
    scaled = np.abs(coef) * exog.std(axis=0)
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(se))) or np.any(scaled > 10):
        raise AnalysisError(
            "The Cox model did not converge: a predictor (almost) perfectly orders who was "
            "promoted first, so a hazard ratio runs off to zero or infinity. Use fewer "
            "predictors, merge groups, or compare the groups with kaplan_meier and logrank_test."
        )
    z = float(_sps.norm.ppf(1 - alpha / 2))
    stat = coef / se
    table = pd.DataFrame(terms)
    table["estimate"] = np.exp(coef)
    table["ci_low"] = np.exp(coef - z * se)
    table["ci_high"] = np.exp(coef + z * se)
    table["p_value"] = 2 * _sps.norm.sf(np.abs(stat))
    table["coef"] = coef
    table["std_error"] = se
    table["statistic"] = stat
    lr = float(2 * (fitted.llf - model.loglike(np.zeros(k))))
    lr = max(lr, 0.0)
    test_method = f"likelihood-ratio test of all predictors, chi-square with {k} df"
    test = pd.DataFrame(
        {
            "statistic": [lr],
            "df": [float(k)],
            "p_value": [float(_sps.chi2.sf(lr, k))],
            "method": [test_method],
        }
    )
    method = (
        f"Cox proportional hazards model (statsmodels PHReg, {ties.capitalize()} method for tied "
        f"times); Wald {_level(alpha)} intervals and z-test p-values; people not promoted are "
        f"censored at {followup!r}."
    )
    notes = list(prepared.notes)
    for p, ref in references.items():
        why = (
            "" if p in reference else f"; {reference_reason(ref, [ref, *_levels_of(terms, p)], p)}"
        )
        notes.append(f"{p!r}: hazard ratios compare each group with {ref!r} (reference{why}).")
    notes.append(
        "A hazard ratio above 1 means promotion came sooner than in the reference group "
        "(or per unit of a numeric predictor)."
    )
    notes.append(
        "The proportional-hazards assumption was not tested; look at the Kaplan–Meier curves."
    )
    warns: list[str] = []
    if n_events < 10 * k:
        warns.append(
            f"Only {n_events} promotion(s) for {k} model term(s) (fewer than 10 per term): "
            "hazard ratios may be biased away from 1 and intervals too narrow."
        )
    for w in warns:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return CoxModelResult(
        method=method,
        notes=tuple(notes),
        warnings=tuple(warns),
        table=table,
        test=test,
        references=references,
        ties=ties,
        n=n,
        events=n_events,
        model=fitted,
        excluded=dict(prepared.excluded),
    )
