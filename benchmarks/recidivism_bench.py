"""Benchmark: the recidivism analysis on 100,000 simulated release episodes, against R's survival.

    .venv/bin/python benchmarks/recidivism_bench.py [--episodes 100000] [--no-r]

Times (wall clock, one run each) Kaplan-Meier by group, the site-stratified
log-rank test and a site-stratified Cox model (Efron ties) with robust SEs
clustered on the person, here and in R (``Rscript``, if installed) on the
same data in the same run, and prints both and their ratio. All data are
synthetic (``analysis.recidivism.simulate_outcomes``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.recidivism import (  # noqa: E402
    build_cohort,
    cox_model,
    derive_participation,
    kaplan_meier,
    logrank_test,
    simulate_outcomes,
)

COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = TRUE)
tm <- function(expr) unname(system.time(expr)["elapsed"])
t_km <- tm(fit <- survfit(Surv(duration, event) ~ group, data = d))
t_lr <- tm(lr <- survdiff(Surv(duration, event) ~ group + strata(site), data = d))
t_coxph <- tm(cx <- coxph(Surv(duration, event) ~ group + age_at_release + sex + prior_incarcerations +
                sentence_months + primary_substance + strata(site), data = d, cluster = pid))
t_zph <- tm(z <- cox.zph(cx))
t_cox <- t_coxph + t_zph
cat(sprintf("km %.4f\nlogrank %.4f\ncox %.4f\ncoxph %.4f\nzph %.4f\nchisq %.10g\ncoef %.10g\nrobust_se %.10g\n",
            t_km, t_lr, t_cox, t_coxph, t_zph,
            lr$chisq, coef(cx)[1], sqrt(diag(cx$var))[1]))
"""


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run_r(data, workdir):
    csv = Path(workdir) / "episodes.csv"
    script = Path(workdir) / "bench.R"
    data[["pid", "site", "group", "duration", "event", *COVS]].to_csv(csv, index=False)
    script.write_text(R_SCRIPT)
    t0 = time.perf_counter()
    proc = subprocess.run(["Rscript", str(script), str(csv)], capture_output=True, text=True, check=True)
    total = time.perf_counter() - t0
    vals = dict(line.split() for line in proc.stdout.strip().splitlines())
    return {k: float(v) for k, v in vals.items()}, total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args(argv)

    n_people = int(round(args.episodes / 1.10))  # ~15% second releases, minus releases too close to the extract
    (outcomes, contacts), t_sim = timed(lambda: simulate_outcomes(n_people, seed=args.seed))
    outcomes = outcomes.iloc[: args.episodes]
    cohort, t_cohort = timed(lambda: build_cohort(outcomes, episodes="all"))
    part, t_part = timed(lambda: derive_participation(cohort.data, contacts))
    data = part.data
    print(f"{len(outcomes):,} simulated release episodes -> {len(data):,} analysed, "
          f"{int(data['event'].sum()):,} reoffences, {data['site'].nunique()} sites")
    print(f"  (simulation {t_sim:.2f} s, cohort {t_cohort:.2f} s, participation {t_part:.2f} s)")

    ours = {}
    km, ours["km"] = timed(lambda: kaplan_meier(data, group="group"))
    lr, ours["logrank"] = timed(lambda: logrank_test(data, strata="site"))
    cx, ours["cox"] = timed(lambda: cox_model(data, covariates=COVS, site_as="strata", cluster="pid"))
    total_ours = t_cohort + t_part + sum(ours.values())

    r_times, r_total = None, None
    if not args.no_r and shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            r_times, r_total = run_r(data, tmp)

    labels = {"km": "Kaplan-Meier by group", "logrank": "log-rank stratified by site",
              "cox": "Cox, site strata, robust SEs (pid) + PH check"}
    print(f"\n{'step':48s} {'ours (s)':>9s} {'R (s)':>9s} {'ours/R':>8s}")
    for key, label in labels.items():
        r = r_times[key] if r_times else float("nan")
        print(f"{label:48s} {ours[key]:9.3f} {r:9.3f} {ours[key] / r if r_times else float('nan'):8.2f}")
    print(f"{'whole analysis incl. cohort and participation':48s} {total_ours:9.3f}")
    if r_times:
        print(f"{'  of which R coxph / cox.zph':48s} {'':9s} {r_times['coxph']:5.2f} / {r_times['zph']:.2f}")
        print(f"{'R process incl. start-up and reading the CSV':48s} {'':9s} {r_total:9.3f}")
        g = "group[participant]"
        print(f"\nagreement: log-rank chi2 {lr.chisq:.6f} vs R {r_times['chisq']:.6f}; "
              f"coef {cx.summary.loc[g, 'coef']:.6f} vs R {r_times['coef']:.6f}; "
              f"robust SE {cx.summary.loc[g, 'se_robust']:.6f} vs R {r_times['robust_se']:.6f}")
    else:
        print("\nRscript not found (or --no-r): R timings skipped")
    print(f"\nwhole analysis under 30 s: {'yes' if total_ours < 30 else 'NO'}")


if __name__ == "__main__":
    main()
