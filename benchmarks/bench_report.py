"""Benchmark: the course-review report (``python -m mentoranalytics report``).

Run by hand (never part of the test suite)::

    python benchmarks/bench_report.py                  # both targets, 5 repeats
    python benchmarks/bench_report.py --repeats 7
    python benchmarks/bench_report.py --skip-large     # only the packaged sample
    python benchmarks/bench_report.py --skip-sample -n 200000

Two targets (issue 6, "Fast"), each measured on fresh child processes, so that
imports are counted as a user meets them:

1. **The packaged sample** (``python -m mentoranalytics report``, 300 participants)
   against the bare import of the four libraries a notebook starts with
   (``import pandas, matplotlib.pyplot, statsmodels.api, seaborn``).  The two
   commands alternate, ``--repeats`` times each; medians are compared.  Target: the
   report within 2x the import.
2. **1,000,000 simulated participants** (``simulate_cohort(n, cohorts=6)`` written to
   CSV, then ``python -m mentoranalytics report FILE``), run once.  Targets: under
   60 s and a peak resident memory under 3 GB.

Each child's wall time, CPU time (user + system) and peak resident memory come from
``os.wait4`` (the child's own resource usage).  On a shared machine the CPU time is
the steadier number; the targets are judged on wall time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

IMPORT_LINE = "import pandas, matplotlib.pyplot, statsmodels.api, seaborn"


#: The children's environment: as a user's, where Python caches compiled modules (.pyc).
#: Some sandboxes set PYTHONDONTWRITEBYTECODE, which would make every run compile the
#: package's sources again (about 0.5 s) while the libraries it is compared with come
#: precompiled from their wheels.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(
    cmd: list[str], *, cwd: str | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run a child process; wall, CPU (user + sys) and peak RSS from its own rusage."""
    env = CHILD_ENV if env is None else env
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.stderr.write(stderr)
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_gb": usage.ru_maxrss * 1024 / 1e9,  # ru_maxrss is in KiB on Linux
        "stderr": stderr,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024**2:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} CPUs{mem}, {platform.system()} {platform.release()}"


def versions() -> str:
    import importlib.metadata as md

    names = ["mentoranalytics", "pandas", "numpy", "scipy", "statsmodels", "matplotlib", "seaborn"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return f"Python {platform.python_version()}; " + ", ".join(found)


def show(label: str, r: dict[str, Any]) -> None:
    print(f"  {label:<34} {r['wall']:7.2f} s wall {r['cpu']:7.2f} s CPU {r['rss_gb']:6.2f} GB peak")


def sample_target(repeats: int, tmp: str) -> dict[str, float]:
    py = sys.executable
    out = str(Path(tmp) / "sample.html")
    imports, reports = [], []
    # one untimed round first: compiles .pyc files and warms the file cache for both
    run([py, "-c", IMPORT_LINE])
    run([py, "-m", "mentoranalytics", "report", "-o", out, "--quiet", "--force"])
    print(f"packaged sample, {repeats} alternating runs of each:")
    for i in range(repeats):
        imp = run([py, "-c", IMPORT_LINE])
        rep = run([py, "-m", "mentoranalytics", "report", "-o", out, "--quiet", "--force"])
        show(f"[{i + 1}] bare imports", imp)
        show(f"[{i + 1}] report on the sample", rep)
        imports.append(imp)
        reports.append(rep)
    med = {
        "import_wall": statistics.median(r["wall"] for r in imports),
        "import_cpu": statistics.median(r["cpu"] for r in imports),
        "report_wall": statistics.median(r["wall"] for r in reports),
        "report_cpu": statistics.median(r["cpu"] for r in reports),
        "report_rss": max(r["rss_gb"] for r in reports),
    }
    ratio_wall = med["report_wall"] / med["import_wall"]
    ratio_cpu = med["report_cpu"] / med["import_cpu"]
    print(
        f"  median: imports {med['import_wall']:.2f} s wall / {med['import_cpu']:.2f} s CPU; "
        f"report {med['report_wall']:.2f} s wall / {med['report_cpu']:.2f} s CPU"
    )
    verdict = "meets" if ratio_wall <= 2 else "misses"
    print(
        f"  report / imports: {ratio_wall:.2f}x (wall), {ratio_cpu:.2f}x (CPU); "
        f"target <= 2x -> {verdict} it"
    )
    med.update(ratio_wall=ratio_wall, ratio_cpu=ratio_cpu)
    return med


def large_target(n: int, seed: int, tmp: str) -> dict[str, float]:
    import mentoranalytics as ma

    path = Path(tmp) / f"cohort_{n}.csv"
    t0 = time.perf_counter()
    ma.simulate_cohort(n, cohorts=6, rng=seed).to_csv(path, index=False)
    print(
        f"{n:,} simulated participants (6 cohorts, seed {seed}): CSV of "
        f"{path.stat().st_size / 1e6:.0f} MB written in {time.perf_counter() - t0:.1f} s"
    )
    out = str(Path(tmp) / "large.html")
    r = run([sys.executable, "-m", "mentoranalytics", "report", str(path), "-o", out])
    for line in r["stderr"].splitlines():
        if line.strip():
            print(f"    | {line}")
    show("report on the CSV", r)
    ok_time, ok_mem = r["wall"] < 60, r["rss_gb"] < 3
    print(
        f"  target < 60 s -> {'meets' if ok_time else 'misses'} it; "
        f"peak memory < 3 GB -> {'meets' if ok_mem else 'misses'} it"
    )
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each sample command")
    parser.add_argument("-n", type=int, default=1_000_000, help="rows of the large run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()

    print(f"machine: {machine()}")
    print(f"software: {versions()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_sample:
            sample_target(args.repeats, tmp)
            print()
        if not args.skip_large:
            large_target(args.n, args.seed, tmp)
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
