"""Human sign-off of interview quotes (issue 8, part 6).

A quote (a coded segment's de-identified text) appears in the book only when
it passes the de-identification screen of ``analysis.themes`` *and* a person
has approved it. This module keeps the approvals::

    from evaluation.store.signoffs import record_signoff, quote_signoffs, segment_text_sha256
    sha = segment_text_sha256(ws, "G0123456789abcdef")      # hash of the text shown to the reviewer
    record_signoff(ws, "G0123456789abcdef", approved_by="evaluator A", text_sha256=sha)
    quote_signoffs(ws)     # segment_id, approved_by, approved_at, text_sha256

Table ``quote_signoffs`` (created on first use): one row per approval —
``segment_id``, ``approved_by`` (the reviewer, as they sign), ``approved_at``
(ISO 8601, UTC), ``text_sha256`` (SHA-256 of the segment's de-identified text,
UTF-8, *as approved*: if the stored text later differs, e.g. after a
re-import with a better names list, ``analysis.themes.select_quotes`` treats the
quote as no longer signed off). A quote may be approved more than once; the
latest approval counts.

The audit log records each approval (action ``quote-signed-off``, the segment's
submission and the text's hash) but never the quote's text nor the reviewer's
typed name: the log's ``user`` is the account that ran the command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pandas as pd

from .db import Store
from .workspace import Workspace

__all__ = ["SIGNOFF_COLUMNS", "record_signoff", "quote_signoffs", "segment_text_sha256", "SignoffRefused",
           "ensure_signoffs_table"]

SIGNOFF_COLUMNS = ("segment_id", "approved_by", "approved_at", "text_sha256")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS quote_signoffs (
    segment_id TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_at TEXT NOT NULL,
    text_sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quote_signoffs_segment ON quote_signoffs (segment_id);
"""
_SHA = re.compile(r"[0-9a-f]{64}")


class SignoffRefused(ValueError):
    """A sign-off that cannot be recorded (unknown segment, text changed, no reviewer)."""


def ensure_signoffs_table(store: Store) -> None:
    """Create the ``quote_signoffs`` table (and the segments tables it refers to) if missing."""
    from .segments import _ensure

    _ensure(store)
    store.con.executescript(_SCHEMA)


def _open(source) -> tuple[Store, bool]:
    if isinstance(source, Store):
        return source, False
    if isinstance(source, Workspace):
        return Store(source), True
    raise TypeError("pass the Workspace (Workspace.open(path)) or its Store as the first argument")


def _segment(store: Store, segment_id: str) -> tuple[str, str] | None:
    """``(text, submission_id)`` of an accepted segment, or None."""
    row = store.con.execute(
        "SELECT g.text, g.submission_id FROM segments g JOIN submissions s ON s.submission_id = g.submission_id "
        "WHERE g.segment_id = ? AND s.status = 'accepted'", (str(segment_id),)).fetchone()
    return (row[0] or "", row[1]) if row else None


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def segment_text_sha256(workspace, segment_id: str) -> str:
    """SHA-256 of the stored (de-identified) text of ``segment_id`` — what a reviewer approves."""
    store, close = _open(workspace)
    try:
        ensure_signoffs_table(store)
        seg = _segment(store, segment_id)
        if seg is None:
            raise SignoffRefused(f"segment_id {segment_id!r} is not a segment of an accepted import; list the "
                                 "candidates with 'peer-eval interviews quotes --theme THEME'")
        return _sha(seg[0])
    finally:
        if close:
            store.close()


def _when(at) -> str:
    if at is None:
        return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    if isinstance(at, str):
        try:
            at = pd.Timestamp(at)
        except ValueError:
            raise ValueError(f"at={at!r} is not a date or time; pass e.g. '2025-06-01' or a datetime") from None
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.timezone.utc)
        return at.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    if isinstance(at, dt.date):
        return dt.datetime(at.year, at.month, at.day, tzinfo=dt.timezone.utc).isoformat(timespec="seconds")
    raise TypeError(f"at must be a datetime, a date or an ISO string, not {type(at).__name__}")


def record_signoff(workspace, segment_id: str, *, approved_by: str, text_sha256: str, at=None) -> dict:
    """Record that ``approved_by`` approved the quote ``segment_id`` whose text hashes to ``text_sha256``.

    ``text_sha256`` is the hash of the text the reviewer saw
    (:func:`segment_text_sha256`); it must still be the stored text's hash,
    otherwise :class:`SignoffRefused` is raised (the quote changed since it
    was reviewed: review it again). ``at`` (datetime, date or ISO string;
    default now) is the time of approval. Returns the recorded row.
    """
    who = " ".join(str(approved_by or "").split())
    if not who:
        raise SignoffRefused("approved_by is empty: give the name of the person approving the quote")
    if len(who) > 120:
        raise SignoffRefused("approved_by is longer than 120 characters: give a name or initials")
    sha = str(text_sha256 or "").strip().lower()
    if not _SHA.fullmatch(sha):
        raise SignoffRefused("text_sha256 must be 64 hexadecimal characters: the SHA-256 of the quote's text "
                             "(evaluation.store.signoffs.segment_text_sha256)")
    when = _when(at)
    store, close = _open(workspace)
    try:
        ensure_signoffs_table(store)
        seg = _segment(store, segment_id)
        if seg is None:
            raise SignoffRefused(f"segment_id {segment_id!r} is not a segment of an accepted import; list the "
                                 "candidates with 'peer-eval interviews quotes --theme THEME'")
        text, submission = seg
        if _sha(text) != sha:
            raise SignoffRefused(f"the text of segment {segment_id} is not the text approved (its SHA-256 "
                                 "differs): show it again and approve the current text")
        store.con.execute("INSERT INTO quote_signoffs (segment_id, approved_by, approved_at, text_sha256) "
                          "VALUES (?, ?, ?, ?)", (str(segment_id), who, when, sha))
        store.workspace.audit.write("quote-signed-off", submission=submission, sha256=sha)
        return {"segment_id": str(segment_id), "approved_by": who, "approved_at": when, "text_sha256": sha}
    finally:
        if close:
            store.close()


def quote_signoffs(workspace) -> pd.DataFrame:
    """Every sign-off of a segment that is still in an accepted import.

    Columns :data:`SIGNOFF_COLUMNS`; ``approved_at`` is a UTC timestamp. This
    is the ``signoff`` frame of ``analysis.themes.select_quotes``.
    """
    store, close = _open(workspace)
    try:
        ensure_signoffs_table(store)
        df = store.query(
            "SELECT q.segment_id, q.approved_by, q.approved_at, q.text_sha256 FROM quote_signoffs q "
            "JOIN segments g ON g.segment_id = q.segment_id "
            "JOIN submissions s ON s.submission_id = g.submission_id WHERE s.status = 'accepted' "
            "ORDER BY q.approved_at, q.segment_id, q.rowid")
        df = df.reindex(columns=list(SIGNOFF_COLUMNS))
        df["approved_at"] = pd.to_datetime(df["approved_at"], utc=True)
        return df
    finally:
        if close:
            store.close()
