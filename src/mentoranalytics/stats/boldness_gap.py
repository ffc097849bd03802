"""Were some groups bolder than others in their mentor choices?  One call.

:func:`compare_boldness` answers the programme's first question: by gender (or any
grouping), the rate of mentors from outside the existing network and of bold
choices (rates with Wilson intervals, gaps with exact or score intervals and the
smallest detectable difference, and the cohort-stratified Mantel-Haenszel odds
ratio), the mix of approaches with an overall test, refusals per approach, and the
seniority gap, the boldness index and its components (reach, distance, initiation)
with rank-based and mean-based gaps.  It assembles
:func:`~mentoranalytics.stats.rates.compare_rates` and
:func:`~mentoranalytics.stats.continuous.compare_groups`.

Only participants who secured a mentor (``mentor_secured`` true) enter the
denominators: participants without a mentor have no boldness.
"""

from __future__ import annotations

import math
import warnings as _warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._conventions import (
    check_column_name,
    default_reference,
    group_order,
    reference_reason,
    resolve_reference,
    yes_no,
)
from .._frame import as_frame, resolve_rng
from ..exceptions import AnalysisError, SmallSampleWarning, require_columns
from ._result import Result
from .continuous import check_alpha, compare_groups
from .table1 import _categorical_test

__all__ = ["BoldnessComparison", "compare_boldness"]

#: Yes/no measures: name -> (column, event value).
RATE_MEASURES: dict[str, tuple[str, bool]] = {
    "outside_network": ("mentor_in_network", False),
    "bold_choice": ("bold_choice", True),
}
#: Numeric measures compared with compare_groups.
CONTINUOUS_MEASURES: tuple[str, ...] = (
    "seniority_gap",
    "boldness_index",
    "reach",
    "distance",
    "initiation",
)
_DERIVED_NEEDED = (
    "mentor_secured",
    "mentor_in_network",
    "seniority_gap",
    "reach",
    "distance",
    "initiation",
    "boldness_index",
    "bold_choice",
)

_RATE_COLUMNS = ("measure", "group", "n", "events", "rate", "ci_low", "ci_high")
_GAP_COLUMNS = (
    "measure", "effect", "group", "reference", "estimate", "ci_low", "ci_high", "p_value",
    "method", "detectable_difference", "note",
)  # fmt: skip
_MIX_COLUMNS = ("group", "approach", "n", "events", "rate", "ci_low", "ci_high")
_REFUSAL_COLUMNS = (
    "approach", "group", "people", "n", "events", "rate", "ci_low", "ci_high",
)  # fmt: skip
_CONTINUOUS_COLUMNS = (
    "measure", "group", "n", "mean", "sd", "ci_low", "ci_high", "median", "q1", "q3",
)  # fmt: skip
_POOLED_COLUMNS = (
    "measure", "group", "reference", "estimate", "ci_low", "ci_high", "p_value",
    "homogeneity_p_value", "crude_estimate", "method", "note",
)  # fmt: skip
_TEST_COLUMNS = ("measure", "test", "statistic", "df", "p_value", "method", "note")


@dataclass(frozen=True, kw_only=True)
class BoldnessComparison(Result):
    """Result of :func:`compare_boldness`.

    Attributes
    ----------
    rates : pandas.DataFrame
        ``measure, group, n, events, rate, ci_low, ci_high`` for ``outside_network``
        and ``bold_choice`` (Wilson intervals).
    gaps : pandas.DataFrame
        Each group against the reference: ``measure, effect, group, reference,
        estimate, ci_low, ci_high, p_value, method, detectable_difference, note``;
        ``effect`` is ``risk_difference``, ``risk_ratio``, ``odds_ratio`` for the rates
        and ``mean_difference``, ``hedges_g``, ``hodges_lehmann``, ``cliffs_delta`` for
        the numeric measures.
    approach_mix : pandas.DataFrame
        ``group, approach, n, events, rate, ci_low, ci_high``: ``events`` people of the
        group's ``n`` (with a known approach) used that approach.
    refusals : pandas.DataFrame
        ``approach, group, people, n, events, rate, ci_low, ci_high``: ``events``
        refusals out of ``n`` approaches made by ``people`` participants; approach
        ``all`` sums over approaches.
    continuous : pandas.DataFrame
        ``measure, group, n, mean, sd, ci_low, ci_high, median, q1, q3`` for the
        seniority gap, the boldness index and its components.
    pooled : pandas.DataFrame
        Cohort-stratified Mantel-Haenszel odds ratios: ``measure, group, reference,
        estimate, ci_low, ci_high, p_value, homogeneity_p_value, crude_estimate,
        method, note``.
    tests : pandas.DataFrame
        Overall tests across groups: ``measure, test, statistic, df, p_value, method,
        note``.
    details : dict
        The underlying results (``RatesResult`` / ``GroupComparison``) by measure.
    """

    by: str
    strata: str | None = None
    reference: Any = None
    rates: pd.DataFrame = field(default_factory=pd.DataFrame)
    gaps: pd.DataFrame = field(default_factory=pd.DataFrame)
    approach_mix: pd.DataFrame = field(default_factory=pd.DataFrame)
    refusals: pd.DataFrame = field(default_factory=pd.DataFrame)
    continuous: pd.DataFrame = field(default_factory=pd.DataFrame)
    pooled: pd.DataFrame = field(default_factory=pd.DataFrame)
    tests: pd.DataFrame = field(default_factory=pd.DataFrame)
    details: dict[str, Any] = field(default_factory=dict)
    alpha: float = 0.05
    rng: Any = None

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "rates": self.rates,
            "gaps": self.gaps,
            "continuous": self.continuous,
            "approach_mix": self.approach_mix,
            "refusals": self.refusals,
            "pooled": self.pooled,
            "tests": self.tests,
        }

    @property
    def title(self) -> str:
        return f"Boldness of mentor choices by {self.by}"


