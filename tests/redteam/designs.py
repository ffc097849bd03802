"""Synthetic cohort designs with disclosure traps, built deterministically.

Each design is a small programme (25-50 people, one of 300) in the canonical schema,
started from :func:`mentoranalytics.simulate_cohort` (everyone with a mentor, no
missing answers, no loss to follow-up) and then edited row by row so that it holds
the traps an auditor looks for:

* single-member categories (the one man whose mentor was his line manager);
* a 2-woman cohort inside a multi-cohort programme;
* an all-promoted group ("20 of 20 women promoted");
* gender groups too small to show, left out of the breakdowns (3 non-binary and
  2 not stated in a cohort of 49; 10 of 300);
* outcomes defined only for mentored people (``in_contact_with_mentor``,
  ``joined_mentor_organisation``, ``discussed_setbacks``) with a few people
  without a mentor;
* a 5-person subgroup with a continuous variable (``days_to_secure``) and
  magnitude sums of 1 (``refusals``);
* small missing counts in a few columns;
* a person's name used as a cohort label, and a folder path holding a name;
* survival columns (``promoted``, ``months_to_promotion``, ``followup_months``)
  with times to one decimal.

The microdata never reach an attack: only :mod:`truth` reads them, to check what
an attack claims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import mentoranalytics as ma

#: Mentor fields and the outcomes that only exist for a participant with a mentor.
MENTOR_FIELDS = (
    "mentor_level",
    "mentor_relation",
    "mentor_in_network",
    "approach",
    "days_to_secure",
    "mentor_gender",
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "discussed_setbacks",
)

_EFFECTS = {
    "mentor_secured_rate": 1.0,
    "loss_to_followup_rate": 0.0,
    "missing_rate": 0.0,
}

#: Follow-up (months) of each cohort, latest last.
_FOLLOWUP = (48.0, 36.0, 24.0)


@dataclass(frozen=True)
class Design:
    """A synthetic cohort with its traps.

    Parameters
    ----------
    name : str
        Short identifier (used in test ids).
    frame : DataFrame
        Canonical cohort records, one row per participant.
    traps : tuple of str
        What the design plants, in words.
    folder : str
        Name of the folder the CSV is written into (holds a person's name: the path
        must never be published).
    identifiers : tuple of str
        Planted identifiers that must never appear in a bundle (the folder name is
        always one of them).
    slow : bool
        Marked ``slow`` in the test suite.
    excluded : int
        Rows the loader must exclude (invalid on purpose).
    refused_columns : tuple of str
        Schema columns holding a person's name: the loader refuses the whole file
        (``PersonalDataError``; the command line exits 1 and writes nothing).  Loaded
        with these columns allowed, the design still holds its other traps.
    """

    name: str
    frame: pd.DataFrame = field(repr=False)
    traps: tuple[str, ...]
    folder: str
    identifiers: tuple[str, ...] = ()
    slow: bool = False
    excluded: int = 0
    refused_columns: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        """The loader refuses this design's file (a personal name in a schema column)."""
        return bool(self.refused_columns)

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.folder, *self.identifiers)


# ---------------------------------------------------------------------------------------
# building blocks
# ---------------------------------------------------------------------------------------


def _layout(cells: Sequence[tuple[str, str, int]]) -> tuple[list[str], list[str]]:
    """(cohort, gender, count) cells -> cohort and gender columns in that order."""
    cohorts: list[str] = []
    genders: list[str] = []
    for cohort, gender, count in cells:
        cohorts += [cohort] * count
        genders += [gender] * count
    return cohorts, genders


def _base(cells: Sequence[tuple[str, str, int]], seed: int) -> pd.DataFrame:
    """Simulated records re-labelled with the given cohort x gender layout."""
    cohorts, genders = _layout(cells)
    labels = list(dict.fromkeys(cohorts))
    frame = ma.simulate_cohort(len(cohorts), cohorts=len(labels), seed=seed, effects=_EFFECTS)
    frame = frame.copy()
    frame["cohort"] = cohorts
    frame["gender"] = genders
    frame["participant_id"] = [f"R{seed % 1000:03d}{i:03d}" for i in range(1, len(frame) + 1)]
    order = {c: i for i, c in enumerate(labels)}
    offset = len(_FOLLOWUP) - len(labels)
    frame["followup_months"] = [
        _FOLLOWUP[max(0, min(len(_FOLLOWUP) - 1, order[c] + offset))] for c in cohorts
    ]
    frame["followup_months"] = frame["followup_months"].astype(float)
    return frame


