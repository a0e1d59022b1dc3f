"""Survey responses stored column by column, one BLOB per column of each submission.

The store keeps an accepted submission's responses as one row of
``response_columns`` per column ("columnar per submission"), each column
encoded by :mod:`evaluation.store.columns`::

    response_columns(
        submission_id TEXT,   -- the submission (submissions.submission_id)
        instrument TEXT, version TEXT,   -- its instrument version: the "responses table" it belongs to
        seq INTEGER,          -- the order in which the submissions of that version were written
        position INTEGER,     -- the column's place among the submission's columns
        name TEXT,            -- pid, site, wave, date, instrument_version, submission_id, pid_<kind>, items
        affinity TEXT,        -- INTEGER, REAL or TEXT: the declared type its values were stored under
        kind TEXT, format INTEGER, n_rows INTEGER, data BLOB,   -- the encoded column
        PRIMARY KEY (submission_id, name))

An instrument version's columns (its "responses table",
``responses_<instrument>_<major>_<minor>`` in ``response_tables``) are those
of its submissions in order of ``(seq, position)``. Writing 100,000 rows x 87
columns costs one INSERT per column instead of 8.7 million bound cells
(``benchmarks/intake_bench.py --stages``: the store stage takes 0.07 s of CPU
instead of 0.68 s).

Same data as the former per-respondent tables
---------------------------------------------
Until this layout the store wrote one SQLite table per instrument version,
one row per respondent, one SQL column per item, with a declared type
(``INTEGER`` for choices, integers and the wave; ``REAL`` for numbers;
``TEXT`` for identifiers, dates and text), and the loaders read it with
``SELECT t.* ... WHERE s.status = 'accepted' ORDER BY t.site, t.wave,
t.pid, t.rowid`` into ``pd.DataFrame(cursor.fetchall(), columns=...)``.
Everything above the store was written against what that gave, so this
module reproduces it deliberately:

1. *The cells are what SQLite held.* :func:`stored_column` turns a frame
   column into the cells binding it into a column of that declared type
   stored: a whole float in an INTEGER column an ``int``, an integer in a
   REAL column a ``float``, a missing value NULL, ``-0.0`` in a REAL column
   ``0.0`` (SQLite keeps no negative zero there: checked once at import,
   :data:`REAL_KEEPS_NEGATIVE_ZERO`), a number in a TEXT column SQLite's
   text for it. The common cases (numeric arrays, text, ISO dates) are
   computed with numpy; anything else (text in a numeric column, numbers in
   a TEXT column, whole floats beyond 2**53 in an INTEGER column) is passed
   through SQLite itself (:func:`sqlite_cells`, an in-memory table of that
   type), so its rules are SQLite's, whatever its version.
2. *The order is the query's.* :func:`read_set` orders the rows of the
   accepted submissions by site, wave, pid (SQLite's order: NULL first,
   then numbers by value, then text by its UTF-8 bytes) and then as
   written (``seq``, then row), as ``t.rowid`` did.
3. *The dtypes are pandas' inference over the whole column.* The
   ``DataFrame`` constructor inferred one dtype per column from the cells
   of all the rows read: INTEGER cells only -> ``int64``; INTEGER and/or
   REAL with NULLs, or INTEGER and REAL -> ``float64`` (an ``int`` becomes
   the nearest float, NULL NaN); NULL only -> ``object`` of ``None``; no
   row at all -> ``object``. These numeric cases are built from the int64 /
   float64 arrays directly; any column holding TEXT (or cells of the
   ``json`` kind) goes through that same constructor
   (``pd.DataFrame(list of row tuples, columns=...)``), so its inference is
   pandas' own. ``tests/evaluation/store/test_colstore.py`` compares both
   ways on random columns.

Workspaces written with the per-respondent tables are migrated when the
store opens (:func:`migrate`): each table's rows become the column BLOBs of
their submissions, the table is dropped, all in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections import Counter
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .columns import FORMAT, Column, decode, encode

__all__ = [
    "SCHEMA",
    "REAL_KEEPS_NEGATIVE_ZERO",
    "stored_column",
    "same_column",
    "sqlite_cells",
    "column_row",
    "INSERT_SQL",
    "set_columns",
    "set_affinities",
    "read_set",
    "set_cells",
    "set_submissions",
    "submission_columns",
    "replace_column",
    "drop_rows",
    "count_rows",
    "old_tables",
    "migrate",
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS response_columns (
    submission_id TEXT NOT NULL,
    instrument TEXT NOT NULL,
    version TEXT NOT NULL,
    seq INTEGER NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    affinity TEXT NOT NULL CHECK (affinity IN ('INTEGER', 'REAL', 'TEXT')),
    kind TEXT NOT NULL,
    format INTEGER NOT NULL,
    n_rows INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (submission_id, name)
);
CREATE INDEX IF NOT EXISTS response_columns_set ON response_columns (instrument, version, seq, position);
"""

