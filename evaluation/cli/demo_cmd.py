"""``peer-eval demo WORKSPACE``: create the synthetic demo evaluation (fictional sites and people)."""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]

EPILOG = """Everything in the demo is synthetic: ten fictional prisons (P01-P10), made-up people and
numbers. The files are written the way coordinators would (.sav, .xlsx, semicolon CSV) into
WORKSPACE/incoming/ and submitted through the real intake; one faulty file is rejected on purpose.
A throwaway pseudonymisation key is generated and never stored. The true effects the data were
generated with are in WORKSPACE/demo_truth.yaml.

examples:
  peer-eval demo ./demo-workspace
  peer-eval demo /tmp/demo --scale small --sites 4 --seed 7
"""


def register(sub) -> None:
    p = sub.add_parser("demo", help="create the synthetic demo evaluation (fictional data) in a new workspace",
                       description="Create a new workspace holding a synthetic demo evaluation, submitted "
                                   "through the real intake. Exit code 1 if a file did not end as expected.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workspace", metavar="WORKSPACE", help="a new (or empty) folder for the demo workspace")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the demo's fixed seed)")
    p.add_argument("--sites", type=int, default=10, help="number of fictional sites, 1-10 (default 10)")
    p.add_argument("--scale", choices=["small", "full"], default="full",
                   help="full (default): ~80-150 detainees and ~300 releases per site; small: for quick tests")
    p.set_defaults(func=_demo)


def _demo(args) -> int:
    from evaluation.demo import DEFAULT_SEED, run_demo
    from evaluation.store import WorkspaceError

    try:
        result = run_demo(args.workspace, seed=DEFAULT_SEED if args.seed is None else args.seed,
                          sites=args.sites, scale=args.scale)
    except (WorkspaceError, ValueError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0 if all(f.status == f.expect for f in result.files) else 1
