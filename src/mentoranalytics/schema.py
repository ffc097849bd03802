"""The canonical cohort schema: the single source of truth.

Every column, type, category (in a fixed order), ordinal scale with its labels and
value alias lives here.  The loader, the validator, the template writer, the codebook
and the charts all read from this module; nothing else hard-codes a category.

>>> SCHEMA["gender"].categories
('woman', 'man', 'non_binary', 'self_described', 'not_stated')
>>> normalise_value("Prefer not to say")
'prefer not to say'
>>> VALUE_ALIASES["gender"][normalise_value(" Male ")]
'man'
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["id", "string", "category", "ordinal", "bool", "count", "number"]

# --------------------------------------------------------------------------------------
# Scales and categories (fixed order: this is the order of every table and chart)
# --------------------------------------------------------------------------------------

LEVEL_LABELS: dict[int, str] = {
    1: "individual contributor",
    2: "team lead / experienced professional",
    3: "middle manager / senior specialist",
    4: "director / head of function",
    5: "executive / partner",
    6: "chief officer / board / owner of an established firm",
}

LIKERT_LABELS: dict[int, str] = {
    1: "very dissatisfied",
    2: "dissatisfied",
    3: "neither",
    4: "satisfied",
    5: "very satisfied",
}

GENDERS: tuple[str, ...] = ("woman", "man", "non_binary", "self_described", "not_stated")
EMPLOYMENT: tuple[str, ...] = ("employed", "self_employed", "other")
MENTOR_RELATIONS: tuple[str, ...] = (
    "line_manager",
    "same_organisation",
    "existing_contact",
    "introduced",
    "no_prior_tie",
)
#: Relations that count as "inside the existing network".
IN_NETWORK_RELATIONS: frozenset[str] = frozenset(MENTOR_RELATIONS[:3])
APPROACHES: tuple[str, ...] = (
    "assigned",
    "existing_relationship",
    "asked_in_person",
    "warm_introduction",
    "cold_approach",
)

#: Markers read as missing (compared after :func:`normalise_value`).
MISSING_MARKERS: frozenset[str] = frozenset({"", "na", "n a", "nan", "null", "none"})

TRUE_WORDS: frozenset[str] = frozenset({"yes", "y", "true", "t", "1"})
FALSE_WORDS: frozenset[str] = frozenset({"no", "n", "false", "f", "0"})


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Parameters
    ----------
    name : str
        Canonical snake_case name.
    kind : {"id", "string", "category", "ordinal", "bool", "count", "number"}
        ``ordinal`` columns hold integers ``minimum..maximum`` with ``labels``;
        ``count`` columns are integers >= 0; ``number`` columns are reals >= ``minimum``.
    description : str
        Codebook text.
    required : bool, default=False
        Only ``participant_id`` and ``gender`` are always required.
    categories : tuple of str, optional
        Allowed values of a ``category`` column, in display order.
    ordered : bool, default=False
        Whether the categories are ordered.
    minimum, maximum : float, optional
        Allowed range of numeric columns.
    labels : mapping, optional
        Labels of an ordinal scale.
    header_aliases : tuple of str
        Other header spellings recognised automatically (besides case, spaces and
        punctuation, which never matter).
    group : str
        Codebook section.
    allowed_text : str, optional
        Codebook text of the allowed values, when the kind's default does not fit.
    """

    name: str
    kind: Kind
    description: str
    required: bool = False
    categories: tuple[str, ...] | None = None
    ordered: bool = False
    minimum: float | None = None
    maximum: float | None = None
    labels: Mapping[int, str] | None = None
    header_aliases: tuple[str, ...] = ()
    group: str = "participant"
    derived_from: tuple[str, ...] = field(default=())
    allowed_text: str | None = None

    @property
    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.allowed_text is not None:
            return self.allowed_text
        if self.kind == "category" and self.categories:
            return ", ".join(self.categories)
        if self.kind == "ordinal":
            return f"whole numbers {int(self.minimum or 0)}-{int(self.maximum or 0)}"
        if self.kind == "bool":
            return "yes/no, y/n, true/false, 1/0 (any case)"
        if self.kind == "count":
            return "whole number >= 0"
        if self.kind == "number":
            return f"number >= {self.minimum:g}" if self.minimum is not None else "number"
        if self.kind == "id":
            return "unique pseudonymous code (no names or e-mail addresses)"
        return "text"


