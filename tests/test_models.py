"""Tests for stats.models (outcome_model) and stats.firth (Firth logistic regression).

References (tests/results/):
* models_firth_logistf.json: R logistf on logistf::sex2 and on the Heinze & Schemper
  (2002) endometrial data;
* models_r_examples.json: R lm and glm outputs of demo(lm.glm) (Dobson 1990) and
  MASS::polr on MASS::housing.
Independent computations in this file: maximum likelihood by scipy.optimize on
log-likelihoods written out here, and profile likelihoods evaluated by scipy.optimize.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError, ColumnError, SeparationWarning
from mentoranalytics.stats import firth as firth_module
from mentoranalytics.stats.firth import FirthError, detect_separation, firth_logit
from mentoranalytics.stats.models import ModelResult, outcome_model

RESULTS = Path(__file__).parent / "results"


def _load(name: str) -> dict:
    return json.loads((RESULTS / name).read_text())


# --------------------------------------------------------------------------------------
# Reference data sets
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def firth_ref() -> dict:
    return _load("models_firth_logistf.json")


@pytest.fixture(scope="module")
def r_ref() -> dict:
    return _load("models_r_examples.json")


@pytest.fixture(scope="module")
def sex2(firth_ref: dict) -> pd.DataFrame:
    block = firth_ref["sex2"]
    cols = block["columns"][:-1]
    rows = []
    for pattern in block["patterns"]:
        rows += [pattern[:-1]] * pattern[-1]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture(scope="module")
def endometrial(firth_ref: dict) -> pd.DataFrame:
    block = firth_ref["endometrial"]
    return pd.DataFrame(block["rows"], columns=block["columns"])


@pytest.fixture(scope="module")
def anther(r_ref: dict) -> pd.DataFrame:
    a = r_ref["anther_glm"]
    rows = []
    for n, x, g, f in zip(a["n"], a["x"], a["g"], a["f"], strict=True):
        rows += [(True, str(g), f)] * x + [(False, str(g), f)] * (n - x)
    return pd.DataFrame(rows, columns=["y", "g", "f"])


@pytest.fixture(scope="module")
def housing(r_ref: dict) -> pd.DataFrame:
    h = r_ref["housing_polr"]
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


@pytest.fixture
def cohort(rng: np.random.Generator) -> pd.DataFrame:
    n = 300
    df = pd.DataFrame(
        {
            "gender": rng.choice(["woman", "man", "non_binary"], n, p=[0.45, 0.45, 0.1]),
            "bold_choice": rng.random(n) < 0.4,
            "age": rng.normal(40, 8, n),
        }
    )
    lp = -0.5 + 0.6 * df["bold_choice"] - 0.4 * (df["gender"] == "woman") + 0.02 * (df["age"] - 40)
    df["promoted"] = rng.random(n) < special.expit(lp)
    df["career_satisfaction"] = np.clip(np.round(3 + lp + rng.normal(0, 1, n)), 1, 5).astype(int)
    df["days"] = 30 + 10 * df["bold_choice"] + rng.normal(0, 5, n)
    return df


def _log_or(table: pd.DataFrame) -> pd.Series:
    return np.log(table.set_index("term")["estimate"])


# --------------------------------------------------------------------------------------
# Firth against R logistf
# --------------------------------------------------------------------------------------


def test_firth_matches_logistf_on_sex2(sex2: pd.DataFrame, firth_ref: dict) -> None:
    ref = firth_ref["sex2"]
    with pytest.warns(SeparationWarning, match="separation"):
        res = outcome_model(sex2, "case", ["age", "oc", "vic", "vicl", "vis", "dia"])
    assert res.kind == "firth"
    assert res.separation == "quasi-complete"
    assert "dia" in res.reason
    assert res.warnings and "separat" in res.warnings[0]
    table = res.table.set_index("term").loc[ref["terms"]]
    # logistf stops at |step| < 1e-5, so its printed estimates agree to about 1e-6
    np.testing.assert_allclose(np.log(table["estimate"]), ref["coef"], atol=2e-6)
    np.testing.assert_allclose(res.model.bse.loc[ref["terms"]], ref["se"], atol=2e-6)
    np.testing.assert_allclose(table["std_error"], ref["se"], atol=2e-6)
    # profile limits: logistf's own convergence tolerance is 1e-5
    np.testing.assert_allclose(np.log(table["ci_low"]), ref["lower_95"], atol=2e-5)
    np.testing.assert_allclose(np.log(table["ci_high"]), ref["upper_95"], atol=2e-5)
    np.testing.assert_allclose(res.model.chi2.loc[ref["terms"]], ref["chisq"], rtol=1e-6)
    np.testing.assert_allclose(table["p_value"], ref["p"], rtol=1e-5)
    assert (table["method"].str.contains("Firth")).all()
    assert list(table["measure"]) == ["baseline_odds"] + ["odds_ratio"] * 6


def test_separation_warning_points_at_the_caller(sex2: pd.DataFrame) -> None:
    with pytest.warns(SeparationWarning) as record:
        outcome_model(sex2, "case", ["age", "dia"])
    assert record[0].filename == __file__


def test_firth_matches_logistf_on_endometrial(endometrial: pd.DataFrame, firth_ref: dict) -> None:
    ref = firth_ref["endometrial"]
    with pytest.warns(SeparationWarning):
        res = outcome_model(endometrial, "HG", ["NV", "PI", "EH"])
    assert res.kind == "firth"
    assert res.separation is not None
    table = res.table.set_index("term").loc[ref["terms"]]
    np.testing.assert_allclose(np.log(table["estimate"]), ref["coef"], atol=2e-6)
    np.testing.assert_allclose(np.log(table["ci_low"]), ref["lower_95"], atol=2e-5)
    np.testing.assert_allclose(np.log(table["ci_high"]), ref["upper_95"], atol=2e-5)


def _penalised_loglik(beta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Firth's penalised log-likelihood written out independently."""
    eta = X @ beta
    p = special.expit(eta)
    ll = np.sum(y * eta - np.log1p(np.exp(eta)))
    info = X.T @ (X * (p * (1 - p))[:, None])
    return float(ll + 0.5 * np.linalg.slogdet(info)[1])


