"""Tests of mentoranalytics.stats.survival.

References: R survival outputs for the AML data (therneau/survival tests/doaml.Rout.save),
R survival values stored in statsmodels' test suite (7 significant digits), and
from-scratch computations of the Kaplan–Meier estimate, Greenwood's variance, the
interval transforms of R's ``survfit`` and the log-rank statistic written out in this
file with plain loops (independent of statsmodels and of the code under test).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from mentoranalytics.exceptions import AnalysisError, ColumnError, SmallSampleWarning
from mentoranalytics.stats.survival import (
    cox_model,
    kaplan_meier,
    logrank_test,
    time_to_event,
)

RESULTS = Path(__file__).parent / "results"

# small groups are the point of several tests; pytest.warns still sees the warnings
pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.exceptions.SmallSampleWarning")


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


def _printed_tol(text: str) -> float:
    """Half a unit of the last printed digit (plus float slack)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals + 1e-12


def _assert_printed(value: float, text: str | None) -> None:
    if text is None:
        assert np.isnan(value)
    else:
        assert abs(value - float(text)) <= _printed_tol(text), (value, text)


def _records(time, status, group=None, group_name="gender") -> pd.DataFrame:
    """Canonical records from (time, status): promoted -> months_to_promotion, else follow-up."""
    time = np.asarray(time, dtype=float)
    status = np.asarray(status, dtype=int)
    df = pd.DataFrame(
        {
            "promoted": status.astype(bool),
            "months_to_promotion": np.where(status == 1, time, np.nan),
            "followup_months": np.where(status == 1, np.nan, time),
        }
    )
    if group is not None:
        df.insert(0, group_name, list(group))
    return df


@pytest.fixture
def aml() -> pd.DataFrame:
    d = _load("survival_aml.json")["data"]
    return _records(d["time"], d["status"], d["x"], group_name="x")


@pytest.fixture
def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 40
    gender = rng.choice(["man", "woman"], size=n)
    time = rng.integers(1, 30, size=n).astype(float)
    status = (rng.random(n) < 0.6).astype(int)
    df = _records(time, status, gender)
    df["cohort"] = rng.choice(["2019", "2020"], size=n)
    df["boldness_index"] = rng.random(n)
    return df


# --------------------------------------------------------------------------------------
# Independent computations (loops, textbook formulas)
# --------------------------------------------------------------------------------------


def _km_by_hand(time, status):
    """Kaplan–Meier and Greenwood's sum at each distinct event time."""
    out = []
    s, gw = 1.0, 0.0
    for t in sorted(set(t for t, e in zip(time, status, strict=True) if e == 1)):
        n = sum(1 for u in time if u >= t)
        d = sum(1 for u, e in zip(time, status, strict=True) if u == t and e == 1)
        s *= 1 - d / n
        gw = gw + d / (n * (n - d)) if n > d else float("nan")
        out.append((t, n, d, s, gw))
    return out


def _r_confint(s, gw, z, conf_type):
    """R survival:::survfit_confint, written out (se = sqrt of Greenwood's sum)."""
    if s == 1:
        return 1.0, 1.0
    if s == 0 or np.isnan(gw):
        return np.nan, np.nan
    se = np.sqrt(gw)
    if conf_type == "log":
        return s * np.exp(-z * se), min(1.0, s * np.exp(z * se))
    if conf_type == "log-log":
        a = np.exp(-np.exp(np.log(-np.log(s)) + z * se / np.log(s)))
        b = np.exp(-np.exp(np.log(-np.log(s)) - z * se / np.log(s)))
        return min(a, b), max(a, b)
    return max(0.0, s - z * s * se), min(1.0, s + z * s * se)


def _logrank_by_hand(time, status, group, strata=None):
    """(O - E)' V^- (O - E) with the hypergeometric variance, summed over strata."""
    time, status, group = map(np.asarray, (time, status, group))
    strata = np.zeros(len(time)) if strata is None else np.asarray(strata)
    levels = sorted(set(group.tolist()))
    k = len(levels)
    o_e = np.zeros(k)
    var = np.zeros((k, k))
    for s in set(strata.tolist()):
        m = strata == s
        for t in sorted(set(time[m & (status == 1)].tolist())):
            risk = m & (time >= t)
            n = risk.sum()
            d = (m & (time == t) & (status == 1)).sum()
            for i, gi in enumerate(levels):
                ni = (risk & (group == gi)).sum()
                di = (m & (time == t) & (status == 1) & (group == gi)).sum()
                o_e[i] += di - d * ni / n
                for j, gj in enumerate(levels):
                    nj = (risk & (group == gj)).sum()
                    if n > 1:
                        var[i, j] += d * (n - d) / (n - 1) * ni / n * ((i == j) - nj / n)
    stat = float(o_e[1:] @ np.linalg.solve(var[1:, 1:], o_e[1:]))
    return stat, k - 1


# --------------------------------------------------------------------------------------
# time_to_event
# --------------------------------------------------------------------------------------


