"""Attacks on a published report bundle, from its published outputs only.

Every attack takes the :class:`~adapter.Facts` read from a bundle (and the bundle
itself, for figures and raw text) and returns :class:`~targets.Claim` objects: values it
deduced *exactly* (or, for the linear-programming attack, bounded inside the small-count
range).  None of them sees the microdata; :func:`truth.judge` keeps the claims that are
true and disclosive as :class:`~targets.Recovery` objects.

The attacks, one function each:

``published``
    counts and magnitude sums printed in the clear in any table.
``differencing``
    N minus the shown groups; table totals minus shown cells; outcome n per group (for
    outcomes that exist only with a mentor) against the groups' totals; the missing-values
    appendix against the tables; "k row(s) with missing ... left out" notes.
``linear_programming``
    every identified count in one LP over the cross-classification of the variables
    involved (rounded counts as intervals); min and max of every withheld cell.
``inversion``
    candidate tables consistent with published margins, kept when they reproduce the
    published rates and Wilson intervals, gaps (risk difference, ratios, Fisher p) or
    Mantel-Haenszel odds ratios over cohort strata.
``summary_inversion``
    value multisets consistent with a group's n, mean, SD, median and quartiles.
``class_disclosure``
    a published "all" or "none" of a group.
``figure_geometry``
    marks of the SVG charts: one dot per person, whiskers, axis limits, Kaplan-Meier
    steps, bar lengths.
``text``
    numbers in sentences, and identifiers (folder paths, names as labels) anywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from . import adapter as A
from .bundle import Published
from .targets import Claim, Pop, Recovery, Target, join, pop

__all__ = ["ATTACKS", "Claim", "Recovery", "run_attacks"]

#: Largest count an attacker treats as "small" when a report sets no threshold.
SMALL = 5


def _count_claim(attack: str, p: Pop, value: int, how: str, **kw: Any) -> Claim:
    return Claim(attack, Target("count", p, **kw), int(value), how=how)


def _all_counts(f: A.Facts) -> list[A.CountFact]:
    return list(f.counts) + list(A.figure_facts(f).counts)


def _known(f: A.Facts) -> dict[Pop, tuple[int, int]]:
    """Tightest published interval of every population's count."""
    out: dict[Pop, tuple[int, int]] = {}
    for c in _all_counts(f):
        if c.lo is None or c.hi is None:
            continue
        lo, hi = out.get(c.pop, (0, 10**9))
        out[c.pop] = (max(lo, c.lo), min(hi, c.hi))
    return out


def _exact(known: dict[Pop, tuple[int, int]], p: Pop) -> int | None:
    v = known.get(p)
    return v[0] if v and v[0] == v[1] else None


# ---------------------------------------------------------------------------------------
# published
# ---------------------------------------------------------------------------------------


def published(f: A.Facts, pub: Published) -> list[Claim]:
    """Counts and sums printed in the clear in the tables."""
    out = []
    for c in f.counts:
        if (
            c.exact is not None
            and not c.source.startswith("sentence")
            and not c.source.endswith(" note")
        ):
            out.append(_count_claim("published", c.pop, c.exact, c.source))
    for s in f.sums:
        if s.value is not None:
            out.append(Claim("published", Target("sum", s.pop, s.var), s.value, how=s.source))
    return out


# ---------------------------------------------------------------------------------------
# differencing
# ---------------------------------------------------------------------------------------


def differencing(f: A.Facts, pub: Published) -> list[Claim]:
    st = f.st
    known = _known(f)
    out: list[Claim] = []
    name = "differencing"
    # 1. N minus the shown groups
    n_all = st.n_all
    shown_total = _exact(known, st.R) if st.breakdown else None
    if st.breakdown and shown_total is None:
        parts = [_exact(known, g.pop) for g in st.groups]
        if parts and all(p is not None for p in parts):
            shown_total = sum(parts)  # type: ignore[arg-type]
    if st.breakdown and n_all is not None and shown_total is not None:
        out.append(_count_claim(name, st.LEFT, n_all - shown_total, "N - shown groups"))
        known[st.LEFT] = (n_all - shown_total,) * 2  # type: ignore[assignment]
    # 2. table totals minus shown cells (iterated)
    out += _table_differencing(f, known)
    # 3. a yes/no rate's n - events: the noes (who has no mentor, by group and in all)
    no_mentor_all = _exact(known, join(st.R, pop(("mentor_secured", "eq", False))))
    noes: dict[Pop, int] = {}
    for r in f.rates:
        if r.outcome != "mentor_secured" or r.n.exact is None or r.events.exact is None:
            continue
        p = join(r.base, pop(("mentor_secured", "eq", False)))
        noes[p] = r.n.exact - r.events.exact
        out.append(_count_claim(name, p, noes[p], f"{r.source}: n - events"))
        known.setdefault(p, (noes[p], noes[p]))
    groups = [join(st.R, g.pop) for g in st.groups] if st.breakdown else [st.R]
    parts = [noes.get(join(g, pop(("mentor_secured", "eq", False)))) for g in groups]
    if no_mentor_all is None and parts and all(x is not None for x in parts):
        no_mentor_all = sum(parts)  # type: ignore[arg-type]
    # 4. outcomes defined only with a mentor: n per group vs the group's total
    for r in f.rates:
        if r.outcome not in A.MENTOR_ONLY or r.n.exact is None:
            continue
        gpop = tuple(c for c in r.base if c[0] == "gender")
        total = _exact(known, join(st.R, gpop)) if st.breakdown else n_all
        base_missing = _exact(known, join(st.R, pop((r.outcome, "isna", None))))
        if total is None:
            continue
        if base_missing is not None and no_mentor_all is not None and base_missing == no_mentor_all:
            # every missing answer is someone without a mentor
            p = join(st.R, gpop, pop(("mentor_secured", "eq", False)))
            out.append(_count_claim(name, p, total - r.n.exact, f"{r.source}: total - n"))
        # and in any case: total - n = people without the outcome answered
        p = join(st.R, gpop, pop((r.outcome, "isna", None)))
        out.append(_count_claim(name, p, total - r.n.exact, f"{r.source}: total - n"))
    # 5. notes "k row(s) with missing 'o' left out" for mentor-only outcomes
    notes: dict[Pop, list[int]] = {}
    for c in f.counts:
        if c.source.endswith(" note") and c.exact is not None:
            col = next(x[0] for x in c.pop if x[1] == "isna")
            if col in A.MENTOR_ONLY:
                base = tuple(x for x in c.pop if x[1] != "isna")
                notes.setdefault(base, []).append(c.exact)
    for base, ks in notes.items():
        if len(ks) >= 2 and ks.count(min(ks)) >= 2:
            out.append(
                _count_claim(
                    name,
                    join(base, pop(("mentor_secured", "eq", False))),
                    min(ks),
                    "missing-notes of mentor-only outcomes agree",
                )
            )
    # 6. the missing-values appendix (everyone) against the tables (shown groups)
    if st.breakdown:
        for p_all, (lo, hi) in list(known.items()):
            if lo != hi or len(p_all) != 1 or p_all[0][1] != "isna":
                continue
            col = p_all[0][0]
            shown = _exact(known, join(st.R, p_all))
            if shown is None:
                parts = [_exact(known, join(st.R, g.pop, p_all)) for g in st.groups]
                if parts and all(x is not None for x in parts):
                    shown = sum(parts)  # type: ignore[arg-type]
            if shown is None:
                continue
            left = lo - shown
            out.append(_count_claim(name, join(st.LEFT, p_all), left, f"appendix {col} - tables"))
            left_n = _exact(known, st.LEFT)
            if col == "months_to_promotion" and left_n is not None:
                out.append(
                    _count_claim(
                        name,
                        join(st.LEFT, pop(("promoted", "eq", True))),
                        left_n - left,
                        "left-out N - their missing months_to_promotion",
                    )
                )
    # 7. N minus the appendix's missing months: everyone promoted
    if n_all is not None:
        miss = _exact(known, pop(("months_to_promotion", "isna", None)))
        if miss is not None:
            out.append(
                _count_claim(
                    name,
                    pop(("promoted", "eq", True)),
                    n_all - miss,
                    "N - missing months_to_promotion",
                )
            )
        for col in A.MENTOR_ONLY[:4]:
            miss = _exact(known, pop((col, "isna", None)))
            if miss is not None and col in ("mentor_relation", "mentor_in_network"):
                out.append(
                    _count_claim(
                        name,
                        pop(("mentor_secured", "eq", True)),
                        n_all - miss,
                        f"N - missing {col}",
                    )
                )
    return out


