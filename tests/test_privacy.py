"""Disclosure control: policies, suppression, audits, the ledger, statistics, the
quasi-identifier summary and export neutralisation."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

import mentoranalytics as ma
from mentoranalytics import privacy
from mentoranalytics.exceptions import AnalysisError, DisclosureError
from mentoranalytics.privacy import (
    POLICIES,
    SUPPRESSED_MARK,
    TOTAL,
    DisclosureLedger,
    DisclosurePolicy,
    audit,
    base_cell_incidence,
    check_statistic,
    joint_audit,
    neutralise_cell,
    neutralise_frame,
    policy,
    privacy_summary,
    suppress,
    suppression,
    withhold_if_unsafe,
)

RESULTS = Path(__file__).parent / "results"

# --------------------------------------------------------------------------------------
# An independent audit, written here from scratch: variables are the interior cells,
# every published cell (interior or total) gives its interval of true values.
# --------------------------------------------------------------------------------------


def published_interval(v: float, pol: DisclosurePolicy) -> tuple[float, float]:
    """True counts an intruder considers possible for a published value ``v``."""
    if pol.rounding_base:
        b = pol.rounding_base
        cands = [t for t in range(max(0, int(v) - b), int(v) + b + 1) if round_half_up(t, b) == v]
    else:
        cands = [int(v)]
    allowed = [
        t for t in cands if not (1 <= t < pol.threshold) and not (pol.suppress_zeros and t == 0)
    ]
    cands = allowed or cands
    return float(min(cands)), float(max(cands))


def round_half_up(t: int, b: int) -> int:
    return int(math.floor(t / b + 0.5)) * b


def independent_ranges(published: np.ndarray, pol: DisclosurePolicy) -> dict:
    """{(i, j): (lo, hi)} of every NaN cell of an extended grid of published values."""
    r1, c1 = published.shape
    r, c = r1 - 1, c1 - 1
    n = r * c

    def row_of(i: int, j: int) -> np.ndarray:
        a = np.zeros((r, c))
        if i < r and j < c:
            a[i, j] = 1
        elif i < r:
            a[i, :] = 1
        elif j < c:
            a[:, j] = 1
        else:
            a[:, :] = 1
        return a.ravel()

    a_ub, b_ub = [], []
    for i in range(r1):
        for j in range(c1):
            if not np.isnan(published[i, j]):
                lo, hi = published_interval(published[i, j], pol)
                a_ub += [row_of(i, j), -row_of(i, j)]
                b_ub += [hi, -lo]
    out = {}
    a_mat = np.array(a_ub) if a_ub else None
    b_vec = b_ub if b_ub else None
    for i in range(r1):
        for j in range(c1):
            if np.isnan(published[i, j]):
                obj = row_of(i, j)
                lo = linprog(obj, A_ub=a_mat, b_ub=b_vec, bounds=[(0, None)] * n)
                hi = linprog(-obj, A_ub=a_mat, b_ub=b_vec, bounds=[(0, None)] * n)
                assert lo.status == 0
                out[(i, j)] = (lo.fun, math.inf if hi.status == 3 else -hi.fun)
    return out


def grid_of(counts: np.ndarray) -> np.ndarray:
    r, c = counts.shape
    g = np.zeros((r + 1, c + 1), dtype=np.int64)
    g[:r, :c] = counts
    g[:r, c] = counts.sum(1)
    g[r, :c] = counts.sum(0)
    g[r, c] = counts.sum()
    return g


count_tables = st.integers(2, 5).flatmap(
    lambda r: st.integers(2, 6).flatmap(
        lambda c: arrays(np.int64, (r, c), elements=st.integers(0, 30))
    )
)
some_policies = st.sampled_from(
    [POLICIES["standard"], POLICIES["ons"], POLICIES["nhs"], policy(3), policy(7), policy(10)]
)


# --------------------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------------------


def test_presets_as_documented():
    std, ons, nhs, internal = (POLICIES[k] for k in ("standard", "ons", "nhs", "internal"))
    assert (std.threshold, std.rounding_base, std.suppress_zeros) == (5, None, False)
    assert (ons.threshold, ons.rounding_base) == (10, 5)
    assert (nhs.threshold, nhs.rounding_base, nhs.suppress_zeros) == (8, 5, False)
    assert nhs.min_n_for_means == 8
    assert not internal.suppresses
    assert internal.banner == "internal — contains small numbers"
    assert std.banner == ons.banner == nhs.banner == ""
    assert set(POLICIES) == {"standard", "ons", "nhs", "internal"}
    with pytest.raises(TypeError):
        POLICIES["lax"] = std  # type: ignore[index]


def test_policy_resolution():
    assert policy("NHS") is POLICIES["nhs"]
    assert policy(POLICIES["ons"]) is POLICIES["ons"]
    custom = policy(7)
    assert (custom.name, custom.threshold, custom.min_n_for_means) == ("threshold_7", 7, 7)
    assert ma.POLICIES is POLICIES and ma.DisclosurePolicy is DisclosurePolicy
    with pytest.raises(
        AnalysisError, match="Unknown disclosure policy 'strict'. Allowed: 'standard'"
    ):
        policy("strict")
    with pytest.raises(
        AnalysisError, match="custom disclosure threshold must be at least 2, not 1"
    ):
        policy(1)
    with pytest.raises(AnalysisError, match="policy must be a policy name .* not float"):
        policy(5.0)  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="threshold must be a whole number >= 0, not -1"):
        DisclosurePolicy("x", -1)
    with pytest.raises(
        AnalysisError, match="rounding_base must be None or a whole number >= 2, not 1"
    ):
        DisclosurePolicy("x", 5, rounding_base=1)


@pytest.mark.parametrize(
    ("name", "true", "shown"),
    [
        # hand-rounded: nearest multiple of 5, halves cannot occur for whole numbers
        ("nhs", [0, 8, 10, 12, 13, 17, 18, 22, 23], [0, 10, 10, 10, 15, 15, 20, 20, 25]),
        ("ons", [0, 10, 11, 12, 13, 14, 15, 99], [0, 10, 10, 10, 15, 15, 15, 100]),
        ("standard", [0, 5, 7, 13], [0, 5, 7, 13]),
    ],
)
def test_rounding_of_published_counts(name, true, shown):
    table = pd.DataFrame({"a": true, "b": [100] * len(true)})
    res = suppress(table, name)
    pub = res.published["a"].iloc[:-1]
    assert pub.tolist() == shown  # no cell is small here, so nothing is suppressed
    assert not res.suppressed.to_numpy().any()


def test_nhs_keeps_zeros_and_suppresses_one_to_seven():
    table = pd.DataFrame({"a": [0, 7, 8, 40], "b": [30, 40, 50, 60]})
    res = suppress(table, "nhs")
    assert res.published.loc[0, "a"] == 0 and not res.suppressed.loc[0, "a"]
    assert res.suppressed.loc[1, "a"] and res.reasons.loc[1, "a"] == "fewer than 8"
    assert not res.published.isna().to_numpy().all()
    values = res.published.to_numpy(dtype=float, na_value=np.nan)
    assert np.all(np.isnan(values) | (values % 5 == 0))


def test_internal_suppresses_nothing_and_carries_the_banner():
    table = pd.DataFrame({"yes": [1, 2], "no": [3, 0]}, index=["woman", "man"])
    res = suppress(table, "internal")
    assert not res.suppressed.to_numpy().any()
    assert res.published.loc["woman", "yes"] == 1
    banner = "internal — contains small numbers"
    assert banner.upper() in res.to_markdown()
    assert banner.upper() in res._repr_html_()
    assert res.audit().ok


def test_zero_suppressing_custom_policy():
    pol = DisclosurePolicy("zeros", 3, suppress_zeros=True)
    res = suppress(pd.DataFrame({"a": [0, 9], "b": [10, 11]}), pol)
    assert res.reasons.loc[0, "a"] == "zero (the policy suppresses zeros)"
    assert res.audit().ok


def test_intervals_as_derived_by_hand():
    nhs, ons, std = POLICIES["nhs"], POLICIES["ons"], POLICIES["standard"]
    lo, hi = nhs._intervals(np.array([0.0, 10.0, 15.0]))
    assert lo.tolist() == [0, 8, 13] and hi.tolist() == [0, 12, 17]
    lo, hi = ons._intervals(np.array([0.0, 10.0, 15.0]))
    assert lo.tolist() == [0, 10, 13] and hi.tolist() == [0, 12, 17]
    lo, hi = std._intervals(np.array([0.0, 5.0]))
    assert lo.tolist() == [0, 5] and hi.tolist() == [0, 5]
    # and the brute-force enumeration of this test file agrees for many values
    for v in range(0, 60, 5):
        for pol in (nhs, ons):
            lo, hi = pol._intervals(np.array([float(v)]))
            assert published_interval(v, pol) == (lo[0], hi[0]), (v, pol.name)


# --------------------------------------------------------------------------------------
# suppress(): examples
# --------------------------------------------------------------------------------------


def gender_table() -> pd.DataFrame:
    return pd.DataFrame({"yes": [3, 8], "no": [10, 12]}, index=["woman", "man"])


def test_suppress_two_by_two_with_a_small_cell():
    table = gender_table()
    before = table.copy()
    res = suppress(table)
    pd.testing.assert_frame_equal(table, before)
    # a single small cell in a 2x2 with published totals: the whole interior must go
    assert res.suppressed.iloc[:2, :2].to_numpy().all()
    assert not res.suppressed.iloc[2, :].any() and not res.suppressed.iloc[:, 2].any()
    assert res.published.loc[TOTAL].tolist() == [11, 22, 33]
    assert res.published[TOTAL].tolist() == [13, 20, 33]
    assert res.reasons.loc["woman", "yes"] == "fewer than 5"
    assert res.reasons.loc["woman", "no"] == "secondary: protects a suppressed cell in the same row"
    assert res.reasons.loc["man", "yes"] == (
        "secondary: protects a suppressed cell in the same column"
    )
    assert res.reasons.loc["man", TOTAL] == ""
    assert res.counts.loc["woman", "yes"] == 3  # true counts kept for internal checks
    assert res.published.dtypes.map(str).tolist() == ["Int64"] * 3


def test_suppress_nothing_small():
    table = pd.DataFrame({"yes": [6, 8], "no": [10, 12]}, index=["woman", "man"])
    res = suppress(table)
    assert not res.suppressed.to_numpy().any()
    assert res.published.iloc[:2, :2].to_numpy().tolist() == [[6, 10], [8, 12]]
    assert res.audit().ok and res.audit().cells.empty


def test_small_grand_total_suppresses_everything():
    res = suppress(pd.DataFrame({"a": [1, 1], "b": [1, 0]}))
    assert res.suppressed.to_numpy().sum() == 8  # all but the zero cell
    assert pd.isna(res.published.loc[TOTAL, TOTAL])
    assert res.audit().ok


def test_margins_false_hides_totals_but_protects_the_same_way():
    table = gender_table()
    with_m = suppress(table)
    without = suppress(table, margins=False)
    assert without.published.shape == (2, 2)
    assert TOTAL not in without.published.index
    pd.testing.assert_frame_equal(without.published, with_m.published.iloc[:2, :2])
    assert without.to_frame().shape[0] == 4
    assert without.audit().ok


def test_to_frame_is_tidy_and_never_holds_true_counts():
    res = suppress(gender_table())
    tidy = res.to_frame()
    assert tidy.columns.tolist() == ["row", "column", "value", "suppressed", "reason"]
    assert len(tidy) == 9
    woman_yes = tidy[(tidy["row"] == "woman") & (tidy["column"] == "yes")].iloc[0]
    assert pd.isna(woman_yes["value"]) and woman_yes["suppressed"]
    assert woman_yes["reason"] == "fewer than 5"
    assert str(tidy["value"].dtype) == "Int64"
    md = res.to_markdown()
    assert "| woman | [c] | [c] | 13 |" in md and "| man | [c] | [c] | 20 |" in md
    assert SUPPRESSED_MARK in md
    assert SUPPRESSED_MARK in res._repr_html_()


def test_percentages_follow_numerator_and_denominator():
    table = pd.DataFrame({"yes": [3, 8, 20], "no": [10, 12, 25]}, index=["a", "b", "c"])
    res = suppress(table)
    pub = res.published.to_numpy(dtype=float, na_value=np.nan)
    for axis in ("row", "column", "total"):
        pct = res.percentages(axis).to_numpy()
        for i in range(pub.shape[0]):
            for j in range(pub.shape[1]):
                den = {"row": pub[i, -1], "column": pub[-1, j], "total": pub[-1, -1]}[axis]
                if np.isnan(pub[i, j]) or np.isnan(den):
                    assert np.isnan(pct[i, j])
                else:
                    assert pct[i, j] == pytest.approx(100 * pub[i, j] / den)
    assert np.isnan(res.percentages("row").loc["a", "yes"])
    with pytest.raises(AnalysisError, match="axis must be 'row', 'column' or 'total', not 'cell'"):
        res.percentages("cell")


def test_percentages_of_rounded_counts_use_the_rounded_counts():
    res = suppress(pd.DataFrame({"a": [12, 33], "b": [18, 37]}), "nhs")
    assert res.published.loc[0, "a"] == 10 and res.published.loc[0, TOTAL] == 30
    assert res.percentages("row").loc[0, "a"] == pytest.approx(100 * 10 / 30)


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ([[1, 2]], "table must be a pandas DataFrame of counts .* not list"),
        (pd.DataFrame(), r"table is empty \(0 x 0\)"),
        (pd.DataFrame({"a": [1, -2]}), "negative or fractional values"),
        (pd.DataFrame({"a": [1.5, 2]}), "negative or fractional values"),
        (pd.DataFrame({"a": [1, None]}), "table has missing counts"),
        (pd.DataFrame({"a": ["1", "2"]}), r"columns \['a'\] are not numeric"),
        (pd.DataFrame({"a": [True, False]}), r"columns \['a'\] are not numeric"),
        (pd.DataFrame({"a": [1, 2]}, index=["x", "Total"]), "already contain a 'Total' label"),
    ],
)
def test_suppress_errors(table, match):
    with pytest.raises(AnalysisError, match=match):
        suppress(table)


def test_public_names():
    assert ma.suppress is suppress and ma.audit is audit
    assert ma.privacy_summary is privacy_summary


# --------------------------------------------------------------------------------------
# audit(): hand-derived references
# --------------------------------------------------------------------------------------

CASES = json.loads((RESULTS / "privacy_audit_cases.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_audit_matches_hand_derivation(case):
    published = pd.DataFrame(
        case["published"], index=case["index"], columns=case["columns"], dtype=float
    )
    before = published.copy()
    res = audit(published, policy=case["policy"])
    pd.testing.assert_frame_equal(published, before)
    row, col = case["cell"]
    cell = res.cells[(res.cells["row"] == row) & (res.cells["column"] == col)].iloc[0]
    assert cell["lo"] == pytest.approx(case["lo"])
    assert cell["hi"] == pytest.approx(case["hi"])
    assert bool(cell["safe"]) is case["safe"]
    # whole-number optima come out as whole numbers (no floating-point noise)
    for value in (case["lo"], case["hi"]):
        if math.isfinite(value) and value == round(value):
            assert value in (cell["lo"], cell["hi"])
    # and the test's own linear programme agrees
    ranges = independent_ranges(published.to_numpy(), policy(case["policy"]))
    i, j = case["index"].index(row), case["columns"].index(col)
    assert ranges[(i, j)] == pytest.approx((case["lo"], case["hi"]))


def test_failed_audit_raises_without_revealing_the_range():
    published = pd.DataFrame(
        CASES[0]["published"], index=CASES[0]["index"], columns=CASES[0]["columns"], dtype=float
    )
    res = audit(published)
    assert not res.ok and len(res.failures) == 1
    with pytest.raises(DisclosureError, match=r"1 suppressed cell\(s\) can be narrowed") as info:
        res.raise_if_failed()
    assert "table 'table 1' row 'woman' column 'yes'" in str(info.value)
    assert "3" not in str(info.value).replace("33", "")
    audit(suppress(gender_table())).raise_if_failed()  # passes silently


def test_audit_without_totals_has_nothing_to_recover():
    published = pd.DataFrame({"yes": [None, 8.0], "no": [10.0, 12.0]}, index=["woman", "man"])
    res = audit(published)
    assert res.ok and math.isinf(res.cells.loc[0, "hi"])


def test_audit_errors():
    with pytest.raises(AnalysisError, match="audit\\(\\) needs at least one table"):
        audit()
    with pytest.raises(AnalysisError, match="takes SuppressedTable or DataFrame tables, not list"):
        audit([[1]])  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match=r"columns \['a'\] are not numeric"):
        audit(pd.DataFrame({"a": ["x"]}))
    with pytest.raises(AnalysisError, match="has negative counts"):
        audit(pd.DataFrame({"a": [-1.0]}))
    inconsistent = pd.DataFrame(
        [[None, 10, 5], [8, 12, 20], [11, 22, 33]],
        index=["a", "b", TOTAL],
        columns=["x", "y", TOTAL],
        dtype=float,
    )
    with pytest.raises(AnalysisError, match="published numbers are inconsistent"):
        audit(inconsistent)


# --------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------


def check_protection(counts: np.ndarray, pol: DisclosurePolicy) -> None:
    """The invariants of cell suppression on one table."""
    grid = grid_of(counts)
    s, primary = suppression._protect(grid, pol)
    thr = pol.threshold
    assert not (primary & ~s).any()
    # no published count in 1..threshold-1 (true or as shown after rounding)
    published_true = grid[~s]
    assert not ((published_true >= 1) & (published_true < thr)).any()
    shown = pol._round(grid)[~s]
    assert not ((shown >= 1) & (shown < thr)).any()
    # every suppressed cell's exact feasible range is at least the threshold wide
    lo, hi = suppression._exact_ranges(grid, s, pol, limit=thr)
    assert np.all((hi - lo)[s] >= thr)
    # no row or column (totals included) with a single suppressed cell
    assert not (s.sum(axis=0) == 1).any() and not (s.sum(axis=1) == 1).any()
    # idempotence: protecting the protected pattern changes nothing
    again, _ = suppression._protect(grid, pol, forced=s)
    assert (again == s).all()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(counts=count_tables, pol=some_policies)
def test_protection_properties(counts, pol):
    check_protection(counts, pol)


@pytest.mark.slow
def test_protection_properties_on_thousands_of_tables():
    """2,000 random tables (2-5 x 2-6, counts 0-30) under six policies: hypothesis is
    slow per example, so the bulk sweep uses a seeded generator."""
    rng = np.random.default_rng(20261125)
    policies = [POLICIES["standard"], POLICIES["ons"], POLICIES["nhs"], policy(3), policy(7)]
    for k in range(2000):
        shape = (int(rng.integers(2, 6)), int(rng.integers(2, 7)))
        # mix sparse and dense tables
        high = int(rng.choice([6, 12, 31]))
        check_protection(rng.integers(0, high, shape), policies[k % len(policies)])


@settings(max_examples=80, deadline=None)
@given(counts=count_tables, pol=some_policies)
def test_suppress_margins_consistent_and_deterministic(counts, pol):
    table = pd.DataFrame(counts, index=[f"r{i}" for i in range(counts.shape[0])])
    before = table.copy()
    res = suppress(table, pol)
    pd.testing.assert_frame_equal(table, before)
    pub = res.published.to_numpy(dtype=float, na_value=np.nan)
    true = res.counts.to_numpy()
    base = pol.rounding_base or 1
    # every published cell is the (rounded) true count; totals are the true sums
    known = ~np.isnan(pub)
    assert np.all(np.abs(pub[known] - true[known]) <= base // 2)
    assert (true[:-1, -1] == true[:-1, :-1].sum(axis=1)).all()
    assert (true[-1, :] == true[:-1, :].sum(axis=0)).all()
    for i in range(pub.shape[0]):
        line = pub[i]
        if not np.isnan(line).any():
            slack = 0 if base == 1 else (base // 2) * len(line)
            assert abs(line[:-1].sum() - line[-1]) <= slack
    for j in range(pub.shape[1]):
        line = pub[:, j]
        if not np.isnan(line).any():
            slack = 0 if base == 1 else (base // 2) * len(line)
            assert abs(line[:-1].sum() - line[-1]) <= slack
    again = suppress(table, pol)
    pd.testing.assert_frame_equal(again.published, res.published)
    pd.testing.assert_frame_equal(again.reasons, res.reasons)


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(
    counts=st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: arrays(np.int64, (r, c), elements=st.integers(0, 30))
        )
    ),
    pol=some_policies,
)
def test_lp_audit_of_suppress_output_independently(counts, pol):
    """The test's own linear programme: every suppressed cell at least threshold wide,
    and the package's audit finds the same ranges."""
    res = suppress(pd.DataFrame(counts), pol)
    pub = res.published_full.to_numpy(dtype=float, na_value=np.nan)
    ranges = independent_ranges(pub, pol)
    for lo, hi in ranges.values():
        assert hi - lo >= pol.threshold - 1e-7
    cells = res.audit().cells
    assert res.audit().ok
    assert len(cells) == len(ranges)
    rows, cols = list(res.published_full.index), list(res.published_full.columns)
    for r, c, lo, hi in cells[["row", "column", "lo", "hi"]].itertuples(index=False):
        assert (lo, hi) == pytest.approx(ranges[(rows.index(r), cols.index(c))])


