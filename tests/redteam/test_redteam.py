"""Red team: attack every design's report bundle from its published outputs only.

For each synthetic design (:mod:`designs`) and disclosure policy, the report bundle is
built as a user would (:mod:`bundle`), read back whole, and attacked (:mod:`attacks`);
the claims that are true and disclosive (:mod:`truth`) are recoveries.  The release
gate must leave none under ``standard``, ``ons`` and ``nhs``.  The controls prove that
the attacks have teeth: on the ``internal`` report, which publishes everything, the same
attacks recover the planted secrets, so a pass under the other policies is never
vacuous.

Before numbers (the code before the release gate, branch ``redteam``)
-----------------------------------------------------------------------
Values recovered exactly (true and disclosive; one per attack and target) from each
policy's bundle of all 9 designs, by attack and by design.  The ``standard``, ``ons``
and ``nhs`` columns are what the release gate must bring to zero; the ``internal``
column is the control (the report that publishes everything)::

    attack                standard       ons       nhs  internal
    published                   14         0         0       463
    differencing                14        17        17        26
    linear_programming         116         8         6       498
    inversion                   12        10        10        45
    summary_inversion           15         0         0        62
    class_disclosure            24         0         0        52
    figure_geometry            447        62        57       972
    text                        16        12        12        89
    total                      658       109       102      2207

    design (all attacks)      standard       ons       nhs  internal
    line_manager_man               105         3         3       421
    two_women_cohort               115         5         3       163
    all_promoted_women             104         2         2       150
    mentored_only_outcomes          27         2         2       166
    small_subgroups                114         3         3       157
    missing_values                 126         3         3       338
    name_as_cohort                   4         6         6       207
    small_cohort                     2         2         2       258
    programme_300                   61        83        78       347

Every design leaks under every policy today.  Under ``standard``: one dot per person in
the boldness and seniority charts (every value, the lone man with a line manager as the
only dot at distance 0, paired panels giving whole records), Kaplan-Meier steps (every
promotion time), whisker ends and axis limits (minimum and maximum), suppressed cells
refilled by LP (overview x outcome n x missing-values appendix), the left-out groups (N
minus the shown groups, and their promotions through the appendix's missing
``months_to_promotion``), the 2-woman cohort from the Mantel-Haenszel estimate, the
5-person ``days_to_secure`` summary inverted to its five values, refusals summing to
1, n_missing of 2, "20 of 20" and "0 of n" class disclosures, "promoted by month 22.3",
the input folder path in the subtitle, the name used as a cohort label and the
excluded rows' participant codes.  Under ``ons``/``nhs`` the 25-50 designs show no
breakdown, yet the path, the cohort-name label and the appendix's exact counts still
leak; on 300 people the rounded counts are undone by Wilson-interval and gap inversion
and the left-out 10 (3 promoted) are recovered.
"""

from __future__ import annotations

from collections import Counter

import pytest

from . import attacks, designs, truth
from .bundle import withheld

POLICIES = ("standard", "ons", "nhs")

#: Designs whose internal report is attacked in the fast suite (the others: slow).
FAST_CONTROLS = ("two_women_cohort", "mentored_only_outcomes")


def _design_params() -> list[object]:
    return [
        pytest.param(name, marks=pytest.mark.slow) if name in designs.SLOW else name
        for name in designs.REGISTRY
    ]


def _control_params() -> list[object]:
    return [
        name if name in FAST_CONTROLS else pytest.param(name, marks=pytest.mark.slow)
        for name in designs.REGISTRY
    ]


def _leaked(text: str, secrets: tuple[str, ...]) -> list[str]:
    """The planted secrets a text holds (names with spaces or underscores, any case)."""
    low = text.lower()
    return [
        s
        for s in secrets
        if s and any(v.lower() in low for v in (s, s.replace("_", " "), s.replace(" ", "_")))
    ]


