"""Tests for stats.mediation.

Reference: statsmodels' Mediation (quasi-Bayesian Monte Carlo, the same algorithm of
Imai, Keele & Tingley 2010) run on the same data.  Both are simulations, so they are
compared within Monte Carlo error; the Monte Carlo standard error of every summary
(mean, median, percentile, p-value) is estimated here by bootstrapping the draws of
each tool.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError, ColumnError
from mentoranalytics.stats import mediation as mediation_function
from mentoranalytics.stats.mediation import DETAIL_EFFECTS, MediationResult

# `mentoranalytics.stats.mediation` is the function (bound eagerly); the module:
mediation_module = __import__("sys").modules["mentoranalytics.stats.mediation"]
mediation = mediation_function


def make_frame(seed: int = 7, n: int = 200) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = g.random(n) < 0.5
    age = g.normal(size=n)
    m_cont = 0.6 * x + 0.3 * age + g.normal(size=n)
    m_bin = g.random(n) < special.expit(-0.3 + 1.2 * x + 0.2 * age)
    y_cont = 0.5 * m_cont + 0.3 * x + 0.2 * age + g.normal(size=n)
    y_bin = g.random(n) < special.expit(-0.5 + 1.0 * m_bin + 0.4 * x + 0.2 * age)
    return pd.DataFrame(
        {
            "x": x,
            "age": age,
            "m_cont": m_cont,
            "m_bin": m_bin,
            "y_cont": y_cont,
            "y_bin": y_bin,
            # continuous outcome that depends on the binary mediator, and the reverse
            "y_cont_b": 0.8 * m_bin + 0.3 * x + g.normal(size=n),
            "y_bin_c": g.random(n) < special.expit(-0.2 + 0.7 * m_cont + 0.3 * x),
        }
    )


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return make_frame()


def _statsmodels_draws(df: pd.DataFrame, med: str, out: str, n_rep: int) -> pd.DataFrame:
    import statsmodels.api as sm
    from statsmodels.stats.mediation import Mediation

    Xm = sm.add_constant(df[["x", "age"]].astype(float))
    Xo = sm.add_constant(df[["x", med, "age"]].astype(float))
    ym, yo = df[med].astype(float), df[out].astype(float)
    binomial = sm.families.Binomial()
    med_model = sm.GLM(ym, Xm, family=binomial) if med == "m_bin" else sm.OLS(ym, Xm)
    out_model = sm.GLM(yo, Xo, family=binomial) if out.startswith("y_bin") else sm.OLS(yo, Xo)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = Mediation(out_model, med_model, "x", med).fit(n_rep=n_rep, rng=12345)
    return pd.DataFrame(
        {
            "acme_control": r.ACME_ctrl,
            "acme_treated": r.ACME_tx,
            "ade_control": r.ADE_ctrl,
            "ade_treated": r.ADE_tx,
            "total_effect": r.total_effect,
            "prop_mediated_control": r.prop_med_ctrl,
            "prop_mediated_treated": r.prop_med_tx,
            "acme_average": r.ACME_avg,
            "ade_average": r.ADE_avg,
            "prop_mediated_average": r.prop_med_avg,
        }
    )


def _summaries(draws: np.ndarray, median: bool) -> np.ndarray:
    """Estimate, 2.5% and 97.5% percentiles and p-value, as statsmodels' summary."""
    centre = np.median(draws, axis=-1) if median else draws.mean(axis=-1)
    lo = np.percentile(draws, 2.5, axis=-1)
    hi = np.percentile(draws, 97.5, axis=-1)
    p = 2 * np.minimum((draws > 0).sum(axis=-1), (draws < 0).sum(axis=-1)) / draws.shape[-1]
    return np.stack([centre, lo, hi, p], axis=-1)


def _mc_se(draws: np.ndarray, median: bool, gen: np.random.Generator) -> np.ndarray:
    idx = gen.integers(0, len(draws), size=(300, len(draws)))
    return _summaries(draws[idx], median).std(axis=0)


MODELS = [
    ("m_cont", "y_cont", 2000),
    ("m_bin", "y_bin", 2000),
    ("m_bin", "y_cont_b", 1000),
    ("m_cont", "y_bin_c", 1000),
]


