"""Columns an analysis needs, derived from the raw ones when the data lack them.

Every analysis accepts a :class:`~mentoranalytics.Cohort` or a plain DataFrame.  A
cohort carries the derived fields (``seniority_gap``, ``bold_choice``, ...); a raw
frame may not.  :func:`with_columns` checks the columns an analysis needs, computes a
missing derived one with :func:`mentoranalytics.boldness.derive_fields` when its
sources are there, and otherwise says which sources are missing and how to proceed.
No heavy imports; the caller's frame is never modified.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from ._frame import as_frame
from .exceptions import ColumnError, require_columns

__all__ = ["DERIVABLE", "derivation_hint", "with_columns"]

_REACH = (("participant_level", "mentor_level"), ("seniority_gap",))
_DISTANCE = (("mentor_relation",), ("mentor_in_network",))
_INITIATION = (("approach",),)
_MENTOR_FIELDS = (
    ("mentor_level",),
    ("mentor_relation",),
    ("mentor_in_network",),
    ("approach",),
    ("mentor_gender",),
    ("days_to_secure",),
)

#: Derived column -> what it needs: every part must be met, a part by any one of its
#: alternatives (a set of columns that must all be present).
DERIVABLE: dict[str, tuple[tuple[tuple[str, ...], ...], ...]] = {
    "seniority_gap": ((("participant_level", "mentor_level"),),),
    "level_change": ((("participant_level", "level_after"),),),
    "mentor_in_network": ((("mentor_relation",),),),
    "mentor_secured": (_MENTOR_FIELDS,),
    "reach": (_REACH,),
    "distance": (_DISTANCE,),
    "initiation": (_INITIATION,),
    "bold_choice": (_REACH, _DISTANCE),
    "boldness_index": ((*_REACH, *_DISTANCE, *_INITIATION),),
    "boldness_components": ((*_REACH, *_DISTANCE, *_INITIATION),),
}


def _alternative(columns: tuple[str, ...]) -> str:
    return " and ".join(columns)


def _part_text(part: tuple[tuple[str, ...], ...]) -> str:
    first, *rest = part
    text = _alternative(first)
    if rest:
        text += " (or " + ", or ".join(_alternative(r) for r in rest) + ")"
    return text


def _can_derive(columns: Iterable[Any], name: str) -> bool:
    present = {str(c) for c in columns}
    return all(any(set(alt) <= present for alt in part) for part in DERIVABLE[name])


def derivation_hint(name: str, columns: Iterable[Any] = ()) -> str:
    """How ``name`` is derived and what the data lack, in words ("" if not derivable).

    >>> print(derivation_hint("bold_choice", ["participant_level", "mentor_level"]))
    'bold_choice' is derived from participant_level and mentor_level (or seniority_gap), \
and from mentor_relation (or mentor_in_network); the data lack mentor_relation \
(or mentor_in_network)
    """
    parts = DERIVABLE.get(name)
    if parts is None:
        return ""
    present = {str(c) for c in columns}
    text = f"'{name}' is derived from " + ", and from ".join(_part_text(p) for p in parts)
    lacking = [p for p in parts if not any(set(alt) <= present for alt in p)]
    if lacking:
        text += "; the data lack " + ", and ".join(_part_text(p) for p in lacking)
    return text


def with_columns(
    data: Any, columns: Iterable[Any], *, purpose: str = "this analysis"
) -> tuple[pd.DataFrame, list[str]]:
    """The frame behind ``data`` with ``columns``, derived ones added when absent.

    Parameters
    ----------
    data : Cohort or DataFrame
    columns : iterable of str or None
        Columns the analysis needs (None entries are ignored).
    purpose : str
        Named in the error message ("needed for ...").

    Returns
    -------
    (DataFrame, list of str)
        The frame (the input itself when nothing was missing, else a new frame) and
        notes naming the derived columns (empty when none was derived).

    Raises
    ------
    ColumnError
        A column is missing and cannot be derived; for a derived column the message
        says what it is derived from, which sources are missing, and how to proceed.
    """
    frame = as_frame(data)
    wanted = list(dict.fromkeys(c for c in columns if c is not None))
    missing = [c for c in wanted if c not in frame.columns]
    if not missing:
        return frame, []
    notes: list[str] = []
    derivable = [c for c in missing if c in DERIVABLE and _can_derive(frame.columns, c)]
    if derivable:
        from .boldness import derive_fields

        derived = derive_fields(frame)
        frame = frame.assign(**{c: derived[c] for c in derivable})
        notes.append(
            f"Derived from the raw columns (mentoranalytics.derive_fields): {', '.join(derivable)}."
        )
        missing = [c for c in missing if c not in derivable]
    if missing:
        try:
            require_columns(frame, missing, purpose=purpose)
        except ColumnError as exc:
            hints = [derivation_hint(c, frame.columns) for c in missing if c in DERIVABLE]
            if not hints:
                raise
            advice = "; ".join(h[0].upper() + h[1:] for h in hints)
            raise ColumnError(
                f"{exc} {advice}: add those columns and pass a Cohort (ma.load_cohort) or "
                "call ma.derive_fields(df)."
            ) from None
    return frame, notes
