"""Benchmark: follow-up waves (issue 13), mentoranalytics against pandas + statsmodels + lifelines.

Run by hand (never part of the test suite)::

    python benchmarks/bench_waves.py                  # mentoranalytics only
    python benchmarks/bench_waves.py --peers          # and the same analysis with the peers
    python benchmarks/bench_waves.py -n 20000 --peers --ordinal-n 1000

The data: ``simulate_cohort(n)`` and ``simulate_waves(..., months=8 waves)`` written as
two CSV files (cohort and follow-up).  Then, each in a fresh child process (imports
counted, as a user meets them; wall time, CPU time and peak memory of the child from
``os.wait4``, as ``bench_report.py``), the same analysis twice:

1. **mentoranalytics**: ``load_cohort(cohort.csv, followup=waves.csv)`` (read, personal
   data guard, validation of both tables), ``promotion_intervals``, ``interval_survival``
   by gender (Turnbull, 1,000 bootstrap resamples for the intervals), ``interval_test``,
   ``interval_model`` (Weibull, gender + bold choice), ``trajectory`` and
   ``trajectory_model`` of ``current_level`` by gender (Gaussian GEE on everyone; the
   ordinal GEE on the first ``--ordinal-n`` participants only, as it is far too slow on
   everyone), ``attrition_sensitivity`` of ``promoted`` by gender.
2. **peers**, written directly: pandas (read, the follow-up checks: unknown codes,
   duplicate and out-of-order waves, ranges, answers in unanswered waves; intervals;
   per-wave means), lifelines (``KaplanMeierFitter.fit_interval_censoring`` per gender,
   no intervals; ``WeibullAFTFitter.fit_interval_censoring``), statsmodels (``GEE``,
   ``OrdinalGEE`` on the same subsample, the logistic response model; the IPW estimate
   and its linearisation SE by hand).  Neither lifelines nor statsmodels has a test
   between groups for interval-censored times: that step has no peer.

lifelines pins ``pandas<3``, so the peers cannot share the project's environment:
``--peers`` creates ``benchmarks/.venv-peers`` (gitignored) with ``pip install lifelines
statsmodels "pandas<3"`` the first time, and skips the peers with the reason when that
fails.  The peers' child imports neither mentoranalytics nor pandas 3.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PEERS_VENV = HERE / ".venv-peers"
PEERS_PACKAGES = ["lifelines", "statsmodels", "pandas<3"]
WAVE_MONTHS = (3, 6, 12, 18, 24, 36, 48, 60)
OUTCOMES = (
    "current_level",
    "promoted",
    "role_change",
    "employer_change",
    "joined_mentor_organisation",
    "in_contact_with_mentor",
    "career_satisfaction",
)

# --------------------------------------------------------------------------------------
# Children
# --------------------------------------------------------------------------------------


class Steps:
    """Wall time of each step of a child, printed as JSON on the last line of stdout."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.checks: dict[str, Any] = {}
        self._t = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.times[name] = now - self._t
        self._t = now

    def report(self) -> None:
        print(json.dumps({"times": self.times, "checks": self.checks}))


