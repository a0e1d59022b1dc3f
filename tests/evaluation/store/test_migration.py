"""A workspace written with the former per-respondent tables opens, migrates once, and loads the same frames."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from evaluation.store import Store, erase, linkage, responses, status
from evaluation.store import colstore
from evaluation.store import loaders as loadersmod

from .conftest import KEY, mini_frame, submit
from .test_colstore import _same_frame


def _former_read(con, table: str) -> pd.DataFrame:
    """The former loaders' read of a per-respondent table (evaluation.store.loaders._read before issue 15)."""
    cur = con.execute(f'SELECT t.* FROM "{table}" t JOIN submissions s ON s.submission_id = t.submission_id '
                      "WHERE s.status = 'accepted' ORDER BY t.site, t.wave, t.pid, t.rowid")
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def _former_count(con, instrument: str, version: str, by) -> dict:
    """The former status() count: accepted rows per site and wave of a per-respondent table."""
    table = con.execute("SELECT table_name FROM response_tables WHERE instrument = ? AND version = ?",
                        (instrument, version)).fetchone()[0]
    q = (f'SELECT t.site, t.wave, COUNT(*) FROM "{table}" t JOIN submissions s '
         "ON s.submission_id = t.submission_id WHERE s.status = 'accepted' GROUP BY t.site, t.wave")
    return {(site, wave): n for site, wave, n in con.execute(q)}


def _to_former_layout(store: Store) -> None:
    """Rewrite the store's responses as the former per-respondent tables, by raw SQL (the former DDL and rows)."""
    con = store.con
    con.execute("BEGIN IMMEDIATE")
    for (instrument, version), table in store.tables().items():
        names = store.table_columns(table)
        types = store.column_types(table)
        cells = colstore.set_cells(con, instrument, version, names)
        ddl = ", ".join(f'"{c}" {types[c]}' for c in names)
        con.execute(f'CREATE TABLE "{table}" ({ddl})')
        con.execute(f'CREATE INDEX "{table}_sub" ON "{table}" (submission_id)')
        con.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(names))})',
                        list(zip(*(cells[c].tolist() for c in names))))
    con.execute("DELETE FROM response_columns")
    con.execute("COMMIT")
    con.execute("VACUUM")


@pytest.fixture
def filled(ws, store, catalogue):
    """A workspace with mini 1.0 and 1.1, a superseded file, an appended one, two sites; its frames."""
    first = submit(ws, store, mini_frame(6), name="a.csv")
    submit(ws, store, mini_frame(5, seed=1), name="b.csv", replaces=first)
    submit(ws, store, mini_frame(3, start=100, seed=2), name="c.csv", append=True)
    submit(ws, store, mini_frame(4, site="P02", seed=3), site="P02", name="d.sav")
    submit(ws, store, mini_frame(4, wave=2, version="1.1", seed=4), version="1.1", name="e.xlsx")
    frames = {v: responses(store, "mini", v, catalogue=catalogue, free_text=True)[0] for v in ("1.0", "1.1")}
    tables = {t: store.read_table(t) for t in store.tables().values()}
    st = status(store, catalogue, instruments=["mini"])
    return frames, tables, st


