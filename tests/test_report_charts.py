"""The report's charts render the same in one process or two (report.figures.render_charts)."""

from __future__ import annotations

import sys

import matplotlib.pyplot as plt
import pytest

from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.report import figures
from mentoranalytics.report.model import FigureBlock, Paragraph

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork on Linux only")


def _chart(k: int):
    def draw():
        fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
        ax.bar(["a", "b", "c"], [k, k + 1, 2 * k])
        ax.set_title(f"chart {k}")
        return ax

    return draw


def _failing():
    raise AnalysisError("nothing to draw")


def _charts():
    charts = [(f"c{k}", f"caption {k}", _chart(k)) for k in range(5)]
    charts.insert(3, ("bad", "a chart that cannot be drawn", _failing))
    return charts


def _render(monkeypatch, jobs: str):
    monkeypatch.setenv(figures.JOBS_VARIABLE, jobs)
    return figures.render_charts(_charts())


def test_two_processes_give_the_same_blocks_as_one(monkeypatch):
    one = _render(monkeypatch, "1")
    two = _render(monkeypatch, "2")
    assert list(one) == list(two) == [name for name, _, _ in _charts()]
    for name in one:
        assert type(one[name]) is type(two[name])
        if isinstance(one[name], FigureBlock):
            assert one[name].svg == two[name].svg and one[name].svg.startswith("<svg")
            # the child's charts carry no figure, so their PNG is drawn again here: same bytes
            assert one[name].png(dpi=40) == two[name].png(dpi=40)
    assert isinstance(two["bad"], Paragraph) and "nothing to draw" in two["bad"].text
    assert any(block.figure is None for block in two.values() if isinstance(block, FigureBlock))


def test_an_unexpected_error_in_the_child_surfaces_in_this_process(monkeypatch):
    def broken():
        raise ZeroDivisionError("broken chart")

    charts = [(f"c{k}", "", _chart(k)) for k in range(4)]
    charts[1] = ("broken", "", broken)  # an odd position: the child's share
    monkeypatch.setenv(figures.JOBS_VARIABLE, "2")
    with pytest.raises(ZeroDivisionError, match="broken chart"):
        figures.render_charts(charts)
