"""Charts publish aggregates only, and can be drawn from released numbers only (issue 10).

* the default views of seniority reach and boldness draw group summaries: one marker
  per group (never one per person), intervals from ``compare_groups``' t interval, no
  whisker at anyone's minimum or maximum, axis limits fixed by the scale;
* the per-person view (``individual=True``) draws its boxes with whiskers inside the
  10th-90th percentiles and no outliers;
* ``plot_rates``, ``plot_group_summary``, ``plot_mentor_choice(counts=)`` and
  ``plot_km(step_table)`` draw the numbers of a released table and nothing else; NaN
  rows draw no bar or marker but the word "suppressed"; the forest plot and the
  mediation diagram draw NaN rows of a released table as "withheld".

Expected values come from the statistics layer or from the test's own tables.
"""

from __future__ import annotations

import warnings
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics import plot as maplot
from mentoranalytics.exceptions import AnalysisError, ColumnError, SmallSampleWarning

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(scope="module")
def programme() -> pd.DataFrame:
    return ma.load_sample("programme").data


def _by_group(frame: pd.DataFrame) -> pd.DataFrame:
    """A group table indexed by group (whether the result has a group column or index)."""
    return frame.set_index("group") if "group" in frame.columns else frame


def _quiet(call: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)
        return call()


