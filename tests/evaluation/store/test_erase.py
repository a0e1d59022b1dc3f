"""Erasure, key rotation and retention: no trace of a person's identifier remains."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pyreadstat
import pytest

from evaluation.intake.pseudonymise import PseudonymKey, Pseudonymiser
from evaluation.store import (
    Store,
    KeyMismatch,
    RetentionNotDue,
    Workspace,
    erase,
    purge_identifiers,
    responses,
    rotate,
)
from evaluation.store.rawfiles import load_raw

from .conftest import KEY, mini_frame, submit

VICTIM = "ZQ-77731"  # synthetic prison number of the person who asks for erasure


def _all_bytes(ws: Workspace) -> dict[str, bytes]:
    """Every file of the workspace (database, journal, audit log, raw, quarantine, config)."""
    out = {}
    for p in ws.root.rglob("*"):
        if p.is_file():
            out[str(p.relative_to(ws.root))] = p.read_bytes()
    return out


def _victim_frame(n=5, **kw):
    df = mini_frame(n, **kw)
    df.loc[2, "prison_number"] = VICTIM
    return df


def _found(ws, needles: list[bytes]) -> list[tuple[str, bytes]]:
    hits = []
    for name, data in _all_bytes(ws).items():
        for needle in needles:
            if needle in data:
                hits.append((name, needle))
    return hits


def test_erasure_leaves_no_trace_in_database_bytes_log_raw_or_quarantine(ws, store, catalogue):
    pseudonym = Pseudonymiser(KEY).pseudonym("prison_number", VICTIM)
    normalised = VICTIM.replace("-", "")
    # the person is in an accepted csv, a superseded xlsx and a rejected file in quarantine
    first = submit(ws, store, _victim_frame(5), name="a.xlsx")
    submit(ws, store, _victim_frame(6, seed=3), name="b.csv", replaces=first)
    submit(ws, store, _victim_frame(4, wave=2, version="1.1"), version="1.1", name="c.sav")
    rejected = ws.root.parent / "outbox" / "rejected.csv"
    _victim_frame(3, seed=9).to_csv(rejected, index=False)
    sha, stored, _ = ws.keep_raw(rejected)
    from evaluation.store import SubmissionMeta

    store.record_rejection(SubmissionMeta(sha, "rejected.csv", "P01", "mini", "1.0", stored_path=stored,
                                          id_columns={"prison_number": "prison_number"}),
                           {"status": "rejected", "problems": [{"code": "column-missing", "column": "hours"}]})
    # after intake the raw identifier is only in raw/ and quarantine/ (files as sent)
    hits = _found(ws, [VICTIM.encode(), normalised.encode()])
    assert hits and all(name.startswith(("raw/", "quarantine/")) for name, _ in hits)
    assert _found(ws, [pseudonym.encode()])  # the pseudonym is in the database

    result = erase(ws, KEY, "zq 77731", store=store)  # any spelling of the identifier

    assert result.rows_removed == 3 and len(result.files_redacted) == 4
    needles = [VICTIM.encode(), normalised.encode(), pseudonym.encode(), pseudonym[3:].encode()]
    assert _found(ws, needles) == []
    # everyone else is still there, in the database and in the redacted raw files
    frame, _ = responses(store, "mini", catalogue=catalogue)
    assert len(frame) == 6 + 4 - 2  # accepted rows minus the person's two; the superseded file is history
    assert store.con.execute("PRAGMA freelist_count").fetchone()[0] == 0
    for old, new in result.files_redacted:
        path = ws.find_raw(new) or next(ws.quarantine_dir.glob(f"{new}*"))
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o400
        assert not list(ws.raw_dir.glob(f"{old}*")) and not list(ws.quarantine_dir.glob(f"{old}*"))
    log = ws.audit.entries()
    assert [e for e in log if e["action"] == "erasure"][0]["rows"] == 3
    redacted = [e for e in log if e["action"] == "raw-redacted"]
    assert {(e["old_sha256"], e["new_sha256"]) for e in redacted} == set(result.files_redacted)


def test_erasure_by_pseudonym_and_redacted_formats_keep_their_metadata(ws, store):
    submit(ws, store, _victim_frame(5), name="a.sav")
    submit(ws, store, _victim_frame(5, site="P02"), site="P02", name="b.csv")
    pseudonym = Pseudonymiser(KEY).pseudonym("prison_number", VICTIM)
    result = erase(ws, KEY, pseudonym, store=store)
    assert result.rows_removed == 2
    sav = next(ws.raw_dir.glob("*.sav"))
    df, meta = pyreadstat.read_sav(str(sav))
    assert len(df) == 4 and VICTIM not in set(df["prison_number"])
    assert meta.column_names_to_labels["who5_1"] == "who5_1"
    csv_text = next(ws.raw_dir.glob("*.csv")).read_bytes().decode("cp1252")
    assert csv_text.splitlines()[0].startswith("prison_number;site;wave")  # still semicolon-separated
    assert len(csv_text.splitlines()) == 5


def test_erasure_of_unknown_person_changes_nothing(ws, store):
    submit(ws, store, mini_frame(4))
    before = {k: v for k, v in _all_bytes(ws).items() if k != "audit.log"}
    result = erase(ws, KEY, "NOBODY1", store=store)
    assert not result.found
    after = {k: v for k, v in _all_bytes(ws).items() if k != "audit.log"}
    assert set(after) == set(before)
    assert {k: after[k] for k in after if not k.endswith(".sqlite")} == {k: before[k] for k in before if not k.endswith(".sqlite")}


def test_erasure_needs_the_workspace_key(ws, store):
    submit(ws, store, mini_frame(3))
    with pytest.raises(KeyMismatch):
        erase(ws, PseudonymKey(bytes(32), 1), VICTIM, store=store)


def test_rotation_rekeys_every_pid_and_keeps_the_map(ws, store, catalogue):
    submit(ws, store, _victim_frame(5))
    submit(ws, store, _victim_frame(5, wave=2), name="w2.xlsx")
    new_key = PseudonymKey(bytes(range(50, 82)), 2)
    result = rotate(ws, KEY, new_key, store=store)
    assert result.mapped == 5 and result.unmapped == 0
    frame, _ = responses(store, "mini", catalogue=catalogue)
    assert frame["pid"].str.startswith("k2-").all()
    assert Pseudonymiser(new_key).pseudonym("prison_number", VICTIM) in set(frame["pid"])
    assert frame.groupby("pid")["wave"].nunique().eq(2).all()  # linkage across waves survives
    with pytest.raises(KeyMismatch, match="replaced by version 2"):
        ws.check_key(KEY)
    ws.check_key(new_key)
    assert erase(ws, new_key, VICTIM, store=store).rows_removed == 2
    assert store.con.execute("SELECT COUNT(*) FROM pseudonym_map").fetchone()[0] == 4


def test_retention_purges_identifier_columns(ws, store):
    submit(ws, store, _victim_frame(5), name="a.xlsx")
    submit(ws, store, _victim_frame(4, site="P02"), site="P02", name="b.csv")
    with pytest.raises(RetentionNotDue, match="not set"):
        purge_identifiers(ws)
    ws.set_config(retention_date="2030-01-01")
    with pytest.raises(RetentionNotDue, match="not reached"):
        purge_identifiers(ws, today=pd.Timestamp("2029-12-31").date())
    result = purge_identifiers(ws, KEY, today=pd.Timestamp("2030-01-01").date())
    assert len(result.files_purged) == 2 and not result.files_skipped
    assert _found(ws, [VICTIM.encode(), VICTIM.replace("-", "").encode()]) == []
    xlsx = load_raw(next(ws.raw_dir.glob("*.xlsx")))
    assert "prison_number" not in xlsx.columns() and xlsx.columns()[0] == "pid"
    # erasure still finds the person's rows in the purged raw files, through the pseudonym column
    result = erase(ws, KEY, VICTIM, store=store)
    assert result.rows_removed == 2 and len(result.files_redacted) == 2
    subs = store.query("SELECT id_columns FROM submissions")
    assert all(json.loads(t) == {"pid": "pseudonym"} for t in subs["id_columns"])


def test_retention_without_key_drops_the_columns(ws, store):
    submit(ws, store, _victim_frame(3), name="a.sav")
    purge_identifiers(ws, force=True)
    df, _ = pyreadstat.read_sav(str(next(ws.raw_dir.glob("*.sav"))))
    assert "prison_number" not in df.columns and len(df) == 3


# -- coded interviews ----------------------------------------------------------------------------

def _interviews(ws, tmp_path):
    """Three interviewees in a .qdpx project and two of them again in a spreadsheet (another file)."""
    from .test_signoffs import import_coded

    import_coded(ws, tmp_path / "q")
    import_coded(ws, tmp_path / "s", people=("AB123", "PW-07"), name="coded.csv", fmt="csv")


def _sign_all(ws):
    from evaluation.store import record_signoff, segment_text_sha256, segments

    for sid in segments(ws)["segment_id"]:
        record_signoff(ws, sid, approved_by="A", text_sha256=segment_text_sha256(ws, sid))


@pytest.mark.parametrize("who, kind", [("AB123", "prison_number"), ("ab 123", "prison_number"),
                                       ("PW-07", "study_code"), (None, "pseudonym")])
def test_erasure_of_an_interviewee_leaves_no_trace(ws, tmp_path, who, kind):
    from evaluation.qda import load_codebook
    from evaluation.qda.importer import read_coded_file, study_code_pseudonym
    from evaluation.store import quote_signoffs, segments, transcripts

    from .test_signoffs import CODINGS, TEXTS

    _interviews(ws, tmp_path)
    _sign_all(ws)
    person = "PW-07" if kind == "study_code" else "AB123"
    pseudonym = (study_code_pseudonym(KEY, person) if kind == "study_code"
                 else Pseudonymiser(KEY).pseudonym("prison_number", person))
    before = segments(ws)
    mine = before[before["pid"] == pseudonym]
    assert len(mine) == 4  # two codings in each of two files
    texts = list(mine["text"]) + [f for f, _ in CODINGS[person]] + [TEXTS[person]]
    assert _found(ws, [t.encode() for t in texts])

    result = erase(ws, KEY, who or pseudonym)

    needles = [person.encode(), person.replace("-", "").encode(), pseudonym.encode(), pseudonym[3:].encode(),
               *(t.encode() for t in texts), *(s.encode() for s in mine["segment_id"])]
    assert _found(ws, needles) == []
    assert {"segments", "transcripts"} <= set(result.tables) and len(result.files_redacted) == 2
    assert result.rows_removed == 4 + 2  # segments, and the transcript under each of the two files
    # everyone else is still there: segments, transcripts, sign-offs and the raw files
    after = segments(ws)
    assert len(after) == len(before) - 4 and pseudonym not in set(transcripts(ws)["pid"])
    assert set(quote_signoffs(ws)["segment_id"]) == set(after["segment_id"])
    cb = load_codebook()
    for old, new in result.files_redacted:
        path = ws.find_raw(new)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o400 and not list(ws.raw_dir.glob(f"{old}*"))
        coded = read_coded_file(path, cb, tmp_path / "s" / "transcripts")
        assert person not in {s.participant for s in coded.sources.values()}
        assert coded.sources and coded.selections and coded.problems == []  # still a valid project
    with Store(ws) as st:
        n = dict(st.con.execute("SELECT format, n_stored FROM submissions").fetchall())
    assert n == {"qdpx": 4, "csv": 2}
    assert [e for e in ws.audit.entries() if e["action"] == "erasure"][-1]["rows"] == 6


def test_rotation_rekeys_interview_pseudonyms(ws, tmp_path):
    from evaluation.qda.importer import study_code_pseudonym
    from evaluation.store import segments, transcripts

    _interviews(ws, tmp_path)
    new_key = PseudonymKey(bytes(range(50, 82)), 2)
    result = rotate(ws, KEY, new_key)
    assert result.mapped == 3 and result.unmapped == 0 and {"segments", "transcripts"} <= set(result.tables)
    seg = segments(ws)
    assert seg["pid"].str.startswith("k2-").all()
    assert study_code_pseudonym(new_key, "PW-07") in set(seg["pid"])
    assert Pseudonymiser(new_key).pseudonym("prison_number", "CD456") in set(transcripts(ws)["pid"])
    # the person can still be erased under the new key
    assert erase(ws, new_key, "PW-07").rows_removed == 4 + 2


def test_retention_replaces_participants_in_coded_files(ws, tmp_path):
    from evaluation.qda import load_codebook
    from evaluation.qda.importer import read_coded_file, study_code_pseudonym

    _interviews(ws, tmp_path)
    result = purge_identifiers(ws, KEY, force=True)
    assert len(result.files_purged) == 2 and not result.files_skipped
    assert _found(ws, [b"AB123", b"CD456", b"PW-07", b"PW07"]) == []
    qdpx = next(ws.raw_dir.glob("*.qdpx"))
    coded = read_coded_file(qdpx, load_codebook())
    assert {s.participant for s in coded.sources.values()} == {
        Pseudonymiser(KEY).pseudonym("prison_number", "AB123"), Pseudonymiser(KEY).pseudonym("prison_number", "CD456"),
        study_code_pseudonym(KEY, "PW-07")}
    assert len(coded.selections) == 6  # the codings and texts stay
    # erasure still finds the person's transcripts in the purged files, through the pseudonyms
    erased = erase(ws, KEY, "CD456")
    assert len(erased.files_redacted) == 1
    assert len(read_coded_file(ws.find_raw(erased.files_redacted[0][1]), load_codebook()).sources) == 2


def test_retention_without_key_blanks_coded_participants(ws, tmp_path):
    _interviews(ws, tmp_path)
    purge_identifiers(ws, force=True)
    assert _found(ws, [b"AB123", b"CD456", b"PW-07"]) == []
    sheet = load_raw(next(ws.raw_dir.glob("*.csv")))
    assert set(sheet.column("participant")) == {""} and len(sheet.column("participant")) == 4


def test_erasing_the_only_empty_cell_of_a_column_keeps_it_whole_numbers(ws, store):
    """A column whose only missing answer was the erased person's reads back as int64, as the
    former per-respondent table gave it (not float64 because of a NULL mask with no NULL left)."""
    import numpy as np

    frame = mini_frame(3)
    frame["used_drugs_30d"] = [1, 0, 1]
    frame["days_used"] = [4, np.nan, 6]
    submit(ws, store, frame)
    assert store.read_table("responses_mini_1_0")["days_used"].dtype == np.float64
    erase(ws, KEY, Pseudonymiser(KEY).pseudonym("prison_number", frame["prison_number"][1]), store=store)
    days = store.read_table("responses_mini_1_0")["days_used"]
    assert days.tolist() == [4, 6] and days.dtype == np.int64
