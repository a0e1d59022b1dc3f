"""The portal's way into the evaluation workspace: the same objects the CLI uses.

The workspace's SQLite database is written by intake in one transaction per
submission. Several portal processes (gunicorn workers) may submit at the
same moment; instead of letting SQLite answer "database is locked", every
writer holds :func:`workspace_lock` (an exclusive ``flock``). Only the
background submission worker (:mod:`.submissions.queue`) and a quote
sign-off take it, never a page that reads.

Pages read through :func:`read_snapshot`: one read transaction, so every
query of a page sees the same committed state, and no portal lock. The
store keeps SQLite's rollback journal on purpose (no WAL file in which old
pages could linger, :mod:`evaluation.store.db`); in that mode readers see
the last committed state while intake writes a submission, and wait only
while SQLite commits it (SQLite's busy timeout, well under a second for
10,000 rows; measured by ``benchmarks/portal_load.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

from django.conf import settings

__all__ = ["workspace_lock", "LockBusy", "open_workspace", "read_snapshot", "workspace_path", "state_dir", "intake_lock_path"]

_thread_lock = threading.RLock()


def workspace_path() -> Path:
    return Path(settings.WORKSPACE)


def state_dir(*parts: str) -> Path:
    path = Path(settings.STATE_DIR).joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def intake_lock_path() -> Path:
    return state_dir() / "workspace.lock"


class LockBusy(RuntimeError):
    """The writers' lock was not free within the time a request may wait."""


@contextlib.contextmanager
def workspace_lock(*, exclusive: bool = True, timeout: float | None = None):
    """Hold the writers' lock across processes and threads (``timeout``: seconds, else :class:`LockBusy`).

    ``exclusive=False`` (a shared lock) is kept for callers outside the portal's pages; pages read
    through :func:`read_snapshot` and take no lock.
    """
    import time

    deadline = None if timeout is None else time.monotonic() + timeout
    held = _thread_lock.acquire(timeout=-1 if timeout is None else timeout) if exclusive else False
    if exclusive and not held:
        raise LockBusy
    try:
        fd = os.open(intake_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            if deadline is None:
                fcntl.flock(fd, mode)
            else:
                while True:
                    try:
                        fcntl.flock(fd, mode | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() > deadline:
                            raise LockBusy from None
                        time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    finally:
        if held:
            _thread_lock.release()


def open_workspace():
    """The :class:`evaluation.store.Workspace` (must exist: the portal never creates one)."""
    from evaluation.store import Workspace

    return Workspace.open(workspace_path(), create=False)


#: how long a reader waits for SQLite while a submission is being committed (seconds)
READ_BUSY_TIMEOUT_S = 30


@contextlib.contextmanager
def read_snapshot(catalogue=None):
    """``(workspace, store)`` whose queries form one consistent read, without the writers' lock.

    Raises :class:`evaluation.store.WorkspaceError` when there is no workspace.
    """
    ws = open_workspace()
    store = ws.store(catalogue)
    try:
        store.con.execute(f"PRAGMA busy_timeout = {int(READ_BUSY_TIMEOUT_S * 1000)}")
        store.con.execute("BEGIN DEFERRED")
        try:
            yield ws, store
        finally:
            if store.con.in_transaction:  # a loader that sets up its own tables ends it early
                store.con.execute("COMMIT")
    finally:
        store.close()
