"""WSGI entry point: ``gunicorn evaluation.portal.wsgi`` (production settings by default)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "evaluation.portal.settings.production")

application = get_wsgi_application()
