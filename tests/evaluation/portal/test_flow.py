"""A coordinator's whole session through the portal, and what an evaluator then sees.

Checks go through intake's ``check_file`` and submissions through
``submit_file`` (the CLI's functions); the report shown is the intake's own.
After the session, every page, the portal's audit table, the workspace's
audit log and the log output are scanned for the file's identifiers, its
free-text answers and the key.
"""

from __future__ import annotations

import io
import logging
import re
import time

import pytest

from .conftest import verified_client
from .helpers import FREE_TEXT, submit_and_wait as _submit, detainee_frame, identifiers, three_mistakes, write_file

from evaluation.instruments import Catalogue

#: coordinators get the latest published version
DETAINEE_PUBLISHED = Catalogue().latest("detainee", published_only=True)


def _upload(client, site, path):
    with open(path, "rb") as fh:
        return client.post(f"/prison/{site}/upload/", {"file": fh}, follow=True)


def test_full_session_then_scan(portal, make_user, tmp_path, portal_key, caplog):
    ws_root, state = portal
    caplog.set_level(logging.DEBUG)
    coord = make_user(sites=["P03"], language="nl")
    c = verified_client(coord)
    pages: list[str] = []

    r = c.get("/", follow=True)
    pages.append(r.content.decode())
    assert r.status_code == 200 and "Wilgenbroek" in r.content.decode()
    assert "Een bestand sturen" in r.content.decode()  # Dutch from the profile

    good = detainee_frame("P03", n=20, seed=3)
    bad_path = write_file(three_mistakes(good), tmp_path / "gedetineerden_P03.csv")
    r = _upload(c, "P03", bad_path)
    html = r.content.decode()
    pages.append(html)
    assert r.status_code == 200
    assert "3 problemen moeten eerst verbeterd worden" in html  # the intake's verdict or the portal's
    # the intake's own messages, in Dutch, with their rows
    from django.utils.html import escape
    from evaluation.intake.submit import check_file

    report = check_file(bad_path, site="P03", lang="nl")
    assert len(report.errors) == 3
    for p in report.errors:
        assert escape(p.message("nl")) in html
    assert "submit-button" not in html  # nothing to submit

    ok_path = write_file(good, tmp_path / "gedetineerden_P03_v2.csv")
    r = _upload(c, "P03", ok_path)
    html = r.content.decode()
    pages.append(html)
    assert 'class="verdict good"' in html and "Druk op 'Versturen'" in html
    token = re.search(r"/upload/([0-9a-f-]{36})/submit/", html).group(1)
    r = _submit(c, token)
    html = r.content.decode()
    pages.append(html)
    assert "Ontvangstbewijs" in html
    sid = re.search(r'id="receipt-id">(S[0-9a-f]{10}(?:-\d+)?)<', html).group(1)
    assert re.search(r'id="receipt-rows">20<', html)

    # the same path as the CLI: the store holds it, pseudonymised
    from evaluation.store import Workspace, responses

    frame, _ = responses(Workspace.open(ws_root, create=False), "detainee")
    mine = frame[frame["submission_id"] == sid]
    assert len(mine) == 20 and mine["pid"].str.startswith("k1-").all()

    # a corrected file for the same wave must replace explicitly: without saying so, intake refuses it
    again = detainee_frame("P03", n=22, seed=4)
    r = _upload(c, "P03", write_file(again, tmp_path / "v3.csv"))
    token = re.search(r"/upload/([0-9a-f-]{36})/submit/", r.content.decode()).group(1)
    r = _submit(c, token)
    html = r.content.decode()
    pages.append(html)
    assert "Verbeter de problemen hieronder en laad het verbeterde bestand op" in html and "submit-button" not in html
    assert sid in html  # the intake's message names the submission it would have to replace
    assert c.post(f"/upload/{token}/submit/").status_code == 302  # a rejected upload cannot be forced through
    r = _upload(c, "P03", write_file(again, tmp_path / "v3.csv"))
    html = r.content.decode()
    pages.append(html)
    assert f'value="{sid}"' in html  # offered as the submission it may replace
    token = re.search(r"/upload/([0-9a-f-]{36})/submit/", html).group(1)
    r = _submit(c, token, {"replaces": sid})
    html = r.content.decode()
    pages.append(html)
    assert "Ontvangstbewijs" in html and sid in html
    new_sid = re.search(r'id="receipt-id">(S[0-9a-f]{10}(?:-\d+)?)<', html).group(1)
    for url in ("/prison/P03/", "/prison/P03/history/", "/templates/", "/guide/"):
        r = c.get(url)
        assert r.status_code == 200, url
        pages.append(r.content.decode())
    assert "vervangen" in pages[-3]  # the history shows the replaced submission

    r = c.get("/templates/detainee/sav/")
    assert r.status_code == 200 and f"detainee_{DETAINEE_PUBLISHED}_nl.sav" in r["Content-Disposition"]
    r = c.get("/templates/detainee/csv/")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.zip"')

    # the evaluator sees it
    ev = make_user(role="evaluator", sites=[], language="en")
    e = verified_client(ev)
    for url in ("/evaluator/", "/evaluator/linkage/", "/evaluator/quarantine/", "/evaluator/interviews/",
                "/evaluator/quotes/", "/evaluator/audit/", "/evaluator/builds/", "/prison/P03/"):
        r = e.get(url)
        assert r.status_code == 200, url
        pages.append(r.content.decode())
    assert new_sid in pages[-8]
    audit = pages[-3]
    for action in ("uploaded a file", "checked a file", "submitted a file", "replaced a submission", "downloaded"):
        assert action in audit

    # the scan: no identifier, free text or key anywhere
    from evaluation.portal.audit.models import AuditEvent

    rows = [" ".join(str(v) for v in row) for row in AuditEvent.objects.values_list()]
    ws_audit = (ws_root / "audit.log").read_text(encoding="utf-8")
    secret_hex = portal_key.secret.hex()
    haystacks = pages + rows + [ws_audit, caplog.text]
    needles = identifiers(good) + identifiers(again) + [FREE_TEXT, "Jansen", secret_hex, secret_hex[:16]]
    for hay in haystacks:
        for needle in needles:
            assert needle not in hay, f"{needle!r} leaked"
    # the original file names are not kept either
    assert all("gedetineerden_P03" not in h for h in haystacks)


