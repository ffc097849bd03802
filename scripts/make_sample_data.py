"""Make the packaged sample data (synthetic) and its README codebook.

Run from the repository root::

    python scripts/make_sample_data.py

It writes ``programme.csv``, its follow-up waves ``programme_waves.csv`` and
``first_cohort.csv`` to ``data/sample/`` (with ``README.md``) and the same CSV files to
``src/mentoranalytics/datasets/data/``.
Seeds are fixed, so running it again reproduces the committed files byte for byte
(tests/test_datasets.py checks this).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from mentoranalytics import schema
from mentoranalytics.datasets import SimulationEffects, simulate_cohort, simulate_waves

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"
PACKAGE_DIR = ROOT / "src" / "mentoranalytics" / "datasets" / "data"
COMMAND = "python scripts/make_sample_data.py"

PROGRAMME_SEED = 2019
PROGRAMME_N = 300
PROGRAMME_COHORTS = 6  # yearly, 2019-2024
PROGRAMME_EFFECTS = SimulationEffects(missing_rate=0.02)
WAVES_SEED = 2025
WAVES_MONTHS = (6.0, 12.0, 24.0, 36.0, 60.0)
WAVES_DROPOUT = 0.08  # per wave, for people already promoted
WAVES_INTERMITTENT = 0.05
WAVES_INFORMATIVE = 2.0  # odds ratio of dropping out, not yet promoted vs promoted

FIRST_COHORT_SEEDS = (2018, 20181, 20182)  # employed half, self-employed half, row order
FIRST_COHORT_LABEL = "2018"
FIRST_COHORT_HALF = 5
FIRST_COHORT_EFFECTS = SimulationEffects(
    gender_probabilities=(0.5, 0.5, 0.0, 0.0, 0.0),
    followup_months_latest=72.0,
    loss_to_followup_rate=0.0,
)


def programme() -> pd.DataFrame:
    """Six yearly cohorts (2019-2024), 300 participants, a few blank answers."""
    return simulate_cohort(
        PROGRAMME_N, cohorts=PROGRAMME_COHORTS, rng=PROGRAMME_SEED, effects=PROGRAMME_EFFECTS
    )


def programme_waves(cohort: pd.DataFrame) -> pd.DataFrame:
    """Follow-up waves of the programme sample.

    Waves at 6, 12, 24, 36 and 60 months; a cohort has only the waves its
    administrative follow-up has reached (the longest ``followup_months`` of the
    cohort), so the 2024 cohort has two waves and the 2019 cohort five.  Dropout is
    informative: people not yet promoted drop out more.
    """
    waves = simulate_waves(
        cohort,
        months=WAVES_MONTHS,
        rng=WAVES_SEED,
        dropout=WAVES_DROPOUT,
        intermittent=WAVES_INTERMITTENT,
        informative=WAVES_INFORMATIVE,
        effects=PROGRAMME_EFFECTS,
    )
    reached = cohort.groupby("cohort")["followup_months"].max()
    limit = cohort.set_index("participant_id")["cohort"].map(reached)
    horizon = waves["participant_id"].map(limit).to_numpy(dtype=float)
    keep = waves["months"].to_numpy(dtype=float) <= horizon
    return waves[keep].reset_index(drop=True)


def first_cohort() -> pd.DataFrame:
    """Ten participants of one 2018 cohort, five employed and five self-employed."""
    employed_seed, self_employed_seed, order_seed = FIRST_COHORT_SEEDS
    halves = []
    for seed, shares in ((employed_seed, (1.0, 0.0, 0.0)), (self_employed_seed, (0.0, 1.0, 0.0))):
        effects = {**asdict(FIRST_COHORT_EFFECTS), "employment_probabilities": shares}
        halves.append(
            simulate_cohort(
                FIRST_COHORT_HALF, cohorts=[FIRST_COHORT_LABEL], rng=seed, effects=effects
            )
        )
    frame = pd.concat(halves, ignore_index=True)
    order = np.random.default_rng(order_seed).permutation(len(frame))
    frame = frame.iloc[order].reset_index(drop=True)
    frame["participant_id"] = [f"P{i:04d}" for i in range(1, len(frame) + 1)]
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV text as written: UTF-8, '\\n' line ends, empty cells for missing values."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _effects_table(effects: SimulationEffects) -> str:
    lines = ["| effect | value |", "|---|---|"]
    for name, value in asdict(effects).items():
        lines.append(f"| `{name}` | {value} |")
    return "\n".join(lines)


def readme(frames: dict[str, pd.DataFrame]) -> str:
    """The README of data/sample, with the codebook rendered from the schema."""
    prog, first = frames["programme"], frames["first_cohort"]
    waves = frames["programme_waves"]
    answered = waves["responded"].astype(bool)
    per_wave = ", ".join(
        f"{m:g} months: {int(a)} of {int(n)}"
        for m, n, a in zip(
            waves.groupby("months").size().index,
            waves.groupby("months").size(),
            answered.groupby(waves["months"]).sum(),
            strict=True,
        )
    )
    per_cohort = ", ".join(
        f"{k}: {v}" for k, v in prog["cohort"].value_counts().sort_index().items()
    )
    n_self = int((first["employment"] == "self_employed").sum())
    return f"""# Sample data (synthetic)