def child_mentoranalytics(folder: Path, ordinal_n: int) -> None:
    import warnings

    warnings.simplefilter("ignore")
    steps = Steps()
    import numpy as np

    import mentoranalytics as ma

    steps.done("import")
    cohort = ma.load_cohort(folder / "cohort.csv", followup=folder / "waves.csv")
    steps.done("load + validate")
    iv = ma.promotion_intervals(cohort, include=["gender", "bold_choice"])
    steps.done("promotion intervals")
    curves = ma.interval_survival(iv, by="gender", rng=1)
    at = curves.at([24])
    steps.done("Turnbull by gender")
    test = ma.interval_test(iv, by="gender")
    steps.done("interval test")
    with np.errstate(over="ignore", invalid="ignore"):
        weibull = ma.interval_model(iv, ["gender", "bold_choice"])
    steps.done("Weibull model")
    ma.trajectory(cohort, "current_level", by="gender")
    steps.done("trajectory table")
    gauss = ma.trajectory_model(cohort, "current_level", by="gender", ordinal=False)
    steps.done("GEE Gaussian")
    ids = cohort.data["participant_id"].iloc[:ordinal_n]
    sub = (
        cohort.data[cohort.data["participant_id"].isin(ids)],
        cohort.waves[cohort.waves["participant_id"].isin(ids)],
    )
    ordinal = ma.trajectory_model(sub, "current_level", by="gender")
    steps.done(f"GEE ordinal (first {ordinal_n:,})")
    attrition = ma.attrition_sensitivity(cohort, "promoted", by="gender")
    steps.done("attrition sensitivity")

    ratios = weibull.table.set_index(["term", "measure"])["estimate"]
    gee = gauss.table.set_index("term")["estimate"]
    w = attrition.table[attrition.table["analysis"] == "weighted"].set_index("group")
    steps.checks = {
        "people with intervals": len(iv),
        "S(24) woman": float(at.loc[at["group"] == "woman", "survival"].iloc[0]),
        "S(24) man": float(at.loc[at["group"] == "man", "survival"].iloc[0]),
        "interval test p": float(test.test["p_value"].iloc[0]),
        "Weibull HR woman": float(ratios.loc[("gender[woman]", "hazard_ratio")]),
        "Weibull HR bold": float(ratios.loc[("bold_choice[True]", "hazard_ratio")]),
        "GEE woman x months": float(gee.loc["gender[woman]:months"]),
        "ordinal woman x months (log)": float(
            np.log(ordinal.table.set_index("term").loc["gender[woman]:months", "estimate"])
        ),
        "IPW promoted, women": float(w.loc["woman", "estimate"]),
        "IPW promoted, men": float(w.loc["man", "estimate"]),
    }
    steps.report()


