"""Charts of follow-up waves: trajectories, interval-censored curves, response by wave.

Every table here is built by hand in the frozen column formats of the follow-up
interface (no dependency on the statistics that will produce them).  Checked on drawn
objects only: the positions of markers and interval segments read back from the
artists, the texts of the count bands, colours, shapes and legends.
"""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

from mentoranalytics import plot as maplot
from mentoranalytics.exceptions import AnalysisError, ColumnError

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_hex
from test_plot_layout import _grid, _title, assert_text_fits

MONTHS = [6.0, 12.0, 24.0, 60.0]


def _trajectory(groups: tuple[str, ...] = ("woman", "man"), months=MONTHS) -> pd.DataFrame:
    rows = []
    for j, g in enumerate(groups):
        for i, m in enumerate(months):
            est = 3.0 + 0.3 * j + 0.1 * i
            rows.append(
                {
                    "months": m,
                    "group": g,
                    "n": 50 - 5 * i - j,
                    "estimate": est,
                    "ci_low": est - 0.25 - 0.02 * i,
                    "ci_high": est + 0.2 + 0.03 * i,
                }
            )
    return pd.DataFrame(rows)


def _response(groups: tuple[str, ...] = ("woman", "man"), months=MONTHS) -> pd.DataFrame:
    rows = []
    for j, g in enumerate(groups):
        for i, m in enumerate(months):
            n, k = 60 - j, 55 - 6 * i - 2 * j
            rows.append(
                {
                    "months": m,
                    "group": g,
                    "n": n,
                    "events": k,
                    "rate": k / n,
                    "ci_low": k / n - 0.1,
                    "ci_high": min(1.0, k / n + 0.08),
                }
            )
    return pd.DataFrame(rows)


def _curve(groups: tuple[str, ...] = ("woman", "man"), times=MONTHS) -> pd.DataFrame:
    rows = []
    for j, g in enumerate(groups):
        for i, t in enumerate(times):
            s = 0.9 - 0.15 * i + 0.05 * j
            rows.append(
                {
                    "group": g,
                    "time": t,
                    "survival": s,
                    "ci_low": s - 0.08,
                    "ci_high": s + 0.06,
                    "n_at_risk": 40 - 8 * i - j,
                }
            )
    return pd.DataFrame(rows)


def _gid(artists: Any, gid: str) -> Any:
    found = [a for a in artists if a.get_gid() == gid]
    assert len(found) == 1, f"expected one artist with gid {gid!r}, found {len(found)}"
    return found[0]


def _texts(ax: Any, prefix: str) -> dict[str, str]:
    return {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith(prefix)}


def _legend(ax: Any) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend is not None else []


def _segments(ax: Any, gid: str) -> np.ndarray:
    bars = _gid(ax.collections, gid)
    assert isinstance(bars, LineCollection)
    return np.array([np.asarray(s) for s in bars.get_segments()])


# --------------------------------------------------------------------------------------
# the drawn geometry is the table's
# --------------------------------------------------------------------------------------


def test_trajectory_markers_intervals_and_n_are_the_tables():
    table = _trajectory()
    table.loc[(table["group"] == "man") & (table["months"] == 24), ["estimate"]] = np.nan
    ax = maplot.plot_trajectories(table, outcome="career_satisfaction", by="gender", dodge=False)
    for g in ("woman", "man"):
        rows = table[table["group"] == g].sort_values("months")
        line = _gid(ax.lines, f"estimate:{g}")
        np.testing.assert_allclose(line.get_xdata(), rows["months"])
        np.testing.assert_allclose(line.get_ydata(), rows["estimate"])  # NaN where withheld
        shown = rows[rows["estimate"].notna()]
        seg = _segments(ax, f"ci:{g}")
        np.testing.assert_allclose(seg[:, 0, 0], shown["months"])
        np.testing.assert_allclose(seg[:, 1, 0], shown["months"])
        np.testing.assert_allclose(seg[:, 0, 1], shown["ci_low"])
        np.testing.assert_allclose(seg[:, 1, 1], shown["ci_high"])
    texts = _texts(ax, "n:")
    assert texts["n:woman:6"] == "50" and texts["n:woman:60"] == "35"
    assert texts["n:man:24"] == "suppressed"  # estimate withheld, n > 0
    assert ax.get_ylabel() == "Career satisfaction (1-5), 95% CI"
    assert ax.get_xlabel() == "Months since the programme"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["6", "12", "24", "60"]
    ticks = ax.get_yticks()
    assert ticks.min() == 1 and ticks.max() == 5  # the Likert scale, not the data's range
    plt.close("all")


