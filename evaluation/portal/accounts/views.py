"""Sign in and out, the second factor (TOTP), the language switch."""

from __future__ import annotations

import base64
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..audit.models import record
from .forms import LanguageForm, TokenForm
from .roles import profile_of


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None if default is None else redirect(default).url


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@login_required
def otp_setup(request):
    """Set up the authenticator app: a QR code (and its key to type), then one code to confirm."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect("accounts:otp_verify")
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            record(request.user.get_username(), "otp-set-up")
            messages.success(request, _("Your second factor is set up."))
            return redirect("home")
        form.add_error("token", _("This code is not right. Check the time on your phone and type the newest code."))
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return render(request, "accounts/otp_setup.html",
                  {"form": form, "qr": _qr_svg(device.config_url), "secret": secret})


@login_required
def otp_verify(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return HttpResponseRedirect(_next(request))
        record(request.user.get_username(), "login-failed", detail="otp")
        form.add_error("token", _("This code is not right. Type the newest code from your authenticator app."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request, None) or ""})


@require_POST
def set_language(request):
    """Switch the page language; for a signed-in user it becomes their profile's language."""
    form = LanguageForm(request.POST)
    target = _next(request)
    response = HttpResponseRedirect(target)
    if form.is_valid():
        lang = form.cleaned_data["language"]
        if request.user.is_authenticated:
            profile = profile_of(request.user)
            profile.language = lang
            profile.save(update_fields=["language"])
        translation.activate(lang)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
                            httponly=settings.LANGUAGE_COOKIE_HTTPONLY)
    return response


def csrf_failure(request, reason=""):
    """A refused form (no or stale CSRF token): a sentence to act on, status 403."""
    return render(request, "403_csrf.html", status=403)