def test_firth_against_brute_force_optimisation(rng: np.random.Generator) -> None:
    n = 40
    x = rng.normal(size=n)
    g = (rng.random(n) < 0.5).astype(float)
    y = ((x + 2 * g + rng.normal(size=n)) > 1).astype(float)
    y[g == 0] = 0.0  # quasi-complete separation by g
    X = np.column_stack([np.ones(n), x, g])
    assert detect_separation(X, y) == "quasi-complete"
    fit = firth_logit(X, y, names=["intercept", "x", "g"])
    brute = optimize.minimize(
        lambda b: -_penalised_loglik(b, X, y),
        np.zeros(3),
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000, "maxfev": 40000},
    )
    np.testing.assert_allclose(fit.params.to_numpy(), brute.x, atol=1e-5)
    assert fit.loglik == pytest.approx(-brute.fun, abs=1e-9)
    # each profile limit solves 2 (lmax - lprofile(b)) = chi2_1(0.95), with the profile
    # maximised here by scipy over the other coefficients
    q = stats.chi2.ppf(0.95, 1)
    for j, name in [(1, "x"), (2, "g")]:
        for bound in fit.conf_int.loc[name]:
            others = [k for k in range(3) if k != j]

            def neg(
                b_other: np.ndarray, value: float = bound, j: int = j, others: list = others
            ) -> float:
                beta = np.empty(3)
                beta[j] = value
                beta[others] = b_other
                return -_penalised_loglik(beta, X, y)

            prof = optimize.minimize(neg, fit.params.to_numpy()[others], method="BFGS", tol=1e-12)
            assert 2 * (fit.loglik + prof.fun) == pytest.approx(q, abs=1e-5)
        # the penalised likelihood-ratio statistic at 0
        restricted = optimize.minimize(
            lambda b, j=j: -_penalised_loglik(np.insert(b, j, 0.0), X, y),
            np.zeros(2),
            method="BFGS",
            tol=1e-12,
        )
        assert fit.chi2[name] == pytest.approx(2 * (fit.loglik + restricted.fun), abs=1e-6)


def test_firth_profile_subset_and_summary(sex2: pd.DataFrame) -> None:
    X = sex2[["age", "dia"]].astype(float)
    X.insert(0, "intercept", 1.0)
    fit = firth_logit(X, sex2["case"].to_numpy(), profile=["dia"])
    assert np.isnan(fit.conf_int.loc["age", "lower"])
    assert np.isfinite(fit.conf_int.loc["dia", "lower"])
    frame = fit.summary_frame()
    assert list(frame.columns) == ["coef", "se", "lower", "upper", "chi2", "p_value"]
    assert fit.converged and fit.nobs == len(sex2)


