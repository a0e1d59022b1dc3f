"""Who may see what: the one place where roles and prisons are checked.

Views use :func:`role_required` and :func:`site_allowed`; a coordinator asking
for another prison's page, file or submission gets 404 (the page does not
exist for them), a coordinator asking for an evaluator page 403.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import COORDINATOR, DATA_CONTROLLER, EVALUATOR, Profile

__all__ = ["profile_of", "sites_of", "site_allowed", "role_required", "check_site", "STAFF_ROLES"]

STAFF_ROLES = (EVALUATOR, DATA_CONTROLLER)


def profile_of(user) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user, defaults={"role": COORDINATOR})
    return profile


def all_site_codes() -> list[str]:
    from evaluation.instruments import Catalogue

    return [s.code for s in Catalogue().sites().sites]


def sites_of(user) -> list[str]:
    """The prisons ``user`` may see: every prison for evaluators, their memberships for coordinators."""
    if not user.is_authenticated:
        return []
    if profile_of(user).sees_all_sites:
        return all_site_codes()
    return sorted(user.site_memberships.values_list("site", flat=True))


def site_allowed(user, site: str | None) -> bool:
    return bool(site) and site in sites_of(user)


def check_site(user, site: str | None) -> None:
    """404 unless ``user`` may see ``site``."""
    if not site_allowed(user, site):
        raise Http404("no such prison")


def role_required(*roles: str):
    """A view only for these roles (403 for the others)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if profile_of(request.user).role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
