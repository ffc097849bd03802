"""The command line: help, version, schema, template, validate, simulate, report, exit codes.

Most tests call :func:`mentoranalytics.cli.main` in-process (capsys, exit codes); a few
run ``python -m mentoranalytics`` in a subprocess to check the entry point itself.
"""

from __future__ import annotations

import argparse
import io
import re
import shlex
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from mentoranalytics import __version__, schema
from mentoranalytics.cli import PROG, _Progress, build_parser, main
from mentoranalytics.privacy import POLICIES


def python(*args: str) -> subprocess.CompletedProcess[str]:
    """This Python in a subprocess, with ``args``."""
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, timeout=300
    )


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return python("-m", "mentoranalytics", *args)


def _words(text: str) -> str:
    """Help text with argparse's line wrapping undone."""
    return " ".join(text.split())


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


# --------------------------------------------------------------------------------------
# entry point, help, version
# --------------------------------------------------------------------------------------


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


def test_help_explains_every_command_and_option(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    top = _words(_help(capsys))
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        assert re.search(rf"\b{name}\b \w+", top), name  # listed with a sentence
        text = _words(_help(capsys, name))
        assert sub.description and _words(sub.description)[:40] in text
        for action in sub._actions:
            if not action.option_strings and action.dest == "help":
                continue
            assert action.help, f"{name} {action.dest} has no help"
            for option in action.option_strings:
                assert option in text, f"{name} {option}"


def test_help_says_what_each_privacy_preset_does(capsys: pytest.CaptureFixture[str]) -> None:
    text = _words(_help(capsys, "report"))
    for name, policy in POLICIES.items():
        assert f"{name}: {policy.describe()}" in text  # the policies' own words
    assert "counts of 1-4 suppressed" in text  # standard
    assert "counts of 1-9 suppressed" in text and "nearest 5" in text  # ons
    assert "counts of 1-7 suppressed" in text  # nhs
    assert "For the course team only" in text and POLICIES["internal"].banner in text
    assert "--title" in text and "by file name only, never its folder" in text
    assert "<blank>: not_stated" in _help(capsys, "validate")  # the mapping file's form


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["report", "--privacy", "none"])
    assert done.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv"])