_OUTCOME = "outcome"
_MENTOR = "mentor"

COLUMNS: tuple[Column, ...] = (
    Column(
        "participant_id",
        "id",
        "Pseudonymous participant code, unique.",
        required=True,
        header_aliases=("id", "participant", "participant code", "pseudonym", "code"),
    ),
    Column(
        "cohort",
        "string",
        "Intake label, e.g. 2019. Absent: one cohort 'all'.",
        header_aliases=("intake", "year", "cohort year", "intake year"),
    ),
    Column(
        "gender",
        "category",
        "Participant's gender; 'not_stated' is a valid answer.",
        required=True,
        categories=GENDERS,
        header_aliases=("sex", "gender identity"),
    ),
    Column(
        "employment",
        "category",
        "Employment status during the programme.",
        categories=EMPLOYMENT,
        header_aliases=("employment status", "employment type"),
    ),
    Column(
        "participant_level",
        "ordinal",
        "Participant's seniority at the start (1-6).",
        minimum=1,
        maximum=6,
        labels=LEVEL_LABELS,
        header_aliases=("level", "seniority", "participant seniority", "grade"),
    ),
    Column(
        "mentor_secured",
        "bool",
        "A mentor was secured (derived when absent).",
        group=_MENTOR,
        header_aliases=("secured", "has mentor", "mentor found"),
    ),
    Column(
        "mentor_level",
        "ordinal",
        "Mentor's seniority on the same 1-6 scale.",
        minimum=1,
        maximum=6,
        labels=LEVEL_LABELS,
        group=_MENTOR,
        header_aliases=("mentor seniority",),
    ),
    Column(
        "mentor_relation",
        "category",
        "Tie to the mentor before the programme.",
        categories=MENTOR_RELATIONS,
        ordered=True,
        group=_MENTOR,
        header_aliases=("relation", "relationship", "mentor relationship"),
    ),
    Column(
        "mentor_in_network",
        "bool",
        "Mentor was inside the existing network (derived from mentor_relation).",
        group=_MENTOR,
        header_aliases=("in network", "inside network"),
    ),
    Column(
        "approach",
        "category",
        "How the mentor was approached.",
        categories=APPROACHES,
        group=_MENTOR,
        header_aliases=("approach type", "how approached", "mentor approach"),
    ),
    Column(
        "mentors_approached",
        "count",
        "Number of prospective mentors asked.",
        minimum=0,
        group=_MENTOR,
        header_aliases=("approached", "number approached"),
    ),
    Column(
        "refusals",
        "count",
        "Number of prospective mentors who declined.",
        minimum=0,
        group=_MENTOR,
        header_aliases=("declines", "number of refusals"),
    ),
    Column(
        "days_to_secure",
        "count",
        "Days from the challenge to a mentor agreeing.",
        minimum=0,
        group=_MENTOR,
        header_aliases=("days to mentor", "days"),
    ),
    Column(
        "mentor_gender",
        "category",
        "Mentor's gender.",
        categories=GENDERS,
        group=_MENTOR,
        header_aliases=("mentor sex",),
    ),
    Column(
        "goals_defined",
        "bool",
        "Participant wrote down a 'what/where next' and what success looks like.",
        header_aliases=("goals", "goals set"),
    ),
    Column("promoted", "bool", "Promoted during follow-up.", group=_OUTCOME),
    Column(
        "role_change",
        "bool",
        "Changed role during follow-up.",
        group=_OUTCOME,
        header_aliases=("changed role", "new role"),
    ),
    Column(
        "joined_mentor_organisation",
        "bool",
        "Joined the mentor's organisation.",
        group=_OUTCOME,
        header_aliases=(
            "joined mentor org",
            "joined mentor organization",
            "joined mentor organisation",
        ),
    ),
    Column(
        "in_contact_with_mentor",
        "bool",
        "Still in contact with the mentor.",
        group=_OUTCOME,
        header_aliases=("in contact", "still in contact"),
    ),
    Column(
        "completed_programme",
        "bool",
        "Completed the programme.",
        group=_OUTCOME,
        header_aliases=("completed", "completed program"),
    ),
    Column(
        "discussed_setbacks",
        "bool",
        "Felt able to raise a setback with the mentor.",
        group=_OUTCOME,
        header_aliases=("setbacks", "discussed setback"),
    ),
    Column(
        "level_after",
        "ordinal",
        "Seniority at follow-up (1-6).",
        minimum=1,
        maximum=6,
        labels=LEVEL_LABELS,
        group=_OUTCOME,
        header_aliases=("level at follow up",),
    ),
    Column(
        "career_satisfaction",
        "ordinal",
        "Career satisfaction, Likert 1-5.",
        minimum=1,
        maximum=5,
        labels=LIKERT_LABELS,
        group=_OUTCOME,
        header_aliases=("satisfaction",),
    ),
    Column(
        "followup_months",
        "number",
        "Months of follow-up since the programme.",
        minimum=0,
        group=_OUTCOME,
        header_aliases=("follow up", "followup", "months followed"),
    ),
    Column(
        "months_to_promotion",
        "number",
        "Months to promotion; empty when not promoted (censored at followup_months).",
        minimum=0,
        group=_OUTCOME,
        header_aliases=("time to promotion",),
    ),
)

