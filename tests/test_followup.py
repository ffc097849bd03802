"""Follow-up waves: schema, loading, validation, accounting, guard, simulator, sample."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics import schema
from mentoranalytics.io import write_template
from mentoranalytics.validation import pandera_schema, wave_months

COHORT = pd.DataFrame(
    {
        "id": ["P1", "P2", "P3", "P4"],
        "Sex": ["F", "M", "F", "M"],
    }
)


def waves_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "participant_id": ["P1", "P1", "P2", "P2", "P3"],
            "months": [6, 12, 6, 12, 6],
            "current_level": [2, 3, 1, None, 4],
            "promoted": ["no", "yes", "n", None, "y"],
            "career_satisfaction": [3, 4, 2, None, 5],
        }
    )


def load(followup, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ma.DataQualityWarning)
        return ma.load_cohort(COHORT, followup=followup, **kwargs)


def rules_at(problems: pd.DataFrame) -> list[tuple[int, str]]:
    fu = problems[problems["file"].str.contains("follow-up")]
    return sorted((int(r), str(rule)) for r, rule in zip(fu["row"], fu["rule"], strict=True))


# --- schema and codebook ----------------------------------------------------------------


def test_followup_schema_and_codebook():
    assert schema.FOLLOWUP_CANONICAL_COLUMNS == (
        "participant_id",
        "months",
        "wave",
        "responded",
        "current_level",
        "promoted",
        "role_change",
        "employer_change",
        "joined_mentor_organisation",
        "in_contact_with_mentor",
        "career_satisfaction",
    )
    assert schema.FOLLOWUP_REQUIRED_COLUMNS == ("participant_id", "months")
    book = ma.codebook("followup")
    assert [r["column"] for r in book] == list(schema.FOLLOWUP_CANONICAL_COLUMNS)
    assert ma.codebook() == ma.codebook("cohort")
    text = schema.render_codebook("markdown", table="followup")
    assert "| months | number | yes |" in text and "Derived columns" not in text
    with pytest.raises(ValueError, match="'cohort' or 'followup'"):
        ma.codebook("waves")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_followup_template_loads_empty_and_filled(tmp_path: Path, suffix: str):
    path = write_template(tmp_path / f"w{suffix}", table="followup")
    if suffix == ".csv":
        assert path.read_text().strip().split(",") == list(schema.FOLLOWUP_CANONICAL_COLUMNS)
        path.write_text(path.read_text() + "P1,12,,yes,3,yes,no,no,,yes,4\n")
        cohort = load(path)
        assert len(cohort.waves) == 1
        assert cohort.waves.loc[0, "wave"] == "12 months"
    else:
        from openpyxl import load_workbook

        wb = load_workbook(path)
        assert wb.sheetnames == ["data", "codebook"]
        header = [c.value for c in wb["data"][1]]
        assert header == list(schema.FOLLOWUP_CANONICAL_COLUMNS)


# --- loading ----------------------------------------------------------------------------


def test_waves_none_without_followup():
    cohort = ma.load_cohort(COHORT)
    assert cohort.waves is None and cohort.waves_origin is None
    assert "follow-up" not in repr(cohort)


def test_load_dataframe_canonical_columns_sorted_and_typed():
    frame = waves_frame().iloc[[4, 2, 3, 0, 1]]  # participants in reverse order: no problem
    cohort = load(frame.reset_index(drop=True))
    waves = cohort.waves
    assert list(waves.columns) == list(schema.FOLLOWUP_CANONICAL_COLUMNS)
    assert isinstance(waves.index, pd.RangeIndex)
    assert list(zip(waves["participant_id"], waves["months"], strict=True)) == [
        ("P1", 6.0),
        ("P1", 12.0),
        ("P2", 6.0),
        ("P2", 12.0),
        ("P3", 6.0),
    ]
    assert str(waves["months"].dtype) == "Float64"
    assert str(waves["current_level"].dtype) == "Int64"
    assert str(waves["promoted"].dtype) == "boolean"
    # responded derived: true where any answer is filled
    assert waves["responded"].tolist() == [True, True, True, False, True]
    assert waves["employer_change"].isna().all()
    assert waves["wave"].tolist()[:2] == ["6 months", "12 months"]
    pandera_schema(table="followup").validate(waves)
    assert cohort.data.shape[0] == 4  # the cohort table is unchanged


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_load_files_with_mapping_and_wave_labels(tmp_path: Path, suffix: str):
    raw = pd.DataFrame(
        {
            "Code": ["P1", "P1", "P2"],
            "Survey": ["6-month survey", "12 months", "6m"],
            "Answered": ["Y", "Y", "N"],
            "Level now": [2, 3, None],
            "Promoted since last wave": ["Ja", "Nee", None],
        }
    )
    path = tmp_path / f"waves{suffix}"
    if suffix == ".csv":
        raw.to_csv(path, index=False)
    else:
        raw.to_excel(path, index=False, sheet_name="waves")
    cohort = load(
        path,
        values={"promoted": {"Ja": True, "Nee": False}},
        followup_sheet="waves" if suffix == ".xlsx" else None,
    )
    waves = cohort.waves
    assert waves["months"].tolist() == [6.0, 12.0, 6.0]
    assert waves["wave"].tolist() == ["6-month survey", "12 months", "6m"]
    assert waves["promoted"].tolist()[:2] == [True, False]
    assert waves["responded"].tolist() == [True, True, False]
    assert path.name in cohort.source["file"].tolist()
    rows = cohort.source.set_index("file")["rows_read"]
    assert rows[path.name] == 3


def test_mapping_followup_section(tmp_path: Path):
    raw = pd.DataFrame({"ID": ["P1"], "Month": [6], "Happy": [4]})
    cohort = load(raw, mapping={"followup": {"columns": {"Happy": "career_satisfaction"}}})
    assert cohort.waves.loc[0, "career_satisfaction"] == 4
    with pytest.raises(ma.SchemaError, match="followup: section maps"):
        load(raw, mapping={"followup": {"columns": {"Nope": "career_satisfaction"}}})
    with pytest.raises(ma.SchemaError, match="unknown key"):
        load(raw, mapping={"followup": {"colums": {}}})


def test_wave_months_parser():
    assert wave_months("12") == 12.0
    assert wave_months("Month 24") == 24.0
    assert wave_months("1,5 months") == 1.5
    assert wave_months("baseline") is None


def test_followup_sheet_needs_a_workbook():
    with pytest.raises(ma.SchemaError, match="followup_sheet"):
        load(waves_frame(), followup_sheet="waves")


def test_followup_wrong_type():
    with pytest.raises(ma.SchemaError, match="followup must be"):
        load(42)


def test_missing_months_column_is_file_level():
    raw = pd.DataFrame({"participant_id": ["P1"], "promoted": ["yes"]})
    with pytest.raises(ma.SchemaError, match="'months' was not found"):
        load(raw, errors="exclude")


# --- problems with row numbers ----------------------------------------------------------


def bad_frame() -> pd.DataFrame:
    # index labels are the row numbers of a DataFrame (1..n here)
    return pd.DataFrame(
        {
            "participant_id": ["P1", "P1", "P9", "P2", "P2", "P1", "P3", "P3", "P4", "P4"],
            "months": [12, 6, 6, 6, 6, 24, 6, 12, 6, 6],
            "responded": ["yes", "yes", "yes", "yes", "yes", "yes", "no", "yes", "yes", "yes"],
            "current_level": [2, 2, 1, 3, 4, 9, 3, 3, 2, 2],
        },
        index=range(1, 11),
    )


def test_every_problem_kind_with_rows():
    with pytest.raises(ma.SchemaError) as info:
        load(bad_frame())
    found = rules_at(info.value.problems)
    assert found == [
        (2, "wave_out_of_order"),
        (3, "unknown_participant"),
        (4, "duplicate_wave"),
        (5, "duplicate_wave"),
        (6, "out_of_range"),
        (7, "answer_without_response"),
        (10, "duplicate_wave_identical"),
    ]
    message = str(info.value)
    assert "follow-up DataFrame" in message


def test_exclude_accounts_for_every_row():
    frame = bad_frame()
    cohort = load(frame, errors="exclude")
    waves, excluded = cohort.waves, cohort.excluded
    fu = excluded[excluded["file"] == "<follow-up DataFrame>"]
    assert sorted(fu["row"].tolist()) == [3, 4, 5, 6, 7, 10]
    assert len(waves) + len(fu) == len(frame)
    reasons = dict(zip(fu["row"], fu["reason"], strict=True))
    assert reasons[3] == "participant_id not in the cohort table"
    assert reasons[10] == "duplicate wave (identical copy)"
    # the out-of-order row is kept, and the frame sorted
    assert waves[waves["participant_id"] == "P1"]["months"].tolist() == [6.0, 12.0]
    origin = cohort.waves_origin
    assert origin.loc[waves.index[waves["participant_id"] == "P1"], "row"].tolist() == [2, 1]
    total_read = int(cohort.source["rows_read"].sum())
    assert len(cohort) + len(waves) + len(excluded) == total_read


def test_missing_keeps_row_with_cell_empty():
    frame = pd.DataFrame(
        {"participant_id": ["P1", "P2"], "months": [6, 6], "current_level": [9, 2]}
    )
    cohort = load(frame, errors="missing")
    assert len(cohort.waves) == 2
    assert cohort.waves["current_level"].isna().tolist() == [True, False]
    assert cohort.invalid_cells["column"].tolist() == ["current_level"]


def test_waves_of_excluded_participants_are_excluded():
    cohort_table = pd.DataFrame({"id": ["P1", "P2"], "Sex": ["F", "femal"]})
    frame = pd.DataFrame({"participant_id": ["P1", "P2"], "months": [6, 6]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ma.DataQualityWarning)
        cohort = ma.load_cohort(cohort_table, followup=frame, errors="exclude")
    assert cohort.waves["participant_id"].tolist() == ["P1"]
    ex = cohort.excluded
    reason = ex.loc[ex["file"] == "<follow-up DataFrame>", "reason"].tolist()
    assert reason == ["participant excluded from the cohort table"]


def test_bad_wave_label_without_months():
    frame = pd.DataFrame({"participant_id": ["P1", "P2"], "wave": ["12m", "baseline"]})
    cohort = load(frame, errors="exclude")
    assert cohort.waves["months"].tolist() == [12.0]
    problems = cohort.problems
    assert problems.loc[problems["rule"] == "wave_not_months", "column"].tolist() == ["wave"]


def test_messages_never_echo_codes():
    frame = pd.DataFrame({"participant_id": ["SECRETCODE"], "months": [6]})
    with pytest.raises(ma.SchemaError) as info:
        load(frame)
    assert "SECRETCODE" not in str(info.value)


# --- identifier guard -------------------------------------------------------------------


def test_identifier_guard_on_followup():
    frame = waves_frame().assign(Contact=["a@example.org", "", "", "", ""])
    with pytest.raises(ma.PersonalDataError) as info:
        load(frame)
    assert "a@example.org" not in str(info.value)
    assert "<follow-up DataFrame>" in str(info.value)
    cohort = load(frame, drop_columns=["Contact"])
    assert "Contact" not in cohort.waves.columns


def test_followup_columns_are_canonical_for_the_guard():
    frame = waves_frame().assign(wave=["6-month survey", "12-month survey", "6", "12", "6"])
    assert len(load(frame).waves) == 5


# --- no mutation ------------------------------------------------------------------------


def test_inputs_not_mutated():
    cohort_table = COHORT.copy()
    frame = bad_frame()
    before = frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ma.DataQualityWarning)
        cohort = ma.load_cohort(cohort_table, followup=frame, errors="exclude")
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(cohort_table, COHORT)
    waves = cohort.waves
    waves.loc[0, "months"] = 999
    assert cohort.waves.loc[0, "months"] != 999


def test_repr_mentions_waves():
    cohort = load(waves_frame())
    text = repr(cohort)
    assert "follow-up: 5 rows, 3 participants, 4 responses; 2 wave(s) at months 6, 12" in text
    assert "follow-up" in cohort._repr_html_()


# --- simulator --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated():
    frame = ma.simulate_cohort(3000, cohorts=3, rng=11)
    return frame


def test_simulate_waves_deterministic_and_canonical(simulated):
    before = simulated.copy()
    a = ma.simulate_waves(simulated, rng=5, informative=2.0)
    b = ma.simulate_waves(simulated, rng=5, informative=2.0)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(simulated, before)
    c = ma.simulate_waves(simulated, rng=6, informative=2.0)
    assert not a.equals(c)
    assert list(a.columns) == list(schema.FOLLOWUP_CANONICAL_COLUMNS)
    assert len(a) == len(simulated) * 5
    # non-responding rows have every answer empty
    silent = a[~a["responded"].astype(bool)]
    assert silent[list(schema.FOLLOWUP_OUTCOMES)].isna().all().all()
    # mentor answers missing without a mentor
    no_mentor = set(simulated.loc[~simulated["mentor_secured"].astype(bool), "participant_id"])
    rows = a[a["participant_id"].isin(no_mentor)]
    assert rows["in_contact_with_mentor"].isna().all()
    # loads without a problem
    cohort = ma.load_cohort(
        simulated.head(200),
        followup=a[a["participant_id"].isin(simulated.head(200)["participant_id"])],
    )
    assert len(cohort.problems) == 0


def test_simulate_waves_truth_consistency(simulated):
    waves, truth = ma.simulate_waves(simulated, rng=2, dropout=0.0, intermittent=0.0, truth=True)
    assert list(truth.columns) == ["participant_id", "promotion_month", "dropout_month"]
    # the cohort record's promotions are respected
    rec = simulated.set_index("participant_id")
    t = truth.set_index("participant_id")["promotion_month"]
    promoted = rec.index[rec["promoted"].astype(bool)]
    assert np.allclose(t[promoted], rec.loc[promoted, "months_to_promotion"].astype(float))
    not_promoted = rec.index[~rec["promoted"].astype(bool)]
    assert (t[not_promoted] > rec.loc[not_promoted, "followup_months"].astype(float)).all()
    # with full response the first promoted wave brackets the true time
    first = waves[waves["promoted"].astype(bool)].groupby("participant_id")["months"].min()
    months = np.array([6, 12, 24, 36, 60.0])
    true = t[first.index].to_numpy()
    prev = np.array([months[months < m].max() if (months < m).any() else 0.0 for m in first])
    assert np.all((true > prev) & (true <= first.to_numpy(dtype=float)))
    never = t.index.difference(first.index)
    assert np.isinf(t[never]).all()
    # current level never goes down and rises at a promotion
    lv = (
        waves.sort_values(["participant_id", "months"])
        .groupby("participant_id")["current_level"]
        .diff()
    )
    assert (lv.dropna() >= 0).all()


def _complete_and_true(simulated, informative):
    waves, truth = ma.simulate_waves(
        simulated, rng=3, dropout=0.15, intermittent=0.0, informative=informative, truth=True
    )
    level0 = simulated.set_index("participant_id")["participant_level"].astype(float)
    ids = level0.index[level0 < 6]  # level 6 cannot rise
    at24 = waves[(waves["months"] == 24) & waves["participant_id"].isin(ids)]
    at24 = at24.set_index("participant_id")
    answered = at24.index[at24["responded"].astype(bool)]
    rose = at24.loc[answered, "current_level"].astype(float) > level0[answered]
    t = truth.set_index("participant_id").loc[ids, "promotion_month"]
    return float(rose.mean()), float((t <= 24).mean())


def test_simulate_waves_informative_dropout_biases_complete_cases(simulated):
    complete, true_rate = _complete_and_true(simulated, 4.0)
    assert complete > true_rate + 0.04
    # missing completely at random (informative=1): unbiased within noise
    complete, true_rate = _complete_and_true(simulated, 1.0)
    assert abs(complete - true_rate) < 0.03


def test_simulate_waves_rejects_bad_arguments(simulated):
    with pytest.raises(ma.AnalysisError, match="months must be"):
        ma.simulate_waves(simulated, months=(12, 6))
    with pytest.raises(ma.AnalysisError, match="dropout"):
        ma.simulate_waves(simulated, dropout=1.0)
    with pytest.raises(ma.AnalysisError, match="informative"):
        ma.simulate_waves(simulated, informative=0)
    with pytest.raises(ma.AnalysisError, match="participant_id"):
        ma.simulate_waves(pd.DataFrame({"gender": ["man"]}))


def test_simulate_waves_without_nonresponse_rows(simulated):
    waves = ma.simulate_waves(simulated.head(100), rng=1, nonresponse_rows=False)
    assert waves["responded"].astype(bool).all()


# --- the sample -------------------------------------------------------------------------


def test_programme_sample_has_waves():
    cohort = ma.load_sample()
    assert cohort.waves is not None and len(cohort.problems) == 0
    assert set(cohort.waves["participant_id"]) <= set(cohort.data["participant_id"])
    assert "programme_waves.csv" in cohort.source["file"].tolist()
    assert ma.load_sample(followup=False).waves is None
    assert ma.load_sample("first_cohort").waves is None
    repo = Path(__file__).resolve().parents[1] / "data" / "sample" / "programme_waves.csv"
    packaged = ma.datasets.sample_path("programme", followup=True)
    assert repo.read_bytes() == packaged.read_bytes()
    with pytest.raises(ValueError, match="no follow-up waves"):
        ma.datasets.sample_path("first_cohort", followup=True)
