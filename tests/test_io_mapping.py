"""columns= and mapping= work for every kind of source, not only CSV (regression)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import mentoranalytics as ma

RAW = pd.DataFrame(
    {
        "ID": ["a1", "a2", "a3"],
        "Sex": ["F", "Male ", "prefer not to say"],
        "Promoted?": ["Y", "no", "TRUE"],
    }
)
COLUMNS = {"ID": "participant_id", "Sex": "gender", "Promoted?": "promoted"}


def _write(kind: str, tmp_path: Path) -> object:
    if kind == "frame":
        return RAW.copy()
    path = tmp_path / f"cohort.{kind}"
    if kind == "xlsx":
        RAW.to_excel(path, index=False)
    elif kind == "csv":
        RAW.to_csv(path, index=False)
    elif kind == "json":
        RAW.to_json(path, orient="records")
    else:
        pytest.importorskip("pyarrow")
        RAW.to_parquet(path)
    return path


@pytest.mark.parametrize("kind", ["frame", "xlsx", "csv", "json", "parquet"])
def test_columns_mapping_applies_to_every_source(kind: str, tmp_path: Path) -> None:
    cohort = ma.load_cohort(_write(kind, tmp_path), columns=COLUMNS)
    assert cohort.data["gender"].astype(str).tolist() == ["woman", "man", "not_stated"]
    assert cohort.data["promoted"].tolist() == [True, False, True]


@pytest.mark.parametrize("kind", ["frame", "xlsx"])
def test_yaml_mapping_applies_to_every_source(kind: str, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n  ID: participant_id\n  Sex: gender\n  Promoted?: promoted\n",
        encoding="utf-8",
    )
    cohort = ma.load_cohort(_write(kind, tmp_path), mapping=mapping)
    assert len(cohort) == 3


def test_a_mapped_header_that_does_not_exist_is_named() -> None:
    with pytest.raises(ma.SchemaError, match=r"columns= maps \['Gendr'\], but no file has"):
        ma.load_cohort(RAW, columns={"Gendr": "gender"})
