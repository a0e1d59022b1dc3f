"""Benchmark of ``peer-eval build`` on the demo workspace (issue 4, "Performance").

Targets on the 2-core CI machine: a cold build within 90 s; a rebuild with
nothing changed within 10 s, executing no chapter; after one new submission,
only the chapters that load that instrument are executed again.

    .venv/bin/python benchmarks/book_bench.py [--scale full|small] [--keep DIR] [--jobs N]

The demo's pseudonymisation key is thrown away after the demo is made, so the
"new submission" (an extra staff questionnaire, which holds no identifiers)
is made with a fresh key after clearing the workspace's recorded key
fingerprint — acceptable for a throwaway demo workspace only.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="full", choices=["full", "small"])
    ap.add_argument("--keep", metavar="DIR", help="make the demo workspace here and keep it")
    ap.add_argument("--jobs", type=int, metavar="N", help="chapters executed at a time (default: the build's)")
    args = ap.parse_args()

    from evaluation.build import build_book
    from evaluation.build.chapters import discover
    from evaluation.demo import run_demo
    from evaluation.instruments import Catalogue
    from evaluation.instruments.synthetic import synthetic_responses
    from evaluation.intake.pseudonymise import PseudonymKey
    from evaluation.intake.submit import submit_file

    tmp = Path(tempfile.mkdtemp(prefix="book-bench-"))
    root = Path(args.keep) if args.keep else tmp / "demo-workspace"
    try:
        t0 = time.perf_counter()
        demo = run_demo(root, scale=args.scale, out=lambda _m: None)
        print(f"demo workspace ({args.scale}): {time.perf_counter() - t0:.1f} s")
        ws = demo.workspace

        t0 = time.perf_counter()
        cold = build_book(ws, force=True, jobs=args.jobs)
        t_cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = build_book(ws, jobs=args.jobs)
        t_warm = time.perf_counter() - t0

        ws.config["key"] = None  # see the module docstring
        ws.save_config()
        frame = synthetic_responses(Catalogue().instrument("staff"), 12, site="P01", seed=4242)
        path = tmp / "staff_extra_P01.csv"
        frame.to_csv(path, index=False)
        report = submit_file(path, site="P01", workspace=ws, key=PseudonymKey.generate(), append=True)
        print(f"new submission: staff, P01 -> {report.status}")
        t0 = time.perf_counter()
        after = build_book(ws, jobs=args.jobs)
        t_after = time.perf_counter() - t0
        expect = sorted(c.name for c in discover() if c.exists and c.has_code
                        and (c.loads_all or "staff" in c.loads))

        print("\nresults")
        from evaluation.build.book import default_jobs

        print(f"  cold build:            {t_cold:6.1f} s  (target 90 s)  executed {len(cold.executed)} chapters "
              f"in {cold.passes} pass(es), {args.jobs or default_jobs()} at a time")
        for name, sec in cold.timings.items():  # chapter times overlap when executed in parallel
            print(f"      {name:<18} {sec:6.1f} s")
        print(f"  rebuild, no change:    {t_warm:6.1f} s  (target 10 s)  executed {warm.executed}")
        print(f"  after one submission:  {t_after:6.1f} s  executed {sorted(after.executed)}; "
              f"expected {expect}")
        ok = t_cold <= 90 and t_warm <= 10 and not warm.executed and sorted(after.executed) == expect
        print("all targets met" if ok else "TARGET MISSED")
        return 0 if ok else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