def test_time_to_event_censoring_and_exclusions():
    df = pd.DataFrame(
        {
            "promoted": [True, False, None, True, False, "yes", 0],
            "months_to_promotion": [12, None, 5, None, 7, 30, None],
            "followup_months": [24, 30, 24, 24, 20, 24, None],
        },
        index=[10, 11, 12, 13, 14, 15, 16],
    )
    before = df.copy()
    out = time_to_event(df)
    pd.testing.assert_frame_equal(df, before)
    assert list(out.index) == [10, 11, 14, 15]
    assert out["duration"].tolist() == [12.0, 30.0, 20.0, 30.0]
    assert out["event"].tolist() == [1, 0, 0, 1]
    assert out.attrs["excluded"] == {
        "'promoted' missing": 1,
        "'promoted' is yes but 'months_to_promotion' is missing": 1,
        "'promoted' is no but 'followup_months' is missing": 1,
    }
    notes = " ".join(out.attrs["notes"])
    assert "1 row(s) have 'months_to_promotion' filled although 'promoted' is no" in notes
    assert "1 row(s) have 'months_to_promotion' greater than 'followup_months'" in notes


def test_time_to_event_custom_columns_and_no_followup_needed():
    df = pd.DataFrame({"hired": [1, 1], "t": [3.0, 4.5]})
    out = time_to_event(df, time="t", outcome="hired", followup="fu")
    assert out["duration"].tolist() == [3.0, 4.5]


def test_time_to_event_missing_column():
    df = pd.DataFrame({"promoted": [True], "followup_months": [3]})
    with pytest.raises(ColumnError, match="Column 'months_to_promotion' not found"):
        time_to_event(df)


def test_time_to_event_followup_needed():
    df = pd.DataFrame({"promoted": [True, False], "months_to_promotion": [3, None]})
    with pytest.raises(ColumnError, match="'followup_months' not found, needed for censoring"):
        time_to_event(df)


def test_time_to_event_bad_event_values():
    df = pd.DataFrame(
        {"promoted": [1, 2], "months_to_promotion": [3, 4], "followup_months": [5, 5]}
    )
    with pytest.raises(
        AnalysisError, match=r"'promoted' must hold yes/no values.*1 row\(s\).*rows 1"
    ):
        time_to_event(df)
    df = pd.DataFrame(
        {"promoted": ["yes", "maybe"], "months_to_promotion": [3, 4], "followup_months": [5, 5]}
    )
    with pytest.raises(AnalysisError, match="'promoted' must hold yes/no values"):
        time_to_event(df)


def test_time_to_event_bad_numbers():
    df = pd.DataFrame(
        {"promoted": [True, True], "months_to_promotion": ["3", "soon"], "followup_months": [5, 5]}
    )
    with pytest.raises(
        AnalysisError, match=r"'months_to_promotion' must hold numbers \(months\); 1 row"
    ):
        time_to_event(df)
    df = pd.DataFrame(
        {"promoted": [True, False], "months_to_promotion": [3, None], "followup_months": [5, -1]}
    )
    with pytest.raises(AnalysisError, match="'followup_months' must hold numbers >= 0"):
        time_to_event(df)
    df = pd.DataFrame({"promoted": [True], "months_to_promotion": [True], "followup_months": [5]})
    with pytest.raises(AnalysisError, match="must hold numbers \\(months\\), not yes/no"):
        time_to_event(df)


def test_time_to_event_text_numbers_and_markers():
    df = pd.DataFrame(
        {
            "promoted": ["Yes", "no", "N/A"],
            "months_to_promotion": ["3", "", "NA"],
            "followup_months": ["10", "12", "9"],
        }
    )
    out = time_to_event(df)
    assert out["duration"].tolist() == [3.0, 12.0]
    assert out.attrs["excluded"] == {"'promoted' missing": 1}


def test_time_to_event_nothing_usable():
    df = pd.DataFrame(
        {"promoted": [None, None], "months_to_promotion": [1, 2], "followup_months": [3, 3]}
    )
    with pytest.raises(AnalysisError, match="No rows can be used for time to promotion"):
        time_to_event(df)


def test_time_to_event_rejects_non_frame():
    with pytest.raises(AnalysisError, match="data must be a Cohort or a pandas DataFrame"):
        time_to_event([1, 2])


# --------------------------------------------------------------------------------------
# Kaplan–Meier
# --------------------------------------------------------------------------------------


def test_km_matches_r_aml_log_intervals(aml):
    ref = _load("survival_aml.json")["survfit"]
    before = aml.copy()
    km = kaplan_meier(aml, by="x", conf_type="log")
    pd.testing.assert_frame_equal(aml, before)
    assert km.groups == ("Maintained", "Nonmaintained")
    for g in km.groups:
        r = ref[g]
        rows = km.table[(km.table["group"] == g) & (km.table["events"] > 0)]
        assert rows["time"].tolist() == r["time"]
        assert rows["n_at_risk"].tolist() == r["n_risk"]
        assert rows["events"].tolist() == r["n_event"]
        for col, key in (
            ("survival", "survival"),
            ("std_error", "std_err"),
            ("ci_low", "lower"),
            ("ci_high", "upper"),
        ):
            for value, text in zip(rows[col], r[key], strict=True):
                _assert_printed(value, text)


def test_km_medians_match_r_aml(aml):
    ref = _load("survival_aml.json")["medians"]
    km = kaplan_meier(aml, by="x", conf_type="log")
    med = km.medians
    assert med.index.tolist() == ref["group"]
    assert med["n"].tolist() == ref["n"]
    assert med["events"].tolist() == ref["events"]
    for col, key in (("median", "median"), ("ci_low", "lcl"), ("ci_high", "ucl")):
        for value, text in zip(med[col], ref[key], strict=True):
            _assert_printed(value, text)
    assert "upper limit not reached" in med["note"].iloc[0]


