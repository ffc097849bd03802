"""Tests of the cohort simulator and the packaged sample data (mentoranalytics.datasets).

The consistency rules are written out here from DESIGN.md and issue 2, independently of
the simulator.  Effect tests compare shares in 20,000-row samples with tolerances of
about four standard errors (the standard error of a difference of two shares near 0.5
with ~8,000 people each is about 0.008).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics import schema
from mentoranalytics.datasets import (
    SAMPLES,
    SimulationEffects,
    load_sample,
    sample_path,
    simulate_cohort,
)
from mentoranalytics.exceptions import AnalysisError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"

IN_NETWORK = {"line_manager", "same_organisation", "existing_contact"}
ALLOWED_APPROACH = {
    "line_manager": {"assigned", "existing_relationship", "asked_in_person"},
    "same_organisation": {"assigned", "existing_relationship", "asked_in_person"},
    "existing_contact": {"existing_relationship", "asked_in_person"},
    "introduced": {"warm_introduction"},
    "no_prior_tie": {"cold_approach"},
}
MENTOR_FIELDS = [
    "mentor_level",
    "mentor_relation",
    "mentor_in_network",
    "approach",
    "mentor_gender",
    "days_to_secure",
]
ORDINALS = {"participant_level": (1, 6), "mentor_level": (1, 6), "level_after": (1, 6)}
ORDINALS["career_satisfaction"] = (1, 5)
COUNTS = ["mentors_approached", "refusals", "days_to_secure"]
BOOLS = [
    "mentor_secured",
    "mentor_in_network",
    "goals_defined",
    "promoted",
    "role_change",
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "completed_programme",
    "discussed_setbacks",
]
CATEGORIES = {
    "gender": {"woman", "man", "non_binary", "self_described", "not_stated"},
    "mentor_gender": {"woman", "man", "non_binary", "self_described", "not_stated"},
    "employment": {"employed", "self_employed", "other"},
    "mentor_relation": set(ALLOWED_APPROACH),
    "approach": {
        "assigned",
        "existing_relationship",
        "asked_in_person",
        "warm_introduction",
        "cold_approach",
    },
}


def check_conforms(frame: pd.DataFrame) -> None:
    """Every schema rule and consistency rule of a simulated (or sample) frame."""
    assert list(frame.columns) == list(schema.CANONICAL_COLUMNS)
    assert not set(schema.DERIVED_COLUMNS) & set(frame.columns)
    ids = frame["participant_id"]
    assert ids.is_unique
    assert ids.map(lambda s: re.fullmatch(r"P\d{4,}", s) is not None).all()
    assert frame["participant_id"].notna().all() and frame["gender"].notna().all()
    for name, allowed in CATEGORIES.items():
        values = set(frame[name].dropna())
        assert values <= allowed, name
    for name, (low, high) in ORDINALS.items():
        values = pd.to_numeric(frame[name]).dropna()
        assert values.between(low, high).all(), name
        assert (values == values.round()).all(), name
    for name in COUNTS:
        assert (pd.to_numeric(frame[name]).dropna() >= 0).all(), name
    for name in ("followup_months", "months_to_promotion"):
        assert (frame[name].dropna() >= 0).all(), name

    secured = frame["mentor_secured"].astype("boolean")
    assert secured.notna().all()
    no_mentor = ~secured.to_numpy(dtype=bool)
    for name in MENTOR_FIELDS:
        assert frame.loc[no_mentor, name].isna().all(), name
    for name in ("joined_mentor_organisation", "in_contact_with_mentor", "discussed_setbacks"):
        assert frame.loc[no_mentor, name].isna().all(), name
    with_mentor = frame[~no_mentor]
    for name in ("mentor_level", "mentor_in_network", "approach"):
        assert with_mentor[name].notna().all(), name

    approached = pd.to_numeric(frame["mentors_approached"])
    refusals = pd.to_numeric(frame["refusals"])
    assert (refusals <= approached).all()

    promoted = frame["promoted"].astype("boolean").to_numpy(dtype=bool)
    months = frame["months_to_promotion"]
    assert months[promoted].notna().all()
    assert months[~promoted].isna().all()
    assert (months[promoted] <= frame["followup_months"][promoted]).all()

    rel = frame["mentor_relation"]
    known = rel.notna().to_numpy()
    network = frame["mentor_in_network"].astype("boolean")
    expected = rel[known].isin(IN_NETWORK).to_numpy()
    assert (network[known].to_numpy(dtype=bool) == expected).all()
    self_employed = (frame["employment"] == "self_employed").to_numpy()
    assert not (rel[self_employed] == "line_manager").any()
    pairs = frame.loc[known, ["mentor_relation", "approach"]]
    for relation, approach in pairs.itertuples(index=False):
        assert approach in ALLOWED_APPROACH[relation], (relation, approach)
    joined = frame["joined_mentor_organisation"].astype("boolean")
    inside = rel.isin({"line_manager", "same_organisation"}).to_numpy()
    assert not joined[inside].fillna(False).any()


# --------------------------------------------------------------------------------------
# simulator: schema conformance and determinism
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big() -> pd.DataFrame:
    return simulate_cohort(20_000, cohorts=6, rng=11, effects={"missing_rate": 0.05})


def test_simulated_frame_conforms(big: pd.DataFrame) -> None:
    check_conforms(big)


def test_simulated_types_are_file_like(big: pd.DataFrame) -> None:
    for name in CATEGORIES:
        assert pd.api.types.is_string_dtype(big[name]) or big[name].dtype == object, name
    for name in [*ORDINALS, *COUNTS]:
        assert str(big[name].dtype) == "Int64", name
    for name in BOOLS:
        assert str(big[name].dtype) == "boolean", name
    assert big["followup_months"].dtype == float


def test_every_value_appears_in_a_large_sample(big: pd.DataFrame) -> None:
    for name, allowed in CATEGORIES.items():
        missing = allowed - set(big[name].dropna()) - {"self_described"}
        assert not missing, (name, missing)
    assert big["mentor_secured"].any() and not big["mentor_secured"].all()
    assert big["promoted"].any() and not big["promoted"].all()


def test_missing_rate_blanks_optional_answers(big: pd.DataFrame) -> None:
    secured = big["mentor_secured"].to_numpy(dtype=bool)
    share = big.loc[secured, "mentor_relation"].isna().mean()
    assert share == pytest.approx(0.05, abs=0.015)
    assert big["career_satisfaction"].isna().mean() == pytest.approx(0.05, abs=0.015)
    clean = simulate_cohort(2000, rng=1)
    assert clean["career_satisfaction"].notna().all()
    assert clean.loc[clean["mentor_secured"].to_numpy(dtype=bool), "mentor_relation"].notna().all()


def test_same_seed_same_frame() -> None:
    a = simulate_cohort(500, cohorts=3, rng=5)
    b = simulate_cohort(500, cohorts=3, rng=5)
    pd.testing.assert_frame_equal(a, b)
    c = simulate_cohort(500, cohorts=3, rng=6)
    assert not a.equals(c)


def test_generator_seed() -> None:
    a = simulate_cohort(50, rng=np.random.default_rng(3))
    b = simulate_cohort(50, rng=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(simulate_cohort(20, rng=None), simulate_cohort(20, rng=0))


def test_cohort_labels() -> None:
    frame = simulate_cohort(600, cohorts=3, rng=1)
    assert sorted(frame["cohort"].unique()) == ["2019", "2020", "2021"]
    assert frame["cohort"].is_monotonic_increasing
    labels = simulate_cohort(100, cohorts=["A", "B"], rng=1)["cohort"]
    assert set(labels) == {"A", "B"}
    assert set(simulate_cohort(10, rng=1)["cohort"]) == {"2019"}
    assert set(simulate_cohort(10, cohorts=[2018], rng=1)["cohort"]) == {"2018"}


def test_ids_widen_for_large_n() -> None:
    ids = simulate_cohort(12_345, rng=1)["participant_id"]
    assert ids.iloc[0] == "P00001" and ids.iloc[-1] == "P12345"


def test_zero_rows() -> None:
    frame = simulate_cohort(0)
    assert len(frame) == 0
    assert list(frame.columns) == list(schema.CANONICAL_COLUMNS)


def test_public_names() -> None:
    assert ma.simulate_cohort is simulate_cohort
    assert ma.load_sample is load_sample


# --------------------------------------------------------------------------------------
# simulator: the documented effects move the data
# --------------------------------------------------------------------------------------

N_EFFECT = 20_000


def _in_network_gap(effects) -> float:
    frame = simulate_cohort(N_EFFECT, rng=21, effects=effects)
    net = frame["mentor_in_network"]
    women = net[frame["gender"] == "woman"].dropna().astype(bool).mean()
    men = net[frame["gender"] == "man"].dropna().astype(bool).mean()
    return float(women - men)


def test_women_in_network_effect() -> None:
    null = SimulationEffects.null()
    assert abs(_in_network_gap(null)) < 0.035
    strong = {**null.__dict__, "women_in_network_odds_ratio": 4.0}
    assert _in_network_gap(strong) > 0.15
    weak = {**null.__dict__, "women_in_network_odds_ratio": 0.25}
    assert _in_network_gap(weak) < -0.15


def _promotion_by_boldness(effects) -> float:
    frame = simulate_cohort(N_EFFECT, cohorts=3, rng=22, effects=effects)
    index = ma.boldness(frame)["boldness_index"]
    promoted = frame["promoted"].astype(bool)
    high = index >= index.median()
    has = index.notna()
    return float(promoted[has & high].mean() - promoted[has & ~high].mean())


def test_boldness_promotion_effect() -> None:
    null = SimulationEffects.null()
    assert abs(_promotion_by_boldness(null)) < 0.04
    assert _promotion_by_boldness({**null.__dict__, "boldness_promotion_log_odds": 4.0}) > 0.12


def _promotion_gender_gap(effects) -> float:
    frame = simulate_cohort(N_EFFECT, cohorts=3, rng=23, effects=effects)
    promoted = frame["promoted"].astype(bool)
    return float(
        promoted[frame["gender"] == "woman"].mean() - promoted[frame["gender"] == "man"].mean()
    )


def test_gender_gap_in_promotion() -> None:
    null = SimulationEffects.null()
    assert abs(_promotion_gender_gap(null)) < 0.035
    assert _promotion_gender_gap({**null.__dict__, "women_promotion_log_odds": -1.5}) < -0.12


def test_cold_approach_refusals() -> None:
    def mean_refusals(rate: float) -> float:
        frame = simulate_cohort(N_EFFECT, rng=24, effects={"cold_approach_refusal_rate": rate})
        cold = frame["approach"] == "cold_approach"
        return float(frame.loc[cold, "refusals"].mean())

    # a geometric number of refusals before acceptance has mean p / (1 - p)
    assert mean_refusals(0.8) == pytest.approx(0.8 / 0.2, rel=0.1)
    assert mean_refusals(0.1) == pytest.approx(0.1 / 0.9, rel=0.3)


def test_mentor_secured_rate() -> None:
    frame = simulate_cohort(N_EFFECT, rng=25, effects={"mentor_secured_rate": 0.5})
    assert frame["mentor_secured"].astype(bool).mean() == pytest.approx(0.5, abs=0.02)


def test_followup_and_censoring() -> None:
    effects = {
        "loss_to_followup_rate": 0.0,
        "followup_months_latest": 10.0,
        "followup_months_per_cohort": 6.0,
    }
    frame = simulate_cohort(3000, cohorts=3, rng=26, effects=effects)
    by_cohort = frame.groupby("cohort")["followup_months"].agg(["min", "max"])
    assert by_cohort["min"].tolist() == [22.0, 16.0, 10.0]
    assert by_cohort["max"].tolist() == [22.0, 16.0, 10.0]
    lost = simulate_cohort(
        3000, cohorts=3, rng=26, effects={**effects, "loss_to_followup_rate": 0.5}
    )
    admin = lost["cohort"].map({"2019": 22.0, "2020": 16.0, "2021": 10.0})
    assert (lost["followup_months"] < admin).mean() == pytest.approx(0.5, abs=0.05)
    # longer follow-up, more promotions observed
    rates = frame.groupby("cohort")["promoted"].mean()
    assert rates["2019"] > rates["2021"]


def test_self_employed_never_have_line_manager_mentors() -> None:
    effects = {"employment_probabilities": (0.0, 1.0, 0.0)}
    frame = simulate_cohort(5000, rng=27, effects=effects)
    assert not (frame["mentor_relation"] == "line_manager").any()


# --------------------------------------------------------------------------------------
# simulator: argument errors
# --------------------------------------------------------------------------------------


def test_unknown_effect_name() -> None:
    with pytest.raises(
        AnalysisError,
        match=r"Unknown effects field\(s\): 'women_in_network_odds' "
        r"\(did you mean 'women_in_network_odds_ratio'\?\)",
    ):
        simulate_cohort(10, effects={"women_in_network_odds": 2.0})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"mentor_secured_rate": 1.5}, r"'mentor_secured_rate' must be between 0 and 1"),
        ({"women_in_network_odds_ratio": 0}, r"'women_in_network_odds_ratio' must be greater"),
        ({"cold_approach_refusal_rate": 1.0}, r"'cold_approach_refusal_rate' must be at least 0"),
        ({"followup_months_per_cohort": -1}, r"'followup_months_per_cohort' must be 0 or more"),
        ({"boldness_promotion_log_odds": "big"}, r"'boldness_promotion_log_odds' must be a"),
        ({"promotion_rate": float("nan")}, r"'promotion_rate' must be a finite number"),
        ({"gender_probabilities": (0.5, 0.5)}, r"'gender_probabilities' must be 5 non-negative"),
        ({"employment_probabilities": [0.5, 0.6, 0.0]}, r"'employment_probabilities' must be 3"),
        ({"level_probabilities": (1, 0, 0, 0, 0, -0.0001)}, r"'level_probabilities' must be 6"),
    ],
)
def test_bad_effect_values(overrides: dict, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        simulate_cohort(10, effects=overrides)


def test_effects_dataclass_validates_and_is_frozen() -> None:
    with pytest.raises(AnalysisError, match=r"'goals_defined_rate' must be between 0 and 1"):
        SimulationEffects(goals_defined_rate=-0.1)
    effects = SimulationEffects(gender_probabilities=[0.5, 0.5, 0, 0, 0])  # type: ignore[arg-type]
    assert effects.gender_probabilities == (0.5, 0.5, 0.0, 0.0, 0.0)
    with pytest.raises(AttributeError):
        effects.missing_rate = 0.5  # type: ignore[misc]


def test_effects_must_be_dict_or_dataclass() -> None:
    with pytest.raises(AnalysisError, match=r"effects must be None, a SimulationEffects or a dict"):
        simulate_cohort(10, effects=[("missing_rate", 0.1)])  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [-1, 2.5, True, "10"])
def test_bad_n(n) -> None:
    with pytest.raises(AnalysisError, match=r"n must be a whole number of participants"):
        simulate_cohort(n)


@pytest.mark.parametrize("cohorts", [0, [], ["2019", "2019"], "2019", True, [""]])
def test_bad_cohorts(cohorts) -> None:
    with pytest.raises(AnalysisError, match=r"cohorts must be|cohorts must be at least 1"):
        simulate_cohort(10, cohorts=cohorts)


def test_bad_seed() -> None:
    with pytest.raises(AnalysisError, match=r"rng must be an int, a numpy.random.Generator"):
        simulate_cohort(10, rng="abc")  # type: ignore[arg-type]


def test_effects_dict_unchanged() -> None:
    overrides = {"employment_probabilities": [0.5, 0.5, 0.0]}
    simulate_cohort(10, effects=overrides)
    assert overrides == {"employment_probabilities": [0.5, 0.5, 0.0]}


# --------------------------------------------------------------------------------------
# packaged sample data
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_packaged_copy_equals_repository_copy(name: str) -> None:
    assert sample_path(name).read_bytes() == (SAMPLE_DIR / f"{name}.csv").read_bytes()


def test_programme_sample_contents() -> None:
    frame = pd.read_csv(sample_path("programme"), dtype={"cohort": str})
    assert len(frame) == 300
    assert sorted(frame["cohort"].unique()) == [str(y) for y in range(2019, 2025)]
    assert list(frame.columns) == list(schema.CANONICAL_COLUMNS)
    for name in frame.columns:  # every schema column is used
        assert frame[name].notna().any(), name
    assert frame.isna().any().any()  # a few missing values
    # the distance fallback is exercised: relation blank, in/out of network known
    assert (frame["mentor_relation"].isna() & frame["mentor_in_network"].notna()).any()
    check_conforms(frame)


def test_first_cohort_sample_contents() -> None:
    frame = pd.read_csv(sample_path("first_cohort"), dtype={"cohort": str})
    assert len(frame) == 10
    assert set(frame["cohort"]) == {"2018"}
    assert (frame["employment"] == "self_employed").sum() == 5
    assert set(frame["gender"]) == {"woman", "man"}
    check_conforms(frame)


@pytest.mark.parametrize(("name", "rows"), [("programme", 300), ("first_cohort", 10)])
def test_samples_load_cleanly(name: str, rows: int) -> None:
    cohort = load_sample(name)
    assert len(cohort) == rows
    assert len(cohort.problems) == 0
    assert len(cohort.excluded) == 0
    assert "boldness_index" in cohort.data.columns


def test_load_sample_passes_options() -> None:
    cohort = load_sample("first_cohort", errors="exclude")
    assert len(cohort) == 10


def test_unknown_sample_name() -> None:
    message = r"No sample named 'programm'\. Available samples: 'programme'"
    with pytest.raises(ValueError, match=message):
        load_sample("programm")
    with pytest.raises(ma.MentorAnalyticsError, match=message):
        sample_path("programm")


def _load_script():
    path = ROOT / "scripts" / "make_sample_data.py"
    spec = importlib.util.spec_from_file_location("make_sample_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_script_reproduces_committed_files(tmp_path: Path, capsys) -> None:
    script = _load_script()
    sample_dir, package_dir = tmp_path / "sample", tmp_path / "package"
    assert script.main(["--sample-dir", str(sample_dir), "--package-dir", str(package_dir)]) == 0
    for name in ("programme.csv", "first_cohort.csv", "README.md"):
        assert (sample_dir / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name
    for name in ("programme.csv", "first_cohort.csv"):
        assert (package_dir / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name
    assert not (package_dir / "README.md").exists()


def test_readme_codebook_matches_schema() -> None:
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert schema.render_codebook("markdown") in text
    assert "synthetic" in text.lower()
    assert "python scripts/make_sample_data.py" in text


def test_arrow_fast_path_matches_object_path(monkeypatch) -> None:
    from mentoranalytics.datasets import simulate

    fast = simulate_cohort(3000, cohorts=["A", "B", "C"], rng=9, effects={"missing_rate": 0.1})
    monkeypatch.setattr(simulate, "_arrow_string_dtype", lambda: None)
    plain = simulate_cohort(3000, cohorts=["A", "B", "C"], rng=9, effects={"missing_rate": 0.1})
    pd.testing.assert_frame_equal(fast, plain)


def test_loader_accepts_simulated_frames() -> None:
    frame = simulate_cohort(2000, cohorts=4, rng=31, effects={"missing_rate": 0.05})
    before = frame.copy()
    cohort = ma.load_cohort(frame)
    assert len(cohort) == 2000
    assert len(cohort.problems) == 0
    pd.testing.assert_frame_equal(frame, before)
