"""Charts compose: ax=, palette=, order=, labels=, title=, legend=, log ratio axes, greyscale.

Checked on drawn objects only: colours and shapes of markers, text of labels and
legends, axis scales.  Expected colours come from ``GENDER_COLORS`` and the palette
the test passes, never from the chart.
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
from mentoranalytics.exceptions import AnalysisError, SmallSampleWarning

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_hex


@pytest.fixture(scope="module")
def programme() -> pd.DataFrame:
    return ma.load_sample("programme").data


@pytest.fixture(scope="module")
def women_men(programme: pd.DataFrame) -> pd.DataFrame:
    return programme[programme["gender"].isin(["woman", "man"])]


@pytest.fixture(scope="module")
def mediation_result(women_men: pd.DataFrame) -> Any:
    return ma.mediation(women_men, "gender", "bold_choice", "promoted", n_sims=100, rng=1)


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


def _legend(ax: Any) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []


def _title(ax: Any) -> str:
    return next((ax.get_title(loc) for loc in ("left", "center", "right") if ax.get_title(loc)), "")


# every axes-level chart, as a function of (data, ax, **keywords)
def _charts(programme: pd.DataFrame, women_men: pd.DataFrame, mediation: Any) -> dict[str, Any]:
    rates = _quiet(lambda: ma.compare_rates(programme, "promoted"))
    cox = _quiet(lambda: ma.cox_model(programme, ["gender", "goals_defined"]))
    summary = _quiet(lambda: ma.compare_groups(programme, "seniority_gap").groups)
    return {
        "mentor_choice": lambda ax, **k: maplot.plot_mentor_choice(programme, ax=ax, **k),
        "seniority_reach": lambda ax, **k: maplot.plot_seniority_reach(programme, ax=ax, **k),
        "boldness": lambda ax, **k: maplot.plot_boldness(programme, ax=ax, **k),
        "outcome_rates": lambda ax, **k: maplot.plot_outcome_rates(programme, ax=ax, **k),
        "payoff": lambda ax, **k: maplot.plot_boldness_payoff(programme, "promoted", ax=ax, **k),
        "forest": lambda ax, **k: maplot.plot_forest(cox, ax=ax, **k),
        "mediation": lambda ax, **k: maplot.plot_mediation(mediation, ax=ax, **k),
        "km": lambda ax, **k: maplot.plot_km(programme, ax=ax, **k),
        "funnel": lambda ax, **k: maplot.plot_cohort_funnel(programme, "promoted", ax=ax, **k),
        "trend": lambda ax, **k: maplot.plot_cohort_trend(
            women_men, "promoted", by="gender", ax=ax, **k
        ),
        "rates": lambda ax, **k: maplot.plot_rates(rates.rates, by="gender", ax=ax, **k),
        "summary": lambda ax, **k: maplot.plot_group_summary(
            _by_group(summary), by="gender", ax=ax, **k
        ),
    }


def test_every_chart_draws_on_the_given_axes_keeps_the_title_and_obeys_legend_false(
    programme, women_men, mediation_result
):
    for name, draw in _charts(programme, women_men, mediation_result).items():
        fig, ax = plt.subplots()
        ax.set_title("my own title")
        out = _quiet(lambda draw=draw, ax=ax: draw(ax, legend=False))
        assert out is ax, name
        assert _title(ax) == "my own title", name  # no built-in title over the researcher's
        assert ax.get_legend() is None, name
        fig2, ax2 = plt.subplots()
        _quiet(lambda draw=draw, ax2=ax2: draw(ax2, title="Panel B"))
        assert _title(ax2) == "Panel B", name
        plt.close("all")


def test_legend_argument_is_checked(programme):
    with pytest.raises(AnalysisError, match="legend must be 'auto', True or False"):
        maplot.plot_seniority_reach(programme, legend="yes")


def test_no_chart_sets_a_title_by_default(programme):
    ax = maplot.plot_outcome_rates(programme)
    assert _title(ax) == ""
    plt.close("all")


# --------------------------------------------------------------------------------------
# palette, order, labels
# --------------------------------------------------------------------------------------


def test_relabelling_groups_keeps_their_colours_and_markers(women_men):
    ax = maplot.plot_outcome_rates(women_men, ["promoted"])
    ax2 = maplot.plot_outcome_rates(
        women_men, ["promoted"], labels={"woman": "Women", "man": "Men"}, ax=plt.figure().gca()
    )
    for g in ("woman", "man"):
        a, b = _gid(ax.lines, f"rate:promoted:{g}"), _gid(ax2.lines, f"rate:promoted:{g}")
        assert to_hex(b.get_color()) == to_hex(a.get_color()) == maplot.GENDER_COLORS[g].lower()
        assert b.get_marker() == a.get_marker() == maplot.GENDER_MARKERS[g]
    assert _legend(ax2) == ["Women", "Men"]
    plt.close("all")


def test_relabelled_data_values_do_not_all_turn_grey(women_men):
    # the researcher renamed the values themselves: two distinct colours and shapes
    renamed = women_men.assign(gender=women_men["gender"].map({"woman": "Women", "man": "Men"}))
    ax = maplot.plot_outcome_rates(renamed, ["promoted"])
    colours = {to_hex(_gid(ax.lines, f"rate:promoted:{g}").get_color()) for g in ("Women", "Men")}
    markers = {_gid(ax.lines, f"rate:promoted:{g}").get_marker() for g in ("Women", "Men")}
    assert len(colours) == 2 and len(markers) == 2
    plt.close("all")


@pytest.mark.parametrize(
    "palette, expected",
    [
        (["#111111", "#222222"], {"woman": "#111111", "man": "#222222"}),
        ({"man": "black", "woman": "red"}, {"woman": "#ff0000", "man": "#000000"}),
    ],
)
def test_palette_list_and_dict(women_men, palette, expected):
    ax = maplot.plot_rates(
        _quiet(lambda: ma.compare_rates(women_men, "promoted").rates), palette=palette
    )
    for g, colour in expected.items():
        assert to_hex(_gid(ax.lines, f"rate::{g}").get_color()) == colour
    plt.close("all")


def test_palette_by_name_uses_seaborn(women_men):
    import seaborn as sns

    ax = maplot.plot_km(women_men, palette="colorblind")
    wanted = [to_hex(c) for c in sns.color_palette("colorblind", 2)]
    assert [to_hex(_gid(ax.lines, f"curve:{g}").get_color()) for g in ("woman", "man")] == wanted
    plt.close("all")


def test_palette_errors(women_men):
    rates = _quiet(lambda: ma.compare_rates(women_men, "promoted").rates)
    with pytest.raises(AnalysisError, match=r"palette has no colour for \['man'\]"):
        maplot.plot_rates(rates, palette={"woman": "red"})
    with pytest.raises(AnalysisError, match="is not a colour"):
        maplot.plot_rates(rates, palette=["red", "not-a-colour"])
    with pytest.raises(AnalysisError, match="is not a palette name or a colour"):
        maplot.plot_rates(rates, palette="no_such_palette_name")
    with pytest.warns(UserWarning, match="palette has 1 colours for 2 groups"):
        maplot.plot_rates(rates, palette=["red"])
    plt.close("all")


def test_order_selects_and_orders_groups(programme):
    ax = maplot.plot_seniority_reach(programme, order=["man", "woman"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["man", "woman"]
    ax2 = maplot.plot_mentor_choice(
        programme, order=["man", "woman", "self_described"], ax=plt.figure().gca()
    )
    ticks = [t.get_text() for t in ax2.get_yticklabels()]
    assert ticks[0].startswith("man\n") and ticks[1].startswith("woman\n")
    assert ticks[2] == "self described\nn = 0"  # a listed group without data is drawn empty
    with pytest.raises(AnalysisError, match="order lists 'man' twice"):
        maplot.plot_seniority_reach(programme, order=["man", "man"])
    with pytest.raises(AnalysisError, match="order must be a list"):
        maplot.plot_seniority_reach(programme, order="man")
    plt.close("all")


def test_labels_list_must_match_groups(programme):
    with pytest.raises(AnalysisError, match="labels has 1 texts for 2 groups"):
        maplot.plot_seniority_reach(programme, order=["woman", "man"], labels=["W"])
    ax = maplot.plot_seniority_reach(programme, order=["woman", "man"], labels=str.upper)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["WOMAN", "MAN"]
    plt.close("all")


def test_forest_order_labels_and_palette_by_row_key():
    eff = pd.DataFrame(
        {
            "study": ["2019", "2020", "2021"],
            "estimate": [1.5, 0.8, 1.1],
            "ci_low": [0.6, 0.3, 0.5],
            "ci_high": [3.9, 2.1, 2.4],
            "measure": "odds_ratio",
        }
    )
    ax = maplot.plot_forest(
        eff,
        order=["2021", "2019"],
        labels={"2019": "first intake"},
        palette={"2019": "black", "2021": "red"},
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2021", "first intake"]
    np.testing.assert_allclose(_gid(ax.lines, "estimate:0").get_xdata(), [1.1])
    assert to_hex(_gid(ax.lines, "estimate:1").get_color()) == "#000000"
    with pytest.raises(AnalysisError, match="'2030' is not a row of the forest plot"):
        maplot.plot_forest(eff, order=["2030"])
    plt.close("all")


def test_mediation_palette_and_labels(mediation_result):
    ax = maplot.plot_mediation(
        mediation_result,
        palette={"indirect": "black", "direct": "red"},
        labels={"exposure": "Gender", "mediator": "Bold choice", "outcome": "Promotion"},
    )
    assert to_hex(_gid(ax.texts, "acme").get_color()) == "#000000"
    assert to_hex(_gid(ax.texts, "ade").get_color()) == "#ff0000"
    texts = [t.get_text() for t in ax.texts]
    assert {"Gender", "Bold choice", "Promotion"} <= set(texts)
    plt.close("all")


# --------------------------------------------------------------------------------------
# greyscale: shapes and line styles per group, the same everywhere
# --------------------------------------------------------------------------------------


def test_groups_differ_by_shape_or_line_style_the_same_in_every_chart(programme, women_men):
    shapes = {g: maplot.GENDER_MARKERS[g] for g in ("woman", "man")}
    assert len(set(shapes.values())) == 2
    ax = maplot.plot_outcome_rates(women_men, ["promoted"])
    ax2 = maplot.plot_cohort_trend(women_men, "promoted", by="gender", ax=plt.figure().gca())
    ax3 = maplot.plot_seniority_reach(women_men, ax=plt.figure().gca())
    ax4 = maplot.plot_boldness_payoff(women_men, "promoted", ax=plt.figure().gca())
    for g, shape in shapes.items():
        assert _gid(ax.lines, f"rate:promoted:{g}").get_marker() == shape
        assert _gid(ax2.lines, f"rate:2019:{g}").get_marker() == shape
        assert _gid(ax3.lines, f"mean:{g}").get_marker() == shape
        assert _gid(ax4.lines, f"rate:{g}:True").get_marker() == shape
    km = maplot.plot_km(programme, ax=plt.figure().gca())
    styles = {g: _gid(km.lines, f"curve:{g}").get_linestyle() for g in ("woman", "man")}
    assert styles["woman"] != styles["man"]
    assert maplot.group_linestyles(["woman", "man"]) == {"woman": "-", "man": "--"}
    plt.close("all")


# --------------------------------------------------------------------------------------
# ratio measures on a log axis, read from the result
# --------------------------------------------------------------------------------------


def test_cox_hazard_ratios_on_a_log_axis_with_the_null_line_at_one(programme):
    cox = _quiet(lambda: ma.cox_model(programme, ["gender", "goals_defined"]))
    assert "measure" not in cox.table.columns  # the scale must come from the result itself
    ax = maplot.plot_forest(cox)
    assert ax.get_xscale() == "log"
    null = [ln for ln in ax.lines if ln.get_linestyle() == "--"]
    assert null and null[0].get_xdata()[0] == 1
    assert "Hazard ratio" in ax.get_xlabel()
    table = cox.table.reset_index(drop=True)
    for i, row in table.iterrows():
        np.testing.assert_allclose(_gid(ax.lines, f"estimate:{i}").get_xdata(), [row["estimate"]])
    plt.close("all")


def test_a_table_of_exponentiated_coefficients_is_drawn_as_ratios():
    coef = np.array([0.4, -0.7])
    table = pd.DataFrame(
        {
            "term": ["a", "b"],
            "coef": coef,
            "estimate": np.exp(coef),
            "ci_low": np.exp(coef - 0.5),
            "ci_high": np.exp(coef + 0.5),
        }
    )
    ax = maplot.plot_forest(table)
    assert ax.get_xscale() == "log"
    ax2 = maplot.plot_forest(table.assign(estimate=coef), ax=plt.figure().gca())
    assert ax2.get_xscale() == "linear"  # estimate is not exp(coef): not a ratio
    plt.close("all")


def test_plot_boldness_fig_keyword_still_gives_the_panels(programme):
    fig = plt.figure()
    with pytest.warns(DeprecationWarning, match="plot_boldness_panels"):
        out = maplot.plot_boldness(programme, fig=fig)
    assert out is fig and len(fig.axes) == 4
    plt.close("all")


def test_wrong_axes_or_figure_gives_a_clear_error(programme):
    with pytest.raises(AnalysisError, match="ax must be a matplotlib Axes .* not str"):
        maplot.plot_km(programme, ax="left")
    with pytest.raises(AnalysisError, match="fig must be a matplotlib Figure or SubFigure"):
        maplot.plot_boldness_panels(programme, fig="new")
    plt.close("all")
