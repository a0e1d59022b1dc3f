"""Deleting what the portal no longer needs: expired uploads and old book builds, on a schedule, audited.

- An upload checked but not submitted within ``PORTAL_UPLOAD_HOURS`` (24 h)
  is *expired*: its staged file (which may hold raw identifiers) is deleted
  and it can no longer be submitted. Staging folders without an upload row
  (left by a stopped server) go after the same time.
- A book build's folder (its log, HTML and zip) is deleted
  ``PORTAL_BUILD_KEEP_DAYS`` (7) days after the build finished, except the
  newest successful build, whose website stays downloadable; the build's row
  stays in the history.
- Temporary template folders older than an hour go.

:func:`purge` does it; :class:`PurgeMiddleware` calls it in a background
thread on a request at most once every ``PORTAL_PURGE_EVERY_S`` (3600 s)
across all server processes (a time stamp file under an ``flock`` in the
state folder), and ``python -m evaluation.portal purge`` does it from cron.
Each purge that deletes something writes an audit row (``purge``, counts
only).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import shutil
import threading
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .workspace import state_dir

__all__ = ["purge", "purge_if_due", "PurgeMiddleware", "SYSTEM_USER"]

log = logging.getLogger(__name__)

#: the audit's "who" for what the portal does by itself
SYSTEM_USER = "(portal)"


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def purge(*, now: dt.datetime | None = None, user: str = SYSTEM_USER) -> dict[str, int]:
    """Delete expired uploads and old build folders; ``{"uploads": n, "staging": n, "builds": n, "tmp": n}``."""
    from .audit.models import record
    from .evaluator.models import BuildJob
    from .submissions.models import PENDING, Upload

    now = now or timezone.now()
    counts = {"uploads": 0, "staging": 0, "builds": 0, "tmp": 0}
    cutoff = now - dt.timedelta(hours=_setting("PORTAL_UPLOAD_HOURS", 24))
    for up in Upload.objects.filter(created__lt=cutoff, submitted=False).exclude(status__in=["expired", *PENDING]):
        shutil.rmtree(state_dir("staging", str(up.token)), ignore_errors=True)
        Upload.objects.filter(pk=up.pk).update(status="expired", valid=False)
        counts["uploads"] += 1
    known = {str(t) for t in Upload.objects.filter(status__in=PENDING).values_list("token", flat=True)}
    known |= {str(t) for t in Upload.objects.filter(created__gte=cutoff).values_list("token", flat=True)}
    staging = state_dir("staging")
    for folder in staging.iterdir():
        if folder.name not in known and folder.stat().st_mtime < cutoff.timestamp():
            shutil.rmtree(folder, ignore_errors=True)
            counts["staging"] += 1
    build_cutoff = now - dt.timedelta(days=_setting("PORTAL_BUILD_KEEP_DAYS", 7))
    newest_ok = BuildJob.objects.filter(state=BuildJob.DONE).order_by("-finished", "-pk").first()
    old = BuildJob.objects.filter(state__in=[BuildJob.DONE, BuildJob.FAILED], finished__lt=build_cutoff)
    builds = state_dir("builds")
    for job in old.exclude(pk=newest_ok.pk if newest_ok else None):
        folder = builds / str(job.pk)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            counts["builds"] += 1
    for folder in state_dir("tmp").iterdir():
        if folder.stat().st_mtime < now.timestamp() - 3600:
            shutil.rmtree(folder, ignore_errors=True)
            counts["tmp"] += 1
    if any(counts.values()):
        record(user, "purge", detail=",".join(f"{k}-{v}" for k, v in counts.items()),
               rows=counts["uploads"] + counts["builds"])
    return counts


def _stamp_path():
    return state_dir() / "purge.stamp"


def purge_if_due(*, every_s: float | None = None) -> bool:
    """Purge when the last purge (by any process) is older than ``every_s``; ``True`` when it ran."""
    every_s = _setting("PORTAL_PURGE_EVERY_S", 3600) if every_s is None else every_s
    path = _stamp_path()
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # another process is purging
        try:
            last = float(os.read(fd, 64).decode() or 0)
        except ValueError:
            last = 0.0
        if time.time() - last < every_s:
            return False
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, f"{time.time():.0f}".encode())
        purge()
        return True
    finally:
        os.close(fd)


_last_look = [0.0]
_looking = threading.Lock()


def _in_background() -> None:
    try:
        purge_if_due()
    except Exception as exc:  # housekeeping never breaks a page; the type only in the log
        log.error("the scheduled purge failed: %s", type(exc).__name__)
    finally:
        connection.close()


class PurgeMiddleware:
    """On a request, start a purge in a background thread when one is due (the request never waits)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        every = _setting("PORTAL_PURGE_EVERY_S", 3600)
        now = time.monotonic()
        if now - _last_look[0] >= min(every, 60) and _looking.acquire(blocking=False):
            try:
                _last_look[0] = now  # this process looks at the stamp file at most once a minute
                threading.Thread(target=_in_background, daemon=True, name="portal-purge").start()
            finally:
                _looking.release()
        return self.get_response(request)
