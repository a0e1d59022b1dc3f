"""Template context for every page: the user's role and prisons."""

from __future__ import annotations

from django.conf import settings


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_role": None, "portal_languages": settings.LANGUAGES}
    from .roles import profile_of

    profile = profile_of(user)
    return {"portal_role": profile.role, "portal_is_staff": profile.sees_all_sites,
            "portal_languages": settings.LANGUAGES, "portal_demo": profile.demo}
