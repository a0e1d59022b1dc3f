"""Benchmark: 1,000 bootstrap draws of the primary comparison (issue 18 part 3), fast path vs the pandas path.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/primary_bootstrap_bench.py [--demo WORKSPACE] [--runs 3]

Times :func:`analysis.comparison.primary_risk` with 1,000 draws (design built
once, rows of arrays resampled within prison x group, warm-started IRLS, one
BLAS thread) - wall clock and CPU time, median of ``--runs`` - on a demo
workspace if given (the chapter's own calls) or else on one simulated cohort of
the calibration study (2,465 people, ten prisons). The reference is the
earlier path each draw took: resampling the data frame with pandas and
refitting the propensity model with statsmodels' GLM (``fit_propensity``),
timed on 50 draws and scaled to 1,000. Both give the same point estimate; the
fast path gives identical draws for a given seed. Synthetic data only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from analysis.comparison import primary_risk, propensity_score  # noqa: E402
from analysis.comparison._fast import cif_at  # noqa: E402
from analysis.comparison.propensity import fit_propensity  # noqa: E402


def _propensity(demo: Path | None):
    if demo is None:
        from analysis.comparison.calibration import COVARIATES, simulate_cohort, structure

        d = simulate_cohort(np.random.default_rng(1), hr=0.7, ps=structure())
        return propensity_score(d, covariates=COVARIATES, site="site")
    from analysis.comparison import (DEFAULT_PS_COVARIATES, TIMING_COVARIATES, add_timing_covariates,
                                     comparison_eligibility)
    from analysis.recidivism import build_cohort, derive_participation
    from evaluation.book import context

    ctx = context(demo)
    o, c = ctx.outcomes(), ctx.contacts()
    part = derive_participation(build_cohort(o).data, c)
    el = comparison_eligibility(add_timing_covariates(part.data, c), c, exposure="days_exposed")
    rel = tuple(x for x in ("release_type", "residence_status", "opioid_substitution")
                if x in part.data and part.data[x].notna().any())
    return propensity_score(el.data, covariates=DEFAULT_PS_COVARIATES + ("index_offence",) + rel + TIMING_COVARIATES,
                            site="site")


def _pandas_path(ps, draws: int, seed: int = 1) -> float:
    d = ps.data.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    cells = [ix for ix in d.groupby([ps.spec.site, "treated"]).indices.values()]
    t0 = time.perf_counter()
    for _ in range(draws):
        b = d.iloc[np.concatenate([rng.choice(ix, len(ix)) for ix in cells])].reset_index(drop=True)
        _, w, _, _, notes = fit_propensity(b, ps.spec)
        z = notes["z"]
        for sel in (z, ~z):
            cif_at(b["duration"].to_numpy(float)[sel], b["status"].to_numpy()[sel], w[sel], 365.0)
    return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=None, help="a demo workspace (peer-eval demo)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    ps = _propensity(args.demo)
    wall, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        r = primary_risk(ps, n_boot=1000, seed=20240611)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    again = primary_risk(ps, n_boot=1000, seed=20240611)
    same = bool(r.boot.equals(again.boot))
    ref = _pandas_path(ps, 50) * 1000 / 50
    print(f"data: {'demo ' + str(args.demo) if args.demo else 'simulated cohort'}; {len(ps.data)} people; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"fast path, 1,000 draws: wall {statistics.median(wall):.2f} s, CPU {statistics.median(cpu):.2f} s "
          f"(median of {args.runs}); identical draws for the same seed: {same}")
    print(f"pandas + statsmodels path, scaled from 50 draws: {ref:.1f} s wall -> {ref / statistics.median(wall):.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