def _gid(artists: Any, gid: str) -> Any:
    found = [a for a in artists if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def _gids(artists: Any, prefix: str) -> list[Any]:
    return [a for a in artists if (a.get_gid() or "").startswith(prefix)]


def _markers(ax: Any) -> int:
    """How many data markers the axes draws (points of marked lines and of scatters)."""
    count = 0
    for line in ax.lines:
        if line.get_marker() not in (None, "None", "", " ") and line.get_markersize() > 0:
            count += len(np.atleast_1d(line.get_xdata()))
    for coll in ax.collections:
        offsets = coll.get_offsets()
        if hasattr(coll, "get_sizes") and len(offsets) and len(coll.get_sizes()):
            count += len(offsets)
    return count


def _drawn_values(ax: Any, axis: str) -> np.ndarray:
    """Every coordinate of every line along ``axis`` ("x" or "y")."""
    values = [np.asarray(getattr(ln, f"get_{axis}data")(), dtype=float) for ln in ax.lines]
    return np.concatenate(values) if values else np.zeros(0)


def _gaps() -> pd.DataFrame:
    """Two groups whose extremes (one person each) differ from every mean and CI limit."""
    return pd.DataFrame(
        {
            "gender": ["woman"] * 12 + ["man"] * 15,
            "seniority_gap": [-3, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 5]
            + [-4, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 4],
        }
    )


# --------------------------------------------------------------------------------------
# aggregate views
# --------------------------------------------------------------------------------------


def test_seniority_reach_draws_group_means_not_people():
    df = _gaps()
    ax = maplot.plot_seniority_reach(df)
    expected = _by_group(_quiet(lambda: ma.compare_groups(df, "seniority_gap").groups))
    for g in ("woman", "man"):
        mean = _gid(ax.lines, f"mean:{g}")
        np.testing.assert_allclose(mean.get_xdata(), [expected.loc[g, "mean"]])
        ci = _gid(ax.lines, f"ci:{g}")
        np.testing.assert_allclose(
            ci.get_xdata(), [expected.loc[g, "ci_low"], expected.loc[g, "ci_high"]]
        )
        assert _gid(ax.texts, f"n:{g}").get_text() == str(int(expected.loc[g, "n"]))
    assert not _gids(ax.collections, "dots:")
    assert _markers(ax) == 2  # one per group; never one per person
    for g, size in df["gender"].value_counts().items():
        assert _markers(ax) != size, g
    drawn = _drawn_values(ax, "x")
    for _, sub in df.groupby("gender"):
        assert sub["seniority_gap"].min() not in drawn  # no whisker at anyone's extreme
        assert sub["seniority_gap"].max() not in drawn
    assert ax.get_xlim() == pytest.approx((-5.2, 5.2))  # fixed by the scale
    plt.close("all")


def test_seniority_reach_axis_limits_never_follow_the_data():
    wide = _gaps().assign(seniority_gap=lambda d: d["seniority_gap"].clip(-1, 1))
    for individual in (False, True):
        a = maplot.plot_seniority_reach(_gaps(), individual=individual, ax=plt.figure().gca())
        b = maplot.plot_seniority_reach(wide, individual=individual, ax=plt.figure().gca())
        limits = (a.get_ylim(), a.get_xlim()) if individual else (a.get_xlim(),)
        other = (b.get_ylim(), b.get_xlim()) if individual else (b.get_xlim(),)
        assert limits == other
    plt.close("all")


def test_boldness_draws_component_means_by_group(programme):
    ax = maplot.plot_boldness(programme)
    scores = ma.boldness(programme).assign(gender=programme["gender"])
    for column in ("boldness_index", "reach", "distance", "initiation"):
        groups = _by_group(_quiet(lambda c=column: ma.compare_groups(scores, c).groups))
        for g in ("woman", "man"):
            mean = _gid(ax.lines, f"mean:{column}:{g}")
            np.testing.assert_allclose(mean.get_xdata(), [groups.loc[g, "mean"]])
            assert _gid(ax.texts, f"n:{column}:{g}").get_text() == str(int(groups.loc[g, "n"]))
    assert not _gids(ax.collections, "dots")
    n_groups = programme["gender"].nunique()
    assert _markers(ax) == 4 * n_groups
    assert ax.get_xlim() == pytest.approx((-0.02, 1.02))
    plt.close("all")


def test_boldness_panels_default_to_aggregates(programme):
    fig = maplot.plot_boldness_panels(programme)
    for ax in fig.axes:
        assert not _gids(ax.collections, "dots")
        assert _markers(ax) == programme["gender"].nunique()
    plt.close("all")


def test_individual_view_boxes_have_quantile_whiskers_and_no_outliers():
    df = _gaps()
    ax = maplot.plot_seniority_reach(df, individual=True)
    for i, g in enumerate(("woman", "man")):
        sub = df.loc[df["gender"] == g, "seniority_gap"]
        x = sub.to_numpy(float)
        p10, p90 = np.percentile(x, [10, 90])
        # the whiskers and caps of box i: vertical lines at x == i
        ends = [
            y
            for ln in ax.lines
            if np.allclose(ln.get_xdata(), i) and ln.get_color() != "black"
            for y in ln.get_ydata()
        ]
        assert min(ends) >= p10 - 1e-9 and max(ends) <= p90 + 1e-9
        assert x.min() not in ends and x.max() not in ends
    assert not [
        ln
        for ln in ax.lines
        if ln.get_marker() not in ("None", None, "") and (ln.get_gid() or "") == ""
    ]  # no flier markers
    plt.close("all")


# --------------------------------------------------------------------------------------
# rates from a released table
# --------------------------------------------------------------------------------------


def _released_rates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": [40, 52, np.nan, 0],
            "events": [12, 30, np.nan, 0],
            "rate": [0.3, 30 / 52, np.nan, np.nan],
            "ci_low": [0.18, 0.44, np.nan, np.nan],
            "ci_high": [0.45, 0.70, np.nan, np.nan],
        },
        index=pd.Index(["woman", "man", "non_binary", "not_stated"], name="gender"),
    )


