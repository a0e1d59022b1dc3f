"""Simulation study: type-I error and coverage of the primary result's intervals (issue 12 part 3).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/primary_simulation.py \
        [--reps 1000] [--boot-reps 200] [--boot 500] [--exploratory-reps 0] [--seed 2026] [--out results.csv]
        [--hr 1 --hr 0.7] [--start 0]
    .venv/bin/python benchmarks/primary_simulation.py --record piece1.csv piece2.csv ... --command "..."

``--record`` combines the replicate files of a run done in pieces (``--hr``, ``--start``, ``--out``)
into ``analysis/comparison/_calibration_record.py``, the record the methods and reoffending chapters
publish and ``tests/analysis/comparison/test_calibration.py`` re-runs at a few replicates.

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

from analysis.comparison.calibration import calibrate, record_source  # noqa: E402

RECORD = Path(__file__).resolve().parents[1] / "analysis" / "comparison" / "_calibration_record.py"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--boot-reps", type=int, default=200)
    ap.add_argument("--boot", type=int, default=500)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--exploratory-reps", type=int, default=0,
                    help="also check the chapter's exploratory intervals on this many replicates")
    ap.add_argument("--out", type=Path, default=None, help="write every replicate's intervals to this CSV")
    ap.add_argument("--hr", type=float, action="append", default=None,
                    help="scenario hazard ratio(s) (default 1 and 0.7)")
    ap.add_argument("--start", type=int, default=0, help="first replicate (a run in pieces)")
    ap.add_argument("--weighted-boot", type=int, default=200,
                    help="bootstrap draws of the weighted comparison (the chapter's)")
    ap.add_argument("--record", type=Path, nargs="+", default=None,
                    help="combine these replicate CSVs (with their .json sidecars) into the published record")
    ap.add_argument("--command", default="", help="with --record: the command(s) that made the pieces")
    ap.add_argument("--weighted-hr-only", action="store_true",
                    help="only the weighted hazard ratio's influence-function interval (same cohorts)")
    args = ap.parse_args(argv)
    if args.record:
        RECORD.write_text(record_source(args.record, command=args.command), encoding="utf-8")
        print(f"wrote {RECORD}")
        return 0
    t0 = time.perf_counter()
    if args.weighted_hr_only:
        import json

        from analysis.comparison.calibration import calibrate_weighted_hr, summarise

        reps = calibrate_weighted_hr(args.reps, hrs=tuple(args.hr or (1.0, 0.7)), seed=args.seed, start=args.start)
        took = time.perf_counter() - t0
        print(summarise(reps).round(4).to_string())
        print(f"wall clock {took:.0f} s")
        if args.out:
            reps.to_csv(args.out, index=False)
            args.out.with_suffix(".json").write_text(json.dumps({"seconds": took, "seed": args.seed, "truths": {}}),
                                                     encoding="utf-8")
        return 0
    res = calibrate(args.reps, n_boot=args.boot, n_boot_reps=args.boot_reps, seed=args.seed,
                    exploratory_reps=args.exploratory_reps, hrs=tuple(args.hr or (1.0, 0.7)), start=args.start,
                    n_boot_weighted=args.weighted_boot)
    took = time.perf_counter() - t0
    s = res.summary.copy()
    for c in ("miss", "excludes_null", "coverage", "miss_se"):
        s[c] = (100 * s[c]).round(2)
    print(s[["replicates", "truth", "mean_estimate", "excludes_null", "coverage", "miss_se", "mean_width"]]
          .round(3).to_string())
    print("\n".join(res.remarks))
    print(f"wall clock {took:.0f} s")
    if args.out:
        import json

        res.replicates.to_csv(args.out, index=False)
        args.out.with_suffix(".json").write_text(json.dumps(
            {"seconds": took, "seed": args.seed, "truths": {str(k): {a: float(b) for a, b in v.items()}
                                                           for k, v in res.truths.items()}}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
