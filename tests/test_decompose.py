"""Tests for stats.decompose (Kitagawa decomposition of a gap in rates).

References are computed independently in this file: Kitagawa's (1955) symmetric
two-factor formulas evaluated in exact rational arithmetic (fractions.Fraction) from
cell counts typed by hand, and a plain-loop stratified bootstrap for the intervals.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError, ColumnError
from mentoranalytics.stats.decompose import DecompositionResult, decompose_gap, kitagawa


def frame_from_cells(
    cells: dict[tuple[str, str], tuple[int, int]], via: str = "route"
) -> pd.DataFrame:
    """One row per person from {(group, level): (n, events)}."""
    rows = []
    for (group, level), (n, k) in cells.items():
        rows += [(group, level, True)] * k + [(group, level, False)] * (n - k)
    return pd.DataFrame(rows, columns=["gender", via, "promoted"])


# three levels, uneven groups: counts chosen by hand
CELLS = {
    ("woman", "safe"): (20, 4),
    ("woman", "warm"): (9, 3),
    ("woman", "bold"): (3, 2),
    ("man", "safe"): (10, 3),
    ("man", "warm"): (12, 5),
    ("man", "bold"): (14, 10),
}


def kitagawa_fractions(cells: dict, a: str, b: str, levels: list[str]) -> tuple[Fraction, ...]:
    n_a = sum(cells[a, v][0] for v in levels)
    n_b = sum(cells[b, v][0] for v in levels)
    gap = Fraction(sum(cells[a, v][1] for v in levels), n_a) - Fraction(
        sum(cells[b, v][1] for v in levels), n_b
    )
    comp = Fraction(0)
    ret = Fraction(0)
    for v in levels:
        pa, pb = Fraction(cells[a, v][0], n_a), Fraction(cells[b, v][0], n_b)
        ra, rb = Fraction(cells[a, v][1], cells[a, v][0]), Fraction(cells[b, v][1], cells[b, v][0])
        comp += (pa - pb) * (ra + rb) / 2
        ret += (ra - rb) * (pa + pb) / 2
    return gap, comp, ret


def test_hand_computed_three_level_example() -> None:
    df = frame_from_cells(CELLS)
    res = decompose_gap(df, "promoted", via="route", n_boot=200, rng=1)
    gap, comp, ret = kitagawa_fractions(CELLS, "woman", "man", ["safe", "warm", "bold"])
    assert gap == comp + ret  # Kitagawa's identity, exactly
    assert res.groups == ("woman", "man") and (res.group, res.reference) == ("woman", "man")
    assert res.table.loc["gap", "estimate"] == pytest.approx(float(gap), abs=1e-15)
    assert res.table.loc["composition", "estimate"] == pytest.approx(float(comp), abs=1e-15)
    assert res.table.loc["returns", "estimate"] == pytest.approx(float(ret), abs=1e-15)
    cells = res.cells.set_index(["group", "level"])
    assert cells.loc[("woman", "bold"), "n"] == 3
    assert cells.loc[("man", "warm"), "rate"] == pytest.approx(5 / 12)
    assert cells.loc[("woman", "safe"), "share"] == pytest.approx(20 / 32)
    assert list(res.cells.columns) == ["group", "level", "n", "events", "rate", "share"]


def test_parts_add_up_exactly_on_random_data(rng: np.random.Generator) -> None:
    n = 257
    df = pd.DataFrame(
        {
            "gender": rng.choice(["woman", "man", "non_binary"], n, p=[0.45, 0.45, 0.1]),
            "bold_choice": rng.random(n) < 0.35,
            "promoted": rng.random(n) < 0.3,
        }
    )
    res = decompose_gap(df, "promoted", n_boot=300, rng=2)
    t = res.table["estimate"]
    assert t["gap"] == pytest.approx(t["composition"] + t["returns"], abs=1e-15)
    a, b = res.groups
    direct = df[df.gender == a].promoted.mean() - df[df.gender == b].promoted.mean()
    assert t["gap"] == pytest.approx(direct, abs=1e-15)
    assert any("not part of this comparison" in n for n in res.notes)
    assert res.n == int(df.gender.isin([a, b]).sum())


def test_kitagawa_function_vectorised() -> None:
    g = np.random.default_rng(0)
    sa = g.dirichlet(np.ones(4), size=10)
    sb = g.dirichlet(np.ones(4), size=10)
    ra, rb = g.random((10, 4)), g.random((10, 4))
    gap, comp, ret = kitagawa(sa, ra, sb, rb)
    np.testing.assert_allclose(gap, comp + ret, atol=1e-15)
    np.testing.assert_allclose(gap, (sa * ra).sum(1) - (sb * rb).sum(1), atol=1e-15)
    # same composition: everything is returns; same rates: everything is composition
    _, comp0, ret0 = kitagawa(sa, ra, sa, rb)
    np.testing.assert_allclose(comp0, 0, atol=1e-15)
    _, comp1, ret1 = kitagawa(sa, ra, sb, ra)
    np.testing.assert_allclose(ret1, 0, atol=1e-15)


def test_groups_argument_and_sign(rng: np.random.Generator) -> None:
    df = frame_from_cells(CELLS)
    ab = decompose_gap(df, "promoted", via="route", reference="man", n_boot=100, rng=3)
    ba = decompose_gap(df, "promoted", via="route", reference="woman", n_boot=100, rng=3)
    np.testing.assert_allclose(ab.table["estimate"], -ba.table["estimate"], atol=1e-15)
    assert "man minus woman" in ba.title and (ba.group, ba.reference) == ("man", "woman")
    named = decompose_gap(df, "promoted", via="route", group="man", n_boot=100, rng=3)
    pd.testing.assert_frame_equal(named.table, ba.table)
    with pytest.warns(DeprecationWarning, match="groups="):
        old = decompose_gap(df, "promoted", via="route", groups=("man", "woman"), n_boot=100,
                            rng=3)  # fmt: skip
    pd.testing.assert_frame_equal(old.table, ba.table)


def test_bootstrap_against_plain_loop() -> None:
    """Percentile limits agree with a straightforward stratified bootstrap."""
    df = frame_from_cells(CELLS)
    res = decompose_gap(df, "promoted", via="route", n_boot=4000, rng=5)
    g = np.random.default_rng(77)
    levels = ["safe", "warm", "bold"]
    parts: dict[str, list[float]] = {k: [] for k in ("gap", "composition", "returns")}
    groups = {}
    for name in ("woman", "man"):
        part = df[df["gender"] == name]
        codes = part["route"].map({v: i for i, v in enumerate(levels)}).to_numpy()
        groups[name] = (codes, part["promoted"].to_numpy(float))
    for _ in range(4000):
        stats_ = {}
        for name, (codes, y) in groups.items():
            pick = g.integers(0, len(codes), len(codes))  # resample within the group
            counts = np.array([np.sum(codes[pick] == i) for i in range(3)], float)
            events = np.array([np.sum(y[pick][codes[pick] == i]) for i in range(3)])
            stats_[name] = (counts, events)
        (na, ka), (nb, kb) = stats_["woman"], stats_["man"]
        parts["gap"].append(ka.sum() / na.sum() - kb.sum() / nb.sum())
        if (na > 0).all() and (nb > 0).all():
            pa, pb, ra, rb = na / na.sum(), nb / nb.sum(), ka / na, kb / nb
            parts["composition"].append(float(np.sum((pa - pb) * (ra + rb) / 2)))
            parts["returns"].append(float(np.sum((ra - rb) * (pa + pb) / 2)))
    for name, values in parts.items():
        lo, hi = np.percentile(values, [2.5, 97.5])
        # Monte Carlo error of a 2.5% quantile with 4000 draws: a few hundredths here
        assert res.table.loc[name, "ci_low"] == pytest.approx(lo, abs=0.04)
        assert res.table.loc[name, "ci_high"] == pytest.approx(hi, abs=0.04)
    share_dropped = 1 - len(parts["composition"]) / 4000
    assert res.n_boot_used / 4000 == pytest.approx(1 - share_dropped, abs=0.02)
    assert res.n_boot_used < 4000  # woman x bold has 3 people: sometimes empty
    assert any("bootstrap samples a cell" in n for n in res.notes)


def test_not_identified_when_a_cell_is_empty() -> None:
    cells = dict(CELLS)
    cells["woman", "bold"] = (0, 0)
    df = frame_from_cells(cells)
    res = decompose_gap(df, "promoted", via="route", n_boot=200, rng=1)
    assert not res.identified
    assert np.isnan(res.table.loc["composition", "estimate"])
    assert np.isnan(res.table.loc["returns", "ci_low"])
    assert np.isfinite(res.table.loc["gap", "ci_low"])
    assert any(
        "not identified" in n and "no one in 'woman' has route = bold" in n for n in res.notes
    )
    assert res.n_boot_used == 0


def test_default_groups_follow_the_convention_not_the_sizes() -> None:
    df = frame_from_cells(CELLS)
    extra = pd.DataFrame(
        {"gender": ["non_binary"] * 300, "route": ["safe"] * 300, "promoted": [True] * 300}
    )
    res = decompose_gap(
        pd.concat([extra, df], ignore_index=True), "promoted", via="route", n_boot=50
    )
    # men are the reference, women the first other group; non_binary is the largest
    assert res.groups == ("woman", "man")
    assert any("300 rows in other groups of 'gender'" in n for n in res.notes)


def test_determinism_rng_and_missing_rows() -> None:
    df = frame_from_cells(CELLS, via="bold_choice")
    df["bold_choice"] = df["bold_choice"] == "bold"
    df = df.astype({"promoted": object})
    df.loc[[0, 1, 2], "promoted"] = None
    a = decompose_gap(df, "promoted", n_boot=300, rng=9)
    b = decompose_gap(df, "promoted", n_boot=300, rng=9)
    c = decompose_gap(df, "promoted", n_boot=300, rng=10)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not a.table.equals(c.table)
    assert a.rng == 9 and decompose_gap(df, "promoted", n_boot=10).rng == 0
    assert any("3 of 68 rows were left out" in n for n in a.notes)
    assert list(a.cells["level"]) == [False, True, False, True]


def test_input_unchanged_rendering_and_public_name() -> None:
    df = frame_from_cells(CELLS)
    before = df.copy()
    res = decompose_gap(df, "promoted", via="route", n_boot=100)
    pd.testing.assert_frame_equal(df, before)
    assert isinstance(res, DecompositionResult)
    assert list(res.table.index) == ["gap", "composition", "returns"]
    assert list(res.table.columns) == ["estimate", "ci_low", "ci_high"]
    assert "Kitagawa" in res.to_markdown() and "<table" in res._repr_html_()
    assert ma.decompose_gap is decompose_gap


def test_errors() -> None:
    df = frame_from_cells(CELLS)
    with pytest.raises(AnalysisError, match="three different columns"):
        decompose_gap(df, "promoted", by="gender", via="gender")
    with pytest.raises(AnalysisError, match="n_boot must be a whole number"):
        decompose_gap(df, "promoted", via="route", n_boot=0)
    with pytest.raises(AnalysisError, match="alpha must be between 0 and 1"):
        decompose_gap(df, "promoted", via="route", alpha=1.5)
    with pytest.raises(ColumnError, match="'bold_choice' not found"):
        decompose_gap(df, "promoted")
    with pytest.raises(AnalysisError, match="must be yes/no"):
        decompose_gap(df.assign(score=np.arange(len(df)) % 5 + 0.5), "score", via="route")
    with pytest.raises(AnalysisError, match="a gap needs two"):
        decompose_gap(df.assign(gender="woman"), "promoted", via="route")
    with pytest.raises(AnalysisError, match="two different groups"):
        decompose_gap(df, "promoted", via="route", group="woman", reference="woman")
    with pytest.raises(AnalysisError, match="'non_binary' is not a group of 'gender' with data"):
        decompose_gap(df, "promoted", via="route", reference="non_binary")
    with (
        pytest.raises(AnalysisError, match="groups must be two different values"),
        pytest.warns(DeprecationWarning),
    ):
        decompose_gap(df, "promoted", via="route", groups=("woman",))
    with pytest.raises(AnalysisError, match="nothing to decompose"):
        decompose_gap(df.assign(route="safe"), "promoted", via="route")
    with pytest.raises(AnalysisError, match="numeric values"):
        decompose_gap(df.assign(route=np.arange(len(df)) * 0.5), "promoted", via="route")


@pytest.mark.slow
def test_large_groups_draw_multinomial_counts() -> None:
    # Groups above 20,000 rows: resample counts drawn from their multinomial
    # distribution.  Reference: the large-sample (Wald) interval of the gap in two
    # independent proportions, which the bootstrap percentile interval approaches.
    cells = {
        ("woman", "safe"): (18_000, 3_600),
        ("woman", "bold"): (7_000, 2_450),
        ("man", "safe"): (16_000, 3_520),
        ("man", "bold"): (9_000, 3_420),
    }
    df = frame_from_cells(cells)
    res = decompose_gap(
        df, "promoted", by="gender", via="route", reference="man", n_boot=4000, rng=3
    )
    assert any("multinomial" in n for n in res.notes)
    pa, pb = Fraction(6_050, 25_000), Fraction(6_940, 25_000)
    se = float((pa * (1 - pa) / 25_000 + pb * (1 - pb) / 25_000) ** 0.5)
    gap = float(pa - pb)
    row = res.table.loc["gap"]
    assert row["estimate"] == pytest.approx(gap, abs=1e-12)
    # percentile limits of 4,000 resamples: Monte Carlo error about 0.04 SE
    assert row["ci_low"] == pytest.approx(gap - 1.959964 * se, abs=0.15 * se)
    assert row["ci_high"] == pytest.approx(gap + 1.959964 * se, abs=0.15 * se)
    # composition + returns = gap within every resample, so the parts' intervals
    # must straddle their estimates
    for part in ("composition", "returns"):
        r = res.table.loc[part]
        assert r["ci_low"] < r["estimate"] < r["ci_high"]