@pytest.mark.parametrize("kind", ["point", "bar"])
def test_plot_rates_draws_exactly_the_released_numbers(kind):
    table = _released_rates()
    before = table.copy()
    ax = maplot.plot_rates(table, by="gender", kind=kind)
    pd.testing.assert_frame_equal(table, before)
    for g in ("woman", "man"):
        row = table.loc[g]
        np.testing.assert_allclose(
            _gid(ax.lines, f"ci::{g}").get_xdata(), [row["ci_low"], row["ci_high"]]
        )
        if kind == "point":
            np.testing.assert_allclose(_gid(ax.lines, f"rate::{g}").get_xdata(), [row["rate"]])
        else:
            assert _gid(ax.patches, f"bar::{g}").get_width() == pytest.approx(row["rate"])
        assert _gid(ax.texts, f"n::{g}").get_text() == f"{int(row['events'])}/{int(row['n'])}"
    # the NaN row: no marker, no bar, no interval, the word "suppressed"
    assert not _gids(ax.lines, "rate::non_binary") and not _gids(ax.lines, "ci::non_binary")
    assert not _gids(ax.patches, "bar::non_binary")
    assert _gid(ax.texts, "n::non_binary").get_text() == "suppressed"
    assert _gid(ax.texts, "n::not_stated").get_text() == "no answers (n = 0)"
    assert len(_gids(ax.patches, "bar:")) == (2 if kind == "bar" else 0)
    assert _markers(ax) == (2 if kind == "point" else 0)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "woman",
        "man",
        "non binary",
        "not stated",
    ]
    plt.close("all")


def test_plot_rates_long_table_of_several_outcomes():
    table = pd.concat(
        [
            _released_rates().assign(outcome="promoted"),
            _released_rates().assign(outcome="role_change", rate=lambda d: d["rate"] / 2),
        ]
    )
    ax = maplot.plot_rates(table, by="gender")
    assert len(_gids(ax.lines, "rate:")) == 4  # two outcomes x two released groups
    np.testing.assert_allclose(_gid(ax.lines, "rate:role_change:woman").get_xdata(), [0.15])
    assert _gid(ax.texts, "n:role_change:non_binary").get_text() == "suppressed"
    assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["woman", "man"]
    plt.close("all")


