"""Packaged sample data and the cohort simulator.

The samples are synthetic (drawn by :func:`simulate_cohort` with fixed seeds by
``scripts/make_sample_data.py``); ``data/sample/README.md`` in the repository holds
their codebook.

>>> sorted(SAMPLES)
['first_cohort', 'programme']
>>> sample_path("first_cohort").name
'first_cohort.csv'
"""

from __future__ import annotations

from contextlib import ExitStack
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import MentorAnalyticsError
from .simulate import SimulationEffects, simulate_cohort, simulate_waves

if TYPE_CHECKING:  # pragma: no cover
    from ..cohort import Cohort

__all__ = [
    "SAMPLES",
    "SAMPLE_WAVES",
    "SimulationEffects",
    "load_sample",
    "sample_path",
    "simulate_cohort",
    "simulate_waves",
]

#: Sample name -> what it holds.
SAMPLES: dict[str, str] = {
    "programme": "six yearly cohorts (2019-2024), 300 participants, a few blank answers",
    "first_cohort": "one 2018 cohort of ten participants, half of them self-employed",
}


class SampleNotFoundError(MentorAnalyticsError, ValueError):
    """No packaged sample of that name."""


def _resource(name: str) -> Any:
    if not isinstance(name, str) or name not in SAMPLES:
        available = ", ".join(f"{k!r} ({v})" for k, v in SAMPLES.items())
        raise SampleNotFoundError(
            f"No sample named {name!r}. Available samples: {available}. "
            "Use ma.load_sample('programme') or ma.load_sample('first_cohort')."
        )
    return resources.files(__name__).joinpath("data").joinpath(f"{name}.csv")


#: Samples with follow-up waves -> the file of the waves.
SAMPLE_WAVES: dict[str, str] = {"programme": "programme_waves"}


def _waves_resource(name: str) -> Any:
    _resource(name)
    if name not in SAMPLE_WAVES:
        raise SampleNotFoundError(
            f"The sample {name!r} has no follow-up waves; samples with waves: "
            f"{', '.join(repr(k) for k in SAMPLE_WAVES)}."
        )
    return resources.files(__name__).joinpath("data").joinpath(f"{SAMPLE_WAVES[name]}.csv")


def sample_path(name: str = "programme", *, followup: bool = False) -> Path:
    """Path of a packaged sample CSV file.

    Parameters
    ----------
    name : {"programme", "first_cohort"}, default="programme"
        Which sample.
    followup : bool, default=False
        The sample's follow-up waves instead (``"programme"`` only).

    Returns
    -------
    pathlib.Path
        The file inside the installed package.

    Raises
    ------
    SampleNotFoundError
        ``name`` is not one of the samples, or has no follow-up waves (a ``ValueError``).

    Examples
    --------
    >>> sample_path("programme", followup=True).name
    'programme_waves.csv'
    """
    if followup:
        return Path(str(_waves_resource(name)))
    return Path(str(_resource(name)))


def load_sample(name: str = "programme", *, followup: bool = True, **kwargs: Any) -> Cohort:
    """Load a packaged synthetic sample as a :class:`~mentoranalytics.Cohort`.

    Parameters
    ----------
    name : {"programme", "first_cohort"}, default="programme"
        ``"programme"``: six yearly cohorts, 300 participants, with follow-up waves;
        ``"first_cohort"``: ten participants of one 2018 cohort, half of them
        self-employed.
    followup : bool, default=True
        Load the sample's follow-up waves as ``cohort.waves`` (``"programme"``; the
        other samples have none).  False loads the cohort table only.
    **kwargs
        Passed to :func:`mentoranalytics.load_cohort` (e.g. ``errors="exclude"``).

    Returns
    -------
    Cohort
        ``.data`` holds the canonical and derived columns; ``.waves`` the follow-up
        waves (None without them).

    Raises
    ------
    SampleNotFoundError
        ``name`` is not one of the samples (a ``ValueError``).

    Examples
    --------
    >>> import mentoranalytics as ma
    >>> len(ma.load_sample("first_cohort"))
    10
    >>> sorted(ma.load_sample().waves["months"].unique().tolist())
    [6.0, 12.0, 24.0, 36.0, 60.0]
    """
    resource = _resource(name)
    from ..io import load_cohort

    with ExitStack() as stack:
        path = stack.enter_context(resources.as_file(resource))
        if followup and name in SAMPLE_WAVES and "followup" not in kwargs:
            kwargs["followup"] = stack.enter_context(resources.as_file(_waves_resource(name)))
        return load_cohort(path, **kwargs)
