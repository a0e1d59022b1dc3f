"""Sign-in, failed sign-in and sign-out go to the audit table."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(user.get_username(), "login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user.get_username(), "logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # the name typed is kept only when it is an account's name (a password typed as a name never is)
    name = str((credentials or {}).get("username", ""))[:150]
    known = bool(name) and get_user_model().objects.filter(username=name).exists()
    record(name if known else "(unknown)", "login-failed")
