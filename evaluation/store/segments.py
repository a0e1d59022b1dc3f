"""Coded interview segments and their transcripts in the workspace's database.

Tables (created on first use, beside the survey tables of :mod:`.db`)
----------------------------------------------------------------------
``transcripts``
    One row per transcript per accepted file: ``transcript_id`` (``"T"`` +
    the first 12 hex characters of the SHA-256 of the original text, so two
    coders' files of the same transcript share it), ``submission_id``,
    ``pid``, ``respondent_group``, ``site``, ``sha256`` (of the ORIGINAL
    text, UTF-8, as the coders saw it: the version the offsets refer to),
    ``n_chars`` (its length in code points), ``text`` (AFTER
    de-identification), ``sha256_deidentified`` and ``replacements`` (JSON
    ``[[orig_start, orig_end, new_start, new_end], ...]``: positions only,
    so an original offset can be carried onto the stored text).
``segments``
    The ``segments()`` contract of DESIGN.md: ``segment_id``,
    ``transcript_id``, ``pid``, ``respondent_group``, ``site``, ``coder``,
    ``code``, ``start``, ``end`` (code points of the ORIGINAL transcript,
    ``end`` exclusive), ``text`` (de-identified), plus ``submission_id``,
    ``comment`` (de-identified) and ``codebook_version``.

A file of coded segments is one row of ``submissions`` (instrument
``codebook``); only segments of accepted submissions are loaded.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from .db import DuplicateSubmission, ReplacesUnknown, Store
from .workspace import Workspace

__all__ = ["SEGMENT_COLUMNS", "TRANSCRIPT_COLUMNS", "INSTRUMENT", "write_segments", "segments", "transcripts"]

INSTRUMENT = "codebook"
SEGMENT_COLUMNS = ("segment_id", "transcript_id", "pid", "respondent_group", "site", "coder", "code", "start",
                   "end", "text")
TRANSCRIPT_COLUMNS = ("transcript_id", "pid", "respondent_group", "site", "sha256", "n_chars", "text",
                      "sha256_deidentified", "replacements")
_EXTRA = ("submission_id", "comment", "codebook_version")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS transcripts (
    transcript_id TEXT NOT NULL,
    submission_id TEXT NOT NULL,
    pid TEXT,
    respondent_group TEXT,
    site TEXT,
    sha256 TEXT,
    n_chars INTEGER,
    text TEXT,
    sha256_deidentified TEXT,
    replacements TEXT,
    PRIMARY KEY (transcript_id, submission_id)
);
CREATE TABLE IF NOT EXISTS segments (
    segment_id TEXT PRIMARY KEY,
    transcript_id TEXT NOT NULL,
    pid TEXT,
    respondent_group TEXT,
    site TEXT,
    coder TEXT,
    code TEXT NOT NULL,
    start INTEGER,
    "end" INTEGER,
    text TEXT,
    submission_id TEXT NOT NULL,
    comment TEXT,
    codebook_version TEXT
);
CREATE INDEX IF NOT EXISTS segments_sub ON segments (submission_id);
"""


def _ensure(store: Store) -> None:
    store.con.executescript(_SCHEMA)


def _none(v):
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()
    return v


def _insert(con, sql: str, rows: list[tuple]) -> None:
    """Insert rows (a seam for the crash-in-the-middle test)."""
    con.executemany(sql, rows)