def test_trajectory_dodge_shifts_groups_symmetrically_and_band_draws_no_bars():
    table = _trajectory()
    ax = maplot.plot_trajectories(table, by="gender")
    woman = np.asarray(_gid(ax.lines, "estimate:woman").get_xdata(), float)
    man = np.asarray(_gid(ax.lines, "estimate:man").get_xdata(), float)
    np.testing.assert_allclose((woman + man) / 2, MONTHS)
    assert np.all(woman < man) and np.all(man - woman < 0.5 * 6)  # less than half a gap
    ax2 = maplot.plot_trajectories(table, by="gender", interval="band", ax=plt.figure().gca())
    np.testing.assert_allclose(_gid(ax2.lines, "estimate:woman").get_xdata(), MONTHS)
    band = _gid(ax2.collections, "ci:woman")
    assert isinstance(band, PolyCollection) and not isinstance(band, LineCollection)
    with pytest.raises(AnalysisError, match="interval must be 'bars' or 'band'"):
        maplot.plot_trajectories(table, interval="ribbon")
    plt.close("all")


def test_trajectory_value_axis_follows_the_outcome():
    share = _trajectory().assign(
        estimate=lambda d: d["estimate"] / 5,
        ci_low=lambda d: d["ci_low"] / 5,
        ci_high=lambda d: d["ci_high"] / 5,
    )
    ax = maplot.plot_trajectories(share.assign(outcome="in_contact_with_mentor"))
    assert ax.get_ylabel() == "Still in contact with the mentor (%), 95% CI"
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "100%"
    # an outcome with no known scale: the range of the released numbers, with a margin
    ax2 = maplot.plot_trajectories(_trajectory(), outcome="my_score", ax=plt.figure().gca())
    assert ax2.get_ylabel() == "My score, 95% CI"
    low, high = ax2.get_ylim()
    table = _trajectory()
    assert high > table["ci_high"].max() and high < table["ci_high"].max() + 0.5
    ax3 = maplot.plot_trajectories(
        _trajectory(), outcome="current_level", ylabel="Level", ax=plt.figure().gca()
    )
    assert ax3.get_ylabel() == "Level"
    assert max(ax3.get_yticks()) == 6
    plt.close("all")


@pytest.mark.parametrize("kind", ["cumulative", "survival"])
def test_interval_curves_are_points_at_the_tables_times_not_steps(kind):
    table = _curve()
    ax = maplot.plot_interval_survival(table, by="gender", kind=kind, dodge=False)
    for g in ("woman", "man"):
        rows = table[table["group"] == g].sort_values("time")
        line = _gid(ax.lines, f"curve:{g}")
        assert line.get_drawstyle() == "default"  # not a step
        assert line.get_linestyle() == ":"  # only joins the estimates
        assert line.get_marker() == maplot.GENDER_MARKERS[g]
        np.testing.assert_allclose(line.get_xdata(), rows["time"])  # one point per row
        s, lo, hi = rows["survival"], rows["ci_low"], rows["ci_high"]
        want = (1 - s, 1 - hi, 1 - lo) if kind == "cumulative" else (s, lo, hi)
        np.testing.assert_allclose(line.get_ydata(), want[0])
        seg = _segments(ax, f"ci:{g}")
        np.testing.assert_allclose(seg[:, 0, 1], want[1])
        np.testing.assert_allclose(seg[:, 1, 1], want[2])
        texts = _texts(ax, f"at_risk:{g}:")
        assert [texts[f"at_risk:{g}:{t:g}"] for t in rows["time"]] == [
            str(int(v)) for v in rows["n_at_risk"]
        ]
    assert "estimated at these times only" in ax.get_xlabel()
    label = "Promoted so far (cumulative %)" if kind == "cumulative" else "Not yet promoted (%)"
    assert ax.get_ylabel() == label  # the same words as plot_km
    assert _legend(ax) == ["woman", "man"]  # the first time is not 0: n is in the band
    at_zero = pd.concat([_curve(times=[0.0]).assign(survival=1.0), table], ignore_index=True)
    ax2 = maplot.plot_interval_survival(at_zero, by="gender", kind=kind, ax=plt.figure().gca())
    assert _legend(ax2) == ["woman (n = 40)", "man (n = 39)"]
    plt.close("all")


