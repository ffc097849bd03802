"""Axes-level charts of mentor choice and outcomes, with their n and uncertainty.

Not imported by ``import mentoranalytics``; use ``from mentoranalytics import plot``
(or ``import mentoranalytics.plot as maplot``).  Importing this module imports
neither matplotlib nor seaborn and changes no matplotlib setting; wrap your code in
:func:`theme` for the house style.

Every chart computes through the statistics layer (``proportion_ci``, ``compare_rates``,
``kaplan_meier``, ...), shows the n behind each rate, accepts a disclosure-controlled
table (``suppressed=``; suppressed cells are drawn as the word "suppressed") and writes
a note on the axes instead of raising when a group has nothing to show.

Charts
------
plot_mentor_choice      100% stacked bars of mentor relation or approach by gender
                        (from records, or from released counts: ``counts=``)
plot_seniority_reach    seniority gap (mentor minus participant level) by gender
plot_boldness           the boldness index and its three components, on one Axes
plot_boldness_panels    the same, one panel per score (figure-level: returns a Figure)
plot_outcome_rates      several outcomes' rates by gender, Wilson CIs
plot_rates              rates by group from a released table only
plot_group_summary      group means with intervals from a released table only
plot_boldness_payoff    an outcome's rate by bold choice within each gender
plot_forest             effects with CIs: rate gaps, odds, risk and hazard ratios, pooled
plot_mediation          exposure -> mediator -> outcome with ACME, ADE, total effect
plot_km                 Kaplan-Meier time to promotion with numbers at risk (from records,
                        a result, or a released step table)
plot_cohort_funnel      each cohort's rate against its size with control limits
plot_cohort_trend       rate per cohort with Wilson CIs
plot_trajectories       group trajectories over follow-up waves with intervals and n per
                        wave (from a trajectory table or a result)
plot_interval_survival  interval-censored promotion curves: estimates at the survey times,
                        not a step between them (from a curve table or a result)
plot_response           response to each follow-up wave by group, with CIs and responded/n

Composing charts
----------------
Every axes-level chart draws on ``ax=`` (default: the current Axes, or a new
constrained-layout figure) and returns it, and takes seaborn's keywords:
``palette=`` (a palette name, a list of colours or a dict ``{group: colour}``),
``order=`` (the groups, in order), ``labels=`` (display text of the groups: a dict, a
list or a function; relabelling keeps each group's colour, marker and line style),
``title=`` (``None`` by default: no built-in title, the researcher's is kept) and
``legend=`` (``"auto"``, True or False).  Legends sit right of the axes, where
constrained layout makes room; other text stays inside the axes and is shrunk at draw
time when a panel is small.  Groups differ by marker shape or line style as well as
by colour, so the charts read in greyscale.

Aggregates only
---------------
No chart draws one mark per person unless asked: ``plot_seniority_reach`` and
``plot_boldness`` draw group means with 95% intervals by default, and their
per-person view (``individual=True``) is for internal use.  Its boxes have whiskers
at the 10th and 90th percentiles and no outliers; axis limits come from the scale
(scores 0 to 1, seniority gap -5 to 5), never from the data's extremes.  The
``plot_rates``, ``plot_group_summary``, ``plot_mentor_choice(counts=)``,
``plot_km(step_table)`` and the three follow-up charts (``plot_trajectories``,
``plot_interval_survival``, ``plot_response``) draw released numbers and nothing
else; NaN rows are drawn as "suppressed" (rates, shares, summaries) or "withheld" (forest, mediation).
"""

from __future__ import annotations

from ._choice import (
    plot_boldness,
    plot_boldness_panels,
    plot_mentor_choice,
    plot_seniority_reach,
)
from ._cohorts import funnel_limits, plot_cohort_funnel, plot_cohort_trend
from ._common import SUPPRESSED, WITHHELD
from ._forest import plot_forest
from ._mediation import plot_mediation
from ._rates import plot_boldness_payoff, plot_outcome_rates, plot_rates
from ._style import (
    GENDER_COLORS,
    GENDER_LINESTYLES,
    GENDER_MARKERS,
    GROUP_PALETTE,
    OKABE_ITO,
    group_colors,
    group_linestyles,
    group_markers,
    theme,
)
from ._summary import plot_group_summary
from ._survival import plot_km
from ._waves import plot_interval_survival, plot_response, plot_trajectories

__all__ = [
    "GENDER_COLORS",
    "GENDER_LINESTYLES",
    "GENDER_MARKERS",
    "GROUP_PALETTE",
    "OKABE_ITO",
    "SUPPRESSED",
    "WITHHELD",
    "funnel_limits",
    "group_colors",
    "group_linestyles",
    "group_markers",
    "plot_boldness",
    "plot_boldness_panels",
    "plot_boldness_payoff",
    "plot_cohort_funnel",
    "plot_cohort_trend",
    "plot_forest",
    "plot_group_summary",
    "plot_interval_survival",
    "plot_km",
    "plot_mediation",
    "plot_mentor_choice",
    "plot_outcome_rates",
    "plot_rates",
    "plot_response",
    "plot_seniority_reach",
    "plot_trajectories",
    "theme",
]
