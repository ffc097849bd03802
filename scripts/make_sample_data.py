"""Make the packaged sample data (synthetic) and its README codebook.

Run from the repository root::

    python scripts/make_sample_data.py

It writes ``programme.csv`` and ``first_cohort.csv`` to ``data/sample/`` (with
``README.md``) and the same CSV files to ``src/mentoranalytics/datasets/data/``.
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
from mentoranalytics.datasets import SimulationEffects, simulate_cohort

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "data" / "sample"
PACKAGE_DIR = ROOT / "src" / "mentoranalytics" / "datasets" / "data"
COMMAND = "python scripts/make_sample_data.py"

PROGRAMME_SEED = 2019
PROGRAMME_N = 300
PROGRAMME_COHORTS = 6  # yearly, 2019-2024
PROGRAMME_EFFECTS = SimulationEffects(missing_rate=0.02)

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
cohort = ma.load_sample()                  # programme.csv
first = ma.load_sample("first_cohort")     # first_cohort.csv
```

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

{schema.render_codebook("markdown")}"""


def write_samples(sample_dir: Path, package_dir: Path | None) -> list[Path]:
    """Write both CSV files (and README.md to ``sample_dir``); return the paths written."""
    frames = {"programme": programme(), "first_cohort": first_cohort()}
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
