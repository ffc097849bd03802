"""Assemble the course-review report from a cohort.

The sections are built in :mod:`mentoranalytics.report.sections`; this module holds the
options, the order of the sections, and the report-wide pieces (title, banner, meta).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._version import __version__
from .model import Report, Section

ProgressCallback = Callable[[str], None]

#: Builds of a report before its joint disclosure audit must have settled.
_MAX_BUILDS = 6


@dataclass(frozen=True)
class ReportOptions:
    """What the report covers and how it is published.

    Parameters
    ----------
    title : str
        The report title.
    by : str, default="gender"
        The grouping column of every breakdown.
    outcomes : tuple of str, optional
        Outcome columns (default: every boolean outcome of the schema present).
    cohorts : tuple of str, optional
        Restrict to these cohorts (default: all).
    privacy : str, default="standard"
        Disclosure policy: ``standard``, ``ons``, ``nhs`` or ``internal``.
    seed : int, default=0
        Seed of every simulation (mediation, bootstrap, Monte Carlo tests).
    timestamp : bool, default=False
        Print the date in the report (off: the same input and seed give the same bytes).
    n_sims : int, default=1000
        Simulations for mediation and bootstrap intervals.
    min_group_size : int, optional
        Groups smaller than this are not shown separately (pooled into "other or not
        stated" when the pool has at least twice this many, otherwise left out of
        breakdowns).
        Default: twice the policy's threshold (10 under ``standard``), so that a group
        can hold a publishable count on each side of a yes/no outcome; every cell is then
        protected by the release gate; no minimum under ``internal``.
    """

    title: str = "Mentoring programme: course review"
    by: str = "gender"
    outcomes: tuple[str, ...] | None = None
    cohorts: tuple[str, ...] | None = None
    privacy: str = "standard"
    seed: int = 0
    timestamp: bool = False
    n_sims: int = 1000
    min_group_size: int | None = None
    source_label: str = ""


def build_report(
    cohort: Any, options: ReportOptions | None = None, *, progress: ProgressCallback | None = None
) -> Report:
    """Analyse ``cohort`` and return the :class:`~mentoranalytics.report.model.Report`."""
    import warnings

    from ..exceptions import DisclosureError, MentorAnalyticsWarning
    from . import sections as S

    options = options or ReportOptions()
    plan = None
    memo: dict[Any, Any] = {}
    with warnings.catch_warnings():
        # every warning is kept on its result and printed in the report itself
        warnings.simplefilter("ignore", MentorAnalyticsWarning)
        for attempt in range(_MAX_BUILDS):
            ctx = S.ReportContext.create(
                cohort, options, progress=progress if attempt == 0 else None, plan=plan, memo=memo
            )
            built: list[Section] = [builder(ctx) for builder in S.SECTION_BUILDERS]
            headline = S.headline_section(ctx)
            subtitle = ctx.make_subtitle()
            # the joint audit of everything published; a repair means one more build
            plan = ctx.gate.repair()
            if plan is None:
                break
            if progress is not None:
                progress("re-checking: the joint disclosure audit asked for more suppression")
        else:  # pragma: no cover - each repair suppresses more, so builds converge
            raise DisclosureError(
                "The report's joint disclosure audit did not settle; use a stricter policy."
            )
        audit = ctx.gate.audit()
        if not audit.ok:  # pragma: no cover - repair() returned None, so it passed
            audit.raise_if_failed()
        sections = S.render_pending((headline, *built), ctx.pending)
    meta = {
        "version": __version__,
        "seed": options.seed,
        "privacy": options.privacy,
        "timestamp": _timestamp() if options.timestamp else "",
    }
    return Report(
        title=options.title,
        subtitle=subtitle,
        sections=sections,
        banner=ctx.policy_banner,
        meta=meta,
        decisions=ctx.gate.log(),
        audit=audit.cells,
    )


def _timestamp() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