def test_interval_curve_options_and_withheld_points():
    table = _curve()
    table.loc[3, ["survival", "ci_low", "ci_high", "n_at_risk"]] = np.nan
    ax = maplot.plot_interval_survival(table, times=[6, 12, 60], dodge=False)
    np.testing.assert_allclose(_gid(ax.lines, "curve:woman").get_xdata(), [6, 12, 60])
    assert np.isnan(_gid(ax.lines, "curve:woman").get_ydata()[-1])
    assert _texts(ax, "at_risk:")["at_risk:woman:60"] == "suppressed"
    assert len(_segments(ax, "ci:woman")) == 2
    with pytest.raises(AnalysisError, match=r"times \['30'\] are not rows of the curve table"):
        maplot.plot_interval_survival(table, times=[6, 30])
    with pytest.raises(AnalysisError, match="kind must be 'cumulative' or 'survival'"):
        maplot.plot_interval_survival(table, kind="hazard")
    # without n_at_risk: no band, the axis is the plain 0-100% scale
    ax2 = maplot.plot_interval_survival(table.drop(columns="n_at_risk"), ax=plt.figure().gca())
    assert not _texts(ax2, "at_risk:")
    assert ax2.get_ylim() == (-0.02, 1.02)
    plt.close("all")


def test_response_rates_intervals_and_counts_are_the_tables():
    table = _response()
    table.loc[5, ["rate", "ci_low", "ci_high", "events"]] = np.nan
    ax = maplot.plot_response(table, by="gender", dodge=False)
    for g in ("woman", "man"):
        rows = table[table["group"] == g].sort_values("months")
        line = _gid(ax.lines, f"rate:{g}")
        np.testing.assert_allclose(line.get_xdata(), rows["months"])
        np.testing.assert_allclose(line.get_ydata(), rows["rate"])
        shown = rows[rows["rate"].notna()]
        seg = _segments(ax, f"ci:{g}")
        np.testing.assert_allclose(seg[:, 0, 1], shown["ci_low"])
        np.testing.assert_allclose(seg[:, 1, 1], shown["ci_high"])
    texts = _texts(ax, "n:")
    assert texts["n:woman:6"] == "55" and texts["n:man:60"] == "35"
    assert texts["n:man:12"] == "suppressed"
    assert ax.yaxis.get_minorticklabels()[0].get_text() == "responded"
    assert _legend(ax) == ["woman (n = 60)", "man (n = 59)"]  # n once per group
    assert ax.get_ylabel() == "Responded (%), 95% CI"
    # no legend to hold n, or an n that changes between waves: responded/n in the band
    ax2 = maplot.plot_response(table, by="gender", legend=False, ax=plt.figure().gca())
    assert _texts(ax2, "n:")["n:woman:6"] == "55/60"
    varying = table.assign(n=table["n"] + np.arange(len(table)))
    ax3 = maplot.plot_response(varying, by="gender", ax=plt.figure().gca())
    assert _texts(ax3, "n:")["n:woman:12"] == "49/61"
    assert ax3.yaxis.get_minorticklabels()[0].get_text() == "responded/n"
    assert _legend(ax3) == ["woman", "man"]
    plt.close("all")


# --------------------------------------------------------------------------------------
# composing: ax, title, legend, order, labels, palette, greyscale
# --------------------------------------------------------------------------------------


def _charts() -> dict[str, Any]:
    return {
        "trajectories": lambda ax, **k: maplot.plot_trajectories(
            _trajectory(), by="gender", ax=ax, **k
        ),
        "interval_survival": lambda ax, **k: maplot.plot_interval_survival(
            _curve(), by="gender", ax=ax, **k
        ),
        "response": lambda ax, **k: maplot.plot_response(_response(), by="gender", ax=ax, **k),
    }


@pytest.mark.parametrize("name", ["trajectories", "interval_survival", "response"])
def test_draws_on_the_given_axes_keeps_the_title_and_obeys_legend(name):
    draw = _charts()[name]
    fig, ax = plt.subplots()
    ax.set_title("my own title")
    assert draw(ax, legend=False) is ax
    assert _title(ax) == "my own title" and ax.get_legend() is None
    ax2 = draw(plt.figure().gca(), title="Panel B")
    assert _title(ax2) == "Panel B" and ax2.get_legend() is not None
    with pytest.raises(AnalysisError, match="legend must be 'auto', True or False"):
        draw(plt.figure().gca(), legend="yes")
    plt.close("all")


