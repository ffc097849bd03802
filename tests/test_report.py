"""The course-review report: sections, disclosure control, formats and reproducibility."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.cli import main
from mentoranalytics.report import ReportOptions, build_report, render_html, write_bundle
from mentoranalytics.report.model import TableBlock, format_value
from mentoranalytics.report.writers import header_label

SECTION_IDS = [
    "answers",
    "overview",
    "securing",
    "boldness",
    "outcomes",
    "payoff",
    "mediation",
    "time",
    "cohorts",
    "limits",
    "methods",
    "data-quality",
]
#: The sample has follow-up waves: its report has "Careers over time" after time to promotion.
SAMPLE_SECTION_IDS = [*SECTION_IDS[:8], "careers", *SECTION_IDS[8:]]


@pytest.fixture(scope="module")
def programme_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    code = main(["report", "-o", str(out / "r.html"), "--bundle", str(out / "b"), "--quiet"])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def first_cohort_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("first")
    code = main(
        [
            "report",
            "--sample",
            "first_cohort",
            "--bundle",
            str(out / "b"),
            "-o",
            str(out / "r.html"),
            "--quiet",
        ]
    )
    assert code == 0
    return out


class _Cells(HTMLParser):
    """Collect every table of a report: {data-table: [[cell text, ...], ...]}."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.sections: list[str] = []
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("data-table") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "img":
            self.images.append(a.get("src") or "")
        elif tag == "section":
            self.sections.append(a.get("id") or "")

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None


def _agrees(shown: str, value: object) -> bool:
    """Whether a displayed cell is the published value rounded for display."""
    if value is None:
        return shown == ""
    if isinstance(value, bool):
        return shown == ("yes" if value else "no")
    if isinstance(value, str):
        return shown == value
    v = float(value)  # type: ignore[arg-type]
    if shown == "<0.001":
        return v < 0.001
    if shown in ("∞", "-∞"):
        return np.isinf(v)
    scale = 1.0
    if shown.endswith("%"):
        shown, scale = shown[:-1], 100.0
    elif shown.endswith(" pp"):  # percentage points
        shown, scale = shown[:-3], 100.0
    number = float(shown.replace(",", ""))
    decimals = len(shown.split(".")[1]) if "." in shown else 0
    return abs(number - v * scale) <= 0.5 * 10**-decimals + 1e-9


def _parse(path: Path) -> _Cells:
    parser = _Cells()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_section_is_present_or_says_why(programme_bundle: Path) -> None:
    page = _parse(programme_bundle / "r.html")
    assert page.sections == SAMPLE_SECTION_IDS
    html = (programme_bundle / "r.html").read_text(encoding="utf-8")
    assert "Not available" not in html  # the sample has every column
    assert "http://" not in html and "https://" not in html  # no external resources
    assert all(src.startswith("data:image/svg+xml;base64,") for src in page.images)
    assert len(page.images) >= 8


def test_json_numbers_match_the_html_tables(programme_bundle: Path) -> None:
    """Every published number in the JSON is the number shown in the HTML table cell."""
    page = _parse(programme_bundle / "b" / "report.html")
    numbers = json.loads((programme_bundle / "b" / "published_numbers.json").read_text())
    records = numbers["numbers"]
    assert records, "no published numbers"
    by_table: dict[str, list[dict]] = {}
    for rec in records:
        by_table.setdefault(rec["table"], []).append(rec)
    assert set(by_table) <= set(page.tables)
    checked = 0
    for name, recs in by_table.items():
        rows = page.tables[name]
        header, body = rows[0], rows[1:]
        lookup = {(r[0], header[j]): r[j] for r in body for j in range(1, len(r))}
        for rec in recs:
            shown = lookup[(str(rec["row"]), header_label(rec["column"]))]
            if rec["suppressed"]:
                assert shown == "suppressed"
                assert rec["value"] is None
            else:
                assert _agrees(shown, rec["value"]), (name, rec, shown)
            checked += 1
    assert checked > 200


def test_default_first_cohort_report_publishes_no_small_count(first_cohort_bundle: Path) -> None:
    numbers = json.loads((first_cohort_bundle / "b" / "published_numbers.json").read_text())
    counts = [
        r["value"]
        for r in numbers["numbers"]
        if isinstance(r["value"], int | float)
        and str(r["column"])
        not in {
            "estimate",
            "ci_low",
            "ci_high",
            "p_value",
            "rate",
            "percent",
            "detectable_difference",
            "base_rate",
            "mean",
            "sd",
            "median",
            "q1",
            "q3",
        }
        and not r["suppressed"]
    ]
    assert counts, "the report published no counts at all"
    small = [c for c in counts if 0 < c < 5]
    assert small == []
    html = (first_cohort_bundle / "r.html").read_text(encoding="utf-8")
    assert "no two gender groups are large enough" in html


