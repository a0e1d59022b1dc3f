"""Benchmark: the reoffending chapter's survival analyses, here and in R's survival, side by side.

    .venv/bin/python benchmarks/recidivism_bench.py [--sizes 10000,100000,1000000] [--repeats 3] [--no-r]

What both sides run (the calls the reoffending chapter makes, on the same CSV file):

=====================  ==========================================================  =========================================
step                   project (analysis.recidivism)                               reference: R survival (Rscript, same run)
=====================  ==========================================================  =========================================
km                     kaplan_meier(d, group="group", times=(365,))                survfit(Surv(duration, event) ~ group);
                                                                                   summary(fit, times = 365)
logrank                logrank_test(d)                                             survdiff(Surv ~ group)
logrank_strata         logrank_test(d, strata="site")                              survdiff(Surv ~ group + strata(site))
cox                    cox_model(d, site_as=None)  (Efron; PH check included)      coxph(Surv ~ group + 5 covariates); cox.zph
cox_strata             cox_model(d, site_as="strata")                              coxph(... + strata(site)); cox.zph
cox_cluster            cox_model(d, site_as="cluster", n_boot=9999)                coxph(..., cluster = site); cox.zph
=====================  ==========================================================  =========================================

The project's Cox steps do more than R's: every ``cox_model`` also runs the
proportional-hazards check, the null model's score test and, with clusters,
the wild cluster bootstrap (9,999 draws); R's ``coxph`` also computes the
concordance (the project computes it when ``.concordance`` is first read).
Data: synthetic release episodes (no real person), ten prisons of unequal
size, five covariates (age, sex, prior incarcerations, sentence length,
primary substance with four levels), integer days up to 730, about 40%
reoffences, seeded. Each tool runs in its own long-lived process per size
(one ``Rscript``, one Python child with one BLAS thread, as in chapter
kernels; reading the CSV is not timed) and the two are driven step by step
in alternated rounds (project, R, then R, project, ...), ``--repeats`` rounds
per step, so both see the same load; medians of wall-clock and CPU time
(user + system) are reported. R's cluster-robust Cox grows much faster than
linearly (57 s at 100,000 on this machine), so it is run only up to
``--r-cluster-max`` episodes (default 100,000). Both sides must agree:
survival at 365 days, log-rank chi-squares, coefficients, SEs, robust SEs
and the cox.zph global chi-square (the largest relative difference is
printed). The project's peak memory (max RSS of its child) is printed per size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COVS = ("age_at_release", "sex", "prior_incarcerations", "sentence_months", "primary_substance")
STEPS = {
    "km": "Kaplan-Meier by group",
    "logrank": "log-rank",
    "logrank_strata": "log-rank stratified by prison",
    "cox": "Cox plain + PH check",
    "cox_strata": "Cox strata(prison) + PH check",
    "cox_cluster": "Cox cluster(prison) + PH check",
}

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
d <- read.csv(commandArgs(TRUE)[1], stringsAsFactors = TRUE)
f <- Surv(duration, event) ~ group + age_at_release + sex + prior_incarcerations + sentence_months + primary_substance
cx <- function(fit) list(fit = fit, zph = cox.zph(fit))
steps <- list(
  km = function() { fit <- survfit(Surv(duration, event) ~ group, data = d); summary(fit, times = 365) },
  logrank = function() survdiff(Surv(duration, event) ~ group, data = d),
  logrank_strata = function() survdiff(Surv(duration, event) ~ group + strata(site), data = d),
  cox = function() cx(coxph(f, data = d)),
  cox_strata = function() cx(coxph(update(f, . ~ . + strata(site)), data = d)),
  cox_cluster = function() cx(coxph(f, data = d, cluster = site)))
vec <- function(v) paste0("[", paste(sprintf("%.17g", v), collapse = ", "), "]")
checks <- function(key, o) {
  if (key == "km") return(sprintf('{"surv365": %s}', vec(o$surv)))
  if (startsWith(key, "logrank")) return(sprintf('{"chisq": %s}', vec(o$chisq)))
  v <- if (is.null(o$fit$naive.var)) o$fit$var else o$fit$naive.var
  out <- sprintf('"coef": %s, "se": %s, "zph": %s', vec(coef(o$fit)), vec(sqrt(diag(v))),
                 vec(o$zph$table["GLOBAL", "chisq"]))
  if (!is.null(o$fit$naive.var)) out <- paste0(out, sprintf(', "robust_se": %s', vec(sqrt(diag(o$fit$var)))))
  paste0("{", out, "}")
}
last <- list()
con <- file("stdin"); open(con)
cat("ready\n"); flush(stdout())
while (length(line <- readLines(con, n = 1)) > 0) {
  words <- strsplit(line, " ")[[1]]
  if (words[1] == "run") {
    tt <- system.time(last[[words[2]]] <- steps[[words[2]]]())
    cat(sprintf('{"wall": %.6f, "cpu": %.6f}\n', tt[["elapsed"]], tt[["user.self"]] + tt[["sys.self"]]))
  } else if (words[1] == "check") {
    cat(checks(words[2], last[[words[2]]]), "\n")
  } else break
  flush(stdout())
}
"""


