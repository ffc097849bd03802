"""The release gate: counts, derived statistics, summaries, survival and the joint audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.privacy import gate as G
from mentoranalytics.privacy.gate import ReleaseGate, dominated


def mentored_only() -> pd.DataFrame:
    """12 women (2 without a mentor) and 18 men; in_contact defined only with a mentor."""
    df = pd.DataFrame({"gender": ["woman"] * 12 + ["man"] * 18})
    df["mentor_secured"] = True
    df.loc[[0, 1], "mentor_secured"] = False
    df["in_contact"] = pd.array(
        [None] * 2 + [True, False] * 5 + [True] * 10 + [False] * 8, "boolean"
    )
    return df


def build(df: pd.DataFrame, plan: G.GatePlan | None = None) -> tuple[ReleaseGate, dict]:
    gate = ReleaseGate(df, plan=plan)
    out = {
        "overview": gate.table("overview", df, "mentor_secured", "gender"),
        "contact": gate.table(
            "contact", df.dropna(subset=["in_contact"]), "gender", "in_contact", groups="rows"
        ),
    }
    return gate, out


def test_outcome_defined_only_for_the_mentored_cannot_give_back_a_suppressed_count():
    gate, out = build(mentored_only())
    # each table alone is protected, but the contact table's n for women is the overview's
    # suppressed "women with a mentor": the joint audit sees it
    assert out["overview"].suppressed.loc[True, "woman"]
    assert not gate.audit().ok
    plan = gate.repair()
    assert plan is not None
    gate2, out2 = build(mentored_only(), plan)
    assert gate2.audit().ok
    assert gate2.repair() is None
    # the women's n with a mentor, or their total, is no longer published
    women_n = out2["contact"].published.loc["woman", "Total"]
    women_total = out2["overview"].published.loc["Total", "woman"]
    assert pd.isna(women_n) or pd.isna(women_total)


def test_left_out_group_cannot_be_recovered_by_differencing():
    df = pd.DataFrame({"gender": ["woman"] * 15 + ["man"] * 16 + ["non_binary"] * 3})
    shown = df[df["gender"] != "non_binary"]
    gate = ReleaseGate(df)
    gate.table("by_gender", shown, "gender", "gender")
    gate.protect("left_out", df["gender"] == "non_binary")
    counts = gate.counts("population", {"everyone": pd.Series(True, index=df.index)})
    assert counts["everyone"] == 34
    assert not gate.audit().ok  # 34 - 15 - 16 = 3
    plan = gate.repair()
    gate2 = ReleaseGate(df, plan=plan)
    gate2.table("by_gender", shown, "gender", "gender")
    gate2.protect("left_out", df["gender"] == "non_binary")
    counts2 = gate2.counts("population", {"everyone": pd.Series(True, index=df.index)})
    assert gate2.audit().ok
    assert counts2["everyone"] is None
    log = gate2.log()
    assert ((log["output"] == "population") & (log["decision"] == "suppressed")).any()


def test_basis_withholds_statistics_over_small_cells_and_releases_rounded_counts():
    df = pd.DataFrame(
        {
            "gender": ["woman"] * 20 + ["man"] * 20,
            "bold_choice": [True] * 7 + [False] * 13 + [True] * 10 + [False] * 10,
            "promoted": [True] * 3 + [False] * 4 + [True] * 6 + [False] * 7 + [True] * 20,
        }
    )
    b = ReleaseGate(df).basis("payoff", df, ["gender", "bold_choice"], "promoted")
    assert not b.ok and b.rule in {"SDC-8", "SDC-4"}
    assert b.released.isna().all().all()
    with pytest.raises(AnalysisError, match="withheld"):
        b.frame(["gender", "bold_choice"], "promoted")
    big = pd.DataFrame(
        {
            "gender": ["woman"] * 23 + ["man"] * 27,
            "promoted": [True] * 11 + [False] * 12 + [True] * 13 + [False] * 14,
        }
    )
    b2 = ReleaseGate(big, "ons").basis("p", big, "gender", "promoted")
    assert b2.ok
    # every released count is a multiple of 5 and within 2 of the truth
    rel = b2.released.to_numpy()
    assert (rel % 5 == 0).all()
    assert (np.abs(rel - b2.counts.to_numpy()) <= 2).all()
    expanded = b2.expand("gender", "promoted")
    assert len(expanded) == rel.sum()


def test_class_disclosure_all_of_a_group_share_the_outcome():
    df = pd.DataFrame(
        {
            "gender": ["woman"] * 20 + ["man"] * 20,
            "promoted": [True] * 20 + [True] * 9 + [False] * 11,
        }
    )
    gate = ReleaseGate(df)
    t = gate.table("promoted", df, "gender", "promoted", groups="rows")
    assert t.suppressed.loc["woman"].iloc[:2].all()
    log = gate.log()
    assert (log["rule"] == "SDC-4").any()
    # the internal policy shows everything
    t2 = ReleaseGate(df, "internal").table("promoted", df, "gender", "promoted", groups="rows")
    assert not t2.suppressed.to_numpy().any()


def test_summary_rules_min_n_quantiles_extremes_dominance():
    idx = pd.RangeIndex(40)
    gate = ReleaseGate(pd.DataFrame(index=idx))
    five = pd.Series([3.0, 8, 12, 20, 41], index=idx[:5])
    out = gate.summary("days_5", five)
    assert out["mean"] == "" and out["sd"] == ""
    assert "SDC-5" in out["median"]  # quantiles need n >= 10
    assert "SDC-7" in out["min"] and "SDC-7" in out["max"]
    dom = pd.Series([0.0] * 11 + [90.0], index=idx[5:17])
    assert "SDC-6" in gate.summary("refusals", dom)["mean"]
    small = pd.Series([1.0, 2.0, 3.0], index=idx[17:20])
    assert "SDC-1" in gate.summary("tiny", small)["n"]


def test_mean_of_a_few_valued_variable_enters_the_joint_audit():
    # distance by relation: 12 women, one of them with a 'no prior tie' mentor
    df = pd.DataFrame(
        {
            "gender": ["woman"] * 12,
            "relation": ["line_manager"] * 6 + ["introduced"] * 5 + ["no_prior_tie"],
        }
    )
    df["distance"] = df["relation"].map(
        {"line_manager": 0.0, "introduced": 0.75, "no_prior_tie": 1.0}
    )
    gate = ReleaseGate(df)
    t = gate.table("relation", df, "relation", "gender", groups="columns")
    assert t.suppressed.loc["no_prior_tie", "woman"]
    gate.summary("distance_woman", df["distance"], levels=[0, 0.25, 0.5, 0.75, 1.0])
    # mean (4.75/12) and the released cells pin the suppressed ones
    assert not gate.audit().ok
    plan = gate.repair()
    assert plan is not None


def test_survival_bands_hold_threshold_events_and_censoring():
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame(
        {
            "gender": np.repeat(["woman", "man"], n // 2),
            "months": rng.uniform(1, 48, n).round(1),
            "promoted": rng.random(n) < 0.6,
        }
    )
    gate = ReleaseGate(df)
    lt = gate.survival("km", df, duration="months", event="promoted", by="gender")
    assert set(lt["group"]) <= {"woman", "man"}
    assert (lt["events"] >= 5).all()
    assert ((lt["censored"] == 0) | (lt["censored"] >= 5)).all()
    assert (lt["time"] % 6 == 0).all()  # band ends, never an individual's time
    assert (np.diff(lt[lt["group"] == "woman"]["survival"]) <= 0).all()
    assert gate.audit().ok


def test_dominance_rules():
    assert not dominated([5, 6, 7, 8, 9])
    assert dominated([50, 45, 1, 1, 1])  # two largest hold over 90%
    assert dominated([1, 1, 1, 1, 1], floor=1)  # all at the floor
    assert not dominated([2, 3, 4, 2, 3], floor=1)


def test_frames_must_come_from_the_microdata_and_names_are_unique():
    df = pd.DataFrame({"g": ["a"] * 10})
    gate = ReleaseGate(df)
    other = pd.DataFrame({"g": ["a"]}, index=[99])
    with pytest.raises(AnalysisError, match="not in its microdata"):
        gate.table("t", other, "g", "g")
    gate.table("t", df, "g", "g")
    with pytest.raises(AnalysisError, match="already has an output named 't'"):
        gate.table("t", df, "g", "g")
    with pytest.raises(AnalysisError, match="needs a DataFrame"):
        ReleaseGate([1, 2])  # type: ignore[arg-type]


def test_plans_compare_by_content():
    a = G.GatePlan(suppress={"t": np.array([[True, False]])}, withhold={"s"})
    b = a.copy()
    assert a.same_as(b)
    b.publish["t"] = np.array([[False, True]])
    assert not a.same_as(b)
    assert G.GatePlan(suppress={"t": np.zeros((1, 2), bool)}).same_as(G.GatePlan())


def test_repair_leaves_the_gate_as_built():
    # the audit after a repair describes the release as built, not the repaired one
    gate, _ = build(mentored_only())
    before = gate.audit().cells
    assert gate.repair() is not None
    pd.testing.assert_frame_equal(gate.audit().cells, before)


def test_a_plan_that_only_publishes_more_is_recognised():
    cells = np.zeros((3, 3), dtype=bool)
    one, two = cells.copy(), cells.copy()
    one[0, 0] = True
    two[0, 0] = two[1, 1] = True
    base = G.GatePlan({"t": one}, {"s"}, {"t": one})
    assert G.GatePlan({"t": one}, {"s"}, {"t": two}).only_publishes_more_than(base)
    assert not G.GatePlan({"t": two}, {"s"}, {"t": two}).only_publishes_more_than(base)
    assert not G.GatePlan({"t": one}, {"s", "x"}, {"t": two}).only_publishes_more_than(base)
    assert not G.GatePlan({"t": one}, {"s"}, {"t": cells}).only_publishes_more_than(base)


_LEVEL_SERIES = {
    "categorical, an unused category": lambda v: pd.Series(
        pd.Categorical(np.array(["b", "a", "c"])[v % 3], categories=["c", "a", "z", "b"])
    ),
    "bool": lambda v: pd.Series(v % 2 == 0),
    "nullable boolean": lambda v: pd.Series(
        pd.array([None if x % 3 == 0 else bool(x % 2) for x in v], dtype="boolean")
    ),
    "nullable integer": lambda v: pd.Series(
        pd.array([None if x == 4 else int(x) for x in v], dtype="Int64")
    ),
    "string with missing": lambda v: pd.Series(
        pd.array([None if x == 0 else f"s{x}" for x in v], dtype="string")
    ),
    "object of mixed types": lambda v: pd.Series(
        [None if x == 0 else ("x" if x % 2 else x) for x in v], dtype=object
    ),
}


@pytest.mark.parametrize("kind", sorted(_LEVEL_SERIES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_table_levels_are_in_order_and_give_back_every_value(kind, seed):
    """A released table's rows: the levels present (categories' order, else sorted, a
    'missing' level last) and each person's code pointing at their own value."""
    v = np.random.default_rng(seed).integers(0, 5, size=int(20 + seed))
    s = _LEVEL_SERIES[kind](v)
    frame = pd.DataFrame({"r": s, "c": np.zeros(len(s), dtype=int)})
    rows, _, grid, codes = ReleaseGate(frame)._grid(frame, "r", "c")
    levels = list(rows)
    present = [x for x in s.tolist() if not pd.isna(x)]
    if isinstance(s.dtype, pd.CategoricalDtype):
        expected = [c for c in s.cat.categories if c in set(present)]
    else:
        try:
            expected = sorted(set(present))
        except TypeError:
            expected = sorted(set(present), key=str)
    assert levels[: len(expected)] == expected
    assert levels[len(expected) :] == (["missing"] if s.isna().any() else [])
    back = [levels[k] for k in codes]
    assert back == ["missing" if pd.isna(x) else x for x in s.tolist()]
    assert grid[:-1, 0].tolist() == [back.count(level) for level in levels]


def test_the_audit_gives_the_same_ranges_without_highspy(monkeypatch):
    """Without highspy each bound is solved by scipy's linprog from the same sparse
    programme: the same ranges, the same repair."""
    import sys

    gate, _ = build(mentored_only())
    with_highs = gate.audit().cells
    plan = gate.repair()
    monkeypatch.setitem(sys.modules, "highspy", None)  # import highspy now fails
    gate_s, _ = build(mentored_only())
    assert gate_s.audit().cells.equals(with_highs)
    plan_s = gate_s.repair()
    assert plan is not None and plan_s is not None and plan_s.same_as(plan)
