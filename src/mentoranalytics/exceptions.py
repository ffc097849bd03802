"""Exceptions and warnings raised by mentoranalytics.

Every error the package raises on purpose derives from :class:`MentorAnalyticsError`
and from the matching built-in (usually :class:`ValueError`), so callers can catch
either.  The command line turns a ``MentorAnalyticsError`` into a one-line message
and an exit code; any other exception keeps its traceback (it is a bug).
"""

from __future__ import annotations

from typing import Any


class MentorAnalyticsError(Exception):
    """Base class of every error raised on purpose by mentoranalytics."""


class SchemaError(MentorAnalyticsError, ValueError):
    """The data do not fit the canonical cohort schema.

    ``problems`` holds every finding as a DataFrame with columns
    ``file, row, column, rule, message`` (it may be ``None`` for a single problem).
    """

    def __init__(self, message: str, problems: Any = None) -> None:
        super().__init__(message)
        self.problems = problems


class PersonalDataError(MentorAnalyticsError, ValueError):
    """The data look like they contain direct identifiers (never echoed)."""

    def __init__(self, message: str, problems: Any = None) -> None:
        super().__init__(message)
        self.problems = problems


class ColumnError(MentorAnalyticsError, KeyError):
    """An analysis was asked for a column the data do not have."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""


class AnalysisError(MentorAnalyticsError, ValueError):
    """An analysis cannot be carried out on these data; the message says why."""


class DisclosureError(MentorAnalyticsError, ValueError):
    """A table fails disclosure control (a suppressed cell could be recovered)."""


class MentorAnalyticsWarning(UserWarning):
    """Base class of every warning issued by mentoranalytics."""


class SmallSampleWarning(MentorAnalyticsWarning):
    """Counts or expected counts are small; read the result with care."""


class SeparationWarning(MentorAnalyticsWarning):
    """A predictor separates the outcome; a penalised (Firth) model was used."""


class DataQualityWarning(MentorAnalyticsWarning):
    """Rows or values were excluded or needed attention."""


def require_columns(frame: Any, columns: Any, *, purpose: str = "this analysis") -> None:
    """Raise :class:`ColumnError` naming every missing column and the ones available.

    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"gender": []}), ["gender"])
    >>> require_columns(pd.DataFrame({"Sex": []}), ["gender"])
    Traceback (most recent call last):
    ...
    mentoranalytics.exceptions.ColumnError: Column 'gender' not found, needed for this analysis. Available: ['Sex'].
    >>> require_columns(pd.DataFrame({"gender": []}), ["Gendr"])
    Traceback (most recent call last):
    ...
    mentoranalytics.exceptions.ColumnError: Column 'Gendr' not found, needed for this analysis. Available: ['gender']. Did you mean 'gender'?
    """
    wanted = [c for c in columns if c is not None]
    missing = [c for c in wanted if c not in frame.columns]
    if not missing:
        return
    available = [str(c) for c in frame.columns]
    shown = available[:30] + (["..."] if len(available) > 30 else [])
    names = ", ".join(repr(m) for m in missing)
    noun = "Column" if len(missing) == 1 else "Columns"
    from ._conventions import close_matches

    hints = []
    for name in missing:
        hits = close_matches(name, available)
        if hits:
            hints.append(f"{name!r} -> " + " or ".join(repr(h) for h in hits))
    hint = ""
    if len(missing) == 1 and hints:
        hint = " Did you mean " + hints[0].split(" -> ", 1)[1] + "?"
    elif hints:
        hint = " Did you mean: " + "; ".join(hints) + "?"
    raise ColumnError(f"{noun} {names} not found, needed for {purpose}. Available: {shown}.{hint}")
