"""Tests of mentoranalytics.interop (plain: a cohort for statsmodels, lifelines, seaborn).

References: statsmodels' formula API and lifelines fitted on the plain view, compared
with the package's own estimates on the cohort (independent implementations: the
package's logistic regression and Kaplan-Meier estimator are its own code paths).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.exceptions import ColumnError
from mentoranalytics.interop import plain


@pytest.fixture(scope="module")
def cohort():
    return ma.load_sample()


@pytest.fixture(scope="module")
def df(cohort) -> pd.DataFrame:
    return cohort.plain()


def test_plain_types(cohort, df):
    data = cohort.data
    for column in df.columns:
        dtype = df[column].dtype
        assert isinstance(dtype, (np.dtype, pd.CategoricalDtype)), (column, dtype)
        assert not df[column].map(lambda v: v is pd.NA).any(), column
    for column in ("promoted", "bold_choice", "goals_defined"):
        assert df[column].dtype == np.float64
        expected = data[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        np.testing.assert_array_equal(df[column].to_numpy(), expected)
    for column in ("participant_level", "days_to_secure", "followup_months"):
        assert df[column].dtype == np.float64
        assert df[column].isna().sum() == data[column].isna().sum()
    assert df["participant_id"].dtype == object and df["cohort"].dtype == object
    # unused categories are dropped, the order is kept
    gender = df["gender"].cat.categories.tolist()
    assert gender == [g for g in data["gender"].cat.categories if (data["gender"] == g).any()]
    assert "self_described" in data["gender"].cat.categories and "self_described" not in gender
    assert df["mentor_relation"].cat.ordered
    assert pd.api.types.is_object_dtype(df["gender"].cat.categories.dtype)


def test_plain_adds_the_duration(df):
    promoted = df["promoted"] == 1
    np.testing.assert_array_equal(
        df.loc[promoted, "months"], df.loc[promoted, "months_to_promotion"]
    )
    np.testing.assert_array_equal(df.loc[~promoted, "months"], df.loc[~promoted, "followup_months"])


def test_cohort_method_and_function_agree(cohort, df):
    pd.testing.assert_frame_equal(ma.plain(cohort), df)
    pd.testing.assert_frame_equal(ma.plain(cohort.data), df)
    part = cohort.plain(["gender", "promoted"])
    assert list(part.columns) == ["gender", "promoted"]  # no months without its columns
    with pytest.raises(ColumnError, match="Column 'sex' not found, needed for the plain view"):
        ma.plain(cohort, columns=["sex"])


def test_plain_leaves_the_input_unchanged(cohort):
    data = cohort.data
    before = data.copy()
    plain(data)
    pd.testing.assert_frame_equal(data, before)


def test_statsmodels_formulas_on_the_plain_view(df):
    import statsmodels.formula.api as smf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.logit("promoted ~ C(gender) + bold_choice", data=df).fit(disp=0)
        ours = ma.outcome_model(
            df,
            "promoted",
            ["gender", "bold_choice"],
            kind="logistic",
            reference={"gender": "woman"},
        )
    table = ours.table.set_index("term")
    assert fit.params["bold_choice"] == pytest.approx(np.log(table.loc["bold_choice", "estimate"]))
    assert fit.params["C(gender)[T.man]"] == pytest.approx(
        np.log(table.loc["gender[man]", "estimate"])
    )
    assert fit.bse["bold_choice"] == pytest.approx(table.loc["bold_choice", "std_error"])
    assert int(fit.nobs) == ours.n
    ols = smf.ols("days_to_secure ~ C(mentor_relation) + participant_level", data=df).fit()
    assert (
        ols.nobs == df[["days_to_secure", "mentor_relation", "participant_level"]].dropna().shape[0]
    )


def test_the_raw_data_trip_statsmodels(cohort):
    # why the plain view exists: a nullable boolean outcome is not numeric to patsy
    import statsmodels.formula.api as smf

    with pytest.raises(Exception):  # noqa: B017 - whatever patsy/statsmodels raise
        smf.logit("promoted ~ C(gender) + bold_choice", data=cohort.data).fit(disp=0)


def test_seaborn_on_the_plain_view(df):
    import matplotlib.pyplot as plt
    import seaborn as sns

    fig, ax = plt.subplots()
    try:
        sns.barplot(data=df, x="gender", y="promoted", errorbar=None, ax=ax)
        heights = [p.get_height() for p in ax.patches]
        rates = df.groupby("gender", observed=True)["promoted"].mean()
        assert len(heights) == len(rates)  # no empty bar for an unused category
        np.testing.assert_allclose(heights, rates.to_numpy())
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels == list(rates.index)
        ax.clear()
        sns.histplot(data=df, x="days_to_secure", hue="gender", ax=ax)
        assert ax.get_legend() is not None
    finally:
        plt.close(fig)


def test_lifelines_on_the_plain_view(df):
    lifelines = pytest.importorskip("lifelines")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lifelines' own pandas deprecation warnings
        km = lifelines.KaplanMeierFitter().fit(df.months, df.promoted)
        cox = lifelines.CoxPHFitter().fit(
            df[["months", "promoted", "bold_choice"]].dropna(), "months", "promoted"
        )
        ours_km = ma.kaplan_meier(df, by=None)
        ours_cox = ma.cox_model(df, ["bold_choice"])
    assert km.median_survival_time_ == pytest.approx(float(ours_km.medians["median"].iloc[0]))
    curve = ours_km.table
    steps = km.survival_function_.iloc[:, 0]
    for t, s in zip(curve["time"], curve["survival"], strict=True):
        assert steps.loc[t] == pytest.approx(s)
    assert cox.params_["bold_choice"] == pytest.approx(ours_cox.table["coef"].iloc[0], abs=1e-5)