def test_km_matches_r_small_example():
    ref = _load("survival_r_statsmodels.json")["small"]
    df = _records(
        ref["ti1"] + ref["ti2"],
        ref["st1"] + ref["st2"],
        ["woman"] * len(ref["ti1"]) + ["man"] * len(ref["ti2"]),
    )
    km = kaplan_meier(df)
    for g, i in (("woman", "1"), ("man", "2")):
        rows = km.table[(km.table["group"] == g) & (km.table["events"] > 0)]
        assert rows["time"].tolist() == ref["times" + i]
        assert rows["n_at_risk"].tolist() == ref["n_risk" + i]
        np.testing.assert_allclose(rows["survival"], ref["surv" + i], atol=5e-8)
        se = np.array([np.nan if x is None else x for x in ref["se" + i]])
        np.testing.assert_allclose(rows["std_error"], se, atol=5e-8)


@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_km_against_hand_computation(conf_type, alpha):
    rng = np.random.default_rng(5)
    n = 60
    time = rng.integers(0, 25, size=n).astype(float)  # many ties, some at 0
    status = (rng.random(n) < 0.55).astype(int)
    group = rng.choice(["woman", "man"], size=n)
    df = _records(time, status, group)
    km = kaplan_meier(df, conf_type=conf_type, alpha=alpha)
    z = stats.norm.ppf(1 - alpha / 2)
    assert km.groups == ("woman", "man")  # schema order, not alphabetical
    for g in km.groups:
        m = group == g
        t_g, s_g = time[m].tolist(), status[m].tolist()
        rows = km.table[km.table["group"] == g].set_index("time")
        # every distinct observed time plus 0 is a row; counts are exact
        assert sorted(rows.index) == sorted(set(t_g) | {0.0})
        for t in rows.index:
            assert rows.loc[t, "n_at_risk"] == sum(u >= t for u in t_g)
            assert rows.loc[t, "censored"] == sum(
                u == t and e == 0 for u, e in zip(t_g, s_g, strict=True)
            )
        for t, n_t, d_t, s, gw in _km_by_hand(t_g, s_g):
            assert rows.loc[t, "events"] == d_t
            assert rows.loc[t, "n_at_risk"] == n_t
            assert rows.loc[t, "survival"] == pytest.approx(s, abs=1e-12)
            lo, hi = _r_confint(s, gw, z, conf_type)
            np.testing.assert_allclose(
                [rows.loc[t, "ci_low"], rows.loc[t, "ci_high"]], [lo, hi], atol=1e-12
            )
            if s > 0:
                assert rows.loc[t, "std_error"] == pytest.approx(s * np.sqrt(gw), abs=1e-12)


def test_km_log_log_differs_from_log_and_stays_in_unit_interval(aml):
    a = kaplan_meier(aml, by="x").table
    b = kaplan_meier(aml, by="x", conf_type="log").table
    inner = (a["survival"] > 0) & (a["survival"] < 1)
    assert not np.allclose(a.loc[inner, "ci_low"], b.loc[inner, "ci_low"])
    assert (a.loc[inner, "ci_low"] > 0).all() and (a.loc[inner, "ci_high"] < 1).all()
    assert (a.loc[inner, "ci_low"] < a.loc[inner, "survival"]).all()
    assert (a.loc[inner, "ci_high"] > a.loc[inner, "survival"]).all()


def test_km_median_midpoint_rule():
    # S drops to exactly 0.5 at t=2 and next at t=6: R reports (2 + 6) / 2 = 4
    df = _records([2, 2, 6, 8], [1, 1, 1, 0], ["woman"] * 4)
    km = kaplan_meier(df, conf_type="log")
    assert km.medians["median"].iloc[0] == 4.0


KM_QUANTILES = _load("survival_km_quantiles.json")


def _r_value(value) -> float:
    return float("nan") if value is None else float(value)


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
@pytest.mark.parametrize("case", KM_QUANTILES["cases"], ids=lambda c: c["label"])
def test_km_quantiles_and_limits_match_r_quantile_survfit(case, conf_type):
    ref = case["conf_types"][conf_type]
    df = _records(case["time"], case["status"], ["all"] * len(case["time"]))
    km = kaplan_meier(df, conf_type=conf_type)
    q = km.quantiles(ref["probs"])
    assert q.columns.tolist() == ["group", "probability", "estimate", "ci_low", "ci_high"]
    assert q["probability"].tolist() == ref["probs"]
    for column, key in (("estimate", "quantile"), ("ci_low", "lower"), ("ci_high", "upper")):
        expected = [_r_value(v) for v in ref[key]]
        np.testing.assert_allclose(q[column].to_numpy(float), expected, atol=1e-9, err_msg=column)
    # the median row is the 0.5 quantile
    med = km.medians.iloc[0]
    half = ref["probs"].index(0.5)
    for column, key in (("median", "quantile"), ("ci_low", "lower"), ("ci_high", "upper")):
        np.testing.assert_allclose(med[column], _r_value(ref[key][half]), atol=1e-9)