def _table_differencing(f: A.Facts, known: dict[Pop, tuple[int, int]]) -> list[Claim]:
    """Within each count table: a line's total minus its other cells."""
    out = []
    by_table: dict[str, list[A.CountFact]] = {}
    for c in f.counts:
        if c.cell is not None:
            by_table.setdefault(c.cell[0], []).append(c)
    for tname, cells in by_table.items():
        t = f.tables.get(tname)
        if t is None or ("Total" not in t.rows and "Total" not in t.cols):
            continue
        grid = {(c.cell[1], c.cell[2]): c for c in cells if c.cell is not None}
        value = {k: (c.exact if c.exact is not None else None) for k, c in grid.items()}
        changed = True
        while changed:
            changed = False
            lines = [[(r, c) for c in t.cols] for r in t.rows] + [
                [(r, c) for r in t.rows] for c in t.cols
            ]
            for line in lines:
                keys = [k for k in line if k in grid]
                is_row = len({k[0] for k in line}) == 1
                # the line's total sits in the Total column (a row) or Total row (a column)
                tot = [k for k in keys if (k[1] if is_row else k[0]) == "Total"]
                if len(tot) != 1:
                    continue
                parts = [k for k in keys if k != tot[0]]
                unknown = [k for k in parts + tot if value.get(k) is None]
                if len(unknown) != 1:
                    continue
                u = unknown[0]
                if u == tot[0]:
                    v = sum(value[k] for k in parts)  # type: ignore[misc]
                else:
                    v = value[tot[0]] - sum(value[k] for k in parts if k != u)  # type: ignore[operator]
                value[u] = v
                changed = True
                fact = grid[u]
                out.append(_count_claim("differencing", fact.pop, v, f"{tname}: total - cells"))
                known[fact.pop] = (v, v)
    return out


# ---------------------------------------------------------------------------------------
# linear programming
# ---------------------------------------------------------------------------------------

_NA = "<NA>"
_OTHER = "<other>"
_BOOL_COLUMNS = {"outside_network", "bold_choice", "promoted", "mentor_secured"}
_LEVEL_COLUMNS = {"participant_level", "mentor_level", "level_after"}
_NEVER_NA = {"gender", "cohort"}
#: codebook: these columns are filled only for participants with a mentor
_STRUCTURAL_MENTOR = set(A.MENTOR_ONLY) | {"outside_network", "bold_choice"}


