"""ma.release: notebook outputs through one release gate, written as a checked output pack.

The cohort is built here: 30 people, a 2-person gender group (non_binary), a group in
which everyone shares an outcome (every woman completed the programme), and outputs
computed on the rows without the 2-person group (a left-out category that a count
table of everyone would give back by differencing).  The protection is proven by an
independent linear programme over the released CSV files only.
"""

from __future__ import annotations

import itertools
import re
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import mentoranalytics as ma
from mentoranalytics.exceptions import AnalysisError
from mentoranalytics.privacy import PackExistsError, mark_released
from mentoranalytics.privacy import gate as G
from mentoranalytics.privacy.gate import RULES, ReleaseGate

BANNER = "internal — contains small numbers"


def cohort30() -> pd.DataFrame:
    """12 women, 16 men, 2 non-binary people; every woman completed the programme."""
    gender = ["woman"] * 12 + ["man"] * 16 + ["non_binary"] * 2
    promoted = [True] * 5 + [False] * 7 + [True] * 8 + [False] * 8 + [True, False]
    completed = [True] * 12 + [True] * 12 + [False] * 4 + [True, True]
    days = [3, 8, 12, 20, 41, 7, 9, 15, 22, 30, 11, 14]
    days += [5, 6, 9, 13, 17, 21, 25, 28, 33, 4, 10, 16, 19, 23, 27, 31, 12, 18]
    sat = [4, 3, 5, 4, 2, 3, 4, 5, 3, 4, 4, 3, 3, 4, 2, 5, 4, 3, 3, 4, 5, 2, 3, 4, 4, 3, 5, 4]
    months = [6.0, 14.5, 20.0, 31.0, 44.0] + [np.nan] * 7
    months += [3.0, 9.5, 12.0, 18.0, 22.5, 27.0, 35.0, 40.0] + [np.nan] * 8 + [16.0, np.nan]
    df = pd.DataFrame(
        {
            "participant_id": [f"P{i:04d}" for i in range(30)],
            "gender": gender,
            "cohort": ["2019", "2020"] * 15,
            "employment": ["employed"] * 27 + ["other"] * 3,
            "promoted": promoted,
            "completed_programme": completed,
            "days_to_secure": np.array(days, dtype=float),
            "career_satisfaction": [*sat, 1, 5],
            "months_to_promotion": months,
            "followup_months": 48.0,
        }
    )
    df.loc[[3, 17], "days_to_secure"] = np.nan
    return df


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _outputs(df: pd.DataFrame) -> dict:
    import matplotlib.pyplot as plt

    sub = df[df["gender"] != "non_binary"]
    res = _quiet(ma.compare_rates, sub, "promoted", reference="man")
    chart = ma.release({"promotion": (res, sub)}, data=df).plot("promotion").figure
    raw, ax = plt.subplots()
    ax.scatter(df["days_to_secure"], df["career_satisfaction"])  # one dot per person
    return {
        "promotion": (res, sub),
        "counts": ("gender", "cohort"),
        "completion": (_quiet(ma.compare_rates, sub, "completed_programme", reference="man"), sub),
        "days": (_quiet(ma.compare_groups, sub, "days_to_secure", reference="man"), sub),
        "model": (_quiet(ma.outcome_model, sub, "promoted", "cohort"), sub),
        "model_cont": (_quiet(ma.outcome_model, sub, "promoted", ["days_to_secure"]), sub),
        "km": _quiet(ma.kaplan_meier, sub),
        "xtab": ma.suppress(pd.crosstab(df["cohort"], df["employment"])),
        "chart": chart,
        "raw_figure": raw,
        "note": "Promotion rates by gender, with Wilson intervals.",
        "note_number": "Three women were promoted early.",
        "logrank": _quiet(ma.logrank_test, sub),
    }


@pytest.fixture(scope="module")
def pack_dir(tmp_path_factory):
    import matplotlib.pyplot as plt

    df = cohort30()
    before = df.copy(deep=True)
    path = tmp_path_factory.mktemp("release") / "pack"
    pack = ma.release(_outputs(df), data=df, path=path)
    pd.testing.assert_frame_equal(df, before)  # the input is never modified
    plt.close("all")
    return pack, path


def _decisions(path) -> pd.DataFrame:
    return pd.read_csv(path / "decisions.csv", keep_default_na=False, dtype=str)


def _of(dec: pd.DataFrame, output: str, decision: str | None = None) -> pd.DataFrame:
    d = dec[dec["output"] == output]
    return d if decision is None else d[d["decision"] == decision]


