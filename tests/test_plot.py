"""Tests of mentoranalytics.plot: drawn objects, not pixels.

Every chart is drawn on the packaged samples (``programme``: 300 people, six cohorts;
``first_cohort``: ten people, one cohort) and on small hand-made frames.  Expected
values come from the statistics layer (``compare_rates``, ``kaplan_meier``,
``boldness``, ...) or from an independent count in the test, never from the chart.
"""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from fractions import Fraction
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics import plot as maplot
from mentoranalytics.exceptions import AnalysisError, ColumnError, SmallSampleWarning
from mentoranalytics.schema import GENDERS, OUTCOMES, SCHEMA, display_label

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_hex

# --------------------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------------------


def _load(name: str) -> pd.DataFrame:
    """The packaged sample as the loader returns it (canonical + derived columns)."""
    return ma.load_sample(name).data


@pytest.fixture(scope="module")
def programme() -> pd.DataFrame:
    return _load("programme")


@pytest.fixture(scope="module")
def first_cohort() -> pd.DataFrame:
    return _load("first_cohort")


@pytest.fixture(params=["programme", "first_cohort"])
def sample(request: pytest.FixtureRequest) -> pd.DataFrame:
    return request.getfixturevalue(request.param)


def _small() -> pd.DataFrame:
    """Eight hand-made participants: two genders, one with no mentor at all."""
    return pd.DataFrame(
        {
            "participant_id": [f"P{i}" for i in range(8)],
            "cohort": ["2020"] * 4 + ["2021"] * 4,
            "gender": ["woman", "woman", "woman", "man", "man", "man", "non_binary", "non_binary"],
            "participant_level": [2, 3, 2, 1, 2, 4, 2, 3],
            "mentor_level": [5, 3, 4, 4, 2, 6, None, None],
            "mentor_relation": [
                "no_prior_tie",
                "line_manager",
                "introduced",
                "existing_contact",
                "line_manager",
                "no_prior_tie",
                None,
                None,
            ],
            "approach": [
                "cold_approach",
                "existing_relationship",
                "warm_introduction",
                "asked_in_person",
                "assigned",
                "cold_approach",
                None,
                None,
            ],
            "promoted": [True, False, True, True, False, True, False, None],
            "role_change": [False, False, True, True, True, False, None, None],
        }
    )


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------


def _texts(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.texts]