def test_firth_unnamed_arrays_get_default_names() -> None:
    X = np.column_stack([np.ones(8), [0, 0, 0, 0, 1, 1, 1, 1]])
    y = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    fit = firth_logit(X, y)
    assert list(fit.params.index) == ["x0", "x1"]


def test_detect_separation_kinds() -> None:
    X = np.column_stack([np.ones(6), [1, 2, 3, 4, 5, 6]])
    assert detect_separation(X, np.array([0, 0, 0, 1, 1, 1])) == "complete"
    assert detect_separation(X, np.array([0, 1, 0, 1, 0, 1])) is None
    Xq = np.column_stack([np.ones(6), [0, 0, 0, 1, 1, 1]])
    assert detect_separation(Xq, np.array([0, 0, 1, 1, 1, 1])) == "quasi-complete"


def test_detect_separation_on_many_repeated_rows() -> None:
    # 30,000 rows in 8 distinct (x, y) rows: the programmes use each once, weighted by
    # its count.  The kinds are known by construction (as in the small cases above).
    g = np.random.default_rng(4)
    a = g.integers(0, 2, 30_000).astype(float)
    b = g.integers(0, 2, 30_000).astype(float)
    X = np.column_stack([np.ones(30_000), a, b])
    overlap = g.integers(0, 2, 30_000).astype(float)
    assert detect_separation(X, overlap) is None
    assert firth_module.separating_columns(X, overlap) is None
    assert detect_separation(X, a) == "complete"  # y = a: a separates completely
    quasi = a * overlap  # no events where a = 0: quasi-complete
    assert detect_separation(X, quasi) == "quasi-complete"
    direction = firth_module.separating_columns(X, quasi)
    assert direction is not None and direction[1] != 0