def test_language_switch_changes_profile(portal, make_user):
    user = make_user(sites=["P05"], language="fr")
    c = verified_client(user)
    assert "Envoyer un fichier" in c.get("/prison/P05/").content.decode()
    r = c.post("/language/", {"language": "nl", "next": "/prison/P05/"})
    assert r.status_code == 302 and r["Location"] == "/prison/P05/"
    assert "Een bestand sturen" in c.get("/prison/P05/").content.decode()
    user.profile.refresh_from_db()
    assert user.profile.language == "nl"
    # an outside address is never a redirect target
    r = c.post("/language/", {"language": "en", "next": "https://elsewhere.example/"})
    assert r["Location"] == "/"


def test_login_page_in_three_languages(portal):
    from django.test import Client

    for lang, word in (("nl", "Aanmelden"), ("fr", "Se connecter"), ("en", "Sign in")):
        r = Client(HTTP_ACCEPT_LANGUAGE=lang).get("/accounts/login/")
        assert r.status_code == 200 and word in r.content.decode() and f'lang="{lang}"' in r.content.decode()


def test_build_job_one_at_a_time_with_log(portal, make_user):
    import sys

    from evaluation.portal.evaluator import jobs
    from evaluation.portal.evaluator.models import BuildJob

    ev = make_user(role="evaluator", sites=[])
    slow = [sys.executable, "-c", "import time; print('chapter 1 of 1', flush=True); time.sleep(1.5); print('done')"]
    job = jobs.start_build(ev, command=slow)
    time.sleep(0.3)
    with pytest.raises(jobs.BuildRunning):
        jobs.start_build(ev, command=slow)
    for _ in range(100):
        job.refresh_from_db()
        if job.state in (BuildJob.DONE, BuildJob.FAILED):
            break
        time.sleep(0.1)
    assert job.state == BuildJob.DONE
    assert "chapter 1 of 1" in jobs.log_text(job) and "done" in jobs.log_text(job)
    c = verified_client(ev)
    assert "chapter 1 of 1" in c.get("/evaluator/builds/").content.decode()


def test_adduser_command(portal, monkeypatch):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("A-long-enough-passphrase-42\n"))
    call_command("adduser", "jan-p07", "--role", "coordinator", "--site", "P07", "--password-stdin",
                 stdout=io.StringIO())
    user = get_user_model().objects.get(username="jan-p07")
    assert user.check_password("A-long-enough-passphrase-42") and user.profile.role == "coordinator"
    assert list(user.site_memberships.values_list("site", flat=True)) == ["P07"]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError):
        call_command("adduser", "x-p07", "--site", "P07", "--password-stdin", stdout=io.StringIO())
    monkeypatch.setattr("sys.stdin", io.StringIO("A-long-enough-passphrase-42\n"))
    with pytest.raises(CommandError, match="unknown prison"):
        call_command("adduser", "y-p99", "--site", "P99", "--password-stdin", stdout=io.StringIO())


def test_check_report_follows_the_language_switch(portal, make_user, tmp_path):
    from django.utils.html import escape

    from evaluation.intake.submit import check_file

    user = make_user(sites=["P06"], language="nl")
    c = verified_client(user)
    path = write_file(three_mistakes(detainee_frame("P06", n=10, seed=6)), tmp_path / "x.csv")
    r = _upload(c, "P06", path)
    url = r.redirect_chain[-1][0]
    report = check_file(path, site="P06", lang="fr")
    c.post("/language/", {"language": "fr", "next": url})
    html = c.get(url).content.decode()
    assert "3 problèmes doivent d’abord être corrigés" in html
    for p in report.errors:  # the intake's own French messages
        assert escape(p.message("fr")) in html


