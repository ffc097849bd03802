"""The course-review report: assembly, narrative, templates and writers.

>>> from mentoranalytics.report import ReportOptions
>>> ReportOptions().privacy
'standard'
"""

from __future__ import annotations

from .build import ReportOptions, build_report
from .model import FigureBlock, Paragraph, Report, Section, TableBlock
from .writers import render_html, render_markdown, write_bundle, write_report

__all__ = [
    "FigureBlock",
    "Paragraph",
    "Report",
    "ReportOptions",
    "Section",
    "TableBlock",
    "build_report",
    "render_html",
    "render_markdown",
    "write_bundle",
    "write_report",
]