@settings(max_examples=40, deadline=None)
@given(
    counts=st.integers(2, 4).flatmap(
        lambda r: st.integers(2, 4).flatmap(
            lambda c: arrays(np.int64, (r, c), elements=st.integers(0, 20))
        )
    ),
    mask_seed=st.integers(0, 2**32 - 1),
    pol=st.sampled_from([POLICIES["standard"], POLICIES["nhs"], POLICIES["ons"]]),
)
def test_flow_ranges_equal_linear_programming(counts, mask_seed, pol):
    """Any suppression pattern: the fast exact bounds equal an independent LP."""
    grid = grid_of(counts)
    # any pattern a policy could publish: every small count hidden, other cells at random
    mask = (np.random.default_rng(mask_seed).random(grid.shape) < 0.4) | pol._primary(grid)
    if not mask.any():
        mask[0, 0] = True
    pub = np.where(mask, np.nan, pol._round(grid).astype(float))
    lo, hi = suppression._exact_ranges(grid, mask, pol)
    ranges = independent_ranges(pub, pol)
    for (i, j), (a, b) in ranges.items():
        assert lo[i, j] == pytest.approx(a)
        assert hi[i, j] == pytest.approx(b)


# --------------------------------------------------------------------------------------
# The ledger: tables from the same microdata, audited together
# --------------------------------------------------------------------------------------