def test_error_pages_are_sentences(portal, make_user):
    from django.test import Client

    c = verified_client(make_user(sites=["P01"], language="nl"))
    r = c.get("/prison/P09/")
    assert r.status_code == 404 and "Pagina niet gevonden" in r.content.decode()
    r = c.get("/evaluator/")
    assert r.status_code == 403 and "Niet toegestaan" in r.content.decode()
    r = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="fr").post("/accounts/login/", {"username": "x"})
    assert r.status_code == 403 and "Veuillez réessayer" in r.content.decode()


def test_evaluator_reviews_and_signs_off_a_quote(portal, make_user):
    """A stored interview segment (written with the store's own write_segments) approved in the portal."""
    import hashlib
    import uuid

    import pandas as pd

    from evaluation.store import SubmissionMeta, Workspace, quote_signoffs, write_segments

    ws_root, _ = portal
    ws = Workspace.open(ws_root, create=False)
    text = "Hij was er gewoon, elke week. Dat gaf vertrouwen."
    sha = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
    seg_id = "G" + sha[:16]
    transcripts = pd.DataFrame([{"transcript_id": "T" + sha[:8], "pid": "k1-" + sha[:20], "respondent_group": "detainee",
                                 "site": "P02", "sha256": sha, "n_chars": len(text), "text": text,
                                 "sha256_deidentified": hashlib.sha256(text.encode()).hexdigest(), "replacements": 0}])
    segments = pd.DataFrame([{"segment_id": seg_id, "transcript_id": "T" + sha[:8], "pid": "k1-" + sha[:20],
                              "respondent_group": "detainee", "site": "P02", "coder": "A", "code": "trust",
                              "start": 0, "end": len(text), "text": text, "comment": None}])
    with ws.store() as store:
        write_segments(store, SubmissionMeta(sha256=sha, file_name="coded.csv", site="P02", format="csv", n_rows=1),
                       transcripts, segments, codebook_version="1.0")
    ev = make_user(role="evaluator", sites=[], language="en")
    e = verified_client(ev)
    page = e.get(f"/evaluator/quotes/?segment={seg_id}").content.decode()
    assert "elke week" in page
    qsha = re.search(r'name="sha" value="([0-9a-f]{64})"', page).group(1)
    r = e.post("/evaluator/quotes/", {"segment": seg_id, "sha": qsha, "approve": "1"}, follow=True)
    assert "approved for the report" in r.content.decode()
    signed = quote_signoffs(ws)
    assert signed[signed["segment_id"] == seg_id]["approved_by"].tolist() == [ev.username]
    # a stale hash (the text changed since it was read) is refused
    r = e.post("/evaluator/quotes/", {"segment": seg_id, "sha": "0" * 64, "approve": "1"}, follow=True)
    assert "changed since you read it" in r.content.decode()
    assert "no quote with this number" in e.get("/evaluator/quotes/?segment=Gnope").content.decode()
    # coordinators never see quotes
    coord = verified_client(make_user(sites=["P02"]))
    assert coord.get(f"/evaluator/quotes/?segment={seg_id}").status_code == 403


def test_migrations_match_the_models(portal):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # SystemExit(1) when a migration is missing


@pytest.mark.parametrize("with_intake_verdict", [True, False])
def test_the_intakes_verdict_is_preferred_when_it_has_one(portal, make_user, tmp_path, monkeypatch,
                                                          with_intake_verdict):
    """The report's own first sentence when intake has one (evaluation.intake.messages.verdict), else the portal's."""
    import evaluation.intake.messages as intake_messages

    seen = []
    if with_intake_verdict:
        def verdict(report):  # what intake's verdict receives: the report, in the page's language
            seen.append((report.lang, report.status, report.valid))
            return {"nl": "INTAKE-ZIN: niet aanvaard.", "fr": "PHRASE-INTAKE : refusé."}[report.lang]

        monkeypatch.setattr(intake_messages, "verdict", verdict, raising=False)
    else:
        monkeypatch.delattr(intake_messages, "verdict", raising=False)
    c = verified_client(make_user(sites=["P06"], language="nl"))
    r = _upload(c, "P06", write_file(three_mistakes(detainee_frame("P06", n=10, seed=61)), tmp_path / "x.csv"))
    html = r.content.decode()
    verdict_p = re.search(r'<p class="verdict bad" id="verdict"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "3 problemen moeten eerst verbeterd worden" in verdict_p
    if with_intake_verdict:
        assert verdict_p.startswith("INTAKE-ZIN: niet aanvaard. ") and "zal niet aanvaard worden" not in verdict_p
        assert seen[-1] == ("nl", "checked", False)
        c.post("/language/", {"language": "fr", "next": "/"})
        html = c.get(r.redirect_chain[-1][0]).content.decode()
        assert "PHRASE-INTAKE : refusé. 3 problèmes doivent" in html
    else:
        assert verdict_p.startswith("Dit bestand zal niet aanvaard worden: 3 problemen")
