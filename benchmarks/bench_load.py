"""Benchmark: loading and validating 1,000,000 simulated participants.

Run by hand (never part of the test suite)::

    python benchmarks/bench_load.py            # 1,000,000 rows
    python benchmarks/bench_load.py -n 200000  # smaller
    python benchmarks/bench_load.py --profile  # also print where load_cohort spends its time

It simulates a cohort with :func:`mentoranalytics.simulate_cohort`, writes it as CSV to
a temporary folder and times, in one run:

1. ``pandas.read_csv`` alone (the floor: parsing without any checks);
2. ``load_cohort(csv)``: read, personal-data guard, map, validate every cell, derive
   the boldness fields;
3. ``load_cohort(DataFrame)``: the same from the simulated frame.

Wall-clock and CPU seconds are printed (on a shared machine the CPU time is the
steadier number), with the ratios to ``read_csv``.  Target: load + validate 1M rows
from CSV in under 5 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import mentoranalytics as ma


def timed(label: str, fn: Callable[[], Any], results: dict[str, tuple[float, float]]) -> Any:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    results[label] = (wall, cpu)
    print(f"{label:<32} {wall:7.2f} s wall  {cpu:7.2f} s CPU")
    return out


def time_guard() -> dict[str, float]:
    """Accumulate the CPU time spent in the personal-data guard (another module)."""
    import mentoranalytics.privacy as privacy

    spent = {"cpu": 0.0}
    scan = privacy.scan_personal_data

    def timed_scan(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return scan(*args, **kwargs)
        finally:
            spent["cpu"] += time.process_time() - start

    privacy.scan_personal_data = timed_scan  # type: ignore[assignment]
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="rows (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="profile load_cohort(csv)")
    args = parser.parse_args()

    print(f"mentoranalytics {ma.__version__}, pandas {pd.__version__}, {os.cpu_count()} CPUs")
    results: dict[str, tuple[float, float]] = {}
    guard = time_guard()
    frame = timed("simulate_cohort", lambda: ma.simulate_cohort(args.n, rng=args.seed), results)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cohort.csv"
        timed("write CSV (DataFrame.to_csv)", lambda: frame.to_csv(path, index=False), results)
        print(
            f"CSV: {path.stat().st_size / 1e6:.0f} MB, {args.n:,} rows x {frame.shape[1]} columns"
        )
        print()
        ma.load_cohort(frame.head(100))  # warm-up: one-off imports (pandera, ...) not timed
        timed("pandas.read_csv", lambda: pd.read_csv(path), results)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ma.DataQualityWarning)
            guard["cpu"] = 0.0
            cohort = timed("load_cohort(csv)", lambda: ma.load_cohort(path), results)
            guard_csv = guard["cpu"]
            print(f"{'  of which personal-data guard':<32} {'':>14}  {guard_csv:7.2f} s CPU")
            guard["cpu"] = 0.0
            timed("load_cohort(DataFrame)", lambda: ma.load_cohort(frame), results)
            guard_frame = guard["cpu"]
            print(f"{'  of which personal-data guard':<32} {'':>14}  {guard_frame:7.2f} s CPU")
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                ma.load_cohort(path)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    assert len(cohort) + len(cohort.excluded) == args.n
    base_wall, base_cpu = results["pandas.read_csv"]
    print()
    for label in ("load_cohort(csv)", "load_cohort(DataFrame)"):
        wall, cpu = results[label]
        print(f"{label:<24} {wall / base_wall:5.1f}x read_csv (wall), {cpu / base_cpu:5.1f}x (CPU)")
    wall, cpu = results["load_cohort(csv)"]
    verdict = "meets" if min(wall, cpu) < 5 else "misses"
    print(f"target: load + validate {args.n:,} rows from CSV in < 5 s -> {verdict} it")
    print(
        f"without the personal-data guard: {cpu - guard_csv:.2f} s CPU from CSV, "
        f"{results['load_cohort(DataFrame)'][1] - guard_frame:.2f} s CPU from the DataFrame"
    )


if __name__ == "__main__":
    main()
