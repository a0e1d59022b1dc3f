"""Submissions as a background job: the request queues the checked file and returns at once.

Pressing 'Submit' marks the :class:`~.models.Upload` ``queued`` (an atomic
update, so a double click queues it once) and wakes this process's worker
thread; the coordinator's page says the file is being stored and refreshes
until it is. The worker stores queued files one at a time with intake's
``submit_file`` — the same call as ``peer-eval submit`` — under the
workspace's writer lock (:func:`~evaluation.portal.workspace.workspace_lock`,
an ``flock`` shared by every gunicorn worker process), so no request ever
waits for that lock and SQLite never answers "database is locked".

Interview imports (``Upload.kind == "interviews"``, :mod:`..evaluator.interviews`)
go through the same queue with :func:`evaluation.qda.importer.import_segments`
(``peer-eval interviews import``) and the server's names list.

The queue is the portal's own table, so nothing is lost when a server
stops: the next request that looks at a queued file wakes a worker again
(:func:`kick`), and a file left ``storing`` by a stopped process is queued
again by the next worker that holds the lock (while it holds the lock, no
other process can be storing). Storing a file twice is harmless: intake
recognises the same bytes and answers ``duplicate`` with the first
submission's number.
"""

from __future__ import annotations

import logging
import shutil
import threading

from django.db import connection
from django.utils import timezone

from ..workspace import state_dir, workspace_lock, workspace_path
from .models import FAILED, PENDING, QUEUED, STORING, Upload

__all__ = ["enqueue", "kick", "drain", "staging_path", "pending_for"]

log = logging.getLogger(__name__)

_state = threading.Lock()
_running = False
_wanted = False


def staging_path(upload: Upload):
    return state_dir("staging", str(upload.token)) / f"upload{upload.suffix}"


def enqueue(upload: Upload, *, replaces: str | None, lang: str) -> bool:
    """Queue a checked, valid upload (or one whose storing failed); ``False`` when it is not in such a state."""
    n = (Upload.objects.filter(pk=upload.pk, valid=True, submitted=False, status__in=["checked", FAILED])
         .update(status=QUEUED, replaces=replaces or "", lang=lang[:2], queued_at=timezone.now()))
    if n:
        kick()
    return bool(n)


def kick() -> None:
    """Make sure this process's worker thread runs (it drains the queue, then stops)."""
    global _running, _wanted
    with _state:
        _wanted = True
        if _running:
            return
        _running = True
    threading.Thread(target=_loop, daemon=True, name="portal-submissions").start()


def _loop() -> None:
    global _running, _wanted
    try:
        while True:
            with _state:
                if not _wanted:
                    _running = False
                    return
                _wanted = False
            try:
                drain()
            except Exception as exc:  # never raised into a request; the uploads stay queued for the next kick
                log.error("the submission worker stopped: %s", type(exc).__name__)
    finally:
        with _state:
            _running = False
        connection.close()


def drain() -> int:
    """Store every queued upload, oldest first, one at a time under the writer lock; returns how many."""
    done = 0
    while True:
        with workspace_lock(exclusive=True):
            # no other process is storing while this one holds the lock: 'storing' rows are left-overs
            Upload.objects.filter(status=STORING).update(status=QUEUED)
            up = Upload.objects.filter(status=QUEUED).order_by("queued_at", "pk").first()
            if up is None:
                return done
            Upload.objects.filter(pk=up.pk).update(status=STORING)
            _store(up)
            done += 1


def _store(up: Upload) -> None:
    from evaluation.intake.submit import IntakeRefused, submit_file

    from ..audit.models import record
    from ..instruments import catalogue
    from .views import _report_dict

    path = staging_path(up)
    try:
        if up.kind == Upload.INTERVIEWS:
            report = _import_interviews(up, path)
        else:
            report = submit_file(path, site=up.site, lang=up.lang or "en", workspace=workspace_path(),
                                 replaces=up.replaces or None, catalogue=catalogue())
    except IntakeRefused:
        log.error("intake refused a submission for %s (key or workspace); see 'peer-eval submit' for details", up.site)
        Upload.objects.filter(pk=up.pk).update(status=FAILED)
        return
    except Exception as exc:  # the coordinator sees 'not stored, try again'; the type only, never the data
        log.error("a submission for %s could not be stored: %s", up.site, type(exc).__name__)
        Upload.objects.filter(pk=up.pk).update(status=FAILED)
        return
    fields = {"report": _report_dict(report), "status": report.status, "valid": report.valid,
              "stored_at": timezone.now()}
    if report.status in ("accepted", "duplicate"):
        fields.update(submitted=True, submission_id=report.submission_id or "")
    Upload.objects.filter(pk=up.pk).update(**fields)
    shutil.rmtree(path.parent, ignore_errors=True)  # the workspace keeps the raw file (or its quarantine)
    user = up.user.get_username()
    interviews = up.kind == Upload.INTERVIEWS
    if report.status == "accepted":
        action = "import" if interviews else "replace" if up.replaces else "submit"
        record(user, action, site=up.site, submission=report.submission_id,
               detail=(("replaces-" + up.replaces) if interviews and up.replaces else (report.instrument or ""))[:40],
               rows=report.n_rows)
    else:
        record(user, "import" if interviews else "submit", site=up.site, submission=report.submission_id or "",
               detail="duplicate" if report.status == "duplicate" else "rejected")


def _import_interviews(up: Upload, path):
    """``import_segments`` (``peer-eval interviews import``) with the server's names list for the prison."""
    from evaluation.intake.submit import IntakeRefused
    from evaluation.qda.importer import import_segments

    from ..evaluator.interviews import names_file, transcripts_dir

    names = names_file(up.site)
    if names is None:  # never imported without de-identification
        raise IntakeRefused("no names list for this prison on the server")
    return import_segments(path, site=up.site, workspace=workspace_path(), names=names,
                           transcripts=transcripts_dir(up.site), lang=up.lang or "en", replaces=up.replaces or None)


def pending_for(site: str):
    """Uploads of ``site`` queued or being stored (shown as 'being stored' on the dashboard and history)."""
    return Upload.objects.filter(site=site, status__in=PENDING).select_related("user").order_by("queued_at")
