"""Charts compose: a researcher's 2x3 grid with their own titles has no overlapping text.

Every chart is drawn into one panel of a ``constrained_layout`` grid, each panel gets
the researcher's own title, the figure is drawn, and every text the figure shows
(titles, axis labels, tick labels, legend entries, notes, numbers) is measured with
``get_window_extent``: no two bounding boxes may overlap and none may leave the figure.
Nothing here looks at pixels.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics import plot as maplot
from mentoranalytics.exceptions import SmallSampleWarning

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.text import Text

#: Overlap below this many pixels is rounding, not overlap.
TOLERANCE = 0.5


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


# --------------------------------------------------------------------------------------
# measuring
# --------------------------------------------------------------------------------------


def _shown(text: Text) -> bool:
    return bool(text.get_visible() and text.get_text().strip())


def _drawn_texts(fig: Any) -> list[tuple[str, Text]]:
    """Every text the drawn figure shows, with a name saying where it comes from."""
    out: list[tuple[str, Text]] = []
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        where = f"axes {k} ({_title(ax)!r})"
        items: list[Text] = [*ax.texts, ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            for axis in (ax.xaxis, ax.yaxis):
                items.append(axis.label)
                items.append(axis.get_offset_text())
                for tick in axis._update_ticks():  # the ticks that are drawn
                    items += [tick.label1, tick.label2]
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            items += [*legend.get_texts(), legend.get_title()]
        out += [(where, t) for t in items if _shown(t)]
    for legend in fig.legends:
        out += [
            ("figure legend", t) for t in [*legend.get_texts(), legend.get_title()] if _shown(t)
        ]
    out += [("figure", t) for t in fig.texts if _shown(t)]  # suptitle included
    return out


def _overlaps(a: Any, b: Any) -> bool:
    return (
        a.x0 < b.x1 - TOLERANCE
        and b.x0 < a.x1 - TOLERANCE
        and a.y0 < b.y1 - TOLERANCE
        and b.y0 < a.y1 - TOLERANCE
    )


def assert_text_fits(fig: Any) -> int:
    """Draw ``fig``; fail on any two overlapping texts or any text leaving the figure.

    Returns the number of texts checked (so a test can see it checked something).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "constrained_layout not applied"
        fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    texts = _drawn_texts(fig)
    boxes = [(where, t, t.get_window_extent(renderer)) for where, t in texts]
    frame = fig.bbox
    problems = []
    for where, t, box in boxes:
        if (
            box.x0 < frame.x0 - TOLERANCE
            or box.y0 < frame.y0 - TOLERANCE
            or box.x1 > frame.x1 + TOLERANCE
            or box.y1 > frame.y1 + TOLERANCE
        ):
            problems.append(f"leaves the figure: {t.get_text()!r} in {where}")
    for (w1, t1, b1), (w2, t2, b2) in itertools.combinations(boxes, 2):
        if _overlaps(b1, b2):
            problems.append(f"overlap: {t1.get_text()!r} ({w1}) and {t2.get_text()!r} ({w2})")
    assert not problems, "\n".join(problems[:20])
    return len(boxes)


# --------------------------------------------------------------------------------------
# the grids
# --------------------------------------------------------------------------------------


def _released_tables(programme: pd.DataFrame, women_men: pd.DataFrame) -> dict[str, Any]:
    """Tables as a release gate would hand them over: numbers only, NaN = withheld."""
    rates = _quiet(lambda: ma.compare_rates(programme, "promoted").rates)
    rates.loc[["non_binary", "not_stated"]] = np.nan
    long = pd.concat(
        [
            _quiet(lambda o=o: ma.compare_rates(women_men, o).rates).assign(outcome=o)
            for o in ("promoted", "role_change", "completed_programme")
        ]
    )
    summary = _quiet(lambda: ma.compare_groups(programme, "seniority_gap").groups)
    summary = _by_group(summary)[["n", "mean", "ci_low", "ci_high"]]
    summary.loc[summary["n"] < 10] = np.nan
    counts = pd.crosstab(programme["mentor_relation"], programme["gender"]).astype(float)
    counts = counts.mask(counts < 10)
    counts.loc["Total"] = pd.crosstab(programme["mentor_relation"], programme["gender"]).sum()
    counts.loc["Total"] = counts.loc["Total"].mask(counts.loc["Total"] < 10)
    km = _quiet(lambda: ma.kaplan_meier(women_men))
    steps = _coarsened_steps(km.table, width=12.0)
    effects = _quiet(lambda: ma.compare_rates(programme, "promoted", reference="man").effects)
    effects = effects[effects["measure"] == "risk_difference"].reset_index(drop=True)
    effects.loc[
        effects["group"].isin(["non_binary", "not_stated"]), ["estimate", "ci_low", "ci_high"]
    ] = np.nan
    effects = effects[["group", "reference", "estimate", "ci_low", "ci_high", "measure"]]
    return {
        "rates": rates,
        "long": long,
        "summary": summary,
        "counts": counts,
        "steps": steps,
        "effects": effects,
    }