def _with_derived(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Add the derived boldness columns the frame lacks (existing ones are kept)."""
    lacking = [c for c in _DERIVED_NEEDED if c not in frame.columns]
    if not lacking:
        return frame
    sources = (
        "participant_level",
        "mentor_level",
        "mentor_relation",
        "mentor_in_network",
        "approach",
        "seniority_gap",
    )
    if not any(c in frame.columns for c in sources):
        return frame
    from ..boldness import derive_fields

    derived = derive_fields(frame)
    out = frame.copy()
    added = []
    for c in lacking:
        if c in derived.columns:
            out[c] = derived[c]
            added.append(c)
    if added:
        notes.append(
            f"Derived from the raw columns with mentoranalytics.derive_fields: {', '.join(added)}."
        )
    return out


def compare_boldness(
    data: Any,
    *,
    by: str = "gender",
    strata: str | None = "cohort",
    reference: Any = None,
    alpha: float = 0.05,
    rng: Any = None,
) -> BoldnessComparison:
    """Compare the boldness of mentor choices between groups, in one call.

    Parts (each skipped with a note naming the missing column when its columns are
    absent):

    * **rates** of ``outside_network`` (``mentor_in_network`` false) and
      ``bold_choice`` per group, with risk difference, risk ratio and odds ratio
      against the reference and the smallest detectable difference
      (:func:`compare_rates`); with ``strata`` (two or more cohorts) the
      Mantel-Haenszel odds ratio, its test and the Breslow-Day homogeneity p-value;
    * **approach mix**: share of each ``approach`` per group (Wilson intervals) and
      the overall test of the group x approach table (chi-square, or Fisher exact /
      Monte Carlo Fisher-Freeman-Halton when sparse);
    * **refusals per approach**: ``refusals / mentors_approached`` by approach and
      group;
    * **continuous**: ``seniority_gap``, ``boldness_index`` and its components
      ``reach``, ``distance``, ``initiation`` per group, with mean and rank-based
      gaps (:func:`compare_groups`).

    Only participants with ``mentor_secured`` true are analysed (people without a
    mentor have no boldness).  Derived columns the data lack are computed from the
    raw canonical columns with :func:`mentoranalytics.derive_fields`.

    Parameters
    ----------
    data : Cohort or pandas.DataFrame
        The records.
    by : str, default="gender"
        Grouping column.
    strata : str or None, default="cohort"
        Column of the stratified (Mantel-Haenszel) estimate; skipped with a note when
        absent or with a single level.
    reference : object, optional
        Reference group of every gap (``estimate`` = group minus, or over,
        reference).  Default, never depending on group sizes: ``"man"`` for
        gender, ``False`` for a yes/no column, else the first group in order.
    alpha : float, default=0.05
        1 - confidence level.
    rng : None, int or numpy.random.Generator
        Seed of every Monte Carlo, permutation and bootstrap step (None: seed 0).

    Returns
    -------
    BoldnessComparison
        ``.rates`` (``measure, group, n, events, rate, ci_low, ci_high``), ``.gaps``
        (``measure, effect, group, reference, estimate, ci_low, ci_high, p_value,
        method, detectable_difference, note``), ``.approach_mix`` (``group, approach,
        n, events, rate, ci_low, ci_high``), ``.refusals`` (``approach, group,
        people, n, events, rate, ci_low, ci_high``), ``.continuous`` (``measure,
        group, n, mean, sd, ci_low, ci_high, median, q1, q3``), ``.pooled``
        (``measure, group, reference, estimate, ci_low, ci_high, p_value,
        homogeneity_p_value, crude_estimate, method, note``), ``.tests`` (``measure,
        test, statistic, df, p_value, method, note``) and ``.details``.

    Raises
    ------
    ColumnError
        ``by`` is not a column.
    AnalysisError
        No participant has a mentor, ``reference`` is not a group, or ``alpha`` or
        ``rng`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "gender": ["woman"] * 6 + ["man"] * 6,
    ...     "participant_level": [2, 3, 2, 4, 3, 2, 2, 3, 3, 2, 4, 3],
    ...     "mentor_level": [3, 4, 5, 5, 6, 3, 5, 6, 6, 5, 6, 4],
    ...     "mentor_relation": ["line_manager", "existing_contact", "no_prior_tie",
    ...                         "same_organisation", "introduced", "line_manager",
    ...                         "no_prior_tie", "introduced", "no_prior_tie",
    ...                         "existing_contact", "no_prior_tie", "introduced"]})
    >>> res = compare_boldness(frame, strata=None)
    >>> res.rates.query("measure == 'outside_network'")[["group", "n", "events"]]
       group  n  events
    0  woman  6       2
    1    man  6       5
    """
    frame = as_frame(data)
    alpha = check_alpha(alpha)
    gen, seed = resolve_rng(rng)
    check_column_name(by, "by")
    check_column_name(strata, "strata", optional=True)
    require_columns(frame, [by], purpose="comparing boldness between groups")
    notes: list[str] = []
    frame = _with_derived(frame, notes)

    # denominators: participants with a mentor
    if "mentor_secured" in frame.columns:
        secured = yes_no(frame["mentor_secured"], "mentor_secured", strict=True).to_numpy() == 1
        sub = frame.loc[secured]
        notes.append(
            f"Only participants who secured a mentor (mentor_secured true) are in the "
            f"boldness denominators: {int(secured.sum())} of {len(frame)} records."
        )
    else:
        sub = frame
        notes.append(
            "Column 'mentor_secured' not found (and not derivable): all records are used; "
            "people without a mentor should have missing boldness values."
        )
    sub = sub.loc[sub[by].notna()]
    if len(sub) == 0:
        raise AnalysisError(
            f"No participant with a mentor has a value of '{by}': there is nothing to compare."
        )
    levels = group_order(sub[by], by)
    if reference is None:
        ref = default_reference(levels, by)
        notes.append(
            f"Reference group of every gap: '{ref}' ({reference_reason(ref, levels, by)})."
        )
    else:
        ref = resolve_reference(reference, levels, by)
        notes.append(f"Reference group of every gap: '{ref}'.")

    use_strata = _usable_strata(sub, strata, notes)
    warns: list[str] = []
    details: dict[str, Any] = {}
    rate_rows: list[dict[str, Any]] = []
    gap_rows: list[dict[str, Any]] = []
    pooled_rows: list[dict[str, Any]] = []
    test_rows: list[dict[str, Any]] = []

    from .rates import compare_rates

    for measure, (column, event) in RATE_MEASURES.items():
        if column not in sub.columns:
            notes.append(f"{measure} skipped: column '{column}' not found.")
            continue
        try:
            work = sub.assign(**{measure: _as_event(sub[column], event, column)})
            with _warnings.catch_warnings(record=True):
                _warnings.simplefilter("always")
                res = compare_rates(
                    work, measure, by=by, reference=ref, strata=use_strata, alpha=alpha, rng=gen
                )
        except AnalysisError as exc:
            notes.append(f"{measure} skipped: {exc}")
            continue
        details[measure] = res
        warns += [f"{measure}: {w}" for w in res.warnings]
        notes += [f"{measure}: {n}" for n in res.notes if not n.startswith("reference group")]
        for group, r in res.rates.iterrows():
            rate_rows.append({"measure": measure, "group": group, **{c: r[c] for c in
                              ("n", "events", "rate", "ci_low", "ci_high")}})  # fmt: skip
        for e in res.effects.itertuples(index=False):
            gap_rows.append(
                dict(measure=measure, effect=e.measure, group=e.group, reference=e.reference,
                     estimate=e.estimate, ci_low=e.ci_low, ci_high=e.ci_high,
                     p_value=e.p_value, method=e.method,
                     detectable_difference=e.detectable_difference, note=e.note)
            )  # fmt: skip
        if res.test is not None:
            t = res.test.iloc[0]
            test_rows.append(
                dict(measure=measure, test="groups x event", statistic=t["statistic"],
                     df=t["df"], p_value=t["p_value"], method=t["method"], note=t["reason"])
            )  # fmt: skip
        if res.pooled is not None:
            for p in res.pooled.itertuples(index=False):
                pooled_rows.append(
                    dict(measure=measure, group=p.group, reference=p.reference,
                         estimate=p.estimate, ci_low=p.ci_low, ci_high=p.ci_high,
                         p_value=p.p_value, homogeneity_p_value=p.homogeneity_p_value,
                         crude_estimate=p.crude_estimate, method=p.method, note=p.note)
                )  # fmt: skip

    mix_rows, mix_test = _approach_mix(sub, by, levels, alpha, gen, notes)
    if mix_test is not None:
        test_rows.append(mix_test)
    refusal_rows = _refusals(sub, by, levels, alpha, notes)

    cont_rows: list[dict[str, Any]] = []
    for measure in CONTINUOUS_MEASURES:
        if measure not in sub.columns:
            notes.append(f"{measure} skipped: column '{measure}' not found.")
            continue
        try:
            with _warnings.catch_warnings(record=True):
                _warnings.simplefilter("always")
                comp = compare_groups(sub, measure, by=by, reference=ref, alpha=alpha, rng=gen)
        except AnalysisError as exc:
            notes.append(f"{measure} skipped: {exc}")
            continue
        details[measure] = comp
        warns += [f"{measure}: {w}" for w in comp.warnings]
        notes += [f"{measure}: {n}" for n in comp.notes if not n.startswith("Reference group")]
        for g in comp.groups.rename_axis("group").reset_index().itertuples(index=False):
            cont_rows.append(
                dict(measure=measure, group=g.group, n=g.n, mean=g.mean, sd=g.sd,
                     ci_low=g.ci_low, ci_high=g.ci_high, median=g.median, q1=g.q1, q3=g.q3)
            )  # fmt: skip
        for c in comp.comparisons.itertuples(index=False):
            gap_rows.append(
                dict(measure=measure, effect=c.measure, group=c.group, reference=c.reference,
                     estimate=c.estimate, ci_low=c.ci_low, ci_high=c.ci_high,
                     p_value=c.p_value, method=c.method,
                     detectable_difference=c.detectable_difference, note=c.note)
            )  # fmt: skip
        for o in comp.overall.itertuples(index=False):
            test_rows.append(
                dict(measure=measure, test=o.test, statistic=o.statistic, df=o.df,
                     p_value=o.p_value, method=o.method, note=o.note)
            )  # fmt: skip

    rates = pd.DataFrame(rate_rows, columns=list(_RATE_COLUMNS))
    for col in ("n", "events"):
        rates[col] = rates[col].astype(int)
    warns = list(dict.fromkeys(warns))
    for w in warns:
        _warnings.warn(w, SmallSampleWarning, stacklevel=2)
    return BoldnessComparison(
        method=(
            "Wilson intervals and exact/score gaps (compare_rates); Mantel-Haenszel odds "
            "ratio over strata; chi-square or Fisher tests of the approach mix; Welch, "
            "Hedges' g, Hodges-Lehmann, Cliff's delta and rank tests (compare_groups)"
        ),
        notes=tuple(dict.fromkeys(notes)),
        warnings=tuple(warns),
        by=by,
        strata=use_strata,
        reference=ref,
        rates=rates,
        gaps=pd.DataFrame(gap_rows, columns=list(_GAP_COLUMNS)),
        approach_mix=pd.DataFrame(mix_rows, columns=list(_MIX_COLUMNS)),
        refusals=pd.DataFrame(refusal_rows, columns=list(_REFUSAL_COLUMNS)),
        continuous=pd.DataFrame(cont_rows, columns=list(_CONTINUOUS_COLUMNS)),
        pooled=pd.DataFrame(pooled_rows, columns=list(_POOLED_COLUMNS)),
        tests=pd.DataFrame(test_rows, columns=list(_TEST_COLUMNS)),
        details=details,
        alpha=alpha,
        rng=seed,
    )


def _as_event(series: pd.Series, event: bool, column: str) -> pd.Series:
    """Nullable boolean: the yes/no value equals ``event`` (raises when not yes/no)."""
    values = yes_no(series, column, strict=True).to_numpy()
    out = pd.array(values == float(event), dtype="boolean")
    out[np.isnan(values)] = pd.NA
    return pd.Series(out, index=series.index)


def _usable_strata(sub: pd.DataFrame, strata: str | None, notes: list[str]) -> str | None:
    if strata is None:
        return None
    if not isinstance(strata, str):
        raise AnalysisError(
            f"strata must be a column name (str) or None, not {type(strata).__name__}."
        )
    if strata not in sub.columns:
        notes.append(
            f"Stratified (Mantel-Haenszel) estimates skipped: column '{strata}' not found."
        )
        return None
    n_levels = sub[strata].dropna().nunique()
    if n_levels < 2:
        notes.append(
            f"Stratified (Mantel-Haenszel) estimates skipped: '{strata}' has "
            f"{'one level' if n_levels == 1 else 'no values'} among participants with a mentor."
        )
        return None
    return strata


def _approach_mix(
    sub: pd.DataFrame,
    by: str,
    levels: list[Any],
    alpha: float,
    gen: np.random.Generator,
    notes: list[str],
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    if "approach" not in sub.columns:
        notes.append("approach mix skipped: column 'approach' not found.")
        return [], None
    from .rates import proportion_ci

    known = sub.loc[sub["approach"].notna()]
    approaches = group_order(known["approach"], "approach") if len(known) else []
    table = np.array(
        [[int(((known[by] == g) & (known["approach"] == a)).sum()) for a in approaches]
         for g in levels]
    ).reshape(len(levels), len(approaches))  # fmt: skip
    rows = []
    for i, g in enumerate(levels):
        n = int(table[i].sum())
        for j, a in enumerate(approaches):
            k = int(table[i, j])
            lo, hi = proportion_ci(k, n, alpha=alpha) if n else (math.nan, math.nan)
            rows.append(
                dict(group=g, approach=a, n=n, events=k, rate=k / n if n else math.nan,
                     ci_low=float(lo), ci_high=float(hi))
            )  # fmt: skip
    missing = int(sub["approach"].isna().sum())
    if missing:
        notes.append(f"approach mix: {missing} participant(s) with a mentor have no approach.")
    if table.size == 0:
        return rows, None
    method, stat, df, p, why = _categorical_test(table, gen)
    test = dict(measure="approach", test="groups x approach", statistic=stat, df=df,
                p_value=p, method=method, note=why)  # fmt: skip
    return rows, test


def _refusals(
    sub: pd.DataFrame, by: str, levels: list[Any], alpha: float, notes: list[str]
) -> list[dict[str, Any]]:
    needed = ["approach", "mentors_approached", "refusals"]
    lacking = [c for c in needed if c not in sub.columns]
    if lacking:
        notes.append(f"refusals per approach skipped: column(s) {lacking} not found.")
        return []
    from .rates import proportion_ci

    asked = pd.to_numeric(sub["mentors_approached"], errors="coerce")
    refused = pd.to_numeric(sub["refusals"], errors="coerce")
    ok = (asked.notna() & refused.notna() & sub["approach"].notna()).to_numpy()
    bad = ok & (refused > asked).to_numpy()
    if bad.any():
        notes.append(
            f"refusals: {int(bad.sum())} record(s) with more refusals than approaches left out."
        )
        ok &= ~bad
    approaches = group_order(sub.loc[ok, "approach"], "approach")
    gvals = sub[by].to_numpy(dtype=object)
    avals = sub["approach"].to_numpy(dtype=object)
    asked_v = asked.to_numpy(dtype=float, na_value=np.nan)
    refused_v = refused.to_numpy(dtype=float, na_value=np.nan)
    rows = []
    for a in [*approaches, "all"]:
        for g in levels:
            m = ok & (gvals == g) & ((avals == a) if a != "all" else True)
            n = int(np.nansum(asked_v[m]))
            k = int(np.nansum(refused_v[m]))
            lo, hi = proportion_ci(k, n, alpha=alpha) if n else (math.nan, math.nan)
            rows.append(
                dict(approach=a, group=g, people=int(m.sum()), n=n, events=k,
                     rate=k / n if n else math.nan, ci_low=float(lo), ci_high=float(hi))
            )  # fmt: skip
    notes.append(
        "refusals: rate = refusals / approaches made; the Wilson interval treats approaches "
        "as independent, which understates the uncertainty when one person makes several. "
        "The rate is missing where no approaches were made (e.g. assigned mentors)."
    )
    return rows
