"""Tests of mentoranalytics.stats.publish (model_table: models side by side).

References: R 4.2.2 logLik / AIC / BIC / McFadden pseudo-R² / R² of lm, glm, MASS::polr
and survival::coxph fits (tests/results/models_fit_statistics.json, produced by
models_fit_statistics.R beside it); statsmodels' Logit on individual rows for the
grouped (covariate-pattern) logistic fit.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.stats.publish import FIT_COLUMNS, ModelTable, fit_statistics, model_table

RESULTS = Path(__file__).parent / "results"
FIT = json.loads((RESULTS / "models_fit_statistics.json").read_text())
R_EXAMPLES = json.loads((RESULTS / "models_r_examples.json").read_text())
AML = json.loads((RESULTS / "survival_aml.json").read_text())["data"]

pytestmark = pytest.mark.filterwarnings("ignore::mentoranalytics.MentorAnalyticsWarning")


# --------------------------------------------------------------------------------------
# Reference data (as in tests/test_models.py and tests/test_survival.py)
# --------------------------------------------------------------------------------------


def plant() -> pd.DataFrame:
    ref = R_EXAMPLES["plant_weight_lm"]
    return pd.DataFrame(
        {
            "weight": ref["ctl"] + ref["trtA"] + ref["trtB"],
            "group": ["Ctl"] * 10 + ["A"] * 10 + ["B"] * 10,
        }
    )


def anther() -> pd.DataFrame:
    a = R_EXAMPLES["anther_glm"]
    rows = []
    for n, x, g, f in zip(a["n"], a["x"], a["g"], a["f"], strict=True):
        rows += [(True, str(g), f)] * x + [(False, str(g), f)] * (n - x)
    return pd.DataFrame(rows, columns=["y", "g", "f"])


def housing() -> pd.DataFrame:
    h = R_EXAMPLES["housing_polr"]
    rows = []
    i = 0
    for cont in h["cont"]:
        for typ in h["type"]:
            for infl in h["infl"]:
                for sat in h["sat"]:
                    rows += [(sat, infl, typ, cont)] * h["freq"][i]
                    i += 1
    df = pd.DataFrame(rows, columns=["sat", "infl", "type", "cont"])
    df["sat"] = pd.Categorical(df["sat"], categories=h["sat"], ordered=True)
    return df


def aml() -> pd.DataFrame:
    time = np.asarray(AML["time"], dtype=float)
    status = np.asarray(AML["status"], dtype=int)
    return pd.DataFrame(
        {
            "x": AML["x"],
            "promoted": status.astype(bool),
            "months_to_promotion": np.where(status == 1, time, np.nan),
            "followup_months": np.where(status == 1, np.nan, time),
        }
    )


@pytest.fixture(scope="module")
def fitted() -> dict[str, object]:
    return {
        "lm": ma.outcome_model(plant(), "weight", "group", reference={"group": "Ctl"}),
        "glm": ma.outcome_model(anther(), "y", ["g", "f"], reference={"g": "1"}),
        "polr": ma.outcome_model(
            housing(),
            "sat",
            ["infl", "type", "cont"],
            reference={"infl": "Low", "type": "Tower", "cont": "Low"},
        ),
        "cox_efron": ma.cox_model(aml(), "x", reference={"x": "Maintained"}),
        "cox_breslow": ma.cox_model(aml(), "x", ties="breslow", reference={"x": "Maintained"}),
    }


# --------------------------------------------------------------------------------------
# Fit statistics against R
# --------------------------------------------------------------------------------------

CASES = [
    ("lm", "plant_weight_lm", 1e-9),
    ("glm", "anther_glm", 1e-6),
    ("polr", "housing_polr", 1e-4),  # polr maximises with BFGS: about 5 decimals
    ("cox_efron", "aml_coxph_efron", 1e-6),
    ("cox_breslow", "aml_coxph_breslow", 1e-6),
]


@pytest.mark.parametrize(("key", "ref_key", "tol"), CASES)
def test_fit_statistics_match_r(fitted, key, ref_key, tol):
    ref = FIT[ref_key]
    stats = fit_statistics(fitted[key])
    assert stats["df"] == ref["df"]
    assert stats["log_likelihood"] == pytest.approx(ref["log_likelihood"], abs=tol)
    assert stats["aic"] == pytest.approx(ref["aic"], abs=2 * tol)
    assert stats["bic"] == pytest.approx(ref["bic"], abs=2 * tol)
    if "pseudo_r2" in ref:
        assert stats["pseudo_r2"] == pytest.approx(ref["pseudo_r2"], abs=tol)
    else:
        assert np.isnan(stats["pseudo_r2"])
    if "r_squared" in ref:
        assert stats["r_squared"] == pytest.approx(ref["r_squared"], abs=1e-12)
    else:
        assert np.isnan(stats["r_squared"])


def test_grouped_logistic_fit_statistics_are_those_of_the_rows(monkeypatch):
    import statsmodels.api as sm

    models_module = sys.modules["mentoranalytics.stats.models"]
    g = np.random.default_rng(8)
    n = 3000
    woman = g.random(n) < 0.45
    bold = g.random(n) < 0.35
    y = g.random(n) < special.expit(-1 + 0.5 * bold - 0.3 * woman)
    df = pd.DataFrame({"gender": np.where(woman, "woman", "man"), "bold": bold, "promoted": y})
    rows = fit_statistics(ma.outcome_model(df, "promoted", ["gender", "bold"], kind="logistic"))
    monkeypatch.setattr(models_module, "_GROUPED_ROWS", 100)
    grouped_res = ma.outcome_model(df, "promoted", ["gender", "bold"], kind="logistic")
    assert any("covariate patterns" in note for note in grouped_res.notes)
    grouped = fit_statistics(grouped_res)
    X = np.column_stack([np.ones(n), woman, bold]).astype(float)
    ref = sm.Logit(y.astype(float), X).fit(disp=0)
    for stats in (rows, grouped):
        assert stats["log_likelihood"] == pytest.approx(ref.llf, rel=1e-9)
        assert stats["aic"] == pytest.approx(ref.aic, rel=1e-9)
        assert stats["bic"] == pytest.approx(ref.bic, rel=1e-9)
        assert stats["pseudo_r2"] == pytest.approx(ref.prsquared, rel=1e-7)


def test_firth_reports_its_penalised_log_likelihood():
    df = pd.DataFrame(
        {"gender": ["woman"] * 6 + ["man"] * 6, "promoted": [True] + [False] * 5 + [True] * 6}
    )
    res = ma.outcome_model(df, "promoted", "gender")
    assert res.kind == "firth"
    stats = fit_statistics(res)
    assert stats["log_likelihood"] == pytest.approx(res.model.loglik)
    assert np.isnan(stats["aic"]) and np.isnan(stats["pseudo_r2"])
    assert "penalised" in stats["note"]


# --------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------


def test_model_table_columns_and_cells(fitted):
    tab = model_table([fitted["glm"], fitted["cox_efron"]], names=["Anther", "AML"])
    assert isinstance(tab, ModelTable)
    assert list(tab.fit.columns) == list(FIT_COLUMNS)
    assert tab.fit["n"].tolist() == [fitted["glm"].n, 23]
    assert tab.fit["events"].tolist() == [fitted["glm"].events, 18]
    shown = tab.display(digits=2)
    assert list(shown.columns) == ["Anther", "AML"]
    assert shown.loc["Estimate"].tolist() == ["odds ratio", "hazard ratio"]
    row = fitted["glm"].table.set_index("term").loc["g[2]"]
    expected = f"{row.estimate:.2f} ({row.ci_low:.2f} to {row.ci_high:.2f})"
    assert shown.loc["g[2]", "Anther"] == expected and shown.loc["g[2]", "AML"] == ""
    cox = fitted["cox_efron"].table.iloc[0]
    assert (
        shown.loc[cox.term, "AML"] == f"{cox.estimate:.2f} ({cox.ci_low:.2f} to {cox.ci_high:.2f})"
    )
    assert shown.loc["AIC", "Anther"] == f"{FIT['anther_glm']['aic']:.2f}"
    assert shown.loc["n", "AML"] == "23" and shown.loc["Events", "AML"] == "18"
    assert "R²" not in shown.index  # defined for neither model


def test_model_table_se_style_shows_log_coefficients(fitted):
    tab = model_table([fitted["glm"], fitted["lm"]])
    shown = tab.display(digits=4, style="coef (SE)")
    ref = R_EXAMPLES["anther_glm"]["main"]
    cell = shown.loc["f", "(1)"]
    b, se = (float(v) for v in re.match(r"(-?[\d.]+) \((-?[\d.]+)\)", cell).groups())
    assert b == pytest.approx(ref["coef"][2], abs=5e-5)
    assert se == pytest.approx(ref["se"][2], abs=5e-5)
    lm_ref = R_EXAMPLES["plant_weight_lm"]
    assert shown.loc["group[A]", "(2)"] == f"{lm_ref['estimate'][1]:.4f} ({lm_ref['se'][1]:.4f})"
    assert shown.loc["Estimate"].tolist() == ["log odds ratio", "coefficient"]
    with pytest.raises(AnalysisError, match="standard errors of odds and hazard ratios"):
        tab.display(style="OR (SE)")
    with pytest.raises(AnalysisError, match="states a 90% interval"):
        tab.display(style="OR (90% CI)")


def test_model_table_terms_labels_and_stars(fitted):
    tab = model_table(
        {"Anther": fitted["glm"]}, terms={"g[2]": "Group 2 (vs 1)", "f": "Dose"}, stars=True
    )
    shown = tab.display()
    assert shown.index.tolist()[:3] == ["Estimate", "Group 2 (vs 1)", "Dose"]
    assert "intercept" not in shown.index
    p = fitted["glm"].table.set_index("term").loc["g[2]", "p_value"]
    assert 0.01 < p < 0.05 and shown.loc["Group 2 (vs 1)", "Anther"].endswith(")*")
    assert "* p < 0.05" in tab.to_markdown()


def test_model_table_exports(fitted, tmp_path):
    tab = model_table([fitted["glm"], fitted["polr"], fitted["lm"], fitted["cox_efron"]])
    md = tab.to_markdown(digits=2)
    assert md.splitlines()[2] == "|  | (1) | (2) | (3) | (4) |"
    assert "Cells: estimate (95% confidence interval)." in md
    assert md.count("logistic regression (maximum likelihood)") == 1  # methods once
    latex = tab.to_latex(caption="Models", label="tab:models")
    assert "\\begin{tabular}{lrrrr}" in latex and "\\label{tab:models}" in latex
    assert "Pseudo R\\textsuperscript{2} (McFadden)" in latex
    assert re.match(r"^[\x20-\x7e\n]*$", latex)
    body = latex.split("\\midrule\n")[1].split("\n\\bottomrule")[0]
    assert all(len(re.split(r"(?<!\\)&", line)) == 5 for line in body.splitlines())
    assert not re.search(r"(?<!\\)_", body)
    wide = pd.read_csv(io.StringIO(tab.to_csv(digits=3)), keep_default_na=False)
    assert list(wide.columns)[1:] == ["(1)", "(2)", "(3)", "(4)"]
    assert wide.iloc[:, 0].tolist()[:2] == ["Estimate", "intercept"]
    tidy = pd.read_csv(io.StringIO(tab.to_csv(table="estimates")))
    pd.testing.assert_frame_equal(tidy, tab.estimates, check_dtype=False)
    fit = pd.read_csv(io.StringIO(tab.to_csv(table="fit")))
    assert fit["aic"].tolist() == pytest.approx(tab.fit["aic"].tolist())
    only = tab.to_markdown(columns=["(2)", "(4)"])
    assert only.splitlines()[2] == "|  | (2) | (4) |"
    with pytest.raises(AnalysisError, match=r"columns \['\(9\)'\] are not models"):
        tab.to_markdown(columns=["(9)"])


def test_model_table_errors(fitted):
    with pytest.raises(AnalysisError, match="models is empty"):
        model_table([])
    with pytest.raises(AnalysisError, match="takes results of outcome_model and cox_model"):
        model_table([ma.compare_rates(anther(), "y", by="g")])
    with pytest.raises(AnalysisError, match="names has 1 entries for 2 models"):
        model_table([fitted["lm"], fitted["glm"]], names=["a"])
    with pytest.raises(AnalysisError, match="names must differ"):
        model_table([fitted["lm"], fitted["glm"]], names=["a", "a"])
    with pytest.raises(AnalysisError, match=r"terms \['age'\] are in none of the models"):
        model_table([fitted["lm"]], terms=["age"])
    with pytest.raises(AnalysisError, match="models must be a list"):
        model_table(fitted["lm"])  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="either as the keys of models or as names="):
        model_table({"a": fitted["lm"]}, names=["b"])


def test_model_table_leaves_the_results_unchanged(fitted):
    before = fitted["glm"].table.copy()
    model_table([fitted["glm"]]).to_latex(style="log OR (SE)")
    pd.testing.assert_frame_equal(fitted["glm"].table, before)


def test_public_name():
    assert ma.model_table is model_table
    assert "model_table" in ma.__all__