def test_firth_failure_becomes_analysis_error(
    monkeypatch: pytest.MonkeyPatch, sex2: pd.DataFrame
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise FirthError("Fisher information became singular.")

    monkeypatch.setattr("mentoranalytics.stats.models.firth_logit", boom)
    with (
        pytest.raises(
            AnalysisError, match="Firth-penalised logistic regression could not be fitted"
        ),
        pytest.warns(SeparationWarning),
    ):
        outcome_model(sex2, "case", ["age", "dia"], kind="firth")


def test_firth_maximise_raises_on_singular_start() -> None:
    X = np.column_stack([np.ones(4), np.ones(4)])
    with pytest.raises(FirthError, match="singular"):
        firth_module._maximise(X, np.array([0.0, 1.0, 0.0, 1.0]), np.zeros(2), np.ones(2, bool))


# --------------------------------------------------------------------------------------
# Ordinary models against R
# --------------------------------------------------------------------------------------


def test_linear_matches_r_lm_plant_weight(r_ref: dict) -> None:
    ref = r_ref["plant_weight_lm"]
    df = pd.DataFrame(
        {
            "weight": ref["ctl"] + ref["trtA"] + ref["trtB"],
            "group": ["Ctl"] * 10 + ["A"] * 10 + ["B"] * 10,
        }
    )
    res = outcome_model(df, "weight", "group", reference={"group": "Ctl"})
    assert res.kind == "linear"
    table = res.table.set_index("term").loc[ref["terms"]]
    np.testing.assert_allclose(table["estimate"], ref["estimate"], atol=1e-12)
    np.testing.assert_allclose(res.model.bse, ref["se"], rtol=1e-6)
    np.testing.assert_allclose(table["std_error"], ref["se"], rtol=1e-6)
    assert table["n"].tolist() == [30, 10, 10]  # every row for the intercept; per group
    assert "events" not in res.table.columns  # not a yes/no outcome
    np.testing.assert_allclose(res.model.tvalues.iloc[:2], ref["t"][:2], rtol=1e-6)
    np.testing.assert_allclose(table["p_value"].iloc[:2], ref["p"][:2], rtol=1e-5)
    assert table["p_value"].iloc[2] == pytest.approx(ref["p"][2], abs=5e-6)
    half = stats.t.ppf(0.975, ref["df_resid"]) * np.array(ref["se"])
    np.testing.assert_allclose(table["ci_low"], np.array(ref["estimate"]) - half, rtol=1e-6)
    np.testing.assert_allclose(table["ci_high"], np.array(ref["estimate"]) + half, rtol=1e-6)
    assert list(table["measure"]) == ["intercept", "coefficient", "coefficient"]
    assert res.events is None


@pytest.mark.parametrize("part", ["main", "interaction"])
def test_logistic_matches_r_glm_anther(anther: pd.DataFrame, r_ref: dict, part: str) -> None:
    ref = r_ref["anther_glm"][part]
    inter = ("g", "f") if part == "interaction" else None
    res = outcome_model(anther, "y", ["g", "f"], interaction=inter, reference={"g": "1"})
    assert res.kind == "logistic"
    assert "ordinary logistic" in res.reason
    table = res.table.set_index("term").loc[ref["terms"]]
    np.testing.assert_allclose(np.log(table["estimate"]), ref["coef"], atol=1e-6)
    np.testing.assert_allclose(res.model.bse, ref["se"], rtol=2e-4, atol=5e-7)
    np.testing.assert_allclose(table["std_error"], ref["se"], rtol=2e-4, atol=5e-7)
    a = r_ref["anther_glm"]
    in_g2 = [g == 2 for g in a["g"]]
    n_g2 = sum(n for n, on in zip(a["n"], in_g2, strict=True) if on)
    x_g2 = sum(x for x, on in zip(a["x"], in_g2, strict=True) if on)
    assert (table.loc["intercept", "n"], table.loc["intercept", "events"]) == (
        sum(a["n"]),
        sum(a["x"]),
    )
    assert (table.loc["g[2]", "n"], table.loc["g[2]", "events"]) == (n_g2, x_g2)
    assert table.loc["f", "n"] == sum(a["n"])  # a numeric predictor: every row
    np.testing.assert_allclose(table["p_value"], ref["p"], atol=5e-5)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(
        np.log(table["ci_low"]), np.array(ref["coef"]) - z * np.array(ref["se"]), atol=2e-6
    )
    assert res.events == int(anther["y"].sum())
    if part == "interaction":
        within = res.within.set_index("level")
        # effect of f within g = 2 is f + g[2]:f (R coefficients)
        assert np.log(within.loc["2", "estimate"]) == pytest.approx(
            ref["coef"][2] + ref["coef"][3], abs=2e-6
        )
        assert np.log(within.loc["1", "estimate"]) == pytest.approx(ref["coef"][2], abs=1e-6)
        # its Wald interval from the covariance of the two coefficients
        cov = res.model.cov_params().to_numpy()
        c = np.array([0, 0, 1, 1])
        se = np.sqrt(c @ cov @ c)
        est = ref["coef"][2] + ref["coef"][3]
        assert np.log(within.loc["2", "ci_low"]) == pytest.approx(est - z * se, abs=1e-5)
        assert within.loc["2", "p_value"] == pytest.approx(
            2 * stats.norm.sf(abs(est / se)), rel=1e-3
        )


def test_ordinal_matches_r_polr_housing(housing: pd.DataFrame, r_ref: dict) -> None:
    ref = r_ref["housing_polr"]
    res = outcome_model(
        housing,
        "sat",
        ["infl", "type", "cont"],
        reference={"infl": "Low", "type": "Tower", "cont": "Low"},
    )
    assert res.kind == "ordinal"
    assert "ordered categorical" in res.reason
    table = res.table.set_index("term").loc[ref["terms"]]
    np.testing.assert_allclose(np.log(table["estimate"]), ref["coef"], atol=2e-6)
    np.testing.assert_allclose(res.model.bse.loc[ref["terms"]], ref["se"], atol=1e-6)
    np.testing.assert_allclose(table["std_error"], ref["se"], atol=1e-6)
    counts = housing.groupby("infl", observed=True).size()
    assert table.loc["infl[High]", "n"] == counts["High"]
    params = np.asarray(res.model.params)
    thresholds = [params[6], params[6] + np.exp(params[7])]
    np.testing.assert_allclose(thresholds, ref["thresholds"], atol=2e-6)
    assert -2 * res.model.llf == pytest.approx(ref["deviance"], abs=1e-3)
    assert (table["measure"] == "cumulative_odds_ratio").all()


def test_logistic_against_independent_likelihood(cohort: pd.DataFrame) -> None:
    res = outcome_model(
        cohort, "promoted", ["gender", "bold_choice", "age"], reference={"gender": "man"}
    )
    assert res.kind == "logistic"
    X = np.column_stack(
        [
            np.ones(len(cohort)),
            cohort["gender"] == "woman",
            cohort["gender"] == "non_binary",
            cohort["bold_choice"],
            cohort["age"],
        ]
    ).astype(float)
    y = cohort["promoted"].to_numpy(float)

    def negll(b: np.ndarray) -> float:
        eta = X @ b
        return float(-np.sum(y * eta - np.logaddexp(0, eta)))

    def grad(b: np.ndarray) -> np.ndarray:
        return -X.T @ (y - special.expit(X @ b))

    fit = optimize.minimize(negll, np.zeros(5), jac=grad, method="BFGS", options={"gtol": 1e-10})
    p = special.expit(X @ fit.x)
    se = np.sqrt(np.diag(np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))))
    terms = ["intercept", "gender[woman]", "gender[non_binary]", "bold_choice", "age"]
    table = res.table.set_index("term").loc[terms]
    np.testing.assert_allclose(np.log(table["estimate"]), fit.x, atol=1e-6)
    np.testing.assert_allclose(np.log(table["ci_high"]), fit.x + 1.959963984540054 * se, atol=1e-6)
    np.testing.assert_allclose(table["p_value"], 2 * stats.norm.sf(np.abs(fit.x / se)), rtol=1e-5)


