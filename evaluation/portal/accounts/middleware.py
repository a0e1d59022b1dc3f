"""The user's language from their profile; the second factor where it is required or set up."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .roles import profile_of

__all__ = ["ProfileLanguageMiddleware", "SecondFactorMiddleware"]

_OPEN_PREFIXES = ("/accounts/", "/static/", "/guide/", "/language/")


class ProfileLanguageMiddleware:
    """Activate the language of the signed-in user's profile (switchable on every page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            lang = profile_of(user).language
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        return self.get_response(request)


class SecondFactorMiddleware:
    """Evaluators and data controllers must pass TOTP; a coordinator with a device too.

    Until then every page except sign-in, second-factor set-up/verification,
    the guide and static files redirects there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            if not user.is_verified():
                from django_otp import user_has_device

                if user_has_device(user, confirmed=True):
                    return redirect(reverse("accounts:otp_verify") + "?next=" + request.path)
                if profile_of(user).needs_second_factor:
                    return redirect("accounts:otp_setup")
        return self.get_response(request)
