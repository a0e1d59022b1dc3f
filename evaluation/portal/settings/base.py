"""Settings shared by development and production (see ``development.py``, ``production.py``).

Configuration comes from the environment, never from a file in the repository:

- ``PEER_EVAL_WORKSPACE``: the evaluation workspace (the single store of the data);
- ``PORTAL_STATE_DIR``: the portal's own folder (SQLite tables, files waiting to be
  submitted, book builds); default ``<workspace>.portal`` beside the workspace;
- ``DJANGO_SECRET_KEY`` or ``DJANGO_SECRET_KEY_FILE``: the signing key (production
  requires one; development makes ``<state dir>/secret_key`` once, mode 0600);
- ``DATABASE_URL``: ``postgresql://user:password@host:port/name`` for the portal's tables
  (default SQLite in the state dir);
- ``PEER_EVAL_KEY`` / ``PEER_EVAL_KEY_FILE``: the pseudonymisation key, read by intake at
  each submission (:func:`evaluation.intake.pseudonymise.load_key`), never by these settings;
- ``PEER_EVAL_NAMES_DIR``: on the data controller's server, the folder of the names lists
  used to de-identify interviews, one ``names_<PRISON>.csv`` per prison (the format of
  ``peer-eval interviews import --names``); never uploaded, never shown;
- ``PEER_EVAL_TRANSCRIPTS_DIR`` (optional): for coded spreadsheets, a folder per prison
  (``<PRISON>/<transcript>.txt``), as ``--transcripts`` of the same command.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PORTAL_DIR = Path(__file__).resolve().parent.parent

WORKSPACE = Path(os.environ.get("PEER_EVAL_WORKSPACE", "").strip() or Path.cwd() / "peer-eval-workspace").resolve()
STATE_DIR = Path(os.environ.get("PORTAL_STATE_DIR", "").strip() or f"{WORKSPACE}.portal").resolve()


def read_secret_key(*, create: bool) -> str:
    """``$DJANGO_SECRET_KEY``, else the file ``$DJANGO_SECRET_KEY_FILE``, else (``create``) the state dir's file."""
    value = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if value:
        return value
    path = os.environ.get("DJANGO_SECRET_KEY_FILE", "").strip()
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    if not create:
        raise ImproperlyConfigured(
            "No signing key: set DJANGO_SECRET_KEY or DJANGO_SECRET_KEY_FILE (a file outside the repository "
            "holding a long random string, e.g. python -c \"import secrets; print(secrets.token_urlsafe(50))\").")
    import secrets

    STATE_DIR.mkdir(parents=True, exist_ok=True)
    keyfile = STATE_DIR / "secret_key"
    if not keyfile.exists():
        fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return keyfile.read_text(encoding="utf-8").strip()


def database_from_env() -> dict:
    """The portal's database: ``$DATABASE_URL`` (PostgreSQL) or SQLite in the state dir."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": STATE_DIR / "portal.sqlite3",
            # writers queue for the lock instead of failing with "database is locked"
            "OPTIONS": {"timeout": 60, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured("DATABASE_URL must start with postgresql:// (or leave it unset for SQLite)")
    from urllib.parse import parse_qs

    query = {k: v[-1] for k, v in parse_qs(u.query).items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        # a socket folder can be given as ?host=/path (libpq style)
        "HOST": query.pop("host", None) or unquote(u.hostname or ""),
        "PORT": str(u.port or ""),
        "OPTIONS": query,
        "CONN_MAX_AGE": 60,
    }


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "evaluation.portal.accounts",
    "evaluation.portal.audit",
    "evaluation.portal.submissions",
    "evaluation.portal.evaluator",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "evaluation.portal.accounts.middleware.ProfileLanguageMiddleware",
    "evaluation.portal.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "evaluation.portal.housekeeping.PurgeMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "evaluation.portal.urls"
WSGI_APPLICATION = "evaluation.portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PORTAL_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "evaluation.portal.accounts.context.portal",
            ],
        },
    },
]

DATABASES = {"default": database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [PORTAL_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = STATE_DIR / "static"
STATICFILES_DIRS = [PORTAL_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# sessions and cookies
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# content-security policy (django-csp 4): nothing inline, nothing from elsewhere
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# login throttling (django-axes): 5 failures for a user name from one address lock it for 15 minutes
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "peer-eval portal"

# housekeeping (evaluation.portal.housekeeping): a checked file not submitted within this many hours is
# deleted; a book build's folder this many days after it finished (the newest good build stays);
# at most one purge this often (seconds), started by a request or by 'python -m evaluation.portal purge'
PORTAL_UPLOAD_HOURS = float(os.environ.get("PORTAL_UPLOAD_HOURS", "24"))
PORTAL_BUILD_KEEP_DAYS = float(os.environ.get("PORTAL_BUILD_KEEP_DAYS", "7"))
PORTAL_PURGE_EVERY_S = float(os.environ.get("PORTAL_PURGE_EVERY_S", "3600"))

# interview imports: names lists and transcripts stay on this server (paths, never shown on a page)
PORTAL_NAMES_DIR = os.environ.get("PEER_EVAL_NAMES_DIR", "").strip() or None
PORTAL_TRANSCRIPTS_DIR = os.environ.get("PEER_EVAL_TRANSCRIPTS_DIR", "").strip() or None

# uploads: a file larger than this is refused before intake reads it
PORTAL_MAX_UPLOAD_BYTES = int(float(os.environ.get("PORTAL_MAX_UPLOAD_MB", "25")) * 1024 * 1024)
# an .xlsx (a zip) that would unpack to more than this is refused (zip bomb)
PORTAL_MAX_UNPACKED_BYTES = int(float(os.environ.get("PORTAL_MAX_UNPACKED_MB", "400")) * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_TEMP_DIR = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "evaluation.portal.accounts.views.csrf_failure"