def two_cohorts() -> pd.DataFrame:
    """Cohort A: 7/8 promoted/not in each gender; cohort B: women 2/4, men 3/3."""
    rows = []
    for gender in ("woman", "man"):
        rows += [("A", gender, 1)] * 7 + [("A", gender, 0)] * 8
    rows += [("B", "woman", 1)] * 2 + [("B", "woman", 0)] * 4
    rows += [("B", "man", 1)] * 3 + [("B", "man", 0)] * 3
    return pd.DataFrame(rows, columns=["cohort", "gender", "promoted"])


def joint_range(data: pd.DataFrame, tables: dict, target: tuple) -> tuple[float, float]:
    """The test's own LP over the cells cohort x gender x promoted."""
    cohorts, genders, outcomes = ["A", "B"], ["man", "woman"], [0, 1]
    cells = [(c, g, o) for c in cohorts for g in genders for o in outcomes]
    a_eq, b_eq = [], []
    where = {"overall": cohorts, "cohort A": ["A"]}
    for name, res in tables.items():
        pub = res.published_full
        for r in pub.index:
            for col in pub.columns:
                v = pub.loc[r, col]
                if pd.isna(v):
                    continue
                row = [
                    1.0
                    if c in where[name] and (r == TOTAL or g == r) and (col == TOTAL or o == col)
                    else 0.0
                    for c, g, o in cells
                ]
                a_eq.append(row)
                b_eq.append(float(v))
    obj = np.array([1.0 if cell == target else 0.0 for cell in cells])
    lo = linprog(obj, A_eq=np.array(a_eq), b_eq=b_eq, bounds=[(0, None)] * len(cells))
    hi = linprog(-obj, A_eq=np.array(a_eq), b_eq=b_eq, bounds=[(0, None)] * len(cells))
    return lo.fun, (math.inf if hi.status == 3 else -hi.fun)


