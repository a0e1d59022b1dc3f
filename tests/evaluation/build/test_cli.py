"""peer-eval build / lab: help text and the lab's command line (no server is started)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.cli import main
from evaluation.cli.book_cmd import LAB_SETTINGS, lab_command


def test_help_explains_build_and_lab(capsys):
    for cmd, words in (("build", ["executed", "failing", "exit code 1", "--output", "--force"]),
                       ("lab", ["JupyterLab", "PEER_EVAL_WORKSPACE", "next 'peer-eval build'"])):
        with pytest.raises(SystemExit):
            main([cmd, "--help"])
        out = capsys.readouterr().out
        for w in words:
            assert w in out, (cmd, w)


def test_lab_binds_the_workspace_and_opens_markdown_as_notebooks(small_workspace, capsys):
    cmd, env = lab_command(small_workspace, port=8899, browser=False)
    assert cmd[1:3] == ["-m", "jupyterlab"] and "--ServerApp.port=8899" in cmd and "--no-browser" in cmd
    root = next(a for a in cmd if a.startswith("--ServerApp.root_dir="))
    assert Path(root.split("=", 1)[1], "jupytext.toml").is_file()
    assert env["PEER_EVAL_WORKSPACE"] == str(Path(small_workspace).resolve())
    plugin = Path(env["JUPYTERLAB_SETTINGS_DIR"], "@jupyterlab", "docmanager-extension", "plugin.jupyterlab-settings")
    assert json.loads(plugin.read_text()) == LAB_SETTINGS
    assert main(["lab", str(small_workspace), "--print"]) == 0
    assert f"PEER_EVAL_WORKSPACE={Path(small_workspace).resolve()}" in capsys.readouterr().out


def test_build_of_a_missing_workspace_exits_1(tmp_path, capsys):
    assert main(["build", str(tmp_path / "nowhere")]) == 1
    assert "no evaluation workspace" in capsys.readouterr().err
