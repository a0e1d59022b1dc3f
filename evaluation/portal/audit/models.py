"""Who did what in the portal, when — never an identifier, a file name or a cell value.

Every field is a code (action, prison, submission id, instrument, format),
a count, or the portal user name. :func:`record` refuses anything else, the
same rule as the workspace's ``audit.log`` (:mod:`evaluation.store.audit`).
"""

from __future__ import annotations

import re

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditEvent", "record", "ACTIONS"]

ACTIONS = [
    ("login", _("signed in")),
    ("login-failed", _("failed sign-in")),
    ("logout", _("signed out")),
    ("otp-set-up", _("second factor set up")),
    ("upload", _("uploaded a file")),
    ("upload-refused", _("upload refused")),
    ("check", _("checked a file")),
    ("submit", _("submitted a file")),
    ("replace", _("replaced a submission")),
    ("download", _("downloaded")),
    ("build-started", _("started a book build")),
    ("build-finished", _("book build finished")),
    ("account-created", _("account created")),
    ("sign-off", _("approved a quote")),
    ("import", _("imported interviews")),
    ("purge", _("deleted expired files")),
]
_CODE = re.compile(r"^[A-Za-z0-9@._,:-]{0,64}$")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    username = models.CharField(_("who"), max_length=150)
    action = models.CharField(_("what"), max_length=20, choices=ACTIONS)
    site = models.CharField(_("prison"), max_length=8, blank=True)
    submission = models.CharField(_("submission"), max_length=20, blank=True)
    detail = models.CharField(_("detail"), max_length=64, blank=True,
                              help_text=_("A code only: instrument, format, status, template kind."))
    rows = models.IntegerField(_("rows"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")


def record(username: str, action: str, *, site: str = "", submission: str = "", detail: str = "",
           rows: int | None = None) -> AuditEvent:
    """Write one audit row; raises ``ValueError`` for a value that is not a code."""
    if action not in dict(ACTIONS):
        raise ValueError(f"audit action {action!r} is not one of {sorted(dict(ACTIONS))}")
    for name, value in (("site", site), ("submission", submission), ("detail", detail)):
        if value and not _CODE.match(str(value)):
            raise ValueError(f"audit field {name} must be a short code, not free text")
    return AuditEvent.objects.create(username=str(username)[:150], action=action, site=site or "",
                                     submission=submission or "", detail=detail or "", rows=rows)
