"""The report's 'Careers over time' section: follow-up waves through the release gate."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import mentoranalytics as ma
from mentoranalytics.report import ReportOptions, build_report
from mentoranalytics.report.careers import _on_grid
from mentoranalytics.report.model import FigureBlock, Paragraph, TableBlock


@pytest.fixture(scope="module")
def sample_report():
    cohort = ma.load_sample()
    return cohort, build_report(cohort, ReportOptions())


def _section(report, sid):
    return next((s for s in report.sections if s.id == sid), None)


def _tables(section):
    return {b.name: b for b in section.blocks if isinstance(b, TableBlock)}


def test_the_sample_report_has_the_section_and_a_fifth_question(sample_report):
    _, report = sample_report
    careers = _section(report, "careers")
    assert careers is not None and careers.unavailable is None
    names = set(_tables(careers))
    assert {"followup_response", "followup_level", "followup_satisfaction"} <= names
    figures = {b.name for b in careers.blocks if isinstance(b, FigureBlock)}
    assert {"followup_response", "followup_level"} <= figures
    assert all(b.svg.startswith("<svg") for b in careers.blocks if isinstance(b, FigureBlock))
    first = _section(report, "answers")
    questions = [b.text for b in first.blocks if isinstance(b, Paragraph) and b.kind == "question"]
    if "followup_promotion_test" in names:
        assert any(q.startswith("5. Over the follow-up surveys") for q in questions)


def test_response_counts_are_the_answers_of_those_due(sample_report):
    cohort, report = sample_report
    table = _tables(_section(report, "careers"))["followup_response"].frame
    waves, data = cohort.waves, cohort.data
    intake = dict(zip(data["participant_id"].astype(str), data["cohort"].astype(str), strict=True))
    gender = dict(zip(data["participant_id"].astype(str), data["gender"].astype(str), strict=True))
    w = waves.assign(_intake=waves["participant_id"].astype(str).map(intake))
    for (months, group), row in table.iterrows():
        run_for = set(w.loc[w["months"] == months, "_intake"])
        due = [p for p, c in intake.items() if c in run_for and gender[p] == group]
        answered = w[
            (w["months"] == months)
            & w["responded"].astype(bool)
            & w["participant_id"].astype(str).isin(due)
        ]
        assert row["n"] == len(due)
        assert row["events"] == len(answered)


def test_every_number_of_the_section_was_decided_by_the_gate(sample_report):
    _, report = sample_report
    decided = set(report.decisions["output"].astype(str))
    assert any(o.startswith("answered_") for o in decided)
    assert any(o.startswith("level_") for o in decided)
    assert any("interval-censored" in o for o in decided)


def test_intervals_on_a_coarser_schedule():
    months = np.array([6.0, 12.0, 24.0])
    asked = np.array(
        [
            [True, True, True],  # promoted, first reported at 24
            [True, True, False],  # promoted at 12 (off the grid), then no answer at 24
            [True, False, True],  # never promoted
        ]
    )
    right = np.array([24.0, 12.0, np.inf])
    left, right_g = _on_grid(right, asked, months, [6.0, 24.0])
    assert list(left) == [6.0, 6.0, 24.0]
    # the promotion at 12 is not carried to 24, a wave the person missed: right-censored
    assert list(right_g) == [24.0, np.inf, np.inf]
    # on the full schedule nothing changes
    left, right_g = _on_grid(right, asked, months, list(months))
    assert list(left) == [12.0, 6.0, 24.0] and list(right_g) == [24.0, 12.0, np.inf]


def _small_cohort(n: int, seed: int):
    frame = ma.simulate_cohort(n, cohorts=2, rng=seed)
    waves = ma.simulate_waves(frame, rng=seed, informative=2)
    return ma.load_cohort(frame, followup=waves)


@pytest.mark.parametrize("privacy", ["standard", "ons"])
def test_a_small_cohort_publishes_no_small_count(privacy):
    cohort = _small_cohort(40, 3)
    report = build_report(cohort, ReportOptions(privacy=privacy))
    careers = _section(report, "careers")
    if careers is None or careers.unavailable:
        return  # nothing shown is nothing published
    threshold = {"standard": 5, "ons": 10}[privacy]
    for block in _tables(careers).values():
        for column in ("n", "events", "answered"):
            if column not in block.frame:
                continue
            values = pd.to_numeric(block.frame[column], errors="coerce").dropna()
            assert ((values == 0) | (values >= threshold)).all(), (block.name, column)
    assert report.audit is None or bool(report.audit["safe"].all())


def test_internal_shows_every_wave_and_no_followup_means_no_section():
    cohort = _small_cohort(40, 3)
    internal = build_report(cohort, ReportOptions(privacy="internal"))
    careers = _section(internal, "careers")
    assert careers is not None
    response = _tables(careers)["followup_response"].frame
    assert not response.isna().any().any()
    plain = ma.load_cohort(ma.simulate_cohort(40, rng=3))
    assert _section(build_report(plain, ReportOptions()), "careers") is None


def test_the_command_line_names_the_followup_file_and_counts_its_rows(tmp_path, capsys):
    from mentoranalytics.cli import main

    frame = ma.simulate_cohort(30, rng=4)
    waves = ma.simulate_waves(frame, months=(6, 12), rng=4).astype(object)
    waves.loc[2, "career_satisfaction"] = 9  # out of range
    waves.loc[4, "participant_id"] = "P9999"  # not in the cohort table
    frame.to_csv(tmp_path / "cohort.csv", index=False)
    waves.to_csv(tmp_path / "waves.csv", index=False)
    main(["validate", str(tmp_path / "cohort.csv"), "--followup", str(tmp_path / "waves.csv")])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "waves.csv row 4, column career_satisfaction" in text
    assert "waves.csv row 6, column participant_id" in text
    assert f"follow-up (waves.csv): {len(waves) - 2} rows valid, 2 rows would be excluded" in text
    code = main(
        [
            "report",
            str(tmp_path / "cohort.csv"),
            "--followup",
            str(tmp_path / "waves.csv"),
            "--invalid",
            "missing",
            "-o",
            str(tmp_path / "r.html"),
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "30 rows read: 30 analysed, 0 left out" in err
    assert f"follow-up: {len(waves)} rows read, {len(waves) - 1} kept, 1 left out" in err
    assert main(["report", "--followup", str(tmp_path / "waves.csv")]) != 0


def test_waves_not_yet_run_for_a_small_intake_do_not_give_its_size_away():
    # a trap: the latest intake holds 2 women and has not reached the 24-month wave, so
    # "due at 6 months" minus "due at 24 months" among women would be 2
    frame = ma.simulate_cohort(
        60, cohorts=3, rng=11, effects={"mentor_secured_rate": 1.0, "missing_rate": 0.0}
    )
    latest = frame["cohort"] == frame["cohort"].max()
    women = frame.index[latest & (frame["gender"] == "woman")]
    frame.loc[women[2:], "gender"] = "man"
    assert (latest & (frame["gender"] == "woman")).sum() == 2
    waves = ma.simulate_waves(frame, months=(6, 12, 24), rng=11)
    late = waves["participant_id"].isin(set(frame.loc[latest, "participant_id"]))
    waves = waves[~(late & (waves["months"] == 24))]
    report = build_report(ma.load_cohort(frame, followup=waves), ReportOptions())
    careers = _section(report, "careers")
    if careers is None or careers.unavailable:
        return
    response = _tables(careers)["followup_response"].frame
    for group in ("woman", "man"):
        due = response.xs(group, level="group")["n"].dropna()
        for a in due.index:
            for b in due.index:
                gap = abs(due[a] - due[b])
                assert gap == 0 or gap >= 5, (group, a, b, gap)


def test_an_empty_followup_file_is_a_clear_error(tmp_path, capsys):
    from mentoranalytics.cli import main

    ma.simulate_cohort(20, rng=1).to_csv(tmp_path / "cohort.csv", index=False)
    (tmp_path / "waves.csv").write_text("")
    args = [str(tmp_path / "cohort.csv"), "--followup", str(tmp_path / "waves.csv")]
    assert main(["report", *args, "-o", str(tmp_path / "r.html")]) == 1
    err = capsys.readouterr().err
    assert "The follow-up file cannot be read (waves.csv: The file is empty" in err
    assert "Traceback" not in err and "--followup" in err  # the advice repeats the option
    main(["validate", *args])
    out = capsys.readouterr()
    assert "waves.csv [empty_file]" in out.out + out.err


def test_the_promotion_sentence_gives_each_share_with_its_interval_and_n(sample_report):
    _, report = sample_report
    careers = _section(report, "careers")
    tables = _tables(careers)
    if "followup_promotion_test" not in tables:
        pytest.skip("the promotion curves are withheld in this sample")
    curve = tables["followup_promotion"].frame
    last = max(t for _, t in curve.index)
    text = next(b.text for b in careers.blocks if isinstance(b, Paragraph) and "By month" in b.text)
    found = re.findall(r"(\d+)% of (women|men) \(95% CI (\d+)% to (\d+)%, n = (\d+)\)", text)
    assert sorted(people for _, people, *_ in found) == ["men", "women"]
    for share, people, low, high, n in found:
        row = curve.loc[("woman" if people == "women" else "man", last)]
        assert f"{share}%" == f"{1 - row['survival']:.0%}"
        assert (f"{low}%", f"{high}%") == (f"{1 - row['ci_high']:.0%}", f"{1 - row['ci_low']:.0%}")
        assert int(n) >= 5  # a released basis: never a small group