# --------------------------------------------------------------------------------------
# What each output becomes
# --------------------------------------------------------------------------------------


def test_each_output_is_released_suppressed_or_withheld_by_its_rule(pack_dir):
    pack, path = pack_dir
    dec = _decisions(path)
    # the 2-person group: its cells fall under the threshold rule
    nb = _of(dec, "counts", "suppressed")
    assert set(nb[nb["item"].str.startswith("non_binary")]["rule"]) == {"SDC-1"}
    assert (pack.outputs["counts"].set_index("gender").loc["non_binary"] == "suppressed").all()
    # every woman completed the programme: class disclosure
    comp = _of(dec, "completion", "suppressed")
    assert set(comp[comp["item"].str.startswith("woman / ")]["rule"]) >= {"SDC-4"}
    assert (pack.outputs["completion"].set_index("gender").loc["woman", "events"]) == "suppressed"
    # models with a continuous predictor are withheld, with the reason
    row = _of(dec, "model_cont", "withheld").iloc[0]
    assert row["reason"] == (
        "a model with continuous predictors cannot be checked cell by cell: release it from "
        "an output checker"
    )
    # figures: one drawn from microdata, one from another release's numbers
    assert "SDC-10" in _of(dec, "raw_figure", "withheld")["reason"].iloc[0]
    assert "does not publish" in _of(dec, "chart", "withheld")["reason"].iloc[0]
    assert not (path / "figures").exists()
    # notes: released without numbers, withheld with them
    assert (path / "note.txt").read_text(encoding="utf-8").startswith("Promotion rates")
    assert not (path / "note_number.txt").exists()
    assert "count word" in _of(dec, "note_number", "withheld")["reason"].iloc[0]
    # an unknown kind of output names its type
    assert "LogrankResult" in _of(dec, "logrank", "withheld")["reason"].iloc[0]
    # summaries: never minimum or maximum; no n beside a suppressed count of missing values
    days = pd.read_csv(path / "days.csv", dtype=str)
    assert "min" not in days.columns and "max" not in days.columns
    assert set(days["n_missing"]) == {"suppressed"} and set(days["n"]) == {"suppressed"}
    assert _of(dec, "days", "withheld").query("item == 'min, max'")["rule"].tolist() == ["SDC-7"]
    # a Kaplan-Meier curve leaves only as a life table over fixed time bands
    km = _of(dec, "km")
    assert (km["rule"] == "SDC-9").any()
    km_csv = pd.read_csv(path / "km.csv")
    assert (km_csv["time"] % 6 == 0).all() and (km_csv["events"] >= 5).all()
    # the summary lists every output
    assert len(pack.summary()) == 13


def test_every_suppressed_or_withheld_item_has_a_rule_and_a_reason(pack_dir):
    _, path = pack_dir
    dec = _decisions(path)
    held = dec[dec["decision"].isin(["suppressed", "withheld"])]
    assert len(held) > 20
    assert held["rule"].isin(list(RULES)).all()
    assert (held["reason"].str.len() > 0).all()
    # every cell written as "suppressed" or "withheld" is explained in the log
    for csv in path.glob("*.csv"):
        if csv.name in ("decisions.csv", "audit.csv"):
            continue
        text = csv.read_text(encoding="utf-8")
        if "suppressed" in text or "withheld" in text:
            output = csv.name.split(".")[0]
            assert len(held[held["output"] == output]) > 0, csv.name


def test_the_joint_audit_passes_and_the_differencing_trap_was_closed(pack_dir):
    pack, path = pack_dir
    assert pack.audit.ok
    audit = pd.read_csv(path / "audit.csv")
    assert audit["safe"].all() and (audit["width"] >= 5).all()
    # the left-out 2-person group is protected jointly, and it took a rebuild
    assert audit["row"].astype(str).str.contains("gender=non_binary").any()
    assert pack.rounds >= 2
    last = _decisions(path).iloc[-1]
    assert (last["output"], last["decision"], last["rule"]) == ("(release)", "passed", "SDC-11")


# --------------------------------------------------------------------------------------
# The attack: linear programming over the released CSV files only
# --------------------------------------------------------------------------------------

GENDERS = ("woman", "man", "non_binary")
ATTRS = {
    "gender": GENDERS,
    "cohort": ("2019", "2020"),
    "promoted": ("yes", "no"),
    "completed": ("yes", "no"),
    "employment": ("employed", "other"),
    "days_missing": ("yes", "no"),
}
CELLS = list(itertools.product(*ATTRS.values()))


