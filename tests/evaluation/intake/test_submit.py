"""Submitting files end to end: real instruments, real store, every bad input, nothing lost."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from evaluation.cli import main
from evaluation.instruments import Catalogue
from evaluation.instruments.synthetic import synthetic_responses
from evaluation.intake.pseudonymise import PseudonymKey
from evaluation.intake.submit import IntakeRefused, check_file, submit_file
from evaluation.store import Store, Workspace, outcomes, responses

CAT = Catalogue()
DET = CAT.instrument("detainee", CAT.latest("detainee", published_only=True))  # what coordinators get


@pytest.fixture
def key():
    return PseudonymKey.generate()


@pytest.fixture
def ws(tmp_path):
    return Workspace.open(tmp_path / "ws")


def write_sav(frame: pd.DataFrame, path: Path, defn=DET) -> Path:
    labels = {}
    for item in defn.items:
        if item.type == "single_choice" and item.name in frame:
            labels[item.name] = {float(c.code): c.label["en"] for c in defn.choices[item.choices]}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels,
                         file_label=f"peer-eval:{defn.ref} en")
    return path


def db_snapshot(ws: Workspace) -> dict:
    with Store(ws, catalogue=CAT) as s:
        tables = s.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")["name"].tolist()
        # JSON text, so that empty cells compare equal (BLOBs, e.g. the responses' columns, as hex)
        return {t: s.query(f'SELECT * FROM "{t}"').map(lambda v: v.hex() if isinstance(v, bytes) else v).to_json()
                for t in tables if t != "submissions"} | {
            "accepted": s.query("SELECT submission_id, status FROM submissions WHERE status != 'rejected'")
            .to_json()}


def all_bytes(ws: Workspace) -> bytes:
    skip = {ws.raw_dir}
    out = b""
    for p in sorted(Path(ws.root).rglob("*")):
        if p.is_file() and p.parent not in skip and not (p.parent.name == "quarantine" and p.suffix != ".json"):
            out += p.read_bytes()
    return out


def test_accepted_sav_is_stored_pseudonymised(tmp_path, ws, key):
    frame = synthetic_responses(DET, 40, site="P03", seed=3)
    raw_ids = frame["prison_number"].tolist()
    path = write_sav(frame, tmp_path / "baseline P03.sav")
    report = submit_file(path, site="P03", workspace=ws, key=key, lang="nl")
    assert report.status == "accepted", report.text()
    assert report.instrument == DET.ref and report.n_rows == 40
    # the raw file is kept read-only under its hash
    stored = ws.raw_dir / f"{report.sha256}.sav"
    assert stored.exists() and stored.stat().st_mode & 0o222 == 0  # read-only (root may still write)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == report.sha256
    data, load = responses(ws, "detainee", catalogue=CAT)
    assert len(data) == 40 and data["pid"].str.match(r"^k1-[0-9a-f]{64}$").all()
    assert list(data.columns[:6]) == ["pid", "site", "wave", "date", "instrument_version", "submission_id"]
    assert "prison_number" not in data.columns
    # no raw identifier in the database (bytes, free pages included), audit log, config or report
    blob = all_bytes(ws) + report.to_json().encode()
    for raw in raw_ids:
        assert raw.encode() not in blob


def test_same_file_twice_is_not_stored_twice(tmp_path, ws, key):
    path = write_sav(synthetic_responses(DET, 5, site="P03", seed=4), tmp_path / "f.sav")
    first = submit_file(path, site="P03", workspace=ws, key=key)
    second = submit_file(path, site="P03", workspace=ws, key=key)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert second.submission_id == first.submission_id
    assert len(list(ws.raw_dir.iterdir())) == 1


def test_the_bytes_read_are_the_bytes_kept_even_if_the_file_changes_meanwhile(tmp_path, ws, key, monkeypatch):
    """Read from the copy in raw/ (hashed beside the reading): a file overwritten during the checks changes
    neither what is read nor what is kept, and the report's hash is the kept bytes'."""
    import hashlib

    from evaluation.intake import submit as submit_mod

    path = write_sav(synthetic_responses(DET, 6, site="P03", seed=8), tmp_path / "f.sav")
    original = path.read_bytes()
    real = submit_mod._run_checks
    seen = []

    def overwrite_then_check(read_path, report, **kw):
        seen.append(Path(read_path))
        path.write_bytes(b"overwritten while the checks ran")
        return real(read_path, report, **kw)

    monkeypatch.setattr(submit_mod, "_run_checks", overwrite_then_check)
    report = submit_file(path, site="P03", workspace=ws, key=key)
    assert report.status == "accepted", report.text()
    assert seen[0].parent == ws.raw_dir and seen[0] != path  # the copy, not the submitted file
    kept = ws.raw_dir / f"{report.sha256}.sav"
    assert kept.read_bytes() == original and hashlib.sha256(original).hexdigest() == report.sha256
    assert [p.name for p in ws.raw_dir.iterdir()] == [kept.name]  # no temporary copy left


def test_a_failure_in_the_checks_or_the_hashing_keeps_the_file_or_leaves_nothing(tmp_path, ws, key, monkeypatch):
    from evaluation.intake import submit as submit_mod
    from evaluation.store import workspace as workspace_mod

    path = write_sav(synthetic_responses(DET, 4, site="P03", seed=9), tmp_path / "f.sav")

    def boom(*a, **k):
        raise RuntimeError("a bug in the checks")

    with monkeypatch.context() as m:
        m.setattr(submit_mod, "_run_checks", boom)
        with pytest.raises(RuntimeError, match="a bug in the checks"):
            submit_file(path, site="P03", workspace=ws, key=key)
    # kept, as when the copy was made before the checks; no temporary copy
    assert [p.suffix for p in ws.raw_dir.iterdir()] == [".sav"]
    assert not [p for p in ws.raw_dir.iterdir() if p.name.startswith(".tmp-")]

    other = write_sav(synthetic_responses(DET, 4, site="P03", seed=10), tmp_path / "g.sav")
    with monkeypatch.context() as m:
        m.setattr(workspace_mod.Workspace, "find_raw", boom)  # fails in the hashing thread
        with pytest.raises(RuntimeError, match="a bug in the checks"):
            submit_file(other, site="P03", workspace=ws, key=key)
    assert len(list(ws.raw_dir.iterdir())) == 1  # the failed copy is gone, the earlier file stays
    assert submit_file(other, site="P03", workspace=Workspace.open(ws.root), key=key).status == "accepted"


def test_check_stores_nothing_and_needs_no_key(tmp_path, monkeypatch):
    monkeypatch.delenv("PEER_EVAL_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    frame = synthetic_responses(DET, 5, site="P03", seed=5)
    frame.loc[2, "age_band"] = 42
    path = write_sav(frame, tmp_path / "f.sav")
    report = check_file(path, site="P03", lang="fr")
    assert report.flatten(["row", "column", "code"]) == [[3, "age_band", "choice-error"]]
    assert "Ligne 3" in report.text()
    assert not (tmp_path / "peer-eval-workspace").exists()


def test_no_key_refuses_before_touching_anything(tmp_path, monkeypatch):
    for var in ("PEER_EVAL_KEY", "PEER_EVAL_KEY_FILE"):
        monkeypatch.delenv(var, raising=False)
    path = write_sav(synthetic_responses(DET, 3, site="P03", seed=6), tmp_path / "f.sav")
    with pytest.raises(IntakeRefused, match="PEER_EVAL_KEY"):
        submit_file(path, site="P03", workspace=tmp_path / "ws")
    assert not (tmp_path / "ws" / "raw").exists() or not any((tmp_path / "ws" / "raw").iterdir())


def test_wrong_key_is_refused(tmp_path, ws, key):
    path = write_sav(synthetic_responses(DET, 3, site="P03", seed=7), tmp_path / "f.sav")
    submit_file(path, site="P03", workspace=ws, key=key)
    with pytest.raises(IntakeRefused, match="key"):
        submit_file(path, site="P03", workspace=ws, key=PseudonymKey.generate())


def _bad_files(tmp_path) -> dict[str, tuple[Path, str]]:
    good = write_sav(synthetic_responses(DET, 20, site="P03", seed=8), tmp_path / "good.sav")
    files = {}
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    files["empty"] = (p, "file-empty")
    p = tmp_path / "header.csv"
    p.write_text(";".join(DET.columns()) + "\n", encoding="utf-8")
    files["header only"] = (p, "file-header-only")
    p = tmp_path / "truncated.sav"
    p.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    files["truncated sav"] = (p, "file-unreadable")
    p = tmp_path / "corrupt.sav"
    data = bytearray(good.read_bytes())
    data[200:400] = b"\x00" * 200
    p.write_bytes(bytes(data))
    files["corrupted sav"] = (p, None)  # unreadable or invalid: either way rejected
    p = tmp_path / "archive.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("data.csv", "a;b\n1;2\n")
    files["zip"] = (p, "file-format-unknown")
    p = tmp_path / "photo.xlsx"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    files["wrong extension"] = (p, "file-format-unknown")
    return files


@pytest.mark.parametrize("case", ["empty", "header only", "truncated sav", "corrupted sav", "zip", "wrong extension"])
def test_bad_files_are_rejected_and_the_store_is_unchanged(tmp_path, ws, key, case):
    good = write_sav(synthetic_responses(DET, 10, site="P03", seed=9), tmp_path / "ok.sav")
    assert submit_file(good, site="P03", workspace=ws, key=key).status == "accepted"
    before = db_snapshot(ws)
    path, code = _bad_files(tmp_path)[case]
    report = submit_file(path, site="P03", workspace=ws, key=key, append=True)
    assert report.status == "rejected"
    if code:
        assert code in [p.code for p in report.errors]
    assert db_snapshot(ws) == before
    # the file and its report are kept in quarantine, read-only
    assert (ws.quarantine_dir / f"{report.submission_id}.report.json").exists()
    assert any(p.name.startswith(report.sha256) for p in ws.quarantine_dir.iterdir())


def test_sav_named_csv_is_read_as_sav_with_a_warning(tmp_path, ws, key):
    path = write_sav(synthetic_responses(DET, 5, site="P03", seed=10), tmp_path / "data.sav")
    renamed = tmp_path / "data.csv"
    path.rename(renamed)
    report = submit_file(renamed, site="P03", workspace=ws, key=key)
    assert report.status == "accepted" and report.format == "sav"
    assert "file-extension-mismatch" in [p.code for p in report.problems]


def test_semicolon_cp1252_csv_with_accents(tmp_path, ws, key):
    frame = synthetic_responses(CAT.instrument("staff"), 12, site="P05", seed=11)
    frame["date"] = frame["date"].dt.strftime("%d/%m/%Y")
    text_cols = [i.name for i in CAT.instrument("staff").items if i.type == "text" and i.role is None]
    for c in text_cols:
        frame[c] = "Très bien, à améliorer"
    path = tmp_path / "personnel.csv"
    frame.to_csv(path, sep=";", index=False, encoding="cp1252", decimal=",")
    report = submit_file(path, site="P05", workspace=ws, key=key, lang="fr")
    assert report.status == "accepted", report.text()
    assert report.instrument == f"staff@{CAT.latest('staff', published_only=True)}"  # same columns: the latest published
    assert "encoding-guessed" in [p.code for p in report.problems]
    data, _ = responses(ws, "staff", catalogue=CAT, free_text=True)  # free text is held out by default
    if text_cols:
        assert data[text_cols[0]].iloc[0] == "Très bien, à améliorer"


def test_crash_in_the_middle_of_storing_leaves_the_store_as_before(tmp_path, ws, key, monkeypatch):
    import evaluation.store.db as db

    first = write_sav(synthetic_responses(DET, 10, site="P03", seed=12), tmp_path / "a.sav")
    assert submit_file(first, site="P03", workspace=ws, key=key).status == "accepted"
    before = db_snapshot(ws)
    db_bytes = Path(ws.db_path).read_bytes()
    calls = {"n": 0}
    real = db._insert_chunk

    def crash(con, sql, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("simulated crash while storing")
        return real(con, sql, rows)

    monkeypatch.setattr(db, "_CHUNK", 7)
    monkeypatch.setattr(db, "_insert_chunk", crash)
    second = write_sav(synthetic_responses(DET, 30, site="P04", seed=13), tmp_path / "b.sav")
    with pytest.raises(KeyboardInterrupt):
        submit_file(second, site="P04", workspace=ws, key=key)
    assert db_snapshot(ws) == before
    assert Path(ws.db_path).read_bytes() == db_bytes


def test_resubmission_needs_replaces_or_append(tmp_path, ws, key):
    frame = synthetic_responses(DET, 8, site="P03", seed=14)
    a = submit_file(write_sav(frame, tmp_path / "a.sav"), site="P03", workspace=ws, key=key)
    frame.loc[0, "age_band"] = frame.loc[1, "age_band"]
    frame["date"] = frame["date"] + pd.Timedelta(days=1)
    b_path = write_sav(frame, tmp_path / "b.sav")
    b = submit_file(b_path, site="P03", workspace=ws, key=key)
    assert b.status == "rejected" and [p.code for p in b.errors] == ["submission-exists"]
    assert f"--replaces {a.submission_id}" in b.text()
    c = submit_file(b_path, site="P03", workspace=ws, key=key, replaces=a.submission_id)
    assert c.status == "accepted"
    data, _ = responses(ws, "detainee", catalogue=CAT)
    assert set(data["submission_id"]) == {c.submission_id} and len(data) == 8


def test_site_mismatch(tmp_path, ws, key):
    frame = synthetic_responses(DET, 4, site="P03", seed=15)
    frame.loc[3, "site"] = "P07"
    report = submit_file(write_sav(frame, tmp_path / "f.sav"), site="P03", workspace=ws, key=key)
    assert report.flatten(["row", "column", "code"]) == [[4, "site", "site-mismatch"]]
    assert report.status == "rejected"


def test_older_version_accepted_and_harmonised(tmp_path, ws, key):
    old = CAT.instrument("detainee", "1.0")
    frame = synthetic_responses(old, 20, site="P03", seed=16)
    report = submit_file(write_sav(frame, tmp_path / "old.sav", old), site="P03", workspace=ws, key=key)
    assert report.status == "accepted" and report.instrument == "detainee@1.0"
    assert "instrument-older-version" in [p.code for p in report.problems]
    data, load = responses(ws, "detainee", catalogue=CAT)
    assert set(data["instrument_version"]) == {"1.0"} and "overdose_info" in data.columns


def test_release_records_link_to_surveys(tmp_path, ws, key):
    survey = synthetic_responses(DET, 15, site="P03", seed=17)
    release = synthetic_responses(CAT.instrument("release_outcomes"), 15, site="P03", seed=18,
                                  people=survey["prison_number"].tolist())
    assert submit_file(write_sav(survey, tmp_path / "s.sav"), site="P03", workspace=ws, key=key).status == "accepted"
    rpath = tmp_path / "release.csv"
    release.to_csv(rpath, index=False)
    r = submit_file(rpath, site="P03", workspace=ws, key=key)
    assert r.status == "accepted", r.text()
    out = outcomes(ws)
    assert len(out) == 15 and set(out["pid"]) == set(responses(ws, "detainee", catalogue=CAT)[0]["pid"])


def test_cli_submit_json_and_exit_codes(tmp_path, ws, key, capsys, monkeypatch):
    monkeypatch.setenv("PEER_EVAL_KEY", key.text())
    frame = synthetic_responses(DET, 6, site="P03", seed=19)
    good = write_sav(frame, tmp_path / "g.sav")
    assert main(["submit", str(good), "--site", "P03", "--workspace", str(ws.root), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "accepted" and doc["instrument"] == DET.ref
    frame.loc[0, "prison_number"] = "TOPSECRET1"
    frame.loc[1, "prison_number"] = "TOPSECRET1"
    bad = write_sav(frame, tmp_path / "b.sav")
    assert main(["submit", str(bad), "--site", "P03", "--workspace", str(ws.root), "--json", "--append"]) == 1
    out = capsys.readouterr().out
    assert "duplicate-respondent-wave" in out and "TOPSECRET" not in out
    assert b"TOPSECRET" not in all_bytes(ws)
    assert main(["submissions", "--workspace", str(ws.root)]) == 0
    assert "rejected" in capsys.readouterr().out


ITEMS = [i for i in DET.items if i.type in ("single_choice", "integer") and not i.role and not i.relevant
         and not i.scale and i.name != "consent"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10_000), st.sampled_from(ITEMS), st.integers(0, 11))
def test_one_corrupted_cell_is_reported_exactly(seed, item, row):
    """Property: a valid synthetic file with one bad cell yields exactly that one error."""
    frame = synthetic_responses(DET, 12, site="P03", seed=seed)
    bad_value = 999.0
    frame.loc[row, item.name] = bad_value
    from evaluation.intake.validate import validate

    v = validate(DET, frame, site="P03", first_data_row=1)
    errors = [(p.row, p.column, p.code) for p in v.problems if p.severity == "error"]
    expected_code = "choice-error" if item.is_choice else "range-error"
    assert (row + 1, item.name, expected_code) in errors
    # anything else may only be skip logic that depended on the corrupted answer
    assert all(c == item.name or code == "not-asked-answered" for _, c, code in errors)


def test_peer_worker_codes_are_pseudonymised_as_study_codes(tmp_path, ws, key):
    from evaluation.intake.pseudonymise import Pseudonymiser

    pw = CAT.instrument("peer_worker")
    frame = synthetic_responses(pw, 3, site="P03", seed=20)
    frame["respondent_code"] = ["PW-P03-1", "PW-P03-2", "PW-P03-3"]
    report = submit_file(write_sav(frame, tmp_path / "pw.sav", pw), site="P03", workspace=ws, key=key)
    assert report.status == "accepted", report.text()
    data, _ = responses(ws, "peer_worker", catalogue=CAT)
    assert set(data["pid"]) == {Pseudonymiser(key).pseudonym("study_code", c) for c in frame["respondent_code"]}
    assert b"PW-P03" not in all_bytes(ws)


def test_contact_log_keeps_several_contacts_per_person(tmp_path, ws, key):
    contacts = CAT.instrument("contacts")
    frame = synthetic_responses(contacts, 6, site="P03", seed=21)
    frame["prison_number"] = ["1000001"] * 3 + ["1000002"] * 3
    path = tmp_path / "contacts.csv"
    frame.to_csv(path, index=False)
    report = submit_file(path, site="P03", workspace=ws, key=key)
    assert report.status == "accepted", report.text()
    assert "duplicate-respondent-wave" not in [p.code for p in report.problems]


def test_a_file_ten_times_larger_than_any_real_one(tmp_path, ws, key):
    # a real site sends ~150 detainees per wave; 2,000 rows in a semicolon CSV is >10x that
    frame = synthetic_responses(DET, 2000, site="P03", seed=22)
    frame["date"] = frame["date"].dt.strftime("%d/%m/%Y")
    path = tmp_path / "big.csv"
    frame.to_csv(path, sep=";", index=False)
    report = submit_file(path, site="P03", workspace=ws, key=key)
    assert report.status == "accepted", report.text()
    assert len(responses(ws, "detainee", catalogue=CAT)[0]) == 2000
