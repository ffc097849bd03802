"""Follow-up waves joined to the cohort's baseline columns, for the wave analyses.

The trajectory and attrition analyses take a :class:`~mentoranalytics.Cohort` that
carries ``.waves`` (the canonical long follow-up table: one row per participant per
wave) or a pair ``(cohort_frame, waves_frame)``.  :func:`wave_data` checks the waves
once (participant codes, months, duplicate waves, ``responded``) and joins the
baseline columns an analysis needs from the cohort table by ``participant_id``.
No heavy imports; the caller's frames are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._conventions import yes_no
from .._derived import with_columns
from ..exceptions import AnalysisError, ColumnError

__all__ = [
    "OUTCOMES",
    "SINCE_LAST_WAVE",
    "WaveData",
    "outcome_values",
    "wave_data",
]

#: The outcome columns of the canonical follow-up record.
OUTCOMES = (
    "current_level",
    "promoted",
    "role_change",
    "employer_change",
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "career_satisfaction",
)
#: Outcomes recorded as "since the previous wave" (events, not states).
SINCE_LAST_WAVE = ("promoted", "role_change", "employer_change")
#: Numeric outcomes and their ranges.
_SCORES = {"current_level": (1, 6), "career_satisfaction": (1, 5)}


@dataclass(frozen=True)
class WaveData:
    """Waves of the analysed participants with their baseline columns.

    Attributes
    ----------
    people : DataFrame
        The cohort table (one row per participant) with the needed baseline columns.
    waves : DataFrame
        The follow-up rows of those participants, sorted by participant then months,
        RangeIndex, with ``responded`` as a numpy bool column and the baseline
        columns joined (suffix-free: a baseline column shadows no wave column).
    months : tuple of float
        The study's waves (distinct months), ascending.
    notes : tuple of str
    """

    people: pd.DataFrame
    waves: pd.DataFrame
    months: tuple[float, ...]
    notes: tuple[str, ...] = ()


def _rows(mask: np.ndarray, limit: int = 10) -> str:
    where = np.flatnonzero(mask) + 1
    text = ", ".join(str(int(i)) for i in where[:limit])
    return text + (f" and {where.size - limit} more" if where.size > limit else "")


def _split(data: Any, purpose: str) -> tuple[Any, pd.DataFrame]:
    if isinstance(data, tuple | list) and len(data) == 2:
        cohort, waves = data
    else:
        cohort, waves = data, getattr(data, "waves", None)
        if waves is None:
            raise AnalysisError(
                f"{purpose} needs follow-up waves, and the data have none. Load them with "
                "ma.load_cohort(path, followup='waves.xlsx'), or pass a pair "
                "(cohort_frame, waves_frame)."
            )
    if not isinstance(waves, pd.DataFrame):
        raise AnalysisError(
            f"The follow-up waves must be a pandas DataFrame (one row per participant per "
            f"wave), not {type(waves).__name__}."
        )
    return cohort, waves


def _responded(waves: pd.DataFrame) -> np.ndarray:
    """``responded`` as given, else (missing or absent) any outcome cell filled."""
    present = [c for c in OUTCOMES if c in waves.columns]
    filled = (
        waves[present].notna().any(axis=1).to_numpy()
        if present
        else np.zeros(len(waves), dtype=bool)
    )
    if "responded" not in waves.columns:
        return filled
    read = yes_no(waves["responded"])
    if read is None:
        raise AnalysisError(
            "Column 'responded' of the follow-up waves must hold yes/no values; rows "
            f"{_rows(~waves['responded'].isna().to_numpy())} hold something else. "
            "Correct those cells or leave them empty (empty: answered when any outcome is filled)."
        )
    values = read.to_numpy()
    out = np.where(np.isnan(values), filled, values == 1.0)
    contradicts = (values == 0.0) & filled
    if contradicts.any():
        raise AnalysisError(
            "Follow-up rows marked responded = no have an outcome filled (rows "
            f"{_rows(contradicts)} of the waves table). Mark them as responded or clear "
            "their outcome cells."
        )
    return out.astype(bool)


def wave_data(
    data: Any, baseline: Sequence[str | None] = (), *, purpose: str = "this analysis"
) -> WaveData:
    """Check the waves of ``data`` and join the ``baseline`` columns of its cohort table.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        A cohort with ``.waves``, or a pair of the cohort table (a Cohort or a
        DataFrame) and the follow-up table in the canonical columns.
    baseline : sequence of str
        Columns of the cohort table to join (derived ones are derived when absent).
    purpose : str
        Named in error messages.

    Returns
    -------
    WaveData
    """
    cohort, raw = _split(data, purpose)
    wanted = list(dict.fromkeys(c for c in baseline if c is not None and c != "participant_id"))
    people, notes = with_columns(cohort, ["participant_id", *wanted], purpose=purpose)
    ids = people["participant_id"]
    if ids.isna().any() or ids.duplicated().any():
        raise AnalysisError(
            "participant_id of the cohort table must be filled and unique to link follow-up "
            f"waves; rows {_rows((ids.isna() | ids.duplicated()).to_numpy())} are empty or "
            "repeat an earlier code."
        )
    for column in ("participant_id", "months"):
        if column not in raw.columns:
            raise ColumnError(
                f"Column {column!r} not found in the follow-up waves, needed for {purpose}. "
                f"Available: {[str(c) for c in raw.columns][:30]}."
            )
    months = pd.to_numeric(raw["months"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = np.isnan(months) | (months < 0)
    if bad.any():
        raise AnalysisError(
            f"Column 'months' of the follow-up waves must be a number >= 0 in every row; rows "
            f"{_rows(bad)} are empty, negative or not a number. Correct or remove them."
        )
    codes = raw["participant_id"].astype("string")
    known = codes.isin(set(ids.astype("string"))).to_numpy(dtype=bool, na_value=False)
    if not known.all():
        raise AnalysisError(
            f"Follow-up rows {_rows(~known)} name a participant_id that is not in the cohort "
            "table. Correct the codes, or remove those rows (load both tables with "
            "ma.load_cohort(..., followup=...) to have them listed in cohort.excluded)."
        )
    dup = pd.DataFrame({"p": codes.to_numpy(), "m": months}).duplicated().to_numpy()
    if dup.any():
        raise AnalysisError(
            f"Follow-up rows {_rows(dup)} repeat a wave of the same participant (the same "
            "participant_id and months twice). Keep one row per participant per wave."
        )
    responded = _responded(raw)
    keep = [c for c in raw.columns if c not in ("participant_id", "months", "responded")]
    waves = raw[keep].copy()
    waves.insert(0, "participant_id", codes.to_numpy(dtype=object))
    waves.insert(1, "months", months)
    waves["responded"] = responded
    waves = waves.sort_values(["participant_id", "months"], kind="stable").reset_index(drop=True)
    base = people[["participant_id", *wanted]].copy()
    base["participant_id"] = base["participant_id"].astype("string").to_numpy(dtype=object)
    shadow = [c for c in wanted if c in waves.columns]
    if shadow:
        waves = waves.drop(columns=shadow)
    waves = waves.merge(base, on="participant_id", how="left", validate="many_to_one")
    study = tuple(float(m) for m in np.unique(months))
    return WaveData(people.copy(), waves, study, tuple(notes))


def outcome_values(waves: pd.DataFrame, outcome: str) -> tuple[np.ndarray, str]:
    """The outcome as float (NaN when missing) and its kind, ``"binary"`` or ``"score"``.

    Raises a readable error for a missing column or unreadable values.
    """
    if outcome not in waves.columns:
        raise ColumnError(
            f"Column {outcome!r} not found in the follow-up waves. Outcomes of the follow-up "
            f"record: {list(OUTCOMES)}; available: {[str(c) for c in waves.columns][:30]}."
        )
    series = waves[outcome]
    if outcome not in _SCORES:
        read = yes_no(series)
        if read is not None:
            return read.to_numpy(dtype=float), "binary"
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    unreadable = np.isnan(values) & series.notna().to_numpy()
    if unreadable.any():
        raise AnalysisError(
            f"Column {outcome!r} of the follow-up waves must hold numbers or yes/no values; "
            f"rows {_rows(unreadable)} hold something else."
        )
    if outcome in _SCORES:
        low, high = _SCORES[outcome]
        out = ~np.isnan(values) & ((values < low) | (values > high) | (values % 1 != 0))
        if out.any():
            raise AnalysisError(
                f"Column {outcome!r} must hold whole numbers from {low} to {high}; rows "
                f"{_rows(out)} of the follow-up waves are outside that range."
            )
    return values, "score"