SCHEMA: dict[str, Column] = {c.name: c for c in COLUMNS}
CANONICAL_COLUMNS: tuple[str, ...] = tuple(SCHEMA)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.required)

# --------------------------------------------------------------------------------------
# The follow-up record (long format: one row per participant per wave)
# --------------------------------------------------------------------------------------

_FOLLOWUP = "followup"

FOLLOWUP_COLUMNS: tuple[Column, ...] = (
    Column(
        "participant_id",
        "id",
        "Pseudonymous participant code; must be a participant_id of the cohort table.",
        required=True,
        allowed_text="a participant_id of the cohort table, once per wave",
        header_aliases=("id", "participant", "participant code", "pseudonym", "code"),
        group=_FOLLOWUP,
    ),
    Column(
        "months",
        "number",
        "Months since the programme at this wave (a numeric wave label such as "
        "'12', '12m' or '12 months' is read as months).",
        required=True,
        minimum=0,
        header_aliases=(
            "month",
            "months since programme",
            "months after programme",
            "followup months",
            "follow up months",
            "months of follow up",
        ),
        group=_FOLLOWUP,
    ),
    Column(
        "wave",
        "string",
        "The study's own label of the wave, e.g. '6-month survey'. Absent: derived from months.",
        header_aliases=("wave label", "survey", "timepoint", "time point"),
        group=_FOLLOWUP,
    ),
    Column(
        "responded",
        "bool",
        "The participant answered this wave. Absent: true when any outcome of the row is "
        "filled. A non-responding row has every outcome empty.",
        header_aliases=("response", "answered", "returned"),
        group=_FOLLOWUP,
    ),
    Column(
        "current_level",
        "ordinal",
        "Participant's seniority at this wave (same 1-6 scale as participant_level).",
        minimum=1,
        maximum=6,
        labels=LEVEL_LABELS,
        header_aliases=("level", "seniority", "current seniority", "level now", "grade"),
        group=_FOLLOWUP,
    ),
    Column(
        "promoted",
        "bool",
        "Promoted since the previous wave (since the programme, for the first wave).",
        header_aliases=("promoted since last wave", "promotion"),
        group=_FOLLOWUP,
    ),
    Column(
        "role_change",
        "bool",
        "Changed role since the previous wave.",
        header_aliases=("changed role", "new role"),
        group=_FOLLOWUP,
    ),
    Column(
        "employer_change",
        "bool",
        "Changed employer since the previous wave.",
        header_aliases=("changed employer", "new employer", "employer changed"),
        group=_FOLLOWUP,
    ),
    Column(
        "joined_mentor_organisation",
        "bool",
        "Now works in the mentor's organisation.",
        header_aliases=(
            "joined mentor org",
            "joined mentor organization",
            "joined mentor organisation",
        ),
        group=_FOLLOWUP,
    ),
    Column(
        "in_contact_with_mentor",
        "bool",
        "Still in contact with the mentor.",
        header_aliases=("in contact", "still in contact"),
        group=_FOLLOWUP,
    ),
    Column(
        "career_satisfaction",
        "ordinal",
        "Career satisfaction at this wave, Likert 1-5.",
        minimum=1,
        maximum=5,
        labels=LIKERT_LABELS,
        header_aliases=("satisfaction",),
        group=_FOLLOWUP,
    ),
)