# --------------------------------------------------------------------------------------
# Choice of model and its reasons
# --------------------------------------------------------------------------------------


def test_auto_kinds_and_reasons(cohort: pd.DataFrame) -> None:
    logistic = outcome_model(cohort, "promoted", ["gender", "bold_choice"])
    assert logistic.kind == "logistic" and "per parameter" in logistic.reason
    ordinal = outcome_model(cohort, "career_satisfaction", ["gender"])
    assert ordinal.kind == "ordinal" and "schema" in ordinal.reason
    linear = outcome_model(cohort, "days", ["bold_choice"])
    assert linear.kind == "linear" and "continuous" in linear.reason
    renamed = cohort.rename(columns={"career_satisfaction": "score"})
    by_values = outcome_model(renamed, "score", ["gender"])
    assert by_values.kind == "ordinal" and "whole-number values" in by_values.reason
    forced = outcome_model(renamed, "score", ["gender"], kind="linear")
    assert forced.kind == "linear" and "requested" in forced.reason


def test_few_events_choose_firth_without_warning(cohort: pd.DataFrame) -> None:
    small = cohort[cohort["gender"] != "non_binary"].iloc[:40]
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeparationWarning)
        res = outcome_model(small, "promoted", ["gender", "bold_choice", "age"])
    assert res.kind == "firth"
    assert "fewer than 10" in res.reason
    assert res.warnings == ()


def test_zero_event_category_chooses_firth() -> None:
    df = pd.DataFrame(
        {
            "gender": ["woman"] * 30 + ["man"] * 30 + ["non_binary"] * 4,
            "promoted": [True] * 12 + [False] * 18 + [True] * 15 + [False] * 15 + [False] * 4,
        }
    )
    with pytest.warns(SeparationWarning):
        res = outcome_model(df, "promoted", "gender", reference="woman")
    assert res.kind == "firth"
    assert "no events among gender = non_binary" in res.reason
    est = res.table.set_index("term").loc["gender[non_binary]"]
    assert 0 < est["estimate"] < 1 and np.isfinite(est["ci_high"])


def test_forced_kinds(cohort: pd.DataFrame) -> None:
    firth = outcome_model(cohort, "promoted", ["bold_choice"], kind="firth")
    assert firth.kind == "firth" and "kind='firth' was requested" in firth.reason
    logistic = outcome_model(cohort.iloc[:40], "promoted", ["bold_choice"], kind="logistic")
    assert logistic.kind == "logistic"
    ordinal = outcome_model(cohort, "promoted", ["bold_choice"], kind="ordinal")
    assert ordinal.kind == "ordinal"
    assert ordinal.table["term"].tolist() == ["bold_choice"]


