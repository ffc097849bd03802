"""The report's charts render the same ahead, in a forked child (report.figures.ChartFarm),
as in this process (report.figures.render_charts)."""

from __future__ import annotations

import functools
import io
import os
import signal
import sys

import matplotlib.pyplot as plt
import pytest

from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.report import figures
from mentoranalytics.report.model import FigureBlock, Paragraph

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork on Linux only")


def _bars(k: int):
    fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
    ax.bar(["a", "b", "c"], [k, k + 1, 2 * k])
    ax.set_title(f"chart {k}")
    return ax


def _failing():
    raise AnalysisError("nothing to draw")


def _broken():
    raise ZeroDivisionError("broken chart")


def _charts():
    charts = [(f"c{k}", f"caption {k}", functools.partial(_bars, k)) for k in range(5)]
    charts.insert(3, ("bad", "a chart that cannot be drawn", _failing))
    return charts


def _farmed(charts, submitted=None):
    """Submit ``submitted`` (default: the charts themselves), then collect ``charts``."""
    with figures.ChartFarm(jobs=2) as farm:
        assert farm._pid  # a child is running
        for name, _, draw in charts if submitted is None else submitted:
            farm.submit(name, draw)
        return farm.collect(charts), farm


def _assert_same(one, two):
    assert list(one) == list(two)
    for name in one:
        assert type(one[name]) is type(two[name])
        if isinstance(one[name], FigureBlock):
            assert one[name].svg == two[name].svg and one[name].svg.startswith("<svg")
        else:
            assert one[name].text == two[name].text


def test_the_child_gives_the_same_blocks_as_this_process():
    here = figures.render_charts(_charts())
    farmed, _ = _farmed(_charts())
    _assert_same(here, farmed)
    assert isinstance(farmed["bad"], Paragraph) and "nothing to draw" in farmed["bad"].text
    # the child rendered them (no figure here), and a PNG is drawn again here: same bytes
    assert all(b.figure is None for b in farmed.values() if isinstance(b, FigureBlock))
    assert here["c1"].png(dpi=40) == farmed["c1"].png(dpi=40)


def test_a_chart_whose_inputs_changed_is_the_final_one():
    first = [("c0", "", functools.partial(_bars, 1)), ("c1", "", functools.partial(_bars, 2))]
    final = [("c0", "", functools.partial(_bars, 7)), ("c1", "", functools.partial(_bars, 2))]
    farmed, farm = _farmed(final, submitted=first)
    _assert_same(figures.render_charts(final), farmed)
    assert farm._pid == 0 and farm._results is None  # the child has ended, its file is closed


def test_draws_that_cannot_be_pickled_are_rendered_here():
    charts = [("c0", "", lambda: _bars(3)), ("c1", "", functools.partial(_bars, 4))]
    farmed, _ = _farmed(charts)
    _assert_same(figures.render_charts(charts), farmed)
    assert farmed["c0"].figure is not None and farmed["c1"].figure is None


def test_an_unexpected_error_in_the_child_surfaces_in_this_process():
    charts = [(f"c{k}", "", functools.partial(_bars, k)) for k in range(4)]
    charts[1] = ("broken", "", _broken)
    with pytest.raises(ZeroDivisionError, match="broken chart"):
        _farmed(charts)


def test_a_child_that_died_leaves_its_charts_to_this_process():
    charts = _charts()
    with figures.ChartFarm(jobs=2) as farm:
        os.kill(farm._pid, signal.SIGKILL)
        for name, _, draw in charts:
            farm.submit(name, draw)  # a closed pipe: nothing more is sent
        farmed = farm.collect(charts)
    _assert_same(figures.render_charts(charts), farmed)


def test_one_process_means_no_child(monkeypatch):
    monkeypatch.setenv(figures.JOBS_VARIABLE, "1")
    with figures.ChartFarm() as farm:
        assert farm._pid == 0
        farm.submit("c0", functools.partial(_bars, 1))
        blocks = farm.collect([("c0", "", functools.partial(_bars, 1))])
    assert blocks["c0"].figure is not None  # drawn here


def test_charts_with_very_large_inputs_are_rendered_here(monkeypatch):
    monkeypatch.setattr(figures, "_MAX_INPUT", 10)  # every pickled input is "very large"
    farmed, farm = _farmed(_charts())
    _assert_same(figures.render_charts(_charts()), farmed)
    assert not farm._sent  # nothing was copied to the child
    assert all(b.figure is not None for b in farmed.values() if isinstance(b, FigureBlock))


def test_no_child_is_forked_beside_other_threads(monkeypatch):
    """A Jupyter kernel runs threads that may hold locks at the fork: charts are drawn in
    the process itself there (unless MENTORANALYTICS_JOBS says otherwise)."""
    import threading

    monkeypatch.delenv(figures.JOBS_VARIABLE, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 3)  # the kernel's threads
    assert figures._jobs() == 1
    monkeypatch.setenv(figures.JOBS_VARIABLE, "2")
    assert figures._jobs() == 2
    monkeypatch.delenv(figures.JOBS_VARIABLE)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # the command line
    assert figures._jobs() == min(2, os.cpu_count() or 1)


def test_the_command_lines_progress_clock_does_not_stop_the_child(monkeypatch):
    """In a terminal the command line runs a clock thread; the child is forked anyway."""
    import threading

    from mentoranalytics.cli import _Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv(figures.JOBS_VARIABLE, raising=False)
    progress = _Progress(quiet=False, stream=Terminal())
    progress("analysing")
    try:
        monkeypatch.setattr(threading, "active_count", lambda: 2)  # main thread and clock
        assert figures._own_threads() == 1
        assert figures._jobs() == min(2, os.cpu_count() or 1)
        with figures.ChartFarm() as farm:
            assert farm._pid
            blocks = farm.collect([("c0", "", functools.partial(_bars, 2))])
        _assert_same(figures.render_charts([("c0", "", functools.partial(_bars, 2))]), blocks)
    finally:
        progress.done()


def test_a_chart_defined_again_with_other_inputs_skips_the_earlier_one():
    charts = [(f"c{k}", "", functools.partial(_bars, k)) for k in range(3)]
    with figures.ChartFarm(jobs=2) as farm:
        for name, _, draw in charts:
            farm.submit(name, draw)
        first = farm._latest["c1"]
        again = ("c1", "", functools.partial(_bars, 9))
        farm.submit(again[0], again[2])  # a rebuild changed c1's inputs
        assert farm._latest["c1"] != first
        final = [charts[0], again, charts[2]]
        farmed = farm.collect(final)
    _assert_same(figures.render_charts(final), farmed)
