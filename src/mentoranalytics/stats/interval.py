"""Time to promotion as it is really observed: between two follow-up waves.

A promotion reported at the 24-month wave by someone who was not yet promoted at
the 12-month wave happened at an unknown time in (12, 24]: it is *interval-censored*.
Treating the wave date as the promotion date (Kaplan–Meier on the right ends) puts
every promotion too late, and more so for people who skipped a wave.  This module
analyses the intervals as they are:

* :func:`promotion_intervals` turns follow-up waves into one interval
  ``(left, right]`` per person (``right = inf``: not seen promoted);
* :func:`interval_survival` -- Turnbull's nonparametric maximum-likelihood estimate
  (NPMLE) of the share not yet promoted, per group, with bootstrap intervals;
* :func:`interval_test` -- the score (generalised log-rank) test of Finkelstein
  (1986) between two or more groups, asymptotic or by permutation;
* :func:`interval_model` -- a Weibull regression fitted by maximum likelihood to the
  intervals, with hazard ratios and time ratios.

The estimate and the model are checked against R survival 3.5 (``survfit`` and
``survreg`` with ``Surv(left, right, type = "interval2")``) in ``tests/results``.

>>> import numpy as np, pandas as pd
>>> df = pd.DataFrame({"gender": ["woman"] * 4 + ["man"] * 4,
...                    "left": [0, 6, 12, 24, 0, 0, 6, 12],
...                    "right": [6, 12, np.inf, np.inf, 6, 6, 12, 24]})
>>> fit = interval_survival(df, n_resamples=200)
>>> fit.at([6, 12]).round(3)[["group", "time", "survival"]]
   group  time  survival
0  woman   6.0      0.75
1  woman  12.0      0.50
2    man   6.0      0.50
3    man  12.0      0.25
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
from .._frame import resolve_rng
from ..exceptions import AnalysisError, SmallSampleWarning, require_columns
from ._result import Result
from ._wavedata import check_waves, wave_data, waves_of
from .survival import _as_number, _check_alpha, _level, _row_list

__all__ = [
    "IntervalModelResult",
    "IntervalSurvivalResult",
    "IntervalTestResult",
    "interval_model",
    "interval_survival",
    "interval_test",
    "promotion_intervals",
]

_SMALL_GROUP = 5
_SCORES = ("logrank", "wilcoxon")
_TEST_METHODS = ("score", "permutation")
_WITHIN = ("linear", "nan")


# --------------------------------------------------------------------------------------
# Waves -> one interval per person
# --------------------------------------------------------------------------------------


def promotion_intervals(cohort_or_waves: Any, *, include: Sequence[str] = ()) -> pd.DataFrame:
    """One interval per person in which the first promotion happened.

    ``promoted`` at a wave says whether the participant was promoted since their
    previous *answered* wave (since the programme, for the first), as
    :func:`~mentoranalytics.simulate_waves` records it.  So the promotion lies in
    ``(left, right]``: ``right`` is the months of the first responded wave that
    says ``promoted``; ``left`` the months of the last wave of the unbroken run of
    answered waves saying not promoted from the start (0, the programme, when
    there is none).  Waves without a response are skipped: the next answer covers
    them (a promotion reported after a skipped wave lies in the longer interval
    back to the last wave that was answered).  A responded wave that leaves
    ``promoted`` empty ends the run: a later "no" covers only the time since that
    wave, so the time before it stays unknown.  Someone never seen promoted has
    ``left`` = the end of that run and ``right = inf`` (right-censored); someone
    whose run is empty and who was never seen promoted says nothing about the first
    promotion and is left out (counted).

    Parameters
    ----------
    cohort_or_waves : Cohort or DataFrame
        A :class:`~mentoranalytics.Cohort` with follow-up waves (``cohort.waves``), or
        a long frame with one row per participant per wave and the columns
        ``participant_id``, ``months`` and ``promoted`` (``responded`` optional: when
        absent or empty, a row responded when any outcome cell is filled).  Never
        modified.
    include : sequence of str, default=()
        Columns of the cohort table to add (e.g. ``["gender"]``); a Cohort only.

    Returns
    -------
    DataFrame
        One row per participant with a responded wave that says whether they were
        promoted, sorted by ``participant_id``: ``participant_id``, ``left``,
        ``right`` (months; ``inf`` when not seen promoted), ``waves_responded``
        (responded waves), then the ``include`` columns.  ``.attrs["excluded"]``
        counts the people left out by reason and ``.attrs["notes"]`` says so in words.

    Raises
    ------
    ColumnError
        A needed column is absent.
    AnalysisError
        Negative or non-numeric months, a participant twice at the same months, or
        values that are not yes/no; the message names the rows, never the values.

    Examples
    --------
    >>> import pandas as pd
    >>> waves = pd.DataFrame({
    ...     "participant_id": ["a", "a", "a", "b", "b", "c"],
    ...     "months": [6, 12, 24, 6, 12, 6],
    ...     "responded": [True, False, True, True, True, True],
    ...     "promoted": [False, None, True, False, False, True],
    ... })
    >>> promotion_intervals(waves)
      participant_id  left  right  waves_responded
    0              a   6.0   24.0                2
    1              b  12.0    inf                2
    2              c   0.0    6.0                1
    """
    include = check_column_names(list(include), "include") if include else []
    purpose = "promotion intervals from follow-up waves"
    if isinstance(cohort_or_waves, pd.DataFrame):
        if include:
            raise AnalysisError(
                "include= adds columns of the cohort table, so it needs a Cohort; with a frame "
                "of waves, merge the columns yourself on 'participant_id'."
            )
        require_columns(cohort_or_waves, ["participant_id", "promoted"], purpose=purpose)
        if cohort_or_waves.empty:
            raise AnalysisError("The follow-up table has no rows.")
        waves = check_waves(cohort_or_waves, purpose=purpose)
    elif hasattr(cohort_or_waves, "waves") or isinstance(cohort_or_waves, tuple):
        _, raw, _ = waves_of(cohort_or_waves, purpose)
        require_columns(raw, ["participant_id", "promoted"], purpose=purpose)
        if raw.empty:
            raise AnalysisError("The follow-up table has no rows.")
        waves = wave_data(cohort_or_waves, include, purpose=purpose).waves
    else:
        raise AnalysisError(
            f"promotion_intervals needs a Cohort with follow-up waves or a long DataFrame of "
            f"waves (participant_id, months, promoted), not {type(cohort_or_waves).__name__}."
        )
    months = waves["months"].to_numpy(dtype=float, na_value=np.nan)
    promoted = yes_no(waves["promoted"], "promoted", strict=True).to_numpy()
    responded = waves["responded"].to_numpy(dtype=bool, na_value=False)
    notes: list[str] = []
    excluded: dict[str, int] = {}
    codes_all, ids = pd.factorize(waves["participant_id"].astype(str), sort=True)
    order = np.lexsort((months, codes_all))
    codes = codes_all[order]
    m = months[order]
    n_people = len(ids)
    resp = responded[order]
    prom = promoted[order]
    informative = resp & ~np.isnan(prom)
    waves_responded = np.bincount(codes, weights=resp, minlength=n_people).astype(int)
    has_info = np.bincount(codes, weights=informative, minlength=n_people) > 0

    def first_months(mask: np.ndarray) -> np.ndarray:
        out = np.full(n_people, np.inf)
        hit = np.flatnonzero(mask)
        first_codes, first_at = np.unique(codes[hit], return_index=True)
        out[first_codes] = m[hit[first_at]]  # sorted by months within a person
        return out

    right = first_months(informative & (prom == 1))
    # an answered wave that leaves 'promoted' empty ends the run of known "no"s
    gap = first_months(resp & np.isnan(prom))
    end = np.minimum(right, gap)
    before = np.flatnonzero(informative & (m < end[codes]))
    left = np.zeros(n_people)
    if before.size:
        bc = codes[before]
        last = np.r_[bc[1:] != bc[:-1], True]
        left[bc[last]] = m[before[last]]
    unknown = has_info & (left == 0) & ~np.isfinite(right) & np.isfinite(gap)
    if unknown.any():
        reason = "an answered wave left 'promoted' empty before any said no or yes"
        excluded[reason] = int(unknown.sum())
        notes.append(f"{int(unknown.sum())} participant(s) left out: {reason}.")
        has_info = has_info & ~unknown
    keep = has_info
    no_answer = (waves_responded == 0).sum()
    empty = ((waves_responded > 0) & ~has_info).sum()
    if no_answer:
        excluded["no responded wave"] = int(no_answer)
        notes.append(f"{int(no_answer)} participant(s) left out: no responded wave.")
    if empty:
        reason = "no responded wave says whether promoted"
        excluded[reason] = int(empty)
        notes.append(f"{int(empty)} participant(s) left out: {reason}.")
    out = pd.DataFrame(
        {
            "participant_id": pd.Series(np.asarray(ids)[keep], dtype=object),
            "left": left[keep],
            "right": right[keep],
            "waves_responded": waves_responded[keep],
        }
    )
    if include:
        first = waves.drop_duplicates("participant_id").set_index("participant_id")
        for column in include:
            out[column] = first[column].reindex(out["participant_id"]).to_numpy()
    out.attrs["excluded"] = excluded
    out.attrs["notes"] = notes
    return out


# --------------------------------------------------------------------------------------
# Turnbull's NPMLE
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Turnbull:
    """Innermost (Turnbull) intervals and the observation patterns they sit in."""

    lo: np.ndarray  # left end of each Turnbull interval
    hi: np.ndarray  # right end
    closed: np.ndarray  # True: [lo, hi] is an exact time (lo == hi)
    a: np.ndarray  # first Turnbull interval inside each pattern
    b: np.ndarray  # last Turnbull interval inside each pattern


def _turnbull_intervals(left: np.ndarray, right: np.ndarray) -> _Turnbull:
    """Innermost intervals of observations ``(left, right]`` (``left == right``: exact).

    Endpoints are ordered by value, and at a tie: the start of an exact time first,
    then right ends (closed), then left ends of intervals (open).  A Turnbull
    interval is a left end followed directly by a right end (R survival's
    ``survfitTurnbull`` orders ties the same way).
    """
    exact = left == right
    n = left.size
    values = np.concatenate([left, right])
    kinds = np.concatenate([np.where(exact, 0, 2), np.ones(n, dtype=int)])
    order = np.lexsort((kinds, values))
    sv, sk = values[order], kinds[order]
    # dense rank of each (value, kind) key
    new = np.r_[True, (sv[1:] != sv[:-1]) | (sk[1:] != sk[:-1])]
    rank_sorted = np.cumsum(new) - 1
    rank = np.empty(2 * n, dtype=np.int64)
    rank[order] = rank_sorted
    pairs = np.flatnonzero((sk[:-1] != 1) & (sk[1:] == 1))
    lo, hi = sv[pairs], sv[pairs + 1]
    closed = sk[pairs] == 0
    lo_rank, hi_rank = rank_sorted[pairs], rank_sorted[pairs + 1]
    a = np.searchsorted(lo_rank, rank[:n], side="left")
    b = np.searchsorted(hi_rank, rank[n:], side="right") - 1
    return _Turnbull(lo=lo, hi=hi, closed=closed, a=a, b=b)


def _em_step(
    p: np.ndarray, w: np.ndarray, a: np.ndarray, b: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """One self-consistency step for each row of ``p`` (replicates x intervals)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cum = np.concatenate([np.zeros((p.shape[0], 1)), np.cumsum(p, axis=1)], axis=1)
        denom = cum[:, b + 1] - cum[:, a]
        # a pattern whose intervals were all emptied (an over-long SQUAREM jump) adds
        # nothing rather than 0/0; the caller rejects such a step by its likelihood
        ratio = np.where((w > 0) & (denom > 0) & np.isfinite(denom), w / denom, 0.0)
    k = p.shape[1]
    # sum of ratio over the patterns containing each interval, by a difference array
    diff = np.zeros((p.shape[0], k + 1))
    for rows in np.array_split(np.arange(p.shape[0]), max(1, p.shape[0] // 256)):
        d = np.zeros((rows.size, k + 1))
        np.add.at(d.T, a, ratio[rows].T)
        np.subtract.at(d.T, b + 1, ratio[rows].T)
        diff[rows] = d
    return p * np.cumsum(diff, axis=1)[:, :k] / total[:, None]


def _loglik(p: np.ndarray, w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    cum = np.concatenate([np.zeros((p.shape[0], 1)), np.cumsum(p, axis=1)], axis=1)
    denom = cum[:, b + 1] - cum[:, a]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(w > 0, w * np.log(np.where(w > 0, denom, 1.0)), 0.0)
    return np.asarray(terms.sum(axis=1))


def _npmle(
    w: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    k: int,
    *,
    start: np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 20000,
) -> tuple[np.ndarray, bool]:
    """Masses on the Turnbull intervals for each row of weights ``w`` (replicates x patterns).

    Self-consistency (EM) iterations accelerated by SQUAREM (Varadhan & Roland 2008,
    scheme S3, with a monotonicity safeguard), vectorised over replicates.
    """
    w = np.atleast_2d(np.asarray(w, dtype=float))
    total = w.sum(axis=1)
    if start is None:
        # the share of each pattern spread evenly over its intervals: positive everywhere
        spread = np.zeros((w.shape[0], k + 1))
        each = w / (b - a + 1)
        np.add.at(spread.T, a, each.T)
        np.subtract.at(spread.T, b + 1, each.T)
        p = np.cumsum(spread, axis=1)[:, :k] / total[:, None]
    else:
        p = np.array(start, dtype=float, copy=True)
    converged = np.zeros(w.shape[0], dtype=bool)
    for _ in range(max_iter):
        # only the replicates still moving are iterated (a bootstrap's slowest few would
        # otherwise keep every replicate iterating)
        act = np.flatnonzero(~converged)
        pa, wa, ta = p[act], w[act], total[act]
        p1 = _em_step(pa, wa, a, b, ta)
        p2 = _em_step(p1, wa, a, b, ta)
        r = p1 - pa
        v = p2 - p1 - r
        sr = np.sqrt((r**2).sum(axis=1))
        sv = np.sqrt((v**2).sum(axis=1))
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(sv > 0, -sr / sv, -1.0)
        alpha = np.minimum(alpha, -1.0)[:, None]
        jump = pa - 2 * alpha * r + alpha**2 * v
        bad = ~np.all(np.isfinite(jump) & (jump >= 0), axis=1)
        jump[bad] = p2[bad]
        new = _em_step(jump, wa, a, b, ta)
        with np.errstate(invalid="ignore"):
            worse = _loglik(new, wa, a, b) < _loglik(p2, wa, a, b)
        # a jump that emptied every interval of a pattern gives 0/0: keep the EM step
        worse |= ~np.all(np.isfinite(new), axis=1)
        new[worse] = p2[worse]
        change = np.abs(new - pa).max(axis=1)
        p[act] = new
        converged[act] = change < tol
        if converged.all():
            break
    p = np.where(p < 1e-12, 0.0, p)  # masses EM leaves at rounding level are zero
    p /= p.sum(axis=1, keepdims=True)
    return p, bool(converged.all())


@dataclass(frozen=True)
class _GroupFit:
    """Turnbull fit of one group (kept on the result for :meth:`at`)."""

    lo: np.ndarray
    hi: np.ndarray
    mass: np.ndarray
    boot: np.ndarray | None  # replicates x intervals: survival after each interval
    left: np.ndarray  # the people's left ends (numbers known not promoted)
    right: np.ndarray


def _patterns(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (left, right) pairs, their counts and each person's pair index."""
    pairs = np.column_stack([left, right])
    uniq, inverse, counts = np.unique(pairs, axis=0, return_inverse=True, return_counts=True)
    return uniq, counts.astype(float), inverse.reshape(-1)


def _fit_group(
    left: np.ndarray,
    right: np.ndarray,
    n_resamples: int,
    rng: np.random.Generator,
) -> tuple[_GroupFit, bool]:
    uniq, counts, _ = _patterns(left, right)
    tb = _turnbull_intervals(uniq[:, 0], uniq[:, 1])
    k = tb.lo.size
    mass, ok = _npmle(counts[None, :], tb.a, tb.b, k)
    boot = None
    if n_resamples > 0:
        n = int(counts.sum())
        draws = rng.multinomial(n, counts / n, size=n_resamples).astype(float)
        start = np.repeat(0.5 * mass + 0.5 / k, n_resamples, axis=0)
        pb, ok_b = _npmle(draws, tb.a, tb.b, k, start=start, tol=1e-8)
        ok = ok and ok_b
        boot = 1.0 - np.cumsum(pb, axis=1)
    fit = _GroupFit(
        lo=tb.lo, hi=tb.hi, mass=mass[0], boot=boot, left=left.copy(), right=right.copy()
    )
    return fit, ok


def _survival_at(
    lo: np.ndarray, hi: np.ndarray, surv_after: np.ndarray, t: np.ndarray, within: str
) -> tuple[np.ndarray, np.ndarray]:
    """Survival at times ``t`` from the survival after each Turnbull interval.

    ``surv_after`` is (replicates x intervals).  Between intervals the curve is
    flat; inside one it is not determined: linear, or NaN with ``within="nan"``.
    Returns the values (replicates x times) and whether each time is determined.
    """
    k = lo.size
    before = np.concatenate([np.ones((surv_after.shape[0], 1)), surv_after], axis=1)
    j_done = np.searchsorted(hi, t, side="right")  # intervals ending at or before t
    value = before[:, j_done]
    # t strictly inside interval j (lo < t < hi) -> not determined
    j_in = np.clip(j_done, 0, k - 1) if k else j_done
    inside = (j_done < k) & (lo[j_in] < t) & (t < hi[j_in]) if k else np.zeros(t.size, bool)
    mass_in = before[:, j_in] - before[:, np.minimum(j_in + 1, k)] if k else value * 0
    determined = ~inside | np.all(mass_in <= 1e-12, axis=0)
    if inside.any():
        start = before[:, j_in]
        end = before[:, np.minimum(j_in + 1, k)]
        width = np.where(np.isfinite(hi[j_in]), hi[j_in] - lo[j_in], np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = (t - lo[j_in]) / width
        interp = start + (end - start) * frac
        interp = np.where(np.isfinite(interp), interp, np.nan)
        fill = np.nan if within == "nan" else interp
        value = np.where(inside & ~determined, fill, value)
    return value, determined


@dataclass(frozen=True, kw_only=True, eq=False)
class IntervalSurvivalResult(Result):
    """Turnbull estimates of time to promotion from interval-censored data, by group.

    Attributes
    ----------
    table : DataFrame
        One row per group and Turnbull interval (the intervals to which the estimate
        gives probability; outside them the curve is flat), in group then time order:
        ``group``, ``left``, ``right`` (the interval ``(left, right]``; ``left ==
        right`` for an exact time), ``probability`` (estimated share promoted in it),
        ``survival`` (share not yet promoted after ``right``), ``ci_low``,
        ``ci_high`` (pointwise bootstrap interval of ``survival``).
    summary : DataFrame
        One row per group, index ``group``: ``n``, ``events`` (promotions seen),
        ``right_censored`` (never seen promoted), ``exact`` (promotion times known
        exactly), ``turnbull_intervals``.
    groups : tuple
        Group labels in display order.
    by : str or None
        The grouping column.
    alpha : float
        1 - confidence level.
    n_resamples : int
        Bootstrap resamples (0: no intervals).
    rng : object
        The seed used (recorded so the result can be repeated).
    excluded : dict
        Rows left out, by reason.
    """

    table: pd.DataFrame
    summary: pd.DataFrame
    groups: tuple[Any, ...]
    by: str | None
    alpha: float
    n_resamples: int
    rng: Any = None
    excluded: dict[str, int] = field(default_factory=dict)
    fits: Mapping[Any, _GroupFit] = field(default_factory=dict, repr=False)

    @property
    def title(self) -> str:
        return "Turnbull estimate of time to promotion (interval-censored)"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"summary": self.summary, "intervals": self.table}

    def to_frame(self) -> pd.DataFrame:
        """The Turnbull interval table (a copy)."""
        return self.table.copy()

    def at(self, times: Iterable[float], *, within: str = "linear") -> pd.DataFrame:
        """The curve at chosen times: the interval-censored curve table.

        Parameters
        ----------
        times : iterable of float
            Months (>= 0), e.g. the wave months ``[6, 12, 24, 36, 60]``.
        within : {"linear", "nan"}, default="linear"
            Inside a Turnbull interval the data do not say when the promotions
            happened, so the curve is not determined there: ``"linear"`` draws it
            straight across the interval (promotions spread evenly), ``"nan"`` leaves
            it empty.  At the wave months of wave data the curve is always determined.

        Returns
        -------
        DataFrame
            One row per group and time: ``group``, ``time``, ``survival`` (share not
            yet promoted at ``time``), ``ci_low``, ``ci_high`` (pointwise percentile
            bootstrap interval; NaN without resamples), ``n_at_risk`` (people known
            not yet promoted just before ``time``: ``left >= time``, as Kaplan–Meier's
            number at risk for exact times) and
            ``determined`` (False where ``time`` lies inside a Turnbull interval).
        """
        if within not in _WITHIN:
            raise AnalysisError(f"within must be one of {list(_WITHIN)}, not {within!r}.")
        grid = np.asarray(list(times), dtype=float)
        if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)) or np.any(grid < 0):
            raise AnalysisError(
                "times must be one or more finite numbers of months >= 0, e.g. [6, 12, 24]."
            )
        parts = []
        for g in self.groups:
            fit = self.fits[g]
            surv_after = 1.0 - np.cumsum(fit.mass)[None, :]
            value, determined = _survival_at(fit.lo, fit.hi, surv_after, grid, within)
            low = high = np.full(grid.size, np.nan)
            if fit.boot is not None:
                reps, _ = _survival_at(fit.lo, fit.hi, fit.boot, grid, within)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    low = np.quantile(reps, self.alpha / 2, axis=0)
                    high = np.quantile(reps, 1 - self.alpha / 2, axis=0)
                nan = np.isnan(value[0])
                low, high = np.where(nan, np.nan, low), np.where(nan, np.nan, high)
            ordered = np.sort(fit.left)
            at_risk = fit.left.size - np.searchsorted(ordered, grid, side="left")
            parts.append(
                pd.DataFrame(
                    {
                        "group": [g] * grid.size,
                        "time": grid,
                        "survival": value[0],
                        "ci_low": low,
                        "ci_high": high,
                        "n_at_risk": at_risk.astype(int),
                        "determined": determined,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------------------
# Preparing interval data
# --------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    frame: pd.DataFrame  # left, right (+ extra columns)
    excluded: dict[str, int]
    notes: list[str]


def _interval_frame(
    data: Any, *, left: str, right: str, extra: Mapping[str, str | None], purpose: str
) -> _Prepared:
    """Left and right ends (checked) plus ``extra`` columns renamed; rows left out counted."""
    check_column_name(left, "left")
    check_column_name(right, "right")
    columns = {k: v for k, v in extra.items() if v is not None}
    notes: list[str] = []
    excluded: dict[str, int] = {}
    if not isinstance(data, pd.DataFrame) and (hasattr(data, "waves") or isinstance(data, tuple)):
        if (left, right) != ("left", "right"):
            raise AnalysisError(
                "With a Cohort, the intervals come from its follow-up waves; left= and "
                "right= name columns of a DataFrame of intervals only."
            )
        wanted = [c for c in dict.fromkeys(columns.values()) if c not in ("left", "right")]
        frame = promotion_intervals(data, include=wanted)
        excluded.update(frame.attrs.get("excluded", {}))
        notes += list(frame.attrs.get("notes", []))
    elif isinstance(data, pd.DataFrame):
        frame = data
        if left not in frame.columns and {"months", "promoted"} <= set(frame.columns):
            raise AnalysisError(
                f"This looks like a table of follow-up waves (no column {left!r}). Turn it "
                "into one interval per person with ma.promotion_intervals(waves) and add the "
                "group column, or pass the Cohort."
            )
    else:
        raise AnalysisError(
            f"data must be a Cohort with follow-up waves or a DataFrame with {left!r} and "
            f"{right!r} columns, not {type(data).__name__}."
        )
    require_columns(frame, [left, right, *columns.values()], purpose=purpose)
    lo = _as_number(frame[left], left)
    hi = _as_number(frame[right], right)
    reasons = np.full(len(frame), "", dtype=object)
    reasons[np.isnan(lo)] = f"{left!r} missing"
    reasons[(reasons == "") & np.isnan(hi)] = (
        f"{right!r} missing (use inf for someone not seen promoted)"
    )
    for column in columns.values():
        reasons[(reasons == "") & frame[column].isna().to_numpy()] = f"{column!r} missing"
    keep = reasons == ""
    negative = keep & (lo < 0)
    if negative.any():
        raise AnalysisError(
            f"Column {left!r} must hold months >= 0; {int(negative.sum())} row(s) are negative "
            f"(rows {_row_list(frame.index, negative)})."
        )
    infinite = keep & ~np.isfinite(lo)
    if infinite.any():
        raise AnalysisError(
            f"Column {left!r} must be finite (the last time seen not promoted); "
            f"{int(infinite.sum())} row(s) are infinite (rows {_row_list(frame.index, infinite)})."
        )
    backwards = keep & (hi < lo)
    if backwards.any():
        raise AnalysisError(
            f"Column {right!r} must be >= {left!r} (the promotion lies in (left, right]); "
            f"{int(backwards.sum())} row(s) end before they start "
            f"(rows {_row_list(frame.index, backwards)}). Swap or correct them."
        )
    for reason in pd.unique(reasons[~keep]):
        count = int((reasons == reason).sum())
        excluded[str(reason)] = excluded.get(str(reason), 0) + count
        notes.append(f"{count} row(s) left out because {reason}.")
    out = pd.DataFrame({"left": lo[keep], "right": hi[keep]}, index=frame.index[keep])
    for name, column in columns.items():
        out[name] = frame[column].iloc[np.flatnonzero(keep)].set_axis(out.index)
    if out.empty:
        raise AnalysisError(
            "No rows can be used: every row lacks a left or right end (or a group). "
            + "; ".join(notes)
        )
    return _Prepared(out, excluded, notes)


def _groups_of(frame: pd.DataFrame, by: str | None) -> list[Any]:
    if by is None:
        frame["group"] = "all"
        return ["all"]
    return group_order(frame["group"], by)


# --------------------------------------------------------------------------------------
# interval_survival
# --------------------------------------------------------------------------------------


def _check_resamples(n_resamples: Any, name: str = "n_resamples") -> int:
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, (int, np.integer))
        or n_resamples < 0
    ):
        raise AnalysisError(f"{name} must be a whole number >= 0, not {n_resamples!r}.")
    return int(n_resamples)


def interval_survival(
    data: Any,
    *,
    by: str | None = "gender",
    left: str = "left",
    right: str = "right",
    alpha: float = 0.05,
    n_resamples: int = 1000,
    rng: Any = None,
) -> IntervalSurvivalResult:
    """Turnbull's nonparametric estimate of time to promotion from interval-censored data.

    Each person's promotion is known only to lie in ``(left, right]`` (``right =
    inf``: not seen promoted by ``left``; ``left == right``: an exact time).  The
    estimate is the nonparametric maximum-likelihood estimate (Turnbull 1976): it
    places probability on the Turnbull intervals (the innermost intervals of the
    data) and says nothing about where inside them the promotions happened.

    Parameters
    ----------
    data : Cohort or DataFrame
        A Cohort with follow-up waves (intervals from :func:`promotion_intervals`,
        groups from the cohort table), or one row per person with ``left``,
        ``right`` and ``by``.  Never modified.
    by : str or None, default="gender"
        Grouping column; None gives one curve labelled ``"all"``.  Rows with it
        missing are left out and counted.
    left, right : str, default="left", "right"
        Columns of the interval ends (months; ``right`` may be ``inf``).
    alpha : float, default=0.05
        1 - confidence level of the pointwise intervals.
    n_resamples : int, default=1000
        Bootstrap resamples of people for the intervals (0: none).  The percentile
        bootstrap is valid for wave data (a fixed set of inspection times makes the
        estimate a smooth, root-n function of the cell counts); with inspection at
        continuous, person-specific times it is only a rough guide (the estimate then
        converges at a slower rate).
    rng : None, int or numpy.random.Generator, optional
        Seed of the bootstrap (None: the fixed seed 0); recorded on the result.

    Returns
    -------
    IntervalSurvivalResult
        ``.table`` (``group, left, right, probability, survival, ci_low, ci_high``),
        ``.summary`` (index ``group``: ``n, events, right_censored, exact,
        turnbull_intervals``) and ``.at(times)``, the curve table (``group, time,
        survival, ci_low, ci_high, n_at_risk, determined``).

    Raises
    ------
    ColumnError, AnalysisError
        Missing columns, ``right < left``, negative months, bad arguments.

    Notes
    -----
    The estimate solves the self-consistency equations (EM; Turnbull 1976) with
    SQUAREM acceleration to a change below 1e-10 in every probability; a group of
    100,000 people observed at a few waves takes a fraction of a second.  R's
    ``survfit(Surv(left, right, type = "interval2") ~ g)`` gives the same estimate
    (R stops its iterations earlier, at a change below 5e-5, and draws the drop at
    the middle of each Turnbull interval).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"left": [0, 6, 6, 12], "right": [6, 12, np.inf, 24]})
    >>> fit = interval_survival(df, by=None, n_resamples=0)
    >>> fit.table[["left", "right", "probability", "survival"]]
       left  right  probability  survival
    0   0.0    6.0        0.250     0.750
    1   6.0   12.0        0.375     0.375
    2  12.0   24.0        0.375     0.000
    """
    _check_alpha(alpha)
    check_column_name(by, "by", optional=True)
    n_resamples = _check_resamples(n_resamples)
    generator, seed = resolve_rng(rng)
    prepared = _interval_frame(
        data, left=left, right=right, extra={"group": by}, purpose="interval_survival"
    )
    frame = prepared.frame.copy()
    groups = _groups_of(frame, by)
    notes = list(prepared.notes)
    warns: list[str] = []
    fits: dict[Any, _GroupFit] = {}
    rows, summary = [], []
    converged = True
    for g in groups:
        sub = frame[frame["group"] == g]
        lo = sub["left"].to_numpy(float)
        hi = sub["right"].to_numpy(float)
        fit, ok = _fit_group(lo, hi, n_resamples, generator)
        converged &= ok
        fits[g] = fit
        surv = 1.0 - np.cumsum(fit.mass)
        low = high = np.full(surv.size, np.nan)
        if fit.boot is not None:
            low = np.quantile(fit.boot, alpha / 2, axis=0)
            high = np.quantile(fit.boot, 1 - alpha / 2, axis=0)
        rows.append(
            pd.DataFrame(
                {
                    "group": [g] * surv.size,
                    "left": fit.lo,
                    "right": fit.hi,
                    "probability": fit.mass,
                    "survival": np.clip(surv, 0.0, 1.0),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
        )
        summary.append(
            {
                "group": g,
                "n": len(sub),
                "events": int(np.isfinite(hi).sum()),
                "right_censored": int(np.isinf(hi).sum()),
                "exact": int((lo == hi).sum()),
                "turnbull_intervals": int(fit.lo.size),
            }
        )
        if np.isfinite(hi).sum() == 0:
            notes.append(f"Nobody in group {g!r} was seen promoted: the curve stays at 1.")
        if len(sub) < _SMALL_GROUP:
            warns.append(
                f"Group {g!r} has only {len(sub)} person(s); its curve and interval are very "
                "uncertain."
            )
    if not converged:
        warns.append("The Turnbull iterations stopped before full convergence (20,000 steps).")
    table = pd.concat(rows, ignore_index=True)
    summary_table = pd.DataFrame(summary).set_index("group")
    summary_table.index = pd.Index(list(summary_table.index), name="group", dtype=object)
    ci_text = (
        f"{_level(alpha)} pointwise percentile bootstrap intervals ({n_resamples} resamples "
        f"of people within each group, seed {seed})"
        if n_resamples
        else "no intervals (n_resamples=0)"
    )
    method = (
        "Turnbull nonparametric maximum-likelihood estimate for interval-censored times "
        f"(self-consistency EM with SQUAREM acceleration); {ci_text}."
    )
    notes.append(
        "Inside a Turnbull interval the data do not say when promotions happened; the curve "
        "is determined only between those intervals (at the wave months of wave data)."
    )
    for w in warns:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return IntervalSurvivalResult(
        method=method,
        notes=tuple(notes),
        warnings=tuple(warns),
        table=table,
        summary=summary_table,
        groups=tuple(groups),
        by=by,
        alpha=float(alpha),
        n_resamples=n_resamples,
        rng=seed,
        excluded=dict(prepared.excluded),
        fits=fits,
    )


# --------------------------------------------------------------------------------------
# interval_test: generalised log-rank (Finkelstein 1986) and Wilcoxon-type scores
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class IntervalTestResult(Result):
    """Test of equal time-to-promotion curves from interval-censored data.

    Attributes
    ----------
    test : DataFrame
        One row: ``statistic`` (chi-square), ``df``, ``p_value``, ``method``.
    groups : DataFrame
        One row per group, index ``group``: ``n``, ``events`` (promotions seen),
        ``score`` (sum of the people's scores: above 0 means earlier promotion than
        the pooled curve, as observed minus expected in the log-rank test).
    statistic, df, p_value : float
        The test as scalars.
    by : str
        The grouping column.
    reference : object
        The group left out of the score vector (the statistic does not depend on it).
    scores : str
        ``"logrank"`` or ``"wilcoxon"``.
    n_resamples : int
        Permutations (``method="permutation"``), else 0.
    rng : object
        The seed of the permutations.
    excluded : dict
        Rows left out, by reason.
    """

    test: pd.DataFrame
    groups: pd.DataFrame
    statistic: float
    df: float
    p_value: float
    by: str
    reference: Any
    scores: str
    n_resamples: int = 0
    rng: Any = None
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return "Test of time to promotion (interval-censored)"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"test": self.test, "groups": self.groups}


def _xlogx(s: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(s > 0, s * np.log(np.where(s > 0, s, 1.0)), 0.0)


def _person_scores(s_left: np.ndarray, s_right: np.ndarray, scores: str) -> np.ndarray:
    """Finkelstein's log-rank scores (or Wilcoxon-type) from the pooled curve."""
    if scores == "wilcoxon":
        return s_left + s_right - 1.0
    width = s_left - s_right
    with np.errstate(divide="ignore", invalid="ignore"):
        c = (_xlogx(s_left) - _xlogx(s_right)) / width
    # an interval with no pooled probability (cannot happen at the NPMLE): its limit
    limit = np.log(np.where(s_left > 0, s_left, 1.0)) + 1.0
    return np.where(width > 1e-300, c, limit)


def _score_information(
    s_left: np.ndarray,
    s_right: np.ndarray,
    z: np.ndarray,
    w: np.ndarray,
    support_l: np.ndarray,
    support_r: np.ndarray,
    increments: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Score and efficient information of the group effects at zero (Finkelstein 1986).

    The grouped proportional-hazards model S(t | z) = S0(t) ** exp(z'beta), with
    the baseline given by its cumulative-hazard increments ``exp(gamma_s)`` over
    the support intervals of the pooled NPMLE.  ``support_l`` / ``support_r`` are,
    per pattern, 0/1 matrices of the support intervals ending by ``left`` /
    ``right`` (``s_right == 0``: all mass used, no dependence on gamma).
    """
    q = z.shape[1]
    lam_l = support_l @ increments
    lam_r = support_r @ increments
    fin_r = s_right > 0
    e_u = np.exp(-lam_l)
    e_v = np.where(fin_r, np.exp(-np.where(fin_r, lam_r, 0.0)), 0.0)
    f = e_u - e_v
    du = np.concatenate([z * lam_l[:, None], support_l * increments], axis=1)
    dv = np.concatenate([z * np.where(fin_r, lam_r, 0.0)[:, None], support_r * increments], axis=1)
    dv[~fin_r] = 0.0
    mu = w * e_u / f
    mv = w * e_v / f
    grad = (-e_u[:, None] * du + e_v[:, None] * dv) / f[:, None]
    score = (w[:, None] * grad).sum(axis=0)

    def second(m: np.ndarray, d: np.ndarray, lam: np.ndarray, s_mat: np.ndarray) -> np.ndarray:
        # sum_i m_i * (d_i d_i' - d2u_i)
        outer = (d * m[:, None]).T @ d
        d2 = np.zeros_like(outer)
        d2[:q, :q] = (z * (m * lam)[:, None]).T @ z
        cross = (z * m[:, None]).T @ (s_mat * increments)
        d2[:q, q:] = cross
        d2[q:, :q] = cross.T
        d2[q:, q:] = np.diag((m[:, None] * s_mat * increments).sum(axis=0))
        return np.asarray(outer - d2)

    hess_f = second(mu, du, lam_l, support_l) - second(
        mv, dv, np.where(fin_r, lam_r, 0.0), support_r * fin_r[:, None]
    )
    hess = hess_f - (grad * w[:, None]).T @ grad
    info = -hess
    i_bb, i_bg, i_gg = info[:q, :q], info[:q, q:], info[q:, q:]
    if i_gg.size:
        efficient = i_bb - i_bg @ np.linalg.solve(i_gg, i_bg.T)
    else:
        efficient = i_bb
    return score[:q], efficient


def interval_test(
    data: Any,
    *,
    by: str = "gender",
    left: str = "left",
    right: str = "right",
    reference: Any = None,
    scores: str = "logrank",
    method: str = "score",
    n_resamples: int = 10000,
    rng: Any = None,
) -> IntervalTestResult:
    """Test that time to promotion follows one curve in every group (interval-censored).

    Each person gets a score from the pooled Turnbull estimate S of all groups
    together.  The log-rank scores (Finkelstein 1986; Fay & Shaw 2010) are the
    scores of a proportional-hazards group effect at zero,
    ``[S(L) log S(L) - S(R) log S(R)] / [S(L) - S(R)]`` (the log-rank test when
    times are exact); the Wilcoxon-type scores ``S(L) + S(R) - 1`` weigh early
    differences more.  The group sums of the scores are compared with zero.

    Parameters
    ----------
    data : Cohort or DataFrame
        As :func:`interval_survival`.
    by : str, default="gender"
        Grouping column (two or more groups).
    left, right : str
        Columns of the interval ends.
    reference : optional
        The group left out of the score vector (default per the package's
        convention: ``man`` for gender, ``False`` for yes/no).  The statistic does
        not depend on it; it is stated on the result.
    scores : {"logrank", "wilcoxon"}, default="logrank"
        The score function.
    method : {"score", "permutation"}, default="score"
        ``"score"``: Finkelstein's score test, chi-square with (groups - 1) df, its
        variance from the observed information of the grouped proportional-hazards
        model with the baseline estimated (log-rank scores only; for the
        Wilcoxon-type scores the permutation variance is used).  ``"permutation"``:
        the same scores with the group labels permuted ``n_resamples`` times (the
        p-value for small cohorts; it assumes that follow-up does not differ between
        the groups).
    n_resamples : int, default=10000
        Permutations with ``method="permutation"``.
    rng : None, int or numpy.random.Generator, optional
        Seed of the permutations (None: 0).

    Returns
    -------
    IntervalTestResult
        ``.test`` (``statistic, df, p_value, method``) and ``.groups`` (index
        ``group``: ``n, events, score``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"gender": ["woman"] * 5 + ["man"] * 5,
    ...                    "left": [6, 12, 12, 24, 24, 0, 0, 6, 6, 12],
    ...                    "right": [12, 24, np.inf, np.inf, np.inf, 6, 6, 12, 12, 24]})
    >>> res = interval_test(df, method="permutation", n_resamples=2000)
    >>> res.groups["score"].round(3).to_dict()
    {'woman': -2.906, 'man': 2.906}
    >>> round(res.p_value, 2)
    0.06
    """
    check_column_name(by, "by")
    if scores not in _SCORES:
        raise AnalysisError(f"scores must be one of {list(_SCORES)}, not {scores!r}.")
    if method not in _TEST_METHODS:
        raise AnalysisError(
            f"method must be one of {list(_TEST_METHODS)}, not {method!r}. Use 'permutation' "
            "for small cohorts."
        )
    n_resamples = _check_resamples(n_resamples)
    if method == "permutation" and n_resamples < 1:
        raise AnalysisError("method='permutation' needs n_resamples >= 1 (e.g. 10000).")
    generator, seed = resolve_rng(rng)
    prepared = _interval_frame(
        data, left=left, right=right, extra={"group": by}, purpose="interval_test"
    )
    frame = prepared.frame
    groups = group_order(frame["group"], by)
    if len(groups) < 2:
        raise AnalysisError(
            f"The test compares groups, but column {by!r} has only one group among the rows "
            f"analysed ({groups[0]!r}). Use interval_survival(..., by={by!r}) to describe it."
        )
    ref = (
        resolve_reference(reference, groups, by)
        if reference is not None
        else default_reference(groups, by)
    )
    others = [g for g in groups if g != ref or type(g) is not type(ref)]
    code_of = {g: i for i, g in enumerate(groups)}
    codes = frame["group"].map(code_of).to_numpy(int)
    lo = frame["left"].to_numpy(float)
    hi = frame["right"].to_numpy(float)
    n = lo.size
    # pooled NPMLE on distinct (left, right) pairs
    uniq, counts, person = _patterns(lo, hi)
    tb = _turnbull_intervals(uniq[:, 0], uniq[:, 1])
    mass, _ = _npmle(counts[None, :], tb.a, tb.b, tb.lo.size)
    mass = mass[0]
    cum = np.concatenate([[0.0], np.cumsum(mass)])
    s_left = np.clip(1.0 - cum[tb.a], 0.0, 1.0)
    s_right = np.clip(1.0 - cum[tb.b + 1], 0.0, 1.0)
    s_right[s_right < 1e-12] = 0.0
    c_pattern = _person_scores(s_left, s_right, scores)
    c = c_pattern[person]
    k = len(groups)
    z_people = np.zeros((n, k - 1))
    for j, g in enumerate(others):
        z_people[codes == code_of[g], j] = 1.0
    u = z_people.T @ c
    n_per = np.bincount(codes, minlength=k)
    # permutation covariance of the group sums
    var_c = float(np.sum((c - c.mean()) ** 2) / (n - 1)) if n > 1 else 0.0
    n_z = n_per[[code_of[g] for g in others]].astype(float)
    v_perm = var_c * (np.diag(n_z) - np.outer(n_z, n_z) / n)
    notes = list(prepared.notes)
    warns: list[str] = []
    score_name = (
        "log-rank scores (Finkelstein 1986)" if scores == "logrank" else "Wilcoxon-type scores"
    )
    if method == "score" and scores == "logrank":
        # patterns by (left, right, group) for the information
        keys = np.column_stack([lo, hi, codes.astype(float)])
        ukeys, kinv, kcount = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
        kinv = kinv.reshape(-1)
        first = np.zeros(ukeys.shape[0], dtype=int)
        first[kinv] = np.arange(n)
        pat = person[first]
        support = np.flatnonzero(mass > 1e-9)
        s_after = 1.0 - np.cumsum(mass)
        # free increments: support intervals after which the curve is still above 0
        free = support[s_after[support] > 1e-12]
        if free.size > 2000:
            raise AnalysisError(
                f"The pooled estimate has {free.size} support intervals, too many for the "
                "information matrix of the score test; use method='permutation'."
            )
        s_before = np.concatenate([[1.0], s_after])
        lam_inc = -np.log(s_after[free] / s_before[free])
        sl_mat = (free[None, :] < tb.a[pat][:, None]).astype(float)
        sr_mat = (free[None, :] <= tb.b[pat][:, None]).astype(float)
        z_pat = np.zeros((ukeys.shape[0], k - 1))
        for j, g in enumerate(others):
            z_pat[ukeys[:, 2] == code_of[g], j] = 1.0
        score_vec, info = _score_information(
            s_left[pat],
            s_right[pat],
            z_pat,
            kcount.astype(float),
            sl_mat,
            sr_mat,
            lam_inc,
        )
        # the score from the information's derivation equals the sum of person scores
        u = score_vec
        variance = info
        var_text = "variance from the observed information with the baseline estimated"
    else:
        variance = v_perm
        var_text = "permutation variance of the scores"
    try:
        stat = float(u @ np.linalg.solve(variance, u))
    except np.linalg.LinAlgError:
        stat = float("nan")
    df = float(k - 1)
    if not np.isfinite(stat) or stat < -1e-9:
        stat = p_value = float("nan")
        notes.append(
            "The scores do not vary (no promotion or everyone alike), so the test is undefined."
        )
    else:
        stat = max(stat, 0.0)
        p_value = float(_sps.chi2.sf(stat, df))
    resamples = 0
    if method == "permutation":
        resamples = n_resamples
        text = (
            f"permutation test ({n_resamples} random permutations of the group labels, seed "
            f"{seed}) of {score_name}; statistic with the permutation variance"
        )
        if np.isfinite(stat):
            p_value = _permutation_p(
                c, codes, others, code_of, v_perm, stat, n_resamples, generator
            )
    else:
        text = f"score test of {score_name}, chi-square with {int(df)} df; {var_text}"
        if scores == "wilcoxon":
            notes.append(
                "Wilcoxon-type scores have no information-based variance here; the permutation "
                "variance was used (it assumes follow-up does not differ between the groups)."
            )
        small = [g for g, m in zip(groups, n_per, strict=True) if m < _SMALL_GROUP]
        if small:
            warns.append(
                "Group(s) "
                + ", ".join(repr(g) for g in small)
                + " have fewer than 5 people; the chi-square p-value is approximate. Use "
                "method='permutation'."
            )
    group_scores = np.bincount(codes, weights=c, minlength=k)
    events = np.bincount(codes, weights=np.isfinite(hi), minlength=k).astype(int)
    group_table = pd.DataFrame(
        {"n": n_per.astype(int), "events": events, "score": group_scores},
        index=pd.Index(groups, name="group", dtype=object),
    )
    test = pd.DataFrame({"statistic": [stat], "df": [df], "p_value": [p_value], "method": [text]})
    rest = "" if reference is not None else f" ({reference_reason(ref, groups, by)})"
    notes.append(f"Reference group: {plain(ref)!r}{rest}; the statistic does not depend on it.")
    notes.append(
        "A positive score sum means earlier promotion than the pooled curve of all groups "
        "(more promotions than expected, as observed minus expected in the log-rank test)."
    )
    for w in warns:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return IntervalTestResult(
        method=text,
        notes=tuple(notes),
        warnings=tuple(warns),
        test=test,
        groups=group_table,
        statistic=stat,
        df=df,
        p_value=p_value,
        by=by,
        reference=plain(ref),
        scores=scores,
        n_resamples=resamples,
        rng=seed if method == "permutation" else None,
        excluded=dict(prepared.excluded),
    )


def _permutation_p(
    c: np.ndarray,
    codes: np.ndarray,
    others: Sequence[Any],
    code_of: Mapping[Any, int],
    v_perm: np.ndarray,
    stat: float,
    n_resamples: int,
    generator: np.random.Generator,
) -> float:
    """Monte Carlo permutation p-value, (1 + hits) / (1 + resamples)."""
    n = c.size
    inv = np.linalg.pinv(v_perm)
    want = np.array([code_of[g] for g in others])
    hits = 0
    chunk = max(1, min(n_resamples, 2_000_000 // max(n, 1)))
    done = 0
    tol = 1e-9 * max(1.0, abs(stat))
    while done < n_resamples:
        size = min(chunk, n_resamples - done)
        perm = generator.permuted(np.tile(codes, (size, 1)), axis=1)
        sums = np.stack([(np.where(perm == g, c, 0.0)).sum(axis=1) for g in want], axis=1)
        t = np.einsum("ij,jk,ik->i", sums, inv, sums)
        hits += int(np.sum(t >= stat - tol))
        done += size
    return (1 + hits) / (1 + n_resamples)


# --------------------------------------------------------------------------------------
# interval_model: Weibull regression by maximum likelihood
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, eq=False)
class IntervalModelResult(Result):
    """Weibull regression of interval-censored time to promotion.

    Attributes
    ----------
    table : DataFrame
        Two rows per model term, one per ``measure``: ``"hazard_ratio"`` (above 1:
        promotion sooner than in the reference group) and ``"time_ratio"`` (above 1:
        promotion later; the Weibull model is both a proportional-hazards and an
        accelerated-failure-time model).  Columns ``term``, ``variable``, ``level``,
        ``reference``, ``n``, ``events``, ``measure``, ``estimate``, ``ci_low``,
        ``ci_high``, ``p_value`` (Wald), ``coef`` (log of the ratio), ``std_error``.
    parameters : DataFrame
        The fitted parameters as R's ``survreg`` reports them: ``term``
        (``(Intercept)``, the terms, ``Log(scale)``), ``coef``, ``std_error``,
        ``statistic`` (z), ``p_value``.
    test : DataFrame
        Likelihood-ratio test of all predictors: ``statistic, df, p_value, method``.
    loglik, loglik_null : float
        Log-likelihoods of the model and of the model without predictors.
    scale : float
        The Weibull scale of log time (1 / shape).
    references : dict
        Reference group of each categorical predictor.
    n, events : int
        People and promotions seen.
    excluded : dict
        Rows left out, by reason.
    """

    table: pd.DataFrame
    parameters: pd.DataFrame
    test: pd.DataFrame
    loglik: float
    loglik_null: float
    scale: float
    references: dict[str, Any]
    n: int
    events: int
    alpha: float
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return "Weibull model of interval-censored time to promotion"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"ratios": self.table, "parameters": self.parameters, "test": self.test}


def _weibull_loglik(
    theta: np.ndarray, x: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[float, np.ndarray]:
    """Log-likelihood and gradient of the Weibull model (log T = x'beta + sigma * W).

    A trial step of the optimiser far from the optimum overflows ``exp``; the
    likelihood is then -inf or NaN and the step is refused, so the warnings say nothing
    to the user and are silenced."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _weibull_loglik_steps(theta, x, lo, hi)


def _weibull_loglik_steps(
    theta: np.ndarray, x: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[float, np.ndarray]:
    beta, log_sigma = theta[:-1], theta[-1]
    sigma = np.exp(log_sigma)
    mu = x @ beta
    exact = lo == hi
    has_l = (lo > 0) & ~exact
    has_r = np.isfinite(hi) & ~exact
    with np.errstate(divide="ignore"):
        log_lo = np.log(np.where(lo > 0, lo, 1.0))
        log_hi = np.log(np.where(np.isfinite(hi) & (hi > 0), hi, 1.0))
    z_l = np.where(has_l | exact, (log_lo - mu) / sigma, -np.inf)
    z_r = np.where(has_r, (log_hi - mu) / sigma, np.inf)
    e_l = np.exp(z_l)  # cumulative hazard at left (0 when left = 0)
    e_r = np.exp(np.minimum(z_r, 700.0))
    e_r = np.where(has_r, e_r, np.inf)
    ll = np.zeros(lo.size)
    d_l = np.zeros(lo.size)  # d ll / d z_l
    d_r = np.zeros(lo.size)  # d ll / d z_r
    # exact: log f = z - e^z - log sigma - log t
    ll[exact] = z_l[exact] - e_l[exact] - log_sigma - log_lo[exact]
    d_l[exact] = 1.0 - e_l[exact]
    cens = ~exact
    delta = np.where(cens, e_r - e_l, 1.0)  # > 0 (inf when right-censored)
    fin = cens & has_r
    with np.errstate(over="ignore"):
        log_width = np.where(fin, np.log(-np.expm1(-np.where(fin, delta, 1.0))), 0.0)
    ll[cens] = -e_l[cens] + log_width[cens]
    with np.errstate(over="ignore", divide="ignore"):
        ratio_r = np.where(fin, 1.0 / np.expm1(np.where(fin, delta, 1.0)), 0.0)
    # d/dz_l of [-e_l + log(1 - exp(-(e_r - e_l)))] = -e_l - e_l * ratio_r
    d_l[cens] = -e_l[cens] * (1.0 + ratio_r[cens])
    d_r[fin] = e_r[fin] * ratio_r[fin]
    zl0 = np.where(np.isfinite(z_l), z_l, 0.0)
    zr0 = np.where(np.isfinite(z_r), z_r, 0.0)
    g_mu = -(d_l + d_r) / sigma
    g_log_sigma = -(d_l * zl0 + d_r * zr0) - exact
    grad = np.concatenate([x.T @ g_mu, [g_log_sigma.sum()]])
    return float(ll.sum()), grad


def _fit_weibull(x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, float, bool]:
    from scipy.optimize import minimize

    # start: intercept at the log of a typical time, scale 1
    typical = np.where(np.isfinite(hi), (lo + hi) / 2, lo * 2 + 1.0)
    start = np.zeros(x.shape[1] + 1)
    start[0] = np.log(np.mean(typical[typical > 0]))

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        ll, g = _weibull_loglik(theta, x, lo, hi)
        if not np.isfinite(ll):
            return 1e300, np.zeros_like(theta)
        return -ll, -g

    res = minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-9})
    theta = res.x
    # polish with Newton steps on the numerical Hessian
    for _ in range(20):
        ll, g = _weibull_loglik(theta, x, lo, hi)
        h = _hessian(theta, x, lo, hi)
        try:
            step = np.linalg.solve(h, g)
        except np.linalg.LinAlgError:
            break
        theta = theta - step
        if np.max(np.abs(step)) < 1e-10:
            break
    ll, g = _weibull_loglik(theta, x, lo, hi)
    ok = bool(np.isfinite(ll) and np.max(np.abs(g)) < 1e-4)
    return theta, ll, ok


def _hessian(theta: np.ndarray, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Hessian of the log-likelihood by central differences of the analytic gradient."""
    k = theta.size
    h = np.zeros((k, k))
    for j in range(k):
        step = 1e-5 * max(1.0, abs(theta[j]))
        e = np.zeros(k)
        e[j] = step
        h[:, j] = (
            _weibull_loglik(theta + e, x, lo, hi)[1] - _weibull_loglik(theta - e, x, lo, hi)[1]
        ) / (2 * step)
    return (h + h.T) / 2


def interval_model(
    data: Any,
    predictors: str | Sequence[str],
    *,
    left: str = "left",
    right: str = "right",
    reference: Any = None,
    dist: str = "weibull",
    alpha: float = 0.05,
) -> IntervalModelResult:
    """Weibull regression of time to promotion from interval-censored data.

    The model ``log T = x'beta + sigma * W`` (W standard extreme-value) is fitted by
    maximum likelihood to the intervals ``(left, right]`` (exact times and
    right-censored people included), as R's ``survreg(Surv(left, right, type =
    "interval2") ~ x, dist = "weibull")``.  Each effect is reported as a hazard ratio
    (``exp(-beta / sigma)``, as a Cox model's) and as a time ratio (``exp(beta)``).

    Parameters
    ----------
    data : Cohort or DataFrame
        As :func:`interval_survival`; a Cohort brings the predictors from its
        cohort table.
    predictors : str or sequence of str
        Columns; numbers enter as they are, booleans, text and categories are
        dummy-coded against a reference group.  Rows with one missing are left out
        and counted.
    left, right : str
        Columns of the interval ends.
    reference : object or mapping, optional
        Reference group per categorical predictor (e.g. ``{"gender": "woman"}``);
        default by the package's convention (``man`` for gender, ``False`` for
        yes/no, else the first group), never by group sizes.
    dist : {"weibull"}, default="weibull"
        The distribution (only Weibull for now).
    alpha : float, default=0.05
        1 - confidence level of the Wald intervals.

    Returns
    -------
    IntervalModelResult
        ``.table`` (hazard and time ratios with ``estimate, ci_low, ci_high,
        p_value``), ``.parameters`` (as R ``survreg``), ``.test`` (likelihood-ratio
        test of all predictors).

    Raises
    ------
    AnalysisError
        Exact times at 0 (impossible under a Weibull model), a predictor with one
        group or value, nobody promoted, or a fit that does not converge.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> df = pd.DataFrame({"gender": ["woman", "man"] * 6,
    ...                    "left": [6, 0, 12, 6, 24, 6, 12, 0, 24, 12, 6, 6],
    ...                    "right": [12, 6, 24, 12, np.inf, 12, np.inf, 6, np.inf, 24, 12, 24]})
    >>> res = interval_model(df, "gender")
    >>> res.table[["term", "reference", "measure"]]
                term reference       measure
    0  gender[woman]       man  hazard_ratio
    1  gender[woman]       man    time_ratio
    """
    from .survival import _design

    _check_alpha(alpha)
    if dist != "weibull":
        raise AnalysisError(f"dist must be 'weibull' (the only model so far), not {dist!r}.")
    preds = check_column_names(predictors, "predictors")
    if not preds:
        raise AnalysisError("predictors must name at least one column, e.g. ['gender'].")
    if len(set(preds)) != len(preds):
        raise AnalysisError(f"predictors lists a column twice: {preds}.")
    prepared = _interval_frame(
        data,
        left=left,
        right=right,
        extra={f"x:{p}": p for p in preds},
        purpose="interval_model",
    )
    frame = prepared.frame.copy()
    if reference is not None and not isinstance(reference, Mapping):
        from .models import _resolve_references

        raw = frame[[f"x:{p}" for p in preds]].set_axis(preds, axis=1)
        reference = _resolve_references(reference, raw, preds)
    reference = dict(reference or {})
    unknown = [k for k in reference if k not in preds]
    if unknown:
        raise AnalysisError(
            f"reference names column(s) {unknown} that are not among predictors {preds}."
        )
    lo = frame["left"].to_numpy(float)
    hi = frame["right"].to_numpy(float)
    zero = (lo == hi) & (lo == 0)
    if zero.any():
        raise AnalysisError(
            f"{int(zero.sum())} row(s) have an exact promotion time of 0 (rows "
            f"{_row_list(frame.index, zero)}), impossible under a Weibull model. Use an interval "
            "such as (0, first wave] instead."
        )
    frame["event"] = np.isfinite(hi).astype(int)
    n, events = len(frame), int(frame["event"].sum())
    if events == 0:
        raise AnalysisError(f"Nobody among the {n} people analysed was seen promoted.")
    exog, terms, references = _design(frame, preds, reference)
    x = np.column_stack([np.ones(n), exog])
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise AnalysisError(
            f"The predictors are redundant among the rows analysed ({preds}). Drop one."
        )
    theta, ll, ok = _fit_weibull(x, lo, hi)
    theta0, ll0, ok0 = _fit_weibull(x[:, :1], lo, hi)
    if not (ok and ok0):
        raise AnalysisError(
            "The Weibull model did not converge: a predictor (almost) perfectly separates who "
            "was promoted early, or the data hold too little information. Use fewer "
            "predictors or merge groups."
        )
    cov = np.linalg.inv(-_hessian(theta, x, lo, hi))
    se = np.sqrt(np.diag(cov))
    sigma = float(np.exp(theta[-1]))
    zq = float(_sps.norm.ppf(1 - alpha / 2))
    rows = []
    for j, term in enumerate(terms, start=1):
        beta = theta[j]
        # log hazard ratio -beta / sigma: gradient (-1/sigma) in beta, beta/sigma in log sigma
        grad = np.zeros(theta.size)
        grad[j] = -1.0 / sigma
        grad[-1] = beta / sigma
        se_hr = float(np.sqrt(grad @ cov @ grad))
        for measure, coef, s in (
            ("hazard_ratio", -beta / sigma, se_hr),
            ("time_ratio", beta, se[j]),
        ):
            rows.append(
                {
                    **term,
                    "measure": measure,
                    "estimate": float(np.exp(coef)),
                    "ci_low": float(np.exp(coef - zq * s)),
                    "ci_high": float(np.exp(coef + zq * s)),
                    "p_value": float(2 * _sps.norm.sf(abs(coef / s))),
                    "coef": float(coef),
                    "std_error": float(s),
                }
            )
    table = pd.DataFrame(rows)
    names = ["(Intercept)", *[t["term"] for t in terms], "Log(scale)"]
    zstat = theta / se
    parameters = pd.DataFrame(
        {
            "term": names,
            "coef": theta,
            "std_error": se,
            "statistic": zstat,
            "p_value": 2 * _sps.norm.sf(np.abs(zstat)),
        }
    )
    k = len(terms)
    lr = max(0.0, 2 * (ll - ll0))
    test = pd.DataFrame(
        {
            "statistic": [lr],
            "df": [float(k)],
            "p_value": [float(_sps.chi2.sf(lr, k))],
            "method": [f"likelihood-ratio test of all predictors, chi-square with {k} df"],
        }
    )
    notes = list(prepared.notes)
    for p, ref in references.items():
        why = (
            ""
            if p in reference
            else f"; {reference_reason(ref, [ref, *[t['level'] for t in terms if t['variable'] == p]], p)}"
        )
        notes.append(f"{p!r}: ratios compare each group with {ref!r} (reference{why}).")
    notes.append(
        "A hazard ratio above 1 means promotion came sooner than in the reference group; a "
        "time ratio above 1 means it came later (times stretched by that factor)."
    )
    method = (
        "Weibull regression for interval-censored times by maximum likelihood (as R "
        f"survreg, dist='weibull'); Wald {_level(alpha)} intervals and z-tests."
    )
    return IntervalModelResult(
        method=method,
        notes=tuple(notes),
        table=table,
        parameters=parameters,
        test=test,
        loglik=float(ll),
        loglik_null=float(ll0),
        scale=sigma,
        references=references,
        n=n,
        events=events,
        alpha=float(alpha),
        excluded=dict(prepared.excluded),
    )
