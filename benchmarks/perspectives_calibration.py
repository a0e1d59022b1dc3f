"""Coverage of the perspectives chapter's 95% intervals in a seeded simulation of this design.

    OPENBLAS_NUM_THREADS=1 nice python benchmarks/perspectives_calibration.py [--reps 1000] [--seed 2026] [--or-reps N] [--record]

Ten prisons with the demo's sizes and between-prison differences (see
:mod:`analysis.integration.calibration`). Prints coverage per interval with
its Monte-Carlo SE and the wall-clock time. ``--record`` rewrites
``analysis/integration/calibration_record.json``, the run the perspectives
chapter cites (a test re-runs the simulation at small reps).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.integration.calibration import simulate_perspectives  # noqa: E402

RECORD = Path(__file__).resolve().parents[1] / "analysis" / "integration" / "calibration_record.json"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--or-reps", type=int, default=None, help="replicates that fit the proportional-odds model "
                    "(the slow part; default all)")
    ap.add_argument("--record", action="store_true", help=f"write the published record ({RECORD.name})")
    args = ap.parse_args(argv)
    res = simulate_perspectives(args.reps, args.seed, or_reps=args.or_reps, progress=lambda r: print(f"  {r} replicates", flush=True))
    print(res.to_frame().to_string(index=False))
    print(f"{res.seconds:.0f} s")
    if args.record:
        cmd = f"OPENBLAS_NUM_THREADS=1 python benchmarks/perspectives_calibration.py --reps {args.reps} --seed {args.seed}" + (
            f" --or-reps {args.or_reps}" if args.or_reps else "") + " --record"
        RECORD.write_text(json.dumps({"command": cmd, "reps": args.reps, "seed": args.seed,
                                      "seconds": round(res.seconds), "rows": res.to_frame().to_dict("records")},
                                     indent=1) + "\n", encoding="utf-8")
        print(f"wrote {RECORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
