"""The portal's way into the evaluation workspace: the same objects the CLI uses, under one lock.

The workspace's SQLite database is written by intake in one transaction per
submission. Several portal processes (gunicorn workers) and threads may
submit at the same moment; instead of letting SQLite answer "database is
locked", every access goes through :func:`workspace_lock`: an exclusive
``flock`` for a submission, a shared one for reading status pages. Waiting
is bounded by the request, never shown as an error.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from django.conf import settings

__all__ = ["workspace_lock", "open_workspace", "workspace_path", "state_dir", "intake_lock_path"]

_thread_lock = threading.RLock()


def workspace_path() -> Path:
    return Path(settings.WORKSPACE)


def state_dir(*parts: str) -> Path:
    path = Path(settings.STATE_DIR).joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def intake_lock_path() -> Path:
    return state_dir() / "workspace.lock"


@contextlib.contextmanager
def workspace_lock(*, exclusive: bool):
    """Hold the workspace lock (exclusive for writing, shared for reading) across processes and threads."""
    with _thread_lock if exclusive else contextlib.nullcontext():
        fd = os.open(intake_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def open_workspace():
    """The :class:`evaluation.store.Workspace` (must exist: the portal never creates one)."""
    from evaluation.store import Workspace

    return Workspace.open(workspace_path(), create=False)
