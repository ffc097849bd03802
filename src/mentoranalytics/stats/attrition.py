"""Attrition, honestly: who answered each wave, and does it change the answer?

* :func:`response_by_wave`: the share of each group who answered each wave (every
  participant due at the wave counts; a due participant without a row at it did
  not answer; one whose intake's follow-up has not reached the wave is not due and
  is in no denominator: see :mod:`mentoranalytics.stats._wavedata`);
* :func:`response_model`: a logistic model of answering each wave on baseline
  characteristics (who drops out?);
* :func:`attrition_sensitivity`: the complete-case estimate of a follow-up outcome
  (only those who answered) beside the inverse-probability-of-response weighted
  (IPW) estimate, which weights each answer by how unlikely such a person was to
  answer, so that the answers stand for everyone who started.  A plain sentence
  says whether the two disagree.

The weighted estimate removes the bias of dropout that is explained by what the
response model sees (baseline characteristics and, when dropout is monotone, the
previous wave's answer); it cannot correct dropout that depends on something
unmeasured.  Treat it as a sensitivity analysis, not as the truth.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from scipy import stats

from .._conventions import check_column_name, check_column_names, plain
from .._frame import as_frame, resolve_rng
from ..exceptions import AnalysisError, SmallSampleWarning
from ._result import Result
from ._wavedata import SINCE_LAST_WAVE, WaveData, not_due_note, outcome_values, wave_data
from .survival import _check_alpha
from .trajectories import ALL, WaveRateResult, _groups, _label_masks, _rate_rows

__all__ = [
    "AttritionResult",
    "ResponseModelResult",
    "ResponseResult",
    "attrition_sensitivity",
    "response_by_wave",
    "response_model",
]

#: Baseline columns used by default in response models (those present).
DEFAULT_COVARIATES = ("gender", "participant_level")


def _split_data(data: Any) -> Any:
    return data[0] if isinstance(data, tuple | list) and len(data) == 2 else data


def _default_covariates(data: Any, by: str | None) -> list[str]:
    frame = as_frame(_split_data(data))
    out = [c for c in DEFAULT_COVARIATES if c in frame.columns and frame[c].nunique() > 1]
    if by is not None and by not in out:
        out.append(by)
    return out


# ======================================================================================
# Response by wave
# ======================================================================================


@dataclass(frozen=True, kw_only=True, eq=False)
class ResponseResult(WaveRateResult):
    """Result of :func:`response_by_wave`.

    Attributes
    ----------
    table : DataFrame
        ``months, group, n, events, rate, ci_low, ci_high``: ``n`` people of the
        group due at the wave, ``events`` those who answered it.
    by : str or None
    alpha : float
    """

    _what: ClassVar[str] = "Response to each follow-up wave"
    _name: ClassVar[str] = "response"


def response_by_wave(
    data: Any, *, by: str | None = "gender", alpha: float = 0.05
) -> ResponseResult:
    """Share of each group who answered each follow-up wave.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        A cohort loaded with follow-up waves, or a pair of the cohort table and the
        follow-up table.
    by : str or None, default="gender"
        Cohort-table group column; None: everyone together (group ``"all"``).
    alpha : float, default=0.05
        1 - confidence level of the Wilson intervals.

    Returns
    -------
    ResponseResult
        ``.table``: ``months, group, n, events, rate, ci_low, ci_high``.  ``n``
        counts the participants of the group *due* at the wave: those with a row
        at it, and everyone of an intake (``cohort``) of which anyone has a row at
        it (the wave was run for that intake; without a ``cohort`` column, everyone).
        A due participant without a row, or with a row not answered, did not
        respond; one not yet due is in no ``n`` (the notes count them).

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"participant_id": ["a", "b", "c", "d"],
    ...                        "gender": ["woman", "woman", "man", "man"]})
    >>> waves = pd.DataFrame({"participant_id": ["a", "b", "c", "a"],
    ...                       "months": [6.0, 6.0, 6.0, 12.0],
    ...                       "responded": [True, True, False, True]})
    >>> response_by_wave((people, waves)).table[["months", "group", "n", "events"]].values.tolist()
    [[6.0, 'woman', 2, 2], [6.0, 'man', 2, 0], [12.0, 'woman', 2, 1], [12.0, 'man', 2, 0]]
    """
    _check_alpha(alpha)
    check_column_name(by, "by", optional=True)
    wd = wave_data(data, [by], purpose="response_by_wave")
    answered, study = wd.answered(), np.asarray(wd.months)
    if by is None:
        group = pd.Series(ALL, index=wd.people.index, dtype=object)
        order: list[Any] = [ALL]
    else:
        people_wd = WaveData(wd.people, wd.people, wd.months)
        group, order = _groups(people_wd, by)
    n_people = len(wd.people)
    months = np.repeat(study, n_people)
    groups = pd.Series(np.tile(group.to_numpy(dtype=object), study.size), dtype=object)
    y = np.where(wd.due, answered, np.nan).T.reshape(-1)
    table = _rate_rows(months, groups, y, order, list(study), alpha)
    notes = list(wd.notes)
    missing = int(group.isna().sum())
    if missing:
        notes.append(f"{missing} participant(s) with a missing {by!r} are in no group")
    notes.append(
        "every participant due at a wave counts (a row at it, or an intake that ran it); a due "
        "participant without a row did not answer"
    )
    notes += not_due_note(wd)
    return ResponseResult(
        method=f"share who answered, Wilson score {100 * (1 - alpha):g}% CI",
        table=table,
        by=by,
        alpha=float(alpha),
        notes=tuple(notes),
    )


# ======================================================================================
# Who answers? A logistic model per wave
# ======================================================================================


@dataclass(frozen=True, kw_only=True, eq=False)
class ResponseModelResult(Result):
    """Result of :func:`response_model`.

    Attributes
    ----------
    table : DataFrame
        One row per wave and term: ``months`` and the columns of
        :func:`~mentoranalytics.outcome_model`'s table (``term, measure, n,
        events, estimate, ci_low, ci_high, p_value, std_error, method``);
        ``estimate`` is the odds ratio of answering (``events`` = answered).
    covariates : tuple of str
    models : dict
        months -> the :class:`~mentoranalytics.stats.models.ModelResult` of that wave.
    """

    table: pd.DataFrame
    covariates: tuple[str, ...]
    models: dict[float, Any] = field(default_factory=dict, repr=False)
    alpha: float = 0.05

    @property
    def title(self) -> str:
        return "Who answered each wave (logistic model of responding)"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"estimates": self.table}


def response_model(
    data: Any,
    covariates: str | Sequence[str] | None = None,
    *,
    months: float | Sequence[float] | None = None,
    alpha: float = 0.05,
) -> ResponseModelResult:
    """Logistic model of answering each wave on baseline characteristics.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        As in :func:`response_by_wave`.
    covariates : str or sequence of str, optional
        Cohort-table columns.  Default: ``gender`` and ``participant_level`` when
        present and not constant.
    months : float or sequence of float, optional
        The waves to model; default every wave.
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    ResponseModelResult
        ``.table``: one row per wave and term (odds ratios of answering), fitted by
        :func:`~mentoranalytics.outcome_model` (Firth's penalised likelihood when
        events are few or a group always or never answered, as it says in
        ``method``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ids = [f"p{i}" for i in range(40)]
    >>> people = pd.DataFrame({"participant_id": ids, "gender": ["woman", "man"] * 20})
    >>> waves = pd.DataFrame({"participant_id": ids, "months": 12.0,
    ...                       "responded": [True, True, True, False] * 10})
    >>> res = response_model((people, waves), "gender")
    >>> res.table[["months", "term", "n", "events"]].values.tolist()
    [[12.0, 'intercept', 40, 30], [12.0, 'gender[woman]', 20, 20]]
    """
    from .models import outcome_model

    _check_alpha(alpha)
    covs = (
        _default_covariates(data, None)
        if covariates is None
        else check_column_names(covariates, "covariates")
    )
    if not covs:
        raise AnalysisError(
            "response_model needs at least one baseline column in covariates (none of the "
            f"defaults {list(DEFAULT_COVARIATES)} varies in the cohort table)."
        )
    wd = wave_data(data, covs, purpose="response_model")
    answered, study = wd.answered(), np.asarray(wd.months)
    wanted = study if months is None else np.atleast_1d(np.asarray(months, dtype=float))
    unknown = [plain(m) for m in wanted if m not in study]
    if unknown:
        raise AnalysisError(
            f"months={unknown} is not a wave of the follow-up; waves: {[plain(m) for m in study]}."
        )
    parts = []
    models: dict[float, Any] = {}
    notes = list(wd.notes)
    caught: list[str] = []
    notes += not_due_note(wd, list(wanted))
    for m in wanted:
        k = int(np.searchsorted(study, m))
        frame = wd.people.loc[wd.due[:, k], covs].copy()
        frame["responded"] = answered[wd.due[:, k], k]
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            res = outcome_model(frame, "responded", covs, alpha=alpha)
        caught += [f"{m:g} months: {w.message}" for w in seen]
        models[float(m)] = res
        table = res.table.copy()
        table.insert(0, "months", float(m))
        parts.append(table)
        notes += [f"{m:g} months: {n}" for n in res.notes]
    for w in caught:
        warnings.warn(w, SmallSampleWarning, stacklevel=2)
    methods = sorted({str(t["method"].iloc[0]) for t in parts})
    return ResponseModelResult(
        method="; ".join(methods),
        table=pd.concat(parts, ignore_index=True),
        covariates=tuple(covs),
        models=models,
        alpha=float(alpha),
        notes=tuple(notes),
        warnings=tuple(caught),
    )


# ======================================================================================
# Complete cases beside inverse-probability-of-response weights
# ======================================================================================

_PHRASES = {
    "promoted": "promoted by {m} months",
    "role_change": "changed role by {m} months",
    "employer_change": "changed employer by {m} months",
    "joined_mentor_organisation": "working in the mentor's organisation at {m} months",
    "in_contact_with_mentor": "still in contact with their mentor at {m} months",
    "current_level": "the mean level at {m} months",
    "career_satisfaction": "the mean career satisfaction at {m} months",
}

COMPARISON_COLUMNS = (
    "group",
    "complete_case",
    "weighted",
    "difference",
    "margin",
    "outside_ci",
    "disagree",
)


@dataclass(frozen=True, kw_only=True, eq=False)
class AttritionResult(Result):
    """Result of :func:`attrition_sensitivity`.

    Attributes
    ----------
    table : DataFrame
        Two rows per group: ``group, analysis`` (``complete_case`` or ``weighted``),
        ``months, n, events, estimate, ci_low, ci_high, method``.  ``n`` counts the
        people who answered (the same for both rows; the weighted row makes them
        stand for the ``n_people`` of the group, given in ``weights``).
    comparison : DataFrame
        One row per group: ``group, complete_case, weighted, difference`` (weighted
        minus complete case), ``margin``, ``outside_ci`` (the weighted estimate lies
        outside the complete-case interval), ``disagree`` (outside the interval or
        a difference of at least the margin).
    weights : DataFrame
        One row per group: ``group, n_people, n, min, max, mean, n_truncated,
        effective_n`` of the stabilised weights of those who answered.
    outcome, by, months, kind, response_design, covariates, ci, rng, alpha
        What was estimated and how.  ``response_design`` is ``"sequential"``
        (monotone dropout: answering each wave given the previous one, with the
        previous answer as a predictor) or ``"baseline"``.
    person_weights : DataFrame
        ``participant_id, group, y, weight`` of the people who answered.
    """

    table: pd.DataFrame
    comparison: pd.DataFrame
    weights: pd.DataFrame
    outcome: str
    by: str | None
    months: float
    kind: str
    response_design: str
    covariates: tuple[str, ...]
    ci: str
    rng: Any = None
    alpha: float = 0.05
    person_weights: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @property
    def title(self) -> str:
        return f"Attrition sensitivity: {self.outcome} at {self.months:g} months"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"estimates": self.table, "comparison": self.comparison, "weights": self.weights}

    @property
    def disagree(self) -> bool:
        """Whether the weighted estimate disagrees with the complete cases in any group."""
        return bool(self.comparison["disagree"].any())

    def _fmt(self, value: Any) -> str:
        x = float(value)
        if not np.isfinite(x):
            return "no estimate"
        return f"{100 * x:.0f}%" if self.kind == "rate" else f"{x:.1f}"

    def _who(self, group: Any) -> str:
        if group == ALL:
            return ""
        if self.by == "gender" and isinstance(group, str):
            return _GENDER_WORDS.get(group, group)
        if isinstance(group, bool | np.bool_):
            return f"{self.by} {'yes' if group else 'no'}"
        return f"{self.by} {group}"

    @property
    def sentence(self) -> str:
        """Plain words for a course leader: do the people who answered tell the whole story?"""
        level = f"{100 * (1 - self.alpha):g}%"
        months = f"{self.months:g}"
        what = _PHRASES.get(self.outcome, f"{self.outcome} at {{m}} months").format(m=months)
        weights = self.weights.set_index("group")
        est = self.table.set_index(["group", "analysis"])
        parts = []
        for row in self.comparison.itertuples(index=False):
            g = row.group
            w = weights.loc[g]
            cc, ipw = self._fmt(row.complete_case), self._fmt(row.weighted)
            lo = self._fmt(est.loc[(g, "weighted"), "ci_low"])
            hi = self._fmt(est.loc[(g, "weighted"), "ci_high"])
            who = self._who(g)
            answered = f"{int(w['n'])} of {int(w['n_people'])} answered"
            lead = f"{who}: {answered}" if who else answered
            found = f"{cc} were {what}" if self.kind == "rate" else f"{what} was {cc}"
            if row.disagree:
                parts.append(
                    f"{lead}; among them {found}, but with the answers weighted to stand for "
                    f"everyone who started it is {ipw} ({level} CI {lo} to {hi})"
                )
            else:
                parts.append(f"{lead}; {cc} among them, {ipw} weighted")
        body = "; ".join(parts)
        body = body[0].upper() + body[1:]
        if self.disagree:
            return (
                f"The people who answered the {months}-month survey do not tell the whole "
                f"story ({what}). {body}. Those who stopped answering seem to differ from "
                "those who stayed, so read the figures from the answers alone with caution."
            )
        return (
            f"Weighting the answers of the {months}-month survey to stand for everyone who "
            f"started changes little ({what}). {body}."
        )


_GENDER_WORDS = {
    "woman": "women",
    "man": "men",
    "non_binary": "non-binary participants",
    "self_described": "participants who self-described their gender",
    "not_stated": "participants who did not state their gender",
}


def ever_by_wave(Y: np.ndarray, answered: np.ndarray) -> np.ndarray:
    """Ever yes by each wave, from answers recorded "since the previous answered wave".

    ``Y`` (people x waves) holds the answers (NaN: none); ``answered`` the waves
    answered.  Yes when any answered wave up to the wave said yes; no when the
    person answered the wave and every answered wave up to it said no (an answered
    wave that left the question empty leaves a gap a later no does not cover, as
    in :func:`~mentoranalytics.promotion_intervals`); NaN otherwise.

    >>> Y = np.array([[0, np.nan, 1.0], [np.nan, 0, 0], [0, np.nan, 0]])
    >>> answered = np.array([[1, 0, 1], [1, 1, 1], [1, 1, 1]], dtype=bool)
    >>> ever_by_wave(Y, answered).tolist()
    [[0.0, nan, 1.0], [nan, nan, nan], [0.0, nan, nan]]
    """
    said = answered & ~np.isnan(Y)
    yes = np.maximum.accumulate(np.where(said, Y, 0.0), axis=1) == 1
    gap = np.logical_or.accumulate(answered & np.isnan(Y), axis=1)
    return np.where(answered & yes, 1.0, np.where(said & ~gap, 0.0, np.nan))


def _fit_response(X: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Fitted probabilities of answering from a logistic model (drops constant columns)."""
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    if r.all() or not r.any():
        return np.full(r.size, float(r.mean())), []
    keep = [0] + [j for j in range(1, X.shape[1]) if np.ptp(X[:, j]) > 0]
    Xk = X[:, keep]
    # a column that another determines would make the fit singular: keep independent ones
    q, rmat = np.linalg.qr(Xk)
    independent = np.abs(np.diag(rmat)) > 1e-10 * max(1.0, np.abs(rmat).max())
    Xk = Xk[:, independent]
    caught: list[str] = []
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        fit = GLM(r.astype(float), Xk, family=Binomial()).fit(tol=1e-10, maxiter=100)
    if any("separation" in str(w.message).lower() for w in seen):
        caught.append(
            "a baseline column perfectly predicts who answered at a wave: weights there rest "
            "on probabilities near 0 or 1 (truncation limits them)"
        )
    return np.asarray(fit.fittedvalues, dtype=float), caught


def _ipw(
    X: np.ndarray,
    observed: np.ndarray,
    y: np.ndarray,
    t: int,
    sequential: bool,
    truncate: float | None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Stabilised, truncated weights of the people observed at wave ``t`` (others 0).

    Also returns which weights were truncated.
    """
    n = observed.shape[0]
    p = np.ones(n)
    caught: list[str] = []
    if sequential:
        at_risk = np.ones(n, dtype=bool)
        for k in range(t + 1):
            design = X[at_risk]
            if k > 0:
                design = np.column_stack([design, y[at_risk, k - 1]])
            fitted, c = _fit_response(design, observed[at_risk, k])
            caught += c
            p[at_risk] *= fitted
            at_risk = at_risk & observed[:, k]
    else:
        fitted, c = _fit_response(X, observed[:, t])
        caught += c
        p = fitted
    answered = observed[:, t]
    with np.errstate(divide="ignore"):
        w = np.where(answered, answered.mean() / p, 0.0)
    truncated = np.zeros(n, dtype=bool)
    if truncate is not None and answered.sum() > 1:
        low, high = np.quantile(w[answered], [truncate, 1 - truncate])
        clipped = np.clip(w, low, high)
        truncated = answered & (clipped != w)
        w = np.where(answered, clipped, 0.0)
    return w, truncated, sorted(set(caught))


def _weighted_mean_ci(y: np.ndarray, w: np.ndarray, z: float) -> tuple[float, float, float]:
    """Hajek mean with the linearisation (sandwich) SE, as survey's ``svymean``."""
    total = w.sum()
    mu = float(np.sum(w * y) / total)
    n = y.size
    if n < 2:
        return mu, np.nan, np.nan
    se = float(np.sqrt(n / (n - 1) * np.sum((w * (y - mu)) ** 2)) / total)
    return mu, mu - z * se, mu + z * se


def attrition_sensitivity(
    data: Any,
    outcome: str = "promoted",
    *,
    at_months: float | None = None,
    by: str | None = None,
    covariates: str | Sequence[str] | None = None,
    previous: bool = True,
    truncate: float | None = 0.01,
    ci: Literal["sandwich", "bootstrap"] = "sandwich",
    n_boot: int = 500,
    margin: float | None = None,
    rng: Any = None,
    alpha: float = 0.05,
) -> AttritionResult:
    """Complete-case estimate beside the inverse-probability-of-response weighted one.

    The complete-case estimate uses the people who answered the wave as they are.
    The weighted (IPW) estimate gives each of them the weight 1 / (estimated
    probability that someone like them answered), from logistic models of
    answering on baseline characteristics; when dropout is monotone (nobody comes
    back after missing a wave) answering each wave is modelled among those who
    answered the one before, with their previous answer as a predictor, so dropout
    that follows a person's own career so far is corrected as well.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        As in :func:`response_by_wave`.
    outcome : str, default="promoted"
        A follow-up outcome.  ``promoted``, ``role_change`` and
        ``employer_change`` (recorded since the previous wave) are read as "ever,
        by this wave" (yes at any answered wave up to it); other yes/no outcomes and
        scores are read at the wave itself.
    at_months : float, optional
        The wave (months); default the last wave.
    by : str, optional
        A cohort-table group column: one estimate per group (the group also enters
        the response model).  None: everyone together.
    covariates : str or sequence of str, optional
        Baseline columns of the response model; default ``gender`` and
        ``participant_level`` when present.  People with a missing covariate are
        left out of both estimates (counted in the notes).
    previous : bool, default=True
        Use the previous wave's answer in the response model when dropout is
        monotone (otherwise the baseline model is used and a note says why).
    truncate : float or None, default=0.01
        Weights are stabilised (multiplied by the share who answered) and truncated
        at this quantile and its complement (0.01: the 1st and 99th percentiles);
        None: no truncation.
    ci : {"sandwich", "bootstrap"}, default="sandwich"
        Interval of the weighted estimate: Wald with the linearisation (sandwich)
        standard error, weights taken as known (as R's ``survey::svymean``), or a
        percentile bootstrap over people that refits the response models
        (``n_boot`` resamples, seeded by ``rng``).
    n_boot : int, default=500
    margin : float, optional
        A difference (weighted minus complete case) this large counts as a
        disagreement even inside the interval.  Default 0.05 (5 percentage points)
        for a rate, 0.25 for a score.
    rng : None, int or numpy.random.Generator
        Seed of the bootstrap (None: the fixed seed 0); recorded on the result.
    alpha : float, default=0.05
        1 - confidence level.

    Returns
    -------
    AttritionResult
        ``.table`` (complete-case and weighted estimates), ``.comparison``,
        ``.weights``, ``.sentence`` (plain words) and ``.disagree``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ids = [f"p{i}" for i in range(8)]
    >>> people = pd.DataFrame({"participant_id": ids, "gender": ["woman", "man"] * 4})
    >>> waves = pd.DataFrame({"participant_id": ids, "months": 12.0,
    ...     "promoted": [True, True, False, None, True, False, None, None]})
    >>> res = attrition_sensitivity((people, waves), "promoted", covariates="gender",
    ...                             truncate=None)
    >>> res.table[["analysis", "n", "events"]].values.tolist()
    [['complete_case', 5, 3], ['weighted', 5, 3]]

    Women answered 3 of 4 (weight 4/3), men 2 of 4 (weight 2): the weighted share is
    (4/3 x 2 + 2 x 1) / (4/3 x 3 + 2 x 2) = 7/12.

    >>> [round(x, 4) for x in res.table["estimate"]]
    [0.6, 0.5833]
    """
    _check_alpha(alpha)
    check_column_name(outcome, "outcome")
    check_column_name(by, "by", optional=True)
    if ci not in ("sandwich", "bootstrap"):
        raise AnalysisError(f"ci must be 'sandwich' or 'bootstrap'; got {ci!r}.")
    if truncate is not None and not (
        isinstance(truncate, int | float) and not isinstance(truncate, bool) and 0 <= truncate < 0.5
    ):
        raise AnalysisError(
            f"truncate must be a quantile from 0 to below 0.5 (e.g. 0.01) or None; got {truncate!r}."
        )
    if not isinstance(n_boot, int | np.integer) or isinstance(n_boot, bool) or n_boot < 20:
        raise AnalysisError(f"n_boot must be a whole number of at least 20; got {n_boot!r}.")
    generator, rng_record = resolve_rng(rng)
    covs = (
        _default_covariates(data, by)
        if covariates is None
        else check_column_names(covariates, "covariates")
    )
    if by is not None and by not in covs:
        covs = [*covs, by]
    wd = wave_data(data, covs, purpose="attrition_sensitivity")
    notes = list(wd.notes)
    answered, study = wd.answered(), np.asarray(wd.months)
    t = len(study) - 1 if at_months is None else int(np.searchsorted(study, float(at_months)))
    if at_months is not None and (t >= len(study) or study[t] != float(at_months)):
        raise AnalysisError(
            f"at_months={plain(at_months)!r} is not a wave of the follow-up; waves: "
            f"{[plain(m) for m in study]}."
        )
    at = float(study[t])
    # the outcome per person and wave (NaN when not answered)
    values, kind_y = outcome_values(wd.waves, outcome)
    row, col = wd.cells()
    Y = np.full(answered.shape, np.nan)
    responded = wd.waves["responded"].to_numpy(dtype=bool)
    Y[row[responded], col[responded]] = values[responded]
    if outcome in SINCE_LAST_WAVE and kind_y == "binary":
        Y = ever_by_wave(Y, answered)
        notes.append(
            f"{outcome!r} is read as ever {outcome} by the wave: yes at any answered wave up to "
            "it; no when every answered wave up to it said no (each answer covers the time "
            "since the previous answered wave)"
        )
    # only the people due at the wave; the response model runs over the waves all of
    # them were due at
    due_t = wd.due[:, t]
    notes += not_due_note(wd, [at])
    chain = [k for k in range(t + 1) if wd.due[due_t, k].all()]
    if len(chain) < t + 1:
        notes.append(
            "waves not run for every intake due at "
            f"{at:g} months ({[plain(study[k]) for k in range(t) if k not in chain]}) are left "
            "out of the response model"
        )
    observed = ~np.isnan(Y[:, chain])
    Y = Y[:, chain]
    t = len(chain) - 1
    # the baseline design
    from .models import _build_design

    base = wd.people[covs]
    complete = base.notna().all(axis=1).to_numpy()
    if not complete[due_t].all():
        notes.append(
            f"{int((~complete & due_t).sum())} participant(s) with a missing baseline column "
            f"({covs}) left out of both estimates"
        )
    complete = complete & due_t
    design = _build_design(base[complete].reset_index(drop=True), covs, {}, None, intercept=True)
    X = design.X.to_numpy(dtype=float)
    observed, Y = observed[complete], Y[complete]
    monotone = bool(np.all(np.diff(observed.astype(int), axis=1) <= 0))
    sequential = bool(previous and monotone and t > 0)
    if previous and t > 0 and not monotone:
        notes.append(
            "some people answered again after missing a wave (dropout is not monotone): the "
            "response model uses baseline characteristics only"
        )
    if not observed[:, t].any():
        raise AnalysisError(f"No one answered {outcome!r} at {at:g} months: no estimate.")
    if by is None:
        groups = pd.Series(ALL, index=range(int(complete.sum())), dtype=object)
        order: list[Any] = [ALL]
    else:
        groups, order = _groups(WaveData(wd.people, wd.people, wd.months), by)
        groups = groups[complete].reset_index(drop=True).astype(object)
        order = [g for g, m in zip(order, _label_masks(groups, order), strict=True) if m.any()]
    masks = _label_masks(groups, order)
    kind = "rate" if kind_y == "binary" else "mean"
    if margin is None:
        margin = 0.05 if kind == "rate" else 0.25
    z = float(stats.norm.isf(alpha / 2))

    w, truncated, caught = _ipw(X, observed, Y, t, sequential, truncate)
    y_t = Y[:, t]
    ans = observed[:, t]
    boot: np.ndarray | None = None
    if ci == "bootstrap":
        boot = np.full((n_boot, len(order)), np.nan)
        n = X.shape[0]
        for b in range(n_boot):
            pick = generator.integers(0, n, n)
            obs_b = observed[pick]
            if not obs_b[:, t].any():
                continue
            wb, _, _ = _ipw(X[pick], obs_b, Y[pick], t, sequential, truncate)
            for j, mask in enumerate(masks):
                sel = mask[pick] & obs_b[:, t]
                if sel.any():
                    boot[b, j] = np.sum(wb[sel] * Y[pick, t][sel]) / np.sum(wb[sel])

    rows, comparison, weight_rows = [], [], []
    from .rates import proportion_ci

    for j, g in enumerate(order):
        in_g = masks[j]
        sel = in_g & ans
        n = int(sel.sum())
        yy = y_t[sel]
        events = int(yy.sum()) if kind == "rate" else None
        if n == 0:
            cc, lo, hi = np.nan, np.nan, np.nan
        elif kind == "rate":
            cc = float(yy.mean())
            lo, hi = (float(v) for v in proportion_ci(int(yy.sum()), n, alpha=alpha))
        else:
            cc = float(yy.mean())
            half = (
                float(stats.t.isf(alpha / 2, n - 1) * yy.std(ddof=1) / np.sqrt(n))
                if n > 1
                else np.nan
            )
            lo, hi = cc - half, cc + half
        cc_method = (
            f"complete cases, Wilson score {100 * (1 - alpha):g}% CI"
            if kind == "rate"
            else f"complete cases, t {100 * (1 - alpha):g}% CI"
        )
        if n:
            ipw, wlo, whi = _weighted_mean_ci(yy, w[sel], z)
        else:
            ipw, wlo, whi = np.nan, np.nan, np.nan
        if boot is not None:
            col_b = boot[:, j]
            col_b = col_b[np.isfinite(col_b)]
            if col_b.size >= 20:
                wlo, whi = (float(v) for v in np.quantile(col_b, [alpha / 2, 1 - alpha / 2]))
            else:
                wlo, whi = np.nan, np.nan
            w_method = (
                f"inverse-probability-of-response weighted, percentile bootstrap "
                f"{100 * (1 - alpha):g}% CI ({n_boot} resamples of people, response models refitted)"
            )
        else:
            w_method = (
                "inverse-probability-of-response weighted, linearisation (sandwich) SE with the "
                f"weights taken as known, Wald {100 * (1 - alpha):g}% CI"
            )
        if kind == "rate":
            wlo, whi = max(0.0, wlo), min(1.0, whi)
        rows.append((g, "complete_case", at, n, events, cc, lo, hi, cc_method))
        rows.append((g, "weighted", at, n, events, ipw, wlo, whi, w_method))
        diff = ipw - cc
        outside = bool(n and (ipw < lo or ipw > hi))
        disagree = bool(outside or (np.isfinite(diff) and abs(diff) >= margin))
        comparison.append((g, cc, ipw, diff, float(margin), outside, disagree))
        ws = w[sel]
        weight_rows.append(
            (
                g,
                int(in_g.sum()),
                n,
                float(ws.min()) if n else np.nan,
                float(ws.max()) if n else np.nan,
                float(ws.mean()) if n else np.nan,
                int(truncated[sel].sum()),
                float(ws.sum() ** 2 / np.sum(ws**2)) if n else np.nan,
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "group",
            "analysis",
            "months",
            "n",
            "events",
            "estimate",
            "ci_low",
            "ci_high",
            "method",
        ],
    )
    table["group"] = table["group"].astype(object)
    table["events"] = table["events"].astype("Int64")
    comp = pd.DataFrame(comparison, columns=list(COMPARISON_COLUMNS))
    comp["group"] = comp["group"].astype(object)
    weights_table = pd.DataFrame(
        weight_rows,
        columns=["group", "n_people", "n", "min", "max", "mean", "n_truncated", "effective_n"],
    )
    weights_table["group"] = weights_table["group"].astype(object)
    design_name = "sequential" if sequential else "baseline"
    notes.append(
        "response model: "
        + (
            "answering each wave among those who answered the one before, on "
            f"{covs} and the previous answer (dropout is monotone)"
            if sequential
            else f"answering the wave on {covs}"
        )
        + "; weights stabilised"
        + (f" and truncated at the {truncate:g} and {1 - truncate:g} quantiles" if truncate else "")
    )
    notes.append(
        f"a disagreement: the weighted estimate outside the complete-case interval, or a "
        f"difference of at least {margin:g}"
    )
    notes.append(
        "the weights correct dropout explained by the response model's columns only; dropout "
        "that depends on something unmeasured is not corrected"
    )
    warn = list(caught)
    if int(ans.sum()) < 30:
        warn.append(
            f"only {int(ans.sum())} people answered at {at:g} months: the response model "
            "and the weights are very uncertain"
        )
    for message in warn:
        warnings.warn(message, SmallSampleWarning, stacklevel=2)
    person = pd.DataFrame(
        {
            "participant_id": wd.people["participant_id"].to_numpy(dtype=object)[complete][ans],
            "group": groups.to_numpy(dtype=object)[ans],
            "y": y_t[ans],
            "weight": w[ans],
        }
    )
    return AttritionResult(
        method=(
            "complete cases beside inverse-probability-of-response weights (stabilised, "
            f"{'truncated' if truncate else 'not truncated'}; {design_name} logistic response "
            "model)"
        ),
        table=table,
        comparison=comp,
        weights=weights_table,
        outcome=outcome,
        by=by,
        months=float(at),
        kind=kind,
        response_design=design_name,
        covariates=tuple(covs),
        ci=ci,
        rng=rng_record,
        alpha=float(alpha),
        person_weights=person,
        notes=tuple(notes),
        warnings=tuple(warn),
    )
