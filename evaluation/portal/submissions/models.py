"""A file uploaded and checked, waiting for the coordinator to submit it (or submitted)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Upload", "QUEUED", "STORING", "FAILED", "PENDING"]

#: states of an upload on its way into the workspace (a background job, :mod:`.queue`)
QUEUED, STORING, FAILED = "queued", "storing", "failed"
PENDING = (QUEUED, STORING)


class Upload(models.Model):
    """The upload lives in ``<state dir>/staging/<token>/`` until it is submitted; the workspace keeps it then.

    ``report`` is the intake report's own dictionary
    (:meth:`evaluation.intake.problems.Report.to_dict`), which never holds an
    identifier or a free-text answer. The original file name is not kept.
    """

    SURVEY, INTERVIEWS = "survey", "interviews"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="uploads")
    site = models.CharField(max_length=8)
    #: a questionnaire file (intake's submit_file) or coded interviews (qda's import_segments)
    kind = models.CharField(max_length=10, default="survey")
    suffix = models.CharField(max_length=6)
    created = models.DateTimeField(auto_now_add=True)
    valid = models.BooleanField(default=False)
    instrument = models.CharField(max_length=64, blank=True)
    n_rows = models.IntegerField(default=0)
    report = models.JSONField(default=dict)
    submitted = models.BooleanField(default=False)
    submission_id = models.CharField(max_length=20, blank=True)
    #: checked -> queued -> storing -> accepted / duplicate / rejected (or failed: the set-up refused it); expired
    status = models.CharField(max_length=12, blank=True)
    replaces = models.CharField(max_length=20, blank=True)
    lang = models.CharField(max_length=2, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    stored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
