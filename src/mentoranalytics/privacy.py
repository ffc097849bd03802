"""Privacy: the personal-data guard used by the loader, and disclosure control.

(Being built; see issue 5.)  The loader calls :func:`scan_personal_data` on the raw
table before anything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd


def scan_personal_data(
    raw: pd.DataFrame,
    *,
    file: str | None = None,
    row_numbers: Sequence[int] | None = None,
    allow_columns: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Look for direct identifiers in a raw table of strings (original headers).

    Returns problem records ``{"file", "row", "column", "rule", "message"}``; the
    message names row and column and never echoes the value.
    """
    return []