@pytest.mark.parametrize(
    "name, prefix",
    [("trajectories", "estimate"), ("interval_survival", "curve"), ("response", "rate")],
)
def test_order_labels_and_palette(name, prefix):
    draw = _charts()[name]
    ax = draw(plt.figure().gca())
    assert [t.split(" (")[0] for t in _legend(ax)] == ["woman", "man"]  # the one group order
    ax = draw(
        plt.figure().gca(),
        order=["man", "woman"],
        labels={"woman": "Women", "man": "Men"},
        palette={"woman": "black", "man": "red"},
    )
    assert [t.split(" (")[0] for t in _legend(ax)] == ["Men", "Women"]
    minor = [t.get_text() for t in ax.yaxis.get_minorticklabels()]
    assert minor[1:] == ["Men", "Women"]  # the count band's rows
    assert to_hex(_gid(ax.lines, f"{prefix}:woman").get_color()) == "#000000"
    assert to_hex(_gid(ax.lines, f"{prefix}:man").get_color()) == "#ff0000"
    # relabelled groups keep their shape; groups differ in greyscale
    assert _gid(ax.lines, f"{prefix}:woman").get_marker() == maplot.GENDER_MARKERS["woman"]
    assert _gid(ax.lines, f"{prefix}:man").get_marker() == maplot.GENDER_MARKERS["man"]
    # a group in order= but not in the table is named and drawn empty
    ax = draw(plt.figure().gca(), order=["woman", "man", "non_binary"])
    assert [t.split(" (")[0] for t in _legend(ax)] == ["woman", "man", "non binary"]
    assert not [line for line in ax.lines if line.get_gid() == f"{prefix}:non_binary"]
    with pytest.raises(AnalysisError, match="palette has no colour for"):
        draw(plt.figure().gca(), palette={"woman": "red"})
    plt.close("all")


def test_default_colours_and_line_styles_are_the_fixed_gender_ones():
    ax = maplot.plot_trajectories(_trajectory(), by="gender")
    for g in ("woman", "man"):
        line = _gid(ax.lines, f"estimate:{g}")
        assert to_hex(line.get_color()) == maplot.GENDER_COLORS[g].lower()
    styles = {g: _gid(ax.lines, f"estimate:{g}").get_linestyle() for g in ("woman", "man")}
    assert styles["woman"] != styles["man"]
    plt.close("all")


def test_a_table_without_groups_is_one_series_without_a_legend():
    table = _response(groups=("x",)).drop(columns="group")
    ax = maplot.plot_response(table)
    assert [line.get_gid() for line in ax.lines if line.get_gid()] == ["rate:all"]
    assert ax.get_legend() is None
    # a column named by the grouping, or an index of groups, work too
    ax1 = maplot.plot_response(
        _response().rename(columns={"group": "gender"}), by="gender", ax=plt.figure().gca()
    )
    assert _legend(ax1) == ["woman (n = 60)", "man (n = 59)"]
    indexed = _trajectory().set_index("group")
    ax2 = maplot.plot_trajectories(indexed, ax=plt.figure().gca())
    assert {line.get_gid() for line in ax2.lines if line.get_gid()} == {
        "estimate:woman",
        "estimate:man",
    }
    plt.close("all")


# --------------------------------------------------------------------------------------
# aggregates only: never more marks than rows of the table
# --------------------------------------------------------------------------------------


def _marks(ax: Any) -> dict[str, int]:
    """Markers, interval segments and count texts on the axes."""
    markers = sum(
        int(np.isfinite(np.asarray(line.get_ydata(), float)).sum())
        for line in ax.lines
        if line.get_marker() not in (None, "", "None", " ")
    )
    segments = sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))
    bands = sum(
        1
        for c in ax.collections
        if isinstance(c, PolyCollection) and (c.get_gid() or "").startswith("ci:")
    )
    texts = sum(1 for t in ax.texts if (t.get_gid() or "").startswith(("n:", "at_risk:")))
    return {"markers": markers, "segments": segments, "bands": bands, "texts": texts}


