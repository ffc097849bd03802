"""Assemble the course-review report from a cohort.

The sections are built in :mod:`mentoranalytics.report.sections`; this module holds the
options, the order of the sections, and the report-wide pieces (title, banner, meta).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._version import __version__
from .model import Report, Section
from .options import _MAX_BUILDS, ProgressCallback, ReportOptions


def build_report(
    cohort: Any, options: ReportOptions | None = None, *, progress: ProgressCallback | None = None
) -> Report:
    """Analyse ``cohort`` and return the :class:`~mentoranalytics.report.model.Report`."""
    import warnings

    from ..exceptions import DisclosureError, MentorAnalyticsWarning
    from . import sections as S
    from .figures import ChartFarm

    options = options or ReportOptions()
    plan = None
    memo: dict[Any, Any] = {}
    with warnings.catch_warnings(), ChartFarm() as farm:
        # every warning is kept on its result and printed in the report itself
        warnings.simplefilter("ignore", MentorAnalyticsWarning)
        for attempt in range(_MAX_BUILDS):
            ctx = S.ReportContext.create(
                cohort,
                options,
                progress=progress if attempt == 0 else None,
                plan=plan,
                memo=memo,
                farm=farm,
            )
            built = [s for b in _section_builders() if (s := b(ctx)) is not None]
            headline = S.headline_section(ctx)
            subtitle = ctx.make_subtitle()
            # the joint audit of everything published; a repair means one more build
            previous, plan = plan, ctx.gate.repair()
            if plan is None or (previous is not None and plan.same_as(previous)):
                break  # nothing to change (a plan that only repeats itself changes nothing)
            if previous is not None and plan.only_publishes_more_than(previous):
                # this build passed the audit; the plan would only show secondary cells the
                # release determines anyway, and each rebuild can determine one more (the
                # statistics they unlock add relations): one such rebuild is enough
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
        sections = S.render_pending((headline, *built), ctx.pending, farm)
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


def _section_builders() -> list[Callable[[Any], Section | None]]:
    """The report's sections in order (a builder returns None when it has nothing)."""
    from . import careers
    from . import sections as S

    return [
        S.overview_section,
        S.securing_section,
        S.boldness_section,
        S.outcomes_section,
        S.payoff_section,
        S.mediation_section,
        S.survival_section,
        careers.careers_section,
        S.cohorts_section,
        S.limits_section,
        S.methods_section,
        S.data_quality_section,
    ]


def _timestamp() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
