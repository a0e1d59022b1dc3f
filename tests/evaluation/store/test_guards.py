"""Guards that hold: hand edits of workspace.yaml, key file permissions, owner-only files, names in free text."""

from __future__ import annotations

import os
import stat

import pytest
import yaml

from evaluation.intake.pseudonymise import KeyRefused, PseudonymKey, load_key
from evaluation.store import KeyMismatch, Workspace, WorkspaceInRepository, responses

from .conftest import KEY, mini_frame, submit

OTHER = PseudonymKey(bytes(range(1, 33)), 1, "generated")


def _edit(ws: Workspace, **changes) -> None:
    path = ws.root / "workspace.yaml"
    config = yaml.safe_load(path.read_text())
    for k, v in changes.items():
        if v is None:
            config.pop(k, None)
        else:
            config[k] = v
    path.write_text(yaml.safe_dump(config))


def test_demo_flag_edited_into_workspace_yaml_does_not_let_a_workspace_into_a_repository(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    outside = Workspace.open(tmp_path / "ws")
    _edit(outside, demo=True)
    (tmp_path / "ws").rename(repo / "ws")
    with pytest.raises(WorkspaceInRepository):
        Workspace.open(repo / "ws")


def test_deleting_the_key_fingerprint_from_workspace_yaml_does_not_let_another_key_in(ws):
    ws.check_key(KEY)
    _edit(ws, key=None)
    with pytest.raises(KeyMismatch):
        Workspace.open(ws.root).check_key(OTHER)
    Workspace.open(ws.root).check_key(KEY)  # the right key still works


@pytest.mark.parametrize("mode", [0o644, 0o666, 0o640, 0o604])
def test_key_files_readable_by_others_are_refused_with_the_fix(tmp_path, mode):
    f = tmp_path / "peer.key"
    f.write_text("11" * 32)
    f.chmod(mode)
    with pytest.raises(KeyRefused, match="chmod 600"):
        load_key(f)
    f.chmod(0o600)
    assert load_key(f).secret == bytes([0x11]) * 32


@pytest.mark.parametrize("content", [("11" * 32).encode("utf-16"), bytes(range(256))])
def test_binary_or_utf16_key_file_is_refused_with_a_message(tmp_path, content):
    f = tmp_path / "peer.key"
    f.write_bytes(content)
    f.chmod(0o600)
    with pytest.raises(KeyRefused, match="plain text"):
        load_key(f)


def test_raw_quarantine_database_and_audit_files_are_owner_only(ws, store, tmp_path):
    sid = submit(ws, store, mini_frame(3), name="a.csv")
    path = ws.root.parent / "outbox" / "bad.csv"
    mini_frame(2, start=50).to_csv(path, index=False)
    sha, stored, _ = ws.keep_raw(path)
    from evaluation.store import SubmissionMeta

    store.record_rejection(SubmissionMeta(sha, "bad.csv", "P01", "mini", "1.0", stored_path=stored), {"status": "rejected"})
    files = [p for p in ws.root.rglob("*") if p.is_file()]
    assert any(p.parent == ws.raw_dir for p in files) and any(p.parent == ws.quarantine_dir for p in files)
    for p in files:
        mode = stat.S_IMODE(os.stat(p).st_mode)
        assert mode & 0o077 == 0, f"{p.relative_to(ws.root)} is {mode:o}"
        if p.parent in (ws.raw_dir, ws.quarantine_dir):
            assert mode == 0o400
    for d in (ws.raw_dir, ws.quarantine_dir):
        assert stat.S_IMODE(os.stat(d).st_mode) & 0o077 == 0
    assert sid


def test_names_typed_in_free_text_are_screened_and_held_out_of_loaders(ws, store, catalogue):
    df = mini_frame(3)
    df["comment"] = ["thanks to Jan Peeters", "Mevrouw claes helped, call AB-12345", "fine"]
    submit(ws, store, df, name="a.csv")
    stored = store.read_table("responses_mini_1_0", columns=["comment"], accepted_only=False).comment.tolist()
    assert stored == ["thanks to [name]", "Mevrouw [name] helped, call [number]", "fine"]
    raw_db = ws.db_path.read_bytes()
    assert b"Peeters" not in raw_db and b"claes" not in raw_db
    frame, _ = responses(ws, "mini", "1.0", catalogue=catalogue)
    assert "comment" not in frame.columns
    frame, _ = responses(ws, "mini", "1.0", catalogue=catalogue, free_text=True)
    assert frame["comment"].tolist() == stored
