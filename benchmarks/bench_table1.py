"""Benchmark: mentoranalytics.summary_table against tableone.TableOne, in one run.

Both tools summarise the same ten variables of the same 1,000,000-row simulated
cohort (``mentoranalytics.datasets.simulate_cohort``, five cohorts) by gender, with
p-values and standardised mean differences, and the same variables summarised by
median [Q1, Q3] (tableone is given the list our rule chose).  Each tool is timed end
to end, best of ``--repeat`` runs (tableone: best of ``--repeat-tableone``).
Run by hand, never in the test suite::

    python benchmarks/bench_table1.py [--rows 1000000] [--repeat 3] [--repeat-tableone 1]
"""

from __future__ import annotations

import argparse
import time
import warnings

import pandas as pd

VARIABLES = [
    "employment",
    "participant_level",
    "mentor_level",
    "mentor_relation",
    "approach",
    "mentors_approached",
    "days_to_secure",
    "promoted",
    "career_satisfaction",
    "followup_months",
]
CATEGORICAL = ["employment", "mentor_relation", "approach", "promoted"]


def make_data(rows: int) -> pd.DataFrame:
    from mentoranalytics.datasets import simulate_cohort

    return simulate_cohort(rows, cohorts=5, rng=1)


def best_of(repeat: int, func):  # type: ignore[no-untyped-def]
    """Best wall-clock and CPU (process) time of ``repeat`` runs, and the last result.

    The CPU time is printed too: on a shared machine the wall-clock time also counts
    the time other processes held the CPU.
    """
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = func()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repeat-tableone", type=int, default=1)
    args = parser.parse_args()

    from mentoranalytics.stats.table1 import summary_table

    frame = make_data(args.rows)
    print(f"data: {len(frame):,} rows x {len(VARIABLES)} variables, by gender")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_ours, c_ours, ours = best_of(
            args.repeat, lambda: summary_table(frame, by="gender", variables=VARIABLES)
        )
    nonnormal = list(ours.nonnormal)
    print(
        f"mentoranalytics.summary_table: {t_ours:.3f} s wall, {c_ours:.3f} s CPU "
        f"(best of {args.repeat})"
    )
    print(f"  median [Q1, Q3] for: {nonnormal}")

    try:
        from tableone import TableOne
    except ImportError:
        print("tableone is not installed (pip install tableone): no comparison")
        return

    def run_tableone():  # type: ignore[no-untyped-def]
        return TableOne(
            frame,
            columns=VARIABLES,
            categorical=CATEGORICAL,
            nonnormal=nonnormal,
            groupby="gender",
            pval=True,
            smd=True,
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_theirs, c_theirs, _ = best_of(args.repeat_tableone, run_tableone)
    print(
        f"tableone.TableOne:             {t_theirs:.3f} s wall, {c_theirs:.3f} s CPU "
        f"(best of {args.repeat_tableone})"
    )
    print(
        f"ratio tableone / summary_table: {t_theirs / t_ours:.1f}x wall, "
        f"{c_theirs / c_ours:.1f}x CPU"
    )


if __name__ == "__main__":
    main()