def test_differencing_two_tables_reveals_a_cell_without_the_ledger():
    data = two_cohorts()
    overall = suppress(pd.crosstab(data["gender"], data["promoted"]))
    cohort_a = suppress(pd.crosstab(data["gender"][data["cohort"] == "A"], data["promoted"]))
    assert not overall.suppressed.to_numpy().any() and not cohort_a.suppressed.to_numpy().any()
    lo, hi = joint_range(data, {"overall": overall, "cohort A": cohort_a}, ("B", "woman", 1))
    assert lo == hi == 2  # cohort B's two promoted women, recovered by subtraction


def test_ledger_protects_the_cells_left_out_by_a_filter():
    data = two_cohorts()
    before = data.copy()
    ledger = DisclosureLedger(data)
    ledger.add("overall", rows="gender", columns="promoted")
    ledger.add("cohort A", rows="gender", columns="promoted", where={"cohort": "A"})
    tables = ledger.suppress()
    pd.testing.assert_frame_equal(data, before)
    result = ledger.audit()
    assert result.ok
    assert any("cohort=B" in str(t) for t in result.cells["table"])
    for target in [("B", "woman", 1), ("B", "man", 1), ("B", "woman", 0), ("B", "man", 0)]:
        lo, hi = joint_range(data, tables, target)
        assert hi - lo >= 5, target
    # the suppression is explained
    reasons = set(np.concatenate([t.reasons.to_numpy().ravel() for t in tables.values()]))
    assert "secondary: protects a suppressed cell in another table" in reasons