def _promote(frame: pd.DataFrame, promoted: np.ndarray, rng: np.random.Generator) -> None:
    """Set promotion, its time (one decimal, within follow-up), level after and role."""
    promoted = np.asarray(promoted, dtype=bool)
    follow = frame["followup_months"].to_numpy(dtype=float)
    times = np.round(rng.uniform(1.0, follow - 0.5), 1)
    # distinct times, so that every step of a curve is one person
    seen: set[float] = set()
    for i in np.flatnonzero(promoted):
        while times[i] in seen:
            times[i] = round(times[i] + 0.1, 1)
        seen.add(float(times[i]))
    frame["promoted"] = pd.array(promoted, dtype="boolean")
    frame["months_to_promotion"] = np.where(promoted, times, np.nan)
    level = frame["participant_level"].astype("Int64")
    frame["level_after"] = (level + pd.array(promoted.astype(int), dtype="Int64")).clip(upper=6)


def _drop_mentor(frame: pd.DataFrame, rows: Sequence[int]) -> None:
    """Participants at ``rows`` found no mentor: every mentor field empty."""
    idx = frame.index[list(rows)]
    frame.loc[idx, "mentor_secured"] = False
    for column in MENTOR_FIELDS:
        frame.loc[idx, column] = pd.NA
    asked = frame.loc[idx, "mentors_approached"].fillna(0).astype(int).clip(lower=1)
    frame.loc[idx, "mentors_approached"] = asked.to_numpy()
    frame.loc[idx, "refusals"] = asked.to_numpy()


def _rows(frame: pd.DataFrame, **where: object) -> list[int]:
    """Positions of the rows matching every column == value."""
    mask = np.ones(len(frame), dtype=bool)
    for column, value in where.items():
        mask &= (frame[column].astype("string") == str(value)).to_numpy(dtype=bool, na_value=False)
    return [int(i) for i in np.flatnonzero(mask)]


def _set_relation(frame: pd.DataFrame, rows: Sequence[int], relation: str) -> None:
    """Give ``rows`` a mentor of this relation, with a consistent approach and level."""
    approach = {
        "line_manager": "existing_relationship",
        "same_organisation": "asked_in_person",
        "existing_contact": "existing_relationship",
        "introduced": "warm_introduction",
        "no_prior_tie": "cold_approach",
    }[relation]
    idx = frame.index[list(rows)]
    frame.loc[idx, "mentor_relation"] = relation
    frame.loc[idx, "mentor_in_network"] = relation in (
        "line_manager",
        "same_organisation",
        "existing_contact",
    )
    frame.loc[idx, "approach"] = approach
    if relation == "line_manager":
        frame.loc[idx, "employment"] = "employed"
        level = frame.loc[idx, "participant_level"].astype(int)
        mentor = frame.loc[idx, "mentor_level"].astype(int)
        frame.loc[idx, "mentor_level"] = np.minimum(np.maximum(mentor, level + 1), 6).to_numpy()
    if relation in ("line_manager", "same_organisation"):
        frame.loc[idx, "joined_mentor_organisation"] = False


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Canonical dtypes, rows in a fixed order."""
    for column in ("participant_level", "mentor_level", "mentors_approached", "refusals"):
        frame[column] = frame[column].astype("Int64")
    for column in ("days_to_secure", "level_after", "career_satisfaction"):
        frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------------------------
# the designs
# ---------------------------------------------------------------------------------------


def line_manager_man() -> Design:
    """49 people; one man's mentor was his line manager; 3 non-binary + 2 not stated."""
    cells = [
        ("2019", "woman", 11),
        ("2019", "man", 12),
        ("2019", "non_binary", 2),
        ("2019", "not_stated", 2),
        ("2020", "woman", 11),
        ("2020", "man", 10),
        ("2020", "non_binary", 1),
    ]
    frame = _base(cells, seed=101)
    rng = np.random.default_rng(101)
    men = _rows(frame, gender="man")
    women = _rows(frame, gender="woman")
    # every man but one chose someone outside the line
    _set_relation(frame, men[1:6], "existing_contact")
    _set_relation(frame, men[6:12], "introduced")
    _set_relation(frame, men[12:17], "no_prior_tie")
    _set_relation(frame, men[17:], "same_organisation")
    _set_relation(frame, men[:1], "line_manager")
    _set_relation(frame, women[:7], "line_manager")
    _set_relation(frame, women[7:13], "existing_contact")
    _set_relation(frame, women[13:18], "introduced")
    _set_relation(frame, women[18:], "no_prior_tie")
    promoted = np.zeros(len(frame), dtype=bool)
    promoted[women[:6]] = True
    promoted[men[:7]] = True
    left_out = _rows(frame, gender="non_binary") + _rows(frame, gender="not_stated")
    promoted[left_out[:2]] = True
    _promote(frame, promoted, rng)
    return Design(
        "line_manager_man",
        _finish(frame),
        (
            "one man whose mentor was his line manager (single-member category)",
            "3 non-binary + 2 not stated left out of a cohort of 49 (2 of them promoted)",
        ),
        folder="Dr_Amara_Lindqvist_private",
    )


