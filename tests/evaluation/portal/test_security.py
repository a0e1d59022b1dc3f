"""Security: isolation between prisons, CSRF, login throttling, upload limits and sniffing, cookies, deploy check."""

from __future__ import annotations

import io
import os
import re
import secrets
import subprocess
import sys
import zipfile

import pytest

from .conftest import verified_client
from .helpers import REPO, detainee_frame, submit_and_wait, write_file

# ---------------------------------------------------------------------------- isolation


def _patterns(resolver, prefix=""):
    from django.urls import URLPattern, URLResolver

    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def _fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


@pytest.fixture
def other_prison(portal, make_user, tmp_path):
    """A coordinator of P02 with an accepted submission, a checked upload and a rejected file."""
    owner = make_user(sites=["P02"], language="en")
    c = verified_client(owner)
    ok = write_file(detainee_frame("P02", n=12, seed=21), tmp_path / "p02.csv")
    with open(ok, "rb") as fh:
        r = c.post("/prison/P02/upload/", {"file": fh})
    token = r["Location"].split("/")[2]
    r = submit_and_wait(c, token)
    sid = r.redirect_chain[-1][0].rstrip("/").split("/")[-1]
    with open(write_file(detainee_frame("P02", n=12, seed=22), tmp_path / "p02b.csv"), "rb") as fh:
        r = c.post("/prison/P02/upload/", {"file": fh})
    token2 = r["Location"].split("/")[2]
    return {"site": "P02", "sid": sid, "token": token2, "pk": 1, "instrument": "detainee", "fmt": "sav"}


def test_coordinator_of_another_prison_gets_403_or_404_everywhere(portal, make_user, other_prison):
    from django.urls import get_resolver

    intruder = verified_client(make_user(sites=["P01"], language="en"))
    checked = []
    for route, pattern in _patterns(get_resolver()):
        if route.startswith("admin/"):
            continue
        names = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        evaluator_page = route.startswith("evaluator/")
        if not (names & {"site", "sid", "token", "pk"}) and not evaluator_page:
            continue  # pages that are the same for everyone (templates, guide, sign-in)
        url = _fill(route, other_prison)
        for method in ("get", "post"):
            r = getattr(intruder, method)(url)
            assert r.status_code in (403, 404, 405), (method, url, r.status_code)
            if method == "get" and r.status_code == 405:
                continue
            assert r.status_code in (403, 404), (method, url, r.status_code)
            body = r.content.decode(errors="replace")
            assert other_prison["sid"] not in body
        checked.append(url)
    assert len(checked) >= 15, checked
    # the admin pages are not for coordinators either
    r = intruder.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    # and the other prison's files cannot be submitted or replaced through a forged form
    r = intruder.post(f"/upload/{other_prison['token']}/submit/", {"replaces": other_prison["sid"]})
    assert r.status_code == 404


def test_evaluator_sees_every_prison(portal, make_user, other_prison):
    e = verified_client(make_user(role="evaluator", sites=[]))
    assert e.get("/prison/P02/").status_code == 200
    r = e.get(f"/prison/P02/submission/{other_prison['sid']}/")
    assert r.status_code == 200 and other_prison["sid"] in r.content.decode()


def test_evaluator_needs_second_factor(portal, make_user):
    from django.test import Client

    ev = make_user(role="evaluator", sites=[])
    c = Client()
    r = c.post("/accounts/login/", {"username": ev.username, "password": ev.plain_password})
    assert r.status_code == 302
    r = c.get("/evaluator/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/2fa/setup/")
    r = c.get("/accounts/2fa/setup/")
    assert r.status_code == 200 and b"data:image/svg+xml;base64," in r.content
    # a wrong code does not pass
    r = c.post("/accounts/2fa/setup/", {"token": "000000"})
    assert r.status_code == 200 and c.get("/evaluator/").status_code == 302
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    d = TOTPDevice.objects.get(user=ev)
    import time

    time.sleep(1.1)  # django-otp throttles a device for a second after a wrong code
    r = c.post("/accounts/2fa/setup/", {"token": f"{totp(d.bin_key):06d}"})
    assert r.status_code == 302
    assert c.get("/evaluator/").status_code == 200


# ---------------------------------------------------------------------------- CSRF, throttling, cookies


def test_post_without_csrf_token_refused(portal, make_user, tmp_path):
    from django.test import Client

    user = make_user(sites=["P01"])
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    path = write_file(detainee_frame("P01", n=5), tmp_path / "a.csv")
    with open(path, "rb") as fh:
        r = c.post("/prison/P01/upload/", {"file": fh})
    assert r.status_code == 403
    r = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": user.username,
                                                                  "password": user.plain_password})
    assert r.status_code == 403


