"""``peer-eval portal --demo`` starts the portal on localhost: a login page in three languages, demo accounts."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .helpers import REPO


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_portal_demo_serves_login_in_three_languages(tmp_path):
    if os.environ.get("PORTAL_TEST_DATABASE") == "postgresql":
        pytest.skip("the demo uses SQLite")
    port = _port()
    env = dict(os.environ, PYTHONPATH=str(REPO), XDG_STATE_HOME=str(tmp_path / "state"))
    for k in ("PEER_EVAL_KEY", "PEER_EVAL_KEY_FILE", "PORTAL_STATE_DIR", "DATABASE_URL", "DJANGO_SETTINGS_MODULE",
              "PEER_EVAL_WORKSPACE"):
        env.pop(k, None)
    cmd = [sys.executable, "-c", "import sys; from evaluation.cli import main; sys.exit(main())",
           "portal", "--demo", str(tmp_path / "demo"), "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Open http://"):
                break
        out = "".join(lines)
        assert "DEMO ONLY" in out
        accounts = re.findall(r"^\s+(demo-\S+)\s+(coordinator|evaluator)\s+(demo-\S+)$", out, re.M)
        assert [a[0] for a in accounts] == ["demo-coordinator-nl", "demo-coordinator-fr", "demo-evaluator"]
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for lang, word in (("nl", "Aanmelden"), ("fr", "Se connecter"), ("en", "Sign in")):
            req = urllib.request.Request(f"http://127.0.0.1:{port}/accounts/login/",
                                         headers={"Accept-Language": lang})
            page = urllib.request.urlopen(req, timeout=10).read().decode()
            assert word in page and f'lang="{lang}"' in page
        # the throwaway key lives in the state folder, outside the workspace, readable by its owner only
        keys = list((tmp_path / "demo.portal").glob("*.key"))
        assert len(keys) == 1 and oct(keys[0].stat().st_mode & 0o777) == "0o600"
        assert not list((tmp_path / "demo").rglob("*.key"))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
