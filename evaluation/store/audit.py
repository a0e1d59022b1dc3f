"""The audit log: who did what, when — never an identifier or a cell value.

``audit.log`` in the workspace holds one JSON object per line::

    {"at": "2026-03-02T10:15:03+00:00", "user": "jdoe", "action": "submission-accepted",
     "submission": "S3fa9c01b2e", "site": "P01", "instrument": "detainee@1.1", "rows": 48}

Only the fields of :data:`ALLOWED_FIELDS` may be written, and only as
numbers, short codes, hashes or submission ids: a free-form value (a file
name, a reason typed by someone, an identifier) is refused, so nothing that
could identify a person reaches the log by accident.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import re
from pathlib import Path
from typing import Any

__all__ = ["AuditLog", "ALLOWED_FIELDS", "current_user", "allowed"]

#: field -> pattern its (string) value must match; numbers and booleans are always allowed
ALLOWED_FIELDS: dict[str, str] = {
    "action": r"[a-z][a-z0-9-]{0,40}",
    "submission": r"S[0-9a-f]{10}(-\d+)?",
    "replaces": r"S[0-9a-f]{10}(-\d+)?",
    "appended_to": r"S[0-9a-f]{10}(-\d+)?",
    "sha256": r"[0-9a-f]{64}",
    "old_sha256": r"[0-9a-f]{64}",
    "new_sha256": r"[0-9a-f]{64}",
    "site": r"[A-Z0-9]{2,8}",
    "instrument": r"[a-z][a-z0-9_]{0,31}(@\d+\.\d+)?",
    "status": r"[a-z-]{1,20}",
    "format": r"[a-z0-9]{1,8}",
    "waves": r"[0-9,]{0,40}",
    "key_fingerprint": r"[0-9a-f]{16}",
    "key_version": r"\d{1,6}",
    "reason": r"[a-z][a-z0-9-]{0,40}",
    "tables": r"[a-z0-9_,]{0,400}",
    "folder": r"(raw|quarantine)",
    "creator_pid": r"\d{1,10}",  # a killed workspace creator's leftover folder: its process id
    "tmp_suffix": r"[A-Za-z0-9_]{8}",  # and the random end of its name (never the workspace's own name)
}
_COUNT = re.compile(r"^(rows|n_[a-z_]+|files|tables_changed|pseudonyms)$")


def allowed(name: str, value: Any) -> Any:
    """``value`` when the audit log may hold it as field ``name``, else None (the field is left out).

    For values that come from outside (a ``--site`` typed by a user): the
    entry is still written, without the value.
    """
    pattern = ALLOWED_FIELDS.get(name)
    if value is None or pattern is None:
        return None
    return value if isinstance(value, str) and re.fullmatch(pattern, value) else None


def current_user() -> str:
    """The operating-system user running the command."""
    try:
        return getpass.getuser()
    except Exception:  # no user name (some containers)
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


class AuditLog:
    """Append-only JSON-lines log in the workspace."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def write(self, action: str, **fields: Any) -> dict[str, Any]:
        """Append one entry; raises ``ValueError`` for a field or value that is not allowed."""
        entry: dict[str, Any] = {
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "user": current_user(),
            "action": action,
        }
        for name, value in {"action": action, **fields}.items():
            if value is None:
                continue
            if isinstance(value, bool) or isinstance(value, (int, float)):
                if name in ALLOWED_FIELDS or _COUNT.match(name):
                    entry[name] = value
                    continue
                raise ValueError(f"audit field {name!r} is not allowed; use one of {sorted(ALLOWED_FIELDS)} "
                                 "or a count named rows/n_*")
            pattern = ALLOWED_FIELDS.get(name)
            if pattern is None:
                raise ValueError(f"audit field {name!r} is not allowed; use one of {sorted(ALLOWED_FIELDS)}")
            if not isinstance(value, str) or not re.fullmatch(pattern, value):
                raise ValueError(f"audit field {name!r} must match {pattern} (the audit log never holds "
                                 "free text, file names or identifiers)")
            entry[name] = value
        line = json.dumps(entry, ensure_ascii=True, sort_keys=False)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)  # owner only
        with open(fd, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """Every entry, oldest first."""
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