def _mask(**fixed: str) -> np.ndarray:
    names = list(ATTRS)
    return np.array(
        [all(c[names.index(k)] == v for k, v in fixed.items()) for c in CELLS], dtype=float
    )


def _value(v: str):
    return None if v in ("suppressed", "withheld", "") else float(v)


def _attack(path) -> tuple[list[tuple[np.ndarray, float]], list[tuple[str, np.ndarray]]]:
    """Every linear relation the released CSVs state, and every suppressed count."""
    eq: list[tuple[np.ndarray, float]] = []
    targets: list[tuple[str, np.ndarray]] = []

    def add(label: str, mask: np.ndarray, text: str) -> None:
        v = _value(text)
        if v is None:
            targets.append((label, mask))
        else:
            eq.append((mask, v))

    def read(name: str) -> pd.DataFrame | None:
        p = path / name
        return pd.read_csv(p, dtype=str, keep_default_na=False) if p.exists() else None

    for name, attr in (("promotion.csv", "promoted"), ("completion.csv", "completed")):
        t = read(name)
        for r in t.itertuples(index=False) if t is not None else ():
            add(f"{name}:{r.gender}:n", _mask(gender=r.gender), r.n)
            add(f"{name}:{r.gender}:events", _mask(gender=r.gender, **{attr: "yes"}), r.events)
    for name, rows, cols in (
        ("counts.csv", "gender", "cohort"),
        ("xtab.csv", "cohort", "employment"),
    ):
        t = read(name)
        for r in t.to_dict("records") if t is not None else ():
            for col, text in r.items():
                if col == rows:
                    continue
                fixed = {}
                if r[rows] != "Total":
                    fixed[rows] = r[rows]
                if col != "Total":
                    fixed[cols] = col
                add(f"{name}:{r[rows]}/{col}", _mask(**fixed), text)
    t = read("km.csv")
    for g, sub in t.groupby("gender") if t is not None else ():
        eq.append((_mask(gender=g, promoted="yes"), sub["events"].astype(float).sum()))
        eq.append((_mask(gender=g, promoted="no"), sub["censored"].astype(float).sum()))
    t = read("days.csv")
    for r in t.itertuples(index=False) if t is not None else ():
        add(f"days:{r.group}:missing", _mask(gender=r.group, days_missing="yes"), r.n_missing)
        add(f"days:{r.group}:n", _mask(gender=r.group, days_missing="no"), r.n)
    t = read("model.fit.csv")
    if t is not None:  # a saturated model gives its table back: assume the intruder has it
        sub = cohort30().query("gender != 'non_binary'")
        for (c, p), k in sub.groupby(["cohort", "promoted"]).size().items():
            both = _mask(cohort=c, promoted="yes" if p else "no")
            eq.append((both * (1 - _mask(gender="non_binary")), float(k)))
    targets.append(("left out: non_binary", _mask(gender="non_binary")))
    return eq, targets


