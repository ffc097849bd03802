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
plot_seniority_reach    seniority gap (mentor minus participant level) by gender
plot_boldness           the boldness index and its three components (Figure)
plot_outcome_rates      several outcomes' rates by gender, Wilson CIs
plot_boldness_payoff    an outcome's rate by bold choice within each gender
plot_forest             effects with CIs: rate gaps, odds ratios, per-cohort and pooled
plot_mediation          exposure -> mediator -> outcome with ACME, ADE, total effect
plot_km                 Kaplan-Meier time to promotion with numbers at risk
plot_cohort_funnel      each cohort's rate against its size with control limits
plot_cohort_trend       rate per cohort with Wilson CIs
"""

from __future__ import annotations

from ._choice import plot_boldness, plot_mentor_choice, plot_seniority_reach
from ._cohorts import funnel_limits, plot_cohort_funnel, plot_cohort_trend
from ._common import SUPPRESSED
from ._forest import plot_forest
from ._mediation import plot_mediation
from ._rates import plot_boldness_payoff, plot_outcome_rates
from ._style import GENDER_COLORS, GROUP_PALETTE, OKABE_ITO, group_colors, theme
from ._survival import plot_km

__all__ = [
    "GENDER_COLORS",
    "GROUP_PALETTE",
    "OKABE_ITO",
    "SUPPRESSED",
    "funnel_limits",
    "group_colors",
    "plot_boldness",
    "plot_boldness_payoff",
    "plot_cohort_funnel",
    "plot_cohort_trend",
    "plot_forest",
    "plot_km",
    "plot_mediation",
    "plot_mentor_choice",
    "plot_outcome_rates",
    "plot_seniority_reach",
    "theme",
]
