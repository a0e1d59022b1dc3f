"""The columnar store reads what the former per-respondent tables read: same values, same order, same dtypes.

Each example builds a per-respondent table the way the store used to (the
former CREATE TABLE, cells bound into its declared types), reads it with the
former query (``SELECT t.* ... ORDER BY t.site, t.wave, t.pid, t.rowid`` into
``pd.DataFrame(cursor.fetchall(), ...)``), migrates it to column BLOBs and reads
it again with :func:`evaluation.store.colstore.read_set`.
"""

from __future__ import annotations

import sqlite3
import struct
from collections import Counter

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.store import colstore
from evaluation.store import db as dbmod

CONTRACT = [("pid", "TEXT"), ("site", "TEXT"), ("wave", "INTEGER"), ("date", "TEXT"),
            ("instrument_version", "TEXT"), ("submission_id", "TEXT")]

small_ints = st.integers(-3, 5)
floats = st.one_of(st.floats(-5, 5, allow_nan=False), st.sampled_from([-0.0, 0.5, 2.0, 2.0 ** 60, float("inf")]))
words = st.sampled_from(["", "a", "B", "b", "é", "Z", "k1-00", "k1-0f", "a\x00", "10", "2.5", "zz"])
FLAVOURS = {
    "codes": st.one_of(st.none(), small_ints),
    "codes_full": small_ints,
    "numbers": st.one_of(st.none(), floats),
    "whole": st.one_of(st.none(), small_ints.map(float)),
    "text": st.one_of(st.none(), words),
    "mixed": st.one_of(st.none(), small_ints, floats, words),
    "empty": st.none(),
    "big": st.one_of(st.none(), st.integers(-2 ** 63, 2 ** 63 - 1)),
}


@st.composite
def old_tables(draw):
    """(columns with declared types, rows, submission statuses): one former responses table."""
    items = draw(st.lists(st.tuples(st.sampled_from(list(FLAVOURS)), st.sampled_from(["INTEGER", "REAL", "TEXT"])),
                          max_size=6))
    cols = CONTRACT + [(f"i{k}_{fl}", t) for k, (fl, t) in enumerate(items)]
    n_subs = draw(st.integers(1, 4))
    statuses = [draw(st.sampled_from(["accepted", "accepted", "superseded", "rejected"])) for _ in range(n_subs)]
    rows = []
    for k in range(n_subs):  # a submission's rows are written together (one transaction)
        for _ in range(draw(st.integers(0, 6))):
            row = [draw(st.one_of(st.none(), st.sampled_from(["k1-a", "k1-b", "k1-c", "é", "B"]))),
                   draw(st.one_of(st.sampled_from(["P01", "P02", "P10"]), st.none())),
                   draw(st.one_of(st.sampled_from([1, 2, 1.0]), st.none(), st.just(2.5), st.just("x"))),
                   draw(st.one_of(st.none(), st.sampled_from(["2025-01-02", "2024-12-31"]))),
                   "1.0", f"S{k:010d}"]
            row += [draw(FLAVOURS[fl]) for fl, _ in items]
            rows.append(row)
    return cols, rows, statuses


def _old_database(cols, rows, statuses) -> sqlite3.Connection:
    con = sqlite3.connect(":memory:", isolation_level=None)
    con.executescript(dbmod._SCHEMA + colstore.SCHEMA)
    for k, status in enumerate(statuses):
        con.execute("INSERT INTO submissions (submission_id, sha256, received_at, status, instrument, version) "
                    "VALUES (?, ?, '2025-01-01', ?, 'mini', '1.0')", (f"S{k:010d}", f"{k:064x}", status))
    # the former DDL (Store._ensure_table) and the values bound as they were
    con.execute(f'CREATE TABLE "responses_mini_1_0" ({", ".join(f"{chr(34)}{c}{chr(34)} {t}" for c, t in cols)})')
    con.execute('CREATE INDEX "responses_mini_1_0_sub" ON "responses_mini_1_0" (submission_id)')
    con.execute("INSERT INTO response_tables VALUES ('mini', '1.0', 'responses_mini_1_0')")
    con.executemany(f'INSERT INTO "responses_mini_1_0" VALUES ({", ".join("?" * len(cols))})', rows)
    return con


def _former_read(con) -> pd.DataFrame:
    cur = con.execute('SELECT t.* FROM "responses_mini_1_0" t JOIN submissions s ON s.submission_id = t.submission_id '
                      "WHERE s.status = 'accepted' ORDER BY t.site, t.wave, t.pid, t.rowid")
    return pd.DataFrame(cur.fetchall(), columns=[d[0] for d in cur.description])


