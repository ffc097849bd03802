"""Disclosure policies: the rulebooks (standard, ons, nhs, internal, custom thresholds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from ..exceptions import AnalysisError

# ======================================================================================
# 3. Disclosure policies
# ======================================================================================


@dataclass(frozen=True)
class DisclosurePolicy:
    """A disclosure-control rulebook.

    Parameters
    ----------
    name : str
        Short name ("standard", "ons", "nhs", "internal", or "threshold_<k>").
    threshold : int
        Counts of 1 to ``threshold - 1`` are suppressed (``threshold <= 1``: none).
    suppress_zeros : bool, default=False
        Suppress zero counts too.
    rounding_base : int, optional
        Round every published count to the nearest multiple (halves up); None: exact.
    min_n_for_means : int, optional
        Means and medians need at least this many values; default ``threshold``.
    class_disclosure : bool, default=True
        Whether a group in which all or none share an attribute ("20 of 20 women
        promoted") is suppressed cell by cell (class or group disclosure).  Applies only
        to policies that suppress.
    label : str
        One line describing the policy for footnotes.

    Examples
    --------
    >>> POLICIES["nhs"].threshold, POLICIES["nhs"].rounding_base
    (8, 5)
    >>> POLICIES["internal"].banner
    'internal — contains small numbers'
    >>> POLICIES["standard"].banner
    ''
    """

    name: str
    threshold: int
    suppress_zeros: bool = False
    rounding_base: int | None = None
    min_n_for_means: int | None = None
    label: str = ""
    class_disclosure: bool = True

    def __post_init__(self) -> None:
        if (
            isinstance(self.threshold, bool)
            or not isinstance(self.threshold, (int, np.integer))
            or self.threshold < 0
        ):
            raise AnalysisError(f"threshold must be a whole number >= 0, not {self.threshold!r}.")
        if self.rounding_base is not None and (
            isinstance(self.rounding_base, bool)
            or not isinstance(self.rounding_base, (int, np.integer))
            or self.rounding_base < 2
        ):
            raise AnalysisError(
                f"rounding_base must be None or a whole number >= 2, not {self.rounding_base!r}."
            )
        if self.min_n_for_means is None:
            object.__setattr__(self, "min_n_for_means", max(int(self.threshold), 1))
        if not self.label:
            object.__setattr__(self, "label", self.describe())

    @property
    def suppresses(self) -> bool:
        """Whether the policy suppresses anything at all."""
        return self.threshold > 1 or self.suppress_zeros

    @property
    def banner(self) -> str:
        """Text every page and export must carry: the label of a policy that suppresses
        nothing (``internal``), else empty."""
        return "" if self.suppresses else self.label

    def describe(self) -> str:
        """The rules in words, for a footnote.

        >>> POLICIES["ons"].describe()
        'counts of 1-9 suppressed (with further cells so that none can be recovered from totals); other counts rounded to the nearest 5'
        """
        if not self.suppresses:
            parts = ["no suppression: contains small numbers"]
        else:
            low = "0-" if self.suppress_zeros else "1-"
            parts = [
                f"counts of {low}{self.threshold - 1} suppressed (with further cells so that "
                "none can be recovered from totals)"
                if self.threshold > 1
                else "zero counts suppressed"
            ]
        if self.rounding_base:
            parts.append(f"other counts rounded to the nearest {self.rounding_base}")
        return "; ".join(parts)

    # -- array helpers (internal) -------------------------------------------------------

    def _primary(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts)
        out = (counts >= 1) & (counts < self.threshold)
        if self.suppress_zeros:
            out |= counts == 0
        return out

    def _round(self, counts: np.ndarray) -> np.ndarray:
        counts = np.asarray(counts, dtype=np.int64)
        if not self.rounding_base:
            return counts
        b = int(self.rounding_base)
        return ((counts + b // 2) // b) * b

    def _intervals(self, published: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """True counts consistent with published values (float; NaN entries ignored).

        A rounded value ``v`` stands for the integers that round to it,
        ``[v - base//2, v + (base-1)//2]``; a published count is known not to be in the
        suppressed range, which tightens the interval (kept only if non-empty).
        """
        v = np.asarray(published, dtype=float)
        if self.rounding_base:
            b = int(self.rounding_base)
            lo = np.maximum(v - b // 2, 0.0)
            hi = v + (b - 1) // 2
        else:
            lo, hi = v.copy(), v.copy()
        thr = float(self.threshold)
        zero_ok = not self.suppress_zeros
        lo2 = lo.copy()
        if not zero_ok:
            lo2 = np.where(lo2 == 0, 1.0, lo2)
        lo2 = np.where((lo2 >= 1) & (lo2 < thr), thr, lo2)
        hi2 = np.where((hi >= 1) & (hi < thr), np.where(zero_ok & (lo <= 0), 0.0, -1.0), hi)
        if not zero_ok:
            hi2 = np.where(hi2 == 0, -1.0, hi2)
        ok = lo2 <= hi2
        return np.where(ok, lo2, lo), np.where(ok, hi2, hi)


POLICIES: Mapping[str, DisclosurePolicy] = MappingProxyType(
    {
        "standard": DisclosurePolicy(
            "standard",
            5,
            label="standard: counts of 1-4 suppressed, with further cells so that none "
            "can be recovered from totals",
        ),
        "ons": DisclosurePolicy(
            "ons",
            10,
            rounding_base=5,
            label="ons: counts of 1-9 suppressed, others rounded to the nearest 5",
        ),
        "nhs": DisclosurePolicy(
            "nhs",
            8,
            rounding_base=5,
            label="nhs: counts of 1-7 suppressed, others rounded to the nearest 5, zeros shown",
        ),
        "internal": DisclosurePolicy(
            "internal", 1, min_n_for_means=1, label="internal — contains small numbers"
        ),
    }
)
"""The named presets: ``standard``, ``ons``, ``nhs`` and ``internal`` (read-only)."""


def policy(name_or_threshold: str | int | DisclosurePolicy = "standard") -> DisclosurePolicy:
    """Resolve a policy name, a custom threshold, or a :class:`DisclosurePolicy`.

    Parameters
    ----------
    name_or_threshold : str, int or DisclosurePolicy, default="standard"
        A key of :data:`POLICIES` (any case), a whole number >= 2 (counts below it
        suppressed, standard rules), or a policy (returned as is).

    Returns
    -------
    DisclosurePolicy

    Examples
    --------
    >>> policy("ONS").threshold
    10
    >>> policy(7).name, policy(7).threshold
    ('threshold_7', 7)
    """
    if isinstance(name_or_threshold, DisclosurePolicy):
        return name_or_threshold
    if isinstance(name_or_threshold, str):
        key = name_or_threshold.strip().lower()
        if key in POLICIES:
            return POLICIES[key]
        raise AnalysisError(
            f"Unknown disclosure policy {name_or_threshold!r}. Allowed: "
            f"{', '.join(repr(k) for k in POLICIES)}, a whole-number threshold such as 10, "
            "or a DisclosurePolicy."
        )
    if isinstance(name_or_threshold, (int, np.integer)) and not isinstance(name_or_threshold, bool):
        k = int(name_or_threshold)
        if k < 2:
            raise AnalysisError(
                f"A custom disclosure threshold must be at least 2, not {k}. "
                "For a report without suppression use policy='internal'."
            )
        return DisclosurePolicy(
            f"threshold_{k}",
            k,
            label=f"threshold {k}: counts of 1-{k - 1} suppressed, with further cells so "
            "that none can be recovered from totals",
        )
    raise AnalysisError(
        "policy must be a policy name "
        f"({', '.join(repr(k) for k in POLICIES)}), a whole-number threshold or a "
        f"DisclosurePolicy, not {type(name_or_threshold).__name__}."
    )


_resolve_policy = policy