def test_ledger_with_every_cohort_published():
    data = two_cohorts()
    ledger = DisclosureLedger(data, policy="standard")
    ledger.add("overall", rows="gender", columns="promoted")
    ledger.add("A", rows="gender", columns="promoted", where={"cohort": "A"})
    ledger.add("B", rows="gender", columns="promoted", where={"cohort": "B"})
    tables = ledger.suppress()
    assert tables["B"].suppressed.loc["woman", 1]
    assert tables["B"].reasons.loc["woman", 1] == "fewer than 5"
    assert ledger.audit().ok
    assert ledger.audit() is ledger.audit()  # cached


def test_base_cell_incidence_matches_crosstabs():
    data = two_cohorts()
    bc = base_cell_incidence(
        data,
        [("gender", "promoted"), ("cohort", "gender"), ("gender", "promoted", {"cohort": "B"})],
    )
    assert bc.variables == ("gender", "promoted", "cohort")
    assert bc.counts.sum() == len(data)
    first = bc.tables["table 1"]
    grid = (first.incidence.astype(int) @ bc.counts).reshape(first.shape)
    expected = pd.crosstab(data["gender"], data["promoted"], margins=True).to_numpy()
    assert (grid == expected).all()
    third = bc.tables["table 3"]
    grid = (third.incidence.astype(int) @ bc.counts).reshape(third.shape)
    sub = data[data["cohort"] == "B"]
    assert (grid == pd.crosstab(sub["gender"], sub["promoted"], margins=True).to_numpy()).all()
    assert list(bc.shadows) == ["table 3 [cohort=A]"]