def test_km_median_flat_at_half_to_the_end_is_the_midpoint_to_the_last_time():
    # issue 12: promoted at 2 and 4, follow-up ends at 7 and 9; the curve stays at 0.5
    # from 4 to the end: R's quantile.survfit gives (4 + 9) / 2 = 6.5 (print.survfit: 4)
    case = next(c for c in KM_QUANTILES["cases"] if c["label"] == "issue12_flat_to_end")
    assert case["conf_types"]["log"]["quantile"][1] == 6.5
    assert case["conf_types"]["log"]["print_median"] == 4
    km = kaplan_meier(_records([2, 4, 7, 9], [1, 1, 0, 0], ["woman"] * 4))
    assert km.medians["median"].iloc[0] == 6.5
    # one more month of follow-up for the last person moves it to the new last time
    km = kaplan_meier(_records([2, 4, 7, 11], [1, 1, 0, 0], ["woman"] * 4))
    assert km.medians["median"].iloc[0] == 7.5


def test_km_quantiles_by_group_and_bad_probs(aml):
    km = kaplan_meier(aml, by="x")
    q = km.quantiles(0.5)
    assert q["group"].tolist() == list(km.groups)
    np.testing.assert_allclose(q["estimate"], km.medians["median"])
    assert km.quantiles([0.0])["estimate"].tolist() == [0.0, 0.0]
    for bad in (1.5, -0.1, "half", [], [True], None):
        with pytest.raises(AnalysisError, match="probs must be one or more shares"):
            km.quantiles(bad)


def test_km_cumulative_incidence(aml):
    km = kaplan_meier(aml, by="x")
    ci = km.cumulative_incidence
    np.testing.assert_allclose(ci["cumulative_incidence"], 1 - km.table["survival"])
    np.testing.assert_allclose(ci["ci_low"], 1 - km.table["ci_high"])
    np.testing.assert_allclose(ci["ci_high"], 1 - km.table["ci_low"])
    assert list(ci.columns) == [
        "group",
        "time",
        "n_at_risk",
        "events",
        "censored",
        "cumulative_incidence",
        "ci_low",
        "ci_high",
    ]


def test_km_at_risk_counts(aml):
    km = kaplan_meier(aml, by="x")
    tab = km.at_risk([0, 12, 24, 48, 200])
    m = tab[tab["group"] == "Maintained"].set_index("time")
    # Maintained: 9, 13, 13+, 18, 23, 28+, 31, 34, 45+, 48, 161+
    assert m["n_at_risk"].tolist() == [11, 10, 6, 2, 0]
    assert m["events"].tolist() == [0, 1, 4, 7, 7]
    assert m["censored"].tolist() == [0, 0, 1, 3, 4]
    with pytest.raises(AnalysisError, match="times must be one or more finite numbers"):
        km.at_risk([-1])
    with pytest.raises(AnalysisError, match="times must be one or more finite numbers"):
        km.at_risk([])


def test_km_no_events_flat_curve():
    df = _records([5, 8, 12, 3], [0, 0, 0, 0], ["woman", "woman", "man", "man"])
    km = kaplan_meier(df)
    assert (km.table["survival"] == 1).all()
    assert (km.table["ci_low"] == 1).all() and (km.table["ci_high"] == 1).all()
    assert km.medians["median"].isna().all()
    assert km.medians["note"].str.contains("median not reached").all()
    assert any("Nobody in group 'woman' was promoted" in n for n in km.notes)


def test_km_everyone_promoted_reaches_zero():
    df = _records([2, 4, 6, 3, 9], [1, 1, 1, 1, 0], ["woman"] * 3 + ["man"] * 2)
    km = kaplan_meier(df)
    last = km.table[km.table["group"] == "woman"].iloc[-1]
    assert last["survival"] == 0 and np.isnan(last["ci_low"]) and np.isnan(last["ci_high"])
    assert any("by month 6" in n and "undefined" in n for n in km.notes)


def test_km_one_person_group_warns_and_keeps_warning():
    df = _records([2, 4, 6, 3], [1, 0, 1, 1], ["woman"] * 3 + ["man"])
    with pytest.warns(SmallSampleWarning, match="Group 'man' has only 1 person"):
        km = kaplan_meier(df)
    assert any("'man' has only 1" in w for w in km.warnings)
    man = km.table[km.table["group"] == "man"]
    assert man["survival"].tolist() == [1.0, 0.0]


def test_km_single_curve_and_missing_groups(aml):
    km = kaplan_meier(aml, by=None)
    assert km.groups == ("all",)
    assert km.medians["n"].iloc[0] == 23
    df = aml.copy()
    df.loc[[0, 1], "x"] = None
    km = kaplan_meier(df, by="x")
    assert km.excluded == {"'x' missing": 2}
    assert km.medians["n"].sum() == 21


def test_km_categorical_order_respected(aml):
    df = aml.assign(x=pd.Categorical(aml["x"], categories=["Nonmaintained", "Maintained"]))
    assert kaplan_meier(df, by="x").groups == ("Nonmaintained", "Maintained")


def test_km_bad_arguments(aml):
    with pytest.raises(AnalysisError, match="conf_type must be one of"):
        kaplan_meier(aml, by="x", conf_type="arcsin")
    with pytest.raises(AnalysisError, match="alpha must be a number between 0 and 1"):
        kaplan_meier(aml, by="x", alpha=5)
    with pytest.raises(ColumnError, match="Column 'gender' not found"):
        kaplan_meier(aml)


def test_km_result_renders(aml):
    km = kaplan_meier(aml, by="x")
    md = km.to_markdown()
    assert "*medians*" in md and "*survival*" in md and "log-log" in md
    assert "<table" in km._repr_html_()
    pd.testing.assert_frame_equal(km.to_frame(), km.table)


