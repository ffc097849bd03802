"""mentoranalytics: honest small-cohort analysis of professional mentoring programmes.

>>> import mentoranalytics as ma
>>> ma.proportion_ci(4, 20)  # doctest: +SKIP
(0.0807, 0.4160)

The public names below are imported on first use, so ``import mentoranalytics`` stays
cheap: matplotlib, seaborn and statsmodels load only inside the functions that need them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .exceptions import (
    AnalysisError,
    ColumnError,
    DataQualityWarning,
    DisclosureError,
    MentorAnalyticsError,
    MentorAnalyticsWarning,
    PersonalDataError,
    SchemaError,
    SeparationWarning,
    SmallSampleWarning,
)
from .schema import SCHEMA, codebook

# public name -> module that defines it (relative to this package)
_LAZY: dict[str, str] = {
    "load_cohort": ".io",
    "Cohort": ".cohort",
    "boldness": ".boldness",
    "derive_fields": ".boldness",
    "plain": ".interop",
    "load_sample": ".datasets",
    "simulate_cohort": ".datasets",
    "simulate_waves": ".datasets",
    "proportion_ci": ".stats",
    "compare_rates": ".stats",
    "detectable_difference": ".stats",
    "adjust_pvalues": ".stats",
    "compare_groups": ".stats",
    "summary_table": ".stats",
    "compare_boldness": ".stats",
    "outcome_model": ".stats",
    "mediation": ".stats",
    "decompose_gap": ".stats",
    "kaplan_meier": ".stats",
    "logrank_test": ".stats",
    "cox_model": ".stats",
    "promotion_intervals": ".stats",
    "interval_survival": ".stats",
    "interval_test": ".stats",
    "interval_model": ".stats",
    "meta_analysis": ".stats",
    "model_table": ".stats",
    "trajectory": ".stats",
    "trajectory_model": ".stats",
    "relationship_persistence": ".stats",
    "response_by_wave": ".stats",
    "response_model": ".stats",
    "attrition_sensitivity": ".stats",
    "suppress": ".privacy",
    "audit": ".privacy",
    "POLICIES": ".privacy",
    "DisclosurePolicy": ".privacy",
    "privacy_summary": ".privacy",
    "release": ".privacy",
    "ReleasePack": ".privacy",
    "mark_released": ".privacy",
}

__all__ = [
    "SCHEMA",
    "AnalysisError",
    "ColumnError",
    "DataQualityWarning",
    "DisclosureError",
    "MentorAnalyticsError",
    "MentorAnalyticsWarning",
    "PersonalDataError",
    "SchemaError",
    "SeparationWarning",
    "SmallSampleWarning",
    "__version__",
    "codebook",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mentoranalytics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Keeps a public function whose name is also its submodule's name.

    ``mentoranalytics.boldness`` is both a submodule and the function ``ma.boldness``.
    Importing a submodule sets it as an attribute of the package, which would hide the
    lazily imported function; such a submodule is not set (it stays importable through
    ``sys.modules``, e.g. ``from mentoranalytics.boldness import derive_fields``).
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == "." + name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    pass