def make_data(n: int, seed: int):
    """Synthetic release episodes: ten prisons, five covariates, integer days, ~40% reoffences."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    sizes = np.array([3, 5, 8, 10, 12, 14, 16, 18, 22, 28], dtype=float)
    site = rng.choice(10, size=n, p=sizes / sizes.sum())
    part_rate = np.linspace(0.2, 0.4, 10)[site]
    group = np.where(rng.random(n) < part_rate, "participant", "non-participant")
    age = np.round(rng.normal(34, 9, n).clip(18, 75), 1)
    sex = np.where(rng.random(n) < 0.93, "male", "female")
    prior = rng.poisson(1.5, n)
    sentence = np.round(rng.gamma(2.0, 9.0, n), 1)
    substance = rng.choice(["alcohol", "cocaine", "heroin", "none"], size=n, p=[0.25, 0.25, 0.15, 0.35])
    lp = (np.log(0.8) * (group == "participant") - 0.02 * (age - 34) + 0.15 * (sex == "male") + 0.12 * prior
          + 0.004 * sentence + 0.3 * (substance == "heroin") + 0.15 * (substance == "cocaine")
          + np.linspace(-0.3, 0.3, 10)[site])
    event_time = rng.exponential(1.0 / (0.0009 * np.exp(lp)))
    censor = rng.uniform(30, 730, n)
    duration = np.ceil(np.minimum(event_time, censor)).astype(int)
    event = (event_time <= censor).astype(int)
    return pd.DataFrame({"site": np.char.add("P", np.char.zfill(site.astype(str), 2)), "group": group,
                         "duration": duration, "event": event, "age_at_release": age, "sex": sex,
                         "prior_incarcerations": prior, "sentence_months": sentence, "primary_substance": substance})


def worker(csv: str) -> None:
    """Child process: the project's side on one CSV file, driven by lines on stdin (as the R side)."""
    import pandas as pd

    from analysis.recidivism import cox_model, kaplan_meier, logrank_test

    d = pd.read_csv(csv)
    calls = {
        "km": lambda: kaplan_meier(d, group="group", times=(365,)),
        "logrank": lambda: logrank_test(d),
        "logrank_strata": lambda: logrank_test(d, strata="site"),
        "cox": lambda: cox_model(d, covariates=COVS, site_as=None),
        "cox_strata": lambda: cox_model(d, covariates=COVS, site_as="strata"),
        "cox_cluster": lambda: cox_model(d, covariates=COVS, site_as="cluster", n_boot=9999),
    }
    last = {}
    print("ready", flush=True)
    for line in sys.stdin:
        cmd, *rest = line.split()
        if cmd == "run":
            key = rest[0]
            last.pop(key, None)
            w0, c0 = time.perf_counter(), time.process_time()
            last[key] = calls[key]()
            out = {"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0}
            if key.startswith("cox"):  # R's coxph always computes it; here it is computed when first read
                w0 = time.perf_counter()
                last[key].concordance
                out["concordance_wall"] = time.perf_counter() - w0
        elif cmd == "check":
            val = last[rest[0]]
            if rest[0] == "km":
                out = {"surv365": val.survival_at["surv"].tolist()}
            elif rest[0].startswith("logrank"):
                out = {"chisq": [val.chisq]}
            else:
                s = val.summary
                out = {"coef": s["coef"].tolist(), "se": s["se"].tolist(),
                       "zph": [float(val.ph_test.loc["GLOBAL", "chisq"])]}
                if "se_robust" in s:
                    out["robust_se"] = s["se_robust"].tolist()
        else:
            out = {"max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        print(json.dumps(out), flush=True)
        if cmd not in ("run", "check"):
            break


class Child:
    """A worker process answering one JSON line per command."""

    def __init__(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        assert self.proc.stdout.readline().strip() == "ready"

    def ask(self, line: str) -> dict:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self, last: str | None = "quit"):
        out = self.ask(last) if last and self.proc.poll() is None else {}
        self.proc.stdin.close()
        self.proc.wait()
        return out


def max_rel_diff(a, b) -> float:
    import numpy as np

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated numbers of episodes")
    ap.add_argument("--repeats", type=int, default=3, help="runs per step; the median is reported")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--r-cluster-max", type=int, default=100_000,
                    help="largest size at which R's cluster-robust Cox is run")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    use_r = bool(not args.no_r and shutil.which("Rscript"))
    # chapter kernels run with one BLAS thread (evaluation.build); the project's side does the same here
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            data = make_data(n, args.seed)
            csv = Path(tmp) / f"episodes_{n}.csv"
            data.to_csv(csv, index=False)
            del data
            print(f"\n{n:,} episodes (load {os.getloadavg()[0]:.2f}):", flush=True)
            py = Child([sys.executable, __file__, "--worker", str(csv)], env=env)
            r = None
            if use_r:
                script = Path(tmp) / "bench.R"
                script.write_text(R_SCRIPT)
                r = Child(["Rscript", str(script), str(csv)])
            for key, label in STEPS.items():
                sides = {"py": py} if r is None or (key == "cox_cluster" and n > args.r_cluster_max) \
                    else {"py": py, "r": r}
                timing = {side: [] for side in sides}
                for rep in range(args.repeats):  # rounds alternated: py, R, then R, py, ...
                    order = list(sides) if rep % 2 == 0 else list(sides)[::-1]
                    for side in order:
                        timing[side].append(sides[side].ask(f"run {key}"))
                med = {side: (statistics.median(t["wall"] for t in timing[side]),
                              statistics.median(t["cpu"] for t in timing[side])) for side in sides}
                diff = float("nan")
                if "r" in sides:
                    mine, theirs = py.ask(f"check {key}"), r.ask(f"check {key}")
                    diff = max(max_rel_diff(mine[k], theirs[k]) for k in theirs)
                r_wall, r_cpu = med.get("r", (float("nan"), float("nan")))
                conc = [t["concordance_wall"] for t in timing["py"] if "concordance_wall" in t]
                rows.append((label, n, med["py"][0], r_wall, med["py"][1], r_cpu, diff))
                print(f"  {label:34s} project {med['py'][0]:8.3f} s  R {r_wall:8.3f} s  project/R "
                      f"{med['py'][0] / r_wall:5.2f} (CPU {med['py'][1] / r_cpu:5.2f})  max rel. diff {diff:.1e}"
                      + (f"  (+ concordance on first read {statistics.median(conc):.3f} s)" if conc else ""),
                      flush=True)
            rss = py.close()["max_rss_mib"]
            if r is not None:
                r.close(None)
            print(f"  project peak memory (max RSS of its process): {rss:.0f} MiB")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n| step | N | project (s) | R (s) | project / R (wall) | project / R (CPU) | max rel. diff |")
    print("|---|---|---|---|---|---|---|")
    for label, n, t_py, t_r, c_py, c_r, diff in rows:
        print(f"| {label} | {n:,} | {t_py:.3f} | {t_r:.3f} | {t_py / t_r:.2f} | {c_py / c_r:.2f} | {diff:.1e} |")
    bad = [(label, n) for label, n, *_, diff in rows if diff == diff and diff > 1e-5]
    if bad:
        print(f"\nDISAGREEMENT with R above 1e-5 in: {bad}")


if __name__ == "__main__":
    main()