class _Space:
    """The cross-classification of a set of attributes."""

    def __init__(self, f: A.Facts, attrs: list[str], referenced: dict[str, set[Any]]) -> None:
        self.f = f
        self.attrs = attrs
        self.domains: list[list[Any]] = [self._domain(a, referenced.get(a, set())) for a in attrs]
        self.shape = tuple(len(d) for d in self.domains)
        self.size = int(np.prod(self.shape)) if self.shape else 1

    def _domain(self, a: str, ref: set[Any]) -> list[Any]:
        from mentoranalytics import schema

        st = self.f.st
        if a == "gender":
            dom: list[Any] = [g.label for g in st.groups]
            return [*dom, _OTHER] if st.breakdown else [_OTHER]
        spec = schema.SCHEMA.get(a)
        kind = getattr(spec, "kind", "")
        if a in _BOOL_COLUMNS or kind in ("bool", "boolean"):
            dom = [True, False]
        elif a in _LEVEL_COLUMNS:
            dom = [1, 2, 3, 4, 5, 6]
        elif spec is not None and getattr(spec, "categories", None):
            dom = list(spec.categories)
        elif a == "cohort":
            part = self.f.tables.get("participants")
            dom = [r for r in (part.rows if part else []) if r != "Total"]
            extra = sorted(str(v) for v in ref if str(v) not in dom)
            dom = dom + extra
        else:
            dom = sorted(ref, key=repr) + [_OTHER]
        return dom if a in _NEVER_NA else [*dom, _NA]

    def allowed(self, i: int, op: str, value: Any) -> np.ndarray:
        a, dom = self.attrs[i], self.domains[i]
        st = self.f.st
        ok = np.zeros(len(dom), dtype=bool)
        everyone = frozenset(A.schema.GENDERS)
        for j, v in enumerate(dom):
            if a == "gender" and op in ("isna", "notna"):
                ok[j] = op == "notna"  # gender is required: never missing
                continue
            if a == "gender":
                group = st.group(v) if v != _OTHER else None
                genders = group.genders if group else everyone - st.shown_genders
                inside, outside = genders <= value, not (genders & value)
                if not (inside or outside):
                    return np.zeros(0, dtype=bool)  # not a union of the shown groups
                ok[j] = inside if op == "in" else outside
                continue
            if op == "isna":
                ok[j] = v == _NA
            elif op == "notna":
                ok[j] = v != _NA
            elif op == "eq":
                ok[j] = v != _NA and v != _OTHER and _same(v, value)
            elif op == "in":
                ok[j] = v != _NA and v != _OTHER and any(_same(v, x) for x in value)
            elif op == "notin":
                ok[j] = v != _NA and not any(_same(v, x) for x in value)
            else:
                return np.zeros(0, dtype=bool)
        return ok

    def vector(self, p: Pop) -> np.ndarray | None:
        masks = [np.ones(n, dtype=bool) for n in self.shape]
        for col, op, value in p:
            if col not in self.attrs:
                return None
            i = self.attrs.index(col)
            ok = self.allowed(i, op, value)
            if ok.size == 0:
                return None
            masks[i] &= ok
        out = masks[0].astype(float) if masks else np.ones(1)
        for m in masks[1:]:
            out = np.multiply.outer(out, m.astype(float))
        return out.ravel()

    def structural_zeros(self) -> np.ndarray:
        """Cells the codebook rules out."""
        zero = np.zeros(self.shape, dtype=bool)
        idx = {a: i for i, a in enumerate(self.attrs)}
        grids = np.indices(self.shape)

        def vals(a: str) -> np.ndarray:
            i = idx[a]
            return np.asarray(self.domains[i], dtype=object)[grids[i]]

        if "promoted" in idx and "months_to_promotion" in idx:
            prom, months = vals("promoted"), vals("months_to_promotion")
            zero |= (prom == True) & (months == _NA)  # noqa: E712
            zero |= (prom != True) & (months != _NA)  # noqa: E712
        if "mentor_secured" in idx:
            sec = vals("mentor_secured")
            for a in self.attrs:
                if a in _STRUCTURAL_MENTOR:
                    zero |= (vals(a) != _NA) & (sec != True)  # noqa: E712
        return zero.ravel()

    def cell_pop(self, flat: int) -> Pop:
        coords = np.unravel_index(flat, self.shape)
        st = self.f.st
        conds = []
        for a, dom, j in zip(self.attrs, self.domains, coords, strict=True):
            v = dom[j]
            if a == "gender":
                if v == _OTHER:
                    conds.append(("gender", "notin", st.shown_genders))
                else:
                    conds.append(("gender", "in", st.group(v).genders))  # type: ignore[union-attr]
            elif v == _NA:
                conds.append((a, "isna", None))
            elif v == _OTHER:
                conds.append((a, "notin", frozenset(x for x in dom if x not in (_NA, _OTHER))))
            else:
                conds.append((a, "eq", v))
        return pop(*conds)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def _closure(attrs: Iterable[str], breakdown: bool) -> frozenset[str]:
    """Attributes plus their codebook companions (and gender, when groups are shown)."""
    out = set(attrs)
    if "months_to_promotion" in out:
        out.add("promoted")
    if out & _STRUCTURAL_MENTOR:
        out.add("mentor_secured")
    if breakdown:
        out.add("gender")
    return frozenset(out)


def _lp_sets(facts: list[A.CountFact], f: A.Facts) -> list[list[str]]:
    """Attribute sets to solve jointly.

    Facts are grouped by the variables they condition on.  A group holding a withheld
    cell is solved alone and with every group *linked* to it: sharing a variable other
    than gender on which at least one of them varies (two slices of the same
    ``mentor_secured = yes`` share nothing).  Counts over everyone (the N, the
    missing-values appendix) are solved with gender added, for the left-out groups.
    """
    breakdown = f.st.breakdown
    profile: dict[frozenset[str], dict[str, set[Any]]] = {}
    for w in f.weighted:  # a weighted count varies over every value of its attribute
        key = frozenset({c[0] for c in w.pop} | {w.attr})
        prof = profile.setdefault(key, {})
        for col, op, value in w.pop:
            prof.setdefault(col, set()).add((op, value if op != "in" else tuple(sorted(value))))
        prof.setdefault(w.attr, set()).update(("eq", v) for v, _ in w.weights)
    hidden: set[frozenset[str]] = set()
    everyone: set[frozenset[str]] = set()
    for x in facts:
        key = frozenset(c[0] for c in x.pop)
        prof = profile.setdefault(key, {})
        for col, op, value in x.pop:
            prof.setdefault(col, set()).add((op, value if op != "in" else tuple(sorted(value))))
        if x.suppressed:
            hidden.add(key)
        if "gender" not in key:
            everyone.add(key)

    def linked(a: frozenset[str], b: frozenset[str]) -> bool:
        for col in (_closure(a, False) & _closure(b, False)) - {"gender"}:
            if len(profile[a].get(col, set()) | profile[b].get(col, set())) >= 2:
                return True
        return False

    out: set[frozenset[str]] = set()
    seeds = set(hidden)
    if breakdown:
        seeds |= everyone
    for t in seeds:
        out.add(_closure(t, breakdown))
        for other in profile:
            if other != t and linked(t, other):
                out.add(_closure(t | other, breakdown))
    if not hidden:  # nothing withheld: each table on its own (small cells read from it)
        out |= {_closure(k, breakdown) for k in profile if len(k) >= 1}
    return sorted((sorted(s) for s in out), key=lambda s: (len(s), s))


