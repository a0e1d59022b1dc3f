"""What the store keeps of a submission: exactly what binding plain Python values into SQLite kept.

The store's cells (:func:`evaluation.store.colstore.stored_column`, encoded
per column) must be what the former per-respondent table held: the column's values
(whole numbers as ``int``, missing as NULL) bound into a column of the
declared type. These tests
compare value and storage class with a reference insert of the plain values
(None for missing, the float as it is).
"""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.store import colstore
from evaluation.store import db as dbmod
from evaluation.store import table_name
from evaluation.store.columns import decode, encode

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


def _typed(cells) -> list[tuple]:
    """``(typeof, value)`` as SQLite names the storage classes."""
    names = {type(None): "null", int: "integer", float: "real", str: "text"}
    return [(names[type(v)], v) for v in cells]


def _kept(s: pd.Series, sql_type: str) -> list[tuple]:
    """What the store keeps of ``s`` (encoded and decoded again), as ``(typeof, value)``."""
    col = colstore.stored_column(s, sql_type)
    kind, data = encode(col)
    return _typed(decode(kind, data, len(col)).cells())


def test_missing_cells_are_sql_null_and_codes_integers(ws, store):
    frame = mini_frame(7)
    sid = submit(ws, store, frame)
    cells = colstore.set_cells(store.con, "mini", "1.0", store.table_columns(table_name("mini", "1.0")))
    kinds = {type(v) for v in cells["used_drugs_30d"]}
    assert kinds <= {int, type(None)} and len(cells["used_drugs_30d"]) == 7
    assert list(cells["submission_id"]) == [sid] * 7
    # no NaN is ever kept: a missing cell is NULL (None), in every column; only `hours` holds REAL cells
    for c, values in cells.items():
        assert not any(isinstance(v, float) and v != v for v in values), c
        assert not any(isinstance(v, float) for v in values) or c == "hours", c


def test_rows_keep_their_order(ws, store):
    frame = mini_frame(17)
    submit(ws, store, frame)
    stored = store.read_table(table_name("mini", "1.0"), columns=["pid", "who5_1"], accepted_only=False)
    assert len(stored) == 17 and stored["pid"].is_unique
    from evaluation.intake.pseudonymise import Pseudonymiser

    from .conftest import KEY

    ps = Pseudonymiser(KEY)
    assert stored["pid"].tolist() == [ps.pseudonym("prison_number", v) for v in frame["prison_number"]]
    expected = pd.to_numeric(frame["who5_1"], errors="coerce").tolist()
    assert [None if pd.isna(v) else v for v in stored["who5_1"]] == [None if pd.isna(v) else v for v in expected]


def test_insert_chunk_inserts_its_columns():
    con = sqlite3.connect(":memory:")
    con.executescript(colstore.SCHEMA)
    rows = [colstore.column_row("S1", "mini", "1.0", 1, i, f"c{i}", "INTEGER",
                                colstore.stored_column(pd.Series([i, i + 1, None], dtype=float), "INTEGER"))
            for i in range(5)]
    dbmod._insert_chunk(con, colstore.INSERT_SQL, rows)
    cells = colstore.set_cells(con, "mini", "1.0", [f"c{i}" for i in range(5)])
    assert {k: v.tolist() for k, v in cells.items()} == {f"c{i}": [i, i + 1, None] for i in range(5)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.datetimes(min_value=pd.Timestamp("1700-01-01").to_pydatetime(),
                                                  max_value=pd.Timestamp("2250-12-31").to_pydatetime())),
                max_size=20))
def test_dates_are_stored_as_iso_days(values):
    d = pd.Series(pd.to_datetime(values), dtype="datetime64[ns]")
    expected = [None if v is None else pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]
    assert [v for _, v in _stored(dbmod._column_values(d, "TEXT_DATE").tolist(), "TEXT")] == expected
    assert [v for _, v in _kept(d, "TEXT_DATE")] == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(floats, max_size=30), st.sampled_from(["INTEGER", "REAL", "TEXT"]))
def test_float_columns_are_kept_as_binding_them_stored_them(values, sql_type):
    s = pd.Series(values, dtype=float)
    assert _same(_kept(s, sql_type), _stored(_plain(s), sql_type))
    # bit for bit: -0.0 where SQLite keeps it, 0.0 where it does not
    assert [math.copysign(1, v) for t, v in _kept(s, sql_type) if t == "real"] == \
        [math.copysign(1, v) for t, v in _stored(_plain(s), sql_type) if t == "real"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-2 ** 63, 2 ** 63 - 1), max_size=20), st.sampled_from(["INTEGER", "REAL", "TEXT"]),
       st.booleans())
def test_integer_columns_are_kept_as_binding_them_stored_them(values, sql_type, as_bool):
    s = pd.Series([v % 2 == 0 for v in values], dtype=bool) if as_bool else pd.Series(values, dtype=np.int64)
    assert _kept(s, sql_type) == _stored(_plain(s), sql_type)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=5), st.integers(-5, 300),
                          st.sampled_from(["3", " 3", "2.5", "1e3", "-0.0", "abc", "0x10"]),
                          st.floats(allow_nan=True, allow_infinity=True)), max_size=20),
       st.sampled_from(["INTEGER", "REAL", "TEXT"]))
def test_object_and_string_columns_are_kept_as_binding_them_stored_them(values, sql_type):
    s = pd.Series(values, dtype=object)
    assert _same(_kept(s, sql_type), _stored(dbmod._column_values(s, sql_type).tolist(), sql_type))
    text = pd.Series([v if isinstance(v, str) else None for v in values], dtype="string")
    assert _same(_kept(text, sql_type), _stored(_plain(text), sql_type))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([1.0, -2.0, 0.5, float("nan"), 2.0 ** 60, 0.0, -0.0]), min_size=1, max_size=6),
       st.sampled_from(["INTEGER", "REAL", "TEXT"]))
def test_a_column_the_same_in_every_row_is_one_cell_and_stores_what_binding_it_stores(values, sql_type):
    s = pd.Series(values, dtype=float)
    kind, _ = encode(colstore.stored_column(s, sql_type))
    stored = _stored(_plain(s), sql_type)
    if kind == "const":  # only a column of one stored cell (storage class and bits)
        assert len({(t, repr(v)) for t, v in stored}) == 1
    assert _same(_kept(s, sql_type), stored)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.none(), st.just(float("nan")), st.integers(-2 ** 63, 2 ** 63 - 1), st.text(max_size=12),
                 st.floats(allow_nan=False), st.sampled_from(["S0a1b2c3d4e-2", "1.2", "it's", "P01", "a\x00b", "\u00e9"])),
       st.sampled_from(["INTEGER", "REAL", "TEXT"]), st.integers(0, 4))
def test_a_constant_column_stores_what_binding_it_stores(value, sql_type, n):
    """A column given one value for every row (the version, the submission id, NULL) as binding it n times stored it."""
    col = colstore.same_column(value, sql_type, n)
    kind, data = encode(col)
    assert _same(_typed(decode(kind, data, n).cells()), _stored([value] * n, sql_type))
