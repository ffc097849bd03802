"""Everything the attacks know about the report's structure, in one place.

An auditor reads a report knowing what its tables mean: which rows and columns count
which people, which sentences carry which numbers, what each chart draws.  This module
turns a :class:`~bundle.Published` bundle into *facts* about populations
(:mod:`targets`): counts, sums, rates with their intervals, effects, pooled estimates,
group summaries, and the marks of the figures.  When the report renames a table or
rewords a sentence, only this module changes.

Where a table is not published, it yields no fact; where a label is not understood,
the cell is skipped (never guessed).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mentoranalytics import schema

from .bundle import Published, SvgAxes, SvgFigure, parse_number
from .targets import Pop, join, pop

# ---------------------------------------------------------------------------------------
# labels
# ---------------------------------------------------------------------------------------

OTHER_LABEL = "other or not stated"

#: Plural people-words of the sentences ("women") -> group label ("woman").
PEOPLE = {
    "women": "woman",
    "men": "man",
    "non-binary participants": "non binary",
    "participants who self-described": "self described",
    "participants who did not state a gender": "not stated",
    "participants of another or unstated gender": OTHER_LABEL,
}

#: Columns whose value exists only for participants with a mentor (codebook).
MENTOR_ONLY = (
    "mentor_level",
    "mentor_relation",
    "mentor_in_network",
    "approach",
    "days_to_secure",
    "mentor_gender",
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "discussed_setbacks",
)

#: Rate tables of the boldness section count participants with a mentor.
MENTOR_BASE_OUTCOMES = ("outside_network", "bold_choice")

#: Discrete domains of the boldness components (for snapping chart positions).
COMPONENT_DOMAINS = {
    "reach": (0.0, 1 / 3, 2 / 3, 1.0),
    "distance": (0.0, 0.25, 0.5, 0.75, 1.0),
    "initiation": (0.0, 1 / 3, 2 / 3, 1.0),
}


#: Axis conventions of the charts (what a limit beyond the fixed domain gives away).
#: The seniority chart's y axis spans the fixed domain, stretched to the data when a
#: value lies beyond it, plus a pad; the Kaplan-Meier x axis ends a margin (a share of
#: the span from 0) after the last time or the last tick, whichever is later.
SENIORITY_DOMAIN = (-5.0, 5.0)
SENIORITY_PAD = 0.6
KM_X_MARGIN = 0.07


def gender_of(label: str) -> str:
    return label.strip().replace(" ", "_")


def value_of(column: str, label: str) -> Any:
    """A row label back to the column's value ('yes' -> True, '3 middle manager...' -> 3)."""
    text = str(label).strip()
    spec = schema.SCHEMA.get(column)
    kind = getattr(spec, "kind", "")
    if text in ("yes", "True", "true"):
        return True
    if text in ("no", "False", "false"):
        return False
    if column in ("participant_level", "mentor_level", "level_after") or kind == "ordinal":
        m = re.match(r"^(\d+)", text)
        if m:
            return int(m.group(1))
    if column == "cohort":
        return text
    return text.replace(" ", "_")


def outcome_of(name: str) -> str:
    """The column of a rates/gaps table name ('secured' -> 'mentor_secured')."""
    return {"secured": "mentor_secured"}.get(name, name)