def linear_programming(f: A.Facts, pub: Published, *, max_cells: int = 1500) -> list[Claim]:
    from scipy.optimize import linprog

    facts = [c for c in _all_counts(f) if not any(op == "ge" for _, op, _ in c.pop)]
    referenced: dict[str, set[Any]] = {}
    for c in facts:
        for col, op, value in c.pop:
            if op == "eq":
                referenced.setdefault(col, set()).add(value)
    small = max(f.st.threshold, SMALL)
    out: list[Claim] = []
    done: set[Pop] = set()
    known = _known(f)
    shown = [_exact(known, g.pop) for g in f.st.groups]
    left_size = (
        f.st.n_all - sum(shown)  # type: ignore[arg-type]
        if f.st.breakdown and f.st.n_all is not None and None not in shown
        else None
    )
    for attrs in _lp_sets(facts, f):
        space = _Space(f, attrs, referenced)
        if space.size > max_cells or space.size == 0:
            continue
        rows_eq, b_eq, rows_ub, b_ub = [], [], [], []
        targets: list[tuple[Pop, np.ndarray, bool]] = []
        for c in facts:
            vec = space.vector(c.pop)
            if vec is None:
                continue
            if c.lo is None or c.hi is None:
                targets.append((c.pop, vec, True))
            elif c.lo == c.hi:
                rows_eq.append(vec)
                b_eq.append(c.lo)
            else:
                rows_ub += [vec, -vec]
                b_ub += [c.hi, -c.lo]
        for w in f.weighted:
            if w.attr not in attrs:
                continue
            vec = space.vector(w.pop)
            if vec is None:
                continue
            i = attrs.index(w.attr)
            scale = np.array(
                [next((x for v, x in w.weights if _same(v, d)), 0.0) for d in space.domains[i]]
            )
            shape = [1] * len(attrs)
            shape[i] = len(scale)
            vec = (vec.reshape(space.shape) * scale.reshape(shape)).ravel()
            rows_eq.append(vec)
            b_eq.append(w.total)
        if not rows_eq:
            continue
        zero = space.structural_zeros()
        for vec, b in zip(rows_eq, b_eq, strict=True):
            if b == 0:  # a published zero: every cell under it is empty
                zero |= vec > 0
        if f.st.breakdown and left_size == 0:  # nobody left out: that bucket is empty
            left_vec = space.vector(pop(("gender", "notin", f.st.shown_genders)))
            if left_vec is not None:
                zero |= left_vec > 0
        bounds = [(0.0, 0.0) if z else (0.0, None) for z in zero]
        # targets: withheld cells, the left-out group and its margins, and base cells
        if f.st.breakdown and left_size != 0:
            left = ("gender", "notin", f.st.shown_genders)
            margins = [pop(left)]
            for a, dom in zip(attrs, space.domains, strict=True):
                if a != "gender":
                    margins += [pop(left, (a, "eq", v)) for v in dom if v not in (_NA, _OTHER)]
            for p in margins:
                vec = space.vector(p)
                if vec is not None:
                    targets.append((p, vec, False))
        if len(attrs) <= 3 and space.size <= 300:
            for k in range(space.size):
                if not zero[k]:
                    vec = np.zeros(space.size)
                    vec[k] = 1.0
                    targets.append((space.cell_pop(k), vec, False))
        a_eq, beq = np.array(rows_eq), np.array(b_eq, dtype=float)
        a_ub = np.array(rows_ub) if rows_ub else None
        bub = np.array(b_ub, dtype=float) if rows_ub else None

        def solve(
            c: np.ndarray,
            a_ub: Any = a_ub,
            bub: Any = bub,
            a_eq: Any = a_eq,
            beq: Any = beq,
            bounds: Any = bounds,
        ) -> Any:
            return linprog(
                c, A_ub=a_ub, b_ub=bub, A_eq=a_eq, b_eq=beq, bounds=bounds, method="highs"
            )

        feas = solve(np.zeros(space.size))
        if feas.status != 0:
            continue  # the published counts do not fit this reading: skip, never guess
        sample = np.array([feas.x])
        sampled = False
        how = f"LP over {'x'.join(attrs)}"
        todo = [(p, vec) for p, vec, _h in targets if p not in done and vec.any()]
        if not todo:
            continue
        # a target in the span of the published equalities is fixed: no LP needed
        mat = np.array([v for _, v in todo]).T
        coef, *_ = np.linalg.lstsq(a_eq.T, mat, rcond=None)
        resid = np.abs(a_eq.T @ coef - mat).max(axis=0)
        interesting = {p for p, _v, h in targets if h} | {
            p
            for p, _v, _h in targets
            if f.st.breakdown and any(c[1] == "notin" and c[0] == "gender" for c in p)
        }
        for k, (p, vec) in enumerate(todo):
            if p in done:
                continue
            if resid[k] < 1e-8:
                value = float(coef[:, k] @ beq)
                if abs(value - round(value)) < 1e-6:
                    done.add(p)
                    out.append(_count_claim("linear_programming", p, round(value), how))
                continue
            if not sampled:
                # a few vertices in random directions: a target that differs between them
                # is free
                sampled = True
                rng = np.random.default_rng(len(attrs) * 7919 + space.size)
                for _ in range(2):
                    c = rng.normal(size=space.size)
                    for sign in (1.0, -1.0):
                        res = solve(sign * c)
                        if res.status == 0:
                            sample = np.vstack([sample, res.x])
            if not (vec * ~zero).any():
                done.add(p)
                out.append(_count_claim("linear_programming", p, 0, how + " (empty cells)"))
                continue
            seen = sample @ vec
            low, high = float(seen.min()), float(seen.max())
            small_range = p in interesting and low >= 1 - 1e-6 and high <= small - 1 + 1e-6
            if high - low > 1e-6 and not small_range:
                continue  # free, and not confined to the small counts either
            if p not in interesting and not 1 - 1e-6 <= low <= small - 1 + 1e-6:
                continue  # a cell fixed at 0 or at a large count discloses nothing
            lo = solve(vec)
            if lo.status != 0:
                continue
            sample = np.vstack([sample, lo.x])
            vmin = math.ceil(lo.fun - 1e-6)
            if vmin < round(low) and not (small_range and vmin >= 1):
                continue
            hi = solve(-vec)
            if hi.status != 0:
                continue
            sample = np.vstack([sample, hi.x])
            vmax = math.floor(-hi.fun + 1e-6)
            if vmin == vmax:
                done.add(p)
                out.append(_count_claim("linear_programming", p, vmin, how))
            elif vmin >= 1 and vmax <= small - 1 and p in interesting:
                out.append(
                    Claim("linear_programming", Target("count", p), ("range", vmin, vmax), how=how)
                )
    return out


# ---------------------------------------------------------------------------------------
# inversion of rates, intervals, gaps and pooled estimates
# ---------------------------------------------------------------------------------------


def _close(x: np.ndarray | float, target: float | None) -> np.ndarray | bool:
    if target is None or not math.isfinite(target):
        return np.ones_like(x, dtype=bool) if isinstance(x, np.ndarray) else True
    tol = A.tolerance(target)
    return np.abs(np.asarray(x, dtype=float) - target) <= tol + 1e-12


def _group_total(f: A.Facts, known: dict[Pop, tuple[int, int]], base: Pop) -> int:
    gp = tuple(c for c in base if c[0] == "gender")
    for p in (join(f.st.R, gp), ()):
        v = known.get(p)
        if v:
            return v[1]
    return f.st.n_all or 60