def test_programme_report_has_no_small_count(programme_bundle: Path) -> None:
    numbers = json.loads((programme_bundle / "b" / "published_numbers.json").read_text())
    for r in numbers["numbers"]:
        if r["suppressed"] or not isinstance(r["value"], int):
            continue
        if str(r["column"]) in {"n", "events"} or r["table"].startswith(
            ("participants", "overview_")
        ):
            assert not 0 < r["value"] < 5, r


def test_report_is_byte_identical_for_same_input_and_seed(tmp_path: Path, monkeypatch) -> None:
    """Also with the charts rendered ahead by a second process (the default on Linux) or
    in this one."""
    from mentoranalytics.report import figures

    cohort = ma.load_sample("first_cohort")
    options = ReportOptions(privacy="internal", n_sims=200)
    monkeypatch.setenv(figures.JOBS_VARIABLE, "2")
    first = build_report(cohort, options)
    monkeypatch.setenv(figures.JOBS_VARIABLE, "1")
    second = build_report(cohort, options)
    assert render_html(first) == render_html(second)
    write_bundle(first, tmp_path / "x")
    write_bundle(second, tmp_path / "y")
    files = sorted(f for f in (tmp_path / "x").rglob("*") if f.is_file())
    assert len(files) > 20
    for f in files:
        twin = tmp_path / "y" / f.relative_to(tmp_path / "x")
        assert f.read_bytes() == twin.read_bytes(), f.name


def test_internal_report_says_so_on_every_section(tmp_path: Path) -> None:
    cohort = ma.load_sample("first_cohort")
    report = build_report(cohort, ReportOptions(privacy="internal", n_sims=200))
    html = render_html(report)
    banner = "internal — contains small numbers"
    assert html.count(banner) >= len(report.sections)
    assert report.banner == banner


def test_internal_first_cohort_shows_gender_breakdown() -> None:
    cohort = ma.load_sample("first_cohort")
    report = build_report(cohort, ReportOptions(privacy="internal", n_sims=200))
    outcomes = next(s for s in report.sections if s.id == "outcomes")
    assert outcomes.unavailable is None
    rates = [b for b in outcomes.blocks if isinstance(b, TableBlock) and b.name.endswith("_rates")]
    assert rates and not rates[0].suppressed_mask().to_numpy().any()


def test_only_required_columns_gives_a_report_saying_what_is_missing(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {"participant_id": [f"P{i:02d}" for i in range(60)], "gender": ["woman", "man"] * 30}
    )
    path = tmp_path / "minimal.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "minimal.html"
    assert main(["report", str(path), "-o", str(out), "--quiet"]) == 0
    page = _parse(out)
    assert page.sections == SECTION_IDS
    html = out.read_text(encoding="utf-8")
    assert html.count("Not available") >= 5
    assert "mentor_relation" in html


def test_small_groups_are_pooled_or_left_out() -> None:
    frame = ma.load_sample().data
    # three small categories of 5 (non_binary, not_stated and 5 women relabelled
    # self_described): each below a minimum group of 6, together at least twice it -> pooled
    women = frame.index[frame["gender"] == "woman"][:5]
    gender = frame["gender"].astype(object)
    gender.loc[women] = "self_described"
    pooled = frame.assign(gender=gender.astype(frame["gender"].dtype))
    report = build_report(pooled, ReportOptions(n_sims=100, min_group_size=6))
    overview = next(s for s in report.sections if s.id == "overview")
    table = next(b for b in overview.blocks if isinstance(b, TableBlock))
    assert list(table.frame.columns) == ["woman", "man", "other or not stated", "Total"]
    # with the default minimum (10, so a pool needs 20) the pool of 10 is left out
    report = build_report(frame, ReportOptions(n_sims=100))
    overview = next(s for s in report.sections if s.id == "overview")
    table = next(b for b in overview.blocks if isinstance(b, TableBlock))
    assert list(table.frame.columns) == ["woman", "man", "Total"]