def test_schema_prints_every_column(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--format", fmt]) == 0
    out = capsys.readouterr().out
    for column in schema.CANONICAL_COLUMNS:
        assert column in out
    if fmt == "csv":
        assert out.splitlines()[0] == "column,type,required,allowed,meaning"


# --------------------------------------------------------------------------------------
# template, simulate: never replace a file without --force
# --------------------------------------------------------------------------------------


def test_template_csv_and_xlsx(tmp_path: Path) -> None:
    assert main(["template", str(tmp_path / "t.csv")]) == 0
    header = (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == list(schema.CANONICAL_COLUMNS)
    assert main(["template", str(tmp_path / "t.xlsx")]) == 0
    sheets = pd.read_excel(tmp_path / "t.xlsx", sheet_name=None)
    assert len(sheets) >= 2
    first = next(iter(sheets.values()))
    assert list(first.columns) == list(schema.CANONICAL_COLUMNS)


@pytest.mark.parametrize(
    "argv",
    [["template", "{path}"], ["simulate", "-n", "5", "-o", "{path}"]],
    ids=["template", "simulate"],
)
def test_template_and_simulate_never_replace_a_filled_in_file(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "filled.csv"
    path.write_text("participant_id,gender\nP1,woman\n", encoding="utf-8")
    args = [a.format(path=path) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"mentoranalytics: usage error: {str(path)!r} already exists; choose another name, "
        "or add --force to replace it."
    )
    assert path.read_text(encoding="utf-8") == "participant_id,gender\nP1,woman\n"
    assert main([*args, "--force"]) == 0
    assert path.read_text(encoding="utf-8") != "participant_id,gender\nP1,woman\n"


def test_simulate_then_validate_is_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sim.csv"
    assert main(["simulate", "-n", "40", "-o", str(out), "--seed", "3"]) == 0
    assert len(pd.read_csv(out)) == 40
    capsys.readouterr()
    assert main(["validate", str(out)]) == 0
    assert "40 rows valid, 0 rows would be excluded, 0 problems" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------


def test_validate_lists_problems_with_rows_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "participant_id,gender,participant_level\nP1,woman,3\nP2,femal,2\nP3,man,9\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "row 3, column gender [unknown_category]: 'femal'" in captured.out
    assert "row 4, column participant_level [out_of_range]: '9'" in captured.out
    assert "Traceback" not in captured.err


def test_validate_groups_identical_problems_with_their_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["P1,woman,Cold aproach", "P2,man,Cold aproach", "P3,woman,warm introduction"]
    rows += ["P4,man,Cold aproach"]
    path = tmp_path / "c.csv"
    path.write_text("participant_id,gender,approach\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("'Cold aproach' is not a known approach value") == 1
    assert "rows 2, 3, 5, column approach [unknown_category]: 'Cold aproach'" in out


def test_validate_advice_is_for_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "participant_id,Sex,approach\nP1,,Didnt know them\nP2,1,Cold aproach\nP3,M,x\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "values=" not in out and "columns=" not in out  # no Python at the command line
    assert (
        "map blank cells with values: {gender: {<blank>: not_stated}} in the --mapping file" in out
    )
    assert (
        "'Didnt know them' is not a known approach value, and no allowed value is close to it"
        in out
    )
    assert "Did you mean 'line_manager'" not in out and "Did you mean 'woman'" not in out
    assert "values: {approach: {Didnt know them: '?'}} in the --mapping file" in out
    assert "Did you mean 'cold_approach'?" in out
    block = out.split("# --- mapping.yaml ---\n")[1].split("# --- end ---")[0]
    assert block == (
        "values:\n"
        "  approach:\n"
        "    Cold aproach: cold_approach\n"
        "    # Didnt know them: ?\n"
        "    # x: ?\n"
        "  gender:\n"
        "    # '1': ?\n"
    )


def test_personal_data_refused_then_dropped_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pii.csv"
    path.write_text(
        "participant_id,gender,email\nP1,woman,jane.doe@example.org\nP2,man,\n", encoding="utf-8"
    )
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "row 2, column email" in captured.err
    assert "Remove identifying columns with --drop-columns email" in captured.err
    assert "drop_columns=" not in captured.err
    assert "jane.doe" not in captured.err + captured.out
    assert f"Next: {PROG} validate {path} --drop-columns email" in captured.out
    assert main(["validate", str(path), "--drop-columns", "email"]) == 0
    assert "2 rows valid" in capsys.readouterr().err


def test_validate_invalid_missing_keeps_the_person(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "participant_id,gender,promoted,mentor_level\nP1,woman,maybe,4\nP2,man,yes,9\n"
        "P3,woman,no,3\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "1 row valid, 2 rows would be excluded, 2 problems." in err
    assert "With --invalid missing, 2 of the excluded rows would be kept" in err
    assert main(["validate", str(path), "--invalid", "missing"]) == 1
    captured = capsys.readouterr()
    assert "3 rows valid, 0 rows would be excluded, 2 invalid cells would be left empty" in (
        captured.err
    )
    assert "row 2, column promoted [invalid_boolean]" in captured.out


def test_save_mapping_never_replaces_the_mapping_in_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "c.csv"
    data.write_text("participant_id,gender,approach\nP1,woman,Cold aproach\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("values:\n  gender:\n    W: woman\n", encoding="utf-8")
    argv = ["validate", str(data), "--mapping", str(mapping), "--save-mapping", str(mapping)]
    assert main([*argv, "--force"]) == 2
    assert "is one of the input files" in capsys.readouterr().err
    assert mapping.read_text(encoding="utf-8") == "values:\n  gender:\n    W: woman\n"
    new = tmp_path / "new.yaml"
    assert main([*argv[:-1], str(new)]) == 1
    assert new.read_text(encoding="utf-8") == (
        "values:\n  gender:\n    W: woman\n  approach:\n    Cold aproach: cold_approach\n"
    )
    assert main([*argv[:-1], str(new)]) == 2  # exists now
    assert "already exists" in capsys.readouterr().err


def test_validate_reads_blank_cells_through_the_blank_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "c.csv"
    data.write_text("participant_id,gender,promoted\nP1,,\nP2,M,yes\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "values:\n  gender:\n    <blank>: not_stated\n  promoted:\n    <blank>: no\n",
        encoding="utf-8",
    )
    assert main(["validate", str(data), "--mapping", str(mapping)]) == 0
    assert "2 rows valid, 0 rows would be excluded, 0 problems" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# odd inputs
# --------------------------------------------------------------------------------------


def _zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda p: pd.DataFrame({"participant_id": ["P1"], "gender": ["F"]}).to_excel(
                p, index=False, engine="openpyxl"
            ),
            "looks like an Excel workbook, not a CSV file: save it as CSV (File > Save As > "
            "CSV UTF-8) or rename it .xlsx.",
        ),
        (
            lambda p: _zip(p, ["[Content_Types].xml", "word/document.xml"]),
            "looks like a Word document, not a CSV file",
        ),
        (lambda p: p.write_bytes(b"%PDF-1.7\n\x00\xff binary"), "looks like a PDF document"),
        (
            lambda p: p.write_bytes(bytes(range(256)) * 40),
            "looks like a binary file (not text), not a CSV file",
        ),
    ],
    ids=["excel", "word", "pdf", "binary"],
)
def test_files_are_recognised_by_their_content(
    make, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cohort.csv"
    make(path)
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"[unreadable_file]: 'cohort.csv' {message}" in captured.out
    assert "\x00" not in captured.out + captured.err
    assert not re.search(r"[\x01-\x08\x0e-\x1f\x7f]", captured.out + captured.err)


def test_a_text_file_named_xlsx_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cohort.xlsx"
    path.write_text("participant_id,gender\nP1,F\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    assert (
        "'cohort.xlsx' looks like a text (CSV) file, not an Excel workbook (.xlsx): rename it "
        ".csv." in capsys.readouterr().out
    )


def test_a_large_file_without_cohort_columns_stops_before_the_personal_data_scan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import mentoranalytics.io as mio
    import mentoranalytics.privacy as privacy

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("should not be reached")

    monkeypatch.setattr(privacy, "scan_personal_data", never)
    monkeypatch.setattr(mio, "_parse_body", never)
    line = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n"
    path = tmp_path / "notes.csv"
    path.write_text(line * 130_000, encoding="utf-8")  # about 10 MB
    t0 = time.perf_counter()
    assert main(["validate", str(path)]) == 1
    assert time.perf_counter() - t0 < 30  # generous: the point is that nothing is scanned
    out = capsys.readouterr().out
    assert (
        "[no_cohort_columns]: No cohort columns found here (expected at least participant_id "
        "and gender; found headers: [column 1 (a header of 76 characters; not shown)])" in out
    )


def test_headers_that_look_like_personal_data_are_named_by_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no_header.csv"
    path.write_text("jane.doe@example.org,Jane Smith,blue\nx,y,z\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert (
        "found headers: [column 1 (its header looks like personal data; not shown), column 2 "
        "(its header looks like personal data; not shown), 'blue']" in captured.out
    )
    assert "jane" not in (captured.out + captured.err).lower()


def test_sheet_by_name_or_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.xlsx"
    with pd.ExcelWriter(path) as xl:
        one = pd.DataFrame({"participant_id": ["A"], "gender": ["F"]})
        one.to_excel(xl, sheet_name="2019", index=False)
        two = pd.DataFrame({"participant_id": ["B", "C"], "gender": ["M", "F"]})
        two.to_excel(xl, sheet_name="2020", index=False)
    assert main(["validate", str(path)]) == 1
    assert "say which to read, e.g. --sheet 2019 (or --sheet 0)" in capsys.readouterr().out
    assert main(["validate", str(path), "--sheet", "2020"]) == 0
    assert "2 rows valid" in capsys.readouterr().err
    assert main(["validate", str(path), "--sheet", "0"]) == 0
    assert "1 row valid" in capsys.readouterr().err


def test_personal_data_in_a_cohort_column_must_be_fixed_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.csv"
    path.write_text("participant_id,gender\njane.doe@example.org,F\nP2,femal\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "row 2, column participant_id" in captured.err
    assert "Fix these first" in captured.err
    assert "jane" not in captured.out + captured.err
    assert "Next:" not in captured.out  # dropping the id column is not advice


def test_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err
    assert "file not found" in err and "nope.csv" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------------------
# report: exit codes, files never replaced, progress, labels
# --------------------------------------------------------------------------------------


def test_report_on_a_missing_required_column_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no_gender.csv"
    path.write_text("participant_id,cohort\nP1,2019\nP2,2019\n", encoding="utf-8")
    assert main(["report", str(path), "-o", str(tmp_path / "r.html"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("mentoranalytics: error: 1 problem in the cohort data:")
    assert "The required column 'gender' was not found" in err
    assert f"Run '{PROG} validate {path}' to list every problem" in err
    assert not (tmp_path / "r.html").exists()


def test_report_exits_1_when_no_row_can_be_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "all_bad.csv"
    path.write_text("participant_id,gender\nP1,1\nP2,2\nP3,2\n", encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(path), "-o", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "mentoranalytics: error: no row can be analysed: all 3 rows read were left out "
        "(unknown category in gender: 3); no report was written."
    )
    assert not out.exists()


def test_report_never_replaces_its_input_even_with_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    text = "participant_id,gender\nP1,F\nP2,M\n"
    path.write_text(text, encoding="utf-8")
    assert main(["report", str(path), "-o", str(path), "--force", "--quiet"]) == 2
    assert "is one of the input files" in capsys.readouterr().err
    mapping = tmp_path / "m.yaml"
    mapping.write_text("values: {}\n", encoding="utf-8")
    argv = ["report", str(path), "--mapping", str(mapping), "-o", str(mapping), "--force"]
    assert main(argv) == 2
    assert path.read_text(encoding="utf-8") == text
    assert mapping.read_text(encoding="utf-8") == "values: {}\n"


def test_report_output_and_bundle_need_force_to_replace(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")
    assert main(["report", "--sample", "first_cohort", "-o", str(out), "--quiet"]) == 2
    assert "already exists; choose another name, or add --force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "old"
    bundle = tmp_path / "b"
    bundle.mkdir()
    (bundle / "keep.txt").write_text("mine", encoding="utf-8")
    argv = ["report", "--sample", "first_cohort", "-o", str(tmp_path / "new.html")]
    assert main([*argv, "--bundle", str(bundle), "--quiet"]) == 2
    assert "already holds files" in capsys.readouterr().err
    assert not (tmp_path / "new.html").exists()


def test_report_never_replaces_an_input_inside_the_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "review"
    bundle.mkdir()
    data = bundle / "published_numbers.json"  # the name of a bundle file
    frame = pd.DataFrame({"participant_id": [f"P{i}" for i in range(30)]})
    frame["gender"] = ["woman", "man"] * 15
    frame.to_json(data, orient="records")
    before = data.read_bytes()
    out = tmp_path / "r.html"
    argv = ["report", str(data), "-o", str(out), "--bundle", str(bundle), "--force", "--quiet"]
    assert main(argv) == 2
    assert "would replace an input file" in capsys.readouterr().err
    assert data.read_bytes() == before
    assert sorted(p.name for p in bundle.iterdir()) == ["published_numbers.json"]


def test_report_names_its_input_by_file_name_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "private_folder_of_the_course_leader"
    folder.mkdir()
    data = folder / "cohort 2021.csv"
    frame = pd.DataFrame({"participant_id": [f"P{i}" for i in range(24)]})
    frame["gender"] = ["F", "M", "Female"] * 8
    frame.to_csv(data, index=False)
    out = tmp_path / "r.html"
    assert main(["report", str(data), "-o", str(out), "--quiet"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "cohort 2021.csv" in html
    assert "private_folder_of_the_course_leader" not in html
    assert str(tmp_path) not in html


def test_report_progress_lines_come_when_a_step_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "c.csv"
    frame = pd.DataFrame({"participant_id": [f"P{i}" for i in range(24)]})
    frame["gender"] = ["woman", "man"] * 12
    frame["promoted"] = ["maybe"] + ["yes", "no"] * 11 + ["no"]
    frame.to_csv(data, index=False)
    out = tmp_path / "r.html"
    assert main(["report", str(data), "-o", str(out), "--invalid", "missing"]) == 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "reading and checking c.csv ..."
    assert lines[1] == (
        "24 rows read: 24 analysed, 0 left out, 1 invalid cells left empty (listed in the "
        "report's data-quality appendix)"
    )
    assert any(line.startswith("analysing: ") and line.endswith(" ...") for line in lines)
    assert lines[-2] == "writing ..."
    assert lines[-1] == f"report written to {out.resolve()}"
    assert main(["report", str(data), "-o", str(tmp_path / "q.html"), "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_progress_line_is_written_before_the_step_runs() -> None:
    stream = io.StringIO()
    progress = _Progress(False, stream)
    progress("loading")
    assert stream.getvalue() == "loading ...\n"  # before the step's work, not after it
    progress("analysing")
    progress.done()
    assert stream.getvalue() == "loading ...\nanalysing ...\n"
    quiet = io.StringIO()
    _Progress(True, quiet)("loading")
    assert quiet.getvalue() == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_ticks_during_a_long_step() -> None:
    stream = _Terminal()
    progress = _Progress(False, stream)
    progress.tick_after = 0.0
    progress("analysing: mediation")
    time.sleep(0.8)
    progress.done()
    text = stream.getvalue()
    assert text.startswith("\r\x1b[Kanalysing: mediation ...")
    assert re.search(r"analysing: mediation \.\.\. [|/\\-] \d+ s", text)  # the ticking clock
    assert re.search(r"analysing: mediation \.\.\. done \(\d+\.\d s\)\n$", text)
    assert "mentoranalytics-progress" not in [t.name for t in threading.enumerate()]


def test_report_bundle_is_written_into_a_new_folder(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    bundle = tmp_path / "bundle"
    argv = ["report", "--sample", "first_cohort", "--format", "markdown", "-o", str(out)]
    assert main([*argv, "--bundle", str(bundle), "--quiet"]) == 0
    assert out.is_file()
    for ref in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", out.read_text(encoding="utf-8")):
        assert (tmp_path / ref).is_file()
    assert (bundle / "report.html").is_file() and (bundle / "tables.xlsx").is_file()
    assert not [p for p in tmp_path.rglob(".mentoranalytics-*")]  # staging removed
    assert main([*argv, "--quiet"]) == 2  # r.md exists now
    assert main([*argv, "--bundle", str(bundle), "--quiet", "--force"]) == 0


# --------------------------------------------------------------------------------------
# "Done when": a course leader's messy spreadsheet, the tool's messages only
# --------------------------------------------------------------------------------------

MESSY = """\
Name,ID,Gendr,Cohort,Mentor relation,Approach,Promoted,Mentor level,Participant level
Jane Smith,P01,F,2021,line manager,Cold aproach,yes,5,2
John Brown,P02,M,2021,no prior tie,cold approach,no,6,3
Mary Jones,P03,Female,2021,introduced,Cold aproach,,4,2
David Wilson,P04,M,2021,existing contact,warm introduction,yes,,3
Sarah Taylor,P05,femal,2021,line manger,asked in person,no,3,3
James Davies,P06,Male,2021,same organisation,Didnt know them,yes,6,2
Emma Evans,P07,F,2022,,,no,,2
Thomas Roberts,P08,M,2022,introduced,Cold aproach,yes,6,3
Olivia Walker,P09,Female,2022,no prior tie,cold approach,,5,1
William Wright,P10,M,2022,line manager,assigned,no,3,3
"""


def _follow(out: str) -> tuple[list[str], str | None]:
    """The next command and the suggested mapping file, as the messages give them."""
    next_line = next(line for line in out.splitlines() if line.startswith("Next: "))
    argv = shlex.split(next_line.removeprefix("Next: "))
    assert argv[:3] == shlex.split(PROG)
    block = None
    if "# --- mapping.yaml ---\n" in out:
        block = out.split("# --- mapping.yaml ---\n")[1].split("# --- end ---")[0]
    return argv[3:], block


def test_done_when_a_messy_spreadsheet_reaches_a_report_in_two_validate_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("cohort.csv").write_text(MESSY, encoding="utf-8")

    # run 1: everything at once (names, a misspelt header, misspelt values, one unknown)
    assert main(["validate", "cohort.csv"]) == 1
    captured = capsys.readouterr()
    assert "--drop-columns Name" in captured.err
    assert "Jane" not in captured.out + captured.err
    argv, block = _follow(captured.out)
    assert argv == ["validate", "cohort.csv", "--mapping", "mapping.yaml", "--drop-columns", "Name"]
    assert block is not None
    assert "  Gendr: gender\n" in block
    assert "    Cold aproach: cold_approach\n" in block
    assert "    line manger: line_manager\n" in block
    assert "    femal: woman\n" in block  # found although its header was misspelt
    assert "    # Didnt know them: ?\n" in block  # never guessed
    # the user does what the messages say: saves the lines, says what the unknown value is
    Path("mapping.yaml").write_text(
        block.replace("# Didnt know them: ?", "Didnt know them: existing_relationship"),
        encoding="utf-8",
    )

    # run 2: clean
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "10 rows valid, 0 rows would be excluded, 0 problems." in captured.err

    # and the report
    assert main(["report", *argv[1:], "-o", "review.html", "--quiet"]) == 0
    html = Path("review.html").read_text(encoding="utf-8")
    assert "Jane" not in html and "Smith" not in html
    assert "cohort.csv" in html


def test_simulate_writes_followup_waves_that_the_report_reads(tmp_path: Path) -> None:
    cohort, waves = tmp_path / "c.csv", tmp_path / "w.csv"
    assert main(["simulate", "-n", "40", "-o", str(cohort), "--waves", str(waves)]) == 0
    frame, long = pd.read_csv(cohort), pd.read_csv(waves)
    assert set(long["participant_id"]) <= set(frame["participant_id"])
    assert sorted(long["months"].unique()) == [6, 12, 24, 36, 60]
    # same seed, same files; never the cohort file again, never replaced without --force
    again = tmp_path / "w2.csv"
    main(["simulate", "-n", "40", "-o", str(tmp_path / "c2.csv"), "--waves", str(again)])
    assert again.read_bytes() == waves.read_bytes()
    assert main(["simulate", "-o", str(cohort), "--waves", str(cohort), "--force"]) == 2
    assert main(["simulate", "-o", str(tmp_path / "c3.csv"), "--waves", str(waves)]) == 2


def test_the_entry_point_exits_fast_but_runs_exit_handlers_and_flushes(tmp_path: Path) -> None:
    """``python -m mentoranalytics`` skips the interpreter's teardown once a command has
    returned: its exit code stands, exit handlers still run, and nothing it printed is
    lost (output written last, unflushed, arrives)."""
    code = (
        "import atexit, sys\n"
        "from mentoranalytics import __main__ as entry\n"
        "atexit.register(lambda: print('handler ran', file=sys.stderr))\n"
        "sys.stdout.write('last words')  # no newline, no flush\n"
        "entry._exit(3)\n"
        "print('never')\n"
    )
    done = python("-c", code)
    assert done.returncode == 3
    assert done.stdout == "last words"
    assert "handler ran" in done.stderr
    report = run("report", "--quiet", "-o", str(tmp_path / "r.html"))
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "r.html").read_text(encoding="utf-8").rstrip().endswith("</html>")


def test_the_mentoranalytics_script_is_the_entry_point_of_python_m() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    root = Path(__file__).resolve().parents[1]
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["mentoranalytics"] == "mentoranalytics.__main__:run"
    code = (
        "import sys\n"
        "from mentoranalytics.__main__ import run\n"
        "sys.argv = ['mentoranalytics', 'schema']\n"
        "run()\n"
    )
    done = python("-c", code)
    assert done.returncode == 0, done.stderr
    assert "participant_id" in done.stdout
