"""Intake benchmark: submit a 100,000-row detainee .sav vs a bare pyreadstat.read_sav.

Run:  .venv/bin/python benchmarks/intake_bench.py [--rows 100000]

Prints, from one run: the time of a bare ``pyreadstat.read_sav`` of the file,
the time of ``submit_file`` (read + recognise + validate + pseudonymise +
store in one transaction), their ratio (target: at most 3x) and the peak
memory of the submit (target: under 1 GiB). The data are synthetic.
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
    args = ap.parse_args()
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

    t0 = time.perf_counter()
    pyreadstat.read_sav(str(path), user_missing=True)
    bare = time.perf_counter() - t0

    ws = Workspace.open(tmp / "ws")
    key = PseudonymKey.generate()
    t0 = time.perf_counter()
    report = submit_file(path, site="P01", workspace=ws, key=key, catalogue=cat)
    full = time.perf_counter() - t0
    assert report.status == "accepted", report.text()
    print(f"bare pyreadstat.read_sav: {bare:.2f} s")
    print(f"submit (read + validate + pseudonymise + store): {full:.2f} s")
    print(f"ratio: {full / bare:.2f}x (target <= 3x)")
    # peak memory of a submit alone: a fresh process that only submits the file
    code = ("import sys, resource; from evaluation.intake.submit import submit_file; "
            "from evaluation.intake.pseudonymise import PseudonymKey; from evaluation.store import Workspace; "
            "r = submit_file(sys.argv[1], site='P01', workspace=Workspace.open(sys.argv[2]), key=PseudonymKey.generate()); "
            "print(r.status, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(path), str(tmp / "ws2")], capture_output=True, text=True,
                         check=True).stdout.split()
    print(f"peak memory (max RSS of a process that only submits): {int(out[1]) / 2**10:.0f} MiB (target < 1024 MiB)")


if __name__ == "__main__":
    main()