@pytest.mark.parametrize("n_groups, n_waves", [(1, 1), (2, 4), (5, 8)])
def test_no_chart_draws_more_marks_than_table_rows(n_groups, n_waves):
    groups = ("woman", "man", "non_binary", "self_described", "not_stated")[:n_groups]
    months = [6.0 * (k + 1) for k in range(n_waves)]
    tables = {
        "trajectories": (_trajectory(groups, months), maplot.plot_trajectories),
        "interval_survival": (_curve(groups, months), maplot.plot_interval_survival),
        "response": (_response(groups, months), maplot.plot_response),
    }
    for name, (table, draw) in tables.items():
        ax = draw(table, ax=plt.figure().gca())
        marks = _marks(ax)
        rows = len(table)
        assert marks["markers"] == rows, name  # exactly one marker per row
        assert marks["segments"] == rows, name  # and one interval
        assert marks["texts"] == rows, name  # and one count
        assert not [line for line in ax.lines if line.get_drawstyle() != "default"], name
    band = maplot.plot_trajectories(
        _trajectory(groups, months), interval="band", ax=plt.figure().gca()
    )
    assert _marks(band)["bands"] <= n_groups and _marks(band)["segments"] == 0
    plt.close("all")


def test_marks_count_can_fail():
    # the counting helper itself sees a chart with one mark per person
    fig, ax = plt.subplots()
    ax.plot(np.arange(30), np.arange(30), marker="o", linestyle="none")
    assert _marks(ax)["markers"] == 30 > len(_trajectory())
    plt.close(fig)


# --------------------------------------------------------------------------------------
# results, bad input, the caller's table
# --------------------------------------------------------------------------------------


class _WithTable:
    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table


class _WithFrame:
    def __init__(self, table: pd.DataFrame) -> None:
        self._table = table
        self.table = pd.DataFrame({"term": ["x"], "estimate": [0.1]})  # a model's coefficients

    def to_frame(self) -> pd.DataFrame:
        return self._table


class _WithAt:
    def __init__(self) -> None:
        self.asked: list[Any] = []

    def at(self, times: Any) -> pd.DataFrame:
        self.asked.append(list(times))
        return _curve(times=[float(t) for t in times])


def test_result_objects_are_read_through_table_to_frame_or_at():
    ax = maplot.plot_trajectories(_WithTable(_trajectory()), dodge=False)
    np.testing.assert_allclose(_gid(ax.lines, "estimate:woman").get_xdata(), MONTHS)
    ax = maplot.plot_response(_WithFrame(_response()), ax=plt.figure().gca())
    assert _texts(ax, "n:")["n:woman:6"] == "55"
    result = _WithAt()
    ax = maplot.plot_interval_survival(result, times=[12, 36], dodge=False, ax=plt.figure().gca())
    assert result.asked == [[12, 36]]
    np.testing.assert_allclose(_gid(ax.lines, "curve:man").get_xdata(), [12, 36])
    with pytest.raises(AnalysisError, match=r"needs a DataFrame with columns .* got _WithAt"):
        maplot.plot_interval_survival(_WithAt())  # no times: nothing to read it at
    with pytest.raises(AnalysisError, match=r"tried \.table: none has these columns"):
        maplot.plot_trajectories(_WithTable(pd.DataFrame({"term": ["x"]})))
    plt.close("all")


def test_bad_tables_give_clear_errors():
    with pytest.raises(ColumnError, match=r"missing \['ci_high'\]"):
        maplot.plot_trajectories(_trajectory().drop(columns="ci_high"))
    with pytest.raises(
        ColumnError, match=r"The response table needs columns .* missing \['events'\]"
    ):
        maplot.plot_response(_response().drop(columns="events"))
    doubled = pd.concat([_trajectory(), _trajectory().iloc[:1]], ignore_index=True)
    with pytest.raises(AnalysisError, match="rows for one group and months .* 'woman' at months 6"):
        maplot.plot_trajectories(doubled)
    no_months = _response()
    no_months.loc[2, "months"] = np.nan
    with pytest.raises(AnalysisError, match=r"rows without months \(table rows \[3\]\)"):
        maplot.plot_response(no_months)
    both = pd.concat(
        [_trajectory().assign(outcome="career_satisfaction"), _trajectory().assign(outcome="x")]
    )
    with pytest.raises(AnalysisError, match="holds several outcomes .* choose one with outcome="):
        maplot.plot_trajectories(both)
    ax = maplot.plot_trajectories(both, outcome="career_satisfaction")
    assert ax.get_ylabel().startswith("Career satisfaction")
    with pytest.raises(AnalysisError, match="outcome='promoted' is not in the table"):
        maplot.plot_trajectories(both, outcome="promoted")
    plt.close("all")