def test_reference_levels_and_notes(cohort: pd.DataFrame) -> None:
    res = outcome_model(cohort, "days", ["gender", "bold_choice"])
    assert res.references == {"gender": "man", "bold_choice": False}  # never the largest
    assert any("Reference level of 'gender': 'man' (the default for gender" in note
               for note in res.notes)  # fmt: skip
    by_name = outcome_model(cohort, "days", ["gender"], reference="non_binary")
    assert by_name.references["gender"] == "non_binary"
    flipped = outcome_model(cohort, "days", ["bold_choice"], reference={"bold_choice": True})
    assert flipped.table["term"].tolist() == ["intercept", "bold_choice[False]"]
    assert flipped.table["estimate"].iloc[1] == pytest.approx(
        -outcome_model(cohort, "days", ["bold_choice"]).table["estimate"].iloc[1]
    )


def test_default_reference_is_man_then_the_first_in_order() -> None:
    df = pd.DataFrame(
        {"gender": ["man", "woman"] * 10, "days": np.arange(20.0) % 7 + np.arange(20) % 2}
    )
    res = outcome_model(df, "days", ["gender"])
    assert res.references["gender"] == "man"  # the gender-gap comparator
    no_men = df.assign(gender=["non_binary", "woman"] * 10)
    assert outcome_model(no_men, "days", ["gender"]).references["gender"] == "woman"


def test_interaction_within_levels_equal_reparametrised_fits(cohort: pd.DataFrame) -> None:
    res = outcome_model(
        cohort, "days", ["gender", "bold_choice"], interaction=("gender", "bold_choice")
    )
    assert "gender[woman]:bold_choice" in set(res.table["term"])
    within = res.within.set_index("level")
    assert set(within.index) == {"woman", "man", "non_binary"}
    coef = res.table.set_index("term")["estimate"]
    ref = res.references["gender"]
    for level in within.index:
        expected = coef["bold_choice"] + (
            0 if level == ref else coef[f"gender[{level}]:bold_choice"]
        )
        assert within.loc[level, "estimate"] == pytest.approx(expected, abs=1e-10)
    assert "effects within levels" in res.tables()


def test_interaction_adds_missing_predictor_and_numeric_first(cohort: pd.DataFrame) -> None:
    res = outcome_model(cohort, "days", ["gender"], interaction=("gender", "bold_choice"))
    assert "bold_choice" in res.predictors
    assert any("added to the predictors" in n for n in res.notes)
    numeric = outcome_model(
        cohort, "days", ["age", "bold_choice"], interaction=("age", "bold_choice")
    )
    assert numeric.within is None
    assert any("is numeric" in n for n in numeric.notes)


def test_firth_interaction_within_uses_profile_limits(cohort: pd.DataFrame) -> None:
    with pytest.warns(SeparationWarning):
        res = outcome_model(
            cohort.iloc[:60],
            "promoted",
            ["gender", "bold_choice"],
            interaction=("gender", "bold_choice"),
        )
    assert res.kind == "firth"
    assert res.separation is not None
    assert res.within["method"].str.contains("profile").all()
    assert np.isfinite(res.within["ci_low"]).all()


def test_missing_rows_are_counted(cohort: pd.DataFrame) -> None:
    df = cohort.copy()
    df["promoted"] = df["promoted"].astype(object)
    df.loc[df.index[:7], "age"] = np.nan
    df.loc[df.index[5:9], "promoted"] = None
    res = outcome_model(df, "promoted", ["bold_choice", "age"])
    assert res.n == len(df) - 9
    assert res.n_excluded == 9
    assert any("9 of 300 rows were left out" in n for n in res.notes)


def test_text_yes_no_and_ordered_categorical() -> None:
    df = pd.DataFrame(
        {
            "outcome": ["yes", "no", "Yes", "NO", "y", "n"] * 5,
            "level": pd.Categorical(
                ["low", "mid", "high"] * 10, ["low", "mid", "high"], ordered=True
            ),
            "x": np.linspace(0, 1, 30),
        }
    )
    res = outcome_model(df, "outcome", ["x"])
    assert res.events == 15
    ordinal = outcome_model(df, "level", ["x"])
    assert ordinal.kind == "ordinal"


def test_input_unchanged_and_rendering(cohort: pd.DataFrame) -> None:
    before = cohort.copy()
    for outcome in ("promoted", "career_satisfaction", "days"):
        res = outcome_model(
            cohort, outcome, ["gender", "bold_choice"], interaction=("gender", "bold_choice")
        )
        assert isinstance(res, ModelResult)
    pd.testing.assert_frame_equal(cohort, before)
    assert "Outcome model" in res.to_markdown()
    assert "<table" in res._repr_html_()
    assert list(res.to_frame().columns) == [
        "term",
        "measure",
        "n",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "std_error",
        "method",
    ]  # a linear model: no events column