def _exact(frame: pd.DataFrame) -> list:
    """Every value with its type, floats by their bits (NaN and -0.0 included)."""
    def one(v):
        if isinstance(v, (float, np.floating)):
            return ("f", struct.pack("<d", float(v)))
        return (type(v).__name__, v)
    return [(c, str(frame[c].dtype), [one(v) for v in frame[c].tolist()]) for c in frame.columns]


def _same_frame(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    assert _exact(a) == _exact(b)
    assert a.index.equals(b.index) and type(a.index) is type(b.index)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@settings(max_examples=200, deadline=None)
@given(old_tables())
def test_columns_read_what_the_per_respondent_table_read(table):
    cols, rows, statuses = table
    con = _old_database(cols, rows, statuses)
    before = _former_read(con)
    every = con.execute('SELECT * FROM "responses_mini_1_0" ORDER BY rowid').fetchall()
    groups = Counter()
    for site, wave, n in con.execute(
            'SELECT t.site, t.wave, COUNT(*) FROM "responses_mini_1_0" t JOIN submissions s '
            "ON s.submission_id = t.submission_id WHERE s.status = 'accepted' GROUP BY t.site, t.wave"):
        groups[(site, int(wave) if isinstance(wave, (int, float)) else wave)] += n
    con.execute("BEGIN")
    colstore.migrate(con)
    con.execute("COMMIT")
    assert colstore.old_tables(con) == []
    after = colstore.read_set(con, "mini", "1.0")
    _same_frame(before, after if rows else pd.DataFrame([], columns=[c for c, _ in cols]))
    if rows:
        # a subset of the columns is the same subset of the frame
        _same_frame(before[["pid"]], colstore.read_set(con, "mini", "1.0", columns=["pid"]))
        # every row as written: the former ORDER BY rowid, cell for cell
        cells = colstore.set_cells(con, "mini", "1.0", [c for c, _ in cols])
        got = list(zip(*(cells[c] for c, _ in cols)))
        assert [tuple((type(v), v) for v in r) for r in got] == [tuple((type(v), v) for v in r) for r in every]
        assert colstore.set_affinities(con, "mini", "1.0") == dict(cols)
        counted = Counter()
        for (site, wave), n in colstore.count_rows(con, "mini", "1.0", ("site", "wave")).items():
            counted[(site, int(wave) if isinstance(wave, (int, float)) else wave)] += n
        assert counted == groups


def test_pandas_inference_the_columns_reproduce():
    """The rule of point 3 of the colstore docstring, on the DataFrame constructor itself."""
    def infer(cells):
        return pd.DataFrame([(v,) for v in cells], columns=["c"])["c"]
    assert infer([1, 2]).dtype == np.int64
    assert infer([1, None]).dtype == np.float64 and infer([1, 2.5]).dtype == np.float64
    assert infer([None, None]).dtype == object and infer([None, None]).tolist() == [None, None]
    assert infer(["a", None]).dtype == object and infer(["a", 1]).tolist() == ["a", 1]


def test_columns_added_later_come_last_and_are_null_before():
    """A ``pid_<kind>`` column first sent by a later submission (the former ALTER TABLE ADD COLUMN)."""
    con = sqlite3.connect(":memory:", isolation_level=None)
    con.executescript(dbmod._SCHEMA + colstore.SCHEMA)
    rows = []
    for seq, (sid, names) in enumerate([("S1", ["pid", "site", "q1"]), ("S2", ["pid", "site", "pid_nrn", "q1"])], 1):
        con.execute("INSERT INTO submissions (submission_id, sha256, received_at, status) VALUES (?, ?, 'x', 'accepted')",
                    (sid, sid))
        for pos, name in enumerate(names):
            col = colstore.same_column(f"{sid}-{name}" if name != "q1" else seq, "TEXT" if name != "q1" else "INTEGER", 2)
            rows.append(colstore.column_row(sid, "mini", "1.0", seq, pos, name, "TEXT", col))
    con.executemany(colstore.INSERT_SQL, rows)
    assert colstore.set_columns(con, "mini", "1.0") == ["pid", "site", "q1", "pid_nrn"]
    frame = colstore.read_set(con, "mini", "1.0", accepted_only=False)
    assert frame["pid_nrn"].tolist() == [None, None, "S2-pid_nrn", "S2-pid_nrn"]
    assert frame["q1"].tolist() == [1, 1, 2, 2] and frame["q1"].dtype == np.int64