INSERT_SQL = ("INSERT INTO response_columns (submission_id, instrument, version, seq, position, name, affinity, "
              "kind, format, n_rows, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

#: what a missing cell is given to SQLite as (SQLite stores a NaN as NULL)
_NULL = float("nan")


# -- what SQLite stores ------------------------------------------------------------

def sqlite_cells(values: Iterable, affinity: str) -> list:
    """What SQLite stores for ``values`` bound into a column declared ``affinity``: the reference.

    One in-memory table; a float NaN is bound as NULL. Used for the rare
    columns the numpy paths of :func:`stored_column` leave to SQLite.
    """
    con = sqlite3.connect(":memory:")
    try:
        con.execute(f"CREATE TABLE t (v {affinity})")
        con.executemany("INSERT INTO t VALUES (?)", ((v,) for v in values))
        return [r[0] for r in con.execute("SELECT v FROM t ORDER BY rowid")]
    finally:
        con.close()


def _keeps_negative_zero() -> bool:
    import math

    (v,) = sqlite_cells([-0.0], "REAL")
    return math.copysign(1.0, v) < 0


#: the integer widths a column of whole numbers is held in before encoding (narrowest first)
_NARROW = (np.dtype(np.int8), np.dtype(np.int16), np.dtype(np.int32), np.dtype(np.int64))

#: whether SQLite keeps -0.0 in a REAL column (3.40 does not: it stores 0.0)
REAL_KEEPS_NEGATIVE_ZERO = _keeps_negative_zero()


def _column_values(s: pd.Series, sql_type: str) -> np.ndarray:
    """A column as a 1-D object array of the Python values the store binds; ``NaN`` for missing.

    ``sql_type`` ``TEXT_DATE``: dates as ISO ``YYYY-MM-DD`` text. For the
    columns :func:`stored_column` does not turn into cells with numpy itself
    (text, objects, timestamps): numpy scalars become Python numbers,
    timestamps and dates ISO days; no per-value Python loop for a column of
    text only.
    """
    if sql_type == "TEXT_DATE":
        d = pd.to_datetime(s, errors="coerce")
        if d.dtype == np.dtype("datetime64[ns]"):  # naive, years 1677-2262: numpy formats in C
            values, missing = _iso_days(d.to_numpy())
            values[missing] = _NULL
            return values
        out = d.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        out[pd.isna(d).to_numpy()] = _NULL
        return out
    missing = s.isna().to_numpy()
    values = s.to_numpy(dtype=object, copy=True)
    values[missing] = _NULL
    if pd.api.types.is_string_dtype(s.dtype) and not s.dtype == object:
        return values  # pandas string dtype: str where not missing
    present = np.flatnonzero(~missing)
    if pd.api.types.infer_dtype(values[present], skipna=False) in ("string", "empty"):
        return values  # str only
    for i in present:
        v = values[i]
        if isinstance(v, (np.integer,)):
            values[i] = int(v)
        elif isinstance(v, (np.floating,)):
            values[i] = float(v)
        elif isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
            values[i] = v.strftime("%Y-%m-%d")
    return values


def _iso_days(stamps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(days, missing)`` of a ``datetime64[ns]`` array: ISO ``YYYY-MM-DD`` text (None where NaT) and its mask.

    Each distinct day is formatted once (a file holds a few hundred days):
    formatting every cell took 30 ms of 100,000 rows, factorizing them 3 ms
    (``benchmarks/intake_bench.py``).
    """
    codes, days = pd.factorize(stamps.astype("datetime64[D]").view(np.int64), use_na_sentinel=True)
    days = np.asarray(days).view("datetime64[D]")
    text = np.datetime_as_string(days, unit="D").astype(object)
    nat = np.isnat(days)
    text[nat] = None
    # code -1 (none here: NaT is a value) is the last entry
    return np.append(text, None)[codes], np.append(nat, True)[codes]


def _is_str_or_missing(values: np.ndarray, missing: np.ndarray) -> bool:
    present = values[~missing]
    return pd.api.types.infer_dtype(present, skipna=False) in ("string", "empty")


def stored_column(s: pd.Series, affinity: str) -> Column:
    """The cells SQLite would hold for the frame column ``s`` bound into a column declared ``affinity``.

    ``affinity``: ``INTEGER``, ``REAL``, ``TEXT`` or ``TEXT_DATE`` (a TEXT
    column of ISO days). See the module docstring, point 1.
    """
    sql = "TEXT" if affinity == "TEXT_DATE" else affinity
    if affinity != "TEXT_DATE" and not isinstance(s.dtype, pd.StringDtype):  # (text: no array of numbers)
        arr = s.to_numpy()
        k = arr.dtype.kind
        if k == "b":
            arr, k = arr.astype(np.int64), "i"
        if k == "u" and len(arr) and arr.max() >= 2 ** 63:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        if k in "iu":
            if sql == "INTEGER":
                return Column.integers(arr.astype(np.int64))
            if sql == "REAL":
                return Column.reals(arr.astype(np.float64))
            return Column.from_cells(sqlite_cells(arr.tolist(), sql))
        if k == "f":
            arr = arr.astype(np.float64, copy=False)
            missing = np.isnan(arr)
            if missing.all():
                return Column.same(None, len(arr))
            if sql == "REAL":
                return Column.reals(arr if REAL_KEEPS_NEGATIVE_ZERO else arr + 0.0)  # -0.0 + 0.0 is 0.0
            if sql == "INTEGER":
                # every present cell a whole number within +-2**53: bound as int, stored as INTEGER. Cast
                # straight to the narrowest width the bounds allow (survey codes: one byte), never through an
                # int64 copy: 83 fresh 800 KB arrays a submission were 20,000 page faults, 50 ms of its store
                # stage (benchmarks/intake_bench.py --stages). A NaN casts to garbage and equals nothing, so
                # the cells equal to their cast are the whole present ones; the others are then zeroed.
                lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
                if -2 ** 53 <= lo and hi <= 2 ** 53:
                    n_missing = int(np.count_nonzero(missing))
                    if n_missing:
                        lo, hi = min(lo, 0.0), max(hi, 0.0)  # a NULL cell holds 0
                    width = next(t for t in _NARROW if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max)
                    with np.errstate(invalid="ignore"):  # a NaN or a fraction casts to garbage: caught here
                        narrow = arr.astype(width)
                        whole = narrow == arr
                    if np.count_nonzero(whole) == len(arr) - n_missing:
                        if n_missing:
                            np.multiply(narrow, whole, out=narrow)  # 0 in a NULL cell
                        return Column("i8", len(arr), narrow, missing, bounds=(int(lo), int(hi)))
            values = arr.astype(object)
            values[missing] = None
            return Column.from_cells(sqlite_cells(values.tolist(), sql))
    if affinity == "TEXT" and s.dtype == object:  # text only (identifiers, pseudonyms): one pass to tell
        values = s.to_numpy(dtype=object, copy=True)
        missing = pd.isna(values)
        if _is_str_or_missing(values, missing):
            values[missing] = None
            return Column.texts(values, missing)
    if sql == "TEXT" and isinstance(s.dtype, pd.StringDtype):  # str or missing: nothing to convert
        values = np.asarray(s.array, dtype=object)  # the cells themselves, not a copy (only read from here)
        if pd.api.types.infer_dtype(values, skipna=False) == "string":  # no missing cell: one pass, 0.5 ms
            # (isna of 100,000 strings takes 2.5 ms, a copy with NA as None as long: 8 ms for a site column)
            return Column.texts(values, np.zeros(len(values), dtype=bool))
        missing = s.isna().to_numpy()
        values = s.to_numpy(dtype=object, copy=True)
        values[missing] = None
        return Column.texts(values, missing)
    if affinity == "TEXT_DATE" and s.dtype == np.dtype("datetime64[ns]"):  # validated dates: ISO days or NULL
        return Column.texts(*_iso_days(s.to_numpy()))
    values = _column_values(s, affinity)
    missing = pd.isna(values)
    values[missing] = None
    if sql == "TEXT" and _is_str_or_missing(values, missing):
        return Column.texts(values, missing)
    return Column.from_cells(sqlite_cells(values.tolist(), sql))


def same_column(value, affinity: str, n: int) -> Column:
    """``n`` cells of what SQLite stores for ``value`` in a column declared ``affinity`` (a constant column)."""
    if value is None or (isinstance(value, float) and value != value):
        return Column.same(None, n)
    if (affinity == "TEXT" and isinstance(value, str)) or (
            affinity == "INTEGER" and isinstance(value, int) and not isinstance(value, bool)):
        return Column.same(value, n)
    return Column.same(sqlite_cells([value], affinity)[0], n)


def column_row(sid: str, instrument: str, version: str, seq: int, position: int, name: str, affinity: str,
               column: Column) -> tuple:
    """The ``response_columns`` row (in :data:`INSERT_SQL`'s order) of one encoded column."""
    kind, data = encode(column)
    return (sid, instrument, version, seq, position, name, affinity, kind, FORMAT, len(column), data)


# -- reading -------------------------------------------------------------------------

def set_columns(con: sqlite3.Connection, instrument: str, version: str) -> list[str]:
    """The columns of an instrument version's responses, in order (first submission's, then new ones)."""
    seen: dict[str, None] = {}
    for (name,) in con.execute("SELECT name FROM response_columns WHERE instrument = ? AND version = ? "
                               "ORDER BY seq, position", (instrument, version)):
        seen.setdefault(name, None)
    return list(seen)


def set_affinities(con: sqlite3.Connection, instrument: str, version: str) -> dict[str, str]:
    """``{column: declared type}`` (INTEGER, REAL, TEXT) of an instrument version's responses."""
    out: dict[str, str] = {}
    for name, aff in con.execute("SELECT name, affinity FROM response_columns WHERE instrument = ? AND version = ? "
                                 "ORDER BY seq, position", (instrument, version)):
        out.setdefault(name, aff)
    return out


@contextlib.contextmanager
def _snapshot(con: sqlite3.Connection):
    """One read transaction around several queries (unless the caller has one): no write lands in between."""
    if con.in_transaction:
        yield
        return
    con.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        if con.in_transaction:
            con.execute("COMMIT")


def _fetch(con, instrument: str, version: str, names: Sequence[str] | None, accepted_only: bool):
    """``[(submission_id, n_rows, {name: Column})]`` in the order written."""
    sql = ("SELECT rc.submission_id, rc.seq, rc.name, rc.kind, rc.format, rc.n_rows, rc.data FROM response_columns rc "
           + ("JOIN submissions s ON s.submission_id = rc.submission_id AND s.status = 'accepted' " if accepted_only else "")
           + "WHERE rc.instrument = ? AND rc.version = ?")
    params: list = [instrument, version]
    if names is not None:
        sql += f" AND rc.name IN ({','.join('?' * len(names))})"
        params += list(names)
    sql += " ORDER BY rc.seq, rc.position"
    subs: list[tuple[str, int, dict[str, Column]]] = []
    index: dict[str, int] = {}
    for sid, _seq, name, kind, fmt, n, data in con.execute(sql, params):
        if sid not in index:
            index[sid] = len(subs)
            subs.append((sid, n, {}))
        s = subs[index[sid]]
        if n != s[1]:
            raise ValueError(f"submission {sid}: column {name} holds {n} rows, the others {s[1]}")
        s[2][name] = decode(kind, data, n, fmt)
    return subs


def _parts(subs, name: str) -> list[Column]:
    return [cols[name] if name in cols else Column.same(None, n) for _, n, cols in subs]


def _cells(parts: list[Column]) -> np.ndarray:
    if not parts:
        return np.empty(0, dtype=object)
    return np.concatenate([p.cells() for p in parts]) if len(parts) > 1 else parts[0].cells()


def _numeric(parts: list[Column]) -> np.ndarray | None:
    """The column as pandas inferred it from numeric cells (module docstring, point 3); None if not numeric."""
    classes: set[str] = set()
    for p in parts:
        if p.kind in ("text", "json") or (p.kind == "const" and isinstance(p.values, str)):
            return None
        classes |= p.classes()
    total = sum(p.n for p in parts)
    present = classes - {"null"}
    if not present:
        out = np.empty(total, dtype=object)  # NULL only: object None
        out.fill(None)
        return out
    if present == {"integer"} and "null" not in classes:
        return np.concatenate([p.values if p.kind == "i8" else np.full(p.n, p.values, dtype=np.int64)
                               for p in parts]) if parts else np.empty(0, np.int64)
    chunks = []
    for p in parts:
        if p.kind == "i8":
            v = p.values.astype(np.float64)
            if p.nulls is not None:
                v[p.nulls] = np.nan
        elif p.kind == "f8":
            v = p.values
        else:
            v = np.full(p.n, np.nan if p.values is None else float(p.values), dtype=np.float64)
        chunks.append(v)
    return np.concatenate(chunks)


def _sql_order_ranks(cells: np.ndarray) -> np.ndarray:
    """Ranks of ``cells`` in SQLite's ORDER BY: NULL (-1) first, numbers by value, then text by code point."""
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    uniques = list(uniques)
    if uniques and all(isinstance(u, str) for u in uniques) and "\x00" not in "".join(uniques):
        order = np.argsort(np.array(uniques, dtype=str), kind="stable")  # code points, as UTF-8 bytes
    else:
        order = sorted(range(len(uniques)), key=lambda i: (1, uniques[i]) if isinstance(uniques[i], str)
                       else (0, uniques[i]))
    rank_of = np.empty(len(uniques), dtype=np.int64)
    rank_of[np.asarray(order, dtype=np.int64)] = np.arange(len(uniques))
    return np.where(codes < 0, -1, rank_of[codes] if len(uniques) else codes)


def read_set(con: sqlite3.Connection, instrument: str, version: str, *, columns: Sequence[str] | None = None,
             accepted_only: bool = True) -> pd.DataFrame:
    """The responses of an instrument version as the former table's query read them (module docstring).

    ``accepted_only=True``: rows of accepted submissions, ordered by site,
    wave, pid, then as written. ``False``: every row, as written (the
    former ``ORDER BY rowid``). ``columns``: only these columns (in the
    table's order).
    """
    with _snapshot(con):
        names = set_columns(con, instrument, version)
        wanted = names if columns is None else [c for c in names if c in set(columns)]
        keys = ["site", "wave", "pid"] if accepted_only else []
        subs = _fetch(con, instrument, version, None if columns is None else sorted({*wanted, *keys}), accepted_only)
    total = sum(n for _, n, _ in subs)
    if total == 0:
        return pd.DataFrame([], columns=wanted)
    perm = None
    if accepted_only:
        ranks = [_sql_order_ranks(_cells(_parts(subs, k))) for k in keys]
        perm = np.lexsort((np.arange(total), *reversed(ranks)))  # the last key sorts first
    data: dict[str, pd.Series] = {}
    generic: list[str] = []
    for name in wanted:
        parts = _parts(subs, name)
        arr = _numeric(parts)
        if arr is None:
            generic.append(name)
            continue
        data[name] = pd.Series(arr if perm is None else arr[perm], dtype=arr.dtype, copy=False)
    if generic:
        cells = [_cells(_parts(subs, name)) for name in generic]
        if perm is not None:
            cells = [c[perm] for c in cells]
        inferred = pd.DataFrame(list(zip(*cells)), columns=generic)  # pandas' own inference, as before
        for name in generic:
            data[name] = inferred[name]
    return pd.DataFrame({name: data[name] for name in wanted}, copy=False)


def set_cells(con: sqlite3.Connection, instrument: str, version: str, names: Sequence[str], *,
              accepted_only: bool = False) -> dict[str, np.ndarray]:
    """``{name: cells}`` of every row (as written), one object array per column."""
    subs = _fetch(con, instrument, version, list(names), accepted_only)
    return {name: _cells(_parts(subs, name)) for name in names}


def count_rows(con: sqlite3.Connection, instrument: str, version: str, by: Sequence[str]) -> Counter:
    """Accepted rows per combination of the cells of ``by`` (the former ``GROUP BY``)."""
    cells = set_cells(con, instrument, version, by, accepted_only=True)
    return Counter(zip(*(cells[b] for b in by)))


# -- rewriting (erasure, key rotation) ------------------------------------------------

def set_submissions(con: sqlite3.Connection, instrument: str, version: str) -> list[tuple[str, int]]:
    """``[(submission_id, n_rows)]`` of every submission holding columns of the version, as written."""
    return [(sid, n) for sid, n in con.execute(
        "SELECT submission_id, MAX(n_rows) FROM response_columns WHERE instrument = ? AND version = ? "
        "GROUP BY submission_id ORDER BY MIN(seq)", (instrument, version))]


def submission_columns(con: sqlite3.Connection, sid: str, names: Sequence[str] | None = None) -> dict[str, Column]:
    """``{name: Column}`` of one submission (``names``: only these)."""
    sql = "SELECT name, kind, format, n_rows, data FROM response_columns WHERE submission_id = ?"
    params: list = [sid]
    if names is not None:
        sql += f" AND name IN ({','.join('?' * len(names))})"
        params += list(names)
    return {name: decode(kind, data, n, fmt) for name, kind, fmt, n, data in con.execute(sql + " ORDER BY position", params)}


def replace_column(con: sqlite3.Connection, sid: str, name: str, column: Column) -> None:
    """Write ``column`` in place of the submission's column ``name`` (same row: its place is kept)."""
    kind, data = encode(column)
    con.execute("UPDATE response_columns SET kind = ?, format = ?, n_rows = ?, data = ? "
                "WHERE submission_id = ? AND name = ?", (kind, FORMAT, len(column), data, sid, name))


def drop_rows(con: sqlite3.Connection, sid: str, drop: np.ndarray) -> int:
    """Rewrite every column of the submission without the rows where ``drop`` is true; rows dropped."""
    drop = np.asarray(drop, dtype=bool)
    if not drop.any():
        return 0
    keep = ~drop
    for name, col in submission_columns(con, sid).items():
        if len(col) != len(drop):
            raise ValueError(f"submission {sid}: column {name} holds {len(col)} rows, not {len(drop)}")
        replace_column(con, sid, name, col.take(keep))
    return int(drop.sum())


# -- the former per-respondent tables --------------------------------------------------

def old_tables(con: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """``[(instrument, version, table)]`` of per-respondent tables still in the database (a workspace to migrate)."""
    have = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [(i, v, t) for i, v, t in con.execute(
        "SELECT instrument, version, table_name FROM response_tables ORDER BY rowid") if t in have]


def migrate(con: sqlite3.Connection) -> dict[str, int]:
    """Turn every per-respondent table into column BLOBs per submission and drop it (caller's transaction).

    Each table's rows are grouped by their ``submission_id``, the groups in
    the order of their first row (``rowid``), the rows of a group in
    ``rowid`` order; each column keeps its declared type and every cell as
    SQLite held it. One submission is read at a time (through the former
    ``<table>_sub`` index), not the whole table: a table of several
    100,000-row files held about 45 bytes per cell in memory at once.
    Rows without a submission id (only a hand-edited database has them)
    are kept under :func:`unassigned_id` of their table. A table without a
    row keeps its columns and their types as a set of empty columns under
    :func:`schema_id` (the loaders still know the version's columns).
    Returns ``{"tables": ..., "rows": ..., "submissions": ...}``.
    """
    done = {"tables": 0, "rows": 0, "submissions": 0}
    for instrument, version, table in old_tables(con):
        info = list(con.execute(f'PRAGMA table_info("{table}")'))
        names = [r[1] for r in info]
        affinity = {r[1]: _declared(r[2]) for r in info}
        (seq,) = con.execute("SELECT COALESCE(MAX(seq), 0) FROM response_columns WHERE instrument = ? AND version = ?",
                             (instrument, version)).fetchone()
        groups = [sid for (sid,) in con.execute(
            f'SELECT submission_id FROM "{table}" GROUP BY submission_id ORDER BY MIN(rowid)')]
        for sid in groups:
            where = "submission_id IS NULL" if sid is None else "submission_id = ?"
            rows = con.execute(f'SELECT * FROM "{table}" WHERE {where} ORDER BY rowid',
                               () if sid is None else (sid,)).fetchall()
            seq += 1
            by_column = list(zip(*rows))
            key = unassigned_id(table) if sid is None else sid
            con.executemany(INSERT_SQL, [
                column_row(key, instrument, version, seq, pos, name, affinity[name], Column.from_cells(list(by_column[pos])))
                for pos, name in enumerate(names)])
            done["submissions"] += 1
            done["rows"] += len(rows)
            del rows, by_column
        if not groups:
            con.executemany(INSERT_SQL, [
                column_row(schema_id(table), instrument, version, seq + 1, pos, name, affinity[name], Column.same(None, 0))
                for pos, name in enumerate(names)])
        con.execute(f'DROP TABLE "{table}"')
        done["tables"] += 1
    return done


def schema_id(table: str) -> str:
    """The key under which a former table without rows keeps its (empty) columns: no submission has it."""
    return f"~columns of {table}"


def unassigned_id(table: str) -> str:
    """The key under which a former table's rows without a submission id are kept: no submission has it."""
    return f"~rows without a submission in {table}"


def _declared(sql_type: str) -> str:
    t = (sql_type or "").upper()
    if "INT" in t:
        return "INTEGER"
    if any(x in t for x in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "TEXT"
