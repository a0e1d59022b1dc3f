"""The book build as a background job, one at a time.

:func:`start_build` refuses a second build while one runs (a row in the
portal's tables plus an ``flock`` held by the running build, so a build left
"running" by a stopped server is recognised as failed). The job runs
``peer-eval build WORKSPACE --output <state dir>/builds/<id>/html`` — the CLI's
own command — in a child process, its output going to ``build.log``, shown on
the page as it grows; the finished site is zipped for download.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from django.db import close_old_connections, transaction
from django.utils import timezone

from ..workspace import state_dir, workspace_path
from .models import BuildJob

__all__ = ["start_build", "job_dir", "log_text", "site_zip", "BuildRunning"]


class BuildRunning(RuntimeError):
    pass


def job_dir(job: BuildJob) -> Path:
    return state_dir("builds", str(job.pk))


def _lock_path() -> Path:
    return state_dir("builds") / "build.lock"


def _lock_is_free() -> bool:
    fd = os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def start_build(user, *, command: list[str] | None = None) -> BuildJob:
    """Create and start a build job; :class:`BuildRunning` when one is running already."""
    with transaction.atomic():
        running = BuildJob.objects.filter(state__in=[BuildJob.QUEUED, BuildJob.RUNNING])
        if running.exists():
            if _lock_is_free():  # left behind by a stopped server
                running.update(state=BuildJob.FAILED, finished=timezone.now())
            else:
                raise BuildRunning
        job = BuildJob.objects.create(user=user, state=BuildJob.QUEUED)
    cmd = command or [sys.executable, "-c", "import sys; from evaluation.cli import main; sys.exit(main())",
                      "build", str(workspace_path()),
                      "--output", str(job_dir(job) / "html")]
    threading.Thread(target=_run, args=(job.pk, cmd), daemon=True, name=f"book-build-{job.pk}").start()
    return job


def _run(pk: int, cmd: list[str]) -> None:
    close_old_connections()
    job = BuildJob.objects.get(pk=pk)
    folder = job_dir(job)
    fd = os.open(_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    code = 1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        BuildJob.objects.filter(pk=pk).update(state=BuildJob.RUNNING)
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        with open(folder / "build.log", "wb") as out:
            code = subprocess.call(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(folder))
        html = folder / "html"
        if code == 0 and html.is_dir():
            shutil.make_archive(str(folder / "site"), "zip", root_dir=html)
    except Exception as exc:  # the job's failure is shown in its log, never raised into a request
        with open(folder / "build.log", "a", encoding="utf-8") as out:
            out.write(f"\nThe build could not run: {type(exc).__name__}\n")
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        BuildJob.objects.filter(pk=pk).update(state=BuildJob.DONE if code == 0 else BuildJob.FAILED,
                                              exit_code=code, finished=timezone.now())
        from ..audit.models import record

        record(job.user.get_username() if job.user else "(deleted)", "build-finished",
               detail="ok" if code == 0 else f"exit-{code}")
        close_old_connections()


def log_text(job: BuildJob, limit: int = 200_000) -> str:
    path = job_dir(job) / "build.log"
    if not path.exists():
        return ""
    data = path.read_bytes()
    return data[-limit:].decode("utf-8", errors="replace")


def site_zip(job: BuildJob) -> Path | None:
    path = job_dir(job) / "site.zip"
    return path if path.exists() else None
