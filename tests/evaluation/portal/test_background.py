"""Submitting is a background job: no page waits while a file is being stored.

A child process plays another gunicorn worker in the middle of storing a
file: it holds the portal's writers' lock (the ``flock``) and an open SQLite
write transaction on the workspace's database. Meanwhile a coordinator
submits, reads the 'being stored' page, the dashboard and the history, and
an evaluator the status page — each answered at once, showing the last
committed state. When the child lets go, the queued file is stored through
intake's ``submit_file`` and the receipt appears.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from .conftest import verified_client
from .helpers import detainee_frame, submit_and_wait, write_file

HOLDER = r"""
import fcntl, os, sqlite3, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
con = sqlite3.connect(sys.argv[2], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("UPDATE submissions SET status = status")  # a write transaction in progress
print("holding", flush=True)
sys.stdin.read() if len(sys.argv) < 4 else __import__("time").sleep(float(sys.argv[3]))
con.execute("ROLLBACK")
"""

#: a page that answers slower than this while the lock is held is taken as waiting for it
FAST_S = 5.0


def _upload(client, site, path):
    with open(path, "rb") as fh:
        r = client.post(f"/prison/{site}/upload/", {"file": fh})
    assert r.status_code == 302
    return r["Location"].split("/")[2]


class _Holder:
    """Another process in the middle of storing a file (lock held, write transaction open)."""

    def __init__(self, ws_root):
        from evaluation.portal.workspace import intake_lock_path

        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(intake_lock_path()),
                                      str(ws_root / "evaluation.sqlite"), "60"],
                                     stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        assert self.proc.stdout.readline().strip() == "holding"

    def release(self):
        self.proc.kill()
        self.proc.wait(timeout=30)


def _timed_get(client, url):
    t = time.perf_counter()
    r = client.get(url)
    took = time.perf_counter() - t
    assert r.status_code == 200, (url, r.status_code)
    assert took < FAST_S, f"{url} waited {took:.1f} s while a file was being stored"
    return r.content.decode()


def test_submit_returns_at_once_and_pages_do_not_wait(portal, make_user, tmp_path):
    ws_root, _ = portal
    coord = make_user(sites=["P08"], language="en")
    c = verified_client(coord)
    e = verified_client(make_user(role="evaluator", sites=[], language="en"))
    # something committed before, to be seen while the next file is being stored
    first = submit_and_wait(c, _upload(c, "P08", write_file(detainee_frame("P08", n=8, seed=81), tmp_path / "a.csv")))
    first_sid = re.search(r'id="receipt-id">([^<]+)<', first.content.decode()).group(1)

    token = _upload(c, "P08", write_file(detainee_frame("P08", n=9, seed=82), tmp_path / "b.csv"))
    holder = _Holder(ws_root)
    try:
        t = time.perf_counter()
        r = c.post(f"/upload/{token}/submit/", {"replaces": first_sid})  # a corrected file
        assert r.status_code == 302 and time.perf_counter() - t < FAST_S
        page = _timed_get(c, f"/upload/{token}/")
        assert "Your file is waiting to be stored" in page or "being stored now" in page
        assert 'data-refresh-url="/upload/' in page and "portal/refresh.js" in page
        assert c.get(f"/upload/{token}/state/").json() == {"done": False, "next": f"/upload/{token}/"}
        for url in ("/prison/P08/", "/prison/P08/history/"):
            html = _timed_get(c, url)
            assert "being stored" in html and f'href="/upload/{token}/"' in html
            assert first_sid in html  # the last committed state, read without the lock
        status = _timed_get(e, "/evaluator/")
        assert first_sid in status
        _timed_get(c, f"/prison/P08/submission/{first_sid}/")
        # a second press does not queue it twice
        assert c.post(f"/upload/{token}/submit/").status_code == 302
    finally:
        holder.release()
    r = submit_and_wait(c, token)  # already queued: only waits for the worker
    html = r.content.decode()
    assert "Receipt" in html and re.search(r'id="receipt-rows">9<', html)
    sid = re.search(r'id="receipt-id">([^<]+)<', html).group(1)
    from evaluation.portal.audit.models import AuditEvent
    from evaluation.store import Workspace

    with Workspace.open(ws_root, create=False).store() as store:
        subs = store.submissions()
    assert (subs["submission_id"] == sid).sum() == 1
    assert subs.set_index("submission_id").loc[first_sid, "superseded_by"] == sid
    assert AuditEvent.objects.filter(action="replace", submission=sid, site="P08").count() == 1
    assert "being stored" not in c.get("/prison/P08/history/").content.decode()


def test_a_file_left_behind_by_a_stopped_server_is_stored(portal, make_user, tmp_path):
    """'storing' with no process storing it (the server stopped): the next look at a queued file stores it."""
    from django.utils import timezone

    from evaluation.portal.submissions.models import Upload

    c = verified_client(make_user(sites=["P09", "P05"], language="en"))
    token = _upload(c, "P09", write_file(detainee_frame("P09", n=7, seed=91), tmp_path / "c.csv"))
    Upload.objects.filter(token=token).update(status="storing", queued_at=timezone.now(), lang="en")
    token2 = _upload(c, "P05", write_file(detainee_frame("P05", n=6, seed=92), tmp_path / "d.csv"))
    Upload.objects.filter(token=token2).update(status="queued", queued_at=timezone.now(), lang="en")
    r = c.get(f"/upload/{token2}/")  # wakes a worker
    assert "being stored" in r.content.decode() or r.status_code == 302
    for tok in (token, token2):
        for _ in range(600):
            if Upload.objects.get(token=tok).status not in ("queued", "storing"):
                break
            time.sleep(0.05)
    assert [Upload.objects.get(token=t).status for t in (token, token2)] == ["accepted", "accepted"]


def test_no_key_fails_clearly_and_can_be_submitted_again(portal, make_user, tmp_path, monkeypatch):
    c = verified_client(make_user(sites=["P10"], language="nl"))
    token = _upload(c, "P10", write_file(detainee_frame("P10", n=5, seed=101), tmp_path / "e.csv"))
    monkeypatch.delenv("PEER_EVAL_KEY")
    r = submit_and_wait(c, token)
    html = r.content.decode()
    assert "kan op dit moment geen bestanden opslaan" in html and "submit-button" in html
    monkeypatch.setenv("PEER_EVAL_KEY", __import__("tests.evaluation.portal.conftest", fromlist=["KEY"]).KEY.text())
    r = submit_and_wait(c, token)
    assert "Ontvangstbewijs" in r.content.decode()


@pytest.mark.parametrize("timeout", [0.3])
def test_signoff_waits_briefly_for_the_writers_lock(portal, timeout):
    from evaluation.portal.workspace import LockBusy, workspace_lock

    import threading

    got = threading.Event()
    release = threading.Event()

    def hold():
        with workspace_lock(exclusive=True):
            got.set()
            release.wait(10)

    th = threading.Thread(target=hold)
    th.start()
    got.wait(5)
    t = time.perf_counter()
    with pytest.raises(LockBusy):
        with workspace_lock(exclusive=True, timeout=timeout):
            pass
    assert time.perf_counter() - t < 3
    release.set()
    th.join()
    with workspace_lock(exclusive=True, timeout=timeout):
        pass