def test_unknown_cohort_and_outcome_are_clear_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--cohorts", "1999", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "--cohorts names cohorts not in the data: ['1999']" in err
    assert "Traceback" not in err
    assert main(["report", "--outcomes", "promotd", "--quiet"]) == 1
    assert "--outcomes names columns not in the data: ['promotd']" in capsys.readouterr().err


def test_files_and_sample_together_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "x.csv", "--sample", "programme"]) == 2
    assert "either FILES or --sample" in capsys.readouterr().err


def test_markdown_format_writes_figures_beside(tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    assert (
        main(["report", "--format", "markdown", "-o", str(out), "--quiet", "--sample", "programme"])
        == 0
    )
    text = out.read_text(encoding="utf-8")
    refs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert refs
    for ref in refs:
        assert (tmp_path / ref).is_file()


def test_bundle_contents(programme_bundle: Path) -> None:
    b = programme_bundle / "b"
    assert (b / "report.html").is_file() and (b / "tables.xlsx").is_file()
    figures = sorted(p.suffix for p in (b / "figures").iterdir())
    assert ".png" in figures and ".svg" in figures
    sheets = pd.read_excel(b / "tables.xlsx", sheet_name=None)
    csvs = sorted(p.stem for p in (b / "tables").glob("*.csv"))
    assert len(sheets) == len(csvs) > 10


def test_format_value_examples() -> None:
    assert format_value(np.float64(0.5), "rate", percent=True) == "50.0%"
    assert format_value(float("inf"), "ci_high") == "∞"
    assert format_value(True) == "yes"
    assert format_value(None) == ""


@pytest.mark.slow
def test_report_renders_in_headless_chromium(programme_bundle: Path, tmp_path: Path) -> None:
    """Every chart renders and no resource fails to load, in a real browser."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    page = programme_bundle / "r.html"
    probe = tmp_path / "probe.html"
    # Count images that decoded (naturalWidth > 0) once the page has loaded.
    probe.write_text(
        page.read_text(encoding="utf-8").replace(
            "</body>",
            "<script>window.addEventListener('load', () => {"
            "const imgs = [...document.images];"
            "const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;"
            "document.title = 'IMAGES ' + ok + '/' + imgs.length;});</script></body>",
        ),
        encoding="utf-8",
    )
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=10000",
        "--dump-dom",
        probe.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    match = re.search(r"<title>IMAGES (\d+)/(\d+)</title>", done.stdout)
    assert match, done.stderr[-2000:]
    loaded, total = int(match.group(1)), int(match.group(2))
    assert total >= 8
    assert loaded == total
    assert "net::ERR" not in done.stderr


def test_groups_whose_mentor_count_is_withheld_are_left_out_of_mentor_sections() -> None:
    """If the report withholds how many of a group secured a mentor, the sections about
    participants with a mentor must not print that group's n (it would undo the suppression)."""
    frame = ma.simulate_cohort(120, rng=5)
    secured = frame.groupby("gender", observed=True)["mentor_secured"].agg(["sum", "size"])
    assert ((secured["size"] - secured["sum"]).between(1, 4)).any()  # the premise
    report = build_report(ma.load_cohort(frame), ReportOptions(n_sims=100))
    securing = next(s for s in report.sections if s.id == "securing")
    table = next(b for b in securing.blocks if getattr(b, "name", "") == "secured_rates")
    assert table.suppressed_mask().to_numpy().any()
    boldness = next(s for s in report.sections if s.id == "boldness")
    assert boldness.unavailable is not None
    assert "secured a mentor is withheld" in boldness.unavailable
    securing = next(s for s in report.sections if s.id == "securing")
    names = [b.name for b in securing.blocks if isinstance(b, TableBlock)]
    assert not any(n.startswith(("days_to_secure", "approaches")) for n in names)


def test_a_32_person_cohort_with_a_2_person_group_settles_and_hides_the_pair() -> None:
    """The joint audit's rebuilds settle (a plan that repeats itself ends them), and the
    two people left out appear in no published count."""
    frame = ma.simulate_cohort(32, rng=11)
    frame = frame.assign(gender=["woman"] * 15 + ["man"] * 15 + ["non_binary"] * 2)
    report = build_report(frame, ReportOptions(n_sims=100))
    assert report.audit is not None and bool(report.audit["safe"].all())
    values = [r["value"] for r in report.published_numbers() if r["value"] is not None]
    assert 32 not in values and "32 participants" not in report.subtitle