def test_public_api_name() -> None:
    assert ma.outcome_model is outcome_model


# --------------------------------------------------------------------------------------
# Errors in words
# --------------------------------------------------------------------------------------


def test_argument_errors(cohort: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="kind must be one of"):
        outcome_model(cohort, "promoted", ["gender"], kind="probit")  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="alpha must be between 0 and 1"):
        outcome_model(cohort, "promoted", ["gender"], alpha=5)
    with pytest.raises(AnalysisError, match="interaction must be a pair"):
        outcome_model(cohort, "promoted", ["gender"], interaction=("gender", "gender"))
    with pytest.raises(AnalysisError, match="predictors must name at least one column"):
        outcome_model(cohort, "promoted", [])
    with pytest.raises(AnalysisError, match="cannot also be a predictor"):
        outcome_model(cohort, "promoted", ["promoted"])
    with pytest.raises(ColumnError, match="'boldness' not found"):
        outcome_model(cohort, "promoted", ["boldness"])


def test_data_errors(cohort: pd.DataFrame) -> None:
    empty = cohort.assign(age=np.nan)
    with pytest.raises(AnalysisError, match="No row has values"):
        outcome_model(empty, "promoted", ["age"])
    with pytest.raises(AnalysisError, match="have promoted = no"):
        outcome_model(cohort.assign(promoted=False), "promoted", ["gender"])
    with pytest.raises(AnalysisError, match="has only one value"):
        outcome_model(cohort.assign(gender="woman"), "promoted", ["gender"])
    with pytest.raises(AnalysisError, match="is constant"):
        outcome_model(cohort.assign(age=40.0), "promoted", ["age"])
    with pytest.raises(AnalysisError, match="the same days"):
        outcome_model(cohort.assign(days=3.5), "days", ["gender"])
    with pytest.raises(AnalysisError, match="the same career_satisfaction"):
        outcome_model(
            cohort.assign(career_satisfaction=3), "career_satisfaction", ["gender"], kind="ordinal"
        )
    with pytest.raises(AnalysisError, match="unordered categories"):
        outcome_model(cohort, "gender", ["age"])


def test_model_cannot_be_fitted_errors(cohort: pd.DataFrame) -> None:
    tiny = pd.DataFrame(
        {
            "gender": ["woman", "man", "non_binary"],
            "bold_choice": [True, False, True],
            "age": [30.0, 40.0, 50.0],
            "days": [1.5, 2.0, 4.2],
        }
    )
    with pytest.raises(AnalysisError, match="parameters but only 3 analysed rows"):
        outcome_model(tiny, "days", ["gender", "bold_choice", "age"])
    with pytest.raises(AnalysisError, match="needs more than 3 rows"):
        outcome_model(tiny, "days", ["bold_choice", "age"])
    dup = cohort.assign(age2=cohort["age"] * 2)
    with pytest.raises(AnalysisError, match="linearly dependent: 'age2'"):
        outcome_model(dup, "days", ["age", "age2"])
    zero_product = cohort.assign(age=np.where(cohort["bold_choice"], 0.0, cohort["age"]))
    with pytest.raises(AnalysisError, match="the product is zero in every row"):
        outcome_model(
            zero_product, "days", ["age", "bold_choice"], interaction=("age", "bold_choice")
        )
    no_bold_women = cohort.assign(bold_choice=cohort["bold_choice"] & (cohort["gender"] != "woman"))
    with pytest.raises(AnalysisError, match="no analysed row has both"):
        outcome_model(
            no_bold_women, "days", ["gender", "bold_choice"], interaction=("gender", "bold_choice")
        )


def test_kind_mismatch_errors(cohort: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="needs a yes/no outcome"):
        outcome_model(cohort, "days", ["gender"], kind="logistic")
    with pytest.raises(AnalysisError, match="needs a numeric outcome"):
        outcome_model(cohort.assign(g2=cohort["gender"]), "g2", ["age"], kind="linear")
    with pytest.raises(AnalysisError, match="needs an ordered outcome"):
        outcome_model(cohort.assign(g2=cohort["gender"]), "g2", ["age"], kind="ordinal")


