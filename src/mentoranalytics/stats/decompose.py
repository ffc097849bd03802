"""Split a gap in a rate between two groups into composition and returns (Kitagawa 1955).

With groups A and B, levels ``v`` of the ``via`` variable, shares ``p_gv`` (the
fraction of group g at level v) and rates ``r_gv`` (the outcome rate of group g at
level v), the gap in the overall rates ``R_A - R_B = sum_v p_Av r_Av - sum_v p_Bv r_Bv``
splits exactly into

* **composition** ``sum_v (p_Av - p_Bv) (r_Av + r_Bv) / 2``: the part due to the
  groups being spread differently over the levels of ``via`` (e.g. fewer bold
  choices), valued at the average rates;
* **returns** ``sum_v (r_Av - r_Bv) (p_Av + p_Bv) / 2``: the part due to different
  outcome rates within the same level (e.g. less benefit from a bold choice),
  weighted by the average shares.

This is Kitagawa's (1955) two-factor decomposition with symmetric (average)
weights, the rate analogue of the Oaxaca-Blinder decomposition; the two parts add
up to the gap exactly.  Percentile intervals come from a bootstrap that resamples
people within each group (so the group sizes stay fixed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._conventions import (
    check_column_name,
    deprecated_argument,
    group_order,
    missing_cells,
    resolve_pair,
    yes_no,
)
from .._derived import with_columns
from .._frame import as_frame, resolve_rng
from ..exceptions import AnalysisError
from ._result import Result

__all__ = ["DecompositionResult", "decompose_gap", "kitagawa"]

#: Cap on bootstrap rows x replicates held in memory at once.
_BLOCK_CELLS = 5_000_000


@dataclass(frozen=True, kw_only=True, eq=False)
class DecompositionResult(Result):
    """Result of :func:`decompose_gap`.

    Attributes
    ----------
    table : DataFrame
        Index ``component`` = gap, composition, returns; columns ``estimate,
        ci_low, ci_high``.  ``gap = composition + returns`` exactly.
    cells : DataFrame
        One row per group and level of ``via``: columns ``group, level, n, events,
        rate, share`` (``level`` = the value of ``via``; ``share`` = fraction of the
        group at that level).
    group, reference : object
        The two groups compared: the gap is the rate of ``group`` minus that of
        ``reference``.
    groups : (object, object)
        ``(group, reference)``.
    identified : bool
        False when a cell of group x via is empty: the rate of that cell is unknown,
        so only the gap is estimated (composition and returns are NaN, with a note).
    n_boot, n_boot_used : int
        Bootstrap replicates drawn, and those in which the decomposition was defined.
    rng : object
        The seed (or ``'Generator'``) used.
    """

    table: pd.DataFrame
    cells: pd.DataFrame
    outcome: str
    by: str
    via: str
    groups: tuple[Any, Any]
    identified: bool
    n: int
    n_boot: int
    n_boot_used: int
    rng: Any
    alpha: float = 0.05

    @property
    def group(self) -> Any:
        """The group compared with the reference (the gap is group minus reference)."""
        return self.groups[0]

    @property
    def reference(self) -> Any:
        """The reference group."""
        return self.groups[1]

    @property
    def title(self) -> str:
        a, b = self.groups
        return f"Gap in '{self.outcome}' ({a} minus {b}) through '{self.via}'"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"decomposition": self.table, "cells": self.cells}


def kitagawa(
    share_a: np.ndarray, rate_a: np.ndarray, share_b: np.ndarray, rate_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kitagawa's symmetric two-factor decomposition (vectorised over leading axes).

    The last axis runs over the levels of the composition variable.

    Returns
    -------
    gap, composition, returns : ndarray
        ``gap = composition + returns``.

    >>> import numpy as np
    >>> gap, comp, ret = kitagawa(np.array([.5, .5]), np.array([.2, .6]),
    ...                           np.array([.8, .2]), np.array([.1, .5]))
    >>> round(float(gap), 6), round(float(comp), 6), round(float(ret), 6)
    (0.22, 0.12, 0.1)
    """
    gap = np.sum(share_a * rate_a, axis=-1) - np.sum(share_b * rate_b, axis=-1)
    composition = np.sum((share_a - share_b) * (rate_a + rate_b) / 2.0, axis=-1)
    returns = np.sum((rate_a - rate_b) * (share_a + share_b) / 2.0, axis=-1)
    return gap, composition, returns


