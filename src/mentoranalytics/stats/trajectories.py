"""Careers over follow-up waves: group trajectories, repeated-measures models, persistence.

* :func:`trajectory`: per wave and group, the mean of a score (level, satisfaction)
  or the rate of a yes/no outcome among the people who answered that wave, with its
  interval (the trajectory table that charts draw);
* :func:`trajectory_model`: a population-averaged model of the repeated measures
  (generalised estimating equations, GEE, with robust sandwich standard errors) with
  a group x time interaction: do the groups' trajectories differ?
* :func:`relationship_persistence`: the share of mentored participants still in
  contact with their mentor, per wave and group.

Every function takes a :class:`~mentoranalytics.Cohort` that carries follow-up waves
(``ma.load_cohort(path, followup=...)``) or a pair ``(cohort_frame, waves_frame)``;
baseline columns (gender, bold_choice, ...) come from the cohort table, joined by
``participant_id``.  Only the answers people gave are analysed here: how far the
people who stopped answering may change the picture is the subject of
:mod:`mentoranalytics.stats.attrition`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._conventions import (
    check_column_name,
    check_column_names,
    default_reference,
    group_order,
    plain,
    resolve_reference,
)
from ..exceptions import AnalysisError, ColumnError, SmallSampleWarning
from ._result import Result
from ._wavedata import WaveData, not_due_note, outcome_values, wave_data
from .survival import _check_alpha

__all__ = [
    "PersistenceResult",
    "TrajectoryModelResult",
    "TrajectoryResult",
    "relationship_persistence",
    "trajectory",
    "trajectory_model",
]

#: The trajectory table's columns (frozen: charts and the release gate read them).
TRAJECTORY_COLUMNS = ("months", "group", "n", "estimate", "ci_low", "ci_high")
#: The per-wave rate table's columns (frozen).
RATE_COLUMNS = ("months", "group", "n", "events", "rate", "ci_low", "ci_high")
#: The label of the single group when ``by=None``.
ALL = "all"

Corr = Literal["exchangeable", "independence", "ar1"]
TimeScale = Literal["months", "years", "wave"]


def _groups(wd: WaveData, by: str | None) -> tuple[pd.Series, list[Any]]:
    """The group of every wave row and the group order (from the cohort table)."""
    if by is None:
        return pd.Series(ALL, index=wd.waves.index, dtype=object), [ALL]
    order = [plain(v) for v in group_order(wd.people[by], by)]
    if not order:
        raise AnalysisError(f"Column {by!r} of the cohort table has no value: no groups to show.")
    return wd.waves[by], order


def _baseline_wanted(baseline: bool | None, outcome: str, wd_columns: Sequence[str]) -> bool:
    if baseline is None:
        return outcome == "current_level"
    if not isinstance(baseline, bool):
        raise AnalysisError(f"baseline must be True, False or None; got {baseline!r}.")
    if baseline and outcome != "current_level":
        raise AnalysisError(
            "baseline=True adds the level at the start (participant_level) as months 0; "
            f"it applies to outcome='current_level' only, not {outcome!r}."
        )
    return baseline


def _long(
    data: Any,
    outcome: str,
    by: str | None,
    extra: Sequence[str],
    baseline: bool | None,
    purpose: str,
) -> tuple[pd.DataFrame, str, list[Any], list[str], bool]:
    """Answered rows: participant_id, months, group, y (+ ``extra`` columns).

    With the baseline, the cohort table's ``participant_level`` is added as months 0
    for every participant who has it (unless the waves already hold a months-0 wave).
    """
    check_column_name(outcome, "outcome")
    check_column_name(by, "by", optional=True)
    use_baseline = _baseline_wanted(baseline, outcome, ())
    wd = wave_data(
        data,
        [by, *extra, "participant_level" if use_baseline else None],
        purpose=purpose,
    )
    notes = list(wd.notes) + not_due_note(wd)
    y, kind = outcome_values(wd.waves, outcome)
    groups, order = _groups(wd, by)
    frame = pd.DataFrame(
        {
            "participant_id": wd.waves["participant_id"].to_numpy(),
            "months": wd.waves["months"].to_numpy(dtype=float),
            "group": _objects(groups),
            "y": y,
        }
    )
    for column in extra:
        frame[column] = wd.waves[column].to_numpy()
    answered = wd.waves["responded"].to_numpy(dtype=bool)
    frame = frame[answered & ~np.isnan(y)]
    if use_baseline and 0.0 in wd.months:
        if baseline:
            notes.append(
                "the waves hold a months-0 wave, so the cohort table's participant_level was "
                "not added as the start"
            )
        use_baseline = False
    if use_baseline:
        people = wd.people
        level = pd.to_numeric(people["participant_level"], errors="coerce").to_numpy(
            dtype=float, na_value=np.nan
        )
        start = pd.DataFrame(
            {
                "participant_id": people["participant_id"].astype("string").to_numpy(dtype=object),
                "months": 0.0,
                "group": (
                    people[by].to_numpy(dtype=object)
                    if by is not None
                    else np.full(len(people), ALL, dtype=object)
                ),
                "y": level,
            }
        )
        for column in extra:
            start[column] = people[column].to_numpy()
        start = start[~np.isnan(level)]
        frame = pd.concat([start, frame], ignore_index=True)
        frame = frame.sort_values(["participant_id", "months"], kind="stable")
        notes.append("months 0 is the level at the start of the programme (participant_level)")
    missing_group = frame["group"].isna().to_numpy()
    if missing_group.any():
        notes.append(f"{int(missing_group.sum())} answer(s) with a missing {by!r} left out")
        frame = frame[~missing_group]
    frame = frame.reset_index(drop=True)
    codes, uniques = pd.factorize(frame["group"].astype(object))
    frame["group"] = np.array([plain(u) for u in uniques], dtype=object)[codes]
    if frame.empty:
        raise AnalysisError(
            f"No one answered {outcome!r} at any wave (with a {by!r} value): nothing to analyse."
        )
    return frame, kind, order, notes, use_baseline


def _objects(values: pd.Series) -> np.ndarray:
    """``values`` as an object array, converting each distinct value once."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array([*np.asarray(uniques, dtype=object), None], dtype=object)
    return table[codes]


