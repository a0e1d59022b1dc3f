"""SIGKILL a real ``peer-eval submit`` at random moments and check what the next command finds (issue 17).

    PYTHONPATH=. python scripts/kill_during_submit.py --kills 20 --rows 20000

Half the kills hit an accepted submission, half a rejected one (wrong
site). After each kill the next command (``peer-eval submissions``) runs, and
the workspace is checked: SQLite ``integrity_check`` (corrupted), earlier
accepted rows all present (lost), every raw/quarantine file named by a row and
no partial copy left (orphans). Prints one line per kill and a summary.
Synthetic data only; the workspace is a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    from evaluation.demo.files import write_sav_data
    from evaluation.instruments import Catalogue
    from evaluation.instruments.synthetic import synthetic_responses

    rng = random.Random(a.seed)
    tmp = Path(tempfile.mkdtemp(prefix="kills-"))
    key = tmp / "key.txt"
    key.write_text("ab" * 32)
    key.chmod(0o600)
    c = Catalogue()
    det = c.instrument("detainee", c.latest("detainee", published_only=True))  # what coordinators are given
    from evaluation.store.db import table_name

    table = table_name(det.id, det.version)
    base = write_sav_data(det, synthetic_responses(det, 50, site="P01", seed=1), tmp / "base.sav", "nl")
    ws = tmp / "ws"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    cmd = [sys.executable, "-m", "evaluation.cli"]
    subprocess.run([*cmd, "submit", base, "--site", "P01", "--workspace", ws, "--key-file", key], env=env,
                   check=True, capture_output=True)
    big = write_sav_data(det, synthetic_responses(det, a.rows, site="P03", seed=2), tmp / "big.sav", "nl")
    t0 = time.monotonic()
    full = subprocess.run([*cmd, "check", big, "--site", "P03"], env=env, capture_output=True)
    span = time.monotonic() - t0
    totals = {"kills": 0, "tracebacks": 0, "corrupted": 0, "lost": 0, "orphans": 0}
    for i in range(a.kills):
        site = "P03" if i % 2 == 0 else "P99"
        p = subprocess.Popen([*cmd, "submit", big, "--site", site, "--workspace", ws, "--key-file", key], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, span * 1.3 + 1))
        killed = p.poll() is None
        if killed:
            p.send_signal(signal.SIGKILL)
        p.wait()
        nxt = subprocess.run([*cmd, "submissions", "--workspace", ws], env=env, capture_output=True, text=True)
        tb = "Traceback" in nxt.stderr
        con = sqlite3.connect(ws / "evaluation.sqlite")
        ok = con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        base_rows = con.execute(f"SELECT COUNT(*) FROM {table} WHERE site = 'P01'").fetchone()[0]
        named = {r[0] for r in con.execute("SELECT sha256 FROM submissions")}
        sids = {r[0] for r in con.execute("SELECT submission_id FROM submissions")}
        # a P03 submission that got through is removed again, so that the next try is a real one
        for (sid,) in con.execute("SELECT submission_id FROM submissions WHERE site = 'P03' AND status = 'accepted'"):
            con.execute(f"DELETE FROM {table} WHERE submission_id = ?", (sid,))
            con.execute("UPDATE submissions SET status = 'superseded' WHERE submission_id = ?", (sid,))
        con.commit()
        con.close()
        orphans = [f.name for d in ("raw", "quarantine") for f in (ws / d).iterdir()
                   if f.name.startswith(".tmp-") or (not f.name.endswith(".report.json") and f.name.split(".")[0] not in named)
                   or (f.name.endswith(".report.json") and f.name[:-12] not in sids)]
        totals["kills"] += killed
        totals["tracebacks"] += tb
        totals["corrupted"] += not ok
        totals["lost"] += base_rows != 50
        totals["orphans"] += bool(orphans)
        print(f"{i + 1:3d} {'accept' if site == 'P03' else 'reject'} killed={killed} integrity={'ok' if ok else 'BAD'} "
              f"earlier rows={base_rows} leftovers={len(orphans)} traceback={tb}", flush=True)
    print(totals)
    return 0 if not (totals["tracebacks"] or totals["corrupted"] or totals["lost"] or totals["orphans"]) else 1


if __name__ == "__main__":
    sys.exit(main())
