"""Simulated cohorts in the canonical schema, with documented, adjustable effects.

:func:`simulate_cohort` draws participants of a mentoring programme and follows them
up: who they are, whether and how they found a mentor, and what happened to their
careers.  The effects that analyses look for (women choosing in-network mentors more
often, boldness raising the odds of promotion, cold approaches meeting more refusals,
a gender gap in promotion, censored follow-up) are fields of
:class:`SimulationEffects`, so power planning can switch them on, off or up.

The generative model, row by row (all steps vectorised with numpy):

1. ``cohort``: each participant joins one of the cohorts with equal probability; rows
   are sorted by cohort and numbered ``P0001``, ``P0002``, ... in that order.
2. ``gender``, ``employment``, ``participant_level`` from their marginal
   probabilities; ``goals_defined`` with probability ``goals_defined_rate``.
3. A latent, unrecorded *propensity to be bold* ``z ~ N(0, 1)``.
4. ``mentor_secured`` with probability ``mentor_secured_rate``.  Without a mentor, all
   mentor fields and the mentor outcomes (``joined_mentor_organisation``,
   ``in_contact_with_mentor``, ``discussed_setbacks``) are empty; the participant may
   still have asked people (``mentors_approached``), most of whom declined.
5. In network or not: ``logit P(in network) = logit(in_network_rate)
   + log(women_in_network_odds_ratio) * woman - 0.8 z``.
6. ``mentor_relation``: in the network, an employed participant's mentor is their
   line manager (35%), someone else in the organisation (30%) or an existing outside
   contact (35%); a self-employed participant (or employment ``other``) has no line
   manager (15% same organisation, 85% existing contact).  Outside the network the
   mentor had no prior tie with ``logit P = logit(0.4) + 0.8 z``, else was introduced.
   ``mentor_in_network`` follows the relation.
7. ``approach`` given the relation: line manager (assigned 30%, existing relationship
   50%, asked in person 20%); same organisation (15%, 35%, 50%); existing contact
   (existing relationship 60%, asked in person 40%); introduced -> warm introduction;
   no prior tie -> cold approach.
8. ``mentor_level = clip(participant_level + round(g), 1, 6)`` with
   ``g ~ N(mu_relation + 0.5 z + women_seniority_gap_shift * woman, 0.9)`` and
   ``mu_relation`` = 1.0, 1.2, 1.4, 1.8, 2.2 in relation order; a line manager sits at
   least one level up (within the scale).
9. ``mentor_gender``: woman with probability ``women_mentor_share_for_women`` (women
   participants) or ``women_mentor_share_for_men`` (everyone else), 1% non_binary,
   1% not_stated, otherwise man.
10. ``refusals``: each ask is declined with the approach's refusal rate until one is
    accepted (geometric); ``mentors_approached = refusals + 1`` (+1 for 10% who had a
    second ask still open); an assigned mentor needs no asks (0 and 0).
    ``days_to_secure``: gamma with shape ``asks`` and scale ``mean_days_per_ask``
    times 1.5 (cold), 1.2 (warm), 0.8 (in person), 0.5 (existing); assigned: mean 7.
11. Promotion: the boldness index ``b`` (equal weights, as :func:`mentoranalytics.boldness`)
    sets ``logit p = logit(promotion_rate) + boldness_promotion_log_odds (b - 0.5)
    + women_promotion_log_odds * woman + goals_promotion_log_odds * goals_defined``
    (+ ``no_mentor_promotion_log_odds`` instead of the boldness term without a mentor),
    where ``p`` is the probability of promotion within ``promotion_horizon_months``.
    The time to promotion is exponential with that horizon probability;
    ``promoted`` = it falls within follow-up, ``months_to_promotion`` is then that time.
12. Follow-up: the latest cohort is followed ``followup_months_latest`` months and
    each earlier one ``followup_months_per_cohort`` more; a share
    ``loss_to_followup_rate`` is lost earlier, uniformly between 10% and 100% of it.
13. ``level_after``: promoted -> one level up (two for 12%), within the scale;
    otherwise the same level (one down for 3%).  ``role_change``: 75% of the
    promoted, 20% of the others.  ``completed_programme``: ``completion_rate`` with a
    mentor, 80% of it without.  Mentor outcomes: joined the mentor's organisation 7%
    (mentors outside the organisation only); still in contact 80% (in network) / 55%;
    discussed setbacks 65% / 50%.  ``career_satisfaction`` (1-5) from a latent score
    that rises with promotion, a role change and having a mentor.
14. ``missing_rate``: each optional answer (``goals_defined``, ``mentor_relation`` --
    ``mentor_in_network`` stays --, ``mentor_gender``, ``days_to_secure``,
    ``role_change``, ``in_contact_with_mentor``, ``discussed_setbacks``,
    ``level_after``, ``career_satisfaction``) is left empty with this probability.

>>> frame = simulate_cohort(5, rng=1)
>>> frame.shape
(5, 25)
>>> frame["participant_id"].tolist()
['P0001', 'P0002', 'P0003', 'P0004', 'P0005']
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .._conventions import deprecated_argument
from ..boldness import DISTANCE_SCORES, INITIATION_SCORES
from ..exceptions import AnalysisError

__all__ = ["DEFAULT_WAVE_MONTHS", "SimulationEffects", "simulate_cohort", "simulate_waves"]

FIRST_YEAR = 2019

_PROBABILITY_FIELDS: dict[str, tuple[str, ...]] = {
    "gender_probabilities": schema.GENDERS,
    "employment_probabilities": schema.EMPLOYMENT,
    "level_probabilities": tuple(str(k) for k in schema.LEVEL_LABELS),
}
_RATE_FIELDS = (
    "goals_defined_rate",
    "mentor_secured_rate",
    "in_network_rate",
    "women_mentor_share_for_women",
    "women_mentor_share_for_men",
    "promotion_rate",
    "completion_rate",
    "loss_to_followup_rate",
)
_BELOW_ONE_FIELDS = (
    "cold_approach_refusal_rate",
    "warm_introduction_refusal_rate",
    "asked_in_person_refusal_rate",
    "existing_relationship_refusal_rate",
    "missing_rate",
)
_POSITIVE_FIELDS = (
    "women_in_network_odds_ratio",
    "mean_days_per_ask",
    "promotion_horizon_months",
    "followup_months_latest",
)
_NON_NEGATIVE_FIELDS = ("followup_months_per_cohort",)


@dataclass(frozen=True)
class SimulationEffects:
    """Adjustable parameters of :func:`simulate_cohort` (see the module docstring).

    Parameters
    ----------
    gender_probabilities : tuple of float, default=(0.52, 0.44, 0.02, 0.0, 0.02)
        Shares of ``woman, man, non_binary, self_described, not_stated``; sum to 1.
    employment_probabilities : tuple of float, default=(0.80, 0.12, 0.08)
        Shares of ``employed, self_employed, other``.
    level_probabilities : tuple of float, default=(0.08, 0.27, 0.35, 0.20, 0.08, 0.02)
        Shares of participant levels 1-6.
    goals_defined_rate : float, default=0.6
        Probability of writing down goals.
    mentor_secured_rate : float, default=0.85
        Probability of securing a mentor.
    in_network_rate : float, default=0.55
        Probability that a man of average boldness propensity chooses a mentor inside
        his network.
    women_in_network_odds_ratio : float, default=1.8
        Odds ratio of an in-network mentor, women vs everyone else (1 = no effect).
    women_seniority_gap_shift : float, default=-0.3
        Shift in levels of women's mentors' seniority (0 = no effect).
    cold_approach_refusal_rate, warm_introduction_refusal_rate, asked_in_person_refusal_rate, existing_relationship_refusal_rate : float
        Probability that one ask of that kind is declined; defaults 0.5, 0.25, 0.15,
        0.05; must be below 1.
    mean_days_per_ask : float, default=14.0
        Mean days one ask takes (scaled by approach).
    women_mentor_share_for_women, women_mentor_share_for_men : float
        Probability that the mentor is a woman; defaults 0.55 and 0.30.
    promotion_rate : float, default=0.35
        Probability of promotion within ``promotion_horizon_months`` for a man with a
        mentor of boldness index 0.5 who did not write down goals.
    promotion_horizon_months : float, default=36.0
        Horizon of ``promotion_rate`` and of the log odds below.
    boldness_promotion_log_odds : float, default=1.0
        Change in the log odds of promotion per unit of boldness index (0 to 1).
    women_promotion_log_odds : float, default=-0.3
        Gender gap: log odds of promotion, women vs everyone else.
    no_mentor_promotion_log_odds : float, default=-0.4
        Log odds of promotion without a mentor, vs a mentor of boldness 0.5.
    goals_promotion_log_odds : float, default=0.4
        Log odds of promotion for written goals.
    completion_rate : float, default=0.9
        Probability of completing the programme with a mentor (80% of it without).
    followup_months_latest : float, default=12.0
        Follow-up of the latest cohort, in months.
    followup_months_per_cohort : float, default=12.0
        Additional follow-up of each earlier cohort.
    loss_to_followup_rate : float, default=0.1
        Share lost to follow-up early (censored sooner).
    missing_rate : float, default=0.0
        Probability that an optional answer is left empty.

    Examples
    --------
    >>> SimulationEffects().women_in_network_odds_ratio
    1.8
    >>> SimulationEffects.null().boldness_promotion_log_odds
    0.0
    """

    gender_probabilities: tuple[float, ...] = (0.52, 0.44, 0.02, 0.0, 0.02)
    employment_probabilities: tuple[float, ...] = (0.80, 0.12, 0.08)
    level_probabilities: tuple[float, ...] = (0.08, 0.27, 0.35, 0.20, 0.08, 0.02)
    goals_defined_rate: float = 0.6
    mentor_secured_rate: float = 0.85
    in_network_rate: float = 0.55
    women_in_network_odds_ratio: float = 1.8
    women_seniority_gap_shift: float = -0.3
    cold_approach_refusal_rate: float = 0.5
    warm_introduction_refusal_rate: float = 0.25
    asked_in_person_refusal_rate: float = 0.15
    existing_relationship_refusal_rate: float = 0.05
    mean_days_per_ask: float = 14.0
    women_mentor_share_for_women: float = 0.55
    women_mentor_share_for_men: float = 0.30
    promotion_rate: float = 0.35
    promotion_horizon_months: float = 36.0
    boldness_promotion_log_odds: float = 1.0
    women_promotion_log_odds: float = -0.3
    no_mentor_promotion_log_odds: float = -0.4
    goals_promotion_log_odds: float = 0.4
    completion_rate: float = 0.9
    followup_months_latest: float = 12.0
    followup_months_per_cohort: float = 12.0
    loss_to_followup_rate: float = 0.1
    missing_rate: float = 0.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in _PROBABILITY_FIELDS:
                self._check_probabilities(f.name, value)
            elif not _is_real(value) or not math.isfinite(value):
                raise AnalysisError(
                    f"effects field {f.name!r} must be a finite number; got {value!r}."
                )
        for name in _RATE_FIELDS:
            self._check_range(name, 0.0, 1.0, "between 0 and 1")
        for name in _BELOW_ONE_FIELDS:
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise AnalysisError(
                    f"effects field {name!r} must be at least 0 and below 1; got {value!r}."
                )
        for name in _POSITIVE_FIELDS:
            if not getattr(self, name) > 0:
                raise AnalysisError(
                    f"effects field {name!r} must be greater than 0; got {getattr(self, name)!r}."
                )
        for name in _NON_NEGATIVE_FIELDS:
            if not getattr(self, name) >= 0:
                raise AnalysisError(
                    f"effects field {name!r} must be 0 or more; got {getattr(self, name)!r}."
                )

    def _check_range(self, name: str, low: float, high: float, text: str) -> None:
        value = getattr(self, name)
        if not low <= value <= high:
            raise AnalysisError(f"effects field {name!r} must be {text}; got {value!r}.")

    def _check_probabilities(self, name: str, value: Any) -> None:
        labels = _PROBABILITY_FIELDS[name]
        message = (
            f"effects field {name!r} must be {len(labels)} non-negative numbers summing to 1, "
            f"one for each of {list(labels)}; got {value!r}."
        )
        if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
            raise AnalysisError(message)
        values = list(value)
        if len(values) != len(labels) or not all(_is_real(v) for v in values):
            raise AnalysisError(message)
        array = np.asarray(values, dtype=float)
        if not np.all(np.isfinite(array)) or np.any(array < 0) or abs(array.sum() - 1) > 1e-6:
            raise AnalysisError(message)
        object.__setattr__(self, name, tuple(float(v) for v in values))

    @classmethod
    def null(cls) -> SimulationEffects:
        """Effects with no gender differences and no effect on promotion.

        Women and men choose mentors alike (odds ratio 1, no seniority shift, the
        same mentor-gender shares) and boldness, gender, goals and having a mentor do
        not change the odds of promotion.  Refusal rates still differ by approach.
        """
        base = cls()
        return replace(
            base,
            women_in_network_odds_ratio=1.0,
            women_seniority_gap_shift=0.0,
            women_mentor_share_for_women=base.women_mentor_share_for_men,
            boldness_promotion_log_odds=0.0,
            women_promotion_log_odds=0.0,
            no_mentor_promotion_log_odds=0.0,
            goals_promotion_log_odds=0.0,
        )


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _resolve_effects(effects: Any) -> SimulationEffects:
    if effects is None:
        return SimulationEffects()
    if isinstance(effects, SimulationEffects):
        return effects
    if isinstance(effects, Mapping):
        names = [f.name for f in fields(SimulationEffects)]
        unknown = [str(k) for k in effects if k not in names]
        if unknown:
            hints = []
            for key in unknown:
                close = difflib.get_close_matches(key, names, n=1)
                hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise AnalysisError(f"Unknown effects field(s): {', '.join(hints)}. Allowed: {names}.")
        values: dict[str, Any] = {
            str(k): tuple(v) if isinstance(v, list) else v for k, v in effects.items()
        }
        return replace(SimulationEffects(), **values)
    raise AnalysisError(
        "effects must be None, a SimulationEffects or a dict of overrides such as "
        f"{{'women_in_network_odds_ratio': 2.0}}; got {type(effects).__name__}."
    )


def _cohort_labels(cohorts: Any) -> list[str]:
    if cohorts is None:
        return [str(FIRST_YEAR)]
    if isinstance(cohorts, (int, np.integer)) and not isinstance(cohorts, (bool, np.bool_)):
        if cohorts < 1:
            raise AnalysisError(f"cohorts must be at least 1; got {cohorts}.")
        return [str(FIRST_YEAR + j) for j in range(int(cohorts))]
    if isinstance(cohorts, Sequence) and not isinstance(cohorts, (str, bytes)):
        labels = [str(c) for c in cohorts]
        if labels and len(set(labels)) == len(labels) and all(lab.strip() for lab in labels):
            return labels
    raise AnalysisError(
        "cohorts must be None (one cohort '2019'), a number of yearly cohorts starting "
        f"{FIRST_YEAR}, or a list of distinct, non-empty labels such as ['2018', '2019']; "
        f"got {cohorts!r}."
    )


def _draw_fixed(rng: np.random.Generator, n: int, probs: Sequence[float]) -> np.ndarray:
    cdf = np.cumsum(np.asarray(probs, dtype=float))
    cdf = cdf / cdf[-1]
    codes = np.searchsorted(cdf, rng.random(n), side="right")
    # never pick a zero-probability category at the end through rounding
    return np.minimum(codes, len(cdf) - 1).astype(np.int64)


def _logit(p: float) -> float:
    with np.errstate(divide="ignore"):
        return float(np.log(p) - np.log1p(-p))


def _expit(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _arrow_string_dtype() -> Any:
    """pandas' default string dtype when it is backed by pyarrow (pandas >= 3), else None."""
    dtype = pd.Series(["a"]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


def _strings(labels: Sequence[str], codes: np.ndarray) -> Any:
    """A string column from category codes (-1 = missing).

    With pyarrow-backed strings the column is built in Arrow directly (much faster
    than converting a million Python strings); otherwise an object array.
    """
    dtype = _arrow_string_dtype()
    if dtype is not None and len(labels):
        import pyarrow as pa

        indices = pa.array(np.where(codes < 0, 0, codes), mask=codes < 0)
        dictionary = pa.DictionaryArray.from_arrays(indices, pa.array(list(labels)))
        return pd.array(dictionary.cast(pa.large_string()), dtype=dtype)
    table = np.array([*labels, None], dtype=object)
    return table[np.where(codes < 0, len(labels), codes)]


def _participant_ids(n: int) -> Any:
    """``P0001``, ``P0002``, ... (at least four digits), built without a Python loop."""
    width = max(4, len(str(n)))
    numbers_ = np.arange(1, n + 1, dtype=np.int64)
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    chars = np.empty((n, width + 1), dtype=np.uint8)
    chars[:, 0] = ord("P")
    chars[:, 1:] = (numbers_[:, None] // powers) % 10 + ord("0")
    dtype = _arrow_string_dtype()
    if dtype is not None:
        import pyarrow as pa

        offsets = np.arange(0, (n + 1) * (width + 1), width + 1, dtype=np.int64)
        array = pa.LargeStringArray.from_buffers(
            n, pa.py_buffer(offsets), pa.py_buffer(chars.tobytes())
        )
        return pd.array(array, dtype=dtype)
    return chars.view(f"S{width + 1}").ravel().astype(f"U{width + 1}").astype(object)


def _ints(values: np.ndarray, missing: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(missing, 0, values).astype(np.int64), missing)


def _bools(values: np.ndarray, missing: np.ndarray) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.asarray(values, dtype=bool) & ~missing, missing.copy())


# relation codes in schema order
_LM, _SO, _EC, _IN, _NT = range(5)
# approach codes in schema order
_AS, _ER, _IP, _WI, _CA = range(5)

_IN_NETWORK_EMPLOYED = (0.35, 0.30, 0.35)
_IN_NETWORK_NO_EMPLOYER = (0.0, 0.15, 0.85)
_NO_PRIOR_TIE_RATE = 0.4
_APPROACH_GIVEN_RELATION = np.array(
    [
        [0.30, 0.50, 0.20, 0.0, 0.0],  # line_manager
        [0.15, 0.35, 0.50, 0.0, 0.0],  # same_organisation
        [0.0, 0.60, 0.40, 0.0, 0.0],  # existing_contact
        [0.0, 0.0, 0.0, 1.0, 0.0],  # introduced
        [0.0, 0.0, 0.0, 0.0, 1.0],  # no_prior_tie
    ]
)
_APPROACH_CDF = np.cumsum(_APPROACH_GIVEN_RELATION, axis=1)
_APPROACH_CDF = np.where(_APPROACH_CDF > 1 - 1e-9, 1.0, _APPROACH_CDF)
_GAP_MEAN = np.array([1.0, 1.2, 1.4, 1.8, 2.2])
_GAP_SD = 0.9
_DAYS_FACTOR = np.array([0.0, 0.5, 0.8, 1.2, 1.5])  # by approach; assigned handled apart
_ASSIGNED_MEAN_DAYS = 7.0


def simulate_cohort(
    n: int,
    *,
    cohorts: int | Sequence[Any] | None = None,
    rng: int | np.random.Generator | None = 0,
    effects: SimulationEffects | Mapping[str, Any] | None = None,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Simulate participants of a mentoring programme in the canonical schema.

    Parameters
    ----------
    n : int
        Number of participants (0 or more).
    cohorts : int or sequence of labels, optional
        An int ``k`` gives ``k`` yearly cohorts labelled ``"2019"``, ``"2020"``, ...;
        a sequence gives the labels (oldest first; later cohorts have shorter
        follow-up).  Default: one cohort ``"2019"``.
    rng : int or numpy.random.Generator or None, default=0
        Random seed or generator, as the ``rng`` of every function (None means 0).
        The same seed gives an identical frame.
    effects : SimulationEffects or dict, optional
        Effects of the generative model; a dict overrides fields of the defaults.
        :meth:`SimulationEffects.null` switches the gender and promotion effects off.
    seed : int or numpy.random.Generator, optional
        Deprecated: the old name of ``rng``.

    Returns
    -------
    pandas.DataFrame
        One row per participant, every canonical column in schema order (the derived
        columns are not included): ``participant_id``, ``cohort``, ``gender``,
        ``employment``, ``mentor_relation``, ``approach``, ``mentor_gender`` as strings;
        ``participant_level``, ``mentor_level``, ``level_after``,
        ``career_satisfaction``, ``mentors_approached``, ``refusals``,
        ``days_to_secure`` as nullable ``Int64``; ``mentor_secured``,
        ``mentor_in_network``, ``goals_defined`` and the boolean outcomes as nullable
        ``boolean``; ``followup_months`` and ``months_to_promotion`` as floats (one
        decimal).  Empty cells are missing values.

    Raises
    ------
    AnalysisError
        ``n``, ``cohorts``, ``rng`` or ``effects`` are not valid (unknown effect
        names get a suggestion).

    Examples
    --------
    >>> frame = simulate_cohort(300, cohorts=6, rng=1, effects={"missing_rate": 0.02})
    >>> sorted(frame["cohort"].unique())
    ['2019', '2020', '2021', '2022', '2023', '2024']
    >>> bool((frame["refusals"] <= frame["mentors_approached"]).all())
    True
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, (bool, np.bool_)) or n < 0:
        raise AnalysisError(f"n must be a whole number of participants, 0 or more; got {n!r}.")
    n = int(n)
    labels = _cohort_labels(cohorts)
    eff = _resolve_effects(effects)
    if seed is not None:
        if rng not in (0, None):
            raise AnalysisError("simulate_cohort: pass rng= only (seed= is its old name).")
        rng = deprecated_argument("simulate_cohort", "seed", "rng", seed, None)
    if rng is None:
        rng = np.random.default_rng(0)
    elif isinstance(rng, np.random.Generator):
        pass
    elif isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        rng = np.random.default_rng(int(rng))
    else:
        raise AnalysisError(
            f"rng must be an int, a numpy.random.Generator or None; got {type(rng).__name__}."
        )

    k = len(labels)
    cohort = np.sort(rng.integers(0, k, size=n))
    gender = _draw_fixed(rng, n, eff.gender_probabilities)
    employment = _draw_fixed(rng, n, eff.employment_probabilities)
    level = _draw_fixed(rng, n, eff.level_probabilities) + 1
    goals = rng.random(n) < eff.goals_defined_rate
    z = rng.standard_normal(n)
    woman = gender == schema.GENDERS.index("woman")
    has_employer = employment == schema.EMPLOYMENT.index("employed")
    secured = rng.random(n) < eff.mentor_secured_rate

    # --- the mentor choice -----------------------------------------------------------
    log_or = math.log(eff.women_in_network_odds_ratio)
    in_network = rng.random(n) < _expit(_logit(eff.in_network_rate) + log_or * woman - 0.8 * z)
    u = rng.random(n)
    inside_cdf = np.where(
        has_employer[:, None],
        np.cumsum(_IN_NETWORK_EMPLOYED),
        np.cumsum(_IN_NETWORK_NO_EMPLOYER),
    )
    inside = np.minimum((u[:, None] >= inside_cdf).sum(axis=1), 2)
    no_tie = rng.random(n) < _expit(_logit(_NO_PRIOR_TIE_RATE) + 0.8 * z)
    relation = np.where(in_network, inside, np.where(no_tie, _NT, _IN)).astype(np.int64)

    u = rng.random(n)
    approach = (u[:, None] >= _APPROACH_CDF[relation]).sum(axis=1)

    gap_mean = _GAP_MEAN[relation] + 0.5 * z + eff.women_seniority_gap_shift * woman
    gap = np.rint(gap_mean + _GAP_SD * rng.standard_normal(n)).astype(np.int64)
    gap = np.where(relation == _LM, np.maximum(gap, 1), gap)
    mentor_level = np.clip(level + gap, 1, 6)

    share_w = np.where(woman, eff.women_mentor_share_for_women, eff.women_mentor_share_for_men)
    u = rng.random(n)
    mentor_gender = np.where(
        u < share_w,
        0,
        np.where(u < share_w + 0.01, 2, np.where(u < share_w + 0.02, 4, 1)),
    )

    refusal_rate = np.array(
        [
            0.0,
            eff.existing_relationship_refusal_rate,
            eff.asked_in_person_refusal_rate,
            eff.warm_introduction_refusal_rate,
            eff.cold_approach_refusal_rate,
        ]
    )[approach]
    refusals = rng.geometric(1.0 - refusal_rate) - 1
    extra_ask = rng.random(n) < 0.1
    assigned = approach == _AS
    approached = np.where(assigned, 0, refusals + 1 + extra_ask)
    refusals = np.where(assigned, 0, refusals)
    asks_unsecured = rng.poisson(1.2, size=n)
    refused_unsecured = rng.binomial(asks_unsecured, 0.75)
    approached = np.where(secured, approached, asks_unsecured)
    refusals = np.where(secured, refusals, refused_unsecured)

    shape = np.where(assigned, 1.0, refusals + 1.0)
    scale = np.where(assigned, _ASSIGNED_MEAN_DAYS, eff.mean_days_per_ask * _DAYS_FACTOR[approach])
    days = np.maximum(np.ceil(rng.gamma(shape, scale)), 1).astype(np.int64)

    # --- outcomes --------------------------------------------------------------------
    actual_gap = mentor_level - level
    reach = np.clip(actual_gap, 0, 3) / 3
    distance = np.array([DISTANCE_SCORES[r] for r in schema.MENTOR_RELATIONS])[relation]
    initiation = np.array([INITIATION_SCORES.get(a, np.nan) for a in schema.APPROACHES])[approach]
    bold_index = np.where(
        np.isnan(initiation), (reach + distance) / 2, (reach + distance + initiation) / 3
    )
    log_odds = (
        _logit(eff.promotion_rate)
        + np.where(
            secured,
            eff.boldness_promotion_log_odds * (bold_index - 0.5),
            eff.no_mentor_promotion_log_odds,
        )
        + eff.women_promotion_log_odds * woman
        + eff.goals_promotion_log_odds * goals
    )
    p_horizon = _expit(log_odds)
    with np.errstate(divide="ignore"):
        hazard = -np.log1p(-p_horizon) / eff.promotion_horizon_months
        time_to_promotion = rng.exponential(1.0, size=n) / hazard

    admin = eff.followup_months_latest + (k - 1 - cohort) * eff.followup_months_per_cohort
    lost = rng.random(n) < eff.loss_to_followup_rate
    followup = np.where(lost, admin * rng.uniform(0.1, 1.0, size=n), admin)
    promoted = time_to_promotion <= followup
    followup = np.round(followup, 1)
    # at least 0.1 months (the shortest follow-up is 10% of at least 1.2 months)
    months = np.where(
        promoted, np.minimum(np.maximum(np.round(time_to_promotion, 1), 0.1), followup), np.nan
    )

    up = 1 + (rng.random(n) < 0.12)
    down = rng.random(n) < 0.03
    level_after = np.clip(np.where(promoted, level + up, level - down), 1, 6)
    role_change = rng.random(n) < np.where(promoted, 0.75, 0.2)
    completed = rng.random(n) < np.where(secured, eff.completion_rate, 0.8 * eff.completion_rate)
    in_org = (relation == _LM) | (relation == _SO)
    joined = (rng.random(n) < 0.07) & ~in_org
    contact = rng.random(n) < np.where(in_network, 0.8, 0.55)
    setbacks = rng.random(n) < np.where(in_network, 0.65, 0.5)
    latent = 0.9 * promoted + 0.3 * role_change + 0.4 * secured + rng.standard_normal(n)
    satisfaction = np.searchsorted(np.array([-0.8, 0.0, 0.9, 1.9]), latent) + 1

    def blank() -> np.ndarray:
        return rng.random(n) < eff.missing_rate

    no_mentor = ~secured
    miss = {
        name: blank()
        for name in (
            "goals_defined",
            "mentor_relation",
            "mentor_gender",
            "days_to_secure",
            "role_change",
            "in_contact_with_mentor",
            "discussed_setbacks",
            "level_after",
            "career_satisfaction",
        )
    }
    none = np.zeros(n, dtype=bool)
    data: dict[str, Any] = {
        "participant_id": _participant_ids(n),
        "cohort": _strings(labels, cohort),
        "gender": _strings(schema.GENDERS, gender),
        "employment": _strings(schema.EMPLOYMENT, employment),
        "participant_level": _ints(level, none),
        "mentor_secured": _bools(secured, none),
        "mentor_level": _ints(mentor_level, no_mentor),
        "mentor_relation": _strings(
            schema.MENTOR_RELATIONS, np.where(no_mentor | miss["mentor_relation"], -1, relation)
        ),
        "mentor_in_network": _bools(in_network, no_mentor),
        "approach": _strings(schema.APPROACHES, np.where(no_mentor, -1, approach)),
        "mentors_approached": _ints(approached, none),
        "refusals": _ints(refusals, none),
        "days_to_secure": _ints(days, no_mentor | miss["days_to_secure"]),
        "mentor_gender": _strings(
            schema.GENDERS, np.where(no_mentor | miss["mentor_gender"], -1, mentor_gender)
        ),
        "goals_defined": _bools(goals, miss["goals_defined"]),
        "promoted": _bools(promoted, none),
        "role_change": _bools(role_change, miss["role_change"]),
        "joined_mentor_organisation": _bools(joined, no_mentor),
        "in_contact_with_mentor": _bools(contact, no_mentor | miss["in_contact_with_mentor"]),
        "completed_programme": _bools(completed, none),
        "discussed_setbacks": _bools(setbacks, no_mentor | miss["discussed_setbacks"]),
        "level_after": _ints(level_after, miss["level_after"]),
        "career_satisfaction": _ints(satisfaction, miss["career_satisfaction"]),
        "followup_months": followup,
        "months_to_promotion": months,
    }
    frame = pd.DataFrame(data, columns=list(schema.CANONICAL_COLUMNS))
    return frame


# --------------------------------------------------------------------------------------
# Follow-up waves
# --------------------------------------------------------------------------------------

#: Months of the default follow-up waves.
DEFAULT_WAVE_MONTHS: tuple[float, ...] = (6, 12, 24, 36, 60)

# Median months a mentoring relationship lasts: mentor inside / outside the network.
_CONTACT_MEDIAN_IN_NETWORK = 48.0
_CONTACT_MEDIAN_OUTSIDE = 20.0
# Yearly rates of changing employer and of a role change without promotion.
_EMPLOYER_CHANGE_PER_YEAR = 0.10
_ROLE_CHANGE_PER_YEAR = 0.08
# Share of promotions that come with a role change; rate of later promotions vs the first.
_ROLE_CHANGE_WITH_PROMOTION = 0.75
_LATER_PROMOTION_FACTOR = 0.5
# Yearly rate of joining the mentor's organisation (mentors outside it only).
_JOIN_MENTOR_ORG_PER_YEAR = 0.035


def _frame_bool(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(value, known) of a yes/no column of a cohort frame; absent -> all unknown."""
    n = len(frame)
    if name not in frame.columns:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    from .._conventions import yes_no_boolean

    series = yes_no_boolean(frame[name], name, error=AnalysisError)
    known = series.notna().to_numpy()
    return series.fillna(False).to_numpy(dtype=bool), known


def _frame_number(frame: pd.DataFrame, name: str) -> np.ndarray:
    if name not in frame.columns:
        return np.full(len(frame), np.nan)
    series = frame[name]
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _check_wave_months(months: Any) -> np.ndarray:
    message = (
        "months must be a non-empty sequence of distinct, increasing numbers of months "
        f"greater than 0, e.g. (6, 12, 24, 36, 60); got {months!r}."
    )
    if isinstance(months, (str, bytes)) or not isinstance(months, (Sequence, np.ndarray)):
        raise AnalysisError(message)
    values = list(months)
    if not values or not all(_is_real(v) for v in values):
        raise AnalysisError(message)
    array = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(array)) or np.any(array <= 0) or np.any(np.diff(array) <= 0):
        raise AnalysisError(message)
    return array


def _check_probability(value: Any, name: str, *, below_one: bool = True) -> float:
    top = "below 1" if below_one else "at most 1"
    if not _is_real(value) or not (0 <= value < 1 if below_one else 0 <= value <= 1):
        raise AnalysisError(f"{name} must be a number at least 0 and {top}; got {value!r}.")
    return float(value)


def _promotion_hazard(frame: pd.DataFrame, eff: SimulationEffects) -> np.ndarray:
    """Monthly hazard of a first promotion, by the same model as :func:`simulate_cohort`."""
    from ..boldness import _boldness_frame, _components

    n = len(frame)
    _, reach, distance, initiation = _components(frame)
    index = pd.RangeIndex(n)
    bold = _boldness_frame(reach, distance, initiation, np.ones(3), index)
    b = bold["boldness_index"].to_numpy(dtype=float)
    secured, secured_known = _frame_bool(frame, "mentor_secured")
    has_mentor = np.where(secured_known, secured, ~np.isnan(b))
    woman = (
        frame["gender"].astype(object).eq("woman").fillna(False).to_numpy(dtype=bool)
        if "gender" in frame.columns
        else np.zeros(n, dtype=bool)
    )
    goals, goals_known = _frame_bool(frame, "goals_defined")
    log_odds = (
        _logit(eff.promotion_rate)
        + np.where(
            has_mentor,
            eff.boldness_promotion_log_odds * (np.nan_to_num(b, nan=0.5) - 0.5),
            eff.no_mentor_promotion_log_odds,
        )
        + eff.women_promotion_log_odds * woman
        + eff.goals_promotion_log_odds * (goals & goals_known)
    )
    p_horizon = _expit(log_odds)
    with np.errstate(divide="ignore"):
        return -np.log1p(-p_horizon) / eff.promotion_horizon_months


def simulate_waves(
    cohort_frame: Any,
    *,
    months: Sequence[float] = DEFAULT_WAVE_MONTHS,
    rng: int | np.random.Generator | None = 0,
    dropout: float = 0.08,
    intermittent: float = 0.05,
    informative: float = 1.0,
    effects: SimulationEffects | Mapping[str, Any] | None = None,
    from_cohort: bool = True,
    nonresponse_rows: bool = True,
    truth: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate follow-up waves of a cohort, in the canonical follow-up record.

    The model, participant by participant (vectorised):

    1. **Promotion.** The true time of the first promotion is exponential with the
       monthly hazard of :func:`simulate_cohort` (``promotion_rate`` within
       ``promotion_horizon_months``, shifted by boldness, gender, written goals and
       having a mentor; see :class:`SimulationEffects`), computed from the cohort
       frame's own columns.  With ``from_cohort=True`` (the default) the frame's
       record is respected: a participant recorded ``promoted`` with
       ``months_to_promotion`` is first promoted at that time; one recorded not
       promoted after ``followup_months`` is promoted at ``followup_months`` plus a
       fresh exponential time (the exponential forgets, so this is the same model).
       Later promotions come at half the first rate.  ``current_level`` is
       ``participant_level`` plus the promotions so far (at most 6).
    2. **Careers.** A promotion brings a role change with probability 0.75; otherwise
       roles change at 8% a year and employers at 10% a year.  A participant whose
       mentor is outside their organisation joins it at 3.5% a year (an employer
       change) and then stays.
    3. **The relationship.** Contact with the mentor lasts an exponential time with a
       median of 48 months (mentor inside the network) or 20 months (outside);
       ``in_contact_with_mentor`` and ``joined_mentor_organisation`` are empty for
       participants without a mentor.
    4. **Satisfaction** (1-5) from a latent score rising with promotions so far, a
       recent role change and having a mentor, plus a stable personal component.
    5. **Response.** Before each wave a participant still in the study drops out for
       good with probability ``dropout`` (monotone attrition); one still in skips a
       single wave with probability ``intermittent``.  ``informative`` is the odds
       ratio of both for people not yet promoted at the previous wave vs promoted
       ones (1 = missing completely at random; above 1 = the unpromoted drop out
       more, so complete cases overstate promotion).  Dropout depends on the
       previous wave's status only, so it is missing at random given the observed
       history.

    ``promoted``, ``role_change`` and ``employer_change`` describe the time since the
    participant's previous *answered* wave (since the programme for the first), as a
    survey asking "since you last answered" would.

    Parameters
    ----------
    cohort_frame : pandas.DataFrame or Cohort
        Cohort records in the canonical columns (e.g. :func:`simulate_cohort`'s frame
        or a loaded cohort).  Needs ``participant_id``; uses ``gender``,
        ``participant_level``, ``goals_defined``, the mentor columns and, with
        ``from_cohort``, ``promoted``, ``months_to_promotion`` and ``followup_months``.
        Not modified.
    months : sequence of float, default=(6, 12, 24, 36, 60)
        Months of the waves since the programme: increasing, greater than 0.
    rng : int or numpy.random.Generator or None, default=0
        Random seed or generator (None means 0); the same seed gives identical frames.
    dropout : float, default=0.08
        Probability of dropping out for good before each wave (for promoted people;
        see ``informative``); in [0, 1).
    intermittent : float, default=0.05
        Probability of skipping a single wave; in [0, 1).
    informative : float, default=1.0
        Odds ratio of dropping out (and of skipping), not yet promoted vs promoted.
    effects : SimulationEffects or dict, optional
        The promotion model (as in :func:`simulate_cohort`).
    from_cohort : bool, default=True
        Respect the frame's recorded promotion (see above).
    nonresponse_rows : bool, default=True
        Keep a row with ``responded`` false and empty answers for every missed wave;
        False leaves missed waves out of the frame.
    truth : bool, default=False
        Also return the truth frame.

    Returns
    -------
    pandas.DataFrame or (pandas.DataFrame, pandas.DataFrame)
        The waves in the canonical follow-up columns
        (:data:`mentoranalytics.schema.FOLLOWUP_CANONICAL_COLUMNS`), sorted by
        participant then months: ``participant_id`` and ``wave`` (e.g. ``"12 months"``)
        as strings, ``months`` as ``Float64``, ``current_level`` and
        ``career_satisfaction`` as ``Int64``, the yes/no columns as ``boolean``.
        With ``truth=True`` also a frame with one row per participant:
        ``participant_id``, ``promotion_month`` (true time of the first promotion,
        ``inf`` beyond the last wave) and ``dropout_month`` (months of the first wave
        missed for good, ``inf`` when never).

    Raises
    ------
    AnalysisError
        An argument is not valid, or the frame has no ``participant_id``.

    Examples
    --------
    >>> cohort = simulate_cohort(20, rng=1)
    >>> waves = simulate_waves(cohort, months=(12, 24), rng=1)
    >>> waves.shape
    (40, 11)
    >>> waves, truth = simulate_waves(cohort, months=(12, 24), rng=1, truth=True)
    >>> list(truth.columns)
    ['participant_id', 'promotion_month', 'dropout_month']
    """
    from .._frame import as_frame

    frame = as_frame(cohort_frame)
    if "participant_id" not in frame.columns:
        raise AnalysisError(
            "simulate_waves needs a cohort frame with a 'participant_id' column; "
            f"available: {[str(c) for c in frame.columns][:30]}."
        )
    wave_months = _check_wave_months(months)
    p_drop = _check_probability(dropout, "dropout")
    p_skip = _check_probability(intermittent, "intermittent")
    if not _is_real(informative) or not (0 < informative < math.inf):
        raise AnalysisError(
            f"informative must be an odds ratio greater than 0 (1 = no effect); got {informative!r}."
        )
    eff = _resolve_effects(effects)
    if isinstance(rng, np.random.Generator):
        gen = rng
    elif rng is None:
        gen = np.random.default_rng(0)
    elif isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        gen = np.random.default_rng(int(rng))
    else:
        raise AnalysisError(
            f"rng must be an int, a numpy.random.Generator or None; got {type(rng).__name__}."
        )

    n, k = len(frame), len(wave_months)
    ids = frame["participant_id"].astype(object).to_numpy()
    hazard = _promotion_hazard(frame, eff)

    # --- 1. promotions ---------------------------------------------------------------
    with np.errstate(divide="ignore", invalid="ignore"):
        fresh = gen.exponential(1.0, size=n) / hazard
    t_first = fresh
    if from_cohort:
        promoted, promoted_known = _frame_bool(frame, "promoted")
        recorded = _frame_number(frame, "months_to_promotion")
        followed = _frame_number(frame, "followup_months")
        use_time = promoted_known & promoted & ~np.isnan(recorded)
        use_censor = promoted_known & ~promoted & ~np.isnan(followed)
        t_first = np.where(use_time, recorded, np.where(use_censor, followed + fresh, fresh))
    n_later = 4
    with np.errstate(divide="ignore", invalid="ignore"):
        gaps = gen.exponential(1.0, size=(n, n_later)) / (_LATER_PROMOTION_FACTOR * hazard[:, None])
    promotion_times = t_first[:, None] + np.concatenate(
        [np.zeros((n, 1)), np.cumsum(gaps, axis=1)], axis=1
    )  # (n, 1 + n_later), increasing
    level0 = _frame_number(frame, "participant_level")
    n_promotions = (promotion_times[:, :, None] <= wave_months[None, None, :]).sum(axis=1)
    current_level = np.clip(level0[:, None] + n_promotions, 1, 6)  # NaN stays NaN

    # --- 2./3. careers and the relationship --------------------------------------------
    secured, secured_known = _frame_bool(frame, "mentor_secured")
    relation = (
        frame["mentor_relation"].astype(object).to_numpy()
        if "mentor_relation" in frame.columns
        else np.full(n, None, dtype=object)
    )
    in_net, in_net_known = _frame_bool(frame, "mentor_in_network")
    in_org = np.isin(relation, ["line_manager", "same_organisation"])
    has_mentor = secured & secured_known
    in_network = np.where(
        in_net_known, in_net, np.isin(relation, list(schema.IN_NETWORK_RELATIONS))
    )
    median = np.where(in_network, _CONTACT_MEDIAN_IN_NETWORK, _CONTACT_MEDIAN_OUTSIDE)
    contact_ends = gen.exponential(1.0, size=n) * median / math.log(2)
    join_time = gen.exponential(1.0, size=n) * 12 / _JOIN_MENTOR_ORG_PER_YEAR
    join_time = np.where(has_mentor & ~in_org, join_time, np.inf)

    starts = np.concatenate([[0.0], wave_months])
    # per scheduled interval (between consecutive waves): events in that interval
    span = np.diff(starts)  # (k,)
    prom_in = (promotion_times[:, :, None] > starts[None, None, :-1]) & (
        promotion_times[:, :, None] <= wave_months[None, None, :]
    )
    prom_interval = prom_in.any(axis=1)  # (n, k)
    role_other = gen.random((n, k)) < -np.expm1(-span * _ROLE_CHANGE_PER_YEAR / 12)
    role_with_promotion = gen.random((n, k)) < _ROLE_CHANGE_WITH_PROMOTION
    role_interval = np.where(prom_interval, role_with_promotion | role_other, role_other)
    join_interval = (join_time[:, None] > starts[None, :-1]) & (
        join_time[:, None] <= wave_months[None, :]
    )
    employer_interval = (
        gen.random((n, k)) < -np.expm1(-span * _EMPLOYER_CHANGE_PER_YEAR / 12)
    ) | join_interval
    joined_now = join_time[:, None] <= wave_months[None, :]
    contact_now = contact_ends[:, None] > wave_months[None, :]

    person = 0.6 * gen.standard_normal(n)
    latent = (
        person[:, None]
        + 0.9 * (n_promotions > 0)
        + 0.3 * role_interval
        + 0.4 * has_mentor[:, None]
        + 0.8 * gen.standard_normal((n, k))
    )
    satisfaction = np.searchsorted(np.array([-0.8, 0.0, 0.9, 1.9]), latent) + 1

    # --- 5. response -----------------------------------------------------------------
    u_drop = gen.random((n, k))
    u_skip = gen.random((n, k))
    log_or = math.log(informative)
    in_study = np.ones(n, dtype=bool)
    responded = np.zeros((n, k), dtype=bool)
    dropout_month = np.full(n, np.inf)
    for j in range(k):
        before = starts[j]
        not_promoted = t_first > before
        shift = log_or * not_promoted
        q_drop = _expit(_logit(p_drop) + shift) if p_drop > 0 else np.zeros(n)
        q_skip = _expit(_logit(p_skip) + shift) if p_skip > 0 else np.zeros(n)
        leaving = in_study & (u_drop[:, j] < q_drop)
        dropout_month = np.where(leaving, wave_months[j], dropout_month)
        in_study &= ~leaving
        responded[:, j] = in_study & (u_skip[:, j] >= q_skip)

    # "since the previous answered wave": accumulate events over skipped waves
    def since_last(events: np.ndarray) -> np.ndarray:
        out = np.zeros_like(events)
        carry = np.zeros(n, dtype=bool)
        for j in range(k):
            carry = carry | events[:, j]
            out[:, j] = carry
            carry = np.where(responded[:, j], False, carry)
        return out

    promoted_w = since_last(prom_interval)
    role_w = since_last(role_interval)
    employer_w = since_last(employer_interval)

    # --- assemble ----------------------------------------------------------------------
    rows = np.repeat(np.arange(n), k)
    cols = np.tile(np.arange(k), n)
    answered = responded[rows, cols]
    no_answer = ~answered
    mentorless = ~has_mentor[rows]
    labels = [f"{m:g} months" for m in wave_months]
    level_flat = current_level[rows, cols]
    out = pd.DataFrame(
        {
            "participant_id": pd.array(ids[rows].astype(str), dtype="string"),
            "months": pd.array(wave_months[cols], dtype="Float64"),
            "wave": pd.array(np.asarray(labels, dtype=object)[cols], dtype="string"),
            "responded": pd.array(answered, dtype="boolean"),
            "current_level": _ints(
                np.nan_to_num(level_flat, nan=0).astype(np.int64),
                no_answer | np.isnan(level_flat),
            ),
            "promoted": _bools(promoted_w[rows, cols], no_answer),
            "role_change": _bools(role_w[rows, cols], no_answer),
            "employer_change": _bools(employer_w[rows, cols], no_answer),
            "joined_mentor_organisation": _bools(joined_now[rows, cols], no_answer | mentorless),
            "in_contact_with_mentor": _bools(contact_now[rows, cols], no_answer | mentorless),
            "career_satisfaction": _ints(satisfaction[rows, cols], no_answer),
        },
        columns=list(schema.FOLLOWUP_CANONICAL_COLUMNS),
    )
    if not nonresponse_rows:
        out = out[answered].reset_index(drop=True)
    order = np.lexsort((out["months"].to_numpy(dtype=float), out["participant_id"].to_numpy(str)))
    out = out.iloc[order].reset_index(drop=True)
    if not truth:
        return out
    horizon = wave_months[-1]
    truth_frame = pd.DataFrame(
        {
            "participant_id": pd.array(ids.astype(str), dtype="string"),
            "promotion_month": np.where(t_first <= horizon, t_first, np.inf),
            "dropout_month": dropout_month,
        }
    )
    order = np.argsort(truth_frame["participant_id"].to_numpy(str), kind="stable")
    return out, truth_frame.iloc[order].reset_index(drop=True)