def two_women_cohort() -> Design:
    """47 people in 3 cohorts; the 2021 cohort has 2 women, both outside the network."""
    cells = [
        ("2019", "woman", 11),
        ("2019", "man", 10),
        ("2020", "woman", 9),
        ("2020", "man", 11),
        ("2021", "woman", 2),
        ("2021", "man", 4),
    ]
    frame = _base(cells, seed=202)
    rng = np.random.default_rng(202)
    relations = ["line_manager", "same_organisation", "existing_contact"] * 3 + [
        "introduced",
        "no_prior_tie",
    ]
    for cohort in ("2019", "2020"):
        for gender in ("woman", "man"):
            rows = _rows(frame, cohort=cohort, gender=gender)
            for k, r in enumerate(rows):
                _set_relation(frame, [r], relations[(k * 7 + len(cohort)) % len(relations)])
    _set_relation(frame, _rows(frame, cohort="2021", gender="woman"), "no_prior_tie")
    men21 = _rows(frame, cohort="2021", gender="man")
    _set_relation(frame, men21[:1], "introduced")
    _set_relation(frame, men21[1:], "existing_contact")
    promoted = rng.random(len(frame)) < 0.3
    promoted[_rows(frame, cohort="2021", gender="woman")] = [True, False]
    _promote(frame, promoted, rng)
    return Design(
        "two_women_cohort",
        _finish(frame),
        (
            "a 2-woman cohort (2021) inside a 3-cohort programme, both outside the network",
            "Mantel-Haenszel estimates over cohort strata",
        ),
        folder="cohort_files_of_Bram_Okonkwo",
    )


def all_promoted_women() -> Design:
    """44 people in one cohort: 20 of 20 women promoted."""
    cells = [("2020", "woman", 20), ("2020", "man", 24)]
    frame = _base(cells, seed=303)
    rng = np.random.default_rng(303)
    promoted = np.zeros(len(frame), dtype=bool)
    promoted[_rows(frame, gender="woman")] = True
    men = _rows(frame, gender="man")
    promoted[men[::3]] = True
    _promote(frame, promoted, rng)
    return Design(
        "all_promoted_women",
        _finish(frame),
        ("20 of 20 women promoted (class disclosure)", "Kaplan-Meier steps of 1 person"),
        folder="Priya_Raman_review",
    )


