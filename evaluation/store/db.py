"""The database: one SQLite file in the workspace, one transaction per submission.

Tables
------
``submissions``
    One row per file received, accepted or rejected: ``submission_id``
    (``"S"`` + the first 10 hex characters of the file's SHA-256; the same
    bytes received again for another reason get ``-2``, ``-3``...),
    ``sha256`` (the raw file now kept; changes when erasure or retention
    redacts it), ``file_name`` (as sent: it may itself contain a name or
    number, so it is shown to the evaluation team but never in the book),
    ``format``, ``site``, ``instrument``, ``version``, ``waves`` (comma
    separated wave codes), ``received_at``, ``status`` (accepted, rejected,
    superseded), ``replaces``, ``appended_to``, ``superseded_by``,
    ``n_rows`` (rows in the file), ``n_stored`` (rows kept: rows of people
    who did not consent are never stored), ``id_columns`` (JSON
    ``{column: kind}`` of the identifier columns in the raw file, for erasure
    and retention), ``user``.
``responses_<instrument>_<major>_<minor>``
    One table per instrument version: ``pid``, ``site``, ``wave``,
    ``date``, ``instrument_version``, ``submission_id``, then the item
    columns of that version (multiple choice as ``<item>_<code>``), plus
    ``pid_<kind>`` for a second identifier. Types: INTEGER for choice and
    integer items (nonresponse codes are negative integers), REAL for
    number items, TEXT (ISO ``YYYY-MM-DD``) for dates, TEXT for text.
``response_tables``
    instrument, version -> table name.
``raw_history``
    Every replacement of a raw file (erasure, retention): old and new hash.
``pseudonym_map``
    Old -> new pseudonym after a key rotation.

Privacy: ``PRAGMA secure_delete=ON`` (deleted content is overwritten with
zeros) and the rollback journal (``journal_mode=DELETE``: no WAL file in which
old pages could linger); erasure ends with ``VACUUM``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from .workspace import Workspace, remove_readonly, write_readonly

__all__ = [
    "Store",
    "SubmissionMeta",
    "StoreError",
    "SubmissionExists",
    "DuplicateSubmission",
    "ReplacesUnknown",
    "CONTRACT_COLUMNS",
    "table_name",
]

#: first columns of every responses table (the DESIGN.md contract)
CONTRACT_COLUMNS = ("pid", "site", "wave", "date", "instrument_version", "submission_id")
_CHUNK = 20_000  # rows per executemany call

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    submission_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    file_name TEXT,
    format TEXT,
    site TEXT,
    instrument TEXT,
    version TEXT,
    waves TEXT,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected', 'superseded')),
    replaces TEXT,
    appended_to TEXT,
    superseded_by TEXT,
    n_rows INTEGER,
    n_stored INTEGER,
    id_columns TEXT,
    user TEXT
);
CREATE INDEX IF NOT EXISTS submissions_sha ON submissions (sha256);
CREATE TABLE IF NOT EXISTS response_tables (
    instrument TEXT NOT NULL,
    version TEXT NOT NULL,
    table_name TEXT NOT NULL UNIQUE,
    PRIMARY KEY (instrument, version)
);
CREATE TABLE IF NOT EXISTS raw_history (
    old_sha256 TEXT NOT NULL,
    new_sha256 TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pseudonym_map (
    old_pid TEXT NOT NULL,
    new_pid TEXT NOT NULL,
    old_version INTEGER NOT NULL,
    new_version INTEGER NOT NULL,
    at TEXT NOT NULL
);
"""

_SQL_TYPE = {"single_choice": "INTEGER", "multiple_choice": "INTEGER", "integer": "INTEGER",
             "number": "REAL", "date": "TEXT", "text": "TEXT"}


class StoreError(RuntimeError):
    """A submission the store refuses; subclasses carry what the caller needs to report it."""


class SubmissionExists(StoreError):
    """Accepted data already exist for this site, instrument and wave: say ``replaces=`` or ``append=True``."""

    def __init__(self, existing: str, site: str, instrument: str, wave):
        self.existing, self.site, self.instrument, self.wave = existing, site, instrument, wave
        super().__init__(
            f"accepted data already exist for site {site}, {instrument}, wave {wave} (submission {existing}); "
            f"pass replaces={existing!r} to supersede them or append=True to add to them")

    @property
    def params(self) -> dict[str, Any]:
        """Parameters of the ``submission-exists`` problem."""
        return {"submission": self.existing, "site": self.site, "instrument": self.instrument, "wave": self.wave}