#: Above this many rows in a group, a resample's counts are drawn from their
#: multinomial distribution instead of resampling rows one by one.
_MULTINOMIAL_ROWS = 20_000


def _boot_group(
    codes: np.ndarray, y: np.ndarray, n_levels: int, n_boot: int, gen: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bootstrap counts per level, events per level and overall rate (n_boot rows).

    Resampling ``n`` rows with replacement makes the counts of the (level, outcome)
    cells multinomial with the observed cell shares; above :data:`_MULTINOMIAL_ROWS`
    rows they are drawn that way (the same distribution, ``n_boot`` draws instead of
    ``n_boot x n``).
    """
    n = len(codes)
    if n > _MULTINOMIAL_ROWS:
        event = (y > 0).astype(np.intp)
        cells = np.bincount(codes * 2 + event, minlength=2 * n_levels)
        draws = gen.multinomial(n, cells / n, size=n_boot).reshape(n_boot, n_levels, 2)
        counts = draws.sum(axis=2).astype(float)
        events = draws[:, :, 1].astype(float)
        return counts, events, events.sum(axis=1) / n
    counts = np.empty((n_boot, n_levels))
    events = np.empty((n_boot, n_levels))
    block = max(1, min(n_boot, _BLOCK_CELLS // max(n, 1)))
    for start in range(0, n_boot, block):
        stop = min(n_boot, start + block)
        b = stop - start
        idx = gen.integers(0, n, size=(b, n))
        flat = (codes[idx] + n_levels * np.arange(b)[:, None]).ravel()
        counts[start:stop] = np.bincount(flat, minlength=b * n_levels).reshape(b, n_levels)
        events[start:stop] = np.bincount(
            flat, weights=y[idx].ravel(), minlength=b * n_levels
        ).reshape(b, n_levels)
    overall = events.sum(axis=1) / n
    return counts, events, overall


def decompose_gap(
    data: Any,
    outcome: str,
    *,
    by: str = "gender",
    via: str = "bold_choice",
    reference: Any = None,
    group: Any = None,
    n_boot: int = 1000,
    rng: Any = None,
    alpha: float = 0.05,
    groups: tuple[Any, Any] | None = None,
) -> DecompositionResult:
    """Split the gap in an outcome rate between two groups into composition and returns.

    Parameters
    ----------
    data : Cohort or DataFrame
        The records.  The input is never modified.
    outcome : str
        Yes/no outcome column (e.g. ``promoted``).
    by : str, default="gender"
        Group column.
    via : str, default="bold_choice"
        Yes/no or categorical column through which the gap may run.
    reference : object, optional
        The reference group: the gap is the rate of ``group`` minus the rate of
        ``reference``.  Default, never depending on group sizes (as every
        function): ``"man"`` for gender (the gap reads "women minus men"),
        ``False`` for a yes/no column, else the first group in order.
    group : object, optional
        The group compared with the reference.  Default: the first other group in
        order (for gender: ``"woman"``); rows in further groups are left out and
        counted in the notes.
    n_boot : int, default=1000
        Bootstrap replicates (resampling within each group).
    rng : None, int or numpy.random.Generator, default=None
        Randomness; None uses a fixed seed, so results are reproducible.
    alpha : float, default=0.05
        Intervals have level ``1 - alpha``.

    Returns
    -------
    DecompositionResult
        ``.table`` (index ``component``: gap, composition, returns; columns
        ``estimate, ci_low, ci_high``), ``.cells`` (columns ``group, level, n,
        events, rate, share``), ``.group`` and ``.reference``.
    groups : (object, object), optional
        Deprecated: ``(group, reference)``; pass ``group=`` and ``reference=``.

    Raises
    ------
    AnalysisError
        For a non-yes/no outcome, fewer than two groups, a ``via`` with one level,
        or invalid arguments.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "gender": ["woman"] * 10 + ["man"] * 10,
    ...     "bold_choice": [True] * 2 + [False] * 8 + [True] * 6 + [False] * 4,
    ...     "promoted": [True, False] + [True] * 2 + [False] * 6
    ...                 + [True] * 4 + [False] * 2 + [True, False, False, False],
    ... })
    >>> res = decompose_gap(df, "promoted", n_boot=200, rng=1)
    >>> res.group, res.reference
    ('woman', 'man')
    >>> [round(v, 4) for v in res.table["estimate"]]
    [-0.2, -0.1333, -0.0667]
    """
    from .models import _is_numeric

    frame = as_frame(data)
    check_column_name(outcome, "outcome")
    check_column_name(by, "by")
    check_column_name(via, "via")
    if groups is not None:
        if reference is not None or group is not None:
            raise AnalysisError(
                "decompose_gap: pass group= and reference= only (groups= is their old name)."
            )
        deprecated_argument("decompose_gap", "groups", "group= and reference", groups, None)
        if isinstance(groups, str) or len(groups) != 2:
            raise AnalysisError(
                f"groups must be two different values of '{by}', e.g. ('woman', 'man'), "
                f"not {groups!r}."
            )
        group, reference = groups
    if len({outcome, by, via}) != 3:
        raise AnalysisError(
            f"outcome, by and via must be three different columns, got {[outcome, by, via]}."
        )
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise AnalysisError(
            f"n_boot must be a whole number of at least 1 (e.g. 1000), not {n_boot!r}."
        )
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha!r}.")
    gen, seed = resolve_rng(rng)
    frame, derived_notes = with_columns(frame, [outcome, by, via], purpose="decompose_gap")

    used = frame[[outcome, by, via]]
    missing = missing_cells(used)
    complete = ~missing.any(axis=1)
    notes: list[str] = list(derived_notes)
    n_missing = int((~complete).sum())
    if n_missing:
        notes.append(
            f"{n_missing} of {len(frame)} rows were left out because of missing values in "
            f"{[c for c in used.columns if missing[c].any()]}."
        )
    sub = used.loc[complete]

    y_all = yes_no(sub[outcome])
    if y_all is None:
        raise AnalysisError(
            f"Outcome '{outcome}' must be yes/no (the gap is a gap in rates). Make it yes/no, "
            "e.g. data[col] >= threshold."
        )

    # groups: the package's reference convention, never the group sizes
    group_levels = group_order(sub[by], by)
    if len(group_levels) < 2 and group is None and reference is None:
        raise AnalysisError(
            f"'{by}' has {len(group_levels)} group(s) among the analysed rows; a gap needs two."
        )
    ga, gb, _ = resolve_pair(group_levels, by, reference, group)
    sizes = {g: int((sub[by] == g).sum()) for g in (ga, gb)}
    notes.append(
        f"Groups compared: '{ga}' (n = {sizes[ga]}) with '{gb}' (n = {sizes[gb]}, the "
        f"reference); gap = rate({ga}) - rate({gb})."
    )
    others = int(len(sub) - sizes[ga] - sizes[gb])
    if others:
        notes.append(f"{others} rows in other groups of '{by}' are not part of this comparison.")
    in_pair = sub[by].isin([ga, gb])
    sub = sub.loc[in_pair]
    y = yes_no(sub[outcome])
    assert y is not None

    # via levels
    via_bool = yes_no(sub[via])
    if via_bool is not None:
        via_values: pd.Series = via_bool.astype(bool)
        via_levels: list[Any] = [v for v in (False, True) if (via_values == v).any()]
    else:
        if _is_numeric(sub[via]) and sub[via].nunique() > 10:
            raise AnalysisError(
                f"via='{via}' has {sub[via].nunique()} numeric values; it must be yes/no or "
                "categorical (e.g. bold_choice). Cut it into a few groups first."
            )
        via_values = sub[via]
        via_levels = group_order(via_values, via)
    if len(via_levels) < 2:
        raise AnalysisError(
            f"Everyone compared has the same '{via}' ({via_levels[0] if via_levels else None!r}); "
            "there is nothing to decompose. Report the gap in rates instead."
        )
    level_code = {level: i for i, level in enumerate(via_levels)}
    codes = via_values.map(level_code).to_numpy(dtype=np.intp)
    yv = y.to_numpy(dtype=float)
    group_is_a = (sub[by] == ga).to_numpy()
    L = len(via_levels)

    def cell_stats(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n_cells = np.bincount(codes[mask], minlength=L).astype(float)
        k_cells = np.bincount(codes[mask], weights=yv[mask], minlength=L)
        return n_cells, k_cells

    n_a, k_a = cell_stats(group_is_a)
    n_b, k_b = cell_stats(~group_is_a)
    share_a, share_b = n_a / n_a.sum(), n_b / n_b.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_a, rate_b = k_a / n_a, k_b / n_b
    gap_hat = k_a.sum() / n_a.sum() - k_b.sum() / n_b.sum()
    empty = [(ga, via_levels[i]) for i in range(L) if n_a[i] == 0] + [
        (gb, via_levels[i]) for i in range(L) if n_b[i] == 0
    ]
    identified = not empty
    comp_hat = ret_hat = float("nan")
    if identified:
        _, comp_arr, ret_arr = kitagawa(share_a, rate_a, share_b, rate_b)
        comp_hat, ret_hat = float(comp_arr), float(ret_arr)
    else:
        cells_text = "; ".join(f"no one in '{g}' has {via} = {v}" for g, v in empty)
        notes.append(
            f"The decomposition is not identified: {cells_text}, so the outcome rate of that "
            "cell is unknown and the gap cannot be split into composition and returns. Only "
            "the gap is reported."
        )

    # stratified bootstrap
    counts_a, events_a, overall_a = _boot_group(codes[group_is_a], yv[group_is_a], L, n_boot, gen)
    counts_b, events_b, overall_b = _boot_group(codes[~group_is_a], yv[~group_is_a], L, n_boot, gen)
    gap_boot = overall_a - overall_b
    defined = np.all(counts_a > 0, axis=1) & np.all(counts_b > 0, axis=1)
    n_used = int(defined.sum()) if identified else 0
    lo_q, hi_q = 100 * alpha / 2, 100 * (1 - alpha / 2)
    rows = [("gap", float(gap_hat), *np.percentile(gap_boot, [lo_q, hi_q]))]
    if identified and n_used > 0:
        ca, cb = counts_a[defined], counts_b[defined]
        _, comp_boot, ret_boot = kitagawa(
            ca / ca.sum(axis=1, keepdims=True),
            events_a[defined] / ca,
            cb / cb.sum(axis=1, keepdims=True),
            events_b[defined] / cb,
        )
        rows.append(("composition", float(comp_hat), *np.percentile(comp_boot, [lo_q, hi_q])))
        rows.append(("returns", float(ret_hat), *np.percentile(ret_boot, [lo_q, hi_q])))
        if n_used < n_boot:
            notes.append(
                f"In {n_boot - n_used} of {n_boot} bootstrap samples a cell of {by} x {via} was "
                "empty; the intervals of composition and returns use the other "
                f"{n_used} samples (they may be too narrow when this share is large)."
            )
    else:
        rows.append(("composition", float(comp_hat), np.nan, np.nan))
        rows.append(("returns", float(ret_hat), np.nan, np.nan))
        if identified:
            notes.append(
                "No bootstrap sample had every cell filled; composition and returns have no interval."
            )
    table = pd.DataFrame(rows, columns=["component", "estimate", "ci_low", "ci_high"]).set_index(
        "component"
    )
    for col in ("estimate", "ci_low", "ci_high"):
        table[col] = table[col].astype(float)

    cells = pd.DataFrame(
        {
            "group": [ga] * L + [gb] * L,
            "level": via_levels * 2,
            "n": np.concatenate([n_a, n_b]).astype(int),
            "events": np.concatenate([k_a, k_b]).astype(int),
            "rate": np.concatenate([rate_a, rate_b]),
            "share": np.concatenate([share_a, share_b]),
        }
    )
    method = (
        "Kitagawa (1955) decomposition with symmetric weights; stratified bootstrap "
        f"percentile intervals ({n_boot} resamples within groups)"
    )
    if max(int(group_is_a.sum()), int((~group_is_a).sum())) > _MULTINOMIAL_ROWS:
        notes.append(
            f"In groups of more than {_MULTINOMIAL_ROWS:,} rows, each resample's cell counts "
            "were drawn from their multinomial distribution (the distribution of the counts "
            "of a resample of rows) rather than by drawing rows one by one."
        )
    return DecompositionResult(
        method=method,
        table=table,
        cells=cells,
        outcome=outcome,
        by=by,
        via=via,
        groups=(ga, gb),
        identified=identified,
        n=int(len(sub)),
        n_boot=int(n_boot),
        n_boot_used=n_used,
        rng=seed,
        alpha=alpha,
        notes=tuple(notes),
    )
