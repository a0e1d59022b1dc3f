"""A book build started from the portal (one at a time)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["BuildJob"]


class BuildJob(models.Model):
    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [(QUEUED, _("waiting")), (RUNNING, _("running")), (DONE, _("finished")), (FAILED, _("failed"))]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    started = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=STATES, default=QUEUED)
    exit_code = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("book build")
        verbose_name_plural = _("book builds")