class DuplicateSubmission(StoreError):
    """The same file (same bytes) was already accepted for this site and instrument."""

    def __init__(self, existing: str):
        self.existing = existing
        super().__init__(f"this file was already accepted as submission {existing}; it is not stored again")


class ReplacesUnknown(StoreError):
    """``replaces=`` names no accepted submission of this site and instrument."""

    def __init__(self, submission: str, site: str, instrument: str):
        self.submission, self.site, self.instrument = submission, site, instrument
        super().__init__(f"replaces={submission!r} is not an accepted submission of site {site} and "
                         f"{instrument}; list them with Store.submissions()")


@dataclass
class SubmissionMeta:
    """What the store needs to know about a received file (the lead's ``submit`` fills it)."""

    sha256: str
    file_name: str
    site: str
    instrument: str | None = None  # instrument id, e.g. "detainee" (None: not recognised)
    version: str | None = None
    format: str | None = None  # sav, dta, xlsx, csv
    n_rows: int | None = None  # rows in the file
    id_columns: dict[str, str] = field(default_factory=dict)  # identifier columns of the raw file
    received_at: str | None = None
    stored_path: Path | None = None  # raw/<sha><ext>; found from the hash when None

    @property
    def ref(self) -> str | None:
        return f"{self.instrument}@{self.version}" if self.instrument and self.version else self.instrument


def table_name(instrument: str, version: str) -> str:
    return f"responses_{instrument}_{version.replace('.', '_')}"


#: what a missing cell is bound as: SQLite stores a NaN as NULL, and sqlite3 binds a float
#: directly where None goes through its adapter lookup (about 3x slower per value)
_NULL = float("nan")


def _column_values(s: pd.Series, sql_type: str) -> np.ndarray:
    """A column as a 1-D object array of the Python values sqlite3 binds; :data:`_NULL` for missing.

    Whole numbers bound to an INTEGER column are passed as ``int`` (SQLite's
    INTEGER affinity would turn an integral float into the same integer; an
    ``int`` is cheaper to make and to bind); any other float keeps its value.
    Only numpy operations, no per-value Python loop, except for an object
    column of mixed Python values.
    """
    if sql_type == "TEXT_DATE":
        d = pd.to_datetime(s, errors="coerce")
        if d.dtype == np.dtype("datetime64[ns]"):  # naive, years 1677-2262: numpy formats in C
            # each distinct day formatted once (a file holds a few hundred days): formatting every
            # cell took 30 ms of 100,000 rows, factorizing them 3 ms (benchmarks/intake_bench.py)
            codes, days = pd.factorize(d.to_numpy().astype("datetime64[D]").view(np.int64), use_na_sentinel=True)
            text = np.datetime_as_string(np.asarray(days).view("datetime64[D]"), unit="D").astype(object)
            text[np.isnat(np.asarray(days).view("datetime64[D]"))] = _NULL
            return np.append(text, _NULL)[codes]  # code -1 (none here: NaT is a value) is the last
        out = d.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        out[pd.isna(d).to_numpy()] = _NULL
        return out
    arr = s.to_numpy()
    if arr.dtype.kind in "iub":
        return arr.astype(object)
    if arr.dtype.kind == "f":
        missing = np.isnan(arr)
        if sql_type == "INTEGER":
            with np.errstate(invalid="ignore"):
                whole = ~missing & (np.abs(arr) <= 2.0 ** 53) & (np.floor(arr) == arr)
            if np.array_equal(whole, ~missing):
                values = np.where(missing, 0, arr).astype(np.int64).astype(object)
                values[missing] = _NULL
                return values
        values = arr.astype(np.float64).astype(object)
        values[missing] = _NULL
        return values
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


def _column_or_same(s: pd.Series, sql_type: str) -> list | _Same:
    """:func:`_column_values` as a list, or :class:`_Same` for a numeric column with one value in every row.

    Consent and wave hold one value in a whole file, an item nobody was
    asked is empty in every row: a literal in the statement, not one bound
    value per row (checked with one numpy comparison of the bits, text columns as they are).
    """
    arr = s.to_numpy()
    if len(arr) and arr.dtype == np.float64:
        if np.isnan(arr[0]):
            if np.isnan(arr).all():
                return _Same(None)
        elif (arr.view(np.int64) == arr[:1].view(np.int64)).all():  # bit for bit: 0.0 is not -0.0
            return _Same(_column_values(s.iloc[:1], sql_type)[0])
    return _column_values(s, sql_type).tolist()


