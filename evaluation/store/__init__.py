"""The evaluation workspace: raw files, quarantine, the database, the audit log, the loaders.

::

    from evaluation.store import Workspace, Store, SubmissionMeta, responses
    ws = Workspace.open()                      # $PEER_EVAL_WORKSPACE or ./peer-eval-workspace
    ws.check_key(key)                          # key from evaluation.intake.pseudonymise.load_key()
    sha, path, seen = ws.keep_raw("file.sav")
    store = ws.store()
    sid = store.write_submission(meta, pseudonymised_frame)     # one transaction
    frame, report = responses(ws, "detainee")  # harmonised to the latest version
"""

from .audit import AuditLog
from .db import (
    CONTRACT_COLUMNS,
    DuplicateSubmission,
    ReplacesUnknown,
    Store,
    StoreError,
    SubmissionExists,
    SubmissionMeta,
    table_name,
)
from .erase import ErasureResult, RotationResult, erase, rotate
from .loaders import CONTACT_COLUMNS, OUTCOME_COLUMNS, LoadReport, contacts, linkage, outcomes, responses, status, submissions
from .segments import SEGMENT_COLUMNS, TRANSCRIPT_COLUMNS, segments, transcripts, write_segments
from .signoffs import SIGNOFF_COLUMNS, SignoffRefused, quote_signoffs, record_signoff, segment_text_sha256
from .retention import PurgeResult, RetentionNotDue, purge_identifiers, retention_due
from .workspace import (
    KeyMismatch,
    Workspace,
    WorkspaceError,
    WorkspaceInRepository,
    WorkspaceMissing,
)

__all__ = [
    "AuditLog",
    "Workspace",
    "WorkspaceError",
    "WorkspaceInRepository",
    "WorkspaceMissing",
    "KeyMismatch",
    "Store",
    "StoreError",
    "SubmissionMeta",
    "SubmissionExists",
    "DuplicateSubmission",
    "ReplacesUnknown",
    "CONTRACT_COLUMNS",
    "table_name",
    "responses",
    "outcomes",
    "contacts",
    "submissions",
    "status",
    "linkage",
    "LoadReport",
    "OUTCOME_COLUMNS",
    "CONTACT_COLUMNS",
    "erase",
    "ErasureResult",
    "rotate",
    "RotationResult",
    "purge_identifiers",
    "retention_due",
    "RetentionNotDue",
    "PurgeResult",
    "segments",
    "transcripts",
    "write_segments",
    "SEGMENT_COLUMNS",
    "TRANSCRIPT_COLUMNS",
    "record_signoff",
    "quote_signoffs",
    "segment_text_sha256",
    "SignoffRefused",
    "SIGNOFF_COLUMNS",
]