def child_peers(folder: Path, ordinal_n: int) -> None:
    import warnings

    warnings.simplefilter("ignore")
    steps = Steps()
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm
    from lifelines import KaplanMeierFitter, WeibullAFTFitter
    from scipy import stats
    from statsmodels.genmod import cov_struct
    from statsmodels.genmod.generalized_estimating_equations import GEE, OrdinalGEE

    steps.done("import")
    # --- read and check (no personal-data guard, no mapping, no row accounting) -------
    people = pd.read_csv(folder / "cohort.csv", dtype={"participant_id": str})
    waves = pd.read_csv(folder / "waves.csv", dtype={"participant_id": str, "wave": str})
    flags = ["responded", "promoted", "role_change", "employer_change",
             "joined_mentor_organisation", "in_contact_with_mentor"]  # fmt: skip
    for col in flags:
        waves[col] = waves[col].map({True: True, False: False, "True": True, "False": False})
    problems = {
        "unknown": ~waves["participant_id"].isin(people["participant_id"]),
        "duplicate": waves.duplicated(["participant_id", "months"], keep=False),
        "order": waves.groupby("participant_id", sort=False)["months"].diff() < 0,
        "level": ~waves["current_level"].between(1, 6) & waves["current_level"].notna(),
        "satisfaction": ~waves["career_satisfaction"].between(1, 5)
        & waves["career_satisfaction"].notna(),
        "answer without response": waves[list(OUTCOMES)].notna().any(axis=1)
        & (waves["responded"] == False),  # noqa: E712
    }
    bad = {k: int(v.sum()) for k, v in problems.items() if v.any()}
    if bad:
        raise SystemExit(f"follow-up problems: {bad}")
    waves = waves.sort_values(["participant_id", "months"], kind="stable", ignore_index=True)
    steps.done("load + validate")

    # --- intervals ------------------------------------------------------------------
    seen = waves[(waves["responded"] == True) & waves["promoted"].notna()]  # noqa: E712
    seen = seen[["participant_id", "months", "promoted"]]
    right = seen[seen["promoted"] == True].groupby("participant_id")["months"].min()  # noqa: E712
    seen = seen.join(right.rename("first"), on="participant_id")
    before = seen[~(seen["months"] >= seen["first"])]
    left = before.groupby("participant_id")["months"].max()
    iv = pd.concat([left.rename("left"), right.rename("right")], axis=1)
    iv["left"] = iv["left"].fillna(0.0)
    iv["right"] = iv["right"].fillna(np.inf)
    bold = pd.read_csv(folder / "bold.csv", dtype={"participant_id": str})
    people = people.merge(bold, on="participant_id", how="left")
    iv = iv.join(people.set_index("participant_id")[["gender", "bold_choice"]])
    steps.done("promotion intervals")

    # lifelines reads [lower, upper] as closed; promotion lies in (left, right], so the
    # lower bounds move just past the wave (else a wave month is both a left and a right
    # end and the NPMLE puts its mass on the wave months themselves).
    surv24 = {}
    for g, part in iv.groupby("gender"):
        km = KaplanMeierFitter().fit_interval_censoring(part["left"] + 1e-6, part["right"])
        sf = km.survival_function_["NPMLE_estimate_lower"]
        surv24[g] = float(sf[sf.index <= 24].iloc[-1])
    steps.done("Turnbull by gender")
    steps.times["interval test"] = float("nan")  # no peer

    d = iv.dropna(subset=["bold_choice"]).copy()
    x = pd.get_dummies(d["gender"]).drop(columns="man").astype(float)
    x["bold"] = d["bold_choice"].map({True: 1.0, False: 0.0, "True": 1.0, "False": 0.0})
    x["left"], x["right"] = d["left"].to_numpy(), d["right"].to_numpy()
    aft = WeibullAFTFitter().fit_interval_censoring(x, "left", "right")
    steps.done("Weibull model")
    rho = float(np.exp(aft.params_.loc[("rho_", "Intercept")]))  # shape = 1 / sigma
    hr = np.exp(-aft.params_.loc["lambda_"] * rho)

    # --- trajectories ---------------------------------------------------------------
    answered = waves[(waves["responded"] == True) & waves["current_level"].notna()]  # noqa: E712
    long = pd.concat(
        [
            people[["participant_id", "participant_level"]]
            .rename(columns={"participant_level": "current_level"})
            .assign(months=0.0),
            answered[["participant_id", "months", "current_level"]],
        ],
        ignore_index=True,
    ).merge(people[["participant_id", "gender"]], on="participant_id")
    long = long.dropna(subset=["current_level"]).sort_values(
        ["participant_id", "months"], ignore_index=True
    )
    table = long.groupby(["months", "gender"])["current_level"].agg(["count", "mean", "std"])
    half = stats.t.ppf(0.975, table["count"] - 1) * table["std"] / np.sqrt(table["count"])
    table["ci_low"], table["ci_high"] = table["mean"] - half, table["mean"] + half
    steps.done("trajectory table")

    def design(frame: pd.DataFrame, intercept: bool) -> pd.DataFrame:
        dummies = pd.get_dummies(frame["gender"]).drop(columns="man").astype(float)
        out = dummies.assign(months=frame["months"].to_numpy())
        for g in dummies.columns:
            out[f"{g}:months"] = dummies[g] * frame["months"].to_numpy()
        return sm.add_constant(out) if intercept else out

    groups = pd.factorize(long["participant_id"])[0]
    gauss = GEE(long["current_level"], design(long, True), groups,
                cov_struct=cov_struct.Exchangeable()).fit(maxiter=100, ctol=1e-8)  # fmt: skip
    steps.done("GEE Gaussian")
    ids = set(people["participant_id"].iloc[:ordinal_n])
    sub = long[long["participant_id"].isin(ids)].reset_index(drop=True)

    class Haldane(cov_struct.GlobalOddsRatio):  # type: ignore[misc]
        """0.5 added to a 2x2 table with an empty cell (what the package does)."""

        def pooled_odds_ratio(self, tables: list[Any]) -> float:
            tables = [t + 0.5 if (t == 0).any() else t for t in tables]
            return float(super().pooled_odds_ratio(tables))

    def ordinal_fit(structure: Any) -> float:
        model = OrdinalGEE(sub["current_level"], design(sub, False),
                           pd.factorize(sub["participant_id"])[0], cov_struct=structure)  # fmt: skip
        return float(model.fit(maxiter=100, ctol=1e-8).params["woman:months"])

    failure = None
    try:
        ordinal_value = ordinal_fit(cov_struct.GlobalOddsRatio("ordinal"))
    except Exception as exc:  # a peer failure is a result
        failure = f"{type(exc).__name__}: {exc}"
        steps.done("GEE ordinal, plain statsmodels (failed)")
        ordinal_value = ordinal_fit(Haldane("ordinal"))
    steps.done(f"GEE ordinal (first {ordinal_n:,})")
    if failure:
        steps.checks["ordinal failed"] = failure

    # --- attrition: complete cases and IPW at the last wave (baseline response model,
    #     as the package uses when people skip waves) -----------------------------------
    last = waves["months"].max()
    ever = (
        waves[(waves["responded"] == True) & (waves["months"] <= last)]  # noqa: E712
        .groupby("participant_id")["promoted"]
        .apply(lambda s: bool((s == True).any()))  # noqa: E712
    )
    at_last = waves[waves["months"] == last].set_index("participant_id")["responded"]
    base = people.set_index("participant_id")[["gender", "participant_level"]].dropna()
    base = base.join(at_last.rename("r")).fillna({"r": False})
    xr = sm.add_constant(
        pd.get_dummies(base["gender"]).drop(columns="man").astype(float)
        .assign(level=base["participant_level"].astype(float))
    )  # fmt: skip
    r = base["r"].astype(float).to_numpy()
    p = sm.Logit(r, xr).fit(disp=0).predict(xr)
    weight = r.mean() / p
    lo, hi = np.quantile(weight[r == 1], [0.01, 0.99])
    base["w"] = np.clip(weight, lo, hi)
    resp = base[base["r"] == 1].join(ever.rename("y"))
    resp["y"] = resp["y"].fillna(False).astype(float)
    ipw = {}
    for g, part in resp.groupby("gender"):
        w, y = part["w"].to_numpy(), part["y"].to_numpy()
        est = float(np.sum(w * y) / np.sum(w))
        se = float(np.sqrt(np.sum(w**2 * (y - est) ** 2)) / np.sum(w))
        ipw[g] = (est, se)
    steps.done("attrition sensitivity")

    steps.checks = {
        "people with intervals": len(iv),
        "S(24) woman": surv24["woman"],
        "S(24) man": surv24["man"],
        "interval test p": None,
        "Weibull HR woman": float(hr["woman"]),
        "Weibull HR bold": float(hr["bold"]),
        "GEE woman x months": float(gauss.params["woman:months"]),
        "ordinal woman x months (log)": ordinal_value,
        "IPW promoted, women": ipw["woman"][0],
        "IPW promoted, men": ipw["man"][0],
    }
    steps.report()


