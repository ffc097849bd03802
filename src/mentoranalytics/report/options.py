"""What a report covers and how it is published (shared by the builder and the sections)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ProgressCallback = Callable[[str], None]

#: Builds of a report before its joint disclosure audit must have settled.
_MAX_BUILDS = 10


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