def test_a_former_workspace_loads_the_same_frames_before_and_after_migration(ws, store, catalogue, filled, monkeypatch):
    frames, tables, st = filled
    _to_former_layout(store)
    con = sqlite3.connect(ws.db_path)
    assert {t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'responses_%' AND type = 'table'")} \
        == set(tables)
    for table, frame in tables.items():  # what the former query reads is what read_table read
        _same_frame(_former_read(con, table), frame)
    con.close()

    # before the migration: the loaders as they were (the former query, no migration on open)
    with monkeypatch.context() as m:
        m.setattr(Store, "_migrate", lambda self: None)
        m.setattr(loadersmod, "_read", lambda st_, table, columns=None: (
            _former_read(st_.con, table) if columns is None else _former_read(st_.con, table)[columns]))
        m.setattr(loadersmod, "count_rows", _former_count)
        with Store(ws, catalogue=catalogue) as old:
            before = {v: responses(old, "mini", v, catalogue=catalogue, free_text=True)[0] for v in ("1.0", "1.1")}
            before_status = status(old, catalogue, instruments=["mini"])
            assert colstore.old_tables(old.con)  # still the former layout
    for v in before:
        _same_frame(before[v], frames[v])
    pd.testing.assert_frame_equal(before_status, st)

    # opening the store migrates it, once, with an audit line
    with Store(ws, catalogue=catalogue) as new:
        assert colstore.old_tables(new.con) == []
        assert not new.con.execute("SELECT name FROM sqlite_master WHERE name LIKE 'responses_%'").fetchall()
        for v in frames:
            _same_frame(responses(new, "mini", v, catalogue=catalogue, free_text=True)[0], frames[v])
        for table, frame in tables.items():
            _same_frame(new.read_table(table), frame)
        pd.testing.assert_frame_equal(status(new, catalogue, instruments=["mini"]), st)
        assert len(linkage(new, release="mini")) == 2  # sites P01 and P02
    migrated = [e for e in ws.audit.entries() if e["action"] == "store-migrated"]
    assert len(migrated) == 1 and migrated[0]["tables_changed"] == 2 and migrated[0]["rows"] == 6 + 5 + 3 + 4 + 4
    with Store(ws, catalogue=catalogue):
        pass
    assert len([e for e in ws.audit.entries() if e["action"] == "store-migrated"]) == 1


def test_a_migration_that_fails_leaves_the_former_workspace_as_it_was(ws, store, catalogue, filled, monkeypatch):
    _to_former_layout(store)
    before = ws.db_path.read_bytes()
    calls = []
    real = colstore.column_row

    def crash_later(*args):
        calls.append(1)
        if len(calls) == 30:  # after the first table's first submissions
            raise OSError("simulated crash during the migration")
        return real(*args)

    monkeypatch.setattr(colstore, "column_row", crash_later)
    with pytest.raises(OSError, match="simulated crash"):
        Store(ws, catalogue=catalogue)
    assert ws.db_path.read_bytes() == before
    monkeypatch.undo()
    with Store(ws, catalogue=catalogue) as st:
        assert colstore.old_tables(st.con) == []
        assert len(responses(st, "mini", "1.0", catalogue=catalogue)[0]) == 5 + 3 + 4 + 4  # 1.1 harmonised to 1.0 too


def test_erasure_after_migration_leaves_no_trace(ws, store, catalogue, filled):
    from evaluation.intake.pseudonymise import Pseudonymiser

    _to_former_layout(store)
    victim = Pseudonymiser(KEY).pseudonym("prison_number", "AB-00002")
    assert victim.encode() in ws.db_path.read_bytes()
    with Store(ws, catalogue=catalogue) as st:
        result = erase(ws, KEY, victim, store=st)
        assert result.rows_removed == 4  # a.csv (superseded), b.csv, d.sav and e.xlsx each held row 2
    assert victim.encode() not in ws.db_path.read_bytes() and victim[3:].encode() not in ws.db_path.read_bytes()


def test_a_former_table_without_rows_keeps_its_columns(ws, store, catalogue, filled):
    """An emptied version (every row erased) still has its columns after the migration, as the table had."""
    _to_former_layout(store)
    con = sqlite3.connect(ws.db_path)
    names = [r[1] for r in con.execute('PRAGMA table_info("responses_mini_1_1")')]
    con.execute('DELETE FROM "responses_mini_1_1"')
    con.commit()
    expected = _former_read(con, "responses_mini_1_1")  # what the former query read of the empty table
    con.close()
    with Store(ws, catalogue=catalogue) as st:
        assert st.table_columns("responses_mini_1_1") == names
        read = st.read_table("responses_mini_1_1")
        _same_frame(read, expected)
        assert list(read.columns) == names
        assert len(linkage(st, release="mini")) == 2  # the emptied version does not break the loaders
        assert len(responses(st, "mini", "1.0", catalogue=catalogue)[0]) == 5 + 3 + 4


def test_rows_without_a_submission_in_two_former_tables_are_kept_apart(ws, store, catalogue, filled):
    """Rows without a submission id (a hand-edited database) in two tables: migrated, and read as before (never)."""
    _to_former_layout(store)
    con = sqlite3.connect(ws.db_path)
    for table in ("responses_mini_1_0", "responses_mini_1_1"):
        con.execute(f'UPDATE "{table}" SET submission_id = NULL WHERE rowid = 1')
    con.commit()
    before = {t: _former_read(con, t) for t in ("responses_mini_1_0", "responses_mini_1_1")}
    con.close()
    with Store(ws, catalogue=catalogue) as st:
        for table, frame in before.items():
            _same_frame(st.read_table(table), frame)


def test_a_former_workspace_that_cannot_be_written_gets_a_message(ws, store, catalogue, filled, monkeypatch):
    """Read-only (a copy on read-only media, another user's file): a message saying what to do, not a traceback."""
    from evaluation.store import WorkspaceError
    from evaluation.store import db as dbmod

    _to_former_layout(store)
    real_connect = sqlite3.connect
    monkeypatch.setattr(dbmod.sqlite3, "connect",
                        lambda path, **kw: real_connect(f"file:{path}?mode=ro", uri=True, **kw))
    with pytest.raises(WorkspaceError, match="earlier version of peer-eval.*peer-eval status --workspace"):
        Store(ws, catalogue=catalogue)
    monkeypatch.undo()
    with Store(ws, catalogue=catalogue) as st:  # where it can be written: converted, then read-only reading works
        assert colstore.old_tables(st.con) == []
    monkeypatch.setattr(dbmod.sqlite3, "connect",
                        lambda path, **kw: real_connect(f"file:{path}?mode=ro", uri=True, **kw))
    with Store(ws, catalogue=catalogue) as st:
        assert len(st.read_table("responses_mini_1_0")) == 5 + 3 + 4
