"""Simulation study: coverage of the themes chapter's kappa intervals (issue 13).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/themes_calibration.py \
        [--reps 1000] [--seed 2026] [--out replicates.csv] [--record]

Runs :func:`analysis.themes.calibration.calibrate`: ten fixed prisons with 1 to
4 double-coded transcripts each, their own prevalence of the theme and their
own difficulty for the second coder; paragraphs of one transcript share the
coder's slips. Every replicate runs the chapter's own calls (``cohen_kappa``'s
Wald interval and ``cluster_bootstrap_kappa``) on transcripts and on
paragraphs, and the summary gives each interval's coverage of the population
kappa with its Monte-Carlo SE and the wall-clock time. ``--record`` rewrites
``analysis/themes/_calibration_record.py``, the run the themes chapter
publishes (``calibration.published()``). Synthetic data only.
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

from analysis.themes.calibration import calibrate, record_source  # noqa: E402

RECORD = Path(__file__).resolve().parents[1] / "analysis" / "themes" / "_calibration_record.py"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", type=Path, default=None, help="write every replicate's intervals to this CSV")
    ap.add_argument("--record", action="store_true", help=f"write the published record ({RECORD.name})")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    res = calibrate(args.reps, seed=args.seed)
    took = time.perf_counter() - t0
    s = res.summary.copy()
    for c in ("coverage", "undefined", "miss_se"):
        s[c] = (100 * s[c]).round(2)
    print(s.round(3).to_string())
    print("\n".join(res.remarks))
    print(f"wall clock {took:.0f} s, CPU {time.process_time():.0f} s")
    if args.out:
        res.replicates.to_csv(args.out, index=False)
    if args.record:
        cmd = f"OPENBLAS_NUM_THREADS=1 python benchmarks/themes_calibration.py --reps {args.reps} --seed {args.seed}"
        RECORD.write_text(record_source(res, n_reps=args.reps, seed=args.seed, command=cmd), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
