"""Expired uploads and old build folders are deleted on a schedule (and by a command), audited."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

from .conftest import verified_client
from .helpers import detainee_frame, write_file


def _upload(client, site, path):
    with open(path, "rb") as fh:
        r = client.post(f"/prison/{site}/upload/", {"file": fh})
    return r["Location"].split("/")[2]


def _build(user, state, days_ago: float, ok: bool = True):
    from django.utils import timezone

    from evaluation.portal.evaluator.models import BuildJob

    job = BuildJob.objects.create(user=user, state=BuildJob.DONE if ok else BuildJob.FAILED)
    BuildJob.objects.filter(pk=job.pk).update(finished=timezone.now() - dt.timedelta(days=days_ago))
    folder = state / "builds" / str(job.pk)
    (folder / "html").mkdir(parents=True)
    (folder / "build.log").write_text("chapter 1 of 1\n")
    (folder / "site.zip").write_bytes(b"PK")
    return job, folder


def test_purge_deletes_expired_uploads_and_old_builds_only(portal, make_user, tmp_path):
    from django.utils import timezone

    from evaluation.portal.audit.models import AuditEvent
    from evaluation.portal.evaluator.models import BuildJob
    from evaluation.portal.housekeeping import SYSTEM_USER, purge
    from evaluation.portal.submissions.models import Upload

    from evaluation.portal import housekeeping

    _, state = portal
    (state / "purge.stamp").write_text(f"{time.time():.0f}")  # no scheduled purge during this test
    housekeeping._last_look[0] = time.monotonic()
    c = verified_client(make_user(sites=["P07"], language="en"))
    old = _upload(c, "P07", write_file(detainee_frame("P07", n=4, seed=71), tmp_path / "a.csv"))
    fresh = _upload(c, "P07", write_file(detainee_frame("P07", n=4, seed=72), tmp_path / "b.csv"))
    queued = _upload(c, "P07", write_file(detainee_frame("P07", n=4, seed=73), tmp_path / "c.csv"))
    day_ago = timezone.now() - dt.timedelta(hours=25)
    Upload.objects.filter(token__in=[old, queued]).update(created=day_ago)
    Upload.objects.filter(token=queued).update(status="queued")  # waiting for the worker: never purged
    orphan = state / "staging" / "left-by-a-stopped-server"
    orphan.mkdir(parents=True)
    os.utime(orphan, (time.time() - 30 * 3600,) * 2)
    ev = make_user(role="evaluator", sites=[])
    BuildJob.objects.all().delete()
    _, newest_ok = _build(ev, state, days_ago=20)  # the newest good build: stays downloadable
    _, older_ok = _build(ev, state, days_ago=30)
    _, failed = _build(ev, state, days_ago=10, ok=False)
    _, recent = _build(ev, state, days_ago=1)
    BuildJob.objects.filter(pk=int(newest_ok.name)).update(finished=timezone.now() - dt.timedelta(days=8))
    BuildJob.objects.filter(pk=int(recent.name)).update(state=BuildJob.RUNNING, finished=None)

    counts = purge()
    assert counts["uploads"] == 1 and counts["staging"] >= 1 and counts["builds"] == 2
    assert Upload.objects.get(token=old).status == "expired"
    assert not (state / "staging" / old).exists() and not orphan.exists()
    assert (state / "staging" / fresh).exists() and (state / "staging" / queued).exists()
    assert Upload.objects.get(token=queued).status == "queued"
    assert newest_ok.exists() and recent.exists() and not older_ok.exists() and not failed.exists()
    ev_row = AuditEvent.objects.filter(action="purge", username=SYSTEM_USER).first()
    assert ev_row is not None and "uploads-1" in ev_row.detail and "builds-2" in ev_row.detail
    # an expired upload cannot be submitted
    r = c.post(f"/upload/{old}/submit/", follow=True)
    assert "cannot be submitted" in r.content.decode()
    # nothing left to do: no audit row
    n = AuditEvent.objects.filter(action="purge").count()
    assert purge() == {"uploads": 0, "staging": 0, "builds": 0, "tmp": 0}
    assert AuditEvent.objects.filter(action="purge").count() == n


def test_a_request_starts_the_purge_at_most_once_an_hour(portal, make_user, tmp_path):
    from django.utils import timezone

    from evaluation.portal import housekeeping
    from evaluation.portal.submissions.models import Upload

    _, state = portal
    c = verified_client(make_user(sites=["P07"], language="en"))
    token = _upload(c, "P07", write_file(detainee_frame("P07", n=4, seed=74), tmp_path / "d.csv"))
    Upload.objects.filter(token=token).update(created=timezone.now() - dt.timedelta(hours=30))
    stamp = state / "purge.stamp"
    stamp.write_text(f"{time.time():.0f}")  # purged just now: not due
    housekeeping._last_look[0] = 0.0
    c.get("/prison/P07/")
    time.sleep(1.0)
    assert Upload.objects.get(token=token).status != "expired"
    stamp.write_text(f"{time.time() - 3601:.0f}")  # an hour ago: due
    housekeeping._last_look[0] = 0.0
    c.get("/prison/P07/")
    for _ in range(100):
        if Upload.objects.get(token=token).status == "expired":
            break
        time.sleep(0.05)
    assert Upload.objects.get(token=token).status == "expired"
    assert time.time() - float(stamp.read_text()) < 60
    # the next request within the minute does not even look at the stamp
    before = stamp.read_text()
    stamp.write_text("0")
    c.get("/prison/P07/")
    time.sleep(0.5)
    assert stamp.read_text() == "0" and before


def test_purge_command(portal):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "expired uploads:" in out.getvalue() and "build folders:" in out.getvalue()
