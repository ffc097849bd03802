"""Tests of mentoranalytics.stats.meta.

References: metafor outputs for the BCG vaccine trials (README, tests, JSS paper), the
CLASP example of DerSimonian & Kacker (2007) as reproduced with metafor, and R
metafor / meta outputs stored at full precision in statsmodels' test suite.  REML is
also checked against a direct numerical maximisation of the restricted likelihood,
and DL / PM against statsmodels' independent ``combine_effects``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from mentoranalytics.exceptions import AnalysisError, ColumnError, SmallSampleWarning
from mentoranalytics.stats.meta import meta_analysis

RESULTS = Path(__file__).parent / "results"


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


def _tol(text: str) -> float:
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals + 1e-12


def _close(value: float, text: str, scale: float = 1.0) -> None:
    assert abs(value * scale - float(text)) <= _tol(text), (value * scale, text)


def _records(
    ai, n1i, ci, n2i, *, study="cohort", by="gender", groups=("man", "woman"), label="S{}"
):
    """Participant records from 2x2 counts: ai events of n1i in groups[0], ci of n2i in groups[1]."""
    parts = []
    for s, (a, n1, c, n2) in enumerate(zip(ai, n1i, ci, n2i, strict=True)):
        for g, e, n in ((groups[0], a, n1), (groups[1], c, n2)):
            parts.append(
                pd.DataFrame(
                    {study: label.format(s + 1), by: g, "promoted": [1] * e + [0] * (n - e)}
                )
            )
    return pd.concat(parts, ignore_index=True)


@pytest.fixture
def bcg() -> dict:
    return _load("meta_bcg.json")


def _bcg_estimates(bcg: dict, measure: str) -> pd.DataFrame:
    d = bcg["data"]
    a, b, c, dd = (np.array(d[k], dtype=float) for k in ("tpos", "tneg", "cpos", "cneg"))
    if measure == "RR":  # metafor escalc(measure="RR")
        y = np.log(a / (a + b)) - np.log(c / (c + dd))
        v = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + dd)
    else:  # escalc(measure="OR")
        y = np.log(a * dd / (b * c))
        v = 1 / a + 1 / b + 1 / c + 1 / dd
    return pd.DataFrame({"trial": d["trial"], "yi": y, "sei": np.sqrt(v)})


def _reml_by_optimiser(y, v):
    """tau² maximising the restricted log-likelihood, by bounded scalar optimisation."""

    def neg(t):
        w = 1 / (v + t)
        mu = np.sum(w * y) / np.sum(w)
        return 0.5 * (np.sum(np.log(v + t)) + np.log(np.sum(w)) + np.sum(w * (y - mu) ** 2))

    grid = np.linspace(0, 10 * np.var(y) + 1, 2001)
    best = grid[np.argmin([neg(t) for t in grid])]
    lo, hi = max(0.0, best - grid[1]), best + grid[1]
    res = optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
    return res.x if neg(res.x) < neg(0.0) else 0.0


# --------------------------------------------------------------------------------------
# Against metafor: BCG vaccine trials
# --------------------------------------------------------------------------------------


def test_bcg_log_rr_reml_matches_metafor(bcg):
    ref = bcg["rr_reml_z"]
    df = _bcg_estimates(bcg, "RR")
    before = df.copy()
    res = meta_analysis(df, estimate="yi", std_error="sei", study="trial")
    pd.testing.assert_frame_equal(df, before)
    het = res.heterogeneity.iloc[0]
    rnd = res.pooled.set_index("model").loc["random"]
    _close(het["tau2"], ref["tau2"])
    _close(het["tau"], ref["tau"])
    _close(het["I2"], ref["I2_percent"], scale=100)
    _close(het["H2"], ref["H2"])
    _close(het["Q"], ref["Q"])
    assert het["Q_df"] == ref["Q_df"]
    _close(rnd["log_estimate"], ref["estimate"])
    _close(rnd["std_error"], ref["se"])
    _close(rnd["statistic"], ref["zval"])
    _close(np.log(rnd["ci_low"]), ref["ci_lb"])
    _close(np.log(rnd["ci_high"]), ref["ci_ub"])
    assert rnd["p_value"] < 1e-4  # printed "<.0001"
    assert rnd["estimate"] == pytest.approx(np.exp(rnd["log_estimate"]))


def test_bcg_log_rr_reml_hartung_knapp_matches_metafor(bcg):
    ref = bcg["rr_reml_knha"]
    res = meta_analysis(
        _bcg_estimates(bcg, "RR"),
        estimate="yi",
        std_error="sei",
        study="trial",
        method_ci="hartung_knapp",
    )
    rnd = res.pooled.set_index("model").loc["random"]
    _close(rnd["log_estimate"], ref["estimate"])
    _close(rnd["std_error"], ref["se"])
    _close(rnd["statistic"], ref["tval"])
    _close(rnd["p_value"], ref["pval"])
    _close(np.log(rnd["ci_low"]), ref["ci_lb"])
    _close(np.log(rnd["ci_high"]), ref["ci_ub"])
    assert "on 12 df" in rnd["method"] and "Hartung–Knapp" in rnd["method"]


@pytest.mark.parametrize("measure", ["RR", "OR"])
def test_bcg_dl_and_fixed_match_metafor(bcg, measure):
    key = measure.lower()
    res = meta_analysis(
        _bcg_estimates(bcg, measure), estimate="yi", std_error="sei", study="trial", method="DL"
    )
    pooled = res.pooled.set_index("model")
    fe, dl = bcg[f"{key}_fe"], bcg[f"{key}_dl"]
    _close(pooled.loc["fixed", "log_estimate"], fe["estimate"])
    _close(np.log(pooled.loc["fixed", "ci_low"]), fe["ci_lb"])
    _close(np.log(pooled.loc["fixed", "ci_high"]), fe["ci_ub"])
    _close(pooled.loc["fixed", "statistic"], fe["zval"])
    _close(res.heterogeneity["Q"].iloc[0], fe["Q"])
    _close(pooled.loc["random", "log_estimate"], dl["estimate"])
    _close(np.log(pooled.loc["random", "ci_low"]), dl["ci_lb"])
    _close(np.log(pooled.loc["random", "ci_high"]), dl["ci_ub"])
    _close(pooled.loc["random", "statistic"], dl["zval"])
    _close(res.heterogeneity["tau2"].iloc[0], dl["tau2"])
    _close(res.heterogeneity["I2"].iloc[0], dl["I2_percent"], scale=100)


def test_bcg_pm_matches_metafor(bcg):
    res = meta_analysis(
        _bcg_estimates(bcg, "RR"), estimate="yi", std_error="sei", study="trial", method="PM"
    )
    _close(res.heterogeneity["tau2"].iloc[0], bcg["rr_pm"]["tau2"])


# --------------------------------------------------------------------------------------
# Against DerSimonian & Kacker (2007): participant records
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PM", "DL", "REML"])
def test_clasp_records_match_published(method):
    ref = _load("meta_clasp.json")
    d = ref["data"]
    rec = _records(
        d["ai"], d["n1i"], d["ci"], d["n2i"], groups=("treated", "control"), by="arm", study="trial"
    )
    before = rec.copy()
    res = meta_analysis(
        rec, outcome="promoted", by="arm", study="trial", reference="control", method=method
    )
    pd.testing.assert_frame_equal(rec, before)
    rnd = res.pooled.set_index("model").loc["random"]
    _close(res.heterogeneity["tau"].iloc[0], ref[method]["tau"])
    _close(rnd["log_estimate"], ref[method]["mu"])
    _close(rnd["std_error"], ref[method]["se"])
    studies = res.studies
    assert studies["n_compare"].tolist() == d["n1i"]
    assert studies["events_compare"].tolist() == d["ai"]
    assert studies["n_reference"].tolist() == d["n2i"]
    assert studies["events_reference"].tolist() == d["ci"]
    assert (studies["correction"] == 0).all()


# --------------------------------------------------------------------------------------
# Against metafor / meta at full precision (stored in statsmodels' tests)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "method", "method_ci"),
    [("PM", "PM", "z"), ("DL", "DL", "z"), ("DL_knha", "DL", "hartung_knapp")],
)
def test_kacker_full_precision(key, method, method_ci):
    ref = _load("meta_statsmodels_r.json")["kacker"]
    df = pd.DataFrame({"cohort": range(9), "y": ref["y"], "se": np.sqrt(ref["v"])})
    res = meta_analysis(df, estimate="y", std_error="se", method=method, method_ci=method_ci)
    r = ref[key]
    rnd = res.pooled.set_index("model").loc["random"]
    het = res.heterogeneity.iloc[0]
    assert rnd["log_estimate"] == pytest.approx(r["b"], rel=1e-9)
    assert rnd["std_error"] == pytest.approx(r["se"], rel=1e-7)
    assert rnd["statistic"] == pytest.approx(r["zval"], rel=1e-7)
    assert np.log(rnd["ci_low"]) == pytest.approx(r["ci_lb"], rel=1e-8)
    assert np.log(rnd["ci_high"]) == pytest.approx(r["ci_ub"], rel=1e-8)
    assert het["tau2"] == pytest.approx(r["tau2"], rel=1e-7)
    assert het["Q"] == pytest.approx(r["QE"], rel=1e-10)
    assert het["Q_p_value"] == pytest.approx(r["QEp"], rel=1e-8)
    assert het["I2"] * 100 == pytest.approx(r["I2"], rel=1e-7)
    assert het["H2"] == pytest.approx(r["H2"], rel=1e-7)
    if method_ci == "hartung_knapp":
        assert rnd["p_value"] == pytest.approx(r["pval"], rel=1e-7)
    fe = ref["FE"]
    fixed = res.pooled.set_index("model").loc["fixed"]
    assert fixed["log_estimate"] == pytest.approx(fe["b"], rel=1e-12)
    assert fixed["std_error"] == pytest.approx(fe["se"], rel=1e-10)
    assert np.log(fixed["ci_low"]) == pytest.approx(fe["ci_lb"], rel=1e-10)


def test_metabin_records_full_precision():
    ref = _load("meta_statsmodels_r.json")["metabin"]
    rec = _records(
        ref["event_e"],
        ref["n_e"],
        ref["event_c"],
        ref["n_c"],
        groups=("experimental", "control"),
        by="arm",
        study="study",
        label="S{:02d}",  # studies are listed in sorted label order
    )
    res = meta_analysis(
        rec,
        outcome="promoted",
        by="arm",
        study="study",
        reference="control",
        method="DL",
        method_ci="hartung_knapp",
    )
    st = res.studies
    np.testing.assert_allclose(st["log_estimate"], ref["TE"], rtol=1e-12)
    np.testing.assert_allclose(st["std_error"], ref["seTE"], rtol=1e-12)
    np.testing.assert_allclose(np.log(st["ci_low"]), ref["lower"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.log(st["ci_high"]), ref["upper"], rtol=1e-10)
    w_fixed, w_random = np.array(ref["w_fixed"]), np.array(ref["w_random"])
    np.testing.assert_allclose(st["weight_fixed"], w_fixed / w_fixed.sum(), rtol=1e-10)
    np.testing.assert_allclose(st["weight"], w_random / w_random.sum(), rtol=1e-9)
    pooled = res.pooled.set_index("model")
    assert pooled.loc["fixed", "log_estimate"] == pytest.approx(ref["TE_fixed"], rel=1e-12)
    assert pooled.loc["fixed", "std_error"] == pytest.approx(ref["seTE_fixed"], rel=1e-12)
    assert np.log(pooled.loc["fixed", "ci_low"]) == pytest.approx(ref["lower_fixed"], rel=1e-12)
    assert pooled.loc["fixed", "statistic"] == pytest.approx(ref["zval_fixed"], rel=1e-12)
    assert pooled.loc["fixed", "p_value"] == pytest.approx(ref["pval_fixed"], rel=1e-9)
    assert pooled.loc["random", "log_estimate"] == pytest.approx(ref["TE_random"], rel=1e-10)
    assert pooled.loc["random", "std_error"] == pytest.approx(ref["seTE_random"], rel=1e-10)
    assert np.log(pooled.loc["random", "ci_low"]) == pytest.approx(ref["lower_random"], rel=1e-9)
    assert np.log(pooled.loc["random", "ci_high"]) == pytest.approx(ref["upper_random"], rel=1e-9)
    assert pooled.loc["random", "p_value"] == pytest.approx(ref["pval_random"], rel=1e-8)
    het = res.heterogeneity.iloc[0]
    assert het["Q"] == pytest.approx(ref["Q"], rel=1e-12)
    assert het["Q_df"] == ref["df_Q"]
    assert het["Q_p_value"] == pytest.approx(ref["pval_Q"], rel=1e-10)
    assert het["tau2"] == pytest.approx(ref["tau2"], rel=1e-9)
    assert het["I2"] == pytest.approx(ref["I2"], rel=1e-9)
    assert het["H2"] == pytest.approx(ref["H"] ** 2, rel=1e-9)


# --------------------------------------------------------------------------------------
# Independent computations
# --------------------------------------------------------------------------------------


def test_reml_is_the_maximum_of_the_restricted_likelihood(bcg):
    rng = np.random.default_rng(7)
    cases = [_bcg_estimates(bcg, "OR")]
    for k in (3, 5, 12):
        se = rng.uniform(0.1, 0.8, size=k)
        cases.append(
            pd.DataFrame({"trial": range(k), "yi": rng.normal(0.3, 0.5, size=k), "sei": se})
        )
    for df in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SmallSampleWarning)
            res = meta_analysis(df, estimate="yi", std_error="sei", study="trial")
        expected = _reml_by_optimiser(df["yi"].to_numpy(), df["sei"].to_numpy() ** 2)
        assert res.heterogeneity["tau2"].iloc[0] == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_dl_and_pm_agree_with_statsmodels_combine_effects(bcg):
    from statsmodels.stats.meta_analysis import combine_effects

    df = _bcg_estimates(bcg, "OR")
    y, v = df["yi"].to_numpy(), df["sei"].to_numpy() ** 2
    for method, sm_method in (("DL", "dl"), ("PM", "iterated")):
        res = meta_analysis(df, estimate="yi", std_error="sei", study="trial", method=method)
        sm = combine_effects(y, v, method_re=sm_method, atol=1e-12, maxiter=1000)
        assert res.heterogeneity["tau2"].iloc[0] == pytest.approx(sm.tau2, rel=1e-8)
        rnd = res.pooled.set_index("model").loc["random"]
        assert rnd["log_estimate"] == pytest.approx(sm.mean_effect_re, rel=1e-8)
        assert rnd["std_error"] == pytest.approx(sm.sd_eff_w_re, rel=1e-8)


def test_zero_cell_gets_continuity_correction():
    rec = _records([0, 3, 4], [10, 12, 9], [2, 5, 1], [11, 10, 10])
    res = meta_analysis(rec, outcome="promoted", reference="woman", method="DL")
    st = res.studies.set_index("study")
    assert st.loc["S1", "correction"] == 0.5 and st.loc["S2", "correction"] == 0
    a, b, c, d = 0.5, 10.5, 2.5, 9.5  # cells + 0.5
    assert st.loc["S1", "log_estimate"] == pytest.approx(np.log(a * d / (b * c)), rel=1e-14)
    assert st.loc["S1", "std_error"] == pytest.approx(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
    assert st.loc["S2", "log_estimate"] == pytest.approx(np.log(3 * 5 / (9 * 5)), rel=1e-14)
    assert any("'S1' has a zero cell: 0.5 was added" in n for n in res.notes)


def test_uninformative_studies_are_dropped_and_named():
    rec = _records([0, 3, 4, 5, 2], [10, 12, 9, 5, 8], [0, 5, 1, 4, 3], [11, 10, 10, 4, 9])
    extra = pd.DataFrame({"cohort": "S6", "gender": "man", "promoted": [1, 0]})
    rec = pd.concat([rec, extra], ignore_index=True)
    res = meta_analysis(rec, outcome="promoted", method="REML")
    dropped = dict(zip(res.dropped["study"], res.dropped["reason"], strict=True))
    assert dropped == {
        "S1": "no 'promoted' events in either group",
        "S4": "everyone had 'promoted' in both groups",
        "S6": "nobody in group 'woman'",
    }
    assert res.studies["study"].tolist() == ["S2", "S3", "S5"]
    assert any("Study 'S4' dropped" in n for n in res.notes)
    assert "dropped" in res.tables()


def test_weights_and_study_intervals():
    rec = _records([3, 4, 7, 2], [12, 9, 20, 8], [5, 1, 6, 3], [10, 10, 21, 9])
    res = meta_analysis(rec, outcome="promoted", reference="woman")
    st = res.studies
    assert st["weight"].sum() == pytest.approx(1.0)
    assert st["weight_fixed"].sum() == pytest.approx(1.0)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(st["ci_low"], np.exp(st["log_estimate"] - z * st["std_error"]))
    np.testing.assert_allclose(st["estimate"], np.exp(st["log_estimate"]))
    assert st["n"].tolist() == [22, 19, 41, 17]
    assert st["events"].tolist() == [8, 5, 13, 5]


def test_default_reference_is_man_not_the_larger_group_and_flip_negates():
    rec = _records([3, 4, 7], [12, 9, 20], [5, 1, 6], [14, 12, 25])  # more women
    a = meta_analysis(rec, outcome="promoted")
    assert (a.reference, a.group) == ("man", "woman")
    assert any("compare 'woman' with 'man'" in n for n in a.notes)
    b = meta_analysis(rec, outcome="promoted", reference="woman")
    assert (b.reference, b.group) == ("woman", "man")
    np.testing.assert_allclose(b.studies["log_estimate"], -a.studies["log_estimate"])
    assert b.pooled["log_estimate"].iloc[1] == pytest.approx(-a.pooled["log_estimate"].iloc[1])
    c = meta_analysis(rec, outcome="promoted", group="man")
    assert (c.reference, c.group) == ("woman", "man")
    with pytest.warns(DeprecationWarning, match="compare="):
        d = meta_analysis(rec, outcome="promoted", compare="man")
    assert (d.reference, d.group, d.compare) == ("woman", "man", "man")


def test_more_than_two_groups_and_missing_values():
    rec = _records([3, 4, 7], [12, 9, 20], [5, 1, 6], [10, 10, 21])
    extra = pd.DataFrame(
        {
            "cohort": ["S1", "S2", None, "S1"],
            "gender": ["non_binary", "man", "man", None],
            "promoted": [1, None, 1, 0],
        }
    )
    rec = pd.concat([rec, extra], ignore_index=True)
    # three groups: women against men by default, the others left out and counted
    default = meta_analysis(rec, outcome="promoted")
    assert (default.group, default.reference) == ("woman", "man")
    assert default.excluded["'gender' is neither 'man' nor 'woman'"] == 1
    res = meta_analysis(rec, outcome="promoted", reference="woman", group="man")
    assert res.excluded == {
        "'promoted' missing": 1,
        "'gender' missing": 1,
        "'cohort' missing": 1,
        "'gender' is neither 'woman' nor 'man'": 1,
    }
    assert res.studies["n"].tolist() == [22, 19, 41]


def test_tau2_zero_gives_identical_models_and_note():
    df = pd.DataFrame({"cohort": ["a", "b", "c"], "y": [0.2, 0.21, 0.19], "se": [0.3, 0.4, 0.35]})
    res = meta_analysis(df, estimate="y", std_error="se")
    assert res.heterogeneity["tau2"].iloc[0] == 0
    fixed, rnd = res.pooled.iloc[0], res.pooled.iloc[1]
    assert rnd["log_estimate"] == pytest.approx(fixed["log_estimate"])
    assert rnd["std_error"] == pytest.approx(fixed["std_error"])
    assert any("tau² was estimated as 0" in n for n in res.notes)


def test_two_studies_warn_and_keep_warning():
    df = pd.DataFrame({"cohort": ["a", "b"], "y": [0.2, 0.9], "se": [0.3, 0.4]})
    with pytest.warns(SmallSampleWarning, match="Only 2 studies were pooled"):
        res = meta_analysis(df, estimate="y", std_error="se")
    assert res.warnings and "Only 2 studies" in res.warnings[0]


def test_estimates_with_missing_values_are_dropped():
    df = pd.DataFrame(
        {"cohort": ["a", "b", "c", None], "y": [0.2, None, 0.5, 0.1], "se": [0.3, 0.4, 0.2, 0.2]}
    )
    with pytest.warns(SmallSampleWarning):
        res = meta_analysis(df, estimate="y", std_error="se")
    assert res.dropped.to_dict("records") == [{"study": "b", "reason": "'y' or 'se' missing"}]
    assert any("1 row(s) left out because 'cohort' is missing" in n for n in res.notes)


def test_result_renders():
    df = pd.DataFrame({"cohort": ["a", "b", "c"], "y": [0.2, 0.5, 0.9], "se": [0.3, 0.4, 0.2]})
    res = meta_analysis(df, estimate="y", std_error="se")
    md = res.to_markdown()
    assert "*pooled*" in md and "*heterogeneity*" in md and "*studies*" in md
    assert "restricted maximum likelihood" in md
    assert "<table" in res._repr_html_()
    pd.testing.assert_frame_equal(res.to_frame(), res.pooled)


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_argument_errors():
    df = pd.DataFrame({"cohort": ["a", "b", "c"], "y": [0.2, 0.5, 0.9], "se": [0.3, 0.4, 0.2]})
    with pytest.raises(AnalysisError, match="Pass either estimate= and std_error= .* not both"):
        meta_analysis(df, estimate="y", std_error="se", outcome="promoted")
    with pytest.raises(AnalysisError, match="Name the input: estimate= and std_error="):
        meta_analysis(df, estimate="y")
    with pytest.raises(AnalysisError, match="method must be one of \\['DL', 'PM', 'REML'\\]"):
        meta_analysis(df, estimate="y", std_error="se", method="HE")
    with pytest.raises(AnalysisError, match="method_ci must be one of"):
        meta_analysis(df, estimate="y", std_error="se", method_ci="knha")
    with pytest.raises(AnalysisError, match="alpha must be a number between 0 and 1"):
        meta_analysis(df, estimate="y", std_error="se", alpha=1.5)
    with pytest.raises(ColumnError, match="Column 'study' not found"):
        meta_analysis(df, estimate="y", std_error="se", study="study")
    bad = df.assign(se=[0.3, 0.0, 0.2])
    with pytest.raises(AnalysisError, match="Study 'b': 'se' must be a positive finite number"):
        meta_analysis(bad, estimate="y", std_error="se")
    twice = pd.concat([df, df.iloc[[0]]])
    with pytest.raises(AnalysisError, match="Each study must appear once in column 'cohort'"):
        meta_analysis(twice, estimate="y", std_error="se")
    # method names are case-insensitive
    assert meta_analysis(df, estimate="y", std_error="se", method="dl").tau2_method == "DL"


def test_too_few_studies():
    rec = _records([0, 3], [10, 12], [0, 5], [11, 10])
    with pytest.raises(AnalysisError, match="at least two studies .* only 'S2' remained .*'S1'"):
        meta_analysis(rec, outcome="promoted")
    df = pd.DataFrame({"cohort": ["a"], "y": [0.2], "se": [0.3]})
    with pytest.raises(AnalysisError, match="at least two studies with usable data; only 'a'"):
        meta_analysis(df, estimate="y", std_error="se")


def test_group_errors():
    rec = _records([3, 4], [12, 9], [5, 1], [10, 10])
    with pytest.raises(AnalysisError, match="reference='non_binary' is not a group of 'gender'"):
        meta_analysis(rec, outcome="promoted", reference="non_binary")
    with pytest.raises(AnalysisError, match="group='x' is not a group of 'gender'"):
        meta_analysis(rec, outcome="promoted", group="x")
    with pytest.raises(AnalysisError, match="group and reference must be two different groups"):
        meta_analysis(rec, outcome="promoted", reference="man", group="man")
    one = rec[rec["gender"] == "man"]
    with pytest.raises(AnalysisError, match="only one group among the rows analysed \\('man'\\)"):
        meta_analysis(one, outcome="promoted")
    bad = rec.assign(promoted=rec["promoted"] * 2)
    with pytest.raises(AnalysisError, match="'promoted' must hold yes/no values"):
        meta_analysis(bad, outcome="promoted")
    with pytest.raises(ColumnError, match="Column 'outcome' not found"):
        meta_analysis(rec, outcome="outcome")


def test_hartung_knapp_adhoc_never_narrower_than_wald():
    # the studies agree more than chance suggests: Q < k - 1
    df = pd.DataFrame({"cohort": list("abcd"), "y": [0.30, 0.32, 0.29, 0.31], "se": [0.3] * 4})
    z = meta_analysis(df, estimate="y", std_error="se")
    hk = meta_analysis(df, estimate="y", std_error="se", method_ci="hartung_knapp")
    adhoc = meta_analysis(df, estimate="y", std_error="se", method_ci="hartung_knapp_adhoc")
    se_z, se_hk, se_adhoc = (r.pooled["std_error"].iloc[1] for r in (z, hk, adhoc))
    y, w = df["y"].to_numpy(), np.full(4, 1 / 0.09)
    mu = np.sum(w * y) / np.sum(w)
    assert se_hk == pytest.approx(np.sqrt(np.sum(w * (y - mu) ** 2) / (3 * np.sum(w))))
    assert se_hk < se_z
    assert se_adhoc == pytest.approx(se_z)
    t = stats.t.ppf(0.975, 3)
    assert np.log(adhoc.pooled["ci_high"].iloc[1]) == pytest.approx(mu + t * se_z)
    assert any("narrower than the Wald interval" in n for n in hk.notes)
    assert "ad hoc" in adhoc.pooled["method"].iloc[1]


def test_hartung_knapp_equal_estimates_explained():
    df = pd.DataFrame({"cohort": list("abc"), "y": [0.3, 0.3, 0.3], "se": [0.3, 0.2, 0.4]})
    res = meta_analysis(df, estimate="y", std_error="se", method_ci="hartung_knapp")
    assert np.isnan(res.pooled["p_value"].iloc[1])
    assert any("Hartung–Knapp standard error is 0" in n for n in res.notes)


# --------------------------------------------------------------------------------------
# Prediction interval (metafor predict.rma)
# --------------------------------------------------------------------------------------

PREDICTION = _load("meta_prediction_interval.json")
_METHOD_CI = {"z": "z", "knha": "hartung_knapp", "adhoc": "hartung_knapp_adhoc"}


@pytest.mark.parametrize("case", PREDICTION["cases"], ids=lambda c: c["label"])
def test_bcg_prediction_interval_matches_metafor_predict(bcg, case):
    df = _bcg_estimates(bcg, "OR")
    assert PREDICTION["data"]["tpos"] == bcg["data"]["tpos"]
    method = "REML" if case["method"] == "FE" else case["method"]
    res = meta_analysis(
        df,
        estimate="yi",
        std_error="sei",
        study="trial",
        method=method,
        method_ci=_METHOD_CI[case["test"]],
        alpha=1 - case["level"] / 100,
    )
    pooled = res.pooled.set_index("model")
    assert pooled.columns[:5].tolist() == ["estimate", "ci_low", "ci_high", "pi_low", "pi_high"]
    if case["method"] == "FE":
        fixed = pooled.loc["fixed"]
        assert fixed["log_estimate"] == pytest.approx(case["estimate"], rel=1e-10)
        assert np.log(fixed["ci_low"]) == pytest.approx(case["ci_lb"], rel=1e-10)
        # metafor's predict() gives no prediction interval for a fixed-effect model
        assert case["pi_lb"] is None
        assert np.isnan(fixed["pi_low"]) and np.isnan(fixed["pi_high"])
        return
    rnd = pooled.loc["random"]
    # with its default control metafor stops the tau² iterations at a change below 1e-5;
    # the other cases were run with threshold = tol = 1e-12
    rel = 1e-5 if case["control"] == "metafor defaults" else 1e-9
    assert res.heterogeneity["tau2"].iloc[0] == pytest.approx(case["tau2"], rel=rel)
    assert np.log(rnd["ci_low"]) == pytest.approx(case["ci_lb"], rel=rel)
    assert np.log(rnd["pi_low"]) == pytest.approx(case["pi_lb"], rel=rel)
    assert np.log(rnd["pi_high"]) == pytest.approx(case["pi_ub"], rel=rel)
    assert rnd["pi_low"] < rnd["ci_low"] < rnd["ci_high"] < rnd["pi_high"]
    if case["label"].startswith("reml_z") and case["level"] == 95:  # quoted in issue 12
        assert round(rnd["pi_low"], 4) == 0.1435 and round(rnd["pi_high"], 4) == 1.5696
    assert any("prediction interval" in n for n in res.notes)


def test_prediction_interval_equals_confidence_interval_when_tau2_is_zero():
    df = pd.DataFrame({"s": ["a", "b", "c"], "y": [0.2, 0.21, 0.19], "se": [0.3, 0.3, 0.3]})
    rnd = meta_analysis(df, estimate="y", std_error="se", study="s").pooled.iloc[1]
    assert rnd["pi_low"] == pytest.approx(rnd["ci_low"], rel=1e-12)
    assert rnd["pi_high"] == pytest.approx(rnd["ci_high"], rel=1e-12)
