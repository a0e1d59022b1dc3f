"""Intake benchmark: submit a 100,000-row detainee .sav vs a bare pyreadstat.read_sav.

Run:  .venv/bin/python benchmarks/intake_bench.py [--rows 100000]

Prints, from one run: the time of a bare ``pyreadstat.read_sav`` of the file,
the time of ``submit_file`` (read + recognise + validate + pseudonymise +
store in one transaction), their ratio (target: at most 3x) and the peak
memory of the submit (target: under 1 GiB). The data are synthetic.

On a busy machine one timing says little, so the bare read and the submit
are measured ``--repeat`` times, alternately (each submit into a fresh
workspace): the ratio is that of the best times (as ``timeit`` advises),
and each round's ratio, wall-clock and CPU, is printed as well. The first
round includes the one-time imports of the intake modules.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyreadstat

from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import submit_file
from evaluation.store import Workspace


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3, help="rounds of (bare read, submit); default 3")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    cat = Catalogue()
    defn = cat.instrument("detainee")
    tmp = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    frame = synthetic_responses(defn, args.rows, site="P01", seed=1)
    labels = {i.name: {float(c.code): c.label["en"] for c in defn.choices[i.choices]}
              for i in defn.items if i.type == "single_choice"}
    path = tmp / "detainee_100k.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels, file_label=f"peer-eval:{defn.ref} en")
    size = path.stat().st_size / 2**20
    print(f"file: {args.rows} rows x {frame.shape[1]} columns, {size:.1f} MiB")

    key = PseudonymKey.generate()
    bare, full, bare_cpu, full_cpu = [], [], [], []
    for i in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        pyreadstat.read_sav(str(path), user_missing=True)
        bare.append(time.perf_counter() - t0)
        bare_cpu.append(time.process_time() - c0)
        ws = Workspace.open(tmp / f"ws{i}")
        t0, c0 = time.perf_counter(), time.process_time()
        report = submit_file(path, site="P01", workspace=ws, key=key, catalogue=cat)
        full.append(time.perf_counter() - t0)
        full_cpu.append(time.process_time() - c0)
        assert report.status == "accepted", report.text()
        print(f"round {i + 1}: bare {bare[-1]:.2f} s, submit {full[-1]:.2f} s, ratio {full[-1] / bare[-1]:.2f}x "
              f"(CPU time: {full_cpu[-1] / bare_cpu[-1]:.2f}x)")
    print(f"bare pyreadstat.read_sav: {min(bare):.2f} s (best of {args.repeat})")
    print(f"submit (read + validate + pseudonymise + store): {min(full):.2f} s (best of {args.repeat})")
    print(f"ratio: {min(full) / min(bare):.2f}x (target <= 3x); CPU time {min(full_cpu) / min(bare_cpu):.2f}x")
    # peak memory of a submit alone: a fresh process that only submits the file
    code = ("import sys, resource; from evaluation.intake.submit import submit_file; "
            "from evaluation.intake.pseudonymise import PseudonymKey; from evaluation.store import Workspace; "
            "r = submit_file(sys.argv[1], site='P01', workspace=Workspace.open(sys.argv[2]), key=PseudonymKey.generate()); "
            "print(r.status, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(path), str(tmp / "ws-memory")], capture_output=True, text=True,
                         check=True).stdout.split()
    print(f"peak memory (max RSS of a process that only submits): {int(out[1]) / 2**10:.0f} MiB (target < 1024 MiB)")


if __name__ == "__main__":
    main()
