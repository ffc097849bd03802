"""What an attack can claim: populations, targets, claims and recoveries.

A *population* (:data:`Pop`) is a conjunction of conditions on the canonical (and
derived) columns, e.g. ``(("gender", "in", {"man"}), ("mentor_secured", "eq", False))``.
An attack states *claims*: "the count of this population is 3", "these are the five
values of ``days_to_secure`` of these people", "every woman was promoted".  Attacks never
see the microdata; :mod:`truth` checks each claim afterwards and keeps the true and
disclosive ones as :class:`Recovery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: A condition: (column, op, value) with op in eq, in, notin, isna, notna, ge.
Cond = tuple[str, str, Any]
Pop = tuple[Cond, ...]


def pop(*conds: Cond) -> Pop:
    """A population in canonical form (sorted, duplicates dropped, sets frozen)."""
    out = []
    sets: dict[str, frozenset[Any]] = {}
    excluded: dict[str, frozenset[Any]] = {}
    for column, op, value in conds:
        if op == "in":
            value = frozenset(value)
            sets[column] = sets[column] & value if column in sets else value
        elif op == "notin":
            excluded[column] = excluded.get(column, frozenset()) | frozenset(value)
        else:
            out.append((column, op, value))
    for column, value in sets.items():  # one set per column: (A & B) - C
        out.append((column, "in", value - excluded.pop(column, frozenset())))
    for column, value in excluded.items():
        out.append((column, "notin", value))
    # "x notna" is implied by any condition naming a value of x
    valued = {c for c, op, _ in out if op in ("eq", "in", "notin", "ge")}
    out = [c for c in out if not (c[1] == "notna" and c[0] in valued)]
    return tuple(sorted(set(out), key=lambda c: (c[0], c[1], repr(c[2]))))


def join(*pops: Pop) -> Pop:
    return pop(*(c for p in pops for c in p))


def describe(p: Pop) -> str:
    parts = []
    for column, op, value in p:
        if op == "eq":
            parts.append(f"{column}={value!r}")
        elif op in ("in", "notin"):
            parts.append(f"{column} {'in' if op == 'in' else 'not in'} {sorted(map(str, value))}")
        elif op == "ge":
            parts.append(f"{column}>={value!r}")
        else:
            parts.append(f"{column} {op}")
    return " & ".join(parts) or "everyone"


@dataclass(frozen=True)
class Target:
    """Something about the microdata an attacker may deduce.

    kind
        ``count`` (people in ``pop``), ``sum`` (of ``var`` over ``pop``), ``values``
        (sorted values of ``var`` in ``pop``; ``var`` may be a tuple of columns for
        whole records), ``extreme`` (``detail`` = "min"/"max" of ``var`` in ``pop``),
        ``class`` (whether all or none of ``pop`` have ``var == detail``) or
        ``identifier`` (a planted identifier appears in the bundle).
    suppressed
        The target was published as "suppressed" (any exact recovery discloses it).
    left_out
        The population lies in gender groups the report leaves out.
    rounded
        The count was published only rounded (an exact recovery undoes the rounding).
    """

    kind: str
    pop: Pop = ()
    var: Any = None
    detail: Any = None
    suppressed: bool = False
    left_out: bool = False
    rounded: bool = False
    label: str = ""

    def key(self) -> tuple[Any, ...]:
        return (self.kind, self.pop, self.var, self.detail)

    def __str__(self) -> str:
        what = {
            "count": "count",
            "sum": f"sum of {self.var}",
            "values": f"values of {self.var}",
            "extreme": f"{self.detail} of {self.var}",
            "class": f"all/none {self.var}={self.detail!r}",
            "identifier": "identifier",
        }.get(self.kind, self.kind)
        flags = "".join(
            [
                " [suppressed cell]" if self.suppressed else "",
                " [left out]" if self.left_out else "",
                " [rounded cell]" if self.rounded else "",
            ]
        )
        where = f" ({self.label})" if self.label else ""
        return f"{what} of {describe(self.pop)}{flags}{where}"


@dataclass(frozen=True)
class Claim:
    """An attack's deduction.  ``value`` is exact; a count may instead be a range
    ``("range", low, high)`` when the attack only bounds it."""

    attack: str
    target: Target
    value: Any
    tol: float = 0.0
    how: str = ""


@dataclass(frozen=True)
class Recovery:
    """A claim that is true and discloses something."""

    design: str
    attack: str
    target: Target
    value: Any
    truth: Any
    how: str = ""

    def __str__(self) -> str:
        value = self.value
        if isinstance(value, tuple) and len(value) > 12:
            value = f"{value[:12]}... ({len(value)} values)"
        how = f" via {self.how}" if self.how else ""
        return f"[{self.design}] {self.attack}: {self.target} = {value}{how}"