def inversion(f: A.Facts, pub: Published) -> list[Claim]:
    import mentoranalytics as ma

    known = _known(f)
    out: list[Claim] = []
    name = "inversion"
    # rates: hidden or rounded n/events from the rate and its Wilson interval
    for r in f.rates:
        if r.rate is None or (r.n.exact is not None and r.events.exact is not None):
            continue
        top = _group_total(f, known, r.base)
        n_rng = range(r.n.lo, r.n.hi + 1) if r.n.lo is not None else range(1, top + 1)
        cand = []
        for n in n_rng:
            if n <= 0:
                continue
            e_lo = r.events.lo if r.events.lo is not None else 0
            e_hi = min(n, r.events.hi if r.events.hi is not None else n)
            es = np.arange(e_lo, e_hi + 1)
            if es.size == 0:
                continue
            keep = _close(es / n, r.rate)
            es = es[keep]
            if es.size == 0:
                continue
            if r.ci_low is not None and r.ci_high is not None:
                lo, hi = ma.proportion_ci(es, np.full(es.size, n), method="wilson")
                keep = _close(np.asarray(lo), r.ci_low) & _close(np.asarray(hi), r.ci_high)
                es = es[keep]
            cand += [(n, int(e)) for e in es]
        if len(cand) == 1:
            n, e = cand[0]
            how = f"{r.source}: rate and Wilson CI"
            out.append(_count_claim(name, r.n.pop, n, how))
            out.append(_count_claim(name, r.events.pop, e, how))
            out.append(_count_claim(name, join(r.base, pop((r.outcome, "eq", False))), n - e, how))
    out += _invert_gaps(f, known)
    out += _invert_pooled(f, known)
    return out


def _rate_of(f: A.Facts, outcome: str, group: str) -> A.RateFact | None:
    for r in f.rates:
        if r.outcome == outcome and r.group == group:
            return r
    return None


def _invert_gaps(f: A.Facts, known: dict[Pop, tuple[int, int]]) -> list[Claim]:
    """2x2 tables (group vs reference) reproducing a published gap and its p-value."""
    from scipy.stats import fisher_exact

    out = []
    by_pair: dict[tuple[str, str, str], dict[str, A.EffectFact]] = {}
    for e in f.effects:
        by_pair.setdefault((e.outcome, e.group, e.reference), {})[e.measure] = e
    for (outcome, g, r), measures in by_pair.items():
        rg, rr = _rate_of(f, outcome, g), _rate_of(f, outcome, r)
        if rg is None or rr is None:
            continue
        if all(x.n.exact is not None and x.events.exact is not None for x in (rg, rr)):
            continue

        def opts(rate: A.RateFact) -> list[tuple[int, int]]:
            top = _group_total(f, known, rate.base)
            ns = range(rate.n.lo, rate.n.hi + 1) if rate.n.lo is not None else range(1, top + 1)
            res = []
            for n in ns:
                elo = rate.events.lo if rate.events.lo is not None else 0
                ehi = rate.events.hi if rate.events.hi is not None else n
                res += [(n, e) for e in range(elo, min(n, ehi) + 1)]
            return res

        og, orf = np.array(opts(rg) or [(0, 0)]), np.array(opts(rr) or [(0, 0)])
        if len(og) * len(orf) > 2_000_000:
            continue
        n1, e1 = og[:, None, 0].astype(float), og[:, None, 1].astype(float)
        n0, e0 = orf[None, :, 0].astype(float), orf[None, :, 1].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = (n1 > 0) & (n0 > 0)
            if "risk_difference" in measures:
                ok &= _close(e1 / n1 - e0 / n0, measures["risk_difference"].estimate)
            if "risk_ratio" in measures and measures["risk_ratio"].estimate not in (None,):
                est = measures["risk_ratio"].estimate
                if est is not None and math.isfinite(est):
                    ok &= _close((e1 / n1) / (e0 / n0), est)
        idx = np.argwhere(ok)
        survivors = []
        p_target = next((m.p_value for m in measures.values() if m.p_value is not None), None)
        for i, j in idx[:200]:
            a, b = int(og[i, 1]), int(og[i, 0] - og[i, 1])
            c, d = int(orf[j, 1]), int(orf[j, 0] - orf[j, 1])
            if p_target is not None:
                p = fisher_exact([[a, b], [c, d]])[1]
                if not _close(p, p_target):
                    continue
            survivors.append((a, b, c, d))
        if len(idx) > 200 or not survivors:
            continue
        how = f"{outcome} gaps {g} vs {r}: estimate and p"
        for k, rate in enumerate((rg, rr)):
            ns = {s[2 * k] + s[2 * k + 1] for s in survivors}
            es = {s[2 * k] for s in survivors}
            if len(ns) == 1:
                out.append(_count_claim("inversion", rate.n.pop, ns.pop(), how))
            if len(es) == 1:
                out.append(_count_claim("inversion", rate.events.pop, es.pop(), how))
    return out


def _compositions(total: int, bounds: list[tuple[int, int]], limit: int) -> list[tuple[int, ...]]:
    """Integer vectors within bounds summing to total (at most ``limit``)."""
    out: list[tuple[int, ...]] = []

    def rec(i: int, left: int, acc: list[int]) -> bool:
        if len(out) >= limit:
            return False
        if i == len(bounds) - 1:
            lo, hi = bounds[i]
            if lo <= left <= hi:
                out.append((*acc, left))
            return True
        rest_lo = sum(b[0] for b in bounds[i + 1 :])
        rest_hi = sum(b[1] for b in bounds[i + 1 :])
        lo, hi = bounds[i]
        for v in range(max(lo, left - rest_hi), min(hi, left - rest_lo) + 1):
            if not rec(i + 1, left - v, [*acc, v]):
                return False
        return True

    rec(0, total, [])
    return out