def test_empty_or_withheld_tables_draw_a_note():
    table = _response()
    table[["rate", "ci_low", "ci_high"]] = np.nan
    ax = maplot.plot_response(table)
    assert any("every wave is empty or suppressed" in t.get_text() for t in ax.texts)
    ax2 = maplot.plot_trajectories(_trajectory().iloc[:0], ax=plt.figure().gca())
    assert any("no estimates to show" in t.get_text() for t in ax2.texts)
    plt.close("all")


def test_the_callers_tables_are_not_changed():
    tables = [_trajectory(), _curve(), _response()]
    before = [t.copy() for t in tables]
    maplot.plot_trajectories(tables[0].set_index("group"))
    maplot.plot_trajectories(tables[0], ax=plt.figure().gca())
    maplot.plot_interval_survival(tables[1], ax=plt.figure().gca())
    maplot.plot_response(tables[2], ax=plt.figure().gca())
    for t, b in zip(tables, before, strict=True):
        pd.testing.assert_frame_equal(t, b)
    plt.close("all")


# --------------------------------------------------------------------------------------
# a researcher's 2x3 grid: the new charts beside released-table charts
# --------------------------------------------------------------------------------------


def _released_others() -> dict[str, pd.DataFrame]:
    rates = pd.DataFrame(
        {
            "n": [60, 58, np.nan],
            "events": [21, 25, np.nan],
            "rate": [0.35, 0.43, np.nan],
            "ci_low": [0.24, 0.31, np.nan],
            "ci_high": [0.48, 0.56, np.nan],
        },
        index=["woman", "man", "non_binary"],
    )
    summary = pd.DataFrame(
        {"n": [60, 58], "mean": [0.4, 0.9], "ci_low": [0.1, 0.5], "ci_high": [0.7, 1.3]},
        index=["woman", "man"],
    )
    steps = pd.DataFrame(
        {
            "group": ["woman"] * 4 + ["man"] * 4,
            "time": [0.0, 12.0, 24.0, 36.0] * 2,
            "survival": [1.0, 0.8, 0.62, 0.5, 1.0, 0.75, 0.55, 0.45],
            "ci_low": [1.0, 0.68, 0.49, 0.37, 1.0, 0.62, 0.42, 0.32],
            "ci_high": [1.0, 0.88, 0.73, 0.62, 1.0, 0.85, 0.67, 0.58],
            "n_at_risk": [60, 45, 33, 20, 58, 41, 29, 18],
        }
    )
    return {"rates": rates, "summary": summary, "steps": steps}


def draw_followup_grid(figsize: tuple[float, float] = (15.0, 9.0)) -> Any:
    """The three follow-up charts and three released-table charts, each with its title."""
    released = _released_others()
    fig, axes = _grid(figsize)
    a = axes.ravel()
    with maplot.theme():
        a[0].set_title("(a) Satisfaction over time")  # set before drawing: kept
        maplot.plot_trajectories(_trajectory(), outcome="career_satisfaction", by="gender", ax=a[0])
        maplot.plot_interval_survival(_curve(), by="gender", ax=a[1], title="(b) Promoted by")
        maplot.plot_response(_response(), by="gender", ax=a[2], title="(c) Who answered")
        maplot.plot_rates(released["rates"], by="gender", ax=a[3], title="(d) Promoted")
        maplot.plot_group_summary(
            released["summary"], by="gender", limits=(-5, 5), ax=a[4], title="(e) Reach"
        )
        maplot.plot_km(released["steps"], ax=a[5], title="(f) Exact times")
    return fig


@pytest.mark.parametrize("figsize", [(15.0, 9.0), (12.0, 8.0)])
def test_grid_with_the_followup_charts_has_no_overlapping_text(figsize):
    fig = draw_followup_grid(figsize)
    titles = [_title(ax) for ax in fig.axes[:6]]
    assert titles[0] == "(a) Satisfaction over time" and titles[2] == "(c) Who answered"
    with maplot.theme():
        assert assert_text_fits(fig) > 80
    plt.close(fig)


def test_a_small_panel_still_has_no_overlapping_text():
    fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.0), layout="constrained")
    table = _trajectory()
    table.loc[7, "estimate"] = np.nan  # a "suppressed" word at the last wave, at the edge
    maplot.plot_trajectories(table, by="gender", ax=axes[0], title="Trajectory")
    maplot.plot_interval_survival(_curve(), by="gender", ax=axes[1], title="Curves")
    maplot.plot_response(_response(), by="gender", ax=axes[2], title="Response")
    assert assert_text_fits(fig) > 30
    plt.close(fig)
