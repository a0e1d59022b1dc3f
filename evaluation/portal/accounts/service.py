"""Making accounts (``peer-eval portal adduser``, the demo, the admin pages)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from .models import COORDINATOR, ROLES, Profile, SiteMembership
from .roles import STAFF_ROLES, all_site_codes

__all__ = ["create_account"]


@transaction.atomic
def create_account(username: str, password: str, *, role: str = COORDINATOR, sites: list[str] = (),
                   language: str = "nl", demo: bool = False, validate: bool = True):
    """A new user with a profile and memberships; ``ValueError`` with the fix for bad arguments."""
    if role not in dict(ROLES):
        raise ValueError(f"role={role!r}: pass one of {', '.join(dict(ROLES))}")
    known = all_site_codes()
    bad = [s for s in sites if s not in known]
    if bad:
        raise ValueError(f"unknown prison code(s) {', '.join(bad)}; known: {', '.join(known)}")
    if role == COORDINATOR and not sites:
        raise ValueError("a coordinator needs at least one prison: pass --site CODE (e.g. --site P03)")
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValueError(f"an account named {username!r} exists already")
    user = User(username=username, is_staff=role in STAFF_ROLES)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    Profile.objects.update_or_create(user=user, defaults={"role": role, "language": language, "demo": demo})
    for s in sites:
        SiteMembership.objects.create(user=user, site=s)
    if role in STAFF_ROLES:
        # evaluators manage accounts in the admin pages; nothing else there
        perms = Permission.objects.filter(content_type__app_label__in=["auth", "accounts"],
                                          codename__regex=r"^(add|change|view)_(user|profile|sitemembership)$")
        user.user_permissions.add(*perms)
        perms = Permission.objects.filter(content_type__app_label="audit", codename="view_auditevent")
        user.user_permissions.add(*perms)
    from ..audit.models import record

    record(username, "account-created", detail=role)
    return user