def test_ledger_errors():
    data = two_cohorts()
    ledger = DisclosureLedger(data)
    with pytest.raises(AnalysisError, match="Register tables with ledger.add"):
        ledger.suppress()
    ledger.add("t", rows="gender", columns="promoted")
    with pytest.raises(AnalysisError, match="A table named 't' is already registered"):
        ledger.add("t", rows="gender", columns="cohort")
    with pytest.raises(AnalysisError, match="where must be a dict of column -> value"):
        ledger.add("u", rows="gender", columns="promoted", where=["A"])  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="rows must be a column name or a list"):
        ledger.add("v", rows=3, columns="promoted")  # type: ignore[arg-type]
    bad = DisclosureLedger(data).add("x", rows="sex", columns="promoted")
    with pytest.raises(AnalysisError, match=r"Columns \['sex'\] not found in the data"):
        bad.suppress()
    bad = DisclosureLedger(data).add("x", rows="gender", columns="promoted", where={"cohort": "Z"})
    with pytest.raises(AnalysisError, match=r"asks for \['Z'\], which no participant has"):
        bad.suppress()
    with pytest.raises(AnalysisError, match="Table names must be unique"):
        base_cell_incidence(data, [privacy.TableSpec("a", ("gender",), ("promoted",))] * 2)


