"""Small helpers shared by the analysis modules (no heavy imports)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .exceptions import AnalysisError


def as_frame(data: Any) -> pd.DataFrame:
    """Return the DataFrame behind ``data`` (a :class:`~mentoranalytics.Cohort` or a DataFrame).

    The frame is returned as is; callers must not modify it in place (pandas
    copy-on-write makes derived frames safe).

    >>> as_frame(pd.DataFrame({"a": [1]})).shape
    (1, 1)
    """
    if isinstance(data, pd.DataFrame):
        return data
    inner = getattr(data, "data", None)
    if isinstance(inner, pd.DataFrame):
        return inner
    raise AnalysisError(
        f"data must be a Cohort or a pandas DataFrame, not {type(data).__name__}. "
        "Load a file with ma.load_cohort(path) or pass a DataFrame."
    )


def resolve_rng(rng: Any) -> tuple[np.random.Generator, Any]:
    """Turn ``rng`` (None, int or Generator) into a Generator and a value to record.

    ``None`` means the fixed default seed 0, so that the same input gives the same
    output; pass an int or a Generator to choose.

    >>> g, seed = resolve_rng(3)
    >>> seed
    3
    """
    if rng is None:
        return np.random.default_rng(0), 0
    if isinstance(rng, np.random.Generator):
        return rng, "Generator"
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng)), int(rng)
    raise AnalysisError(
        f"rng must be None, an int seed or a numpy.random.Generator, not {type(rng).__name__}."
    )