def mentored_only_outcomes() -> Design:
    """46 people; 2 women and 3 men without a mentor; mentor outcomes only for the rest;
    one man's mentor was his line manager."""
    cells = [("2019", "woman", 12), ("2019", "man", 11), ("2020", "woman", 11), ("2020", "man", 12)]
    frame = _base(cells, seed=404)
    rng = np.random.default_rng(404)
    women = _rows(frame, gender="woman")
    men = _rows(frame, gender="man")
    _set_relation(frame, men[:8], "existing_contact")
    _set_relation(frame, men[8:16], "introduced")
    _set_relation(frame, men[16:], "same_organisation")
    _set_relation(frame, men[5:6], "line_manager")
    _drop_mentor(frame, [women[3], women[15], men[2], men[9], men[20]])
    mentored = frame["mentor_secured"].astype(bool).to_numpy()
    contact = rng.random(len(frame)) < 0.6
    frame["in_contact_with_mentor"] = pd.array(
        [bool(c) if m else pd.NA for c, m in zip(contact, mentored, strict=True)], dtype="boolean"
    )
    promoted = rng.random(len(frame)) < 0.35
    _promote(frame, promoted, rng)
    return Design(
        "mentored_only_outcomes",
        _finish(frame),
        (
            "2 women and 3 men without a mentor (suppressed), mentor outcomes missing for them",
            "one man whose mentor was his line manager",
        ),
        folder="Tomasz_Wojcik_mentees",
    )


def small_subgroups() -> Design:
    """45 people; days_to_secure recorded for only 5 men; women's refusals sum to 1."""
    cells = [("2019", "woman", 10), ("2019", "man", 13), ("2020", "woman", 11), ("2020", "man", 11)]
    frame = _base(cells, seed=505)
    rng = np.random.default_rng(505)
    women = _rows(frame, gender="woman")
    men = _rows(frame, gender="man")
    days = frame["days_to_secure"].astype("Float64")
    keep = set(men[:5]) | set(women[:8])
    frame["days_to_secure"] = [
        (int(days.iloc[i]) if pd.notna(days.iloc[i]) else 10) if i in keep else pd.NA
        for i in range(len(frame))
    ]
    # refusals: one woman was turned down once; nobody else (women) was
    frame.loc[frame.index[women], "refusals"] = 0
    frame.loc[frame.index[women], "mentors_approached"] = 1
    frame.loc[frame.index[women[4]], "refusals"] = 1
    frame.loc[frame.index[women[4]], "mentors_approached"] = 2
    # two women's mentor level unknown: a small n_missing in every boldness summary
    frame.loc[frame.index[women[10:12]], "mentor_level"] = pd.NA
    promoted = rng.random(len(frame)) < 0.35
    _promote(frame, promoted, rng)
    return Design(
        "small_subgroups",
        _finish(frame),
        (
            "days_to_secure recorded for 5 men only (5-person summary)",
            "women's refusals sum to 1 (magnitude of 1)",
            "2 women with mentor level missing (n_missing = 2)",
        ),
        folder="A_Nakamura_interviews",
    )


def missing_values() -> Design:
    """48 people; small missing counts in several columns; 2 not stated left out."""
    cells = [
        ("2019", "woman", 12),
        ("2019", "man", 11),
        ("2019", "not_stated", 2),
        ("2020", "woman", 12),
        ("2020", "man", 11),
    ]
    frame = _base(cells, seed=606)
    rng = np.random.default_rng(606)
    women = _rows(frame, gender="woman")
    men = _rows(frame, gender="man")
    frame.loc[frame.index[women[2]], "employment"] = pd.NA
    frame.loc[frame.index[[women[5], men[7], women[20]]], "participant_level"] = pd.NA
    frame.loc[frame.index[[women[1], men[3]]], "goals_defined"] = pd.NA
    frame.loc[frame.index[[men[1], men[4], women[9]]], "role_change"] = pd.NA
    frame.loc[frame.index[[women[0], women[6], men[2], men[8]]], "career_satisfaction"] = pd.NA
    promoted = np.zeros(len(frame), dtype=bool)
    promoted[women[:3]] = True
    promoted[men[:9]] = True
    promoted[_rows(frame, gender="not_stated")[:1]] = True
    _promote(frame, promoted, rng)
    return Design(
        "missing_values",
        _finish(frame),
        (
            "1-4 missing values in employment, participant_level, goals_defined, role_change, "
            "career_satisfaction",
            "2 not stated left out (1 promoted)",
            "3 women promoted (small count)",
        ),
        folder="records_Liesl_van_der_Merwe",
    )