# --------------------------------------------------------------------------------------
# Statistics derived from counts
# --------------------------------------------------------------------------------------


def test_check_statistic_rules():
    assert check_statistic("min", n=100) == (
        False,
        "withheld: minimum and maximum are never published (each is one person's value)",
    )
    assert not check_statistic("Maximum", n=100, policy="internal")[0]
    assert check_statistic("mean", n=5) == (True, "")
    ok, reason = check_statistic("median", n=7, policy="nhs")
    assert not ok and "fewer than 8 values" in reason
    assert check_statistic("mean", n=2, policy="internal") == (True, "")
    small = pd.DataFrame({"yes": [2, 9], "no": [10, 12]})
    ok, reason = check_statistic("p_value", counts=small)
    assert not ok and "counts below 5" in reason
    assert check_statistic("odds ratio", counts=small + 5) == (True, "")
    # the table's totals count too, and group sizes may be given as a Series
    assert not check_statistic("estimate", counts=pd.Series({"woman": 4, "man": 30}))[0]
    assert check_statistic("estimate", counts=[small + 5, small + 10]) == (True, "")
    assert not check_statistic("estimate", counts=[small + 5, small])[0]
    assert not check_statistic("p_value", counts=suppress(small))[0]
    assert check_statistic("p_value", counts=small, policy="internal") == (True, "")


def test_check_statistic_errors():
    with pytest.raises(AnalysisError, match=r"check_statistic\('mean'\) needs n"):
        check_statistic("mean")
    with pytest.raises(AnalysisError, match=r"check_statistic\('p_value'\) needs counts="):
        check_statistic("p_value")
    with pytest.raises(AnalysisError, match="statistic must be the name of a statistic"):
        check_statistic("")
    with pytest.raises(AnalysisError, match="counts must hold counts"):
        check_statistic("p_value", counts=pd.DataFrame({"a": [-1, 2]}))


def test_withhold_if_unsafe():
    small = pd.DataFrame({"yes": [2, 9], "no": [10, 12]})
    before = small.copy()
    value, reason = withhold_if_unsafe(0.031, small, statistic="p_value")
    assert math.isnan(value) and reason.startswith("withheld: a table behind it")
    pd.testing.assert_frame_equal(small, before)
    assert withhold_if_unsafe(1.7, small + 5) == (1.7, "")


# --------------------------------------------------------------------------------------
# Quasi-identifiers
# --------------------------------------------------------------------------------------


def cohort_frame() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 60
    return pd.DataFrame(
        {
            "participant_id": [f"P{k:03d}" for k in range(n)],
            "gender": rng.choice(["woman", "man", "non_binary"], n, p=[0.5, 0.45, 0.05]),
            "cohort": rng.choice(["2019", "2020", "2021"], n),
            "employment": rng.choice(["employed", "self_employed"], n, p=[0.8, 0.2]),
            "participant_level": rng.integers(1, 7, n),
        }
    )


def test_privacy_summary_against_an_independent_count():
    df = cohort_frame()
    before = df.copy()
    res = privacy_summary(df)
    pd.testing.assert_frame_equal(df, before)
    keys = ["gender", "cohort", "employment", "participant_level"]
    groups = Counter(map(tuple, df[keys].to_numpy().tolist()))
    assert res.k == min(groups.values())
    assert res.n_groups == len(groups)
    assert res.n_small_groups == sum(1 for v in groups.values() if v < 5)
    assert res.n_in_small_groups == sum(v for v in groups.values() if v < 5)
    assert res.keys_used == tuple(keys) and res.keys_missing == ()
    # the table: each key alone, all keys, all but one
    row = res.table.set_index("keys").loc["gender"]
    assert row["k"] == df["gender"].value_counts().min()
    assert res.table["keys"].tolist()[:4] == keys
    advice = " ".join(res.advice)
    pooled = min(
        Counter(map(tuple, df[[k for k in keys if k != "cohort"]].to_numpy().tolist())).values()
    )
    assert ("Pool cohorts" in advice) == bool(pooled > res.k)
    assert "Merge small categories of gender" in advice  # non_binary is rare
    assert "Drop participant_level" in advice
    coarse = privacy_summary(df, keys=("gender", "cohort"))
    pooled = df["gender"].value_counts().min()
    assert ("Pool cohorts" in " ".join(coarse.advice)) == bool(pooled > coarse.k)
    # counts only: no identity appears anywhere
    text = res.to_markdown() + res._repr_html_() + repr(res)
    assert not any(pid in text for pid in df["participant_id"])