# --------------------------------------------------------------------------------------
# Parent
# --------------------------------------------------------------------------------------


def run(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a child; wall, CPU (user + sys) and peak RSS from its own rusage (os.wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if code != 0:
        sys.stderr.write(stderr)
        raise SystemExit(f"command failed ({code}): {' '.join(cmd)}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    result.update(
        wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_gb=usage.ru_maxrss * 1024 / 1e9
    )
    return result


def peers_python() -> str | None:
    """The peers' interpreter, creating the venv on first use; None (with the reason) if not."""
    py = PEERS_VENV / "bin" / "python"
    if not py.exists():
        print(f"creating {PEERS_VENV} with pip install {' '.join(PEERS_PACKAGES)} ...")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
            subprocess.run([str(py), "-m", "pip", "install", "-q", *PEERS_PACKAGES], check=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            print(f"peers skipped: could not create the peers' environment ({exc}).")
            return None
    check = subprocess.run(
        [
            str(py),
            "-c",
            "import lifelines, statsmodels, pandas; print(lifelines.__version__, "
            "statsmodels.__version__, pandas.__version__)",
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        print(f"peers skipped: lifelines/statsmodels do not import in {PEERS_VENV}:")
        print(check.stderr.strip().splitlines()[-1] if check.stderr.strip() else "")
        return None
    lifelines, statsmodels, pandas = check.stdout.split()
    print(f"peers: lifelines {lifelines}, statsmodels {statsmodels}, pandas {pandas}")
    return str(py)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}"


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def write_data(folder: Path, n: int, seed: int) -> None:
    import mentoranalytics as ma

    t0 = time.perf_counter()
    people = ma.simulate_cohort(n, rng=seed)
    waves = ma.simulate_waves(people, months=WAVE_MONTHS, rng=seed)
    people.to_csv(folder / "cohort.csv", index=False)
    waves.to_csv(folder / "waves.csv", index=False)
    # The peers get the derived bold choice ready-made (deriving boldness is not part of
    # the follow-up analysis timed here).
    bold = ma.derive_fields(people)
    bold[["participant_id", "bold_choice"]].to_csv(folder / "bold.csv", index=False)
    size = sum((folder / f).stat().st_size for f in ("cohort.csv", "waves.csv")) / 1e6
    print(
        f"data: {n:,} participants x {len(WAVE_MONTHS)} waves = {len(waves):,} follow-up rows "
        f"({int(waves['responded'].sum()):,} answered), seed {seed}; {size:.0f} MB of CSV "
        f"written in {time.perf_counter() - t0:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="participants")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ordinal-n", type=int, default=2_000,
                        help="participants of the ordinal GEE's subsample")  # fmt: skip
    parser.add_argument(
        "--peers", action="store_true", help="also run pandas+statsmodels+lifelines"
    )
    parser.add_argument("--child", choices=["mentoranalytics", "peers"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "mentoranalytics":
        return child_mentoranalytics(Path(args.dir), args.ordinal_n)
    if args.child == "peers":
        return child_peers(Path(args.dir), args.ordinal_n)

    print(f"machine: {machine()}; Python {platform.python_version()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}; load average at start: {load()}")
    peer_py = peers_python() if args.peers else None
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        write_data(Path(tmp), args.n, args.seed)
        common = ["--dir", tmp, "--ordinal-n", str(args.ordinal_n)]
        results["mentoranalytics"] = run(
            [sys.executable, __file__, "--child", "mentoranalytics", *common]
        )
        if peer_py:
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            results["peers"] = run([peer_py, __file__, "--child", "peers", *common], env=env)
    print(f"load average at end: {load()}")
    print()
    ma = results["mentoranalytics"]
    peer = results.get("peers")
    head = f"{'step':<30} {'mentoranalytics':>16}"
    head += f" {'peers':>10} {'peers / ma':>11}" if peer else ""
    print(head)
    for step, t in ma["times"].items():
        line = f"{step:<30} {t:14.2f} s"
        if peer:
            key = step if step in peer["times"] else None
            pt = peer["times"].get(key, float("nan")) if key else float("nan")
            line += (
                " "
                + ("   no peer" if pt != pt else f"{pt:8.2f} s")
                + (f" {pt / t:10.2f}x" if pt == pt and t > 0 else "")
            )
        print(line)

    if peer:
        for step, pt in peer["times"].items():
            if step not in ma["times"]:
                print(f"{step:<30} {'':>16} {pt:8.2f} s   (peers only)")

    def total(r: dict[str, Any]) -> str:
        return f"{r['wall']:.1f} s wall / {r['cpu']:.1f} s CPU, peak {r['rss_gb']:.2f} GB"

    print(f"{'child process, in all':<30} mentoranalytics {total(ma)}")
    if peer:
        print(f"{'':<30} peers           {total(peer)}")
        print(f"{'':<30} peers / mentoranalytics (wall): {peer['wall'] / ma['wall']:.2f}x")
    print()
    print("checks (the same quantities from both, to see that they did the same work):")

    def fmt(x: Any) -> str:
        return "-" if x is None else (f"{x:.4g}" if isinstance(x, float) else str(x))

    for k, v in ma["checks"].items():
        pv = peer["checks"].get(k) if peer else None
        print(f"  {k:<32} {fmt(v):>12}" + (f" {fmt(pv):>12}" if peer else ""))
    if peer and "ordinal failed" in peer["checks"]:
        print(
            "  peers' ordinal GEE with statsmodels' GlobalOddsRatio failed "
            f"({peer['checks']['ordinal failed']}); timed with 0.5 added to empty cells, "
            "as the package does"
        )
    verdict = "meets" if ma["wall"] < 60 else "misses"
    print(
        f"\ntarget: mentoranalytics well under a minute in all -> {verdict} it ({ma['wall']:.1f} s)"
    )


if __name__ == "__main__":
    main()