def _bundle_or_refusal(redteam, name: str, policy: str) -> bool:
    """True when the design's bundle was built; for a design the loader must refuse,
    assert the refusal (exit code 1, nothing written, no secret in what was printed)
    and return False."""
    design = redteam.design(name)
    run = redteam.run(name, policy)
    if not design.refused:
        assert not run.refused, f"{name} under --privacy {policy}: exit {run.code}\n{run.stderr}"
        assert redteam.published(name, policy) is not None
        return True
    assert run.code == 1, f"{name} under --privacy {policy}: exit {run.code}, not refused"
    assert "personal data" in run.stderr.lower(), run.stderr
    for column in design.refused_columns:
        assert column in run.stderr, f"the refusal does not name the column {column!r}"
    assert not run.written(), f"a refused run wrote {run.written()}"
    assert not run.bundle.exists()
    assert redteam.published(name, policy) is None
    leaked = _leaked(run.stdout + run.stderr, design.secrets)
    assert not leaked, f"the refusal printed {leaked}"
    return False


def _report(recoveries: list[truth.Recovery], limit: int = 80) -> str:
    by_attack = Counter(r.attack for r in recoveries)
    lines = [f"{len(recoveries)} value(s) recovered: {dict(by_attack)}"]
    lines += [f"  {r}" for r in recoveries[:limit]]
    if len(recoveries) > limit:
        lines.append(f"  ... and {len(recoveries) - limit} more")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# the designs themselves
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _design_params())
def test_design_is_valid_and_planted(name: str) -> None:
    import warnings

    import mentoranalytics as ma

    design = designs.design(name)
    frame = design.frame
    assert design.slow == (name in designs.SLOW)
    assert 25 <= len(frame) <= 50 or len(frame) == 300
    if design.refused:  # a personal name in a schema column: the whole file is refused
        with pytest.raises(ma.PersonalDataError) as refusal:
            ma.load_cohort(frame.copy(), errors="exclude")
        assert not _leaked(str(refusal.value), design.secrets)
        for column in design.refused_columns:
            assert column in str(refusal.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ma.DataQualityWarning)  # the planted exclusions
        cohort = ma.load_cohort(
            frame.copy(), errors="exclude", allow_columns=list(design.refused_columns) or None
        )
    assert len(cohort.excluded) == design.excluded
    assert (len(cohort.problems) == 0) == (design.excluded == 0)
    # the same design twice: the same records (fixed seeds)
    again = designs.design(name).frame
    assert frame.equals(again)
    # survival columns: a time exactly for the promoted
    frame = frame.drop(index=frame.index[frame["participant_id"].isin(design.identifiers)])
    promoted = frame["promoted"].astype(bool)
    assert frame.loc[promoted, "months_to_promotion"].notna().all()
    assert frame.loc[~promoted, "months_to_promotion"].isna().all()
    # outcomes that exist only with a mentor
    no_mentor = ~frame["mentor_secured"].astype(bool)
    assert frame.loc[no_mentor, "in_contact_with_mentor"].isna().all()


def test_traps_are_planted() -> None:
    for name in ("line_manager_man", "mentored_only_outcomes"):
        d = designs.design(name).frame
        men = d[d["gender"] == "man"]
        assert (men["mentor_relation"] == "line_manager").sum() == 1
    d = designs.design("line_manager_man").frame
    assert d["gender"].isin(["non_binary", "not_stated"]).sum() == 5
    d = designs.design("two_women_cohort").frame
    assert ((d["cohort"] == "2021") & (d["gender"] == "woman")).sum() == 2
    d = designs.design("all_promoted_women").frame
    assert d.loc[d["gender"] == "woman", "promoted"].astype(bool).all()
    d = designs.design("small_subgroups").frame
    men = d[d["gender"] == "man"]
    assert men["days_to_secure"].notna().sum() == 5
    assert d.loc[d["gender"] == "woman", "refusals"].sum() == 1


# ---------------------------------------------------------------------------------------
# the release gate: nothing recovered
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name", _design_params())
def test_nothing_recovered(redteam, name: str, policy: str) -> None:
    if not _bundle_or_refusal(redteam, name, policy):
        return  # refused: nothing published, nothing printed
    recoveries = redteam.recoveries(name, policy)
    assert not recoveries, f"{name} under --privacy {policy}:\n" + _report(recoveries)