# --------------------------------------------------------------------------------------
# Log-rank
# --------------------------------------------------------------------------------------


def test_logrank_matches_r_aml(aml):
    ref = _load("survival_aml.json")["survdiff"]
    before = aml.copy()
    res = logrank_test(aml, by="x")
    pd.testing.assert_frame_equal(aml, before)
    _assert_printed(res.statistic, ref["chisq_o_e2_v"])
    _assert_printed(res.p_value, ref["p_value"])
    assert res.df == ref["df"]
    assert res.groups["n"].tolist() == ref["n"]
    assert res.groups["events"].tolist() == ref["observed"]
    for value, text in zip(res.groups["expected"], ref["expected"], strict=True):
        _assert_printed(value, text)


def test_logrank_matches_r_small_and_bmt():
    ref = _load("survival_r_statsmodels.json")
    s = ref["small"]
    df = _records(
        s["ti1"] + s["ti2"],
        s["st1"] + s["st2"],
        ["a"] * len(s["ti1"]) + ["b"] * len(s["ti2"]),
        group_name="arm",
    )
    res = logrank_test(df, by="arm")
    assert res.statistic == pytest.approx(s["survdiff_chisq"], abs=5e-6)
    assert res.p_value == pytest.approx(s["survdiff_p"], abs=5e-6)
    b = ref["bmt"]
    df = _records(b["time"], b["status"], b["group"], group_name="Group")
    res = logrank_test(df, by="Group")
    assert res.statistic == pytest.approx(b["chisq"], abs=5e-6)


def test_logrank_against_hand_computation_three_groups_and_strata():
    rng = np.random.default_rng(3)
    n = 90
    time = rng.integers(1, 20, size=n).astype(float)
    status = (rng.random(n) < 0.6).astype(int)
    group = rng.choice(["woman", "man", "non_binary"], size=n)
    stratum = rng.choice(["2019", "2020", "2021"], size=n)
    df = _records(time, status, group)
    df["cohort"] = stratum
    res = logrank_test(df)
    stat, dof = _logrank_by_hand(time, status, group)
    assert res.statistic == pytest.approx(stat, rel=1e-10)
    assert res.df == dof
    assert res.p_value == pytest.approx(stats.chi2.sf(stat, dof), rel=1e-10)
    res = logrank_test(df, strata="cohort")
    stat, dof = _logrank_by_hand(time, status, group, stratum)
    assert res.statistic == pytest.approx(stat, rel=1e-10)
    assert "stratified by 'cohort'" in res.method
    # expected counts sum to observed counts
    assert res.groups["expected"].sum() == pytest.approx(res.groups["events"].sum())


def test_logrank_no_events_gives_nan_with_reason():
    df = _records([5, 8, 12, 3], [0, 0, 0, 0], ["woman", "woman", "man", "man"])
    res = logrank_test(df)
    assert np.isnan(res.statistic) and np.isnan(res.p_value)
    assert any("Nobody was promoted in any group" in n for n in res.notes)
    assert np.isnan(res.test["p_value"].iloc[0])


def test_logrank_zero_variance_gives_nan_with_reason():
    df = _records([5, 5], [1, 1], ["woman", "man"])
    with pytest.warns(SmallSampleWarning):
        res = logrank_test(df)
    assert np.isnan(res.statistic)
    assert any("variance of the log-rank statistic is zero" in n for n in res.notes)


def test_logrank_group_never_at_risk_is_left_out():
    # 'non_binary' is censored before the first promotion: expected 0, left out of the test
    df = _records(
        [5, 6, 7, 8, 9, 10, 1], [1, 0, 1, 1, 1, 0, 0], ["woman"] * 3 + ["man"] * 3 + ["non_binary"]
    )
    with pytest.warns(SmallSampleWarning):
        res = logrank_test(df)
    assert any("'non_binary' had nobody followed" in n for n in res.notes)
    keep = df["gender"] != "non_binary"
    stat, dof = _logrank_by_hand(
        df.loc[keep, "months_to_promotion"].fillna(df.loc[keep, "followup_months"]),
        df.loc[keep, "promoted"].astype(int),
        df.loc[keep, "gender"],
    )
    assert res.statistic == pytest.approx(stat, rel=1e-10) and res.df == dof == 1


def test_logrank_one_group_raises():
    df = _records([5, 8], [1, 0], ["woman", "woman"])
    with pytest.raises(AnalysisError, match="only one group among the rows analysed \\('woman'\\)"):
        logrank_test(df)


def test_logrank_small_expected_warns(aml):
    small = aml.iloc[[0, 1, 2, 11, 12, 13]]
    with pytest.warns(SmallSampleWarning, match="Fewer than 5 promotions expected"):
        res = logrank_test(small, by="x")
    assert res.warnings


# --------------------------------------------------------------------------------------
# Cox model
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_cox_matches_r_aml(aml, ties):
    ref = _load("survival_aml.json")[f"coxph_{ties}"]
    before = aml.copy()
    res = cox_model(aml, "x", ties=ties, reference={"x": "Maintained"})
    pd.testing.assert_frame_equal(aml, before)
    row = res.table.iloc[0]
    assert row["term"] == "x[Nonmaintained]" and row["reference"] == "Maintained"
    _assert_printed(row["coef"], ref["coef"])
    _assert_printed(row["estimate"], ref["exp_coef"])
    _assert_printed(row["std_error"], ref["se_coef"])
    _assert_printed(row["statistic"], ref["z"])
    _assert_printed(row["p_value"], ref["p"])
    _assert_printed(res.test["statistic"].iloc[0], ref["lr"])
    _assert_printed(res.test["p_value"].iloc[0], ref["lr_p"])
    assert ties.capitalize() in res.method
    assert (row["n"], row["events"]) == (12, 11)