def test_separation_errors_for_ordinary_and_ordinal_models(sex2: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="Ordinary logistic regression cannot be fitted"):
        outcome_model(sex2, "case", ["dia"], kind="logistic")
    x = np.repeat([0.0, 1.0], 20)
    y = np.where(x == 0, np.tile([1, 2], 20), np.tile([3, 4], 20))
    with pytest.raises(AnalysisError, match="no finite estimates"):
        outcome_model(pd.DataFrame({"y": y, "x": x}), "y", ["x"])


def test_reference_errors(cohort: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="does not occur in the analysed rows"):
        outcome_model(cohort, "days", ["gender"], reference={"gender": "self_described"})
    with pytest.raises(AnalysisError, match="which are not predictors"):
        outcome_model(cohort, "days", ["gender"], reference={"employment": "other"})
    with pytest.raises(AnalysisError, match="matches no categorical predictor"):
        outcome_model(cohort, "days", ["gender"], reference="director")
    two = cohort.assign(g2=cohort["gender"])
    with pytest.raises(AnalysisError, match="matches several predictors"):
        outcome_model(two, "days", ["gender", "g2"], reference="man")
    with pytest.raises(AnalysisError, match="must be True or False"):
        outcome_model(cohort, "days", ["bold_choice"], reference={"bold_choice": "maybe"})


def test_logistic_fit_failures_are_explained(
    monkeypatch: pytest.MonkeyPatch, cohort: pd.DataFrame
) -> None:
    from statsmodels.discrete.discrete_model import Logit

    def singular(self: object, *args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(Logit, "fit", singular)
    with pytest.raises(AnalysisError, match="nearly\\) collinear"):
        outcome_model(cohort, "promoted", ["bold_choice"], kind="logistic")

    class Sep(Exception):
        pass

    Sep.__name__ = "PerfectSeparationError"

    def separated(self: object, *args: object, **kwargs: object) -> None:
        raise Sep("Perfect separation detected")

    monkeypatch.setattr(Logit, "fit", separated)
    with pytest.raises(AnalysisError, match="has no finite estimates"):
        outcome_model(cohort, "promoted", ["bold_choice"], kind="logistic")

    class NotConverged:
        mle_retvals = {"converged": False}
        bse = np.array([np.nan, np.nan])

    monkeypatch.setattr(Logit, "fit", lambda self, *a, **k: NotConverged())
    with pytest.raises(AnalysisError, match="did not converge"):
        outcome_model(cohort, "promoted", ["bold_choice"], kind="logistic")


def test_ordinal_fit_failure_is_explained(
    monkeypatch: pytest.MonkeyPatch, cohort: pd.DataFrame
) -> None:
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    def singular(self: object, *args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(OrderedModel, "fit", singular)
    with pytest.raises(AnalysisError, match="ordinal model could not be fitted"):
        outcome_model(cohort, "career_satisfaction", ["gender"])


def test_large_logistic_fit_on_covariate_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many rows in few covariate patterns are fitted to the events per pattern (the
    # grouped binomial likelihood).  Reference: statsmodels' Logit on the rows.
    import statsmodels.api as sm

    models_module = __import__("sys").modules["mentoranalytics.stats.models"]
    monkeypatch.setattr(models_module, "_GROUPED_ROWS", 100)
    g = np.random.default_rng(8)
    n = 3000
    woman = g.random(n) < 0.45
    bold = g.random(n) < 0.35
    y = g.random(n) < special.expit(-1 + 0.5 * bold - 0.3 * woman + 0.4 * bold * woman)
    df = pd.DataFrame(
        {"gender": np.where(woman, "woman", "man"), "bold_choice": bold, "promoted": y}
    )
    res = outcome_model(
        df, "promoted", ["gender", "bold_choice"], interaction=("gender", "bold_choice")
    )
    assert res.kind == "logistic"
    assert any("4 covariate patterns" in note for note in res.notes)
    X = np.column_stack([np.ones(n), woman, bold, woman * bold]).astype(float)
    ref = sm.Logit(y.astype(float), X).fit(disp=0)
    np.testing.assert_allclose(res.table["estimate"], np.exp(ref.params), rtol=1e-9)
    ci = np.exp(ref.conf_int())
    np.testing.assert_allclose(res.table["ci_low"], ci[:, 0], rtol=1e-9)
    np.testing.assert_allclose(res.table["ci_high"], ci[:, 1], rtol=1e-9)
    np.testing.assert_allclose(res.table["p_value"], ref.pvalues, rtol=1e-7)
