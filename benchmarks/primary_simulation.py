"""Simulation study: type-I error and coverage of the primary result's intervals (issue 12 part 3).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/primary_simulation.py \
        [--reps 1000] [--boot-reps 200] [--boot 500] [--exploratory-reps 0] [--seed 2026] [--out results.csv]

Runs :func:`analysis.comparison.calibration.calibrate`: ten fixed prisons of
unequal size with their own baseline risk and participation, observed
confounding, a true null (hazard ratio 1) and a true effect (0.7). Every
replicate runs the chapter's own calls (``propensity_score(..., site=)`` and
``primary_risk``). Prints, per scenario and interval, the share of intervals
excluding no effect (type-I error under the null) and the coverage of the
true ATT risk difference and ratio, with Monte-Carlo standard errors, and the
wall-clock time. Synthetic data only; no reference tool is run (the truth
comes from the generating model).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.comparison.calibration import calibrate  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--boot-reps", type=int, default=200)
    ap.add_argument("--boot", type=int, default=500)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--exploratory-reps", type=int, default=0,
                    help="also check the chapter's exploratory intervals on this many replicates")
    ap.add_argument("--out", type=Path, default=None, help="write every replicate's intervals to this CSV")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = calibrate(args.reps, n_boot=args.boot, n_boot_reps=args.boot_reps, seed=args.seed,
                    exploratory_reps=args.exploratory_reps)
    took = time.perf_counter() - t0
    s = res.summary.copy()
    for c in ("miss", "excludes_null", "coverage", "miss_se"):
        s[c] = (100 * s[c]).round(2)
    print(s[["replicates", "truth", "mean_estimate", "excludes_null", "coverage", "miss_se", "mean_width"]]
          .round(3).to_string())
    print("\n".join(res.remarks))
    print(f"wall clock {took:.0f} s")
    if args.out:
        res.replicates.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