FOLLOWUP_SCHEMA: dict[str, Column] = {c.name: c for c in FOLLOWUP_COLUMNS}
FOLLOWUP_CANONICAL_COLUMNS: tuple[str, ...] = tuple(FOLLOWUP_SCHEMA)
FOLLOWUP_REQUIRED_COLUMNS: tuple[str, ...] = tuple(c.name for c in FOLLOWUP_COLUMNS if c.required)
#: The answers of a wave: all empty on a non-responding row.
FOLLOWUP_OUTCOMES: tuple[str, ...] = (
    "current_level",
    "promoted",
    "role_change",
    "employer_change",
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "career_satisfaction",
)
#: Follow-up answers that exist only for participants with a mentor.
FOLLOWUP_WITH_MENTOR: frozenset[str] = frozenset(
    {"joined_mentor_organisation", "in_contact_with_mentor"}
)

#: Boolean outcomes analysed by default, in report order.
OUTCOMES: tuple[str, ...] = (
    "promoted",
    "role_change",
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "completed_programme",
    "discussed_setbacks",
)

#: One display label per analysed quantity, used in every table, sentence and chart
#: (:func:`display_label`).  Outcomes read as what happened to the participant.
DISPLAY_LABELS: dict[str, str] = {
    "employment": "Employment",
    "participant_level": "Level at the start",
    "goals_defined": "Defined their goals",
    "mentor_secured": "Secured a mentor",
    "outside_network": "Chose a mentor outside their network",
    "bold_choice": "Made a bold choice",
    "boldness_index": "Boldness index (0 safest to 1 boldest)",
    "seniority_gap": "Seniority gap (mentor level minus own level)",
    "reach": "Boldness component: reach",
    "distance": "Boldness component: distance",
    "initiation": "Boldness component: initiation",
    "days_to_secure": "Days to secure a mentor",
    "promoted": "Promoted",
    "role_change": "Changed role",
    "joined_mentor_organisation": "Joined the mentor's organisation",
    "in_contact_with_mentor": "Still in contact with the mentor",
    "completed_programme": "Completed the programme",
    "discussed_setbacks": "Felt able to raise a setback",
    "career_satisfaction": "Career satisfaction (1-5)",
    "level_change": "Change in level",
    "mentor_relation": "Mentor relation",
    "approach": "Approach",
    "months": "Months since the programme",
    "responded": "Answered the wave",
    "current_level": "Level at the wave",
    "employer_change": "Changed employer",
}

#: Quantities that exist only for participants with a mentor: their denominator is
#: "those with a mentor", not everyone.
WITH_MENTOR: frozenset[str] = frozenset(
    {
        "outside_network",
        "bold_choice",
        "boldness_index",
        "seniority_gap",
        "reach",
        "distance",
        "initiation",
        "days_to_secure",
        "joined_mentor_organisation",
        "in_contact_with_mentor",
        "discussed_setbacks",
        "mentor_relation",
        "approach",
    }
)


def display_label(column: str) -> str:
    """The one display label of a column (tables, sentences and charts all use it).

    >>> display_label("discussed_setbacks")
    'Felt able to raise a setback'
    >>> display_label("my_score")
    'My score'
    """
    name = str(column)
    if name in DISPLAY_LABELS:
        return DISPLAY_LABELS[name]
    col = SCHEMA.get(name)
    if col is not None:
        return col.description.split(" (")[0].split(";")[0].rstrip(".")
    return name.replace("_", " ").capitalize()