def test_repeated_failed_logins_are_throttled_and_audited(portal, make_user):
    from django.test import Client

    from evaluation.portal.audit.models import AuditEvent

    user = make_user(sites=["P01"])
    c = Client()
    for _ in range(5):
        r = c.post("/accounts/login/", {"username": user.username, "password": "wrong-password"})
    assert r.status_code in (200, 429)
    # now even the right password is refused, with a message
    r = c.post("/accounts/login/", {"username": user.username, "password": user.plain_password})
    assert r.status_code == 429
    assert "15" in r.content.decode()
    assert "_auth_user_id" not in c.session
    assert AuditEvent.objects.filter(username=user.username, action="login-failed").count() >= 5
    # a name that is no account is never written down
    Client().post("/accounts/login/", {"username": "1234567 Jansen", "password": "x"})
    assert not AuditEvent.objects.filter(username__contains="Jansen").exists()


def test_session_and_csrf_cookie_flags(portal, make_user):
    from django.test import Client

    user = make_user(sites=["P01"])
    c = Client()
    c.get("/accounts/login/")
    r = c.post("/accounts/login/", {"username": user.username, "password": user.plain_password})
    assert r.status_code == 302
    session = r.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = c.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["samesite"] == "Lax"
    page = c.get("/prison/P01/")
    assert "Content-Security-Policy" in page and "script-src 'self'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "DENY" and page["X-Content-Type-Options"] == "nosniff"


def test_production_settings_pass_check_deploy_and_secure_cookies():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="evaluation.portal.settings.production",
               DJANGO_SECRET_KEY=secrets.token_urlsafe(50), PORTAL_ALLOWED_HOSTS="portal.example.org",
               PYTHONPATH=str(REPO))
    env.pop("DATABASE_URL", None)
    r = subprocess.run([sys.executable, "-m", "evaluation.portal", "check", "--deploy", "--fail-level", "WARNING"],
                       capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout
    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert r.stdout.split() == ["True", "True", "True", "True"], r.stderr
    # without a signing key production refuses to start
    env.pop("DJANGO_SECRET_KEY")
    r = subprocess.run([sys.executable, "-m", "evaluation.portal", "check"], capture_output=True, text=True, env=env,
                       cwd=REPO, timeout=60)
    assert r.returncode != 0 and "DJANGO_SECRET_KEY" in r.stderr


# ---------------------------------------------------------------------------- uploads


def _post(client, name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/prison/P01/upload/", {"file": SimpleUploadedFile(name, data)}, follow=True)


def test_renamed_executable_gets_a_message(portal, make_user):
    c = verified_client(make_user(sites=["P01"], language="en"))
    r = _post(c, "data.sav", b"MZ\x90\x00\x03" + b"\x00" * 2000)
    body = r.content.decode()
    assert r.status_code == 200 and "not what its name says" in body
    r = _post(c, "data.csv", b"\x7fELF\x02\x01\x01" + b"\x00" * 100)
    assert "not what its name says" in r.content.decode()
    r = _post(c, "data.exe", b"MZ" + b"\x00" * 100)
    assert "cannot be checked" in r.content.decode()
    from evaluation.portal.submissions.models import Upload

    assert not Upload.objects.filter(suffix__in=[".exe"]).exists()


def test_zip_bomb_is_not_opened(portal, make_user, settings_override):
    c = verified_client(make_user(sites=["P01"], language="en"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("xl/worksheets/sheet1.xml", "w") as member:
            block = b"\x00" * (1 << 20)
            for _ in range(24):
                member.write(block)
    data = buf.getvalue()
    assert len(data) < 200_000
    settings_override(PORTAL_MAX_UNPACKED_BYTES=16 * 1024 * 1024)
    r = _post(c, "data.xlsx", data)
    assert "far more data than a questionnaire holds" in r.content.decode()


def test_upload_size_cap(portal, make_user, settings_override, tmp_path):
    c = verified_client(make_user(sites=["P01"], language="fr"))
    settings_override(PORTAL_MAX_UPLOAD_BYTES=100 * 1024)
    r = _post(c, "grand.csv", b"a;b\r\n" + b"1;2\r\n" * 60_000)
    assert r.status_code == 200 and "Ce fichier dépasse 0.1 Mo, la taille maximale" in r.content.decode()
    from evaluation.portal.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="upload-refused", detail="size").exists()


@pytest.fixture
def settings_override():
    from django.test import override_settings

    active = []

    def apply(**kw):
        o = override_settings(**kw)
        o.enable()
        active.append(o)

    yield apply
    for o in reversed(active):
        o.disable()
