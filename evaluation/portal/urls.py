from django.contrib import admin
from django.shortcuts import render
from django.urls import include, path
from django.utils.translation import get_language

from .accounts.views import set_language
from .submissions.views import home


def guide(request):
    """The coordinator's guide, in Dutch or French (English readers get the Dutch one with a link to the French)."""
    lang = (get_language() or "nl")[:2]
    return render(request, "portal/guide_fr.html" if lang == "fr" else "portal/guide_nl.html")


admin.site.site_header = "peer-eval portal"

urlpatterns = [
    path("", home, name="home"),
    path("guide/", guide, name="guide"),
    path("language/", set_language, name="set_language"),
    path("accounts/", include("evaluation.portal.accounts.urls")),
    path("evaluator/", include("evaluation.portal.evaluator.urls")),
    path("admin/", admin.site.urls),
    path("", include("evaluation.portal.submissions.urls")),
]
