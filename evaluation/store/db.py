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
``response_columns``
    The survey responses, one row per column of each accepted submission
    (one BLOB per column: see :mod:`evaluation.store.colstore` for the table
    and :mod:`evaluation.store.columns` for the encoding). The columns of an
    instrument version — its *responses table*, named
    ``responses_<instrument>_<major>_<minor>`` — are ``pid``, ``site``,
    ``wave``, ``date``, ``instrument_version``, ``submission_id``, then the
    item columns of that version (multiple choice as ``<item>_<code>``),
    plus ``pid_<kind>`` for a second identifier. Declared types (what the
    cells are stored as): INTEGER for choice and integer items and the wave
    (nonresponse codes are negative integers), REAL for number items, TEXT
    (ISO ``YYYY-MM-DD``) for dates, TEXT for text and identifiers.
    Workspaces written before this layout (one SQLite table per responses
    table, one row per respondent) are migrated when the store opens.
``response_tables``
    instrument, version -> responses table name (no longer an SQL table:
    read it with :meth:`Store.read_table`).
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

from . import colstore
from .colstore import _column_values, same_column, stored_column  # noqa: F401  (_column_values: tests)
from .columns import FORMAT, Column, encode
from .workspace import Workspace, WorkspaceError, remove_readonly, write_readonly

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
_BUSY_TIMEOUT_S = 5  # sqlite3's default wait for another process's lock
_MIGRATION_WAIT_S = 600  # how long an opening store waits while another migrates a former workspace
_CHUNK = 32  # encoded columns per executemany call (the crash-in-the-middle test cuts in between)

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
CREATE TABLE IF NOT EXISTS response_tables (  -- the responses tables (response_columns), by version
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


def _capped(value, limit: int = 40):
    """A value from the user (``--site``) as kept with a rejection: short, no control characters."""
    from evaluation.intake.limits import safe_echo

    return safe_echo(value, limit)


def _encode_columns(frame: pd.DataFrame, layout, defn, meta: SubmissionMeta, sid: str, waves: list[int]) -> list[list]:
    """``[name, affinity, kind, data]`` of every column of the submission, in the table's order.

    Each :class:`~evaluation.store.columns.Column` holds what the former
    per-respondent table held (see :mod:`evaluation.store.colstore`); a
    column with one value in every row (the version, the submission id, an
    item the file lacks) is a ``const`` column, written once.
    """
    n = len(frame)
    cols: list[list] = []
    if layout[0][2] is not None:
        cols.append(["pid", "TEXT", stored_column(frame["pid"], "TEXT")])
    elif defn.meta.anonymous:
        cols.append(["pid", "TEXT", _row_ids(sid, n)])  # anonymous: a row id, identifies nobody
    else:
        raise ValueError("frame has no 'pid' column: pseudonymise it first (pseudonymise_frame adds 'pid')")
    site_col, wave_col, date_col = layout[1][2], layout[2][2], layout[3][2]
    cols.append(["site", "TEXT", stored_column(frame[site_col], "TEXT") if site_col else same_column(meta.site, "TEXT", n)])
    cols.append(["wave", "INTEGER", stored_column(pd.to_numeric(frame[wave_col], errors="coerce"), "INTEGER")
                 if wave_col else same_column(waves[0] if waves else None, "INTEGER", n)])
    cols.append(["date", "TEXT", stored_column(frame[date_col], "TEXT_DATE") if date_col else Column.same(None, n)])
    cols.append(["instrument_version", "TEXT", same_column(defn.version, "TEXT", n)])
    cols.append(["submission_id", "TEXT", same_column(sid, "TEXT", n)])
    for col, t, src in layout[4:]:
        affinity = "TEXT" if t == "TEXT_DATE" else t
        cols.append([col, affinity, stored_column(frame[src], t) if src is not None else Column.same(None, n)])
    return [[name, affinity, *encode(column)] for name, affinity, column in cols]


def _row_ids(sid: str, n: int) -> Column:
    """The ``pid`` of an anonymous instrument's rows: ``<submission id>-1``, ``-2``..."""
    return Column.texts([f"{sid}-{i + 1}" for i in range(n)])


def _insert_chunk(con: sqlite3.Connection, sql: str, rows) -> None:
    """Insert one chunk of encoded columns (a seam for the crash-in-the-middle test).

    ``sql`` inserts one ``response_columns`` row; ``rows`` is a list of
    tuples, one per column (:func:`evaluation.store.colstore.column_row`).
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
        # from the first statement on, wait as long as another process may take to convert a former workspace
        self.con.execute(f"PRAGMA busy_timeout = {_MIGRATION_WAIT_S * 1000}")
        try:
            self.con.executescript(_SCHEMA + colstore.SCHEMA)
            self._migrate()
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc).replace("-", "").replace(" ", ""):
                raise
            self.con.close()
            raise WorkspaceError(
                f"the workspace {workspace.root} was written by an earlier version of peer-eval: its survey answers "
                "are converted once to the way they are kept now (column by column), and its database file cannot "
                "be written here. Open it once where it can be written (any command reading it converts it, e.g. "
                f"`peer-eval status --workspace {workspace.root}`), then it can be read read-only again.") from None
        finally:
            if self.con is not None:
                try:
                    self.con.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_S * 1000}")
                except sqlite3.ProgrammingError:  # closed above
                    pass
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
        """``{(instrument, version): table}`` of every responses table (read one with :meth:`read_table`)."""
        return {(i, v): t for i, v, t in self.con.execute("SELECT instrument, version, table_name FROM response_tables")}

    def _set_of(self, table: str) -> tuple[str, str] | None:
        row = self.con.execute("SELECT instrument, version FROM response_tables WHERE table_name = ?", (table,)).fetchone()
        return (row[0], row[1]) if row else None

    def _responses_set(self, table: str) -> tuple[str, str]:
        found = self._set_of(table)
        if found is None:
            raise KeyError(f"{table!r} is not a responses table; Store.tables() lists them")
        return found

    def table_columns(self, table: str) -> list[str]:
        """The columns of a responses table (or, for any other table of the database, its SQL columns)."""
        found = self._set_of(table)
        if found is not None:
            return colstore.set_columns(self.con, *found)
        return [r[1] for r in self.con.execute(f'PRAGMA table_info("{table}")')]

    def column_types(self, table: str) -> dict[str, str]:
        """``{column: declared type}`` of a responses table: INTEGER, REAL or TEXT (what its cells are stored as)."""
        return colstore.set_affinities(self.con, *self._responses_set(table))

    def read_table(self, table: str, *, columns: Iterable[str] | None = None, accepted_only: bool = True) -> pd.DataFrame:
        """The rows of a responses table as a frame.

        ``accepted_only=True`` (the loaders' read): rows of accepted
        submissions ordered by site, wave, pid, then as written. ``False``:
        every row (superseded submissions too), as written. ``columns``:
        only these, in the table's order. Values and dtypes are what
        ``pd.DataFrame(cursor.fetchall(), ...)`` gave for the former
        per-respondent table (see :mod:`evaluation.store.colstore`).
        """
        return colstore.read_set(self.con, *self._responses_set(table),
                                   columns=None if columns is None else list(columns), accepted_only=accepted_only)

    def row_counts(self, table: str) -> dict[str, int]:
        """``{submission_id: rows stored}`` of a responses table (every submission, accepted or not)."""
        return dict(colstore.set_submissions(self.con, *self._responses_set(table)))

    def _migrate(self) -> None:
        """Move a workspace written with per-respondent tables to column BLOBs (one transaction, then an audit line)."""
        if not colstore.old_tables(self.con):
            return
        # another process opening the same workspace waits for the migration (minutes for a large one)
        self.con.execute(f"PRAGMA busy_timeout = {_MIGRATION_WAIT_S * 1000}")
        try:
            self.con.execute("BEGIN IMMEDIATE")
            try:
                done = colstore.migrate(self.con)  # (again under the lock: another process may have done it)
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            if done["tables"]:
                try:  # the dropped tables' pages (zeroed: secure_delete) given back to the file system
                    self.con.execute("VACUUM")
                except sqlite3.OperationalError:
                    pass  # another process is reading: the free pages stay, zeroed, until the next VACUUM
        finally:
            self.con.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_S * 1000}")
        if done["tables"]:
            self.workspace.audit.write("store-migrated", reason="columnar-per-submission", tables_changed=done["tables"],
                                       rows=done["rows"], n_submissions=done["submissions"])

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

    def _register(self, defn) -> str:
        """The responses table of ``defn``'s version, registered in ``response_tables`` if new."""
        name = table_name(defn.id, defn.version)
        self.con.execute("INSERT OR IGNORE INTO response_tables VALUES (?, ?, ?)", (defn.id, defn.version, name))
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
        anonymous_ids = layout[0][2] is None and defn.meta.anonymous
        # every column encoded before the lock is taken; only the ids change if the final id differs
        columns = _encode_columns(frame, layout, defn, meta, sid, waves)
        now = meta.received_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        from .audit import current_user

        con = self.con
        con.execute("BEGIN IMMEDIATE")  # the checks and the write under one lock: no race between processes
        try:
            appended_to = self._check_clash(meta, replaces, append, wave_keys)
            final = self._new_id(meta.sha256)
            if final != sid:
                columns[5][2:] = encode(same_column(final, "TEXT", n))
                if anonymous_ids:
                    columns[0][2:] = encode(_row_ids(final, n))
                sid = final
            self._register(defn)
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
            (seq,) = con.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM response_columns WHERE instrument = ? "
                                 "AND version = ?", (defn.id, defn.version)).fetchone()
            rows = [(sid, defn.id, defn.version, seq, pos, name, affinity, kind, FORMAT, n, data)
                    for pos, (name, affinity, kind, data) in enumerate(columns)]
            for start in range(0, len(rows), _CHUNK):
                _insert_chunk(con, colstore.INSERT_SQL, rows[start:start + _CHUNK])
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