def _coarsened_steps(table: pd.DataFrame, width: float) -> pd.DataFrame:
    """A released step table: the curve read at multiples of ``width`` months only.

    What a release gate hands over after coarsening (each step then pools every event
    of its interval); written here so the test does not depend on the gate.
    """
    rows = []
    for group, sub in table.groupby("group", sort=False):
        sub = sub.sort_values("time")
        grid = np.arange(0.0, float(sub["time"].max()) + width, width)
        for t in grid:
            last = sub[sub["time"] <= t].iloc[-1]
            at = sub[sub["time"] >= t]
            n_at_risk = at["n_at_risk"].iloc[0] if len(at) else 0
            rows.append(
                {
                    "group": group,
                    "time": t,
                    "survival": last["survival"],
                    "ci_low": last["ci_low"],
                    "ci_high": last["ci_high"],
                    "n_at_risk": n_at_risk,
                }
            )
    return pd.DataFrame(rows)


def _title(ax: Any) -> str:
    return next((ax.get_title(loc) for loc in ("left", "center", "right") if ax.get_title(loc)), "")


def _grid(figsize: tuple[float, float] = (15.0, 9.0)) -> tuple[Any, np.ndarray]:
    fig, axes = plt.subplots(2, 3, figsize=figsize, layout="constrained")
    return fig, axes


TITLES = [
    "(a) Who they chose",
    "(b) How far up",
    "(c) How bold",
    "(d) What followed",
    "(e) Does boldness pay?",
    "(f) The gap",
]


@pytest.mark.parametrize("figsize", [(15.0, 9.0), (12.0, 8.0)])
def test_grid_of_record_charts_has_no_overlapping_text(programme, figsize):
    fig, axes = _grid(figsize)
    a = axes.ravel()
    with maplot.theme():
        for ax, title in zip(a[:3], TITLES[:3], strict=True):
            ax.set_title(title)  # set before drawing: the chart must keep it
        maplot.plot_mentor_choice(programme, ax=a[0])
        maplot.plot_seniority_reach(programme, ax=a[1])
        maplot.plot_boldness(programme, ax=a[2])
        maplot.plot_outcome_rates(programme, ax=a[3], title=TITLES[3])
        maplot.plot_boldness_payoff(programme, "promoted", ax=a[4], title=TITLES[4])
        _quiet(
            lambda: maplot.plot_forest(
                ma.compare_rates(programme, "promoted", reference="man"), ax=a[5], title=TITLES[5]
            )
        )
        assert [_title(ax) for ax in a] == TITLES  # the researcher's titles are kept
        assert assert_text_fits(fig) > 100
    plt.close(fig)


@pytest.mark.parametrize("figsize", [(15.0, 9.0)])
def test_grid_of_model_and_time_charts_has_no_overlapping_text(
    programme, women_men, mediation_result, figsize
):
    fig, axes = _grid(figsize)
    a = axes.ravel()
    cox = _quiet(lambda: ma.cox_model(programme, ["gender", "goals_defined"]))
    with maplot.theme():
        maplot.plot_forest(cox, ax=a[0], title="(a) Hazard ratios")
        maplot.plot_mediation(mediation_result, ax=a[1], title="(b) Through boldness?")
        maplot.plot_km(programme, ax=a[2], title="(c) Time to promotion")
        maplot.plot_cohort_funnel(programme, "promoted", ax=a[3], title="(d) Cohorts")
        maplot.plot_cohort_trend(women_men, "promoted", by="gender", ax=a[4], title="(e) Trend")
        _quiet(
            lambda: maplot.plot_forest(
                ma.meta_analysis(women_men, outcome="promoted"),
                ax=a[5],
                title="(f) Pooled over cohorts",
            )
        )
        assert assert_text_fits(fig) > 100
    plt.close(fig)