def numbers(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return parse_number(str(value))


def tolerance(value: float | None) -> float:
    """Half a unit of the last printed digit (full-precision floats: relative 1e-9)."""
    if value is None or not math.isfinite(value):
        return 0.0
    text = repr(float(value))
    if "e" in text:
        return abs(value) * 1e-9 + 1e-15
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    if decimals >= 7:
        return abs(value) * 1e-9 + 1e-12
    return 0.5 * 10.0 ** (-decimals) + 1e-12


# ---------------------------------------------------------------------------------------
# cells of the published tables
# ---------------------------------------------------------------------------------------


@dataclass
class Table:
    name: str
    rows: list[str]
    cols: list[str]
    cells: dict[tuple[str, str], tuple[Any, bool]]
    notes: list[str] = field(default_factory=list)

    def get(self, row: str, col: str) -> tuple[Any, bool] | None:
        return self.cells.get((row, col))


def published_tables(pub: Published) -> dict[str, Table]:
    """Tables from the JSON records (full precision), filled in from the CSVs."""
    out: dict[str, Table] = {}
    for rec in pub.records:
        name = str(rec.get("table", ""))
        t = out.setdefault(name, Table(name, [], [], {}))
        row, col = str(rec.get("row")), str(rec.get("column"))
        if row not in t.rows:
            t.rows.append(row)
        if col not in t.cols:
            t.cols.append(col)
        t.cells[(row, col)] = (rec.get("value"), bool(rec.get("suppressed", False)))
    for name, frame in pub.tables.items():
        if name in out or frame.empty:
            continue
        t = out.setdefault(name, Table(name, [], [], {}))
        index = frame.columns[0]
        t.cols = [str(c) for c in frame.columns[1:]]
        for _, r in frame.iterrows():
            row = str(r[index])
            t.rows.append(row)
            for c in t.cols:
                cell = r[c]
                hidden = str(cell).strip().lower() == "suppressed"
                value = (
                    None
                    if hidden or cell == ""
                    else (numbers(cell) if numbers(cell) is not None else cell)
                )
                t.cells[(row, c)] = (value, hidden)
    _attach_notes(pub, out)
    return out


def _attach_notes(pub: Published, tables: dict[str, Table]) -> None:
    """Notes under each Markdown table, matched to the JSON tables by order and rows."""
    blocks = []
    lines = pub.markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            j = i + 2
            rows = []
            while j < len(lines) and lines[j].startswith("| "):
                rows.append(lines[j].split(" | ")[0].lstrip("| ").strip())
                j += 1
            notes = []
            k = j
            while k < len(lines) and (lines[k].startswith("- ") or not lines[k].strip()):
                if lines[k].startswith("- "):
                    notes.append(lines[k][2:].strip())
                k += 1
                if k < len(lines) and lines[k].strip() and not lines[k].startswith("- "):
                    break
            blocks.append((rows, notes))
            i = j
        else:
            i += 1
    # the Markdown writes the tables in the JSON's order: match them in turn by their rows
    order = list(tables)
    k = 0
    for rows, notes in blocks:
        labels = [r.replace("\\|", "|") for r in rows]
        for j in range(k, len(order)):
            if [str(r) for r in tables[order[j]].rows] == labels:
                tables[order[j]].notes = notes
                k = j + 1
                break


# ---------------------------------------------------------------------------------------
# the report's structure
# ---------------------------------------------------------------------------------------


@dataclass
class Group:
    label: str
    genders: frozenset[str]

    @property
    def pop(self) -> Pop:
        return pop(("gender", "in", self.genders))


@dataclass
class Structure:
    policy: str
    threshold: int
    rounding: int | None
    n_all: int | None
    breakdown: bool
    groups: list[Group]
    hidden_secured: list[str]
    source_label: str
    #: N as printed in the subtitle (``n_all`` is it when certainly exact, else None:
    #: a rounding policy rounds it, so a multiple of the base is only a range)
    n_printed: int | None = None

    @property
    def shown_genders(self) -> frozenset[str]:
        return frozenset(g for grp in self.groups for g in grp.genders)

    @property
    def R(self) -> Pop:
        """The reporting population (everyone in a shown group)."""
        return pop(("gender", "in", self.shown_genders)) if self.breakdown else ()

    @property
    def LEFT(self) -> Pop:
        return pop(("gender", "notin", self.shown_genders)) if self.breakdown else pop()

    @property
    def M(self) -> Pop:
        """Participants with a mentor in the sections about them."""
        shown = frozenset(
            g for grp in self.groups if grp.label not in self.hidden_secured for g in grp.genders
        )
        base = pop(("gender", "in", shown)) if self.breakdown else ()
        return join(base, pop(("mentor_secured", "eq", True)))

    def group(self, label: str) -> Group | None:
        label = label.strip()
        for g in self.groups:
            if g.label == label:
                return g
        return None


def report_text(pub: Published) -> str:
    return pub.markdown or pub.html_text


def structure(pub: Published, tables: dict[str, Table]) -> Structure:
    text = report_text(pub)
    policy = pub.policy
    threshold, rounding = 0, None
    m = re.search(r"counts of (?:0|1)-(\d+) suppressed", text)
    if m:
        threshold = int(m.group(1)) + 1
    m = re.search(r"rounded to the nearest (\d+)", text)
    if m:
        rounding = int(m.group(1))
    n_all = None
    source = ""
    m = re.search(r"(\d[\d,]*) participants in (\d+) cohorts?, from (.*?)\. Disclosure", text)
    if m:
        n_all = int(m.group(1).replace(",", ""))
        source = m.group(3)
    merged: frozenset[str] = frozenset()
    m = re.search(r"categories with few participants \(([^)]*)\) are shown together", text)
    if m:
        merged = frozenset(gender_of(x) for x in m.group(1).split(","))
    groups: list[Group] = []
    part = tables.get("participants")
    cols = [c for c in (part.cols if part else []) if c != "Total"]
    breakdown = bool(cols) and cols != ["all participants"]
    if breakdown:
        for c in cols:
            genders = merged if c == OTHER_LABEL else frozenset({gender_of(c)})
            groups.append(Group(c, genders))
    hidden: list[str] = []
    m = re.search(r"Not shown here: (.*?), because how many of them secured a mentor", text)
    if m:
        for word in m.group(1).split(", "):
            label = PEOPLE.get(word.strip())
            if label:
                hidden.append(label)
    printed = n_all
    if rounding and n_all is not None and n_all % rounding == 0:
        n_all = None  # rounded: only a range
    return Structure(policy, threshold, rounding, n_all, breakdown, groups, hidden, source, printed)


# ---------------------------------------------------------------------------------------
# facts
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountFact:
    """A published count of ``pop`` (``lo``..``hi`` when rounded; None when withheld)."""

    pop: Pop
    lo: int | None
    hi: int | None
    suppressed: bool
    source: str
    cell: tuple[str, str, str] | None = None  # (table, row, column)

    @property
    def exact(self) -> int | None:
        return self.lo if self.lo is not None and self.lo == self.hi else None


@dataclass(frozen=True)
class SumFact:
    var: str
    pop: Pop
    value: float | None
    suppressed: bool
    source: str


@dataclass
class RateFact:
    outcome: str
    base: Pop  # group population (the rate is among base & outcome notna)
    group: str
    n: CountFact
    events: CountFact
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    source: str


@dataclass
class EffectFact:
    outcome: str
    base: Pop
    group: str
    reference: str
    measure: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    source: str


@dataclass
class PooledFact:
    outcome: str
    base: Pop
    group: str
    reference: str
    strata: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    homogeneity_p_value: float | None
    n_strata_used: int | None
    source: str


@dataclass
class SummaryFact:
    var: str
    pop: Pop  # the group (values: var notna within it)
    n: int | None
    n_missing: int | None
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    suppressed: bool
    source: str


@dataclass
class ValueFact:
    """A single value printed about a population (e.g. 'promoted by month 34.5')."""

    kind: str  # "max", "min"
    var: str
    pop: Pop
    value: float
    source: str


@dataclass
class ClassFact:
    """A published 'all' or 'none' of a group."""

    pop: Pop
    var: str
    value: Any
    which: str  # "all" / "none"
    source: str


@dataclass(frozen=True)
class WeightedFact:
    """A published weighted count: sum over ``pop`` of ``weights[attr value]`` = ``total``
    (a group's mean of a score that is a code of a category, times its n)."""

    pop: Pop
    attr: str
    weights: tuple[tuple[Any, float], ...]
    total: float
    source: str


#: Boldness components as codes of a category (codebook).
COMPONENT_CODES = {
    "distance": (
        "mentor_relation",
        (
            ("line_manager", 0.0),
            ("same_organisation", 0.25),
            ("existing_contact", 0.5),
            ("introduced", 0.75),
            ("no_prior_tie", 1.0),
        ),
    ),
    "initiation": (
        "approach",
        (
            ("assigned", 0.0),
            ("existing_relationship", 0.0),
            ("asked_in_person", 1 / 3),
            ("warm_introduction", 2 / 3),
            ("cold_approach", 1.0),
        ),
    ),
}


@dataclass
class Facts:
    st: Structure
    tables: dict[str, Table]
    counts: list[CountFact] = field(default_factory=list)
    sums: list[SumFact] = field(default_factory=list)
    rates: list[RateFact] = field(default_factory=list)
    effects: list[EffectFact] = field(default_factory=list)
    pooled: list[PooledFact] = field(default_factory=list)
    summaries: list[SummaryFact] = field(default_factory=list)
    values: list[ValueFact] = field(default_factory=list)
    classes: list[ClassFact] = field(default_factory=list)
    weighted: list[WeightedFact] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (where, text)
    figs: Any = None  # FigureFacts


def _exact_columns(t: Table, rounding: int | None) -> set[str]:
    """Columns whose counts are certainly exact (a value that is no multiple of the base)."""
    if not rounding:
        return set(t.cols)
    out = set()
    for (_, c), (v, hidden) in t.cells.items():
        x = numbers(v)
        if not hidden and x is not None and float(x).is_integer() and int(x) % rounding:
            out.add(c)
    return out


def _count(
    st: Structure, t: Table, row: str, col: str, p: Pop, exact_cols: set[str]
) -> CountFact | None:
    cell = t.get(row, col)
    if cell is None:
        return None
    value, hidden = cell
    src = f"{t.name}[{row} / {col}]"
    where = (t.name, row, col)
    if hidden:
        return CountFact(p, None, None, True, src, where)
    x = numbers(value)
    if x is None or not float(x).is_integer():
        return None
    x = int(x)
    if st.rounding and col not in exact_cols:
        half = st.rounding // 2
        return CountFact(p, max(0, x - half), x + (st.rounding - 1 - half), False, src, where)
    return CountFact(p, x, x, False, src, where)


def _rounded(p: Pop, x: int, rounding: int | None, src: str) -> CountFact:
    """A count printed under a rounding policy: exact when it is no multiple of the base
    (rounding never prints one), else anything that rounds to it."""
    if rounding and x % rounding == 0:
        half = rounding // 2
        return CountFact(p, max(0, x - half), x + (rounding - 1 - half), False, src)
    return CountFact(p, x, x, False, src)


def _group_pop(st: Structure, label: str) -> Pop | None:
    if not st.breakdown:
        return () if label in ("all participants", "all") else None
    g = st.group(label)
    return g.pop if g else None


def build_facts(pub: Published) -> Facts:
    tables = published_tables(pub)
    st = structure(pub, tables)
    f = Facts(st, tables)
    if st.n_printed is not None:
        f.counts.append(_rounded((), st.n_printed, st.rounding, "subtitle N"))
    for name, t in tables.items():
        exact = _exact_columns(t, st.rounding)
        if name == "participants" or name.startswith("overview_"):
            var = "cohort" if name == "participants" else name[len("overview_") :]
            _count_table(f, t, var, st.R, exact, col_var=None)
        elif name.endswith("_counts"):
            var = name[: -len("_counts")]
            _count_table(f, t, var, st.M, exact, col_var=None, require_notna=True)
        elif name.startswith("cohort_") and name != "cohort_by_cohort":
            outcome = name[len("cohort_") :]
            base = join(st.R, pop((outcome, "notna", None)))
            _count_table(f, t, "cohort", base, exact, col_var=outcome)
        elif name.endswith("_rates"):
            _rates(f, t, outcome_of(name[: -len("_rates")]), exact)
        elif name.endswith("_gaps"):
            _gaps(f, t, outcome_of(name[: -len("_gaps")]))
        elif name.endswith("_pooled"):
            _pooled(f, t, name[: -len("_pooled")])
        elif name.endswith("_summary"):
            _summary(f, t, name[: -len("_summary")])
        elif name == "approaches_refusals":
            _approaches(f, t)
        elif name == "km_median":
            _km_table(f, t)
        elif name == "missingness":
            _missingness(f, t, exact)
    _sentences(f, pub)
    _figures(f, pub)
    _weighted(f)
    return f


def _weighted(f: Facts) -> None:
    """Means of distance and initiation as weighted counts of relation and approach.

    Initiation is missing exactly when the approach is missing or 'assigned' (weight 0),
    so its sum is a weighted count of approaches.  Distance falls back on
    ``mentor_in_network`` when the relation is missing, so its mean is used only when
    the appendix shows the relation missing exactly where the network answer is.
    """
    known = {c.pop: c.exact for c in f.counts if c.exact is not None}
    rel_na = known.get(pop(("mentor_relation", "isna", None)))
    net_na = known.get(pop(("mentor_in_network", "isna", None)))
    for s in f.summaries:
        if s.var not in COMPONENT_CODES or s.mean is None or s.n is None:
            continue
        if s.var == "distance" and (rel_na is None or rel_na != net_na):
            continue
        attr, weights = COMPONENT_CODES[s.var]
        f.weighted.append(WeightedFact(s.pop, attr, weights, s.n * s.mean, s.source + " mean x n"))


def _count_table(
    f: Facts,
    t: Table,
    row_var: str,
    base: Pop,
    exact: set[str],
    *,
    col_var: str | None,
    require_notna: bool = False,
) -> None:
    st = f.st
    for row in t.rows:
        if row == "Total":
            rp: Pop = pop((row_var, "notna", None)) if require_notna else ()
        elif row == "missing":
            rp = pop((row_var, "isna", None))
        else:
            rp = pop((row_var, "eq", value_of(row_var, row)))
        for col in t.cols:
            if col_var is None:
                if col == "Total":
                    cp: Pop = ()
                else:
                    gp = _group_pop(st, col)
                    if gp is None:
                        continue
                    cp = gp
            else:
                cp = () if col == "Total" else pop((col_var, "eq", value_of(col_var, col)))
            fact = _count(st, t, row, col, join(base, rp, cp), exact)
            if fact is not None:
                f.counts.append(fact)


def _rate_base(st: Structure, outcome: str) -> Pop:
    return st.M if outcome in MENTOR_BASE_OUTCOMES else st.R


def _rates(f: Facts, t: Table, outcome: str, exact: set[str]) -> None:
    st = f.st
    base = _rate_base(st, outcome)
    for row in t.rows:
        gp = _group_pop(st, row)
        if gp is None:
            continue
        gbase = join(base, gp)
        n = _count(st, t, row, "n", join(gbase, pop((outcome, "notna", None))), exact)
        e = _count(st, t, row, "events", join(gbase, pop((outcome, "eq", True))), exact)
        if n is None or e is None:
            continue
        vals = {
            c: numbers(t.get(row, c)[0]) if t.get(row, c) else None
            for c in ("rate", "ci_low", "ci_high")
        }
        f.counts += [n, e]
        f.rates.append(
            RateFact(
                outcome,
                gbase,
                row,
                n,
                e,
                vals["rate"],
                vals["ci_low"],
                vals["ci_high"],
                f"{t.name}[{row}]",
            )
        )
        if n.exact and e.exact is not None and not n.suppressed and n.exact > 0:
            if e.exact in (0, n.exact):
                f.classes.append(
                    ClassFact(
                        join(gbase, pop((outcome, "notna", None))),
                        outcome,
                        True,
                        "none" if e.exact == 0 else "all",
                        f"{t.name}[{row}]",
                    )
                )
    for note in t.notes:
        m = re.match(r"(\d+) row\(s\) with missing '(\w+)' left out", note)
        if m:
            p = join(base, pop((m.group(2), "isna", None)))
            f.counts.append(CountFact(p, int(m.group(1)), int(m.group(1)), False, f"{t.name} note"))


def _cell_value(t: Table, row: str, col: str) -> float | None:
    """A published number of a table (None when withheld or absent)."""
    cell = t.get(row, col)
    return None if cell is None or cell[1] else numbers(cell[0])


_VS = re.compile(r"^(?P<g>.+?) vs (?P<r>.+?)(?:: (?P<m>.+))?$")


def _gaps(f: Facts, t: Table, outcome: str) -> None:
    st = f.st
    base = _rate_base(st, outcome)
    for row in t.rows:
        m = _VS.match(row)
        if not m:
            continue
        cell = {c: t.get(row, c) for c in ("estimate", "ci_low", "ci_high", "p_value")}
        if any(v is None or v[1] for v in cell.values()):
            continue
        f.effects.append(
            EffectFact(
                outcome,
                base,
                m.group("g"),
                m.group("r"),
                (m.group("m") or "").replace(" ", "_"),
                numbers(cell["estimate"][0]),
                numbers(cell["ci_low"][0]),
                numbers(cell["ci_high"][0]),
                numbers(cell["p_value"][0]),
                f"{t.name}[{row}]",
            )
        )


def _pooled(f: Facts, t: Table, outcome: str) -> None:
    st = f.st
    base = _rate_base(st, outcome)
    for row in t.rows:
        m = _VS.match(row)
        if not m:
            continue

        def val(c: str, row: str = row) -> float | None:
            return _cell_value(t, row, c)

        used = val("n_strata_used")
        f.pooled.append(
            PooledFact(
                outcome,
                base,
                m.group("g"),
                m.group("r"),
                "cohort",
                val("estimate"),
                val("ci_low"),
                val("ci_high"),
                val("p_value"),
                val("homogeneity_p_value"),
                None if used is None else int(used),
                f"{t.name}[{row}]",
            )
        )


def _summary(f: Facts, t: Table, var: str) -> None:
    st = f.st
    for row in t.rows:
        gp = _group_pop(st, row)
        if gp is None:
            continue
        p = join(st.M, gp)

        def val(c: str, row: str = row) -> float | None:
            return _cell_value(t, row, c)

        hidden = any(v[1] for (r, _), v in t.cells.items() if r == row)
        n, miss = val("n"), val("n_missing")
        f.summaries.append(
            SummaryFact(
                var,
                p,
                None if n is None else int(n),
                None if miss is None else int(miss),
                val("mean"),
                val("sd"),
                val("median"),
                val("q1"),
                val("q3"),
                hidden,
                f"{t.name}[{row}]",
            )
        )
        for col, cond in (("n", "notna"), ("n_missing", "isna")):
            fact = _count(st, t, row, col, join(p, pop((var, cond, None))), set(t.cols))
            if fact is not None:
                f.counts.append(fact)


def _approaches(f: Facts, t: Table) -> None:
    st = f.st
    for row in t.rows:
        gp = _group_pop(st, row)
        if gp is None:
            continue
        p = join(st.M, gp, pop(("mentors_approached", "notna", None), ("refusals", "notna", None)))
        fact = _count(st, t, row, "participants", p, set(t.cols))
        if fact is not None:
            f.counts.append(fact)
        for var in ("mentors_approached", "refusals"):
            cell = t.get(row, var)
            if cell is not None:
                f.sums.append(
                    SumFact(
                        var, p, None if cell[1] else numbers(cell[0]), cell[1], f"{t.name}[{row}]"
                    )
                )


def _km_table(f: Facts, t: Table) -> None:
    st = f.st
    for row in t.rows:
        gp = _group_pop(st, row)
        if gp is None:
            continue
        p = join(st.R, gp, pop(("promoted", "notna", None)))
        for col, extra in (
            ("n", ()),
            ("events", pop(("promoted", "eq", True))),
            ("censored", pop(("promoted", "eq", False))),
        ):
            fact = _count(st, t, row, col, join(p, extra), set(t.cols))
            if fact is not None:
                f.counts.append(fact)


def _missingness(f: Facts, t: Table, exact: set[str]) -> None:
    """The appendix counts the participants shown in the report (the reporting
    population: everyone in a shown group, or everyone without a breakdown)."""
    st = f.st
    n_all = st.n_all  # the subtitle counts only the people shown: the same population
    for row in t.rows:
        if row not in schema.SCHEMA:
            continue
        p = join(st.R, pop((row, "isna", None)))
        fact = _count(st, t, row, "missing", p, exact)  # rounded under rounding policies
        if fact is None:
            continue
        if fact.suppressed and n_all:
            # the percentage, when published, gives the count back
            cell = t.get(row, "percent")
            if cell is not None and not cell[1] and numbers(cell[0]) is not None:
                k = round(numbers(cell[0]) * n_all)
                fact = CountFact(p, k, k, False, f"{t.name}[{row} / percent]")
        f.counts.append(fact)


# ---------------------------------------------------------------------------------------
# sentences
# ---------------------------------------------------------------------------------------

_COMPARE = re.compile(
    r"(?P<what>[A-Z][\w ]+?): (?P<p1>\d+)% of (?P<g1>[\w -]+?) \(n=(?P<n1>\d+)\) vs "
    r"(?P<p2>\d+)% of (?P<g2>[\w -]+?) \(n=(?P<n2>\d+)\)"
)
_ROWS_READ = re.compile(r"(\d[\d,]*) rows read: (\d[\d,]*) analysed and (\d[\d,]*) excluded")
_PROMOTED_BY = re.compile(
    r"In group '(?P<g>[\w ]+)' everyone still followed had been promoted by month (?P<t>[\d.]+)"
)
_NOBODY = re.compile(r"Nobody in group '(?P<g>[\w ]+)' was promoted during follow-up")


#: Comparisons in words, with the counts: "Promoted: 39% of women (9 of 23) vs 35% of
#: men (8 of 23)", "the clearest gap is for 'Changed role': 52% of women (12 of 23)
#: against 22% of men (5 of 23)" (the label of the quantity before the colon) and
#: "19% of women with a mentor made a bold choice (4 of 21) against 5% of men (1 of 20)"
#: (the label in lower case after the group).
_PEOPLE_ALT = "|".join(re.escape(k) for k in sorted(PEOPLE, key=len, reverse=True))
_PAIR_TAIL = (
    r"\((?P<e1>\d+) of (?P<n1>\d+)\) (?:vs|against) (?P<p2>\d+)% of "
    rf"(?P<g2>{_PEOPLE_ALT})(?: with a mentor)? \((?P<e2>\d+) of (?P<n2>\d+)\)"
)
_PAIR_LABEL = re.compile(
    r"(?:'(?P<q>[A-Z][^:]*?)'|(?P<w>[A-Z][\w' ]+?)): (?P<p1>\d+)% of "
    rf"(?P<g1>{_PEOPLE_ALT})(?: with a mentor)? " + _PAIR_TAIL
)
_PAIR_INLINE = re.compile(
    rf"(?P<p1>\d+)% of (?P<g1>{_PEOPLE_ALT})(?: with a mentor)? (?P<v>[a-z][\w' ]+?) " + _PAIR_TAIL
)


def _outcome_from_words(what: str) -> str | None:
    text = what.strip().lower()
    for column in (*schema.SCHEMA, *MENTOR_BASE_OUTCOMES):
        if schema.display_label(column).lower() == text:
            return column
    key = text.replace(" ", "_")
    if key == "secured_a_mentor":
        return "mentor_secured"
    if key in schema.SCHEMA:
        return key
    return None


def _sentences(f: Facts, pub: Published) -> None:
    st = f.st
    text = report_text(pub)
    for para in [p.strip() for p in text.split("\n") if p.strip()]:
        f.texts.append(("report", para))
    for m in _ROWS_READ.finditer(text):
        k = int(m.group(2).replace(",", ""))
        f.counts.append(CountFact((), k, k, False, "rows read sentence"))
    for m in _COMPARE.finditer(text):
        outcome = _outcome_from_words(m.group("what"))
        if outcome is None:
            continue
        base = _rate_base(st, outcome)
        for gi, pi, ni in (("g1", "p1", "n1"), ("g2", "p2", "n2")):
            label = PEOPLE.get(m.group(gi).strip())
            gp = _group_pop(st, label) if label else None
            if gp is None:
                continue
            n = int(m.group(ni))
            p = join(base, gp, pop((outcome, "notna", None)))
            f.counts.append(CountFact(p, n, n, False, f"sentence n={n}"))
            pct = int(m.group(pi))
            events = [
                e
                for e in range(n + 1)
                if round(100 * e / n + 1e-9) == pct or f"{100 * e / n:.0f}" == str(pct)
            ]
            if events:
                f.counts.append(
                    CountFact(
                        join(base, gp, pop((outcome, "eq", True))),
                        min(events),
                        max(events),
                        False,
                        f"sentence {pct}% of n={n}",
                    )
                )
    pairs = [(m, m.group("q") or m.group("w")) for m in _PAIR_LABEL.finditer(text)]
    pairs += [(m, m.group("v")) for m in _PAIR_INLINE.finditer(text)]
    for m, what in pairs:
        outcome = _outcome_from_words(what)
        if outcome is None:
            continue
        base = _rate_base(st, outcome)
        for gk, ek, nk in (("g1", "e1", "n1"), ("g2", "e2", "n2")):
            gp = _group_pop(st, PEOPLE[m.group(gk)])
            if gp is None:
                continue
            size, hits = int(m.group(nk)), int(m.group(ek))
            src = f"sentence {hits} of {size}"
            f.counts.append(
                CountFact(join(base, gp, pop((outcome, "notna", None))), size, size, False, src)
            )
            f.counts.append(
                CountFact(join(base, gp, pop((outcome, "eq", True))), hits, hits, False, src)
            )
    for m in _PROMOTED_BY.finditer(text):
        gp = _group_pop(st, m.group("g").replace("_", " "))
        if gp is None:
            continue
        p = join(st.R, gp, pop(("promoted", "eq", True)))
        f.values.append(ValueFact("max", "months_to_promotion", p, float(m.group("t")), m.group(0)))
    for m in _NOBODY.finditer(text):
        gp = _group_pop(st, m.group("g").replace("_", " "))
        if gp is None:
            continue
        f.classes.append(
            ClassFact(
                join(st.R, gp, pop(("promoted", "notna", None))),
                "promoted",
                True,
                "none",
                m.group(0),
            )
        )


# ---------------------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------------------


@dataclass
class DotPanel:
    figure: str
    var: str
    group: str
    pop: Pop
    values: list[float]  # in drawn order
    n_label: int | None


@dataclass
class Whisker:
    figure: str
    var: str
    group: str
    pop: Pop
    low: float
    high: float


@dataclass
class KMCurve:
    group: str
    pop: Pop
    n: int | None
    steps: list[tuple[float, float]]  # (time, cumulative proportion) after each jump
    censor_times: list[float]
    x_right: float | None
    tick_max: float | None


@dataclass
class Bar:
    figure: str
    var: str
    group: str
    pop: Pop
    n: int | None
    shares: dict[str, float]  # category (or "suppressed") -> share


@dataclass
class FigureFacts:
    dots: list[DotPanel] = field(default_factory=list)
    whiskers: list[Whisker] = field(default_factory=list)
    km: list[KMCurve] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    counts: list[CountFact] = field(default_factory=list)
    extremes: list[ValueFact] = field(default_factory=list)


def _figures(f: Facts, pub: Published) -> None:
    f.figs = FigureFacts()
    for name, fig in pub.figures.items():
        for t in fig.texts:
            f.texts.append((f"figures/{name}.svg", t.text))
        if name == "km":
            _km_figure(f, fig)
        elif name in ("seniority_reach", "boldness_components"):
            _dot_figure(f, fig)
        elif name.endswith("_by_gender") and name.split("_by_")[0] in (
            "mentor_relation",
            "approach",
        ):
            _bar_figure(f, fig, name.split("_by_")[0])
        elif name == "outcome_rates":
            _rates_figure(f, fig)


def figure_facts(f: Facts) -> FigureFacts:
    if f.figs is None:
        f.figs = FigureFacts()
    return f.figs


def _gid(ids: Iterable[str], prefix: str) -> str | None:
    for i in ids:
        if i.startswith(prefix):
            return i
    return None


def _rates_figure(f: Facts, fig: SvgFigure) -> None:
    st = f.st
    ff = figure_facts(f)
    for t in fig.texts:
        gid = _gid(t.ids, "n:")
        m = re.fullmatch(r"(\d+)/(\d+)", t.text.strip())
        if not gid or not m:
            continue
        parts = gid.split(":")
        if len(parts) != 3:
            continue
        outcome, group = parts[1], parts[2].replace("_", " ")
        gp = _group_pop(st, group)
        if gp is None:
            continue
        base = join(_rate_base(st, outcome), gp)
        e, n = int(m.group(1)), int(m.group(2))
        src = f"figures/outcome_rates.svg {gid}"
        ff.counts.append(CountFact(join(base, pop((outcome, "notna", None))), n, n, False, src))
        ff.counts.append(CountFact(join(base, pop((outcome, "eq", True))), e, e, False, src))
        if n and e in (0, n):
            f.classes.append(
                ClassFact(
                    join(base, pop((outcome, "notna", None))),
                    outcome,
                    True,
                    "none" if e == 0 else "all",
                    src,
                )
            )


def _tick_groups(ticks: list[Any]) -> list[tuple[float, str, int | None]]:
    out = []
    for tk in ticks:
        lines = [s for s in tk.label.split("\n") if s.strip()]
        if not lines:
            continue
        n = None
        for line in lines:
            m = re.search(r"n = (\d+)", line)
            if m:
                n = int(m.group(1))
        name = " ".join(x for x in lines if not x.startswith("n ") and not x.startswith("("))
        out.append((tk.pos, name.strip(), n))
    return out


def _panel_var(fig: SvgFigure, ax: SvgAxes, index: int) -> str | None:
    if fig.name == "seniority_reach":
        return "seniority_gap"
    words = " ".join(
        t.text for t in ax.texts if not _gid(t.ids, "xtick_") and not _gid(t.ids, "ytick_")
    )
    for key, var in (
        ("Boldness index", "boldness_index"),
        ("Reach", "reach"),
        ("Distance", "distance"),
        ("Initiation", "initiation"),
    ):
        if key in words:
            return var
    order = ["boldness_index", "reach", "distance", "initiation"]
    return order[index] if index < len(order) else None


def _snap(var: str, value: float) -> float:
    if var == "seniority_gap":
        return float(round(value))
    dom = COMPONENT_DOMAINS.get(var)
    if dom:
        best = min(dom, key=lambda d: abs(d - value))
        return best if abs(best - value) < 0.02 else value
    # boldness index: a mean of thirds and quarters
    return round(value * 72) / 72 if abs(value * 72 - round(value * 72)) < 0.05 else value


def _dot_figure(f: Facts, fig: SvgFigure) -> None:
    st = f.st
    ff = figure_facts(f)
    for index, ax in enumerate(fig.axes):
        var = _panel_var(fig, ax, index)
        scale = ax.y_scale or _shared_y(fig, ax)
        if var is None or scale is None:
            continue

        def ydata(py: float, sc: tuple[float, float] = scale) -> float:
            return sc[0] * py + sc[1]

        ticks = _tick_groups(ax.xticks)
        if not ticks:
            continue
        marks: dict[str, list[Any]] = {}
        for u in ax.uses:
            if _gid(u.ids, "xtick_") or _gid(u.ids, "ytick_") or _gid(u.ids, "legend"):
                continue
            gid = _gid(u.ids, "dots:")
            if gid:
                label = gid.split(":", 1)[1].replace("_", " ")
            else:  # nearest group tick
                label = min(ticks, key=lambda tk: abs(tk[0] - u.x))[1]
            marks.setdefault(label, []).append(u)
        for pos, label, n in ticks:
            gp = _group_pop(st, label)
            if gp is None:
                continue
            p = join(st.M, gp)
            vals = [_snap(var, ydata(u.y)) for u in marks.get(label, [])]
            if vals or n is not None:
                ff.dots.append(DotPanel(fig.name, var, label, p, vals, n))
            if n is not None:
                ff.counts.append(
                    CountFact(
                        join(p, pop((var, "notna", None))),
                        n,
                        n,
                        False,
                        f"figures/{fig.name}.svg tick {label}",
                    )
                )
            # whiskers: vertical two-point lines at the group's position
            ends = []
            for path in ax.paths:
                if _gid(path.ids, "xtick_") or _gid(path.ids, "ytick_") or len(path.points) != 2:
                    continue
                (x0, y0), (x1, y1) = path.points
                if abs(x0 - x1) < 1e-6 and abs(x0 - pos) < 1e-3 and abs(y0 - y1) > 1e-6:
                    ends += [ydata(y0), ydata(y1)]
            if ends:
                ff.whiskers.append(
                    Whisker(fig.name, var, label, p, _snap(var, min(ends)), _snap(var, max(ends)))
                )


def _shared_y(fig: SvgFigure, ax: SvgAxes) -> tuple[float, float] | None:
    """The y scale of a panel sharing its y axis with a labelled one (same plot height)."""
    for other in fig.axes:
        if other is ax or other.y_scale is None or other.box is None or ax.box is None:
            continue
        if abs(other.box[1] - ax.box[1]) < 1e-3 and abs(other.box[3] - ax.box[3]) < 1e-3:
            return other.y_scale
    return None


def _bar_figure(f: Facts, fig: SvgFigure, var: str) -> None:
    st = f.st
    ff = figure_facts(f)
    for ax in fig.axes:
        scale = ax.x_scale
        if scale is None:
            continue
        ticks = _tick_groups(ax.yticks)
        for _, label, n in ticks:
            gp = _group_pop(st, label)
            if gp is None:
                continue
            p = join(st.M, gp)
            shares: dict[str, float] = {}
            for path in ax.paths:
                gid = _gid(path.ids, "bar:")
                if not gid:
                    continue
                _, group, cat = gid.split(":", 2)
                if group.replace("_", " ") != label or len(path.points) < 4:
                    continue
                xs = [q[0] for q in path.points]
                shares[cat] = abs(scale[0]) * (max(xs) - min(xs))
            ff.bars.append(Bar(fig.name, var, label, p, n, shares))
            if n is not None:
                ff.counts.append(
                    CountFact(
                        join(p, pop((var, "notna", None))),
                        n,
                        n,
                        False,
                        f"figures/{fig.name}.svg {label}",
                    )
                )
                for cat, share in shares.items():
                    k = share * n
                    if cat != "suppressed" and abs(k - round(k)) < 1e-3:
                        ff.counts.append(
                            CountFact(
                                join(p, pop((var, "eq", cat))),
                                round(k),
                                round(k),
                                False,
                                f"figures/{fig.name}.svg bar {label}:{cat}",
                            )
                        )


def _km_figure(f: Facts, fig: SvgFigure) -> None:
    st = f.st
    ff = figure_facts(f)
    for ax in fig.axes:
        xs, ys = ax.x_scale, ax.y_scale
        if xs is None or ys is None:
            continue
        legend_n: dict[str, int] = {}
        for t in fig.texts:
            m = re.fullmatch(r"(.+?) \(n = (\d+)\)", t.text.strip())
            if m:
                legend_n[m.group(1)] = int(m.group(2))
        tick_vals = [v for tk in ax.xticks if (v := parse_number(tk.label)) is not None]
        x_right = ax.x_data(ax.box[2]) if ax.box else None
        curves: dict[str, list[tuple[float, float]]] = {}
        for path in ax.paths:
            gid = _gid(path.ids, "curve:")
            if gid and len(path.points) >= 2:
                label = gid.split(":", 1)[1].replace("_", " ")
                curves[label] = [(ax.x_data(x), ax.y_data(y)) for x, y in path.points]
        censor: dict[str, list[float]] = {}
        for u in ax.uses:
            if _gid(u.ids, "xtick_") or _gid(u.ids, "ytick_") or _gid(u.ids, "legend"):
                continue
            t_u, y_u = ax.x_data(u.x), ax.y_data(u.y)
            for label, pts in curves.items():
                if any(abs(px - t_u) < 1e-6 and abs(py - y_u) < 1e-6 for px, py in pts):
                    censor.setdefault(label, []).append(t_u)
        for label, pts in curves.items():
            gp = _group_pop(st, label)
            if gp is None:
                continue
            steps = []
            for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
                if abs(x1 - x0) < 1e-6 and y1 - y0 > 1e-9:
                    steps.append((x1, y1))
            p = join(st.R, gp, pop(("promoted", "notna", None)))
            n = legend_n.get(label)
            if n is not None:
                ff.counts.append(CountFact(p, n, n, False, f"figures/km.svg legend {label}"))
            ff.km.append(
                KMCurve(
                    label,
                    p,
                    n,
                    steps,
                    sorted(censor.get(label, [])),
                    x_right,
                    max(tick_vals) if tick_vals else None,
                )
            )
        for t in ax.texts + [x for x in fig.texts if x not in ax.texts]:
            gid = _gid(t.ids, "at_risk:")
            if not gid:
                continue
            parts = gid.split(":")
            k = parse_number(t.text)
            gp = _group_pop(st, parts[1].replace("_", " "))
            if gp is None or k is None or len(parts) != 3:
                continue
            time = float(parts[2])
            p = join(st.R, gp, pop(("promoted", "notna", None), ("km_duration", "ge", time)))
            ff.counts.append(CountFact(p, int(k), int(k), False, f"figures/km.svg {gid}"))
