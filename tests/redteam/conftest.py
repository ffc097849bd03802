"""Session cache of the red-team bundles: each (design, policy) is built and attacked once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import attacks, designs, truth
from .bundle import Published, Run, read_bundle, run_report
from .targets import Claim, Recovery


def judge_threshold(policy: str) -> int:
    """The policy's disclosure threshold (``internal`` is judged by the standard one)."""
    from mentoranalytics.privacy import POLICIES

    pol = POLICIES.get(policy)
    threshold = int(getattr(pol, "threshold", 0) or 0)
    return threshold if threshold > 1 else truth.DEFAULT_THRESHOLD


class RedTeam:
    """Builds, reads and attacks bundles on demand; remembers everything."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._designs: dict[str, designs.Design] = {}
        self._runs: dict[tuple[str, str], Run] = {}
        self._published: dict[tuple[str, str], Published | None] = {}
        self._claims: dict[tuple[str, str], list[Claim]] = {}
        self._oracles: dict[str, truth.Oracle] = {}

    def design(self, name: str) -> designs.Design:
        if name not in self._designs:
            self._designs[name] = designs.design(name)
        return self._designs[name]

    def oracle(self, name: str) -> truth.Oracle:
        if name not in self._oracles:
            self._oracles[name] = truth.Oracle(self.design(name))
        return self._oracles[name]

    def run(self, name: str, policy: str) -> Run:
        """The command line's run on the design (exit code, output, files written)."""
        key = (name, policy)
        if key not in self._runs:
            self._runs[key] = run_report(
                self.design(name), policy, self.root / name / policy, skip_png=policy == "internal"
            )
        return self._runs[key]

    def published(self, name: str, policy: str) -> Published | None:
        """The bundle read back, or None when the command refused the data."""
        key = (name, policy)
        if key not in self._published:
            run = self.run(name, policy)
            self._published[key] = None if run.refused else read_bundle(run.bundle)
        return self._published[key]

    def claims(self, name: str, policy: str) -> list[Claim]:
        key = (name, policy)
        if key not in self._claims:
            pub = self.published(name, policy)
            self._claims[key] = [] if pub is None else attacks.run_attacks(pub)
        return self._claims[key]

    def recoveries(
        self, name: str, policy: str, claims: list[Claim] | None = None
    ) -> list[Recovery]:
        claims = self.claims(name, policy) if claims is None else claims
        return truth.judge(self.design(name), claims, judge_threshold(policy), self.oracle(name))

    def false_claims(self, name: str, policy: str) -> list[tuple[Claim, Any]]:
        oracle = self.oracle(name)
        out = []
        for c in self.claims(name, policy):
            if c.target.kind == "identifier":
                continue  # a path that holds no planted name is simply not a recovery
            value = oracle.truth(c.target)
            if not truth.is_true(c, value):
                out.append((c, value))
        return out


@pytest.fixture(scope="session")
def redteam(tmp_path_factory: pytest.TempPathFactory) -> RedTeam:
    return RedTeam(tmp_path_factory.mktemp("redteam"))