@pytest.mark.parametrize("name", ["coxph_20_1", "coxph_50_2"])
@pytest.mark.parametrize("ties", ["breslow", "efron"])
def test_cox_matches_r_numeric_predictors(name, ties):
    ref = _load("survival_r_statsmodels.json")[name]
    df = _records(ref["time"], ref["status"])
    preds = [c for c in ("x1", "x2") if c in ref]
    for c in preds:
        df[c] = ref[c]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = cox_model(df, preds, ties=ties)
    np.testing.assert_allclose(res.table["coef"], ref[ties]["coef"], atol=5e-7)
    np.testing.assert_allclose(res.table["std_error"], ref[ties]["se"], atol=5e-7)
    # hazard ratio, Wald interval and p-value follow from coef and se
    z = stats.norm.ppf(0.975)
    coef, se = np.array(ref[ties]["coef"]), np.array(ref[ties]["se"])
    np.testing.assert_allclose(res.table["estimate"], np.exp(coef), rtol=1e-6)
    np.testing.assert_allclose(res.table["ci_low"], np.exp(coef - z * se), rtol=2e-6)
    np.testing.assert_allclose(res.table["p_value"], 2 * stats.norm.sf(abs(coef / se)), rtol=1e-5)


def test_cox_reference_and_mixed_predictors(cohort):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        a = cox_model(cohort, ["gender", "boldness_index"], reference={"gender": "woman"})
        b = cox_model(cohort, ["gender", "boldness_index"])
        c = cox_model(cohort, ["gender", "boldness_index"], reference="woman")
    # default reference: men, though women are the larger group here
    assert (cohort["gender"] == "woman").sum() > (cohort["gender"] == "man").sum()
    assert b.references == {"gender": "man"}
    assert a.references == c.references == {"gender": "woman"}
    assert a.table["term"].tolist() == ["gender[man]", "boldness_index"]
    assert b.table["term"].tolist() == ["gender[woman]", "boldness_index"]
    assert b.table["coef"].iloc[0] == pytest.approx(-a.table["coef"].iloc[0], rel=1e-6)
    assert b.table["coef"].iloc[1] == pytest.approx(a.table["coef"].iloc[1], rel=1e-6)
    assert any("compare each group with 'man' (reference; the default for gender" in n
               for n in b.notes)  # fmt: skip


def test_cox_bool_predictor_and_missing_rows(cohort):
    df = cohort.assign(goals_defined=(np.arange(len(cohort)) % 3 == 0).astype(object))
    df.loc[df.index[:4], "goals_defined"] = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = cox_model(df, "goals_defined")
    assert res.table["term"].tolist() == ["goals_defined[True]"]
    assert res.excluded == {"'goals_defined' missing": 4}
    assert res.n == len(df) - 4


def test_cox_events_per_term_warning(aml):
    with pytest.warns(SmallSampleWarning, match="Only 9 promotion\\(s\\) for 1 model term"):
        res = cox_model(aml.iloc[[0, 1, 2, 3, 4, 11, 12, 13, 14, 15, 16]], "x")
    assert res.warnings


def test_cox_cannot_fit_messages(aml, cohort):
    no_events = _records([5, 8, 12, 3], [0, 0, 0, 0], ["woman", "woman", "man", "man"])
    with pytest.raises(AnalysisError, match="Nobody among the 4 people analysed was promoted"):
        cox_model(no_events, "gender")
    one_group = _records([5, 8], [1, 1], ["woman", "woman"])
    with pytest.raises(AnalysisError, match="'gender' has only one group among the rows analysed"):
        cox_model(one_group, "gender")
    zero_in_group = _records([5, 8, 6, 9], [1, 1, 0, 0], ["woman", "woman", "man", "man"])
    with pytest.raises(AnalysisError, match="Nobody in group 'man' of 'gender' was promoted"):
        cox_model(zero_in_group, "gender")
    constant = aml.assign(z=1.0)
    with pytest.raises(AnalysisError, match="'z' has the same value for everyone"):
        cox_model(constant, "z")
    twice = aml.assign(z=(aml["x"] == "Nonmaintained").astype(float))
    with pytest.raises(AnalysisError, match="The predictors are redundant"):
        cox_model(twice, ["x", "z"])
    # group 'man' promoted only after every woman was: monotone likelihood
    separated = _records([1, 2, 3, 10, 11, 12], [1] * 6, ["woman"] * 3 + ["man"] * 3)
    with pytest.raises(AnalysisError, match="did not converge"):
        cox_model(separated, "gender")


def test_cox_argument_errors(aml):
    with pytest.raises(AnalysisError, match="reference for 'x' must be one of the groups present"):
        cox_model(aml, "x", reference={"x": "other"})
    with pytest.raises(AnalysisError, match="reference names column\\(s\\) \\['y'\\]"):
        cox_model(aml, "x", reference={"y": "a"})
    with pytest.raises(AnalysisError, match="ties must be one of"):
        cox_model(aml, "x", ties="exact")
    with pytest.raises(AnalysisError, match="predictors must be a column name or a list"):
        cox_model(aml, [])
    with pytest.raises(AnalysisError, match="predictors lists a column twice"):
        cox_model(aml, ["x", "x"])
    with pytest.raises(ColumnError, match="Column 'nope' not found"):
        cox_model(aml, "nope")
    with pytest.raises(AnalysisError, match="alpha must be a number"):
        cox_model(aml, "x", alpha=0)