def test_plot_rates_errors():
    with pytest.raises(
        ColumnError, match=r"needs columns n, events, rate, ci_low, ci_high; missing \['ci_high'\]"
    ):
        maplot.plot_rates(_released_rates().drop(columns="ci_high"))
    with pytest.raises(AnalysisError, match="table must be a DataFrame of released rates"):
        maplot.plot_rates([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="kind must be 'point' or 'bar'"):
        maplot.plot_rates(_released_rates(), kind="pie")


# --------------------------------------------------------------------------------------
# group summaries from a released table
# --------------------------------------------------------------------------------------


def test_plot_group_summary_draws_the_released_means():
    table = pd.DataFrame(
        {
            "n": [40, 38, np.nan],
            "mean": [0.8, 0.4, np.nan],
            "ci_low": [0.5, 0.1, np.nan],
            "ci_high": [1.1, 0.7, np.nan],
        },
        index=["woman", "man", "non_binary"],
    )
    ax = maplot.plot_group_summary(table, by="gender", limits=(-5, 5), reference=0)
    np.testing.assert_allclose(_gid(ax.lines, "mean:woman").get_xdata(), [0.8])
    np.testing.assert_allclose(_gid(ax.lines, "ci:man").get_xdata(), [0.1, 0.7])
    assert not _gids(ax.lines, "mean:non_binary")
    assert _gid(ax.texts, "n:non_binary").get_text() == "suppressed"
    assert _markers(ax) == 2
    assert ax.get_xlim() == pytest.approx((-5.2, 5.2))
    # a long table of the boldness scores: limits from the scores' scale
    long = pd.concat([table.assign(variable="reach"), table.assign(variable="distance")])
    ax2 = maplot.plot_group_summary(long, by="gender", ax=plt.figure().gca())
    assert ax2.get_xlim() == pytest.approx((-0.02, 1.02))
    assert len(_gids(ax2.lines, "mean:")) == 4
    with pytest.raises(ColumnError, match=r"missing \['mean'\]"):
        maplot.plot_group_summary(table.drop(columns="mean"))
    with pytest.raises(AnalysisError, match="limits must be"):
        maplot.plot_group_summary(table, limits=(1, 0))
    plt.close("all")


# --------------------------------------------------------------------------------------
# shares from a released count table
# --------------------------------------------------------------------------------------


def test_mentor_choice_from_released_counts_with_a_total_row():
    counts = pd.DataFrame(
        {"woman": [20.0, 10.0, np.nan, 15.0], "man": [25.0, 12.0, 11.0, 14.0]},
        index=["line_manager", "same_organisation", "existing_contact", "no_prior_tie"],
    )
    counts.loc["Total"] = [50.0, 62.0]
    before = counts.copy()
    ax = maplot.plot_mentor_choice(counts=counts)
    pd.testing.assert_frame_equal(counts, before)
    assert _gid(ax.patches, "bar:woman:line_manager").get_width() == pytest.approx(20 / 50)
    assert _gid(ax.patches, "bar:man:existing_contact").get_width() == pytest.approx(11 / 62)
    assert not _gids(ax.patches, "bar:woman:existing_contact")  # NaN: no bar
    # the withheld remainder of the bar (50 - 45 = 5) is one hatched segment
    assert _gid(ax.patches, "bar:woman:suppressed").get_width() == pytest.approx(5 / 50)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["woman\nn = 50", "man\nn = 62"]
    plt.close("all")


def test_mentor_choice_counts_without_a_total_and_a_withheld_group():
    counts = pd.DataFrame(
        {"woman": [20.0, np.nan], "man": [25.0, 12.0], "non_binary": [np.nan, np.nan]},
        index=pd.Index(["line_manager", "no_prior_tie"], name="mentor_relation"),
    )
    ax = maplot.plot_mentor_choice(counts=counts)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["woman\nn = 20 shown", "man\nn = 37", "non binary\nn suppressed"]
    assert _gid(ax.patches, "bar:woman:line_manager").get_width() == pytest.approx(1.0)
    assert _gid(ax.texts, "partial:woman").get_text().strip() == "+ suppressed"
    assert not _gids(ax.patches, "bar:non_binary:")
    assert "suppressed" in [t.get_text() for t in ax.texts]
    with pytest.raises(AnalysisError, match="either data .* or counts, not both"):
        maplot.plot_mentor_choice(pd.DataFrame({"gender": ["woman"]}), counts=counts)
    with pytest.raises(AnalysisError, match="some cells are text"):
        maplot.plot_mentor_choice(counts=counts.astype(object).fillna("<5"))
    plt.close("all")


# --------------------------------------------------------------------------------------
# Kaplan-Meier from a released step table
# --------------------------------------------------------------------------------------


def _coarsen(table: pd.DataFrame, width: float) -> pd.DataFrame:
    """The curve read at multiples of ``width`` months only (what a gate releases)."""
    rows = []
    for group, sub in table.groupby("group", sort=False):
        sub = sub.sort_values("time")
        for t in np.arange(0.0, float(sub["time"].max()) + width, width):
            last = sub[sub["time"] <= t].iloc[-1]
            later = sub[sub["time"] >= t]
            rows.append(
                {
                    "time": t,
                    "survival": last["survival"],
                    "ci_low": last["ci_low"],
                    "ci_high": last["ci_high"],
                    "n_at_risk": later["n_at_risk"].iloc[0] if len(later) else 0,
                    "group": group,
                }
            )
    return pd.DataFrame(rows)


def test_km_from_a_step_table_draws_exactly_its_steps(programme):
    km = _quiet(lambda: ma.kaplan_meier(programme[programme["gender"].isin(["woman", "man"])]))
    steps = _coarsen(km.table, 12.0)
    steps.loc[(steps["group"] == "woman") & (steps["time"] == 24.0), "n_at_risk"] = np.nan
    before = steps.copy()
    ax = maplot.plot_km(steps)
    pd.testing.assert_frame_equal(steps, before)
    for g in ("woman", "man"):
        sub = steps[steps["group"] == g]
        curve = _gid(ax.lines, f"curve:{g}")
        np.testing.assert_allclose(curve.get_xdata(), sub["time"])  # no step of its own
        np.testing.assert_allclose(curve.get_ydata(), 1 - sub["survival"])
    # numbers at risk: the table's own, at its own times; NaN is "suppressed"
    shown = _gids(ax.texts, "at_risk:")
    assert shown
    for text in shown:
        _, g, t = text.get_gid().split(":")
        row = steps[(steps["group"] == g) & (steps["time"] == float(t))]
        assert len(row) == 1  # every at-risk time is a row of the table
        n = row["n_at_risk"].iloc[0]
        assert text.get_text() == ("suppressed" if pd.isna(n) else str(int(n)))
    assert not [ln for ln in ax.lines if ln.get_marker() == "|"]  # no censoring ticks
    plt.close("all")


def test_km_step_table_at_risk_only_from_given_numbers(programme):
    steps = pd.DataFrame(
        {
            "time": [0.0, 12.0, 24.0],
            "survival": [1.0, 0.8, 0.6],
            "ci_low": [1.0, 0.6, 0.4],
            "ci_high": [1.0, 0.9, 0.8],
        }
    )
    ax = maplot.plot_km(steps, at_risk_times=[0, 6, 12])
    assert not _gids(ax.texts, "at_risk:")  # no n_at_risk given: no numbers
    given = pd.DataFrame({"time": [0.0, 12.0], "n_at_risk": [30, np.nan]})
    ax2 = maplot.plot_km(steps, at_risk=given, at_risk_times=[0, 6, 12], ax=plt.figure().gca())
    assert _gid(ax2.texts, "at_risk:all:0").get_text() == "30"
    assert _gid(ax2.texts, "at_risk:all:6").get_text() == "–"  # not given: never computed
    assert _gid(ax2.texts, "at_risk:all:12").get_text() == "suppressed"
    with pytest.raises(AnalysisError, match="rows without a time"):
        maplot.plot_km(steps.assign(time=[0.0, np.nan, 24.0]))
    plt.close("all")


def test_km_censor_marks_only_in_the_individual_view(programme):
    ax = maplot.plot_km(programme)
    assert not [ln for ln in ax.lines if ln.get_marker() == "|"]
    ax2 = maplot.plot_km(programme, individual=True, ax=plt.figure().gca())
    assert [ln for ln in ax2.lines if ln.get_marker() == "|"]
    plt.close("all")


# --------------------------------------------------------------------------------------
# withheld rows of forest and mediation tables
# --------------------------------------------------------------------------------------


def test_forest_draws_nan_rows_of_a_released_table_as_withheld():
    released = pd.DataFrame(
        {
            "group": ["woman", "non_binary", "not_stated"],
            "reference": "man",
            "estimate": [-0.12, np.nan, np.nan],
            "ci_low": [-0.23, np.nan, np.nan],
            "ci_high": [-0.01, np.nan, np.nan],
            "measure": "risk_difference",
        }
    )
    ax = maplot.plot_forest(released)
    assert len(_gids(ax.lines, "estimate:")) == 1
    assert _gid(ax.texts, "text:1").get_text() == "withheld"
    assert _gid(ax.texts, "text:2").get_text() == "withheld"
    ax2 = maplot.plot_forest(released, nan_rows="not estimable", ax=plt.figure().gca())
    assert _gid(ax2.texts, "text:1").get_text() == "not estimable"
    ax3 = maplot.plot_forest(
        released,
        pooled={"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan},
        ax=plt.figure().gca(),
    )
    assert _gid(ax3.texts, "text:pooled").get_text() == "withheld"
    with pytest.raises(AnalysisError, match="nan_rows must be"):
        maplot.plot_forest(released, nan_rows="hidden")
    plt.close("all")


def test_mediation_draws_nan_rows_of_a_released_table_as_withheld():
    table = pd.DataFrame(
        {
            "estimate": [np.nan, 0.10, 0.15, np.nan],
            "ci_low": [np.nan, -0.02, 0.02, np.nan],
            "ci_high": [np.nan, 0.22, 0.28, np.nan],
        },
        index=pd.Index(["acme", "ade", "total_effect", "prop_mediated"], name="effect"),
    )
    ax = maplot.plot_mediation(table)
    assert _gid(ax.texts, "acme").get_text() == "withheld"
    assert "withheld" in _gid(ax.texts, "prop_mediated").get_text()
    assert "+0.100" in _gid(ax.texts, "ade").get_text()
    marked = table.assign(suppressed=False)
    ax2 = maplot.plot_mediation(marked, ax=plt.figure().gca())
    assert _gid(ax2.texts, "acme").get_text() == "not estimable"
    plt.close("all")
