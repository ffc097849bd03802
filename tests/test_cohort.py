"""Tests of mentoranalytics.cohort: the Cohort lives in its own module, and the older
import path (mentoranalytics.validation) still gives the same class."""

from __future__ import annotations

import pytest

import mentoranalytics as ma
from mentoranalytics import validation
from mentoranalytics.cohort import Cohort


def test_one_cohort_class_under_every_import_path():
    from mentoranalytics.validation import Cohort as old_path

    assert ma.Cohort is Cohort and old_path is Cohort and validation.Cohort is Cohort
    assert Cohort.__module__ == "mentoranalytics.cohort"
    assert type(ma.load_sample()) is Cohort


def test_validation_has_no_other_lazy_names():
    with pytest.raises(AttributeError, match="has no attribute 'Kohort'"):
        validation.Kohort  # noqa: B018
