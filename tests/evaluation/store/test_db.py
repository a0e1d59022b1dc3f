"""The database: one transaction per submission, resubmission rules, rejections."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from evaluation.store import (
    DuplicateSubmission,
    ReplacesUnknown,
    SubmissionExists,
    SubmissionMeta,
    table_name,
)
from evaluation.store import db as dbmod

from .conftest import mini_frame, submit


def _rows(store, table):
    """Every stored row of a responses table, as written, missing cells as None."""
    frame = store.read_table(table, accepted_only=False)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]


def test_accepted_submission_is_stored_whole(ws, store):
    sid = submit(ws, store, mini_frame(6))
    assert sid.startswith("S") and len(sid) == 11
    sub = store.submission(sid)
    assert sub["status"] == "accepted" and sub["n_rows"] == 6 and sub["n_stored"] == 6 and sub["waves"] == "1"
    assert json.loads(sub["id_columns"]) == {"prison_number": "prison_number"}
    table = table_name("mini", "1.0")
    cols = store.table_columns(table)
    assert cols[:6] == ["pid", "site", "wave", "date", "instrument_version", "submission_id"]
    assert "prison_number" not in cols and "support_kind_3" in cols and "who5_5" in cols
    types = store.column_types(table)
    assert types["used_drugs_30d"] == "INTEGER" and types["hours"] == "REAL" and types["comment"] == "TEXT"
    assert len(_rows(store, table)) == 6
    assert store.con.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert store.con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    entry = ws.audit.entries()[-1]
    assert entry["action"] == "submission-accepted" and entry["submission"] == sid and entry["rows"] == 6


def test_crash_in_the_middle_leaves_the_database_byte_for_byte_unchanged(ws, store, monkeypatch, tmp_path):
    submit(ws, store, mini_frame(30, site="P02"), site="P02")  # something already stored
    before = ws.db_path.read_bytes()
    before_rows = _rows(store, table_name("mini", "1.0"))
    monkeypatch.setattr(dbmod, "_CHUNK", 8)
    calls = []
    real = dbmod._insert_chunk

    def crash_on_second(con, sql, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise OSError("simulated crash after some of the columns")
        real(con, sql, rows)

    monkeypatch.setattr(dbmod, "_insert_chunk", crash_on_second)
    with pytest.raises(OSError, match="simulated crash"):
        submit(ws, store, mini_frame(20, site="P01", version="1.1"), version="1.1", name="b.csv")
    assert calls == [8, 8]  # eight columns were written before the crash
    assert ws.db_path.read_bytes() == before
    assert _rows(store, table_name("mini", "1.0")) == before_rows
    assert table_name("mini", "1.1") not in store.tables().values()  # the new table is gone too
    assert [s for s in store.submissions()["status"]] == ["accepted"]
    assert not list(ws.root.glob("*-journal"))
    assert store.con.execute("SELECT COUNT(*) FROM response_columns WHERE version = '1.1'").fetchone()[0] == 0
    monkeypatch.undo()  # the same file, no crash: it has more than 16 columns, so the crash was mid-write
    submit(ws, store, mini_frame(20, site="P01", version="1.1"), version="1.1", name="b.csv")
    assert len(store.table_columns(table_name("mini", "1.1"))) > 16


def test_same_site_instrument_wave_needs_replaces_or_append(ws, store):
    first = submit(ws, store, mini_frame(4), name="a.csv")
    with pytest.raises(SubmissionExists) as exc:
        submit(ws, store, mini_frame(5, seed=1), name="b.csv")
    assert exc.value.existing == first
    assert exc.value.params == {"submission": first, "site": "P01", "instrument": "mini", "wave": 1}
    # another site or another wave is not a resubmission
    submit(ws, store, mini_frame(4, site="P02"), site="P02", name="c.csv")
    submit(ws, store, mini_frame(4, wave=2), name="d.csv")


def test_replaces_supersedes_and_keeps_history(ws, store):
    first = submit(ws, store, mini_frame(4), name="a.csv")
    second = submit(ws, store, mini_frame(5, seed=1), name="b.csv", replaces=first)
    old, new = store.submission(first), store.submission(second)
    assert old["status"] == "superseded" and old["superseded_by"] == second
    assert new["status"] == "accepted" and new["replaces"] == first
    assert len(_rows(store, table_name("mini", "1.0"))) == 9  # history kept


def test_append_adds_to_existing_data(ws, store):
    first = submit(ws, store, mini_frame(4), name="a.csv")
    second = submit(ws, store, mini_frame(3, start=100, seed=2), name="b.csv", append=True)
    assert store.submission(second)["appended_to"] == first
    assert store.submission(first)["status"] == "accepted"


def test_replaces_must_name_an_accepted_submission_of_the_site(ws, store):
    other = submit(ws, store, mini_frame(4, site="P02"), site="P02", name="a.csv")
    with pytest.raises(ReplacesUnknown, match="not an accepted submission"):
        submit(ws, store, mini_frame(4), name="b.csv", replaces=other)
    with pytest.raises(ReplacesUnknown):
        submit(ws, store, mini_frame(4), name="c.csv", replaces="S0000000000")


def test_same_file_twice_is_a_duplicate(ws, store):
    sid = submit(ws, store, mini_frame(4), name="a.csv")
    with pytest.raises(DuplicateSubmission) as exc:
        submit(ws, store, mini_frame(4), name="a.csv", append=True)
    assert exc.value.existing == sid


def test_frame_with_raw_identifier_is_refused(ws, store):
    frame = mini_frame(3)
    sha, path, _ = ws.keep_raw(_write(ws, frame))
    meta = SubmissionMeta(sha, "x.csv", "P01", "mini", "1.0", id_columns={"prison_number": "prison_number"})
    with pytest.raises(ValueError, match="pseudonymise it first"):
        store.write_submission(meta, frame)


def _write(ws, frame):
    p = ws.root.parent / "raw_frame.csv"
    frame.to_csv(p, index=False)
    return p


def test_rejection_goes_to_quarantine_with_its_report(ws, store):
    path = _write(ws, mini_frame(3))
    sha, stored, _ = ws.keep_raw(path)
    meta = SubmissionMeta(sha, "raw_frame.csv", "P01", "mini", "1.0", format="csv", n_rows=3,
                          id_columns={"prison_number": "prison_number"}, stored_path=stored)
    before = {t: _rows(store, t) for t in store.tables().values()}
    sid = store.record_rejection(meta, {"status": "rejected", "problems": [{"code": "range-error", "row": 2}]})
    assert (ws.quarantine_dir / f"{sha}.csv").read_bytes() == path.read_bytes()
    assert json.loads((ws.quarantine_dir / f"{sid}.report.json").read_text())["status"] == "rejected"
    assert stored.exists()  # kept while the submitting process works (a concurrent same-file submit reads it)
    ws.release_shared(store)  # as Store.close() does: nobody else is working, so the raw copy of the rejected file goes
    assert ws.try_reconcile(store)
    assert not stored.exists()  # the raw folder holds only files with accepted data
    sub = store.submission(sid)
    assert sub["status"] == "rejected" and sub["n_stored"] == 0
    assert {t: _rows(store, t) for t in store.tables().values()} == before
    # the corrected file is accepted; the same bytes again get a new id
    sha2, stored2, _ = ws.keep_raw(path)
    meta2 = SubmissionMeta(sha2, "raw_frame.csv", "P01", "mini", "1.0", stored_path=stored2,
                           id_columns={"prison_number": "prison_number"})
    from evaluation.intake.pseudonymise import pseudonymise_frame

    from .conftest import KEY

    frame, _ = pseudonymise_frame(mini_frame(3), {"prison_number": "prison_number"}, KEY)
    sid2 = store.write_submission(meta2, frame)
    assert sid2 == sid + "-2"
    listing = store.submissions()
    assert list(listing["status"]) == ["rejected", "accepted"] and "file_name" not in listing
    assert "file_name" in store.submissions(file_names=True)
