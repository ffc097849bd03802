"""A plain view of a cohort for other tools: statsmodels formulas, lifelines, seaborn, tableone.

``Cohort.data`` keeps pandas' nullable types (``boolean``, ``Int64``, ``Float64``,
``string``) and every category of the schema, so that nothing is lost or guessed.
Other libraries expect numpy types: a ``boolean`` outcome makes a statsmodels formula
fail, a ``string`` column trips lifelines and tableone, unused categories become empty
groups in seaborn.  :func:`plain` converts:

=====================================  ==============================================
column                                 becomes
=====================================  ==============================================
yes/no (``boolean`` or ``bool``)       ``float64`` 1.0 / 0.0, NaN when missing (an
                                       outcome in a formula, an event flag in
                                       lifelines, a rate as seaborn's mean)
``Int64``, ``Float64`` (and other      ``float64`` with NaN when missing
nullable numbers)
categorical                            pandas ``Categorical`` without unused
                                       categories (order kept; ``C(gender)`` works)
``string`` / ``str`` text              ``object`` with NaN when missing
numpy numbers, anything else           unchanged
=====================================  ==============================================

and, when the frame has numeric or yes/no ``promoted``, ``months_to_promotion`` and
``followup_months``, adds ``months``: months to promotion for people promoted, months
of follow-up (censoring) for the others, NaN when that time is missing, the duration
column lifelines and survival formulas want.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._frame import as_frame
from .exceptions import AnalysisError, require_columns

__all__ = ["DURATION", "plain"]

#: Name of the added duration column.
DURATION = "months"


def _plain_column(series: pd.Series) -> pd.Series:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        out = series.cat.remove_unused_categories()
        categories = out.cat.categories
        if pd.api.types.is_string_dtype(categories.dtype) and not pd.api.types.is_object_dtype(
            categories.dtype
        ):  # text categories as plain Python strings (object), as older tools expect
            recoded = pd.Categorical.from_codes(
                out.cat.codes.to_numpy(),
                dtype=pd.CategoricalDtype(
                    pd.Index(list(categories), dtype=object), ordered=out.cat.ordered
                ),
            )
            out = pd.Series(recoded, index=series.index, name=series.name)
        return out
    if pd.api.types.is_bool_dtype(dtype):
        return pd.Series(
            series.to_numpy(dtype="float64", na_value=np.nan), index=series.index, name=series.name
        )
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_numeric_dtype(dtype):
        return pd.Series(
            series.to_numpy(dtype="float64", na_value=np.nan), index=series.index, name=series.name
        )
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        text = series.astype(object)
        return text.where(series.notna(), np.nan)
    return series


def plain(data: Any, *, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The cohort's records with plain numpy types, ready for other libraries.

    Parameters
    ----------
    data : Cohort or pandas.DataFrame
        The records (never modified).
    columns : sequence of str, optional
        Columns to keep (default: all).

    Returns
    -------
    pandas.DataFrame
        A new frame: yes/no columns as ``float64`` 0/1 with NaN, nullable numbers as
        ``float64``, categoricals without unused categories, text as ``object``;
        plus ``months`` (time to promotion or to the end of follow-up) when the
        frame has ``promoted``, ``months_to_promotion`` and ``followup_months`` and no
        ``months`` column yet (see the module docstring).

    Raises
    ------
    ColumnError
        A name in ``columns`` is not a column.

    Examples
    --------
    >>> import mentoranalytics as ma
    >>> df = ma.plain(ma.load_sample())
    >>> df["promoted"].dtype, df["participant_level"].dtype, df["gender"].dtype.name
    (dtype('float64'), dtype('float64'), 'category')
    >>> import statsmodels.formula.api as smf
    >>> fit = smf.logit("promoted ~ C(gender) + bold_choice", data=df).fit(disp=0)
    >>> "bold_choice" in fit.params.index
    True
    """
    frame = as_frame(data)
    if columns is not None:
        if isinstance(columns, str):
            columns = [columns]
        wanted = list(dict.fromkeys(columns))
        require_columns(frame, wanted, purpose="the plain view")
        frame = frame[wanted]
    out = pd.DataFrame({c: _plain_column(frame[c]) for c in frame.columns}, index=frame.index)
    if out.shape[1] != frame.shape[1]:  # repeated column names
        raise AnalysisError(
            "The data have repeated column names; give each column its own name first."
        )
    needed = ("promoted", "months_to_promotion", "followup_months")
    if (
        DURATION not in out.columns
        and all(c in out.columns for c in needed)
        and all(pd.api.types.is_numeric_dtype(out[c].dtype) for c in needed)
    ):
        promoted = out["promoted"].to_numpy(dtype=float)
        to_event = out["months_to_promotion"].to_numpy(dtype=float)
        followup = out["followup_months"].to_numpy(dtype=float)
        out[DURATION] = np.where(promoted == 1, to_event, np.where(promoted == 0, followup, np.nan))
    return out