def _invert_pooled(f: A.Facts, known: dict[Pop, tuple[int, int]]) -> list[Claim]:
    """Cohort x group x outcome tables reproducing a published Mantel-Haenszel estimate."""
    st = f.st
    part = f.tables.get("participants")
    if part is None or not st.breakdown:
        return []
    strata = [r for r in part.rows if r != "Total"]
    if not 2 <= len(strata) <= 4:
        return []
    out: list[Claim] = []
    for pf in f.pooled:
        if pf.estimate is None:
            continue
        rg, rr = _rate_of(f, pf.outcome, pf.group), _rate_of(f, pf.outcome, pf.reference)
        if (
            rg is None
            or rr is None
            or None in (rg.n.exact, rg.events.exact, rr.n.exact, rr.events.exact)
        ):
            continue

        def candidates(
            rate: A.RateFact, label: str
        ) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
            grp = st.group(label)
            if grp is None:
                return []
            total_g = _exact(known, join(st.R, grp.pop))
            everyone = total_g == rate.n.exact
            bounds = []
            for k in strata:
                cell = _exact(known, join(st.R, grp.pop, pop(("cohort", "eq", k))))
                if cell is not None and everyone:
                    bounds.append((cell, cell))
                elif cell is not None:
                    bounds.append((0, cell))
                else:
                    row = _exact(known, join(st.R, pop(("cohort", "eq", k))))
                    bounds.append((0, min(rate.n.exact, row if row is not None else rate.n.exact)))
            sizes = _compositions(rate.n.exact, bounds, 20000)
            res = []
            for s in sizes:
                for ev in _compositions(rate.events.exact, [(0, x) for x in s], 20000):
                    res.append((s, ev))
                    if len(res) > 200000:
                        return []
            return res

        cg, cr = candidates(rg, pf.group), candidates(rr, pf.reference)
        if not cg or not cr or len(cg) * len(cr) > 4_000_000:
            continue
        gs = np.array([c[0] for c in cg], dtype=float)
        ga = np.array([c[1] for c in cg], dtype=float)
        rs = np.array([c[0] for c in cr], dtype=float)
        ra = np.array([c[1] for c in cr], dtype=float)
        a, b = ga[:, None, :], (gs - ga)[:, None, :]
        c, d = ra[None, :, :], (rs - ra)[None, :, :]
        n1, n0 = gs[:, None, :], rs[None, :, :]
        t = n1 + n0
        kept = (n1 > 0) & (n0 > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            rsum = np.where(kept, a * d / t, 0.0).sum(axis=2)
            ssum = np.where(kept, b * c / t, 0.0).sum(axis=2)
            est = rsum / ssum
            est = np.where((ssum == 0) & (rsum > 0), np.inf, est)
        ok = _close(est, pf.estimate) if math.isfinite(pf.estimate) else np.isinf(est)
        if pf.n_strata_used is not None:
            ok &= kept.sum(axis=2) == pf.n_strata_used
        if pf.p_value is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                m1 = a + c
                m2 = b + d
                exp_a = np.where(kept, n1 * m1 / t, 0.0).sum(axis=2)
                var = np.where(kept & (t > 1), n1 * n0 * m1 * m2 / (t**2 * (t - 1)), 0.0).sum(
                    axis=2
                )
                obs = np.where(kept, a, 0.0).sum(axis=2)
                stat = np.maximum(np.abs(obs - exp_a) - 0.5, 0.0) ** 2 / var
            from scipy.stats import chi2

            pv = chi2.sf(stat, 1)
            ok &= _close(pv, pf.p_value)
        idx = np.argwhere(ok)
        if len(idx) == 0 or len(idx) > 5000:
            continue
        how = f"{pf.source}: Mantel-Haenszel over {len(strata)} cohorts"
        for k, stratum in enumerate(strata):
            for label, arr_s, arr_a, pos in (
                (pf.group, gs, ga, 0),
                (pf.reference, rs, ra, 1),
            ):
                grp = st.group(label)
                rows = idx[:, pos]
                sizes = set(arr_s[rows, k].astype(int).tolist())
                events = set(arr_a[rows, k].astype(int).tolist())
                cell = join(pf.base, grp.pop, pop(("cohort", "eq", stratum)))  # type: ignore[union-attr]
                if len(sizes) == 1:
                    n = sizes.pop()
                    out.append(
                        _count_claim(
                            "inversion", join(cell, pop((pf.outcome, "notna", None))), n, how
                        )
                    )
                    if len(events) == 1:
                        e = events.pop()
                        out.append(
                            _count_claim(
                                "inversion", join(cell, pop((pf.outcome, "eq", True))), e, how
                            )
                        )
                        if n > 0 and e in (0, n):
                            out.append(
                                Claim(
                                    "inversion",
                                    Target(
                                        "class",
                                        join(cell, pop((pf.outcome, "notna", None))),
                                        pf.outcome,
                                        True,
                                    ),
                                    "none" if e == 0 else "all",
                                    how=how,
                                )
                            )
                elif len(events) == 1:
                    out.append(
                        _count_claim(
                            "inversion",
                            join(cell, pop((pf.outcome, "eq", True))),
                            events.pop(),
                            how,
                        )
                    )
    return out


# ---------------------------------------------------------------------------------------
# summary inversion
# ---------------------------------------------------------------------------------------

_DISCRETE = {
    "seniority_gap": [float(v) for v in range(-5, 6)],
    "reach": [0.0, 1 / 3, 2 / 3, 1.0],
    "distance": [0.0, 0.25, 0.5, 0.75, 1.0],
    "initiation": [0.0, 1 / 3, 2 / 3, 1.0],
    "boldness_index": sorted({round(k / 72, 12) for k in range(73)}),
}
_INTEGER = {"days_to_secure", "mentors_approached", "refusals", "career_satisfaction"}


def solve_summary(
    n: int,
    mean: float,
    sd: float | None,
    quantiles: dict[float, float | None],
    domain: list[float],
    *,
    max_nodes: int = 300_000,
    max_solutions: int = 2000,
) -> list[tuple[float, ...]] | None:
    """Every sorted sample of size n from ``domain`` matching the summary (None: gave up)."""
    total = n * mean
    ss = None if sd is None or n < 2 else (n - 1) * sd**2 + n * mean**2
    tol_sum = 1e-6 * max(1.0, abs(total))
    tol_ss = 1e-6 * max(1.0, abs(ss or 0))
    dom = sorted(domain)
    # pinned order statistics from quantiles at integer positions
    pinned: dict[int, float] = {}
    checks: list[tuple[int, float, float]] = []
    for q, v in quantiles.items():
        if v is None:
            continue
        pos = (n - 1) * q
        lo = math.floor(pos)
        frac = pos - lo
        if frac < 1e-12:
            pinned[lo] = v
        else:
            checks.append((lo, frac, v))
    sols: list[tuple[float, ...]] = []
    nodes = 0
    vmax = dom[-1]

    def rec(i: int, start: int, acc: list[float], s: float, s2: float) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > max_nodes or len(sols) > max_solutions:
            return False
        if i == n:
            if abs(s - total) <= tol_sum and (ss is None or abs(s2 - ss) <= tol_ss):
                sols.append(tuple(acc))
            return True
        left = n - i
        for j in range(start, len(dom)):
            v = dom[j]
            if i in pinned and abs(v - pinned[i]) > 1e-9:
                if v > pinned[i]:
                    break
                continue
            lo_sum = s + v * left
            if lo_sum > total + tol_sum:
                break
            if s + v + (left - 1) * vmax < total - tol_sum:
                continue
            if ss is not None and s2 + v * v * left > ss + tol_ss and v >= 0:
                break
            bad = False
            for lo, frac, target in checks:
                if i == lo + 1:
                    if abs(acc[lo] + frac * (v - acc[lo]) - target) > 1e-9:
                        bad = True
                        break
            if bad:
                continue
            acc.append(v)
            ok = rec(i + 1, j, acc, s + v, s2 + v * v)
            acc.pop()
            if not ok:
                return False
        return True

    finished = rec(0, 0, [], 0.0, 0.0)
    if not finished:
        return None
    return sols


def summary_inversion(f: A.Facts, pub: Published) -> list[Claim]:
    out = []
    for s in f.summaries:
        if s.suppressed or s.n is None or s.mean is None or s.n == 0 or s.n > 40:
            continue
        if s.var in _DISCRETE:
            domain = _DISCRETE[s.var]
        elif s.var in _INTEGER:
            top = int(math.floor(s.n * s.mean + 1e-6))
            if top > 2000:
                continue
            domain = [float(v) for v in range(0, top + 1)]
        else:
            continue
        if len(domain) > 12 and s.n > 8:
            continue  # a wide domain and many values: the search would not finish
        sols = solve_summary(
            s.n, s.mean, s.sd, {0.25: s.q1, 0.5: s.median, 0.75: s.q3}, domain, max_nodes=100_000
        )
        if not sols:
            continue
        p = join(s.pop, pop((s.var, "notna", None)))
        how = f"{s.source}: n, mean, SD, median, quartiles"
        if len(sols) == 1:
            out.append(Claim("summary_inversion", Target("values", p, s.var), sols[0], 1e-6, how))
            continue
        for v in sorted({x for sol in sols for x in sol}):
            counts = {sum(1 for x in sol if abs(x - v) < 1e-9) for sol in sols}
            if len(counts) == 1:
                out.append(
                    _count_claim(
                        "summary_inversion", join(s.pop, pop((s.var, "eq", v))), counts.pop(), how
                    )
                )
    return out


# ---------------------------------------------------------------------------------------
# class disclosure
# ---------------------------------------------------------------------------------------


def class_disclosure(f: A.Facts, pub: Published) -> list[Claim]:
    out = []
    for c in f.classes:
        out.append(
            Claim("class_disclosure", Target("class", c.pop, c.var, c.value), c.which, how=c.source)
        )
    # count tables with a yes/no outcome as columns: a row that is all yes or all no
    by_row: dict[Pop, dict[Any, int]] = {}
    for c in f.counts:
        if c.exact is None:
            continue
        for col, op, value in c.pop:
            if op == "eq" and isinstance(value, bool) and col in A.schema.OUTCOMES:
                rest = tuple(x for x in c.pop if x != (col, op, value))
                by_row.setdefault(join(rest, pop((col, "notna", None))), {})[(col, value)] = c.exact
    for p, cells in by_row.items():
        for (col, value), k in cells.items():
            other = cells.get((col, not value))
            if other is not None and k > 0 and other == 0:
                out.append(
                    Claim(
                        "class_disclosure",
                        Target("class", p, col, True),
                        "all" if value else "none",
                        how="count table",
                    )
                )
    return out


# ---------------------------------------------------------------------------------------
# figure geometry
# ---------------------------------------------------------------------------------------


def figure_geometry(f: A.Facts, pub: Published) -> list[Claim]:
    ff = A.figure_facts(f)
    out: list[Claim] = []
    name = "figure_geometry"
    for c in ff.counts:
        if c.exact is not None:
            out.append(_count_claim(name, c.pop, c.exact, c.source))
    # one mark per person
    panels: dict[tuple[str, str], list[A.DotPanel]] = {}
    for d in ff.dots:
        if not d.values:
            continue
        p = join(d.pop, pop((d.var, "notna", None)))
        how = f"figures/{d.figure}.svg: {len(d.values)} dots"
        out.append(Claim(name, Target("values", p, d.var), tuple(sorted(d.values)), 1e-4, how))
        codes = A.COMPONENT_CODES.get(d.var)
        for v in sorted(set(d.values)):
            k = sum(1 for x in d.values if abs(x - v) < 1e-9)
            out.append(_count_claim(name, join(d.pop, pop((d.var, "eq", v))), k, how))
            if codes:  # the score is a code of the category (codebook)
                cats = [c for c, w in codes[1] if abs(w - v) < 1e-9 and c != "assigned"]
                if len(cats) == 1:
                    out.append(
                        _count_claim(name, join(d.pop, pop((codes[0], "eq", cats[0]))), k, how)
                    )
        panels.setdefault((d.figure, d.group), []).append(d)
    # pairing the k-th dot of every panel: whole records
    by_group: dict[str, list[A.DotPanel]] = {}
    for (_fig, group), ds in panels.items():
        by_group.setdefault(group, []).extend(ds)
    for ds in by_group.values():
        sizes = {len(d.values) for d in ds}
        if len(ds) >= 2 and len(sizes) == 1 and all(d.n_label in (None, len(d.values)) for d in ds):
            cols = tuple(d.var for d in ds)
            if len(set(cols)) != len(cols):
                continue
            records = tuple(sorted(zip(*(d.values for d in ds), strict=True)))
            out.append(
                Claim(
                    name,
                    Target("values", ds[0].pop, cols),
                    records,
                    1e-4,
                    "k-th dot of every panel",
                )
            )
    for w in ff.whiskers:
        how = f"figures/{w.figure}.svg whiskers"
        out.append(Claim(name, Target("extreme", w.pop, w.var, "min"), w.low, 1e-4, how))
        out.append(Claim(name, Target("extreme", w.pop, w.var, "max"), w.high, 1e-4, how))
    # axis limits of the seniority chart: the fixed domain, stretched to the data, + pad
    fig = pub.figures.get("seniority_reach")
    if fig and fig.axes and fig.axes[0].box and fig.axes[0].y_scale:
        ax = fig.axes[0]
        top = ax.y_data(ax.box[1]) - A.SENIORITY_PAD
        bottom = ax.y_data(ax.box[3]) + A.SENIORITY_PAD
        hi, lo = max(top, bottom), min(top, bottom)
        everyone = join(f.st.M)
        if hi > A.SENIORITY_DOMAIN[1] + 1e-6:
            out.append(
                Claim(
                    name,
                    Target("extreme", everyone, "seniority_gap", "max"),
                    round(hi, 6),
                    1e-4,
                    "y-axis limit",
                )
            )
        if lo < A.SENIORITY_DOMAIN[0] - 1e-6:
            out.append(
                Claim(
                    name,
                    Target("extreme", everyone, "seniority_gap", "min"),
                    round(lo, 6),
                    1e-4,
                    "y-axis limit",
                )
            )
    # Kaplan-Meier: every step
    for km in ff.km:
        out += _km_steps(f, km)
        if km.x_right is not None and km.tick_max is not None:
            right = km.x_right / (1 + A.KM_X_MARGIN)
            if right > km.tick_max + 1e-3:
                p = join(f.st.R, pop(("promoted", "notna", None)))
                out.append(
                    Claim(
                        name,
                        Target("extreme", p, "km_duration", "max"),
                        round(right, 4),
                        0.05,
                        "x-axis limit",
                    )
                )
    # bars: the hatched 'suppressed' segment is the sum of the withheld cells
    hidden_cells: dict[Pop, list[Any]] = {}
    for c in f.counts:
        if c.suppressed:
            for col, op, value in c.pop:
                if op == "eq" and col in ("mentor_relation", "approach"):
                    rest = tuple(x for x in c.pop if x != (col, op, value))
                    hidden_cells.setdefault(rest, []).append(value)
    for b in ff.bars:
        share = b.shares.get("suppressed")
        if share is None or b.n is None:
            continue
        k = share * b.n
        if abs(k - round(k)) > 1e-3:
            continue
        cats = hidden_cells.get(b.pop, [])
        how = f"figures/{b.figure}.svg hatched bar x n"
        if len(cats) == 1:
            out.append(_count_claim(name, join(b.pop, pop((b.var, "eq", cats[0]))), round(k), how))
        elif cats:
            out.append(
                _count_claim(name, join(b.pop, pop((b.var, "in", frozenset(cats)))), round(k), how)
            )
    return out


def _km_steps(f: A.Facts, km: A.KMCurve) -> list[Claim]:
    """Event times and counts from the jumps of a cumulative-incidence step curve."""
    if km.n is None or not km.steps:
        return []
    out = []
    surv_prev = 1.0
    n_upper = km.n
    censor = list(km.censor_times)
    times: list[float] = []
    exact = True
    prev_t = 0.0
    for t, y in km.steps:
        surv = 1.0 - y
        q = 1.0 - surv / surv_prev if surv_prev > 0 else 1.0
        censored_before = any(prev_t - 1e-9 <= c < t - 1e-9 for c in censor) or any(
            c < t - 1e-9 for c in censor
        )
        cands = []
        for n in range(1, n_upper + 1):
            d = q * n
            if abs(d - round(d)) < 1e-4 and round(d) >= 1:
                cands.append((n, round(d)))
        if not censored_before:
            cands = [c for c in cands if c[0] == n_upper]
        ds = {d for _, d in cands}
        if len(ds) != 1:
            exact = False
            break
        d = ds.pop()
        ns = {n for n, _ in cands}
        times += [round(t, 1)] * d
        n_upper = (max(ns) if len(ns) > 1 else ns.pop()) - d
        surv_prev = surv
        prev_t = t
    if not exact:
        return []
    p = join(km.pop, pop(("promoted", "eq", True)))
    how = "figures/km.svg step heights"
    out.append(
        Claim(
            "figure_geometry",
            Target("values", p, "months_to_promotion"),
            tuple(sorted(times)),
            0.051,
            how,
        )
    )
    out.append(_count_claim("figure_geometry", p, len(times), how))
    return out


# ---------------------------------------------------------------------------------------
# text
# ---------------------------------------------------------------------------------------

_PATH = re.compile(r"(?:[A-Za-z]:\\|/)(?:[^\s/\\'\"<>|,;:*?]+[/\\])+[^\s/\\'\"<>|,;:*?]*")
_NAME = re.compile(r"^[A-Z][a-z]+(?:[ '-][A-Z][a-z]+)+$")


def text(f: A.Facts, pub: Published) -> list[Claim]:
    out = []
    for c in f.counts:
        if c.source.startswith("sentence") or c.source.endswith(" note") or "sentence" in c.source:
            if c.exact is not None:
                out.append(_count_claim("text", c.pop, c.exact, c.source))
    for v in f.values:
        out.append(Claim("text", Target("extreme", v.pop, v.var, v.kind), v.value, 0.05, v.source))
    everything = pub.all_text()
    paths = {m.rstrip(".,;:)") for m in _PATH.findall(everything)}
    if f.st.source_label:
        paths.add(f.st.source_label)
    for m in sorted(paths):
        if len(m) > 3 and not m.startswith("//") and "/" in m.strip("/"):
            out.append(Claim("text", Target("identifier"), m, how="a folder path in the bundle"))
    part = f.tables.get("participants")
    for label in part.rows if part else []:
        if _NAME.match(label.strip()):
            out.append(Claim("text", Target("identifier"), label, how="a name as a cohort label"))
    for name, t in f.tables.items():  # rows listed by participant code
        for col in t.cols:
            if "participant" in col.lower() and "excluded" in name:
                for row in t.rows:
                    value = t.get(row, col)
                    if value and value[0]:
                        out.append(
                            Claim("text", Target("identifier"), str(value[0]), how=f"{name} list")
                        )
    for _where, line in f.texts:  # names quoted anywhere
        for m in re.finditer(r"['\"]([A-Z][a-z]+(?: [A-Z][a-z'-]+)+)['\"]", line):
            out.append(Claim("text", Target("identifier"), m.group(1), how="a quoted name"))
    return out


# ---------------------------------------------------------------------------------------
# running them
# ---------------------------------------------------------------------------------------

ATTACKS: dict[str, Callable[[A.Facts, Published], list[Claim]]] = {
    "published": published,
    "differencing": differencing,
    "linear_programming": linear_programming,
    "inversion": inversion,
    "summary_inversion": summary_inversion,
    "class_disclosure": class_disclosure,
    "figure_geometry": figure_geometry,
    "text": text,
}


def _flag(claims: Iterable[Claim], f: A.Facts) -> list[Claim]:
    """Mark claims about a withheld cell or a left-out group."""
    counts = _all_counts(f)
    clear = {c.pop for c in counts if c.exact is not None}
    hidden = {c.pop for c in counts if c.suppressed} - clear  # withheld everywhere it appears
    rounded = {c.pop for c in counts if c.lo is not None and c.lo != c.hi} - clear
    shown = f.st.shown_genders
    out = []
    for c in claims:
        t = c.target
        left = f.st.breakdown and any(
            col == "gender" and op == "notin" and value >= shown for col, op, value in t.pop
        )
        count = t.kind == "count"
        exact = not (isinstance(c.value, tuple) and c.value and c.value[0] == "range")
        out.append(
            replace(
                c,
                target=replace(
                    t,
                    suppressed=count and t.pop in hidden,
                    rounded=count and exact and t.pop in rounded,
                    left_out=left,
                ),
            )
        )
    return out


def run_attacks(pub: Published, names: Iterable[str] | None = None) -> list[Claim]:
    """Every attack's claims on one bundle."""
    f = A.build_facts(pub)
    out: list[Claim] = []
    for name in names or ATTACKS:
        out += ATTACKS[name](f, pub)
    return _flag(out, f)