def _legend(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _gid(artists: Any, gid: str) -> Any:
    found = [a for a in artists if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def _gids(artists: Any, prefix: str) -> list[Any]:
    return [a for a in artists if (a.get_gid() or "").startswith(prefix)]


def _rates(frame: pd.DataFrame, outcome: str, by: str) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return ma.compare_rates(frame, outcome, by=by).rates


def _present(frame: pd.DataFrame, column: str) -> list[str]:
    seen = set(frame[column].dropna())
    return [g for g in SCHEMA[column].categories if g in seen]


# --------------------------------------------------------------------------------------
# house style
# --------------------------------------------------------------------------------------


def test_import_changes_no_matplotlib_setting_and_imports_no_matplotlib():
    code = (
        "import sys, matplotlib as mpl\n"
        "before = {k: repr(v) for k, v in mpl.rcParams.items()}\n"
        "import mentoranalytics, mentoranalytics.plot\n"
        "from mentoranalytics import plot as maplot\n"
        "after = {k: repr(v) for k, v in mpl.rcParams.items()}\n"
        "changed = sorted(k for k in before if before[k] != after[k])\n"
        "assert not changed, changed\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert 'seaborn' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    # and without matplotlib imported first, importing the plot module leaves it out
    code2 = (
        "import sys\nimport mentoranalytics.plot\n"
        "assert 'matplotlib' not in sys.modules, 'plot imported matplotlib at import time'\n"
    )
    subprocess.run([sys.executable, "-c", code2], check=True)


def test_theme_applies_house_style_and_restores():
    before = dict(matplotlib.rcParams)
    with maplot.theme():
        assert matplotlib.rcParams["axes.spines.top"] is False
        colours = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
        assert colours == list(maplot.GROUP_PALETTE)
    with maplot.theme({"font.size": 20}):
        assert matplotlib.rcParams["font.size"] == 20
    after = dict(matplotlib.rcParams)
    assert {k: repr(v) for k, v in before.items()} == {k: repr(v) for k, v in after.items()}


def test_gender_colours_fixed_distinct_and_colour_blind_safe():
    assert tuple(maplot.GENDER_COLORS) == GENDERS
    values = list(maplot.GENDER_COLORS.values())
    assert len(set(values)) == len(values)
    okabe = {v.upper() for v in maplot.OKABE_ITO.values()}
    # every gender colour but the neutral grey of "not stated" is an Okabe-Ito colour
    assert all(v.upper() in okabe for v in values[:-1])
    assert maplot.group_colors(["man", "woman"]) == {
        "man": maplot.GENDER_COLORS["man"],
        "woman": maplot.GENDER_COLORS["woman"],
    }


# --------------------------------------------------------------------------------------
# 1. mentor choice
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["mentor_relation", "approach"])
def test_mentor_choice_bars_equal_shares(sample, variable):
    before = sample.copy()
    ax = maplot.plot_mentor_choice(sample, variable=variable)
    pd.testing.assert_frame_equal(sample, before)
    groups = _present(sample, "gender")
    answered = sample[sample[variable].notna()]
    for group in groups:
        sub = answered.loc[answered["gender"] == group, variable]
        shares = sub.value_counts(normalize=True)
        bars = _gids(ax.patches, f"bar:{group}:")
        drawn = {b.get_gid().split(":", 2)[2]: b.get_width() for b in bars}
        assert set(drawn) == set(shares[shares > 0].index)
        for cat, share in shares[shares > 0].items():
            assert drawn[cat] == pytest.approx(share)
        # bars are stacked left to right in schema order
        order = [c for c in SCHEMA[variable].categories if c in drawn]
        lefts = [_gid(ax.patches, f"bar:{group}:{c}").get_x() for c in order]
        assert lefts == sorted(lefts)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    expected = [
        f"{g.replace('_', ' ')}\nn = {int((answered['gender'] == g).sum())}" for g in groups
    ]
    assert ticks == expected
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [c.replace("_", " ") for c in SCHEMA[variable].categories]
    plt.close("all")


def test_mentor_choice_note_for_gender_without_mentor():
    df = _small()
    ax = maplot.plot_mentor_choice(df)
    assert "no participants with a mentor in this group" in _texts(ax)
    assert not _gids(ax.patches, "bar:non_binary:")
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "non binary\nn = 0"
    plt.close("all")


def test_mentor_choice_suppressed_cells_drawn_as_text():
    df = _small()
    counts = pd.crosstab(df["gender"], df["mentor_relation"])
    mask = pd.DataFrame(False, index=counts.index, columns=counts.columns)
    mask.loc["woman", ["no_prior_tie", "introduced"]] = True
    ax = maplot.plot_mentor_choice(df, suppressed=mask)
    assert not _gids(ax.patches, "bar:woman:no_prior_tie")
    assert not _gids(ax.patches, "bar:woman:introduced")
    hatched = _gid(ax.patches, "bar:woman:suppressed")
    assert hatched.get_width() == pytest.approx(2 / 3)  # the two withheld cells together
    assert "suppressed" in _texts(ax)
    # a suppressed total withholds the whole bar, including its n
    total = pd.DataFrame({"total": [True, False]}, index=["woman", "man"])
    ax2 = maplot.plot_mentor_choice(df, suppressed=total, ax=plt.figure().gca())
    assert not _gids(ax2.patches, "bar:woman:")
    assert [t.get_text() for t in ax2.get_yticklabels()][0] == "woman\nn suppressed"
    assert "suppressed" in _texts(ax2)
    plt.close("all")


def test_mentor_choice_with_disclosure_control(programme):
    table = pd.crosstab(programme["gender"], programme["mentor_relation"])
    published = ma.suppress(table)
    mask = published.suppressed
    assert mask.to_numpy().any()  # the sample has small cells (5 non-binary, 5 not stated)
    ax = maplot.plot_mentor_choice(programme, suppressed=published)
    ticks = dict(
        zip(
            _present(programme, "gender"), [t.get_text() for t in ax.get_yticklabels()], strict=True
        )
    )
    for group in table.index:
        if bool(mask.loc[group, "Total"]):
            assert ticks[group].endswith("n suppressed")
            assert not _gids(ax.patches, f"bar:{group}:")
            continue
        for cat in table.columns:
            if bool(mask.loc[group, cat]):
                assert not _gids(ax.patches, f"bar:{group}:{cat}")
    assert "suppressed" in _texts(ax)
    plt.close("all")


def test_mentor_choice_missing_column_error():
    with pytest.raises(ColumnError, match="Column 'approach' not found"):
        maplot.plot_mentor_choice(pd.DataFrame({"gender": ["woman"]}), variable="approach")


# --------------------------------------------------------------------------------------
# 2. seniority reach and boldness
# --------------------------------------------------------------------------------------


def test_seniority_reach_dots_are_the_gaps(sample):
    before = sample.copy()
    ax = maplot.plot_seniority_reach(sample, individual=True)
    pd.testing.assert_frame_equal(sample, before)
    gap = pd.to_numeric(sample["mentor_level"], errors="coerce") - pd.to_numeric(
        sample["participant_level"], errors="coerce"
    )
    for group in _present(sample, "gender"):
        expected = np.sort(gap[sample["gender"] == group].dropna().to_numpy(float))
        if expected.size == 0:
            continue
        dots = _gid(ax.collections, f"dots:{group}")
        np.testing.assert_allclose(np.sort(dots.get_offsets()[:, 1]), expected)
        assert to_hex(dots.get_facecolor()[0]) == maplot.GENDER_COLORS[group].lower()
    plt.close("all")


def test_seniority_reach_derives_gap_and_notes_empty_and_suppressed():
    df = _small()  # no seniority_gap column: derived through boldness.derive_fields
    ax = maplot.plot_seniority_reach(df, suppressed={"man"}, individual=True)
    woman = _gid(ax.collections, "dots:woman")
    np.testing.assert_allclose(np.sort(woman.get_offsets()[:, 1]), [0, 2, 3])
    assert not _gids(ax.collections, "dots:man")
    texts = _texts(ax)
    assert "suppressed" in texts
    assert any("no participants" in t and "mentor" in t for t in texts)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["woman\nn = 3", "man\nn suppressed", "non binary\nn = 0"]
    plt.close("all")


def test_seniority_reach_large_group_draws_quantile_dots():
    # 3,001 women: 1,000 dots at evenly spaced order statistics (computed here from the
    # sorted gaps), the tick label says so, and the box uses every value
    gaps = np.concatenate([np.zeros(1500), np.ones(1000), np.full(501, 3.0)])
    df = pd.DataFrame(
        {"gender": ["woman"] * gaps.size + ["man"] * 4, "seniority_gap": [*gaps, 0, 1, 1, 2]}
    )
    ax = maplot.plot_seniority_reach(df, individual=True)
    woman = _gid(ax.collections, "dots:woman")
    picks = [round(k * (gaps.size - 1) / 999) for k in range(1000)]
    np.testing.assert_allclose(np.sort(woman.get_offsets()[:, 1]), np.sort(gaps)[picks])
    man = _gid(ax.collections, "dots:man")
    np.testing.assert_allclose(np.sort(man.get_offsets()[:, 1]), [0, 1, 1, 2])
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["woman\nn = 3001\n(1000 dots)", "man\nn = 4"]
    medians = [line.get_ydata()[0] for line in ax.lines if line.get_color() == "black"]
    assert np.median(gaps) in medians
    plt.close("all")


def test_boldness_panels_show_the_boldness_scores(sample):
    before = sample.copy()
    fig = maplot.plot_boldness_panels(sample, individual=True)
    pd.testing.assert_frame_equal(sample, before)
    scores = ma.boldness(sample)
    assert len(fig.axes) == 4
    for ax, column in zip(
        fig.axes, ["boldness_index", "reach", "distance", "initiation"], strict=True
    ):
        for group in _present(sample, "gender"):
            expected = np.sort(scores.loc[sample["gender"] == group, column].dropna().to_numpy())
            if expected.size == 0:
                continue
            dots = _gid(ax.collections, f"dots:{group}")
            np.testing.assert_allclose(np.sort(dots.get_offsets()[:, 1]), expected)
    plt.close("all")


def test_boldness_weights_reach_the_index():
    df = _small()
    fig = maplot.plot_boldness_panels(df, weights=(1, 0, 0), individual=True)
    dots = _gid(fig.axes[0].collections, "dots:woman")
    reach = ma.boldness(df)["reach"][df["gender"] == "woman"].to_numpy()
    np.testing.assert_allclose(np.sort(dots.get_offsets()[:, 1]), np.sort(reach))
    for ax in fig.axes:  # non_binary has no mentor: a note in every panel, no dots
        assert not _gids(ax.collections, "dots:non_binary")
        assert any("no participants" in t for t in _texts(ax))
    plt.close("all")


# --------------------------------------------------------------------------------------
# 3. outcome rates
# --------------------------------------------------------------------------------------


def test_outcome_rates_whiskers_equal_compare_rates(sample):
    before = sample.copy()
    ax = maplot.plot_outcome_rates(sample)
    pd.testing.assert_frame_equal(sample, before)
    outcomes = [o for o in OUTCOMES if o in sample.columns]
    assert [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()] == [
        display_label(o) for o in outcomes
    ]
    for outcome in outcomes:
        rates = _rates(sample, outcome, "gender")
        for group, row in rates.iterrows():
            ci = _gid(ax.lines, f"ci:{outcome}:{group}")
            np.testing.assert_allclose(ci.get_xdata(), [row["ci_low"], row["ci_high"]])
            dot = _gid(ax.lines, f"rate:{outcome}:{group}")
            np.testing.assert_allclose(dot.get_xdata(), [row["rate"]])
            assert to_hex(dot.get_color()) == maplot.GENDER_COLORS[group].lower()
            label = _gid(ax.texts, f"n:{outcome}:{group}")
            assert label.get_text() == f"{int(row['events'])}/{int(row['n'])}"
    plt.close("all")


def test_outcome_rates_accepts_results_and_tables():
    df = _small()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = ma.compare_rates(df, "promoted", by="gender")
    ax = maplot.plot_outcome_rates(res)
    for group, row in res.rates.iterrows():
        np.testing.assert_allclose(
            _gid(ax.lines, f"ci:promoted:{group}").get_xdata(), [row["ci_low"], row["ci_high"]]
        )
    ax2 = maplot.plot_outcome_rates({"promoted": res}, ax=plt.figure().gca())
    assert len(_gids(ax2.lines, "rate:promoted:")) == len(res.rates)
    # a tidy published table: NA cells are suppressed cells
    tidy = res.rates.reset_index(names="group").assign(outcome="promoted")
    tidy.loc[tidy["group"] == "man", ["n", "events", "rate", "ci_low", "ci_high"]] = np.nan
    ax3 = maplot.plot_outcome_rates(tidy, ax=plt.figure().gca())
    assert not _gids(ax3.lines, "rate:promoted:man")
    assert _gid(ax3.texts, "n:promoted:man").get_text() == "suppressed"
    plt.close("all")


def test_outcome_rates_suppressed_mask_and_all_missing_group():
    df = _small()  # non_binary: role_change all missing
    mask = pd.DataFrame(
        {"promoted": [True, False], "role_change": [False, False]}, index=["woman", "man"]
    )
    ax = maplot.plot_outcome_rates(df, ["promoted", "role_change"], suppressed=mask)
    assert not _gids(ax.lines, "rate:promoted:woman")
    assert _gid(ax.texts, "n:promoted:woman").get_text() == "suppressed"
    assert _gids(ax.lines, "rate:role_change:woman")
    assert not _gids(ax.lines, "rate:role_change:non_binary")
    assert _gid(ax.texts, "n:role_change:non_binary").get_text() == "no answers (n = 0)"
    # a suppressed n column withholds the group's every outcome
    ax2 = maplot.plot_outcome_rates(
        df,
        ["promoted", "role_change"],
        suppressed=pd.DataFrame({"n": [True]}, index=["man"]),
        ax=plt.figure().gca(),
    )
    assert not _gids(ax2.lines, "rate:promoted:man") and not _gids(
        ax2.lines, "rate:role_change:man"
    )
    plt.close("all")


def test_outcome_rates_with_disclosure_control_per_outcome(programme):
    tables = {o: ma.suppress(pd.crosstab(programme["gender"], programme[o])) for o in OUTCOMES}
    ax = maplot.plot_outcome_rates(programme, suppressed=tables)
    for outcome, published in tables.items():
        for group in published.suppressed.index.drop("Total"):
            hidden = bool(published.suppressed.loc[group].any())
            label = _gid(ax.texts, f"n:{outcome}:{group}").get_text()
            assert (label == "suppressed") == hidden
            assert bool(_gids(ax.lines, f"rate:{outcome}:{group}")) == (not hidden)
    plt.close("all")


def test_outcome_rates_all_outcomes_missing_for_a_group_draws_note():
    df = _small().assign(promoted=lambda d: d["promoted"].where(d["gender"] != "man"))
    ax = maplot.plot_outcome_rates(df, ["promoted"])
    assert _gid(ax.texts, "n:promoted:man").get_text() == "no answers (n = 0)"
    all_missing = _small().assign(promoted=None)
    ax2 = maplot.plot_outcome_rates(all_missing, ["promoted"], ax=plt.figure().gca())
    assert any("no rates to show" in t for t in _texts(ax2))
    plt.close("all")


def test_outcome_rates_errors():
    with pytest.raises(ColumnError, match="No outcome columns found"):
        maplot.plot_outcome_rates(pd.DataFrame({"gender": ["woman"]}))
    with pytest.raises(AnalysisError, match=r"data\['promoted'\] must be a compare_rates result"):
        maplot.plot_outcome_rates({"promoted": 3})
    with pytest.raises(ColumnError, match="needs a group column named 'gender' or 'group'"):
        maplot.plot_outcome_rates(
            pd.DataFrame(
                {"outcome": ["a"], "n": [1], "rate": [0.0], "ci_low": [0.0], "ci_high": [0.5]}
            )
        )
    with pytest.raises(AnalysisError, match="suppressed must be a SuppressedTable"):
        maplot.plot_outcome_rates(_small(), ["promoted"], suppressed=3)
    plt.close("all")


# --------------------------------------------------------------------------------------
# 4. forest plot
# --------------------------------------------------------------------------------------


def test_forest_risk_differences_from_compare_rates(programme):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = ma.compare_rates(programme, "promoted", reference="woman")
    ax = maplot.plot_forest(res)
    assert ax.get_xscale() == "linear"
    rd = res.effects[res.effects["measure"] == "risk_difference"].reset_index(drop=True)
    assert len(_gids(ax.lines, "estimate:")) == len(rd)
    for i, row in rd.iterrows():
        np.testing.assert_allclose(
            _gid(ax.lines, f"ci:{i}").get_xdata(), [row["ci_low"], row["ci_high"]]
        )
        np.testing.assert_allclose(_gid(ax.lines, f"estimate:{i}").get_xdata(), [row["estimate"]])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{g.replace('_', ' ')} vs woman" for g in rd["group"]]
    ref = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert ref and ref[0].get_xdata()[0] == 0
    plt.close("all")


def test_forest_odds_ratios_log_scale_with_pooled_mantel_haenszel(programme):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        res = ma.compare_rates(programme, "promoted", reference="woman", strata="cohort")
    ax = maplot.plot_forest(res, measure="odds_ratio")
    assert ax.get_xscale() == "log"
    ref = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert ref[0].get_xdata()[0] == 1
    pooled = _gid(ax.patches, "pooled")
    xs = pooled.get_xy()[:, 0]
    row = res.pooled.iloc[0]
    np.testing.assert_allclose([xs.min(), xs.max()], [row["ci_low"], row["ci_high"]])
    plt.close("all")


def test_forest_meta_analysis_squares_by_weight_and_pooled_diamond(programme):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        meta = ma.meta_analysis(programme, outcome="promoted", reference="woman", group="man")
    ax = maplot.plot_forest(meta)
    assert ax.get_xscale() == "log"
    studies = meta.studies.reset_index(drop=True)
    sizes = np.array([_gid(ax.lines, f"estimate:{i}").get_markersize() for i in studies.index])
    order = np.argsort(studies["weight"].to_numpy())
    assert np.all(np.diff(sizes[order]) >= -1e-9)  # bigger weight, bigger square
    for i, row in studies.iterrows():
        np.testing.assert_allclose(
            _gid(ax.lines, f"ci:{i}").get_xdata(), [row["ci_low"], row["ci_high"]]
        )
    random = meta.pooled[meta.pooled["model"] == "random"].iloc[0]
    xs = _gid(ax.patches, "pooled").get_xy()[:, 0]
    np.testing.assert_allclose([xs.min(), xs.max()], [random["ci_low"], random["ci_high"]])
    assert any(
        t.startswith("Pooled, random effects") for t in [t.get_text() for t in ax.get_yticklabels()]
    )
    plt.close("all")


def test_forest_model_odds_ratios_drop_intercept(programme):
    model = ma.outcome_model(programme, "promoted", ["gender", "participant_level"])
    ax = maplot.plot_forest(model)
    table = model.table[model.table["measure"] == "odds_ratio"].reset_index(drop=True)
    assert len(_gids(ax.lines, "estimate:")) == len(table)
    assert ax.get_xscale() == "log"
    for i, row in table.iterrows():
        np.testing.assert_allclose(
            _gid(ax.lines, f"ci:{i}").get_xdata(), [row["ci_low"], row["ci_high"]]
        )
    assert "intercept" not in " ".join(t.get_text() for t in ax.get_yticklabels())
    plt.close("all")


def test_forest_suppressed_and_not_estimable_rows():
    eff = pd.DataFrame(
        {
            "study": ["A", "B", "C"],
            "estimate": [1.5, np.nan, np.nan],
            "ci_low": [0.5, np.nan, np.nan],
            "ci_high": [4.0, np.nan, np.nan],
            "measure": "odds_ratio",
            "suppressed": [False, True, False],
        }
    )
    before = eff.copy()
    ax = maplot.plot_forest(eff)
    pd.testing.assert_frame_equal(eff, before)
    assert _gid(ax.texts, "text:1").get_text() == "suppressed"
    assert _gid(ax.texts, "text:2").get_text() == "not estimable"
    assert len(_gids(ax.lines, "estimate:")) == 1
    ax2 = maplot.plot_forest(
        eff.drop(columns="suppressed"), suppressed={"A"}, ax=plt.figure().gca()
    )
    assert _gid(ax2.texts, "text:0").get_text() == "suppressed"
    plt.close("all")


def test_forest_errors():
    eff = pd.DataFrame(
        {
            "group": ["a"],
            "estimate": [0.1],
            "ci_low": [0.0],
            "ci_high": [0.2],
            "measure": ["risk_ratio"],
        }
    )
    with pytest.raises(ColumnError, match="needs columns estimate, ci_low and ci_high"):
        maplot.plot_forest(eff.drop(columns="ci_low"))
    with pytest.raises(AnalysisError, match="measure='odds_ratio' is not in the effects table"):
        maplot.plot_forest(eff, measure="odds_ratio")
    mixed = pd.concat([eff, eff.assign(measure="odds_ratio")])
    with pytest.raises(AnalysisError, match="mixes measures"):
        maplot.plot_forest(mixed)
    with pytest.raises(AnalysisError, match="weights must be a column name or 1 numbers"):
        maplot.plot_forest(eff, weights=[1, 2])
    with pytest.raises(ColumnError, match="weights='w' is not a column"):
        maplot.plot_forest(eff, weights="w")
    with pytest.raises(ColumnError, match="label='x' is not a column"):
        maplot.plot_forest(eff, label="x")
    with pytest.raises(AnalysisError, match="effects must be a DataFrame"):
        maplot.plot_forest([1, 2])
    with pytest.raises(ColumnError, match="pooled needs columns"):
        maplot.plot_forest(eff, pooled={"estimate": 1.0})
    with pytest.raises(AnalysisError, match="pooled must be a mapping"):
        maplot.plot_forest(eff, pooled=3)
    plt.close("all")


# --------------------------------------------------------------------------------------
# 5. payoff of a bold choice
# --------------------------------------------------------------------------------------


def test_boldness_payoff_whiskers_equal_compare_rates_within_gender(sample):
    before = sample.copy()
    ax = maplot.plot_boldness_payoff(sample, "promoted")
    pd.testing.assert_frame_equal(sample, before)
    for group in _present(sample, "gender"):
        sub = sample[
            (sample["gender"] == group) & sample["bold_choice"].notna() & sample["promoted"].notna()
        ]
        if sub.empty:
            continue
        rates = _rates(sub, "promoted", "bold_choice")
        for level, row in zip(rates.index, rates.itertuples(), strict=True):
            tag = f"{group}:{bool(level)}"
            np.testing.assert_allclose(
                _gid(ax.lines, f"ci:{tag}").get_xdata(), [row.ci_low, row.ci_high]
            )
            assert _gid(ax.texts, f"n:{tag}").get_text() == f"{row.events}/{row.n}"
            dot = _gid(ax.lines, f"rate:{tag}")
            assert to_hex(dot.get_color()) == maplot.GENDER_COLORS[group].lower()
            assert (dot.get_markerfacecolor() == "white") == (not bool(level))
    plt.close("all")


def test_boldness_payoff_derives_bold_choice_and_handles_empty_and_suppressed():
    df = _small()  # bold_choice computed by ma.boldness; non_binary has no mentor
    mask = pd.DataFrame({True: [True, False], False: [False, False]}, index=["woman", "man"])
    ax = maplot.plot_boldness_payoff(df, "promoted", suppressed=mask)
    assert _gid(ax.texts, "n:woman:True").get_text() == "suppressed"
    assert not _gids(ax.lines, "rate:woman:True")
    assert _gids(ax.lines, "rate:woman:False")
    assert any("no participants with a mentor" in t for t in _texts(ax))
    assert "Not shown: 2 participant(s)" in ax.get_xlabel()
    plt.close("all")


# --------------------------------------------------------------------------------------
# 6. mediation diagram
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mediation_result(programme):
    two = programme[programme["gender"].isin(["woman", "man"])]
    return ma.mediation(two, "gender", "bold_choice", "promoted", n_sims=200, rng=1)


def test_mediation_diagram_shows_the_effects(mediation_result):
    before = mediation_result.table.copy()
    ax = maplot.plot_mediation(mediation_result)
    table = mediation_result.table
    pd.testing.assert_frame_equal(table, before)
    for key in ("acme", "ade", "total_effect"):
        text = _gid(ax.texts, key).get_text().replace("\n", " ")
        est, lo, hi = (100 * table.loc[key, c] for c in ("estimate", "ci_low", "ci_high"))
        assert f"{est:+.1f} pp [{lo:+.1f}, {hi:+.1f}]" in text
    prop = table.loc["prop_mediated"]
    assert f"{100 * prop['estimate']:.0f}%" in _gid(ax.texts, "prop_mediated").get_text()
    assert len(_gids(ax.patches, "box:")) == 3
    plt.close("all")


def test_mediation_diagram_suppressed_and_errors(mediation_result):
    ax = maplot.plot_mediation(mediation_result, suppressed={"acme", "prop_mediated"})
    assert _gid(ax.texts, "acme").get_text() == "suppressed"
    assert "suppressed" in _gid(ax.texts, "prop_mediated").get_text()
    assert "suppressed" not in _gid(ax.texts, "ade").get_text()
    with pytest.raises(AnalysisError, match="needs rows acme, ade and total_effect"):
        maplot.plot_mediation(pd.DataFrame({"estimate": [1.0]}, index=["acme"]))
    with pytest.raises(ColumnError, match="needs columns estimate, ci_low, ci_high"):
        maplot.plot_mediation(
            pd.DataFrame({"estimate": [1.0, 1.0, 1.0]}, index=["acme", "ade", "total_effect"])
        )
    with pytest.raises(AnalysisError, match="result must be a mediation"):
        maplot.plot_mediation(3)
    plt.close("all")


# --------------------------------------------------------------------------------------
# 7. Kaplan-Meier
# --------------------------------------------------------------------------------------


def test_km_curves_bands_and_numbers_at_risk(programme):
    before = programme.copy()
    ax = maplot.plot_km(programme, at_risk_times=[0, 12, 24, 36])
    pd.testing.assert_frame_equal(programme, before)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        km = ma.kaplan_meier(programme)
    at_risk = km.at_risk([0, 12, 24, 36])
    for group in km.groups:
        sub = km.table[km.table["group"] == group]
        curve = _gid(ax.lines, f"curve:{group}")
        np.testing.assert_allclose(curve.get_xdata(), sub["time"])
        np.testing.assert_allclose(curve.get_ydata(), 1 - sub["survival"])
        assert to_hex(curve.get_color()) == maplot.GENDER_COLORS[group].lower()
        for row in at_risk[at_risk["group"] == group].itertuples():
            text = _gid(ax.texts, f"at_risk:{group}:{row.time:g}").get_text()
            assert text == str(row.n_at_risk)
    assert ax.get_ylabel() == "Promoted so far (cumulative %)"
    plt.close("all")


def test_km_survival_kind_from_result_and_suppression(programme):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        km = ma.kaplan_meier(programme)
    mask = pd.DataFrame(False, index=list(km.groups), columns=[0.0, 12.0])
    mask.loc["woman", 12.0] = True
    ax = maplot.plot_km(km, kind="survival", at_risk_times=[0, 12], suppressed=mask)
    sub = km.table[km.table["group"] == "man"]
    np.testing.assert_allclose(_gid(ax.lines, "curve:man").get_ydata(), sub["survival"])
    assert _gid(ax.texts, "at_risk:woman:12").get_text() == "suppressed"
    assert _gid(ax.texts, "at_risk:woman:0").get_text() != "suppressed"
    ax2 = maplot.plot_km(km, suppressed={"woman"}, ax=plt.figure().gca())
    assert not _gids(ax2.lines, "curve:woman")
    assert "woman: suppressed" in [t.get_text() for t in ax2.get_legend().get_texts()]
    plt.close("all")


def test_km_degenerate_inputs_draw_notes(first_cohort):
    ax = maplot.plot_km(first_cohort)
    assert _gids(ax.lines, "curve:")
    empty = first_cohort.assign(promoted=pd.array([pd.NA] * len(first_cohort), dtype="boolean"))
    ax2 = maplot.plot_km(empty, ax=plt.figure().gca())
    assert any("No Kaplan-Meier curve can be drawn" in t for t in _texts(ax2))
    with pytest.raises(AnalysisError, match="kind must be 'cumulative' or 'survival'"):
        maplot.plot_km(first_cohort, kind="hazard")
    plt.close("all")


# --------------------------------------------------------------------------------------
# 8. across cohorts
# --------------------------------------------------------------------------------------


def _spiegelhalter_limit(n: int, p0: float, q: float) -> float:
    """Independent reference: the binomial CDF from exact integer arithmetic.

    The quantile r is the smallest count with P(X <= r) >= q; the limit is
    (r - alpha) / n with alpha = (P(X <= r) - q) / P(X = r) (Spiegelhalter 2005, A.1.1),
    clipped to [0, 1] because a rate cannot leave that range.
    """
    p = Fraction(p0).limit_denominator(10**9)
    pmf = [math.comb(n, k) * p**k * (1 - p) ** (n - k) for k in range(n + 1)]
    cdf = Fraction(0)
    qf = Fraction(q)
    for r, mass in enumerate(pmf):
        cdf += mass
        if cdf >= qf:
            alpha = (cdf - qf) / mass
            return min(1.0, max(0.0, float((r - alpha) / n)))
    return 1.0


def test_funnel_limits_match_independent_exact_computation():
    for n, p0 in [(5, 0.3), (12, 0.45), (40, 0.1), (73, 0.62), (150, 0.5)]:
        for coverage in (0.95, 0.998):
            low, high = maplot.funnel_limits(n, p0, coverage=coverage)
            q_low, q_high = (1 - coverage) / 2, (1 + coverage) / 2
            assert low[0] == pytest.approx(_spiegelhalter_limit(n, p0, q_low), abs=1e-9)
            assert high[0] == pytest.approx(_spiegelhalter_limit(n, p0, q_high), abs=1e-9)
    low95, high95 = maplot.funnel_limits([10, 100, 1000], 0.3)
    low998, high998 = maplot.funnel_limits([10, 100, 1000], 0.3, coverage=0.998)
    assert np.all(low998 <= low95) and np.all(high95 <= high998)
    assert np.all(np.diff(high95) < 0) and np.all(np.diff(low95) > 0)  # the funnel narrows


def test_funnel_limits_errors():
    with pytest.raises(AnalysisError, match="n must be whole numbers"):
        maplot.funnel_limits([0], 0.3)
    with pytest.raises(AnalysisError, match="rate must be a proportion"):
        maplot.funnel_limits([10], 1.3)
    with pytest.raises(AnalysisError, match="coverage must be between 0 and 1"):
        maplot.funnel_limits([10], 0.3, coverage=95)


def test_cohort_funnel_points_and_limits(programme):
    before = programme.copy()
    ax = maplot.plot_cohort_funnel(programme, "promoted")
    pd.testing.assert_frame_equal(programme, before)
    rates = _rates(programme, "promoted", "cohort")
    p0 = rates["events"].sum() / rates["n"].sum()
    np.testing.assert_allclose(_gid(ax.lines, "overall").get_ydata(), [p0, p0])
    for cohort, row in rates.iterrows():
        dot = _gid(ax.lines, f"cohort:{cohort}")
        np.testing.assert_allclose(dot.get_xdata(), [row["n"]])
        np.testing.assert_allclose(dot.get_ydata(), [row["rate"]])
        assert f"{cohort} ({row['events']}/{row['n']})" in _legend(ax)
    high = _gid(ax.lines, "limit:99.8:high")
    n = 20
    expected = _spiegelhalter_limit(n, p0, 0.999)
    assert high.get_ydata()[list(high.get_xdata()).index(n)] == pytest.approx(expected, abs=1e-9)
    assert "Exact binomial" in ax.get_legend().get_title().get_text()
    plt.close("all")


def test_cohort_funnel_single_cohort_and_suppressed(first_cohort, programme):
    ax = maplot.plot_cohort_funnel(first_cohort, "promoted")
    assert "only one cohort: nothing to compare across cohorts yet" in _texts(ax)
    assert len(_gids(ax.lines, "cohort:")) == 1
    ax2 = maplot.plot_cohort_funnel(
        programme, "promoted", suppressed={"2019", "2020"}, ax=plt.figure().gca()
    )
    assert not _gids(ax2.lines, "cohort:2019")
    assert "suppressed: 2019, 2020" in _legend(ax2)
    ax3 = maplot.plot_cohort_funnel(
        programme,
        "promoted",
        suppressed=pd.Series({"All": True, "2019": False}),
        ax=plt.figure().gca(),
    )
    overall = _gid(ax3.lines, "overall").get_label()
    assert "/" not in overall  # withheld margin: no overall counts
    plt.close("all")


def test_cohort_trend_whiskers_equal_compare_rates(programme):
    before = programme.copy()
    ax = maplot.plot_cohort_trend(programme, "promoted")
    pd.testing.assert_frame_equal(programme, before)
    rates = _rates(programme, "promoted", "cohort")
    for cohort, row in rates.iterrows():
        np.testing.assert_allclose(
            _gid(ax.lines, f"ci:{cohort}").get_ydata(), [row["ci_low"], row["ci_high"]]
        )
        assert _gid(ax.texts, f"n:{cohort}").get_text() == f"{row['events']}/{row['n']}"
    assert [t.get_text() for t in ax.get_xticklabels()] == list(rates.index)
    plt.close("all")


def test_cohort_trend_by_gender_colours_suppression_and_single_cohort(programme, first_cohort):
    mask = pd.DataFrame(False, index=sorted(programme["cohort"].unique()), columns=["woman", "man"])
    mask.loc["2019", "woman"] = True
    ax = maplot.plot_cohort_trend(programme, "promoted", by="gender", suppressed=mask)
    assert not _gids(ax.lines, "rate:2019:woman")
    assert "suppressed" in _texts(ax)
    sub = programme[programme["gender"] == "man"]
    rates = _rates(sub, "promoted", "cohort")
    for cohort, row in rates.iterrows():
        line = _gid(ax.lines, f"ci:{cohort}:man")
        np.testing.assert_allclose(line.get_ydata(), [row["ci_low"], row["ci_high"]])
        assert to_hex(line.get_color()) == maplot.GENDER_COLORS["man"].lower()
    ax2 = maplot.plot_cohort_trend(first_cohort, "promoted", ax=plt.figure().gca())
    assert "only one cohort: nothing to compare across cohorts yet" in _texts(ax2)
    plt.close("all")


# --------------------------------------------------------------------------------------
# suppression helper and general behaviour
# --------------------------------------------------------------------------------------


def test_cell_mask_rules():
    from mentoranalytics.plot._common import cell_mask

    mask = pd.DataFrame({"a": [True, False], "n": [False, True]}, index=["x", "y"])
    out = cell_mask(mask, ["x", "y", "z"], ["a", "b"])
    assert out.loc["x"].tolist() == [True, False]
    assert out.loc["y"].tolist() == [True, True]  # suppressed n withholds the row
    assert out.loc["z"].tolist() == [False, False]
    published = pd.DataFrame({"a": [1.0, np.nan]}, index=["x", "y"])
    assert cell_mask(published, ["x", "y"], ["a"])["a"].tolist() == [False, True]
    with pytest.raises(AnalysisError, match="MultiIndex"):
        cell_mask(
            pd.DataFrame({"a": [True]}, index=pd.MultiIndex.from_tuples([("x", 1)])), ["x"], ["a"]
        )


def test_group_rates_match_the_joint_compare_rates_call(programme):
    from mentoranalytics.plot._rates import group_rates

    joint = _rates(programme, "promoted", "gender")
    per_group = group_rates(programme, "promoted", "gender", list(joint.index) + ["self_described"])
    cols = ["n", "events", "rate", "ci_low", "ci_high"]
    np.testing.assert_allclose(
        per_group.loc[list(joint.index), cols].to_numpy(float), joint[cols].to_numpy(float)
    )
    assert per_group.loc["self_described", "n"] == 0
    # a yes/no grouping column without missing values (keys must stay scalar)
    flags = pd.DataFrame({"b": [True, False, True, True, False], "y": [1, 0, 1, 0, 0]})
    out = group_rates(flags, "y", "b", [False, True])
    assert out["n"].tolist() == [2, 3] and out["events"].tolist() == [0, 2]


def test_axes_argument_is_used_and_returned():
    fig, ax = plt.subplots()
    assert maplot.plot_mentor_choice(_small(), ax=ax) is ax
    assert maplot.plot_outcome_rates(_small(), ["promoted"], ax=ax) is not None
    plt.close(fig)


@pytest.mark.slow
def test_every_chart_renders_to_png(programme, first_cohort, tmp_path, mediation_result):
    """Smoke test: every chart draws and saves under the house style on both samples."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        effects = ma.compare_rates(programme, "promoted")
    for data in (programme, first_cohort):
        with maplot.theme():
            charts = [
                maplot.plot_mentor_choice(data, ax=plt.figure().gca()),
                maplot.plot_mentor_choice(data, variable="approach", ax=plt.figure().gca()),
                maplot.plot_seniority_reach(data, ax=plt.figure().gca()),
                maplot.plot_boldness(data),
                maplot.plot_outcome_rates(data, ax=plt.figure().gca()),
                maplot.plot_boldness_payoff(data, "promoted", ax=plt.figure().gca()),
                maplot.plot_forest(effects, ax=plt.figure().gca()),
                maplot.plot_mediation(mediation_result, ax=plt.figure().gca()),
                maplot.plot_km(data, ax=plt.figure().gca()),
                maplot.plot_cohort_funnel(data, "promoted", ax=plt.figure().gca()),
                maplot.plot_cohort_trend(data, "promoted", by="gender", ax=plt.figure().gca()),
            ]
            for k, chart in enumerate(charts):
                fig = chart if hasattr(chart, "savefig") else chart.figure
                fig.savefig(tmp_path / f"chart{k}.png", dpi=40)
        plt.close("all")
    assert len(list(tmp_path.glob("*.png"))) == 11


def test_public_names():
    for name in maplot.__all__:
        assert hasattr(maplot, name)


def test_funnel_of_large_cohorts_draws_limits_at_spaced_sizes():
    # cohorts of 3,000 and 2,500: the limit lines use 2,000 geometrically spaced sizes
    # from 1 to the largest shown (not every integer); the values are the exact limits
    g = np.random.default_rng(2)
    df = pd.DataFrame(
        {"cohort": ["2019"] * 3000 + ["2020"] * 2500, "promoted": g.random(5500) < 0.3}
    )
    ax = maplot.plot_cohort_funnel(df, "promoted")
    line = _gid(ax.lines, "limit:95:low")
    x = np.asarray(line.get_xdata())
    assert x[0] == 1 and x[-1] == int(3000 * 1.15) + 1 and len(x) <= 2000
    assert np.all(np.diff(x) > 0)
    p0 = df["promoted"].mean()
    np.testing.assert_allclose(line.get_ydata(), maplot.funnel_limits(x, p0)[0])
    plt.close("all")
