"""The workspace: layout, refusal inside a repository, raw files, the key check, the audit log."""

from __future__ import annotations

import os
import stat

import pytest
import yaml

from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.store import KeyMismatch, Workspace, WorkspaceInRepository, WorkspaceMissing
from evaluation.store.audit import AuditLog


def test_open_creates_the_layout_and_config(tmp_path):
    ws = Workspace.open(tmp_path / "ws")
    for sub in ("raw", "quarantine"):
        assert (ws.root / sub).is_dir()
    config = yaml.safe_load((ws.root / "workspace.yaml").read_text())
    assert config["disclosure_threshold"] == 10 and config["retention_date"] is None
    assert config["demo"] is False and config["primary_outcomes"] == [] and config["key"] is None
    assert [e["action"] for e in ws.audit.entries()] == ["workspace-created"]
    again = Workspace.open(tmp_path / "ws", create=False)
    assert again.config == ws.config


def test_default_path_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PEER_EVAL_WORKSPACE", str(tmp_path / "elsewhere"))
    assert Workspace.open().root == (tmp_path / "elsewhere").resolve()
    monkeypatch.delenv("PEER_EVAL_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    assert Workspace.open().root == (tmp_path / "peer-eval-workspace").resolve()


def test_missing_workspace_without_create(tmp_path):
    with pytest.raises(WorkspaceMissing, match="no evaluation workspace"):
        Workspace.open(tmp_path / "nope", create=False)


def test_workspace_in_git_tree_refused_unless_demo(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    with pytest.raises(WorkspaceInRepository) as exc:
        Workspace.open(tmp_path / "repo" / "ws")
    assert "outside any repository" in str(exc.value)
    assert not (tmp_path / "repo" / "ws").exists()
    demo = Workspace.open(tmp_path / "repo" / "demo", demo=True)
    assert demo.demo
    assert Workspace.open(tmp_path / "repo" / "demo").demo  # recorded: reopening is allowed


def test_set_config_validates(ws):
    ws.set_config(retention_date="2030-01-31", disclosure_threshold=5)
    reopened = Workspace.open(ws.root)
    assert reopened.retention_date.isoformat() == "2030-01-31" and reopened.disclosure_threshold == 5
    with pytest.raises(ValueError, match="cannot set"):
        ws.set_config(key="x")


def test_keep_raw_is_content_addressed_read_only_and_idempotent(ws, tmp_path):
    f = tmp_path / "Data P01.SAV"
    f.write_bytes(b"some bytes")
    sha, path, seen = ws.keep_raw(f)
    assert path == ws.raw_dir / f"{sha}.sav" and not seen
    assert path.read_bytes() == b"some bytes"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o400
    g = tmp_path / "renamed.sav"
    g.write_bytes(b"some bytes")
    assert ws.keep_raw(g) == (sha, path, True)
    assert [p.name for p in ws.raw_dir.iterdir()] == [path.name]  # no temporary file left


def test_check_key_records_then_refuses_another(ws):
    key = PseudonymKey(bytes(range(32)), 1)
    ws.check_key(key)
    assert ws.config["key"] == {"fingerprint": key.fingerprint, "version": 1}
    assert bytes(range(32)).hex() not in (ws.root / "workspace.yaml").read_text()
    ws.check_key(key)  # the same key again: fine
    with pytest.raises(KeyMismatch) as exc:
        ws.check_key(PseudonymKey(bytes(range(1, 33)), 1))
    msg = str(exc.value)
    assert "differs from the one this workspace was created with" in msg and "linkage" in msg
    with pytest.raises(KeyMismatch, match="rotate"):
        ws.check_key(PseudonymKey(bytes(range(1, 33)), 2))


def test_key_file_inside_workspace_refused(ws):
    inside = ws.root / "key.txt"
    with pytest.raises(KeyMismatch, match="inside the workspace"):
        ws.check_key(PseudonymKey(bytes(range(32)), 1, str(inside)))


def test_audit_log_refuses_free_text(tmp_path):
    log = AuditLog(tmp_path / "audit.log")
    entry = log.write("submission-accepted", submission="S0123456789", rows=3, site="P01")
    assert entry["user"] and entry["at"] and entry["rows"] == 3
    with pytest.raises(ValueError, match="never holds"):
        log.write("submission-accepted", submission="AB 12345")
    with pytest.raises(ValueError, match="not allowed"):
        log.write("submission-accepted", file_name="jansens.sav")
    assert len(log.entries()) == 1
