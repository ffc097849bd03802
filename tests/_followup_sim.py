"""The generator of the stored synthetic waves ``tests/results/followup_sim_*.csv``.

Kept as the provenance of those files (``simulate(300, seed=11)``), which the R
references ``attrition_ipw.R`` and ``gee_trajectory.R`` read; tests that need fresh
waves with a known truth use :func:`mentoranalytics.simulate_waves`.

People start at a level 1-4; promotions arrive as a Poisson process whose rate is
lower for women and higher for a bold mentor choice.  At each wave a person answers
(monotone dropout: once silent, always silent) with a probability that depends on
their baseline level and on whether they had been promoted by the previous wave, so
the people who keep answering are the promoted ones: complete cases overstate the
promotion rate, and weights from a response model on the baseline and the previous
answer recover it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

WAVES = (6.0, 12.0, 24.0, 36.0)
STORED = Path(__file__).parent / "results"


def stored() -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(people, waves)`` of ``tests/results/followup_sim_*.csv`` (read as R reads them)."""
    return (
        pd.read_csv(STORED / "followup_sim_people.csv"),
        pd.read_csv(STORED / "followup_sim_waves.csv"),
    )


def simulate(
    n: int = 400, *, seed: int = 1, waves: tuple[float, ...] = WAVES, dropout: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(people, waves, truth)``; truth: participant_id, promotion_month (first, inf if none)."""
    rng = np.random.default_rng(seed)
    ids = [f"P{i:04d}" for i in range(n)]
    gender = np.where(rng.random(n) < 0.5, "woman", "man")
    level0 = rng.integers(1, 5, n)
    bold = rng.random(n) < 0.4
    rate = 0.025 * np.exp(-0.4 * (gender == "woman") + 0.5 * bold)  # per month
    horizon = max(waves)
    times: list[np.ndarray] = []
    for r in rate:
        t, out = 0.0, []
        while True:
            t += rng.exponential(1 / r)
            if t > horizon:
                break
            out.append(t)
        times.append(np.array(out))
    first = np.array([t[0] if t.size else np.inf for t in times])
    people = pd.DataFrame(
        {
            "participant_id": ids,
            "gender": gender,
            "participant_level": level0,
            "bold_choice": bold,
        }
    )
    rows = []
    still = np.ones(n, dtype=bool)
    promoted_before = np.zeros(n, dtype=bool)
    previous = 0.0
    satisfaction_noise = rng.normal(0, 0.8, (n, len(waves)))
    contact = np.ones(n, dtype=bool)
    for k, m in enumerate(waves):
        if dropout:
            logit = 1.6 - 0.25 * (level0 - 2.5) + 1.8 * promoted_before - 0.3 * k
            still &= rng.random(n) < 1 / (1 + np.exp(-logit))
        contact &= rng.random(n) < 0.85
        for i in range(n):
            count = int(np.sum(times[i] <= m))
            since = bool(np.any((times[i] > previous) & (times[i] <= m)))
            if still[i]:
                level = int(min(6, level0[i] + count))
                sat = int(
                    np.clip(np.rint(3 + 0.5 * min(count, 2) + satisfaction_noise[i, k]), 1, 5)
                )
                rows.append((ids[i], m, True, level, since, sat, bool(contact[i])))
            else:
                rows.append((ids[i], m, False, None, None, None, None))
        promoted_before = first <= m
        previous = m
    waves_frame = pd.DataFrame(
        rows,
        columns=[
            "participant_id",
            "months",
            "responded",
            "current_level",
            "promoted",
            "career_satisfaction",
            "in_contact_with_mentor",
        ],
    )
    waves_frame["current_level"] = waves_frame["current_level"].astype("Int64")
    waves_frame["career_satisfaction"] = waves_frame["career_satisfaction"].astype("Int64")
    waves_frame["promoted"] = waves_frame["promoted"].astype("boolean")
    waves_frame["in_contact_with_mentor"] = waves_frame["in_contact_with_mentor"].astype("boolean")
    truth = pd.DataFrame({"participant_id": ids, "promotion_month": first})
    return people, waves_frame, truth


def quiet(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with its warnings silenced (small-sample notes)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)
