"""Follow-up waves joined to the cohort's baseline columns, for the wave analyses.

The trajectory, attrition and interval analyses take a :class:`~mentoranalytics.Cohort`
that carries ``.waves`` (the canonical long follow-up table: one row per participant
per wave) or a pair ``(cohort_frame, waves_frame)``.  :func:`wave_data` joins the
baseline columns an analysis needs from the cohort table by ``participant_id``.

One checker
    Waves of a :class:`~mentoranalytics.Cohort` were checked when they were loaded
    and are used as they are.  A raw waves frame is checked by :func:`check_waves`
    with the loader's own rules (:func:`mentoranalytics.validation.validate` with
    ``table="followup"``): the same rule names (``unknown_participant``,
    ``duplicate_wave``, ``out_of_range``, ``answer_without_response``, ...), the same
    messages and the same row numbers as ``ma.load_cohort(..., followup=frame)``.
    Only ``wave_out_of_order`` is not a problem here: the rows of a frame are sorted.

Due waves
    A participant is *due* at a wave (months ``m``) when they have a row at ``m``
    (answered or not), or when any participant of the same ``cohort`` (intake) has
    a row at ``m``: the wave was run for that intake.  Without a ``cohort`` column
    everyone is one intake (due at every wave of the study); an empty ``cohort``
    value counts as one intake of its own.  A participant not yet due at a wave
    (their intake's follow-up has not reached it) is in no denominator of that
    wave: not answering a wave that was never run is not non-response.

No heavy imports; the caller's frames are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .._conventions import yes_no
from .._derived import with_columns
from ..exceptions import AnalysisError, ColumnError

__all__ = [
    "OUTCOMES",
    "SINCE_LAST_WAVE",
    "WaveData",
    "check_waves",
    "due_matrix",
    "not_due_note",
    "outcome_values",
    "wave_data",
    "waves_of",
]

#: The outcome columns of the canonical follow-up record.
OUTCOMES = schema.FOLLOWUP_OUTCOMES
#: Outcomes recorded as "since the previous answered wave" (events, not states).
SINCE_LAST_WAVE = ("promoted", "role_change", "employer_change")
#: Numeric outcomes and their ranges.
_SCORES = {"current_level": (1, 6), "career_satisfaction": (1, 5)}
#: The loader's rules that are not a problem for an analysis (the frame is sorted).
_NOT_A_PROBLEM = frozenset({"wave_out_of_order"})
_FRAME_LABEL = "<follow-up DataFrame>"


@dataclass(frozen=True)
class WaveData:
    """Waves of the analysed participants with their baseline columns.

    Attributes
    ----------
    people : DataFrame
        The cohort table (one row per participant) with the needed baseline columns.
    waves : DataFrame
        The follow-up rows of those participants, sorted by participant then months,
        RangeIndex, with ``months`` as float, ``responded`` as a numpy bool column
        and the baseline columns joined (suffix-free: a baseline column shadows no
        wave column).
    months : tuple of float
        The study's waves (distinct months), ascending.
    notes : tuple of str
    due : numpy.ndarray of bool
        people x months: the participant was due at the wave (see the module's
        "Due waves"); all True when empty.
    """

    people: pd.DataFrame
    waves: pd.DataFrame
    months: tuple[float, ...]
    notes: tuple[str, ...] = ()
    due: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        """Row of ``people`` and column of ``months`` of every wave row."""
        ids = self.people["participant_id"].astype("string").to_numpy(dtype=object)
        row = pd.Index(ids).get_indexer(self.waves["participant_id"])
        col = np.searchsorted(np.asarray(self.months), self.waves["months"].to_numpy(dtype=float))
        return row, col

    def answered(self) -> np.ndarray:
        """people x months: the participant answered the wave (no row: did not)."""
        row, col = self.cells()
        out = np.zeros((len(self.people), len(self.months)), dtype=bool)
        out[row, col] = self.waves["responded"].to_numpy(dtype=bool)
        return out


def _is_cohort(obj: Any) -> bool:
    from ..cohort import Cohort

    return isinstance(obj, Cohort)


def waves_of(data: Any, purpose: str) -> tuple[Any, pd.DataFrame, bool]:
    """``(cohort, waves, checked)`` of a Cohort (or object with ``.waves``) or a pair.

    ``checked`` is True when the waves are a loaded :class:`~mentoranalytics.Cohort`'s
    own (validated when loaded); a pair or any other object is checked by the caller.
    """
    if isinstance(data, tuple | list) and len(data) == 2:
        cohort, waves = data
        checked = False
    else:
        cohort, waves = data, getattr(data, "waves", None)
        checked = _is_cohort(data)
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
    return cohort, waves, checked


def _loader_rows(frame: pd.DataFrame) -> np.ndarray:
    """Row numbers as ``load_cohort`` gives them for a DataFrame (its integer index)."""
    if pd.api.types.is_integer_dtype(frame.index.dtype) and frame.index.is_unique:
        return np.asarray(frame.index, dtype=np.int64)
    return np.arange(len(frame), dtype=np.int64)


def check_waves(
    raw: pd.DataFrame, known_ids: Sequence[Any] | None = None, *, purpose: str = "this analysis"
) -> pd.DataFrame:
    """A raw follow-up frame checked by the loader's rules, in the canonical types.

    Parameters
    ----------
    raw : DataFrame
        One row per participant per wave, in the canonical column names
        (``participant_id`` and ``months`` or numeric ``wave`` labels required).
        Never modified.
    known_ids : sequence, optional
        The participant codes of the cohort table (``unknown_participant``); None
        skips that rule.
    purpose : str
        Named in error messages.

    Returns
    -------
    DataFrame
        Every row, in order: all canonical follow-up columns typed as
        ``cohort.waves`` holds them (``responded`` derived where empty, ``wave`` from
        months), then the frame's other columns as they are.

    Raises
    ------
    ColumnError
        ``participant_id``, or both ``months`` and ``wave``, are absent.
    AnalysisError
        Any problem the loader would report (except ``wave_out_of_order``), with its
        rule name, message and rows; ``.problems`` holds them as a frame.
    """
    from ..validation import Table, describe_group, group_problems, validate

    columns = [str(c) for c in raw.columns]
    for needed in ("participant_id", "months"):
        if needed not in columns and not (needed == "months" and "wave" in columns):
            raise ColumnError(
                f"Column {needed!r} not found in the follow-up waves, needed for {purpose}. "
                f"Available: {columns[:30]}."
            )
    canonical = [c for c in raw.columns if c in schema.FOLLOWUP_SCHEMA]
    table = Table(
        file=_FRAME_LABEL,
        frame=raw[canonical],
        rows=_loader_rows(raw),
        keep_extra_dtypes=True,
    )
    result = validate([table], table="followup", known_ids=known_ids)
    problems = result.problems[~result.problems["rule"].isin(_NOT_A_PROBLEM)]
    if len(problems):
        grouped = group_problems(problems)
        lines = [
            "  " + describe_group(g, with_file=False) for g in grouped.head(12).to_dict("records")
        ]
        if len(grouped) > 12:
            lines.append(f"  ... and {len(grouped) - 12} more (in the .problems of this error).")
        error = AnalysisError(
            f"The follow-up waves have {len(problems)} problem(s) for {purpose} (the rules of "
            "ma.load_cohort(..., followup=...); rows as in the frame's index):\n"
            + "\n".join(lines)
            + "\nCorrect those rows, or load both tables with ma.load_cohort(cohort, "
            "followup=waves, errors='exclude') to have them listed in cohort.excluded."
        )
        error.problems = problems.reset_index(drop=True)  # type: ignore[attr-defined]
        raise error
    data = result.data.reset_index(drop=True)
    for column in raw.columns:
        if column not in schema.FOLLOWUP_SCHEMA and column not in data.columns:
            data[column] = raw[column].to_numpy()
    return data


def due_matrix(people: pd.DataFrame, waves: pd.DataFrame, months: Sequence[float]) -> np.ndarray:
    """people x months: the participant was due at the wave.

    Due: the participant has a row at the wave (answered or not), or a participant
    of the same ``cohort`` (intake) has one.  Without a ``cohort`` column in
    ``people`` everyone is one intake; an empty ``cohort`` value is one intake.

    >>> people = pd.DataFrame({"participant_id": ["a", "b", "c"],
    ...                        "cohort": ["2019", "2019", "2024"]})
    >>> waves = pd.DataFrame({"participant_id": ["a", "a", "c"],
    ...                       "months": [6.0, 60.0, 6.0]})
    >>> due_matrix(people, waves, [6.0, 60.0]).tolist()
    [[True, True], [True, True], [True, False]]
    """
    study = np.asarray(months, dtype=float)
    ids = people["participant_id"].astype("string").to_numpy(dtype=object)
    row = pd.Index(ids).get_indexer(waves["participant_id"].astype("string").to_numpy(dtype=object))
    col = np.searchsorted(study, pd.to_numeric(waves["months"]).to_numpy(dtype=float))
    has_row = np.zeros((ids.size, study.size), dtype=bool)
    inside = (row >= 0) & (col < study.size)
    has_row[row[inside], col[inside]] = True
    if "cohort" not in people.columns:
        ran = np.asarray(has_row.any(axis=0), dtype=bool)
        return has_row | ran[None, :]
    intake, _ = pd.factorize(people["cohort"].astype(object), use_na_sentinel=False)
    run = pd.DataFrame(has_row).groupby(intake).any().to_numpy(dtype=bool)
    return has_row | run[intake]


def not_due_note(wd: WaveData, at: Sequence[float] | None = None, *, mask: Any = None) -> list[str]:
    """A note counting the participants not yet due, per wave (none when all were).

    ``at``: the waves to report (default all); ``mask``: the people counted (default
    everyone in ``wd.people``).
    """
    if wd.due.size == 0:
        return []
    keep = np.ones(len(wd.people), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    parts = []
    for k, m in enumerate(wd.months):
        if at is not None and m not in at:
            continue
        count = int((~wd.due[keep, k]).sum())
        if count:
            parts.append(f"{count} at {m:g} months")
    if not parts:
        return []
    return [
        "not yet due (their intake's follow-up had not reached the wave; counted in no "
        "denominator of it): " + ", ".join(parts)
    ]


def wave_data(
    data: Any, baseline: Sequence[str | None] = (), *, purpose: str = "this analysis"
) -> WaveData:
    """The waves of ``data`` with the ``baseline`` columns of its cohort table joined.

    Parameters
    ----------
    data : Cohort or (cohort, waves)
        A cohort with ``.waves``, or a pair of the cohort table (a Cohort or a
        DataFrame) and the follow-up table in the canonical columns.  Waves that are
        not a loaded Cohort's own are checked by :func:`check_waves`.
    baseline : sequence of str
        Columns of the cohort table to join (derived ones are derived when absent).
    purpose : str
        Named in error messages.

    Returns
    -------
    WaveData
        With ``due`` (see the module's "Due waves": the cohort table's ``cohort``
        column, when present, says which intake ran which wave).
    """
    cohort, raw, checked = waves_of(data, purpose)
    wanted = list(dict.fromkeys(c for c in baseline if c is not None and c != "participant_id"))
    from .._frame import as_frame

    intake = ["cohort"] if "cohort" in as_frame(cohort).columns else []
    people, notes = with_columns(cohort, ["participant_id", *wanted, *intake], purpose=purpose)
    ids = people["participant_id"]
    if ids.isna().any() or ids.duplicated().any():
        bad = np.flatnonzero((ids.isna() | ids.duplicated()).to_numpy())
        raise AnalysisError(
            "participant_id of the cohort table must be filled and unique to link follow-up "
            f"waves; rows {', '.join(str(int(i)) for i in bad[:10])} are empty or repeat an "
            "earlier code."
        )
    typed = raw if checked else check_waves(raw, list(ids), purpose=purpose)
    months = typed["months"].to_numpy(dtype=float, na_value=np.nan)
    keep = [c for c in typed.columns if c not in ("participant_id", "months", "responded")]
    waves = typed[keep].copy()
    waves.insert(0, "participant_id", typed["participant_id"].astype("string").to_numpy(object))
    waves.insert(1, "months", months)
    waves["responded"] = typed["responded"].to_numpy(dtype=bool, na_value=False)
    waves = waves.sort_values(["participant_id", "months"], kind="stable").reset_index(drop=True)
    base = people[["participant_id", *wanted]].copy()
    base["participant_id"] = base["participant_id"].astype("string").to_numpy(dtype=object)
    shadow = [c for c in wanted if c in waves.columns]
    if shadow:
        waves = waves.drop(columns=shadow)
    waves = waves.merge(base, on="participant_id", how="left", validate="many_to_one")
    study = tuple(float(m) for m in np.unique(months))
    due = due_matrix(people, waves, study)
    return WaveData(people.copy(), waves, study, tuple(notes), due)


def outcome_values(waves: pd.DataFrame, outcome: str) -> tuple[np.ndarray, str]:
    """The outcome as float (NaN when missing) and its kind, ``"binary"`` or ``"score"``.

    The canonical outcomes were checked (type and range) by the loader's rules; a
    column of another name is read as yes/no, else as numbers.
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
        rows = ", ".join(str(int(i)) for i in np.flatnonzero(unreadable)[:10])
        raise AnalysisError(
            f"Column {outcome!r} of the follow-up waves must hold numbers or yes/no values; "
            f"rows {rows} (sorted by participant and months) hold something else."
        )
    return values, "score"
