"""Interview imports through the portal: the same check and import as ``peer-eval interviews check/import``.

The names list stays on the server (``PEER_EVAL_NAMES_DIR``): never
uploaded, never on a page, in the audit or the log; the stored text has the
names replaced. Synthetic, made-up names only.
"""

from __future__ import annotations

import logging
import re
import time

import pytest
from django.utils.html import escape

from .conftest import verified_client

TEXT = ("I: How did the support start?\n"
        "R: Jan Peeters came to my cell and asked how I was.\n"
        "R: After that I trusted him. Mia from the night shift also helped.\n")
NAMES = ("name,label,participant,role\n"
         "Jan Peeters,[peer worker],,\n"
         "Jan,[peer worker],,\n"
         "Mia,[officer],,\n"
         ",,AB123,detainee\n")


def _span(fragment: str) -> tuple[int, int]:
    s = TEXT.index(fragment)
    return s, s + len(fragment)


def _qdpx(path, site: str, code: str = "svc_trust"):
    from evaluation.qda import load_codebook
    from evaluation.qda.refi import write_qdpx

    t = {"name": "Interview 1", "text": TEXT, "participant": "AB123", "role": "detainee", "site": site,
         "codings": [(*_span("Jan Peeters came to my cell"), "key_people", "coder1"),
                     (*_span("After that I trusted him."), code, "coder1")]}
    return write_qdpx(path, load_codebook(), [t])


@pytest.fixture
def names_dir(tmp_path, settings_override):
    folder = tmp_path / "controller-only"
    folder.mkdir()
    (folder / "names_P01.csv").write_text(NAMES, encoding="utf-8")
    settings_override(PORTAL_NAMES_DIR=str(folder))
    return folder


@pytest.fixture
def settings_override(portal, monkeypatch):
    from django.conf import settings

    def set_(**kw):
        for k, v in kw.items():
            monkeypatch.setattr(settings, k, v, raising=False)

    return set_


def _upload(client, site, path):
    with open(path, "rb") as fh:
        return client.post("/evaluator/interviews/upload/", {"site": site, "file": fh})


def _wait(client, token):
    for _ in range(1200):
        if client.get(f"/evaluator/interviews/file/{token}/state/").json()["done"]:
            break
        time.sleep(0.05)
    return client.get(f"/evaluator/interviews/file/{token}/", follow=True)


def test_import_a_qdpx_with_the_servers_names_list(portal, make_user, tmp_path, names_dir, caplog):
    from evaluation.portal.audit.models import AuditEvent
    from evaluation.qda.importer import check_segments
    from evaluation.store import Workspace, segments

    caplog.set_level(logging.DEBUG)
    ws_root, _ = portal
    pages = []
    e = verified_client(make_user(role="data_controller", sites=[], language="nl"))
    html = e.get("/evaluator/interviews/").content.decode()
    pages.append(html)
    assert 'action="/evaluator/interviews/upload/"' in html and "no-names" not in html
    path = _qdpx(tmp_path / "coded_P01.qdpx", "P01")
    r = _upload(e, "P01", path)
    assert r.status_code == 302
    token = re.search(r"/interviews/file/([0-9a-f-]{36})/", r["Location"]).group(1)
    html = e.get(r["Location"]).content.decode()
    pages.append(html)
    # the same check as 'peer-eval interviews check': its report, its messages
    report = check_segments(path, site="P01", names=names_dir / "names_P01.csv", lang="nl")
    assert report.valid and 'id="import-button"' in html
    for p in report.problems:
        assert escape(p.message("nl")) in html
    assert e.post(f"/evaluator/interviews/file/{token}/import/").status_code == 302
    r = _wait(e, token)
    html = r.content.decode()
    pages.append(html)
    sid = re.search(r'id="receipt-id">([^<]+)<', html).group(1)
    seg = segments(Workspace.open(ws_root, create=False))
    mine = seg[seg["site"] == "P01"]
    assert len(mine) == 2 and mine["pid"].str.startswith("k1-").all()
    stored = " ".join(mine["text"])
    assert "Jan Peeters" not in stored and "[peer worker]" in stored  # de-identified with the server's list
    html = e.get("/evaluator/interviews/").content.decode()
    pages.append(html)
    assert sid in html and "gedetineerden" in html
    actions = {(a.action, a.detail) for a in AuditEvent.objects.filter(site="P01")}
    assert ("upload", "interviews-qdpx") in actions and ("check", "codebook:ok") in actions
    assert AuditEvent.objects.filter(action="import", submission=sid).count() == 1
    # the names list and its path appear nowhere
    rows = [" ".join(str(v) for v in row) for row in AuditEvent.objects.values_list()]
    for hay in pages + rows + [caplog.text]:
        for needle in ("Jan Peeters", "Mia from", str(names_dir), "names_P01", "controller-only"):
            assert needle not in hay, needle


def test_without_a_names_list_a_file_is_checked_but_not_imported(portal, make_user, tmp_path, settings_override):
    settings_override(PORTAL_NAMES_DIR=None)
    e = verified_client(make_user(role="evaluator", sites=[], language="en"))
    assert 'id="no-names"' in e.get("/evaluator/interviews/").content.decode()
    r = _upload(e, "P02", _qdpx(tmp_path / "c.qdpx", "P02"))
    token = r["Location"].split("/")[-2]
    html = e.get(r["Location"]).content.decode()
    assert 'id="no-names"' in html and "import-button" not in html
    r = e.post(f"/evaluator/interviews/file/{token}/import/", follow=True)
    assert "cannot be imported" in r.content.decode()
    from evaluation.portal.submissions.models import Upload

    assert Upload.objects.get(token=token).status == "checked"


def test_a_csv_with_an_unknown_code_shows_the_intake_message(portal, make_user, tmp_path, names_dir):
    from evaluation.qda.importer import check_segments

    e = verified_client(make_user(role="evaluator", sites=[], language="fr"))
    path = tmp_path / "segments_P01.csv"
    path.write_text("participant,role,site,transcript,quotation,theme,sub-theme,coder\n"
                    "AB123,detainee,P01,int1,After that I trusted him.,no_such_theme,,coder1\n", encoding="utf-8")
    r = _upload(e, "P01", path)
    html = e.get(r["Location"]).content.decode()
    report = check_segments(path, site="P01", names=names_dir / "names_P01.csv", lang="fr")
    assert not report.valid and "import-button" not in html
    for p in report.errors:
        assert escape(p.message("fr")) in html
    # the intake's own verdict when it has one (issue 15), else the portal's sentence
    assert "ne sera pas accepté" in html or "ne peut pas être importé" in html


def test_what_is_not_a_coded_file_is_refused(portal, make_user, tmp_path, names_dir):
    e = verified_client(make_user(role="evaluator", sites=[], language="en"))
    fake = tmp_path / "coded.qdpx"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    r = _upload(e, "P01", fake)
    assert r.status_code == 302 and r["Location"] == "/evaluator/interviews/"
    assert "not what its name says" in e.get("/evaluator/interviews/").content.decode()
    odd = tmp_path / "coded.sav"
    odd.write_bytes(b"$FL2" + b"\x00" * 100)
    _upload(e, "P01", odd)
    assert "cannot be imported" in e.get("/evaluator/interviews/").content.decode()
    # coordinators cannot import interviews
    c = verified_client(make_user(sites=["P01"]))
    with open(fake, "rb") as fh:
        assert c.post("/evaluator/interviews/upload/", {"site": "P01", "file": fh}).status_code == 403
