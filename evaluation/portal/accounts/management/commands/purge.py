"""``python -m evaluation.portal purge``: delete expired uploads and old book builds now (for cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Delete files checked but not submitted within PORTAL_UPLOAD_HOURS, and book-build folders "
            "older than PORTAL_BUILD_KEEP_DAYS (the newest good build stays); audited.")

    def handle(self, *args, **options):
        from evaluation.portal.housekeeping import purge

        counts = purge()
        self.stdout.write(f"expired uploads: {counts['uploads']}, staging folders: {counts['staging']}, "
                          f"build folders: {counts['builds']}, temporary folders: {counts['tmp']}")