# --------------------------------------------------------------------------------------
# Cox model: strata, robust standard errors, proportional-hazards test (R survival)
# --------------------------------------------------------------------------------------

COX_EXT = _load("survival_cox_extensions.json")


def _lung() -> pd.DataFrame:
    df = pd.DataFrame(COX_EXT["lung"])
    df["sex"] = COX_EXT["lung_sex"]
    return df


def _veteran() -> pd.DataFrame:
    df = pd.DataFrame(COX_EXT["veteran"])
    # R's factor level order, so that the terms come in R's order
    df["celltype"] = pd.Categorical(
        df["celltype"], categories=["squamous", "smallcell", "adeno", "large"]
    )
    return df


def _fit_r_case(name: str):
    ties = "breslow" if name.endswith("breslow") else "efron"
    common = dict(time="time", followup="time", outcome="status", ties=ties)
    if name.startswith("lung"):
        kw = dict(reference={"sex": "male"})
        if "strata" in name:
            kw["strata"] = "ecog"
        if "robust" in name:
            kw["robust"] = True
        if "cluster" in name:
            kw["cluster"] = "inst"
        return cox_model(_lung(), ["age", "sex"], **common, **kw)
    kw = dict(reference={"celltype": "squamous"})
    if "strata" in name:
        kw["strata"] = "trt"
    if "robust" in name:
        kw["robust"] = True
    return cox_model(_veteran(), ["celltype", "karno"], **common, **kw)


# R stops its Newton-Raphson at a relative change in the log-likelihood below 1e-9,
# statsmodels at its own criterion: the coefficients agree to about 1e-8
COX_TOL = dict(rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(COX_EXT["models"]))
def test_cox_strata_and_robust_standard_errors_match_r(name):
    ref = COX_EXT["models"][name]
    res = _fit_r_case(name)
    t = res.table
    assert t["term"].str.replace(r"[\[\]]", "", regex=True).tolist() == ref["term"]
    np.testing.assert_allclose(t["coef"], ref["coef"], **COX_TOL)
    robust = "robust_se" in ref
    assert res.robust is robust
    if robust:
        np.testing.assert_allclose(t["naive_std_error"], ref["se"], **COX_TOL)
        np.testing.assert_allclose(t["std_error"], ref["robust_se"], **COX_TOL)
    else:
        assert "naive_std_error" not in t.columns
        np.testing.assert_allclose(t["std_error"], ref["se"], **COX_TOL)
    # R's summary uses the robust SE for z, p and the interval
    np.testing.assert_allclose(t["statistic"], ref["z"], **COX_TOL)
    np.testing.assert_allclose(t["p_value"], ref["p"], rtol=1e-5, atol=1e-10)
    np.testing.assert_allclose(t["ci_low"], ref["ci_low"], **COX_TOL)
    np.testing.assert_allclose(t["ci_high"], ref["ci_high"], **COX_TOL)
    assert res.test["statistic"].iloc[0] == pytest.approx(ref["lr"], rel=1e-8)
    assert res.test["df"].iloc[0] == ref["lr_df"]
    assert (res.n, res.events) == (ref["n"], ref["nevent"])
    assert ("stratified by" in res.method) is ("strata" in name)
    assert ("robust (sandwich)" in res.method) is robust


