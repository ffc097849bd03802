"""Quasi-identifiers: k-anonymity summary over key columns (part 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._frame import as_frame
from ..exceptions import AnalysisError
from ..stats._result import Result

# ======================================================================================
# 2. Quasi-identifiers
# ======================================================================================


@dataclass(frozen=True, kw_only=True)
class PrivacySummary(Result):
    """How well the participants hide in the crowd over a set of key columns.

    Attributes
    ----------
    keys_used, keys_missing : tuple of str
        The key columns found in the data, and those asked for but absent.
    threshold : int
        Groups smaller than this count as small.
    n : int
        Participants (rows).
    k : int
        Size of the smallest group over the combination of ``keys_used`` (the k of
        k-anonymity).  With no key present, ``k = n``.
    n_groups, n_small_groups, n_in_small_groups : int
        Groups (observed combinations), groups below the threshold, and participants
        in them.
    table : DataFrame
        One row per key combination tried (each key alone, all keys, all keys but
        one); columns ``keys``, ``n_keys``, ``n_groups``, ``k``, ``n_small_groups``,
        ``n_in_small_groups``.
    advice : tuple of str
        What to do, in words.  Counts only; identities are never listed.
    """

    keys_used: tuple[str, ...]
    keys_missing: tuple[str, ...]
    threshold: int
    n: int
    k: int
    n_groups: int
    n_small_groups: int
    n_in_small_groups: int
    table: pd.DataFrame = field(repr=False)
    advice: tuple[str, ...] = ()

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"k-anonymity by key combination": self.table}

    def _footer_lines(self) -> list[str]:
        head = [
            f"k = {self.k} over {' × '.join(self.keys_used) or 'no key'} "
            f"(threshold {self.threshold}); {self.n_in_small_groups} of {self.n} participants "
            f"are in {self.n_small_groups} groups smaller than {self.threshold}."
        ]
        if self.keys_missing:
            head.append(f"Not in the data (ignored): {', '.join(self.keys_missing)}.")
        return head + [f"Advice: {a}" for a in self.advice] + super()._footer_lines()


def _group_stats(frame: pd.DataFrame, keys: Sequence[str], threshold: int) -> dict[str, int]:
    if keys:
        sizes = frame.groupby(list(keys), dropna=False, observed=True).size().to_numpy()
    else:
        sizes = np.array([len(frame)])
    small = sizes < threshold
    return {
        "n_groups": int(sizes.size),
        "k": int(sizes.min()),
        "n_small_groups": int(small.sum()),
        "n_in_small_groups": int(sizes[small].sum()),
    }


def privacy_summary(
    data: Any,
    *,
    keys: Sequence[str] = ("gender", "cohort", "employment", "participant_level"),
    threshold: int = 5,
) -> PrivacySummary:
    """Smallest group over the quasi-identifiers, k-anonymity, and advice.

    Missing values of a key form a group of their own.  Only keys present in the data
    are used (``keys_used``); the others are listed in ``keys_missing``.

    Parameters
    ----------
    data : Cohort or DataFrame
        One row per participant.
    keys : sequence of str, default=("gender", "cohort", "employment", "participant_level")
        Quasi-identifier columns.
    threshold : int, default=5
        Groups smaller than this are small (use the threshold of the disclosure policy).

    Returns
    -------
    PrivacySummary
        ``k``, ``n_small_groups``, ``n_in_small_groups``, ``advice`` and ``table`` with
        columns ``keys``, ``n_keys``, ``n_groups``, ``k``, ``n_small_groups``,
        ``n_in_small_groups``.

    Examples
    --------
    >>> df = pd.DataFrame({"gender": ["woman"] * 6 + ["man"] * 2, "cohort": ["2019"] * 8})
    >>> s = privacy_summary(df)
    >>> s.k, s.n_in_small_groups, s.keys_used
    (2, 2, ('gender', 'cohort'))
    """
    frame = as_frame(data)
    if isinstance(keys, str):
        keys = (keys,)
    keys = tuple(keys)
    if not all(isinstance(k, str) for k in keys):
        raise AnalysisError(f"keys must be column names (strings), not {keys!r}.")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise AnalysisError(
            f"threshold must be a whole number >= 1, not {threshold!r}. "
            "Use the threshold of your disclosure policy, e.g. threshold=5."
        )
    threshold = int(threshold)
    if len(frame) == 0:
        raise AnalysisError("data has no rows, so there is no group to summarise.")
    used = tuple(k for k in dict.fromkeys(keys) if k in frame.columns)
    missing = tuple(k for k in dict.fromkeys(keys) if k not in frame.columns)

    combos: list[tuple[str, ...]] = [(k,) for k in used]
    if len(used) > 1:
        combos.append(used)
        combos += [tuple(k for k in used if k != drop) for drop in used]
    if not used:
        combos = [()]
    rows = []
    seen: set[tuple[str, ...]] = set()
    for combo in combos:
        if combo in seen:
            continue
        seen.add(combo)
        rows.append(
            {"keys": " × ".join(combo) or "(none)", "n_keys": len(combo)}
            | _group_stats(frame, combo, threshold)
        )
    table = pd.DataFrame(
        rows, columns=["keys", "n_keys", "n_groups", "k", "n_small_groups", "n_in_small_groups"]
    )
    overall = _group_stats(frame, used, threshold)
    advice = _privacy_advice(frame, used, threshold, overall)
    return PrivacySummary(
        method="k-anonymity over the key combination (Sweeney 2002)",
        keys_used=used,
        keys_missing=missing,
        threshold=threshold,
        n=len(frame),
        table=table,
        advice=tuple(advice),
        k=overall["k"],
        n_groups=overall["n_groups"],
        n_small_groups=overall["n_small_groups"],
        n_in_small_groups=overall["n_in_small_groups"],
    )


def _privacy_advice(
    frame: pd.DataFrame, used: tuple[str, ...], threshold: int, overall: dict[str, int]
) -> list[str]:
    k = overall["k"]
    if not used:
        return ["None of the key columns is in the data; nothing to assess."]
    if k >= threshold:
        return [
            f"Every combination of {' × '.join(used)} holds at least {threshold} participants "
            f"(k = {k}); tables over these keys need only the usual suppression."
        ]
    out = [
        f"{overall['n_in_small_groups']} of {len(frame)} participants are in "
        f"{overall['n_small_groups']} groups smaller than {threshold} (k = {k}): do not "
        f"publish tables that cross all of {', '.join(used)}."
    ]
    if "cohort" in used and len(used) > 1:
        pooled = _group_stats(frame, [u for u in used if u != "cohort"], threshold)["k"]
        if pooled > k:
            out.append(f"Pool cohorts: without cohort the smallest group rises to {pooled}.")
    for key in used:
        sizes = frame[key].value_counts(dropna=False)
        sizes = sizes[sizes > 0]  # empty categories identify no one
        n_small = int((sizes < threshold).sum())
        if n_small:
            out.append(
                f"Merge small categories of {key}: {n_small} of its {sizes.size} categories "
                f"have fewer than {threshold} participants."
            )
    if "participant_level" in used and len(used) > 1:
        without = _group_stats(frame, [u for u in used if u != "participant_level"], threshold)
        out.append(
            "Drop participant_level from published tables (or band it, e.g. 1-2, 3-4, 5-6): "
            f"without it the smallest group is {without['k']}."
        )
    return out