def write_segments(store: Store, meta, transcripts_frame: pd.DataFrame, segments_frame: pd.DataFrame, *,
                   codebook_version: str, replaces: str | None = None) -> str:
    """Store an accepted file of coded segments in one transaction; return its submission id.

    ``meta`` is a :class:`~evaluation.store.db.SubmissionMeta` (format
    ``qdpx``, ``csv`` or ``xlsx``); the frames hold :data:`TRANSCRIPT_COLUMNS`
    and :data:`SEGMENT_COLUMNS` (plus ``comment``), already pseudonymised and
    de-identified. Raises :class:`~evaluation.store.db.DuplicateSubmission`
    for the same bytes accepted before for the site, and
    :class:`~evaluation.store.db.ReplacesUnknown` for a bad ``replaces``.
    On any error nothing is written.
    """
    missing = [c for c in SEGMENT_COLUMNS if c not in segments_frame.columns]
    missing += [c for c in TRANSCRIPT_COLUMNS if c not in transcripts_frame.columns]
    if missing:
        raise ValueError(f"write_segments: columns {missing} are missing; see evaluation.store.segments")
    _ensure(store)
    now = meta.received_at or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    from .audit import current_user

    con = store.con
    con.execute("BEGIN IMMEDIATE")  # the checks and the write under one lock (no race between processes)
    try:
        for s in store.by_sha(meta.sha256):
            if s["status"] in ("accepted", "superseded") and s["site"] == meta.site and s["instrument"] == INSTRUMENT:
                raise DuplicateSubmission(s["submission_id"])
        if replaces is not None:
            ok = store.con.execute("SELECT 1 FROM submissions WHERE submission_id = ? AND status = 'accepted' "
                                   "AND site = ? AND instrument = ?", (replaces, meta.site, INSTRUMENT)).fetchone()
            if not ok:
                raise ReplacesUnknown(replaces, meta.site, INSTRUMENT)
        sid = store._new_id(meta.sha256)
        t_rows = [(*(_none(r[c]) for c in ("transcript_id",)), sid,
                   *(_none(r[c]) for c in TRANSCRIPT_COLUMNS[1:]))
                  for _, r in transcripts_frame.iterrows()]
        s_rows = [(*(_none(r[c]) for c in SEGMENT_COLUMNS), sid, _none(r.get("comment")), codebook_version)
                  for _, r in segments_frame.iterrows()]
        con.execute(
            "INSERT INTO submissions (submission_id, sha256, file_name, format, site, instrument, version, waves, "
            "received_at, status, replaces, n_rows, n_stored, id_columns, user) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, 'accepted', ?, ?, ?, ?, ?)",
            (sid, meta.sha256, meta.file_name, meta.format, meta.site, INSTRUMENT, codebook_version, now, replaces,
             meta.n_rows if meta.n_rows is not None else len(s_rows), len(s_rows), json.dumps(meta.id_columns),
             current_user()))
        if replaces is not None:
            con.execute("UPDATE submissions SET status = 'superseded', superseded_by = ? WHERE submission_id = ?",
                        (sid, replaces))
        _insert(con, f"INSERT INTO transcripts (transcript_id, submission_id, {', '.join(TRANSCRIPT_COLUMNS[1:])}) "
                        f"VALUES ({', '.join('?' * (len(TRANSCRIPT_COLUMNS) + 1))})", t_rows)
        cols = ", ".join(f'"{c}"' for c in (*SEGMENT_COLUMNS, *_EXTRA))
        _insert(con, f"INSERT INTO segments ({cols}) VALUES ({', '.join('?' * (len(SEGMENT_COLUMNS) + 3))})",
                        s_rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    store.workspace.audit.write("segments-accepted", submission=sid, sha256=meta.sha256, site=meta.site,
                                instrument=f"{INSTRUMENT}@{codebook_version}", format=meta.format,
                                n_segments=len(s_rows), n_transcripts=len(t_rows), replaces=replaces)
    return sid


def _open(source) -> tuple[Store, bool]:
    if isinstance(source, Store):
        return source, False
    if isinstance(source, Workspace):
        return Store(source), True
    raise TypeError("pass the Workspace (Workspace.open(path)) or its Store as the first argument")


def segments(source, *, extra: bool = False) -> pd.DataFrame:
    """Coded segments of accepted files: the ``segments()`` frame of DESIGN.md.

    ``extra=True`` adds ``submission_id``, ``comment`` and ``codebook_version``.
    Offsets refer to the original transcript (see :func:`transcripts`); ``text``
    is de-identified.
    """
    store, close = _open(source)
    try:
        _ensure(store)
        cols = [*SEGMENT_COLUMNS, *(_EXTRA if extra else ())]
        df = store.query(
            f"SELECT {', '.join('g.' + chr(34) + c + chr(34) for c in cols)} FROM segments g "
            "JOIN submissions s ON s.submission_id = g.submission_id WHERE s.status = 'accepted' "
            "ORDER BY g.site, g.transcript_id, g.coder, g.start, g.code, g.segment_id")
        df = df.reindex(columns=cols)
        for c in ("start", "end"):
            df[c] = pd.array(df[c], dtype="Int64")
        return df
    finally:
        if close:
            store.close()


def transcripts(source) -> pd.DataFrame:
    """One row per transcript of accepted files (a transcript coded by two coders appears once).

    Columns :data:`TRANSCRIPT_COLUMNS`: ``sha256`` is the hash of the original
    text the offsets refer to; ``text`` is the de-identified text. This is
    also the ``interviews`` frame for prevalence (``pid``,
    ``respondent_group``, ``site``).
    """
    store, close = _open(source)
    try:
        _ensure(store)
        df = store.query(
            f"SELECT {', '.join('t.' + c for c in TRANSCRIPT_COLUMNS)} FROM transcripts t "
            "JOIN submissions s ON s.submission_id = t.submission_id WHERE s.status = 'accepted' "
            "ORDER BY t.site, t.transcript_id, t.submission_id")
        return df.drop_duplicates("transcript_id", keep="last").reset_index(drop=True).reindex(
            columns=list(TRANSCRIPT_COLUMNS))
    finally:
        if close:
            store.close()
