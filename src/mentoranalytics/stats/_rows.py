"""Distinct rows of a design matrix, fast (``np.unique(axis=0)`` sorts structured rows)."""

from __future__ import annotations

import numpy as np


def distinct_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First index and count of each distinct row of a 2-D array, rows in sorted order.

    The same as ``np.unique(a, axis=0, return_index=True, return_counts=True)[1:]``
    for arrays without NaN (rows sorted lexicographically, the first occurrence of
    each), through one ``lexsort`` of the columns.  See :func:`row_groups` for the
    distinct row of every row.

    >>> first, counts = distinct_rows(np.array([[1.0, 2.0], [0.0, 5.0], [1.0, 2.0]]))
    >>> first.tolist(), counts.tolist()
    ([1, 0], [1, 2])
    """
    a = np.asarray(a)
    n = a.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if a.ndim != 2 or a.shape[1] == 0:
        return np.zeros(1, dtype=np.intp), np.array([n], dtype=np.intp)
    order = np.lexsort(a.T[::-1])  # stable: equal rows keep their original order
    ordered = a[order]
    starts = np.flatnonzero(np.concatenate([[True], np.any(ordered[1:] != ordered[:-1], axis=1)]))
    counts = np.diff(np.append(starts, n))
    return order[starts], counts


def row_groups(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`distinct_rows` plus, for every row, the number of its distinct row.

    >>> first, counts, inverse = row_groups(np.array([[1.0], [0.0], [1.0]]))
    >>> first.tolist(), counts.tolist(), inverse.tolist()
    ([1, 0], [1, 2], [1, 0, 1])
    """
    a = np.asarray(a)
    n = a.shape[0]
    if n == 0 or a.ndim != 2 or a.shape[1] == 0:
        first, counts = distinct_rows(a)
        return first, counts, np.zeros(n, dtype=np.intp)
    order = np.lexsort(a.T[::-1])
    ordered = a[order]
    new = np.concatenate([[True], np.any(ordered[1:] != ordered[:-1], axis=1)])
    starts = np.flatnonzero(new)
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return order[starts], np.diff(np.append(starts, n)), inverse
