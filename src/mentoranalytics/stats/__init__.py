"""Small-cohort statistics: exact and simulation-based methods with honest uncertainty.

Every function accepts a :class:`~mentoranalytics.Cohort` or any DataFrame plus column
names, so studies outside mentoring can use them too.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY: dict[str, str] = {
    "proportion_ci": ".rates",
    "compare_rates": ".rates",
    "detectable_difference": ".power",
    "adjust_pvalues": ".power",
    "sample_size": ".power",
    "compare_groups": ".continuous",
    "summary_table": ".table1",
    "compare_boldness": ".boldness_gap",
    "outcome_model": ".models",
    "mediation": ".mediation",
    "decompose_gap": ".decompose",
    "kaplan_meier": ".survival",
    "logrank_test": ".survival",
    "cox_model": ".survival",
    "promotion_intervals": ".interval",
    "interval_survival": ".interval",
    "interval_test": ".interval",
    "interval_model": ".interval",
    "meta_analysis": ".meta",
    "model_table": ".publish",
    "trajectory": ".trajectories",
    "trajectory_model": ".trajectories",
    "relationship_persistence": ".trajectories",
    "response_by_wave": ".attrition",
    "response_model": ".attrition",
    "attrition_sensitivity": ".attrition",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mentoranalytics.stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


# ``mediation`` names both a submodule and its function.  Importing the submodule
# sets the package attribute to the module, which would shadow the lazy function
# (``ma.mediation`` would then be a module).  Bind the function eagerly instead;
# mediation.py imports nothing heavy at module level, so this stays cheap.
from .mediation import mediation  # noqa: E402, F401
