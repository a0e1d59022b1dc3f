"""Template context for every page: the user's role and prisons."""

from __future__ import annotations

from django.conf import settings


def _demo_workspace() -> bool:
    """Whether the portal serves the synthetic demo workspace (``demo: true`` in its workspace.yaml)."""
    from pathlib import Path

    import yaml

    path = Path(settings.WORKSPACE) / "workspace.yaml"
    try:
        return bool((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("demo"))
    except (OSError, yaml.YAMLError):
        return False


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_role": None, "portal_languages": settings.LANGUAGES, "portal_demo_ws": _demo_workspace()}
    from .roles import profile_of

    profile = profile_of(user)
    return {"portal_role": profile.role, "portal_is_staff": profile.sees_all_sites,
            "portal_languages": settings.LANGUAGES, "portal_demo": profile.demo,
            "portal_demo_ws": _demo_workspace()}
