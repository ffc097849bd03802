"""The command line: help, version, schema, template, validate, simulate, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mentoranalytics import __version__, schema
from mentoranalytics.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mentoranalytics", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_help_and_version() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert "report" in done.stdout and "examples:" in done.stdout
    done = run("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"mentoranalytics {__version__}"
    assert "python -m mentoranalytics report" in run("report", "--help").stdout


def test_import_is_light() -> None:
    code = (
        "import sys, mentoranalytics as ma; "
        "heavy = [m for m in ('matplotlib', 'seaborn', 'statsmodels', 'scipy.optimize') "
        "if m in sys.modules]; print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error() -> None:
    done = run("report", "--privacy", "none")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv"])
def test_schema_prints_every_column(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--format", fmt]) == 0
    out = capsys.readouterr().out
    for column in schema.CANONICAL_COLUMNS:
        assert column in out
    if fmt == "csv":
        assert out.splitlines()[0] == "column,type,required,allowed,meaning"


def test_template_csv_and_xlsx(tmp_path: Path) -> None:
    assert main(["template", str(tmp_path / "t.csv")]) == 0
    header = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(schema.CANONICAL_COLUMNS)
    assert main(["template", str(tmp_path / "t.xlsx")]) == 0
    sheets = pd.read_excel(tmp_path / "t.xlsx", sheet_name=None)
    assert len(sheets) >= 2
    first = next(iter(sheets.values()))
    assert list(first.columns) == list(schema.CANONICAL_COLUMNS)


def test_simulate_then_validate_is_clean(tmp_path: Path) -> None:
    out = tmp_path / "sim.csv"
    done = run("simulate", "-n", "40", "-o", str(out), "--seed", "3")
    assert done.returncode == 0, done.stderr
    assert len(pd.read_csv(out)) == 40
    done = run("validate", str(out))
    assert done.returncode == 0, done.stderr
    assert "40 rows valid, 0 rows would be excluded, 0 problems" in done.stderr


def test_validate_lists_problems_with_rows_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "participant_id,gender,participant_level\nP1,woman,3\nP2,femal,2\nP3,man,9\n",
        encoding="utf-8",
    )
    done = run("validate", str(path))
    assert done.returncode == 1
    assert "row 3" in done.stdout and "gender" in done.stdout
    assert "row 4" in done.stdout and "participant_level" in done.stdout
    assert "Traceback" not in done.stderr


def test_report_on_a_missing_required_column_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "no_gender.csv"
    path.write_text("participant_id,cohort\nP1,2019\nP2,2019\n", encoding="utf-8")
    done = run("report", str(path), "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "gender" in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    done = run("validate", str(tmp_path / "nope.csv"))
    assert done.returncode in (1, 2)
    assert "nope.csv" in done.stderr
    assert "Traceback" not in done.stderr


def test_report_progress_lines_and_final_location(tmp_path: Path) -> None:
    out = tmp_path / "first.html"
    done = run("report", "--sample", "first_cohort", "-o", str(out))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert any(line.startswith("loading and validating (") for line in lines)
    assert any(line.startswith("writing (") for line in lines)
    assert lines[-1] == f"report written to {out.resolve()}"
    assert "packaged sample 'first_cohort'" in done.stderr
    assert out.is_file()


def test_personal_data_refused_then_dropped_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "pii.csv"
    path.write_text(
        "participant_id,gender,email\nP1,woman,jane.doe@example.org\nP2,man,\n", encoding="utf-8"
    )
    done = run("validate", str(path))
    assert done.returncode == 1
    assert "row 2, column email" in done.stderr
    assert "--drop-columns" in done.stderr
    assert "jane.doe" not in done.stderr + done.stdout
    done = run("validate", str(path), "--drop-columns", "email")
    assert done.returncode == 0, done.stderr
    assert "2 rows valid" in done.stderr
