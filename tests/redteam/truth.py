"""The judge: checks attacks' claims against a design's microdata.

Only the test harness uses this module; attacks never import it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

import mentoranalytics as ma

from .designs import Design
from .targets import Claim, Pop, Recovery, Target

#: Disclosure threshold used to judge the internal report (which has none).
DEFAULT_THRESHOLD = 5


class Oracle:
    """Evaluates targets on the records the report was built from."""

    def __init__(self, design: Design) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = ma.load_cohort(
                design.frame.copy(),
                errors="exclude",
                allow_columns=list(design.refused_columns) or None,
            ).data
        data = data.copy()
        if "mentor_in_network" in data:
            data["outside_network"] = ~data["mentor_in_network"].astype("boolean")
        if {"promoted", "months_to_promotion", "followup_months"} <= set(data.columns):
            prom = data["promoted"].astype("boolean")
            data["km_duration"] = np.where(
                prom.fillna(False).to_numpy(dtype=bool),
                data["months_to_promotion"].astype(float),
                data["followup_months"].astype(float),
            )
        self.data = data
        self.design = design
        for h in (12, 24, 36, 48):
            _promoted_within(data, h)
        self._conds: dict[Any, np.ndarray] = {}
        self._truths: dict[Any, Any] = {}

    # -- populations ----------------------------------------------------------------------
    def mask(self, p: Pop) -> np.ndarray:
        d = self.data
        out = np.ones(len(d), dtype=bool)
        for cond in p:
            column, op, value = cond
            if column not in d.columns:
                if op == "isna":
                    continue
                return np.zeros(len(d), dtype=bool)
            if cond not in self._conds:
                self._conds[cond] = _match(d[column], op, value)
            out &= self._conds[cond]
        return out

    def count(self, p: Pop) -> int:
        return int(self.mask(p).sum())

    # -- targets --------------------------------------------------------------------------
    def truth(self, t: Target) -> Any:
        key = t.key()
        if key not in self._truths:
            self._truths[key] = self._truth(t)
        return self._truths[key]

    def _truth(self, t: Target) -> Any:
        d = self.data
        if t.kind == "identifier":
            return [s for s in self.design.secrets if s]
        m = self.mask(t.pop)
        if t.kind == "count":
            return int(m.sum())
        if t.kind == "sum":
            return float(pd.to_numeric(d.loc[m, t.var], errors="coerce").sum())
        if t.kind == "values":
            cols = list(t.var) if isinstance(t.var, tuple) else [t.var]
            sub = d.loc[m, cols].dropna()
            rows = [tuple(float(v) for v in r) for r in sub.itertuples(index=False)]
            if isinstance(t.var, tuple):
                return tuple(sorted(rows))
            return tuple(sorted(r[0] for r in rows))
        if t.kind == "extreme":
            vals = pd.to_numeric(d.loc[m, t.var], errors="coerce").dropna()
            if vals.empty:
                return None
            return float(vals.min() if t.detail == "min" else vals.max())
        if t.kind == "class":
            col = d.loc[m, t.var].dropna()
            if col.empty:
                return "empty"
            hit = _match(col, "eq", t.detail)
            return "all" if hit.all() else ("none" if not hit.any() else "mixed")
        raise ValueError(f"unknown target kind {t.kind!r}")


def _promoted_within(data: pd.DataFrame, h: int) -> None:
    """``promoted_{h}m``: promoted within ``h`` months, defined in cohorts followed for at
    least ``h`` months (missing elsewhere); a participant who left earlier without a
    promotion was not promoted within ``h`` months; promoted at an unknown time and
    followed beyond ``h``: missing."""
    if not {"promoted", "months_to_promotion", "followup_months", "cohort"} <= set(data.columns):
        return
    prom = data["promoted"].astype("boolean")
    months = pd.to_numeric(data["months_to_promotion"], errors="coerce").astype(float)
    follow = pd.to_numeric(data["followup_months"], errors="coerce").astype(float)
    cohort = data["cohort"].astype(str)
    reached = cohort.map(follow.groupby(cohort).max() >= h).fillna(False).astype(bool)
    hit = prom.fillna(False).to_numpy(dtype=bool)
    within = pd.Series(hit & (months.to_numpy() <= h), index=data.index, dtype="boolean")
    unknown = prom.isna() | ~reached | (prom.fillna(False) & months.isna() & (follow > h))
    data[f"promoted_{h}m"] = within.mask(unknown.astype(bool))


def _match(series: pd.Series, op: str, value: Any) -> np.ndarray:
    if op == "isna":
        return series.isna().to_numpy(dtype=bool)
    if op == "notna":
        return series.notna().to_numpy(dtype=bool)
    if op == "ge":
        num = pd.to_numeric(series, errors="coerce").astype(float)
        return (num >= float(value)).to_numpy(dtype=bool, na_value=False)
    values = value if op in ("in", "notin") else [value]
    hit = np.zeros(len(series), dtype=bool)
    for v in values:
        hit |= _equal(series, v)
    if op == "notin":
        return ~hit & series.notna().to_numpy(dtype=bool)
    return hit


def _equal(series: pd.Series, v: Any) -> np.ndarray:
    if isinstance(v, bool | np.bool_):
        s = series.astype("boolean") if str(series.dtype) in ("boolean", "bool") else None
        if s is None:
            return (series.astype("string") == str(v)).to_numpy(dtype=bool, na_value=False)
        return (s == bool(v)).to_numpy(dtype=bool, na_value=False)
    if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
        num = pd.to_numeric(series, errors="coerce").astype(float)
        return (np.abs(num - float(v)) < 1e-9).to_numpy(dtype=bool, na_value=False)
    return (series.astype("string") == str(v)).to_numpy(dtype=bool, na_value=False)


# ---------------------------------------------------------------------------------------
# judging claims
# ---------------------------------------------------------------------------------------


def is_true(claim: Claim, truth: Any) -> bool:
    v = claim.value
    t = claim.target
    if t.kind == "identifier":
        return any(s in str(v) or s.replace("_", " ") in str(v) for s in truth)
    if truth is None:
        return False
    if isinstance(v, tuple) and len(v) == 3 and v[0] == "range":
        return v[1] <= truth <= v[2]
    if t.kind in ("count",):
        return int(v) == int(truth)
    if t.kind in ("sum", "extreme"):
        return math.isclose(float(v), float(truth), abs_tol=max(claim.tol, 1e-6))
    if t.kind == "values":
        if len(v) != len(truth):
            return False
        flat_v = np.asarray(v, dtype=float).ravel()
        flat_t = np.asarray(truth, dtype=float).ravel()
        return bool(np.all(np.abs(flat_v - flat_t) <= max(claim.tol, 1e-6)))
    if t.kind == "class":
        return v == truth
    return v == truth


def is_disclosive(claim: Claim, truth: Any, threshold: int, oracle: Oracle) -> bool:
    t = claim.target
    v = claim.value
    if t.kind == "identifier":
        return True
    if t.kind == "class":
        return truth in ("all", "none")
    if t.kind == "extreme":
        return truth is not None
    if t.kind == "values":
        # a list of values is a frequency table: disclosive when a value is rare
        if not truth:
            return False
        counts: dict[Any, int] = {}
        for v in truth:
            key = (
                tuple(round(float(x), 6) for x in v) if isinstance(v, tuple) else round(float(v), 6)
            )
            counts[key] = counts.get(key, 0) + 1
        return any(1 <= k <= threshold - 1 for k in counts.values())
    ranged = isinstance(v, tuple) and len(v) == 3 and v[0] == "range"
    if ranged:  # a bound only discloses a small count
        return 1 <= v[1] and v[2] <= threshold - 1
    if t.left_out and float(truth) >= 1:
        return True  # the size of a left-out group, or how many of them share an answer
    if t.rounded and not t.suppressed and claim.attack == "inversion" and float(v) % 5 == 0:
        # rates and intervals under rounding policies are computed from the rounded counts,
        # so inverting them gives the published rounded count back: equal to the truth only
        # when the truth is itself a multiple of 5, and indistinguishable from the
        # published value (no more is learnt than the table says)
        return False
    if t.suppressed or t.rounded:
        return True
    return 1 <= float(truth) <= threshold - 1


def judge(
    design: Design, claims: Iterable[Claim], threshold: int, oracle: Oracle | None = None
) -> list[Recovery]:
    """The true and disclosive claims, one per (attack, target)."""
    oracle = oracle or Oracle(design)
    seen: set[tuple[Any, ...]] = set()
    out: list[Recovery] = []
    for c in claims:
        key = (c.attack, c.target.key(), repr(c.value))
        if key in seen:
            continue
        seen.add(key)
        truth = oracle.truth(c.target)
        if is_true(c, truth) and is_disclosive(c, truth, threshold, oracle):
            out.append(Recovery(design.name, c.attack, c.target, c.value, truth, c.how))
    return out


def false_claims(
    design: Design, claims: Iterable[Claim], oracle: Oracle | None = None
) -> list[tuple[Claim, Any]]:
    """Claims that are wrong (for checking the attacks themselves)."""
    oracle = oracle or Oracle(design)
    out = []
    for c in claims:
        truth = oracle.truth(c.target)
        if not is_true(c, truth):
            out.append((c, truth))
    return out
