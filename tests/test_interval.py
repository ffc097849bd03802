"""Tests of mentoranalytics.stats.interval (interval-censored time to promotion).

References:
* R survival 3.5 ``survfit(Surv(left, right, type = "interval2") ~ g)`` (Turnbull) and
  ``survreg(..., dist = "weibull")`` on the breast cosmesis data (Finkelstein & Wolfe
  1985) and simulated wave data: ``tests/results/interval_turnbull.R`` / ``.json`` and
  ``interval_survreg.R`` / ``.json``;
* the NPMLE's self-consistency (Kuhn-Tucker) conditions, written out here with loops;
* for exact and right-censored times the Turnbull estimate is the Kaplan-Meier estimate
  (``kaplan_meier``, itself checked against R);
* Finkelstein's score test against a brute-force computation in this file (plain-loop
  likelihood, numerical derivatives);
* a simulation with known true promotion times observed only at waves.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError, ColumnError
from mentoranalytics.stats.interval import (
    interval_model,
    interval_survival,
    interval_test,
    promotion_intervals,
)
from mentoranalytics.stats.survival import kaplan_meier

RESULTS = Path(__file__).parent / "results"
WAVES = np.array([6.0, 12.0, 24.0, 36.0, 60.0])

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.exceptions.SmallSampleWarning")


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


def _frame(data: dict, group: str) -> pd.DataFrame:
    right = np.asarray(data["right"], dtype=float)
    right = np.where((right == 100) | (right == -1), np.inf, right)  # R's stand-ins for inf
    return pd.DataFrame({"left": np.asarray(data["left"], float), "right": right, "g": data[group]})


def _waves_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "participant_id": ["a", "a", "a", "a", "b", "b", "c", "c", "d", "e"],
            "months": [6, 12, 24, 36, 12, 6, 6, 12, 6, 6],
            "responded": [True, False, True, True, True, True, True, True, False, True],
            "promoted": [False, None, True, False, True, False, True, True, None, None],
        }
    )


# --------------------------------------------------------------------------------------
# promotion_intervals
# --------------------------------------------------------------------------------------


def test_promotion_intervals_rules():
    waves = _waves_frame()
    before = waves.copy()
    out = promotion_intervals(waves)
    pd.testing.assert_frame_equal(waves, before)
    assert list(out.columns) == ["participant_id", "left", "right", "waves_responded"]
    got = out.set_index("participant_id")
    # a: skipped wave 12 -> (6, 24]; the later 'False' does not undo the first promotion
    assert got.loc["a", ["left", "right"]].tolist() == [6.0, 24.0]
    assert got.loc["a", "waves_responded"] == 3
    # b: rows out of order in the file are sorted
    assert got.loc["b", ["left", "right"]].tolist() == [6.0, 12.0]
    # c: promoted at the first answered wave -> (0, 6]
    assert got.loc["c", ["left", "right"]].tolist() == [0.0, 6.0]
    # d answered nothing, e answered without saying whether promoted: left out, counted
    assert set(got.index) == {"a", "b", "c"}
    assert out.attrs["excluded"] == {
        "no responded wave": 1,
        "no responded wave says whether promoted": 1,
    }


def test_promotion_intervals_right_censored_and_derived_response():
    waves = pd.DataFrame(
        {
            "participant_id": ["x", "x", "x", "y"],
            "months": [6.0, 12.0, 24.0, 6.0],
            "promoted": [False, False, None, False],
            "career_satisfaction": [3, 4, None, 2],
        }
    )
    out = promotion_intervals(waves).set_index("participant_id")
    # no responded column: the row with every outcome empty did not respond
    assert out.loc["x", ["left", "right", "waves_responded"]].tolist() == [12.0, np.inf, 2]
    assert out.loc["y", "right"] == np.inf


def test_promotion_intervals_matches_a_plain_loop():
    rng = np.random.default_rng(5)
    n = 150
    pid = np.repeat([f"P{i:03d}" for i in range(n)], WAVES.size)
    months = np.tile(WAVES, n)
    responded = rng.random(pid.size) < 0.7
    promoted = np.where(rng.random(pid.size) < 0.3, True, False).astype(object)
    promoted[~responded] = None
    promoted[responded & (rng.random(pid.size) < 0.1)] = None  # answered, promotion left empty
    waves = pd.DataFrame(
        {"participant_id": pid, "months": months, "responded": responded, "promoted": promoted}
    ).sample(frac=1.0, random_state=1)  # file order shuffled
    out = promotion_intervals(waves).set_index("participant_id")
    expected = {}
    for person, rows in waves.sort_values("months").groupby("participant_id"):
        # 'promoted' covers the time since the previous answered wave: an answered wave
        # that leaves it empty ends the run of known "no"s from the start
        lo, hi, run, said = 0.0, np.inf, True, False
        for m, r, p in zip(rows["months"], rows["responded"], rows["promoted"], strict=True):
            if not r:
                continue
            if p is None:
                run = False
                continue
            said = True
            if p:
                hi = m
                break
            if run:
                lo = m
        if not said or (lo == 0 and hi == np.inf and not run):
            continue
        expected[person] = (lo, hi)
    assert set(out.index) == set(expected)
    for person, (lo, hi) in expected.items():
        assert (out.loc[person, "left"], out.loc[person, "right"]) == (lo, hi)


def test_promotion_intervals_from_a_cohort_with_include():
    table = pd.DataFrame(
        {"participant_id": list("abcde"), "gender": ["woman", "man", "man", "woman", "man"]}
    )
    cohort = SimpleNamespace(data=table, waves=_waves_frame())
    out = promotion_intervals(cohort, include=["gender"])
    assert out["gender"].tolist() == ["woman", "man", "man"]
    with pytest.raises(AnalysisError, match="needs follow-up waves"):
        promotion_intervals(SimpleNamespace(data=table, waves=None))
    with pytest.raises(AnalysisError, match="needs a Cohort"):
        promotion_intervals(_waves_frame(), include=["gender"])


def test_promotion_intervals_errors_name_rows():
    waves = _waves_frame()
    dup = pd.concat([waves, waves.iloc[[0]]], ignore_index=True)
    with pytest.raises(
        AnalysisError, match=r"row 10, column participant_id \[duplicate_wave_identical\]"
    ):
        promotion_intervals(dup)
    bad = waves.assign(months=waves["months"].where(waves.index != 3, -1))
    with pytest.raises(AnalysisError, match=r"row 3, column months \[out_of_range\]"):
        promotion_intervals(bad)
    with pytest.raises(ColumnError, match="'promoted'"):
        promotion_intervals(waves.drop(columns="promoted"))
    with pytest.raises(AnalysisError, match=r"\[invalid_boolean\]: .* not a yes/no value"):
        promotion_intervals(waves.assign(promoted="maybe"))
    # a row says promoted although the participant did not respond: the loader's rule
    silent = waves.assign(responded=waves["responded"].where(waves.index != 0, False))
    with pytest.raises(AnalysisError, match=r"row 0, column responded \[answer_without_response\]"):
        promotion_intervals(silent)


# --------------------------------------------------------------------------------------
# Turnbull estimate
# --------------------------------------------------------------------------------------


def _r_midpoint_curve(fit, group, times):
    """Our curve with each drop at the middle of its Turnbull interval (R's drawing)."""
    part = fit.fits[group]
    mid = (part.lo + part.hi) / 2  # inf for the last interval of people never seen promoted
    return np.array([1.0 - part.mass[mid <= t].sum() for t in times])


@pytest.mark.parametrize("name", ["cosmesis", "simulated"])
def test_turnbull_matches_r(name):
    ref = _load("interval_turnbull.json")[name]
    group = "trt" if name == "cosmesis" else "group"
    df = _frame(ref["data"], group)
    fit = interval_survival(df, by="g", n_resamples=0)
    r = pd.DataFrame(ref["fit"])
    for g in fit.groups:
        rows = r[r["group"] == str(g)]
        ours = _r_midpoint_curve(fit, g, rows["time"].to_numpy())
        # R stops at a change below 5e-5 in the curve
        np.testing.assert_allclose(ours, rows["surv"].to_numpy(), atol=1e-3)
    assert fit.summary["n"].sum() == len(df)


def _kuhn_tucker(left, right, table):
    """Self-consistency of the NPMLE: sum_i alpha_ij / P_i <= n, equal where p_j > 0."""
    lo, hi, p = (table[c].to_numpy() for c in ("left", "right", "probability"))
    d = np.zeros(p.size)
    for a, b in zip(left, right, strict=True):
        if a == b:
            inside = (lo == a) & (hi == a)
        else:
            inside = (lo >= a) & (hi <= b) & ~((lo == hi) & (lo == a))
        d += inside / p[inside].sum()
    return d, p


@pytest.mark.parametrize("name", ["cosmesis", "simulated"])
def test_turnbull_is_the_npmle(name):
    ref = _load("interval_turnbull.json")[name]
    df = _frame(ref["data"], "trt" if name == "cosmesis" else "group")
    fit = interval_survival(df, by="g", n_resamples=0)
    for g in fit.groups:
        sub = df[df["g"] == g]
        table = fit.table[fit.table["group"] == g]
        d, p = _kuhn_tucker(sub["left"].to_numpy(), sub["right"].to_numpy(), table)
        n = len(sub)
        assert np.all(d <= n * (1 + 1e-6))
        np.testing.assert_allclose(d[p > 1e-6], n, rtol=1e-6)
        assert abs(p.sum() - 1) < 1e-12


def test_exact_and_right_censored_times_give_kaplan_meier():
    rng = np.random.default_rng(11)
    n = 60
    time = np.round(rng.exponential(20, n), 1)
    promoted = rng.random(n) < 0.7
    df = pd.DataFrame(
        {
            "left": time,
            "right": np.where(promoted, time, np.inf),
            "gender": np.where(np.arange(n) % 3 == 0, "man", "woman"),
        }
    )
    fit = interval_survival(df, n_resamples=0)
    km = kaplan_meier(
        pd.DataFrame(
            {
                "gender": df["gender"],
                "promoted": promoted,
                "months_to_promotion": np.where(promoted, time, np.nan),
                "followup_months": time,
            }
        )
    )
    grid = np.unique(time)
    curve = fit.at(grid)
    for g in ("woman", "man"):
        steps = km.table[km.table["group"] == g]
        expected = [steps.loc[steps["time"] <= t, "survival"].iloc[-1] for t in grid]
        rows = curve[curve["group"] == g]
        # beyond the last follow-up of someone never promoted the curve is not determined
        last = df.loc[df["gender"] == g, "left"].max()
        assert (rows["determined"] == (grid <= last)).all()
        got = rows["survival"].to_numpy()
        np.testing.assert_allclose(got[grid <= last], np.array(expected)[grid <= last], atol=1e-8)
        assert np.isnan(got[grid > last]).all()
    assert (fit.summary["exact"] == [int(promoted[df.gender == g].sum()) for g in fit.groups]).all()


def test_curve_table_intervals_and_determinacy():
    df = pd.DataFrame({"left": [0, 6, 6, 12, 6], "right": [6, 12, np.inf, 24, 12]})
    before = df.copy()
    fit = interval_survival(df, by=None, n_resamples=300, rng=3)
    pd.testing.assert_frame_equal(df, before)
    curve = fit.at([0, 6, 9, 12, 30])
    assert list(curve.columns) == [
        "group",
        "time",
        "survival",
        "ci_low",
        "ci_high",
        "n_at_risk",
        "determined",
    ]
    assert curve["determined"].tolist() == [True, True, False, True, True]
    assert curve["n_at_risk"].tolist() == [5, 4, 1, 1, 0]
    s = curve["survival"].to_numpy()
    assert s[0] == 1.0 and s[4] == pytest.approx(0.0)
    assert s[2] == pytest.approx((s[1] + s[3]) / 2)  # linear inside (6, 12]
    assert np.isnan(fit.at([9], within="nan")["survival"].iloc[0])
    assert (curve["ci_low"] <= curve["survival"] + 1e-12).all()
    assert (curve["survival"] <= curve["ci_high"] + 1e-12).all()
    # the same seed gives the same intervals; another seed other ones
    again = interval_survival(df, by=None, n_resamples=300, rng=3).at([0, 6, 9, 12, 30])
    pd.testing.assert_frame_equal(curve, again)
    assert fit.rng == 3 and "seed 3" in fit.method
    with pytest.raises(AnalysisError, match="within must be"):
        fit.at([6], within="step")
    with pytest.raises(AnalysisError, match="times must be"):
        fit.at([-1])


def _simulate(n: int, seed: int):
    """Waves with known truth: Weibull promotion times, each wave answered with p = 0.6."""
    rng = np.random.default_rng(seed)
    gender = np.where(np.arange(n) % 2 == 0, "woman", "man")
    scale = np.where(gender == "woman", 40.0, 28.0)
    t = scale * rng.weibull(1.4, n)
    pid = np.array([f"P{i:05d}" for i in range(n)])
    answered = (rng.random((n, WAVES.size)) < 0.6).ravel()
    promoted_by = np.repeat(t, WAVES.size) <= np.tile(WAVES, n)
    waves = pd.DataFrame(
        {
            "participant_id": np.repeat(pid, WAVES.size),
            "months": np.tile(WAVES, n),
            "responded": answered,
            "promoted": np.where(answered, promoted_by, None),
        }
    )
    return SimpleNamespace(
        data=pd.DataFrame({"participant_id": pid, "gender": gender}), waves=waves
    )


def test_turnbull_covers_the_truth_where_wave_dates_as_exact_times_are_biased():
    cohort = _simulate(1600, seed=0)
    fit = interval_survival(cohort, rng=0)
    curve = fit.at(WAVES)
    shape, scales = 1.4, curve["group"].map({"woman": 40.0, "man": 28.0})
    true = np.exp(-((curve["time"] / scales) ** shape)).to_numpy()
    covered = (curve["ci_low"] <= true) & (true <= curve["ci_high"])
    assert covered.sum() >= 9  # of 10 pointwise 95% intervals
    assert np.abs(curve["survival"] - true).max() < 0.05
    # wave dates as exact promotion times (Kaplan-Meier on the right ends)
    iv = promotion_intervals(cohort, include=["gender"])
    seen = np.isfinite(iv["right"])
    km = kaplan_meier(
        pd.DataFrame(
            {
                "gender": iv["gender"],
                "promoted": seen,
                "months_to_promotion": iv["right"].where(seen),
                "followup_months": iv["left"],
            }
        )
    )
    at24 = curve["time"] == 24
    for g, s_true in zip(curve.loc[at24, "group"], true[at24.to_numpy()], strict=True):
        steps = km.table[(km.table["group"] == g) & (km.table["time"] <= 24)].iloc[-1]
        assert steps["survival"] - s_true > 0.08  # too few promoted by 24 months
        assert steps["ci_low"] > s_true  # and its interval misses the truth


# --------------------------------------------------------------------------------------
# Test between groups
# --------------------------------------------------------------------------------------


def _slow_score_statistic(left, right, z):
    """Finkelstein's score test by brute force: a plain-loop likelihood of the grouped
    proportional-hazards model, differentiated numerically at beta = 0."""
    pooled = interval_survival(
        pd.DataFrame({"left": left, "right": right}), by=None, n_resamples=0
    ).table
    pooled = pooled[pooled["probability"] > 1e-9]
    ends = pooled["right"].to_numpy()
    s_after = pooled["survival"].to_numpy()
    s_before = np.r_[1.0, s_after[:-1]]
    free = s_after > 1e-12
    gamma0 = np.log(-np.log(s_after[free] / s_before[free]))
    ends_free = ends[free]
    terminal = ends[~free].min() if (~free).any() else np.inf

    def surv(t, lam):
        if t >= terminal:
            return 0.0
        return np.exp(-sum(value for e, value in zip(ends_free, lam, strict=True) if e <= t))

    def loglik(par):
        lam = np.exp(par[1:])
        total = 0.0
        for lo, hi, zi in zip(left, right, z, strict=True):
            theta = np.exp(par[0] * zi)
            upper = 0.0 if not np.isfinite(hi) else surv(hi, lam) ** theta
            total += np.log(surv(lo, lam) ** theta - upper)
        return total

    x0 = np.r_[0.0, gamma0]
    k, h = x0.size, 1e-4
    grad, hess = np.zeros(k), np.zeros((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        grad[i] = (loglik(x0 + e) - loglik(x0 - e)) / (2 * h)
        for j in range(i, k):
            f = np.zeros(k)
            f[j] = h
            hess[i, j] = hess[j, i] = (
                loglik(x0 + e + f) - loglik(x0 + e - f) - loglik(x0 - e + f) + loglik(x0 - e - f)
            ) / (4 * h * h)
    return grad[0] ** 2 * np.linalg.inv(-hess)[0, 0], grad[0]


def test_score_test_matches_a_brute_force_computation():
    ref = _load("interval_turnbull.json")["cosmesis"]
    df = _frame(ref["data"], "trt")
    res = interval_test(df, by="g")
    stat, score = _slow_score_statistic(df["left"], df["right"], df["g"])
    assert res.statistic == pytest.approx(stat, rel=1e-5)
    assert res.groups.loc[1, "score"] == pytest.approx(score, rel=1e-6)
    assert res.df == 1.0 and res.p_value == pytest.approx(stats.chi2.sf(stat, 1), rel=1e-4)
    assert list(res.test.columns) == ["statistic", "df", "p_value", "method"]
    # chemotherapy added: earlier deterioration, a positive score sum
    assert res.groups.loc[1, "score"] > 0 > res.groups.loc[0, "score"]
    assert res.p_value < 0.01


def test_permutation_test_and_k_groups():
    ref = _load("interval_turnbull.json")["cosmesis"]
    df = _frame(ref["data"], "trt")
    before = df.copy()
    perm = interval_test(df, by="g", method="permutation", n_resamples=2000, rng=1)
    pd.testing.assert_frame_equal(df, before)
    assert perm.groups["score"].sum() == pytest.approx(0.0, abs=1e-8)
    assert 0.002 < perm.p_value < 0.02
    assert (
        perm.p_value
        == interval_test(df, by="g", method="permutation", n_resamples=2000, rng=1).p_value
    )
    assert perm.n_resamples == 2000 and perm.rng == 1
    # three groups: k - 1 df, and the reference does not change the statistic
    three = df.assign(g=np.where(np.arange(len(df)) % 3 == 0, "c", df["g"].astype(str)))
    a = interval_test(three, by="g")
    b = interval_test(three, by="g", reference="1")
    assert a.df == 2.0 and a.statistic == pytest.approx(b.statistic, rel=1e-6)
    assert b.reference == "1"
    wil = interval_test(three, by="g", scores="wilcoxon")
    assert np.isfinite(wil.statistic) and "Wilcoxon" in wil.method


def test_permutation_statistic_by_hand():
    from itertools import combinations

    df = pd.DataFrame(
        {
            "left": [0, 6, 6, 12, 24, 0, 0, 6, 6, 12],
            "right": [6, 12, np.inf, np.inf, np.inf, 6, 6, 12, 12, 24],
            "gender": ["woman"] * 5 + ["man"] * 5,
        }
    )
    res = interval_test(df, method="permutation", n_resamples=5000, rng=0)
    # Finkelstein's scores from the pooled curve, written out
    pooled = interval_survival(df, by=None, n_resamples=0)
    s_left = pooled.at(df["left"])["survival"].to_numpy()
    finite = np.isfinite(df["right"]).to_numpy()
    s_right = np.zeros(len(df))
    s_right[finite] = pooled.at(df["right"][finite])["survival"].to_numpy()

    def xlogx(v):
        return np.array([x * np.log(x) if x > 0 else 0.0 for x in v])

    c = (xlogx(s_left) - xlogx(s_right)) / (s_left - s_right)
    woman = (df["gender"] == "woman").to_numpy()
    var = c.var(ddof=1) * (5 - 25 / 10)
    stat = c[woman].sum() ** 2 / var
    assert res.statistic == pytest.approx(stat, rel=1e-9)
    assert res.groups.loc["woman", "score"] == pytest.approx(c[woman].sum(), rel=1e-9)
    assert res.groups.loc["woman", "score"] < 0  # women promoted later
    # exact permutation p-value over all 252 splits; Monte Carlo within its error
    splits = [
        c[list(chosen)].sum() ** 2 / var >= stat - 1e-9 for chosen in combinations(range(10), 5)
    ]
    exact = np.mean(splits)
    assert abs(res.p_value - exact) < 4 * np.sqrt(exact * (1 - exact) / 5000) + 1e-3


def test_test_errors():
    df = pd.DataFrame({"left": [0, 6], "right": [6, 12], "gender": ["man", "man"]})
    with pytest.raises(AnalysisError, match="only one group"):
        interval_test(df)
    with pytest.raises(AnalysisError, match="method must be one of"):
        interval_test(df, method="exact")
    with pytest.raises(AnalysisError, match="scores must be one of"):
        interval_test(df, scores="peto")


# --------------------------------------------------------------------------------------
# Weibull model
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cosmesis", "simulated"])
def test_weibull_model_matches_survreg(name):
    ref = _load("interval_survreg.json")[name]
    data = ref["data"]
    right = np.asarray(data["right"], float)
    df = pd.DataFrame({"left": data["left"], "right": np.where(right < 0, np.inf, right)})
    df.loc[df["right"] == 100, "right"] = np.inf
    if name == "cosmesis":
        df["trt"] = data["trt"]
        res = interval_model(df, "trt")
        order = [0, 1, 2]
    else:
        df["group"] = data["group"]
        df["x"] = data["x"]
        res = interval_model(df, ["group", "x"], reference={"group": "low"})
        # ours: (Intercept), group[high], group[mid], x, Log(scale); R: mid before high
        order = [0, 2, 1, 3, 4]
    fit = ref["fit"]
    params = res.parameters
    np.testing.assert_allclose(params["coef"].to_numpy()[order], fit["coef"], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(params["std_error"].to_numpy()[order], fit["std_error"], rtol=1e-4)
    assert res.loglik == pytest.approx(fit["loglik"][1], abs=1e-6)
    assert res.loglik_null == pytest.approx(fit["loglik"][0], abs=1e-6)
    assert res.scale == pytest.approx(fit["scale"], rel=1e-6)
    hr = res.table[res.table["measure"] == "hazard_ratio"]
    coef = params["coef"].to_numpy()[1:-1]
    np.testing.assert_allclose(hr["estimate"], np.exp(-coef / res.scale), rtol=1e-10)
    tr = res.table[res.table["measure"] == "time_ratio"]
    np.testing.assert_allclose(tr["estimate"], np.exp(coef), rtol=1e-10)
    assert (res.table["ci_low"] < res.table["estimate"]).all()
    assert (res.table["estimate"] < res.table["ci_high"]).all()


def test_weibull_model_reference_and_errors():
    df = pd.DataFrame(
        {
            "gender": ["woman", "man"] * 6,
            "left": [6, 0, 12, 6, 24, 6, 12, 0, 24, 12, 6, 6],
            "right": [12, 6, 24, 12, np.inf, 12, np.inf, 6, np.inf, 24, 12, 24],
        }
    )
    before = df.copy()
    res = interval_model(df, "gender")
    pd.testing.assert_frame_equal(df, before)
    assert res.references == {"gender": "man"}
    assert res.table["term"].tolist() == ["gender[woman]", "gender[woman]"]
    flipped = interval_model(df, "gender", reference="woman")
    hr = res.table.loc[0, "estimate"]
    assert flipped.table.loc[0, "estimate"] == pytest.approx(1 / hr, rel=1e-6)
    with pytest.raises(AnalysisError, match="exact promotion time of 0"):
        interval_model(df.assign(right=df["right"].where(df.index != 1, 0.0)), "gender")
    with pytest.raises(AnalysisError, match="dist must be"):
        interval_model(df, "gender", dist="lognormal")


# --------------------------------------------------------------------------------------
# Input, errors, exports
# --------------------------------------------------------------------------------------


def test_bad_intervals_are_named_by_row():
    df = pd.DataFrame({"left": [0, 12, 6], "right": [6, 6, np.nan], "gender": ["man"] * 3})
    with pytest.raises(AnalysisError, match=r"end before they start \(rows 1\)"):
        interval_survival(df)
    ok = interval_survival(df.drop(index=1), n_resamples=0)
    assert ok.excluded == {"'right' missing (use inf for someone not seen promoted)": 1}
    with pytest.raises(ColumnError, match="'gender'"):
        interval_survival(df.drop(columns="gender"))
    with pytest.raises(AnalysisError, match="follow-up waves"):
        interval_survival(_waves_frame())
    with pytest.raises(AnalysisError, match="n_resamples"):
        interval_survival(df.drop(index=1), n_resamples=-1)


def test_cohort_input_and_exports():
    cohort = _simulate(200, seed=3)
    fit = ma.interval_survival(cohort, n_resamples=50)
    assert fit.groups == ("woman", "man")
    assert ma.promotion_intervals is promotion_intervals
    assert ma.interval_test(cohort).df == 1.0
    assert ma.interval_model(cohort, "gender").references == {"gender": "man"}
    text = fit.to_markdown()
    assert "Turnbull" in text and "intervals" in text
    assert "<table" in fit._repr_html_()
    assert list(fit.to_frame().columns) == [
        "group",
        "left",
        "right",
        "probability",
        "survival",
        "ci_low",
        "ci_high",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        interval_survival(cohort, n_resamples=10)  # groups of 100: no small-sample warning


def test_bootstrap_of_a_small_group_gives_finite_intervals():
    # 17 people (a report's 40-person cohort): a SQUAREM jump in some resample once emptied
    # every interval of a pattern (0/0), and every interval of the curve came back NaN
    pairs = [(60, np.inf)] * 6 + [(24, np.inf)] * 2
    pairs += [(24, 36), (0, 6), (36, np.inf), (36, 60), (12, 24), (6, 12), (6, np.inf)]
    pairs += [(12, np.inf), (6, 24)]
    data = pd.DataFrame(pairs, columns=["left", "right"]).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.simplefilter("ignore", ma.SmallSampleWarning)
        curve = ma.interval_survival(data, by=None, rng=0).at([6, 12, 24, 36, 60])
    assert np.isfinite(curve[["ci_low", "ci_high"]].to_numpy()).all()
    assert (curve["ci_low"] <= curve["survival"] + 1e-12).all()
    assert (curve["survival"] <= curve["ci_high"] + 1e-12).all()