These files are **synthetic**: every row was drawn by the cohort simulator
(`mentoranalytics.simulate_cohort`). No row describes a real person. They exist so that
the tutorials, the tests and `python -m mentoranalytics report` have something to run on.

| file | rows | what it is |
|---|---|---|
| `programme.csv` | {len(prog)} | six yearly cohorts (2019-2024) of a mentoring programme; every schema column is used, and about 2% of optional answers are blank |
| `programme_waves.csv` | {len(waves)} | follow-up waves of `programme.csv`: one row per participant per wave (6, 12, 24, 36 and 60 months, as far as each cohort has been followed), {int(answered.sum())} of them answered |
| `first_cohort.csv` | {len(first)} | one cohort (`2018`) of ten participants, {n_self} of them self-employed, like the cohort that started the question: its numbers are tiny |

Participants per cohort in `programme.csv`: {per_cohort}.

Mentor fields (`mentor_level`, `mentor_relation`, `mentor_in_network`, `approach`,
`mentor_gender`, `days_to_secure`) and the mentor outcomes (`joined_mentor_organisation`,
`in_contact_with_mentor`, `discussed_setbacks`) are blank for participants without a
mentor (`mentor_secured` false). Where `mentor_relation` is blank but
`mentor_in_network` is filled, the boldness index uses the in/out-of-network distance.

The same CSV files ship inside the package (`src/mentoranalytics/datasets/data/`):

```python
import mentoranalytics as ma
cohort = ma.load_sample()                  # programme.csv, with programme_waves.csv as cohort.waves
cohort = ma.load_sample(followup=False)    # programme.csv only
first = ma.load_sample("first_cohort")     # first_cohort.csv
```

## Follow-up waves

`programme_waves.csv` follows the programme's participants after the programme, in the
follow-up record (`ma.codebook("followup")`, below). It was drawn by
`mentoranalytics.simulate_waves` from `programme.csv` itself (seed {WAVES_SEED}): a
participant recorded as promoted in `programme.csv` is first promoted at their
`months_to_promotion`, and the others later, by the same model. A cohort has only the
waves its follow-up has reached (the 2024 cohort: 6 and 12 months; the 2019 cohort: all
five). Before each wave {WAVES_DROPOUT:g} of the people already promoted drop out for good
and {WAVES_INTERMITTENT:g} skip one wave; people not yet promoted do both with odds
{WAVES_INFORMATIVE:g} times higher, so the answers over-represent promotions (complete
cases are biased; weighting by the response history is the remedy). A missed wave is a
row with `responded` false and every answer empty.

Answers per wave: {per_wave}.

## How they were made

```
{COMMAND}
```

The script uses fixed seeds (programme: {PROGRAMME_SEED}; first cohort: {FIRST_COHORT_SEEDS[0]}
for the employed half, {FIRST_COHORT_SEEDS[1]} for the self-employed half, {FIRST_COHORT_SEEDS[2]}
for the row order), so running it again reproduces these files byte for byte with the
same numpy version. The first cohort has women and men only and is followed up for
{FIRST_COHORT_EFFECTS.followup_months_latest:g} months with no loss to follow-up.
The generative model is described in `src/mentoranalytics/datasets/simulate.py`.
The effects built into `programme.csv` (the "truth" an analysis can try to recover):

{_effects_table(PROGRAMME_EFFECTS)}

## Codebook

{schema.render_codebook("markdown")}
### Follow-up record (`programme_waves.csv`)

{schema.render_codebook("markdown", table="followup")}"""


def write_samples(sample_dir: Path, package_dir: Path | None) -> list[Path]:
    """Write both CSV files (and README.md to ``sample_dir``); return the paths written."""
    prog = programme()
    frames = {
        "programme": prog,
        "programme_waves": programme_waves(prog),
        "first_cohort": first_cohort(),
    }
    written = []
    for directory in (sample_dir, package_dir):
        if directory is None:
            continue
        directory.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            path = directory / f"{name}.csv"
            path.write_bytes(to_csv_bytes(frame))
            written.append(path)
    path = sample_dir / "README.md"
    path.write_bytes(readme(frames).encode("utf-8"))
    written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sample-dir", type=Path, default=SAMPLE_DIR, help="CSV files and README.md"
    )
    parser.add_argument(
        "--package-dir",
        type=Path,
        default=PACKAGE_DIR,
        help="the packaged copies of the CSV files",
    )
    args = parser.parse_args(argv)
    for path in write_samples(args.sample_dir, args.package_dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