@pytest.mark.slow
@pytest.mark.parametrize(("med", "out", "n_rep"), MODELS)
def test_agrees_with_statsmodels_within_monte_carlo_error(
    frame: pd.DataFrame, med: str, out: str, n_rep: int
) -> None:
    theirs = _statsmodels_draws(frame, med, out, n_rep)
    res = mediation(frame, "x", med, out, covariates=["age"], n_sims=n_rep, rng=2)
    gen = np.random.default_rng(99)
    for effect in DETAIL_EFFECTS:
        median = effect.startswith("prop_mediated")
        a, b = res.draws[effect].to_numpy(), theirs[effect].to_numpy()
        ours_summary = res.detail.loc[effect, ["estimate", "ci_low", "ci_high", "p_value"]]
        np.testing.assert_allclose(ours_summary.to_numpy(float), _summaries(a, median))
        se = np.hypot(_mc_se(a, median, gen), _mc_se(b, median, gen))
        diff = np.abs(_summaries(a, median) - _summaries(b, median))
        assert np.all(diff <= 4.5 * se + 1e-12), (effect, diff, se)
    assert res.mediator_kind == ("logistic" if med == "m_bin" else "linear")
    assert res.outcome_kind == ("logistic" if out.startswith("y_bin") else "linear")


def _banded_frame(n: int = 400) -> pd.DataFrame:
    """make_frame with age in three bands: six exposure x covariate patterns."""
    g = np.random.default_rng(21)
    x = g.random(n) < 0.5
    age = g.integers(0, 3, n).astype(float)
    m_cont = 0.6 * x + 0.3 * age + g.normal(size=n)
    m_bin = g.random(n) < special.expit(-0.3 + 1.2 * x + 0.2 * age)
    return pd.DataFrame(
        {
            "x": x,
            "age": age,
            "m_cont": m_cont,
            "m_bin": m_bin,
            "y_cont": 0.5 * m_cont + 0.3 * x + 0.2 * age + g.normal(size=n),
            "y_bin": g.random(n) < special.expit(-0.5 + 1.0 * m_bin + 0.4 * x + 0.2 * age),
            "y_cont_b": 0.8 * m_bin + 0.3 * x + g.normal(size=n),
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("med", "out", "n_rep"),
    [("m_bin", "y_bin", 2000), ("m_bin", "y_cont_b", 1000), ("m_cont", "y_cont", 1000)],
)
def test_pattern_totals_agree_with_statsmodels(
    monkeypatch: pytest.MonkeyPatch, med: str, out: str, n_rep: int
) -> None:
    # Large data with few covariate patterns draw the mediators as totals per pattern
    # (binomial or normal).  The threshold is lowered so that statsmodels' Mediation,
    # which draws per row, can be run on the same data as the reference.
    df = _banded_frame()
    monkeypatch.setattr(mediation_module, "_PATTERN_ROWS", 100)
    res = mediation(df, "x", med, out, covariates=["age"], n_sims=n_rep, rng=4)
    assert any("6 exposure and covariate patterns" in n for n in res.notes)
    theirs = _statsmodels_draws(df, med, out, n_rep)
    gen = np.random.default_rng(98)
    for effect in DETAIL_EFFECTS:
        median = effect.startswith("prop_mediated")
        a, b = res.draws[effect].to_numpy(), theirs[effect].to_numpy()
        se = np.hypot(_mc_se(a, median, gen), _mc_se(b, median, gen))
        diff = np.abs(_summaries(a, median) - _summaries(b, median))
        assert np.all(diff <= 4.5 * se + 1e-12), (effect, diff, se)


def test_pattern_totals_only_when_the_mediator_enters_linearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    df = _banded_frame().assign(
        y_bin_c=lambda d: (
            np.random.default_rng(3).random(len(d)) < special.expit(-0.2 + 0.7 * d["m_cont"])
        )
    )
    monkeypatch.setattr(mediation_module, "_PATTERN_ROWS", 100)
    res = mediation(df, "x", "m_cont", "y_bin_c", covariates=["age"], n_sims=50, rng=4)
    assert not any("patterns" in n for n in res.notes)
    small = mediation(df, "x", "m_bin", "y_bin", covariates=["age"], n_sims=50, rng=4)
    assert any("patterns" in n for n in small.notes)
    monkeypatch.setattr(mediation_module, "_PATTERN_ROWS", 20_000)
    assert not any("patterns" in n for n in mediation(df, "x", "m_bin", "y_bin", rng=4).notes)


def test_table_layout_and_definitions(frame: pd.DataFrame) -> None:
    res = mediation(frame, "x", "m_bin", "y_bin", covariates=["age"], n_sims=500, rng=1)
    assert isinstance(res, MediationResult)
    assert list(res.table.index) == ["acme", "ade", "total_effect", "prop_mediated"]
    assert list(res.table.columns) == ["estimate", "ci_low", "ci_high", "p_value"]
    assert list(res.detail.index) == list(DETAIL_EFFECTS)
    d = res.draws
    np.testing.assert_allclose(
        d["total_effect"],
        (d["acme_control"] + d["acme_treated"] + d["ade_control"] + d["ade_treated"]) / 2,
    )
    np.testing.assert_allclose(d["prop_mediated_control"], d["acme_control"] / d["total_effect"])
    np.testing.assert_allclose(d["acme_average"], (d["acme_control"] + d["acme_treated"]) / 2)
    assert res.table.loc["acme", "estimate"] == pytest.approx(d["acme_average"].mean())
    assert res.table.loc["prop_mediated", "estimate"] == pytest.approx(
        np.median(d["prop_mediated_average"])
    )
    assert res.n == len(frame) and res.n_sims == 500 and res.rng == 1
    assert res.treated is True and res.control is False
    assert any("probability" in n for n in res.notes)
    assert "Mediation" in res.to_markdown() and "<table" in res._repr_html_()


def test_linear_models_recover_product_of_coefficients() -> None:
    """With linear models and no interaction, ACME = a * b and ADE = c (Imai et al.)."""
    g = np.random.default_rng(3)
    n = 4000
    x = g.random(n) < 0.5
    m = 0.8 * x + g.normal(size=n)
    y = 0.5 * m + 0.3 * x + g.normal(size=n)
    df = pd.DataFrame({"x": x, "m": m, "y": y})
    res = mediation(df, "x", "m", "y", n_sims=2000, rng=4)
    import statsmodels.api as sm

    a = sm.OLS(m, sm.add_constant(x.astype(float))).fit().params[1]
    fit_y = sm.OLS(y, sm.add_constant(np.column_stack([x, m]).astype(float))).fit()
    acme_se = res.draws["acme_average"].std() / np.sqrt(2000)
    assert res.table.loc["acme", "estimate"] == pytest.approx(a * fit_y.params[2], abs=4 * acme_se)
    ade_se = res.draws["ade_average"].std() / np.sqrt(2000)
    assert res.table.loc["ade", "estimate"] == pytest.approx(fit_y.params[1], abs=4 * ade_se)


def test_deterministic_by_seed_and_rng_recorded(frame: pd.DataFrame) -> None:
    a = mediation(frame, "x", "m_cont", "y_bin_c", n_sims=300, rng=11)
    b = mediation(frame, "x", "m_cont", "y_bin_c", n_sims=300, rng=11)
    c = mediation(frame, "x", "m_cont", "y_bin_c", n_sims=300, rng=12)
    pd.testing.assert_frame_equal(a.detail, b.detail)
    assert not a.detail.equals(c.detail)
    default1 = mediation(frame, "x", "m_cont", "y_bin_c", n_sims=300)
    default2 = mediation(frame, "x", "m_cont", "y_bin_c", n_sims=300)
    pd.testing.assert_frame_equal(default1.table, default2.table)
    assert default1.rng == 0
    gen_res = mediation(frame, "x", "m_cont", "y_bin_c", n_sims=300, rng=np.random.default_rng(5))
    assert gen_res.rng == "Generator"


def test_blocks_give_the_same_distribution(
    frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = mediation(frame, "x", "m_bin", "y_bin", n_sims=3000, rng=8)
    monkeypatch.setattr(mediation_module, "_BLOCK_CELLS", 200 * 7)
    blocked = mediation(frame, "x", "m_bin", "y_bin", n_sims=3000, rng=8)
    assert len(blocked.draws) == 3000
    se = np.hypot(whole.draws.std(), blocked.draws.std()) / np.sqrt(3000)
    diff = (whole.draws.mean() - blocked.draws.mean()).abs()
    assert (diff <= 4.5 * se).all()


def test_exposure_codings_agree(frame: pd.DataFrame) -> None:
    as_bool = mediation(frame, "x", "m_cont", "y_cont", n_sims=300, rng=3)
    as_int = mediation(
        frame.assign(x=frame["x"].astype(int)), "x", "m_cont", "y_cont", n_sims=300, rng=3
    )
    pd.testing.assert_frame_equal(as_bool.table, as_int.table)
    labels = frame.assign(x=np.where(frame["x"], "bold", "safe"))
    as_text = mediation(labels, "x", "m_cont", "y_cont", n_sims=300, rng=3, reference="safe")
    pd.testing.assert_frame_equal(as_bool.table, as_text.table)
    assert as_text.treated == "bold" and as_text.control == "safe"
    assert (as_text.group, as_text.reference) == ("bold", "safe")
    with pytest.warns(DeprecationWarning, match="treated="):
        old = mediation(labels, "x", "m_cont", "y_cont", n_sims=300, rng=3, treated="bold")
    pd.testing.assert_frame_equal(old.table, as_text.table)
    # the default control is the first group in order, never the larger group
    default = mediation(labels, "x", "m_cont", "y_cont", n_sims=300, rng=3)
    assert default.control == "bold" and default.reference == "bold"
    assert any("control (reference): x = bold" in n for n in default.notes)
    flipped = mediation(frame, "x", "m_cont", "y_cont", n_sims=300, rng=3, reference=True)
    assert flipped.table.loc["ade", "estimate"] == pytest.approx(
        -as_bool.table.loc["ade", "estimate"], abs=0.05
    )


def test_categorical_covariate_and_missing_rows(frame: pd.DataFrame) -> None:
    df = frame.assign(group=np.tile(["a", "b", "c", "d"], 50))
    df.loc[df.index[:5], "m_cont"] = np.nan
    res = mediation(df, "x", "m_cont", "y_cont", covariates=["group", "age"], n_sims=200)
    assert res.n == len(df) - 5
    assert any("5 of 200 rows were left out" in n for n in res.notes)
    dummies = [c for c in res.mediator_model.model.exog_names if c.startswith("group[")]
    assert len(dummies) == 3 and "x" in res.outcome_model.model.exog_names


def test_notes_for_unstable_ratios_zero_p_and_few_events(frame: pd.DataFrame) -> None:
    g = np.random.default_rng(0)
    df = pd.DataFrame({"x": g.random(200) < 0.5, "m": g.normal(size=200)})
    df["y"] = df["m"] + g.normal(size=200)
    null_total = mediation(df, "x", "m", "y", n_sims=300)
    assert any("proportion mediated is unstable" in n for n in null_total.notes)
    strong = frame.assign(m2=frame["x"] * 3.0 + np.random.default_rng(1).normal(size=200) * 0.1)
    strong = strong.assign(y2=strong["m2"] + np.random.default_rng(2).normal(size=200) * 0.1)
    res = mediation(strong, "x", "m2", "y2", n_sims=300)
    assert res.table.loc["acme", "p_value"] == 0
    assert any("p < 0.00333" in n for n in res.notes)
    few = frame.iloc[:40]
    res_few = mediation(few, "x", "m_cont", "y_bin_c", covariates=["age"], n_sims=200)
    assert any("fewer than 10 per parameter" in n for n in res_few.notes)


def test_input_unchanged_and_public_name(frame: pd.DataFrame) -> None:
    before = frame.copy()
    mediation(frame, "x", "m_bin", "y_bin", covariates=["age"], n_sims=200)
    mediation(frame, "x", "m_cont", "y_cont", covariates=["age"], n_sims=200)
    pd.testing.assert_frame_equal(frame, before)
    assert callable(ma.mediation) and ma.mediation is mediation_module.mediation


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


def test_argument_errors(frame: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="three different columns"):
        mediation(frame, "x", "x", "y_cont")
    with pytest.raises(AnalysisError, match="repeat the exposure, mediator or outcome"):
        mediation(frame, "x", "m_cont", "y_cont", covariates=["x"])
    with pytest.raises(AnalysisError, match="n_sims must be a whole number"):
        mediation(frame, "x", "m_cont", "y_cont", n_sims=1)
    with pytest.raises(AnalysisError, match="alpha must be between 0 and 1"):
        mediation(frame, "x", "m_cont", "y_cont", alpha=0)
    with pytest.raises(AnalysisError, match="rng must be None"):
        mediation(frame, "x", "m_cont", "y_cont", rng="seed")
    with pytest.raises(ColumnError, match="'boldness' not found"):
        mediation(frame, "x", "boldness", "y_cont")


def test_exposure_errors(frame: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="Only 2 rows"):
        mediation(frame.iloc[:2], "x", "m_cont", "y_cont")
    three = frame.assign(x=np.tile(["a", "b", "c", "d"], 50)[:200])
    with pytest.raises(AnalysisError, match="mediation compares exactly two"):
        mediation(three, "x", "m_cont", "y_cont")
    with pytest.raises(AnalysisError, match="is numeric with"):
        mediation(frame, "age", "m_cont", "y_cont")
    with pytest.raises(AnalysisError, match="it is yes/no: pass True or False"):
        mediation(frame, "x", "m_cont", "y_cont", reference="yes please")
    text = frame.assign(x=np.where(frame["x"], "bold", "safe"))
    with pytest.raises(AnalysisError, match="is not a value of the exposure 'x'"):
        mediation(text, "x", "m_cont", "y_cont", reference="brave")
    with (
        pytest.raises(AnalysisError, match="is not a value of 'x'"),
        pytest.warns(DeprecationWarning),
    ):
        mediation(text, "x", "m_cont", "y_cont", treated="brave")
    with pytest.raises(AnalysisError, match="same exposure group"):
        mediation(frame.assign(x=True), "x", "m_cont", "y_cont")


def test_model_errors(frame: pd.DataFrame) -> None:
    with pytest.raises(AnalysisError, match="must be yes/no or numeric"):
        mediation(frame.assign(m=np.tile(["a", "b", "c", "d"], 50)), "x", "m", "y_cont")
    with pytest.raises(AnalysisError, match="has the same value"):
        mediation(frame.assign(m_cont=1.5), "x", "m_cont", "y_cont")
    with pytest.raises(AnalysisError, match="has the same value"):
        mediation(frame.assign(m_bin=True), "x", "m_bin", "y_cont")
    separated = frame.assign(m_sep=frame["x"] & (frame["age"] > 0))
    with pytest.raises(AnalysisError, match="mediator model for 'm_sep' cannot be fitted"):
        mediation(separated, "x", "m_sep", "y_cont", covariates=["age"])
    with pytest.raises(AnalysisError, match="separate 'y_sep' \\(complete separation\\)"):
        mediation(frame.assign(y_sep=frame["m_cont"] > 0.3), "x", "m_cont", "y_sep")
    small = frame.iloc[:4].assign(c1=[1.0, 2.0, 3.0, 5.0])
    with pytest.raises(AnalysisError, match="parameters but only 4"):
        mediation(small, "x", "m_cont", "y_cont", covariates=["age", "c1"])
    with pytest.raises(AnalysisError, match="Covariate 'c0' is constant"):
        mediation(frame.assign(c0=2.0), "x", "m_cont", "y_cont", covariates=["c0"])
    with pytest.raises(AnalysisError, match="has only one value"):
        mediation(frame.assign(grp="a"), "x", "m_cont", "y_cont", covariates=["grp"])
    dup = frame.assign(age2=frame["age"] * 2)
    with pytest.raises(AnalysisError, match="linearly dependent"):
        mediation(dup, "x", "m_cont", "y_cont", covariates=["age", "age2"])


def test_logit_failures_are_explained(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    from statsmodels.discrete.discrete_model import Logit

    def singular(self: object, *args: object, **kwargs: object) -> None:
        raise np.linalg.LinAlgError("Singular matrix")

    monkeypatch.setattr(Logit, "fit", singular)
    with pytest.raises(AnalysisError, match="could not be fitted"):
        mediation(frame, "x", "m_bin", "y_cont_b")

    class NotConverged:
        mle_retvals = {"converged": False}
        bse = np.array([np.nan])
        params = np.array([0.0])

        def predict(self) -> np.ndarray:
            return np.array([0.5])

    monkeypatch.setattr(Logit, "fit", lambda self, *a, **k: NotConverged())
    with pytest.raises(AnalysisError, match="did not converge"):
        mediation(frame, "x", "m_bin", "y_cont_b")
