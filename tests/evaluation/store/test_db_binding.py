"""How the store binds a submission: the fast path stores exactly what plain Python values would.

The store builds one object array per submission and binds whole numbers as
``int`` and missing cells as NaN (which SQLite stores as NULL). These tests
compare what ends up in SQLite — value and storage class — with a reference
insert of the plain values (None for missing, the float as it is).
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.store import db as dbmod
from evaluation.store import table_name

from .conftest import mini_frame, submit


def _stored(values: list, sql_type: str) -> list[tuple]:
    """``(typeof, value)`` of each value after an insert into a column of ``sql_type``."""
    con = sqlite3.connect(":memory:")
    con.execute(f"CREATE TABLE t (v {sql_type})")
    con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    return con.execute("SELECT typeof(v), v FROM t ORDER BY rowid").fetchall()


def _plain(s: pd.Series) -> list:
    """The reference: each cell as a plain Python value, None where missing."""
    return [None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in s.astype(object)]


def _same(a: list[tuple], b: list[tuple]) -> bool:
    return all(ta == tb and (va == vb or (isinstance(va, float) and math.isnan(va) and math.isnan(vb)))
               for (ta, va), (tb, vb) in zip(a, b)) and len(a) == len(b)


floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10, 10).map(float),
    st.sampled_from([-0.0, 2.0 ** 53, 2.0 ** 53 + 2, 2.0 ** 62, -7.0, 0.5, 1e300]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(floats, max_size=30), st.sampled_from(["INTEGER", "REAL", "TEXT"]))
def test_float_columns_are_stored_as_the_plain_values_would_be(values, sql_type):
    s = pd.Series(values, dtype=float)
    fast = _stored(dbmod._column_values(s, sql_type).tolist(), sql_type)
    assert _same(fast, _stored(_plain(s), sql_type))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 300),
                          st.floats(allow_nan=True, allow_infinity=False)), max_size=20))
def test_object_and_string_columns_are_stored_as_the_plain_values_would_be(values):
    s = pd.Series(values, dtype=object)
    assert _same(_stored(dbmod._column_values(s, "TEXT").tolist(), "TEXT"), _stored(_plain(s), "TEXT"))
    text = pd.Series([v if isinstance(v, str) else None for v in values], dtype="string")
    assert _same(_stored(dbmod._column_values(text, "TEXT").tolist(), "TEXT"), _stored(_plain(text), "TEXT"))


def test_object_column_of_numpy_scalars_and_dates_is_converted():
    s = pd.Series([np.int64(3), np.float64(2.5), pd.Timestamp("2024-02-29"), None, "x"], dtype=object)
    assert _stored(dbmod._column_values(s, "TEXT").tolist(), "TEXT") == [
        ("text", "3"), ("text", "2.5"), ("text", "2024-02-29"), ("null", None), ("text", "x")]
    d = pd.Series(pd.to_datetime(["2024-01-31", None]))
    assert _stored(dbmod._column_values(d, "TEXT_DATE").tolist(), "TEXT") == [("text", "2024-01-31"), ("null", None)]


def test_missing_cells_are_sql_null_and_codes_integers(ws, store):
    frame = mini_frame(7)
    sid = submit(ws, store, frame)
    table = table_name("mini", "1.0")
    kinds = dict(store.con.execute(f'SELECT typeof(used_drugs_30d), COUNT(*) FROM "{table}" GROUP BY 1').fetchall())
    assert set(kinds) <= {"integer", "null"} and sum(kinds.values()) == 7
    assert store.con.execute(f'SELECT COUNT(*) FROM "{table}" WHERE submission_id = ?', (sid,)).fetchone()[0] == 7
    # no NaN ever reaches the table: a missing cell is NULL, in every column
    cols = store.table_columns(table)
    for c in cols:
        types = {r[0] for r in store.con.execute(f'SELECT DISTINCT typeof("{c}") FROM "{table}"')}
        assert "real" not in types or c == "hours", (c, types)


def test_rows_keep_their_order_across_chunks(ws, store, monkeypatch):
    monkeypatch.setattr(dbmod, "_CHUNK", 7)  # chunks of 7, 7 and 3 rows
    frame = mini_frame(17)
    submit(ws, store, frame)
    table = table_name("mini", "1.0")
    stored = pd.read_sql_query(f'SELECT pid, who5_1 FROM "{table}" ORDER BY rowid', store.con)
    assert len(stored) == 17 and stored["pid"].is_unique
    expected = pd.to_numeric(frame["who5_1"], errors="coerce").tolist()
    assert [None if pd.isna(v) else v for v in stored["who5_1"]] == [None if pd.isna(v) else v for v in expected]


def test_insert_chunk_inserts_its_rows_in_order_with_missing_as_null():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (a, b, c)")
    rows = [(i, f"r{i}", dbmod._NULL) for i in range(11)]
    dbmod._insert_chunk(con, "INSERT INTO t (a, b, c) VALUES (?, ?, ?)", rows)
    assert con.execute("SELECT a, b, c FROM t ORDER BY rowid").fetchall() == [(i, f"r{i}", None) for i in range(11)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.datetimes(min_value=pd.Timestamp("1700-01-01").to_pydatetime(),
                                                  max_value=pd.Timestamp("2250-12-31").to_pydatetime())),
                max_size=20))
def test_dates_are_stored_as_iso_days(values):
    d = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
    expected = [None if v is None else pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]
    assert [v for _, v in _stored(dbmod._column_values(d, "TEXT_DATE").tolist(), "TEXT")] == expected


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.none(), st.just(float("nan")), st.integers(-2 ** 64, 2 ** 64), st.text(max_size=12),
                 st.sampled_from(["S0a1b2c3d4e-2", "1.2", "it's", "P01", "a\x00b", "\u00e9\u00e8"])),
       st.sampled_from(["INTEGER", "TEXT"]))
def test_a_column_written_into_the_statement_stores_what_binding_it_stores(value, sql_type):
    """A column with one value in every row (version, submission id, NULL) is a literal of the INSERT."""
    literal = dbmod._sql_literal(value)
    if literal is None:  # bound as before
        return
    con = sqlite3.connect(":memory:")
    con.execute(f"CREATE TABLE t (v {sql_type})")
    con.execute(f"INSERT INTO t VALUES ({literal})")
    assert _same(con.execute("SELECT typeof(v), v FROM t").fetchall(), _stored([value], sql_type))


def test_constant_columns_are_literals_and_the_rest_bound_in_order():
    n = 3
    sql, bound = dbmod._insert_sql("t", ["a", "b", "c", "d"], [[1, 2, 3], dbmod._Same("S1-2"), dbmod._Same(None),
                                                              dbmod._Same("x\ty")], n)
    assert sql == "INSERT INTO \"t\" (\"a\", \"b\", \"c\", \"d\") VALUES (?, 'S1-2', NULL, ?)"
    assert bound == [[1, 2, 3], ["x\ty"] * n]
    rows = dbmod._Rows(bound, 1, 3)
    assert len(rows) == 2 and list(rows) == [(2, "x\ty"), (3, "x\ty")]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([1.0, -2.0, 0.5, float("nan"), 2.0 ** 60, 0.0, -0.0]), min_size=1, max_size=6),
       st.sampled_from(["INTEGER", "REAL", "TEXT"]))
def test_a_column_found_the_same_in_every_row_stores_what_binding_it_stores(values, sql_type):
    s = pd.Series(values, dtype=float)
    got = dbmod._column_or_same(s, sql_type)
    if isinstance(got, dbmod._Same):
        assert len(set(map(repr, values))) == 1  # only a column of one value
        sql, bound = dbmod._insert_sql("t", ["v"], [got], len(values))
        con = sqlite3.connect(":memory:")
        con.execute(f"CREATE TABLE t (v {sql_type})")
        con.executemany(sql, dbmod._Rows(bound, 0, len(values)))
        stored = con.execute("SELECT typeof(v), v FROM t ORDER BY rowid").fetchall()
    else:
        stored = _stored(got, sql_type)
    assert _same(stored, _stored(_plain(s), sql_type))