@pytest.mark.parametrize("name", [n for n, m in COX_EXT["models"].items() if "zph" in m], ids=str)
def test_proportional_hazards_test_matches_r_cox_zph(name):
    res = _fit_r_case(name)
    for ref in COX_EXT["models"][name]["zph"]:
        ph = res.proportional_hazards(transform=ref["transform"])
        assert ph.table.columns.tolist() == ["term", "statistic", "df", "p_value"]
        assert ph.table["term"].tolist() == ref["term"]
        np.testing.assert_allclose(ph.table["statistic"], ref["chisq"], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(ph.table["df"], ref["df"])
        np.testing.assert_allclose(ph.table["p_value"], ref["p"], rtol=1e-6, atol=1e-12)
        if ref["transform"] == "km":
            pd.testing.assert_frame_equal(res.ph_test, ph.table)
    assert "ph_test" in res.tables()


@pytest.mark.parametrize(
    "name", [n for n, m in COX_EXT["models"].items() if "zph_residuals" in m], ids=str
)
def test_scaled_schoenfeld_residuals_match_r(name):
    ref = COX_EXT["models"][name]["zph_residuals"]
    res = _fit_r_case(name)
    resid = res.proportional_hazards().residuals
    np.testing.assert_allclose(resid["time"], ref["time"])
    np.testing.assert_allclose(resid["transformed_time"], ref["x"], atol=1e-12)
    for j, term in enumerate(res.table["term"]):
        np.testing.assert_allclose(resid[term], ref["y"][j], rtol=1e-6, atol=1e-8)
    assert ("stratum" in resid.columns) is ("strata" in name)


def test_ph_test_flags_a_changing_hazard_ratio_in_the_notes():
    # veteran: Karnofsky score is the textbook violation (cox.zph p < 0.001)
    res = _fit_r_case("veteran_strata_efron")
    row = res.ph_test.set_index("term").loc["karno"]
    assert row["p_value"] < 0.001
    note = next(n for n in res.notes if n.startswith("Proportional-hazards test"))
    assert "'karno'" in note and "appears to change over time" in note
    # lung: no evidence against proportional hazards
    lung = _fit_r_case("lung_efron")
    note = next(n for n in lung.notes if n.startswith("Proportional-hazards test"))
    assert "appears to change" not in note and note.endswith(".")


def test_cox_cluster_of_one_row_each_equals_robust_and_input_unchanged():
    df = _lung()
    df["id"] = np.arange(len(df))
    before = df.copy()
    kw = dict(time="time", followup="time", outcome="status", reference={"sex": "male"})
    a = cox_model(df, ["age", "sex"], robust=True, **kw)
    b = cox_model(df, ["age", "sex"], cluster="id", **kw)
    pd.testing.assert_frame_equal(df, before)
    np.testing.assert_allclose(a.table["std_error"], b.table["std_error"], rtol=1e-12)
    assert b.robust and b.cluster == "id" and a.cluster is None
    assert any("226 groups of 'id'" in n for n in b.notes)
    # few clusters get a caution
    c = cox_model(df, ["age", "sex"], cluster="ecog", **kw)
    assert any("only 3 clusters" in n for n in c.notes)


def test_cox_stratum_without_promotions_is_harmless():
    df = _lung()
    df["s"] = np.where(np.arange(len(df)) < 5, "x", "y")
    df.loc[df["s"] == "x", "status"] = 0
    kw = dict(time="time", followup="time", outcome="status", reference={"sex": "male"})
    with_empty = cox_model(df, ["age", "sex"], strata="s", **kw)
    without = cox_model(df[df["s"] == "y"], ["age", "sex"], **kw)
    np.testing.assert_allclose(with_empty.table["coef"], without.table["coef"], rtol=1e-8)
    # (on the "km" and "rank" scales the rows of the empty stratum move g(t), as in R)
    pd.testing.assert_frame_equal(
        with_empty.proportional_hazards(transform="identity").table,
        without.proportional_hazards(transform="identity").table,
        rtol=1e-6,
    )
    assert set(with_empty.proportional_hazards().residuals["stratum"]) == {"y"}


def test_cox_strata_and_cluster_rows_missing_are_counted():
    df = _lung()
    df.loc[df.index[:3], "ecog"] = np.nan
    df.loc[df.index[5:7], "inst"] = None
    kw = dict(time="time", followup="time", outcome="status")
    res = cox_model(df, ["age"], strata="ecog", cluster="inst", **kw)
    assert res.excluded == {"'ecog' missing": 3, "'inst' missing": 2}
    assert res.n == len(df) - 5
    assert res.strata == "ecog"
    assert any("Stratified by 'ecog' (3 strata)" in n for n in res.notes)


def test_cox_strata_cluster_and_transform_errors():
    df = _lung()
    kw = dict(time="time", followup="time", outcome="status")
    with pytest.raises(AnalysisError, match="strata='age' is also among predictors"):
        cox_model(df, ["age"], strata="age", **kw)
    with pytest.raises(AnalysisError, match="cluster='sex' is also among predictors"):
        cox_model(df, ["age", "sex"], cluster="sex", **kw)
    with pytest.raises(AnalysisError, match="strata must be a column name or None"):
        cox_model(df, ["age"], strata=["ecog"], **kw)
    with pytest.raises(AnalysisError, match="robust must be True or False"):
        cox_model(df, ["age"], robust="yes", **kw)
    with pytest.raises(ColumnError, match="Column 'nope' not found"):
        cox_model(df, ["age"], strata="nope", **kw)
    with pytest.raises(AnalysisError, match="redundant once the model is stratified by 'ecog'"):
        cox_model(df.assign(z=df["ecog"] * 2.0), ["age", "z"], strata="ecog", **kw)
    res = cox_model(df, ["age"], **kw)
    with pytest.raises(AnalysisError, match="transform must be one of"):
        res.proportional_hazards(transform="months")


def test_ph_test_by_hand_on_a_tiny_example():
    # one binary predictor, no ties, identity time scale: the score test of
    # x * (t - mean event time) at the fitted beta and gamma = 0, written out
    time = np.array([1.0, 2, 3, 4, 5, 6, 7, 8])
    status = np.array([1, 1, 0, 1, 1, 1, 0, 1])
    x = np.array([1.0, 0, 1, 0, 1, 1, 0, 0])
    df = _records(time, status).assign(x=x)
    res = cox_model(df, "x")
    beta = res.table["coef"].iloc[0]
    g = time - time[status == 1].mean()
    u = i11 = i12 = i22 = 0.0
    for k in np.flatnonzero(status == 1):
        at_risk = time >= time[k]
        w = np.exp(beta * x[at_risk])
        mean = np.sum(w * x[at_risk]) / w.sum()
        var = np.sum(w * x[at_risk] ** 2) / w.sum() - mean**2
        u += g[k] * (x[k] - mean)
        i11 += var
        i12 += g[k] * var
        i22 += g[k] ** 2 * var
    expected = u**2 / (i22 - i12**2 / i11)
    table = res.proportional_hazards(transform="identity").table
    assert table["statistic"].iloc[0] == pytest.approx(expected, rel=1e-7)
    assert table["statistic"].iloc[1] == pytest.approx(expected, rel=1e-7)  # GLOBAL, one term
