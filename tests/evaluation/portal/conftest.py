"""Django for the portal tests: a throwaway workspace, state folder and key; the portal's tables migrated.

The settings are the development settings, pointed (through the environment,
restored afterwards) at temporary folders; ``DATABASE_URL``, when set (the
PostgreSQL run of :mod:`test_postgres`), puts the portal's tables there.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from evaluation.intake.pseudonymise import PseudonymKey

ROOT = Path(tempfile.mkdtemp(prefix="portal-tests-"))
KEY = PseudonymKey.generate()


@pytest.fixture(scope="session")
def portal():
    """Set Django up once for the portal tests; yields the (workspace, state dir)."""
    saved = {k: os.environ.get(k) for k in ("PEER_EVAL_WORKSPACE", "PORTAL_STATE_DIR", "DJANGO_SETTINGS_MODULE")}
    os.environ["PEER_EVAL_WORKSPACE"] = str(ROOT / "ws")
    os.environ["PORTAL_STATE_DIR"] = str(ROOT / "state")
    os.environ["DJANGO_SETTINGS_MODULE"] = "evaluation.portal.settings.development"
    import django
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    from django.conf import settings

    # a fast hasher for the many test accounts (password hashing itself is Django's, not under test)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    from evaluation.store import Workspace

    Workspace.open(ROOT / "ws")
    yield ROOT / "ws", ROOT / "state"


@pytest.fixture(autouse=True)
def portal_key(monkeypatch):
    """The pseudonymisation key, as the data controller's server holds it (environment)."""
    monkeypatch.setenv("PEER_EVAL_KEY", KEY.text())
    monkeypatch.delenv("PEER_EVAL_KEY_FILE", raising=False)
    return KEY


_n = [0]


def unique(prefix: str) -> str:
    _n[0] += 1
    return f"{prefix}{_n[0]}-{os.getpid()}"


@pytest.fixture
def make_user(portal):
    from evaluation.portal.accounts.service import create_account

    def make(role="coordinator", sites=("P01",), language="nl"):
        name = unique(role[:5])
        password = "Corr3ct-horse-" + name
        user = create_account(name, password, role=role, sites=list(sites), language=language)
        user.plain_password = password
        return user

    return make


def verified_client(user, **kw):
    """A test client signed in as ``user`` and, for staff, past the second factor (a confirmed TOTP device)."""
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    c = Client(**kw)
    c.force_login(user)
    if user.profile.needs_second_factor:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        r = c.post("/accounts/2fa/verify/", {"token": token})
        assert r.status_code == 302, r.content[:500]
    return c