def _capped(value, limit: int = 40):
    """A value from the user (``--site``) as kept with a rejection: short, no control characters."""
    from evaluation.intake.limits import safe_echo

    return safe_echo(value, limit)


class _Same:
    """A table column holding one value in every row of a submission (its version, its id, NULL)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def _sql_literal(value) -> str | None:
    """``value`` as an SQL literal that stores what binding it stores; None when it is better bound.

    Only NULL, 64-bit integers and printable text: the rest (floats, text with
    control characters) is bound as usual.
    """
    if value is None or (isinstance(value, float) and value != value):
        return "NULL"
    if isinstance(value, int) and not isinstance(value, bool) and -2 ** 63 <= value < 2 ** 63:
        return str(value)
    if isinstance(value, str) and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    return None


def _insert_sql(table: str, names: list[str], columns: list, n: int) -> tuple[str, list[list]]:
    """The one-row ``INSERT`` for ``columns`` and the per-row lists it binds, in the statement's order.

    A column the same in every row (:class:`_Same`: the version, the
    submission id, NULL for an item the file lacks) is a literal of the
    statement: binding it 100,000 times cost about 30 ms a text column
    (``benchmarks/intake_bench.py``, CPU time), as much as storing it.
    """
    values, bound = [], []
    for c in columns:
        literal = _sql_literal(c.value) if isinstance(c, _Same) else None
        if literal is not None:
            values.append(literal)
        else:
            values.append("?")
            bound.append([_NULL if c.value is None else c.value] * n if isinstance(c, _Same) else c)
    cols = ", ".join(f'"{c}"' for c in names)
    return f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join(values)})', bound


class _Rows:
    """Rows ``start:stop`` of per-column lists, zipped into tuples only as sqlite3 asks for them.

    Hand-written for a measured reason (``benchmarks/intake_bench.py``, 100,000
    rows x 89 columns): a list of the chunk's tuples made the cyclic garbage
    collector run over and over while it grew (tuples are tracked containers),
    about 0.2-0.4 s per submission, as long as the zipping itself; zipped lazily,
    each tuple is freed (or reused by ``zip``) once bound, and nothing piles up.
    ``len()`` is the number of rows (the crash-in-the-middle tests count them).
    """

    __slots__ = ("columns", "start", "stop")

    def __init__(self, columns: list[list], start: int, stop: int):
        self.columns, self.start, self.stop = columns, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __iter__(self):
        if not self.columns:  # every column a literal: still one (empty) tuple per row
            return iter([()] * len(self))
        return zip(*(c[self.start:self.stop] for c in self.columns))


def _insert_chunk(con: sqlite3.Connection, sql: str, rows) -> None:
    """Insert one chunk of rows (a seam for the crash-in-the-middle test).

    ``sql`` inserts one row (``INSERT ... VALUES (?, ...)``); ``rows`` is an
    iterable of tuples, one per table row (:class:`_Rows`, or a list). One row
    per statement step: the rows come as tuples zipped from per-column lists,
    which costs a third of the Python time of the former 2-D object block cut
    into 32-row statements, for the same SQLite time
    (``benchmarks/intake_bench.py``, CPU time).
    """
    con.executemany(sql, rows)


class Store:
    """The workspace's database. ``Store(workspace)`` or ``workspace.store()``."""

    def __init__(self, workspace: Workspace, *, catalogue=None):
        if not isinstance(workspace, Workspace):
            raise TypeError("workspace must be a Workspace: use Workspace.open(path)")
        self.workspace = workspace
        self._catalogue = catalogue
        if not workspace.db_path.exists():  # owner only, from the first byte
            os.close(os.open(workspace.db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self.con = sqlite3.connect(workspace.db_path, isolation_level=None)
        self.con.execute("PRAGMA secure_delete=ON")
        self.con.execute("PRAGMA journal_mode=DELETE")
        self.con.execute("PRAGMA foreign_keys=ON")
        self.con.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache for large submissions
        self.con.executescript(_SCHEMA)
        workspace.try_reconcile(self)

    @property
    def catalogue(self):
        if self._catalogue is None:
            from ..instruments import Catalogue

            self._catalogue = Catalogue()
        return self._catalogue

    def close(self) -> None:
        """Close the database; the workspace's shared lock goes, and leftovers are cleaned if nobody works."""
        try:
            self.workspace.release_shared(self)
            self.workspace.try_reconcile(self)
        finally:
            self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- queries -------------------------------------------------------------
    def query(self, sql: str, params: Iterable = ()) -> pd.DataFrame:
        cur = self.con.execute(sql, tuple(params))
        cols = [d[0] for d in cur.description]
        return pd.DataFrame(cur.fetchall(), columns=cols)

    def submission(self, submission_id: str) -> dict[str, Any] | None:
        cur = self.con.execute("SELECT * FROM submissions WHERE submission_id = ?", (submission_id,))
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None

    def by_sha(self, sha256: str) -> list[dict[str, Any]]:
        """Submissions of the file with this hash (to recognise a file sent twice)."""
        cur = self.con.execute("SELECT * FROM submissions WHERE sha256 = ? ORDER BY received_at", (sha256,))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def tables(self) -> dict[tuple[str, str], str]:
        """``{(instrument, version): table}`` of every responses table."""
        return {(i, v): t for i, v, t in self.con.execute("SELECT instrument, version, table_name FROM response_tables")}

    def table_columns(self, table: str) -> list[str]:
        return [r[1] for r in self.con.execute(f'PRAGMA table_info("{table}")')]

    def _new_id(self, sha256: str) -> str:
        base = "S" + sha256[:10]
        taken = {r[0] for r in self.con.execute(
            "SELECT submission_id FROM submissions WHERE submission_id = ? OR submission_id LIKE ?", (base, base + "-%"))}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    # -- writing ---------------------------------------------------------------
    def _definition(self, meta: SubmissionMeta, definition):
        if definition is not None:
            return definition
        if not meta.instrument or not meta.version:
            raise ValueError("meta.instrument and meta.version are needed to store responses")
        return self.catalogue.instrument(meta.instrument, meta.version)

    def _layout(self, defn, frame: pd.DataFrame) -> list[tuple[str, str, str | None]]:
        """``[(table column, sql type, frame column or None)]`` for a submission of ``defn``."""
        roles = {r: defn.role_item(r) for r in ("pid", "site", "wave", "date")}
        role_names = {i.name for i in roles.values() if i is not None}
        layout: list[tuple[str, str, str | None]] = [
            ("pid", "TEXT", "pid" if "pid" in frame.columns else None),
            ("site", "TEXT", roles["site"].name if roles["site"] is not None and roles["site"].name in frame.columns else None),
            ("wave", "INTEGER", roles["wave"].name if roles["wave"] is not None and roles["wave"].name in frame.columns else None),
            ("date", "TEXT_DATE", roles["date"].name if roles["date"] is not None and roles["date"].name in frame.columns else None),
        ]
        for extra in frame.columns:
            if isinstance(extra, str) and extra.startswith("pid_"):
                layout.append((extra, "TEXT", extra))
        for item in defn.items:
            if item.name in role_names:
                continue
            for col in defn.item_columns(item):
                t = "TEXT_DATE" if item.type == "date" else _SQL_TYPE[item.type]
                layout.append((col, t, col if col in frame.columns else None))
        return layout

    def _ensure_table(self, defn, layout) -> str:
        name = table_name(defn.id, defn.version)
        cols = [("pid", "TEXT"), ("site", "TEXT"), ("wave", "INTEGER"), ("date", "TEXT"),
                ("instrument_version", "TEXT"), ("submission_id", "TEXT")]
        cols += [(c, "TEXT" if t == "TEXT_DATE" else t) for c, t, _ in layout[4:]]
        existing = self.table_columns(name)
        if not existing:
            ddl = ", ".join(f'"{c}" {t}' for c, t in cols)
            self.con.execute(f'CREATE TABLE "{name}" ({ddl})')
            self.con.execute(f'CREATE INDEX "{name}_sub" ON "{name}" (submission_id)')
            # no index on pid: random pseudonyms make index maintenance cost more than the
            # rare scans it would save (erasure, rotation); 100,000 rows insert ~3x faster
            self.con.execute("INSERT INTO response_tables VALUES (?, ?, ?)", (defn.id, defn.version, name))
        else:
            for c, t in cols:
                if c not in existing:
                    self.con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{c}" {t}')
        return name

    def _accepted(self, site: str, instrument: str) -> list[dict[str, Any]]:
        cur = self.con.execute(
            "SELECT submission_id, waves, sha256 FROM submissions WHERE status = 'accepted' AND site = ? AND instrument = ?",
            (site, instrument))
        return [{"submission_id": s, "waves": {w for w in (ws or "").split(",") if w}, "sha256": h}
                for s, ws, h in cur.fetchall()]

    def write_submission(
        self,
        meta: SubmissionMeta,
        frame: pd.DataFrame,
        *,
        replaces: str | None = None,
        append: bool = False,
        definition=None,
    ) -> str:
        """Store an accepted, pseudonymised submission in one transaction; return its id.

        ``frame`` holds ``pid`` (from :func:`~evaluation.intake.pseudonymise.pseudonymise_frame`;
        anonymous instruments have none) and the item columns of ``meta``'s
        instrument version; rows of people who did not consent must already
        be removed. Raises :class:`SubmissionExists` when accepted data exist
        for the same site, instrument and wave and neither ``replaces`` nor
        ``append`` is given, :class:`ReplacesUnknown` for a bad ``replaces``,
        :class:`DuplicateSubmission` for the same file accepted before. On
        any error nothing is written.
        """
        defn = self._definition(meta, definition)
        if meta.instrument is None:
            meta.instrument, meta.version = defn.id, defn.version
        raw_cols = [c for c in meta.id_columns if c in frame.columns]
        if raw_cols:
            raise ValueError(f"frame still holds the raw identifier column(s) {raw_cols}: pseudonymise it first "
                             "(evaluation.intake.pseudonymise.pseudonymise_frame)")
        from .freetext import screen_frame

        frame, n_screened = screen_frame(frame, defn)  # names typed in free text never reach the database
        layout = self._layout(defn, frame)
        wave_col = layout[2][2]
        if wave_col is not None:
            waves = sorted({int(w) for w in np.unique(pd.to_numeric(frame[wave_col], errors="coerce").dropna().to_numpy())})
        else:
            waves = [defn.meta.waves[0].code] if len(defn.meta.waves) == 1 else []
        wave_keys = {str(w) for w in waves}
        sid = "S" + meta.sha256[:10]  # provisional (anonymous row ids); the final id is taken in the transaction
        n = len(frame)
        # one list of Python values per table column, rows zipped from them chunk by chunk; a column
        # with one value for every row (_Same) is written into the statement, not bound once per row
        columns: list[list | _Same] = []
        if layout[0][2] is not None:
            columns.append(_column_values(frame["pid"], "TEXT").tolist())
        elif defn.meta.anonymous:
            columns.append([f"{sid}-{i + 1}" for i in range(n)])  # anonymous: a row id, identifies nobody
        else:
            raise ValueError("frame has no 'pid' column: pseudonymise it first (pseudonymise_frame adds 'pid')")
        site_col = layout[1][2]
        columns.append(_column_values(frame[site_col], "TEXT").tolist() if site_col else _Same(meta.site))
        columns.append(_column_or_same(pd.to_numeric(frame[wave_col], errors="coerce"), "INTEGER")
                       if wave_col else _Same(waves[0] if waves else None))
        date_col = layout[3][2]
        columns.append(_column_values(frame[date_col], "TEXT_DATE").tolist() if date_col else _Same(None))
        columns.append(_Same(defn.version))
        columns.append(_Same(sid))
        for col, t, src in layout[4:]:
            columns.append(_column_or_same(frame[src], t) if src is not None else _Same(None))
        names = ["pid", "site", "wave", "date", "instrument_version", "submission_id"] + [c for c, _, _ in layout[4:]]
        now = meta.received_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        from .audit import current_user

        con = self.con
        con.execute("BEGIN IMMEDIATE")  # the checks and the write under one lock: no race between processes
        try:
            appended_to = self._check_clash(meta, replaces, append, wave_keys)
            final = self._new_id(meta.sha256)
            if final != sid:
                columns[5] = _Same(final)
                if layout[0][2] is None and defn.meta.anonymous:
                    columns[0] = [f"{final}-{i + 1}" for i in range(n)]
                sid = final
            table = self._ensure_table(defn, layout)
            con.execute(
                "INSERT INTO submissions (submission_id, sha256, file_name, format, site, instrument, version, waves, "
                "received_at, status, replaces, appended_to, n_rows, n_stored, id_columns, user) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'accepted', ?, ?, ?, ?, ?, ?)",
                (sid, meta.sha256, meta.file_name, meta.format, meta.site, meta.instrument, defn.version,
                 ",".join(map(str, waves)), now, replaces, appended_to,
                 meta.n_rows if meta.n_rows is not None else n, n, json.dumps(meta.id_columns), current_user()))
            if replaces is not None:
                con.execute("UPDATE submissions SET status = 'superseded', superseded_by = ? WHERE submission_id = ?",
                            (sid, replaces))
            sql, bound = _insert_sql(table, names, columns, n)
            for start in range(0, n, _CHUNK):
                _insert_chunk(con, sql, _Rows(bound, start, min(start + _CHUNK, n)))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.workspace.audit.write(
            "submission-accepted", submission=sid, sha256=meta.sha256, site=meta.site,
            instrument=f"{defn.id}@{defn.version}", format=meta.format, waves=",".join(map(str, waves)),
            rows=int(meta.n_rows if meta.n_rows is not None else n), n_stored=n, replaces=replaces,
            appended_to=appended_to, n_free_text_screened=n_screened)
        return sid

    def _check_clash(self, meta: SubmissionMeta, replaces, append: bool, wave_keys: set[str]) -> str | None:
        """Raise when the file was accepted already or data exist for the wave; the submission appended to."""
        for s in self.by_sha(meta.sha256):
            if s["status"] in ("accepted", "superseded") and s["site"] == meta.site and s["instrument"] == meta.instrument:
                raise DuplicateSubmission(s["submission_id"])
        accepted = self._accepted(meta.site, meta.instrument)
        if replaces is not None and replaces not in {a["submission_id"] for a in accepted}:
            raise ReplacesUnknown(replaces, meta.site, meta.instrument)
        if replaces is None:
            clash = [a for a in accepted if a["waves"] & wave_keys]
            if clash and not append:
                first = clash[0]
                raise SubmissionExists(first["submission_id"], meta.site, meta.instrument,
                                       int(sorted(first["waves"] & wave_keys, key=int)[0]))
            if clash:
                return clash[0]["submission_id"]
        return None

    def record_rejection(self, meta: SubmissionMeta, report_json: str | dict) -> str:
        """Keep a rejected file and its report in ``quarantine/``; a row in ``submissions``, no data.

        The report must be the intake report (which never echoes
        identifiers or free text). The file moves from ``raw/`` to
        ``quarantine/<sha256><ext>`` (unless an accepted submission uses the
        same bytes); the report is ``quarantine/<submission_id>.report.json``.
        """
        text = report_json if isinstance(report_json, str) else json.dumps(report_json, ensure_ascii=False, indent=2, default=str)
        ws = self.workspace
        src = Path(meta.stored_path) if meta.stored_path else ws.find_raw(meta.sha256)
        if src is None or not src.exists():
            raise FileNotFoundError(f"the file {meta.sha256[:12]}... is not in raw/: call Workspace.keep_raw(path) first")
        q_file = ws.quarantine_dir / f"{meta.sha256}{src.suffix.lower()}"
        if not q_file.exists():
            write_readonly(q_file, source=src)
        now = meta.received_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        from .audit import current_user

        # the id, the report and the row under one lock (a crash before COMMIT leaves files that
        # Workspace.reconcile removes); the raw copy goes when nobody else is working (reconcile)
        self.con.execute("BEGIN IMMEDIATE")
        try:
            sid = self._new_id(meta.sha256)
            write_readonly(ws.quarantine_dir / f"{sid}.report.json", text.encode("utf-8"))
            self.con.execute(
                "INSERT INTO submissions (submission_id, sha256, file_name, format, site, instrument, version, waves, "
                "received_at, status, n_rows, n_stored, id_columns, user) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, 'rejected', ?, 0, ?, ?)",
                (sid, meta.sha256, meta.file_name, meta.format, _capped(meta.site), meta.instrument, meta.version, now,
                 meta.n_rows, json.dumps(meta.id_columns), current_user()))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        from .audit import allowed

        # site and instrument come from the user or the file: left out of the log when not codes
        ws.audit.write("submission-rejected", submission=sid, sha256=meta.sha256, site=allowed("site", meta.site),
                       instrument=allowed("instrument", meta.ref), format=allowed("format", meta.format),
                       rows=meta.n_rows)
        return sid

    # -- listing ---------------------------------------------------------------
    def submissions(self, *, file_names: bool = False) -> pd.DataFrame:
        """What each site has sent, accepted and rejected, oldest first.

        ``file_names=False`` (the default) leaves out the original file
        names, which may contain a name or number: never show them in the book.
        """
        df = self.query("SELECT * FROM submissions ORDER BY received_at, rowid")
        df = df.drop(columns=["id_columns"])
        if not file_names:
            df = df.drop(columns=["file_name"])
        return df