#: Derived columns added to ``Cohort.data`` (see :mod:`mentoranalytics.boldness`).
DERIVED_COLUMNS: dict[str, str] = {
    "seniority_gap": "mentor_level - participant_level",
    "level_change": "level_after - participant_level",
    "reach": "clip(seniority_gap, 0, 3) / 3",
    "distance": "from mentor_relation (0, .25, .5, .75, 1) or mentor_in_network (0 / 1)",
    "initiation": "from approach (existing 0, in person 1/3, warm 2/3, cold 1; assigned: missing)",
    "boldness_index": "weighted mean of the available components",
    "boldness_components": "which components entered the index, e.g. 'reach+distance'",
    "bold_choice": "reach >= 2/3 and distance >= 0.75",
}

# --------------------------------------------------------------------------------------
# Value aliases (keys are normalised with normalise_value)
# --------------------------------------------------------------------------------------

_GENDER_ALIASES: dict[str, str] = {
    "woman": "woman",
    "women": "woman",
    "w": "woman",
    "f": "woman",
    "female": "woman",
    "girl": "woman",
    "fem": "woman",
    "man": "man",
    "men": "man",
    "m": "man",
    "male": "man",
    "non binary": "non_binary",
    "nonbinary": "non_binary",
    "nb": "non_binary",
    "enby": "non_binary",
    "genderqueer": "non_binary",
    "self described": "self_described",
    "self describe": "self_described",
    "prefer to self describe": "self_described",
    "other": "self_described",
    "not stated": "not_stated",
    "prefer not to say": "not_stated",
    "prefer not to answer": "not_stated",
    "rather not say": "not_stated",
    "declined": "not_stated",
    "not disclosed": "not_stated",
    "undisclosed": "not_stated",
}

_EMPLOYMENT_ALIASES: dict[str, str] = {
    "employed": "employed",
    "employee": "employed",
    "salaried": "employed",
    "self employed": "self_employed",
    "selfemployed": "self_employed",
    "freelance": "self_employed",
    "freelancer": "self_employed",
    "owner": "self_employed",
    "business owner": "self_employed",
    "contractor": "self_employed",
    "sole trader": "self_employed",
    "other": "other",
    "unemployed": "other",
    "retired": "other",
}

_RELATION_ALIASES: dict[str, str] = {
    "line manager": "line_manager",
    "manager": "line_manager",
    "boss": "line_manager",
    "same organisation": "same_organisation",
    "same organization": "same_organisation",
    "same org": "same_organisation",
    "colleague": "same_organisation",
    "existing contact": "existing_contact",
    "contact": "existing_contact",
    "known": "existing_contact",
    "network": "existing_contact",
    "introduced": "introduced",
    "introduction": "introduced",
    "warm introduction": "introduced",
    "no prior tie": "no_prior_tie",
    "no tie": "no_prior_tie",
    "stranger": "no_prior_tie",
    "cold": "no_prior_tie",
    "unknown before": "no_prior_tie",
}

_APPROACH_ALIASES: dict[str, str] = {
    "assigned": "assigned",
    "allocated": "assigned",
    "existing relationship": "existing_relationship",
    "existing": "existing_relationship",
    "asked in person": "asked_in_person",
    "in person": "asked_in_person",
    "warm introduction": "warm_introduction",
    "warm intro": "warm_introduction",
    "introduction": "warm_introduction",
    "introduced": "warm_introduction",
    "cold approach": "cold_approach",
    "cold": "cold_approach",
    "cold email": "cold_approach",
    "cold call": "cold_approach",
}


def _identity(categories: tuple[str, ...]) -> dict[str, str]:
    return {normalise_value(c): c for c in categories}


def normalise_value(value: object) -> str:
    """Normalise a raw cell for alias look-up: lower case, punctuation to spaces.

    >>> normalise_value("  Self-Employed ")
    'self employed'
    >>> normalise_value("N/A")
    'n a'
    """
    text = str(value).strip().lower()
    text = re.sub(r"[\s_\-/\\.,;:'\"()]+", " ", text)
    return text.strip()


def normalise_header(value: object) -> str:
    """Normalise a header for matching: case, spaces and punctuation never matter.

    >>> normalise_header(" Participant-ID ")
    'participantid'
    """
    return re.sub(r"[^0-9a-z]+", "", str(value).strip().lower())