def _attack_model_does_not_apply(claim, policy: str, truth=None) -> bool:
    """Deductions that are wrong because the gate defeats the attack's model, not because a
    label was misread: under rounding policies every rate and interval is computed from the
    rounded counts, so inverting it gives the rounded counts, not the truth; outside
    internal the time-to-promotion chart is a life table over bands (its at-risk numbers
    and its n are band counts), which the Kaplan-Meier reading of the chart assumes it is
    not.  Such claims are false, so they recover nothing either way."""
    if claim.attack == "inversion" and policy in ("ons", "nhs"):
        return True
    if policy in ("ons", "nhs") and isinstance(claim.value, int | float) and truth is not None:
        # a count the report rounds (a chart's bars and their sum, the refusals table's
        # participants), read as exact: a multiple of 5 near the truth
        try:
            if float(claim.value) % 5 == 0 and abs(float(claim.value) - float(truth)) <= 10:
                return True
        except (TypeError, ValueError):
            pass
    if policy == "internal":
        return False
    return claim.attack == "figure_geometry" and claim.how.startswith("figures/km.svg")


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("name", _design_params())
def test_attacks_read_the_bundle_correctly(redteam, name: str, policy: str) -> None:
    """Every deduction an attack makes is true (whisker ends aside, which are only the
    extremes within 1.5 IQR): a misread label would silently weaken the attacks."""
    if not _bundle_or_refusal(redteam, name, policy):
        return  # refused: no bundle to read
    wrong = [
        (c, t)
        for c, t in redteam.false_claims(name, policy)
        if "whisker" not in c.how and not _attack_model_does_not_apply(c, policy, t)
    ]
    assert not wrong, "\n".join(
        f"{c.attack}: {c.target} = {c.value} (truth {t}) via {c.how}" for c, t in wrong[:30]
    )


# ---------------------------------------------------------------------------------------
# controls: the attacks have teeth
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _control_params())
def test_internal_report_gives_up_the_secrets(redteam, name: str) -> None:
    if not _bundle_or_refusal(redteam, name, "internal"):
        return  # the loader refuses the file whatever the policy
    recoveries = redteam.recoveries(name, "internal")
    assert recoveries, f"no attack recovered anything from {name}'s internal report"
    wrong = [(c, t) for c, t in redteam.false_claims(name, "internal") if "whisker" not in c.how]
    assert not wrong, "\n".join(
        f"{c.attack}: {c.target} = {c.value} (truth {t})" for c, t in wrong[:30]
    )


@pytest.mark.parametrize("attack", list(attacks.ATTACKS))
def test_every_attack_has_teeth(redteam, attack: str) -> None:
    """Each attack recovers planted secrets from an internal report."""
    found = []
    for name in FAST_CONTROLS:
        pub = redteam.published(name, "internal")
        assert pub is not None
        claims = [c for c in redteam.claims(name, "internal") if c.attack == attack]
        if attack == "inversion":  # give it withheld counts to find
            claims += attacks.run_attacks(withheld(pub, "_rates", ("n", "events")), [attack])
        found += redteam.recoveries(name, "internal", claims)
    assert found, f"{attack} recovered nothing from the internal reports of {FAST_CONTROLS}"


def test_planted_secrets_recovered_from_internal(redteam) -> None:
    """The headline traps, each found by the attack built for it."""

    def hit(name: str, attack: str, predicate) -> bool:
        return any(predicate(r) for r in redteam.recoveries(name, "internal") if r.attack == attack)

    # the one man whose mentor was his line manager: a dot at distance 0
    assert hit(
        "mentored_only_outcomes",
        "figure_geometry",
        lambda r: (
            r.target.kind == "count" and ("distance", "eq", 0.0) in r.target.pop and r.value == 1
        ),
    )
    # the 2-woman cohort: both women's choices from the Mantel-Haenszel estimate
    assert hit(
        "two_women_cohort",
        "inversion",
        lambda r: ("cohort", "eq", "2021") in r.target.pop and r.value == 2,
    )
    # outcomes defined only with a mentor: who has no mentor
    assert hit(
        "mentored_only_outcomes",
        "differencing",
        lambda r: ("mentor_secured", "eq", False) in r.target.pop and r.value in (2, 3),
    )
