"""A portal user's profile (role, language) and the prisons they coordinate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Profile", "SiteMembership", "ROLES", "COORDINATOR", "EVALUATOR", "DATA_CONTROLLER"]

COORDINATOR = "coordinator"
EVALUATOR = "evaluator"
DATA_CONTROLLER = "data_controller"
ROLES = [
    (COORDINATOR, _("Prison coordinator")),
    (EVALUATOR, _("Evaluator")),
    (DATA_CONTROLLER, _("Data controller")),
]


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("role"), max_length=20, choices=ROLES, default=COORDINATOR)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="nl")
    demo = models.BooleanField(_("demo account"), default=False,
                               help_text=_("Made by 'peer-eval portal --demo' with a throwaway password."))

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"

    @property
    def sees_all_sites(self) -> bool:
        return self.role in (EVALUATOR, DATA_CONTROLLER)

    @property
    def needs_second_factor(self) -> bool:
        return self.role in (EVALUATOR, DATA_CONTROLLER)


class SiteMembership(models.Model):
    """A coordinator's prison (a site code of instruments/sites.yaml)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships")
    site = models.CharField(_("prison code"), max_length=8)

    class Meta:
        unique_together = [("user", "site")]
        verbose_name = _("prison membership")
        verbose_name_plural = _("prison memberships")

    def __str__(self) -> str:
        return f"{self.user.get_username()} - {self.site}"