def name_as_cohort() -> Design:
    """32 people; one cohort is labelled with a person's name; a name typed into a schema
    column and an inconsistent row make two rows excluded (listed by participant code).

    The loader refuses the file (the name in ``cohort``): nothing is published."""
    cells = [
        ("Grace Adeyemi", "woman", 8),
        ("Grace Adeyemi", "man", 8),
        ("2021", "woman", 8),
        ("2021", "man", 8),
    ]
    frame = _base(cells, seed=707)
    rng = np.random.default_rng(707)
    promoted = rng.random(len(frame)) < 0.4
    _promote(frame, promoted, rng)
    frame = _finish(frame)
    frame["mentor_gender"] = frame["mentor_gender"].astype(object)
    frame.loc[3, "mentor_gender"] = "Anneke Jansen"  # a name typed into a schema column
    frame.loc[5, ["mentors_approached", "refusals"]] = [2, 9]  # inconsistent: excluded
    codes = tuple(str(frame.loc[i, "participant_id"]) for i in (3, 5))
    return Design(
        "name_as_cohort",
        frame,
        (
            "a person's name ('Grace Adeyemi') as a cohort label",
            "a name typed into mentor_gender; two rows excluded and listed by participant code",
        ),
        folder="Grace_Adeyemi_files",
        identifiers=("Grace Adeyemi", "Anneke Jansen", *codes),
        excluded=2,
        refused_columns=("cohort",),
    )


def small_cohort() -> Design:
    """25 people in one cohort (no breakdown can be shown): 3 promoted, 3 without a mentor."""
    cells = [("2022", "woman", 13), ("2022", "man", 12)]
    frame = _base(cells, seed=808)
    rng = np.random.default_rng(808)
    _drop_mentor(frame, [2, 9, 17])
    promoted = np.zeros(len(frame), dtype=bool)
    promoted[[0, 14, 20]] = True
    _promote(frame, promoted, rng)
    return Design(
        "small_cohort",
        _finish(frame),
        ("3 of 25 promoted (suppressed total)", "3 without a mentor"),
        folder="Mbali_Dlamini_cohort",
    )


def programme_300() -> Design:
    """300 people in 3 cohorts; 6 non-binary + 4 not stated left out, 3 of them promoted."""
    cells = [
        ("2019", "woman", 50),
        ("2019", "man", 47),
        ("2019", "non_binary", 3),
        ("2020", "woman", 50),
        ("2020", "man", 47),
        ("2020", "not_stated", 4),
        ("2021", "woman", 50),
        ("2021", "man", 46),
        ("2021", "non_binary", 3),
    ]
    frame = _base(cells, seed=909)
    rng = np.random.default_rng(909)
    _drop_mentor(frame, list(np.flatnonzero(rng.random(len(frame)) < 0.12)))
    promoted = rng.random(len(frame)) < 0.4
    left = _rows(frame, gender="non_binary") + _rows(frame, gender="not_stated")
    promoted[left] = False
    promoted[left[:3]] = True
    _promote(frame, promoted, rng)
    return Design(
        "programme_300",
        _finish(frame),
        ("10 people in gender groups left out (3 promoted)", "300 people, 3 cohorts"),
        folder="HR_export_Sanjay_Iyer",
        slow=True,
    )


BUILDERS: tuple[Callable[[], Design], ...] = (
    line_manager_man,
    two_women_cohort,
    all_promoted_women,
    mentored_only_outcomes,
    small_subgroups,
    missing_values,
    name_as_cohort,
    small_cohort,
    programme_300,
)


#: Designs marked slow in the suite (built and attacked in CI, skipped by ``-m "not slow"``).
SLOW = frozenset({"programme_300"})

REGISTRY: dict[str, Callable[[], Design]] = {b.__name__: b for b in BUILDERS}


def all_designs() -> list[Design]:
    """Every design, built afresh (deterministic)."""
    return [build() for build in BUILDERS]


def design(name: str) -> Design:
    """One design by name (built afresh)."""
    return REGISTRY[name]()
