"""Portal load: ten coordinators upload and submit 10,000-row files at the same moment.

Run:  .venv/bin/python benchmarks/portal_load.py [--users 10] [--rows 10000] [--server gunicorn|runserver]

Starts the live portal on 127.0.0.1 (gunicorn with the development settings
on plain HTTP, or Django's runserver) over a fresh workspace and a throwaway
key, makes one coordinator per prison (P01..P10), writes each a synthetic
detainee CSV of ``--rows`` rows, then releases all coordinators at once
(a barrier): each signs in, uploads (the page shows the intake's check
report) and submits. Submitting queues the file for the background worker
and answers at once; the coordinator's page then asks every
``--poll`` seconds whether it is stored (as the page's script does) and
also opens the prison's dashboard each time (a status page read while other
files are being stored), until the receipt. Bounded: every request has a
timeout and the whole run ``--deadline`` seconds.

It then checks that every file landed exactly once or got a clear message
(never "database is locked", never a server error): one accepted submission
per prison with all its rows in the workspace's store, no duplicate, the
SQLite integrity check passes. Prints the response times of the uploads
(check), of pressing 'Submit', of the status pages, and of every request,
their median and 95th percentile, and how long each file took to be stored
(from 'Submit' to its receipt: the queue, not a waiting request).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluation.demo.files import write_csv_data  # noqa: E402
from evaluation.instruments import Catalogue  # noqa: E402
from evaluation.instruments.synthetic import synthetic_responses  # noqa: E402
from evaluation.intake.pseudonymise import PseudonymKey  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _session(base: str, user: str, password: str, site: str, path: Path, barrier, timeout: float,
             poll: float) -> dict:
    out = {"site": site, "user": user}
    s = requests.Session()
    # like a browser, a GET is sent again when the server has just closed an idle keep-alive connection
    # (gunicorn's keep-alive is 2 s, the same as the page's look every 2 s); a POST never is
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    s.mount("http://", HTTPAdapter(max_retries=Retry(total=3, connect=3, read=2, allowed_methods=frozenset({"GET"}),
                                                     status=0, raise_on_status=False)))
    try:
        s.get(f"{base}/accounts/login/", timeout=timeout)
        r = s.post(f"{base}/accounts/login/", data={"username": user, "password": password,
                                                     "csrfmiddlewaretoken": s.cookies["csrftoken"]},
                   headers={"Referer": f"{base}/accounts/login/"}, timeout=timeout)
        r.raise_for_status()
        barrier.wait(timeout=timeout)
        t0 = time.perf_counter()
        with open(path, "rb") as fh:
            r = s.post(f"{base}/prison/{site}/upload/", files={"file": (path.name, fh, "text/csv")},
                       data={"csrfmiddlewaretoken": s.cookies["csrftoken"]},
                       headers={"Referer": f"{base}/prison/{site}/"}, timeout=timeout)
        out["check_s"] = time.perf_counter() - t0
        out["check_status"] = r.status_code
        m = re.search(r"/upload/([0-9a-f-]{36})/submit/", r.text)
        if r.status_code != 200 or m is None:
            out["message"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))[:300]
            return out
        token = m.group(1)
        t0 = time.perf_counter()
        r = s.post(f"{base}/upload/{token}/submit/", data={"csrfmiddlewaretoken": s.cookies["csrftoken"]},
                   headers={"Referer": f"{base}/upload/{token}/"}, timeout=timeout, allow_redirects=False)
        out["submit_s"] = time.perf_counter() - t0
        out["submit_status"] = r.status_code
        out["polls"], out["status_pages"] = [], []
        while time.perf_counter() - t0 < timeout:
            time.sleep(poll)
            t1 = time.perf_counter()
            state = s.get(f"{base}/upload/{token}/state/", timeout=timeout)
            out["polls"].append(time.perf_counter() - t1)
            t1 = time.perf_counter()
            page = s.get(f"{base}/prison/{site}/", timeout=timeout)
            out["status_pages"].append(time.perf_counter() - t1)
            out["locked"] = out.get("locked") or "database is locked" in page.text or page.status_code != 200
            if state.json()["done"]:
                break
        t1 = time.perf_counter()
        r = s.get(f"{base}/upload/{token}/", timeout=timeout)  # redirects to the receipt
        out["receipt_s"] = time.perf_counter() - t1
        out["stored_s"] = time.perf_counter() - t0
        sid = re.search(r'id="receipt-id">(S[0-9a-f]{10})<', r.text)
        out["submission"] = sid.group(1) if sid else None
        if sid is None:
            out["message"] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text))[:300]
        out["locked"] = out.get("locked") or "database is locked" in r.text
    except Exception as exc:  # reported, never hidden
        out["error"] = f"{type(exc).__name__}: {exc}"
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--server", choices=["gunicorn", "runserver"], default="gunicorn")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (each with 5 threads)")
    ap.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole run")
    ap.add_argument("--poll", type=float, default=2.0, help="seconds between two looks at a file being stored")
    args = ap.parse_args(argv)

    cat = Catalogue()
    sites = [s.code for s in cat.sites().sites][: args.users]
    root = Path(tempfile.mkdtemp(prefix="portal-load-"))
    key = PseudonymKey.generate()
    env = dict(os.environ, PEER_EVAL_WORKSPACE=str(root / "ws"), PORTAL_STATE_DIR=str(root / "state"),
               PEER_EVAL_KEY=key.text(), DJANGO_SETTINGS_MODULE="evaluation.portal.settings.development",
               PYTHONPATH=str(REPO), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    for k in ("DATABASE_URL", "PEER_EVAL_KEY_FILE"):
        env.pop(k, None)
    manage = [sys.executable, "-m", "evaluation.portal"]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=root)
    from evaluation.store import Workspace

    Workspace.open(root / "ws")
    defn = cat.instrument("detainee")
    files, users = {}, {}
    t = time.perf_counter()
    for i, site in enumerate(sites):
        frame = synthetic_responses(defn, args.rows, site=site, seed=100 + i)
        files[site] = write_csv_data(defn, frame, root / f"detainees_{site}.csv")
        users[site] = (f"load-{site.lower()}", f"Load-test-password-{site}-{os.getpid()}")
        subprocess.run([*manage, "adduser", users[site][0], "--site", site, "--language", "en", "--password-stdin"],
                       input=users[site][1] + "\n", text=True, env=env, check=True, cwd=root, capture_output=True)
    print(f"{len(sites)} files of {args.rows} rows and accounts made in {time.perf_counter() - t:.1f} s")

    port = _port()
    if args.server == "gunicorn":
        cmd = [sys.executable, "-m", "gunicorn", "evaluation.portal.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--threads", "5", "--timeout", str(int(args.deadline)),
               "--graceful-timeout", "5"]
    else:
        cmd = [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"]
    server = subprocess.Popen(cmd, env=env, cwd=root, stdout=open(root / "server.log", "wb"),
                              stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        barrier = threading.Barrier(len(sites))
        results: list[dict] = []
        threads = [threading.Thread(target=lambda s=s: results.append(
            _session(base, *users[s], s, files[s], barrier, args.deadline, args.poll))) for s in sites]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=args.deadline)
        wall = time.perf_counter() - t
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    # what landed
    con = sqlite3.connect(root / "ws" / "evaluation.sqlite")
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    accepted = con.execute("SELECT site, COUNT(*), SUM(n_stored) FROM submissions WHERE status = 'accepted' "
                           "GROUP BY site").fetchall()
    con.close()
    by_site = {s: (n, rows) for s, n, rows in accepted}
    log = (root / "server.log").read_text(errors="replace")
    problems = []
    for r in sorted(results, key=lambda r: r["site"]):
        landed = by_site.get(r["site"], (0, 0))
        ok = r.get("submission") and landed == (1, args.rows)
        clear = not ok and r.get("message") and not r.get("error")
        print(f"  {r['site']}: check {r.get('check_s', float('nan')):6.1f} s  submit {r.get('submit_s', float('nan')):5.2f} s"
              f"  stored after {r.get('stored_s', float('nan')):6.1f} s"
              f"  {r.get('submission') or '-':<12} stored {landed[0]} submission(s), {landed[1] or 0} rows"
              + ("" if ok else f"  MESSAGE: {r.get('message') or r.get('error')}"))
        if not ok and not clear:
            problems.append(r["site"])
        if r.get("locked"):
            problems.append(f"{r['site']} saw 'database is locked'")
    if len(results) != len(sites):
        problems.append(f"only {len(results)} of {len(sites)} sessions finished within the deadline")
    if "database is locked" in log or "Traceback" in log:
        problems.append("the server log holds an error (see server.log)")
    checks = [r["check_s"] for r in results if "check_s" in r]
    submits = [r["submit_s"] for r in results if "submit_s" in r]
    status_pages = [x for r in results for x in r.get("status_pages", [])]
    polls = [x for r in results for x in r.get("polls", [])]
    receipts = [r["receipt_s"] for r in results if "receipt_s" in r]
    stored = [r["stored_s"] for r in results if "stored_s" in r]
    every = checks + submits + status_pages + polls + receipts
    print(f"server: {args.server}{' x' + str(args.workers) + ' workers x 5 threads' if args.server == 'gunicorn' else ''};"
          f" {len(sites)} coordinators at once, {args.rows} rows each; wall clock {wall:.1f} s")
    if checks:
        print(f"upload+check: median {statistics.median(checks):.1f} s, p95 {_p95(checks):.1f} s, max {max(checks):.1f} s")
    if submits:
        print(f"submit:       median {statistics.median(submits):.2f} s, p95 {_p95(submits):.2f} s, max {max(submits):.2f} s")
    if status_pages:
        print(f"dashboard while files are stored: median {statistics.median(status_pages):.2f} s, "
              f"p95 {_p95(status_pages):.2f} s, max {max(status_pages):.2f} s ({len(status_pages)} pages)")
    if polls:
        print(f"'stored yet?' polls: median {statistics.median(polls):.2f} s, p95 {_p95(polls):.2f} s "
              f"({len(polls)} requests)")
    if stored:
        print(f"submit -> receipt (the queue): median {statistics.median(stored):.1f} s, p95 {_p95(stored):.1f} s, "
              f"max {max(stored):.1f} s")
    if every:
        print(f"all responses ({len(every)} requests): median {statistics.median(every):.2f} s, "
              f"p95 {_p95(every):.2f} s, max {max(every):.2f} s")
    print(f"workspace database integrity: {integrity}; accepted submissions: {sum(n for n, _ in by_site.values())}")
    if integrity != "ok" or problems:
        print("PROBLEMS: " + "; ".join(problems or [f"integrity {integrity}"]))
        return 1
    print("every file landed exactly once (or got a clear message); none lost or duplicated")
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
