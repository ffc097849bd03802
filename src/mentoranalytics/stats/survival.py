"""Time to promotion: Kaplan–Meier curves, the log-rank test and the Cox model.

People who were promoted contribute their ``months_to_promotion``; people who were
not promoted are *censored* at ``followup_months`` (we know only that they had not
been promoted by then).  Rows that cannot be placed on the time line are left out
and counted, never dropped silently.

The Kaplan–Meier estimate and its Greenwood standard error come from
:class:`statsmodels.duration.survfunc.SurvfuncRight`, the log-rank test from
:func:`statsmodels.duration.survfunc.survdiff` and the Cox model from
:class:`statsmodels.duration.hazard_regression.PHReg`; statsmodels is imported
inside the functions only.  Quantiles of the curve, the Cox model's score
residuals (robust standard errors) and its proportional-hazards test are ports of
R survival 3.5's ``findq``, ``coxscore2`` and ``zph1``, written here with numpy.

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
from .._derived import with_columns
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
    params = {"group": "by", "stratum": "strata", "cluster": "cluster"}
    for key, column in (extra or {}).items():
        check_column_name(column, params.get(key, "predictors"), optional=True)
    columns: dict[str, str] = {k: v for k, v in (extra or {}).items() if v is not None}
    frame, derived_notes = with_columns(
        frame, [outcome, time, *columns.values()], purpose="time to promotion"
    )
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

    notes: list[str] = list(derived_notes)
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


def _findq(times: np.ndarray, curve: np.ndarray, p: float) -> float:
    """The time at which a step curve first falls to ``1 - p``: R's ``quantile.survfit``.

    A port of survival's internal ``findq`` (survival 3.5): ``times`` are every time
    on the curve (promotions and censoring, in order) and ``curve`` the survival
    curve or one of its confidence limits there (NaN where undefined); the curve
    starts at 1 at time 0.  Where the curve sits exactly at ``1 - p`` (within R's
    tolerance ``sqrt(.Machine$double.eps)``) over an interval, the quantile is the
    midpoint of that interval; when it sits there until the last time on the
    curve, the midpoint of the first time at that level and the last time (R gives
    6.5 for promotions at 2 and 4 and follow-up ending at 7 and 9).  NaN when the
    curve never falls that far.  Unlike R, the tolerance also applies to that last
    check: our curve can differ from R's in the last bit (0.5000000000000001).
    """
    x = np.concatenate([[0.0], np.asarray(times, dtype=float)])
    y = np.concatenate([[0.0], 1.0 - np.asarray(curve, dtype=float)])
    finite = ~np.isnan(y)
    if not finite.any() or np.max(y[finite]) < p - _QUANTILE_TOL:
        return float("nan")
    x_last = x[-1]
    first = ~pd.Series(y).duplicated().to_numpy()  # as R's duplicated(): NaN equals NaN
    x, y = x[first], y[first]
    positions = np.flatnonzero(~np.isnan(y))

    def index(shift: float) -> int | None:
        # approx(y + shift, 1:n, p, method = "constant", f = 1): the first point at or
        # above p; none outside the range
        level = y[positions] + shift
        order = np.argsort(level, kind="stable")
        level, pos = level[order], positions[order]
        if p < level[0] or p > level[-1]:
            return None
        return int(pos[np.searchsorted(level, p, side="left")])

    i1, i2 = index(_QUANTILE_TOL), index(-_QUANTILE_TOL)
    quant = (x[i1] + x[i2]) / 2 if i1 is not None and i2 is not None else float("nan")
    if p == 0:
        quant = x[0]
    if not np.isnan(y[-1]) and abs(p - y[-1]) < _QUANTILE_TOL:
        quant = (x[i1] + x_last) / 2 if i1 is not None else float("nan")
    return float(quant)


def _check_probs(probs: Any) -> list[float]:
    values = list(probs) if isinstance(probs, Iterable) and not isinstance(probs, str) else [probs]
    ok = bool(values) and all(
        isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))
        for v in values
    )
    if ok:
        ok = all(0 <= float(v) <= 1 for v in values)
    if not ok:
        raise AnalysisError(
            "probs must be one or more shares promoted between 0 and 1, e.g. (0.25, 0.5, 0.75); "
            f"got {probs!r}."
        )
    return [float(v) for v in values]


def _quantile_rows(curve: pd.DataFrame, probs: Sequence[float]) -> list[dict[str, float]]:
    """Quantiles of one group's curve table (``time, survival, ci_low, ci_high``)."""
    times = curve["time"].to_numpy(float)
    rows = []
    for p in probs:
        rows.append(
            {
                "probability": p,
                "estimate": _findq(times, curve["survival"].to_numpy(float), p),
                # the lower limit comes from the lower curve, the upper from the upper
                "ci_low": _findq(times, curve["ci_low"].to_numpy(float), p),
                "ci_high": _findq(times, curve["ci_high"].to_numpy(float), p),
            }
        )
    return rows


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

    def quantiles(self, probs: float | Sequence[float] = (0.25, 0.5, 0.75)) -> pd.DataFrame:
        """Months by which a given share had been promoted, with confidence limits.

        Read off the curve as R's ``quantile.survfit``: the ``p`` quantile is the
        first time the curve is at or below ``1 - p``; where it sits exactly at
        ``1 - p`` over an interval, the midpoint of that interval (up to the last
        time on the curve when it stays there to the end).  The limits are read
        the same way off the lower and upper interval curves.

        Parameters
        ----------
        probs : float or sequence of float, default=(0.25, 0.5, 0.75)
            Shares promoted, between 0 and 1 (0.5 gives the median of ``.medians``).

        Returns
        -------
        DataFrame
            One row per group and share: ``group``, ``probability``, ``estimate``
            (months), ``ci_low``, ``ci_high``; NaN where the curve (or its limit)
            never falls that far during follow-up.
        """
        shares = _check_probs(probs)
        rows = []
        for g in self.groups:
            curve = self.table[self.table["group"] == g]
            for row in _quantile_rows(curve, shares):
                rows.append({"group": g, **row})
        return pd.DataFrame(rows, columns=["group", "probability", "estimate", "ci_low", "ci_high"])

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


