"""Production: gunicorn behind a reverse proxy that terminates HTTPS (see README, "Portal in production").

``PORTAL_ALLOWED_HOSTS`` (comma-separated host names) and a signing key
(``DJANGO_SECRET_KEY`` or ``DJANGO_SECRET_KEY_FILE``) are required;
``DATABASE_URL`` points the portal's tables at PostgreSQL.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import read_secret_key

DEBUG = False
SECRET_KEY = read_secret_key(create=False)
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("PORTAL_ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set PORTAL_ALLOWED_HOSTS to the portal's host name(s), comma-separated.")
CSRF_TRUSTED_ORIGINS = [f"https://{h}" for h in ALLOWED_HOSTS]

# the reverse proxy terminates TLS and sets X-Forwarded-Proto
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
