"""The portal's tests against a real PostgreSQL server that this test starts and stops itself.

The server is Debian's ``postgresql`` (initdb / pg_ctl) in a temporary
folder, reachable only through a Unix socket there; the portal's test suite
(every other file of this folder, except the browser test) runs in a child
process with ``DATABASE_URL`` pointing at it. Skipped only when the server
binaries are missing and ``CI`` is not set; in CI their absence fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import REPO, Postgres, postgres_bin

HERE = Path(__file__).resolve().parent


def test_portal_suite_on_postgresql():
    if os.environ.get("PORTAL_TEST_DATABASE") == "postgresql":
        pytest.skip("this is the PostgreSQL run itself")
    if postgres_bin() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL (initdb, pg_ctl) is missing: scripts/system-deps.sh installs 'postgresql' in CI")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) are not installed")
    pg = Postgres()
    try:
        url = pg.start()
        env = dict(os.environ, DATABASE_URL=url, PORTAL_TEST_DATABASE="postgresql", PYTHONPATH=str(REPO))
        files = [str(HERE / f) for f in ("test_flow.py", "test_security.py", "test_background.py", "test_interviews.py",
                                         "test_housekeeping.py", "test_labels.py")]
        r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *files,
                            "-k", "not check_deploy"], capture_output=True, text=True, env=env, cwd=REPO,
                           timeout=900)
        assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
        assert " passed" in r.stdout
        # the tables really were in PostgreSQL
        import psycopg

        with psycopg.connect(f"host={pg.sock} dbname=postgres user=portal") as con:
            n = con.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
            users = con.execute("SELECT count(*) FROM auth_user").fetchone()[0]
        assert n > 20 and users > 5
    finally:
        pg.stop()