def _build_value_aliases() -> dict[str, dict[str, str]]:
    raw = {
        "gender": _GENDER_ALIASES,
        "mentor_gender": _GENDER_ALIASES,
        "employment": _EMPLOYMENT_ALIASES,
        "mentor_relation": _RELATION_ALIASES,
        "approach": _APPROACH_ALIASES,
    }
    out: dict[str, dict[str, str]] = {}
    for name, aliases in raw.items():
        table = _identity(SCHEMA[name].categories or ())
        table.update({normalise_value(k): v for k, v in aliases.items()})
        out[name] = table
    return out


#: ``VALUE_ALIASES[column][normalise_value(raw)] -> canonical category``.
VALUE_ALIASES: dict[str, dict[str, str]] = _build_value_aliases()


def _build_header_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for col in COLUMNS:
        table[normalise_header(col.name)] = col.name
        for alias in col.header_aliases:
            table.setdefault(normalise_header(alias), col.name)
    return table


#: ``HEADER_ALIASES[normalise_header(raw header)] -> canonical column``.
HEADER_ALIASES: dict[str, str] = _build_header_aliases()


def _build_followup_header_aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for col in FOLLOWUP_COLUMNS:
        table[normalise_header(col.name)] = col.name
        for alias in col.header_aliases:
            table.setdefault(normalise_header(alias), col.name)
    return table


#: Header aliases of the follow-up record (``normalise_header(raw) -> canonical``).
FOLLOWUP_HEADER_ALIASES: dict[str, str] = _build_followup_header_aliases()

Table = Literal["cohort", "followup"]


def table_columns(table: Table = "cohort") -> tuple[Column, ...]:
    """The columns of one of the two tables.

    >>> [c.name for c in table_columns("followup")][:3]
    ['participant_id', 'months', 'wave']
    """
    if table == "cohort":
        return COLUMNS
    if table == "followup":
        return FOLLOWUP_COLUMNS
    raise ValueError(f"table must be 'cohort' or 'followup', not {table!r}.")


# --------------------------------------------------------------------------------------
# Codebook
# --------------------------------------------------------------------------------------


def codebook(table: Table = "cohort") -> list[dict[str, str]]:
    """The codebook as a list of records (column, type, required, allowed, meaning).

    Parameters
    ----------
    table : {"cohort", "followup"}, default="cohort"
        The cohort table (one row per participant) or the follow-up table (one row
        per participant per wave).

    >>> codebook()[0]["column"]
    'participant_id'
    >>> codebook("followup")[1]["column"]
    'months'
    """
    rows = []
    for col in table_columns(table):
        allowed = col.allowed
        if col.labels:
            allowed += " (" + "; ".join(f"{k} {v}" for k, v in col.labels.items()) + ")"
        rows.append(
            {
                "column": col.name,
                "type": col.kind,
                "required": "yes" if col.required else "no",
                "allowed": allowed,
                "meaning": col.description,
            }
        )
    return rows


def render_codebook(
    fmt: Literal["text", "markdown", "csv"] = "text", table: Table = "cohort"
) -> str:
    """Render the codebook as plain text, Markdown or CSV.

    ``table="followup"`` renders the follow-up record (no derived columns).

    >>> print(render_codebook("csv").splitlines()[0])
    column,type,required,allowed,meaning
    >>> "months" in render_codebook("text", table="followup")
    True
    """
    rows = codebook(table)
    derived = DERIVED_COLUMNS if table == "cohort" else {}
    keys = list(rows[0])
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
        for r in rows:
            lines.append("| " + " | ".join(r[k].replace("|", "\\|") for k in keys) + " |")
        if derived:
            lines.append("")
            lines.append("Derived columns:")
            lines.append("")
            lines.extend(f"* `{k}` = {v}" for k, v in derived.items())
        return "\n".join(lines) + "\n"
    if fmt != "text":
        raise ValueError(f"format must be 'text', 'markdown' or 'csv', not {fmt!r}.")
    out = []
    for r in rows:
        req = " (required)" if r["required"] == "yes" else ""
        out.append(
            f"{r['column']}{req} [{r['type']}]\n    {r['meaning']}\n    allowed: {r['allowed']}"
        )
    if derived:
        out.append("derived:\n" + "\n".join(f"    {k} = {v}" for k, v in derived.items()))
    return "\n".join(out) + "\n"