def _km_group(duration: np.ndarray, event: np.ndarray, z: float, conf_type: str) -> pd.DataFrame:
    """Curve rows for one group: time 0 and every promotion or censoring time."""
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
    return rows


def _median_row(curve: pd.DataFrame) -> tuple[float, float, float, str]:
    q = _quantile_rows(curve, [0.5])[0]
    median, ci_low, ci_high = q["estimate"], q["ci_low"], q["ci_high"]
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
        (proportion promoted by each month), ``.quantiles(probs)`` and
        ``.at_risk(times)``.  The median is the first time the curve is at or below
        0.5; where the curve sits exactly at 0.5 over a stretch, the midpoint of that
        stretch (up to the last time on the curve when it stays at 0.5 to the end);
        its interval comes from where the interval curves cross 0.5.  This is R's
        ``quantile.survfit`` (``median(fit)``); R's printed summary
        (``print.survfit``) gives the first time of a stretch at 0.5 that lasts to
        the end instead.

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
        rows = _km_group(dur, ev, z, conf_type)
        median, lo, hi, note = _median_row(rows)
        rows.insert(0, "group", [g] * len(rows))
        parts.append(rows)
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
    codes = pd.Index(groups, dtype=object).get_indexer(frame["group"].astype(object))
    if (codes < 0).any():  # pragma: no cover - the groups are read from the same column
        raise AnalysisError(f"Column {by!r} holds a group outside {groups!r}.")
    duration = frame["duration"].to_numpy(float)
    event_arr = frame["event"].to_numpy(int)
    if strata is None:
        strata_codes = np.zeros(len(frame), dtype=int)
    else:
        levels = _group_order(frame["stratum"], strata)
        strata_codes = pd.Index(levels, dtype=object).get_indexer(frame["stratum"].astype(object))
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
        With ``robust=True`` or ``cluster=``, ``std_error`` is the robust
        (sandwich) standard error used by the interval and the test, and
        ``naive_std_error`` the model-based one.
    test : DataFrame
        One row: the likelihood-ratio test of all predictors together, with
        ``statistic``, ``df``, ``p_value``, ``method``.
    ph_test : DataFrame
        The proportional-hazards test (R ``cox.zph``, Kaplan–Meier time scale): one
        row per predictor plus ``GLOBAL`` with ``term``, ``statistic``, ``df``,
        ``p_value``.  :meth:`proportional_hazards` gives other time scales and the
        scaled Schoenfeld residuals.
    references : dict
        Reference level of each categorical predictor.
    ties : str
        ``"efron"`` or ``"breslow"``.
    n, events : int
        People and promotions in the model.
    strata, cluster : str or None
        The stratifying column (a baseline hazard of its own per stratum) and the
        column whose rows may be dependent (clustered robust standard errors).
    robust : bool
        Whether ``std_error`` is the robust (sandwich) standard error.
    model : object
        The fitted statsmodels ``PHRegResults``.
    excluded : dict
        Rows left out, by reason.
    fitted_data : object
        The design matrix, durations, events and strata of the fit (used by
        :meth:`proportional_hazards`).
    """

    table: pd.DataFrame
    test: pd.DataFrame
    references: dict[str, Any]
    ties: str
    n: int
    events: int
    ph_test: pd.DataFrame | None = None
    strata: str | None = None
    cluster: str | None = None
    robust: bool = False
    model: Any = None
    excluded: dict[str, int] = field(default_factory=dict)
    fitted_data: Any = field(default=None, repr=False)

    @property
    def title(self) -> str:
        return "Cox model of time to promotion (hazard ratios)"

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {"hazard_ratios": self.table, "test": self.test}
        if self.ph_test is not None:
            out["ph_test"] = self.ph_test
        return out

    def proportional_hazards(self, *, transform: str = "km") -> PHTestResult:
        """Test the proportional-hazards assumption, as R's ``cox.zph(fit, transform)``.

        A score test of each predictor's coefficient changing linearly in g(t)
        (Grambsch & Therneau 1994, in survival 3's exact form), with the scaled
        Schoenfeld residuals for a plot of the hazard ratio over time.

        Parameters
        ----------
        transform : {"km", "rank", "identity", "log"}, default="km"
            The time scale g: 1 - the Kaplan–Meier curve of all rows (R's default;
            robust to a few long follow-ups), the rank of the times, months as they
            are, or their log.

        Returns
        -------
        PHTestResult
            ``.table`` (``term, statistic, df, p_value``; one row per predictor and
            ``GLOBAL``) and ``.residuals``.
        """
        if transform not in PH_TRANSFORMS:
            raise AnalysisError(
                f"transform must be one of {list(PH_TRANSFORMS)} (the time scale of the "
                f"test; 'km' is R's default), not {transform!r}."
            )
        if self.fitted_data is None:
            raise AnalysisError(
                "This result does not hold the data it was fitted to; refit it with cox_model."
            )
        return _ph_test(self.fitted_data, transform)


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
    strata: str | None = None,
    robust: bool = False,
    cluster: str | None = None,
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
    strata : str, optional
        A column such as ``"cohort"``: each of its levels gets a baseline hazard of
        its own, and the hazard ratios compare people within the same level (R
        ``coxph(... + strata(cohort))``).  The stratifying column gets no hazard
        ratio.  Rows with it missing are left out and counted.
    robust : bool, default=False
        Robust (sandwich) standard errors, as R ``coxph(..., robust = TRUE)`` (Lin &
        Wei 1989): valid when the proportional-hazards model is not quite right.
        Intervals and p-values then use them; the model-based ones stay in
        ``naive_std_error``.
    cluster : str, optional
        A column whose rows may be dependent (e.g. several records of one person,
        or people sharing a mentor): robust standard errors summed within its
        groups, as R ``coxph(... + cluster(id))``; implies ``robust=True``.  Rows
        with it missing are left out and counted.
    ties : {"efron", "breslow"}, default="efron"
        Handling of tied promotion times (monthly data have many): Efron's method is
        R ``coxph``'s default and the more accurate one.
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    CoxModelResult
        ``.table`` with columns ``term, variable, level, reference, n, events,
        estimate, ci_low, ci_high, p_value, coef, std_error, statistic`` (and
        ``naive_std_error`` with robust standard errors; ``estimate`` is the hazard
        ratio), ``.test`` (likelihood-ratio test with ``statistic, df, p_value,
        method``), ``.ph_test`` (proportional-hazards test, R ``cox.zph``: ``term,
        statistic, df, p_value`` per predictor plus ``GLOBAL``), and ``.model``
        (statsmodels results).  ``.proportional_hazards(transform=...)`` gives the
        test on other time scales with the scaled Schoenfeld residuals.

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
    if not isinstance(robust, (bool, np.bool_)):
        raise AnalysisError(f"robust must be True or False, not {robust!r}.")
    for name, value in (("strata", strata), ("cluster", cluster)):
        if value is not None and not isinstance(value, str):
            raise AnalysisError(f"{name} must be a column name or None, not {value!r}.")
        if value is not None and value in preds:
            raise AnalysisError(
                f"{name}={value!r} is also among predictors; a column is either a predictor "
                f"or the {name} column, not both."
            )
    if reference is not None and not isinstance(reference, Mapping):
        from .models import _resolve_references

        raw, _ = with_columns(data, preds, purpose="cox_model")
        reference = _resolve_references(reference, raw[preds].dropna(), preds)
    reference = dict(reference or {})
    unknown = [k for k in reference if k not in preds]
    if unknown:
        raise AnalysisError(
            f"reference names column(s) {unknown} that are not among predictors {preds}."
        )
    extra: dict[str, str | None] = {f"x:{p}": p for p in preds}
    extra.update({"stratum": strata, "cluster": cluster})
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

    if strata is not None:
        strata_labels = _group_order(frame["stratum"], strata)
        position = {label: i for i, label in enumerate(strata_labels)}
        strata_codes = frame["stratum"].map(position).to_numpy(int)
        within = exog - pd.DataFrame(exog).groupby(strata_codes).transform("mean").to_numpy()
        if np.linalg.matrix_rank(within) < k:
            raise AnalysisError(
                f"The predictors are redundant once the model is stratified by {strata!r}: "
                "a predictor (or one of its groups) does not vary within the strata, or "
                f"carries the same information as the others there ({preds}). Drop it, or "
                "stratify by another column."
            )
    else:
        strata_labels, strata_codes = ["all"], np.zeros(n, dtype=int)
    model = PHReg(
        frame["duration"].to_numpy(float),
        exog,
        status=frame["event"].to_numpy(float),
        strata=None if strata is None else strata_codes,
        ties=ties,
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
    fitted_data = _CoxData(
        exog=exog,
        duration=frame["duration"].to_numpy(float),
        event=frame["event"].to_numpy(int),
        strata=strata_codes,
        strata_labels=tuple(strata_labels),
        coef=coef,
        ties=ties,
        columns=tuple(t["term"] for t in terms),
        terms=tuple(
            (p, tuple(i for i, t in enumerate(terms) if t["variable"] == p)) for p in preds
        ),
    )
    robust = bool(robust) or cluster is not None
    naive_se = se
    if robust:
        naive_cov = np.asarray(fitted.cov_params(), dtype=float)
        clusters = None if cluster is None else frame["cluster"].to_numpy()
        se = np.sqrt(np.diag(_robust_covariance(fitted_data, naive_cov, clusters)))
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
    if robust:
        table["naive_std_error"] = naive_se
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
    se_text = ""
    if robust:
        se_text = " with robust (sandwich) standard errors" + (
            f" clustered by {cluster!r}" if cluster is not None else ""
        )
    method = (
        f"Cox proportional hazards model (statsmodels PHReg, {ties.capitalize()} method for tied "
        "times"
        + (f", stratified by {strata!r}" if strata is not None else "")
        + f"); Wald {_level(alpha)} intervals and z-test p-values{se_text}; people not promoted "
        f"are censored at {followup!r}."
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
    if strata is not None:
        notes.append(
            f"Stratified by {strata!r} ({len(strata_labels)} strata): each has a baseline "
            "hazard of its own and the hazard ratios compare people within the same stratum."
        )
    if cluster is not None:
        n_clusters = int(frame["cluster"].nunique())
        notes.append(
            f"Standard errors allow for dependence within the {n_clusters} groups of "
            f"{cluster!r} (robust sandwich estimator, as R's cluster())."
        )
        if n_clusters < 30:
            notes.append(
                f"With only {n_clusters} clusters the robust standard errors are themselves "
                "uncertain and tend to be too small."
            )
    ph_table = _ph_test(fitted_data, "km").table
    global_p = float(ph_table["p_value"].iloc[-1])
    if np.isfinite(global_p):
        flagged = ph_table[(ph_table["term"] != "GLOBAL") & (ph_table["p_value"] < 0.05)]
        notes.append(
            f"Proportional-hazards test (scaled Schoenfeld residuals, R's cox.zph): global "
            f"p = {global_p:.3g}"
            + (
                "; the hazard ratio of "
                + ", ".join(repr(str(t)) for t in flagged["term"])
                + " appears to change over time (p < 0.05), so read it as an average over "
                "follow-up and look at .proportional_hazards().residuals."
                if len(flagged)
                else "."
            )
        )
    else:
        notes.append("The proportional-hazards test could not be computed (singular information).")
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
        ph_test=ph_table,
        strata=strata,
        cluster=cluster,
        robust=robust,
        model=fitted,
        excluded=dict(prepared.excluded),
        fitted_data=fitted_data,
    )


# --------------------------------------------------------------------------------------
# Cox model internals: risk sets, score residuals, the proportional-hazards test
# --------------------------------------------------------------------------------------

#: Time scales of the proportional-hazards test (R ``cox.zph``'s ``transform``).
PH_TRANSFORMS: tuple[str, ...] = ("km", "rank", "identity", "log")


@dataclass(frozen=True, eq=False)
class _CoxData:
    """What robust SEs and the proportional-hazards test need from a fitted model."""

    exog: np.ndarray  # n x p design matrix (dummy-coded)
    duration: np.ndarray
    event: np.ndarray  # 1 promoted, 0 censored
    strata: np.ndarray  # stratum code per row (all 0 without strata)
    strata_labels: tuple[Any, ...]
    coef: np.ndarray
    ties: str
    columns: tuple[str, ...]  # model term of each column of exog
    terms: tuple[tuple[str, tuple[int, ...]], ...]  # predictor -> its columns


def _risk_sets(data: _CoxData) -> Iterable[tuple[int, np.ndarray, np.ndarray]]:
    """(stratum, risk set rows, promoted rows) at each distinct promotion time.

    In stratum order, then time order; the promoted rows in their original order
    (R's ``order(strata, time)``).
    """
    for s in range(len(data.strata_labels)):
        rows = np.flatnonzero(data.strata == s)
        dur, ev = data.duration[rows], data.event[rows]
        for t in np.unique(dur[ev == 1]):
            yield s, rows[dur >= t], rows[(dur == t) & (ev == 1)]


def _tie_steps(n_deaths: int, ties: str) -> list[tuple[float, float]]:
    """(share of the tied promotions removed from the risk set, weight) per step.

    Breslow: one step with the whole risk set, counted once per promotion; Efron:
    one step per promotion with 0, 1/d, ..., (d - 1)/d of them removed.
    """
    if ties == "breslow" or n_deaths == 1:
        return [(0.0, float(n_deaths))]
    return [(j / n_deaths, 1.0) for j in range(n_deaths)]


def _score_residuals(data: _CoxData) -> np.ndarray:
    """Score residuals per row (n x p), as R's ``residuals(fit, type = "score")``.

    A port of survival's ``coxscore2`` (unit case weights): for each promotion time
    and Efron step, (x - mean) of the promoted rows minus their share of the
    expected (x - mean) over the risk set.
    """
    x = data.exog - data.exog.mean(axis=0)  # centring changes nothing but rounding
    eta = x @ data.coef
    resid = np.zeros_like(x)
    for _, risk, deaths in _risk_sets(data):
        xr = x[risk]
        score = np.exp(eta[risk] - eta[risk].max())  # ratios only: any common scale
        dead = np.isin(risk, deaths)
        s0, s1 = score.sum(), score @ xr
        s0_d, s1_d = score[dead].sum(), score[dead] @ xr[dead]
        d = len(deaths)
        contrib = np.zeros_like(xr)
        if data.ties == "breslow" or d == 1:
            diff = xr - s1 / s0
            contrib -= diff * (score * d / s0)[:, None]
            contrib[dead] += diff[dead]
        else:
            for share, _ in _tie_steps(d, data.ties):
                denom = s0 - share * s0_d
                diff = xr - (s1 - share * s1_d) / denom
                weight = np.where(dead, (1 - share), 1.0) * score / denom
                contrib -= diff * weight[:, None]
                contrib[dead] += diff[dead] / d
        resid[risk] += contrib
    return resid


def _robust_covariance(data: _CoxData, naive: np.ndarray, cluster: np.ndarray | None) -> np.ndarray:
    """Sandwich variance D'D of the dfbeta residuals D, summed within clusters.

    As R's ``coxph(..., robust = TRUE)`` / ``cluster()`` (Lin & Wei 1989): no
    small-sample factor.
    """
    dfbeta = _score_residuals(data) @ naive
    if cluster is not None:
        codes, uniques = pd.factorize(pd.Series(cluster), sort=False)
        summed = np.zeros((len(uniques), dfbeta.shape[1]))
        np.add.at(summed, codes, dfbeta)
        dfbeta = summed
    return dfbeta.T @ dfbeta


def _time_transform(data: _CoxData, transform: str) -> np.ndarray:
    """g(t) per row, before centring (R ``cox.zph``'s ``transform``)."""
    t = data.duration
    if transform == "identity":
        return t.astype(float)
    if transform == "log":
        return np.log(t)
    if transform == "rank":
        return _sps.rankdata(t, method="average")
    # "km": 1 - S(t-) of the Kaplan-Meier curve of all rows together (strata ignored)
    times = np.unique(t)
    at_risk = len(t) - np.searchsorted(np.sort(t), times, side="left")
    deaths = np.array([np.sum((t == u) & (data.event == 1)) for u in times])
    surv = np.cumprod(1 - deaths / at_risk)
    before = np.searchsorted(times, t, side="left")  # number of curve times < t
    return 1 - np.concatenate([[1.0], surv])[before]


@dataclass(frozen=True)
class _ZphPieces:
    u: np.ndarray  # score of the time-varying terms at gamma = 0 (first p: beta, set to 0)
    imat: np.ndarray  # 2p x 2p information matrix
    schoenfeld: np.ndarray  # promotions x p, in stratum then time order
    order: np.ndarray  # row of each promotion
    used: np.ndarray  # strata x p: promotions in the stratum if the column varies there


def _zph_pieces(data: _CoxData, gtime: np.ndarray) -> _ZphPieces:
    """Score test pieces of cox.zph: a port of survival's ``zph1`` (unit case weights).

    The model gets p extra terms x * g(t); their score at the fitted beta and
    gamma = 0, and the full 2p x 2p information matrix there.
    """
    x = data.exog - data.exog.mean(axis=0)
    eta = x @ data.coef
    p = x.shape[1]
    u = np.zeros(2 * p)
    imat = np.zeros((2 * p, 2 * p))
    schoen: list[np.ndarray] = []
    order: list[np.ndarray] = []
    for _, risk, deaths in _risk_sets(data):
        xr = x[risk]
        score = np.exp(eta[risk] - eta[risk].max())
        dead = np.isin(risk, deaths)
        s0, s1, s2 = score.sum(), score @ xr, (xr * score[:, None]).T @ xr
        s0_d, s1_d = score[dead].sum(), score[dead] @ xr[dead]
        s2_d = (xr[dead] * score[dead, None]).T @ xr[dead]
        mean_sum = np.zeros(p)
        var_sum = np.zeros((p, p))
        for share, weight in _tie_steps(len(deaths), data.ties):
            denom = s0 - share * s0_d
            mean = (s1 - share * s1_d) / denom
            mean_sum += weight * mean
            var_sum += weight * ((s2 - share * s2_d) / denom - np.outer(mean, mean))
        g = gtime[deaths[0]]
        step = x[deaths].sum(axis=0) - mean_sum
        u[:p] += step
        u[p:] += g * step
        imat[:p, :p] += var_sum
        imat[:p, p:] += g * var_sum
        imat[p:, p:] += g * g * var_sum
        schoen.append(x[deaths] - mean_sum / len(deaths))
        order.append(deaths)
    imat[p:, :p] = imat[:p, p:].T
    used = np.zeros((len(data.strata_labels), p))
    for s in range(len(data.strata_labels)):
        rows = data.strata == s
        varies = np.ptp(data.exog[rows], axis=0) > 0 if rows.any() else np.zeros(p, bool)
        used[s] = np.where(varies, data.event[rows].sum(), 0)
    return _ZphPieces(u, imat, np.vstack(schoen), np.concatenate(order), used)


def _ph_table(data: _CoxData, pieces: _ZphPieces) -> pd.DataFrame:
    """One chi-square score test per predictor plus GLOBAL (R ``cox.zph``'s table)."""
    p = data.exog.shape[1]
    u = np.concatenate([np.zeros(p), pieces.u[p:]])
    rows = []
    for name, cols in (*data.terms, ("GLOBAL", tuple(range(p)))):
        keep = np.concatenate([np.arange(p), p + np.asarray(cols, dtype=int)])
        try:
            stat = float(u[keep] @ np.linalg.solve(pieces.imat[np.ix_(keep, keep)], u[keep]))
        except np.linalg.LinAlgError:
            stat = float("nan")
        df = float(len(cols))
        rows.append(
            {
                "term": name,
                "statistic": stat,
                "df": df,
                "p_value": float(_sps.chi2.sf(stat, df)) if np.isfinite(stat) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=["term", "statistic", "df", "p_value"])


def _scaled_schoenfeld(data: _CoxData, pieces: _ZphPieces, gtime: np.ndarray) -> pd.DataFrame:
    """Scaled Schoenfeld residuals per promotion (R ``cox.zph(fit, terms = FALSE)$y``)."""
    p = data.exog.shape[1]
    used = pieces.used
    weights = np.zeros((p, p))
    for row in used:
        weights += np.minimum.outer(row, row)
    vmean = pieces.imat[:p, :p] / np.where(weights == 0, 1, weights)
    scaled = np.full_like(pieces.schoenfeld, np.nan)
    stratum_of = data.strata[pieces.order]
    for s in range(len(data.strata_labels)):
        k = np.flatnonzero(used[s] > 0)
        rows = np.flatnonzero(stratum_of == s)
        if k.size and rows.size:
            block = pieces.schoenfeld[np.ix_(rows, k)]
            scaled[np.ix_(rows, k)] = np.linalg.solve(vmean[np.ix_(k, k)], block.T).T
    scaled += data.coef
    out = pd.DataFrame(
        {
            "time": data.duration[pieces.order],
            "transformed_time": gtime[pieces.order],
        }
    )
    if len(data.strata_labels) > 1:
        out.insert(0, "stratum", [data.strata_labels[s] for s in stratum_of])
    for j, name in enumerate(data.columns):
        out[name] = scaled[:, j]
    return out


@dataclass(frozen=True, kw_only=True, eq=False)
class PHTestResult(Result):
    """Test of proportional hazards by scaled Schoenfeld residuals (R ``cox.zph``).

    Attributes
    ----------
    table : DataFrame
        One row per predictor plus ``GLOBAL``: ``term``, ``statistic``
        (chi-square), ``df`` (the predictor's model terms), ``p_value``.  A small
        p-value says the predictor's hazard ratio changes over time.
    residuals : DataFrame
        One row per promotion: ``stratum`` (stratified models only), ``time``,
        ``transformed_time`` (the time scale of the test), and one column per model
        term with its scaled Schoenfeld residual plus the coefficient: plotted
        against ``transformed_time`` with a smoother it estimates the log hazard
        ratio over time (Grambsch & Therneau 1994); NaN where the term does not
        vary within the stratum.
    transform : str
        ``"km"``, ``"rank"``, ``"identity"`` or ``"log"``.
    """

    table: pd.DataFrame
    residuals: pd.DataFrame
    transform: str

    @property
    def title(self) -> str:
        return "Proportional-hazards test (scaled Schoenfeld residuals)"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"ph_test": self.table}


def _ph_test(data: _CoxData, transform: str) -> PHTestResult:
    g = _time_transform(data, transform)
    gtime = g - g[data.event == 1].mean()
    pieces = _zph_pieces(data, gtime)
    table = _ph_table(data, pieces)
    method = (
        "score test of time-varying coefficients x * g(t) (Grambsch & Therneau 1994; R "
        f"survival's cox.zph), g = {transform!r} time scale, chi-square per predictor and "
        "GLOBAL"
    )
    notes = ["A small p-value says the hazard ratio of that predictor changes over time."]
    if table["statistic"].isna().any():
        notes.append("The information matrix is singular: the test is undefined (NaN).")
    return PHTestResult(
        method=method,
        notes=tuple(notes),
        table=table,
        residuals=_scaled_schoenfeld(data, pieces, g),
        transform=transform,
    )