@pytest.mark.parametrize("figsize", [(15.0, 9.0), (12.0, 8.0)])
def test_grid_of_released_tables_has_no_overlapping_text(programme, women_men, figsize):
    released = _released_tables(programme, women_men)
    fig, axes = _grid(figsize)
    a = axes.ravel()
    with maplot.theme():
        maplot.plot_rates(released["rates"], by="gender", ax=a[0], title="(a) Promoted")
        maplot.plot_rates(released["long"], by="gender", ax=a[1], title="(b) Outcomes")
        maplot.plot_group_summary(
            released["summary"], by="gender", limits=(-5, 5), ax=a[2], title="(c) Reach"
        )
        maplot.plot_mentor_choice(counts=released["counts"], ax=a[3], title="(d) Choice")
        maplot.plot_km(released["steps"], ax=a[4], title="(e) Time to promotion")
        maplot.plot_forest(released["effects"], ax=a[5], title="(f) Gap")
        assert assert_text_fits(fig) > 60
    plt.close(fig)


def test_mediation_diagram_fits_a_half_width_panel(mediation_result):
    # a half-width panel of an A4 page: about 3.4 by 2.8 inches
    fig, axes = plt.subplots(1, 2, figsize=(7.0, 3.0), layout="constrained")
    with maplot.theme():
        maplot.plot_mediation(mediation_result, ax=axes[0], title="Mediation")
        axes[1].plot([0, 1], [0, 1])
        axes[1].set_title("The researcher's other panel")
        assert assert_text_fits(fig) > 10
    # and a quarter: still nothing overlaps (texts shrink together)
    small = plt.figure(figsize=(2.4, 2.0), layout="constrained")
    maplot.plot_mediation(mediation_result, ax=small.gca())
    assert_text_fits(small)
    plt.close("all")


def test_boldness_panels_figure_has_no_overlapping_text(programme):
    for individual in (False, True):
        fig = maplot.plot_boldness_panels(programme, individual=individual, title="Boldness")
        assert len(fig.axes) == 4
        assert_text_fits(fig)
        plt.close(fig)


def test_overlap_check_can_fail():
    # the measuring helper itself: two texts on top of each other are caught
    fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
    ax.text(0.5, 0.5, "first text")
    ax.text(0.5, 0.5, "second text")
    with pytest.raises(AssertionError, match="overlap: 'first text'"):
        assert_text_fits(fig)
    fig2, ax2 = plt.subplots(figsize=(3, 2))
    ax2.text(0.9, 0.5, "a text that runs far beyond the right edge", transform=ax2.transAxes)
    with pytest.raises(AssertionError, match="leaves the figure"):
        assert_text_fits(fig2)
    plt.close("all")


def test_a_save_fits_once_and_writes_what_fitting_every_draw_writes(programme):
    """report.figures saves within ``fitted_once``: savefig's second draw keeps the fit of
    its layout draw.  The SVG is the same as when every draw fits, the fit runs once per
    save (not twice), and a later draw at another size fits again."""
    import io
    from contextlib import nullcontext

    from mentoranalytics.plot import _autofit
    from mentoranalytics.report._png import _RC  # salted SVG ids: same figure, same bytes

    def svg(once: bool) -> tuple[str, int]:
        with maplot.theme():
            ax = maplot.plot_outcome_rates(programme, ["promoted", "role_change"])
        fig = ax.figure
        fitter = ax._mentoranalytics_fitter
        calls = []
        fitter.jobs.append(lambda renderer: calls.append(renderer))
        buf = io.StringIO()
        before = len(calls)
        with matplotlib.rc_context(_RC), _autofit.fitted_once(fig) if once else nullcontext():
            fig.savefig(buf, format="svg", metadata={"Date": None})
        in_save = len(calls) - before
        assert not hasattr(fig, "_mentoranalytics_fit_once") and fitter.fitted is None
        fig.set_size_inches(3.0, 2.5)  # a draw after the save, at another size: fitted again
        fig.canvas.draw()
        assert len(calls) == before + in_save + 1
        assert_text_fits(fig)
        plt.close(fig)
        return buf.getvalue(), in_save

    once, fits_once = svg(True)
    every, fits_every = svg(False)
    assert once == every
    assert (fits_once, fits_every) == (1, 2)