def test_privacy_summary_keys_and_threshold():
    df = pd.DataFrame({"gender": ["woman"] * 6 + ["man"] * 6, "cohort": ["2019"] * 12})
    res = privacy_summary(df, keys=("gender", "cohort", "employment"), threshold=5)
    assert res.keys_used == ("gender", "cohort") and res.keys_missing == ("employment",)
    assert res.k == 6 and res.n_small_groups == 0
    assert "at least 5" in res.advice[0]
    assert "employment" in res.to_markdown()
    none = privacy_summary(df, keys=("region",))
    assert none.k == 12 and none.keys_used == ()
    assert privacy_summary(df, keys="gender").keys_used == ("gender",)
    with_na = privacy_summary(pd.DataFrame({"gender": ["woman", None, None, "man"]}), threshold=2)
    assert with_na.k == 1 and with_na.n_groups == 3  # missing forms a group of its own


def test_privacy_summary_errors():
    df = pd.DataFrame({"gender": ["woman"]})
    with pytest.raises(AnalysisError, match="threshold must be a whole number >= 1, not 0"):
        privacy_summary(df, threshold=0)
    with pytest.raises(AnalysisError, match="keys must be column names"):
        privacy_summary(df, keys=(1,))  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="data has no rows"):
        privacy_summary(df.iloc[:0])
    with pytest.raises(AnalysisError, match="data must be a Cohort or a pandas DataFrame"):
        privacy_summary([1, 2])


# --------------------------------------------------------------------------------------
# Export safety
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_neutralise_cell_formula_starts(start):
    value = f'{start}HYPERLINK("http://x")'
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["woman", "", "a=b", " =1", "-5", "+3.5", "-1e3", 7, -2.5, None])
def test_neutralise_cell_leaves_safe_values(value):
    assert neutralise_cell(value) == value


def test_neutralise_frame_copies_and_covers_labels():
    df = pd.DataFrame(
        {
            "name": ["=cmd|' /C calc'!A0", "ok", "@SUM(1)"],
            "=bad": ["-2", "x", None],
            "n": [-1, 2, 3],
            "cat": pd.Categorical(["+x", "y", "+x"]),
        },
        index=["-r", "b", "c"],
    )
    before = df.copy()
    out = neutralise_frame(df)
    pd.testing.assert_frame_equal(df, before)
    assert out["name"].tolist() == ["'=cmd|' /C calc'!A0", "ok", "'@SUM(1)"]
    assert out["'=bad"].tolist()[:2] == ["-2", "x"] and pd.isna(out["'=bad"].iloc[2])
    assert out["n"].tolist() == [-1, 2, 3]
    assert out["cat"].tolist() == ["'+x", "y", "'+x"]
    assert out.index.tolist() == ["'-r", "b", "c"]
    with pytest.raises(AnalysisError, match="neutralise_frame needs a DataFrame, not list"):
        neutralise_frame([1])  # type: ignore[arg-type]


def test_remaining_error_messages(monkeypatch):
    data = two_cohorts()
    with pytest.raises(AnalysisError, match="Table spec 1 must be a TableSpec"):
        base_cell_incidence(data, ["gender"])
    with pytest.raises(AnalysisError, match="Register at least one table"):
        base_cell_incidence(data, [])
    monkeypatch.setattr(joint_audit, "MAX_BASE_CELLS", 4)
    with pytest.raises(AnalysisError, match=r"into 8 base cells \(limit 4\)"):
        base_cell_incidence(data, [("gender", ("promoted", "cohort"))])
    # two published cells that pin the same variable to different values
    with pytest.raises(AnalysisError, match="published numbers are inconsistent"):
        joint_audit._LinearAudit(np.array([[1], [1]]), np.array([2.0, 5.0]), np.array([2.0, 5.0]))


def test_ledger_accepts_dict_specs_and_multi_variable_rows():
    data = two_cohorts()
    bc = base_cell_incidence(
        data, [{"name": "t", "rows": ["cohort", "gender"], "columns": "promoted"}]
    )
    cells = bc.tables["t"]
    assert isinstance(cells.index, pd.MultiIndex) and cells.shape == (5, 3)
    ledger = DisclosureLedger(data).add("t", rows=["cohort", "gender"], columns="promoted")
    res = ledger.suppress()["t"]
    assert res.published.index[-1] == (TOTAL, "")
    assert res.suppressed.loc[("B", "woman"), 1]
    assert ledger.audit().ok
