"""``peer-eval lab``: refuses root with a sentence, stops JupyterLab when it is stopped, takes --workspace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from evaluation.cli import book_cmd, main
from evaluation.store import Workspace


def test_lab_as_root_says_why_and_exits_2(tmp_path, monkeypatch, capsys):
    ws = Workspace.open(tmp_path / "ws")
    monkeypatch.setattr(book_cmd, "_is_root", lambda: True)
    assert main(["lab", "--workspace", str(ws.root), "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "does not run as root" in err and "--allow-root" in err


def test_lab_takes_workspace_as_option_and_passes_allow_root(tmp_path, capsys):
    ws = Workspace.open(tmp_path / "ws")
    assert main(["lab", "--workspace", str(ws.root), "--print", "--allow-root"]) == 0
    out = capsys.readouterr().out
    assert f"PEER_EVAL_WORKSPACE={ws.root.resolve()}" in out and "--allow-root" in out


def test_stopping_lab_by_its_pid_stops_the_server(tmp_path):
    pidfile = tmp_path / "child.pid"
    child = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    parent = textwrap.dedent(f"""
        import sys
        from evaluation.cli.book_cmd import run_lab
        sys.exit(run_lab([sys.executable, "-c", {child!r}], dict(__import__("os").environ), grace=5))
    """)
    proc = subprocess.Popen([sys.executable, "-c", parent], env={**os.environ, "PYTHONPATH": os.getcwd()})
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.05)
    child_pid = int(pidfile.read_text())
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    for _ in range(100):
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(child_pid, signal.SIGKILL)
        pytest.fail("the server outlived peer-eval lab")