def _lp_range(eq: list[tuple[np.ndarray, float]], target: np.ndarray) -> tuple[float, float]:
    a = np.vstack([m for m, _ in eq])
    b = np.array([v for _, v in eq])
    bounds = [(0, None)] * len(CELLS)
    lo = linprog(target, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    hi = linprog(-target, A_eq=a, b_eq=b, bounds=bounds, method="highs")
    assert lo.status == 0, "the released numbers are inconsistent"
    return float(lo.fun), (np.inf if hi.status == 3 else float(-hi.fun))


def _truth() -> np.ndarray:
    """The true count of every cell of the attacker's cross-classification."""
    df = cohort30()
    yn = {True: "yes", False: "no"}
    keys = zip(
        df["gender"],
        df["cohort"].astype(str),
        df["promoted"].map(yn),
        df["completed_programme"].map(yn),
        df["employment"].astype(str),
        df["days_to_secure"].isna().map(yn),
        strict=True,
    )
    counts = pd.Series(list(keys)).value_counts()
    return np.array([counts.get(c, 0) for c in CELLS], dtype=float)


def _assert_attack_fails(path, *, relations: int, targets: int) -> None:
    """No small suppressed count (1 to 4 people) is narrowed below 5 possible values.

    A suppressed count of 5 or more is a secondary cell: it only has to keep the small
    ones hidden, and recovering it discloses no small count (the gate's criterion)."""
    eq, aims = _attack(path)
    assert len(eq) >= relations and len(aims) >= targets
    eq = eq or [(np.zeros(len(CELLS)), 0.0)]
    truth = _truth()
    small = [(label, mask) for label, mask in aims if 0 < mask @ truth < 5]
    assert small, "the design must hold small suppressed counts"
    for label, mask in small:
        lo, hi = _lp_range(eq, mask)
        assert hi - lo >= 5, f"{label}: the released files narrow it to [{lo}, {hi}]"


def test_an_lp_attack_over_the_released_csvs_cannot_pin_a_suppressed_count(pack_dir):
    _, path = pack_dir
    # the traps leave little to publish: the repair suppressed whole tables
    _assert_attack_fails(path, relations=0, targets=20)


def test_the_attack_would_succeed_without_the_joint_audit():
    """The same attack on separately released outputs recovers the left-out group."""
    df = cohort30()
    sub = df[df["gender"] != "non_binary"]
    res = _quiet(ma.compare_rates, sub, "promoted", reference="man")
    a = ma.release({"promotion": (res, sub)}, data=df)
    b = ma.release({"counts": ("gender", "cohort")}, data=df)
    eq = []
    for r in a.outputs["promotion"].itertuples(index=False):
        eq.append((_mask(gender=r.gender), float(r.n)))
    total = b.outputs["counts"].set_index("gender").loc["Total", "Total"]
    eq.append((np.ones(len(CELLS)), float(total)))
    lo, hi = _lp_range(eq, _mask(gender="non_binary"))
    assert lo == hi == 2  # two releases, audited apart, single out the two people


# --------------------------------------------------------------------------------------
# What a clean release publishes
# --------------------------------------------------------------------------------------


def test_a_clean_release_publishes_rates_effects_model_life_table_and_its_charts(tmp_path):
    import matplotlib.pyplot as plt

    df = cohort30()
    sub = df[df["gender"] != "non_binary"]
    outputs = {
        "promotion": (_quiet(ma.compare_rates, sub, "promoted", reference="man"), sub),
        "model": (_quiet(ma.outcome_model, sub, "promoted", "cohort"), sub),
        "km": _quiet(ma.kaplan_meier, sub),
        "days": (_quiet(ma.compare_groups, sub, "days_to_secure", reference="man"), sub),
    }
    pack = ma.release(outputs, data=df, path=tmp_path / "first")
    _assert_attack_fails(tmp_path / "first", relations=8, targets=3)
    rates = pack.outputs["promotion"].set_index("gender")
    assert rates.loc["woman", ["n", "events"]].tolist() == [12, 5]
    assert rates.loc["woman", "rate"] == pytest.approx(5 / 12)
    lo, hi = ma.proportion_ci(5, 12)
    assert rates.loc["woman", "ci_low"] == pytest.approx(lo)
    eff = pack.outputs["promotion.effects"]
    rd = eff[eff["measure"] == "risk_difference"]["estimate"].iloc[0]
    assert rd == pytest.approx(5 / 12 - 8 / 16)
    assert "model" in pack.outputs and pack.outputs["model.fit"]["n"].iloc[0] == 28
    assert (pack.outputs["km"]["events"] >= 5).all()
    # charts drawn from this pack leave with the same outputs; one drawn on afterwards not
    chart = pack.plot("promotion").figure
    km_chart = pack.plot("km").figure
    spoiled = pack.plot("km").figure
    spoiled.axes[0].scatter([1, 2], [0.1, 0.2])
    again = ma.release(
        {**outputs, "chart": chart, "km_chart": km_chart, "spoiled": spoiled},
        data=df,
        path=tmp_path / "pack",
    )
    dec = again.decisions
    assert set(_of(dec, "chart")["decision"]) == {"released"}
    assert set(_of(dec, "km_chart")["decision"]) == {"released"}
    assert "drawn on after" in _of(dec, "spoiled", "withheld")["reason"].iloc[0]
    svg = (tmp_path / "pack" / "figures" / "chart.svg").read_text(encoding="utf-8")
    assert "5/12" in svg  # the released count, drawn
    with pytest.raises(AnalysisError, match="No chart for output 'model'"):
        again.plot("model")
    plt.close("all")


def test_a_rounding_policy_computes_every_statistic_from_the_rounded_counts():
    df = pd.DataFrame(
        {
            "gender": ["woman"] * 23 + ["man"] * 27,
            "promoted": [True] * 11 + [False] * 12 + [True] * 13 + [False] * 14,
        }
    )
    res = _quiet(ma.compare_rates, df, "promoted", reference="man")
    pack = ma.release({"p": res}, data=df, policy="ons")
    rates = pack.outputs["p"].set_index("gender")
    for g in ("woman", "man"):
        n, k = rates.loc[g, "n"], rates.loc[g, "events"]
        assert n % 5 == 0 and k % 5 == 0
        assert rates.loc[g, "rate"] == pytest.approx(k / n)
    # the effects are those of the rounded table, never of the exact one
    rounded = pd.DataFrame(
        {
            "gender": ["woman"] * 20 + ["man"] * 30,
            "promoted": [True] * 10 + [False] * 10 + [True] * 15 + [False] * 15,
        }
    )
    assert rates.loc["woman", ["n", "events"]].tolist() == [20, 10]
    expected = _quiet(ma.compare_rates, rounded, "promoted", reference="man").effects
    got = pack.outputs["p.effects"]
    np.testing.assert_allclose(got["estimate"].astype(float), expected["estimate"])
    assert (pack.decisions["rule"] == "SDC-3").any()


def test_table1_counts_go_through_gate_tables_and_summaries_through_the_summary_rules():
    df = cohort30()
    t1 = _quiet(ma.summary_table, df, variables=["employment", "days_to_secure"])
    pack = ma.release({"t1": t1}, data=df)
    assert pack.audit.ok
    long = pack.outputs["t1"]
    n = long[long["variable"] == "n"].set_index("group")["n"]
    assert n["non_binary"] == "suppressed" and n["man"] == 16
    emp = long[long["variable"] == "employment"].set_index(["level", "group"])
    assert emp.loc[("other", "non_binary"), "count"] == "suppressed"
    days = long[long["variable"] == "days_to_secure"].set_index("group")
    assert days.loc["non_binary", "mean"] == "withheld"
    assert isinstance(days.loc["man", "mean"], float)
    assert days.loc["man", "mean"] == pytest.approx(
        df.query("gender == 'man'")["days_to_secure"].mean()
    )
    dec = pack.decisions
    assert (dec["item"].str.startswith("employment:") & (dec["decision"] == "suppressed")).any()
    assert _of(dec, "t1").query("item == 'tests: employment'")["decision"].tolist() == ["withheld"]


def test_a_result_computed_on_other_rows_is_withheld():
    df = cohort30()
    sub = df[df["gender"] != "non_binary"]
    res = _quiet(ma.compare_rates, sub.iloc[:20], "promoted")
    pack = ma.release({"p": (res, sub)}, data=df)
    assert (
        "group sizes are not those of data="
        in _of(pack.decisions, "p", "withheld")["reason"].iloc[0]
    )
    assert "p" not in pack.outputs


# --------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------


def test_same_input_same_bytes_and_no_overwrite_without_permission(pack_dir, tmp_path):
    import matplotlib.pyplot as plt

    _, path = pack_dir
    df = cohort30()
    outputs = _outputs(df)
    again = tmp_path / "again"
    ma.release(outputs, data=df, path=again)
    files = sorted(p.relative_to(path) for p in path.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for f in files:
        assert (path / f).read_bytes() == (again / f).read_bytes(), f
    # a non-empty folder is never touched without overwrite=True
    stamp = (again / "README.md").stat().st_mtime_ns
    with pytest.raises(PackExistsError, match="overwrite=True"):
        ma.release({"note": "A note."}, data=df, path=again)
    assert (again / "README.md").stat().st_mtime_ns == stamp
    # overwrite=True replaces a pack, stale files included, but never another folder
    ma.release({"note": "A note."}, data=df, path=again, overwrite=True)
    assert not (again / "promotion.csv").exists() and (again / "note.txt").exists()
    other = tmp_path / "thesis"
    other.mkdir()
    (other / "chapter1.md").write_text("draft", encoding="utf-8")
    with pytest.raises(PackExistsError, match="holds no release pack"):
        ma.release({"note": "A note."}, data=df, path=other, overwrite=True)
    assert (other / "chapter1.md").read_text(encoding="utf-8") == "draft"
    plt.close("all")


def test_internal_releases_everything_and_every_file_says_so(tmp_path):
    import matplotlib.pyplot as plt

    df = cohort30()
    path = tmp_path / "internal"
    pack = ma.release(_outputs(df), data=df, policy="internal", path=path)
    plt.close("all")
    dec = pack.decisions
    held = dec[dec["decision"].isin(["suppressed", "withheld"])]
    assert set(held["output"]) == {"logrank"}  # only what no file can hold
    assert pack.outputs["counts"].set_index("gender").loc["non_binary", "Total"] == 2
    assert "min" in pack.outputs["days"].columns
    assert (path / "figures" / "raw_figure.svg").exists()
    assert (path / "note_number.txt").exists()
    for f in path.rglob("*"):
        if f.suffix in (".csv", ".md", ".txt", ".svg"):
            assert BANNER in f.read_text(encoding="utf-8").lower(), f.name
    with zipfile.ZipFile(path / "outputs.xlsx") as z:
        sheets = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    assert BANNER.upper() in sheets
    assert BANNER.upper() in pack._repr_html_()
    plt.close("all")


def test_bad_names_and_data_are_refused_clearly():
    df = cohort30()
    with pytest.raises(AnalysisError, match="cannot name a file"):
        ma.release({"../x": "note"}, data=df)
    with pytest.raises(AnalysisError, match="cannot name a file"):
        ma.release({"decisions": "note"}, data=df)
    with pytest.raises(AnalysisError, match="non-empty dict"):
        ma.release([("a", "b")], data=df)  # type: ignore[arg-type]
    with pytest.raises(AnalysisError, match="unique index"):
        ma.release({"n": "note"}, data=pd.concat([df, df]))


def test_mark_released_needs_a_figure():
    with pytest.raises(AnalysisError, match="Figure or Axes"):
        mark_released("not a figure")


# --------------------------------------------------------------------------------------
# Fixes to the gate found while building the release
# --------------------------------------------------------------------------------------


def test_gate_protects_the_n_of_a_summary_it_withholds():
    df = pd.DataFrame({"gender": ["woman"] * 12, "days": [3.0, 5, 8] + [np.nan] * 9})
    gate = ReleaseGate(df)
    gate.counts("n", {"woman": pd.Series(True, index=df.index), "missing": df["days"].isna()})
    assert "SDC-1" in gate.summary("days", df["days"])["n"]
    assert not gate.audit().ok  # 12 - 9 = 3 was not checked before the fix


def test_gate_class_disclosure_when_one_level_occurs_and_for_groups_in_columns():
    everyone = pd.DataFrame({"gender": ["woman"] * 10 + ["man"] * 10, "promoted": [True] * 20})
    t = ReleaseGate(everyone).table("t", everyone, "gender", "promoted", groups="rows")
    assert t.suppressed.to_numpy().all()  # "all 20 promoted" is not shown
    answered = pd.DataFrame(
        {
            "gender": ["woman"] * 10 + ["man"] * 10,
            "promoted": [True] * 8 + [None] * 2 + [True] * 5 + [False] * 5,
        }
    )
    t = ReleaseGate(answered).table("t", answered, "promoted", "gender", groups="columns")
    sup = t.suppressed
    assert sup.loc[False, "woman"] and sup.loc[True, "woman"]  # all who answered: promoted


def test_gate_repair_can_withhold_a_survival_curve_and_a_whole_summary():
    df = cohort30()
    sub = df[df["gender"] != "non_binary"]
    tte = sub.assign(
        duration=np.where(sub["promoted"], sub["months_to_promotion"], 48.0),
        event=sub["promoted"].astype(int),
    )

    def build(plan=None):
        gate = ReleaseGate(df, plan=plan)
        gate.table("p", df, "gender", "promoted", groups="rows")
        gate.survival("km", tte, duration="duration", event="event", by="gender")
        return gate

    gate = build()
    assert not gate.audit().ok  # a one-band life table is the women's row of "p"
    plan = gate.repair()
    assert plan is not None and any(w.startswith("km:") for w in plan.withhold)
    again = build(plan)
    assert again.audit().ok
    log = again.log()
    assert ((log["output"] == "km") & (log["rule"] == "SDC-11")).any()
    # a summary withheld by the repair is withheld whole, n included
    g2 = ReleaseGate(df, plan=G.GatePlan(withhold={"s"}))
    out = g2.summary("s", df["days_to_secure"].dropna())
    assert out["n"] and out["mean"]


def test_importing_the_package_stays_cheap():
    import subprocess
    import sys

    code = "import mentoranalytics as ma, sys; ma.release; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_decisions_name_outputs_and_items_plainly(pack_dir):
    _, path = pack_dir
    dec = _decisions(path)
    assert list(dec.columns) == ["output", "item", "decision", "rule", "reason"]
    assert not dec["output"].str.contains(":").any()
    assert not dec["reason"].str.contains(re.escape("P00")).any()  # never a participant code