def _label_masks(values: pd.Series, labels: Sequence[Any]) -> list[np.ndarray]:
    """For each of ``labels``, the rows whose group it is (True is not 1: the type must
    match too); ``values`` is factorised once."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    plain_uniques = [plain(u) for u in uniques]
    out = []
    for label in labels:
        hits = [i for i, u in enumerate(plain_uniques) if type(u) is type(label) and u == label]
        out.append(np.isin(codes, hits))
    return out


# ======================================================================================
# Per-wave tables
# ======================================================================================


@dataclass(frozen=True, kw_only=True, eq=False)
class TrajectoryResult(Result):
    """Result of :func:`trajectory`.

    Attributes
    ----------
    table : DataFrame
        One row per wave and group with answers: ``months, group, n, estimate,
        ci_low, ci_high`` (the trajectory table; ``n`` = people who answered).
    outcome, by : str
        What was summarised, and by which group column (None: everyone together).
    kind : str
        ``"mean"`` (a score) or ``"rate"`` (a yes/no outcome).
    baseline : bool
        Whether months 0 is the cohort table's level at the start.
    alpha : float
    """

    table: pd.DataFrame
    outcome: str
    by: str | None
    kind: str
    baseline: bool = False
    alpha: float = 0.05

    @property
    def title(self) -> str:
        what = "Mean" if self.kind == "mean" else "Rate of"
        by = f" by {self.by}" if self.by else ""
        return f"{what} {self.outcome} over follow-up waves{by}"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"trajectory": self.table}


def _mean_ci(values: np.ndarray, alpha: float) -> tuple[int, float, float, float]:
    n = values.size
    if n == 0:
        return 0, np.nan, np.nan, np.nan
    mean = float(values.mean())
    if n < 2:
        return n, mean, np.nan, np.nan
    half = float(stats.t.isf(alpha / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return n, mean, mean - half, mean + half


def _rate_rows(
    months: np.ndarray,
    groups: pd.Series,
    y: np.ndarray,
    order: Sequence[Any],
    study: Sequence[float],
    alpha: float,
    *,
    keep_empty: bool = False,
) -> pd.DataFrame:
    """``months, group, n, events, rate, ci_low, ci_high`` of a 0/1 ``y`` (Wilson CI)."""
    from .rates import proportion_ci

    rows = []
    masks = _label_masks(groups, order)
    answered = ~np.isnan(y)
    for m in study:
        at = (months == m) & answered
        for label, in_group in zip(order, masks, strict=True):
            cell = at & in_group
            n = int(cell.sum())
            if n == 0 and not keep_empty:
                continue
            rows.append((m, label, n, int(np.nansum(y[cell]))))
    table = pd.DataFrame(rows, columns=["months", "group", "n", "events"])
    table["group"] = table["group"].astype(object)
    n = table["n"].to_numpy(dtype=float)
    k = table["events"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["rate"] = k / n
    low, high = proportion_ci(k, n, alpha=alpha) if len(table) else (np.array([]), np.array([]))
    table["ci_low"] = np.asarray(low, dtype=float)
    table["ci_high"] = np.asarray(high, dtype=float)
    table = table.astype({"months": "float64", "n": "int64", "events": "int64"})
    return table[list(RATE_COLUMNS)].reset_index(drop=True)


def trajectory(
    data: Any,
    outcome: str = "current_level",
    *,
    by: str | None = "gender",
    baseline: bool | None = None,
    alpha: float = 0.05,
) -> TrajectoryResult:
    """Mean (or rate) of a follow-up outcome per wave and group, among those who answered.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        A cohort loaded with follow-up waves, or a pair of the cohort table (Cohort
        or DataFrame) and the follow-up table (one row per participant per wave).
    outcome : str, default="current_level"
        A follow-up column: a score (``current_level`` 1-6, ``career_satisfaction``
        1-5: mean with a t interval) or a yes/no outcome (``in_contact_with_mentor``,
        ``promoted`` since the previous wave, ...: rate with a Wilson interval).
    by : str or None, default="gender"
        A cohort-table column (``gender``, ``bold_choice``, ...), in the package's
        group order; None: everyone together (group ``"all"``).
    baseline : bool or None, default=None
        For ``current_level``: add the level at the start of the programme
        (the cohort table's ``participant_level``) as months 0.  None: add it when
        the outcome is ``current_level`` and the waves hold no months-0 wave.
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    TrajectoryResult
        ``.table`` with the columns ``months, group, n, estimate, ci_low, ci_high``:
        one row per wave and group with at least one answer; ``n`` counts the
        people who answered.  A one-person cell has no interval (NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b", "c", "d"],
    ...                        "gender": ["woman", "woman", "man", "man"],
    ...                        "participant_level": [1, 2, 2, 3]})
    >>> waves = pd.DataFrame({"participant_id": ["a", "b", "c", "d"] * 2,
    ...                       "months": [12.0] * 4 + [24.0] * 4,
    ...                       "current_level": [2, 2, 3, 3, 2, 3, 4, None]})
    >>> res = trajectory((people, waves), "current_level")
    >>> res.table[["months", "group", "n", "estimate"]].to_string(index=False)
    ' months group  n  estimate\\n    0.0 woman  2       1.5\\n    0.0   man  2       2.5\\n   12.0 woman  2       2.0\\n   12.0   man  2       3.0\\n   24.0 woman  2       2.5\\n   24.0   man  1       4.0'
    """
    _check_alpha(alpha)
    frame, kind, order, notes, used_baseline = _long(data, outcome, by, (), baseline, "trajectory")
    study = sorted(frame["months"].unique())
    months = frame["months"].to_numpy(dtype=float)
    y = frame["y"].to_numpy(dtype=float)
    if kind == "binary":
        rates = _rate_rows(months, frame["group"], y, order, study, alpha)
        table = rates.rename(columns={"rate": "estimate"})[list(TRAJECTORY_COLUMNS)]
        method = f"share who answered yes, Wilson score {100 * (1 - alpha):g}% CI"
    else:
        rows = []
        masks = _label_masks(frame["group"], order)
        for m in study:
            at = months == m
            for label, in_group in zip(order, masks, strict=True):
                values = y[at & in_group]
                if values.size:
                    rows.append((m, label, *_mean_ci(values, alpha)))
        table = pd.DataFrame(rows, columns=list(TRAJECTORY_COLUMNS))
        table["group"] = table["group"].astype(object)
        table = table.astype({"months": "float64", "n": "int64"})
        method = f"mean of the answers, t {100 * (1 - alpha):g}% CI"
    notes.append(
        "only the people who answered each wave are counted; see attrition_sensitivity for "
        "how far those who stopped answering could change the picture"
    )
    warn = []
    small = table.loc[table["n"] < 5]
    if len(small):
        warn.append(
            f"{len(small)} wave x group cell(s) rest on fewer than 5 answers: their estimates "
            "are very uncertain"
        )
        warnings.warn(warn[-1], SmallSampleWarning, stacklevel=2)
    return TrajectoryResult(
        method=method,
        table=table.reset_index(drop=True),
        outcome=outcome,
        by=by,
        kind="rate" if kind == "binary" else "mean",
        baseline=used_baseline,
        alpha=float(alpha),
        notes=tuple(notes),
        warnings=tuple(warn),
    )


@dataclass(frozen=True, kw_only=True, eq=False)
class WaveRateResult(Result):
    """A per-wave rate table (``months, group, n, events, rate, ci_low, ci_high``).

    The base of :class:`PersistenceResult` and
    :class:`~mentoranalytics.stats.attrition.ResponseResult`.
    """

    table: pd.DataFrame
    by: str | None
    alpha: float = 0.05
    _what: ClassVar[str] = "Rate by wave"
    _name: ClassVar[str] = "rates"

    @property
    def title(self) -> str:
        by = f" by {self.by}" if self.by else ""
        return f"{self._what}{by}"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {self._name: self.table}


@dataclass(frozen=True, kw_only=True, eq=False)
class PersistenceResult(WaveRateResult):
    """Result of :func:`relationship_persistence`.

    Attributes
    ----------
    table : DataFrame
        One row per wave and group: ``months, group, n, events, rate, ci_low,
        ci_high`` (``n`` mentored people who answered the question, ``events``
        those still in contact with their mentor).
    by : str or None
    alpha : float
    """

    _what: ClassVar[str] = "Still in contact with the mentor, by wave"
    _name: ClassVar[str] = "persistence"


def relationship_persistence(
    data: Any, *, by: str | None = "gender", alpha: float = 0.05
) -> PersistenceResult:
    """Share of mentored participants still in contact with their mentor, per wave.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        As in :func:`trajectory`; the waves need ``in_contact_with_mentor``.
    by : str or None, default="gender"
        Cohort-table group column; None: everyone together.
    alpha : float, default=0.05
        1 - confidence level of the Wilson intervals.

    Returns
    -------
    PersistenceResult
        ``.table``: ``months, group, n, events, rate, ci_low, ci_high``.  Only
        participants with a mentor (``mentor_secured``, derived from the mentor
        fields when absent) who answered the question are counted.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b", "c"],
    ...                        "gender": ["woman", "man", "man"],
    ...                        "mentor_secured": [True, True, False]})
    >>> waves = pd.DataFrame({"participant_id": ["a", "b", "a", "b"],
    ...                       "months": [6.0, 6.0, 12.0, 12.0],
    ...                       "in_contact_with_mentor": [True, True, False, True]})
    >>> relationship_persistence((people, waves)).table[["months", "group", "n", "events"]].values.tolist()
    [[6.0, 'woman', 1, 1], [6.0, 'man', 1, 1], [12.0, 'woman', 1, 0], [12.0, 'man', 1, 1]]
    """
    _check_alpha(alpha)
    check_column_name(by, "by", optional=True)
    notes: list[str] = []
    try:
        wd = wave_data(data, [by, "mentor_secured"], purpose="relationship_persistence")
        mentored = wd.waves["mentor_secured"]
        from .._conventions import yes_no

        read = yes_no(mentored)
        keep = np.ones(len(wd.waves), dtype=bool) if read is None else read.to_numpy() == 1.0
    except ColumnError as exc:
        if "mentor_secured" not in str(exc):
            raise
        wd = wave_data(data, [by], purpose="relationship_persistence")
        keep = np.ones(len(wd.waves), dtype=bool)
        notes.append(
            "the cohort table does not say who secured a mentor: every answer to "
            "in_contact_with_mentor is counted"
        )
    notes += not_due_note(wd)
    y, kind = outcome_values(wd.waves, "in_contact_with_mentor")
    if kind != "binary":
        raise AnalysisError("Column 'in_contact_with_mentor' must hold yes/no values.")
    answered = wd.waves["responded"].to_numpy(dtype=bool) & keep
    y = np.where(answered, y, np.nan)
    groups, order = _groups(wd, by)
    months = wd.waves["months"].to_numpy(dtype=float)
    table = _rate_rows(months, groups, y, order, wd.months, alpha)
    notes.append("only mentored participants who answered the question at a wave are counted")
    return PersistenceResult(
        method=f"share still in contact, Wilson score {100 * (1 - alpha):g}% CI",
        table=table,
        by=by,
        alpha=float(alpha),
        notes=tuple(notes),
    )


# ======================================================================================
# Repeated-measures model (GEE)
# ======================================================================================


@dataclass(frozen=True, kw_only=True, eq=False)
class TrajectoryModelResult(Result):
    """Result of :func:`trajectory_model`.

    Attributes
    ----------
    table : DataFrame
        One row per model term: ``term, measure, estimate, ci_low, ci_high,
        p_value, std_error, method``.  Terms: ``intercept`` (Gaussian and
        logistic), the group (``gender[woman]``: the difference from the reference
        group at months 0), time (``months``, ``years`` or ``wave[12]``), the
        covariates, and the group x time interaction (``gender[woman]:months``: how
        much faster or slower the group's outcome changes).  ``measure`` is
        ``difference`` (Gaussian: a difference in means), ``odds_ratio`` (yes/no
        outcome) or ``cumulative_odds_ratio`` (ordinal: the odds of a higher level);
        ``std_error`` is the robust (sandwich) standard error on the model's scale.
    test : DataFrame
        One row: the robust Wald test that the groups' trajectories are parallel
        (every group x time term is 0): ``test, statistic, df, p_value, method``.
    kind : str
        ``"gaussian"``, ``"ordinal"`` or ``"logistic"``; ``reason`` says why.
    corr : str
        The working correlation; ``dependence`` its estimated parameter(s).
    n, n_obs : int
        People and answers in the model.
    reference : object
        The reference group of ``by``.
    model : object
        The fitted model: a :class:`LinearGEEFit` for the Gaussian GEE with exchangeable or
        independence working correlation (closed form, same estimates as statsmodels),
        otherwise the statsmodels ``GEEResults``.
    """

    table: pd.DataFrame
    test: pd.DataFrame
    outcome: str
    by: str | None
    kind: str
    reason: str
    time: str
    corr: str
    n: int
    n_obs: int
    reference: Any = None
    covariates: tuple[str, ...] = ()
    dependence: Any = None
    alpha: float = 0.05
    model: Any = field(default=None, repr=False)

    @property
    def title(self) -> str:
        return f"Trajectory of {self.outcome} (GEE, {self.kind})"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"estimates": self.table, "test": self.test}


_MEASURE = {"gaussian": "difference", "logistic": "odds_ratio", "ordinal": "cumulative_odds_ratio"}


def _choose_kind(outcome: str, kind: str, ordinal: bool | None) -> tuple[str, str]:
    if ordinal not in (None, True, False):
        raise AnalysisError(f"ordinal must be True, False or None; got {ordinal!r}.")
    if kind == "binary":
        if ordinal:
            raise AnalysisError(
                f"ordinal=True needs an ordered score; {outcome!r} is a yes/no outcome "
                "(modelled with a logistic GEE)."
            )
        return "logistic", f"{outcome!r} is yes/no: logistic GEE (odds ratios)"
    if ordinal is None:
        if outcome == "current_level":
            return "ordinal", (
                "current_level is a 1-6 level: ordinal GEE (cumulative logit), which does "
                "not assume the steps between levels are equal; ordinal=False gives the "
                "Gaussian GEE of the mean level"
            )
        return "gaussian", (
            f"{outcome!r} is a score: Gaussian GEE of its mean (ordinal=True gives the ordinal GEE)"
        )
    if ordinal:
        return "ordinal", "ordinal=True: ordinal GEE (cumulative logit)"
    return "gaussian", "ordinal=False: Gaussian GEE of the mean"


def _time_columns(months: np.ndarray, time: str) -> pd.DataFrame:
    if time == "months":
        return pd.DataFrame({"months": months})
    if time == "years":
        return pd.DataFrame({"years": months / 12.0})
    levels = np.unique(months)
    return pd.DataFrame({f"wave[{m:g}]": (months == m).astype(float) for m in levels[1:]})


def trajectory_model(
    data: Any,
    outcome: str = "current_level",
    *,
    by: str = "gender",
    reference: Any = None,
    covariates: Sequence[str] = (),
    time: TimeScale = "months",
    corr: Corr = "exchangeable",
    ordinal: bool | None = None,
    baseline: bool | None = None,
    alpha: float = 0.05,
) -> TrajectoryModelResult:
    """Population-averaged model of an outcome over waves, with a group x time interaction.

    Generalised estimating equations (GEE; Liang & Zeger 1986) with robust
    (sandwich) standard errors, from statsmodels: the estimates describe the
    average person of a group, and stay valid when the working correlation
    between one person's answers is wrong.  Only answered waves enter: the model
    is unbiased when dropout depends on the baseline columns in the model (and,
    for the ordinal and logistic models, not on past answers); see
    :func:`~mentoranalytics.stats.attrition.attrition_sensitivity`.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        As in :func:`trajectory`.
    outcome : str, default="current_level"
        A follow-up score (``current_level``, ``career_satisfaction``) or yes/no
        outcome (logistic GEE).
    by : str, default="gender"
        The cohort-table group column whose trajectories are compared.
    reference : optional
        Reference group of ``by`` (default by the package convention: ``man`` for
        gender, ``False`` for yes/no).
    covariates : sequence of str, default=()
        Further baseline columns of the cohort table (main effects only).
    time : {"months", "years", "wave"}, default="months"
        Time as a straight line in months (or years: the same model, slopes per
        year), or ``"wave"``: one term per wave after the first (no shape assumed).
    corr : {"exchangeable", "independence", "ar1"}, default="exchangeable"
        Working correlation of one person's answers.  ``ar1``: correlation
        ``rho ** k`` between answers ``k`` waves apart (Gaussian and logistic only).
        For the ordinal model ``exchangeable`` is a global odds ratio common to
        every pair of answers (Heagerty & Zeger 1996).
    ordinal : bool or None, default=None
        None: ordinal (cumulative logit) GEE for ``current_level`` (a 1-6 level,
        whose steps need not be equal), Gaussian for other scores.  True/False
        force the ordinal or the Gaussian model.
    baseline : bool or None, default=None
        As in :func:`trajectory`: for ``current_level`` the level at the start
        enters as months 0 (then the group term is the gap at the start).
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    TrajectoryModelResult
        ``.table`` (``term, measure, estimate, ci_low, ci_high, p_value,
        std_error, method``), ``.test`` (robust Wald test of parallel
        trajectories), ``.model`` (the fitted model; see :class:`TrajectoryModelResult`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> ids = [f"p{i}" for i in range(60)]
    >>> people = pd.DataFrame({"participant_id": ids, "gender": ["woman", "man"] * 30})
    >>> waves = pd.DataFrame({"participant_id": np.repeat(ids, 3),
    ...                       "months": np.tile([6.0, 12.0, 24.0], 60)})
    >>> waves["career_satisfaction"] = rng.integers(1, 6, len(waves))
    >>> res = trajectory_model((people, waves), "career_satisfaction")
    >>> res.kind, list(res.table["term"])
    ('gaussian', ['intercept', 'gender[woman]', 'months', 'gender[woman]:months'])
    """
    from .models import INTERCEPT, _build_design, _check_rank_values

    _check_alpha(alpha)
    check_column_name(by, "by")
    covs = check_column_names(covariates, "covariates") if covariates else []
    if by in covs or outcome in covs:
        raise AnalysisError("covariates must not repeat by or the outcome.")
    if time not in ("months", "years", "wave"):
        raise AnalysisError(f"time must be 'months', 'years' or 'wave'; got {time!r}.")
    if corr not in ("exchangeable", "independence", "ar1"):
        raise AnalysisError(f"corr must be 'exchangeable', 'independence' or 'ar1'; got {corr!r}.")
    frame, kind_y, order, notes, used_baseline = _long(
        data, outcome, by, covs, baseline, "trajectory_model"
    )
    kind, reason = _choose_kind(outcome, kind_y, ordinal)
    if kind == "ordinal" and corr == "ar1":
        raise AnalysisError(
            "corr='ar1' is not available for the ordinal GEE; use 'exchangeable' (a global "
            "odds ratio) or 'independence', or ordinal=False."
        )
    incomplete = frame[covs].isna().any(axis=1).to_numpy() if covs else np.zeros(len(frame), bool)
    if incomplete.any():
        notes.append(f"{int(incomplete.sum())} answer(s) with a missing covariate left out")
        frame = frame[~incomplete].reset_index(drop=True)
    present = [
        g for g, m in zip(order, _label_masks(frame["group"], order), strict=True) if m.any()
    ]
    if len(present) < 2:
        raise AnalysisError(
            f"A trajectory model compares groups of {by!r}, but the answers come from "
            f"{len(present)} group(s) ({present})."
        )
    ref = (
        default_reference(present, by)
        if reference is None
        else resolve_reference(reference, present, by)
    )
    design_frame = frame.rename(columns={"group": by})
    if covs:
        design_frame[covs] = design_frame[covs]
    design = _build_design(design_frame, [by, *covs], {by: ref}, None, intercept=True)
    X = design.X.reset_index(drop=True)
    group_cols = list(design.predictors[by].columns)
    months = frame["months"].to_numpy(dtype=float)
    if np.unique(months).size < 2:
        raise AnalysisError("A trajectory model needs answers at two or more waves.")
    T = _time_columns(months, time)
    products = pd.DataFrame(
        {f"{g}:{t}": X[g].to_numpy() * T[t].to_numpy() for g in group_cols for t in T.columns}
    )
    X = pd.concat([X, T, products], axis=1)
    _check_rank_values(X.to_numpy(dtype=float), [str(c) for c in X.columns])
    y = frame["y"].to_numpy(dtype=float)
    ids, _ = pd.factorize(frame["participant_id"])
    study = np.unique(months)
    wave_index = np.searchsorted(study, months).astype(float)
    fit, dependence, fit_warnings = _fit_gee(X, y, ids, wave_index, kind, corr, INTERCEPT)
    names = list(X.columns) if kind != "ordinal" else [c for c in X.columns if c != INTERCEPT]
    k = len(names)
    params = np.asarray(fit.params)[-k:]
    bse = np.asarray(fit.bse)[-k:]
    z = stats.norm.isf(alpha / 2)
    low, high = params - z * bse, params + z * bse
    pvalues = 2 * stats.norm.sf(np.abs(params / bse))
    ratio = kind != "gaussian"
    label = {
        "gaussian": "Gaussian GEE",
        "logistic": "logistic GEE",
        "ordinal": "ordinal (cumulative logit) GEE",
    }[kind]
    method = f"{label}, {corr} working correlation, robust (sandwich) SE, Wald CI and z-test"
    measure = [
        ("intercept" if kind == "gaussian" else "baseline_odds")
        if n == INTERCEPT
        else _MEASURE[kind]
        for n in names
    ]
    table = pd.DataFrame(
        {
            "term": names,
            "measure": measure,
            "estimate": np.exp(params) if ratio else params,
            "ci_low": np.exp(low) if ratio else low,
            "ci_high": np.exp(high) if ratio else high,
            "p_value": pvalues,
            "std_error": bse,
            "method": method,
        }
    )
    inter = [names.index(c) for c in products.columns]
    b = params[inter]
    cov = np.asarray(fit.cov_params())[-k:, -k:][np.ix_(inter, inter)]
    statistic = float(b @ np.linalg.solve(cov, b))
    test = pd.DataFrame(
        {
            "test": [f"{by} x time (parallel trajectories)"],
            "statistic": [statistic],
            "df": [len(inter)],
            "p_value": [float(stats.chi2.sf(statistic, len(inter)))],
            "method": ["robust Wald chi-square test of every group x time term"],
        }
    )
    n_people = int(frame["participant_id"].nunique())
    notes.insert(0, f"reference group of {by!r}: {ref!s}")
    notes.append(reason)
    if kind == "ordinal":
        notes.append("cumulative odds ratios above 1: the odds of a higher level are larger")
    warn = list(fit_warnings)
    if n_people < 40:
        warn.append(
            f"only {n_people} people: robust (sandwich) standard errors can be too small "
            "with fewer than about 40 people; read the intervals as optimistic"
        )
    for w in warn:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return TrajectoryModelResult(
        method=method,
        table=table,
        test=test,
        outcome=outcome,
        by=by,
        kind=kind,
        reason=reason,
        time=time,
        corr=corr,
        n=n_people,
        n_obs=len(frame),
        reference=ref,
        covariates=tuple(covs),
        dependence=dependence,
        alpha=float(alpha),
        model=fit,
        notes=tuple(notes),
        warnings=tuple(warn),
    )


@dataclass(frozen=True)
class LinearGEEFit:
    """A Gaussian GEE fitted in closed form (exchangeable or independence working
    correlation): the same estimates as statsmodels' ``GEE`` (iterated to its fixed
    point), in time linear in the number of answers.

    Attributes
    ----------
    params, bse : ndarray
        Estimates and robust (sandwich) standard errors, in the columns' order.
    dependence : float
        The working correlation (0 for independence).
    scale : float
        The residual variance (sum of squared residuals / (answers - parameters)).
    iterations : int
    """

    params: np.ndarray
    bse: np.ndarray
    covariance: np.ndarray
    dependence: float
    scale: float
    iterations: int

    def cov_params(self) -> np.ndarray:
        """The robust covariance matrix of the estimates."""
        return self.covariance


def _linear_gee(
    X: np.ndarray, y: np.ndarray, ids: np.ndarray, corr: str, *, max_iter: int = 100
) -> LinearGEEFit:
    """Gaussian GEE with robust SEs by cluster sums (Liang & Zeger 1986).

    With the exchangeable working correlation ``R = (1 - rho) I + rho J`` of a cluster of
    size m, ``R^-1 = (I - c J) / (1 - rho)`` with ``c = rho / (1 + (m - 1) rho)``, so every
    cluster enters through its sums only.  ``rho`` and the scale are the moment estimates
    statsmodels' ``Exchangeable.update`` uses (degrees of freedom: the number of
    parameters), alternated with the estimates to convergence.
    """
    import scipy.sparse as sp

    n, p = X.shape
    codes, _ = pd.factorize(ids)
    groups = int(codes.max()) + 1
    member = sp.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(groups, n))
    size = np.asarray(member.sum(axis=1)).ravel()
    sums_x = np.asarray(member @ X)  # clusters x p
    sums_y = member @ y
    xtx, xty = X.T @ X, X.T @ y
    pairs = float((size * (size - 1) / 2).sum())
    rho = 0.0
    beta = np.linalg.solve(xtx, xty)
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        resid = y - X @ beta
        ssr = float(resid @ resid)
        scale = ssr / (n - p)
        if corr == "exchangeable" and pairs > p:
            sums_r = member @ resid
            cross = float(((sums_r**2).sum() - ssr) / 2) / scale
            rho = cross / (pairs - p)
        c = rho / (1 + (size - 1) * rho)
        a = xtx - (sums_x * c[:, None]).T @ sums_x
        b = xty - (sums_x * c[:, None]).T @ sums_y
        new = np.linalg.solve(a, b)
        change = float(np.abs(new - beta).max())
        beta = new
        if corr != "exchangeable" or change <= 1e-12 * max(1.0, float(np.abs(beta).max())):
            break
    # the last round's rho, c and a (rho is not updated after the last estimate)
    resid = y - X @ beta
    scale = float(resid @ resid) / (n - p)
    sums_r = member @ resid
    u = (np.asarray(member @ (X * resid[:, None])) - sums_x * (c * sums_r)[:, None]) / (1 - rho)
    bread = np.linalg.inv(a / (1 - rho))
    covariance = bread @ (u.T @ u) @ bread
    return LinearGEEFit(
        params=beta,
        bse=np.sqrt(np.diag(covariance)),
        covariance=covariance,
        dependence=float(rho),
        scale=scale,
        iterations=iterations,
    )


def _fit_gee(
    X: pd.DataFrame,
    y: np.ndarray,
    ids: np.ndarray,
    wave_index: np.ndarray,
    kind: str,
    corr: str,
    intercept: str,
) -> tuple[Any, Any, list[str]]:
    from statsmodels.genmod import cov_struct, families
    from statsmodels.genmod.generalized_estimating_equations import GEE, OrdinalGEE
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    class _GlobalOddsRatio(cov_struct.GlobalOddsRatio):  # type: ignore[misc]
        """statsmodels' global odds ratio, with 0.5 added to the cells of a table with an
        empty cell (Haldane): a level that never goes down leaves such tables, whose
        log odds ratio would otherwise be infinite."""

        def pooled_odds_ratio(self, tables: list[np.ndarray]) -> float:
            tables = [t + 0.5 if (t == 0).any() else t for t in tables]
            return float(super().pooled_odds_ratio(tables))

    if kind == "gaussian" and corr in ("exchangeable", "independence"):
        try:
            linear = _linear_gee(X.to_numpy(dtype=float), np.asarray(y, dtype=float), ids, corr)
        except np.linalg.LinAlgError as exc:
            raise AnalysisError(
                f"The GEE could not be fitted ({exc}). Remove covariates, use time='months', "
                "or combine groups."
            ) from exc
        if not np.all(np.isfinite(linear.bse)):
            raise AnalysisError(
                "The GEE has no finite standard errors (a group or wave has too few answers). "
                "Use time='months' or fewer covariates."
            )
        return linear, (linear.dependence if corr == "exchangeable" else None), []
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            if kind == "ordinal":
                # The indicators y > k of one answer are dependent however the answers
                # relate; both structures model that block exactly.  "independence":
                # answers independent (geepack's ordgee(corstr = "independence")).
                structure: Any = (
                    _GlobalOddsRatio("ordinal")
                    if corr == "exchangeable"
                    else cov_struct.OrdinalIndependence()
                )
                model: Any = OrdinalGEE(y, X.drop(columns=[intercept]), ids, cov_struct=structure)
                fit = model.fit(maxiter=100, ctol=1e-8)
            else:
                structure = {
                    "exchangeable": cov_struct.Exchangeable,
                    "independence": cov_struct.Independence,
                    "ar1": lambda: cov_struct.Autoregressive(grid=False),
                }[corr]()
                family = families.Gaussian() if kind == "gaussian" else families.Binomial()
                model = GEE(
                    y,
                    X,
                    ids,
                    time=wave_index if corr == "ar1" else None,
                    family=family,
                    cov_struct=structure,
                )
                fit = model.fit(maxiter=100, ctol=1e-8)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise AnalysisError(
                f"The GEE could not be fitted ({exc}). Remove covariates, use time='months', "
                "or combine groups."
            ) from exc
    for w in seen:
        if issubclass(w.category, ConvergenceWarning):
            caught.append(f"the GEE did not fully converge ({w.message})")
    if not np.all(np.isfinite(np.asarray(fit.bse))):
        raise AnalysisError(
            "The GEE has no finite standard errors (a group or wave has too few answers, or "
            "an outcome level is never reached). Use time='months', fewer covariates, or "
            "ordinal=False."
        )
    dependence = getattr(structure, "dep_params", None) if corr != "independence" else None
    if isinstance(dependence, np.ndarray) and dependence.size == 1:
        dependence = float(dependence.ravel()[0])
    elif isinstance(dependence, np.generic):
        dependence = float(dependence)
    return fit, dependence, sorted(set(caught))
